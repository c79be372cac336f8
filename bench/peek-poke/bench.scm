;;; bench.scm -- peek/poke and memory-copy speed, against their floors.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Run through ./run, which compiles this file with guild compile -O2.
;;; Every loop runs 10M iterations and is timed 5 times; the median is
;;; reported in ns per call.  The floors are %vc-bench-noop and
;;; %vc-bench-noop3, C primitives taking the same arguments as a getter
;;; and a setter that do no work.  Loops over inline operations add the
;;; result to an accumulator so that nothing is optimized away (a call of
;;; a C primitive never is); the empty loop shows what the loop costs.

(define-module (bench peek-poke)
  #:use-module (vicare-compat)
  #:use-module ((vicare-compat primitives)
                #:select (%vc-bench-noop %vc-bench-noop3 %vc-bench-memcpy))
  #:use-module (system foreign)
  #:use-module (rnrs bytevectors)
  #:use-module (ice-9 format)
  #:export (main))

(define iterations 10000000)
(define runs 5)
(define copy-runs 9)

(define (median xs)
  (list-ref (sort xs <) (quotient (length xs) 2)))

(define (time-ns thunk)
  (let ((t0 (get-internal-real-time)))
    (thunk)
    (* (- (get-internal-real-time) t0)
       (/ 1e9 internal-time-units-per-second))))

;; Median ns per iteration of THUNK, which runs ITERATIONS iterations.
(define (per-call thunk n)
  (median (map (lambda (_) (/ (time-ns thunk) n)) (iota runs))))

(define bv (make-bytevector 64 0))
(define p (bytevector->pointer bv))

(define-syntax-rule (loop-sum (i) expr)
  (lambda ()
    (let loop ((i 0) (acc 0))
      (if (< i iterations)
          (loop (+ i 1) (+ acc expr))
          acc))))

(define-syntax-rule (loop-do (i) expr)
  (lambda ()
    (let loop ((i 0))
      (when (< i iterations)
        expr
        (loop (+ i 1))))))

(define peek-poke-cases
  `(("empty loop" ,(loop-sum (i) i))
    ("%vc-bench-noop (floor, 2 args)" ,(loop-sum (i) (%vc-bench-noop p 0)))
    ("%vc-bench-noop3 (floor, 3 args)" ,(loop-do (i) (%vc-bench-noop3 p 0 i)))
    ("pointer-ref-c-signed-int" ,(loop-sum (i) (pointer-ref-c-signed-int p 0)))
    ("pointer-set-c-signed-int!" ,(loop-do (i) (pointer-set-c-signed-int! p 0 i)))
    ("pointer-ref-c-double" ,(loop-do (i) (pointer-ref-c-double p 8)))
    ("array-ref-c-signed-int" ,(loop-sum (i) (array-ref-c-signed-int p 1)))
    ("bytevector-s32-native-ref" ,(loop-sum (i) (bytevector-s32-native-ref bv 0)))
    ("pointer->bytevector + s32-native-ref"
     ,(loop-sum (i) (bytevector-s32-native-ref (pointer->bytevector p 4) 0)))))

(define (peek-poke)
  (pointer-set-c-double! p 8 2.0)
  (format #t "~%peek/poke: ns per call, median of ~a runs of ~a iterations~%"
          runs iterations)
  (let* ((results (map (lambda (c) (cons (car c) (per-call (cadr c) iterations)))
                       peek-poke-cases))
         (floor2 (assoc-ref results "%vc-bench-noop (floor, 2 args)"))
         (floor3 (assoc-ref results "%vc-bench-noop3 (floor, 3 args)")))
    (format #t "~38a ~8a ~a~%" "operation" "ns" "x floor")
    (for-each
     (lambda (r)
       (let ((floor (if (string-contains (car r) "set") floor3 floor2)))
         (format #t "~38a ~8,1f ~4,2f~%" (car r) (cdr r) (/ (cdr r) floor))))
     results)))

;;; ----------------------------------------------------------- memory-copy

;; Seconds of REPS calls of THUNK... as ns per call.
(define (copy-ns copy reps)
  (/ (time-ns (lambda () (do ((i 0 (+ i 1))) ((= i reps)) (copy)))) reps))

;; Each run times C memcpy (%vc-bench-memcpy: a C loop, same buffers) and
;; the three memory-copy directions back to back, so that the ratios of a
;; run share the machine's state; the table gives medians over the runs.
(define (memory-copy-bench)
  (format #t "~%memory-copy: GB/s, median of ~a interleaved runs; ratio = ~
memory-copy / C memcpy~%" copy-runs)
  (format #t "~8a ~9a ~9a ~9a ~9a  ~a~%" "size" "memcpy" "ptr->ptr"
          "bv->ptr" "ptr->bv" "ratios")
  (for-each
   (lambda (size reps label)
     (let ((src-p (malloc size)) (dst-p (malloc size))
           (src-bv (make-bytevector size 1)) (dst-bv (make-bytevector size 2)))
       (memset src-p 1 size)
       (memset dst-p 2 size)
       (let* ((samples
               (map (lambda (_)
                      (list (/ (time-ns (lambda ()
                                          (%vc-bench-memcpy dst-p src-p size reps)))
                               reps)
                            (copy-ns (lambda () (memory-copy dst-p 0 src-p 0 size))
                                     reps)
                            (copy-ns (lambda () (memory-copy dst-p 0 src-bv 0 size))
                                     reps)
                            (copy-ns (lambda () (memory-copy dst-bv 0 src-p 0 size))
                                     reps)))
                    (iota copy-runs)))
              (column (lambda (k) (median (map (lambda (s) (list-ref s k)) samples))))
              (ratio (lambda (k)
                       (median (map (lambda (s) (/ (car s) (list-ref s k))) samples)))))
         (format #t "~8a ~9,2f ~9,2f ~9,2f ~9,2f  ~4,2f ~4,2f ~4,2f~%"
                 label
                 (/ size (column 0)) (/ size (column 1)) (/ size (column 2))
                 (/ size (column 3)) (ratio 1) (ratio 2) (ratio 3)))
       (free src-p)
       (free dst-p)))
   (list 1024 (* 1024 1024) (* 64 1024 1024))
   (list 1000000 2000 10)
   '("1 KiB" "1 MiB" "64 MiB")))

(define (main args)
  (peek-poke)
  (memory-copy-bench))
