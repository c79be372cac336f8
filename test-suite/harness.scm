;;; (test-suite harness) -- the SRFI-64 runner and helpers of our tests.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Commentary:
;;;
;;; Loading this module installs a test runner that records one result per
;;; test case in the file named by VC_TEST_TRS (automake's .trs, see
;;; build-aux/srfi64-driver), prints every failure with its expected and
;;; actual values, and makes the process exit non-zero when a test failed.
;;; A test file is:
;;;   (use-modules (test-suite harness))
;;;   (test-begin "area")  ...tests...  (test-end "area")
;;;
;;; Code:

(define-module (test-suite harness)
  #:use-module (srfi srfi-64)
  #:use-module ((srfi srfi-1) #:select (any every filter filter-map))
  #:use-module ((rnrs conditions)
                #:select (who-condition? condition-who irritants-condition?
                          condition-irritants message-condition?
                          condition-message))
  #:use-module ((rnrs exceptions) #:select (guard))
  #:use-module (ice-9 popen)
  #:use-module (ice-9 textual-ports)
  #:use-module ((ice-9 threads) #:select (yield))
  #:use-module ((ice-9 ftw) #:select (scandir))
  #:re-export (test-begin test-end test-assert test-equal test-eqv test-eq
               test-approximate test-error test-skip test-group
               test-expect-fail)
  #:export (catch-condition
            condition-shape
            test-raises
            test-raises-who
            test-argument
            public-modules
            internal-modules
            guile-binding?
            run-program
            skip-test
            waiting-fds
            event!
            recording
            settle-signal-delivery!))

(define trs-port
  (let ((file (getenv "VC_TEST_TRS")))
    (and file (open-file file "a"))))

(define (record! result name)
  (when trs-port
    (format trs-port ":test-result: ~a ~a~%" result name)
    (force-output trs-port)))

(define (test-full-name runner)
  (string-join (append (test-runner-group-path runner)
                       (list (or (test-runner-test-name runner) "")))
               ": "))

