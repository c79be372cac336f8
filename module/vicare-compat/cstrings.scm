;;; (vicare-compat cstrings) -- Vicare's C strings and argv arrays.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Commentary:
;;;
;;; The byte-level procedures are C primitives (src/cstring.c) re-exported
;;; as they are.  The string-level ones are here, with Vicare's encodings:
;;; ASCII (a character or byte above 127 raises a consistency violation)
;;; for string->cstring, strings->argv, strings->guarded-argv,
;;; cstring->string and argv->strings, but Latin-1 for
;;; string->guarded-cstring.  `errno' is a per-thread cell that ported
;;; code reads and sets; see the manual.
;;;
;;; Code:

(define-module (vicare-compat cstrings)
  #:use-module ((vicare-compat primitives) #:prefix %)
  #:use-module ((system foreign) #:select (pointer? pointer-address))
  #:use-module ((rnrs bytevectors)
                #:select (bytevector-u8-ref bytevector-length
                          string->utf8 utf16->string endianness
                          native-endianness))
  #:use-module ((ice-9 iconv) #:select (string->bytevector bytevector->string))
  #:use-module ((vicare-compat conditions)
                #:select (procedure-signature-argument-violation
                          procedure-arguments-consistency-violation))
  #:export (string->cstring
            string->guarded-cstring
            cstring->string
            cstring16n->string
            cstring16le->string
            cstring16be->string
            strings->argv
            strings->guarded-argv
            argv->strings
            errno)
  #:re-export ((%bytevector->cstring . bytevector->cstring)
               (%bytevector->guarded-cstring . bytevector->guarded-cstring)
               (%cstring->bytevector . cstring->bytevector)
               (%cstring16->bytevector . cstring16->bytevector)
               (%strlen . strlen)
               (%strcmp . strcmp)
               (%strncmp . strncmp)
               (%strdup . strdup)
               (%guarded-strdup . guarded-strdup)
               (%strndup . strndup)
               (%guarded-strndup . guarded-strndup)
               (%bytevectors->argv . bytevectors->argv)
               (%bytevectors->guarded-argv . bytevectors->guarded-argv)
               (%argv->bytevectors . argv->bytevectors)
               (%argv-length . argv-length)))

(define-syntax-rule (check who position name pred value)
  (unless (pred value)
    (procedure-signature-argument-violation 'who position 'name value)))

;; A pointer read through: checked here so that errors name WHO, not the
;; primitive called next.
(define-syntax-rule (check-readable who ptr)
  (begin
    (check who 1 pointer? pointer? ptr)
    (when (null-pointer? ptr)
      (procedure-signature-argument-violation 'who 1 'non-null-pointer? ptr))))

(define (null-pointer? ptr)
  (zero? (pointer-address ptr)))

(define (non-negative-fixnum? n)
  (and (exact-integer? n) (<= 0 n most-positive-fixnum)))

;;; -------------------------------------------------------------- encodings

(define (string-below? s limit)
  (string-every (lambda (c) (< (char->integer c) limit)) s))

;; STR as a bytevector, one byte per character, each below LIMIT (128 for
;; ASCII, 256 for Latin-1); otherwise a consistency violation from WHO.
(define (encode who str limit)
  (unless (string-below? str limit)
    (procedure-arguments-consistency-violation
     who (if (= limit 128)
             "string contains a character outside ASCII"
             "string contains a character outside Latin-1")
     str))
  (string->bytevector str "ISO-8859-1"))

;; BV decoded as ASCII: a byte above 127 is a consistency violation.
(define (decode-ascii who bv irritant)
  (let loop ((i 0))
    (when (< i (bytevector-length bv))
      (when (> (bytevector-u8-ref bv i) 127)
        (procedure-arguments-consistency-violation
         who "C string contains a byte outside ASCII" irritant))
      (loop (+ i 1))))
  (bytevector->string bv "ISO-8859-1"))

;;; ---------------------------------------------------------------- strings

(define (string->cstring str)
  "Return a fresh malloc'd C string holding STR encoded as ASCII."
  (check string->cstring 1 string? string? str)
  (%bytevector->cstring (encode 'string->cstring str 128)))

(define (string->guarded-cstring str)
  "Return a guarded C string holding STR encoded as Latin-1."
  (check string->guarded-cstring 1 string? string? str)
  (%bytevector->guarded-cstring (encode 'string->guarded-cstring str 256)))

(define cstring->string
  (case-lambda
    "(cstring->string ptr [count]) -- the C string at PTR decoded as
ASCII: up to its NUL, or exactly COUNT bytes."
    ((ptr)
     (check-readable cstring->string ptr)
     (decode-ascii 'cstring->string (%cstring->bytevector ptr) ptr))
    ((ptr count)
     (check cstring->string 1 pointer? pointer? ptr)
     (check cstring->string 2 non-negative-fixnum? non-negative-fixnum? count)
     (unless (zero? count)
       (check-readable cstring->string ptr))
     (decode-ascii 'cstring->string (%cstring->bytevector ptr count) ptr))))

(define-syntax-rule (define-utf16 name endianness-expr doc)
  (define (name ptr)
    doc
    (check-readable name ptr)
    (utf16->string (%cstring16->bytevector ptr) endianness-expr)))

(define-utf16 cstring16n->string (native-endianness)
  "Return the NUL-terminated UTF-16 string at PTR, native byte order.")
(define-utf16 cstring16le->string (endianness little)
  "Return the NUL-terminated UTF-16LE string at PTR.")
(define-utf16 cstring16be->string (endianness big)
  "Return the NUL-terminated UTF-16BE string at PTR.")

;;; ------------------------------------------------------------------ argv

(define (strings->bytevectors who strs)
  (unless (and (list? strs) (and-map string? strs))
    (procedure-signature-argument-violation who 1 'list-of-strings? strs))
  (map (lambda (s) (encode who s 128)) strs))

(define (strings->argv strs)
  "Return a malloc'd NULL-terminated argv array of the strings STRS,
encoded as ASCII."
  (%bytevectors->argv (strings->bytevectors 'strings->argv strs)))

(define (strings->guarded-argv strs)
  "Like 'strings->argv', the memory being guarded."
  (%bytevectors->guarded-argv
   (strings->bytevectors 'strings->guarded-argv strs)))

(define (argv->strings ptr)
  "Return the strings of the argv array at PTR, decoded as ASCII."
  (check-readable argv->strings ptr)
  (map (lambda (bv) (decode-ascii 'argv->strings bv ptr))
       (%argv->bytevectors ptr)))

;;; ----------------------------------------------------------------- errno

(define errno-cell (make-thread-local-fluid 0))

(define (errno-code? obj)
  (and (exact-integer? obj) (<= -4095 obj 0)))

(define errno
  (case-lambda
    "(errno) -- the errno code this thread last recorded: 0, or a negated
errno constant such as 'EINVAL'.  (errno code) -- record CODE."
    (() (fluid-ref errno-cell))
    ((code)
     (check errno 1 errno-code? errno-code? code)
     (fluid-set! errno-cell code))))

;;; ------------------------------------------------------- documentation

(for-each
 (lambda (entry)
   (set-procedure-property! (car entry) 'documentation (cdr entry)))
 `((,%bytevector->cstring . "(bytevector->cstring bv) -- a fresh malloc'd
C string: the bytes of BV, verbatim, then a NUL.")
   (,%bytevector->guarded-cstring . "(bytevector->guarded-cstring bv) --
like 'bytevector->cstring', the memory being guarded.")
   (,%cstring->bytevector . "(cstring->bytevector ptr [count]) -- the bytes
of the C string at PTR up to its NUL, or exactly COUNT bytes.")
   (,%cstring16->bytevector . "(cstring16->bytevector ptr) -- the bytes at
PTR before the first 16-bit zero unit.")
   (,%strlen . "(strlen ptr) -- the length of the C string at PTR.")
   (,%strcmp . "(strcmp p1 p2) -- C's 'strcmp'; only the sign of the
result is meaningful.")
   (,%strncmp . "(strncmp p1 p2 count) -- C's 'strncmp'.")
   (,%strdup . "(strdup ptr) -- a fresh malloc'd copy of a C string.")
   (,%guarded-strdup . "(guarded-strdup ptr) -- like 'strdup', the
memory being guarded.")
   (,%strndup . "(strndup ptr count) -- a fresh malloc'd copy of at most
COUNT bytes of a C string, NUL-terminated.")
   (,%guarded-strndup . "(guarded-strndup ptr count) -- like
'strndup', the memory being guarded.")
   (,%bytevectors->argv . "(bytevectors->argv list) -- one malloc'd block
holding a NULL-terminated argv array of the bytevectors' bytes.")
   (,%bytevectors->guarded-argv . "(bytevectors->guarded-argv list) -- like
'bytevectors->argv', the memory being guarded.")
   (,%argv->bytevectors . "(argv->bytevectors ptr) -- the strings of the
argv array at PTR, as bytevectors.")
   (,%argv-length . "(argv-length ptr) -- the number of strings of the argv
array at PTR.")))

;;; cstrings.scm ends here
