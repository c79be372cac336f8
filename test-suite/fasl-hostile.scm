(use-modules (test-suite harness) (vicare-compat))
(test-begin "fasl-hostile")
(test-equal "smoke" 1 (fasl-decode (fasl-encode 1)))
(test-end "fasl-hostile")
