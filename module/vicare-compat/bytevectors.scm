;;; (vicare-compat bytevectors) -- R6RS bytevectors with Vicare's endianness.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Commentary:
;;;
;;; Guile's (rnrs bytevectors), whose every binding this module
;;; re-exports, except endianness: Vicare's also takes network (big) and
;;; native (the machine's order).  Every form R6RS's accepts keeps its
;;; meaning, so it is declared a replacement: a module that imports this
;;; one and (rnrs bytevectors) or (rnrs) gets Vicare's, with no warning.
;;;
;;; Code:

(define-module (vicare-compat bytevectors)
  #:use-module ((rnrs bytevectors) #:select (native-endianness))
  #:use-module (vicare-compat alias)
  #:replace (endianness))

(define-syntax endianness
  (lambda (stx)
    "(endianness NAME): the symbol big or little.  NAME is big, little,
network (big, the byte order of Internet protocols) or native (the order
of this machine, as (native-endianness) returns it)."
    (syntax-case stx ()
      ((_ name)
       (and (identifier? #'name)
            (memq (syntax->datum #'name) '(big little network native)))
       (case (syntax->datum #'name)
         ((big network) #''big)
         ((little) #''little)
         ((native) #'(native-endianness))))
      (_
       (syntax-violation 'endianness
                         "expected big, little, network or native" stx)))))

(re-export-modules! (current-module) '((rnrs bytevectors))
                    #:except '(endianness))
