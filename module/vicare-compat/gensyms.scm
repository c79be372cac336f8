;;; (vicare-compat gensyms) -- Vicare's gensyms.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Commentary:
;;;
;;; A Vicare gensym is a symbol that is not interned, with a pretty string
;;; (what symbol->string returns) and a unique string.  Here it is one of
;;; Guile's uninterned symbols (make-symbol), named by its pretty string;
;;; its unique string is the one the FASL codec gives it, from the table
;;; of (vicare-compat fasl-support): invented on first use, and the one it
;;; was read with when it came from FASL data.  So fasl-write writes these
;;; gensyms as gensyms, and reading one back in the same process gives
;;; the same (eq?) symbol.
;;;
;;; Guile's own gensym returns an interned symbol; this module's gensym
;;; replaces it.  The pretty string of (gensym) is made at once, from
;;; gensym-prefix and gensym-count (Vicare makes it when first needed).
;;;
;;; Code:

(define-module (vicare-compat gensyms)
  #:use-module ((vicare-compat conditions)
                #:select (procedure-signature-argument-violation))
  #:use-module ((vicare-compat parameters) #:select (make-parameter))
  #:use-module ((rnrs arithmetic fixnums) #:select (fixnum?))
  #:replace (gensym)
  #:export (gensym? gensym->unique-string gensym-prefix gensym-count))

;; The FASL codec's table of unique strings (private to that module).
(define gensym-unique (@@ (vicare-compat fasl-support) gensym-unique))

(define gensym-prefix
  (make-parameter "g"
    (lambda (x)
      (if (string? x)
          x
          (procedure-signature-argument-violation
           'gensym-prefix "not a string" 1 'string? x)))))

(define gensym-count
  (make-parameter 0
    (lambda (x)
      (if (and (fixnum? x) (>= x 0))
          x
          (procedure-signature-argument-violation
           'gensym-count "not a valid count" 1 'non-negative-fixnum? x)))))

;; procedure-documentation reads a parameter's docstring from its
;; procedure, the first field of the applicable struct.
(set-procedure-property! (struct-ref gensym-prefix 0) 'documentation
  "Parameter: the prefix of the pretty string of (gensym), \"g\" at first.")
(set-procedure-property! (struct-ref gensym-count 0) 'documentation
  "Parameter: the number in the pretty string of the next (gensym), 0 at
first; each (gensym) adds one.")

(define gensym
  (case-lambda
    "(gensym), (gensym STRING), (gensym SYMBOL): a new symbol that is not
interned (a gensym).  Its pretty string, what symbol->string returns, is
STRING, the name of SYMBOL, or with no argument the value of
gensym-prefix followed by that of gensym-count (which then goes up by
one).  Unlike Guile's gensym, the result is not interned: fasl-write
writes it as a gensym."
    (()
     (let ((count (gensym-count)))
       (gensym-count (+ count 1))
       (make-symbol (string-append (gensym-prefix) (number->string count)))))
    ((name)
     (cond ((string? name) (make-symbol name))
           ((symbol? name) (make-symbol (symbol->string name)))
           (else
            (procedure-signature-argument-violation
             'gensym "expected string or symbol as argument"
             1 '(or (string? name) (symbol? name)) name))))))

(define (gensym? obj)
  "#t if OBJ is a gensym, a symbol that is not interned; else #f."
  (and (symbol? obj) (not (symbol-interned? obj))))

(define (gensym->unique-string sym)
  "The unique string of the gensym SYM, as fasl-write writes it: the one
it was read with from FASL data, else one invented on first use, unique
across processes with high probability."
  (if (gensym? sym)
      (string-copy (gensym-unique sym))
      (procedure-signature-argument-violation
       'gensym->unique-string "expected generated symbol as argument"
       1 'gensym? sym)))
