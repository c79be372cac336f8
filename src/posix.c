/* posix.c -- (vicare-compat posix): memory mapping and process calls.
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later

   Argument checks follow Vicare: the generic kinds (fixnum, pointer,
   size_t, off_t, signed-int) raise &procedure-argument-violation with the
   message "expected ... as argument"; the posix-local kinds (file
   descriptor, pid, secs, nsecs) raise a plain &assertion.  Every failed
   system call raises the errno condition with the call's arguments as
   irritants.  Blocking calls run outside Guile mode so that a garbage
   collection in another thread never waits for them.  */

#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vc.h"

/* ------------------------------------------------------ argument checks */

static VC_NORETURN void
expected (const char *who, const char *what, SCM obj)
{
  char msg[96];
  snprintf (msg, sizeof msg, "expected %s as argument", what);
  vc_raise_argument_kind (who, msg, scm_list_1 (obj));
}

static long
fixnum_arg (SCM obj, const char *who)
{
  if (!SCM_I_INUMP (obj))
    expected (who, "fixnum", obj);
  return SCM_I_INUM (obj);
}

static int
signed_int_arg (SCM obj, const char *who)
{
  if (!scm_is_signed_integer (obj, INT_MIN, INT_MAX))
    expected (who, "signed int", obj);
  return scm_to_int (obj);
}

static size_t
size_arg (SCM obj, const char *who)
{
  if (!scm_is_unsigned_integer (obj, 0, SIZE_MAX))
    expected (who, "size_t", obj);
  return scm_to_size_t (obj);
}

static off_t
off_arg (SCM obj, const char *who)
{
  if (!scm_is_signed_integer (obj, INT64_MIN, INT64_MAX))
    expected (who, "off_t", obj);
  return (off_t) scm_to_int64 (obj);
}

static void *
pointer_arg (SCM obj, const char *who)
{
  if (!SCM_POINTER_P (obj))
    expected (who, "pointer", obj);
  return SCM_POINTER_VALUE (obj);
}

static void *
pointer_or_false_arg (SCM obj, const char *who)
{
  if (scm_is_false (obj))
    return NULL;
  if (!SCM_POINTER_P (obj))
    expected (who, "false or pointer", obj);
  return SCM_POINTER_VALUE (obj);
}

/* Vicare's file-descriptor check (0 <= fd < FD_SETSIZE); -1 is accepted
   too, because anonymous mappings are written both ways.  */
static int
fd_arg (SCM obj, const char *who, int allow_minus_one)
{
  if (SCM_I_INUMP (obj))
    {
      long fd = SCM_I_INUM (obj);
      if ((fd >= 0 && fd < FD_SETSIZE) || (allow_minus_one && fd == -1))
        return (int) fd;
    }
  vc_raise_assertion (who, "expected file descriptor as argument",
                      scm_list_1 (obj));
}

/* ---------------------------------------------------------------- sysconf */

static SCM
vc_sysconf (SCM name)
{
  int n = signed_int_arg (name, "sysconf");
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
  void *addr = pointer_or_false_arg (address, who);
  size_t len = size_arg (length, who);
  int prot = (int) fixnum_arg (protect, who);
  int flg = (int) fixnum_arg (flags, who);
  int fdes = fd_arg (fd, who, 1);
  off_t off = off_arg (offset, who);

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
  void *addr = pointer_arg (address, who);
  size_t len = size_arg (length, who);
  if (munmap (addr, len) != 0)
    {
      int err = errno;
      vc_raise_errno (who, err, scm_list_2 (address, length));
    }
  return SCM_UNSPECIFIED;
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

static void *
do_waitpid (void *data)
{
  struct wait_call *w = data;
  w->result = waitpid (w->pid, &w->status, w->options);
  w->err = errno;
  return NULL;
}

static SCM
vc_waitpid (SCM pid, SCM options)
{
  static const char who[] = "waitpid";
  if (!SCM_I_INUMP (pid) || SCM_I_INUM (pid) < INT_MIN
      || SCM_I_INUM (pid) > INT_MAX)
    vc_raise_assertion (who, "expected fixnum pid as argument",
                        scm_list_1 (pid));
  struct wait_call w;
  w.pid = (pid_t) SCM_I_INUM (pid);
  w.options = (int) fixnum_arg (options, who);
  for (;;)
    {
      scm_without_guile (do_waitpid, &w);
      if (w.result >= 0 || w.err != EINTR)
        break;
      /* Interrupted by a signal: run Guile's handlers, then wait again.  */
      SCM_TICK;
    }
  if (w.result < 0)
    vc_raise_errno (who, w.err, scm_list_2 (pid, options));
  if (w.result == 0)
    return SCM_BOOL_F;          /* WNOHANG and no child changed state */
  return scm_from_int (w.status);
}

struct sleep_call
{
  struct timespec req;
  int result;
  int err;
};

static void *
do_nanosleep (void *data)
{
  struct sleep_call *s = data;
  s->result = nanosleep (&s->req, NULL);
  s->err = errno;
  return NULL;
}

static SCM
vc_nanosleep (SCM secs, SCM nsecs)
{
  static const char who[] = "nanosleep";
  if (!scm_is_unsigned_integer (secs, 0, UINT32_MAX))
    vc_raise_assertion (who, "expected seconds count as argument",
                        scm_list_1 (secs));
  if (!scm_is_unsigned_integer (nsecs, 0, 999999999))
    vc_raise_assertion (who, "expected nanoseconds count as argument",
                        scm_list_1 (nsecs));
  struct sleep_call s;
  s.req.tv_sec = (time_t) scm_to_uint32 (secs);
  s.req.tv_nsec = scm_to_long (nsecs);
  scm_without_guile (do_nanosleep, &s);
  if (s.result != 0)
    vc_raise_errno (who, s.err, scm_list_2 (secs, nsecs));
  return scm_values (scm_list_2 (SCM_BOOL_F, SCM_BOOL_F));
}

/* ------------------------------------------------------------------- init */

void
vc_init_posix (void)
{
  vc_define ("sysconf", 1, 0, 0, (scm_t_subr) vc_sysconf);
  vc_define ("mmap", 6, 0, 0, (scm_t_subr) vc_mmap);
  vc_define ("munmap", 2, 0, 0, (scm_t_subr) vc_munmap);
  vc_define ("waitpid", 2, 0, 0, (scm_t_subr) vc_waitpid);
  vc_define ("nanosleep", 2, 0, 0, (scm_t_subr) vc_nanosleep);
}
