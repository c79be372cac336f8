;;; memory.scm -- tests of allocation, memory operations, memory-blocks.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

(use-modules (test-suite harness)
             (vicare-compat)
             ((system foreign)
              #:select (pointer-address bytevector->pointer %null-pointer
                        make-pointer pointer->procedure int))
             ((ice-9 rdelim) #:select (read-line))
             (rnrs bytevectors)
             ((rnrs conditions)
              #:select (assertion-violation? error? condition-message
                        irritants-condition?))
             ((rnrs base) #:select (assertion-violation)))

(test-begin "memory")

(define greatest-word (- (expt 2 64) 1))
(define (values->list thunk) (call-with-values thunk list))

;; Collect garbage until finalizers had a chance to run.
(define (collect!)
  (do ((i 0 (+ i 1))) ((= i 3)) (gc)))

;; Call THUNK 100 times, dropping what it allocates, then collect; #t.
(define (churn thunk)
  (do ((i 0 (+ i 1))) ((= i 100)) (thunk))
  (collect!)
  #t)

;;; ============================================================ allocation

(test-group "malloc and free"
  (for-each
   (lambda (alloc name)
     (let ((p (alloc)))
       (test-assert (string-append name " returns a non-NULL pointer")
         (pointer-non-null? p))
       (pointer-set-c-uint64! p 0 42)
       (test-equal (string-append name " free returns no values") '()
         (values->list (lambda () (free p))))
       (test-equal (string-append name " then the pointer is NULL") 0
         (pointer->integer p))
       (test-equal (string-append name " second free is a no-op") '()
         (values->list (lambda () (free p))))))
   (list (lambda () (malloc 16)) (lambda () (guarded-malloc 16))
         (lambda () (calloc 2 8)) (lambda () (guarded-calloc 2 8)))
   '("malloc" "guarded-malloc" "calloc" "guarded-calloc"))
  (test-equal "calloc zeroes" (make-bytevector 64 0)
    (let ((p (guarded-calloc 8 8))) (memory->bytevector p 64)))
  (test-equal "malloc 0 gives a pointer" #t (pointer? (guarded-malloc 0)))
  (test-assert "free of NULL" (null? (values->list (lambda () (free (null-pointer))))))
  (test-raises "malloc -1" procedure-signature-argument-violation? 'malloc '(-1)
    (malloc -1))
  (test-raises "malloc flonum" procedure-signature-argument-violation? 'malloc '(8.0)
    (malloc 8.0))
  (test-raises "calloc second argument" procedure-signature-argument-violation?
    'calloc '(x) (calloc 1 'x))
  (test-raises "free a bytevector" procedure-signature-argument-violation?
    'free (list #vu8(1)) (free #vu8(1))))

(test-group "out of memory"
  (test-raises "malloc of the greatest size" out-of-memory-error? 'malloc
    '<no-irritants> (malloc greatest-word))
  (test-raises "guarded-malloc" out-of-memory-error? 'guarded-malloc
    '<no-irritants> (guarded-malloc greatest-word))
  (test-raises "calloc overflow" out-of-memory-error? 'calloc '<no-irritants>
    (calloc (expt 2 63) 4))
  (test-assert "is an &error" (error? (catch-condition (lambda () (malloc greatest-word)))))
  (test-equal "message" "failed raw memory allocation"
    (condition-message (catch-condition (lambda () (malloc greatest-word)))))
  (let ((p (guarded-malloc 8)))
    (test-raises "realloc too large" out-of-memory-error? 'realloc '<no-irritants>
      (realloc p greatest-word))
    (test-assert "the pointer is unchanged on failure" (pointer-non-null? p))))

(test-group "realloc"
  (let* ((p (malloc 8))
         (q (begin (pointer-set-c-uint64! p 0 #x1122334455667788)
                   (realloc p 4096))))
    (test-eq "returns the same object" p q)
    (test-equal "contents kept" #x1122334455667788 (pointer-ref-c-uint64 q 0))
    (pointer-set-c-uint8! q 4095 7)
    (free q)
    (test-equal "free of the result: both read 0" '(0 0)
      (list (pointer->integer p) (pointer->integer q))))
  (let* ((p (guarded-malloc 8)) (q (guarded-realloc p 20)))
    (free q)
    (test-equal "guarded: both read 0" '(0 0)
      (list (pointer->integer p) (pointer->integer q))))
  (let* ((p (guarded-malloc 8)) (q (realloc p 100)))
    (test-eq "realloc of guarded memory" p q))
  (test-raises "realloc of NULL" out-of-memory-error? 'realloc '<no-irritants>
    (realloc (null-pointer) 8))
  (let ((p (malloc 8)))
    (test-raises "realloc to 0 raises" out-of-memory-error? 'realloc
      '<no-irritants> (realloc p 0))
    (test-assert "realloc to 0 freed and nulled" (pointer-null? p)))
  (test-raises "realloc bad size" procedure-signature-argument-violation?
    'guarded-realloc '(-5) (guarded-realloc (guarded-malloc 1) -5))
  (test-raises "realloc of a non-pointer" procedure-signature-argument-violation?
    'realloc '(5) (realloc 5 1)))

;; These give the finalizers something to do: under ASan or valgrind a
;; double free or a free of a wrong address would be reported.
(test-group "guarded memory and the collector"
  (test-assert "free, then collect: not freed twice"
    (churn (lambda () (free (guarded-malloc 32)))))
  (test-assert "realloc, then collect: the new block is freed"
    (churn (lambda () (realloc (guarded-malloc 8) 4000))))
  (test-assert "guarded twice: freed once"
    (churn (lambda ()
             (let ((p (guarded-malloc 8)))
               (guarded-realloc p 16)
               (guarded-realloc p 32)))))
  (test-assert "plain memory made guarded by guarded-realloc"
    (churn (lambda () (guarded-realloc (malloc 8) 64))))
  (test-assert "a Guile finalizer is kept, not doubled, by guarded-realloc"
    (let ((c-free (dynamic-func "free" (dynamic-link))))
      (churn (lambda ()
               (guarded-realloc (make-pointer (pointer->integer (malloc 8)) c-free)
                                64)))))
  (test-assert "set-pointer-null! on guarded memory: its finalizer frees NULL"
    (let ((saved (let ((p (guarded-malloc 8)))
                   (let ((address (pointer-clone p)))
                     (set-pointer-null! p)
                     address))))
      (collect!)
      ;; A finalizer that freed the old address would make this a double
      ;; free.
      (free saved)
      #t))
  ;; Guile's finalizer thread can fall behind a tight loop; with
  ;; automatic finalization off it never catches up.  The allocations run
  ;; the pending finalizers themselves once guarded memory awaiting them
  ;; passes a limit (16 MiB, or the heap's size): 300,000 blocks of 1 KiB
  ;; (300 MiB) grow the process by far less than 300 MiB.
  (if (string-contains (or (getenv "LD_PRELOAD") "") "asan")
      ;; AddressSanitizer keeps freed memory in quarantine (256 MiB).
      (skip-test "a tight loop of guarded allocations stays bounded"
                 "the resident size under AddressSanitizer")
    (test-assert "a tight loop of guarded allocations stays bounded"
      (let ((automatic! (pointer->procedure
                         int (dynamic-func "scm_set_automatic_finalization_enabled"
                                           (dynamic-link))
                         (list int)))
            (rss-mb (lambda ()
                      (call-with-input-file "/proc/self/status"
                        (lambda (port)
                          (let loop ((line (read-line port)))
                            (if (string-prefix? "VmRSS:" line)
                                (quotient (string->number
                                           (cadr (string-tokenize line)))
                                          1024)
                                (loop (read-line port)))))))))
        (collect!)
        (automatic! 0)
        (let ((before (rss-mb)))
          (do ((i 0 (+ i 1))) ((= i 300000)) (guarded-malloc 1024))
          (let ((grown (- (rss-mb) before)))
            (automatic! 1)
            (collect!)
            (< grown 100)))))))

;;; ===================================================== memory operations

(test-group "memset memcpy memmove"
  (define p (guarded-malloc 123))
  (define q (guarded-malloc 123))
  (define r (guarded-malloc 123))
  (test-equal "memset returns no values" '() (values->list (lambda () (memset p -9 123))))
  (test-equal "memcpy returns no values" '() (values->list (lambda () (memcpy q p 123))))
  (test-equal "memset -9, memcpy, memory-copy" (make-bytevector 123 -9)
    (let ((bv (make-bytevector 123 0)))
      (memory-copy bv 0 q 0 123)
      bv))
  (test-equal "memmove to another block" (make-bytevector 123 -9)
    (begin (memmove r p 123) (memory->bytevector r 123)))
  (test-equal "memmove overlapping" #vu8(1 2 1 2 3 4)
    (let ((m (guarded-malloc 6)))
      (memory-copy m 0 #vu8(1 2 3 4 5 6) 0 6)
      (memmove (pointer-add m 2) m 4)
      (memory->bytevector m 6)))
  (test-equal "memset 255" #vu8(255 255)
    (begin (memset p 255 2) (memory->bytevector p 2)))
  (test-raises "memset 256" procedure-signature-argument-violation? 'memset '(256)
    (memset p 256 1))
  (test-raises "memset -129" procedure-signature-argument-violation? 'memset '(-129)
    (memset p -129 1))
  (test-raises "memcpy from a bytevector" procedure-signature-argument-violation?
    'memcpy (list #vu8(1)) (memcpy p #vu8(1) 1))
  (test-raises "memmove count" procedure-signature-argument-violation?
    'memmove '(-1) (memmove p q -1))
  (test-raises "memcpy to NULL" assertion-violation? 'memcpy (list %null-pointer)
    (memcpy %null-pointer p 4))
  (test-equal "memcpy of 0 bytes with NULL" '()
    (values->list (lambda () (memcpy %null-pointer %null-pointer 0)))))

(test-group "memcmp"
  (define-values (a a-len) (bytevector->guarded-memory #vu8(1 2 3 4)))
  (define-values (b b-len) (bytevector->guarded-memory #vu8(1 2 3 4)))
  (define-values (c c-len) (bytevector->guarded-memory #vu8(1 2 9 4)))
  (test-equal "lengths" '(4 4 4) (list a-len b-len c-len))
  (test-equal "equal" 0 (memcmp a b 4))
  (test-assert "less" (negative? (memcmp a c 4)))
  (test-assert "greater" (positive? (memcmp c a 4)))
  (test-equal "equal prefix" 0 (memcmp a c 2))
  (test-raises "non-pointer" procedure-signature-argument-violation? 'memcmp
    '(#f) (memcmp a #f 1)))

(test-group "memory-copy"
  (test-equal "bytevector to bytevector" #vu8(3 4)
    (let ((dst (make-bytevector 2 0)))
      (memory-copy dst 0 #vu8(1 2 3 4) 2 2)
      dst))
  (test-equal "returns no values" '()
    (values->list (lambda () (memory-copy (make-bytevector 1) 0 #vu8(1) 0 1))))
  (test-equal "bytevector to itself, overlapping" #vu8(1 1 2 3)
    (let ((bv (bytevector-copy #vu8(1 2 3 4))))
      (memory-copy bv 1 bv 0 3)
      bv))
  (let ((m (guarded-malloc 16)))
    (test-equal "bytevector to memory to bytevector" #vu8(0 0 5 6 7 0)
      (begin (memset m 0 16)
             (memory-copy m 2 #vu8(9 5 6 7) 1 3)
             (let ((bv (make-bytevector 6 0)))
               (memory-copy bv 0 m 0 6)
               bv)))
    (test-equal "memory to memory" #vu8(5 6 7)
      (let ((n (guarded-malloc 8)))
        (memory-copy n 0 m 2 3)
        (memory->bytevector n 3))))
  (test-raises "destination of the wrong kind" procedure-argument-violation?
    'memory-copy '(#(1)) (memory-copy #(1) 0 #vu8(1) 0 1))
  (test-argument "source of the wrong kind: its index and predicate"
    'memory-copy 3 'pointer-or-bytevector? "s" (memory-copy #vu8(1) 0 "s" 0 1))
  (test-raises "source of the wrong kind" procedure-argument-violation?
    'memory-copy (list (null-memory-block))
    (let ((mb (null-memory-block)))
      (memory-copy #vu8(1) 0 mb 0 1)))
  (test-raises "negative start" procedure-signature-argument-violation?
    'memory-copy '(-1) (memory-copy (make-bytevector 2) -1 #vu8(1) 0 1))
  (test-raises "source start not a fixnum" procedure-signature-argument-violation?
    'memory-copy (list (expt 2 70))
    (memory-copy (make-bytevector 2) 0 #vu8(1) (expt 2 70) 1))
  (test-raises "bad count" procedure-signature-argument-violation?
    'memory-copy '(x) (memory-copy (make-bytevector 2) 0 #vu8(1) 0 'x))
  (let ((dst (make-bytevector 4 0)))
    (test-raises "destination range too long" procedure-arguments-consistency-violation?
      'memory-copy (list dst 2 3) (memory-copy dst 2 #vu8(1 2 3) 0 3)))
  (test-raises "source start beyond the end" procedure-arguments-consistency-violation?
    'memory-copy (list #vu8(1 2) 3 0) (memory-copy (make-bytevector 4) 0 #vu8(1 2) 3 0))
  (test-equal "empty copy at the end" '()
    (values->list (lambda () (memory-copy (make-bytevector 4) 4 #vu8(1 2) 2 0))))
  (let ((p (integer->pointer greatest-word)))
    (test-raises "pointer + start overflows" procedure-arguments-consistency-violation?
      'memory-copy (list p 2) (memory-copy p 2 #vu8(1) 0 1)))
  (test-argument "NULL pointer" 'memory-copy 1 'non-null-pointer? %null-pointer
    (memory-copy %null-pointer 0 #vu8(1) 0 1)))

(test-group "bytevectors and memory"
  (define-values (p n) (bytevector->memory #vu8(1 2 3 0 5)))
  (test-equal "bytevector->memory length" 5 n)
  (test-equal "round trip, zero kept" #vu8(1 2 3 0 5) (memory->bytevector p 5))
  (free p)
  (test-equal "guarded" '(#vu8(9 8) 2)
    (call-with-values (lambda () (bytevector->guarded-memory #vu8(9 8)))
      (lambda (p n) (list (memory->bytevector p n) n))))
  (test-equal "empty bytevector" '(#t 0)
    (call-with-values (lambda () (bytevector->guarded-memory #vu8()))
      (lambda (p n) (list (pointer-non-null? p) n))))
  (test-equal "memory->bytevector of 0 bytes at NULL" #vu8()
    (memory->bytevector (null-pointer) 0))
  (test-raises "memory->bytevector NULL" assertion-violation? 'memory->bytevector
    (list %null-pointer) (memory->bytevector %null-pointer 1))
  (test-raises "memory->bytevector negative" procedure-signature-argument-violation?
    'memory->bytevector '(-1) (memory->bytevector (guarded-malloc 1) -1))
  (test-raises "bytevector->memory of a string" procedure-signature-argument-violation?
    'bytevector->memory '("ab") (bytevector->memory "ab")))

;;; ========================================================= memory-blocks

(test-group "memory-blocks"
  (define mb (make-memory-block (integer->pointer 123) 4096))
  (test-assert "memory-block?" (memory-block? mb))
  (test-assert "memory-block? of a pointer" (not (memory-block? (null-pointer))))
  (test-equal "accessors" '(123 4096)
    (list (pointer->integer (memory-block-pointer mb)) (memory-block-size mb)))
  (test-assert "memory-block-pointer is a fresh clone"
    (not (eq? (memory-block-pointer mb) (memory-block-pointer mb))))
  (test-assert "?/non-null" (memory-block?/non-null mb))
  (test-assert "?/not-null" (memory-block?/not-null mb))
  (test-assert "?/non-null of NULL" (not (memory-block?/non-null (null-memory-block))))
  (test-assert "?/non-null of a non-block" (not (memory-block?/non-null 0)))
  (test-equal "null-memory-block" '(0 0)
    (let ((n (null-memory-block)))
      (list (pointer->integer (memory-block-pointer n)) (memory-block-size n))))
  (test-equal "prints its fields" "#<memory-block pointer=#x7b size=4096 owner?=#f>"
    (object->string mb))
  (test-equal "reset" '(0 0)
    (let ((m (make-memory-block (integer->pointer 1) 5)))
      (memory-block-reset m)
      (list (pointer->integer (memory-block-pointer m)) (memory-block-size m))))
  (test-assert "the block holds a clone of the pointer"
    (let* ((p (malloc 8)) (m (make-memory-block p 8)))
      (free m)
      (pointer-non-null? p)))
  (test-equal "free of a block" '(0 0)
    (let ((m (make-memory-block/guarded (malloc 16) 16)))
      (free m)
      (list (pointer->integer (memory-block-pointer m)) (memory-block-size m))))
  (let ((m (make-memory-block/guarded (malloc 16) 16)))
    (test-eq "realloc returns the block" m (realloc m 32))
    (test-equal "realloc of a block sets its size" 32 (memory-block-size m)))
  (test-equal "guarded-realloc makes the block an owner" #t
    (let ((m (make-memory-block (malloc 16) 16)))
      (guarded-realloc m 24)
      (and (string-contains (object->string m) "size=24 owner?=#t") #t)))
  (test-equal "a guarded block survives a collection" 99
    (let ((m (make-memory-block/guarded (malloc 16) 16)))
      (pointer-set-c-uint8! m 3 99)
      (collect!)
      (pointer-ref-c-uint8 m 3)))
  (test-assert "guarded blocks: reset, free, drop, collect"
    (churn (lambda ()
             (memory-block-reset (make-memory-block/guarded (malloc 16) 16))
             (free (make-memory-block/guarded (malloc 16) 16))
             (make-memory-block/guarded (malloc 16) 16))))
  (let ((a (make-memory-block (integer->pointer 8) 4))
        (b (make-memory-block (integer->pointer 8) 4))
        (c (make-memory-block (integer->pointer 8) 5))
        (d (make-memory-block (integer->pointer 9) 4)))
    (test-assert "=? one" (memory-block=? a))
    (test-assert "=? same address and size" (memory-block=? a b))
    (test-assert "=? other size" (not (memory-block=? a b c)))
    (test-assert "!=? one is #f" (not (memory-block!=? a)))
    (test-assert "!=? all different" (memory-block!=? a c d))
    (test-assert "!=? two equal" (not (memory-block!=? a c b)))
    (test-raises "=? non-block" procedure-signature-argument-violation?
      'memory-block=? '(x) (memory-block=? a 'x)))
  (test-raises "make-memory-block pointer" procedure-signature-argument-violation?
    'make-memory-block '(1) (make-memory-block 1 1))
  (test-raises "make-memory-block size" procedure-signature-argument-violation?
    'make-memory-block '(-1) (make-memory-block (null-pointer) -1))
  (test-raises "make-memory-block/guarded size" procedure-signature-argument-violation?
    'make-memory-block/guarded '(1.0) (make-memory-block/guarded (null-pointer) 1.0))
  (test-raises "memory-block-size of a pointer" procedure-signature-argument-violation?
    'memory-block-size (list %null-pointer) (memory-block-size %null-pointer))
  (test-raises "memory-block-pointer of #f" procedure-signature-argument-violation?
    'memory-block-pointer '(#f) (memory-block-pointer #f))
  (test-raises "memory-block-reset of #f" procedure-signature-argument-violation?
    'memory-block-reset '(#f) (memory-block-reset #f)))

;;; ==================================================== with-local-storage

(test-group "with-local-storage"
  (test-equal "no blocks" 7 (with-local-storage '#() (lambda () 7)))
  (test-equal "one int32" 7
    (with-local-storage '#(4)
      (lambda (p)
        (pointer-set-c-sint32! p 0 7)
        (pointer-ref-c-sint32 p 0))))
  (test-equal "an int32 and an int64" 15
    (with-local-storage '#(4 8)
      (lambda (p q)
        (pointer-set-c-sint32! p 0 7)
        (pointer-set-c-sint64! q 0 8)
        (+ (pointer-ref-c-sint32 p 0) (pointer-ref-c-sint64 q 0)))))
  (test-equal "blocks are 16-byte aligned and disjoint" '(0 0 0 #t)
    (with-local-storage '#(3 17 1)
      (lambda (a b c)
        (list (modulo (pointer->integer a) 16)
              (modulo (pointer->integer b) 16)
              (modulo (pointer->integer c) 16)
              (and (>= (pointer-diff b a) 3) (>= (pointer-diff c b) 17))))))
  (test-raises "an exception inside propagates" assertion-violation?
    'inside '(1 2 3)
    (with-local-storage '#(4) (lambda (p) (assertion-violation 'inside "boom" 1 2 3))))
  (test-raises "lengths not a vector" procedure-signature-argument-violation?
    'with-local-storage '((4)) (with-local-storage '(4) (lambda (p) p)))
  (test-raises "negative length" procedure-signature-argument-violation?
    'with-local-storage '(#(-1)) (with-local-storage '#(-1) (lambda (p) p)))
  (test-raises "not a procedure" procedure-signature-argument-violation?
    'with-local-storage '(5) (with-local-storage '#() 5))
  ;; Before anything is allocated: the collector would warn on stderr.
  (test-raises "a size no machine has" out-of-memory-error?
    'with-local-storage '<no-irritants>
    (with-local-storage (vector (expt 2 60)) (lambda (p) p))))

(test-end "memory")
