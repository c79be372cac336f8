;;; (vicare-compat platform words) -- Vicare's (vicare platform words).
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Commentary:
;;;
;;; The sizes of the C types that (vicare-compat platform constants) does
;;; not have (they come from the C headers at build time, through the
;;; generated module (vicare-compat platform word-sizes)), the machine's
;;; endianness, and the integer range predicates that Vicare's setters use.
;;; A range predicate accepts only exact integers: flonums are rejected
;;; even when integral.  The C-type predicates are chosen by the size of
;;; the C type on this machine, as in Vicare.  The limits are procedures
;;; of no argument, as Vicare's are called: (greatest-u8) is 255, and the
;;; starred forms are one past each end, (greatest-u8*) 256 and (least-u8*)
;;; -1.  The limits of C types come from the C headers, through the
;;; constants modules.
;;;
;;; Code:

(define-module (vicare-compat platform words)
  #:use-module (vicare-compat platform word-sizes)
  #:use-module ((vicare-compat platform constants)
                #:select (SIZEOF_CHAR SIZEOF_SHORT SIZEOF_INT SIZEOF_LONG
                          SIZEOF_LONG_LONG SIZEOF_SIZE_T SIZEOF_SSIZE_T
                          SIZEOF_OFF_T
                          UCHAR_MAX CHAR_MAX CHAR_MIN USHRT_MAX SHRT_MAX
                          SHRT_MIN UINT_MAX INT_MAX INT_MIN ULONG_MAX
                          LONG_MAX LONG_MIN ULONG_LONG_MAX LONG_LONG_MAX
                          LONG_LONG_MIN SIZE_T_MAX SSIZE_T_MAX SSIZE_T_MIN
                          OFF_T_MAX OFF_T_MIN))
  #:use-module ((rnrs bytevectors) #:select (native-endianness))
  #:use-module ((vicare-compat conditions)
                #:select (procedure-signature-argument-violation))
  #:re-export (SIZEOF_POINTER SIZEOF_FLOAT SIZEOF_DOUBLE
               SIZEOF_DOUBLE_COMPLEX SIZEOF_PTRDIFF_T
               SIZEOF_CHAR SIZEOF_SHORT SIZEOF_INT SIZEOF_LONG
               SIZEOF_LONG_LONG SIZEOF_SIZE_T SIZEOF_SSIZE_T SIZEOF_OFF_T)
  #:export (platform-endianness
            case-endianness case-word-size big little
            word?
            word-u8? word-s8? word-u16? word-s16?
            word-u32? word-s32? word-u64? word-s64?
            word-u128? word-s128? word-u256? word-s256?
            machine-word?
            unsigned-char? signed-char? unsigned-short? signed-short?
            unsigned-int? signed-int? unsigned-long? signed-long?
            unsigned-long-long? signed-long-long? pointer-integer?
            size_t? ssize_t? off_t? ptrdiff_t?
            ;; sign predicates
            positive-word-s8? negative-word-s8?
            non-positive-word-s8? non-negative-word-s8?
            positive-word-s16? negative-word-s16?
            non-positive-word-s16? non-negative-word-s16?
            positive-word-s32? negative-word-s32?
            non-positive-word-s32? non-negative-word-s32?
            positive-word-s64? negative-word-s64?
            non-positive-word-s64? non-negative-word-s64?
            positive-word-s128? negative-word-s128?
            non-positive-word-s128? non-negative-word-s128?
            positive-word-s256? negative-word-s256?
            non-positive-word-s256? non-negative-word-s256?
            positive-signed-char? negative-signed-char?
            non-positive-signed-char? non-negative-signed-char?
            positive-signed-int? negative-signed-int?
            non-positive-signed-int? non-negative-signed-int?
            positive-signed-long? negative-signed-long?
            non-positive-signed-long? non-negative-signed-long?
            positive-signed-long-long? negative-signed-long-long?
            non-positive-signed-long-long? non-negative-signed-long-long?
            positive-ssize_t? negative-ssize_t?
            non-positive-ssize_t? non-negative-ssize_t?
            positive-off_t? negative-off_t?
            non-positive-off_t? non-negative-off_t?
            positive-ptrdiff_t? negative-ptrdiff_t?
            non-positive-ptrdiff_t? non-negative-ptrdiff_t?
            ;; inclusive limits
            greatest-u8 least-u8 greatest-s8 least-s8
            greatest-u16 least-u16 greatest-s16 least-s16
            greatest-u32 least-u32 greatest-s32 least-s32
            greatest-u64 least-u64 greatest-s64 least-s64
            greatest-u128 least-u128 greatest-s128 least-s128
            greatest-u256 least-u256 greatest-s256 least-s256
            greatest-machine-word least-machine-word
            greatest-c-unsigned-char least-c-unsigned-char
            greatest-c-signed-char least-c-signed-char
            greatest-c-unsigned-short least-c-unsigned-short
            greatest-c-signed-short least-c-signed-short
            greatest-c-unsigned-int least-c-unsigned-int
            greatest-c-signed-int least-c-signed-int
            greatest-c-unsigned-long least-c-unsigned-long
            greatest-c-signed-long least-c-signed-long
            greatest-c-unsigned-long-long least-c-unsigned-long-long
            greatest-c-signed-long-long least-c-signed-long-long
            greatest-c-pointer least-c-pointer
            greatest-c-size_t least-c-size_t
            greatest-c-ssize_t least-c-ssize_t
            greatest-c-off_t least-c-off_t
            greatest-c-ptrdiff_t least-c-ptrdiff_t
            ;; exclusive limits
            greatest-u8* least-u8* greatest-s8* least-s8*
            greatest-u16* least-u16* greatest-s16* least-s16*
            greatest-u32* least-u32* greatest-s32* least-s32*
            greatest-u64* least-u64* greatest-s64* least-s64*
            greatest-u128* least-u128* greatest-s128* least-s128*
            greatest-u256* least-u256* greatest-s256* least-s256*
            greatest-machine-word* least-machine-word*
            greatest-c-unsigned-char* least-c-unsigned-char*
            greatest-c-signed-char* least-c-signed-char*
            greatest-c-unsigned-short* least-c-unsigned-short*
            greatest-c-signed-short* least-c-signed-short*
            greatest-c-unsigned-int* least-c-unsigned-int*
            greatest-c-signed-int* least-c-signed-int*
            greatest-c-unsigned-long* least-c-unsigned-long*
            greatest-c-signed-long* least-c-signed-long*
            greatest-c-unsigned-long-long* least-c-unsigned-long-long*
            greatest-c-signed-long-long* least-c-signed-long-long*
            greatest-c-pointer* least-c-pointer*
            greatest-c-size_t* least-c-size_t*
            greatest-c-ssize_t* least-c-ssize_t*
            greatest-c-off_t* least-c-off_t*
            greatest-c-ptrdiff_t* least-c-ptrdiff_t*
            ;; alignment
            fixnum-aligned-to-2? fixnum-aligned-to-4? fixnum-aligned-to-8?
            fixnum-aligned-to?))

