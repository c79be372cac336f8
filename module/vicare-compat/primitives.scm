;;; (vicare-compat primitives) -- the C extension's primitives.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Commentary:
;;;
;;; Private module: loading the extension defines and exports every C
;;; primitive here, under its public Scheme name.  The public modules
;;; import this one with a prefix and re-export what they make public.
;;; The extension is loaded at expansion time too, so the compiler sees
;;; the bindings and gives no "possibly unbound variable" warnings.  Set
;;; VICARE_COMPAT_CROSS_COMPILING when compiling for another machine,
;;; whose extension cannot be loaded here.
;;;
;;; Code:

(define-module (vicare-compat primitives)
  #:use-module (vicare-compat config)
  ;; The C side raises through (vicare-compat conditions): load it first.
  #:use-module ((vicare-compat conditions) #:select ()))

(eval-when (expand load eval)
  (unless (getenv "VICARE_COMPAT_CROSS_COMPILING")
    (load-extension (vicare-compat-extension-file) "vc_init")))
