/* wait.c -- blocking calls that any Scheme async wakes: a signal
   handler, cancel-thread, system-async-mark.
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later

   How an async reaches a waiting thread in Guile 3.  A Scheme signal
   handler is not run by the C handler Guile installs (take_signal,
   libguile/scmsigs.c): that one only writes the signal's number into a
   pipe, and Guile's signal delivery thread queues the Scheme handler as an
   async for its thread (scm_system_async_mark_for_thread, async.c), a
   moment later.  cancel-thread and system-async-mark queue asyncs from
   other threads too.  The thread runs them at its next safe point; a
   thread blocked in a system call has none, so Guile's own waits (sleep,
   select) tell it where they sleep: scm_c_prepare_to_wait_on_fd registers
   a descriptor to which queuing an async writes a byte, and the wait
   watches it alongside its event.  The EINTR that a signal causes in the
   thread that takes it is no help alone: it usually comes *before* the
   delivery thread has queued the handler, or not at all, when another
   thread took the signal.

   vc_wait does the same for every wait of the package.  Each thread has
   its own wake pipe (made at its first wait, closed when it exits, made
   again in a forked child), registered before each attempt and
   unregistered after it; between two attempts the pending asyncs run
   (scm_async_tick), so a handler that raises or escapes abandons the
   wait there.
   - A wait that can watch a descriptor (nanosleep, the waitpid of one
     child through its pidfd, any other waitpid through the eventfd of a
     watcher thread (child-watch.c); the peek at a socket of fasl-read
     once a signal has interrupted it: fasl-port.c) polls the read end
     with its event: it sleeps without limit, and wakes at once for an
     async.
   - A wait that cannot (a semaphore, a futex; waitpid when no watcher
     thread can be started) is cut into bounded attempts: steps from
     1 ms, doubling, up to 64 ms, for as long as it waits, so an async
     runs at most 64 ms after it is queued.  After a signal or a
     wake-up, when a handler is known to be on its way, the steps start
     again from 0.1 ms.  The wait watches its event the whole time (a
     post wakes sem_clockwait at once).  A long wait wakes about
     16 times a second, for the cost of the kernel's timer wake-ups: about
     0.1% of a core on a quiet machine (bench/blocked-wait).
   If the pipe cannot be made (no descriptors left), every wait takes the
   bounded steps.  */

#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "vc.h"

/* The steps of a wait that cannot watch its wake pipe, in ns.  */
#define FIRST_STEP 1000000      /* a fresh wait */
#define WOKEN_STEP 100000       /* after a signal or a wake-up */
#define LAST_STEP 64000000      /* the longest */

/* ------------------------------------------------------------ wake pipes */

struct wake_pipe
{
  int fd[2];                    /* read end, write end */
  unsigned generation;          /* fork_generation when it was made */
};

static _Thread_local struct wake_pipe *wake;

/* Bumped in every forked child: a pipe made before the fork is shared
   with the parent, whose wake-ups the child must not take.  */
static _Atomic unsigned fork_generation;

static pthread_key_t wake_key;
static pthread_once_t wake_once = PTHREAD_ONCE_INIT;

static void
close_wake_pipe (void *data)
{
  struct wake_pipe *w = data;
  close (w->fd[0]);
  close (w->fd[1]);
  free (w);
}

static void
forked (void)
{
  fork_generation++;
}

static void
init_wake (void)
{
  pthread_key_create (&wake_key, close_wake_pipe);
  pthread_atfork (NULL, NULL, forked);
}

/* This thread's wake pipe, made if need be; NULL when it cannot be.  */
static struct wake_pipe *
wake_pipe (void)
{
  unsigned gen = fork_generation;
  if (wake && wake->generation == gen)
    return wake;
  pthread_once (&wake_once, init_wake);
  if (wake)
    {
      /* Made before a fork: the child's copy of the parent's pipe.  */
      pthread_setspecific (wake_key, NULL);
      close_wake_pipe (wake);
      wake = NULL;
    }
  struct wake_pipe *w = malloc (sizeof *w);
  if (!w)
    return NULL;
  if (pipe2 (w->fd, O_CLOEXEC | O_NONBLOCK) != 0)
    {
      free (w);
      return NULL;
    }
  w->generation = gen;
  if (pthread_setspecific (wake_key, w) != 0)
    {
      close_wake_pipe (w);
      return NULL;
    }
  return wake = w;
}

/* Empty the read end of W (it is non-blocking).  */
static void
drain (struct wake_pipe *w)
{
  char buf[64];
  while (read (w->fd[0], buf, sizeof buf) == (ssize_t) sizeof buf)
    ;
}

/* ------------------------------------------------------------------ waits */

struct attempt_call
{
  vc_wait_attempt attempt;
  void *data;
  int64_t step;
  int wake_fd;
  int result;
};

static void *
run_attempt (void *data)
{
  struct attempt_call *c = data;
  c->result = c->attempt (c->data, c->step, c->wake_fd);
  return NULL;
}

void
vc_wait (vc_wait_attempt attempt, void *data)
{
  struct attempt_call c = { attempt, data, FIRST_STEP, -1, 0 };
  for (;;)
    {
      struct wake_pipe *w = wake_pipe ();
      /* Registered, an async queued from now on writes to the pipe;
         1 means some are queued already.  With asyncs blocked, nothing
         is registered (and nothing would run): 0.  */
      if (w && scm_c_prepare_to_wait_on_fd (w->fd[1]))
        c.result = EINTR;
      else
        {
          c.wake_fd = w ? w->fd[0] : -1;
          scm_without_guile (run_attempt, &c);
          if (w)
            scm_c_wait_finished ();
        }
      if (c.result == 0)
        return;
      if (w)
        drain (w);
      if (c.result == EINTR)
        c.step = WOKEN_STEP;
      else
        c.step = c.step < LAST_STEP / 2 ? c.step * 2 : LAST_STEP;
      /* Run what is queued for this thread; a handler that raises or
         escapes leaves from here.  */
      scm_async_tick ();
    }
}

int
vc_wait_poll (int fd, short events, int wake_fd, int64_t step,
              int64_t limit)
{
  int64_t ns = limit;
  if (wake_fd < 0 && (ns < 0 || step < ns))
    ns = step;
  struct timespec t = { ns / 1000000000, ns % 1000000000 };
  struct pollfd p[2] = { { fd, events, 0 }, { wake_fd, POLLIN, 0 } };
  int n = ppoll (p, 2, ns < 0 ? NULL : &t, NULL);
  if (n < 0)
    return errno;               /* EINTR: a signal */
  if (n == 0)
    return ETIMEDOUT;
  if (p[1].revents)
    return EINTR;               /* an async was queued */
  return 0;
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
