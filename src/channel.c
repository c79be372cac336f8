/* channel.c -- (vicare-compat channel): Scheme values between processes
   through a shared ring (beyond Vicare).
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later

   The protocol is in channel-ring.c, the memory in channel-map.c, the
   readiness port in channel-port.c; this file is the Scheme side:
   arguments, the FASL encoding written in place into a reserved record,
   the decoding of a claimed one, and the one function through which every
   wait of a channel sleeps (channel_wait).

   A channel is a record of (vicare-compat channel), registered here, whose
   one field is a pointer object to a malloc'd handle; a collector
   finalizer on that pointer object unmaps and frees the handle.  (Not a
   foreign object: making a foreign object type loads GOOPS, and with
   GOOPS loaded Guile keeps a class for every record type ever made,
   which the FASL reader's record types must not pay.)  Each
   operation counts itself in the handle's USERS, so that channel-detach!
   in one thread never unmaps memory another thread is using: the mapping
   goes when the last user leaves.  A waiting operation sees the detach at
   its next wake-up and raises.

   Signals.  Waits sleep outside Guile mode, through vc_wait (wait.c),
   the package's one way to wait: a signal handler runs during the wait,
   which then goes on, and a handler that escapes abandons the operation
   (nothing of the channel is held during such a wait).  So do the asyncs
   other threads queue (cancel-thread, a signal another thread took),
   within vc_wait's longest step.  Between a reservation and its commit, and
   between a claim and its release, asyncs are blocked, so a handler
   never runs while this process holds a record others wait for.  */

#include <config.h>

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <gc/gc.h>

#include "vc.h"
#include "fasl.h"
#include "channel-map.h"
#include "channel-port.h"

/* ---------------------------------------------------------------- handles */

struct handle
{
  struct vc_ch ch;
  struct vc_ch_mapping map;
  _Atomic int users;            /* operations in flight, +1 while attached */
  _Atomic int detached;
  pthread_mutex_t mutex;        /* guards detaching and the port */
  char *name;                   /* malloc'd, or NULL when anonymous */
  uint64_t creator;             /* identity of the process that made the
                                   name, 0 when this handle opened it */
  uint64_t nonce;               /* of the channel this handle made */
  struct vc_ch_watcher *watcher;
  SCM port;                     /* protected, or #f */
};

/* The record type <channel>, registered by (vicare-compat channel).  */
static SCM channel_type = SCM_BOOL_F;

static int
channel_p (SCM obj)
{
  return SCM_STRUCTP (obj) && scm_is_eq (SCM_STRUCT_VTABLE (obj), channel_type);
}

static struct handle *
handle_of (SCM ch)
{
  return SCM_POINTER_VALUE (SCM_STRUCT_SLOT_REF (ch, 0));
}

/* The handle of argument CH of WHO, attached or not (not counted as a
   user: for what needs no mapping).  */
static struct handle *
handle_arg (SCM ch, const char *who)
{
  if (!channel_p (ch))
    vc_raise_argument (who, 1, "channel?", ch);
  return handle_of (ch);
}

/* The default spin, in nanoseconds.  */
#define DEFAULT_SPIN_NS 20000u

static void finalize_handle (void *cell, void *data);
static int channel_wait (void *arg, _Atomic uint32_t *word,
                         struct vc_ch_waitq *q, uint32_t expected,
                         const struct timespec *deadline, int may_escape);

/* ---------------------------------------------------------------- errors */

/* Conditions of the channel's own types are built by %channel-raise, in
   (vicare-compat channel).  */
static VC_NORETURN void
channel_raise (const char *kind, const char *who, const char *message,
               SCM irritants)
{
  static SCM proc = SCM_BOOL_F;
  if (scm_is_false (proc))
    proc = scm_permanent_object (scm_c_private_ref ("vicare-compat channel",
                                                    "%channel-raise"));
  scm_call_4 (proc, scm_from_utf8_symbol (kind), scm_from_utf8_symbol (who),
              scm_from_utf8_string (message), irritants);
  abort ();                     /* %channel-raise does not return */
}

static VC_NORETURN void
raise_corrupt (const char *who, SCM ch)
{
  char msg[160];
  snprintf (msg, sizeof msg, "corrupt channel: %s",
            vc_ch_corruption.what ? vc_ch_corruption.what : "?");
  channel_raise ("corrupt", who, msg,
                 scm_list_2 (ch, scm_from_uint64 (vc_ch_corruption.value)));
}

/* Raise for a status that is neither a value nor an ordinary "no".  */
static VC_NORETURN void
raise_status (enum vc_ch_status st, const char *who, SCM ch)
{
  switch (st)
    {
    case VC_CH_CLOSED:
      channel_raise ("closed", who, "channel is closed", scm_list_1 (ch));
    case VC_CH_LOST:
      vc_ch_corruption.what = "this process's reservation was given up by "
        "another process, which took it for dead";
      vc_ch_corruption.value = 0;
      raise_corrupt (who, ch);
    default:
      raise_corrupt (who, ch);
    }
}

