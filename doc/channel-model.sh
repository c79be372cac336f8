#!/bin/sh
# channel-model.sh -- check doc/channel-model.pml with spin.
# Copyright (C) 2026 The guile-vicare-compat authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: sh doc/channel-model.sh [WORKDIR]
# Needs spin (Debian: apt-get install spin) and a C compiler.  Checks
# the model in each configuration below and prints spin's verdict; exits
# non-zero when any check finds an error.  The exhaustive runs need
# about 2.5 GB of memory and 3 minutes in all; the bitstate runs 1 GB
# each and a few minutes (a bitstate search covers most, not all, of
# the states: its "hash factor" says how well).
#
#   NP, NC   producers and consumers
#   K        values each producer puts
#   CAP      records the ring holds
#   MAXKILL  processes killed at most (before any step of theirs)

set -e
model=$(cd "$(dirname "$0")" && pwd)/channel-model.pml
work=${1:-$(mktemp -d)}
cd "$work"
cp "$model" .
status=0

run () {
  kind=$1; shift
  spin -a "$@" channel-model.pml > /dev/null
  if test "$kind" = exhaustive; then
    cc -O2 -DSAFETY -DCOLLAPSE -DMEMLIM=4000 -o pan pan.c
    ./pan -m1000000 -w26 > out 2>&1 || true
  else
    cc -O2 -DSAFETY -DBITSTATE -o pan pan.c
    ./pan -m1000000 -w33 -k3 > out 2>&1 || true
  fi
  echo "== $kind $*"
  grep -E "errors:|states, stored|hash factor|violated|out of memory" out
  grep -q "errors: 0" out || status=1
}

run exhaustive -DNP=1 -DNC=2 -DK=2 -DCAP=2 -DMAXKILL=1
run exhaustive -DNP=2 -DNC=2 -DK=1 -DCAP=1 -DMAXKILL=1
run exhaustive -DNP=2 -DNC=2 -DK=1 -DCAP=2 -DMAXKILL=1
run bitstate -DNP=2 -DNC=2 -DK=2 -DCAP=2 -DMAXKILL=1
run bitstate -DNP=2 -DNC=3 -DK=1 -DCAP=2 -DMAXKILL=2
exit $status
