/* Unit tests for common/waitfold: perf script text read for --off-cpu and
 * --wall, through scriptparse and the folder, exact weights. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folder.h"
#include "scriptparse.h"
#include "waitfold.h"

struct run {
	struct folder *f;
	struct waitfold *wf;
};

/* As perf2folded's text path: each sample through waitfold. */
static int fold(void *ctx, const struct script_sample *s)
{
	struct run *r = ctx;
	const struct folder_who who = {
		.comm = s->comm, .pid = s->pid, .tid = s->tid,
	};
	struct slice none = {"", 0};
	uint64_t weight = 0;
	size_t i;
	int n = waitfold__script(r->wf, s, &weight);

	if (n <= 0)
		return n;
	ck_assert(folder__begin(r->f, &who, none, weight, true));
	for (i = 0; i < s->nr_frames; i++)
		ck_assert_int_eq(folder__frame(r->f, &s->frames[i]), 0);
	return waitfold__end(r->wf);
}

/* Fold text; the folded output (to free) and the stats in *st. */
static char *run_text(const char *text, bool is_wall,
		      struct waitfold_stats *st)
{
	struct folder_opts fo = {.threads = true};
	struct run r = {folder__new(&fo), NULL};
	struct scriptparse *sp = scriptparse__new(NULL, "t");
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	ck_assert_ptr_nonnull(r.f);
	r.wf = waitfold__new(r.f, is_wall);
	ck_assert_ptr_nonnull(r.wf);
	ck_assert_int_eq(scriptparse__read_mem(sp, text, strlen(text), fold, &r),
			 0);
	ck_assert_int_eq(waitfold__finish(r.wf), 0);
	*st = *waitfold__stats(r.wf);
	out = open_memstream(&buf, &len);
	ck_assert_int_eq(folder__write(r.f, out), 0);
	fclose(out);
	waitfold__free(r.wf);
	scriptparse__free(sp);
	folder__free(r.f);
	return buf;
}

#define SWITCH(comm, tid, time, state, next)                                  \
	comm " 1/" tid " " time ":          1  sched:sched_switch: "           \
	"prev_comm=" comm " prev_pid=" tid " prev_prio=120 prev_state=" state  \
	" ==> next_comm=x next_pid=" next " next_prio=120\n"

/* Switch-outs closed by a switch-in record, by a system-wide switch
 * naming the thread next, by the thread's next sample, and at the end; a
 * comm with blanks and "=", prev_state's forms; times in us and in ns. */
START_TEST(test_text_switches)
{
	struct waitfold_stats st;
	char *text = run_text(
	    SWITCH("a b=c", "2", "10.000100", "S", "0")
	    "\t1000 nap (/p)\n\n"
	    "a b=c 1/2 10.002600: PERF_RECORD_SWITCH IN        \n"
	    SWITCH("w", "3", "10.003000", "D|S", "0")
	    "\t1000 io (/p)\n\n"
	    /* system-wide: 3 runs next on another CPU, 1.5 ms later */
	    SWITCH("x", "9", "10.004500000", "R+", "3")
	    "\t1000 other (/p)\n\n"
	    SWITCH("w", "3", "10.005000", "R", "0")
	    "\t1000 preempted (/p)\n\n"
	    /* the thread's next sample: 0.25 ms later */
	    "w 1/3 10.005250:     250000 cpu-clock:ppp: \n\t1000 run (/p)\n\n"
	    /* an exiting thread's last switch opens nothing */
	    SWITCH("e", "5", "10.006000", "X", "0")
	    "\t1000 exit (/p)\n\n"
	    SWITCH("a b=c", "2", "10.007000", "S", "0")
	    "\t1000 nap (/p)\n\n"
	    "a b=c 1/2 10.009000: PERF_RECORD_SWITCH OUT       \n",
	    false, &st);

	/* 2: 2.5 ms, and 2 ms open at the end; 9: open from 10.0045 */
	ck_assert_str_eq(text,
			 "a_b=c;thread 2 (a b=c);nap;[off-cpu: sleep] 4500\n"
			 "w;thread 3 (w);io;[off-cpu: sleep] 1500\n"
			 "w;thread 3 (w);preempted;[off-cpu: runnable] 250\n"
			 "x;thread 9 (x);other;[off-cpu: runnable] 4500\n");
	ck_assert_uint_eq(st.nr_switches, 6);
	ck_assert_uint_eq(st.offcpu.nr_opened, 5);
	ck_assert_uint_eq(st.offcpu.nr_closed, 3);
	ck_assert_uint_eq(st.offcpu.nr_open_at_end, 2);
	ck_assert_uint_eq(st.offcpu.nr_exited, 1);
	ck_assert_uint_eq(st.offcpu.ns[OFFCPU_SLEEP], 6000000);
	ck_assert_uint_eq(st.on_cpu_ns, 0);
	free(text);
}
END_TEST

/* A system-wide switch on a CPU ("[000]" printed) */
#define SWITCH_ON(comm, tid, cpu, time, state, next)                          \
	comm " " tid "/" tid " [" cpu "] " time ": sched:sched_switch: "        \
	"prev_comm=" comm " prev_pid=" tid " prev_prio=120 prev_state=" state  \
	" ==> next_comm=x next_pid=" next " next_prio=120\n"

