/* c-cases.h -- the runner of the C test programs made of cases.
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later

   Each case is a function returning non-zero when it passed.  The runner
   prints "PASS: name" or "FAIL: name" for each, and appends a
   ":test-result:" line to the file named by VC_TEST_TRS, as the SRFI-64
   files do (build-aux/srfi64-driver).  Output is line-buffered, so a
   forked child never prints again what its parent had buffered.  */

#ifndef VC_TEST_C_CASES_H
#define VC_TEST_C_CASES_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

struct c_case
{
  const char *name;
  int (*run) (void);
};

/* Run the N CASES of the program FILE; return 0 when all passed.  */
static inline int
run_cases (const char *file, const struct c_case *cases, size_t n)
{
  setvbuf (stdout, NULL, _IOLBF, 0);
  const char *trs_name = getenv ("VC_TEST_TRS");
  FILE *trs = trs_name ? fopen (trs_name, "a") : NULL;
  if (trs)
    setvbuf (trs, NULL, _IOLBF, 0);
  int failed = 0;
  for (size_t i = 0; i < n; i++)
    {
      int ok = cases[i].run ();
      failed |= !ok;
      printf ("%s: %s\n", ok ? "PASS" : "FAIL", cases[i].name);
      if (trs)
        fprintf (trs, ":test-result: %s %s: %s\n", ok ? "PASS" : "FAIL",
                 file, cases[i].name);
    }
  if (trs)
    fclose (trs);
  return failed;
}

#endif /* VC_TEST_C_CASES_H */
