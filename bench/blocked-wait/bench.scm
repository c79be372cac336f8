;;; bench.scm -- the CPU time of a px.sem-wait that blocks SECS seconds.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Prints "<cpu seconds of the process> <wall seconds>" for a sem-wait
;;; on a semaphore nobody posts, ended by SIGALRM after SECS seconds
;;; (its handler escapes).

(define-module (bench blocked-wait)
  #:use-module ((vicare-compat posix) #:prefix px.)
  #:use-module (vicare-compat platform constants)
  #:export (main))

(define (clock id)
  (let ((t (px.clock-gettime id (px.make-struct-timespec 0 0))))
    (+ (px.struct-timespec-tv_sec t) (/ (px.struct-timespec-tv_nsec t) 1e9))))

(define (main args)
  (let* ((secs (string->number (cadr args)))
         (mem (px.mmap #f 4096 (logior PROT_READ PROT_WRITE)
                       (logior MAP_SHARED MAP_ANONYMOUS) -1 0))
         (sem (px.sem-init mem #t 0)))
    (sigaction SIGALRM (lambda (sig) (throw 'bench-alarm)))
    (gc)
    (let ((cpu0 (clock CLOCK_PROCESS_CPUTIME_ID))
          (wall0 (clock CLOCK_MONOTONIC)))
      (alarm secs)
      (catch 'bench-alarm (lambda () (px.sem-wait sem)) (const #f))
      (format #t "~a ~a~%" (- (clock CLOCK_PROCESS_CPUTIME_ID) cpu0)
              (- (clock CLOCK_MONOTONIC) wall0)))))
