#!/usr/bin/env python3
"""Conformance: folddiff against difffolded.pl, foldfilter --collapse-recursion
against stackcollapse-recursive.pl (FlameGraph's scripts, in
../shared/peers/flamegraph), run in this test on the same inputs.

The inputs are perf2folded's output of FlameGraph's own perf script captures
(../shared/conformance/flamegraph-pl, with and without --pid), and copies of
them with hex addresses added to their frames (so that -s has something to
strip). folddiff runs on pairs of captures (each capture and the next one,
and each capture against itself) with no option, -n, -s and -n -s;
difffolded.pl prints its lines in hash order, so its output is sorted
bytewise before comparing; everything else is compared byte for byte.
Fails, never skips, when perl or the peers are missing.

usage: foldtools.py FOLDDIFF FOLDFILTER PERF2FOLDED SHARED_DIR
"""
import gzip
import os
import shutil
import subprocess
import sys
import tempfile
import zlib


def run(cmd, stdin=None):
    p = subprocess.run(cmd, stdin=stdin, capture_output=True)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)}: exit {p.returncode}: "
                 f"{p.stderr.decode(errors='replace')}")
    return p.stdout


def sort_lines(data):
    return b"".join(sorted(data.splitlines(keepends=True)))


def with_hex(folded):
    """Each stack with a frame `0x<crc>` after its root, and a second copy
    with another address: -s merges them back."""
    out = []
    for line in folded.splitlines():
        stack, _, count = line.rpartition(b" ")
        root, _, rest = stack.partition(b";")
        for salt in (b"a", b"b"):
            addr = b"0x%x" % zlib.crc32(stack + salt)
            out.append(root + b";" + addr + (b";" + rest if rest else b"")
                       + b" " + count + b"\n")
    return b"".join(out)


def main():
    folddiff, foldfilter, perf2folded, shared = sys.argv[1:5]
    peers = os.path.join(shared, "peers", "flamegraph")
    difffolded = os.path.join(peers, "difffolded.pl")
    recursive = os.path.join(peers, "stackcollapse-recursive.pl")
    perl = shutil.which("perl")
    if not perl:
        sys.exit("perl is missing: apt-get install perl")
    for p in (difffolded, recursive):
        if not os.path.isfile(p):
            sys.exit(f"missing peer {p}: shared/ must sit beside the clone")
    captures_dir = os.path.join(shared, "conformance", "flamegraph-pl")
    captures = sorted(f for f in os.listdir(captures_dir)
                      if f.endswith(".txt"))
    if len(captures) < 2:
        sys.exit(f"no captures in {captures_dir}")

    tmp = tempfile.mkdtemp(prefix="foldtools.")
    try:
        big = os.path.join(tmp, "example-perf-stacks.txt")
        with gzip.open(os.path.join(captures_dir,
                                    "example-perf-stacks.txt.gz")) as f:
            with open(big, "wb") as out:
                out.write(f.read())
        inputs = []
        for name in captures + [big]:
            path = os.path.join(captures_dir, name)
            for opt in ([], ["--pid"]):
                folded = run([perf2folded] + opt + [path])
                base = os.path.basename(name)[:-4] + "".join(opt)
                for suffix, data in (("", folded), ("+hex", with_hex(folded))):
                    out = os.path.join(tmp, base + suffix + ".folded")
                    with open(out, "wb") as f:
                        f.write(data)
                    inputs.append(out)

        failures, nr = [], 0
        for path in inputs:
            nr += 1
            want = run([perl, recursive, path])
            got = run([foldfilter, "--collapse-recursion", path])
            if got != want:
                failures.append(f"foldfilter --collapse-recursion "
                                f"{os.path.basename(path)}")
        pairs = [(a, b) for a, b in zip(inputs, inputs[1:])]
        pairs += [(a, a) for a in inputs]
        for a, b in pairs:
            for opts in ([], ["-n"], ["-s"], ["-n", "-s"]):
                nr += 1
                want = sort_lines(run([perl, difffolded] + opts + [a, b]))
                got = run([folddiff] + opts + [a, b])
                if got != want:
                    failures.append(f"folddiff {' '.join(opts)} "
                                    f"{os.path.basename(a)} "
                                    f"{os.path.basename(b)}")
        for f in failures:
            print(f"FAIL {f}")
        print(f"foldtools: {nr - len(failures)} of {nr} cases agree")
        return 1 if failures else 0
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    sys.exit(main())
