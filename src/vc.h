/* vc.h -- what every C file of the vicare-compat extension shares.
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later

   The extension has one entry point, vc_init (init.c), which calls the
   init function of every area.  Each area defines its primitives with
   vc_define, which also exports them from the module that loads the
   extension, (vicare-compat primitives).  Every primitive reports a bad
   argument or a failed system call through the functions of error.c, so
   all of them raise the same condition shapes.  */

#ifndef VC_H
#define VC_H

#include <libguile.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#if defined __GNUC__
# define VC_NORETURN __attribute__ ((__noreturn__))
# define VC_LIKELY(x) __builtin_expect (!!(x), 1)
# define VC_UNLIKELY(x) __builtin_expect (!!(x), 0)
#else
# define VC_NORETURN
# define VC_LIKELY(x) (x)
# define VC_UNLIKELY(x) (x)
#endif

/* ------------------------------------------------------------ registration */

/* Define NAME as a primitive in the current module and export it.  NAME
   is the public Scheme name (it shows in backtraces and arity errors);
   the Scheme modules import (vicare-compat primitives) with a prefix and
   re-export what they make public.  */
void vc_define (const char *name, int req, int opt, int rest, scm_t_subr fn);

/* Define NAME as a constant value and export it.  */
void vc_define_value (const char *name, SCM value);

/* The result of a procedure that returns zero values, as Vicare's setters
   do.  One shared object: it has no contents to mutate.  */
extern SCM vc_zero_values;

/* The init function of each area, called once per load by vc_init.  */
void vc_init_error (void);
void vc_init_pointer (void);
void vc_init_memory (void);
void vc_init_cstring (void);
void vc_init_posix (void);
void vc_init_atomic (void);
void vc_init_fasl (void);
void vc_init_channel (void);

/* ------------------------------------------------------------------ errors */

/* Every function below builds an R6RS compound condition and raises it
   with raise (non-continuable); WHO is the Scheme name of the procedure
   that failed.  They are all implemented by one Scheme procedure,
   %vc-raise in (vicare-compat conditions), so the shapes are defined in
   one place.  */

/* Bad argument in position POS (1-based): &assertion subtype
   &procedure-signature-argument-violation, with &who, &message "failed
   argument validation", &irritants (VALUE).  EXPECTED names the predicate
   that failed, e.g. "pointer?" or "word-s32?".  */
VC_NORETURN void vc_raise_argument (const char *who, int pos,
                                    const char *expected, SCM value);

/* The same with MESSAGE instead of "failed argument validation", for the
   checks whose message Vicare spells out ("expected fixnum as argument").  */
VC_NORETURN void vc_raise_argument_message (const char *who, int pos,
                                            const char *expected,
                                            const char *message, SCM value);

/* &procedure-arguments-consistency-violation: each argument is fine alone,
   the combination is not (out of bounds, overflow).  */
VC_NORETURN void vc_raise_consistency (const char *who, const char *message,
                                       SCM irritants);

/* Plain &assertion with &who, &message and &irritants.  */
VC_NORETURN void vc_raise_assertion (const char *who, const char *message,
                                     SCM irritants);

/* A failed system call: &error + &errno (code = -ERRNUM) [+ &i/o-eagain]
   + &who + &message "ENAME: strerror text" + &irritants.  ERRNUM is the
   positive value errno had right after the call: save it before doing
   anything that could change it.  */
VC_NORETURN void vc_raise_errno (const char *who, int errnum, SCM irritants);

/* &error + &who + &message "failed raw memory allocation"
   + &out-of-memory-error; no irritants, as in Vicare.  */
VC_NORETURN void vc_raise_out_of_memory (const char *who);

/* A malformed FASL input: &fasl-read-error (an &assertion subtype, with the
   byte offset where the problem was found) + &who + &message + &irritants.
   HEADER is non-zero when the header itself is wrong, which also adds
   &i/o-wrong-fasl-header-error.  */
VC_NORETURN void vc_raise_fasl_read (const char *who, const char *message,
                                     size_t offset, int header, SCM irritants);

/* The name of a positive errno value ("EINVAL"), or NULL if unknown.  */
const char *vc_errno_name (int errnum);

/* ---------------------------------------------------- argument conversion */

/* Each takes the argument, its 1-based position and the caller's WHO and
   raises vc_raise_argument when OBJ does not fit.  */

static inline void *
vc_pointer_arg (SCM obj, int pos, const char *who)
{
  if (VC_UNLIKELY (!SCM_POINTER_P (obj)))
    vc_raise_argument (who, pos, "pointer?", obj);
  return SCM_POINTER_VALUE (obj);
}

/* An exact integer in [MIN, MAX].  EXPECTED names the predicate.  */
static inline int64_t
vc_int64_arg (SCM obj, int64_t min, int64_t max, int pos, const char *who,
              const char *expected)
{
  if (VC_LIKELY (SCM_I_INUMP (obj)))
    {
      scm_t_signed_bits n = SCM_I_INUM (obj);
      if (VC_LIKELY (n >= min && n <= max))
        return n;
    }
  else if (scm_is_signed_integer (obj, min, max))
    return scm_to_int64 (obj);
  vc_raise_argument (who, pos, expected, obj);
}

static inline uint64_t
vc_uint64_arg (SCM obj, uint64_t max, int pos, const char *who,
               const char *expected)
{
  if (VC_LIKELY (SCM_I_INUMP (obj)))
    {
      scm_t_signed_bits n = SCM_I_INUM (obj);
      if (VC_LIKELY (n >= 0 && (uint64_t) n <= max))
        return (uint64_t) n;
    }
  else if (scm_is_unsigned_integer (obj, 0, max))
    return scm_to_uint64 (obj);
  vc_raise_argument (who, pos, expected, obj);
}

