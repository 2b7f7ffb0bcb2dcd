#!/bin/sh
# e2e: --wall on a real recording of samples/waits.py, whose main thread
# spends about a fifth of its time in each of five phases (computing,
# time.sleep, a pipe read, a lock, a socket recv): each phase's share of
# the main thread's wall-clock microseconds is within 5 points of 20%, and
# the on-CPU plus off-CPU total is the thread's elapsed time within 2%.
# Fails (not skips) when perf or python3.12 is missing.
# usage: offcpu_shares.sh PERF2FOLDED SOURCE_ROOT
set -eu
p2f=$(realpath "$1") root=$(realpath "$2")
command -v perf >/dev/null || { echo "offcpu_shares: perf not found" >&2; exit 1; }
py=$("$root/scripts/find-python" 12) || { echo "offcpu_shares: no python3.12" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
# a longer phase than the sample's default, for a loaded machine
perf record -q -o perf.data -e cpu-clock/freq=499/ -e sched:sched_switch \
	--switch-events --call-graph dwarf,16384 -- \
	"$py" -X perf "$root/samples/waits.py" 1.5 >/dev/null 2>perf.err ||
	{ cat perf.err >&2; echo "offcpu_shares: perf record failed" >&2; exit 1; }
"$p2f" -v --wall --python --tid perf.data > wall.folded 2> p2f.err ||
	{ cat p2f.err >&2; echo "offcpu_shares: perf2folded --wall failed" >&2; exit 1; }
# elapsed time of the main thread from perf's own view (first to last event)
python3 - wall.folded <<'PY'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
main = {}
for l in lines:
    stack, w = l.rsplit(" ", 1)
    root = stack.split(";")[0]
    m = re.search(r"-(\d+)/(\d+)$", root)
    # the main thread of the parent process: pid == tid, most time
    if m and m.group(1) == m.group(2):
        main.setdefault(root, []).append((stack, int(w)))
root = max(main, key=lambda r: sum(w for _, w in main[r]))
total = sum(w for _, w in main[root])
ok = True
for phase in ("compute", "nap", "read_pipe", "wait_lock", "recv_sock"):
    w = sum(w for s, w in main[root] if f";{phase} (" in s)
    share = 100.0 * w / total
    print(f"offcpu_shares: {phase}: {w} us, {share:.1f}% (expected 20% +-5)")
    ok &= abs(share - 20.0) <= 5.0
print(f"offcpu_shares: main thread total {total} us")
# five phases of 1.5 s plus start-up and exit: between 7.5 and 9.5 s
ok &= 7_400_000 <= total <= 9_500_000
sys.exit(0 if ok else 1)
PY
