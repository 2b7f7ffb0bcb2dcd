/* Unit tests for common/stacks. */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intern.h"
#include "stacks.h"

static char *write_all(struct stacks *st)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_int_eq(stacks__write(st, f), 0);
	fclose(f);
	return buf;
}

static uint32_t id(struct intern *in, const char *s)
{
	return intern__add(in, s, strlen(s));
}

START_TEST(test_merge_and_sum)
{
	struct intern *in = intern__new();
	struct stacks *st = stacks__new(in);
	uint32_t s1[] = {id(in, "prog"), id(in, "main"), id(in, "f")};
	uint32_t s2[] = {id(in, "prog"), id(in, "main")};
	char *out;

	ck_assert_int_eq(stacks__add(st, s1, 3, 5), 0);
	ck_assert_int_eq(stacks__add(st, s2, 2, 1), 0);
	ck_assert_int_eq(stacks__add(st, s1, 3, 7), 0);
	ck_assert_uint_eq(stacks__count(st), 2);
	ck_assert_uint_eq(stacks__total(st), 13);
	out = write_all(st);
	ck_assert_str_eq(out, "prog;main 1\nprog;main;f 12\n");
	free(out);
	stacks__free(st);
	intern__free(in);
}
END_TEST

/* Sorting is on the printed text: "a+;x" sorts before "a;x" because '+'
 * (0x2b) is below ';' (0x3b), though frame "a" sorts before "a+". */
START_TEST(test_sorted_bytewise_on_text)
{
	struct intern *in = intern__new();
	struct stacks *st = stacks__new(in);
	uint32_t a[] = {id(in, "p"), id(in, "a"), id(in, "x")};
	uint32_t b[] = {id(in, "p"), id(in, "a+"), id(in, "x")};
	uint32_t c[] = {id(in, "p"), id(in, "ab")};
	uint32_t d[] = {id(in, "p")};
	uint32_t e[] = {id(in, "p"), id(in, "\xc3\xa9t\xc3\xa9")};
	char *out;

	stacks__add(st, e, 2, 1);
	stacks__add(st, NULL, 0, 4);
	stacks__add(st, c, 2, 1);
	stacks__add(st, a, 3, 1);
	stacks__add(st, d, 1, 1);
	stacks__add(st, b, 3, 1);
	out = write_all(st);
	ck_assert_str_eq(out, " 4\np 1\np;a+;x 1\np;a;x 1\np;ab 1\np;\xc3\xa9t\xc3\xa9 1\n");
	free(out);
	stacks__free(st);
	intern__free(in);
}
END_TEST

START_TEST(test_many_distinct)
{
	struct intern *in = intern__new();
	struct stacks *st = stacks__new(in);
	uint32_t frames[3];
	char buf[16];
	int i;

	frames[0] = id(in, "p");
	for (i = 0; i < 50000; i++) {
		snprintf(buf, sizeof(buf), "f%05d", i);
		frames[1] = id(in, buf);
		frames[2] = id(in, buf);
		ck_assert_int_eq(stacks__add(st, frames, 3, 2), 0);
		ck_assert_int_eq(stacks__add(st, frames, 2, 1), 0);
	}
	ck_assert_uint_eq(stacks__count(st), 100000);
	ck_assert_uint_eq(stacks__total(st), 150000);
	stacks__free(st);
	intern__free(in);
}
END_TEST

/* Past a few thousand adds the merging moves to a worker thread: repeats
 * must still merge, 64-bit weights survive the batches, and a stack longer
 * than a batch goes through as well. */
