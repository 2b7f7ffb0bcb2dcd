/* Unit tests for common/folded. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "folded.h"

static int parse(const char *line, unsigned nr, struct folded_line *fl)
{
	return folded__parse(line, strlen(line), nr, fl);
}

static void assert_stack(const struct folded_line *fl, const char *want)
{
	ck_assert_uint_eq(fl->stack_len, strlen(want));
	ck_assert(!memcmp(fl->stack, want, fl->stack_len));
}

START_TEST(test_plain_line)
{
	struct folded_line fl;

	ck_assert_int_eq(parse("main;foo;bar 42", 1, &fl), FOLDED_OK);
	assert_stack(&fl, "main;foo;bar");
	ck_assert_uint_eq(fl.nr_counts, 1);
	ck_assert(fl.count[0] == 42);
	/* trailing blanks and CR are not part of anything */
	ck_assert_int_eq(parse("a b;c  7 \r", 1, &fl), FOLDED_OK);
	assert_stack(&fl, "a b;c");
	ck_assert(fl.count[0] == 7);
}
END_TEST

START_TEST(test_fractional_counts)
{
	struct folded_line fl;

	ck_assert_int_eq(parse("a;b 0.25", 1, &fl), FOLDED_OK);
	ck_assert(fl.count[0] == 0.25);
	/* correctly rounded, as strtod: 3 * 0.1 would be 0.30000000000000004 */
	ck_assert_int_eq(parse("a;b 0.3", 1, &fl), FOLDED_OK);
	ck_assert(fl.count[0] == 0.3);
	ck_assert_int_eq(parse("a;b 12.345678901234567", 1, &fl), FOLDED_OK);
	ck_assert(fl.count[0] == 12.345678901234567);
	ck_assert_int_eq(parse("a;b 12.", 1, &fl), FOLDED_OK);
	ck_assert(fl.count[0] == 12);
	ck_assert_int_eq(parse("a;b .5", 1, &fl), FOLDED_OK);
	ck_assert(fl.count[0] == 0.5);
}
END_TEST

START_TEST(test_differential)
{
	struct folded_line fl;

	ck_assert_int_eq(parse("main;f 10 15", 0, &fl), FOLDED_OK);
	ck_assert_uint_eq(fl.nr_counts, 2);
	assert_stack(&fl, "main;f");
	ck_assert(fl.count[0] == 10 && fl.count[1] == 15);
	ck_assert_int_eq(parse("main;f 10 15", 2, &fl), FOLDED_OK);
	ck_assert(fl.count[0] == 10 && fl.count[1] == 15);
	/* plain mode: the "10" belongs to the frame name */
	ck_assert_int_eq(parse("main;f 10 15", 1, &fl), FOLDED_OK);
	assert_stack(&fl, "main;f 10");
	ck_assert(fl.count[0] == 15);
	/* guessing a one-count line gives the plain form */
	ck_assert_int_eq(parse("main;f 15", 0, &fl), FOLDED_OK);
	ck_assert_uint_eq(fl.nr_counts, 1);
	ck_assert_int_eq(parse("main;f 15", 2, &fl), FOLDED_NO_SECOND);
}
END_TEST

START_TEST(test_invalid_lines)
{
	struct folded_line fl;

	ck_assert_int_eq(parse("main;f", 1, &fl), FOLDED_NO_COUNT);
	ck_assert_int_eq(parse("main;f 12x", 1, &fl), FOLDED_BAD_COUNT);
	ck_assert_int_eq(parse("main;f -3", 1, &fl), FOLDED_BAD_COUNT);
	ck_assert_int_eq(parse("main;f 1e3", 1, &fl), FOLDED_BAD_COUNT);
	ck_assert_int_eq(parse("main;f 1.2.3", 1, &fl), FOLDED_BAD_COUNT);
	ck_assert_int_eq(parse("main;f nan", 1, &fl), FOLDED_NO_COUNT);
	ck_assert_int_eq(parse("main;f .", 1, &fl), FOLDED_BAD_COUNT);
	ck_assert_int_eq(parse("42", 1, &fl), FOLDED_NO_COUNT);
	ck_assert_int_eq(parse("   ", 1, &fl), FOLDED_NO_COUNT);
	ck_assert_int_eq(parse(" 42", 1, &fl), FOLDED_NO_STACK);
	ck_assert_str_eq(folded__strerror(FOLDED_BAD_COUNT),
			 "count is not a non-negative number");
	ck_assert_str_eq(folded__strerror(FOLDED_NO_STACK),
			 "no stack before the count");
}
END_TEST

