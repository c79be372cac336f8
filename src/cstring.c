/* cstring.c -- C strings and argv arrays in raw memory.
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later

   The byte-level half of Vicare's C-string API: copying bytevectors to
   and from NUL-terminated strings, the str* functions and argv blocks.
   The character-level half (ASCII and Latin-1 checks, UTF-16 decoding)
   is Scheme, in (vicare-compat cstrings).  Every pointer argument that is
   read through must not be NULL: NULL raises a plain &assertion.
   Guarded results are made with vc_guard, as in memory.c.  */

#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "vc.h"

static void *
checked_malloc (size_t n, const char *who)
{
  void *p = malloc (n);
  if (p == NULL)
    vc_raise_out_of_memory (who);
  return p;
}

static size_t
count_arg (SCM obj, int pos, const char *who)
{
  return (size_t) vc_int64_arg (obj, 0, INT64_MAX >> 2, pos, who,
                                "non-negative-fixnum?");
}

/* -------------------------------------------------- bytevector <-> cstring */

static SCM
do_bytevector_to_cstring (SCM bv, int guarded, const char *who)
{
  if (!SCM_BYTEVECTOR_P (bv))
    vc_raise_argument (who, 1, "bytevector?", bv);
  size_t n = SCM_BYTEVECTOR_LENGTH (bv);
  char *p = checked_malloc (n + 1, who);
  if (n > 0)                    /* An empty bytevector may have NULL contents.  */
    memcpy (p, SCM_BYTEVECTOR_CONTENTS (bv), n);
  p[n] = '\0';
  return vc_new_pointer (p, n + 1, guarded);
}

static SCM
bytevector_to_cstring (SCM bv)
{
  return do_bytevector_to_cstring (bv, 0, "bytevector->cstring");
}

static SCM
bytevector_to_guarded_cstring (SCM bv)
{
  return do_bytevector_to_cstring (bv, 1, "bytevector->guarded-cstring");
}

static SCM
copy_to_bytevector (const char *p, size_t n)
{
  SCM bv = scm_c_make_bytevector (n);
  if (n > 0)                    /* P may be NULL when N is 0.  */
    memcpy (SCM_BYTEVECTOR_CONTENTS (bv), p, n);
  return bv;
}

/* (cstring->bytevector ptr [count]): strlen bytes, or exactly COUNT.  */
static SCM
cstring_to_bytevector (SCM ptr, SCM count)
{
  static const char who[] = "cstring->bytevector";
  if (SCM_UNBNDP (count))
    {
      const char *p = vc_nonnull_pointer_arg (ptr, 1, who);
      return copy_to_bytevector (p, strlen (p));
    }
  (void) vc_pointer_arg (ptr, 1, who);
  size_t n = count_arg (count, 2, who);
  const char *p = n ? vc_nonnull_pointer_arg (ptr, 1, who)
    : vc_pointer_arg (ptr, 1, who);
  return copy_to_bytevector (p, n);
}

/* (cstring16->bytevector ptr): the bytes before the first 16-bit zero
   unit at an even offset.  */
static SCM
cstring16_to_bytevector (SCM ptr)
{
  const char *p = vc_nonnull_pointer_arg (ptr, 1, "cstring16->bytevector");
  size_t n = 0;
  while (p[n] != 0 || p[n + 1] != 0)
    n += 2;
  return copy_to_bytevector (p, n);
}

/* --------------------------------------------------------------- str*  */

static SCM
strlen_p (SCM ptr)
{
  return scm_from_size_t (strlen (vc_nonnull_pointer_arg (ptr, 1, "strlen")));
}

static SCM
strcmp_p (SCM p1, SCM p2)
{
  static const char who[] = "strcmp";
  (void) vc_pointer_arg (p1, 1, who);
  (void) vc_pointer_arg (p2, 2, who);
  return scm_from_int (strcmp (vc_nonnull_pointer_arg (p1, 1, who),
                               vc_nonnull_pointer_arg (p2, 2, who)));
}

static SCM
strncmp_p (SCM p1, SCM p2, SCM count)
{
  static const char who[] = "strncmp";
  (void) vc_pointer_arg (p1, 1, who);
  (void) vc_pointer_arg (p2, 2, who);
  size_t n = VC_SIZE_ARG (count, 3, who);
  if (n == 0)
    return SCM_INUM0;
  return scm_from_int (strncmp (vc_nonnull_pointer_arg (p1, 1, who),
                                vc_nonnull_pointer_arg (p2, 2, who), n));
}

static SCM
do_strdup (SCM ptr, int guarded, const char *who)
{
  const char *p = vc_nonnull_pointer_arg (ptr, 1, who);
  size_t n = strlen (p);
  char *q = checked_malloc (n + 1, who);
  memcpy (q, p, n + 1);
  return vc_new_pointer (q, n + 1, guarded);
}

static SCM
do_strndup (SCM ptr, SCM count, int guarded, const char *who)
{
  (void) vc_pointer_arg (ptr, 1, who);
  size_t n = VC_SIZE_ARG (count, 2, who);
  const char *p = n ? vc_nonnull_pointer_arg (ptr, 1, who) : "";
  n = strnlen (p, n);
  char *q = checked_malloc (n + 1, who);
  memcpy (q, p, n);
  q[n] = '\0';
  return vc_new_pointer (q, n + 1, guarded);
}

