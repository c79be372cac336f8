/* layout.c -- Guile objects the FASL codec reads and builds in place.
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later

   The layouts, as libguile 3.0 lays them out (strings.h shows the string
   ones for static strings, vectors.h the vector one, numbers.h and
   deprecated.h the bignum one):

     pair       car, cdr; 2 words, scanned
     string     word 0 tag, 1 stringbuf (or parent string when shared),
                2 start, 3 length; 4 words, scanned
     stringbuf  word 0 tag (| SCM_I_STRINGBUF_F_WIDE), 1 length, then
                the Latin-1 bytes or UTF-32 characters and a zero one;
                pointer-free
     vector     word 0 length << 8 | scm_tc7_vector, then the elements;
                scanned (vectors.h spells it out)
     bignum     word 0 tag, then an mpz_t (alloc 0: GMP must not grow it,
                size, pointer to the limbs) and the limbs; pointer-free

   vc_layout_init compares, for each kind, objects libguile made with
   what this file reads from them and builds itself; the tag words are
   taken from libguile's objects, not spelled here.  */

#include <config.h>

#include <gmp.h>
#include <limits.h>
#include <stdatomic.h>
#include <string.h>

#include <libguile/bdw-gc.h>
#include <libguile/gc-inline.h>

#include "layout.h"
#include "fasl.h"

static int strings_ok;          /* read and build strings in place */
static int bignums_ok;          /* build bignums in place */
static int vectors_ok;          /* build small vectors in place */
static int threads_ok;          /* take objects from the thread's lists */
static scm_t_bits string_tag, narrow_buf_tag, wide_buf_tag, bignum_tag;

#define BUF_HEADER (2 * sizeof (scm_t_bits))

struct bignum
{
  scm_t_bits tag;
  __mpz_struct z;
  mp_limb_t limbs[];
};

/* ------------------------------------------------------------ reading */

static int
layout_chars (SCM buf, size_t start, size_t len, struct vc_chars *c)
{
  if (SCM_IMP (buf) || SCM_TYP7 (buf) != scm_tc7_stringbuf
      || start + len < start || start + len > SCM_CELL_WORD_1 (buf))
    return 0;
  c->narrow = !(SCM_CELL_WORD_0 (buf) & SCM_I_STRINGBUF_F_WIDE);
  const char *base = (const char *) SCM_CELL_OBJECT_LOC (buf, 2);
  c->chars = c->narrow ? (const void *) (base + start)
    : (const void *) ((const scm_t_wchar *) base + start);
  c->len = len;
  c->copy = NULL;
  return 1;
}

static int
layout_string_chars (SCM str, struct vc_chars *c)
{
  SCM buf = SCM_CELL_OBJECT_1 (str);
  size_t start = SCM_CELL_WORD_2 (str);
  if (!SCM_IMP (buf) && SCM_TYP7 (buf) == scm_tc7_string)
    {
      /* A shared substring: its start is relative to the parent.  */
      start += SCM_CELL_WORD_2 (buf);
      buf = SCM_CELL_OBJECT_1 (buf);
    }
  return layout_chars (buf, start, SCM_CELL_WORD_3 (str), c);
}

static int
layout_symbol_chars (SCM sym, struct vc_chars *c)
{
  SCM buf = SCM_CELL_OBJECT_1 (sym);
  return !SCM_IMP (buf) && SCM_TYP7 (buf) == scm_tc7_stringbuf
    && layout_chars (buf, 0, SCM_CELL_WORD_1 (buf), c);
}

static void
copy_chars (SCM str, struct vc_chars *c)
{
  size_t len;
  c->copy = scm_to_utf32_stringn (str, &len);
  c->narrow = 0;
  c->chars = c->copy;
  c->len = len;
}

void
vc_string_chars (SCM str, struct vc_chars *c)
{
  if (!(strings_ok && layout_string_chars (str, c)))
    copy_chars (str, c);
}

void
vc_symbol_chars (SCM sym, struct vc_chars *c)
{
  if (!(strings_ok && layout_symbol_chars (sym, c)))
    copy_chars (scm_symbol_to_string (sym), c);
}

