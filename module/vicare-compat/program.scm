;;; (vicare-compat program) -- run a Vicare program file as Vicare's manual
;;; shows it.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Commentary:
;;;
;;; Vicare's manual gives each example program with its result
;;; ("=> 1234").  When `guile FILE' runs a file that begins with #!r6rs
;;; and whose first form imports (vicare), loading (vicare) runs that
;;; program here: each top-level form is evaluated in a fresh module, the
;;; values of expressions are written one per line (unspecified values and
;;; no values print nothing), and the process then exits with Vicare's
;;; exit -- before Guile would evaluate the file a second time.  With
;;; auto-compilation on, the file is also compiled to Guile's cache, so
;;; later runs print no compilation notes.  Nothing
;;; happens at the REPL, with `guile -c', or for any other script.
;;;
;;; Code:

(define-module (vicare-compat program)
  #:use-module (ice-9 rdelim)
  #:use-module ((system base compile) #:select (compile-file compiled-file-name))
  #:use-module ((vicare-compat exit) #:select ((exit . vicare-exit)))
  #:export (run-program-file-if-main!))

(define started? #f)

(define (importer-of? form library)
  ;; (import spec ...) where a spec is LIBRARY, maybe wrapped in
  ;; (prefix ...), (only ...), (except ...), (rename ...) or (for ...).
  (define (names spec)
    (cond ((and (pair? spec)
                (memq (car spec) '(prefix only except rename for))
                (pair? (cdr spec)))
           (names (cadr spec)))
          (else spec)))
  (and (pair? form) (eq? (car form) 'import) (list? form)
       (any-spec? (lambda (spec) (equal? (names spec) library)) (cdr form))))

(define (any-spec? pred specs)
  (and (pair? specs) (or (pred (car specs)) (any-spec? pred (cdr specs)))))

(define (main-program-file library)
  "The file of the running script, if it is an R6RS program that imports
LIBRARY, else #f."
  (let ((args (command-line)))
    (and (pair? args)
         (let ((file (car args)))
           (and (string? file)
                (file-exists? file)
                (not (file-is-directory? file))
                (false-if-exception
                 (call-with-input-file file
                   (lambda (port)
                     (let ((line (read-line port)))
                       (and (string? line)
                            (string-prefix? "#!r6rs" line)
                            (importer-of? (read port) library)
                            file))))))))))

(define (show-values . vals)
  (for-each (lambda (v)
              (unless (unspecified? v)
                (write v)
                (newline)))
            vals))

(define (fresh-compiled? file)
  (let ((go (compiled-file-name file)))
    (and go (file-exists? go)
         (>= (stat:mtime (stat go)) (stat:mtime (stat file))))))

(define (finish-auto-compilation! file)
  ;; When Guile auto-compiles FILE, it loads this module in the middle of
  ;; the compilation, which the exit below cuts short: compile FILE to
  ;; Guile's cache here, quietly, so that the next run starts from the
  ;; cached .go and prints no compilation notes.
  (when (and %load-should-auto-compile (not (fresh-compiled? file)))
    (false-if-exception
     (with-error-to-port (%make-void-port "w")
       (lambda ()
         (parameterize ((current-warning-port (%make-void-port "w")))
           (compile-file file #:opts %auto-compilation-options)))))
    (remove-interrupted-output! (compiled-file-name file))))

(define (remove-interrupted-output! go)
  ;; The interrupted compilation left its temporary file, GO.XXXXXX.
  (let* ((dir (dirname go))
         (prefix (string-append (basename go) "."))
         (stream (false-if-exception (opendir dir))))
    (when stream
      (let loop ()
        (let ((entry (readdir stream)))
          (unless (eof-object? entry)
            (when (and (string-prefix? prefix entry)
                       (= (string-length entry) (+ 6 (string-length prefix))))
              (false-if-exception (delete-file (string-append dir "/" entry))))
            (loop))))
      (closedir stream))))

(define (run-program-file-if-main! library)
  "If the running script is an R6RS program importing LIBRARY, run it
now, writing the values of its top-level expressions, then exit."
  (let ((file (and (not started?) (main-program-file library))))
    (when file
      (set! started? #t)
      (let ((module (make-fresh-user-module)))
        (save-module-excursion
         (lambda ()
           (set-current-module module)
           (call-with-input-file file
             (lambda (port)
               (let loop ()
                 (let ((form (read-syntax port)))
                   (unless (eof-object? form)
                     (call-with-values (lambda () (eval form module))
                       show-values)
                     (loop))))))))
        (finish-auto-compilation! file)
        (vicare-exit 0)))))
