/* perf2folded: perf profiles -> folded stacks.
 *
 * Reads perf.data (file or pipe format; datafold) or `perf script` text
 * (scriptparse), told apart by their first bytes, and writes one
 * `frame;frame;... WEIGHT` line per distinct stack through the shared
 * folder: the format of FlameGraph's stackcollapse-perf.pl, with its
 * options, plus the Python view. This file only parses options, wires the
 * modules and words the messages.
 */
#include <argp.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "datafold.h"
#include "fcache.h"
#include "folder.h"
#include "perfdata.h"
#include "scriptparse.h"
#include "waitfold.h"

#define EXIT_PARTIAL 1
#define EXIT_FATAL 2
#define EXIT_USAGE 64
#define MAX_INPUTS 256

struct opts {
	struct folder_opts folder;
	const char *output;
	const char *perf_map_dir;
	bool progress;
	bool no_inline;
	bool no_cache;
	bool force;
	bool verbose;
	enum datafold_clock clock;	/* --off-cpu, --wall */
	const char *inputs[MAX_INPUTS];
	int nr_inputs;
};

/* State of one run, shared by all inputs. */
struct run {
	const struct opts *opts;
	struct folder *folder;
	struct waitfold *wf;	/* --off-cpu, --wall on text */
	int err;
};

static const char *prog = "perf2folded";
const char *argp_program_version = "perf2folded " PERFFOLD_VERSION;

static void emit(void *ctx, enum diag_level level, const char *msg)
{
	const struct opts *o = ctx;

	if (level == DIAG_INFO && !o->verbose)
		return;
	fprintf(stderr, "%s: %s\n", prog, msg);
}

static int on_sample(void *ctx, const struct script_sample *s)
{
	struct run *r = ctx;
	const struct folder_who who = {
		.comm = s->comm, .pid = s->pid, .tid = s->tid,
	};
	struct slice event = s->event;
	uint64_t period = s->period;
	size_t i;
	int err;

	if (r->wf) {
		/* off-CPU and wall time: events chosen by what they are */
		err = waitfold__script(r->wf, s, &period);
		if (err <= 0)
			return err;
		event.len = 0;
	}
	if (!folder__begin(r->folder, &who, event, period,
			   s->has_period || r->wf))
		return 0;
	for (i = 0; i < s->nr_frames; i++) {
		err = folder__frame(r->folder, &s->frames[i]);
		if (err)
			return err;
	}
	return r->wf ? waitfold__end(r->wf) : folder__end(r->folder);
}

static bool report_waits(const struct waitfold_stats *st, const char *name,
			 const struct opts *o, const struct diag *d);

/* Parse one perf script text: a regular file is mapped and parsed in
 * place; anything else (a pipe) is read in blocks after the sniffed bytes. */
static int read_text(struct run *r, int fd, const char *name,
		     const char *head, size_t head_len, const struct diag *d)
{
	struct scriptparse *sp = scriptparse__new(d, name);
	const struct scriptparse_stats *stats;
	struct stat sb;
	int err;

	if (!sp)
		return -ENOMEM;
	if (r->opts->clock != DATAFOLD_CPU &&
	    !(r->wf = waitfold__new(r->folder,
				    r->opts->clock == DATAFOLD_WALL))) {
		err = -ENOMEM;
		goto out;
	}
	if (!fstat(fd, &sb) && S_ISREG(sb.st_mode) && sb.st_size > 0) {
		void *map = mmap(NULL, (size_t)sb.st_size, PROT_READ,
				 MAP_PRIVATE, fd, 0);

		if (map == MAP_FAILED) {
			err = -errno;
			goto out;
		}
		madvise(map, (size_t)sb.st_size, MADV_SEQUENTIAL);
		err = scriptparse__read_mapped(sp, map, (size_t)sb.st_size,
					       on_sample, r);
		munmap(map, (size_t)sb.st_size);
	} else {
		err = scriptparse__read_fd(sp, fd, head, head_len, on_sample, r);
	}
	if (!err && r->wf) {
		err = waitfold__finish(r->wf);
		if (!err && report_waits(waitfold__stats(r->wf), name, r->opts,
					 d))
			r->err = 1;
	}
out:
	if (err < 0 && err != -ENOMEM)
		diag__emit(d, DIAG_ERROR, "cannot read '%s': %s", name,
			   strerror(-err));
	stats = scriptparse__stats(sp);
	if (stats->nr_bad_lines) {
		r->err = 1;
		diag__emit(d, DIAG_WARN, "'%s': skipped %llu unrecognized line%s",
			   name, (unsigned long long)stats->nr_bad_lines,
			   stats->nr_bad_lines == 1 ? "" : "s");
	}
	diag__emit(d, DIAG_INFO, "'%s': %llu lines", name,
		   (unsigned long long)stats->nr_lines);
	scriptparse__free(sp);
	waitfold__free(r->wf);
	r->wf = NULL;
	return err;
}

