/* posix.c -- (vicare-compat posix): memory mapping and process calls.
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later

   A bad argument raises &procedure-signature-argument-violation (an
   &assertion) with its position, the predicate it failed and Vicare's
   message, "expected ... as argument".  Every failed system call raises
   the errno condition with the call's arguments as irritants.

   Blocking calls (waitpid, wait, sem-wait, sem-timedwait, nanosleep) wait
   through vc_wait (wait.c): outside Guile mode, so that a garbage
   collection in another thread never waits for them, and so that any
   async queued for the thread runs meanwhile: a Scheme signal handler,
   cancel-thread, system-async-mark.  One that raises or escapes abandons
   the call.  A handler that returns lets the call go on: sem-timedwait with
   the same absolute deadline, nanosleep until the time asked for.  So
   EINTR never reaches Scheme code, unlike Vicare, where sem-wait and
   nanosleep raise it.  */

#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vc.h"

/* ------------------------------------------------------ argument checks */

/* Every check raises &procedure-signature-argument-violation (an
   &assertion) with the argument's position, the predicate it failed and
   Vicare's message, "expected WHAT as argument".  */
static VC_NORETURN void
expected (const char *who, int pos, const char *predicate, const char *what,
          SCM obj)
{
  char msg[96];
  snprintf (msg, sizeof msg, "expected %s as argument", what);
  vc_raise_argument_message (who, pos, predicate, msg, obj);
}

/* A fixnum that C takes as an int (flags, options, a status): a value
   outside the int range is rejected, never truncated.  */
static int
fixnum_arg (SCM obj, int pos, const char *who)
{
  if (!SCM_I_INUMP (obj) || SCM_I_INUM (obj) < INT_MIN
      || SCM_I_INUM (obj) > INT_MAX)
    expected (who, pos, "signed-int?", "fixnum", obj);
  return (int) SCM_I_INUM (obj);
}

/* Permission bits: a fixnum in [0, 07777].  */
static mode_t
mode_arg (SCM obj, int pos, const char *who)
{
  if (!SCM_I_INUMP (obj) || SCM_I_INUM (obj) < 0 || SCM_I_INUM (obj) > 07777)
    expected (who, pos, "permission-bits?", "fixnum mode", obj);
  return (mode_t) SCM_I_INUM (obj);
}

static int
signed_int_arg (SCM obj, int pos, const char *who)
{
  if (!scm_is_signed_integer (obj, INT_MIN, INT_MAX))
    expected (who, pos, "signed-int?", "signed int", obj);
  return scm_to_int (obj);
}

static size_t
size_arg (SCM obj, int pos, const char *who)
{
  if (!scm_is_unsigned_integer (obj, 0, SIZE_MAX))
    expected (who, pos, "size_t?", "size_t", obj);
  return scm_to_size_t (obj);
}

static off_t
off_arg (SCM obj, int pos, const char *who)
{
  if (!scm_is_signed_integer (obj, INT64_MIN, INT64_MAX))
    expected (who, pos, "off_t?", "off_t", obj);
  return (off_t) scm_to_int64 (obj);
}

static void *
pointer_arg (SCM obj, int pos, const char *who)
{
  if (!SCM_POINTER_P (obj))
    expected (who, pos, "pointer?", "pointer", obj);
  return SCM_POINTER_VALUE (obj);
}

static void *
pointer_or_false_arg (SCM obj, int pos, const char *who)
{
  if (scm_is_false (obj))
    return NULL;
  if (!SCM_POINTER_P (obj))
    expected (who, pos, "false-or-pointer?", "false or pointer", obj);
  return SCM_POINTER_VALUE (obj);
}

/* A file descriptor: any non-negative C int (shm-open can return one
   above FD_SETSIZE, and nothing here uses select); -1 is accepted too
   where ALLOW_MINUS_ONE, because anonymous mappings are written both
   ways.  */
static int
fd_arg (SCM obj, int pos, const char *who, int allow_minus_one)
{
  if (SCM_I_INUMP (obj))
    {
      scm_t_signed_bits fd = SCM_I_INUM (obj);
      if ((fd >= 0 && fd <= INT_MAX) || (allow_minus_one && fd == -1))
        return (int) fd;
    }
  expected (who, pos, "file-descriptor?", "file descriptor", obj);
}

static unsigned int
unsigned_int_arg (SCM obj, int pos, const char *who)
{
  if (!scm_is_unsigned_integer (obj, 0, UINT_MAX))
    expected (who, pos, "unsigned-int?", "unsigned int", obj);
  return scm_to_uint (obj);
}

