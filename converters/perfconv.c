/* perfconv: the perf converters' shared front (see perfconv.h).
 *
 * Reads perf.data (file or pipe format; datafold) or `perf script` text
 * (scriptparse), told apart by their first bytes, into a folder, and words
 * what each input skipped (perfconv__report_data(), flamerun's too);
 * parses the options every converter takes; writes a profile (pprof,
 * speedscope) whole.
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
#include <time.h>
#include <unistd.h>

#include "datafold.h"
#include "diag.h"
#include "fcache.h"
#include "folder.h"
#include "mapguard.h"
#include "perfconv.h"
#include "perfdata.h"
#include "pprof.h"
#include "profile.h"
#include "scriptparse.h"
#include "speedscope.h"
#include "strutil.h"
#include "waitfold.h"

/* State of one run, shared by all inputs. */
struct run {
	const struct perfconv_opts *opts;
	struct folder *folder;
	struct profile *profile;	/* the folder's sink, or NULL */
	struct waitfold *wf;	/* --off-cpu, --wall on text */
	uint64_t nr_records;	/* text's records skipped (no wf) */
	bool is_partial;
};

void perfconv__emit(void *ctx, enum diag_level level, const char *msg)
{
	const struct perfconv_opts *o = ctx;

	if ((level == DIAG_INFO && !o->verbose) ||
	    (level == DIAG_WARN && o->quiet))
		return;
	fprintf(stderr, "%s: %s\n", o->prog, msg);
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
	} else if (s->is_record) {
		r->nr_records++;
		return 0;
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

static bool report_waits(const struct waitfold_stats *st, const char *at,
			 const struct perfconv_opts *o, const struct diag *d);

/* Parse one perf script text: a regular file is mapped and parsed in
 * place; anything else (a pipe) is read in blocks after the sniffed bytes. */
static int read_text(struct run *r, int fd, const char *name,
		     const char *head, size_t head_len, const struct diag *d)
{
	struct scriptparse *sp = scriptparse__new(d, name);
	const struct scriptparse_stats *stats;
	char at[PATH_MAX + 4];
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
	snprintf(at, sizeof(at), "'%s': ", name);
	if (!fstat(fd, &sb) && S_ISREG(sb.st_mode) && sb.st_size > 0) {
		void *map = mmap(NULL, (size_t)sb.st_size, PROT_READ,
				 MAP_PRIVATE, fd, 0);

		if (map == MAP_FAILED) {
			err = -errno;
			goto out;
		}
		/* cut while read: one line, not SIGBUS */
		mapguard__add(map, (size_t)sb.st_size, name);
		madvise(map, (size_t)sb.st_size, MADV_SEQUENTIAL);
		err = scriptparse__read_mapped(sp, map, (size_t)sb.st_size,
					       on_sample, r);
		mapguard__remove(map);
		munmap(map, (size_t)sb.st_size);
	} else {
		err = scriptparse__read_fd(sp, fd, head, head_len, on_sample, r);
	}
	if (!err && r->wf) {
		err = waitfold__finish(r->wf);
		if (!err && report_waits(waitfold__stats(r->wf), at, r->opts,
					 d))
			r->is_partial = true;
		if (!err)
			waitfold__report(waitfold__stats(r->wf), name, d);
	}
out:
	if (err < 0 && err != -ENOMEM)
		diag__emit(d, DIAG_ERROR, "cannot read '%s': %s", name,
			   strerror(-err));
	stats = scriptparse__stats(sp);
	if (stats->nr_bad_lines) {
		r->is_partial = true;
		diag__emit(d, DIAG_WARN, "'%s': skipped %llu unrecognized line%s",
			   name, (unsigned long long)stats->nr_bad_lines,
			   stats->nr_bad_lines == 1 ? "" : "s");
	}
	if (r->nr_records)
		diag__emit(d, DIAG_WARN, "'%s': skipped %llu perf record "
			   "line%s (PERF_RECORD_*: not samples; --off-cpu and "
			   "--wall read the switches)", name,
			   (unsigned long long)r->nr_records,
			   r->nr_records == 1 ? "" : "s");
	r->nr_records = 0;
	diag__emit(d, DIAG_INFO, "'%s': %llu lines", name,
		   (unsigned long long)stats->nr_lines);
	scriptparse__free(sp);
	waitfold__free(r->wf);
	r->wf = NULL;
	return err;
}

/* How the DWARF stacks ended: the ones cut short, by reason. */
static void report_unwind(const struct datafold_stats *st, const char *at,
			  const struct perfconv_advice *a,
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
		   "%s%llu DWARF stacks unwound (%llu CPython trampolines "
		   "stepped by their layout, %llu JIT frames by jitdump unwind "
		   "info, %llu frame-pointer steps); ended short: %s",
		   at, (unsigned long long)st->nr_unwound,
		   (unsigned long long)st->nr_trampoline_steps,
		   (unsigned long long)st->nr_jit_cfi_steps,
		   (unsigned long long)st->nr_fp_steps, len ? buf : "none");
	if (st->nr_grafted || st->nr_graft_unmatched)
		diag__emit(d, DIAG_INFO,
			   "%s%llu DWARF stacks deeper than the copied "
			   "stack completed from an earlier whole unwind of "
			   "their thread (grafted), %llu left cut; %llu grafts "
			   "checked by a later whole unwind, %llu disagreed",
			   at, (unsigned long long)st->nr_grafted,
			   (unsigned long long)st->nr_graft_unmatched,
			   (unsigned long long)st->nr_graft_checked,
			   (unsigned long long)st->nr_graft_disagreed);
	if (n[UNWIND_STACK_END])
		diag__emit(d, DIAG_WARN,
			   "%s%llu of %llu DWARF stacks outgrew the copied "
			   "stack and end in [unwind stopped: stack copy too "
			   "small]%s%s%s", at,
			   (unsigned long long)n[UNWIND_STACK_END],
			   (unsigned long long)st->nr_unwound,
			   a->stack ? " (" : "", a->stack ? a->stack : "",
			   a->stack ? ")" : "");
	if (n[UNWIND_ARCH])
		diag__emit(d, DIAG_WARN,
			   "%s%llu DWARF stacks hold registers of an "
			   "architecture or ABI other than x86-64's; their user "
			   "part was not unwound", at,
			   (unsigned long long)n[UNWIND_ARCH]);
	if (corrupt)
		diag__emit(d, DIAG_WARN,
			   "%s%llu DWARF stacks had corrupt registers or "
			   "stack data; their unwinding stopped there", at,
			   (unsigned long long)corrupt);
}

