;;; (vicare-compat fasl) -- FASL, Ikarus's and Vicare's binary data format.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Commentary:
;;;
;;; The codec is in C (src/fasl-write.c, src/fasl-read.c); these are its
;;; primitives, re-exported as they are.  `fasl-write' and `fasl-read' are
;;; Vicare's; the bytevector and memory forms are ours.  See the "FASL"
;;; chapter of the manual.
;;;
;;; Code:

(define-module (vicare-compat fasl)
  #:use-module ((vicare-compat primitives) #:prefix %)
  #:use-module (vicare-compat conditions)
  #:re-export ((%fasl-write . fasl-write)
               (%fasl-read . fasl-read)
               (%fasl-encode . fasl-encode)
               (%fasl-decode . fasl-decode)
               (%fasl-write-memory . fasl-write-memory)
               (%fasl-read-memory . fasl-read-memory)
               &fasl-read-error make-fasl-read-error fasl-read-error?
               fasl-read-error-offset
               &i/o-wrong-fasl-header-error make-i/o-wrong-fasl-header-error
               i/o-wrong-fasl-header-error?))

(for-each
 (lambda (entry)
   (set-procedure-property! (car entry) 'documentation (cdr entry)))
 `((,%fasl-write . "(fasl-write obj port [libraries]) -- write the FASL
encoding of OBJ (header included) to the binary output PORT,
preceded by one foreign-library entry per string of the list
LIBRARIES.  Writes nothing when OBJ holds an object FASL
cannot carry.  Returns no values.")
   (,%fasl-read . "(fasl-read port) -- read one FASL header and datum from
the binary input PORT and return the datum.  Consumes exactly the
datum's bytes: what follows stays in the port.  After a
&fasl-read-error, a complete datum with a wrong content is consumed
whole, a malformed one up to its first impossible byte, a truncated one
to the end of the input; after any other exception nothing is.")
   (,%fasl-encode . "(fasl-encode obj) -- a fresh bytevector holding the
FASL encoding of OBJ, header included.")
   (,%fasl-decode . "(fasl-decode bv [start [count]]) -- the datum encoded
in the COUNT bytes of BV from START (default: all of
the rest); raises '&fasl-read-error' unless it ends exactly there.")
   (,%fasl-write-memory . "(fasl-write-memory obj pointer limit) -- write
the FASL encoding of OBJ to the memory at POINTER, at most
LIMIT bytes; return the number of bytes written.  Raises
'&procedure-arguments-consistency-violation' when it does not fit.")
   (,%fasl-read-memory . "(fasl-read-memory pointer limit) -- decode one
FASL datum from the memory at POINTER, reading at most LIMIT
bytes; return two values: the datum and the number of bytes it used.")))

;;; fasl.scm ends here
