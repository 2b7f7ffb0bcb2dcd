/* Unit tests for common/foldedit. */
#include <check.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "foldedit.h"

/* Run an in-place edit on a copy of in and compare with want. */
static void check_edit(size_t (*edit)(char *, size_t), const char *in,
		       const char *want)
{
	char buf[256];
	size_t len = strlen(in);

	memcpy(buf, in, len + 1);
	len = edit(buf, len);
	ck_assert_uint_eq(len, strlen(want));
	ck_assert(!memcmp(buf, want, len));
}

START_TEST(test_collapse_recursion)
{
	size_t (*c)(char *, size_t) = foldedit__collapse_recursion;

	check_edit(c, "main;f;f;f;g", "main;f;g");
	check_edit(c, "f;f", "f");
	check_edit(c, "main;f;g;f;f", "main;f;g;f");
	check_edit(c, "a;ab;ab;a", "a;ab;a");
	check_edit(c, "x", "x");
	check_edit(c, "a;;;b", "a;;b");
	/* only whole frames: f and ff differ */
	check_edit(c, "f;ff;fff", "f;ff;fff");
}
END_TEST

START_TEST(test_strip_pid)
{
	size_t (*p)(char *, size_t) = foldedit__strip_pid;

	check_edit(p, "java-1234;main;f", "java;main;f");
	check_edit(p, "java-1234/1240;main", "java;main");
	check_edit(p, "my-app-7/9;x", "my-app;x");
	check_edit(p, "perf-?/?;x", "perf;x");
	check_edit(p, "java-12", "java");
	check_edit(p, "kworker/0:1-123;x", "kworker/0:1;x");
	/* not a pid: left as is */
	check_edit(p, "kworker/u8:2-events;x", "kworker/u8:2-events;x");
	check_edit(p, "java-;x", "java-;x");
	check_edit(p, "-12;x", "-12;x");
	check_edit(p, "java-12/;x", "java-12/;x");
	check_edit(p, "java-1x;x", "java-1x;x");
	check_edit(p, "java;x-12", "java;x-12");
}
END_TEST

static regex_t re;
static struct foldedit_match m = { foldedit__regex_frame, &re };

static void compile(const char *pattern)
{
	ck_assert_int_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
}

static size_t focus(char *s, size_t len)
{
	return foldedit__focus(s, len, &m);
}

static size_t prune(char *s, size_t len)
{
	return foldedit__prune(s, len, &m);
}

START_TEST(test_find)
{
	const char *s = "main;do_work;work;leaf";
	size_t end = 0;

	compile("^work$");
	ck_assert_int_eq(foldedit__find(s, strlen(s), &m, &end), 13);
	ck_assert_uint_eq(end, 17);
	regfree(&re);
	/* anchors at frame bounds, unanchored finds the first, root side */
	compile("work");
	ck_assert_int_eq(foldedit__find(s, strlen(s), &m, &end), 5);
	ck_assert_uint_eq(end, 12);
	regfree(&re);
	compile("^leaf$");
	ck_assert_int_eq(foldedit__find(s, strlen(s), &m, &end), 18);
	ck_assert_uint_eq(end, strlen(s));
	regfree(&re);
	compile("^main;");	/* no frame holds a ';' */
	ck_assert_int_eq(foldedit__find(s, strlen(s), &m, &end), -1);
	regfree(&re);
}
END_TEST

START_TEST(test_focus)
{
	compile("^g");
	check_edit(focus, "main;f;g1;h;g2", "g1;h;g2");
	check_edit(focus, "g;x", "g;x");
	check_edit(focus, "main;f;h", "");
	regfree(&re);
}
END_TEST

START_TEST(test_prune)
{
	compile("^(json|yaml)$");
	check_edit(prune, "main;load;json;parse;scan", "main;load;json");
	check_edit(prune, "main;json", "main;json");
	check_edit(prune, "json;yaml;x", "json");
	check_edit(prune, "main;jsonx;y", "main;jsonx;y");
	regfree(&re);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("foldedit");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_collapse_recursion);
	tcase_add_test(tc, test_strip_pid);
	tcase_add_test(tc, test_find);
	tcase_add_test(tc, test_focus);
	tcase_add_test(tc, test_prune);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
