/* channel-map.h -- making, opening and mapping a channel's memory.
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later

   The ring of a channel is mapped twice in a row after its header page,
   so every record is contiguous wherever it starts.  The memory is a
   POSIX shared memory object (named channels) or a memfd (anonymous
   ones, inherited across fork).  No libguile here: errors are errno
   values (or VC_CH_CORRUPT for a file that is not a channel).  */

#ifndef VC_CHANNEL_MAP_H
#define VC_CHANNEL_MAP_H

#include "channel-ring.h"

/* A mapped channel: what vc_ch_unmap needs.  */
struct vc_ch_mapping
{
  void *base;
  size_t length;
};

/* The capacity of a ring that holds at least BYTES: BYTES rounded up to
   a page.  0 when it does not fit in a mapping.  */
uint64_t vc_ch_round_capacity (uint64_t bytes);

/* Make a channel of CAPACITY bytes (from vc_ch_round_capacity).  NAME is
   NULL for an anonymous channel, else a POSIX shared memory name, which
   must not exist yet (O_EXCL) and is made with permissions MODE.  Return
   0 and fill CH (sh, data, capacity) and M, or an errno value (nothing
   is left behind).  */
int vc_ch_create (const char *name, unsigned mode, uint64_t capacity,
                  struct vc_ch *ch, struct vc_ch_mapping *m);

/* Open the named channel NAME.  Return 0, an errno value, -1 when the
   object is not a channel (vc_ch_corruption says why), or
   VC_CH_OTHER_PIDNS when it was made in another pid namespace, whose
   processes this one cannot tell alive from dead.  */
#define VC_CH_OTHER_PIDNS (-2)
int vc_ch_open (const char *name, struct vc_ch *ch, struct vc_ch_mapping *m);

/* This process's pid namespace (the inode of /proc/self/ns/pid), or 0
   when it cannot be known.  */
uint64_t vc_ch_pid_namespace (void);

/* Unmap.  */
void vc_ch_unmap (struct vc_ch_mapping *m);

/* Call FN with each name under /dev/shm that starts with PREFIX ("/..."),
   whose object is a channel made by a process that is dead (a name
   starting with '/'), and made in this pid namespace or one unknown
   (elsewhere, life cannot be told from here); stop early and return what
   FN returned when it is non-zero.  Returns 0 when done, or an errno
   value when the directory cannot be read.  */
int vc_ch_each_stale (const char *prefix,
                      int (*fn) (void *data, const char *name), void *data);

#endif /* VC_CHANNEL_MAP_H */
