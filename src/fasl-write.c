/* fasl-write.c -- the FASL encoder: a Scheme datum to bytes.
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later

   Two passes over the datum, both with explicit stacks (no recursion):

   1. The walk counts the eq? references to every object that is not an
      immediate in the FASL sense, in an open-addressing table owned by
      the call.  It also refuses, before a single byte is written, any
      object the format cannot carry, and adds up an upper bound of the
      encoded size.

   2. The emit pass writes into one buffer sized from that bound: an
      object referenced more than once gets ">" and the next mark number
      the first time it is written and "<" afterwards, so marks appear in
      the output as 1, 2, 3, ...; a pair starts a "P", "l" or "L" chain
      of as many unshared pairs as follow it along the cdrs.  These are
      exactly Ikarus's choices, so the output is byte-identical.

   Guile-specific choices: only integers in [-2^60, 2^60-1] are FASL
   fixnums ("I"); the other Guile fixnums are written as bignums and,
   being immediates in Guile, are never shared; nor are empty
   bytevectors, all one object in Guile.  Symbol names are not objects
   of their own here, so they are never marked.  */

#include <config.h>

#include <gmp.h>
#include <string.h>

#include "fasl.h"

#define FASL_FIXNUM_MIN (-(INT64_C (1) << 60))
#define FASL_FIXNUM_MAX ((INT64_C (1) << 60) - 1)

/* ------------------------------------------------------ the sharing table */

struct entry
{
  scm_t_bits key;               /* 0: free */
  uint32_t count;               /* references seen */
  uint32_t mark;                /* assigned when first written, if shared */
};

struct aux_entry
{
  SCM key, value;
};

#define INITIAL_TABLE 64
#define INITIAL_AUX 16
#define INITIAL_STACK 64

/* Encoding to a sink (vc_fasl_encode_to) buffers at most this many
   bytes, and hands bytevectors of at least DIRECT_BYTES bytes to the
   sink straight from their contents.  */
#define SINK_BUFFER (256 * 1024)
/* A datum whose size bound is at most this goes to the sink from a
   buffer on the C stack.  */
#define SINK_SMALL 1024

/* How far ahead the passes prefetch the objects they are about to read.  */
#define PREFETCH_AHEAD 8
#define DIRECT_BYTES (64 * 1024)

struct writer
{
  const char *who;
  SCM support;
  /* Sharing table, open addressing, linear probing: counts while the
     datum has few objects, then only the marks of shared objects.  */
  struct entry *table;
  size_t mask, used;
  /* Past TABLE_LIMIT objects the counts move to bitmaps (see below).  */
  int bitmaps;
  struct chunk **chunks;        /* directory, open addressing on base */
  size_t chunks_mask, chunks_used;
  struct chunk *recent[64];     /* direct-mapped cache on base, cleared
                                   when the counts move to bitmaps */
  /* Extra data of rare objects (record types, hashtables, gensyms, and
     the length of long lists, see RUN_MIN): GC-scanned, so the values
     stay alive: AUX0 while they are few (the writer lives on the C
     stack, which the collector scans), then from the GC heap.  */
  struct aux_entry *aux;
  size_t aux_mask, aux_used;
  /* The work stack of both passes.  */
  SCM *stack;
  size_t sp, stack_cap;
  /* Output.  */
  uint8_t *buf, *p, *end;
  int buf_is_dest;              /* BUF is not ours to free */
  /* When not NULL, the bytes go to SINK as the buffer fills up; BUF is
     then the contents of the bytevector OUT, or SMALL_OUT (OUT #f).  */
  void (*sink) (void *data, SCM bv, const uint8_t *bytes, size_t n);
  void *sink_data;
  SCM out;
  size_t bound;
  size_t shared;                /* objects referenced more than once */
  uint32_t next_mark;
  int mpz_ready;
  mpz_t z;
  struct entry table0[INITIAL_TABLE];
  struct aux_entry aux0[INITIAL_AUX];
  SCM stack0[INITIAL_STACK];
  uint8_t small_out[SINK_SMALL];
};

/* Working memory is malloc'd, not GC-allocated: it holds no pointers
   the collector must see (the aux table excepted), and allocating it
   from the GC heap would start collections that mark the whole datum.
   A dynwind handler frees it when a "not fasl-writable" error escapes.  */
static void *
xmalloc (struct writer *w, size_t size)
{
  void *p = malloc (size ? size : 1);
  if (!p)
    vc_raise_out_of_memory (w->who);
  return p;
}

static void *
xcalloc (struct writer *w, size_t n, size_t size)
{
  void *p = calloc (n ? n : 1, size);
  if (!p)
    vc_raise_out_of_memory (w->who);
  return p;
}

static inline size_t
hash_bits (scm_t_bits k, size_t mask)
{
  return (size_t) ((k * UINT64_C (0x9E3779B97F4A7C15)) >> 32) & mask;
}

static void
table_grow (struct writer *w)
{
  size_t cap = (w->mask + 1) * 2;
  struct entry *t = xcalloc (w, cap, sizeof *t);
  size_t mask = cap - 1;
  for (size_t i = 0; i <= w->mask; i++)
    if (w->table[i].key)
      {
        size_t h = hash_bits (w->table[i].key, mask);
        while (t[h].key)
          h = (h + 1) & mask;
        t[h] = w->table[i];
      }
  if (w->table != w->table0)
    free (w->table);
  w->table = t;
  w->mask = mask;
}