const uint64_t *
vc_bignum_limbs (SCM x, size_t *n, int *negative)
{
  if (!bignums_ok)
    return NULL;
  const struct bignum *b = (const void *) SCM_UNPACK_POINTER (x);
  int size = b->z._mp_size;
  *negative = size < 0;
  *n = (size_t) (size < 0 ? -(long) size : size);
  return (const uint64_t *) b->z._mp_d;
}

/* ----------------------------------------------------------- building */

/* P, unless the collector could not allocate it.  */
static void *
allocated (void *p, const char *who)
{
  if (p == NULL)
    vc_raise_out_of_memory (who);
  return p;
}

_Static_assert ((int) VC_GC_POINTERLESS == (int) SCM_INLINE_GC_KIND_POINTERLESS
                && (int) VC_GC_NORMAL == (int) SCM_INLINE_GC_KIND_NORMAL,
                "the collector's kinds");
_Static_assert (VC_BUILDER_LISTS <= SCM_INLINE_GC_FREELIST_COUNT,
                "the thread's free lists");

void
vc_builder_init (struct vc_builder *b)
{
  if (threads_ok)
    {
      scm_thread *t = SCM_I_THREAD_DATA (scm_current_thread ());
      b->lists = t->freelists;
      b->pointerless = t->pointerless_freelists;
    }
  else
    {
      for (size_t i = 0; i < VC_BUILDER_LISTS; i++)
        b->own[i] = NULL;
      b->lists = b->own;
      b->pointerless = NULL;
    }
}

void
vc_builder_refill (void **list, size_t bytes, int kind, const char *who)
{
  GC_generic_malloc_many (bytes, kind, list);
  allocated (*list, who);
}

static void *
pointerless (size_t bytes, const char *who)
{
  return allocated (GC_malloc_atomic (bytes), who);
}

/* A pointer-free object of BYTES bytes: from the thread's list when
   there is one for that size.  */
static inline void *
build_pointerless (struct vc_builder *b, size_t bytes, const char *who)
{
  size_t i = scm_inline_gc_bytes_to_freelist_index (bytes);
  if (b->pointerless && i < SCM_INLINE_GC_FREELIST_COUNT)
    return vc_builder_take (&b->pointerless[i],
                            scm_inline_gc_freelist_object_size (i),
                            VC_GC_POINTERLESS, who);
  return pointerless (bytes, who);
}

/* A string of N characters of WIDTH bytes each (1 or 4), stored in
   *STR; the caller fills the characters at the returned address.  */
static void *
new_string (struct vc_builder *b, size_t n, size_t width, SCM *str,
            const char *who)
{
  if (n > (SIZE_MAX - BUF_HEADER) / width - 1)
    vc_raise_out_of_memory (who);
  scm_t_bits *buf = build_pointerless (b, BUF_HEADER + (n + 1) * width, who);
  buf[0] = width == 1 ? narrow_buf_tag : wide_buf_tag;
  buf[1] = n;
  memset ((char *) (buf + 2) + n * width, 0, width);
  scm_t_bits *cell = vc_builder_words (b, 4, who);
  cell[0] = string_tag;
  cell[1] = (scm_t_bits) buf;
  cell[2] = 0;
  cell[3] = n;
  *str = SCM_PACK_POINTER (cell);
  return buf + 2;
}

struct vc_string_layout vc_string_layout;

SCM
vc_build_latin1_string_any (struct vc_builder *b, const void *chars,
                            size_t n, const char *who)
{
  if (!strings_ok)
    return scm_from_latin1_stringn (chars, n);
  SCM str;
  memcpy (new_string (b, n, 1, &str, who), chars, n);
  return str;
}

SCM
vc_build_utf32le_string (struct vc_builder *b, const uint8_t *p, size_t n,
                         const char *who)
{
  SCM str;
  scm_t_wchar *d;
  if (strings_ok)
    d = new_string (b, n, 4, &str, who);
  else
    d = scm_malloc (n * sizeof *d + 1);
  for (size_t k = 0; k < n; k++)
    d[k] = (scm_t_wchar) vc_fasl_load32 (p + 4 * k);
  if (!strings_ok)
    {
      str = scm_from_utf32_stringn (d, n);
      free (d);
    }
  return str;
}

