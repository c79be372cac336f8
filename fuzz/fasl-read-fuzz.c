/* fasl-read-fuzz.c -- libFuzzer harness over the C FASL reader.
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later

   Every input is handed to vc_fasl_decode exactly as a hostile peer would
   send it.  A malformed input must raise a Scheme condition, which the
   harness catches; anything else -- a sanitizer report, a crash, a hang
   (libFuzzer's -timeout), an allocation beyond -rss_limit_mb /
   -malloc_limit_mb -- is a finding.  The harness also checks what the
   decoder promises on success: it consumed at least the 6-byte header and
   no more than the input.

   Guile is initialised once, in LLVMFuzzerInitialize.  The decoder raises
   through %vc-raise of (vicare-compat conditions), which is resolved
   through the module system on the first raise, so GUILE_LOAD_PATH must
   name the source tree's module/ directory (fuzz/run sets it).  */

#include <config.h>

#include <libguile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "vc.h"
#include "fasl.h"

/* The extension's entry point (init.c); not declared in vc.h.  */
void vc_init (void);

struct decode_args
{
  const uint8_t *buf;
  size_t len;
  size_t used;
  SCM result;
};

static SCM
decode_body (void *data)
{
  struct decode_args *a = data;
  a->result = vc_fasl_decode (a->buf, a->len, &a->used);
  return SCM_BOOL_T;
}

/* The predicate every decoding error must satisfy.  */
static SCM fasl_read_error_p;

/* A condition was raised: the expected outcome for malformed input, as
   long as it is a &fasl-read-error.  Anything else (a wrong-type-arg from
   deep inside libguile, a bare error) means a check is missing; unless
   FASL_FUZZ_ANY_ERROR is set, that is reported as a finding.  */
static SCM
decode_handler (void *data, SCM key, SCM args)
{
  (void) data;
  if (getenv ("FASL_FUZZ_ANY_ERROR"))
    return SCM_BOOL_F;
  if (scm_is_eq (key, scm_from_utf8_symbol ("%exception"))
      && scm_is_pair (args)
      && scm_is_true (scm_call_1 (fasl_read_error_p, scm_car (args))))
    return SCM_BOOL_F;
  scm_display (scm_from_utf8_string ("decoder raised something other than "
                                     "&fasl-read-error: "),
               scm_current_error_port ());
  scm_write (scm_cons (key, args), scm_current_error_port ());
  scm_newline (scm_current_error_port ());
  scm_force_output (scm_current_error_port ());
  abort ();
}

static void *
init_guile (void *unused)
{
  (void) unused;
  /* The extension's own init defines the primitives (in the current
     module) and the symbols that error.c raises with; resolving the
     conditions module now keeps the first raise out of the timings.  */
  vc_init ();
  fasl_read_error_p = scm_permanent_object
    (scm_c_public_ref ("vicare-compat conditions", "fasl-read-error?"));
  return NULL;
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  (void) argc; (void) argv;
  scm_init_guile ();
  init_guile (NULL);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct decode_args a = { data, size, 0, SCM_BOOL_F };
  SCM ok = scm_c_catch (SCM_BOOL_T, decode_body, &a, decode_handler, NULL,
                        NULL, NULL);
  if (scm_is_true (ok) && (a.used < 6 || a.used > size))
    {
      fprintf (stderr, "vc_fasl_decode returned used=%zu for %zu input bytes\n",
               a.used, size);
      abort ();
    }
  scm_remember_upto_here_1 (a.result);
  return 0;
}
