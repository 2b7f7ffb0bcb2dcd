/* Unit tests for common/symcache: each source is loaded once, failures are
 * remembered, and the right loader runs for each kind. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "debugfile.h"
#include "symcache.h"

START_TEST(test_dso_once)
{
	struct symtab_paths none = { 0 };
	struct symcache *sc = symcache__new(&none, NULL);
	struct dso *a, *b;
	uint8_t id[SYMTAB_BUILD_ID_MAX];
	int n;

	ck_assert_ptr_nonnull(sc);
	/* Any ELF file on the machine will do: this test binary. */
	a = symcache__dso(sc, "/proc/self/exe", NULL, 0);
	ck_assert_ptr_nonnull(a);
	b = symcache__dso(sc, "/proc/self/exe", NULL, 0);
	ck_assert_ptr_eq(a, b);
	ck_assert_uint_gt(symtab__count(dso__symtab(a)), 0);
	/* Another build id is another entry: here, a wrong one that no file
	 * matches, remembered as missing. */
	n = debugfile__read_build_id("/proc/self/exe", id, sizeof(id));
	ck_assert_int_gt(n, 0);
	id[0] ^= 0xff;
	ck_assert_ptr_null(symcache__dso(sc, "/proc/self/exe", id, (size_t)n));
	ck_assert_ptr_null(symcache__dso(sc, "/proc/self/exe", id, (size_t)n));
	id[0] ^= 0xff;
	ck_assert_ptr_eq(symcache__dso(sc, "/proc/self/exe", id, (size_t)n),
			 symcache__dso(sc, "/proc/self/exe", id, (size_t)n));
	ck_assert_ptr_null(symcache__dso(sc, "/nonexistent", NULL, 0));
	symcache__free(sc);
	symcache__free(NULL);
}
END_TEST

START_TEST(test_many_dsos_grow)
{
	struct symcache *sc = symcache__new(NULL, NULL);
	char path[64];
	int i;

	for (i = 0; i < 1000; i++) {
		snprintf(path, sizeof(path), "/nonexistent/%d.so", i);
		ck_assert_ptr_null(symcache__dso(sc, path, NULL, 0));
	}
	ck_assert_ptr_nonnull(symcache__dso(sc, "/proc/self/exe", NULL, 0));
	symcache__free(sc);
}
END_TEST

START_TEST(test_vdso)
{
	struct symcache *sc = symcache__new(NULL, NULL);
	struct dso *d = symcache__dso(sc, "[vdso]", NULL, 0);
	uint8_t bogus[20] = { 0xde, 0xad };

	ck_assert_ptr_nonnull(d);
	ck_assert_uint_gt(symtab__count(dso__symtab(d)), 0);
	ck_assert_ptr_eq(symcache__dso(sc, "[vdso]", NULL, 0), d);
	/* A build id neither perf's cache nor this kernel has. */
	ck_assert_ptr_null(symcache__dso(sc, "[vdso]", bogus, sizeof(bogus)));
	symcache__free(sc);
}
END_TEST

static int nr_warnings;

static void count_warnings(void *ctx, enum diag_level level, const char *msg)
{
	(void)ctx;
	(void)msg;
	nr_warnings += level == DIAG_WARN;
}

/* Perf maps and jitdumps of another owner are ignored, as perf ignores
 * them, unless forced (perf2folded --force); each is looked at once. */
