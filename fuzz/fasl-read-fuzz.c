/* fasl-read-fuzz.c -- libFuzzer harness over the C FASL reader.
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later

   Every input is handed to the decoder exactly as a hostile peer would
   send it, through vc_fasl_decode or, every other run, through
   vc_fasl_decode_source in pieces of varying sizes (the path of
   fasl-read on buffered ports).  Then both paths read it again with the
   collector held off and must end the same way: the same size consumed,
   or an error at the same offset (LLVMFuzzerTestOneInput says why the
   collector is held off).  A malformed input must raise a Scheme
   condition, which the harness catches; anything else -- a sanitizer
   report, a crash, a hang (libFuzzer's -timeout), an allocation beyond
   -rss_limit_mb / -malloc_limit_mb -- is a finding.  The harness also checks what the
   decoder promises on success: it consumed at least the 6-byte header and
   no more than the input.  Last, fasl-read reads the input followed by
   three bytes from a bytevector port, an unbuffered custom port and a
   buffered custom port giving 7 bytes a read: its three paths must end
   the same way and leave the same bytes in the port, on success and
   after an error.

   Guile is initialised once, in LLVMFuzzerInitialize.  The decoder raises
   through %vc-raise of (vicare-compat conditions), which is resolved
   through the module system on the first raise, so GUILE_LOAD_PATH must
   name the source tree's module/ directory (fuzz/run sets it).  */

#include <config.h>

#include <libguile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vc.h"
#include "fasl.h"

#include <gc/gc.h>

/* The extension's entry point (init.c); not declared in vc.h.  */
void vc_init (void);

/* The second reading of each input: through a vc_fasl_source that
   hands the bytes over in pieces of varying sizes, as fasl-read of a
   buffered port does; it must end as the first reading did.  */
struct pieces
{
  struct vc_fasl_source src;
  const uint8_t *all;
  size_t size, step;
};

static size_t
next_piece (struct vc_fasl_source *src, size_t n, size_t ahead)
{
  static const size_t sizes[] = { 1, 7, 3, 64, 2, 1000, 5 };
  struct pieces *p = (struct pieces *) src;
  size_t k = sizes[p->step++ % (sizeof sizes / sizeof *sizes)];
  if (k < n)
    k = n + (ahead & 1 ? ahead : 0);
  if (k > p->size - src->len)
    k = p->size - src->len;
  src->len += k;
  return k;
}

struct decode_args
{
  const uint8_t *buf;
  size_t len;
  size_t used;
  SCM result;
  int in_pieces;
};

static SCM
decode_body (void *data)
{
  struct decode_args *a = data;
  if (a->in_pieces)
    {
      struct pieces p = { { a->buf, 0, next_piece, NULL }, a->buf, a->len, 0 };
      a->result = vc_fasl_decode_source (&p.src, &a->used, "fasl-read");
    }
  else
    a->result = vc_fasl_decode (a->buf, a->len, &a->used);
  return SCM_BOOL_T;
}

/* The offset of the last condition the handler accepted.  */
static SCM last_offset;
static SCM fasl_read_error_offset;

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
    {
      last_offset = scm_call_1 (fasl_read_error_offset, scm_car (args));
      return SCM_BOOL_F;
    }
  scm_display (scm_from_utf8_string ("decoder raised something other than "
                                     "&fasl-read-error: "),
               scm_current_error_port ());
  scm_write (scm_cons (key, args), scm_current_error_port ());
  scm_newline (scm_current_error_port ());
  scm_force_output (scm_current_error_port ());
  abort ();
}

/* (port-outcomes BV): for each kind of port over BV, #t or the offset
   of fasl-read's error, and how many bytes the port still has.  */
static const char port_outcomes_code[] =
  "(lambda (bv)"
  "  (define (outcome port)"
  "    (let* ((r (catch '%exception"
  "                (lambda () (fasl-read port) #t)"
  "                (lambda (key e)"
  "                  (if (fasl-read-error? e)"
  "                      (fasl-read-error-offset e)"
  "                      (raise-exception e)))))"
  "           (left (get-bytevector-all port)))"
  "      (cons r (if (eof-object? left) 0 (bytevector-length left)))))"
  "  (define (custom most buffered?)"
  "    (let* ((pos 0)"
  "           (port (make-custom-binary-input-port \"fuzz\""
  "                  (lambda (out start count)"
  "                    (let ((n (min count most"
  "                                  (- (bytevector-length bv) pos))))"
  "                      (bytevector-copy! bv pos out start n)"
  "                      (set! pos (+ pos n))"
  "                      n))"
  "                  #f #f #f)))"
  "      (unless buffered? (setvbuf port 'none))"
  "      port))"
  "  (list (outcome (open-bytevector-input-port bv))"
  "        (outcome (custom (bytevector-length bv) #f))"
  "        (outcome (custom 7 #t))))";

