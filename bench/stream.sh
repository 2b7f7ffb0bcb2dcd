#!/usr/bin/env bash
# Streaming: `perf record -o - | perf2folded` on busy Python programs
# (bench/busy.py) as flamerun records them (999 Hz, --call-graph
# dwarf,65528, PYTHONPERFSUPPORT=1 so that forked workers have perf maps),
# one row per run: samples, samples perf lost, perf2folded's CPU seconds
# per recorded second, its peak RSS, the pipe's throughput (MB per
# recorded second) and the most it held unread when perf2folded came to
# read it (below the pipe's size, 1 MB unprivileged: perf never waited
# for perf2folded; perf2folded -v says both), the peak disk
# use of TMPDIR and the output directory, the share of the program's CPU
# time (os.times(), children included) in the graph, the share of the
# busy function's samples whose Python stack is whole (reaches <module> or
# a thread's _bootstrap), the processes seen (root frames comm-PID), and
# the load average before and after (the machine is shared).
#
# usage: bench/stream.sh [SECONDS...]   (default 60; e.g. 60 600)
#   CONFIGS="1t 2t 8t 4p" picks the programs: N busy threads (Nt) or N
#   forked workers (Np). MMAP=PAGES passes perf record -m PAGES.
#   SINK=file: the control, perf writing its pipe format to a file in
#   TMPDIR (no reader to wait for), converted once the recording ends:
#   its lost samples are what the machine's load costs without us.
set -euo pipefail
source "$(dirname "$0")/common.sh"
py=$(scripts/find-python 12)
secs_list=("${@:-60}")
configs=(${CONFIGS:-1t 2t 8t 4p})

# monitor DIR: until DIR/running goes, the peak disk use (KB) of DIR/tmp
# and DIR/out
monitor() {
	local dir=$1 peak=0 kb
	while [ -e "$dir/running" ]; do
		kb=$(du -sk "$dir/tmp" "$dir/out" | awk '{ s += $1 } END { print s }')
		[ "$kb" -gt "$peak" ] && peak=$kb
		sleep 1
	done
	echo "$peak" > "$dir/monitor"
}

convert() {	# convert DIR: perf2folded on DIR/tmp/pipe, timed
	TMPDIR=$1/tmp /usr/bin/time -o "$1/time" -f '%U %S %M %e' \
		"$tool" --python --pid -v "$1/tmp/pipe" \
		> "$1/out/out.folded" 2> "$1/p2f.err"
}

run() {	# run SECONDS CONFIG
	local secs=$1 cfg=$2 n=${2%[tp]} mode dir load0 load1 p2f=
	[ "${cfg: -1}" = p ] && mode=--procs || mode=--threads
	dir=$work/stream/$cfg-$secs${SINK:+-$SINK}
	rm -rf "$dir"
	mkdir -p "$dir/tmp" "$dir/out"
	touch "$dir/running"
	load0=$(cut -d' ' -f1 /proc/loadavg)
	# perf's pipe, a FIFO: perf2folded reads it live (SINK=file: a file,
	# read after the recording)
	if [ "${SINK:-}" = file ]; then
		: > "$dir/tmp/pipe"
	else
		mkfifo "$dir/tmp/pipe"
		convert "$dir" &
		p2f=$!
		monitor "$dir" &
	fi
	TMPDIR=$dir/tmp PYTHONPERFSUPPORT=1 perf record -q -F 999 \
		${MMAP:+-m "$MMAP"} --call-graph dwarf,65528 -o - -- \
		"$py" bench/busy.py "$secs" "$dir/cpu" "$mode" "$n" \
		2> "$dir/perf.err" > "$dir/tmp/pipe"
	if [ "${SINK:-}" = file ]; then
		du -sk "$dir/tmp" | awk '{ print $1 }' > "$dir/monitor"
		convert "$dir" &
		p2f=$!
	fi
	wait "$p2f" || true
	rm "$dir/running"
	wait
	load1=$(cut -d' ' -f1 /proc/loadavg)
	awk -v secs="$secs" -v cfg="$cfg" -v cpu="$(cat "$dir/cpu")" \
	    -v load="$load0/$load1" \
	    -v time="$(cat "$dir/time")" -v mon="$(cat "$dir/monitor")" \
	    -v err="$(cat "$dir/p2f.err")" '
		{ w = $NF; total += w }
		/spin \(/ { spin += w; if (/<module> \(|_bootstrap \(/) whole += w
			    split($0, f, ";"); roots[f[1]] = 1 }
		END {
			split(time, t, " ")
			lost = 0; samples = 0; mb = 0; unread = 0
			if (match(err, /[0-9.]+ MB through a pipe/))
				mb = substr(err, RSTART, RLENGTH - 18) + 0
			if (match(err, /at most [0-9]+ KB/))
				unread = substr(err, RSTART + 8, RLENGTH - 11) + 0
			if (match(err, /perf lost [0-9]+ samples/))
				lost = substr(err, RSTART + 10, RLENGTH - 18) + 0
			if (match(err, /[0-9]+ samples, /))
				samples = substr(err, RSTART, RLENGTH - 10) + 0
			nroots = 0; for (r in roots) nroots++
			printf "%-4s %5d %8d %6d %6.2f%% %8.4f %7.1f %7.1f %7d %8d %6.1f%% %6.1f%% %5d  %s\n",
			    cfg, secs, samples, lost,
			    100 * lost / (samples + lost > 0 ? samples + lost : 1),
			    (t[1] + t[2]) / secs, t[3] / 1024,
			    mb / secs, unread, mon,
			    100 * total / 1e9 / cpu,
			    100 * (spin ? whole / spin : 0), nroots, load
		}' "$dir/out/out.folded"
	rm -rf "$dir/tmp/pipe"
}

if [ "${SINK:-}" = file ]; then
	how="> FILE, then perf2folded --python --pid FILE"
else
	how="| perf2folded --python --pid"
fi
echo "$py, perf record -F 999 --call-graph dwarf,65528${MMAP:+ -m $MMAP} -o - $how"
printf '%-4s %5s %8s %6s %7s %8s %7s %7s %7s %8s %7s %7s %5s  %s\n' prog secs samples lost lost% \
	cpu/s rss_MB pipeMB/s unread_KB disk_KB in_graph whole procs load1_before/after
for secs in "${secs_list[@]}"; do
	for cfg in "${configs[@]}"; do
		run "$secs" "$cfg"
	done
done
