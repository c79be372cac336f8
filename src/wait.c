/* wait.c -- blocking calls that a Scheme signal handler can abandon.
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later

   How a signal reaches Scheme code in Guile 3: the C handler that Guile
   installs (take_signal, libguile/scmsigs.c) only writes the signal's
   number into a pipe.  Guile's signal delivery thread reads it and queues
   the Scheme handler as an async for the thread it belongs to
   (scm_system_async_mark_for_thread, async.c); the thread runs it at its
   next safe point.  A blocking system call of the thread that took the
   signal fails with EINTR at once, usually *before* the delivery thread
   has queued anything: running the pending asyncs then finds none, and a
   call restarted at once blocks again with the handler queued behind it.

   Guile's own waits avoid that by registering a wake-up with the thread
   (scm_c_prepare_to_wait_on_fd or _on_cond): queuing an async writes to
   the thread's sleep pipe or signals its condition variable, which the
   wait watches.  A semaphore, a futex or waitpid cannot watch a pipe, so
   vc_wait does this instead: the first attempt waits without limit, as
   the bare call would (nothing is added to a wait that no signal
   interrupts); after an EINTR, the attempts that follow are bounded by
   short, growing steps (0.1 ms, doubling, up to 0.5 s, about 2.3 s in
   all) and the pending asyncs run between any two of them, so a handler
   the delivery thread queues a moment late still runs within about one
   step of being queued, while the wait itself keeps watching its event
   (a post, a child's exit) the whole time.  After the last step the wait
   is unbounded again, until the next signal.  */

#include <config.h>

#include <errno.h>
#include <time.h>

#include "vc.h"

/* The steps after an EINTR, in nanoseconds; 0 ends the list.  */
static const int64_t steps[] = {
  100000, 200000, 400000, 800000, 1600000, 3200000, 6400000, 12800000,
  25600000, 51200000, 102400000, 204800000, 409600000,
  500000000, 500000000, 500000000, 0
};

struct attempt_call
{
  vc_wait_attempt attempt;
  void *data;
  int64_t step;
  int result;
};

static void *
run_attempt (void *data)
{
  struct attempt_call *c = data;
  c->result = c->attempt (c->data, c->step);
  return NULL;
}

void
vc_wait (vc_wait_attempt attempt, void *data)
{
  struct attempt_call c = { attempt, data, 0, 0 };
  int next = -1;                /* index in steps, -1: unbounded */
  for (;;)
    {
      c.step = next < 0 ? 0 : steps[next];
      scm_without_guile (run_attempt, &c);
      if (c.result == EINTR)
        next = 0;
      else if (c.result == ETIMEDOUT && next >= 0)
        next = steps[next + 1] ? next + 1 : -1;
      else
        return;
      /* Run what is queued for this thread; a handler that raises or
         escapes leaves from here.  */
      scm_async_tick ();
    }
}

struct timespec
vc_clock_after (clockid_t clock, int64_t ns)
{
  struct timespec t;
  clock_gettime (clock, &t);
  t.tv_sec += ns / 1000000000;
  t.tv_nsec += ns % 1000000000;
  if (t.tv_nsec >= 1000000000)
    {
      t.tv_sec++;
      t.tv_nsec -= 1000000000;
    }
  return t;
}

int
vc_timespec_before (const struct timespec *a, const struct timespec *b)
{
  return a->tv_sec < b->tv_sec
    || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}
