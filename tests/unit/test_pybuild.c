/* Unit tests for common/pybuild: an eval loop's prologue, read from ELF
 * files built from tests/data/fx_eval.c with and without frame pointers
 * (directory in $PERFFOLD_FX_DIR). */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "pybuild.h"

static const char *fx(const char *name)
{
	static char path[4096];
	const char *d = getenv("PERFFOLD_FX_DIR");

	ck_assert_msg(d != NULL, "PERFFOLD_FX_DIR is not set");
	snprintf(path, sizeof(path), "%s/%s", d, name);
	return path;
}

START_TEST(test_frame_pointer)
{
	ck_assert_int_eq(pybuild__eval_has_fp(fx("libfx_eval_fp.so")), 1);
}
END_TEST

START_TEST(test_no_frame_pointer)
{
	ck_assert_int_eq(pybuild__eval_has_fp(fx("libfx_eval_nofp.so")), 0);
}
END_TEST

START_TEST(test_cannot_tell)
{
	/* an ELF file with no eval loop, a file that is not ELF, none */
	ck_assert_int_eq(pybuild__eval_has_fp(fx("libfx.so")), -ENOENT);
	ck_assert_int_eq(pybuild__eval_has_fp(fx("fx_pie.nm")), -ENOEXEC);
	ck_assert_int_eq(pybuild__eval_has_fp(fx("no-such-file")), -ENOENT);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pybuild");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_frame_pointer);
	tcase_add_test(tc, test_no_frame_pointer);
	tcase_add_test(tc, test_cannot_tell);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
