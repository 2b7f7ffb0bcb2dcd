/* Unit tests for common/symarr: perf's symbol tree, its fixups and its
 * lookup. */
#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symarr.h"

static void add(struct symarr *a, uint64_t start, uint64_t size,
		enum symarr_binding b, const char *name)
{
	ck_assert_int_eq(symarr__add(a, start, size, b, name, strlen(name), 0),
			 0);
}

static const char *find(const struct symarr *a, uint64_t addr)
{
	const struct symarr_sym *s = symarr__find(a, addr);

	return s ? s->name : NULL;
}

START_TEST(test_disjoint_many)
{
	struct symarr *a = symarr__new();
	char name[32];
	uint64_t i;

	/* Insert in a scrambled order; lookups must not care. */
	for (i = 0; i < 5000; i++) {
		uint64_t k = (i * 7919) % 5000;

		snprintf(name, sizeof(name), "f%llu", (unsigned long long)k);
		add(a, 0x1000 + k * 0x40, 0x30, SYMARR_GLOBAL, name);
	}
	symarr__fixup(a, SYMARR_FIXUP_END | SYMARR_DEDUP);
	ck_assert_uint_eq(symarr__count(a), 5000);
	for (i = 0; i < 5000; i++) {
		const struct symarr_sym *s = symarr__find(a, 0x1000 + i * 0x40 + 7);

		snprintf(name, sizeof(name), "f%llu", (unsigned long long)i);
		ck_assert_ptr_nonnull(s);
		ck_assert_str_eq(s->name, name);
		ck_assert_uint_eq(s->start, 0x1000 + i * 0x40);
		/* The gap after each sized symbol belongs to none. */
		ck_assert_ptr_null(symarr__find(a, 0x1000 + i * 0x40 + 0x30));
	}
	ck_assert_ptr_null(symarr__find(a, 0xfff));
	symarr__free(a);
}
END_TEST

START_TEST(test_fixup_end)
{
	struct symarr *a = symarr__new();

	add(a, 0x1000, 0, SYMARR_GLOBAL, "a");
	add(a, 0x1010, 0x8, SYMARR_GLOBAL, "b");
	add(a, 0x1100, 0, SYMARR_GLOBAL, "last");
	symarr__fixup(a, SYMARR_FIXUP_END);
	ck_assert_str_eq(find(a, 0x100f), "a");
	ck_assert_ptr_null(find(a, 0x1018));
	/* The last one: roundup(start, 4096) + 4096. */
	ck_assert_str_eq(find(a, 0x2fff), "last");
	ck_assert_ptr_null(find(a, 0x3000));
	symarr__free(a);

	a = symarr__new();
	add(a, 0x2000, 0, SYMARR_GLOBAL, "aligned");
	symarr__fixup(a, SYMARR_FIXUP_END);
	ck_assert_str_eq(find(a, 0x2fff), "aligned");
	ck_assert_ptr_null(find(a, 0x3000));
	symarr__free(a);
}
END_TEST

START_TEST(test_fixup_end_kallsyms)
{
	struct symarr *a = symarr__new();

	ck_assert_int_eq(symarr__add(a, 0xffffffff81000000ULL, 0, SYMARR_GLOBAL,
				     "kfunc", 5, 0), 0);
	ck_assert_int_eq(symarr__add(a, 0xffffffffc0001000ULL, 0, SYMARR_GLOBAL,
				     "modfunc", 7, 1), 0);
	ck_assert_int_eq(symarr__add(a, 0xffffffffc0001100ULL, 0, SYMARR_GLOBAL,
				     "modfunc2", 8, 1), 0);
	symarr__fixup(a, SYMARR_FIXUP_END | SYMARR_KALLSYMS);
	/* Kernel -> module: roundup(start + 4096, 4096), not the module. */
	ck_assert_str_eq(find(a, 0xffffffff81000fffULL), "kfunc");
	ck_assert_ptr_null(find(a, 0xffffffff81001000ULL));
	ck_assert_str_eq(find(a, 0xffffffffc00010ffULL), "modfunc");
	symarr__free(a);
}
END_TEST