START_TEST(test_blank)
{
	ck_assert(folded__is_blank("", 0));
	ck_assert(folded__is_blank(" \t\r", 3));
	ck_assert(!folded__is_blank(" a", 2));
	ck_assert(!folded__is_blank("# a 1", 5));
}
END_TEST

START_TEST(test_reader)
{
	size_t big = 3u << 20, len;	/* a line longer than the block */
	char *text = malloc(big + 64), *p = text;
	FILE *f;
	struct folded_reader *r;
	const char *line;

	p += sprintf(p, "a;b 1\n\n");
	memset(p, 'x', big);
	p += big;
	p += sprintf(p, " 2\nlast 3");
	f = fmemopen(text, (size_t)(p - text), "r");
	r = folded__reader_new(f);
	ck_assert_int_eq(folded__read_line(r, &line, &len), 1);
	ck_assert_uint_eq(len, 5);
	ck_assert(!memcmp(line, "a;b 1", 5));
	ck_assert_int_eq(folded__read_line(r, &line, &len), 1);
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(folded__read_line(r, &line, &len), 1);
	ck_assert_uint_eq(len, big + 2);
	ck_assert(line[0] == 'x' && line[big - 1] == 'x' && line[big + 1] == '2');
	ck_assert_int_eq(folded__read_line(r, &line, &len), 1);
	ck_assert_uint_eq(len, 6);
	ck_assert(!memcmp(line, "last 3", 6));
	ck_assert_int_eq(folded__read_line(r, &line, &len), 0);
	ck_assert_int_eq(folded__read_line(r, &line, &len), 0);
	folded__reader_free(r);
	folded__reader_free(NULL);
	fclose(f);
	free(text);
}
END_TEST

/* folded__map() maps a regular file not yet read from, and nothing else
 * (a stream in memory, a pipe, a file already read from, an empty file):
 * those folded__read() reads. */
START_TEST(test_map)
{
	static const char text[] = "a;b 1\n";
	FILE *f = tmpfile(), *mem = fmemopen((void *)text, 6, "r"), *pipe_f;
	const char *m;
	size_t len = 0;
	int fds[2];

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_null(folded__map(f, "t.folded", &len));	/* empty */
	fputs(text, f);
	ck_assert_ptr_null(folded__map(f, "t.folded", &len));	/* not at its start */
	rewind(f);
	m = folded__map(f, "t.folded", &len);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(len, 6);
	ck_assert(!memcmp(m, text, 6));
	folded__unmap(m, len);
	folded__unmap(NULL, 0);
	ck_assert_int_eq(fgetc(f), 'a');
	ck_assert_ptr_null(folded__map(f, "t.folded", &len));	/* read from */
	fclose(f);
	ck_assert_ptr_null(folded__map(mem, "t.folded", &len));
	fclose(mem);
	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(write(fds[1], text, 6), 6);
	close(fds[1]);
	pipe_f = fdopen(fds[0], "r");
	ck_assert_ptr_null(folded__map(pipe_f, "t.folded", &len));
	fclose(pipe_f);
}
END_TEST

static int collect(void *ctx, const struct folded_line *fl)
{
	char *log = ctx;

	sprintf(log + strlen(log), "%.*s=%g\n", (int)fl->stack_len, fl->stack,
		fl->count[0]);
	return 0;
}

static void emit(void *ctx, enum diag_level level, const char *msg)
{
	(void)level;
	strcat(ctx, msg);
	strcat(ctx, "\n");
}

/* folded__read_text() reads what folded__read() reads, the same way: its
 * lines point into the text. */
START_TEST(test_read_text)
{
	static const char text[] = "a;b 1\n\nbad\n c 2.5\r\nlast 3";
	char got[256] = "", log[256] = "";
	struct diag d = { .emit = emit, .ctx = log };
	struct folded_read r = { .name = "t", .nr_counts = 1, .diag = &d,
				 .max_reports = 5 };

	ck_assert_int_eq(folded__read_text(text, sizeof(text) - 1, &r, collect,
					   got), 0);
	ck_assert_str_eq(got, "a;b=1\n c=2.5\nlast=3\n");
	ck_assert_str_eq(log, "skipped 't' line 3: no count at the end of the "
			      "line\n");
	ck_assert_uint_eq(r.nr_nonblank, 4);
	ck_assert_uint_eq(r.nr_lines, 3);
	ck_assert_uint_eq(r.nr_malformed, 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("folded");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_plain_line);
	tcase_add_test(tc, test_fractional_counts);
	tcase_add_test(tc, test_differential);
	tcase_add_test(tc, test_invalid_lines);
	tcase_add_test(tc, test_blank);
	tcase_add_test(tc, test_reader);
	tcase_add_test(tc, test_map);
	tcase_add_test(tc, test_read_text);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
