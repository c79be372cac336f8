;;; bench.scm -- channels against sockets, pipes and Python (bench/channel/run).
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later
;;;
;;; Usage (compiled by run): guile -c '((@ (bench channel) main) ARGS)'
;;;   ARGS = ("channel" CASE RUNS COUNT)
;;; CASE is one of:
;;;   pingpong   round trips of DATUM: the parent sends, a child echoes;
;;;              COUNT round trips per run; every round trip is timed
;;;   stream-1   COUNT small values (fixnums, then DATUM), 1 producer to 1
;;;   stream-4   the same from 4 producers to 1 consumer
;;;   mib        COUNT bytevectors of 1 MiB, 1 producer to 1 consumer
;;; Each prints one line per method: the method's name, then its numbers
;;; (see run).  The streams also give the processor time each value cost
;;; the consumer and the producers (CLOCK_PROCESS_CPUTIME_ID, all threads,
;;; the collector's included): on a machine too busy for the processes to
;;; have a core each, the rate they would reach with one is the number of
;;; values over the larger of the two.  The methods:
;;;   channel-spin   two channels (one per direction) that spin up to 1 ms
;;;                  before they sleep
;;;   channel-block  the same with no spin: every wait sleeps on the futex
;;;   channel        one channel, default spin (20 us)
;;;   channel-into   the same, the consumer getting with channel-get-into!
;;;                  into one bytevector (the 1 MiB case only)
;;;   socket-fasl    a socketpair, block-buffered ports, fasl-write (and
;;;                  force-output) / fasl-read
;;;   pipe-text      pipes, block-buffered, Guile's write (and a newline,
;;;                  force-output) / read
;;; For more than one producer, sockets and pipes use one connection per
;;; producer, read in turn.