/* The entry of X, created with count 0 when absent.  */
static inline struct entry *
table_ref (struct writer *w, SCM x)
{
  scm_t_bits k = SCM_UNPACK (x);
  size_t h = hash_bits (k, w->mask);
  for (;;)
    {
      struct entry *e = &w->table[h];
      if (e->key == k)
        return e;
      if (e->key == 0)
        {
          if (VC_UNLIKELY (2 * (w->used + 1) > w->mask + 1))
            {
              table_grow (w);
              return table_ref (w, x);
            }
          w->used++;
          e->key = k;
          e->count = 0;
          e->mark = 0;
          return e;
        }
      h = (h + 1) & w->mask;
    }
}

/* The entry of X, or NULL when the walk has not seen it (only possible
   when another thread changes the datum meanwhile).  */
static inline struct entry *
table_get (struct writer *w, SCM x)
{
  scm_t_bits k = SCM_UNPACK (x);
  size_t h = hash_bits (k, w->mask);
  while (w->table[h].key != k)
    {
      if (!w->table[h].key)
        return NULL;
      h = (h + 1) & w->mask;
    }
  return &w->table[h];
}

/* ---------------------------------------------------- the sharing bitmaps

   A big datum's objects are counted in bitmaps over the address space:
   one bit per 8-byte unit in "seen" and in "seen twice", in chunks of
   64 KiB of address space, found through a small directory.  Objects
   allocated one after the other share a chunk, so counting a list or a
   vector touches memory almost sequentially, where a hash table keyed
   by address would miss the cache at every object.  */

#define CHUNK_SHIFT 16
#define CHUNK_UNITS (1 << (CHUNK_SHIFT - 3))
#define CHUNK_WORDS (CHUNK_UNITS / 64)
#define TABLE_LIMIT 4096

struct chunk
{
  scm_t_bits base;              /* address >> CHUNK_SHIFT */
  uint64_t seen[CHUNK_WORDS];
  uint64_t twice[CHUNK_WORDS];
};

static inline size_t
chunk_hash (scm_t_bits base, size_t mask)
{
  return (size_t) ((base * UINT64_C (0x9E3779B97F4A7C15)) >> 40) & mask;
}

static void
chunks_grow (struct writer *w)
{
  size_t cap = w->chunks ? 2 * (w->chunks_mask + 1) : 64;
  struct chunk **d = xcalloc (w, cap, sizeof *d);
  for (size_t i = 0; w->chunks && i <= w->chunks_mask; i++)
    if (w->chunks[i])
      {
        size_t h = chunk_hash (w->chunks[i]->base, cap - 1);
        while (d[h])
          h = (h + 1) & (cap - 1);
        d[h] = w->chunks[i];
      }
  free (w->chunks);
  w->chunks = d;
  w->chunks_mask = cap - 1;
}

static struct chunk *chunk_lookup (struct writer *w, scm_t_bits base);

static inline struct chunk *
chunk_of (struct writer *w, scm_t_bits k)
{
  scm_t_bits base = k >> CHUNK_SHIFT;
  struct chunk *c = w->recent[base & 63];
  if (VC_LIKELY (c && c->base == base))
    return c;
  return chunk_lookup (w, base);
}

/* The chunk of BASE, through the directory; cached in W->recent.  */
static struct chunk *
chunk_lookup (struct writer *w, scm_t_bits base)
{
  struct chunk **slot = &w->recent[base & 63];
  if (!w->chunks || 2 * (w->chunks_used + 1) > w->chunks_mask + 1)
    chunks_grow (w);
  size_t h = chunk_hash (base, w->chunks_mask);
  struct chunk *c;
  while ((c = w->chunks[h]) && c->base != base)
    h = (h + 1) & w->chunks_mask;
  if (!c)
    {
      c = xcalloc (w, 1, sizeof *c);
      c->base = base;
      w->chunks[h] = c;
      w->chunks_used++;
    }
  *slot = c;
  return c;
}

/* Count one more reference to K; return the count before, capped at 2.  */
static inline unsigned
bitmap_count (struct writer *w, scm_t_bits k)
{
  struct chunk *c = chunk_of (w, k);
  size_t unit = (k >> 3) & (CHUNK_UNITS - 1);
  uint64_t bit = UINT64_C (1) << (unit & 63);
  if (!(c->seen[unit / 64] & bit))
    {
      c->seen[unit / 64] |= bit;
      return 0;
    }
  if (!(c->twice[unit / 64] & bit))
    {
      c->twice[unit / 64] |= bit;
      return 1;
    }
  return 2;
}

static inline int
bitmap_shared (struct writer *w, scm_t_bits k)
{
  struct chunk *c = chunk_of (w, k);
  size_t unit = (k >> 3) & (CHUNK_UNITS - 1);
  return (c->twice[unit / 64] >> (unit & 63)) & 1;
}

/* Move the counts of the table to bitmaps; the table then only holds
   marks.  */
static void
switch_to_bitmaps (struct writer *w)
{
  memset (w->recent, 0, sizeof w->recent);
  for (size_t i = 0; i <= w->mask; i++)
    if (w->table[i].key)
      {
        bitmap_count (w, w->table[i].key);
        if (w->table[i].count > 1)
          bitmap_count (w, w->table[i].key);
      }
  memset (w->table, 0, (w->mask + 1) * sizeof *w->table);
  w->used = 0;
  w->bitmaps = 1;
}

/* Count one more reference to X in the walk; the count before.  */
static inline unsigned
count_reference (struct writer *w, SCM x)
{
  if (w->bitmaps)
    return bitmap_count (w, SCM_UNPACK (x));
  if (VC_UNLIKELY (w->used >= TABLE_LIMIT))
    {
      switch_to_bitmaps (w);
      return bitmap_count (w, SCM_UNPACK (x));
    }
  uint32_t c = table_ref (w, x)->count++;
  return c > 2 ? 2 : c;
}

