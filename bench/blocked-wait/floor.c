/* floor.c -- the CPU time of a semaphore wait of SECS seconds, in C:
   with argument "steps", in vc_wait's steps (1 ms doubling to 64 ms,
   each a sem_clockwait that times out); with "bare", one sem_timedwait.
   Prints "<cpu seconds of the process> <wall seconds>".
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later  */

#define _GNU_SOURCE
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double
seconds (clockid_t id)
{
  struct timespec t;
  clock_gettime (id, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static struct timespec
after (clockid_t id, long long ns)
{
  struct timespec t;
  clock_gettime (id, &t);
  long long total = t.tv_nsec + ns;
  t.tv_sec += total / 1000000000;
  t.tv_nsec = total % 1000000000;
  return t;
}

int
main (int argc, char **argv)
{
  if (argc != 3)
    return 2;
  double secs = atof (argv[2]);
  sem_t sem;
  sem_init (&sem, 0, 0);
  double cpu0 = seconds (CLOCK_PROCESS_CPUTIME_ID);
  double wall0 = seconds (CLOCK_MONOTONIC);
  if (strcmp (argv[1], "bare") == 0)
    {
      struct timespec end = after (CLOCK_REALTIME, (long long) (secs * 1e9));
      sem_timedwait (&sem, &end);
    }
  else
    {
      long long step = 1000000;
      while (seconds (CLOCK_MONOTONIC) - wall0 < secs)
        {
          struct timespec limit = after (CLOCK_MONOTONIC, step);
          sem_clockwait (&sem, CLOCK_MONOTONIC, &limit);
          step = step < 32000000 ? step * 2 : 64000000;
        }
    }
  printf ("%f %f\n", seconds (CLOCK_PROCESS_CPUTIME_ID) - cpu0,
          seconds (CLOCK_MONOTONIC) - wall0);
  return 0;
}
