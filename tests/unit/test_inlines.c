/* Unit tests for common/inlines, over fx_inl (tests/data/fx_inline.c built
 * -O2 -g by tests/make_elf_fixtures.sh, directory in $PERFFOLD_FX_DIR).
 * A brute-force walk of the whole unit per address is the reference every
 * address of the unit is checked against. */
#include <check.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cachefx.h"
#include "fcache.h"
#include "inlines.h"

static int fd = -1;
static Dwarf *dw;
static struct fcache_src fsrc;	/* fd, as a cache names it */

static void setup(void)
{
	const char *d = getenv("PERFFOLD_FX_DIR");
	char path[PATH_MAX];

	ck_assert_msg(d != NULL, "PERFFOLD_FX_DIR is not set");
	snprintf(path, sizeof(path), "%s/fx_inl", d);
	fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	fsrc = (struct fcache_src){ .fd = fd };
	dw = dwarf_begin(fd, DWARF_C_READ);
	ck_assert_ptr_nonnull(dw);
}

static void teardown(void)
{
	dwarf_end(dw);
	close(fd);
}

static bool has_code(Dwarf_Die *die)
{
	Dwarf_Addr base, lo, hi;

	return dwarf_ranges(die, 0, &base, &lo, &hi) > 0;
}

/* Brute force, one address at a time: the deepest function DIE holding
 * addr among die's descendants (every function with code entered,
 * whatever its ranges, and every block or scope), as the chain of
 * functions down to it in chain[0..depth] (inl: is it inlined). */
struct hit {
	const char *names[16];
	bool is_inline[16];
	size_t depth;
};

static void brute(Dwarf_Die *die, uint64_t addr, struct hit *cur,
		  size_t depth, struct hit *best)
{
	Dwarf_Attribute at;
	Dwarf_Die c;

	if (dwarf_child(die, &c))
		return;
	do {
		int tag = dwarf_tag(&c);
		const char *name;

		if ((tag == DW_TAG_subprogram ||
		     tag == DW_TAG_inlined_subroutine) && has_code(&c)) {
			ck_assert_uint_lt(depth, 16);
			name = dwarf_formstring(dwarf_attr_integrate(&c,
							DW_AT_name, &at));
			cur->names[depth] = name ? name : "??";
			cur->is_inline[depth] = tag == DW_TAG_inlined_subroutine;
			if (dwarf_haspc(&c, addr) == 1 && depth + 1 > best->depth) {
				*best = *cur;
				best->depth = depth + 1;
			}
			brute(&c, addr, cur, depth + 1, best);
		} else if (tag != DW_TAG_subprogram &&
			   tag != DW_TAG_inlined_subroutine) {
			brute(&c, addr, cur, depth, best);
		}
	} while (!dwarf_siblingof(&c, &c));
}

/* What brute() finds at addr, as inlines__lookup() answers */
static size_t reference(uint64_t addr, const char **names, size_t cap)
{
	struct hit cur = {.depth = 0}, best = {.depth = 0};
	Dwarf_Die cu;
	size_t nr = 0, i;

	if (!dwarf_addrdie(dw, addr, &cu))
		return 0;
	brute(&cu, addr, &cur, 0, &best);
	for (i = best.depth; i-- > 0 && nr < cap;) {
		names[nr++] = best.names[i];
		if (!best.is_inline[i])
			return nr;
	}
	return 0;
}

/* The low and high pc of the subprogram named name among the children of
 * die, or inside the one named parent (NULL: at the top). */
static bool find_in(Dwarf_Die *die, const char *parent, const char *name,
		    uint64_t *lo, uint64_t *hi)
{
	Dwarf_Die c;

	if (dwarf_child(die, &c))
		return false;
	do {
		const char *n = dwarf_diename(&c);
		Dwarf_Addr l, h;

		if (dwarf_tag(&c) != DW_TAG_subprogram || !n)
			continue;
		if (parent && !strcmp(n, parent) &&
		    find_in(&c, NULL, name, lo, hi))
			return true;
		if (!parent && !strcmp(n, name) && !dwarf_lowpc(&c, &l) &&
		    !dwarf_highpc(&c, &h)) {
			*lo = l;
			*hi = h;
			return true;
		}
	} while (!dwarf_siblingof(&c, &c));
	return false;
}

static void fn_bounds(const char *parent, const char *name, uint64_t *lo,
		      uint64_t *hi)
{
	Dwarf_Off off = 0, next;
	size_t hsize;

	while (!dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL)) {
		Dwarf_Die cu;

		if (dwarf_offdie(dw, off + hsize, &cu) &&
		    find_in(&cu, parent, name, lo, hi))
			return;
		off = next;
	}
	ck_abort_msg("no subprogram %s", name);
}

