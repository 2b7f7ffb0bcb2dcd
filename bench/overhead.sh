#!/usr/bin/env bash
# What profiling with flamerun costs a Python program: wall time of
# `flamerun -- python3.12 samples/fibfact.py 35` (recording, folding as
# perf's pipe arrives, the graph and the report) over the same program
# under `python3.12 -X perf` alone (CPython's trampolines, the cost no
# profiler avoids), best of N runs each (default 5), as a ratio; the goal
# is 1.15 at most. Also: the program plain, and `perf record` alone into a
# file as flamerun records (the fixed cost of perf, and of the stack copies
# written to disk, which flamerun does not write).
# usage: bench/overhead.sh [N]
set -euo pipefail
RUNS=${1:-5}
. "$(dirname "$0")/common.sh"
py=$(scripts/find-python 12)
rounds=35
flamerun=$work/build/converters/flamerun
out=$work/overhead
mkdir -p "$out"

# (the first flamerun fills perf2folded's cache; later ones read it, as a
# user's second run does)
"$flamerun" -o "$out/warm.svg" -- "$py" samples/fibfact.py 2 > /dev/null 2>&1
read -r plain _ <<< "$(best "$py" samples/fibfact.py $rounds)"
read -r xperf _ <<< "$(best "$py" -X perf samples/fibfact.py $rounds)"
read -r rec _ <<< "$(best perf record -q --call-graph dwarf,65528 -F 999 \
	-o "$out/perf.data" -- "$py" -X perf samples/fibfact.py $rounds)"
read -r fr fr_kb <<< "$(best "$flamerun" -o "$out/fibfact.svg" -- \
	"$py" samples/fibfact.py $rounds)"

echo "$py samples/fibfact.py $rounds, best of $RUNS runs, seconds (load: $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%-44s %8s\n' "plain" "$plain" \
	"-X perf" "$xperf" \
	"perf record (dwarf,65528 -F 999) into a file" "$rec" \
	"flamerun (streamed, graph and report)" "$fr"
echo "flamerun peak RSS: $((fr_kb / 1024)) MB"
awk -v a="$fr" -v b="$xperf" 'BEGIN { printf "flamerun / -X perf: %.2f (goal: 1.15 at most)\n", a / b }'
