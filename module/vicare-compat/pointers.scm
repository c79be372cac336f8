;;; (vicare-compat pointers) -- Vicare's pointer operations.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Commentary:
;;;
;;; Pointers are Guile's own <pointer> objects from (system foreign), so
;;; they work with Guile's FFI and Guile's pointers work here.  Peek and
;;; poke are C primitives re-exported as they are: no Scheme wrapper adds
;;; a call in between.
;;;
;;; Code:

(define-module (vicare-compat pointers)
  #:use-module ((vicare-compat primitives) #:prefix %)
  #:re-export ((%pointer-ref-c-signed-int . pointer-ref-c-signed-int)
               (%pointer-set-c-signed-int! . pointer-set-c-signed-int!)))

(define (document! proc text)
  (set-procedure-property! proc 'documentation text))

(document! %pointer-ref-c-signed-int
  "(pointer-ref-c-signed-int memory offset) -- the C @code{int} at byte
@var{offset} from the pointer @var{memory}.")
(document! %pointer-set-c-signed-int!
  "(pointer-set-c-signed-int! memory offset value) -- store the exact integer
@var{value} as a C @code{int} at byte @var{offset} from @var{memory};
return no values.")
