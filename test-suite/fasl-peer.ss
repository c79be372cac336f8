;;; fasl-peer.ss -- the Ikarus side of test-suite/fasl-interop.scm.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later
;;;
;;; Usage:
;;;   ikarus --r6rs-script fasl-peer.ss write SPECS OUT
;;;   ikarus --r6rs-script fasl-peer.ss read SPECS HEXES OUT
;;;
;;; SPECS holds one datum description per line (the format is documented
;;; in fasl-interop.scm, which generates it); both sides build the datum
;;; from it, so no random generator has to be written twice.
;;;
;;; write: for each description, build the datum and write the hex of
;;;   Ikarus's fasl-write output as one line of OUT.
;;; read: HEXES holds, line by line, the hex that guile-vicare-compat wrote
;;;   for the same descriptions, a space and 1 or 0: whether to re-encode
;;;   (Ikarus's writer hangs on a hashtable that reaches itself).  For each one, fasl-read it, print it with
;;;   print-graph (so sharing and cycles show as #n= labels) and compare
;;;   with the printed form of the datum built from the description, then
;;;   fasl-write what was read.  One line of OUT per datum:
;;;     ok HEX             the printed forms agree; HEX is Ikarus's re-encoding
;;;     ok -               the same, not re-encoded
;;;     mismatch READ BUILT
;;;     error MESSAGE      fasl-read failed
;;;
;;; Written for guile-vicare-compat; no Ikarus code is copied.

(import (ikarus))

;;; ------------------------------------------------------------ the types

(define-record-type fi-pair (fields (mutable x) (mutable y))
  (nongenerative fi-pair-uid))
(define-record-type fi-triple (parent fi-pair) (fields (mutable z))
  (nongenerative fi-triple-uid) (sealed #t))
(define-record-type fi-leaf (fields a b) (nongenerative fi-leaf-uid))

;;; ------------------------------------------------- building from a spec

(define (bits->flonum bits)
  (let ((bv (make-bytevector 8 0)))
    (bytevector-u64-set! bv 0 bits 'little)
    (bytevector-ieee-double-ref bv 0 'little)))

(define (gensym-from pretty unique)
  ;; The only portable way to name a gensym's unique string is the reader.
  (read (open-string-input-port
         (string-append "#{" (list->string (map integer->char pretty))
                        " |" (list->string (map integer->char unique)) "|}"))))

(define (leaf-kind? k)
  (memq k '(string bytes flo big rat cplx sym gensym)))

(define (build-datum spec)
  ;; spec = (datum ROOT NODES)
  (let* ((nodes (list->vector (caddr spec)))
         (objs (make-vector (vector-length nodes) #f)))
    (define (ref v)
      (case (car v)
        ((n) '())
        ((t) #t)
        ((f) #f)
        ((eof) (eof-object))
        ((void) (void))
        ((int) (cadr v))
        ((char) (integer->char (cadr v)))
        ((r) (vector-ref objs (cadr v)))
        (else (error 'ref "bad value" v))))
    (define (leaf n)
      (case (car n)
        ((string) (list->string (map integer->char (cdr n))))
        ((bytes) (u8-list->bytevector (cdr n)))
        ((flo) (bits->flonum (cadr n)))
        ((big) (+ (cadr n) 0))
        ((rat) (/ (cadr n) (caddr n)))
        ((cplx) (make-rectangular (bits->flonum (cadr n))
                                  (bits->flonum (caddr n))))
        ((sym) (string->symbol (list->string (map integer->char (cdr n)))))
        ((gensym) (gensym-from (cadr n) (caddr n)))))
    (define (allocate n)
      (case (car n)
        ((pair) (cons #f #f))
        ((vector) (make-vector (length (cdr n)) #f))
        ((rec)
         (case (cadr n)
           ((fi-pair) (make-fi-pair #f #f))
           ((fi-triple) (make-fi-triple #f #f #f))
           ((fi-leaf) (make-fi-leaf (ref (caddr n)) (ref (cadddr n))))))
        ((eqht) (make-eq-hashtable))
        ((eqvht) (make-eqv-hashtable))))
    (define (fill! o n)
      (case (car n)
        ((pair) (set-car! o (ref (cadr n))) (set-cdr! o (ref (caddr n))))
        ((vector) (let loop ((i 0) (vs (cdr n)))
                    (unless (null? vs)
                      (vector-set! o i (ref (car vs)))
                      (loop (+ i 1) (cdr vs)))))
        ((rec)
         (let ((args (map ref (cddr n))))
           (case (cadr n)
             ((fi-pair) (fi-pair-x-set! o (car args))
              (fi-pair-y-set! o (cadr args)))
             ((fi-triple) (fi-pair-x-set! o (car args))
              (fi-pair-y-set! o (cadr args))
              (fi-triple-z-set! o (caddr args)))
             ((fi-leaf) #f))))
        ((eqht eqvht)
         (for-each (lambda (kv) (hashtable-set! o (ref (car kv)) (ref (cadr kv))))
                   (cdr n)))))
    (define (each proc)
      (let loop ((i 0))
        (when (< i (vector-length nodes))
          (proc i (vector-ref nodes i))
          (loop (+ i 1)))))
    ;; Leaves first, then containers (an immutable record field refers to
    ;; leaves only), then the containers' contents: cycles need no order.
    (each (lambda (i n) (when (leaf-kind? (car n)) (vector-set! objs i (leaf n)))))
    (each (lambda (i n) (unless (leaf-kind? (car n))
                          (vector-set! objs i (allocate n)))))
    (each (lambda (i n) (unless (leaf-kind? (car n))
                          (fill! (vector-ref objs i) n))))
    (ref (cadr spec))))

;;; ------------------------------------------------------------ bytes, hex

(define (bytes->hex bv)
  (let* ((n (bytevector-length bv))
         (s (make-string (* 2 n)))
         (digits "0123456789ABCDEF"))
    (let loop ((i 0))
      (when (< i n)
        (let ((b (bytevector-u8-ref bv i)))
          (string-set! s (* 2 i) (string-ref digits (fxsra b 4)))
          (string-set! s (+ 1 (* 2 i)) (string-ref digits (fxand b 15))))
        (loop (+ i 1))))
    s))

(define (hex->bytes s)
  (let* ((n (div (string-length s) 2))
         (bv (make-bytevector n)))
    (let loop ((i 0))
      (when (< i n)
        (bytevector-u8-set! bv i (string->number (substring s (* 2 i) (+ 2 (* 2 i))) 16))
        (loop (+ i 1))))
    bv))

(define (fasl-bytes x)
  (let-values (((port getter) (open-bytevector-output-port)))
    (fasl-write x port)
    (getter)))

(define (printed x)
  (parameterize ((print-graph #t))
    (call-with-string-output-port (lambda (p) (write x p)))))

(define (call-with-output-file* file proc)
  ;; R6RS call-with-output-file refuses an existing file.
  (let ((port (open-file-output-port file (file-options no-fail)
                                     (buffer-mode block) (native-transcoder))))
    (proc port)
    (close-port port)))

(define (read-lines file)
  (call-with-input-file file
    (lambda (p)
      (let loop ((acc '()))
        (let ((l (get-line p)))
          (if (eof-object? l) (reverse acc) (loop (cons l acc))))))))

(define (read-specs file)
  (call-with-input-file file
    (lambda (p)
      (let loop ((acc '()))
        (let ((x (read p)))
          (if (eof-object? x) (reverse acc) (loop (cons x acc))))))))

(define (condition-text e)
  (call-with-string-output-port
    (lambda (p)
      (when (who-condition? e) (write (condition-who e) p) (display ": " p))
      (when (message-condition? e) (display (condition-message e) p))
      (when (irritants-condition? e)
        (display " " p) (write (condition-irritants e) p)))))

;;; ------------------------------------------------------------------ main

(define (main args)
  (cond
   ((and (= (length args) 3) (equal? (car args) "write"))
    (let ((specs (read-specs (cadr args))))
      (call-with-output-file* (caddr args)
        (lambda (out)
          (for-each (lambda (spec)
                      (display (bytes->hex (fasl-bytes (build-datum spec))) out)
                      (newline out))
                    specs)))))
   ((and (= (length args) 4) (equal? (car args) "read"))
    (let ((specs (read-specs (cadr args)))
          (hexes (read-lines (caddr args))))
      (call-with-output-file* (cadddr args)
        (lambda (out)
          (for-each
           (lambda (spec line)
             (guard (e (#t (display "error " out)
                           (write (if (condition? e) (condition-text e) e) out)
                           (newline out)))
               (let* ((space (let loop ((i 0))
                               (if (char=? (string-ref line i) #\space) i (loop (+ i 1)))))
                      (hex (substring line 0 space))
                      (rewrite? (string=? (substring line (+ space 1) (string-length line))
                                          "1"))
                      (got (fasl-read (open-bytevector-input-port (hex->bytes hex))))
                      (want (build-datum spec))
                      (pg (printed got))
                      (pw (printed want)))
                 (cond ((not (string=? pg pw))
                        (display "mismatch " out) (write pg out)
                        (display " " out) (write pw out))
                       (rewrite?
                        (display "ok " out) (display (bytes->hex (fasl-bytes got)) out))
                       (else (display "ok -" out)))
                 (newline out))))
           specs hexes)))))
   (else
    (display "usage: fasl-peer.ss write SPECS OUT | read SPECS HEXES OUT\n"
             (current-error-port))
    (exit 2))))

(main (cdr (command-line)))
