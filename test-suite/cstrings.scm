;;; cstrings.scm -- tests of C strings, argv arrays and errno.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

(use-modules (test-suite harness)
             (vicare-compat)
             ((vicare-compat platform constants) #:select (EINVAL))
             ((system foreign) #:select (%null-pointer))
             (rnrs bytevectors)
             ((rnrs conditions) #:select (assertion-violation?))
             (ice-9 threads))

(test-begin "cstrings")

(define (bv->cstring bv) (bytevector->guarded-cstring bv))

(define e-acute (string (integer->char #xe9)))
(define cafe-acute (string-append "caf" e-acute))
(define lambda-string (string (integer->char #x3bb)))

(test-group "bytevector <-> cstring"
  (define abcd (bv->cstring #vu8(65 66 67 68)))
  (test-equal "cstring->bytevector" #vu8(65 66 67 68) (cstring->bytevector abcd))
  (test-equal "cstring->bytevector with count" #vu8(65 66) (cstring->bytevector abcd 2))
  (test-equal "the terminating NUL is there" 0 (pointer-ref-c-uint8 abcd 4))
  (test-equal "count past the NUL keeps zeros" #vu8(65 66 67 68 0)
    (cstring->bytevector abcd 5))
  (test-equal "embedded zeros kept by bytevector->cstring" #vu8(1 0 2 0)
    (cstring->bytevector (bv->cstring #vu8(1 0 2)) 4))
  (test-equal "strlen stops at an embedded zero" 1 (strlen (bv->cstring #vu8(1 0 2))))
  (test-equal "empty" #vu8() (cstring->bytevector (bv->cstring #vu8())))
  (test-assert "bytevector->cstring is malloc'd: free works"
    (let ((p (bytevector->cstring #vu8(1 2))))
      (free p)
      (pointer-null? p)))
  (test-raises "bytevector->cstring of a string" procedure-signature-argument-violation?
    'bytevector->cstring '("ab") (bytevector->cstring "ab"))
  (test-raises "cstring->bytevector NULL" assertion-violation?
    'cstring->bytevector (list %null-pointer) (cstring->bytevector %null-pointer))
  (test-raises "cstring->bytevector negative count" procedure-signature-argument-violation?
    'cstring->bytevector '(-1) (cstring->bytevector abcd -1))
  (test-equal "count 0 at NULL" #vu8() (cstring->bytevector (null-pointer) 0)))

(test-group "string <-> cstring"
  (define abcd (string->guarded-cstring "ABCD"))
  (test-equal "cstring->string" "ABCD" (cstring->string abcd))
  (test-equal "cstring->string with count" "AB" (cstring->string abcd 2))
  (test-equal "string->cstring" "hello" (cstring->string (string->cstring "hello")))
  (test-raises "string->cstring is ASCII" procedure-arguments-consistency-violation?
    'string->cstring (list cafe-acute) (string->cstring cafe-acute))
  (test-equal "string->guarded-cstring is Latin-1" #vu8(99 97 102 233)
    (cstring->bytevector (string->guarded-cstring cafe-acute)))
  (test-raises "string->guarded-cstring beyond Latin-1"
    procedure-arguments-consistency-violation? 'string->guarded-cstring
    (list lambda-string) (string->guarded-cstring lambda-string))
  (let ((p (bv->cstring #vu8(65 200))))
    (test-raises "cstring->string is ASCII" procedure-arguments-consistency-violation?
      'cstring->string (list p) (cstring->string p)))
  (test-argument "a NULL pointer: its position and predicate" 'cstring->string
    1 'non-null-pointer? %null-pointer (cstring->string %null-pointer))
  (test-raises "string->cstring of a symbol" procedure-signature-argument-violation?
    'string->cstring '(a) (string->cstring 'a))
  (test-raises "cstring->string NULL" assertion-violation?
    'cstring->string (list %null-pointer) (cstring->string %null-pointer))
  (test-raises "cstring->string bad count" procedure-signature-argument-violation?
    'cstring->string '(x) (cstring->string abcd 'x)))

(test-group "UTF-16"
  (define ciao (bv->cstring #vu8(99 0 105 0 97 0 111 0 0)))
  (define ciao-be (bv->cstring #vu8(0 99 0 105 0 97 0 111 0)))
  (test-equal "cstring16->bytevector" #vu8(99 0 105 0 97 0 111 0)
    (cstring16->bytevector ciao))
  (test-equal "cstring16le->string" "ciao" (cstring16le->string ciao))
  (test-equal "cstring16be->string" "ciao" (cstring16be->string ciao-be))
  (test-equal "cstring16n->string" "ciao"
    (cstring16n->string (if (eq? (native-endianness) (endianness little))
                            ciao ciao-be)))
  (test-equal "a zero unit must be at an even offset" #vu8(1 0 0 2)
    ;; Bytes 1-2 are zero but straddle two units.
    (cstring16->bytevector (bv->cstring #vu8(1 0 0 2 0))))
  (test-equal "non-BMP character" (string (integer->char #x1f600))
    (cstring16le->string (bv->cstring #vu8(#x3d #xd8 #x00 #xde 0))))
  (test-raises "NULL" assertion-violation? 'cstring16le->string (list %null-pointer)
    (cstring16le->string %null-pointer))
  (test-raises "not a pointer" procedure-signature-argument-violation?
    'cstring16->bytevector '(1) (cstring16->bytevector 1)))

(test-group "str*"
  (define abcd (string->guarded-cstring "ABCD"))
  (define abce (string->guarded-cstring "ABCE"))
  (define abcc (string->guarded-cstring "ABCC"))
  (test-equal "strlen" 4 (strlen abcd))
  (test-equal "strdup" 4 (strlen (strdup abcd)))
  (test-assert "strdup is a copy" (not (pointer=? abcd (guarded-strdup abcd))))
  (test-equal "guarded-strdup" "ABCD" (cstring->string (guarded-strdup abcd)))
  (test-equal "strndup 4" 4 (strlen (strndup abcd 4)))
  (test-equal "strndup 3" 3 (strlen (strndup abcd 3)))
  (test-equal "strndup beyond the end" "ABCD" (cstring->string (guarded-strndup abcd 100)))
  (test-equal "strndup 0" 0 (strlen (guarded-strndup abcd 0)))
  (test-equal "strcmp equal" 0 (strcmp abcd (guarded-strdup abcd)))
  (test-assert "strcmp less" (negative? (strcmp abcd abce)))
  (test-assert "strcmp greater" (positive? (strcmp abcd abcc)))
  (test-equal "strncmp 4 equal" 0 (strncmp abcd (guarded-strdup abcd) 4))
  (test-equal "strncmp 3 of different strings" 0 (strncmp abcd abce 3))
  (test-assert "strncmp 4 less" (negative? (strncmp abcd abce 4)))
  (test-assert "strncmp 4 greater" (positive? (strncmp abcd abcc 4)))
  (test-equal "strncmp 0 with NULL" 0 (strncmp %null-pointer %null-pointer 0))
  (test-raises "strlen NULL" assertion-violation? 'strlen (list %null-pointer)
    (strlen %null-pointer))
  (test-raises "strcmp non-pointer" procedure-signature-argument-violation?
    'strcmp '("A") (strcmp abcd "A"))
  (test-raises "strncmp count" procedure-signature-argument-violation?
    'strncmp '(-1) (strncmp abcd abcd -1))
  (test-raises "strdup NULL" assertion-violation? 'strdup (list %null-pointer)
    (strdup %null-pointer))
  (test-raises "guarded-strndup count" procedure-signature-argument-violation?
    'guarded-strndup '(1.5) (guarded-strndup abcd 1.5)))

(test-group "argv"
  (define bvs (list #vu8(65 66) #vu8() #vu8(1 2 3)))
  (test-equal "bytevectors round trip" bvs (argv->bytevectors (bytevectors->argv bvs)))
  (test-equal "guarded bytevectors round trip" bvs
    (argv->bytevectors (bytevectors->guarded-argv bvs)))
  (test-equal "strings round trip" '("ciao" "hello" "salut")
    (argv->strings (strings->argv '("ciao" "hello" "salut"))))
  (test-equal "guarded strings round trip" '("a" "")
    (argv->strings (strings->guarded-argv '("a" ""))))
  (test-equal "argv-length" 3 (argv-length (strings->guarded-argv '("ciao" "hello" "salut"))))
  (test-equal "empty argv" '(0 ()) (let ((p (bytevectors->guarded-argv '())))
                                     (list (argv-length p) (argv->bytevectors p))))
  (test-equal "a C char** layout" "hello"
    (let ((p (strings->guarded-argv '("ciao" "hello"))))
      (cstring->string (pointer-ref-c-pointer p 8))))
  (test-assert "NULL-terminated" (pointer-null? (pointer-ref-c-pointer
                                                 (strings->guarded-argv '("x")) 8)))
  (test-assert "one block: free releases it all"
    (let ((p (strings->argv '("a" "b"))))
      (free p)
      (pointer-null? p)))
  (test-raises "strings->argv non-ASCII" procedure-arguments-consistency-violation?
    'strings->argv (list e-acute) (strings->argv (list e-acute)))
  (test-raises "strings->argv non-list" procedure-signature-argument-violation?
    'strings->argv '("a") (strings->argv "a"))
  (test-raises "strings->guarded-argv non-string element" procedure-signature-argument-violation?
    'strings->guarded-argv '(("a" 1)) (strings->guarded-argv '("a" 1)))
  (test-raises "bytevectors->argv non-bytevector" procedure-signature-argument-violation?
    'bytevectors->argv '((#vu8(1) "a")) (bytevectors->argv (list #vu8(1) "a")))
  (let ((circular (list #vu8(1))))
    (set-cdr! circular circular)
    (test-raises "bytevectors->argv circular" procedure-signature-argument-violation?
      'bytevectors->argv (list circular) (bytevectors->argv circular)))
  (test-raises "argv->strings NULL" assertion-violation? 'argv->strings
    (list %null-pointer) (argv->strings %null-pointer))
  (test-raises "argv-length NULL" assertion-violation? 'argv-length
    (list %null-pointer) (argv-length %null-pointer))
  (let ((p (bytevectors->guarded-argv (list #vu8(200)))))
    (test-raises "argv->strings is ASCII" procedure-arguments-consistency-violation?
      'argv->strings (list p) (argv->strings p))))

(test-group "errno"
  (test-equal "0 at first" 0 (errno))
  (test-equal "set and read" EINVAL (begin (errno EINVAL) (errno)))
  (test-equal "per thread" 0 (join-thread (call-with-new-thread (lambda () (errno)))))
  (test-equal "still set here" EINVAL (errno))
  (test-equal "reset" 0 (begin (errno 0) (errno)))
  (test-raises "positive code" procedure-signature-argument-violation? 'errno '(22)
    (errno 22))
  (test-raises "non-integer" procedure-signature-argument-violation? 'errno '(#f)
    (errno #f)))

(test-end "cstrings")
