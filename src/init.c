/* init.c -- the extension's single entry point.
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later

   (vicare-compat primitives) calls load-extension with "vc_init"; every
   primitive of every area is defined, and exported, in that module.  */

#include <config.h>

#include "vc.h"

SCM vc_zero_values;

void
vc_define (const char *name, int req, int opt, int rest, scm_t_subr fn)
{
  scm_c_define_gsubr (name, req, opt, rest, fn);
  scm_c_export (name, NULL);
}

void
vc_define_value (const char *name, SCM value)
{
  scm_c_define (name, value);
  scm_c_export (name, NULL);
}

/* Exported for load-extension; every other symbol stays private.  */
void vc_init (void) __attribute__ ((visibility ("default")));

void
vc_init (void)
{
  static int once = 0;
  if (!once)
    {
      /* Values that outlive every module instance.  */
      once = 1;
      vc_zero_values = scm_permanent_object (scm_c_values (NULL, 0));
    }
  vc_init_error ();
  vc_init_pointer ();
  vc_init_memory ();
  vc_init_cstring ();
  vc_init_posix ();
  vc_init_atomic ();
  vc_init_fasl ();
  vc_init_channel ();
}
