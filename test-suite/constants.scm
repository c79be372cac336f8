;;; constants.scm -- (vicare-compat platform constants) and (vicare-compat
;;; platform words) against the C compiler and against Guile.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; The test writes a C program of its own that prints every exported
;;; name's value (or "undefined"), compiles it with cc and compares the
;;; output with the modules.  It does not use src/constants.names nor the
;;; generator, so a mistake in either shows up here.  The names that are
;;; not C macros have their C expression in `expressions' below.

(use-modules (test-suite harness)
             (srfi srfi-1)
             (srfi srfi-11)
             (ice-9 rdelim)
             (ice-9 popen)
             ((rnrs bytevectors) #:select (native-endianness))
             ((rnrs conditions) #:select (condition-who condition-irritants
                                          condition-message))
             ((vicare-compat conditions)
              #:select (procedure-signature-argument-violation.one-based-argument-index)))

(test-begin "constants")

(define constants (resolve-interface '(vicare-compat platform constants)))
(define words (resolve-interface '(vicare-compat platform words)))

(define (exported-names iface)
  (sort (module-map (lambda (name var) name) iface)
        (lambda (a b) (string<? (symbol->string a) (symbol->string b)))))

;; Each constant is syntax expanding to a literal: evaluate the name.
(define (value-of iface name)
  (eval name iface))

(define constant-names (exported-names constants))

(define (errno-name? name)
  (let ((s (symbol->string name)))
    (and (> (string-length s) 1)
         (char=? (string-ref s 0) #\E)
         (or (char-upper-case? (string-ref s 1))
             (char-numeric? (string-ref s 1)))
         (not (member s '("EXIT_SUCCESS"))))))

(define expressions
  '((SIZEOF_CHAR . "sizeof (char)") (SIZEOF_SHORT . "sizeof (short)")
    (SIZEOF_INT . "sizeof (int)") (SIZEOF_LONG . "sizeof (long)")
    (SIZEOF_LONG_LONG . "sizeof (long long)")
    (SIZEOF_SIZE_T . "sizeof (size_t)") (SIZEOF_SSIZE_T . "sizeof (ssize_t)")
    (SIZEOF_OFF_T . "sizeof (off_t)")
    (SIZE_T_MAX . "SIZE_MAX") (SSIZE_T_MAX . "SSIZE_MAX")
    (SSIZE_T_MIN . "(-SSIZE_MAX - 1)")
    (OFF_T_MAX . "(off_t) (((uintmax_t) 1 << (8 * sizeof (off_t) - 1)) - 1)")
    (OFF_T_MIN . "(-(intmax_t) (((uintmax_t) 1 << (8 * sizeof (off_t) - 1)) - 1) - 1)")
    (LONG_LONG_MIN . "LLONG_MIN") (LONG_LONG_MAX . "LLONG_MAX")
    (ULONG_LONG_MAX . "ULLONG_MAX")
    (P_PID . "P_PID") (P_PGID . "P_PGID") (P_ALL . "P_ALL")
    (SIZEOF_POINTER . "sizeof (void *)") (SIZEOF_FLOAT . "sizeof (float)")
    (SIZEOF_DOUBLE . "sizeof (double)")
    (SIZEOF_DOUBLE_COMPLEX . "sizeof (double _Complex)")
    (SIZEOF_PTRDIFF_T . "sizeof (ptrdiff_t)")))

(define headers
  '("errno.h" "fcntl.h" "limits.h" "semaphore.h" "signal.h" "stddef.h"
    "stdint.h" "stdio.h" "sys/mman.h" "sys/resource.h" "sys/select.h"
    "sys/stat.h" "sys/types.h" "sys/wait.h" "time.h" "unistd.h" "wchar.h"))

(define word-size-names
  '(SIZEOF_POINTER SIZEOF_FLOAT SIZEOF_DOUBLE SIZEOF_DOUBLE_COMPLEX
    SIZEOF_PTRDIFF_T))

(define (c-program names)
  (with-output-to-string
    (lambda ()
      (display "#define _GNU_SOURCE 1\n")
      (for-each (lambda (h) (format #t "#include <~a>\n" h)) headers)
      (display "#define SHOW(n, e) do { if ((e) < 0) printf (\"%s %jd\\n\", n, (intmax_t) (e)); else printf (\"%s %ju\\n\", n, (uintmax_t) (e)); } while (0)\n")
      (display "int main (void) {\n")
      (for-each
       (lambda (name)
         (let ((expr (assq-ref expressions name)))
           (if expr
               (format #t "  SHOW (\"~a\", ~a);\n" name expr)
               (format #t "#ifdef ~a\n  SHOW (\"~a\", ~a);\n#else\n  printf (\"~a undefined\\n\");\n#endif\n"
                       name name name name))))
       names)
      (display "  return 0;\n}\n"))))

(define (find-cc)
  (search-path (parse-path (or (getenv "PATH") "")) "cc"))

;; Compile and run the program; return an alist name -> value or
;; 'undefined.
(define (c-values names)
  (let* ((dir (or (getenv "abs_top_builddir") "."))
         (base (format #f "~a/test-suite/constants-check-~a" dir (getpid)))
         (source (string-append base ".c")))
    (dynamic-wind
      (lambda () #t)
      (lambda ()
        (call-with-output-file source
          (lambda (port) (display (c-program names) port)))
        (unless (zero? (status:exit-val
                        (system* "cc" "-o" base source)))
          (error "cc failed on" source))
        (let* ((port (open-pipe* OPEN_READ base))
               (result
                (let loop ((acc '()))
                  (let ((line (read-line port)))
                    (if (eof-object? line)
                        (reverse acc)
                        (let ((fields (string-split line #\space)))
                          (loop (acons (string->symbol (car fields))
                                       (if (string=? (cadr fields) "undefined")
                                           'undefined
                                           (string->number (cadr fields)))
                                       acc))))))))
          (close-pipe port)
          result))
      (lambda ()
        (false-if-exception (delete-file source))
        (false-if-exception (delete-file base))))))

(define (expected-module-value name c-value)
  (cond ((errno-name? name)
         (if (eq? c-value 'undefined) #t (- c-value)))
        ((eq? c-value 'undefined) #f)
        (else c-value)))

(test-group "against the C compiler"
  (if (not (find-cc))
      (skip-test "every constant equals the C value" "no C compiler (cc) in PATH")
      (let ((from-c (c-values (append constant-names word-size-names))))
        (test-equal "the C program printed every name"
          (+ (length constant-names) (length word-size-names)) (length from-c))
        (test-equal "every constant equals the C value (mismatches listed)" '()
          (filter-map
           (lambda (name)
             (let ((want (expected-module-value name (assq-ref from-c name)))
                   (got (value-of constants name)))
               (and (not (equal? want got)) (list name 'module got 'c want))))
           constant-names))
        (test-equal "every word size equals the C value" '()
          (filter-map
           (lambda (name)
             (let ((want (assq-ref from-c name)) (got (value-of words name)))
               (and (not (equal? want got)) (list name got want))))
           word-size-names)))))

(test-group "section 4 of the spec"
  (test-equal "number of constants" 537 (length constant-names))
  (test-equal "204 sysconf names" 204
    (count (lambda (n) (string-prefix? "_SC_" (symbol->string n))) constant-names))
  (test-equal "131 errno names" 131 (count errno-name? constant-names))
  (test-equal "misspelled names are #f, as on Linux in Vicare" '(#f #f #f)
    (map (lambda (n) (value-of constants n)) '(SIGVRALRM SIGXSFZ MAP_32BITS)))
  (test-equal "_SC_PAGESIZE = _SC_PAGE_SIZE"
    (value-of constants '_SC_PAGESIZE) (value-of constants '_SC_PAGE_SIZE)))

(test-group "against Guile's own values"
  ;; Guile core binds many of the same names, errno codes not negated.
  ;; Guile gives 0 to some open flags the C library lacks (O_NOLINK...),
  ;; where ours are #f as in Vicare: only defined constants are compared.
  (let ((shared (filter (lambda (name)
                          (and (module-variable the-root-module name)
                               (number? (module-ref the-root-module name))
                               (number? (value-of constants name))))
                        constant-names)))
    (test-assert "Guile shares many names" (> (length shared) 50))
    (test-equal "each equals Guile's (errno negated)" '()
      (filter-map
       (lambda (name)
         (let ((guile (module-ref the-root-module name))
               (ours (value-of constants name)))
           (and (not (eqv? ours (if (errno-name? name) (- guile) guile)))
                (list name ours guile))))
       shared))))

(test-group "constants are syntax"
  (test-assert "set! of a constant is a syntax error"
    (catch #t
      (lambda ()
        (eval '(set! EINVAL 1)
              (let ((m (make-fresh-user-module)))
                (module-use! m constants)
                m))
        #f)
      (lambda (key . args) (eq? key 'syntax-error)))))

(test-group "platform words"
  (let ((word (lambda (name) (value-of words name))))
    (test-equal "platform-endianness" (native-endianness) (word 'platform-endianness))
    (test-equal "word-s8? range" '(#f #t #t #f)
      (map (word 'word-s8?) '(-129 -128 127 128)))
    (test-equal "word-u64? range" '(#f #t #t #f)
      (map (word 'word-u64?) (list -1 0 (- (expt 2 64) 1) (expt 2 64))))
    (test-equal "flonums are rejected" '(#f #f)
      (list ((word 'word-u8?) 1.0) ((word 'signed-int?) 0.0)))
    (test-equal "signed-int? follows sizeof (int)"
      (list #t #f)
      (let ((bits (* 8 (value-of constants 'SIZEOF_INT))))
        (list ((word 'signed-int?) (- (expt 2 (- bits 1)) 1))
              ((word 'signed-int?) (expt 2 (- bits 1))))))
    (test-equal "machine-word? is the pointer width"
      (list #t #f)
      (let ((bits (* 8 (word 'SIZEOF_POINTER))))
        (list ((word 'machine-word?) (- (expt 2 bits) 1))
              ((word 'machine-word?) (expt 2 bits)))))
    (test-equal "case-word-size picks the pointer width"
      (* 8 (word 'SIZEOF_POINTER))
      (eval '(case-word-size ((32) 32) ((64) 64)) words))
    (test-equal "case-endianness picks the byte order" (native-endianness)
      (eval '(case-endianness ((big) 'big) ((little) 'little)) words))))

(test-group "issue 10: the rest of Vicare's words"
  (let ((word (lambda (name) (value-of words name))))
    (define (limit prefix type) ((word (symbol-append prefix type))))
    ;; Each type's limits against its range predicate: the inclusive ones
    ;; pass, the exclusive ones (one past each end) fail.
    (define types-and-predicates
      '((u8 . word-u8?) (s8 . word-s8?) (u16 . word-u16?) (s16 . word-s16?)
        (u32 . word-u32?) (s32 . word-s32?) (u64 . word-u64?)
        (s64 . word-s64?) (u128 . word-u128?) (s128 . word-s128?)
        (u256 . word-u256?) (s256 . word-s256?)
        (machine-word . machine-word?)
        (c-unsigned-char . unsigned-char?) (c-unsigned-short . unsigned-short?)
        (c-signed-short . signed-short?) (c-unsigned-int . unsigned-int?)
        (c-signed-int . signed-int?) (c-unsigned-long . unsigned-long?)
        (c-signed-long . signed-long?)
        (c-unsigned-long-long . unsigned-long-long?)
        (c-signed-long-long . signed-long-long?)
        (c-pointer . pointer-integer?) (c-size_t . size_t?)
        (c-ssize_t . ssize_t?) (c-off_t . off_t?) (c-ptrdiff_t . ptrdiff_t?)))
    (test-equal "every limit against its predicate (mismatches listed)" '()
      (filter-map
       (lambda (entry)
         (let ((type (car entry)) (pred (word (cdr entry))))
           (let ((got (map pred (list (limit 'greatest- type)
                                      (limit 'least- type)
                                      (limit 'greatest- (symbol-append type '*))
                                      (limit 'least- (symbol-append type '*))))))
             (and (not (equal? got '(#t #t #f #f)))
                  (list type got)))))
       types-and-predicates))
    (test-equal "the limits of C types are the C headers'"
      (map (lambda (n) (value-of constants n))
           '(UCHAR_MAX CHAR_MAX CHAR_MIN INT_MAX INT_MIN ULONG_LONG_MAX
             SIZE_T_MAX SSIZE_T_MIN OFF_T_MAX))
      (list (limit 'greatest- 'c-unsigned-char) (limit 'greatest- 'c-signed-char)
            (limit 'least- 'c-signed-char) (limit 'greatest- 'c-signed-int)
            (limit 'least- 'c-signed-int) (limit 'greatest- 'c-unsigned-long-long)
            (limit 'greatest- 'c-size_t) (limit 'least- 'c-ssize_t)
            (limit 'greatest- 'c-off_t)))
    (test-equal "Vicare's values: u8, s64, machine word (the issue's first name)"
      (list 255 -1 (- (expt 2 63)) (+ (expt 2 63) 1)
            (- (expt 2 (* 8 (word 'SIZEOF_POINTER))) 1))
      (list (limit 'greatest- 'u8) (limit 'least- 'u8*) (limit 'least- 's64)
            (+ 1 (limit 'greatest- 's64*)) (limit 'greatest- 'machine-word)))
    (test-equal "the sign predicates of every signed type (failures listed)" '()
      (filter-map
       (lambda (type)
         (let* ((p (lambda (prefix) (word (symbol-append prefix type))))
                (got (list ((p 'positive-) 1) ((p 'positive-) 0)
                           ((p 'negative-) -1) ((p 'negative-) 0)
                           ((p 'non-positive-) 0) ((p 'non-positive-) 1)
                           ((p 'non-negative-) 0) ((p 'non-negative-) -1)
                           ((p 'positive-) (expt 2 300)) ((p 'positive-) 1.0))))
           (and (not (equal? got '(#t #f #t #f #t #f #t #f #f #f)))
                (list type got))))
       '(word-s8? word-s16? word-s32? word-s64? word-s128? word-s256?
         signed-char? signed-int? signed-long? signed-long-long?
         ssize_t? off_t? ptrdiff_t?)))
    (test-equal "word? and the 128/256-bit predicates" '(#t #t #f #t #f #t #f)
      (list ((word 'word?) (expt 2 100)) ((word 'word?) -1) ((word 'word?) 1.0)
            ((word 'word-u128?) (- (expt 2 128) 1)) ((word 'word-u128?) -1)
            ((word 'word-s256?) (- (expt 2 255))) ((word 'word-s256?) (expt 2 255))))
    (test-equal "the C sizes are re-exported (the same bindings)" '()
      (filter (lambda (n) (not (eq? (module-variable words n)
                                    (module-variable constants n))))
              '(SIZEOF_CHAR SIZEOF_SHORT SIZEOF_INT SIZEOF_LONG
                SIZEOF_LONG_LONG SIZEOF_SIZE_T SIZEOF_SSIZE_T SIZEOF_OFF_T)))
    (test-equal "fixnum alignment" '(#t #f #t #f #t #f #t #f)
      (list ((word 'fixnum-aligned-to-2?) 6) ((word 'fixnum-aligned-to-2?) 7)
            ((word 'fixnum-aligned-to-4?) -8) ((word 'fixnum-aligned-to-4?) 6)
            ((word 'fixnum-aligned-to-8?) 16) ((word 'fixnum-aligned-to-8?) 12)
            ((word 'fixnum-aligned-to?) 15 5) ((word 'fixnum-aligned-to?) 15 4)))
    (test-equal "fixnum-aligned-to? checks its arguments"
      '((fixnum-aligned-to? 1 (1.5)) (fixnum-aligned-to? 2 (0)))
      (map (lambda (args)
             (let ((c (catch-condition
                       (lambda () (apply (word 'fixnum-aligned-to?) args)))))
               (list (condition-who c)
                     (procedure-signature-argument-violation.one-based-argument-index c)
                     (condition-irritants c))))
           '((1.5 2) (4 0))))
    (test-equal "case-endianness, Vicare's run-time form, Vicare's message"
      '(1 2 me "expected endianness symbol as argument")
      (let ((m (make-fresh-user-module)))
        (module-use! m words)
        (eval '(define (pick who e)
                 (case-endianness (who e) ((little) 1) ((big) 2)))
              m)
        (let ((c (catch-condition (lambda () ((eval 'pick m) 'me 'middle)))))
          (list ((eval 'pick m) 'w 'little) ((eval 'pick m) 'w 'big)
                (condition-who c) (condition-message c)))))))

(test-end "constants")
