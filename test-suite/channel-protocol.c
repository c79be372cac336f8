/* channel-protocol.c -- the channel protocol under SIGKILL, without Guile.
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later

   Producers and consumers are forked C processes that use
   src/channel-ring.c directly; the parent kills one of them at random
   every few milliseconds (the delay only spreads the kills over the
   protocol: nothing waits on it) and starts another in its place.  Each
   value is a sequence of bytes computed from (producer, number), so a
   consumer checks every byte.  The books are exact: a consumer writes in
   shared memory the value it holds from just before it frees its record
   (vc_ch_release: the value is then delivered) until it has counted it,
   so the parent knows which value, if any, each killed consumer carried
   away.
   Then:
   - every value received is whole and is one that was sent;
   - no value is received twice;
   - every value whose put returned is received, or was carried away by
     a killed consumer;
   - the survivors finish: the producers, then the consumers, which stop
     at the end of the closed channel.
   One configuration also closes the channel in the middle of the kills.

   Run by make check (a line per configuration in VC_TEST_TRS, as the
   SRFI-64 files do); "make check-long" runs it with 10 times the kills.
   Usage: channel-protocol [KILL-FACTOR]  */

#include <config.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "channel-map.h"

#define MAX_PRODUCERS 8192
#define PER_PRODUCER 2000
#define MAX_CHILDREN 16

struct books
{
  _Atomic uint64_t done[MAX_PRODUCERS];         /* puts returned */
  _Atomic uint8_t got[MAX_PRODUCERS][PER_PRODUCER];
  _Atomic uint64_t holding[MAX_CHILDREN];       /* value + 1, or 0 */
};

static struct books *books;
static struct vc_ch ch;
static uint64_t max_len;

static uint64_t
mix (uint64_t x)
{
  x ^= x >> 33;
  x *= UINT64_C (0xff51afd7ed558ccd);
  x ^= x >> 33;
  x *= UINT64_C (0xc4ceb9fe1a85ec53);
  return x ^ (x >> 33);
}

static uint64_t
length_of (uint64_t p, uint64_t s)
{
  return 16 + mix (p * 1000003 + s) % (max_len - 16);
}

static uint8_t
byte_of (uint64_t p, uint64_t s, uint64_t i)
{
  return (uint8_t) mix (p * 31 + s * 7 + i);
}

static void
producer (uint64_t p)
{
  for (uint64_t s = 0; s < PER_PRODUCER; s++)
    {
      uint64_t len = length_of (p, s);
      struct vc_ch_slot slot;
      enum vc_ch_status st = vc_ch_reserve (&ch, len, NULL, &slot);
      if (st == VC_CH_CLOSED)
        _exit (0);
      if (st != VC_CH_OK)
        _exit (10 + st);
      memcpy (slot.payload, &p, 8);
      memcpy (slot.payload + 8, &s, 8);
      for (uint64_t i = 16; i < len; i++)
        slot.payload[i] = byte_of (p, s, i);
      if (vc_ch_commit (&ch, &slot, len) != VC_CH_OK)
        _exit (3);
      atomic_store (&books->done[p], s + 1);
    }
  _exit (0);
}

static void
consumer (int me)
{
  for (;;)
    {
      struct vc_ch_slot slot;
      enum vc_ch_status st = vc_ch_claim (&ch, NULL, &slot);
      if (st == VC_CH_EOF)
        _exit (0);
      if (st != VC_CH_OK)
        {
          fprintf (stderr, "claim: %d (%s)\n", st,
                   st == VC_CH_CORRUPT ? vc_ch_corruption.what : "");
          _exit (20 + st);
        }
      uint64_t p, s;
      if (slot.len < 16)
        _exit (4);
      memcpy (&p, slot.payload, 8);
      memcpy (&s, slot.payload + 8, 8);
      if (p >= MAX_PRODUCERS || s >= PER_PRODUCER
          || slot.len != length_of (p, s))
        _exit (5);
      for (uint64_t i = 16; i < slot.len; i++)
        if (slot.payload[i] != byte_of (p, s, i))
          _exit (6);                            /* torn */
      atomic_store (&books->holding[me], p * PER_PRODUCER + s + 1);
      vc_ch_release (&ch, &slot);
      if (atomic_fetch_add (&books->got[p][s], 1) != 0)
        _exit (7);                              /* twice */
      atomic_store (&books->holding[me], 0);
    }
}

struct child
{
  pid_t pid;
  int consumer;
};

