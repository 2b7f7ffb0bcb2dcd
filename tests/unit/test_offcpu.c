/* Unit tests for common/offcpu: intervals per thread, exact weights. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "offcpu.h"

START_TEST(test_why_from_prev_state)
{
	ck_assert_int_eq(offcpu__why(0), OFFCPU_RUNNABLE);
	ck_assert_int_eq(offcpu__why(0x100), OFFCPU_RUNNABLE); /* "R+" */
	ck_assert_int_eq(offcpu__why(0x1), OFFCPU_SLEEP);
	ck_assert_int_eq(offcpu__why(0x2), OFFCPU_IO);
	ck_assert_int_eq(offcpu__why(0x4), OFFCPU_STOPPED);
	ck_assert_int_eq(offcpu__why(0x10), OFFCPU_DEAD);
	ck_assert_int_eq(offcpu__why(0x20), OFFCPU_DEAD);
	ck_assert_int_eq(offcpu__why(0x80), OFFCPU_IDLE);
	ck_assert_str_eq(offcpu__leaf(OFFCPU_SLEEP), "[off-cpu: sleep]");
	ck_assert_str_eq(offcpu__leaf(OFFCPU_IO), "[off-cpu: uninterruptible]");
	ck_assert_str_eq(offcpu__leaf(OFFCPU_RUNNABLE), "[off-cpu: runnable]");
}
END_TEST

START_TEST(test_interval_closes_with_its_stack)
{
	struct offcpu *oc = offcpu__new();
	const uint32_t stack[] = {7, 8, 9};
	struct offcpu_interval iv;
	struct offcpu_stats st;

	ck_assert_int_eq(offcpu__in(oc, 10, 500, &iv), 0);	/* none open */
	ck_assert_int_eq(offcpu__out(oc, 10, 1000, OFFCPU_SLEEP, stack, 3), 0);
	ck_assert_int_eq(offcpu__in(oc, 11, 2000, &iv), 0);	/* another */
	ck_assert_int_eq(offcpu__in(oc, 10, 2001500, &iv), 1);
	ck_assert_int_eq(iv.tid, 10);
	ck_assert_uint_eq(iv.nr, 3);
	ck_assert_uint_eq(iv.ids[0], 7);
	ck_assert_uint_eq(iv.ids[2], 9);
	ck_assert_int_eq(iv.why, OFFCPU_SLEEP);
	ck_assert_uint_eq(iv.ns, 2000500);
	ck_assert_uint_eq(iv.us, 2000);		/* 500 ns carried */
	ck_assert_int_eq(offcpu__in(oc, 10, 3000000, &iv), 0);	/* closed */
	ck_assert_int_eq(offcpu__out(oc, 10, 3000000, OFFCPU_RUNNABLE, stack,
				     1), 0);
	ck_assert_int_eq(offcpu__in(oc, 10, 3000700, &iv), 1);
	ck_assert_uint_eq(iv.us, 1);		/* 500 + 700 ns */
	ck_assert_uint_eq(offcpu__us(oc, 10, 999800), 1000);	/* 200 + ... */
	offcpu__stats(oc, &st);
	ck_assert_uint_eq(st.nr_opened, 2);
	ck_assert_uint_eq(st.nr_closed, 2);
	ck_assert_uint_eq(st.ns[OFFCPU_SLEEP], 2000500);
	ck_assert_uint_eq(st.ns[OFFCPU_RUNNABLE], 700);
	offcpu__free(oc);
	offcpu__free(NULL);
}
END_TEST