/* How the DWARF stacks ended: the ones cut short, by reason. */
static void report_unwind(const struct datafold_stats *st, const char *name,
			  const struct diag *d)
{
	const uint64_t *n = st->nr_unwind_stops;
	uint64_t corrupt = n[UNWIND_BAD_SP] + n[UNWIND_LOOP] + n[UNWIND_BAD_CFI];
	char buf[512];
	size_t len = 0;
	int i;

	buf[0] = 0;
	for (i = 1; i < UNWIND_NR_STOPS; i++)
		if (n[i] && len < sizeof(buf))
			len += (size_t)snprintf(buf + len, sizeof(buf) - len,
						"%s%llu %s", len ? ", " : "",
						(unsigned long long)n[i],
						unwind__stop_str(i));
	diag__emit(d, DIAG_INFO,
		   "'%s': %llu DWARF stacks unwound (%llu CPython trampolines "
		   "stepped by their layout, %llu JIT frames by jitdump unwind "
		   "info, %llu frame-pointer steps); ended short: %s",
		   name, (unsigned long long)st->nr_unwound,
		   (unsigned long long)st->nr_trampoline_steps,
		   (unsigned long long)st->nr_jit_cfi_steps,
		   (unsigned long long)st->nr_fp_steps, len ? buf : "none");
	if (st->nr_grafted || st->nr_graft_unmatched)
		diag__emit(d, DIAG_INFO,
			   "'%s': %llu DWARF stacks deeper than the copied "
			   "stack completed from an earlier whole unwind of "
			   "their thread (grafted), %llu left cut; %llu grafts "
			   "checked by a later whole unwind, %llu disagreed",
			   name, (unsigned long long)st->nr_grafted,
			   (unsigned long long)st->nr_graft_unmatched,
			   (unsigned long long)st->nr_graft_checked,
			   (unsigned long long)st->nr_graft_disagreed);
	if (n[UNWIND_STACK_END])
		diag__emit(d, DIAG_WARN,
			   "'%s': %llu of %llu DWARF stacks outgrew the copied "
			   "stack and end in [unwind stopped: stack copy too "
			   "small] (record with --call-graph dwarf,65528)",
			   name, (unsigned long long)n[UNWIND_STACK_END],
			   (unsigned long long)st->nr_unwound);
	if (n[UNWIND_ARCH])
		diag__emit(d, DIAG_WARN,
			   "'%s': %llu DWARF stacks hold registers of an "
			   "architecture or ABI other than x86-64's; their user "
			   "part was not unwound", name,
			   (unsigned long long)n[UNWIND_ARCH]);
	if (corrupt)
		diag__emit(d, DIAG_WARN,
			   "'%s': %llu DWARF stacks had corrupt registers or "
			   "stack data; their unwinding stopped there", name,
			   (unsigned long long)corrupt);
}

/* The recording command --off-cpu and --wall need, and the perf script
 * fields they read from text. */
#define OFFCPU_RECORD \
	"perf record -e cpu-clock/freq=999/ " \
	"-e sched:sched_switch --switch-events " \
	"--call-graph dwarf,16384 -- python3.12 -X perf prog.py"
#define OFFCPU_SCRIPT \
	"perf script -F comm,pid,tid,time,period,event,trace,ip,sym,dso " \
	"--show-switch-events"

/* --off-cpu, --wall: what was counted, and what could not be. Returns
 * true when something was skipped. */
