/* Unit tests for common/scriptparse: headers, frames, sample boundaries. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scriptparse.h"

#define MAX_SEEN 16

struct seen {
	int nr;
	char comm[MAX_SEEN][64], pid[MAX_SEEN][16], tid[MAX_SEEN][16];
	char event[MAX_SEEN][64];
	uint64_t period[MAX_SEEN];
	int has_period[MAX_SEEN];
	size_t nr_frames[MAX_SEEN];
	char leaf_sym[MAX_SEEN][128], leaf_dso[MAX_SEEN][128];
	char leaf_pc[MAX_SEEN][32];
	char args[MAX_SEEN][160];
	uint64_t time[MAX_SEEN];
	int has_time[MAX_SEEN];
	int cpu[MAX_SEEN];	/* -1: none */
	int is_record[MAX_SEEN];
};

static void copy(char *dst, size_t cap, struct slice s)
{
	snprintf(dst, cap, "%.*s", (int)s.len, s.s);
}

static int record(void *ctx, const struct script_sample *s)
{
	struct seen *w = ctx;
	int i = w->nr++;

	ck_assert_int_lt(i, MAX_SEEN);
	copy(w->comm[i], 64, s->comm);
	copy(w->pid[i], 16, s->pid);
	copy(w->tid[i], 16, s->tid);
	copy(w->event[i], 64, s->event);
	w->period[i] = s->period;
	w->has_period[i] = s->has_period;
	w->nr_frames[i] = s->nr_frames;
	copy(w->args[i], 160, s->args);
	w->time[i] = s->time;
	w->has_time[i] = s->has_time;
	w->cpu[i] = s->has_cpu ? (int)s->cpu : -1;
	w->is_record[i] = s->is_record;
	if (s->nr_frames) {
		copy(w->leaf_sym[i], 128, s->frames[0].sym);
		copy(w->leaf_dso[i], 128, s->frames[0].dso);
		copy(w->leaf_pc[i], 32, s->frames[0].pc);
	}
	return 0;
}

static struct scriptparse *parse(const char *text, struct seen *w)
{
	struct scriptparse *sp = scriptparse__new(NULL, "test");

	memset(w, 0, sizeof(*w));
	ck_assert_int_eq(scriptparse__read_mem(sp, text, strlen(text), record, w), 0);
	return sp;
}

START_TEST(test_header_shapes)
{
	struct seen w;
	struct scriptparse *sp = parse(
		"java 25607 4794564.109216: 1 cycles:\n\tffff a (b)\n\n"
		"V8 WorkerThread 24636/25607 [000] 94564.109216: 100 cycles:u:\n"
		"\tffff a (b)\n\n"
		"func_ab 15294 cpu-clock: \n\t400570 func_b (/x)\n\n"
		"    python3.12 10671  5533.967465:    1001001 cpu-clock:ppp:\n"
		"\t7f53 py::f:/p.py+0x0 (/tmp/perf-10671.map)\n\n"
		"perf 1/2 [001] 1.5: sched:sched_switch: prev_comm=perf prev_pid=1\n"
		"\tffff __schedule+0x1 ([kernel.kallsyms])\n", &w);

	ck_assert_int_eq(w.nr, 5);
	ck_assert_str_eq(w.comm[0], "java");
	ck_assert_str_eq(w.pid[0], "");
	ck_assert_str_eq(w.tid[0], "25607");
	ck_assert_str_eq(w.event[0], "cycles");
	ck_assert_int_eq(w.has_period[0], 1);
	ck_assert_uint_eq(w.period[0], 1);
	ck_assert_str_eq(w.comm[1], "V8 WorkerThread");
	ck_assert_str_eq(w.pid[1], "24636");
	ck_assert_str_eq(w.tid[1], "25607");
	ck_assert_str_eq(w.event[1], "cycles:u");
	ck_assert_uint_eq(w.period[1], 100);
	ck_assert_int_eq(w.cpu[0], -1);
	ck_assert_int_eq(w.cpu[1], 0);
	ck_assert_int_eq(w.cpu[4], 1);
	ck_assert_str_eq(w.comm[2], "func_ab");
	ck_assert_str_eq(w.event[2], "cpu-clock");
	ck_assert_int_eq(w.has_period[2], 0);
	/* right-aligned comm, event with ':' in it */
	ck_assert_str_eq(w.comm[3], "python3.12");
	ck_assert_str_eq(w.event[3], "cpu-clock:ppp");
	ck_assert_uint_eq(w.period[3], 1001001);
	ck_assert_str_eq(w.leaf_sym[3], "py::f:/p.py");
	ck_assert_str_eq(w.leaf_dso[3], "/tmp/perf-10671.map");
	/* tracepoint with arguments, last sample without a blank line */
	ck_assert_str_eq(w.event[4], "sched:sched_switch");
	ck_assert_str_eq(w.leaf_sym[4], "__schedule");
	ck_assert_uint_eq(scriptparse__stats(sp)->nr_bad_lines, 0);
	scriptparse__free(sp);
}
END_TEST

