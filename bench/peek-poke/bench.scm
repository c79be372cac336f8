;;; bench.scm -- peek/poke and memory-copy speed, against their floors.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Run through ./run, which compiles this file with guild compile -O2.
;;; Every loop runs 10M iterations and is timed 7 times; the median is
;;; reported in ns per call.  The floors are %vc-bench-noop and
;;; %vc-bench-noop3, C primitives taking the same arguments as a getter
;;; and a setter that do no work.  Loops over inline operations add the
;;; result to an accumulator so that nothing is optimized away (a call of
;;; a C primitive never is); the empty loop shows what the loop costs.

(define-module (bench peek-poke)
  #:use-module (vicare-compat)
  #:use-module ((vicare-compat primitives)
                #:select (%vc-bench-noop %vc-bench-noop3 %vc-bench-noop-double
                          %vc-bench-memcpy))
  #:use-module (system foreign)
  #:use-module (rnrs bytevectors)
  #:use-module (ice-9 format)
  #:export (main))

(define iterations 10000000)
(define runs 7)
(define copy-runs 9)

(define (median xs)
  (list-ref (sort xs <) (quotient (length xs) 2)))

(define (time-ns thunk)
  (let ((t0 (get-internal-real-time)))
    (thunk)
    (* (- (get-internal-real-time) t0)
       (/ 1e9 internal-time-units-per-second))))


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
    ("%vc-bench-noop-double (floor, flonum)"
     ,(loop-do (i) (%vc-bench-noop-double p 8)))
    ("pointer-ref-c-signed-int" ,(loop-sum (i) (pointer-ref-c-signed-int p 0)))
    ("pointer-set-c-signed-int!" ,(loop-do (i) (pointer-set-c-signed-int! p 0 i)))
    ("pointer-ref-c-double" ,(loop-do (i) (pointer-ref-c-double p 8)))
    ("array-ref-c-signed-int" ,(loop-sum (i) (array-ref-c-signed-int p 1)))
    ("bytevector-s32-native-ref" ,(loop-sum (i) (bytevector-s32-native-ref bv 0)))
    ("pointer->bytevector + s32-native-ref"
     ,(loop-sum (i) (bytevector-s32-native-ref (pointer->bytevector p 4) 0)))))

(define floor2 "%vc-bench-noop (floor, 2 args)")
(define floor3 "%vc-bench-noop3 (floor, 3 args)")
(define floor-double "%vc-bench-noop-double (floor, flonum)")

;; Each run times every case once, in order, so that a case and its floor
;; are measured close together; "x floor" is the median over the runs of
;; the ratio within a run.  Setters compare with the 3-argument floor,
;; the double getter with the floor that returns a fresh flonum.
(define (peek-poke)
  (pointer-set-c-double! p 8 2.0)
  (format #t "~%peek/poke: ns per call, median of ~a interleaved runs of ~a ~
iterations~%" runs iterations)
  (let ((samples
         (map (lambda (_)
                (map (lambda (c) (cons (car c) (/ (time-ns (cadr c)) iterations)))
                     peek-poke-cases))
              (iota runs))))
    (format #t "~38a ~8a ~a~%" "operation" "ns" "x floor")
    (for-each
     (lambda (name)
       (let ((floor (cond ((string-contains name "set") floor3)
                          ((string-contains name "double") floor-double)
                          (else floor2))))
         (format #t "~38a ~8,1f ~4,2f~%" name
                 (median (map (lambda (run) (assoc-ref run name)) samples))
                 (median (map (lambda (run)
                                (/ (assoc-ref run name) (assoc-ref run floor)))
                              samples)))))
     (map car peek-poke-cases))))

;;; ----------------------------------------------------------- memory-copy

;; Nanoseconds per call of COPY, called REPS times.
(define (copy-ns copy reps)
  (/ (time-ns (lambda () (do ((i 0 (+ i 1))) ((= i reps)) (copy)))) reps))

;; For each direction, each run times C memcpy (%vc-bench-memcpy: a C loop
;; in this process) over the very same memory, then memory-copy, back to
;; back: the ratio of a run compares two copies made in the same machine
;; state.  The table gives medians over the runs.
(define (memory-copy-bench)
  (format #t "~%memory-copy: GB/s, median of ~a interleaved runs; ~
ratio = memory-copy / C memcpy on the same buffers~%" copy-runs)
  (format #t "~8a ~9a ~12a ~12a ~a~%" "size" "direction" "C memcpy"
          "memory-copy" "ratio")
  (for-each
   (lambda (size reps label)
     (let* ((src-p (malloc size)) (dst-p (malloc size))
            (src-bv (make-bytevector size 1)) (dst-bv (make-bytevector size 2))
            (view (lambda (buf)
                    (if (bytevector? buf) (bytevector->pointer buf) buf))))
       (memset src-p 1 size)
       (memset dst-p 2 size)
       (for-each
        (lambda (direction dst src)
          (let* ((samples
                  (map (lambda (_)
                         (cons (/ (time-ns (lambda ()
                                             (%vc-bench-memcpy (view dst) (view src)
                                                               size reps)))
                                  reps)
                               (copy-ns (lambda () (memory-copy dst 0 src 0 size))
                                        reps)))
                       (iota copy-runs)))
                 (c (median (map car samples)))
                 (ours (median (map cdr samples)))
                 (ratio (median (map (lambda (s) (/ (car s) (cdr s))) samples))))
            (format #t "~8a ~9a ~12,2f ~12,2f ~5,2f~%"
                    label direction (/ size c) (/ size ours) ratio)))
        '("ptr->ptr" "bv->ptr" "ptr->bv")
        (list dst-p dst-p dst-bv)
        (list src-p src-bv src-p))
       (free src-p)
       (free dst-p)))
   (list 1024 (* 1024 1024) (* 64 1024 1024))
   (list 1000000 2000 10)
   '("1 KiB" "1 MiB" "64 MiB")))

(define (main args)
  (peek-poke)
  (memory-copy-bench))
