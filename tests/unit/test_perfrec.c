/* Unit tests for common/perfrec: a shell script stands in for perf,
 * writing "recording" bytes to stdout and perf-like messages to stderr. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "perfrec.h"

extern char **environ;

/* The script's messages, as perf prints them after an option error. */
#define FAKE_PERF \
	"printf 0123456789; " \
	"echo 'event syntax error: bogus' >&2; " \
	"echo '[ perf record: Woken up 1 times to write data ]' >&2; " \
	"echo ' Usage: perf record [<options>] [<command>]' >&2; " \
	"echo '    -e, --event <event>   event selector' >&2; " \
	"exit 129"

static char warned[512];

static void keep_warning(void *ctx, enum diag_level level, const char *msg)
{
	(void)ctx;
	(void)level;
	snprintf(warned, sizeof(warned), "%s", msg);
}

/* Run the fake perf; what it recorded is read into buf, its messages
 * (as passed on) into msgs. */
static void run(int keep_fd, uint64_t cap, char *buf, size_t len, char *msgs,
		size_t msgs_len, struct perfrec_result *res)
{
	char *const argv[] = {"sh", "-c", FAKE_PERF, NULL};
	struct diag d = {keep_warning, NULL};
	int msg[2];
	struct perfrec_opts o = {
		.argv = argv, .envp = environ, .keep_fd = keep_fd,
		.keep_name = "kept.data", .keep_cap = cap, .diag = &d,
	};
	struct perfrec *rec;
	size_t n = 0;
	ssize_t k;

	ck_assert_int_eq(pipe(msg), 0);
	o.stderr_fd = msg[1];
	rec = perfrec__start(&o);
	ck_assert_ptr_nonnull(rec);
	ck_assert_int_gt(perfrec__pid(rec), 0);
	while (n < len - 1 && (k = read(perfrec__fd(rec), buf + n,
					len - 1 - n)) > 0)
		n += (size_t)k;
	buf[n] = 0;
	ck_assert_int_eq(perfrec__wait(rec, res), 0);
	close(msg[1]);
	k = read(msg[0], msgs, msgs_len - 1);
	msgs[k > 0 ? k : 0] = 0;
	close(msg[0]);
}

START_TEST(test_stream_and_messages)
{
	char buf[64], msgs[512];
	struct perfrec_result res;

	run(-1, 0, buf, sizeof(buf), msgs, sizeof(msgs), &res);
	ck_assert_str_eq(buf, "0123456789");
	/* perf's message passed on; its progress line and usage left out */
	ck_assert_str_eq(msgs, "event syntax error: bogus\n");
	ck_assert_uint_eq(res.nr_msg_lines, 1);
	ck_assert(WIFEXITED(res.status) && WEXITSTATUS(res.status) == 129);
	ck_assert_uint_eq(res.nr_kept, 0);
}
END_TEST

START_TEST(test_keep_up_to_the_cap)
{
	char path[PATH_MAX], buf[64], msgs[512], kept[64];
	const char *tmp = getenv("TMPDIR");
	struct perfrec_result res;
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/perfrec.XXXXXX", tmp ? tmp : "/tmp");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	warned[0] = 0;
	run(fd, 4, buf, sizeof(buf), msgs, sizeof(msgs), &res);
	/* the reader gets everything, the file the first 4 bytes */
	ck_assert_str_eq(buf, "0123456789");
	ck_assert_uint_eq(res.nr_kept, 4);
	ck_assert(res.is_capped);
	ck_assert_ptr_nonnull(strstr(warned, "'kept.data' reached its cap"));
	n = pread(fd, kept, sizeof(kept), 0);
	ck_assert_int_eq(n, 4);
	ck_assert_int_eq(memcmp(kept, "0123", 4), 0);
	close(fd);
	unlink(path);
}
END_TEST

START_TEST(test_no_such_perf)
{
	char *const argv[] = {"/no/such/perf", "record", NULL};
	struct perfrec_opts o = {
		.argv = argv, .envp = environ, .stderr_fd = 2, .keep_fd = -1,
	};

	errno = 0;
	ck_assert_ptr_null(perfrec__start(&o));
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("perfrec");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_stream_and_messages);
	tcase_add_test(tc, test_keep_up_to_the_cap);
	tcase_add_test(tc, test_no_such_perf);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
