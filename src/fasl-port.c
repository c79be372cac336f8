/* fasl-port.c -- fasl-write and fasl-read: the codec on ports.
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later

   Writing.  The encoder hands its output over a buffer at a time (at
   most 256 KiB), and big bytevectors straight from the datum; each
   piece goes to the port with one scm_c_write_bytes, so an unbuffered
   port sees one write per piece: one per datum for messages.

   Reading.  fasl-read takes exactly the datum's bytes from the port, so
   that several data can follow each other on a pipe or socket, and a
   blocking read waits only for bytes that must come: every read asks
   for the bytes the datum surely still needs, those of the object
   being read plus one per object its open containers still expect.

   - A buffered port: the decoder pulls from it as it goes (a
     vc_fasl_source): first what the port's buffer holds, then reads of
     the bytes surely needed.  Those taken past the end of the datum go
     back to the port (scm_unget_bytes), where a buffered port would
     have held them anyway.  One pass, no scan.
   - An unbuffered port: the scanner of fasl-read.c finds the end of
     the datum as its bytes are read, with reads of the bytes surely
     needed; then the decoder decodes them.  No byte past the datum is
     taken from the file descriptor.  That is a few reads per datum,
     more for long lists of small objects (each read covers a part of
     what is left), never one per byte.
   - An unbuffered socket whose buffer is empty is peeked at (MSG_PEEK,
     waiting until something arrives, through vc_wait): the scanner
     finds the end of the datum among the bytes that have arrived, and
     exactly those are read, so a message costs one peek and one read.

   After an error, the port is left where the manual says: past the
   faulty datum when its end can be found from its bytes (reading the
   rest of it if need be), else past the first byte where no datum can
   have what is there, else (the input ended) at the end of the input;
   an exception that is not the decoder's (the port's own, a signal
   handler's) gives back every byte taken.  Bytes taken past that point
   go back to the port (scm_unget_bytes), whatever its kind.

   File ports and bytevector ports read straight into the buffer that
   collects the datum, through a bytevector over it; other ports, whose
   read procedures may be Scheme code that keeps the bytevector, read
   into a bytevector of their own, copied from.  */

#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fasl.h"

/* ---------------------------------------------------------------- write */

/* Guile writes a piece of at most this many bytes given by address to
   an unbuffered port with one write (through the port's auxiliary
   buffer); a longer one goes through a bytevector.  */
#define WRITE_BY_ADDRESS 256

static void
port_sink (void *data, SCM bv, const uint8_t *bytes, size_t n)
{
  SCM port = *(SCM *) data;
  if (scm_is_true (bv))
    scm_c_write_bytes (port, bv,
                       (size_t) (bytes - (const uint8_t *)
                                 SCM_BYTEVECTOR_CONTENTS (bv)), n);
  else if (n <= WRITE_BY_ADDRESS)
    scm_c_write (port, bytes, n);
  else
    {
      SCM copy = scm_c_make_bytevector (n);
      memcpy (SCM_BYTEVECTOR_CONTENTS (copy), bytes, n);
      scm_c_write_bytes (port, copy, 0, n);
    }
}

static void
check_libraries (SCM libraries, int pos, const char *who)
{
  SCM l = libraries;
  for (; scm_is_pair (l); l = SCM_CDR (l))
    if (!scm_is_string (SCM_CAR (l)))
      break;
  if (!scm_is_null (l))
    vc_raise_argument (who, pos, "list-of-strings?", libraries);
}

static SCM
fasl_write (SCM obj, SCM port, SCM libraries)
{
  static const char who[] = "fasl-write";
  if (!SCM_OPOUTPORTP (port))
    vc_raise_argument (who, 2, "binary-output-port?", port);
  if (SCM_UNBNDP (libraries) || scm_is_false (libraries))
    libraries = SCM_EOL;
  check_libraries (libraries, 3, who);
  vc_fasl_encode_to (obj, libraries, who, port_sink, &port);
  return vc_zero_values;
}

/* ----------------------------------------------------------------- read */

static SCM sym_vu8;
static scm_t_port_type *bytevector_port_type;

