/* channel-ring.h -- the shared layout and the protocol of a channel.
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later

   A channel is one shared mapping: a header page (struct vc_ch_shared)
   and a ring of records, the ring's pages mapped twice in a row so that
   every record is contiguous in memory.  channel-ring.c holds the
   protocol (its first comment is the crash-safety argument);
   channel-map.c makes, opens and double-maps the memory and says who is
   alive; channel.c is the Scheme side.  Nothing here uses libguile, so
   the protocol builds alone for the fuzz harness and the C tests.

   Every word that another process can write is read once into a local,
   checked, and only then used: the other process is not trusted.  */

#ifndef VC_CHANNEL_RING_H
#define VC_CHANNEL_RING_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "channel-wait.h"

/* ------------------------------------------------------------ the layout */

#define VC_CH_MAGIC "GVCCHAN"   /* 8 bytes with the NUL */
#define VC_CH_VERSION 1u

/* A record: this header, then the FASL bytes, then padding to 8 bytes.  */
struct vc_ch_record
{
  _Atomic uint32_t state;       /* enum vc_ch_state */
  _Atomic uint32_t tag;         /* low 32 bits of (position / 8): a check */
  _Atomic uint64_t owner;       /* identity of the producer (RESERVED) or
                                   of the consumer (CLAIMED) */
  _Atomic uint64_t size;        /* bytes of the record, header included */
  _Atomic uint64_t len;         /* bytes of the payload, set at commit */
};

#define VC_CH_RECORD_HEADER ((uint64_t) sizeof (struct vc_ch_record))

enum vc_ch_state
{
  VC_CH_RESERVED = 1,           /* a producer is writing it */
  VC_CH_COMMITTED = 2,          /* whole, waiting for a consumer */
  VC_CH_CLAIMED = 3,            /* a consumer is taking it */
  VC_CH_FREE = 4,               /* taken: its space may be reused */
  VC_CH_SKIP = 5                /* never committed (abandoned, or its
                                   producer died): consumers pass it */
};

/* The header page.  The first line never changes after creation; each
   other group of words lives on its own cache line.  Positions are byte
   counts since creation (they never wrap: 2^64 bytes); a position's place
   in the ring is position mod capacity.  Invariant, checked at each read:
   head <= claim <= tail <= head + capacity, all multiples of 8.  */
struct vc_ch_shared
{
  /* constant */
  char magic[8];                /* written last at creation */
  uint32_t version;
  uint32_t header_size;         /* bytes before the ring: a page multiple */
  uint64_t capacity;            /* bytes of the ring: a page multiple */
  _Atomic uint64_t creator;     /* identity of the creator of a named
                                   channel, 0 for an anonymous one */
  uint64_t nonce;               /* tells apart two channels made under
                                   one name by one process */
  uint32_t wait_kind;           /* how its processes sleep: VC_CH_WAIT_*
                                   (channel-wait.h; futex is 0) */
  uint8_t pad0[4];
  uint64_t pidns;               /* the creator's pid namespace (inode of
                                   /proc/self/ns/pid), 0 if unknown */
  uint8_t pad0b[64 - 56];

  /* producers: plock guards tail, head and the records at and past tail */
  _Atomic uint64_t plock;       /* 0, or the identity of the holder */
  _Atomic uint64_t tail;        /* end of the last reserved record */
  _Atomic uint64_t head;        /* start of the oldest record not yet freed */
  _Atomic uint32_t plock_seq;   /* futex: bumped at each contended unlock */
  _Atomic uint32_t plock_waiters;
  uint8_t pad1[64 - 32];

  /* consumers: clock guards claim and the COMMITTED -> CLAIMED step */
  _Atomic uint64_t clock;
  _Atomic uint64_t claim;       /* start of the first record not claimed */
  _Atomic uint32_t clock_seq;
  _Atomic uint32_t clock_waiters;
  uint8_t pad2[64 - 24];

