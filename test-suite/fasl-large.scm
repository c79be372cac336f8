;;; fasl-large.scm -- FASL round trips of large and deep data, and threads.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Commentary:
;;;
;;; Every datum goes through the three forms of the codec -- bytevector
;;; (fasl-encode/fasl-decode), port (fasl-write/fasl-read on bytevector
;;; ports) and raw memory (fasl-write-memory/fasl-read-memory) -- and must
;;; come back the same, with the same bytes from every writer.  The data:
;;; a list of 10^6 elements, a 64 MiB bytevector, and structures nested
;;; 10^5 deep through cars, cdrs (with every tail shared, so that the
;;; writer cannot use one l/L chain), vectors and records.  Then two
;;; threads encode and decode different data at once, many times.
;;;
;;; The checks walk the data with loops, not recursion, so that the test
;;; does not depend on the depth Guile's own equal? can take.
;;;
;;; Code:

(use-modules (test-suite harness)
             (test-suite fasl-util)
             (vicare-compat fasl)
             (rnrs bytevectors)
             ((rnrs io ports)
              #:select (open-bytevector-output-port open-bytevector-input-port
                        get-u8))
             ((rnrs records syntactic)
              #:select ((define-record-type . define-r6rs-record-type)))
             (system foreign)
             (ice-9 threads)
             (srfi srfi-1))

(test-begin "fasl-large")

(define-r6rs-record-type box (fields content) (nongenerative fasl-large-box))

;;; -------------------------------------------------------------- helpers

(define (write-to-bytevector obj)
  (call-with-values open-bytevector-output-port
    (lambda (port get)
      (fasl-write obj port)
      (get))))

(define (read-from-bytevector bv)
  ;; Also checks that fasl-read leaves nothing and takes nothing more.
  (let* ((port (open-bytevector-input-port bv))
         (obj (fasl-read port)))
    (unless (eof-object? (get-u8 port))
      (error "fasl-read left bytes in the port"))
    obj))

(define (write-to-memory obj size)
  ;; Encode into a buffer of SIZE bytes; return the bytes used, as a
  ;; bytevector.
  (let* ((buffer (make-bytevector size 0))
         (n (fasl-write-memory obj (bytevector->pointer buffer) size)))
    (let ((out (make-bytevector n)))
      (bytevector-copy! buffer 0 out 0 n)
      out)))

(define (read-from-memory bv)
  (let ((buffer (bytevector-copy bv)))
    (call-with-values
        (lambda () (fasl-read-memory (bytevector->pointer buffer)
                                     (bytevector-length buffer)))
      (lambda (obj used)
        (unless (= used (bytevector-length bv))
          (error "fasl-read-memory used" used (bytevector-length bv)))
        obj))))

(define (round-trips name obj same?)
  "Test that OBJ survives every form of the codec according to SAME?, and
that every writer produces the same bytes."
  (let* ((bv (fasl-encode obj))
         (size (bytevector-length bv)))
    (test-assert (string-append name ": port writer gives the same bytes")
      (bytevector=? bv (write-to-bytevector obj)))
    (test-assert (string-append name ": memory writer gives the same bytes")
      (bytevector=? bv (write-to-memory obj size)))
    (test-assert (string-append name ": fasl-decode") (same? obj (fasl-decode bv)))
    (test-assert (string-append name ": fasl-read") (same? obj (read-from-bytevector bv)))
    (test-assert (string-append name ": fasl-read-memory")
      (same? obj (read-from-memory bv)))
    bv))

;;; ---------------------------------------------------------- big data

(define million 1000000)

