;;; memory.scm -- peak memory of a FASL read against the decoded data's size.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later
;;;
;;; Usage:
;;;   pre-inst-env guile bench/fasl/memory.scm prepare DIR
;;;     write DIR/<dataset>.fasl and DIR/<dataset>.txt (Guile's write)
;;;   pre-inst-env guile bench/fasl/memory.scm measure DIR DATASET FORM
;;;     FORM: decode (load the file into a bytevector, then fasl-decode),
;;;     read (fasl-read straight from a file port), text (Guile's read
;;;     from a file port); prints
;;;       MEMORY DATASET FORM OWN-BYTES PEAK-BYTES
;;;     OWN: how much the live heap grows, after a full collection, by
;;;     holding the decoded datum -- the data's own size.  PEAK: how much the
;;;     process's resident size peaked above what it was just before the
;;;     read (Linux VmHWM, reset through /proc/self/clear_refs).
;;; Each measurement needs a fresh process: a heap that has once held the
;;; dataset would hide the read's own growth.

(use-modules (vicare-compat fasl)
             (ice-9 binary-ports)
             (ice-9 rdelim)
             (ice-9 format))

(include "datasets.scm")

(define (status-kb field)
  ;; A "kB" field of /proc/self/status, in bytes.
  (call-with-input-file "/proc/self/status"
    (lambda (port)
      (let loop ()
        (let ((line (read-line port)))
          (cond ((eof-object? line) (error "no such field" field))
                ((string-prefix? field line)
                 (* 1024 (string->number
                          (car (string-tokenize (substring line (string-length field)))))))
                (else (loop))))))))

(define (reset-peak!)
  (call-with-output-file "/proc/self/clear_refs"
    (lambda (port) (display "5" port))))

(define (live-heap)
  (gc) (gc)
  (let ((stats (gc-stats)))
    (- (assq-ref stats 'heap-size) (assq-ref stats 'heap-free-size))))

(define (file-name dir dataset ext)
  (string-append dir "/" (symbol->string dataset) ext))

(define (prepare dir)
  (for-each
   (lambda (name)
     (let ((obj (make-dataset name)))
       (call-with-output-file (file-name dir name ".fasl")
         (lambda (port) (fasl-write obj port))
         #:binary #t)
       (call-with-output-file (file-name dir name ".txt")
         (lambda (port) (write obj port)))))
   dataset-names))

(define (measure dir dataset form)
  (let* ((input (and (eq? form 'decode)
                     ;; One allocation of the exact size: no garbage whose
                     ;; pages the read could reuse unseen.
                     (let ((file (file-name dir dataset ".fasl")))
                       (call-with-input-file file
                         (lambda (port)
                           (get-bytevector-n port (stat:size (stat file))))
                         #:binary #t))))
         (port (case form
                 ((read) (open-input-file (file-name dir dataset ".fasl") #:binary #t))
                 ((text) (open-input-file (file-name dir dataset ".txt")))
                 (else #f)))
         (before (live-heap))
         (rss-before (begin (reset-peak!) (status-kb "VmRSS:")))
         (datum (case form
                  ((decode) (fasl-decode input))
                  ((read) (fasl-read port))
                  ((text) (read port))))
         (peak (- (status-kb "VmHWM:") rss-before))
         (own (- (live-heap) before)))
    (format #t "MEMORY ~a ~a ~a ~a~%" dataset form own peak)
    ;; Keep everything alive up to the measurement.
    (list datum input port)))

(let ((args (cdr (command-line))))
  (cond ((and (= 2 (length args)) (string=? (car args) "prepare"))
         (prepare (cadr args)))
        ((and (= 4 (length args)) (string=? (car args) "measure"))
         (measure (cadr args) (string->symbol (caddr args))
                  (string->symbol (cadddr args)))
         *unspecified*)
        (else (display "usage: memory.scm prepare DIR | measure DIR DATASET FORM\n"
                       (current-error-port))
              (exit 2))))
