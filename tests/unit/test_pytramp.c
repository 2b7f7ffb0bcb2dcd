/* Unit tests for common/pytramp: the trampoline bytes of real interpreters
 * and the caller's frame at every offset. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pytramp.h"

/* _Py_trampoline_func_start.._end of pyenv's CPython 3.12.1 and 3.13.0
 * libpython (objdump -d), x86-64 */
static const uint8_t py312[] = {
	0x48, 0x83, 0xec, 0x08, 0xff, 0xd1, 0x48, 0x83, 0xc4, 0x08, 0xc3,
};
/* the same built with -fcf-protection (endbr64 first): map size 0xf */
static const uint8_t py312_cet[] = {
	0xf3, 0x0f, 0x1e, 0xfa,
	0x48, 0x83, 0xec, 0x08, 0xff, 0xd1, 0x48, 0x83, 0xc4, 0x08, 0xc3,
};
/* CPython main (3.15), cpython PR #136461 */
static const uint8_t py315[] = {
	0x55, 0x48, 0x89, 0xe5, 0xff, 0xd1, 0x5d, 0xc3,
};
/* aarch64: stp x29,x30,[sp,-16]!; mov x29,sp; blr x3; ldp; ret */
static const uint8_t aarch64[] = {
	0xfd, 0x7b, 0xbf, 0xa9, 0xfd, 0x03, 0x00, 0x91, 0x60, 0x00, 0x3f, 0xd6,
	0xfd, 0x7b, 0xc1, 0xa8, 0xc0, 0x03, 0x5f, 0xd6,
};

START_TEST(test_sub_layout)
{
	struct pytramp t;
	struct pytramp_rule r;

	pytramp__classify(py312, sizeof(py312), &t);
	ck_assert_int_eq(t.kind, PYTRAMP_SUB);
	ck_assert_uint_eq(t.len, 11);
	ck_assert_uint_eq(t.skip, 0);
	ck_assert_int_eq(pytramp__rule(&t, 0, &r), 0);
	ck_assert_int_eq(r.cfa_reg, 7);
	ck_assert_int_eq(r.cfa_off, 8);
	/* a caller's pc - 1 is inside the call: CFA = rsp + 16 */
	ck_assert_int_eq(pytramp__rule(&t, 5, &r), 0);
	ck_assert_int_eq(r.cfa_reg, 7);
	ck_assert_int_eq(r.cfa_off, 16);
	ck_assert_int_eq(r.bp_off, 0);
	ck_assert_int_eq(pytramp__rule(&t, 10, &r), 0);
	ck_assert_int_eq(r.cfa_off, 8);
	ck_assert_int_eq(pytramp__rule(&t, 11, &r), -EINVAL);
}
END_TEST

START_TEST(test_sub_layout_with_endbr64)
{
	struct pytramp t;
	struct pytramp_rule r;

	pytramp__classify(py312_cet, sizeof(py312_cet), &t);
	ck_assert_int_eq(t.kind, PYTRAMP_SUB);
	ck_assert_uint_eq(t.len, 15);
	ck_assert_uint_eq(t.skip, 4);
	ck_assert_int_eq(pytramp__rule(&t, 2, &r), 0);
	ck_assert_int_eq(r.cfa_off, 8);
	ck_assert_int_eq(pytramp__rule(&t, 9, &r), 0);	/* call */
	ck_assert_int_eq(r.cfa_off, 16);
}
END_TEST

START_TEST(test_push_layout)
{
	struct pytramp t;
	struct pytramp_rule r;

	pytramp__classify(py315, sizeof(py315), &t);
	ck_assert_int_eq(t.kind, PYTRAMP_PUSH);
	ck_assert_int_eq(pytramp__rule(&t, 2, &r), 0);	/* after push */
	ck_assert_int_eq(r.cfa_reg, 7);
	ck_assert_int_eq(r.cfa_off, 16);
	ck_assert_int_eq(r.bp_off, -16);
	ck_assert_int_eq(pytramp__rule(&t, 5, &r), 0);	/* in the call */
	ck_assert_int_eq(r.cfa_reg, 6);
	ck_assert_int_eq(r.cfa_off, 16);
	ck_assert_int_eq(r.bp_off, -16);
	ck_assert_int_eq(pytramp__rule(&t, 7, &r), 0);	/* ret */
	ck_assert_int_eq(r.cfa_reg, 7);
	ck_assert_int_eq(r.cfa_off, 8);
	ck_assert_int_eq(r.bp_off, 0);
}
END_TEST

START_TEST(test_unknown_layouts_stop)
{
	struct pytramp t;
	struct pytramp_rule r;
	uint8_t patched[sizeof(py312)];

	pytramp__classify(aarch64, sizeof(aarch64), &t);
	ck_assert_int_eq(t.kind, PYTRAMP_UNKNOWN);
	ck_assert_int_eq(pytramp__rule(&t, 4, &r), -EINVAL);
	memcpy(patched, py312, sizeof(patched));
	patched[3] = 0x18;	/* sub $0x18,%rsp: another frame size */
	pytramp__classify(patched, sizeof(patched), &t);
	ck_assert_int_eq(t.kind, PYTRAMP_UNKNOWN);
	pytramp__classify(py312, 0, &t);
	ck_assert_int_eq(t.kind, PYTRAMP_UNKNOWN);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pytramp");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_sub_layout);
	tcase_add_test(tc, test_sub_layout_with_endbr64);
	tcase_add_test(tc, test_push_layout);
	tcase_add_test(tc, test_unknown_layouts_stop);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
