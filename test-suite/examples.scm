;;; examples.scm -- every program in examples/ runs and prints its result.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later
;;;
;;; Each example runs in its own Guile process; its standard output must be
;;; exactly the expected text, its standard error empty and its exit status
;;; 0.  Vicare's original programs (examples/vicare/*.sps) are also pasted
;;; into Guile's REPL, which must show their value.

(use-modules (test-suite harness)
             (srfi srfi-11)
             (ice-9 textual-ports))

(test-begin "examples")

(define srcdir (or (getenv "abs_top_srcdir") "."))
(define (example file) (string-append srcdir "/examples/" file))

;; Guile's compilation cache of the examples: a fresh one, so that no .go
;; left by an earlier run makes Guile print notes.
(define cache-dir
  (let ((dir (string-append (or (getenv "TMPDIR") "/tmp")
                            "/vicare-compat-examples-cache-"
                            (number->string (getpid)))))
    (system* "rm" "-rf" dir)
    (mkdir dir)
    dir))

(define (run-shell command)
  "Run COMMAND with sh; return its standard output, standard error and
exit status."
  (let ((err (string-append (or (getenv "TMPDIR") "/tmp")
                            "/vicare-compat-examples-"
                            (number->string (getpid)) ".err")))
    (let-values (((out status)
                  (run-program "sh" "-c"
                               (string-append "XDG_CACHE_HOME=" cache-dir
                                              " " command " 2>" err))))
      (let ((err-text (call-with-input-file err get-string-all)))
        (delete-file err)
        (values out err-text status)))))

(define-syntax-rule (test-example file expected)
  (let-values (((out err status)
                (run-shell (string-append "guile --no-auto-compile "
                                          (example file)))))
    (test-equal file (list expected "" 0) (list out err status))))

(define-syntax-rule (test-pasted file expected)
  ;; The REPL writes "$1 = VALUE" for the program's value.
  (let-values (((out err status)
                (run-shell (string-append "guile -q < " (example file)))))
    (test-equal (string-append file " pasted into the REPL")
      (list #t "" 0)
      (list (and (string-contains out (string-append "$1 = " expected "\n")) #t)
            err status))))

(define results
  '(("appendix-1-int" "1234")
    ("appendix-2-bytevector" "#vu8(100 101 102 103 104 105 106 107 108 109)")
    ("appendix-3-fasl" "(1 2 #(3 4) ciao \"hello\" #vu8(99 98 97))")))

(for-each
 (lambda (entry)
   (let ((name (car entry)) (value (cadr entry)))
     (test-example (string-append name ".scm") (string-append value "\n"))
     (test-example (string-append "vicare/" name ".sps")
                   (string-append value "\n"))
     (test-pasted (string-append "vicare/" name ".sps") value)))
 results)

(test-example "mmap-file.scm"
  "Hello from a mapped file!
first byte: H, last byte: 10
Howdy from a mapped file!
")

(test-example "atomic-counter.scm"
  "counter: 400000
largest value a worker saw: 400000
")

(test-example "shm-exchange.scm"
  "received 1000 data
all equal to what was sent: #t
sharing kept: #t
last: ((x 999) (x 999))
")

;; A program or library written to a file of the cache directory and run:
;; its standard output, standard error and exit status.
(define (run-source name text)
  (let ((file (string-append cache-dir "/" name)))
    (call-with-output-file file (lambda (port) (display text port)))
    (call-with-values
        (lambda () (run-shell (string-append "guile --no-auto-compile " file)))
      list)))

;; Issue 10: (vicare) also has what (rnrs eval), (rnrs mutable-pairs) and
;; (rnrs mutable-strings) export, and Vicare's define-values.
(test-equal "(vicare) has mutable pairs and strings, eval, define-values"
  (list "(9 2 3)\n\"ba\"\n3\n(1 2 3)\n" "" 0)
  (run-source "vicare-base.sps" "#!r6rs
(import (vicare))
(let ((p (list 1 2))) (set-car! p 9) (set-cdr! (cdr p) '(3)) p)
(let ((s (make-string 2 #\\a))) (string-set! s 0 #\\b) s)
(eval '(+ 1 2) (environment '(rnrs)))
(let () (define-values (a b c) #t (values 1 2 3)) (list a b c))
"))

;; An R6RS library importing (vicare) finds set-car! (the issue's case);
;; the forms after it are evaluated in the library's module.
(test-equal "an R6RS library importing (vicare) has set-car!"
  (list "(0 2)" "" 0)
  (run-source "vicare-library.sps"
              "(library (issue-ten-lib) (export swap-car!) (import (vicare))
  (define (swap-car! p x) (set-car! p x) p))
(display (swap-car! (list 1 2) 0))
"))

;; Review of issue 10, L1 and L2: an R6RS library sees only what it
;; imports, so (vicare) must have Vicare's gensym, make-parameter,
;; parameterize and parametrise itself, its endianness and strerror.
(test-equal "an R6RS library importing (vicare) has Vicare's gensym, parameters, endianness"
  (list "(#t \"pretty\" #t 1 4 6 big #t \"EINVAL: Invalid argument\")" "" 0)
  (run-source "vicare-base-library.sps"
              "(library (review-base) (export go) (import (vicare))
  (define (go)
    (let ((g (gensym \"pretty\")) (p (make-parameter 1 (lambda (x) (* 2 x)))))
      (list (gensym? g) (symbol->string g)
            (let-values (((port get) (open-bytevector-output-port)))
              (fasl-write g port)
              (eq? g (fasl-read (open-bytevector-input-port (get)))))
            (p) (parametrise ((p 2)) (p)) (parameterize ((p 3)) (p))
            (endianness network)
            (eq? (endianness native) (native-endianness))
            (strerror -22)))))
(write (go))
"))

(let-values (((out err status)
              (run-shell "guile --no-auto-compile -c '(use-modules (vicare-compat) ((vicare-compat posix) #:prefix px.) (vicare-compat platform constants) (vicare-compat platform words) (vicare-compat language-extensions syntaxes) (vicare-compat guard) (vicare-compat fasl) (vicare-compat atomics) (vicare-compat conditions) (vicare-compat parameters) (vicare-compat gensyms) (rnrs bytevectors)) (display (endianness network))'")))
  (test-equal "every public module imports together without a warning"
    (list "" 0) (list err status)))

;; The porting guide's difference: (vicare) whole imports silently, through
;; except Guile prints its "overrides core binding" warnings (as for its
;; own (rnrs)), since custom interfaces lose the replacement marks.
(let-values (((out err status)
              (run-shell "guile --no-auto-compile -c '(import (vicare)) (display raise)'")))
  (test-equal "(import (vicare)) prints no warning" "" err))
(let-values (((out err status)
              (run-shell "guile --no-auto-compile -c '(import (except (vicare) xor)) (display raise)'")))
  (test-assert "(import (except (vicare) ...)) warns, as Guile does for (rnrs)"
    (string-contains err "overrides core binding")))

(system* "rm" "-rf" cache-dir)

(test-end "examples")