  /* wake-ups: a waiter sets *_waiters, then sleeps on *_seq */
  _Atomic uint32_t data_seq;    /* bumped when a value may be there */
  _Atomic uint32_t data_waiters;
  uint8_t pad3[64 - 8];
  _Atomic uint32_t space_seq;   /* bumped when space may be there */
  _Atomic uint32_t space_waiters;
  uint8_t pad4[64 - 8];

  _Atomic uint32_t closed;      /* 0 open, 1 closed: set once */
  uint8_t pad5[64 - 4];

  /* What stands for a futex on each *_seq word above, where the build
     sleeps otherwise (channel-wait.h): unused with futexes.  */
  struct vc_ch_waitq plock_q, clock_q, data_q, space_q;
};

/* The header page is one page; the ring starts at header_size.  */
#define VC_CH_HEADER_MIN 4096u

/* ------------------------------------------------------- process-local side */

/* How the protocol sleeps.  WAIT is called with nothing of the channel
   held unless MAY_ESCAPE is 0: it sleeps until *WORD differs from
   EXPECTED, a wake-up, DEADLINE (CLOCK_MONOTONIC, absolute) or a signal.
   Q is the sleep queue of WORD (channel-wait.h).
   When MAY_ESCAPE is non-zero it may also leave by a non-local exit (a
   Scheme signal handler that escapes).  It returns 0, or ETIMEDOUT when
   the deadline passed.  */
typedef int (*vc_ch_wait_fn) (void *arg, _Atomic uint32_t *word,
                              struct vc_ch_waitq *q, uint32_t expected,
                              const struct timespec *deadline, int may_escape);

/* One process's view of a channel.  Only SH and DATA point to shared
   memory; the rest is this process's own, checked once at attach time.  */
struct vc_ch
{
  struct vc_ch_shared *sh;
  uint8_t *data;                /* the ring, mapped twice in a row */
  uint64_t capacity;            /* the checked copy of sh->capacity */
  vc_ch_wait_fn wait;
  void *wait_arg;
  uint64_t spin_ns;             /* how long a get or put spins first */
  _Atomic uint64_t seen_tail;   /* a tail this process read: the records
                                   below it are whole, so a claim below it
                                   need not read the producers' word */
  _Atomic uint64_t next_recheck; /* CLOCK_MONOTONIC ns before which a try
                                   form does not look for the dead */
};

/* A reserved or claimed record.  */
struct vc_ch_slot
{
  uint64_t pos;                 /* position of the record */
  uint64_t size;                /* its size, header included */
  uint8_t *payload;             /* where its bytes are */
  uint64_t room;                /* bytes of payload available */
  uint64_t len;                 /* payload length (claimed records) */
};

/* What an operation came to.  */
enum vc_ch_status
{
  VC_CH_OK = 0,
  VC_CH_FULL,                   /* no space now */
  VC_CH_EMPTY,                  /* nothing to take now */
  VC_CH_CLOSED,                 /* put on a closed channel */
  VC_CH_EOF,                    /* closed and every value delivered */
  VC_CH_TOOBIG,                 /* the value can never fit */
  VC_CH_TIMEOUT,                /* the deadline passed */
  VC_CH_LOST,                   /* our reservation was given up by others,
                                   who took us for dead */
  VC_CH_CORRUPT                 /* the shared memory is not a consistent
                                   channel: see vc_ch_corruption */
};

/* What was wrong, when an operation returned VC_CH_CORRUPT: a static
   description, and the value found.  Per thread.  */
struct vc_ch_corruption
{
  const char *what;
  uint64_t value;
};
extern _Thread_local struct vc_ch_corruption vc_ch_corruption;

/* ---------------------------------------------------------------- the API */

/* Fill a fresh, zeroed header for a ring of CAPACITY bytes after
   HEADER_SIZE bytes; CREATOR is 0 or the creator's identity, NONCE a
   number unique to this creation.  The magic is written last, with a
   release store.  0, or an errno value (a sleep queue could not be
   made).  */
int vc_ch_init_shared (struct vc_ch_shared *sh, uint32_t header_size,
                        uint64_t capacity, uint64_t creator,
                        uint64_t nonce);

