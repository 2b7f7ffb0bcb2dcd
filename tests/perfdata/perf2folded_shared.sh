#!/usr/bin/env bash
# perf2folded itself (not only the reader) over every perf.data file in
# ../shared/conformance/perf-data: each ends in folded stacks or a clear
# one-line error with exit 0, 1 or 2, within 20 s, never a signal or a
# sanitizer report (this suite runs under ASan+UBSan in scripts/test).
# Files recorded elsewhere must give stacks whose weights add up to the
# samples perf2folded says it kept (with --weight=samples): their binaries
# are absent, and unknown addresses are kept as [unknown] frames, not
# dropped.
# perf2pprof and perf2speedscope run over each too (-o FILE): exit 0, 1 or
# 2, never a signal or a sanitizer report; on exit 2 no FILE (nor its
# temporary) is left; else the pprof file is whole gzip and the speedscope
# file valid JSON whose weights add up to what perf2folded kept.
# usage: perf2folded_shared.sh PERF2FOLDED PERFDATA_DUMP SHARED_PERF_DATA_DIR
#        [PERF2PPROF PERF2SPEEDSCOPE]
set -u
tool=$1 dump=$2 dir=$3 pprof=${4:-} speedscope=${5:-}
work=$(mktemp -d /tmp/p2f-shared.XXXXXX)
trap 'rm -rf "$work"' EXIT
[ -d "$dir" ] || { echo "FAIL: missing $dir (shared/ must sit beside the clone)"; exit 1; }
export ASAN_OPTIONS=exitcode=99 UBSAN_OPTIONS=halt_on_error=1:exitcode=98
passed=0 failed=0

# check_writers FILE NAME: the two other converters over FILE
check_writers() {
	local f=$1 name=$2 t rc out kept total
	kept=$(sed -n 's/.*read [0-9]* samples, accepted \([0-9]*\).*/\1/p' /tmp/p2f.err.$$)
	for t in "$pprof" "$speedscope"; do
		out=$work/out
		rm -f "$out" "$out".tmp*
		timeout 20 "$t" -v --weight=samples -o "$out" "$f" > /dev/null 2> "$work/err"
		rc=$?
		if [ $rc -gt 2 ]; then
			failed=$((failed + 1))
			echo "FAIL $name: $(basename "$t") exit $rc: $(head -2 "$work/err")"
		elif [ $rc -eq 2 ] && ls "$out" "$out".tmp* >/dev/null 2>&1; then
			failed=$((failed + 1))
			echo "FAIL $name: $(basename "$t") failed (exit 2) but left $(ls "$out"*)"
		elif [ $rc -lt 2 ] && [ "$t" = "$pprof" ] && ! gzip -t "$out" 2>/dev/null; then
			failed=$((failed + 1))
			echo "FAIL $name: $(basename "$t") exit $rc: not whole gzip"
		elif [ $rc -lt 2 ] && [ "$t" = "$speedscope" ] &&
		     ! total=$(python3 -c 'import json, sys
print(sum(sum(p["weights"]) for p in json.load(open(sys.argv[1]))["profiles"]))' "$out" 2>/dev/null); then
			failed=$((failed + 1))
			echo "FAIL $name: $(basename "$t") exit $rc: not valid JSON"
		elif [ $rc -lt 2 ] && [ "$t" = "$speedscope" ] && [ -n "$kept" ] &&
		     [ "$total" != "$kept" ]; then
			failed=$((failed + 1))
			echo "FAIL $name: speedscope weights $total, perf2folded kept $kept"
		else
			passed=$((passed + 1))
		fi
	done
}

for f in "$dir"/*/*; do
	case $f in *README*) continue ;; esac
	name=${f#"$dir"/}
	timeout 20 "$tool" -v --weight=samples "$f" > /tmp/p2f.$$ 2> /tmp/p2f.err.$$
	rc=$?
	if [ $rc -gt 2 ]; then
		failed=$((failed + 1))
		echo "FAIL $name: exit $rc: $(head -2 /tmp/p2f.err.$$)"
		continue
	fi
	[ -n "$pprof" ] && check_writers "$f" "$name"
	case $name in
	quipper-crashers/*|*corrupted*) passed=$((passed + 1)); continue ;;
	esac
	# a clean file: every sample of the chosen event is in the output
	got=$(awk '{ s += $NF } END { print s + 0 }' /tmp/p2f.$$)
	kept=$(sed -n 's/.*read [0-9]* samples, accepted \([0-9]*\).*/\1/p' /tmp/p2f.err.$$)
	if [ "$rc" -le 1 ] && [ "$got" -gt 0 ] && [ "$got" = "$kept" ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL $name: exit $rc, weights $got, kept ${kept:-?}: $(head -2 /tmp/p2f.err.$$)"
	fi
done
rm -f /tmp/p2f.$$ /tmp/p2f.err.$$
echo "perf2folded${pprof:+, perf2pprof, perf2speedscope} on shared perf.data: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
