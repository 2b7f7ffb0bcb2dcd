#!/usr/bin/env bash
# Where perf2folded's time goes on a perf.data: samples a release build
# with frame pointers (bench/work/build-fp) with perf -g, so library calls
# count for their caller, and splits its CPU time, over all its threads,
# into phases by the inclusive share of each phase's entry function.
# usage: bench/split.sh [PERF.DATA]   (default: bench/perf2folded.sh's)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-bench/work/perf.data}
fp=bench/work/build-fp
if [ ! -d "$fp" ]; then
	meson setup "$fp" --buildtype=release -Dtests=disabled \
		-Dc_args=-fno-omit-frame-pointer >/dev/null
fi
meson compile -C "$fp" >/dev/null
tool=$fp/converters/perf2folded
prof=$(mktemp /tmp/perffold-split.XXXXXX)
trap 'rm -f "$prof"' EXIT
# a cache of its own, filled by a first run: the split of a warm run
export PERFFOLD_CACHE_DIR=$PWD/bench/work/cache-fp
"$tool" "$data" > /dev/null 2>&1 || true
perf record -q -g -F 9999 -o "$prof" -- "$tool" "$data" > /dev/null 2>&1
perf report -i "$prof" --stdio --children --sort sym -g none 2>/dev/null |
awk '
	/^#/ || !/%/ { next }
	{
		pct = $1; sub(/%/, "", pct); sym = $NF
		share[sym] = pct
	}
	function s(f) { return (f in share) ? share[f] : 0 }
	END {
		read = s("perfdata__read") - s("on_sample")
		printf "%6.1f%%  reading perf.data (records, order, parsing)\n", read
		printf "%6.1f%%  symbolizing and naming frames, feeding stacks (on_sample)\n", s("on_sample")
		printf "%6.1f%%  merging stacks (worker thread)\n", s("work")
		printf "%6.1f%%  sorting and writing\n", s("stacks__write") + s("run_sort_tasks")
		printf "%6.1f%%  loading kernel symbols (own thread)\n", s("load_kallsyms")
		rest = 100 - read - s("on_sample") - s("work") - s("stacks__write") - s("run_sort_tasks") - s("load_kallsyms")
		printf "%6.1f%%  start-up, exit, the rest\n", rest
	}
'