/* choose_best_symbol(), rule by rule; each pair at one start. */
START_TEST(test_dedup_rules)
{
	struct symarr *a = symarr__new();

	add(a, 0x100, 0, SYMARR_GLOBAL, "zero_sized_loses");
	add(a, 0x100, 0x10, SYMARR_LOCAL, "sized");
	add(a, 0x200, 0x10, SYMARR_WEAK, "weak");
	add(a, 0x200, 0x10, SYMARR_LOCAL, "local");
	add(a, 0x300, 0x10, SYMARR_LOCAL, "local_long_name");
	add(a, 0x300, 0x10, SYMARR_GLOBAL, "glob");
	add(a, 0x400, 0x10, SYMARR_GLOBAL, "__under");
	add(a, 0x400, 0x10, SYMARR_GLOBAL, "_under_longer");
	add(a, 0x500, 0x10, SYMARR_GLOBAL, "short");
	add(a, 0x500, 0x10, SYMARR_GLOBAL, "longer");
	add(a, 0x600, 0x10, SYMARR_GLOBAL, "first");
	add(a, 0x600, 0x10, SYMARR_GLOBAL, "other");
	add(a, 0x700, 0x10, SYMARR_GLOBAL, "SyS_read");
	add(a, 0x700, 0x10, SYMARR_GLOBAL, "ksys_rdx");
	ck_assert_uint_eq(symarr__nr_shared_starts(a), 7);
	symarr__fixup(a, SYMARR_FIXUP_END | SYMARR_DEDUP);
	ck_assert_uint_eq(symarr__count(a), 7);
	ck_assert_uint_eq(symarr__nr_shared_starts(a), 0);
	ck_assert_str_eq(find(a, 0x101), "sized");
	ck_assert_str_eq(find(a, 0x201), "local");
	ck_assert_str_eq(find(a, 0x301), "glob");
	ck_assert_str_eq(find(a, 0x401), "_under_longer");
	ck_assert_str_eq(find(a, 0x501), "longer");
	ck_assert_str_eq(find(a, 0x601), "first");
	ck_assert_str_eq(find(a, 0x701), "ksys_rdx");
	symarr__free(a);
}
END_TEST

/* Fixups run ends first: of two zero-sized symbols at one start, the
 * first keeps size 0 and the last reaches the next symbol, so the last
 * wins (as in perf for kallsyms and ELF alike). */
START_TEST(test_dedup_after_end)
{
	struct symarr *a = symarr__new();

	add(a, 0x100, 0, SYMARR_GLOBAL, "a_first_longer");
	add(a, 0x100, 0, SYMARR_GLOBAL, "b");
	add(a, 0x180, 0x10, SYMARR_GLOBAL, "next");
	symarr__fixup(a, SYMARR_FIXUP_END | SYMARR_DEDUP);
	ck_assert_str_eq(find(a, 0x17f), "b");
	symarr__free(a);
}
END_TEST

/* Overlaps resolve by tree shape, as symbols__find(): the first node on
 * the way down that holds the address. */
START_TEST(test_overlap_tree_order)
{
	struct symarr *a = symarr__new();

	add(a, 0x100, 0x100, SYMARR_GLOBAL, "outer");
	add(a, 0x150, 0x10, SYMARR_GLOBAL, "inner");
	/* outer is the root. */
	ck_assert_str_eq(find(a, 0x155), "outer");
	symarr__free(a);

	a = symarr__new();
	add(a, 0x150, 0x10, SYMARR_GLOBAL, "inner");
	add(a, 0x100, 0x100, SYMARR_GLOBAL, "outer");
	/* inner is the root now; outer, its left child, is never reached
	 * for addresses above inner, exactly as in perf. */
	ck_assert_str_eq(find(a, 0x155), "inner");
	ck_assert_str_eq(find(a, 0x120), "outer");
	ck_assert_ptr_null(find(a, 0x1f0));
	symarr__free(a);

	/* Same start, no de-duplication (perf maps): the earlier one is
	 * higher in the tree. */
	a = symarr__new();
	add(a, 0x100, 0x10, SYMARR_GLOBAL, "one");
	add(a, 0x100, 0x20, SYMARR_GLOBAL, "two");
	ck_assert_str_eq(find(a, 0x105), "one");
	ck_assert_str_eq(find(a, 0x115), "two");
	symarr__free(a);
}
END_TEST

