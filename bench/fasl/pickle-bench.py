# pickle-bench.py -- time Python's pickle (protocol 5) on the FASL benchmark datasets.
# Copyright (C) 2026 The guile-vicare-compat authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: python3 bench/fasl/pickle-bench.py RUNS [DATASET...]
# Prints RESULT pickle DATASET OP ENCODED-BYTES MEDIAN-SECONDS lines, as
# guile.scm does.  Scheme lists and vectors are Python lists, strings and
# symbols are str, the bytevector is bytes.

import gc
import pickle
import statistics
import sys
import time


def make_dataset(name):
    if name == "D1":
        return [i * 7 % 1000003 for i in range(1000000)]
    if name == "D2":
        return ["item-%d" % i for i in range(200000)]
    if name == "D3":
        return [i / 3.0 for i in range(500000)]
    if name == "D4":
        return [[i, "name-%d" % i, "sym-%d" % (i % 100), [i, i + 1], 1.5]
                for i in range(100000)]
    if name == "D5":
        n = 64 * 1024 * 1024
        return bytes(i % 251 for i in range(251)) * (n // 251) + bytes(i % 251 for i in range(n % 251))
    if name == "D6":
        return [2 ** 70 + i for i in range(200000)]
    raise ValueError(name)


def timed(runs, thunk):
    times = []
    result = None
    for _ in range(runs):
        gc.collect()
        t0 = time.perf_counter()
        result = thunk()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def main():
    runs = int(sys.argv[1])
    names = sys.argv[2:] or ["D1", "D2", "D3", "D4", "D5", "D6"]
    for name in names:
        obj = make_dataset(name)
        wsecs, data = timed(runs, lambda: pickle.dumps(obj, protocol=5))
        print("RESULT pickle %s write %d %f" % (name, len(data), wsecs), flush=True)
        rsecs, _ = timed(runs, lambda: pickle.loads(data))
        print("RESULT pickle %s read %d %f" % (name, len(data), rsecs), flush=True)


main()
