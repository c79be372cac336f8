/* child-watch.c -- sleep until a child may have changed state, or an
   async is queued: for the waitpid that no single pidfd can watch.
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later

   A pidfd (Linux 5.3) becomes readable when its one child exits; nothing
   becomes readable when any of several children exits, stops or
   continues.  So a watcher thread makes the blocking call for the
   waiting thread: waitid with WNOWAIT, on the same children (P_ALL,
   P_PGID or P_PID) and the same kinds of change as the waitpid (WEXITED,
   and WSTOPPED, WCONTINUED, __WALL, __WCLONE when asked).  The kernel
   wakes it at the very change that waitpid waits for, including a change
   of a child forked by another thread during the wait; WNOWAIT leaves
   the child waitable, so the waiting thread still reaps it itself, with
   WNOHANG, and nothing is lost when the wait is abandoned.  The watcher
   then writes to an eventfd, which the waiting thread polls with its wake
   pipe.  When the wake pipe comes first, the watcher is cancelled (waitid
   is a cancellation point) and joined.

   A thread was chosen over a pidfd per child (read from
   /proc/self/task/ * /children): a thread is exact for stops, continues,
   process groups and children forked meanwhile, which pidfds are not; it
   costs the same for 1 child or 10,000 (no descriptor per child, no
   /proc); and it is only started when the wait has to sleep.  The
   watcher blocks every signal, so signals keep going to Guile's
   threads.  */

#include <config.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vc.h"

struct watcher
{
  idtype_t idtype;
  id_t id;
  int options;
  int done;                     /* the eventfd */
};

static void *
watch (void *data)
{
  struct watcher *w = data;
  siginfo_t info;
  /* Every signal is blocked here: EINTR only from a stop/continue of
     this process under a tracer.  */
  while (waitid (w->idtype, w->id, &info, w->options) != 0 && errno == EINTR)
    ;
  /* Changed, or waitid failed (ECHILD: no child left): either way the
     waiting thread's waitpid must look again.  */
  uint64_t one = 1;
  ssize_t n = write (w->done, &one, sizeof one);
  (void) n;
  return NULL;
}

int
vc_watch_children (pid_t pid, int options, int wake_fd)
{
  if (wake_fd < 0)
    return ENOSYS;
#ifdef __WNOTHREAD
  /* Only the calling thread's own children: not the watcher's.  */
  if (options & __WNOTHREAD)
    return ENOSYS;
#endif
  struct watcher w;
  if (pid == -1)
    w.idtype = P_ALL, w.id = 0;
  else if (pid < -1)
    w.idtype = P_PGID, w.id = (id_t) -(int64_t) pid;
  else if (pid == 0)
    w.idtype = P_PGID, w.id = (id_t) getpgid (0);
  else
    w.idtype = P_PID, w.id = (id_t) pid;
  w.options = WEXITED | WNOWAIT | (options & (WSTOPPED | WCONTINUED));
#ifdef __WALL
  w.options |= options & (__WALL | __WCLONE);
#endif
  w.done = eventfd (0, EFD_CLOEXEC);
  if (w.done < 0)
    return errno;

  pthread_attr_t attr;
  pthread_t thread;
  sigset_t all, old;
  int err = pthread_attr_init (&attr);
  if (err == 0)
    {
      pthread_attr_setstacksize (&attr, PTHREAD_STACK_MIN + 16384);
      sigfillset (&all);
      pthread_sigmask (SIG_SETMASK, &all, &old);
      err = pthread_create (&thread, &attr, watch, &w);
      pthread_sigmask (SIG_SETMASK, &old, NULL);
      pthread_attr_destroy (&attr);
    }
  if (err != 0)
    {
      close (w.done);
      return err;
    }

  int r = vc_wait_poll (w.done, POLLIN, wake_fd, 1, -1);
  if (r != 0)
    pthread_cancel (thread);
  pthread_join (thread, NULL);
  close (w.done);
  /* 0: look again; EINTR: an async or a signal; another poll error:
     the caller takes a bounded step instead.  */
  return r;
}
