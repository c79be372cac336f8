/* channel-ring.c -- the protocol of a channel: a ring of records shared by
   processes that may be killed at any instant.
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later

   THE CRASH-SAFETY ARGUMENT (doc/channel.texi, "Failure model", says the
   same for users; doc/channel-model.pml checks it with spin).

   What is shared.  One mapping: the header (channel-ring.h) and the ring.
   The ring holds records, each a 32-byte header (state, tag, owner, size,
   len) and a payload.  Three positions order them: head <= claim <= tail.
   [head, tail) is a chain of records, each starting where the previous
   one ends; [tail, head + capacity) is free space.

   Who writes what.
   - plock (the producers' lock) guards tail, head, closed, and the
     header of any record at or past tail.  A producer holds it only to
     reserve: it checks closed, may advance head over FREE and SKIP
     records below claim, writes the new record's header at tail (state
     RESERVED, owner = itself), and then stores tail past it.  That tail
     store is the one step that makes a reservation exist.  Closing sets
     closed under plock, so no reservation follows a close.
   - clock (the consumers' lock) guards claim and the step COMMITTED ->
     CLAIMED.  A consumer holds it only to claim: it writes owner =
     itself, moves the record at claim to CLAIMED, then stores claim past
     it.  It also passes SKIP records there.
   - Outside any lock, the owner of a record moves its state: the producer
     RESERVED -> COMMITTED (after the whole payload is written) or
     RESERVED -> SKIP (it gave up); the consumer CLAIMED -> FREE (after the
     whole value is decoded).
   - A lock is a 64-bit word holding its holder's identity (pid and start
     time, see channel-map.c), so a waiter can tell whom it waits for.

   What each state means: RESERVED, a producer is writing the payload;
   COMMITTED, the value is whole and belongs to no one; CLAIMED, one
   consumer is taking it; FREE, it was taken whole; SKIP, it never was a
   value.  Only COMMITTED records are ever handed to a consumer.

   How a dead process is detected.  Nobody waits without a bound: every
   sleep ends after a recheck interval (1 ms, doubling up to 64 ms).  At a
   recheck, a waiter asks whether the process it waits for is alive
   (vc_ch_alive: the pid exists, is not a zombie, and started at the time
   recorded in the identity), and takes over when it is not:
   - a lock whose holder is dead is taken by compare-and-swap from the
     dead identity, so exactly one waiter gets it;
   - a RESERVED record at claim whose producer is dead becomes SKIP;
   - a CLAIMED record whose consumer is dead is taken over by the
     consumer that found it (owner := itself, under both locks), who
     delivers it.

   Why no SIGKILL leaves a state that breaks the guarantees.  Each
   critical section writes shared words in an order where every prefix is
   a consistent state, so the process that inherits a dead holder's lock
   repairs nothing:
   - reserve: head moves only over records already FREE or SKIP; the new
     header is written past tail, where nobody reads; the tail store
     publishes it whole.  Killed before it, nothing happened; after it,
     the reservation exists with a dead owner and becomes SKIP.
   - claim: owner, then state CLAIMED, then claim.  Killed before the
     state change, the record is still COMMITTED at claim; between the
     state change and the claim store, the next lock holder finds a
     CLAIMED record at claim with a dead owner and takes it over; after,
     the record is CLAIMED with a dead owner behind claim and is taken
     over at a recheck.
   - commit, abandon, release are single compare-and-swaps.
   So:
   - nobody waits forever on a dead process: locks, reservations and
     claims of the dead are taken over at the next recheck, and a wake-up
     the dead did not send is replaced by that recheck;
   - no torn value: consumers take only COMMITTED records, and COMMITTED
     is stored (release) after the whole payload;
   - no value twice: a record leaves COMMITTED once, under clock; a
     CLAIMED record changes owner only when its owner is dead, and a dead
     consumer's get never returned;
   - no committed value lost: a COMMITTED record stays until a consumer
     has decoded it whole and freed it; until then head cannot pass it.
     The end of a closed channel is reported only when every record
     below tail is FREE or SKIP, tail being read after closed (so after
     the last reservation).

   Hostile memory.  Every position, size, state and tag read from the
   mapping is read once and checked (alignment, order, bounds, the tag
   against the position) before it is used; a check that fails returns
   VC_CH_CORRUPT with what was wrong, never reads outside the mapping.
   What a hostile process can still do is stop the others from making
   progress, or feed them wrong values: it cannot make them read or write
   outside the mapping.  */

#include <config.h>

#include <errno.h>
#include <string.h>

#include "channel-ring.h"

_Thread_local struct vc_ch_corruption vc_ch_corruption;

/* The bound of the recheck interval, and its start.  */
#define RECHECK_FIRST_NS 1000000ull
#define RECHECK_MAX_NS 64000000ull

