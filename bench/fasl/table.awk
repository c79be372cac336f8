# table.awk -- format the RESULT and MEMORY lines of bench/fasl/run.
# Copyright (C) 2026 The guile-vicare-compat authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# RESULT IMPL DATASET OP BYTES SECONDS  -> MB/s per implementation, and
# speed ratios of ours-bv against Chez, Guile and pickle computed from the
# times (peer time / our time: above 1 means we are faster), since the
# codecs' encoded sizes differ.
# MEMORY DATASET FORM OWN PEAK          -> peak / own.

$1 == "RESULT" {
  key = $3 SUBSEP $4
  if (!(key in seen)) { seen[key] = 1; rows[++nrows] = key }
  impls[$2] = 1
  mbs[$2, key] = $5 / 1e6 / $6
  secs[$2, key] = $6
}
$1 == "MEMORY" {
  if (!($2 in mseen)) { mseen[$2] = 1; mrows[++nmrows] = $2 }
  own[$2] = $4; peak[$2, $3] = $5
}

function cell(impl, key) {
  return ((impl, key) in mbs) ? sprintf("%9.1f", mbs[impl, key]) : sprintf("%9s", "-")
}
function ratio(peer, key) {
  if (!(("ours-bv", key) in secs) || !((peer, key) in secs)) return sprintf("%8s", "-")
  return sprintf("%7.2fx", secs[peer, key] / secs["ours-bv", key])
}

END {
  n = split("ours-bv ours-port guile-text ikarus chez pickle", order, " ")
  printf "%-4s %-5s", "data", "op"
  for (i = 1; i <= n; i++) printf " %9s", order[i]
  printf " | %8s %8s %8s\n", "vs chez", "vs guile", "vs pickle"
  printf "%-4s %-5s", "", ""
  for (i = 1; i <= n; i++) printf " %9s", "MB/s"
  printf " | %8s %8s %8s\n", "speed", "speed", "speed"
  for (r = 1; r <= nrows; r++) {
    key = rows[r]; split(key, parts, SUBSEP)
    printf "%-4s %-5s", parts[1], parts[2]
    for (i = 1; i <= n; i++) printf " %s", cell(order[i], key)
    printf " | %s %s %s\n", ratio("chez", key), ratio("guile-text", key), ratio("pickle", key)
  }
  if (nmrows > 0) {
    printf "\n%-4s %12s %18s %18s\n", "data", "own MB", "fasl-decode peak", "fasl-read peak"
    for (r = 1; r <= nmrows; r++) {
      d = mrows[r]
      printf "%-4s %12.1f %10.1f (%4.2fx) %10.1f (%4.2fx)\n", d, own[d] / 1e6,
        peak[d, "decode"] / 1e6, peak[d, "decode"] / own[d],
        peak[d, "read"] / 1e6, peak[d, "read"] / own[d]
    }
  }
}