/* --off-cpu, --wall: what was counted, and what could not be. Returns
 * true when something was skipped. */
static bool report_waits(const struct waitfold_stats *st, const char *at,
			 const struct perfconv_opts *o, const struct diag *d)
{
	const struct offcpu_stats *oc = &st->offcpu;
	uint64_t off = 0;
	bool is_partial = false;
	int i;

	for (i = 0; i < OFFCPU_NR_WHY; i++)
		off += oc->ns[i];
	if (!st->nr_switches && !st->nr_undecoded) {
		diag__emit(d, DIAG_WARN,
			   "%sno sched:sched_switch samples, so no "
			   "off-CPU time; record with: " PERFCONV_OFFCPU_RECORD
			   " (as text: " PERFCONV_OFFCPU_SCRIPT ")", at);
		is_partial = true;
	}
	if (st->nr_no_time) {
		diag__emit(d, DIAG_WARN,
			   "%sskipped %llu samples without a time (as "
			   "text, print it: " PERFCONV_OFFCPU_SCRIPT ")",
			   at, (unsigned long long)st->nr_no_time);
		is_partial = true;
	}
	if (st->nr_sampled_switches)
		diag__emit(d, DIAG_WARN,
			   "%s%llu of %llu sched_switch samples stand for "
			   "several switches (a period above 1: -F or -c applied "
			   "to them), so off-CPU time is missing; record without "
			   "-F or -c (rate cpu-clock alone: cpu-clock/freq=999/)",
			   at, (unsigned long long)st->nr_sampled_switches,
			   (unsigned long long)st->nr_switches);
	if (st->nr_undecoded) {
		diag__emit(d, DIAG_WARN,
			   "%sskipped %llu sched_switch samples whose "
			   "fields could not be read (raw data shorter than "
			   "their format, or text with no valid prev_pid, "
			   "prev_state or next_pid)", at,
			   (unsigned long long)st->nr_undecoded);
		is_partial = true;
	}
	if (st->nr_unknown_events) {
		diag__emit(d, DIAG_WARN,
			   "%sskipped %llu tracepoint samples of events "
			   "with no format in the tracing data", at,
			   (unsigned long long)st->nr_unknown_events);
		is_partial = true;
	}
	if (o->clock == DATAFOLD_WALL && st->nr_not_time)
		diag__emit(d, DIAG_WARN,
			   "%sskipped %llu samples of events whose periods "
			   "are not time (--wall counts cpu-clock and "
			   "task-clock samples)", at,
			   (unsigned long long)st->nr_not_time);
	diag__emit(d, DIAG_INFO,
		   "%s%llu switch-outs, %llu off-CPU intervals closed, "
		   "%.6f s off the CPU (sleep %.6f, uninterruptible %.6f, "
		   "runnable %.6f, other %.6f)%s%.6f s on it",
		   at, (unsigned long long)st->nr_switches,
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
			   "%s%llu off-CPU intervals still open at the end "
			   "(counted up to the last record), %llu ended by "
			   "their thread's exit (not counted), %llu with no "
			   "switch-in before the next switch-out and %llu "
			   "ending before they began (not counted)",
			   at, (unsigned long long)oc->nr_open_at_end,
			   (unsigned long long)oc->nr_exited,
			   (unsigned long long)oc->nr_missed_in,
			   (unsigned long long)oc->nr_backwards);
	return is_partial;
}

