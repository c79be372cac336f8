/* fasl-read.c -- the FASL decoder: bytes to a Scheme datum.
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later

   The decoder reads one header and one datum from a contiguous buffer.
   It never recurses: containers being filled live on an explicit stack
   of frames, so 10^5-deep data reads as well as flat data, and a depth
   limit turns hostile nesting into a clean error.  Every length is
   checked against the bytes left before anything is allocated, marks
   must come in sequence (1, 2, 3, ...), and every typed part (a symbol's
   name, a ratnum's denominator, a record's type, ...) is checked, so any
   malformed input raises &fasl-read-error with the byte offset of the
   fault.  All state is in the decoder's own context.

   The second half is a scanner that finds where a datum ends without
   building it, resumable as more bytes arrive: fasl-read uses it to take
   exactly the datum's bytes from a port.  */

#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fasl.h"

#ifdef __GNUC__
# define NOINLINE __attribute__ ((noinline))
#else
# define NOINLINE
#endif

/* ------------------------------------------------------------ the context */

enum frame_kind
{
  F_CHAIN_CAR, F_CHAIN_TAIL,    /* P, l, L: a = head, b = current pair,
                                   n = cars left after this one */
  F_VECTOR,                     /* a = vector, i of n */
  F_STRUCT_RTD,                 /* n = field count */
  F_STRUCT_FIELDS,              /* a = instance, i of n */
  F_HASH_KEYS, F_HASH_VALUES,   /* a = table, b = keys */
  F_SYMBOL,                     /* M: the name */
  F_GENSYM_PRETTY, F_GENSYM_UNIQUE, /* b = pretty name */
  F_RATNUM_DEN, F_RATNUM_NUM,   /* b = denominator */
  F_COMPLEX_REAL, F_COMPLEX_IMAG, /* b = real part */
  F_RTD,                        /* W: a = parts vector, i = part index */
  F_STRUCT_TYPE                 /* R: a = parts vector, i = part index */
};

struct frame
{
  uint8_t kind;
  uint32_t mark;                /* to register when the object is complete */
  size_t off;                   /* offset of the object's tag */
  size_t i, n;
  SCM a, b;
};

#define INITIAL_FRAMES 32
#define INITIAL_MARKS 16

struct reader
{
  const char *who;
  const uint8_t *buf;
  size_t len, pos;
  struct frame *frames;         /* frames[0 .. depth) */
  size_t depth, frames_cap;
  SCM *marks;                   /* marks[1 .. next_mark) */
  uint32_t next_mark;
  size_t marks_cap;
  /* Marks announced and referenced so far: a W entry read while it
     does not change can be remembered (fasl-recent.c).  */
  size_t mark_events;
  SCM support;
  /* The last record type validated for '{', to skip the check.  */
  SCM last_rtd;
  /* When not NULL, where more bytes come from (BUF and LEN are then
     its own, and move when it grows).  */
  struct vc_fasl_source *src;
  int src_done;                 /* SRC has given its last byte */
  /* What the datum is built with; the reader lives on the C stack.  */
  struct vc_builder build;
  struct frame frames0[INITIAL_FRAMES];
  SCM marks0[INITIAL_MARKS];
};

/* Raise &fasl-read-error, telling the source first.  */
static VC_NORETURN void
raise_fault (struct reader *r, const char *message, size_t off, int header,
             SCM irritants)
{
  if (r->src && r->src->fault)
    r->src->fault (r->src);
  vc_raise_fasl_read (r->who, message, off, header, irritants);
}

static VC_NORETURN void
fail (struct reader *r, size_t off, const char *message, SCM irritants)
{
  raise_fault (r, message, off, 0, irritants);
}

static VC_NORETURN void
truncated (struct reader *r, size_t off)
{
  fail (r, off, "truncated input: the datum ends before its last byte",
        SCM_EOL);
}

/* A lower bound of the bytes the datum has after the object being
   read: one per object its open containers still expect (the top
   frames hold the big counts; looking at a few keeps this cheap).  */
static size_t
bytes_after (struct reader *r)
{
  uint64_t more = 0;
  for (size_t i = r->depth, k = 0; i > 0 && k < 64; i--, k++)
    {
      const struct frame *f = &r->frames[i - 1];
      switch (f->kind)
        {
        case F_CHAIN_CAR: more += f->n + 1; break;
        case F_VECTOR: case F_STRUCT_FIELDS: case F_STRUCT_TYPE:
          more += f->n > f->i ? f->n - f->i - 1 : 0;
          break;
        case F_STRUCT_RTD: more += f->n; break;
        case F_HASH_KEYS: case F_GENSYM_PRETTY: case F_RATNUM_DEN:
        case F_COMPLEX_REAL:
          more += 1;
          break;
        case F_RTD:
          more += f->i < 5 ? 4 - f->i : f->n > f->i ? f->n - f->i - 1 : 0;
          break;
        default:
          break;
        }
      if (more > (UINT64_C (1) << 40))
        break;
    }
  return (size_t) more;
}

/* The bytes left in the input, made at least N when the source has
   them.  */
static size_t
available (struct reader *r, size_t n)
{
  while (r->len - r->pos < n && r->src && !r->src_done)
    {
      size_t more = r->src->refill (r->src, n - (r->len - r->pos),
                                    bytes_after (r));
      r->buf = r->src->buf;
      r->len = r->src->len;
      if (more == 0)
        r->src_done = 1;
    }
  return r->len - r->pos;
}

