/* channel-fuzz.c -- libFuzzer harness over a channel's shared memory.
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later

   The first 8192 bytes of each input (zero-padded) become the whole
   shared memory of a channel of 4096 bytes: its header page, then its
   ring, mapped twice in a row as a real channel's is.  When the header
   passes the check open-channel makes (vc_ch_check_shared), each
   remaining input byte is one operation of the protocol on that memory:
   claims (plain, rechecking owners for life, waiting), reservations of
   sizes taken from the input and their commit or abandon, the readiness
   tests, close.  No Guile: this is src/channel-ring.c and
   src/channel-map.c alone.

   Findings: a sanitizer report or a crash -- in particular any access
   outside the mapping, which is surrounded by unmapped memory -- or a
   slot the protocol hands out that does not lie inside the ring.  A
   corrupt channel is not a finding: the protocol must answer
   VC_CH_CORRUPT.  Waits never sleep (the wait function says the
   deadline passed), so a forged lock holder makes an operation give up,
   not hang.  */

#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel-map.h"

#define CAPACITY 4096
#define IMAGE (VC_CH_HEADER_MIN + CAPACITY)

static struct vc_ch ch;
static struct vc_ch_mapping mapping;

static int
never_sleep (void *arg, _Atomic uint32_t *word, struct vc_ch_waitq *q,
             uint32_t expected, const struct timespec *deadline,
             int may_escape)
{
  (void) arg, (void) word, (void) q, (void) expected, (void) deadline;
  (void) may_escape;
  return ETIMEDOUT;
}

/* A slot handed out must lie in the ring (its double mapping).  */
static void
check_slot (const struct vc_ch_slot *s, uint64_t bytes)
{
  const uint8_t *lo = ch.data, *hi = ch.data + 2 * (size_t) CAPACITY;
  if (s->payload < lo || s->payload > hi || bytes > (uint64_t) (hi - s->payload)
      || s->size > CAPACITY || s->room + VC_CH_RECORD_HEADER != s->size)
    {
      fprintf (stderr, "slot outside the ring: pos %lu size %lu room %lu "
               "len %lu\n", (unsigned long) s->pos, (unsigned long) s->size,
               (unsigned long) s->room, (unsigned long) s->len);
      abort ();
    }
}

static volatile uint8_t sink;

static void
take (enum vc_ch_status st, struct vc_ch_slot *s)
{
  if (st != VC_CH_OK)
    return;
  check_slot (s, s->len);
  uint8_t sum = 0;
  for (uint64_t i = 0; i < s->len; i++)
    sum += s->payload[i];                   /* every byte is readable */
  sink = sum;
  vc_ch_release (&ch, s);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (!ch.sh)
    {
      if (vc_ch_create (NULL, 0600, CAPACITY, &ch, &mapping) != 0)
        abort ();
      ch.wait = never_sleep;
      ch.spin_ns = 0;
    }
  size_t image = size < IMAGE ? size : IMAGE;
  /* Each input starts from the same state: the shared image below, and
     this process's own fields of the handle, which the last input may
     have left set (a crash must reproduce from its input alone).  */
  ch.seen_tail = 0;
  ch.next_recheck = 0;
  memset (ch.sh, 0, IMAGE);
  memcpy (ch.sh, data, image);
  uint64_t capacity;
  if (vc_ch_check_shared (ch.sh, IMAGE, &capacity) != VC_CH_OK)
    return 0;
  if (capacity != CAPACITY)
    abort ();                   /* the check let a wrong size through */
  const uint8_t *op = data + image, *end = data + size;
  static const uint8_t default_ops[] = { 0, 1, 2, 0, 5, 3, 4, 0, 6 };
  if (op == end)
    {
      op = default_ops;
      end = default_ops + sizeof default_ops;
    }
  for (; op < end; op++)
    {
      struct vc_ch_slot s;
      struct timespec now;
      switch (*op % 8)
        {
        case 0:
          take (vc_ch_try_claim (&ch, &s), &s);
          break;
        case 1:
          take (vc_ch_try_claim_recheck (&ch, &s), &s);
          break;
        case 2:
        case 3:
          {
            uint64_t len = op + 1 < end ? (uint64_t) op[1] * 37 : 100;
            if (vc_ch_try_reserve (&ch, len, &s) == VC_CH_OK)
              {
                check_slot (&s, s.room);
                memset (s.payload, 0x5a, len);
                if (*op % 8 == 2)
                  vc_ch_commit (&ch, &s, len);
                else
                  vc_ch_abandon (&ch, &s);
              }
            break;
          }
        case 4:
          sink = (uint8_t) (vc_ch_value_ready (&ch) + vc_ch_maybe_ready (&ch));
          break;
        case 5:
          vc_ch_now (&now);
          take (vc_ch_claim (&ch, &now, &s), &s);
          break;
        case 6:
          vc_ch_now (&now);
          if (vc_ch_reserve (&ch, 64, &now, &s) == VC_CH_OK)
            {
              check_slot (&s, s.room);
              vc_ch_commit (&ch, &s, 10);
            }
          break;
        default:
          /* close waits for the producers' lock, as it must; skip it
             when the input made a live process its holder.  */
          {
            uint64_t holder = atomic_load (&ch.sh->plock);
            if (holder == 0 || !vc_ch_alive (holder))
              vc_ch_close (&ch);
            break;
          }
        }
    }
  return 0;
}
