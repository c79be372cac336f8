;;; fasl.scm -- tests of (vicare-compat fasl): API, round trips, sharing.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

(use-modules (test-suite harness)
             (test-suite fasl-util)
             (vicare-compat)
             (rnrs bytevectors)
             ((rnrs io ports)
              #:select (open-bytevector-input-port open-bytevector-output-port
                        get-u8 put-u8 get-bytevector-all put-bytevector
                        eof-object))
             ((rnrs conditions) #:select (assertion-violation?))
             ((rnrs hashtables)
              #:select (make-eq-hashtable make-eqv-hashtable make-hashtable
                        hashtable-set! hashtable-ref hashtable-size))
             ((rnrs records procedural)
              #:select (make-record-type-descriptor record-constructor
                        make-record-constructor-descriptor))
             (system foreign)
             (srfi srfi-1)
             (srfi srfi-4)
             (srfi srfi-9)
             (ice-9 threads))

(test-begin "fasl")

(define (round-trip x) (fasl-decode (fasl-encode x)))

(define (bytevector-append* . bvs)
  (let ((out (make-bytevector (apply + (map bytevector-length bvs)))))
    (let loop ((bvs bvs) (i 0))
      (if (null? bvs)
          out
          (begin (bytevector-copy! (car bvs) 0 out i (bytevector-length (car bvs)))
                 (loop (cdr bvs) (+ i (bytevector-length (car bvs)))))))))

(define (port-bytes proc)
  (call-with-values open-bytevector-output-port
    (lambda (port get) (proc port) (get))))

;;; ------------------------------------------------------------------ API