/* A pathname is a string (encoded in UTF-8, as Vicare's default
   string->filename-func does) or a bytevector.  The C side gets a
   NUL-terminated copy in GC-managed memory, so nothing leaks when a later
   check raises.  An empty name or one with an embedded NUL is rejected:
   C would silently see a shorter name.  */
static const char *
pathname_arg (SCM obj, int pos, const char *who)
{
  const char *bytes;
  size_t len;
  char *utf8 = NULL;
  if (scm_is_string (obj))
    {
      utf8 = scm_to_utf8_stringn (obj, &len);
      bytes = utf8;
    }
  else if (scm_is_bytevector (obj))
    {
      bytes = (const char *) SCM_BYTEVECTOR_CONTENTS (obj);
      len = SCM_BYTEVECTOR_LENGTH (obj);
    }
  else
    expected (who, pos, "pathname?", "pathname", obj);
  if (len == 0 || memchr (bytes, '\0', len) != NULL)
    {
      free (utf8);
      expected (who, pos, "pathname?", "non-empty pathname without NUL bytes",
                obj);
    }
  char *copy = scm_gc_malloc_pointerless (len + 1, "pathname");
  memcpy (copy, bytes, len);
  copy[len] = '\0';
  free (utf8);
  scm_remember_upto_here_1 (obj);
  return copy;
}

/* A semaphore is a non-NULL pointer to a sem_t.  */
static sem_t *
sem_arg (SCM obj, int pos, const char *who)
{
  if (!SCM_POINTER_P (obj) || SCM_POINTER_VALUE (obj) == NULL)
    vc_raise_argument_message (who, pos, "semaphore?",
                               "expected pointer as semaphore argument", obj);
  return SCM_POINTER_VALUE (obj);
}

/* A struct timespec from the fields of a struct-timespec (#f for each
   when TIMESPEC is not one), checked here only: tv_sec a signed long >= 0,
   tv_nsec in [0, 999999999].  */
static struct timespec
timespec_arg (SCM secs, SCM nsecs, SCM timespec, int pos,
              const char *who)
{
  struct timespec ts;
  if (!scm_is_signed_integer (secs, 0, LONG_MAX)
      || !scm_is_signed_integer (nsecs, 0, 999999999))
    expected (who, pos, "struct-timespec?", "struct-timespec", timespec);
  ts.tv_sec = (time_t) scm_to_long (secs);
  ts.tv_nsec = scm_to_long (nsecs);
  return ts;
}

/* Raise the errno condition for WHO unless RESULT is 0.  */
#define CHECK_CALL(result, who, irritants)                                    \
  do {                                                                       \
    if ((result) != 0)                                                       \
      {                                                                      \
        int err_ = errno;                                                    \
        vc_raise_errno ((who), err_, (irritants));                           \
      }                                                                      \
  } while (0)

/* ---------------------------------------------------------------- sysconf */

static SCM
vc_sysconf (SCM name)
{
  int n = signed_int_arg (name, 1, "sysconf");
  errno = 0;
  long r = sysconf (n);
  if (r == -1)
    {
      int err = errno;
      if (err != 0)
        vc_raise_errno ("sysconf", err, scm_list_1 (name));
      return SCM_BOOL_F;        /* no limit */
    }
  return scm_from_long (r);
}

/* ----------------------------------------------------------- memory maps */

static SCM
vc_mmap (SCM address, SCM length, SCM protect, SCM flags, SCM fd, SCM offset)
{
  static const char who[] = "mmap";
  void *addr = pointer_or_false_arg (address, 1, who);
  size_t len = size_arg (length, 2, who);
  int prot = fixnum_arg (protect, 3, who);
  int flg = fixnum_arg (flags, 4, who);
  int fdes = fd_arg (fd, 5, who, 1);
  off_t off = off_arg (offset, 6, who);

#ifdef MAP_ANONYMOUS
  /* Vicare's examples pass fd 0 for anonymous maps; POSIX wants -1.  */
  if (flg & MAP_ANONYMOUS)
    fdes = -1;
#endif
  void *p = mmap (addr, len, prot, flg, fdes, off);
  if (p == MAP_FAILED)
    {
      int err = errno;
      vc_raise_errno (who, err, scm_list_n (address, length, protect, flags,
                                            fd, offset, SCM_UNDEFINED));
    }
  return scm_from_pointer (p, NULL);
}