/* A zero-sized entry (never fixed up) holds exactly its start. */
START_TEST(test_zero_size_matches_start)
{
	struct symarr *a = symarr__new();

	add(a, 0x100, 0, SYMARR_GLOBAL, "z");
	ck_assert_str_eq(find(a, 0x100), "z");
	ck_assert_ptr_null(find(a, 0x101));
	ck_assert_ptr_null(find(a, 0xff));
	symarr__free(a);
}
END_TEST

/* Erases and inserts interleaved keep every lookup right (exercises the
 * red-black rebalancing on both sides). */
START_TEST(test_many_duplicates)
{
	struct symarr *a = symarr__new();
	char name[32];
	uint64_t i, j;

	for (j = 0; j < 3; j++)
		for (i = 0; i < 3000; i++) {
			uint64_t k = (i * 1543 + j * 7) % 3000;

			snprintf(name, sizeof(name), "%s%llu",
				 j == 1 ? "g" : "l", (unsigned long long)k);
			add(a, k * 0x10, 0x8,
			    j == 1 ? SYMARR_GLOBAL : SYMARR_LOCAL, name);
		}
	symarr__fixup(a, SYMARR_FIXUP_END | SYMARR_DEDUP);
	ck_assert_uint_eq(symarr__count(a), 3000);
	/* PLT-like late additions after the fixups. */
	for (i = 0; i < 100; i++)
		add(a, 0x100000 + i * 0x10, 0x10, SYMARR_GLOBAL, "late");
	for (i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "g%llu", (unsigned long long)i);
		ck_assert_str_eq(find(a, i * 0x10 + 3), name);
	}
	ck_assert_str_eq(find(a, 0x100000 + 99 * 0x10 + 15), "late");
	ck_assert_uint_eq(symarr__count(a), 3100);
	symarr__free(a);
}
END_TEST

/* Sealing answers every address exactly as the tree walk does: random
 * sets with overlaps, shared starts, zero sizes and late additions. */
START_TEST(test_seal_matches_tree)
{
	static const struct symarr_sym *before[4096];
	unsigned int seed = 4242;
	int round;

	for (round = 0; round < 40; round++) {
		struct symarr *a = symarr__new();
		uint64_t addr, base = round % 2 ? 0xffffffff81000000ULL : 0;
		int i, n = 1 + rand_r(&seed) % 300;

		for (i = 0; i < n; i++) {
			uint64_t start = base + (uint64_t)(rand_r(&seed) % 4000);
			uint64_t size = rand_r(&seed) % 4 ? rand_r(&seed) % 64 : 0;

			ck_assert_int_eq(symarr__add(a, start, size,
						     rand_r(&seed) % 3, "s", 1,
						     (uint32_t)i), 0);
		}
		if (round % 3)
			symarr__fixup(a, SYMARR_FIXUP_END | SYMARR_DEDUP);
		if (round % 4 == 1)	/* PLT-like additions after fixups */
			for (i = 0; i < 20; i++)
				symarr__add(a, base + 1000 + 16 * (uint64_t)i,
					    16, SYMARR_GLOBAL, "p", 1, 999);
		for (addr = 0; addr < 4096; addr++)
			before[addr] = symarr__find(a, base + addr);
		ck_assert_int_eq(symarr__seal(a), 0);
		for (addr = 0; addr < 4096; addr++)
			ck_assert_ptr_eq(symarr__find(a, base + addr),
					 before[addr]);
		ck_assert_ptr_eq(symarr__find(a, base + 1000000), NULL);
		symarr__free(a);
	}
}
END_TEST

