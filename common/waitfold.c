/* waitfold: off-CPU and wall-clock time folded (see waitfold.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "folder.h"
#include "scriptparse.h"
#include "strutil.h"
#include "waitfold.h"

struct waitfold {
	struct folder *folder;
	struct offcpu *oc;
	bool is_wall;
	/* the sample begun is a switch-out: its interval's start */
	bool is_wait;
	enum offcpu_why wait_why;
	int32_t wait_tid;
	uint64_t wait_time;
	uint64_t last_time;
	/* each CPU's last sched_switch time (0: none yet), and whether all
	 * of a CPU's switches are recorded (waitfold__cpu_wide()) */
	uint64_t *cpu_switch;
	uint32_t nr_cpus;
	bool is_wide;
	uint32_t *held;		/* FOLDER_MAX_FRAMES + 3, reused */
	struct waitfold_stats st;
};

struct waitfold *waitfold__new(struct folder *f, bool is_wall)
{
	struct waitfold *wf = calloc(1, sizeof(*wf));

	if (!wf)
		return NULL;
	wf->folder = f;
	wf->is_wall = is_wall;
	wf->oc = offcpu__new();
	wf->held = malloc((FOLDER_MAX_FRAMES + 3) * sizeof(*wf->held));
	if (!wf->oc || !wf->held) {
		waitfold__free(wf);
		errno = ENOMEM;
		return NULL;
	}
	return wf;
}

void waitfold__free(struct waitfold *wf)
{
	if (!wf)
		return;
	offcpu__free(wf->oc);
	free(wf->cpu_switch);
	free(wf->held);
	free(wf);
}

void waitfold__time(struct waitfold *wf, uint64_t time)
{
	if (time > wf->last_time)
		wf->last_time = time;
}

/* Add a closed interval's time to its stack (a microsecond or more). */
static int add_interval(struct waitfold *wf, const struct offcpu_interval *iv)
{
	if (!iv->us)
		return 0;
	return folder__add(wf->folder, iv->ids, iv->nr, iv->us);
}

int waitfold__runs(struct waitfold *wf, int32_t tid, uint64_t time)
{
	struct offcpu_interval iv;
	int n;

	waitfold__time(wf, time);
	n = offcpu__in(wf->oc, tid, time, &iv);
	return n > 0 ? add_interval(wf, &iv) : n;
}

/* perf numbers CPUs below its MAX_NR_CPUS (4096 in 6.1); beyond this a
 * number is taken as no CPU rather than as a size to allocate */
#define WAITFOLD_MAX_CPUS 65536

/* Remember cpu's switch at time. 0 or -ENOMEM. */
static int cpu_switched(struct waitfold *wf, uint32_t cpu, uint64_t time)
{
	if (cpu >= WAITFOLD_MAX_CPUS)
		return 0;
	if (cpu >= wf->nr_cpus) {
		uint32_t nr = cpu < 64 ? 64 : cpu + 1;
		uint64_t *n = realloc(wf->cpu_switch, nr * sizeof(*n));

		if (!n)
			return -ENOMEM;
		memset(n + wf->nr_cpus, 0, (nr - wf->nr_cpus) * sizeof(*n));
		wf->cpu_switch = n;
		wf->nr_cpus = nr;
	}
	wf->cpu_switch[cpu] = time;
	return 0;
}

void waitfold__cpu_wide(struct waitfold *wf)
{
	wf->is_wide = true;
}

int waitfold__seen(struct waitfold *wf, int32_t tid, uint32_t cpu,
		   uint64_t time)
{
	struct offcpu_interval iv;
	int n;

	waitfold__time(wf, time);
	if (wf->is_wide && cpu < wf->nr_cpus && wf->cpu_switch[cpu])
		n = offcpu__in_unrecorded(wf->oc, tid, wf->cpu_switch[cpu],
					  time, &iv);
	else
		n = offcpu__in(wf->oc, tid, time, &iv);
	return n > 0 ? add_interval(wf, &iv) : n;
}

int waitfold__switch(struct waitfold *wf, uint64_t time, uint64_t period,
		     uint32_t cpu, int64_t prev, int64_t prev_state,
		     int64_t next)
{
	wf->is_wait = false;
	wf->st.nr_switches++;
	wf->st.nr_sampled_switches += period > 1;
	/* only a CPU-wide recording has the idle task's switch-outs */
	wf->is_wide |= prev == 0;
	if (cpu_switched(wf, cpu, time) < 0)
		return -ENOMEM;
	/* recorded system-wide (-a), switches say who runs next */
	if (next > 0 && next <= INT32_MAX) {
		int n = waitfold__runs(wf, (int32_t)next, time);

		if (n < 0)
			return n;
	}
	if (prev <= 0 || prev > INT32_MAX)
		return 0;	/* the idle task waits for nothing */
	wf->wait_tid = (int32_t)prev;
	wf->wait_time = time;
	wf->wait_why = offcpu__why(prev_state);
	wf->is_wait = true;
	return 1;
}