/* How long a lock is spun for before sleeping: locks are held for a few
   dozen instructions, so a holder that makes us wait longer is not
   running.  */
#define LOCK_SPIN_NS 3000

/* Spins read the clock every this many turns: a pause takes from a few
   to about 140 cycles depending on the processor, so a spin bounded by
   turns alone would last ten times longer on some machines.  */
#define TURNS_PER_CLOCK 8

static inline void
cpu_relax (void)
{
#if defined __x86_64__ || defined __i386__
  __builtin_ia32_pause ();
#elif defined __aarch64__
  __asm__ __volatile__ ("yield");
#endif
}

static enum vc_ch_status
corrupt (const char *what, uint64_t value)
{
  vc_ch_corruption.what = what;
  vc_ch_corruption.value = value;
  return VC_CH_CORRUPT;
}

static inline struct vc_ch_record *
record_at (const struct vc_ch *ch, uint64_t pos)
{
  return (struct vc_ch_record *) (ch->data + pos % ch->capacity);
}

static inline uint64_t
round8 (uint64_t n)
{
  return (n + 7) & ~(uint64_t) 7;
}

/* ------------------------------------------------------------ the header */

_Static_assert (sizeof (struct vc_ch_shared) <= VC_CH_HEADER_MIN,
                "a channel's header fits in its first page");

int
vc_ch_init_shared (struct vc_ch_shared *sh, uint32_t header_size,
                   uint64_t capacity, uint64_t creator, uint64_t nonce)
{
  struct vc_ch_waitq *queues[] = { &sh->plock_q, &sh->clock_q, &sh->data_q,
                                   &sh->space_q };
  for (size_t i = 0; i < sizeof queues / sizeof *queues; i++)
    {
      int err = vc_ch_waitq_init (queues[i], 1);
      if (err)
        return err;
    }
  sh->wait_kind = vc_ch_wait_kind;
  sh->nonce = nonce;
  sh->version = VC_CH_VERSION;
  sh->header_size = header_size;
  sh->capacity = capacity;
  atomic_store_explicit (&sh->creator, creator, memory_order_relaxed);
  atomic_store_explicit (&sh->head, 0, memory_order_relaxed);
  atomic_store_explicit (&sh->claim, 0, memory_order_relaxed);
  atomic_store_explicit (&sh->tail, 0, memory_order_relaxed);
  atomic_thread_fence (memory_order_release);
  memcpy (sh->magic, VC_CH_MAGIC, sizeof sh->magic);
  return 0;
}

enum vc_ch_status
vc_ch_check_shared (const struct vc_ch_shared *sh, uint64_t mapped_size,
                    uint64_t *capacity)
{
  if (mapped_size < VC_CH_HEADER_MIN)
    return corrupt ("mapping smaller than a channel header", mapped_size);
  char magic[8];
  memcpy (magic, sh->magic, sizeof magic);
  atomic_thread_fence (memory_order_acquire);
  if (memcmp (magic, VC_CH_MAGIC, sizeof magic) != 0)
    return corrupt ("not a channel (bad magic)", 0);
  uint32_t version = *(volatile const uint32_t *) &sh->version;
  if (version != VC_CH_VERSION)
    return corrupt ("unknown channel layout version", version);
  uint32_t kind = *(volatile const uint32_t *) &sh->wait_kind;
  if (kind != vc_ch_wait_kind)
    return corrupt ("channel made by a build that sleeps another way "
                    "(futex 0, semaphore 1, poll 2)", kind);
  uint64_t hs = *(volatile const uint32_t *) &sh->header_size;
  uint64_t cap = *(volatile const uint64_t *) &sh->capacity;
  if (hs < VC_CH_HEADER_MIN || hs % VC_CH_HEADER_MIN != 0 || hs > mapped_size)
    return corrupt ("bad header size", hs);
  if (cap == 0 || cap % VC_CH_HEADER_MIN != 0 || cap != mapped_size - hs)
    return corrupt ("bad capacity", cap);
  *capacity = cap;
  return VC_CH_OK;
}

uint64_t
vc_ch_max_payload (const struct vc_ch *ch)
{
  return (ch->capacity - VC_CH_RECORD_HEADER) & ~(uint64_t) 7;
}

int
vc_ch_closed (const struct vc_ch *ch)
{
  return atomic_load_explicit (&ch->sh->closed, memory_order_acquire) != 0;
}

/* ----------------------------------------------------------------- waits */

/* Wake the sleepers of SEQ if any registered in WAITERS.  The caller has
   just made its change visible with a sequentially consistent operation
   or fence, so a sleeper either sees the change before sleeping or is
   seen here (the two sides of the usual store/load handshake).  */
