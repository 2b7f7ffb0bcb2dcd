#!/usr/bin/env bash
# Benchmark: DWARF perf.data (--call-graph dwarf), perf2folded against
# perf script on the same file (issue 6: goal at least 20 times faster).
#
# Records samples/fibfact.py under python3.12 -X perf with
# `perf record --call-graph dwarf,SIZE -F 999`, once with the default 8 KB
# stack copy and once with 65528 bytes, and samples/workload.c built without
# frame pointers with --call-graph dwarf; then times, best of 3 (7 for
# perf2folded),
#   perf script -i perf.data > /dev/null
#   perf2folded perf.data > /dev/null      (unwinds every sample itself;
#                                           its cache filled by a first run,
#                                           timed once, into an empty one)
#   perf2folded --no-cache perf.data       (reads every table afresh)
# and the same with --no-inline on both sides; prints seconds and ratios.
# Work files are cached in bench/work/.
#
# usage: bench/unwind.sh [ROUNDS]   (fibfact rounds, default 5)
set -euo pipefail
rounds=${1:-5}
. "$(dirname "$0")/common.sh"
py=$(scripts/find-python 12)

rec() {	# NAME SIZE COMMAND...
	local name=$1 size=$2; shift 2
	[ -s "$work/$name.data" ] && return
	perf record -q --call-graph "dwarf,$size" -F 999 -o "$work/$name.data" \
		-- "$@" >/dev/null 2>&1
}
rec dwarf-py8k 8192 "$py" -X perf samples/fibfact.py "$rounds"
rec dwarf-py64k 65528 "$py" -X perf samples/fibfact.py "$rounds"
rec dwarf-py64k-big 65528 "$py" -X perf samples/fibfact.py $((rounds * 10))
if [ ! -s "$work/dwarf-c.data" ]; then
	gcc -O2 -g -fomit-frame-pointer -pthread samples/workload.c -o "$work/workload-nofp"
	rec dwarf-c 8192 "$work/workload-nofp" 2
fi


# milliseconds perf2folded spends loading /proc/kallsyms (kallsyms__open),
# a fixed cost of every input with kernel frames, timed through the library
kallsyms_ms() {
	local t="$work/kallsyms-time"
	rm -f "$t"	# built against this build's library, every time
	if [ ! -x "$t" ]; then
		cc -O2 -Icommon -x c - -x none -o "$t" \
			"$work/build/common/libperffold.a" \
			-lelf -ldw -lzstd -ldeflate 2>/dev/null <<'C' || { echo "?"; return; }
#include <stdio.h>
#include <time.h>
#include "kallsyms.h"
int main(void)
{
	struct timespec a, b;
	struct kallsyms *k;

	clock_gettime(CLOCK_MONOTONIC, &a);
	k = kallsyms__open("/proc/kallsyms", NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.0f\n", (double)(b.tv_sec - a.tv_sec) * 1e3 +
	       (double)(b.tv_nsec - a.tv_nsec) / 1e6);
	kallsyms__free(k);
	return 0;
}
C
	fi
	"$t"
}


printf '%-16s %5s %8s %12s %10s %6s %10s %10s %6s %14s %8s %6s\n' input MB \
	samples "perf script" perf2folded ratio "1st run" --no-cache ratio \
	"--no-inline:" ours ratio
for name in dwarf-py8k dwarf-py64k dwarf-py64k-big dwarf-c; do
	f=$work/$name.data
	mb=$(du -m --apparent-size "$f" | cut -f1)
	n=$("$tool" --no-cache --weight=samples "$f" 2>/dev/null |
		awk '{ s += $NF } END { print s }')
	t_script=$(best perf script -i "$f" | cut -d" " -f1)
	rm -rf "$PERFFOLD_CACHE_DIR"	# the first run fills the cache
	t_first=$(RUNS=1 best "$tool" "$f" | cut -d" " -f1)
	t_tool=$(RUNS=7 best "$tool" "$f" | cut -d" " -f1)
	t_cold=$(RUNS=7 best "$tool" --no-cache "$f" | cut -d" " -f1)
	t_script_ni=$(best perf script --no-inline -i "$f" | cut -d" " -f1)
	t_tool_ni=$(RUNS=7 best "$tool" --no-inline "$f" | cut -d" " -f1)
	printf '%-16s %5s %8s %11ss %9ss %5sx %9ss %9ss %5sx %13ss %7ss %5sx\n' \
		"$name" "$mb" "$n" "$t_script" "$t_tool" \
		"$(ratio "$t_script" "$t_tool")" "$t_first" "$t_cold" \
		"$(ratio "$t_script" "$t_cold")" "$t_script_ni" "$t_tool_ni" \
		"$(ratio "$t_script_ni" "$t_tool_ni")"
done
echo "(perf script prints inline frames through addr2line, hence the gap."
echo " perf2folded: with its cache (symbol tables, kallsyms, inflated DWARF and"
echo " inline answers kept from earlier runs, in $PERFFOLD_CACHE_DIR); 1st run:"
echo " into an empty cache, filling it; --no-cache: every table read afresh."
echo " Reading /proc/kallsyms takes $(kallsyms_ms) ms here; perf2folded reads perf's"
echo " cached copy instead when it matches the running kernel, on a thread of its"
echo " own, beside the unwinding.)"
