;;; (vicare-compat alias) -- build modules named as in Vicare.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Commentary:
;;;
;;; The modules (vicare), (vicare posix), ... are thin aliases: each one
;;; exports every public binding of the modules it stands for.  A name that
;;; a core Guile binding also has, with another meaning, is marked as a
;;; replacement -- as the source module marks it, or because it differs
;;; from Guile's -- so that importing an alias prints no warning.
;;;
;;; Code:

(define-module (vicare-compat alias)
  #:export (re-export-modules!))

(define* (re-export-modules! module sources #:key (except '()))
  "Export from MODULE every public binding of the modules named in the
list SOURCES, except the names in the list EXCEPT; when two sources have
a name, the first wins."
  (let ((public (module-public-interface module))
        (core (resolve-module '(guile))))
    (for-each
     (lambda (source)
       (let ((iface (resolve-interface source)))
         (module-for-each
          (lambda (name var)
            (unless (or (module-local-variable public name)
                        (memq name except))
              (when (or (hashq-ref (module-replacements iface) name)
                        (let ((core-var (module-variable core name)))
                          (and core-var (not (eq? core-var var)))))
                (hashq-set! (module-replacements public) name #t))
              (module-add! public name var)))
          iface)))
     sources)))
