/* Unit tests for common/demangle: names as perf 6.1 prints them, that is
 * what libiberty's cplus_demangle() gives with DMGL_NO_OPTS (perf script
 * itself is compared with symtab's names by tests/perf_crosscheck.sh). */
#include <check.h>
#include <stdlib.h>

#include "demangle.h"

/* name demangles to want. */
static void expect(const char *name, const char *want)
{
	char *got = demangle__symbol(name);

	ck_assert_msg(got != NULL, "%s not demangled", name);
	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(test_cxx)
{
	/* no parameter lists, no return types */
	expect("_ZN2ns4workEi", "ns::work");
	expect("_ZN2ns3BoxIlE4spinEi", "ns::Box<long>::spin");
	expect("_ZNK3Foo3getEv", "Foo::get");
	expect("_Z3addIiET_S0_S0_", "add<int>");
	expect("_ZN3FooC2Ev", "Foo::Foo");
	expect("_ZN3FooD1Ev", "Foo::~Foo");
}
END_TEST

START_TEST(test_rust)
{
	/* legacy: the trailing hash goes */
	expect("_ZN4core3fmt5write17h0123456789abcdefE", "core::fmt::write");
	/* v0 */
	expect("_RNvCs1234_7mycrate4main", "mycrate::main");
}
END_TEST

START_TEST(test_not_mangled)
{
	ck_assert_ptr_null(demangle__symbol("main"));
	ck_assert_ptr_null(demangle__symbol("py::f:x.py"));
	ck_assert_ptr_null(demangle__symbol("fx_alpha@plt"));
	ck_assert_ptr_null(demangle__symbol(""));
	ck_assert_ptr_null(demangle__symbol("_Z"));
}
END_TEST

static Suite *demangle_suite(void)
{
	Suite *s = suite_create("demangle");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_cxx);
	tcase_add_test(tc, test_rust);
	tcase_add_test(tc, test_not_mangled);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(demangle_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
