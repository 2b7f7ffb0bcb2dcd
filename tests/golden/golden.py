#!/usr/bin/env python3
"""Golden CLI tests: each case is a folder under tests/golden/<tool>/ with

    args        command-line arguments, one per line ({case} = the case's
                folder, so an input file can be named)
    stdin       optional: fed to the tool's standard input
    stdout, stderr, status   what the tool must print and return, byte for byte

usage: golden.py BUILD_CONVERTERS_DIR CASES_DIR [--regen]
--regen rewrites stdout/stderr/status from the tool as it is now: review
the diff before committing it.
"""
import os
import subprocess
import sys


def run_case(tools, case):
    tool = os.path.basename(os.path.dirname(case))
    args = []
    if os.path.exists(os.path.join(case, "args")):
        with open(os.path.join(case, "args")) as f:
            args = [a.replace("{case}", case) for a in f.read().splitlines()]
    stdin = b""
    if os.path.exists(os.path.join(case, "stdin")):
        with open(os.path.join(case, "stdin"), "rb") as f:
            stdin = f.read()
    p = subprocess.run([os.path.join(tools, tool)] + args, input=stdin,
                       capture_output=True, timeout=60)
    # messages name the case folder: make them independent of where it is
    err = p.stderr.replace(case.encode(), b"{case}")
    return p.stdout, err, f"{p.returncode}\n".encode()


def main():
    tools, cases_dir = sys.argv[1], sys.argv[2]
    regen = "--regen" in sys.argv
    passed = failed = 0
    for name in sorted(os.listdir(cases_dir)):
        case = os.path.join(cases_dir, name)
        if not os.path.isdir(case):
            continue
        got = run_case(tools, case)
        files = ("stdout", "stderr", "status")
        if regen:
            for fname, data in zip(files, got):
                with open(os.path.join(case, fname), "wb") as f:
                    f.write(data)
            continue
        bad = []
        for fname, data in zip(files, got):
            path = os.path.join(case, fname)
            want = open(path, "rb").read() if os.path.exists(path) else None
            if want != data:
                bad.append(f"{fname}: want {want[:300] if want else want!r} "
                           f"got {data[:300]!r}")
        if bad:
            failed += 1
            print(f"FAIL {name}\n  " + "\n  ".join(bad))
        else:
            passed += 1
    if not regen:
        print(f"golden {os.path.basename(cases_dir)}: {passed} passed, "
              f"{failed} failed")
        if passed + failed == 0:
            print("no cases found")
            return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
