;;; (vicare-compat memory) -- Vicare's raw memory: allocation, bulk
;;; operations and memory-blocks.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Commentary:
;;;
;;; Allocation and the memory operations are C primitives (src/memory.c)
;;; re-exported as they are.  A memory-block is a Guile record holding a
;;; private pointer object, a size and an owner flag; the C extension
;;; knows its record type (registered below), so peek, poke, realloc and
;;; free accept memory-blocks too.  An owner block's pointer is guarded
;;; memory: C free runs when the block, and so its private pointer, is
;;; collected.
;;;
;;; Code:

(define-module (vicare-compat memory)
  #:use-module ((vicare-compat primitives) #:prefix %)
  #:use-module ((vicare-compat pointers)
                #:select (null-pointer pointer-clone))
  #:use-module ((system foreign)
                #:select (pointer? pointer-address bytevector->pointer))
  #:use-module ((rnrs bytevectors) #:select (make-bytevector))
  #:use-module ((vicare-compat conditions)
                #:select (procedure-signature-argument-violation
                          make-out-of-memory-error))
  #:use-module ((vicare-compat platform constants)
                #:select (_SC_PHYS_PAGES _SC_PAGESIZE))
  #:use-module ((rnrs conditions)
                #:select (condition make-who-condition make-message-condition))
  #:use-module ((rnrs exceptions) #:select ((raise . r6rs-raise)))
  #:use-module (srfi srfi-9)
  #:use-module ((srfi srfi-9 gnu) #:select (set-record-type-printer!))
  #:export (make-memory-block
            make-memory-block/guarded
            null-memory-block
            memory-block?
            memory-block?/non-null
            memory-block?/not-null
            memory-block-pointer
            memory-block-size
            memory-block-reset
            memory-block=?
            memory-block!=?
            with-local-storage)
  #:re-export ((%malloc . malloc)
               (%guarded-malloc . guarded-malloc)
               (%calloc . calloc)
               (%guarded-calloc . guarded-calloc)
               (%realloc . realloc)
               (%guarded-realloc . guarded-realloc)
               (%free . free)
               (%memcpy . memcpy)
               (%memmove . memmove)
               (%memset . memset)
               (%memcmp . memcmp)
               (%memory-copy . memory-copy)
               (%memory->bytevector . memory->bytevector)
               (%bytevector->memory . bytevector->memory)
               (%bytevector->guarded-memory . bytevector->guarded-memory)))

(define-syntax-rule (check who position name pred value)
  (unless (pred value)
    (procedure-signature-argument-violation 'who position 'name value)))

