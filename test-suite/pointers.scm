;;; pointers.scm -- tests of (vicare-compat pointers).
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

(use-modules (test-suite harness)
             (vicare-compat)
             (system foreign)
             (rnrs bytevectors)
             ((rnrs conditions) #:select (assertion-violation?)))

(test-begin "pointers")

(define buf (make-bytevector 64 0))
(define p (bytevector->pointer buf))

(test-group "signed-int"
  (test-equal "set returns no values" '()
    (call-with-values (lambda () (pointer-set-c-signed-int! p 0 234)) list))
  (test-equal "ref after set" 234 (pointer-ref-c-signed-int p 0))
  (test-equal "native layout" 234 (bytevector-s32-native-ref buf 0))
  (test-equal "greatest" (- (expt 2 31) 1)
    (begin (pointer-set-c-signed-int! p 4 (- (expt 2 31) 1))
           (pointer-ref-c-signed-int p 4)))
  (test-equal "least" (- (expt 2 31))
    (begin (pointer-set-c-signed-int! p 4 (- (expt 2 31)))
           (pointer-ref-c-signed-int p 4)))
  (test-equal "unaligned offset 3" -123
    (begin (pointer-set-c-signed-int! p 3 -123)
           (pointer-ref-c-signed-int p 3)))
  (test-equal "negative offset" 77
    (begin (pointer-set-c-signed-int! (make-pointer (+ 16 (pointer-address p))) -8 77)
           (pointer-ref-c-signed-int p 8))))

(test-group "signed-int errors"
  (pointer-set-c-signed-int! p 0 5)
  (test-raises "greatest+1" procedure-signature-argument-violation?
    'pointer-set-c-signed-int! (list (expt 2 31))
    (pointer-set-c-signed-int! p 0 (expt 2 31)))
  (test-raises "least-1" procedure-signature-argument-violation?
    'pointer-set-c-signed-int! (list (- -1 (expt 2 31)))
    (pointer-set-c-signed-int! p 0 (- -1 (expt 2 31))))
  (test-equal "nothing stored on error" 5 (pointer-ref-c-signed-int p 0))
  (test-raises "flonum value" assertion-violation?
    'pointer-set-c-signed-int! '(1.0)
    (pointer-set-c-signed-int! p 0 1.0))
  (test-raises "not a pointer" procedure-signature-argument-violation?
    'pointer-ref-c-signed-int '(#(1))
    (pointer-ref-c-signed-int #(1) 0))
  (test-raises "bytevector is not memory" assertion-violation?
    'pointer-set-c-signed-int! (list buf)
    (pointer-set-c-signed-int! buf 0 1))
  (test-raises "offset not an integer" assertion-violation?
    'pointer-ref-c-signed-int '(a)
    (pointer-ref-c-signed-int p 'a))
  (test-raises "offset out of ptrdiff_t range" assertion-violation?
    'pointer-ref-c-signed-int (list (expt 2 63))
    (pointer-ref-c-signed-int p (expt 2 63)))
  (test-raises "NULL pointer ref" assertion-violation?
    'pointer-ref-c-signed-int (list %null-pointer 0)
    (pointer-ref-c-signed-int %null-pointer 0))
  (test-raises "NULL pointer set" assertion-violation?
    'pointer-set-c-signed-int! (list %null-pointer 8)
    (pointer-set-c-signed-int! %null-pointer 8 1)))

(test-end "pointers")
