/* Unit tests for common/foldtab. */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "foldtab.h"

static int add(struct foldtab *t, const char *stack, unsigned col, double w)
{
	return foldtab__add(t, stack, strlen(stack), col, w);
}

/* The table as foldtab__write() writes it, in a string the caller frees. */
static char *written(struct foldtab *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(foldtab__write(t, f), 0);
	fclose(f);
	return buf;
}

static void assert_written(struct foldtab *t, const char *want)
{
	char *got = written(t);

	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(test_aggregates_and_sorts)
{
	struct foldtab *t = foldtab__new(1);

	ck_assert_int_eq(add(t, "main;b", 0, 2), 0);
	ck_assert_int_eq(add(t, "main;a", 0, 1), 0);
	ck_assert_int_eq(add(t, "main", 0, 4), 0);
	ck_assert_int_eq(add(t, "main;b", 0, 3), 0);
	ck_assert_int_eq(add(t, "Main;\xc3\xa9", 0, 1), 0);
	ck_assert_uint_eq(foldtab__nr_stacks(t), 4);
	ck_assert(foldtab__total(t, 0) == 11);
	/* bytewise: 'M' < 'm', a prefix before its extensions */
	assert_written(t, "Main;\xc3\xa9 1\nmain 4\nmain;a 1\nmain;b 5\n");
	/* adding after a write finds the sorted entries again */
	ck_assert_int_eq(add(t, "main;a", 0, 1), 0);
	ck_assert_uint_eq(foldtab__nr_stacks(t), 4);
	assert_written(t, "Main;\xc3\xa9 1\nmain 4\nmain;a 2\nmain;b 5\n");
	foldtab__free(t);
	foldtab__free(NULL);
}
END_TEST

START_TEST(test_two_columns)
{
	struct foldtab *t = foldtab__new(2);

	ck_assert_int_eq(add(t, "a;b", 0, 3), 0);
	ck_assert_int_eq(add(t, "a;c", 1, 5), 0);
	ck_assert_int_eq(add(t, "a;b", 1, 1.5), 0);
	ck_assert(foldtab__total(t, 0) == 3);
	ck_assert(foldtab__total(t, 1) == 6.5);
	assert_written(t, "a;b 3 1.5\na;c 0 5\n");
	foldtab__free(t);
}
END_TEST

START_TEST(test_bad_arguments)
{
	struct foldtab *t = foldtab__new(1);

	ck_assert_int_eq(add(t, "a", 1, 1), -EINVAL);
	ck_assert_int_eq(add(t, "", 0, 1), -EINVAL);
	ck_assert_ptr_null(foldtab__new(0));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(foldtab__new(3));
	foldtab__free(t);
}
END_TEST

static double halve(double w, void *ctx)
{
	(void)ctx;
	return w / 2;
}

START_TEST(test_map)
{
	struct foldtab *t = foldtab__new(2);

	add(t, "a", 0, 3);
	add(t, "b", 0, 4);
	add(t, "b", 1, 4);
	foldtab__map(t, 0, halve, NULL);
	ck_assert(foldtab__total(t, 0) == 3.5);
	ck_assert(foldtab__total(t, 1) == 4);
	assert_written(t, "a 1.5 0\nb 2 4\n");
	foldtab__free(t);
}
END_TEST

static const char *fmt(double w)
{
	static char buf[FOLDTAB_WEIGHT_LEN];

	foldtab__format(w, buf);
	return buf;
}

START_TEST(test_format)
{
	ck_assert_str_eq(fmt(0), "0");
	ck_assert_str_eq(fmt(12), "12");
	ck_assert_str_eq(fmt(1e15), "1000000000000000");
	ck_assert_str_eq(fmt(9007199254740991.0), "9007199254740991");
	ck_assert_str_eq(fmt(1e20), "100000000000000000000");
	ck_assert_str_eq(fmt(0.5), "0.5");
	ck_assert_str_eq(fmt(0.3), "0.3");
	ck_assert_str_eq(fmt(0.1 + 0.2), "0.30000000000000004");
	ck_assert_str_eq(fmt(1.25e-7), "0.000000125");
	ck_assert_str_eq(fmt(123.456), "123.456");
	ck_assert_str_eq(fmt(-2.5), "-2.5");
	ck_assert_str_eq(fmt(-7), "-7");
	ck_assert_str_eq(fmt(-0.0), "0");
	ck_assert_str_eq(fmt(10), "10");
	/* the longest: a subnormal, positional */
	ck_assert_uint_eq(strlen(fmt(4.9406564584124654e-324)), 2 + 323 + 1);
	ck_assert_uint_lt(strlen(fmt(1.7976931348623157e308)), FOLDTAB_WEIGHT_LEN);
}
END_TEST

/* Many stacks sharing long prefixes, in reverse order: the radix sort's
 * partitions, recursion and insertion sort all run. */
START_TEST(test_sort_many)
{
	struct foldtab *t = foldtab__new(1);
	char stack[128], *out, *line, *prev = NULL;
	int i, n = 0;

	for (i = 5000; i > 0; i--) {
		snprintf(stack, sizeof(stack), "root;shared;prefix;f%d;g%d",
			 i % 97, i);
		ck_assert_int_eq(add(t, stack, 0, 1), 0);
		if (i % 3 == 0)
			ck_assert_int_eq(add(t, "root;shared", 0, 1), 0);
	}
	out = written(t);
	for (line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
		if (prev)
			ck_assert_int_lt(strcmp(prev, line), 0);
		prev = line;
		n++;
	}
	ck_assert_int_eq(n, 5001);
	free(out);
	foldtab__free(t);
}
END_TEST

struct bytes {
	char s[24];
	size_t len;
};

static int cmp_bytes(const void *pa, const void *pb)
{
	const struct bytes *a = pa, *b = pb;
	size_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->s, b->s, n);

	return c ? c : (a->len > b->len) - (a->len < b->len);
}