static inline void
need (struct reader *r, size_t n)
{
  if (VC_UNLIKELY (r->len - r->pos < n) && available (r, n) < n)
    truncated (r, r->pos);
}

/* read_length, when the length is not plainly within the bytes there.  */
static NOINLINE size_t
read_length_slow (struct reader *r, size_t unit, size_t extra,
                  const char *what)
{
  size_t off = r->pos;
  need (r, 8);
  uint64_t w = vc_fasl_load64 (r->buf + r->pos);
  r->pos += 8;
  if (VC_UNLIKELY (w >> 63))
    fail (r, off, what, scm_list_1 (scm_from_int64 ((int64_t) w)));
  size_t left = r->len - r->pos;
  if (VC_UNLIKELY (left < extra || w > (left - extra) / unit)
      && r->src && w < (UINT64_C (1) << 60))
    left = available (r, extra + (size_t) w * unit);
  if (VC_UNLIKELY (left < extra || w > (left - extra) / unit))
    fail (r, off, "length exceeds the remaining input",
          scm_list_1 (scm_from_uint64 (w)));
  return (size_t) w;
}

/* A length word: non-negative, and at most the bytes left divided by the
   bytes each unit needs at least.  UNIT is 1, 2 or 4.  */
static inline size_t
read_length (struct reader *r, size_t unit, size_t extra, const char *what)
{
  if (VC_LIKELY (r->len - r->pos >= 8))
    {
      uint64_t w = vc_fasl_load64 (r->buf + r->pos);
      size_t left = r->len - r->pos - 8;
      /* Small enough that W * UNIT + EXTRA cannot wrap.  */
      if (VC_LIKELY (w < (UINT64_C (1) << 56) && w * unit + extra <= left))
        {
          r->pos += 8;
          return (size_t) w;
        }
    }
  return read_length_slow (r, unit, extra, what);
}

/* Make room for one more frame.  */
static NOINLINE void
grow_frames (struct reader *r, size_t off)
{
  if (r->depth >= VC_FASL_MAX_DEPTH)
    fail (r, off, "nesting too deep", SCM_EOL);
  if (r->depth == r->frames_cap)
    {
      size_t cap = r->frames_cap * 2;
      struct frame *f = scm_gc_malloc (cap * sizeof *f, "fasl-read frames");
      memcpy (f, r->frames, r->depth * sizeof *f);
      r->frames = f;
      r->frames_cap = cap;
    }
}

static inline void
push (struct reader *r, uint8_t kind, uint32_t mark, size_t off)
{
  if (VC_UNLIKELY (r->depth >= r->frames_cap
                   || r->depth >= VC_FASL_MAX_DEPTH))
    grow_frames (r, off);
  struct frame *f = &r->frames[r->depth++];
  f->kind = kind;
  f->mark = mark;
  f->off = off;
  f->i = f->n = 0;
  f->a = f->b = SCM_BOOL_F;
}

static void
set_mark (struct reader *r, uint32_t m, SCM obj)
{
  if (m)
    r->marks[m] = obj;
}

/* '>' M: M must be the next number; reserve its slot, still undefined.  */
static uint32_t
announce_mark (struct reader *r, size_t off)
{
  need (r, 4);
  uint32_t m = vc_fasl_load32 (r->buf + r->pos);
  r->pos += 4;
  if (m != r->next_mark)
    fail (r, off, "mark out of sequence", scm_list_1 (scm_from_uint32 (m)));
  if (VC_UNLIKELY (m == UINT32_MAX))
    fail (r, off, "too many marks", SCM_EOL);
  if (VC_UNLIKELY (m >= r->marks_cap))
    {
      size_t cap = r->marks_cap * 2;
      SCM *t = scm_gc_malloc (cap * sizeof *t, "fasl-read marks");
      memcpy (t, r->marks, r->marks_cap * sizeof *t);
      r->marks = t;
      r->marks_cap = cap;
    }
  r->marks[m] = SCM_UNDEFINED;
  r->next_mark++;
  r->mark_events++;
  return m;
}

/* ------------------------------------------------------------------ atoms */

/* A fixnum word (the value shifted left by 3) as a Guile fixnum in *V;
   0 when its tag bits are not zero.  */
static inline int
fixnum_word (uint64_t word, SCM *v)
{
  int64_t w = (int64_t) word;
  if (VC_UNLIKELY (w & 7))
    return 0;
  *v = SCM_I_MAKINUM (w >> 3);   /* 61 bits: always a Guile fixnum */
  return 1;
}

/* The bytes of the narrow string whose length word is next; *N is set
   to their number and the input moves past them.  */
static const char *
narrow_chars (struct reader *r, size_t *n)
{
  *n = read_length (r, 1, 0, "negative string length");
  const char *chars = (const char *) r->buf + r->pos;
  r->pos += *n;
  return chars;
}

static int
valid_code_point (uint32_t c)
{
  return c <= 0x10FFFF && !(c >= 0xD800 && c <= 0xDFFF);
}

static SCM
read_wide_string (struct reader *r, size_t off)
{
  size_t n = read_length (r, 4, 0, "negative string length");
  const uint8_t *p = r->buf + r->pos;
  uint32_t max = 0;
  for (size_t k = 0; k < n; k++)
    {
      uint32_t c = vc_fasl_load32 (p + 4 * k);
      if (VC_UNLIKELY (!valid_code_point (c)))
        fail (r, r->pos + 4 * k, "invalid code point in string",
              scm_list_1 (scm_from_uint32 (c)));
      max |= c;
    }
  SCM s;
  if (max <= 0xFF)
    {
      /* Only Latin-1 characters: a narrow string, as Guile makes.  */
      char small[256];
      char *d = n <= sizeof small ? small : scm_malloc (n);
      for (size_t k = 0; k < n; k++)
        d[k] = (char) p[4 * k];
      s = vc_build_latin1_string (&r->build, d, n, r->who);
      if (d != small)
        free (d);
    }
  else
    s = vc_build_utf32le_string (&r->build, p, n, r->who);
  (void) off;
  r->pos += 4 * n;
  return s;
}