START_TEST(test_other_owners_files)
{
	static const struct diag d = {count_warnings, NULL};
	char dir[] = "/tmp/perffold-symcache-XXXXXX", path[128], cmd[256];
	struct symcache *sc = symcache__new(NULL, &d);
	struct jit_code j;
	FILE *f;

	ck_assert_msg(geteuid() == 0, "this test chowns files: run as root");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/perf-31340.map", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("1000 10 planted\n", f);
	fclose(f);
	ck_assert_int_eq(chown(path, 4321, 4321), 0);
	snprintf(cmd, sizeof(cmd), "cp %s/py313-fib.jit.dump %s/jit-31340.dump"
		 " && chown 4321 %s/jit-31340.dump", getenv("PERFFOLD_TEST_DATA"),
		 dir, dir);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(symcache__set_perf_map_dir(sc, dir), 0);
	ck_assert_int_eq(symcache__add_jitdump(sc, 31340, "/tmp/jit-31340.dump"),
			 0);
	nr_warnings = 0;
	ck_assert_ptr_null(symcache__perfmap(sc, 31340));
	ck_assert_int_eq(symcache__jit_code(sc, 31340, 0x1001, &j), -ENOENT);
	ck_assert_int_eq(symcache__jit_code(sc, 31340, 0x1002, &j), -ENOENT);
	ck_assert_int_eq(nr_warnings, 2);	/* the map and the dump, once */
	symcache__free(sc);

	sc = symcache__new(NULL, &d);
	ck_assert_int_eq(symcache__set_perf_map_dir(sc, dir), 0);
	symcache__set_force(sc, true);
	ck_assert_int_eq(symcache__jit_code(sc, 31340, 0x1001, &j), 0);
	ck_assert_str_eq(j.name, "planted");
	ck_assert_int_eq(nr_warnings, 2);
	symcache__free(sc);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(test_perfmap_dir)
{
	char dir[] = "/tmp/perffold-symcache-XXXXXX", path[128];
	struct symcache *sc = symcache__new(NULL, NULL);
	const struct perfmap *pm;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/perf-31337.map", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("1000 10 py::f:a.py\n", f);
	fclose(f);
	ck_assert_int_eq(symcache__set_perf_map_dir(sc, dir), 0);
	pm = symcache__perfmap(sc, 31337);
	ck_assert_ptr_nonnull(pm);
	ck_assert_str_eq(perfmap__lookup(pm, 0x1001, NULL), "py::f:a.py");
	/* Loaded once: removing the file changes nothing. */
	unlink(path);
	ck_assert_ptr_eq(symcache__perfmap(sc, 31337), pm);
	ck_assert_ptr_null(symcache__perfmap(sc, 31338));
	rmdir(dir);
	symcache__free(sc);
}
END_TEST

START_TEST(test_kallsyms_and_jitdump)
{
	char path[4096];
	struct symcache *sc = symcache__new(NULL, NULL);
	const struct jitdump *jd;

	ck_assert_int_eq(symcache__set_kallsyms_path(sc, "/nonexistent"), 0);
	ck_assert_ptr_null(symcache__kallsyms(sc));
	ck_assert_ptr_null(symcache__kallsyms(sc));
	snprintf(path, sizeof(path), "%s/py313-fib.jit.dump",
		 getenv("PERFFOLD_TEST_DATA"));
	jd = symcache__jitdump(sc, path);
	ck_assert_ptr_nonnull(jd);
	ck_assert_ptr_eq(symcache__jitdump(sc, path), jd);
	ck_assert_uint_eq(jitdump__count(jd), 211);
	symcache__free(sc);
}
END_TEST

/* ---- the JIT registry: which process wrote which jitdump ---- */

/* In tests/data/py313-fib.jit.dump (see test_jitdump.c): 11 bytes of
 * "py::fib:/tmp/symx/fib.py" with its unwind info. */
#define FIB_CODE 0x7f0ab1ffdf20ULL

static const char *data_path(const char *name)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/%s", getenv("PERFFOLD_TEST_DATA"),
		 name);
	return path;
}

static void copy_file(const char *from, const char *dir, const char *name)
{
	char cmd[8192];

	snprintf(cmd, sizeof(cmd), "cp '%s' '%s/%s'", from, dir, name);
	ck_assert_int_eq(system(cmd), 0);
}

static void remove_dir(const char *dir)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void assert_fib(const struct jit_code *j)
{
	ck_assert_str_eq(j->name, "py::fib:/tmp/symx/fib.py");
	ck_assert_uint_eq(j->start, FIB_CODE);
	ck_assert_uint_eq(j->size, 11);
	ck_assert_ptr_nonnull(j->eh_frame);
	ck_assert_uint_eq(j->eh_frame_len, 48);
	ck_assert_ptr_nonnull(j->eh_frame_hdr);
	ck_assert_uint_eq(j->eh_frame_hdr_len, 20);
}

/* Without a perf map directory the dump is read where the process wrote
 * it (and perf maps from /tmp: no pid above pid_max has one). */
START_TEST(test_jit_registry)
{
	const int32_t pid = 2000000000;
	struct symcache *sc = symcache__new(NULL, NULL);
	struct jit_code j;

	ck_assert_int_eq(symcache__jit_code(sc, pid, FIB_CODE + 5, &j),
			 -ENOENT);
	ck_assert_int_eq(symcache__add_jitdump(sc, pid,
					       data_path("py313-fib.jit.dump")),
			 0);
	ck_assert_int_eq(symcache__jit_code(sc, pid, FIB_CODE + 5, &j), 0);
	assert_fib(&j);
	ck_assert_int_eq(symcache__jit_code(sc, pid, FIB_CODE, &j), 0);
	assert_fib(&j);
	/* 3.13 pads its trampolines: the gap is no one's */
	ck_assert_int_eq(symcache__jit_code(sc, pid, FIB_CODE + 11, &j),
			 -ENOENT);
	ck_assert_ptr_null(j.name);
	ck_assert_uint_eq(j.size, 0);
	/* another process wrote no dump */
	ck_assert_int_eq(symcache__jit_code(sc, pid + 1, FIB_CODE + 5, &j),
			 -ENOENT);
	ck_assert_ptr_null(j.name);
	symcache__free(sc);
}
END_TEST

/* With a perf map directory (maps and dumps copied from the recording
 * machine), the dump is read from it by its base name. */
