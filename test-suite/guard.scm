;;; guard.scm -- tests of (vicare-compat guard), R6RS's guard as Vicare
;;; runs it, and of which guard each module gives.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

(use-modules (test-suite harness)
             (vicare-compat guard)
             ((vicare-compat)
              #:select (with-unwind-protection unwind-protect
                        pointer-ref-c-uint8 null-pointer))
             ((rnrs exceptions)
              #:select (raise raise-continuable with-exception-handler)
              #:renamer (symbol-prefix-proc 'r6rs:))
             ((rnrs conditions) #:select (assertion-violation? condition-who)))

(test-begin "guard")


(define (traced thunk)
  ;; THUNK inside a dynamic-wind that records its entries and exits.
  (dynamic-wind (lambda () (event! 'in)) thunk (lambda () (event! 'out))))

(define param (make-parameter 'outer))

(test-group "R6RS 7.1: the clauses run after unwinding"
  ;; Then, a clause chosen, the extent is re-entered and left for good
  ;; (Vicare's order, so that unwind-protect cleanups run).
  (test-equal "a clause's test runs after the after-thunk" '(caught (in out test in out))
    (recording
     (lambda ()
       (guard (e ((begin (event! 'test) #t) 'caught))
         (traced (lambda () (r6rs:raise 'boom)))))))
  (test-equal "the test and the body see the guard's parameterization"
    '((outer outer) ())
    (recording
     (lambda ()
       (let ((seen #f))
         (guard (e ((begin (set! seen (param)) #t) (list seen (param))))
           (parameterize ((param 'inner))
             (r6rs:raise 'boom)))))))
  (test-equal "Guile's own guard tests before unwinding (the difference)"
    '(caught (in test out))
    (recording
     (lambda ()
       ((@ (rnrs exceptions) guard)
        (e ((begin (event! 'test) #t) 'caught))
        (traced (lambda () (r6rs:raise 'boom))))))))

(test-group "R6RS 7.1: no clause matches"
  (test-equal "re-raised in the dynamic environment of the raise"
    ;; Out to the middle guard, back in to re-raise, out to the outer
    ;; guard, back in, out for good.
    '((handled inner) (in out in out in out))
    (recording
     (lambda ()
       (guard (outer (#t outer))
         (guard (e ((string? e) 'no))
           (parameterize ((param 'inner))
             (traced (lambda ()
                       (r6rs:with-exception-handler
                        (lambda (c) (r6rs:raise (list 'handled (param))))
                        (lambda ()
                          (guard (e ((string? e) 'no))
                            (r6rs:raise 'boom))))))))))))
  (test-equal "raise-continuable: an outer handler's value returns to the raise"
    43
    (r6rs:with-exception-handler
     (lambda (e) 42)
     (lambda ()
       (guard (e ((string? e) 'no))
         (+ 1 (r6rs:raise-continuable 'c))))))
  (test-equal "an error raised by C code is re-raised too (re-entry across C)"
    '((outer pointer-ref-c-uint8) (in out in out in out))
    (recording
     (lambda ()
       (let ((r (guard (e ((assertion-violation? e) (condition-who e)))
                  (guard (e ((string? e) 'inner))
                    (traced (lambda ()
                              (pointer-ref-c-uint8 (null-pointer) 0)))))))
         (list 'outer r))))))

(test-group "clauses"
  (test-equal "else, =>, a test alone, several values from the body"
    '(else 42 (b . 23) (1 2))
    (list (guard (e ((string? e) 'no) (else 'else)) (r6rs:raise 'x))
          (guard (e ((assq 'a e) => cdr) ((assq 'b e))) (r6rs:raise '((a . 42))))
          (guard (e ((assq 'a e) => cdr) ((assq 'b e))) (r6rs:raise '((b . 23))))
          (call-with-values (lambda () (guard (e (#t 0)) (values 1 2))) list)))
  (test-equal "the guard leaves no state behind: nested and repeated use" 1000
    (let loop ((i 0) (n 0))
      (if (= i 1000)
          n
          (loop (+ i 1)
                (+ n (guard (e ((eqv? e i) 1))
                       (guard (e ((string? e) 0)) (r6rs:raise i)))))))))

(test-group "with unwind-protect, as in Vicare"
  (test-equal "a chosen clause: the extent is re-entered, then left with the cleanup"
    '(caught (in out test in out cleanup body))
    (recording
     (lambda ()
       (guard (e ((begin (event! 'test) #t) (event! 'body) 'caught))
         (with-unwind-protection
             (lambda (why) (event! 'cleanup))
           (lambda () (traced (lambda () (r6rs:raise 'boom)))))))))
  (test-equal "the cleanup's why is exception" 'exception
    (let ((why #f))
      (guard (e (#t why))
        (with-unwind-protection (lambda (w) (set! why w))
          (lambda () (r6rs:raise 'boom))))))
  (test-equal "no clause, and an outer handler returns: the cleanup runs once, when the body returns"
    '(43 (cleanup-after-body))
    ;; The guard unwinds to test its clauses and re-enters to re-raise: no
    ;; cleanup then.  The outer handler's value returns to the raise, and
    ;; the cleanup runs once, when unwind-protect's body returns.
    (let ((events '()))
      (let ((r (r6rs:with-exception-handler
                (lambda (e) 42)
                (lambda ()
                  (guard (e ((string? e) 'no))
                    (unwind-protect
                        (let ((v (+ 1 (r6rs:raise-continuable 'c))))
                          (set! events (cons 'body-returned events))
                          v)
                      (set! events
                        (cons (if (memq 'body-returned events)
                                  'cleanup-after-body
                                  'cleanup-before-body)
                              events))))))))
        (list r (filter (lambda (e) (not (eq? e 'body-returned)))
                        (reverse events)))))))

(test-group "which guard each module gives"
  (test-eq "(vicare) exports this guard"
    (module-variable (resolve-interface '(vicare-compat guard)) 'guard)
    (module-variable (resolve-interface '(vicare)) 'guard))
  (test-assert "(vicare-compat) exports no guard: Guile's stays in use"
    (not (module-variable (resolve-interface '(vicare-compat)) 'guard)))
  (test-equal "the guard's internal fluid is exported by no public module" '()
    (filter (lambda (m)
              (module-variable (resolve-interface m) '%guard-unwinding))
            '((vicare) (vicare language-extensions syntaxes) (vicare-compat)
              (vicare-compat language-extensions syntaxes)
              (vicare-compat guard)))))

(test-end "guard")
