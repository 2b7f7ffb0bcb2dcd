/* Unit tests for common/flametree. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flametree.h"

static void add(struct flametree *t, const char *stack, double after)
{
	ck_assert_int_eq(flametree__add(t, stack, strlen(stack), 0, after), 0);
}

/* The tree as "depth:name@x+w" lines in node order. */
static char *dump(const struct flametree *t)
{
	static char buf[4096];
	size_t i, len = 0;
	struct flametree_node n;

	buf[0] = '\0';
	for (i = 0; i < flametree__nr_nodes(t); i++) {
		flametree__node(t, i, &n);
		len += (size_t)snprintf(buf + len, sizeof(buf) - len,
					"%u:%.*s@%g+%g\n", n.depth,
					(int)n.name_len, n.name, n.x, n.value);
	}
	return buf;
}

START_TEST(test_merged_and_sorted)
{
	struct flametree *t = flametree__new(0);

	add(t, "main;b;x", 2);
	add(t, "main;a", 3);
	add(t, "main;b;x", 1);
	add(t, "main;b", 4);
	add(t, "other", 1);
	ck_assert_int_eq(flametree__finish(t), 0);
	ck_assert_str_eq(dump(t),
			 "0:all@0+11\n"
			 "1:main@0+10\n"
			 "2:a@0+3\n"
			 "2:b@3+7\n"	/* b's own 4 come first, then x */
			 "3:x@7+3\n"
			 "1:other@10+1\n");
	ck_assert_uint_eq(flametree__max_depth(t), 3);
	ck_assert_uint_eq(flametree__nr_stacks(t), 4);
	flametree__free(t);
}
END_TEST

START_TEST(test_order_by_frames_not_bytes)
{
	/* bytewise "a!;z" < "a;b" as text, but frame "a" < "a!" */
	struct flametree *t = flametree__new(0);

	add(t, "a!;z", 1);
	add(t, "a;b", 1);
	ck_assert_int_eq(flametree__finish(t), 0);
	ck_assert_str_eq(dump(t),
			 "0:all@0+2\n1:a@0+1\n2:b@0+1\n1:a!@1+1\n2:z@1+1\n");
	flametree__free(t);
}
END_TEST

START_TEST(test_flamechart_keeps_order)
{
	struct flametree *t = flametree__new(FLAMETREE_CHART);

	add(t, "main;b", 1);
	add(t, "main;b", 1);
	add(t, "main;a", 2);
	add(t, "main", 1);
	add(t, "main;b", 1);
	ck_assert_int_eq(flametree__finish(t), 0);
	ck_assert_str_eq(dump(t),
			 "0:all@0+6\n1:main@0+6\n2:b@0+2\n2:a@2+2\n"
			 "2:b@5+1\n");
	flametree__free(t);
}
END_TEST

START_TEST(test_reverse)
{
	struct flametree *t = flametree__new(FLAMETREE_REVERSE);

	add(t, "main;f;leaf", 2);
	add(t, "main;g;leaf", 1);
	ck_assert_int_eq(flametree__finish(t), 0);
	ck_assert_str_eq(dump(t),
			 "0:all@0+3\n1:leaf@0+3\n2:f@0+2\n3:main@0+2\n"
			 "2:g@2+1\n3:main@2+1\n");
	flametree__free(t);
}
END_TEST

START_TEST(test_differential_and_empty_frames)
{
	struct flametree *t = flametree__new(0);
	struct flametree_node n;

	ck_assert_int_eq(flametree__add(t, "m;f", 3, 10, 4), 0);
	ck_assert_int_eq(flametree__add(t, "m;;g", 4, 1, 2), 0);
	ck_assert_int_eq(flametree__finish(t), 0);
	ck_assert_str_eq(dump(t),
			 "0:all@0+6\n1:m@0+6\n2:@0+2\n3:g@0+2\n2:f@2+4\n");
	flametree__node(t, 1, &n);
	ck_assert(n.before == 11 && n.value == 6);
	flametree__node(t, 4, &n);
	ck_assert(n.before == 10 && n.value == 4);
	ck_assert_int_eq(flametree__add(t, "x", 1, 0, 1), -EINVAL);
	flametree__free(t);
	flametree__free(NULL);
}
END_TEST

START_TEST(test_many_stacks)
{
	struct flametree *t = flametree__new(0);
	char buf[64];
	struct flametree_node n;
	int i;

	for (i = 0; i < 20000; i++) {
		int len = snprintf(buf, sizeof(buf), "root;f%d;g%d", i % 100,
				   i % 7);

		ck_assert_int_eq(flametree__add(t, buf, (size_t)len, 0, 1), 0);
	}
	ck_assert_int_eq(flametree__finish(t), 0);
	ck_assert_uint_eq(flametree__nr_stacks(t), 700);
	ck_assert_uint_eq(flametree__nr_nodes(t), 2 + 100 + 700);
	flametree__node(t, 0, &n);
	ck_assert(n.value == 20000);
	flametree__free(t);
}
END_TEST

START_TEST(test_pruned_while_building)
{
	struct flametree *t = flametree__new(0);

	flametree__prune_below(t, 3.0 / 13);	/* 3 of 13 */
	add(t, "m;wide;deep", 6);
	add(t, "m;thin;x", 1);	/* thin: 1 + 1 = 2 < 3, pruned with x, y */
	add(t, "m;thin;y", 1);
	add(t, "m;wide;tiny", 2);	/* below 3: pruned */
	add(t, "m;a", 1);	/* a + a = 3: kept */
	add(t, "m;a", 2);
	ck_assert_int_eq(flametree__finish(t), 0);
	ck_assert_str_eq(dump(t),
			 "0:all@0+13\n1:m@0+13\n2:a@0+3\n"
			 "2:wide@5+8\n3:deep@5+6\n");
	flametree__free(t);
}
END_TEST

START_TEST(test_flamechart_pruned_while_streaming)
{
	struct flametree *t = flametree__new(FLAMETREE_CHART);

	flametree__prune_below(t, 0.25);
	add(t, "m;a;x", 1);	/* a ends at 1 of 1: kept */
	add(t, "m;b;y", 1);	/* a stays (1 >= 0.5); b ends at 1 of 3 */
	add(t, "m;c", 1);
	add(t, "m;c", 1);	/* c: 2 of 4 */
	add(t, "m;d;z", 1);	/* c closed; d stays open to the end */
	add(t, "n;e", 7);	/* m closes at 5 of 12: kept; d at 1 of 12: gone */
	ck_assert_int_eq(flametree__finish(t), 0);
	ck_assert_str_eq(dump(t),
			 "0:all@0+12\n1:m@0+5\n2:a@0+1\n3:x@0+1\n"
			 "2:b@1+1\n3:y@1+1\n2:c@2+2\n1:n@5+7\n2:e@5+7\n");
	flametree__free(t);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("flametree");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_merged_and_sorted);
	tcase_add_test(tc, test_order_by_frames_not_bytes);
	tcase_add_test(tc, test_flamechart_keeps_order);
	tcase_add_test(tc, test_reverse);
	tcase_add_test(tc, test_differential_and_empty_frames);
	tcase_add_test(tc, test_many_stacks);
	tcase_add_test(tc, test_pruned_while_building);
	tcase_add_test(tc, test_flamechart_pruned_while_streaming);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