START_TEST(test_jit_registry_dir)
{
	char dir[] = "/tmp/perffold-jitreg-XXXXXX";
	struct symcache *sc = symcache__new(NULL, NULL);
	struct jit_code j;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	copy_file(data_path("py313-fib.jit.dump"), dir, "jit-30484.dump");
	copy_file(data_path("py313-fib.jit.dump"), dir, "jit-7.dump");
	ck_assert_int_eq(symcache__set_perf_map_dir(sc, dir), 0);
	ck_assert_int_eq(symcache__add_jitdump(sc, 30484,
					       "/nonexistent/jit-30484.dump"),
			 0);
	ck_assert_int_eq(symcache__add_jitdump(sc, 7, "jit-7.dump"), 0);
	ck_assert_int_eq(symcache__add_jitdump(sc, 8, "/x/jit-8.dump"), 0);
	ck_assert_int_eq(symcache__jit_code(sc, 30484, FIB_CODE + 5, &j), 0);
	assert_fib(&j);
	ck_assert_int_eq(symcache__jit_code(sc, 7, FIB_CODE + 5, &j), 0);
	assert_fib(&j);
	/* the dump is not in the directory */
	ck_assert_int_eq(symcache__jit_code(sc, 8, FIB_CODE + 5, &j), -ENOENT);
	/* read once: gone from the directory, still known */
	remove_dir(dir);
	ck_assert_int_eq(symcache__jit_code(sc, 30484, FIB_CODE + 5, &j), 0);
	assert_fib(&j);
	symcache__free(sc);
}
END_TEST

/* perf names JIT code by the perf map when it has the address, else by
 * the jitdump (whose unwind info comes along). */
