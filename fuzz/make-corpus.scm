;;; make-corpus.scm -- turn the FASL test vectors into libFuzzer seed files.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later
;;;
;;; Usage: guile make-corpus.scm VECTORS.scm BAD-VECTORS.scm OUTDIR
;;;
;;; VECTORS.scm holds entries ("datum" "HEX"), BAD-VECTORS.scm entries
;;; (name "HEX" "ikarus outcome" "recommended").  Each HEX becomes one file
;;; of raw bytes: OUTDIR/vec-NNN and OUTDIR/bad-NAME.

(use-modules (rnrs bytevectors) (ice-9 binary-ports) (ice-9 format))

(define (hex->bytevector hex)
  (let* ((n (quotient (string-length hex) 2))
         (bv (make-bytevector n)))
    (do ((i 0 (+ i 1))) ((= i n) bv)
      (bytevector-u8-set! bv i
                          (string->number (substring hex (* 2 i) (+ 2 (* 2 i)))
                                          16)))))

(define (write-file name bv)
  (call-with-output-file name
    (lambda (port) (put-bytevector port bv))
    #:binary #t))

(define (read-entries file) (call-with-input-file file read))

(define (safe-name s)
  (string-map (lambda (c) (if (or (char-alphabetic? c) (char-numeric? c)
                                  (memv c '(#\- #\_)))
                              c #\_))
              s))

(let* ((args (cdr (command-line)))
       (vectors (read-entries (car args)))
       (bad (read-entries (cadr args)))
       (out (caddr args)))
  (let loop ((es vectors) (i 0))
    (unless (null? es)
      (write-file (format #f "~a/vec-~3,'0d" out i)
                  (hex->bytevector (cadr (car es))))
      (loop (cdr es) (+ i 1))))
  (for-each (lambda (e)
              (write-file (string-append out "/bad-" (safe-name (car e)))
                          (hex->bytevector (cadr e))))
            bad)
  (format #t "~a seed files written to ~a~%" (+ (length vectors) (length bad))
          out))