int waitfold__cpu(struct waitfold *wf, int32_t tid, uint64_t ns,
		  uint64_t *weight)
{
	wf->is_wait = false;
	if (!wf->is_wall)
		return 0;
	wf->st.on_cpu_ns += ns;
	*weight = offcpu__us(wf->oc, tid, ns);
	return *weight > 0;
}

void waitfold__skip(struct waitfold *wf, enum waitfold_skip why)
{
	wf->is_wait = false;
	if (why == WAITFOLD_UNDECODED)
		wf->st.nr_undecoded++;
	else if (why == WAITFOLD_UNKNOWN_EVENT)
		wf->st.nr_unknown_events++;
	else if (why == WAITFOLD_NOT_TIME)
		wf->st.nr_not_time++;
	else
		wf->st.nr_no_time++;
}

int waitfold__end(struct waitfold *wf)
{
	int n;

	if (!wf->is_wait)
		return folder__end(wf->folder);
	wf->is_wait = false;
	n = folder__end_wait(wf->folder, offcpu__leaf(wf->wait_why), wf->held,
			     FOLDER_MAX_FRAMES + 3);
	if (n < 0)
		return n;
	return offcpu__out(wf->oc, wf->wait_tid, wf->wait_time, wf->wait_why,
			   wf->held, (size_t)n);
}

void waitfold__exit(struct waitfold *wf, int32_t tid)
{
	offcpu__exit(wf->oc, tid);
}

int waitfold__finish(struct waitfold *wf)
{
	struct offcpu_interval iv;
	int n;

	while ((n = offcpu__finish(wf->oc, wf->last_time, &iv)) > 0)
		if ((n = add_interval(wf, &iv)) < 0)
			return n;
	return n;
}

const struct waitfold_stats *waitfold__stats(struct waitfold *wf)
{
	offcpu__stats(wf->oc, &wf->st.offcpu);
	return &wf->st;
}

void waitfold__report(const struct waitfold_stats *st, const char *name,
		      const struct diag *d)
{
	uint64_t nr = st->offcpu.nr_unrecorded_in;

	if (!nr)
		return;
	/* perf lost none of them: the kernel never wrote them */
	diag__emit(d, DIAG_WARN,
		   "'%s': %llu switch-in%s not recorded (threads ran that no "
		   "sched_switch put on the CPU: some tasks' switches are "
		   "missing): waits counted up to that CPU's last switch, "
		   "%.6f s after it not counted",
		   name, (unsigned long long)nr, nr == 1 ? "" : "s",
		   st->offcpu.ns_unrecorded / 1e9);
}

/* ---- perf script text ---- */

static bool has_prefix(struct slice s, const char *p)
{
	return strutil__mem_has_prefix(s.s, s.len, p);
}

/* An event named "cpu-clock" or "task-clock", perhaps with terms or
 * modifiers ("cpu-clock/freq=999/", "cpu-clock:ppp"). */
static bool is_clock_event(struct slice e)
{
	static const char *const names[] = {"cpu-clock", "task-clock"};
	size_t i;

	for (i = 0; i < 2; i++) {
		size_t n = strlen(names[i]);

		if (has_prefix(e, names[i]) &&
		    (e.len == n || e.s[n] == '/' || e.s[n] == ':'))
			return true;
	}
	return false;
}

/* "SYSTEM:NAME", not an event with modifiers ("cycles:ppp"). */
static bool is_tracepoint_event(struct slice e)
{
	const char *colon = memrchr(e.s, ':', e.len);
	const char *p;

	if (!colon || colon == e.s)
		return false;
	for (p = colon + 1; p < e.s + e.len; p++)
		if (!strchr("ukhIGHpPSDeWb", *p))
			return true;
	return false;
}

/* The value of "NAME=VALUE" in a tracepoint's printed fields: the first
 * such word (the last one with is_last: next_* come after prev_*, and a
 * comm may hold blanks). */
static bool field(struct slice args, const char *name, bool is_last,
		  struct slice *v)
{
	const char *end = args.s + args.len, *found = NULL, *p = args.s;
	size_t n = strlen(name);

