/* Unit tests for common/perfdata/pipein: a pipe drained on a thread gives
 * the reader every byte in order, however its reads and the writer's
 * writes are cut; it says how full the pipe was; it stops when freed,
 * even with its thread blocked in a read. */
#include <check.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pipein.h"

#define TOTAL (3u << 20)

static uint8_t byte_at(size_t i)
{
	return (uint8_t)(i * 7 + (i >> 12));
}

/* Writes TOTAL bytes of the pattern in writes of varied sizes, then
 * closes its end. */
static void *writer(void *arg)
{
	int fd = *(int *)arg;
	static uint8_t buf[70000];
	size_t done = 0, n, i, k = 0;

	while (done < TOTAL) {
		n = 1 + (k++ * 9973) % sizeof(buf);
		if (n > TOTAL - done)
			n = TOTAL - done;
		for (i = 0; i < n; i++)
			buf[i] = byte_at(done + i);
		ck_assert_int_eq(write(fd, buf, n), (ssize_t)n);
		done += n;
	}
	close(fd);
	return NULL;
}

START_TEST(test_every_byte_in_order)
{
	static uint8_t buf[100000], expected[TOTAL];
	struct pipein *p;
	pthread_t t;
	int fds[2];
	size_t got = 0, want = 1, i;
	ssize_t n;

	ck_assert_int_eq(pipe(fds), 0);
	/* a small bound: the thread waits for the reader now and then */
	p = pipein__new(fds[0], 2 * PIPEIN_CHUNK);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(pthread_create(&t, NULL, writer, &fds[1]), 0);
	for (i = 0; i < TOTAL; i++)
		expected[i] = byte_at(i);
	while ((n = pipein__read(p, buf, want)) > 0) {
		ck_assert_uint_le(got + (size_t)n, TOTAL);
		ck_assert(!memcmp(buf, expected + got, (size_t)n));
		got += (size_t)n;
		want = 1 + (want * 31 + 17) % sizeof(buf);
	}
	ck_assert_int_eq(n, 0);
	ck_assert_uint_eq(got, TOTAL);
	ck_assert_int_eq(pipein__read(p, buf, 10), 0);	/* still the end */
	pthread_join(t, NULL);
	pipein__free(p);
	close(fds[0]);
}
END_TEST

START_TEST(test_max_queued)
{
	static uint8_t buf[50000];
	struct pipein *p;
	int fds[2];

	ck_assert_int_eq(pipe(fds), 0);
	memset(buf, 1, sizeof(buf));
	/* waiting before the thread's first read */
	ck_assert_int_eq(write(fds[1], buf, sizeof(buf)), (ssize_t)sizeof(buf));
	p = pipein__new(fds[0], 1 << 20);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(pipein__read(p, buf, sizeof(buf)), (ssize_t)sizeof(buf));
	ck_assert_uint_eq(pipein__max_queued(p), sizeof(buf));
	close(fds[1]);
	ck_assert_int_eq(pipein__read(p, buf, sizeof(buf)), 0);
	pipein__free(p);
	close(fds[0]);
}
END_TEST

/* Freed while its thread waits in read() on a pipe whose writer is still
 * there, or while the queue is full: it returns, nothing leaks (ASan). */
START_TEST(test_free_while_blocked)
{
	static uint8_t buf[PIPEIN_CHUNK];
	struct pipein *p;
	int fds[2];

	ck_assert_int_eq(pipe(fds), 0);
	p = pipein__new(fds[0], 1 << 20);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(write(fds[1], "abc", 3), 3);
	ck_assert_int_eq(pipein__read(p, buf, sizeof(buf)), 3);
	pipein__free(p);	/* the thread is in read() now */

	p = pipein__new(fds[0], PIPEIN_CHUNK);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(write(fds[1], buf, 60000), 60000);
	ck_assert_int_gt(pipein__read(p, buf, 1), 0);
	ck_assert_int_eq(write(fds[1], buf, 60000), 60000);
	usleep(20000);		/* the queue (one chunk) may be full */
	pipein__free(p);
	pipein__free(NULL);
	close(fds[0]);
	close(fds[1]);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pipein");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_every_byte_in_order);
	tcase_add_test(tc, test_max_queued);
	tcase_add_test(tc, test_free_while_blocked);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
