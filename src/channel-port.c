/* channel-port.c -- the thread behind channel-port.
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later

   See channel-port.h.  The thread's states: not signalled, it sleeps on
   the channel's data wake-up word (registered as a sleeper, so producers
   wake it) until vc_ch_value_ready says a value may be there, then writes
   the descriptor; signalled, it sleeps on its own word until a get of
   this process resets it.  Both sleeps end every recheck interval, so a
   stop request or a lost wake-up never leaves it asleep for long.  When a
   sleep times out and the channel has not moved while a record is still
   in progress or not yet freed, it signals anyway and asks for a
   recheck: an event-loop consumer then looks for records held by dead
   processes, as a blocking get would.  */

#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
#ifdef HAVE_SYS_EVENTFD_H
# include <sys/eventfd.h>
#endif

#include "channel-port.h"

#define WATCH_INTERVAL_NS 64000000ull

struct vc_ch_watcher
{
  struct vc_ch *ch;
  pthread_t thread;
  pid_t pid;
  int rfd, wfd;                 /* the same eventfd twice, or a pipe */
  _Atomic uint32_t signalled;   /* a word of this process to sleep on */
  struct vc_ch_waitq signalled_q;
  _Atomic int stop;
  _Atomic int recheck;
};

static void
signal_ready (struct vc_ch_watcher *w)
{
  atomic_store (&w->signalled, 1);
#ifdef HAVE_SYS_EVENTFD_H
  uint64_t one = 1;
  ssize_t n = write (w->wfd, &one, sizeof one);
#else
  char one = 1;
  ssize_t n = write (w->wfd, &one, 1);
#endif
  (void) n;                     /* EAGAIN: it is readable already */
}

/* Where the channel stands, to tell whether it moved.  */
struct snapshot
{
  uint64_t head, claim, tail;
};

static struct snapshot
snapshot_of (struct vc_ch *ch)
{
  struct vc_ch_shared *sh = ch->sh;
  return (struct snapshot) {
    atomic_load (&sh->head), atomic_load (&sh->claim), atomic_load (&sh->tail)
  };
}

static void *
watch (void *data)
{
  struct vc_ch_watcher *w = data;
  struct vc_ch *ch = w->ch;
  struct vc_ch_shared *sh = ch->sh;
  struct snapshot last = snapshot_of (ch);
  while (!atomic_load (&w->stop))
    {
      struct timespec until;
      vc_ch_deadline_after (&until, WATCH_INTERVAL_NS);
      if (atomic_load (&w->signalled))
        {
          vc_ch_sleep (&w->signalled, &w->signalled_q, 1, &until);
          continue;
        }
      if (vc_ch_value_ready (ch))
        {
          signal_ready (w);
          continue;
        }
      atomic_store (&sh->data_waiters, 1);
      atomic_thread_fence (memory_order_seq_cst);
      uint32_t seq = atomic_load (&sh->data_seq);
      if (vc_ch_value_ready (ch))
        {
          signal_ready (w);
          continue;
        }
      if (vc_ch_sleep (&sh->data_seq, &sh->data_q, seq, &until) == ETIMEDOUT)
        {
          struct snapshot now = snapshot_of (ch);
          if (now.head == last.head && now.claim == last.claim
              && now.tail == last.tail
              && (now.claim != now.tail || now.head != now.claim))
            {
              atomic_store (&w->recheck, 1);
              signal_ready (w);
            }
          last = now;
        }
    }
  return NULL;
}

int
vc_ch_watcher_start (struct vc_ch *ch, struct vc_ch_watcher **out)
{
  struct vc_ch_watcher *w = calloc (1, sizeof *w);
  if (!w)
    return ENOMEM;
  w->ch = ch;
  w->pid = getpid ();
  int qerr = vc_ch_waitq_init (&w->signalled_q, 0);
  if (qerr)
    {
      free (w);
      return qerr;
    }
#ifdef HAVE_SYS_EVENTFD_H
  w->rfd = w->wfd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (w->rfd < 0)
    {
      int err = errno;
      vc_ch_waitq_destroy (&w->signalled_q);
      free (w);
      return err;
    }
#else
  int fds[2];
  if (pipe (fds) != 0)
    {
      int err = errno;
      vc_ch_waitq_destroy (&w->signalled_q);
      free (w);
      return err;
    }
  for (int i = 0; i < 2; i++)
    {
      fcntl (fds[i], F_SETFD, FD_CLOEXEC);
      fcntl (fds[i], F_SETFL, O_NONBLOCK);
    }
  w->rfd = fds[0];
  w->wfd = fds[1];
#endif
  int err = pthread_create (&w->thread, NULL, watch, w);
  if (err)
    {
      close (w->rfd);
      if (w->wfd != w->rfd)
        close (w->wfd);
      vc_ch_waitq_destroy (&w->signalled_q);
      free (w);
      return err;
    }
  *out = w;
  return 0;
}

int
vc_ch_watcher_dup_fd (struct vc_ch_watcher *w)
{
  return fcntl (w->rfd, F_DUPFD_CLOEXEC, 0);
}

pid_t
vc_ch_watcher_pid (const struct vc_ch_watcher *w)
{
  return w->pid;
}

void
vc_ch_watcher_reset (struct vc_ch_watcher *w)
{
  uint32_t one = 1;
  if (!atomic_load (&w->signalled))
    return;
  /* Drain first, then clear: a signal sent after the drain sees the
     flag still set and writes nothing, so clear before the watcher can
     look again.  */
#ifdef HAVE_SYS_EVENTFD_H
  uint64_t count;
  ssize_t n = read (w->rfd, &count, sizeof count);
#else
  char buf[64];
  ssize_t n;
  while ((n = read (w->rfd, buf, sizeof buf)) > 0)
    ;
#endif
  (void) n;
  if (atomic_compare_exchange_strong (&w->signalled, &one, 0))
    vc_ch_wake_all (&w->signalled, &w->signalled_q);
}

int
vc_ch_watcher_take_recheck (struct vc_ch_watcher *w)
{
  return atomic_load (&w->recheck) && atomic_exchange (&w->recheck, 0);
}

void
vc_ch_watcher_stop (struct vc_ch_watcher *w)
{
  if (w->pid == getpid ())
    {
      atomic_store (&w->stop, 1);
      atomic_fetch_add (&w->signalled, 0);
      vc_ch_wake_all (&w->signalled, &w->signalled_q);
      atomic_fetch_add (&w->ch->sh->data_seq, 1);
      vc_ch_wake_all (&w->ch->sh->data_seq, &w->ch->sh->data_q);
      pthread_join (w->thread, NULL);
    }
  close (w->rfd);
  if (w->wfd != w->rfd)
    close (w->wfd);
  vc_ch_waitq_destroy (&w->signalled_q);
  free (w);
}
