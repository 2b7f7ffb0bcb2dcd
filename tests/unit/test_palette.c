/* Unit tests for common/palette. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "palette.h"

static struct palette_rgb color(struct palette *p, const char *name)
{
	return palette__color(p, name, strlen(name));
}

static int same(struct palette_rgb a, struct palette_rgb b)
{
	return a.r == b.r && a.g == b.g && a.b == b.b;
}

START_TEST(test_kinds)
{
	ck_assert_int_eq(palette__kind("hot"), PALETTE_HOT);
	ck_assert_int_eq(palette__kind("python"), PALETTE_PYTHON);
	ck_assert_int_eq(palette__kind("orange"), PALETTE_ORANGE);
	ck_assert_int_eq(palette__kind("rainbow"), -1);
	ck_assert_str_eq(palette__kind_name(PALETTE_WAKEUP), "wakeup");
}
END_TEST

START_TEST(test_hash_is_stable_and_in_range)
{
	struct palette *p = palette__new(PALETTE_HOT);
	struct palette *q = palette__new(PALETTE_HOT);
	char name[32];
	int i, differ = 0;

	for (i = 0; i < 1000; i++) {
		struct palette_rgb c;

		snprintf(name, sizeof(name), "func_%d", i);
		c = color(p, name);
		ck_assert(same(c, color(q, name)));
		/* hot: red 205-255, green 0-230, blue 0-55 */
		ck_assert_uint_ge(c.r, 205);
		ck_assert_uint_le(c.g, 230);
		ck_assert_uint_le(c.b, 55);
		differ += !same(c, color(p, "func_0"));
	}
	ck_assert_int_gt(differ, 990);
	palette__free(p);
	palette__free(q);
}
END_TEST

START_TEST(test_python_hues)
{
	struct palette *p = palette__new(PALETTE_PYTHON);
	struct palette_rgb user = color(p, "fib (app/fib.py)");
	struct palette_rgb py = color(p, "py::main:/home/u/app/main.py");
	struct palette_rgb std = color(p, "loads (/usr/lib/python3.12/json/__init__.py)");
	struct palette_rgb site = color(p, "get (site-packages/requests/api.py)");
	struct palette_rgb native = color(p, "PyObject_Call");
	struct palette_rgb kernel = color(p, "do_syscall_64_[k]");

	/* user code green, stdlib olive, site-packages teal, native red,
	 * kernel orange */
	ck_assert(user.g > 190 && user.r < 135 && user.b < 105);
	ck_assert(py.g > 190 && py.r < 135);
	ck_assert(std.r >= 160 && std.g >= 170 && std.b <= 120);
	ck_assert(site.b >= 170 && site.r <= 80);
	ck_assert(native.r >= 200 && native.g <= 130);
	ck_assert(kernel.r >= 190 && kernel.b <= 55 && kernel.g >= 90);
	palette__free(p);
}
END_TEST

START_TEST(test_java_hues)
{
	struct palette *p = palette__new(PALETTE_JAVA);

	ck_assert_uint_ge(color(p, "java/util/HashMap.get").g, 200);
	ck_assert_uint_ge(color(p, "std::vector::push_back").r, 175);
	ck_assert_uint_ge(color(p, "std::vector::push_back").g, 175);
	ck_assert_uint_ge(color(p, "tcp_sendmsg_[k]").r, 190);
	ck_assert_uint_le(color(p, "tcp_sendmsg_[k]").b, 55);
	palette__free(p);
}
END_TEST

START_TEST(test_map_load_record_save)
{
	struct palette *p = palette__new(PALETTE_HOT);
	const char *map = "zeta->rgb(1,2,3)\n\nalpha->rgb(10,20,30)\n";
	FILE *in = fmemopen((void *)map, strlen(map), "r");
	char *text = NULL;
	size_t len = 0;
	FILE *out;
	struct palette_rgb fresh;

	ck_assert_int_eq(palette__load(p, in, NULL), 0);
	fclose(in);
	ck_assert(same(color(p, "zeta"), (struct palette_rgb){ 1, 2, 3 }));
	fresh = color(p, "beta");	/* not recorded yet */
	palette__record(p);
	ck_assert(same(color(p, "beta"), fresh));
	out = open_memstream(&text, &len);
	ck_assert_int_eq(palette__save(p, out), 0);
	fclose(out);
	{
		char want[128];

		snprintf(want, sizeof(want),
			 "alpha->rgb(10,20,30)\nbeta->rgb(%u,%u,%u)\n"
			 "zeta->rgb(1,2,3)\n", fresh.r, fresh.g, fresh.b);
		ck_assert_str_eq(text, want);
	}
	free(text);
	palette__free(p);
}
END_TEST

static const char *last_msg;
static void keep(void *ctx, enum diag_level level, const char *msg)
{
	static char buf[256];

	(void)ctx;
	(void)level;
	snprintf(buf, sizeof(buf), "%s", msg);
	last_msg = buf;
}

START_TEST(test_map_bad_line)
{
	struct palette *p = palette__new(PALETTE_HOT);
	const char *map = "a->rgb(1,2,3)\nb->rgb(1,2,300)\n";
	FILE *in = fmemopen((void *)map, strlen(map), "r");
	struct diag d = { .emit = keep };

	ck_assert_int_eq(palette__load(p, in, &d), -EINVAL);
	ck_assert_str_eq(last_msg, "line 2: expected name->rgb(R,G,B)");
	fclose(in);
	palette__free(p);
	palette__free(NULL);
}
END_TEST

START_TEST(test_diff_colours)
{
	struct palette_rgb c;

	c = palette__diff(10, 20, 10);	/* grew by the most: deep red */
	ck_assert(c.r == 255 && c.g == 0 && c.b == 0);
	c = palette__diff(20, 15, 10);	/* shrank by half the most */
	ck_assert(c.b == 255 && c.r == 110 && c.g == 110);
	c = palette__diff(5, 5, 10);
	ck_assert(c.r == 250 && c.g == 250 && c.b == 250);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("palette");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_kinds);
	tcase_add_test(tc, test_hash_is_stable_and_in_range);
	tcase_add_test(tc, test_python_hues);
	tcase_add_test(tc, test_java_hues);
	tcase_add_test(tc, test_map_load_record_save);
	tcase_add_test(tc, test_map_bad_line);
	tcase_add_test(tc, test_diff_colours);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
