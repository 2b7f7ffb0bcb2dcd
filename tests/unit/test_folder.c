/* Unit tests for common/folder: event choice, weights, the Python view. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folder.h"

static struct slice sl(const char *s)
{
	return (struct slice){s, strlen(s)};
}

static struct frame fr(const char *sym, const char *dso)
{
	return (struct frame){.kind = FRAME_TEXT, .pc = sl("1000"),
			      .sym = sl(sym), .dso = sl(dso)};
}

static char *output(struct folder *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	ck_assert_int_eq(folder__write(f, out), 0);
	fclose(out);
	return buf;
}

/* One sample: frames leaf first. */
static void sample(struct folder *f, const char *event, uint64_t period,
		   const struct frame *frames, size_t n)
{
	const struct folder_who who = {sl("py"), .pid = sl("1"),
				       .tid = sl("2")};
	size_t i;

	if (!folder__begin(f, &who, sl(event), period, true))
		return;
	for (i = 0; i < n; i++)
		ck_assert_int_eq(folder__frame(f, &frames[i]), 0);
	ck_assert_int_eq(folder__end(f), 0);
}

START_TEST(test_first_event_and_weights)
{
	struct folder_opts o = {0};
	struct folder *f = folder__new(&o);
	struct frame a = fr("a", "/bin/x");
	struct folder_stats st;
	char *out;

	sample(f, "cycles", 0, &a, 1);		/* period 0 weighs 1 */
	sample(f, "instructions", 7, &a, 1);	/* other event: skipped */
	sample(f, "cycles", 5, &a, 1);
	folder__stats(f, &st);
	ck_assert_str_eq(st.event, "cycles");
	ck_assert_uint_eq(st.nr_read, 3);
	ck_assert_uint_eq(st.nr_other_event, 1);
	ck_assert_uint_eq(st.total_weight, 6);
	out = output(f);
	ck_assert_str_eq(out, "py;a 6\n");
	free(out);
	folder__free(f);
}
END_TEST

static const struct frame pystack[] = {
	{FRAME_TEXT, {"_PyFrame_Init", 13}, {"inlined", 7}, {"1", 1}, 0, {NULL, 0}},
	{FRAME_TEXT, {"_PyEval_EvalFrameDefault", 24}, {"/lib/libpython3.12.so", 21}, {"1", 1}, 0, {NULL, 0}},
	{FRAME_TEXT, {"py::f:/x/f.py", 13}, {"/tmp/perf-1.map", 15}, {"1", 1}, 0, {NULL, 0}},
	{FRAME_TEXT, {"zlib_compress", 13}, {"/lib/zlib.so", 12}, {"1", 1}, 0, {NULL, 0}},
	{FRAME_TEXT, {"py::<module>:/x/f.py", 20}, {"/tmp/perf-1.map", 15}, {"1", 1}, 0, {NULL, 0}},
	{FRAME_TEXT, {"Py_RunMain", 10}, {"/lib/libpython3.12.so", 21}, {"1", 1}, 0, {NULL, 0}},
	{FRAME_TEXT, {"__libc_start_main", 17}, {"/lib/libc.so.6", 14}, {"1", 1}, 0, {NULL, 0}},
};

START_TEST(test_python_view_folds_the_interpreter)
{
	struct folder_opts o = {.python = FOLDER_PYTHON_FOLD};
	struct folder *f = folder__new(&o);
	char *out;

	sample(f, "", 1, pystack, 7);
	out = output(f);
	/* root-side native frames and libpython (with what was inlined into
	 * it) go; the C extension between Python frames stays */
	ck_assert_str_eq(out, "py;<module> (/x/f.py);zlib_compress;f (/x/f.py) 1\n");
	free(out);
	folder__free(f);
}
END_TEST

START_TEST(test_python_all_and_threads)
{
	struct folder_opts o = {.python = FOLDER_PYTHON_ALL, .threads = true};
	struct folder *f = folder__new(&o);
	char *out;

	sample(f, "", 1, pystack + 4, 3);
	out = output(f);
	ck_assert_str_eq(out, "py;thread 2 (py);__libc_start_main;Py_RunMain;"
			      "<module> (/x/f.py) 1\n");
	free(out);
	folder__free(f);
}
END_TEST

/* A wait (folder__end_wait()) leaf first: the kernel's scheduler, libc,
 * the interpreter's function gil_fn (take_gil, drop_gil or another),
 * then the Python frames of pystack. Its folded stack, as text. */
static char *wait_stack(const char *gil_fn, enum folder_python python)
{
	struct folder_opts o = {.python = python};
	struct folder *f = folder__new(&o);
	const struct folder_who who = {sl("py"), .pid = sl("1"),
				       .tid = sl("2")};
	const struct frame waits[] = {
		fr("__schedule", "[kernel.kallsyms]"),
		fr("__futex_abstimed_wait_common", "/lib/libc.so.6"),
		fr(gil_fn, "/lib/libpython3.12.so"),
		fr("_PyEval_EvalFrameDefault", "/lib/libpython3.12.so"),
	};
	uint32_t ids[FOLDER_MAX_FRAMES + 3];
	char *out;
	size_t i;
	int n;

	ck_assert(folder__begin(f, &who, sl(""), 1, true));
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(folder__frame(f, &waits[i]), 0);
	for (i = 2; i < 7; i++)
		ck_assert_int_eq(folder__frame(f, &pystack[i]), 0);
	n = folder__end_wait(f, "[off-cpu: sleep]", ids, FOLDER_MAX_FRAMES + 3);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(folder__add(f, ids, (size_t)n, 5), 0);
	out = output(f);
	folder__free(f);
	return out;
}

/* The Python view of a wait: up to the Python frame that blocked, with
 * "[GIL]" when CPython's take_gil or drop_gil was on the way. */
START_TEST(test_wait_under_python_frame_and_gil)
{
	static const char *const fns[] = {"take_gil", "drop_gil", "PyThread_acquire_lock"};
	static const char *const want[] = {
		"py;<module> (/x/f.py);zlib_compress;f (/x/f.py);[GIL];"
		"[off-cpu: sleep] 5\n",
		"py;<module> (/x/f.py);zlib_compress;f (/x/f.py);[GIL];"
		"[off-cpu: sleep] 5\n",
		"py;<module> (/x/f.py);zlib_compress;f (/x/f.py);"
		"[off-cpu: sleep] 5\n",
	};
	char *out;
	int i;

	for (i = 0; i < 3; i++) {
		out = wait_stack(fns[i], FOLDER_PYTHON_FOLD);
		ck_assert_str_eq(out, want[i]);
		free(out);
	}
	/* --python=all keeps every frame, and names no GIL */
	out = wait_stack("take_gil", FOLDER_PYTHON_ALL);
	ck_assert_str_eq(out, "py;__libc_start_main;Py_RunMain;<module> "
			      "(/x/f.py);zlib_compress;f (/x/f.py);"
			      "_PyEval_EvalFrameDefault;take_gil;"
			      "__futex_abstimed_wait_common;__schedule;"
			      "[off-cpu: sleep] 5\n");
	free(out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("folder");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_first_event_and_weights);
	tcase_add_test(tc, test_python_view_folds_the_interpreter);
	tcase_add_test(tc, test_python_all_and_threads);
	tcase_add_test(tc, test_wait_under_python_frame_and_gil);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