/* -------------------------------------------------------- handle lifetime */

/* Unmap when the last user leaves.  */
static void
handle_leave (struct handle *h)
{
  if (atomic_fetch_sub (&h->users, 1) == 1)
    vc_ch_unmap (&h->map);
}

static void
handle_leave_void (void *h)
{
  handle_leave (h);
}

/* The handle of argument CH (the first) of WHO, counted as a user until
   handle_leave.  */
static struct handle *
handle_enter (SCM ch, const char *who)
{
  struct handle *h = handle_arg (ch, who);
  int u = atomic_load (&h->users);
  do
    if (u == 0 || atomic_load (&h->detached))
      vc_raise_argument (who, 1, "attached-channel?", ch);
  while (!atomic_compare_exchange_weak (&h->users, &u, u + 1));
  return h;
}

/* Names made by this process, unlinked at exit unless unlinked before:
   only by the process that made them, never by a forked child.  */
struct made_name
{
  struct made_name *next;
  uint64_t creator, nonce;
  char name[];
};

static pthread_mutex_t made_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct made_name *made_names;

/* Held across fork, so that the child never inherits it locked by a
   thread it does not have.  */
static void
made_lock (void)
{
  pthread_mutex_lock (&made_mutex);
}

static void
made_unlock (void)
{
  pthread_mutex_unlock (&made_mutex);
}

static void
remember_made_name (const char *name, uint64_t creator, uint64_t nonce)
{
  struct made_name *m = malloc (sizeof *m + strlen (name) + 1);
  if (!m)
    return;                     /* then only channel-detach! unlinks it */
  m->creator = creator;
  m->nonce = nonce;
  strcpy (m->name, name);
  pthread_mutex_lock (&made_mutex);
  m->next = made_names;
  made_names = m;
  pthread_mutex_unlock (&made_mutex);
}

/* Forget the channel NONCE made under NAME (every channel made under it
   when NONCE is 0); return non-zero when this process made it.  */
static int
forget_made_name (const char *name, uint64_t nonce)
{
  uint64_t me = vc_ch_self ();
  int mine = 0;
  pthread_mutex_lock (&made_mutex);
  for (struct made_name **p = &made_names; *p;)
    {
      struct made_name *m = *p;
      if (strcmp (m->name, name) == 0 && (nonce == 0 || m->nonce == nonce))
        {
          mine |= m->creator == me;
          *p = m->next;
          free (m);
        }
      else
        p = &m->next;
    }
  pthread_mutex_unlock (&made_mutex);
  return mine;
}

/* Unlink NAME if its object is still the channel NONCE this process
   made (a later channel of the same name is left alone).  */
static void
unlink_if_ours (const char *name, uint64_t nonce)
{
  struct vc_ch ch;
  struct vc_ch_mapping m;
  if (vc_ch_open (name, &ch, &m) != 0)
    return;
  uint64_t creator = atomic_load (&ch.sh->creator);
  uint64_t found = *(volatile uint64_t *) &ch.sh->nonce;
  vc_ch_unmap (&m);
  if (creator == vc_ch_self () && found == nonce)
    shm_unlink (name);
}

static void
unlink_made_names_at_exit (void)
{
  uint64_t me = vc_ch_self ();
  pthread_mutex_lock (&made_mutex);
  for (struct made_name *m = made_names; m; m = m->next)
    if (m->creator == me)
      unlink_if_ours (m->name, m->nonce);
  pthread_mutex_unlock (&made_mutex);
}

/* ------------------------------------------------------------------ waits */

/* The name of the operation a thread is in, for the conditions raised
   from inside a wait.  */
static _Thread_local const char *current_who = "channel";

struct sleep_call
{
  _Atomic uint32_t *word;
  struct vc_ch_waitq *q;
  uint32_t expected;
  const struct timespec *deadline;
  int err;                      /* 0, or ETIMEDOUT when DEADLINE passed */
};

/* One attempt of a sleep through vc_wait: until a wake-up, the deadline,
   or STEP nanoseconds (a futex cannot watch WAKE_FD).  */
static int
sleep_attempt (void *data, int64_t step, int wake_fd)
{
  struct sleep_call *c = data;
  (void) wake_fd;
  struct timespec until = *c->deadline;
  int stepped = 0;
  struct timespec s = vc_clock_after (CLOCK_MONOTONIC, step);
  if (vc_timespec_before (&s, &until))
    {
      until = s;
      stepped = 1;
    }
  int r = vc_ch_sleep (c->word, c->q, c->expected, &until);
  if (r == EINTR)
    return EINTR;
  if (r == ETIMEDOUT && stepped)
    return ETIMEDOUT;
  c->err = r == ETIMEDOUT ? ETIMEDOUT : 0;
  return 0;
}