static int
run (int producers, int consumers, uint64_t capacity, uint64_t longest,
     int kills, int close_at, FILE *trs, const char *name)
{
  struct vc_ch_mapping map;
  memset (&ch, 0, sizeof ch);
  if (vc_ch_create (NULL, 0600, vc_ch_round_capacity (capacity), &ch, &map))
    return perror ("create"), 1;
  ch.wait = vc_ch_plain_wait;
  ch.spin_ns = 5000;
  max_len = longest;
  memset (books, 0, sizeof *books);

  struct child kids[MAX_CHILDREN];
  int n = 0;
  uint64_t next = 0;
  static uint64_t carried[100000];
  int ncarried = 0, ckills = 0, pkills = 0, failed = 0;
  for (int i = 0; i < consumers + producers; i++)
    {
      kids[n].consumer = i < consumers;
      uint64_t p = next;
      if (!kids[n].consumer)
        next++;
      pid_t pid = fork ();
      if (pid == 0)
        {
          if (i < consumers)
            consumer (n);
          producer (p);
        }
      kids[n++].pid = pid;
    }
  for (int k = 0; k < kills && next < MAX_PRODUCERS; k++)
    {
      struct timespec d = { 0, (rand () % 2000) * 1000L };
      nanosleep (&d, NULL);
      if (k == close_at)
        vc_ch_close (&ch);
      int i = rand () % n;
      kill (kids[i].pid, SIGKILL);
      int status;
      waitpid (kids[i].pid, &status, 0);
      int killed = WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL;
      if (!killed && !(WIFEXITED (status) && WEXITSTATUS (status) == 0))
        {
          fprintf (stderr, "%s: child ended with status %#x\n", name, status);
          failed = 1;
        }
      if (kids[i].consumer)
        {
          ckills += killed;
          uint64_t v = atomic_exchange (&books->holding[i], 0);
          if (v && ncarried < 100000)
            carried[ncarried++] = v - 1;
        }
      else
        pkills += killed;
      uint64_t p = next;
      if (!kids[i].consumer)
        next++;
      pid_t pid = fork ();
      if (pid == 0)
        {
          if (kids[i].consumer)
            consumer (i);
          producer (p);
        }
      kids[i].pid = pid;
    }
  for (int pass = 0; pass < 2; pass++)
    {
      if (pass == 1)
        vc_ch_close (&ch);
      for (int i = 0; i < n; i++)
        if (kids[i].consumer == pass)
          {
            int status;
            waitpid (kids[i].pid, &status, 0);
            if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
              {
                fprintf (stderr, "%s: survivor ended with status %#x\n",
                         name, status);
                failed = 1;
              }
          }
    }
  uint64_t put = 0, missing = 0;
  for (uint64_t p = 0; p < next; p++)
    {
      uint64_t d = atomic_load (&books->done[p]);
      put += d;
      for (uint64_t s = 0; s < d; s++)
        if (atomic_load (&books->got[p][s]) == 0)
          {
            int carried_away = 0;
            for (int j = 0; j < ncarried; j++)
              carried_away |= carried[j] == p * PER_PRODUCER + s;
            if (!carried_away)
              {
                fprintf (stderr, "%s: lost %lu/%lu\n", name,
                         (unsigned long) p, (unsigned long) s);
                failed = 1;
              }
            missing++;
          }
    }
  vc_ch_unmap (&map);
  printf ("%s: %d kills (%d producers, %d consumers), %lu puts returned, "
          "%lu carried away by killed consumers: %s\n", name, ckills + pkills,
          pkills, ckills, (unsigned long) put, (unsigned long) missing,
          failed ? "FAIL" : "ok");
  if (trs)
    fprintf (trs, ":test-result: %s channel-protocol (%s): %s\n",
             failed ? "FAIL" : "PASS", vc_ch_wait_name, name);
  return failed;
}

/* A channel made by a build that sleeps another way is refused: its
   processes would never wake each other.  */
static int
other_wait_kind (FILE *trs)
{
  struct vc_ch c;
  struct vc_ch_mapping map;
  memset (&c, 0, sizeof c);
  if (vc_ch_create (NULL, 0600, 4096, &c, &map))
    return perror ("create"), 1;
  uint64_t capacity, size = VC_CH_HEADER_MIN + c.capacity;
  int ok = vc_ch_check_shared (c.sh, size, &capacity) == VC_CH_OK;
  c.sh->wait_kind = (vc_ch_wait_kind + 1) % 3;
  ok = ok && vc_ch_check_shared (c.sh, size, &capacity) == VC_CH_CORRUPT
    && strstr (vc_ch_corruption.what, "sleeps another way");
  vc_ch_unmap (&map);
  printf ("a channel of another wait kind is refused: %s\n",
          ok ? "ok" : "FAIL");
  if (trs)
    fprintf (trs, ":test-result: %s channel-protocol (%s): a channel made "
             "by a build that sleeps another way is refused\n",
             ok ? "PASS" : "FAIL", vc_ch_wait_name);
  return !ok;
}

int
main (int argc, char **argv)
{
  int factor = argc > 1 ? atoi (argv[1]) : 1;
  const char *trs_name = getenv ("VC_TEST_TRS");
  FILE *trs = trs_name ? fopen (trs_name, "a") : NULL;
  if (trs)
    setvbuf (trs, NULL, _IOLBF, 0);
  books = mmap (NULL, sizeof *books, PROT_READ | PROT_WRITE,
                MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (books == MAP_FAILED)
    return perror ("mmap"), 1;
  srand ((unsigned) time (NULL) ^ (unsigned) getpid ());
  int failed = other_wait_kind (trs);
  failed |= run (2, 2, 16384, 3000, 100 * factor, -1, trs,
                 "2 to 2, values up to 3000 bytes");
  failed |= run (4, 4, 8192, 4000, 100 * factor, -1, trs,
                 "4 to 4, values up to half the capacity");
  failed |= run (1, 3, 4096, 2000, 100 * factor, -1, trs,
                 "1 to 3, a one-page ring");
  failed |= run (3, 1, 65536, 30000, 100 * factor, -1, trs,
                 "3 to 1, large values");
  failed |= run (3, 3, 8192, 3000, 100 * factor, 50 * factor, trs,
                 "3 to 3, closed during the kills");
  return failed;
}
