#!/usr/bin/env bash
# What recording every sched_switch costs (README, off-CPU section): a
# python3.12 -X perf loop of 10 us sleeps (timer slack 1 ns: near 20,000
# a second on an idle core) run for SECONDS plain and under each
# recording, printing the sleeps a second it reached (its slowdown), the
# switches a second recorded,
# perf.data's size and bytes a switch, the chunks perf lost, and the share
# of off-CPU time whose stack reaches the Python <module> frame (whole
# Python stacks) in perf2folded --off-cpu --python. "/-m512": with 512
# pages (2 MB) of ring buffer per CPU instead of perf's default 129.
# usage: bench/offcpu_cost.sh [SECONDS]   (default 2)
set -euo pipefail
secs=${1:-2}
. "$(dirname "$0")/common.sh"
py=$(scripts/find-python 12)
prog=$work/switchy.py
cat > "$prog" <<'PY'
import ctypes, sys, time
ctypes.CDLL(None).prctl(29, 1, 0, 0, 0)   # PR_SET_TIMERSLACK: 1 ns
def nap():
    time.sleep(0.00001)
def main(secs):
    n = 0
    end = time.monotonic() + secs
    while time.monotonic() < end:
        nap()
        n += 1
    print(n / secs)
main(float(sys.argv[1]))
PY
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
plain=$("$py" -X perf "$prog" "$secs")
printf '%-34s %8s %7s %10s %7s %9s %6s %7s\n' recording sleeps/s slower switches/s MB bytes/sw lost whole
printf '%-34s %8.0f\n' "(none)" "$plain"
for cg in none fp dwarf,4096 dwarf,4096/-m512 dwarf,8192 dwarf,16384 \
    dwarf,16384/-m512; do
	case $cg in
	none) opt=() ;;
	fp) opt=(-g) ;;
	*/-m512) opt=(--call-graph "${cg%/*}" -m 512) ;;
	*) opt=(--call-graph "$cg") ;;
	esac
	rate=$(perf record -o "$work/cost.data" -e sched:sched_switch \
		--switch-events "${opt[@]}" -- "$py" -X perf "$prog" "$secs" \
		2>"$work/cost.err")
	lost=$(grep -o 'lost [0-9]* chunks' "$work/cost.err" | awk '{ print $2 }' || true)
	bytes=$(stat -c %s "$work/cost.data")
	"$tool" --off-cpu --python "$work/cost.data" > "$work/cost.folded" 2>/dev/null || true
	read -r sw whole < <(awk '{ t += $NF; if (/<module> \(/) w += $NF }
		END { printf "%d %.1f\n", NR, t ? 100 * w / t : 0 }' "$work/cost.folded")
	n=$(perf script -i "$work/cost.data" -F event 2>/dev/null | grep -c sched_switch || true)
	printf '%-34s %8.0f %6.0f%% %10.0f %7.1f %9.0f %6s %6s%%\n' \
		"sched_switch, callchain $cg" "$rate" \
		"$(awk -v a="$plain" -v b="$rate" 'BEGIN { print 100 * (1 - b / a) }')" \
		"$(awk -v n="$n" -v s="$secs" 'BEGIN { print n / s }')" \
		"$(awk -v b="$bytes" 'BEGIN { print b / 1048576 }')" \
		"$(awk -v b="$bytes" -v n="$n" 'BEGIN { print n ? b / n : 0 }')" \
		"${lost:-0}" "$whole"
done
