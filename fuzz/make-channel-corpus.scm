;;; make-channel-corpus.scm -- the seed corpus of fuzz/channel-fuzz.c.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later
;;;
;;; Usage: pre-inst-env guile make-channel-corpus.scm DIRECTORY
;;;
;;; Writes the memory of channels of 4096 bytes in various states (empty,
;;; values waiting, some taken, closed, positions past the end of the ring,
;;; a record reserved or claimed by a dead process), each followed by a
;;; few operation bytes (see channel-fuzz.c).  The channels are named ones,
;;; so that their memory can be read from /dev/shm; the names are removed.

(use-modules (vicare-compat channel)
             (rnrs bytevectors)
             (ice-9 binary-ports))

(define directory (cadr (command-line)))
(define name (format #f "/vc-corpus-~a" (getpid)))
(define ops #vu8(0 2 9 1 3 40 5 4 6 0 7 0))

(define (image ch)
  (call-with-input-file (string-append "/dev/shm" name)
    get-bytevector-all #:binary #t))

(define (u64-ref bv offset) (bytevector-u64-native-ref bv offset))
(define (u32-set! bv offset v) (bytevector-u32-native-set! bv offset v))
(define (u64-set! bv offset v) (bytevector-u64-native-set! bv offset v))

;; The identity of a process that cannot exist (pid 2^22 - 1).
(define dead (ash (- (expt 2 22) 1) 42))

;; Offsets in the header (src/channel-ring.h) and of a record's words.
(define tail 72)
(define head 80)
(define claim 136)
(define (record-offset bv pos) (+ 4096 (modulo pos 4096)))

(define (save tag bv)
  (call-with-output-file (string-append directory "/channel-" tag)
    (lambda (port)
      (put-bytevector port bv)
      (put-bytevector port ops))
    #:binary #t))

(define (with-channel proc)
  (let ((ch (make-channel 4096 #:name name)))
    (proc ch)
    (channel-detach! ch)))

(with-channel
 (lambda (ch)
   (save "empty" (image ch))
   (for-each (lambda (v) (channel-put! ch v)) (list 1 "two" '(3 4) #vu8(5)))
   (save "waiting" (image ch))
   (channel-get ch)
   (channel-get ch)
   (save "some-taken" (image ch))
   ;; The next record, reserved by a dead producer.
   (let* ((bv (image ch)) (r (record-offset bv (u64-ref bv claim))))
     (u32-set! bv r 1)
     (u64-set! bv (+ r 8) dead)
     (save "reserved-by-dead" bv))
   ;; A record behind claim, claimed by a dead consumer.
   (let* ((bv (image ch)) (r (record-offset bv (u64-ref bv head))))
     (u32-set! bv r 3)
     (u64-set! bv (+ r 8) dead)
     (save "claimed-by-dead" bv))
   (channel-close! ch)
   (save "closed" (image ch))))

(with-channel
 (lambda (ch)
   ;; Positions past the end of the ring: records across its end.
   (do ((i 0 (+ i 1))) ((= i 100))
     (channel-put! ch (make-bytevector (* 7 i) i))
     (channel-get ch))
   (channel-put! ch (make-string 1000 #\w))
   (channel-put! ch (iota 100))
   (save "wrapped" (image ch))
   (let loop () (when (channel-try-put! ch (make-bytevector 500)) (loop)))
   (save "full" (image ch))))
