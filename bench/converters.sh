#!/usr/bin/env bash
# Benchmark: perf2pprof and perf2speedscope against perf2folded, the same
# pipeline with another writer, on the same input in one run.
#
# Uses bench/perf2folded.sh's recording (samples/workload.c, deep native
# stacks, ~100 MB of perf.data; recorded here when bench/work has none),
# and times, best of 9 runs each, output to /dev/null:
#   perf2folded perf.data
#   perf2pprof perf.data         (gzipped profile.proto)
#   perf2speedscope perf.data    (JSON, every thread's samples in order)
# and the same three with --python on a python3.12 -X perf recording
# (samples/fibfact.py, --call-graph dwarf), where unwinding dominates.
# Prints seconds, peak memory, output size and each writer's ratio to
# perf2folded (the goal: 1.5x at most).
#
# usage: bench/converters.sh [SECONDS_TO_RECORD]   (default 14)
set -euo pipefail
secs=${1:-14}
. "$(dirname "$0")/common.sh"
record_workload "$secs"
bin=$work/build/converters
if [ ! -s "$work/py.data" ]; then
	py=$(scripts/find-python 12)
	echo "recording python3.12 -X perf samples/fibfact.py (DWARF)..." >&2
	perf record -q --call-graph dwarf -F 999 -o "$work/py.data" -- \
		"$py" -X perf samples/fibfact.py 3 > /dev/null 2>&1
fi

row() {	# row LABEL FILE OPTION...: one line per converter, ratios to the first
	local label=$1 data=$2 t m base="" size
	shift 2
	echo "$label ($(du -m --apparent-size "$data" | cut -f1) MB):"
	for conv in perf2folded perf2pprof perf2speedscope; do
		read -r t m < <(RUNS=9 best "$bin/$conv" "$@" "$data")
		size=$("$bin/$conv" "$@" "$data" 2>/dev/null | wc -c)
		base=${base:-$t}
		printf '  %-18s %8s s %6s MB peak %9s bytes out  %sx perf2folded\n' \
			"$conv" "$t" "$((m / 1024))" "$size" "$(ratio2 "$t" "$base")"
	done
}
ratio2() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
row "workload, frame pointers" "$work/perf.data"
row "fibfact --python, DWARF" "$work/py.data" --python
