/* Unit tests for common/kallsyms, over kallsyms files written here, and
 * over this machine's /proc/kallsyms. */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cachefx.h"
#include "fcache.h"
#include "kallsyms.h"
#include "symarr.h"

static char *write_tmp(const char *text)
{
	static char path[64];
	int fd;

	strcpy(path, "/tmp/perffold-kallsyms-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static const char sample[] =
	"ffffffff81000000 T _text\n"
	"ffffffff81000000 T startup_64\n"
	"ffffffff81000100 t local_func\n"
	"ffffffff81000200 W weak_func\n"
	"ffffffff81000200 T strong_func\n"
	"ffffffff81000300 r some_rodata\n"
	"ffffffff81000400 D some_data\n"
	"ffffffff81000500 a absolute_sym\n"
	"this line is garbage\n"
	"ffffffff81000600 T last_kernel\n"
	"ffffffffc0001000 t mod_init\t[mymod]\n"
	"ffffffffc0001040 T mod_work\t[mymod]\n"
	"ffffffffc0002000 T other_fn\t[othermod]\n";

START_TEST(test_lookup)
{
	char *path = write_tmp(sample);
	struct kallsyms *ks = kallsyms__open(path, NULL);
	const char *mod = "unset";
	uint64_t off = 0;

	unlink(path);
	ck_assert_ptr_nonnull(ks);
	ck_assert(!kallsyms__is_restricted(ks));
	ck_assert_uint_eq(kallsyms__nr_bad_lines(ks), 1);
	/* Same address: ends are fixed first, so the last listed wins. */
	ck_assert_str_eq(kallsyms__lookup(ks, 0xffffffff81000010ULL, &off,
					  &mod), "startup_64");
	ck_assert_uint_eq(off, 0x10);
	ck_assert_ptr_null(mod);
	ck_assert_str_eq(kallsyms__lookup(ks, 0xffffffff810001ffULL, &off,
					  NULL), "local_func");
	ck_assert_str_eq(kallsyms__lookup(ks, 0xffffffff81000250ULL, NULL,
					  NULL), "strong_func");
	/* 'r' and 'a' are dropped: strong_func runs on to some_data. */
	ck_assert_str_eq(kallsyms__lookup(ks, 0xffffffff81000350ULL, NULL,
					  NULL), "strong_func");
	ck_assert_str_eq(kallsyms__lookup(ks, 0xffffffff81000450ULL, NULL,
					  NULL), "some_data");
	/* The last kernel symbol before a module ends at a page boundary. */
	ck_assert_str_eq(kallsyms__lookup(ks, 0xffffffff81001fffULL, NULL,
					  NULL), "last_kernel");
	ck_assert_ptr_null(kallsyms__lookup(ks, 0xffffffff81002000ULL, NULL,
					    NULL));
	ck_assert_str_eq(kallsyms__lookup(ks, 0xffffffffc0001044ULL, &off,
					  &mod), "mod_work");
	ck_assert_uint_eq(off, 4);
	ck_assert_str_eq(mod, "mymod");
	ck_assert_str_eq(kallsyms__lookup(ks, 0xffffffffc0002001ULL, NULL,
					  &mod), "other_fn");
	ck_assert_str_eq(mod, "othermod");
	ck_assert_uint_eq(kallsyms__count(ks), 8);
	kallsyms__free(ks);
}
END_TEST

START_TEST(test_restricted)
{
	char *path = write_tmp("0000000000000000 T _text\n"
			       "0000000000000000 T startup_64\n"
			       "0000000000000000 t foo\t[mod]\n");
	struct kallsyms *ks = kallsyms__open(path, NULL);

	unlink(path);
	ck_assert_ptr_nonnull(ks);
	ck_assert(kallsyms__is_restricted(ks));
	ck_assert_ptr_null(kallsyms__lookup(ks, 0, NULL, NULL));
	kallsyms__free(ks);
}
END_TEST

START_TEST(test_missing)
{
	errno = 0;
	ck_assert_ptr_null(kallsyms__open("/nonexistent/kallsyms", NULL));
	ck_assert_int_eq(errno, ENOENT);
	kallsyms__free(NULL);
}
END_TEST

/* The live table: readable and, as root with kptr_restrict 0 here, with
 * real addresses; a known core symbol is found at its own address. */
START_TEST(test_proc)
{
	struct kallsyms *ks = kallsyms__open(NULL, NULL);
	FILE *f = fopen("/proc/kallsyms", "r");
	unsigned long long addr = 0;
	char type, name[256];
	uint64_t off = 1;

	ck_assert_ptr_nonnull(ks);
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_gt(kallsyms__count(ks), 1000);
	while (fscanf(f, "%llx %c %255s%*[^\n]", &addr, &type, name) == 3)
		if (!strcmp(name, "schedule"))
			break;
	fclose(f);
	if (kallsyms__is_restricted(ks)) {
		ck_assert_uint_eq(addr, 0);
	} else {
		ck_assert_str_eq(kallsyms__lookup(ks, addr, &off, NULL),
				 "schedule");
		ck_assert_uint_eq(off, 0);
	}
	kallsyms__free(ks);
}
END_TEST

/* What differs between interval i of fast and of ref (the same sealed
 * interval, answered by the same range, name and module), or NULL.
 * Compared without an assertion per field: Check records every passing
 * ck_assert (a write to its message file), which over the 100,000-odd
 * intervals of /proc/kallsyms took seconds (past Check's default timeout
 * under ASan). */
static const char *interval_diff(const struct kallsyms *fast,
				 const struct kallsyms *ref, size_t i,
				 uint64_t *base)
{
	const struct symarr *x = kallsyms__symarr(fast);
	const struct symarr *y = kallsyms__symarr(ref);
	const char *mx = NULL, *my = NULL, *nx, *ny;
	uint64_t by, ox = 0, oy = 0;
	const struct symarr_sym *sx = symarr__interval(x, i, base);
	const struct symarr_sym *sy = symarr__interval(y, i, &by);

	if (*base != by)
		return "base";
	if (!sx != !sy)
		return "presence of a symbol";
	if (!sx)
		return NULL;
	if (sx->start != sy->start)
		return "start";
	if (sx->end != sy->end)
		return "end";
	if (strcmp(sx->name, sy->name))
		return "name";
	if (sx->tag != sy->tag)
		return "tag";
	if (kallsyms__is_restricted(fast))
		return NULL;
	nx = kallsyms__lookup(fast, *base, &ox, &mx);
	ny = kallsyms__lookup(ref, by, &oy, &my);
	if (!nx || !ny || strcmp(nx, ny))
		return "looked-up name";
	if (ox != oy)
		return "looked-up offset";
	if (!mx != !my || (mx && strcmp(mx, my)))
		return "module";
	return NULL;
}

/* kallsyms__open() and kallsyms__open_reference() (strtoull() on every line,
 * perf's tree) give the same table: the same sealed intervals, each
 * answered by the same range, name and module. */
static void assert_same_tables(struct kallsyms *fast, struct kallsyms *ref)
{
	size_t i, n;

	ck_assert_ptr_nonnull(fast);
	ck_assert_ptr_nonnull(ref);
	ck_assert_int_eq(kallsyms__is_restricted(fast),
			 kallsyms__is_restricted(ref));
	ck_assert_uint_eq(kallsyms__nr_bad_lines(fast),
			  kallsyms__nr_bad_lines(ref));
	ck_assert_uint_eq(kallsyms__count(fast), kallsyms__count(ref));
	n = symarr__nr_intervals(kallsyms__symarr(fast));
	ck_assert_uint_gt(n, 0);
	ck_assert_uint_eq(symarr__nr_intervals(kallsyms__symarr(ref)), n);
	for (i = 0; i < n; i++) {
		uint64_t base;
		const char *what = interval_diff(fast, ref, i, &base);

		if (what)
			ck_abort_msg("interval %zu (at %#" PRIx64 "): %s differs",
				     i, base, what);
	}
	kallsyms__free(fast);
	kallsyms__free(ref);
}

static void assert_same_as_reference(const char *path)
{
	assert_same_tables(kallsyms__open(path, NULL),
			   kallsyms__open_reference(path, NULL));
}

/* Lines the hand parser leaves to strtoull(), duplicates across the
 * kernel/module boundary, modules out of order, a symbol near the top of
 * the address space, no final newline. */
static const char odd[] =
	"ffffffff81000000 T _text\n"
	"FFFFFFFF81000010 T upper_hex\n"
	"0xffffffff81000020 T with_prefix\n"
	"  ffffffff81000030 T leading_space\n"
	"0000ffffffff81000040 T twenty_digits\n"
	"1ffffffff81000050 T too_big\n"
	"ffffffff81000060 t\n"
	"ffffffff81000070  T two_spaces\n"
	"\n"
	"ffffffff81000080 W SyS_read\n"
	"ffffffff81000080 T sys_read\n"
	"ffffffff81000080 t __sys_read\n"
	"ffffffff81001000 T kernel_last\n"
	"ffffffff81001000 t shared_start\t[modb]\n"
	"ffffffffc0003000 t b_fn\t[modb]\n"
	"ffffffffc0001000 T a_fn\t[moda]\n"
	"ffffffffc0001000 T a_alias\t[moda]\n"
	"ffffffffc0002000 t a_fn2\t[moda";

/* Lines on the edge of the word-at-a-time scan (scan_fast()): a type
 * that is a newline, an empty name, a tab in a long name, names ending
 * exactly at 8 and 16 bytes, digits that are not hex at each place, and a
 * last line of 20 bytes without a newline. */
static const char fast_edges[] =
	"ffffffff81000000 T _text\n"
	"ffffffff81000010 \n ffffffff81000011 T after_newline_type\n"
	"ffffffff81000020 T \n"
	"ffffffff81000030 T a_rather_long_name_past_sixteen\tno_bracket\n"
	"ffffffff81000040 t exactly8\n"
	"ffffffff81000050 t exactly_sixteen1\n"
	"ffffffff8100006g T not_hex_last\n"
	"gfffffff81000070 T not_hex_first\n"
	"ffffffff:1000080 T colon\n"
	"FfFfFfFf810000A0 W MiXeD\n"
	"ffffffff810000b0 T name\twith\ttabs\t[modt]\n"
	"ffffffffc0000000 t mod_fn\t[mod_a]\n"
	"ffffffffc0000010 t mod_fn2\t[mod_a]\n"
	"ffffffffc0001000 T x\t[\n"
	"ffffffffc0002000 T y\t\n"
	"ffffffffc0003000 t z";

START_TEST(test_same_as_reference)
{
	const char *texts[] = { sample, odd, fast_edges,
				/* Ends past UINT64_MAX: the tree decides. */
				"ffffffff81000000 T _text\n"
				"fffffffffffff800 T top\t[modc]\n",
				"0000000000000000 T _text\n"
				"0000000000000000 t foo\t[mod]\n",
				"ffffffff81000000 T only\n",
				"garbage\n" };
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		char *path = write_tmp(texts[i]);

		assert_same_as_reference(path);
		unlink(path);
	}
	assert_same_as_reference("/proc/kallsyms");
}
END_TEST

/* Everything a table tells besides its symbols: the same. */
static void assert_same_extras(const struct kallsyms *a,
			       const struct kallsyms *b)
{
	uint64_t alo, ahi, blo, bhi, aref, bref;
	size_t i;

	ck_assert_uint_eq(kallsyms__nr_modules(a), kallsyms__nr_modules(b));
	for (i = 0; i < kallsyms__nr_modules(a); i++) {
		ck_assert_str_eq(kallsyms__module(a, i, &alo, &ahi),
				 kallsyms__module(b, i, &blo, &bhi));
		ck_assert_uint_eq(alo, blo);
		ck_assert_uint_eq(ahi, bhi);
	}
	ck_assert_int_eq(kallsyms__ref_addr(a, "_text", &aref),
			 kallsyms__ref_addr(b, "_text", &bref));
	if (!kallsyms__ref_addr(a, "_text", &aref))
		ck_assert_uint_eq(aref, bref);
	ck_assert_int_eq(kallsyms__is_restricted(a), kallsyms__is_restricted(b));
}

static int nr_entries(const char *dir)
{
	char cmd[PATH_MAX];
	FILE *f;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls '%s'/*/ 2>/dev/null | grep -c '^kallsyms-'",
		 dir);
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%d", &n), 1);
	pclose(f);
	return n;
}

/* Through a cache: a copy read before comes from the cache (a name changed
 * in the entry shows) and answers as a fresh read; a table with malformed
 * lines, and /proc/kallsyms (which says it is empty), are not kept; a
 * damaged entry is read afresh. */
START_TEST(test_cached)
{
	char dir[] = "/tmp/kallsyms-cache-XXXXXX", cmd[PATH_MAX + 128];
	static const char clean[] =
		"ffffffff81000000 T _text\n"
		"ffffffff81000100 t local_func\n"
		"ffffffff81000200 W weak_func\n"
		"ffffffff81000200 T strong_func\n"
		"ffffffff81000600 T last_kernel\n"
		"ffffffffc0000000 t mod_fn\t[mymod]\n"
		"ffffffffc0001040 T mod_work\t[mymod]\n"
		"ffffffffc0002000 T other_fn\t[othermod]\n";
	const char *texts[] = { clean, "ffffffff81000000 T only\n" };
	struct fcache *cache;
	struct kallsyms *ks;
	char *path;
	size_t i;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	cache = fcache__new(dir);
	ck_assert_ptr_nonnull(cache);
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct kallsyms *plain, *cold, *warm;

		path = write_tmp(texts[i]);
		plain = kallsyms__open(path, NULL);
		cold = kallsyms__open_cached(path, cache, NULL);
		ck_assert_int_eq(nr_entries(dir), (int)i + 1);
		warm = kallsyms__open_cached(path, cache, NULL);
		assert_same_extras(plain, warm);
		assert_same_extras(plain, cold);
		assert_same_tables(warm, kallsyms__open_reference(path, NULL));
		assert_same_tables(cold, plain);
		unlink(path);
	}
	path = write_tmp(sample);	/* a malformed line: read, not kept */
	ks = kallsyms__open_cached(path, cache, NULL);
	ck_assert_uint_eq(kallsyms__nr_bad_lines(ks), 1);
	kallsyms__free(ks);
	ck_assert_int_eq(nr_entries(dir), 2);
	unlink(path);
	kallsyms__free(kallsyms__open_cached("/proc/kallsyms", cache, NULL));
	ck_assert_int_eq(nr_entries(dir), 2);

	snprintf(cmd, sizeof(cmd), "rm '%s'/*/kallsyms-*", dir);
	ck_assert_int_eq(system(cmd), 0);
	path = write_tmp(texts[0]);
	kallsyms__free(kallsyms__open_cached(path, cache, NULL));
	snprintf(cmd, sizeof(cmd), "perl -pi -e 's/mod_fn\\0/MOD_FN\\0/' "
		 "'%s'/*/kallsyms-*", dir);
	ck_assert_int_eq(system(cmd), 0);
	ks = kallsyms__open_cached(path, cache, NULL);
	ck_assert_str_eq(kallsyms__lookup(ks, 0xffffffffc0000000ULL, NULL,
					  NULL), "MOD_FN");
	kallsyms__free(ks);
	snprintf(cmd, sizeof(cmd), "truncate -s -1 '%s'/*/kallsyms-*", dir);
	ck_assert_int_eq(system(cmd), 0);
	ks = kallsyms__open_cached(path, cache, NULL);
	ck_assert_str_eq(kallsyms__lookup(ks, 0xffffffffc0000000ULL, NULL,
					  NULL), "mod_fn");
	kallsyms__free(ks);
	unlink(path);
	fcache__free(cache);
	snprintf(cmd, sizeof(cmd), "rm -r '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* Random damage to a kept table (past the cache's header and key) is
 * refused or gives a table whose every answer can be read (ASan in the
 * sanitizer run), never a read out of bounds. */
START_TEST(test_cached_damage)
{
	char dir[] = "/tmp/kallsyms-damage-XXXXXX", cmd[PATH_MAX + 64];
	char *path = write_tmp("ffffffff81000000 T _text\n"
			       "ffffffff81000100 t local_func\n"
			       "ffffffffc0000000 t mod_fn\t[mymod]\n"
			       "ffffffffc0002000 T other_fn\t[othermod]\n");
	struct cachefx fx;
	struct fcache *cache;
	int round;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	cache = fcache__new(dir);
	kallsyms__free(kallsyms__open_cached(path, cache, NULL));
	cachefx__open(&fx, dir, "kallsyms");
	for (round = 0; round < 300; round++) {
		struct kallsyms *ks;
		uint64_t start, off;
		const char *mod;
		size_t i;

		cachefx__damage(&fx, 1);
		ks = kallsyms__open_cached(path, cache, NULL);
		ck_assert_ptr_nonnull(ks);
		for (i = 0; i < symarr__nr_intervals(kallsyms__symarr(ks)); i++) {
			const char *name;

			symarr__interval(kallsyms__symarr(ks), i, &start);
			mod = NULL;
			name = kallsyms__lookup(ks, start, &off, &mod);
			if (name)
				ck_assert_uint_lt(strlen(name), fx.len);
			if (mod)
				ck_assert_uint_lt(strlen(mod), fx.len);
		}
		for (i = 0; i < kallsyms__nr_modules(ks); i++)
			ck_assert_ptr_nonnull(kallsyms__module(ks, i, &start,
							       &off));
		kallsyms__free(ks);
	}
	cachefx__close(&fx);
	unlink(path);
	fcache__free(cache);
	snprintf(cmd, sizeof(cmd), "rm -r '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* The reference symbol perf relocates by: the first line of a function or
 * 'A' type with exactly that name; then core symbols move, modules stay. */
START_TEST(test_relocate)
{
	char *path = write_tmp("ffffffff81000000 D _stext\n"
			       "ffffffff81000000 T _stext\t[mod]\n"
			       "ffffffff81000000 A _text\n"
			       "ffffffff81000000 T _stext\n"
			       "ffffffff81000100 T _text\n"
			       "ffffffff81000000 T startup_64\n"
			       "ffffffff81001000 t do_work\n"
			       "ffffffff81002000 T last_core\n"
			       "ffffffffc0001000 t mod_fn\t[mod]\n"
			       "ffffffffc0001800 D mod_data\t[mod]\n"
			       "ffffffffc0000800 t mod_first\t[mod]\n"
			       "ffffffffc0005000 T other\t[bpf]\n");
	struct kallsyms *ks = kallsyms__open(path, NULL);
	const char *mod = "unset";
	uint64_t addr = 0, lo, hi, off = 0;

	unlink(path);
	ck_assert_ptr_nonnull(ks);
	ck_assert_int_eq(kallsyms__ref_addr(ks, "_text", &addr), 0);
	ck_assert_uint_eq(addr, 0xffffffff81000000ULL);
	ck_assert_int_eq(kallsyms__ref_addr(ks, "_stext", &addr), 0);
	ck_assert_uint_eq(addr, 0xffffffff81000000ULL);
	ck_assert_int_eq(kallsyms__ref_addr(ks, "startup_64", &addr), -ENOENT);
	ck_assert_uint_eq(kallsyms__nr_modules(ks), 2);
	ck_assert_str_eq(kallsyms__module(ks, 0, &lo, &hi), "mod");
	/* D symbols are no text; the module's _stext line is */
	ck_assert_uint_eq(lo, 0xffffffff81000000ULL);
	ck_assert_uint_eq(hi, 0xffffffffc0001000ULL);
	ck_assert_str_eq(kallsyms__module(ks, 1, &lo, &hi), "bpf");
	ck_assert_uint_eq(lo, hi);

	/* recorded with _text at 0xffffffff9a000000: everything core is
	 * 0x19000000 higher than listed */
	kallsyms__relocate(ks, 0xffffffff81000000ULL - 0xffffffff9a000000ULL);
	ck_assert_str_eq(kallsyms__lookup(ks, 0xffffffff9a001010ULL, &off,
					  &mod), "do_work");
	ck_assert_uint_eq(off, 0x10);
	ck_assert_ptr_null(mod);
	ck_assert_ptr_null(kallsyms__lookup(ks, 0xffffffff81001010ULL, NULL,
					    NULL));
	ck_assert_str_eq(kallsyms__lookup(ks, 0xffffffffc0001004ULL, &off,
					  &mod), "mod_fn");
	ck_assert_uint_eq(off, 4);
	ck_assert_str_eq(mod, "mod");
	kallsyms__relocate(ks, 0);
	ck_assert_str_eq(kallsyms__lookup(ks, 0xffffffff81001010ULL, NULL,
					  NULL), "do_work");
	kallsyms__free(ks);
}
END_TEST

static Suite *kallsyms_suite(void)
{
	Suite *s = suite_create("kallsyms");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_lookup);
	tcase_add_test(tc, test_restricted);
	tcase_add_test(tc, test_missing);
	tcase_add_test(tc, test_proc);
	tcase_add_test(tc, test_same_as_reference);
	tcase_add_test(tc, test_cached);
	tcase_add_test(tc, test_cached_damage);
	tcase_add_test(tc, test_relocate);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(kallsyms_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
