/* Unit tests for common/perfcmd: the perf record command lines flamerun
 * runs, word by word. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perfcmd.h"

/* cmd's argv joined by spaces. */
static const char *joined(const struct perfcmd *cmd)
{
	static char buf[1024];
	size_t n = 0;
	int i;

	buf[0] = 0;
	for (i = 0; cmd->argv[i]; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
				      i ? " " : "", cmd->argv[i]);
	return buf;
}

START_TEST(test_cpu_dwarf_program)
{
	char *const args[] = {"prog.py", "--n", "35"};
	struct perfcmd_opts o = {
		.events = PERFCMD_CPU, .hz = 999, .stack_size = 65528,
		.ring_kb = 8192, .python = "/usr/bin/python3.12",
		.args = args, .nr_args = 3,
	};
	struct perfcmd cmd;
	int i, has_env = 0;

	ck_assert_int_eq(perfcmd__build(&o, &cmd), 0);
	ck_assert_str_eq(joined(&cmd),
		"perf record -q --no-bpf-event -e cpu-clock -F 999 "
		"--call-graph dwarf,65528 -m 8192K -o - -- /bin/sh -c "
		"exec 1>&3 2>&4 3>&- 4>&-; exec \"$@\" sh "
		"/usr/bin/python3.12 -X perf prog.py --n 35");
	for (i = 0; cmd.envp[i]; i++)
		has_env += !strcmp(cmd.envp[i], "PYTHONPERFSUPPORT=1");
	ck_assert_int_eq(has_env, 1);
	perfcmd__release(&cmd);
}
END_TEST

START_TEST(test_wall_fp_pid)
{
	struct perfcmd_opts o = {
		.events = PERFCMD_WALL, .hz = 499, .is_fp = true, .pid = 4242,
	};
	struct perfcmd cmd;

	/* a PYTHONPERFSUPPORT already set is replaced, not doubled */
	setenv("PYTHONPERFSUPPORT", "0", 1);
	ck_assert_int_eq(perfcmd__build(&o, &cmd), 0);
	ck_assert_str_eq(joined(&cmd),
		"perf record -q --no-bpf-event -e cpu-clock/freq=499/ "
		"-e sched:sched_switch --switch-events -g -o - -p 4242");
	for (int i = 0; cmd.envp[i]; i++)
		ck_assert_str_ne(cmd.envp[i], "PYTHONPERFSUPPORT=0");
	perfcmd__release(&cmd);
	o.events = PERFCMD_OFFCPU;
	ck_assert_int_eq(perfcmd__build(&o, &cmd), 0);
	ck_assert_str_eq(joined(&cmd),
		"perf record -q --no-bpf-event -e sched:sched_switch "
		"--switch-events -g -o - -p 4242");
	perfcmd__release(&cmd);
}
END_TEST

START_TEST(test_ring_size)
{
	ck_assert_uint_eq(perfcmd__ring_kb(false, 2), 0);
	ck_assert_uint_eq(perfcmd__ring_kb(true, 2), 8192);
	ck_assert_uint_eq(perfcmd__ring_kb(true, 3), 4096);
	ck_assert_uint_eq(perfcmd__ring_kb(true, 16), 1024);
	/* no more than perf's own default: the default */
	ck_assert_uint_eq(perfcmd__ring_kb(true, 64), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("perfcmd");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_cpu_dwarf_program);
	tcase_add_test(tc, test_wall_fp_pid);
	tcase_add_test(tc, test_ring_size);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
