;;; (vicare-compat exit) -- Vicare's exit.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Commentary:
;;;
;;; Vicare's `exit' ends the process at once: it runs no dynamic-wind
;;; after-thunks and no unwind-protect cleanups.  That is what lets a
;;; forked child leave the parent's `unwind-protect' without running its
;;; cleanup.  It replaces Guile's `exit', which unwinds.  Unlike Vicare,
;;; it flushes Scheme output ports first, so nothing written is lost.
;;;
;;; Code:

(define-module (vicare-compat exit)
  #:replace (exit))

(define* (exit #:optional (status 0))
  "End the process at once with STATUS: no 'dynamic-wind'
after-thunks and no 'unwind-protect' cleanups run.  A fixnum status is
the exit code; any other object, #t included, gives exit code 1.
Scheme output ports are flushed first."
  (flush-all-ports)
  (primitive-exit (if (and (exact-integer? status)
                           (<= most-negative-fixnum status most-positive-fixnum))
                      status
                      1)))