(define platform-endianness
  ;; The symbol little or big: Guile knows the byte order of its own build.
  (native-endianness))

(define-syntax big
  (lambda (stx)
    (syntax-violation 'big "auxiliary syntax of case-endianness" stx)))

(define-syntax little
  (lambda (stx)
    (syntax-violation 'little "auxiliary syntax of case-endianness" stx)))

(define-syntax case-endianness
  (lambda (stx)
    "(case-endianness ((little) e ...) ((big) e ...)): expand to the
clause of this machine's byte order.  Vicare's form (case-endianness (who
endianness) ((little) e ...) ((big) e ...)) chooses at run time by the
symbol ENDIANNESS; any other value raises &assertion with WHO."
    (define (clause-order c)
      (syntax-case c () (((o) e ...) (syntax->datum #'o))))
    (syntax-case stx ()
      ((_ (who endianness) c1 c2)
       (and (identifier? #'who) (identifier? #'endianness)
            (equal? (sort (map clause-order (list #'c1 #'c2))
                          (lambda (a b) (string<? (symbol->string a)
                                                  (symbol->string b))))
                    '(big little)))
       (with-syntax ((((o1) e1 ...) #'c1) (((o2) e2 ...) #'c2))
         #'(case endianness
             ((o1) e1 ...)
             ((o2) e2 ...)
             (else (procedure-signature-argument-violation
                   who "expected endianness symbol as argument"
                   1 '(memq endianness '(big little)) endianness)))))
      ((_ ((order) e ...) ...)
       (let loop ((clauses #'(((order) e ...) ...)))
         (syntax-case clauses ()
           (() (syntax-violation 'case-endianness
                                 "no clause for this endianness" stx))
           ((((o) e ...) . rest)
            (if (eq? (syntax->datum #'o) (native-endianness))
                #'(begin e ...)
                (loop #'rest)))))))))

(define-syntax case-word-size
  (lambda (stx)
    "(case-word-size ((32) e ...) ((64) e ...)): expand to the clause of
this machine's pointer width in bits."
    (syntax-case stx ()
      ((_ ((bits) e ...) ...)
       (let loop ((clauses #'(((bits) e ...) ...)))
         (syntax-case clauses ()
           (() (syntax-violation 'case-word-size
                                 "no clause for this word size" stx))
           ((((b) e ...) . rest)
            (if (eqv? (syntax->datum #'b) (* 8 SIZEOF_POINTER))
                #'(begin e ...)
                (loop #'rest)))))))))

(define-syntax-rule (define-range-predicates (name lo hi doc) ...)
  (begin
    (define (name obj)
      doc
      (and (exact-integer? obj) (<= lo obj hi)))
    ...))

(define-range-predicates
  (word-u8? 0 255 "Is OBJ an exact integer in [0, 2^8-1]?")
  (word-s8? -128 127 "Is OBJ an exact integer in [-2^7, 2^7-1]?")
  (word-u16? 0 65535 "Is OBJ an exact integer in [0, 2^16-1]?")
  (word-s16? -32768 32767 "Is OBJ an exact integer in [-2^15, 2^15-1]?")
  (word-u32? 0 (1- (expt 2 32))
             "Is OBJ an exact integer in [0, 2^32-1]?")
  (word-s32? (- (expt 2 31)) (1- (expt 2 31))
             "Is OBJ an exact integer in [-2^31, 2^31-1]?")
  (word-u64? 0 (1- (expt 2 64))
             "Is OBJ an exact integer in [0, 2^64-1]?")
  (word-s64? (- (expt 2 63)) (1- (expt 2 63))
             "Is OBJ an exact integer in [-2^63, 2^63-1]?")
  (word-u128? 0 (1- (expt 2 128))
              "Is OBJ an exact integer in [0, 2^128-1]?")
  (word-s128? (- (expt 2 127)) (1- (expt 2 127))
              "Is OBJ an exact integer in [-2^127, 2^127-1]?")
  (word-u256? 0 (1- (expt 2 256))
              "Is OBJ an exact integer in [0, 2^256-1]?")
  (word-s256? (- (expt 2 255)) (1- (expt 2 255))
              "Is OBJ an exact integer in [-2^255, 2^255-1]?"))

(define (word? obj)
  "Is OBJ an exact integer (a fixnum or a bignum)?"
  (exact-integer? obj))

(define (unsigned-predicate size)
  (case size
    ((1) word-u8?) ((2) word-u16?) ((4) word-u32?) ((8) word-u64?)
    (else (error "unsupported C type size" size))))

(define (signed-predicate size)
  (case size
    ((1) word-s8?) ((2) word-s16?) ((4) word-s32?) ((8) word-s64?)
    (else (error "unsupported C type size" size))))

(define-syntax-rule (define-sized-predicates (name choose size) ...)
  (begin
    (define name
      (let ((pred (choose size)))
        (lambda (obj)
          "Does OBJ fit the C type of this name (chosen by its size)?"
          (pred obj))))
    ...))

(define-sized-predicates
  (machine-word? unsigned-predicate SIZEOF_POINTER)
  (pointer-integer? unsigned-predicate SIZEOF_POINTER)
  (unsigned-char? unsigned-predicate SIZEOF_CHAR)
  (signed-char? signed-predicate SIZEOF_CHAR)
  (unsigned-short? unsigned-predicate SIZEOF_SHORT)
  (signed-short? signed-predicate SIZEOF_SHORT)
  (unsigned-int? unsigned-predicate SIZEOF_INT)
  (signed-int? signed-predicate SIZEOF_INT)
  (unsigned-long? unsigned-predicate SIZEOF_LONG)
  (signed-long? signed-predicate SIZEOF_LONG)
  (unsigned-long-long? unsigned-predicate SIZEOF_LONG_LONG)
  (signed-long-long? signed-predicate SIZEOF_LONG_LONG)
  (size_t? unsigned-predicate SIZEOF_SIZE_T)
  (ssize_t? signed-predicate SIZEOF_SSIZE_T)
  (off_t? signed-predicate SIZEOF_OFF_T)
  (ptrdiff_t? signed-predicate SIZEOF_PTRDIFF_T))

;;; ------------------------------------------------------- sign predicates

(define-syntax define-sign-predicates
  (lambda (stx)
    (define (prefixed prefix id)
      (datum->syntax id (symbol-append prefix (syntax->datum id))))
    (syntax-case stx ()
      ((_ pred ...)
       (with-syntax (((pos ...) (map (lambda (p) (prefixed 'positive- p))
                                     #'(pred ...)))
                     ((neg ...) (map (lambda (p) (prefixed 'negative- p))
                                     #'(pred ...)))
                     ((npos ...) (map (lambda (p) (prefixed 'non-positive- p))
                                      #'(pred ...)))
                     ((nneg ...) (map (lambda (p) (prefixed 'non-negative- p))
                                      #'(pred ...))))
         #'(begin
             (define (pos obj)
               "Does OBJ pass the range predicate and is it > 0?"
               (and (pred obj) (positive? obj)))
             ...
             (define (neg obj)
               "Does OBJ pass the range predicate and is it < 0?"
               (and (pred obj) (negative? obj)))
             ...
             (define (npos obj)
               "Does OBJ pass the range predicate and is it <= 0?"
               (and (pred obj) (<= obj 0)))
             ...
             (define (nneg obj)
               "Does OBJ pass the range predicate and is it >= 0?"
               (and (pred obj) (>= obj 0)))
             ...))))))

(define-sign-predicates
  word-s8? word-s16? word-s32? word-s64? word-s128? word-s256?
  signed-char? signed-int? signed-long? signed-long-long?
  ssize_t? off_t? ptrdiff_t?)

;;; ---------------------------------------------------------------- limits

;; (define-limits (greatest least greatest* least* max min) ...): the
;; inclusive limits MAX and MIN, and the exclusive ones, one past each.
(define-syntax-rule (define-limits (greatest least greatest* least* max min)
                      ...)
  (begin
    (begin
      (define (greatest) "The greatest value of this type." max)
      (define (least) "The least value of this type." min)
      (define (greatest*) "One more than the greatest value of this type."
        (+ max 1))
      (define (least*) "One less than the least value of this type."
        (- min 1)))
    ...))

(define (unsigned-max size) (- (expt 2 (* 8 size)) 1))

(define-limits
  (greatest-u8 least-u8 greatest-u8* least-u8* 255 0)
  (greatest-s8 least-s8 greatest-s8* least-s8* 127 -128)
  (greatest-u16 least-u16 greatest-u16* least-u16* 65535 0)
  (greatest-s16 least-s16 greatest-s16* least-s16* 32767 -32768)
  (greatest-u32 least-u32 greatest-u32* least-u32* (unsigned-max 4) 0)
  (greatest-s32 least-s32 greatest-s32* least-s32*
                (1- (expt 2 31)) (- (expt 2 31)))
  (greatest-u64 least-u64 greatest-u64* least-u64* (unsigned-max 8) 0)
  (greatest-s64 least-s64 greatest-s64* least-s64*
                (1- (expt 2 63)) (- (expt 2 63)))
  (greatest-u128 least-u128 greatest-u128* least-u128* (unsigned-max 16) 0)
  (greatest-s128 least-s128 greatest-s128* least-s128*
                 (1- (expt 2 127)) (- (expt 2 127)))
  (greatest-u256 least-u256 greatest-u256* least-u256* (unsigned-max 32) 0)
  (greatest-s256 least-s256 greatest-s256* least-s256*
                 (1- (expt 2 255)) (- (expt 2 255)))
  (greatest-machine-word least-machine-word
   greatest-machine-word* least-machine-word* (unsigned-max SIZEOF_POINTER) 0)
  (greatest-c-unsigned-char least-c-unsigned-char
   greatest-c-unsigned-char* least-c-unsigned-char* UCHAR_MAX 0)
  (greatest-c-signed-char least-c-signed-char
   greatest-c-signed-char* least-c-signed-char* CHAR_MAX CHAR_MIN)
  (greatest-c-unsigned-short least-c-unsigned-short
   greatest-c-unsigned-short* least-c-unsigned-short* USHRT_MAX 0)
  (greatest-c-signed-short least-c-signed-short
   greatest-c-signed-short* least-c-signed-short* SHRT_MAX SHRT_MIN)
  (greatest-c-unsigned-int least-c-unsigned-int
   greatest-c-unsigned-int* least-c-unsigned-int* UINT_MAX 0)
  (greatest-c-signed-int least-c-signed-int
   greatest-c-signed-int* least-c-signed-int* INT_MAX INT_MIN)
  (greatest-c-unsigned-long least-c-unsigned-long
   greatest-c-unsigned-long* least-c-unsigned-long* ULONG_MAX 0)
  (greatest-c-signed-long least-c-signed-long
   greatest-c-signed-long* least-c-signed-long* LONG_MAX LONG_MIN)
  (greatest-c-unsigned-long-long least-c-unsigned-long-long
   greatest-c-unsigned-long-long* least-c-unsigned-long-long*
   ULONG_LONG_MAX 0)
  (greatest-c-signed-long-long least-c-signed-long-long
   greatest-c-signed-long-long* least-c-signed-long-long*
   LONG_LONG_MAX LONG_LONG_MIN)
  (greatest-c-pointer least-c-pointer greatest-c-pointer* least-c-pointer*
   (unsigned-max SIZEOF_POINTER) 0)
  (greatest-c-size_t least-c-size_t greatest-c-size_t* least-c-size_t*
   SIZE_T_MAX 0)
  (greatest-c-ssize_t least-c-ssize_t greatest-c-ssize_t* least-c-ssize_t*
   SSIZE_T_MAX SSIZE_T_MIN)
  (greatest-c-off_t least-c-off_t greatest-c-off_t* least-c-off_t*
   OFF_T_MAX OFF_T_MIN)
  (greatest-c-ptrdiff_t least-c-ptrdiff_t
   greatest-c-ptrdiff_t* least-c-ptrdiff_t* PTRDIFF_T_MAX PTRDIFF_T_MIN))

;;; ------------------------------------------------------------- alignment

(define (fixnum*? n)
  (and (exact-integer? n) (<= most-negative-fixnum n most-positive-fixnum)))

(define (positive-fixnum? n)
  (and (fixnum*? n) (positive? n)))

(define (check-fixnum who n)
  (unless (fixnum*? n)
    (procedure-signature-argument-violation who 1 'fixnum? n)))

(define (fixnum-aligned-to? n alignment)
  "Is the fixnum N a multiple of the positive fixnum ALIGNMENT?"
  (check-fixnum 'fixnum-aligned-to? n)
  (unless (positive-fixnum? alignment)
    (procedure-signature-argument-violation 'fixnum-aligned-to? 2
                                            'positive-fixnum? alignment))
  (zero? (modulo n alignment)))

(define (fixnum-aligned-to-2? n)
  "Is the fixnum N a multiple of 2?"
  (check-fixnum 'fixnum-aligned-to-2? n)
  (zero? (logand n 1)))

(define (fixnum-aligned-to-4? n)
  "Is the fixnum N a multiple of 4?"
  (check-fixnum 'fixnum-aligned-to-4? n)
  (zero? (logand n 3)))

(define (fixnum-aligned-to-8? n)
  "Is the fixnum N a multiple of 8?"
  (check-fixnum 'fixnum-aligned-to-8? n)
  (zero? (logand n 7)))
