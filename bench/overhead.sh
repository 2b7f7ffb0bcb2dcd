#!/usr/bin/env bash
# How much CPython's perf support and recording slow the sample programs:
# wall time of each samples/*.py run plain, with -X perf, and under
# `perf record` as flamerun records it (--call-graph dwarf,65528 -F 999),
# the median of N runs each (default 5). usage: bench/overhead.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-5}
py=$(scripts/find-python 12)
tmp=$(mktemp -d /tmp/perffold-overhead.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

median() {	# median of N runs of a command, in seconds
	local i
	for i in $(seq "$n"); do
		/usr/bin/time -o "$tmp/t" -f %e "$@" > /dev/null 2>&1 || true
		cat "$tmp/t"
	done | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

echo "$py, median of $n runs, seconds"
printf '%-12s %8s %10s %10s %14s\n' sample plain "-X perf" "+record" "slowdown"
for s in fibfact deep methods gens_async threads ccalls imports shares; do
	a=$(median "$py" "samples/$s.py")
	b=$(median "$py" -X perf "samples/$s.py")
	c=$(median perf record -q --call-graph dwarf,65528 -F 999 \
		-o "$tmp/perf.data" -- "$py" -X perf "samples/$s.py")
	printf '%-12s %8s %10s %10s %6.0f%% %6.0f%%\n' "$s" "$a" "$b" "$c" \
		"$(awk "BEGIN{print 100 * ($b / $a - 1)}")" \
		"$(awk "BEGIN{print 100 * ($c / $a - 1)}")"
done
echo "(slowdown: -X perf alone, then -X perf with recording)"
