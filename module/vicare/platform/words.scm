;;; (vicare platform words) -- Vicare's module name for (vicare-compat platform words).
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Commentary:
;;;
;;; An alias, so that a Vicare program's import form works as written:
;;; it exports every public binding of (vicare-compat platform words).
;;;
;;; Code:

(define-module (vicare platform words)
  #:use-module (vicare-compat alias))

(re-export-modules! (current-module) '((vicare-compat platform words)))