/* Stacks of 1-16 bytes of a, b and NUL (foldtab__add() takes any byte),
 * around the 7 bytes the sort takes at a time: sorted in memcmp order, a
 * stack before its extensions ("ab" before "ab\0"), as qsort sorts them. */
START_TEST(test_sort_keys)
{
	enum { N = 4000 };
	struct bytes *in = malloc(N * sizeof(*in));
	struct foldtab *t = foldtab__new(1);
	char *want = malloc(N * 32), *got, *p = want;
	size_t i, j, got_len = 0;
	unsigned seed = 1;
	FILE *f;

	for (i = 0; i < N; i++) {
		in[i].len = 1 + ((seed = seed * 1103515245 + 12345) >> 16) % 16;
		for (j = 0; j < in[i].len; j++)
			in[i].s[j] = "ab\0"[(seed = seed * 1103515245 + 12345) /
					    65536 % 3];
	}
	qsort(in, N, sizeof(*in), cmp_bytes);
	/* added last first: a sort that leaves some in place shows */
	for (i = N; i-- > 0;)
		ck_assert_int_eq(foldtab__add(t, in[i].s, in[i].len, 0, 1), 0);
	for (i = 0; i < N; i = j) {
		for (j = i + 1; j < N && !cmp_bytes(&in[i], &in[j]); j++)
			;
		memcpy(p, in[i].s, in[i].len);
		p += in[i].len;
		p += sprintf(p, " %zu\n", j - i);
	}
	f = open_memstream(&got, &got_len);
	ck_assert_int_eq(foldtab__write(t, f), 0);
	fclose(f);
	ck_assert_uint_eq(got_len, (size_t)(p - want));
	ck_assert(!memcmp(got, want, got_len));
	free(got);
	free(want);
	free(in);
	foldtab__free(t);
}
END_TEST

/* Stacks sharing a 1 MB prefix: the radix sort loops down the shared
 * bytes instead of recursing once per byte. */
START_TEST(test_sort_long_prefix)
{
	struct foldtab *t = foldtab__new(1);
	size_t len = 1 << 20, at;
	char *s = malloc(len + 2);
	char *out;
	int i;

	memset(s, 'x', len);
	s[len + 1] = '\0';
	for (i = 19; i >= 0; i--) {
		s[len] = (char)('a' + i);
		ck_assert_int_eq(add(t, s, 0, i), 0);
	}
	s[len] = '\0';
	ck_assert_int_eq(add(t, s, 0, 99), 0);
	out = written(t);
	ck_assert(!memcmp(out + len, " 99\n", 4));
	at = len + 4;
	for (i = 0; i < 20; i++) {
		char tail[8];
		int n = snprintf(tail, sizeof(tail), "%c %d\n", 'a' + i, i);

		ck_assert(!memcmp(out + at + len, tail, (size_t)n));
		at += len + (size_t)n;
	}
	ck_assert_uint_eq(strlen(out), at);
	free(out);
	free(s);
	foldtab__free(t);
}
END_TEST

