#!/usr/bin/env python3
"""End to end: the real readers on the converters' files of one real
recording, python3.12 -X perf samples/fibfact.py (--call-graph dwarf):
  speedscope (perf2speedscope --python): speedscope-validate.mjs (the npm
    speedscope package's schema, ajv) accepts it; speedscope-open.mjs shows
    it in speedscope's own page (headless Chromium) and, for every profile
    (thread, named comm-PID/TID as perf2folded --tid's roots), the top
    frame of its Left Heavy view is the heaviest root under that thread in
    perf2folded --python --tid's output, and the first row of its Sandwich
    table the function with the largest total there (ties: any of them);
  pprof (perf2pprof --python): tests/tools/pprof-check.py (go tool pprof)
    shows perf2folded --python's stacks and totals (cpu/nanoseconds, the
    comm label as the root, Python file names stripped) and build ids on
    every mapping of a file (python3.12 and libc too, which perf lists
    only when a sample's leaf hit them: perf2pprof reads the others'
    from the files). With -symbolize=none: pprof's own symbolization
    demangles '<module>' to '' (a C++ template's arguments to it).
Fails (never skips) when perf, python3.12, node, chromium, go or
tests/browser/node_modules is missing.
usage: python_readers.py PERF2FOLDED PERF2PPROF PERF2SPEEDSCOPE SOURCE_ROOT
"""
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile

folded_tool, pprof_tool, speedscope_tool, src = map(os.path.abspath, sys.argv[1:5])
browser = os.path.join(src, "tests/browser")
chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def run(cmd, what):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    if p.returncode:
        sys.exit(f"FAIL {what}: '{' '.join(cmd)}' exit {p.returncode}:\n"
                 f"{p.stdout}{p.stderr}")
    return p.stdout


def missing():
    if not shutil.which("perf"):
        return "perf (apt-get install linux-perf)"
    if not shutil.which("node"):
        return "node (scripts/deps --browser)"
    if not os.access(chromium, os.X_OK):
        return f"chromium at {chromium} (scripts/deps --browser)"
    if not shutil.which("go"):
        return "go (apt-get install golang-go; scripts/deps)"
    for m in ["speedscope", "playwright-core", "ajv"]:
        if not os.path.isdir(os.path.join(browser, "node_modules", m)):
            return f"{m} (cd tests/browser && npm ci)"
    return None


def heaviest(weights):
    top = max(weights.values())
    return sorted(k for k, w in weights.items() if w == top)


def expected(folded):
    """{thread root: (heaviest roots under it, functions of largest total)}"""
    roots = collections.defaultdict(collections.Counter)
    totals = collections.defaultdict(collections.Counter)
    for line in folded.splitlines():
        stack, w = line.rsplit(" ", 1)
        frames = stack.split(";")
        if len(frames) < 2:
            continue
        roots[frames[0]][frames[1]] += int(w)
        for f in set(frames[1:]):
            totals[frames[0]][f] += int(w)
    return {t: (heaviest(roots[t]), heaviest(totals[t])) for t in roots}


def main():
    what = missing()
    if what:
        print(f"FAIL: {what} is missing")
        return 1
    py = subprocess.run([os.path.join(src, "scripts/find-python"), "12"],
                        stdout=subprocess.PIPE, text=True)
    if py.returncode:
        print("FAIL: python3.12 is missing")
        return 1
    failures = 0
    work = tempfile.mkdtemp(prefix="perffold-e2e-readers.")
    try:
        data = os.path.join(work, "py.data")
        run(["perf", "record", "-q", "--call-graph", "dwarf", "-F", "999",
             "-o", data, "--", py.stdout.strip(), "-X", "perf",
             os.path.join(src, "samples/fibfact.py"), "1"], "perf record")
        ss = os.path.join(work, "py.json")
        pb = os.path.join(work, "py.pb.gz")
        folded = os.path.join(work, "py.folded")
        run([speedscope_tool, "--python", "-o", ss, data], "perf2speedscope")
        run([pprof_tool, "--python", "-o", pb, data], "perf2pprof")
        with open(folded, "w") as f:
            f.write(run([folded_tool, "--python", data], "perf2folded"))
        want = expected(run([folded_tool, "--python", "--tid", data],
                            "perf2folded --tid"))

        print(run(["node", os.path.join(browser, "speedscope-validate.mjs"),
                   ss], "speedscope-validate").strip())
        shown = run(["node", os.path.join(browser, "speedscope-open.mjs"), ss,
                     chromium, "--rows", "1"], "speedscope-open")
        profile, seen = None, set()
        for line in shown.splitlines():
            f = line.split("\t")
            if f[0] == "profile":
                profile = f[2]
                seen.add(profile)
                if profile not in want:
                    print(f"FAIL speedscope profile '{profile}': no such "
                          f"thread in perf2folded --tid ({sorted(want)})")
                    failures += 1
                continue
            if f[0] not in ("left-heavy", "sandwich") or profile not in want:
                continue
            names = want[profile][0 if f[0] == "left-heavy" else 1]
            ok = f[1] in names
            print(f"{'ok' if ok else 'FAIL'} {profile} {f[0]}: page shows "
                  f"'{f[1]}' {f[2]}, perf2folded's heaviest {names}")
            failures += not ok
        if seen != set(want):
            print(f"FAIL speedscope's page shows profiles {sorted(seen)}, "
                  f"perf2folded --tid's threads are {sorted(want)}")
            failures += 1

        # every mapping of a file has its build id: perf's list, else the
        # file's own note; exempt only what is no file ([vdso], anonymous
        # and memfd memory, deleted files)
        exempt = r"^([^/]|//)|^/memfd:|\(deleted\)$"
        p = subprocess.run([sys.executable,
                            os.path.join(src, "tests/tools/pprof-check.py"),
                            "--sample-index", "cpu", "--symbolize", "none",
                            "--strip", r" \(.*\)$", "--root-label", "comm",
                            "--want-build-ids",
                            "--build-id-exempt", exempt, pb, folded],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
        print(p.stdout.strip())
        if p.returncode:
            print(f"FAIL pprof-check: exit {p.returncode}")
            failures += 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"python_readers: {failures} failed")
    return 1 if failures else 0


sys.exit(main())