static SCM
read_bignum (struct reader *r, size_t off)
{
  need (r, 8);
  int64_t k = (int64_t) vc_fasl_load64 (r->buf + r->pos);
  r->pos += 8;
  if (k == 0 || k == INT64_MIN || (k < 0 ? -k : k) % 8 != 0)
    fail (r, off, "bignum size is not a non-zero multiple of 8",
          scm_list_1 (scm_from_int64 (k)));
  uint64_t size = (uint64_t) (k < 0 ? -k : k);
  if (size > r->len - r->pos && size < (UINT64_C (1) << 60))
    available (r, (size_t) size);
  if (size > r->len - r->pos)
    fail (r, off, "length exceeds the remaining input",
          scm_list_1 (scm_from_uint64 (size)));
  const uint8_t *p = r->buf + r->pos;
  size_t limbs = size / 8;
  if (vc_fasl_load64 (p + size - 8) == 0)
    fail (r, off, "non-canonical bignum: zero top limb", SCM_EOL);
  r->pos += size;
  if (limbs == 1)
    {
      uint64_t m = vc_fasl_load64 (p);
      /* The FASL fixnum range is [-2^60, 2^60-1].  */
      if (k > 0 ? m < (UINT64_C (1) << 60) : m <= (UINT64_C (1) << 60))
        fail (r, off, "non-canonical bignum: value in the fixnum range",
              SCM_EOL);
      if (k > 0)
        return scm_from_uint64 (m);
      if (m <= (UINT64_C (1) << 63))
        return scm_from_int64 ((int64_t) (0 - m));
    }
  return vc_build_bignum (&r->build, p, limbs, k < 0);
}

/* ---------------------------------------------------------- typed parts */

static int
is_record_type (struct reader *r, SCM x)
{
  return SCM_STRUCTP (x)
    && scm_is_eq (SCM_STRUCT_VTABLE (x),
                  SCM_SIMPLE_VECTOR_REF (r->support,
                                         VC_FASL_RECORD_TYPE_VTABLE));
}

static int
is_exact_integer (SCM x)
{
  return SCM_I_INUMP (x) || SCM_BIGP (x);
}

static int
is_real (SCM x)
{
  return SCM_I_INUMP (x) || SCM_BIGP (x) || SCM_REALP (x) || SCM_FRACTIONP (x);
}

static int
is_boolean (SCM x)
{
  return scm_is_eq (x, SCM_BOOL_T) || scm_is_eq (x, SCM_BOOL_F);
}

static SCM
support_call (struct reader *r, enum vc_fasl_support_index i)
{
  return SCM_SIMPLE_VECTOR_REF (r->support, i);
}

/* The helpers that build types return a string when they refuse.  */
static SCM
check_built_type (struct reader *r, size_t off, SCM result, const char *what)
{
  if (scm_is_string (result))
    {
      /* "record type: <why>" */
      char msg[256];
      char *why = scm_to_utf8_string (result);
      snprintf (msg, sizeof msg, "%s: %s", what, why);
      free (why);
      fail (r, off, msg, SCM_EOL);
    }
  return result;
}

/* ------------------------------------------------------------- the loop */