(define (make-big-list)
  (let loop ((i (- million 1)) (acc '()))
    (if (< i 0) acc (loop (- i 1) (cons (* i 7) acc)))))

(round-trips "list of 10^6 fixnums" (make-big-list) equal?)

(let ((strings (list-tabulate 100000 (lambda (i) (string-append "item-" (number->string i))))))
  (round-trips "list of 10^5 strings" strings equal?))

(define mib64 (* 64 1024 1024))

(define big-bytevector
  (let ((bv (make-bytevector mib64)))
    ;; A pattern that differs at every offset a length bug could shift to.
    (do ((i 0 (+ i 8))) ((= i mib64) bv)
      (bytevector-u64-native-set! bv i (* i 2654435761)))))

(let ((bv (round-trips "64 MiB bytevector" big-bytevector bytevector=?)))
  (test-equal "64 MiB bytevector: encoded size" (+ 6 1 8 mib64) (bytevector-length bv)))

;;; --------------------------------------------------------------- depth

(define depth 100000)

(define (car-nested n)
  ;; (((...(leaf)...)))
  (let loop ((i 0) (x (list 'leaf)))
    (if (= i n) x (loop (+ i 1) (list x)))))

(define (car-depth x)
  ;; How many single-element lists wrap (leaf); #f if the shape is wrong.
  (let loop ((x x) (d 0))
    (cond ((equal? x '(leaf)) d)
          ((and (pair? x) (null? (cdr x))) (loop (car x) (+ d 1)))
          (else #f))))

(round-trips "10^5 nested through car" (car-nested depth)
             (lambda (a b) (eqv? (car-depth a) (car-depth b))))

(define (vector-nested n)
  (let loop ((i 0) (x #(leaf)))
    (if (= i n) x (loop (+ i 1) (vector i x)))))

(define (vector-depth x)
  (let loop ((x x) (d 0))
    (cond ((equal? x #(leaf)) d)
          ((and (vector? x) (= (vector-length x) 2)
                (eqv? (vector-ref x 0) (- depth d 1)))
           (loop (vector-ref x 1) (+ d 1)))
          (else #f))))

(round-trips "10^5 nested through vectors" (vector-nested depth)
             (lambda (a b) (eqv? (vector-depth a) (vector-depth b))))

(define (record-nested n)
  (let loop ((i 0) (x 'leaf))
    (if (= i n) x (loop (+ i 1) (make-box x)))))

(define (record-depth x)
  (let loop ((x x) (d 0))
    (cond ((eq? x 'leaf) d)
          ((box? x) (loop (box-content x) (+ d 1)))
          (else #f))))

(round-trips "10^5 nested through records" (record-nested depth)
             (lambda (a b) (eqv? (record-depth a) (record-depth b))))

;; A list whose every tail is also an element of a vector: every pair is
;; shared, so the writer marks each one and writes P, whose cdr is the
;; next marked P -- nesting through cdr, 10^5 deep.
(define (shared-tails n)
  (let* ((lst (iota n))
         (tails (make-vector n)))
    (let loop ((i 0) (l lst))
      (unless (null? l)
        (vector-set! tails i l)
        (loop (+ i 1) (cdr l))))
    (cons lst tails)))

(define (shared-tails-ok? x)
  (and (pair? x) (vector? (cdr x))
       (let ((lst (car x)) (tails (cdr x)))
         (and (= (vector-length tails) depth)
              (let loop ((i 0) (l lst))
                (if (= i depth)
                    (null? l)
                    (and (eq? l (vector-ref tails i))
                         (eqv? (car l) i)
                         (loop (+ i 1) (cdr l)))))))))

(round-trips "10^5 nested through cdr, every tail shared" (shared-tails depth)
             (lambda (a b) (shared-tails-ok? b)))

;; Mixed nesting: car, vector and record levels in turn.
(define (mixed-nested n)
  (let loop ((i 0) (x 'leaf))
    (if (= i n)
        x
        (loop (+ i 1) (case (modulo i 3)
                        ((0) (list x))
                        ((1) (vector x))
                        (else (make-box x)))))))

(define (mixed-depth x)
  (let loop ((x x) (d 0))
    (cond ((eq? x 'leaf) d)
          ((and (pair? x) (null? (cdr x))) (loop (car x) (+ d 1)))
          ((and (vector? x) (= 1 (vector-length x))) (loop (vector-ref x 0) (+ d 1)))
          ((box? x) (loop (box-content x) (+ d 1)))
          (else #f))))

(round-trips "10^5 nested through car, vectors and records in turn"
             (mixed-nested depth)
             (lambda (a b) (eqv? (mixed-depth a) (mixed-depth b))))

;; A long cycle: the last pair of a 10^5-element list points back to the
;; first.
(let* ((lst (iota depth))
       (last-pair (last-pair lst)))
  (set-cdr! last-pair lst)
  (round-trips "cycle through 10^5 pairs" lst
               (lambda (a b)
                 (let loop ((i 0) (l b))
                   (if (= i depth)
                       (eq? l b)
                       (and (eqv? (car l) i) (loop (+ i 1) (cdr l))))))))

;;; ------------------------------------------------------------ threads

;; Two threads, each with its own data, encode and decode in turn through
;; all three forms; every result is checked.  The codec keeps no global
;; state, so nothing may leak from one thread's datum into the other's.

(define (thread-datum tag)
  (let ((shared (string-append "shared-" tag)))
    (list tag shared shared
          (list->vector (iota 200 (string-length tag)))
          (make-box (list 1.5 (expt 3 80) 1/7 (string->symbol tag)))
          (make-bytevector 1000 (string-length tag))
          (let ((c (list 'cycle tag))) (set-cdr! (cdr c) c) c))))

(define (hammer tag rounds)
  ;; The number of rounds whose three results were all right.
  (let ((obj (thread-datum tag)))
    (let loop ((i 0) (good 0))
      (if (= i rounds)
          good
          (let* ((bv (fasl-encode obj))
                 (ok (and (fasl-equal? obj (fasl-decode bv))
                          (fasl-equal? obj (read-from-bytevector (write-to-bytevector obj)))
                          (fasl-equal? obj (read-from-memory
                                            (write-to-memory obj (bytevector-length bv)))))))
            (loop (+ i 1) (if ok (+ good 1) good)))))))

(define rounds 300)

(test-equal "two threads encode and decode at once"
  (list rounds rounds)
  (let* ((a (call-with-new-thread (lambda () (hammer "alpha" rounds))))
         (b (call-with-new-thread (lambda () (hammer "beta-beta" rounds)))))
    (list (join-thread a) (join-thread b))))

;; Two threads decoding one large input at once: long enough that they
;; overlap for certain.
(test-equal "two threads decode a 10^6-element list at once"
  (list million million)
  (let* ((bv (fasl-encode (make-big-list)))
         (count-ok (lambda ()
                     (let loop ((l (fasl-decode bv)) (i 0))
                       (cond ((null? l) i)
                             ((eqv? (car l) (* i 7)) (loop (cdr l) (+ i 1)))
                             (else -1)))))
         (a (call-with-new-thread count-ok))
         (b (call-with-new-thread count-ok)))
    (list (join-thread a) (join-thread b))))

(test-end "fasl-large")
