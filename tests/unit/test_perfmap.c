/* Unit tests for common/perfmap: maps written here, and the real map
 * CPython 3.12.1 -X perf wrote (tests/data/py312-fib.perf.map). */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "perfmap.h"

static char tmpdir[64];

static char *write_map(int pid, const char *text)
{
	static char path[128];
	FILE *f;

	if (!tmpdir[0]) {
		strcpy(tmpdir, "/tmp/perffold-perfmap-XXXXXX");
		ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	}
	snprintf(path, sizeof(path), "%s/perf-%d.map", tmpdir, pid);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static const char *look(const struct perfmap *pm, uint64_t addr,
			uint64_t *off)
{
	return perfmap__lookup(pm, addr, off);
}

START_TEST(test_cpython_lines)
{
	char *path = write_map(100,
		"7f0000001000 b py::<module>:/home/dev/my prog.py\n"
		"7f000000100b b py::Outer.<locals>.inner:/home/dev/a:b.py\n"
		"7f0000001016 b py::f:<frozen importlib._bootstrap>\n");
	struct perfmap *pm = perfmap__open(path, false, NULL);
	uint64_t off = 0;

	unlink(path);
	ck_assert_ptr_nonnull(pm);
	ck_assert_uint_eq(perfmap__count(pm), 3);
	ck_assert_str_eq(look(pm, 0x7f0000001000ULL, &off),
			 "py::<module>:/home/dev/my prog.py");
	ck_assert_uint_eq(off, 0);
	/* A return address 6 bytes in, looked up at - 1 by the caller. */
	ck_assert_str_eq(look(pm, 0x7f0000001010ULL, &off),
			 "py::Outer.<locals>.inner:/home/dev/a:b.py");
	ck_assert_uint_eq(off, 5);
	ck_assert_str_eq(look(pm, 0x7f0000001020ULL, NULL),
			 "py::f:<frozen importlib._bootstrap>");
	ck_assert_ptr_null(look(pm, 0x7f0000001021ULL, NULL));
	ck_assert_ptr_null(look(pm, 0x7f0000000fffULL, NULL));
	ck_assert_uint_eq(perfmap__nr_bad_lines(pm), 0);
	perfmap__free(pm);
}
END_TEST

/* dso__load_perf_map()'s quirks, kept on purpose. */
START_TEST(test_perf_quirks)
{
	char *path = write_map(101,
		"1000 10 ab\n"		/* name of 2: ignored */
		"2000 10 abc\n"		/* 3: kept */
		"\n"
		"garbage\n"		/* perf: 0 a "bage", see below */
		"0x3000 0x10 hex_prefixed\n"
		"4000 0 zero_sized\n"
		"5000 10 first\n"
		"5000 20 second\n"
		"6000 10 no newline at end");
	struct perfmap *pm = perfmap__open(path, false, NULL);
	uint64_t off;

	unlink(path);
	ck_assert_ptr_nonnull(pm);
	ck_assert_ptr_null(look(pm, 0x1000, NULL));
	ck_assert_str_eq(look(pm, 0x2005, NULL), "abc");
	ck_assert_str_eq(look(pm, 0x3001, NULL), "hex_prefixed");
	/* A zero size holds only its start (symbols__find()). */
	ck_assert_str_eq(look(pm, 0x4000, NULL), "zero_sized");
	ck_assert_ptr_null(look(pm, 0x4001, NULL));
	/* strtoull() reads no start from "garbage" and then the size 0xa
	 * from "arbage"; the name is what follows. perf keeps that symbol. */
	ck_assert_str_eq(look(pm, 0x5, NULL), "bage");
	/* Same start: whichever perf's tree puts higher. Inserting 0x6000
	 * rotates "second" above "first", so "first" is never found. */
	ck_assert_str_eq(look(pm, 0x5001, NULL), "second");
	ck_assert_str_eq(look(pm, 0x5011, &off), "second");
	ck_assert_uint_eq(off, 0x11);
	ck_assert_uint_eq(perfmap__nr_duplicates(pm), 1);
	/* perf drops the last character of a line without a newline. */
	ck_assert_str_eq(look(pm, 0x6000, NULL), "no newline at en");
	ck_assert_uint_eq(perfmap__nr_bad_lines(pm), 3);
	perfmap__free(pm);
}
END_TEST

START_TEST(test_open_pid_dir)
{
	struct perfmap *pm;
	char *path = write_map(4242, "7f00 b py::g:x.py\n");

	pm = perfmap__open_pid(tmpdir, 4242, false, NULL);
	unlink(path);
	ck_assert_ptr_nonnull(pm);
	ck_assert_str_eq(look(pm, 0x7f0a, NULL), "py::g:x.py");
	perfmap__free(pm);
	errno = 0;
	ck_assert_ptr_null(perfmap__open_pid(tmpdir, 4243, false, NULL));
	ck_assert_int_eq(errno, ENOENT);
	perfmap__free(NULL);
}
END_TEST

START_TEST(test_real_cpython312)
{
	char path[4096];
	struct perfmap *pm;
	uint64_t off;

	snprintf(path, sizeof(path), "%s/py312-fib.perf.map",
		 getenv("PERFFOLD_TEST_DATA"));
	pm = perfmap__open(path, false, NULL);
	ck_assert_ptr_nonnull(pm);
	ck_assert_uint_eq(perfmap__count(pm), 186);
	ck_assert_uint_eq(perfmap__nr_bad_lines(pm), 0);
	ck_assert_uint_eq(perfmap__nr_duplicates(pm), 0);
	ck_assert_str_eq(look(pm, 0x7f33c2ac0000ULL, &off),
			 "py::_find_and_load:<frozen importlib._bootstrap>");
	/* The return site inside fib's trampoline, minus one. */
	ck_assert_str_eq(look(pm, 0x7f33c2ac07f3ULL + 5, &off),
			 "py::fib:/tmp/symx/fib.py");
	ck_assert_uint_eq(off, 5);
	ck_assert_str_eq(look(pm, 0x7f33c2ac07ddULL + 0xa, NULL),
			 "py::main.<locals>.<lambda>:/tmp/symx/fib.py");
	/* Entries are 0xb long and packed: 0x7f33c2ac07f3 + 0xb is past the
	 * last one. */
	ck_assert_ptr_null(look(pm, 0x7f33c2ac07feULL, NULL));
	perfmap__free(pm);
}
END_TEST

static void append(const char *path, const char *text)
{
	FILE *f = fopen(path, "a");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* A map that grows between lookups, as CPython's does while perf2folded
 * reads a live recording: each update parses only what was appended (a
 * re-read from the start would add every entry twice: duplicates), and a
 * last line without its newline waits until the file keeps its size. */
START_TEST(test_update_growing)
{
	char *path = write_map(4250, "1000 10 py::early:a.py\n"
				     "2000 10 py::la");
	struct perfmap *pm = perfmap__open_growing(path, false, NULL);

	ck_assert_ptr_nonnull(pm);
	ck_assert_uint_eq(perfmap__count(pm), 1);
	ck_assert_ptr_null(look(pm, 0x2004, NULL));
	append(path, "te:a.py\n3000 10 py::later:a.py\n");
	ck_assert_int_eq(perfmap__update(pm, NULL), 2);
	ck_assert_str_eq(look(pm, 0x2004, NULL), "py::late:a.py");
	ck_assert_str_eq(look(pm, 0x300f, NULL), "py::later:a.py");
	ck_assert_str_eq(look(pm, 0x1000, NULL), "py::early:a.py");
	ck_assert_int_eq(perfmap__update(pm, NULL), 0);	/* nothing new */
	ck_assert_uint_eq(perfmap__count(pm), 3);
	ck_assert_uint_eq(perfmap__nr_duplicates(pm), 0);

	/* a line still being written: held while the file grows ... */
	append(path, "4000 10 py::cut:a.p");
	ck_assert_int_eq(perfmap__update(pm, NULL), 0);
	ck_assert_ptr_null(look(pm, 0x4000, NULL));
	/* ... then taken as perf takes it (last character dropped) once the
	 * file kept its size, and only once */
	ck_assert_int_eq(perfmap__update(pm, NULL), 1);
	ck_assert_str_eq(look(pm, 0x4000, NULL), "py::cut:a.");
	ck_assert_int_eq(perfmap__update(pm, NULL), 0);
	ck_assert_uint_eq(perfmap__count(pm), 4);

	/* replaced by a shorter file: not the one read */
	write_map(4250, "1000 10 py::x:b.py\n");
	ck_assert_int_eq(perfmap__update(pm, NULL), -ESTALE);
	unlink(path);
	ck_assert_int_eq(perfmap__update(pm, NULL), -ENOENT);
	ck_assert_str_eq(look(pm, 0x1000, NULL), "py::early:a.py");
	perfmap__free(pm);
}
END_TEST

/* perfmap__open() reads a finished map: its last line is taken with or
 * without a newline, as perf does, and the file is not reread. */
START_TEST(test_open_takes_tail)
{
	char *path = write_map(4251, "1000 10 py::early:a.py\n"
				     "2000 10 py::last:a.py");
	struct perfmap *pm = perfmap__open(path, false, NULL);

	ck_assert_ptr_nonnull(pm);
	ck_assert_str_eq(look(pm, 0x2000, NULL), "py::last:a.p");
	ck_assert_int_eq(perfmap__update(pm, NULL), 0);
	ck_assert_uint_eq(perfmap__count(pm), 2);
	unlink(path);
	perfmap__free(pm);
}
END_TEST

static Suite *perfmap_suite(void)
{
	Suite *s = suite_create("perfmap");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_cpython_lines);
	tcase_add_test(tc, test_perf_quirks);
	tcase_add_test(tc, test_open_pid_dir);
	tcase_add_test(tc, test_real_cpython312);
	tcase_add_test(tc, test_update_growing);
	tcase_add_test(tc, test_open_takes_tail);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(perfmap_suite());
	int failed;

	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (tmpdir[0])
		rmdir(tmpdir);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
