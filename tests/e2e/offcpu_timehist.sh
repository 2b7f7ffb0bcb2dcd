#!/bin/sh
# e2e: per-thread off-CPU totals of --off-cpu against perf's own
# accounting, `perf sched timehist`, on one system-wide recording of
# samples/waits.py. timehist prints a row per switch-out of a task:
#   wait time  from the task's previous switch-out to this run's switch-in
#              (sleep, I/O or preempted: the whole time off the CPU)
#   sch delay  from its wakeup to that switch-in: a part of wait time
#   run time   from the switch-in to this switch-out
# so a thread's wait-time column adds up to the intervals perf2folded
# counts (switch-out to the next switch-in), and wait + sch delay would
# count the delays twice. Known differences, asserted as such:
# - a thread's last run: the sched_switch that ends it (prev_state X) is
#   a sample of tid -1 once the thread is gone, so timehist prints no row
#   for it, and the wait before that run is missing from its total; the
#   correction is that interval, read from perf script's sched_switch
#   lines (the last switch-in naming the thread, and its switch-out
#   before).
# - a new task's first sch delay (from wakeup_new) has no switch-out
#   before it: in neither total (timehist shows it as delay, wait 0).
# - switches never written (the kernel wrote none for some tasks: on the
#   VM this was written on, pid 1's threads) leave a thread put back on
#   its CPU with no switch naming it: both end that wait at the CPU's last
#   switch recorded (timehist's tprev), and perf2folded says how many and
#   how much time after it was not counted (ending it at the thread's
#   next sample instead once put the main thread 5.4% above timehist).
#   The test finds those itself: each time a thread of the program ran
#   (any sample of it) with no switch putting it back since it left,
#   perf2folded must have counted it, and the CPUs' switches must show a
#   gap (a switch-out of a task the CPU's last switch did not put on it).
# Each thread of the program: ours within 0.1% (and 1 ms) of timehist's
# plus the correction. Fails (not skips) when perf or python3.12 is
# missing.
# usage: offcpu_timehist.sh PERF2FOLDED SOURCE_ROOT
set -eu
p2f=$(realpath "$1") root=$(realpath "$2")
command -v perf >/dev/null || { echo "offcpu_timehist: perf not found" >&2; exit 1; }
py=$("$root/scripts/find-python" 12) || { echo "offcpu_timehist: no python3.12" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
# system-wide, as timehist needs; no stacks, so that nothing is lost
perf record -q -a -m 1024 -o th.data -e sched:sched_switch \
	-e sched:sched_wakeup -e sched:sched_wakeup_new -- \
	sh -c 'echo $$ > pid; exec "$0" "$1" 0.3' "$py" "$root/samples/waits.py" \
	>/dev/null 2>perf.err ||
	{ cat perf.err >&2; echo "offcpu_timehist: perf record failed" >&2; exit 1; }
"$p2f" -v --off-cpu --tid th.data > ours.folded 2> p2f.err ||
	{ cat p2f.err >&2; echo "offcpu_timehist: perf2folded failed" >&2; exit 1; }
perf sched timehist -i th.data > timehist.txt 2>/dev/null ||
	{ echo "offcpu_timehist: perf sched timehist failed" >&2; exit 1; }
perf script -i th.data -F tid,cpu,time,event,trace > switches.txt 2>/dev/null ||
	{ echo "offcpu_timehist: perf script failed" >&2; exit 1; }
if grep -q 'lost' p2f.err; then
	# the totals are then estimates on both sides: say so, and fail
	cat p2f.err >&2; echo "offcpu_timehist: events lost while recording" >&2; exit 1
fi
python3 - "$(cat pid)" <<'PY'
import collections, re, sys
pid = int(sys.argv[1])
ours = collections.Counter()
for line in open("ours.folded"):
    stack, w = line.rsplit(" ", 1)
    m = re.match(r".*?-(\d+)/(\d+)(;|$)", stack)
    if m and int(m.group(1)) == pid:
        ours[int(m.group(2))] += int(w)
wait, delay = collections.Counter(), collections.Counter()
row = re.compile(r"\s*[\d.]+\s+\[\d+\]\s+.*?\[(\d+)(?:/(\d+))?\]\s+"
                 r"([\d.]+)\s+([\d.]+)\s+([\d.]+)")
for line in open("timehist.txt"):
    m = row.match(line)
    if m:
        wait[int(m.group(1))] += round(float(m.group(3)) * 1000)
        delay[int(m.group(1))] += round(float(m.group(4)) * 1000)
# per thread: its switch-outs and switch-ins, and who the samples were
# of; per CPU: who its last switch put on it, and the gaps where a switch
# was not written; the program's threads run with no switch putting them
# back (waiting: left, not dead, not put back since)
outs, ins, last_out_tid, on_cpu, waiting = {}, {}, {}, {}, set()
gaps = unrecorded = 0
sample = re.compile(r"\s*(-?\d+)\s+\[(\d+)\]\s+(\d+)\.(\d+):\s+(\S+):")
sw = re.compile(r".*prev_pid=(\d+) .*prev_state=(\S+) ==> .*next_pid=(\d+) ")
for line in open("switches.txt"):
    m = sample.match(line)
    if not m:
        continue
    tid, cpu = int(m.group(1)), int(m.group(2))
    us = int(m.group(3)) * 1_000_000 + int(m.group(4))
    if tid in waiting and tid in ours and cpu in on_cpu:
        unrecorded += 1
    waiting.discard(tid)
    if m.group(5) != "sched:sched_switch":
        continue
    m = sw.match(line)
    prev, state, nxt = int(m.group(1)), m.group(2), int(m.group(3))
    gaps += cpu in on_cpu and on_cpu[cpu] != prev
    on_cpu[cpu] = nxt
    outs.setdefault(prev, []).append(us)
    last_out_tid[prev] = (tid, state)
    ins.setdefault(nxt, []).append(us)
    waiting.discard(nxt)
    if prev and state not in ("X", "Z"):
        waiting.add(prev)
said = re.search(r"'th.data': (\d+) switch-ins? not recorded .*, "
                 r"([\d.]+) s after it not counted", open("p2f.err").read())
print(f"offcpu_timehist: {gaps} switches on a CPU their task was not put "
      f"on; the program's threads ran {unrecorded} times with no switch "
      f"putting them back; perf2folded: "
      f"{said.group(0) if said else 'no switch-in missing'}")
ok = bool(ours)
if unrecorded and (not said or int(said.group(1)) < unrecorded or not gaps):
    print("offcpu_timehist: switch-ins missing, not (all) said")
    ok = False
for tid in sorted(ours):
    correction = 0
    sample_tid, state = last_out_tid.get(tid, (tid, ""))
    if sample_tid == -1 and state in ("X", "Z") and ins.get(tid):
        last_in = ins[tid][-1]
        before = [t for t in outs[tid] if t < last_in]
        correction = last_in - before[-1] if before else 0
    want = wait[tid] + correction
    diff = ours[tid] - want
    good = abs(diff) <= max(1000, want / 1000)
    print(f"offcpu_timehist: thread {tid}: ours {ours[tid]} us, timehist "
          f"wait {wait[tid]} us + {correction} us (its last wait, no row) "
          f"= {want}: {100.0 * diff / want if want else 0:+.3f}% "
          f"(wait + sch delay would be {wait[tid] + delay[tid]})")
    ok &= good
sys.exit(0 if ok else 1)
PY
