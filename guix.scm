;;; guix.scm -- build guile-vicare-compat with Guix, from a checkout or
;;; from a release tarball.
;;; Copyright (C) 2026 The guile-vicare-compat authors
;;; SPDX-License-Identifier: GPL-3.0-or-later
;;;
;;;   guix build -f guix.scm           build the package
;;;   guix shell -D -f guix.scm        a development environment
;;;
;;; The package is defined in .guix/modules/vicare-compat-package.scm,
;;; which 'guix pull' users reach through .guix-channel.  This file is not
;;; a symlink to it (as Guix's manual suggests) because "make dist" turns
;;; a symlink into a copy, whose relative file names then point outside
;;; the unpacked tarball; it loads the module from where it is instead.

(add-to-load-path
 (string-append (dirname (canonicalize-path (current-filename)))
                "/.guix/modules"))

(use-modules (vicare-compat-package))

guile-vicare-compat
