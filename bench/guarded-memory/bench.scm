;;; bench.scm -- one cell of the guarded-memory benchmark, in its own process.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later
;;;
;;; (main '(_ CASE N)) runs the loop of CASE N times and prints
;;; "ns-per-call peak-rss-mb rss-after-gc-mb":
;;;   guarded    (guarded-malloc 1024), the finalizers left to Guile
;;;   no-thread  the same with Guile's automatic finalization turned off
;;;              (a finalizer thread that never catches up)
;;;   malloc     (free (malloc 1024)), the cost without a finalizer

(define-module (bench guarded-memory)
  #:use-module (vicare-compat)
  #:use-module (system foreign)
  #:use-module (ice-9 rdelim)
  #:export (main))

(define (status-mb key)
  (call-with-input-file "/proc/self/status"
    (lambda (port)
      (let loop ()
        (let ((line (read-line port)))
          (if (string-prefix? key line)
              (/ (string->number (cadr (string-tokenize line))) 1024.0)
              (loop)))))))

(define set-automatic-finalization!
  (pointer->procedure int
                      (dynamic-func "scm_set_automatic_finalization_enabled"
                                    (dynamic-link))
                      (list int)))

(define (guarded-loop n)
  (do ((i 0 (+ i 1))) ((= i n)) (guarded-malloc 1024)))

(define (malloc-loop n)
  (do ((i 0 (+ i 1))) ((= i n)) (free (malloc 1024))))

(define (main args)
  (let ((case (string->symbol (cadr args)))
        (n (string->number (caddr args))))
    (when (eq? case 'no-thread)
      (set-automatic-finalization! 0))
    (let ((t0 (get-internal-real-time)))
      (if (eq? case 'malloc) (malloc-loop n) (guarded-loop n))
      (let ((t1 (get-internal-real-time)))
        (gc)
        (format #t "~a ~a ~a~%"
                (exact->inexact (/ (- t1 t0) n))
                (status-mb "VmHWM:") (status-mb "VmRSS:"))))))
