/* Unit tests for common/demangle: names as perf 6.1 prints them, that is
 * what libiberty's cplus_demangle() gives with DMGL_NO_OPTS (perf script
 * itself is compared with symtab's names by tests/perf_crosscheck.sh). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

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

/* The half-demangled legacy name s, completed: want, or "" for none. */
static void rust(const char *s, const char *want)
{
	char out[256];
	size_t n = demangle__rust_legacy(s, strlen(s), out, sizeof(out));

	out[n] = '\0';
	ck_assert_str_eq(out, want);
}

START_TEST(test_rust_legacy_text)
{
	rust("_$LT$alloc..vec..Vec$LT$T$GT$$GT$::push::h3c0a7d8e2f9b1c44",
	     "<alloc::vec::Vec<T>>::push");
	rust("core::fmt::write::_$u7b$$u7b$closure$u7d$$u7d$::h0123456789abcdef",
	     "core::fmt::write::{{closure}}");
	rust("emulator::main::hc2aaa9b4591a10c7", "emulator::main");
	rust("_$LT$$RF$$u27$a$u20$T$C$$u20$$BP$const$u20$U$GT$::f::h0000000000000000",
	     "<&'a T, *const U>::f");
	rust("_$LT$F$u20$as$u20$core..ops..FnOnce$LT$$LP$$RP$$GT$$GT$::call_once::hffffffffffffffff",
	     "<F as core::ops::FnOnce<()>>::call_once");
	rust("x$SP$y::h0123456789abcdef", "x@y");
	/* non-ASCII escapes as UTF-8; control characters are not decoded */
	rust("caf$u e9$::h0123456789abcdef", "caf$u e9$");
	rust("caf$ue9$::h0123456789abcdef", "caf\xc3\xa9");
	rust("a$u7$b::h0123456789abcdef", "a$u7$b");
	/* an escape not known: the element's rest as it is */
	rust("a$XX$b$LT$::h0123456789abcdef", "a$XX$b$LT$");
	/* not a legacy Rust name: no hash, a hash of the wrong shape, C++ or
	 * C names with '$' */
	rust("_$LT$T$GT$::push", "");
	rust("foo::push::h3c0a7d8e2f9b1c4", "");
	rust("foo::push::h3C0A7D8E2F9B1C44", "");
	rust("foo::push::g3c0a7d8e2f9b1c44", "");
	rust("::h3c0a7d8e2f9b1c44", "");
	rust("std::vector<int>::push_back", "");
	rust("$x$y", "");
	rust("foo$bar", "");
}
END_TEST

START_TEST(test_rust_legacy_text_fits)
{
	const char *s = "_$LT$alloc..vec..Vec$LT$T$GT$$GT$::push::h3c0a7d8e2f9b1c44";
	char out[64];

	/* "<alloc::vec::Vec<T>>::push" is 26 bytes */
	ck_assert_uint_eq(demangle__rust_legacy(s, strlen(s), out, 26), 26);
	ck_assert_uint_eq(demangle__rust_legacy(s, strlen(s), out, 25), 0);
}
END_TEST

static Suite *demangle_suite(void)
{
	Suite *s = suite_create("demangle");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_cxx);
	tcase_add_test(tc, test_rust);
	tcase_add_test(tc, test_not_mangled);
	tcase_add_test(tc, test_rust_legacy_text);
	tcase_add_test(tc, test_rust_legacy_text_fits);
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
