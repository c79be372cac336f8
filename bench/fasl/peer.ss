;;; peer.ss -- time Ikarus's or Chez Scheme's fasl-write/fasl-read on the
;;; benchmark datasets.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later
;;;
;;; This is the body of an R6RS top-level program without its import form,
;;; which differs: bench/fasl/run prepends (import (ikarus)) or
;;; (import (chezscheme)) (fasl-compressed #f) -- Chez compresses by
;;; default; the other codecs do not, and these regular datasets would make
;;; LZ4 numbers meaningless.  Neither system has a common include.
;;;
;;; Arguments: IMPL RUNS [DATASET...]; prints
;;;   RESULT IMPL DATASET OP ENCODED-BYTES MEDIAN-SECONDS
;;; lines, as guile.scm does; the datasets are those of datasets.scm.

(define (make-dataset name)
  (case name
    ((D1) (let loop ((i 999999) (acc '()))
            (if (< i 0) acc (loop (- i 1) (cons (mod (* i 7) 1000003) acc)))))
    ((D2) (let ((v (make-vector 200000)))
            (do ((i 0 (+ i 1))) ((= i 200000) v)
              (vector-set! v i (string-append "item-" (number->string i))))))
    ((D3) (let ((v (make-vector 500000)))
            (do ((i 0 (+ i 1))) ((= i 500000) v)
              (vector-set! v i (/ i 3.0)))))
    ((D4) (let loop ((i 99999) (acc '()))
            (if (< i 0)
                acc
                (loop (- i 1)
                      (cons (vector i (string-append "name-" (number->string i))
                                    (string->symbol
                                     (string-append "sym-" (number->string (mod i 100))))
                                    (list i (+ i 1)) 1.5)
                            acc)))))
    ((D5) (let* ((n (* 64 1024 1024))
                 (bv (make-bytevector n)))
            (do ((i 0 (+ i 1))) ((= i n) bv)
              (bytevector-u8-set! bv i (mod i 251)))))
    ((D6) (let loop ((i 199999) (acc '()))
            (if (< i 0) acc (loop (- i 1) (cons (+ (expt 2 70) i) acc)))))))

(define (now)
  (let ((t (current-time)))
    (+ (time-second t) (/ (time-nanosecond t) 1e9))))

(define (median xs)
  (let ((s (list-sort < xs)) (n (length xs)))
    (if (odd? n)
        (list-ref s (div n 2))
        (/ (+ (list-ref s (- (div n 2) 1)) (list-ref s (div n 2))) 2))))

(define (timed runs thunk)
  (let loop ((i 0) (times '()) (result #f))
    (if (= i runs)
        (values (median times) result)
        (begin
          (collect)
          (let* ((t0 (now)) (r (thunk)) (t1 (now)))
            (loop (+ i 1) (cons (- t1 t0) times) r))))))

(define impl (cadr (command-line)))

(define (report dataset op bytes secs)
  (for-each display (list "RESULT " impl " " dataset " " op " " bytes " " secs))
  (newline))

(define (encode obj)
  (let-values (((port get) (open-bytevector-output-port)))
    (fasl-write obj port)
    (get)))

(define (decode bv) (fasl-read (open-bytevector-input-port bv)))

(let* ((args (cddr (command-line)))
       (runs (string->number (car args)))
       (names (if (null? (cdr args))
                  '(D1 D2 D3 D4 D5 D6)
                  (map string->symbol (cdr args)))))
  (for-each
   (lambda (name)
     (let ((obj (make-dataset name)))
       (let-values (((wsecs bv) (timed runs (lambda () (encode obj)))))
         (report name 'write (bytevector-length bv) wsecs)
         (let-values (((rsecs x) (timed runs (lambda () (decode bv)))))
           (report name 'read (bytevector-length bv) rsecs)))))
   names))
