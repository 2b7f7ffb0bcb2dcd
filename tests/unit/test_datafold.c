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

int main(void)
{
	Suite *s = suite_create("datafold");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_unmapped_frames_keep_nothing);
	tcase_add_test(tc, test_fork_names_inherited_jit_code);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
