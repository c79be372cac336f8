;;; atomic-counter.scm -- a lock-free counter shared by several processes.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later
;;;
;;; Four forked workers each add 1 to a 64-bit counter in a MAP_SHARED page
;;; 100,000 times, with an atomic fetch-and-add: no lock, and no update is
;;; lost.  A compare-and-swap loop then records the largest value any
;;; worker saw.  Prints the counter (400000) and that maximum.

(use-modules (vicare-compat)
             ((vicare-compat posix) #:prefix px.)
             (srfi srfi-1))

(define workers 4)
(define increments 100000)

(define page (px.sysconf _SC_PAGESIZE))
(define mem (px.mmap #f page (fxior PROT_READ PROT_WRITE)
                     (fxior MAP_SHARED MAP_ANONYMOUS) 0 0))
;; Offset 0: the counter.  Offset 8: the largest value a worker saw.

(define (record-maximum! seen)
  ;; Raise the shared maximum to SEEN unless it is already larger.
  (let loop ()
    (let ((current (pointer-atomic-ref-c-sint64 mem 8)))
      (when (and (> seen current)
                 (not (pointer-atomic-compare-and-swap-c-sint64!
                       mem 8 current seen)))
        (loop)))))

(define (work)
  (let loop ((i 0) (last 0))
    (if (< i increments)
        (loop (+ i 1) (pointer-atomic-fetch-add-c-sint64! mem 0 1))
        (record-maximum! (+ last 1)))))

(unwind-protect
    (let ((pids (map (lambda (i)
                       (px.fork (lambda (pid) pid)
                                (lambda () (work) (exit 0))))
                     (iota workers))))
      (for-each (lambda (pid) (px.waitpid pid 0)) pids)
      (format #t "counter: ~a~%" (pointer-atomic-ref-c-sint64 mem 0))
      (format #t "largest value a worker saw: ~a~%"
              (pointer-atomic-ref-c-sint64 mem 8)))
  (px.munmap mem page))