static size_t drop_b(void *ctx, const char **stack, size_t len)
{
	static const char *const renamed = "renamed";

	(void)ctx;
	if (len == 1 && **stack == 'b')
		return 0;
	if (len == 1 && **stack == 'c') {
		*stack = renamed;
		return strlen(renamed);
	}
	return len;
}

static void emit(void *ctx, enum diag_level level, const char *msg)
{
	char *log = ctx;

	(void)level;
	strcat(log, msg);
	strcat(log, "\n");
}

/* The lines of test_read and test_read_mapped: blank ones, malformed ones,
 * ones the edit drops or renames, a last one without its newline. */
static const char read_text[] = "a 1\n\n  \nb 2\nc 3\nno count\n"
				"a 0.5\r\nx;y\0z 1\n 4\nlast 2";

static void check_read(FILE *f)
{
	char log[1024] = "";
	struct diag d = { .emit = emit, .ctx = log };
	struct foldtab *t = foldtab__new(2);
	struct foldtab_read r = { .name = "in", .column = 1, .edit = drop_b,
				  .diag = &d, .max_reports = 2 };

	ck_assert_int_eq(foldtab__read(t, f, &r), 0);
	ck_assert_uint_eq(r.nr_lines, 8);
	ck_assert_uint_eq(r.nr_kept, 4);
	ck_assert_uint_eq(r.nr_dropped, 1);
	ck_assert_uint_eq(r.nr_malformed, 3);
	ck_assert_str_eq(log, "skipped 'in' line 6: no count at the end of the "
			      "line\nskipped 'in' line 8: NUL byte in line\n");
	assert_written(t, "a 0 1.5\nlast 0 2\nrenamed 0 3\n");
	foldtab__free(t);
}

/* A stream, read a block at a time. */
START_TEST(test_read)
{
	FILE *f = fmemopen((void *)read_text, sizeof(read_text) - 1, "r");

	check_read(f);
	fclose(f);
}
END_TEST

/* A regular file, mapped: the same lines, the same table and messages. */
START_TEST(test_read_mapped)
{
	FILE *f = tmpfile();

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(read_text, 1, sizeof(read_text) - 1, f),
			  sizeof(read_text) - 1);
	rewind(f);
	check_read(f);
	fclose(f);
}
END_TEST

/* A mapped file of 12 MB, past where foldtab__read() lets go of the pages
 * it has read (every 8 MB): 100 stacks of 10 KB, each 12 times, all
 * added whole. */
START_TEST(test_read_mapped_large)
{
	enum { NR_STACKS = 100, STACK_LEN = 10000, REPEAT = 12 };
	char *line = malloc(STACK_LEN + 8), *want, *got, *p;
	struct foldtab *t = foldtab__new(1);
	struct foldtab_read r = { .name = "big" };
	FILE *f = tmpfile();
	int i;

	ck_assert_ptr_nonnull(f);
	memset(line, 'f', STACK_LEN);
	for (i = 0; i < NR_STACKS * REPEAT; i++) {
		/* stack i % NR_STACKS: its number in the middle of the f's */
		snprintf(line + STACK_LEN / 2, 8, "%05d", i % NR_STACKS);
		line[STACK_LEN / 2 + 5] = 'f';
		fwrite(line, 1, STACK_LEN, f);
		fputs(" 1\n", f);
	}
	rewind(f);
	ck_assert_int_eq(foldtab__read(t, f, &r), 0);
	fclose(f);
	ck_assert_uint_eq(r.nr_kept, NR_STACKS * REPEAT);
	ck_assert_uint_eq(foldtab__nr_stacks(t), NR_STACKS);
	ck_assert(foldtab__total(t, 0) == NR_STACKS * REPEAT);
	want = p = malloc((size_t)NR_STACKS * (STACK_LEN + 8) + 1);
	for (i = 0; i < NR_STACKS; i++) {
		snprintf(line + STACK_LEN / 2, 8, "%05d", i);
		line[STACK_LEN / 2 + 5] = 'f';
		memcpy(p, line, STACK_LEN);
		p += STACK_LEN;
		p += sprintf(p, " %d\n", REPEAT);
	}
	got = written(t);
	ck_assert(!strcmp(got, want));
	free(got);
	free(want);
	free(line);
	foldtab__free(t);
}
END_TEST

