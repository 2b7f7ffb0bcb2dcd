#!/usr/bin/env bash
# Times flamesvg against flamegraph.pl on the same folded input, in one run:
# wall time, peak memory (GNU time's maximum resident set size) and SVG size,
# and the ratios. Fetches nothing: flamegraph.pl is used when it is on PATH
# (or FLAMEGRAPH_PL names it); Debian 12 does not package it.
#
# Usage: bench/flamesvg.sh [BUILD_DIR] [LINES STACKS]
#   default: build, 1,000,000 lines with 200,000 distinct stacks of depth 5-60
# The workload is generated once into bench/work/ (deterministic seed).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
lines=${2:-1000000}
stacks=${3:-200000}
work=bench/work
flamesvg=$build/converters/flamesvg
input=$work/workload-$lines-$stacks.folded

[ -x "$flamesvg" ] || { echo "bench: no $flamesvg: build first (meson compile -C $build)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing: apt-get install time" >&2; exit 2; }
mkdir -p "$work"
if [ ! -s "$input" ]; then
	echo "bench: generating $input" >&2
	python3 bench/gen_folded.py "$lines" "$stacks" > "$input.tmp"
	mv "$input.tmp" "$input"
fi

# measure NAME OUT CMD...: runs CMD with stdin from the workload; sets
# secs, kb and bytes
measure() {
	local name=$1 out=$2; shift 2
	/usr/bin/time -f '%e %M' -o "$work/$name.time" "$@" < "$input" > "$out"
	read -r secs kb < "$work/$name.time"
	bytes=$(stat -c %s "$out")
	printf '%-14s %8.2f s %8.1f MB %10d bytes SVG\n' "$name" "$secs" \
		"$(awk -v k="$kb" 'BEGIN { print k / 1024 }')" "$bytes"
}

echo "input: $(stat -c %s "$input") bytes, $lines lines, $stacks distinct stacks, depth 5-60"
cat "$input" > /dev/null	# both read it from the page cache
measure flamesvg "$work/flamesvg.svg" "$flamesvg"
fs_secs=$secs fs_kb=$kb fs_bytes=$bytes
xmllint --noout --huge "$work/flamesvg.svg" && echo "flamesvg.svg: well-formed"

pl=${FLAMEGRAPH_PL:-$(command -v flamegraph.pl || command -v flamegraph || true)}
if [ -z "$pl" ]; then
	echo "flamegraph.pl: not found (not packaged in Debian 12; set FLAMEGRAPH_PL"
	echo "to a local copy to compare); flamesvg alone reported above"
	exit 0
fi
measure flamegraph.pl "$work/flamegraph-pl.svg" perl "$pl"
awk -v a="$secs" -v b="$fs_secs" -v c="$kb" -v d="$fs_kb" \
    -v e="$bytes" -v f="$fs_bytes" 'BEGIN {
	printf "flamegraph.pl / flamesvg: time %.1fx, memory %.1fx, SVG size %.2fx\n",
		a / (b > 0 ? b : 0.01), c / d, e / f }'