static void *
do_sleep (void *data)
{
  struct sleep_call *c = data;
  c->err = vc_ch_sleep (c->word, c->q, c->expected, c->deadline);
  return NULL;
}

/* Every wait of a channel sleeps here (see vc_ch_wait_fn): through
   vc_wait, so that a signal handler runs during the wait and one that
   escapes abandons it; or, when the protocol holds a lock (MAY_ESCAPE
   is 0), with asyncs left for later.  */
static int
channel_wait (void *arg, _Atomic uint32_t *word, struct vc_ch_waitq *q,
              uint32_t expected, const struct timespec *deadline,
              int may_escape)
{
  struct handle *h = arg;
  struct sleep_call c = { word, q, expected, deadline, 0 };
  /* Woken already (a third of the sleeps of a ping-pong): leaving Guile
     mode would cost a system call (libgc saves the registers with
     getcontext), and the sleep another.  */
  if (atomic_load_explicit (word, memory_order_acquire) != expected)
    return 0;
  if (!may_escape)
    {
      scm_without_guile (do_sleep, &c);
      return c.err == ETIMEDOUT ? ETIMEDOUT : 0;
    }
  vc_wait (sleep_attempt, &c);
  if (atomic_load (&h->detached))
    vc_raise_assertion (current_who, "channel detached while waiting",
                        SCM_EOL);
  return c.err;
}

/* -------------------------------------------------------------- arguments */

/* TIMEOUT in seconds: #f or +inf.0 for none (return NULL), else a
   non-negative real; *ZERO is set when it is 0.  */
static const struct timespec *
deadline_arg (SCM timeout, int pos, const char *who, struct timespec *ts,
              int *zero)
{
  *zero = 0;
  if (SCM_UNBNDP (timeout) || scm_is_false (timeout))
    return NULL;
  if (!scm_is_real (timeout))
    vc_raise_argument (who, pos, "non-negative-real?", timeout);
  double s = scm_to_double (timeout);
  if (!(s >= 0))
    vc_raise_argument (who, pos, "non-negative-real?", timeout);
  if (s >= 1e9)
    return NULL;                /* over 31 years: no deadline */
  *zero = s == 0;
  vc_ch_deadline_after (ts, (uint64_t) (s * 1e9));
  return ts;
}

/* A channel name (PREDICATE "channel-name?"): a string "/NAME" or "NAME",
   NAME without '/' or NUL, at most 255 bytes; or the beginning of one
   ("channel-name-prefix?"), which may be empty.  Return "/NAME" in
   memory freed with the dynwind context.  */
static char *
name_like_arg (SCM name, int pos, const char *who, const char *predicate)
{
  int prefix = strcmp (predicate, "channel-name-prefix?") == 0;
  if (!scm_is_string (name))
    vc_raise_argument (who, pos, predicate, name);
  size_t len;
  char *utf8 = scm_to_utf8_stringn (name, &len);
  scm_dynwind_free (utf8);
  const char *base = utf8[0] == '/' ? utf8 + 1 : utf8;
  size_t blen = len - (size_t) (base - utf8);
  if ((blen == 0 && !prefix) || blen > 255 || memchr (base, '/', blen)
      || memchr (base, '\0', blen)
      || (!prefix && (strcmp (base, ".") == 0 || strcmp (base, "..") == 0)))
    vc_raise_argument (who, pos, predicate, name);
  char *full = malloc (blen + 2);
  if (!full)
    vc_raise_out_of_memory (who);
  scm_dynwind_free (full);
  full[0] = '/';
  memcpy (full + 1, base, blen + 1);
  return full;
}

static char *
name_arg (SCM name, int pos, const char *who)
{
  return name_like_arg (name, pos, who, "channel-name?");
}

static uint64_t
spin_arg (SCM spin, int pos, const char *who)
{
  if (SCM_UNBNDP (spin) || scm_is_false (spin))
    return DEFAULT_SPIN_NS;
  if (!scm_is_real (spin))
    vc_raise_argument (who, pos, "spin-seconds?", spin);
  double s = scm_to_double (spin);
  if (!(s >= 0) || s > 10)
    vc_raise_argument (who, pos, "spin-seconds?", spin);
  return (uint64_t) (s * 1e9);
}

/* An operation in progress: its handle and its deadline.  */
struct op
{
  struct handle *h;
  struct timespec ts;
  const struct timespec *deadline;      /* NULL: none */
  int zero;                             /* a timeout of 0: do not wait */
  void (*cleanup) (void *);             /* also run when the context ends */
  void *cleanup_data;
};

static void
op_end (void *data)
{
  struct op *op = data;
  if (op->cleanup)
    op->cleanup (op->cleanup_data);
  handle_leave (op->h);
}