/* Why two sets do not answer every address alike, at interval *at; NULL
 * when they do: equal sealed intervals, each answered by an entry with the
 * same range, name and tag. Compared without an assertion per interval:
 * Check reports every passing one to the runner with a write(), and those
 * took most of test_load_matches_tree's time. */
static const char *answers_differ(const struct symarr *x,
				  const struct symarr *y, size_t *at)
{
	size_t i, n = symarr__nr_intervals(x);

	*at = 0;
	if (!n)
		return "no intervals";
	if (symarr__nr_intervals(y) != n)
		return "numbers of intervals";
	if (symarr__count(x) != symarr__count(y))
		return "counts";
	for (i = 0; i < n; i++) {
		uint64_t bx, by;
		const struct symarr_sym *sx = symarr__interval(x, i, &bx);
		const struct symarr_sym *sy = symarr__interval(y, i, &by);

		*at = i;
		if (bx != by)
			return "starts";
		if (!sx != !sy)
			return "one answered, one not";
		if (!sx)
			continue;
		if (sx->tag != sy->tag || sx->start != sy->start ||
		    sx->end != sy->end || strcmp(sx->name, sy->name))
			return "answers";
		if (symarr__find(x, bx) != sx || symarr__find(y, by) != sy)
			return "find and interval";
	}
	return NULL;
}

static void assert_same_answers(const struct symarr *x,
				const struct symarr *y)
{
	size_t at;
	const char *what = answers_differ(x, y, &at);

	ck_assert_msg(!what, "the sets differ: %s, interval %zu", what, at);
}

/* The same, and built alike: as many starts shared by several entries. */
static void assert_same_intervals(const struct symarr *x,
				  const struct symarr *y)
{
	assert_same_answers(x, y);
	ck_assert_uint_eq(symarr__nr_shared_starts(x),
			  symarr__nr_shared_starts(y));
}

/* symarr__load() against symarr__add() + symarr__fixup() + symarr__seal():
 * sorted and shuffled input, duplicates (names and bindings that exercise
 * choose_best_symbol()), kernel/module boundaries, sized entries that
 * overlap, addresses near 0 and UINT64_MAX; then an add after loading. */
START_TEST(test_load_matches_tree)
{
	static const char *const names[] = {
		"f", "_f", "__f", "fn", "SyS_f", "compat_SyS_f", "g",
	};
	static const uint64_t bases[] = {
		0, 0xffffffff81000000ULL, UINT64_MAX - 6000,
	};
	static struct symarr_entry e[600];
	unsigned int seed = 977;
	int round;

	for (round = 0; round < 600; round++) {
		struct symarr *ref = symarr__new(), *fast = symarr__new();
		unsigned int flags = SYMARR_FIXUP_END | SYMARR_DEDUP |
				     (round % 2 ? SYMARR_KALLSYMS : 0);
		uint64_t base = bases[round % 3], start = base;
		int i, n = rand_r(&seed) % 600, spread = 1 + round % 7 * 40;
		bool is_sorted = round % 5 != 0, has_sizes = round % 4 == 3;

		for (i = 0; i < n; i++) {
			const char *name = names[rand_r(&seed) % 7];

			if (is_sorted)
				start += rand_r(&seed) % 3 ? rand_r(&seed) %
							      spread : 0;
			else
				start = base + rand_r(&seed) % (spread * 8);
			e[i].start = start;
			e[i].size = has_sizes && rand_r(&seed) % 3 ?
					    rand_r(&seed) % 64 : 0;
			e[i].name = name;
			e[i].len = strlen(name);
			/* Kernel (0) or module: a module run after the
			 * kernel, or mixed. */
			e[i].tag = (round % 3 == 1 ? i > n / 2 :
						     rand_r(&seed) % 2) ?
					   (uint32_t)i + 1 : 0;
			e[i].binding = rand_r(&seed) % 3;
			/* not ck_assert_*(): see answers_differ() */
			if (symarr__add(ref, e[i].start, e[i].size,
					e[i].binding, e[i].name, e[i].len,
					e[i].tag))
				ck_abort_msg("round %d: add %d failed", round,
					     i);
		}
		symarr__fixup(ref, flags);
		ck_assert_int_eq(symarr__seal(ref), 0);
		ck_assert_int_eq(symarr__load(fast, e, (size_t)n, flags), 0);
		assert_same_intervals(ref, fast);
		if (round % 6 == 0) {	/* an add after loading */
			ck_assert_int_eq(symarr__add(ref, start + 8, 16,
						     SYMARR_GLOBAL, "p", 1, 3), 0);
			ck_assert_int_eq(symarr__add(fast, start + 8, 16,
						     SYMARR_GLOBAL, "p", 1, 3), 0);
			ck_assert_int_eq(symarr__seal(ref), 0);
			ck_assert_int_eq(symarr__seal(fast), 0);
			assert_same_intervals(ref, fast);
		}
		symarr__free(ref);
		symarr__free(fast);
	}
}
END_TEST

