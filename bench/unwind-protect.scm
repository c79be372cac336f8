;;; unwind-protect.scm -- the cost of unwind-protect against dynamic-wind,
;;; and of Vicare's parameterize against Guile's.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later
;;;
;;; Run from a build directory:
;;;   ./pre-inst-env guile ../bench/unwind-protect.scm
;;; Prints the median of 5 runs, in nanoseconds per iteration, and the
;;; ratios against the plain Guile construct measured in the same run.
;;; The exception path of unwind-protect walks the stack twice (to tell a
;;; guard's unwind from a plain continuation); the normal path does not.

(use-modules (ice-9 format)
             (vicare-compat language-extensions syntaxes)
             ((vicare-compat parameters) #:prefix vicare:)
             ((rnrs exceptions) #:select (guard raise-continuable)))

(define (median-ns n thunk)
  (let ((runs (map (lambda (_)
                     (let ((t0 (get-internal-real-time)))
                       (thunk n)
                       (- (get-internal-real-time) t0)))
                   (iota 5))))
    (/ (* 1e9 (list-ref (sort runs <) 2))
       internal-time-units-per-second n)))

(define dw
  (median-ns 200000
             (lambda (n)
               (do ((i 0 (+ i 1))) ((= i n))
                 (dynamic-wind (lambda () #f) (lambda () i) (lambda () #f))))))
(define up
  (median-ns 200000
             (lambda (n) (do ((i 0 (+ i 1))) ((= i n)) (unwind-protect i #f)))))
(define gr
  (median-ns 20000
             (lambda (n)
               (do ((i 0 (+ i 1))) ((= i n))
                 (guard (e (#t #f)) (raise-continuable 'x))))))
(define gup
  (median-ns 20000
             (lambda (n)
               (do ((i 0 (+ i 1))) ((= i n))
                 (guard (e (#t #f)) (unwind-protect (raise-continuable 'x) #f))))))

(define param (make-parameter 0))
(define gp
  (median-ns 200000
             (lambda (n) (do ((i 0 (+ i 1))) ((= i n)) (parameterize ((param i)) (param))))))
(define vp
  (median-ns 200000
             (lambda (n)
               (do ((i 0 (+ i 1))) ((= i n)) (vicare:parameterize ((param i)) (param))))))

(format #t "dynamic-wind, normal return       ~8,0f ns~%" dw)
(format #t "unwind-protect, normal return     ~8,0f ns  (x~,1f)~%" up (/ up dw))
(format #t "guard + raise                     ~8,0f ns~%" gr)
(format #t "guard + unwind-protect + raise    ~8,0f ns  (x~,1f)~%" gup (/ gup gr))
(format #t "Guile's parameterize              ~8,0f ns~%" gp)
(format #t "Vicare's parameterize             ~8,0f ns  (x~,1f)~%" vp (/ vp gp))