static bool report_waits(const struct waitfold_stats *st, const char *name,
			 const struct opts *o, const struct diag *d)
{
	const struct offcpu_stats *oc = &st->offcpu;
	uint64_t off = 0;
	bool is_partial = false;
	int i;

	for (i = 0; i < OFFCPU_NR_WHY; i++)
		off += oc->ns[i];
	if (!st->nr_switches && !st->nr_undecoded) {
		diag__emit(d, DIAG_WARN,
			   "'%s': no sched:sched_switch samples, so no "
			   "off-CPU time; record with: " OFFCPU_RECORD
			   " (as text: " OFFCPU_SCRIPT ")", name);
		is_partial = true;
	}
	if (st->nr_no_time) {
		diag__emit(d, DIAG_WARN,
			   "'%s': skipped %llu samples without a time (as "
			   "text, print it: " OFFCPU_SCRIPT ")",
			   name, (unsigned long long)st->nr_no_time);
		is_partial = true;
	}
	if (st->nr_sampled_switches)
		diag__emit(d, DIAG_WARN,
			   "'%s': %llu of %llu sched_switch samples stand for "
			   "several switches (a period above 1: -F or -c applied "
			   "to them), so off-CPU time is missing; record without "
			   "-F or -c (rate cpu-clock alone: cpu-clock/freq=999/)",
			   name, (unsigned long long)st->nr_sampled_switches,
			   (unsigned long long)st->nr_switches);
	if (st->nr_undecoded) {
		diag__emit(d, DIAG_WARN,
			   "'%s': skipped %llu sched_switch samples whose "
			   "fields could not be read (raw data shorter than "
			   "their format, or text with no valid prev_pid, "
			   "prev_state or next_pid)", name,
			   (unsigned long long)st->nr_undecoded);
		is_partial = true;
	}
	if (st->nr_unknown_events) {
		diag__emit(d, DIAG_WARN,
			   "'%s': skipped %llu tracepoint samples of events "
			   "with no format in the tracing data", name,
			   (unsigned long long)st->nr_unknown_events);
		is_partial = true;
	}
	if (o->clock == DATAFOLD_WALL && st->nr_not_time)
		diag__emit(d, DIAG_WARN,
			   "'%s': skipped %llu samples of events whose periods "
			   "are not time (--wall counts cpu-clock and "
			   "task-clock samples)", name,
			   (unsigned long long)st->nr_not_time);
	diag__emit(d, DIAG_INFO,
		   "'%s': %llu switch-outs, %llu off-CPU intervals closed, "
		   "%.6f s off the CPU (sleep %.6f, uninterruptible %.6f, "
		   "runnable %.6f, other %.6f)%s%.6f s on it",
		   name, (unsigned long long)st->nr_switches,
		   (unsigned long long)(oc->nr_closed + oc->nr_open_at_end),
		   off / 1e9, oc->ns[OFFCPU_SLEEP] / 1e9, oc->ns[OFFCPU_IO] / 1e9,
		   oc->ns[OFFCPU_RUNNABLE] / 1e9,
		   (oc->ns[OFFCPU_STOPPED] + oc->ns[OFFCPU_DEAD] +
		    oc->ns[OFFCPU_IDLE]) / 1e9,
		   o->clock == DATAFOLD_WALL ? ", cpu-clock samples: " : "; ",
		   o->clock == DATAFOLD_WALL ? st->on_cpu_ns / 1e9 : 0.0);
	if (oc->nr_open_at_end || oc->nr_exited || oc->nr_missed_in ||
	    oc->nr_backwards)
		diag__emit(d, DIAG_INFO,
			   "'%s': %llu off-CPU intervals still open at the end "
			   "(counted up to the last record), %llu ended by "
			   "their thread's exit (not counted), %llu with no "
			   "switch-in before the next switch-out and %llu "
			   "ending before they began (not counted)",
			   name, (unsigned long long)oc->nr_open_at_end,
			   (unsigned long long)oc->nr_exited,
			   (unsigned long long)oc->nr_missed_in,
			   (unsigned long long)oc->nr_backwards);
	return is_partial;
}

