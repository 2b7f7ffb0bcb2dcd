"""The GIL: two threads computing at once take turns holding it, so each
waits for it about half its time; alone, a thread never waits for it.

gil.py [SECONDS [THREADS]]: THREADS (2; 1: the main thread alone) spin for
SECONDS (2.0) of wall-clock time each, in spin (gil.py).

perf record -e cpu-clock/freq=499/ -e sched:sched_switch --switch-events \
    --call-graph dwarf,16384 -- python3.12 -X perf samples/gil.py
perf2folded --off-cpu --python --tid perf.data   # spin (gil.py);[GIL];...
"""
import sys
import threading
import time

SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
THREADS = int(sys.argv[2]) if len(sys.argv) > 2 else 2


def spin(end):
    n = 0
    while time.monotonic() < end:
        n += 1
    return n


def main():
    end = time.monotonic() + SECONDS
    if THREADS == 1:
        spin(end)
        return
    threads = [threading.Thread(target=spin, args=(end,))
               for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


if __name__ == "__main__":
    main()
