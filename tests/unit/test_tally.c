/* Unit tests for common/tally: self and total weight per function or file. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tally.h"

static void add(struct tally *t, const char *stack, double w)
{
	ck_assert_int_eq(tally__add(t, stack, strlen(stack), w), 0);
}

/* The entry named name in a sorted list, or NULL. */
static const struct tally_entry *find(const struct tally_entry *e, size_t nr,
				      const char *name)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		if (!strcmp(e[i].name, name))
			return &e[i];
	}
	return NULL;
}

static void assert_entry(const struct tally_entry *e, size_t nr,
			 const char *name, double self, double total)
{
	const struct tally_entry *x = find(e, nr, name);

	ck_assert_msg(x != NULL, "no entry '%s'", name);
	ck_assert_msg(x->self == self && x->total == total,
		      "'%s': self %g total %g, expected %g %g", name, x->self,
		      x->total, self, total);
}

START_TEST(test_self_is_the_leaf)
{
	struct tally *t = tally__new(TALLY_BY_FUNCTION, 0);
	const struct tally_entry *e;
	size_t nr;

	add(t, "main;a;b", 3);
	add(t, "main;a", 2);
	add(t, "main;c;b", 5);
	e = tally__sorted(t, TALLY_SORT_SELF, &nr);
	ck_assert_uint_eq(nr, 4);
	assert_entry(e, nr, "main", 0, 10);
	assert_entry(e, nr, "a", 2, 5);
	assert_entry(e, nr, "b", 8, 8);
	assert_entry(e, nr, "c", 0, 5);
	ck_assert(tally__sum(t) == 10);
	ck_assert_uint_eq(tally__nr_stacks(t), 3);
	/* by self: b 8, a 2, then c and main (0) by name */
	ck_assert_str_eq(e[0].name, "b");
	ck_assert_str_eq(e[1].name, "a");
	ck_assert_str_eq(e[2].name, "c");
	ck_assert_str_eq(e[3].name, "main");
	/* by total: main 10, b 8, then a and c (5) by name */
	e = tally__sorted(t, TALLY_SORT_TOTAL, &nr);
	ck_assert_str_eq(e[0].name, "main");
	ck_assert_str_eq(e[1].name, "b");
	ck_assert_str_eq(e[2].name, "a");
	ck_assert_str_eq(e[3].name, "c");
	tally__free(t);
	tally__free(NULL);
}
END_TEST

START_TEST(test_recursion_counted_once)
{
	struct tally *t = tally__new(TALLY_BY_FUNCTION, 0);
	const struct tally_entry *e;
	size_t nr;

	add(t, "main;fib;fib;fib;fib", 7);
	add(t, "main;fib;g;fib", 1);
	add(t, "fib;main;fib", 2); /* a key as root and leaf */
	e = tally__sorted(t, TALLY_SORT_TOTAL, &nr);
	ck_assert_uint_eq(nr, 3);
	assert_entry(e, nr, "fib", 10, 10);
	assert_entry(e, nr, "main", 0, 10);
	assert_entry(e, nr, "g", 0, 1);
	tally__free(t);
}
END_TEST

START_TEST(test_fractional_weights)
{
	struct tally *t = tally__new(TALLY_BY_FUNCTION, 0);
	const struct tally_entry *e;
	size_t nr;

	add(t, "a;b", 0.25);
	add(t, "a;b", 0.5);
	add(t, "a", 1.125);
	add(t, "a;c", 0);
	e = tally__sorted(t, TALLY_SORT_SELF, &nr);
	ck_assert_uint_eq(nr, 3);
	assert_entry(e, nr, "a", 1.125, 1.875);
	assert_entry(e, nr, "b", 0.75, 0.75);
	assert_entry(e, nr, "c", 0, 0);
	ck_assert(tally__sum(t) == 1.875);
	tally__free(t);
}
END_TEST

