;;; hostile.scm -- every exported procedure, called with hostile arguments.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; The calls are generated from the export lists of the public modules:
;;; for each procedure and each number of arguments it takes (all the
;;; required ones, optional ones up to 4 in all, one for a rest argument),
;;; one call per argument position and hostile value, the other arguments
;;; being 0, a NULL pointer or a bytevector of 16 bytes in turn, and one
;;; call with every argument the same hostile value.
;;; The values: the wrong types, NULL pointers, huge and negative numbers,
;;; oversized lengths, strings with NUL bytes; never a non-NULL address
;;; (an address to be read or written is trusted, as in C) and never a
;;; procedure (fork would fork).  Each value is made fresh for each call:
;;; free and sem-close change their argument in place.
;;;
;;; The calls run in child processes, in order; the parent records the
;;; call in progress in shared memory, so a child that crashes (a signal)
;;; or stops making progress for 20 s is replaced by a new child that
;;; starts after that call.  A call may return or raise a condition of the
;;; package; it fails the test of its procedure when it crashes, hangs,
;;; ends the process, or raises one of Guile's native errors (an exception
;;; with a kind and arguments, such as wrong-type-arg), which means that
;;; some argument went unchecked.
;;;
;;; Unsafe by design, and so not called (see `unsafe?'):
;;;   - exit: it ends the process, as asked;
;;;   - munmap, mprotect, madvise, mremap, msync, mlock, munlock with
;;;     arguments that pass their checks: they change the process's own
;;;     mappings, and NULL plus a huge length covers all of them (munmap
;;;     of everything crashes, as it would in C);
;;;   - mlockall with flags that pass its check (an int): it would lock
;;;     the whole process in memory;
;;;   - nanosleep with a valid time: it sleeps as long as asked.

(use-modules (test-suite harness)
             (vicare-compat)
             (vicare-compat platform constants)
             ((vicare-compat posix) #:prefix px.)
             (system foreign)
             (ice-9 exceptions)
             ((rnrs bytevectors) #:select (make-bytevector string->utf8))
             (srfi srfi-1))

(test-begin "hostile")

;; Its forks follow sigaction: fork only once the signal thread is idle.
(settle-signal-delivery!)

;; (name . procedure), each procedure once, sorted by name.
(define procedures
  (let ((table (make-hash-table)))
    (for-each
     (lambda (module-name)
       (let ((iface (resolve-interface module-name)))
         (module-for-each
          (lambda (sym var)
            (let ((v (and (variable-bound? var) (variable-ref var))))
              (when (and (procedure? v)
                         (not (guile-binding? iface sym))
                         (not (hashq-ref table v)))
                (hashq-set! table v sym))))
          iface)))
     public-modules)
    (sort (hash-map->list (lambda (proc name) (cons name proc)) table)
          (lambda (a b) (string<? (symbol->string (car a))
                                  (symbol->string (car b)))))))

;;; ----------------------------------------------------------------- values

(define shm-name (format #f "/vc-hostile-~a" (getpid)))

(define hostile-values
  ;; Thunks, so that each call gets fresh objects.
  (list (lambda () #f)
        (lambda () #t)
        (lambda () 'symbol)
        (lambda () -1)
        (lambda () 1)
        (lambda () (expt 2 31))
        (lambda () (- (expt 2 31)))
        (lambda () (expt 2 32))
        (lambda () (expt 2 63))
        (lambda () (- -1 (expt 2 63)))
        (lambda () (expt 2 64))
        (lambda () (expt 2 100))
        (lambda () most-positive-fixnum)
        (lambda () most-negative-fixnum)
        (lambda () 1/2)
        (lambda () 1.5)
        (lambda () +nan.0)
        (lambda () -inf.0)
        (lambda () 1+2i)
        (lambda () #\a)
        (lambda () "")
        (lambda () shm-name)
        (lambda () "a\x00;b")
        (lambda () (make-bytevector 0))
        (lambda () (make-bytevector 16 255))
        (lambda () (string->utf8 shm-name))
        (lambda () '())
        (lambda () (list 1 2 3))
        (lambda () (vector 1 "two" 'three))
        (lambda () (make-vector 2 -1))
        (lambda () (null-pointer))
        (lambda () (null-memory-block))
        (lambda () (px.make-struct-timespec -1 -1))
        (lambda () (make-errno-condition -1))
        (lambda () (current-output-port))
        (lambda () (make-hash-table))))

;; What the other arguments are, in turn, while one is hostile: values
;; that pass many checks, so that the hostile one is reached.
(define fillers
  (list (lambda () 0)
        (lambda () (null-pointer))
        (lambda () (make-bytevector 16 0))))

;; A call: (name procedure . argument thunks).
(define (calls-of name proc)
  (let* ((arity (procedure-minimum-arity proc))
         (req (car arity))
         ;; Every required argument; optional ones up to 4 arguments,
         ;; and one more for a rest argument.
         (most (max req (min 4 (+ req (cadr arity)
                                   (if (caddr arity) 1 0))))))
    (append-map
     (lambda (n)
       (if (zero? n)
           '()
           (append
            (append-map
             (lambda (filler)
               (append-map
                (lambda (position)
                  (map (lambda (value)
                         (cons* name proc
                                (map (lambda (i)
                                       (if (= i position) value filler))
                                     (iota n))))
                       hostile-values))
                (iota n)))
             fillers)
            (if (> n 1)
                (map (lambda (value)
                       (cons* name proc (make-list n value)))
                     hostile-values)
                '()))))
     (iota (+ 1 (- most req)) req))))

(define (unsafe? name args)
  (define (valid-range? address length)
    (and (pointer? address) (exact-integer? length) (>= length 0)))
  (case name
    ((exit) #t)
    ((munmap mprotect madvise mremap msync mlock munlock)
     (and (>= (length args) 2) (valid-range? (car args) (cadr args))))
    ((mlockall)
     (and (exact-integer? (car args)) (<= (- (expt 2 31)) (car args) (- (expt 2 31) 1))))
    ((nanosleep)
     (and (exact-integer? (car args)) (<= 0 (car args) (- (expt 2 32) 1))
          (exact-integer? (cadr args)) (<= 0 (cadr args) 999999999)))
    (else #f)))

(define calls
  (list->vector (append-map (lambda (entry) (calls-of (car entry) (cdr entry)))
                            procedures)))

;; VC_HOSTILE_VERBOSE=1 prints each failure as it is found.
(define verbose? (getenv "VC_HOSTILE_VERBOSE"))

;;; ------------------------------------------------------------ the children

;; Shared words: 0 the call in progress, 1 the number of bad calls, then
;; (index . code) pairs.  Codes: 1 a Guile native error, 2 skipped as
;; unsafe (not a failure).
(define page-count 64)
(define shared-size (* page-count 4096))
(define shared
  (px.mmap #f shared-size (fxior PROT_READ PROT_WRITE)
           (fxior MAP_SHARED MAP_ANONYMOUS) -1 0))
(define max-records (- (quotient shared-size 16) 1))

(define (word i) (pointer-ref-c-sint64 shared (* 8 i)))
(define (word-set! i v) (pointer-set-c-sint64! shared (* 8 i) v))

(define (record! index code)
  (let ((n (word 1)))
    (when (< n max-records)
      (word-set! (+ 2 (* 2 n)) index)
      (word-set! (+ 3 (* 2 n)) code)
      (word-set! 1 (+ n 1)))))

(define (guile-native? e)
  ;; An exception thrown with a key (scm-error, throw), which the
  ;; conditions the package raises never are.
  (and (exception? e) (not (eq? (exception-kind e) '%exception))))

(define (run-calls start)
  "The child: run the calls from START on; never returns."
  ;; The standard descriptors become /dev/null: a hostile descriptor 0, 1
  ;; or 2 must not truncate the test's log.
  (let ((null (open-fdes "/dev/null" O_RDWR)))
    (for-each (lambda (fd) (dup2 null fd)) '(0 1 2)))
  (let loop ((i start))
    (when (< i (vector-length calls))
      (word-set! 0 i)
      (let* ((call (vector-ref calls i))
             (name (car call))
             (args (map (lambda (make) (make)) (cddr call))))
        (if (unsafe? name args)
            (record! i 2)
            (let ((e (catch #t
                       (lambda ()
                         (with-exception-handler
                             (lambda (e) e)
                           (lambda () (apply (cadr call) args) #f)
                           #:unwind? #t))
                       (lambda (key . rest) (list key)))))
              (when (and e (or (pair? e) (guile-native? e)))
                (record! i 1)))))
      (loop (+ i 1))))
  (word-set! 0 (vector-length calls))
  (primitive-_exit 0))

;; The parent's watchdog: a child that makes no progress for 20 s is
;; killed (a hang).  SIGALRM's handler escapes from waitpid.
(define (wait-for child)
  "Wait for CHILD; return its status, or 'hang after killing it."
  (let loop ((seen (word 0)))
    (alarm 20)
    (let ((status (catch 'vc-hostile-alarm
                    (lambda () (px.waitpid child 0))
                    (lambda _ #f))))
      (alarm 0)
      (cond (status status)
            ((= seen (word 0))
             (kill child SIGKILL)
             (px.waitpid child 0)
             'hang)
            (else (loop (word 0)))))))

(define failures '())                  ; (index . what)
(define last-child-status #f)          ; when it did not exit with 0

(let ((old (sigaction SIGALRM (lambda (sig) (throw 'vc-hostile-alarm)))))
  (word-set! 1 0)
  (let loop ((start 0))
    (when (< start (vector-length calls))
      (word-set! 0 start)
      (let* ((child (px.fork))
             (status (if (zero? child) (run-calls start) (wait-for child)))
             (at (word 0)))
        (when (and verbose? (not (and (integer? status) (zero? status))))
          (format (current-error-port) "call ~a ~s: ~s~%" at
                  (car (vector-ref calls (min at (- (vector-length calls) 1))))
                  status))
        (cond ((eq? status 'hang)
               (set! failures (cons (cons at 'hang) failures))
               (loop (+ at 1)))
              ((= at (vector-length calls))
               ;; Every call was made: how did the last child end?
               (unless (and (px.WIFEXITED status)
                            (zero? (px.WEXITSTATUS status)))
                 (set! last-child-status status)))
              ((px.WIFSIGNALED status)
               (set! failures
                     (cons (cons at (list 'signal (px.WTERMSIG status)))
                           failures))
               (loop (+ at 1)))
              (else
               (set! failures
                     (cons (cons at (list 'exit (px.WEXITSTATUS status)))
                           failures))
               (loop (+ at 1)))))))
  (sigaction SIGALRM (car old) (cdr old)))

(define skipped 0)
(do ((k 0 (+ k 1))) ((= k (word 1)))
  (let ((index (word (+ 2 (* 2 k))))
        (code (word (+ 3 (* 2 k)))))
    (if (= code 2)
        (set! skipped (+ skipped 1))
        (set! failures (cons (cons index 'guile-error) failures)))))

(px.munmap shared shared-size)
(false-if-exception (px.shm-unlink shm-name))
(false-if-exception (px.sem-unlink shm-name))

(format #t "~a procedures, ~a calls, ~a not made (unsafe by design)~%"
        (length procedures) (vector-length calls) skipped)

(define (describe-call index)
  (let ((call (vector-ref calls index)))
    (cons (car call) (map (lambda (make) (make)) (cddr call)))))

(test-assert "the export lists give procedures" (> (length procedures) 100))
(test-equal "the last child ends with status 0 after the last call" #f
  last-child-status)

(for-each
 (lambda (entry)
   (let ((name (car entry)))
     (test-equal (format #f "~a: no crash, hang or Guile-native error" name)
       '()
       (filter-map (lambda (failure)
                     (and (eq? (car (vector-ref calls (car failure))) name)
                          (list (describe-call (car failure)) (cdr failure))))
                   failures))))
 procedures)

(test-end "hostile")