static SCM
vc_munmap (SCM address, SCM length)
{
  static const char who[] = "munmap";
  void *addr = pointer_arg (address, 1, who);
  size_t len = size_arg (length, 2, who);
  if (munmap (addr, len) != 0)
    {
      int err = errno;
      vc_raise_errno (who, err, scm_list_2 (address, length));
    }
  return SCM_UNSPECIFIED;
}

static SCM
vc_msync (SCM address, SCM length, SCM flags)
{
  static const char who[] = "msync";
  void *addr = pointer_arg (address, 1, who);
  size_t len = size_arg (length, 2, who);
  int flg = fixnum_arg (flags, 3, who);
  CHECK_CALL (msync (addr, len, flg), who, scm_list_3 (address, length, flags));
  return SCM_UNSPECIFIED;
}

#ifdef HAVE_MREMAP
static SCM
vc_mremap (SCM address, SCM length, SCM new_length, SCM flags)
{
  static const char who[] = "mremap";
  void *addr = pointer_arg (address, 1, who);
  size_t len = size_arg (length, 2, who);
  size_t new_len = size_arg (new_length, 3, who);
  int flg = fixnum_arg (flags, 4, who);
  void *p = mremap (addr, len, new_len, flg);
  if (p == MAP_FAILED)
    {
      int err = errno;
      vc_raise_errno (who, err, scm_list_4 (address, length, new_length, flags));
    }
  return scm_from_pointer (p, NULL);
}
#endif

static SCM
vc_madvise (SCM address, SCM length, SCM advice)
{
  static const char who[] = "madvise";
  void *addr = pointer_arg (address, 1, who);
  size_t len = size_arg (length, 2, who);
  int adv = fixnum_arg (advice, 3, who);
  CHECK_CALL (madvise (addr, len, adv), who,
              scm_list_3 (address, length, advice));
  return SCM_UNSPECIFIED;
}

static SCM
vc_mprotect (SCM address, SCM length, SCM prot)
{
  static const char who[] = "mprotect";
  void *addr = pointer_arg (address, 1, who);
  size_t len = size_arg (length, 2, who);
  int pr = fixnum_arg (prot, 3, who);
  CHECK_CALL (mprotect (addr, len, pr), who, scm_list_3 (address, length, prot));
  return SCM_UNSPECIFIED;
}

static SCM
vc_mlock (SCM address, SCM length)
{
  static const char who[] = "mlock";
  void *addr = pointer_arg (address, 1, who);
  size_t len = size_arg (length, 2, who);
  CHECK_CALL (mlock (addr, len), who, scm_list_2 (address, length));
  return SCM_UNSPECIFIED;
}

static SCM
vc_munlock (SCM address, SCM length)
{
  static const char who[] = "munlock";
  void *addr = pointer_arg (address, 1, who);
  size_t len = size_arg (length, 2, who);
  CHECK_CALL (munlock (addr, len), who, scm_list_2 (address, length));
  return SCM_UNSPECIFIED;
}

/* Vicare reports these two as `mlock'; we use the real names.  */
static SCM
vc_mlockall (SCM flags)
{
  static const char who[] = "mlockall";
  int flg = fixnum_arg (flags, 1, who);
  CHECK_CALL (mlockall (flg), who, scm_list_1 (flags));
  return SCM_UNSPECIFIED;
}

static SCM
vc_munlockall (void)
{
  CHECK_CALL (munlockall (), "munlockall", SCM_EOL);
  return SCM_UNSPECIFIED;
}

/* ------------------------------------------------- POSIX shared memory */

static SCM
vc_shm_open (SCM name, SCM oflag, SCM mode)
{
  static const char who[] = "shm-open";
  const char *path = pathname_arg (name, 1, who);
  int flg = fixnum_arg (oflag, 2, who);
  mode_t md = mode_arg (mode, 3, who);
  int fd = shm_open (path, flg, md);
  if (fd < 0)
    {
      int err = errno;
      vc_raise_errno (who, err, scm_list_3 (name, oflag, mode));
    }
  return scm_from_int (fd);
}

static SCM
vc_shm_unlink (SCM name)
{
  static const char who[] = "shm-unlink";
  const char *path = pathname_arg (name, 1, who);
  CHECK_CALL (shm_unlink (path), who, scm_list_1 (name));
  return SCM_UNSPECIFIED;
}