/* Begin WHO on CH with TIMEOUT (argument TIMEOUT_POS): count it as a user
   of the handle and open the dynwind context that uncounts it (and calls
   CLEANUP, if not NULL, before), which the caller ends.  */
static void
op_begin (struct op *op, SCM ch, SCM timeout, int timeout_pos,
          const char *who, void (*cleanup) (void *), void *cleanup_data)
{
  op->h = handle_enter (ch, who);
  op->cleanup = cleanup;
  op->cleanup_data = cleanup_data;
  scm_dynwind_begin (0);
  scm_dynwind_unwind_handler (op_end, op, SCM_F_WIND_EXPLICITLY);
  op->deadline = deadline_arg (timeout, timeout_pos, who, &op->ts,
                               &op->zero);
  current_who = who;
}

/* ---------------------------------------------------------- make and open */

static SCM
new_channel (struct vc_ch *ch, struct vc_ch_mapping *m, const char *name,
             uint64_t creator, uint64_t spin_ns)
{
  struct handle *h = calloc (1, sizeof *h);
  char *copy = name ? strdup (name) : NULL;
  if (!h || (name && !copy))
    {
      free (h);
      free (copy);
      vc_ch_unmap (m);
      vc_raise_out_of_memory ("make-channel");
    }
  h->ch = *ch;
  h->ch.wait = channel_wait;
  h->ch.wait_arg = h;
  h->ch.spin_ns = spin_ns;
  h->map = *m;
  atomic_init (&h->users, 1);
  atomic_init (&h->detached, 0);
  pthread_mutex_init (&h->mutex, NULL);
  h->name = copy;
  h->creator = creator;
  h->nonce = ch->sh->nonce;
  h->port = SCM_BOOL_F;
  SCM ptr = vc_fresh_pointer (h);
  GC_register_finalizer_no_order (SCM2PTR (ptr), finalize_handle, NULL, NULL,
                                  NULL);
  return ptr;
}

/* The argument positions of the optional values are given by the
   Scheme side, which parses the keywords (0 when absent).  */
static int
position_arg (SCM pos)
{
  return SCM_I_INUMP (pos) ? (int) SCM_I_INUM (pos) : 0;
}

static SCM
channel_make (SCM capacity, SCM name, SCM name_pos, SCM spin, SCM spin_pos)
{
  static const char who[] = "make-channel";
  scm_dynwind_begin (0);
  size_t bytes = VC_SIZE_ARG (capacity, 1, who);
  if (bytes == 0)
    vc_raise_argument (who, 1, "positive-integer?", capacity);
  uint64_t cap = vc_ch_round_capacity (bytes);
  if (cap == 0)
    vc_raise_consistency (who, "capacity too large", scm_list_1 (capacity));
  char *path = scm_is_false (name)
    ? NULL : name_arg (name, position_arg (name_pos), who);
  uint64_t spin_ns = spin_arg (spin, position_arg (spin_pos), who);
  struct vc_ch ch;
  struct vc_ch_mapping m;
  int err = vc_ch_create (path, 0600, cap, &ch, &m);
  if (err)
    vc_raise_errno (who, err, path ? scm_list_2 (capacity, name)
                                   : scm_list_1 (capacity));
  uint64_t creator = path ? vc_ch_self () : 0;
  if (path)
    remember_made_name (path, creator, ch.sh->nonce);
  SCM obj = new_channel (&ch, &m, path, creator, spin_ns);
  scm_dynwind_end ();
  return obj;
}

static SCM
channel_open (SCM name, SCM spin, SCM spin_pos)
{
  static const char who[] = "open-channel";
  scm_dynwind_begin (0);
  char *path = name_arg (name, 1, who);
  uint64_t spin_ns = spin_arg (spin, position_arg (spin_pos), who);
  struct vc_ch ch;
  struct vc_ch_mapping m;
  int err = vc_ch_open (path, &ch, &m);
  if (err == VC_CH_OTHER_PIDNS)
    channel_raise ("error", who, "channel made in another pid namespace: "
                   "its processes cannot tell this one alive from dead",
                   scm_list_1 (name));
  if (err < 0)
    raise_corrupt (who, name);
  if (err)
    vc_raise_errno (who, err, scm_list_1 (name));
  SCM obj = new_channel (&ch, &m, path, 0, spin_ns);
  scm_dynwind_end ();
  return obj;
}

/* -------------------------------------------------------------------- put */

/* Values whose encoding may take up to this many bytes are encoded into a
   buffer of the thread, then copied into a record of their exact size:
   the encoder needs room past the end of what it writes, which, in
   place, would stay unused in every small record.  Larger values are
   encoded in place when there is room.  */
#define SMALL_ENCODING 8192
static _Thread_local uint8_t small_buffer[SMALL_ENCODING];

