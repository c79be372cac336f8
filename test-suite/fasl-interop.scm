;;; fasl-interop.scm -- FASL interoperability with the real peer, Ikarus.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Commentary:
;;;
;;; A seeded random generator describes thousands of nested data over every
;;; type the codec handles -- (), booleans, eof, unspecified, fixnums at the
;;; 61/62-bit edges, bignums, ratnums, flonums by exact bit pattern (-0.0,
;;; infinities, NaNs with either sign), inexact complex numbers, chars and
;;; strings across the c/C and s/S boundaries, symbols, gensyms, pairs and
;;; lists of every l/L/P shape, vectors, bytevectors, nongenerative R6RS
;;; records (with a sealed child type), eq and eqv hashtables -- with
;;; sharing and cycles.  A description is a plain s-expression that both
;;; Guile and Ikarus (test-suite/fasl-peer.ss) turn into the same datum, so
;;; the generator exists once.  Then, with one Ikarus process per direction:
;;;
;;;   (a) Ikarus writes every datum; we decode each one and compare it with
;;;       our own build (fasl-equal?: same shape, same sharing -- a
;;;       bijection between the objects of both graphs -- hashtables by
;;;       contents, flonums by bits);
;;;   (b) we encode every datum; Ikarus reads each one, prints it with
;;;       print-graph and compares with its own build; it then re-encodes
;;;       what it read, and we decode and compare that too;
;;;   (c) our bytes equal Ikarus's bytes for every datum without a
;;;       hashtable of more than one entry (entry order is implementation
;;;       defined).  NaNs are included: both sides build them from the same
;;;       bits.
;;;
;;; FASL_INTEROP_SEED and FASL_INTEROP_COUNT override the seed and the
;;; number of data; FASL_IKARUS names the ikarus program.  Without ikarus
;;; every test here is reported as skipped.
;;;
;;; Description format, one per line:
;;;   (datum VALUE (NODE ...))       nodes are numbered from 0
;;;   VALUE: (n) (t) (f) (eof) (void) (int N) (char CODEPOINT) (r NODE-INDEX)
;;;   NODE:  (pair VALUE VALUE) (vector VALUE ...) (string CP ...) (bytes B ...)
;;;          (flo BITS) (big N) (rat N D) (cplx BITS BITS) (sym CP ...)
;;;          (gensym (CP ...) (CP ...)) (rec TYPE VALUE ...)
;;;          (eqht (KEY VALUE) ...) (eqvht (KEY VALUE) ...)
;;; A node referenced twice is one shared object; a container may refer
;;; to itself or to an ancestor.  Inline values are never shared.
;;;
;;; Code:

(use-modules (test-suite harness)
             (test-suite fasl-util)
             (vicare-compat fasl)
             (rnrs bytevectors)
             ((rnrs records syntactic)
              #:select ((define-record-type . define-r6rs-record-type)))
             ((rnrs hashtables)
              #:select (make-eq-hashtable make-eqv-hashtable hashtable-set!))
             (srfi srfi-1)
             (ice-9 match)
             (ice-9 rdelim)
             (ice-9 format)
             ((ice-9 ftw) #:select (scandir)))

(test-begin "fasl-interop")

;;; ------------------------------------------------------------ the types

;; The same three types as fasl-peer.ss: uids, mutability, parent and
;; sealedness must agree for the W records to be byte-identical.
(define-r6rs-record-type fi-pair (fields (mutable x) (mutable y))
  (nongenerative fi-pair-uid))
(define-r6rs-record-type fi-triple (parent fi-pair) (fields (mutable z))
  (nongenerative fi-triple-uid) (sealed #t))
(define-r6rs-record-type fi-leaf (fields a b) (nongenerative fi-leaf-uid))

;;; ----------------------------------------------------------- randomness

;; A 64-bit LCG (Knuth's MMIX constants): the same seed gives the same data
;; on every Guile version.
(define (make-rng seed)
  (let ((state (logand (+ seed #x9E3779B97F4A7C15) #xFFFFFFFFFFFFFFFF)))
    (define (next!)                     ; 40 good bits
      (set! state (logand (+ (* state 6364136223846793005)
                             1442695040888963407)
                          #xFFFFFFFFFFFFFFFF))
      (ash state -24))
    (lambda (n)                         ; an integer in [0, n)
      (let loop ((acc (next!)) (bits 40))
        (if (< bits (+ 8 (integer-length n)))
            (loop (+ (ash acc 40) (next!)) (+ bits 40))
            (modulo acc n))))))

(define seed
  (or (and=> (getenv "FASL_INTEROP_SEED") string->number) 20261126))
(define count
  (or (and=> (getenv "FASL_INTEROP_COUNT") string->number) 2000))

;;; ------------------------------------------------------------ generator

(define interesting-integers
  (let ((e expt))
    (list 0 1 -1 7 -8 255 256 65535 (- (e 2 31)) (e 2 32)
          (- (e 2 60) 1) (- (e 2 60)) (e 2 60) (- -1 (e 2 60))
          (- (e 2 61) 1) (- (e 2 61)) (e 2 61) (- -1 (e 2 61))
          (e 2 62) (- (e 2 63) 1) (e 2 63) (- (e 2 63)) (e 2 64) (- (e 2 64))
          (e 10 30) (- (e 3 100)))))

(define interesting-flonum-bits
  '(#x0000000000000000 #x8000000000000000           ; 0.0, -0.0
    #x7FF0000000000000 #xFFF0000000000000           ; +inf.0, -inf.0
    #x7FF8000000000000 #xFFF8000000000000           ; Guile's and Ikarus's NaN
    #x7FF8000000000123                              ; a NaN with payload
    #x3FF8000000000000 #xC006000000000000           ; 1.5, -2.75
    #x0000000000000001 #x7FEFFFFFFFFFFFFF))         ; subnormal, greatest

(define symbol-names '("a" "b" "abc" "hello world" "λ" "" "x1" "point"))
(define gensym-names '(("g" "fi-u-1") ("foo" "fi-u-2") ("p" "fi-u-3")))

(define (string->codepoints s) (map char->integer (string->list s)))

(define (generate-description rng)
  "Return a random datum description (see the commentary)."
  (define nodes (make-hash-table))     ; index -> node
  (define n-nodes 0)
  ;; Guile has a single empty bytevector, so it cannot tell one shared
  ;; empty bytevector from several: the writer never marks it, and the
  ;; data here never share one.
  (define unshareable (make-hash-table))
  (define named '())                    ; (key . index): symbols, gensyms
  (define (chance k) (zero? (rng k)))
  (define (pick lst) (list-ref lst (rng (length lst))))
  (define (new-node! node)
    ;; Containers get their node (#f at first) after their children, so
    ;; that a child can refer to its ancestor.
    (hashv-set! nodes n-nodes node)
    (set! n-nodes (+ n-nodes 1))
    (- n-nodes 1))
  (define (set-node! i node) (hashv-set! nodes i node))

  (define (random-integer)
    (case (rng 4)
      ((0) (pick interesting-integers))
      ((1) (- (rng 2001) 1000))
      ((2) (- (rng (expt 2 61)) (expt 2 60)))
      (else (let ((big (rng (expt 2 (+ 1 (rng 300))))))
              (if (chance 2) (- big) big)))))
  (define (random-codepoint ascii?)
    (if ascii?
        (rng 128)
        (case (rng 4)
          ((0) (rng 256))
          ((1) (+ 256 (rng (- #xD800 256))))
          ((2) (+ #xE000 (rng (- #x10000 #xE000))))
          (else (+ #x10000 (rng #x100000))))))
  (define (random-flonum-bits)
    (if (chance 2)
        (pick interesting-flonum-bits)
        (rng (expt 2 64))))
  (define (immediate)
    (case (rng 8)
      ((0) '(n)) ((1) '(t)) ((2) '(f)) ((3) '(eof)) ((4) '(void))
      ((5) `(char ,(random-codepoint (chance 2))))
      (else `(int ,(random-integer)))))

  (define (named-node key node)
    (or (assoc-ref named key)
        (let ((i (new-node! node)))
          (set! named (acons key i named))
          i)))
  (define (leaf)
    ;; A fresh leaf node; returns its index.
    (case (rng 8)
      ((0) (let ((ascii? (chance 2)))
             (new-node!
                        `(string ,@(map (lambda (_) (random-codepoint ascii?))
                                        (iota (rng 9)))))))
      ((1) (let* ((n (rng 12))
                  (i (new-node! `(bytes ,@(map (lambda (_) (rng 256)) (iota n))))))
             (when (zero? n) (hashv-set! unshareable i #t))
             i))
      ((2) (new-node! `(flo ,(random-flonum-bits))))
      ((3) ;; heap integers in both systems: at least 2^62 in magnitude
       (new-node! `(big ,(* (if (chance 2) 1 -1)
                                 (+ (expt 2 62) (rng (expt 2 (+ 1 (rng 200)))))))))
      ((4) (new-node! `(rat ,(random-integer) ,(+ 2 (rng (expt 2 (+ 1 (rng 100))))))))
      ((5) (new-node! `(cplx ,(random-flonum-bits) ,(random-flonum-bits))))
      ((6) (let ((name (pick symbol-names)))
             (named-node (cons 'sym name)
                         `(sym ,@(string->codepoints name)))))
      (else (let ((g (pick gensym-names)))
              (named-node (cons 'gensym (cadr g))
                          `(gensym ,(string->codepoints (car g))
                                   ,(string->codepoints (cadr g))))))))
  (define (leaf-value)
    (if (chance 3) (immediate) `(r ,(leaf))))

  (define (hash-key eqv? used)
    ;; A key that no other key of the table equals.
    (let loop ((tries 0))
      (let ((k (case (rng (if eqv? 4 3))
                 ((0) `(int ,(- (rng 2001) 1000)))
                 ((1) `(char ,(random-codepoint #f)))
                 ((2) (let ((name (pick symbol-names)))
                        `(r ,(named-node (cons 'sym name)
                                         `(sym ,@(string->codepoints name))))))
                 (else `(r ,(new-node! `(big ,(+ (expt 2 62) (rng 1000)))))))))
        (if (and (member k used) (< tries 10))
            (loop (+ tries 1))
            k))))

  (define (value depth)
    (cond
     ((and (> n-nodes 0) (chance 8))    ; sharing, and cycles via ancestors
      (let ((i (rng n-nodes)))
        (if (hashv-ref unshareable i) '(n) `(r ,i))))
     ((or (>= depth 5) (chance 3)) (leaf-value))
     (else
      (case (rng 7)
        ((0 1) (list-chain depth))
        ((2) (let* ((i (new-node! #f))
                    (n (rng 6)))
               (set-node! i `(vector ,@(map (lambda (_) (value (+ depth 1)))
                                            (iota n))))
               `(r ,i)))
        ((3) (let ((i (new-node! #f)))
               (set-node! i
                          (case (rng 3)
                            ((0) `(rec fi-pair ,(value (+ depth 1))
                                       ,(value (+ depth 1))))
                            ((1) `(rec fi-triple ,(value (+ depth 1))
                                       ,(value (+ depth 1)) ,(value (+ depth 1))))
                            ;; immutable fields: built before the containers
                            (else `(rec fi-leaf ,(leaf-value) ,(leaf-value)))))
               `(r ,i)))
        ((4) (let* ((eqv? (chance 2))
                    (i (new-node! #f))
                    (n (rng 4)))
               (let loop ((k 0) (used '()) (entries '()))
                 (if (= k n)
                     (set-node! i `(,(if eqv? 'eqvht 'eqht) ,@(reverse entries)))
                     (let ((key (hash-key eqv? used)))
                       (if (member key used)
                           (loop (+ k 1) used entries)
                           (loop (+ k 1) (cons key used)
                                 (cons (list key (value (+ depth 1)))
                                       entries))))))
               `(r ,i)))
        (else (leaf-value))))))

  (define (list-chain depth)
    ;; A chain of pairs of a length that exercises P, l and L.
    (let* ((len (case (rng 6)
                  ((0) 1) ((1) 2) ((2) (+ 3 (rng 10)))
                  ((3) (+ 250 (rng 10)))  ; around the l/L boundary
                  (else (+ 1 (rng 5)))))
           (long? (> len 20))
           (first (new-node! #f)))
      (let loop ((i first) (k 1))
        (let ((car (if long? `(int ,(rng 100)) (value (+ depth 1)))))
          (if (= k len)
              (set-node! i `(pair ,car ,(if (chance 4) (value (+ depth 1)) '(n))))
              (let ((next (new-node! #f)))
                (set-node! i `(pair ,car (r ,next)))
                (loop next (+ k 1))))))
      `(r ,first)))

  (let ((root (value 0)))
    `(datum ,root ,(map (lambda (i) (hashv-ref nodes i)) (iota n-nodes)))))

(define (description-refs form)
  ;; The node indices that FORM refers to.
  (match form
    (('r i) (list i))
    ((a . b) (append (description-refs a) (description-refs b)))
    (_ '())))

(define (description-ikarus-writable? d)
  ;; Ikarus 0.0.3's fasl-write loops forever on a hashtable that can reach
  ;; itself (it registers the table only after walking its entries), so
  ;; such data go to Ikarus's reader only.
  (match d
    (('datum _ node-list)
     (let* ((nodes (list->vector node-list))
            (n (vector-length nodes))
            (children (list->vector (map description-refs node-list))))
       (define (reaches? from target)
         (let ((seen (make-vector n #f)))
           (let loop ((todo (vector-ref children from)))
             (cond ((null? todo) #f)
                   ((= (car todo) target) #t)
                   ((vector-ref seen (car todo)) (loop (cdr todo)))
                   (else (vector-set! seen (car todo) #t)
                         (loop (append (vector-ref children (car todo))
                                       (cdr todo))))))))
       (not (any (lambda (i)
                   (and (memq (car (vector-ref nodes i)) '(eqht eqvht))
                        (reaches? i i)))
                 (iota n)))))))

(define (description-byte-comparable? d)
  ;; No hashtable with more than one entry.
  (match d
    (('datum _ nodes)
     (every (lambda (n)
              (not (and (memq (car n) '(eqht eqvht)) (> (length (cdr n)) 1))))
            nodes))))

;;; ------------------------------------------------------------- builder

(define (fasl-string-bytes cps)
  ;; The FASL encoding of a string object: s or S, as Ikarus picks.
  (let* ((n (length cps))
         (ascii? (every (lambda (c) (< c 128)) cps))
         (bv (make-bytevector (+ 9 (* n (if ascii? 1 4))) 0)))
    (bytevector-u8-set! bv 0 (char->integer (if ascii? #\s #\S)))
    (bytevector-u64-set! bv 1 n (endianness little))
    (let loop ((cps cps) (i 9))
      (unless (null? cps)
        (if ascii?
            (bytevector-u8-set! bv i (car cps))
            (bytevector-u32-set! bv i (car cps) (endianness little)))
        (loop (cdr cps) (+ i (if ascii? 1 4)))))
    bv))

(define (gensym-from pretty unique)
  ;; Guile has no reader syntax for a gensym with a given unique name: let
  ;; the codec make it, as it would when reading Ikarus's data.
  (fasl-decode
   (bytevector-concatenate
    (list (string->utf8 "#@IK02") (u8-list->bytevector (list (char->integer #\G)))
          (fasl-string-bytes pretty) (fasl-string-bytes unique)))))

(define (bytevector-concatenate bvs)
  (let* ((n (apply + (map bytevector-length bvs)))
         (out (make-bytevector n)))
    (let loop ((bvs bvs) (i 0))
      (if (null? bvs)
          out
          (begin (bytevector-copy! (car bvs) 0 out i (bytevector-length (car bvs)))
                 (loop (cdr bvs) (+ i (bytevector-length (car bvs)))))))))

(define leaf-kinds '(string bytes flo big rat cplx sym gensym))

(define (fresh-integer n)
  ;; The descriptions hold some bignums more than once (the same object):
  ;; each use must be a distinct object, as it is in Ikarus.
  (if (<= most-negative-fixnum n most-positive-fixnum) n (- (+ n 1) 1)))

(define (build-datum d)
  (match d
    (('datum root node-list)
     (let* ((nodes (list->vector node-list))
            (objs (make-vector (vector-length nodes) #f)))
       (define (ref v)
         (match v
           (('n) '()) (('t) #t) (('f) #f) (('eof) the-eof-object)
           (('void) *unspecified*)
           (('int n) (fresh-integer n))
           (('char c) (integer->char c))
           (('r i) (vector-ref objs i))))
       (define (leaf n)
         (match n
           (('string . cps) (list->string (map integer->char cps)))
           (('bytes . bs) (u8-list->bytevector bs))
           (('flo bits) (bits->flonum bits))
           (('big n) (fresh-integer n))
           (('rat n d) (/ n d))
           (('cplx re im) (make-rectangular (bits->flonum re) (bits->flonum im)))
           (('sym . cps) (string->symbol (list->string (map integer->char cps))))
           (('gensym pretty unique) (gensym-from pretty unique))))
       (define (allocate n)
         (match n
           (('pair . _) (cons #f #f))
           (('vector . vs) (make-vector (length vs) #f))
           (('rec 'fi-pair . _) (make-fi-pair #f #f))
           (('rec 'fi-triple . _) (make-fi-triple #f #f #f))
           (('rec 'fi-leaf a b) (make-fi-leaf (ref a) (ref b)))
           (('eqht . _) (make-eq-hashtable))
           (('eqvht . _) (make-eqv-hashtable))))
       (define (fill! o n)
         (match n
           (('pair a b) (set-car! o (ref a)) (set-cdr! o (ref b)))
           (('vector . vs)
            (for-each (lambda (i v) (vector-set! o i (ref v)))
                      (iota (length vs)) vs))
           (('rec 'fi-pair x y) (fi-pair-x-set! o (ref x)) (fi-pair-y-set! o (ref y)))
           (('rec 'fi-triple x y z)
            (fi-pair-x-set! o (ref x)) (fi-pair-y-set! o (ref y))
            (fi-triple-z-set! o (ref z)))
           (('rec 'fi-leaf . _) #f)
           (((or 'eqht 'eqvht) . entries)
            (for-each (match-lambda ((k v) (hashtable-set! o (ref k) (ref v))))
                      entries))))
       (define (each proc)
         (do ((i 0 (+ i 1))) ((= i (vector-length nodes)))
           (proc i (vector-ref nodes i))))
       (each (lambda (i n) (when (memq (car n) leaf-kinds)
                             (vector-set! objs i (leaf n)))))
       (each (lambda (i n) (unless (memq (car n) leaf-kinds)
                             (vector-set! objs i (allocate n)))))
       (each (lambda (i n) (unless (memq (car n) leaf-kinds)
                             (fill! (vector-ref objs i) n))))
       (ref root)))))

;;; ----------------------------------------------------------- plumbing

(define (read-lines file)
  (call-with-input-file file
    (lambda (port)
      (let loop ((acc '()))
        (let ((line (read-line port)))
          (if (eof-object? line) (reverse acc) (loop (cons line acc))))))))

(define (write-lines file lines)
  (call-with-output-file file
    (lambda (port) (for-each (lambda (l) (display l port) (newline port)) lines))))

;; The ikarus program: FASL_IKARUS (a file name, or a command looked up in
;; PATH), else "ikarus" in PATH.  ikarus-missing says why there is none.
(define (find-program name)
  (if (string-index name #\/)
      (and (file-exists? name) (access? name X_OK) name)
      (search-path (parse-path (or (getenv "PATH") "")) name)))

(define ikarus
  (find-program (or (getenv "FASL_IKARUS") "ikarus")))

(define ikarus-missing
  (if (getenv "FASL_IKARUS")
      (format #f "FASL_IKARUS is ~s, which is not an executable program"
              (getenv "FASL_IKARUS"))
      "ikarus is not installed (not in PATH; FASL_IKARUS names another)"))

(define peer-script
  (string-append (or (getenv "abs_top_srcdir") ".") "/test-suite/fasl-peer.ss"))

(define tmp-prefix
  (format #f "~a/fasl-interop-~a-"
          (or (getenv "TMPDIR") "/tmp") (getpid)))

(define (call-with-temporary-files files thunk)
  ;; Call THUNK; then delete those of FILES that exist, however it exits.
  (dynamic-wind
    (lambda () #t)
    thunk
    (lambda ()
      (for-each (lambda (f) (when (file-exists? f) (delete-file f))) files))))

(define (run-peer . args)
  (let ((status (apply system* ikarus "--r6rs-script" peer-script args)))
    (unless (zero? status)
      (error "fasl-peer.ss failed" args status))))

;;; ---------------------------------------------------------------- tests

(define (check-batch rng first n)
  "Generate N descriptions (numbered from FIRST), run both directions
through Ikarus, and return five lists of failures, one per test of
interop-tests (the last holds the counts of replies that went missing)."
  (let* ((all (map (lambda (_) (generate-description rng)) (iota n)))
         (numbers (iota n first))
         (writable? (map description-ikarus-writable? all))
         (keep (lambda (lst) (filter-map (lambda (x w) (and w x)) lst writable?)))
         (writable (keep all))
         (specs (string-append tmp-prefix "specs"))
         (writable-specs (string-append tmp-prefix "writable-specs"))
         (ikarus-hex (string-append tmp-prefix "ikarus-hex"))
         (our-hex (string-append tmp-prefix "our-hex"))
         (results (string-append tmp-prefix "results")))
    (define (differs? d bv)
      ;; #f, or why the decoded BV is not the datum D describes.
      (let ((r (catch #t
                 (lambda () (fasl-equal? (build-datum d) (fasl-decode bv)))
                 (lambda (key . args) (list 'raised key args)))))
        (and (not (eq? r #t)) (or r 'not-fasl-equal))))
    (log-coverage! all)
    (call-with-temporary-files (list specs writable-specs ikarus-hex our-hex results)
     (lambda ()
       (write-lines specs (map object->string all))
       (write-lines writable-specs (map object->string writable))
       (run-peer "write" writable-specs ikarus-hex)
       (let* ((theirs (map hex->bytevector (read-lines ikarus-hex)))
              (ours (map (lambda (d) (fasl-encode (build-datum d))) all)))
         (write-lines our-hex (map (lambda (bv w)
                                     (string-append (bytevector->hex bv) (if w " 1" " 0")))
                                   ours writable?))
         (run-peer "read" specs our-hex results)
         (let ((replies (read-lines results)))
           (list
            ;; (a) Ikarus writes, we read.
            (filter-map (lambda (i d bv) (let ((why (differs? d bv))) (and why (list i d why))))
                        (keep numbers) writable theirs)
            ;; (b) we write, Ikarus reads and prints.
            (filter-map (lambda (i d reply)
                          (and (not (string-prefix? "ok " reply)) (list i d reply)))
                        numbers all replies)
            ;; (b') ... and writes back, we read.
            (filter-map (lambda (i d reply)
                          (and (string-prefix? "ok " reply) (not (string=? reply "ok -"))
                               (let ((why (differs? d (hex->bytevector (substring reply 3)))))
                                 (and why (list i d why)))))
                        numbers all replies)
            ;; (c) the same bytes.
            (filter-map (lambda (i d our their)
                          (and (description-byte-comparable? d)
                               (not (bytevector=? our their))
                               (list i d (bytevector->hex our) (bytevector->hex their))))
                        (keep numbers) writable (keep ours) theirs)
            (if (and (= (length theirs) (length writable)) (= (length replies) n))
                '()
                (list (list first (length writable) (length theirs) n (length replies)))))))))))

(define coverage (make-hash-table))

(define (log-coverage! descriptions)
  ;; Count, for the log, the node kinds generated and the data that share
  ;; an object or that Ikarus cannot write.
  (define (bump! key) (hashq-set! coverage key (+ 1 (hashq-ref coverage key 0))))
  (for-each
   (lambda (d)
     (match d
       (('datum root nodes)
        (for-each (lambda (n) (bump! (car n))) nodes)
        (let ((refs (make-hash-table)))
          (for-each (lambda (i) (hashv-set! refs i (+ 1 (hashv-ref refs i 0))))
                    (description-refs (cons root nodes)))
          (when (any (lambda (i) (> (hashv-ref refs i 0) 1)) (iota (length nodes)))
            (bump! 'data-with-sharing)))
        (unless (description-ikarus-writable? d)
          (bump! 'data-with-self-reaching-hashtable)))))
   descriptions))

(define (first-failures failures)
  ;; Keep the log readable: the count and the first three failures.
  (if (null? failures)
      '()
      (cons (length failures) (take failures (min 3 (length failures))))))

(define interop-tests
  '("ikarus writes, we read: same graphs"
    "we write, ikarus reads: same printed graphs"
    "we write, ikarus reads and writes back, we read: same graphs"
    "byte-identical to ikarus (no multi-entry hashtables)"
    "every datum went through both directions"))

;; Data are checked in batches, one pair of Ikarus processes per batch:
;; Guile's collector slows down a lot when all of them stay alive at once.
(define batch-size 500)

(if (not ikarus)
    (for-each (lambda (name) (skip-test name ikarus-missing))
              interop-tests)
    (let ((rng (make-rng seed)))
      (format #t "seed ~a, ~a data~%" seed count)
      (let loop ((first 0) (failures (map (const '()) interop-tests)))
        (if (< first count)
            (loop (+ first batch-size)
                  (map append failures
                       ;; A peer that fails fails every test, with why.
                       (catch #t
                         (lambda ()
                           (check-batch rng first (min batch-size (- count first))))
                         (lambda (key . args)
                           (map (const (list (list 'batch first key args)))
                                interop-tests)))))
            (begin
              (format #t "generated: ~a~%"
                      (sort (hash-map->list cons coverage)
                            (lambda (a b) (string<? (symbol->string (car a))
                                                    (symbol->string (car b))))))
              (for-each (lambda (name failures)
                          (test-equal name '() (first-failures failures)))
                        interop-tests failures))))))

;; This file with a peer that is missing or that fails, run in a child
;; process with its own TMPDIR: a missing peer is five skips with the
;; reason, a failing one five failures, and neither leaves a file behind.
(unless (getenv "FASL_INTEROP_NESTED")
  (let ((self (string-append (or (getenv "abs_top_srcdir") ".")
                             "/test-suite/fasl-interop.scm")))
    (define (run-with-peer peer)
      ;; The lines of the child's output that report a test, its exit
      ;; code, and the files it left in its TMPDIR.
      (let* ((dir (mkdtemp (string-append (or (getenv "TMPDIR") "/tmp")
                                          "/fasl-interop-self-XXXXXX")))
             (out+status
              (call-with-values
                  (lambda ()
                    (run-program "env" "-u" "VC_TEST_TRS"
                                 "FASL_INTEROP_NESTED=1" "FASL_INTEROP_COUNT=20"
                                 (string-append "FASL_IKARUS=" peer)
                                 (string-append "TMPDIR=" dir)
                                 "guile" "--no-auto-compile"
                                 "-L" (or (getenv "abs_top_srcdir") ".") self))
                list))
             (left (scandir dir (lambda (f) (not (member f '("." "..")))))))
        (for-each (lambda (f) (delete-file (string-append dir "/" f))) left)
        (rmdir dir)
        (list (filter (lambda (line)
                        (or (string-prefix? "skipping " line)
                            (string-prefix? "FAIL: " line)))
                      (string-split (car out+status) #\newline))
              (cadr out+status)
              left)))
    (let ((missing (run-with-peer "/nonexistent/ikarus")))
      (test-equal "a missing peer: every test skipped, with the reason"
        (length interop-tests)
        (length (filter (lambda (line)
                          (string-contains line "\"/nonexistent/ikarus\", which is not an executable program"))
                        (car missing))))
      (test-equal "a missing peer: the file passes" 0 (cadr missing))
      (test-equal "a missing peer: no file left" '() (caddr missing)))
    (let ((failing (run-with-peer "false")))
      (test-equal "a failing peer: every test fails"
        (length interop-tests)
        (length (filter (lambda (line) (string-prefix? "FAIL: " line))
                        (car failing))))
      (test-equal "a failing peer: no temporary file left" '() (caddr failing)))))

(test-end "fasl-interop")