START_TEST(test_jit_code_prefers_perf_map)
{
	char dir[] = "/tmp/perffold-jitreg-XXXXXX", path[128];
	struct symcache *sc = symcache__new(NULL, NULL);
	const struct jitdump *jd;
	const struct jitdump_code *other = NULL;
	struct jit_code j;
	FILE *f;
	size_t i;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	copy_file(data_path("py313-fib.jit.dump"), dir, "jit-30484.dump");
	snprintf(path, sizeof(path), "%s/perf-30484.map", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("7f0ab1ffdf20 20 from_map\n", f);
	fclose(f);
	ck_assert_int_eq(symcache__set_perf_map_dir(sc, dir), 0);
	ck_assert_int_eq(symcache__add_jitdump(sc, 30484,
					       "/tmp/jit-30484.dump"), 0);
	ck_assert_int_eq(symcache__jit_code(sc, 30484, FIB_CODE + 5, &j), 0);
	ck_assert_str_eq(j.name, "from_map");
	ck_assert_uint_eq(j.start, FIB_CODE);
	ck_assert_uint_eq(j.size, 0x20);
	ck_assert_ptr_null(j.eh_frame);
	ck_assert_uint_eq(j.eh_frame_len, 0);
	ck_assert_ptr_null(j.eh_frame_hdr);
	ck_assert_uint_eq(j.eh_frame_hdr_len, 0);
	/* the map's entry covers the dump's padding too */
	ck_assert_int_eq(symcache__jit_code(sc, 30484, FIB_CODE + 0x1f, &j), 0);
	ck_assert_str_eq(j.name, "from_map");
	/* code the map does not have: the dump's */
	snprintf(path, sizeof(path), "%s/jit-30484.dump", dir);
	jd = symcache__jitdump(sc, path);
	ck_assert_ptr_nonnull(jd);
	for (i = 0; i < jitdump__count(jd) && !other; i++)
		if (jitdump__at(jd, i)->start >= FIB_CODE + 0x20 ||
		    jitdump__at(jd, i)->start + 11 <= FIB_CODE)
			other = jitdump__at(jd, i);
	ck_assert_ptr_nonnull(other);
	ck_assert_int_eq(symcache__jit_code(sc, 30484, other->start + 1, &j),
			 0);
	ck_assert_str_eq(j.name, other->name);
	ck_assert_uint_eq(j.start, other->start);
	ck_assert_uint_eq(j.size, other->size);
	ck_assert_ptr_eq(j.eh_frame, other->eh_frame);
	ck_assert_uint_eq(j.eh_frame_len, 48);
	remove_dir(dir);
	symcache__free(sc);
}
END_TEST

static void put_map(const char *dir, int pid, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/perf-%d.map", dir, pid);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* A forked process's JIT code falls back to its parent's perf map and up
 * the ancestry; an ancestor's entry holds only where no process below it
 * lists code of its own (the memory was not reused after the fork). */
START_TEST(test_jit_code_ancestry)
{
	char dir[] = "/tmp/perffold-fork-XXXXXX";
	struct symcache *sc = symcache__new(NULL, NULL);
	struct jit_code j;
	int32_t p;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	/* 100 forked 101, which forked 102; 103 forked from 100, then
	 * exec'd */
	put_map(dir, 100, "1000 b py::<module>:m.py\n"
			  "100b b py::main:m.py\n"
			  "1016 b py::after_fork_parent:m.py\n"
			  "2000 10 py::partial:m.py\n");
	put_map(dir, 101, "1016 b py::after_fork_child:m.py\n"
			  "2008 10 py::overlaps:m.py\n");
	put_map(dir, 102, "3000 b py::grandchild:m.py\n");
	ck_assert_int_eq(symcache__set_perf_map_dir(sc, dir), 0);
	ck_assert_int_eq(symcache__fork(sc, 101, 100), 0);
	ck_assert_int_eq(symcache__fork(sc, 102, 101), 0);
	ck_assert_int_eq(symcache__fork(sc, 103, 100), 0);
	ck_assert_int_eq(symcache__fork(sc, 101, 101), 0);	/* a thread */
	symcache__exec(sc, 103);

	/* inherited: the parent's entry, named by the parent's map */
	ck_assert_int_eq(symcache__jit_code(sc, 101, 0x1005, &j), 0);
	ck_assert_str_eq(j.name, "py::<module>:m.py");
	ck_assert_uint_eq(j.start, 0x1000);
	ck_assert_uint_eq(j.size, 0xb);
	ck_assert_int_eq(j.pid, 100);
	/* the child's own entry wins where it reused the memory */
	ck_assert_int_eq(symcache__jit_code(sc, 101, 0x1017, &j), 0);
	ck_assert_str_eq(j.name, "py::after_fork_child:m.py");
	ck_assert_int_eq(j.pid, 101);
	ck_assert_int_eq(symcache__jit_code(sc, 100, 0x1017, &j), 0);
	ck_assert_str_eq(j.name, "py::after_fork_parent:m.py");
	ck_assert_int_eq(j.pid, 100);
	/* the parent's [2000,2010) overlaps the child's [2008,2018): at
	 * 0x2004 the child has nothing, but the parent's entry is not
	 * taken, its memory having been reused */
	ck_assert_int_eq(symcache__jit_code(sc, 101, 0x2004, &j), -ENOENT);
	ck_assert_ptr_null(j.name);
	ck_assert_int_eq(symcache__jit_code(sc, 100, 0x2004, &j), 0);
	ck_assert_str_eq(j.name, "py::partial:m.py");
	/* two levels up, and its own */
	ck_assert_int_eq(symcache__jit_code(sc, 102, 0x100c, &j), 0);
	ck_assert_str_eq(j.name, "py::main:m.py");
	ck_assert_int_eq(j.pid, 100);
	ck_assert_int_eq(symcache__jit_code(sc, 102, 0x1016, &j), 0);
	ck_assert_str_eq(j.name, "py::after_fork_child:m.py");
	ck_assert_int_eq(j.pid, 101);
	ck_assert_int_eq(symcache__jit_code(sc, 102, 0x3000, &j), 0);
	ck_assert_int_eq(j.pid, 102);
	/* exec'd: nothing inherited; never forked: nothing either */
	ck_assert_int_eq(symcache__jit_code(sc, 103, 0x1005, &j), -ENOENT);
	ck_assert_int_eq(symcache__jit_code(sc, 104, 0x1005, &j), -ENOENT);
	/* a cycle (pids reused) ends at SYMCACHE_MAX_ANCESTRY */
	ck_assert_int_eq(symcache__fork(sc, 200, 201), 0);
	ck_assert_int_eq(symcache__fork(sc, 201, 200), 0);
	ck_assert_int_eq(symcache__jit_code(sc, 200, 0x1005, &j), -ENOENT);
	/* many processes: the table grows and keeps every link */
	for (p = 1000; p < 1400; p++)
		ck_assert_int_eq(symcache__fork(sc, p, p == 1000 ? 100 : p - 1),
				 0);
	ck_assert_int_eq(symcache__jit_code(sc, 1020, 0x1005, &j), 0);
	ck_assert_int_eq(j.pid, 100);
	/* deeper than SYMCACHE_MAX_ANCESTRY: not found */
	ck_assert_int_eq(symcache__jit_code(sc, 1399, 0x1005, &j), -ENOENT);
	remove_dir(dir);
	symcache__free(sc);
}
END_TEST

/* The prefetch reports itself loading until its file is read: a FIFO
 * holds the loader until the test writes the symbols. */
static void append_line(const char *dir, int pid, const char *line)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/perf-%d.map", dir, pid);
	f = fopen(path, "a");
	ck_assert_ptr_nonnull(f);
	fputs(line, f);
	fclose(f);
}

/* Perf maps written while they are read (a live recording): a missed
 * address has the process's map, and its ancestors', read again from
 * where they ended, once a recheck is due; a child's map that did not
 * exist yet is looked for again and then preferred to its parent's. */
START_TEST(test_jit_code_growing)
{
	struct symcache *sc = symcache__new(NULL, NULL);
	char dir[] = "/tmp/perffold-symcache-XXXXXX", cmd[128];
	struct jit_code j;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(symcache__set_perf_map_dir(sc, dir), 0);
	append_line(dir, 500, "1000 10 py::early:a.py\n");
	ck_assert_int_eq(symcache__jit_code(sc, 500, 0x1004, &j), 0);
	ck_assert_str_eq(j.name, "py::early:a.py");
	/* the first miss rereads at once, and finds nothing new */
	ck_assert_int_eq(symcache__jit_code(sc, 500, 0x2004, &j), -ENOENT);
	ck_assert_uint_eq(symcache__nr_jit_updates(sc), 0);
	append_line(dir, 500, "2000 10 py::late:a.py\n");
	usleep(2 * SYMCACHE_RECHECK_NS / 1000);
	ck_assert_int_eq(symcache__jit_code(sc, 500, 0x2004, &j), 0);
	ck_assert_str_eq(j.name, "py::late:a.py");
	ck_assert_int_eq(j.pid, 500);
	ck_assert_uint_eq(symcache__nr_jit_updates(sc), 1);
	ck_assert_uint_eq(perfmap__count(symcache__perfmap(sc, 500)), 2);

	/* 501, forked from 500, has no map yet: its parent's names it */
	ck_assert_int_eq(symcache__fork(sc, 501, 500), 0);
	ck_assert_int_eq(symcache__jit_code(sc, 501, 0x3004, &j), -ENOENT);
	append_line(dir, 500, "3000 10 py::parents:a.py\n");
	usleep(2 * SYMCACHE_RECHECK_NS / 1000);
	ck_assert_int_eq(symcache__jit_code(sc, 501, 0x3004, &j), 0);
	ck_assert_str_eq(j.name, "py::parents:a.py");
	ck_assert_int_eq(j.pid, 500);
	/* then it writes its own over the memory it inherited */
	append_line(dir, 501, "3000 10 py::childs:b.py\n");
	usleep(2 * SYMCACHE_RECHECK_NS / 1000);
	ck_assert_int_eq(symcache__jit_code(sc, 501, 0x3008, &j), 0);
	ck_assert_str_eq(j.name, "py::childs:b.py");
	ck_assert_int_eq(j.pid, 501);
	ck_assert_uint_eq(symcache__nr_jit_updates(sc), 3);
	symcache__free(sc);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(test_kallsyms_loading)
{
	char dir[] = "/tmp/perffold-fifo.XXXXXX", path[64];
	const char text[] = "ffffffff81000000 T _text\n"
			    "ffffffff81000100 T start_kernel\n";
	struct symcache *sc = symcache__new(NULL, NULL);
	const struct kallsyms *ks;
	const char *name;
	FILE *f;
	int i;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/kallsyms", dir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_eq(symcache__set_kallsyms_path(sc, path), 0);
	/* no running build id: no cached copy stands in for the FIFO */
	ck_assert_int_eq(symcache__set_kernel_notes_path(sc, "/nonexistent"),
			 0);
	ck_assert(!symcache__is_loading_kallsyms(sc));	/* not started */
	symcache__prefetch_kallsyms(sc);
	for (i = 0; i < 20; i++) {	/* 0.2 s: the loader stays blocked */
		ck_assert(symcache__is_loading_kallsyms(sc));
		usleep(10000);
	}
	f = fopen(path, "w");	/* meets the loader's open */
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	for (i = 0; i < 500 && symcache__is_loading_kallsyms(sc); i++)
		usleep(10000);
	ck_assert(!symcache__is_loading_kallsyms(sc));
	ks = symcache__kallsyms(sc);
	ck_assert_ptr_nonnull(ks);
	name = kallsyms__lookup(ks, 0xffffffff81000180ULL, NULL, NULL);
	ck_assert_ptr_nonnull(name);
	ck_assert_str_eq(name, "start_kernel");
	symcache__free(sc);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* ---- which kallsyms file names the kernel (ksource) ---- */

static const uint8_t kernel_id[20] = { 0xe4, 0xf1, 0x8d, 0x9d, 0x01, 0x02 };

/* A fake machine under a temporary directory: HOME/.debug with perf's
 * copy of kernel_id's kallsyms, "proc/kallsyms", "proc/modules",
 * "sys/notes". */
struct fake {
	char root[64], debug[128], copy[512], proc[128], modules[128],
		notes[128];
};

static void put(const char *path, const void *text, size_t len)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	fclose(f);
}

static void put_str(const char *path, const char *text)
{
	put(path, text, strlen(text));
}

/* An ELF note section as /sys/kernel/notes holds it: a Xen note, then the
 * GNU build id. */
static void put_notes(const char *path, const uint8_t *id)
{
	uint8_t buf[64] = { 0 };
	uint32_t xen[3] = { 4, 4, 6 }, gnu[3] = { 4, 20, 3 };

	memcpy(buf, xen, 12);
	memcpy(buf + 12, "Xen", 4);
	memcpy(buf + 20, gnu, 12);
	memcpy(buf + 32, "GNU", 4);
	memcpy(buf + 36, id, 20);
	put(path, buf, 56);
}

static const char copy_text[] =
	"ffffffff81000000 T _stext\n"
	"ffffffff81000000 T _text\n"
	"ffffffff81001000 T copy_core_fn\n"
	"ffffffff81002000 T copy_last\n"
	"ffffffffc0001000 t copy_mod_fn\t[mymod]\n"
	"ffffffffc0002000 t ftrace_trampoline\t[__builtin__ftrace]\n";

static const char proc_text[] =
	"ffffffff81000000 T _stext\n"
	"ffffffff81000000 T _text\n"
	"ffffffff81001000 T proc_core_fn\n"
	"ffffffff81002000 T proc_last\n"
	"ffffffffc0001000 t proc_mod_fn\t[mymod]\n";

static void fake_setup(struct fake *f, const char *modules)
{
	char dir[256];

	strcpy(f->root, "/tmp/perffold-ksource-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(f->root));
	snprintf(f->debug, sizeof(f->debug), "%s/.debug", f->root);
	snprintf(dir, sizeof(dir), "%s/[kernel.kallsyms]", f->debug);
	mkdir(f->debug, 0755);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir),
		 "%s/[kernel.kallsyms]/e4f18d9d010200000000000000000000"
		 "00000000", f->debug);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	snprintf(f->copy, sizeof(f->copy), "%s/kallsyms", dir);
	snprintf(f->proc, sizeof(f->proc), "%s/kallsyms", f->root);
	snprintf(f->modules, sizeof(f->modules), "%s/modules", f->root);
	snprintf(f->notes, sizeof(f->notes), "%s/notes", f->root);
	put_str(f->copy, copy_text);
	put_str(f->proc, proc_text);
	if (modules)
		put_str(f->modules, modules);
	put_notes(f->notes, kernel_id);
}

static void fake_teardown(struct fake *f)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->root);
	ck_assert_int_eq(system(cmd), 0);
}