bool perfconv__report_data(const struct datafold_stats *st, bool is_cut,
			   const char *name, const struct perfconv_opts *o,
			   const struct perfconv_advice *a,
			   const struct diag *d)
{
	char at[PATH_MAX + 4] = "";
	/* LOST_SAMPLES counts samples; LOST counts records of any kind, most
	 * of them samples: the count when perf wrote no LOST_SAMPLES */
	uint64_t lost = st->nr_lost_samples ? st->nr_lost_samples : st->nr_lost;
	char records[64] = "";

	if (name)
		snprintf(at, sizeof(at), "'%s': ", name);

	if (st->nr_lost && st->nr_lost_samples)
		snprintf(records, sizeof(records), ", %llu records in all",
			 (unsigned long long)st->nr_lost);
	if (lost)
		diag__emit(d, DIAG_WARN,
			   "%sperf lost %llu samples (%.3g%% of %llu) while "
			   "recording%s (try %s)", at,
			   (unsigned long long)lost,
			   100.0 * (double)lost / (double)(st->nr_samples + lost),
			   (unsigned long long)(st->nr_samples + lost), records,
			   a->lost);
	if (st->nr_bad_records)
		diag__emit(d, DIAG_WARN, "%sskipped %llu malformed records",
			   at, (unsigned long long)st->nr_bad_records);
	if (st->kallsyms_restricted)
		diag__emit(d, DIAG_WARN,
			   "kernel addresses are hidden here "
			   "(kernel.kptr_restrict): kernel frames are [unknown]");
	if (st->nr_unwound)
		report_unwind(st, at, a, d);
	diag__emit(d, DIAG_INFO,
		   "%s%llu samples, %llu frames (%llu without a symbol), "
		   "%llu records of unknown types skipped",
		   at, (unsigned long long)st->nr_samples,
		   (unsigned long long)st->nr_frames,
		   (unsigned long long)st->nr_unknown_frames,
		   (unsigned long long)st->nr_unknown_records);
	/* (only of a whole read: a read cut short counted part of them) */
	return (!is_cut && o->clock != DATAFOLD_CPU &&
		report_waits(&st->waits, at, o, d)) || st->nr_bad_records;
}

struct progress {
	const char *prog;
	const char *name;
	uint64_t size;	/* 0 for a pipe */
};

/* --progress: one line on stderr, rewritten in place. */
static void show_progress(void *ctx, uint64_t bytes)
{
	const struct progress *p = ctx;
	const char *prog = p->prog;

	if (p->size)
		fprintf(stderr, "\r%s: %s: %3d%% (%llu of %llu MB)", prog,
			p->name, (int)(bytes * 100 / p->size),
			(unsigned long long)(bytes >> 20),
			(unsigned long long)(p->size >> 20));
	else
		fprintf(stderr, "\r%s: %s: %llu MB", prog, p->name,
			(unsigned long long)(bytes >> 20));
}