static SCM
vc_ftruncate (SCM fd, SCM length)
{
  static const char who[] = "ftruncate";
  int fdes = fd_arg (fd, 1, who, 0);
  off_t len = off_arg (length, 2, who);
  CHECK_CALL (ftruncate (fdes, len), who, scm_list_2 (fd, length));
  return SCM_UNSPECIFIED;
}

static SCM
vc_close (SCM fd)
{
  static const char who[] = "close";
  int fdes = fd_arg (fd, 1, who, 0);
  CHECK_CALL (close (fdes), who, scm_list_1 (fd));
  return SCM_UNSPECIFIED;
}

/* ------------------------------------------------------------ semaphores */

static SCM
vc_sem_open (SCM name, SCM oflag, SCM mode, SCM value)
{
  static const char who[] = "sem-open";
  const char *path = pathname_arg (name, 1, who);
  int flg = fixnum_arg (oflag, 2, who);
  mode_t md = mode_arg (mode, 3, who);
  if (SCM_UNBNDP (value))
    value = SCM_INUM0;
  unsigned int v = unsigned_int_arg (value, 4, who);
  sem_t *sem = sem_open (path, flg, md, v);
  if (sem == SEM_FAILED)
    {
      int err = errno;
      vc_raise_errno (who, err, scm_list_4 (name, oflag, mode, value));
    }
  return scm_from_pointer (sem, NULL);
}

static SCM
vc_sem_close (SCM sem)
{
  static const char who[] = "sem-close";
  CHECK_CALL (sem_close (sem_arg (sem, 1, who)), who, scm_list_1 (sem));
  /* The semaphore is gone: NULL in place, as free does, so that a later
     call through this object raises instead of touching unmapped
     memory.  */
  SCM_SET_CELL_WORD_1 (sem, 0);
  return SCM_UNSPECIFIED;
}

static SCM
vc_sem_unlink (SCM name)
{
  static const char who[] = "sem-unlink";
  const char *path = pathname_arg (name, 1, who);
  CHECK_CALL (sem_unlink (path), who, scm_list_1 (name));
  return SCM_UNSPECIFIED;
}

static SCM
vc_sizeof_sem_t (void)
{
  return scm_from_size_t (sizeof (sem_t));
}

static SCM
vc_sem_init (SCM sem, SCM pshared, SCM value)
{
  static const char who[] = "sem-init";
  sem_t *s = sem_arg (sem, 1, who);
  if (SCM_UNBNDP (value))
    value = SCM_INUM0;
  unsigned int v = unsigned_int_arg (value, 3, who);
  CHECK_CALL (sem_init (s, scm_is_true (pshared), v), who,
              scm_list_3 (sem, pshared, value));
  return sem;
}

static SCM
vc_sem_destroy (SCM sem)
{
  static const char who[] = "sem-destroy";
  CHECK_CALL (sem_destroy (sem_arg (sem, 1, who)), who, scm_list_1 (sem));
  return SCM_UNSPECIFIED;
}

static SCM
vc_sem_post (SCM sem)
{
  static const char who[] = "sem-post";
  CHECK_CALL (sem_post (sem_arg (sem, 1, who)), who, scm_list_1 (sem));
  return SCM_UNSPECIFIED;
}

/* One attempt of sem_wait or sem_timedwait for vc_wait.  */
struct sem_call
{
  sem_t *sem;
  const struct timespec *deadline;   /* CLOCK_REALTIME; NULL for sem_wait */
  int err;                           /* when over: 0 or the errno */
};

static int
sem_attempt (void *data, int64_t step, int wake_fd)
{
  struct sem_call *c = data;
  (void) wake_fd;               /* a semaphore cannot watch it */
  int r, bounded = 1;
  if (c->deadline == NULL)
    {
#ifdef HAVE_SEM_CLOCKWAIT
      struct timespec limit = vc_clock_after (CLOCK_MONOTONIC, step);
      r = sem_clockwait (c->sem, CLOCK_MONOTONIC, &limit);
#else
      struct timespec limit = vc_clock_after (CLOCK_REALTIME, step);
      r = sem_timedwait (c->sem, &limit);
#endif
    }
  else
    {
      struct timespec limit = vc_clock_after (CLOCK_REALTIME, step);
      bounded = vc_timespec_before (&limit, c->deadline);
      r = sem_timedwait (c->sem, bounded ? &limit : c->deadline);
    }
  int err = r == 0 ? 0 : errno;
  if (err == EINTR || (err == ETIMEDOUT && bounded))
    return err;
  c->err = err;
  return 0;
}

