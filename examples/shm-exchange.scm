;;; shm-exchange.scm -- two processes exchange many Scheme data through a
;;; named POSIX shared memory object, synchronised with process-shared
;;; semaphores, each datum FASL-encoded straight into the mapping.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later
;;;
;;; The mapping holds two unnamed semaphores and a one-slot mailbox:
;;;   [sem "full"][sem "empty"][payload ...]
;;; The child produces data; for each one it waits for "empty", encodes the
;;; datum into the payload with fasl-write-memory and posts "full".  The
;;; parent waits for "full", decodes with fasl-read-memory and posts
;;; "empty".  The end of the stream is the eof object.  Each wait has a
;;; deadline, so a process that dies never leaves the other one waiting.

(use-modules (vicare-compat)
             ((vicare-compat posix) #:prefix px.)
             ((vicare-compat platform constants)
              #:select (O_CREAT O_EXCL O_RDWR S_IRUSR S_IWUSR MAP_SHARED
                        CLOCK_REALTIME))
             ((rnrs io ports) #:select (eof-object))
             (rnrs bytevectors) (srfi srfi-1) (srfi srfi-11))

(define count 1000)

(define (datum i)
  ;; Data of every kind the codec handles, different for each I.
  (case (modulo i 5)
    ((0) (list i (* i i) (/ i 7) (exact->inexact (/ i 3))))
    ((1) (vector (string-append "item-" (number->string i))
                 (string->symbol (format #f "sym-~a" (modulo i 10)))))
    ((2) (make-bytevector (modulo i 50) (modulo i 256)))
    ((3) (expt 2 (+ 60 (modulo i 40))))
    (else (let ((shared (list 'x i))) (list shared shared)))))

(define (wait-for sem)
  ;; sem-wait, giving up after 10 seconds.
  (let ((deadline (px.clock-gettime CLOCK_REALTIME
                                    (px.make-struct-timespec 0 0))))
    (px.set-struct-timespec-tv_sec! deadline
                                    (+ 10 (px.struct-timespec-tv_sec deadline)))
    (unless (px.sem-timedwait sem deadline)
      (error "shm-exchange: the other process stopped answering"))))

(define name (format #f "/vicare-compat-example-~a" (getpid)))
(define size (* 64 1024))
(define sem-size (px.sizeof-sem_t))
(define payload-offset (* 2 sem-size))

(define fd (px.shm-open name (fxior O_CREAT O_EXCL O_RDWR)
                        (fxior S_IRUSR S_IWUSR)))

(unwind-protect
    (begin
      (px.ftruncate fd size)
      (let* ((mem (px.mmap #f size (fxior PROT_READ PROT_WRITE) MAP_SHARED fd 0))
             (full (px.sem-init mem #t 0))
             (empty (px.sem-init (pointer-add mem sem-size) #t 1))
             (payload (pointer-add mem payload-offset))
             (room (- size payload-offset)))
        (unwind-protect
            (px.fork
             ;; Parent: the consumer.
             (lambda (pid)
               (let loop ((received '()))
                 (wait-for full)
                 (let-values (((obj used) (fasl-read-memory payload room)))
                   (px.sem-post empty)
                   (if (eof-object? obj)
                       (let ((received (reverse received)))
                         (px.waitpid pid 0)
                         (format #t "received ~a data~%" (length received))
                         (format #t "all equal to what was sent: ~a~%"
                                 (equal? received (map datum (iota count))))
                         (format #t "sharing kept: ~a~%"
                                 (let ((d (list-ref received 4)))
                                   (eq? (car d) (cadr d))))
                         (format #t "last: ~s~%" (last received)))
                       (loop (cons obj received))))))
             ;; Child: the producer.
             (lambda ()
               (for-each (lambda (obj)
                           (wait-for empty)
                           (fasl-write-memory obj payload room)
                           (px.sem-post full))
                         (append (map datum (iota count)) (list (eof-object))))
               (exit 0)))
          (px.sem-destroy full)
          (px.sem-destroy empty)
          (px.munmap mem size))))
  (px.close fd)
  (px.shm-unlink name))
