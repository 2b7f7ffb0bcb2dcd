#!/bin/sh
# e2e: the GIL in --off-cpu --python. samples/gil.py's two threads spin
# for 2 s at once and take turns holding the GIL: each shows [GIL] frames
# right under its Python frame (spin), and waits for the GIL about half
# its wall-clock time (its --wall total; asserted within 50% +-20 for a
# loaded machine); one thread spinning alone shows no [GIL] at all.
# Fails (not skips) when perf or python3.12 is missing.
# usage: offcpu_gil.sh PERF2FOLDED SOURCE_ROOT
set -eu
p2f=$(realpath "$1") root=$(realpath "$2")
command -v perf >/dev/null || { echo "offcpu_gil: perf not found" >&2; exit 1; }
py=$("$root/scripts/find-python" 12) || { echo "offcpu_gil: no python3.12" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
for n in 2 1; do
	perf record -q -o gil$n.data -e cpu-clock/freq=499/ -e sched:sched_switch \
		--switch-events --call-graph dwarf,16384 -- \
		"$py" -X perf "$root/samples/gil.py" 2 $n >/dev/null 2>perf.err ||
		{ cat perf.err >&2; echo "offcpu_gil: perf record failed" >&2; exit 1; }
	for clock in off-cpu wall; do
		"$p2f" --$clock --python --tid gil$n.data > $clock$n.folded 2>p2f.err ||
			{ cat p2f.err >&2; echo "offcpu_gil: perf2folded --$clock failed" >&2; exit 1; }
	done
done
python3 - <<'PY'
import re, sys
def by_thread(path):
    threads = {}
    for line in open(path):
        stack, w = line.rsplit(" ", 1)
        m = re.match(r"[^;]*-(\d+)/(\d+);", stack)
        if m:
            threads.setdefault((m.group(1), m.group(2)), []).append(
                (stack, int(w)))
    return threads
ok = True
off, wall = by_thread("off-cpu2.folded"), by_thread("wall2.folded")
workers = [t for t in off if t[0] != t[1] and
           any(";spin (" in s for s, _ in off[t])]
if len(workers) != 2:
    print(f"offcpu_gil: {len(workers)} spinning threads, not 2")
    ok = False
for t in workers:
    gil = sum(w for s, w in off[t] if re.search(r";spin \([^;]*\);\[GIL\];\[off-cpu: ", s))
    total = sum(w for _, w in wall[t])
    share = 100.0 * gil / total if total else 0.0
    print(f"offcpu_gil: thread {t[1]}: {gil} us waiting for the GIL under "
          f"spin, {share:.1f}% of its {total} us (expected 50% +-20)")
    ok &= abs(share - 50.0) <= 20.0
alone = by_thread("wall1.folded")
spin = sum(w for ws in alone.values() for s, w in ws if ";spin (" in s)
gil = [s for f in ("off-cpu1.folded", "wall1.folded")
       for s in open(f) if "[GIL]" in s]
print(f"offcpu_gil: one thread: {spin} us in spin, {len(gil)} [GIL] stacks "
      f"(expected none)")
ok &= spin > 1_000_000 and not gil
sys.exit(0 if ok else 1)
PY
