/* floor.c -- the C floors of the channel benchmark (bench/channel/run).
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later

   Round trips between two processes, COUNT per run, RUNS runs, every
   round trip timed; prints "NAME MEDIAN-US P99-US" per line:
     c-word-spin    one word in shared memory, both sides spinning: the
                    floor of any shared-memory round trip
     c-word-futex   the same, sleeping on a futex after each send: the
                    floor of a round trip that blocks
     c-ring-spin    the channel protocol itself (src/channel-ring.c, no
                    Guile, no FASL), 100-byte records, spinning up to 1 ms
     c-ring-block   the same, never spinning
   and then one-way streams, "NAME WHAT VALUES-PER-SECOND CONSUMER-US
   PRODUCER-US" (processor microseconds per value of each side) or
   "NAME GB/S CONSUMER-US PRODUCER-US":
     c-ring-stream-small   100-byte records, 1 producer to 1 consumer
     c-ring-stream-mib     1 MiB records copied in and out, 1 to 1
   Usage: floor RUNS COUNT  */

#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "channel-map.h"

static uint64_t
now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

static uint64_t
cpu_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

static int
compare (const void *a, const void *b)
{
  uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
  return x < y ? -1 : x > y;
}

static void
report (const char *name, uint64_t *t, size_t n)
{
  qsort (t, n, sizeof *t, compare);
  printf ("%s %.2f %.2f\n", name, t[n / 2] / 1000.0, t[n * 99 / 100] / 1000.0);
  fflush (stdout);
}

/* ------------------------------------------------------- one shared word */

