/* Unit tests for common/profile: what a folder's sink keeps. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intern.h"
#include "sinkfx.h"

static const char *name(struct folder *f, uint32_t id)
{
	return intern__str(folder__names(f), id);
}

START_TEST(test_locations_stacks_threads)
{
	struct folder *f;
	struct profile *p;
	struct profile_loc l;
	struct profile_stack s;
	struct profile_thread t;
	struct folder_stats st;
	uint64_t first, last;

	sinkfx__build(&f, &p, true, FOLDER_PYTHON_OFF);
	/* four addresses, each once */
	ck_assert_uint_eq(profile__nr_locs(p), 4);
	/* made as they came, leaf first: outer+inner, main, schedule, f */
	l = profile__loc(p, 0);
	ck_assert_uint_eq(l.ip, 0x1020);
	ck_assert_uint_eq(l.mapping, 1);
	ck_assert_uint_eq(l.nr, 2);
	ck_assert_str_eq(name(f, l.ids[0]), "outer");
	ck_assert_str_eq(name(f, l.ids[1]), "inner");
	ck_assert_ptr_null(l.file);
	l = profile__loc(p, 3);
	ck_assert_str_eq(name(f, l.ids[0]), "py::f:/x/f.py");
	ck_assert_str_eq(l.file, "/x/f.py");
	ck_assert_uint_eq(l.mapping, 0);
	ck_assert_uint_eq(profile__nr_mappings(p), 1);
	ck_assert(profile__mapping(p, 0)->has_names);
	ck_assert_uint_eq(profile__mapping(p, 0)->build_id_size, 20);
	/* three distinct stacks; the first twice */
	ck_assert_uint_eq(profile__nr_stacks(p), 3);
	s = profile__stack(p, 0);
	ck_assert_uint_eq(s.nr, 2);	/* inner is its location's */
	ck_assert_uint_eq(s.count, 2);
	ck_assert_uint_eq(s.weight, 8);
	ck_assert_uint_eq(profile__nr_threads(p), 2);
	t = profile__thread(p, 0);
	ck_assert_str_eq(t.comm, "app");
	ck_assert_uint_eq(t.weight, 10);
	ck_assert_uint_eq(t.nr_samples, 3);
	/* in order, equal neighbours merged: (stack 0, 8), (stack 2, 2) */
	ck_assert_uint_eq(t.nr, 2);
	ck_assert_uint_eq(t.stacks[0], 0);
	ck_assert_uint_eq(t.weights[0], 8);
	ck_assert_uint_eq(t.stacks[1], 2);
	ck_assert_uint_eq(t.weights[1], 2);
	ck_assert_str_eq(profile__process_comm(p, &t), "app");
	t = profile__thread(p, 1);
	ck_assert_str_eq(profile__process_comm(p, &t), "app");
	profile__time_range(p, &first, &last);
	ck_assert_uint_eq(first, 1000);
	ck_assert_uint_eq(last, 4000);
	folder__stats(f, &st);
	ck_assert_uint_eq(st.nr_accepted, 4);
	ck_assert_uint_eq(st.total_weight, 17);
	folder__free(f);
	profile__free(p);
}
END_TEST

START_TEST(test_build_id_from_the_list)
{
	static const uint8_t id[2] = {1, 2};
	struct folder *f;
	struct profile *p;

	sinkfx__build(&f, &p, false, FOLDER_PYTHON_OFF);
	/* a mapping recorded with one keeps it */
	profile__set_build_id(p, "/bin/app", id, 2);
	ck_assert_uint_eq(profile__mapping(p, 0)->build_id_size, 20);
	ck_assert_uint_eq(profile__thread(p, 0).nr, 0);	/* no order kept */
	folder__free(f);
	profile__free(p);
}
END_TEST

START_TEST(test_wait_handle)
{
	struct folder_opts o = {.threads = true};
	struct folder_who who = {.comm = {"w", 1}, .is_nr = true,
				 .pid_nr = 1, .tid_nr = 2};
	uint32_t out[FOLDER_MAX_FRAMES + 3];
	struct folder_sink sink;
	struct profile *p = profile__new(true);
	struct folder *f;
	struct profile_stack s;
	struct profile_loc l;
	int n;

	profile__sink(p, &sink);
	f = folder__new_sink(&o, &sink);
	ck_assert(folder__begin(f, &who, (struct slice){"", 0}, 1, true));
	n = folder__end_wait(f, "[off-cpu: sleep]", out, FOLDER_MAX_FRAMES + 3);
	ck_assert_int_eq(n, 1);		/* the sink's handle */
	ck_assert_int_eq(folder__add(f, out, 1, 250), 0);
	ck_assert_int_eq(profile__finish(p), 0);
	ck_assert_uint_eq(profile__nr_stacks(p), 1);
	s = profile__stack(p, 0);
	ck_assert_uint_eq(s.weight, 250);
	ck_assert_uint_eq(s.nr, 2);	/* thread frame, leaf */
	l = profile__loc(p, s.locs[0]);
	ck_assert_str_eq(intern__str(folder__names(f), l.ids[0]),
			 "thread 2 (w)");
	l = profile__loc(p, s.locs[1]);
	ck_assert_str_eq(intern__str(folder__names(f), l.ids[0]),
			 "[off-cpu: sleep]");
	folder__free(f);
	profile__free(p);
}
END_TEST

/* Made with folder__new_both(), a wait's out holds the sink's handle
 * and then the folded stack: folder__add() weighs both. */
START_TEST(test_wait_handle_both)
{
	struct folder_opts o = {.threads = true};
	struct folder_who who = {.comm = {"w", 1}, .is_nr = true,
				 .pid_nr = 1, .tid_nr = 2};
	uint32_t out[FOLDER_MAX_FRAMES + 3];
	struct folder_sink sink;
	struct profile *p = profile__new(true);
	struct folder_stats st;
	struct folder *f;
	char *buf = NULL;
	size_t len = 0;
	FILE *text = open_memstream(&buf, &len);
	int n;

	profile__sink(p, &sink);
	f = folder__new_both(&o, &sink);
	ck_assert(folder__begin(f, &who, (struct slice){"", 0}, 1, true));
	n = folder__end_wait(f, "[off-cpu: sleep]", out, FOLDER_MAX_FRAMES + 3);
	ck_assert_int_eq(n, 4);		/* handle; root, thread, leaf */
	ck_assert_int_eq(folder__add(f, out, (size_t)n, 250), 0);
	ck_assert_int_eq(profile__finish(p), 0);
	ck_assert_uint_eq(profile__nr_stacks(p), 1);
	ck_assert_uint_eq(profile__stack(p, 0).weight, 250);
	ck_assert_uint_eq(profile__stack(p, 0).nr, 2);
	ck_assert_int_eq(folder__write(f, text), 0);
	fclose(text);
	ck_assert_str_eq(buf, "w;thread 2 (w);[off-cpu: sleep] 250\n");
	folder__stats(f, &st);
	ck_assert_uint_eq(st.total_weight, 250);
	ck_assert_uint_eq(st.nr_stacks, 1);
	free(buf);
	folder__free(f);
	profile__free(p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("profile");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int nr_failed;

	tcase_add_test(tc, test_locations_stacks_threads);
	tcase_add_test(tc, test_build_id_from_the_list);
	tcase_add_test(tc, test_wait_handle);
	tcase_add_test(tc, test_wait_handle_both);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nr_failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nr_failed ? 1 : 0;
}
