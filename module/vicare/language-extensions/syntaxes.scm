;;; (vicare language-extensions syntaxes) -- Vicare's module name for (vicare-compat language-extensions syntaxes).
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Commentary:
;;;
;;; An alias, so that a Vicare program's import form works as written:
;;; it exports every public binding of (vicare-compat language-extensions syntaxes).
;;;
;;; Code:

(define-module (vicare language-extensions syntaxes)
  #:use-module (vicare-compat alias))

(re-export-modules! (current-module) '((vicare-compat language-extensions syntaxes)))
