/* Unit tests for common/fcache: entries come back as stored, only for the
 * same kind and the same files unchanged; damaged, foreign or half-written
 * entries are misses, never read. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fcache.h"

static char dir[64], src_path[96], other_path[96];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static void setup(void)
{
	strcpy(dir, "/tmp/fcache-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(src_path, sizeof(src_path), "%s/src", dir);
	snprintf(other_path, sizeof(other_path), "%s/other", dir);
	write_file(src_path, "the source");
	write_file(other_path, "another source");
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* The one entry file under d (in its build's directory), into path. */
static void entry_file(const char *d, char *path, size_t len)
{
	char cmd[256];
	FILE *f;
	int n = 0;

	snprintf(cmd, sizeof(cmd), "ls -d '%s'/*/symtab-*", d);
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(path, (int)len, f))
		n++;
	pclose(f);
	ck_assert_int_eq(n, 1);
	path[strcspn(path, "\n")] = '\0';
}

static struct fcache *cache_in(const char *sub)
{
	char d[128];
	struct fcache *c;

	snprintf(d, sizeof(d), "%s/%s", dir, sub);
	c = fcache__new(d);
	ck_assert_ptr_nonnull(c);
	return c;
}

/* Whether get(kind, srcs) finds exactly text. */
static int finds(struct fcache *c, const char *kind,
		 const struct fcache_src *fds,
		 size_t nr, const char *text)
{
	struct fcache_blob *b = fcache__get(c, kind, fds, nr);
	size_t len;
	const char *p;
	int ok;

	if (!b)
		return 0;
	p = fcache_blob__data(b, &len);
	ck_assert_uint_eq((uintptr_t)p % 16, 0);
	ok = len == strlen(text) && !memcmp(p, text, len);
	fcache_blob__free(b);
	return ok;
}

