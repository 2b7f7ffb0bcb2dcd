#!/usr/bin/env bash
# End to end: record real programs with perf, then require that
#   perf2folded perf.data                        (the perf.data reader)
#   perf script -F ... -i perf.data | perf2folded (the text path)
# print the same lines with the same weights, under every option both paths
# share; and that the weights add up to the samples of the event kept.
# Recordings: a C workload with frame pointers (-g), CPython 3.12 -X perf
# (-g), zstd (-z), pipe mode (-o -), two events, and no callchains.
# Needs perf and python3.12; fails saying so when either is missing.
# usage: paths_agree.sh PERF2FOLDED SOURCE_ROOT
set -u
unset PERF_BUILDID_DIR	# perf2folded would take it over $HOME/.debug
tool=$(realpath "$1") src=$(realpath "$2")
command -v perf >/dev/null || { echo "FAIL: perf is missing (apt-get install linux-perf)"; exit 1; }
py=$("$src/scripts/find-python" 12) || { echo "FAIL: python3.12 is missing"; exit 1; }
work=$(mktemp -d /tmp/perffold-e2e.XXXXXX)
trap 'rm -rf "$work"' EXIT
cc -O2 -fno-omit-frame-pointer -pthread "$src/samples/workload.c" -o "$work/workload" || exit 1

fields=comm,pid,tid,time,period,event,ip,sym,dso
passed=0 failed=0
check() {	# check NAME DATAFILE
	local name=$1 data=$2 opt
	if ! perf script -F $fields -i "$data" > "$work/$name.txt" 2>"$work/err"; then
		echo "FAIL $name: perf script failed: $(head -1 "$work/err")"
		failed=$((failed + 1)); return
	fi
	for opt in "" --pid --tid --kernel --jit --all --addrs --weight=samples; do
		"$tool" $opt "$data" > "$work/a" 2>"$work/a.err"
		"$tool" $opt "$work/$name.txt" > "$work/b" 2>"$work/b.err"
		if cmp -s "$work/a" "$work/b" && [ -s "$work/a" ]; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
			echo "FAIL $name ${opt:-(no option)}: paths differ ($(wc -l < "$work/a") vs $(wc -l < "$work/b") lines)"
			diff "$work/a" "$work/b" | head -4 | cut -c1-200
			head -3 "$work/a.err"
		fi
	done
	# weights add up to the samples of the event kept (the first)
	local event want got
	perf script -F event -i "$data" 2>/dev/null | sed 's/^ *//; s/: *$//' > "$work/events"
	event=$(head -1 "$work/events")
	want=$(grep -c -x -F "$event" "$work/events")
	got=$("$tool" --weight=samples "$data" 2>/dev/null | awk '{ s += $NF } END { print s + 0 }')
	if [ "$want" -gt 0 ] && [ "$want" = "$got" ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL $name: weights add to $got, perf script shows $want samples of '$event'"
	fi
}

cd "$work"
perf record -q -g -F 2000 -o fp.data -- ./workload 1 2>/dev/null
check c-fp fp.data
perf record -q -g -F 999 -o py.data -- "$py" -X perf "$src/samples/fibfact.py" 10 >/dev/null 2>&1
check python-fp py.data
# the interpreter's frames are named (frame-pointer chains through a CPython
# without frame pointers rarely hold a py:: frame: tests/e2e/unwind.sh and
# python_samples.py check those, from DWARF recordings)
if "$tool" py.data | grep -q '_PyEval_EvalFrameDefault'; then
	passed=$((passed + 1))
else
	failed=$((failed + 1)); echo "FAIL python-fp: no _PyEval_EvalFrameDefault frame"
fi
perf record -q -z -g -F 2000 -o z.data -- ./workload 1 2>/dev/null
check zstd z.data
perf record -q -g -F 2000 -o - -- ./workload 1 2>/dev/null > pipe.data
check pipe pipe.data
# straight from perf record's pipe
perf record -q -g -F 2000 -o - -- ./workload 1 2>/dev/null | "$tool" > piped.folded 2>piped.err
if [ -s piped.folded ] && ! grep -q . piped.err; then
	passed=$((passed + 1))
else
	failed=$((failed + 1)); echo "FAIL pipe from perf record: $(head -2 piped.err)"
fi
perf record -q -g -e cpu-clock -e task-clock -F 1000 -o two.data -- ./workload 1 2>/dev/null
check two-events two.data
perf record -q -F 2000 -o flat.data -- ./workload 1 2>/dev/null
check no-callchain flat.data

# kernel names from perf's cached copy of kallsyms (read when it answers as
# /proc/kallsyms would) are the ones /proc/kallsyms gives: a fresh cache
# for the recording (perf record writes it to $HOME/.debug), then
# perf2folded with and without it. The workload spins in user space and
# may leave no kernel sample (then no kernel symbol is read at all, as once
# in a full run): dd's copies of zeros are kernel time.
mkdir -p "$work/home" "$work/nocache"
HOME="$work/home" perf record -q -g -F 2000 -o ks.data -- sh -c \
	'./workload 1 && dd if=/dev/zero of=/dev/null bs=64k count=20000 2>/dev/null' \
	2>/dev/null
HOME="$work/home" check kallsyms-copy ks.data
HOME="$work/home" "$tool" -v ks.data > ks-copy.folded 2> ks-copy.err
HOME="$work/nocache" "$tool" -v ks.data > ks-proc.folded 2> ks-proc.err
if ! grep -q "kernel symbols from '$work/home/.debug/.*perf's copy" ks-copy.err; then
	failed=$((failed + 1)); echo "FAIL kallsyms-copy: the copy was not read: $(grep 'kernel symbols' ks-copy.err)"
	ls -R "$work/home/.debug" 2>&1 | grep -m3 kallsyms; head -3 ks-copy.err
elif ! grep -q "kernel symbols from '/proc/kallsyms'" ks-proc.err; then
	failed=$((failed + 1)); echo "FAIL kallsyms-copy: without a cache: $(grep 'kernel symbols' ks-proc.err)"
elif cmp -s ks-copy.folded ks-proc.folded && grep -q 'asm_\|_\[k\]\|entry_SYSCALL\|exc_page_fault' ks-copy.folded; then
	passed=$((passed + 1))
else
	failed=$((failed + 1)); echo "FAIL kallsyms-copy: names differ with and without the copy"
	diff ks-copy.folded ks-proc.folded | head -4 | cut -c1-200
fi

echo "e2e paths agree: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
