;;; conditions.scm -- the condition shapes that every primitive raises.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

(use-modules (test-suite harness)
             ((srfi srfi-1) #:select (filter-map))
             (ice-9 control)
             ((ice-9 exceptions) #:select (exception-origin))
             (rnrs bytevectors)
             (vicare-compat)
             (vicare-compat conditions)
             ((vicare-compat posix) #:prefix px.)
             ((rnrs conditions)
              #:select (assertion-violation? violation? error? condition-message
                        condition-who condition-irritants who-condition?
                        irritants-condition?))
             ((rnrs exceptions) #:select (guard raise))
             (system foreign))

(test-begin "conditions")

(test-group "argument violations"
  (let ((e (catch-condition (lambda () (pointer-ref-c-signed-int 'x 0)))))
    (test-assert "signature violation is an assertion" (assertion-violation? e))
    (test-assert "and a procedure-argument-violation"
      (procedure-argument-violation? e))
    (test-equal "argument index" 1
      (procedure-signature-argument-violation.one-based-argument-index e))
    (test-equal "offending value" 'x
      (procedure-signature-argument-violation.offending-value e))
    (test-equal "failed predicate" 'pointer-or-memory-block?
      (procedure-signature-argument-violation.failed-expression e))
    (test-equal "message" "failed argument validation" (condition-message e)))
  (test-equal "caught by guard with assertion-violation?" 'caught
    (guard (e ((assertion-violation? e) 'caught))
      (pointer-set-c-signed-int! (bytevector->pointer (make-bytevector 4)) 0 'v)))
  (test-equal "seen by Guile's exception handlers" 'pointer-ref-c-signed-int
    (let/ec k
      (with-exception-handler
          (lambda (e) (k (exception-origin e)))
        (lambda () (pointer-ref-c-signed-int 1 0)))))
  (test-raises "procedure-argument-violation from Scheme"
    procedure-argument-violation? 'me '(1 2)
    (procedure-argument-violation 'me "bad" 1 2))
  (test-raises "procedure-arguments-consistency-violation from Scheme"
    procedure-arguments-consistency-violation? 'me '(3)
    (procedure-arguments-consistency-violation 'me "bad combination" 3))
  ;; Vicare's raiser takes a message: (who message index expression value).
  (test-equal "procedure-signature-argument-violation, Vicare's five arguments"
    '(me "expected fixnum as argument" (x) 2 (fixnum? n) x)
    (let ((e (catch-condition
              (lambda ()
                (procedure-signature-argument-violation
                 'me "expected fixnum as argument" 2 '(fixnum? n) 'x)))))
      (list (condition-who e) (condition-message e) (condition-irritants e)
            (procedure-signature-argument-violation.one-based-argument-index e)
            (procedure-signature-argument-violation.failed-expression e)
            (procedure-signature-argument-violation.offending-value e))))
  (test-equal "procedure-signature-argument-violation, the short form"
    '(me "failed argument validation" (x) 1 pointer? x)
    (let ((e (catch-condition
              (lambda ()
                (procedure-signature-argument-violation 'me 1 'pointer? 'x)))))
      (list (condition-who e) (condition-message e) (condition-irritants e)
            (procedure-signature-argument-violation.one-based-argument-index e)
            (procedure-signature-argument-violation.failed-expression e)
            (procedure-signature-argument-violation.offending-value e)))))

(test-group "errno condition"
  (let ((e (catch-condition (lambda () (px.munmap (make-pointer 1) 10)))))
    (test-assert "errno-condition?" (errno-condition? e))
    (test-assert "an &error" (error? e))
    (test-assert "not an assertion" (not (assertion-violation? e)))
    (test-equal "negated code" -22 (condition-errno e))
    (test-equal "message names the code" "EINVAL: Invalid argument"
      (condition-message e)))
  (test-equal "make-errno-condition" -2
    (condition-errno (make-errno-condition -2))))

(test-group "other types"
  (test-assert "out-of-memory is an &error"
    (error? (make-out-of-memory-error)))
  (test-assert "non-reinstatable is a violation"
    (violation? (make-non-reinstatable-violation)))
  (test-assert "i/o-eagain predicate"
    (i/o-eagain-error? (make-i/o-eagain))))

(test-group "accessors given anything but their condition"
  (test-argument "condition-errno" 'condition-errno 1 'errno-condition? 5
    (condition-errno 5))
  (test-argument "fasl-read-error-offset" 'fasl-read-error-offset 1
    'fasl-read-error? 'x (fasl-read-error-offset 'x))
  (test-argument "one-based-argument-index"
    'procedure-signature-argument-violation.one-based-argument-index 1
    'procedure-signature-argument-violation? "s"
    (procedure-signature-argument-violation.one-based-argument-index "s"))
  (test-argument "failed-expression"
    'procedure-signature-argument-violation.failed-expression 1
    'procedure-signature-argument-violation? #f
    (procedure-signature-argument-violation.failed-expression #f))
  (test-argument "offending-value"
    'procedure-signature-argument-violation.offending-value 1
    'procedure-signature-argument-violation? '()
    (procedure-signature-argument-violation.offending-value '()))
  (test-equal "condition-errno of an errno condition" -2
    (condition-errno (make-errno-condition -2))))

(test-assert "%vc-raise, the C side's raiser, is not exported"
  (not (module-variable (resolve-interface '(vicare-compat conditions))
                        '%vc-raise)))

(test-group "issue 10: the umbrella has every condition name"
  (let ((umbrella (resolve-interface '(vicare-compat)))
        (conditions (resolve-interface '(vicare-compat conditions))))
    (test-equal "(vicare-compat) re-exports each public name (missing listed)"
      '()
      (filter-map (lambda (name)
                    (and (not (string-prefix? "%" (symbol->string name)))
                         (not (eq? (module-variable umbrella name)
                                   (module-variable conditions name)))
                         name))
                  (module-map (lambda (name var) name) conditions)))
    (test-equal "the reproducer: the offending-value accessor" 'bad
      (let ((m (make-fresh-user-module)))
        (eval '(use-modules (vicare-compat)) m)
        (eval '(procedure-signature-argument-violation.offending-value
                (make-procedure-signature-argument-violation 2 'pointer? 'bad))
              m)))))

(test-end "conditions")