START_TEST(test_missed_exited_backwards_and_open_at_end)
{
	struct offcpu *oc = offcpu__new();
	const uint32_t stack[] = {1, 2};
	struct offcpu_interval iv;
	struct offcpu_stats st;
	int32_t tid;

	/* two switch-outs with no switch-in between: the first is dropped */
	ck_assert_int_eq(offcpu__out(oc, 5, 100, OFFCPU_SLEEP, stack, 2), 0);
	ck_assert_int_eq(offcpu__out(oc, 5, 200, OFFCPU_SLEEP, stack, 2), 0);
	/* a dead thread's last switch opens nothing */
	ck_assert_int_eq(offcpu__out(oc, 6, 100, OFFCPU_DEAD, stack, 2), 0);
	ck_assert_int_eq(offcpu__in(oc, 6, 900, &iv), 0);
	/* exit drops an open interval */
	ck_assert_int_eq(offcpu__out(oc, 7, 100, OFFCPU_IO, stack, 2), 0);
	offcpu__exit(oc, 7);
	ck_assert_int_eq(offcpu__in(oc, 7, 900, &iv), 0);
	/* a switch-in before its switch-out is not time */
	ck_assert_int_eq(offcpu__out(oc, 8, 1000, OFFCPU_SLEEP, stack, 2), 0);
	ck_assert_int_eq(offcpu__in(oc, 8, 900, &iv), 0);
	/* many threads, so the table grows with intervals open */
	for (tid = 100; tid < 300; tid++)
		ck_assert_int_eq(offcpu__out(oc, tid, 1000, OFFCPU_SLEEP,
					     stack, 1), 0);
	ck_assert_int_eq(offcpu__in(oc, 150, 3000, &iv), 1);
	ck_assert_uint_eq(iv.us, 2);
	/* the rest, and thread 5's, closed at the end */
	for (tid = 0; offcpu__finish(oc, 11000, &iv) == 1; tid++)
		ck_assert_uint_eq(iv.us, 10);
	ck_assert_int_eq(tid, 200);
	offcpu__stats(oc, &st);
	ck_assert_uint_eq(st.nr_missed_in, 1);
	ck_assert_uint_eq(st.nr_exited, 2);
	ck_assert_uint_eq(st.nr_backwards, 1);
	ck_assert_uint_eq(st.nr_open_at_end, 200);
	ck_assert_uint_eq(st.nr_closed, 1);
	offcpu__free(oc);
}
END_TEST

/* A switch-in not recorded: closed at the CPU's last switch, or where it
 * opened when that switch came before; the rest counted apart. */
START_TEST(test_switch_in_unrecorded)
{
	struct offcpu *oc = offcpu__new();
	const uint32_t stack[] = {7};
	struct offcpu_interval iv;
	struct offcpu_stats st;

	ck_assert_int_eq(offcpu__in_unrecorded(oc, 10, 500, 900, &iv), 0);
	ck_assert_int_eq(offcpu__out(oc, 10, 1000, OFFCPU_RUNNABLE, stack, 1),
			 0);
	ck_assert_int_eq(offcpu__in_unrecorded(oc, 10, 3500, 9000, &iv), 1);
	ck_assert_uint_eq(iv.ns, 2500);
	ck_assert_uint_eq(iv.us, 2);
	ck_assert_int_eq(offcpu__out(oc, 10, 10000, OFFCPU_SLEEP, stack, 1),
			 0);
	/* the CPU's last switch before the thread left: nothing proven */
	ck_assert_int_eq(offcpu__in_unrecorded(oc, 10, 8000, 12000, &iv), 1);
	ck_assert_uint_eq(iv.ns, 0);
	offcpu__stats(oc, &st);
	ck_assert_uint_eq(st.nr_unrecorded_in, 2);
	ck_assert_uint_eq(st.ns_unrecorded, 5500 + 2000);
	ck_assert_uint_eq(st.nr_closed, 2);
	ck_assert_uint_eq(st.ns[OFFCPU_RUNNABLE], 2500);
	offcpu__free(oc);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("offcpu");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_why_from_prev_state);
	tcase_add_test(tc, test_interval_closes_with_its_stack);
	tcase_add_test(tc, test_missed_exited_backwards_and_open_at_end);
	tcase_add_test(tc, test_switch_in_unrecorded);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