struct put
{
  struct handle *h;
  struct vc_ch_slot slot;
  int reserved;                 /* SLOT is ours, not committed */
  enum vc_ch_status status;     /* an error met on the way, or OK */
  uint8_t *bytes;               /* the encoding, when not in place */
  int owned;                    /* BYTES is ours to free */
};

/* The encoder asks where to write BOUND bytes at most.  */
static uint8_t *
put_destination (void *data, size_t bound)
{
  struct put *p = data;
  if (bound <= SMALL_ENCODING)
    return p->bytes = small_buffer;
  if (bound <= vc_ch_max_payload (&p->h->ch))
    {
      enum vc_ch_status st = vc_ch_try_reserve (&p->h->ch, bound, &p->slot);
      if (st == VC_CH_OK)
        {
          p->reserved = 1;
          return p->slot.payload;
        }
      if (st != VC_CH_FULL)
        p->status = st;
    }
  p->bytes = malloc (bound);
  if (!p->bytes)
    vc_raise_out_of_memory (current_who);
  p->owned = 1;
  return p->bytes;
}

static void
put_abandon (void *data)
{
  struct put *p = data;
  if (p->reserved)
    vc_ch_abandon (&p->h->ch, &p->slot);
  p->reserved = 0;
}

static void
put_free (void *data)
{
  struct put *p = data;
  if (p->owned)
    free (p->bytes);
  p->owned = 0;
}

/* Copy the LEN bytes of the encoding into the record just reserved, and
   commit it.  */
static void
put_copy (struct put *p, size_t len, const char *who, SCM ch)
{
  memcpy (p->slot.payload, p->bytes, len);
  enum vc_ch_status st = vc_ch_commit (&p->h->ch, &p->slot, len);
  if (st != VC_CH_OK)
    raise_status (st, who, ch);
}

static SCM
put (SCM ch, SCM obj, SCM timeout, const char *who, int timeout_pos)
{
  struct op op;
  struct put p = { NULL, { 0 }, 0, VC_CH_OK, NULL, 0 };
  op_begin (&op, ch, timeout, timeout_pos, who, put_free, &p);
  struct handle *h = p.h = op.h;
  uint64_t max = vc_ch_max_payload (&h->ch);

  /* Encode, and put the value in if there is room now.  No async runs
     from a reservation to its commit, nor while the encoding is in the
     thread's buffer.  */
  size_t len;
  int done = 0;
  scm_dynwind_begin (0);
  scm_dynwind_block_asyncs ();
  scm_dynwind_unwind_handler (put_abandon, &p, 0);
  uint8_t *bytes = vc_fasl_encode (obj, SCM_EOL, who, put_destination, &p,
                                   &len);
  if (p.reserved && bytes == p.slot.payload)
    {
      enum vc_ch_status st = vc_ch_commit (&h->ch, &p.slot, len);
      p.reserved = 0;
      if (st != VC_CH_OK)
        raise_status (st, who, ch);
      done = 1;
    }
  else
    {
      put_abandon (&p);
      if (bytes != p.bytes)
        {
          /* The datum grew while it was written (another thread): the
             encoder made a buffer of its own.  */
          put_free (&p);
          p.bytes = bytes;
          p.owned = 1;
        }
      if (len <= max && p.status == VC_CH_OK)
        {
          enum vc_ch_status st = vc_ch_try_reserve (&h->ch, len, &p.slot);
          if (st == VC_CH_OK)
            {
              put_copy (&p, len, who, ch);
              done = 1;
            }
          else if (st != VC_CH_FULL)
            p.status = st;
          else if (!op.zero && p.bytes == small_buffer)
            {
              /* We are going to wait, and a signal handler may put too. */
              p.bytes = malloc (len);
              if (!p.bytes)
                vc_raise_out_of_memory (who);
              memcpy (p.bytes, small_buffer, len);
              p.owned = 1;
            }
        }
    }
  scm_dynwind_end ();

  if (!done)
    {
      if (len > max)
        vc_raise_consistency (who, "value larger than the channel's capacity",
                              scm_list_2 (scm_from_size_t (len),
                                          scm_from_uint64 (h->ch.capacity)));
      if (p.status != VC_CH_OK)
        raise_status (p.status, who, ch);
      if (!op.zero)
        {
          enum vc_ch_status st = vc_ch_reserve (&h->ch, len, op.deadline,
                                                &p.slot);
          if (st == VC_CH_OK)
            {
              put_copy (&p, len, who, ch);
              done = 1;
            }
          else if (st != VC_CH_FULL && st != VC_CH_TIMEOUT)
            raise_status (st, who, ch);
        }
    }
  scm_dynwind_end ();
  scm_remember_upto_here_1 (ch);
  return scm_from_bool (done);
}

static SCM
channel_put (SCM ch, SCM obj, SCM timeout, SCM timeout_pos)
{
  return put (ch, obj, timeout, "channel-put!", position_arg (timeout_pos));
}

