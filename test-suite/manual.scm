;;; manual.scm -- every exported name is documented in the manual.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later
;;;
;;; Collects the names defined by @deffn, @defvr, @deftp and their x forms
;;; in doc/*.texi, and checks them against the export list of every public
;;; module.  An export missing from the manual fails the suite; so does a
;;; documented procedure without a docstring, and a docstring with Texinfo
;;; markup in it (docstrings are plain text, read at the REPL).

(use-modules (test-suite harness)
             (ice-9 rdelim)
             (ice-9 regex)
             (srfi srfi-1))

(test-begin "manual")

(define srcdir (or (getenv "abs_top_srcdir") "."))

(define (scandir* dir)
  (let ((d (opendir dir)))
    (let loop ((acc '()))
      (let ((e (readdir d)))
        (if (eof-object? e)
            (begin (closedir d) acc)
            (loop (cons e acc)))))))

(define texi-files
  (map (lambda (f) (string-append srcdir "/doc/" f))
       (filter (lambda (f) (string-suffix? ".texi" f))
               (scandir* (string-append srcdir "/doc")))))

;; "@deffn {Scheme Procedure} name args" -> name
(define def-rx
  (make-regexp "^@def(fn|vr|tp|mac|spec|un|var|opt)x? +(\\{[^}]*\\}|[^ ]+) +([^ ]+)"))

(define (unescape name)
  ;; Texinfo escapes: @@ -> @, @{ -> {, @} -> }
  (regexp-substitute/global #f "@([@{}])" name 'pre 1 'post))

(define documented
  (let ((table (make-hash-table)))
    (for-each
     (lambda (file)
       (call-with-input-file file
         (lambda (port)
           (let loop ()
             (let ((line (read-line port)))
               (unless (eof-object? line)
                 (let ((m (regexp-exec def-rx line)))
                   (when m
                     (hash-set! table
                                (string->symbol
                                 (unescape (match:substring m 3)))
                                #t)))
                 (loop)))))))
     texi-files)
    table))

(define (module-exports name)
  (module-map (lambda (sym var) sym) (resolve-interface name)))

(for-each
 (lambda (name)
   (test-assert (format #f "~a exists" name)
     (false-if-exception (resolve-interface name))))
 public-modules)

(test-assert "the manual defines names" (> (hash-count (const #t) documented) 0))

;; Guile's own bindings that a module re-exports are documented in
;; Guile's manual, with or without a docstring (guile-binding?, in the
;; harness).
(for-each
 (lambda (name)
   (let* ((exports (module-exports name))
          (iface (resolve-interface name))
          (missing (sort (filter (lambda (s)
                                   (and (not (hash-ref documented s))
                                        ;; Guile's own, in Guile's manual
                                        (not (guile-binding? iface s))
                                        ;; private helpers are not public API
                                        (not (string-prefix? "%" (symbol->string s)))))
                                 exports)
                         (lambda (a b) (string<? (symbol->string a)
                                                 (symbol->string b))))))
     (test-equal (format #f "~a: every export is in the manual" name)
       '() missing)))
 public-modules)

(for-each
 (lambda (name)
   (let* ((iface (resolve-interface name))
          (undocumented
           (filter-map
            (lambda (sym)
              (let ((v (module-ref iface sym)))
                (and (procedure? v)
                     (not (procedure-documentation v))
                     (not (guile-binding? iface sym))
                     sym)))
            (module-exports name))))
     (test-equal (format #f "~a: every exported procedure has a docstring" name)
       '() undocumented)))
 public-modules)

;; Docstrings are plain text, as `,describe' shows them: arguments in
;; upper case, names quoted 'like-this'; Texinfo lives in doc/ only.  Every
;; module of the source tree is checked, internal ones included, and every
;; procedure defined in it, exported or not.
(define (source-modules)
  (let ((root (string-append srcdir "/module/")))
    (let walk ((dir "vicare-compat") (acc '((vicare-compat))))
      (fold (lambda (entry acc)
              (let ((rel (string-append dir "/" entry)))
                (cond ((member entry '("." "..")) acc)
                      ((file-is-directory? (string-append root rel))
                       (walk rel acc))
                      ((string-suffix? ".scm" entry)
                       (cons (map string->symbol
                                  (string-split (string-drop-right rel 4) #\/))
                             acc))
                      (else acc))))
            acc
            (scandir* (string-append root dir))))))

(define (docstrings-with-markup module-name)
  (let ((module (resolve-module module-name #:ensure #f)))
    (if (not module)
        (list (list module-name 'not-loaded))
        (filter-map
         (lambda (sym)
           (let* ((var (module-variable module sym))
                  (v (and var (variable-bound? var) (variable-ref var)))
                  (doc (and (procedure? v) (procedure-documentation v))))
             (and (string? doc) (string-index doc #\@) sym)))
         (module-map (lambda (sym var) sym) module)))))

(let ((modules (source-modules)))
  (test-assert "the source tree has modules to check" (> (length modules) 10))
  (for-each
   (lambda (name)
     (test-equal (format #f "~a: no Texinfo in docstrings" name)
       '() (docstrings-with-markup name)))
   modules))

(test-end "manual")