/* Wait, as vc_wait does; return 0 or the errno.  */
static int
blocking_sem_wait (sem_t *sem, const struct timespec *deadline)
{
  struct sem_call c = { sem, deadline, 0 };
  vc_wait (sem_attempt, &c);
  return c.err;
}

static SCM
vc_sem_wait (SCM sem)
{
  static const char who[] = "sem-wait";
  int err = blocking_sem_wait (sem_arg (sem, 1, who), NULL);
  if (err)
    vc_raise_errno (who, err, scm_list_1 (sem));
  return SCM_UNSPECIFIED;
}

/* (%vc-sem-timedwait sem secs nsecs timespec): the C side of sem-timedwait;
   TIMESPEC is the Scheme object, for the error reports.  */
static SCM
vc_sem_timedwait (SCM sem, SCM secs, SCM nsecs, SCM timespec)
{
  static const char who[] = "sem-timedwait";
  sem_t *s = sem_arg (sem, 1, who);
  struct timespec deadline = timespec_arg (secs, nsecs, timespec, 2, who);
  int err = blocking_sem_wait (s, &deadline);
  if (err == ETIMEDOUT)
    return SCM_BOOL_F;
  if (err)
    vc_raise_errno (who, err, scm_list_2 (sem, timespec));
  return SCM_BOOL_T;
}

static SCM
vc_sem_trywait (SCM sem)
{
  static const char who[] = "sem-trywait";
  if (sem_trywait (sem_arg (sem, 1, who)) == 0)
    return SCM_BOOL_T;
  int err = errno;
  if (err == EAGAIN)
    return SCM_BOOL_F;
  vc_raise_errno (who, err, scm_list_1 (sem));
}

static SCM
vc_sem_getvalue (SCM sem)
{
  static const char who[] = "sem-getvalue";
  int v;
  CHECK_CALL (sem_getvalue (sem_arg (sem, 1, who), &v), who, scm_list_1 (sem));
  return scm_from_int (v);
}

/* The clock family.  One check serves every call: a clock id is an exact
   integer in the range of clockid_t (an int here; CPU clocks are
   negative), argument 1; anything else raises before the call, never
   truncated to another clock.  */
static clockid_t
clockid_arg (SCM clock_id, const char *who)
{
  _Static_assert (sizeof (clockid_t) == sizeof (int32_t)
                  || sizeof (clockid_t) == sizeof (int64_t),
                  "clockid_t is a 32 or 64-bit integer");
  int64_t min = sizeof (clockid_t) == 4 ? INT32_MIN : INT64_MIN;
  int64_t max = sizeof (clockid_t) == 4 ? INT32_MAX : INT64_MAX;
  return (clockid_t) vc_int64_arg (clock_id, min, max, 1, who, "clockid_t?");
}

/* Read the clock CLOCK_ID with CALL (clock_gettime or clock_getres) and
   return (sec . nsec); TIMESPEC is for the error reports, the Scheme
   wrapper fills it.  */
static SCM
read_clock (int (*call) (clockid_t, struct timespec *), SCM clock_id,
            SCM timespec, const char *who)
{
  clockid_t id = clockid_arg (clock_id, who);
  struct timespec ts;
  CHECK_CALL (call (id, &ts), who, scm_list_2 (clock_id, timespec));
  return scm_cons (scm_from_int64 (ts.tv_sec), scm_from_long (ts.tv_nsec));
}

/* (%vc-clock-gettime clock-id timespec) -> (sec . nsec).  */
static SCM
vc_clock_gettime (SCM clock_id, SCM timespec)
{
  return read_clock (clock_gettime, clock_id, timespec, "clock-gettime");
}

/* (%vc-clock-getres clock-id timespec) -> (sec . nsec).  */
static SCM
vc_clock_getres (SCM clock_id, SCM timespec)
{
  return read_clock (clock_getres, clock_id, timespec, "clock-getres");
}

/* (%vc-clock-settime clock-id secs nsecs timespec): set the clock.  */
static SCM
vc_clock_settime (SCM clock_id, SCM secs, SCM nsecs, SCM timespec)
{
  static const char who[] = "clock-settime";
  clockid_t id = clockid_arg (clock_id, who);
  struct timespec ts = timespec_arg (secs, nsecs, timespec, 2, who);
  CHECK_CALL (clock_settime (id, &ts), who, scm_list_2 (clock_id, timespec));
  return SCM_UNSPECIFIED;
}

