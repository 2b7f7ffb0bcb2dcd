#!/usr/bin/env bash
# perf2folded itself (not only the reader) over every perf.data file in
# ../shared/conformance/perf-data: each ends in folded stacks or a clear
# one-line error with exit 0, 1 or 2, within 20 s, never a signal or a
# sanitizer report (this suite runs under ASan+UBSan in scripts/test).
# Files recorded elsewhere must give stacks whose weights add up to the
# samples perf2folded says it kept (with --weight=samples): their binaries
# are absent, and unknown addresses are kept as [unknown] frames, not
# dropped.
# usage: perf2folded_shared.sh PERF2FOLDED PERFDATA_DUMP SHARED_PERF_DATA_DIR
set -u
tool=$1 dump=$2 dir=$3
[ -d "$dir" ] || { echo "FAIL: missing $dir (shared/ must sit beside the clone)"; exit 1; }
export ASAN_OPTIONS=exitcode=99 UBSAN_OPTIONS=halt_on_error=1:exitcode=98
passed=0 failed=0
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
echo "perf2folded on shared perf.data: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
