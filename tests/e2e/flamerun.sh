#!/usr/bin/env bash
# End to end: the one-command workflow. Runs scripts/flamerun as a user
# would and checks what it promises: the SVG (well-formed, with the Python
# functions), the tables of hottest functions (foldtop's), the program's
# exit status passed through, --keep, the call-graph mode
# has-frame-pointers chose, -p PID (with --duration, until the process
# exits, perf's failure passed through), and clear failures.
# Needs perf, python3.12 and xmllint; fails naming what is missing.
# usage: flamerun.sh SOURCE_ROOT
set -u
src=$(realpath "$1")
command -v perf >/dev/null || { echo "FAIL: perf is missing"; exit 1; }
command -v xmllint >/dev/null || { echo "FAIL: xmllint is missing (libxml2-utils)"; exit 1; }
py=$("$src/scripts/find-python" 12) || { echo "FAIL: python3.12 is missing"; exit 1; }
run=$src/scripts/flamerun
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

# --keep keeps perf.data and the perf map
"$run" --keep -o kept.svg -- python3.12 fibfact.py 2 > /dev/null 2>&1
ok "--keep perf.data" '[ -s kept.perf.data ]'
ok "--keep perf map" 'ls perf-*.map > /dev/null 2>&1'
ok "kept data converts again" '"$src/build/converters/perf2folded" --python --perf-map-dir . kept.perf.data 2>/dev/null | grep -q "fibonacci (fibfact.py)"'

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
ok "-p PID --duration" '[ $status -eq 0 ] && grep -q "busy_loop" attached.svg'
# perf's failure is flamerun's, with its status (here perf rejects -F)
"$run" -p "$pid" --duration 2 -F bogus -o bad.svg > /dev/null 2> bad.txt
status=$?
ok "-p: perf's failure status passed through" '[ $status -ne 0 ] && [ $status -ne 2 ] && grep -q "perf record failed (exit status $status)" bad.txt'
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

# clear failures
"$run" -- python3.12 > /dev/null 2> none.txt
status=$?
ok "no program: usage error" '[ $status -ne 0 ] && grep -q "flamerun: no program to run" none.txt'
"$run" --mode bogus -- python3.12 fibfact.py > /dev/null 2> mode.txt
status=$?
ok "bad --mode" '[ $status -eq 2 ] && grep -q "mode is fp or dwarf" mode.txt'
ok "--which-python" '"$run" --which-python | grep -q "python3\.1[2-9]$"'

echo "flamerun: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
