#!/usr/bin/env bash
# What profiling with flamerun costs a Python program: wall time of
# `flamerun -- python3.12 samples/fibfact.py 35` (recording, folding as
# perf's pipe arrives, the graph and the report) over the same program
# under `python3.12 -X perf` alone (CPython's trampolines, the cost no
# profiler avoids), best of N runs each (default 5), as a ratio; the goal
# is 1.15 at most. Also: the program plain, and `perf record` alone into a
# file as flamerun records (the fixed cost of perf, and of the stack copies
# written to disk, which flamerun does not write). And flamerun --format
# svg,pprof,speedscope (the three from its one pass), wall and CPU time,
# over flamerun's SVG alone; with BEFORE=PATH, another flamerun (a build of
# an earlier tree, its siblings beside it) timed on the same command; with
# MODE=dwarf (or fp), those --format runs record in that call-graph mode.
# usage: [BEFORE=FLAMERUN] [MODE=fp|dwarf] [RUNS=N] bench/overhead.sh [N]
set -euo pipefail
RUNS=${1:-${RUNS:-5}}
. "$(dirname "$0")/common.sh"
py=$(scripts/find-python 12)
rounds=35
flamerun=$work/build/converters/flamerun
out=$work/overhead
mkdir -p "$out"

# cpu COMMAND...: the least CPU time (user + system, with the children
# waited for: perf, the program) of $RUNS runs, which other guests on the
# machine disturb less than wall time
cpu() {
	local i t least=""
	for ((i = 0; i < RUNS; i++)); do
		/usr/bin/time -o "$out/cpu" -f '%U %S' "$@" > /dev/null 2>&1 || true
		t=$(awk '{ printf "%.2f", $1 + $2 }' "$out/cpu")
		if [ -z "$least" ] || awk "BEGIN{exit !($t < $least)}"; then
			least=$t
		fi
	done
	echo "$least"
}

# (the first flamerun fills perf2folded's cache; later ones read it, as a
# user's second run does)
"$flamerun" -o "$out/warm.svg" -- "$py" samples/fibfact.py 2 > /dev/null 2>&1
read -r plain _ <<< "$(best "$py" samples/fibfact.py $rounds)"
read -r xperf _ <<< "$(best "$py" -X perf samples/fibfact.py $rounds)"
read -r rec _ <<< "$(best perf record -q --call-graph dwarf,65528 -F 999 \
	-o "$out/perf.data" -- "$py" -X perf samples/fibfact.py $rounds)"
read -r fr fr_kb <<< "$(best "$flamerun" -o "$out/fibfact.svg" -- \
	"$py" samples/fibfact.py $rounds)"
xperf_cpu=$(cpu "$py" -X perf samples/fibfact.py $rounds)
fr_cpu=$(cpu "$flamerun" -o "$out/fibfact.svg" -- "$py" samples/fibfact.py $rounds)
# formats FLAMERUN: "WALL PEAK_KB CPU" of its --format svg,pprof,speedscope
formats() {
	local wall kb
	local cmd=("$1" ${MODE:+--mode "$MODE"} --format svg,pprof,speedscope
		-o "$out/fmt.svg" -- "$py" samples/fibfact.py $rounds)
	read -r wall kb <<< "$(best "${cmd[@]}")"
	echo "$wall $kb $(cpu "${cmd[@]}")"
}
read -r fmt fmt_kb fmt_cpu <<< "$(formats "$flamerun")"
if [ -n "${BEFORE:-}" ]; then
	"$BEFORE" -o "$out/warm.svg" -- "$py" samples/fibfact.py 2 > /dev/null 2>&1
	read -r old old_kb old_cpu <<< "$(formats "$BEFORE")"
fi

echo "$py samples/fibfact.py $rounds, best of $RUNS runs, seconds (load: $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%-44s %8s\n' "plain" "$plain" \
	"-X perf" "$xperf" \
	"perf record (dwarf,65528 -F 999) into a file" "$rec" \
	"flamerun (streamed, graph and report)" "$fr" \
	"flamerun ${MODE:+--mode $MODE }--format svg,pprof,speedscope" "$fmt"
[ -z "${BEFORE:-}" ] || printf '%-44s %8s\n' "the same, $BEFORE" "$old"
echo "flamerun peak RSS: $((fr_kb / 1024)) MB, with --format svg,pprof,speedscope $((fmt_kb / 1024)) MB"
echo "CPU seconds (user + system, all processes): -X perf $xperf_cpu, flamerun $fr_cpu"
awk -v a="$fr" -v b="$xperf" -v c="$fr_cpu" -v d="$xperf_cpu" 'BEGIN {
	printf "flamerun / -X perf: %.2f wall (goal: 1.15 at most), %.2f CPU\n", a / b, c / d }'
awk -v a="$fmt" -v b="$fr" -v c="$fmt_cpu" -v d="$fr_cpu" -v m="${MODE:+ (--mode $MODE)}" 'BEGIN {
	printf "--format svg,pprof,speedscope%s / the SVG alone: %.2f wall, %.2f CPU (%s s)\n", m, a / b, c / d, c }'
[ -z "${BEFORE:-}" ] || awk -v a="$fmt" -v b="$old" -v c="$fmt_cpu" -v d="$old_cpu" \
	-v ka="$fmt_kb" -v kb="$old_kb" 'BEGIN {
	printf "--format svg,pprof,speedscope, this / BEFORE: %.2f wall, %.2f CPU (%s s / %s s), peak RSS %d / %d MB\n", a / b, c / d, c, d, ka / 1024, kb / 1024 }'
