;;; build.scm -- the build rebuilds what a change makes stale.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later
;;;
;;; Asks make, in the build tree, what it would do (make -n; nothing is
;;; built) if a module's source had just changed (-W FILE).

(use-modules (test-suite harness))

(test-begin "build")

(define builddir (or (getenv "abs_top_builddir") "."))

(define (make-would . args)
  "The commands make would run in the build tree for ARGS, as a string."
  (call-with-values
      (lambda ()
        ;; Not the jobs or flags of the make running this test.  config.h
        ;; is taken as up to date: automake's rule for it has a recipe,
        ;; so make -n would assume it changed.
        (apply run-program "env" "-u" "MAKEFLAGS" "-u" "MFLAGS" "-u" "MAKELEVEL"
               (or (getenv "MAKE") "make") "-s" "-n" "-o" "config.h"
               "-C" builddir "V=1" args))
    (lambda (out status) (and (zero? status) out))))

(define (rebuilds? out go)
  (and out (string-contains out (string-append "-o \"" go "\"")) #t))

(define syntaxes "module/vicare-compat/language-extensions/syntaxes.scm")

(test-group "issue 10 review L6: compiled modules depend on what they import"
  (test-equal "nothing to do for an up-to-date module" #f
    (rebuilds? (make-would "module/vicare-compat/guard.go")
               "module/vicare-compat/guard.go"))
  (test-assert "a changed macro module rebuilds the modules that use it"
    (rebuilds? (make-would "-W" syntaxes "module/vicare-compat/guard.go")
               "module/vicare-compat/guard.go"))
  (test-assert "... through the modules in between"
    ;; memory uses pointers, which uses conditions.
    (rebuilds? (make-would "-W" "module/vicare-compat/conditions.scm"
                           "module/vicare-compat/memory.go")
               "module/vicare-compat/memory.go"))
  (test-equal "a module that does not use it is left alone" #f
    (rebuilds? (make-would "-W" syntaxes "module/vicare-compat/atomics.go")
               "module/vicare-compat/atomics.go")))

(test-end "build")
