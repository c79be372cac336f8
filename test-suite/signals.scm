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

(use-modules (test-suite harness)
             (vicare-compat)
             (vicare-compat platform constants)
             ((vicare-compat posix) #:prefix px.)
             (ice-9 rdelim))

(test-begin "signals")

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

(define (signaller parent signal)
  "The child: signal PARENT once it sleeps; rescue it if it does not
acknowledge."
  (let loop ()
    (unless (asleep? parent)
      (px.nanosleep 0 1000000)
      (loop)))
  (kill parent signal)
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
                             (let loop ()
                               (unless (asleep? parent)
                                 (px.nanosleep 0 1000000)
                                 (loop)))
                             (kill parent SIGUSR2)
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

(px.sem-destroy ack)
(px.sem-destroy target)
(px.munmap mem page)

(test-end "signals")
