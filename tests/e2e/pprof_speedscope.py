#!/usr/bin/env python3
"""End to end: perf2pprof's and perf2speedscope's files of real recordings,
read back by their own readers, hold what perf2folded's folded stacks hold.

Recordings: samples/workload.c built with frame pointers (perf record -g),
python3.12 -X perf samples/fibfact.py (--call-graph dwarf), converted
plain and with --python, and samples/waits.py with sched_switch (--wall
--python: off-CPU waits, whose weights come when their thread runs
again). For each:
  pprof (Debian's golang-go, `go tool pprof`, no network):
    -traces: every stack (leaf first) with its weight in ns, and with
      -sample_index=samples its count (not with --wall), summed per stack,
      equal perf2folded's
      (root frame dropped: pprof says whose a sample is in labels), and
      perf2folded --weight=samples's;
    -top: each function's flat and cum equal those computed from the
      folded stacks;
    -raw: every mapping of a binary perf listed a build id for carries it.
  speedscope (python3's json): the schema URL; per profile (a thread,
    named comm-PID/TID as perf2folded --tid's roots), startValue 0,
    endValue the sum of its weights, and its stacks (frame names, root
    first) with their weights equal perf2folded --tid's stacks under that
    root; with --python, fibfact's one round runs fibonacci before
    factorial, so in time order no fibonacci sample follows a factorial one.
With PERFFOLD_E2E_KEEP=DIR set, the pprof and speedscope files written are
copied to DIR (for other checkers: speedscope's schema, its page).
Needs perf, python3.12 and go; fails saying what is missing.
usage: pprof_speedscope.py PERF2FOLDED PERF2PPROF PERF2SPEEDSCOPE SOURCE_ROOT
"""
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

folded_tool, pprof_tool, speedscope_tool, src = map(os.path.abspath, sys.argv[1:5])
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL " + msg)


def find_go():
    go = shutil.which("go")
    if go:
        return go
    for d in sorted(os.listdir("/usr/lib")):
        if d.startswith("go-") and os.access(f"/usr/lib/{d}/bin/go", os.X_OK):
            return f"/usr/lib/{d}/bin/go"
    return None


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, **kw).stdout


def folded(data, opts):
    """stack without its root -> weight, and root -> {stack: weight}"""
    out = subprocess.run([folded_tool] + opts + [data], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True,
                         errors="surrogateescape").stdout
    stacks, by_root = collections.Counter(), collections.defaultdict(
        collections.Counter)
    for line in out.splitlines():
        stack, weight = line.rsplit(" ", 1)
        root, _, rest = stack.partition(";")
        stacks[rest] += int(weight)
        by_root[root][rest] += int(weight)
    return stacks, by_root


def unmark(name):
    """pprof marks a line of an inlined function "NAME (inline)" (in -top,
    "(partial-inline)" when only some are); the folded text names it NAME
    (without --mark-inlined)"""
    return re.sub(r" \((partial-)?inline\)$", "", name)


def pprof_traces(go, env, pb, index, unit):
    out = run([go, "tool", "pprof", "-traces", "-unit=" + unit,
               "-symbolize=none", "-sample_index=" + index, pb], env=env)
    stacks = collections.Counter()
    for block in out.split("-----------+" + "-" * 55)[1:]:
        frames, value = [], None
        for line in block.splitlines():
            m = re.match(r"^ *(\d+)(ns|us)?   (.*)$", line)
            if value is None and m:
                value = int(m.group(1))
                frames.append(unmark(m.group(3)))
            elif value is not None and line.strip():
                frames.append(unmark(line.strip()))
        if value is not None:
            stacks[";".join(reversed(frames))] += value
    return stacks


def pprof_top(go, env, pb, unit):
    out = run([go, "tool", "pprof", "-top", "-unit=" + unit, "-symbolize=none",
               "-nodecount=1000000", "-nodefraction=0", "-edgefraction=0",
               pb], env=env)
    flat, cum = {}, {}
    for line in out.splitlines():
        m = re.match(r"^ *(\d+)(?:ns|us)? +\S+% +\S+% +(\d+)(?:ns|us)? +\S+%  (.*)$",
                     line)
        if m:
            name = unmark(m.group(3))
            flat[name] = flat.get(name, 0) + int(m.group(1))
            cum[name] = cum.get(name, 0) + int(m.group(2))
    return flat, cum


