;;; (vicare-compat language-extensions syntaxes) -- Vicare's syntaxes.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Commentary:
;;;
;;; `unwind-protect' runs its cleanup at most once, when the extent of its
;;; body terminates: on a normal return, or when an exception raised in
;;; the body is caught by a handler that unwinds (Guile's `guard' tests
;;; its clauses first, then unwinds, so the cleanup runs after the clause
;;; test and before the clause body, as in Vicare).  It does not run when
;;; the process ends with `exit', nor when a plain continuation escapes
;;; from the body; re-entering the body after the cleanup has run raises
;;; &non-reinstatable.
;;;
;;; Code:

(define-module (vicare-compat language-extensions syntaxes)
  #:use-module ((rnrs conditions)
                #:select (condition make-who-condition make-message-condition
                          make-irritants-condition))
  #:use-module ((rnrs exceptions) #:select ((raise . r6rs-raise) raise-continuable))
  #:use-module (vicare-compat conditions)
  #:export (with-unwind-protection
            unwind-protect))

(define (raise-non-reinstatable)
  (r6rs-raise
   (condition (make-who-condition 'with-unwind-protection)
              (make-message-condition
               "attempt to reenter thunk with terminated dynamic extent")
              (make-non-reinstatable-violation)
              (make-irritants-condition '()))))

(define (with-unwind-protection handler thunk)
  "Call @var{thunk} and return its values.  When the dynamic extent of the
call terminates, call @code{(@var{handler} @var{why})} once, where
@var{why} is @code{return} or @code{exception}.  Exceptions raised by
@var{handler} are ignored."
  (define terminated? #f)
  ;; Set while an exception raised in THUNK is being handled outside it.
  (define pending-why #f)
  (define (terminate! why)
    (unless terminated?
      (set! terminated? #t)
      (with-exception-handler (lambda (e) #f)
        (lambda () (handler why))
        #:unwind? #t)))
  (dynamic-wind
    (lambda ()
      (when terminated?
        (raise-non-reinstatable)))
    (lambda ()
      (call-with-values
          (lambda ()
            (with-exception-handler
                (lambda (e)
                  ;; Pass the exception on; if an outer handler unwinds
                  ;; through us, the after-thunk below sees PENDING-WHY.
                  (set! pending-why 'exception)
                  (call-with-values (lambda () (raise-continuable e))
                    (lambda vals
                      ;; The handler returned: the body goes on.
                      (set! pending-why #f)
                      (apply values vals))))
              thunk))
        (lambda vals
          (terminate! 'return)
          (apply values vals))))
    (lambda ()
      (when pending-why
        (let ((why pending-why))
          (set! pending-why #f)
          (terminate! why))))))

(define-syntax-rule (unwind-protect body cleanup0 cleanup ...)
  (with-unwind-protection (lambda (why) cleanup0 cleanup ...)
                          (lambda () body)))
