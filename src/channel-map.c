/* channel-map.c -- a channel's memory, and who is alive.
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later

   Process identity.  A process is named by its pid and its start time
   (field 22 of /proc/PID/stat, clock ticks since boot), packed in one
   word: a pid reused by a later process does not name the same process.
   A process is dead when its pid does not exist, is a zombie with no
   thread left (a process whose first thread ended shows as a zombie while
   its other threads run), or belongs to a process that started at
   another time.  When /proc cannot tell
   (not mounted, or hidden by hidepid), a process whose pid exists is
   taken to be alive: a wrong "alive" only delays a take-over, a wrong
   "dead" would let two processes own one record.  All processes sharing
   a channel must therefore see each other's pids: one pid namespace.
   The header records the creator's, and vc_ch_open refuses a channel
   made in another (vc_ch_each_stale leaves those alone too).

   How a process sleeps on a word of the mapping is channel-wait.c's.  */

#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "channel-map.h"

/* ----------------------------------------------------------------- time */

void
vc_ch_now (struct timespec *ts)
{
  clock_gettime (CLOCK_MONOTONIC, ts);
}

void
vc_ch_deadline_after (struct timespec *ts, uint64_t ns)
{
  vc_ch_now (ts);
  uint64_t sec = ns / 1000000000u;
  ts->tv_nsec += (long) (ns % 1000000000u);
  if (ts->tv_nsec >= 1000000000L)
    {
      ts->tv_nsec -= 1000000000L;
      sec++;
    }
  if (sec > (uint64_t) (INT64_MAX / 2) - (uint64_t) ts->tv_sec)
    sec = (uint64_t) (INT64_MAX / 2) - (uint64_t) ts->tv_sec;
  ts->tv_sec += (time_t) sec;
}

int
vc_ch_before (const struct timespec *a, const struct timespec *b)
{
  return a->tv_sec < b->tv_sec
    || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* ---------------------------------------------------------------- sleep */

int
vc_ch_plain_wait (void *arg, _Atomic uint32_t *word, struct vc_ch_waitq *q,
                  uint32_t expected, const struct timespec *deadline,
                  int may_escape)
{
  (void) arg;
  (void) may_escape;
  return vc_ch_sleep (word, q, expected, deadline) == ETIMEDOUT
    ? ETIMEDOUT : 0;
}

/* ------------------------------------------------------------- identity */

#define PID_BITS 22
#define START_BITS 42
#define START_MASK ((UINT64_C (1) << START_BITS) - 1)

/* Read the state letter and the start time of process PID (of its thread
   TID when TID is not 0) from /proc.  Return 0, or an errno value.  */
static int
proc_stat_of (pid_t pid, pid_t tid, char *state, uint64_t *start)
{
  char path[96], buf[1024];
  if (tid)
    snprintf (path, sizeof path, "/proc/%ld/task/%ld/stat", (long) pid,
              (long) tid);
  else
    snprintf (path, sizeof path, "/proc/%ld/stat", (long) pid);
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return errno;
  ssize_t n = read (fd, buf, sizeof buf - 1);
  int err = errno;
  close (fd);
  if (n <= 0)
    return n < 0 ? err : EIO;
  buf[n] = '\0';
  /* "pid (comm) S ppid ...": comm may hold spaces and parentheses, so
     fields are counted from the last ')'.  The state is field 3, the
     start time field 22.  */
  char *p = strrchr (buf, ')');
  if (!p || p[1] != ' ' || !p[2])
    return EIO;
  *state = p[2];
  p += 3;
  for (int field = 4; field <= 22; field++)
    {
      while (*p == ' ')
        p++;
      if (field == 22)
        {
          char *end;
          errno = 0;
          unsigned long long v = strtoull (p, &end, 10);
          if (end == p || errno)
            return EIO;
          *start = v;
          return 0;
        }
      p = strchr (p, ' ');
      if (!p)
        return EIO;
    }
  return EIO;
}

static int
proc_stat (pid_t pid, char *state, uint64_t *start)
{
  return proc_stat_of (pid, 0, state, start);
}

static int
gone (char state)
{
  return state == 'Z' || state == 'X' || state == 'x';
}

/* Whether a thread of process PID other than its first one runs.  The
   kernel shows a process whose first thread ended (pthread_exit) as a
   zombie while its other threads go on: it is alive.  When /proc cannot
   tell, it is taken to be alive, as in vc_ch_alive.  */
static int
other_thread_runs (pid_t pid)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%ld/task", (long) pid);
  DIR *dir = opendir (path);
  if (!dir)
    return errno != ENOENT && errno != ESRCH;
  int runs = 0;
  struct dirent *e;
  while (!runs && (e = readdir (dir)))
    {
      char *end;
      long tid = strtol (e->d_name, &end, 10);
      if (end == e->d_name || *end || tid <= 0 || tid == (long) pid)
        continue;
      char state;
      uint64_t start;
      int err = proc_stat_of (pid, (pid_t) tid, &state, &start);
      runs = err == 0 ? !gone (state) : err != ENOENT && err != ESRCH;
    }
  closedir (dir);
  return runs;
}