struct captured {
	int nr_warnings;
	char last[512];
};

static void capture(void *ctx, enum diag_level level, const char *msg)
{
	struct captured *c = ctx;

	if (level == DIAG_WARN) {
		c->nr_warnings++;
		snprintf(c->last, sizeof(c->last), "%s", msg);
	}
}

/* A symcache reading the fake machine, for a recording of kernel id. */
static struct symcache *fake_cache(const struct fake *f, const uint8_t *id,
				   struct diag *d)
{
	struct symtab_paths paths = { .buildid_dir = f->debug };
	struct symcache *sc = symcache__new(&paths, d);

	ck_assert_ptr_nonnull(sc);
	ck_assert_int_eq(symcache__set_kallsyms_path(sc, f->proc), 0);
	ck_assert_int_eq(symcache__set_kernel_notes_path(sc, f->notes), 0);
	ck_assert_int_eq(symcache__set_modules_path(sc, f->modules), 0);
	if (id)
		symcache__set_kernel_build_id(sc, id, 20);
	return sc;
}

static const char *kname(struct symcache *sc, uint64_t addr)
{
	const struct kallsyms *ks = symcache__kallsyms(sc);
	const char *name;

	ck_assert_ptr_nonnull(ks);
	name = kallsyms__lookup(ks, addr, NULL, NULL);
	return name ? name : "(none)";
}

