/* alloc-floor.c -- how long Guile's collector takes just to allocate
   what fasl-decode returns for D2 and D6, with nothing decoded.
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later

   Usage: alloc-floor RUNS

   The decoder of src/fasl-read.c builds D6 (a list of 200,000 bignums
   2^70+i) as 200,000 pairs taken by the batch from GC_malloc_many and
   200,000 pointer-free 40-byte bignums from GC_malloc_atomic, and D2 (a
   vector of 200,000 strings "item-<i>") as one vector, 200,000 string
   cells by the batch and 200,000 stringbufs from GC_malloc_atomic.  This
   program makes objects of the same sizes and kinds through the same
   calls, with the same pattern as bench/fasl/guile.scm (a full
   collection before each run, the previous run's result kept alive), and
   prints the median time per run: the floor under any decoder built on
   libguile's collector.  The objects are not valid Scheme data; nothing
   but the collector ever sees them.  */

#include <libguile.h>
#include <gc/gc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N 200000

static double
now_ms (void)
{
  struct timespec t;
  clock_gettime (CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int
compare (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static void *
take (void **list, size_t bytes)
{
  void *p = *list;
  if (p == NULL)
    p = GC_malloc_many (bytes);
  if (p == NULL)
    abort ();
  *list = *(void **) p;
  return p;
}

/* A list of N pairs, each car a pointer-free 40-byte object.  */
static void *
d6 (void)
{
  void *pairs = NULL, *list = NULL;
  for (size_t i = 0; i < N; i++)
    {
      uintptr_t *big = GC_malloc_atomic (40);
      big[0] = 0x117;
      big[1] = (uintptr_t) 2 << 32;
      big[2] = (uintptr_t) (big + 3);
      big[3] = i;
      big[4] = 64;
      void **pair = take (&pairs, 16);
      pair[0] = big;
      pair[1] = list;
      list = pair;
    }
  return list;
}

/* A vector of N 4-word cells, each pointing to a pointer-free
   object holding "item-<i>" (28 bytes at most).  */
static void *
d2 (void)
{
  void *cells = NULL;
  void **vector = GC_malloc ((N + 1) * sizeof (void *));
  vector[0] = (void *) (((uintptr_t) N << 8) | 0x0d);
  for (size_t i = 0; i < N; i++)
    {
      char *buf = GC_malloc_atomic (28);
      memset (buf, 0, 28);
      memcpy (buf + 16, "item-", 5);
      size_t n = 5;
      char digits[8];
      size_t k = 0;
      for (size_t v = i; k == 0 || v > 0; v /= 10)
        digits[k++] = (char) ('0' + v % 10);
      while (k > 0)
        buf[16 + n++] = digits[--k];
      void **cell = take (&cells, 32);
      cell[0] = (void *) 0x15;
      cell[1] = buf;
      cell[2] = 0;
      cell[3] = (void *) n;
      vector[i + 1] = cell;
    }
  return vector;
}

static void
measure (const char *name, void *(*build) (void), int runs)
{
  double *t = malloc (runs * sizeof *t);
  /* On the stack, where the collector sees it.  */
  void *volatile keep = NULL;
  for (int r = 0; r < runs; r++)
    {
      scm_gc ();
      double t0 = now_ms ();
      void *result = build ();
      t[r] = now_ms () - t0;
      keep = result;
    }
  qsort (t, runs, sizeof *t, compare);
  printf ("FLOOR %s %.6f\n", name, t[runs / 2] / 1e3);
  fflush (stdout);
  free (t);
  (void) keep;
}

static void *
inner (void *data)
{
  int runs = *(int *) data;
  measure ("D2", d2, runs);
  measure ("D6", d6, runs);
  return NULL;
}

int
main (int argc, char **argv)
{
  int runs = argc > 1 ? atoi (argv[1]) : 5;
  if (runs < 1)
    runs = 1;
  scm_with_guile (inner, &runs);
  return 0;
}