static inline int
shared_p (struct writer *w, SCM x)
{
  if (w->shared == 0)
    /* The common case: nothing is referenced twice.  */
    return 0;
  if (w->bitmaps)
    return bitmap_shared (w, SCM_UNPACK (x));
  struct entry *e = table_get (w, x);
  return e && e->count > 1;
}

static SCM
aux_get (struct writer *w, SCM key)
{
  if (!w->aux)
    return SCM_UNDEFINED;
  size_t h = hash_bits (SCM_UNPACK (key), w->aux_mask);
  while (!scm_is_eq (w->aux[h].key, SCM_UNDEFINED))
    {
      if (scm_is_eq (w->aux[h].key, key))
        return w->aux[h].value;
      h = (h + 1) & w->aux_mask;
    }
  return SCM_UNDEFINED;
}

static void
aux_put (struct writer *w, SCM key, SCM value)
{
  if (!w->aux || 2 * (w->aux_used + 1) > w->aux_mask + 1)
    {
      size_t cap = w->aux ? 2 * (w->aux_mask + 1) : INITIAL_AUX;
      struct aux_entry *old = w->aux;
      size_t old_cap = w->aux ? w->aux_mask + 1 : 0;
      w->aux = old ? scm_gc_malloc (cap * sizeof *w->aux, "fasl aux")
        : w->aux0;
      w->aux_mask = cap - 1;
      for (size_t i = 0; i < cap; i++)
        w->aux[i].key = SCM_UNDEFINED;
      w->aux_used = 0;
      for (size_t i = 0; i < old_cap; i++)
        if (!scm_is_eq (old[i].key, SCM_UNDEFINED))
          aux_put (w, old[i].key, old[i].value);
    }
  size_t h = hash_bits (SCM_UNPACK (key), w->aux_mask);
  while (!scm_is_eq (w->aux[h].key, SCM_UNDEFINED))
    h = (h + 1) & w->aux_mask;
  w->aux[h].key = key;
  w->aux[h].value = value;
  w->aux_used++;
}

/* The walk records in the aux table the length of every list of at
   least RUN_MIN pairs, keyed by its first pair: when nothing in the datum
   is shared, that is the length of the chain the emit pass writes, which
   then need not follow each list twice.  Shorter lists are counted
   again: cheaper than an entry.  */
#define RUN_MIN 64

/* ----------------------------------------------------------- the stack */

static void
stack_grow (struct writer *w, size_t n)
{
  size_t cap = w->stack_cap;
  while (cap - w->sp < n)
    cap *= 2;
  SCM *s = xmalloc (w, cap * sizeof *s);
  memcpy (s, w->stack, w->sp * sizeof *s);
  if (w->stack != w->stack0)
    free (w->stack);
  w->stack = s;
  w->stack_cap = cap;
}

static inline void
push (struct writer *w, SCM x)
{
  if (VC_UNLIKELY (w->sp == w->stack_cap))
    stack_grow (w, 1);
  w->stack[w->sp++] = x;
}

/* ------------------------------------------------------ classification */

static VC_NORETURN void
not_writable (struct writer *w, SCM x)
{
  vc_raise_assertion (w->who, "not fasl-writable", scm_list_1 (x));
}

static inline int
fasl_fixnum_p (SCM x)
{
  if (!SCM_I_INUMP (x))
    return 0;
  scm_t_signed_bits n = SCM_I_INUM (x);
  return n >= FASL_FIXNUM_MIN && n <= FASL_FIXNUM_MAX;
}

/* Guile's empty bytevectors are all one object, so where Ikarus would
   see distinct empty bytevectors we would see one shared: they are
   written as values, never marked, like the integers.  */
static inline int
empty_bytevector_p (SCM x)
{
  return SCM_BYTEVECTOR_P (x) && SCM_BYTEVECTOR_LENGTH (x) == 0;
}

static int
is_record_type (struct writer *w, SCM x)
{
  return SCM_STRUCTP (x)
    && scm_is_eq (SCM_STRUCT_VTABLE (x),
                  SCM_SIMPLE_VECTOR_REF (w->support,
                                         VC_FASL_RECORD_TYPE_VTABLE));
}

/* The record-type info of RTD (see fasl-support.scm), or raise with
   OBJ, the object that needs it, as the irritant.  */
static SCM
rtd_info (struct writer *w, SCM rtd, SCM obj)
{
  SCM info = aux_get (w, rtd);
  if (SCM_UNBNDP (info))
    {
      info = vc_fasl_rtd_info (rtd);
      if (scm_is_false (info))
        not_writable (w, obj);
      aux_put (w, rtd, info);
    }
  return info;
}

/* Bytes of a string's characters: 1 each if all are ASCII, else 4.  */
static int
narrow_ascii_p (const char *s, size_t n)
{
  unsigned char acc = 0;
  for (size_t i = 0; i < n; i++)
    acc |= (unsigned char) s[i];
  return acc < 0x80;
}

static int
wide_ascii_p (const scm_t_wchar *s, size_t n)
{
  scm_t_wchar acc = 0;
  for (size_t i = 0; i < n; i++)
    acc |= s[i];
  return acc < 0x80;
}

static size_t
chars_size (struct vc_chars *c)
{
  int ascii = c->narrow ? narrow_ascii_p (c->chars, c->len)
    : wide_ascii_p (c->chars, c->len);
  size_t n = c->len;
  vc_chars_release (c);
  return 9 + (ascii ? n : 4 * n);
}

