;;; mmap-file.scm -- read a file through mmap, and change it through a
;;; shared mapping.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later
;;;
;;; Maps a file, reads its bytes through the pointer with the typed peek
;;; procedures, writes through a MAP_SHARED mapping, msyncs, and reads the
;;; file back with ordinary Guile I/O.

(use-modules (vicare-compat)
             ((vicare-compat posix) #:prefix px.)
             ((vicare-compat platform constants)
              #:select (MAP_SHARED MS_SYNC))
             (rnrs bytevectors)
             (ice-9 textual-ports))

(define file (string-append (or (getenv "TMPDIR") "/tmp")
                            "/vicare-compat-mmap-example-"
                            (number->string (getpid))))

(call-with-output-file file
  (lambda (port) (put-string port "Hello from a mapped file!\n")))

(let* ((port (open-file file "r+"))
       (fd (port->fdes port))
       (len (stat:size (stat file)))
       (mem (px.mmap #f len (fxior PROT_READ PROT_WRITE) MAP_SHARED fd 0)))
  (unwind-protect
      (begin
        ;; Read: the bytes are in memory; copy them into a bytevector.
        (display (utf8->string (memory->bytevector mem len)))
        ;; Peek single bytes.
        (format #t "first byte: ~a, last byte: ~a~%"
                (integer->char (pointer-ref-c-uint8 mem 0))
                (pointer-ref-c-uint8 mem (- len 1)))
        ;; Write through the shared mapping and flush it to the file.
        (memory-copy mem 0 (string->utf8 "Howdy") 0 5)
        (px.msync mem len MS_SYNC)
        (display (call-with-input-file file get-string-all)))
    (px.munmap mem len)
    (close-port port)
    (delete-file file)))
