;;; (vicare platform constants) -- Vicare's module name for (vicare-compat platform constants).
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Commentary:
;;;
;;; An alias, so that a Vicare program's import form works as written:
;;; it exports every public binding of (vicare-compat platform constants).
;;;
;;; Code:

(define-module (vicare platform constants)
  #:use-module (vicare-compat alias))

(re-export-modules! (current-module) '((vicare-compat platform constants)))
