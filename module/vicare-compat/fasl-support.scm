;;; (vicare-compat fasl-support) -- what the C codec asks of Scheme.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Commentary:
;;;
;;; Private module.  Record types, R6RS hashtables and gensyms are built
;;; and taken apart by Scheme code, so the FASL codec (src/fasl-*.c) calls
;;; the procedures of the vector `fasl-support', in the order of
;;; `enum vc_fasl_support_index' in src/fasl.h.  The codec calls them only
;;; for those rare objects, once per distinct object and call, and not at
;;; all for a record type it has read or written lately (src/fasl-recent.c
;;; remembers them).  This
;;; module does not load the extension, so the C side can load it at any
;;; time.
;;;
;;; Gensyms: Guile's uninterned symbols play the part of Ikarus's gensyms.
;;; A table maps each unique name to its symbol (and back), so that
;;; reading the same gensym twice in one process gives the same (eq?)
;;; symbol, and writing an uninterned symbol always gives it the same
;;; unique name.  The table holds both weakly and is shared by all
;;; threads, under a mutex.
;;;
;;; Record types: Guile registers every nongenerative record type by uid
;;; in `prefab-record-types', a table of module (guile) that holds them
;;; strongly, so input naming ever new uids would grow memory forever.
;;; Loading this module makes that table hold its types weakly (see
;;; `weaken-record-type-table!' below).
;;;
;;; Code:

(define-module (vicare-compat fasl-support)
  #:use-module ((rnrs hashtables)
                #:select (make-eq-hashtable make-eqv-hashtable hashtable-set!
                          hashtable-size hashtable-entries
                          hashtable-equivalence-function
                          hashtable-hash-function))
  #:use-module ((rnrs records procedural)
                #:select (make-record-type-descriptor))
  #:use-module (ice-9 threads)
  #:use-module ((ice-9 ports internal)
                #:select (port-read-buffering port-read-buffer
                          port-buffer-cur port-buffer-end))
  #:export (fasl-support
            call-with-fasl-locks))

;;; ---------------------------------------------------------- record types

