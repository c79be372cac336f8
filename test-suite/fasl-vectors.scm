(use-modules (test-suite harness) (vicare-compat))
(test-begin "fasl-vectors")
(test-equal "smoke" 1 (fasl-decode (fasl-encode 1)))
(test-end "fasl-vectors")
