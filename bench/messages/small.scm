;;; small.scm -- per-call cost of encoding and decoding small data.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later
;;;
;;; Usage: pre-inst-env guile small.scm RUNS CALLS
;;;
;;; For each datum, every run times CALLS calls of fasl-encode, of
;;; fasl-decode, and of a Scheme deep copy of the datum (every pair,
;;; string, vector and bytevector built anew), back to back; the table
;;; gives the median over RUNS runs of the ns per call, the ratio of each
;;; codec call to the deep copy in the same run (median of the per-run
;;; ratios), and the decode cost per encoded byte with its ratio to
;;; that of the reference datum of the same encoded size: a bytevector
;;; whose encoding has as many bytes (see bench/README.md).  The last
;;; two columns are the heap bytes one decode allocates, for the datum
;;; and for its reference (gc-stats): the collector's share of a decode
;;; grows with them.  This file is compiled with guild compile -O2 by
;;; run.

(define-module (bench small)
  #:use-module (vicare-compat fasl)
  #:use-module (ice-9 format)
  #:use-module (rnrs bytevectors)
  #:use-module ((rnrs base) #:select (vector-map))
  #:use-module ((rnrs records syntactic) #:select (define-record-type))
  #:use-module (srfi srfi-1)
  #:export (main))

(define-record-type point
  (fields x y (mutable label))
  (nongenerative bench-small-point-uid))

(define (deep-copy x)
  (cond ((pair? x) (cons (deep-copy (car x)) (deep-copy (cdr x))))
        ((string? x) (string-copy x))
        ((bytevector? x) (bytevector-copy x))
        ((vector? x) (vector-map deep-copy x))
        ((point? x) (make-point (point-x x) (point-y x)
                                (deep-copy (point-label x))))
        (else x)))

(define data
  `(("fixnum 1" . 1)
    ("bytevector of 8 B" . ,(make-bytevector 8 1))
    ("bytevector of 100 B" . ,(make-bytevector 100 1))
    ("bytevector of 1 KiB" . ,(make-bytevector 1024 1))
    ("string \"two\"" . "two")
    ("string of 100 chars" . ,(make-string 100 #\a))
    ("(1 2)" . (1 2))
    ("(0 1 ... 9)" . ,(iota 10))
    ("(1 \"two\")" . (1 "two"))
    ("the 159-byte datum" . (1 "two" three 4.0 #vu8(5 6 7) ,(iota 10)))
    ("a small record" . ,(make-point 1 2 "origin"))
    ("list of 100 fixnums" . ,(iota 100))
    ("vector of 40 short strings"
     . ,(list->vector (map (lambda (i) (format #f "string ~3,'0d" i))
                           (iota 40))))
    ("alist of 20 symbols and strings"
     . ,(map (lambda (i) (cons (string->symbol (format #f "key~a" i))
                               (format #f "value ~a" i)))
             (iota 20)))))

(define (now) (get-internal-real-time))

(define (ns-per-call n thunk)
  (let ((t0 (now)))
    (let loop ((i 0))
      (when (< i n)
        (thunk)
        (loop (+ i 1))))
    (/ (- (now) t0) 1.0 n)))

(define (median xs)
  (let ((s (sort xs <)) (n (length xs)))
    (if (odd? n)
        (list-ref s (quotient n 2))
        (/ (+ (list-ref s (- (quotient n 2) 1)) (list-ref s (quotient n 2))) 2))))

(define (bytevector-of-size n)
  ;; A bytevector whose encoding is N bytes (15 at least).
  (make-bytevector (max 0 (- n 15)) 1))

(define (heap-bytes-per-call n thunk)
  (let ((a0 (assq-ref (gc-stats) 'heap-total-allocated)))
    (let loop ((i 0))
      (when (< i n)
        (thunk)
        (loop (+ i 1))))
    (/ (- (assq-ref (gc-stats) 'heap-total-allocated) a0) n)))

(define (main args)
  (let* ((runs (string->number (cadr args)))
         (calls (string->number (caddr args)))
         ;; A warm-up: the first measurements pay for the heap's growth.
         (warm (for-each (lambda (entry)
                           (let ((x (cdr entry)))
                             (ns-per-call calls (lambda () (fasl-decode
                                                            (fasl-encode x))))))
                         data))
         (rows
          (map (lambda (entry)
                 (let* ((x (cdr entry))
                        (bytes (fasl-encode x))
                        (size (bytevector-length bytes))
                        (ref (fasl-encode (bytevector-of-size size)))
                        (samples
                         (map (lambda (_)
                                (let* ((copy (ns-per-call calls (lambda () (deep-copy x))))
                                       (enc (ns-per-call calls (lambda () (fasl-encode x))))
                                       (dec (ns-per-call calls (lambda () (fasl-decode bytes))))
                                       (dref (ns-per-call calls (lambda () (fasl-decode ref)))))
                                  (list copy enc dec dref)))
                              (iota runs))))
                   (define (col i) (map (lambda (s) (list-ref s i)) samples))
                   (list (car entry) size
                         (median (col 0)) (median (col 1)) (median (col 2))
                         (median (map / (col 1) (col 0)))
                         (median (map / (col 2) (col 0)))
                         (/ (median (col 2)) size)
                         (median (map / (col 2) (col 3)))
                         (heap-bytes-per-call 1000 (lambda () (fasl-decode bytes)))
                         (heap-bytes-per-call 1000 (lambda () (fasl-decode ref))))))
               data)))
    (format #t "calls per measurement: ~a, runs: ~a (median)~%" calls runs)
    (format #t "| datum | bytes | copy ns | encode ns | decode ns | encode/copy | decode/copy | decode ns/B | vs bytevector, per byte | heap B | bytevector heap B |~%")
    (format #t "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|~%")
    (for-each
     (lambda (r)
       (apply format #t "| ~a | ~a | ~d | ~d | ~d | ~,2f | ~,2f | ~,2f | ~,2f | ~d | ~d |~%"
              (car r) (cadr r)
              (append (map (lambda (x) (inexact->exact (round x)))
                           (list-head (cddr r) 3))
                      (list-head (list-tail (cddr r) 3) 4)
                      (map (lambda (x) (inexact->exact (round x)))
                           (list-tail (cddr r) 7)))))
     rows)))