(define (make-runner)
  (let ((runner (test-runner-null)))
    (test-runner-on-test-end! runner
      (lambda (runner)
        (let ((kind (test-result-kind runner))
              (name (test-full-name runner)))
          (case kind
            ((pass xfail) (record! "PASS" name))
            ((skip) (record! "SKIP" name)
             (format #t "SKIP: ~a~%" name))
            (else
             (record! "FAIL" name)
             (format #t "FAIL: ~a~%" name)
             (for-each
              (lambda (key)
                (let ((v (test-result-ref runner key '<none>)))
                  (unless (eq? v '<none>)
                    (format #t "  ~a: ~s~%" key v))))
              '(source-file source-line source-form expected-value
                actual-value actual-error)))))))
    (test-runner-on-final! runner
      (lambda (runner)
        (let ((pass (+ (test-runner-pass-count runner)
                       (test-runner-xfail-count runner)))
              (fail (+ (test-runner-fail-count runner)
                       (test-runner-xpass-count runner)))
              (skip (test-runner-skip-count runner)))
          (format #t "~a passed, ~a failed, ~a skipped~%" pass fail skip)
          (force-output)
          (exit (if (zero? fail) 0 1)))))
    runner))

(test-runner-factory make-runner)

(define (catch-condition thunk)
  "Call THUNK; return the object it raised, or the symbol
'no-condition' when it returned."
  (guard (e (#t e))
    (thunk)
    'no-condition))

(define (condition-shape e)
  (list (and (who-condition? e) (condition-who e))
        (if (irritants-condition? e) (condition-irritants e) '<no-irritants>)))

;; (test-raises NAME PREDICATE WHO IRRITANTS EXPR): EXPR raises a condition
;; that satisfies PREDICATE, whose who is WHO and whose irritants are
;; equal? to IRRITANTS.
(define-syntax-rule (test-raises name pred who irritants expr)
  (test-equal name (list #t who irritants)
    (let ((e (catch-condition (lambda () expr))))
      (cons (and (not (eq? e 'no-condition)) (pred e) #t)
            (if (eq? e 'no-condition) '(no-condition ()) (condition-shape e))))))

;; (test-raises-who NAME PREDICATE WHO EXPR): the same, irritants unchecked.
(define-syntax-rule (test-raises-who name pred who expr)
  (test-equal name (list #t who)
    (let ((e (catch-condition (lambda () expr))))
      (list (and (not (eq? e 'no-condition)) (pred e) #t)
            (if (eq? e 'no-condition) 'no-condition (car (condition-shape e)))))))

;; (test-argument NAME WHO INDEX PREDICATE VALUE EXPR): EXPR raises a
;; &procedure-signature-argument-violation whose who is WHO, whose 1-based
;; argument index is INDEX, whose failed predicate is the symbol PREDICATE
;; and whose offending value is VALUE (equal?); its irritants are (VALUE).
(define-syntax-rule (test-argument name who index predicate value expr)
  (test-equal name (list who index predicate value (list value))
    (let ((e (catch-condition (lambda () expr))))
      (if (and (not (eq? e 'no-condition))
               ((@ (vicare-compat conditions)
                   procedure-signature-argument-violation?) e))
          (list (car (condition-shape e))
                ((@ (vicare-compat conditions)
                    procedure-signature-argument-violation.one-based-argument-index)
                 e)
                ((@ (vicare-compat conditions)
                    procedure-signature-argument-violation.failed-expression)
                 e)
                ((@ (vicare-compat conditions)
                    procedure-signature-argument-violation.offending-value)
                 e)
                (cadr (condition-shape e)))
          e))))

;; The modules whose exports are the package's public API.
(define public-modules
  '((vicare-compat)
    (vicare-compat posix)
    (vicare-compat platform constants)
    (vicare-compat platform words)
    (vicare-compat language-extensions syntaxes)
    (vicare-compat guard)
    (vicare-compat parameters)
    (vicare-compat gensyms)
    (vicare-compat bytevectors)
    (vicare-compat conditions)
    (vicare-compat fasl)
    (vicare-compat atomics)
    (vicare-compat channel)))

;; Every other module under module/, with why the hostile sweep (which
;; calls the exports of public-modules) need not call it: 'covered when
;; each of its exports is a public module's or Guile's own binding (checked
;; by test-suite/modules.scm), 'private when users never import it.
(define internal-modules
  '(((vicare-compat cstrings) . covered)      ; parts of (vicare-compat)
    ((vicare-compat exit) . covered)
    ((vicare-compat memory) . covered)
    ((vicare-compat pointers) . covered)
    ((vicare) . covered)                      ; Vicare's names, aliases
    ((vicare posix) . covered)
    ((vicare platform constants) . covered)
    ((vicare platform words) . covered)
    ((vicare language-extensions syntaxes) . covered)
    ((vicare-compat alias) . private)         ; builds the aliases
    ((vicare-compat config) . private)        ; where the extension is
    ((vicare-compat fasl-support) . private)   ; called by the C codec
    ((vicare-compat primitives) . private)     ; the C primitives, raw
    ((vicare-compat program) . private)       ; runs Vicare program files
    ((vicare-compat platform word-sizes) . private))) ; for platform words

;; Guile's own bindings that a module re-exports (getpid, fxior, pointer?)
;; are Guile's: documented in Guile's manual, checked by Guile.
(define guile-origins
  (map resolve-interface
       '((guile) (system foreign) (rnrs) (rnrs eval) (rnrs io ports)
         (srfi srfi-11))))

(define (guile-binding? iface sym)
  "Is SYM of the interface IFACE one of Guile's own bindings?"
  (let ((var (module-variable iface sym)))
    (any (lambda (origin) (eq? var (module-variable origin sym)))
         guile-origins)))

(define (run-program . args)
  "Run ARGS as a command; return two values: its standard output as a
string and its exit status."
  (let* ((port (apply open-pipe* OPEN_READ args))
         (out (get-string-all port))
         (status (close-pipe port)))
    (values out (status:exit-val status))))

(define (skip-test name why)
  "Record NAME as skipped, saying WHY in the log."
  (format #t "skipping ~a: ~a~%" name why)
  (test-skip 1)
  (test-assert name #t))

;; The descriptors that waits open while they sleep and must close:
;; pidfds (waitpid of one child) and eventfds (its watcher thread).
(define (waiting-fds)
  "The targets of this process's open pidfds and eventfds."
  (filter-map (lambda (fd)
                (let ((target (false-if-exception
                               (readlink (string-append "/proc/self/fd/" fd)))))
                  (and target
                       (member target '("anon_inode:[pidfd]"
                                        "anon_inode:[eventfd]"))
                       target)))
              (or (scandir "/proc/self/fd") '())))

;;; Ordering tests record events and return (result events).
(define events '())

(define (event! x)
  "Record the event X."
  (set! events (cons x events)))

(define (recording thunk)
  "Call THUNK with no events recorded; return (result events), the
events in the order they happened."
  (set! events '())
  (let ((result (thunk)))
    (list result (reverse events))))
;; Guile starts its signal delivery thread at the first sigaction of the
;; process (a query is enough), and the thread goes on running Scheme code
;; for a moment after sigaction has returned: it resolves names, holding
;; libguile's symbol table lock.  primitive-fork does not count that thread
;; (all-threads leaves it out), so a fork in that moment gives a child whose
;; symbol table is locked by a thread it does not have: the child hangs at
;; its first symbol lookup.  A test file that forks after sigaction calls
;; this before its first sigaction: it starts the thread and returns once
;; every thread that appeared is asleep reading one byte from a pipe, as
;; the delivery thread (and Guile's finalization thread) waits, or has
;; ended.  The bound only stops a broken check from hanging the file.
(define (settle-signal-delivery!)
  (define (tasks)
    (let ((dir (opendir "/proc/self/task")))
      (let loop ((acc '()))
        (let ((e (readdir dir)))
          (cond ((eof-object? e) (closedir dir) acc)
                ((string->number e) => (lambda (n) (loop (cons n acc))))
                (else (loop acc)))))))
  (define (task-file tid name)
    (false-if-exception
     (call-with-input-file (format #f "/proc/self/task/~a/~a" tid name)
       get-line)))
  (define (waits-on-pipe? tid)
    ;; /proc/PID/task/TID/syscall: "NR ARG1 ARG2 ARG3 ..." while the task
    ;; is blocked in a system call, "running" otherwise.  read (fd, buf, 1)
    ;; shows the fd as ARG1 and 0x1 as ARG3 (the number NR is the
    ;; architecture's).
    (let* ((stat (task-file tid "stat"))
           (state (and stat (string-ref stat
                                        (+ 2 (string-rindex stat #\))))))
           (call (let ((line (task-file tid "syscall")))
                   (and line (string-split line #\space)))))
      (or (not stat)                    ; ended
          (and (eqv? state #\S)
               call
               (>= (length call) 4)
               (equal? (list-ref call 3) "0x1")
               (let ((fd (string->number (substring (list-ref call 1) 2) 16)))
                 (and fd
                      (string-prefix?
                       "pipe:"
                       (or (false-if-exception
                            (readlink (format #f "/proc/self/fd/~a" fd)))
                           ""))))))))
  (let* ((before (tasks))
         (new (begin (sigaction SIGUSR1)
                     (filter (lambda (tid) (not (memv tid before))) (tasks))))
         (end (+ (get-internal-real-time)
                 (* 30 internal-time-units-per-second))))
    (let loop ()
      (unless (every waits-on-pipe? new)
        (when (> (get-internal-real-time) end)
          (error "settle-signal-delivery!: new threads still busy" new))
        (yield)
        (loop)))))