/* Ports other than file ports read into a bytevector of at most this
   many bytes at a time.  */
#define BOUNCE_MAX 65536

/* The bytes of the datum collected from a port: a growable buffer, on
   the stack while the datum is small, then malloc'd (they hold no
   pointers, and big GC allocations would start collections).  */
struct collected
{
  /* What the decoder pulls from (buffered ports): the collected bytes
     (SRC.BUF is BUF, SRC.LEN is LEN between calls).  */
  struct vc_fasl_source src;
  uint8_t *buf;
  size_t len, cap;
  SCM port;
  int buffered;                 /* small reads copy from its buffer */
  int direct;                   /* reads go through VIEW: a file port or
                                   a bytevector port, whose reads no
                                   Scheme code sees */
  SCM view;                     /* bytevector over BUF[0..CAP), or #f */
  size_t waiting;               /* bytes known to wait in the port's
                                   buffer, not yet taken; -1: unknown */
  int eof;                      /* a read met the end of the input */
  size_t keep;                  /* how many of the bytes to consume if
                                   fasl-read exits by an exception: 0
                                   until the decoder finds a fault */
  SCM bounce;                   /* what other ports read into, or #f */
  uint8_t small[512];
};

/* Make room for N more bytes.  */
static void
collect_reserve (struct collected *c, size_t n)
{
  if (c->cap - c->len >= n)
    return;
  size_t cap = c->cap * 2;
  while (cap - c->len < n)
    cap *= 2;
  uint8_t *b = realloc (c->buf == c->small ? NULL : c->buf, cap);
  if (!b)
    vc_raise_out_of_memory ("fasl-read");
  if (c->buf == c->small)
    memcpy (b, c->small, c->len);
  c->buf = b;
  c->cap = cap;
  c->view = SCM_BOOL_F;
}

static void
collected_free (void *p)
{
  struct collected *c = p;
  if (c->buf != c->small)
    free (c->buf);
}

/* Room for up to N more bytes, growing at most by doubling: a length
   claim never makes the buffer grow faster than bytes actually arrive.
   Returns how many bytes there is room for.  */
static size_t
collect_room (struct collected *c, size_t n)
{
  size_t room = c->len > 65536 ? c->len : 65536;
  if (n > room)
    n = room;
  collect_reserve (c, n);
  return n;
}

/* How many bytes wait in PORT's read buffer; *UNBUFFERED tells whether
   PORT is unbuffered.  */
static size_t
input_buffered (SCM port, int *unbuffered)
{
  return vc_port_buffered (port, vc_fasl_support_ref (VC_FASL_INPUT_BUFFERED),
                           unbuffered);
}

/* A buffered port serves reads of at most this many bytes from its
   buffer, refilled with one read: they need no bytevector.  */
#define READ_BY_ADDRESS 1024

/* Read N bytes (at most the room left) from the port to the end of the
   collected bytes; fewer only at the end of the input.  */
static size_t
collect_read (struct collected *c, size_t n)
{
  if (c->buffered && n <= READ_BY_ADDRESS)
    {
      /* One refill at a time, each taken at once: an exception from the
         port's read (scm_c_read would have taken the bytes of earlier
         refills with it) finds them all collected.  */
      size_t got = 0;
      while (got < n)
        {
          int unbuffered;
          size_t avail = input_buffered (c->port, &unbuffered);
          if (avail == 0)
            {
              if (scm_peek_byte_or_eof (c->port) == EOF)
                {
                  c->eof = 1;
                  break;
                }
              avail = input_buffered (c->port, &unbuffered);
            }
          size_t k = avail == 0 ? 1 : avail < n - got ? avail : n - got;
          size_t r = scm_c_read (c->port, c->buf + c->len, k);
          c->len += r;
          got += r;
          if (r < k)
            {
              c->eof = 1;
              break;
            }
        }
      return got;
    }
  if (c->direct)
    {
      if (scm_is_false (c->view))
        c->view = scm_pointer_to_bytevector (scm_from_pointer (c->buf, NULL),
                                             scm_from_size_t (c->cap),
                                             SCM_INUM0, sym_vu8);
      size_t got = scm_c_read_bytes (c->port, c->view, c->len, n);
      c->len += got;
      c->eof |= got < n;
      return got;
    }
  size_t got = 0;
  while (got < n)
    {
      size_t k = n - got < BOUNCE_MAX ? n - got : BOUNCE_MAX;
      if (scm_is_false (c->bounce) || SCM_BYTEVECTOR_LENGTH (c->bounce) < k)
        c->bounce = scm_c_make_bytevector (k);
      size_t r = scm_c_read_bytes (c->port, c->bounce, 0, k);
      memcpy (c->buf + c->len, SCM_BYTEVECTOR_CONTENTS (c->bounce), r);
      c->len += r;
      got += r;
      if (r < k)
        {
          c->eof = 1;
          break;
        }
    }
  return got;
}