static void
wake (_Atomic uint32_t *seq, _Atomic uint32_t *waiters, struct vc_ch_waitq *q)
{
  if (atomic_load_explicit (waiters, memory_order_seq_cst)
      && atomic_exchange_explicit (waiters, 0, memory_order_seq_cst))
    {
      atomic_fetch_add_explicit (seq, 1, memory_order_seq_cst);
      vc_ch_wake_all (seq, q);
    }
}

/* Register as a sleeper of SEQ; return the value to sleep on.  The
   caller checks its condition again after this, then sleeps.  */
static uint32_t
register_sleeper (_Atomic uint32_t *seq, _Atomic uint32_t *waiters)
{
  atomic_store_explicit (waiters, 1, memory_order_seq_cst);
  atomic_thread_fence (memory_order_seq_cst);
  return atomic_load_explicit (seq, memory_order_seq_cst);
}

/* Sleep on SEQ (and its queue Q) until a wake-up, DEADLINE (may be NULL) or the recheck
   interval *INTERVAL, whichever comes first.  Return VC_CH_TIMEOUT when
   DEADLINE passed, else VC_CH_OK with *RECHECK non-zero when the interval
   ran out (and then doubled).  */
static enum vc_ch_status
sleep_on (struct vc_ch *ch, _Atomic uint32_t *seq, struct vc_ch_waitq *q,
          uint32_t expected, const struct timespec *deadline, uint64_t *interval, int *recheck,
          int may_escape)
{
  struct timespec until;
  vc_ch_deadline_after (&until, *interval);
  int capped = deadline && vc_ch_before (deadline, &until);
  if (capped)
    until = *deadline;
  int r = ch->wait (ch->wait_arg, seq, q, expected, &until, may_escape);
  *recheck = 0;
  if (r == ETIMEDOUT)
    {
      if (capped)
        return VC_CH_TIMEOUT;
      *recheck = 1;
      if (*interval < RECHECK_MAX_NS)
        *interval *= 2;
    }
  return VC_CH_OK;
}

/* An attempt at an operation: it returns AGAIN (FULL or EMPTY) when it
   must wait.  RECHECK asks it to look for dead processes on its way.  */
typedef enum vc_ch_status (*attempt_fn) (struct vc_ch *ch, void *arg,
                                         int recheck);

/* Call ATTEMPT until it returns something else than AGAIN, or DEADLINE
   (may be NULL) passes: spin for the channel's spin time, attempting
   whenever READY (given the turn of the spin) says it may succeed, then
   sleep on SEQ (queue Q) between attempts,
   registered in WAITERS, rechecking for the dead at every interval.  */
static enum vc_ch_status
wait_for (struct vc_ch *ch, attempt_fn attempt, void *arg,
          enum vc_ch_status again, int (*ready) (struct vc_ch *, unsigned),
          _Atomic uint32_t *seq, _Atomic uint32_t *waiters,
          struct vc_ch_waitq *q, const struct timespec *deadline)
{
  enum vc_ch_status st = attempt (ch, arg, 0);
  if (st != again)
    return st;
  struct timespec spin_end, now;
  vc_ch_deadline_after (&spin_end, ch->spin_ns);
  for (unsigned i = 1; ch->spin_ns; i++)
    {
      if (ready (ch, i))
        {
          st = attempt (ch, arg, 0);
          if (st != again)
            return st;
        }
      cpu_relax ();
      if (i % TURNS_PER_CLOCK != 0)
        continue;
      vc_ch_now (&now);
      if (!vc_ch_before (&now, &spin_end))
        break;
      if (deadline && !vc_ch_before (&now, deadline))
        return VC_CH_TIMEOUT;
    }
  uint64_t interval = RECHECK_FIRST_NS;
  int recheck = 0, woken = 0;
  for (;;)
    {
      /* Woken, the value (or the space) is most likely there: try before
         registering, or the next put (or get) would pay a wake-up that
         nobody needs.  */
      if (woken)
        {
          st = attempt (ch, arg, recheck);
          if (st != again)
            return st;
        }
      uint32_t expected = register_sleeper (seq, waiters);
      st = attempt (ch, arg, recheck);
      if (st != again)
        return st;
      if (deadline)
        {
          vc_ch_now (&now);
          if (!vc_ch_before (&now, deadline))
            return VC_CH_TIMEOUT;
        }
      st = sleep_on (ch, seq, q, expected, deadline, &interval, &recheck,
                     1);
      if (st != VC_CH_OK)
        return st;
      woken = !recheck;
    }
}

/* The deadline of the try forms: a lock is spun for, never slept on.  */
static const struct timespec no_sleep;
#define NO_SLEEP (&no_sleep)

