/* fasl.h -- the FASL codec: what the writer, the reader and the
   primitives share.
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later

   The format is the data subset of Ikarus/Vicare FASL, 64-bit variant
   (header "#@IK02"); see doc/fasl.texi.  The writer encodes into one
   buffer, or hands its output to a sink (a port) a buffer at a time;
   the reader decodes from one buffer it is given.  Every call keeps its state in
   its own context, so threads may encode and decode at once.  */

#ifndef VC_FASL_H
#define VC_FASL_H

#include <stdlib.h>
#include <string.h>

#include "vc.h"
#include "layout.h"

/* The six header bytes.  */
#define VC_FASL_HEADER "#@IK02"
#define VC_FASL_HEADER_SIZE 6

/* Containers nested deeper than this are refused by the reader (and by
   the size scanner used by port reads).  Each level needs at least one
   input byte, so the reader's stack is bounded by its input anyway; the
   limit only gives hostile input a clear error long before memory runs
   short.  */
#define VC_FASL_MAX_DEPTH 1000000

/* Decode exactly one FASL datum, header included, from BUF[0..LEN).
   Returns the object; stores in *USED the number of bytes consumed.
   Trailing bytes after the datum are NOT an error here (callers decide).
   Malformed input raises through vc_raise_fasl_read (who "fasl-read"),
   never crashes, never allocates more than the input can justify.  */
SCM vc_fasl_decode (const uint8_t *buf, size_t len, size_t *used);

/* The same, with the WHO reported in conditions.  */
SCM vc_fasl_decode_who (const uint8_t *buf, size_t len, size_t *used,
                        const char *who);

/* A source of bytes that a decoder pulls from as it goes: BUF[0..LEN)
   are the bytes so far.  REFILL is asked for at least N more bytes
   past LEN, and may add up to N + AHEAD, AHEAD being a lower bound of
   the bytes the datum has after those N: it sets BUF and LEN (BUF may
   move) and returns how many bytes it added, 0 at the end of the
   input, when the decoder reports the datum truncated.  FAULT, when
   not NULL, is called just before the decoder raises &fasl-read-error
   (the source may then take more bytes; the decoder no longer looks at
   BUF).  */
struct vc_fasl_source
{
  const uint8_t *buf;
  size_t len;
  size_t (*refill) (struct vc_fasl_source *src, size_t n, size_t ahead);
  void (*fault) (struct vc_fasl_source *src);
};

/* Decode one datum as vc_fasl_decode_who does, from SRC; *USED is the
   size of the datum (SRC may hold more bytes).  */
SCM vc_fasl_decode_source (struct vc_fasl_source *src, size_t *used,
                           const char *who);

/* Encode OBJ, header included and preceded by one Vicare "O" entry per
   string of the list LIBRARIES (SCM_EOL for none), and return the bytes;
   store their number in *LEN.  Once the datum is walked, DEST_FOR (if
   not NULL) is called with DATA and an upper bound of the size: it may
   return a buffer of at least that many bytes, which the encoding is
   written to and which is returned; else (or if the bound were ever
   exceeded) the bytes are in a buffer from malloc that the caller frees.
   No byte past the bound is written to the buffer of DEST_FOR.  Raises
   an assertion (who WHO, "not fasl-writable") before DEST_FOR is called
   when OBJ holds an object the format cannot carry.  */
uint8_t *vc_fasl_encode (SCM obj, SCM libraries, const char *who,
                         uint8_t *(*dest_for) (void *data, size_t bound),
                         void *data, size_t *len);

/* Encode as vc_fasl_encode does, but hand the bytes, in order, to SINK
   (called with DATA) as they are produced: N bytes at BYTES, which lie
   in the bytevector BV -- the encoder's buffer (at most 256 KiB, but
   for a single longer string) or a big bytevector of the datum itself
   -- or, when BV is #f, in a C buffer of the encoder's (a datum of at
   most 1 KiB).  The "not fasl-writable" assertion is raised before SINK
   is first called.  */
void vc_fasl_encode_to (SCM obj, SCM libraries, const char *who,
                        void (*sink) (void *data, SCM bv,
                                      const uint8_t *bytes, size_t n),
                        void *data);

/* The record types and symbols the codec has met lately
   (fasl-recent.c).

   The record type that reading the W entry whose bytes past its tag
   start at P (AVAIL bytes there) would give, when it was read lately;
   *LEN is then the entry's size.  SCM_UNDEFINED otherwise.  */
SCM vc_fasl_known_rtd (const uint8_t *p, size_t avail, size_t *len);

/* Reading the LEN bytes at P, a W entry past its tag that announces and
   references no mark, gave RTD.  */