/* perf prints a task it no longer knows (one that exited) as ":-1" and
 * pid or tid -1; any other sign is no pid */
START_TEST(test_unknown_task)
{
	struct seen w;
	struct scriptparse *sp = parse(
		"  :-1  -1/-1  [001] 2.5: 1 sched:sched_switch: prev_pid=7\n"
		"\tffff __schedule+0x1 ([kernel.kallsyms])\n\n"
		"  :-1  3689/-1  [000] 2.6: 250000 cpu-clock:\n\tffff a (b)\n\n"
		"x -2/-2 [000] 2.7: 1 cpu-clock:\n\n"
		"y -12/-12 [000] 2.8: 1 cpu-clock:\n\n", &w);

	ck_assert_int_eq(w.nr, 2);
	ck_assert_str_eq(w.comm[0], ":-1");
	ck_assert_str_eq(w.pid[0], "-1");
	ck_assert_str_eq(w.tid[0], "-1");
	ck_assert_int_eq(w.cpu[0], 1);
	ck_assert_str_eq(w.event[0], "sched:sched_switch");
	ck_assert_str_eq(w.pid[1], "3689");
	ck_assert_str_eq(w.tid[1], "-1");
	ck_assert_uint_eq(w.period[1], 250000);
	ck_assert_uint_eq(scriptparse__stats(sp)->nr_bad_lines, 2);
	scriptparse__free(sp);
}
END_TEST

/* --off-cpu and --wall read the time in ns (microseconds printed, or ns
 * with --ns), a tracepoint's fields and switch records' words. */
START_TEST(test_time_and_args)
{
	struct seen w;
	struct scriptparse *sp = parse(
		"python3.12 15923/15923  9767.434750:          1  "
		"sched:sched_switch: prev_comm=python3.12 prev_pid=15923 "
		"prev_prio=120 prev_state=D ==> next_comm=bash next_pid=12292 "
		"next_prio=120\n\tffff __schedule ([kernel.kallsyms])\n\n"
		"python3.12 15923/15923  9767.434860: PERF_RECORD_SWITCH IN   \n"
		"python3.12 15923/15923  9767.435360123:    1001001 cpu-clock: \n"
		"\t1b60a8 f (/x)\n\n"
		"prog 7 cpu-clock: \n\t1b60a8 f (/x)\n", &w);

	ck_assert_int_eq(w.nr, 4);
	ck_assert_int_eq(w.has_time[0], 1);
	ck_assert_uint_eq(w.time[0], 9767434750000ull);
	ck_assert_str_eq(w.event[0], "sched:sched_switch");
	ck_assert_str_eq(w.args[0], "prev_comm=python3.12 prev_pid=15923 "
			 "prev_prio=120 prev_state=D ==> next_comm=bash "
			 "next_pid=12292 next_prio=120");
	ck_assert_str_eq(w.event[1], "");
	ck_assert_str_eq(w.args[1], "PERF_RECORD_SWITCH IN");
	ck_assert_int_eq(w.is_record[0], 0);
	ck_assert_int_eq(w.is_record[1], 1);
	ck_assert_int_eq(w.is_record[2], 0);
	ck_assert_uint_eq(w.time[1], 9767434860000ull);
	ck_assert_uint_eq(w.time[2], 9767435360123ull);
	ck_assert_str_eq(w.args[2], "");
	ck_assert_uint_eq(w.period[2], 1001001);
	ck_assert_int_eq(w.has_time[3], 0);
	scriptparse__free(sp);
}
END_TEST

