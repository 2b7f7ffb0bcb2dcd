#!/bin/sh
# Runs one golden case of a CLI tool and compares its stdout, stderr and
# exit status byte for byte with the recorded ones; checks that every SVG it
# writes is well-formed XML (xmllint). With REGEN=1, records them instead.
#
# Usage: run.sh TOOL CASEDIR
# A case directory holds:
#   args             the arguments, one per line (may be absent: none)
#   stdin            what the tool reads on stdin (absent: /dev/null)
#   *.folded, ...    input files the arguments name
#   expected.out, expected.err, expected.status
#   expected.FILE    (optional) a file the tool must leave behind as FILE
#   expected.absent  (optional) names (globs) the tool must not leave
#                    behind, one a line: a file it failed to write whole
# The tool runs in a scratch copy of the case directory.
set -eu
tool=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
case_dir=$(cd "$2" && pwd)
name=$(basename "$case_dir")
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

cp -R "$case_dir/." "$scratch/"
rm -f "$scratch"/expected.*
cd "$scratch"
set --
if [ -f args ]; then
	while IFS= read -r arg || [ -n "$arg" ]; do
		set -- "$@" "$arg"
	done < args
fi
stdin=/dev/null
[ -f stdin ] && stdin=stdin
status=0
"$tool" "$@" < "$stdin" > "$scratch/.out" 2> "$scratch/.err" || status=$?

if [ "${REGEN:-0}" = 1 ]; then
	cp .out "$case_dir/expected.out"
	cp .err "$case_dir/expected.err"
	echo "$status" > "$case_dir/expected.status"
	echo "golden $name: recorded (status $status)"
	exit 0
fi

fail=0
if ! cmp -s .out "$case_dir/expected.out"; then
	echo "golden $name: stdout differs from expected.out:" >&2
	diff "$case_dir/expected.out" .out | head -20 >&2 || true
	fail=1
fi
if ! cmp -s .err "$case_dir/expected.err"; then
	echo "golden $name: stderr differs from expected.err:" >&2
	diff "$case_dir/expected.err" .err >&2 || true
	fail=1
fi
if [ "$status" != "$(cat "$case_dir/expected.status")" ]; then
	echo "golden $name: exit status $status, expected $(cat "$case_dir/expected.status")" >&2
	fail=1
fi
if head -c 5 .out | grep -q '<?xml'; then
	xmllint --noout .out || { echo "golden $name: SVG is not well-formed" >&2; fail=1; }
fi
if head -c 1 .out | grep -q '{'; then
	python3 -m json.tool .out > /dev/null || { echo "golden $name: JSON is not valid" >&2; fail=1; }
fi
if [ -f "$case_dir/expected.absent" ]; then
	while IFS= read -r pat; do
		for f in $pat; do
			[ -e "$f" ] && { echo "golden $name: $f left behind" >&2; fail=1; }
		done
	done < "$case_dir/expected.absent"
fi
for f in "$case_dir"/expected.*; do
	file=${f#"$case_dir"/expected.}
	case $file in out|err|status|absent) continue ;; esac
	if ! cmp -s "$file" "$f"; then
		echo "golden $name: $file differs from expected.$file" >&2
		fail=1
	fi
done
# byte-identical output on a second run (flamegraph.pl's is not)
if [ ! -f args ] || ! grep -q '^--cp' args; then
	"$tool" "$@" < "$stdin" > .out2 2>/dev/null || true
	cmp -s .out .out2 || { echo "golden $name: output differs between runs" >&2; fail=1; }
fi
[ $fail = 0 ] && echo "golden $name: ok"
exit $fail
