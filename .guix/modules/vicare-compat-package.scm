;;; vicare-compat-package.scm -- Guix package for guile-vicare-compat.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later
;;;
;;; The package of this checkout, or of an unpacked release tarball, in
;;; the form Guix's manual recommends for a repository that is its own
;;; channel (.guix-channel).  From the top directory:
;;;
;;;   guix build -f guix.scm           build the package
;;;   guix shell -D -f guix.scm        a development environment

(define-module (vicare-compat-package)
  #:use-module (guix packages)
  #:use-module (guix gexp)
  #:use-module (guix utils)
  #:use-module (guix git-download)
  #:use-module (guix build-system gnu)
  #:use-module ((guix licenses) #:prefix license:)
  #:use-module (gnu packages autotools)
  #:use-module (gnu packages guile)
  #:use-module (gnu packages multiprecision)
  #:use-module (gnu packages pkg-config)
  #:use-module (gnu packages texinfo))

;; The top directory: this file is .guix/modules/vicare-compat-package.scm.
(define %top-directory
  (dirname (dirname (current-source-directory))))

(define vcs-file?
  ;; In a git checkout, the files under version control; elsewhere (an
  ;; unpacked release tarball) every file.  The tarball may sit inside
  ;; another git work tree, whose predicate would select none of its files:
  ;; so git is asked only when the top directory has its own .git.
  (or (and (file-exists? (string-append %top-directory "/.git"))
           (git-predicate %top-directory))
      (const #t)))

(define-public guile-vicare-compat
  (package
    (name "guile-vicare-compat")
    (version "0.1.0-git")
    (source (local-file "../.." "guile-vicare-compat-checkout"
                        #:recursive? #t
                        #:select? vcs-file?))
    (build-system gnu-build-system)
    (arguments
     (list
      ;; The FASL interoperability tests need Ikarus, which Guix lacks;
      ;; they report themselves skipped.
      #:make-flags #~(list "GUILE_AUTO_COMPILE=0")))
    (native-inputs (list autoconf automake libtool pkg-config texinfo
                         guile-3.0))
    (inputs (list guile-3.0 gmp))           ;src/ includes gmp.h
    (synopsis "Vicare Scheme's shared-memory toolbox for Guile")
    (description
     "guile-vicare-compat gives GNU Guile what Vicare Scheme had for sharing
memory and data between processes: mmap, typed peek and poke on raw memory,
POSIX shared memory and semaphores, fork and waitpid, and a fast binary codec
for Scheme data (FASL) that is byte-compatible with Ikarus and Vicare, under
Vicare's own names.")
    (home-page "https://example.invalid/guile-vicare-compat")
    (license license:gpl3+)))

guile-vicare-compat
