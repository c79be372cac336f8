;;; channel.scm -- (vicare-compat channel): operations, errors, close,
;;; named channels, the readiness port, threads and signals.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; Delivery across processes is in channel-delivery.scm, processes killed
;;; in channel-kill.scm, corrupted shared memory in channel-hostile.scm.
;;; Children are always reaped and names always removed (see
;;; channel-util.scm); nothing sleeps to synchronise: where a test must
;;; know that another process is waiting, it reads that process's state
;;; in /proc.

(use-modules (test-suite harness)
             (test-suite channel-util)
             (vicare-compat channel)
             (vicare-compat conditions)
             (vicare-compat platform constants)
             (vicare-compat atomics)
             ((vicare-compat posix) #:prefix px.)
             ((rnrs conditions) #:select (assertion-violation? who-condition?
                                          condition-who))
             (rnrs bytevectors)
             (srfi srfi-1)
             (ice-9 popen)
             (ice-9 rdelim)
             (ice-9 threads)
             ((system base compile) #:select (compile)))

(test-begin "channel")

;; Its forks follow sigaction: fork only once the signal thread is idle.
(settle-signal-delivery!)

(define datum '(1 "two" three 4.0 #vu8(5 6 7)))

;; The beginning of the names with-unique-name gives this process.
(define test-prefix (format #f "/vc-test-~a-" (getpid)))

;; (who index failed-expression) of an argument violation, or what else
;; was raised.
(define (argument-error thunk)
  (let ((e (catch-condition thunk)))
    (if (procedure-signature-argument-violation? e)
        (list (condition-who e)
              (procedure-signature-argument-violation.one-based-argument-index e)
              (procedure-signature-argument-violation.failed-expression e))
        e)))

(test-group "one process"
  (let ((ch (make-channel 100)))
    (test-assert "channel?" (channel? ch))
    (test-assert "not a channel" (not (channel? (vector 1))))
    (test-equal "the capacity is rounded up to a page" 4096
      (channel-capacity ch))
    (test-equal "an anonymous channel has no name" #f (channel-name ch))
    (test-equal "try-get on an empty channel: #f" #f (channel-try-get ch))
    (test-equal "try-get with a default" 'none (channel-try-get ch 'none))
    (test-equal "get with a timeout of 0" 'd
      (channel-get ch #:timeout 0 #:default 'd))
    (test-equal "get with a timeout: the default when nothing comes" 'late
      (channel-get ch #:timeout 0.01 #:default 'late))
    (test-equal "get with a timeout and no default: #f" #f
      (channel-get ch #:timeout 0.001))
    (test-equal "put returns #t" #t (channel-put! ch datum))
    (test-equal "get returns the value" datum (channel-get ch))
    (test-equal "try-put returns #t" #t (channel-try-put! ch 42))
    (test-equal "try-get returns the value" 42 (channel-try-get ch))
    (test-equal "values come out in order"
      (iota 80)
      (begin
        (for-each (lambda (i) (channel-put! ch i)) (iota 80))
        (map (lambda (i) (channel-get ch)) (iota 80))))
    (for-each
     (lambda (v)
       (test-equal (format #f "round trip of ~a" (if (string? v) "a string" v))
         v (begin (channel-put! ch v) (channel-get ch))))
     (list 0 -1 (expt 2 100) 1/3 2.5 +inf.0 #\x "" "héllo" 'sym '()
           #t #f (vector 1 "a" #(2)) #vu8() (make-bytevector 3000 7)
           (make-string 1000 #\λ) (iota 300)))
    (test-assert "(make-channel 5000) holds 8192 bytes"
      (= 8192 (channel-capacity (make-channel 5000))))))

(test-group "sizes and writability"
  (let ((ch (make-channel 4096)))
    ;; A bytevector of N bytes encodes in N + 15 bytes, and a record takes
    ;; 32 bytes more.
    (test-equal "the largest value that fits" #t
      (channel-put! ch (make-bytevector (- 4096 32 15))))
    (test-equal "... and comes out" (- 4096 32 15)
      (bytevector-length (channel-get ch)))
    (test-raises "one byte more raises at once"
      procedure-arguments-consistency-violation? 'channel-put! '(4065 4096)
      (channel-put! ch (make-bytevector (- 4096 32 14))))
    (test-raises "so does try-put"
      procedure-arguments-consistency-violation? 'channel-try-put!
      (list (* 1024 1024 4 2) 4096)
      (channel-try-put! ch (make-bytevector (- (* 1024 1024 4 2) 15))))
    (test-equal "nothing was written" #f (channel-try-get ch))
    (test-raises-who "a procedure is not FASL-writable" assertion-violation?
      'channel-put! (channel-put! ch (list 1 car)))
    (test-raises-who "try-put: not FASL-writable" assertion-violation?
      'channel-try-put! (channel-try-put! ch (vector (current-output-port))))
    (test-equal "nothing was written either" #f (channel-try-get ch))
    ;; Fill it up: 1000-byte values take 1048 bytes each.
    (let ((bv (make-bytevector 1000 1)))
      (test-equal "three 1000-byte values fit in 4096 bytes" '(#t #t #t #f)
        (map (lambda (i) (channel-try-put! ch bv)) (iota 4)))
      (test-equal "put with a timeout on a full channel: #f" #f
        (channel-put! ch bv #:timeout 0.01))
      (test-equal "put with a timeout of 0 on a full channel: #f" #f
        (channel-put! ch bv #:timeout 0))
      (test-raises "too large raises even when full"
        procedure-arguments-consistency-violation? 'channel-put! '(5015 4096)
        (channel-put! ch (make-bytevector 5000)))
      (test-equal "a get makes room" #t
        (and (channel-get ch) (channel-try-put! ch bv)))
      (test-equal "what is in it is intact" (list bv bv bv #f)
        (map (lambda (i) (channel-try-get ch)) (iota 4))))))

(test-group "close"
  (let ((ch (make-channel 4096)))
    (channel-put! ch 1)
    (channel-put! ch 2)
    (test-equal "not closed yet" #f (channel-closed? ch))
    (channel-close! ch)
    (test-equal "closed" #t (channel-closed? ch))
    (test-raises "put after close" channel-closed-error? 'channel-put!
      (list ch) (channel-put! ch 3))
    (test-raises "try-put after close" channel-closed-error?
      'channel-try-put! (list ch) (channel-try-put! ch 3))
    (test-equal "what was put before is drained, then the eof object"
      (list 1 2 #t #t #t)
      (list (channel-get ch) (channel-get ch)
            (eof-object? (channel-get ch))
            (eof-object? (channel-try-get ch 'default))
            (eof-object? (channel-get ch #:timeout 0.5 #:default 'default))))
    (test-equal "closing twice is harmless" #t
      (begin (channel-close! ch) (channel-closed? ch)))
    (test-equal "another process sees it closed and drained" 0
      (with-children
       (lambda (spawn wait)
         (wait (spawn (lambda ()
                        (unless (and (channel-closed? ch)
                                     (eof-object? (channel-get ch)))
                          (error "not closed"))))))))))

(test-group "arguments"
  (let ((ch (make-channel 4096)))
    (test-equal "capacity 0" '(make-channel 1 positive-integer?)
      (argument-error (lambda () (make-channel 0))))
    (test-equal "capacity -1" '(make-channel 1 size_t?)
      (argument-error (lambda () (make-channel -1))))
    (test-equal "capacity not a number" '(make-channel 1 size_t?)
      (argument-error (lambda () (make-channel "big"))))
    (test-raises-who "capacity too large"
      procedure-arguments-consistency-violation? 'make-channel
      (make-channel (expt 2 60)))
    (test-equal "name not a string" '(make-channel 3 channel-name?)
      (argument-error (lambda () (make-channel 4096 #:name 'jobs))))
    (test-equal "name with a slash inside" '(make-channel 3 channel-name?)
      (argument-error (lambda () (make-channel 4096 #:name "/a/b"))))
    (test-equal "empty name" '(make-channel 3 channel-name?)
      (argument-error (lambda () (make-channel 4096 #:name "/"))))
    (test-equal "negative spin" '(make-channel 3 spin-seconds?)
      (argument-error (lambda () (make-channel 4096 #:spin -1))))
    (test-equal "put: not a channel" '(channel-put! 1 channel?)
      (argument-error (lambda () (channel-put! 'ch 1))))
    (test-equal "get: not a channel" '(channel-get 1 channel?)
      (argument-error (lambda () (channel-get "ch"))))
    (test-equal "try-get: not a channel" '(channel-try-get 1 channel?)
      (argument-error (lambda () (channel-try-get #f))))
    (test-equal "try-put: not a channel" '(channel-try-put! 1 channel?)
      (argument-error (lambda () (channel-try-put! #f 1))))
    (test-equal "close: not a channel" '(channel-close! 1 channel?)
      (argument-error (lambda () (channel-close! 1))))
    (test-equal "port: not a channel" '(channel-port 1 channel?)
      (argument-error (lambda () (channel-port 1))))
    (test-equal "put: negative timeout" '(channel-put! 4 non-negative-real?)
      (argument-error (lambda () (channel-put! ch 1 #:timeout -1))))
    (test-equal "get: timeout not a number" '(channel-get 3 non-negative-real?)
      (argument-error (lambda () (channel-get ch #:timeout 'soon))))
    (test-equal "get: NaN timeout" '(channel-get 3 non-negative-real?)
      (argument-error (lambda () (channel-get ch #:timeout +nan.0))))
    (test-equal "the position of a keyword's value counts the keywords"
      '(make-channel 5 spin-seconds?)
      (argument-error (lambda () (make-channel 4096 #:name "/x" #:spin 'no))))
    (test-equal "an unknown keyword" '(make-channel 2 (one-of #:name #:spin))
      (argument-error (lambda () (make-channel 4096 #:size 1))))
    (test-equal "a keyword without its value" '(channel-get 2 (one-of #:timeout #:default))
      (argument-error (lambda () (channel-get ch #:timeout))))
    (test-equal "an argument too many" '(channel-put! 3 (one-of #:timeout))
      (argument-error (lambda () (channel-put! ch 1 2))))
    (test-equal "open: an unknown keyword" '(open-channel 2 (one-of #:spin))
      (argument-error (lambda () (open-channel "/x" #:name "/y"))))
    (test-equal "get: NaN timeout, again" '(channel-get 3 non-negative-real?)
      (argument-error (lambda () (channel-get ch #:timeout +nan.0))))
    (test-equal "open: not a name" '(open-channel 1 channel-name?)
      (argument-error (lambda () (open-channel 42))))
    (test-equal "unlink: not a name" '(channel-unlink! 1 channel-name?)
      (argument-error (lambda () (channel-unlink! 42))))
    (test-equal "an infinite timeout waits like none" 7
      (begin (channel-put! ch 7) (channel-get ch #:timeout +inf.0)))))

(test-group "detach"
  (let ((ch (make-channel 4096)))
    (channel-put! ch 1)
    (channel-detach! ch)
    (test-equal "get on a detached channel" '(channel-get 1 attached-channel?)
      (argument-error (lambda () (channel-get ch))))
    (test-equal "put on a detached channel"
      '(channel-put! 1 attached-channel?)
      (argument-error (lambda () (channel-put! ch 1))))
    (test-equal "detaching twice is harmless" #t
      (begin (channel-detach! ch) (channel? ch)))
    (test-equal "a detached channel keeps its name" #f (channel-name ch))))

(test-group "processes"
  (let ((to-child (make-channel 4096))
        (to-parent (make-channel 4096)))
    (test-equal "an anonymous channel is shared across fork"
      '(0 (2 4 6 8 10))
      (with-children
       (lambda (spawn wait)
         (let ((pid (spawn (lambda ()
                             (let loop ()
                               (let ((v (channel-get to-child)))
                                 (unless (eof-object? v)
                                   (channel-put! to-parent (* 2 v))
                                   (loop))))))))
           (let ((replies (map (lambda (i)
                                 (channel-put! to-child i)
                                 (channel-get to-parent))
                               '(1 2 3 4 5))))
             (channel-close! to-child)
             (list (wait pid) replies))))))))

;; Run (PROC marks) in the parent, with a child that, once the parent
;; has set mark 0 and is asleep, sends it SIGNAL, then waits up to 10
;; seconds for mark 1 (set by the parent's handler) and puts (list 'value
;; MARK-1-SEEN?) in CH.  Returns what PROC returns, once the child has
;; ended.
(define (with-signalling-child ch signal proc)
  (let ((marks (shared-counters 2))
        (parent (getpid)))
    (with-children
     (lambda (spawn wait)
       (let* ((pid (spawn (lambda ()
                            (wait-until (lambda ()
                                          (and (= 1 (counter-ref marks 0))
                                               (eqv? #\S (process-state parent))))
                                        10)
                            (kill parent signal)
                            (let ((seen (wait-until
                                         (lambda ()
                                           (= 1 (counter-ref marks 1)))
                                         10)))
                              (channel-put! ch (list 'value (and seen #t)))))))
              (result (proc marks)))
         (wait pid)
         result)))))

(test-group "signals"
  (let ((ch (make-channel 4096))
        (old (sigaction SIGUSR1)))
    (dynamic-wind
      (const #t)
      (lambda ()
        (test-equal "a signal handler runs while get waits, then the get resumes"
          '((value #t) 1)
          (let ((handled 0))
            (with-signalling-child ch SIGUSR1
              (lambda (marks)
                (sigaction SIGUSR1
                  (lambda (sig)
                    (set! handled (+ handled 1))
                    (counter-set! marks 1 1)))
                (counter-set! marks 0 1)
                (let ((v (channel-get ch)))
                  (list v handled))))))
        (test-equal "a handler that escapes abandons the get" 'abandoned
          (with-signalling-child ch SIGUSR1
            (lambda (marks)
              (sigaction SIGUSR1
                (lambda (sig)
                  (counter-set! marks 1 1)
                  (throw 'escape)))
              (catch 'escape
                (lambda ()
                  (counter-set! marks 0 1)
                  (channel-get ch)
                  'not-abandoned)
                (lambda _ 'abandoned)))))
        (test-equal "the channel works after an abandoned get" '(value #t)
          (channel-get ch))
        (let ((full (make-channel 4096))
              (bv (make-bytevector 1000)))
          (test-equal "a handler that escapes abandons a put on a full channel"
            '(abandoned (#t #t #t #f))
            (let ((marks (shared-counters 1)) (parent (getpid)))
              (for-each (lambda (i) (channel-put! full bv)) (iota 3))
              (sigaction SIGUSR1 (lambda (sig) (throw 'escape)))
              (with-children
               (lambda (spawn wait)
                 (spawn (lambda ()
                          (wait-until (lambda ()
                                        (and (= 1 (counter-ref marks 0))
                                             (eqv? #\S (process-state parent))))
                                      10)
                          (kill parent SIGUSR1)))
                 (list (catch 'escape
                         (lambda ()
                           (counter-set! marks 0 1)
                           (channel-put! full bv)
                           'not-abandoned)
                         (lambda _ 'abandoned))
                       ;; Nothing of the abandoned put is left behind.
                       (map (lambda (i) (bytevector? (channel-try-get full)))
                            (iota 4)))))))))
      (lambda ()
        (sigaction SIGUSR1 (car old) (cdr old))))))

(test-group "readiness port"
  (let* ((ch (make-channel 4096))
         (port (channel-port ch)))
    (define (readable? timeout)
      (not (null? (car (select (list port) '() '() timeout)))))
    (test-assert "an input port" (input-port? port))
    (test-eq "the same port each time" port (channel-port ch))
    (test-equal "not readable while the channel is empty" #f (readable? 0))
    (test-equal "readable once another process puts a value"
      '(#t 0 hello #f #f)
      (with-children
       (lambda (spawn wait)
         (let* ((pid (spawn (lambda () (channel-put! ch 'hello))))
                (r (readable? 10))
                (status (wait pid))
                (v (channel-try-get ch)))
           (list r status v
                 (channel-try-get ch)   ; finds nothing: resets the port
                 (readable? 0))))))
    (test-equal "readable when a value is put in this process" #t
      (begin (channel-put! ch 1) (readable? 10)))
    (test-equal "still readable until a get finds nothing" '(1 #t #f #f)
      (let* ((v (channel-get ch))
             (r (readable? 0))
             (none (channel-try-get ch)))
        (list v r none (readable? 0))))
    (test-equal "readable at the end of a closed channel" '(#t #t)
      (begin
        (channel-close! ch)
        (list (readable? 10) (eof-object? (channel-try-get ch)))))
    (channel-detach! ch)
    (test-assert "detaching closes the port" (port-closed? port))))

(test-group "named channels"
  (with-unique-name "named"
    (lambda (name)
      (let ((ch (make-channel 4096 #:name name)))
        (test-equal "the name" name (channel-name ch))
        (test-assert "it exists in /dev/shm" (shm-exists? name))
        (test-equal "another process opens it by name and puts"
          '(0 from-child #t)
          (with-children
           (lambda (spawn wait)
             (let ((status (wait (spawn (lambda ()
                                          (let ((c (open-channel name)))
                                            (channel-put! c 'from-child)
                                            (channel-detach! c)))))))
               (list status (channel-get ch) (shm-exists? name))))))
        (test-equal "a second handle in the same process" 'both
          (let ((c (open-channel name)))
            (channel-put! c 'both)
            (channel-detach! c)
            (channel-get ch)))
        (test-assert "detaching an opened handle leaves the name"
          (shm-exists? name))
        (test-equal "opened with the name without its slash" 'short
          (let ((c (open-channel (substring name 1))))
            (channel-put! c 'short)
            (channel-detach! c)
            (channel-get ch)))
        (test-equal "making it again: EEXIST" EEXIST
          (condition-errno
           (catch-condition (lambda () (make-channel 4096 #:name name)))))
        (channel-detach! ch)
        (test-assert "detaching the creator's handle removes the name"
          (not (shm-exists? name))))))
  (with-unique-name "missing"
    (lambda (name)
      (test-equal "opening a missing name: ENOENT" ENOENT
        (condition-errno (catch-condition (lambda () (open-channel name)))))
      (test-equal "unlinking a missing name: ENOENT" ENOENT
        (condition-errno (catch-condition (lambda () (channel-unlink! name)))))))
  (with-unique-name "unlink"
    (lambda (name)
      (let ((ch (make-channel 4096 #:name name)))
        (channel-unlink! name)
        (test-equal "channel-unlink! removes the name" #f (shm-exists? name))
        (test-equal "... and the channel still works" 'still
          (begin (channel-put! ch 'still) (channel-get ch)))
        (let ((again (make-channel 4096 #:name name)))
          (channel-detach! ch)
          (test-assert "detaching the first does not remove a new channel of that name"
            (shm-exists? name))
          (channel-detach! again)))))
  (with-unique-name "exit"
    (lambda (name)
      (test-equal "the creator's exit removes the name" '(0 #f)
        (with-children
         (lambda (spawn wait)
           (let ((status (wait (spawn (lambda ()
                                        (make-channel 4096 #:name name)
                                        (primitive-exit 0))))))
             (list status (shm-exists? name))))))))
  (with-unique-name "stale"
    (lambda (name)
      (define (leave-stale name)
        (with-children
         (lambda (spawn wait)
           (let ((status (wait (spawn (lambda ()
                                        (make-channel 4096 #:name name)
                                        (kill (getpid) SIGKILL))))))
             (list status (shm-exists? name))))))
      (test-equal "a killed creator leaves the name behind" '((signal 9) #t)
        (leave-stale name))
      (with-unique-name "zstale"
        (lambda (other)
          (leave-stale other)
          ;; Only the names of this test: other runs of the tests may
          ;; have stale names of their own, which they remove themselves.
          (test-equal "channel-unlink-stale! removes those with the prefix, and says so"
            (list name)
            (channel-unlink-stale! name))
          (test-equal "it is gone, the other one is not" '(#f #t)
            (list (shm-exists? name) (shm-exists? other)))
          (test-equal "the prefix's / may be left out" (list other)
            (channel-unlink-stale! (substring test-prefix 1)))))
      (test-equal "a prefix must be the beginning of a channel name"
        '((channel-unlink-stale! 1 channel-name-prefix?)
          (channel-unlink-stale! 1 channel-name-prefix?))
        (list (argument-error (lambda () (channel-unlink-stale! 'vc)))
              (argument-error (lambda () (channel-unlink-stale! "/a/b")))))))
  (with-unique-name "live"
    (lambda (name)
      (let ((ch (make-channel 4096 #:name name)))
        (test-assert "channel-unlink-stale! leaves a live creator's channel"
          (and (not (member name (channel-unlink-stale! test-prefix)))
               (shm-exists? name)))
        (channel-detach! ch))))
  (with-unique-name "not-a-channel"
    (lambda (name)
      (let ((fd (px.shm-open name (logior O_CREAT O_EXCL O_RDWR) #o600)))
        (px.ftruncate fd 8192)
        (px.close fd)
        (test-raises-who "opening an object that is not a channel"
          channel-corrupt-error? 'open-channel (open-channel name))
        (test-assert "channel-unlink-stale! leaves it alone"
          (and (not (member name (channel-unlink-stale! test-prefix)))
               (shm-exists? name))))))
  ;; A process of another pid namespace (unshare(1), with a user
  ;; namespace) names processes by pids this one cannot look up: sharing
  ;; a channel with it would take the living for dead.
  (let* ((unshare '("unshare" "--user" "--map-root-user" "--pid" "--fork"
                    "--mount-proc"))
         (inside (lambda (expr)
                   (apply run-program
                          (append unshare
                                  (list "guile" "--no-auto-compile" "-c"
                                        (format #f "~s" expr))))))
         (usable (call-with-values (lambda () (inside '(display (getpid))))
                   (lambda (out status) (and (eqv? status 0) out)))))
    (if (not (equal? usable "1"))
        (begin
          (skip-test "open-channel refuses a channel of another pid namespace"
                     "unshare --user --pid cannot run here")
          (skip-test "channel-unlink-stale! leaves another namespace's channels"
                     "unshare --user --pid cannot run here"))
        (begin
          (with-unique-name "pidns"
            (lambda (name)
              (let ((ch (make-channel 4096 #:name name)))
                (test-equal "open-channel refuses a channel of another pid namespace"
                  "error who=open-channel pid-namespace"
                  (call-with-values
                      (lambda ()
                        (inside
                         `(begin
                            (use-modules (vicare-compat channel)
                                         (rnrs conditions)
                                         (rnrs exceptions))
                            (display
                             (guard (e ((and (error? e)
                                             (not (channel-corrupt-error? e)))
                                        (format #f "error who=~a ~a"
                                                (condition-who e)
                                                (if (string-contains
                                                     (condition-message e)
                                                     "pid namespace")
                                                    'pid-namespace
                                                    (condition-message e)))))
                               (open-channel ,name)
                               "opened")))))
                    (lambda (out status) out)))
                (channel-detach! ch))))
          (with-unique-name "pidns-stale"
            (lambda (name)
              ;; The creator, pid 1 of its namespace, makes the channel,
              ;; says so, and waits for a line before it ends.
              (let* ((port (apply open-pipe* OPEN_BOTH
                                  (append unshare
                                          (list "guile" "--no-auto-compile" "-c"
                                                (format #f "~s"
                                                        `(begin
                                                           (use-modules (vicare-compat channel)
                                                                        (ice-9 rdelim))
                                                           (make-channel 4096 #:name ,name)
                                                           (display "made")
                                                           (newline)
                                                           (force-output)
                                                           (read-line)))))))
                     (made (read-line port)))
                (test-assert "channel-unlink-stale! leaves another namespace's channels"
                  (and (equal? made "made")
                       (not (member name (channel-unlink-stale! test-prefix)))
                       (shm-exists? name)))
                (display "go\n" port)
                (force-output port)
                (close-pipe port)
                (test-equal "its creator removed it when it ended" #f
                  (shm-exists? name)))))))))

(test-group "threads"
  (let ((ch (make-channel 4096)))
    (test-equal "a get waits in one thread while another puts" 'hello
      (let ((t (call-with-new-thread (lambda () (channel-get ch)))))
        (channel-put! ch 'hello)
        (join-thread t)))
    (test-equal "puts and gets of four threads" (* 4 (apply + (iota 1000)))
      (let* ((putters (map (lambda (i)
                             (call-with-new-thread
                              (lambda ()
                                (for-each (lambda (v) (channel-put! ch v))
                                          (iota 1000)))))
                           (iota 4)))
             (getters (map (lambda (i)
                             (call-with-new-thread
                              (lambda ()
                                (let loop ((n 0) (sum 0))
                                  (if (= n 1000)
                                      sum
                                      (loop (+ n 1)
                                            (+ sum (channel-get ch))))))))
                           (iota 4))))
        (for-each join-thread putters)
        (apply + (map join-thread getters))))
    (test-equal "a wait of a thread raises when another thread detaches"
      'raised
      (let ((t (call-with-new-thread
                (lambda ()
                  (catch #t
                    (lambda () (channel-get ch) 'not-raised)
                    (lambda args 'raised))))))
        (channel-detach! ch)
        (join-thread t)))))

(test-group "get into a bytevector"
  (let ((ch (make-channel 65536))
        (bv (make-bytevector 100 0)))
    (define (into . options)
      (call-with-values (lambda () (apply channel-get-into! ch bv options))
        list))
    (test-equal "a bytevector that fits: its bytes, its length, the target"
      (list 3 #t #vu8(1 2 3 0))
      (begin
        (channel-put! ch #vu8(1 2 3))
        (let ((r (into)))
          (list (car r) (eq? (cadr r) bv)
                (u8-list->bytevector (list-head (bytevector->u8-list bv) 4))))))
    (test-equal "an empty bytevector" '(0 #t)
      (begin
        (channel-put! ch #vu8())
        (let ((r (into))) (list (car r) (eq? (cadr r) bv)))))
    (test-equal "exactly the target's length" 100
      (begin
        (channel-put! ch (make-bytevector 100 9))
        (car (into))))
    (test-equal "a longer bytevector is returned whole, the target untouched"
      (list #f (make-bytevector 101 4) 9)
      (begin
        (channel-put! ch (make-bytevector 101 4))
        (let ((r (into))) (list (car r) (cadr r) (bytevector-u8-ref bv 0)))))
    (test-equal "any other value is returned as channel-get does"
      (list #f datum)
      (begin
        (channel-put! ch datum)
        (into)))
    (test-equal "the default when the timeout passes" '(#f none)
      (into #:timeout 0.001 #:default 'none))
    (test-equal "the eof object after close and drain"
      (list 2 #f #t)
      (begin
        (channel-put! ch #vu8(8 8))
        (channel-close! ch)
        (let* ((first (into)) (second (into)))
          (list (car first) (car second) (eof-object? (cadr second))))))
    (test-equal "not a bytevector" '(channel-get-into! 2 bytevector?)
      (argument-error (lambda () (channel-get-into! ch "x"))))
    (test-equal "a read-only bytevector"
      '(channel-get-into! 2 mutable-bytevector?)
      ;; A literal of compiled code is read-only.
      (argument-error
       (lambda ()
         (channel-get-into! ch ((compile '(lambda () #vu8(1 2 3))
                                         #:to 'value))))))
    (test-equal "not a channel" '(channel-get-into! 1 channel?)
      (argument-error (lambda () (channel-get-into! 'x bv))))
    (test-equal "a bad timeout" '(channel-get-into! 4 non-negative-real?)
      (argument-error (lambda () (channel-get-into! ch bv #:timeout -1))))
    (channel-detach! ch)))

(test-end "channel")
