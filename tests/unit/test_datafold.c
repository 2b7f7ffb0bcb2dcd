/* Unit tests for common/datafold, over perf.data images built in code. */
#include <check.h>
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

int main(void)
{
	Suite *s = suite_create("datafold");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_unmapped_frames_keep_nothing);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