def expected_top(stacks):
    flat, cum = collections.Counter(), collections.Counter()
    for stack, w in stacks.items():
        frames = stack.split(";")
        flat[frames[-1]] += w
        for f in set(frames):
            cum[f] += w
    return flat, cum


def compare(name, got, want):
    got = {k: v for k, v in got.items() if v}
    want = {k: v for k, v in want.items() if v}
    if got == want:
        return True
    only_got = set(got) - set(want)
    only_want = set(want) - set(got)
    diff = [k for k in set(got) & set(want) if got[k] != want[k]]
    fail(f"{name}: {len(only_got)} only in ours, {len(only_want)} only in "
         f"perf2folded's, {len(diff)} differ; e.g. "
         f"{(sorted(only_got) + sorted(only_want) + diff)[:2]}")
    return False


def check_pprof(go, env, work, name, data, opts):
    """the weight is cpu/nanoseconds, or wall/microseconds with --wall
    (whose samples count intervals: perf2folded has no such count)"""
    pb = os.path.join(work, name + ".pb.gz")
    subprocess.run([pprof_tool] + opts + ["-o", pb, data], check=True,
                   stderr=subprocess.DEVNULL)
    index, unit = ("wall", "us") if "--wall" in opts else ("cpu", "ns")
    want, _ = folded(data, opts)
    ok = compare(f"{name} pprof -traces weights", pprof_traces(
        go, env, pb, index, unit), want)
    if index == "cpu":
        counts, _ = folded(data, opts + ["--weight=samples"])
        ok &= compare(f"{name} pprof -traces counts", pprof_traces(
            go, env, pb, "samples", unit), counts)
    flat, cum = pprof_top(go, env, pb, unit)
    want_flat, want_cum = expected_top(want)
    ok &= compare(f"{name} pprof -top flat", flat, want_flat)
    ok &= compare(f"{name} pprof -top cum", cum, want_cum)
    # build ids: perf's list against -raw's mappings
    ids = {}
    for line in run(["perf", "buildid-list", "-i", data]).splitlines():
        bid, _, path = line.partition(" ")
        ids[path] = bid
    raw = run([go, "tool", "pprof", "-raw", "-symbolize=none", pb], env=env)
    maps = raw.split("\nMappings\n", 1)[1].splitlines()
    with_id = 0
    for line in maps:
        m = re.match(r"^\d+: 0x\S+ (\S+) ?(\S*)", line)
        if m and m.group(1) in ids:
            if m.group(2) != ids[m.group(1)]:
                ok = False
                fail(f"{name} pprof -raw: mapping {m.group(1)} has build id "
                     f"'{m.group(2)}', perf lists {ids[m.group(1)]}")
            with_id += 1
    if not with_id:
        ok = False
        fail(f"{name} pprof -raw: no mapping with a build id perf lists")
    if ok:
        print(f"ok {name} pprof: {len(want)} stacks, {sum(want.values())} {unit}, "
              f"{len(flat)} functions, {with_id} mappings with build ids")


