/* atomic.c -- sequentially consistent atomic access to shared memory.
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later

   Beyond Vicare.  For each TYPE in sint32, uint32, sint64, uint64:
     (pointer-atomic-ref-c-TYPE memory offset)
     (pointer-atomic-set-c-TYPE! memory offset value)         -> no values
     (pointer-atomic-fetch-add-c-TYPE! memory offset delta)   -> old value
     (pointer-atomic-compare-and-swap-c-TYPE! memory offset expected new)
                                                              -> boolean
   MEMORY is a non-NULL pointer and OFFSET a byte offset as for the
   pointer-ref-c-* getters, but the address must be aligned on the size of
   the type: a misaligned address raises
   &procedure-arguments-consistency-violation, a NULL pointer a plain
   &assertion.  VALUE, EXPECTED and NEW must be in the type's range.
   DELTA must be in the type's range too, except that the unsigned types
   also accept negative deltas down to -2^(N-1) so that a counter can be
   decremented; the addition wraps modulo 2^N, as C's atomic addition does.
   Every operation is sequentially consistent (__ATOMIC_SEQ_CST), and works
   between processes on a MAP_SHARED mapping as well as between threads.  */

#include <config.h>

#include <stdint.h>

#include "vc.h"

#if !defined __GNUC__
# error "atomic.c needs the __atomic builtins of GCC or Clang"
#endif

/* The address of an aligned access of SIZE bytes.  */
static void *
atomic_address (SCM memory, SCM offset, size_t size, const char *who)
{
  char *base = vc_pointer_arg (memory, 1, who);
  ptrdiff_t off = VC_PTRDIFF_ARG (offset, 2, who);
  uintptr_t addr = (uintptr_t) base + (uintptr_t) off;
  if (VC_UNLIKELY (base == NULL))
    vc_raise_argument_message (who, 1, "non-null-pointer?", VC_NULL_MESSAGE,
                               memory);
  /* An address that the offset brought to NULL.  */
  if (VC_UNLIKELY (addr == 0))
    vc_raise_consistency (who, VC_NULL_MESSAGE, scm_list_2 (memory, offset));
  if (VC_UNLIKELY (addr % size != 0))
    vc_raise_consistency (who, "misaligned address for an atomic access",
                          scm_list_2 (memory, offset));
  return (void *) addr;
}

/* One set of four primitives.  CTYPE is the C type, NAME the Scheme type
   name, ARG (obj, pos, who, pred) converts a value argument, DELTA_ARG a
   delta argument, FROM converts back.  */
