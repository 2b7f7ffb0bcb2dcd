/* Unit tests for common/debugfile: which files perf's search order picks,
 * over the ELF files tests/make_elf_fixtures.sh builds (directory in
 * $PERFFOLD_FX_DIR). fx_dbg, fx_bid, fx_fed and fx_dynonly are fx_pie
 * stripped, so they share its build id; fx_nopie has another. Build-id
 * caches and debug roots are made per test in a fresh directory there. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "debugfile.h"

static const char *fx_dir(void)
{
	const char *d = getenv("PERFFOLD_FX_DIR");

	ck_assert_msg(d != NULL, "PERFFOLD_FX_DIR is not set");
	return d;
}

static char *fx_path(const char *name)
{
	static char buf[4][PATH_MAX];
	static int n;
	char *p = buf[n++ & 3];

	snprintf(p, PATH_MAX, "%s/%s", fx_dir(), name);
	return p;
}

/* A new empty directory under the fixtures, removed by rm_tree(). */
static void make_tmp(char *out, size_t cap)
{
	snprintf(out, cap, "%s/dfXXXXXX", fx_dir());
	ck_assert_ptr_nonnull(mkdtemp(out));
}

static void rm_tree(const char *dir)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* mkdir -p of the directory holding file. */
static void make_parents(const char *file)
{
	char buf[PATH_MAX], *p;

	snprintf(buf, sizeof(buf), "%s", file);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		ck_assert(mkdir(buf, 0755) == 0 || errno == EEXIST);
		*p = '/';
	}
}

static void copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in, out;
	ssize_t n;

	make_parents(to);
	in = open(from, O_RDONLY);
	ck_assert_int_ge(in, 0);
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(out, 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		ck_assert_int_eq(write(out, buf, (size_t)n), n);
	close(in);
	close(out);
}

/* fx_pie's build id, and the same as lower-case hex. */
static void pie_id(uint8_t *id, char *hex)
{
	int i;

	ck_assert_int_eq(debugfile__read_build_id(fx_path("fx_pie"), id,
						  DEBUGFILE_BUILD_ID_MAX), 20);
	for (i = 0; i < 20; i++)
		snprintf(hex + 2 * i, 3, "%02x", id[i]);
}

/* What a diag hook saw: the number of messages and the last one. */
struct seen {
	int nr;
	enum diag_level level;
	char last[1024];
};

static void remember(void *ctx, enum diag_level level, const char *msg)
{
	struct seen *s = ctx;

	s->nr++;
	s->level = level;
	snprintf(s->last, sizeof(s->last), "%s", msg);
}

static void assert_closed(const struct debugfile *df)
{
	ck_assert_int_eq(df->fd, -1);
	ck_assert_ptr_null(df->elf);
	ck_assert_ptr_null(df->path);
}

/* debugfile__find() of path with no build id, returning sym's path (or
 * "" when sym stays closed); rt must open as path itself. */
static const char *find_sym(const char *path,
			    const struct debugfile_paths *paths)
{
	static char out[PATH_MAX];
	struct debugfile rt, sym;

	ck_assert_int_eq(debugfile__find(path, NULL, 0, paths, NULL, &rt,
					 &sym), 0);
	ck_assert_str_eq(rt.path, path);
	ck_assert_int_ge(rt.fd, 0);
	snprintf(out, sizeof(out), "%s", sym.path ? sym.path : "");
	debugfile__close(&sym);
	debugfile__close(&rt);
	return out;
}