static SCM
channel_try_put (SCM ch, SCM obj)
{
  return put (ch, obj, scm_from_int (0), "channel-try-put!", 3);
}

/* -------------------------------------------------------------------- get */

struct take
{
  struct handle *h;
  struct vc_ch_slot *slot;
};

/* The value could not be decoded: it is dropped, so that it does not
   stop every consumer in turn.  */
static void
take_drop (void *data)
{
  struct take *t = data;
  if (t->slot)
    vc_ch_release (&t->h->ch, t->slot);
}

/* Decode the claimed value S and free its record.  Call in the dynwind
   context of the get, which it adds to: the get waits no more.  */
static SCM
take (struct take *t, const char *who)
{
  struct vc_ch_slot *s = t->slot;
  scm_dynwind_block_asyncs ();
  scm_dynwind_unwind_handler (take_drop, t, 0);
  size_t used;
  SCM v = vc_fasl_decode_who (s->payload, s->len, &used, who);
  if (used != s->len)
    vc_raise_fasl_read (who, "trailing bytes after the datum", used, 0,
                        scm_list_1 (scm_from_size_t (s->len - used)));
  t->slot = NULL;
  vc_ch_release (&t->h->ch, s);
  return v;
}

/* The claimed value S into the bytevector BV, when S is the encoding of
   one bytevector that fits in BV: copy its bytes, free the record, and
   return how many there were.  Else return -1 and leave S claimed (the
   caller decodes it as a get does).  Only S's bytes are read, each
   once; a hostile length fails the test and goes to the decoder.  */
static int64_t
take_into (struct take *t, SCM bv)
{
  struct vc_ch_slot *s = t->slot;
  const uint64_t head = VC_FASL_HEADER_SIZE + 1 + 8;
  if (s->len < head)
    return -1;
  const uint8_t *p = s->payload;
  if (memcmp (p, VC_FASL_HEADER, VC_FASL_HEADER_SIZE) != 0
      || p[VC_FASL_HEADER_SIZE] != 'v')
    return -1;
  uint64_t n = vc_fasl_load64 (p + VC_FASL_HEADER_SIZE + 1);
  if (n != s->len - head || n > SCM_BYTEVECTOR_LENGTH (bv))
    return -1;
  memcpy (SCM_BYTEVECTOR_CONTENTS (bv), p + head, n);
  t->slot = NULL;
  vc_ch_release (&t->h->ch, s);
  return (int64_t) n;
}

/* A get of this process found nothing: the port, if any, stops being
   readable.  Return non-zero when the watcher asked for a recheck.  */
static int
port_reset (struct handle *h, int take_recheck)
{
  int recheck = 0;
  pthread_mutex_lock (&h->mutex);
  struct vc_ch_watcher *w = h->watcher;
  if (w && vc_ch_watcher_pid (w) == getpid ())
    {
      if (take_recheck)
        recheck = vc_ch_watcher_take_recheck (w);
      else
        vc_ch_watcher_reset (w);
    }
  pthread_mutex_unlock (&h->mutex);
  return recheck;
}

/* A get; with INTO a bytevector (else SCM_UNDEFINED), the get of
   channel-get-into!, which returns two values.  */
static SCM
get (SCM ch, SCM timeout, SCM dflt, const char *who, int timeout_pos,
     SCM into)
{
  struct op op;
  if (!SCM_UNBNDP (into) && !scm_is_bytevector (into))
    vc_raise_argument (who, 2, "bytevector?", into);
  /* (A literal's bytes may lie in read-only memory.)  */
  if (!SCM_UNBNDP (into) && !SCM_MUTABLE_BYTEVECTOR_P (into))
    vc_raise_argument (who, 2, "mutable-bytevector?", into);
  op_begin (&op, ch, timeout, timeout_pos, who, NULL, NULL);
  struct handle *h = op.h;
  struct vc_ch_slot s;
  enum vc_ch_status st;
  if (op.zero)
    st = h->watcher && port_reset (h, 1)
      ? vc_ch_try_claim_recheck (&h->ch, &s) : vc_ch_try_claim (&h->ch, &s);
  else
    st = vc_ch_claim (&h->ch, op.deadline, &s);
  SCM result = dflt, count = SCM_BOOL_F;
  switch (st)
    {
    case VC_CH_OK:
      {
        struct take t = { h, &s };
        int64_t n = SCM_UNBNDP (into) ? -1 : take_into (&t, into);
        if (n >= 0)
          {
            count = scm_from_int64 (n);
            result = into;
          }
        else
          result = take (&t, who);
        break;
      }
    case VC_CH_EMPTY:
    case VC_CH_TIMEOUT:
      if (h->watcher)
        port_reset (h, 0);
      break;
    case VC_CH_EOF:
      result = SCM_EOF_VAL;
      break;
    default:
      raise_status (st, who, ch);
    }
  scm_dynwind_end ();
  scm_remember_upto_here_1 (ch);
  if (SCM_UNBNDP (into))
    return result;
  return scm_values_2 (count, result);
}

