/* Unit tests for common/graft: walks cut at the stack copy's end completed
 * from their thread's last whole walk, only where they provably match. */
#include <check.h>
#include <stdlib.h>

#include "graft.h"

#define CAP 64

/* frames from parallel arrays of stack pointers and pcs, leaf first */
static size_t mk(struct unwind_frame *f, const uint64_t *sp,
		 const uint64_t *pc, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		f[i].sp = sp[i];
		f[i].pc = pc[i];
		f[i].is_activation = i == 0;
	}
	return n;
}

/* thread 1's whole walk: leaf at 0x100, callers out to 0x600 */
static const uint64_t w_sp[] = {0x100, 0x200, 0x300, 0x400, 0x500, 0x600};
static const uint64_t w_pc[] = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5};
/* a deeper walk of thread 1, cut after the frame at 0x300: its inner
 * frames (0x50, 0x80) are calls made since */
static const uint64_t t_sp[] = {0x50, 0x80, 0x200, 0x300};
static const uint64_t t_pc[] = {0xf0, 0xf1, 0xa1, 0xa2};

static struct graft *with_whole_walk(void)
{
	struct graft *g = graft__new();
	struct unwind_frame f[CAP];
	enum unwind_stop why = UNWIND_END;
	size_t nr = mk(f, w_sp, w_pc, 6);

	ck_assert_ptr_nonnull(g);
	ck_assert(!graft__walk(g, 1, f, &nr, CAP, &why));
	ck_assert_uint_eq(nr, 6);
	ck_assert_int_eq(why, UNWIND_END);
	return g;
}

static bool cut(struct graft *g, int32_t tid, const uint64_t *sp,
		const uint64_t *pc, size_t n, struct unwind_frame *f,
		size_t *nr, enum unwind_stop *why)
{
	*why = UNWIND_STACK_END;
	*nr = mk(f, sp, pc, n);
	return graft__walk(g, tid, f, nr, CAP, why);
}

START_TEST(test_grafts_the_rest)
{
	struct graft *g = with_whole_walk();
	struct unwind_frame f[CAP];
	enum unwind_stop why;
	struct graft_stats st;
	size_t nr, i;

	ck_assert(cut(g, 1, t_sp, t_pc, 4, f, &nr, &why));
	ck_assert_int_eq(why, UNWIND_END);
	ck_assert_uint_eq(nr, 7);
	for (i = 0; i < 4; i++) {
		ck_assert_uint_eq(f[i].sp, t_sp[i]);
		ck_assert_uint_eq(f[i].pc, t_pc[i]);
	}
	for (i = 4; i < 7; i++) {
		ck_assert_uint_eq(f[i].sp, w_sp[i - 1]);
		ck_assert_uint_eq(f[i].pc, w_pc[i - 1]);
		ck_assert(!f[i].is_activation);
	}
	graft__stats(g, &st);
	ck_assert_uint_eq(st.nr_grafted, 1);
	ck_assert_uint_eq(st.nr_frames, 3);
	ck_assert_uint_eq(st.nr_unmatched, 0);
	ck_assert_uint_eq(st.nr_checked, 0);
	graft__free(g);
}
END_TEST

/* Each way a cut walk fails to match leaves it as it was. */
START_TEST(test_no_graft_without_proof)
{
	static const uint64_t other_pc[] = {0xf0, 0xf1, 0xa1, 0xbb};
	static const uint64_t other_sp[] = {0x50, 0x80, 0x200, 0x310};
	/* a frame at 0x280 between the shared ones: not w's */
	static const uint64_t extra_sp[] = {0x50, 0x200, 0x280, 0x300};
	static const uint64_t extra_pc[] = {0xf0, 0xa1, 0xcc, 0xa2};
	static const uint64_t above_sp[] = {0x350, 0x400};
	static const uint64_t above_pc[] = {0xf0, 0xa3};
	struct graft *g = with_whole_walk();
	struct unwind_frame f[CAP];
	enum unwind_stop why;
	struct graft_stats st;
	size_t nr;

	/* another return address at the frame's stack pointer */
	ck_assert(!cut(g, 1, t_sp, other_pc, 4, f, &nr, &why));
	ck_assert_int_eq(why, UNWIND_STACK_END);
	ck_assert_uint_eq(nr, 4);
	/* a stack pointer no frame of the whole walk has */
	ck_assert(!cut(g, 1, other_sp, t_pc, 4, f, &nr, &why));
	/* the shared frames differ */
	ck_assert(!cut(g, 1, extra_sp, extra_pc, 4, f, &nr, &why));
	/* another thread, and a cut leaf alone */
	ck_assert(!cut(g, 2, t_sp, t_pc, 4, f, &nr, &why));
	ck_assert(!cut(g, 1, t_sp + 3, t_pc + 3, 1, f, &nr, &why));
	/* it still matches, until a sample's stack pointer shows the frame
	 * at 0x300 returned */
	ck_assert(cut(g, 1, t_sp, t_pc, 4, f, &nr, &why));
	why = UNWIND_NO_MAP;
	nr = mk(f, above_sp, above_pc, 2);
	ck_assert(!graft__walk(g, 1, f, &nr, CAP, &why));
	ck_assert_int_eq(why, UNWIND_NO_MAP);
	ck_assert(!cut(g, 1, t_sp, t_pc, 4, f, &nr, &why));
	graft__stats(g, &st);
	ck_assert_uint_eq(st.nr_grafted, 1);
	ck_assert_uint_eq(st.nr_unmatched, 6);
	graft__free(g);

	/* a new thread of the same tid knows nothing */
	g = with_whole_walk();
	graft__forget(g, 1);
	ck_assert(!cut(g, 1, t_sp, t_pc, 4, f, &nr, &why));
	graft__forget(g, 99);	/* unknown: nothing to do */
	graft__free(g);
}
END_TEST

