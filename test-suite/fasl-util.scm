;;; (test-suite fasl-util) -- helpers of the FASL tests.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Commentary:
;;;
;;; `fasl-equal?' compares two data the way a FASL round trip must keep
;;; them: same shape and contents, and the same sharing -- it pairs every
;;; object of one with one object of the other (a bijection), so it also
;;; terminates on cycles.  Flonums compare by their bits (NaN payloads,
;;; -0.0), hashtables by contents, records by type and fields.
;;;
;;; Code:

(define-module (test-suite fasl-util)
  #:use-module (rnrs bytevectors)
  #:use-module ((rnrs hashtables)
                #:select (hashtable? hashtable-entries hashtable-ref
                          hashtable-contains? hashtable-size
                          hashtable-equivalence-function))
  #:use-module (ice-9 binary-ports)
  #:export (fasl-equal?
            flonum-bits
            bits->flonum
            hex->bytevector
            bytevector->hex
            bytevector-search
            read-data-file))

(define (flonum-bits x)
  (let ((bv (make-bytevector 8)))
    (bytevector-ieee-double-set! bv 0 x (endianness little))
    (bytevector-u64-ref bv 0 (endianness little))))

(define (bits->flonum n)
  (let ((bv (make-bytevector 8)))
    (bytevector-u64-set! bv 0 n (endianness little))
    (bytevector-ieee-double-ref bv 0 (endianness little))))

(define (hex->bytevector hex)
  (let* ((n (quotient (string-length hex) 2))
         (bv (make-bytevector n)))
    (do ((i 0 (+ i 1))) ((= i n) bv)
      (bytevector-u8-set! bv i (string->number (substring hex (* 2 i) (+ 2 (* 2 i)))
                                               16)))))

(define (bytevector->hex bv)
  (string-upcase
   (apply string-append
          (map (lambda (b) (string-pad (number->string b 16) 2 #\0))
               (bytevector->u8-list bv)))))

(define (bytevector-search bv pattern)
  "The first index of the bytevector PATTERN in BV, or #f."
  (let ((n (bytevector-length bv)) (m (bytevector-length pattern)))
    (let loop ((i 0))
      (cond ((> (+ i m) n) #f)
            ((let same? ((k 0))
               (or (= k m)
                   (and (= (bytevector-u8-ref bv (+ i k))
                           (bytevector-u8-ref pattern k))
                        (same? (+ k 1)))))
             i)
            (else (loop (+ i 1)))))))

(define (read-data-file name)
  "The datum in test-suite/data/NAME of the source tree."
  (call-with-input-file
      (string-append (or (getenv "abs_top_srcdir") ".") "/test-suite/data/" name)
    read
    #:encoding "UTF-8"))

(define (identity-object? x)
  ;; Objects whose identity a FASL round trip keeps.
  (or (pair? x) (vector? x) (string? x) (bytevector? x) (struct? x)
      (and (number? x)
           (or (inexact? x)
               (not (integer? x))
               (not (<= (- (expt 2 60)) x (- (expt 2 60) 1)))))))

(define (fasl-equal? a b)
  (let ((a->b (make-hash-table)) (b->a (make-hash-table)))
    (define (pair-up! a b)
      ;; #t: continue into A and B; 'seen: already paired; #f: clash.
      (let ((ma (hashq-ref a->b a)) (mb (hashq-ref b->a b)))
        (cond ((and ma mb) (and (eq? (car ma) b) (eq? (car mb) a) 'seen))
              ((or ma mb) #f)
              (else (hashq-set! a->b a (list b))
                    (hashq-set! b->a b (list a))
                    #t))))
    (let loop ((todo (list (cons a b))))
      (if (null? todo)
          #t
          (let ((a (caar todo)) (b (cdar todo)) (rest (cdr todo)))
            (define (next . more) (loop (append more rest)))
            (cond
             ((and (identity-object? a) (identity-object? b))
              (case (pair-up! a b)
                ((seen) (next))
                ((#f) #f)
                (else
                 (cond
                  ((and (pair? a) (pair? b))
                   (next (cons (car a) (car b)) (cons (cdr a) (cdr b))))
                  ((and (vector? a) (vector? b))
                   (and (= (vector-length a) (vector-length b))
                        (apply next (map cons (vector->list a) (vector->list b)))))
                  ((and (string? a) (string? b)) (and (string=? a b) (next)))
                  ((and (bytevector? a) (bytevector? b))
                   (and (bytevector=? a b) (next)))
                  ((and (real? a) (real? b) (inexact? a) (inexact? b))
                   (and (= (flonum-bits a) (flonum-bits b)) (next)))
                  ((and (number? a) (number? b) (inexact? a) (inexact? b))
                   (and (= (flonum-bits (real-part a)) (flonum-bits (real-part b)))
                        (= (flonum-bits (imag-part a)) (flonum-bits (imag-part b)))
                        (next)))
                  ((and (number? a) (number? b)) (and (eqv? a b) (next)))
                  ((and (hashtable? a) (hashtable? b))
                   (and (eq? (hashtable-equivalence-function a)
                             (hashtable-equivalence-function b))
                        (= (hashtable-size a) (hashtable-size b))
                        (call-with-values (lambda () (hashtable-entries a))
                          (lambda (keys values)
                            ;; Keys must be the same objects (symbols,
                            ;; numbers): compare values under them.
                            (let ((pairs (map (lambda (k v)
                                                (and (hashtable-contains? b k)
                                                     (cons v (hashtable-ref b k #f))))
                                              (vector->list keys)
                                              (vector->list values))))
                              (and (and-map identity pairs)
                                   (apply next pairs)))))))
                  ((and (struct? a) (struct? b))
                   (and (eq? (struct-vtable a) (struct-vtable b))
                        (if (record-type? a)
                            (eq? a b)
                            (let ((n (length (record-type-fields (struct-vtable a)))))
                              (apply next
                                     (map (lambda (i)
                                            (cons (struct-ref a i) (struct-ref b i)))
                                          (iota n)))))))
                  (else #f)))))
             ((or (identity-object? a) (identity-object? b)) #f)
             (else (and (eqv? a b) (next)))))))))

;;; fasl-util.scm ends here
