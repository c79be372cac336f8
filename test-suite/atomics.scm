;;; atomics.scm -- tests of (vicare-compat atomics) in one process; the
;;; two-process counters are in shared-memory.scm.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

(use-modules (test-suite harness)
             (vicare-compat)
             (system foreign)
             (rnrs bytevectors)
             ((rnrs conditions) #:select (assertion-violation?)))

(test-begin "atomics")

;; 64 bytes aligned on 8 (a bytevector's contents are).
(define bv (make-bytevector 64 0))
(define mem (bytevector->pointer bv))

(test-group "load and store"
  (pointer-atomic-set-c-sint32! mem 0 -5)
  (test-equal "sint32" -5 (pointer-atomic-ref-c-sint32 mem 0))
  (test-equal "the same bytes as uint32" (- (expt 2 32) 5)
    (pointer-atomic-ref-c-uint32 mem 0))
  (pointer-atomic-set-c-uint64! mem 8 (- (expt 2 64) 1))
  (test-equal "uint64 maximum" (- (expt 2 64) 1) (pointer-atomic-ref-c-uint64 mem 8))
  (test-equal "as sint64: -1" -1 (pointer-atomic-ref-c-sint64 mem 8))
  (pointer-atomic-set-c-sint64! mem 16 (- (expt 2 63)))
  (test-equal "sint64 minimum" (- (expt 2 63)) (pointer-atomic-ref-c-sint64 mem 16))
  (test-equal "native byte order" (- (expt 2 63))
    (bytevector-s64-native-ref bv 16))
  (test-equal "setters return no values" 0
    (call-with-values (lambda () (pointer-atomic-set-c-uint32! mem 24 1))
      (lambda vals (length vals)))))

(test-group "fetch-add"
  (pointer-atomic-set-c-sint32! mem 0 10)
  (test-equal "returns the previous value" 10
    (pointer-atomic-fetch-add-c-sint32! mem 0 5))
  (test-equal "and adds" 15 (pointer-atomic-ref-c-sint32 mem 0))
  (pointer-atomic-set-c-sint32! mem 0 (- (expt 2 31) 1))
  (pointer-atomic-fetch-add-c-sint32! mem 0 1)
  (test-equal "sint32 wraps" (- (expt 2 31)) (pointer-atomic-ref-c-sint32 mem 0))
  (pointer-atomic-set-c-uint32! mem 0 0)
  (pointer-atomic-fetch-add-c-uint32! mem 0 -1)
  (test-equal "uint32 accepts a negative delta and wraps" (- (expt 2 32) 1)
    (pointer-atomic-ref-c-uint32 mem 0))
  (pointer-atomic-set-c-uint64! mem 8 5)
  (pointer-atomic-fetch-add-c-uint64! mem 8 -2)
  (test-equal "uint64 decrement" 3 (pointer-atomic-ref-c-uint64 mem 8))
  (pointer-atomic-set-c-sint64! mem 8 0)
  (test-equal "sint64" '(0 -7)
    (list (pointer-atomic-fetch-add-c-sint64! mem 8 -7)
          (pointer-atomic-ref-c-sint64 mem 8))))

(test-group "compare-and-swap"
  (pointer-atomic-set-c-uint32! mem 0 1)
  (test-equal "swaps when equal" '(#t 2)
    (list (pointer-atomic-compare-and-swap-c-uint32! mem 0 1 2)
          (pointer-atomic-ref-c-uint32 mem 0)))
  (test-equal "leaves it when not" '(#f 2)
    (list (pointer-atomic-compare-and-swap-c-uint32! mem 0 1 3)
          (pointer-atomic-ref-c-uint32 mem 0)))
  (pointer-atomic-set-c-sint64! mem 8 -1)
  (test-equal "sint64" '(#t 9)
    (list (pointer-atomic-compare-and-swap-c-sint64! mem 8 -1 9)
          (pointer-atomic-ref-c-sint64 mem 8)))
  (test-equal "uint64 big values" '(#t #f)
    (begin
      (pointer-atomic-set-c-uint64! mem 8 (expt 2 63))
      (list (pointer-atomic-compare-and-swap-c-uint64! mem 8 (expt 2 63) 1)
            (pointer-atomic-compare-and-swap-c-sint32! mem 0 7 8)))))

(test-group "bad arguments"
  (test-raises "misaligned sint32" procedure-arguments-consistency-violation?
    'pointer-atomic-ref-c-sint32 (list mem 2) (pointer-atomic-ref-c-sint32 mem 2))
  (test-raises "misaligned uint64 (offset 4)" procedure-arguments-consistency-violation?
    'pointer-atomic-fetch-add-c-uint64! (list mem 4)
    (pointer-atomic-fetch-add-c-uint64! mem 4 1))
  (test-assert "misalignment is assertion-class"
    (assertion-violation?
     (catch-condition (lambda () (pointer-atomic-set-c-sint64! mem 12 0)))))
  (test-argument "NULL pointer" 'pointer-atomic-ref-c-uint32 1
    'non-null-pointer? %null-pointer
    (pointer-atomic-ref-c-uint32 %null-pointer 0))
  (test-raises "an address that wraps to NULL"
    procedure-arguments-consistency-violation?
    'pointer-atomic-set-c-uint64! (list (make-pointer 8) -8)
    (pointer-atomic-set-c-uint64! (make-pointer 8) -8 1))
  (test-raises "not a pointer" procedure-signature-argument-violation?
    'pointer-atomic-ref-c-sint64 '(#f) (pointer-atomic-ref-c-sint64 #f 0))
  (test-raises "offset not an integer" procedure-signature-argument-violation?
    'pointer-atomic-ref-c-sint32 '(0.0) (pointer-atomic-ref-c-sint32 mem 0.0))
  (test-raises "sint32 value out of range" procedure-signature-argument-violation?
    'pointer-atomic-set-c-sint32! (list (expt 2 31))
    (pointer-atomic-set-c-sint32! mem 0 (expt 2 31)))
  (test-raises "uint32 value negative" procedure-signature-argument-violation?
    'pointer-atomic-set-c-uint32! '(-1) (pointer-atomic-set-c-uint32! mem 0 -1))
  (test-raises "uint64 value too big" procedure-signature-argument-violation?
    'pointer-atomic-compare-and-swap-c-uint64! (list (expt 2 64))
    (pointer-atomic-compare-and-swap-c-uint64! mem 8 0 (expt 2 64)))
  (test-raises "flonum value" procedure-signature-argument-violation?
    'pointer-atomic-set-c-sint64! '(1.0) (pointer-atomic-set-c-sint64! mem 8 1.0))
  (test-raises "uint32 delta below -2^31" procedure-signature-argument-violation?
    'pointer-atomic-fetch-add-c-uint32! (list (- -1 (expt 2 31)))
    (pointer-atomic-fetch-add-c-uint32! mem 0 (- -1 (expt 2 31))))
  (test-equal "nothing stored after a bad value" 2
    (begin
      (pointer-atomic-set-c-uint32! mem 0 2)
      (catch-condition (lambda () (pointer-atomic-set-c-uint32! mem 0 (expt 2 32))))
      (pointer-atomic-ref-c-uint32 mem 0))))

(test-end "atomics")