/* The running kernel, recorded with _text where the copy has it, the
 * same module at the same place: the copy, read on the loader thread. */
START_TEST(test_copy_when_equivalent)
{
	struct captured c = { 0 };
	struct diag d = { capture, &c };
	struct fake f;
	struct symcache *sc;

	fake_setup(&f, "mymod 16384 0 - Live 0xffffffffc0001000\n");
	sc = fake_cache(&f, kernel_id, &d);
	symcache__set_kernel_ref(sc, "_text", 0xffffffff81000000ULL);
	symcache__prefetch_kallsyms(sc);
	ck_assert_str_eq(kname(sc, 0xffffffff81001010ULL), "copy_core_fn");
	ck_assert_str_eq(kname(sc, 0xffffffffc0001010ULL), "copy_mod_fn");
	ck_assert_int_eq(symcache__kallsyms_source(sc)->why,
			 KSOURCE_RUNNING_CACHE);
	ck_assert_str_eq(symcache__kallsyms_source(sc)->path, f.copy);
	ck_assert_int_eq(c.nr_warnings, 0);
	symcache__free(sc);
	/* the reference arriving after the loader looked is checked when
	 * the table is first used */
	sc = fake_cache(&f, kernel_id, &d);
	symcache__prefetch_kallsyms(sc);
	symcache__set_kernel_ref(sc, "_text", 0xffffffff81000000ULL);
	ck_assert_str_eq(kname(sc, 0xffffffff81001010ULL), "copy_core_fn");
	symcache__free(sc);
	fake_teardown(&f);
}
END_TEST