START_TEST(test_python_only)
{
	struct tally *t = tally__new(TALLY_BY_FUNCTION, TALLY_PYTHON);
	const struct tally_entry *e;
	size_t nr;

	/* native frames below a Python frame are its self time */
	add(t,
	    "python3.12;<module> (fib.py);fib (fib.py);fib (fib.py);"
	    "PyLong_Add;[libc.so.6]",
	    4);
	add(t, "python3.12;<module> (fib.py);main (fib.py)", 1);
	add(t, "python3.12;_start;Py_Initialize", 3); /* no Python frame */
	add(t, "python3.12;py::g:/x/g.py;h (lib/h.py)_[j]", 2);
	e = tally__sorted(t, TALLY_SORT_TOTAL, &nr);
	ck_assert_uint_eq(nr, 5);
	assert_entry(e, nr, "<module> (fib.py)", 0, 5);
	assert_entry(e, nr, "fib (fib.py)", 4, 4);
	assert_entry(e, nr, "main (fib.py)", 1, 1);
	assert_entry(e, nr, "py::g:/x/g.py", 0, 2);
	assert_entry(e, nr, "h (lib/h.py)_[j]", 2, 2);
	ck_assert(find(e, nr, "python3.12") == NULL);
	ck_assert(find(e, nr, "PyLong_Add") == NULL);
	ck_assert(tally__sum(t) == 10); /* the stack without Python too */
	tally__free(t);
}
END_TEST

START_TEST(test_by_file)
{
	struct tally *t = tally__new(TALLY_BY_FILE, 0);
	const struct tally_entry *e;
	size_t nr;

	/* fib.py appears three times in the first stack: counted once */
	add(t,
	    "python3.12;<module> (fib.py);fib (fib.py);fib (fib.py);"
	    "factorial (lib/m.py);[libc.so.6 <7f00>]",
	    4);
	add(t, "python3.12;<module> (fib.py);memcpy", 1);
	add(t, "python3.12;clear_page_erms_[k]", 2);
	e = tally__sorted(t, TALLY_SORT_TOTAL, &nr);
	ck_assert_uint_eq(nr, 6);
	assert_entry(e, nr, "python3.12", 0, 7);
	assert_entry(e, nr, "fib.py", 0, 5);
	assert_entry(e, nr, "lib/m.py", 0, 4);
	assert_entry(e, nr, "libc.so.6", 4, 4);
	assert_entry(e, nr, "memcpy", 1, 1);
	assert_entry(e, nr, "[kernel.kallsyms]", 2, 2);
	tally__free(t);

	t = tally__new(TALLY_BY_FILE, TALLY_PYTHON);
	add(t,
	    "python3.12;<module> (fib.py);fib (fib.py);"
	    "factorial (lib/m.py);[libc.so.6]",
	    4);
	add(t, "python3.12;<module> (fib.py);memcpy", 1);
	e = tally__sorted(t, TALLY_SORT_SELF, &nr);
	ck_assert_uint_eq(nr, 2);
	ck_assert_str_eq(e[0].name, "lib/m.py");
	assert_entry(e, nr, "lib/m.py", 4, 4);
	assert_entry(e, nr, "fib.py", 1, 5);
	tally__free(t);
}
END_TEST

static int key(enum tally_by by, unsigned flags, const char *name, char *out)
{
	const char *k;
	size_t len;
	int counts = tally__key(by, flags, name, strlen(name), &k, &len);

	if (counts) {
		memcpy(out, k, len);
		out[len] = '\0';
	}
	return counts;
}

