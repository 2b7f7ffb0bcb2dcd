/* Unit tests for common/sibling: tools started with stdin and stdout
 * given, their exit statuses. (No perffold tool sits beside the test
 * binary, so names are found in PATH.) */
#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sibling.h"

START_TEST(test_pipe_through)
{
	char *const echo[] = {"echo", "one two", NULL};
	char *const tr[] = {"tr", "a-z", "A-Z", NULL};
	int a[2], b[2];
	char buf[32];
	ssize_t n;
	pid_t p1, p2;

	ck_assert_int_eq(pipe(a), 0);
	ck_assert_int_eq(pipe(b), 0);
	p1 = sibling__spawn(echo, -1, a[1]);
	close(a[1]);
	p2 = sibling__spawn(tr, a[0], b[1]);
	close(a[0]);
	close(b[1]);
	ck_assert_int_gt(p1, 0);
	ck_assert_int_gt(p2, 0);
	n = read(b[0], buf, sizeof(buf) - 1);
	ck_assert_int_eq(n, 8);
	buf[n] = 0;
	ck_assert_str_eq(buf, "ONE TWO\n");
	close(b[0]);
	ck_assert_int_eq(sibling__wait(p1), 0);
	ck_assert_int_eq(sibling__wait(p2), 0);
}
END_TEST

START_TEST(test_statuses)
{
	char *const three[] = {"sh", "-c", "exit 3", NULL};
	char *const killed[] = {"sh", "-c", "kill -TERM $$", NULL};
	char *const none[] = {"no-such-perffold-tool", NULL};

	ck_assert_int_eq(sibling__wait(sibling__spawn(three, -1, -1)), 3);
	ck_assert_int_eq(sibling__wait(sibling__spawn(killed, -1, -1)),
			 128 + SIGTERM);
	ck_assert_int_lt(sibling__spawn(none, -1, -1), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sibling");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_pipe_through);
	tcase_add_test(tc, test_statuses);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