/* No kernel build id recorded (a pipe's come at its end): perf reads
 * /proc/kallsyms; the running kernel's copy stands in when it answers the
 * same, checked against the reference once the kernel MMAP is read. */
START_TEST(test_no_build_id_copy)
{
	struct captured c = { 0 };
	struct diag d = { capture, &c };
	struct fake f;
	struct symcache *sc;

	fake_setup(&f, "mymod 16384 0 - Live 0xffffffffc0001000\n");
	sc = fake_cache(&f, NULL, &d);
	symcache__prefetch_kallsyms(sc);
	symcache__set_kernel_ref(sc, "_text", 0xffffffff81000000ULL);
	ck_assert_str_eq(kname(sc, 0xffffffff81001010ULL), "copy_core_fn");
	ck_assert_int_eq(symcache__kallsyms_source(sc)->why,
			 KSOURCE_RUNNING_CACHE);
	symcache__free(sc);
	/* recorded at another _text (another boot): /proc, as perf */
	sc = fake_cache(&f, NULL, &d);
	symcache__prefetch_kallsyms(sc);
	symcache__set_kernel_ref(sc, "_text", 0xffffffff9a000000ULL);
	ck_assert_str_eq(kname(sc, 0xffffffff9a001010ULL), "proc_core_fn");
	ck_assert_int_eq(symcache__kallsyms_source(sc)->why,
			 KSOURCE_NO_BUILD_ID);
	symcache__free(sc);
	fake_teardown(&f);
	/* modules differ from the copy's: /proc */
	fake_setup(&f, "othermod 16384 0 - Live 0xffffffffc0002000\n");
	sc = fake_cache(&f, NULL, &d);
	ck_assert_str_eq(kname(sc, 0xffffffff81001010ULL), "proc_core_fn");
	ck_assert_int_eq(symcache__kallsyms_source(sc)->why,
			 KSOURCE_NO_BUILD_ID);
	symcache__free(sc);
	ck_assert_int_eq(c.nr_warnings, 0);
	fake_teardown(&f);
}
END_TEST

/* The running kernel, but the copy cannot be shown to answer the same:
 * /proc/kallsyms, as perf reads it. */
START_TEST(test_proc_when_not_equivalent)
{
	static const char *const modules[] = {
		/* moved */
		"mymod 16384 0 - Live 0xffffffffc0009000\n",
		/* ends before copy_mod_fn */
		"mymod 2048 0 - Live 0xffffffffc0000800\n",
		/* one more module now */
		"mymod 16384 0 - Live 0xffffffffc0001000\n"
		"other 4096 0 - Live 0xffffffffc0008000\n",
		/* another name */
		"yourmod 16384 0 - Live 0xffffffffc0001000\n",
		/* addresses hidden (kptr_restrict) */
		"mymod 16384 0 - Live 0x0000000000000000\n",
		/* none (a missing file: a kernel without modules) */
		NULL,
	};
	struct fake f;
	size_t i;

	for (i = 0; i < sizeof(modules) / sizeof(modules[0]); i++) {
		struct symcache *sc;

		fake_setup(&f, modules[i]);
		sc = fake_cache(&f, kernel_id, NULL);
		symcache__set_kernel_ref(sc, "_text", 0xffffffff81000000ULL);
		symcache__prefetch_kallsyms(sc);
		ck_assert_str_eq(kname(sc, 0xffffffff81001010ULL),
				 "proc_core_fn");
		ck_assert_int_eq(symcache__kallsyms_source(sc)->why,
				 KSOURCE_RUNNING);
		symcache__free(sc);
		fake_teardown(&f);
	}
	/* the modules agree, but the core kernel was elsewhere when
	 * recorded (another boot): /proc/kallsyms, relocated */
	fake_setup(&f, "mymod 16384 0 - Live 0xffffffffc0001000\n");
	for (i = 0; i < 2; i++) {
		struct symcache *sc = fake_cache(&f, kernel_id, NULL);

		if (i == 0) {
			symcache__set_kernel_ref(sc, "_text",
						 0xffffffff9a000000ULL);
			symcache__prefetch_kallsyms(sc);
		} else {	/* learnt after the loader looked */
			symcache__prefetch_kallsyms(sc);
			symcache__set_kernel_ref(sc, "_text",
						 0xffffffff9a000000ULL);
		}
		ck_assert_str_eq(kname(sc, 0xffffffff9a001010ULL),
				 "proc_core_fn");
		ck_assert_int_eq(symcache__kallsyms_source(sc)->why,
				 KSOURCE_RUNNING);
		symcache__free(sc);
	}
	/* no reference recorded: the copy's layout cannot be checked */
	{
		struct symcache *sc = fake_cache(&f, kernel_id, NULL);

		ck_assert_str_eq(kname(sc, 0xffffffff81001010ULL),
				 "proc_core_fn");
		symcache__free(sc);
	}
	fake_teardown(&f);
}
END_TEST

/* Another kernel (another boot, machine or build): its copy, relocated
 * to where the recording had _text; modules stay. */
