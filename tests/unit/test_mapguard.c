/* Unit tests for common/mapguard: a child maps a file, guards it, truncates
 * it and reads the page past the new end; the parent checks how the child
 * ended and what it wrote to stderr. */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mapguard.h"

#define NR_PAGES 4

/* What a child did: its wait status and its stderr. */
struct outcome {
	int status;
	char err[512];
};

/* A file of NR_PAGES pages, mapped; its fd in *fd. */
static volatile char *map_file(int *fd, size_t *len)
{
	char path[] = "/tmp/test_mapguard.XXXXXX";
	void *m;

	*len = NR_PAGES * (size_t)sysconf(_SC_PAGESIZE);
	*fd = mkstemp(path);
	ck_assert_int_ge(*fd, 0);
	unlink(path);
	ck_assert_int_eq(ftruncate(*fd, (off_t)*len), 0);
	m = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, *fd, 0);
	ck_assert_ptr_ne(m, MAP_FAILED);
	return m;
}

/* Read the last page of a mapping after its file shrank to one page. */
static int touch_past_end(volatile char *m, int fd, size_t len)
{
	if (ftruncate(fd, (off_t)(len / NR_PAGES)))
		return 3;
	return m[len - 1];
}

/* Run body in a child (SIGBUS at its default action first, not a
 * sanitizer's); how it ended and what it wrote to stderr. */
static struct outcome run_child(int (*body)(void))
{
	struct outcome o = { 0 };
	int pipefd[2];
	ssize_t n;
	size_t got = 0;
	pid_t pid;

	ck_assert_int_eq(pipe(pipefd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (!pid) {
		signal(SIGBUS, SIG_DFL);
		dup2(pipefd[1], STDERR_FILENO);
		close(pipefd[0]);
		_exit(body());
	}
	close(pipefd[1]);
	while ((n = read(pipefd[0], o.err + got, sizeof(o.err) - 1 - got)) > 0)
		got += (size_t)n;
	close(pipefd[0]);
	ck_assert_int_eq(waitpid(pid, &o.status, 0), pid);
	return o;
}

static int guarded_fault(void)
{
	size_t len;
	int fd;
	volatile char *m = map_file(&fd, &len);

	if (mapguard__add((const void *)m, len, "in.folded"))
		return 4;
	return touch_past_end(m, fd, len);
}

/* The child exited 2 after saying that name shrank. */
static void assert_shrank(const struct outcome *o, const char *name)
{
	char want[256];

	snprintf(want, sizeof(want), "%s: '%s' shrank while it was read\n",
		 program_invocation_short_name, name);
	ck_assert(WIFEXITED(o->status));
	ck_assert_int_eq(WEXITSTATUS(o->status), 2);
	ck_assert_str_eq(o->err, want);
}

START_TEST(test_guarded_fault)
{
	struct outcome o = run_child(guarded_fault);

	assert_shrank(&o, "in.folded");
}
END_TEST

/* A mapping removed, or never added, faults as before: SIGBUS. */
static int removed_fault(void)
{
	size_t len, other_len;
	int fd, other_fd;
	volatile char *m = map_file(&fd, &len);
	volatile char *other = map_file(&other_fd, &other_len);

	if (mapguard__add((const void *)other, other_len, "other"))
		return 4;
	if (mapguard__add((const void *)m, len, "gone"))
		return 4;
	mapguard__remove((const void *)m);
	return touch_past_end(m, fd, len);
}

START_TEST(test_removed_is_not_guarded)
{
	struct outcome o = run_child(removed_fault);

	ck_assert(WIFSIGNALED(o.status));
	ck_assert_int_eq(WTERMSIG(o.status), SIGBUS);
	ck_assert_str_eq(o.err, "");
}
END_TEST

/* Many mappings at once (the table grows past a chunk), the fault on a
 * thread other than the one that added it. */
struct fault_arg {
	volatile char *m;
	int fd;
	size_t len;
};

static void *fault_thread(void *arg)
{
	struct fault_arg *a = arg;

	touch_past_end(a->m, a->fd, a->len);
	return NULL;
}

static int many_mappings(void)
{
	static char dummy[200];
	struct fault_arg a;
	pthread_t t;
	char name[32];
	int i;

	for (i = 0; i < 100; i++)
		if (mapguard__add(dummy + i, 1, "dummy"))
			return 4;
	for (i = 0; i < 50; i += 2)
		mapguard__remove(dummy + i);
	a.m = map_file(&a.fd, &a.len);
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		if (mapguard__add(i == 39 ? (const void *)a.m : dummy + 100 + i,
				  i == 39 ? a.len : 1, name))
			return 4;
	}
	if (pthread_create(&t, NULL, fault_thread, &a))
		return 5;
	pthread_join(t, NULL);
	return 6;
}

START_TEST(test_many_mappings_any_thread)
{
	struct outcome o = run_child(many_mappings);

	assert_shrank(&o, "f39");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mapguard");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_guarded_fault);
	tcase_add_test(tc, test_removed_is_not_guarded);
	tcase_add_test(tc, test_many_mappings_any_thread);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