static SCM port_outcomes;

static SCM
port_outcomes_body (void *data)
{
  return scm_call_1 (port_outcomes, *(SCM *) data);
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
  fasl_read_error_offset = scm_permanent_object
    (scm_c_public_ref ("vicare-compat conditions", "fasl-read-error-offset"));
  scm_c_eval_string ("(use-modules (rnrs io ports) (rnrs bytevectors)"
                     " (vicare-compat conditions))");
  port_outcomes = scm_permanent_object (scm_c_eval_string (port_outcomes_code));
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

/* One reading of the input, along the path IN_PIECES; its outcome in
   *A, and the offset of its error (#f when it succeeded) returned.  */
static SCM
read_once (const uint8_t *data, size_t size, int in_pieces,
           struct decode_args *a, SCM *ok)
{
  *a = (struct decode_args) { data, size, 0, SCM_BOOL_F, in_pieces };
  last_offset = SCM_BOOL_F;
  *ok = scm_c_catch (SCM_BOOL_T, decode_body, a, decode_handler, NULL,
                     NULL, NULL);
  return scm_is_true (*ok) ? SCM_BOOL_F : last_offset;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* The checked reading, with the collector running as usual, along
     each path in turn.  */
  static unsigned long runs;
  struct decode_args a;
  SCM ok;
  read_once (data, size, runs++ & 1, &a, &ok);
  scm_remember_upto_here_1 (a.result);
  if (scm_is_true (ok) && (a.used < 6 || a.used > size))
    {
      fprintf (stderr, "vc_fasl_decode returned used=%zu for %zu input bytes\n",
               a.used, size);
      abort ();
    }

  /* The comparison: both paths, after the checked reading has seen the
     input, with the collector held off.  Record types are registered by
     uid in a weak table: a collection may free a dead type between two
     readings, and an input declaring an incompatible type under its uid
     is refused while the dead type is there and accepted once it has
     gone (measured: every difference the fuzzer found between the two
     paths came with a collection during one of them).  Held off, the
     tables change only by what the readers themselves register, and a
     type registered by one reading is the one the next reading of the
     same input declares, so the two must end the same way.  */
  struct decode_args b, c;
  SCM ok_b, ok_c;
  GC_disable ();
  SCM off_b = read_once (data, size, 0, &b, &ok_b);
  SCM off_c = read_once (data, size, 1, &c, &ok_c);
  GC_enable ();
  if (!getenv ("FASL_FUZZ_ANY_ERROR")
      && (scm_is_true (ok_b) != scm_is_true (ok_c)
          || (scm_is_true (ok_b) && b.used != c.used)
          || !scm_is_true (scm_eqv_p (off_b, off_c))))
    {
      scm_write (scm_list_2 (off_b, off_c), scm_current_error_port ());
      scm_force_output (scm_current_error_port ());
      fprintf (stderr, "decoding in pieces differs: %s used=%zu / %s used=%zu\n",
               scm_is_true (ok_b) ? "ok" : "error", b.used,
               scm_is_true (ok_c) ? "ok" : "error", c.used);
      abort ();
    }
  scm_remember_upto_here_2 (b.result, c.result);

  /* fasl-read on three kinds of port, the collector held off (as above):
     the same outcome and the same bytes left.  */
  SCM bv = scm_c_make_bytevector (size + 3);
  memcpy (SCM_BYTEVECTOR_CONTENTS (bv), data, size);
  memcpy ((char *) SCM_BYTEVECTOR_CONTENTS (bv) + size, "\x01\x02\x03", 3);
  /* Collect first once a few MiB were allocated since the last
     collection: while the collector is held off, every allocation that
     finds no free space grows the heap, which never shrinks, and the
     garbage of the inputs before adds up.  Without this, RSS rose by
     about 26 KB an input, to libFuzzer's 4 GB limit in 250,000 runs; with
     it, it stays flat.  */
  if (GC_get_bytes_since_gc () > ((size_t) 8 << 20))
    GC_gcollect ();
  GC_disable ();
  SCM outcomes = scm_c_catch (SCM_BOOL_T, port_outcomes_body, &bv,
                              decode_handler, NULL, NULL, NULL);
  GC_enable ();
  if (!getenv ("FASL_FUZZ_ANY_ERROR")
      && (!scm_is_pair (outcomes)
          || !scm_is_true (scm_equal_p (scm_car (outcomes),
                                        scm_cadr (outcomes)))
          || !scm_is_true (scm_equal_p (scm_car (outcomes),
                                        scm_caddr (outcomes)))))
    {
      scm_write (outcomes, scm_current_error_port ());
      scm_force_output (scm_current_error_port ());
      fprintf (stderr, "\nfasl-read: the kinds of port differ\n");
      abort ();
    }
  return 0;
}