START_TEST(test_read_build_id)
{
	uint8_t id[DEBUGFILE_BUILD_ID_MAX], other[DEBUGFILE_BUILD_ID_MAX];
	char hex[41];

	pie_id(id, hex);
	ck_assert_int_eq(debugfile__read_build_id(fx_path("fx_dbg"), other,
						  sizeof(other)), 20);
	ck_assert_mem_eq(id, other, 20);
	ck_assert_int_eq(debugfile__read_build_id(fx_path("fx_nopie"), other,
						  sizeof(other)), 20);
	ck_assert_int_ne(memcmp(id, other, 20), 0);
	ck_assert_int_eq(debugfile__read_build_id(fx_path("fx_pie"), other,
						  19), -ENOSPC);
	ck_assert_int_eq(debugfile__read_build_id("/nonexistent/x", other,
						  20), -ENOENT);
	ck_assert_int_eq(debugfile__read_build_id(fx_dir(), other, 20),
			 -ENOENT);
	ck_assert_int_eq(debugfile__read_build_id(fx_path("fx_pie.nm"), other,
						  20), -ENOEXEC);
}
END_TEST

START_TEST(test_binary_alone)
{
	uint8_t id[DEBUGFILE_BUILD_ID_MAX];
	char hex[41];
	struct debugfile rt, sym;

	pie_id(id, hex);
	/* The recorded build id, or none: the file itself, no debuginfo. */
	ck_assert_int_eq(debugfile__find(fx_path("fx_pie"), id, 20, NULL,
					 NULL, &rt, &sym), 0);
	ck_assert_str_eq(rt.path, fx_path("fx_pie"));
	ck_assert_uint_eq(rt.build_id_len, 20);
	ck_assert_mem_eq(rt.build_id, id, 20);
	assert_closed(&sym);
	debugfile__close(&rt);
	assert_closed(&rt);
	debugfile__close(&rt);	/* a closed file: a no-op */
	ck_assert_str_eq(find_sym(fx_path("fx_dynonly"), NULL), "");
}
END_TEST

/* .gnu_debuglink names "fx_dbg.debug"; DIR/fx_dbg.debug does not exist,
 * DIR/.debug/fx_dbg.debug does. */
START_TEST(test_debuglink)
{
	char *found;

	ck_assert_str_eq(find_sym(fx_path("fx_dbg"), NULL),
			 fx_path(".debug/fx_dbg.debug"));
	found = debugfile__find_symbol_file(fx_path("fx_dbg"), NULL, 0, NULL);
	ck_assert_str_eq(found, fx_path(".debug/fx_dbg.debug"));
	free(found);
	found = debugfile__find_symbol_file(fx_path("fx_dynonly"), NULL, 0,
					    NULL);
	ck_assert_str_eq(found, fx_path("fx_dynonly"));
	free(found);
	ck_assert_ptr_null(debugfile__find_symbol_file("/nonexistent/x", NULL,
						       0, NULL));
	ck_assert_ptr_null(debugfile__find_symbol_file(fx_path("fx_pie.nm"),
						       NULL, 0, NULL));
}
END_TEST

/* DEBUG_ROOT/PATH.debug and DEBUG_ROOT/.build-id/xx/rest.debug, and a
 * .gnu_debuglink target before either. */
START_TEST(test_debug_root)
{
	uint8_t id[DEBUGFILE_BUILD_ID_MAX];
	char hex[41], root[PATH_MAX], want[2 * PATH_MAX];
	struct debugfile_paths paths = { .debug_root = root };

	pie_id(id, hex);
	snprintf(root, sizeof(root), "%s/root/usr/lib/debug", fx_dir());
	snprintf(want, sizeof(want), "%s%s.debug", root, fx_path("fx_fed"));
	ck_assert_str_eq(find_sym(fx_path("fx_fed"), &paths), want);
	snprintf(want, sizeof(want), "%s/.build-id/%.2s/%s.debug", root, hex,
		 hex + 2);
	ck_assert_str_eq(find_sym(fx_path("fx_bid"), &paths), want);
	ck_assert_str_eq(find_sym(fx_path("fx_dbg"), &paths),
			 fx_path(".debug/fx_dbg.debug"));
	/* no debug root: nothing found for them */
	ck_assert_str_eq(find_sym(fx_path("fx_bid"), NULL), "");
	ck_assert_str_eq(find_sym(fx_path("fx_fed"), NULL), "");
}
END_TEST