/* One attempt (vc_wait) at peeking at a socket.  The first attempt
   blocks in the peek itself, as Guile's own port reads block in read(2):
   a message then costs one recv and one read, and only a signal taken
   by this thread (EINTR) ends the wait early.  Once a signal has
   interrupted it, the attempts peek without waiting and then wait until
   something arrives, or an async is queued (WAKE_FD), or STEP ns pass
   when WAKE_FD is -1, so that the handler the signal delivery thread
   queues a moment later still runs.  Waiting in ppoll from the start
   would let any async wake the first attempt too, but it costs a
   message two more system calls and a poll wake-up: 1.2x the round trip
   of raw bytes on an unbuffered socket became 1.7-1.8x.  A socket in
   O_NONBLOCK mode is not waited for: its port's own reads do that (the
   first attempt's recv returns EAGAIN at once on it, with no fcntl).  */
struct peek
{
  int fd;
  void *buf;
  size_t room;
  ssize_t got;                  /* what recv returned */
  int error;                    /* its errno when it failed */
  int interrupted;              /* an attempt ended with EINTR */
};

static int
peek_attempt (void *data, int64_t step, int wake_fd)
{
  struct peek *p = data;
  if (!p->interrupted)
    {
      p->got = recv (p->fd, p->buf, p->room, MSG_PEEK);
      if (p->got < 0 && errno == EINTR)
        {
          p->interrupted = 1;
          return EINTR;
        }
      p->error = p->got < 0 ? errno : 0;
      return 0;
    }
  for (;;)
    {
      p->got = recv (p->fd, p->buf, p->room, MSG_PEEK | MSG_DONTWAIT);
      int err = p->got < 0 ? errno : 0;
      if (err == EINTR)
        return EINTR;
      if ((err != EAGAIN && err != EWOULDBLOCK)
          || (fcntl (p->fd, F_GETFL) & O_NONBLOCK))
        {
          p->error = err;
          return 0;
        }
      int r = vc_wait_poll (p->fd, POLLIN, wake_fd, step, -1);
      if (r == EINTR || r == ETIMEDOUT)
        return r;
    }
}

/* Peek at socket FD (the port's buffer being empty), waiting until
   something arrives, and take the bytes of the datum: up to its end, or
   all of them when it goes on (or when they are malformed: the decoder
   then reports).  Returns the scan's status (MORE too when nothing could
   be peeked: the end of the input, or a socket in O_NONBLOCK mode with
   nothing there, whose waiting the port's own reads, and Guile's
   waiters, then do), with *END set as vc_fasl_scan sets it; *FD is set
   to -1 when FD is not a socket.  A message costs one recv and one
   read.  */