/* A completed walk is whole in turn: a deeper cut grafts from it, and
 * gets its grafted frames too. */
START_TEST(test_grafts_chain)
{
	static const uint64_t d_sp[] = {0x10, 0x30, 0x50, 0x80};
	static const uint64_t d_pc[] = {0xe0, 0xe1, 0xf0, 0xf1};
	struct graft *g = with_whole_walk();
	struct unwind_frame f[CAP];
	enum unwind_stop why;
	size_t nr;

	ck_assert(cut(g, 1, t_sp, t_pc, 4, f, &nr, &why));
	ck_assert(cut(g, 1, d_sp, d_pc, 4, f, &nr, &why));
	ck_assert_int_eq(why, UNWIND_END);
	ck_assert_uint_eq(nr, 9);
	ck_assert_uint_eq(f[4].sp, 0x200);
	ck_assert_uint_eq(f[5].pc, 0xa2);
	ck_assert_uint_eq(f[8].sp, 0x600);
	ck_assert_uint_eq(f[8].pc, 0xa5);
	graft__free(g);
}
END_TEST

/* Grafted frames stop at cap: the walk ends "too deep" and is not
 * remembered. */
START_TEST(test_graft_cut_by_cap)
{
	struct graft *g = with_whole_walk();
	struct unwind_frame f[CAP];
	enum unwind_stop why = UNWIND_STACK_END;
	struct graft_stats st;
	size_t nr = mk(f, t_sp, t_pc, 4);

	ck_assert(graft__walk(g, 1, f, &nr, 5, &why));
	ck_assert_int_eq(why, UNWIND_DEPTH);
	ck_assert_uint_eq(nr, 5);
	ck_assert_uint_eq(f[4].pc, 0xa3);
	graft__stats(g, &st);
	ck_assert_uint_eq(st.nr_grafted, 1);
	ck_assert_uint_eq(st.nr_frames, 1);
	graft__free(g);
}
END_TEST

/* The next whole walk through a grafted frame checks the graft. */
START_TEST(test_later_walk_checks_graft)
{
	static const uint64_t same_sp[] = {0x250, 0x300, 0x400, 0x500, 0x600};
	static const uint64_t same_pc[] = {0xd0, 0xa2, 0xa3, 0xa4, 0xa5};
	static const uint64_t diff_pc[] = {0xd0, 0xa2, 0xa3, 0xee, 0xa5};
	struct graft *g = with_whole_walk();
	struct unwind_frame f[CAP];
	enum unwind_stop why;
	struct graft_stats st;
	size_t nr;

	ck_assert(cut(g, 1, t_sp, t_pc, 4, f, &nr, &why));
	why = UNWIND_END;
	nr = mk(f, same_sp, same_pc, 5);
	ck_assert(!graft__walk(g, 1, f, &nr, CAP, &why));
	graft__stats(g, &st);
	ck_assert_uint_eq(st.nr_checked, 1);
	ck_assert_uint_eq(st.nr_disagreed, 0);
	/* checked once: another whole walk finds nothing pending */
	nr = mk(f, same_sp, same_pc, 5);
	graft__walk(g, 1, f, &nr, CAP, &why);
	graft__stats(g, &st);
	ck_assert_uint_eq(st.nr_checked, 1);
	graft__free(g);

	/* a graft the next whole walk contradicts */
	g = with_whole_walk();
	ck_assert(cut(g, 1, t_sp, t_pc, 4, f, &nr, &why));
	why = UNWIND_END;
	nr = mk(f, same_sp, diff_pc, 5);
	graft__walk(g, 1, f, &nr, CAP, &why);
	graft__stats(g, &st);
	ck_assert_uint_eq(st.nr_checked, 1);
	ck_assert_uint_eq(st.nr_disagreed, 1);
	graft__free(g);
}
END_TEST

START_TEST(test_many_threads)
{
	struct graft *g = graft__new();
	struct unwind_frame f[CAP];
	enum unwind_stop why;
	size_t nr;
	int32_t tid;

	for (tid = 1; tid <= 500; tid++) {
		why = UNWIND_END;
		nr = mk(f, w_sp, w_pc, 6);
		graft__walk(g, tid, f, &nr, CAP, &why);
	}
	for (tid = 1; tid <= 500; tid++)
		ck_assert(cut(g, tid, t_sp, t_pc, 4, f, &nr, &why));
	graft__free(g);
	graft__free(NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("graft");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_grafts_the_rest);
	tcase_add_test(tc, test_no_graft_without_proof);
	tcase_add_test(tc, test_grafts_chain);
	tcase_add_test(tc, test_graft_cut_by_cap);
	tcase_add_test(tc, test_later_walk_checks_graft);
	tcase_add_test(tc, test_many_threads);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
