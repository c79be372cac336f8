;;; channel-hostile.scm -- a channel whose shared memory another process
;;; corrupts: clean conditions, never a crash.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; The test maps a named channel's memory itself, saves it with a few
;;; values in it (some taken, some not), and then, for every 32-bit word
;;; of the header's first 384 bytes (the constants, positions, locks and
;;; wake-up words) and for words of the records in the ring, writes
;;; values that break it (0, 1, all ones, the word with its top or low
;;; bits flipped, ...).  After each, a child opens the channel and puts
;;; and gets (with short timeouts: a forged lock holder can make a
;;; process wait, never crash it).  What may come out is a value,
;;; &channel-corrupt-error (the header is not consistent),
;;; &fasl-read-error (a payload is not), &channel-closed-error (the
;;; closed word was set), or open-channel's &error for a channel of another
;;; pid namespace (its namespace word was changed); any other condition, or a signal, fails.  A last test has a process scribble over the ring
;;; while another one puts and gets.

(use-modules (test-suite harness)
             (test-suite channel-util)
             (vicare-compat channel)
             (vicare-compat)
             (vicare-compat platform constants)
             ((vicare-compat posix) #:prefix px.)
             ((rnrs conditions) #:select (error? message-condition?
                                          condition-message))
             (rnrs bytevectors)
             (srfi srfi-1))

(test-begin "channel-hostile")

(define capacity 8192)
(define header 4096)
(define size (+ header capacity))

;; open-channel's refusal of a channel of another pid namespace: a
;; forged namespace word looks like one.
(define (other-namespace? e)
  (and (error? e) (message-condition? e)
       (string-contains (condition-message e) "pid namespace")))

;; Each operation, on a channel that may be corrupt: what it may raise.
(define (allowed? e)
  (or (channel-corrupt-error? e) (fasl-read-error? e)
      (channel-closed-error? e) (other-namespace? e)))

;; What the operations came to, counted by the children: values
;; returned, then each kind of condition.
(define outcomes (shared-counters 4))

