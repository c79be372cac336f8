;;; examples.scm -- every program in examples/ runs and prints its result.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

(use-modules (test-suite harness) (srfi srfi-11))

(test-begin "examples")

(define srcdir (or (getenv "abs_top_srcdir") "."))

(define (run-example file)
  (run-program "guile" "--no-auto-compile"
               (string-append srcdir "/examples/" file)))

(define-syntax-rule (test-example file expected)
  (let-values (((out status) (run-example file)))
    (test-equal file (list expected 0) (list out status))))

(test-example "appendix-1-int.scm" "1234\n")

(test-end "examples")