static void
word_pingpong (const char *name, int futex, int runs, int count)
{
  uint64_t *t = malloc (sizeof *t * (size_t) runs * count);
  size_t n = 0;
  for (int r = 0; r < runs; r++)
    {
      _Atomic uint32_t *w = mmap (NULL, 4096, PROT_READ | PROT_WRITE,
                                  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
      struct vc_ch_waitq *q = (struct vc_ch_waitq *) ((char *) w + 64);
      vc_ch_waitq_init (q, 1);
      pid_t pid = fork ();
      if (pid == 0)
        {
          for (uint32_t i = 1; i <= (uint32_t) count; i++)
            {
              uint32_t v;
              while ((v = atomic_load (w)) != 2 * i - 1)
                if (futex)
                  vc_ch_sleep (w, q, v, NULL);
              atomic_store (w, 2 * i);
              if (futex)
                vc_ch_wake_all (w, q);
            }
          _exit (0);
        }
      for (uint32_t i = 1; i <= (uint32_t) count; i++)
        {
          uint64_t t0 = now_ns ();
          atomic_store (w, 2 * i - 1);
          if (futex)
            vc_ch_wake_all (w, q);
          uint32_t v;
          while ((v = atomic_load (w)) != 2 * i)
            if (futex)
              vc_ch_sleep (w, q, v, NULL);
          t[n++] = now_ns () - t0;
        }
      waitpid (pid, NULL, 0);
      munmap ((void *) w, 4096);
    }
  report (name, t, n);
  free (t);
}

/* ------------------------------------------------------ the channel ring */

static void
make_ring (struct vc_ch *ch, struct vc_ch_mapping *m, uint64_t capacity,
           uint64_t spin_ns)
{
  memset (ch, 0, sizeof *ch);
  if (vc_ch_create (NULL, 0600, capacity, ch, m))
    {
      perror ("vc_ch_create");
      exit (1);
    }
  ch->wait = vc_ch_plain_wait;
  ch->spin_ns = spin_ns;
}

static void
send (struct vc_ch *ch, const uint8_t *bytes, uint64_t len)
{
  struct vc_ch_slot s;
  if (vc_ch_reserve (ch, len, NULL, &s) != VC_CH_OK)
    exit (2);
  memcpy (s.payload, bytes, len);
  vc_ch_commit (ch, &s, len);
}

static uint64_t
receive (struct vc_ch *ch, uint8_t *bytes)
{
  struct vc_ch_slot s;
  if (vc_ch_claim (ch, NULL, &s) != VC_CH_OK)
    exit (3);
  memcpy (bytes, s.payload, s.len);
  uint64_t len = s.len;
  vc_ch_release (ch, &s);
  return len;
}

static void
ring_pingpong (const char *name, uint64_t spin_ns, int runs, int count)
{
  uint64_t *t = malloc (sizeof *t * (size_t) runs * count);
  size_t n = 0;
  uint8_t msg[100] = { 1 }, got[100];
  for (int r = 0; r < runs; r++)
    {
      struct vc_ch down, up;
      struct vc_ch_mapping md, mu;
      make_ring (&down, &md, 65536, spin_ns);
      make_ring (&up, &mu, 65536, spin_ns);
      pid_t pid = fork ();
      if (pid == 0)
        {
          for (int i = 0; i < count; i++)
            send (&up, got, receive (&down, got));
          _exit (0);
        }
      for (int i = 0; i < count; i++)
        {
          uint64_t t0 = now_ns ();
          send (&down, msg, sizeof msg);
          receive (&up, got);
          t[n++] = now_ns () - t0;
        }
      waitpid (pid, NULL, 0);
      vc_ch_unmap (&md);
      vc_ch_unmap (&mu);
    }
  report (name, t, n);
  free (t);
}

/* Values per second of COUNT records of LEN bytes, 1 to 1, and the
   processor ns per value of the consumer (*CONSUMER) and the producer
   (*PRODUCER).  */
static double
ring_stream (uint64_t len, uint64_t capacity, int count, double *consumer,
             double *producer)
{
  struct vc_ch ch;
  struct vc_ch_mapping m;
  make_ring (&ch, &m, capacity, 20000);
  uint8_t *buf = calloc (1, len);
  _Atomic uint64_t *report = mmap (NULL, 4096, PROT_READ | PROT_WRITE,
                                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  pid_t pid = fork ();
  if (pid == 0)
    {
      uint64_t c0 = cpu_ns ();
      for (int i = 0; i < count; i++)
        send (&ch, buf, len);
      atomic_store (report, cpu_ns () - c0);
      _exit (0);
    }
  receive (&ch, buf);
  uint64_t t0 = now_ns (), c0 = cpu_ns ();
  for (int i = 1; i < count; i++)
    receive (&ch, buf);
  double seconds = (now_ns () - t0) / 1e9;
  *consumer = (double) (cpu_ns () - c0) / (count - 1);
  waitpid (pid, NULL, 0);
  *producer = (double) atomic_load (report) / count;
  munmap ((void *) report, 4096);
  vc_ch_unmap (&m);
  free (buf);
  return (count - 1) / seconds;
}

static double
median_of (double *x, int n)
{
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && x[j - 1] > x[j]; j--)
      {
        double tmp = x[j];
        x[j] = x[j - 1];
        x[j - 1] = tmp;
      }
  return x[n / 2];
}

int
main (int argc, char **argv)
{
  int runs = argc > 1 ? atoi (argv[1]) : 3;
  int count = argc > 2 ? atoi (argv[2]) : 10000;
  if (runs < 1 || runs > 1000 || count < 2)
    return 1;
  word_pingpong ("c-word-spin", 0, runs, count);
  word_pingpong ("c-word-futex", 1, runs, count);
  ring_pingpong ("c-ring-spin", 1000000, runs, count);
  ring_pingpong ("c-ring-block", 0, runs, count);
  double x[1000], c[1000], p[1000];
  for (int r = 0; r < runs; r++)
    x[r] = ring_stream (100, 1 << 20, count * 10, &c[r], &p[r]);
  printf ("c-ring-stream-small bytes100 %.0f %.3f %.3f\n", median_of (x, runs),
          median_of (c, runs) / 1000, median_of (p, runs) / 1000);
  for (int r = 0; r < runs; r++)
    x[r] = ring_stream (1 << 20, 8 << 20, 200, &c[r], &p[r]) * (1 << 20)
      / 1e9;
  printf ("c-ring-stream-mib %.2f %.1f %.1f\n", median_of (x, runs),
          median_of (c, runs) / 1000, median_of (p, runs) / 1000);
  return 0;
}
