;;; (vicare-compat posix) -- Vicare's (vicare posix), meant for a px. prefix.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Commentary:
;;;
;;; Import it with a prefix, as Vicare programs do:
;;;   (use-modules ((vicare-compat posix) #:prefix px.))
;;; Some names (waitpid, ...) are also Guile core names with another
;;; meaning.  Failed system calls raise the errno condition of
;;; (vicare-compat conditions); bad arguments raise assertion-class
;;; conditions before any call is made.
;;;
;;; Code:

(define-module (vicare-compat posix)
  #:use-module ((vicare-compat primitives) #:prefix %)
  #:use-module (vicare-compat conditions)
  #:export (fork)
  #:re-export ((%sysconf . sysconf)
               (%mmap . mmap)
               (%munmap . munmap)
               (%waitpid . waitpid)
               (%nanosleep . nanosleep)))

(define (document! proc text)
  (set-procedure-property! proc 'documentation text))

(document! %sysconf
  "(sysconf name) -- the value of the system limit @var{name} (an
@code{_SC_*} constant), or @code{#f} when it has no limit.")
(document! %mmap
  "(mmap address length protect flags fd offset) -- map memory and return a
pointer to it.  @var{address} is @code{#f} or a pointer; @var{fd} is
ignored (0 or -1) for @code{MAP_ANONYMOUS} maps.")
(document! %munmap
  "(munmap address length) -- unmap the pages at @var{address}.")
(document! %waitpid
  "(waitpid pid options) -- wait for a child and return its raw status, or
@code{#f} when @var{options} has @code{WNOHANG} and no child changed state.")
(document! %nanosleep
  "(nanosleep secs nsecs) -- sleep; return two values, both @code{#f}.")

(define (fork-now)
  ;; Flush first: a buffer copied into the child would be printed twice.
  (flush-all-ports)
  (catch 'system-error
    primitive-fork
    (lambda args
      (%raise-errno 'fork (system-error-errno args) '()))))

(define fork
  (case-lambda
    "(fork) -- fork the process: return 0 in the child and the child's pid
in the parent.  (fork parent-proc child-thunk) -- call
@code{(parent-proc child-pid)} in the parent and @code{(child-thunk)} in
the child, returning their values; the child is not made to exit.  Scheme
output ports are flushed before forking."
    (()
     (fork-now))
    ((parent-proc child-thunk)
     (unless (procedure? parent-proc)
       (procedure-argument-violation 'fork "expected procedure as argument"
                                     parent-proc))
     (unless (procedure? child-thunk)
       (procedure-argument-violation 'fork "expected procedure as argument"
                                     child-thunk))
     (let ((pid (fork-now)))
       (if (zero? pid)
           (child-thunk)
           (parent-proc pid))))))