;; A nongenerative record type that nothing references any more -- no
;; type, instance, predicate, accessor -- cannot be told apart from the
;; same type made again later under its uid.  So the uid table may hold
;; its types weakly, and memory stays bounded by the live types.  Guile's
;; make-record-type reads the table through its top-level variable, so
;; setting the variable is enough.  The one difference: declaring a type
;; incompatible with a dead one under the same uid raises only until the
;; collector has freed the dead one.  Under a Guile without that variable,
;; nothing changes (memory then grows with the uids read).
(define (weaken-record-type-table!)
  (let ((var (module-variable (resolve-module '(guile)) 'prefab-record-types)))
    (when (and var (variable-bound? var))
      (let ((old (variable-ref var)))
        (when (and (hash-table? old) (not (weak-value-hash-table? old)))
          (let ((new (make-weak-value-hash-table)))
            (define (copy! uid rtd)
              (unless (hashq-ref new uid)
                (hashq-set! new uid rtd)))
            (hash-for-each copy! old)
            (variable-set! var new)
            ;; Again, for a type another thread registered meanwhile.
            (hash-for-each copy! old)))))))

(weaken-record-type-table!)

(define (rtd-info rtd)
  "#(name parent uid sealed? opaque? #((mutable? . name) ...)) for the
nongenerative record type RTD, listing its own fields; #f when RTD has no
uid, as the types of define-record-type without nongenerative."
  (let ((uid (record-type-uid rtd)))
    (and (symbol? uid)
         (let* ((parent (record-type-parent rtd))
                (skip (if parent (length (record-type-fields parent)) 0))
                (mutable (record-type-mutable-fields rtd))
                (own (list-tail (record-type-fields rtd) skip)))
           (vector (record-type-name rtd) parent uid
                   (not (record-type-extensible? rtd))
                   (and (record-type-opaque? rtd) #t)
                   (list->vector
                    (let loop ((names own) (k skip))
                      (if (null? names)
                          '()
                          (cons (cons (logbit? k mutable) (car names))
                                (loop (cdr names) (+ k 1)))))))))))

;; Guile's make-record-type looks the uid up, then registers a new type:
;; two threads reading the same new uid at once could each make a type of
;; their own (measured: hundreds in 20,000 uids).  The readers take turns.
;; Recursive, for a signal handler that reads during a read.
(define rtd-lock (make-mutex 'recursive))
(define gensym-lock (make-mutex))

;; fork (call-with-fasl-locks, below) forks while it holds both locks;
;; Guile's own primitive-fork does not wait for them, and a child forked
;; while another thread held one would inherit it locked by a thread it
;; does not have.  So a child makes its own locks before it first takes
;; one.
(define locks-pid (getpid))

(define (own-locks!)
  (unless (= locks-pid (getpid))
    (set! rtd-lock (make-mutex 'recursive))
    (set! gensym-lock (make-mutex))
    (set! unique-prefix #f)
    (set! locks-pid (getpid))))

(define (make-rtd name parent uid sealed? opaque? fields)
  "The record type read from a W entry, or a string saying why it cannot
be made (a uid already names an incompatible type)."
  (own-locks!)
  (lock-mutex rtd-lock)
  (let ((rtd (catch #t          ; so the lock is always released
               (lambda ()
                 (make-record-type-descriptor name parent uid sealed? opaque?
                                              fields))
               (lambda (key . args)
                 (format #f "cannot make record type ~s with uid ~s (~a)"
                         name uid key)))))
    (unlock-mutex rtd-lock)
    rtd))

(define (make-struct-rtd name uid field-names)
  "A record type for an Ikarus struct type read from an R entry: the uid
is the struct type's symbol, every field mutable."
  (make-rtd (if (string? name) (string->symbol name) name) #f uid #f #f
            (vector-map (lambda (n) (list 'mutable n)) field-names)))

(define (vector-map f v)
  (let* ((n (vector-length v)) (out (make-vector n)))
    (do ((i 0 (+ i 1))) ((= i n) out)
      (vector-set! out i (f (vector-ref v i))))))

;;; ------------------------------------------------------------ hashtables

(define hashtable-vtable (struct-vtable (make-eq-hashtable)))

(define (hashtable-contents table)
  "#(eq? keys values) for an eq or eqv hashtable, #f for one with a
custom hash function."
  (and (not (hashtable-hash-function table))
       (call-with-values (lambda () (hashtable-entries table))
         (lambda (keys values)
           (vector (eq? (hashtable-equivalence-function table) eq?)
                   keys values)))))

(define (make-hashtable eq?)
  (if eq? (make-eq-hashtable) (make-eqv-hashtable)))

(define (hashtable-fill! table keys values)
  "Fill TABLE; #f when two keys are the same."
  (let ((n (vector-length keys)))
    (do ((i 0 (+ i 1))) ((= i n))
      (hashtable-set! table (vector-ref keys i) (vector-ref values i)))
    (= (hashtable-size table) n)))

;;; --------------------------------------------------------------- gensyms

(define unique->symbol (make-weak-value-hash-table))
(define symbol->unique (make-weak-key-hash-table))

;; Unique names invented for uninterned symbols made in Guile: a random
;; prefix per process, then a counter.
(define (new-unique-prefix)
  (string-append "vc-" (number->string
                        (random (expt 2 62) (random-state-from-platform)) 36)
                 "-"))
(define unique-prefix (new-unique-prefix))
(define unique-counter 0)
;; A forked child inherits the prefix and the counter: own-locks! drops
;; the prefix, and the child makes its own when it first needs one, so
;; that it never invents the names its parent does.

(define (gensym-from pretty unique)
  "The uninterned symbol named PRETTY whose unique name is UNIQUE, the
same one every time within this process."
  (own-locks!)
  (with-mutex gensym-lock
    (or (hash-ref unique->symbol unique)
        (let ((sym (make-symbol pretty))
              (unique (string-copy unique)))
          (hash-set! unique->symbol unique sym)
          (hashq-set! symbol->unique sym unique)
          sym))))

(define (gensym-unique sym)
  "The unique name of the uninterned symbol SYM, invented on first use."
  (own-locks!)
  (with-mutex gensym-lock
    (or (hashq-ref symbol->unique sym)
        (let ((unique (begin
                        (unless unique-prefix
                          (set! unique-prefix (new-unique-prefix))
                          (set! unique-counter 0))
                        (string-append unique-prefix
                                       (number->string unique-counter 36)))))
          (set! unique-counter (+ unique-counter 1))
          (hash-set! unique->symbol unique sym)
          (hashq-set! symbol->unique sym unique)
          unique))))

;;; ---------------------------------------------------------------- fork

(define (call-with-fasl-locks thunk)
  "Call THUNK holding the locks of the FASL tables, and return its values.
fork of (vicare-compat posix) forks inside: a child forked while another
thread held one of them would inherit it locked, and hang at its next
FASL read of a record type or gensym.  Both processes then unlock their
own copy; so does a fork that fails and raises.  (A child of Guile's
primitive-fork makes new locks instead.)"
  (dynamic-wind
    (lambda ()
      (own-locks!)
      (lock-mutex rtd-lock)
      (lock-mutex gensym-lock))
    thunk
    (lambda ()
      (unlock-mutex gensym-lock)
      (unlock-mutex rtd-lock))))

;;; ----------------------------------------------------------------- ports

(define (input-buffered port)
  "The number of bytes waiting in the read buffer of input PORT when
PORT is buffered; minus one minus that number when it is unbuffered (its
next bytes then come straight from its file descriptor)."
  (let* ((buf (port-read-buffer port))
         (n (- (port-buffer-end buf) (port-buffer-cur buf))))
    (if (eqv? (port-read-buffering port) 1) (- -1 n) n)))

;;; ------------------------------------------------------------- the vector

(define fasl-support
  (vector record-type-vtable
          hashtable-vtable
          rtd-info
          hashtable-contents
          make-hashtable
          hashtable-fill!
          make-rtd
          make-struct-rtd
          gensym-from
          gensym-unique
          input-buffered))

;;; fasl-support.scm ends here
