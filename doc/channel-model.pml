/* channel-model.pml -- a model of the channel protocol (src/channel-ring.c)
   for the spin model checker, with processes killed at every step.
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later

   Run it (Debian: apt-get install spin) with doc/channel-model.sh, which
   checks every configuration listed there, or by hand:

     spin -a -DNP=2 -DNC=2 -DK=1 -DCAP=2 doc/channel-model.pml
     cc -O2 -DSAFETY -DCOLLAPSE -o pan pan.c
     ./pan -m1000000 -w26

   "errors: 0" is the verdict.

   What is modelled.  NP producers each put K values (and stop when they
   find the channel closed), NC consumers get until the end of the
   channel, and init closes the channel at any moment, then waits for the
   others to end and checks the outcome.  The ring holds
   CAP records of one unit each (the sizes of the real records change
   nothing in the protocol but the space test).  Every shared word is read
   or written in a step of its own, as in the C code; a compare-and-swap
   is one atomic step.  Before any step, a producer or a consumer may be
   killed (at most MAXKILL in all, so that a consumer survives to drain
   the channel); a killed process stops where it is and keeps whatever it
   held.  vc_ch_alive is the array ALIVE.

   Waits.  A real waiter sleeps until a wake-up or a recheck interval,
   then looks again, and at a recheck takes over from the dead.  Here a
   blocked process waits for the condition it needs, or for a dead
   process to take over from, or for spin's `timeout' (nothing else can
   move): the recheck that ends every sleep.  Taking over is allowed at
   any time, which covers rechecks at any moment.

   What is checked.
   - No torn value: a consumer only ever takes a record whose payload was
     written whole (VAL non-zero), of the value it expects.
   - No value twice: a value is delivered (the consumer's release) at
     most once.
   - No committed value lost: at the end, every value committed (put
     returned, or its producer died after the commit) was delivered once,
     and no other value was.
   - The end of the channel is reported only once every committed value
     has been delivered.
   - A record's tag always matches the position it is read at, and a
     producer never finds its reservation given up while it lives.
   - No deadlock: spin reports any state where the surviving processes
     cannot move (an invalid end state).  */

#ifndef NP
#define NP 2
#endif
#ifndef NC
#define NC 2
#endif
#ifndef K
#define K 2
#endif
#ifndef CAP
#define CAP 2
#endif
#ifndef MAXKILL
#define MAXKILL 1
#endif

#define NV (NP * K)
#define NPROC (1 + NP + NC)

#define RESERVED 1
#define COMMITTED 2
#define CLAIMED 3
#define FREE 4
#define SKIP 5

typedef Record
{
  byte state;
  byte tag;                     /* the position it was reserved at */
  byte owner;                   /* a _pid */
  byte val                      /* 0 until the payload is written */
};

Record rec[CAP];
byte head, claim, tail;
byte plock, clock;              /* 0, or 1 + the _pid of the holder */
bool closed;
bool alive[NPROC];
byte kills;
byte running;                   /* producers still running */
byte committed[NV + 1];
byte delivered[NV + 1];

/* A producer or consumer may die before any step.  */
inline may_die ()
{
  if
  :: atomic { kills < MAXKILL -> kills++; alive[_pid] = false }; goto dead
  :: true
  fi
}

/* Locks name their holder; a waiter takes a lock whose holder is dead. */
inline lock (l)
{
  if
  :: atomic { l == 0 -> l = _pid + 1 }
  :: atomic { l != 0 && !alive[l - 1] -> l = _pid + 1 }
  fi
}

inline unlock (l)
{
  l = 0
}

/* ------------------------------------------------------------ producers */

proctype Producer (byte id)
{
  byte k, v, h, t, c, pos;
  for (k : 0 .. K - 1) {
    v = id * K + k + 1;
retry:
    may_die ();
    lock (plock);
    may_die ();
    if
    :: closed -> unlock (plock); goto finished   /* put raises */
    :: else
    fi;
    h = head;
    may_die ();
    t = tail;
    may_die ();
    c = claim;
    may_die ();
    assert (h <= c && c <= t && t - h <= CAP);
    /* advance head over FREE and SKIP records below claim */
    do
    :: h < c && (rec[h % CAP].state == FREE || rec[h % CAP].state == SKIP)
       -> assert (rec[h % CAP].tag == h); h++
    :: else -> break
    od;
    may_die ();
    head = h;
    may_die ();
    if
    :: t - h < CAP ->
       /* the header past tail: nobody reads it before the tail store */
       d_step {
         rec[t % CAP].tag = t; rec[t % CAP].owner = _pid;
         rec[t % CAP].val = 0; rec[t % CAP].state = RESERVED
       };
       may_die ();
       tail = t + 1;
       pos = t;
       may_die ();
       unlock (plock)
    :: else ->
       unlock (plock);
       /* sleep until a record may be freed, or a recheck */
       if
       :: head < claim && (rec[head % CAP].state == FREE
                           || rec[head % CAP].state == SKIP)
       :: timeout
       fi;
       goto retry
    fi;
    may_die ();
    assert (rec[pos % CAP].tag == pos && rec[pos % CAP].state == RESERVED);
    rec[pos % CAP].val = v;             /* the payload */
    may_die ();
    atomic {
      assert (rec[pos % CAP].tag == pos && rec[pos % CAP].state == RESERVED);
      rec[pos % CAP].state = COMMITTED;
      committed[v] = 1
    }
  }
finished:
  running--;
  goto end;
dead:
  running--;
end:
  skip
}