START_TEST(test_keys)
{
	char k[256];

	ck_assert(key(TALLY_BY_FILE, 0, "fib (fib.py)", k));
	ck_assert_str_eq(k, "fib.py");
	ck_assert(key(TALLY_BY_FILE, 0, "A.<locals>.f (pkg/a b.py)", k));
	ck_assert_str_eq(k, "pkg/a b.py");
	ck_assert(key(TALLY_BY_FILE, 0,
		      "_find_and_load (<frozen importlib._bootstrap>)", k));
	ck_assert_str_eq(k, "<frozen importlib._bootstrap>");
	ck_assert(key(TALLY_BY_FILE, 0, "py::fib:/home/me/fib.py", k));
	ck_assert_str_eq(k, "/home/me/fib.py");
	ck_assert(key(TALLY_BY_FILE, 0, "py::fib:/home/me/fib.py_[j]", k));
	ck_assert_str_eq(k, "/home/me/fib.py");
	ck_assert(key(TALLY_BY_FILE, 0, "[libc.so.6]", k));
	ck_assert_str_eq(k, "libc.so.6");
	ck_assert(key(TALLY_BY_FILE, 0, "[libc.so.6 <7f00>]", k));
	ck_assert_str_eq(k, "libc.so.6");
	ck_assert(key(TALLY_BY_FILE, 0, "[unknown]", k));
	ck_assert_str_eq(k, "[unknown]");
	ck_assert(key(TALLY_BY_FILE, 0, "[unwind stopped: no unwind info]", k));
	ck_assert_str_eq(k, "[unwind stopped: no unwind info]");
	ck_assert(key(TALLY_BY_FILE, 0, "do_syscall_64_[k]", k));
	ck_assert_str_eq(k, "[kernel.kallsyms]");
	ck_assert(key(TALLY_BY_FILE, 0, "malloc", k));
	ck_assert_str_eq(k, "malloc");
	/* not Python: a C++ name with a parameter list, a thread frame,
	 * empty parentheses, no blank before them */
	ck_assert(!key(TALLY_BY_FILE, TALLY_PYTHON,
		       "std::function<void (int)>::operator()", k));
	ck_assert(!key(TALLY_BY_FILE, TALLY_PYTHON, "thread 42 (worker)", k));
	ck_assert(!key(TALLY_BY_FILE, TALLY_PYTHON, "f ()", k));
	ck_assert(!key(TALLY_BY_FILE, TALLY_PYTHON, "f(x.py)", k));
	ck_assert(!key(TALLY_BY_FILE, TALLY_PYTHON, "(x.py)", k));
	ck_assert(!key(TALLY_BY_FILE, TALLY_PYTHON, "py::nopath", k));
	ck_assert(!key(TALLY_BY_FUNCTION, TALLY_PYTHON, "", k));
	/* by function the key is the whole name */
	ck_assert(key(TALLY_BY_FUNCTION, TALLY_PYTHON, "fib (fib.py)", k));
	ck_assert_str_eq(k, "fib (fib.py)");
	ck_assert(key(TALLY_BY_FUNCTION, 0, "[libc.so.6 <7f00>]", k));
	ck_assert_str_eq(k, "[libc.so.6 <7f00>]");
}
END_TEST

START_TEST(test_empty_frames)
{
	struct tally *t = tally__new(TALLY_BY_FUNCTION, 0);
	const struct tally_entry *e;
	size_t nr;

	add(t, "a;;a", 1);
	e = tally__sorted(t, TALLY_SORT_SELF, &nr);
	ck_assert_uint_eq(nr, 2);
	assert_entry(e, nr, "a", 1, 1);
	assert_entry(e, nr, "", 0, 1);
	tally__free(t);
	/* an empty tally sorts to nothing */
	t = tally__new(TALLY_BY_FILE, 0);
	e = tally__sorted(t, TALLY_SORT_TOTAL, &nr);
	ck_assert(e != NULL);
	ck_assert_uint_eq(nr, 0);
	ck_assert(tally__sum(t) == 0);
	tally__free(t);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tally");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_self_is_the_leaf);
	tcase_add_test(tc, test_recursion_counted_once);
	tcase_add_test(tc, test_fractional_weights);
	tcase_add_test(tc, test_python_only);
	tcase_add_test(tc, test_by_file);
	tcase_add_test(tc, test_keys);
	tcase_add_test(tc, test_empty_frames);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