def check_speedscope(work, name, data, opts, in_order):
    path = os.path.join(work, name + ".json")
    subprocess.run([speedscope_tool] + opts + ["-o", path, data], check=True,
                   stderr=subprocess.DEVNULL)
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    _, by_root = folded(data, opts + ["--tid"])
    ok = doc.get("$schema") == \
        "https://www.speedscope.app/file-format-schema.json"
    if not ok:
        fail(f"{name} speedscope: no $schema")
    frames = [fr["name"] for fr in doc["shared"]["frames"]]
    got = {}
    for p in doc["profiles"]:
        stacks = collections.Counter()
        if p["type"] != "sampled" or p["startValue"] != 0 or \
                p["endValue"] != sum(p["weights"]) or \
                len(p["samples"]) != len(p["weights"]):
            ok = False
            fail(f"{name} speedscope: profile {p['name']}: values or lengths "
                 "do not add up")
        for sample, w in zip(p["samples"], p["weights"]):
            stacks[";".join(frames[i] for i in sample)] += w
        got[p["name"]] = stacks
        if in_order:
            seen_fact = False
            for sample in p["samples"]:
                names = {frames[i] for i in sample}
                is_fib = any(n.startswith("fibonacci (") for n in names)
                if is_fib and seen_fact:
                    ok = False
                    fail(f"{name} speedscope: {p['name']}: a fibonacci "
                         "sample after a factorial one (not in time order)")
                    break
                seen_fact |= any(n.startswith("factorial (") for n in names)
    if set(got) != set(by_root):
        ok = False
        fail(f"{name} speedscope: profiles {sorted(got)[:3]}, perf2folded "
             f"--tid roots {sorted(by_root)[:3]}")
    for root in set(got) & set(by_root):
        ok &= compare(f"{name} speedscope {root}", got[root], by_root[root])
    if ok:
        print(f"ok {name} speedscope: {len(got)} profiles, "
              f"{sum(len(p['samples']) for p in doc['profiles'])} samples")


def main():
    if not shutil.which("perf"):
        print("FAIL: perf is missing (apt-get install linux-perf)")
        return 1
    go = find_go()
    if not go:
        print("FAIL: go is missing (apt-get install golang-go; scripts/deps)")
        return 1
    py = subprocess.run([os.path.join(src, "scripts/find-python"), "12"],
                        stdout=subprocess.PIPE, text=True)
    if py.returncode:
        print("FAIL: python3.12 is missing")
        return 1
    py = py.stdout.strip()
    work = tempfile.mkdtemp(prefix="perffold-e2e-pprof.")
    # go tool pprof reads local files: no network, no module cache, its
    # build cache in the scratch directory
    env = dict(os.environ, HOME=work, GOCACHE=os.path.join(work, "gocache"),
               GOFLAGS="", GOTOOLCHAIN="local", GOPROXY="off",
               PPROF_TMPDIR=work)
    try:
        run(["cc", "-O2", "-fno-omit-frame-pointer", "-pthread",
             os.path.join(src, "samples/workload.c"), "-o",
             os.path.join(work, "workload")])
        c_data = os.path.join(work, "c.data")
        run(["perf", "record", "-q", "-g", "-F", "2000", "-o", c_data, "--",
             os.path.join(work, "workload"), "1"])
        py_data = os.path.join(work, "py.data")
        run(["perf", "record", "-q", "--call-graph", "dwarf", "-F", "999",
             "-o", py_data, "--", py, "-X", "perf",
             os.path.join(src, "samples/fibfact.py"), "1"], cwd=work)
        # --wall: off-CPU waits (sched_switch) beside CPU samples
        wall_data = os.path.join(work, "wall.data")
        run(["perf", "record", "-q", "-e", "cpu-clock/freq=499/", "-e",
             "sched:sched_switch", "--switch-events", "--call-graph",
             "dwarf,16384", "-o", wall_data, "--", py, "-X", "perf",
             os.path.join(src, "samples/waits.py"), "0.3"], cwd=work)
        for name, data, opts in [("c-fp", c_data, []),
                                 ("py-dwarf", py_data, []),
                                 ("py-dwarf-python", py_data, ["--python"]),
                                 ("py-wall-python", wall_data,
                                  ["--wall", "--python"])]:
            check_pprof(go, env, work, name, data, opts)
            check_speedscope(work, name, data, opts, "--python" in opts)
        keep = os.environ.get("PERFFOLD_E2E_KEEP")
        if keep:
            os.makedirs(keep, exist_ok=True)
            for f in os.listdir(work):
                if f.endswith((".pb.gz", ".json")):
                    shutil.copy(os.path.join(work, f), keep)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"pprof_speedscope: {len(failures)} failed")
    return 1 if failures else 0


sys.exit(main())
