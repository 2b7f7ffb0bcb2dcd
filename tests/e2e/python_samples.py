#!/usr/bin/env python3
"""End to end: record every samples/*.py with perf under CPython's perf
support, convert with `perf2folded --python`, and assert the Python stacks
that must appear (root first, as ordered subsequences of one stack), plus
the accuracy of samples/shares.py (60/30/10 within 5 points) and that
>= 95% of samples with a Python frame reach <module>.

Recorded with --call-graph dwarf,65528 (this machine's CPython has no
frame pointers), so the full stacks come from perf2folded's own unwinder.
Needs perf and python3.12; fails naming what is missing.
usage: python_samples.py PERF2FOLDED SOURCE_ROOT [PYTHON_MINOR]
"""
import os
import shutil
import subprocess
import sys
import tempfile

PASSED = FAILED = 0


def check(ok, what):
    global PASSED, FAILED
    if ok:
        PASSED += 1
    else:
        FAILED += 1
        print(f"FAIL {what}")


def record(py, src, work, sample, args=(), size=65528):
    data = os.path.join(work, sample + ".data")
    cmd = ["perf", "record", "-q", "--call-graph", f"dwarf,{size}", "-F",
           "999", "-o", data, "--", py, "-X", "perf",
           os.path.join("samples", sample + ".py"), *map(str, args)]
    p = subprocess.run(cmd, cwd=src, capture_output=True)
    if p.returncode != 0:
        raise RuntimeError(f"perf record failed: {p.stderr.decode()[:300]}")
    return data


def fold(tool, src, data, *opts):
    p = subprocess.run([tool, "--python", "--weight=samples", *opts, data],
                       cwd=src,
                       capture_output=True)
    if p.returncode not in (0, 1):
        raise RuntimeError(f"perf2folded failed: {p.stderr.decode()[:300]}")
    stacks = []
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        stack, _, w = line.rpartition(" ")
        stacks.append((stack.split(";"), int(w)))
    return stacks


def has_path(stacks, path):
    """Some stack holds the frames of path in order (not necessarily
    adjacent); a frame matches by its name before " (" or whole."""
    def match(frame, want):
        return frame == want or frame.split(" (")[0] == want or want in frame
    for frames, _ in stacks:
        i = 0
        for f in frames:
            if i < len(path) and match(f, path[i]):
                i += 1
        if i == len(path):
            return True
    return False


def reach_module(stacks):
    with_py = [w for f, w in stacks if any(" (" in x for x in f[1:])]
    reach = [w for f, w in stacks
             if any(x.startswith("<module> (") for x in f[1:])]
    return sum(reach) / max(1, sum(with_py)), sum(with_py)


def main():
    tool, src = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    minor = sys.argv[3] if len(sys.argv) > 3 else "12"
    if not shutil.which("perf"):
        print("FAIL: perf is missing (apt-get install linux-perf)")
        return 1
    p = subprocess.run([os.path.join(src, "scripts", "find-python"), minor],
                       capture_output=True, text=True)
    if p.returncode != 0:
        print(f"FAIL: python3.{minor} is missing: {p.stderr.strip()}")
        return 1
    py = p.stdout.strip()
    work = tempfile.mkdtemp(prefix="perffold-py-")
    try:
        cases = {
            "fibfact": ((10,), [
                ["<module>", "main", "fibonacci_plus_factorial", "fibonacci"],
                ["<module>", "main", "fibonacci_plus_factorial", "factorial"]]),
            "deep": ((1500,), [
                ["<module>", "main"] + ["descend"] * 60 + ["leaf_work"]]),
            "methods": ((60,), [
                ["<module>", "main", "Grid.total", "Grid.total.<locals>.<lambda>",
                 "Shape.scaled", "Shape.scaled.<locals>.grow", "Shape.area"]]),
            "gens_async": ((150,), [
                ["<module>", "main", "consume", "produce"],
                ["worker", "crunch"]]),
            "threads": ((1_500_000,), [
                ["Thread.run", "spin_a"], ["Thread.run", "spin_b"],
                ["<module>", "main", "main_spin"]]),
            "subproc": ((1_000_000,), [["child_work"], ["main", "parent_work"]]),
            "ccalls": ((8,), [
                ["main", "do_json"], ["main", "do_zlib", "deflate"],
                ["main", "do_sort"], ["main", "do_regex"]]),
            "imports": ((300_000,), [
                ["<module>", "load_all", "_find_and_load (<frozen importlib._bootstrap>)"],
                ["<module>", "work"]]),
        }
        for sample, (args, paths) in cases.items():
            stacks = fold(tool, src, record(py, src, work, sample, args))
            for path in paths:
                check(has_path(stacks, path),
                      f"{sample}: no stack {' -> '.join(path)}")
            if sample in ("fibfact", "deep", "methods"):
                share, n = reach_module(stacks)
                print(f"{sample}: {share:.1%} of {n} samples with a Python "
                      f"frame reach <module>")
                check(share >= 0.95, f"{sample}: only {share:.1%} reach <module>")
        # accuracy: shares of heavy/medium/light by total time
        stacks = fold(tool, src, record(py, src, work, "shares", (100,)))
        tot = {k: 0 for k in ("heavy", "medium", "light")}
        for frames, w in stacks:
            for k in tot:
                if any(f.split(" (")[0] == k for f in frames):
                    tot[k] += w
        s = sum(tot.values()) or 1
        got = {k: 100 * v / s for k, v in tot.items()}
        print("shares: " + ", ".join(f"{k} {v:.1f}%" for k, v in got.items()))
        for k, want in (("heavy", 60), ("medium", 30), ("light", 10)):
            check(abs(got[k] - want) <= 5, f"shares: {k} {got[k]:.1f}% not within 5 of {want}%")
        share, n = reach_module(stacks)
        check(share >= 0.95, f"shares: only {share:.1%} reach <module>")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"python samples: {PASSED} passed, {FAILED} failed")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
