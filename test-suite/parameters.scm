;;; parameters.scm -- tests of (vicare-compat parameters): Vicare's
;;; make-parameter and parameterize.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

(use-modules (test-suite harness)
             ((vicare-compat parameters) #:prefix vicare:))

(test-begin "parameters")

(define (counting-guard calls)
  ;; A guard that doubles its value and records it in the box CALLS.
  (lambda (x) (set-car! calls (cons x (car calls))) (* 2 x)))

(test-group "make-parameter"
  (test-equal "the guard is not applied to the initial value (Vicare)" '(1 ())
    (let* ((calls (list '())) (p (vicare:make-parameter 1 (counting-guard calls))))
      (list (p) (car calls))))
  (test-equal "(p value) applies the guard and returns no values" '(() 6 (3))
    (let* ((calls (list '())) (p (vicare:make-parameter 1 (counting-guard calls))))
      (let ((returned (call-with-values (lambda () (p 3)) list)))
        (list returned (p) (car calls)))))
  (test-equal "(p value #f) sets without the guard" '(7 ())
    (let* ((calls (list '())) (p (vicare:make-parameter 1 (counting-guard calls))))
      (p 7 #f)
      (list (p) (car calls))))
  (test-assert "the result is a Guile parameter"
    (parameter? (vicare:make-parameter 1)))
  (test-argument "a guard that is not a procedure"
    'make-parameter 2 'procedure? 5 (vicare:make-parameter 1 5)))

(test-group "parameterize"
  (test-equal "binds in the body, restores after; the guard applied once"
    '((20 5) (10))
    (let* ((calls (list '())) (p (vicare:make-parameter 1 (counting-guard calls))))
      (p 5 #f)
      (let ((inside (vicare:parameterize ((p 10)) (p))))
        (list (list inside (p)) (car calls)))))
  (test-equal "Guile's parameterize binds Vicare's parameters through the guard"
    '(4 1)
    (let ((p (vicare:make-parameter 1 (lambda (x) (* 2 x)))))
      (list (parameterize ((p 2)) (p)) (p))))
  (test-equal "Guile's own parameters, with their converter"
    '("out" 3)
    (let* ((q (make-parameter 1 (lambda (x) (+ x 1))))
           (port (open-output-string)))
      (list (vicare:parameterize ((current-output-port port)) (display "out")
              (get-output-string port))
            (vicare:parameterize ((q 2)) (q)))))
  (test-equal "the body may define; parametrise and parameterise too"
    '(3 3 3)
    (let ((p (vicare:make-parameter 0)))
      (list (vicare:parameterize ((p 1)) (define x (+ (p) 2)) x)
            (vicare:parametrise ((p 1)) (define x (+ (p) 2)) x)
            (vicare:parameterise ((p 1)) (define x (+ (p) 2)) x))))
  (test-equal "all values are evaluated before the first is set" '(0 (1 1))
    (let ((a (vicare:make-parameter 0)) (b (vicare:make-parameter 0)))
      (list (a)
            (vicare:parameterize ((a 1) (b (+ (a) 1))) (list (a) (b))))))
  (test-equal "restored when the body raises" '(caught 1)
    (let ((p (vicare:make-parameter 1)))
      (list (catch #t (lambda () (vicare:parameterize ((p 2)) (throw 'x)))
              (lambda _ 'caught))
            (p))))
  (test-argument "a value that is not a procedure"
    'parameterize 2 'procedure? 5
    (let ((p (vicare:make-parameter 1)))
      (vicare:parameterize ((p 1) (5 2)) #t))))

;; Vicare's protocol for a procedure that is not a parameter: (p) gives the
;; value, (p value guard?) sets it, guarded when guard? is true.
(define (protocol-procedure value log)
  (case-lambda
    (() value)
    ((x guard?)
     (set-car! log (cons (list x guard?) (car log)))
     (set! value (if guard? (* 10 x) x)))))

(test-group "parameterize of other procedures, Vicare's protocol"
  (test-equal "set on entry through the guard, set back on exit without it"
    '((30 1) ((1 #f) (3 #t)))
    (let* ((log (list '())) (p (protocol-procedure 1 log)))
      (list (list (vicare:parameterize ((p 3)) (p)) (p))
            (car log))))
  (test-equal "mixed with parameters, each bound its way" '((2 20) (1 1))
    (let* ((log (list '())) (proc (protocol-procedure 1 log))
           (p (vicare:make-parameter 1 (lambda (x) (* 2 x)))))
      (list (vicare:parameterize ((p 1) (proc 2)) (list (p) (proc)))
            (list (p) (proc)))))
  ;; Outside, the value is set to 99; re-entering swaps 30 in, and leaving
  ;; again swaps the 99 back.
  (test-equal "swapped again on re-entry, guard not applied again"
    '((30 99 30) 99 ((99 #f) (30 #f) (99 #f) (1 #f) (3 #t)))
    (let* ((log (list '())) (p (protocol-procedure 1 log))
           (seen '()) (k #f))
      (vicare:parameterize ((p 3))
        (call/cc (lambda (c) (set! k c)))
        (set! seen (cons (p) seen)))
      (when (< (length seen) 2)
        (p 99 #f)
        (set! seen (cons (p) seen))
        (k #f))
      (list (reverse seen) (p) (car log)))))

(test-end "parameters")
