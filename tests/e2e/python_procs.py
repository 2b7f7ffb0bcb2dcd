#!/usr/bin/env python3
"""End to end: Python programs of many processes, each stack whole.

- samples/forkpool.py (multiprocessing fork pool) under python3.12 -X perf:
  each worker is its own process root (--pid), and >= 95% of its Python
  samples reach the parent's <module> through the fork point (the stack
  it inherited: <module> -> main -> ... -> Popen._launch ->
  BaseProcess._bootstrap -> worker), named and unwound by the parent's
  perf map.
- samples/spawntree.py (a subprocess child with a grandchild, and a
  multiprocessing spawn pool) under flamerun, which sets
  PYTHONPERFSUPPORT=1 (children get no -X option) and says so: every
  process has its Python stack, >= 95% of each one's Python samples whole
  (reaching <module> or a thread's Thread._bootstrap).
- samples/deeprec.py (recursion 300 Python levels deep, deeper than the
  64 KB stack copy) under python3.12 and python3.13 -X perf: >= 90% of
  Python samples reach <module> (walks cut at the copy's end completed
  from an earlier whole walk of the thread, common/graft.c), the stacks
  are <module> -> main -> walk x N -> [work] with N <= 301, and no graft
  is contradicted by a later whole walk (perf2folded -v).

Recorded with --call-graph dwarf,65528 -F 999; asserts shares, never
timings. Needs perf, python3.12 and python3.13; fails naming what is
missing.
usage: python_procs.py PERF2FOLDED SOURCE_ROOT
"""
import os
import re
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


def whole(stacks):
    """Of the samples with a Python frame, the share reaching <module> or
    a thread's bootstrap."""
    with_py = sum(w for f, w in stacks if any(" (" in x for x in f[1:]))
    hit = sum(w for f, w in stacks
              if any(x.startswith(("<module> (", "Thread._bootstrap ("))
                     for x in f[1:]))
    return hit / max(1, with_py), with_py


def spawn_tree(tool, src, work):
    run = os.path.join(os.path.dirname(tool), "flamerun")
    p = subprocess.run([run, "--help"], capture_output=True, text=True)
    check("PYTHONPERFSUPPORT=1" in p.stdout,
          "flamerun --help does not name PYTHONPERFSUPPORT=1")
    p = subprocess.run([run, "--keep", "spawn.data", "-o", "spawn.svg", "--",
                        "python3.12",
                        os.path.join(src, "samples", "spawntree.py"),
                        "300000"], cwd=work, capture_output=True, text=True)
    check(p.returncode == 0, f"flamerun exit {p.returncode}: {p.stderr[:300]}")
    check("PYTHONPERFSUPPORT=1 for every Python child" in p.stderr,
          "flamerun does not say it sets PYTHONPERFSUPPORT=1")
    data = os.path.join(work, "spawn.data")
    if not os.path.exists(data):
        check(False, "flamerun --keep kept no recording")
        return
    procs = by_process(fold(tool, src, data, "--pid"))
    want = {"parent": ["<module>", "main", "parent_work", "busy"],
            "child": ["<module>", "child_work", "busy"],
            "grandchild": ["<module>", "grandchild_work", "busy"],
            "spawn worker": ["<module>", "spawn_main", "worker",
                             "spawn_work", "busy"]}
    for what, path in want.items():
        n = sum(has_path(st, path) for st in procs.values())
        # (a pool of two spawn workers: on a loaded machine the first
        # one up may take all four tasks, so one worker is enough here;
        # every process's share of whole stacks is checked below)
        check(n >= 1,
              f"spawntree: {n} processes with {what}'s {' -> '.join(path)}")
    for root, st in sorted(procs.items()):
        total = sum(w for _, w in st)
        share, n = whole(st)
        if total < 20:
            continue	# a process that barely ran (the exec'ing env)
        print(f"spawntree: {root}: {n} of {total} samples have a Python "
              f"frame, {share:.1%} of them whole")
        check(n >= total // 2, f"spawntree: {root}: {n} of {total} samples "
              "have a Python frame (no perf support in it?)")
        check(share >= 0.95, f"spawntree: {root}: only {share:.1%} whole")


def deep_recursion(tool, src, py, minor, work):
    data = record(py, src, work, "deeprec", (2,))
    p = subprocess.run([tool, "--python", "--weight=samples", "-v", data],
                       cwd=src, capture_output=True, text=True)
    check(p.returncode in (0, 1), f"deeprec 3.{minor}: perf2folded exit "
          f"{p.returncode}: {p.stderr[:300]}")
    stacks = []
    for line in p.stdout.splitlines():
        stack, _, w = line.rpartition(" ")
        stacks.append((stack.split(";"), int(w)))
    share, n = reach(stacks)
    print(f"deeprec 3.{minor}: {share:.1%} of {n} Python samples reach "
          "<module>")
    check(share >= 0.90, f"deeprec 3.{minor}: only {share:.1%} reach <module>")
    # every stack through main is the recursion as the program makes it
    wrong = deepest = 0
    for frames, w in stacks:
        names = [f.split(" (")[0] for f in frames[1:] if " (" in f]
        if names[:2] != ["<module>", "main"]:
            continue
        rest = names[2:]
        k = 0
        while k < len(rest) and rest[k] == "walk":
            k += 1
        deepest = max(deepest, k)
        if k > 301 or rest[k:] not in ([], ["work"]):
            wrong += w
    check(wrong == 0, f"deeprec 3.{minor}: {wrong} samples with a stack "
          "the program never had")
    check(deepest >= 280, f"deeprec 3.{minor}: deepest stack has {deepest} "
          "walk frames, want some 300")
    m = re.search(r"(\d+) DWARF stacks deeper than the copied stack "
                  r"completed .*?(\d+) left cut; (\d+) grafts checked by a "
                  r"later whole unwind, (\d+) disagreed", p.stderr)
    check(m is not None, f"deeprec 3.{minor}: -v says nothing of grafts")
    if m:
        grafted, cut, checked, disagreed = map(int, m.groups())
        print(f"deeprec 3.{minor}: {grafted} grafted, {cut} left cut, "
              f"{checked} checked, {disagreed} disagreed")
        check(disagreed == 0, f"deeprec 3.{minor}: {disagreed} grafts "
              "disagreed with a later whole walk")
        check(checked > 0, f"deeprec 3.{minor}: no graft was checked")


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
    p = subprocess.run([os.path.join(src, "scripts", "find-python"), "13"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        print(f"FAIL: python3.13 is missing: {p.stderr.strip()}")
        return 1
    py13 = p.stdout.strip()
    work = tempfile.mkdtemp(prefix="perffold-procs-")
    try:
        fork_pool(tool, src, py, work)
        spawn_tree(tool, src, work)
        deep_recursion(tool, src, py, "12", work)
        deep_recursion(tool, src, py13, "13", work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    passed, failed = python_samples.PASSED, python_samples.FAILED
    print(f"python procs: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
