/* channel-port.h -- a descriptor that is readable when a channel may
   hold a value.
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later

   A futex cannot be polled, so each process that asks for a channel's
   port runs one thread (not a Guile thread: it touches no Scheme object)
   that sleeps on the channel's wake-up word and makes an eventfd (a pipe
   where there is none) readable when a value may be there.  The
   descriptor stays readable until a get of this process finds nothing
   and resets it: an event loop waits for it, then gets values until
   there are none.  */

#ifndef VC_CHANNEL_PORT_H
#define VC_CHANNEL_PORT_H

#include <sys/types.h>

#include "channel-ring.h"

struct vc_ch_watcher;

/* Start watching CH (which must stay mapped until vc_ch_watcher_stop).
   Return 0 and the watcher, or an errno value.  */
int vc_ch_watcher_start (struct vc_ch *ch, struct vc_ch_watcher **out);

/* A new descriptor for the watcher's readable end (a dup: the watcher
   keeps its own), or -1 with errno.  */
int vc_ch_watcher_dup_fd (struct vc_ch_watcher *w);

/* The process the watcher runs in: after fork, a child has a copy of the
   structure but no thread.  */
pid_t vc_ch_watcher_pid (const struct vc_ch_watcher *w);

/* A get found nothing: make the descriptor unreadable again (the watcher
   makes it readable at the next value).  Return non-zero when the
   watcher asks that the next get look for values held by dead processes
   (the channel has not moved for a recheck interval).  */
void vc_ch_watcher_reset (struct vc_ch_watcher *w);
int vc_ch_watcher_take_recheck (struct vc_ch_watcher *w);

/* Stop the thread, wait for it, close the watcher's descriptors and free
   it.  In a forked child (another pid), only close and free.  */
void vc_ch_watcher_stop (struct vc_ch_watcher *w);

#endif /* VC_CHANNEL_PORT_H */
