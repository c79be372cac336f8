;;; (vicare) -- Vicare's base library, as a Vicare program imports it.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Commentary:
;;;
;;; A Vicare program imports (vicare) for the whole language: R6RS plus
;;; pointers, memory, FASL, unwind-protect and friends, and Vicare's exit.
;;; This alias exports every public binding of (vicare-compat) and of
;;; Guile's (rnrs), (rnrs eval), (rnrs mutable-pairs) and (rnrs
;;; mutable-strings), as Vicare's (vicare) does, and the names of Vicare's
;;; base language in the package's areas that Guile's core has with
;;; another meaning: gensym (and the rest of Vicare's gensym procedures),
;;; make-parameter and parameterize (with parametrise and parameterise),
;;; and strerror (of (vicare-compat posix): it takes negated errno codes).
;;; Where two have a name, the first wins: R6RS's guard as Vicare runs it
;;; (clauses tested after unwinding, see (vicare-compat guard)), Vicare's
;;; define-values (with its body form), then (vicare-compat)'s exit and
;;; Vicare's endianness (which also takes network and native).
;;; Names that differ from Guile's core bindings are replacements, so the
;;; import prints no warning.  When `guile FILE' runs a Vicare program,
;;; the program is run as Vicare's manual shows it, values printed: see
;;; (vicare-compat program).
;;;
;;; Code:

(define-module (vicare)
  #:use-module (vicare-compat alias)
  #:use-module (vicare-compat program)
  #:use-module ((vicare-compat posix) #:select ((strerror . posix-strerror)))
  #:re-export-and-replace ((posix-strerror . strerror)))

(re-export-modules! (current-module)
                    '((vicare-compat guard)
                      (vicare-compat language-extensions syntaxes)
                      (vicare-compat parameters) (vicare-compat gensyms)
                      (vicare-compat) (rnrs) (rnrs eval) (rnrs mutable-pairs)
                      (rnrs mutable-strings)))

;; Last: the program imports this very module, which must be complete.
(run-program-file-if-main! '(vicare))
