/* channel-wait.c -- how processes sleep on a word of a channel's memory.
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later

   See channel-wait.h.  The semaphore way: a sleeper counts itself in
   the queue's SLEEPERS, looks at the word once more, and waits for a
   token of the semaphore; a waker, after changing the word, posts a token
   for each counted sleeper that has none waiting for it yet.  Both the
   sleeper's count-then-look and the waker's change-then-count are
   sequentially consistent, so either the sleeper sees the change and
   does not sleep, or the waker sees the sleeper and posts for it.  What
   this costs, and why it is safe:
   - a token can outlive its sleeper (one that timed out meanwhile, or
     was killed), and then ends the next sleep at once: a return for no
     reason, which every caller takes (it looks again and sleeps again);
     the waker never posts more tokens than there are sleepers, so there
     are never more such returns than sleepers;
   - a sleeper that counted itself and then arrived after the change may
     take the token meant for an earlier one, which then sleeps on until
     its deadline: the protocol bounds every sleep (a recheck interval,
     1 to 64 ms), so the cost is a late wake-up, never a lost one;
   - a process killed while counted leaves the count one too high: the
     wakers post one token too many, which the next sleeper takes (an
     early return), no more.  */

#include <config.h>

#include <errno.h>
#include <limits.h>
#include <unistd.h>

#include "channel-wait.h"

#if VC_CH_WAIT == VC_CH_WAIT_FUTEX
# include <linux/futex.h>
# include <sys/syscall.h>
#endif

const uint32_t vc_ch_wait_kind = VC_CH_WAIT;
const char vc_ch_wait_name[] =
#if VC_CH_WAIT == VC_CH_WAIT_FUTEX
  "futex"
#elif VC_CH_WAIT == VC_CH_WAIT_SEM
  "sem"
#else
  "poll"
#endif
  ;

/* The most tokens one wake-up posts: a corrupt count costs no more.  */
#define MAX_POSTS 64

/* The step of the poll way, and of the semaphore way when its semaphore
   fails (corrupt memory).  */
#define POLL_STEP_NS 100000L

#if VC_CH_WAIT != VC_CH_WAIT_FUTEX
/* Sleep POLL_STEP_NS, or until DEADLINE if sooner.  */
static int
poll_step (const struct timespec *deadline)
{
  struct timespec now, step = { 0, POLL_STEP_NS };
  if (deadline)
    {
      clock_gettime (CLOCK_MONOTONIC, &now);
      if (now.tv_sec > deadline->tv_sec
          || (now.tv_sec == deadline->tv_sec
              && now.tv_nsec >= deadline->tv_nsec))
        return ETIMEDOUT;
    }
  return nanosleep (&step, NULL) == 0 ? 0 : errno;
}
#endif

int
vc_ch_waitq_init (struct vc_ch_waitq *q, int shared)
{
#if VC_CH_WAIT == VC_CH_WAIT_SEM
  atomic_store_explicit (&q->sleepers, 0, memory_order_relaxed);
  return sem_init (&q->sem, shared, 0) == 0 ? 0 : errno;
#else
  (void) shared;
  q->unused = 0;
  return 0;
#endif
}

void
vc_ch_waitq_destroy (struct vc_ch_waitq *q)
{
#if VC_CH_WAIT == VC_CH_WAIT_SEM
  sem_destroy (&q->sem);
#else
  (void) q;
#endif
}

#if VC_CH_WAIT == VC_CH_WAIT_SEM
/* One wait for a token of Q's semaphore, until DEADLINE.  */
static int
sem_sleep (struct vc_ch_waitq *q, const struct timespec *deadline)
{
  int r;
  if (!deadline)
    r = sem_wait (&q->sem);
  else
    {
# ifdef HAVE_SEM_CLOCKWAIT
      r = sem_clockwait (&q->sem, CLOCK_MONOTONIC, deadline);
# else
      /* sem_timedwait counts on CLOCK_REALTIME: carry the deadline over
         (a clock step meanwhile only moves this one bounded sleep).  */
      struct timespec mono, real, until;
      clock_gettime (CLOCK_MONOTONIC, &mono);
      clock_gettime (CLOCK_REALTIME, &real);
      until.tv_sec = real.tv_sec + (deadline->tv_sec - mono.tv_sec);
      until.tv_nsec = real.tv_nsec + (deadline->tv_nsec - mono.tv_nsec);
      while (until.tv_nsec < 0)
        {
          until.tv_nsec += 1000000000L;
          until.tv_sec--;
        }
      while (until.tv_nsec >= 1000000000L)
        {
          until.tv_nsec -= 1000000000L;
          until.tv_sec++;
        }
      r = sem_timedwait (&q->sem, &until);
# endif
    }
  if (r == 0)
    return 0;
  int err = errno;
  if (err == ETIMEDOUT || err == EINTR)
    return err;
  /* EINVAL and the like: the semaphore is not a semaphore any more
     (another process wrote over it).  Poll instead.  */
  return poll_step (deadline);
}
#endif

int
vc_ch_sleep (_Atomic uint32_t *word, struct vc_ch_waitq *q, uint32_t expected,
             const struct timespec *deadline)
{
  if (atomic_load_explicit (word, memory_order_acquire) != expected)
    return EAGAIN;              /* no system call for what it would say */
#if VC_CH_WAIT == VC_CH_WAIT_FUTEX
  (void) q;
  long r = syscall (SYS_futex, (uint32_t *) word, FUTEX_WAIT_BITSET,
                    expected, deadline, NULL, FUTEX_BITSET_MATCH_ANY);
  return r == 0 ? 0 : errno;
#elif VC_CH_WAIT == VC_CH_WAIT_SEM
  atomic_fetch_add_explicit (&q->sleepers, 1, memory_order_seq_cst);
  int r = EAGAIN;
  if (atomic_load_explicit (word, memory_order_seq_cst) == expected)
    r = sem_sleep (q, deadline);
  atomic_fetch_sub_explicit (&q->sleepers, 1, memory_order_seq_cst);
  return r;
#else
  (void) q;
  return poll_step (deadline);
#endif
}

void
vc_ch_wake_all (_Atomic uint32_t *word, struct vc_ch_waitq *q)
{
#if VC_CH_WAIT == VC_CH_WAIT_FUTEX
  (void) q;
  syscall (SYS_futex, (uint32_t *) word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
#elif VC_CH_WAIT == VC_CH_WAIT_SEM
  (void) word;
  uint32_t n = atomic_load_explicit (&q->sleepers, memory_order_seq_cst);
  if (n == 0)
    return;
  if (n > MAX_POSTS)
    n = MAX_POSTS;
  int tokens = 0;
  if (sem_getvalue (&q->sem, &tokens) != 0 || tokens < 0)
    tokens = 0;
  for (uint32_t i = (uint32_t) tokens; i < n; i++)
    if (sem_post (&q->sem) != 0)
      break;                    /* EOVERFLOW, EINVAL: corrupt, nothing to do */
#else
  (void) word;
  (void) q;
#endif
}
