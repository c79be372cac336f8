;;; posix.scm -- tests of (vicare-compat posix).
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

(use-modules (test-suite harness)
             ((vicare-compat platform constants) #:select (EINVAL MAP_PRIVATE))
             (vicare-compat)
             ((vicare-compat posix) #:prefix px.)
             (system foreign)
             ((rnrs conditions) #:select (assertion-violation? error?)))

(test-begin "posix")

(test-group "sysconf"
  (test-equal "page size" 4096 (px.sysconf _SC_PAGESIZE))
  (test-raises "name not an int" procedure-argument-violation?
    'sysconf '(a) (px.sysconf 'a))
  (test-raises "name out of int range" procedure-argument-violation?
    'sysconf (list (expt 2 40)) (px.sysconf (expt 2 40)))
  (test-raises "invalid name: EINVAL" errno-condition?
    'sysconf '(-1) (px.sysconf -1))
  (test-equal "EINVAL code" EINVAL
    (condition-errno (catch-condition (lambda () (px.sysconf -1))))))

(define page (px.sysconf _SC_PAGESIZE))

(test-group "mmap"
  (let ((p (px.mmap #f page (fxior PROT_READ PROT_WRITE)
                    (fxior MAP_SHARED MAP_ANONYMOUS) 0 0)))
    (test-assert "returns a pointer" (pointer? p))
    (test-equal "page aligned" 0 (modulo (pointer-address p) page))
    (test-equal "zero filled, writable" '(0 99)
      (list (pointer-ref-c-signed-int p 0)
            (begin (pointer-set-c-signed-int! p 0 99)
                   (pointer-ref-c-signed-int p 0))))
    (test-equal "munmap returns" #t
      (begin (px.munmap p page) #t)))
  (test-assert "fd -1 accepted for anonymous maps"
    (let ((p (px.mmap #f page PROT_READ (fxior MAP_PRIVATE MAP_ANONYMOUS) -1 0)))
      (px.munmap p page)
      #t))
  (let ((e (catch-condition
            (lambda () (px.mmap #f 0 PROT_READ (fxior MAP_PRIVATE MAP_ANONYMOUS) 0 0)))))
    (test-assert "length 0: errno condition" (errno-condition? e))
    (test-assert "length 0: also &error" (error? e))
    (test-equal "length 0: EINVAL" EINVAL (condition-errno e))
    (test-equal "length 0: who and irritants"
      (list 'mmap (list #f 0 PROT_READ (fxior MAP_PRIVATE MAP_ANONYMOUS) 0 0))
      (condition-shape e))
    (test-equal "length 0: message" "EINVAL: Invalid argument"
      ((@ (rnrs conditions) condition-message) e)))
  (test-raises "address not a pointer" procedure-argument-violation?
    'mmap '(1) (px.mmap 1 page PROT_READ MAP_PRIVATE 0 0))
  (test-raises "length negative" procedure-argument-violation?
    'mmap '(-1) (px.mmap #f -1 PROT_READ MAP_PRIVATE 0 0))
  (test-raises "protect not a fixnum" procedure-argument-violation?
    'mmap '(1.0) (px.mmap #f page 1.0 MAP_PRIVATE 0 0))
  (test-raises "flags not a fixnum" procedure-argument-violation?
    'mmap '(x) (px.mmap #f page PROT_READ 'x 0 0))
  (test-raises "bad file descriptor" assertion-violation?
    'mmap '(-2) (px.mmap #f page PROT_READ MAP_PRIVATE -2 0))
  (test-raises "offset not an integer" procedure-argument-violation?
    'mmap '("0") (px.mmap #f page PROT_READ MAP_PRIVATE 0 "0"))
  (test-raises "munmap not a pointer" procedure-argument-violation?
    'munmap '(#f) (px.munmap #f page))
  (test-raises "munmap misaligned: EINVAL" errno-condition?
    'munmap (list (make-pointer 1) page) (px.munmap (make-pointer 1) page)))

(test-group "nanosleep"
  (test-equal "two values, both #f" '(#f #f)
    (call-with-values (lambda () (px.nanosleep 0 1000)) list))
  (test-raises "negative seconds" assertion-violation?
    'nanosleep '(-1) (px.nanosleep -1 0))
  (test-raises "seconds not an integer" assertion-violation?
    'nanosleep '(0.5) (px.nanosleep 0.5 0))
  (test-raises "nanoseconds too large" assertion-violation?
    'nanosleep '(1000000000) (px.nanosleep 0 1000000000)))

(test-group "waitpid"
  (test-raises "no child: ECHILD" errno-condition?
    'waitpid '(-1 0) (px.waitpid -1 0))
  (test-raises "pid not a fixnum" assertion-violation?
    'waitpid '(a) (px.waitpid 'a 0))
  (test-raises "options not a fixnum" procedure-argument-violation?
    'waitpid '(b) (px.waitpid 0 'b)))

(test-end "posix")
