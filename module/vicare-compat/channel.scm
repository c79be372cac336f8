;;; (vicare-compat channel) -- Scheme values between processes, through
;;; shared memory (beyond Vicare).
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Commentary:
;;;
;;; A channel is a ring of FASL-encoded values in one shared mapping, for
;;; any number of producer and consumer processes; values are written and
;;; read in place, and a process killed at any instant never blocks the
;;; others, tears a value, delivers one twice or loses one that was put.
;;; The C side is src/channel*.c; the "Channels" chapter of the manual
;;; documents the guarantees and the failure model.  Vicare has no such
;;; thing: the names are ours.  This module is not re-exported by
;;; (vicare-compat): its names (make-channel, channel?) would clash with
;;; those of Fibers.
;;;
;;; Code:

(define-module (vicare-compat channel)
  #:use-module ((vicare-compat primitives) #:prefix %)
  #:use-module ((rnrs conditions)
                #:select (define-condition-type condition
                          (&error . &r6rs-error) (make-error . make-r6rs-error)
                          make-who-condition make-message-condition
                          make-irritants-condition))
  #:use-module ((rnrs exceptions) #:select ((raise . r6rs-raise)))
  #:use-module ((vicare-compat conditions)
                #:select (procedure-signature-argument-violation))
  #:use-module (srfi srfi-9)
  #:use-module ((srfi srfi-9 gnu) #:select (set-record-type-printer!))
  #:re-export ((%channel-try-put! . channel-try-put!)
               (%channel-try-get . channel-try-get)
               (%channel-close! . channel-close!)
               (%channel-closed? . channel-closed?)
               (%channel-detach! . channel-detach!)
               (%channel-unlink! . channel-unlink!)
               (%channel-unlink-stale! . channel-unlink-stale!)
               (%channel-port . channel-port)
               (%channel-capacity . channel-capacity)
               (%channel-name . channel-name))
  #:export (make-channel
            open-channel
            channel?
            channel-put!
            channel-get
            channel-get-into!
            &channel-closed-error
            make-channel-closed-error
            channel-closed-error?
            &channel-corrupt-error
            make-channel-corrupt-error
            channel-corrupt-error?))

;;; ------------------------------------------------------------- conditions

;; A put on a closed channel.
(define-condition-type &channel-closed-error &r6rs-error
  make-channel-closed-error channel-closed-error?)

;; The shared memory is not a consistent channel (or not a channel).
(define-condition-type &channel-corrupt-error &r6rs-error
  make-channel-corrupt-error channel-corrupt-error?)

;; How src/channel.c raises the two conditions above (KIND closed or
;; corrupt), and a plain &error (KIND error).
(define (%channel-raise kind who message irritants)
  (r6rs-raise
   (condition (case kind
                ((closed) (make-channel-closed-error))
                ((corrupt) (make-channel-corrupt-error))
                (else (make-r6rs-error)))
              (make-who-condition who)
              (make-message-condition message)
              (make-irritants-condition irritants))))

;;; ---------------------------------------------------------------- the type

;; Its one field is the pointer object to the C handle (src/channel.c),
;; which frees the handle when it is collected.
(define-record-type <channel>
  (%make-channel handle)
  channel?
  (handle %channel-handle))

(%%vc-register-channel-type! <channel>)

(set-record-type-printer! <channel>
  (lambda (channel port)
    (format port "#<channel ~a>" (or (%channel-name channel) "anonymous"))))

;;; ------------------------------------------------------------- procedures