static enum vc_fasl_scan_status
take_arrived (struct collected *c, struct vc_fasl_scan *scan, int *fd,
              size_t *end)
{
  struct peek p = { *fd, c->buf + c->len, c->cap - c->len, 0, 0, 0 };
  vc_wait (peek_attempt, &p);
  ssize_t k = p.got;
  if (k <= 0)
    {
      if (k < 0 && p.error != EAGAIN && p.error != EWOULDBLOCK)
        *fd = -1;               /* not a socket */
      return VC_FASL_SCAN_MORE;
    }
  enum vc_fasl_scan_status st
    = vc_fasl_scan (scan, c->buf, c->len + (size_t) k, end);
  size_t take = st == VC_FASL_SCAN_DONE ? *end - c->len : (size_t) k;
  /* They are there: read them straight from the socket.  */
  size_t got = 0;
  while (got < take)
    {
      ssize_t r = read (*fd, c->buf + c->len + got, take - got);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        break;
      got += (size_t) r;
    }
  c->len += got;
  if (got < take)
    /* Someone else read the socket meanwhile: the scan is ahead of the
       bytes; the decoder reports on those there are.  */
    return VC_FASL_SCAN_BAD;
  return st;
}

/* Take the AVAIL bytes waiting in the port's buffer (no waiting), and
   give back those past the end of the datum.  */
static enum vc_fasl_scan_status
take_buffered (struct collected *c, struct vc_fasl_scan *scan, size_t avail,
               size_t *end)
{
  collect_reserve (c, avail);
  size_t got = collect_read (c, avail);
  enum vc_fasl_scan_status st = vc_fasl_scan (scan, c->buf, c->len, end);
  if (st == VC_FASL_SCAN_DONE && *end < c->len)
    {
      scm_unget_bytes (c->buf + *end, c->len - *end, c->port);
      c->len = *end;
    }
  else if (got < avail)
    st = VC_FASL_SCAN_BAD;      /* the port changed under us */
  return st;
}

/* How many bytes wait in the port's buffer: what fasl_read found there,
   the first time; then ask the port.  */
static size_t
take_waiting (struct collected *c)
{
  int unbuffered;
  size_t avail = c->waiting != (size_t) -1 ? c->waiting
    : input_buffered (c->port, &unbuffered);
  c->waiting = (size_t) -1;
  return avail;
}

/* The decoder's source on a buffered port: what the port's buffer
   holds, then reads of the bytes the datum surely still needs.  */
static size_t
pull (struct vc_fasl_source *src, size_t n, size_t ahead)
{
  struct collected *c = (struct collected *) src;
  size_t before = c->len;
  size_t avail = take_waiting (c);
  if (avail > 0)
    {
      collect_reserve (c, avail);
      collect_read (c, avail);
    }
  size_t got = c->len - before;
  if (got < n)
    {
      size_t want = n - got + ahead;
      collect_read (c, collect_room (c, want < n - got ? n - got : want));
    }
  src->buf = c->buf;
  src->len = c->len;
  return c->len - before;
}

/* How many of the collected bytes a datum that the scanner found
   malformed consumes: up to the first byte where no datum can have what
   is there, that byte included -- the header byte that differs, or the
   tag of the object that cannot be (an unknown tag, a length or count
   the format does not allow, too deep a nesting).  */
static size_t
bad_end (const struct collected *c, const struct vc_fasl_scan *scan)
{
  size_t k = scan->pos;
  if (k == 0)
    while (k < VC_FASL_HEADER_SIZE && k < c->len
           && c->buf[k] == (uint8_t) VC_FASL_HEADER[k])
      k++;
  return k < c->len ? k + 1 : c->len;
}

/* Find the end of the datum, reading what the scanner says it surely
   still needs, and return DONE (the datum is the first *KEEP bytes),
   BAD (the scanner found them malformed) or MORE (the input ended
   first); set *KEEP to how many of the collected bytes to consume if
   the decoder rejects them: the datum's bytes when their end was found,
   else see bad_end, else (the input ended) all.  AVAIL bytes wait in
   the port's buffer.  */