START_TEST(test_frame_shapes)
{
	struct seen w;
	struct scriptparse *sp = parse(
		"a 1 1.0: c:\n"
		"\t7f00 std::function<void (int)>::operator()(int) const+0x1f (/lib/libx.so (deleted))\n\n"
		"a 1 1.0: c:\n\t7f1e2215d058  (/lib/libc-2.15.so)\n\n"
		"a 1 1.0: c:\n\t281482 _PyFrame_Initialize+0x72 (inlined)\n\n"
		"a 1 1.0: c:\n\t0 [unknown] ([unknown])\n\n"
		"a 1 1.0: c:\n\t10 (anonymous namespace)::f+0xzz (/b)\n", &w);

	ck_assert_int_eq(w.nr, 5);
	ck_assert_str_eq(w.leaf_sym[0], "std::function<void (int)>::operator()(int) const");
	ck_assert_str_eq(w.leaf_dso[0], "/lib/libx.so (deleted)");
	ck_assert_str_eq(w.leaf_pc[0], "7f00");
	ck_assert_str_eq(w.leaf_sym[1], "");
	ck_assert_str_eq(w.leaf_dso[1], "/lib/libc-2.15.so");
	ck_assert_str_eq(w.leaf_sym[2], "_PyFrame_Initialize");
	ck_assert_str_eq(w.leaf_dso[2], "inlined");
	ck_assert_str_eq(w.leaf_sym[3], "[unknown]");
	/* "+0xzz" is not an offset: kept */
	ck_assert_str_eq(w.leaf_sym[4], "(anonymous namespace)::f+0xzz");
	scriptparse__free(sp);
}
END_TEST

START_TEST(test_bad_lines_counted)
{
	struct seen w;
	struct scriptparse *sp = parse(
		"# comment\n"
		"\t7f00 orphan (/x)\n"
		"garbage without shape\n"
		"a 1 1.0: c:\n\t7f00 f (/x)\n   \n\t7f01 g (/x)\n\n", &w);

	ck_assert_int_eq(w.nr, 1);
	ck_assert_uint_eq(w.nr_frames[0], 2);
	/* orphan frame, garbage, whitespace-only line */
	ck_assert_uint_eq(scriptparse__stats(sp)->nr_bad_lines, 3);
	ck_assert_uint_eq(scriptparse__stats(sp)->nr_orphan_frames, 1);
	scriptparse__free(sp);
}
END_TEST

/* A header right after a sample ends it, as does the end of input. */
START_TEST(test_boundaries_without_blank_lines)
{
	struct seen w;
	struct scriptparse *sp = parse(
		"a 1 1.0: c:\n\t1 f (/x)\nb 2 2.0: c:\n\t2 g (/x)\n\t3 h (/x)", &w);

	ck_assert_int_eq(w.nr, 2);
	ck_assert_str_eq(w.comm[1], "b");
	ck_assert_uint_eq(w.nr_frames[1], 2);
	scriptparse__free(sp);
}
END_TEST

struct counted {
	int nr;
	int bad;
};

