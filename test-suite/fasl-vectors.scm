;;; fasl-vectors.scm -- the 92 encodings written by a real Ikarus, both ways.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; For each entry of test-suite/data/fasl-vectors.scm: decoding Ikarus's
;;; bytes gives the datum, and encoding the datum gives Ikarus's bytes.
;;; The data are the Guile translations of the Ikarus expressions in the
;;; comments of that file, in the same order.  Four kinds of entries
;;; cannot go both ways in Guile, and are checked for what we do instead:
;;; exact non-real complex numbers (Guile has none: they read as
;;; flonums), and a symbol next to its own name string (Guile's
;;; symbol->string is not the symbol's name object, so nothing is shared).

(use-modules (test-suite harness)
             (test-suite fasl-util)
             (vicare-compat)
             (rnrs bytevectors)
             (rnrs hashtables)
             (rnrs records procedural)
             ((rnrs io ports) #:select (eof-object))
             (srfi srfi-1))

(test-begin "fasl-vectors")

(define point
  (make-record-type-descriptor 'point #f 'point-uid-1 #f #f
                               '#((immutable x) (mutable y))))
(define make-point
  (record-constructor (make-record-constructor-descriptor point #f #f)))
(define point3
  (make-record-type-descriptor 'point3 point 'point3-uid-1 #t #f
                               '#((immutable z))))
(define make-point3
  (record-constructor (make-record-constructor-descriptor point3 #f #f)))

;; The gensyms of entries 60 and 61, as our reader maps them.
(define (gensym-of hex)
  (fasl-decode (hex->bytevector hex)))

(define (cyclic-list)
  (let ((p (list 1 2))) (set-cdr! (cdr p) p) p))

;; Each: (mode . thunk); mode both, complex (read as inexact) or unshared
;; (we write the same datum without the shared name).
(define expected
  (list
   (cons 'both (lambda () '()))
   (cons 'both (lambda () #t))
   (cons 'both (lambda () #f))
   (cons 'both (lambda () (eof-object)))
   (cons 'both (lambda () *unspecified*))
   (cons 'both (lambda () 0))
   (cons 'both (lambda () 1))
   (cons 'both (lambda () -1))
   (cons 'both (lambda () 255))
   (cons 'both (lambda () (expt 2 56)))
   (cons 'both (lambda () (- (expt 2 60) 1)))
   (cons 'both (lambda () (- (expt 2 60))))
   (cons 'both (lambda () (expt 2 60)))
   (cons 'both (lambda () (- -1 (expt 2 60))))
   (cons 'both (lambda () (- (expt 2 63) 1)))
   (cons 'both (lambda () (expt 2 63)))
   (cons 'both (lambda () (expt 2 64)))
   (cons 'both (lambda () (- (expt 2 64))))
   (cons 'both (lambda () (expt 10 30)))
   (cons 'both (lambda () (- (expt 3 100))))
   (cons 'both (lambda () 0.0))
   (cons 'both (lambda () -0.0))
   (cons 'both (lambda () +inf.0))
   (cons 'both (lambda () -inf.0))
   ;; Ikarus's NaN has the sign bit set; we keep any NaN's bits.
   (cons 'both (lambda () (bits->flonum #xFFF8000000000000)))
   (cons 'both (lambda () 1.5))
   (cons 'both (lambda () -2.75))
   (cons 'both (lambda () 1e300))
   (cons 'both (lambda () 5e-324))
   (cons 'both (lambda () 1/3))
   (cons 'both (lambda () -1/3))
   (cons 'both (lambda () (/ 1 (expt 2 70))))
   (cons 'both (lambda () (/ (- (expt 2 70)) 3)))
   (cons 'complex (lambda () (make-rectangular 1.0 2.0)))
   (cons 'complex (lambda () (make-rectangular 0.0 1.0)))
   (cons 'complex (lambda () (make-rectangular 0.5 -3.0)))
   (cons 'both (lambda () (make-rectangular 1.5 2.5)))
   (cons 'both (lambda () (make-rectangular -0.0 -inf.0)))
   (cons 'both (lambda () (integer->char 0)))
   (cons 'both (lambda () #\a))
   (cons 'both (lambda () (integer->char #x7F)))
   (cons 'both (lambda () (integer->char #x80)))
   (cons 'both (lambda () (integer->char #xFF)))
   (cons 'both (lambda () (integer->char #x100)))
   (cons 'both (lambda () (integer->char #x3BB)))
   (cons 'both (lambda () (integer->char #x1F600)))
   (cons 'both (lambda () (integer->char #x10FFFF)))
   (cons 'both (lambda () (string)))
   (cons 'both (lambda () (string-copy "hello")))
   (cons 'both (lambda () (string #\a #\" #\\ #\newline #\nul #\x7F)))
   (cons 'both (lambda () (string (integer->char #x80))))
   (cons 'both (lambda () (string #\c #\a #\f (integer->char #xE9))))
   (cons 'both (lambda () (string (integer->char #x1F600))))
   (cons 'both (lambda () (string #\a (integer->char #x3BB)
                                  (integer->char #x1F600))))
   (cons 'both (lambda () 'abc))
   (cons 'both (lambda () (string->symbol "")))
   (cons 'both (lambda () (string->symbol "hello world")))
   (cons 'both (lambda () (string->symbol "a|b\"c")))
   (cons 'both (lambda () (string->symbol (string (integer->char #x3BB)))))
   (cons 'both (lambda ()
                 (gensym-of "2340494B303247730300000000000000666F6F730600000000000000756E69712D31")))
   (cons 'both (lambda ()
                 (let ((g (gensym-of (string-append "2340494B3032477301000000000000006773"
                                                "0300000000000000752D32"))))
                   (list g g))))
   (cons 'both (lambda () (vector)))
   (cons 'both (lambda () (vector 1 2 3)))
   (cons 'both (lambda () (vector (vector 1) (vector) (string #\x))))
   (cons 'both (lambda () (make-bytevector 0)))
   (cons 'both (lambda () (u8-list->bytevector '(1 2 3))))
   (cons 'both (lambda () (u8-list->bytevector '(0 127 128 255))))
   (cons 'both (lambda () (list 1)))
   (cons 'both (lambda () (list 1 2)))
   (cons 'both (lambda () (list 1 2 3)))
   (cons 'both (lambda () (iota 256)))
   (cons 'both (lambda () (iota 257)))
   (cons 'both (lambda () (cons 1 2)))
   (cons 'both (lambda () (cons 1 (cons 2 3))))
   (cons 'both (lambda () (list 'a (list 'b 'c) (vector 'd))))
   (cons 'both (lambda () (let ((x (list 1 2))) (list x x))))
   (cons 'both (lambda () (list 'a 'a)))
   (cons 'both (lambda () (let ((s (string #\a #\b))) (vector s s))))
   (cons 'both (lambda () (let ((t (list 3 4))) (list (cons 1 t) (cons 2 t)))))
   (cons 'both (lambda () (let ((f (exact->inexact 3/2))) (list f f))))
   (cons 'both (lambda () (let ((b (expt 2 80))) (vector b b))))
   (cons 'unshared (lambda () (let ((s (string->symbol "abc")))
                                (list s (symbol->string s)))))
   (cons 'both cyclic-list)
   (cons 'both (lambda () (let ((p (list 1))) (set-car! p p) p)))
   (cons 'both (lambda () (let ((v (vector 1 2))) (vector-set! v 1 v) v)))
   (cons 'both (lambda () (make-eq-hashtable)))
   (cons 'both (lambda () (let ((h (make-eq-hashtable))) (hashtable-set! h 'a 1) h)))
   (cons 'both (lambda () (let ((h (make-eqv-hashtable)))
                            (hashtable-set! h 1.5 (string #\x)) h)))
   (cons 'both (lambda () point))
   (cons 'both (lambda () (make-point 1 2)))
   (cons 'both (lambda () (make-point3 1 2 3)))
   (cons 'both (lambda () (list (make-point 1 2) (make-point 3 4))))))

(define vectors (read-data-file "fasl-vectors.scm"))

(test-equal "92 vectors, 92 data" (list 92 92)
  (list (length vectors) (length expected)))

(for-each
 (lambda (entry exp index)
   (let* ((name (format #f "~a ~a" index (car entry)))
          (bytes (hex->bytevector (cadr entry)))
          (mode (car exp))
          (datum ((cdr exp))))
     (test-assert (string-append "read " name)
       (fasl-equal? datum (fasl-decode bytes)))
     (case mode
       ((both)
        (test-equal (string-append "write " name) (cadr entry)
          (bytevector->hex (fasl-encode datum))))
       ((complex)
        ;; Guile's complex numbers are written as i f f.
        (test-equal (string-append "write as inexact " name)
          (list #\i #\f)
          (let ((out (fasl-encode datum)))
            (list (integer->char (bytevector-u8-ref out 6))
                  (integer->char (bytevector-u8-ref out 7))))))
       ((unshared)
        (test-equal (string-append "write without sharing " name)
          (string-append "2340494B30326C014D730300000000000000616263"
                         "7303000000000000006162634E")
          (bytevector->hex (fasl-encode datum)))))))
 vectors expected (iota (length vectors) 1))

(test-group "gensyms keep their identity"
  (let ((hex "2340494B303247730300000000000000666F6F730600000000000000756E69712D31"))
    (test-assert "same symbol twice" (eq? (gensym-of hex) (gensym-of hex)))
    (test-assert "uninterned" (not (symbol-interned? (gensym-of hex))))
    (test-equal "pretty name" "foo" (symbol->string (gensym-of hex)))))

(test-group "records read into the very type"
  (test-assert "rtd eq?"
    (eq? point (fasl-decode (hex->bytevector (cadr (list-ref vectors 88))))))
  (test-assert "instance of point3"
    (eq? point3 (struct-vtable (fasl-decode (hex->bytevector
                                             (cadr (list-ref vectors 90))))))))

(test-assert "cyclic list reads as a cycle"
  (let ((x (fasl-decode (hex->bytevector (cadr (list-ref vectors 82))))))
    (eq? x (cddr x))))

(test-end "fasl-vectors")
