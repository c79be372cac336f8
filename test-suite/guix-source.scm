;;; guix-source.scm -- what guix.scm in DIR gives Guix as the package's
;;; source, computed without Guix.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Commentary:
;;;
;;;   guile --no-auto-compile test-suite/guix-source.scm DIR
;;;
;;; loads DIR/guix.scm over stand-ins of the few Guix modules it uses, then
;;; writes one datum: the package's name, version and home page, the file
;;; name given to local-file, the absolute directory it resolves to, the
;;; store name, and the files (relative to that directory) that Guix would
;;; add to the store, walking it as 'interned-file' does with the select?
;;; predicate.  The stand-ins follow Guix's own definitions where the
;;; result depends on them: local-file resolves a literal file name against
;;; current-source-directory (the directory of the file the form was read
;;; from, searched in %load-path when that name is relative), and
;;; git-predicate discovers the repository upwards from its directory and
;;; selects the files of HEAD's tree under it (here through the git
;;; command), or is #f outside a repository.  The build itself, the
;;; inputs and the gexps are not checked.
;;;
;;; Code:

(define-module (guix utils)
  #:use-module (ice-9 match)
  #:export (current-source-directory))

(define (absolute-dirname file)
  (match (search-path %load-path file)
    (#f #f)
    ((? string? file)
     (if (string-prefix? "/" file)
         (dirname file)
         (canonicalize-path (dirname file))))))

(define-syntax current-source-directory
  (lambda (s)
    (syntax-case s ()
      ((_)
       (match (assq 'filename (or (syntax-source s) '()))
         (('filename . (? string? file-name))
          (if (string-prefix? "/" file-name)
              (dirname file-name)
              #`(absolute-dirname #,file-name)))
         (_ #f))))))

(define-module (guix gexp)
  #:use-module (guix utils)
  #:export (local-file gexp))

;; #~EXP is a gexp; here, a quoted form.
(read-hash-extend #\~ (lambda (c port) (list 'gexp (read port))))
(define-syntax-rule (gexp exp) 'exp)

(define (absolute-file-name file directory)
  (canonicalize-path
   (cond ((string-prefix? "/" file) file)
         ((not directory) file)
         ((string-prefix? "/" directory) (string-append directory "/" file))
         (else file))))

(define* (%local-file file promise #:optional (name (basename file))
                      #:key recursive? (select? (lambda (file stat) #t)))
  `((file . ,file) (absolute . ,(force promise)) (name . ,name)
    (recursive? . ,recursive?) (select? . ,select?)))

(define-syntax local-file
  (lambda (s)
    (syntax-case s ()
      ((_ file rest ...)
       (string? (syntax->datum #'file))
       #'(%local-file file
                      (delay (absolute-file-name file (current-source-directory)))
                      rest ...))
      ((_ file rest ...)
       #'(%local-file file (delay (absolute-file-name file (getcwd)))
                      rest ...)))))

(define-module (guix git-download)
  #:use-module (ice-9 popen)
  #:use-module (ice-9 rdelim)
  #:use-module (srfi srfi-1)
  #:export (git-predicate))

(define (command-lines command)
  ;; The lines COMMAND prints, or #f when it fails.
  (let* ((port (open-input-pipe command))
         (lines (let loop ((acc '()))
                  (let ((line (read-line port)))
                    (if (eof-object? line) (reverse acc) (loop (cons line acc)))))))
    (and (zero? (status:exit-val (close-pipe port))) lines)))

(define (git-predicate directory)
  (let* ((directory (canonicalize-path directory))
         (files (command-lines
                 (string-append
                  "cd '" directory "' && prefix=`git rev-parse --show-prefix` && "
                  "git ls-tree -r -t --name-only --full-tree HEAD | "
                  "sed -n \"s|^$prefix||p\" 2>/dev/null"))))
    (and files
         (let ((inodes (filter-map
                        (lambda (file)
                          (let ((st (false-if-exception
                                     (lstat (string-append directory "/" file)))))
                            (and st (cons (stat:ino st) (stat:dev st)))))
                        files)))
           (lambda (file stat)
             (let ((entry (assv (stat:ino stat) inodes)))
               (and entry (= (cdr entry) (stat:dev stat)))))))))

(define-module (guix packages)
  #:export (package))

;; A package is the alist of its fields.
(define-syntax-rule (package (field value) ...)
  (list (cons 'field value) ...))

(define-module (guix build-system gnu) #:export (gnu-build-system))
(define gnu-build-system 'gnu-build-system)
(define-module (guix licenses) #:export (gpl3+))
(define gpl3+ 'gpl3+)
(define-module (gnu packages autotools) #:export (autoconf automake libtool))
(define autoconf 'autoconf)
(define automake 'automake)
(define libtool 'libtool)
(define-module (gnu packages guile) #:export (guile-3.0))
(define guile-3.0 'guile-3.0)
(define-module (gnu packages multiprecision) #:export (gmp))
(define gmp 'gmp)
(define-module (gnu packages pkg-config) #:export (pkg-config))
(define pkg-config 'pkg-config)
(define-module (gnu packages texinfo) #:export (texinfo))
(define texinfo 'texinfo)

;;; ------------------------------------------------------------ the check

(define-module (guix-source)
  #:declarative? #f
  #:use-module (ice-9 ftw)
  #:use-module (srfi srfi-1))

(define top (canonicalize-path (cadr (command-line))))
(define pkg (load (string-append top "/guix.scm")))
(define source (assq-ref pkg 'source))
(define root (assq-ref source 'absolute))
(define select? (assq-ref source 'select?))

(define (walk dir)
  ;; The files under DIR that SELECT? keeps, relative to ROOT; an excluded
  ;; directory is not entered.
  (append-map
   (lambda (entry)
     (let* ((file (string-append dir "/" entry))
            (stat (lstat file)))
       (if (select? file stat)
           (cons (string-drop file (+ 1 (string-length root)))
                 (if (eq? (stat:type stat) 'directory) (walk file) '()))
           '())))
   (or (scandir dir (lambda (e) (not (member e '("." ".."))))) '())))

(write `((name . ,(assq-ref pkg 'name))
         (version . ,(assq-ref pkg 'version))
         (home-page . ,(assq-ref pkg 'home-page))
         (local-file . ,(assq-ref source 'file))
         (store-name . ,(assq-ref source 'name))
         (recursive? . ,(assq-ref source 'recursive?))
         (directory . ,root)
         (files . ,(walk root))))
(newline)
