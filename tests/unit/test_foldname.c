/* Unit tests for common/foldname: FlameGraph's naming rules and ours. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "foldname.h"
#include "intern.h"

static struct slice sl(const char *s)
{
	return (struct slice){s, strlen(s)};
}

/* The folded text of one frame line under opts, parts joined by ';'. */
static const char *name(const struct foldname_opts *o, const char *sym,
			const char *dso, int is_java)
{
	static char out[1024];
	struct intern *in = intern__new();
	struct foldname *fn = foldname__new(o, in);
	struct frame f = {.kind = FRAME_TEXT, .pc = sl("7f00"), .sym = sl(sym),
			  .dso = sl(dso)};
	uint32_t ids[8];
	int n = foldname__frame(fn, &f, is_java, ids, 8), i;

	ck_assert_int_gt(n, 0);
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i)
			strcat(out, ";");
		strcat(out, intern__str(in, ids[i]));
	}
	/* a second lookup comes from the cache and agrees */
	ck_assert_int_eq(foldname__frame(fn, &f, is_java, ids, 8), n);
	foldname__free(fn);
	intern__free(in);
	return out;
}

static const struct foldname_opts plain;

START_TEST(test_cpp_and_rust_names_kept_whole)
{
	ck_assert_str_eq(name(&plain, "main", "/bin/x", 0), "main");
	ck_assert_str_eq(name(&plain, "std::function<void (int)>::operator()(int) const",
			      "/bin/x", 0), "std::function<void (int)>::operator()");
	ck_assert_str_eq(name(&plain, "Foo::{lambda(int)#1}::operator()(int) const",
			      "/bin/x", 0), "Foo::{lambda(int)#1}::operator()");
	ck_assert_str_eq(name(&plain, "(anonymous namespace)::work(long)", "/bin/x", 0),
			 "(anonymous namespace)::work");
	ck_assert_str_eq(name(&plain, "bool operator< <int>(int const&, int const&)",
			      "/bin/x", 0), "bool operator< <int>");
	ck_assert_str_eq(name(&plain, "core::ptr::drop_in_place<alloc::vec::Vec<(u32, u32)>>",
			      "/bin/x", 0), "core::ptr::drop_in_place<alloc::vec::Vec<(u32, u32)>>");
	ck_assert_str_eq(name(&plain, "net/http.(*Client).Do", "/bin/x", 0),
			 "net/http.(*Client).Do");
	ck_assert_str_eq(name(&plain, "v8::internal::Invoke(bool, v8::internal::Handle<v8::internal::JSFunction>)",
			      "/bin/x", 0), "v8::internal::Invoke");
	/* frames that start with '(' are kept (the Perl script drops them) */
	ck_assert_str_eq(name(&plain, "(garbage collection)", "/bin/x", 0),
			 "(garbage collection)");
}
END_TEST

START_TEST(test_java_and_python)
{
	ck_assert_str_eq(name(&plain, "Lorg/mozilla/javascript/ContextFactory;.call(Lorg/mozilla/javascript/ContextAction;)Ljava/lang/Object;",
			      "/tmp/perf-1.map", 1),
			 "org/mozilla/javascript/ContextFactory:.call");
	/* cut short by perf */
	ck_assert_str_eq(name(&plain, "Lorg/x/C;.call(Lorg/mozilla/javascript/C",
			      "/tmp/perf-1.map", 1), "org/x/C:.call");
	/* only for processes named java */
	ck_assert_str_eq(name(&plain, "Lorg/x/C;.run", "/tmp/perf-1.map", 0),
			 "Lorg/x/C:.run");
	/* CPython's names: no argument list to strip, even with parens */
	ck_assert_str_eq(name(&plain, "py::f:/home/a (b)/p.py", "/tmp/perf-9.map", 0),
			 "py::f:/home/a (b)/p.py");
	ck_assert_str_eq(name(&plain, "py::<module>:/x.py", "/tmp/perf-9.map", 0),
			 "py::<module>:/x.py");
}
END_TEST

START_TEST(test_unknown_and_addrs)
{
	struct foldname_opts addrs = {.include_addrs = true};

	ck_assert_str_eq(name(&plain, "[unknown]", "/usr/lib/libc.so.6", 0), "[libc.so.6]");
	ck_assert_str_eq(name(&plain, "[unknown]", "[unknown]", 0), "[unknown]");
	ck_assert_str_eq(name(&plain, "", "/lib/libc-2.15.so", 0), "[libc-2.15.so]");
	ck_assert_str_eq(name(&addrs, "[unknown]", "/lib/a.so", 0), "[a.so <7f00>]");
	ck_assert_str_eq(name(&addrs, "main", "/lib/a.so", 0), "main");
}
END_TEST

