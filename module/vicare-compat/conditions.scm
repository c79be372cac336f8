;;; (vicare-compat conditions) -- Vicare's condition types, on Guile's own
;;; exception objects.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Commentary:
;;;
;;; Guile's (rnrs conditions) types are its native exception types, so a
;;; condition built here is seen both by R6RS `guard' clauses such as
;;; `assertion-violation?' and by Guile's `with-exception-handler'.
;;;
;;; `%vc-raise' is how the C extension raises: the C side names a kind and
;;; passes who, message, irritants and one extra value; this procedure
;;; builds the compound condition.  It is not exported: the C side looks
;;; it up in the module itself.  It needs nothing from the extension,
;;; so the extension can depend on it without a cycle.
;;;
;;; Code:

(define-module (vicare-compat conditions)
  ;; Only what we use, renamed where Guile's core has a binding of the
  ;; same name with another meaning (its &error is R6RS's &serious).
  #:use-module ((rnrs conditions)
                #:select (define-condition-type condition &condition
                          &violation &assertion make-assertion-violation
                          (&error . &r6rs-error) (make-error . make-r6rs-error)
                          make-who-condition make-message-condition
                          make-irritants-condition))
  #:use-module ((rnrs exceptions) #:select ((raise . r6rs-raise)))
  #:use-module ((rnrs io ports) #:select (&i/o))
  #:export (;; argument validation (all subtypes of &assertion)
            &procedure-precondition-violation
            make-procedure-precondition-violation
            procedure-precondition-violation?
            &procedure-argument-violation
            make-procedure-argument-violation
            procedure-argument-violation?
            &procedure-signature-argument-violation
            make-procedure-signature-argument-violation
            procedure-signature-argument-violation?
            procedure-signature-argument-violation.one-based-argument-index
            procedure-signature-argument-violation.failed-expression
            procedure-signature-argument-violation.offending-value
            &procedure-arguments-consistency-violation
            make-procedure-arguments-consistency-violation
            procedure-arguments-consistency-violation?
            procedure-argument-violation
            procedure-arguments-consistency-violation
            procedure-signature-argument-violation
            ;; memory
            &out-of-memory-error
            make-out-of-memory-error
            out-of-memory-error?
            ;; system calls
            &errno
            make-errno-condition
            errno-condition?
            condition-errno
            &i/o-eagain
            make-i/o-eagain
            i/o-eagain-error?
            ;; control
            &non-reinstatable
            make-non-reinstatable-violation
            non-reinstatable-violation?
            ;; fasl
            &i/o-wrong-fasl-header-error
            make-i/o-wrong-fasl-header-error
            i/o-wrong-fasl-header-error?
            &fasl-read-error
            make-fasl-read-error
            fasl-read-error?
            fasl-read-error-offset))

;;; ------------------------------------------------------------------ types

(define-condition-type &procedure-precondition-violation &assertion
  make-procedure-precondition-violation procedure-precondition-violation?)

(define-condition-type &procedure-argument-violation
  &procedure-precondition-violation
  make-procedure-argument-violation procedure-argument-violation?)

(define-condition-type &procedure-signature-argument-violation
  &procedure-argument-violation
  make-procedure-signature-argument-violation
  procedure-signature-argument-violation?
  (one-based-argument-index signature-index)
  (failed-expression signature-expression)
  (offending-value signature-value))

(define-condition-type &procedure-arguments-consistency-violation
  &procedure-precondition-violation
  make-procedure-arguments-consistency-violation
  procedure-arguments-consistency-violation?)

(define-condition-type &out-of-memory-error &r6rs-error
  make-out-of-memory-error out-of-memory-error?)

(define-condition-type &errno &condition
  make-errno-condition errno-condition?
  (code errno-code))

(define-condition-type &i/o-eagain &i/o
  make-i/o-eagain i/o-eagain-error?)

(define-condition-type &non-reinstatable &violation
  make-non-reinstatable-violation non-reinstatable-violation?)

(define-condition-type &i/o-wrong-fasl-header-error &i/o
  make-i/o-wrong-fasl-header-error i/o-wrong-fasl-header-error?)

;; Beyond Vicare: every malformed FASL input raises this, with the byte
;; offset (from the start of the header) where the reader found the fault.
(define-condition-type &fasl-read-error &r6rs-error
  make-fasl-read-error fasl-read-error?
  (offset fasl-read-offset))

;;; The field accessors check their argument: those of
;;; define-condition-type raise a Guile misc-error for anything but a
;;; condition of their type.
(define-syntax-rule (define-checked-accessor name predicate accessor)
  (define (name c)
    (unless (predicate c)
      (procedure-signature-argument-violation 'name 1 'predicate c))
    (accessor c)))

(define-checked-accessor
  procedure-signature-argument-violation.one-based-argument-index
  procedure-signature-argument-violation? signature-index)
(define-checked-accessor
  procedure-signature-argument-violation.failed-expression
  procedure-signature-argument-violation? signature-expression)
(define-checked-accessor
  procedure-signature-argument-violation.offending-value
  procedure-signature-argument-violation? signature-value)
(define-checked-accessor condition-errno errno-condition? errno-code)
(define-checked-accessor fasl-read-error-offset fasl-read-error?
  fasl-read-offset)