static size_t
string_size (SCM str)
{
  struct vc_chars c;
  vc_string_chars (str, &c);
  return chars_size (&c);
}

static size_t
symbol_size (SCM sym)
{
  struct vc_chars c;
  vc_symbol_chars (sym, &c);
  return chars_size (&c);
}

/* ------------------------------------------------------------- the walk */

/* Add immediate X to the size, or refuse it.  */
static inline void
walk_immediate (struct writer *w, SCM x)
{
  if (SCM_I_INUMP (x))
    w->bound += fasl_fixnum_p (x) ? 9 : 17;
  else if (SCM_CHARP (x))
    w->bound += SCM_CHAR (x) < 256 ? 2 : 5;
  else if (scm_is_eq (x, SCM_EOL) || scm_is_eq (x, SCM_BOOL_T)
           || scm_is_eq (x, SCM_BOOL_F) || scm_is_eq (x, SCM_EOF_VAL)
           || scm_is_eq (x, SCM_UNSPECIFIED))
    w->bound += 1;
  else
    not_writable (w, x);
}

/* Walk X later, or now if it is an immediate.  */
static inline void
walk_later (struct writer *w, SCM x)
{
  if (SCM_IMP (x))
    walk_immediate (w, x);
  else
    push (w, x);
}

static void
walk (struct writer *w, SCM root)
{
  /* The list being walked along its cdrs: its first pair and how many
     pairs seen for the first time follow on from it.  */
  SCM run_head = SCM_BOOL_F;
  size_t run_length = 0;
  push (w, root);
  while (w->sp > 0)
    {
      if (run_length >= RUN_MIN)
        aux_put (w, run_head, scm_from_size_t (run_length));
      run_length = 0;
      SCM x = w->stack[--w->sp];
      /* Reading an object's first word is most of the walk's time on big
         data: ask for the ones a few pops ahead (a prefetch of a fixnum
         or other immediate is harmless).  */
      if (w->sp >= PREFETCH_AHEAD)
        __builtin_prefetch (SCM_UNPACK_POINTER (w->stack[w->sp - PREFETCH_AHEAD]));
      /* Whether X is the cdr of a pair seen for the first time: an
         unshared one continues that pair's chain at no cost.  */
      int via_cdr = 0;
    again:
      if (SCM_IMP (x))
        {
          walk_immediate (w, x);
          continue;
        }
      if (VC_UNLIKELY (empty_bytevector_p (x)))
        {
          if (SCM_BYTEVECTOR_ELEMENT_TYPE (x) != SCM_ARRAY_ELEMENT_TYPE_VU8)
            not_writable (w, x);
          w->bound += 9;
          continue;
        }
      /* A later reference is "<" m; a shared object's first one gets
         ">" m, and a shared pair may start a chain (added after the
         walk, once the shared objects are counted).  */
      unsigned seen = count_reference (w, x);
      if (seen > 0)
        {
          w->bound += 5;
          w->shared += seen == 1;
          continue;
        }
      if (scm_is_pair (x))
        {
          /* P, l or L: only where a chain can start.  */
          if (!via_cdr)
            {
              w->bound += 9;
              run_head = x;
            }
          run_length++;
          walk_later (w, SCM_CAR (x));
          x = SCM_CDR (x);
          via_cdr = 1;
          goto again;
        }
      else if (SCM_I_IS_VECTOR (x))
        {
          size_t n = SCM_I_VECTOR_LENGTH (x);
          w->bound += 9;
          if (w->stack_cap - w->sp < n)
            stack_grow (w, n);
          const SCM *elts = SCM_I_VECTOR_ELTS (x);
          for (size_t i = 0; i < n; i++)
            {
              if (SCM_IMP (elts[i]))
                walk_immediate (w, elts[i]);
              else
                w->stack[w->sp++] = elts[i];
            }
        }
      else if (scm_is_string (x))
        w->bound += string_size (x);
      else if (scm_is_symbol (x))
        {
          if (scm_is_true (scm_symbol_interned_p (x)))
            w->bound += 1 + symbol_size (x);
          else
            {
              SCM unique
                = scm_call_1 (SCM_SIMPLE_VECTOR_REF (w->support,
                                                     VC_FASL_GENSYM_UNIQUE), x);
              aux_put (w, x, unique);
              w->bound += 1 + symbol_size (x) + string_size (unique);
            }
        }
      else if (SCM_BYTEVECTOR_P (x))
        {
          if (SCM_BYTEVECTOR_ELEMENT_TYPE (x) != SCM_ARRAY_ELEMENT_TYPE_VU8)
            not_writable (w, x);
          w->bound += 9 + SCM_BYTEVECTOR_LENGTH (x);
        }
      else if (SCM_REALP (x))
        w->bound += 9;
      else if (SCM_BIGP (x))
        {
          size_t n;
          int negative;
          if (vc_bignum_limbs (x, &n, &negative))
            w->bound += 9 + 8 * n;
          else
            w->bound += 9 + 8 * (scm_to_size_t (scm_integer_length (x)) / 64
                                 + 1);
        }
      else if (SCM_FRACTIONP (x))
        {
          w->bound += 1;
          push (w, SCM_FRACTION_NUMERATOR (x));
          push (w, SCM_FRACTION_DENOMINATOR (x));
        }
      else if (SCM_COMPLEXP (x))
        w->bound += 19;
      else if (SCM_STRUCTP (x))
        {
          SCM vt = SCM_STRUCT_VTABLE (x);
          if (scm_is_eq (vt, SCM_SIMPLE_VECTOR_REF (w->support,
                                                    VC_FASL_HASHTABLE_VTABLE)))
            {
              SCM c = scm_call_1 (SCM_SIMPLE_VECTOR_REF
                                  (w->support, VC_FASL_HASHTABLE_CONTENTS), x);
              if (scm_is_false (c))
                not_writable (w, x);
              aux_put (w, x, c);
              w->bound += 1;
              push (w, SCM_SIMPLE_VECTOR_REF (c, 1));
              push (w, SCM_SIMPLE_VECTOR_REF (c, 2));
            }
          else if (is_record_type (w, x))
            {
              SCM info = rtd_info (w, x, x);
              SCM fields = SCM_SIMPLE_VECTOR_REF (info, 5);
              size_t n = SCM_SIMPLE_VECTOR_LENGTH (fields);
              w->bound += 1 + 2 + 9 + n;
              push (w, SCM_SIMPLE_VECTOR_REF (info, 0));
              push (w, SCM_SIMPLE_VECTOR_REF (info, 1));
              push (w, SCM_SIMPLE_VECTOR_REF (info, 2));
              for (size_t i = 0; i < n; i++)
                push (w, SCM_CDR (SCM_SIMPLE_VECTOR_REF (fields, i)));
            }
          else if (is_record_type (w, vt))
            {
              rtd_info (w, vt, x);
              size_t n = SCM_STRUCT_SIZE (x);
              w->bound += 9;
              if (w->stack_cap - w->sp < n + 1)
                stack_grow (w, n + 1);
              w->stack[w->sp++] = vt;
              for (size_t i = 0; i < n; i++)
                w->stack[w->sp++] = SCM_STRUCT_SLOT_REF (x, i);
            }
          else
            not_writable (w, x);
        }
      else
        not_writable (w, x);
    }
  if (run_length >= RUN_MIN)
    aux_put (w, run_head, scm_from_size_t (run_length));
}

