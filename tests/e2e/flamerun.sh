#!/usr/bin/env bash
# End to end: the one-command workflow. Runs flamerun as a user would and
# checks what it promises: the SVG (well-formed, with the Python
# functions), the tables of hottest functions (foldtop's), the program's
# exit status passed through, --keep (the recording as it was streamed),
# --format (pprof and speedscope beside the SVG, from the one pass),
# the call-graph mode has-frame-pointers chose, -p PID (with --duration,
# until the process exits), Ctrl-C, no temporary files, and clear failures
# (perf exiting early, unknown options, a missing script, an interpreter
# that cannot do perf).
# Needs perf, python3.12, xmllint and unshare (run as root, as CI does);
# fails naming what is missing.
# usage: flamerun.sh FLAMERUN SOURCE_ROOT
set -u
run=$(realpath "$1")
bin=$(dirname "$run")
src=$(realpath "$2")
command -v perf >/dev/null || { echo "FAIL: perf is missing"; exit 1; }
command -v xmllint >/dev/null || { echo "FAIL: xmllint is missing (libxml2-utils)"; exit 1; }
py=$("$src/scripts/find-python" 12) || { echo "FAIL: python3.12 is missing"; exit 1; }
work=$(mktemp -d /tmp/perffold-flamerun.XXXXXX)
trap '[ -n "${KEEP_WORK:-}" ] || rm -rf "$work"' EXIT
cd "$work"
passed=0 failed=0
ok() { if eval "$2"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $1"; fi; }

cp "$src/samples/fibfact.py" .
"$run" -o fib.svg --title "fib test" -- python3.12 fibfact.py 8 > out.txt 2> err.txt
status=$?
ok "exit 0" '[ $status -eq 0 ]'
ok "svg written and well-formed" 'xmllint --noout fib.svg'
ok "svg has the Python stack" 'grep -q "fibonacci_plus_factorial (fibfact.py)" fib.svg'
ok "svg title" 'grep -q "fib test" fib.svg'
ok "path printed" 'grep -q "flame graph: $work/fib.svg" out.txt'
# the report (foldtop): a heading, the column heads, rows, the total line
ok "self table has fibonacci first" 'grep -A2 "^hottest Python functions by self time:" out.txt | tail -1 | grep -q "  fibonacci (fibfact.py)$"'
ok "fibonacci's self share is most of the run" 'grep -A2 "by self time:" out.txt | tail -1 | awk "{ exit !(\$3 + 0 > 50) }"'
ok "total table has <module> first" 'grep -A2 "^hottest Python functions by total time:" out.txt | tail -1 | grep -q "  <module> (fibfact.py)$"'
ok "total table has main" 'sed -n "/by total time:/,/ total$/p" out.txt | grep -q "  main (fibfact.py)$"'
ok "column heads" '[ "$(grep -c "self  *self%  *total  *total%  Python function$" out.txt)" -eq 2 ]'
ok "times in s or ms" 'grep -A2 "by self time:" out.txt | tail -1 | grep -Eq "^ *[0-9.]+ m?s +[0-9.]+%"'
ok "total line at 100%" '[ "$(grep -Ec "^ *[0-9.]+ m?s 100.0% +[0-9.]+ m?s 100.0%  total$" out.txt)" -eq 2 ]'
ok "at most ten rows a table" '[ "$(sed -n "/by self time:/,/ total$/p" out.txt | wc -l)" -le 13 ]'

# measure, optimize, measure again: the folded stacks beside the graph,
# then --compare after making fibonacci iterative, in the same file
ok "folded stacks beside the graph" '[ -s fib.folded ] && grep -q "^python3.12;.*fibonacci (fibfact.py) [0-9]*$" fib.folded'
ok "folded path printed" 'grep -q "folded stacks: $work/fib.folded" out.txt'
python3 - <<'PY'
import re
src = open("fibfact.py").read()
fast = "def fibonacci(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n"
src = re.sub(r"def fibonacci\(n\):\n(    .*\n)+", fast, src, count=1)
open("fibfact.py", "w").write(src)
PY
"$run" --compare fib.folded -o fast.svg -- python3.12 fibfact.py 8 > cmp.txt 2> cmp.err
status=$?
ok "compare: exit 0" '[ $status -eq 0 ]'
ok "compare: differential graph" 'xmllint --noout fast.diff.svg && grep -q "differential flame graph: $work/fast.diff.svg" cmp.txt'
first_change() { sed -n "/whose self time changed most:/{n;n;p;q}" cmp.txt; }
ok "compare: fibonacci's time gone, first" 'first_change | grep -q "  fibonacci (fibfact.py)$" && first_change | awk "{ exit !(\$(NF-2) + 0 <= -95) }"'
changes() { sed -n "/whose self time changed most:/,\$p" cmp.txt; }
# (a noisy machine moves factorial's time by tens of percent: what must read
# at a glance is that its change is small beside fibonacci's)
ok "compare: factorial about unchanged" '! changes | grep -q "  factorial (fibfact.py)$" || changes | awk "/  fibonacci \(fibfact.py\)\$/ { f = \$(NF-4) * (\$(NF-3) == \"s\" ? 1000 : 1) } /  factorial \(fibfact.py\)\$/ { c = \$(NF-4) * (\$(NF-3) == \"s\" ? 1000 : 1) } END { exit !(c * c < f * f / 25) }"'
ok "compare: total several times faster" 'grep -Eq "total, ([3-9]|[1-9][0-9]+)\.[0-9]+x faster$" cmp.txt'
# the differential graph in a browser: fibonacci's hover says what went
if command -v node >/dev/null && [ -x /usr/bin/chromium ] &&
   [ -d "$src/tests/browser/node_modules/playwright-core" ]; then
	node "$src/tests/browser/hover.mjs" fast.diff.svg "fibonacci (fibfact.py)" /usr/bin/chromium > hover.txt 2>&1
	ok "compare: fibonacci's hover shows its decrease" 'grep -Eq "^Function: fibonacci \(fibfact.py\) \(before [0-9.,]+ ms, [0-9.]+%; after [0-9.,]+, change -[0-9.,]+ \(-(9[5-9]|100)\.[0-9]+%\)\)$" hover.txt || { cat hover.txt; false; }'
else
	ok "compare: chromium, node and tests/browser/node_modules (scripts/deps --browser; npm ci in tests/browser) to hover the graph" false
fi
# two folded files compared, nothing recorded
"$run" --compare fib.folded -o files.svg fast.folded > files.txt 2>&1
ok "compare two folded files" '[ -s files.diff.svg ] && grep -q "total, .*x faster$" files.txt && ! grep -q "recording" files.txt'
cp "$src/samples/fibfact.py" .	# as it was, for the runs below

# the program's exit status is flamerun's
printf 'import sys\nx = sum(range(10**6))\nsys.exit(3)\n' > three.py
"$run" -o three.svg -- python3.12 three.py > /dev/null 2>&1
status=$?
ok "exit status passed through (3)" '[ $status -eq 3 ]'
ok "svg even when the program fails" '[ -s three.svg ]'

# --keep writes the recording as it streams: converted again, the same
# stacks with the same weights as the folded stacks of the run
"$run" --keep kept.data -o kept.svg -- python3.12 fibfact.py 4 > /dev/null 2> kept.err
status=$?
ok "--keep: exit 0" '[ $status -eq 0 ] || { cat kept.err; false; }'
ok "--keep: the recording kept" '[ -s kept.data ] && grep -q "kept the recording in .kept.data." kept.err'
"$bin/perf2folded" --python kept.data > kept-again.folded 2> /dev/null
ok "--keep: streamed and file runs give the same stacks" 'grep -q "fibonacci (fibfact.py)" kept.folded && cmp -s kept.folded kept-again.folded'
# --format: pprof and speedscope beside the SVG, made in the pass that
# folds perf's pipe (nothing in TMPDIR); each holds the run's Python
# functions (e2e pprof speedscope checks them against --keep's recording)
mkdir fmt-tmp
TMPDIR=$work/fmt-tmp "$run" --format svg,pprof,speedscope -o fmt.svg -- python3.12 fibfact.py 4 > fmt.txt 2> fmt.err
status=$?
ok "--format: exit 0, paths printed" '[ $status -eq 0 ] && grep -q "pprof profile: $work/fmt.pb.gz" fmt.txt && grep -q "speedscope profile: $work/fmt.speedscope.json" fmt.txt || { cat fmt.err; false; }'
ok "--format: the SVG too" 'xmllint --noout fmt.svg && grep -q "fibonacci (fibfact.py)" fmt.svg'
ok "--format: pprof, gzipped, with the Python functions" 'gzip -dc fmt.pb.gz | grep -aq "fibonacci"'
ok "--format: speedscope JSON with fibonacci among its frames" 'python3 -c "import json, sys; d = json.load(open(\"fmt.speedscope.json\")); sys.exit(not any(f[\"name\"].startswith(\"fibonacci\") for f in d[\"shared\"][\"frames\"]))"'
ok "--format: nothing written to TMPDIR" '[ -z "$(ls -A fmt-tmp)" ]'
ok "--format: no converter run (none speaks)" '! grep -q "^perf2" fmt.err'
# what the recording lost, said by perfconv's reporter with flamerun's
# advice: 1 KB of stack per sample cuts Python's dwarf stacks
"$run" --mode dwarf --stack-size 1024 -o small.svg -- python3.12 fibfact.py 2 > /dev/null 2> small.err
status=$?
ok "--stack-size 1024: exit 0, the cut stacks said with flamerun's advice" '[ $status -eq 0 ] && grep -Eq "^flamerun: [0-9]+ of [0-9]+ DWARF stacks outgrew the copied stack and end in \[unwind stopped: stack copy too small\] \(try --stack-size 65528\)$" small.err || { cat small.err; false; }'
"$run" --format svg,png -- python3.12 fibfact.py 4 > /dev/null 2> fmt-bad.err
status=$?
ok "--format: an unknown format named, exit 2" '[ $status -eq 2 ] && grep -q "not .svg,png." fmt-bad.err'
# a file recording of the same program, made apart: the same functions,
# their shares within sampling noise (10 points)
py_shares() {	# FOLDED -> "fibonacci% factorial%" of the total weight
	awk '{ w = $NF; t += w } /;fibonacci \(fibfact\.py\) [0-9]+$/ { f += w }
	     /;factorial \(fibfact\.py\) [0-9]+$/ { g += w }
	     END { if (t) printf "%.1f %.1f\n", 100 * f / t, 100 * g / t }' "$1"
}
mode_opt=--call-graph=dwarf,65528
grep -q "(fp call graphs" kept.err && mode_opt=-g
perf record -q -e cpu-clock -F 999 $mode_opt -o file.data -- "$py" -X perf fibfact.py 4 > /dev/null 2>&1
"$bin/perf2folded" --python file.data > file.folded 2> /dev/null
read -r sf sg <<< "$(py_shares kept.folded)"
read -r ff fg <<< "$(py_shares file.folded)"
ok "file run: fibonacci ${ff}% and factorial ${fg}% as streamed (${sf}%, ${sg}%)" 'awk "BEGIN { d = $sf - $ff; e = $sg - $fg; exit !($sf > 50 && d * d < 100 && e * e < 100) }"'

# the call-graph mode is has-frame-pointers' answer, which reads the eval
# loop's code as well as the build flags: here the flags claim
# -fno-omit-frame-pointer (a sysconfig module that adds it, see CPython's
# _PYTHON_SYSCONFIGDATA_NAME), which the flags alone would believe
mkdir claim
real=$("$py" -c 'import sysconfig; print(sysconfig._get_sysconfigdata_name())')
cat > claim/_sysconfigdata_fp_claim.py <<EOF
import importlib
build_time_vars = dict(importlib.import_module("$real").build_time_vars)
build_time_vars["CFLAGS"] = (build_time_vars.get("CFLAGS") or "") + " -fno-omit-frame-pointer"
EOF
claim=(env PYTHONPATH="$work/claim" _PYTHON_SYSCONFIGDATA_NAME=_sysconfigdata_fp_claim)
"${claim[@]}" "$src/scripts/has-frame-pointers" "$py" > claim-hfp.txt 2>&1
hfp_rc=$?
want=dwarf; [ $hfp_rc -eq 0 ] && want=fp
"${claim[@]}" "$run" -o claim.svg -- python3.12 fibfact.py 2 > /dev/null 2> claim.txt
ok "the claimed flags are seen" '"${claim[@]}" "$py" -c "import sysconfig; print(sysconfig.get_config_var(\"CFLAGS\"))" | grep -q -- -fno-omit-frame-pointer'
ok "mode as has-frame-pointers says ($want: $(cat claim-hfp.txt))" 'grep -q "($want call graphs" claim.txt'
ok "graph recorded in that mode" 'grep -q "fibonacci (fibfact.py)" claim.svg'

# attach to a running Python started with -X perf
"$py" -X perf -c 'import time
def busy_loop():
    t = time.time()
    while time.time() - t < 12: pass
busy_loop()' &
pid=$!
sleep 1
"$run" -p "$pid" --duration 2 -o attached.svg > attached.txt 2>&1
status=$?
ok "-p PID --duration: exit 0, the process's stacks" '[ $status -eq 0 ] && grep -q "busy_loop" attached.svg && ! grep -q Traceback attached.txt'
ok "-p: the process still runs after --duration" 'kill -0 $pid'
kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
# the process exits before --duration is over: perf stops, no failure
"$py" -X perf -c 'import time
def short_loop():
    t = time.time()
    while time.time() - t < 8: pass
short_loop()' &
pid=$!
sleep 0.5
"$run" -p "$pid" --duration 60 -o exited.svg > exited.txt 2>&1
status=$?
ok "-p: process exits first, exit 0" '[ $status -eq 0 ] && grep -q "short_loop" exited.svg'
wait "$pid" 2>/dev/null

# Ctrl-C: SIGINT to flamerun alone (as kill -INT or a supervisor sends
# it) while a program that never ends runs: the program stopped, the graph
# of what was recorded written, promptly, exit 128 + 2
cat > forever.py <<'EOF'
import time
def spin_forever():
    while True:
        t = time.time()
        while time.time() - t < 0.2:
            pass
        time.sleep(0.05)
spin_forever()
EOF
"$run" -o forever.svg -- python3.12 forever.py > forever.txt 2>&1 &
fr=$!
sleep 3
kill -INT $fr
waited=0
while kill -0 $fr 2>/dev/null && [ $waited -lt 30 ]; do sleep 0.5; waited=$((waited + 1)); done
kill -0 $fr 2>/dev/null && kill -KILL $fr
wait $fr
status=$?
ok "SIGINT: exit 130 within 15 s (waited ${waited} half-seconds)" '[ $status -eq 130 ]'
ok "SIGINT: a valid SVG of what was recorded" 'xmllint --noout forever.svg && grep -q "spin_forever (forever.py)" forever.svg'
running() {	# the command lines of every process, one a line
	for p in /proc/[0-9]*; do tr '\0' ' ' 2>/dev/null < "$p/cmdline"; echo; done
}
ok "SIGINT: the program stopped" '! running | grep -q "X perf forever[.]py"'
# --duration for a program it starts: stopped, exit 0, no traceback
"$run" --duration 2 -o dur.svg -- python3.12 forever.py > dur.txt 2>&1
status=$?
ok "--duration: exit 0, no traceback" '[ $status -eq 0 ] && ! grep -q Traceback dur.txt && grep -q "spin_forever" dur.svg'

# nothing of the recording on disk: /tmp replaced (a private mount) by an
# empty directory, TMPDIR another; afterwards the first holds only the
# perf map CPython writes, the second nothing (the run's directory is
# outside /tmp, which the mount hides)
if [ "$(id -u)" -eq 0 ] && command -v unshare > /dev/null; then
	tmpwork=$(mktemp -d /var/tmp/perffold-flamerun-tmp.XXXXXX)
	mkdir "$tmpwork/tmp" "$tmpwork/tmpdir"
	cp fibfact.py "$tmpwork/"
	(cd "$tmpwork" && TMPDIR=$tmpwork/tmpdir unshare -m sh -c 'mount --bind "$1/tmp" /tmp && exec "$0" -o tmpdir.svg -- python3.12 fibfact.py 2' "$run" "$tmpwork" > tmpdir.txt 2>&1)
	status=$?
	ok "no temporary files: exit 0" '[ $status -eq 0 ] && [ -s "$tmpwork/tmpdir.svg" ] || cat "$tmpwork/tmpdir.txt"'
	ok "no temporary files: only the perf map in /tmp ($(ls "$tmpwork/tmp" | tr "\n" " "))" '[ -z "$(ls "$tmpwork/tmp" | grep -Ev "^perf-[0-9]+\.map$")" ]'
	ok "no temporary files: none in TMPDIR" '[ -z "$(ls -A "$tmpwork/tmpdir")" ]'
	rm -rf "$tmpwork"
else
	ok "no temporary files: needs root and unshare (util-linux)" false
fi

# perf exiting early: the real perf given an option it rejects, and one
# that fails as perf does without permission; one message, no hang, exit 3
mkdir -p fakeperf badperf
real_perf=$(command -v perf)
printf '#!/bin/sh\nshift\nexec %s record --no-such-option "$@"\n' "$real_perf" > badperf/perf
printf '#!/bin/sh\necho "Error: Access to performance monitoring and observability operations is limited." >&2\nexit 255\n' > fakeperf/perf
chmod +x badperf/perf fakeperf/perf
PATH=$work/badperf:$PATH timeout 60 "$run" -o bad.svg -- python3.12 fibfact.py 2 > /dev/null 2> bad.txt
status=$?
ok "perf rejects an option: exit 3" '[ $status -eq 3 ] || { cat bad.txt; false; }'
ok "perf rejects an option: its message, then ours, once" 'grep -q "no-such-option" bad.txt && [ "$(grep -c "perf could not record" bad.txt)" -eq 1 ] && ! grep -q "Usage: perf record" bad.txt'
PATH=$work/fakeperf:$PATH timeout 60 "$run" -o denied.svg -- python3.12 fibfact.py 2 > /dev/null 2> denied.txt
status=$?
ok "perf without permission: exit 3, its message" '[ $status -eq 3 ] && grep -q "^Error: Access to performance" denied.txt && grep -q "perf could not record (exit status 255)" denied.txt'
ok "perf without permission: no perf_event_paranoid advice as root" '[ "$(id -u)" -ne 0 ] || ! grep -q paranoid denied.txt'
ok "perf without permission: no graph" '[ ! -e denied.svg ]'

# clear failures
"$run" --bogus-option -- python3.12 fibfact.py > /dev/null 2> unknown.txt
status=$?
ok "unknown option named: exit 2" '[ $status -eq 2 ] && grep -q "unrecognized option .--bogus-option." unknown.txt'
"$run" -o > /dev/null 2> noarg.txt
status=$?
ok "-o without argument: usage error" '[ $status -eq 2 ] && grep -q "requires an argument -- .o." noarg.txt'
"$run" -o missing.svg -- python3.12 no-such-script.py > /dev/null 2> missing.txt
status=$?
ok "missing script refused before recording" '[ $status -eq 2 ] && grep -q "cannot read .no-such-script.py." missing.txt && ! grep -q recording missing.txt && [ ! -e missing.svg ]'
"$run" -o no-dir/x.svg -- python3.12 fibfact.py > /dev/null 2> nodir.txt
status=$?
ok "output directory checked before recording" '[ $status -eq 2 ] && grep -q "no directory .no-dir." nodir.txt && ! grep -q recording nodir.txt'
# the interpreter named is the one run: an older one is refused, naming one
# that can (Debian 12's python3 is 3.11)
sys_py=/usr/bin/python3
if [ -x $sys_py ]; then
	"$run" --which-python $sys_py > which.txt 2> which.err
	status=$?
	if "$sys_py" -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then
		ok "--which-python $sys_py: itself" '[ $status -eq 0 ] && [ "$(cat which.txt)" = "$(realpath $sys_py)" ]'
	else
		ok "--which-python $sys_py: refused, naming a 3.12+" '[ $status -eq 2 ] && grep -q "perf support needs 3.12 or newer; run flamerun -- .*python3\.1[2-9]" which.err && [ ! -s which.txt ]'
		"$run" -o old.svg -- $sys_py fibfact.py > /dev/null 2> old.txt
		status=$?
		ok "an interpreter older than 3.12 is not swapped" '[ $status -eq 2 ] && ! grep -q recording old.txt'
	fi
else
	ok "/usr/bin/python3 (the system's) to check --which-python" false
fi
for t in flamerun perf2folded flamesvg folddiff foldfilter foldtop; do
	ok "$t --version" '"$bin/$t" --version | grep -Eq "^$t [0-9]+\.[0-9]+\.[0-9]+$"'
done

"$run" -- python3.12 > /dev/null 2> none.txt
status=$?
ok "no program: usage error" '[ $status -ne 0 ] && grep -q "flamerun: no program to run" none.txt'
"$run" --mode bogus -- python3.12 fibfact.py > /dev/null 2> mode.txt
status=$?
ok "bad --mode" '[ $status -eq 2 ] && grep -q "mode is fp or dwarf" mode.txt'
ok "--which-python" '"$run" --which-python | grep -q "python3\.1[2-9]$"'

echo "flamerun: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