/* A system-wide recording missing the switch that put a thread back on
 * its CPU (a task whose own switches were not recorded ran between):
 * its wait ends at the CPU's last recorded switch, not at its next
 * sample; the time between is counted apart. */
static const char missing_switch_in[] =
    SWITCH_ON("swapper/0", "0", "000", "10.000000", "R", "7")
    /* 7 preempted at 1 ms; 8 runs, sleeps at 1.5 ms and hands the CPU to
     * 9, whose switch back to 7 is missing */
    SWITCH_ON("p", "7", "000", "10.001000", "R", "8")
    "\t1000 spin (/p)\n\n"
    SWITCH_ON("k", "8", "000", "10.001500", "S", "9")
    "\t1000 nap (/k)\n\n"
    /* 7 runs at 4 ms, on CPU 0, whose last switch put 9 on it */
    "p 7/7 [000] 10.004000: sched:sched_wakeup: comm=k pid=8\n\n"
    SWITCH_ON("p", "7", "000", "10.005000", "S", "0")
    "\t1000 spin (/p)\n\n"
    SWITCH_ON("swapper/0", "0", "000", "10.005500", "R", "7")
    "p 7/7 [000] 10.007000: sched:sched_wakeup: comm=k pid=8\n\n";

START_TEST(test_text_switch_in_missing)
{
	struct waitfold_stats st;
	char *text = run_text(missing_switch_in, false, &st);

	/* 7: 1 to 1.5 ms (the 2.5 ms after it unknown), then 5 to 5.5 ms;
	 * 8 open at the end, 1.5 to 7 ms */
	ck_assert_str_eq(text,
			 "k;thread 8 (k);nap;[off-cpu: sleep] 5500\n"
			 "p;thread 7 (p);spin;[off-cpu: runnable] 500\n"
			 "p;thread 7 (p);spin;[off-cpu: sleep] 500\n");
	ck_assert_uint_eq(st.offcpu.nr_unrecorded_in, 1);
	ck_assert_uint_eq(st.offcpu.ns_unrecorded, 2500000);
	ck_assert_uint_eq(st.offcpu.nr_closed, 2);
	free(text);
}
END_TEST

/* Recorded for the program alone (no idle task's switches), a thread's
 * next sample is the only end its wait has: there, not at the CPU's last
 * switch. */
START_TEST(test_text_switch_in_per_task)
{
	struct waitfold_stats st;
	char *text = run_text(
	    SWITCH_ON("p", "7", "000", "10.001000", "R", "8")
	    "\t1000 spin (/p)\n\n"
	    SWITCH_ON("q", "6", "000", "10.001500", "S", "9")
	    "\t1000 nap (/q)\n\n"
	    "p 7/7 [000] 10.004000: sched:sched_wakeup: comm=k pid=8\n\n",
	    false, &st);

	ck_assert_str_eq(text,
			 "p;thread 7 (p);spin;[off-cpu: runnable] 3000\n"
			 "q;thread 6 (q);nap;[off-cpu: sleep] 2500\n");
	ck_assert_uint_eq(st.offcpu.nr_unrecorded_in, 0);
	free(text);
}
END_TEST

/* --wall: clock samples as their periods; other events, lines without
 * the fields or the time, counted; records (an EXIT) not samples. */
START_TEST(test_text_wall_and_skips)
{
	struct waitfold_stats st;
	char *text = run_text(
	    "w 1/3 10.000100:     250700 cpu-clock/freq=999/: \n"
	    "\t1000 run (/p)\n\n"
	    "w 1/3 10.000200:     250300 task-clock: \n\t1000 run (/p)\n\n"
	    "w 1/3 10.000300:     100 cycles:ppp: \n\t1000 run (/p)\n\n"
	    "w 1/3 10.000400:     1 sched:sched_wakeup: comm=x pid=4\n\n"
	    "w 1/3 10.000500:     1 sched:sched_switch: prev_pid=3 "
	    "prev_state=S\n\n"
	    SWITCH("w", "3", "10.000600", "Q", "0")
	    "w 1/3 cpu-clock: \n\t1000 run (/p)\n\n"
	    "w 1/3 10.000700: PERF_RECORD_EXIT(1:3):(1:1)\n"
	    "w 1/99999999999 10.000800:     250000 cpu-clock: \n"
	    "\t1000 run (/p)\n\n",
	    true, &st);

	ck_assert_str_eq(text, "w;thread 3 (w);run 501\n");
	ck_assert_uint_eq(st.on_cpu_ns, 501000);
	ck_assert_uint_eq(st.nr_not_time, 1);
	ck_assert_uint_eq(st.nr_undecoded, 3);	/* and the tid too long */
	ck_assert_uint_eq(st.nr_no_time, 1);
	ck_assert_uint_eq(st.nr_switches, 0);
	free(text);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("waitfold");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_text_switches);
	tcase_add_test(tc, test_text_wall_and_skips);
	tcase_add_test(tc, test_text_switch_in_missing);
	tcase_add_test(tc, test_text_switch_in_per_task);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