START_TEST(test_annotations)
{
	struct foldname_opts all = {.annotate_kernel = true, .annotate_jit = true,
				    .annotate_inline = true};

	ck_assert_str_eq(name(&all, "schedule", "[kernel.kallsyms]", 0), "schedule_[k]");
	ck_assert_str_eq(name(&all, "tcp_sendmsg", "/lib/modules/4.3/build/vmlinux", 0),
			 "tcp_sendmsg_[k]");
	ck_assert_str_eq(name(&all, "__vdso_time", "[vdso]", 0), "__vdso_time_[k]");
	ck_assert_str_eq(name(&all, "[unknown]", "[unknown]", 0), "[unknown]");
	ck_assert_str_eq(name(&all, "py::f:/p.py", "/tmp/perf-123.map", 0), "py::f:/p.py_[j]");
	ck_assert_str_eq(name(&all, "x", "/tmp/perf-abc.map", 0), "x");
	ck_assert_str_eq(name(&all, "_PyFrame_Initialize", "inlined", 0),
			 "_PyFrame_Initialize_[i]");
	ck_assert_str_eq(name(&plain, "_PyFrame_Initialize", "inlined", 0),
			 "_PyFrame_Initialize");
	/* perf's old inline chains: caller first, callees marked */
	ck_assert_str_eq(name(&plain, "a->b->c", "/bin/x", 0), "a;b_[i];c_[i]");
	ck_assert_str_eq(name(&plain, "Ptr::operator->()", "/bin/x", 0), "Ptr::operator->");
}
END_TEST

START_TEST(test_hostile_bytes)
{
	ck_assert_str_eq(name(&plain, "a;b", "/x", 0), "a:b");
	ck_assert_str_eq(name(&plain, "a\x01" "b\x7f", "/x", 0), "a?b?");
	ck_assert_str_eq(name(&plain, "caf\xc3\xa9", "/x", 0), "caf\xc3\xa9");
	ck_assert_str_eq(name(&plain, "bad\xff\xc3", "/x", 0), "bad\xef\xbf\xbd\xef\xbf\xbd");
	/* overlong encoding and a surrogate are not valid UTF-8 */
	ck_assert_str_eq(name(&plain, "\xe0\x80\xaf", "/x", 0),
			 "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	ck_assert_str_eq(name(&plain, "\xed\xa0\x80", "/x", 0),
			 "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	/* nor is any sequence led by F5 to FF */
	ck_assert_str_eq(name(&plain, "x\xf5\x80\x80", "/x", 0),
			 "x\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	ck_assert_str_eq(name(&plain, "\xfe\x80\x80y", "/x", 0),
			 "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdy");
	ck_assert_str_eq(name(&plain, "\xf0\x9f\x94\xa5", "/x", 0), "\xf0\x9f\x94\xa5");
}
END_TEST

START_TEST(test_root)
{
	struct foldname_opts pid = {.include_pid = true}, tid = {.include_tid = true};
	struct intern *in = intern__new();
	struct foldname *a = foldname__new(&plain, in), *b = foldname__new(&pid, in),
			*c = foldname__new(&tid, in);

	ck_assert_str_eq(intern__str(in, foldname__root(a, sl("V8 Worker"), sl("12"), sl("13"))),
			 "V8_Worker");
	ck_assert_str_eq(intern__str(in, foldname__root(b, sl("java"), sl("12"), sl("13"))),
			 "java-12");
	ck_assert_str_eq(intern__str(in, foldname__root(b, sl("java"), sl(""), sl("13"))),
			 "java-?");
	ck_assert_str_eq(intern__str(in, foldname__root(c, sl("java"), sl(""), sl("13"))),
			 "java-?/13");
	foldname__free(a);
	foldname__free(b);
	foldname__free(c);
	intern__free(in);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("foldname");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_cpp_and_rust_names_kept_whole);
	tcase_add_test(tc, test_java_and_python);
	tcase_add_test(tc, test_unknown_and_addrs);
	tcase_add_test(tc, test_annotations);
	tcase_add_test(tc, test_hostile_bytes);
	tcase_add_test(tc, test_root);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
