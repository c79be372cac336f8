#!/bin/sh
# build.sh -- build the libFuzzer harnesses: the C FASL reader, and the
# shared memory of a channel.
# Copyright (C) 2026 The guile-vicare-compat authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: fuzz/build.sh [BUILDDIR]
#
# BUILDDIR is a configured build tree of this package (default: build/ at
# the top of the source tree); only its config.h is used.  The extension's
# C files are compiled again, instrumented, straight into the harness: the
# installed module exports nothing but vc_init.  Output: fuzz/fasl-read-fuzz
# and fuzz/channel-fuzz (the channel protocol alone, without Guile).
set -e
fuzzdir=`cd "\`dirname "$0"\`" && pwd`
top=`dirname "$fuzzdir"`
build=${1:-$top/build}
test -f "$build/config.h" || { echo "build.sh: no config.h in $build (configure first)" >&2; exit 1; }
CC=${CC:-clang}
SAN=${SAN:--fsanitize=fuzzer,address,undefined}
# Not the build-time generators (gen-*.c, generated in in-tree builds).
sources=`ls "$top"/src/*.c | grep -v '/gen-'`
# glibc's <complex.h> defines CMPLX only for GCC >= 4.7, and clang says it
# is GCC 4.2; src/pointer.c needs it.
CMPLX_DEF='-DCMPLX(x,y)=__builtin_complex((double)(x),(double)(y))'
set -x
$CC -g -O1 -fno-omit-frame-pointer $SAN -fno-sanitize-recover=undefined \
  "$CMPLX_DEF" -I"$build" -I"$top/src" `pkg-config --cflags guile-3.0` \
  -o "$fuzzdir/fasl-read-fuzz" "$fuzzdir/fasl-read-fuzz.c" $sources \
  `pkg-config --libs guile-3.0` -lgmp
$CC -g -O1 -fno-omit-frame-pointer $SAN -fno-sanitize-recover=undefined \
  -I"$build" -I"$top/src" -o "$fuzzdir/channel-fuzz" \
  "$fuzzdir/channel-fuzz.c" "$top/src/channel-ring.c" "$top/src/channel-map.c" \
  "$top/src/channel-wait.c"
