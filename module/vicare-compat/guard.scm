;;; (vicare-compat guard) -- R6RS's guard, in the order Vicare runs it.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Commentary:
;;;
;;; R6RS 7.1: the guard's clauses are evaluated with the continuation and
;;; dynamic environment of the guard; when none matches, raise-continuable
;;; is invoked again on the condition "within the dynamic environment of
;;; the original call to raise".  Guile's own guard (ice-9 exceptions)
;;; deliberately tests the clauses before unwinding.  This one unwinds
;;; first, as R6RS and Vicare do:
;;;
;;;   1. the exception handler captures its continuation (call/cc) and
;;;      aborts to the guard's prompt: dynamic-wind after-thunks run, but
;;;      no unwind-protection handler (the extent may be re-entered);
;;;   2. the clauses are tested there, in the guard's dynamic environment;
;;;   3. none matches: the handler's continuation is re-entered (before-
;;;      thunks run again) and the condition re-raised with
;;;      raise-continuable, in the dynamic environment of the raise;
;;;   4. a clause matches: as Vicare does, the handler's continuation is
;;;      re-entered and left again for good, so that the unwind-protection
;;;      handlers run (why = exception), then the clause's body is
;;;      evaluated in the guard's dynamic environment.
;;;
;;; The cost, paid only when an exception reaches the guard, is one
;;; full continuation and one re-entry.  Step 3 needs the continuation of
;;; the raise to be re-enterable: Guile refuses across a continuation
;;; barrier (a raise inside a C callback run by scm_with_guile, a
;;; finalizer), where the re-entry raises instead.
;;;
;;; Code:

(define-module (vicare-compat guard)
  #:use-module ((rnrs exceptions) #:select (raise-continuable))
  #:export (guard))

;; The flag with-unwind-protection reads; private to the syntaxes module.
(define %guard-unwinding
  (@@ (vicare-compat language-extensions syntaxes) %guard-unwinding))

(define (guard-call body dispatch)
  ;; BODY is the guard's body as a thunk.  DISPATCH is called with the
  ;; condition, SELECT and RERAISE; it tests the clauses and calls
  ;; (SELECT thunk), THUNK evaluating the chosen clause's body, or
  ;; (RERAISE).
  (let ((tag (make-prompt-tag 'guard)))
    (call-with-prompt tag
      (lambda ()
        (with-exception-handler
         (lambda (condition)
           ((call/cc
             (lambda (handler-k)
               (fluid-set! %guard-unwinding 'probe)
               (abort-to-prompt tag 'probe condition handler-k)))))
         body))
      (lambda (k kind . args)
        (fluid-set! %guard-unwinding #f)
        (case kind
          ((probe)
           (let ((condition (car args)) (handler-k (cadr args)))
             (dispatch condition
                       (lambda (clause-thunk)
                         (handler-k
                          (lambda ()
                            (fluid-set! %guard-unwinding 'exit)
                            (abort-to-prompt tag 'selected clause-thunk))))
                       (lambda ()
                         (handler-k
                          (lambda () (raise-continuable condition)))))))
          ((selected)
           ((car args))))))))

(define-syntax guard
  (lambda (stx)
    "(guard (var clause ...) body ...): R6RS's guard, the clauses tested
after unwinding to the guard, in its dynamic environment, as in Vicare."
    (syntax-case stx ()
      ((_ (var clause ...) body0 body ...)
       (identifier? #'var)
       #'(guard-call (lambda () body0 body ...)
                     (lambda (var select reraise)
                       (guard-clauses select reraise clause ...)))))))

(define-syntax guard-clauses
  (syntax-rules (else =>)
    ((_ select reraise)
     (reraise))
    ((_ select reraise (else e0 e ...))
     (select (lambda () e0 e ...)))
    ((_ select reraise (test => receiver) clause ...)
     (let ((t test))
       (if t
           (select (lambda () (receiver t)))
           (guard-clauses select reraise clause ...))))
    ((_ select reraise (test) clause ...)
     (let ((t test))
       (if t
           (select (lambda () t))
           (guard-clauses select reraise clause ...))))
    ((_ select reraise (test e0 e ...) clause ...)
     (if test
         (select (lambda () e0 e ...))
         (guard-clauses select reraise clause ...)))))