;; The keyword arguments OPTIONS of WHO, which follow FIRST other
;; arguments: each of KEYS with its value (given twice, the last one
;; counts, as with Guile's own keyword arguments).  Return, for each of
;; KEYS in order, its value and the 1-based position of that value in the
;; call (#f and 0 when absent), as a flat list.  Anything else raises
;; an argument violation at its position: Guile's own keyword errors are
;; not conditions of the package.
(define (parse-options who options first keys)
  ;; Run by every get and put given an option: a vector of (value,
  ;; position) pairs, not a list of lists indexed by list-ref.
  (let ((found (make-vector (* 2 (length keys)) #f)))
    (let loop ((rest options) (pos (+ first 1)))
      (if (null? rest)
          (let collect ((i (- (vector-length found) 2)) (acc '()))
            (if (< i 0)
                acc
                (collect (- i 2)
                         (cons* (vector-ref found i)
                                (or (vector-ref found (+ i 1)) 0)
                                acc))))
          (let find ((ks keys) (i 0))
            (cond
             ((or (null? ks) (not (pair? (cdr rest))))
              (procedure-signature-argument-violation
               who pos (cons 'one-of keys) (car rest)))
             ((eq? (car ks) (car rest))
              (vector-set! found i (cadr rest))
              (vector-set! found (+ i 1) (+ pos 1))
              (loop (cddr rest) (+ pos 2)))
             (else (find (cdr ks) (+ i 2)))))))))

(define (make-channel capacity . options)
  "(make-channel capacity [#:name string] [#:spin seconds]) -- a new
channel whose ring holds CAPACITY bytes of encoded values (rounded up to
a page).  Without a name the channel is anonymous: processes forked
afterwards share it.  With #:name, other processes open it with
open-channel; the name is removed when this process detaches the
channel or exits.  #:spin is how long a get or put spins before it
sleeps (default 20 microseconds)."
  (%make-channel
   (apply %%vc-channel-make capacity
          (parse-options 'make-channel options 1 '(#:name #:spin)))))

(define (open-channel name . options)
  "(open-channel name [#:spin seconds]) -- open the channel another
process made with (make-channel capacity #:name name).  Detaching it
never removes the name."
  (%make-channel
   (apply %%vc-channel-open name
          (parse-options 'open-channel options 1 '(#:spin)))))

(define (channel-put! channel obj . options)
  "(channel-put! channel obj [#:timeout seconds]) -- put OBJ in CHANNEL,
waiting for space; return #t once it is in, or #f when TIMEOUT seconds
passed first.  Raises at once, writing nothing, when OBJ cannot be
FASL-encoded or is larger than the channel; raises
'&channel-closed-error' on a closed channel."
  (if (null? options)
      (%%vc-channel-put channel obj #f 0)
      (apply %%vc-channel-put channel obj
             (parse-options 'channel-put! options 2 '(#:timeout)))))

(define (channel-get channel . options)
  "(channel-get channel [#:timeout seconds] [#:default obj]) -- take the
next value from CHANNEL, waiting for one; return DEFAULT (#f) when
TIMEOUT seconds passed first, and the eof object once the channel is
closed and every value put in it has been taken."
  (if (null? options)
      (%%vc-channel-get channel #f 0 #f 0)
      (apply %%vc-channel-get channel
             (parse-options 'channel-get options 1 '(#:timeout #:default)))))

(define (channel-get-into! channel bytevector . options)
  "(channel-get-into! channel bytevector [#:timeout seconds] [#:default obj])
-- take the next value from CHANNEL as channel-get does, and return two
values.  When the value is a bytevector no longer than BYTEVECTOR, its
bytes are copied to the start of BYTEVECTOR, no new bytevector is made,
and the values are its length and BYTEVECTOR.  Otherwise they are #f and
what channel-get would have returned (the value, DEFAULT, or the eof
object): no value is ever lost."
  (if (null? options)
      (%%vc-channel-get-into channel bytevector #f 0 #f 0)
      (apply %%vc-channel-get-into channel bytevector
             (parse-options 'channel-get-into! options 2
                            '(#:timeout #:default)))))

(for-each
 (lambda (entry)
   (set-procedure-property! (car entry) 'documentation (cdr entry)))
 `((,make-channel-closed-error
    . "(make-channel-closed-error) Make a '&channel-closed-error' condition.")
   (,channel-closed-error?
    . "Is OBJ a condition with a '&channel-closed-error'?")
   (,make-channel-corrupt-error
    . "(make-channel-corrupt-error) Make a '&channel-corrupt-error' condition.")
   (,channel-corrupt-error?
    . "Is OBJ a condition with a '&channel-corrupt-error'?")
   (,%channel-try-put! . "(channel-try-put! channel obj) -- put OBJ in
CHANNEL if there is space now; return #t, or #f when it is full.  Raises
as channel-put! does.")
   (,%channel-try-get . "(channel-try-get channel [default]) -- take the
next value from CHANNEL if there is one now; else return DEFAULT (#f),
or the eof object when the channel is closed and drained.")
   (,%channel-close! . "(channel-close! channel) -- close CHANNEL: puts
are refused from now on; gets take what is left, then return the eof
object.")
   (,%channel-closed? . "(channel-closed? channel) -- #t when CHANNEL was
closed, by any process.")
   (,%channel-detach! . "(channel-detach! channel) -- unmap CHANNEL from
this process; later operations on it raise.  Detaching the channel in
the process that named it also removes its name.  Detaching twice does
nothing.")
   (,%channel-unlink! . "(channel-unlink! name) -- remove the name of a
named channel; processes that opened it keep using it.")
   (,%channel-unlink-stale! . "(channel-unlink-stale! [prefix]) -- remove
the names of the channels whose creator died without removing them
(only those starting with PREFIX, a string, when given); return the list
of names removed.")
   (,%channel-port . "(channel-port channel) -- an input port of this
process that is readable when a value may be waiting in CHANNEL, for
select, poll or an event loop.  It stays readable until a get of this
process finds nothing.  Never read from it.")
   (,%channel-capacity . "(channel-capacity channel) -- the bytes of
CHANNEL's ring.  A value's encoding may take up to 32 bytes less.")
   (,%channel-name . "(channel-name channel) -- the name of CHANNEL, as
\"/name\", or #f when it is anonymous.")))

;;; channel.scm ends here
