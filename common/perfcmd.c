/* perfcmd: perf record's command line, for a Python program or a pid. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perfcmd.h"

extern char **environ;

/* The workload's first words: a shell restoring fds 1 and 2 from 3 and 4,
 * then python -X perf. */
#define WRAP "exec 1>&3 2>&4 3>&- 4>&-; exec \"$@\""
#define NR_FIXED 32		/* every word but the program's arguments */
#define NUM_LEN 32		/* one number or event spec written out */
#define PERF_DEFAULT_RING_KB 516

static char **build_env(void)
{
	size_t n = 0, i, j = 0;
	char **env;

	while (environ[n])
		n++;
	env = calloc(n + 2, sizeof(*env));
	if (!env)
		return NULL;
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], "PYTHONPERFSUPPORT=", 18))
			env[j++] = environ[i];
	env[j++] = "PYTHONPERFSUPPORT=1";
	env[j] = NULL;
	return env;
}

int perfcmd__build(const struct perfcmd_opts *o, struct perfcmd *cmd)
{
	char *hz, *freq, *callgraph, *ring, *pid, **argv;
	int n = 0, i;

	memset(cmd, 0, sizeof(*cmd));
	cmd->argv = argv = calloc(NR_FIXED + (size_t)o->nr_args + 1,
				  sizeof(*argv));
	cmd->strings = calloc(5, NUM_LEN);
	cmd->envp = build_env();
	if (!cmd->argv || !cmd->strings || !cmd->envp) {
		perfcmd__release(cmd);
		return -ENOMEM;
	}
	hz = cmd->strings;
	freq = hz + NUM_LEN;
	callgraph = freq + NUM_LEN;
	ring = callgraph + NUM_LEN;
	pid = ring + NUM_LEN;
	snprintf(hz, NUM_LEN, "%lu", o->hz);
	snprintf(freq, NUM_LEN, "cpu-clock/freq=%lu/", o->hz);
	snprintf(callgraph, NUM_LEN, "dwarf,%lu", o->stack_size);
	snprintf(ring, NUM_LEN, "%luK", o->ring_kb);
	snprintf(pid, NUM_LEN, "%d", (int)o->pid);

	argv[n++] = "perf";
	argv[n++] = "record";
	argv[n++] = "-q";
	/* perf 6.1's side-band thread for BPF events waits out a 1 s poll
	 * before perf can exit, on every run */
	argv[n++] = "--no-bpf-event";
	if (o->events == PERFCMD_CPU) {
		argv[n++] = "-e";
		argv[n++] = "cpu-clock";
		argv[n++] = "-F";
		argv[n++] = hz;
	} else {
		if (o->events == PERFCMD_WALL) {
			argv[n++] = "-e";
			argv[n++] = freq;
		}
		argv[n++] = "-e";
		argv[n++] = "sched:sched_switch";
		argv[n++] = "--switch-events";
	}
	if (o->is_fp) {
		argv[n++] = "-g";
	} else {
		argv[n++] = "--call-graph";
		argv[n++] = callgraph;
	}
	if (o->ring_kb) {
		argv[n++] = "-m";
		argv[n++] = ring;
	}
	argv[n++] = "-o";
	argv[n++] = "-";
	if (o->pid) {
		argv[n++] = "-p";
		argv[n++] = pid;
		return 0;
	}
	argv[n++] = "--";
	argv[n++] = "/bin/sh";
	argv[n++] = "-c";
	argv[n++] = WRAP;
	argv[n++] = "sh";
	argv[n++] = (char *)o->python;
	argv[n++] = "-X";
	argv[n++] = "perf";
	for (i = 0; i < o->nr_args; i++)
		argv[n++] = o->args[i];
	return 0;
}

void perfcmd__release(struct perfcmd *cmd)
{
	free(cmd->argv);
	free(cmd->envp);
	free(cmd->strings);
	memset(cmd, 0, sizeof(*cmd));
}

unsigned long perfcmd__ring_kb(bool is_root, long nr_cpus)
{
	unsigned long per_cpu = 1;

	if (!is_root || nr_cpus < 1)
		return 0;
	while (per_cpu * 2 <= (16UL << 20) / (unsigned long)nr_cpus)
		per_cpu *= 2;
	return per_cpu >> 10 > PERF_DEFAULT_RING_KB ? per_cpu >> 10 : 0;
}
