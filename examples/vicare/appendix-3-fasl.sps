#!r6rs
;;; The third program of the appendix "Shared memory through mmap"
;;; of Vicare Scheme's manual, in its original form but for one
;;; parenthesis: as the manual prints it, the child's lambda ends with
;;; (exit)))) and px.fork closes only after (px.munmap ...), which becomes
;;; a third argument of px.fork, leaving unwind-protect without a cleanup
;;; (a syntax error for Vicare's unwind-protect too).  Here px.fork closes
;;; after the child's lambda: (exit))))).
;;; It runs on Guile with this package: guile appendix-3-fasl.sps
;;; SPDX-License-Identifier: GPL-3.0-or-later
(import (vicare)
  (prefix (vicare posix) px.)
  (vicare platform constants)
  (vicare language-extensions syntaxes))

(define data
  '(1 2 #(3 4) ciao "hello" #vu8(99 98 97)))

(let* ((shmem.len (* 16 (px.sysconf _SC_PAGESIZE)))
       (shmem.ptr (px.mmap #f shmem.len
                     (fxior PROT_READ PROT_WRITE)
                     (fxior MAP_SHARED MAP_ANONYMOUS)
                     0 0)))
  (unwind-protect
      (px.fork
         ;; Parent: wait for the child process, read the data
         ;; length, allocate a bytevector, read data.
         (lambda (child-pid)
           (px.waitpid child-pid 0)
           (let* ((bv.len (pointer-ref-c-signed-int shmem.ptr 0))
                  (bv     (make-bytevector bv.len)))
             (memory-copy bv 0 shmem.ptr SIZEOF_INT bv.len)
             (fasl-read (open-bytevector-input-port bv))))

         ;; Child: convert Scheme data into a fasl bytevector,
         ;; write data length, write data, finally exit.
         (lambda ()
           (let-values (((port getter) (open-bytevector-output-port)))
             (fasl-write data port)
             (let* ((bv     (getter))
                    (bv.len (bytevector-length bv)))
               (pointer-set-c-signed-int! shmem.ptr 0 bv.len)
               (memory-copy shmem.ptr SIZEOF_INT bv 0 bv.len)
               (exit)))))

    (px.munmap shmem.ptr shmem.len)))
