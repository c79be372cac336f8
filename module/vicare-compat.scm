;;; (vicare-compat) -- Vicare Scheme's shared-memory toolbox for Guile.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Commentary:
;;;
;;; The umbrella module: (use-modules (vicare-compat)) gives the pointer,
;;; memory, C-string and FASL operations, Vicare's syntaxes and condition types, the
;;; platform constants a shared-memory program needs, `fxior', and
;;; Vicare's `exit'.  `exit' is the one core Guile binding it replaces
;;; (declared with #:replace, so no warning): Vicare's exit ends the
;;; process without unwinding.  The POSIX calls are in
;;; (vicare-compat posix), meant for a px. prefix.
;;;
;;; Code:

(define-module (vicare-compat)
  #:use-module (vicare-compat conditions)
  #:use-module (vicare-compat pointers)
  #:use-module (vicare-compat atomics)
  #:use-module (vicare-compat memory)
  #:use-module (vicare-compat cstrings)
  #:use-module (vicare-compat fasl)
  #:use-module (vicare-compat language-extensions syntaxes)
  #:use-module (vicare-compat platform constants)
  #:use-module (vicare-compat exit)
  #:use-module ((rnrs arithmetic fixnums) #:select (fxior))
  #:re-export-and-replace (exit)
  #:re-export (;; pointers
               ;; atomics (beyond Vicare)
               pointer-atomic-ref-c-sint32 pointer-atomic-ref-c-uint32
               pointer-atomic-ref-c-sint64 pointer-atomic-ref-c-uint64
               pointer-atomic-set-c-sint32! pointer-atomic-set-c-uint32!
               pointer-atomic-set-c-sint64! pointer-atomic-set-c-uint64!
               pointer-atomic-fetch-add-c-sint32!
               pointer-atomic-fetch-add-c-uint32!
               pointer-atomic-fetch-add-c-sint64!
               pointer-atomic-fetch-add-c-uint64!
               pointer-atomic-compare-and-swap-c-sint32!
               pointer-atomic-compare-and-swap-c-uint32!
               pointer-atomic-compare-and-swap-c-sint64!
               pointer-atomic-compare-and-swap-c-uint64!
               null-pointer pointer-clone pointer? false-or-pointer?
               pointer-null? pointer-non-null? list-of-pointers?
               pointer-and-offset? pointer->integer integer->pointer
               set-pointer-null! pointer-diff pointer-add pointer=?
               pointer!=? pointer<? pointer>? pointer<=? pointer>=?
               pointer-max pointer-min pointer-hash
               ;; peek and poke
               pointer-ref-c-uint8 pointer-ref-c-sint8
               pointer-ref-c-uint16 pointer-ref-c-sint16
               pointer-ref-c-uint32 pointer-ref-c-sint32
               pointer-ref-c-uint64 pointer-ref-c-sint64
               pointer-ref-c-signed-char pointer-ref-c-unsigned-char
               pointer-ref-c-signed-short pointer-ref-c-unsigned-short
               pointer-ref-c-signed-int pointer-ref-c-unsigned-int
               pointer-ref-c-signed-long pointer-ref-c-unsigned-long
               pointer-ref-c-signed-long-long
               pointer-ref-c-unsigned-long-long pointer-ref-c-size_t
               pointer-ref-c-ssize_t pointer-ref-c-off_t
               pointer-ref-c-ptrdiff_t pointer-ref-c-float
               pointer-ref-c-double pointer-ref-c-double-complex
               pointer-ref-c-pointer
               pointer-set-c-uint8! pointer-set-c-sint8!
               pointer-set-c-uint16! pointer-set-c-sint16!
               pointer-set-c-uint32! pointer-set-c-sint32!
               pointer-set-c-uint64! pointer-set-c-sint64!
               pointer-set-c-signed-char! pointer-set-c-unsigned-char!
               pointer-set-c-signed-short!
               pointer-set-c-unsigned-short! pointer-set-c-signed-int!
               pointer-set-c-unsigned-int! pointer-set-c-signed-long!
               pointer-set-c-unsigned-long!
               pointer-set-c-signed-long-long!
               pointer-set-c-unsigned-long-long! pointer-set-c-size_t!
               pointer-set-c-ssize_t! pointer-set-c-off_t!
               pointer-set-c-ptrdiff_t! pointer-set-c-float!
               pointer-set-c-double! pointer-set-c-double-complex!
               pointer-set-c-pointer!
               array-ref-c-uint8 array-ref-c-sint8 array-ref-c-uint16
               array-ref-c-sint16 array-ref-c-uint32
               array-ref-c-sint32 array-ref-c-uint64
               array-ref-c-sint64 array-ref-c-signed-char
               array-ref-c-unsigned-char array-ref-c-signed-short
               array-ref-c-unsigned-short array-ref-c-signed-int
               array-ref-c-unsigned-int array-ref-c-signed-long
               array-ref-c-unsigned-long array-ref-c-signed-long-long
               array-ref-c-unsigned-long-long array-ref-c-size_t
               array-ref-c-ssize_t array-ref-c-off_t
               array-ref-c-ptrdiff_t array-ref-c-float
               array-ref-c-double array-ref-c-double-complex
               array-ref-c-pointer
               array-set-c-uint8! array-set-c-sint8!
               array-set-c-uint16! array-set-c-sint16!
               array-set-c-uint32! array-set-c-sint32!
               array-set-c-uint64! array-set-c-sint64!
               array-set-c-signed-char! array-set-c-unsigned-char!
               array-set-c-signed-short! array-set-c-unsigned-short!
               array-set-c-signed-int! array-set-c-unsigned-int!
               array-set-c-signed-long! array-set-c-unsigned-long!
               array-set-c-signed-long-long!
               array-set-c-unsigned-long-long! array-set-c-size_t!
               array-set-c-ssize_t! array-set-c-off_t!
               array-set-c-ptrdiff_t! array-set-c-float!
               array-set-c-double! array-set-c-double-complex!
               array-set-c-pointer!
               ;; raw memory
               malloc calloc realloc free guarded-malloc
               guarded-calloc guarded-realloc with-local-storage
               memcpy memmove memset memcmp memory-copy
               memory->bytevector bytevector->memory
               bytevector->guarded-memory
               ;; memory-blocks
               make-memory-block make-memory-block/guarded
               null-memory-block memory-block? memory-block?/non-null
               memory-block?/not-null memory-block-pointer
               memory-block-size memory-block-reset memory-block=?
               memory-block!=?
               ;; C strings and argv
               bytevector->cstring bytevector->guarded-cstring
               string->cstring string->guarded-cstring
               cstring->bytevector cstring->string
               cstring16->bytevector cstring16n->string
               cstring16le->string cstring16be->string strlen strcmp
               strncmp strdup guarded-strdup strndup guarded-strndup
               bytevectors->argv bytevectors->guarded-argv
               strings->argv strings->guarded-argv argv->bytevectors
               argv->strings argv-length errno
               ;; fasl
               fasl-write fasl-read fasl-encode fasl-decode
               fasl-write-memory fasl-read-memory
               ;; syntaxes
               unwind-protect with-unwind-protection with-unwind-handler
               unwinding-call/cc
               begin0 define-inline define-integrable
               define-constant define-inline-constant
               define-values receive receive-and-return xor set-cons!
               callet callet* define-syntax-rule
               ;; constants used by the shared-memory appendix
               _SC_PAGESIZE PROT_READ PROT_WRITE MAP_SHARED MAP_ANONYMOUS
               SIZEOF_INT
               ;; conditions
               &procedure-argument-violation
               make-procedure-argument-violation
               procedure-argument-violation?
               &procedure-signature-argument-violation
               procedure-signature-argument-violation?
               &procedure-arguments-consistency-violation
               procedure-arguments-consistency-violation?
               procedure-argument-violation
               procedure-arguments-consistency-violation
               &out-of-memory-error
               make-out-of-memory-error
               out-of-memory-error?
               &errno make-errno-condition errno-condition? condition-errno
               &i/o-eagain make-i/o-eagain i/o-eagain-error?
               &non-reinstatable make-non-reinstatable-violation
               non-reinstatable-violation?
               &i/o-wrong-fasl-header-error make-i/o-wrong-fasl-header-error
               i/o-wrong-fasl-header-error?
               &fasl-read-error make-fasl-read-error fasl-read-error?
               fasl-read-error-offset
               ;; R6RS
               fxior))
