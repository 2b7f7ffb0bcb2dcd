/* Unit tests for common/intern. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intern.h"

START_TEST(test_same_string_same_id)
{
	struct intern *in = intern__new();
	uint32_t a = intern__add(in, "main", 4);
	uint32_t b = intern__add(in, "mainx", 4);
	uint32_t c = intern__add(in, "func", 4);

	ck_assert_uint_eq(a, 0);
	ck_assert_uint_eq(b, a);
	ck_assert_uint_eq(c, 1);
	ck_assert_str_eq(intern__str(in, c), "func");
	ck_assert_uint_eq(intern__len(in, a), 4);
	ck_assert_uint_eq(intern__count(in), 2);
	ck_assert_uint_eq(intern__find(in, "func", 4), 1);
	ck_assert_uint_eq(intern__find(in, "fun", 3), INTERN_NONE);
	intern__free(in);
}
END_TEST

START_TEST(test_many_strings_survive_growth)
{
	struct intern *in = intern__new();
	char buf[32];
	uint32_t i;

	for (i = 0; i < 100000; i++) {
		int n = snprintf(buf, sizeof(buf), "sym%u", i);

		ck_assert_uint_eq(intern__add(in, buf, (size_t)n), i);
	}
	for (i = 0; i < 100000; i += 997) {
		int n = snprintf(buf, sizeof(buf), "sym%u", i);

		ck_assert_uint_eq(intern__find(in, buf, (size_t)n), i);
		ck_assert_str_eq(intern__str(in, i), buf);
	}
	intern__free(in);
}
END_TEST

START_TEST(test_empty_and_free_null)
{
	struct intern *in = intern__new();

	ck_assert_uint_eq(intern__add(in, "", 0), 0);
	ck_assert_str_eq(intern__str(in, 0), "");
	intern__free(in);
	intern__free(NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("intern");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_same_string_same_id);
	tcase_add_test(tc, test_many_strings_survive_growth);
	tcase_add_test(tc, test_empty_and_free_null);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
