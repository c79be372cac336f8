;;; fasl-ports.scm -- fasl-read and fasl-write on every kind of port.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; fasl-read takes exactly a datum's bytes from a port, by different
;;; paths: an unbuffered socket is peeked at, an unbuffered pipe or
;;; custom port gets reads of the bytes the datum surely needs, a
;;; buffered port hands over what it holds and gets back what follows
;;; the datum.  On each path: several data in a row, the byte after the
;;; last one still there, data arriving in pieces, the hostile inputs
;;; with the errors and offsets of fasl-decode, where the port is left
;;; after an error on every kind of port, and how many reads and
;;; writes reach the port.  Threads write while the reader reads; an
;;; alarm turns a hang into a failure.

(use-modules (test-suite harness)
             (test-suite fasl-util)
             (vicare-compat)
             (rnrs bytevectors)
             ((rnrs io ports)
              #:select (open-bytevector-input-port open-bytevector-output-port
                        make-custom-binary-input-port
                        make-custom-binary-output-port
                        get-u8 put-u8 lookahead-u8 get-bytevector-n
                        get-bytevector-all put-bytevector eof-object))
             ((ice-9 binary-ports) #:select (unget-bytevector))
             (ice-9 threads)
             (srfi srfi-1))

(test-begin "fasl-ports")

;;; ------------------------------------------------------------ the paths

