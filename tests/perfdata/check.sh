#!/usr/bin/env bash
# Conformance checks of common/perfdata through perfdata_dump; run by meson
# (suite 'perfdata'). Usage: check.sh DUMP GOLDEN_DIR MODE FILE...
#   summary FILE   output equals golden/NAME.summary; where perf 6.1 could
#                  read FILE, record counts and samples per event equal
#                  golden/NAME.perf-stats (made by perf, see make-golden.sh)
#   script FILE    every sample equals perf script's (golden/NAME.script)
#   stdin FILE     the same file read as a stream from a pipe gives the
#                  same counts (pipe format read record by record, file
#                  format read into memory first)
#   same FILE...   all files give the same samples
#   sleep FILE...  the linux-perf-data sleep.* files: five separate
#                  recordings of `sleep` (two aarch64, three x86_64 hosts:
#                  pids, kernels and times differ, so their samples cannot
#                  be equal); each must read as the same workload: one
#                  cycles:P event, 7 or 8 samples, all in the process whose
#                  comm is sleep, the first two with perf's warm-up period 1
#   crasher FILE   a result or a clean error: exit 0 or 2, no signal, no hang
#   fails FILE     exit 2 with one line naming the offset
set -uo pipefail
dump=$1 golden=$2 mode=$3
shift 3
run() {	# args...: stdout+stderr+exit status of the dump, with a time limit
	timeout 60 "$dump" "$@" 2>&1
	echo "exit $?"
}
fail() { echo "FAIL: $*" >&2; exit 1; }

case $mode in
summary)
	f=$1 n=$(basename "$1")
	out=$(run --samples 5 "$f")
	diff <(echo "$out") "$golden/$n.summary" >&2 ||
		fail "$n: summary differs from $golden/$n.summary"
	if [ -f "$golden/$n.perf-stats" ]; then
		rec=$(echo "$out" | grep '^records:')
		per=$(echo "$out" | sed -n 's/^attr .* samples \([0-9]*\)$/\1/p' |
		      awk '$1 > 0' | tr '\n' ' ' | sed 's/ $//')
		want_rec=$(sed -n 1p "$golden/$n.perf-stats")
		want_per=$(sed -n 2p "$golden/$n.perf-stats" |
			   sed 's/^samples per event: *//')
		[ "$rec" = "$want_rec" ] ||
			fail "$n: records differ from perf's: '$rec' vs '$want_rec'"
		[ "$per" = "$want_per" ] ||
			fail "$n: samples per event '$per', perf says '$want_per'"
	fi
	;;
script)
	f=$1 n=$(basename "$1")
	diff <(timeout 60 "$dump" --script "$f") "$golden/$n.script" >&2 ||
		fail "$n: samples differ from perf script's"
	;;
stdin)
	f=$1 n=$(basename "$1")
	out=$(cat "$f" | timeout 60 "$dump" - 2>&1; echo "exit $?")
	for key in format: records: samples: attr exit; do
		diff <(echo "$out" | grep "^$key") \
		     <(grep "^$key" "$golden/$n.summary") >&2 ||
			fail "$n: '$key' differs when read from a pipe"
	done
	;;
same)
	first=$(timeout 60 "$dump" --script "$1") || fail "$1: exit $?"
	[ -n "$first" ] || fail "$1: no samples"
	for f in "$@"; do
		diff <(echo "$first") <(timeout 60 "$dump" --script "$f") >&2 ||
			fail "$(basename "$f") gives other samples than $(basename "$1")"
	done
	;;
sleep)
	for f in "$@"; do
		n=$(basename "$f")
		out=$(timeout 60 "$dump" --samples 100 "$f" 2>/dev/null) ||
			fail "$n: exit $?"
		pid=$(echo "$out" | sed -n 's/^comms: .* \([0-9]*\):sleep.*/\1/p')
		[ -n "$pid" ] || fail "$n: no sleep comm"
		echo "$out" | grep -q '^comms: [0-9]*:perf-exec [0-9]*:sleep$' ||
			fail "$n: comms are not perf-exec, sleep"
		echo "$out" | grep -q '^attrs: 1$' || fail "$n: not one attr"
		echo "$out" | grep -q '^attr 0: name cycles:P' ||
			fail "$n: event is not cycles:P"
		nr=$(echo "$out" | grep -c '^sample ')
		[ "$nr" -eq 7 ] || [ "$nr" -eq 8 ] || fail "$n: $nr samples"
		[ "$(echo "$out" | grep '^sample ' | grep -vc " pid $pid tid $pid ")" -eq 0 ] ||
			fail "$n: samples outside the sleep process"
		[ "$(echo "$out" | grep '^sample [01]:' | grep -c ' period 1 ')" -eq 2 ] ||
			fail "$n: first periods are not 1, 1"
	done
	;;
crasher)
	timeout 20 "$dump" "$1" >/dev/null 2>/tmp/perfdata-crasher.$$
	rc=$?
	err=$(cat /tmp/perfdata-crasher.$$); rm -f /tmp/perfdata-crasher.$$
	[ $rc -eq 0 ] || [ $rc -eq 2 ] ||
		fail "$(basename "$1"): exit $rc: $err"
	[ $rc -eq 0 ] || echo "$err" | grep -q 'perfdata_dump: ' ||
		fail "$(basename "$1"): exit 2 without a message"
	;;
fails)
	err=$(timeout 20 "$dump" "$1" 2>&1 >/dev/null)
	rc=$?
	[ $rc -eq 2 ] || fail "$(basename "$1"): exit $rc, want 2"
	[ "$(echo "$err" | grep -v warning | wc -l)" -eq 1 ] &&
		echo "$err" | grep -q 'at offset 0x' ||
		fail "$(basename "$1"): want one error line with the offset: $err"
	;;
*)
	fail "unknown mode $mode"
	;;
esac
exit 0