#define VC_PTRDIFF_ARG(obj, pos, who) \
  vc_int64_arg ((obj), PTRDIFF_MIN, PTRDIFF_MAX, (pos), (who), "ptrdiff_t?")
#define VC_SIZE_ARG(obj, pos, who) \
  ((size_t) vc_uint64_arg ((obj), SIZE_MAX, (pos), (who), "size_t?"))

/* A fresh <pointer> object holding ADDRESS, without finalizer.  Unlike
   scm_from_pointer, never Guile's shared %null-pointer: our pointer
   objects may be changed in place (free, realloc, set-pointer-null!).  */
static inline SCM
vc_fresh_pointer (void *address)
{
  return scm_cell (scm_tc7_pointer, (scm_t_bits) address);
}

/* Make PTR, to SIZE malloc'd bytes, guarded memory (memory.c): C free
   runs on the address PTR holds when PTR is collected, and the collector
   counts SIZE towards its next collection.  Guarding twice is harmless.
   Return PTR.  */
SCM vc_guard (SCM ptr, size_t size);

/* A fresh pointer object to P, guarded (as SIZE bytes) when GUARDED is
   non-zero.  */
SCM vc_new_pointer (void *p, size_t size, int guarded);

/* --------------------------------------------------------- blocking calls */

/* Every call of the package that may block waits through vc_wait (wait.c),
   so that any async queued for the waiting thread runs during the wait: a
   Scheme signal handler, cancel-thread, system-async-mark.  One that
   raises or escapes abandons the wait, the way Guile's own sleep is
   abandoned.

   An attempt is one try at the blocking operation; vc_wait runs it outside
   Guile mode, again and again until it is over, with the pending asyncs
   run between attempts.  WAKE_FD is -1, or a descriptor that becomes
   readable when an async is queued for the thread.  An attempt that
   watches WAKE_FD (>= 0) alongside its event may wait without limit;
   any other returns within STEP nanoseconds (STEP > 0).  It returns
     0          when the operation is over, successfully or not (it keeps
                its outcome, its errno, in DATA);
     EINTR      when a system call failed with EINTR or WAKE_FD became
                readable;
     ETIMEDOUT  when STEP elapsed first.
   It must not call Guile.  An operation with its own deadline returns 0
   when that deadline passes, and says so in DATA.  */
typedef int (*vc_wait_attempt) (void *data, int64_t step, int wake_fd);

/* Run ATTEMPT (DATA, STEP, WAKE_FD) until it returns 0.  STEP starts at
   1 ms and doubles up to 64 ms; it is 0.1 ms again after an EINTR.  A
   handler that raises or escapes leaves vc_wait non-locally: release
   what the caller holds with scm_dynwind_* around it.  */
void vc_wait (vc_wait_attempt attempt, void *data);

/* For attempts: wait until FD (ignored when -1) has one of EVENTS
   (return 0), WAKE_FD (ignored when -1) is readable or a signal
   interrupts (EINTR), or LIMIT ns (none when negative) pass, or STEP ns
   when WAKE_FD is -1 (ETIMEDOUT).  Another poll error returns its
   errno.  */
int vc_wait_poll (int fd, short events, int wake_fd, int64_t step,
                  int64_t limit);

/* For waitpid's attempt (child-watch.c): sleep until a child that
   waitpid (PID, OPTIONS) waits for may have changed state (0), or
   WAKE_FD is readable or a signal interrupts (EINTR).  Another errno
   when it cannot watch (no WAKE_FD, no thread, __WNOTHREAD): then the
   caller takes a bounded step.  */
int vc_watch_children (pid_t pid, int options, int wake_fd);

/* The time NS nanoseconds from now on CLOCK, for attempts that take an
   absolute deadline.  */
struct timespec vc_clock_after (clockid_t clock, int64_t ns);

/* Is A strictly before B?  */
int vc_timespec_before (const struct timespec *a, const struct timespec *b);

/* ---------------------------------------------------------- memory-blocks */

/* The record type of memory-blocks, registered by (vicare-compat memory)
   when it loads (#f before).  Its fields, in slot order: pointer (a
   private <pointer> object, never handed out), size (an exact integer),
   owner? (a boolean).  */
extern SCM vc_memory_block_type;

static inline int
vc_memory_block_p (SCM obj)
{
  return SCM_STRUCTP (obj) && scm_is_eq (SCM_STRUCT_VTABLE (obj),
                                         vc_memory_block_type);
}

#define VC_MEMORY_BLOCK_POINTER(mb) SCM_STRUCT_SLOT_REF ((mb), 0)
#define VC_MEMORY_BLOCK_SIZE(mb) SCM_STRUCT_SLOT_REF ((mb), 1)
#define VC_MEMORY_BLOCK_SET_SIZE(mb, n) SCM_STRUCT_SLOT_SET ((mb), 1, (n))
#define VC_MEMORY_BLOCK_SET_OWNER(mb, b) SCM_STRUCT_SLOT_SET ((mb), 2, (b))

/* The message of a NULL pointer argument.  */
#define VC_NULL_MESSAGE "attempt to access memory through a NULL pointer"

/* A pointer argument whose address must not be NULL (the C function it is
   passed to would crash): NULL raises the argument condition, predicate
   non-null-pointer?.  */
static inline void *
vc_nonnull_pointer_arg (SCM obj, int pos, const char *who)
{
  void *p = vc_pointer_arg (obj, pos, who);
  if (VC_UNLIKELY (p == NULL))
    vc_raise_argument_message (who, pos, "non-null-pointer?", VC_NULL_MESSAGE,
                               obj);
  return p;
}

#endif /* VC_H */
