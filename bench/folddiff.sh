#!/usr/bin/env bash
# Times folddiff against FlameGraph's difffolded.pl on the same two folded
# files, in one run, and prints the ratio (wall time, best of $RUNS, peak
# memory). The inputs are made once by bench/gen_folded.py (seeds 4 and 5)
# into bench/work/. difffolded.pl comes from ../shared/peers/flamegraph
# (or DIFFFOLDED_PL); its output is compared with folddiff's, sorted.
# First it times `cat` of the two inputs and folddiff writing to /dev/null:
# the floor of reading them, and folddiff without the disk write of its
# output.
#
# Usage: bench/folddiff.sh [BUILD_DIR] [LINES STACKS]
#   default: a release build in bench/work/rel, 1,000,000 lines with
#   200,000 distinct stacks of depth 5-60 per file
set -euo pipefail
cd "$(dirname "$0")/.."
work=bench/work
build=${1:-$work/rel}
lines=${2:-1000000}
stacks=${3:-200000}
peer=${DIFFFOLDED_PL:-../shared/peers/flamegraph/difffolded.pl}
a=$work/diff-a-$lines-$stacks.folded
b=$work/diff-b-$lines-$stacks.folded
mkdir -p "$work"
[ -f "$peer" ] || { echo "bench: no $peer" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing: apt-get install time" >&2; exit 2; }
if [ ! -x "$build/converters/folddiff" ]; then
	meson setup "$build" --buildtype=release -Dtests=disabled >/dev/null
fi
meson compile -C "$build" >/dev/null
folddiff=$build/converters/folddiff
for f in "$a:4" "$b:5"; do
	if [ ! -s "${f%:*}" ]; then
		echo "bench: generating ${f%:*}" >&2
		python3 bench/gen_folded.py "$lines" "$stacks" "${f#*:}" > "${f%:*}.tmp"
		mv "${f%:*}.tmp" "${f%:*}"
	fi
done

# best N CMD...: best wall time of N runs, "SECONDS PEAK_KB"; the output
# goes to $out, a new file each run: the last run's file is removed and
# everything written is flushed first (untimed), so that a run does not pay
# for truncating, or flushing, what an earlier one wrote
out=$work/diff.out
best() {
	local n=$1 best_s="" best_kb="" s kb t0 t1 i
	shift
	for ((i = 0; i < n; i++)); do
		if [ "$out" != /dev/null ]; then
			rm -f "$out"
			sync
		fi
		t0=$(date +%s%N)
		/usr/bin/time -o "$work/time.out" -f '%M' "$@" > "$out" 2>/dev/null
		t1=$(date +%s%N)
		s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
		read -r kb < "$work/time.out"
		if [ -z "$best_s" ] || awk "BEGIN{exit !($s < $best_s)}"; then
			best_s=$s; best_kb=$kb
		fi
	done
	echo "$best_s $best_kb"
}

echo "inputs: $(stat -L -c %s "$a") + $(stat -L -c %s "$b") bytes, $lines lines each, $stacks distinct stacks each, depth 5-60"
# folddiff reads its two files on two threads: its time depends on a free core
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) on $(nproc) cores"
cat "$a" "$b" > /dev/null	# both read them from the page cache
# the floor: reading the inputs (cat), and folddiff without its output's
# write to disk (to /dev/null)
out=/dev/null
read -r cs _ <<< "$(best "${RUNS:-3}" cat "$a" "$b")"
read -r ns _ <<< "$(best "${RUNS:-3}" "$folddiff" "$a" "$b")"
out=$work/diff.out
printf 'cat both          %8.3f s to /dev/null\nfolddiff          %8.3f s to /dev/null\n' "$cs" "$ns"
for opt in "" "-n"; do
	read -r ps pkb <<< "$(best 1 perl "$peer" $opt "$a" "$b")"
	sort "$work/diff.out" > "$work/diff.pl.sorted"
	read -r fs fkb <<< "$(best "${RUNS:-3}" "$folddiff" $opt "$a" "$b")"
	if ! LC_ALL=C sort -c "$work/diff.out" || ! cmp -s <(LC_ALL=C sort "$work/diff.pl.sorted") "$work/diff.out"; then
		echo "bench: folddiff $opt and difffolded.pl $opt differ" >&2
		exit 1
	fi
	printf 'difffolded.pl %-3s %8.3f s %8.1f MB\n' "$opt" "$ps" "$(awk -v k="$pkb" 'BEGIN { print k / 1024 }')"
	printf 'folddiff      %-3s %8.3f s %8.1f MB   %s x faster\n' "$opt" "$fs" \
		"$(awk -v k="$fkb" 'BEGIN { print k / 1024 }')" \
		"$(awk -v a="$ps" -v b="$fs" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')"
done