/* The try forms never sleep, so they never reach the recheck that ends
   every sleep: a process that only polls (try-get in a loop, an event
   loop on the channel's port) would wait forever behind a dead
   process's lock, reservation or claim.  A try that fails also looks for
   the dead, then, at most once per RECHECK_FIRST_NS in each process
   (the look reads /proc).  */
static int
try_recheck_due (struct vc_ch *ch)
{
  struct timespec now;
  vc_ch_now (&now);
  uint64_t ns = (uint64_t) now.tv_sec * 1000000000u + (uint64_t) now.tv_nsec;
  uint64_t next = atomic_load_explicit (&ch->next_recheck,
                                        memory_order_relaxed);
  return ns >= next
    && atomic_compare_exchange_strong_explicit (&ch->next_recheck, &next,
                                                ns + RECHECK_FIRST_NS,
                                                memory_order_relaxed,
                                                memory_order_relaxed);
}

/* ----------------------------------------------------------------- locks */

struct lock
{
  _Atomic uint64_t *word;
  _Atomic uint32_t *seq, *waiters;
  struct vc_ch_waitq *q;
};

static struct lock
plock_of (struct vc_ch *ch)
{
  return (struct lock) { &ch->sh->plock, &ch->sh->plock_seq,
                         &ch->sh->plock_waiters, &ch->sh->plock_q };
}

static struct lock
clock_of (struct vc_ch *ch)
{
  return (struct lock) { &ch->sh->clock, &ch->sh->clock_seq,
                         &ch->sh->clock_waiters, &ch->sh->clock_q };
}

/* Take L: OK, or TIMEOUT when DEADLINE passed first (NO_SLEEP: when the
   spin ends).  A holder found dead at a recheck loses the lock to us;
   nothing needs repairing (see the argument above).  A try form
   (NO_SLEEP) never reaches a recheck: it looks at the holder's life
   when RECHECK is non-zero.  */
static enum vc_ch_status
lock (struct vc_ch *ch, struct lock l, const struct timespec *deadline,
      int may_escape, int recheck_now)
{
  uint64_t me = vc_ch_self ();
  struct timespec spin_end, now;
  for (unsigned i = 0;; i++)
    {
      uint64_t expected = 0;
      if (atomic_load_explicit (l.word, memory_order_relaxed) == 0
          && atomic_compare_exchange_weak_explicit (l.word, &expected, me,
                                                    memory_order_acquire,
                                                    memory_order_relaxed))
        return VC_CH_OK;
      cpu_relax ();
      if (i % TURNS_PER_CLOCK != 0)
        continue;
      if (i == 0)
        vc_ch_deadline_after (&spin_end, LOCK_SPIN_NS);
      else
        {
          vc_ch_now (&now);
          if (!vc_ch_before (&now, &spin_end))
            break;
        }
    }
  if (deadline == NO_SLEEP)
    {
      uint64_t holder = atomic_load_explicit (l.word, memory_order_relaxed);
      if (recheck_now && holder != 0 && holder != me && !vc_ch_alive (holder)
          && atomic_compare_exchange_strong_explicit (l.word, &holder, me,
                                                      memory_order_acquire,
                                                      memory_order_relaxed))
        return VC_CH_OK;
      return VC_CH_TIMEOUT;
    }
  uint64_t interval = RECHECK_FIRST_NS;
  int recheck = 0;
  for (;;)
    {
      uint32_t seq = register_sleeper (l.seq, l.waiters);
      uint64_t holder = 0;
      if (atomic_compare_exchange_strong_explicit (l.word, &holder, me,
                                                   memory_order_acquire,
                                                   memory_order_relaxed))
        return VC_CH_OK;
      if (recheck && holder != me && !vc_ch_alive (holder)
          && atomic_compare_exchange_strong_explicit (l.word, &holder, me,
                                                      memory_order_acquire,
                                                      memory_order_relaxed))
        return VC_CH_OK;
      enum vc_ch_status st = sleep_on (ch, l.seq, l.q, seq, deadline,
                                       &interval, &recheck, may_escape);
      if (st != VC_CH_OK)
        return st;
    }
}

static void
unlock (struct lock l)
{
  atomic_store_explicit (l.word, 0, memory_order_seq_cst);
  wake (l.seq, l.waiters, l.q);
}

/* ------------------------------------------------------------- records */

/* Read the header of the record at POS, which must end by LIMIT; check
   it.  */
