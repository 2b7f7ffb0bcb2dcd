/* Unit tests for common/session: mappings, overlaps, fork, comm. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"

static const char *file_at(struct session *s, int pid, uint64_t addr)
{
	struct session_map *m = session__find_map(s, pid, addr);

	return m ? m->filename : NULL;
}

START_TEST(test_find_and_miss)
{
	struct session *s = session__new();
	struct session_map *m;

	ck_assert_int_eq(session__mmap(s, 10, 0x1000, 0x1000, 0, "/bin/a", NULL, 0), 0);
	ck_assert_int_eq(session__mmap(s, 10, 0x4000, 0x2000, 0x3000, "/lib/b.so",
				       (const uint8_t *)"\x01\x02", 2), 0);
	ck_assert_str_eq(file_at(s, 10, 0x1000), "/bin/a");
	ck_assert_str_eq(file_at(s, 10, 0x1fff), "/bin/a");
	ck_assert_ptr_null(file_at(s, 10, 0x2000));
	ck_assert_ptr_null(file_at(s, 11, 0x1000));	/* other process */
	m = session__find_map(s, 10, 0x5000);
	ck_assert_uint_eq(m->pgoff, 0x3000);
	ck_assert_uint_eq(m->build_id_size, 2);
	ck_assert_int_eq(m->build_id[1], 2);
	session__free(s);
}
END_TEST

/* A new mapping replaces the part of an older one it covers; what is left
 * on the right keeps its file offsets. */
START_TEST(test_overlap_splits)
{
	struct session *s = session__new();
	struct session_map *left, *mid, *right;

	session__mmap(s, 1, 0x10000, 0x10000, 0, "/old", NULL, 0);
	session__mmap(s, 1, 0x14000, 0x4000, 0, "//anon", NULL, 0);
	left = session__find_map(s, 1, 0x13fff);
	mid = session__find_map(s, 1, 0x14000);
	right = session__find_map(s, 1, 0x18000);
	ck_assert_str_eq(left->filename, "/old");
	ck_assert_uint_eq(left->end, 0x14000);
	ck_assert_str_eq(mid->filename, "//anon");
	ck_assert_str_eq(right->filename, "/old");
	ck_assert_uint_eq(right->start, 0x18000);
	ck_assert_uint_eq(right->pgoff, 0x8000);
	ck_assert_uint_eq(right->id, left->id);	/* same file offsets: same id */
	/* one covering everything removes all three */
	session__mmap(s, 1, 0x8000, 0x20000, 0, "/new", NULL, 0);
	ck_assert_str_eq(file_at(s, 1, 0x14000), "/new");
	ck_assert_str_eq(file_at(s, 1, 0x1ffff), "/new");
	/* empty and wrapping mappings are ignored */
	ck_assert_int_eq(session__mmap(s, 1, 0x100, 0, 0, "/zero", NULL, 0), 0);
	ck_assert_int_eq(session__mmap(s, 1, UINT64_MAX - 10, 100, 0, "/wrap", NULL, 0), 0);
	ck_assert_ptr_null(file_at(s, 1, 0x100));
	session__free(s);
}
END_TEST

START_TEST(test_fork_and_comm)
{
	struct session *s = session__new();
	const struct session_thread *t;

	session__mmap(s, 5, 0x1000, 0x1000, 0, "/bin/parent", NULL, 0);
	ck_assert_int_eq(session__comm(s, 5, 5, "parent"), 0);
	/* a new process gets a copy of the maps and the comm */
	ck_assert_int_eq(session__fork(s, 6, 5, 6, 5), 0);
	ck_assert_str_eq(file_at(s, 6, 0x1000), "/bin/parent");
	t = session__thread(s, 6, 6);
	ck_assert_str_eq(t->comm, "parent");
	/* the child's exec-time mappings do not touch the parent's */
	session__mmap(s, 6, 0x1000, 0x1000, 0, "/bin/child", NULL, 0);
	ck_assert_str_eq(file_at(s, 5, 0x1000), "/bin/parent");
	ck_assert_str_eq(file_at(s, 6, 0x1000), "/bin/child");
	/* a thread shares its process's maps */
	ck_assert_int_eq(session__fork(s, 5, 5, 7, 5), 0);
	ck_assert_str_eq(session__thread(s, 5, 7)->comm, "parent");
	ck_assert_ptr_null(file_at(s, 7, 0x1000));
	/* an unknown thread is named as perf names it */
	ck_assert_str_eq(session__thread(s, 9, 9)->comm, ":9");
	ck_assert_int_eq(session__comm(s, 9, 9, "renamed"), 0);
	ck_assert_str_eq(session__thread(s, 9, 9)->comm, "renamed");
	session__free(s);
	session__free(NULL);
}
END_TEST

/* One answer to "is this JIT code" (session.c's is_jit_name()): perf's
 * anonymous and no-DSO memory, and the mappings JITs name or double-map. */
START_TEST(test_jit_mappings)
{
	static const struct {
		const char *name;
		bool is_jit;
	} cases[] = {
		{"//anon", true},
		{"[heap]", true},
		{"[stack]", true},
		{"/dev/zero (deleted)", true},
		{"/anon_hugepage (deleted)", true},
		{"/SYSV00000000 (deleted)", true},
		{"[anon:v8 code]", true},
		{"/memfd:doublemapper (deleted)", true},
		{"/usr/lib/libc.so.6", false},
		{"[vdso]", false},
		{"/tmp/anon", false},
		{"/tmp/perf-12.map", false},
		{"/home/me/memfd:x", false},
	};
	struct session *s = session__new();
	struct session_map *m;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t at = 0x100000 * (i + 1);

		ck_assert_int_eq(session__mmap(s, 3, at, 0x1000, 0,
					       cases[i].name, NULL, 0), 0);
		m = session__find_map(s, 3, at);
		ck_assert_ptr_nonnull(m);
		ck_assert_str_eq(m->filename, cases[i].name);
		ck_assert_msg(m->is_jit == cases[i].is_jit, "%s: is_jit %d",
			      cases[i].name, m->is_jit);
	}
	/* the parts of a split mapping, and a forked copy, keep theirs */
	session__mmap(s, 4, 0x10000, 0x10000, 0, "//anon", NULL, 0);
	session__mmap(s, 4, 0x14000, 0x1000, 0, "/lib/x.so", NULL, 0);
	m = session__find_map(s, 4, 0x18000);
	ck_assert(m->is_jit);
	m = session__find_map(s, 4, 0x14000);
	ck_assert(!m->is_jit);
	ck_assert_int_eq(session__fork(s, 5, 4, 5, 4), 0);
	m = session__find_map(s, 5, 0x10000);
	ck_assert_str_eq(m->filename, "//anon");
	ck_assert(m->is_jit);
	/* the child's JIT memory is a mapping of its own (a new id: names
	 * cached per mapping must not cross), its files are shared */
	ck_assert_ptr_ne(m, session__find_map(s, 4, 0x10000));
	ck_assert_uint_ne(m->id, session__find_map(s, 4, 0x10000)->id);
	ck_assert_uint_eq(m->start, 0x10000);
	ck_assert_uint_eq(m->end, 0x14000);
	ck_assert_ptr_eq(session__find_map(s, 5, 0x14000),
			 session__find_map(s, 4, 0x14000));
	ck_assert_uint_ne(session__find_map(s, 5, 0x18000)->id, m->id);
	session__free(s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("session");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_find_and_miss);
	tcase_add_test(tc, test_overlap_splits);
	tcase_add_test(tc, test_fork_and_comm);
	tcase_add_test(tc, test_jit_mappings);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
