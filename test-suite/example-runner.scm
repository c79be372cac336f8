;;; example-runner.scm -- run one manual example for manual-examples.scm.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later
;;;
;;;   guile --no-auto-compile example-runner.scm FORMS-FILE RESULT-FILE
;;;
;;; FORMS-FILE holds one list (FORM WANTED?) per top-level form of the
;;; example, in order.  Each FORM is evaluated in a fresh user module (what
;;; the REPL starts in), so the example sees exactly the imports it shows.
;;; RESULT-FILE receives a list with, for each form whose WANTED? is true,
;;; the string its value writes as (several values: separated by a space);
;;; when a form raises, the list ends with (error INDEX TEXT) and nothing
;;; after it is evaluated.

(define (value-text . values)
  (string-join (map (lambda (v) (object->string v)) values) " "))

(define (run forms-file result-file)
  (let ((module (make-fresh-user-module))
        (entries (call-with-input-file forms-file read)))
    (let loop ((entries entries) (index 0) (acc '()))
      (if (null? entries)
          (reverse acc)
          (let* ((form (car (car entries)))
                 (wanted? (cadr (car entries)))
                 (outcome
                  (catch #t
                    (lambda ()
                      (call-with-values (lambda () (eval form module))
                        (lambda values (cons 'ok (apply value-text values)))))
                    (lambda (key . args)
                      (cons 'error
                            (call-with-output-string
                              (lambda (port)
                                (print-exception port #f key args))))))))
            (if (eq? (car outcome) 'error)
                (reverse (cons (list 'error index (cdr outcome)) acc))
                (loop (cdr entries) (+ index 1)
                      (if wanted? (cons (cdr outcome) acc) acc))))))))

(let ((args (cdr (command-line))))
  (let ((results (run (car args) (cadr args))))
    (call-with-output-file (cadr args)
      (lambda (port) (write results port)))))