#define VC_DEFINE_ATOMICS(CTYPE, NAME, ARG, DELTA_ARG, FROM)                 \
  static SCM                                                                 \
  atomic_ref_##NAME (SCM memory, SCM offset)                                 \
  {                                                                          \
    CTYPE *p = atomic_address (memory, offset, sizeof (CTYPE),               \
                               "pointer-atomic-ref-c-" #NAME);               \
    CTYPE v = __atomic_load_n (p, __ATOMIC_SEQ_CST);                         \
    scm_remember_upto_here_1 (memory);                                       \
    return FROM (v);                                                         \
  }                                                                          \
  static SCM                                                                 \
  atomic_set_##NAME (SCM memory, SCM offset, SCM value)                      \
  {                                                                          \
    static const char who[] = "pointer-atomic-set-c-" #NAME "!";             \
    CTYPE *p = atomic_address (memory, offset, sizeof (CTYPE), who);         \
    CTYPE v = ARG (value, 3, who);                                           \
    __atomic_store_n (p, v, __ATOMIC_SEQ_CST);                               \
    scm_remember_upto_here_1 (memory);                                       \
    return vc_zero_values;                                                   \
  }                                                                          \
  static SCM                                                                 \
  atomic_fetch_add_##NAME (SCM memory, SCM offset, SCM delta)                \
  {                                                                          \
    static const char who[] = "pointer-atomic-fetch-add-c-" #NAME "!";       \
    CTYPE *p = atomic_address (memory, offset, sizeof (CTYPE), who);         \
    CTYPE d = DELTA_ARG (delta, 3, who);                                     \
    CTYPE old = __atomic_fetch_add (p, d, __ATOMIC_SEQ_CST);                 \
    scm_remember_upto_here_1 (memory);                                       \
    return FROM (old);                                                       \
  }                                                                          \
  static SCM                                                                 \
  atomic_cas_##NAME (SCM memory, SCM offset, SCM expected, SCM desired)      \
  {                                                                          \
    static const char who[] = "pointer-atomic-compare-and-swap-c-" #NAME "!";\
    CTYPE *p = atomic_address (memory, offset, sizeof (CTYPE), who);         \
    CTYPE e = ARG (expected, 3, who);                                        \
    CTYPE n = ARG (desired, 4, who);                                         \
    int ok = __atomic_compare_exchange_n (p, &e, n, 0, __ATOMIC_SEQ_CST,     \
                                          __ATOMIC_SEQ_CST);                 \
    scm_remember_upto_here_1 (memory);                                       \
    return scm_from_bool (ok);                                               \
  }

/* The builtins define signed atomic addition as two's complement
   wrapping, so no argument in range can overflow.  */
#define S32_ARG(obj, pos, who) \
  ((int32_t) vc_int64_arg ((obj), INT32_MIN, INT32_MAX, (pos), (who), "word-s32?"))
#define U32_ARG(obj, pos, who) \
  ((uint32_t) vc_uint64_arg ((obj), UINT32_MAX, (pos), (who), "word-u32?"))
#define S64_ARG(obj, pos, who) \
  ((int64_t) vc_int64_arg ((obj), INT64_MIN, INT64_MAX, (pos), (who), "word-s64?"))
#define U64_ARG(obj, pos, who) \
  ((uint64_t) vc_uint64_arg ((obj), UINT64_MAX, (pos), (who), "word-u64?"))

/* An unsigned delta: in [0, 2^N-1] or in [-2^(N-1), -1].  */
static uint64_t
unsigned_delta (SCM obj, int bits, int pos, const char *who)
{
  int64_t min = bits == 32 ? INT32_MIN : INT64_MIN;
  uint64_t max = bits == 32 ? UINT32_MAX : UINT64_MAX;
  const char *expected = bits == 32 ? "word-u32-or-s32?" : "word-u64-or-s64?";
  if (scm_is_unsigned_integer (obj, 0, max))
    return scm_to_uint64 (obj);
  return (uint64_t) vc_int64_arg (obj, min, -1, pos, who, expected);
}

#define U32_DELTA(obj, pos, who) ((uint32_t) unsigned_delta ((obj), 32, (pos), (who)))
#define U64_DELTA(obj, pos, who) unsigned_delta ((obj), 64, (pos), (who))

static inline SCM from_s32 (int32_t v) { return scm_from_int32 (v); }
static inline SCM from_u32 (uint32_t v) { return scm_from_uint32 (v); }
static inline SCM from_s64 (int64_t v) { return scm_from_int64 (v); }
static inline SCM from_u64 (uint64_t v) { return scm_from_uint64 (v); }

VC_DEFINE_ATOMICS (int32_t, sint32, S32_ARG, S32_ARG, from_s32)
VC_DEFINE_ATOMICS (uint32_t, uint32, U32_ARG, U32_DELTA, from_u32)
VC_DEFINE_ATOMICS (int64_t, sint64, S64_ARG, S64_ARG, from_s64)
VC_DEFINE_ATOMICS (uint64_t, uint64, U64_ARG, U64_DELTA, from_u64)

#define VC_REGISTER_ATOMICS(NAME)                                            \
  vc_define ("pointer-atomic-ref-c-" #NAME, 2, 0, 0,                         \
             (scm_t_subr) atomic_ref_##NAME);                                \
  vc_define ("pointer-atomic-set-c-" #NAME "!", 3, 0, 0,                     \
             (scm_t_subr) atomic_set_##NAME);                                \
  vc_define ("pointer-atomic-fetch-add-c-" #NAME "!", 3, 0, 0,               \
             (scm_t_subr) atomic_fetch_add_##NAME);                          \
  vc_define ("pointer-atomic-compare-and-swap-c-" #NAME "!", 4, 0, 0,        \
             (scm_t_subr) atomic_cas_##NAME)

void
vc_init_atomic (void)
{
  VC_REGISTER_ATOMICS (sint32);
  VC_REGISTER_ATOMICS (uint32);
  VC_REGISTER_ATOMICS (sint64);
  VC_REGISTER_ATOMICS (uint64);
}