/* The build-id cache's "elf", then its "debug", before the debug root. */
START_TEST(test_cache_order)
{
	uint8_t id[DEBUGFILE_BUILD_ID_MAX];
	char hex[41], tmp[PATH_MAX], root[PATH_MAX];
	char elf[2 * PATH_MAX], dbg[2 * PATH_MAX];
	struct debugfile_paths paths = { .debug_root = root,
					 .buildid_dir = tmp };

	pie_id(id, hex);
	make_tmp(tmp, sizeof(tmp));
	snprintf(root, sizeof(root), "%s/root/usr/lib/debug", fx_dir());
	snprintf(dbg, sizeof(dbg), "%s/.build-id/%.2s/%s/debug", tmp, hex,
		 hex + 2);
	snprintf(elf, sizeof(elf), "%s/.build-id/%.2s/%s/elf", tmp, hex,
		 hex + 2);
	copy_file(fx_path(".debug/fx_dbg.debug"), dbg);
	ck_assert_str_eq(find_sym(fx_path("fx_bid"), &paths), dbg);
	copy_file(fx_path("fx_pie"), elf);
	ck_assert_str_eq(find_sym(fx_path("fx_bid"), &paths), elf);
	/* the cache is keyed by the binary's own build id when none was
	 * recorded; a stripped copy in it has no .symtab and is passed */
	copy_file(fx_path("fx_dynonly"), elf);
	ck_assert_str_eq(find_sym(fx_path("fx_bid"), &paths), dbg);
	rm_tree(tmp);
}
END_TEST

/* A file on disk with another build id than the recorded one is not
 * used: perf's cache has the right one ("elf", or an old-style link to
 * the file itself). */
START_TEST(test_build_id_mismatch)
{
	uint8_t id[DEBUGFILE_BUILD_ID_MAX];
	char hex[41], tmp[PATH_MAX], link[2 * PATH_MAX], want[3 * PATH_MAX];
	struct seen seen = { 0 };
	struct diag d = { remember, &seen };
	struct debugfile_paths paths = { .buildid_dir = tmp };
	struct debugfile rt, sym;

	pie_id(id, hex);
	ck_assert_int_eq(debugfile__find(fx_path("fx_nopie"), id, 20, NULL,
					 &d, &rt, &sym), -ENOENT);
	assert_closed(&rt);
	assert_closed(&sym);
	ck_assert_int_eq(seen.nr, 1);
	ck_assert_int_eq(seen.level, DIAG_INFO);
	snprintf(want, sizeof(want),
		 "'%s' has another build id than the recording saw",
		 fx_path("fx_nopie"));
	ck_assert_str_eq(seen.last, want);

	make_tmp(tmp, sizeof(tmp));
	snprintf(link, sizeof(link), "%s/.build-id/%.2s/%s", tmp, hex,
		 hex + 2);
	make_parents(link);
	ck_assert_int_eq(symlink(fx_path("fx_pie"), link), 0);
	ck_assert_int_eq(debugfile__find(fx_path("fx_nopie"), id, 20, &paths,
					 &d, &rt, &sym), 0);
	ck_assert_str_eq(rt.path, link);
	ck_assert_mem_eq(rt.build_id, id, 20);
	debugfile__close(&sym);
	debugfile__close(&rt);

	/* perf 6.1's layout: the link is a directory holding "elf" */
	ck_assert_int_eq(unlink(link), 0);
	ck_assert_int_eq(mkdir(link, 0755), 0);
	snprintf(want, sizeof(want), "%s/elf", link);
	copy_file(fx_path("fx_pie"), want);
	ck_assert_int_eq(debugfile__find(fx_path("fx_nopie"), id, 20, &paths,
					 NULL, &rt, &sym), 0);
	ck_assert_str_eq(rt.path, want);
	debugfile__close(&sym);
	debugfile__close(&rt);
	rm_tree(tmp);
}
END_TEST

