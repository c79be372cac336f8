;;; appendix-3-fasl.scm -- the third program of Vicare's appendix "Shared
;;; memory through mmap", for Guile: the child sends a Scheme datum of
;;; unknown length to the parent, FASL-encoded, through shared memory.
;;; Changed from Vicare's text: the import form, the result is written
;;; out (a Guile script does not print the value of its expressions), and
;;; px.fork's closing parenthesis, which the manual puts after px.munmap
;;; (see examples/vicare/appendix-3-fasl.sps).
;;; Prints (1 2 #(3 4) ciao "hello" #vu8(99 98 97)).
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

(use-modules (vicare-compat) ((vicare-compat posix) #:prefix px.))

(define data
  '(1 2 #(3 4) ciao "hello" #vu8(99 98 97)))

(write
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

    (px.munmap shmem.ptr shmem.len))))
(newline)
