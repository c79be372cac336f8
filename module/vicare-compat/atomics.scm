;;; (vicare-compat atomics) -- atomic access to shared memory (beyond Vicare).
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Commentary:
;;;
;;; Sequentially consistent loads, stores, fetch-and-add and
;;; compare-and-swap on 32- and 64-bit integers at an aligned address,
;;; for counters and flags shared between processes through a MAP_SHARED
;;; mapping.  The C primitives (src/atomic.c) are re-exported as they are;
;;; (vicare-compat) re-exports them beside the other pointer operations.
;;;
;;; Code:

(define-module (vicare-compat atomics)
  #:use-module ((vicare-compat primitives) #:prefix %)
  #:re-export
  ((%pointer-atomic-ref-c-sint32 . pointer-atomic-ref-c-sint32)
   (%pointer-atomic-ref-c-uint32 . pointer-atomic-ref-c-uint32)
   (%pointer-atomic-ref-c-sint64 . pointer-atomic-ref-c-sint64)
   (%pointer-atomic-ref-c-uint64 . pointer-atomic-ref-c-uint64)
   (%pointer-atomic-set-c-sint32! . pointer-atomic-set-c-sint32!)
   (%pointer-atomic-set-c-uint32! . pointer-atomic-set-c-uint32!)
   (%pointer-atomic-set-c-sint64! . pointer-atomic-set-c-sint64!)
   (%pointer-atomic-set-c-uint64! . pointer-atomic-set-c-uint64!)
   (%pointer-atomic-fetch-add-c-sint32! . pointer-atomic-fetch-add-c-sint32!)
   (%pointer-atomic-fetch-add-c-uint32! . pointer-atomic-fetch-add-c-uint32!)
   (%pointer-atomic-fetch-add-c-sint64! . pointer-atomic-fetch-add-c-sint64!)
   (%pointer-atomic-fetch-add-c-uint64! . pointer-atomic-fetch-add-c-uint64!)
   (%pointer-atomic-compare-and-swap-c-sint32!
    . pointer-atomic-compare-and-swap-c-sint32!)
   (%pointer-atomic-compare-and-swap-c-uint32!
    . pointer-atomic-compare-and-swap-c-uint32!)
   (%pointer-atomic-compare-and-swap-c-sint64!
    . pointer-atomic-compare-and-swap-c-sint64!)
   (%pointer-atomic-compare-and-swap-c-uint64!
    . pointer-atomic-compare-and-swap-c-uint64!)))

;; One docstring per operation, shared by the four types.
(for-each
 (lambda (type)
   (for-each
    (lambda (entry)
      (let ((name (string->symbol (string-append (car entry) type
                                                 (cadr entry)))))
        (set-procedure-property!
         (module-ref (resolve-interface '(vicare-compat primitives)) name)
         'documentation
         (string-append "(" (symbol->string name) (caddr entry)))))
    '(("pointer-atomic-ref-c-" ""
       " memory offset) -- atomically load the integer at the aligned
address MEMORY + OFFSET.")
      ("pointer-atomic-set-c-" "!"
       " memory offset value) -- atomically store VALUE; return no
values.")
      ("pointer-atomic-fetch-add-c-" "!"
       " memory offset delta) -- atomically add DELTA (wrapping) and
return the previous value.")
      ("pointer-atomic-compare-and-swap-c-" "!"
       " memory offset expected new) -- atomically store NEW if the
integer equals EXPECTED; return whether it did."))))
 '("sint32" "uint32" "sint64" "uint64"))
