/* perfcmd: the `perf record` command line flamerun runs, and its
 * environment.
 *
 * Events: cpu-clock everywhere (perf's fallback where there is no PMU, as
 * in most VMs), whose period is nanoseconds of CPU time; for off-CPU and
 * wall-clock time every sched:sched_switch with its stack (no -F, which
 * would sample the switches: the rate goes on cpu-clock alone) and
 * PERF_RECORD_SWITCH records for when a thread runs again. The recording
 * goes to stdout (-o -). The program runs as `python -X perf ARGS` through
 * a shell that gives it back the caller's stdout and stderr (fds 3 and 4,
 * see perfrec.h), with PYTHONPERFSUPPORT=1 in the environment: -X perf
 * reaches this interpreter only, the variable every Python child.
 */
#ifndef PERFFOLD_PERFCMD_H
#define PERFFOLD_PERFCMD_H

#include <stdbool.h>
#include <sys/types.h>

enum perfcmd_events {
	PERFCMD_CPU,		/* cpu-clock at hz */
	PERFCMD_WALL,		/* cpu-clock at hz and every sched_switch */
	PERFCMD_OFFCPU,		/* every sched_switch */
};

struct perfcmd_opts {
	enum perfcmd_events events;
	unsigned long hz;
	bool is_fp;			/* -g, else --call-graph dwarf */
	unsigned long stack_size;	/* dwarf: bytes copied per sample */
	/* perf's ring buffers in KB per CPU (-m), 0: perf's default */
	unsigned long ring_kb;
	pid_t pid;			/* attach (-p), or 0: run python */
	const char *python;		/* the interpreter run */
	char *const *args;		/* its arguments */
	int nr_args;
};

struct perfcmd {
	char **argv;		/* perf record ..., NULL-terminated */
	char **envp;		/* the environment, with PYTHONPERFSUPPORT=1 */
	char *strings;		/* what argv's numbers are written in */
};

/* Build the command for o into cmd (its arrays borrow o's strings and the
 * process environment's). 0 or -ENOMEM. */
int perfcmd__build(const struct perfcmd_opts *o, struct perfcmd *cmd);
void perfcmd__release(struct perfcmd *cmd);

/* The ring buffer size (KB a CPU) for -m: perf's default (516 KB, the
 * most an unprivileged user may lock) fills in a fraction of a second
 * with 64 KB stack copies at 999 Hz while perf writes into a pipe, and the
 * kernel then drops samples. A privileged user (is_root) gets 16 MB in
 * all, a power of two per CPU; 0 (perf's default) otherwise, or when that
 * would be no more. */
unsigned long perfcmd__ring_kb(bool is_root, long nr_cpus);

#endif