/* A random sealed set with overlaps, shared starts, zero sizes and, now
 * and then, PLT-like additions after the fixups (so through the tree), or
 * loaded flat. */
static struct symarr *random_set(unsigned int *seed, int round)
{
	struct symarr *a = symarr__new();
	uint64_t base = round % 2 ? 0xffffffff81000000ULL : 0;
	int i, n = 1 + rand_r(seed) % 300;
	char name[16];

	for (i = 0; i < n; i++) {
		uint64_t start = base + (uint64_t)(rand_r(seed) % 4000);
		uint64_t size = rand_r(seed) % 4 ? rand_r(seed) % 64 : 0;

		snprintf(name, sizeof(name), "s%d", rand_r(seed) % 50);
		ck_assert_int_eq(symarr__add(a, start, size, rand_r(seed) % 3,
					     name, strlen(name), (uint32_t)i),
				 0);
	}
	symarr__fixup(a, SYMARR_FIXUP_END | SYMARR_DEDUP);
	if (round % 4 == 1)
		for (i = 0; i < 20; i++)
			symarr__add(a, base + 1000 + 16 * (uint64_t)i, 16,
				    SYMARR_GLOBAL, "p@plt", 5, 999);
	ck_assert_int_eq(symarr__seal(a), 0);
	return a;
}

/* An image answers as the set did, and is sealed for good. */
START_TEST(test_image_round_trip)
{
	static struct symarr_entry e[100];
	unsigned int seed = 31337;
	struct symarr *a, *b;
	size_t len;
	void *img;
	int round, i;

	for (round = 0; round < 60; round++) {
		a = random_set(&seed, round);
		img = symarr__image(a, &len);
		ck_assert_ptr_nonnull(img);
		b = symarr__from_image(img, len);
		ck_assert_ptr_nonnull(b);
		free(img);	/* b holds copies */
		assert_same_answers(a, b);
		ck_assert_int_eq(symarr__add(b, 0, 1, SYMARR_GLOBAL, "x", 1, 0),
				 -EPERM);
		ck_assert_int_eq(symarr__append(b, &e[0]), -EPERM);
		ck_assert_int_eq(symarr__reserve(b, 10, 10), -EPERM);
		symarr__fixup(b, SYMARR_FIXUP_END);
		ck_assert_int_eq(symarr__seal(b), 0);
		assert_same_answers(a, b);
		symarr__free(a);
		symarr__free(b);
	}
	/* flat (loaded without a tree) */
	for (i = 0; i < 100; i++)
		e[i] = (struct symarr_entry){ .start = 0x1000 + 64 * (uint64_t)i,
					      .name = "f", .len = 1,
					      .binding = SYMARR_GLOBAL };
	a = symarr__new();
	ck_assert_int_eq(symarr__load(a, e, 100, SYMARR_FIXUP_END |
				      SYMARR_DEDUP), 0);
	img = symarr__image(a, &len);
	b = symarr__from_image(img, len);
	ck_assert_ptr_nonnull(b);
	assert_same_answers(a, b);
	symarr__free(a);
	symarr__free(b);
	free(img);
	/* only sealed sets have an image */
	a = symarr__new();
	add(a, 0x1000, 0x10, SYMARR_GLOBAL, "f");
	ck_assert_ptr_null(symarr__image(a, &len));
	ck_assert_int_eq(errno, EINVAL);
	symarr__free(a);
}
END_TEST

