/* perfdata_dump: print a deterministic summary of a perf.data file, for the
 * conformance tests of common/perfdata (not installed).
 *
 *   perfdata_dump [--samples N] [--unordered] FILE|-
 *   perfdata_dump --script FILE|-    one line per sample, as
 *                                    perf script -F pid,tid,time,ip,event -G
 *
 * Exit status: 0 read to the end, 2 error (one line on stderr). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "perfdata.h"

struct pid_comm {
	uint32_t pid;
	char comm[24];
};

struct dump {
	struct perfdata *pd;
	bool is_script;
	uint64_t nr_print, nr_samples, nr_mmaps, nr_comms, nr_forks, nr_exits;
	uint64_t nr_kernel, nr_user, nr_callchain_frames;
	struct pid_comm *comms;
	size_t nr_pc, pc_cap;
};

static void emit(void *ctx, enum diag_level level, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "perfdata_dump: %s%s\n",
		level == DIAG_ERROR ? "" : "warning: ", msg);
}

static int on_sample(void *ctx, const struct perfdata_sample *s)
{
	struct dump *d = ctx;
	uint64_t t = s->sid.time;

	if (d->is_script) {
		printf("%d/%d %" PRIu64 ".%06" PRIu64 ": %s: %" PRIx64 "\n",
		       (int32_t)s->sid.pid, (int32_t)s->sid.tid, t / 1000000000,
		       t % 1000000000 / 1000,
		       perfdata__attr_name(d->pd, s->sid.attr_idx), s->ip);
		return 0;
	}
	if ((s->misc & PERF_RECORD_MISC_CPUMODE_MASK) ==
	    PERF_RECORD_MISC_KERNEL)
		d->nr_kernel++;
	else
		d->nr_user++;
	d->nr_callchain_frames += s->nr_callchain;
	if (d->nr_samples++ < d->nr_print)
		printf("sample %" PRIu64
		       ": event %u pid %d tid %d time %" PRIu64
		       " cpu %u ip %#" PRIx64 " period %" PRIu64
		       " callchain %" PRIu64 "\n",
		       d->nr_samples - 1, s->sid.attr_idx, (int32_t)s->sid.pid,
		       (int32_t)s->sid.tid, t, s->sid.cpu, s->ip, s->period,
		       s->nr_callchain);
	return 0;
}

static int on_mmap(void *ctx, const struct perfdata_mmap *m)
{
	(void)m;
	((struct dump *)ctx)->nr_mmaps++;
	return 0;
}

static int on_comm(void *ctx, const struct perfdata_comm *c)
{
	struct dump *d = ctx;
	size_t i;

	d->nr_comms++;
	for (i = 0; i < d->nr_pc; i++)
		if (d->comms[i].pid == c->pid &&
		    !strncmp(d->comms[i].comm, c->comm, 23))
			return 0;
	if (d->nr_pc == d->pc_cap) {
		size_t cap = d->pc_cap ? 2 * d->pc_cap : 16;
		struct pid_comm *n = realloc(d->comms, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		d->comms = n;
		d->pc_cap = cap;
	}
	d->comms[d->nr_pc].pid = c->pid;
	snprintf(d->comms[d->nr_pc].comm, 24, "%s", c->comm);
	d->nr_pc++;
	return 0;
}

static int on_fork(void *ctx, const struct perfdata_task *t)
{
	(void)t;
	((struct dump *)ctx)->nr_forks++;
	return 0;
}

static int on_exit_(void *ctx, const struct perfdata_task *t)
{
	(void)t;
	((struct dump *)ctx)->nr_exits++;
	return 0;
}

static int pc_cmp(const void *a, const void *b)
{
	const struct pid_comm *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return strcmp(x->comm, y->comm);
}

static const char *const type_names[PERFDATA_NR_TYPES] = {
    [1] = "MMAP",
    [2] = "LOST",
    [3] = "COMM",
    [4] = "EXIT",
    [5] = "THROTTLE",
    [6] = "UNTHROTTLE",
    [7] = "FORK",
    [8] = "READ",
    [9] = "SAMPLE",
    [10] = "MMAP2",
    [11] = "AUX",
    [12] = "ITRACE_START",
    [13] = "LOST_SAMPLES",
    [14] = "SWITCH",
    [15] = "SWITCH_CPU_WIDE",
    [16] = "NAMESPACES",
    [17] = "KSYMBOL",
    [18] = "BPF_EVENT",
    [19] = "CGROUP",
    [20] = "TEXT_POKE",
    [21] = "AUX_OUTPUT_HW_ID",
    [64] = "HEADER_ATTR",
    [65] = "HEADER_EVENT_TYPE",
    [66] = "HEADER_TRACING_DATA",
    [67] = "HEADER_BUILD_ID",
    [68] = "FINISHED_ROUND",
    [69] = "ID_INDEX",
    [70] = "AUXTRACE_INFO",
    [71] = "AUXTRACE",
    [72] = "AUXTRACE_ERROR",
    [73] = "THREAD_MAP",
    [74] = "CPU_MAP",
    [75] = "STAT_CONFIG",
    [76] = "STAT",
    [77] = "STAT_ROUND",
    [78] = "EVENT_UPDATE",
    [79] = "TIME_CONV",
    [80] = "HEADER_FEATURE",
    [81] = "COMPRESSED",
    [82] = "FINISHED_INIT",
    [83] = "COMPRESSED2",
};

static void summary(struct dump *d)
{
	struct perfdata *pd = d->pd;
	const struct perfdata_stats *st = perfdata__stats(pd);
	const char *const *argv;
	uint32_t i, n, level;
	const char *s;

	printf("format: %s\n", perfdata__is_pipe(pd) ? "pipe" : "file");
	if ((s = perfdata__feature_string(pd, PERFDATA_FEAT_ARCH)))
		printf("arch: %s\n", s);
	if ((s = perfdata__feature_string(pd, PERFDATA_FEAT_OSRELEASE)))
		printf("osrelease: %s\n", s);
	argv = perfdata__cmdline(pd, &n);
	if (argv) {
		printf("cmdline:");
		for (i = 0; i < n; i++)
			printf(" %s", argv[i]);
		printf("\n");
	}
	if (perfdata__compression(pd, &level))
		printf("compression: %u level %u\n",
		       perfdata__compression(pd, NULL), level);
	printf("attrs: %u\n", perfdata__nr_attrs(pd));
	for (i = 0; i < perfdata__nr_attrs(pd); i++) {
		const struct perf_event_attr *a = perfdata__attr(pd, i);
		uint32_t nr_ids;

		perfdata__attr_ids(pd, i, &nr_ids);
		printf("attr %u: name %s type %u config %#llx sample_type "
		       "%#llx sample_id_all %u ids %u samples %" PRIu64 "\n",
		       i, perfdata__attr_name(pd, i), a->type,
		       (unsigned long long)a->config,
		       (unsigned long long)a->sample_type, a->sample_id_all,
		       nr_ids, perfdata__attr_nr_samples(pd, i));
	}
	n = perfdata__nr_build_ids(pd);
	printf("build ids: %u\n", n);
	for (i = 0; i < n && i < 3; i++) {
		const struct perfdata_build_id *b = perfdata__build_id(pd, i);
		uint32_t j;

		printf("build id %u: pid %d cpumode %u ", i, b->pid,
		       b->cpumode);
		for (j = 0; j < b->size; j++)
			printf("%02x", b->build_id[j]);
		printf(" %s\n", b->filename);
	}
	printf("records:");
	for (i = 0; i < PERFDATA_NR_TYPES; i++)
		if (st->nr_records[i])
			printf(" %s=%" PRIu64,
			       type_names[i] ? type_names[i] : "?",
			       st->nr_records[i]);
	printf("\n");
	printf("samples: %" PRIu64 " (kernel %" PRIu64 ", user %" PRIu64
	       ", callchain entries %" PRIu64 ")\n",
	       d->nr_samples, d->nr_kernel, d->nr_user, d->nr_callchain_frames);
	printf("delivered: mmap %" PRIu64 " comm %" PRIu64 " fork %" PRIu64
	       " exit %" PRIu64 "\n",
	       d->nr_mmaps, d->nr_comms, d->nr_forks, d->nr_exits);
	printf("unknown %" PRIu64 " bad %" PRIu64 " unattributed %" PRIu64
	       " lost %" PRIu64 " lost_samples %" PRIu64
	       " out_of_order %" PRIu64 "\n",
	       st->nr_unknown, st->nr_bad, st->nr_unattributed, st->nr_lost,
	       st->nr_lost_samples, st->nr_out_of_order);
	if (d->nr_pc)
		qsort(d->comms, d->nr_pc, sizeof(*d->comms), pc_cmp);
	printf("comms:");
	for (i = 0; i < d->nr_pc && i < 20; i++)
		printf(" %d:%s", (int32_t)d->comms[i].pid, d->comms[i].comm);
	if (d->nr_pc > 20)
		printf(" ... (%zu)", d->nr_pc);
	printf("\n");
}

int main(int argc, char **argv)
{
	struct diag diag = {emit, NULL};
	struct perfdata_opts opts = {0};
	struct perfdata_ops ops = {
	    .on_sample = on_sample,
	    .on_mmap = on_mmap,
	    .on_comm = on_comm,
	    .on_fork = on_fork,
	    .on_exit = on_exit_,
	};
	struct dump d = {.nr_print = 5};
	const char *path = NULL;
	int i, err, fd = -1;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--samples") && i + 1 < argc)
			d.nr_print = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--unordered"))
			opts.is_unordered = true;
		else if (!strcmp(argv[i], "--script"))
			d.is_script = true;
		else
			path = argv[i];
	}
	if (!path) {
		fprintf(stderr, "usage: perfdata_dump [--samples N] "
				"[--unordered] [--script] FILE|-\n");
		return 64;
	}
	if (!strcmp(path, "-")) {
		/* sniff as perf2folded does, then hand over the prefix */
		char prefix[8];
		ssize_t n = read(0, prefix, sizeof(prefix));

		if (n < 0)
			n = 0;
		if (!perfdata__sniff(prefix, (size_t)n)) {
			fprintf(stderr,
				"perfdata_dump: stdin: not perf data\n");
			return 2;
		}
		d.pd = perfdata__open_fd(0, prefix, (size_t)n, "stdin", &diag,
					 &opts);
	} else {
		/* messages name the file by its basename, so golden output
		 * does not depend on where the fixtures are */
		const char *base = strrchr(path, '/');
		fd = open(path, O_RDONLY);
		if (fd < 0) {
			fprintf(stderr, "perfdata_dump: %s: %s\n", path,
				strerror(errno));
			return 2;
		}
		d.pd = perfdata__open_fd(fd, NULL, 0, base ? base + 1 : path,
					 &diag, &opts);
	}
	if (!d.pd) {
		if (fd >= 0)
			close(fd);
		return 2;
	}
	err = perfdata__read(d.pd, &ops, &d);
	if (!d.is_script)
		summary(&d);
	perfdata__free(d.pd);
	free(d.comms);
	if (fd >= 0)
		close(fd);
	return err ? 2 : 0;
}