/* Every address of every unit: il answers as the reference. How many
 * addresses are in chains of three or more. */
static size_t assert_all_as_reference(struct inlines *il)
{
	Dwarf_Off off = 0, next;
	size_t hsize, nr_addrs = 0, nr_deep = 0;

	while (!dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL)) {
		Dwarf_Addr base, lo, hi;
		Dwarf_Die cu;
		ptrdiff_t r = 0;

		ck_assert_ptr_nonnull(dwarf_offdie(dw, off + hsize, &cu));
		while ((r = dwarf_ranges(&cu, r, &base, &lo, &hi)) > 0)
			for (; lo < hi; lo++, nr_addrs++) {
				const char *a[16], *b[16];
				size_t na = inlines__lookup(il, lo, a, 16), i;

				ck_assert_msg(na == reference(lo, b, 16),
					      "at %#lx: %zu names", (unsigned long)lo,
					      na);
				for (i = 0; i < na; i++)
					ck_assert_str_eq(a[i], b[i]);
				nr_deep += na >= 3;
			}
		off = next;
	}
	ck_assert_uint_gt(nr_addrs, 64);
	return nr_deep;
}

START_TEST(test_against_brute_force)
{
	struct inlines *il = inlines__new(dw);

	ck_assert_ptr_nonnull(il);
	/* the fixture has inline chains */
	ck_assert_uint_gt(assert_all_as_reference(il), 0);
	inlines__free(il);
}
END_TEST

START_TEST(test_chain)
{
	struct inlines *il = inlines__new(dw);
	uint64_t lo, hi, a;
	const char *names[16];
	size_t n, nr_chain = 0;

	fn_bounds(NULL, "fx_outer", &lo, &hi);
	for (a = lo; a < hi; a++) {
		n = inlines__lookup(il, a, names, 16);
		ck_assert_uint_ge(n, 1);
		ck_assert_str_eq(names[n - 1], "fx_outer");
		if (n == 3 && !strcmp(names[0], "fx_leaf") &&
		    !strcmp(names[1], "fx_mid")) {
			nr_chain++;
			/* too small a cap: no partial answer */
			ck_assert_uint_eq(inlines__lookup(il, a, names, 2), 0);
		}
	}
	ck_assert_uint_gt(nr_chain, 0);
	inlines__free(il);
}
END_TEST

/* fx_nest's DIE is inside fx_outer's, its code outside fx_outer's ranges */
START_TEST(test_nested_outside_parent)
{
	struct inlines *il = inlines__new(dw);
	const char *names[16];
	uint64_t lo, hi, olo, ohi;

	fn_bounds(NULL, "fx_outer", &olo, &ohi);
	fn_bounds("fx_outer", "fx_nest", &lo, &hi);
	ck_assert_uint_gt(hi, lo);
	ck_assert(hi <= olo || lo >= ohi);
	ck_assert_uint_eq(inlines__lookup(il, lo, names, 16), 1);
	ck_assert_str_eq(names[0], "fx_nest");
	/* and after fx_outer's table was made */
	ck_assert_uint_ge(inlines__lookup(il, olo, names, 16), 1);
	ck_assert_uint_eq(inlines__lookup(il, hi - 1, names, 16), 1);
	ck_assert_str_eq(names[0], "fx_nest");
	inlines__free(il);
}
END_TEST

START_TEST(test_no_function)
{
	struct inlines *il = inlines__new(dw);
	const char *names[4];

	ck_assert_uint_eq(inlines__lookup(il, 0, names, 4), 0);
	ck_assert_uint_eq(inlines__lookup(il, UINT64_MAX - 1, names, 4), 0);
	inlines__free(il);
	inlines__free(NULL);
}
END_TEST

/* Rename name to to (as long) in the one inlines entry under dir, in
 * place. (No fixture name ends in another's.) */