START_TEST(test_round_trip)
{
	struct fcache *c = cache_in("c");
	int fd = open(src_path, O_RDONLY), other = open(other_path, O_RDONLY);
	struct fcache_src fs = { .fd = fd }, os = { .fd = other };
	struct fcache_src two[2] = { { .fd = fd }, { .fd = -1 } };
	struct fcache_src swapped[2] = { { .fd = -1 }, { .fd = fd } };
	struct stat st;
	char d[128];

	ck_assert_ptr_null(fcache__get(c, "symtab", &fs, 1));
	ck_assert_int_eq(fcache__put(c, "symtab", &fs, 1, "payload", 7), 0);
	ck_assert(finds(c, "symtab", &fs, 1, "payload"));
	/* another kind, another file, another arity: other keys */
	ck_assert(!finds(c, "dwarf", &fs, 1, "payload"));
	ck_assert(!finds(c, "symtab", &os, 1, "payload"));
	ck_assert(!finds(c, "symtab", two, 2, "payload"));
	ck_assert_int_eq(fcache__put(c, "symtab", two, 2, "two", 3), 0);
	ck_assert(finds(c, "symtab", two, 2, "two"));
	ck_assert(!finds(c, "symtab", swapped, 2, "two"));
	ck_assert(finds(c, "symtab", &fs, 1, "payload"));
	/* a store replaces; an empty payload is one */
	ck_assert_int_eq(fcache__put(c, "symtab", &fs, 1, "", 0), 0);
	ck_assert(finds(c, "symtab", &fs, 1, ""));
	/* the directory was made, private */
	snprintf(d, sizeof(d), "%s/c", dir);
	ck_assert_int_eq(stat(d, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0700);
	/* bad keys */
	ck_assert_int_eq(fcache__put(c, "a/b", &fs, 1, "x", 1), -EINVAL);
	ck_assert_int_eq(fcache__put(c, "", &fs, 1, "x", 1), -EINVAL);
	close(other);
	os.fd = open(dir, O_RDONLY | O_DIRECTORY);	/* not a file */
	ck_assert_int_eq(fcache__put(c, "symtab", &os, 1, "x", 1), -EINVAL);
	ck_assert_ptr_null(fcache__get(c, "symtab", &os, 1));
	close(os.fd);
	close(fd);
	fcache__free(c);
	fcache__free(NULL);
	fcache_blob__free(NULL);
}
END_TEST

START_TEST(test_changed_source_misses)
{
	struct fcache *c = cache_in("c");
	int fd = open(src_path, O_RDWR);
	struct fcache_src fs = { .fd = fd };
	struct timespec ts[2] = { { 0, UTIME_OMIT }, { 12345, 6789 } };

	ck_assert_int_eq(fcache__put(c, "symtab", &fs, 1, "old", 3), 0);
	ck_assert_int_eq(futimens(fd, ts), 0);	/* same size, new mtime */
	ck_assert(!finds(c, "symtab", &fs, 1, "old"));
	ck_assert_int_eq(fcache__put(c, "symtab", &fs, 1, "new", 3), 0);
	ck_assert(finds(c, "symtab", &fs, 1, "new"));
	ck_assert_int_eq(fchmod(fd, 0640), 0);	/* only the change time */
	ck_assert(!finds(c, "symtab", &fs, 1, "new"));
	ck_assert_int_eq(fcache__put(c, "symtab", &fs, 1, "new", 3), 0);
	ck_assert(finds(c, "symtab", &fs, 1, "new"));
	ck_assert_int_eq(pwrite(fd, "!", 1, 100), 1);	/* grown */
	ck_assert_int_eq(futimens(fd, ts), 0);
	ck_assert(!finds(c, "symtab", &fs, 1, "new"));
	close(fd);
	fcache__free(c);
}
END_TEST

START_TEST(test_damaged_entries_miss)
{
	struct fcache *c = cache_in("c");
	int fd = open(src_path, O_RDONLY), efd;
	struct fcache_src fs = { .fd = fd };
	char d[128], path[512], link[600];
	struct stat st;

	snprintf(d, sizeof(d), "%s/c", dir);
	ck_assert_int_eq(fcache__put(c, "symtab", &fs, 1, "payload", 7), 0);
	entry_file(d, path, sizeof(path));
	ck_assert_int_eq(stat(path, &st), 0);
	/* truncated by one byte */
	ck_assert_int_eq(truncate(path, st.st_size - 1), 0);
	ck_assert(!finds(c, "symtab", &fs, 1, "payload"));
	/* one more byte */
	ck_assert_int_eq(truncate(path, st.st_size + 1), 0);
	ck_assert(!finds(c, "symtab", &fs, 1, "payload"));
	/* a byte of the stored key changed (in the file's identity) */
	ck_assert_int_eq(fcache__put(c, "symtab", &fs, 1, "payload", 7), 0);
	efd = open(path, O_RDWR);
	ck_assert_int_eq(pwrite(efd, "\xff", 1, st.st_size - 7 - 16), 1);
	close(efd);
	ck_assert(!finds(c, "symtab", &fs, 1, "payload"));
	/* shorter than a header; empty */
	write_file(path, "PFCACHE");
	ck_assert(!finds(c, "symtab", &fs, 1, "payload"));
	write_file(path, "");
	ck_assert(!finds(c, "symtab", &fs, 1, "payload"));
	/* a symbolic link in its place is not followed */
	ck_assert_int_eq(fcache__put(c, "symtab", &fs, 1, "payload", 7), 0);
	snprintf(link, sizeof(link), "%s.real", path);
	ck_assert_int_eq(rename(path, link), 0);
	ck_assert_int_eq(symlink(link, path), 0);
	ck_assert(!finds(c, "symtab", &fs, 1, "payload"));
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(rename(link, path), 0);
	ck_assert(finds(c, "symtab", &fs, 1, "payload"));
	/* another user's entry (chown needs root: said, not skipped silently) */
	if (geteuid() == 0) {
		ck_assert_int_eq(chown(path, 1, 1), 0);
		ck_assert(!finds(c, "symtab", &fs, 1, "payload"));
	} else {
		fprintf(stderr, "test_fcache: not root, other owners' entries "
			"not tried\n");
	}
	close(fd);
	fcache__free(c);
}
END_TEST

START_TEST(test_store_failures)
{
	struct fcache *c = cache_in("src/sub");	/* a file on the path */
	int fd = open(src_path, O_RDONLY);
	struct fcache_src fs = { .fd = fd };
	struct rlimit small = { 200, 200 };
	char big[1000] = { 0 }, d[256];

	/* no directory can be made */
	ck_assert_int_lt(fcache__put(c, "symtab", &fs, 1, "x", 1), 0);
	ck_assert_ptr_null(fcache__get(c, "symtab", &fs, 1));
	fcache__free(c);
	/* a write fails half way (a full disk): no entry, nothing left */
	c = cache_in("c");
	signal(SIGXFSZ, SIG_IGN);
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &small), 0);
	ck_assert_int_eq(fcache__put(c, "symtab", &fs, 1, big, sizeof(big)),
			 -EFBIG);
	ck_assert_ptr_null(fcache__get(c, "symtab", &fs, 1));
	snprintf(d, sizeof(d), "test -z \"$(find '%s/c' -type f ! -name "
		 "CACHEDIR.TAG)\"", dir);
	ck_assert_msg(system(d) == 0, "left behind in %s/c", dir);
	fcache__free(c);
	close(fd);
}
END_TEST

START_TEST(test_default_dir)
{
	char buf[256];

	setenv("PERFFOLD_CACHE_DIR", "/x/y", 1);
	setenv("XDG_CACHE_HOME", "/xdg", 1);
	setenv("HOME", "/home/u", 1);
	ck_assert_str_eq(fcache__default_dir(buf, sizeof(buf)), "/x/y");
	ck_assert_ptr_null(fcache__default_dir(buf, 3));
	setenv("PERFFOLD_CACHE_DIR", "", 1);	/* off */
	ck_assert_ptr_null(fcache__default_dir(buf, sizeof(buf)));
	unsetenv("PERFFOLD_CACHE_DIR");
	ck_assert_str_eq(fcache__default_dir(buf, sizeof(buf)),
			 "/xdg/perffold");
	setenv("XDG_CACHE_HOME", "relative", 1);	/* ignored, as XDG says */
	ck_assert_str_eq(fcache__default_dir(buf, sizeof(buf)),
			 "/home/u/.cache/perffold");
	unsetenv("XDG_CACHE_HOME");
	unsetenv("HOME");
	ck_assert_ptr_null(fcache__default_dir(buf, sizeof(buf)));
}
END_TEST

