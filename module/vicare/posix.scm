;;; (vicare posix) -- Vicare's module name for (vicare-compat posix).
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Commentary:
;;;
;;; An alias, so that a Vicare program's import form works as written:
;;; it exports every public binding of (vicare-compat posix).
;;;
;;; Code:

(define-module (vicare posix)
  #:use-module (vicare-compat alias))

(re-export-modules! (current-module) '((vicare-compat posix)))
