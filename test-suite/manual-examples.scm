;;; manual-examples.scm -- every example of the manual runs as printed.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later
;;;
;;; Every @lisp, @example, @smalllisp and @smallexample block of doc/*.texi
;;; is an example, and every example is run, each in its own Guile
;;; process, unless it is marked.
;;;
;;; Marking an example that is not meant to run (a shell command, a
;;; fragment with @dots{} or with names that stand for the reader's own):
;;; put a Texinfo comment with the reason on the line just before it,
;;;     @c not-run: shell commands
;;;     @example
;;; The reason is required; a marker not followed by a block fails.
;;;
;;; Imports: an example runs with its own `use-modules' forms.  One
;;; without any runs after those of the nearest example above it in the
;;; same file that has some (the chapter's import line, as the text shows
;;; it).  An example starting with #!r6rs is a program: it is run as a
;;; file with `guile FILE'.
;;;
;;; Results: "@result{} VALUE", on its own line or after a form on the same
;;; line, is the value of the last top-level form that ends before it, as
;;; `write' prints it (compared as data when VALUE reads as one, else as
;;; text; several values are written separated by a space).  In a program,
;;; the @result{} values are the lines it prints, in order.  Every example
;;; must finish with nothing on its standard error (no warning either) and
;;; exit status 0.

(use-modules (test-suite harness)
             (srfi srfi-1)
             (srfi srfi-11)
             (ice-9 rdelim)
             (ice-9 regex)
             (ice-9 textual-ports))

(test-begin "manual-examples")

(define srcdir (or (getenv "abs_top_srcdir") "."))
(define tmpdir (or (getenv "TMPDIR") "/tmp"))
(define runner (string-append srcdir "/test-suite/example-runner.scm"))

;;; ------------------------------------------------------------- extraction

;; An example: its file, the line of its @lisp/@example, its text lines and
;; the reason it is not run (#f when it runs).
(define (make-example file line lines reason) (list file line lines reason))
(define example-file car)
(define example-line cadr)
(define example-lines caddr)
(define example-reason cadddr)

(define (example-name ex)
  (format #f "doc/~a:~a" (example-file ex) (example-line ex)))

(define marker-rx (make-regexp "^@c not-run:[ \t]*(.*)$"))
(define begin-rx (make-regexp "^@(small)?(lisp|example)[ \t]*$"))
(define end-rx (make-regexp "^@end (small)?(lisp|example)[ \t]*$"))

(define stray-markers '())              ; markers with no block after them

(define (file-examples file)
  (call-with-input-file (string-append srcdir "/doc/" file)
    (lambda (port)
      (let loop ((n 1) (reason #f) (acc '()))
        (let ((line (read-line port)))
          (cond
           ((eof-object? line) (reverse acc))
           ((regexp-exec begin-rx line)
            (let body ((k (+ n 1)) (lines '()))
              (let ((l (read-line port)))
                (if (or (eof-object? l) (regexp-exec end-rx l))
                    (loop (+ k 1) #f
                          (cons (make-example file n (reverse lines) reason)
                                acc))
                    (body (+ k 1)
                          (if (member l '("@group" "@end group"))
                              lines
                              (cons l lines)))))))
           (else
            (when reason
              (set! stray-markers
                (cons (format #f "doc/~a:~a" file (- n 1)) stray-markers)))
            (let ((m (regexp-exec marker-rx line)))
              (loop (+ n 1) (and m (match:substring m 1)) acc)))))))))

(define texi-files
  (sort (filter (lambda (f) (string-suffix? ".texi" f))
                (let ((d (opendir (string-append srcdir "/doc"))))
                  (let loop ((acc '()))
                    (let ((e (readdir d)))
                      (if (eof-object? e)
                          (begin (closedir d) acc)
                          (loop (cons e acc)))))))
        string<?))

(define examples (append-map file-examples texi-files))

;;; ----------------------------------------------------------- Texinfo text

(define result-rx (make-regexp "@result\\{\\}[ \t]*(.*)$"))

(define (unescape text)
  (regexp-substitute/global #f "@([@{}])" text 'pre 1 'post))

;; The code of an example (@result{} parts removed, Texinfo unescaped) and
;; its results: a list of (LINE COLUMN EXPECTED), positions 0-based in the
;; code.  Any other Texinfo command is a placeholder: #f for the code.
(define (split-example lines)
  (let loop ((lines lines) (n 0) (code '()) (results '()))
    (if (null? lines)
        (let ((text (string-join (reverse code) "\n")))
          (values (and (not (string-match "@[a-zA-Z]" text)) (unescape text))
                  (reverse results)))
        (let* ((line (car lines))
               (m (regexp-exec result-rx line)))
          (if m
              (let ((before (match:prefix m)))
                (loop (cdr lines) (+ n 1) (cons before code)
                      (cons (list n (string-length (unescape before))
                                  (unescape (match:substring m 1)))
                            results)))
              (loop (cdr lines) (+ n 1) (cons line code) results))))))

;; The top-level forms of CODE, each as (FORM END-LINE END-COLUMN).
(define (read-forms code)
  (let ((port (open-input-string code)))
    (let loop ((acc '()))
      (let ((form (read port)))
        (if (eof-object? form)
            (reverse acc)
            (loop (cons (list form (port-line port) (port-column port))
                        acc)))))))

(define (before? line col form)
  (or (< (cadr form) line)
      (and (= (cadr form) line) (<= (caddr form) col))))

;; The index of the last form that ends before each result.
(define (result-owners forms results)
  (map (lambda (r)
         (let ((owner (last-index (lambda (f) (before? (car r) (cadr r) f))
                                  forms)))
           owner))
       results))

(define (last-index pred lst)
  (let loop ((lst lst) (i 0) (found #f))
    (if (null? lst)
        found
        (loop (cdr lst) (+ i 1) (if (pred (car lst)) i found)))))

(define (canonical text)
  ;; TEXT as `write' prints the datum it reads as, else with its blanks
  ;; collapsed.
  (let ((datum (false-if-exception
                (call-with-input-string text
                  (lambda (port)
                    (let ((d (read port)))
                      (and (not (eof-object? d))
                           (eof-object? (read port))
                           (list d))))))))
    (if datum
        (object->string (car datum))
        (string-join (string-tokenize text) " "))))

(define (use-modules-form? form)
  (and (pair? form) (eq? (car form) 'use-modules)))

;;; ---------------------------------------------------------------- running

(define (temp-file-name tag)
  (format #f "~a/vicare-compat-example-~a-~a" tmpdir (getpid) tag))

(define (run-shell command)
  "Run COMMAND with sh: its standard output, standard error, exit status."
  (let ((err (temp-file-name "err")))
    (let-values (((out status)
                  (run-program "sh" "-c" (string-append command " 2>" err))))
      (let ((err-text (call-with-input-file err get-string-all)))
        (delete-file err)
        (values out err-text status)))))

(define (write-file file text)
  (call-with-output-file file (lambda (port) (display text port))))

(define (run-forms imports forms owners)
  "Run the forms in a fresh process: the list of value texts (and the
error, if any), the standard error text and the exit status."
  (let ((forms-file (temp-file-name "forms.scm"))
        (result-file (temp-file-name "results.scm")))
    (call-with-output-file forms-file
      (lambda (port)
        (write (append (map (lambda (f) (list f #f)) imports)
                       (map (lambda (f i) (list (car f) (and (memv i owners) #t)))
                            forms (iota (length forms))))
               port)))
    (let-values (((out err status)
                  (run-shell (format #f "guile --no-auto-compile ~a ~a ~a"
                                     runner forms-file result-file))))
      (let ((results (if (file-exists? result-file)
                         (call-with-input-file result-file read)
                         (list (list 'error "no results" out)))))
        (delete-file forms-file)
        (when (file-exists? result-file) (delete-file result-file))
        (values results err status)))))

(define (run-program-example code)
  "Run CODE as a program file: its output lines, standard error, status."
  (let ((file (temp-file-name "program.sps")))
    (write-file file code)
    (let-values (((out err status)
                  (run-shell (string-append "guile --no-auto-compile " file))))
      (delete-file file)
      (values (string-tokenize out (char-set-complement (char-set #\newline)))
              err status))))

(define (check-example ex imports)
  (let-values (((code results) (split-example (example-lines ex))))
    (cond
     ((not code)
      (test-assert (string-append (example-name ex)
                                  " has a placeholder: mark it not-run")
        #f))
     ((string-prefix? "#!r6rs" code)
      (let-values (((lines err status) (run-program-example code)))
        (test-equal (example-name ex)
          (list (map (lambda (r) (canonical (caddr r))) results) "" 0)
          (list (map canonical lines) err status))))
     ((not (false-if-exception (read-forms code)))
      (test-assert (string-append (example-name ex)
                                  " does not read as Scheme: mark it not-run")
        #f))
     (else
      (let* ((forms (read-forms code))
             (owners (result-owners forms results)))
        (let-values (((values-out err status)
                      (run-forms imports forms owners)))
          (test-equal (example-name ex)
            (list (map (lambda (r) (canonical (caddr r))) results) "" 0)
            (list (map (lambda (v) (if (string? v) (canonical v) v))
                       values-out)
                  err status))))))))

;; Each file's examples in order, carrying the latest imports.
(for-each
 (lambda (file)
   (let loop ((exs (filter (lambda (ex) (string=? (example-file ex) file))
                           examples))
              (imports '()))
     (unless (null? exs)
       (let* ((ex (car exs))
              (own (let-values (((code results)
                                 (split-example (example-lines ex))))
                     (if (and code (not (string-prefix? "#!r6rs" code)))
                         (filter use-modules-form?
                                 (map car (or (false-if-exception
                                               (read-forms code))
                                              '())))
                         '()))))
         (if (example-reason ex)
             (test-assert (string-append (example-name ex)
                                         " is marked not-run with a reason")
               (not (string-null? (string-trim-both (example-reason ex)))))
             (check-example ex (if (null? own) imports '())))
         (loop (cdr exs) (if (null? own) imports own))))))
 texi-files)

(test-equal "every not-run marker is followed by an example" '() stray-markers)
(test-assert "the manual has examples" (pair? examples))

;; Review of issue 10, L8: a chapter shows how its names are used.
(define (chapter-file? file)
  (call-with-input-file (string-append srcdir "/doc/" file)
    (lambda (port)
      (let loop ()
        (let ((line (read-line port)))
          (and (not (eof-object? line))
               (or (string-prefix? "@chapter " line) (loop))))))))

(test-equal "every chapter has an example that runs" '()
  (filter (lambda (file)
            (and (chapter-file? file)
                 (not (any (lambda (ex) (and (string=? (example-file ex) file)
                                             (not (example-reason ex))))
                           examples))))
          texi-files))

(test-end "manual-examples")
