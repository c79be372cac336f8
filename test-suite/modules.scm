;;; modules.scm -- every module is public or marked internal.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later

;;; The hostile sweep (hostile.scm) and the manual's checks (manual.scm)
;;; go through harness.scm's public-modules: a new public module missing
;;; from that list would escape them.  So every module under module/ (in
;;; the source tree, and generated in the build tree) must be in
;;; public-modules or in internal-modules, and an internal module said
;;; to be covered must export nothing the sweep does not reach.

(use-modules (test-suite harness)
             (srfi srfi-1)
             (ice-9 ftw))

(test-begin "modules")

(define (module-names dir)
  "The names of the modules whose source is under DIR/module."
  (let ((root (string-append dir "/module/")))
    (if (not (file-exists? root))
        '()
        (let ((names '()))
          (nftw root
                (lambda (file stat flag base level)
                  (when (and (eq? flag 'regular)
                             (string-suffix? ".scm" file))
                    (let ((rel (substring file (string-length root))))
                      (set! names
                            (cons (map string->symbol
                                       (string-split
                                        (string-drop-right rel 4) #\/))
                                  names))))
                  #t))
          names))))

(define modules
  (delete-duplicates
   (append (module-names (or (getenv "abs_top_srcdir") "."))
           (module-names (or (getenv "abs_top_builddir") ".")))))

(define internal (map car internal-modules))

(test-assert "the modules are found" (member '(vicare-compat posix) modules))

(test-equal "every module is public or internal" '()
  (remove (lambda (m) (or (member m public-modules) (member m internal)))
          modules))

(test-equal "no module is both" '()
  (filter (lambda (m) (member m internal)) public-modules))

(test-equal "every module listed exists" '()
  (remove (lambda (m) (member m modules))
          (append public-modules internal)))

(test-equal "internal modules are 'covered or 'private" '()
  (remove (lambda (e) (memq (cdr e) '(covered private))) internal-modules))

;; Each variable a public module exports.
(define public-variables
  (let ((table (make-hash-table)))
    (for-each (lambda (m)
                (module-for-each (lambda (sym var) (hashq-set! table var #t))
                                 (resolve-interface m)))
              public-modules)
    table))

(define (unreached iface)
  "The exports of IFACE that are neither a public module's nor Guile's."
  (sort (filter-map (lambda (sym)
                      (and (not (hashq-ref public-variables
                                           (module-variable iface sym)))
                           (not (guile-binding? iface sym))
                           sym))
                    (module-map (lambda (sym var) sym) iface))
        (lambda (a b) (string<? (symbol->string a) (symbol->string b)))))

(for-each
 (lambda (entry)
   (when (eq? (cdr entry) 'covered)
     (test-equal (format #f "~a exports only what the sweep reaches"
                         (car entry))
       '()
       (unreached (resolve-interface (car entry))))))
 internal-modules)

(test-end "modules")
