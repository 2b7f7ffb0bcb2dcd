#!/usr/bin/env python3
"""Checks pprof-check.py on a pprof file Go writes itself: tests/data/
pprof_cpu.go, built and run here with Debian's golang-go (offline, Go's
caches in a temporary directory), profiles itself with runtime/pprof.

The folded file it is compared with is derived here from `go tool pprof
-raw` (the samples, their location ids and the locations' function lines),
a view pprof-check.py does not read, so a wrong reading of -traces or -top
in the checker shows. Then the folded file is altered in the ways a
converter goes wrong (a weight off by one, weight moved to another stack, a
function renamed, a frame lost in the middle) and each alteration must
fail with a diff naming it. The binary built with -ldflags=-B (a GNU build
id note) must pass --want-build-ids and the one built without must fail it.
Fails, never skips, when go is missing.

usage: pprof_check_test.py PPROF_CHECK PPROF_CPU_GO
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

BUILD_ID = "5ca1ab1e0ddba11f00d5eed5deadbeefcafef00d"
failures = 0


def check(title, ok, detail=""):
    global failures
    if ok:
        print(f"ok - {title}")
    else:
        failures += 1
        print(f"not ok - {title}\n{detail}")


def run(cmd, env=None):
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    return p.returncode, p.stdout, p.stderr


def must(cmd, env):
    status, out, err = run(cmd, env)
    if status != 0:
        sys.exit(f"{' '.join(cmd)}: exit {status}: {err.strip()}")
    return out


def folded_from_raw(raw, column):
    """Folded lines (root first, the comm label as root) from -raw's
    Samples ("V1 V2: LOC...", then "comm:[x]" lines) and Locations ("ID:
    ADDR M=N FUNC FILE:LINE s=N", then one "FUNC FILE:LINE s=N" line per
    inlined caller)."""
    section, samples, locs, loc = None, [], {}, None
    for line in raw.splitlines():
        if line in ("Samples:", "Locations", "Mappings"):
            section = line
            continue
        if section == "Samples:":
            m = re.match(r"^ +([\d ]+): ([\d ]+)$", line)
            if m:
                samples.append([int(m.group(1).split()[column]),
                                [int(x) for x in m.group(2).split()], None])
            m = re.match(r"^ +comm:\[(.*)\]$", line)
            if m:
                samples[-1][2] = m.group(1)
        elif section == "Locations":
            m = re.match(r"^ +(\d+): 0x[0-9a-f]+ M=\d+ (\S+) ", line)
            if m:
                loc = int(m.group(1))
                locs[loc] = [m.group(2)]
                continue
            m = re.match(r"^ +(\S+) \S+:\d+ s=\d+$", line)
            if m:
                locs[loc].append(m.group(1))
    lines = []
    for weight, ids, comm in samples:
        frames = [f for i in ids for f in locs[i]]
        if comm is None:
            sys.exit("a sample of the Go profile has no comm label")
        lines.append(";".join([comm] + frames[::-1]) + f" {weight}")
    return "\n".join(lines) + "\n"


def main():
    checker, source = sys.argv[1:3]
    go = shutil.which("go")
    if not go:
        print("pprof-check test: go is missing: install Debian's golang-go "
              "(scripts/deps)", file=sys.stderr)
        return 1
    tmp = tempfile.mkdtemp(prefix="pprof-check-test-")
    env = dict(os.environ, HOME=tmp, GOCACHE=os.path.join(tmp, "cache"),
               GOPATH=os.path.join(tmp, "gopath"), GOTOOLCHAIN="local",
               GO111MODULE="off", GOFLAGS="", GOPROXY="off")
    try:
        prog = os.path.join(tmp, "pprof_cpu")
        must([go, "build", "-o", prog, f"-ldflags=-B 0x{BUILD_ID}", source],
             env)
        plain = os.path.join(tmp, "pprof_cpu_plain")
        must([go, "build", "-o", plain, source], env)
        prof = os.path.join(tmp, "cpu.pb.gz")
        must([prog, prof], env)
        plain_prof = os.path.join(tmp, "plain.pb.gz")
        must([plain, plain_prof], env)
        raw = must([go, "tool", "pprof", "-raw", prof], env)
        check("the Go binary's mapping has the build id",
              re.search(rf"/pprof_cpu {BUILD_ID} ", raw), raw)
        base = folded_from_raw(raw, 0)
        lines = base.splitlines()
        check("the profile has several stacks",
              len({l.rpartition(" ")[0] for l in lines}) >= 2, base)
        # the alterations below need these in the profile (else they alter
        # nothing and the checks of their failures fail for no fault of
        # pprof-check)
        for needed in [";main.leafA ", ";main.leafB ", ";main.middle;"]:
            check(f"the profile has '{needed.strip(' ;')}' "
                  f"(as in '{needed}')", needed in base, base)

        def write(name, text):
            path = os.path.join(tmp, name)
            with open(path, "w") as f:
                f.write(text)
            return path

        def checker_run(args, folded, env=None):
            return run([sys.executable, checker] + args + [prof, folded], env)

        def passes(title, args, folded, want=""):
            status, out, err = checker_run(args, folded)
            check(title, status == 0 and "same as" in out and want in out,
                  f"exit {status}\n{out}{err}")

        def fails(title, args, folded, want, status_want=1):
            status, out, err = checker_run(args, folded)
            check(title, status == status_want and want in err,
                  f"exit {status}, want {status_want} and '{want}'\n{out}{err}")

        good = write("good.folded", base)
        passes("the folded file from -raw, comm label as root",
               ["--root-label", "comm"], good)
        passes("the same, comm dropped from the folded side",
               ["--drop-roots", "1"], good)
        passes("mappings with build ids", ["--want-build-ids",
               "--root-label", "comm"], good, "1 mappings with build ids")
        status, out, err = run([sys.executable, checker, "--want-build-ids",
                                "--root-label", "comm", plain_prof, good])
        check("a mapping without a build id fails --want-build-ids",
              status == 1 and "mapping without a build id: '" + plain in err,
              f"exit {status}\n{out}{err}")
        ns = write("ns.folded", folded_from_raw(raw, 1))
        passes("cpu nanoseconds with --sample-index cpu",
               ["--root-label", "comm", "--sample-index", "cpu"], ns)
        fails("cpu nanoseconds against the sample counts",
              ["--root-label", "comm"], ns, "total: -traces")

        # what a converter gets wrong
        stack0, _, w0 = lines[0].rpartition(" ")
        off = write("off.folded", "\n".join(
            [f"{stack0} {int(w0) + 1}"] + lines[1:]) + "\n")
        fails("a weight off by one", ["--root-label", "comm"], off,
              "total: -traces")
        other = next(l for l in lines if l.rpartition(" ")[0] != stack0)
        shifted = [f"{stack0} {int(w0) - 1}"] + lines[1:] + \
            [f"{other.rpartition(' ')[0]} 1"]
        fails("weight moved between stacks, same total",
              ["--root-label", "comm"],
              write("shifted.folded", "\n".join(shifted) + "\n"),
              "per stack:")
        renamed = write("renamed.folded", base.replace("main.leafA",
                                                       "main.leafC"))
        fails("a function renamed", ["--root-label", "comm"], renamed,
              "main.leafC")
        lost = write("lost.folded", base.replace(";main.middle;", ";"))
        fails("a frame lost in the middle, by stack",
              ["--root-label", "comm"], lost, "per stack:")
        passes("a frame lost in the middle, by leaf", ["--root-label",
               "comm", "--by", "leaf"], lost)
        fails("a leaf lost, by leaf", ["--root-label", "comm", "--by",
              "leaf"], write("leaf.folded", re.sub(r";main\.leafB ",
                                                   " ", base)),
              "per leaf function")
        fails("a folded root with no label to match it", [], good,
              "per stack:")
        suffixed = write("suffixed.folded", re.sub(
            r";(main\.[\w.]+)(?=[; ])", r";\1 (main.go)", base))
        fails("names with file suffixes", ["--root-label", "comm"], suffixed,
              "per stack:")
        passes("names with file suffixes, --strip",
               ["--root-label", "comm", "--strip", r" \(main\.go\)$"],
               suffixed)

        # errors
        garbage = write("garbage.pb.gz", "not a profile\n")
        status, out, err = run([sys.executable, checker, garbage, good])
        check("a file that is no profile: exit 2, pprof's error",
              status == 2 and "parsing profile" in err, f"exit {status}\n{err}")
        status, out, err = checker_run([], os.path.join(tmp, "none.folded"))
        check("a missing folded file: exit 2", status == 2 and
              "cannot read" in err, f"exit {status}\n{err}")
        status, out, err = checker_run([], good, dict(os.environ,
                                                      PATH="/nonexistent"))
        check("go missing: exit 2, saying so", status == 2 and
              "go is missing" in err, f"exit {status}\n{err}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"pprof-check: {failures} failed" if failures else
          "pprof-check: all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
