#!/usr/bin/env python3
"""End to end: Python programs of many processes, each stack whole.

- samples/forkpool.py (multiprocessing fork pool) under python3.12 -X perf:
  each worker is its own process root (--pid), and >= 95% of its Python
  samples reach the parent's <module> through the fork point (the stack
  it inherited: <module> -> main -> ... -> Popen._launch ->
  BaseProcess._bootstrap -> worker), named and unwound by the parent's
  perf map.

Recorded with --call-graph dwarf,65528 -F 999; asserts shares, never
timings. Needs perf and python3.12; fails naming what is missing.
usage: python_procs.py PERF2FOLDED SOURCE_ROOT
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from python_samples import check, fold, has_path, record  # noqa: E402
import python_samples  # noqa: E402


def by_process(stacks):
    """{root frame: [(frames, weight)]}; a --pid root is COMM-PID."""
    procs = {}
    for frames, w in stacks:
        procs.setdefault(frames[0], []).append((frames, w))
    return procs


def reach(stacks, frame="<module> ("):
    """Of the samples with a Python frame, the share with frame."""
    with_py = sum(w for f, w in stacks if any(" (" in x for x in f[1:]))
    hit = sum(w for f, w in stacks if any(x.startswith(frame) for x in f[1:]))
    return hit / max(1, with_py), with_py


def fork_pool(tool, src, py, work):
    data = record(py, src, work, "forkpool", (400_000,))
    procs = by_process(fold(tool, src, data, "--pid"))
    workers = {root: st for root, st in procs.items()
               if has_path(st, ["crunch", "square_sum"])}
    check(len(workers) >= 2,
          f"forkpool: {len(workers)} worker processes with crunch, want 2")
    for root, st in sorted(workers.items()):
        share, n = reach(st)
        print(f"forkpool: worker {root}: {share:.1%} of {n} Python samples "
              "reach <module>")
        check(share >= 0.95,
              f"forkpool: worker {root}: only {share:.1%} reach <module>")
        check(has_path(st, ["<module>", "main", "Popen._launch",
                            "BaseProcess._bootstrap", "worker", "crunch",
                            "square_sum"]),
              f"forkpool: worker {root}: no stack through the fork point")


def main():
    tool, src = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    if not shutil.which("perf"):
        print("FAIL: perf is missing (apt-get install linux-perf)")
        return 1
    p = subprocess.run([os.path.join(src, "scripts", "find-python"), "12"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        print(f"FAIL: python3.12 is missing: {p.stderr.strip()}")
        return 1
    py = p.stdout.strip()
    work = tempfile.mkdtemp(prefix="perffold-procs-")
    try:
        fork_pool(tool, src, py, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    passed, failed = python_samples.PASSED, python_samples.FAILED
    print(f"python procs: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