static SCM
decode (struct reader *r)
{
  /* Header.  */
  if (VC_LIKELY (r->len - r->pos >= VC_FASL_HEADER_SIZE
                 && memcmp (r->buf + r->pos, VC_FASL_HEADER,
                            VC_FASL_HEADER_SIZE) == 0))
    r->pos += VC_FASL_HEADER_SIZE;
  else
    for (int k = 0; k < VC_FASL_HEADER_SIZE; k++)
      {
        if (r->pos >= r->len && available (r, VC_FASL_HEADER_SIZE - k) == 0)
          raise_fault (r, "truncated header", r->pos, 1, SCM_EOL);
        if (r->buf[r->pos] != (uint8_t) VC_FASL_HEADER[k])
          raise_fault (r, "wrong FASL header: expected #@IK02", r->pos, 1,
                       SCM_EOL);
        r->pos++;
      }

  SCM v;
  size_t off;                   /* where the object being read began */
  uint32_t mark;                /* the mark it gets (0 for none) */

 next_object:
  off = r->pos;
  mark = 0;
  need (r, 1);
  uint8_t tag = r->buf[r->pos++];
  if (tag == '>')
    {
      mark = announce_mark (r, off);
      off = r->pos;
      need (r, 1);
      tag = r->buf[r->pos++];
      switch (tag)
        {
        case 'N': case 'T': case 'F': case 'E': case 'U': case 'I':
        case 'c': case 'C': case '>': case '<':
          fail (r, off, "mark on an object that cannot be shared",
                scm_list_1 (SCM_MAKE_CHAR (tag)));
        default:
          break;
        }
    }

  switch (tag)
    {
    case 'N': v = SCM_EOL; goto have_value;
    case 'T': v = SCM_BOOL_T; goto have_value;
    case 'F': v = SCM_BOOL_F; goto have_value;
    case 'E': v = SCM_EOF_VAL; goto have_value;
    case 'U': v = SCM_UNSPECIFIED; goto have_value;
    case 'I':
      {
        need (r, 8);
        uint64_t w = vc_fasl_load64 (r->buf + r->pos);
        r->pos += 8;
        if (!fixnum_word (w, &v))
          fail (r, off, "fixnum word with non-zero tag bits", SCM_EOL);
        goto have_value;
      }
    case 'c':
      need (r, 1);
      v = SCM_MAKE_CHAR (r->buf[r->pos]);
      r->pos++;
      goto have_value;
    case 'C':
      {
        need (r, 4);
        uint32_t c = vc_fasl_load32 (r->buf + r->pos);
        if (!valid_code_point (c))
          fail (r, off, "invalid code point", scm_list_1 (scm_from_uint32 (c)));
        r->pos += 4;
        v = SCM_MAKE_CHAR (c);
        goto have_value;
      }
    case 's':
      {
        size_t n;
        const char *chars = narrow_chars (r, &n);
        v = vc_build_latin1_string (&r->build, chars, n, r->who);
        goto have_atom;
      }
    case 'S':
      v = read_wide_string (r, off);
      goto have_atom;
    case 'v':
      {
        size_t n = read_length (r, 1, 0, "negative bytevector length");
        v = scm_c_make_bytevector (n);
        memcpy (SCM_BYTEVECTOR_CONTENTS (v), r->buf + r->pos, n);
        r->pos += n;
        goto have_atom;
      }
    case 'f':
      {
        need (r, 8);
        uint64_t bits = vc_fasl_load64 (r->buf + r->pos);
        double d;
        memcpy (&d, &bits, 8);
        r->pos += 8;
        v = scm_from_double (d);
        goto have_atom;
      }
    case 'b':
      v = read_bignum (r, off);
      goto have_atom;
    case 'P':
    case 'l':
    case 'L':
      {
        /* A chain of N+1 pairs (N = 0 for P), built as the cars arrive.  */
        size_t n = 0;
        if (tag == 'l')
          {
            need (r, 1);
            n = r->buf[r->pos++];
          }
        else if (tag == 'L')
          /* N+1 cars and a tail: N+2 objects of at least one byte.  */
          n = read_length (r, 1, 2, "negative list length");
        v = vc_build_pair (&r->build, SCM_BOOL_F, SCM_EOL, r->who);
        set_mark (r, mark, v);
        struct frame *f = r->depth ? &r->frames[r->depth - 1] : NULL;
        if (f && f->kind == F_CHAIN_TAIL)
          {
            /* In cdr position: continue the enclosing chain, so that a
               list of P's does not nest.  */
            SCM_SETCDR (f->b, v);
          }
        else
          {
            push (r, F_CHAIN_CAR, 0, off);
            f = &r->frames[r->depth - 1];
            f->a = v;
          }
        f->kind = F_CHAIN_CAR;
        f->b = v;
        f->n = n;
        goto next_object;
      }
    case 'V':
      {
        size_t n = read_length (r, 1, 0, "negative vector length");
        v = vc_build_vector (&r->build, n, r->who);
        set_mark (r, mark, v);
        if (n == 0)
          goto have_value;
        push (r, F_VECTOR, 0, off);
        struct frame *f = &r->frames[r->depth - 1];
        f->a = v;
        f->n = n;
        goto next_object;
      }
    case '{':
      {
        /* The type, then N fields.  */
        size_t n = read_length (r, 1, 1, "negative field count");
        push (r, F_STRUCT_RTD, mark, off);
        r->frames[r->depth - 1].n = n;
        goto next_object;
      }
    case 'h':
    case 'H':
      v = scm_call_1 (support_call (r, VC_FASL_MAKE_HASHTABLE),
                      scm_from_bool (tag == 'h'));
      set_mark (r, mark, v);
      push (r, F_HASH_KEYS, 0, off);
      r->frames[r->depth - 1].a = v;
      goto next_object;
    case 'M':
      if (r->pos < r->len && r->buf[r->pos] == 's'
          && VC_LIKELY (r->depth < VC_FASL_MAX_DEPTH))
        {
          /* The usual case, a symbol named by a narrow string: interned
             straight from the input.  The checks are those of the
             general path below.  */
          r->pos++;
          size_t n;
          const char *chars = narrow_chars (r, &n);
          v = vc_fasl_symbol (chars, n);
          goto have_atom;
        }
      push (r, F_SYMBOL, mark, off);
      goto next_object;
    case 'G':
      push (r, F_GENSYM_PRETTY, mark, off);
      goto next_object;
    case 'r':
      push (r, F_RATNUM_DEN, mark, off);
      goto next_object;
    case 'i':
      push (r, F_COMPLEX_REAL, mark, off);
      goto next_object;
    case 'W':
      {
        /* A type read lately from the same bytes is that type.  The
           nesting its parts would need is at most their size.  */
        size_t len;
        v = vc_fasl_known_rtd (r->buf + r->pos, r->len - r->pos, &len);
        if (!SCM_UNBNDP (v) && len < VC_FASL_MAX_DEPTH - r->depth)
          {
            r->pos += len;
            goto have_atom;
          }
        push (r, F_RTD, mark, off);
        /* The parts, and the mark events before them.  */
        SCM parts = scm_c_make_vector (7, SCM_BOOL_F);
        SCM_SIMPLE_VECTOR_SET (parts, 6, scm_from_size_t (r->mark_events));
        r->frames[r->depth - 1].a = parts;
        goto next_object;
      }
    case 'R':
      push (r, F_STRUCT_TYPE, mark, off);
      r->frames[r->depth - 1].a = scm_c_make_vector (3, SCM_BOOL_F);
      r->frames[r->depth - 1].n = 2;  /* until the field count is read */
      goto next_object;
    case '<':
      {
        need (r, 4);
        uint32_t m = vc_fasl_load32 (r->buf + r->pos);
        r->pos += 4;
        if (m == 0 || m >= r->next_mark)
          fail (r, off, "reference to an undefined mark",
                scm_list_1 (scm_from_uint32 (m)));
        v = r->marks[m];
        r->mark_events++;
        if (SCM_UNBNDP (v))
          fail (r, off, "reference to a mark whose object is incomplete",
                scm_list_1 (scm_from_uint32 (m)));
        goto have_value;
      }
    case 'O':
      fail (r, off, "foreign library entries (O) are refused", SCM_EOL);
    case 'x':
    case 'Q':
      fail (r, off, "code objects are outside the data subset",
            scm_list_1 (SCM_MAKE_CHAR (tag)));
    default:
      fail (r, off, "unknown tag", scm_list_1 (SCM_MAKE_CHAR (tag)));
    }

 have_atom:
  set_mark (r, mark, v);

 have_value:
  /* V is complete and began at OFF: hand it to the innermost frame.  */
  while (r->depth > 0)
    {
      struct frame *f = &r->frames[r->depth - 1];
      switch (f->kind)
        {
        case F_CHAIN_CAR:
          SCM_SETCAR (f->b, v);
          /* A run of fixnum cars, the commonest list, without a trip
             through the dispatch for each; anything unusual (a bad
             fixnum word included) is left to the general path.  */
          SCM car;
          while (f->n > 0 && r->len - r->pos >= 9 && r->buf[r->pos] == 'I'
                 && fixnum_word (vc_fasl_load64 (r->buf + r->pos + 1), &car))
            {
              SCM p = vc_build_pair (&r->build, car, SCM_EOL, r->who);
              SCM_SETCDR (f->b, p);
              f->b = p;
              f->n--;
              r->pos += 9;
            }
          if (f->n == 0)
            f->kind = F_CHAIN_TAIL;
          else
            {
              SCM p = vc_build_pair (&r->build, SCM_BOOL_F, SCM_EOL, r->who);
              f = &r->frames[r->depth - 1];
              SCM_SETCDR (f->b, p);
              f->b = p;
              f->n--;
            }
          goto next_object;
        case F_CHAIN_TAIL:
          SCM_SETCDR (f->b, v);
          v = f->a;
          break;
        case F_VECTOR:
          SCM_SIMPLE_VECTOR_SET (f->a, f->i, v);
          if (++f->i < f->n)
            goto next_object;
          v = f->a;
          break;
        case F_STRUCT_RTD:
          {
            if (!scm_is_eq (v, r->last_rtd))
              {
                if (!is_record_type (r, v))
                  fail (r, off, "record instance of a non-record type",
                        scm_list_1 (v));
                r->last_rtd = v;
              }
            if (SCM_VTABLE_SIZE (v) != f->n)
              fail (r, f->off, "field count differs from the record type's",
                    scm_list_2 (scm_from_size_t (f->n), v));
            SCM s = scm_c_make_structv (v, 0, 0, NULL);
            f = &r->frames[r->depth - 1];
            set_mark (r, f->mark, s);
            if (f->n == 0)
              {
                v = s;
                break;
              }
            f->kind = F_STRUCT_FIELDS;
            f->a = s;
            f->i = 0;
            goto next_object;
          }
        case F_STRUCT_FIELDS:
          SCM_STRUCT_SLOT_SET (f->a, f->i, v);
          if (++f->i < f->n)
            goto next_object;
          v = f->a;
          break;
        case F_HASH_KEYS:
          if (!SCM_I_IS_VECTOR (v))
            fail (r, off, "hashtable keys are not a vector", SCM_EOL);
          f->b = v;
          f->kind = F_HASH_VALUES;
          goto next_object;
        case F_HASH_VALUES:
          if (!SCM_I_IS_VECTOR (v))
            fail (r, off, "hashtable values are not a vector", SCM_EOL);
          if (SCM_SIMPLE_VECTOR_LENGTH (v) != SCM_SIMPLE_VECTOR_LENGTH (f->b))
            fail (r, off, "hashtable keys and values differ in number",
                  SCM_EOL);
          {
            size_t toff = f->off;
            SCM table = f->a;
            if (scm_is_false (scm_call_3 (support_call (r, VC_FASL_HASHTABLE_FILL),
                                          table, f->b, v)))
              fail (r, toff, "duplicate key in hashtable", SCM_EOL);
            v = table;
          }
          break;
        case F_SYMBOL:
          if (!scm_is_string (v))
            fail (r, off, "symbol name is not a string", SCM_EOL);
          v = scm_string_to_symbol (v);
          set_mark (r, r->frames[r->depth - 1].mark, v);
          break;
        case F_GENSYM_PRETTY:
          if (!scm_is_string (v))
            fail (r, off, "gensym name is not a string", SCM_EOL);
          f->b = v;
          f->kind = F_GENSYM_UNIQUE;
          goto next_object;
        case F_GENSYM_UNIQUE:
          if (!scm_is_string (v))
            fail (r, off, "gensym unique name is not a string", SCM_EOL);
          v = scm_call_2 (support_call (r, VC_FASL_GENSYM), f->b, v);
          set_mark (r, r->frames[r->depth - 1].mark, v);
          break;
        case F_RATNUM_DEN:
          if (!is_exact_integer (v))
            fail (r, off, "ratnum denominator is not an exact integer", SCM_EOL);
          if (scm_is_true (scm_less_p (v, SCM_I_MAKINUM (2))))
            fail (r, off, "ratnum denominator is not greater than 1",
                  scm_list_1 (v));
          f->b = v;
          f->kind = F_RATNUM_NUM;
          goto next_object;
        case F_RATNUM_NUM:
          if (!is_exact_integer (v))
            fail (r, off, "ratnum numerator is not an exact integer", SCM_EOL);
          if (!scm_is_eq (scm_gcd (v, f->b), SCM_I_MAKINUM (1)))
            fail (r, f->off, "ratnum not in lowest terms", SCM_EOL);
          v = scm_divide (v, r->frames[r->depth - 1].b);
          set_mark (r, r->frames[r->depth - 1].mark, v);
          break;
        case F_COMPLEX_REAL:
          if (!is_real (v))
            fail (r, off, "complex part is not a real number", SCM_EOL);
          f->b = v;
          f->kind = F_COMPLEX_IMAG;
          goto next_object;
        case F_COMPLEX_IMAG:
          if (!is_real (v))
            fail (r, off, "complex part is not a real number", SCM_EOL);
          if (scm_is_eq (v, SCM_INUM0))
            fail (r, off, "non-canonical complex: exact zero imaginary part",
                  SCM_EOL);
          /* Guile has no exact non-real complex numbers: exact parts
             become flonums, as Guile's own reader does for 1+2i.  */
          v = scm_make_rectangular (scm_exact_to_inexact (f->b),
                                    scm_exact_to_inexact (v));
          set_mark (r, r->frames[r->depth - 1].mark, v);
          break;
        case F_RTD:
          {
            SCM parts = f->a;
            switch (f->i)
              {
              case 0:
                if (!scm_is_symbol (v))
                  fail (r, off, "record type name is not a symbol", SCM_EOL);
                break;
              case 1:
                if (scm_is_true (v) && !is_record_type (r, v))
                  fail (r, off, "record type parent is not a record type",
                        SCM_EOL);
                break;
              case 2:
                if (!scm_is_symbol (v))
                  fail (r, off, "record type uid is not a symbol", SCM_EOL);
                break;
              case 3:
              case 4:
                if (!is_boolean (v))
                  fail (r, off, "record type flag is not a boolean", SCM_EOL);
                break;
              default:
                /* Fields: mutable flag at odd index, then name.  */
                if ((f->i - 5) % 2 == 0)
                  {
                    if (!is_boolean (v))
                      fail (r, off, "record field flag is not a boolean",
                            SCM_EOL);
                    f->b = v;
                  }
                else
                  {
                    if (!scm_is_symbol (v))
                      fail (r, off, "record field name is not a symbol",
                            SCM_EOL);
                    SCM_SIMPLE_VECTOR_SET
                      (SCM_SIMPLE_VECTOR_REF (parts, 5), (f->i - 6) / 2,
                       scm_list_2 (scm_from_utf8_symbol
                                   (scm_is_true (f->b) ? "mutable"
                                    : "immutable"), v));
                  }
                break;
              }
            if (f->i < 5)
              SCM_SIMPLE_VECTOR_SET (parts, f->i, v);
            f->i++;
            if (f->i == 5)
              {
                /* The field count, always a plain I object.  */
                size_t coff = r->pos;
                need (r, 9);
                if (r->buf[r->pos] != 'I')
                  fail (r, coff, "record field count is not a fixnum", SCM_EOL);
                int64_t w = (int64_t) vc_fasl_load64 (r->buf + r->pos + 1);
                r->pos += 9;
                if ((w & 7) || w < 0)
                  fail (r, coff, "invalid record field count", SCM_EOL);
                uint64_t count = (uint64_t) (w >> 3);
                if (count > (r->len - r->pos) / 2
                    && (count >= (UINT64_C (1) << 58)
                        || count > available (r, 2 * (size_t) count) / 2))
                  fail (r, coff, "invalid record field count", SCM_EOL);
                f->n = 5 + 2 * (size_t) (w >> 3);
                SCM_SIMPLE_VECTOR_SET (parts, 5,
                                       scm_c_make_vector ((size_t) (w >> 3),
                                                          SCM_BOOL_F));
                f = &r->frames[r->depth - 1];
              }
            if (f->i < 5 || f->i < f->n)
              goto next_object;
            size_t toff = f->off;
            v = scm_call_6 (support_call (r, VC_FASL_MAKE_RTD),
                            SCM_SIMPLE_VECTOR_REF (parts, 0),
                            SCM_SIMPLE_VECTOR_REF (parts, 1),
                            SCM_SIMPLE_VECTOR_REF (parts, 2),
                            SCM_SIMPLE_VECTOR_REF (parts, 3),
                            SCM_SIMPLE_VECTOR_REF (parts, 4),
                            SCM_SIMPLE_VECTOR_REF (parts, 5));
            check_built_type (r, toff, v, "record type");
            if (scm_to_size_t (SCM_SIMPLE_VECTOR_REF (parts, 6))
                == r->mark_events)
              vc_fasl_remember_rtd (r->buf + toff + 1, r->pos - toff - 1, v);
            set_mark (r, r->frames[r->depth - 1].mark, v);
            break;
          }
        case F_STRUCT_TYPE:
          {
            SCM parts = f->a;
            if (f->i == 0)
              {
                if (!scm_is_string (v) && !scm_is_symbol (v))
                  fail (r, off, "struct type name is not a string", SCM_EOL);
                SCM_SIMPLE_VECTOR_SET (parts, 0, v);
              }
            else if (f->i == 1)
              {
                if (!scm_is_symbol (v))
                  fail (r, off, "struct type uid is not a symbol", SCM_EOL);
                SCM_SIMPLE_VECTOR_SET (parts, 1, v);
                size_t n = read_length (r, 1, 0, "negative field count");
                SCM_SIMPLE_VECTOR_SET (parts, 2,
                                       scm_c_make_vector (n, SCM_BOOL_F));
                f = &r->frames[r->depth - 1];
                f->n = 2 + n;
              }
            else
              {
                if (!scm_is_symbol (v))
                  fail (r, off, "struct field name is not a symbol", SCM_EOL);
                SCM_SIMPLE_VECTOR_SET (SCM_SIMPLE_VECTOR_REF (parts, 2),
                                       f->i - 2, v);
              }
            f->i++;
            if (f->i < f->n)
              goto next_object;
            size_t toff = f->off;
            v = scm_call_3 (support_call (r, VC_FASL_MAKE_STRUCT_RTD),
                            SCM_SIMPLE_VECTOR_REF (parts, 0),
                            SCM_SIMPLE_VECTOR_REF (parts, 1),
                            SCM_SIMPLE_VECTOR_REF (parts, 2));
            check_built_type (r, toff, v, "struct type");
            set_mark (r, r->frames[r->depth - 1].mark, v);
            break;
          }
        }
      /* F is complete: V is its value.  */
      f = &r->frames[--r->depth];
      off = f->off;
    }
  return v;
}

