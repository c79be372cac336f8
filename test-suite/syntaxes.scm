(use-modules (test-suite harness))
(test-begin "syntaxes")
(test-end "syntaxes")
