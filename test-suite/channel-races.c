/* channel-races.c -- the channel protocol at chosen instants, without
   Guile and without other processes.
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later

   The kill tests (channel-protocol.c, channel-kill.scm) kill processes
   at random instants, and a narrow window may never be hit.  Here
   src/channel-ring.c (and channel-wait.c, whose wake-ups find no sleeper
   here) is linked with this file's own process identity, liveness and
   clock instead of channel-map.c's: one process plays every
   process of a channel, switching identity, and a process dies or acts
   exactly when another one looks at its life (vc_ch_alive).  Each case
   sets a state that a real run reaches only rarely, and checks what the
   protocol does with it.

   Run by make check (test-suite/c-cases.h).  */

#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel-ring.h"
#include "c-cases.h"

/* ------------------------------------------------ identity, life and time */

#define ID(n) (((uint64_t) (n) << 42) | (uint64_t) (n))

static uint64_t self_id = ID (1);
static int dead[8];             /* by process number */
static void (*on_alive) (uint64_t id);  /* runs inside the next look */
static uint64_t clock_ns = 1000000000u;

uint64_t
vc_ch_self (void)
{
  return self_id;
}

int
vc_ch_alive (uint64_t id)
{
  if (on_alive)
    {
      void (*f) (uint64_t) = on_alive;
      on_alive = NULL;
      f (id);
    }
  uint64_t n = id >> 42;
  return n < 8 && !dead[n];
}

/* Each reading of the clock moves it on a microsecond, so that spins end. */
void
vc_ch_now (struct timespec *ts)
{
  clock_ns += 1000;
  ts->tv_sec = (time_t) (clock_ns / 1000000000u);
  ts->tv_nsec = (long) (clock_ns % 1000000000u);
}

void
vc_ch_deadline_after (struct timespec *ts, uint64_t ns)
{
  vc_ch_now (ts);
  uint64_t t = (uint64_t) ts->tv_sec * 1000000000u + (uint64_t) ts->tv_nsec
    + ns;
  ts->tv_sec = (time_t) (t / 1000000000u);
  ts->tv_nsec = (long) (t % 1000000000u);
}

