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
;;; the C type on this machine, as in Vicare.
;;;
;;; Code:

(define-module (vicare-compat platform words)
  #:use-module (vicare-compat platform word-sizes)
  #:use-module ((vicare-compat platform constants)
                #:select (SIZEOF_CHAR SIZEOF_SHORT SIZEOF_INT SIZEOF_LONG
                          SIZEOF_LONG_LONG SIZEOF_SIZE_T SIZEOF_SSIZE_T
                          SIZEOF_OFF_T))
  #:use-module ((rnrs bytevectors) #:select (native-endianness))
  #:re-export (SIZEOF_POINTER SIZEOF_FLOAT SIZEOF_DOUBLE
               SIZEOF_DOUBLE_COMPLEX SIZEOF_PTRDIFF_T)
  #:export (platform-endianness
            case-endianness case-word-size
            word-u8? word-s8? word-u16? word-s16?
            word-u32? word-s32? word-u64? word-s64?
            machine-word?
            unsigned-char? signed-char? unsigned-short? signed-short?
            unsigned-int? signed-int? unsigned-long? signed-long?
            unsigned-long-long? signed-long-long?
            size_t? ssize_t? off_t? ptrdiff_t?))

(define platform-endianness
  ;; The symbol little or big: Guile knows the byte order of its own build.
  (native-endianness))

(define-syntax case-endianness
  (lambda (stx)
    "(case-endianness ((little) e ...) ((big) e ...)): expand to the
clause of this machine's byte order."
    (syntax-case stx ()
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
             "Is OBJ an exact integer in [-2^63, 2^63-1]?"))

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