/* (clock-getcpuclockid pid) -> the clock id of the CPU time of process
   PID (0 for the calling process).  clock_getcpuclockid returns the error
   number instead of setting errno.  */
static SCM
vc_clock_getcpuclockid (SCM pid)
{
  static const char who[] = "clock-getcpuclockid";
  pid_t p = (pid_t) vc_int64_arg (pid, 0, INT_MAX, 1, who, "pid?");
  clockid_t id;
  int err = clock_getcpuclockid (p, &id);
  if (err != 0)
    vc_raise_errno (who, err, scm_list_1 (pid));
  return scm_from_int64 (id);
}

/* -------------------------------------------------------------- processes */

struct wait_call
{
  pid_t pid;
  int options;
  int status;
  pid_t result;
  int err;
};

/* Bounded steps that waitpid took and that expired, in this thread: what
   an exact wait never takes (%vc-waitpid-steps, for the tests).  */
static _Thread_local uint64_t waitpid_steps;

/* Whether waitpid of several children takes bounded steps instead of a
   watcher thread (%vc-waitpid-by-steps!, for the tests and the
   benchmark of the fallback).  */
static _Atomic int waitpid_by_steps;

/* Wait until W's child may have changed state, or an async wakes
   WAKE_FD.  One child's exit is watched through its pidfd (Linux 5.3),
   which becomes readable when it exits; several children, or stops and
   continues, through a watcher thread (vc_watch_children).  Without
   either, wait STEP ns at most.  Return 0, EINTR or ETIMEDOUT, as
   vc_wait_poll does.  */
static int
watch_child (const struct wait_call *w, int64_t step, int wake_fd)
{
  int fd = -1;
#ifdef SYS_pidfd_open
  if (w->pid > 0 && !(w->options & (WUNTRACED | WCONTINUED)))
    fd = (int) syscall (SYS_pidfd_open, w->pid, 0);
#endif
  if (fd < 0 && !waitpid_by_steps)
    {
      int r = vc_watch_children (w->pid, w->options, wake_fd);
      if (r == 0 || r == EINTR)
        return r;
    }
  int r = vc_wait_poll (fd, POLLIN, wake_fd, step, fd < 0 ? step : -1);
  if (fd >= 0)
    close (fd);
  if (r == ETIMEDOUT)
    waitpid_steps++;
  return r == EINTR ? EINTR : r == ETIMEDOUT ? ETIMEDOUT : 0;
}

/* One attempt of waitpid for vc_wait: look with WNOHANG, then wait for
   the child (watch_child), and look again.  With WNOHANG, one look.  */
static int
waitpid_attempt (void *data, int64_t step, int wake_fd)
{
  struct wait_call *w = data;
  for (;;)
    {
      pid_t r = waitpid (w->pid, &w->status, w->options | WNOHANG);
      if (r < 0 && errno == EINTR)
        return EINTR;
      if (r != 0 || (w->options & WNOHANG))
        {
          w->result = r;
          w->err = r < 0 ? errno : 0;
          return 0;
        }
      int k = watch_child (w, step, wake_fd);
      if (k != 0)
        return k;
    }
}

/* Wait as vc_wait does.  */
static void
blocking_waitpid (struct wait_call *w)
{
  vc_wait (waitpid_attempt, w);
}

static SCM
vc_waitpid (SCM pid, SCM options)
{
  static const char who[] = "waitpid";
  if (!SCM_I_INUMP (pid) || SCM_I_INUM (pid) < INT_MIN
      || SCM_I_INUM (pid) > INT_MAX)
    expected (who, 1, "pid?", "fixnum pid", pid);
  struct wait_call w;
  w.pid = (pid_t) SCM_I_INUM (pid);
  w.options = fixnum_arg (options, 2, who);
  blocking_waitpid (&w);
  if (w.result < 0)
    vc_raise_errno (who, w.err, scm_list_2 (pid, options));
  if (w.result == 0)
    return SCM_BOOL_F;          /* WNOHANG and no child changed state */
  return scm_from_int (w.status);
}

static SCM
vc_wait_child (void)
{
  struct wait_call w = { -1, 0, 0, 0, 0 };
  blocking_waitpid (&w);
  if (w.result < 0)
    vc_raise_errno ("wait", w.err, SCM_EOL);
  return scm_from_int (w.status);
}