static enum vc_ch_status
read_record (struct vc_ch *ch, uint64_t pos, uint64_t limit,
             uint32_t *state, uint64_t *size)
{
  struct vc_ch_record *r = record_at (ch, pos);
  uint32_t st = atomic_load_explicit (&r->state, memory_order_acquire);
  uint32_t tag = atomic_load_explicit (&r->tag, memory_order_relaxed);
  uint64_t sz = atomic_load_explicit (&r->size, memory_order_relaxed);
  if (tag != (uint32_t) (pos >> 3))
    return corrupt ("record tag does not match its position", tag);
  if (sz < VC_CH_RECORD_HEADER || sz % 8 != 0 || sz > ch->capacity
      || sz > limit - pos)
    return corrupt ("bad record size", sz);
  if (st < VC_CH_RESERVED || st > VC_CH_SKIP)
    return corrupt ("bad record state", st);
  *state = st;
  *size = sz;
  return VC_CH_OK;
}

/* Move the state of record R from FROM to TO in one compare-and-swap
   (sequentially consistent: what was written before is visible to whoever
   sees TO, and a waker's look at the sleepers comes after).  Return
   non-zero when the record was in FROM; *WAS is what it was.  */
static int
move_state (struct vc_ch_record *r, uint32_t from, uint32_t to,
            uint32_t *was)
{
  uint32_t expected = from;
  int moved = atomic_compare_exchange_strong_explicit (&r->state, &expected,
                                                       to,
                                                       memory_order_seq_cst,
                                                       memory_order_relaxed);
  if (was)
    *was = expected;
  return moved;
}

static void
fill_slot (struct vc_ch *ch, struct vc_ch_slot *s, uint64_t pos,
           uint64_t size)
{
  s->pos = pos;
  s->size = size;
  s->payload = (uint8_t *) record_at (ch, pos) + VC_CH_RECORD_HEADER;
  s->room = size - VC_CH_RECORD_HEADER;
  s->len = 0;
}

/* Move head over the FREE and SKIP records below CLAIM.  Hold plock.
   H is head as read under plock; return the new head.  */
static enum vc_ch_status
advance_head (struct vc_ch *ch, uint64_t h, uint64_t claim, uint64_t *out)
{
  uint64_t start = h;
  while (h < claim)
    {
      uint32_t st;
      uint64_t sz;
      enum vc_ch_status e = read_record (ch, h, claim, &st, &sz);
      if (e != VC_CH_OK)
        return e;
      if (st != VC_CH_FREE && st != VC_CH_SKIP)
        break;
      h += sz;
    }
  if (h != start)
    atomic_store_explicit (&ch->sh->head, h, memory_order_release);
  *out = h;
  return VC_CH_OK;
}

/* ------------------------------------------------------------- producers */

/* One attempt at a reservation of NEED bytes.  FULL when there is no room
   now.  */
static enum vc_ch_status
reserve_once (struct vc_ch *ch, uint64_t need,
              const struct timespec *deadline, int recheck,
              struct vc_ch_slot *s)
{
  struct lock l = plock_of (ch);
  enum vc_ch_status st = lock (ch, l, deadline, 1, recheck);
  if (st != VC_CH_OK)
    return st;
  struct vc_ch_shared *sh = ch->sh;
  if (vc_ch_closed (ch))
    {
      unlock (l);
      return VC_CH_CLOSED;
    }
  uint64_t h = atomic_load_explicit (&sh->head, memory_order_relaxed);
  uint64_t t = atomic_load_explicit (&sh->tail, memory_order_relaxed);
  if ((h | t) % 8 != 0 || h > t || t - h > ch->capacity)
    {
      unlock (l);
      return corrupt ("positions out of order (head, tail)", t - h);
    }
  /* claim, which the consumers write, is read only when head must move:
     while there is room, a put touches no word of the consumers.  */
  if (need > ch->capacity - (t - h))
    {
      uint64_t c = atomic_load_explicit (&sh->claim, memory_order_acquire);
      if (c % 8 != 0 || c < h || c > t)
        {
          unlock (l);
          return corrupt ("positions out of order (head, claim, tail)",
                          c - h);
        }
      st = advance_head (ch, h, c, &h);
      if (st != VC_CH_OK)
        {
          unlock (l);
          return st;
        }
      if (need > ch->capacity - (t - h))
        {
          unlock (l);
          return VC_CH_FULL;
        }
    }
  struct vc_ch_record *r = record_at (ch, t);
  atomic_store_explicit (&r->tag, (uint32_t) (t >> 3), memory_order_relaxed);
  atomic_store_explicit (&r->owner, vc_ch_self (), memory_order_relaxed);
  atomic_store_explicit (&r->size, need, memory_order_relaxed);
  atomic_store_explicit (&r->len, 0, memory_order_relaxed);
  atomic_store_explicit (&r->state, VC_CH_RESERVED, memory_order_relaxed);
  atomic_store_explicit (&sh->tail, t + need, memory_order_release);
  unlock (l);
  fill_slot (ch, s, t, need);
  return VC_CH_OK;
}

