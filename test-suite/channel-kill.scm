;;; channel-kill.scm -- producers and consumers killed with SIGKILL at
;;; random points: the survivors finish, and no value is torn, duplicated
;;; or lost once its put returned.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Two producers and two consumers share an anonymous channel.  The
;;; parent kills one of them, chosen at random, after a random delay (the
;;; delay only spreads the kills over every point of the protocol; nothing
;;; waits on it), and starts another in its place: a new producer under a
;;; new number, or a new consumer.  After the kills, the producers finish,
;;; the channel is closed, and the consumers drain it.
;;;
;;; Each producer counts in shared memory the puts that returned; each
;;; consumer checks every value it gets against what was sent and counts
;;; it in shared memory, right after its get returned.  Then:
;;; - every value received is one that was sent (checked by the consumer,
;;;   which exits 2 otherwise), and none was received twice;
;;; - every value whose put returned was received, except at most one per
;;;   killed consumer: the value it had taken whole, killed before it
;;;   could count it (its get had returned: the value was delivered).
;;;
;;; VC_CHANNEL_KILLS sets the number of kills (default 40, about as many
;;; seconds on a loaded machine); "make check-long" runs 1,000.

(use-modules (test-suite harness)
             (test-suite channel-util)
             (vicare-compat channel)
             (srfi srfi-1))

(test-begin "channel-kill")

(define kills
  (let ((s (getenv "VC_CHANNEL_KILLS")))
    (or (and s (string->number s)) 40)))
(define capacity 65536)
(define max-size (quotient capacity 2))
(define per-producer 1000)              ; values each producer puts at most
(define max-producers (+ 100 (* 3 kills)))

(define ch (make-channel capacity #:spin 0.00002))
(define done (shared-counters max-producers))   ; puts returned, per producer
(define got (shared-counters (* max-producers per-producer)))
(define bad (shared-counters 1))                ; wrong values seen

(define (producer p)
  (lambda ()
    (do ((s 0 (+ s 1)))
        ((= s per-producer))
      (channel-put! ch (message p s max-size))
      (counter-set! done p (+ s 1)))))

(define (consumer)
  (let loop ()
    (let ((m (channel-get ch)))
      (unless (eof-object? m)
        ;; Counted first, checked after: the less time between the get
        ;; and the count, the fewer values a kill carries away uncounted.
        (if (and (vector? m) (= (vector-length m) 3)
                 (exact-integer? (message-producer m))
                 (< -1 (message-producer m) max-producers)
                 (exact-integer? (message-sequence m))
                 (< -1 (message-sequence m) per-producer))
            (counter-increment! got (+ (* per-producer (message-producer m))
                                       (message-sequence m))))
        (unless (and (message-ok? m max-size)
                     (< (message-producer m) max-producers)
                     (< (message-sequence m) per-producer))
          (counter-increment! bad 0)
          (primitive-_exit 2))
        (loop)))))

(define (random-delay)
  (usleep (random 10000)))

(define outcome
  (with-children
   (lambda (spawn wait)
     (let ((producers (make-vector 2 #f))      ; slot -> (pid . number)
           (consumers (make-vector 2 #f))      ; slot -> pid
           (next 0)
           (consumer-kills 0)
           (producer-kills 0)
           (failures '()))
       (define (start-producer! slot)
         (vector-set! producers slot (cons (spawn (producer next)) next))
         (set! next (+ next 1)))
       (define (start-consumer! slot)
         (vector-set! consumers slot (spawn consumer)))
       ;; Kill PID (unless it has ended) and reap it; return #t when the
       ;; kill ended it.
       (define (kill-and-reap pid)
         (false-if-exception (kill pid SIGKILL))
         (let ((status (wait pid)))
           (cond ((equal? status '(signal 9)) #t)
                 ((eqv? status 0) #f)
                 (else (set! failures (cons status failures)) #f))))
       (for-each start-producer! '(0 1))
       (for-each start-consumer! '(0 1))
       (let loop ()
         (when (and (< (+ producer-kills consumer-kills) kills)
                    (< (+ next 2) max-producers))
           (random-delay)
           (let ((slot (random 2)))
             (if (zero? (random 2))
                 (begin
                   (when (kill-and-reap (car (vector-ref producers slot)))
                     (set! producer-kills (+ producer-kills 1)))
                   (start-producer! slot))
                 (begin
                   (when (kill-and-reap (vector-ref consumers slot))
                     (set! consumer-kills (+ consumer-kills 1)))
                   (start-consumer! slot))))
           (loop)))
       ;; The survivors finish.
       (for-each (lambda (p)
                   (let ((status (wait (car p))))
                     (unless (eqv? status 0)
                       (set! failures (cons status failures)))))
                 (vector->list producers))
       (channel-close! ch)
       (for-each (lambda (pid)
                   (let ((status (wait pid)))
                     (unless (eqv? status 0)
                       (set! failures (cons status failures)))))
                 (vector->list consumers))
       ;; The books.
       (let count ((p 0) (put 0) (missing 0) (twice 0))
         (if (< p next)
             (let ((d (counter-ref done p)))
               (let values ((s 0) (missing missing) (twice twice))
                 (if (< s per-producer)
                     (let ((g (counter-ref got (+ (* per-producer p) s))))
                       (values (+ s 1)
                               (+ missing (if (and (< s d) (zero? g)) 1 0))
                               (+ twice (if (> g 1) 1 0))))
                     (count (+ p 1) (+ put d) missing twice))))
             (begin
               (format #t "~a kills (~a producers, ~a consumers); ~a puts returned; ~a values taken by a killed consumer before it counted them~%"
                       (+ producer-kills consumer-kills) producer-kills
                       consumer-kills put missing)
               (list (+ producer-kills consumer-kills) failures
                     (counter-ref bad 0) twice
                     (<= missing consumer-kills) put
                     consumer-kills))))))))

(test-equal "the kills happened" kills (first outcome))
(test-equal "every process that was not killed ended well" '()
  (second outcome))
(test-equal "no value received was wrong" 0 (third outcome))
(test-equal "no value was received twice" 0 (fourth outcome))
(test-assert "no value whose put returned was lost, but those a killed consumer had taken"
  (fifth outcome))
(test-assert "values went through" (> (sixth outcome) 0))
(channel-detach! ch)

(test-end "channel-kill")
