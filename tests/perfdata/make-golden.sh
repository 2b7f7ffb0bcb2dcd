#!/usr/bin/env bash
# Regenerates tests/perfdata/golden/ (needs perf 6.1 and a build in
# ../../build). For each file:
#   NAME.summary     perfdata_dump --samples 5 output, stderr and exit status:
#                    our own reading, reviewed by hand when regenerated
#   NAME.perf-stats  perf's view where perf 6.1 can read the file:
#                    "records: TYPE=N ..." from the 'Aggregated stats' of
#                    perf report -D (ATTR/FEATURE renamed HEADER_ATTR/
#                    HEADER_FEATURE as perfdata_dump names them) and
#                    "samples per event: N ..." from its per-event stats
#   NAME.script      (our fixtures only) perf script -F pid,tid,time,ip,event
#                    -G, blanks squeezed: every sample as perf delivers it
# Usage: tests/perfdata/make-golden.sh
set -euo pipefail
cd "$(dirname "$0")"
dump=${DUMP:-../../build/tests/perfdata_dump}
shared=../../../shared/conformance/perf-data
mkdir -p golden

perf_stats() {	# FILE: print the .perf-stats content, or nothing
	local out
	out=$(timeout 60 perf report -D --no-branch-stack -i "$1" 2>/dev/null |
	      sed -n '/^Aggregated stats:/,$p') || true
	[ -n "$out" ] || return 0
	echo "$out" | awk '
		/^Aggregated stats:/ { agg = 1; next }
		/ stats:$/ { agg = 0; next }
		agg && /events:/ && $1 != "TOTAL" {
			n = $1; if (n == "ATTR") n = "HEADER_ATTR";
			if (n == "FEATURE") n = "HEADER_FEATURE";
			rec = rec " " n "=" $3 }
		!agg && $1 == "SAMPLE" { per = per " " $3 }
		END { print "records:" rec; print "samples per event:" per }'
}

for f in fixtures/*.perf "$shared"/linux-perf-data/* "$shared"/quipper/*; do
	n=$(basename "$f")
	{ "$dump" --samples 5 "$f" 2>&1 && echo "exit 0" || echo "exit $?"; } \
		> "golden/$n.summary"
	stats=$(perf_stats "$f")
	if [ -n "$stats" ]; then
		echo "$stats" > "golden/$n.perf-stats"
	else
		rm -f "golden/$n.perf-stats"
	fi
	case $f in
	fixtures/*)
		perf script -F pid,tid,time,ip,event -G -i "$f" 2>/dev/null |
			sed 's/^ *//; s/  */ /g; s/ *$//' > "golden/$n.script"
		;;
	esac
done
