#!/usr/bin/env python3
"""pprof-check: reads a pprof profile (gzipped profile.proto) with Go's own
reader, `go tool pprof` (Debian's golang-go), and compares what it shows
with a folded file of the same recording.

go tool pprof runs up to three times, offline, with HOME, GOCACHE and
GOPATH in a temporary directory:
  -traces   every sample's stack and value: summed per stack, they must
            equal the folded file's (--by stack, the default), with the same
            self and total weight per function; or only the same weight per
            leaf function (--by leaf);
  -top      flat and cum of every function (-nodecount=0 -nodefraction=0)
            must be what -traces adds up to, and its "of N total" the folded
            file's total (so no sample lost to an empty stack);
  -raw      with --want-build-ids: every mapping must carry a build id (the
            ones whose file matches --build-id-exempt excepted), so that
            pprof can re-symbolize their addresses.

Values are read with -unit=ns, so that a time sample type prints integral
nanoseconds (a count prints as it is); -sample-index picks the sample type
(default samples, the count).

Names on both sides can be rewritten before comparing: --strip REGEX
removes what matches from every frame name (e.g. ' \\(.*\\)$' for
perf2folded's Python file names, '_\\[[ik]\\]$' for its inline and kernel
marks); --root-label KEY prepends the sample's label KEY (as pprof prints
it, e.g. comm) as a root frame, repeatable, for folded files whose roots
are the process or thread; --drop-roots N drops the folded file's first N
frames instead. pprof's default symbolization demangles names, dropping what
looks like C++ template arguments ('<module>' becomes ''); --symbolize none
(pprof's -symbolize=none) keeps the names the profile holds.

Prints one line "pprof-check: PROFILE: N samples, TYPE weight W, S
stacks, F functions[, M mappings with build ids]: same as FOLDED" and
exits 0 when all agree; prints what differs (at most 20 lines per
comparison) and exits 1 otherwise; 2 when go is missing or pprof cannot
read the profile or the folded file.

usage: pprof-check.py [options] PROFILE.pb.gz FOLDED
"""
import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile

PROG = "pprof-check"
SEPARATOR = "-" * 11 + "+" + "-" * 55  # printTraces' line between samples
MAX_DIFF = 20


def fail(msg, status=2):
    print(f"{PROG}: {msg}", file=sys.stderr)
    sys.exit(status)


def go_tool_pprof(go, profile, args, env):
    cmd = [go, "tool", "pprof"] + args + [profile]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        fail(f"'{' '.join(cmd)}' failed (exit {p.returncode}): "
             f"{p.stderr.strip()}")
    return p.stdout


def value(text, what):
    """An integral value as pprof prints it with -unit=ns: '1234', '1234ns'."""
    m = re.fullmatch(r"(-?\d+)(ns)?", text)
    if not m:
        fail(f"cannot read the value '{text}' in {what}", 2)
    return int(m.group(1))


def parse_traces(text, root_labels):
    """The samples of `go tool pprof -traces`: [(stack root first, value)]."""
    samples = []
    blocks = text.split(SEPARATOR + "\n")
    for block in blocks[1:]:
        labels, frames, val = {}, [], None
        for line in block.splitlines():
            if val is None:
                token = line.split()[0] if line.strip() else ""
                if token.endswith(":"):	# "%10s:  %s": a label
                    labels[token[:-1]] = line.split(":", 1)[1].strip()
                    continue
                m = re.match(r"^ *(\S+)   (.*)$", line)
                if not m:
                    fail(f"cannot read the -traces line '{line}'", 2)
                val = value(m.group(1), "-traces")
                name = m.group(2)
            else:
                name = line[13:]
            if name.endswith(" (inline)"):
                name = name[:-len(" (inline)")]
            frames.append(name)
        if val is None:
            continue
        roots = []
        for key in root_labels:
            if key not in labels:
                fail(f"a sample has no label '{key}' (it has "
                     f"{', '.join(sorted(labels)) or 'none'})", 1)
            roots.append(labels[key])
        samples.append((roots + frames[::-1], val))
    return samples


def parse_top(text):
    """`go tool pprof -top`: ({function: (flat, cum)}, total)."""
    total, funcs = None, {}
    for line in text.splitlines():
        m = re.search(r"% of (\S+) total$", line)
        if m:
            total = value(m.group(1), "-top")
            continue
        m = re.match(r"^ *(\S+) +\S+% +\S+% +(\S+) +\S+%  (.*)$", line)
        if m:	# as in -traces, an inlined function by its own name
            name = re.sub(r" \((partial-)?inline\)$", "", m.group(3))
            flat, cum = funcs.get(name, (0, 0))
            funcs[name] = (flat + value(m.group(1), "-top"),
                           cum + value(m.group(2), "-top"))
    if total is None:
        fail("no 'of N total' line in -top's output", 2)
    return funcs, total


def parse_mappings(text):
    """The Mappings of `go tool pprof -raw`: [(file, build id)], each line
    "ID: START/LIMIT/OFFSET FILE BUILDID [FLAGS]"."""
    maps, on = [], False
    for line in text.splitlines():
        if line == "Mappings":
            on = True
            continue
        if not on:
            continue
        m = re.match(r"^\d+: 0x[0-9a-f]+/0x[0-9a-f]+/0x[0-9a-f]+ (.*)$", line)
        if not m:
            break
        rest = re.sub(r" ?(\[[A-Z]+\])*$", "", m.group(1))
        file, _, build_id = rest.rpartition(" ")
        maps.append((file, build_id))
    return maps


