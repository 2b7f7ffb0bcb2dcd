/* Unit tests for common/frame: what the text of a perf script frame says
 * it is (frame__kind_of_text), and the interpreter and kernel DSO rules
 * under it. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"

static struct slice sl(const char *s)
{
	return (struct slice){s, strlen(s)};
}

static enum frame_kind kind(const char *sym, const char *dso)
{
	struct frame f = {.kind = FRAME_TEXT, .sym = sl(sym), .dso = sl(dso)};

	return frame__kind_of_text(&f);
}

START_TEST(test_python)
{
	ck_assert_int_eq(kind("py::x", "/tmp/perf-1.map"), FRAME_PYTHON);
	/* the symbol decides, whatever the DSO */
	ck_assert_int_eq(kind("py::f:/x/f.py", "[unknown]"), FRAME_PYTHON);
	ck_assert_int_eq(kind("py::x", "/usr/bin/python3.12"), FRAME_PYTHON);
	/* "py::" with nothing after it names no Python function: other JIT
	 * code of the perf map */
	ck_assert_int_eq(kind("py::", "/tmp/perf-1.map"), FRAME_JIT);
	ck_assert_int_eq(kind("py:x", "/tmp/perf-1.map"), FRAME_JIT);
	ck_assert_int_eq(kind("xpy::x", "/lib/x.so"), FRAME_NATIVE);
}
END_TEST

START_TEST(test_inlined)
{
	ck_assert_int_eq(kind("fx_leaf", "inlined"), FRAME_INLINED);
	ck_assert_int_eq(kind("fx_leaf", "inlinedx"), FRAME_NATIVE);
	ck_assert_int_eq(kind("fx_leaf", "/lib/inlined"), FRAME_NATIVE);
}
END_TEST

START_TEST(test_kernel)
{
	ck_assert_int_eq(kind("schedule", "[kernel.kallsyms]"), FRAME_KERNEL);
	ck_assert_int_eq(kind("nf_hook", "[nf_conntrack]"), FRAME_KERNEL);
	ck_assert_int_eq(kind("tcp_sendmsg", "/boot/vmlinux"), FRAME_KERNEL);
	/* [vdso] and [unknown] are user code, or nothing known */
	ck_assert_int_eq(kind("__vdso_clock_gettime", "[vdso]"),
			 FRAME_NATIVE);
	ck_assert_int_eq(kind("[unknown]", "[unknown]"), FRAME_NATIVE);
	ck_assert_int_eq(kind("f", "[unknown]"), FRAME_NATIVE);
}
END_TEST

START_TEST(test_interpreter)
{
	ck_assert_int_eq(kind("_PyEval_EvalFrameDefault",
			      "/usr/lib/libpython3.12.so.1.0"), FRAME_INTERP);
	ck_assert_int_eq(kind("main", "/usr/bin/python3.12"), FRAME_INTERP);
	ck_assert_int_eq(kind("main", "python3"), FRAME_INTERP);
	ck_assert_int_eq(kind("malloc", "/lib/libc.so.6"), FRAME_NATIVE);
	/* the file name decides, not a directory */
	ck_assert_int_eq(kind("f", "/opt/python3.12/lib/libfoo.so"),
			 FRAME_NATIVE);
	ck_assert_int_eq(kind("f", "/opt/x/mypython"), FRAME_NATIVE);
}
END_TEST

START_TEST(test_is_interpreter)
{
	ck_assert(frame__is_interpreter(sl("/usr/bin/python3.12")));
	ck_assert(frame__is_interpreter(sl("/usr/lib/libpython3.12.so.1.0")));
	ck_assert(frame__is_interpreter(sl("python")));
	ck_assert(frame__is_interpreter(sl("libpython3.13d.so")));
	ck_assert(!frame__is_interpreter(sl("/lib/libc.so.6")));
	ck_assert(!frame__is_interpreter(sl("/usr/lib/python3.12/x.so")));
	ck_assert(!frame__is_interpreter(sl("/usr/bin/")));
	ck_assert(!frame__is_interpreter(sl("")));
	/* a slice: bytes past len do not count */
	ck_assert(!frame__is_interpreter((struct slice){"/bin/pyt" "hon", 8}));
}
END_TEST

