/* Unit tests for common/datafold, over perf.data images built in code. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datafold.h"
#include "folder.h"
#include "pdimage.h"
#include "perfdata.h"

#define ST_CHAIN                                                              \
	(PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |                 \
	 PERF_SAMPLE_PERIOD | PERF_SAMPLE_CALLCHAIN)

/* A user sample of pid whose callchain is depth addresses from base. */
static void chain_sample(struct buf *d, uint32_t pid, uint64_t time,
			 uint64_t base, uint64_t depth)
{
	size_t at = rec(d, PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER);
	uint64_t i;

	put64(d, base);
	put32(d, pid);
	put32(d, pid);
	put64(d, time);
	put64(d, 1);
	put64(d, depth + 1);
	put64(d, PERF_CONTEXT_USER);
	for (i = 0; i < depth; i++)
		put64(d, base + 16 * i);
	/* sample_id_all trailer: pid, tid, time */
	put32(d, pid);
	put32(d, pid);
	put64(d, time);
	end_rec(d, at);
}

/* The peak resident set (VmHWM) in KB since reset_peak(). */
static long peak_rss_kb(void)
{
	char line[128];
	FILE *f = fopen("/proc/self/status", "r");
	long kb = -1;

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
			break;
	fclose(f);
	ck_assert_int_ge(kb, 0);
	return kb;
}