;;; Docstrings for the procedures that define-condition-type made.
(for-each
 (lambda (entry)
   (set-procedure-property! (car entry) 'documentation (cdr entry)))
 `((,make-procedure-precondition-violation
    . "Make a '&procedure-precondition-violation' condition.")
   (,procedure-precondition-violation?
    . "Is OBJ a condition with a '&procedure-precondition-violation'?")
   (,make-procedure-argument-violation
    . "Make a '&procedure-argument-violation' condition.")
   (,procedure-argument-violation?
    . "Is OBJ a condition with a '&procedure-argument-violation'?")
   (,make-procedure-signature-argument-violation
    . "(make-procedure-signature-argument-violation index expression value)
Make a '&procedure-signature-argument-violation' condition.")
   (,procedure-signature-argument-violation?
    . "Is OBJ a condition with a '&procedure-signature-argument-violation'?")
   (,procedure-signature-argument-violation.one-based-argument-index
    . "The position (from 1) of the argument that failed its check.")
   (,procedure-signature-argument-violation.failed-expression
    . "The check that the argument failed, a symbol such as 'pointer?'.")
   (,procedure-signature-argument-violation.offending-value
    . "The value of the argument that failed its check.")
   (,make-procedure-arguments-consistency-violation
    . "Make a '&procedure-arguments-consistency-violation' condition.")
   (,procedure-arguments-consistency-violation?
    . "Is OBJ a condition with a '&procedure-arguments-consistency-violation'?")
   (,make-out-of-memory-error . "Make an '&out-of-memory-error' condition.")
   (,out-of-memory-error? . "Is OBJ a condition with an '&out-of-memory-error'?")
   (,make-errno-condition
    . "(make-errno-condition code) Make an '&errno' condition; CODE is a
negated errno value, as in Vicare.")
   (,errno-condition? . "Is OBJ a condition with an '&errno'?")
   (,condition-errno . "The negated errno code of an '&errno' condition.")
   (,make-i/o-eagain . "Make an '&i/o-eagain' condition.")
   (,i/o-eagain-error? . "Is OBJ a condition with an '&i/o-eagain'?")
   (,make-non-reinstatable-violation . "Make a '&non-reinstatable' condition.")
   (,non-reinstatable-violation? . "Is OBJ a condition with a '&non-reinstatable'?")
   (,make-i/o-wrong-fasl-header-error
    . "Make an '&i/o-wrong-fasl-header-error' condition.")
   (,i/o-wrong-fasl-header-error?
    . "Is OBJ a condition with an '&i/o-wrong-fasl-header-error'?")
   (,make-fasl-read-error
    . "(make-fasl-read-error offset) Make a '&fasl-read-error' condition.")
   (,fasl-read-error? . "Is OBJ a condition with a '&fasl-read-error'?")
   (,fasl-read-error-offset
    . "The byte offset, from the start of the header, of a FASL read error.")))

;;; -------------------------------------------------------------- raisers

(define (who-and-message who message)
  (if who
      (list (make-who-condition who) (make-message-condition message))
      (list (make-message-condition message))))

(define (raise-compound who message specific irritants)
  (r6rs-raise
   (apply condition
          (append (who-and-message who message)
                  specific
                  (list (make-irritants-condition irritants))))))

(define (procedure-argument-violation who message . irritants)
  "Raise a non-continuable '&procedure-argument-violation' with
WHO, MESSAGE and IRRITANTS."
  (raise-compound who message (list (make-procedure-argument-violation))
                  irritants))

(define (procedure-arguments-consistency-violation who message . irritants)
  "Raise a non-continuable '&procedure-arguments-consistency-violation'
with WHO, MESSAGE and IRRITANTS: each argument is valid
alone, but their combination is not."
  (raise-compound who message
                  (list (make-procedure-arguments-consistency-violation))
                  irritants))

;; Vicare's form takes a message; the package's own short form, which its
;; modules use, gives the message every argument check of the package has.
(define procedure-signature-argument-violation
  (case-lambda
    ((who message index expression value)
     (raise-compound who message
                     (list (make-procedure-signature-argument-violation
                            index expression value))
                     (list value)))
    ((who index expression value)
     (procedure-signature-argument-violation
      who "failed argument validation" index expression value))))

(set-procedure-property!
 procedure-signature-argument-violation 'documentation
 "(procedure-signature-argument-violation who message index expression value)
(procedure-signature-argument-violation who index expression value)
Raise a non-continuable '&procedure-signature-argument-violation':
argument number INDEX (1-based) of WHO is VALUE, which fails the check
EXPRESSION; VALUE is the irritant.  The second form, without MESSAGE,
uses \"failed argument validation\".")

(define (%vc-raise kind who message irritants extra)
  "Build and raise the condition of KIND for the C extension."
  (case kind
    ((argument)
     (raise-compound who message
                     (list (make-procedure-signature-argument-violation
                            (car extra) (cadr extra) (car irritants)))
                     irritants))
    ((consistency)
     (raise-compound who message
                     (list (make-procedure-arguments-consistency-violation))
                     irritants))
    ((assertion)
     (raise-compound who message (list (make-assertion-violation)) irritants))
    ((errno)
     ;; EXTRA is the negated errno code; a pair (code . #t) marks EAGAIN.
     (let ((code (if (pair? extra) (car extra) extra)))
       (r6rs-raise
        (apply condition
               (make-r6rs-error)
               (make-errno-condition code)
               (append (if (pair? extra) (list (make-i/o-eagain)) '())
                       (who-and-message who message)
                       (list (make-irritants-condition irritants)))))))
    ((out-of-memory)
     (r6rs-raise (apply condition
                        (append (who-and-message who message)
                                (list (make-out-of-memory-error))))))
    ((fasl-read fasl-header)
     (raise-compound who message
                     (if (eq? kind 'fasl-header)
                         (list (make-fasl-read-error extra)
                               (make-i/o-wrong-fasl-header-error))
                         (list (make-fasl-read-error extra)))
                     irritants))
    (else
     (error "%vc-raise: unknown kind" kind))))

;;; conditions.scm ends here