SCM
vc_build_vector (struct vc_builder *b, size_t n, const char *who)
{
  /* Vectors of up to 7 elements come from the builder's lists of 2-, 4-,
     6- and 8-word objects; a spare last word is zeroed.  */
  static const size_t words[8] = { 0, 2, 4, 4, 6, 6, 8, 8 };
  if (!vectors_ok || n == 0 || n > 7)
    return scm_c_make_vector (n, SCM_BOOL_F);
  scm_t_bits *v = vc_builder_words (b, words[n], who);
  v[0] = ((scm_t_bits) n << 8) | scm_tc7_vector;
  for (size_t i = 1; i <= n; i++)
    v[i] = SCM_UNPACK (SCM_BOOL_F);
  if (n + 1 < words[n])
    v[n + 1] = 0;
  return SCM_PACK_POINTER (v);
}

/* The bignum through GMP: a read-only mpz over a copy of the limbs.  */
static SCM
bignum_from_mpz (const uint8_t *p, size_t n, int negative)
{
  mp_limb_t small[8];
  mp_limb_t *d = n <= 8 ? small : scm_malloc (n * sizeof *d);
  mpz_t z;
#if GMP_LIMB_BITS == 64
  for (size_t i = 0; i < n; i++)
    d[i] = vc_fasl_load64 (p + 8 * i);
  mpz_roinit_n (z, d, negative ? -(mp_size_t) n : (mp_size_t) n);
  SCM v = scm_from_mpz (z);
#else
  mpz_init (z);
  mpz_import (z, n, -1, 8, -1, 0, p);
  if (negative)
    mpz_neg (z, z);
  SCM v = scm_from_mpz (z);
  mpz_clear (z);
#endif
  if (d != small)
    free (d);
  return v;
}

SCM
vc_build_bignum (struct vc_builder *b, const uint8_t *p, size_t n,
                 int negative)
{
  if (!bignums_ok || n > INT_MAX
      || n > (SIZE_MAX - sizeof (struct bignum)) / sizeof (mp_limb_t))
    return bignum_from_mpz (p, n, negative);
  struct bignum *big
    = build_pointerless (b, sizeof *big + n * sizeof (mp_limb_t), "fasl-read");
  big->tag = bignum_tag;
  big->z._mp_alloc = 0;
  big->z._mp_size = negative ? -(int) n : (int) n;
  big->z._mp_d = big->limbs;
  for (size_t i = 0; i < n; i++)
    big->limbs[i] = vc_fasl_load64 (p + 8 * i);
  return SCM_PACK_POINTER (big);
}

/* -------------------------------------------------------------- ports

   A port's record (ports-internal.h): file name, position, read buffer,
   write buffer, auxiliary write buffer, read buffering; the read buffer
   is a vector: bytevector, cur, end, ...  Asking Scheme costs a call
   into the VM per fasl-read; the record is read directly once it has
   agreed with Scheme on ports in known states.  */

struct port_record
{
  SCM file_name, position, read_buf, write_buf, write_buf_aux;
  size_t read_buffering;
};

/* 0: not checked yet; 1: the layout is in use; -1: it is not.  */
static _Atomic int ports_state;

/* The bytes waiting in PORT's read buffer and whether it is unbuffered,
   from its record; 0 when the record does not look as expected.  */
static int
port_record_buffered (SCM port, size_t *avail, int *unbuffered)
{
  const struct port_record *pt = (const void *) SCM_PORT (port);
  SCM buf = pt->read_buf;
  if (SCM_IMP (buf) || !SCM_I_IS_VECTOR (buf) || SCM_I_VECTOR_LENGTH (buf) < 3)
    return 0;
  SCM cur = SCM_I_VECTOR_ELTS (buf)[1], end = SCM_I_VECTOR_ELTS (buf)[2];
  if (!SCM_I_INUMP (cur) || !SCM_I_INUMP (end))
    return 0;
  scm_t_signed_bits c = SCM_I_INUM (cur), e = SCM_I_INUM (end);
  *avail = c >= 0 && e > c ? (size_t) (e - c) : 0;
  *unbuffered = pt->read_buffering == 1;
  return 1;
}

static int64_t
reference_buffered (SCM port, SCM reference)
{
  return scm_to_int64 (scm_call_1 (reference, port));
}

