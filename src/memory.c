/* memory.c -- raw memory: allocation and bulk operations.
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later

   malloc & co return fresh Guile <pointer> objects.  realloc and free
   change the pointer object they are given in place (its address is the
   object's second word), so every holder of that object sees the new
   address, or NULL after a free.

   Guarded memory is a pointer object with a collector finalizer,
   vc_finalize_free, that frees the address the object holds when it
   runs, not the one it held when it was registered: after a manual free
   (address NULL) it frees nothing, after a realloc it frees the new
   block.  It is registered with libgc directly rather than through
   Guile's set-pointer-finalizer!, which chains finalizers: registering
   ours again replaces it, so memory guarded twice is still freed once.

   A memory-block's pointer is a private pointer object that nobody else
   holds (its accessors hand out clones), changed in place the same way.  */

#include <config.h>

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <gc/gc.h>

#include "vc.h"

/* Guarded memory is freed by its finalizer, which Guile runs on its
   finalizer thread.  A loop that allocates guarded memory faster than that
   thread runs finalizers would hold ever more memory that is already
   garbage (hundreds of megabytes for two million guarded 1 KiB blocks).
   So the package counts the bytes of guarded memory whose finalizer has
   not run yet; when an allocation takes that count past a limit, it runs
   the pending finalizers itself (Guile's run-finalizers), and collects
   first when none is pending.  The next limit is twice what is then
   still held, and at least the collector's heap size and GUARDED_MIN: a
   program that keeps much guarded memory alive does not pay this on
   every allocation.  */
#define GUARDED_MIN ((size_t) 16 << 20)

static atomic_size_t guarded_held;
static atomic_size_t guarded_limit = GUARDED_MIN;

/* The finalizer of guarded memory; CELL is the pointer object, DATA the
   size that was counted for it.  */
static void
vc_finalize_free (void *cell, void *data)
{
  free ((void *) ((scm_t_bits *) cell)[1]);
  atomic_fetch_sub (&guarded_held, (size_t) (uintptr_t) data);
}

static void
reclaim_guarded (void)
{
  size_t limit = atomic_load (&guarded_limit);
  scm_run_finalizers ();
  if (atomic_load (&guarded_held) > limit)
    scm_gc ();                  /* it runs the finalizers it queues */
  size_t next = 2 * atomic_load (&guarded_held);
  size_t heap = GC_get_heap_size ();
  if (next < heap)
    next = heap;
  if (next < GUARDED_MIN)
    next = GUARDED_MIN;
  atomic_store (&guarded_limit, next);
}

SCM
vc_guard (SCM ptr, size_t size)
{
  GC_finalization_proc old = NULL;
  void *old_data = NULL;
  void *cell = SCM2PTR (ptr);
  GC_register_finalizer_no_order (cell, vc_finalize_free,
                                  (void *) (uintptr_t) size,
                                  &old, &old_data);
  /* A pointer made by Guile's make-pointer with a finalizer keeps that
     finalizer, and ours is dropped: two would free the memory twice.  */
  if (old != NULL && old != vc_finalize_free)
    {
      GC_register_finalizer_no_order (cell, old, old_data, NULL, NULL);
      return ptr;
    }
  /* Guarded again (after a realloc): the new size replaces the old.  */
  if (old == vc_finalize_free)
    atomic_fetch_sub (&guarded_held, (size_t) (uintptr_t) old_data);
  if (atomic_fetch_add (&guarded_held, size) + size
      > atomic_load (&guarded_limit))
    reclaim_guarded ();
  return ptr;
}

SCM
vc_new_pointer (void *p, size_t size, int guarded)
{
  SCM ptr = vc_fresh_pointer (p);
  return guarded ? vc_guard (ptr, size) : ptr;
}

/* The pointer object that MEMORY (position POS, a pointer or a
   memory-block) denotes.  */
static SCM
memory_pointer (SCM memory, int pos, const char *who)
{
  if (SCM_POINTER_P (memory))
    return memory;
  if (vc_memory_block_p (memory))
    return VC_MEMORY_BLOCK_POINTER (memory);
  vc_raise_argument (who, pos, "pointer-or-memory-block?", memory);
}

