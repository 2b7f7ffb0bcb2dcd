/* Unit tests for common/numarg: option numbers, their bounds, and what is
 * not a number. */
#include <check.h>
#include <errno.h>
#include <limits.h>

#include "numarg.h"

START_TEST(test_in_bounds)
{
	unsigned long v = 7;

	ck_assert_int_eq(numarg__ulong("999", 1, 1000000, &v), 0);
	ck_assert_uint_eq(v, 999);
	ck_assert_int_eq(numarg__ulong("8", 8, 65528, &v), 0);
	ck_assert_uint_eq(v, 8);
	ck_assert_int_eq(numarg__ulong("65528", 8, 65528, &v), 0);
	ck_assert_uint_eq(v, 65528);
}
END_TEST

START_TEST(test_refused)
{
	static const char *const bad[] = {
		"", "x", "12x", "-1", "+5", "7", "65529", "1e3",
		"99999999999999999999999",	/* ERANGE */
	};
	unsigned long v = 42;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(numarg__ulong(bad[i], 8, 65528, &v) == -EINVAL,
			      "'%s' taken", bad[i]);
		ck_assert_uint_eq(v, 42);
	}
	ck_assert_int_eq(numarg__ulong("4294967296", 1, ULONG_MAX, &v), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("numarg");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int nr_failed;

	tcase_add_test(tc, test_in_bounds);
	tcase_add_test(tc, test_refused);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nr_failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nr_failed ? 1 : 0;
}
