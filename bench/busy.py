"""A busy Python program for bench/stream.sh: spins in Python functions for
SECONDS on THREADS threads, or in PROCS forked worker processes
(multiprocessing), then writes the CPU seconds it and its children used
(user + system) to CPU_FILE.

usage: busy.py SECONDS CPU_FILE [--threads N | --procs N]
"""
import multiprocessing
import os
import sys
import threading
import time


def leaf(n):
    s = 0
    for i in range(n):
        s += i * i
    return s


def middle(n):
    return leaf(n) + leaf(n // 2)


def spin(deadline):
    while time.monotonic() < deadline:
        middle(2000)


def main():
    seconds, cpu_file = float(sys.argv[1]), sys.argv[2]
    mode, n = (sys.argv[3], int(sys.argv[4])) if len(sys.argv) > 4 else ("--threads", 1)
    deadline = time.monotonic() + seconds
    if mode == "--procs":
        ctx = multiprocessing.get_context("fork")
        procs = [ctx.Process(target=spin, args=(deadline,)) for _ in range(n)]
        for p in procs:
            p.start()
        for p in procs:
            p.join()
    else:
        threads = [threading.Thread(target=spin, args=(deadline,)) for _ in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    t = os.times()
    with open(cpu_file, "w") as f:
        f.write("%.3f\n" % (t.user + t.system + t.children_user + t.children_system))


if __name__ == "__main__":
    main()