/* ------------------------------------------------------------ allocation */

static SCM
do_malloc (SCM nbytes, int guarded, const char *who)
{
  size_t n = VC_SIZE_ARG (nbytes, 1, who);
  void *p = malloc (n);
  if (p == NULL)
    vc_raise_out_of_memory (who);
  return vc_new_pointer (p, n, guarded);
}

static SCM
do_calloc (SCM count, SCM size, int guarded, const char *who)
{
  size_t n = VC_SIZE_ARG (count, 1, who);
  size_t s = VC_SIZE_ARG (size, 2, who);
  void *p = calloc (n, s);
  if (p == NULL)
    vc_raise_out_of_memory (who);
  return vc_new_pointer (p, n * s, guarded);
}

/* realloc never acts like malloc: a NULL address raises out-of-memory, as
   in Vicare.  A size of 0 frees the memory, sets the object to NULL and
   raises out-of-memory (C's realloc to 0 may free and return NULL; the
   object must not keep the freed address).  */
static SCM
do_realloc (SCM memory, SCM nbytes, int guarded, const char *who)
{
  SCM ptr = memory_pointer (memory, 1, who);
  size_t n = VC_SIZE_ARG (nbytes, 2, who);
  void *p = SCM_POINTER_VALUE (ptr);
  if (p == NULL)
    vc_raise_out_of_memory (who);
  if (n == 0)
    {
      free (p);
      SCM_SET_CELL_WORD_1 (ptr, 0);
      if (!SCM_POINTER_P (memory))
        VC_MEMORY_BLOCK_SET_SIZE (memory, SCM_INUM0);
      vc_raise_out_of_memory (who);
    }
  void *q = realloc (p, n);
  if (q == NULL)
    vc_raise_out_of_memory (who);
  SCM_SET_CELL_WORD_1 (ptr, (scm_t_bits) q);
  if (!SCM_POINTER_P (memory))
    VC_MEMORY_BLOCK_SET_SIZE (memory, scm_from_size_t (n));
  if (guarded)
    {
      vc_guard (ptr, n);
      if (!SCM_POINTER_P (memory))
        VC_MEMORY_BLOCK_SET_OWNER (memory, SCM_BOOL_T);
    }
  return memory;
}

static SCM
malloc_p (SCM n)
{
  return do_malloc (n, 0, "malloc");
}

static SCM
guarded_malloc (SCM n)
{
  return do_malloc (n, 1, "guarded-malloc");
}

static SCM
calloc_p (SCM count, SCM size)
{
  return do_calloc (count, size, 0, "calloc");
}

static SCM
guarded_calloc (SCM count, SCM size)
{
  return do_calloc (count, size, 1, "guarded-calloc");
}

static SCM
realloc_p (SCM memory, SCM n)
{
  return do_realloc (memory, n, 0, "realloc");
}

static SCM
guarded_realloc (SCM memory, SCM n)
{
  return do_realloc (memory, n, 1, "guarded-realloc");
}

/* (free memory): free, then NULL in place (and size 0 for a block).  */
static SCM
free_p (SCM memory)
{
  SCM ptr = memory_pointer (memory, 1, "free");
  void *p = SCM_POINTER_VALUE (ptr);
  if (p != NULL)
    {
      SCM_SET_CELL_WORD_1 (ptr, 0);
      free (p);
      if (!SCM_POINTER_P (memory))
        VC_MEMORY_BLOCK_SET_SIZE (memory, SCM_INUM0);
    }
  return vc_zero_values;
}

/* (%vc-guard! ptr size): make PTR, to SIZE bytes, guarded memory; return
   it.  */
static SCM
guard_x (SCM ptr, SCM size)
{
  (void) vc_pointer_arg (ptr, 1, "%vc-guard!");
  return vc_guard (ptr, VC_SIZE_ARG (size, 2, "%vc-guard!"));
}

