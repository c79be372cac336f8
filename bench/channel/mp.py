# mp.py -- the Python peer of the channel benchmark (bench/channel/run).
# Copyright (C) 2026 The guile-vicare-compat authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: python3 mp.py CASE RUNS COUNT, CASE as in bench.scm:
#   pingpong  round trips of DATUM: the parent sends, a child echoes
#   stream-1  COUNT small values (an int, then DATUM), 1 producer to 1
#   stream-4  the same, 4 producers to 1 consumer
#   mib       COUNT bytes objects of 1 MiB, 1 producer to 1 consumer
# Methods: multiprocessing.Queue (one per direction; one shared by the
# producers) and multiprocessing.Pipe (one per direction; one per
# producer, read in turn).  Pickle protocol 5: multiprocessing pickles
# with the default protocol (4 up to Python 3.13), so it is set here.
# Processes are forked, as the Guile side's are.  The streams also give
# the processor time (time.process_time_ns: all threads, the queue's
# feeder thread included) each value cost the consumer and the producers.

import multiprocessing as mp
from multiprocessing.reduction import ForkingPickler
import pickle
import statistics
import sys
import time

DATUM = [1, "two", "three", 4.0, b"\x05\x06\x07"]
MIB = b"\x07" * (1024 * 1024)


def echo_queue(down, up, count):
    for _ in range(count):
        up.put(down.get())


def echo_pipe(conn, count):
    for _ in range(count):
        conn.send(conn.recv())


def pingpong(method, count):
    times = []
    if method == "python-queue":
        down, up = mp.Queue(), mp.Queue()
        child = mp.Process(target=echo_queue, args=(down, up, count))
        child.start()
        for _ in range(count):
            t0 = time.perf_counter_ns()
            down.put(DATUM)
            up.get()
            times.append(time.perf_counter_ns() - t0)
    else:
        parent, other = mp.Pipe()
        child = mp.Process(target=echo_pipe, args=(other, count))
        child.start()
        for _ in range(count):
            t0 = time.perf_counter_ns()
            parent.send(DATUM)
            parent.recv()
            times.append(time.perf_counter_ns() - t0)
    child.join()
    return times


def produce_queue(q, value, count, cpu):
    c0 = time.process_time_ns()
    for _ in range(count):
        q.put(value)
    q.close()
    q.join_thread()             # the feeder thread has sent everything
    cpu.value = time.process_time_ns() - c0


def produce_pipe(conn, value, count, cpu):
    c0 = time.process_time_ns()
    for _ in range(count):
        conn.send(value)
    cpu.value = time.process_time_ns() - c0


def stream(method, producers, count, value):
    per = count // producers
    n = per * producers
    cpus = [mp.Value("q", 0) for _ in range(producers)]
    if method == "python-queue":
        q = mp.Queue()
        children = [mp.Process(target=produce_queue,
                               args=(q, value, per, cpus[i]))
                    for i in range(producers)]
        receivers = [q.get]
    else:
        ends = [mp.Pipe(duplex=False) for _ in range(producers)]
        children = [mp.Process(target=produce_pipe,
                               args=(ends[i][1], value, per, cpus[i]))
                    for i in range(producers)]
        receivers = [r.recv for (r, w) in ends]
    for c in children:
        c.start()
    receivers[0]()
    t0 = time.perf_counter_ns()
    c0 = time.process_time_ns()
    for i in range(1, n):
        receivers[i % len(receivers)]()
    t = time.perf_counter_ns() - t0
    c = time.process_time_ns() - c0
    for p in children:
        p.join()
    return ((n - 1) / (t / 1e9), c / (n - 1),
            sum(x.value for x in cpus) / n)


def medians(runs):
    return [statistics.median(field) for field in zip(*runs)]


_dumps = ForkingPickler.dumps.__func__


def dumps_5(cls, obj, protocol=None):
    return _dumps(cls, obj, 5)


def main():
    case, runs, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    mp.set_start_method("fork")
    assert pickle.HIGHEST_PROTOCOL >= 5
    ForkingPickler.dumps = classmethod(dumps_5)
    methods = ["python-queue", "python-pipe"]
    if case == "pingpong":
        for m in methods:
            times = sorted(t for _ in range(runs) for t in pingpong(m, count))
            print("%s %.2f %.2f" % (m, times[len(times) // 2] / 1000,
                                    times[len(times) * 99 // 100] / 1000))
    elif case in ("stream-1", "stream-4"):
        producers = 1 if case == "stream-1" else 4
        for what, value in (("fixnum", 12345), ("datum", DATUM)):
            for m in methods:
                rate, consumer, producer = medians(
                    [stream(m, producers, count, value) for _ in range(runs)])
                print("%s %s %.0f %.3f %.3f" % (m, what, rate,
                                                consumer / 1000,
                                                producer / 1000))
    elif case == "mib":
        for m in methods:
            rate, consumer, producer = medians(
                [stream(m, 1, count, MIB) for _ in range(runs)])
            print("%s %.2f %.1f %.1f" % (m, rate * len(MIB) / 1e9,
                                         consumer / 1000, producer / 1000))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