static enum vc_ch_status
need_for (struct vc_ch *ch, uint64_t payload, uint64_t *need)
{
  if (payload > vc_ch_max_payload (ch))
    return VC_CH_TOOBIG;
  *need = round8 (VC_CH_RECORD_HEADER + payload);
  return VC_CH_OK;
}

enum vc_ch_status
vc_ch_try_reserve (struct vc_ch *ch, uint64_t payload, struct vc_ch_slot *s)
{
  uint64_t need;
  enum vc_ch_status st = need_for (ch, payload, &need);
  if (st != VC_CH_OK)
    return st;
  st = reserve_once (ch, need, NO_SLEEP, 0, s);
  if (st == VC_CH_TIMEOUT && try_recheck_due (ch))
    st = reserve_once (ch, need, NO_SLEEP, 1, s);
  return st == VC_CH_TIMEOUT ? VC_CH_FULL : st;
}

struct reservation
{
  uint64_t need;
  const struct timespec *deadline;
  struct vc_ch_slot *slot;
};

static enum vc_ch_status
attempt_reserve (struct vc_ch *ch, void *arg, int recheck)
{
  (void) recheck;               /* consumers do the taking over */
  struct reservation *r = arg;
  return reserve_once (ch, r->need, r->deadline, 0, r->slot);
}

/* Whether space was freed takes the lock to know: look now and then.  */
static int
now_and_then (struct vc_ch *ch, unsigned turn)
{
  (void) ch;
  return turn % 16 == 0;
}

enum vc_ch_status
vc_ch_reserve (struct vc_ch *ch, uint64_t payload,
               const struct timespec *deadline, struct vc_ch_slot *s)
{
  struct reservation r = { 0, deadline, s };
  enum vc_ch_status st = need_for (ch, payload, &r.need);
  if (st != VC_CH_OK)
    return st;
  return wait_for (ch, attempt_reserve, &r, VC_CH_FULL, now_and_then,
                   &ch->sh->space_seq, &ch->sh->space_waiters,
                   &ch->sh->space_q, deadline);
}

enum vc_ch_status
vc_ch_commit (struct vc_ch *ch, struct vc_ch_slot *s, uint64_t len)
{
  struct vc_ch_record *r = record_at (ch, s->pos);
  atomic_store_explicit (&r->len, len, memory_order_relaxed);
  if (!move_state (r, VC_CH_RESERVED, VC_CH_COMMITTED, NULL))
    return VC_CH_LOST;
  wake (&ch->sh->data_seq, &ch->sh->data_waiters, &ch->sh->data_q);
  return VC_CH_OK;
}

void
vc_ch_abandon (struct vc_ch *ch, struct vc_ch_slot *s)
{
  move_state (record_at (ch, s->pos), VC_CH_RESERVED, VC_CH_SKIP, NULL);
  /* A consumer may be waiting for this record to be committed.  */
  wake (&ch->sh->data_seq, &ch->sh->data_waiters, &ch->sh->data_q);
}

/* ------------------------------------------------------------- consumers */

/* The record claimed in S says its payload is longer than itself: free
   it (its value is lost, as one that does not decode is) so that it does
   not stop every consumer in turn, and report the corruption.  */
static enum vc_ch_status
bad_length (struct vc_ch *ch, struct vc_ch_slot *s)
{
  uint64_t len = s->len;
  vc_ch_release (ch, s);
  return corrupt ("payload longer than its record", len);
}

/* Under clock and plock, look through [head, claim) for a CLAIMED record
   whose owner is dead and take it over (when RECHECK), and move head
   over the FREE and SKIP records.  OK with S filled when a record was
   taken over; EOF when the channel is closed and every record below claim
   has been taken whole; else EMPTY.  CLOSED is whether the channel was
   closed before tail was read.  */