void vc_fasl_remember_rtd (const uint8_t *p, size_t len, SCM rtd);

/* What rtd-info of (vicare-compat fasl-support) returns for RTD.  */
SCM vc_fasl_rtd_info (SCM rtd);

/* The interned symbol of the N Latin-1 characters at CHARS.  */
SCM vc_fasl_symbol (const char *chars, size_t n);

/* Called by vc_init_fasl.  */
void vc_init_fasl_recent (void);

/* fasl-read and fasl-write (fasl-port.c); called by vc_init_fasl.  */
void vc_init_fasl_port (void);

/* Port reads: the number of bytes of the datum at the start of BUF, when
   BUF holds all of it.  The scanner checks only what it needs to find
   the end; the decoder does every check.  */
enum vc_fasl_scan_status
{
  VC_FASL_SCAN_DONE,            /* *END is the size of the datum */
  VC_FASL_SCAN_MORE,            /* *END is how many bytes are needed at
                                   least (more than LEN) */
  VC_FASL_SCAN_BAD              /* malformed: decode to get the error */
};

/* A resumable scan: call vc_fasl_scan with BUF growing (same prefix)
   until it returns DONE or BAD.  */
struct vc_fasl_scan_frame
{
  uint64_t left;                /* objects still expected */
  uint8_t kind;
};

#define VC_FASL_SCAN_FRAMES 32

struct vc_fasl_scan
{
  size_t pos;                   /* where the next object starts */
  size_t depth;                 /* frames in use */
  size_t capacity;              /* frames allocated */
  struct vc_fasl_scan_frame *frames;
  /* The first frames: a message needs no allocation.  */
  struct vc_fasl_scan_frame frames0[VC_FASL_SCAN_FRAMES];
};

void vc_fasl_scan_init (struct vc_fasl_scan *scan);
enum vc_fasl_scan_status vc_fasl_scan (struct vc_fasl_scan *scan,
                                       const uint8_t *buf, size_t len,
                                       size_t *end);

/* The Scheme procedures of (vicare-compat fasl-support), resolved on
   first use: record types, R6RS hashtables and gensyms are Scheme-level
   objects the C code cannot build or take apart alone.  */
enum vc_fasl_support_index
{
  VC_FASL_RECORD_TYPE_VTABLE,   /* the vtable of every record type */
  VC_FASL_HASHTABLE_VTABLE,     /* the record type of R6RS hashtables */
  VC_FASL_RTD_INFO,             /* rtd -> #(name parent uid sealed? opaque?
                                   #((mutable? . name) ...)) or #f */
  VC_FASL_HASHTABLE_CONTENTS,   /* table -> #(eq? keys values) or #f */
  VC_FASL_MAKE_HASHTABLE,       /* eq? -> fresh eq/eqv table */
  VC_FASL_HASHTABLE_FILL,       /* table keys values -> #t, #f (dup key) */
  VC_FASL_MAKE_RTD,             /* name parent uid sealed? opaque? fields
                                   -> rtd, or a string saying what is wrong */
  VC_FASL_MAKE_STRUCT_RTD,      /* name uid field-names -> rtd or string */
  VC_FASL_GENSYM,               /* pretty unique -> uninterned symbol */
  VC_FASL_GENSYM_UNIQUE,        /* uninterned symbol -> unique string */
  VC_FASL_INPUT_BUFFERED,       /* input port -> bytes in its buffer N,
                                   or -1 - N when it is unbuffered */
  VC_FASL_SUPPORT_COUNT
};

/* The vector of those procedures and values.  */
SCM vc_fasl_support (void);

static inline SCM
vc_fasl_support_ref (enum vc_fasl_support_index i)
{
  return SCM_SIMPLE_VECTOR_REF (vc_fasl_support (), i);
}

/* Little-endian loads and stores, through memcpy.  */
static inline uint64_t
vc_fasl_load64 (const uint8_t *p)
{
  uint64_t v;
  memcpy (&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  v = __builtin_bswap64 (v);
#endif
  return v;
}

static inline uint32_t
vc_fasl_load32 (const uint8_t *p)
{
  uint32_t v;
  memcpy (&v, p, 4);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  v = __builtin_bswap32 (v);
#endif
  return v;
}

static inline void
vc_fasl_store64 (uint8_t *p, uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  v = __builtin_bswap64 (v);
#endif
  memcpy (p, &v, 8);
}

static inline void
vc_fasl_store32 (uint8_t *p, uint32_t v)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  v = __builtin_bswap32 (v);
#endif
  memcpy (p, &v, 4);
}

#endif /* VC_FASL_H */
