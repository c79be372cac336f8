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

(test-group "issue 13 review L5: configure again, link again"
  ;; The link records the installation directory.  (-o Makefile: the
  ;; Makefile, which config.status makes, is not remade for this question.)
  (test-assert "a new config.status links the extension again"
    (let ((out (make-would "-o" "Makefile" "-W" "config.status"
                           "src/vicare-compat.la")))
      (and out (string-contains out "-rpath") #t))))

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

;;; build-aux/install-advice: the configure line it advises keeps the
;;; options the user gave that choose no directory.
(define (advised-line . configure-args)
  "The configure line that install-advice prints for a /usr/local
installation beside a Guile in /usr, given CONFIGURE-ARGS (as configure
quotes them), with the directories of Guile's own layout, or not."
  (call-with-values
      (lambda ()
        (apply run-program "sh"
               (string-append (or (getenv "abs_top_srcdir") ".")
                              "/build-aux/install-advice")
               "configure" "/usr/local/share/guile/site/3.0"
               "/usr/local/lib/guile/3.0/site-ccache"
               "/usr/share/guile/site/3.0"
               "/usr/lib/x86_64-linux-gnu/guile/3.0/site-ccache"
               "/usr/lib/x86_64-linux-gnu/guile/3.0/extensions"
               "/usr" "/usr/lib/x86_64-linux-gnu" "3.0" configure-args))
    (lambda (out status)
      (and (zero? status)
           (let ((start (string-contains out "./configure")))
             (and start
                  (substring out start (string-index out #\newline start))))))))

(test-group "issue 13 review L8: the advised configure line"
  (test-equal "keeps the user's options, with the directories replaced"
    "./configure --prefix=/usr --libdir=/usr/lib/x86_64-linux-gnu --disable-vicare-aliases 'CFLAGS=-O0 -g' 'it'\\''s'"
    (advised-line "'--prefix=/opt/x' '--disable-vicare-aliases' '--libdir' '/opt/lib' '--datadir=/d' 'CFLAGS=-O0 -g' 'it'\\''s'"))
  (test-equal "with no options, the directories alone"
    "./configure --prefix=/usr --libdir=/usr/lib/x86_64-linux-gnu"
    (advised-line "")))

(test-end "build")