static SCM
decode_from (const uint8_t *buf, size_t len, struct vc_fasl_source *src,
             size_t *used, const char *who)
{
  struct reader r;
  r.who = who;
  r.buf = buf;
  r.len = len;
  r.pos = 0;
  r.src = src;
  r.src_done = 0;
  r.frames = r.frames0;
  r.depth = 0;
  r.frames_cap = INITIAL_FRAMES;
  r.marks = r.marks0;
  r.marks_cap = INITIAL_MARKS;
  r.next_mark = 1;
  r.mark_events = 0;
  r.support = vc_fasl_support ();
  r.last_rtd = SCM_UNDEFINED;     /* no decoded value is undefined */
  vc_builder_init (&r.build);
  SCM v = decode (&r);
  *used = r.pos;
  scm_remember_upto_here_1 (v);
  return v;
}

SCM
vc_fasl_decode_who (const uint8_t *buf, size_t len, size_t *used,
                    const char *who)
{
  return decode_from (buf, len, NULL, used, who);
}

SCM
vc_fasl_decode_source (struct vc_fasl_source *src, size_t *used,
                       const char *who)
{
  return decode_from (src->buf, src->len, src, used, who);
}

SCM
vc_fasl_decode (const uint8_t *buf, size_t len, size_t *used)
{
  return vc_fasl_decode_who (buf, len, used, "fasl-read");
}