static enum vc_fasl_scan_status
read_scanning (struct collected *c, size_t avail, size_t *keep)
{
  struct vc_fasl_scan scan;
  vc_fasl_scan_init (&scan);
  /* An unbuffered socket is peeked at once its buffer is empty (a
     buffered port's reads may fill its buffer again).  */
  int fd = SCM_FPORTP (c->port) && !c->buffered ? SCM_FPORT_FDES (c->port)
    : -1;
  size_t end = 0;

  for (;;)
    {
      enum vc_fasl_scan_status st = vc_fasl_scan (&scan, c->buf, c->len,
                                                  &end);
      if (st == VC_FASL_SCAN_MORE && avail > 0)
        {
          st = take_buffered (c, &scan, avail, &end);
          avail = 0;
        }
      if (st == VC_FASL_SCAN_MORE && fd >= 0 && !c->eof)
        {
          collect_room (c, end - c->len);
          st = take_arrived (c, &scan, &fd, &end);
        }
      if (st == VC_FASL_SCAN_DONE)
        {
          *keep = end;
          return st;
        }
      if (st == VC_FASL_SCAN_BAD)
        {
          *keep = bad_end (c, &scan);
          return st;
        }
      if (c->eof)
        {
          *keep = c->len;
          return st;
        }
      /* Wait for the bytes the datum surely still needs, no more.  */
      collect_read (c, collect_room (c, end - c->len));
    }
}

/* The decoder found a fault in a datum it pulled from a buffered port:
   find where the datum ends, reading the rest of it if need be, to
   consume exactly its bytes.  */
static void
pull_fault (struct vc_fasl_source *src)
{
  struct collected *c = (struct collected *) src;
  size_t keep;
  read_scanning (c, take_waiting (c), &keep);
  c->keep = keep;
}

/* fasl-read exits by an exception: give back the bytes not consumed.  */
static void
collected_unwind (void *p)
{
  struct collected *c = p;
  if (c->keep < c->len && SCM_OPINPORTP (c->port))
    scm_unget_bytes (c->buf + c->keep, c->len - c->keep, c->port);
}

static SCM
fasl_read (SCM port)
{
  static const char who[] = "fasl-read";
  if (!SCM_OPINPORTP (port))
    vc_raise_argument (who, 1, "binary-input-port?", port);

  struct collected c;
  c.buf = c.small;
  c.len = 0;
  c.cap = sizeof c.small;
  c.port = port;
  c.direct = SCM_FPORTP (port) || SCM_PORT_TYPE (port) == bytevector_port_type;
  c.view = c.bounce = SCM_BOOL_F;
  c.eof = 0;
  c.keep = 0;
  scm_dynwind_begin (0);
  scm_dynwind_unwind_handler (collected_free, &c, SCM_F_WIND_EXPLICITLY);
  scm_dynwind_unwind_handler (collected_unwind, &c, 0);
  int unbuffered;
  size_t avail = input_buffered (port, &unbuffered);
  c.buffered = !unbuffered;
  SCM v;
  size_t used;
  size_t end;
  if (!c.buffered && read_scanning (&c, avail, &end) != VC_FASL_SCAN_BAD)
    {
      /* An unbuffered port: the datum's bytes, or all there were.  */
      c.keep = end;
      v = vc_fasl_decode_who (c.buf, end, &used, who);
    }
  else
    {
      /* Decode as the bytes come, and give back those past the datum:
         a buffered port would have held them anyway.  Malformed bytes
         from an unbuffered port are decoded so too: the decoder may need
         bytes past those the scanner read to tell the same fault as
         from any other port; those past the fault go back.  */
      c.src.buf = c.buf;
      c.src.len = c.len;
      c.src.refill = pull;
      c.src.fault = pull_fault;
      c.waiting = c.buffered ? avail : 0;
      v = vc_fasl_decode_source (&c.src, &used, who);
      if (c.len > used)
        scm_unget_bytes (c.buf + used, c.len - used, port);
    }
  scm_dynwind_end ();
  scm_remember_upto_here_1 (c.view);
  return v;
}

void
vc_init_fasl_port (void)
{
  sym_vu8 = scm_from_utf8_symbol ("vu8");
  bytevector_port_type
    = SCM_PORT_TYPE (scm_open_bytevector_input_port (scm_c_make_bytevector (0),
                                                     SCM_UNDEFINED));
  vc_define ("fasl-write", 2, 1, 0, (scm_t_subr) fasl_write);
  vc_define ("fasl-read", 1, 0, 0, (scm_t_subr) fasl_read);
}
