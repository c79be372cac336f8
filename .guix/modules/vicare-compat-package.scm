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
  #:use-module (ice-9 rdelim)
  #:use-module (ice-9 regex)
  #:use-module (gnu packages autotools)
  #:use-module (gnu packages guile)
  #:use-module (gnu packages multiprecision)
  #:use-module (gnu packages pkg-config)
  #:use-module (gnu packages texinfo))

;; The top directory: this file is .guix/modules/vicare-compat-package.scm.
(define %top-directory
  (dirname (dirname (current-source-directory))))

(define %checkout?
  ;; A git checkout has its own .git; an unpacked release tarball has none
  ;; (it may sit inside another git work tree, which is not ours).
  (file-exists? (string-append %top-directory "/.git")))

(define vcs-file?
  ;; In a git checkout, the files under version control; elsewhere (an
  ;; unpacked release tarball) every file.
  (or (and %checkout? (git-predicate %top-directory))
      (const #t)))

(define %release
  ;; The version of AC_INIT in configure.ac, so that it never drifts.
  (call-with-input-file (string-append %top-directory "/configure.ac")
    (lambda (port)
      (let loop ()
        (let ((line (read-line port)))
          (cond ((eof-object? line)
                 (error "no AC_INIT version in configure.ac"))
                ((string-match "^AC_INIT\\(\\[[^]]*\\], *\\[([^]]+)\\]" line)
                 => (lambda (m) (match:substring m 1)))
                (else (loop))))))))

(define-public guile-vicare-compat
  (package
    (name "guile-vicare-compat")
    ;; A checkout may be past the release it names: "-git" says so.
    (version (if %checkout? (string-append %release "-git") %release))
    (source (local-file "../.."
                        (if %checkout?
                            "guile-vicare-compat-checkout"
                            (string-append "guile-vicare-compat-" %release))
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
