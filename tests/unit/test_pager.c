/* Unit tests for common/pager: the thread maps a file's pages ahead of the
 * reader and releases them behind it, seen in the mapping's resident size
 * (/proc/self/smaps), without the test touching a byte. */
#include <check.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pager.h"

#define FILE_MB 32

/* Resident KB of the mapping that starts at base. */
static long rss_kb(const void *base)
{
	char line[512], want[32];
	FILE *f = fopen("/proc/self/smaps", "r");
	bool in = false;
	long kb = -1;

	ck_assert_ptr_nonnull(f);
	snprintf(want, sizeof(want), "%lx-", (unsigned long)base);
	while (fgets(line, sizeof(line), f)) {
		if ((line[0] >= '0' && line[0] <= '9') ||
		    (line[0] >= 'a' && line[0] <= 'f'))
			in = !strncmp(line, want, strlen(want));
		else if (in && sscanf(line, "Rss: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

/* Wait up to 5 s for the mapping's RSS to reach (at_least) or fall to
 * (!at_least) kb; its last value. */
static long wait_rss(const void *base, long kb, bool at_least)
{
	long r = rss_kb(base);
	int i;

	for (i = 0; i < 500 && (at_least ? r < kb : r > kb); i++) {
		usleep(10000);
		r = rss_kb(base);
	}
	return r;
}

static void *map_file(int *fd)
{
	char path[] = "/tmp/perffold-pager.XXXXXX";
	void *m;

	static char mb[1 << 20];
	int i;

	*fd = mkstemp(path);
	ck_assert_int_ge(*fd, 0);
	unlink(path);
	memset(mb, 'x', sizeof(mb));	/* real pages, no holes */
	for (i = 0; i < FILE_MB; i++)
		ck_assert_int_eq(write(*fd, mb, sizeof(mb)), (int)sizeof(mb));
	m = mmap(NULL, (size_t)FILE_MB << 20, PROT_READ, MAP_PRIVATE, *fd, 0);
	ck_assert_ptr_ne(m, MAP_FAILED);
	return m;
}

START_TEST(test_ahead_and_behind)
{
	int fd;
	void *m = map_file(&fd);
	struct pager *p = pager__new(m, (size_t)FILE_MB << 20);
	uint64_t next;

	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(rss_kb(m), 0);
	next = pager__advance(p, 0);
	ck_assert_uint_eq(next, PAGER_STEP);
	/* the thread maps [0, PAGER_AHEAD), and no more */
	ck_assert_int_ge(wait_rss(m, PAGER_AHEAD >> 10, true),
			 PAGER_AHEAD >> 10);
	usleep(50000);
	ck_assert_int_eq(rss_kb(m), PAGER_AHEAD >> 10);
	/* the reader moves on 4 MB and gives up the first 4 MB */
	pager__advance(p, 4u << 20);
	pager__release(p, 4u << 20);
	ck_assert_int_le(wait_rss(m, PAGER_AHEAD >> 10, false),
			 PAGER_AHEAD >> 10);
	ck_assert_int_eq(wait_rss(m, PAGER_AHEAD >> 10, true),
			 PAGER_AHEAD >> 10);	/* [4, 12) MB */
	/* past the end: mapped to the end, never beyond */
	pager__advance(p, ((uint64_t)FILE_MB << 20) - 4096);
	ck_assert_int_eq(wait_rss(m, (FILE_MB - 4) << 10, true),
			 (FILE_MB - 4) << 10);
	pager__free(p);
	munmap(m, (size_t)FILE_MB << 20);
	close(fd);
}
END_TEST

/* Told only to release, it maps nothing. */
START_TEST(test_release_only)
{
	int fd;
	void *m = map_file(&fd);
	struct pager *p = pager__new(m, (size_t)FILE_MB << 20);
	volatile const char *c = m;
	size_t i;
	size_t sum = 0;

	ck_assert_ptr_nonnull(p);
	usleep(50000);
	ck_assert_int_eq(rss_kb(m), 0);
	for (i = 0; i < (8u << 20); i += 4096)	/* the reader faults */
		sum += c[i] == 'x';
	ck_assert_uint_eq(sum, (8u << 20) / 4096);
	ck_assert_int_eq(rss_kb(m), 8 << 10);
	pager__release(p, 6u << 20);
	ck_assert_int_eq(wait_rss(m, 2 << 10, false), 2 << 10);
	pager__free(p);
	pager__free(NULL);
	munmap(m, (size_t)FILE_MB << 20);
	close(fd);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pager");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_ahead_and_behind);
	tcase_add_test(tc, test_release_only);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
