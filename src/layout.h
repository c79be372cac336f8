/* layout.h -- Guile objects the FASL codec reads and builds in place.
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later

   libguile has no public function to see a wide string's characters in
   place, and its constructors of pairs, strings and bignums cost a
   library call and an allocator lookup each, which dominate decoding.
   This file knows the layout of those objects -- the one libguile's
   public headers spell out for static strings and bignums -- and uses
   it only after vc_layout_init has checked it, at load time, against
   objects libguile made itself.  It also reads how many bytes wait in
   a port's read buffer from the port's record, which libguile tells
   only to Scheme code, once the record has agreed with Scheme.  If any check fails, every function
   here falls back on libguile's own, slower, calls.  */

#ifndef VC_LAYOUT_H
#define VC_LAYOUT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vc.h"

/* Check the layouts; call once at load.  */
void vc_layout_init (void);

/* ----------------------------------------------------------- reading */

/* The characters of a string or of a symbol's name, without copying when
   the layout is known; otherwise COPY holds a malloc'd UTF-32 copy that
   vc_chars_release frees.  */
struct vc_chars
{
  int narrow;                   /* CHARS is Latin-1 bytes, else UTF-32 */
  const void *chars;
  size_t len;
  scm_t_wchar *copy;
};

void vc_string_chars (SCM str, struct vc_chars *c);
void vc_symbol_chars (SCM sym, struct vc_chars *c);

static inline void
vc_chars_release (struct vc_chars *c)
{
  free (c->copy);
}

/* The 64-bit limbs of bignum X, least significant first, where X holds
   them; their number in *N and the sign in *NEGATIVE.  NULL when the
   layout is not known: use GMP then.  */
const uint64_t *vc_bignum_limbs (SCM x, size_t *n, int *negative);

/* ---------------------------------------------------------- building */

/* A builder hands out the objects a decoder makes from the free lists
   of the current thread, those Guile's own compiled code allocates
   from (gc-inline.h): what one call leaves in them serves the next
   call, or any other allocation of the thread, so a small datum costs
   only its own objects.  The collector sees those lists through the
   thread.  Should the thread's layout not check out at load time, the
   builder keeps lists of its own, taken by the batch from the
   collector, on the C stack, and dropped with it.  Initialise with
   vc_builder_init; use from the current thread only.  */
#define VC_BUILDER_LISTS 4      /* scanned objects of 1..4 granules */

/* The collector's kinds of objects (libgc's PTRFREE and NORMAL, as
   gc-inline.h spells them).  */
enum { VC_GC_POINTERLESS = 0, VC_GC_NORMAL = 1 };

struct vc_builder
{
  void **lists;                 /* lists[i]: objects of i+1 granules
                                   (16 bytes each), linked by word 0 */
  void **pointerless;           /* the same for pointer-free objects,
                                   or NULL: GC_malloc_atomic */
  void *own[VC_BUILDER_LISTS];  /* lists, when not the thread's */
};

void vc_builder_init (struct vc_builder *b);

/* Take a batch of objects of BYTES bytes (of the collector's KIND)
   into *LIST; raises on out of memory.  */
void vc_builder_refill (void **list, size_t bytes, int kind,
                        const char *who);

static inline void *
vc_builder_take (void **list, size_t bytes, int kind, const char *who)
{
  void *p = *list;
  if (VC_UNLIKELY (p == NULL))
    {
      vc_builder_refill (list, bytes, kind, who);
      p = *list;
    }
  *list = *(void **) p;
  return p;
}

/* A scanned object of WORDS words, 2, 4, 6 or 8.  */
static inline scm_t_bits *
vc_builder_words (struct vc_builder *b, size_t words, const char *who)
{
  return vc_builder_take (&b->lists[words / 2 - 1], words * sizeof (SCM),
                          VC_GC_NORMAL, who);
}

/* A fresh pair.  */
static inline SCM
vc_build_pair (struct vc_builder *b, SCM car, SCM cdr, const char *who)
{
  SCM pair = SCM_PACK_POINTER (vc_builder_words (b, 2, who));
  SCM_GC_SET_CELL_OBJECT (pair, 0, car);
  SCM_GC_SET_CELL_OBJECT (pair, 1, cdr);
  return pair;
}

/* A fresh vector of N elements, all #f.  */
SCM vc_build_vector (struct vc_builder *b, size_t n, const char *who);

/* A fresh mutable string of the N Latin-1 characters at CHARS.  */
SCM vc_build_latin1_string_any (struct vc_builder *b, const void *chars,
                                size_t n, const char *who);

/* What the inline builder below needs of the string layouts: OK when
   vc_layout_init checked them, and the first words of a string and of
   a narrow stringbuf.  */
struct vc_string_layout
{
  int ok;
  scm_t_bits string_tag, narrow_buf_tag;
};
extern struct vc_string_layout vc_string_layout;

/* The longest narrow string whose stringbuf (two words, the characters
   and a zero) comes from the thread's pointer-free lists.  */
#define VC_INLINE_STRING_MAX (256 - 2 * sizeof (scm_t_bits) - 1)

/* The same as vc_build_latin1_string_any; a short string, the common
   case of messages, is built here, inline.  */
static inline SCM
vc_build_latin1_string (struct vc_builder *b, const void *chars, size_t n,
                        const char *who)
{
  if (VC_LIKELY (vc_string_layout.ok && b->pointerless != NULL
                 && n <= VC_INLINE_STRING_MAX))
    {
      size_t i = (2 * sizeof (scm_t_bits) + n) / 16;
      scm_t_bits *buf = vc_builder_take (&b->pointerless[i], (i + 1) * 16,
                                         VC_GC_POINTERLESS, who);
      buf[0] = vc_string_layout.narrow_buf_tag;
      buf[1] = n;
      memcpy (buf + 2, chars, n);
      ((char *) (buf + 2))[n] = 0;
      scm_t_bits *cell = vc_builder_words (b, 4, who);
      cell[0] = vc_string_layout.string_tag;
      cell[1] = (scm_t_bits) buf;
      cell[2] = 0;
      cell[3] = n;
      return SCM_PACK_POINTER (cell);
    }
  return vc_build_latin1_string_any (b, chars, n, who);
}

/* A fresh mutable string of N characters, each a little-endian u32 at
   P (4 bytes apart, any alignment), all valid code points and at least
   one above U+00FF.  */
SCM vc_build_utf32le_string (struct vc_builder *b, const uint8_t *p,
                             size_t n, const char *who);

/* The integer of N 64-bit little-endian limbs at P (any alignment),
   negated if NEGATIVE.  The top limb is not zero and the value is out of
   the fixnum range.  */
SCM vc_build_bignum (struct vc_builder *b, const uint8_t *p, size_t n,
                     int negative);

/* ------------------------------------------------------------- ports */

/* How many bytes wait in the read buffer of input port PORT, and (in
   *UNBUFFERED) whether PORT is unbuffered, read from the port's own
   record where vc_port_layout_check found its layout; otherwise from
   REFERENCE, the Scheme procedure that tells (N, or -1 - N when PORT is
   unbuffered).  */
size_t vc_port_buffered (SCM port, SCM reference, int *unbuffered);

#endif /* VC_LAYOUT_H */
