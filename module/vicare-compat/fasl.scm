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
encoding of @var{obj} (header included) to the binary output @var{port},
preceded by one foreign-library entry per string of the list
@var{libraries}.  Writes nothing when @var{obj} holds an object FASL
cannot carry.  Returns no values.")
   (,%fasl-read . "(fasl-read port) -- read one FASL header and datum from
the binary input @var{port} and return the datum.  Consumes exactly the
datum's bytes: what follows stays in the port.")
   (,%fasl-encode . "(fasl-encode obj) -- a fresh bytevector holding the
FASL encoding of @var{obj}, header included.")
   (,%fasl-decode . "(fasl-decode bv [start [count]]) -- the datum encoded
in the @var{count} bytes of @var{bv} from @var{start} (default: all of
the rest); raises @code{&fasl-read-error} unless it ends exactly there.")
   (,%fasl-write-memory . "(fasl-write-memory obj pointer limit) -- write
the FASL encoding of @var{obj} to the memory at @var{pointer}, at most
@var{limit} bytes; return the number of bytes written.  Raises
@code{&procedure-arguments-consistency-violation} when it does not fit.")
   (,%fasl-read-memory . "(fasl-read-memory pointer limit) -- decode one
FASL datum from the memory at @var{pointer}, reading at most @var{limit}
bytes; return two values: the datum and the number of bytes it used.")))

;;; fasl.scm ends here
