;;; (vicare-compat pointers) -- Vicare's pointer operations.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Commentary:
;;;
;;; Pointers are Guile's own <pointer> objects from (system foreign), so
;;; they work with Guile's FFI and Guile's pointers work here; `pointer?'
;;; is Guile's own binding.  Peek and poke (the 104 pointer-ref-c-*,
;;; pointer-set-c-*!, array-ref-c-* and array-set-c-*! of src/pointer.c)
;;; are C primitives re-exported as they are: no Scheme wrapper adds a
;;; call in between.  The rest is Scheme over `pointer-address' and
;;; `make-pointer'.
;;;
;;; Code:

(define-module (vicare-compat pointers)
  #:use-module ((vicare-compat primitives) #:prefix %)
  #:use-module ((system foreign)
                #:select (pointer? pointer-address sizeof))
  #:use-module ((vicare-compat conditions)
                #:select (procedure-signature-argument-violation
                          procedure-arguments-consistency-violation))
  #:use-module ((srfi srfi-1) #:select (every append-map))
  #:export (null-pointer
            pointer-clone
            false-or-pointer?
            pointer-null?
            pointer-non-null?
            list-of-pointers?
            pointer-and-offset?
            pointer->integer
            integer->pointer
            pointer-diff
            pointer-add
            pointer=? pointer!=? pointer<? pointer>? pointer<=? pointer>=?
            pointer-max
            pointer-min
            pointer-hash)
  #:re-export (pointer?
               (%set-pointer-null! . set-pointer-null!)))

;;; --------------------------------------------------------------- helpers

;; (check who position predicate-name predicate value): raise Vicare's
;; signature violation unless (predicate value).
(define-syntax-rule (check who position name pred value)
  (unless (pred value)
    (procedure-signature-argument-violation 'who position 'name value)))

;; Fresh objects: Guile's make-pointer returns its shared %null-pointer
;; for address 0.
(define make-pointer %%vc-make-pointer)

(define greatest-address (- (expt 2 (* 8 (sizeof '*))) 1))
(define greatest-ptrdiff (- (expt 2 (- (* 8 (sizeof '*)) 1)) 1))
(define least-ptrdiff (- -1 greatest-ptrdiff))

(define (machine-word? n)
  (and (exact-integer? n) (<= 0 n greatest-address)))

(define (ptrdiff? n)
  (and (exact-integer? n) (<= least-ptrdiff n greatest-ptrdiff)))

;;; ------------------------------------------------------------ core

(define (null-pointer)
  "Return a fresh pointer to address 0."
  (make-pointer 0))

(define (pointer-clone ptr)
  "Return a fresh pointer with the address of PTR."
  (check pointer-clone 1 pointer? pointer? ptr)
  (make-pointer (pointer-address ptr)))

(define (false-or-pointer? obj)
  "Return #t if OBJ is #f or a pointer."
  (or (not obj) (pointer? obj)))

(define (pointer-null? obj)
  "Return #t if OBJ is a pointer to address 0."
  (and (pointer? obj) (zero? (pointer-address obj))))

(define (pointer-non-null? obj)
  "Return #t if OBJ is a pointer to an address other than 0."
  (and (pointer? obj) (not (zero? (pointer-address obj)))))

(define (list-of-pointers? obj)
  "Return #t if OBJ is a proper list, possibly empty, of
pointers."
  (and (list? obj) (every pointer? obj)))

(define (pointer-and-offset? ptr delta)
  "Return #t if the address of PTR plus the exact integer
DELTA is a valid address, in [0, 2^64-1]."
  (check pointer-and-offset? 1 pointer? pointer? ptr)
  (check pointer-and-offset? 2 exact-integer? exact-integer? delta)
  (<= 0 (+ (pointer-address ptr) delta) greatest-address))

(define (pointer->integer ptr)
  "Return the address of PTR, an exact non-negative integer."
  (check pointer->integer 1 pointer? pointer? ptr)
  (pointer-address ptr))

(define (integer->pointer n)
  "Return a fresh pointer to address N, an exact integer in
[0, 2^64-1]."
  (check integer->pointer 1 machine-word? machine-word? n)
  (make-pointer n))

(define (pointer-diff p1 p2)
  "Return the address of P1 minus the address of P2, an
exact integer."
  (check pointer-diff 1 pointer? pointer? p1)
  (check pointer-diff 2 pointer? pointer? p2)
  (- (pointer-address p1) (pointer-address p2)))

(define (pointer-add ptr delta)
  "Return a fresh pointer to the address of PTR plus DELTA, a
'ptrdiff_t' value.  A result outside [0, 2^64-1] raises
'&procedure-arguments-consistency-violation'."
  (check pointer-add 1 pointer? pointer? ptr)
  (check pointer-add 2 ptrdiff_t? ptrdiff? delta)
  (let ((address (+ (pointer-address ptr) delta)))
    (unless (<= 0 address greatest-address)
      (procedure-arguments-consistency-violation
       'pointer-add
       (if (negative? delta) "pointer underflow" "pointer overflow")
       ptr delta))
    (make-pointer address)))

;;; ------------------------------------------------------------ comparison

;; The addresses of the arguments of WHO, each checked to be a pointer.
(define (addresses who ptrs)
  (let loop ((ptrs ptrs) (position 1) (acc '()))
    (if (null? ptrs)
        (reverse! acc)
        (let ((p (car ptrs)))
          (unless (pointer? p)
            (procedure-signature-argument-violation who position 'pointer? p))
          (loop (cdr ptrs) (+ position 1) (cons (pointer-address p) acc))))))

(define-syntax-rule (define-chained name compare doc)
  (define (name p0 . ps)
    doc
    (apply compare (addresses 'name (cons p0 ps)))))

(define-chained pointer=? =
  "Return #t if all the pointers have the same address.")
(define-chained pointer<? <
  "Return #t if the addresses of the pointers are increasing.")
(define-chained pointer>? >
  "Return #t if the addresses of the pointers are decreasing.")
(define-chained pointer<=? <=
  "Return #t if the addresses of the pointers are non-decreasing.")
(define-chained pointer>=? >=
  "Return #t if the addresses of the pointers are non-increasing.")

(define (pointer!=? p0 . ps)
  "Return #t if no two of the pointers have the same address; a
single pointer gives #f."
  (let ((sorted (sort (addresses 'pointer!=? (cons p0 ps)) <)))
    (and (pair? (cdr sorted))
         (let loop ((a (car sorted)) (rest (cdr sorted)))
           (or (null? rest)
               (and (not (= a (car rest)))
                    (loop (car rest) (cdr rest))))))))

(define-syntax-rule (define-extremum name better? doc)
  (define (name p0 . ps)
    doc
    (addresses 'name (cons p0 ps))
    (let loop ((best p0) (ps ps))
      (cond ((null? ps) best)
            ((better? (pointer-address (car ps)) (pointer-address best))
             (loop (car ps) (cdr ps)))
            (else (loop best (cdr ps)))))))

(define-extremum pointer-max >
  "Return the argument, itself, with the greatest address.")
(define-extremum pointer-min <
  "Return the argument, itself, with the least address.")

(define (pointer-hash ptr)
  "Return a non-negative fixnum hash of the address of PTR; pointers
with the same address have the same hash."
  (check pointer-hash 1 pointer? pointer? ptr)
  (let ((a (pointer-address ptr)))
    (logand (logxor a (ash a -32)) most-positive-fixnum)))

;;; ------------------------------------------------------- peek and poke

;; The 26 C types of peek and poke: suffix, C type, what a setter accepts.
;; The C side defines the 104 primitives from the same list (src/pointer.c);
;; here they are re-exported and documented.
(define %c-types
  '((uint8 "uint8_t" "an exact integer") (sint8 "int8_t" "an exact integer")
    (uint16 "uint16_t" "an exact integer")
    (sint16 "int16_t" "an exact integer")
    (uint32 "uint32_t" "an exact integer")
    (sint32 "int32_t" "an exact integer")
    (uint64 "uint64_t" "an exact integer")
    (sint64 "int64_t" "an exact integer")
    (signed-char "signed char" "an exact integer")
    (unsigned-char "unsigned char" "an exact integer")
    (signed-short "short" "an exact integer")
    (unsigned-short "unsigned short" "an exact integer")
    (signed-int "int" "an exact integer")
    (unsigned-int "unsigned int" "an exact integer")
    (signed-long "long" "an exact integer")
    (unsigned-long "unsigned long" "an exact integer")
    (signed-long-long "long long" "an exact integer")
    (unsigned-long-long "unsigned long long" "an exact integer")
    (size_t "size_t" "an exact integer")
    (ssize_t "ssize_t" "an exact integer")
    (off_t "off_t" "an exact integer")
    (ptrdiff_t "ptrdiff_t" "an exact integer")
    (float "float" "a flonum")
    (double "double" "a flonum")
    (double-complex "double complex" "a complex with flonum parts")
    (pointer "void *" "a pointer")))

(define (peek-poke-names suffix)
  (list (symbol-append 'pointer-ref-c- suffix)
        (symbol-append 'pointer-set-c- suffix '!)
        (symbol-append 'array-ref-c- suffix)
        (symbol-append 'array-set-c- suffix '!)))

(module-re-export! (current-module)
                   (map (lambda (name) (cons (symbol-append '% name) name))
                        (append-map (lambda (entry) (peek-poke-names (car entry)))
                                    %c-types)))

;;; ------------------------------------------------------- documentation

(define (document! proc text)
  (set-procedure-property! proc 'documentation text))

(document! %set-pointer-null!
  "(set-pointer-null! ptr) -- set the address of PTR to 0, in place;
return no values.")

;; The docstrings of the 104 peek/poke primitives, from the C type names.
(let ((primitives (resolve-interface '(vicare-compat primitives))))
  (define (doc! name template . args)
    (document! (module-ref primitives name)
               (apply format #f template name args)))
  (for-each
   (lambda (entry)
     (let ((suffix (car entry)) (ctype (cadr entry)) (kind (caddr entry)))
       (doc! (symbol-append 'pointer-ref-c- suffix)
             "(~a memory offset) -- the '~a' at byte OFFSET from
MEMORY, a pointer or a memory-block." ctype)
       (doc! (symbol-append 'array-ref-c- suffix)
             "(~a memory index) -- element INDEX of the array of
'~a' at MEMORY, a pointer or a memory-block." ctype)
       (doc! (symbol-append 'pointer-set-c- suffix '!)
             "(~a memory offset value) -- store VALUE, ~a, as a
'~a' at byte OFFSET from MEMORY; return no values."
             kind ctype)
       (doc! (symbol-append 'array-set-c- suffix '!)
             "(~a memory index value) -- store VALUE, ~a, as
element INDEX of the array of '~a' at MEMORY; return no
values." kind ctype)))
   %c-types))

;;; pointers.scm ends here
