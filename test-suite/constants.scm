(use-modules (test-suite harness))
(test-begin "constants")
(test-end "constants")