(define (exercise name)
  (define (try thunk)
    (catch #t
      (lambda () (thunk) (counter-increment! outcomes 0))
      (lambda (key . args)
        (let ((e (and (eq? key '%exception) (pair? args) (car args))))
          (unless (and e (allowed? e))
            (apply throw key args))
          (counter-increment! outcomes
                              (cond ((or (channel-corrupt-error? e)
                                         (other-namespace? e))
                                     1)
                                    ((fasl-read-error? e) 2)
                                    (else 3)))))))
  (try (lambda ()
         (let ((ch (open-channel name)))
           (try (lambda () (channel-try-get ch)))
           (try (lambda () (channel-get ch #:timeout 0.001)))
           (try (lambda () (channel-try-put! ch 'x)))
           (try (lambda () (channel-put! ch (make-bytevector 300 1)
                                         #:timeout 0.001)))
           (try (lambda () (channel-try-get ch)))
           (try (lambda () (channel-get-into! ch (make-bytevector 600)
                                              #:timeout 0.001)))
           (try (lambda () (channel-closed? ch)))
           (channel-detach! ch)))))

;; The words to break: every word of the header's first 384 bytes, and
;; 64 words of the ring where the records are.
(define (targets)
  (append (map (lambda (i) (* 4 i)) (iota 96))
          (map (lambda (i) (+ header (* 4 (random 256)))) (iota 64))))

(define (breakers old)
  (delete-duplicates
   (list 0 1 #xffffffff (logxor old #x80000000) (logxor old 1)
         (logand (+ old 8) #xffffffff) (logand (- old 8) #xffffffff))))

(with-unique-name "hostile"
  (lambda (name)
    (let* ((ch (make-channel capacity #:name name))
           (fd (px.shm-open name O_RDWR 0))
           (mem (px.mmap #f size (logior PROT_READ PROT_WRITE) MAP_SHARED fd 0))
           (pristine (make-bytevector size)))
      (px.close fd)
      (for-each (lambda (v) (channel-put! ch v))
                (list 1 "two" (make-bytevector 500 3) (iota 50) 'five
                      (make-string 700 #\z)))
      (channel-get ch)
      (channel-get ch)
      (memory-copy pristine 0 mem 0 size)
      (let ((mutations (append-map (lambda (offset)
                                     (map (lambda (value) (cons offset value))
                                          (breakers
                                           (bytevector-u32-native-ref
                                            pristine offset))))
                                   (targets))))
        (test-equal (format #f "~a corruptions: each a value or a clean condition"
                            (length mutations))
          '(0 0)
          ;; Ten children, each taking its share of the corruptions.
          (with-children
           (lambda (spawn wait)
             (let* ((share (quotient (+ (length mutations) 9) 10))
                    (pids (map (lambda (k)
                                 (spawn
                                  (lambda ()
                                    (for-each
                                     (lambda (m)
                                       (memory-copy mem 0 pristine 0 size)
                                       (pointer-set-c-uint32! mem (car m)
                                                              (cdr m))
                                       (exercise name))
                                     (take (drop mutations
                                                 (min (length mutations)
                                                      (* k share)))
                                           (min share
                                                (max 0 (- (length mutations)
                                                          (* k share)))))))))
                               (iota 10)))
                    (statuses (map wait pids)))
               (format #t "outcomes: ~a returned, ~a corrupt, ~a fasl, ~a closed~%"
                       (counter-ref outcomes 0) (counter-ref outcomes 1)
                       (counter-ref outcomes 2) (counter-ref outcomes 3))
               (list (count (lambda (s) (not (eqv? s 0))) statuses)
                     0)))))
        (test-assert "some corruptions were found, some let values through"
          (and (> (counter-ref outcomes 0) 1000)
               (> (counter-ref outcomes 1) 100))))
      (memory-copy mem 0 pristine 0 size)
      (test-equal "restored, the channel still works" (make-bytevector 500 3)
        (channel-get ch))
      (test-equal "a process that scribbles over the ring never crashes another"
        0
        (with-children
         (lambda (spawn wait)
           (let* ((scribbler
                   (spawn (lambda ()
                            (let loop ()
                              (pointer-set-c-uint8! mem
                                                    (+ header (random capacity))
                                                    (random 256))
                              (loop)))))
                  (worker
                   (spawn (lambda ()
                            (let ((c (open-channel name)))
                              (do ((i 0 (+ i 1)))
                                  ((= i 20000))
                                (catch #t
                                  (lambda ()
                                    (channel-put! c (list i (make-string (random 400) #\q))
                                                  #:timeout 0.001)
                                    (channel-get c #:timeout 0.001)
                                    (channel-put! c (make-bytevector (random 400) 7)
                                                  #:timeout 0.001)
                                    (channel-get-into! c (make-bytevector 200)
                                                       #:timeout 0.001))
                                  (lambda (key . args)
                                    (let ((e (and (eq? key '%exception)
                                                  (car args))))
                                      (unless (and e (allowed? e))
                                        (apply throw key args))))))))))
                  (status (wait worker)))
             status))))
      (px.munmap mem size)
      (channel-detach! ch))))

;; A record whose length a hostile process made longer than the record:
;; the get that takes it raises, and the record is freed, as one whose
;; payload does not decode is, so that the channel goes on.
(with-unique-name "hostile-length"
  (lambda (name)
    (let* ((ch (make-channel 4096 #:name name))
           (fd (px.shm-open name O_RDWR 0))
           (mem (px.mmap #f (+ header 4096) (logior PROT_READ PROT_WRITE)
                         MAP_SHARED fd 0)))
      (px.close fd)
      (channel-put! ch 'victim)
      ;; The first record's len word (after state, tag, owner, size).
      (pointer-set-c-uint64! mem (+ header 24) (expt 2 40))
      (test-assert "a record's length past its end raises a corrupt-channel error"
        (channel-corrupt-error? (catch-condition (lambda () (channel-get ch)))))
      (test-equal "and the channel goes on: 500 values through a 4096-byte ring"
        500
        (let loop ((i 0))
          (if (and (< i 500)
                   (channel-try-put! ch (make-string 100 #\v))
                   (equal? (channel-try-get ch) (make-string 100 #\v)))
              (loop (+ i 1))
              i)))
      (px.munmap mem (+ header 4096))
      (channel-detach! ch))))

(test-end "channel-hostile")