static _Atomic uint64_t self_id;

static void
forget_self (void)
{
  atomic_store (&self_id, 0);
}

static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void
install_atfork (void)
{
  pthread_atfork (NULL, NULL, forget_self);
}

uint64_t
vc_ch_self (void)
{
  uint64_t id = atomic_load_explicit (&self_id, memory_order_relaxed);
  if (id)
    return id;
  pthread_once (&atfork_once, install_atfork);
  pid_t pid = getpid ();
  char state;
  uint64_t start = 0;
  if (proc_stat (pid, &state, &start) != 0)
    start = 0;
  id = ((uint64_t) pid << START_BITS) | (start & START_MASK);
  atomic_store_explicit (&self_id, id, memory_order_relaxed);
  return id;
}

int
vc_ch_alive (uint64_t id)
{
  uint64_t me = vc_ch_self ();
  if (id == me)
    return 1;
  uint64_t pid = id >> START_BITS;
  uint64_t start = id & START_MASK;
  if (pid == 0 || pid >= (UINT64_C (1) << PID_BITS))
    return 0;                   /* no process has that pid */
  if (pid == me >> START_BITS)
    return 0;                   /* our pid, another start: gone */
  if (kill ((pid_t) pid, 0) != 0 && errno == ESRCH)
    return 0;
  char state;
  uint64_t now_start;
  int err = proc_stat ((pid_t) pid, &state, &now_start);
  if (err == ENOENT || err == ESRCH)
    return 0;                   /* died since kill looked */
  if (err != 0)
    return 1;                   /* /proc cannot tell: assume alive */
  if (start != 0 && (now_start & START_MASK) != start)
    return 0;
  if (gone (state))
    return other_thread_runs ((pid_t) pid);
  return 1;
}

uint64_t
vc_ch_pid_namespace (void)
{
  struct stat st;
  return stat ("/proc/self/ns/pid", &st) == 0 ? (uint64_t) st.st_ino : 0;
}

/* Whether a channel made in pid namespace NS can be shared with this
   process: the same namespace, or one of the two unknown.  */
static int
same_pid_namespace (uint64_t ns, uint64_t mine)
{
  return ns == 0 || mine == 0 || ns == mine;
}

/* -------------------------------------------------------------- mapping */

uint64_t
vc_ch_round_capacity (uint64_t bytes)
{
  uint64_t page = VC_CH_HEADER_MIN;
  if (bytes == 0)
    bytes = 1;
  if (bytes > (UINT64_C (1) << 46))
    return 0;
  return (bytes + page - 1) / page * page;
}

/* Map FD (HS header bytes, then CAP ring bytes) with the ring twice.  */
static int
map_fd (int fd, uint32_t hs, uint64_t cap, struct vc_ch *ch,
        struct vc_ch_mapping *m)
{
  size_t total = (size_t) hs + 2 * (size_t) cap;
  uint8_t *base = mmap (NULL, total, PROT_NONE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED)
    return errno;
  if (mmap (base, hs + cap, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
            fd, 0) == MAP_FAILED
      || mmap (base + hs + cap, cap, PROT_READ | PROT_WRITE,
               MAP_SHARED | MAP_FIXED, fd, hs) == MAP_FAILED)
    {
      int err = errno;
      munmap (base, total);
      return err;
    }
  /* The process-local fields start from zero (the callers' structures
     are not initialised): seen_tail and next_recheck are read before
     they are first written.  */
  *ch = (struct vc_ch) { .sh = (struct vc_ch_shared *) base,
                         .data = base + hs, .capacity = cap };
  m->base = base;
  m->length = total;
  return 0;
}

void
vc_ch_unmap (struct vc_ch_mapping *m)
{
  if (m->base)
    munmap (m->base, m->length);
  m->base = NULL;
}

/* A descriptor for the memory of an anonymous channel.  */
static int
anonymous_fd (void)
{
#ifdef HAVE_MEMFD_CREATE
  int fd = memfd_create ("vicare-compat-channel", MFD_CLOEXEC);
  if (fd >= 0 || errno != ENOSYS)
    return fd;
#endif
  /* An unlinked shm object serves the same purpose.  */
  for (int attempt = 0; attempt < 100; attempt++)
    {
      char name[64];
      struct timespec ts;
      vc_ch_now (&ts);
      snprintf (name, sizeof name, "/vc-anon-%ld-%ld-%d", (long) getpid (),
                (long) ts.tv_nsec, attempt);
      int fd = shm_open (name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd >= 0)
        {
          shm_unlink (name);
          return fd;
        }
      if (errno != EEXIST)
        return -1;
    }
  errno = EEXIST;
  return -1;
}

