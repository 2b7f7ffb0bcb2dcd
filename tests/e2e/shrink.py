#!/usr/bin/env python3
"""End to end: an input file truncated by another process while a tool
reads it (mapped) ends the tool with one line and exit status 2, not with
SIGBUS (common/mapguard.h).

Each tool is started on a large input; as soon as its mapping of the file
shows in /proc/PID/maps the tool is stopped (SIGSTOP), the file cut to one
page, and the tool continued: every later read of the mapping past that
page faults, whatever the tool had read so far. A tool that finished
before it was caught fails the test (the inputs are sized to take tenths
of a second). foldfilter and folddiff (AFTER, read on folddiff's thread)
read a folded file; perf2folded a perf script text written here and a
perf.data recorded here with perf.
Needs perf and python3; fails naming what is missing.
usage: shrink.py FOLDFILTER FOLDDIFF PERF2FOLDED
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from python_samples import check  # noqa: E402
import python_samples  # noqa: E402

def mapped(pid, path):
    try:
        with open(f"/proc/{pid}/maps") as f:
            return any(line.rstrip("\n").endswith(" " + path) for line in f)
    except OSError:
        return False


def cut_while_read(cmd, path, tool):
    """Run cmd, cut path once cmd has it mapped; check how cmd ends."""
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    while p.poll() is None and not mapped(p.pid, path):
        time.sleep(0.0005)
    if p.poll() is not None:
        check(False, f"{tool} finished before its input was cut")
        return
    os.kill(p.pid, signal.SIGSTOP)
    os.truncate(path, 4096)
    os.kill(p.pid, signal.SIGCONT)
    err = p.stderr.read().decode()
    p.wait()
    want = f"{tool}: '{path}' shrank while it was read\n"
    check(p.returncode == 2,
          f"{tool}: exit status {p.returncode}, want 2 (-7 is SIGBUS)")
    check(err.endswith(want), f"{tool}: stderr {err!r}, want it to end "
          f"with {want!r}")


def write_folded(path, nr):
    with open(path, "w") as f:
        for i in range(0, nr, 1000):
            f.write("".join(f"main;work;step_{j:08d};leaf_{j % 97} {j}\n"
                            for j in range(i, min(i + 1000, nr))))


def write_script(path, nr):
    """perf script text, nr samples of a three-frame stack."""
    with open(path, "w") as f:
        for i in range(0, nr, 1000):
            f.write("".join(
                f"prog 100/100 [000] {10 + j / 1e6:.6f}:     250000 "
                f"cpu-clock:ppp: \n"
                f"\t    55555555{j % 4096:04x} leaf_{j % 97}+0x10 (/bin/prog)\n"
                f"\t    5555555551c0 work+0x20 (/bin/prog)\n"
                f"\t    5555555551f0 main+0x30 (/bin/prog)\n\n"
                for j in range(i, min(i + 1000, nr))))


def record(path, work):
    busy = "import time\nt = time.time() + 1\nwhile time.time() < t: pass\n"
    p = subprocess.run(["perf", "record", "-q", "--call-graph",
                        "dwarf,16384", "-F", "999", "-o", path, "--",
                        sys.executable, "-c", busy],
                       cwd=work, capture_output=True)
    if p.returncode != 0 or not os.path.exists(path):
        raise RuntimeError(f"perf record failed: {p.stderr.decode()[:300]}")


def main():
    if len(sys.argv) != 4:
        print("usage: shrink.py FOLDFILTER FOLDDIFF PERF2FOLDED",
              file=sys.stderr)
        return 2
    foldfilter, folddiff, perf2folded = sys.argv[1:]
    if not shutil.which("perf"):
        print("FAIL shrink: perf not found (apt-get install linux-perf)")
        return 1
    # /proc/PID/maps and the messages name the file by its real path
    work = os.path.realpath(tempfile.mkdtemp(prefix="perffold-shrink."))
    try:
        folded = os.path.join(work, "big.folded")
        small = os.path.join(work, "small.folded")
        with open(small, "w") as f:
            f.write("main;work 1\n")
        write_folded(folded, 1_000_000)
        cut_while_read([foldfilter, folded],
                       folded, "foldfilter")
        write_folded(folded, 1_000_000)
        cut_while_read([folddiff, small, folded],
                       folded, "folddiff")
        text = os.path.join(work, "big.script")
        write_script(text, 400_000)
        cut_while_read([perf2folded, text], text, "perf2folded")
        data = os.path.join(work, "big.data")
        record(data, work)
        cut_while_read([perf2folded, "--no-cache", data], data,
                       "perf2folded")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    passed, failed = python_samples.PASSED, python_samples.FAILED
    print(f"shrink: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
