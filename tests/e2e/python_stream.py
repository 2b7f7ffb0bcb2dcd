#!/usr/bin/env python3
"""End to end: a live recording read as it is made,
`perf record -o - | perf2folded -`, of a program that defines functions
late (tests/data/latedefs.py: exec of generated source after a phase of
other work), under python3.12 and python3.13 -X perf. perf2folded reads
the perf map at the first sample in JIT code, before the late functions
are in it: their samples must still be named (the map is read again from
where it ended, symcache__jit_code()), with the share
of CPU time the program measured for each phase (within 10 points), their
stacks whole (<module> -> main -> late_outer -> late_leaf), and fewer than
2% of the samples with an unnamed frame.

Not -X perf_jit: CPython 3.13.0 writes its jitdump through a 4 KB stdio
buffer, flushed when full and at exit, so while it runs the file lacks
its latest code (the program's own functions, typically) and no reader
can name them before the program ends; the rereading of a growing
jitdump is tested in tests/unit/test_jitdump.c.

Needs perf, python3.12 and python3.13; fails naming what is missing.
usage: python_stream.py PERF2FOLDED SOURCE_ROOT
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from python_samples import check, has_path  # noqa: E402
import python_samples  # noqa: E402


def stream(tool, src, py, flag, work):
    """Record latedefs.py through a pipe into perf2folded: its stacks,
    perf2folded's stderr and the program's "EARLY LATE" CPU seconds."""
    cpu = os.path.join(work, "cpu")
    perf = subprocess.Popen(
        ["perf", "record", "-q", "-F", "999", "--call-graph", "dwarf,65528",
         "-o", "-", "--", py, "-X", flag,
         os.path.join(src, "tests", "data", "latedefs.py"), "1.5", cpu],
        cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p = subprocess.run([tool, "--python", "--weight=samples", "-v", "-"],
                       cwd=src, stdin=perf.stdout, capture_output=True)
    perf.stdout.close()
    perf_err = perf.stderr.read().decode()
    perf.wait()
    if perf.returncode != 0:
        raise RuntimeError(f"perf record failed: {perf_err[:300]}")
    if p.returncode not in (0, 1):
        raise RuntimeError(f"perf2folded failed: {p.stderr.decode()[:300]}")
    stacks = []
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        stack, _, w = line.rpartition(" ")
        stacks.append((stack.split(";"), int(w)))
    with open(cpu) as f:
        early, late = map(float, f.read().split())
    return stacks, p.stderr.decode(), early, late


def weight(stacks, *names):
    return sum(w for frames, w in stacks
               if any(f.split(" (")[0] in names for f in frames))


def check_late(tool, src, py, flag, work):
    what = f"{os.path.basename(py)} -X {flag}"
    stacks, err, early_cpu, late_cpu = stream(tool, src, py, flag, work)
    early = weight(stacks, "early_work")
    late = weight(stacks, "late_outer", "late_leaf")
    total = sum(w for _, w in stacks)
    # JIT code --python cannot name: its map, and the walk stopped there
    unnamed = sum(w for frames, w in stacks
                  if any(f.startswith(("[unknown]", "[perf-",
                                       "[unwind stopped"))
                         for f in frames))
    want = late_cpu / (early_cpu + late_cpu)
    got = late / max(1, early + late)
    print(f"{what}: {early} early, {late} late samples: late share "
          f"{got:.1%}, the program measured {want:.1%}; {unnamed} of "
          f"{total} samples with an unnamed frame")
    check(late > 0, f"{what}: the late functions are not named")
    check(abs(got - want) <= 0.10,
          f"{what}: late share {got:.1%}, measured {want:.1%}")
    check(has_path(stacks, ["<module>", "main", "late_outer", "late_leaf"]),
          f"{what}: no whole stack <module> -> main -> late_outer -> "
          "late_leaf")
    check(unnamed < 0.02 * total,
          f"{what}: {unnamed} of {total} samples with an unnamed frame")
    check("perf lost" not in err or late > 0, f"{what}: {err[:300]}")


def main():
    tool, src = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    if not shutil.which("perf"):
        print("FAIL: perf is missing (apt-get install linux-perf)")
        return 1
    pys = {}
    for minor in ("12", "13"):
        p = subprocess.run([os.path.join(src, "scripts", "find-python"),
                            minor], capture_output=True, text=True)
        if p.returncode != 0:
            print(f"FAIL: python3.{minor} is missing: {p.stderr.strip()}")
            return 1
        pys[minor] = p.stdout.strip()
    work = tempfile.mkdtemp(prefix="perffold-stream-")
    try:
        check_late(tool, src, pys["12"], "perf", work)
        check_late(tool, src, pys["13"], "perf", work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    passed, failed = python_samples.PASSED, python_samples.FAILED
    print(f"python stream: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