/* Do the record and REFERENCE agree on PORT?  */
static int
port_agrees (SCM port, SCM reference)
{
  size_t avail;
  int unbuffered;
  if (!port_record_buffered (port, &avail, &unbuffered))
    return 0;
  int64_t n = (int64_t) avail;
  return reference_buffered (port, reference) == (unbuffered ? -1 - n : n);
}

/* Bytevector ports, buffered and not, fresh, partly read, with bytes
   put back.  */
static int
ports_agree (SCM reference)
{
  static const char bytes[64] = "vicare-compat: the port layout check";
  int ok = 1;
  for (int buffered = 0; ok && buffered <= 1; buffered++)
    {
      SCM bv = scm_c_make_bytevector (sizeof bytes);
      memcpy (SCM_BYTEVECTOR_CONTENTS (bv), bytes, sizeof bytes);
      SCM port = scm_open_bytevector_input_port (bv, SCM_UNDEFINED);
      if (!buffered)
        scm_setvbuf (port, scm_from_utf8_symbol ("none"), SCM_UNDEFINED);
      char got[8];
      ok = port_agrees (port, reference)
        && scm_c_read (port, got, 5) == 5 && port_agrees (port, reference)
        && scm_c_read (port, got, 1) == 1 && port_agrees (port, reference);
      if (ok)
        {
          scm_unget_bytes ((const unsigned char *) got, 1, port);
          ok = port_agrees (port, reference);
        }
      scm_close_port (port);
    }
  return ok;
}

/* Is the port record's layout in use?  Checked on first use (the
   reference comes from (vicare-compat fasl-support), which is loaded
   only when the codec is first used); two threads may both check, and
   both find the same.  */
static int
ports_ok (SCM reference)
{
  int state = atomic_load_explicit (&ports_state, memory_order_relaxed);
  if (VC_UNLIKELY (state == 0))
    {
      state = ports_agree (reference) ? 1 : -1;
      atomic_store_explicit (&ports_state, state, memory_order_relaxed);
    }
  return state > 0;
}

size_t
vc_port_buffered (SCM port, SCM reference, int *unbuffered)
{
  size_t avail;
  if (ports_ok (reference) && port_record_buffered (port, &avail, unbuffered))
    return avail;
  int64_t n = reference_buffered (port, reference);
  *unbuffered = n < 0;
  return (size_t) (n < 0 ? -1 - n : n);
}

/* ------------------------------------------------------------ checks */

/* Does the layout give the right characters for STR?  */
static int
chars_agree (SCM str, int symbol)
{
  struct vc_chars c;
  SCM s = symbol ? scm_symbol_to_string (str) : str;
  if (!(symbol ? layout_symbol_chars (str, &c) : layout_string_chars (str, &c)))
    return 0;
  if (c.len != scm_c_string_length (s))
    return 0;
  for (size_t i = 0; i < c.len; i++)
    {
      scm_t_wchar ch = c.narrow ? ((const unsigned char *) c.chars)[i]
        : ((const scm_t_wchar *) c.chars)[i];
      if (ch != SCM_CHAR (scm_c_string_ref (s, i)))
        return 0;
    }
  return 1;
}

/* Are OURS and THEIRS the same string, word for word (but for the
   stringbuf's address), and does OURS behave as a mutable string?  */
static int
same_string (SCM ours, SCM theirs, size_t width)
{
  const scm_t_bits *a = SCM_UNPACK_POINTER (ours);
  const scm_t_bits *b = SCM_UNPACK_POINTER (theirs);
  size_t n = b[3];
  if (a[0] != b[0] || a[2] != b[2] || a[3] != b[3] || a[2] != 0)
    return 0;
  const scm_t_bits *abuf = (const scm_t_bits *) a[1];
  const scm_t_bits *bbuf = (const scm_t_bits *) b[1];
  if (GC_base ((void *) bbuf) != bbuf
      || GC_size ((void *) bbuf) < BUF_HEADER + (n + 1) * width
      || memcmp (abuf, bbuf, BUF_HEADER + (n + 1) * width) != 0)
    return 0;
  if (!scm_is_true (scm_string_eq (ours, theirs, SCM_UNDEFINED, SCM_UNDEFINED,
                                   SCM_UNDEFINED, SCM_UNDEFINED)))
    return 0;
  /* Writing goes through libguile's copy-on-write: it must work and
     leave THEIRS alone.  */
  SCM copy = scm_string_copy (theirs);
  scm_c_string_set_x (ours, 0, SCM_MAKE_CHAR ('Z'));
  return SCM_CHAR (scm_c_string_ref (ours, 0)) == 'Z'
    && scm_is_true (scm_string_eq (copy, theirs, SCM_UNDEFINED,
                                   SCM_UNDEFINED, SCM_UNDEFINED,
                                   SCM_UNDEFINED));
}