(define (size_t? n)
  (and (exact-integer? n) (<= 0 n #xFFFFFFFFFFFFFFFF)))

;;; ---------------------------------------------------------- memory-block

;; The field order is the slot order src/vc.h relies on: pointer, size,
;; owner?.  The pointer is private to the block: never handed out.
(define-record-type <memory-block>
  (%make-memory-block pointer size owner?)
  memory-block?
  (pointer %block-pointer %set-block-pointer!)
  (size %block-size %set-block-size!)
  (owner? %block-owner? %set-block-owner!))

(%%vc-register-memory-block-type! <memory-block>)

(set-record-type-printer! <memory-block>
  (lambda (mb port)
    (format port "#<memory-block pointer=#x~a size=~a owner?=~a>"
            (number->string (pointer-address (%block-pointer mb)) 16)
            (%block-size mb) (if (%block-owner? mb) "#t" "#f"))))

(define (make-memory-block pointer size)
  "Return a memory-block for the SIZE bytes at POINTER; it does
not own them."
  (check make-memory-block 1 pointer? pointer? pointer)
  (check make-memory-block 2 size_t? size_t? size)
  (%make-memory-block (pointer-clone pointer) size #f))

(define (make-memory-block/guarded pointer size)
  "Return a memory-block that owns the SIZE bytes at POINTER:
C 'free' runs on them when the block is collected."
  (check make-memory-block/guarded 1 pointer? pointer? pointer)
  (check make-memory-block/guarded 2 size_t? size_t? size)
  (%make-memory-block (%%vc-guard! (pointer-clone pointer) size) size #t))

(define (null-memory-block)
  "Return a fresh memory-block with a NULL pointer and size 0."
  (%make-memory-block (null-pointer) 0 #f))

(define (memory-block?/non-null obj)
  "Return #t if OBJ is a memory-block whose pointer is not
NULL."
  (and (memory-block? obj)
       (not (zero? (pointer-address (%block-pointer obj))))))

(define memory-block?/not-null memory-block?/non-null)

(define (memory-block-pointer mb)
  "Return a fresh pointer to the memory of MB."
  (check memory-block-pointer 1 memory-block? memory-block? mb)
  (pointer-clone (%block-pointer mb)))

(define (memory-block-size mb)
  "Return the size in bytes of MB."
  (check memory-block-size 1 memory-block? memory-block? mb)
  (%block-size mb))

(define (memory-block-reset mb)
  "Free the memory of MB if it owns it; then make it a NULL block of
size 0 that owns nothing."
  (check memory-block-reset 1 memory-block? memory-block? mb)
  (when (%block-owner? mb)
    ;; Sets the private pointer to NULL too, so its finalizer frees nothing.
    (%free (%block-pointer mb)))
  (%set-block-pointer! mb (null-pointer))
  (%set-block-size! mb 0)
  (%set-block-owner! mb #f))

;; The (address . size) of the arguments of WHO, each checked.
(define (block-keys who blocks)
  (let loop ((blocks blocks) (position 1) (acc '()))
    (if (null? blocks)
        (reverse! acc)
        (let ((mb (car blocks)))
          (unless (memory-block? mb)
            (procedure-signature-argument-violation who position
                                                    'memory-block? mb))
          (loop (cdr blocks) (+ position 1)
                (cons (cons (pointer-address (%block-pointer mb))
                            (%block-size mb))
                      acc))))))

(define (memory-block=? mb0 . mbs)
  "Return #t if all the blocks have the same address and size."
  (let ((keys (block-keys 'memory-block=? (cons mb0 mbs))))
    (and-map (lambda (key) (equal? key (car keys))) (cdr keys))))

(define (memory-block!=? mb0 . mbs)
  "Return #t if no two of the blocks have the same address and size;
a single block gives #f."
  (let loop ((keys (block-keys 'memory-block!=? (cons mb0 mbs))))
    (and (pair? (cdr keys))
         (not (member (car keys) (cdr keys)))
         (or (null? (cddr keys)) (loop (cdr keys))))))

;;; ------------------------------------------------------ with-local-storage

(define (lengths? obj)
  (and (vector? obj)
       (let loop ((i 0))
         (or (= i (vector-length obj))
             (let ((n (vector-ref obj i)))
               (and (exact-integer? n) (<= 0 n most-positive-fixnum)
                    (loop (+ i 1))))))))

(define (physical-memory)
  "The bytes of memory of the machine (when unknown, no limit)."
  (let ((pages (%sysconf _SC_PHYS_PAGES)))
    (if pages (* pages (%sysconf _SC_PAGESIZE)) most-positive-fixnum)))

(define (with-local-storage lengths proc)
  "Call PROC with one fresh pointer per element of LENGTHS, a
vector of non-negative fixnums, each to a block of that many bytes,
16-byte aligned, that lives at least as long as the pointer; return what
PROC returns."
  (check with-local-storage 1 lengths? lengths? lengths)
  (check with-local-storage 2 procedure? procedure? proc)
  ;; One bytevector for all the blocks: Guile keeps it alive as long as a
  ;; pointer into it is, so escaping or re-entering PROC is memory-safe.
  (let* ((align (lambda (n) (* 16 (quotient (+ n 15) 16))))
         (total (+ 15 (apply + (map align (vector->list lengths)))))
         (bv (if (> total (physical-memory))
                 ;; It cannot succeed: say so before the collector tries
                 ;; (and warns on stderr), as malloc would.
                 (r6rs-raise (condition (make-who-condition 'with-local-storage)
                                   (make-message-condition
                                    "failed raw memory allocation")
                                   (make-out-of-memory-error)))
                 (make-bytevector total 0)))
         (base (pointer-address (bytevector->pointer bv)))
         (start (- (align base) base)))
    (let loop ((i 0) (offset start) (ptrs '()))
      (if (= i (vector-length lengths))
          (apply proc (reverse! ptrs))
          (loop (+ i 1)
                (+ offset (align (vector-ref lengths i)))
                (cons (bytevector->pointer bv offset) ptrs))))))

;;; ------------------------------------------------------- documentation

(for-each
 (lambda (entry)
   (set-procedure-property! (car entry) 'documentation (cdr entry)))
 `((,%malloc . "(malloc nbytes) -- allocate NBYTES bytes; return a
fresh pointer.  Raises &out-of-memory-error on failure.")
   (,%guarded-malloc . "(guarded-malloc nbytes) -- like 'malloc'; the
memory is freed when the pointer object is collected.")
   (,%calloc . "(calloc count size) -- allocate COUNT zeroed elements
of SIZE bytes; return a fresh pointer.")
   (,%guarded-calloc . "(guarded-calloc count size) -- like 'calloc';
the memory is freed when the pointer object is collected.")
   (,%realloc . "(realloc memory nbytes) -- resize the memory of
MEMORY, a pointer or memory-block, changing it in place; return it.")
   (,%guarded-realloc . "(guarded-realloc memory nbytes) -- like
'realloc', and the memory becomes guarded.")
   (,%free . "(free memory) -- free the memory of MEMORY, a pointer
or memory-block, and set it to NULL in place; return no values.")
   (,%memcpy . "(memcpy dst src count) -- copy COUNT bytes between
non-overlapping pointers; return no values.")
   (,%memmove . "(memmove dst src count) -- copy COUNT bytes between
possibly overlapping pointers; return no values.")
   (,%memset . "(memset ptr byte count) -- set COUNT bytes at
PTR to BYTE, in [-128, 255]; return no values.")
   (,%memcmp . "(memcmp p1 p2 count) -- compare COUNT bytes; return
C's result, whose sign is meaningful.")
   (,%memory-copy . "(memory-copy dst dst.start src src.start count) --
copy COUNT bytes; each buffer is a pointer or a bytevector.")
   (,%memory->bytevector . "(memory->bytevector ptr nbytes) -- a fresh
bytevector holding the NBYTES bytes at PTR.")
   (,%bytevector->memory . "(bytevector->memory bv) -- copy BV to
fresh malloc'd memory; return two values, the pointer and the length.")
   (,%bytevector->guarded-memory . "(bytevector->guarded-memory bv) -- like
'bytevector->memory', the memory being guarded.")))

;;; memory.scm ends here
