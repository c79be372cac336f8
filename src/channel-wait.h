/* channel-wait.h -- how processes sleep on a word of a channel's memory.
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later

   The protocol (channel-ring.c) sleeps until a 32-bit word of the shared
   mapping changes, and wakes the sleepers of a word after changing it.
   One of three ways does it, chosen when the package is built
   (configure --with-channel-wait=futex|sem|poll, or -DVC_CH_FORCE_WAIT=
   VC_CH_WAIT_SEM for one program, as make check does to test the
   fallback on Linux):
   - futex: Linux's futex on the word itself (the default where
     <linux/futex.h> exists);
   - sem: a process-shared POSIX semaphore (sem_t) next to the word, in
     the same mapping, with a count of the sleepers (elsewhere);
   - poll: sleep 100 microseconds and look again (where neither exists).
   The channel's header records which way its creator sleeps, and a
   process built the other way refuses to open it (channel-ring.c).
   No libguile here.  */

#ifndef VC_CHANNEL_WAIT_H
#define VC_CHANNEL_WAIT_H

#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#define VC_CH_WAIT_FUTEX 0
#define VC_CH_WAIT_SEM 1
#define VC_CH_WAIT_POLL 2

#if defined VC_CH_FORCE_WAIT
# define VC_CH_WAIT VC_CH_FORCE_WAIT
#elif defined VC_CH_CONFIGURED_WAIT
# define VC_CH_WAIT VC_CH_CONFIGURED_WAIT
#elif defined HAVE_LINUX_FUTEX_H
# define VC_CH_WAIT VC_CH_WAIT_FUTEX
#else
# define VC_CH_WAIT VC_CH_WAIT_POLL
#endif

#if VC_CH_WAIT == VC_CH_WAIT_SEM
# include <semaphore.h>
#endif

/* What stands for a futex next to a word (a sleep queue).  In shared
   memory it is as untrusted as the rest: a corrupt one can delay or
   hasten the wake-ups of the processes sleeping on it, nothing else,
   and every sleep of the protocol is bounded anyway.  */
struct vc_ch_waitq
{
#if VC_CH_WAIT == VC_CH_WAIT_SEM
  sem_t sem;                    /* a token for each sleeper to wake */
  _Atomic uint32_t sleepers;    /* processes about to sleep or asleep */
#else
  uint32_t unused;
#endif
};

/* How this build sleeps: one of VC_CH_WAIT_*, and its name.  */
extern const uint32_t vc_ch_wait_kind;
extern const char vc_ch_wait_name[];

/* Make Q ready: SHARED non-zero when it lives in memory shared between
   processes.  0, or an errno value.  */
int vc_ch_waitq_init (struct vc_ch_waitq *q, int shared);

/* Release a queue of this process's own memory.  */
void vc_ch_waitq_destroy (struct vc_ch_waitq *q);

/* Sleep while *WORD is EXPECTED, until a wake-up of Q, DEADLINE
   (CLOCK_MONOTONIC, absolute; NULL: none) or a signal.  May also return
   early for no reason (as a futex may): callers look again.  0,
   ETIMEDOUT, EINTR, or EAGAIN when the word had changed already.  */
int vc_ch_sleep (_Atomic uint32_t *word, struct vc_ch_waitq *q,
                 uint32_t expected, const struct timespec *deadline);

/* Wake every process sleeping on WORD and Q.  The caller has changed the
   word (or whatever its sleepers look at) with a sequentially consistent
   operation just before.  */
void vc_ch_wake_all (_Atomic uint32_t *word, struct vc_ch_waitq *q);

#endif /* VC_CHANNEL_WAIT_H */
