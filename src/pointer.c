/* pointer.c -- peek and poke through Guile <pointer> objects.
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later

   (pointer-ref-c-TYPE memory offset) and (pointer-set-c-TYPE! memory
   offset value).  MEMORY is a pointer; OFFSET a byte offset in
   [PTRDIFF_MIN, PTRDIFF_MAX], never scaled, possibly negative and
   unaligned, so every access goes through memcpy.  Setters are strict:
   a value outside the C type's range raises and nothing is stored.
   Beyond Vicare, a NULL pointer raises instead of crashing.  */

#include <config.h>

#include <string.h>

#include "vc.h"

/* The address of the first byte of an access of SIZE bytes.  */
static inline char *
access_address (SCM memory, SCM offset, size_t size, const char *who)
{
  (void) size;
  char *base = vc_pointer_arg (memory, 1, who);
  ptrdiff_t off = VC_PTRDIFF_ARG (offset, 2, who);
  if (VC_UNLIKELY (base == NULL))
    vc_raise_assertion (who, "attempt to access memory through a NULL pointer",
                        scm_list_2 (memory, offset));
  return base + off;
}

static SCM
pointer_ref_c_signed_int (SCM memory, SCM offset)
{
  int v;
  memcpy (&v, access_address (memory, offset, sizeof v,
                              "pointer-ref-c-signed-int"), sizeof v);
  return SCM_I_MAKINUM (v);
}

static SCM
pointer_set_c_signed_int (SCM memory, SCM offset, SCM value)
{
  static const char who[] = "pointer-set-c-signed-int!";
  char *p = access_address (memory, offset, sizeof (int), who);
  int v = (int) vc_int64_arg (value, INT_MIN, INT_MAX, 3, who, "signed-int?");
  memcpy (p, &v, sizeof v);
  return vc_zero_values;
}

void
vc_init_pointer (void)
{
  vc_define ("pointer-ref-c-signed-int", 2, 0, 0,
             (scm_t_subr) pointer_ref_c_signed_int);
  vc_define ("pointer-set-c-signed-int!", 3, 0, 0,
             (scm_t_subr) pointer_set_c_signed_int);
}
