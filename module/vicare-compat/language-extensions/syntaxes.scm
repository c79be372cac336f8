;;; (vicare-compat language-extensions syntaxes) -- Vicare's syntaxes.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Commentary:
;;;
;;; Two groups, both exported here (and the second also from
;;; (vicare-compat)):
;;;
;;; * the syntaxes of Vicare's (vicare language-extensions syntaxes):
;;;   let-inline, callet, with-pathnames, the define-...-predicate
;;;   generators, the cond-...-operand dispatchers and so on.  The six
;;;   typed-language variants (define/checked-..., define/typed-unsafe-...)
;;;   are left out: they take Vicare type annotations, which have no
;;;   meaning in Guile.
;;;
;;; * the common syntaxes Vicare programs import from this library although
;;;   Vicare now exports them from (vicare): unwind-protect and its
;;;   procedures, begin0, define-inline, define-integrable,
;;;   define-constant, define-inline-constant, receive-and-return, xor,
;;;   set-cons!, and define-values (Guile's, with Vicare's body form
;;;   added).  define-syntax-rule and receive are
;;;   Guile's own bindings, re-exported.
;;;
;;; `with-unwind-protection' runs its handler at most once, when the
;;; extent of its thunk terminates:
;;;   - on a normal return (why = return);
;;;   - when an exception raised in the thunk is caught by a handler that
;;;     unwinds -- a `guard' clause, `catch', an unwinding
;;;     `with-exception-handler' (why = exception).  Guile's guard tests
;;;     its clauses in the context of the raise, then unwinds to its
;;;     prompt, so the handler runs after the clause test and before the
;;;     clause body, as in Vicare;
;;;   - on an escape through an `unwinding-call/cc' escape procedure
;;;     (why = escape).
;;; It does not run when the thunk is left through a plain continuation,
;;; including one invoked from a non-unwinding exception handler, nor when
;;; the process ends with Vicare's `exit'.  Re-entering the thunk after the
;;; handler has run raises &non-reinstatable.
;;;
;;; Telling a guard's unwind from a plain continuation: both leave through
;;; the dynamic-wind after-thunk.  Guile unwinds for an abort-to-prompt
;;; (guard, catch) while the frames of the raise are still on the stack,
;;; but for a full continuation only after the stack has been replaced by
;;; the continuation's.  So the exception handler of
;;; with-unwind-protection records the identity of its own frame (address
;;; and return address), and the after-thunk runs the cleanup for an
;;; exception only when that frame is still on the stack.  This costs two stack walks
;;; (a few microseconds each) per exception that passes through, nothing
;;; on the normal path.
;;;
;;; Code:

(define-module (vicare-compat language-extensions syntaxes)
  #:use-module ((rnrs conditions)
                #:select (condition make-who-condition make-message-condition
                          make-irritants-condition))
  #:use-module ((rnrs exceptions) #:select ((raise . r6rs-raise) raise-continuable))
  #:use-module ((rnrs base) #:select (assert))
  #:use-module ((rnrs arithmetic fixnums) #:select (fixnum?))
  #:use-module ((rnrs arithmetic flonums) #:select (flonum?))
  #:use-module ((rnrs bytevectors) #:select (bytevector? string->utf8
                                            u8-list->bytevector))
  #:use-module (ice-9 receive)
  #:use-module (srfi srfi-1)
  #:use-module (vicare-compat conditions)
  #:use-module ((guile) #:select ((define-values . guile-define-values)))
  #:re-export (define-syntax-rule receive)
  #:replace (define-values)
  #:export (;; unwind protection
            with-unwind-protection with-unwind-handler
            unwind-protect unwinding-call/cc
            ;; common syntaxes
            begin0 define-inline define-integrable
            define-constant define-inline-constant
            receive-and-return xor set-cons!
            ;; (vicare language-extensions syntaxes)
            let-inline let*-inline debug-assert
            with-pathnames with-bytevectors with-bytevectors/or-false
            callet callet*
            define-exact-integer->symbol-function
            define-list-of-type-predicate
            define-min/max-comparison
            define-equality/sorting-predicate
            define-unsafe-equality/sorting-predicate
            define-inequality-predicate
            define-unsafe-inequality-predicate
            cond-exact-integer-operand cond-inexact-integer-operand
            cond-exact-real-numeric-operand cond-real-numeric-operand
            cond-numeric-operand))

