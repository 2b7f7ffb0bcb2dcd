/* Unit tests for common/pyinterp: interpreters stood in for by shell
 * scripts in a temporary directory (a pyenv tree, a shim, a bin dir on
 * PATH), answering the probe as a CPython of the version they are named
 * for would. */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pyinterp.h"

static char dir[256];	/* short: the paths made from it fit PATH_MAX */

/* An executable script at dir/rel printing "MAJOR MINOR" (and a
 * libpython line when lib is set) when probed (-I), and the build flags
 * otherwise (has_fp's question). */
static void fake_python(const char *rel, int minor, const char *lib,
			const char *flags)
{
	char path[PATH_MAX], cmd[2 * PATH_MAX];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname %s/%s)\"", dir, rel);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "#!/bin/sh\nif [ \"$1\" = -I ]; then\n"
		"  echo '3 %d'\n%s%s%s  exit 0\nfi\necho '%s'\n", minor,
		lib ? "  echo '" : "", lib ? lib : "", lib ? "'\n" : "",
		flags);
	fclose(f);
	ck_assert_int_eq(chmod(path, 0755), 0);
}

static void setup(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/pyinterp.XXXXXX", tmp ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_probe)
{
	char path[PATH_MAX];
	struct pyinterp py;

	fake_python("bin/python3.11", 11, NULL, "");
	fake_python("bin/python3.12", 12, "/usr/lib/libpython3.12.so.1.0", "");
	snprintf(path, sizeof(path), "%s/bin/python3.11", dir);
	ck_assert_int_eq(pyinterp__probe(path, &py), 0);
	ck_assert_int_eq(py.major, 3);
	ck_assert_int_eq(py.minor, 11);
	ck_assert(!pyinterp__can_perf(&py));
	ck_assert_str_eq(py.eval_file, path);	/* no libpython: itself */
	snprintf(path, sizeof(path), "%s/bin/python3.12", dir);
	ck_assert_int_eq(pyinterp__probe(path, &py), 0);
	ck_assert(pyinterp__can_perf(&py));
	ck_assert_str_eq(py.path, path);
	ck_assert_str_eq(py.eval_file, "/usr/lib/libpython3.12.so.1.0");
	/* something that does not answer as a Python */
	ck_assert_int_eq(pyinterp__probe("/bin/false", &py), -ENOEXEC);
	ck_assert_int_eq(pyinterp__probe("/no/such/python", &py), -ENOENT);
}
END_TEST

START_TEST(test_resolve_path_and_shim)
{
	char want[PATH_MAX], got[PATH_MAX], path[2 * PATH_MAX];
	char *old = strdup(getenv("PATH") ? getenv("PATH") : "");

	fake_python("bin/python3.11", 11, NULL, "");
	/* a pyenv shim whose version is not selected: the newest installed
	 * version with that name (3.12.10 after 3.12.9, by version) */
	fake_python("pyenv/shims/python3.12", 12, NULL, "");
	fake_python("pyenv/versions/3.12.9/bin/python3.12", 12, NULL, "");
	fake_python("pyenv/versions/3.12.10/bin/python3.12", 12, NULL, "");
	fake_python("pyenv/versions/3.13.0/bin/python3.13", 13, NULL, "");
	snprintf(path, sizeof(path), "%s/bin:%s/pyenv/shims", dir, dir);
	setenv("PATH", path, 1);
	snprintf(path, sizeof(path), "%s/pyenv", dir);
	setenv("PYENV_ROOT", path, 1);

	ck_assert_int_eq(pyinterp__resolve("python3.11", got, sizeof(got)), 0);
	snprintf(want, sizeof(want), "%s/bin/python3.11", dir);
	ck_assert_str_eq(got, want);
	ck_assert_int_eq(pyinterp__resolve("python3.12", got, sizeof(got)), 0);
	snprintf(want, sizeof(want), "%s/pyenv/versions/3.12.10/bin/python3.12",
		 dir);
	ck_assert_str_eq(got, want);
	ck_assert_int_eq(pyinterp__resolve("python9.9", got, sizeof(got)),
			 -ENOENT);
	/* a path is taken as it is */
	ck_assert_int_eq(pyinterp__resolve(want, got, sizeof(got)), 0);
	ck_assert_str_eq(got, want);

	/* one that can do perf: 3.12 before 3.13, as scripts/find-python */
	ck_assert_int_eq(pyinterp__find_perf(got, sizeof(got)), 0);
	snprintf(want, sizeof(want), "%s/pyenv/versions/3.12.10/bin/python3.12",
		 dir);
	ck_assert_str_eq(got, want);
	setenv("PATH", old, 1);
	unsetenv("PYENV_ROOT");
	free(old);
}
END_TEST

START_TEST(test_has_fp_asks_the_flags)
{
	struct pyinterp py;
	char path[PATH_MAX];

	/* no ELF to read the eval loop from: the flags decide */
	fake_python("bin/python3.12", 12, NULL, "-O3 -fno-omit-frame-pointer");
	snprintf(path, sizeof(path), "%s/bin/python3.12", dir);
	ck_assert_int_eq(pyinterp__probe(path, &py), 0);
	ck_assert_int_eq(pyinterp__has_fp(&py), 1);
	fake_python("bin/python3.12", 12, NULL, "-O3 -Wall");
	ck_assert_int_eq(pyinterp__has_fp(&py), 0);
}
END_TEST

START_TEST(test_of_pid)
{
	struct pyinterp py;
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	ck_assert_int_gt(n, 0);
	self[n] = 0;
	ck_assert_int_eq(pyinterp__of_pid(getpid(), &py), 0);
	ck_assert_str_eq(py.path, self);
	ck_assert_str_eq(py.eval_file, self);	/* no libpython mapped */
	ck_assert_int_eq(py.major, 0);
	ck_assert_int_lt(pyinterp__of_pid(999999999, &py), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pyinterp");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_probe);
	tcase_add_test(tc, test_resolve_path_and_shim);
	tcase_add_test(tc, test_has_fp_asks_the_flags);
	tcase_add_test(tc, test_of_pid);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
