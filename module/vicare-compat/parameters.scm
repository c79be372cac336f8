;;; (vicare-compat parameters) -- Vicare's make-parameter and parameterize.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Commentary:
;;;
;;; Vicare's parameters, as Guile parameter objects: Guile's own
;;; parameterize, and Guile code that takes a parameter, work with them.
;;; Where Vicare's differ from Guile's:
;;;   - the guard (Guile's converter) is not applied to the initial value,
;;;     only to the values set later;
;;;   - (P VALUE) sets the value through the guard and returns no values
;;;     (Guile's returns the previous value); (P VALUE GUARD?) sets it
;;;     through the guard only when GUARD? is true (Vicare's parameterize
;;;     uses that form to restore a value);
;;;   - parameterize (and its other spellings, parametrise and
;;;     parameterise) accepts, besides parameters, any procedure that
;;;     follows that protocol: (P) gives the value, (P VALUE GUARD?) sets
;;;     it.  Such a procedure is set on entry to the body and set back on
;;;     exit, with dynamic-wind, as Vicare does; parameters are bound as
;;;     Guile binds them (per thread, with-fluids).
;;; The guard is applied once per parameterize, when its body is first
;;; entered, and not when the old value is restored.
;;;
;;; Code:

(define-module (vicare-compat parameters)
  #:use-module ((vicare-compat conditions)
                #:select (procedure-signature-argument-violation))
  #:replace (make-parameter parameterize)
  #:export (parametrise parameterise))

;; Guile's parameters are applicable structs of this vtable with three
;; fields: the procedure, the fluid, the converter.  Made here with
;; Vicare's procedure; the load-time check below falls back on
;; fluid->parameter (Guile's procedure) if a Guile lays them out otherwise.
(define <parameter> (@ (guile) <parameter>))

(define (vicare-parameter fluid guard)
  (make-struct/no-tail
   <parameter>
   (case-lambda
     (() (fluid-ref fluid))
     ((value) (fluid-set! fluid (guard value)) (values))
     ((value guard?)
      (fluid-set! fluid (if guard? (guard value) value))
      (values)))
   fluid guard))

(define layout-known?
  (let* ((fluid (make-fluid 1))
         (p (false-if-exception (vicare-parameter fluid identity))))
    (and p
         (parameter? p)
         (eq? (parameter-fluid p) fluid)
         (eq? (parameter-converter p) identity)
         (eqv? (p) 1))))

(define make-parameter
  (case-lambda
    "(make-parameter INIT), (make-parameter INIT GUARD): a new parameter
whose value is INIT.  (P) gives the value; (P VALUE) sets it to (GUARD
VALUE) and returns no values.  GUARD must be a procedure; unlike with
Guile's make-parameter, it is not applied to INIT.  The result is a
Guile parameter, so Guile's parameterize binds it too."
    ((init) (new-parameter init identity))
    ((init guard)
     (unless (procedure? guard)
       (procedure-signature-argument-violation
        'make-parameter "expected procedure as guard function argument"
        2 'procedure? guard))
     (new-parameter init guard))))

(define (new-parameter init guard)
  (let ((fluid (make-fluid init)))
    (if layout-known?
        (vicare-parameter fluid guard)
        (fluid->parameter fluid guard))))

(define (call-with-parameterization params values thunk)
  ;; Bind the Guile parameters among PARAMS with with-fluids, each to its
  ;; converter applied to its value; set the other procedures with
  ;; Vicare's swap; call THUNK.
  (let loop ((ps params) (vs values) (fluids '()) (bound '())
             (others '()) (other-values '()))
    (cond
     ((pair? ps)
      (let ((p (car ps)) (v (car vs)))
        (cond ((parameter? p)
               (loop (cdr ps) (cdr vs) (cons (parameter-fluid p) fluids)
                     (cons ((parameter-converter p) v) bound)
                     others other-values))
              ((procedure? p)
               (loop (cdr ps) (cdr vs) fluids bound
                     (cons p others) (cons v other-values)))
              (else
               (procedure-signature-argument-violation
                'parameterize "expected parameter procedure"
                (+ 1 (- (length params) (length ps))) 'procedure? p)))))
     ((null? others)
      (with-fluids* fluids bound thunk))
     (else
      (with-fluids* fluids bound
        (lambda () (swapping (reverse others) (reverse other-values) thunk)))))))

(define (swapping procs values thunk)
  ;; Vicare's parameterize for procedures that are not parameters: on
  ;; each entry and exit, swap each one's value with the saved one; the
  ;; guard is applied only on the first entry.
  (let* ((saved (list-copy values))
         (guard? #t)
         (swap! (lambda ()
                  (let loop ((ps procs) (cell saved))
                    (when (pair? ps)
                      (let ((old ((car ps))))
                        ((car ps) (car cell) guard?)
                        (set-car! cell old)
                        (loop (cdr ps) (cdr cell)))))
                  (set! guard? #f))))
    (dynamic-wind swap! thunk swap!)))

(define-syntax parameterize
  (lambda (stx)
    "(parameterize ((P VALUE) ...) BODY ...): evaluate every P and VALUE,
then BODY with each P set to VALUE (through its guard, once); the old
values come back when BODY is left.  P is a parameter, or a procedure
that gives its value when called with no argument and sets it when
called with the value and a flag saying whether to apply the guard."
    (syntax-case stx ()
      ((_ () body0 body ...)
       #'(let () body0 body ...))
      ((_ ((p v) ...) body0 body ...)
       (with-syntax (((pt ...) (generate-temporaries #'(p ...)))
                     ((vt ...) (generate-temporaries #'(v ...))))
         ;; Parameters only (the usual case): bound inline, as Guile's
         ;; parameterize does (fields 1 and 2: the fluid, the converter).
         #'(let ((pt p) ... (vt v) ...
                 (thunk (lambda () body0 body ...)))
             (if (and layout-known? (parameter? pt) ...)
                 (with-fluids (((struct-ref pt 1) ((struct-ref pt 2) vt))
                               ...)
                   (thunk))
                 (call-with-parameterization (list pt ...) (list vt ...)
                                             thunk))))))))

(define-syntax-rule (parametrise bindings body0 body ...)
  (parameterize bindings body0 body ...))

(define-syntax-rule (parameterise bindings body0 body ...)
  (parameterize bindings body0 body ...))
