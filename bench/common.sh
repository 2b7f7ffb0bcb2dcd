# Sourced by the bench scripts: a release build of perffold in bench/work,
# and best-of-3 timing. Sets $work and $tool (perf2folded).
cd "$(dirname "$0")/.."
work=bench/work
mkdir -p "$work"

scripts/deps >/dev/null
if [ ! -x "$work/build/converters/perf2folded" ]; then
	meson setup "$work/build" --buildtype=release -Dtests=disabled >/dev/null
fi
meson compile -C "$work/build" >/dev/null
tool=$work/build/converters/perf2folded
# perf2folded keeps symbol tables, kallsyms, inflated DWARF and inline
# answers between runs (README, "The cache"); the benches keep theirs here
export PERFFOLD_CACHE_DIR=$PWD/$work/cache

# best COMMAND...: the best of $RUNS runs (3 unless set), printed as
# "SECONDS PEAK_KB"; wall time is taken to the millisecond (time(1)'s %e
# has only 10 ms steps). The best run is the one least disturbed by the
# rest of the machine, which in a VM can slow a run by a third.
best() {
	local best_s="" best_kb="" s kb t0 t1 i
	for ((i = 0; i < ${RUNS:-3}; i++)); do
		t0=$(date +%s%N)
		/usr/bin/time -o "$work/time.out" -f '%M' "$@" > /dev/null 2>&1 || true
		t1=$(date +%s%N)
		s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
		read -r kb < "$work/time.out"
		if [ -z "$best_s" ] || awk "BEGIN{exit !($s < $best_s)}"; then
			best_s=$s; best_kb=$kb
		fi
	done
	echo "$best_s $best_kb"
}

# ratio A B: A / B with one decimal
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }'; }

# record_workload SECONDS: $work/perf.data, samples/workload.c (deep native
# stacks, frame pointers) recorded with perf record -g at 20 kHz, once
record_workload() {
	if [ ! -s "$work/perf.data" ]; then
		gcc -O2 -fno-omit-frame-pointer -pthread samples/workload.c -o "$work/workload"
		echo "recording $1 s of samples/workload.c at 20 kHz..." >&2
		perf record -q -g -F 20000 -o "$work/perf.data" -- "$work/workload" "$1" 2>/dev/null
	fi
}