START_TEST(test_is_kernel_dso)
{
	ck_assert(frame__is_kernel_dso(sl("/boot/vmlinux")));
	ck_assert(frame__is_kernel_dso(sl("vmlinux")));
	ck_assert(frame__is_kernel_dso(sl("[kernel.kallsyms]")));
	ck_assert(frame__is_kernel_dso(sl("[nf_conntrack_ipv4]")));
	/* FlameGraph's rule as it stands: [vdso] is "[...]" */
	ck_assert(frame__is_kernel_dso(sl("[vdso]")));
	ck_assert(!frame__is_kernel_dso(sl("[unknown]")));
	ck_assert(!frame__is_kernel_dso(sl("/unknown/vmlinux")));
	/* a kernel image perf found by its version */
	ck_assert(frame__is_kernel_dso(sl("/boot/vmlinux-6.1.0")));
	ck_assert(frame__is_kernel_dso(
		sl("/usr/lib/debug/boot/vmlinux-5.4.14-cloudflare-2020.1.11")));
	ck_assert(frame__is_kernel_dso(sl("[vmlinux-5.4.14-cloudflare-2020.1.11]")));
	ck_assert(!frame__is_kernel_dso(sl("/boot/my-vmlinux-6.1.0")));
	ck_assert(!frame__is_kernel_dso(sl("/boot/vmlinux-unknown")));
	ck_assert(!frame__is_kernel_dso(sl("/lib/libc.so.6")));
	ck_assert(!frame__is_kernel_dso(sl("")));
	/* a slice: its own bytes decide, not those after it */
	ck_assert(frame__is_kernel_dso((struct slice){"/boot/vmlinuxes", 13}));
	ck_assert(!frame__is_kernel_dso((struct slice){"/boot/vmlinux", 12}));
	ck_assert(frame__is_kernel_dso((struct slice){"[x] unknown", 3}));
}
END_TEST

/* Frames whose DSO the input left empty (NULL bytes, length 0): native,
 * read without touching the bytes. */
START_TEST(test_is_jit_dso)
{
	ck_assert(frame__is_jit_dso(sl("/tmp/perf-1234.map")));
	ck_assert(frame__is_jit_dso(sl("/home/me/copy/tmp/perf-1.map")));
	ck_assert(!frame__is_jit_dso(sl("/tmp/perf-.map")));
	/* perf inject --jit's DSOs, in any directory */
	ck_assert(frame__is_jit_dso(sl("jitted-4242-17.so")));
	ck_assert(frame__is_jit_dso(sl("/root/.debug/jit/java-jit-20261204.XXabcd/jitted-4242-0.so")));
	ck_assert(!frame__is_jit_dso(sl("/lib/jitted-4242-17.so.1")));
	ck_assert(!frame__is_jit_dso(sl("/lib/jitted-x-17.so")));
	ck_assert(!frame__is_jit_dso(sl("/lib/jitted-42-.so")));
	ck_assert(!frame__is_jit_dso(sl("/lib/notjitted-4-2.so")));
	ck_assert(!frame__is_jit_dso(sl("/lib/libc.so.6")));
	ck_assert(!frame__is_jit_dso(sl("")));
	/* and such frames are JIT code */
	ck_assert_int_eq(kind("Interpreter", "/x/jitted-4242-17.so"),
			 FRAME_JIT);
	ck_assert_int_eq(kind("LFoo;::bar", "/tmp/perf-9.map"), FRAME_JIT);
}
END_TEST

START_TEST(test_empty_dso)
{
	struct frame f = {.kind = FRAME_TEXT, .sym = sl("f")};

	ck_assert_int_eq(frame__kind_of_text(&f), FRAME_NATIVE);
	ck_assert(!frame__is_interpreter(f.dso));
	ck_assert(!frame__is_kernel_dso(f.dso));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("frame");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_python);
	tcase_add_test(tc, test_inlined);
	tcase_add_test(tc, test_kernel);
	tcase_add_test(tc, test_interpreter);
	tcase_add_test(tc, test_is_interpreter);
	tcase_add_test(tc, test_is_kernel_dso);
	tcase_add_test(tc, test_is_jit_dso);
	tcase_add_test(tc, test_empty_dso);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
