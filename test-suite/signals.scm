;;; signals.scm -- a Scheme signal handler abandons every blocking call.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Each test forks a child that waits until this process is asleep in the
;;; blocking call (its state in /proc is S), sends it one signal, and
;;; waits on a semaphore for the parent's acknowledgement.  The parent's
;;; handler counts the signals and escapes; the test checks that the call
;;; was abandoned at the first signal.  A child that gets no
;;; acknowledgement within 10 s sends a second signal and releases what
;;; the parent waits for, so a failing test fails instead of hanging.
;;;
;;; The last groups queue asyncs that cause no EINTR in the waiting
;;; thread: a signal taken just before the wait, cancel-thread,
;;; system-async-mark and a signal taken by another thread.  There a
;;; helper thread rescues the wait after 10 s, so that a failing test
;;; fails instead of hanging.

(use-modules (test-suite harness)
             (vicare-compat)
             (vicare-compat platform constants)
             ((vicare-compat posix) #:prefix px.)
             ((vicare-compat channel)
              #:select (make-channel channel-get channel-put!))
             (ice-9 control)
             (ice-9 threads)
             (ice-9 rdelim))

(test-begin "signals")

;; Its forks follow sigaction: fork only once the signal thread is idle.
(settle-signal-delivery!)

(define page (px.sysconf _SC_PAGESIZE))

;; One shared page: the semaphore the parent waits on at 0, the
;; acknowledgement semaphore after it.
(define mem (px.mmap #f page (fxior PROT_READ PROT_WRITE)
                     (fxior MAP_SHARED MAP_ANONYMOUS) -1 0))
(define target (px.sem-init mem #t 0))
(define ack (px.sem-init (pointer-add mem (px.sizeof-sem_t)) #t 0))

(define (asleep? pid)
  "Is the main thread of PID sleeping in the kernel (state S)?"
  (let* ((line (call-with-input-file (format #f "/proc/~a/stat" pid)
                 read-line))
         ;; The state follows the command name, which ends with ") ".
         (i (string-rindex line #\))))
    (char=? #\S (string-ref line (+ i 2)))))

(define (deadline secs)
  (let ((t (px.clock-gettime CLOCK_REALTIME (px.make-struct-timespec 0 0))))
    (px.set-struct-timespec-tv_sec! t (+ secs (px.struct-timespec-tv_sec t)))
    t))

(define (signal-once-asleep parent signal)
  "In a child: send SIGNAL to PARENT once it sleeps."
  (let loop ()
    (unless (asleep? parent)
      (px.nanosleep 0 1000000)
      (loop)))
  (kill parent signal))

(define (signaller parent signal)
  "The child: signal PARENT once it sleeps; rescue it if it does not
acknowledge."
  (signal-once-asleep parent signal)
  (unless (px.sem-timedwait ack (deadline 10))
    (kill parent signal)
    (px.sem-post target))
  (primitive-_exit 0))

;; (abandoned-at SIGNAL THUNK): call THUNK while a child sends SIGNAL
;; once; the handler escapes with the number of signals it has seen.
;; Return that number, or the symbol returned when THUNK returned.
(define* (abandoned-at signal thunk #:key (handler-key 'vc-test-signal))
  (let* ((count 0)
         (old (sigaction signal
                         (lambda (sig)
                           (set! count (+ count 1))
                           (throw handler-key count))))
         (child (px.fork (lambda (pid) pid)
                         (lambda () (signaller (getppid) signal))))
         (result (catch handler-key
                   (lambda () (thunk child) 'returned)
                   (lambda (key . args)
                     (if (eq? key 'signal) count (car args))))))
    (px.sem-post ack)
    (px.waitpid child 0)
    (sigaction signal (car old) (cdr old))
    ;; Whatever a failed test left in the semaphores.
    (while (px.sem-trywait target))
    (while (px.sem-trywait ack))
    result))

(test-group "a handler that escapes abandons the call at the first signal"
  (test-equal "sem-wait" 1
    (abandoned-at SIGUSR1 (lambda (child) (px.sem-wait target))))
  (test-equal "sem-timedwait" 1
    (abandoned-at SIGUSR1
                  (lambda (child) (px.sem-timedwait target (deadline 60)))))
  (test-equal "nanosleep" 1
    (abandoned-at SIGUSR1 (lambda (child) (px.nanosleep 60 0))))
  (test-equal "waitpid" 1
    (abandoned-at SIGUSR1 (lambda (child) (px.waitpid child 0))))
  (test-equal "wait" 1
    (abandoned-at SIGUSR1 (lambda (child) (px.wait))))
  (test-equal "fasl-read of an unbuffered socket" 1
    (let ((s (socketpair AF_UNIX SOCK_STREAM 0)))
      (setvbuf (car s) 'none)
      (dynamic-wind
        (lambda () #f)
        (lambda ()
          (abandoned-at SIGUSR1 (lambda (child) (fasl-read (car s)))))
        (lambda () (close-port (car s)) (close-port (cdr s))))))
  ;; The handler the REPL installs for Ctrl-C (ice-9 top-repl) raises a
  ;; 'signal error.
  (test-equal "sem-wait, SIGINT with the REPL's kind of handler" 1
    (abandoned-at SIGINT (lambda (child) (px.sem-wait target))
                  #:handler-key 'signal)))

(test-group "a handler that returns lets the call go on"
  (let* ((seen 0)
         (old (sigaction SIGUSR2 (lambda (sig) (set! seen (+ seen 1)))))
         (child (px.fork (lambda (pid) pid)
                         (lambda ()
                           (let ((parent (getppid)))
                             (signal-once-asleep parent SIGUSR2)
                             ;; Release the wait once the parent has
                             ;; seen the signal, or after 10 s.
                             (px.sem-timedwait ack (deadline 10))
                             (px.sem-post target)
                             (primitive-_exit 0))))))
    (test-equal "sem-timedwait still times out, and returns #f" #f
      (px.sem-timedwait target (let ((t (deadline 0)))
                                 ;; 0.5 s from now.
                                 (px.set-struct-timespec-tv_nsec!
                                  t (+ (px.struct-timespec-tv_nsec t)
                                       500000000))
                                 (when (> (px.struct-timespec-tv_nsec t)
                                          999999999)
                                   (px.set-struct-timespec-tv_nsec!
                                    t (- (px.struct-timespec-tv_nsec t)
                                         1000000000))
                                   (px.set-struct-timespec-tv_sec!
                                    t (+ 1 (px.struct-timespec-tv_sec t))))
                                 t)))
    (px.sem-post ack)
    (test-equal "sem-wait returns when the semaphore is posted" #t
      (begin (px.sem-wait target) #t))
    (px.waitpid child 0)
    (sigaction SIGUSR2 (car old) (cdr old))))

;; After a signal, waitpid waits in bounded steps (up to 0.5 s); it must
;; still notice its child's exit when it happens, not at the end of the
;; step.  The child exits 0.9 s after the signal, inside the 0.5 s step
;; that starts 0.82 s after it: a wait that polled at the end of its steps
;; would return about 0.42 s after the exit.
(define (monotonic-seconds)
  (let ((t (px.clock-gettime CLOCK_MONOTONIC (px.make-struct-timespec 0 0))))
    (+ (px.struct-timespec-tv_sec t) (/ (px.struct-timespec-tv_nsec t) 1e9))))

(test-group "a handler that returns: waitpid notices the exit when it happens"
  (let* ((seen 0)
         (old (sigaction SIGUSR2 (lambda (sig) (set! seen (+ seen 1)))))
         ;; The child's exit time, in microseconds, in the shared page.
         (exit-slot (* 2 (px.sizeof-sem_t)))
         (child (px.fork (lambda (pid) pid)
                         (lambda ()
                           (let ((parent (getppid)))
                             (signal-once-asleep parent SIGUSR2)
                             (px.nanosleep 0 900000000)
                             (pointer-set-c-sint64!
                              mem exit-slot
                              (inexact->exact (round (* 1e6 (monotonic-seconds)))))
                             (primitive-_exit 0)))))
         (status (px.waitpid child 0))
         (late (- (monotonic-seconds)
                  (/ (pointer-ref-c-sint64 mem exit-slot) 1e6))))
    (sigaction SIGUSR2 (car old) (cdr old))
    (test-equal "the handler ran once" 1 seen)
    (test-assert "the child exited" (px.WIFEXITED status))
    ;; On failure, the actual value is the delay in seconds.
    (test-equal "waitpid returns within 0.25 s of the exit" #t
      (or (< late 0.25) late))))

;; ----------------------------------------------- asyncs without an EINTR

(define (my-tid)
  "The kernel's id of the calling thread."
  (string->number (basename (readlink "/proc/thread-self"))))

(define (wait-until-asleep tid)
  "Poll until thread TID sleeps in the kernel (for at most 10 s)."
  (let loop ((n 0))
    (unless (or (asleep? tid) (> n 10000))
      (px.nanosleep 0 1000000)
      (loop (+ n 1)))))

(define (rescuer rescue)
  "A thread that calls RESCUE if nobody posts ACK within 10 s."
  (call-with-new-thread
   (lambda ()
     (unless (px.sem-timedwait ack (deadline 10))
       (rescue)))))

(test-group "a signal taken just before the wait"
  ;; The C handler has run when kill returns; the Scheme handler is
  ;; queued by Guile's delivery thread a moment later, while sem-wait
  ;; already waits.  Every iteration must be abandoned.
  (let* ((escape #f)
         (late 0)
         (old (sigaction SIGUSR1 (lambda (sig)
                                   (if escape
                                       (escape 'abandoned)
                                       (set! late (+ late 1))))))
         (rescue (rescuer (lambda ()
                            (do ((i 0 (+ i 1))) ((= i 1000))
                              (px.sem-post target)))))
         (abandoned
          (let loop ((i 0) (n 0))
            (if (= i 1000)
                n
                (let ((r (let/ec k
                           (set! escape k)
                           (kill (getpid) SIGUSR1)
                           (px.sem-wait target)
                           'returned)))
                  (set! escape #f)
                  (loop (+ i 1) (if (eq? r 'abandoned) (+ n 1) n)))))))
    (px.sem-post ack)
    (join-thread rescue)
    (sigaction SIGUSR1 (car old) (cdr old))
    (while (px.sem-trywait target))
    (while (px.sem-trywait ack))
    (test-equal "1000 times kill, then sem-wait: 1000 abandoned" 1000
      abandoned)))

;; (in-thread WAIT RESCUE QUEUE): run (WAIT) in a new thread; once it
;; sleeps in the wait, call (QUEUE thread) here.  An async that throws
;; 'vc-test-async makes the thread return 'abandoned; one that cancels it
;; makes it return the values given to cancel-thread.  Return what
;; join-thread returns ('returned when the wait ended otherwise), or
;; 'rescued when the thread is still there 10 s later (then call
;; RESCUE, to end the wait).
(define (in-thread wait rescue queue)
  (let* ((tid #f)
         (thread (call-with-new-thread
                  (lambda ()
                    (set! tid (my-tid))
                    (px.sem-post ack)
                    (catch 'vc-test-async
                      (lambda () (wait) 'returned)
                      (lambda _ 'abandoned))))))
    (px.sem-wait ack)
    (wait-until-asleep tid)
    (queue thread)
    (let ((r (join-thread thread (+ (current-time) 10) 'rescued)))
      (when (eq? r 'rescued)
        (rescue))
      r)))

(define (cancel thread)
  (cancel-thread thread 'cancelled))

(test-group "cancel-thread"
  (test-equal "of a thread in sem-wait" 'cancelled
    (in-thread (lambda () (px.sem-wait target))
               (lambda () (px.sem-post target))
               cancel))
  (test-equal "of a thread in nanosleep" 'cancelled
    ;; Nothing can end a failed sleep early: the thread is left behind.
    (in-thread (lambda () (px.nanosleep 60 0)) (const #f) cancel))
  (let ((child (px.fork (lambda (pid) pid)
                        (lambda ()
                          (px.sem-wait target)
                          (primitive-_exit 0)))))
    (test-equal "of a thread in wait" 'cancelled
      (in-thread px.wait (lambda () (px.sem-post target)) cancel))
    (px.sem-post target)
    (false-if-exception (px.waitpid child 0)))
  (while (px.sem-trywait target)))

;; (woken-from-elsewhere WAIT RESCUE QUEUE): run (WAIT) in this thread
;; while another thread, once this one sleeps, calls (QUEUE me), where ME
;; is this thread; what it queues escapes with 'abandoned.  Return
;; 'abandoned, 'returned when the wait ended otherwise, or 'rescued when
;; it had not ended 10 s later (RESCUE ends it then; the handler may run
;; after that).
(define (woken-from-elsewhere wait rescue queue)
  (let* ((me (current-thread))
         (tid (my-tid))
         (helper (call-with-new-thread
                  (lambda ()
                    (wait-until-asleep tid)
                    (queue me)
                    (or (px.sem-timedwait ack (deadline 10))
                        (begin (rescue) 'rescued)))))
         (r (catch 'vc-test-async
              (lambda () (wait) 'returned)
              (lambda _ 'abandoned))))
    (px.sem-post ack)
    (let ((rescued (eq? 'rescued (join-thread helper))))
      (while (px.sem-trywait ack))
      (if rescued 'rescued r))))

(define (mark thread)
  (system-async-mark (lambda () (throw 'vc-test-async)) thread))

(test-group "an async queued by another thread"
  (test-equal "system-async-mark wakes sem-wait" 'abandoned
    (woken-from-elsewhere (lambda () (px.sem-wait target))
                          (lambda () (px.sem-post target))
                          mark))
  (test-equal "system-async-mark wakes nanosleep" 'abandoned
    (woken-from-elsewhere (lambda () (px.nanosleep 20 0)) (const #f) mark))
  ;; fasl-read of an unbuffered socket waits in recv, as Guile's own
  ;; port reads do (doc/fasl.texi): only a signal its thread takes
  ;; abandons it (the test "fasl-read of an unbuffered socket" above).
  ;; The child waits for the rescue, or the parent's post once it is
  ;; done.
  (let* ((child (px.fork (lambda (pid) pid)
                         (lambda ()
                           (px.sem-wait target)
                           (primitive-_exit 0))))
         (r (woken-from-elsewhere (lambda () (px.waitpid child 0))
                                  (lambda () (px.sem-post target))
                                  mark)))
    ;; Reap the child, unless the wait did (ECHILD then).
    (px.sem-post target)
    (false-if-exception (px.waitpid child 0))
    (test-equal "system-async-mark wakes waitpid" 'abandoned r))
  ;; wait and waitpid -1 WUNTRACED sleep with a watcher thread, which
  ;; the async cancels.
  (for-each
   (lambda (name wait)
     (let* ((child (px.fork (lambda (pid) pid)
                            (lambda ()
                              (px.sem-wait target)
                              (primitive-_exit 0))))
            (r (woken-from-elsewhere wait
                                     (lambda () (px.sem-post target))
                                     mark)))
       (px.sem-post target)
       (false-if-exception (px.waitpid child 0))
       (test-equal name 'abandoned r)))
   '("system-async-mark wakes wait"
     "system-async-mark wakes waitpid -1 WUNTRACED")
   (list px.wait (lambda () (px.waitpid -1 WUNTRACED))))
  (let ((old (sigaction SIGUSR1)))
    (test-equal "a signal another thread takes wakes sem-wait" 'abandoned
      ;; The main thread takes the signal it sends itself (Linux gives a
      ;; process's signal to its main thread first when that one does not
      ;; block it); the handler belongs to the waiting thread, which sees
      ;; no EINTR.
      (in-thread (lambda () (px.sem-wait target))
                 (lambda () (px.sem-post target))
                 (lambda (thread)
                   (sigaction SIGUSR1 (lambda (sig) (throw 'vc-test-async))
                              0 thread)
                   (kill (getpid) SIGUSR1))))
    (sigaction SIGUSR1 (car old) (cdr old)))
  (let ((ch (make-channel 4096)))
    (test-equal "system-async-mark wakes channel-get on an empty channel"
      'abandoned
      (woken-from-elsewhere (lambda () (channel-get ch))
                            (lambda () (channel-put! ch 'rescued))
                            mark)))
  (while (px.sem-trywait target)))

(test-equal "the abandoned waits left no pidfd or eventfd open" '()
  (waiting-fds))

(px.sem-destroy ack)
(px.sem-destroy target)
(px.munmap mem page)

(test-end "signals")
