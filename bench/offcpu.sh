#!/usr/bin/env bash
# Benchmark: perf2folded --off-cpu against the closest peer pipeline that
# runs here, on the same sched_switch recording, in one run.
#
# FlameGraph's off-CPU collapser, stackcollapse-perf-sched.awk, needs the
# sched:sched_stat_sleep and sched_stat_blocked tracepoints, which exist
# only on kernels built with CONFIG_SCHEDSTATS (and kernel.sched_schedstats
# = 1). The development VM's kernel has neither (README, off-CPU section),
# so the peer timed here is NOT that script but the closest pipeline that
# runs on a sched_switch recording:
#   perf script -i perf.data | stackcollapse-perf.pl
# which folds the same switch-out stacks but counts switches, not time.
# Timed, best of 3:
#   perf2folded --off-cpu perf.data                  (ours, microseconds)
#   perf script | stackcollapse-perf.pl              (the peer, switches)
#   perf script -F ... --show-switch-events | perf2folded --off-cpu
#                                                    (our text path)
# The recording: a python3.12 -X perf loop of 20 us sleeps (about 10,000
# switches a second here) with `--call-graph dwarf,4096`, the cheapest
# recording that keeps whole Python stacks (README), cached in bench/work.
#
# usage: bench/offcpu.sh [SECONDS_TO_RECORD]   (default 4)
# STACKCOLLAPSE_PERF_PL names stackcollapse-perf.pl (default: the copy in
# ../shared/peers/flamegraph, else PATH).
set -euo pipefail
secs=${1:-4}
. "$(dirname "$0")/common.sh"
py=$(scripts/find-python 12)
peer=${STACKCOLLAPSE_PERF_PL:-../shared/peers/flamegraph/stackcollapse-perf.pl}
[ -f "$peer" ] || peer=$(command -v stackcollapse-perf.pl || true)
data=$work/offcpu.data

if [ ! -s "$data" ]; then
	echo "recording $secs s of 20 us sleeps with every sched_switch..." >&2
	perf record -q -o "$data" -e sched:sched_switch --switch-events \
		--call-graph dwarf,4096 -- "$py" -X perf -c "
import time
def nap():
    time.sleep(0.00002)
end = time.monotonic() + $secs
while time.monotonic() < end:
    nap()" 2>/dev/null
fi
fields=comm,pid,tid,time,period,event,trace,ip,sym,dso
data_mb=$(du -m --apparent-size "$data" | cut -f1)
switches=$(perf script -i "$data" -F event 2>/dev/null | grep -c sched_switch || true)
echo "input: $data_mb MB, $switches sched_switch samples"

read -r t_ours m_ours < <(best "$tool" --off-cpu "$data")
read -r t_text m_text < <(best sh -c "perf script -F $fields --show-switch-events -i '$data' 2>/dev/null | '$tool' --off-cpu")
t_peer=""
if [ -n "$peer" ]; then
	read -r t_peer m_peer < <(best sh -c "perf script -i '$data' 2>/dev/null | perl '$peer'")
fi

printf '%-66s %8s %8s\n' pipeline seconds peak-MB
printf '%-66s %8s %8s\n' "perf2folded --off-cpu perf.data" "$t_ours" "$((m_ours / 1024))"
printf '%-66s %8s %8s\n' "perf script -F ... --show-switch-events | perf2folded --off-cpu" \
	"$t_text" "$((m_text / 1024))"
if [ -n "$t_peer" ]; then
	printf '%-66s %8s %8s\n' "perf script | stackcollapse-perf.pl (switches, not time)" \
		"$t_peer" "$((m_peer / 1024))"
	echo "ratio: (perf script | stackcollapse-perf.pl) / perf2folded --off-cpu: $(ratio "$t_peer" "$t_ours")x"
else
	echo "stackcollapse-perf.pl not found (set STACKCOLLAPSE_PERF_PL): no peer timed"
fi
echo "ratio: our text path / perf2folded --off-cpu perf.data: $(ratio "$t_text" "$t_ours")x"
echo "(peak-MB of a pipeline is its largest process's)"
