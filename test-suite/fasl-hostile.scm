;;; fasl-hostile.scm -- malformed and hostile FASL input.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; The 73 inputs of test-suite/data/fasl-bad-vectors.scm, each with the
;;; outcome the spec recommends (we reject every non-canonical form), read
;;; through all three readers (bytevector, port, memory); then nesting:
;;; 10^5 levels read and write, 10^6+1 levels are refused cleanly.

(use-modules (test-suite harness)
             (test-suite fasl-util)
             (vicare-compat)
             (rnrs bytevectors)
             ((rnrs io ports)
              #:select (open-bytevector-input-port get-u8 get-bytevector-all
                        eof-object))
             ((rnrs conditions) #:select (who-condition? condition-who))
             (system foreign)
             (srfi srfi-1))

(test-begin "fasl-hostile")

(define bad (read-data-file "fasl-bad-vectors.scm"))

(test-equal "73 hostile inputs" 73 (length bad))

;; Inputs that are accepted, with their value.
(define accepted
  `(("fixnum-word-2^59" . ,(expt 2 56))
    ("string-s-highbyte" . ,(string (integer->char #xE9) (integer->char #xFF)))
    ("char-C-0x41" . #\A)
    ("char-c-0xE9" . ,(integer->char #xE9))
    ("list-L-small-n" . (1 2))
    ("list-l-0" . (1 . 2))
    ("self-ref-pair" . ,(let ((p (cons 1 #f))) (set-cdr! p p) p))))

;; Inputs whose first datum is fine but bytes follow it: fasl-decode
;; refuses them, a port or memory read returns the first datum.
(define trailing
  '(("end-marker-@" 1 1) ("trailing-garbage" 1 3) ("two-objects" 1 15)))

(define header-errors
  '("empty-input" "header-32bit" "bad-header-magic" "header-truncated"))

;; (outcome . who) of reading BV with PROC, for a comparison.
(define (outcome who thunk)
  (let ((e (catch-condition thunk)))
    (cond ((eq? e 'no-condition) 'no-condition)
          ((and (fasl-read-error? e) (who-condition? e)
                (eq? (condition-who e) who)
                (integer? (fasl-read-error-offset e)))
           (if (i/o-wrong-fasl-header-error? e) 'header-error 'fasl-read-error))
          (else (list 'other-condition e)))))

(define (read-memory bv)
  (call-with-values
      (lambda () (fasl-read-memory (bytevector->pointer bv)
                                   (bytevector-length bv)))
    list))

(for-each
 (lambda (entry)
   (let* ((name (car entry))
          (bv (hex->bytevector (cadr entry)))
          (acc (assoc name accepted))
          (trail (assoc name trailing)))
     (cond
      (acc
       (test-assert (string-append name ": decode")
         (fasl-equal? (cdr acc) (fasl-decode bv)))
       (test-assert (string-append name ": port")
         (fasl-equal? (cdr acc) (fasl-read (open-bytevector-input-port bv)))))
      (trail
       (test-equal (string-append name ": decode refuses trailing bytes")
         'fasl-read-error (outcome 'fasl-decode (lambda () (fasl-decode bv))))
       (test-equal (string-append name ": port reads the first datum")
         (list (cadr trail) (caddr trail))
         (let* ((port (open-bytevector-input-port bv))
                (x (fasl-read port)))
           (list x (bytevector-length (get-bytevector-all port)))))
       (test-equal (string-append name ": memory reads the first datum")
         (list (cadr trail) (- (bytevector-length bv) (caddr trail)))
         (read-memory bv)))
      (else
       (let ((expect (if (member name header-errors) 'header-error
                         'fasl-read-error)))
         (test-equal (string-append name ": decode")
           expect (outcome 'fasl-decode (lambda () (fasl-decode bv))))
         (test-equal (string-append name ": port")
           expect (outcome 'fasl-read
                           (lambda () (fasl-read (open-bytevector-input-port bv)))))
         (test-equal (string-append name ": memory")
           expect (outcome 'fasl-read-memory (lambda () (read-memory bv)))))))))
 bad)

(test-equal "two-objects: a second port read gives the second datum" '(1 2)
  (let ((port (open-bytevector-input-port
               (hex->bytevector (cadr (assoc "two-objects" bad))))))
    (let* ((a (fasl-read port)) (b (fasl-read port)))
      (list a b))))

(test-group "record instance whose type is an immediate (fuzzer finding)"
  ;; #f once matched the reader's cache of the last record type checked,
  ;; so "{ 1 F I0" skipped the check and crashed.
  (for-each
   (lambda (type)
     (test-equal (string-append "{ with " type) 'fasl-read-error
       (outcome 'fasl-decode
                (lambda ()
                  (fasl-decode (hex->bytevector
                                (string-append "2340494B30327B0100000000000000"
                                               type "490000000000000000")))))))
   '("46" "54" "4E" "45" "55")))

(test-group "error offsets"
  (define (offset hex)
    (let ((e (catch-condition (lambda () (fasl-decode (hex->bytevector hex))))))
      (and (fasl-read-error? e) (fasl-read-error-offset e))))
  (test-equal "wrong magic at byte 5" 5 (offset "2340494B3033490800000000000000"))
  (test-equal "unknown tag at byte 6" 6 (offset "2340494B30325A"))
  (test-equal "truncated fixnum at byte 7" 7 (offset "2340494B3032490800"))
  (test-equal "bad code point in a string at its char" 15
    (offset "2340494B303253010000000000000000D80000"))
  ;; Lists of fixnums take a fast path in the reader; its faults must be
  ;; reported as the general path reports them.  (l 3: cars I 0, I 1,
  ;; then a word with tag bits at byte 26, or a truncated one.)
  (test-equal "bad fixnum word as the third car of a list at byte 26" 26
    (offset (string-append "2340494B30326C02" "490000000000000000"
                           "490800000000000000" "490900000000000000" "4E")))
  (test-equal "truncated fixnum as the third car at byte 27" 27
    (offset (string-append "2340494B30326C02" "490000000000000000"
                           "490800000000000000" "4910000000")))
  (test-equal "missing tail after three fixnum cars at byte 35" 35
    (offset (string-append "2340494B30326C02" "490000000000000000"
                           "490800000000000000" "491000000000000000")))
  (test-equal "a well-formed list of fixnums with an improper tail"
    '(0 1 2 . 3)
    (fasl-decode (hex->bytevector
                  (string-append "2340494B30326C02" "490000000000000000"
                                 "490800000000000000" "491000000000000000"
                                 "491800000000000000")))))

;;; ----------------------------------------------------------------- nesting

(define (nested-list depth)
  (let loop ((i 0) (x '()))
    (if (= i depth) x (loop (+ i 1) (list x)))))

(define (nested-vector depth)
  (let loop ((i 0) (x 0))
    (if (= i depth) x (loop (+ i 1) (vector x)))))

(define (depth-of x)
  (let loop ((x x) (d 0))
    (cond ((pair? x) (loop (car x) (+ d 1)))
          ((vector? x) (loop (vector-ref x 0) (+ d 1)))
          (else d))))

(test-equal "10^5 nested lists: write then read" 100000
  (depth-of (fasl-decode (fasl-encode (nested-list 100000)))))
(test-equal "10^5 nested vectors: write then read" 100000
  (depth-of (fasl-decode (fasl-encode (nested-vector 100000)))))
(test-equal "10^5 nested vectors through a port" 100000
  (depth-of (fasl-read (open-bytevector-input-port
                        (fasl-encode (nested-vector 100000))))))

(test-group "nesting beyond the limit"
  ;; 10^6+1 P tags in car position, then I0 and N for each.
  (let* ((n 1000001)
         (bv (make-bytevector (+ 6 n 9 n) 0)))
    (bytevector-copy! (string->utf8 "#@IK02") 0 bv 0 6)
    (do ((i 0 (+ i 1))) ((= i n))
      (bytevector-u8-set! bv (+ 6 i) (char->integer #\P)))
    (bytevector-u8-set! bv (+ 6 n) (char->integer #\I))
    (do ((i 0 (+ i 1))) ((= i n))
      (bytevector-u8-set! bv (+ 6 n 9 i) (char->integer #\N)))
    (test-equal "decode refuses" 'fasl-read-error
      (outcome 'fasl-decode (lambda () (fasl-decode bv))))
    (test-equal "port refuses" 'fasl-read-error
      (outcome 'fasl-read (lambda () (fasl-read (open-bytevector-input-port bv)))))
    (test-equal "one level less is fine" 1000000
      (let ((bv2 (make-bytevector (+ 6 (- n 1) 9 (- n 1)) 0)))
        (bytevector-copy! bv 0 bv2 0 (+ 6 (- n 1)))
        (bytevector-u8-set! bv2 (+ 6 (- n 1)) (char->integer #\I))
        (do ((i 0 (+ i 1))) ((= i (- n 1)))
          (bytevector-u8-set! bv2 (+ 6 (- n 1) 9 i) (char->integer #\N)))
        (depth-of (fasl-decode bv2))))))

(test-equal "a 10^6-long chain of shared pairs reads without nesting" 1000000
  ;; Every pair is also in a vector, so each is written as P, not l/L.
  (let* ((l (iota 1000000))
         (v (list->vector (pair-fold cons '() l)))
         (x (fasl-decode (fasl-encode (cons l v)))))
    (length (car x))))

(test-end "fasl-hostile")
