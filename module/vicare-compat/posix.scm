;;; (vicare-compat posix) -- Vicare's (vicare posix), meant for a px. prefix.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Commentary:
;;;
;;; Import it with a prefix, as Vicare programs do:
;;;   (use-modules ((vicare-compat posix) #:prefix px.))
;;; Three names, close, waitpid and strerror, are also Guile core
;;; bindings with another meaning: imported without a prefix, they
;;; override Guile's, and Guile says so (the warning tells a user who
;;; forgot the prefix that `close' is no longer Guile's).  getpid and
;;; getppid are Guile's own.  cond-expand is Vicare's, a superset of
;;; Guile's: it is declared a replacement, so it takes Guile's place
;;; silently.  Failed system calls raise the errno condition of
;;; (vicare-compat conditions); bad arguments raise assertion-class
;;; conditions before any call is made.  Most procedures are the C
;;; primitives of src/posix.c, re-exported as they are.
;;;
;;; Code:

(define-module (vicare-compat posix)
  #:use-module ((vicare-compat primitives) #:prefix %)
  #:use-module (vicare-compat conditions)
  #:use-module ((vicare-compat fasl-support) #:select (call-with-fasl-locks))
  #:use-module (srfi srfi-9)
  #:use-module ((srfi srfi-1) #:select (any))
  #:use-module ((system syntax) #:select (syntax-module))
  #:use-module ((vicare-compat exit) #:select ((exit . exit-now)))
  #:export (fork
            sem-timedwait
            clock-gettime clock-getres clock-settime
            make-struct-timespec struct-timespec?
            struct-timespec-tv_sec struct-timespec-tv_nsec
            set-struct-timespec-tv_sec! set-struct-timespec-tv_nsec!)
  #:re-export (&errno make-errno-condition errno-condition? condition-errno
               (%sysconf . sysconf)
               ;; memory maps
               (%mmap . mmap) (%munmap . munmap) (%msync . msync)
               (%madvise . madvise) (%mprotect . mprotect)
               (%mlock . mlock) (%munlock . munlock)
               (%mlockall . mlockall) (%munlockall . munlockall)
               ;; shared memory
               (%shm-open . shm-open) (%shm-unlink . shm-unlink)
               (%ftruncate . ftruncate)
               ;; semaphores
               (%sem-open . sem-open) (%sem-close . sem-close)
               (%sem-unlink . sem-unlink) (%sizeof-sem_t . sizeof-sem_t)
               (%sem-init . sem-init) (%sem-destroy . sem-destroy)
               (%sem-post . sem-post) (%sem-wait . sem-wait)
               (%sem-trywait . sem-trywait) (%sem-getvalue . sem-getvalue)
               ;; processes
               (%wait . wait)
               (%WIFEXITED . WIFEXITED) (%WEXITSTATUS . WEXITSTATUS)
               (%WIFSIGNALED . WIFSIGNALED) (%WTERMSIG . WTERMSIG)
               (%WIFSTOPPED . WIFSTOPPED) (%WSTOPSIG . WSTOPSIG)
               (%WCOREDUMP . WCOREDUMP)
               (%nanosleep . nanosleep)
               (%clock-getcpuclockid . clock-getcpuclockid)
               ;; errors
               (%errno->string . errno->string)
               ;; Guile's own
               getpid getppid
               ;; with another meaning than Guile's: not replacements
               (%close . close) (%waitpid . waitpid))
  #:export (strerror)
  #:replace ((posix-cond-expand . cond-expand)))

;; mremap is Linux only, as in Vicare: defined when the C library has it.
(when (module-variable (resolve-interface '(vicare-compat primitives)) 'mremap)
  (module-re-export! (current-module) '((%mremap . mremap))))

(define %primitives (resolve-interface '(vicare-compat primitives)))

;; The docstrings of the C primitives, set here once.
(for-each
 (lambda (entry)
   (let ((var (module-variable %primitives (car entry))))
     (when var
       (set-procedure-property! (variable-ref var) 'documentation
                                (cadr entry)))))
 '((sysconf "(sysconf name) -- the value of the system limit NAME (an
'_SC_*' constant), or #f when it has no limit.")
   (mmap "(mmap address length protect flags fd offset) -- map memory and
return a pointer to it.  ADDRESS is #f or a pointer; FD
is ignored (0 or -1) for 'MAP_ANONYMOUS' maps.")
   (munmap "(munmap address length) -- unmap the pages at ADDRESS.")
   (msync "(msync address length flags) -- write a shared file mapping back
to its file ('MS_SYNC' or 'MS_ASYNC').")
   (mremap "(mremap address length new-length flags) -- resize a mapping;
return the pointer to it, possibly at a new address (Linux only).")
   (madvise "(madvise address length advice) -- advise the kernel about the
use of a mapping ('MADV_*').")
   (mprotect "(mprotect address length prot) -- change the protection of a
mapping ('PROT_*').")
   (mlock "(mlock address length) -- lock the pages in memory.")
   (munlock "(munlock address length) -- unlock the pages.")
   (mlockall "(mlockall flags) -- lock every page of the process
('MCL_CURRENT', 'MCL_FUTURE').")
   (munlockall "(munlockall) -- unlock every page of the process.")
   (shm-open "(shm-open name oflag mode) -- open a POSIX shared memory
object; return its file descriptor.  NAME is a string or a
bytevector.")
   (shm-unlink "(shm-unlink name) -- remove a POSIX shared memory object.")
   (ftruncate "(ftruncate fd length) -- set the size of the file FD.")
   (close "(close fd) -- close the file descriptor FD.")
   (sem-open "(sem-open name oflag mode [value]) -- open a named semaphore;
return a pointer to it.")
   (sem-close "(sem-close sem) -- close a named semaphore.")
   (sem-unlink "(sem-unlink name) -- remove a named semaphore.")
   (sizeof-sem_t "(sizeof-sem_t) -- the size in bytes of a C
'sem_t'.")
   (sem-init "(sem-init sem pshared [value]) -- initialise an unnamed
semaphore at the pointer SEM, shared between processes unless
PSHARED is #f; return SEM.")
   (sem-destroy "(sem-destroy sem) -- destroy an unnamed semaphore.")
   (sem-post "(sem-post sem) -- increment the semaphore.")
   (sem-wait "(sem-wait sem) -- decrement the semaphore, waiting while it
is zero.")
   (sem-trywait "(sem-trywait sem) -- decrement the semaphore if it is not
zero: return #t if it did, #f if it would have blocked.")
   (sem-getvalue "(sem-getvalue sem) -- the value of the semaphore.")
   (waitpid "(waitpid pid options) -- wait for a child and return its raw
status, or #f when OPTIONS has 'WNOHANG' and no child
changed state.")
   (wait "(wait) -- wait for any child; return its raw status.")
   (WIFEXITED "(WIFEXITED status) -- did the child exit normally?")
   (WEXITSTATUS "(WEXITSTATUS status) -- the exit code of the child.")
   (WIFSIGNALED "(WIFSIGNALED status) -- was the child killed by a
signal?")
   (WTERMSIG "(WTERMSIG status) -- the signal that killed the child.")
   (WIFSTOPPED "(WIFSTOPPED status) -- is the child stopped?")
   (WSTOPSIG "(WSTOPSIG status) -- the signal that stopped the child.")
   (WCOREDUMP "(WCOREDUMP status) -- did the killed child dump core?")
   (nanosleep "(nanosleep secs nsecs) -- sleep; return two values, both
#f.")
   (clock-getcpuclockid "(clock-getcpuclockid pid) -- the clock id of the
CPU time of process PID (0 for the calling process), for clock-gettime.")
   (errno->string "(errno->string code) -- the name of the negated errno
CODE, such as \"EINVAL\", or #f when unknown.")))

;;; ------------------------------------------------------------- processes

(define (fork-now)
  ;; Flush first: a buffer copied into the child would be printed twice.
  (flush-all-ports)
  (catch 'system-error
    ;; The package's own locks are held across the fork, so that the
    ;; child never inherits one that another thread held.
    (lambda () (call-with-fasl-locks primitive-fork))
    (lambda args
      (%raise-errno 'fork (system-error-errno args) '()))))

(define (quit-status args)
  ;; The exit code that Guile's own exit and quit give for ARGS.
  (cond ((null? args) 0)
        ((eq? (car args) #t) 0)
        ((eq? (car args) #f) 1)
        ((exact-integer? (car args)) (car args))
        (else 1)))

(define (report-child text . args)
  (false-if-exception
   (let ((port (current-error-port)))
     (apply format port text (getpid) args)
     (force-output port))))

;; The child of (fork parent-proc child-thunk) never returns from fork: it
;; would run the rest of the parent's program, or read the parent's REPL
;; input, as a second process.  It ends when CHILD-THUNK returns (status
;; 0), raises (status 1, the exception printed as Guile prints an uncaught
;; one) or calls Guile's exit (its status).  Only the dynamic extent of
;; CHILD-THUNK is unwound, never the parent's: its unwind-protect cleanups
;; and guard clauses do not run in the child.
(define (run-child child-thunk)
  (let ((status #f))
    (dynamic-wind
      (lambda () #t)
      (lambda ()
        (with-exception-handler
            (lambda (e)
              (set! status
                    (if (eq? (exception-kind e) 'quit)
                        (quit-status (exception-args e))
                        (begin
                          (report-child
                           "fork: uncaught exception in the child process ~a:~%")
                          (false-if-exception
                           (print-exception (current-error-port) #f
                                            (exception-kind e)
                                            (exception-args e)))
                          1))))
          (lambda ()
            (child-thunk)
            (set! status 0))
          #:unwind? #t))
      (lambda ()
        (unless status
          (report-child "fork: the child process ~a left its thunk through \
a continuation; it exits with status 1~%"))
        (exit-now (or status 1))))))

(define fork
  (case-lambda
    "(fork) -- fork the process: return 0 in the child and the child's pid
in the parent, as C's fork does.

(fork parent-proc child-thunk) -- call (PARENT-PROC CHILD-PID) in the
parent and return its values; call (CHILD-THUNK) in the child, which
never returns from fork: it exits with status 0 when CHILD-THUNK returns,
and with status 1 when it raises, the exception printed on the error port
(Guile's exit in it gives its own status).  No cleanup of the parent's
unwind-protect or dynamic-wind runs in the child.  Scheme output ports
are flushed before forking.  As Guile's primitive-fork warns, forking
while other threads run is unsafe: the child has only the calling thread,
and a lock another thread held in libguile or the collector stays held in
the child, which can then hang.  That includes Guile's signal delivery
thread, which primitive-fork does not count: for a few milliseconds after
the first sigaction of the process it runs Scheme code, holding the
symbol table lock, and a child forked then hangs at its first symbol
lookup.  Call sigaction well before forking."
    (()
     (fork-now))
    ((parent-proc child-thunk)
     (unless (procedure? parent-proc)
       (procedure-signature-argument-violation 'fork 1 'procedure? parent-proc))
     (unless (procedure? child-thunk)
       (procedure-signature-argument-violation 'fork 2 'procedure? child-thunk))
     (let ((pid (fork-now)))
       (if (zero? pid)
           (run-child child-thunk)
           (parent-proc pid))))))

;;; ------------------------------------------------------------------ time

(define-record-type <struct-timespec>
  (make-struct-timespec tv_sec tv_nsec)
  struct-timespec?
  (tv_sec timespec-sec set-timespec-sec!)
  (tv_nsec timespec-nsec set-timespec-nsec!))

;; A struct-timespec argument, checked with Vicare's message, as the C
;; side of the module reports a bad one.
(define (check-struct-timespec who index obj)
  (unless (struct-timespec? obj)
    (procedure-signature-argument-violation
     who "expected struct-timespec as argument" index 'struct-timespec? obj)))

;; The accessors check their argument, as the rest of the package does
;; (a record accessor of Guile raises wrong-type-arg).
(define (struct-timespec-tv_sec timespec)
  (check-struct-timespec 'struct-timespec-tv_sec 1 timespec)
  (timespec-sec timespec))

(define (struct-timespec-tv_nsec timespec)
  (check-struct-timespec 'struct-timespec-tv_nsec 1 timespec)
  (timespec-nsec timespec))

(define (set-struct-timespec-tv_sec! timespec value)
  (check-struct-timespec 'set-struct-timespec-tv_sec! 1 timespec)
  (set-timespec-sec! timespec value))

(define (set-struct-timespec-tv_nsec! timespec value)
  (check-struct-timespec 'set-struct-timespec-tv_nsec! 1 timespec)
  (set-timespec-nsec! timespec value))

(for-each (lambda (proc text)
            (set-procedure-property! proc 'documentation text))
          (list make-struct-timespec struct-timespec?
                struct-timespec-tv_sec struct-timespec-tv_nsec
                set-struct-timespec-tv_sec! set-struct-timespec-tv_nsec!)
          '("(make-struct-timespec tv_sec tv_nsec) -- a new struct-timespec."
            "(struct-timespec? obj) -- is OBJ a struct-timespec?"
            "(struct-timespec-tv_sec timespec) -- the seconds."
            "(struct-timespec-tv_nsec timespec) -- the nanoseconds."
            "(set-struct-timespec-tv_sec! timespec value) -- set the seconds."
            "(set-struct-timespec-tv_nsec! timespec value) -- set the
nanoseconds."))

(define (read-clock who primitive clock-id timespec)
  ;; The C primitive checks CLOCK-ID (argument 1) and reads the clock.
  (let ((now (primitive clock-id timespec)))
    (check-struct-timespec who 2 timespec)
    (set-timespec-sec! timespec (car now))
    (set-timespec-nsec! timespec (cdr now))
    timespec))

(define (clock-gettime clock-id timespec)
  "Store the current time of the clock CLOCK-ID (such as CLOCK_REALTIME)
in the struct-timespec TIMESPEC; return TIMESPEC."
  (read-clock 'clock-gettime %%vc-clock-gettime clock-id timespec))

(define (clock-getres clock-id timespec)
  "Store the resolution of the clock CLOCK-ID in the struct-timespec
TIMESPEC; return TIMESPEC."
  (read-clock 'clock-getres %%vc-clock-getres clock-id timespec))

(define (clock-settime clock-id timespec)
  "Set the clock CLOCK-ID to the time in the struct-timespec TIMESPEC (a
privileged operation); return TIMESPEC."
  ;; The C side checks CLOCK-ID, then the fields, as for sem-timedwait.
  (let ((timespec? (struct-timespec? timespec)))
    (%%vc-clock-settime clock-id (and timespec? (timespec-sec timespec))
                        (and timespec? (timespec-nsec timespec)) timespec))
  timespec)

(define (sem-timedwait sem abs-timeout)
  "Decrement the semaphore SEM, waiting at most until the absolute
'CLOCK_REALTIME' time in the struct-timespec ABS-TIMEOUT: return
#t when it was decremented, #f when the time ran out."
  ;; The C side checks SEM (argument 1), then the fields: #f for a
  ;; non-timespec fails that check, so the arguments are checked in order.
  (let ((timespec? (struct-timespec? abs-timeout)))
    (%%vc-sem-timedwait sem (and timespec? (timespec-sec abs-timeout))
                        (and timespec? (timespec-nsec abs-timeout))
                        abs-timeout)))

;;; -------------------------------------------------------------- features

;; The operating systems Vicare's cond-expand names, each true when its
;; name is in the host type (x86_64-pc-linux-gnu has linux and posix).
(eval-when (expand load eval)
  (define os-features
    '(("linux" linux posix) ("darwin" darwin posix)
      ("freebsd" freebsd bsd posix) ("openbsd" openbsd bsd posix)
      ("netbsd" netbsd bsd posix) ("solaris" solaris posix)
      ("cygwin" cygwin posix)))

  (define (host-feature? name)
    (let ((host (string-downcase %host-type)))
      (any (lambda (entry)
             (and (memq name (cdr entry)) (string-contains host (car entry))))
           os-features)))

  (define (os-feature? name)
    (any (lambda (entry) (memq name (cdr entry))) os-features))

  (define (posix-binding? id)
    ;; Is the identifier ID bound, where it is used, to a procedure of
    ;; this module (px.mmap with a px. prefix)?
    (let* ((mod (and (syntax-module id) (resolve-module (syntax-module id))))
           (var (and mod (module-variable mod (syntax->datum id))))
           (public (module-public-interface
                    (resolve-module '(vicare-compat posix)))))
      (and var
           (any (lambda (v) (eq? v var))
                (module-map (lambda (name v) v) public))))))

(define-syntax posix-cond-expand
  (lambda (stx)
    "Vicare's cond-expand of (vicare posix): Guile's cond-expand, where a
feature may also be an identifier bound to a procedure of this module (as
px.mmap), true because the C library has it, or an operating system
name (linux, darwin, bsd, posix, ...), true when Guile runs on it."
    (define (requirement r)
      (syntax-case r (and or not)
        ((and x ...) #`(and #,@(map requirement #'(x ...))))
        ((or x ...) #`(or #,@(map requirement #'(x ...))))
        ((not x) #`(not #,(requirement #'x)))
        (id (identifier? #'id)
            (let ((name (syntax->datum #'id)))
              (cond ((eq? name 'else) #'id)
                    ((posix-binding? #'id) #'(and))
                    ((os-feature? name) (if (host-feature? name) #'(and) #'(or)))
                    (else #'id))))
        (_ r)))
    (syntax-case stx ()
      ((_ (req body ...) ...)
       (with-syntax (((req* ...) (map requirement #'(req ...))))
         #'(cond-expand (req* body ...) ...))))))

;;; ---------------------------------------------------------------- errors

(define (strerror code)
  "The message of the negated errno CODE, in the form
\"EINVAL: Invalid argument\"; #f gives \"no error\"
and #t \"unknown errno code (#t)\", as in Vicare."
  (cond ((not code) "no error")
        ((eq? code #t) "unknown errno code (#t)")
        ((and (exact-integer? code) (< -4096 code 0))
         (let ((name (%errno->string code)))
           (if name
               (string-append name ": " ((@ (guile) strerror) (- code)))
               (format #f "unknown errno code (~a)" code))))
        (else
         (procedure-signature-argument-violation 'strerror 1 'errno-code?
                                                 code))))
