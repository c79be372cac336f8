;;; guile.scm -- time our FASL codec and Guile's write/read on the datasets.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later
;;;
;;; Usage: pre-inst-env guile bench/fasl/guile.scm RUNS [DATASET...]
;;; Prints one line per measurement:
;;;   RESULT IMPL DATASET OP ENCODED-BYTES MEDIAN-SECONDS
;;; IMPL: ours-bv (fasl-encode/fasl-decode), ours-port (fasl-write/fasl-read
;;; on bytevector ports), guile-text (write/read on string ports).

(use-modules (vicare-compat fasl)
             (ice-9 format)
             ((rnrs io ports)
              #:select (open-bytevector-output-port open-bytevector-input-port))
             (srfi srfi-1))

(include "datasets.scm")

(define (now) (get-internal-real-time))
(define (seconds t0 t1) (exact->inexact (/ (- t1 t0) internal-time-units-per-second)))

(define (median xs)
  (let ((s (sort xs <)) (n (length xs)))
    (if (odd? n)
        (list-ref s (quotient n 2))
        (/ (+ (list-ref s (- (quotient n 2) 1)) (list-ref s (quotient n 2))) 2))))

(define (timed runs thunk)
  ;; (values median-seconds last-result); a full collection before each run
  ;; so that no run pays for the garbage of the one before.
  (let loop ((i 0) (times '()) (result #f))
    (if (= i runs)
        (values (median times) result)
        (begin
          (gc)
          (let* ((t0 (now)) (r (thunk)) (t1 (now)))
            (loop (+ i 1) (cons (seconds t0 t1) times) r))))))

(define (report impl dataset op bytes secs)
  (format #t "RESULT ~a ~a ~a ~a ~,6f~%" impl dataset op bytes secs)
  (force-output))

(define (bench-codec impl dataset obj runs encode decode size)
  (call-with-values (lambda () (timed runs (lambda () (encode obj))))
    (lambda (wsecs encoded)
      (report impl dataset 'write (size encoded) wsecs)
      (call-with-values (lambda () (timed runs (lambda () (decode encoded))))
        (lambda (rsecs decoded)
          (report impl dataset 'read (size encoded) rsecs))))))

(define (port-encode obj)
  (call-with-values open-bytevector-output-port
    (lambda (port get) (fasl-write obj port) (get))))

(define (port-decode bv) (fasl-read (open-bytevector-input-port bv)))

(define (text-encode obj)
  (call-with-output-string (lambda (port) (write obj port))))

(define (text-decode s) (call-with-input-string s read))

(let* ((args (cdr (command-line)))
       (runs (string->number (car args)))
       (names (if (null? (cdr args)) dataset-names (map string->symbol (cdr args)))))
  (for-each
   (lambda (name)
     (let ((obj (make-dataset name)))
       (bench-codec 'ours-bv name obj runs fasl-encode fasl-decode bytevector-length)
       (bench-codec 'ours-port name obj runs port-encode port-decode bytevector-length)
       (bench-codec 'guile-text name obj runs text-encode text-decode
                    (lambda (s) (string-utf8-length s)))))
   names))