/* ----------------------------------------------------- memory operations */

/* A pointer argument that COUNT bytes are read or written through: NULL
   raises unless COUNT is 0.  */
static char *
region_arg (SCM obj, int pos, size_t count, const char *who)
{
  return count ? vc_nonnull_pointer_arg (obj, pos, who)
    : vc_pointer_arg (obj, pos, who);
}

static SCM
memcpy_p (SCM dst, SCM src, SCM count)
{
  static const char who[] = "memcpy";
  (void) vc_pointer_arg (dst, 1, who);
  (void) vc_pointer_arg (src, 2, who);
  size_t n = VC_SIZE_ARG (count, 3, who);
  /* A count of 0 may come with NULL, which C's memcpy must not see.  */
  if (n > 0)
    memcpy (region_arg (dst, 1, n, who), region_arg (src, 2, n, who), n);
  return vc_zero_values;
}

static SCM
memmove_p (SCM dst, SCM src, SCM count)
{
  static const char who[] = "memmove";
  (void) vc_pointer_arg (dst, 1, who);
  (void) vc_pointer_arg (src, 2, who);
  size_t n = VC_SIZE_ARG (count, 3, who);
  if (n > 0)
    memmove (region_arg (dst, 1, n, who), region_arg (src, 2, n, who), n);
  return vc_zero_values;
}

static SCM
memset_p (SCM ptr, SCM byte, SCM count)
{
  static const char who[] = "memset";
  (void) vc_pointer_arg (ptr, 1, who);
  int b = (int) vc_int64_arg (byte, -128, 255, 2, who, "byte-or-octet?");
  size_t n = VC_SIZE_ARG (count, 3, who);
  if (n > 0)
    memset (region_arg (ptr, 1, n, who), b, n);
  return vc_zero_values;
}

static SCM
memcmp_p (SCM p1, SCM p2, SCM count)
{
  static const char who[] = "memcmp";
  (void) vc_pointer_arg (p1, 1, who);
  (void) vc_pointer_arg (p2, 2, who);
  size_t n = VC_SIZE_ARG (count, 3, who);
  if (n == 0)
    return SCM_INUM0;
  return scm_from_int (memcmp (region_arg (p1, 1, n, who),
                               region_arg (p2, 2, n, who), n));
}

/* One side of memory-copy: the address of BUF (argument POS) + START, for
   COUNT bytes.  */
static char *
copy_side (SCM buf, int pos, SCM start, size_t count)
{
  static const char who[] = "memory-copy";
  size_t s = (size_t) SCM_I_INUM (start);
  if (SCM_BYTEVECTOR_P (buf))
    {
      size_t len = SCM_BYTEVECTOR_LENGTH (buf);
      if (s > len || count > len - s)
        vc_raise_consistency (who, "bytevector range out of bounds",
                              scm_list_3 (buf, start, scm_from_size_t (count)));
      return (char *) SCM_BYTEVECTOR_CONTENTS (buf) + s;
    }
  uintptr_t base = (uintptr_t) SCM_POINTER_VALUE (buf);
  if (s > UINTPTR_MAX - base)
    vc_raise_consistency (who, "pointer overflow", scm_list_2 (buf, start));
  if (base == 0 && count > 0)
    vc_raise_argument_message (who, pos, "non-null-pointer?", VC_NULL_MESSAGE,
                               buf);
  return (char *) (base + s);
}