(define-module (bench channel)
  #:use-module (vicare-compat channel)
  #:use-module (vicare-compat fasl)
  #:use-module ((vicare-compat posix) #:prefix px.)
  #:use-module ((vicare-compat platform constants)
                #:select (CLOCK_PROCESS_CPUTIME_ID))
  #:use-module (rnrs bytevectors)
  #:use-module (srfi srfi-1)
  #:use-module (srfi srfi-9)
  #:use-module (ice-9 format)
  #:use-module (ice-9 match)
  #:export (main))

(define datum (list 1 "two" 'three 4.0 #vu8(5 6 7)))
(define mib (make-bytevector (* 1024 1024) 7))

(define (now) (get-internal-real-time))

;; This process's processor time, in ns.
(define (cpu)
  (let ((ts (px.make-struct-timespec 0 0)))
    (px.clock-gettime CLOCK_PROCESS_CPUTIME_ID ts)
    (+ (* (px.struct-timespec-tv_sec ts) 1000000000)
       (px.struct-timespec-tv_nsec ts))))
(define (ns->us ns) (/ ns 1000.0))

(define (median xs)
  (let ((v (list->vector (sort xs <))))
    (vector-ref v (quotient (vector-length v) 2))))

(define (percentile xs p)
  (let* ((v (list->vector (sort xs <)))
         (i (min (- (vector-length v) 1)
                 (inexact->exact (floor (* p (vector-length v)))))))
    (vector-ref v i)))

;;; ------------------------------------------------------------ transports

;; A link between the parent and one child: four procedures.
(define-record-type <link>
  (make-link parent-send parent-receive child-send child-receive cleanup)
  link?
  (parent-send parent-send) (parent-receive parent-receive)
  (child-send child-send) (child-receive child-receive)
  (cleanup cleanup))

(define (channel-link spin capacity)
  (let ((down (make-channel capacity #:spin spin))
        (up (make-channel capacity #:spin spin)))
    (make-link (lambda (v) (channel-put! down v)) (lambda () (channel-get up))
               (lambda (v) (channel-put! up v)) (lambda () (channel-get down))
               (lambda () (channel-detach! down) (channel-detach! up)))))

;; One way, children to parent: the parent gets into one bytevector.
(define (channel-into-link capacity)
  (let ((up (make-channel capacity))
        (buffer (make-bytevector (bytevector-length mib))))
    (make-link (lambda (v) (error "one way"))
               (lambda ()
                 (call-with-values (lambda () (channel-get-into! up buffer))
                   (lambda (n value) (or n value))))
               (lambda (v) (channel-put! up v))
               (lambda () (error "one way"))
               (lambda () (channel-detach! up)))))

(define (buffered! . ports)
  (for-each (lambda (p) (setvbuf p 'block 65536)) ports))

(define (socket-link)
  (let ((s (socketpair AF_UNIX SOCK_STREAM 0)))
    (buffered! (car s) (cdr s))
    (make-link (lambda (v) (fasl-write v (car s)) (force-output (car s)))
               (lambda () (fasl-read (car s)))
               (lambda (v) (fasl-write v (cdr s)) (force-output (cdr s)))
               (lambda () (fasl-read (cdr s)))
               (lambda () (close-port (car s)) (close-port (cdr s))))))

(define (text-sender port)
  (lambda (v) (write v port) (newline port) (force-output port)))

(define (pipe-link)
  (let ((down (pipe)) (up (pipe)) (send text-sender))
    (buffered! (car down) (cdr down) (car up) (cdr up))
    (make-link (send (cdr down)) (lambda () (read (car up)))
               (send (cdr up)) (lambda () (read (car down)))
               (lambda ()
                 (for-each close-port
                           (list (car down) (cdr down) (car up) (cdr up)))))))

(define (make-method-link method capacity)
  (match method
    ("channel-spin" (channel-link 0.001 capacity))
    ("channel-block" (channel-link 0 capacity))
    ("channel" (channel-link #f capacity))
    ("channel-into" (channel-into-link capacity))
    ("socket-fasl" (socket-link))
    ("pipe-text" (pipe-link))))

;; Fork a child that calls THUNK and exits at once.
(define (child thunk)
  (let ((pid (primitive-fork)))
    (when (zero? pid)
      (catch #t thunk
        (lambda args
          (format (current-error-port) "bench child: ~s~%" args)
          (primitive-_exit 1)))
      (primitive-_exit 0))
    pid))

;;; ----------------------------------------------------------------- cases

;; The round-trip times, in ns, of COUNT round trips of DATUM.
(define (pingpong method count)
  (let* ((link (make-method-link method 65536))
         (pid (child (lambda ()
                       (let loop ((i 0))
                         (when (< i count)
                           ((child-send link) ((child-receive link)))
                           (loop (+ i 1)))))))
         (times (let loop ((i 0) (acc '()))
                  (if (= i count)
                      acc
                      (let ((t0 (now)))
                        ((parent-send link) datum)
                        ((parent-receive link))
                        (loop (+ i 1) (cons (- (now) t0) acc)))))))
    (waitpid pid)
    ((cleanup link))
    times))

;; Values per second, and the processor time (ns) per value of the
;; consumer and of the producers: PRODUCERS children send COUNT values of
;; VALUE in all (through one channel, or one connection each); the parent
;; receives them, timed from the first to the last.  Each producer reports
;; its processor time, from its first to its last send, through a pipe.
(define (stream method producers count value capacity)
  (let* ((links (if (string-prefix? "channel" method)
                    (make-list producers (make-method-link method capacity))
                    (map (lambda (i) (make-method-link method capacity))
                         (iota producers))))
         (per (quotient count producers))
         (report (pipe))
         (pids (map (lambda (link)
                      (child (lambda ()
                               (let ((c0 (cpu)))
                                 (do ((i 0 (+ i 1)))
                                     ((= i per))
                                   ((child-send link) value))
                                 (write (- (cpu) c0) (cdr report))
                                 (newline (cdr report))
                                 (force-output (cdr report))))))
                    links))
         (receivers (list->vector (map parent-receive links)))
         (n (* per producers)))
    ((vector-ref receivers 0))
    (let ((t0 (now)) (c0 (cpu)))
      (let loop ((i 1))
        (when (< i n)
          ((vector-ref receivers (modulo i producers)))
          (loop (+ i 1))))
      (let ((t (- (now) t0)) (c (- (cpu) c0)))
        (for-each waitpid pids)
        (close-port (cdr report))
        (let ((producers-cpu (apply + (map (lambda (p) (read (car report)))
                                           pids))))
          (close-port (car report))
          (for-each (lambda (l) ((cleanup l))) (delete-duplicates links eq?))
          (list (/ (- n 1) (/ t 1e9))
                (/ c (- n 1.0))
                (/ producers-cpu (* 1.0 n))))))))

;; Call THUNK in a fresh child and return what it returns (a list of
;; numbers): every measurement starts from the same heap, whatever the
;; earlier ones allocated, which matters to the collector's work.
(define (fresh thunk)
  (let* ((p (pipe))
         (pid (child (lambda ()
                       (close-port (car p))
                       (write (thunk) (cdr p))
                       (force-output (cdr p))))))
    (close-port (cdr p))
    (let ((result (read (car p))))
      (close-port (car p))
      (waitpid pid)
      result)))

;; The median, field by field, of lists of numbers.
(define (medians runs)
  (apply map (lambda xs (median xs)) runs))

;; The processor time (ns), median of RUNS fresh children, of one
;; fasl-decode of VALUE's encoding, over COUNT decodes: the floor of any
;; consumer that returns a fresh value.
(define (decode-alone value count runs)
  (median
   (map (lambda (r)
          (car (fresh
                (lambda ()
                  (let ((bytes (fasl-encode value)) (c0 (cpu)))
                    (do ((i 0 (+ i 1))) ((= i count))
                      (fasl-decode bytes))
                    (list (/ (- (cpu) c0) count 1.0)))))))
        (iota runs))))

(define methods-pingpong
  '("channel-spin" "channel-block" "socket-fasl" "pipe-text"))
(define methods-stream '("channel" "socket-fasl" "pipe-text"))

(define (main args)
  (match args
    ((_ case runs count)
     (let ((runs (string->number runs)) (count (string->number count)))
       (match case
         ("pingpong"
          (for-each
           (lambda (method)
             (let ((times (append-map (lambda (r) (pingpong method count))
                                      (iota runs))))
               (format #t "~a ~,2f ~,2f~%" method
                       (ns->us (median times)) (ns->us (percentile times 0.99)))))
           methods-pingpong))
         ((or "stream-1" "stream-4")
          (let ((producers (if (string=? case "stream-1") 1 4)))
            (for-each
             (lambda (what value)
               (for-each
                (lambda (method)
                  (match (medians
                          (map (lambda (r)
                                 (fresh
                                  (lambda ()
                                    (stream method producers count value
                                            (* 1024 1024)))))
                               (iota runs)))
                    ((rate consumer producer)
                     (format #t "~a ~a ~,0f ~,3f ~,3f~%" method what rate
                             (/ consumer 1000) (/ producer 1000)))))
                methods-stream)
               ;; The floor of any consumer (1 to 1 only).
               (when (= producers 1)
                 (let ((consumer (decode-alone value count runs)))
                   (format #t "decode-alone ~a ~,0f ~,3f 0~%" what
                           (/ 1e9 consumer) (/ consumer 1000)))))
             '("fixnum" "datum") (list 12345 datum))))
         ("mib"
          (for-each
           (lambda (method)
             (match (medians
                     (map (lambda (r)
                            ;; Text is slow: 10 values per run are enough.
                            (fresh
                             (lambda ()
                               (stream method 1
                                       (if (string=? method "pipe-text")
                                           (min count 10)
                                           count)
                                       mib (* 8 1024 1024)))))
                          (iota runs)))
               ((rate consumer producer)
                (format #t "~a ~,2f ~,1f ~,1f~%" method
                        (/ (* (bytevector-length mib) rate) 1e9)
                        (/ consumer 1000) (/ producer 1000)))))
           (cons "channel-into" methods-stream))
          ;; The floor of a get that returns a fresh bytevector (the
          ;; bytevector made, the bytes copied into it).
          (let ((consumer (decode-alone mib count runs)))
            (format #t "decode-alone ~,2f ~,1f 0~%"
                    (/ (bytevector-length mib) consumer)
                    (/ consumer 1000)))))))))