static void
check_strings (void)
{
  static const char latin1[] = "caf\xe9 au lait";
  static const scm_t_wchar wide[] = { 'a', 0x3BB, 0x1F600, 'z' };
  static const uint8_t wide_le[] = { 'a', 0, 0, 0, 0xBB, 3, 0, 0,
                                     0, 0xF6, 1, 0, 'z', 0, 0, 0 };
  SCM narrow = scm_from_latin1_string (latin1);
  SCM w = scm_from_utf32_stringn (wide, 4);
  strings_ok = chars_agree (narrow, 0)
    && chars_agree (w, 0)
    && chars_agree (scm_substring_shared (narrow, scm_from_int (3),
                                          scm_from_int (9)), 0)
    && chars_agree (scm_substring_shared (w, scm_from_int (1),
                                          scm_from_int (3)), 0)
    && chars_agree (scm_from_latin1_symbol ("vicare-compat-layout"), 1)
    && chars_agree (scm_string_to_symbol (w), 1);
  if (!strings_ok)
    return;
  string_tag = SCM_CELL_WORD_0 (narrow);
  narrow_buf_tag = SCM_CELL_WORD_0 (SCM_CELL_OBJECT_1 (narrow));
  wide_buf_tag = SCM_CELL_WORD_0 (SCM_CELL_OBJECT_1 (w));
  struct vc_builder b;
  vc_builder_init (&b);
  strings_ok = SCM_TYP7 (narrow) == scm_tc7_string
    && string_tag == SCM_CELL_WORD_0 (w)
    && wide_buf_tag == (narrow_buf_tag | SCM_I_STRINGBUF_F_WIDE)
    && same_string (vc_build_latin1_string_any (&b, latin1,
                                                sizeof latin1 - 1, "load"),
                    narrow, 1)
    && same_string (vc_build_utf32le_string (&b, wide_le, 4, "load"), w, 4)
    /* libguile shares one static buffer among empty strings; ours have
       their own.  */
    && scm_is_true (scm_string_null_p (vc_build_latin1_string_any
                                       (&b, "", 0, "load")));
  /* The inline builder, for the same strings.  */
  vc_string_layout.string_tag = string_tag;
  vc_string_layout.narrow_buf_tag = narrow_buf_tag;
  vc_string_layout.ok = strings_ok;
  if (vc_string_layout.ok && b.pointerless)
    vc_string_layout.ok
      = same_string (vc_build_latin1_string (&b, latin1, sizeof latin1 - 1,
                                             "load"), narrow, 1)
      && scm_is_true (scm_string_null_p (vc_build_latin1_string (&b, "", 0,
                                                                 "load")));
  scm_remember_upto_here_2 (narrow, w);
}

/* Does vc_bignum_limbs give the N limbs L and the sign of X?  */
static int
reads_back (SCM x, const mp_limb_t *l, size_t n, int negative)
{
  size_t got_n;
  int got_negative;
  const uint64_t *got = vc_bignum_limbs (x, &got_n, &got_negative);
  return got && got_n == n && got_negative == negative
    && memcmp (got, l, n * sizeof *got) == 0;
}

/* Does our bignum of the N limbs L equal libguile's THEIRS, word for word
   but for the limbs' address, and compute as it does?  */