/* ------------------------------------------------------------- emitting */

/* Hand the buffered bytes to the sink.  */
static void
flush (struct writer *w)
{
  if (w->p > w->buf)
    w->sink (w->sink_data, w->out, w->buf, (size_t) (w->p - w->buf));
  w->p = w->buf;
}

/* Make OUT a bytevector of SIZE bytes, and BUF its contents.  */
static void
sink_buffer (struct writer *w, size_t size)
{
  w->out = scm_c_make_bytevector (size);
  w->buf = w->p = (uint8_t *) SCM_BYTEVECTOR_CONTENTS (w->out);
  w->end = w->buf + size;
  w->buf_is_dest = 1;
}

static void
buf_grow (struct writer *w, size_t n)
{
  size_t cap = (size_t) (w->end - w->buf);
  if (w->sink)
    {
      flush (w);
      if (n > cap)
        sink_buffer (w, n);
      return;
    }
  size_t used = (size_t) (w->p - w->buf);
  size_t want = cap * 2 > used + n ? cap * 2 : used + n + 64;
  uint8_t *b;
  if (w->buf_is_dest)
    {
      b = xmalloc (w, want);
      memcpy (b, w->buf, used);
    }
  else
    {
      b = realloc (w->buf, want);
      if (!b)
        vc_raise_out_of_memory (w->who);
    }
  w->buf_is_dest = 0;
  w->buf = b;
  w->p = b + used;
  w->end = b + want;
}

static inline void
ensure (struct writer *w, size_t n)
{
  if (VC_UNLIKELY ((size_t) (w->end - w->p) < n))
    buf_grow (w, n);
}

static inline void
put_word (struct writer *w, uint8_t tag, uint64_t word)
{
  w->p[0] = tag;
  vc_fasl_store64 (w->p + 1, word);
  w->p += 9;
}

static void
emit_chars (struct writer *w, int narrow, const void *chars, size_t n)
{
  int ascii = narrow ? narrow_ascii_p (chars, n) : wide_ascii_p (chars, n);
  if (ascii)
    {
      ensure (w, 9 + n);
      put_word (w, 's', n);
      if (narrow)
        memcpy (w->p, chars, n);
      else
        for (size_t i = 0; i < n; i++)
          w->p[i] = (uint8_t) ((const scm_t_wchar *) chars)[i];
      w->p += n;
    }
  else
    {
      ensure (w, 9 + 4 * n);
      put_word (w, 'S', n);
      for (size_t i = 0; i < n; i++)
        vc_fasl_store32 (w->p + 4 * i,
                         narrow ? ((const unsigned char *) chars)[i]
                         : (uint32_t) ((const scm_t_wchar *) chars)[i]);
      w->p += 4 * n;
    }
}

static void
emit_string (struct writer *w, SCM str)
{
  struct vc_chars c;
  vc_string_chars (str, &c);
  emit_chars (w, c.narrow, c.chars, c.len);
  vc_chars_release (&c);
  scm_remember_upto_here_1 (str);
}

static void
emit_symbol_name (struct writer *w, SCM sym)
{
  struct vc_chars c;
  vc_symbol_chars (sym, &c);
  emit_chars (w, c.narrow, c.chars, c.len);
  vc_chars_release (&c);
  scm_remember_upto_here_1 (sym);
}

