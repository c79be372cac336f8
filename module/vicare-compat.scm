;;; (vicare-compat) -- Vicare Scheme's shared-memory toolbox for Guile.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Commentary:
;;;
;;; The umbrella module: (use-modules (vicare-compat)) gives the pointer,
;;; memory, C-string and FASL operations, Vicare's syntaxes and condition types, the
;;; platform constants a shared-memory program needs, `fxior', and
;;; Vicare's `exit'.  `exit' is the one core Guile binding it replaces
;;; (declared with #:replace, so no warning): Vicare's exit ends the
;;; process without unwinding.  The POSIX calls are in
;;; (vicare-compat posix), meant for a px. prefix.
;;;
;;; The pointer, memory, C-string, atomics and FASL modules are re-exported
;;; whole; of the syntaxes, conditions and constants, the list below.
;;;
;;; Code:

(define-module (vicare-compat)
  #:use-module (vicare-compat alias)
  #:use-module (vicare-compat conditions)
  #:use-module (vicare-compat language-extensions syntaxes)
  #:use-module (vicare-compat platform constants)
  #:use-module (vicare-compat exit)
  #:use-module ((rnrs arithmetic fixnums) #:select (fxior))
  #:re-export-and-replace (exit)
  #:re-export (;; syntaxes
               unwind-protect with-unwind-protection with-unwind-handler
               unwinding-call/cc
               begin0 define-inline define-integrable
               define-constant define-inline-constant
               define-values receive receive-and-return xor set-cons!
               callet callet* define-syntax-rule
               ;; constants used by the shared-memory appendix
               _SC_PAGESIZE PROT_READ PROT_WRITE MAP_SHARED MAP_ANONYMOUS
               SIZEOF_INT
               ;; conditions
               &procedure-argument-violation
               make-procedure-argument-violation
               procedure-argument-violation?
               &procedure-signature-argument-violation
               procedure-signature-argument-violation?
               &procedure-arguments-consistency-violation
               procedure-arguments-consistency-violation?
               procedure-argument-violation
               procedure-arguments-consistency-violation
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
               ;; R6RS
               fxior))

;; Every public name of these areas, without repeating their export lists.
(re-export-modules! (current-module)
                    '((vicare-compat pointers)
                      (vicare-compat memory)
                      (vicare-compat cstrings)
                      (vicare-compat atomics)
                      (vicare-compat fasl)))