/* Check a mapped header of MAPPED_SIZE bytes (the whole object) and,
   when it is a channel, return VC_CH_OK and its capacity.  */
enum vc_ch_status vc_ch_check_shared (const struct vc_ch_shared *sh,
                                      uint64_t mapped_size,
                                      uint64_t *capacity);

/* The largest payload a channel can ever take.  */
uint64_t vc_ch_max_payload (const struct vc_ch *ch);

/* Reserve room for a payload of up to PAYLOAD bytes, without waiting:
   FULL when there is no room now, or when the producers' lock stays held
   for longer than a short spin.  OK: S describes the record, RESERVED by
   this process.  */
enum vc_ch_status vc_ch_try_reserve (struct vc_ch *ch, uint64_t payload,
                                     struct vc_ch_slot *s);

/* Reserve, waiting for space until DEADLINE (NULL: no deadline).  */
enum vc_ch_status vc_ch_reserve (struct vc_ch *ch, uint64_t payload,
                                 const struct timespec *deadline,
                                 struct vc_ch_slot *s);

/* Make the reserved record visible with LEN payload bytes, LEN <= room.
   OK, or LOST.  */
enum vc_ch_status vc_ch_commit (struct vc_ch *ch, struct vc_ch_slot *s,
                                uint64_t len);

/* Give a reserved record up: consumers will pass it.  */
void vc_ch_abandon (struct vc_ch *ch, struct vc_ch_slot *s);

/* Claim the next value without waiting (EMPTY also when the consumers'
   lock stays held for longer than a short spin).  OK: S describes it,
   and it is this process's until vc_ch_release.  Else EMPTY, EOF or
   CORRUPT.  */
enum vc_ch_status vc_ch_try_claim (struct vc_ch *ch, struct vc_ch_slot *s);

/* The same, also checking for life the owners of what blocks the claim
   (what a waiting claim does at each recheck).  */
enum vc_ch_status vc_ch_try_claim_recheck (struct vc_ch *ch,
                                           struct vc_ch_slot *s);

/* Claim, waiting until DEADLINE (NULL: no deadline).  */
enum vc_ch_status vc_ch_claim (struct vc_ch *ch,
                               const struct timespec *deadline,
                               struct vc_ch_slot *s);

/* The claimed value has been taken whole: free its record.  */
void vc_ch_release (struct vc_ch *ch, struct vc_ch_slot *s);

/* Close the channel (once; later calls do nothing) and wake everyone.  */
void vc_ch_close (struct vc_ch *ch);
int vc_ch_closed (const struct vc_ch *ch);

/* Non-zero when a get might find something now: a record past the claim
   point, or the channel closed.  No lock, no side effect.  */
int vc_ch_maybe_ready (struct vc_ch *ch);

/* Stricter: the record at the claim point is not still being written
   (or the channel is closed, or something looks wrong for a get to
   report).  No lock, no side effect: a hint for the readiness port.  */
int vc_ch_value_ready (struct vc_ch *ch);

/* ------------------------------------------- process identity (channel-map.c) */

/* This process's identity: its pid in bits 42-63 and its start time
   (clock ticks since boot, /proc/self/stat) in bits 0-41.  Never 0.  */
uint64_t vc_ch_self (void);

/* Non-zero unless the process ID names is certainly dead: its pid is
   gone, is a zombie with no thread left, or belongs to a process started
   at another time.  */
int vc_ch_alive (uint64_t id);

/* The current CLOCK_MONOTONIC time, and a deadline NS nanoseconds on.  */
void vc_ch_now (struct timespec *ts);
void vc_ch_deadline_after (struct timespec *ts, uint64_t ns);
int vc_ch_before (const struct timespec *a, const struct timespec *b);

/* A vc_ch_wait_fn for C programs without Guile (tests, benchmarks,
   fuzzing): vc_ch_sleep, a signal ending the sleep early.  */
int vc_ch_plain_wait (void *arg, _Atomic uint32_t *word,
                      struct vc_ch_waitq *q, uint32_t expected,
                      const struct timespec *deadline, int may_escape);

#endif /* VC_CHANNEL_RING_H */
