/* error.c -- the one place where the C extension builds exceptions.
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later

   Every raise goes through %vc-raise, a Scheme procedure of
   (vicare-compat conditions) that builds the R6RS compound condition for
   a KIND symbol and raises it.  Keeping the shapes in Scheme means the
   condition types are the very ones Scheme code tests with
   assertion-violation?, errno-condition? and so on.  */

#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vc.h"

/* The Scheme procedure, looked up on the first raise.  Looking it up twice
   from two threads is harmless: both get the same procedure.  */
static SCM raise_proc = SCM_BOOL_F;

static SCM sym_argument, sym_consistency, sym_assertion,
  sym_errno, sym_out_of_memory, sym_fasl_read, sym_fasl_header;

static SCM
vc_raise_procedure (void)
{
  SCM proc = raise_proc;
  if (scm_is_false (proc))
    {
      proc = scm_c_private_ref ("vicare-compat conditions", "%vc-raise");
      raise_proc = scm_permanent_object (proc);
    }
  return proc;
}

/* MESSAGE as a Scheme string.  Messages are built with snprintf from
   parts that may come from the input (a FASL record name, say) and may be
   cut in the middle of a UTF-8 sequence: every byte that does not start a
   complete, valid sequence becomes '?', so raising never fails with a
   decoding error of its own.  */
static SCM
message_string (const char *message)
{
  size_t len = strlen (message);
  char *clean = scm_gc_malloc_pointerless (len + 1, "vc message");
  const unsigned char *p = (const unsigned char *) message;
  size_t i = 0;
  while (i < len)
    {
      unsigned char c = p[i];
      size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2
        : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
      int ok = n > 0 && i + n <= len && !(n == 2 && c < 0xC2);
      for (size_t k = 1; ok && k < n; k++)
        ok = (p[i + k] & 0xC0) == 0x80;
      if (ok && n == 3)
        {
          unsigned cp = ((c & 0x0F) << 12) | ((p[i + 1] & 0x3F) << 6);
          ok = cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF);
        }
      if (ok && n == 4)
        {
          unsigned cp = ((c & 0x07) << 18) | ((p[i + 1] & 0x3F) << 12);
          ok = cp >= 0x10000 && cp <= 0x10FFFF;
        }
      if (ok)
        {
          memcpy (clean + i, p + i, n);
          i += n;
        }
      else
        clean[i++] = '?';
    }
  clean[len] = '\0';
  return scm_from_utf8_stringn (clean, len);
}

static VC_NORETURN void
vc_raise (SCM kind, const char *who, SCM message, SCM irritants, SCM extra)
{
  SCM who_sym = who ? scm_from_utf8_symbol (who) : SCM_BOOL_F;
  scm_call_5 (vc_raise_procedure (), kind, who_sym, message, irritants, extra);
  /* %vc-raise never returns; this keeps the compiler informed.  */
  abort ();
}

void
vc_raise_argument_message (const char *who, int pos, const char *expected,
                           const char *message, SCM value)
{
  vc_raise (sym_argument, who, message_string (message), scm_list_1 (value),
            scm_list_2 (scm_from_int (pos), scm_from_utf8_symbol (expected)));
}

void
vc_raise_argument (const char *who, int pos, const char *expected, SCM value)
{
  vc_raise_argument_message (who, pos, expected, "failed argument validation",
                             value);
}

void
vc_raise_consistency (const char *who, const char *message, SCM irritants)
{
  vc_raise (sym_consistency, who, message_string (message), irritants,
            SCM_BOOL_F);
}

void
vc_raise_assertion (const char *who, const char *message, SCM irritants)
{
  vc_raise (sym_assertion, who, message_string (message), irritants,
            SCM_BOOL_F);
}

const char *
vc_errno_name (int errnum)
{
#ifdef HAVE_STRERRORNAME_NP
  return strerrorname_np (errnum);
#else
  switch (errnum)
    {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EINTR: return "EINTR";
    case EBADF: return "EBADF";
    case ECHILD: return "ECHILD";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EEXIST: return "EEXIST";
    case EINVAL: return "EINVAL";
    case ENOSYS: return "ENOSYS";
    case ETIMEDOUT: return "ETIMEDOUT";
    default: return NULL;
    }
#endif
}

void
vc_raise_errno (const char *who, int errnum, SCM irritants)
{
  const char *name = vc_errno_name (errnum);
  char buf[256];
  snprintf (buf, sizeof buf, "%s: %s", name ? name : "unknown errno code",
            strerror (errnum));
  SCM code = scm_from_int (-errnum);
  /* A pair (code . #t) asks %vc-raise to add &i/o-eagain.  */
  if (errnum == EAGAIN || errnum == EWOULDBLOCK)
    code = scm_cons (code, SCM_BOOL_T);
  vc_raise (sym_errno, who, message_string (buf), irritants, code);
}

void
vc_raise_out_of_memory (const char *who)
{
  vc_raise (sym_out_of_memory, who,
            scm_from_utf8_string ("failed raw memory allocation"),
            SCM_EOL, SCM_BOOL_F);
}

void
vc_raise_fasl_read (const char *who, const char *message, size_t offset,
                    int header, SCM irritants)
{
  vc_raise (header ? sym_fasl_header : sym_fasl_read, who,
            message_string (message), irritants,
            scm_from_size_t (offset));
}

/* (raise-errno who errnum irritants): for the Scheme side, which gets a
   positive errno from Guile's system-error exceptions.  */
static SCM
raise_errno (SCM who, SCM errnum, SCM irritants)
{
  char *name = scm_to_utf8_string (scm_symbol_to_string (who));
  scm_dynwind_begin (0);
  scm_dynwind_free (name);
  vc_raise_errno (name, scm_to_int (errnum), irritants);
  scm_dynwind_end ();           /* not reached */
  return SCM_UNSPECIFIED;
}

/* (errno->string code): the name of a negated errno code, "EINVAL".  */
static SCM
errno_to_string (SCM code)
{
  int n = (int) vc_int64_arg (code, -4095, -1, 1, "errno->string",
                              "errno-code?");
  const char *name = vc_errno_name (-n);
  return name ? scm_from_utf8_string (name) : SCM_BOOL_F;
}

void
vc_init_error (void)
{
  vc_define ("raise-errno", 3, 0, 0, (scm_t_subr) raise_errno);
  vc_define ("errno->string", 1, 0, 0, (scm_t_subr) errno_to_string);

  static int done = 0;
  if (done)
    return;
  done = 1;
  sym_argument = scm_permanent_object (scm_from_utf8_symbol ("argument"));
  sym_consistency = scm_permanent_object (scm_from_utf8_symbol ("consistency"));
  sym_assertion = scm_permanent_object (scm_from_utf8_symbol ("assertion"));
  sym_errno = scm_permanent_object (scm_from_utf8_symbol ("errno"));
  sym_out_of_memory = scm_permanent_object (scm_from_utf8_symbol ("out-of-memory"));
  sym_fasl_read = scm_permanent_object (scm_from_utf8_symbol ("fasl-read"));
  sym_fasl_header = scm_permanent_object (scm_from_utf8_symbol ("fasl-header"));
}
