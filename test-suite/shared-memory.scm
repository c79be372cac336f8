;;; shared-memory.scm -- shared memory, semaphores and atomics across fork.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; The behaviours of Vicare's test-vicare-posix-shared-memory,
;;; -processes-shared-memory and -semaphores, written afresh.  Unlike
;;; those, nothing here sleeps to synchronise: the parent waits on a
;;; semaphore or on waitpid.  Every child is reaped and every name
;;; unlinked even when a test fails: `with-child' kills and reaps a child
;;; the parent did not wait for, and the names (unique per process) are
;;; removed by unwind-protect cleanups.  A child never returns into the
;;; test file: it ends with primitive-_exit, 0 on success, 1 after an
;;; exception (having run its failure thunk, which posts the semaphore the
;;; parent may be waiting on).

(use-modules (test-suite harness)
             (vicare-compat platform constants)
             (vicare-compat)
             ((vicare-compat posix) #:prefix px.)
             (system foreign)
             (rnrs bytevectors))

(test-begin "shared-memory")

;; Its forks follow sigaction: fork only once the signal thread is idle.
(settle-signal-delivery!)

(define page (px.sysconf _SC_PAGESIZE))
(define rw (fxior PROT_READ PROT_WRITE))

(define (unique-name tag)
  (format #f "/vc-test-~a-~a" (getpid) tag))

;; (with-child CHILD PARENT [ON-FAILURE]): fork; the child calls (CHILD)
;; and exits 0, or calls (ON-FAILURE) and exits 1 if CHILD raised.  The
;; parent calls (PARENT reap), where (reap) waits for the child and
;; returns its exit code; if PARENT leaves without reaping, the child is
;; killed and reaped.
(define* (with-child child parent #:optional (on-failure (lambda () #t)))
  (let ((pid (px.fork)))
    (if (zero? pid)
        (primitive-_exit
         (catch #t
           (lambda () (child) 0)
           (lambda _ (false-if-exception (on-failure)) 1)))
        (let ((status #f))
          (define (reap)
            (unless status
              (set! status (px.waitpid pid 0)))
            (px.WEXITSTATUS status))
          (dynamic-wind
            (lambda () #t)
            (lambda () (parent reap))
            (lambda ()
              (unless status
                (false-if-exception (kill pid SIGKILL))
                (set! status (px.waitpid pid 0)))))))))

(define (call-with-shared-page proc)
  (let ((p (px.mmap #f page rw (fxior MAP_SHARED MAP_ANONYMOUS) 0 0)))
    (unwind-protect (proc p)
      (px.munmap p page))))

;; Create a fresh shm object of one page, call (PROC name fd), then close
;; and unlink it.
(define (call-with-shm tag proc)
  (let* ((name (unique-name tag))
         (fd (px.shm-open name (fxior O_CREAT O_EXCL O_RDWR)
                          (fxior S_IRUSR S_IWUSR))))
    (unwind-protect
        (begin (px.ftruncate fd page) (proc name fd))
      (px.close fd)
      (px.shm-unlink name))))

(test-group "anonymous shared mapping"
  (call-with-shared-page
   (lambda (mem)
     (pointer-set-c-signed-int! mem 0 234)
     (test-equal "child adds 1000 to the parent's int" '(1234 0)
       (with-child
        (lambda ()
          (pointer-set-c-signed-int! mem 0 (+ 1000 (pointer-ref-c-signed-int mem 0))))
        (lambda (reap)
          (let ((code (reap)))
            (list (pointer-ref-c-signed-int mem 0) code)))))))
  (call-with-shared-page
   (lambda (mem)
     (let ((view (pointer->bytevector mem 10)))
       (bytevector-copy! (u8-list->bytevector (iota 10)) 0 view 0 10)
       (test-equal "child adds 100 to each byte"
         (u8-list->bytevector (iota 10 100))
         (with-child
          (lambda ()
            (do ((i 0 (+ i 1))) ((= i 10))
              (bytevector-u8-set! view i (+ 100 (bytevector-u8-ref view i)))))
          (lambda (reap)
            (reap)
            (bytevector-copy (pointer->bytevector mem 10)))))))))

(test-group "POSIX shared memory across fork"
  (call-with-shm "shm"
   (lambda (name fd)
     (let ((mem (px.mmap #f page rw MAP_SHARED fd 0)))
       (unwind-protect
           (test-equal "the child opens the name, writes 123" '(0 123)
             (with-child
              (lambda ()
                (let* ((fd2 (px.shm-open name O_RDWR 0))
                       (p (px.mmap #f page rw MAP_SHARED fd2 0)))
                  (pointer-set-c-signed-int! p 0 123)))
              (lambda (reap)
                (let ((code (reap)))
                  (list code (pointer-ref-c-signed-int mem 0))))))
         (px.munmap mem page))))))

(test-group "semaphores across fork"
  ;; A named semaphore and a shm object, both created by the parent.
  (let ((sem-name (unique-name "nsem")))
    (call-with-shm "nsem-shm"
     (lambda (shm-name fd)
       (let ((sem (px.sem-open sem-name (fxior O_CREAT O_EXCL O_RDWR) #o600 0))
             (mem (px.mmap #f page rw MAP_SHARED fd 0)))
         (unwind-protect
             (test-equal "named semaphore: parent waits, child writes 123" '(123 0)
               (with-child
                (lambda ()
                  (let* ((s (px.sem-open sem-name O_RDWR 0))
                         (fd2 (px.shm-open shm-name O_RDWR 0))
                         (p (px.mmap #f page rw MAP_SHARED fd2 0)))
                    (pointer-set-c-signed-int! p 0 123)
                    (px.sem-post s)
                    (px.sem-close s)))
                (lambda (reap)
                  (px.sem-wait sem)
                  (let ((v (pointer-ref-c-signed-int mem 0)))
                    (list v (reap))))
                (lambda () (px.sem-post sem))))
           (px.munmap mem page)
           (px.sem-close sem)
           (px.sem-unlink sem-name))))))
  ;; An unnamed semaphore at the start of a shared mapping, the data after.
  (define (unnamed-semaphore-test name wait)
    (call-with-shm "usem"
     (lambda (shm-name fd)
       (let* ((base (px.mmap #f page rw MAP_SHARED fd 0))
              (data (make-pointer (+ (pointer-address base) (px.sizeof-sem_t))))
              (sem (px.sem-init base #t 0)))
         (unwind-protect
             (test-equal name '(#t 123 0)
               (with-child
                (lambda ()
                  (pointer-set-c-signed-int! data 0 123)
                  (px.sem-post base))
                (lambda (reap)
                  (let* ((taken (wait sem))
                         (v (pointer-ref-c-signed-int data 0)))
                    (list taken v (reap))))
                (lambda () (px.sem-post base))))
           (px.sem-destroy sem)
           (px.munmap base page))))))
  (unnamed-semaphore-test "unnamed semaphore in shm: sem-wait"
    (lambda (sem) (px.sem-wait sem) #t))
  (unnamed-semaphore-test "unnamed semaphore in shm: sem-timedwait, now + 30 s"
    (lambda (sem)
      (let ((t (px.clock-gettime CLOCK_REALTIME (px.make-struct-timespec 0 0))))
        (px.set-struct-timespec-tv_sec! t (+ 30 (px.struct-timespec-tv_sec t)))
        (px.sem-timedwait sem t))))
  (call-with-shared-page
   (lambda (mem)
     (px.sem-init mem #t 0)
     (test-equal "sem-timedwait times out while a child holds off" '(#f 0)
       ;; The child waits for the parent's post, which comes only after
       ;; the parent's wait timed out (its deadline is 10 ms away).
       (let ((go (make-pointer (+ (pointer-address mem) 64))))
         (px.sem-init go #t 0)
         (with-child
          (lambda () (px.sem-wait go) (px.sem-post mem))
          (lambda (reap)
            (let* ((t (px.clock-gettime CLOCK_REALTIME (px.make-struct-timespec 0 0)))
                   (ns (+ (px.struct-timespec-tv_nsec t) 10000000)))
              (px.set-struct-timespec-tv_sec!
               t (+ (px.struct-timespec-tv_sec t) (quotient ns 1000000000)))
              (px.set-struct-timespec-tv_nsec! t (remainder ns 1000000000))
              (let ((taken (px.sem-timedwait mem t)))
                (px.sem-post go)
                (px.sem-wait mem)
                (list taken (reap))))))))
     (px.sem-destroy mem))))

(test-group "signals during a blocking wait"
  ;; The child signals the parent, then posts: whether the signal lands
  ;; while the parent is in sem-wait or before, sem-wait must return
  ;; normally (EINTR restarts it after Guile's handler has run).
  (call-with-shared-page
   (lambda (mem)
     (let ((old (sigaction SIGUSR1)))
       (dynamic-wind
         (lambda () (sigaction SIGUSR1 (lambda (sig) #t)))
         (lambda ()
           (px.sem-init mem #t 0)
           (test-equal "sem-wait survives a signal" '(#t 0)
             (let ((parent (getpid)))
               (with-child
                (lambda ()
                  (kill parent SIGUSR1)
                  (px.sem-post mem))
                (lambda (reap)
                  (px.sem-wait mem)
                  (list #t (reap)))
                (lambda () (px.sem-post mem)))))
           (px.sem-destroy mem))
         (lambda () (sigaction SIGUSR1 (car old) (cdr old))))))))

(test-group "signals during a sleep"
  ;; nanosleep resumes with the time that remained after a signal, so it
  ;; never returns early: the elapsed time is at least what was asked.
  (let ((old (sigaction SIGUSR1)))
    (dynamic-wind
      (lambda () (sigaction SIGUSR1 (lambda (sig) #t)))
      (lambda ()
        (test-equal "nanosleep sleeps its full time despite a signal" '(#t #f #f 0)
          (let ((parent (getpid)))
            (with-child
             (lambda () (kill parent SIGUSR1))
             (lambda (reap)
               (let* ((t0 (get-internal-real-time))
                      (vals (call-with-values (lambda () (px.nanosleep 0 200000000))
                              list))
                      (elapsed (- (get-internal-real-time) t0)))
                 (append (list (>= elapsed (/ internal-time-units-per-second 5)))
                         vals
                         (list (reap)))))))))
      (lambda () (sigaction SIGUSR1 (car old) (cdr old))))))

(test-group "atomics across fork"
  (call-with-shared-page
   (lambda (mem)
     ;; Two semaphores at offsets 256 and 512 start both processes at the
     ;; same moment, so that their loops really overlap (without them the
     ;; child may be done before the parent starts, and a plain counter
     ;; would pass too).
     (define ready (make-pointer (+ (pointer-address mem) 256)))
     (define go (make-pointer (+ (pointer-address mem) 512)))
     ;; Run (WORK) in a child and in the parent at once; return (READ)
     ;; and the child's exit code.
     (define (race work read)
       (px.sem-init ready #t 0)
       (px.sem-init go #t 0)
       (with-child
        (lambda () (px.sem-post ready) (px.sem-wait go) (work))
        (lambda (reap)
          (px.sem-wait ready)
          (px.sem-post go)
          (work)
          (let ((code (reap)))
            (list (read) code)))
        (lambda () (px.sem-post ready))))
     (pointer-atomic-set-c-sint64! mem 0 0)
     (test-equal "two processes add 1 100,000 times each: 200,000" '(200000 0)
       (race (lambda ()
               (do ((i 0 (+ i 1))) ((= i 100000))
                 (pointer-atomic-fetch-add-c-sint64! mem 0 1)))
             (lambda () (pointer-atomic-ref-c-sint64 mem 0))))
     (pointer-atomic-set-c-uint32! mem 8 0)
     (test-equal "uint32 counter, 100,000 each: 200,000" '(200000 0)
       (race (lambda ()
               (do ((i 0 (+ i 1))) ((= i 100000))
                 (pointer-atomic-fetch-add-c-uint32! mem 8 1)))
             (lambda () (pointer-atomic-ref-c-uint32 mem 8))))
     ;; A spin lock made with compare-and-swap guards a plain counter.
     (pointer-atomic-set-c-sint32! mem 16 0)
     (pointer-set-c-signed-int! mem 20 0)
     (test-equal "a compare-and-swap lock keeps a plain counter exact" '(40000 0)
       (race (lambda ()
               (do ((i 0 (+ i 1))) ((= i 20000))
                 (let spin ()
                   (unless (pointer-atomic-compare-and-swap-c-sint32! mem 16 0 1)
                     (spin)))
                 (pointer-set-c-signed-int!
                  mem 20 (+ 1 (pointer-ref-c-signed-int mem 20)))
                 (pointer-atomic-set-c-sint32! mem 16 0)))
             (lambda () (pointer-ref-c-signed-int mem 20)))))))

(test-end "shared-memory")