static void report_data(const struct datafold_stats *st, const char *name,
			const struct diag *d)
{
	/* LOST_SAMPLES counts samples; LOST counts records of any kind, most
	 * of them samples: the count when perf wrote no LOST_SAMPLES */
	uint64_t lost = st->nr_lost_samples ? st->nr_lost_samples : st->nr_lost;
	char records[64] = "";

	if (st->nr_lost && st->nr_lost_samples)
		snprintf(records, sizeof(records), ", %llu records in all",
			 (unsigned long long)st->nr_lost);
	if (lost)
		diag__emit(d, DIAG_WARN,
			   "'%s': perf lost %llu samples (%.3g%% of %llu) while "
			   "recording%s (try a lower -F or a larger -m)", name,
			   (unsigned long long)lost,
			   100.0 * (double)lost / (double)(st->nr_samples + lost),
			   (unsigned long long)(st->nr_samples + lost), records);
	if (st->nr_bad_records)
		diag__emit(d, DIAG_WARN, "'%s': skipped %llu malformed records",
			   name, (unsigned long long)st->nr_bad_records);
	if (st->kallsyms_restricted)
		diag__emit(d, DIAG_WARN,
			   "kernel addresses are hidden here "
			   "(kernel.kptr_restrict): kernel frames are [unknown]");
	if (st->nr_unwound)
		report_unwind(st, name, d);
	diag__emit(d, DIAG_INFO,
		   "'%s': %llu samples, %llu frames (%llu without a symbol), "
		   "%llu records of unknown types skipped",
		   name, (unsigned long long)st->nr_samples,
		   (unsigned long long)st->nr_frames,
		   (unsigned long long)st->nr_unknown_frames,
		   (unsigned long long)st->nr_unknown_records);
}

struct progress {
	const char *name;
	uint64_t size;	/* 0 for a pipe */
};

/* --progress: one line on stderr, rewritten in place. */
static void show_progress(void *ctx, uint64_t bytes)
{
	const struct progress *p = ctx;

	if (p->size)
		fprintf(stderr, "\r%s: %s: %3d%% (%llu of %llu MB)", prog,
			p->name, (int)(bytes * 100 / p->size),
			(unsigned long long)(bytes >> 20),
			(unsigned long long)(p->size >> 20));
	else
		fprintf(stderr, "\r%s: %s: %llu MB", prog, p->name,
			(unsigned long long)(bytes >> 20));
}

/* Read perf.data (file or pipe format) whose first bytes were sniffed. */
static int read_data(struct run *r, int fd, const char *name,
		     const char *head, size_t head_len, const struct diag *d)
{
	struct datafold_opts dopts = {
		.perf_map_dir = r->opts->perf_map_dir,
		.no_inline = r->opts->no_inline,
		.force = r->opts->force,
		.clock = r->opts->clock,
	};
	struct progress progress = {name, 0};
	const struct perfdata_stats *ps;
	struct datafold_stats st;
	struct perfdata *pd;
	struct fcache *cache = NULL;
	char dir[PATH_MAX];
	struct stat sb;
	int err;

	if (r->opts->progress && isatty(2)) {
		if (!fstat(fd, &sb) && S_ISREG(sb.st_mode))
			progress.size = (uint64_t)sb.st_size;
		dopts.progress = show_progress;
		dopts.progress_ctx = &progress;
	}
	pd = perfdata__open_fd(fd, head, head_len, name, d, NULL);
	if (!pd)
		return -errno ? -errno : -EINVAL;
	/* without one (no home, no build id) every table is read afresh */
	if (!r->opts->no_cache && fcache__default_dir(dir, sizeof(dir)))
		cache = fcache__new(dir);
	dopts.cache = cache;
	err = datafold__read(pd, r->folder, &dopts, d, &st);
	if (dopts.progress && st.nr_samples > 0xffff)
		fputs("\n", stderr);
	report_data(&st, name, d);
	ps = perfdata__stats(pd);
	if (ps->pipe_size)	/* a full pipe would have made perf wait */
		diag__emit(d, DIAG_INFO, "'%s': %.1f MB through a pipe of %llu "
			   "KB, at most %llu KB of it unread when read", name,
			   ps->data_bytes / 1048576.0,
			   (unsigned long long)ps->pipe_size >> 10,
			   (unsigned long long)ps->pipe_max_queued >> 10);
	if (st.nr_bad_records)
		r->err = 1;
	if (!err && r->opts->clock != DATAFOLD_CPU &&
	    report_waits(&st.waits, name, r->opts, d))
		r->err = 1;
	perfdata__free(pd);
	fcache__free(cache);
	return err;
}