static void
emit_bignum (struct writer *w, SCM x)
{
  size_t n;
  int negative;
  const uint64_t *own = vc_bignum_limbs (x, &n, &negative);
  if (own)
    {
      /* Straight from the bignum's own limbs.  */
      ensure (w, 9 + 8 * n);
      put_word (w, 'b', negative ? -(uint64_t) (8 * n) : 8 * n);
      for (size_t i = 0; i < n; i++)
        vc_fasl_store64 (w->p + 8 * i, own[i]);
      w->p += 8 * n;
      scm_remember_upto_here_1 (x);
      return;
    }
  /* One mpz per call, for all the bignums of the datum.  */
  if (!w->mpz_ready)
    {
      mpz_init (w->z);
      w->mpz_ready = 1;
    }
  mpz_ptr z = w->z;
  scm_to_mpz (x, z);
  size_t count;
#if GMP_LIMB_BITS == 64
  /* The limbs as they are, least significant first (mpz_export is
     general and several times slower).  */
  count = mpz_size (z);
  ensure (w, 9 + 8 * count);
  const mp_limb_t *limbs = mpz_limbs_read (z);
  for (size_t i = 0; i < count; i++)
    vc_fasl_store64 (w->p + 9 + 8 * i, limbs[i]);
#else
  ensure (w, 9 + 8 * ((mpz_sizeinbase (z, 2) + 63) / 64));
  mpz_export (w->p + 9, &count, -1, 8, -1, 0, z);
#endif
  int64_t k = (int64_t) (8 * count);
  put_word (w, 'b', (uint64_t) (mpz_sgn (z) < 0 ? -k : k));
  w->p += 8 * count;
}

/* A Guile fixnum outside the FASL fixnum range: a one-limb bignum.  */
static void
emit_small_bignum (struct writer *w, int64_t n)
{
  ensure (w, 17);
  put_word (w, 'b', n < 0 ? (uint64_t) -8 : 8);
  vc_fasl_store64 (w->p, n < 0 ? 0 - (uint64_t) n : (uint64_t) n);
  w->p += 8;
}

/* The mark of shared X: ">" m before its first occurrence (return 0,
   the caller writes X), "<" m for the others (return 1, done).  */
static inline int
emit_mark (struct writer *w, SCM x)
{
  struct entry *e = table_ref (w, x);
  if (e->mark)
    {
      w->p[0] = '<';
      vc_fasl_store32 (w->p + 1, e->mark);
      w->p += 5;
      return 1;
    }
  e->mark = ++w->next_mark;
  w->p[0] = '>';
  vc_fasl_store32 (w->p + 1, e->mark);
  w->p += 5;
  return 0;
}

static inline int
container_p (SCM x)
{
  return scm_is_pair (x) || SCM_I_IS_VECTOR (x) || SCM_STRUCTP (x)
    || SCM_FRACTIONP (x);
}

/* Write X if it holds no other object to walk (an immediate, a string,
   symbol, bytevector or number but a ratnum), mark included, and return
   1; return 0 for a container, writing nothing.  Containers' elements
   that are atoms are written through this, with no trip through the
   stack.  */
static int
emit_atom (struct writer *w, SCM x)
{
  ensure (w, 32);
  if (SCM_IMP (x))
    {
      if (SCM_I_INUMP (x))
        {
          int64_t n = SCM_I_INUM (x);
          if (n >= FASL_FIXNUM_MIN && n <= FASL_FIXNUM_MAX)
            put_word (w, 'I', (uint64_t) n << 3);
          else
            emit_small_bignum (w, n);
        }
      else if (SCM_CHARP (x))
        {
          uint32_t c = SCM_CHAR (x);
          if (c < 256)
            {
              w->p[0] = 'c';
              w->p[1] = (uint8_t) c;
              w->p += 2;
            }
          else
            {
              w->p[0] = 'C';
              vc_fasl_store32 (w->p + 1, c);
              w->p += 5;
            }
        }
      else if (scm_is_eq (x, SCM_EOL))
        *w->p++ = 'N';
      else if (scm_is_eq (x, SCM_BOOL_T))
        *w->p++ = 'T';
      else if (scm_is_eq (x, SCM_BOOL_F))
        *w->p++ = 'F';
      else if (scm_is_eq (x, SCM_EOF_VAL))
        *w->p++ = 'E';
      else
        *w->p++ = 'U';
      return 1;
    }
  if (VC_UNLIKELY (empty_bytevector_p (x)))
    {
      put_word (w, 'v', 0);
      return 1;
    }
  if (container_p (x))
    return 0;
  if (shared_p (w, x) && emit_mark (w, x))
    return 1;

  if (scm_is_string (x))
    emit_string (w, x);
  else if (scm_is_symbol (x))
    {
      SCM unique = aux_get (w, x);
      if (SCM_UNBNDP (unique))
        {
          *w->p++ = 'M';
          emit_symbol_name (w, x);
        }
      else
        {
          *w->p++ = 'G';
          emit_symbol_name (w, x);
          emit_string (w, unique);
        }
    }
  else if (SCM_BYTEVECTOR_P (x))
    {
      size_t n = SCM_BYTEVECTOR_LENGTH (x);
      if (w->sink && n >= DIRECT_BYTES)
        {
          /* Straight from the bytevector to the sink, not copied.  */
          put_word (w, 'v', n);
          flush (w);
          w->sink (w->sink_data, x,
                   (const uint8_t *) SCM_BYTEVECTOR_CONTENTS (x), n);
          return 1;
        }
      ensure (w, 9 + n);
      put_word (w, 'v', n);
      memcpy (w->p, SCM_BYTEVECTOR_CONTENTS (x), n);
      w->p += n;
    }
  else if (SCM_REALP (x))
    {
      double d = SCM_REAL_VALUE (x);
      uint64_t bits;
      memcpy (&bits, &d, 8);
      put_word (w, 'f', bits);
    }
  else if (SCM_BIGP (x))
    emit_bignum (w, x);
  else
    {
      /* A complex number: the walk accepted nothing else.  */
      double re = SCM_COMPLEX_REAL (x), im = SCM_COMPLEX_IMAG (x);
      uint64_t bits;
      *w->p++ = 'i';
      memcpy (&bits, &re, 8);
      put_word (w, 'f', bits);
      memcpy (&bits, &im, 8);
      put_word (w, 'f', bits);
    }
  return 1;
}

