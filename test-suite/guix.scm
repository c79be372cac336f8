;;; guix.scm -- guix.scm gives Guix the right source, from a checkout and
;;; from a release tarball, without Guix (see test-suite/guix-source.scm).
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

(use-modules (test-suite harness)
             (srfi srfi-1)
             (ice-9 ftw)
             (ice-9 popen)
             (ice-9 rdelim))

(test-begin "guix")

(define srcdir (canonicalize-path (or (getenv "abs_top_srcdir") ".")))
(define tmpdir (or (getenv "TMPDIR") "/tmp"))

(define (guix-source dir)
  "What DIR/guix.scm gives Guix as the source: an alist (see
test-suite/guix-source.scm), or #f when loading it failed."
  (let* ((port (open-pipe* OPEN_READ "guile" "--no-auto-compile"
                           (string-append srcdir "/test-suite/guix-source.scm")
                           dir))
         (datum (false-if-exception (read port))))
    (and (zero? (status:exit-val (close-pipe port)))
         (pair? datum)
         datum)))

(define (ref alist key) (and alist (assq-ref alist key)))

(define (has-program? name)
  (zero? (status:exit-val
          (system* "sh" "-c" (string-append "command -v " name " >/dev/null")))))

(define (copy-package-files! dir)
  ;; What a release tarball holds of the Guix files, plus two other files.
  (mkdir (string-append dir "/.guix"))
  (mkdir (string-append dir "/.guix/modules"))
  (for-each (lambda (f)
              (copy-file (string-append srcdir "/" f) (string-append dir "/" f)))
            '("guix.scm" ".guix-channel" ".guix/modules/vicare-compat-package.scm"
              "configure.ac"))
  (call-with-output-file (string-append dir "/config.status") newline))

(define (delete-tree dir)
  (for-each (lambda (entry)
              (let ((f (string-append dir "/" entry)))
                (if (eq? (stat:type (lstat f)) 'directory)
                    (delete-tree f)
                    (delete-file f))))
            (scandir dir (lambda (e) (not (member e '("." ".."))))))
  (rmdir dir))

(define (call-with-temporary-directory proc)
  (let ((dir (mkdtemp (string-append tmpdir "/vc-guix-XXXXXX"))))
    (dynamic-wind
      (lambda () #t)
      (lambda () (proc dir))
      (lambda () (delete-tree dir)))))

;; The version of AC_INIT, as configure knows it.
(define release
  (call-with-input-file (string-append srcdir "/configure.ac")
    (lambda (port)
      (let loop ()
        (let ((line (read-line port)))
          (cond ((eof-object? line) #f)
                ((string-prefix? "AC_INIT(" line)
                 (car (string-split (caddr (string-split line #\[)) #\])))
                (else (loop))))))))

;;; From this source tree.
(let ((here (guix-source srcdir)))
  (test-assert "guix.scm loads" here)
  (test-equal "the source is the top directory" srcdir (ref here 'directory))
  ;; This tree is a checkout, or the unpacked tarball of make distcheck.
  (if (file-exists? (string-append srcdir "/.git"))
      (test-equal "local-file of the checkout, as Guix's manual shows; version -git"
        (list "../.." "guile-vicare-compat-checkout" #t
              (string-append release "-git"))
        (list (ref here 'local-file) (ref here 'store-name)
              (ref here 'recursive?) (ref here 'version)))
      (test-equal "local-file of the tarball, named by configure's version"
        (list "../.." (string-append "guile-vicare-compat-" release) #t
              release)
        (list (ref here 'local-file) (ref here 'store-name)
              (ref here 'recursive?) (ref here 'version))))
  (test-assert "it holds the sources and the Guix files"
    (and here
         (every (lambda (f) (member f (ref here 'files)))
                '("configure.ac" "src/posix.c" "guix.scm"
                  ".guix/modules/vicare-compat-package.scm"))))
  (if (and (file-exists? (string-append srcdir "/.git"))
           (file-exists? (string-append srcdir "/config.status"))
           (has-program? "git"))
      (test-assert "in a git checkout, files git does not track are left out"
        (not (member "config.status" (ref here 'files))))
      (skip-test "in a git checkout, files git does not track are left out"
                 "the source tree is not a configured git checkout, or no git")))

;;; From an unpacked release tarball: no .git, and guix.scm a plain file.
(call-with-temporary-directory
 (lambda (dir)
   (copy-package-files! dir)
   (let ((there (guix-source dir)))
     (test-equal "tarball: the source is the unpacked directory"
       (canonicalize-path dir) (ref there 'directory))
     (test-equal "tarball: configure's version, and the source named by it"
       (list release (string-append "guile-vicare-compat-" release))
       (list (ref there 'version) (ref there 'store-name)))
     (test-equal "tarball: every file is kept"
       '(".guix" ".guix-channel" ".guix/modules"
         ".guix/modules/vicare-compat-package.scm" "config.status"
         "configure.ac" "guix.scm")
       (and there (sort (ref there 'files) string<?))))))

;;; The tarball unpacked inside another git work tree.
(if (has-program? "git")
    (call-with-temporary-directory
     (lambda (outer)
       (let ((dir (string-append outer "/guile-vicare-compat")))
         (system* "sh" "-c"
                  (string-append "cd '" outer "' && git init -q && "
                                 "echo x > other && git add other && "
                                 "git -c user.name=t -c user.email=t@t "
                                 "commit -q -m t"))
         (mkdir dir)
         (copy-package-files! dir)
         (test-equal "tarball inside another git work tree: every file is kept"
           7 (length (or (ref (guix-source dir) 'files) '()))))))
    (skip-test "tarball inside another git work tree: every file is kept"
               "git is not installed"))

(test-end "guix")
