;;; fasl-fuzz.scm -- inputs the fuzzer found, kept as regression tests.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Commentary:
;;;
;;; test-suite/data/fasl-fuzz-regressions.scm holds every input on which
;;; fuzz/fasl-read-fuzz found the reader misbehaving.  Each one must be
;;; rejected with a &fasl-read-error naming the reader, by all three
;;; readers: fasl-decode, fasl-read on a port, fasl-read-memory.
;;;
;;; Code:

(use-modules (test-suite harness)
             (test-suite fasl-util)
             (vicare-compat fasl)
             ((rnrs conditions) #:select (who-condition? condition-who))
             ((rnrs io ports) #:select (open-bytevector-input-port))
             (rnrs bytevectors)
             (system foreign))

(test-begin "fasl-fuzz")

(define regressions (read-data-file "fasl-fuzz-regressions.scm"))

(define (outcome who thunk)
  ;; fasl-read-error when THUNK raised one with WHO and an offset.
  (let ((e (catch-condition thunk)))
    (cond ((eq? e 'no-condition) 'no-condition)
          ((and (fasl-read-error? e) (who-condition? e)
                (eq? (condition-who e) who)
                (integer? (fasl-read-error-offset e)))
           'fasl-read-error)
          (else (list 'other-condition e)))))

(test-assert "there are regression inputs" (pair? regressions))

(for-each
 (lambda (entry)
   (let ((name (car entry))
         (bv (hex->bytevector (cadr entry))))
     (test-equal (string-append name ": fasl-decode") 'fasl-read-error
       (outcome 'fasl-decode (lambda () (fasl-decode bv))))
     (test-equal (string-append name ": fasl-read") 'fasl-read-error
       (outcome 'fasl-read (lambda () (fasl-read (open-bytevector-input-port bv)))))
     (test-equal (string-append name ": fasl-read-memory") 'fasl-read-error
       (outcome 'fasl-read-memory
                (lambda () (fasl-read-memory (bytevector->pointer bv)
                                             (bytevector-length bv)))))))
 regressions)

(test-end "fasl-fuzz")