/* Debuginfo with another build id than the binary is passed over. */
START_TEST(test_debuginfo_mismatch)
{
	char tmp[PATH_MAX], dbg[2 * PATH_MAX], want[3 * PATH_MAX];
	struct seen seen = { 0 };
	struct diag d = { remember, &seen };
	struct debugfile_paths paths = { .debug_root = tmp };
	struct debugfile rt, sym;

	make_tmp(tmp, sizeof(tmp));
	snprintf(dbg, sizeof(dbg), "%s%s.debug", tmp, fx_path("fx_nopie"));
	copy_file(fx_path(".debug/fx_dbg.debug"), dbg);
	ck_assert_int_eq(debugfile__find(fx_path("fx_nopie"), NULL, 0, &paths,
					 &d, &rt, &sym), 0);
	ck_assert_str_eq(rt.path, fx_path("fx_nopie"));
	assert_closed(&sym);
	ck_assert_int_eq(seen.nr, 1);
	snprintf(want, sizeof(want), "'%s': build id differs from '%s', "
		 "not used", dbg, fx_path("fx_nopie"));
	ck_assert_str_eq(seen.last, want);
	debugfile__close(&rt);
	rm_tree(tmp);
}
END_TEST

/* "[vdso]" names no file: only perf's cache, under "vdso". */
START_TEST(test_bracket_names)
{
	uint8_t id[DEBUGFILE_BUILD_ID_MAX];
	char hex[41], tmp[PATH_MAX], vdso[2 * PATH_MAX];
	struct debugfile_paths paths = { .buildid_dir = tmp,
					 .debug_root = "/usr/lib/debug" };
	struct debugfile rt, sym;

	pie_id(id, hex);
	make_tmp(tmp, sizeof(tmp));
	ck_assert_int_eq(debugfile__find("[vdso]", id, 20, &paths, NULL, &rt,
					 &sym), -ENOENT);
	assert_closed(&rt);
	assert_closed(&sym);
	ck_assert_int_eq(debugfile__find("[vdso]", NULL, 0, &paths, NULL, &rt,
					 &sym), -ENOENT);
	snprintf(vdso, sizeof(vdso), "%s/.build-id/%.2s/%s/vdso", tmp, hex,
		 hex + 2);
	copy_file(fx_path("fx_pie"), vdso);
	ck_assert_int_eq(debugfile__find("[vdso]", id, 20, &paths, NULL, &rt,
					 &sym), 0);
	ck_assert_str_eq(rt.path, vdso);
	assert_closed(&sym);
	debugfile__close(&rt);
	rm_tree(tmp);
}
END_TEST

static void *slurp(const char *path, size_t *len)
{
	struct stat sb;
	char *buf;
	int fd = open(path, O_RDONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &sb), 0);
	buf = malloc((size_t)sb.st_size);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(read(fd, buf, (size_t)sb.st_size), sb.st_size);
	close(fd);
	*len = (size_t)sb.st_size;
	return buf;
}

START_TEST(test_open_image)
{
	uint8_t id[DEBUGFILE_BUILD_ID_MAX];
	char hex[41], junk[64] = "not an ELF file";
	struct debugfile df;
	size_t len;
	void *img = slurp(fx_path("fx_pie"), &len);

	pie_id(id, hex);
	ck_assert_int_eq(debugfile__open_image(&df, img, len, "[img]"), 0);
	ck_assert_int_eq(df.fd, -1);
	ck_assert_ptr_nonnull(df.elf);
	ck_assert_str_eq(df.path, "[img]");
	ck_assert_uint_eq(df.build_id_len, 20);
	ck_assert_mem_eq(df.build_id, id, 20);
	debugfile__close(&df);
	assert_closed(&df);
	ck_assert_int_eq(debugfile__open_image(&df, img, len, NULL), 0);
	ck_assert_str_eq(df.path, "");
	debugfile__close(&df);
	ck_assert_int_eq(debugfile__open_image(&df, junk, sizeof(junk),
					       "junk"), -ENOEXEC);
	assert_closed(&df);
	free(img);
}
END_TEST