void perfconv__build_ids(struct profile *p, const struct perfdata *pd)
{
	uint32_t i;

	for (i = 0; i < perfdata__nr_build_ids(pd); i++) {
		const struct perfdata_build_id *b = perfdata__build_id(pd, i);

		if (b->filename)
			profile__set_build_id(p, b->filename, b->build_id,
					      b->size);
	}
	profile__read_build_ids(p);
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
	static const struct perfconv_advice advice = {
		.lost = "a lower -F or a larger -m",
		.stack = "record with --call-graph dwarf,65528",
	};
	struct progress progress = {r->opts->prog, name, 0};
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
	if (r->profile)
		perfconv__build_ids(r->profile, pd);
	if (dopts.progress && st.nr_samples > 0xffff)
		fputs("\n", stderr);
	if (perfconv__report_data(&st, err != 0, name, r->opts, &advice, d))
		r->is_partial = true;
	ps = perfdata__stats(pd);
	if (ps->pipe_size)	/* a full pipe would have made perf wait */
		diag__emit(d, DIAG_INFO, "'%s': %.1f MB through a pipe of %llu "
			   "KB, at most %llu KB of it unread when read", name,
			   ps->data_bytes / 1048576.0,
			   (unsigned long long)ps->pipe_size >> 10,
			   (unsigned long long)ps->pipe_max_queued >> 10);
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

void perfconv__report(const struct folder_stats *st,
		      const struct perfconv_opts *o, const struct diag *d)
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

enum {
	OPT_KERNEL = 256, OPT_JIT, OPT_ALL, OPT_ADDRS,
	OPT_EVENT, OPT_WEIGHT, OPT_INLINE, OPT_MAP_DIR, OPT_PYTHON, OPT_THREADS,
	OPT_PROGRESS, OPT_NO_INLINE, OPT_NO_CACHE, OPT_OFF_CPU, OPT_WALL,
};

static const struct argp_option conv_options[] = {
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
	{"quiet", 'q', NULL, 0, "Say only errors, not what was skipped (the "
	 "exit status still says it)", 3},
	{"progress", OPT_PROGRESS, NULL, 0,
	 "Show progress on stderr while reading perf.data (on a terminal)", 3},
	{0},
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct perfconv_opts *o = state->input;

	switch (key) {
	case 'o': o->output = arg; break;
	case OPT_MAP_DIR: o->perf_map_dir = arg; break;
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
	case 'q': o->quiet = true; break;
	case OPT_PROGRESS: o->progress = true; break;
	case 'i':
	case ARGP_KEY_ARG:
		if (o->nr_inputs == PERFCONV_MAX_INPUTS)
			argp_error(state, "at most %d input files", PERFCONV_MAX_INPUTS);
		o->inputs[o->nr_inputs++] = arg;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}


const struct argp perfconv__argp = {conv_options, parse_opt, NULL, NULL,
				    NULL, NULL, NULL};

/* The parser of a converter with no options of its own: it hands its
 * input, the struct perfconv_opts, to perfconv__argp. */
static error_t parse_only(int key, char *arg, struct argp_state *state)
{
	(void)arg;
	if (key != ARGP_KEY_INIT)
		return ARGP_ERR_UNKNOWN;
	state->child_inputs[0] = state->input;
	return 0;
}

void perfconv__parse(const struct argp *argp, int argc, char **argv,
		     struct perfconv_opts *o)
{
	static char cwd[4096];

	argp_err_exit_status = PERFCONV_EXIT_USAGE;
	argv[0] = (char *)o->prog;	/* messages say "PROG:", not a path */
	if (argp_parse(argp, argc, argv, 0, NULL, o))
		exit(PERFCONV_EXIT_USAGE);
	if (getcwd(cwd, sizeof(cwd)))
		o->folder.names.cwd = cwd;	/* --python shows paths below it */
}

int perfconv__read(const struct perfconv_opts *o, struct folder *f,
		   struct profile *p, const struct diag *d, bool *is_partial)
{
	struct run r = {.opts = o, .folder = f, .profile = p};
	/* No file: stdin, unless it is a terminal; then ./perf.data, as perf */
	static const char *const from_stdin[] = {"-"}, *const local[] = {
		"perf.data"};
	const char *const *inputs = o->nr_inputs   ? o->inputs
				    : isatty(0) ? local
						: from_stdin;
	int nr_inputs = o->nr_inputs ? o->nr_inputs : 1;
	int i, err = 0;

	for (i = 0; i < nr_inputs && !err; i++) {
		err = read_input(&r, inputs[i], d);
		if (err == -ENOMEM)
			diag__emit(d, DIAG_ERROR, "out of memory");
	}
	*is_partial = r.is_partial;
	return err;
}

int perfconv__status(const struct folder_stats *st, bool is_partial,
		     const struct diag *d)
{
	if (!st->nr_accepted) {
		diag__emit(d, DIAG_WARN, "no samples%s%s%s",
			   st->nr_read ? " of event '" : "",
			   st->nr_read ? st->event : "", st->nr_read ? "'" : "");
		return PERFCONV_EXIT_PARTIAL;
	}
	return is_partial ? PERFCONV_EXIT_PARTIAL : EXIT_SUCCESS;
}

FILE *perfconv__create(const struct perfconv_opts *o, const struct diag *d,
		       char **tmp)
{
	FILE *out;
	int fd;

	*tmp = NULL;
	if (!o->output)
		return stdout;
	if (asprintf(tmp, "%s.tmpXXXXXX", o->output) < 0) {
		*tmp = NULL;
		diag__emit(d, DIAG_ERROR, "out of memory");
		return NULL;
	}
	fd = mkostemp(*tmp, O_CLOEXEC);
	out = fd < 0 ? NULL : fdopen(fd, "w");
	if (!out) {
		diag__emit(d, DIAG_ERROR, "cannot write '%s': %s", o->output,
			   strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(*tmp);
		}
		free(*tmp);
		*tmp = NULL;
	}
	return out;
}

/* The process's umask, which only setting it tells. */
static mode_t umask_now(void)
{
	mode_t m = umask(022);

	umask(m);
	return m;
}

int perfconv__commit(const struct perfconv_opts *o, FILE *out, char *tmp,
		     bool ok, const struct diag *d)
{
	const char *name = o->output ? o->output : "<stdout>";
	int err = 0;

	if (!ok) {
		diag__emit(d, DIAG_ERROR, "cannot write '%s': %s", name,
			   strerror(errno));
		err = -1;
	}
	if (tmp) {
		/* a temporary file is readable by all, as fopen() makes one */
		fchmod(fileno(out), 0666 & ~umask_now());
		if (fclose(out) && !err) {
			diag__emit(d, DIAG_ERROR, "cannot write '%s': %s", name,
				   strerror(errno));
			err = -1;
		}
		if (!err && rename(tmp, o->output)) {
			diag__emit(d, DIAG_ERROR, "cannot rename '%s' to '%s': %s",
				   tmp, o->output, strerror(errno));
			err = -1;
		}
		if (err)
			unlink(tmp);
		free(tmp);
	} else if (fflush(out) && !err) {
		diag__emit(d, DIAG_ERROR, "cannot write '%s': %s", name,
			   strerror(errno));
		err = -1;
	}
	return err;
}

static bool has_prefix(const char *s, const char *p)
{
	return s && strutil__has_prefix(s, p);
}

void perfconv__weight_type(const struct perfconv_opts *o,
			   const struct folder_stats *st, const char **type,
			   const char **unit)
{
	*unit = "count";
	if (o->clock != DATAFOLD_CPU) {
		*type = o->clock == DATAFOLD_WALL ? "wall" : "off_cpu";
		*unit = "microseconds";
	} else if (o->folder.weight_samples) {
		*type = "samples";
	} else if (has_prefix(st->event, "cpu-clock") ||
		   has_prefix(st->event, "task-clock")) {
		/* their periods are nanoseconds */
		*type = "cpu";
		*unit = "nanoseconds";
	} else {
		*type = st->event ? st->event : "events";
	}
}

int perfconv__write_profile(const struct perfconv_opts *o,
			    const struct folder_stats *st,
			    const struct profile *p, const struct intern *names,
			    perfconv_write_fn *write, const struct diag *d)
{
	char *tmp;
	FILE *out = perfconv__create(o, d, &tmp);
	int err;

	if (!out)
		return -1;
	err = write(o, st, p, names, out);
	if (err == -ENOMEM)
		errno = ENOMEM;
	return perfconv__commit(o, out, tmp, !err, d);
}

/* When the recording began, in ns since the epoch: perf's sample times
 * are its own clock, not the wall clock, so it is taken as the end of
 * the recording (the input file's last change; for a pipe, now) less
 * its duration. */
static uint64_t start_time(const struct perfconv_opts *o,
			   const struct profile *p)
{
	uint64_t first, last, end;
	struct stat sb;

	profile__time_range(p, &first, &last);
	if (o->nr_inputs && stat(o->inputs[0], &sb) == 0 &&
	    S_ISREG(sb.st_mode))
		end = (uint64_t)sb.st_mtim.tv_sec * 1000000000u +
		      (uint64_t)sb.st_mtim.tv_nsec;
	else
		end = (uint64_t)time(NULL) * 1000000000u;
	return end - (last - first);
}

int perfconv__write_pprof(const struct perfconv_opts *o,
			  const struct folder_stats *st,
			  const struct profile *p, const struct intern *names,
			  FILE *out)
{
	struct pprof_opts po = {.time_nanos = start_time(o, p)};

	perfconv__weight_type(o, st, &po.type, &po.unit);
	return pprof__write(p, names, &po, out);
}

int perfconv__write_speedscope(const struct perfconv_opts *o,
			       const struct folder_stats *st,
			       const struct profile *p,
			       const struct intern *names, FILE *out)
{
	struct speedscope_opts so = {
		.name = o->name ? o->name
			: o->nr_inputs && strcmp(o->inputs[0], "-")
				? o->inputs[0]
			: o->nr_inputs || !isatty(0) ? "<stdin>"
						     : "perf.data",
		.exporter = "perf2speedscope (perffold)",
	};
	const char *type;

	perfconv__weight_type(o, st, &type, &so.unit);
	if (!strcmp(so.unit, "count"))
		so.unit = "none";	/* speedscope's word for counts */
	return speedscope__write(p, names, &so, out);
}

int perfconv__run_profile(const struct perfconv_opts *o, bool keep_order,
			  bool is_binary, perfconv_write_fn *write)
{
	struct diag d = {perfconv__emit, (void *)o};
	struct profile *p = profile__new(keep_order);
	struct folder_sink sink;
	struct folder_stats st;
	struct folder *f = NULL;
	int status = PERFCONV_EXIT_FATAL;
	bool is_partial;

	if (is_binary && !o->output && isatty(1)) {
		diag__emit(&d, DIAG_ERROR, "not writing a binary profile to a "
			   "terminal: give -o FILE or redirect stdout");
		return PERFCONV_EXIT_USAGE;
	}
	if (p) {
		profile__sink(p, &sink);
		f = folder__new_sink(&o->folder, &sink);
	}
	if (!f) {
		diag__emit(&d, DIAG_ERROR, "out of memory");
		goto cleanup;
	}
	if (perfconv__read(o, f, p, &d, &is_partial))
		goto cleanup;
	if (profile__finish(p)) {
		diag__emit(&d, DIAG_ERROR, "out of memory");
		goto cleanup;
	}
	folder__stats(f, &st);
	perfconv__report(&st, o, &d);
	if (perfconv__write_profile(o, &st, p, folder__names(f), write, &d))
		goto cleanup;
	status = perfconv__status(&st, is_partial, &d);
cleanup:
	folder__free(f);
	profile__free(p);
	return status;
}

int perfconv__profile_main(int argc, char **argv, const char *prog,
			   const char *doc, bool keep_order, bool is_binary,
			   perfconv_write_fn *write)
{
	static struct perfconv_opts o;
	static const struct argp_child children[] = {
		{&perfconv__argp, 0, NULL, 0},
		{0},
	};
	struct argp argp = {NULL, parse_only, "[FILE...]", doc, children, 0,
			    0};

	o.prog = prog;
	perfconv__parse(&argp, argc, argv, &o);
	return perfconv__run_profile(&o, keep_order, is_binary, write);
}
