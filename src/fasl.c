/* fasl.c -- the FASL primitives on bytevectors and raw memory.
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later

   The codec itself is in fasl-write.c and fasl-read.c; this file moves
   bytes between it and bytevectors and memory blocks (fasl-port.c does
   ports), and holds the Scheme support vector the codec calls.  */

#include <config.h>

#include <stdatomic.h>
#include <string.h>

#include "fasl.h"

/* ---------------------------------------------------- Scheme support */

/* The vector of (vicare-compat fasl-support), looked up on first use.
   Two threads may both look it up; both store the same object.  */
static _Atomic scm_t_bits support_vector;

SCM
vc_fasl_support (void)
{
  scm_t_bits v = atomic_load_explicit (&support_vector, memory_order_acquire);
  if (VC_LIKELY (v))
    return SCM_PACK (v);
  SCM s = scm_c_public_ref ("vicare-compat fasl-support", "fasl-support");
  if (!SCM_I_IS_VECTOR (s)
      || SCM_SIMPLE_VECTOR_LENGTH (s) != VC_FASL_SUPPORT_COUNT)
    abort ();                   /* the two files disagree: a build error */
  scm_gc_protect_object (s);
  atomic_store_explicit (&support_vector, SCM_UNPACK (s),
                         memory_order_release);
  return s;
}

/* ------------------------------------------------------------- encode */

/* fasl-encode writes a small datum into a buffer on the C stack, then
   copies it into a bytevector of its exact size: a message costs one
   allocation of its own size.  A bigger one goes into a bytevector as
   large as the size bound.  */
#define ENCODE_SMALL 2048

struct encode_dest
{
  SCM bv;
  uint8_t small[ENCODE_SMALL];
};

static uint8_t *
bytevector_for (void *data, size_t bound)
{
  struct encode_dest *d = data;
  if (bound <= sizeof d->small)
    return d->small;
  d->bv = scm_c_make_bytevector (bound);
  return (uint8_t *) SCM_BYTEVECTOR_CONTENTS (d->bv);
}

static SCM
fasl_encode (SCM obj)
{
  struct encode_dest d;
  d.bv = SCM_BOOL_F;
  size_t len;
  uint8_t *buf = vc_fasl_encode (obj, SCM_EOL, "fasl-encode", bytevector_for,
                                 &d, &len);
  SCM bv = d.bv;
  if (buf == d.small)
    {
      SCM out = scm_c_make_bytevector (len);
      memcpy (SCM_BYTEVECTOR_CONTENTS (out), buf, len);
      return out;
    }
  if (scm_is_true (bv) && buf == (uint8_t *) SCM_BYTEVECTOR_CONTENTS (bv))
    {
      size_t bound = SCM_BYTEVECTOR_LENGTH (bv);
      if (len == bound)
        return bv;
      /* A big buffer with little unused: a bytevector of LEN bytes over
         the same memory (its pointer keeps BV alive) saves a copy, at the
         cost of a weak reference.  Else copy.  */
      if (len >= 65536 && bound - len <= len / 16 + 64)
        return scm_pointer_to_bytevector (scm_bytevector_to_pointer (bv,
                                                                     SCM_INUM0),
                                          scm_from_size_t (len), SCM_INUM0,
                                          scm_from_utf8_symbol ("vu8"));
      SCM out = scm_c_make_bytevector (len);
      memcpy (SCM_BYTEVECTOR_CONTENTS (out), buf, len);
      scm_remember_upto_here_1 (bv);
      return out;
    }
  scm_dynwind_begin (0);
  scm_dynwind_free (buf);
  SCM out = scm_c_make_bytevector (len);
  memcpy (SCM_BYTEVECTOR_CONTENTS (out), buf, len);
  scm_dynwind_end ();
  return out;
}

/* fasl-write-memory writes straight to the block when the bound fits.  */
struct block
{
  uint8_t *dest;
  size_t size;
};

static uint8_t *
block_for (void *data, size_t bound)
{
  struct block *b = data;
  return bound <= b->size ? b->dest : NULL;
}

static SCM
fasl_write_memory (SCM obj, SCM pointer, SCM limit)
{
  static const char who[] = "fasl-write-memory";
  struct block b;
  b.dest = vc_pointer_arg (pointer, 2, who);
  b.size = VC_SIZE_ARG (limit, 3, who);
  if (!b.dest && b.size > 0)
    vc_raise_argument (who, 2, "non-null-pointer?", pointer);
  size_t len;
  uint8_t *buf = vc_fasl_encode (obj, SCM_EOL, who, block_for, &b, &len);
  if (buf != b.dest)
    {
      if (len <= b.size)
        memcpy (b.dest, buf, len);
      free (buf);
      if (len > b.size)
        vc_raise_consistency (who, "datum does not fit in the memory block",
                              scm_list_2 (scm_from_size_t (len), limit));
    }
  scm_remember_upto_here_1 (pointer);
  return scm_from_size_t (len);
}

/* ----------------------------------------------------------------- read */

static SCM
fasl_decode (SCM bv, SCM start, SCM count)
{
  static const char who[] = "fasl-decode";
  if (!SCM_BYTEVECTOR_P (bv))
    vc_raise_argument (who, 1, "bytevector?", bv);
  size_t len = SCM_BYTEVECTOR_LENGTH (bv);
  size_t s = SCM_UNBNDP (start) ? 0 : VC_SIZE_ARG (start, 2, who);
  if (s > len)
    vc_raise_consistency (who, "start beyond the end of the bytevector",
                          scm_list_2 (start, scm_from_size_t (len)));
  size_t n = SCM_UNBNDP (count) ? len - s : VC_SIZE_ARG (count, 3, who);
  if (n > len - s)
    vc_raise_consistency (who, "count beyond the end of the bytevector",
                          scm_list_3 (scm_from_size_t (s), count,
                                      scm_from_size_t (len)));
  size_t used;
  SCM v = vc_fasl_decode_who ((const uint8_t *) SCM_BYTEVECTOR_CONTENTS (bv)
                              + s, n, &used, who);
  scm_remember_upto_here_1 (bv);
  if (used != n)
    vc_raise_fasl_read (who, "trailing bytes after the datum", used, 0,
                        scm_list_1 (scm_from_size_t (n - used)));
  return v;
}

static SCM
fasl_read_memory (SCM pointer, SCM limit)
{
  static const char who[] = "fasl-read-memory";
  const uint8_t *src = vc_pointer_arg (pointer, 1, who);
  size_t size = VC_SIZE_ARG (limit, 2, who);
  if (!src && size > 0)
    vc_raise_argument (who, 1, "non-null-pointer?", pointer);
  size_t used;
  SCM v = vc_fasl_decode_who (src, size, &used, who);
  scm_remember_upto_here_1 (pointer);
  return scm_values_2 (v, scm_from_size_t (used));
}

void
vc_init_fasl (void)
{
  vc_layout_init ();
  vc_init_fasl_recent ();
  vc_init_fasl_port ();
  vc_define ("fasl-encode", 1, 0, 0, (scm_t_subr) fasl_encode);
  vc_define ("fasl-decode", 1, 2, 0, (scm_t_subr) fasl_decode);
  vc_define ("fasl-write-memory", 3, 0, 0, (scm_t_subr) fasl_write_memory);
  vc_define ("fasl-read-memory", 2, 0, 0, (scm_t_subr) fasl_read_memory);
}