START_TEST(test_default_paths)
{
	struct debugfile_paths p;
	char buf[64];

	setenv("PERF_BUILDID_DIR", "/b", 1);
	setenv("HOME", "/h", 1);
	debugfile__default_paths(&p, buf, sizeof(buf));
	ck_assert_str_eq(p.debug_root, "/usr/lib/debug");
	ck_assert_str_eq(p.buildid_dir, "/b");
	setenv("PERF_BUILDID_DIR", "", 1);
	debugfile__default_paths(&p, buf, sizeof(buf));
	ck_assert_ptr_eq(p.buildid_dir, buf);
	ck_assert_str_eq(buf, "/h/.debug");
	unsetenv("HOME");
	debugfile__default_paths(&p, buf, sizeof(buf));
	ck_assert_ptr_null(p.buildid_dir);
	setenv("HOME", "/h", 1);
	debugfile__default_paths(&p, buf, 0);
	ck_assert_ptr_null(p.buildid_dir);
}
END_TEST

/* Read the last byte of every section's data in path's copy, after
 * cutting the file to its first 64 bytes; the child's exit status. */
static int read_cut_elf(const char *copy)
{
	int fd = open(copy, O_RDONLY);
	Elf *e = debugfile__elf_begin(fd, copy);
	Elf_Scn *scn = NULL;
	volatile unsigned sum = 0;

	if (!e || truncate(copy, 64))
		return 3;
	while ((scn = elf_nextscn(e, scn))) {
		Elf_Data *d = elf_rawdata(scn, NULL);

		if (d && d->d_buf && d->d_size)
			sum += ((const unsigned char *)d->d_buf)[d->d_size - 1];
	}
	debugfile__elf_end(e);
	return 4;
}

/* An ELF file cut by another process while it is mapped: the tool's one
 * line and exit status 2 (mapguard.h), not SIGBUS. */
START_TEST(test_elf_cut_while_read)
{
	char dir[PATH_MAX], copy[PATH_MAX + 8], cmd[3 * PATH_MAX], err[512];
	char want[PATH_MAX + 128];
	int pipefd[2], status;
	ssize_t n;
	pid_t pid;

	make_tmp(dir, sizeof(dir));
	snprintf(copy, sizeof(copy), "%s/elf", dir);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", fx_path("fx_pie"), copy);
	ck_assert_int_eq(system(cmd), 0);
	elf_version(EV_CURRENT);
	ck_assert_int_eq(pipe(pipefd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (!pid) {
		signal(SIGBUS, SIG_DFL);	/* not a sanitizer's */
		dup2(pipefd[1], STDERR_FILENO);
		_exit(read_cut_elf(copy));
	}
	close(pipefd[1]);
	n = read(pipefd[0], err, sizeof(err) - 1);
	err[n > 0 ? n : 0] = '\0';
	close(pipefd[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	snprintf(want, sizeof(want), "%s: '%s' shrank while it was read\n",
		 program_invocation_short_name, copy);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 2,
		      "status %#x", status);
	ck_assert_str_eq(err, want);
	rm_tree(dir);
}
END_TEST

static Suite *debugfile_suite(void)
{
	Suite *s = suite_create("debugfile");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_read_build_id);
	tcase_add_test(tc, test_binary_alone);
	tcase_add_test(tc, test_debuglink);
	tcase_add_test(tc, test_debug_root);
	tcase_add_test(tc, test_cache_order);
	tcase_add_test(tc, test_build_id_mismatch);
	tcase_add_test(tc, test_debuginfo_mismatch);
	tcase_add_test(tc, test_bracket_names);
	tcase_add_test(tc, test_open_image);
	tcase_add_test(tc, test_default_paths);
	tcase_add_test(tc, test_elf_cut_while_read);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(debugfile_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
