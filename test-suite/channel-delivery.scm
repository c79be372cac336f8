;;; channel-delivery.scm -- every value delivered once, in each producer's
;;; order, from 1 producer to 1 consumer, 4 to 1, 1 to 4 and 4 to 4.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Each configuration sends 10^5 values of mixed types (fixnums, strings,
;;; lists, bytevectors, vectors, flonums, bignums), sized from 8 bytes to
;;; half the channel's capacity, through an anonymous channel shared by
;;; forked producers and consumers.  Each consumer compares every value
;;; with what was sent and checks that each producer's values arrive in
;;; order; a shared array counts how often each value arrived.  Nothing
;;; sleeps: the parent waits for the producers, closes the channel, and
;;; the consumers stop at its end.

(use-modules (test-suite harness)
             (test-suite channel-util)
             (vicare-compat channel)
             (srfi srfi-1))

(test-begin "channel-delivery")

;; VC_CHANNEL_VALUES makes it smaller (test-suite/channel-sem runs it
;; again with another way of sleeping).
(define total
  (or (and=> (getenv "VC_CHANNEL_VALUES") string->number) 100000))
(define capacity 65536)
(define max-size (quotient capacity 2))

(define (producer ch p count)
  (lambda ()
    (do ((s 0 (+ s 1)))
        ((= s count))
      (channel-put! ch (message p s max-size)))))

;; A consumer exits 1 on the first value that is wrong or out of order.
(define (consumer ch producers per-producer counters)
  (lambda ()
    (let ((last (make-vector producers -1)))
      (let loop ()
        (let ((m (channel-get ch)))
          (unless (eof-object? m)
            (unless (message-ok? m max-size)
              (error "wrong value" m))
            (let ((p (message-producer m)) (s (message-sequence m)))
              (unless (> s (vector-ref last p))
                (error "out of order" p s (vector-ref last p)))
              (vector-set! last p s)
              (counter-increment! counters (+ (* p per-producer) s)))
            (loop)))))))

(define (run producers consumers)
  (let* ((per-producer (quotient total producers))
         (counters (shared-counters total))
         (ch (make-channel capacity)))
    (with-children
     (lambda (spawn wait)
       (let* ((cs (map (lambda (i)
                         (spawn (consumer ch producers per-producer counters)))
                       (iota consumers)))
              (ps (map (lambda (p) (spawn (producer ch p per-producer)))
                       (iota producers)))
              (pstatus (map wait ps)))
         (channel-close! ch)
         (let ((cstatus (map wait cs))
               (counts (map (lambda (i) (counter-ref counters i))
                            (iota total))))
           (channel-detach! ch)
           (list (every zero? pstatus)
                 (every zero? cstatus)
                 (count (lambda (n) (= n 1)) counts)
                 (count (lambda (n) (> n 1)) counts))))))))

(for-each
 (lambda (config)
   (let ((producers (car config)) (consumers (cadr config)))
     (test-equal (format #f "~a to ~a: ~a values, each once, in order"
                         producers consumers total)
       (list #t #t total 0)
       (run producers consumers))))
 '((1 1) (4 1) (1 4) (4 4)))

(test-end "channel-delivery")