/* (memory-copy dst dst.start src src.start count), destination first.  */
static SCM
memory_copy (SCM dst, SCM dst_start, SCM src, SCM src_start, SCM count)
{
  static const char who[] = "memory-copy";
  if (!SCM_POINTER_P (dst) && !SCM_BYTEVECTOR_P (dst))
    vc_raise_argument_message (who, 1, "pointer-or-bytevector?",
                               "expected pointer or bytevector as argument",
                               dst);
  (void) vc_int64_arg (dst_start, 0, INT64_MAX >> 2, 2, who,
                       "non-negative-fixnum?");
  if (!SCM_POINTER_P (src) && !SCM_BYTEVECTOR_P (src))
    vc_raise_argument_message (who, 3, "pointer-or-bytevector?",
                               "expected pointer or bytevector as argument",
                               src);
  (void) vc_int64_arg (src_start, 0, INT64_MAX >> 2, 4, who,
                       "non-negative-fixnum?");
  size_t n = VC_SIZE_ARG (count, 5, who);
  char *d = copy_side (dst, 1, dst_start, n);
  char *s = copy_side (src, 3, src_start, n);
  /* memmove: as fast as memcpy for disjoint regions, and right when a
     bytevector is copied onto itself.  */
  if (n > 0)
    memmove (d, s, n);
  scm_remember_upto_here_2 (dst, src);
  return vc_zero_values;
}

static SCM
memory_to_bytevector (SCM ptr, SCM nbytes)
{
  static const char who[] = "memory->bytevector";
  (void) vc_pointer_arg (ptr, 1, who);
  size_t n = (size_t) vc_int64_arg (nbytes, 0, INT64_MAX >> 2, 2, who,
                                    "non-negative-fixnum?");
  const char *p = region_arg (ptr, 1, n, who);
  SCM bv = scm_c_make_bytevector (n);
  if (n > 0)
    memcpy (SCM_BYTEVECTOR_CONTENTS (bv), p, n);
  return bv;
}

static SCM
do_bytevector_to_memory (SCM bv, int guarded, const char *who)
{
  if (!SCM_BYTEVECTOR_P (bv))
    vc_raise_argument (who, 1, "bytevector?", bv);
  size_t n = SCM_BYTEVECTOR_LENGTH (bv);
  void *p = malloc (n ? n : 1);
  if (p == NULL)
    vc_raise_out_of_memory (who);
  if (n > 0)                    /* An empty bytevector may have NULL contents.  */
    memcpy (p, SCM_BYTEVECTOR_CONTENTS (bv), n);
  SCM results[2] = { vc_new_pointer (p, n, guarded),
                     scm_from_size_t (n) };
  return scm_c_values (results, 2);
}

static SCM
bytevector_to_memory (SCM bv)
{
  return do_bytevector_to_memory (bv, 0, "bytevector->memory");
}

static SCM
bytevector_to_guarded_memory (SCM bv)
{
  return do_bytevector_to_memory (bv, 1, "bytevector->guarded-memory");
}

void
vc_init_memory (void)
{
  vc_define ("malloc", 1, 0, 0, (scm_t_subr) malloc_p);
  vc_define ("guarded-malloc", 1, 0, 0, (scm_t_subr) guarded_malloc);
  vc_define ("calloc", 2, 0, 0, (scm_t_subr) calloc_p);
  vc_define ("guarded-calloc", 2, 0, 0, (scm_t_subr) guarded_calloc);
  vc_define ("realloc", 2, 0, 0, (scm_t_subr) realloc_p);
  vc_define ("guarded-realloc", 2, 0, 0, (scm_t_subr) guarded_realloc);
  vc_define ("free", 1, 0, 0, (scm_t_subr) free_p);
  vc_define ("%vc-guard!", 2, 0, 0, (scm_t_subr) guard_x);
  vc_define ("memcpy", 3, 0, 0, (scm_t_subr) memcpy_p);
  vc_define ("memmove", 3, 0, 0, (scm_t_subr) memmove_p);
  vc_define ("memset", 3, 0, 0, (scm_t_subr) memset_p);
  vc_define ("memcmp", 3, 0, 0, (scm_t_subr) memcmp_p);
  vc_define ("memory-copy", 5, 0, 0, (scm_t_subr) memory_copy);
  vc_define ("memory->bytevector", 2, 0, 0, (scm_t_subr) memory_to_bytevector);
  vc_define ("bytevector->memory", 1, 0, 0, (scm_t_subr) bytevector_to_memory);
  vc_define ("bytevector->guarded-memory", 1, 0, 0,
             (scm_t_subr) bytevector_to_guarded_memory);
}