START_TEST(test_other_kernel_copy_relocated)
{
	struct captured c = { 0 };
	struct diag d = { capture, &c };
	uint8_t running[20] = { 0x11, 0x22 };
	struct fake f;
	struct symcache *sc;

	fake_setup(&f, "");
	put_notes(f.notes, running);
	sc = fake_cache(&f, kernel_id, &d);
	symcache__set_kernel_ref(sc, "_text", 0xffffffff9a000000ULL);
	symcache__prefetch_kallsyms(sc);
	ck_assert_str_eq(kname(sc, 0xffffffff9a001010ULL), "copy_core_fn");
	ck_assert_str_eq(kname(sc, 0xffffffff81001010ULL), "(none)");
	ck_assert_str_eq(kname(sc, 0xffffffffc0001010ULL), "copy_mod_fn");
	ck_assert_int_eq(symcache__kallsyms_source(sc)->why,
			 KSOURCE_OTHER_CACHE);
	ck_assert_int_eq(c.nr_warnings, 0);
	symcache__free(sc);
	fake_teardown(&f);
}
END_TEST

/* Another kernel and no copy: /proc/kallsyms with one warning; no build
 * id recorded at all: /proc/kallsyms, silently. */
START_TEST(test_other_kernel_no_copy_warns)
{
	struct captured c = { 0 };
	struct diag d = { capture, &c };
	uint8_t running[20] = { 0x11, 0x22 };
	struct fake f;
	struct symcache *sc;

	fake_setup(&f, "");
	put_notes(f.notes, running);
	unlink(f.copy);
	sc = fake_cache(&f, kernel_id, &d);
	symcache__prefetch_kallsyms(sc);
	ck_assert_str_eq(kname(sc, 0xffffffff81001010ULL), "proc_core_fn");
	ck_assert_int_eq(symcache__kallsyms_source(sc)->why,
			 KSOURCE_OTHER_PROC);
	ck_assert_int_eq(c.nr_warnings, 1);
	ck_assert_ptr_nonnull(strstr(c.last, "not the running one"));
	symcache__free(sc);

	c.nr_warnings = 0;
	sc = fake_cache(&f, NULL, &d);
	ck_assert_str_eq(kname(sc, 0xffffffff81001010ULL), "proc_core_fn");
	ck_assert_int_eq(symcache__kallsyms_source(sc)->why,
			 KSOURCE_NO_BUILD_ID);
	ck_assert_int_eq(c.nr_warnings, 0);
	symcache__free(sc);

	/* notes unreadable: perf takes the kernel for another */
	unlink(f.notes);
	sc = fake_cache(&f, kernel_id, &d);
	ck_assert_str_eq(kname(sc, 0xffffffff81001010ULL), "proc_core_fn");
	ck_assert_int_eq(symcache__kallsyms_source(sc)->why,
			 KSOURCE_UNKNOWN_PROC);
	ck_assert_int_eq(c.nr_warnings, 1);
	symcache__free(sc);
	fake_teardown(&f);
}
END_TEST

START_TEST(test_notes_build_id)
{
	struct fake f;
	uint8_t id[64];

	fake_setup(&f, "");
	ck_assert_int_eq(ksource__read_notes_build_id(f.notes, id, sizeof(id)),
			 20);
	ck_assert_mem_eq(id, kernel_id, 20);
	ck_assert_int_eq(ksource__read_notes_build_id(f.notes, id, 8), -ERANGE);
	put_str(f.notes, "short");
	ck_assert_int_eq(ksource__read_notes_build_id(f.notes, id, sizeof(id)),
			 -ENOENT);
	fake_teardown(&f);
	ck_assert_int_eq(ksource__read_notes_build_id("/nonexistent", id,
						      sizeof(id)), -ENOENT);
}
END_TEST

static Suite *symcache_suite(void)
{
	Suite *s = suite_create("symcache");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_dso_once);
	tcase_add_test(tc, test_many_dsos_grow);
	tcase_add_test(tc, test_vdso);
	tcase_add_test(tc, test_perfmap_dir);
	tcase_add_test(tc, test_kallsyms_and_jitdump);
	tcase_add_test(tc, test_jit_registry);
	tcase_add_test(tc, test_jit_registry_dir);
	tcase_add_test(tc, test_jit_code_prefers_perf_map);
	tcase_add_test(tc, test_jit_code_ancestry);
	tcase_add_test(tc, test_jit_code_growing);
	tcase_add_test(tc, test_kallsyms_loading);
	tcase_add_test(tc, test_copy_when_equivalent);
	tcase_add_test(tc, test_no_build_id_copy);
	tcase_add_test(tc, test_proc_when_not_equivalent);
	tcase_add_test(tc, test_other_kernel_copy_relocated);
	tcase_add_test(tc, test_other_kernel_no_copy_warns);
	tcase_add_test(tc, test_notes_build_id);
	tcase_add_test(tc, test_other_owners_files);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(symcache_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