/* A container whose elements are not all written yet waits on the stack
   as three entries: the container (for a chain, its next pair), the
   index or count as a fixnum, and this marker, which no datum holds (the
   walk refuses it).  */
#define RESUME SCM_UNDEFINED

static void
push_resume (struct writer *w, SCM x, size_t k)
{
  push (w, x);
  push (w, SCM_I_MAKINUM (k));
  push (w, RESUME);
}

/* The cars of K chained pairs from P, then the tail.  */
static void
emit_chain (struct writer *w, SCM p, size_t k)
{
  /* AHEAD runs PREFETCH_AHEAD pairs in front of P: its car is fetched
     early (see walk).  */
  SCM ahead = p;
  for (int i = 0; i < PREFETCH_AHEAD && scm_is_pair (ahead); i++)
    ahead = SCM_CDR (ahead);
  for (;;)
    {
      /* P is a pair unless another thread changed the list meanwhile:
         then the output is wrong, but nothing is read out of bounds.  */
      if (VC_UNLIKELY (!scm_is_pair (p)))
        break;
      if (scm_is_pair (ahead))
        {
          __builtin_prefetch (SCM_UNPACK_POINTER (SCM_CAR (ahead)));
          ahead = SCM_CDR (ahead);
        }
      SCM a = SCM_CAR (p);
      p = SCM_CDR (p);
      k--;
      if (!emit_atom (w, a))
        {
          if (k > 0)
            push_resume (w, p, k);
          else
            push (w, p);
          push (w, a);
          return;
        }
      if (k == 0)
        break;
    }
  if (!emit_atom (w, p))
    push (w, p);
}

/* The elements of vector V from I.  */
static void
emit_vector (struct writer *w, SCM v, size_t i)
{
  size_t n = SCM_I_VECTOR_LENGTH (v);
  const SCM *elts = SCM_I_VECTOR_ELTS (v);
  for (; i < n; i++)
    if (!emit_atom (w, elts[i]))
      {
        if (i + 1 < n)
          push_resume (w, v, i + 1);
        push (w, elts[i]);
        return;
      }
}

static void
emit (struct writer *w, SCM root)
{
  push (w, root);
  while (w->sp > 0)
    {
      SCM x = w->stack[--w->sp];
      if (scm_is_eq (x, RESUME))
        {
          size_t k = SCM_I_INUM (w->stack[--w->sp]);
          SCM c = w->stack[--w->sp];
          if (scm_is_pair (c))
            emit_chain (w, c, k);
          else
            emit_vector (w, c, k);
          continue;
        }
      if (emit_atom (w, x))
        continue;

      /* A container.  */
      if (shared_p (w, x) && emit_mark (w, x))
        continue;
      if (scm_is_pair (x))
        {
          /* Count the unshared pairs that follow along the cdrs: the
             walk measured the long lists, exact when nothing is shared.  */
          SCM run = w->shared == 0 ? aux_get (w, x) : SCM_UNDEFINED;
          size_t n = 0;
          if (!SCM_UNBNDP (run))
            n = scm_to_size_t (run) - 1;
          else
            for (SCM y = SCM_CDR (x); scm_is_pair (y) && !shared_p (w, y);
                 y = SCM_CDR (y))
              n++;
          if (n == 0)
            *w->p++ = 'P';
          else if (n < 256)
            {
              w->p[0] = 'l';
              w->p[1] = (uint8_t) n;
              w->p += 2;
            }
          else
            put_word (w, 'L', n);
          emit_chain (w, x, n + 1);
        }
      else if (SCM_I_IS_VECTOR (x))
        {
          put_word (w, 'V', SCM_I_VECTOR_LENGTH (x));
          emit_vector (w, x, 0);
        }
      else if (SCM_FRACTIONP (x))
        {
          *w->p++ = 'r';
          push (w, SCM_FRACTION_NUMERATOR (x));
          push (w, SCM_FRACTION_DENOMINATOR (x));
        }
      else
        {
          /* A struct the walk accepted: hashtable, record type or record.  */
          SCM a = aux_get (w, x);
          if (SCM_UNBNDP (a))
            {
              size_t n = SCM_STRUCT_SIZE (x);
              put_word (w, '{', n);
              if (w->stack_cap - w->sp < n + 1)
                stack_grow (w, n + 1);
              SCM *s = w->stack + w->sp;
              for (size_t i = 0; i < n; i++)
                s[n - 1 - i] = SCM_STRUCT_SLOT_REF (x, i);
              s[n] = SCM_STRUCT_VTABLE (x);
              w->sp += n + 1;
            }
          else if (SCM_SIMPLE_VECTOR_LENGTH (a) == 3)
            {
              /* #(eq? keys values) */
              *w->p++ = scm_is_true (SCM_SIMPLE_VECTOR_REF (a, 0)) ? 'h' : 'H';
              push (w, SCM_SIMPLE_VECTOR_REF (a, 2));
              push (w, SCM_SIMPLE_VECTOR_REF (a, 1));
            }
          else
            {
              /* #(name parent uid sealed? opaque? #((mutable? . name) ...)) */
              SCM fields = SCM_SIMPLE_VECTOR_REF (a, 5);
              size_t n = SCM_SIMPLE_VECTOR_LENGTH (fields);
              *w->p++ = 'W';
              if (w->stack_cap - w->sp < 2 * n + 6)
                stack_grow (w, 2 * n + 6);
              for (size_t i = n; i-- > 0;)
                {
                  SCM f = SCM_SIMPLE_VECTOR_REF (fields, i);
                  w->stack[w->sp++] = SCM_CDR (f);
                  w->stack[w->sp++] = scm_from_bool (scm_is_true (SCM_CAR (f)));
                }
              w->stack[w->sp++] = scm_from_size_t (n);
              for (int i = 4; i >= 0; i--)
                w->stack[w->sp++] = SCM_SIMPLE_VECTOR_REF (a, i);
            }
        }
    }
}