/* (%vc-waitpid-steps) -> how many bounded steps of waitpid expired in
   this thread so far.  */
static SCM
vc_waitpid_steps (void)
{
  return scm_from_uint64 (waitpid_steps);
}

/* (%vc-waitpid-by-steps! flag): make waitpid of several children take
   bounded steps (FLAG true) or watch them with a thread (#f, the
   default).  */
static SCM
vc_waitpid_by_steps_x (SCM flag)
{
  waitpid_by_steps = scm_is_true (flag);
  return SCM_UNSPECIFIED;
}

/* The W* status macros: STATUS must be a fixnum that fits a C int.  */

#define VC_STATUS_PREDICATE(NAME, MACRO)                                      \
  static SCM                                                                 \
  vc_##MACRO (SCM status)                                                    \
  {                                                                          \
    int st = fixnum_arg (status, 1, NAME);                                   \
    return scm_from_bool (MACRO (st));                                       \
  }
#define VC_STATUS_FIELD(NAME, MACRO)                                          \
  static SCM                                                                 \
  vc_##MACRO (SCM status)                                                    \
  {                                                                          \
    int st = fixnum_arg (status, 1, NAME);                                   \
    return scm_from_int (MACRO (st));                                        \
  }

VC_STATUS_PREDICATE ("WIFEXITED", WIFEXITED)
VC_STATUS_PREDICATE ("WIFSIGNALED", WIFSIGNALED)
VC_STATUS_PREDICATE ("WIFSTOPPED", WIFSTOPPED)
VC_STATUS_FIELD ("WEXITSTATUS", WEXITSTATUS)
VC_STATUS_FIELD ("WTERMSIG", WTERMSIG)
VC_STATUS_FIELD ("WSTOPSIG", WSTOPSIG)

static SCM
vc_WCOREDUMP (SCM status)
{
  int st = fixnum_arg (status, 1, "WCOREDUMP");
#ifdef WCOREDUMP
  return scm_from_bool (WIFSIGNALED (st) && WCOREDUMP (st));
#else
  (void) st;
  return SCM_BOOL_F;
#endif
}

/* One attempt of nanosleep for vc_wait: sleep until DEADLINE, on the
   monotonic clock, so that the attempts after a signal add up to the time
   asked for.  */
struct sleep_call
{
  struct timespec deadline;
  int err;
};

static int
sleep_attempt (void *data, int64_t step, int wake_fd)
{
  struct sleep_call *s = data;
  for (;;)
    {
      struct timespec now;
      clock_gettime (CLOCK_MONOTONIC, &now);
      if (!vc_timespec_before (&now, &s->deadline))
        return 0;
      int64_t left = (int64_t) (s->deadline.tv_sec - now.tv_sec) * 1000000000
        + (s->deadline.tv_nsec - now.tv_nsec);
      int r = vc_wait_poll (-1, 0, wake_fd, step, left);
      if (r == EINTR || (r == ETIMEDOUT && wake_fd < 0 && step < left))
        return r;               /* a wake-up, or the end of a step */
      if (r != 0 && r != ETIMEDOUT)
        {
          s->err = r;
          return 0;
        }
      /* The deadline, if the clock agrees.  */
    }
}

static SCM
vc_nanosleep (SCM secs, SCM nsecs)
{
  static const char who[] = "nanosleep";
  if (!scm_is_unsigned_integer (secs, 0, UINT32_MAX))
    expected (who, 1, "seconds-count?", "seconds count", secs);
  if (!scm_is_unsigned_integer (nsecs, 0, 999999999))
    expected (who, 2, "nanoseconds-count?", "nanoseconds count", nsecs);
  struct sleep_call s;
  s.deadline = vc_clock_after (CLOCK_MONOTONIC,
                               (int64_t) scm_to_uint32 (secs) * 1000000000
                               + scm_to_long (nsecs));
  s.err = 0;
  vc_wait (sleep_attempt, &s);
  if (s.err != 0)
    vc_raise_errno (who, s.err, scm_list_2 (secs, nsecs));
  return scm_values (scm_list_2 (SCM_BOOL_F, SCM_BOOL_F));
}

/* ------------------------------------------------------------------- init */