int
vc_ch_before (const struct timespec *a, const struct timespec *b)
{
  return a->tv_sec < b->tv_sec
    || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* Nobody else runs: a sleep only lets the time pass.  */
static int
no_wait (void *arg, _Atomic uint32_t *word, struct vc_ch_waitq *q,
         uint32_t expected, const struct timespec *deadline, int may_escape)
{
  (void) arg, (void) word, (void) q, (void) expected, (void) may_escape;
  uint64_t until = (uint64_t) deadline->tv_sec * 1000000000u
    + (uint64_t) deadline->tv_nsec;
  if (until > clock_ns)
    clock_ns = until;
  return ETIMEDOUT;
}

/* ----------------------------------------------------------- the channel */

#define CAPACITY 4096u

static union
{
  struct vc_ch_shared sh;
  uint8_t bytes[VC_CH_HEADER_MIN];
} header;
static uint8_t ring[CAPACITY];
static struct vc_ch ch;

static void
fresh_channel (void)
{
  memset (&header, 0, sizeof header);
  memset (ring, 0, sizeof ring);
  vc_ch_init_shared (&header.sh, VC_CH_HEADER_MIN, CAPACITY, 0, 1);
  ch = (struct vc_ch) { .sh = &header.sh, .data = ring, .capacity = CAPACITY,
                        .wait = no_wait, .spin_ns = 0 };
  memset (dead, 0, sizeof dead);
  on_alive = NULL;
}

/* Put the byte V as process P.  */
static void
put_as (int p, uint8_t v)
{
  self_id = ID (p);
  struct vc_ch_slot s;
  if (vc_ch_try_reserve (&ch, 1, &s) != VC_CH_OK)
    abort ();
  s.payload[0] = v;
  if (vc_ch_commit (&ch, &s, 1) != VC_CH_OK)
    abort ();
}

/* ------------------------------------------------------------- the cases */

static struct vc_ch_slot first_claim;

/* A fresh channel with one value, V, which consumer 2 has claimed (and
   not freed).  Non-zero when set.  */
static int
claimed_by_2 (uint8_t v)
{
  fresh_channel ();
  put_as (1, v);
  self_id = ID (2);
  return vc_ch_try_claim (&ch, &first_claim) == VC_CH_OK;
}

/* A fresh channel where producer 2 has reserved a record (and not
   committed it).  Non-zero when set.  */
static int
reserved_by_2 (void)
{
  fresh_channel ();
  self_id = ID (2);
  struct vc_ch_slot r;
  return vc_ch_try_reserve (&ch, 1, &r) == VC_CH_OK;
}

/* Process 2 takes its value whole, and ends.  */
static void
release_and_die (uint64_t id)
{
  if (id == ID (2))
    {
      uint64_t me = self_id;
      self_id = ID (2);
      vc_ch_release (&ch, &first_claim);
      self_id = me;
      dead[2] = 1;
    }
}

/* A consumer that looks behind the claim point for the records of dead
   consumers reads a record's state, then asks whether its owner lives.
   The owner may free the record and end in between: the record is then
   FREE, its value delivered, and must not be taken over.  */
static int
released_between_state_and_life (void)
{
  if (!claimed_by_2 (42))
    return 0;
  self_id = ID (3);
  on_alive = release_and_die;
  struct vc_ch_slot s;
  enum vc_ch_status st = vc_ch_try_claim_recheck (&ch, &s);
  return st == VC_CH_EMPTY && dead[2];
}

/* The same with the owner dead before the look: its value is taken over
   and delivered, once.  */
static int
dead_consumer_taken_over (void)
{
  if (!claimed_by_2 (42))
    return 0;
  dead[2] = 1;
  self_id = ID (3);
  struct vc_ch_slot s;
  if (vc_ch_try_claim_recheck (&ch, &s) != VC_CH_OK || s.payload[0] != 42)
    return 0;
  vc_ch_release (&ch, &s);
  return vc_ch_try_claim_recheck (&ch, &s) == VC_CH_EMPTY;
}

/* A try-get only ever polls: behind a reservation whose producer died,
   it must still reach the values put after it.  */
static int
try_get_passes_dead_reservation (void)
{
  if (!reserved_by_2 ())
    return 0;
  put_as (1, 7);
  dead[2] = 1;
  self_id = ID (3);
  struct vc_ch_slot s;
  for (int i = 0; i < 100; i++)
    {
      enum vc_ch_status st = vc_ch_try_claim (&ch, &s);
      if (st == VC_CH_OK)
        return s.payload[0] == 7;
      clock_ns += 100000;       /* a tenth of a millisecond between polls */
    }
  return 0;
}

/* A try-get behind the consumers' lock of a dead process.  */
static int
try_get_takes_dead_lock (void)
{
  fresh_channel ();
  put_as (1, 9);
  atomic_store (&header.sh.clock, ID (4));
  dead[4] = 1;
  self_id = ID (3);
  struct vc_ch_slot s;
  for (int i = 0; i < 100; i++)
    {
      if (vc_ch_try_claim (&ch, &s) == VC_CH_OK)
        return s.payload[0] == 9;
      clock_ns += 100000;
    }
  return 0;
}

/* A try-put behind the producers' lock of a dead process.  */
static int
try_put_takes_dead_lock (void)
{
  fresh_channel ();
  atomic_store (&header.sh.plock, ID (4));
  dead[4] = 1;
  self_id = ID (1);
  struct vc_ch_slot s;
  for (int i = 0; i < 100; i++)
    {
      if (vc_ch_try_reserve (&ch, 1, &s) == VC_CH_OK)
        return 1;
      clock_ns += 100000;
    }
  return 0;
}

/* A closed channel whose last value a dead consumer held: a try-get
   delivers it, then reports the end.  */
static int
try_get_ends_after_dead_consumer (void)
{
  if (!claimed_by_2 (5))
    return 0;
  dead[2] = 1;
  vc_ch_close (&ch);
  self_id = ID (3);
  struct vc_ch_slot s;
  int got = 0;
  for (int i = 0; i < 100; i++)
    {
      enum vc_ch_status st = vc_ch_try_claim (&ch, &s);
      if (st == VC_CH_OK)
        {
          got += s.payload[0] == 5;
          vc_ch_release (&ch, &s);
        }
      else if (st == VC_CH_EOF)
        return got == 1;
      clock_ns += 100000;
    }
  return 0;
}

/* The try forms look for the dead at most once a millisecond.  */
static int alive_calls;

static void
count_alive (uint64_t id)
{
  (void) id;
  alive_calls++;
  on_alive = count_alive;
}

static int
try_rechecks_are_rare (void)
{
  if (!reserved_by_2 ())
    return 0;
  self_id = ID (3);
  alive_calls = 0;
  on_alive = count_alive;
  struct vc_ch_slot s;
  uint64_t start = clock_ns;
  for (int i = 0; i < 1000; i++)
    if (vc_ch_try_claim (&ch, &s) != VC_CH_EMPTY)
      return 0;
  on_alive = NULL;
  uint64_t ms = (clock_ns - start) / 1000000u + 1;
  return alive_calls >= 1 && (uint64_t) alive_calls <= ms;
}

int
main (void)
{
  static const struct c_case cases[] = {
    { "a consumer that freed its record and ended is not taken over",
      released_between_state_and_life },
    { "a dead consumer's record is taken over and delivered once",
      dead_consumer_taken_over },
    { "try-get passes a dead producer's reservation",
      try_get_passes_dead_reservation },
    { "try-get takes the consumers' lock from a dead holder",
      try_get_takes_dead_lock },
    { "try-put takes the producers' lock from a dead holder",
      try_put_takes_dead_lock },
    { "try-get delivers a dead consumer's value, then the end",
      try_get_ends_after_dead_consumer },
    { "try forms look for the dead at most once a millisecond",
      try_rechecks_are_rare },
  };
  return run_cases ("channel-races", cases, sizeof cases / sizeof *cases);
}