;;; ----------------------------------------------------- unwind protection

(define (raise-non-reinstatable who message)
  (r6rs-raise
   (condition (make-who-condition who)
              (make-message-condition message)
              (make-non-reinstatable-violation)
              (make-irritants-condition '()))))

;; Set, per thread, while an unwinding-call/cc escape procedure unwinds.
(define unwinding-escape (make-thread-local-fluid #f))

;; Set, per thread, by Vicare's guard of (vicare-compat guard) (which
;; reaches this private binding with @@, so that no public module, (vicare)
;; included, exports it) while it
;; unwinds from a raise to the guard: probe while it leaves to test its
;; clauses (no handler runs: the guard may re-enter), exit when a clause
;; was chosen and it leaves for good (the handlers run, why = exception).
(define %guard-unwinding (make-thread-local-fluid #f))

;; A frame is identified by its address and its return address, which do
;; not change while it lives.  (Its procedure name would do too, but
;; looking it up reads debugging information and is slow.)
(define (frame-identity frame)
  (cons (frame-address frame) (frame-return-address frame)))

(define (frame-on-stack? identity)
  "Is the frame of IDENTITY on the current stack?"
  (let loop ((frame (stack-ref (make-stack #t) 0)))
    (and frame
         (or (equal? (frame-identity frame) identity)
             (loop (frame-previous frame))))))

(define (check-procedure who index obj)
  (unless (procedure? obj)
    (procedure-signature-argument-violation who index 'procedure? obj)))

(define (with-unwind-protection handler thunk)
  "Call THUNK and return its values.  When the dynamic extent of the
call terminates, call (HANDLER WHY) once: WHY is
'return' after a normal return, 'exception' when an exception
raised in THUNK is caught by a handler that unwinds ('guard',
'catch'), 'escape' after an 'unwinding-call/cc' escape.
Plain continuations leave without calling it; re-entering THUNK
after it ran raises '&non-reinstatable'.  Exceptions raised by
HANDLER are ignored."
  (check-procedure 'with-unwind-protection 1 handler)
  (check-procedure 'with-unwind-protection 2 thunk)
  (define terminated? #f)
  ;; Why the extent is being left: #f, return or exception.
  (define leaving #f)
  ;; The identity of the frame of the exception handler below.
  (define handler-frame #f)
  (define (terminate! why)
    (unless terminated?
      (set! terminated? #t)
      (with-exception-handler (lambda (e) #f)
        (lambda () (handler why))
        #:unwind? #t)))
  (define (unwind-protection-exception-handler e)
    ;; Pass the exception on.  If an outer handler unwinds through us,
    ;; the after-thunk finds this frame still on the stack.
    (set! leaving 'exception)
    ;; Frame 0 of the stack is make-stack's, frame 1 this procedure's.
    (set! handler-frame (frame-identity (stack-ref (make-stack #t) 1)))
    (call-with-values (lambda () (raise-continuable e))
      (lambda vals
        ;; The handler returned: the thunk goes on.
        (set! leaving #f)
        (apply values vals))))
  (dynamic-wind
    (lambda ()
      (when terminated?
        (raise-non-reinstatable
         'with-unwind-protection
         "attempt to reenter thunk with terminated dynamic extent")))
    (lambda ()
      (call-with-values
          (lambda ()
            (with-exception-handler unwind-protection-exception-handler
              thunk))
        (lambda vals
          (set! leaving 'return)
          (apply values vals))))
    (lambda ()
      (let ((why leaving))
        (set! leaving #f)
        (cond ((eq? why 'return) (terminate! 'return))
              ((fluid-ref unwinding-escape) (terminate! 'escape))
              ((fluid-ref %guard-unwinding)
               => (lambda (kind)
                    (when (eq? kind 'exit) (terminate! 'exception))))
              ((and (eq? why 'exception)
                    (frame-on-stack? handler-frame))
               (terminate! 'exception)))))))

(define (with-unwind-handler handler thunk)
  "Vicare's other name of 'with-unwind-protection'."
  (check-procedure 'with-unwind-handler 1 handler)
  (check-procedure 'with-unwind-handler 2 thunk)
  (with-unwind-protection handler thunk))

(define-syntax-rule (unwind-protect body cleanup0 cleanup ...)
  (with-unwind-protection (lambda (why) cleanup0 cleanup ...)
                          (lambda () body)))

(define (unwinding-call/cc receiver)
  "Call RECEIVER with an escape procedure.  Calling it returns its
arguments from 'unwinding-call/cc', running the
'with-unwind-protection' handlers on the way out (with WHY
'escape').  It may be called once, and only while RECEIVER runs;
otherwise it raises '&non-reinstatable'."
  (check-procedure 'unwinding-call/cc 1 receiver)
  (define active? #t)
  (call-with-values
      (lambda ()
        (call/cc
         (lambda (k)
           (define (escape . vals)
             (unless active?
               (raise-non-reinstatable
                'unwinding-call/cc
                "attempt to reinstate an unwinding escape procedure"))
             (set! active? #f)
             (fluid-set! unwinding-escape #t)
             (apply k vals))
           (call-with-values (lambda () (receiver escape))
             (lambda vals
               (set! active? #f)
               (apply values vals))))))
    (lambda vals
      (fluid-set! unwinding-escape #f)
      (apply values vals))))

;;; -------------------------------------------------------- common syntaxes

(define-syntax-rule (begin0 e0 e ...)
  (call-with-values (lambda () e0)
    (lambda vals e ... (apply values vals))))

(define-syntax-rule (receive-and-return (v ...) expr body ...)
  (call-with-values (lambda () expr)
    (lambda (v ...) body ... (values v ...))))

;; Each operand is expanded and evaluated once, left to right, until a
;; second true value makes the result #f; the expansion grows linearly.
(define-syntax xor
  (syntax-rules ()
    ((_) #f)
    ((_ e ...) (xor-aux #f e ...))))

(define-syntax xor-aux
  (syntax-rules ()
    ((_ found) found)
    ((_ found e more ...)
     (let ((t e))
       (and (not (and found t))
            (let ((found* (or found t)))
              (xor-aux found* more ...)))))))

;; Guile's define-values, plus Vicare's body form (define-values FORMALS
;; FORM0 FORM ...), whose forms are a body (definitions allowed) giving
;; the values.  Every form Guile accepts keeps Guile's meaning.
(define-syntax define-values
  (syntax-rules ()
    ((_ formals expr) (guile-define-values formals expr))
    ((_ formals form0 form1 form ...)
     (guile-define-values formals (let () form0 form1 form ...)))))

(define-syntax-rule (set-cons! var obj)
  (set! var (cons obj var)))

(define-syntax-rule (define-constant name expr)
  (begin
    (define value expr)
    (define-syntax name (identifier-syntax value))))

(define-syntax define-inline-constant
  (syntax-rules ()
    ((_ name expr)
     (define-syntax name
       (let ((v expr))
         (lambda (stx)
           (syntax-case stx ()
             (id (identifier? #'id)
                 #`(quote #,(datum->syntax #'id v))))))))))

;; (define-inline (name arg ... . rest) body ...): each use (name actual
;; ...) becomes (let ((arg actual) ...) body ...), with __who__ bound to
;; 'name.  NAME is not a value; a recursive use is a syntax error.
(define-syntax define-inline
  (lambda (stx)
    (syntax-case stx ()
      ((_ (name . formals) body0 body ...)
       (identifier? #'name)
       (with-syntax ((__who__ (datum->syntax #'name '__who__)))
         #'(define-syntax name
             (lambda (use)
               (syntax-case use ()
                 ((_ . actuals)
                  #'(inline-call formals actuals
                                 (let-syntax ((name (lambda (x)
                                                      (syntax-violation
                                                       'name
                                                       "recursive inline function"
                                                       x)))
                                              (__who__ (identifier-syntax 'name)))
                                   body0 body ...)))
                 (_ (identifier? use)
                    (syntax-violation 'name "inline function used as a value"
                                      use))))))))))

;; Bind FORMALS (a list, possibly improper) to ACTUALS, left to right.
(define-syntax inline-call
  (lambda (stx)
    (syntax-case stx ()
      ((_ () () body) #'body)
      ((_ () (a . more) body)
       (syntax-violation 'define-inline "too many arguments" #'(a . more)))
      ((_ (f . fs) () body)
       (syntax-violation 'define-inline "too few arguments" #'(f . fs)))
      ((_ (f . fs) (a . as) body)
       #'(let ((f a)) (inline-call fs as body)))
      ((_ rest actuals body)
       (identifier? #'rest)
       #'(let ((rest (list . actuals))) body)))))

;; (define-integrable (name arg ...) body ...): like define-inline, but
;; NAME is also a first-class procedure.  NAME is a syntax parameter:
;; within the inlined body, and within the procedure, it is parameterized
;; to the procedure, so a recursive use calls it instead of inlining
;; again.  The parameterization lasts while the body is expanded, so it
;; also holds inside another integrable inlined there: mutually recursive
;; integrables inline each other once, then call the procedures.
(define-syntax define-integrable
  (lambda (stx)
    (syntax-case stx ()
      ((_ (name . formals) body0 body ...)
       (identifier? #'name)
       (with-syntax ((__who__ (datum->syntax #'name '__who__)))
         #'(begin
             (define-syntax-parameter name
               (lambda (use)
                 (syntax-case use ()
                   ((_ . actuals)
                    #'(syntax-parameterize ((name (identifier-syntax proc)))
                        (inline-call formals actuals
                                     (let-syntax ((__who__
                                                   (identifier-syntax 'name)))
                                       body0 body ...))))
                   (_ (identifier? use) #'proc))))
             (define proc
               (syntax-parameterize ((name (identifier-syntax proc)))
                 (lambda formals
                   (let-syntax ((__who__ (identifier-syntax 'name)))
                     body0 body ...))))))))))

;;; ---------------------------------- (vicare language-extensions syntaxes)

(define-syntax let-inline
  (syntax-rules ()
    ((_ ((var expr) ...) body0 body ...)
     (let-syntax ((var (identifier-syntax expr)) ...)
       body0 body ...))))

(define-syntax let*-inline
  (syntax-rules ()
    ((_ () body0 body ...) (let () body0 body ...))
    ((_ (binding more ...) body0 body ...)
     (let-inline (binding) (let*-inline (more ...) body0 body ...)))))

(define-syntax-rule (debug-assert expr)
  (assert expr))

(define (->pathname obj)
  (if (bytevector? obj) obj (string->utf8 obj)))

(define (->latin-1 obj)
  (if (string? obj)
      (u8-list->bytevector
       (map (lambda (c)
              (let ((n (char->integer c)))
                (if (< n 256)
                    n
                    (procedure-argument-violation
                     'with-bytevectors "character outside Latin-1" obj))))
            (string->list obj)))
      obj))

(define (->latin-1/or-false obj)
  (if (string? obj) (->latin-1 obj) obj))

(define-syntax-rule (with-pathnames ((var expr) ...) body0 body ...)
  (let ((var (->pathname expr)) ...) body0 body ...))

(define-syntax-rule (with-bytevectors ((var expr) ...) body0 body ...)
  (let ((var (->latin-1 expr)) ...) body0 body ...))

(define-syntax-rule (with-bytevectors/or-false ((var expr) ...) body0 body ...)
  (let ((var (->latin-1/or-false expr)) ...) body0 body ...))

;; (callet func arg ...): every two-element form whose head is an
;; identifier is (label expr) and passes EXPR -- even (car x), which
;; passes x, exactly as in Vicare.
(define-syntax callet
  (lambda (stx)
    (define (strip arg)
      (syntax-case arg ()
        ((label expr) (identifier? #'label) #'expr)
        (_ arg)))
    (syntax-case stx ()
      ((_ func arg ...)
       #`(func #,@(map strip #'(arg ...)))))))

;; (callet* func arg ...): bind each label (a temporary for an unlabelled
;; argument) with let*, then call (func label ...).
(define-syntax callet*
  (lambda (stx)
    (define (binding arg)
      (syntax-case arg ()
        ((label expr) (identifier? #'label) #'(label expr))
        (_ #`(#,(car (generate-temporaries '(t))) #,arg))))
    (syntax-case stx ()
      ((_ func arg ...)
       (with-syntax ((((var expr) ...) (map binding #'(arg ...))))
         #'(let* ((var expr) ...) (func var ...)))))))

(define (check-argument who index pred pred-name obj)
  (unless (pred obj)
    (procedure-signature-argument-violation who index pred-name obj)))

(define-syntax-rule (define-exact-integer->symbol-function who (code ...))
  (define (who n)
    (check-argument 'who 1 exact-integer? 'exact-integer? n)
    (cond ((and (number? code) (= n code)) 'code)
          ...
          (else #f))))

(define-syntax-rule (define-list-of-type-predicate who pred)
  (define (who obj)
    (and (list? obj) (every pred obj))))

(define (check-all who pred pred-name args)
  (let loop ((args args) (i 1))
    (unless (null? args)
      (check-argument who i pred pred-name (car args))
      (loop (cdr args) (+ i 1)))))

(define (chained binary args)
  (let loop ((args args))
    (or (null? (cdr args))
        (and (binary (car args) (cadr args))
             (loop (cdr args))))))

(define (pairwise binary args)
  (and (pair? (cdr args))
       (let loop ((args args))
         (or (null? args)
             (and (every (lambda (b) (binary (car args) b)) (cdr args))
                  (loop (cdr args)))))))

(define-syntax-rule (define-min/max-comparison who unsafe-who pred)
  (define (who arg . args)
    (check-all 'who pred 'pred (cons arg args))
    (fold (lambda (b a) (unsafe-who a b)) arg args)))

(define-syntax-rule (define-equality/sorting-predicate who unsafe-who pred)
  (define (who arg . args)
    (check-all 'who pred 'pred (cons arg args))
    (chained unsafe-who (cons arg args))))

(define-syntax-rule (define-unsafe-equality/sorting-predicate who sys-who)
  (define (who arg . args)
    (chained sys-who (cons arg args))))

(define-syntax-rule (define-inequality-predicate who unsafe-who pred)
  (define (who arg . args)
    (check-all 'who pred 'pred (cons arg args))
    (pairwise unsafe-who (cons arg args))))

(define-syntax-rule (define-unsafe-inequality-predicate who sys-who)
  (define (who arg . args)
    (pairwise sys-who (cons arg args))))

;;; ------------------------------------------------- numeric dispatchers

(define (bignum? x) (and (exact-integer? x) (not (fixnum? x))))
(define (ratnum? x) (and (rational? x) (exact? x) (not (integer? x))))
(define (non-real? x) (and (complex? x) (not (real? x))))
(define (compnum? x) (and (non-real? x) (exact? x)))
(define (cflonum? x) (and (non-real? x) (inexact? x)))

;; Each clause is ((predicate ...) body ...) or (else body ...).  The
;; predicate names of Vicare's numeric tower (fixnum? bignum? ratnum?
;; flonum? compnum? cflonum?) mean this module's predicates, whatever the
;; use site binds; any other name is taken from the use site.  Several
;; predicates in one clause must all hold.  Guile has no exact complex
;; numbers, so a compnum? clause never matches.
(define-syntax cond-operand
  (lambda (stx)
    (define (predicate id)
      (case (syntax->datum id)
        ((fixnum?) #'fixnum?) ((bignum?) #'bignum?) ((ratnum?) #'ratnum?)
        ((flonum?) #'flonum?) ((compnum?) #'compnum?)
        ((cflonum?) #'cflonum?)
        (else id)))
    (define (clause c v)
      (syntax-case c (else)
        ((else body ...) #'(else body ...))
        (((p ...) body ...)
         (with-syntax (((pred ...) (map predicate #'(p ...))) (v v))
           #'((and (pred v) ...) body ...)))))
    (syntax-case stx ()
      ((_ who expr c ...)
       (let ((last (syntax->datum (car (last-pair #'(c ...))))))
         (unless (and (pair? last) (eq? (car last) 'else))
           (syntax-violation (syntax->datum #'who)
                             "an else clause is required" stx)))
       (with-syntax ((v (car (generate-temporaries '(v)))))
         (with-syntax (((clause ...) (map (lambda (c) (clause c #'v))
                                          #'(c ...))))
           #'(let ((v expr)) (cond clause ...))))))))

(define-syntax-rule (define-operand-dispatchers name ...)
  (begin
    (define-syntax name
      (syntax-rules ()
        ((_ expr clause (... ...))
         (cond-operand name expr clause (... ...)))))
    ...))

(define-operand-dispatchers
  cond-exact-integer-operand cond-inexact-integer-operand
  cond-exact-real-numeric-operand cond-real-numeric-operand
  cond-numeric-operand)