static int
same_bignum (const mp_limb_t *l, size_t n, int negative, SCM theirs)
{
  uint8_t bytes[8 * 4];
  for (size_t i = 0; i < n; i++)
    vc_fasl_store64 (bytes + 8 * i, l[i]);
  struct vc_builder builder;
  vc_builder_init (&builder);
  SCM ours = vc_build_bignum (&builder, bytes, n, negative);
  const struct bignum *a = (const void *) SCM_UNPACK_POINTER (ours);
  const struct bignum *b = (const void *) SCM_UNPACK_POINTER (theirs);
  return SCM_BIGP (theirs) && a->tag == b->tag
    && a->z._mp_alloc == b->z._mp_alloc && a->z._mp_size == b->z._mp_size
    && b->z._mp_d == b->limbs && GC_base ((void *) b) == b
    && GC_size ((void *) b) >= sizeof *b + n * sizeof (mp_limb_t)
    && memcmp (a->limbs, b->limbs, n * sizeof (mp_limb_t)) == 0
    && reads_back (theirs, l, n, negative)
    && scm_is_true (scm_num_eq_p (ours, theirs))
    && scm_is_true (scm_equal_p (scm_number_to_string (scm_sum (ours, ours),
                                                       SCM_UNDEFINED),
                                 scm_number_to_string (scm_sum (theirs,
                                                                theirs),
                                                       SCM_UNDEFINED)));
}

static void
check_bignums (void)
{
  /* 2^70 + 5 and -(2^130 + 7).  */
  static const mp_limb_t two[] = { 5, 64 };
  static const mp_limb_t three[] = { 7, 0, 4 };
  SCM a = scm_sum (scm_ash (scm_from_int (1), scm_from_int (70)),
                   scm_from_int (5));
  SCM b = scm_difference (scm_from_int (-7),
                          scm_ash (scm_from_int (1), scm_from_int (130)));
  if (GMP_LIMB_BITS != 64 || !SCM_BIGP (a))
    return;
  bignum_tag = SCM_CELL_WORD_0 (a);
  bignums_ok = 1;
  bignums_ok = same_bignum (two, 2, 0, a) && same_bignum (three, 3, 1, b);
}

/* Which layouts are in use, for the tests: a fallback is correct but
   slow, and would otherwise go unnoticed.  */
static SCM
layout_status (void)
{
  int ports = ports_ok (vc_fasl_support_ref (VC_FASL_INPUT_BUFFERED));
  /* Strings: the inline builder too, where it applies.  */
  return scm_list_5 (scm_cons (scm_from_utf8_symbol ("strings"),
                               scm_from_bool (strings_ok
                                              && (vc_string_layout.ok
                                                  || !threads_ok))),
                     scm_cons (scm_from_utf8_symbol ("bignums"),
                               scm_from_bool (bignums_ok)),
                     scm_cons (scm_from_utf8_symbol ("vectors"),
                               scm_from_bool (vectors_ok)),
                     scm_cons (scm_from_utf8_symbol ("thread-lists"),
                               scm_from_bool (threads_ok)),
                     scm_cons (scm_from_utf8_symbol ("ports"),
                               scm_from_bool (ports)));
}

static void
check_vectors (void)
{
  struct vc_builder b;
  vc_builder_init (&b);
  vectors_ok = 1;
  for (size_t n = 1; vectors_ok && n <= 7; n++)
    {
      SCM theirs = scm_c_make_vector (n, SCM_BOOL_F);
      SCM ours = vc_build_vector (&b, n, "load");
      vectors_ok = SCM_CELL_WORD_0 (ours) == SCM_CELL_WORD_0 (theirs)
        && SCM_I_IS_MUTABLE_VECTOR (ours)
        && scm_c_vector_length (ours) == n
        && scm_is_true (scm_equal_p (ours, theirs));
      if (vectors_ok)
        {
          scm_c_vector_set_x (ours, n - 1, SCM_I_MAKINUM (7));
          vectors_ok = scm_is_eq (scm_c_vector_ref (ours, n - 1),
                                  SCM_I_MAKINUM (7))
            && scm_is_false (scm_c_vector_ref (theirs, n - 1));
        }
    }
}

/* Is the current thread's record where threads.h says, free lists
   included?  Its handle and its pthread, which follow the lists, must
   read back.  */
static void
check_threads (void)
{
  SCM handle = scm_current_thread ();
  scm_thread *t = SCM_I_THREAD_DATA (handle);
  threads_ok = SCM_I_IS_THREAD (handle) && scm_is_eq (t->handle, handle)
#if SCM_USE_PTHREAD_THREADS
    && pthread_equal (t->pthread, pthread_self ())
#endif
    ;
}

void
vc_layout_init (void)
{
  check_threads ();
  check_strings ();
  check_bignums ();
  check_vectors ();
  vc_define ("%vc-layout-status", 0, 0, 0, (scm_t_subr) layout_status);
}