static SCM
channel_get (SCM ch, SCM timeout, SCM timeout_pos, SCM dflt, SCM dflt_pos)
{
  (void) dflt_pos;              /* any object will do */
  return get (ch, timeout, dflt, "channel-get", position_arg (timeout_pos),
              SCM_UNDEFINED);
}

static SCM
channel_get_into (SCM ch, SCM bv, SCM timeout, SCM timeout_pos, SCM dflt,
                  SCM dflt_pos)
{
  (void) dflt_pos;              /* any object will do */
  return get (ch, timeout, dflt, "channel-get-into!",
              position_arg (timeout_pos), bv);
}

static SCM
channel_try_get (SCM ch, SCM dflt)
{
  return get (ch, scm_from_int (0), SCM_UNBNDP (dflt) ? SCM_BOOL_F : dflt,
              "channel-try-get", 0, SCM_UNDEFINED);
}

/* ------------------------------------------------------- close and detach */

static SCM
channel_close (SCM ch)
{
  struct handle *h = handle_enter (ch, "channel-close!");
  vc_ch_close (&h->ch);
  handle_leave (h);
  scm_remember_upto_here_1 (ch);
  return SCM_UNSPECIFIED;
}

static SCM
channel_closed_p (SCM ch)
{
  struct handle *h = handle_enter (ch, "channel-closed?");
  int closed = vc_ch_closed (&h->ch);
  handle_leave (h);
  scm_remember_upto_here_1 (ch);
  return scm_from_bool (closed);
}

/* Stop this process's watcher and let go of its port.  Hold the mutex.  */
static void
drop_port (struct handle *h, int close)
{
  if (h->watcher)
    vc_ch_watcher_stop (h->watcher);
  h->watcher = NULL;
  if (scm_is_true (h->port))
    {
      if (close)
        scm_close_port (h->port);
      scm_gc_unprotect_object (h->port);
    }
  h->port = SCM_BOOL_F;
}

/* Wake every sleeper of this channel, so that the waits of this process
   see it detached (others see a spurious wake-up).  */
static void
wake_everyone (struct vc_ch *ch)
{
  struct vc_ch_shared *sh = ch->sh;
  _Atomic uint32_t *words[] = { &sh->data_seq, &sh->space_seq,
                                &sh->plock_seq, &sh->clock_seq };
  struct vc_ch_waitq *queues[] = { &sh->data_q, &sh->space_q, &sh->plock_q,
                                   &sh->clock_q };
  for (size_t i = 0; i < sizeof words / sizeof *words; i++)
    {
      atomic_fetch_add (words[i], 1);
      vc_ch_wake_all (words[i], queues[i]);
    }
}

static SCM
channel_detach (SCM ch)
{
  struct handle *h = handle_arg (ch, "channel-detach!");
  pthread_mutex_lock (&h->mutex);
  if (atomic_exchange (&h->detached, 1))
    {
      pthread_mutex_unlock (&h->mutex);
      return SCM_UNSPECIFIED;
    }
  drop_port (h, 1);
  pthread_mutex_unlock (&h->mutex);
  wake_everyone (&h->ch);
  if (h->name && h->creator == vc_ch_self ()
      && forget_made_name (h->name, h->nonce))
    unlink_if_ours (h->name, h->nonce);
  handle_leave (h);
  scm_remember_upto_here_1 (ch);
  return SCM_UNSPECIFIED;
}

/* The collector finalizer of the pointer object of a channel: nothing
   uses the handle any more.  */
static void
finalize_handle (void *cell, void *data)
{
  (void) data;
  struct handle *h = (void *) ((scm_t_bits *) cell)[1];
  if (!atomic_exchange (&h->detached, 1))
    {
      pthread_mutex_lock (&h->mutex);
      drop_port (h, 0);
      pthread_mutex_unlock (&h->mutex);
      handle_leave (h);
    }
  if (atomic_load (&h->users) == 0)
    {
      pthread_mutex_destroy (&h->mutex);
      free (h->name);
      free (h);
    }
}

static SCM
channel_unlink (SCM name)
{
  static const char who[] = "channel-unlink!";
  scm_dynwind_begin (0);
  char *path = name_arg (name, 1, who);
  forget_made_name (path, 0);
  if (shm_unlink (path) != 0)
    vc_raise_errno (who, errno, scm_list_1 (name));
  scm_dynwind_end ();
  return SCM_UNSPECIFIED;
}

static int
unlink_stale (void *data, const char *name)
{
  if (shm_unlink (name) == 0)
    *(SCM *) data = scm_cons (scm_from_utf8_string (name), *(SCM *) data);
  return 0;
}