/* ------------------------------------------------------------ consumers */

proctype Consumer ()
{
  byte c, t, h, p, st, v, owner;
  bool cl;
again:
  may_die ();
  lock (clock);
  may_die ();
look:
  c = claim;
  may_die ();
  cl = closed;                  /* before tail: see channel-ring.c */
  may_die ();
  t = tail;
  may_die ();
  assert (c <= t);
  if
  :: c == t ->
     /* nothing past claim: look behind it (at a recheck, or at the end) */
     lock (plock);
     may_die ();
     h = head;
     may_die ();
     assert (h <= c);
     do
     :: h < c && (rec[h % CAP].state == FREE || rec[h % CAP].state == SKIP)
        -> h++
     :: else -> break
     od;
     head = h;
     may_die ();
     p = h;
     do
     :: p < c ->
        assert (rec[p % CAP].tag == p);
        st = rec[p % CAP].state;
        may_die ();
        assert (st != COMMITTED && st != RESERVED);
        /* Its life is looked at after its state was read: the owner may
           have freed the record and ended in between, so the state is
           read again once the owner is known dead (it then stays).  */
        owner = rec[p % CAP].owner;
        may_die ();
        if
        :: (st == CLAIMED && owner != _pid && !alive[owner]
            && rec[p % CAP].state == CLAIMED && rec[p % CAP].owner == owner) ->
           rec[p % CAP].owner = _pid;
           may_die ();
           unlock (plock);
           may_die ();
           unlock (clock);
           goto take
        :: else -> p++
        fi
     :: else -> break
     od;
     unlock (plock);
     may_die ();
     if
     :: cl && h == c ->
        unlock (clock);
        /* the end: every committed value was delivered */
        for (v : 1 .. NV) {
          assert (committed[v] == delivered[v])
        };
        goto end
     :: else
     fi;
     unlock (clock);
     /* sleep until something comes, or a recheck */
     if
     :: tail != c || closed
     :: timeout
     fi;
     goto again
  :: else
  fi;
  p = c;
  assert (rec[p % CAP].tag == p);
  st = rec[p % CAP].state;
  may_die ();
  if
  :: st == SKIP ->
     claim = c + 1;
     may_die ();
     goto look
  :: st == RESERVED ->
     owner = rec[p % CAP].owner;
     if
     :: !alive[owner] ->
        atomic {
          if
          :: rec[p % CAP].state == RESERVED -> rec[p % CAP].state = SKIP
          :: else
          fi
        };
        may_die ();
        goto look
     :: else ->
        unlock (clock);
        /* sleep until the producer commits, or a recheck */
        if
        :: rec[p % CAP].state != RESERVED || !alive[owner]
        :: timeout
        fi;
        goto again
     fi
  :: st == CLAIMED ->
     /* left by a consumer killed in this critical section */
     owner = rec[p % CAP].owner;
     assert (!alive[owner]);
     rec[p % CAP].owner = _pid
  :: st == COMMITTED ->
     rec[p % CAP].owner = _pid;
     may_die ();
     atomic {
       assert (rec[p % CAP].state == COMMITTED);
       rec[p % CAP].state = CLAIMED
     }
  :: else -> assert (false)     /* FREE at claim */
  fi;
  may_die ();
  claim = c + 1;
  may_die ();
  unlock (clock);
take:
  may_die ();
  v = rec[p % CAP].val;         /* decode the payload */
  assert (rec[p % CAP].state == CLAIMED && rec[p % CAP].owner == _pid);
  assert (v != 0);
  may_die ();
  atomic {
    assert (rec[p % CAP].state == CLAIMED && rec[p % CAP].tag == p);
    rec[p % CAP].state = FREE;
    assert (delivered[v] == 0 && committed[v] == 1);
    delivered[v] = 1
  };
  goto again;
dead:
end:
  skip
}

/* ----------------------------------------------------------------- init */

init
{
  byte i;
  atomic {
    for (i : 0 .. NPROC - 1) { alive[i] = true };
    running = NP;
    for (i : 0 .. NP - 1) { run Producer (i) };
    for (i : 1 .. NC) { run Consumer () }
  };
  /* close at any moment, under the producers' lock */
  lock (plock);
  closed = true;
  unlock (plock);
  _nr_pr == 1;                  /* every other process ended */
  for (i : 1 .. NV) {
    assert (delivered[i] == committed[i])
  }
}