static enum vc_ch_status
look_behind (struct vc_ch *ch, uint64_t c, int recheck, int closed,
             const struct timespec *deadline, struct vc_ch_slot *s)
{
  struct lock pl = plock_of (ch);
  enum vc_ch_status st = lock (ch, pl, deadline, 0, recheck);
  if (st != VC_CH_OK)
    return st;
  struct vc_ch_shared *sh = ch->sh;
  uint64_t h = atomic_load_explicit (&sh->head, memory_order_relaxed);
  if (h % 8 != 0 || h > c || c - h > ch->capacity)
    {
      unlock (pl);
      return corrupt ("positions out of order (head, claim)", c - h);
    }
  st = advance_head (ch, h, c, &h);
  if (st != VC_CH_OK)
    {
      unlock (pl);
      return st;
    }
  uint64_t me = vc_ch_self ();
  for (uint64_t p = h; p < c;)
    {
      uint32_t state;
      uint64_t size;
      st = read_record (ch, p, c, &state, &size);
      if (st != VC_CH_OK)
        {
          unlock (pl);
          return st;
        }
      if (state == VC_CH_COMMITTED || state == VC_CH_RESERVED)
        {
          unlock (pl);
          return corrupt ("unclaimed record behind the claim point", state);
        }
      if (state == VC_CH_CLAIMED && recheck)
        {
          struct vc_ch_record *r = record_at (ch, p);
          uint64_t owner = atomic_load_explicit (&r->owner,
                                                 memory_order_relaxed);
          /* The owner may have freed the record, and ended, between
             the read of its state and the look at its life: then it took
             the value whole, and taking the record over would deliver
             the value twice, from memory a producer may be reusing.
             Look again once the owner is known dead: a dead owner
             changes nothing any more, and other takers need both locks,
             so a record still CLAIMED by it now stays so.  */
          if (owner != me && !vc_ch_alive (owner)
              && atomic_load_explicit (&r->state, memory_order_acquire)
                 == VC_CH_CLAIMED
              && atomic_load_explicit (&r->owner, memory_order_relaxed)
                 == owner)
            {
              atomic_store_explicit (&r->owner, me, memory_order_relaxed);
              unlock (pl);
              fill_slot (ch, s, p, size);
              s->len = atomic_load_explicit (&r->len, memory_order_relaxed);
              if (s->len > s->room)
                return bad_length (ch, s);
              return VC_CH_OK;
            }
        }
      p += size;
    }
  unlock (pl);
  return closed && h == c ? VC_CH_EOF : VC_CH_EMPTY;
}

/* One attempt at a claim.  When RECHECK, owners are checked for life.
   A lock held past DEADLINE makes it TIMEOUT.  */
static enum vc_ch_status
claim_once (struct vc_ch *ch, int recheck, const struct timespec *deadline,
            struct vc_ch_slot *s)
{
  struct lock l = clock_of (ch);
  enum vc_ch_status st = lock (ch, l, deadline, 1, recheck);
  if (st != VC_CH_OK)
    return st;
  struct vc_ch_shared *sh = ch->sh;
  uint64_t me = vc_ch_self ();
  for (;;)
    {
      uint64_t c = atomic_load_explicit (&sh->claim, memory_order_relaxed);
      /* Closed before tail: close takes plock, so once it is seen no
         reservation can follow the tail read below.  Read the other way
         round, a value put just before the close could be missed and
         the end reported with it still in the ring.  */
      int closed = 0;
      uint64_t t = atomic_load_explicit (&ch->seen_tail, memory_order_acquire);
      if (c >= t || t - c > ch->capacity)
        {
          closed = vc_ch_closed (ch);
          t = atomic_load_explicit (&sh->tail, memory_order_acquire);
          atomic_store_explicit (&ch->seen_tail, t, memory_order_release);
        }
      if ((c | t) % 8 != 0 || c > t || t - c > ch->capacity)
        {
          unlock (l);
          return corrupt ("positions out of order (claim, tail)", t - c);
        }
      if (c == t)
        {
          if (recheck || closed)
            st = look_behind (ch, c, recheck, closed, deadline, s);
          else
            st = VC_CH_EMPTY;
          unlock (l);
          return st;
        }
      uint32_t state;
      uint64_t size;
      st = read_record (ch, c, t, &state, &size);
      if (st != VC_CH_OK)
        {
          unlock (l);
          return st;
        }
      struct vc_ch_record *r = record_at (ch, c);
      switch (state)
        {
        case VC_CH_SKIP:
          atomic_store_explicit (&sh->claim, c + size, memory_order_release);
          continue;
        case VC_CH_RESERVED:
          {
            uint64_t owner = atomic_load_explicit (&r->owner,
                                                   memory_order_relaxed);
            if (recheck && owner != me && !vc_ch_alive (owner))
              move_state (r, VC_CH_RESERVED, VC_CH_SKIP, NULL);
            else
              {
                unlock (l);
                return VC_CH_EMPTY;
              }
            continue;           /* SKIP now, or COMMITTED meanwhile */
          }
        case VC_CH_CLAIMED:
          {
            /* Left by a consumer killed inside this critical section.  */
            uint64_t owner = atomic_load_explicit (&r->owner,
                                                   memory_order_relaxed);
            if (owner == me || vc_ch_alive (owner))
              {
                unlock (l);
                return corrupt ("claimed record at the claim point", owner);
              }
            break;
          }
        case VC_CH_COMMITTED:
          {
            atomic_store_explicit (&r->owner, me, memory_order_relaxed);
            uint32_t was;
            if (!move_state (r, VC_CH_COMMITTED, VC_CH_CLAIMED, &was))
              {
                unlock (l);
                return corrupt ("record state changed under the lock", was);
              }
            break;
          }
        default:
          unlock (l);
          return corrupt ("freed record at the claim point", state);
        }
      /* CLAIMED by us now: take it.  */
      atomic_store_explicit (&r->owner, me, memory_order_relaxed);
      atomic_store_explicit (&sh->claim, c + size, memory_order_release);
      unlock (l);
      fill_slot (ch, s, c, size);
      s->len = atomic_load_explicit (&r->len, memory_order_relaxed);
      if (s->len > s->room)
        return bad_length (ch, s);
      return VC_CH_OK;
    }
}