static SCM
channel_unlink_stale (SCM prefix)
{
  static const char who[] = "channel-unlink-stale!";
  scm_dynwind_begin (0);
  const char *start = SCM_UNBNDP (prefix)
    ? "/" : name_like_arg (prefix, 1, who, "channel-name-prefix?");
  SCM names = SCM_EOL;
  int err = vc_ch_each_stale (start, unlink_stale, &names);
  if (err)
    vc_raise_errno (who, err, SCM_EOL);
  scm_dynwind_end ();
  return scm_reverse_x (names, SCM_EOL);
}

/* ------------------------------------------------------ port and queries */

static SCM
channel_port (SCM ch)
{
  static const char who[] = "channel-port";
  struct handle *h = handle_enter (ch, who);
  scm_dynwind_begin (0);
  scm_dynwind_unwind_handler (handle_leave_void, h, SCM_F_WIND_EXPLICITLY);
  scm_dynwind_pthread_mutex_lock (&h->mutex);
  if (h->watcher && vc_ch_watcher_pid (h->watcher) != getpid ())
    drop_port (h, 0);           /* a forked child's copy of its parent's */
  if (!h->watcher)
    {
      int err = vc_ch_watcher_start (&h->ch, &h->watcher);
      if (err)
        vc_raise_errno (who, err, scm_list_1 (ch));
    }
  if (scm_is_false (h->port))
    {
      int fd = vc_ch_watcher_dup_fd (h->watcher);
      if (fd < 0)
        vc_raise_errno (who, errno, scm_list_1 (ch));
      SCM port = scm_fdes_to_port (fd, "r0",
                                   scm_from_utf8_string (h->name ? h->name
                                                         : "channel"));
      h->port = scm_gc_protect_object (port);
    }
  SCM port = h->port;
  scm_dynwind_end ();
  scm_remember_upto_here_1 (ch);
  return port;
}

static SCM
channel_capacity (SCM ch)
{
  struct handle *h = handle_enter (ch, "channel-capacity");
  uint64_t cap = h->ch.capacity;
  handle_leave (h);
  scm_remember_upto_here_1 (ch);
  return scm_from_uint64 (cap);
}

static SCM
channel_name (SCM ch)
{
  struct handle *h = handle_arg (ch, "channel-name");
  return h->name ? scm_from_utf8_string (h->name) : SCM_BOOL_F;
}

/* ------------------------------------------------------------------- init */

/* How this build's channel waits sleep (channel-wait.h), for the tests
   that run with the fallback forced.  */
static SCM
channel_wait_kind (void)
{
  return scm_from_utf8_symbol (vc_ch_wait_name);
}

static SCM
register_channel_type (SCM type)
{
  if (scm_is_false (channel_type))
    channel_type = scm_permanent_object (type);
  return SCM_UNSPECIFIED;
}

void
vc_init_channel (void)
{
  static int once = 0;
  if (!once)
    {
      once = 1;
      atexit (unlink_made_names_at_exit);
      pthread_atfork (made_lock, made_unlock, made_unlock);
    }
  vc_define ("%vc-register-channel-type!", 1, 0, 0,
             (scm_t_subr) register_channel_type);
  vc_define ("%vc-channel-make", 5, 0, 0, (scm_t_subr) channel_make);
  vc_define ("%vc-channel-open", 3, 0, 0, (scm_t_subr) channel_open);
  vc_define ("%vc-channel-put", 4, 0, 0, (scm_t_subr) channel_put);
  vc_define ("channel-try-put!", 2, 0, 0, (scm_t_subr) channel_try_put);
  vc_define ("%vc-channel-get", 5, 0, 0, (scm_t_subr) channel_get);
  vc_define ("%vc-channel-get-into", 6, 0, 0, (scm_t_subr) channel_get_into);
  vc_define ("channel-try-get", 1, 1, 0, (scm_t_subr) channel_try_get);
  vc_define ("channel-close!", 1, 0, 0, (scm_t_subr) channel_close);
  vc_define ("channel-closed?", 1, 0, 0, (scm_t_subr) channel_closed_p);
  vc_define ("channel-detach!", 1, 0, 0, (scm_t_subr) channel_detach);
  vc_define ("channel-unlink!", 1, 0, 0, (scm_t_subr) channel_unlink);
  vc_define ("channel-unlink-stale!", 0, 1, 0,
             (scm_t_subr) channel_unlink_stale);
  vc_define ("channel-port", 1, 0, 0, (scm_t_subr) channel_port);
  vc_define ("channel-capacity", 1, 0, 0, (scm_t_subr) channel_capacity);
  vc_define ("channel-name", 1, 0, 0, (scm_t_subr) channel_name);
  vc_define ("%vc-channel-wait-kind", 0, 0, 0,
             (scm_t_subr) channel_wait_kind);
}