static SCM
strdup_p (SCM ptr)
{
  return do_strdup (ptr, 0, "strdup");
}

static SCM
guarded_strdup (SCM ptr)
{
  return do_strdup (ptr, 1, "guarded-strdup");
}

static SCM
strndup_p (SCM ptr, SCM count)
{
  return do_strndup (ptr, count, 0, "strndup");
}

static SCM
guarded_strndup (SCM ptr, SCM count)
{
  return do_strndup (ptr, count, 1, "guarded-strndup");
}

/* ------------------------------------------------------------------ argv */

/* (bytevectors->argv list): one malloc'd block holding the NULL-terminated
   char* array followed by the strings it points to.  */
static SCM
do_bytevectors_to_argv (SCM list, int guarded, const char *who)
{
  /* scm_ilength is -1 for an improper or circular list.  */
  long len = scm_ilength (list);
  if (len < 0)
    vc_raise_argument (who, 1, "list-of-bytevectors?", list);
  /* A private copy of the elements: another thread changing LIST between
     the two passes cannot make the second one overflow the block.  */
  SCM elts = scm_vector (list);
  size_t count = SCM_SIMPLE_VECTOR_LENGTH (elts), bytes = 0, i;
  for (i = 0; i < count; i++)
    {
      SCM bv = SCM_SIMPLE_VECTOR_REF (elts, i);
      if (!SCM_BYTEVECTOR_P (bv))
        vc_raise_argument (who, 1, "list-of-bytevectors?", list);
      bytes += SCM_BYTEVECTOR_LENGTH (bv) + 1;
    }
  if (count >= (SIZE_MAX - bytes) / sizeof (char *))
    vc_raise_out_of_memory (who);
  char **argv = checked_malloc ((count + 1) * sizeof (char *) + bytes, who);
  char *s = (char *) (argv + count + 1);
  for (i = 0; i < count; i++)
    {
      SCM bv = SCM_SIMPLE_VECTOR_REF (elts, i);
      size_t n = SCM_BYTEVECTOR_LENGTH (bv);
      argv[i] = s;
      if (n > 0)
        memcpy (s, SCM_BYTEVECTOR_CONTENTS (bv), n);
      s[n] = '\0';
      s += n + 1;
    }
  argv[count] = NULL;
  return vc_new_pointer (argv, (count + 1) * sizeof (char *) + bytes, guarded);
}

static SCM
bytevectors_to_argv (SCM list)
{
  return do_bytevectors_to_argv (list, 0, "bytevectors->argv");
}

static SCM
bytevectors_to_guarded_argv (SCM list)
{
  return do_bytevectors_to_argv (list, 1, "bytevectors->guarded-argv");
}

static SCM
argv_to_bytevectors (SCM ptr)
{
  char **argv = vc_nonnull_pointer_arg (ptr, 1, "argv->bytevectors");
  size_t n = 0;
  while (argv[n] != NULL)
    n++;
  SCM list = SCM_EOL;
  while (n-- > 0)
    list = scm_cons (copy_to_bytevector (argv[n], strlen (argv[n])), list);
  return list;
}

static SCM
argv_length (SCM ptr)
{
  char **argv = vc_nonnull_pointer_arg (ptr, 1, "argv-length");
  size_t n = 0;
  while (argv[n] != NULL)
    n++;
  return scm_from_size_t (n);
}

void
vc_init_cstring (void)
{
  vc_define ("bytevector->cstring", 1, 0, 0, (scm_t_subr) bytevector_to_cstring);
  vc_define ("bytevector->guarded-cstring", 1, 0, 0,
             (scm_t_subr) bytevector_to_guarded_cstring);
  vc_define ("cstring->bytevector", 1, 1, 0, (scm_t_subr) cstring_to_bytevector);
  vc_define ("cstring16->bytevector", 1, 0, 0,
             (scm_t_subr) cstring16_to_bytevector);
  vc_define ("strlen", 1, 0, 0, (scm_t_subr) strlen_p);
  vc_define ("strcmp", 2, 0, 0, (scm_t_subr) strcmp_p);
  vc_define ("strncmp", 3, 0, 0, (scm_t_subr) strncmp_p);
  vc_define ("strdup", 1, 0, 0, (scm_t_subr) strdup_p);
  vc_define ("guarded-strdup", 1, 0, 0, (scm_t_subr) guarded_strdup);
  vc_define ("strndup", 2, 0, 0, (scm_t_subr) strndup_p);
  vc_define ("guarded-strndup", 2, 0, 0, (scm_t_subr) guarded_strndup);
  vc_define ("bytevectors->argv", 1, 0, 0, (scm_t_subr) bytevectors_to_argv);
  vc_define ("bytevectors->guarded-argv", 1, 0, 0,
             (scm_t_subr) bytevectors_to_guarded_argv);
  vc_define ("argv->bytevectors", 1, 0, 0, (scm_t_subr) argv_to_bytevectors);
  vc_define ("argv-length", 1, 0, 0, (scm_t_subr) argv_length);
}
