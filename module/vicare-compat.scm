;;; (vicare-compat) -- Vicare Scheme's shared-memory toolbox for Guile.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Commentary:
;;;
;;; The umbrella module: (use-modules (vicare-compat)) gives the pointer,
;;; memory, C-string and FASL operations, Vicare's syntaxes and condition types, the
;;; platform constants a shared-memory program needs, `fxior', and
;;; Vicare's `exit' and `define-values'.  They are the core Guile
;;; bindings it replaces (declared with #:replace, so no warning):
;;; Vicare's exit ends the process without unwinding; Vicare's
;;; define-values also takes a body, (define-values FORMALS FORM0 FORM
;;; ...), and every form Guile's takes keeps its meaning.  The POSIX
;;; calls are in (vicare-compat posix), meant for a px. prefix.
;;;
;;; The pointer, memory, C-string, atomics, FASL and syntaxes modules are
;;; re-exported whole; of the conditions and constants, the list below.
;;; So that Vicare's appendix programs run with only this module and the
;;; posix one, it also re-exports Guile's own (rnrs bytevectors), the two
;;; bytevector ports of (rnrs io ports) and let-values: the same bindings
;;; as those modules, so importing them too is harmless -- but for
;;; endianness, Vicare's (it also takes network and native), a
;;; replacement that keeps the meaning of R6RS's forms, so importing
;;; (rnrs bytevectors) too prints no warning.  Of Vicare's gensyms, the
;;; two that tell them apart: gensym? and gensym->unique-string.
;;;
;;; Code:

(define-module (vicare-compat)
  #:use-module (vicare-compat alias)
  #:use-module (vicare-compat conditions)
  #:use-module (vicare-compat platform constants)
  #:use-module (vicare-compat exit)
  #:use-module ((vicare-compat gensyms) #:select (gensym? gensym->unique-string))
  #:use-module ((rnrs arithmetic fixnums) #:select (fxior))
  #:use-module ((rnrs io ports)
                #:select (open-bytevector-input-port
                          open-bytevector-output-port))
  #:use-module ((srfi srfi-11) #:select (let-values let*-values))
  #:re-export-and-replace (exit)
  #:re-export (;; constants used by the shared-memory appendix
               _SC_PAGESIZE PROT_READ PROT_WRITE MAP_SHARED MAP_ANONYMOUS
               SIZEOF_INT
               ;; conditions
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
               &out-of-memory-error
               make-out-of-memory-error
               out-of-memory-error?
               &errno make-errno-condition errno-condition? condition-errno
               &i/o-eagain make-i/o-eagain i/o-eagain-error?
               &non-reinstatable make-non-reinstatable-violation
               non-reinstatable-violation?
               &i/o-wrong-fasl-header-error make-i/o-wrong-fasl-header-error
               i/o-wrong-fasl-header-error?
               &fasl-read-error make-fasl-read-error fasl-read-error?
               fasl-read-error-offset
               ;; R6RS, for the appendix programs
               fxior open-bytevector-input-port open-bytevector-output-port
               let-values let*-values
               ;; FASL gensyms
               gensym? gensym->unique-string))

;; Every public name of these areas, without repeating their export lists.
(re-export-modules! (current-module)
                    '((vicare-compat pointers)
                      (vicare-compat memory)
                      (vicare-compat cstrings)
                      (vicare-compat atomics)
                      (vicare-compat fasl)
                      (vicare-compat language-extensions syntaxes)
                      (vicare-compat bytevectors)))