/* A number no other channel made on this machine has, most certainly.  */
static uint64_t
make_nonce (void)
{
  static _Atomic uint64_t counter;
  struct timespec ts;
  clock_gettime (CLOCK_REALTIME, &ts);
  uint64_t n = ((uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec)
    ^ ((uint64_t) getpid () << 40) ^ (atomic_fetch_add (&counter, 1) << 24);
  return n ? n : 1;
}

int
vc_ch_create (const char *name, unsigned mode, uint64_t capacity,
              struct vc_ch *ch, struct vc_ch_mapping *m)
{
  uint32_t hs = VC_CH_HEADER_MIN;
  int fd = name ? shm_open (name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
                            (mode_t) mode)
                : anonymous_fd ();
  if (fd < 0)
    return errno;
  int err = 0;
  if (ftruncate (fd, (off_t) (hs + capacity)) != 0)
    err = errno;
  else
    err = map_fd (fd, hs, capacity, ch, m);
  close (fd);
  if (!err)
    {
      /* Before the magic, which vc_ch_init_shared writes last.  */
      ch->sh->pidns = vc_ch_pid_namespace ();
      err = vc_ch_init_shared (ch->sh, hs, capacity,
                               name ? vc_ch_self () : 0, make_nonce ());
      if (err)
        vc_ch_unmap (m);
    }
  if (err)
    {
      if (name)
        shm_unlink (name);
      return err;
    }
  return 0;
}

/* Read and check the header of FD, of SIZE bytes; *PIDNS is its
   creator's pid namespace.  */
static int
read_header (int fd, uint64_t size, uint32_t *hs, uint64_t *cap,
             uint64_t *pidns)
{
  union
  {
    struct vc_ch_shared sh;
    char bytes[VC_CH_HEADER_MIN];
  } copy;
  if (size < VC_CH_HEADER_MIN)
    {
      vc_ch_corruption.what = "mapping smaller than a channel header";
      vc_ch_corruption.value = size;
      return -1;
    }
  ssize_t n = pread (fd, copy.bytes, sizeof copy.bytes, 0);
  if (n < 0)
    return errno;
  if ((size_t) n < sizeof copy.bytes)
    return EIO;
  if (vc_ch_check_shared (&copy.sh, size, cap) != VC_CH_OK)
    return -1;
  *hs = copy.sh.header_size;
  *pidns = copy.sh.pidns;
  return 0;
}

int
vc_ch_open (const char *name, struct vc_ch *ch, struct vc_ch_mapping *m)
{
  int fd = shm_open (name, O_RDWR | O_CLOEXEC, 0);
  if (fd < 0)
    return errno;
  struct stat st;
  int err = fstat (fd, &st) != 0 ? errno : 0;
  uint32_t hs = 0;
  uint64_t cap = 0, pidns = 0;
  if (!err)
    err = read_header (fd, (uint64_t) st.st_size, &hs, &cap, &pidns);
  if (!err && !same_pid_namespace (pidns, vc_ch_pid_namespace ()))
    err = VC_CH_OTHER_PIDNS;
  if (!err)
    err = map_fd (fd, hs, cap, ch, m);
  close (fd);
  return err;
}

int
vc_ch_each_stale (const char *prefix,
                  int (*fn) (void *data, const char *name), void *data)
{
  size_t plen = strlen (prefix);
  DIR *dir = opendir ("/dev/shm");
  if (!dir)
    return errno;
  struct dirent *e;
  int result = 0;
  uint64_t mine = vc_ch_pid_namespace ();
  while (!result && (e = readdir (dir)))
    {
      if (e->d_name[0] == '.')
        continue;
      char name[NAME_MAX + 2];
      snprintf (name, sizeof name, "/%s", e->d_name);
      if (strncmp (name, prefix, plen) != 0)
        continue;
      int fd = shm_open (name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK,
                         0);
      if (fd < 0)
        continue;
      struct stat st;
      uint32_t hs;
      uint64_t cap, pidns = 0, creator = 0;
      int ours = fstat (fd, &st) == 0 && S_ISREG (st.st_mode)
        && read_header (fd, (uint64_t) st.st_size, &hs, &cap, &pidns) == 0
        && same_pid_namespace (pidns, mine)
        && pread (fd, &creator, sizeof creator,
                  offsetof (struct vc_ch_shared, creator))
           == (ssize_t) sizeof creator;
      close (fd);
      if (ours && creator != 0 && !vc_ch_alive (creator))
        result = fn (data, name);
    }
  closedir (dir);
  return result;
}
