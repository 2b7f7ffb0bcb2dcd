/* Unit tests for common/pycmd: the script of a Python command line and the
 * name flamerun gives its outputs. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>

#include "pycmd.h"

START_TEST(test_script)
{
	char *const plain[] = {"dir/prog.py", "-c", "x"};
	char *const opts[] = {"-X", "importtime", "-W", "error", "-u",
			      "my prog.py"};
	char *const code[] = {"-I", "-c", "import json"};
	char *const mod[] = {"-m", "http.server", "8000"};
	char *const in[] = {"-"};
	char *const none[] = {"-u", "-X", "dev"};
	char name[64];

	ck_assert_int_eq(pycmd__script(plain, 3, name, sizeof(name)), 0);
	ck_assert_str_eq(name, "prog");
	ck_assert_int_eq(pycmd__script(opts, 6, name, sizeof(name)), 5);
	ck_assert_str_eq(name, "my_prog");
	ck_assert_int_eq(pycmd__script(code, 3, name, sizeof(name)), -1);
	ck_assert_str_eq(name, "python");
	ck_assert_int_eq(pycmd__script(mod, 3, name, sizeof(name)), -1);
	ck_assert_str_eq(name, "http.server");
	ck_assert_int_eq(pycmd__script(in, 1, name, sizeof(name)), -1);
	ck_assert_str_eq(name, "stdin");
	ck_assert_int_eq(pycmd__script(none, 3, name, sizeof(name)), -ENOENT);
	ck_assert_int_eq(pycmd__script(none, 0, name, sizeof(name)), -ENOENT);
}
END_TEST

START_TEST(test_name)
{
	char name[8];

	pycmd__name("a/b/fib-fact.py", name, sizeof(name));
	ck_assert_str_eq(name, "fib-fac");	/* cut to the buffer */
	pycmd__name("/x/.py", name, sizeof(name));
	ck_assert_str_eq(name, ".py");
	pycmd__name("dir/", name, sizeof(name));
	ck_assert_str_eq(name, "python");
	pycmd__name("caf\xc3\xa9;$.py", name, sizeof(name));
	ck_assert_str_eq(name, "caf____");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pycmd");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_script);
	tcase_add_test(tc, test_name);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
