/* Unit tests for common/jitfile: perf's owner rule for a JIT's files, and
 * nothing but regular files opened. The owner cases chown files, so the
 * suite runs as root (as CI and scripts/test do). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jitfile.h"

static char dir[] = "/tmp/perffold-jitfile.XXXXXX";
static char msgs[4][512];
static int nr_msgs;

static void collect(void *ctx, enum diag_level level, const char *msg)
{
	(void)ctx;
	ck_assert_int_eq(level, DIAG_WARN);
	if (nr_msgs < 4)
		snprintf(msgs[nr_msgs], sizeof(msgs[0]), "%s", msg);
	nr_msgs++;
}

static const struct diag d = {collect, NULL};

static char *path(const char *name)
{
	static char buf[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

static void write_file(const char *p, const char *text)
{
	FILE *f = fopen(p, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void setup(void)
{
	ck_assert_msg(geteuid() == 0, "test_jitfile chowns files: run it as "
		      "root (scripts/test does)");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	nr_msgs = 0;
}

static void teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
	strcpy(dir, "/tmp/perffold-jitfile.XXXXXX");
}

static void expect_read(int fd, const char *text)
{
	char buf[64] = {0};

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(read(fd, buf, sizeof(buf) - 1), (int)strlen(text));
	ck_assert_str_eq(buf, text);
	/* blocking again: the descriptor is an ordinary one */
	ck_assert_int_eq(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	close(fd);
}

START_TEST(test_own_and_root_files)
{
	write_file(path("perf-1.map"), "1000 10 f\n");
	expect_read(jitfile__open(path("perf-1.map"), false, &d), "1000 10 f\n");
	ck_assert_int_eq(nr_msgs, 0);
	ck_assert_int_eq(jitfile__open(path("perf-2.map"), false, &d), -ENOENT);
	ck_assert_int_eq(nr_msgs, 0);	/* absent files are not news */
}
END_TEST

START_TEST(test_other_owner)
{
	write_file(path("perf-3.map"), "1000 10 planted\n");
	ck_assert_int_eq(chown(path("perf-3.map"), 4321, 4321), 0);
	ck_assert_int_eq(jitfile__open(path("perf-3.map"), false, &d), -EPERM);
	ck_assert_int_eq(nr_msgs, 1);
	ck_assert_msg(strstr(msgs[0], "perf-3.map' is owned by uid 4321") &&
		      strstr(msgs[0], "--force"), "%s", msgs[0]);
	expect_read(jitfile__open(path("perf-3.map"), true, &d),
		    "1000 10 planted\n");
	ck_assert_int_eq(nr_msgs, 1);
	/* a symlink of another owner is refused as the file itself is
	 * (lstat, as perf) */
	write_file(path("mine"), "1000 10 mine\n");
	ck_assert_int_eq(symlink(path("mine"), path("perf-4.map")), 0);
	ck_assert_int_eq(lchown(path("perf-4.map"), 4321, 4321), 0);
	ck_assert_int_eq(jitfile__open(path("perf-4.map"), false, &d), -EPERM);
	ck_assert_int_eq(nr_msgs, 2);
}
END_TEST

START_TEST(test_not_regular)
{
	/* a FIFO nobody writes: refused at once, never waited on */
	ck_assert_int_eq(mkfifo(path("fifo"), 0600), 0);
	ck_assert_int_eq(symlink(path("fifo"), path("perf-5.map")), 0);
	ck_assert_int_eq(jitfile__open(path("perf-5.map"), false, &d), -EINVAL);
	ck_assert_int_eq(nr_msgs, 1);
	ck_assert_msg(strstr(msgs[0], "is not a regular file"), "%s", msgs[0]);
	/* a device that never ends, even with --force */
	ck_assert_int_eq(symlink("/dev/zero", path("jit-6.dump")), 0);
	ck_assert_int_eq(jitfile__open(path("jit-6.dump"), true, &d), -EINVAL);
	ck_assert_int_eq(jitfile__open(dir, true, &d), -EINVAL);
	ck_assert_int_eq(nr_msgs, 3);
	/* a symlink to a regular file is followed */
	write_file(path("real"), "x\n");
	ck_assert_int_eq(symlink(path("real"), path("perf-7.map")), 0);
	expect_read(jitfile__open(path("perf-7.map"), false, &d), "x\n");
}
END_TEST

static Suite *jitfile_suite(void)
{
	Suite *s = suite_create("jitfile");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_own_and_root_files);
	tcase_add_test(tc, test_other_owner);
	tcase_add_test(tc, test_not_regular);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(jitfile_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
