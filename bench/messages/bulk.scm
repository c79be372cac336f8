;;; bulk.scm -- the six datasets through bytevectors and ports, in rounds.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later
;;;
;;; Usage: pre-inst-env guile bulk.scm ROUNDS DATASET...
;;;
;;; For each dataset (see ../fasl/datasets.scm), reads its encoding
;;; ROUNDS times in a row by each path -- fasl-decode of a bytevector,
;;; fasl-read of a bytevector port, fasl-read of a file port -- in two
;;; regimes: "gc", a full collection before each round (not timed), and
;;; "steady", no collection asked for, each round's result dropped when
;;; the next starts, as in a loop that reads and processes data.  Prints
;;; one line per dataset, path and regime:
;;;   ROUND DATASET PATH REGIME MEDIAN-MS MIN-MS MAX-MS COLLECTIONS
;;; where COLLECTIONS is how many the rounds ran (Guile's gc-stats), and
;;; at the end the peak resident size of the process (VmHWM) in MB.

(use-modules (vicare-compat fasl)
             (ice-9 format)
             ((rnrs io ports) #:select (open-bytevector-input-port))
             (srfi srfi-1))

(include "../fasl/datasets.scm")

(define (now) (get-internal-real-time))
(define (ms t0 t1) (/ (- t1 t0) 1000000.0))

(define (median xs)
  (let ((s (sort xs <)) (n (length xs)))
    (if (odd? n)
        (list-ref s (quotient n 2))
        (/ (+ (list-ref s (- (quotient n 2) 1)) (list-ref s (quotient n 2))) 2))))

(define (collections) (assq-ref (gc-stats) 'gc-times))

(define (rounds n gc? thunk)
  ;; (times collections)
  (let ((c0 (collections)))
    (let loop ((i 0) (times '()))
      (if (= i n)
          (list (reverse times) (- (collections) c0))
          (begin
            (when gc? (gc))
            (let* ((t0 (now)) (x (thunk)) (t1 (now)))
              (loop (+ i 1) (cons (ms t0 t1) times))))))))

(define (vm-hwm-mb)
  (call-with-input-file "/proc/self/status"
    (lambda (port)
      (let loop ()
        (let ((line (read-line port)))
          (cond ((eof-object? line) #f)
                ((string-prefix? "VmHWM:" line)
                 (/ (string->number
                     (car (string-tokenize (substring line 6))))
                    1024.0))
                (else (loop))))))))

(define (main args)
  (let* ((n (string->number (cadr args)))
         (names (map string->symbol (cddr args)))
         (file (string-append (or (getenv "TMPDIR") "/tmp") "/bulk-"
                              (number->string (getpid)) ".fasl")))
    (for-each
     (lambda (name)
       (let ((bytes (fasl-encode (make-dataset name))))
         (call-with-output-file file
           (lambda (p) (put-bytevector p bytes))
           #:binary #t)
         (for-each
          (lambda (path)
            (let ((thunk
                   (case path
                     ((decode) (lambda () (fasl-decode bytes)))
                     ((bv-port) (lambda ()
                                  (fasl-read (open-bytevector-input-port bytes))))
                     ((file-port)
                      (lambda ()
                        (call-with-input-file file fasl-read #:binary #t))))))
              (for-each
               (lambda (gc?)
                 (let* ((r (rounds n gc? thunk)) (times (car r)))
                   (format #t "ROUND ~a ~a ~a ~,2f ~,2f ~,2f ~a~%"
                           name path (if gc? "gc" "steady")
                           (median times) (apply min times) (apply max times)
                           (cadr r))
                   (force-output)))
               '(#t #f))))
          '(decode bv-port file-port))))
     names)
    (delete-file file)
    (format #t "PEAK-RSS-MB ~,1f~%" (vm-hwm-mb))))

(use-modules ((rnrs io ports) #:select (put-bytevector))
             ((ice-9 rdelim) #:select (read-line)))

(main (command-line))