/* ------------------------------------------------------------ the entry */

/* Free the working memory; OUTPUT too unless it was handed over.  */
static void
writer_free (struct writer *w, int output)
{
  if (w->table != w->table0)
    free (w->table);
  w->table = w->table0;
  if (w->stack != w->stack0)
    free (w->stack);
  w->stack = w->stack0;
  if (w->chunks)
    {
      for (size_t i = 0; i <= w->chunks_mask; i++)
        free (w->chunks[i]);
      free (w->chunks);
      w->chunks = NULL;
    }
  if (w->mpz_ready)
    mpz_clear (w->z);
  w->mpz_ready = 0;
  if (output && !w->buf_is_dest)
    free (w->buf);
  w->buf = NULL;
}

static void
writer_unwind (void *w)
{
  writer_free (w, 1);
}

static void
writer_init (struct writer *w, const char *who)
{
  w->who = who;
  w->support = vc_fasl_support ();
  memset (w->table0, 0, sizeof w->table0);
  w->table = w->table0;
  w->mask = INITIAL_TABLE - 1;
  w->used = 0;
  w->bitmaps = 0;
  w->chunks = NULL;
  w->chunks_mask = w->chunks_used = 0;
  w->aux = NULL;
  w->aux_mask = w->aux_used = 0;
  w->stack = w->stack0;
  w->sp = 0;
  w->stack_cap = INITIAL_STACK;
  w->next_mark = 0;
  w->mpz_ready = 0;
  w->buf = NULL;
  w->buf_is_dest = 0;
  w->sink = NULL;
  w->sink_data = NULL;
  w->out = SCM_BOOL_F;
  w->bound = VC_FASL_HEADER_SIZE;
  w->shared = 0;
}

/* The first pass, over the libraries and OBJ: refuses what cannot be
   written, and sets W->bound.  */
static void
writer_walk (struct writer *w, SCM obj, SCM libraries)
{
  for (SCM l = libraries; scm_is_pair (l); l = SCM_CDR (l))
    {
      w->bound += 1;
      walk (w, SCM_CAR (l));
    }
  walk (w, obj);
  w->bound += 14 * w->shared;   /* ">" m, and a chain head for a pair */
  w->bound += 32;               /* emit's "ensure (w, 32)" per object */
}

/* Set W up, open the dynwind context that frees its memory if the
   encoding is abandoned (the caller ends it), and walk.  */
static void
writer_start (struct writer *w, const char *who, SCM obj, SCM libraries)
{
  writer_init (w, who);
  scm_dynwind_begin (0);
  scm_dynwind_unwind_handler (writer_unwind, w, 0);
  writer_walk (w, obj, libraries);
}

/* The second pass, into W->buf.  */
static void
writer_emit (struct writer *w, SCM obj, SCM libraries)
{
  w->p = w->buf;
  memcpy (w->p, VC_FASL_HEADER, VC_FASL_HEADER_SIZE);
  w->p += VC_FASL_HEADER_SIZE;
  for (SCM l = libraries; scm_is_pair (l); l = SCM_CDR (l))
    {
      ensure (w, 1);
      *w->p++ = 'O';
      emit (w, SCM_CAR (l));
    }
  emit (w, obj);
}

uint8_t *
vc_fasl_encode (SCM obj, SCM libraries, const char *who,
                uint8_t *(*dest_for) (void *data, size_t bound), void *data,
                size_t *len)
{
  struct writer w;
  writer_start (&w, who, obj, libraries);
  uint8_t *dest = dest_for ? dest_for (data, w.bound) : NULL;
  if (dest)
    {
      w.buf = dest;
      w.end = dest + w.bound;
      w.buf_is_dest = 1;
    }
  else
    {
      w.buf = xmalloc (&w, w.bound);
      w.end = w.buf + w.bound;
    }
  writer_emit (&w, obj, libraries);
  scm_dynwind_end ();

  uint8_t *out = w.buf;
  *len = (size_t) (w.p - w.buf);
  writer_free (&w, 0);
  scm_remember_upto_here_2 (obj, libraries);
  return out;
}

void
vc_fasl_encode_to (SCM obj, SCM libraries, const char *who,
                   void (*sink) (void *data, SCM bv, const uint8_t *bytes,
                                 size_t n),
                   void *data)
{
  struct writer w;
  writer_start (&w, who, obj, libraries);
  if (w.bound <= SINK_SMALL)
    {
      w.buf = w.p = w.small_out;
      w.end = w.buf + w.bound;
      w.buf_is_dest = 1;
    }
  else
    sink_buffer (&w, w.bound < SINK_BUFFER ? w.bound : SINK_BUFFER);
  w.sink = sink;
  w.sink_data = data;
  writer_emit (&w, obj, libraries);
  flush (&w);
  scm_dynwind_end ();
  writer_free (&w, 1);
  scm_remember_upto_here_2 (obj, libraries);
}