START_TEST(test_worker_merges)
{
	struct intern *in = intern__new();
	struct stacks *st = stacks__new(in);
	uint32_t frames[3], *longest = malloc(70000 * sizeof(*longest));
	uint64_t big = (uint64_t)1 << 40, expect = 0;
	char buf[16], *out, *p;
	int i;

	frames[0] = id(in, "p");
	for (i = 0; i < 60000; i++) {
		snprintf(buf, sizeof(buf), "f%02d", i % 100);
		frames[1] = id(in, buf);
		frames[2] = id(in, "leaf");
		ck_assert_int_eq(stacks__add(st, frames, 3, big + 1), 0);
		if (i == 30000) {
			for (int k = 0; k < 70000; k++)
				longest[k] = frames[0];
			ck_assert_int_eq(stacks__add(st, longest, 70000, 5), 0);
		}
	}
	ck_assert_uint_eq(stacks__count(st), 101);
	ck_assert_uint_eq(stacks__total(st), 60000 * (big + 1) + 5);
	out = write_all(st);
	/* "p;f00;leaf 600 * (2^40 + 1)" and so on, the long one last */
	snprintf(buf, sizeof(buf), "%" PRIu64, 600 * (big + 1));
	ck_assert_ptr_nonnull(strstr(out, "p;f00;leaf "));
	ck_assert_int_eq(strncmp(strstr(out, "p;f00;leaf ") + 11, buf,
				 strlen(buf)), 0);
	for (p = out, i = 0; (p = strstr(p, ";leaf ")); p++, i++)
		expect += strtoull(p + 6, NULL, 10);
	ck_assert_int_eq(i, 100);
	ck_assert_uint_eq(expect, 60000 * (big + 1));
	ck_assert_ptr_nonnull(strstr(out, "p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p"));
	free(out);
	free(longest);
	stacks__free(st);
	intern__free(in);
}
END_TEST

/* Random stacks over names that are prefixes of each other and hold bytes
 * on both sides of ';': the output must be sorted bytewise on the text,
 * for a few stacks (sorted and written on one thread) and for many (one
 * thread sorting parts ahead while the other writes them in order). */
START_TEST(test_sort_matches_text_order)
{
	static const int sizes[] = {5000, 60000};
	static const char *const pool[] = {"a", "a0", "a:", "a<", "ab",
					   "b", "a.b", "a ", "a\xff", "", "aa", "a-1"};
	struct intern *in = intern__new();
	struct stacks *st = stacks__new(in);
	unsigned seed = 12345;
	char *out, *line, *prev = NULL, *save;
	int i, k, lines = 0;

	for (i = 0; i < sizes[_i]; i++) {
		uint32_t fr[6];
		int n = 1 + (int)((seed = seed * 1103515245 + 12345) >> 16) % 6;

		for (k = 0; k < n; k++) {
			seed = seed * 1103515245 + 12345;
			fr[k] = id(in, pool[(seed >> 16) % 12]);
		}
		stacks__add(st, fr, (size_t)n, 1);
	}
	out = write_all(st);
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		*strrchr(line, ' ') = '\0';
		if (prev)
			ck_assert_msg(strcmp(prev, line) < 0, "'%s' before '%s'",
				      prev, line);
		prev = line;
		lines++;
	}
	ck_assert_int_eq(lines, (int)stacks__count(st));
	free(out);
	stacks__free(st);
	intern__free(in);
}
END_TEST

/* A full disk stops the writing: -EIO, and the sorting thread ends. */
START_TEST(test_write_error)
{
	struct intern *in = intern__new();
	struct stacks *st = stacks__new(in);
	FILE *full = fopen("/dev/full", "w");
	uint32_t fr[3], names[200];
	char buf[16];
	int i;

	ck_assert_ptr_nonnull(full);
	for (i = 0; i < 200; i++) {
		snprintf(buf, sizeof(buf), "n%d", i);
		names[i] = id(in, buf);
	}
	for (i = 0; i < 40000; i++) {	/* 40,000 distinct stacks */
		fr[0] = id(in, "root");
		fr[1] = names[i % 200];
		fr[2] = names[i / 200];
		stacks__add(st, fr, 3, 1);
	}
	ck_assert_int_ge(stacks__count(st), 16384);
	ck_assert_int_eq(stacks__write(st, full), -EIO);
	fclose(full);
	stacks__free(st);
	intern__free(in);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("stacks");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_merge_and_sum);
	tcase_add_test(tc, test_sorted_bytewise_on_text);
	tcase_add_test(tc, test_many_distinct);
	tcase_add_test(tc, test_worker_merges);
	tcase_add_loop_test(tc, test_sort_matches_text_order, 0, 2);
	tcase_add_test(tc, test_write_error);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