enum vc_ch_status
vc_ch_try_claim (struct vc_ch *ch, struct vc_ch_slot *s)
{
  enum vc_ch_status st = claim_once (ch, 0, NO_SLEEP, s);
  if ((st == VC_CH_EMPTY || st == VC_CH_TIMEOUT) && try_recheck_due (ch))
    st = claim_once (ch, 1, NO_SLEEP, s);
  return st == VC_CH_TIMEOUT ? VC_CH_EMPTY : st;
}

enum vc_ch_status
vc_ch_try_claim_recheck (struct vc_ch *ch, struct vc_ch_slot *s)
{
  enum vc_ch_status st = claim_once (ch, 1, NO_SLEEP, s);
  return st == VC_CH_TIMEOUT ? VC_CH_EMPTY : st;
}

int
vc_ch_value_ready (struct vc_ch *ch)
{
  struct vc_ch_shared *sh = ch->sh;
  for (int attempt = 0; attempt < 8; attempt++)
    {
      if (vc_ch_closed (ch))
        return 1;
      uint64_t c = atomic_load_explicit (&sh->claim, memory_order_acquire);
      uint64_t t = atomic_load_explicit (&sh->tail, memory_order_acquire);
      if (c == t)
        return 0;
      if (c % 8 != 0 || c > t || t - c > ch->capacity)
        return 1;
      /* The record may be claimed and reused meanwhile: only a hint,
         taken again when claim moved.  record_at stays in the mapping
         whatever C is.  */
      uint32_t st = atomic_load_explicit (&record_at (ch, c)->state,
                                          memory_order_acquire);
      if (atomic_load_explicit (&sh->claim, memory_order_acquire) == c)
        return st != VC_CH_RESERVED;
    }
  return 1;
}

int
vc_ch_maybe_ready (struct vc_ch *ch)
{
  struct vc_ch_shared *sh = ch->sh;
  return atomic_load_explicit (&sh->claim, memory_order_relaxed)
    != atomic_load_explicit (&sh->tail, memory_order_relaxed)
    || vc_ch_closed (ch);
}

static int
value_may_be_there (struct vc_ch *ch, unsigned turn)
{
  (void) turn;
  return vc_ch_maybe_ready (ch);
}

struct claim
{
  const struct timespec *deadline;
  struct vc_ch_slot *slot;
};

static enum vc_ch_status
attempt_claim (struct vc_ch *ch, void *arg, int recheck)
{
  struct claim *c = arg;
  return claim_once (ch, recheck, c->deadline, c->slot);
}

enum vc_ch_status
vc_ch_claim (struct vc_ch *ch, const struct timespec *deadline,
             struct vc_ch_slot *s)
{
  struct claim c = { deadline, s };
  return wait_for (ch, attempt_claim, &c, VC_CH_EMPTY, value_may_be_there,
                   &ch->sh->data_seq, &ch->sh->data_waiters,
                   &ch->sh->data_q, deadline);
}

void
vc_ch_release (struct vc_ch *ch, struct vc_ch_slot *s)
{
  move_state (record_at (ch, s->pos), VC_CH_CLAIMED, VC_CH_FREE, NULL);
  wake (&ch->sh->space_seq, &ch->sh->space_waiters, &ch->sh->space_q);
  /* Consumers waiting for the end of a closed channel wait for this.  */
  if (vc_ch_closed (ch))
    wake (&ch->sh->data_seq, &ch->sh->data_waiters, &ch->sh->data_q);
}

/* ---------------------------------------------------------------- close */

void
vc_ch_close (struct vc_ch *ch)
{
  struct vc_ch_shared *sh = ch->sh;
  /* Under plock: a producer checks closed under it before it reserves,
     so no reservation follows a close that a consumer has seen.  */
  struct lock l = plock_of (ch);
  lock (ch, l, NULL, 1, 0);
  atomic_store_explicit (&sh->closed, 1, memory_order_seq_cst);
  unlock (l);
  atomic_fetch_add_explicit (&sh->data_seq, 1, memory_order_seq_cst);
  vc_ch_wake_all (&sh->data_seq, &sh->data_q);
  atomic_fetch_add_explicit (&sh->space_seq, 1, memory_order_seq_cst);
  vc_ch_wake_all (&sh->space_seq, &sh->space_q);
}
