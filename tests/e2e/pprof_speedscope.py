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
flamerun --format svg,pprof,speedscope (and --wall) --keep FILE: its pprof
and speedscope files, made in the pass that folds perf's pipe, pass the
same checks against FILE as perf2pprof's and perf2speedscope's, and TMPDIR
stays empty; with TMPDIR not a directory and --max-size far below the
recording's size (dwarf stacks), it still writes both, holding every
stack of its folded file (no copy of the recording is made, nor cut).
With PERFFOLD_E2E_KEEP=DIR set, the pprof and speedscope files written are
copied to DIR (for other checkers: speedscope's schema, its page).
Needs perf, python3.12 and go; fails saying what is missing.
usage: pprof_speedscope.py PERF2FOLDED PERF2PPROF PERF2SPEEDSCOPE FLAMERUN
       SOURCE_ROOT
"""
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

folded_tool, pprof_tool, speedscope_tool, flamerun_tool, src = map(
    os.path.abspath, sys.argv[1:6])
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


def mappings(go, env, pb):
    raw = run([go, "tool", "pprof", "-raw", "-symbolize=none", pb], env=env)
    return raw.split("\nMappings\n", 1)[1]


def check_pprof(go, env, work, name, data, opts, pb=None):
    """the weight is cpu/nanoseconds, or wall/microseconds with --wall
    (whose samples count intervals: perf2folded has no such count); pb,
    when given, is the file to check (flamerun's), else perf2pprof's"""
    made = bool(pb)
    if not pb:
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
    if made:
        # perf lists no build ids of a pipe's recording: the mappings
        # (build ids read from the files) are perf2pprof's of it
        ref = os.path.join(work, name + ".ref.pb.gz")
        subprocess.run([pprof_tool] + opts + ["-o", ref, data], check=True,
                       stderr=subprocess.DEVNULL)
        maps = [mappings(go, env, f) for f in (pb, ref)]
        if maps[0] != maps[1] or " [FN]" not in maps[0]:
            fail(f"{name} pprof -raw: mappings {maps[0][:200]!r}, "
                 f"perf2pprof's {maps[1][:200]!r}")
        elif ok:
            print(f"ok {name} pprof: {len(want)} stacks, "
                  f"{sum(want.values())} {unit}, {len(flat)} functions, "
                  "perf2pprof's mappings")
        return
    # build ids: perf's list against -raw's mappings
    ids = {}
    for line in run(["perf", "buildid-list", "-i", data]).splitlines():
        bid, _, path = line.partition(" ")
        ids[path] = bid
    maps = mappings(go, env, pb).splitlines()
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


def speedscope_stacks(doc):
    """the stacks (frame names, root first) of each profile, with their
    weights; None when a profile's values or lengths do not add up"""
    frames = [fr["name"] for fr in doc["shared"]["frames"]]
    got = {}
    for p in doc["profiles"]:
        if p["type"] != "sampled" or p["startValue"] != 0 or \
                p["endValue"] != sum(p["weights"]) or \
                len(p["samples"]) != len(p["weights"]):
            return None
        stacks = collections.Counter()
        for sample, w in zip(p["samples"], p["weights"]):
            stacks[";".join(frames[i] for i in sample)] += w
        got[p["name"]] = stacks
    return got


def check_speedscope(work, name, data, opts, in_order, path=None):
    if not path:
        path = os.path.join(work, name + ".json")
        subprocess.run([speedscope_tool] + opts + ["-o", path, data],
                       check=True, stderr=subprocess.DEVNULL)
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    _, by_root = folded(data, opts + ["--tid"])
    ok = doc.get("$schema") == \
        "https://www.speedscope.app/file-format-schema.json"
    if not ok:
        fail(f"{name} speedscope: no $schema")
    frames = [fr["name"] for fr in doc["shared"]["frames"]]
    got = speedscope_stacks(doc)
    if got is None:
        ok = False
        got = {}
        fail(f"{name} speedscope: a profile's values or lengths do not add "
             "up")
    for p in doc["profiles"]:
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


def check_flamerun(go, env, work, py):
    """flamerun's pprof and speedscope files against its --keep recording,
    TMPDIR untouched; then with no TMPDIR and a small --max-size"""
    tmp = os.path.join(work, "tmp")
    os.mkdir(tmp)
    fib = os.path.join(src, "samples/fibfact.py")
    for name, opts, prog in [("flamerun", [], [fib, "1"]),
                             ("flamerun-wall", ["--wall"],
                              [os.path.join(src, "samples/waits.py"), "0.3"])]:
        base = os.path.join(work, name)
        r = subprocess.run([flamerun_tool, "--format", "svg,pprof,speedscope",
                            "--keep", base + ".data", "-o", base + ".svg"] +
                           opts + ["--", py] + prog,
                           env=dict(os.environ, TMPDIR=tmp),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
        if r.returncode or not os.path.exists(base + ".svg"):
            fail(f"{name}: exit {r.returncode}, or no SVG: {r.stderr}")
            continue
        check_pprof(go, env, work, name, base + ".data", opts + ["--python"],
                    pb=base + ".pb.gz")
        check_speedscope(work, name, base + ".data", opts + ["--python"],
                         not opts, path=base + ".speedscope.json")
        if os.listdir(tmp):
            fail(f"{name}: TMPDIR holds {os.listdir(tmp)}")
    # no TMPDIR to write, and --max-size 1M, which a second of dwarf
    # stacks (64 KB a sample) outgrows: nothing of the recording is
    # written, so pprof and speedscope hold all the folded file holds
    base = os.path.join(work, "capped")
    r = subprocess.run([flamerun_tool, "--format", "pprof,speedscope",
                        "--mode", "dwarf", "--max-size", "1M", "-o",
                        base + ".svg", "--", py, fib, "1"],
                       env=dict(os.environ, TMPDIR=os.path.join(work, "none")),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode:
        fail(f"capped: exit {r.returncode}: {r.stderr}")
        return
    want = collections.Counter()
    with open(base + ".folded", encoding="utf-8",
              errors="surrogateescape") as f:
        for line in f:
            stack, weight = line.rstrip("\n").rsplit(" ", 1)
            want[stack.partition(";")[2]] += int(weight)
    ok = compare("capped pprof -traces weights",
                 pprof_traces(go, env, base + ".pb.gz", "cpu", "ns"), want)
    with open(base + ".speedscope.json", encoding="utf-8") as f:
        got = speedscope_stacks(json.load(f)) or {}
    ok &= compare("capped speedscope", sum(got.values(), collections.Counter()),
                  want)
    if ok:
        print(f"ok capped: pprof and speedscope hold the folded file's "
              f"{sum(want.values())} ns beyond --max-size 1M")


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
        check_flamerun(go, env, work, py)
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