/* A file with a build id is named by it and its size: a copy anywhere is
 * the same file, its times do not matter; another build id, or another
 * size, is another file. */
START_TEST(test_named_by_build_id)
{
	static const uint8_t id[20] = { 1, 2, 3, 4, 5 }, id2[20] = { 9 };
	struct fcache *c = cache_in("c");
	char copy_path[128];
	int fd = open(src_path, O_RDWR), cfd, ofd = open(other_path, O_RDONLY);
	struct fcache_src fs = { fd, id, sizeof(id) };
	struct fcache_src copy, other = { ofd, id, sizeof(id) };
	struct fcache_src other_id = { fd, id2, sizeof(id2) };
	struct timespec ts[2] = { { 0, UTIME_OMIT }, { 12345, 6789 } };

	snprintf(copy_path, sizeof(copy_path), "%s/copy", dir);
	write_file(copy_path, "the source");
	cfd = open(copy_path, O_RDONLY);
	copy = (struct fcache_src){ cfd, id, sizeof(id) };
	ck_assert_int_eq(fcache__put(c, "dwarf", &fs, 1, "image", 5), 0);
	ck_assert(finds(c, "dwarf", &copy, 1, "image"));
	ck_assert_int_eq(futimens(fd, ts), 0);
	ck_assert_int_eq(fchmod(fd, 0640), 0);
	ck_assert(finds(c, "dwarf", &fs, 1, "image"));
	ck_assert(!finds(c, "dwarf", &other_id, 1, "image"));
	ck_assert(!finds(c, "dwarf", &other, 1, "image"));	/* its size */
	fs.build_id_len = 0;	/* no build id: the file itself */
	ck_assert(!finds(c, "dwarf", &fs, 1, "image"));
	close(fd);
	close(cfd);
	close(ofd);
	fcache__free(c);
}
END_TEST

static int sh(const char *fmt, const char *arg)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), fmt, arg, arg, arg, arg, arg, arg);
	return system(cmd);
}

/* A new build's first store removes other builds' entries (files named as
 * entries, in directories named as build ids), and nothing else, but those
 * of the other build written last (another tool's); never in a directory
 * the cache did not make. */
START_TEST(test_other_builds_pruned)
{
	struct fcache *c = cache_in("c");
	int fd = open(src_path, O_RDONLY);
	struct fcache_src fs = { .fd = fd };
	char d[128];

	snprintf(d, sizeof(d), "%s/c", dir);
	ck_assert_int_eq(fcache__put(c, "symtab", &fs, 1, "x", 1), 0);
	ck_assert_int_eq(sh("test -f %s/CACHEDIR.TAG && rm -r %s/*/ && cd %s && "
			    "o=00112233445566778899aabbccddeeff00112233 && "
			    "mkdir $o aabbccdd 55667788 not-hex && "
			    "touch $o/symtab-0123456789abcdef $o/notes "
			    "aabbccdd/dwarf-0123456789abcdef aabbccdd/.tmp-1 "
			    "55667788/symtab-0123456789abcdef "
			    "not-hex/symtab-0123456789abcdef && "
			    "touch -d '2 days ago' $o aabbccdd && "
			    "touch -d '1 day ago' 55667788", d), 0);
	/* this build's directory is gone (as after an upgrade): made anew */
	ck_assert_int_eq(fcache__put(c, "symtab", &fs, 1, "y", 1), 0);
	ck_assert(finds(c, "symtab", &fs, 1, "y"));
	ck_assert_int_eq(sh("cd %s && test ! -e 0011*/symtab-0123456789abcdef "
			    "&& test -f 0011*/notes && test ! -e aabbccdd && "
			    "test -f 55667788/symtab-0123456789abcdef && "
			    "test -f not-hex/symtab-0123456789abcdef", d), 0);
	fcache__free(c);

	/* a directory that was there: no tag, nothing pruned */
	ck_assert_int_eq(sh("mkdir -p %s/there/aabbccdd && "
			    "touch %s/there/aabbccdd/dwarf-0123456789abcdef",
			    dir), 0);
	c = cache_in("there");
	ck_assert_int_eq(fcache__put(c, "symtab", &fs, 1, "x", 1), 0);
	ck_assert_int_eq(sh("test ! -e %s/there/CACHEDIR.TAG && "
			    "test -f %s/there/aabbccdd/dwarf-0123456789abcdef",
			    dir), 0);
	fcache__free(c);
	close(fd);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fcache");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_changed_source_misses);
	tcase_add_test(tc, test_damaged_entries_miss);
	tcase_add_test(tc, test_store_failures);
	tcase_add_test(tc, test_default_dir);
	tcase_add_test(tc, test_other_builds_pruned);
	tcase_add_test(tc, test_named_by_build_id);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
