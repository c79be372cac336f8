;;; process.scm -- fork, waitpid and Vicare's exit semantics.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

(use-modules (test-suite harness)
             (ice-9 threads)
             ((vicare-compat platform constants)
              #:select (WNOHANG WUNTRACED WCONTINUED CLOCK_MONOTONIC))
             (srfi srfi-11)
             (vicare-compat)
             ((vicare-compat posix) #:prefix px.)
             (srfi srfi-1)
             ((rnrs io ports) #:select (open-bytevector-output-port))
             ((rnrs conditions) #:select (assertion-violation?))
             ((rnrs exceptions) #:select (guard)))

(test-begin "process")

(define page (px.sysconf _SC_PAGESIZE))

(define (shared-page)
  (px.mmap #f page (fxior PROT_READ PROT_WRITE)
           (fxior MAP_SHARED MAP_ANONYMOUS) 0 0))

(define (child-exit-code thunk)
  "Fork; the child calls THUNK; return the child's exit code."
  (let ((pid (px.fork)))
    (if (zero? pid)
        (begin (thunk) (primitive-_exit 99))
        (status:exit-val (px.waitpid pid 0)))))

(test-group "fork"
  (let* ((mem (shared-page))
         (result (px.fork (lambda (pid)
                            (px.waitpid pid 0)
                            (list 'parent (> pid 0)
                                  (pointer-ref-c-signed-int mem 0)))
                          (lambda ()
                            (pointer-set-c-signed-int! mem 0 (getpid))
                            (exit 0)))))
    (test-equal "two-procedure form: parent result" '(parent #t) (list-head result 2))
    (test-assert "child ran in another process"
      (not (= (getpid) (third result))))
    (px.munmap mem page))
  (test-equal "no-argument form: 0 in the child" 0
    (child-exit-code (lambda () (exit 0))))
  (test-raises "parent not a procedure" procedure-argument-violation?
    'fork '(1) (px.fork 1 (lambda () #t)))
  (test-raises "child not a procedure" procedure-argument-violation?
    'fork '(2) (px.fork (lambda (pid) #t) 2)))

;; The child of (fork parent-proc child-thunk) never returns from fork.
;; contained-fork is px.fork in a dynamic-wind whose after-thunk ends any
;; child that leaves it (by returning, raising or through a continuation)
;; with status 99, so a failing fork cannot run the rest of this file in a
;; second process.
(define (contained-fork parent-proc child-thunk)
  (let ((parent (getpid)))
    (dynamic-wind
      (lambda () #t)
      (lambda () (px.fork parent-proc child-thunk))
      (lambda () (unless (= parent (getpid)) (primitive-_exit 99))))))

(define (fork-outcome child-thunk)
  "Fork with CHILD-THUNK; return the child's exit code and how many
processes went on past the fork."
  (let ((mem (shared-page)))
    (pointer-set-c-signed-int! mem 0 0)
    (let ((code (contained-fork
                 (lambda (pid) (px.WEXITSTATUS (px.waitpid pid 0)))
                 child-thunk)))
      (pointer-atomic-fetch-add-c-sint32! mem 0 1)
      (let ((past (pointer-ref-c-signed-int mem 0)))
        (px.munmap mem page)
        (list code past)))))

(test-group "the child of fork never returns"
  (test-equal "a child thunk that returns: status 0, only the parent goes on"
    '(0 1) (fork-outcome (lambda () 'value)))
  (test-equal "a child thunk that raises: status 1, only the parent goes on"
    '(1 1) (fork-outcome (lambda () (car 'not-a-pair))))
  (test-equal "Guile's own exit in the child gives its status"
    '(5 1) (fork-outcome (lambda () ((@ (guile) exit) 5))))
  (test-equal "Guile's (exit #f) in the child gives 1"
    '(1 1) (fork-outcome (lambda () ((@ (guile) exit) #f))))
  (test-equal "a continuation out of the child thunk: status 1"
    '(1 1) (call/cc (lambda (k)
                      (fork-outcome (lambda () (k 'escaped))))))
  (let ((mem (shared-page)))
    (pointer-set-c-signed-int! mem 0 0)
    (pointer-set-c-signed-int! mem 4 0)
    (pointer-set-c-signed-int! mem 8 0)
    (let ((status
           (guard (e (#t (pointer-atomic-fetch-add-c-sint32! mem 0 1) 'guarded))
             (unwind-protect
                 (contained-fork
                  (lambda (pid) (px.WEXITSTATUS (px.waitpid pid 0)))
                  (lambda ()
                    (unwind-protect
                        (raise-exception 'oops)
                      (pointer-set-c-signed-int! mem 8 1))))
               (pointer-atomic-fetch-add-c-sint32! mem 4 1)))))
      (test-equal "a raising child exits with status 1" 1 status)
      (test-equal "the parent's guard clause does not run in the child" 0
        (pointer-ref-c-signed-int mem 0))
      (test-equal "the parent's cleanup runs once, in the parent" 1
        (pointer-ref-c-signed-int mem 4))
      (test-equal "the child's own cleanup runs" 1
        (pointer-ref-c-signed-int mem 8)))
    (px.munmap mem page))
  (let-values (((out status)
                (run-program
                 "sh" "-c"
                 "exec 2>&1; guile --no-auto-compile -c \"
                  (use-modules ((vicare-compat posix) #:prefix px.))
                  (px.fork (lambda (pid) (px.waitpid pid 0))
                           (lambda () (car 'not-a-pair)))\"")))
    (test-assert "the child's exception is printed with the child's pid"
      (string-contains out "fork: uncaught exception in the child process "))
    (test-assert "as Guile prints an uncaught exception"
      (string-contains out "In procedure car: Wrong type argument"))
    (test-equal "the parent goes on" 0 status))
  ;; At the REPL the child must not read the parent's input: its copy of
  ;; the input buffer would run the following lines a second time.
  (let-values (((out status)
                (run-program
                 "sh" "-c"
                 "exec 2>&1; guile -q --no-auto-compile <<'EOF'
(use-modules ((vicare-compat posix) #:prefix px.))
(px.WEXITSTATUS (px.fork (lambda (pid) (px.waitpid pid 0)) (lambda () (car 1))))
(px.WEXITSTATUS (px.fork (lambda (pid) (px.waitpid pid 0)) (lambda () 'value)))
(display \"after-the-forks\n\")
EOF")))
    (test-equal "at the REPL, each line runs once, in the parent"
      '(#t #t 1)
      (list (and (string-contains out "$1 = 1") #t)
            (and (string-contains out "$2 = 0") #t)
            (length (filter (lambda (line) (string=? line "after-the-forks"))
                            (string-split out #\newline)))))
    (test-assert "no error REPL in the child"
      (not (string-contains out "Entering a new prompt")))))

(test-group "exit"
  (test-equal "(exit) gives 0" 0 (child-exit-code (lambda () (exit))))
  (test-equal "(exit 7) gives 7" 7 (child-exit-code (lambda () (exit 7))))
  (test-equal "(exit #t) gives 1, as in Vicare" 1
    (child-exit-code (lambda () (exit #t))))
  (test-equal "(exit #f) gives 1" 1 (child-exit-code (lambda () (exit #f))))
  (let ((mem (shared-page)))
    (pointer-set-c-signed-int! mem 0 0)
    (pointer-set-c-signed-int! mem 4 0)
    (px.fork
     (lambda (pid) (px.waitpid pid 0))
     (lambda ()
       (unwind-protect
           (dynamic-wind
             (lambda () #t)
             (lambda () (exit 0))
             (lambda () (pointer-set-c-signed-int! mem 4 1)))
         (pointer-set-c-signed-int! mem 0 1))))
    (test-equal "exit in the child runs no unwind-protect cleanup" 0
      (pointer-ref-c-signed-int mem 0))
    (test-equal "exit in the child runs no dynamic-wind after-thunk" 0
      (pointer-ref-c-signed-int mem 4))
    (px.munmap mem page)))

(test-group "unwind-protect around fork"
  (let* ((mem (shared-page))
         (cleanups 0)
         (v (unwind-protect
                (px.fork (lambda (pid) (px.waitpid pid 0)
                                 (pointer-ref-c-signed-int mem 0))
                         (lambda ()
                           (pointer-set-c-signed-int! mem 0 1234)
                           (exit)))
              (set! cleanups (+ 1 cleanups)))))
    (test-equal "parent gets the child's value" 1234 v)
    (test-equal "cleanup ran once, in the parent" 1 cleanups)
    (px.munmap mem page)))

(test-group "waitpid"
  (let ((p (pipe)))
    (let ((pid (px.fork)))
      (when (zero? pid)
        ;; Child: block until the parent writes, then exit 3.
        (close-port (cdr p))
        (read-char (car p))
        (primitive-_exit 3))
      (close-port (car p))
      (test-equal "WNOHANG while the child runs: #f" #f
        (px.waitpid pid WNOHANG))
      (write-char #\x (cdr p))
      (close-port (cdr p))
      (let ((status (px.waitpid pid 0)))
        (test-assert "raw status is a fixnum" (exact-integer? status))
        (test-equal "exit code from the raw status" 3
          (status:exit-val status))))))

(test-group "output after fork"
  ;; A child started with buffered output pending must not print it again.
  (let-values (((out status)
                (run-program
                 "guile" "--no-auto-compile" "-c"
                 "(use-modules (vicare-compat) ((vicare-compat posix) #:prefix px.))
                  (setvbuf (current-output-port) 'block)
                  (display \"before;\")
                  (px.fork (lambda (pid) (px.waitpid pid 0) (display \"parent;\"))
                           (lambda () (display \"child;\") (exit)))
                  (newline)")))
    (test-equal "buffered output printed once" "before;child;parent;\n" out)
    (test-equal "script exit status" 0 status)))

(test-group "fork and the package's own state"
  ;; Another thread holds the lock of the FASL gensym table for a moment:
  ;; fork waits for it, and the child's copy is free.  (Without that, the
  ;; child inherited it locked and hung at its next FASL read.)
  (let* ((gensym-lock (@@ (vicare-compat fasl-support) gensym-lock))
         (m (make-mutex))
         (c (make-condition-variable))
         (held? #f))
    (lock-mutex m)
    (let ((holder (call-with-new-thread
                   (lambda ()
                     (lock-mutex gensym-lock)
                     (with-mutex m
                       (set! held? #t)
                       (signal-condition-variable c))
                     ;; Hold it 0.3 s, so that a fork that does not wait
                     ;; for it happens meanwhile.
                     (let ((m2 (make-mutex))
                           (until (let ((now (gettimeofday)))
                                    (if (< (cdr now) 700000)
                                        (cons (car now) (+ (cdr now) 300000))
                                        (cons (+ 1 (car now))
                                              (- (cdr now) 700000))))))
                       (with-mutex m2
                         (wait-condition-variable (make-condition-variable)
                                                  m2 until)))
                     (unlock-mutex gensym-lock)))))
      (let loop ()
        (unless held?
          (wait-condition-variable c m)
          (loop)))
      (unlock-mutex m)
      (test-equal "a FASL lock another thread held is free in the child" 0
        (child-exit-code
         (lambda () (primitive-_exit (if (try-mutex gensym-lock) 0 1)))))
      (join-thread holder)))
  ;; A fork that fails (EAGAIN, ENOMEM) raises from inside
  ;; call-with-fasl-locks, as fork does: the locks must not stay held,
  ;; or every later FASL read or write of a gensym or record type in
  ;; another thread hangs.
  (let ((locks (list (@@ (vicare-compat fasl-support) gensym-lock)
                     (@@ (vicare-compat fasl-support) rtd-lock))))
    (catch 'vc-test-fork-failed
      (lambda ()
        ((@ (vicare-compat fasl-support) call-with-fasl-locks)
         (lambda () (throw 'vc-test-fork-failed))))
      (const #f))
    (test-equal "the FASL locks are free after a fork that raised" '(#t #t)
      (join-thread
       (call-with-new-thread
        (lambda ()
          (map (lambda (lock)
                 (and (try-mutex lock) (begin (unlock-mutex lock) #t)))
               locks))))))
  ;; Guile's own primitive-fork does not wait for the FASL locks: another
  ;; thread holds both while this one forks, and the child must still
  ;; take them, and write a gensym (SIGALRM ends a child that hangs).
  (let* ((m (make-mutex))
         (c (make-condition-variable))
         (state 'start)
         (set-state! (lambda (new)
                       (with-mutex m
                         (set! state new)
                         (broadcast-condition-variable c))))
         (await (lambda (wanted)
                  (with-mutex m
                    (let loop ()
                      (unless (eq? state wanted)
                        (wait-condition-variable c m)
                        (loop))))))
         (holder (call-with-new-thread
                  (lambda ()
                    ((@ (vicare-compat fasl-support) call-with-fasl-locks)
                     (lambda ()
                       (set-state! 'held)
                       (await 'forked)))))))
    (await 'held)
    (let ((pid (primitive-fork)))
      (when (zero? pid)
        (alarm 10)
        ((@ (vicare-compat fasl-support) call-with-fasl-locks) (const #t))
        (call-with-values open-bytevector-output-port
          (lambda (port get)
            (fasl-write (make-symbol "g") port)))
        (primitive-_exit 0))
      (let ((status (px.waitpid pid 0)))
        (set-state! 'forked)
        (join-thread holder)
        (test-equal "a child of primitive-fork takes the FASL locks" 0
          (or (status:exit-val status) (status:term-sig status))))))
  ;; The names invented for uninterned symbols written by FASL: a child
  ;; must not invent its parent's.
  (let* ((unique (@@ (vicare-compat fasl-support) gensym-unique))
         (first (unique (make-symbol "a")))
         (channel (pipe))
         (pid (px.fork)))
    (if (zero? pid)
        (begin (close-port (car channel))
               (write (unique (make-symbol "b")) (cdr channel))
               (force-output (cdr channel))
               (primitive-_exit 0))
        (begin
          (close-port (cdr channel))
          (let ((second (unique (make-symbol "c")))
                (childs (read (car channel))))
            (close-port (car channel))
            (px.waitpid pid 0)
            (test-assert "a child's gensym names are not its parent's"
              (not (member childs (list first second)))))))))

;; ------------------------------------ waits for any child are exact

;; A wait for any child, or for stops and continues, sleeps until the
;; kernel reports the change (a watcher thread in waitid): no bounded
;; step of the fallback ever expires, which %vc-waitpid-steps counts.
;; The children sleep a little before they change, so that the parent
;; usually waits; the tests hold whichever comes first.
(define waitpid-steps (@ (vicare-compat primitives) %vc-waitpid-steps))
(define waitpid-by-steps! (@ (vicare-compat primitives) %vc-waitpid-by-steps!))

(define (seconds)
  (let ((t (px.clock-gettime CLOCK_MONOTONIC (px.make-struct-timespec 0 0))))
    (+ (px.struct-timespec-tv_sec t) (/ (px.struct-timespec-tv_nsec t) 1e9))))

(define* (exiting code #:optional (ns 30000000))
  "Fork a child that exits with CODE after NS nanoseconds; its pid."
  (px.fork (lambda (pid) pid)
           (lambda () (px.nanosleep 0 ns) (primitive-_exit code))))

;; (exact-wait THUNK) -> (value steps seconds): what THUNK returned, the
;; bounded steps that expired during it, and how long it took.
(define (exact-wait thunk)
  (let* ((steps (waitpid-steps))
         (start (seconds))
         (v (thunk)))
    (list v (- (waitpid-steps) steps) (< (- (seconds) start) 1))))

(test-group "waits for any child notice the change at once"
  (exiting 5)
  (test-equal "wait: the status, no step, well under 1 s" '(5 0 #t)
    (exact-wait (lambda () (px.WEXITSTATUS (px.wait)))))
  (let ((pid (exiting 6)))
    (test-equal "waitpid -1" '(6 0 #t)
      (exact-wait (lambda () (px.WEXITSTATUS (px.waitpid -1 0))))))
  (exiting 7)
  (test-equal "waitpid 0 (this process group)" '(7 0 #t)
    (exact-wait (lambda () (px.WEXITSTATUS (px.waitpid 0 0)))))
  (let ((pid (px.fork (lambda (pid) (setpgid pid pid) pid)
                      (lambda ()
                        (setpgid 0 0)
                        (px.nanosleep 0 30000000)
                        (primitive-_exit 8)))))
    (test-equal "waitpid -pgid (another process group)" '(8 0 #t)
      (exact-wait (lambda () (px.WEXITSTATUS (px.waitpid (- pid) 0))))))
  ;; The child stops itself, waits to be continued, then exits.
  (let ((pid (px.fork (lambda (pid) pid)
                      (lambda ()
                        (px.nanosleep 0 30000000)
                        (kill (getpid) SIGSTOP)
                        (px.nanosleep 0 30000000)
                        (primitive-_exit 9)))))
    (test-equal "waitpid -1 WUNTRACED: a stop" (list SIGSTOP 0 #t)
      (exact-wait (lambda ()
                    (let ((s (px.waitpid -1 WUNTRACED)))
                      (and (px.WIFSTOPPED s) (px.WSTOPSIG s))))))
    (kill pid SIGCONT)
    ;; WIFCONTINUED: the status is #xffff.
    (test-equal "waitpid of the child with WCONTINUED: a continue" '(#xffff 0 #t)
      (exact-wait (lambda () (px.waitpid pid WCONTINUED))))
    (test-equal "then its exit" '(9 0 #t)
      (exact-wait (lambda () (px.WEXITSTATUS (px.waitpid -1 WUNTRACED))))))
  ;; Twenty children, reaped in whatever order they exit.
  (let ((pids (map (lambda (i) (exiting i (* i 1000000))) (iota 20))))
    (test-equal "wait reaps 20 children, then raises ECHILD"
      (list (iota 20) 0 #t)
      (exact-wait (lambda ()
                    (let ((codes (map (lambda (_) (px.WEXITSTATUS (px.wait)))
                                      pids)))
                      (sort codes <)))))
    (test-assert "no child left"
      (guard (e (#t (errno-condition? e)))
        (px.wait)
        #f)))
  ;; A child forked by another thread while this one waits for another
  ;; one that waits for this test: the wait sees it exit.
  (let* ((p (pipe))
         (blocked (px.fork (lambda (pid) pid)
                           (lambda ()
                             (close-port (cdr p))
                             (read-char (car p))
                             (primitive-_exit 0))))
         (other (call-with-new-thread (lambda () (exiting 10)))))
    (test-equal "a child forked by another thread during the wait"
      '(10 0 #t)
      (exact-wait (lambda () (px.WEXITSTATUS (px.waitpid -1 0)))))
    (join-thread other)
    (close-port (cdr p))
    (px.waitpid blocked 0)
    (close-port (car p))))

(test-group "the fallback: bounded steps"
  (dynamic-wind
    (lambda () (waitpid-by-steps! #t))
    (lambda ()
      (exiting 11 1000000)
      (test-equal "wait still returns the status" 11
        (px.WEXITSTATUS (px.wait)))
      (let ((pid (exiting 12 1000000)))
        (test-equal "waitpid -1 too" 12
          (px.WEXITSTATUS (px.waitpid -1 0)))))
    (lambda () (waitpid-by-steps! #f))))

(test-equal "the waits left no pidfd or eventfd open" '() (waiting-fds))

(test-end "process")
