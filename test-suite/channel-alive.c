/* channel-alive.c -- who a channel takes for dead (vc_ch_alive).
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later

   A process taken for dead while it lives loses its locks, reservations
   and claims to others: a value may then be delivered twice.  One taken
   for alive while dead only makes the others wait, until it is seen dead.
   Each case runs a child in a chosen state and asks vc_ch_alive about it
   from here:
   - stopped (SIGSTOP): alive; killed and not yet reaped (a zombie): dead;
   - its main thread ended (pthread_exit) while another thread runs: the
     kernel shows such a process as a zombie, yet it lives;
   - and once that last thread has ended too: dead.
   Where this process waits for the child to reach a state, it watches
   /proc (bounded, never for ordering).

   Run by make check (test-suite/c-cases.h).  */

#include <config.h>

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "channel-map.h"
#include "c-cases.h"

/* The identity the child writes for the parent.  */
static _Atomic uint64_t *shared_id;

/* The state letter of process PID, from /proc, or 0.  */
static char
state_of (pid_t pid)
{
  char path[64], buf[512];
  snprintf (path, sizeof path, "/proc/%ld/stat", (long) pid);
  FILE *f = fopen (path, "r");
  if (!f)
    return 0;
  size_t n = fread (buf, 1, sizeof buf - 1, f);
  fclose (f);
  buf[n] = '\0';
  char *p = strrchr (buf, ')');
  return p && p[1] == ' ' ? p[2] : 0;
}

/* Until PRED (PID) holds, for 10 seconds at most.  */
static int
watch (int (*pred) (pid_t), pid_t pid)
{
  struct timespec start, now;
  clock_gettime (CLOCK_MONOTONIC, &start);
  for (;;)
    {
      if (pred (pid))
        return 1;
      clock_gettime (CLOCK_MONOTONIC, &now);
      if (now.tv_sec - start.tv_sec > 10)
        return 0;
      sched_yield ();
    }
}

static int
stopped (pid_t pid)
{
  return state_of (pid) == 'T';
}

static int
zombie (pid_t pid)
{
  return state_of (pid) == 'Z';
}

static int
dead_to_channels (pid_t pid)
{
  (void) pid;
  return !vc_ch_alive (atomic_load (shared_id));
}

static int
id_known (pid_t pid)
{
  (void) pid;
  return atomic_load (shared_id) != 0;
}

/* A child that says who it is, then waits to be killed.  */
static pid_t
start_child (void)
{
  atomic_store (shared_id, 0);
  pid_t pid = fork ();
  if (pid == 0)
    {
      atomic_store (shared_id, vc_ch_self ());
      for (;;)
        pause ();
    }
  return pid;
}

static int
stopped_is_alive_killed_is_dead (void)
{
  pid_t pid = start_child ();
  if (pid < 0 || !watch (id_known, pid))
    return 0;
  uint64_t id = atomic_load (shared_id);
  kill (pid, SIGSTOP);
  int ok = watch (stopped, pid) && vc_ch_alive (id);
  kill (pid, SIGKILL);
  ok = ok && watch (zombie, pid) && !vc_ch_alive (id);
  waitpid (pid, NULL, 0);
  return ok && !vc_ch_alive (id);
}

static int release_fd;

static void *
last_thread (void *arg)
{
  (void) arg;
  char c;
  ssize_t n = read (release_fd, &c, 1);   /* until the parent closes it */
  (void) n;
  return NULL;
}

static int
main_thread_ended (void)
{
  int fds[2];
  if (pipe (fds) != 0)
    return 0;
  atomic_store (shared_id, 0);
  pid_t pid = fork ();
  if (pid == 0)
    {
      close (fds[1]);
      release_fd = fds[0];
      pthread_t t;
      if (pthread_create (&t, NULL, last_thread, NULL) != 0)
        _exit (1);
      atomic_store (shared_id, vc_ch_self ());
      pthread_exit (NULL);
    }
  close (fds[0]);
  int ok = pid > 0 && watch (id_known, pid) && watch (zombie, pid)
    && vc_ch_alive (atomic_load (shared_id));
  close (fds[1]);               /* the last thread ends */
  ok = ok && watch (dead_to_channels, pid);
  if (pid > 0)
    waitpid (pid, NULL, 0);
  return ok;
}

int
main (void)
{
  static const struct c_case cases[] = {
    { "a stopped process is alive, a killed one dead",
      stopped_is_alive_killed_is_dead },
    { "a process whose main thread ended lives while another thread runs, "
      "and is dead after it",
      main_thread_ended },
  };
  shared_id = mmap (NULL, sizeof *shared_id, PROT_READ | PROT_WRITE,
                    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared_id == MAP_FAILED)
    return perror ("mmap"), 1;
  return run_cases ("channel-alive", cases, sizeof cases / sizeof *cases);
}