/* Checks every sample of the generated text: "prog N", two frames. */
static int check_generated(void *ctx, const struct script_sample *s)
{
	struct counted *c = ctx;
	char want[32];
	int n;

	n = snprintf(want, sizeof(want), "func%d", c->nr % 7);
	if (s->comm.len != 4 || memcmp(s->comm.s, "prog", 4) ||
	    s->nr_frames != 2 || s->frames[0].sym.len != (size_t)n ||
	    memcmp(s->frames[0].sym.s, want, (size_t)n) ||
	    s->frames[1].dso.len != 9 || memcmp(s->frames[1].dso.s, "/bin/prog", 9))
		c->bad++;
	c->nr++;
	return 0;
}

/* Samples that straddle read blocks come out whole: a text larger than
 * the parser's buffer, read from a file after a one-byte sniffed prefix. */
START_TEST(test_read_fd_large)
{
	struct scriptparse *sp = scriptparse__new(NULL, "file");
	struct counted c = {0, 0};
	char path[] = "/tmp/perffold-test-XXXXXX";
	int fd = mkstemp(path), i;
	FILE *f = fdopen(dup(fd), "w");
	const int nr = 200000;

	for (i = 0; i < nr; i++)
		fprintf(f, "%sprog %d %d.000001: 10 cycles:\n\t%x func%d+0x1 "
			   "(/lib/x.so)\n\t%x main (/bin/prog)\n\n",
			"", i, i, i, i % 7, i);
	fclose(f);
	/* the caller sniffed "p" already */
	lseek(fd, 1, SEEK_SET);
	ck_assert_int_eq(scriptparse__read_fd(sp, fd, "p", 1, check_generated, &c), 0);
	ck_assert_int_eq(c.nr, nr);
	ck_assert_int_eq(c.bad, 0);
	ck_assert_uint_eq(scriptparse__stats(sp)->nr_bad_lines, 0);
	close(fd);
	unlink(path);
	scriptparse__free(sp);
}
END_TEST

/* A mapped text larger than the parser's 32 MiB window, with a sample
 * straddling each window edge, and a final line longer than a window. */
START_TEST(test_read_mapped_windows)
{
	struct scriptparse *sp = scriptparse__new(NULL, "map");
	struct counted c = {0, 0};
	char path[] = "/tmp/perffold-map-XXXXXX";
	int fd = mkstemp(path), i;
	FILE *f = fdopen(dup(fd), "w");
	const int nr = 700000;
	struct stat sb;
	char *map;

	for (i = 0; i < nr; i++)
		fprintf(f, "prog %d %d.000001: 10 cycles:\n\t%x func%d+0x1 "
			   "(/lib/x.so)\n\t%x main (/bin/prog)\n\n",
			i, i, i, i % 7, i);
	for (i = 0; i < (40 << 20) / 64; i++)
		fputs("0123456789012345678901234567890123456789012345678901234567890123", f);
	fclose(f);
	fstat(fd, &sb);
	ck_assert_int_gt(sb.st_size, 64 << 20);
	map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	ck_assert_ptr_ne(map, MAP_FAILED);
	ck_assert_int_eq(scriptparse__read_mapped(sp, map, (size_t)sb.st_size,
						  check_generated, &c), 0);
	ck_assert_int_eq(c.nr, nr);
	ck_assert_int_eq(c.bad, 0);
	ck_assert_uint_eq(scriptparse__stats(sp)->nr_bad_lines, 1);
	munmap(map, (size_t)sb.st_size);
	close(fd);
	unlink(path);
	scriptparse__free(sp);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("scriptparse");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_header_shapes);
	tcase_add_test(tc, test_unknown_task);
	tcase_add_test(tc, test_time_and_args);
	tcase_add_test(tc, test_frame_shapes);
	tcase_add_test(tc, test_bad_lines_counted);
	tcase_add_test(tc, test_boundaries_without_blank_lines);
	tcase_add_test(tc, test_read_fd_large);
	tcase_add_test(tc, test_read_mapped_windows);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
