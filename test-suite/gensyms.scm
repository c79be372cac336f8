;;; gensyms.scm -- tests of (vicare-compat gensyms): Vicare's gensyms, as
;;; the FASL codec reads and writes them.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

(use-modules (test-suite harness)
             ((vicare-compat gensyms) #:prefix vicare:)
             ((vicare-compat parameters) #:select (parametrise))
             (vicare-compat fasl)
             ((test-suite fasl-util) #:select (hex->bytevector))
             (rnrs bytevectors))

(test-begin "gensyms")

(test-group "gensym"
  (test-equal "not interned, fresh, a symbol" '(#t #f #f)
    (let ((g (vicare:gensym)))
      (list (symbol? g) (symbol-interned? g) (eq? g (vicare:gensym)))))
  (test-equal "pretty strings: given, from a symbol or gensym, or counted"
    '("foo" "bar" "bar" "x7" "x8")
    (parametrise ((vicare:gensym-prefix "x") (vicare:gensym-count 7))
      (map symbol->string
           (list (vicare:gensym "foo") (vicare:gensym 'bar)
                 (vicare:gensym (vicare:gensym 'bar))
                 (vicare:gensym) (vicare:gensym)))))
  (test-equal "the prefix and the count come back after parametrise" '("g" #t)
    (let ((count (vicare:gensym-count)))
      (parametrise ((vicare:gensym-count 100)) (vicare:gensym))
      (list (vicare:gensym-prefix) (= count (vicare:gensym-count)))))
  (test-argument "not a string or a symbol"
    'gensym 1 '(or (string? name) (symbol? name)) 12 (vicare:gensym 12))
  (test-argument "a prefix that is not a string"
    'gensym-prefix 1 'string? 1 (vicare:gensym-prefix 1))
  (test-argument "a negative count"
    'gensym-count 1 'non-negative-fixnum? -1 (vicare:gensym-count -1)))

(test-group "gensym? and gensym->unique-string"
  (test-equal "gensym?" '(#t #t #f #f #f)
    (map vicare:gensym? (list (vicare:gensym) (make-symbol "m") 'foo
                              (gensym) "g")))
  (let ((g (vicare:gensym)))
    (test-assert "the same unique string every time"
      (string=? (vicare:gensym->unique-string g)
                (vicare:gensym->unique-string g)))
    (test-assert "a copy: changing it changes nothing"
      (let ((s (vicare:gensym->unique-string g)))
        (string-set! s 0 #\!)
        (not (string=? s (vicare:gensym->unique-string g)))))
    (test-assert "two gensyms, two unique strings"
      (not (string=? (vicare:gensym->unique-string g)
                     (vicare:gensym->unique-string (vicare:gensym))))))
  (test-argument "not a gensym"
    'gensym->unique-string 1 'gensym? 'foo (vicare:gensym->unique-string 'foo)))

(test-group "FASL writes them as gensyms"
  (let* ((g (vicare:gensym "pretty"))
         (bytes (fasl-encode g))
         (unique (string->utf8 (vicare:gensym->unique-string g))))
    (test-equal "written as G" #\G (integer->char (bytevector-u8-ref bytes 6)))
    (test-equal "with its unique string last" unique
      (let ((n (bytevector-length unique)) (total (bytevector-length bytes)))
        (let ((tail (make-bytevector n)))
          (bytevector-copy! bytes (- total n) tail 0 n)
          tail)))
    (test-assert "read back: the same symbol" (eq? g (fasl-decode bytes))))
  (test-equal "a gensym read from Ikarus's bytes has their unique string"
    '(#t "foo" "uniq-1")
    (let ((g (fasl-decode
              (hex->bytevector
               (string-append "2340494B3032477303000000000000006"
                              "66F6F730600000000000000756E69712D31")))))
      (list (vicare:gensym? g) (symbol->string g)
            (vicare:gensym->unique-string g)))))

(test-end "gensyms")