/* ------------------------------------------------------------ the scanner

   Each frame counts the objects its container still expects.  A W type
   needs its field count, read inline after five parts; an R type its
   count word after two.  The scan stops at object boundaries, so a
   resumed scan starts again at the object it could not finish.  */

enum scan_kind { S_COUNT, S_RTD_HEAD, S_STRUCT_TYPE_HEAD };

void
vc_fasl_scan_init (struct vc_fasl_scan *scan)
{
  scan->pos = 0;
  scan->depth = 0;
  scan->capacity = VC_FASL_SCAN_FRAMES;
  scan->frames = scan->frames0;
}

static int
scan_push (struct vc_fasl_scan *s, uint8_t kind, uint64_t left)
{
  if (s->depth >= VC_FASL_MAX_DEPTH)
    return 0;
  if (s->depth == s->capacity)
    {
      size_t cap = 2 * s->capacity;
      struct vc_fasl_scan_frame *f
        = scm_gc_malloc_pointerless (cap * sizeof *f, "fasl-read scan");
      memcpy (f, s->frames, s->depth * sizeof *f);
      s->frames = f;
      s->capacity = cap;
    }
  s->frames[s->depth].kind = kind;
  s->frames[s->depth].left = left;
  s->depth++;
  return 1;
}

static enum vc_fasl_scan_status
scan_step (struct vc_fasl_scan *s, const uint8_t *buf, size_t len,
           size_t *end)
{
#define NEED(n)                                 \
  do {                                          \
    if (len - p < (n))                          \
      {                                         \
        *end = p + (n);                         \
        return VC_FASL_SCAN_MORE;               \
      }                                         \
  } while (0)

  size_t p = s->pos;
  if (p == 0)
    {
      if (len < VC_FASL_HEADER_SIZE)
        {
          if (len > 0 && memcmp (buf, VC_FASL_HEADER, len) != 0)
            return VC_FASL_SCAN_BAD;
          *end = VC_FASL_HEADER_SIZE + 1;
          return VC_FASL_SCAN_MORE;
        }
      if (memcmp (buf, VC_FASL_HEADER, VC_FASL_HEADER_SIZE) != 0)
        return VC_FASL_SCAN_BAD;
      p = s->pos = VC_FASL_HEADER_SIZE;
      if (!scan_push (s, S_COUNT, 1))
        return VC_FASL_SCAN_BAD;
    }

  while (s->depth > 0)
    {
      struct vc_fasl_scan_frame *f = &s->frames[s->depth - 1];
      if (f->left == 0)
        {
          if (f->kind == S_RTD_HEAD)
            {
              /* The own-field count: I + word, then 2 objects per field.  */
              NEED (9);
              if (buf[p] != 'I')
                return VC_FASL_SCAN_BAD;
              int64_t w = (int64_t) vc_fasl_load64 (buf + p + 1);
              if (w < 0 || (w & 7))
                return VC_FASL_SCAN_BAD;
              p += 9;
              f->kind = S_COUNT;
              f->left = 2 * (uint64_t) (w >> 3);
            }
          else if (f->kind == S_STRUCT_TYPE_HEAD)
            {
              NEED (8);
              uint64_t w = vc_fasl_load64 (buf + p);
              if (w >> 60)
                return VC_FASL_SCAN_BAD;
              p += 8;
              f->kind = S_COUNT;
              f->left = w;
            }
          else
            {
              s->depth--;
              continue;
            }
          s->pos = p;
          continue;
        }

      /* One object starts at P.  */
      NEED (1);
      uint8_t tag = buf[p];
      size_t q = p + 1;
      if (tag == '>')
        {
          NEED (6);
          tag = buf[p + 5];
          q = p + 6;
        }
#define NEEDQ(n)                                \
      do {                                      \
        if (len - q < (n))                      \
          {                                     \
            *end = q + (n);                     \
            return VC_FASL_SCAN_MORE;           \
          }                                     \
      } while (0)
      uint64_t children = 0;
      uint8_t kind = S_COUNT;
      switch (tag)
        {
        case 'N': case 'T': case 'F': case 'E': case 'U':
          break;
        case 'I': case 'f':
          q += 8;
          break;
        case 'c':
          q += 1;
          break;
        case 'C': case '<':
          q += 4;
          break;
        case 's': case 'S': case 'v':
          {
            NEEDQ (8);
            uint64_t n = vc_fasl_load64 (buf + q);
            if (n >> 60)
              return VC_FASL_SCAN_BAD;
            q += 8 + (tag == 'S' ? 4 * n : n);
            break;
          }
        case 'b':
          {
            NEEDQ (8);
            int64_t k = (int64_t) vc_fasl_load64 (buf + q);
            /* As the decoder: a size it refuses at once ends nowhere.  */
            if (k == 0 || k == INT64_MIN || (k < 0 ? -k : k) % 8 != 0
                || (k < 0 ? -k : k) >> 60)
              return VC_FASL_SCAN_BAD;
            q += 8 + (uint64_t) (k < 0 ? -k : k);
            break;
          }
        case 'M':
          children = 1;
          break;
        case 'G': case 'P': case 'r': case 'i': case 'h': case 'H':
          children = 2;
          break;
        case 'l':
          NEEDQ (1);
          children = (uint64_t) buf[q] + 2;
          q += 1;
          break;
        case 'L':
          {
            NEEDQ (8);
            uint64_t n = vc_fasl_load64 (buf + q);
            if (n >> 60)
              return VC_FASL_SCAN_BAD;
            children = n + 2;
            q += 8;
            break;
          }
        case 'V':
          {
            NEEDQ (8);
            uint64_t n = vc_fasl_load64 (buf + q);
            if (n >> 60)
              return VC_FASL_SCAN_BAD;
            children = n;
            q += 8;
            break;
          }
        case '{':
          {
            NEEDQ (8);
            uint64_t n = vc_fasl_load64 (buf + q);
            if (n >> 60)
              return VC_FASL_SCAN_BAD;
            children = n + 1;
            q += 8;
            break;
          }
        case 'W':
          children = 5;
          kind = S_RTD_HEAD;
          break;
        case 'R':
          children = 2;
          kind = S_STRUCT_TYPE_HEAD;
          break;
        default:
          return VC_FASL_SCAN_BAD;
        }
      if (len < q)
        {
          *end = q;
          return VC_FASL_SCAN_MORE;
        }
      size_t start = p;
      p = s->pos = q;
      /* The last object of a plain frame ends it: pop it before pushing
         the object's own frame, so that chains of P do not nest.  */
      if (--f->left == 0 && f->kind == S_COUNT)
        s->depth--;
      if (children > 0 || kind != S_COUNT)
        if (!scan_push (s, kind, children))
          {
            s->pos = start;     /* at the object nested too deep */
            return VC_FASL_SCAN_BAD;
          }
    }
  *end = p;
  return VC_FASL_SCAN_DONE;
#undef NEED
#undef NEEDQ
}

enum vc_fasl_scan_status
vc_fasl_scan (struct vc_fasl_scan *s, const uint8_t *buf, size_t len,
              size_t *end)
{
  enum vc_fasl_scan_status st = scan_step (s, buf, len, end);
  if (st == VC_FASL_SCAN_MORE)
    {
      /* Every object the open containers still expect takes a byte at
         least, beyond the one being scanned (counted in the top frame):
         a lower bound that lets a port read ask for many bytes at once
         without asking for one past the datum.  The top frames hold the
         big counts; looking at a few keeps this cheap.  */
      uint64_t more = 0;
      for (size_t i = s->depth, k = 0; i > 0 && k < 64; i--, k++)
        {
          more += s->frames[i - 1].left;
          if (more > (UINT64_C (1) << 40))
            break;
        }
      if (more > 1)
        *end += (size_t) (more - 1);
    }
  return st;
}