def read_folded(path, drop_roots):
    samples = []
    try:
        f = open(path, encoding="utf-8", errors="surrogateescape")
    except OSError as e:
        fail(f"cannot read '{path}': {e.strerror}", 2)
    with f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line:
                continue
            stack, _, weight = line.rpartition(" ")
            if not stack or not re.fullmatch(r"\d+", weight):
                fail(f"{path}:{n}: not a folded line: '{line}'", 2)
            samples.append((stack.split(";")[drop_roots:], int(weight)))
    return samples


def rename(samples, strip):
    if not strip:
        return samples
    pat = re.compile(strip)
    return [([pat.sub("", f) for f in stack], w) for stack, w in samples]


def by_stack(samples):
    out = collections.Counter()
    for stack, w in samples:
        out[";".join(stack)] += w
    return out


def by_leaf(samples):
    out = collections.Counter()
    for stack, w in samples:
        out[stack[-1] if stack else ""] += w
    return out


def by_function(samples):
    """{function: (self, total)}, total counting a function once a stack."""
    self_w, total_w = collections.Counter(), collections.Counter()
    for stack, w in samples:
        if stack:
            self_w[stack[-1]] += w
        for f in set(stack):
            total_w[f] += w
    return {f: (self_w[f], total_w[f]) for f in total_w}


def diff(title, pprof, folded):
    """Lines saying where two {key: value} maps differ, largest first."""
    keys = set(pprof) | set(folded)
    bad = [(k, pprof.get(k), folded.get(k)) for k in keys
           if pprof.get(k) != folded.get(k)]
    if not bad:
        return []

    def size(b):
        v = [x if isinstance(x, int) else max(x) for x in b[1:] if x]
        return -max(v or [0])
    bad.sort(key=lambda b: (size(b), b[0]))
    lines = [f"{title}: {len(bad)} differ (pprof | folded):"]
    for k, p, f in bad[:MAX_DIFF]:
        lines.append(f"  {'missing' if p is None else p} | "
                     f"{'missing' if f is None else f}  {k}")
    if len(bad) > MAX_DIFF:
        lines.append(f"  ... and {len(bad) - MAX_DIFF} more")
    return lines


def main():
    ap = argparse.ArgumentParser(
        prog=PROG, description=__doc__.split("\n")[0],
        usage="%(prog)s [options] PROFILE.pb.gz FOLDED")
    ap.add_argument("profile")
    ap.add_argument("folded")
    ap.add_argument("--by", choices=["stack", "leaf"], default="stack")
    ap.add_argument("--sample-index", default="samples")
    ap.add_argument("--strip", metavar="REGEX")
    ap.add_argument("--root-label", metavar="KEY", action="append", default=[])
    ap.add_argument("--drop-roots", metavar="N", type=int, default=0)
    ap.add_argument("--want-build-ids", action="store_true")
    ap.add_argument("--build-id-exempt", metavar="REGEX")
    ap.add_argument("--symbolize", metavar="MODE")
    opts = ap.parse_args()

    go = shutil.which("go")
    if not go:
        fail("go is missing (no 'go' on PATH): install Debian's golang-go "
             "(scripts/deps)")
    if not os.path.isfile(opts.profile):
        fail(f"cannot read '{opts.profile}': no such file")
    with tempfile.TemporaryDirectory(prefix="pprof-check-") as tmp:
        env = dict(os.environ, HOME=tmp, GOCACHE=os.path.join(tmp, "cache"),
                   GOPATH=os.path.join(tmp, "gopath"), GOTOOLCHAIN="local",
                   GOFLAGS="", GOPROXY="off", PPROF_TMPDIR=tmp)
        common = [f"-sample_index={opts.sample_index}", "-unit=ns"]
        if opts.symbolize:
            common.append(f"-symbolize={opts.symbolize}")
        traces = go_tool_pprof(go, opts.profile, ["-traces"] + common, env)
        top = go_tool_pprof(go, opts.profile, ["-top", "-nodecount=0",
                            "-nodefraction=0", "-edgefraction=0"] + common, env)
        raw = go_tool_pprof(go, opts.profile, ["-raw"], env) \
            if opts.want_build_ids else ""

    pp = rename(parse_traces(traces, opts.root_label), opts.strip)
    fo = rename(read_folded(opts.folded, opts.drop_roots), opts.strip)
    top_funcs, top_total = parse_top(top)
    problems = []
    pp_total, fo_total = sum(w for _, w in pp), sum(w for _, w in fo)
    if not (pp_total == fo_total == top_total):
        problems.append(f"total: -traces {pp_total}, -top {top_total}, "
                        f"folded {fo_total}")
    # pprof's two views agree with each other (names as pprof has them)
    raw_pp = parse_traces(traces, [])
    problems += diff("-top against -traces, per function (self, total)",
                     top_funcs, by_function(raw_pp))
    if opts.by == "stack":
        problems += diff("per stack", by_stack(pp), by_stack(fo))
        problems += diff("per function (self, total)", by_function(pp),
                         by_function(fo))
    else:
        problems += diff("per leaf function", by_leaf(pp), by_leaf(fo))
    maps = []
    if opts.want_build_ids:
        maps = parse_mappings(raw)
        if not maps:
            problems.append("-raw shows no mapping")
        exempt = opts.build_id_exempt and re.compile(opts.build_id_exempt)
        for file, build_id in maps:
            if not build_id and not (exempt and exempt.search(file)):
                problems.append(f"mapping without a build id: '{file}'")
    if problems:
        print(f"{PROG}: {opts.profile} and {opts.folded} differ:",
              file=sys.stderr)
        print("\n".join(problems), file=sys.stderr)
        return 1
    print(f"{PROG}: {opts.profile}: {len(pp)} samples, "
          f"{opts.sample_index} weight "
          f"{pp_total}, {len(by_stack(pp))} stacks, {len(top_funcs)} functions"
          + (f", {len(maps)} mappings with build ids" if maps else "")
          + f": same as {opts.folded}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