static void *sort_table(void *arg)
{
	return (void *)(intptr_t)foldtab__sort(arg);
}

/* Two one-column tables, sorted on two threads at once, merged: every
 * stack of either, 0 where a table lacks it, in bytewise order. */
START_TEST(test_write_pair)
{
	struct foldtab *a = foldtab__new(1), *b = foldtab__new(1);
	struct foldtab *two = foldtab__new(2);
	char *buf = NULL;
	size_t len = 0;
	pthread_t tid;
	void *ret;
	FILE *f;

	ck_assert_int_eq(add(a, "main;b", 0, 2), 0);
	ck_assert_int_eq(add(a, "main", 0, 1.5), 0);
	ck_assert_int_eq(add(a, "main;a", 0, 3), 0);
	ck_assert_int_eq(add(b, "main;c", 0, 4), 0);
	ck_assert_int_eq(add(b, "main;a", 0, 5), 0);
	ck_assert_int_eq(add(b, "Main", 0, 6), 0);
	ck_assert_int_eq(pthread_create(&tid, NULL, sort_table, b), 0);
	ck_assert_int_eq(foldtab__sort(a), 0);
	ck_assert_int_eq(pthread_join(tid, &ret), 0);
	ck_assert_ptr_null(ret);
	f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(foldtab__write_pair(a, b, f), 0);
	ck_assert_int_eq(foldtab__write_pair(a, two, f), -EINVAL);
	fclose(f);
	ck_assert_str_eq(buf, "Main 0 6\nmain 1.5 0\nmain;a 3 5\n"
			      "main;b 2 0\nmain;c 0 4\n");
	free(buf);
	foldtab__free(a);
	foldtab__free(b);
	foldtab__free(two);
}
END_TEST

/* Tables large enough for foldtab__write_pair()'s two threads: the 64
 * slices it formats apart come out whole and in order. */
START_TEST(test_write_pair_threaded)
{
	enum { N = 30000 };
	struct foldtab *a = foldtab__new(1), *b = foldtab__new(1);
	char stack[32], *want = malloc(N * 40), *p = want, *got = NULL;
	size_t got_len = 0;
	int i;
	FILE *f;

	for (i = N; i-- > 0;) {
		snprintf(stack, sizeof(stack), "main;f%06d", i);
		if (i % 2 == 0)
			ck_assert_int_eq(add(a, stack, 0, i), 0);
		if (i % 3 == 0)
			ck_assert_int_eq(add(b, stack, 0, 1), 0);
	}
	for (i = 0; i < N; i++)
		if (i % 2 == 0 || i % 3 == 0)
			p += sprintf(p, "main;f%06d %d %d\n", i,
				     i % 2 == 0 ? i : 0, i % 3 == 0);
	ck_assert_int_eq(foldtab__sort(a), 0);
	ck_assert_int_eq(foldtab__sort(b), 0);
	f = open_memstream(&got, &got_len);
	ck_assert_int_eq(foldtab__write_pair(a, b, f), 0);
	fclose(f);
	ck_assert_uint_eq(got_len, (size_t)(p - want));
	ck_assert(!memcmp(got, want, got_len));
	free(got);
	free(want);
	foldtab__free(a);
	foldtab__free(b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("foldtab");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_aggregates_and_sorts);
	tcase_add_test(tc, test_two_columns);
	tcase_add_test(tc, test_bad_arguments);
	tcase_add_test(tc, test_map);
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_sort_many);
	tcase_add_test(tc, test_sort_keys);
	tcase_add_test(tc, test_sort_long_prefix);
	tcase_add_test(tc, test_read);
	tcase_add_test(tc, test_read_mapped);
	tcase_add_test(tc, test_read_mapped_large);
	tcase_add_test(tc, test_write_pair);
	tcase_add_test(tc, test_write_pair_threaded);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
