;;; (test-suite channel-util) -- helpers of the channel tests.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Commentary:
;;;
;;; `with-children' forks helper processes and always reaps them: a child
;;; still running when its test leaves (normally or not) is killed and
;;; reaped.  A child never returns into the test file: it ends with
;;; primitive-_exit, 0 when its thunk returned, 1 when it raised (after
;;; printing the condition to its standard error).
;;;
;;; `message' and `message-ok?' make and check the values the delivery
;;; and kill tests send: a deterministic datum of mixed type and size for
;;; each (producer, sequence number), wrapped with both numbers.
;;;
;;; `with-unique-name' gives a channel name unique to this process and
;;; removes it afterwards, whatever happens, so /dev/shm is left as found.
;;;
;;; Code:

(define-module (test-suite channel-util)
  #:use-module (rnrs bytevectors)
  #:use-module (srfi srfi-1)
  #:use-module (ice-9 rdelim)
  #:use-module ((ice-9 threads) #:select (yield))
  #:use-module ((vicare-compat posix) #:prefix px.)
  #:use-module (vicare-compat platform constants)
  #:use-module (vicare-compat atomics)
  #:use-module (vicare-compat channel)
  #:export (with-children
            message
            message-ok?
            message-producer
            message-sequence
            with-unique-name
            shm-exists?
            shared-counters
            counter-ref
            counter-set!
            counter-increment!
            wait-until
            process-state))

;;; ------------------------------------------------------------- processes

(define (report-and-exit args)
  (false-if-exception
   (let ((port (current-error-port)))
     (format port "child ~a failed: ~s~%" (getpid) args)
     (force-output port)))
  (primitive-_exit 1))

(define (spawn thunk)
  (let ((pid (px.fork)))
    (if (zero? pid)
        (begin
          (catch #t
            (lambda ()
              (with-throw-handler #t
                thunk
                (lambda args
                  (false-if-exception (backtrace)))))
            (lambda args (report-and-exit args)))
          (primitive-_exit 0))
        pid)))

;; (with-children PROC): call (PROC spawn wait) where (spawn thunk) forks
;; a child running THUNK and returns its pid, and (wait pid) reaps it and
;; returns its exit code, or (signal N) when a signal ended it.
(define (with-children proc)
  (let ((live '()))
    (define (spawn* thunk)
      (let ((pid (spawn thunk)))
        (set! live (cons pid live))
        pid))
    (define (wait* pid)
      (let ((status (cdr (waitpid pid))))
        (set! live (delete pid live))
        (if (status:term-sig status)
            (list 'signal (status:term-sig status))
            (status:exit-val status))))
    (dynamic-wind
      (const #t)
      (lambda () (proc spawn* wait*))
      (lambda ()
        (for-each (lambda (pid)
                    (false-if-exception (kill pid SIGKILL))
                    (false-if-exception (waitpid pid)))
                  live)
        (set! live '())))))

;;; --------------------------------------------------------------- values

(define (mix p s)
  (let loop ((x (+ (* p 1000003) s 1)) (i 0))
    (if (= i 3)
        x
        (loop (logand (* (logxor x (ash x -13)) 2654435761) #xffffffff)
              (+ i 1)))))

;; Roughly SIZE bytes of encoding, of a type chosen by H.
(define (payload h size)
  (case (modulo h 8)
    ((0) (- h (ash 1 31)))
    ((1) (make-string (max 1 size) (integer->char (+ 97 (modulo h 26)))))
    ((2) (iota (max 1 (quotient size 9)) h))
    ((3) (let ((bv (make-bytevector (max 1 size))))
           (bytevector-u8-set! bv 0 (modulo h 256))
           bv))
    ((4) (list->vector
          (map (lambda (i) (if (even? i) (* i 1.5) (number->string i)))
               (iota (max 1 (quotient size 12))))))
    ((5) (exact->inexact (/ h 7)))
    ((6) (expt 3 (+ 41 (modulo h 200))))
    (else (list 1 "two" 'three 4.0 #vu8(5 6 7)))))

;; The message of producer P, number S: sizes spread evenly on a log
;; scale from 8 bytes to MAX-SIZE.
(define (message p s max-size)
  (let* ((h (mix p s))
         (octaves (max 1 (integer-length (quotient max-size 8))))
         (size (* 8 (ash 1 (modulo (quotient h 8) octaves))))
         (size (min max-size (+ size (modulo h size)))))
    (vector p s (payload h (max 8 (- size 40))))))

(define (message-producer m) (vector-ref m 0))
(define (message-sequence m) (vector-ref m 1))

(define (message-ok? m max-size)
  (and (vector? m)
       (= (vector-length m) 3)
       (equal? m (message (vector-ref m 0) (vector-ref m 1) max-size))))

;;; ---------------------------------------------------------------- names

(define (shm-exists? name)
  (file-exists? (string-append "/dev/shm" name)))

;; (with-unique-name TAG PROC): call (PROC name) with "/vc-test-PID-TAG";
;; afterwards, remove the name if it is still there.
(define (with-unique-name tag proc)
  (let ((name (format #f "/vc-test-~a-~a" (getpid) tag)))
    (dynamic-wind
      (const #t)
      (lambda () (proc name))
      (lambda ()
        (when (shm-exists? name)
          (false-if-exception (channel-unlink! name)))))))

;;; ------------------------------------------------- counters in shared memory

;; A shared, zeroed array of N 32-bit counters, for children to count what
;; they receive; it lives as long as the processes that map it.
(define (shared-counters n)
  (let ((len (* 4 (max 1 n))))
    (cons (px.mmap #f len (logior PROT_READ PROT_WRITE)
                   (logior MAP_SHARED MAP_ANONYMOUS) -1 0)
          len)))

(define (counter-ref counters i)
  (pointer-atomic-ref-c-uint32 (car counters) (* 4 i)))

(define (counter-set! counters i value)
  (pointer-atomic-set-c-uint32! (car counters) (* 4 i) value))

(define (counter-increment! counters i)
  (pointer-atomic-fetch-add-c-uint32! (car counters) (* 4 i) 1))

;;; ----------------------------------------------------------- observation

;; The state letter of process PID (R, S, Z, ...), from /proc, or #f.
(define (process-state pid)
  (false-if-exception
   (call-with-input-file (format #f "/proc/~a/stat" pid)
     (lambda (port)
       (let* ((line (read-line port))
              (close (string-rindex line #\))))
         (string-ref line (+ close 2)))))))

;; Poll THUNK until it returns true, yielding the processor between
;; calls, for at most SECONDS; return its last value.  For observing
;; another process (its state, a flag it sets), never for ordering: the
;; bound only stops a broken test from hanging.
(define (wait-until thunk seconds)
  (let ((end (+ (get-internal-real-time)
                (* seconds internal-time-units-per-second))))
    (let loop ()
      (or (thunk)
          (if (> (get-internal-real-time) end)
              #f
              (begin (yield) (loop)))))))