static void rename_kept(const char *dir, const char *name, const char *to)
{
	char cmd[PATH_MAX + 256];

	snprintf(cmd, sizeof(cmd), "perl -pi -e 's/%s\\0/%s\\0/g' "
		 "'%s'/*/inlines-*", name, to, dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* With a cache, one run's answers and index are kept and the next run
 * takes them: an address answered before gives the kept names, a new one
 * in a function walked before the kept function table (a name changed in
 * the entry shows either way), and every address answers as the
 * reference, whether its unit was kept or not; an entry that does not
 * check out is refused whole and the DWARF answers. */
START_TEST(test_cached_answers)
{
	char dir[] = "/tmp/inlines-cache-XXXXXX", cmd[PATH_MAX + 128];
	struct fcache *cache;
	struct inlines *il;
	const char *names[16];
	uint64_t lo, hi, a;
	size_t n;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	cache = fcache__new(dir);
	ck_assert_ptr_nonnull(cache);
	fn_bounds(NULL, "fx_outer", &lo, &hi);
	/* one address of fx_outer looked up, and kept */
	il = inlines__new(dw);
	ck_assert_int_eq(inlines__use_cache(il, cache, &fsrc), -ENOENT);
	ck_assert_uint_ge(inlines__lookup(il, lo, names, 16), 1);
	ck_assert_int_eq(inlines__keep(il), 0);
	inlines__free(il);

	/* a new address in fx_outer: from the kept table of its function */
	rename_kept(dir, "fx_outer", "FX_OUTER");
	il = inlines__new(dw);
	ck_assert_int_eq(inlines__use_cache(il, cache, &fsrc), 0);
	for (a = lo + 1; a < hi; a++) {
		n = inlines__lookup(il, a, names, 16);
		ck_assert_uint_ge(n, 1);
		ck_assert_str_eq(names[n - 1], "FX_OUTER");
	}
	inlines__free(il);	/* not kept */
	rename_kept(dir, "FX_OUTER", "fx_outer");

	/* every address: kept units and units built now together */
	il = inlines__new(dw);
	ck_assert_int_eq(inlines__use_cache(il, cache, &fsrc), 0);
	assert_all_as_reference(il);
	ck_assert_int_eq(inlines__keep(il), 0);
	inlines__free(il);
	il = inlines__new(dw);
	ck_assert_int_eq(inlines__use_cache(il, cache, &fsrc), 0);
	assert_all_as_reference(il);
	/* a chain deeper than the cap asked for: still no partial answer */
	for (a = lo; a < hi && inlines__lookup(il, a, names, 16) < 3; a++)
		;
	ck_assert_uint_lt(a, hi);
	ck_assert_uint_eq(inlines__lookup(il, a, names, 2), 0);
	inlines__free(il);

	/* the last name's NUL overwritten: the entry is whole, its content
	 * is not */
	snprintf(cmd, sizeof(cmd), "f=$(echo '%s'/*/inlines-*) && printf x | "
		 "dd of=\"$f\" bs=1 seek=$(($(stat -c %%s \"$f\") - 1)) "
		 "conv=notrunc 2>/dev/null", dir);
	ck_assert_int_eq(system(cmd), 0);
	il = inlines__new(dw);
	ck_assert_int_eq(inlines__use_cache(il, cache, &fsrc), -EINVAL);
	assert_all_as_reference(il);
	inlines__free(il);
	fcache__free(cache);
	snprintf(cmd, sizeof(cmd), "rm -r '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* Random damage to a kept entry (its payload, past the cache's own header
 * and key) is refused or gives answers, never a read out of bounds: every
 * address is looked up (under ASan in the sanitizer run). */
START_TEST(test_cached_damage)
{
	char dir[] = "/tmp/inlines-damage-XXXXXX", cmd[PATH_MAX + 128];
	struct cachefx fx;
	struct fcache *cache;
	struct inlines *il;
	int round;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	cache = fcache__new(dir);
	il = inlines__new(dw);
	inlines__use_cache(il, cache, &fsrc);
	assert_all_as_reference(il);
	ck_assert_int_eq(inlines__keep(il), 0);
	inlines__free(il);
	cachefx__open(&fx, dir, "inlines");
	for (round = 0; round < 200; round++) {
		const char *names[16];
		Dwarf_Off off = 0, next;
		size_t hsize;

		cachefx__damage(&fx, 1 + round % 4);
		il = inlines__new(dw);
		inlines__use_cache(il, cache, &fsrc);
		while (!dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL)) {
			Dwarf_Addr base, lo, hi;
			Dwarf_Die cu;
			ptrdiff_t r = 0;

			dwarf_offdie(dw, off + hsize, &cu);
			while ((r = dwarf_ranges(&cu, r, &base, &lo, &hi)) > 0)
				for (; lo < hi; lo++) {
					size_t n = inlines__lookup(il, lo,
								   names, 16);

					while (n--)
						ck_assert_uint_lt(strlen(names[n]),
								  fx.len);
				}
			off = next;
		}
		inlines__free(il);
	}
	cachefx__close(&fx);
	fcache__free(cache);
	snprintf(cmd, sizeof(cmd), "rm -r '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

static Suite *inlines_suite(void)
{
	Suite *s = suite_create("inlines");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_against_brute_force);
	tcase_add_test(tc, test_chain);
	tcase_add_test(tc, test_nested_outside_parent);
	tcase_add_test(tc, test_no_function);
	tcase_add_test(tc, test_cached_answers);
	tcase_add_test(tc, test_cached_damage);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(inlines_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