;; Each path: (name . make), MAKE returns (reader writer close): a port
;; to read from, a port whose bytes the reader gets (written by the
;; caller, who calls force-output), and a thunk that closes both.
(define (socket-path buffered?)
  (lambda ()
    (let ((s (socketpair AF_UNIX SOCK_STREAM 0)))
      (setvbuf (car s) (if buffered? 'block 'none))
      (setvbuf (cdr s) 'none)
      (list (car s) (cdr s)
            (lambda () (close-port (car s)) (close-port (cdr s)))))))

(define (pipe-path buffered?)
  (lambda ()
    (let ((p (pipe)))
      (setvbuf (car p) (if buffered? 'block 'none))
      (setvbuf (cdr p) 'none)
      (list (car p) (cdr p)
            (lambda () (close-port (car p)) (close-port (cdr p)))))))

(define paths
  `(("unbuffered socket" . ,(socket-path #f))
    ("buffered socket" . ,(socket-path #t))
    ("unbuffered pipe" . ,(pipe-path #f))
    ("buffered pipe" . ,(pipe-path #t))))

;; Write BYTES to PORT from a new thread, in pieces of CHUNK bytes;
;; then close PORT if CLOSE?.  Returns the thread.
(define* (write-in-thread port bytes #:key (chunk 7000) close?)
  (call-with-new-thread
   (lambda ()
     (let loop ((i 0))
       (when (< i (bytevector-length bytes))
         (let ((n (min chunk (- (bytevector-length bytes) i))))
           (put-bytevector port bytes i n)
           (force-output port)
           (loop (+ i n)))))
     (when close?
       (if (file-port? port)
           (shutdown-or-close port)
           (close-port port))))))

(define (shutdown-or-close port)
  ;; A socket's write side is shut down (the reader then sees the end of
  ;; the input while the socket stays open); a pipe's end is closed.
  (catch 'system-error
    (lambda () (shutdown port 1))
    (lambda _ (close-port port))))

(define (with-path make proc)
  (let* ((p (make)) (reader (car p)) (writer (cadr p)) (close (caddr p)))
    (alarm 120)
    (let ((result (proc reader writer)))
      (alarm 0)
      (close)
      result)))

(define (concat . bvs)
  (let* ((n (apply + (map bytevector-length bvs)))
         (out (make-bytevector n)))
    (let loop ((bvs bvs) (i 0))
      (if (null? bvs)
          out
          (begin
            (bytevector-copy! (car bvs) 0 out i (bytevector-length (car bvs)))
            (loop (cdr bvs) (+ i (bytevector-length (car bvs)))))))))

;;; ----------------------------------------------- data in a row, on all paths

(define data
  (list '(1 2)
        "x"
        `(1 "two" three 4.0 #vu8(5 6 7) ,(iota 10))
        (iota 20000)
        (make-bytevector 300000 9)
        (make-vector 3000 "s")
        (list->string (map integer->char (iota 500 #x3b0)))
        (expt 7 400)))

(for-each
 (lambda (path)
   (let ((name (car path)) (make (cdr path)))
     (test-equal (string-append name ": data in a row, then the byte after")
       (append data (list 42))
       (with-path make
         (lambda (reader writer)
           (let ((t (write-in-thread
                     writer
                     (apply concat (append (map fasl-encode data)
                                           (list #vu8(42)))))))
             (let* ((back (map (lambda (_) (fasl-read reader)) data))
                    (after (get-u8 reader)))
               (join-thread t)
               (append back (list after)))))))
     (test-equal (string-append name ": a datum arriving one byte at a time")
       (list (list-head data 3) 42)
       (with-path make
         (lambda (reader writer)
           (let ((t (write-in-thread
                     writer (concat (fasl-encode (list-head data 3)) #vu8(42))
                     #:chunk 1)))
             (let* ((x (fasl-read reader)) (after (get-u8 reader)))
               (join-thread t)
               (list x after))))))
     (test-equal (string-append name ": fasl-write, then fasl-read")
       (list data 'done)
       (with-path make
         (lambda (reader writer)
           (let ((t (call-with-new-thread
                     (lambda ()
                       (fasl-write data writer)
                       (fasl-write 'done writer)
                       (force-output writer)))))
             (let* ((a (fasl-read reader)) (b (fasl-read reader)))
               (join-thread t)
               (list a b))))))))
 paths)

;;; ---------------------------------------------- hostile input, on all paths

(define bad (read-data-file "fasl-bad-vectors.scm"))

;; What reading BV gives: (value), or (condition-kind who offset).
(define (result thunk)
  (let ((e (catch-condition thunk)))
    (cond ((not (condition? e)) (list 'value))
          ((fasl-read-error? e)
           (list (if (i/o-wrong-fasl-header-error? e) 'header 'fasl)
                 (fasl-read-error-offset e)))
          (else (list 'other e)))))

(define (condition? x)
  (and (not (eq? x 'no-condition)) (exception? x)))

(for-each
 (lambda (path)
   (let ((name (car path)) (make (cdr path)))
     (test-equal (string-append name ": hostile inputs read as from a bytevector port")
       (map (lambda (entry)
              (let ((bv (hex->bytevector (cadr entry))))
                (result (lambda ()
                          (fasl-read (open-bytevector-input-port bv))))))
            bad)
       (map (lambda (entry)
              (let ((bv (hex->bytevector (cadr entry))))
                (with-path make
                  (lambda (reader writer)
                    (let ((t (write-in-thread writer bv #:close? #t)))
                      (let ((r (result (lambda () (fasl-read reader)))))
                        (join-thread t)
                        r))))))
            bad))))
 paths)

(test-assert "the hostile inputs give errors with offsets"
  (every (lambda (entry)
           (let ((r (result (lambda ()
                              (fasl-read (open-bytevector-input-port
                                          (hex->bytevector (cadr entry))))))))
             (or (equal? r '(value)) (integer? (cadr r)))))
         bad))

;;; ------------------------------------------------------- after an error

;; Each kind of port, over the bytes of a bytevector and then the end of
;; the input: (name . make), MAKE taking the bytes and returning (port
;; close).
(define (temporary-file bytes)
  (let* ((out (mkstemp! (string-copy "/tmp/fasl-ports-XXXXXX")))
         (name (port-filename out)))
    (put-bytevector out bytes)
    (close-port out)
    name))

(define (file-kind buffered?)
  (lambda (bytes)
    (let* ((name (temporary-file bytes)) (port (open-file name "rb")))
      (delete-file name)
      (unless buffered? (setvbuf port 'none))
      (list port (lambda () (close-port port))))))

(define* (custom-kind buffered? #:key (most 1000000))
  (lambda (bytes)
    (let* ((pos 0)
           (port (make-custom-binary-input-port
                  "bytes"
                  (lambda (bv start count)
                    (let ((n (min count most
                                  (- (bytevector-length bytes) pos))))
                      (bytevector-copy! bytes pos bv start n)
                      (set! pos (+ pos n))
                      n))
                  #f #f #f)))
      (unless buffered? (setvbuf port 'none))
      (list port (lambda () (close-port port))))))

(define (soft-kind bytes)
  (let* ((pos 0)
         (port (make-soft-port
                (vector #f #f #f
                        (lambda ()
                          (if (< pos (bytevector-length bytes))
                              (let ((b (bytevector-u8-ref bytes pos)))
                                (set! pos (+ pos 1))
                                (integer->char b))
                              (eof-object)))
                        #f)
                "r")))
    (set-port-encoding! port "ISO-8859-1")
    (list port (lambda () (close-port port)))))

(define (stream-kind make)
  (lambda (bytes)
    (let* ((p (make)) (reader (car p)) (writer (cadr p)) (close (caddr p))
           (t (write-in-thread writer bytes #:close? #t)))
      (list reader (lambda () (join-thread t) (close))))))

(define (open-bytevector-input-port* bytes)
  (let ((port (open-bytevector-input-port bytes)))
    (list port (lambda () (close-port port)))))

(define kinds
  `(("bytevector port" . ,open-bytevector-input-port*)
    ("file port" . ,(file-kind #t))
    ("unbuffered file port" . ,(file-kind #f))
    ("custom port" . ,(custom-kind #t))
    ("unbuffered custom port" . ,(custom-kind #f))
    ("custom port giving 3 bytes a read" . ,(custom-kind #t #:most 3))
    ("soft port" . ,soft-kind)
    ,@(map (lambda (path) (cons (car path) (stream-kind (cdr path))))
           paths)))

(define header (string->utf8 "#@IK02"))

;; A vector of 3000 elements, more than a port's buffer holds, whose
;; first element is a character that is no Unicode scalar value: the
;; bytes are well formed, their content is not.
(define long-bad-vector
  (let ((bv (fasl-encode (list->vector (cons #\x10000 (make-list 2999 7))))))
    (bytevector-u32-set! bv 16 #xD800 (endianness little))
    bv))

;; A vector of 3000 fixnums whose last tag is unknown.
(define long-bad-tag
  (let ((bv (fasl-encode (make-vector 3000 7))))
    (bytevector-u8-set! bv (- (bytevector-length bv) 9) (char->integer #\Z))
    bv))

(define (bytevector-tail bv k)
  (let ((out (make-bytevector (- (bytevector-length bv) k))))
    (bytevector-copy! bv k out 0 (bytevector-length out))
    out))

;; (name bad-bytes consumed): a faulty datum, followed by a good one and
;; a byte, and how many of its bytes fasl-read consumes: the whole datum
;; when its end can be found, else up to the first impossible byte.
(define faults
  `(("a complete datum that is wrong"
     ,(concat header (u8-list->bytevector '(67 0 #xD8 0 0))) 11)
    ("a long datum that is wrong from its start"
     ,long-bad-vector ,(bytevector-length long-bad-vector))
    ("an unknown tag" ,(concat header (string->utf8 "Z")) 7)
    ("a length beyond the format's limits"
     ,(concat header (string->utf8 "s") #vu8(0 0 0 0 0 0 0 #x40)) 7)
    ("a wrong header" ,(string->utf8 "#@IK03N") 6)
    ("a bignum size that is no multiple of 8"
     ,(concat header (string->utf8 "b") #vu8(9 0 0 0 0 0 0 0)) 7)
    ;; Pairs nested in their cars: the millionth opens one level too many.
    ("a nesting too deep"
     ,(concat header (make-bytevector 1000010 (char->integer #\P)))
     ,(+ 6 1000000 1))
    ("an unknown tag at the end of a long datum"
     ,long-bad-tag ,(- (bytevector-length long-bad-tag) 8))))

(define following (concat (fasl-encode 'ok) #vu8(42)))

(define (read-after-error make bytes)
  ;; (fasl-read-error? the-bytes-left), the port read to its end.
  (let* ((p (make bytes)) (port (car p)) (close (cadr p)))
    (alarm 120)
    (let* ((e (catch-condition (lambda () (fasl-read port))))
           (left (get-bytevector-all port)))
      (alarm 0)
      (close)
      (list (fasl-read-error? e) (if (eof-object? left) #vu8() left)))))

(for-each
 (lambda (kind)
   (let ((name (car kind)) (make (cdr kind)))
     (for-each
      (lambda (fault)
        (let ((bytes (concat (cadr fault) following)))
          (test-equal (string-append name ", " (car fault)
                                     ": the port is past it")
            (list #t (bytevector-tail bytes (caddr fault)))
            (read-after-error make bytes))))
      faults)
     (let ((bytes (fasl-encode (iota 100))))
       (test-equal (string-append name ", a truncated datum: at the end")
         (list #t #vu8())
         (read-after-error
          make (u8-list->bytevector
                (list-head (bytevector->u8-list bytes)
                           (- (bytevector-length bytes) 3))))))))
 kinds)

;; Every input the fuzzer found, and every hostile one, followed by three
;; bytes: each kind of port reports the same fault at the same offset
;; and leaves the same bytes, as a bytevector port does.
(define (outcome make bytes)
  (let* ((p (make bytes)) (port (car p)) (close (cadr p)))
    (alarm 120)
    (let* ((r (result (lambda () (fasl-read port))))
           (left (get-bytevector-all port)))
      (alarm 0)
      (close)
      (list r (if (eof-object? left) 0 (bytevector-length left))))))

(let ((inputs (map (lambda (entry)
                     (concat (hex->bytevector (cadr entry)) #vu8(1 2 3)))
                   (append (read-data-file "fasl-fuzz-regressions.scm")
                           bad))))
  (for-each
   (lambda (kind)
     (test-equal (string-append (car kind) ": malformed inputs end as on a "
                                "bytevector port")
       (map (lambda (bytes) (outcome open-bytevector-input-port* bytes))
            inputs)
       (map (lambda (bytes) (outcome (cdr kind) bytes)) inputs)))
   (cdr kinds)))

;; The port's own error stops fasl-read in the middle of a datum: the
;; bytes taken go back, and the datum can be read again.
(for-each
 (lambda (buffered?)
   (let* ((datum (list (iota 400) "two" 'three))
          (bytes (concat (fasl-encode datum) #vu8(42)))
          (pos 0) (calls 0)
          (port (make-custom-binary-input-port
                 "failing"
                 (lambda (bv start count)
                   (set! calls (+ calls 1))
                   (when (= calls 3)
                     (error "the device failed"))
                   (let ((n (min count 100 (- (bytevector-length bytes) pos))))
                     (bytevector-copy! bytes pos bv start n)
                     (set! pos (+ pos n))
                     n))
                 #f #f #f)))
     (unless buffered? (setvbuf port 'none))
     (test-equal (format #f "~a custom port whose read fails: nothing consumed"
                         (if buffered? "buffered" "unbuffered"))
       (list #t datum 42)
       (let* ((e (catch-condition (lambda () (fasl-read port))))
              (x (fasl-read port)))
         (list (and (condition? e) (not (fasl-read-error? e)))
               x (get-u8 port))))))
 '(#t #f))

;;; ------------------------------------------------- what reaches the port

;; An unbuffered custom port over BYTES that records the size of each
;; read asked of it.
(define (counting-input-port bytes)
  (let ((pos 0) (asked '()))
    (define (read! bv start count)
      (set! asked (cons count asked))
      (let ((n (min count (- (bytevector-length bytes) pos))))
        (bytevector-copy! bytes pos bv start n)
        (set! pos (+ pos n))
        n))
    (let ((port (make-custom-binary-input-port "counting" read! #f #f #f)))
      (setvbuf port 'none)
      (values port (lambda () (reverse asked)) (lambda () pos)))))

(let* ((datum (list (iota 60) (make-string 200 #\a) 'sym
                    (make-vector 20 "str") (make-bytevector 100 1) 2.5))
       (bytes (fasl-encode datum)))
  (test-assert "the datum for the read count is about 1 KiB"
    (<= 900 (bytevector-length bytes) 1100))
  (call-with-values
      (lambda () (counting-input-port (concat bytes #vu8(1 2 3))))
    (lambda (port asked taken)
      (test-equal "unbuffered custom port: the datum" datum (fasl-read port))
      (test-equal "unbuffered custom port: no byte taken past the datum"
        (bytevector-length bytes) (taken))
      (test-assert (format #f "unbuffered custom port: few reads (~a)"
                           (length (asked)))
        (<= (length (asked)) 40))
      (test-assert "unbuffered custom port: no read of one byte at a time"
        (< (count (lambda (n) (= n 1)) (asked)) 10))
      (test-equal "unbuffered custom port: the bytes after are there"
        #vu8(1 2 3) (get-bytevector-n port 3)))))

;; An unbuffered custom output port that records the size of each write.
(define (counting-output-port)
  (let ((sizes '()) (out (open-bytevector-output-port)))
    (define (write! bv start count)
      (set! sizes (cons count sizes))
      (put-bytevector out bv start count)
      count)
    (let ((port (make-custom-binary-output-port "counting" write! #f #f #f)))
      (setvbuf port 'none)
      (values port (lambda () (reverse sizes))))))

(for-each
 (lambda (datum writes)
   (call-with-values counting-output-port
     (lambda (port sizes)
       (fasl-write datum port)
       (test-equal (format #f "unbuffered port: ~a write(s) for ~a bytes" writes
                           (bytevector-length (fasl-encode datum)))
         writes (length (sizes))))))
 (list 1 '(1 "two") (make-string 200 #\a) (make-vector 100 "abcdefgh")
       (make-bytevector 200000 1) (iota 100000))
 ;; One per datum, one per piece of 256 KiB, a big bytevector straight.
 '(1 1 1 1 2 4))

;;; ---------------------------------------------- bytes the port already has

(test-equal "unbuffered socket: after lookahead-u8" '((1 2) 7)
  (with-path (socket-path #f)
    (lambda (reader writer)
      (put-bytevector writer (concat (fasl-encode '(1 2)) #vu8(7)))
      (lookahead-u8 reader)
      (let* ((x (fasl-read reader)) (after (get-u8 reader)))
        (list x after)))))

(test-equal "after unget-bytevector of two data and a byte"
  '("one" (2) 9)
  (let ((port (open-bytevector-input-port #vu8())))
    (unget-bytevector port (concat (fasl-encode "one") (fasl-encode '(2))
                                   #vu8(9)))
    (let* ((a (fasl-read port)) (b (fasl-read port)))
      (list a b (get-u8 port)))))

(test-equal "unbuffered socket: after unget-bytevector" '("one" (2) 9 (3))
  (with-path (socket-path #f)
    (lambda (reader writer)
      (put-bytevector writer (fasl-encode '(3)))
      (unget-bytevector reader (concat (fasl-encode "one") (fasl-encode '(2))
                                       #vu8(9)))
      (let* ((a (fasl-read reader)) (b (fasl-read reader))
             (c (get-u8 reader)) (d (fasl-read reader)))
        (list a b c d)))))

(test-end "fasl-ports")