/* The image's layout (symarr_image.c): head, bounds, answers, entries,
 * names. */
struct test_head {
	uint32_t magic, nr_syms;
	uint64_t nr_bounds, nr_live, names_len;
};

static bool takes(const void *img, size_t len)
{
	struct symarr *b = symarr__from_image(img, len);
	uint64_t start;
	size_t i;

	if (!b)
		return false;
	for (i = 0; i < symarr__nr_intervals(b); i++) {	/* touch all */
		const struct symarr_sym *s = symarr__interval(b, i, &start);

		/* not ck_assert_*(): see answers_differ() */
		if (symarr__find(b, start) != s)
			ck_abort_msg("interval %zu: find differs", i);
		if (s && strlen(s->name) >= len)
			ck_abort_msg("interval %zu: name too long", i);
	}
	symarr__free(b);
	return true;
}

/* Damaged images are refused, never read past; random damage either is
 * refused or gives a set whose every answer can be read. */
START_TEST(test_image_damaged)
{
	unsigned int seed = 99;
	struct symarr *a = random_set(&seed, 1);
	uint64_t *img, *copy;
	struct test_head h;
	uint32_t *ans;
	char *names;
	size_t len, i;

	img = symarr__image(a, &len);
	ck_assert_ptr_nonnull(img);
	copy = malloc(len + 8);
	memcpy(&h, img, sizeof(h));
	ck_assert_uint_gt(h.nr_bounds, 3);
	ck_assert(takes(img, len));
	for (i = 0; i < len; i++)	/* every truncation, one byte more */
		ck_assert(!takes(img, i));
	memcpy(copy, img, len);
	ck_assert(!takes(copy, len + 8));
	memcpy((char *)copy + 1, img, len);	/* misaligned */
	ck_assert(!takes((char *)copy + 1, len));
#define DAMAGED(what) do { memcpy(copy, img, len); what; \
	ck_assert_msg(!takes(copy, len), "took: %s", #what); } while (0)
	DAMAGED(((struct test_head *)copy)->magic ^= 1);
	DAMAGED(((struct test_head *)copy)->nr_bounds--);
	DAMAGED(((struct test_head *)copy)->nr_syms++);
	DAMAGED(copy[sizeof(h) / 8 + 2] = copy[sizeof(h) / 8 + 1]);
	DAMAGED(copy[sizeof(h) / 8] = 1);	/* the first bound is 0 */
	ans = (uint32_t *)((char *)copy + sizeof(h) + h.nr_bounds * 8);
	DAMAGED(ans[1] = h.nr_syms);
	names = (char *)copy + len - h.names_len;
	DAMAGED(names[h.names_len - 1] = 'x');
#undef DAMAGED
	for (i = 0; i < 3000; i++) {
		memcpy(copy, img, len);
		((unsigned char *)copy)[rand_r(&seed) % len] ^=
			(unsigned char)(1 + rand_r(&seed) % 255);
		takes(copy, len);
	}
	free(copy);
	free(img);
	symarr__free(a);
}
END_TEST

static Suite *symarr_suite(void)
{
	Suite *s = suite_create("symarr");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_disjoint_many);
	tcase_add_test(tc, test_fixup_end);
	tcase_add_test(tc, test_fixup_end_kallsyms);
	tcase_add_test(tc, test_dedup_rules);
	tcase_add_test(tc, test_dedup_after_end);
	tcase_add_test(tc, test_overlap_tree_order);
	tcase_add_test(tc, test_zero_size_matches_start);
	tcase_add_test(tc, test_many_duplicates);
	tcase_add_test(tc, test_seal_matches_tree);
	tcase_add_test(tc, test_load_matches_tree);
	tcase_add_test(tc, test_image_round_trip);
	tcase_add_test(tc, test_image_damaged);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(symarr_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
