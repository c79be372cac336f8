;;; posix.scm -- tests of (vicare-compat posix).
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

(use-modules (test-suite harness)
             (vicare-compat platform constants)
             (vicare-compat)
             ((vicare-compat posix) #:prefix px.)
             (system foreign)
             (rnrs bytevectors)
             (ice-9 binary-ports)
             ((srfi srfi-1) #:select (filter-map))
             ((rnrs conditions)
              #:select (assertion-violation? error? condition-message
                        condition-who condition-irritants)))

(test-begin "posix")

(test-group "sysconf"
  (test-equal "page size" 4096 (px.sysconf _SC_PAGESIZE))
  (test-raises "name not an int" procedure-argument-violation?
    'sysconf '(a) (px.sysconf 'a))
  (test-raises "name out of int range" procedure-argument-violation?
    'sysconf (list (expt 2 40)) (px.sysconf (expt 2 40)))
  (test-raises "invalid name: EINVAL" errno-condition?
    'sysconf '(-1) (px.sysconf -1))
  (test-equal "EINVAL code" EINVAL
    (condition-errno (catch-condition (lambda () (px.sysconf -1))))))

(define page (px.sysconf _SC_PAGESIZE))

(test-group "mmap"
  (let ((p (px.mmap #f page (fxior PROT_READ PROT_WRITE)
                    (fxior MAP_SHARED MAP_ANONYMOUS) 0 0)))
    (test-assert "returns a pointer" (pointer? p))
    (test-equal "page aligned" 0 (modulo (pointer-address p) page))
    (test-equal "zero filled, writable" '(0 99)
      (list (pointer-ref-c-signed-int p 0)
            (begin (pointer-set-c-signed-int! p 0 99)
                   (pointer-ref-c-signed-int p 0))))
    (test-equal "munmap returns" #t
      (begin (px.munmap p page) #t)))
  (test-assert "fd -1 accepted for anonymous maps"
    (let ((p (px.mmap #f page PROT_READ (fxior MAP_PRIVATE MAP_ANONYMOUS) -1 0)))
      (px.munmap p page)
      #t))
  (let ((e (catch-condition
            (lambda () (px.mmap #f 0 PROT_READ (fxior MAP_PRIVATE MAP_ANONYMOUS) 0 0)))))
    (test-assert "length 0: errno condition" (errno-condition? e))
    (test-assert "length 0: also &error" (error? e))
    (test-equal "length 0: EINVAL" EINVAL (condition-errno e))
    (test-equal "length 0: who and irritants"
      (list 'mmap (list #f 0 PROT_READ (fxior MAP_PRIVATE MAP_ANONYMOUS) 0 0))
      (condition-shape e))
    (test-equal "length 0: message" "EINVAL: Invalid argument"
      ((@ (rnrs conditions) condition-message) e)))
  (test-raises "address not a pointer" procedure-argument-violation?
    'mmap '(1) (px.mmap 1 page PROT_READ MAP_PRIVATE 0 0))
  (test-raises "length negative" procedure-argument-violation?
    'mmap '(-1) (px.mmap #f -1 PROT_READ MAP_PRIVATE 0 0))
  (test-raises "protect not a fixnum" procedure-argument-violation?
    'mmap '(1.0) (px.mmap #f page 1.0 MAP_PRIVATE 0 0))
  (test-raises "flags not a fixnum" procedure-argument-violation?
    'mmap '(x) (px.mmap #f page PROT_READ 'x 0 0))
  (test-raises "flags beyond the C int range" procedure-argument-violation?
    'mmap (list (+ MAP_PRIVATE (expt 2 32)))
    (px.mmap #f page PROT_READ (+ MAP_PRIVATE (expt 2 32)) 0 0))
  (test-raises "bad file descriptor" assertion-violation?
    'mmap '(-2) (px.mmap #f page PROT_READ MAP_PRIVATE -2 0))
  (test-raises "offset not an integer" procedure-argument-violation?
    'mmap '("0") (px.mmap #f page PROT_READ MAP_PRIVATE 0 "0"))
  (test-raises "munmap not a pointer" procedure-argument-violation?
    'munmap '(#f) (px.munmap #f page))
  (test-raises "munmap misaligned: EINVAL" errno-condition?
    'munmap (list (make-pointer 1) page) (px.munmap (make-pointer 1) page)))

(test-group "nanosleep"
  (test-equal "two values, both #f" '(#f #f)
    (call-with-values (lambda () (px.nanosleep 0 1000)) list))
  (test-raises "negative seconds" assertion-violation?
    'nanosleep '(-1) (px.nanosleep -1 0))
  (test-raises "seconds not an integer" assertion-violation?
    'nanosleep '(0.5) (px.nanosleep 0.5 0))
  (test-raises "nanoseconds too large" assertion-violation?
    'nanosleep '(1000000000) (px.nanosleep 0 1000000000)))

(test-group "waitpid"
  (test-raises "no child: ECHILD" errno-condition?
    'waitpid '(-1 0) (px.waitpid -1 0))
  (test-raises "pid not a fixnum" assertion-violation?
    'waitpid '(a) (px.waitpid 'a 0))
  (test-raises "options not a fixnum" procedure-argument-violation?
    'waitpid '(b) (px.waitpid 0 'b)))

;;; The helpers below give every errno test the same shape: the condition
;;; is an errno condition, with the code, who and irritants expected.
(define-syntax-rule (test-errno name code who irritants expr)
  (test-equal name (list #t #t code who irritants)
    (let ((e (catch-condition (lambda () expr))))
      (if (eq? e 'no-condition)
          'no-condition
          (cons* (errno-condition? e) (error? e) (condition-errno e)
                 (condition-shape e))))))

(define rw (fxior PROT_READ PROT_WRITE))
(define anon-private (fxior MAP_PRIVATE MAP_ANONYMOUS))

(define (anon-page)
  (px.mmap #f page rw anon-private 0 0))

(test-group "memory maps (Vicare's test-vicare-posix-mmap cases)"
  (test-assert "mmap + munmap"
    (let ((p (anon-page))) (px.munmap p page) (pointer? p)))
  (test-assert "msync with flags 0"
    (let ((p (anon-page))) (px.msync p page 0) (px.munmap p page) #t))
  (let* ((p (anon-page))
         (q (px.mremap p page (* 2 page) MREMAP_MAYMOVE)))
    (test-assert "mremap to two pages gives a pointer" (pointer? q))
    (pointer-set-c-signed-int! q (+ page 4) 7)
    (test-equal "the second page is usable" 7
      (pointer-ref-c-signed-int q (+ page 4)))
    (px.munmap q (* 2 page)))
  (test-assert "madvise MADV_NORMAL"
    (let ((p (anon-page))) (px.madvise p page MADV_NORMAL) (px.munmap p page) #t))
  (test-assert "mprotect to PROT_READ"
    (let ((p (anon-page))) (px.mprotect p page PROT_READ) (px.munmap p page) #t))
  (let* ((p (anon-page))
         (e (catch-condition (lambda () (px.mlock p page) (px.munlock p page)))))
    (if (eq? e 'no-condition)
        (test-assert "mlock + munlock" #t)
        (test-equal "mlock refused (EPERM/ENOMEM in a container): errno condition, who mlock"
          '(#t mlock) (list (errno-condition? e) (car (condition-shape e)))))
    (px.munmap p page))
  (let ((e (catch-condition (lambda () (px.mlockall MCL_FUTURE) (px.munlockall)))))
    (if (eq? e 'no-condition)
        (test-assert "mlockall MCL_FUTURE + munlockall" #t)
        (test-equal "mlockall refused (EPERM/ENOMEM in a container): errno condition, who mlockall"
          '(#t mlockall) (list (errno-condition? e) (car (condition-shape e)))))))

(test-group "memory map errors"
  (test-errno "msync misaligned: EINVAL" EINVAL 'msync
    (list (make-pointer 1) page MS_SYNC) (px.msync (make-pointer 1) page MS_SYNC))
  (test-errno "mprotect misaligned: EINVAL" EINVAL 'mprotect
    (list (make-pointer 1) page PROT_READ)
    (px.mprotect (make-pointer 1) page PROT_READ))
  (test-errno "madvise bad advice: EINVAL" EINVAL 'madvise
    (list (make-pointer 1) page 9999) (px.madvise (make-pointer 1) page 9999))
  (test-errno "mremap without MAYMOVE misaligned: EINVAL" EINVAL 'mremap
    (list (make-pointer 1) page page 0) (px.mremap (make-pointer 1) page page 0))
  ;; No errno test for mlock/mlockall: AddressSanitizer replaces them with
  ;; calls that always succeed.
  (test-raises "mlockall flags not a fixnum" procedure-argument-violation?
    'mlockall '(#t) (px.mlockall #t))
  (test-errno "mmap of a closed descriptor: EBADF" EBADF 'mmap
    (list #f page PROT_READ MAP_SHARED 1000 0)
    (px.mmap #f page PROT_READ MAP_SHARED 1000 0))
  (test-raises "msync flags not a fixnum" procedure-argument-violation?
    'msync '(#f) (px.msync (make-pointer 4096) page #f))
  (test-raises "mlock length negative" procedure-argument-violation?
    'mlock '(-1) (px.mlock (make-pointer 4096) -1))
  (test-errno "mmap fd beyond FD_SETSIZE reaches the call: EBADF" EBADF 'mmap
    (list #f page PROT_READ MAP_SHARED (+ FD_SETSIZE 1) 0)
    (px.mmap #f page PROT_READ MAP_SHARED (+ FD_SETSIZE 1) 0))
  (test-argument "mmap fd beyond the C int range" 'mmap 5 'file-descriptor?
    (expt 2 31) (px.mmap #f page PROT_READ MAP_SHARED (expt 2 31) 0)))

;;; A file of 2 pages, created in the build directory and removed after.
(define (call-with-temp-file proc)
  (let* ((name (format #f "posix-test-~a.tmp" (getpid))))
    (dynamic-wind
      (lambda () #t)
      (lambda () (proc name))
      (lambda () (false-if-exception (delete-file name))))))

(test-group "file mapping"
  (call-with-temp-file
   (lambda (name)
     (call-with-output-file name
       (lambda (port)
         (put-bytevector port (u8-list->bytevector (iota 256)))
         (put-bytevector port (make-bytevector (- (* 2 page) 256) 0)))
       #:binary #t)
     (let* ((fd (open-fdes name O_RDWR))
            (p (px.mmap #f (* 2 page) rw MAP_SHARED fd 0)))
       (test-equal "read the file's bytes through the map" '(0 1 2 255)
         (map (lambda (i) (bytevector-u8-ref (pointer->bytevector p 1 i) 0))
              '(0 1 2 255)))
       (bytevector-copy! (string->utf8 "hello") 0 (pointer->bytevector p 5 page) 0 5)
       (px.msync p (* 2 page) MS_SYNC)
       (test-equal "MAP_SHARED write + msync reaches the file" "hello"
         (utf8->string
          (call-with-input-file name
            (lambda (port) (get-bytevector-n port page) (get-bytevector-n port 5))
            #:binary #t)))
       (px.munmap p (* 2 page))
       (let ((q (px.mmap #f page PROT_READ MAP_PRIVATE fd page)))
         (test-equal "map at an offset" "hello"
           (utf8->string (pointer->bytevector q 5)))
         (px.munmap q page))
       (test-errno "offset not page aligned: EINVAL" EINVAL 'mmap
         (list #f page PROT_READ MAP_PRIVATE fd 1)
         (px.mmap #f page PROT_READ MAP_PRIVATE fd 1))
       (px.close fd)
       (test-errno "close twice: EBADF" EBADF 'close (list fd) (px.close fd))
       (test-errno "ftruncate of a closed descriptor: EBADF" EBADF 'ftruncate
         (list fd 0) (px.ftruncate fd 0))))))

(define (unique-name tag)
  (format #f "/vc-test-~a-~a" (getpid) tag))

(test-group "shared memory objects"
  (let ((name (unique-name "shm")))
    (false-if-exception (px.shm-unlink name))
    (test-errno "shm-open of a missing object: ENOENT" ENOENT 'shm-open
      (list name O_RDWR 0) (px.shm-open name O_RDWR 0))
    (let ((fd (px.shm-open name (fxior O_CREAT O_EXCL O_RDWR) (fxior S_IRUSR S_IWUSR))))
      (unwind-protect
          (begin
            (test-assert "shm-open O_CREAT|O_EXCL gives a descriptor"
              (and (exact-integer? fd) (>= fd 0)))
            (test-errno "shm-open O_EXCL of an existing object: EEXIST" EEXIST
              'shm-open (list name (fxior O_CREAT O_EXCL O_RDWR) #o600)
              (px.shm-open name (fxior O_CREAT O_EXCL O_RDWR) #o600))
            (px.ftruncate fd page)
            (let ((p (px.mmap #f page rw MAP_SHARED fd 0)))
              (pointer-set-c-signed-int! p 0 4321)
              (px.munmap p page))
            (let* ((fd2 (px.shm-open (string->utf8 name) O_RDONLY 0))
                   (p (px.mmap #f page PROT_READ MAP_SHARED fd2 0)))
              (test-equal "bytevector name opens the same object" 4321
                (pointer-ref-c-signed-int p 0))
              (px.munmap p page)
              (px.close fd2))
            (test-errno "ftruncate negative length: EINVAL" EINVAL 'ftruncate
              (list fd -1) (px.ftruncate fd -1)))
        (px.close fd)
        (px.shm-unlink name)))
    (test-errno "shm-unlink of a removed object: ENOENT" ENOENT 'shm-unlink
      (list name) (px.shm-unlink name)))
  (test-raises "name with a NUL byte" assertion-violation?
    'shm-open '("/a\x00b") (px.shm-open "/a\x00b" O_RDONLY 0))
  (test-raises "empty name" assertion-violation?
    'shm-unlink '("") (px.shm-unlink ""))
  (test-raises "name not a string or bytevector" assertion-violation?
    'shm-open '(a) (px.shm-open 'a O_RDONLY 0))
  (test-raises "oflag not a fixnum" procedure-argument-violation?
    'shm-open '(1.0) (px.shm-open "/x" 1.0 0))
  (test-raises "oflag beyond the C int range: rejected, not truncated"
    procedure-argument-violation? 'shm-open (list (expt 2 40))
    (px.shm-open "/x" (expt 2 40) 0))
  (test-raises "negative mode" procedure-argument-violation?
    'shm-open '(-1) (px.shm-open "/x" O_RDONLY -1))
  (test-raises "close: not a descriptor" assertion-violation?
    'close '(-1) (px.close -1)))

;; shm-open returns the lowest free descriptor, above FD_SETSIZE when that
;; many are open: the other calls take any non-negative int.
(test-group "a descriptor above FD_SETSIZE"
  (let* ((name (unique-name "high-fd"))
         (fd (px.shm-open name (fxior O_CREAT O_EXCL O_RDWR) #o600))
         (high (+ FD_SETSIZE 100)))
    (px.shm-unlink name)
    (define-values (soft hard) (getrlimit 'nofile))
    (if (and hard (<= hard high))
        (begin (px.close fd)
               (skip-test "ftruncate, mmap, close" "RLIMIT_NOFILE too low"))
        (begin
          (when (and soft (<= soft high))
            (setrlimit 'nofile (+ high 1) hard))
          (dup2 fd high)
          (px.close fd)
          (px.ftruncate high page)
          (let ((p (px.mmap #f page rw MAP_SHARED high 0)))
            (pointer-set-c-signed-int! p 0 77)
            (test-equal "ftruncate and mmap" 77 (pointer-ref-c-signed-int p 0))
            (px.munmap p page))
          (test-equal "close" 'closed (begin (px.close high) 'closed))
          (setrlimit 'nofile soft hard)))))

(test-group "semaphores in one process"
  (let ((name (unique-name "sem")))
    (false-if-exception (px.sem-unlink name))
    (test-errno "sem-open of a missing semaphore: ENOENT" ENOENT 'sem-open
      (list name O_RDWR 0 0) (px.sem-open name O_RDWR 0))
    (let ((sem (px.sem-open name (fxior O_CREAT O_EXCL O_RDWR) #o600 2)))
      (unwind-protect
          (begin
            (test-assert "sem-open gives a pointer" (pointer? sem))
            (test-errno "O_EXCL again: EEXIST" EEXIST 'sem-open
              (list name (fxior O_CREAT O_EXCL O_RDWR) #o600 0)
              (px.sem-open name (fxior O_CREAT O_EXCL O_RDWR) #o600))
            (test-equal "initial value" 2 (px.sem-getvalue sem))
            (test-equal "trywait takes, takes, then would block" '(#t #t #f 0)
              (let* ((a (px.sem-trywait sem)) (b (px.sem-trywait sem))
                     (c (px.sem-trywait sem)))
                (list a b c (px.sem-getvalue sem))))
            (px.sem-post sem)
            (px.sem-wait sem)
            (test-equal "post then wait" 0 (px.sem-getvalue sem)))
        (px.sem-close sem)
        (px.sem-unlink name)))
    (test-errno "sem-unlink of a removed semaphore: ENOENT" ENOENT 'sem-unlink
      (list name) (px.sem-unlink name)))
  (let* ((name (unique-name "closed"))
         (sem (px.sem-open name (fxior O_CREAT O_EXCL O_RDWR) #o600 0)))
    (px.sem-unlink name)
    (px.sem-close sem)
    (test-assert "sem-close sets the pointer to NULL" (pointer-null? sem))
    (test-argument "sem-post after sem-close raises" 'sem-post 1 'semaphore?
      sem (px.sem-post sem))
    (test-argument "sem-close twice raises" 'sem-close 1 'semaphore?
      sem (px.sem-close sem)))
  (test-assert "sizeof-sem_t is a positive size"
    (and (exact-integer? (px.sizeof-sem_t)) (> (px.sizeof-sem_t) 0)))
  (let* ((bv (make-bytevector (px.sizeof-sem_t) 0))
         (sem (bytevector->pointer bv)))
    (test-eq "sem-init returns its argument" sem (px.sem-init sem #f 1))
    (test-equal "thread-shared, initial value 1" 1 (px.sem-getvalue sem))
    (px.sem-destroy sem))
  (let ((sem (anon-page)))
    (px.sem-init sem #t)
    (test-equal "process-shared, default value 0" 0 (px.sem-getvalue sem))
    (let* ((now (px.clock-gettime CLOCK_REALTIME (px.make-struct-timespec 0 0)))
           (deadline (px.make-struct-timespec
                      (px.struct-timespec-tv_sec now)
                      (px.struct-timespec-tv_nsec now))))
      ;; A deadline already in the past: no sleeping needed to time out.
      (test-equal "sem-timedwait times out: #f" #f (px.sem-timedwait sem deadline))
      (px.sem-post sem)
      (test-equal "sem-timedwait takes a posted semaphore: #t" #t
        (px.sem-timedwait sem deadline)))
    (px.sem-destroy sem)
    (px.munmap sem page))
  (let ((name (unique-name "big")))
    (test-errno "sem-open with a value above SEM_VALUE_MAX: EINVAL" EINVAL 'sem-open
      (list name (fxior O_CREAT O_EXCL O_RDWR) #o600 (- (expt 2 32) 1))
      (px.sem-open name (fxior O_CREAT O_EXCL O_RDWR) #o600 (- (expt 2 32) 1)))
    (false-if-exception (px.sem-unlink name)))
  (let ((bv (make-bytevector (px.sizeof-sem_t) 0)))
    (test-errno "sem-init with a value above SEM_VALUE_MAX: EINVAL" EINVAL 'sem-init
      (list (bytevector->pointer bv) #f (- (expt 2 32) 1))
      (px.sem-init (bytevector->pointer bv) #f (- (expt 2 32) 1))))
  (test-raises "sem-post: not a pointer" assertion-violation?
    'sem-post '(1) (px.sem-post 1))
  (test-raises "sem-wait: NULL pointer" assertion-violation?
    'sem-wait (list %null-pointer) (px.sem-wait %null-pointer))
  (test-raises "sem-init: negative value" procedure-argument-violation?
    'sem-init '(-1) (px.sem-init (make-pointer 8) #f -1))
  (test-raises "sem-timedwait: nanoseconds out of range" assertion-violation?
    'sem-timedwait (list (px.make-struct-timespec 0 1000000000))
    (px.sem-timedwait (make-pointer 8) (px.make-struct-timespec 0 1000000000)))
  (test-raises "sem-timedwait: not a timespec" assertion-violation?
    'sem-timedwait '(5) (px.sem-timedwait (make-pointer 8) 5)))

;; Each family of (vicare-compat posix) reports the position of the bad
;; argument, the predicate it failed and the value.
(test-group "argument errors carry their index"
  (test-argument "memory maps: mmap flags" 'mmap 4 'signed-int? 'shared
    (px.mmap #f page PROT_READ 'shared 0 0))
  (test-argument "memory maps: munmap length" 'munmap 2 'size_t? -1
    (px.munmap (make-pointer 4096) -1))
  (test-argument "shared memory: shm-open mode" 'shm-open 3 'permission-bits?
    -1 (px.shm-open "/x" O_RDONLY -1))
  (test-argument "shared memory: a pathname" 'shm-unlink 1 'pathname? 'a
    (px.shm-unlink 'a))
  (test-argument "shared memory: ftruncate length" 'ftruncate 2 'off_t? 1.5
    (px.ftruncate 0 1.5))
  (test-argument "semaphores: sem-init value" 'sem-init 3 'unsigned-int? -1
    (px.sem-init (make-pointer 8) #f -1))
  (test-argument "semaphores: sem-timedwait timeout" 'sem-timedwait 2
    'struct-timespec? 5 (px.sem-timedwait (make-pointer 8) 5))
  (test-argument "processes: waitpid options" 'waitpid 2 'signed-int? #f
    (px.waitpid -1 #f))
  (test-argument "processes: waitpid pid" 'waitpid 1 'pid? 1.0
    (px.waitpid 1.0 0))
  (test-argument "processes: status" 'WEXITSTATUS 1 'signed-int? 'x
    (px.WEXITSTATUS 'x))
  (test-argument "processes: fork" 'fork 2 'procedure? 2
    (px.fork (lambda (pid) pid) 2))
  (test-argument "time: nanosleep nanoseconds" 'nanosleep 2
    'nanoseconds-count? -1 (px.nanosleep 0 -1))
  (test-argument "time: clock-gettime timespec" 'clock-gettime 2
    'struct-timespec? 'now (px.clock-gettime CLOCK_REALTIME 'now))
  (test-argument "time: struct-timespec accessor" 'struct-timespec-tv_sec 1
    'struct-timespec? 5 (px.struct-timespec-tv_sec 5))
  (test-argument "time: struct-timespec setter" 'set-struct-timespec-tv_nsec! 1
    'struct-timespec? #f (px.set-struct-timespec-tv_nsec! #f 0))
  (test-argument "sysconf" 'sysconf 1 'signed-int? "x" (px.sysconf "x"))
  (test-argument "strerror" 'strerror 1 'errno-code? 'x (px.strerror 'x)))

(test-group "time"
  (let ((t (px.make-struct-timespec 1 2)))
    (test-equal "accessors" '(1 2)
      (list (px.struct-timespec-tv_sec t) (px.struct-timespec-tv_nsec t)))
    (px.set-struct-timespec-tv_sec! t 3)
    (px.set-struct-timespec-tv_nsec! t 4)
    (test-equal "setters" '(3 4)
      (list (px.struct-timespec-tv_sec t) (px.struct-timespec-tv_nsec t)))
    (test-eq "clock-gettime returns its timespec" t
      (px.clock-gettime CLOCK_MONOTONIC t))
    (test-assert "clock-gettime filled it"
      (and (px.struct-timespec? t) (<= 0 (px.struct-timespec-tv_nsec t) 999999999)))
    (test-errno "bad clock: EINVAL" EINVAL 'clock-gettime (list 12345 t)
      (px.clock-gettime 12345 t))
    (test-raises "clock id not an integer" assertion-violation?
      'clock-gettime '(x) (px.clock-gettime 'x t))))

;;; Vicare's cond-expand of (vicare posix): features are the module's
;;; procedures (under the importer's prefix) and operating system names.
(test-group "cond-expand"
  (test-equal "a procedure of the module, prefixed, is a feature" 'yes
    (px.cond-expand (px.mmap 'yes) (else 'no)))
  (test-equal "a name the module lacks is not" 'no
    (px.cond-expand (px.no-such-call 'yes) (else 'no)))
  (test-equal "and, or, not, and an OS name (Vicare's test form)" '(yes yes no)
    (list (px.cond-expand ((and px.mlockall px.munlockall (not darwin)) 'yes)
                          (else 'no))
          (px.cond-expand ((or darwin px.clock-getcpuclockid) 'yes) (else 'no))
          (px.cond-expand ((not posix) 'yes) (else 'no))))
  (test-equal "Guile's own features still work" 'yes
    (px.cond-expand ((and guile (not no-such-feature)) 'yes) (else 'no)))
  (test-equal "imported without a prefix, it replaces Guile's silently" ""
    (call-with-values
        (lambda ()
          (run-program "sh" "-c"
                       "guile --no-auto-compile -c '(use-modules (vicare-compat posix)) (cond-expand ((and guile mmap) #t))' 2>&1"))
      (lambda (out status) out))))

;;; Imported without a prefix, the names whose meaning differs from Guile's
;;; override Guile's, and Guile says so; Vicare's alias does it silently
;;; (a Vicare program means Vicare's names).
(define (warned-names modules)
  "The core bindings Guile warns about when a script importing MODULES
uses close, waitpid, strerror, getpid, getppid and cond-expand."
  (call-with-values
      (lambda ()
        (run-program "sh" "-c"
                     (string-append
                      "guile --no-auto-compile -c \"(use-modules " modules
                      ") (list close waitpid strerror getpid getppid"
                      " (cond-expand (guile 1)))\" 2>&1 >/dev/null")))
    (lambda (out status)
      (filter-map (lambda (line)
                    (let ((start (string-index line #\`)))
                      (and start
                           (string->symbol
                            (substring line (+ start 1)
                                       (string-index line #\' start))))))
                  (string-split out #\newline)))))

(test-group "review of issue 10: names of another meaning than Guile's"
  (test-equal "(vicare-compat posix) without a prefix: Guile warns for those"
    '(close waitpid strerror)
    (warned-names "(vicare-compat posix)"))
  (test-equal "(vicare posix), for Vicare programs: silently Vicare's" '()
    (warned-names "(vicare posix)"))
  (test-equal "getpid and getppid are Guile's own" '(#t #t)
    (list (eq? px.getpid (@ (guile) getpid))
          (eq? px.getppid (@ (guile) getppid)))))

;;; Issue 10 item 6 and issue 14 item 3: the whole clock family, with one
;;; check of the clock id that never truncates it.
(define (argument-shape thunk)
  (let ((e (catch-condition thunk)))
    (if (procedure-signature-argument-violation? e)
        (list (condition-who e)
              (procedure-signature-argument-violation.one-based-argument-index e)
              (procedure-signature-argument-violation.failed-expression e)
              (condition-irritants e))
        e)))

(test-group "clocks"
  (let ((t (px.make-struct-timespec 0 0)))
    (test-equal "out-of-range clock ids raise, in every clock call (the reproducer)"
      (list (list 'clock-gettime 1 'clockid_t? (list (expt 2 32)))
            (list 'clock-getres 1 'clockid_t? (list (expt 2 31)))
            (list 'clock-settime 1 'clockid_t? (list (- -1 (expt 2 31))))
            (list 'clock-gettime 1 'clockid_t? (list 1.0)))
      (list (argument-shape (lambda () (px.clock-gettime (expt 2 32) t)))
            (argument-shape (lambda () (px.clock-getres (expt 2 31) t)))
            (argument-shape (lambda () (px.clock-settime (- -1 (expt 2 31)) t)))
            (argument-shape (lambda () (px.clock-gettime 1.0 t)))))
    (test-equal "clock-getres of CLOCK_MONOTONIC: returns its timespec, below 1 s"
      '(#t 0)
      (let ((r (px.clock-getres CLOCK_MONOTONIC t)))
        (list (eq? r t) (px.struct-timespec-tv_sec r))))
    (test-assert "clock-getres filled a positive resolution"
      (positive? (px.struct-timespec-tv_nsec t)))
    (test-errno "clock-getres of an unknown clock: EINVAL" EINVAL 'clock-getres
      (list 12345 t) (px.clock-getres 12345 t))
    (test-equal "clock-getres: a timespec that is not one is argument 2"
      '(clock-getres 2 struct-timespec? (#f))
      (argument-shape (lambda () (px.clock-getres CLOCK_MONOTONIC #f))))
    (test-equal "CLOCK_* constants are the five clocks Vicare names"
      '(#t #t #t #t #t)
      (map integer? (list CLOCK_REALTIME CLOCK_MONOTONIC CLOCK_MONOTONIC_RAW
                          CLOCK_PROCESS_CPUTIME_ID CLOCK_THREAD_CPUTIME_ID)))
    (let ((cpu (px.clock-getcpuclockid 0)))
      (test-assert "clock-getcpuclockid 0: an integer clock id"
        (exact-integer? cpu))
      (test-assert "that clock reads the process's CPU time"
        (px.struct-timespec? (px.clock-gettime cpu t)))
      (test-equal "clock-getcpuclockid of the own pid is a clock too" #t
        (px.struct-timespec? (px.clock-gettime (px.clock-getcpuclockid
                                                (px.getpid))
                                               t))))
    (test-equal "clock-getcpuclockid: a negative pid is argument 1"
      '(clock-getcpuclockid 1 pid? (-1))
      (argument-shape (lambda () (px.clock-getcpuclockid -1))))
    ;; A monotonic clock cannot be set: the call is made and fails, so the
    ;; test never changes a clock of the machine.
    (test-errno "clock-settime of CLOCK_MONOTONIC: EINVAL" EINVAL 'clock-settime
      (list CLOCK_MONOTONIC t) (px.clock-settime CLOCK_MONOTONIC t))
    (test-raises "clock-settime checks its timespec" assertion-violation?
      'clock-settime '(5) (px.clock-settime CLOCK_MONOTONIC 5))))

(test-group "process status"
  (let ((st (px.fork)))
    (when (zero? st) (primitive-_exit 42))
    (let ((status (px.waitpid st 0)))
      (test-equal "exited with 42" '(#t 42 #f #f #f)
        (list (px.WIFEXITED status) (px.WEXITSTATUS status)
              (px.WIFSIGNALED status) (px.WIFSTOPPED status)
              (px.WCOREDUMP status)))))
  (let ((pid (px.fork)))
    (when (zero? pid) (kill (getpid) SIGKILL) (primitive-_exit 0))
    (let ((status (px.wait)))
      (test-equal "wait: killed by SIGKILL" (list #f #t SIGKILL #f)
        (list (px.WIFEXITED status) (px.WIFSIGNALED status)
              (px.WTERMSIG status) (px.WCOREDUMP status)))))
  (test-errno "wait without children: ECHILD" ECHILD 'wait '() (px.wait))
  (test-raises "WIFEXITED: not a fixnum" procedure-argument-violation?
    'WIFEXITED '(#f) (px.WIFEXITED #f))
  (test-raises "WEXITSTATUS: beyond the C int range" procedure-argument-violation?
    'WEXITSTATUS (list (expt 2 33)) (px.WEXITSTATUS (expt 2 33)))
  (test-equal "getpid, getppid" (list (getpid) (getppid))
    (list (px.getpid) (px.getppid))))

(test-group "errno helpers"
  (test-equal "strerror of a negated code" "ENOENT: No such file or directory"
    (px.strerror ENOENT))
  (test-equal "strerror #f" "no error" (px.strerror #f))
  (test-equal "strerror #t" "unknown errno code (#t)" (px.strerror #t))
  (test-equal "errno->string" "EEXIST" (px.errno->string EEXIST))
  (test-equal "the condition message is strerror's" (px.strerror EINVAL)
    (condition-message (catch-condition (lambda () (px.sysconf -1))))))

(test-end "posix")
