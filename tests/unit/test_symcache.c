/* Unit tests for common/symcache: each source is loaded once, failures are
 * remembered, and the right loader runs for each kind. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "symcache.h"

START_TEST(test_dso_once)
{
	struct symtab_paths none = { 0 };
	struct symcache *sc = symcache__new(&none, NULL);
	const struct symtab *a, *b;
	uint8_t id[SYMTAB_BUILD_ID_MAX];
	int n;

	ck_assert_ptr_nonnull(sc);
	/* Any ELF file on the machine will do: this test binary. */
	a = symcache__dso(sc, "/proc/self/exe", NULL, 0);
	ck_assert_ptr_nonnull(a);
	b = symcache__dso(sc, "/proc/self/exe", NULL, 0);
	ck_assert_ptr_eq(a, b);
	ck_assert_uint_gt(symtab__count(a), 0);
	/* Another build id is another entry: here, a wrong one that no file
	 * matches, remembered as missing. */
	n = symtab__read_build_id("/proc/self/exe", id, sizeof(id));
	ck_assert_int_gt(n, 0);
	id[0] ^= 0xff;
	ck_assert_ptr_null(symcache__dso(sc, "/proc/self/exe", id, (size_t)n));
	ck_assert_ptr_null(symcache__dso(sc, "/proc/self/exe", id, (size_t)n));
	id[0] ^= 0xff;
	ck_assert_ptr_eq(symcache__dso(sc, "/proc/self/exe", id, (size_t)n),
			 symcache__dso(sc, "/proc/self/exe", id, (size_t)n));
	ck_assert_ptr_null(symcache__dso(sc, "/nonexistent", NULL, 0));
	symcache__free(sc);
	symcache__free(NULL);
}
END_TEST

START_TEST(test_many_dsos_grow)
{
	struct symcache *sc = symcache__new(NULL, NULL);
	char path[64];
	int i;

	for (i = 0; i < 1000; i++) {
		snprintf(path, sizeof(path), "/nonexistent/%d.so", i);
		ck_assert_ptr_null(symcache__dso(sc, path, NULL, 0));
	}
	ck_assert_ptr_nonnull(symcache__dso(sc, "/proc/self/exe", NULL, 0));
	symcache__free(sc);
}
END_TEST

START_TEST(test_vdso)
{
	struct symcache *sc = symcache__new(NULL, NULL);
	const struct symtab *st = symcache__dso(sc, "[vdso]", NULL, 0);
	uint8_t bogus[20] = { 0xde, 0xad };

	ck_assert_ptr_nonnull(st);
	ck_assert_uint_gt(symtab__count(st), 0);
	ck_assert_ptr_eq(symcache__dso(sc, "[vdso]", NULL, 0), st);
	/* A build id neither perf's cache nor this kernel has. */
	ck_assert_ptr_null(symcache__dso(sc, "[vdso]", bogus, sizeof(bogus)));
	symcache__free(sc);
}
END_TEST

START_TEST(test_perfmap_dir)
{
	char dir[] = "/tmp/perffold-symcache-XXXXXX", path[128];
	struct symcache *sc = symcache__new(NULL, NULL);
	const struct perfmap *pm;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/perf-31337.map", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("1000 10 py::f:a.py\n", f);
	fclose(f);
	ck_assert_int_eq(symcache__set_perf_map_dir(sc, dir), 0);
	pm = symcache__perfmap(sc, 31337);
	ck_assert_ptr_nonnull(pm);
	ck_assert_str_eq(perfmap__lookup(pm, 0x1001, NULL), "py::f:a.py");
	/* Loaded once: removing the file changes nothing. */
	unlink(path);
	ck_assert_ptr_eq(symcache__perfmap(sc, 31337), pm);
	ck_assert_ptr_null(symcache__perfmap(sc, 31338));
	rmdir(dir);
	symcache__free(sc);
}
END_TEST

START_TEST(test_kallsyms_and_jitdump)
{
	char path[4096];
	struct symcache *sc = symcache__new(NULL, NULL);
	const struct jitdump *jd;

	ck_assert_int_eq(symcache__set_kallsyms_path(sc, "/nonexistent"), 0);
	ck_assert_ptr_null(symcache__kallsyms(sc));
	ck_assert_ptr_null(symcache__kallsyms(sc));
	snprintf(path, sizeof(path), "%s/py313-fib.jit.dump",
		 getenv("PERFFOLD_TEST_DATA"));
	jd = symcache__jitdump(sc, path);
	ck_assert_ptr_nonnull(jd);
	ck_assert_ptr_eq(symcache__jitdump(sc, path), jd);
	ck_assert_uint_eq(jitdump__count(jd), 211);
	symcache__free(sc);
}
END_TEST

static Suite *symcache_suite(void)
{
	Suite *s = suite_create("symcache");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_dso_once);
	tcase_add_test(tc, test_many_dsos_grow);
	tcase_add_test(tc, test_vdso);
	tcase_add_test(tc, test_perfmap_dir);
	tcase_add_test(tc, test_kallsyms_and_jitdump);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(symcache_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