static void reset_peak(void)
{
	FILE *f = fopen("/proc/self/clear_refs", "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs("5", f), 1);	/* 5: reset the peak RSS */
	ck_assert_int_eq(fclose(f), 0);
}

/* Addresses in no mapping are named each time they come (the cache keeps
 * mapped ones only) and must not pile up: 100,000 samples of 50 such
 * frames, 5,000,000 frames, leave memory as it was. */
START_TEST(test_unmapped_frames_keep_nothing)
{
	struct attr_spec a = {
	    mk_attr(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK, ST_CHAIN)};
	struct folder_opts fo = {0};
	struct datafold_opts o = {0};
	struct datafold_stats st;
	struct folder_stats fs;
	struct buf d = {0}, img;
	struct perfdata *pd;
	struct folder *f;
	long before;
	int i;

	a.attr.exclude_kernel = 1;	/* no kallsyms: nothing else loads */
	for (i = 0; i < 100000; i++) {
		chain_sample(&d, 7, 1000 + (uint64_t)i, 0x1000, 50);
		if (i % 1000 == 999)	/* rounds, as perf writes: a short
					 * reorder queue */
			end_rec(&d, rec(&d, PERFDATA_RECORD_FINISHED_ROUND, 0));
	}
	img = file_image(&a, 1, sizeof(a.attr), &d, NULL, 0);
	free(d.p);
	pd = perfdata__open_mem(img.p, img.len, "t.data", NULL, NULL);
	ck_assert_ptr_nonnull(pd);
	f = folder__new(&fo);
	ck_assert_ptr_nonnull(f);
	reset_peak();
	before = peak_rss_kb();
	ck_assert_int_eq(datafold__read(pd, f, &o, NULL, &st), 0);
	/* 5,000,000 frames' ids kept would be 20 MB and more */
	ck_assert_int_lt(peak_rss_kb() - before, 8 << 10);
	ck_assert_uint_eq(st.nr_samples, 100000);
	ck_assert_uint_eq(st.nr_frames, 5000000);
	ck_assert_uint_eq(st.nr_unknown_frames, 5000000);
	folder__stats(f, &fs);
	ck_assert_uint_eq(fs.total_weight, 100000);
	ck_assert_uint_eq(fs.nr_stacks, 1);
	folder__free(f);
	perfdata__free(pd);
	free(img.p);
}
END_TEST

/* A user sample of pid whose callchain is ips[0..nr), leaf first. */
static void ips_sample(struct buf *d, uint32_t pid, uint64_t time,
		       const uint64_t *ips, uint64_t nr)
{
	size_t at = rec(d, PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER);
	uint64_t i;

	put64(d, ips[0]);
	put32(d, pid);
	put32(d, pid);
	put64(d, time);
	put64(d, 1);
	put64(d, nr + 1);
	put64(d, PERF_CONTEXT_USER);
	for (i = 0; i < nr; i++)
		put64(d, ips[i]);
	put32(d, pid);
	put32(d, pid);
	put64(d, time);
	end_rec(d, at);
}

static void trailer(struct buf *d, uint32_t pid, uint64_t time)
{
	put32(d, pid);
	put32(d, pid);
	put64(d, time);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* After FORK, a child names the JIT code it inherited by its parent's
 * perf map, its own new code by its own map, though both sit at one
 * address (the arena they share, filled by each after the fork); an
 * exec'd child inherits nothing. */
START_TEST(test_fork_names_inherited_jit_code)
{
	struct attr_spec a = {
	    mk_attr(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK, ST_CHAIN)};
	static const uint64_t chain[] = {0x10010, 0x10005};
	char dir[] = "/tmp/perffold-dfork-XXXXXX", path[300];
	struct folder_opts fo = {.weight_samples = true};
	struct datafold_opts o = {0};
	struct datafold_stats st;
	struct buf d = {0}, img;
	struct perfdata *pd;
	struct folder *f;
	char *text = NULL;
	size_t text_len = 0;
	FILE *out;
	size_t at;
	int pid;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	write_file(dir, "perf-7.map", "10000 b py::outer:m.py\n"
				      "1000b b py::parent_new:m.py\n");
	write_file(dir, "perf-8.map", "1000b b py::child_new:m.py\n");
	write_file(dir, "perf-9.map", "2000 b py::other:m.py\n");
	o.perf_map_dir = dir;
	a.attr.exclude_kernel = 1;
	at = rec(&d, PERF_RECORD_MMAP, PERF_RECORD_MISC_USER);
	put32(&d, 7);
	put32(&d, 7);
	put64(&d, 0x10000);
	put64(&d, 0x10000);
	put64(&d, 0x10000);
	put_str(&d, "//anon", 8);
	trailer(&d, 7, 10);
	end_rec(&d, at);
	for (pid = 8; pid <= 9; pid++) {
		at = rec(&d, PERF_RECORD_FORK, 0);
		put32(&d, (uint32_t)pid);
		put32(&d, 7);
		put32(&d, (uint32_t)pid);
		put32(&d, 7);
		put64(&d, 11);
		trailer(&d, (uint32_t)pid, 11);
		end_rec(&d, at);
	}
	at = rec(&d, PERF_RECORD_COMM, PERF_RECORD_MISC_COMM_EXEC);
	put32(&d, 9);
	put32(&d, 9);
	put_str(&d, "python3", 8);
	trailer(&d, 9, 12);
	end_rec(&d, at);
	/* the parent's sample first: its names are cached first */
	ips_sample(&d, 7, 20, chain, 2);
	ips_sample(&d, 8, 21, chain, 2);
	ips_sample(&d, 9, 22, chain, 2);
	img = file_image(&a, 1, sizeof(a.attr), &d, NULL, 0);
	free(d.p);
	pd = perfdata__open_mem(img.p, img.len, "t.data", NULL, NULL);
	ck_assert_ptr_nonnull(pd);
	f = folder__new(&fo);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(datafold__read(pd, f, &o, NULL, &st), 0);
	out = open_memstream(&text, &text_len);
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(folder__write(f, out), 0);
	fclose(out);
	ck_assert_str_eq(text,
			 ":7;py::outer:m.py;py::parent_new:m.py 1\n"
			 ":8;py::outer:m.py;py::child_new:m.py 1\n"
			 "python3;[perf-9.map];[perf-9.map] 1\n");
	free(text);
	folder__free(f);
	perfdata__free(pd);
	free(img.p);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	ck_assert_int_eq(system(path), 0);
}
END_TEST

#define ST_SWITCH                                                             \
	(PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID |           \
	 PERF_SAMPLE_TIME | PERF_SAMPLE_PERIOD | PERF_SAMPLE_CALLCHAIN |       \
	 PERF_SAMPLE_RAW)
#define ST_SWITCH_CPU (ST_SWITCH | PERF_SAMPLE_CPU)

/* A tracepoint sample of event id (1: sched_switch, 2: an event with no
 * format, 3: sched_switch with ST_SWITCH_CPU, on CPU cpu) in thread tid
 * at time, one user frame at ip, raw_size bytes of sched_switch raw data
 * (prev_pid prev, prev_state state, next_pid next). */
static void switch_sample_on(struct buf *d, uint64_t id, uint32_t cpu,
			     uint32_t tid, uint64_t time, uint64_t ip,
			     uint32_t raw_size, int32_t prev, int64_t state,
			     int32_t next)
{
	size_t at = rec(d, PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER);
	uint8_t raw[64] = {0};
	uint16_t type = TRACING_SWITCH_ID;

	memcpy(raw, &type, 2);
	memcpy(raw + 24, &prev, 4);
	memcpy(raw + 32, &state, 8);
	memcpy(raw + 56, &next, 4);
	put64(d, id);
	put64(d, ip);
	put32(d, 50);
	put32(d, tid);
	put64(d, time);
	if (id == 3) {
		put32(d, cpu);
		put32(d, 0);
	}
	put64(d, 1);
	put64(d, 2);
	put64(d, PERF_CONTEXT_USER);
	put64(d, ip);
	/* RAW: its size, then the data, padded (the padding counted in the
	 * size, as the kernel does) to 8 bytes with the size */
	put32(d, raw_size + (8 - (4 + raw_size) % 8) % 8);
	put(d, raw, raw_size);
	put(d, NULL, (8 - (4 + raw_size) % 8) % 8);
	end_rec(d, at);
}

static void switch_sample(struct buf *d, uint64_t id, uint32_t tid,
			  uint64_t time, uint64_t ip, uint32_t raw_size,
			  int32_t prev, int64_t state, int32_t next)
{
	switch_sample_on(d, id, 0, tid, time, ip, raw_size, prev, state, next);
}

static int nr_warnings;
static char warning[512];

static void count_warning(void *ctx, enum diag_level level, const char *msg)
{
	(void)ctx;
	if (level == DIAG_WARN) {
		nr_warnings++;
		snprintf(warning, sizeof(warning), "%s", msg);
	}
}

/* --off-cpu over a synthetic recording whose tracing data holds
 * sched_switch's format (fields found by name) and one that does not
 * parse: intervals closed by the next switch naming the thread, a record
 * shorter than its format, an event with no format, a dead thread's last
 * switch, and a switch-out still open at the end: each counted, none
 * folded but the intervals, the open one up to the last record. */
START_TEST(test_offcpu_switches)
{
	static const uint64_t id_switch[] = {1}, id_other[] = {2};
	static const char *const formats[] = {TRACING_SWITCH_FORMAT,
					      TRACING_BAD_FORMAT};
	struct attr_spec a[2] = {
	    {mk_attr(PERF_TYPE_TRACEPOINT, TRACING_SWITCH_ID, ST_SWITCH),
	     id_switch, 1},
	    {mk_attr(PERF_TYPE_TRACEPOINT, 999, ST_SWITCH), id_other, 1},
	};
	struct buf td = tracing_data(formats, 2), d = {0}, img;
	struct feat_spec feat = {PERFDATA_FEAT_TRACING_DATA, &td};
	struct folder_opts fo = {.threads = true};
	struct datafold_opts o = {.clock = DATAFOLD_OFFCPU};
	const struct diag diag = {count_warning, NULL};
	struct datafold_stats st;
	struct perfdata *pd;
	struct folder *f;
	char *text = NULL;
	size_t text_len = 0;
	FILE *out;

	/* 100 sleeps at 1 ms; the switch at 3.5 ms naming it next ends it */
	switch_sample(&d, 1, 100, 1000000, 0x1000, 64, 100, 0x1, 0);
	switch_sample(&d, 1, 0, 3500000, 0x9000, 64, 0, 0, 100);
	/* 40 bytes: prev_state and next_pid lie beyond them */
	switch_sample(&d, 1, 100, 4000000, 0x1000, 40, 100, 0x1, 0);
	/* 101 waits on I/O from 4.5 ms: open at the end (9 ms) */
	switch_sample(&d, 1, 101, 4500000, 0x2000, 64, 101, 0x2, 0);
	/* 102 leaves dead: nothing opens */
	switch_sample(&d, 1, 102, 5000000, 0x3000, 64, 102, 0x10, 0);
	/* an event the tracing data has no format for */
	switch_sample(&d, 2, 103, 9000000, 0x4000, 64, 103, 0x1, 0);
	img = file_image(a, 2, sizeof(a[0].attr), &d, &feat, 1);
	free(d.p);
	free(td.p);
	nr_warnings = 0;
	pd = perfdata__open_mem(img.p, img.len, "t.data", &diag, NULL);
	ck_assert_ptr_nonnull(pd);
	f = folder__new(&fo);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(datafold__read(pd, f, &o, &diag, &st), 0);
	/* the format that does not parse, and the short record, said */
	ck_assert_int_eq(nr_warnings, 2);
	ck_assert_str_eq(warning, "'t.data': sched_switch sample at time "
				  "4000000: raw data of 44 bytes, shorter than "
				  "its format; skipped");
	out = open_memstream(&text, &text_len);
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(folder__write(f, out), 0);
	fclose(out);
	ck_assert_str_eq(text,
			 ":100;thread 100 (:100);[unknown];[off-cpu: sleep] 2500\n"
			 ":101;thread 101 (:101);[unknown];"
			 "[off-cpu: uninterruptible] 4500\n");
	ck_assert_uint_eq(st.waits.nr_switches, 4);
	ck_assert_uint_eq(st.waits.nr_undecoded, 1);
	ck_assert_uint_eq(st.waits.nr_unknown_events, 1);
	ck_assert_uint_eq(st.waits.offcpu.nr_opened, 2);
	ck_assert_uint_eq(st.waits.offcpu.nr_closed, 1);
	ck_assert_uint_eq(st.waits.offcpu.nr_open_at_end, 1);
	ck_assert_uint_eq(st.waits.offcpu.nr_exited, 1);
	ck_assert_uint_eq(st.waits.offcpu.ns[OFFCPU_SLEEP], 2500000);
	ck_assert_uint_eq(st.waits.offcpu.ns[OFFCPU_IO], 4500000);
	free(text);
	folder__free(f);
	perfdata__free(pd);
	free(img.p);
}
END_TEST

/* perf's THREAD_MAP of one pid: -1, a recording of whole CPUs (-a) */
static void thread_map(struct buf *d, uint64_t pid)
{
	size_t at = rec(d, PERFDATA_RECORD_THREAD_MAP, 0);
	char comm[16] = "sleep";

	put64(d, 1);
	put64(d, pid);
	put(d, comm, sizeof(comm));
	end_rec(d, at);
}

/* Recorded system-wide (perf's thread map says so; the idle task's
 * switches, which would too, are not there: both CPUs busy), a switch
 * that put a thread back on its CPU is missing: its wait ends at that
 * CPU's last recorded switch, and the rest is said. */
START_TEST(test_offcpu_switch_in_missing)
{
	static const uint64_t id_switch[] = {3};
	static const char *const formats[] = {TRACING_SWITCH_FORMAT};
	struct attr_spec a[1] = {
	    {mk_attr(PERF_TYPE_TRACEPOINT, TRACING_SWITCH_ID, ST_SWITCH_CPU),
	     id_switch, 1},
	};
	struct buf td = tracing_data(formats, 1), d = {0}, img;
	struct feat_spec feat = {PERFDATA_FEAT_TRACING_DATA, &td};
	struct folder_opts fo = {.threads = true};
	struct datafold_opts o = {.clock = DATAFOLD_OFFCPU};
	const struct diag diag = {count_warning, NULL};
	struct datafold_stats st;
	struct perfdata *pd;
	struct folder *f;
	char *text = NULL;
	size_t text_len = 0;
	FILE *out;

	thread_map(&d, UINT64_MAX);
	/* 7 preempted at 2 ms; 8 sleeps at 2.5 ms, and 9 runs */
	switch_sample_on(&d, 3, 0, 7, 2000000, 0x1000, 64, 7, 0, 8);
	switch_sample_on(&d, 3, 0, 8, 2500000, 0x2000, 64, 8, 0x1, 9);
	/* 7 leaves CPU 0 again at 6 ms: no switch put it back on */
	switch_sample_on(&d, 3, 0, 7, 6000000, 0x1000, 64, 7, 0x1, 0);
	/* on CPU 1, 5 hands over to 7 at 9 ms */
	switch_sample_on(&d, 3, 1, 5, 9000000, 0x9000, 64, 5, 0x1, 7);
	img = file_image(a, 1, sizeof(a[0].attr), &d, &feat, 1);
	free(d.p);
	free(td.p);
	nr_warnings = 0;
	pd = perfdata__open_mem(img.p, img.len, "t.data", &diag, NULL);
	ck_assert_ptr_nonnull(pd);
	f = folder__new(&fo);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(datafold__read(pd, f, &o, &diag, &st), 0);
	out = open_memstream(&text, &text_len);
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(folder__write(f, out), 0);
	fclose(out);
	/* 7: 2 to 2.5 ms (not to 6), then 6 to 9 ms; 8 open at the end */
	ck_assert_str_eq(text,
			 ":7;thread 7 (:7);[unknown];[off-cpu: runnable] 500\n"
			 ":7;thread 7 (:7);[unknown];[off-cpu: sleep] 3000\n"
			 ":8;thread 8 (:8);[unknown];[off-cpu: sleep] 6500\n");
	ck_assert_uint_eq(st.waits.offcpu.nr_unrecorded_in, 1);
	ck_assert_uint_eq(st.waits.offcpu.ns_unrecorded, 3500000);
	ck_assert_int_eq(nr_warnings, 1);
	ck_assert_str_eq(warning, "'t.data': 1 switch-in not recorded "
				  "(threads ran that no sched_switch put on "
				  "the CPU: some tasks' switches are missing): "
				  "waits counted up to that CPU's last switch, "
				  "0.003500 s after it not counted");
	free(text);
	folder__free(f);
	perfdata__free(pd);
	free(img.p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("datafold");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_unmapped_frames_keep_nothing);
	tcase_add_test(tc, test_fork_names_inherited_jit_code);
	tcase_add_test(tc, test_offcpu_switches);
	tcase_add_test(tc, test_offcpu_switch_in_missing);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
