;;; pingpong.scm -- round trips of a message between two processes.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later
;;;
;;; Usage: pre-inst-env guile pingpong.scm RUNS ROUND-TRIPS [C-PROGRAM]
;;;
;;; A child process echoes what the parent sends; one round trip is the
;;; parent sending a message and reading the echo.  Each method runs
;;; ROUND-TRIPS round trips per run, all methods one after the other in
;;; every run, RUNS runs; the table gives the median time per round trip
;;; and the median of the per-run ratio to the raw bytevector ping-pong
;;; on the same kind of connection and buffering.
;;;
;;; The message is the 159-byte datum (1 "two" three 4.0 #vu8(5 6 7)
;;; (0 1 ... 9)).  Methods:
;;;   fasl      fasl-write, then fasl-read of the echo
;;;   text      Guile's write (and a newline), then read
;;;   bytes     a 100-byte bytevector: put-bytevector, get-bytevector-n
;;;   c         the same 100 bytes in C (C-PROGRAM, given by run)
;;; on a socketpair and on two pipes, unbuffered ports and ports made
;;; buffered with (setvbuf PORT 'block) (writes then end with
;;; force-output).  Guile's socket ports are unbuffered by default, its
;;; pipes buffered.

(use-modules (vicare-compat fasl)
             (ice-9 format)
             (ice-9 match)
             (srfi srfi-1)
             (rnrs bytevectors)
             ((rnrs io ports)
              #:select (put-bytevector get-bytevector-n)))

(define datum `(1 "two" three 4.0 #vu8(5 6 7) ,(iota 10)))
(define raw (make-bytevector 100 7))

(define (now) (get-internal-real-time))
(define (median xs)
  (let ((s (sort xs <)) (n (length xs)))
    (if (odd? n)
        (list-ref s (quotient n 2))
        (/ (+ (list-ref s (- (quotient n 2) 1)) (list-ref s (quotient n 2))) 2))))

;; Each method: (send port) sends the message, (receive port) -> it.
(define methods
  `((fasl ,(lambda (p) (fasl-write datum p)) ,fasl-read)
    (text ,(lambda (p) (write datum p) (newline p)) ,read)
    (bytes ,(lambda (p) (put-bytevector p raw))
           ,(lambda (p) (get-bytevector-n p 100)))))

(define (connection kind)
  ;; (parent-in parent-out child-in child-out)
  (match kind
    ('socket (let ((s (socketpair AF_UNIX SOCK_STREAM 0)))
               (list (car s) (car s) (cdr s) (cdr s))))
    ('pipe (let ((a (pipe)) (b (pipe)))
             ;; parent writes a, reads b
             (list (car b) (cdr a) (car a) (cdr b))))))

(define (setup-ports ports buffered?)
  (for-each (lambda (p) (setvbuf p (if buffered? 'block 'none))) ports))

(define (echo-sender name)
  (match name
    ('fasl (lambda (p x) (fasl-write x p)))
    ('text (lambda (p x) (write x p) (newline p)))
    ('bytes (lambda (p x) (put-bytevector p x)))))

(define (run-method name kind buffered? n)
  (match (assq name methods)
    ((_ send receive)
     (let ((echo (echo-sender name)))
       (match (connection kind)
         ((pin pout cin cout)
          (setup-ports (list pin pout cin cout) buffered?)
          (let ((pid (primitive-fork)))
            (if (zero? pid)
                (begin
                  (let loop ((i 0))
                    (when (< i n)
                      (echo cout (receive cin))
                      (force-output cout)
                      (loop (+ i 1))))
                  (primitive-_exit 0))
                (let ((t0 (now)))
                  (let loop ((i 0))
                    (when (< i n)
                      (send pout)
                      (force-output pout)
                      (receive pin)
                      (loop (+ i 1))))
                  (let ((t1 (now)))
                    (waitpid pid)
                    (for-each close-port (delete-duplicates
                                          (list pin pout cin cout) eq?))
                    (/ (- t1 t0) 1.0 internal-time-units-per-second n)))))))))))

(define (run-c program kind n)
  ;; The C program prints the seconds per round trip.
  (let* ((port ((@ (ice-9 popen) open-input-pipe)
                (format #f "~a ~a ~a" program kind n)))
         (secs (read port)))
    ((@ (ice-9 popen) close-pipe) port)
    secs))

(define (main args)
  (match args
    ((_ runs round-trips . c)
     (let* ((runs (string->number runs))
            (n (string->number round-trips))
            (program (and (pair? c) (car c)))
            (rows '()))
       (define (row! key secs) (set! rows (cons (cons key secs) rows)))
       (do ((r 0 (+ r 1))) ((= r runs))
         (for-each
          (lambda (kind)
            (for-each
             (lambda (buffered?)
               (for-each (lambda (name)
                           (row! (list kind buffered? name)
                                 (run-method name kind buffered? n)))
                         '(bytes fasl text)))
             '(#f #t))
            (when program
              (row! (list kind #f 'c) (run-c program kind n))))
          '(socket pipe)))
       (format #t "round trips per run: ~a, runs: ~a (median)~%" n runs)
       (format #t "| connection | ports | method | us per round trip | vs bytes |~%")
       (format #t "|---|---|---|---:|---:|~%")
       (for-each
        (lambda (kind)
          (for-each
           (lambda (buffered?)
             (for-each
              (lambda (name)
                (let* ((key (list kind buffered? name))
                       (times (filter-map (lambda (r) (and (equal? (car r) key)
                                                           (cdr r)))
                                          rows))
                       (base (filter-map
                              (lambda (r) (and (equal? (car r)
                                                       (list kind buffered? 'bytes))
                                               (cdr r)))
                              rows)))
                  (unless (null? times)
                    (format #t "| ~a | ~a | ~a | ~,2f | ~,2f |~%"
                            kind (if buffered? "buffered" "unbuffered") name
                            (* 1e6 (median times))
                            (median (map / (reverse times) (reverse base)))))))
              '(bytes fasl text c)))
           '(#f #t)))
        '(socket pipe))))))

(main (command-line))