(test-group "fasl-write and fasl-read"
  (test-equal "fasl-write returns no values" '()
    (call-with-values (lambda () (fasl-write 1 (open-bytevector-output-port)))
      list))
  (test-equal "same bytes as fasl-encode" (fasl-encode '(1 "two" #(3)))
    (port-bytes (lambda (p) (fasl-write '(1 "two" #(3)) p))))
  (test-equal "read back" '(1 "two" #(3))
    (fasl-read (open-bytevector-input-port (fasl-encode '(1 "two" #(3))))))
  (test-equal "libraries become O entries before the datum"
    (string-append "2340494B30324F73010000000000000061"
                   "4F7303000000000000006C6962490800000000000000")
    (bytevector->hex (port-bytes (lambda (p) (fasl-write 1 p '("a" "lib"))))))
  (test-equal "#f libraries: none" (fasl-encode 1)
    (port-bytes (lambda (p) (fasl-write 1 p #f))))
  (test-raises "libraries not strings" procedure-signature-argument-violation?
    'fasl-write '(("a" b))
    (fasl-write 1 (open-bytevector-output-port) '("a" b)))
  (test-raises "not an output port" procedure-signature-argument-violation?
    'fasl-write '(#f) (fasl-write 1 #f))
  (test-raises "not an input port" procedure-signature-argument-violation?
    'fasl-read '(42) (fasl-read 42))
  (test-assert "the reader refuses O entries"
    (fasl-read-error?
     (catch-condition
      (lambda ()
        (fasl-read (open-bytevector-input-port
                    (port-bytes (lambda (p) (fasl-write 1 p '("m"))))))))))
  (test-assert "procedures have docstrings"
    (every (lambda (p) (string? (procedure-documentation p)))
           (list fasl-write fasl-read fasl-encode fasl-decode
                 fasl-write-memory fasl-read-memory))))

(define (without-header bv)
  (let* ((n (- (bytevector-length bv) 6))
         (out (make-bytevector n)))
    (bytevector-copy! bv 6 out 0 n)
    out))

(test-group "fasl-write hands big data to the port as it goes"
  ;; fasl-write buffers 256 KiB at most and writes bytevectors of 64 KiB
  ;; or more straight from their contents; the bytes are still those of
  ;; fasl-encode.
  (let* ((big (let ((bv (make-bytevector 100000)))
                (do ((i 0 (+ i 1))) ((= i 100000) bv)
                  (bytevector-u8-set! bv i (modulo (* i 7) 256)))))
         (long-string (make-string 300000 #\x))
         (data (list (list 1 big "after" big)
                     (vector (make-bytevector 65535 1) (make-bytevector 65536 2)
                             (make-bytevector 65537 3))
                     (iota 100000)
                     (list "a" long-string (make-string 10 #\x3bb) big)
                     (let ((l (list big 'x))) (set-cdr! (cdr l) l) l))))
    (for-each
     (lambda (x i)
       (test-equal (format #f "datum ~a: same bytes as fasl-encode" i)
         (fasl-encode x) (port-bytes (lambda (p) (fasl-write x p))))
       (test-equal (format #f "datum ~a: with libraries" i)
         (bytevector-append* (string->utf8 "#@IK02O")
                             (without-header (fasl-encode "lib"))
                             (without-header (fasl-encode x)))
         (port-bytes (lambda (p) (fasl-write x p '("lib"))))))
     data (iota (length data)))
    (test-equal "a big datum read back through a port"
      (list big long-string)
      (fasl-read (open-bytevector-input-port
                  (port-bytes (lambda (p) (fasl-write (list big long-string)
                                                      p)))))))
  (test-equal "nothing written when a big datum holds a procedure" 0
    (bytevector-length
     (port-bytes
      (lambda (p)
        (catch-condition
         (lambda ()
           (fasl-write (list (make-bytevector 200000 1) car) p))))))))

(define (fixnum-list-bytes n tail-bytes)
  ;; The encoding of (0 1 ... n-1 . tail): one chain of N pairs.
  (let ((out (open-bytevector-output-port-bytes
              (lambda (put)
                (put (string->utf8 "#@IK02"))
                (cond ((= n 1) (put #vu8(80)))                  ; P
                      ((< (- n 1) 256) (put (u8-list->bytevector
                                             (list 108 (- n 1))))) ; l
                      (else (put #vu8(76))                       ; L
                            (put (word-bytes (- n 1)))))
                (do ((i 0 (+ i 1))) ((= i n))
                  (put #vu8(73)) (put (word-bytes (* 8 i))))    ; I
                (put tail-bytes)))))
    out))

(define (word-bytes k)
  (let ((bv (make-bytevector 8)))
    (bytevector-u64-set! bv 0 k (endianness little))
    bv))

(define (open-bytevector-output-port-bytes proc)
  (call-with-values open-bytevector-output-port
    (lambda (port get) (proc (lambda (bv) (put-bytevector port bv))) (get))))

(test-group "long lists: one chain, counted once"
  ;; The walk records the length of lists of 64 pairs or more; the emit
  ;; pass uses it when nothing is shared, and counts otherwise.
  (for-each
   (lambda (n)
     (test-equal (format #f "proper list of ~a" n)
       (fixnum-list-bytes n #vu8(78))                       ; N
       (fasl-encode (iota n)))
     (test-equal (format #f "list of ~a ending in 7" n)
       (fixnum-list-bytes n (bytevector-append* #vu8(73) (word-bytes 56)))
       (fasl-encode (append (iota n) 7))))
   '(1 2 63 64 65 255 256 257 1000))
  (let* ((inner (iota 300))
         (outer (list (iota 100) inner (vector (iota 70) (iota 64)) inner)))
    (test-equal "long lists nested, one of them shared" outer
      (round-trip outer))
    (let ((back (round-trip outer)))
      (test-assert "the shared list is one object" (eq? (cadr back)
                                                        (cadddr back)))))
  (let* ((tail (iota 100 1000))
         (l (append (iota 200) tail)))
    ;; A pair in the middle of a long list is also referenced alone: the
    ;; chain stops there, as in Ikarus.
    (test-equal "a long list with a shared tail"
      (list l tail) (round-trip (list l tail)))
    (let ((back (round-trip (list l tail))))
      (test-assert "its tail is shared" (eq? (list-tail (car back) 200)
                                             (cadr back)))))
  (let ((c (iota 100)))
    (set-cdr! (last-pair c) c)
    (let ((back (round-trip c)))
      (test-assert "a cycle through 100 cdrs"
        (and (= (car back) 0) (eq? (list-tail back 100) back))))))

(test-group "port reads stop at the end of the datum"
  (let* ((bytes (port-bytes (lambda (p)
                              (fasl-write '(a . b) p)
                              (fasl-write (make-bytevector 100000 7) p)
                              (fasl-write "three" p)
                              (put-u8 p 99))))
         (port (open-bytevector-input-port bytes)))
    (test-equal "first" '(a . b) (fasl-read port))
    (test-equal "second (longer than a port buffer)" (make-bytevector 100000 7)
      (fasl-read port))
    (test-equal "third" "three" (fasl-read port))
    (test-equal "the byte after is still there" 99 (get-u8 port))
    (test-assert "then eof" (eof-object? (get-u8 port))))
  (test-equal "data on a pipe are read without waiting for more"
    '((1 2) "x")
    ;; The write end stays open: a reader that wants one byte past a
    ;; datum would block (the alarm turns a hang into a failure).
    (let* ((p (pipe)) (in (car p)) (out (cdr p)))
      (setvbuf out 'none)
      (put-bytevector out (fasl-encode '(1 2)))
      (put-bytevector out (fasl-encode "x"))
      (alarm 120)
      (let* ((a (fasl-read in)) (b (fasl-read in)))
        (alarm 0)
        (close-port out)
        (close-port in)
        (list a b))))
  (test-equal "a big datum on a pipe, nothing after it, the pipe open"
    (list (iota 100000) (make-vector 3000 "s"))
    ;; Written by a thread in pieces; the reader must stop exactly at the
    ;; end of each datum, or wait forever for bytes that never come.
    (let* ((p (pipe)) (in (car p)) (out (cdr p))
           (bytes (bytevector-append* (fasl-encode (iota 100000))
                                      (fasl-encode (make-vector 3000 "s"))))
           (writer (make-thread
                    (lambda ()
                      (let loop ((i 0))
                        (when (< i (bytevector-length bytes))
                          (let ((n (min 5000 (- (bytevector-length bytes) i))))
                            (put-bytevector out bytes i n)
                            (force-output out)
                            (loop (+ i n)))))))))
      (alarm 120)
      (let* ((a (fasl-read in)) (b (fasl-read in)))
        (alarm 0)
        (join-thread writer)
        (close-port out)
        (close-port in)
        (list a b))))
  (test-assert "eof before any byte: a header error"
    (i/o-wrong-fasl-header-error?
     (catch-condition (lambda () (fasl-read (open-bytevector-input-port #vu8())))))))

(test-group "fasl-decode"
  (let* ((e (fasl-encode "abc"))
         (n (bytevector-length e))
         (bv (make-bytevector (+ n 10) 0)))
    (bytevector-copy! e 0 bv 3 n)
    (test-equal "start and count" "abc" (fasl-decode bv 3 n))
    (test-raises-who "trailing bytes" fasl-read-error? 'fasl-decode
      (fasl-decode bv 3))
    (test-equal "offset of the trailing bytes" n
      (fasl-read-error-offset (catch-condition (lambda () (fasl-decode bv 3)))))
    (test-raises-who "start beyond the end"
      procedure-arguments-consistency-violation? 'fasl-decode
      (fasl-decode bv 100))
    (test-raises-who "count beyond the end"
      procedure-arguments-consistency-violation? 'fasl-decode
      (fasl-decode bv 3 (+ n 8)))
    (test-raises "not a bytevector" procedure-signature-argument-violation?
      'fasl-decode '("x") (fasl-decode "x"))))

(test-group "memory"
  (let* ((x (list 1 "deux" 3.0 (vector 'quatre)))
         (size (bytevector-length (fasl-encode x)))
         (buf (make-bytevector 100 #xAA))
         (p (bytevector->pointer buf)))
    (test-equal "write returns the size" size (fasl-write-memory x p 100))
    (test-equal "same bytes as fasl-encode" (fasl-encode x)
      (let ((b (make-bytevector size))) (bytevector-copy! buf 0 b 0 size) b))
    (test-equal "read returns the datum and the size" (list x size)
      (call-with-values (lambda () (fasl-read-memory p 100)) list))
    (test-equal "exact fit" size (fasl-write-memory x p size))
    (bytevector-fill! buf #xAA)
    (test-raises "one byte short" procedure-arguments-consistency-violation?
      'fasl-write-memory (list size (- size 1))
      (fasl-write-memory x p (- size 1)))
    (test-assert "nothing written at or past the limit"
      (every (lambda (i) (= #xAA (bytevector-u8-ref buf i)))
             (iota (- 100 (- size 1)) (- size 1))))
    (test-raises-who "read past a truncated block" fasl-read-error?
      'fasl-read-memory (fasl-read-memory p 3))
    (test-raises "NULL pointer" procedure-signature-argument-violation?
      'fasl-read-memory (list %null-pointer) (fasl-read-memory %null-pointer 10))
    (test-raises "not a pointer" procedure-signature-argument-violation?
      'fasl-write-memory (list buf) (fasl-write-memory 1 buf 10))))

;;; ---------------------------------------------------------- round trips

(define point
  (make-record-type-descriptor 'fasl-test-point #f 'fasl-test-point-uid #f #f
                               '#((immutable x) (mutable y))))
(define make-point
  (record-constructor (make-record-constructor-descriptor point #f #f)))

(define samples
  (list '() #t #f (eof-object) *unspecified*
        0 1 -1 (- (expt 2 60) 1) (- (expt 2 60)) (expt 2 60) (- -1 (expt 2 60))
        (expt 2 61) (- (expt 2 62)) (expt 7 200) (- (expt 7 201))
        0.0 -0.0 1.5 +inf.0 -inf.0 (bits->flonum #x7FF8000000000001)
        (bits->flonum #xFFF0000000000123)
        1/3 -22/7 (/ (expt 2 100) 3) (/ 3 (expt 2 100))
        1.5+2.5i -0.0-inf.0i
        #\nul #\a #\xFF #\x100 #\x10FFFF
        "" "ascii" "Latin-1: é" "λ and 😀" (make-string 300 #\x3BB)
        'sym (string->symbol "") (string->symbol "with space") 'λ
        (vector) (vector 1 "a" #(b)) #vu8() #vu8(0 255)
        (list 1) (cons 1 2) (iota 1000) (cons* 1 2 3)
        (make-point 1 '(2)) point))

(test-group "every type round trips"
  (for-each (lambda (x)
              (test-assert (format #f "~s" x) (fasl-equal? x (round-trip x))))
            samples)
  (test-assert "all at once" (fasl-equal? samples (round-trip samples)))
  (test-assert "flonum bits kept (NaN payload)"
    (= #x7FF8000000000001
       (flonum-bits (round-trip (bits->flonum #x7FF8000000000001)))))
  (test-assert "-0.0 kept" (eqv? -0.0 (round-trip -0.0)))
  (test-equal "read strings are mutable" "xbc"
    (let ((s (round-trip "abc"))) (string-set! s 0 #\x) s)))

(test-equal "encoded bytevectors survive collections"
  (list (iota 100000) (make-bytevector 100000 1))
  ;; fasl-encode may return a view of its own, larger buffer.
  (let ((a (fasl-encode (iota 100000)))
        (b (fasl-encode (make-bytevector 100000 1))))
    (gc)
    (make-list 1000000 'garbage)
    (gc)
    (list (fasl-decode a) (fasl-decode b))))

(test-group "integer boundaries"
  (define (tag x) (integer->char (bytevector-u8-ref (fasl-encode x) 6)))
  (test-equal "2^60-1 is a FASL fixnum" #\I (tag (- (expt 2 60) 1)))
  (test-equal "-2^60 is a FASL fixnum" #\I (tag (- (expt 2 60))))
  (test-equal "2^60 is a bignum (a Guile fixnum)" #\b (tag (expt 2 60)))
  (test-equal "-2^60-1 is a bignum" #\b (tag (- -1 (expt 2 60))))
  (test-equal "2^62 is a bignum" #\b (tag (expt 2 62))))

(define (record-mutator-y! r v) (struct-set! r 1 v))

(test-group "sharing and cycles"
  (let* ((s (string #\s))
         (l (list 1 2))
         (v (vector 0 0))
         (h (make-eq-hashtable))
         (r (make-point #f #f))
         (cyc (let ((p (list 1 2 3))) (set-cdr! (cddr p) p) p)))
    (vector-set! v 0 v)
    (vector-set! v 1 l)
    (hashtable-set! h 'self h)
    (hashtable-set! h 'l l)
    (record-mutator-y! r r)
    (let ((x (round-trip (list s s l l v h r cyc 1.5))))
      (test-assert "shared string" (eq? (list-ref x 0) (list-ref x 1)))
      (test-assert "shared list" (eq? (list-ref x 2) (list-ref x 3)))
      (test-assert "vector cycle" (eq? (list-ref x 4) (vector-ref (list-ref x 4) 0)))
      (test-assert "vector shares the list" (eq? (list-ref x 2)
                                                 (vector-ref (list-ref x 4) 1)))
      (test-assert "hashtable cycle"
        (eq? (list-ref x 5) (hashtable-ref (list-ref x 5) 'self #f)))
      (test-assert "hashtable shares the list"
        (eq? (list-ref x 2) (hashtable-ref (list-ref x 5) 'l #f)))
      (test-assert "record cycle" (eq? (list-ref x 6) (struct-ref (list-ref x 6) 1)))
      (test-assert "cyclic list" (eq? (list-ref x 7) (cdddr (list-ref x 7))))
      (test-assert "whole structure" (fasl-equal? (list s s l l v h r cyc 1.5) x))))
  (test-equal "marks are numbered in output order" "(1 2 3)"
    ;; ((a . #0=(b)) #1=c #0# #1# ...) : first marks in the order written.
    (let* ((b (list 'b))
           (bytes (fasl-encode (list (cons 'a b) 'c b 'c 'a)))
           (marks '()))
      (do ((i 6 (+ i 1))) ((>= i (bytevector-length bytes)))
        (when (= (bytevector-u8-ref bytes i) (char->integer #\>))
          (set! marks (cons (bytevector-u8-ref bytes (+ i 1)) marks))))
      (format #f "~a" (reverse marks)))))

(test-group "sharing in big data (counted in bitmaps past 4096 objects)"
  (let* ((strings (list-tabulate 10000 number->string))
         (v (list->vector (append strings (reverse strings) (list 'end))))
         (cyc (let ((l (iota 5000))) (set-cdr! (last-pair l) l) l))
         (x (list v cyc v (list-tail cyc 2500))))
    (test-assert "round trip keeps every sharing" (fasl-equal? x (round-trip x)))
    ;; The reader refuses marks out of sequence: reading back proves
    ;; the writer numbered them 1, 2, 3, ... in output order.
    (test-assert "the strings are shared, not copied"
      (let ((y (round-trip x)))
        (eq? (vector-ref (car y) 0) (vector-ref (car y) 19999))))))

(test-equal "empty bytevectors (one object in Guile) are never marked"
  (string-append "2340494B30326C01760000000000000000"
                 "7600000000000000004E")
  (bytevector->hex (fasl-encode (list (make-bytevector 0) (make-bytevector 0)))))

(test-group "gensyms"
  (let ((g (make-symbol "g")))
    (test-assert "round trip gives the same symbol" (eq? g (round-trip g)))
    (test-equal "the same unique name on every write" (fasl-encode g)
      (fasl-encode g))
    (test-equal "written as G" #\G
      (integer->char (bytevector-u8-ref (fasl-encode g) 6)))
    (test-assert "Guile's gensym is interned: written as M"
      (eqv? (char->integer #\M) (bytevector-u8-ref (fasl-encode (gensym)) 6)))))

(test-group "hashtables"
  (let ((eqt (make-eq-hashtable)) (eqvt (make-eqv-hashtable)))
    (for-each (lambda (k) (hashtable-set! eqt k (list k))) '(a b c d e))
    (for-each (lambda (k) (hashtable-set! eqvt k (* 2 k))) '(1 2.5 3/4 100000))
    (test-assert "eq table, 5 entries" (fasl-equal? eqt (round-trip eqt)))
    (test-assert "eqv table, 4 entries" (fasl-equal? eqvt (round-trip eqvt)))
    (test-equal "eqv table is eqv" 5.0 (hashtable-ref (round-trip eqvt) 2.5 #f))
    (test-assert "duplicate keys are refused"
      (fasl-read-error?
       (catch-condition
        (lambda ()
          (fasl-decode
           (hex->bytevector
            (string-append "2340494B3032685602000000000000004D73010000000000000061"
                           "4D730100000000000000615602000000000000004908000000"
                           "000000004910000000000000")))))))))

(test-group "Ikarus struct types (R) read as record types"
  (let* ((hex (string-append
               "2340494B30327B0200000000000000523E01000000730300000000000000737074"
               "473C01000000731000000000000000"
               "30313233343536373839616263646566"
               "02000000000000004D730100000000000000614D7301000000000000006249"
               "0800000000000000491000000000000000"))
         (x (fasl-decode (hex->bytevector hex))))
    (test-equal "fields" '(1 2) (list (struct-ref x 0) (struct-ref x 1)))
    (test-equal "type name" 'spt (record-type-name (struct-vtable x)))
    (test-equal "field names" '(a b) (record-type-fields (struct-vtable x)))
    (test-assert "the same type on a second read"
      (eq? (struct-vtable x) (struct-vtable (fasl-decode (hex->bytevector hex)))))))

(test-group "exact non-real complex numbers read as inexact"
  (define (decode hex) (fasl-decode (hex->bytevector hex)))
  (test-eqv "1+2i" 1.0+2.0i
    (decode "2340494B303269490800000000000000491000000000000000"))
  (test-eqv "1/2-3i" 0.5-3.0i
    (decode "2340494B3032697249100000000000000049080000000000000049E8FFFFFFFFFFFFFF"))
  (test-eqv "mixed exactness (Vicare) 1+2.0i" 1.0+2.0i
    (decode "2340494B303269490800000000000000660000000000000040"))
  (test-raises-who "exact zero imaginary part" fasl-read-error? 'fasl-decode
    (decode "2340494B303269490800000000000000490000000000000000")))

;;; -------------------------------------------------------- not writable

(define-record-type <srfi9> (make-srfi9 a) srfi9? (a srfi9-a))

(test-group "data built in place (src/layout.c)"
  ;; The reader builds strings and bignums itself once it has checked
  ;; Guile's layout at load time; on this Guile the check must pass.
  (test-equal "every layout is in use"
    '((strings . #t) (bignums . #t) (vectors . #t) (thread-lists . #t)
      (ports . #t))
    ((@ (vicare-compat primitives) %vc-layout-status)))
  ;; Small data take their objects from the free lists of the thread
  ;; that decodes; what one call leaves there serves the next ones and
  ;; the thread's own allocations, across collections.
  (let* ((data (list 1 "two" 'three 4.0 #vu8(5 6 7) (iota 10)
                     (vector "x" (expt 2 70) 2.5)))
         (bytes (fasl-encode data))
         (decode-many
          (lambda ()
            (let loop ((i 0) (kept '()))
              (if (= i 20000)
                  (begin (gc) (every (lambda (x) (equal? x data)) kept))
                  (loop (+ i 1)
                        (let ((x (fasl-decode bytes)))
                          (if (zero? (modulo i 97)) (cons x kept) kept))))))))
    (test-assert "small data decoded many times, kept across collections"
      (decode-many))
    (test-equal "the same in two new threads at once" '(#t #t)
      (map join-thread (list (call-with-new-thread decode-many)
                             (call-with-new-thread decode-many)))))
  (let ((narrow (round-trip (string #\c #\a #\f #\xe9)))
        (wide (round-trip (string #\a #\x3bb #\x1f600 #\z)))
        (empty (round-trip "")))
    (test-equal "narrow string" (string #\c #\a #\f #\xe9) narrow)
    (test-equal "wide string" (string #\a #\x3bb #\x1f600 #\z) wide)
    (test-assert "empty string" (and (string? empty) (string-null? empty)))
    (string-set! narrow 0 #\Z)
    (string-set! wide 1 #\x1f601)
    (test-equal "a read narrow string is mutable"
      (string #\Z #\a #\f #\xe9) narrow)
    (test-equal "a read wide string is mutable"
      (string #\a #\x1f601 #\x1f600 #\z) wide)
    (test-equal "substring, append, symbol of read strings"
      (list "af" (string #\Z #\a #\f #\xe9 #\a #\x1f601 #\x1f600 #\z)
            (string->symbol (string #\Z #\a #\f #\xe9)))
      (list (substring narrow 1 3) (string-append narrow wide)
            (string->symbol narrow))))
  (let ((vectors (round-trip (map (lambda (n) (make-vector n n)) (iota 10)))))
    (test-equal "vectors of 0 to 9 elements"
      (map (lambda (n) (make-vector n n)) (iota 10)) vectors)
    (for-each (lambda (v) (unless (zero? (vector-length v))
                            (vector-set! v 0 'changed)))
              vectors)
    (test-equal "read vectors are mutable"
      (map (lambda (n) (if (zero? n) #() (let ((v (make-vector n n)))
                                           (vector-set! v 0 'changed)
                                           v)))
           (iota 10))
      vectors))
  (let ((shared (round-trip (let ((s "same")) (vector s s)))))
    (string-set! (vector-ref shared 0) 0 #\S)
    (test-equal "a shared string stays one object" "Same"
      (vector-ref shared 1)))
  (let* ((ints (append-map (lambda (bits)
                               (let ((b (expt 2 bits)))
                                 (list b (- b) (+ b 12345) (- -12345 b)
                                       (- (* 2 b) 1))))
                             '(61 63 64 70 127 128 200 511 512 600 4100)))
         (read (round-trip ints)))
    (test-equal "bignums of 1 to 65 limbs, both signs" ints read)
    (test-equal "read bignums compute as Guile's"
      (map (lambda (x) (list (* x 3) (+ x 1) (quotient x 7) (number->string x 16)
                             (exact->inexact x) (logand x #xffff)))
           ints)
      (map (lambda (x) (list (* x 3) (+ x 1) (quotient x 7) (number->string x 16)
                             (exact->inexact x) (logand x #xffff)))
           read))
    (test-assert "read bignums are eqv? and equal? to Guile's, hash alike"
      (every (lambda (a b) (and (eqv? a b) (equal? a b)
                                (= (hash a 1000003) (hash b 1000003))))
             ints read))))

(test-group "not fasl-writable"
  (for-each
   (lambda (x)
     (test-raises (format #f "~s" x) assertion-violation? 'fasl-write (list x)
       (fasl-write (list 1 "before" x) (open-bytevector-output-port)))
     (test-equal (format #f "nothing written for ~s" x) #vu8()
       (port-bytes (lambda (p)
                     (catch-condition (lambda () (fasl-write (vector 1 x) p)))))))
   (list car (lambda () 1) (current-output-port) %null-pointer #:key
         (make-hash-table) (make-srfi9 1) <srfi9>
         (make-hashtable (lambda (x) 0) equal?) (f64vector 1.0) #nil
         (make-variable 1) (make-parameter 1)))
  (test-raises "fasl-encode says its name" assertion-violation? 'fasl-encode
    (list car) (fasl-encode car)))

;;; --------------------------------------------------------------- threads

(test-equal "two threads encoding and decoding at once" '(#t #t)
  (let* ((data (list (iota 20000) (make-string 1000 #\λ) (make-eq-hashtable)
                     (make-symbol "shared-gensym")))
         (work (lambda ()
                 (let loop ((i 0) (ok #t))
                   (if (= i 30)
                       ok
                       (loop (+ i 1)
                             (and ok (fasl-equal? data (round-trip data)))))))))
    (let ((a (make-thread work)) (b (make-thread work)))
      (list (join-thread a) (join-thread b)))))

(test-end "fasl")
