;;; bench.scm -- how late px.wait returns after a child exits.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Prints one line per case: "<case> <median µs> <90th percentile µs>
;;; <max µs>" of the time from a child's last act before _exit (it
;;; writes the monotonic clock into shared memory) to px.wait returning
;;; in the parent.  Each round runs every case once, in turn; the child
;;; exits 5 to 40 ms after it is forked, so the parent is asleep in the
;;; wait and the exit falls anywhere in the fallback's 64 ms steps.
;;;   pidfd    px.waitpid of that child (its pidfd): the floor
;;;   watcher  px.wait (a watcher thread in waitid): the default
;;;   steps    px.wait forced to the bounded steps: before this change
;;; With a second argument N, N other children stay alive, blocked,
;;; for the whole run.

(define-module (bench child-wait)
  #:use-module ((vicare-compat posix) #:prefix px.)
  #:use-module (vicare-compat platform constants)
  #:use-module (vicare-compat primitives)
  #:use-module (srfi srfi-1)
  #:use-module (ice-9 format)
  #:export (main))

(define (now-ns)
  (let ((t (px.clock-gettime CLOCK_MONOTONIC (px.make-struct-timespec 0 0))))
    (+ (* 1000000000 (px.struct-timespec-tv_sec t))
       (px.struct-timespec-tv_nsec t))))

(define mem (px.mmap #f 4096 (logior PROT_READ PROT_WRITE)
                     (logior MAP_SHARED MAP_ANONYMOUS) -1 0))

(define (round-trip i wait)
  "Fork a child that exits after a delay; return the µs from its exit
to WAIT returning."
  (let* ((delay (* 1000000 (+ 5 (modulo (* i 7) 36))))
         (child (px.fork (lambda (pid) pid)
                         (lambda ()
                           (px.nanosleep 0 delay)
                           (pointer-set-c-sint64! mem 0 (now-ns))
                           (primitive-_exit 0)))))
    (wait child)
    (/ (- (now-ns) (pointer-ref-c-sint64 mem 0)) 1000.)))

(define cases
  `((pidfd . ,(lambda (child) (px.waitpid child 0)))
    (watcher . ,(lambda (child) (px.wait)))
    (steps . ,(lambda (child)
                (%vc-waitpid-by-steps! #t)
                (px.wait)
                (%vc-waitpid-by-steps! #f)))))

(define (quantile xs q)
  (let ((v (list->vector (sort xs <))))
    (vector-ref v (min (1- (vector-length v))
                       (inexact->exact (floor (* q (vector-length v))))))))

(define (main args)
  (let* ((rounds (string->number (cadr args)))
         (others (if (> (length args) 2) (string->number (caddr args)) 0))
         (p (pipe))
         (blocked (map (lambda (_)
                         (px.fork (lambda (pid) pid)
                                  (lambda ()
                                    (close-port (cdr p))
                                    (read-char (car p))
                                    (primitive-_exit 0))))
                       (iota others)))
         (times (map (lambda (c) (cons (car c) '())) cases)))
    (do ((i 0 (1+ i))) ((= i rounds))
      (for-each (lambda (c)
                  (let ((slot (assq (car c) times)))
                    (set-cdr! slot (cons (round-trip i (cdr c)) (cdr slot)))))
                cases))
    (close-port (cdr p))
    (for-each (lambda (pid) (px.waitpid pid 0)) blocked)
    (for-each (lambda (slot)
                (let ((xs (cdr slot)))
                  (format #t "~a ~,1f ~,1f ~,1f~%" (car slot)
                          (quantile xs 0.5) (quantile xs 0.9)
                          (apply max xs))))
              times)))