void
vc_init_posix (void)
{
  vc_define ("sysconf", 1, 0, 0, (scm_t_subr) vc_sysconf);
  /* memory maps */
  vc_define ("mmap", 6, 0, 0, (scm_t_subr) vc_mmap);
  vc_define ("munmap", 2, 0, 0, (scm_t_subr) vc_munmap);
  vc_define ("msync", 3, 0, 0, (scm_t_subr) vc_msync);
#ifdef HAVE_MREMAP
  vc_define ("mremap", 4, 0, 0, (scm_t_subr) vc_mremap);
#endif
  vc_define ("madvise", 3, 0, 0, (scm_t_subr) vc_madvise);
  vc_define ("mprotect", 3, 0, 0, (scm_t_subr) vc_mprotect);
  vc_define ("mlock", 2, 0, 0, (scm_t_subr) vc_mlock);
  vc_define ("munlock", 2, 0, 0, (scm_t_subr) vc_munlock);
  vc_define ("mlockall", 1, 0, 0, (scm_t_subr) vc_mlockall);
  vc_define ("munlockall", 0, 0, 0, (scm_t_subr) vc_munlockall);
  /* shared memory and file descriptors */
  vc_define ("shm-open", 3, 0, 0, (scm_t_subr) vc_shm_open);
  vc_define ("shm-unlink", 1, 0, 0, (scm_t_subr) vc_shm_unlink);
  vc_define ("ftruncate", 2, 0, 0, (scm_t_subr) vc_ftruncate);
  vc_define ("close", 1, 0, 0, (scm_t_subr) vc_close);
  /* semaphores and time */
  vc_define ("sem-open", 3, 1, 0, (scm_t_subr) vc_sem_open);
  vc_define ("sem-close", 1, 0, 0, (scm_t_subr) vc_sem_close);
  vc_define ("sem-unlink", 1, 0, 0, (scm_t_subr) vc_sem_unlink);
  vc_define ("sizeof-sem_t", 0, 0, 0, (scm_t_subr) vc_sizeof_sem_t);
  vc_define ("sem-init", 2, 1, 0, (scm_t_subr) vc_sem_init);
  vc_define ("sem-destroy", 1, 0, 0, (scm_t_subr) vc_sem_destroy);
  vc_define ("sem-post", 1, 0, 0, (scm_t_subr) vc_sem_post);
  vc_define ("sem-wait", 1, 0, 0, (scm_t_subr) vc_sem_wait);
  vc_define ("sem-trywait", 1, 0, 0, (scm_t_subr) vc_sem_trywait);
  vc_define ("%vc-sem-timedwait", 4, 0, 0, (scm_t_subr) vc_sem_timedwait);
  vc_define ("sem-getvalue", 1, 0, 0, (scm_t_subr) vc_sem_getvalue);
  vc_define ("%vc-clock-gettime", 2, 0, 0, (scm_t_subr) vc_clock_gettime);
  vc_define ("%vc-clock-getres", 2, 0, 0, (scm_t_subr) vc_clock_getres);
  vc_define ("%vc-clock-settime", 4, 0, 0, (scm_t_subr) vc_clock_settime);
  vc_define ("clock-getcpuclockid", 1, 0, 0,
             (scm_t_subr) vc_clock_getcpuclockid);
  /* processes */
  vc_define ("waitpid", 2, 0, 0, (scm_t_subr) vc_waitpid);
  vc_define ("%vc-waitpid-steps", 0, 0, 0, (scm_t_subr) vc_waitpid_steps);
  vc_define ("%vc-waitpid-by-steps!", 1, 0, 0,
             (scm_t_subr) vc_waitpid_by_steps_x);
  vc_define ("wait", 0, 0, 0, (scm_t_subr) vc_wait_child);
  vc_define ("WIFEXITED", 1, 0, 0, (scm_t_subr) vc_WIFEXITED);
  vc_define ("WIFSIGNALED", 1, 0, 0, (scm_t_subr) vc_WIFSIGNALED);
  vc_define ("WIFSTOPPED", 1, 0, 0, (scm_t_subr) vc_WIFSTOPPED);
  vc_define ("WCOREDUMP", 1, 0, 0, (scm_t_subr) vc_WCOREDUMP);
  vc_define ("WEXITSTATUS", 1, 0, 0, (scm_t_subr) vc_WEXITSTATUS);
  vc_define ("WTERMSIG", 1, 0, 0, (scm_t_subr) vc_WTERMSIG);
  vc_define ("WSTOPSIG", 1, 0, 0, (scm_t_subr) vc_WSTOPSIG);
  vc_define ("nanosleep", 2, 0, 0, (scm_t_subr) vc_nanosleep);
}
