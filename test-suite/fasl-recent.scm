;;; fasl-recent.scm -- the record types and symbols the FASL codec has met
;;; lately.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Commentary:
;;;
;;; The codec remembers the record types it read and wrote lately
;;; (src/fasl-recent.c): a type read again from the same bytes is not
;;; made again, a type written again is not taken apart again.  These
;;; tests count the calls the C side makes to the Scheme procedures of
;;; (vicare-compat fasl-support) that do that work, and check that
;;; reading through the cache ends exactly as reading without it: the
;;; same types, the same marks, the same errors at the same offsets.
;;; It remembers the symbols it read lately too: they must be the
;;; interned symbols of their names.
;;;
;;; Code:

(use-modules (test-suite harness)
             (test-suite fasl-util)
             (vicare-compat fasl)
             ((vicare-compat conditions)
              #:select (fasl-read-error? fasl-read-error-offset))
             (rnrs bytevectors)
             ((rnrs io ports) #:select (open-bytevector-input-port))
             ((rnrs records procedural)
              #:select (make-record-type-descriptor record-accessor))
             ((rnrs records syntactic)
              #:select ((define-record-type . define-r6rs-record-type))))

(test-begin "fasl-recent")

;; The Scheme procedures the C codec calls, in the vector it holds: a
;; test may wrap one to count its calls.
(define support (@ (vicare-compat fasl-support) fasl-support))
(define rtd-info-index 2)
(define make-rtd-index 6)

(define (fresh-input uid)
  "FASL bytes of a record (field 42) of a new type of uid UID, which
nothing holds."
  (fasl-encode ((record-constructor
                 (make-record-type-descriptor 'vc-test-fresh #f uid #f #f
                                              '#((mutable a))))
                42)))

(define (calls index thunk)
  "Call THUNK; return how many times it called the support procedure
INDEX."
  (let ((proc (vector-ref support index)) (n 0))
    (dynamic-wind
      (lambda ()
        (vector-set! support index
                     (lambda args (set! n (+ n 1)) (apply proc args))))
      thunk
      (lambda () (vector-set! support index proc)))
    n))

(define (bytevector-replace bv from to)
  "A copy of BV with the first occurrence of the bytevector FROM, which
is there, replaced by TO, of the same length."
  (let ((copy (bytevector-copy bv)))
    (bytevector-copy! to 0 copy (bytevector-search bv from)
                      (bytevector-length to))
    copy))

(define (error-offset bv)
  "The offset of the read error of BV, or 'none."
  (let ((e (catch-condition (lambda () (fasl-decode bv)))))
    (if (fasl-read-error? e) (fasl-read-error-offset e) 'none)))

(test-group "record types read lately"
  (let ((input (fresh-input 'vc-test-types-uid-1)))
    (test-equal "the same bytes again: the type is made once" 1
      (calls make-rtd-index
             (lambda () (do ((i 0 (+ i 1))) ((= i 3)) (fasl-decode input)))))
    (test-eq "and is the same type"
      (struct-vtable (fasl-decode input)) (struct-vtable (fasl-decode input)))
    (test-equal "with the field" 42
      ((record-accessor (struct-vtable (fasl-decode input)) 0)
       (fasl-decode input)))
    (let ((other (bytevector-replace input (string->utf8 "vc-test-fresh")
                                     (string->utf8 "vc-test-frash"))))
      (test-raises-who "another name under its uid is still refused"
        fasl-read-error? 'fasl-decode (fasl-decode other)))
    (test-equal "the cached type reads through a port"
      42 (let ((r (fasl-read (open-bytevector-input-port input))))
           ((record-accessor (struct-vtable r) 0) r))))

  (let* ((input (fresh-input 'vc-test-types-uid-2))
         (w (bytevector-search input (string->utf8 "vc-test-fresh")))
         (truncations (iota (- (bytevector-length input) w) w)))
    (define (offsets)
      (map (lambda (n)
             (let ((head (make-bytevector n)))
               (bytevector-copy! input 0 head 0 n)
               (error-offset head)))
           truncations))
    (let ((before (offsets)))
      (fasl-decode input)
      (test-equal "input cut inside a cached type: the same errors"
        before (offsets))))

  (define-r6rs-record-type vc-test-parent (fields p)
    (nongenerative vc-test-parent-uid))
  (define-r6rs-record-type vc-test-child (parent vc-test-parent) (fields c)
    (nongenerative vc-test-child-uid))
  (let* ((x (make-vc-test-child 1 2))
         (input (fasl-encode (list x (make-vc-test-child 3 4) x))))
    (fasl-decode input)
    (test-equal "a type under a mark, with its parent, again: not made" 0
      (calls make-rtd-index (lambda () (fasl-decode input))))
    (let ((l (fasl-decode input)))
      (test-assert "its records are of the type"
        (and (vc-test-child? (car l)) (vc-test-child? (cadr l))))
      (test-equal "the marks around it are right" '(1 2 3 4 #t)
        (list (vc-test-parent-p (car l)) (vc-test-child-c (car l))
              (vc-test-parent-p (cadr l)) (vc-test-child-c (cadr l))
              (eq? (car l) (caddr l))))))

  ;; Types whose names and uids differ only after their first 30
  ;; characters, read in turn.
  (define-r6rs-record-type vc-test-application-message-request (fields a)
    (nongenerative vc-test-application-message-request-uid))
  (define-r6rs-record-type vc-test-application-message-reply (fields a)
    (nongenerative vc-test-application-message-reply-uid))
  (let ((request (fasl-encode (make-vc-test-application-message-request 1)))
        (reply (fasl-encode (make-vc-test-application-message-reply 2))))
    (fasl-decode request)
    (fasl-decode reply)
    (test-equal "types with a long common prefix, in turn: not made" 0
      (calls make-rtd-index
             (lambda ()
               (do ((i 0 (+ i 1))) ((= i 3))
                 (fasl-decode request)
                 (fasl-decode reply))))))

  ;; The type's name is also a field value: the writer marks the symbol
  ;; inside the type, whose reading then depends on the marks.
  (define-r6rs-record-type vc-test-named (fields tag)
    (nongenerative vc-test-named-uid))
  (let ((input (fasl-encode (make-vc-test-named 'vc-test-named))))
    (test-equal "a type holding a mark is made each time" 2
      (calls make-rtd-index
             (lambda () (fasl-decode input) (fasl-decode input))))
    (test-eq "and reads right" 'vc-test-named
      (vc-test-named-tag (fasl-decode input)))))

(define-r6rs-record-type vc-test-written (fields a b)
  (nongenerative vc-test-written-uid))

(test-group "record types written lately"
  (let ((x (make-vc-test-written 1 "two")))
    (fasl-encode x)
    (test-equal "taken apart once" 0
      (calls rtd-info-index (lambda () (fasl-encode x) (fasl-encode x))))
    (test-equal "the same bytes" (fasl-encode x)
      (fasl-encode (make-vc-test-written 1 "two")))
    (test-equal "read back" '(1 "two")
      (let ((y (fasl-decode (fasl-encode x))))
        (list (vc-test-written-a y) (vc-test-written-b y))))))

(test-group "symbols read lately"
  (define (name k c) (make-string k c))
  (for-each
   (lambda (k)
     (let* ((s (string->symbol (name k #\x)))
            (input (fasl-encode (list s s 'other s))))
       (fasl-decode input)
       (test-assert (format #f "a name of ~a characters, again: the same symbol" k)
         (let ((l (fasl-decode input)))
           (and (eq? (car l) s) (eq? (cadddr l) s) (eq? (caddr l) 'other))))))
   '(0 1 7 8 9 63 64 65 200))
  (let ((latin (string->symbol "caf\xe9")))
    (fasl-decode (fasl-encode latin))
    (test-eq "a Latin-1 name, again" latin (fasl-decode (fasl-encode latin))))
  (test-assert "names differing in their last character, in turn"
    (let ((a (fasl-encode 'vc-test-symbol-name-a))
          (b (fasl-encode 'vc-test-symbol-name-b)))
      (let loop ((i 0))
        (or (= i 3)
            (and (eq? (fasl-decode a) 'vc-test-symbol-name-a)
                 (eq? (fasl-decode b) 'vc-test-symbol-name-b)
                 (loop (+ i 1)))))))
  (test-assert "a symbol read is the one string->symbol gives"
    (let ((x (fasl-decode (fasl-encode (string->symbol "vc-test-fresh-name")))))
      (eq? x (string->symbol (string-copy "vc-test-fresh-name"))))))

(test-end "fasl-recent")
