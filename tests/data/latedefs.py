"""Functions defined late, for tests/e2e/python_stream.py: spins in
early_work() for SECONDS of CPU time, then compiles and execs generated
source defining late_outer() and late_leaf() (CPython writes their perf
map lines, or jitdump records, only when they are first called), spins in
them for SECONDS more, and writes the CPU seconds of each phase to
CPU_FILE as "EARLY LATE".

usage: latedefs.py SECONDS CPU_FILE
"""
import sys
import time


def early_work(seconds):
    end = time.process_time() + seconds
    s = 0
    while time.process_time() < end:
        for i in range(2000):
            s += i * i
    return s


LATE = '''
def late_leaf(n):
    s = 0
    for i in range(n):
        s += i * i
    return s


def late_outer(seconds):
    end = time.process_time() + seconds
    while time.process_time() < end:
        late_leaf(2000)
'''


def main():
    seconds, cpu_file = float(sys.argv[1]), sys.argv[2]
    t0 = time.process_time()
    early_work(seconds)
    t1 = time.process_time()
    ns = {"time": time}
    exec(compile(LATE, "<generated>", "exec"), ns)
    ns["late_outer"](seconds)
    t2 = time.process_time()
    with open(cpu_file, "w") as f:
        f.write(f"{t1 - t0:.3f} {t2 - t1:.3f}\n")


if __name__ == "__main__":
    main()