static int read_input(struct run *r, const char *path, const struct diag *d)
{
	const char *name = strcmp(path, "-") ? path : "<stdin>";
	char magic[8];
	size_t n = 0;
	int fd, err;

	fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	if (fd < 0) {
		diag__emit(d, DIAG_ERROR, "cannot open '%s': %s", path,
			   strerror(errno));
		return -errno;
	}
	/* Sniff the first bytes: perf.data starts with "PERFILE2". */
	while (n < sizeof(magic)) {
		ssize_t k = read(fd, magic + n, sizeof(magic) - n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		n += (size_t)k;
	}
	if (perfdata__sniff(magic, n)) {
		err = read_data(r, fd, name, magic, n, d);
	} else {
		err = read_text(r, fd, name, magic, n, d);
	}
	if (fd > 0)
		close(fd);
	return err;
}

static void report(const struct folder_stats *st, const struct opts *o,
		   const struct diag *d)
{
	if (st->nr_other_event)
		diag__emit(d, DIAG_WARN,
			   "kept event '%s'%s; skipped %llu sample%s of other "
			   "events",
			   st->event, o->folder.event ? "" : " (the first seen; "
			   "choose with --event-filter)",
			   (unsigned long long)st->nr_other_event,
			   st->nr_other_event == 1 ? "" : "s");
	if (st->nr_too_deep)
		diag__emit(d, DIAG_WARN,
			   "%llu samples had more than %d frames; their "
			   "root-most frames were cut",
			   (unsigned long long)st->nr_too_deep,
			   FOLDER_MAX_FRAMES);
	diag__emit(d, DIAG_INFO,
		   "read %llu samples, accepted %llu (%llu of other events); "
		   "%zu distinct stacks, total weight %llu",
		   (unsigned long long)st->nr_read,
		   (unsigned long long)st->nr_accepted,
		   (unsigned long long)st->nr_other_event, st->nr_stacks,
		   (unsigned long long)st->total_weight);
}

static int run(const struct opts *o)
{
	struct diag d = {emit, (void *)o};
	struct run r = {.opts = o};
	struct folder_stats st;
	FILE *out = stdout;
	int status = EXIT_FATAL, i;
	/* No file: stdin, unless it is a terminal; then ./perf.data, as perf */
	static const char *const from_stdin[] = {"-"}, *const local[] = {
		"perf.data"};
	const char *const *inputs = o->nr_inputs   ? o->inputs
				    : isatty(0) ? local
						: from_stdin;
	int nr_inputs = o->nr_inputs ? o->nr_inputs : 1;

	r.folder = folder__new(&o->folder);
	if (!r.folder) {
		diag__emit(&d, DIAG_ERROR, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < nr_inputs; i++) {
		int err = read_input(&r, inputs[i], &d);

		if (err == -ENOMEM)
			diag__emit(&d, DIAG_ERROR, "out of memory");
		if (err)
			goto cleanup;
	}
	folder__stats(r.folder, &st);
	report(&st, o, &d);
	if (o->output && !(out = fopen(o->output, "w"))) {
		diag__emit(&d, DIAG_ERROR, "cannot write '%s': %s", o->output,
			   strerror(errno));
		goto cleanup;
	}
	if (folder__write(r.folder, out) < 0 || (o->output && fclose(out))) {
		diag__emit(&d, DIAG_ERROR, "cannot write '%s': %s",
			   o->output ? o->output : "<stdout>", strerror(errno));
		goto cleanup;
	}
	if (!st.nr_accepted) {
		diag__emit(&d, DIAG_WARN, "no samples%s%s%s",
			   st.nr_read ? " of event '" : "",
			   st.nr_read ? st.event : "", st.nr_read ? "'" : "");
		status = EXIT_PARTIAL;
	} else {
		status = r.err ? EXIT_PARTIAL : EXIT_SUCCESS;
	}
cleanup:
	folder__free(r.folder);
	return status;
}

enum {
	OPT_PID = 256, OPT_TID, OPT_KERNEL, OPT_JIT, OPT_ALL, OPT_ADDRS,
	OPT_EVENT, OPT_WEIGHT, OPT_INLINE, OPT_MAP_DIR, OPT_PYTHON, OPT_THREADS,
	OPT_PROGRESS, OPT_NO_INLINE, OPT_NO_CACHE, OPT_OFF_CPU, OPT_WALL,
};

static const struct argp_option options[] = {
	{"input", 'i', "FILE", 0, "Read FILE (same as naming it)", 0},
	{"output", 'o', "FILE", 0, "Write to FILE instead of stdout", 0},
	{"perf-map-dir", OPT_MAP_DIR, "DIR", 0,
	 "Read perf-PID.map and jit-PID.dump from DIR, not /tmp", 0},
	{"force", 'f', NULL, 0,
	 "Read perf maps and jitdumps owned by neither you nor root (perf's -f; "
	 "they are ignored otherwise)", 0},
	{"no-cache", OPT_NO_CACHE, NULL, 0,
	 "Neither read nor keep symbol tables and inflated DWARF in the cache "
	 "($PERFFOLD_CACHE_DIR, else ~/.cache/perffold)", 0},
	{"pid", OPT_PID, NULL, 0, "Root frame is comm-PID", 1},
	{"tid", OPT_TID, NULL, 0, "Root frame is comm-PID/TID", 1},
	{"kernel", OPT_KERNEL, NULL, 0, "Annotate kernel frames with _[k]", 1},
	{"jit", OPT_JIT, NULL, 0,
	 "Annotate JIT frames (/tmp/perf-PID.map) with _[j]", 1},
	{"all", OPT_ALL, NULL, 0, "Same as --kernel --jit", 1},
	{"addrs", OPT_ADDRS, NULL, 0,
	 "Show addresses of unknown frames: [dso <addr>]", 1},
	{"no-inline", OPT_NO_INLINE, NULL, 0,
	 "No (inlined) frames in DWARF-unwound stacks (as perf script "
	 "--no-inline)", 1},
	{"mark-inlined", OPT_INLINE, NULL, 0,
	 "Annotate perf's (inlined) frames with _[i]", 1},
	{"python", OPT_PYTHON, "all", OPTION_ARG_OPTIONAL,
	 "Python view: CPython's py::QUAL:FILE frames as 'QUAL (PATH)', the "
	 "interpreter's own frames folded away (=all: keep every frame)", 1},
	{"threads", OPT_THREADS, NULL, 0,
	 "A frame 'thread TID (COMM)' under the root, per thread", 1},
	{"event-filter", OPT_EVENT, "EVENT", 0,
	 "Keep samples of EVENT (default: the first event seen)", 2},
	{"weight", OPT_WEIGHT, "KIND", 0,
	 "period (default: the sample period perf printed, else 1) or "
	 "samples (count samples)", 2},
	{"off-cpu", OPT_OFF_CPU, NULL, 0,
	 "Time off the CPU, in microseconds: each sched_switch stack weighs "
	 "the time until its thread ran again, under a leaf frame saying why "
	 "([off-cpu: sleep], [off-cpu: uninterruptible], [off-cpu: "
	 "runnable])", 2},
	{"wall", OPT_WALL, NULL, 0,
	 "Wall-clock time, in microseconds: --off-cpu's stacks and cpu-clock "
	 "(or task-clock) samples as the time they stand for", 2},
	{"verbose", 'v', NULL, 0, "Say how many samples were read and kept", 3},
	{"progress", OPT_PROGRESS, NULL, 0,
	 "Show progress on stderr while reading perf.data (on a terminal)", 3},
	{0},
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct opts *o = state->input;

	switch (key) {
	case 'o': o->output = arg; break;
	case OPT_MAP_DIR: o->perf_map_dir = arg; break;
	case OPT_PID: o->folder.names.include_pid = true; break;
	case OPT_TID: o->folder.names.include_tid = true; break;
	case OPT_KERNEL: o->folder.names.annotate_kernel = true; break;
	case OPT_JIT: o->folder.names.annotate_jit = true; break;
	case OPT_ALL:
		o->folder.names.annotate_kernel = o->folder.names.annotate_jit = true;
		break;
	case OPT_ADDRS: o->folder.names.include_addrs = true; break;
	case OPT_INLINE: o->folder.names.annotate_inline = true; break;
	case OPT_PYTHON:
		if (!arg)
			o->folder.python = FOLDER_PYTHON_FOLD;
		else if (!strcmp(arg, "all"))
			o->folder.python = FOLDER_PYTHON_ALL;
		else
			argp_error(state, "--python takes no value or 'all', "
				   "not '%s'", arg);
		break;
	case OPT_THREADS: o->folder.threads = true; break;
	case OPT_NO_INLINE: o->no_inline = true; break;
	case OPT_NO_CACHE: o->no_cache = true; break;
	case 'f': o->force = true; break;
	case OPT_EVENT:
		if (!*arg)
			argp_error(state, "--event-filter needs an event name");
		o->folder.event = arg;
		break;
	case OPT_WEIGHT:
		if (!strcmp(arg, "period"))
			o->folder.weight_samples = false;
		else if (!strcmp(arg, "samples"))
			o->folder.weight_samples = true;
		else
			argp_error(state, "--weight is period or samples, not '%s'",
				   arg);
		break;
	case OPT_OFF_CPU:
	case OPT_WALL:
		if (o->clock != DATAFOLD_CPU)
			argp_error(state, "--off-cpu and --wall exclude each "
				   "other");
		o->clock = key == OPT_WALL ? DATAFOLD_WALL : DATAFOLD_OFFCPU;
		break;
	case ARGP_KEY_END:
		if (o->clock != DATAFOLD_CPU &&
		    (o->folder.event || o->folder.weight_samples))
			argp_error(state, "--off-cpu and --wall choose their "
				   "events and weigh in microseconds: no "
				   "--event-filter or --weight=samples");
		break;
	case 'v': o->verbose = true; break;
	case OPT_PROGRESS: o->progress = true; break;
	case 'i':
	case ARGP_KEY_ARG:
		if (o->nr_inputs == MAX_INPUTS)
			argp_error(state, "at most %d input files", MAX_INPUTS);
		o->inputs[o->nr_inputs++] = arg;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const char doc[] =
	"Turn perf profiles into folded stacks (one line per distinct stack,"
	" root first, with its weight), for flamesvg or flamegraph.pl.\n\n"
	"Reads perf.data (file or pipe format, as perf record -o - writes it) or "
	"perf script output, told apart by their first bytes, from FILEs, or "
	"stdin when none or '-' (./perf.data when stdin is a terminal).\n"
	"perf.data recorded with --call-graph dwarf is unwound here, through "
	"CPython's perf trampolines, so Python stacks reach their root even "
	"without frame pointers.\n"
	"\vEXAMPLES:\n"
	"  perf2folded perf.data > out.folded\n"
	"  perf record --call-graph dwarf,65528 -- python3.12 -X perf app.py\n"
	"  perf2folded --no-inline perf.data | flamesvg > out.svg\n"
	"  perf2folded --no-cache perf.data > out.folded   # nothing kept\n"
	"  perf2folded --force --perf-map-dir copied/ perf.data   # maps of another user\n"
	"  PERFFOLD_CACHE_DIR=/tmp/pfc perf2folded perf.data > out.folded\n"
	"  perf record -g -o - -- ./prog | perf2folded | flamesvg > out.svg\n"
	"  perf script | perf2folded > out.folded\n"
	"  perf script | perf2folded --kernel --pid | flamesvg > out.svg\n"
	"  perf2folded --event-filter=cycles --weight=samples script.txt\n"
	"  perf record -g -- python3.12 -X perf prog.py; perf2folded --python\n"
	"  " OFFCPU_RECORD "\n"
	"  perf2folded --wall --python perf.data | flamesvg --countname us\n"
	"  " OFFCPU_SCRIPT " | perf2folded --off-cpu\n\n"
	"Exit status: 0 ok, 1 some input was skipped (said on stderr) or no "
	"samples, 2 fatal error, 64 usage.";

int main(int argc, char **argv)
{
	static struct opts o;
	static char cwd[4096];
	struct argp argp = {options, parse_opt, "[FILE...]", doc, 0, 0, 0};

	argp_err_exit_status = EXIT_USAGE;
	argv[0] = (char *)prog;	/* messages say "perf2folded:", not a path */
	if (argp_parse(&argp, argc, argv, 0, NULL, &o))
		return EXIT_USAGE;
	if (getcwd(cwd, sizeof(cwd)))
		o.folder.names.cwd = cwd;	/* --python shows paths below it */
	return run(&o);
}
