/* fasl-recent.c -- the record types and symbols the FASL codec has met
   lately.
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later

   Every datum carries the record types of its records and the names of
   its symbols, and messages are mostly records of a few types and the
   same few symbols.  Making a type from its parts, or taking it apart,
   goes through Scheme code (fasl-support.scm), and interning a symbol
   through Guile's symbol table, under its lock: many times the cost of
   the record or of the pair holding the symbol.  Small caches, shared
   by all threads, remember the latest ones.

   Writing: record type -> its info vector (what rtd-info returns).  A
   record type never changes, so an entry is right as long as it exists.

   Reading record types: the bytes of a W entry (past its tag) -> the
   record type that reading them made.  Reading the same bytes again
   makes the same type: the entry holds the type, so the uid table (weak)
   still maps its uid to it, and make-rtd, given the same parts, returns
   the type its uid maps to.  Entries come only from W entries that
   neither announce nor reference a mark (their reading does not depend
   on the marks around them), and a hit needs the whole entry among the
   bytes already there (it never asks a port for more).

   Reading symbols: the Latin-1 characters of a name -> the interned
   symbol.  The entry holds the symbol, so it stays interned, and
   interning the same characters again gives that very symbol.

   Each cache has a fixed number of slots, one entry each, replaced by
   the next one that falls in the slot: the objects they hold stay alive
   until then, a bounded number.  Entries never change once made; a
   slot is read and replaced atomically, so threads need no lock.  */

#include <config.h>

#include <stdatomic.h>
#include <string.h>

#include <libguile/bdw-gc.h>

#include "fasl.h"

#define SLOTS 256               /* a power of 2 */

/* The shortest W entry that holds no mark (name "Ms" + length, parent,
   uid "Ms" + length, two flags, field count).  */
#define MIN_ENTRY 32
/* Longer W entries are not remembered.  */
#define MAX_ENTRY 1024

struct read_entry
{
  SCM rtd;
  size_t len;
  uint8_t bytes[];
};

struct write_entry
{
  SCM rtd, info;
};

/* Symbols of longer names are not remembered.  */
#define MAX_SYMBOL 64

struct symbol_entry
{
  SCM symbol;
  size_t len;
  char chars[];
};

/* GC-scanned roots: the entries, and through them their objects.  */
static struct read_entry *_Atomic *read_slots;
static struct write_entry *_Atomic *write_slots;
static struct symbol_entry *_Atomic *symbol_slots;

/* The number of bytes at the start of a W entry (AVAIL bytes at P) that
   choose its slot: its name and, when it has no parent, its uid, the
   usual form ("Ms", length, characters, "F", "Ms", length, characters);
   else its first MIN_ENTRY bytes.  0 when they are not all there.  */
static size_t
key_length (const uint8_t *p, size_t avail)
{
  if (avail >= 10 && p[0] == 'M' && p[1] == 's')
    {
      uint64_t name = vc_fasl_load64 (p + 2);
      if (name < avail && 10 + name < avail && p[10 + name] == 'F')
        {
          size_t q = 11 + (size_t) name;
          if (avail - q >= 10 && p[q] == 'M' && p[q + 1] == 's')
            {
              uint64_t uid = vc_fasl_load64 (p + q + 2);
              return uid <= avail - q - 10 ? q + 10 + (size_t) uid : 0;
            }
        }
    }
  return avail >= MIN_ENTRY ? MIN_ENTRY : 0;
}

static size_t
key_slot (const uint8_t *p, size_t n)
{
  uint64_t h = n;
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    h = (h ^ vc_fasl_load64 (p + i)) * UINT64_C (0x9E3779B97F4A7C15);
  uint64_t tail = 0;
  memcpy (&tail, p + i, n - i);
  h = (h ^ tail) * UINT64_C (0x9E3779B97F4A7C15);
  return (size_t) (h >> 56) & (SLOTS - 1);
}

SCM
vc_fasl_known_rtd (const uint8_t *p, size_t avail, size_t *len)
{
  size_t key = key_length (p, avail);
  if (key == 0)
    return SCM_UNDEFINED;
  struct read_entry *e = atomic_load_explicit (&read_slots[key_slot (p, key)],
                                               memory_order_acquire);
  if (e == NULL || e->len > avail || memcmp (e->bytes, p, e->len) != 0)
    return SCM_UNDEFINED;
  *len = e->len;
  return e->rtd;
}

void
vc_fasl_remember_rtd (const uint8_t *p, size_t len, SCM rtd)
{
  size_t key = key_length (p, len);
  if (key == 0 || len < MIN_ENTRY || len > MAX_ENTRY)
    return;
  struct read_entry *e = scm_gc_malloc (sizeof *e + len, "fasl rtd entry");
  e->rtd = rtd;
  e->len = len;
  memcpy (e->bytes, p, len);
  atomic_store_explicit (&read_slots[key_slot (p, key)], e,
                         memory_order_release);
}

static size_t
rtd_slot (SCM rtd)
{
  uint64_t h = (uint64_t) SCM_UNPACK (rtd) * UINT64_C (0x9E3779B97F4A7C15);
  return (size_t) (h >> 56) & (SLOTS - 1);
}

SCM
vc_fasl_rtd_info (SCM rtd)
{
  size_t slot = rtd_slot (rtd);
  struct write_entry *e = atomic_load_explicit (&write_slots[slot],
                                                memory_order_acquire);
  if (e && scm_is_eq (e->rtd, rtd))
    return e->info;
  SCM info = scm_call_1 (vc_fasl_support_ref (VC_FASL_RTD_INFO), rtd);
  if (scm_is_true (info))
    {
      e = scm_gc_malloc (sizeof *e, "fasl rtd info entry");
      e->rtd = rtd;
      e->info = info;
      atomic_store_explicit (&write_slots[slot], e, memory_order_release);
    }
  return info;
}

SCM
vc_fasl_symbol (const char *chars, size_t n)
{
  if (n > MAX_SYMBOL)
    return scm_from_latin1_symboln (chars, n);
  size_t slot = key_slot ((const uint8_t *) chars, n);
  struct symbol_entry *e = atomic_load_explicit (&symbol_slots[slot],
                                                 memory_order_acquire);
  if (e && e->len == n && memcmp (e->chars, chars, n) == 0)
    return e->symbol;
  SCM symbol = scm_from_latin1_symboln (chars, n);
  e = scm_gc_malloc (sizeof *e + n, "fasl symbol entry");
  e->symbol = symbol;
  e->len = n;
  memcpy (e->chars, chars, n);
  atomic_store_explicit (&symbol_slots[slot], e, memory_order_release);
  return symbol;
}

/* A table of SLOTS atomic pointers, all NULL, that the collector scans.  */
static void *
new_slots (size_t size)
{
  void *_Atomic *t = GC_MALLOC_UNCOLLECTABLE (SLOTS * size);
  if (!t)
    abort ();
  for (size_t i = 0; i < SLOTS; i++)
    atomic_init (&t[i], NULL);
  return t;
}

void
vc_init_fasl_recent (void)
{
  read_slots = new_slots (sizeof *read_slots);
  write_slots = new_slots (sizeof *write_slots);
  symbol_slots = new_slots (sizeof *symbol_slots);
}
