;;; syntaxes.scm -- tests of (vicare-compat language-extensions syntaxes).
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

(use-modules (test-suite harness)
             (vicare-compat language-extensions syntaxes)
             (vicare-compat conditions)
             (system base compile)
             ((srfi srfi-1) #:select (filter-map append-map))
             (rnrs bytevectors)
             ((rnrs exceptions) #:select (guard raise-continuable))
             ((rnrs conditions)
              #:select (condition-who assertion-violation? message-condition?
                        condition-message)))

(test-begin "syntaxes")


(define (protected why-box thunk)
  ;; with-unwind-protection recording the cleanup and its why.
  (with-unwind-protection
      (lambda (why) (event! 'cleanup) (set-car! why-box why))
    thunk))

(test-group "unwind-protect: values and normal return"
  (test-equal "one value" 1 (unwind-protect 1 (event! 'c)))
  (test-equal "several values" '(1 2 3)
    (call-with-values (lambda () (unwind-protect (values 1 2 3) #f)) list))
  (test-equal "zero values" '()
    (call-with-values (lambda () (unwind-protect (values) #f)) list))
  (test-equal "cleanup after the body, why = return" '(ok (body cleanup) return)
    (let ((why (list #f)))
      (append (recording
               (lambda () (protected why (lambda () (event! 'body) 'ok))))
              (list (car why)))))
  (test-equal "the cleanup's values are discarded" 'body
    (unwind-protect 'body 'cleanup))
  (test-equal "exceptions raised by the cleanup are ignored" '(ok (cleanup))
    (recording
     (lambda ()
       (unwind-protect 'ok (event! 'cleanup) (error "in cleanup"))))))

(test-group "unwind-protect: exceptions (spec 5.3)"
  (test-equal "guard else: (thunk-in cleanup guard-else)"
    '(1 (thunk-in cleanup guard-else) exception)
    (let ((why (list #f)))
      (append
       (recording
        (lambda ()
          (guard (e (else (event! 'guard-else) 1))
            (protected why (lambda () (event! 'thunk-in) (raise-exception 'boom))))))
       (list (car why)))))
  (test-equal "guard clause: (thunk-in guard-test cleanup guard-expr)"
    '(2 (thunk-in guard-test cleanup guard-expr))
    (recording
     (lambda ()
       (guard (e ((begin (event! 'guard-test) (symbol? e)) (event! 'guard-expr) 2))
         (protected (list #f) (lambda () (event! 'thunk-in) (raise-exception 'boom)))))))
  (test-equal "unwind-protect with error: (body-in cleanup guard-else)"
    '(3 (body-in cleanup guard-else))
    (recording
     (lambda ()
       (guard (e (else (event! 'guard-else) 3))
         (unwind-protect
             (begin (event! 'body-in) (error "fail!!!"))
           (event! 'cleanup))))))
  (test-equal "Guile's catch unwinds too: why = exception"
    '(4 (thunk-in cleanup catch) exception)
    (let ((why (list #f)))
      (append
       (recording
        (lambda ()
          (catch #t
            (lambda () (protected why (lambda () (event! 'thunk-in) (throw 'x))))
            (lambda _ (event! 'catch) 4))))
       (list (car why)))))
  (test-equal "nested: inner cleanup first"
    '(5 (in inner-cleanup outer-cleanup handler))
    (recording
     (lambda ()
       (guard (e (#t (event! 'handler) 5))
         (unwind-protect
             (unwind-protect (begin (event! 'in) (raise-exception 'x))
               (event! 'inner-cleanup))
           (event! 'outer-cleanup))))))
  (test-equal "a guard that declines passes the exception on, no cleanup yet"
    '(6 (thunk-in inner-test cleanup outer))
    (recording
     (lambda ()
       (guard (e (#t (event! 'outer) 6))
         (guard (e ((begin (event! 'inner-test) #f) 'never))
           (protected (list #f) (lambda () (event! 'thunk-in) (raise-exception 'x))))))))
  (test-equal "raise-continuable handled: the body goes on, cleanup on return"
    '(11 (thunk-in handler thunk-out cleanup))
    (recording
     (lambda ()
       (with-exception-handler
           (lambda (e) (event! 'handler) 10)
         (lambda ()
           (protected (list #f)
                      (lambda ()
                        (event! 'thunk-in)
                        (let ((v (raise-continuable 'c)))
                          (event! 'thunk-out)
                          (+ v 1)))))))))
  (test-equal "escape from a with-exception-handler handler: no cleanup"
    '(123 (thunk-in exception-handler))
    (recording
     (lambda ()
       (call/cc
        (lambda (k)
          (with-exception-handler
              (lambda (e) (event! 'exception-handler) (k 123))
            (lambda ()
              (protected (list #f)
                         (lambda () (event! 'thunk-in) (raise-exception 'boom)))))))))))

(test-group "unwind-protect: escapes"
  (test-equal "unwinding-call/cc escape: why = escape"
    '(7 (thunk-in cleanup) escape)
    (let ((why (list #f)))
      (append
       (recording
        (lambda ()
          (unwinding-call/cc
           (lambda (k)
             (protected why (lambda () (event! 'thunk-in) (k 7) (event! 'no)))))))
       (list (car why)))))
  (test-equal "plain call/cc escape: no cleanup" '(8 (thunk-in))
    (recording
     (lambda ()
       (call/cc
        (lambda (k)
          (protected (list #f) (lambda () (event! 'thunk-in) (k 8))))))))
  (test-equal "re-entry after a plain escape is allowed; cleanup runs later"
    '(done (in out out cleanup))
    (recording
     (lambda ()
       (let ((reenter #f) (count 0))
         (call/cc
          (lambda (escape)
            (protected (list #f)
                       (lambda ()
                         (event! 'in)
                         (call/cc (lambda (k) (set! reenter k)))
                         (event! 'out)
                         (set! count (+ count 1))
                         (when (= count 1) (escape #f))))))
         (when (= count 1) (reenter #f))
         'done))))
  (test-equal "re-entry after cleanup: &non-reinstatable"
    '(with-unwind-protection
      (thunk-in thunk-out cleanup reinstating violation))
    (recording
     (lambda ()
       (let ((k #f) (n 0))
         (guard (e ((non-reinstatable-violation? e)
                    (event! 'violation)
                    (condition-who e)))
           (protected (list #f)
                      (lambda ()
                        (event! 'thunk-in)
                        (call/cc (lambda (kk) (set! k kk)))
                        (event! 'thunk-out)))
           (set! n (+ n 1))
           (when (= n 1) (event! 'reinstating) (k #f))
           'not-here)))))
  (test-assert "unwinding-call/cc escape used after its receiver returned"
    (let ((saved #f))
      (unwinding-call/cc (lambda (k) (set! saved k)))
      (non-reinstatable-violation? (catch-condition (lambda () (saved 1))))))
  (test-equal "unwinding-call/cc returns the receiver's values" '(1 2)
    (call-with-values (lambda () (unwinding-call/cc (lambda (k) (values 1 2))))
      list))
  (test-equal "with-unwind-handler is with-unwind-protection" '(1 (return))
    (let ((whys '()))
      (list (with-unwind-handler (lambda (why) (set! whys (cons why whys)))
                                 (lambda () 1))
            whys))))

(test-group "unwind-protect in compiled code"
  ;; The test file is interpreted; the same orderings when compiled.
  (let ((env (make-fresh-user-module)))
    (module-use! env (resolve-interface
                      '(vicare-compat language-extensions syntaxes)))
    (module-use! env (resolve-interface '(rnrs exceptions) #:select '(guard)))
    (test-equal "guard clause ordering"
      '(thunk-in guard-test cleanup guard-expr)
      (compile '(let ((events '()))
                  (define (event! x) (set! events (cons x events)))
                  (guard (e ((begin (event! 'guard-test) #t) (event! 'guard-expr)))
                    (unwind-protect (begin (event! 'thunk-in) (raise-exception 'x))
                      (event! 'cleanup)))
                  (reverse events))
               #:env env))
    (test-equal "handler escape: no cleanup" '(thunk-in handler)
      (compile '(let ((events '()))
                  (define (event! x) (set! events (cons x events)))
                  (call/cc
                   (lambda (k)
                     (with-exception-handler
                         (lambda (e) (event! 'handler) (k #f))
                       (lambda ()
                         (unwind-protect (begin (event! 'thunk-in) (raise-exception 'x))
                           (event! 'cleanup))))))
                  (reverse events))
               #:env env))))

;;; ------------------------------------------------------ common syntaxes

(define (syntax-error? form)
  "Does expanding FORM, with this library, raise a syntax error?"
  (let ((env (make-fresh-user-module)))
    (module-use! env (resolve-interface
                      '(vicare-compat language-extensions syntaxes)))
    (catch #t
      (lambda () (eval form env) #f)
      (lambda (key . args) (eq? key 'syntax-error)))))

(define-inline (inline-add a b . rest) (list __who__ (+ a b) rest))
(define-integrable (integrable-fact n) (if (= n 0) 1 (* n (integrable-fact (- n 1)))))
(define-constant the-constant (begin (event! 'evaluated) 42))
(define-inline-constant inline-constant (list 1 2))
(define-exact-integer->symbol-function code->symbol (one two))
(define one 1)
(define two 2)
(define-list-of-type-predicate list-of-symbols? symbol?)
(define-min/max-comparison checked-max max exact-integer?)
(define-equality/sorting-predicate checked< < exact-integer?)
(define-unsafe-equality/sorting-predicate unsafe< <)
(define-inequality-predicate all-different? (lambda (a b) (not (= a b))) exact-integer?)
(define-unsafe-inequality-predicate unsafe-all-different? (lambda (a b) (not (= a b))))

(test-group "common syntaxes"
  (test-equal "begin0 returns the first form's values, runs the rest" '((1 2) (a b))
    (recording (lambda ()
                 (call-with-values
                     (lambda () (begin0 (begin (event! 'a) (values 1 2)) (event! 'b)))
                   list))))
  (test-equal "define-inline: __who__, rest list" '(inline-add 3 (4 5))
    (inline-add 1 2 4 5))
  (test-equal "define-inline evaluates each argument once, left to right"
    '((inline-add 3 ()) (a b))
    (recording (lambda () (inline-add (begin (event! 'a) 1) (begin (event! 'b) 2)))))
  (test-assert "define-inline: the name is not a value"
    (syntax-error? '(begin (define-inline (f x) x) f)))
  (test-assert "define-inline: recursion is a syntax error"
    (syntax-error? '(begin (define-inline (f x) (f x)) (f 1))))
  (test-equal "define-integrable: inline, recursive and first-class" '(120 (1 2 6))
    (list (integrable-fact 5) (map integrable-fact '(1 2 3))))
  (test-equal "define-constant is evaluated once" '(42 42)
    (list the-constant the-constant))
  (test-assert "define-constant cannot be set!"
    (syntax-error? '(begin (define-constant c 1) (set! c 2))))
  (test-equal "define-inline-constant expands to the quoted value" '(1 2)
    inline-constant)
  (test-equal "define-values, receive" '(1 2 3)
    (let ()
      (define-values (a b) (values 1 2))
      (receive (c) (values 3) (list a b c))))
  (test-equal "receive-and-return returns the bound values" '((1 2) (1 2))
    (recording
     (lambda ()
       (call-with-values
           (lambda () (receive-and-return (a b) (values 1 2) (event! a) (event! b)))
         list))))
  (test-equal "xor" '(#f 1 #f 2 #f)
    (list (xor) (xor 1) (xor 1 2) (xor #f 2 #f) (xor #f #f)))
  (test-equal "xor stops at the second true operand" '(#f (a b))
    (recording (lambda () (xor (begin (event! 'a) 1) (begin (event! 'b) 2)
                               (begin (event! 'c) 3)))))
  (test-equal "set-cons!" '(2 1)
    (let ((l '(1))) (set-cons! l 2) l)))

;;; Expansion-time counter: each expansion of (counted) adds one.
(define expansions 0)
(define-syntax counted
  (lambda (stx)
    (set! expansions (+ expansions 1))
    #'#f))

(define (tree-size x)
  (cond ((pair? x) (+ 1 (tree-size (car x)) (tree-size (cdr x))))
        ((vector? x) (tree-size (vector->list x)))
        (else 1)))

(test-group "issue 10: Vicare's expansions"
  (test-equal "xor expands each operand once" 20
    (begin
      (set! expansions 0)
      (eval `(xor ,@(map (lambda (i) '(counted)) (iota 20))) (current-module))
      expansions))
  (test-assert "xor of 200 operands expands in linear size"
    (< (tree-size (syntax->datum
                   (macroexpand `(xor ,@(map (lambda (i) (list 'quote i))
                                             (iota 200))))))
       (* 200 60)))
  (test-equal "xor of 200 operands: the single true one, or #f"
    '(199 #f)
    (list (eval `(xor ,@(map (lambda (i) #f) (iota 199)) 199) (current-module))
          (eval `(xor 1 ,@(map (lambda (i) #f) (iota 198)) 2) (current-module))))
  (test-equal "mutually recursive define-integrable (the reproducer)" #f
    (let ()
      (define-integrable (ev? n) (or (zero? n) (od? (- n 1))))
      (define-integrable (od? n) (not (ev? n)))
      (ev? 5)))
  (test-equal "mutually recursive define-integrable, first-class and inline"
    '(#t #f (#t #f #t #f))
    (let ()
      (define-integrable (ev? n) (or (zero? n) (od? (- n 1))))
      (define-integrable (od? n) (not (ev? n)))
      (list (ev? 10) (od? 10) (map ev? '(0 1 2 3)))))
  (test-equal "define-values: Vicare's body form (the reproducer)" '(1 2 3)
    (let () (define-values (a b c) #t (values 1 2 3)) (list a b c)))
  (test-equal "define-values: the body may define, rest formals" '(3 (4 5))
    (let ()
      (define-values (p . q) (define z 3) (values z 4 5))
      (list p q)))
  (test-equal "define-values with one expression is Guile's" '(1 2)
    (let ()
      (define-values (a b) (values 1 2))
      (list a b)))
  (test-equal "define-values body form at the top level of a module" '(7 8)
    (let ((m (make-fresh-user-module)))
      (module-use! m (resolve-interface
                      '(vicare-compat language-extensions syntaxes)))
      (eval '(define-values (tx ty) (define k 7) (values k (+ k 1))) m)
      (list (eval 'tx m) (eval 'ty m)))))

(test-group "(vicare language-extensions syntaxes)"
  (test-equal "callet drops labels" '(1 2 3) (callet list (a 1) 2 (c 3)))
  (test-equal "callet: any (identifier expr) is a label, as in Vicare" '(x)
    (let ((x 'x)) (callet list (car x))))
  (test-equal "callet* binds labels in order" '(1 2 3)
    (callet* list (a 1) (b (+ a 1)) 3))
  (test-equal "let-inline re-evaluates at each use" '(1 2)
    (let ((n 0))
      (let-inline ((next (begin (set! n (+ n 1)) n)))
        (list next next))))
  (test-equal "let*-inline" 3
    (let*-inline ((a 1) (b (+ a 2))) b))
  (test-assert "debug-assert raises an assertion"
    (assertion-violation? (catch-condition (lambda () (debug-assert (= 1 2))))))
  (test-equal "with-pathnames: UTF-8, bytevectors kept" (list (string->utf8 "λ") #vu8(1))
    (with-pathnames ((a "λ") (b #vu8(1))) (list a b)))
  (test-equal "with-bytevectors: Latin-1" (list #vu8(233) #vu8(2))
    (with-bytevectors ((a "é") (b #vu8(2))) (list a b)))
  (test-equal "with-bytevectors/or-false passes #f" '(#f)
    (with-bytevectors/or-false ((a #f)) (list a)))
  (test-equal "exact-integer->symbol function" '(one two #f)
    (map code->symbol '(1 2 3)))
  (test-raises "exact-integer->symbol function: not an exact integer"
    procedure-signature-argument-violation? 'code->symbol '(1.0)
    (code->symbol 1.0))
  (test-equal "list-of-type predicate" '(#t #t #f #f)
    (map list-of-symbols? '((a b) () (a 1) (a . b))))
  (test-equal "min/max comparison" '(1 5)
    (list (checked-max 1) (checked-max 3 5 1)))
  (test-raises "min/max comparison checks every argument"
    procedure-signature-argument-violation? 'checked-max '(x)
    (checked-max 1 'x))
  (test-equal "equality/sorting predicate; one argument gives #t" '(#t #t #f)
    (list (checked< 1) (checked< 1 2 3) (checked< 1 3 2)))
  (test-raises "equality/sorting predicate checks its arguments"
    procedure-signature-argument-violation? 'checked< '(1.5)
    (checked< 1 1.5))
  (test-equal "unsafe equality/sorting predicate" '(#t #f)
    (list (unsafe< 1 2) (unsafe< 2 1)))
  (test-equal "inequality predicate; one argument gives #f" '(#f #t #f)
    (list (all-different? 1) (all-different? 1 2 3) (all-different? 1 2 1)))
  (test-equal "unsafe inequality predicate" '(#t #f)
    (list (unsafe-all-different? 1 2) (unsafe-all-different? 2 2)))
  (test-equal "cond-exact-integer-operand" '(fixnum bignum other)
    (map (lambda (n)
           (cond-exact-integer-operand n
             ((fixnum?) 'fixnum) ((bignum?) 'bignum) (else 'other)))
         (list 1 (expt 2 100) 1.5)))
  (test-equal "cond-real-numeric-operand" '(fixnum ratnum flonum)
    (map (lambda (n)
           (cond-real-numeric-operand n
             ((fixnum?) 'fixnum) ((bignum?) 'bignum) ((ratnum?) 'ratnum)
             ((flonum?) 'flonum) (else 'other)))
         (list 1 1/2 1.5)))
  (test-equal "cond-numeric-operand" '(cflonum flonum)
    (map (lambda (n)
           (cond-numeric-operand n
             ((fixnum?) 'fixnum) ((flonum?) 'flonum) ((cflonum?) 'cflonum)
             ((compnum?) 'compnum) (else 'other)))
         (list 1.0+2.0i 2.5)))
  (test-equal "several predicates in one clause" '(exact-real other)
    (map (lambda (n)
           (cond-numeric-operand n ((real? exact?) 'exact-real) (else 'other)))
         (list 1/3 0.5)))
  (test-assert "the else clause is required"
    (syntax-error? '(cond-exact-integer-operand 1 ((fixnum?) 1)))))

(test-group "umbrella"
  (let ((umbrella (resolve-interface '(vicare-compat))))
    (test-equal "(vicare-compat) exports the common syntaxes" '()
      (filter (lambda (name) (not (module-variable umbrella name)))
              '(unwind-protect with-unwind-protection unwinding-call/cc begin0
                define-inline define-integrable define-constant
                define-inline-constant define-values receive
                receive-and-return xor set-cons! callet callet*
                define-syntax-rule)))
    (test-eq "define-values is Vicare's, the syntaxes module's"
      (module-variable (resolve-interface
                        '(vicare-compat language-extensions syntaxes))
                       'define-values)
      (module-variable umbrella 'define-values))
    (test-equal "the core bindings (vicare-compat) replaces: define-values, exit"
      '(define-values exit)
      (filter-map (lambda (name)
                    (let ((core (module-variable the-root-module name)))
                      (and core
                           (not (eq? core (module-variable umbrella name)))
                           name)))
                  (sort (module-map (lambda (name var) name) umbrella)
                        (lambda (a b) (string<? (symbol->string a)
                                                (symbol->string b))))))))

(test-group "procedures given a non-procedure"
  (test-argument "with-unwind-handler: the handler" 'with-unwind-handler 1
    'procedure? 5 (with-unwind-handler 5 (lambda () 1)))
  (test-argument "with-unwind-handler: the thunk" 'with-unwind-handler 2
    'procedure? 'x (with-unwind-handler (lambda (why) why) 'x))
  (test-argument "with-unwind-protection: the thunk" 'with-unwind-protection 2
    'procedure? #f (with-unwind-protection (lambda (why) why) #f))
  (test-argument "unwinding-call/cc" 'unwinding-call/cc 1 'procedure? 7
    (unwinding-call/cc 7)))

;;; Review of issue 10, L4: (vicare-compat) replaces Guile's define-values
;;; with Vicare's, which keeps the meaning of every form Guile's accepts.
(define (evaluate-with modules form)
  "FORM's value, or the key of what it raised, evaluated at the top level
of a fresh module using MODULES besides Guile's core."
  (let ((env (make-fresh-user-module)))
    (for-each (lambda (m) (module-use! env (resolve-interface m))) modules)
    (catch #t (lambda () (eval form env)) (lambda (key . args) key))))

(define guile-define-values-forms
  ;; Each form Guile's define-values takes, at the top level and in a body.
  (append-map
   (lambda (formals+expr+result)
     (let ((def `(define-values ,@(list-head formals+expr+result 2)))
           (result (caddr formals+expr+result)))
       (list `(begin ,def ,result) `(let () ,def ,result))))
   '(((a b) (values 1 2) (list a b))
     ((a) 5 a)
     (() (values) 'none)
     ((a . r) (values 1 2 3) (list a r))
     (all (values 1 2) all)
     ((a b) (values 1) 'never))))

(test-group "issue 10 review L4: define-values of (vicare-compat)"
  (test-equal "every form of Guile's keeps its meaning, top level and body"
    (map (lambda (form) (evaluate-with '() form)) guile-define-values-forms)
    (map (lambda (form) (evaluate-with '((vicare-compat)) form))
         guile-define-values-forms))
  (test-equal "the issue's reproducer, with the README's import line, silently"
    '("(1 2 3)" 0)
    (call-with-values
        (lambda ()
          (run-program "sh" "-c" "guile --no-auto-compile -c \"(use-modules (vicare-compat) ((vicare-compat posix) #:prefix px.)) (write (let () (define-values (a b c) #t (values 1 2 3)) (list a b c)))\" 2>&1"))
      list)))

(test-group "issue 10 review L2: Vicare's endianness in (vicare-compat)"
  (test-equal "big, little, network, native"
    (list 'big 'little 'big (native-endianness))
    (map (lambda (name) (evaluate-with '((vicare-compat)) `(endianness ,name)))
         '(big little network native)))
  (test-equal "anything else is a syntax error" 'syntax-error
    (evaluate-with '((vicare-compat)) '(endianness middle)))
  (test-equal "imported with (rnrs bytevectors), it wins, with no warning"
    '("big" 0)
    (call-with-values
        (lambda ()
          (run-program "sh" "-c" "guile --no-auto-compile -c \"(use-modules (rnrs bytevectors) (vicare-compat)) (display (endianness network))\" 2>&1"))
      list)))

(test-end "syntaxes")
