#!/bin/sh
# e2e: --off-cpu and --wall give one answer whether perf2folded reads
# perf.data or the `perf script` text the README says to print:
#   perf script -F comm,pid,tid,time,period,event,trace,ip,sym,dso \
#       --show-switch-events
# on real recordings of samples/waits.py (frame-pointer callchains, which
# perf script and perf2folded name alike; file and pipe format), under
# several options: the same stacks, and the same microseconds within the
# rounding of perf script's printed times (microseconds: at most 1 us per
# interval, so the weights' total difference is at most the number of
# intervals, plus one per stack for the carried remainders).
# Fails (not skips) when perf or python3.12 is missing.
# usage: offcpu_paths.sh PERF2FOLDED SOURCE_ROOT
set -eu
p2f=$(realpath "$1") root=$(realpath "$2")
command -v perf >/dev/null || { echo "offcpu_paths: perf not found" >&2; exit 1; }
py=$("$root/scripts/find-python" 12) || { echo "offcpu_paths: no python3.12" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
events="-e cpu-clock/freq=999/ -e sched:sched_switch --switch-events -g"
perf record -q -o file.data $events -- "$py" -X perf \
	"$root/samples/waits.py" 0.3 >/dev/null 2>perf.err ||
	{ cat perf.err >&2; echo "offcpu_paths: perf record failed" >&2; exit 1; }
perf record -q -o - $events -- "$py" -X perf "$root/samples/waits.py" 0.3 \
	2>perf.err > pipe.data ||
	{ cat perf.err >&2; echo "offcpu_paths: perf record -o - failed" >&2; exit 1; }
failed=0
for data in file.data pipe.data; do
	perf script -F comm,pid,tid,time,period,event,trace,ip,sym,dso \
		--show-switch-events -i "$data" > "$data.txt" 2>/dev/null ||
		{ echo "offcpu_paths: perf script -i $data failed" >&2; exit 1; }
	for opts in "--off-cpu" "--off-cpu --tid" "--off-cpu --python --threads" \
	    "--wall" "--wall --pid --python"; do
		# shellcheck disable=SC2086
		"$p2f" -v $opts "$data" > a.folded 2> a.err || true
		# shellcheck disable=SC2086
		"$p2f" -v $opts < "$data.txt" > b.folded 2> b.err || true
		python3 - "$data $opts" a.folded b.folded a.err <<'PY' || failed=1
import re, sys
what, a_file, b_file, err = sys.argv[1:]
def folded(path):
    d = {}
    for line in open(path):
        stack, w = line.rsplit(" ", 1)
        d[stack] = int(w)
    return d
a, b = folded(a_file), folded(b_file)
m = re.search(r"(\d+) off-CPU intervals closed", open(err).read())
intervals = int(m.group(1)) if m else 0
diff = sum(abs(a.get(k, 0) - b.get(k, 0)) for k in set(a) | set(b))
bound = intervals + len(a)
only = len(set(a) ^ set(b))
print(f"offcpu_paths: {what}: {len(a)} stacks, {len(b)} from text, {only} "
      f"in one only; {sum(a.values())} us against {sum(b.values())}, "
      f"differing by {diff} us in all (at most {bound}: {intervals} "
      f"intervals)")
ok = a and intervals > 0 and not only and diff <= bound
if "--off-cpu" in what:
    ok = ok and all("[off-cpu: " in s for s in a)
sys.exit(0 if ok else 1)
PY
	done
done
exit $failed
