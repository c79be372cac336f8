;;; datasets.scm -- the FASL benchmark datasets, for Guile.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later
;;;
;;; Included by guile.scm and memory.scm.  The same six datasets are built
;;; by peer.ss (Ikarus, Chez Scheme) and pickle-bench.py:
;;;   D1 a list of 10^6 fixnums i*7 mod 1000003
;;;   D2 a vector of 200,000 strings "item-<i>"
;;;   D3 a vector of 500,000 flonums i/3.0
;;;   D4 a list of 100,000 vectors #(i "name-i" sym-(i mod 100) (i i+1) 1.5)
;;;   D5 a 64 MiB bytevector (byte i = i mod 251)
;;;   D6 a list of 200,000 bignums 2^70+i

(use-modules (rnrs bytevectors) (srfi srfi-1))

(define (make-dataset name)
  (case name
    ((D1) (list-tabulate 1000000 (lambda (i) (modulo (* i 7) 1000003))))
    ((D2) (let ((v (make-vector 200000)))
            (do ((i 0 (+ i 1))) ((= i 200000) v)
              (vector-set! v i (string-append "item-" (number->string i))))))
    ((D3) (let ((v (make-vector 500000)))
            (do ((i 0 (+ i 1))) ((= i 500000) v)
              (vector-set! v i (/ i 3.0)))))
    ((D4) (list-tabulate
           100000
           (lambda (i)
             (vector i (string-append "name-" (number->string i))
                     (string->symbol
                      (string-append "sym-" (number->string (modulo i 100))))
                     (list i (+ i 1)) 1.5))))
    ((D5) (let* ((n (* 64 1024 1024))
                 (bv (make-bytevector n)))
            (do ((i 0 (+ i 1))) ((= i n) bv)
              (bytevector-u8-set! bv i (modulo i 251)))))
    ((D6) (list-tabulate 200000 (lambda (i) (+ (expt 2 70) i))))))

(define dataset-names '(D1 D2 D3 D4 D5 D6))
