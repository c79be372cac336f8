;;; fasl-record-types.scm -- record types read from FASL: identity and memory.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Commentary:
;;;
;;; A W entry reads through make-record-type-descriptor, which registers
;;; every nongenerative type by uid in `prefab-record-types' of module
;;; (guile).  (vicare-compat fasl-support) makes that table weak, so that
;;; input naming ever new uids does not grow memory forever, while a type
;;; that is still referenced keeps its identity.  The inputs here are a
;;; template encoding whose uid digits are rewritten: the test itself
;;; holds none of the types it makes that way.  Last, two threads read
;;; the same new uids at once and must get the same types.
;;;
;;; Code:

(use-modules (test-suite harness)
             (test-suite fasl-util)
             (vicare-compat fasl)
             (rnrs bytevectors)
             (ice-9 threads)
             ((rnrs records procedural)
              #:select (make-record-type-descriptor record-predicate
                        record-accessor))
             ((rnrs records syntactic)
              #:select ((define-record-type . define-r6rs-record-type)
                        record-type-descriptor)))

(test-begin "fasl-record-types")

;;; ------------------------------------------------------------- inputs

(define uid-prefix "vc-test-fresh-uid-")
(define uid-digits 7)

(define (fresh-uid i)
  "The uid number I of the inputs below."
  (let ((n (number->string i)))
    (string->symbol
     (string-append uid-prefix
                    (make-string (- uid-digits (string-length n)) #\0) n))))

(define (make-fresh-type uid)
  (make-record-type-descriptor 'vc-test-fresh #f uid #f #f '#((mutable a))))

;; The encoding of a record of field 42 whose type has uid number 0, and
;; where that uid's characters start in it.
(define template
  (let ((rtd (make-fresh-type (fresh-uid 0))))
    (fasl-encode ((record-constructor rtd) 42))))
(define template-uid-offset
  (bytevector-search template
                     (string->utf8 (symbol->string (fresh-uid 0)))))

(define (fresh-input i)
  "FASL bytes of a record (field 42) of the type of uid number I."
  (let ((bv (bytevector-copy template))
        (uid (string->utf8 (symbol->string (fresh-uid i)))))
    (bytevector-copy! uid 0 bv template-uid-offset (bytevector-length uid))
    bv))

(define (prefab-table)
  (variable-ref (module-variable (resolve-module '(guile))
                                 'prefab-record-types)))

(define (fresh-uid-entries)
  "The number of entries of the uid table for the uids of this test."
  (hash-fold (lambda (uid rtd n)
               (if (string-prefix? uid-prefix (symbol->string uid)) (+ n 1) n))
             0 (prefab-table)))

(define (collect!)
  (gc) (gc) (gc))

(test-assert "the template names the uid" template-uid-offset)

;;; ------------------------------------------------------------ identity

(define first-record (fasl-decode (fresh-input 1)))

(test-group "a type is kept while it is referenced"
  (test-equal "field" 42 ((record-accessor (struct-vtable first-record) 0)
                          first-record))
  (test-eq "uid" (fresh-uid 1) (record-type-uid (struct-vtable first-record)))
  (collect!)
  (test-eq "a second read gives the same type" (struct-vtable first-record)
    (struct-vtable (fasl-decode (fresh-input 1))))
  (let ((rtd (make-fresh-type (fresh-uid 1))))
    (test-eq "make-record-type-descriptor afterwards gives the same type"
      (struct-vtable first-record) rtd)
    (test-assert "the record read earlier satisfies its predicate"
      ((record-predicate rtd) first-record))))

(define type-made-first (make-fresh-type (fresh-uid 2)))

(test-group "a type made before reading"
  (collect!)
  (let ((r (fasl-decode (fresh-input 2))))
    (test-eq "records read are of that type" type-made-first (struct-vtable r))
    (test-assert "its predicate" ((record-predicate type-made-first) r))))

(define incompatible-type
  (make-record-type-descriptor 'vc-test-fresh #f (fresh-uid 3) #f #f
                               '#((mutable a) (mutable b))))

(test-group "an incompatible type under a live uid"
  (collect!)
  (test-raises-who "read error" fasl-read-error? 'fasl-decode
    (fasl-decode (fresh-input 3)))
  (test-equal "the live type is unchanged" '(a b)
    (record-type-fields incompatible-type)))

;;; ---------------------------------------------------------- the table

(test-group "the uid table of module (guile) is weak"
  (test-assert "a hash table" (hash-table? (prefab-table)))
  (test-assert "with weak values" (weak-value-hash-table? (prefab-table)))
  (let ((rtd (make-fresh-type (fresh-uid 4))))
    (test-eq "make-record-type-descriptor registers types in it" rtd
      (hashq-ref (prefab-table) (fresh-uid 4))))
  (test-assert "loading the module again keeps the same table"
    (let ((table (prefab-table)))
      (reload-module (resolve-module '(vicare-compat fasl-support)))
      (eq? table (prefab-table))))
  (let ((before (fresh-uid-entries)))
    (do ((i 100 (+ i 1))) ((= i 1100))
      (make-fresh-type (fresh-uid i)))
    (collect!)
    (test-assert "1000 types made and dropped are gone"
      (< (- (fresh-uid-entries) before) 100))))

(define (nongenerative-rtd)
  (define-r6rs-record-type vc-test-thing (fields a)
    (nongenerative vc-test-thing-uid))
  (record-type-descriptor vc-test-thing))

(test-group "R6RS define-record-type with nongenerative"
  (test-assert "twice: the same type" (eq? (nongenerative-rtd)
                                           (nongenerative-rtd)))
  (test-eq "its uid" 'vc-test-thing-uid (record-type-uid (nongenerative-rtd))))

;;; -------------------------------------------------------------- memory

(define inputs 20000)

(define (decode-fresh-inputs! from)
  (do ((i from (+ i 1))) ((= i (+ from inputs)))
    (fasl-decode (fresh-input i))))

(test-group "reading fresh uids does not grow memory forever"
  (decode-fresh-inputs! 10000)
  (collect!)
  (let ((entries (fresh-uid-entries))
        (heap (assq-ref (gc-stats) 'heap-size)))
    (format #t "~a types read, ~a kept~%" inputs entries)
    (test-assert "types read and dropped are gone"
      (< entries (quotient inputs 10)))
    (decode-fresh-inputs! 100000)
    (collect!)
    (let ((growth (- (assq-ref (gc-stats) 'heap-size) heap)))
      (format #t "~a more types read: the heap grew by ~a bytes~%"
              inputs growth)
      (test-assert "as many more read: the heap does not grow"
        (< growth (* 4 1024 1024))))))

;;; ------------------------------------------------------------- threads

(define (read-types from)
  "The types of the records of uids FROM, FROM+1, ... read in turn."
  (let ((types (make-vector inputs)))
    (do ((i 0 (+ i 1))) ((= i inputs) types)
      (vector-set! types i (struct-vtable (fasl-decode (fresh-input (+ from i))))))))

(test-group "two threads reading the same new uids"
  (let* ((a (call-with-new-thread (lambda () (read-types 200000))))
         (b (call-with-new-thread (lambda () (read-types 200000))))
         (a (join-thread a))
         (b (join-thread b)))
    (test-equal "get the same types" 0
      (let loop ((i 0) (different 0))
        (if (= i inputs)
            different
            (loop (+ i 1) (if (eq? (vector-ref a i) (vector-ref b i))
                              different
                              (+ different 1))))))))

(test-end "fasl-record-types")

;;; fasl-record-types.scm ends here
