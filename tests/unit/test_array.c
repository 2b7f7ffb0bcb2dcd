/* Unit tests for common/array. */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "array.h"

START_TEST(test_reserve_grows_and_keeps)
{
	int *a = NULL;
	size_t cap = 0, i;

	ck_assert_int_eq(array__reserve((void **)&a, &cap, 1, sizeof(*a)), 0);
	ck_assert_uint_eq(cap, 256);
	for (i = 0; i < 256; i++)
		a[i] = (int)i;
	ck_assert_int_eq(array__reserve((void **)&a, &cap, 1000, sizeof(*a)), 0);
	ck_assert_uint_eq(cap, 1024);
	ck_assert_int_eq(a[255], 255);
	/* no shrinking, no change when there is room */
	ck_assert_int_eq(array__reserve((void **)&a, &cap, 10, sizeof(*a)), 0);
	ck_assert_uint_eq(cap, 1024);
	free(a);
}
END_TEST

START_TEST(test_reserve_overflow_fails_cleanly)
{
	char *a = NULL;
	size_t cap = 0;

	ck_assert_int_eq(array__reserve((void **)&a, &cap, SIZE_MAX, 16), -ENOMEM);
	ck_assert_ptr_null(a);
	ck_assert_uint_eq(cap, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("array");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_reserve_grows_and_keeps);
	tcase_add_test(tc, test_reserve_overflow_fails_cleanly);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