	while (p + n < end) {
		const char *q = memmem(p, (size_t)(end - p), name, n);

		if (!q || q + n >= end)
			break;
		if ((q == args.s || q[-1] == ' ') && q[n] == '=') {
			found = q + n + 1;
			if (!is_last)
				break;
		}
		p = q + 1;
	}
	if (!found)
		return false;
	for (p = found; p < end && *p != ' '; p++)
		;
	*v = (struct slice){found, (size_t)(p - found)};
	return v->len > 0;
}

static bool int_field(struct slice args, const char *name, bool is_last,
		      int64_t *v)
{
	struct slice t;
	size_t i;

	if (!field(args, name, is_last, &t))
		return false;
	*v = 0;
	for (i = 0; i < t.len; i++) {
		if (t.s[i] < '0' || t.s[i] > '9' || *v > INT32_MAX)
			return false;
		*v = *v * 10 + (t.s[i] - '0');
	}
	return true;
}

/* prev_state as perf prints it ("S", "D", "R", "R+", "S|D", ...) in the
 * kernel's TASK_REPORT bits (offcpu.h); false for any other letter. */
static bool state_bits(struct slice t, int64_t *bits)
{
	static const char letters[] = "SDTtXZPI";
	size_t i;

	*bits = 0;
	for (i = 0; i < t.len; i++) {
		const char *l = strchr(letters, t.s[i]);

		if (t.s[i] == 'R' || t.s[i] == '+' || t.s[i] == '|')
			continue;
		if (!l || !t.s[i])
			return false;
		*bits |= 1 << (l - letters);
	}
	return true;
}

static uint32_t script_cpu(const struct script_sample *s)
{
	return s->has_cpu ? s->cpu : WAITFOLD_NO_CPU;
}

static int script_switch(struct waitfold *wf, const struct script_sample *s)
{
	int64_t prev, bits, next;
	struct slice state;

	if (!int_field(s->args, "prev_pid", false, &prev) ||
	    !field(s->args, "prev_state", false, &state) ||
	    !state_bits(state, &bits) ||
	    !int_field(s->args, "next_pid", true, &next)) {
		waitfold__skip(wf, WAITFOLD_UNDECODED);
		return 0;
	}
	return waitfold__switch(wf, s->time, s->has_period ? s->period : 1,
				script_cpu(s), prev, bits, next);
}

int waitfold__script(struct waitfold *wf, const struct script_sample *s,
		     uint64_t *weight)
{
	int64_t tid = 0;
	size_t i;
	int n;

	wf->is_wait = false;
	if (!s->has_time) {
		waitfold__skip(wf, WAITFOLD_NO_TIME);
		return 0;
	}
	/* all digits or "-1" (scriptparse), perhaps more than a tid holds */
	if (s->tid.len && s->tid.s[0] == '-')
		tid = -1;
	for (i = 0; tid >= 0 && i < s->tid.len && tid <= INT32_MAX; i++)
		tid = tid * 10 + (s->tid.s[i] - '0');
	if (tid > INT32_MAX) {
		waitfold__skip(wf, WAITFOLD_UNDECODED);
		return 0;
	}
	/* records, not samples (--show-switch-events, --show-task-events):
	 * "PERF_RECORD_SWITCH IN", system-wide "PERF_RECORD_SWITCH_CPU_WIDE
	 * IN  prev pid/tid: ...", "PERF_RECORD_EXIT(...)" */
	if (s->is_record) {
		const char *end = s->args.s + s->args.len;
		const char *p = memchr(s->args.s, ' ', s->args.len);

		waitfold__time(wf, s->time);
		while (p && p < end && *p == ' ')
			p++;
		if (tid >= 0 && has_prefix(s->args, "PERF_RECORD_SWITCH") &&
		    p && end - p >= 2 && !memcmp(p, "IN", 2))
			return waitfold__runs(wf, (int32_t)tid, s->time);
		return 0;
	}
	/* a thread with a sample is running: it is off the CPU no more
	 * (its switch-in, if any, came first); perf knew no thread for -1 */
	if (tid >= 0 &&
	    (n = waitfold__seen(wf, (int32_t)tid, script_cpu(s), s->time)) < 0)
		return n;
	/* an exiting task's last switch (-1) is still its next_pid's
	 * switch-in; --wall folds an unknown thread's CPU time as -1's */
	if (has_prefix(s->event, "sched:sched_switch") &&
	    s->event.len == strlen("sched:sched_switch"))
		return script_switch(wf, s);
	if (is_tracepoint_event(s->event))
		return 0;
	if (!wf->is_wall)
		return 0;
	if (!is_clock_event(s->event) || !s->has_period) {
		waitfold__skip(wf, WAITFOLD_NOT_TIME);
		return 0;
	}
	return waitfold__cpu(wf, (int32_t)tid, s->period, weight);
}
