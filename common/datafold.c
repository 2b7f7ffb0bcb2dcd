/* datafold: perf.data records -> the stages -> folder (see datafold.h).
 *
 * Each record goes where it belongs: MMAP, COMM and FORK to the session
 * (and jitdump MMAPs, FORK and exec to the symcache's JIT registry), the kernel's
 * relocation and build id to the symcache; each SAMPLE is begun in the
 * folder, its callchain addresses named by symbolize, and the user stack
 * of a --call-graph dwarf sample walked by unwind (a walk cut at the
 * stack copy's end completed by graft) and then named.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datafold.h"
#include "folder.h"
#include "graft.h"
#include "perfdata.h"
#include "session.h"
#include "strutil.h"
#include "symbolize.h"
#include "symcache.h"
#include "tracepoint.h"
#include "unwind.h"
#include "waitfold.h"

struct datafold {
	struct perfdata *pd;
	struct folder *folder;
	const struct datafold_opts *opts;
	struct datafold_stats *st;
	struct session *session;
	struct symcache *syms;
	struct symbolize *names;
	struct unwind *unwind;
	struct graft *graft;		/* cut walks completed per thread */
	struct unwind_frame *uframes;	/* UNWIND_MAX_FRAMES, reused */
	size_t nr_uframes;		/* of the sample being folded */
	enum unwind_stop uwhy;
	bool is_unwound;		/* uframes hold this sample's walk */
	bool arch_checked, is_other_arch;
	/* --off-cpu, --wall: unused (NULL) in DATAFOLD_CPU */
	const struct diag *diag;
	struct waitfold *wf;
	struct tracepoint *tp;
	bool is_tp_loaded;		/* tried: tp is the result */
	bool has_switch;
	uint64_t switch_id;		/* sched:sched_switch's attr config */
	const struct tracepoint_field *prev_pid, *prev_state, *next_pid;
	uint64_t nr_warned;
};

static int end_sample(struct datafold *df)
{
	symbolize__end(df->names);
	if (df->wf)
		return waitfold__end(df->wf);
	return folder__end(df->folder);
}

/* ---- DWARF samples ---- */

/* The recording's machine (perf's ARCH feature, uname -m) is x86-64, or
 * did not say. */
static bool is_x86_64(struct datafold *df)
{
	if (!df->arch_checked) {
		const char *arch = perfdata__feature_string(df->pd,
							    PERFDATA_FEAT_ARCH);

		df->is_other_arch = arch && strcmp(arch, "x86_64");
		df->arch_checked = true;
	}
	return !df->is_other_arch;
}

static bool is_dwarf_sample(const struct perfdata_sample *s)
{
	return (s->sample_type & PERF_SAMPLE_REGS_USER) &&
	       (s->sample_type & PERF_SAMPLE_STACK_USER) &&
	       s->regs_user_abi && s->nr_regs_user;
}

static int new_unwind(struct datafold *df)
{
	df->unwind = unwind__new(df->session, df->syms);
	df->graft = graft__new();
	df->uframes = malloc(UNWIND_MAX_FRAMES * sizeof(*df->uframes));
	return df->unwind && df->graft && df->uframes ? 0 : -ENOMEM;
}

/* Unwind the user stack of DWARF sample s into df->uframes, once per
 * sample: the warm-up below may have done it already. */
static int unwind_user(struct datafold *df, const struct perfdata_sample *s)
{
	const struct perf_event_attr *attr =
		perfdata__attr(df->pd, s->sid.attr_idx);

	if (df->is_unwound)
		return 0;
	if (!df->unwind && new_unwind(df) < 0)
		return -ENOMEM;
	if (!is_x86_64(df) || s->regs_user_abi != PERF_SAMPLE_REGS_ABI_64) {
		df->nr_uframes = 0;	/* unwind knows x86-64's registers only */
		df->uwhy = UNWIND_ARCH;
	} else {
		df->nr_uframes = unwind__stack(
		    df->unwind, (int32_t)s->sid.pid, s->regs_user,
		    s->nr_regs_user, attr->sample_regs_user, s->stack_user,
		    s->stack_user_dyn_size, df->uframes, UNWIND_MAX_FRAMES,
		    &df->uwhy);
		/* deeper than the copy: the rest from the thread's last
		 * whole walk, where it provably matches */
		graft__walk(df->graft, (int32_t)s->sid.tid, df->uframes,
			    &df->nr_uframes, UNWIND_MAX_FRAMES, &df->uwhy);
	}
	df->is_unwound = true;
	return 0;
}

/* The address to name for unwound frame f: a return address is looked
 * up at the call, as perf does. */
static uint64_t uframe_ip(const struct unwind_frame *f)
{
	return f->is_activation ? f->pc : f->pc - 1;
}

/* The user part of a DWARF sample, leaf first, then a frame saying why the
 * walk stopped, unless it reached the outermost frame. */
static int add_unwound(struct datafold *df, const struct perfdata_sample *s)
{
	enum unwind_stop why;
	size_t nr, i;
	int n = unwind_user(df, s);

	if (n < 0)
		return n;
	df->is_unwound = false;
	nr = df->nr_uframes;
	why = df->uwhy;
	df->st->nr_unwound++;
	df->st->nr_unwind_stops[why]++;
	for (i = 0; i < nr; i++) {
		n = symbolize__add(df->names, false, !df->opts->no_inline,
				   uframe_ip(&df->uframes[i]));
		if (n < 0)
			return n;
	}
	df->st->nr_frames += nr;
	if (why != UNWIND_END)
		return symbolize__add_stop(df->names, unwind__stop_str(why));
	return 0;
}

/* While kernel symbols still load on the other core, the first samples
 * name their user frames first (loading those DSOs' symbols, unwinding),
 * so the kernel frames that come first in a callchain wait the least.
 * Names land in the cache; the frames are added in order after. */
static int warm_user_frames(struct datafold *df,
			    const struct perfdata_sample *s, bool is_dwarf)
{
	int32_t pid = (int32_t)s->sid.pid;
	bool is_user = false;
	const uint32_t *ids;
	uint64_t i;
	int n;

	if (is_dwarf) {
		n = unwind_user(df, s);
		for (i = 0; n >= 0 && i < df->nr_uframes; i++) {
			uint64_t ip = uframe_ip(&df->uframes[i]);

			if (symbolize__map(df->names, pid, ip))
				n = symbolize__frame(df->names, pid, false,
						     !df->opts->no_inline, ip,
						     &ids);
		}
		return n < 0 ? n : 0;
	}
	for (i = 0; i < s->nr_callchain; i++) {
		uint64_t ip = s->callchain[i];

		if (ip >= PERF_CONTEXT_MAX) {
			is_user = ip == PERF_CONTEXT_USER;
			continue;
		}
		/* unmapped addresses are not cached: named once, in order */
		if (is_user && symbolize__map(df->names, pid, ip) &&
		    (n = symbolize__frame(df->names, pid, false, false, ip,
					  &ids)) < 0)
			return n;
	}
	return 0;
}

/* ---- off-CPU and wall-clock time (--off-cpu, --wall) ---- */

/* The recording's tracepoint formats, parsed once; false without them
 * (said once: every other sample is still folded). */
static bool load_tracepoints(struct datafold *df)
{
	const void *data;
	size_t len;

	if (df->is_tp_loaded)
		return df->tp;
	df->is_tp_loaded = true;
	data = perfdata__tracing_data(df->pd, &len);
	if (!data)
		diag__emit(df->diag, DIAG_WARN,
			   "'%s': no tracing data: tracepoint samples cannot "
			   "be decoded, so there is no off-CPU time",
			   perfdata__name(df->pd));
	else
		df->tp = tracepoint__new(data, len, perfdata__name(df->pd),
					 df->diag);
	return df->tp;
}

/* Is id sched:sched_switch with the fields read below? */
static bool is_switch(struct datafold *df, uint64_t id)
{
	if (df->has_switch)
		return id == df->switch_id;
	if (!tracepoint__is(df->tp, id, "sched", "sched_switch"))
		return false;
	df->prev_pid = tracepoint__field(df->tp, id, "prev_pid");
	df->prev_state = tracepoint__field(df->tp, id, "prev_state");
	df->next_pid = tracepoint__field(df->tp, id, "next_pid");
	if (!df->prev_pid || !df->prev_state || !df->next_pid) {
		diag__emit(df->diag, DIAG_WARN,
			   "'%s': sched:sched_switch's format has no "
			   "prev_pid, prev_state or next_pid",
			   perfdata__name(df->pd));
		return false;
	}
	df->switch_id = id;
	df->has_switch = true;
	return true;
}

static uint32_t sample_cpu(const struct perfdata_sample *s)
{
	return s->sid.has_cpu ? s->sid.cpu : WAITFOLD_NO_CPU;
}

/* A sched_switch sample: the thread next runs, prev leaves with the
 * sample's stack (1: fold it). */
static int switch_sample(struct datafold *df, const struct perfdata_sample *s)
{
	int64_t prev, state, next;

	if (!s->raw || tracepoint__read_int(df->prev_pid, s->raw, s->raw_size,
					    &prev) ||
	    tracepoint__read_int(df->prev_state, s->raw, s->raw_size,
				 &state) ||
	    tracepoint__read_int(df->next_pid, s->raw, s->raw_size, &next)) {
		diag__limited(df->diag, &df->nr_warned, 5,
			      "'%s': sched_switch sample at time %llu: raw "
			      "data of %u bytes, shorter than its format; "
			      "skipped",
			      perfdata__name(df->pd),
			      (unsigned long long)s->sid.time, s->raw_size);
		waitfold__skip(df->wf, WAITFOLD_UNDECODED);
		return 0;
	}
	return waitfold__switch(df->wf, s->sid.time, s->period, sample_cpu(s),
				prev, state, next);
}

/* Whether sample s is folded in the clock asked for: 1 with *weight (a
 * CPU sample, microseconds) or as a switch-out, 0 when it is not, or a
 * negative errno. */
static int wait_sample(struct datafold *df, const struct perfdata_sample *s,
		       uint64_t *weight)
{
	const struct perf_event_attr *attr =
		perfdata__attr(df->pd, s->sid.attr_idx);
	int32_t tid = (int32_t)s->sid.tid;
	int n;

	if (!(s->sample_type & PERF_SAMPLE_TIME)) {
		waitfold__skip(df->wf, WAITFOLD_NO_TIME);
		return 0;
	}
	/* a thread with a sample is running: it is off the CPU no more
	 * (its switch-in, if any, came first) */
	if ((n = waitfold__seen(df->wf, tid, sample_cpu(s), s->sid.time)) < 0)
		return n;
	if (attr->type == PERF_TYPE_TRACEPOINT) {
		if (!load_tracepoints(df))
			return 0;
		if (is_switch(df, attr->config))
			return switch_sample(df, s);
		if (!tracepoint__field(df->tp, attr->config, "common_type"))
			waitfold__skip(df->wf, WAITFOLD_UNKNOWN_EVENT);
		return 0;
	}
	if (df->opts->clock == DATAFOLD_OFFCPU)
		return 0;
	if (attr->type != PERF_TYPE_SOFTWARE ||
	    (attr->config != PERF_COUNT_SW_CPU_CLOCK &&
	     attr->config != PERF_COUNT_SW_TASK_CLOCK)) {
		waitfold__skip(df->wf, WAITFOLD_NOT_TIME);
		return 0;
	}
	return waitfold__cpu(df->wf, tid, s->period, weight);
}

/* THREAD_MAP {hdr; u64 nr; {u64 pid; char comm[16]}[nr]} of one pid -1:
 * perf's dummy map, events opened on whole CPUs for every task (-a, -C;
 * perf 6.1 writes the map before the first sample) */
static bool is_cpu_wide_map(const struct perf_event_header *h)
{
	const uint8_t *rec = (const uint8_t *)h;
	uint64_t nr, pid;

	if (h->size < 16 + 24)
		return false;
	memcpy(&nr, rec + 8, 8);
	memcpy(&pid, rec + 16, 8);
	return nr == 1 && pid == UINT64_MAX;
}

/* PERF_RECORD_SWITCH in: the thread runs again. */
static int on_other(void *ctx, const struct perf_event_header *h,
		    const struct perfdata_sample_id *sid)
{
	struct datafold *df = ctx;

	if (df->wf && h->type == PERFDATA_RECORD_THREAD_MAP &&
	    is_cpu_wide_map(h))
		waitfold__cpu_wide(df->wf);
	if (!df->wf || !sid || !sid->has_tid || !sid->has_time ||
	    (h->type != PERF_RECORD_SWITCH &&
	     h->type != PERF_RECORD_SWITCH_CPU_WIDE))
		return 0;
	waitfold__time(df->wf, sid->time);
	if (h->misc & PERF_RECORD_MISC_SWITCH_OUT)
		return 0;
	return waitfold__runs(df->wf, (int32_t)sid->tid, sid->time);
}

/* ---- records ---- */

static int on_sample(void *ctx, const struct perfdata_sample *s)
{
	struct datafold *df = ctx;
	const struct session_thread *t;
	uint16_t cpumode = s->misc & PERF_RECORD_MISC_CPUMODE_MASK;
	bool is_kernel = cpumode == PERF_RECORD_MISC_KERNEL ||
			 cpumode == PERF_RECORD_MISC_GUEST_KERNEL;
	struct folder_who who = {.is_nr = true};
	struct slice event;
	uint64_t weight = s->period;
	bool has_period = s->sample_type & PERF_SAMPLE_PERIOD;
	bool is_dwarf;
	int64_t nr;
	int n;

	if (!(++df->st->nr_samples & 0xffff) && df->opts->progress)
		df->opts->progress(df->opts->progress_ctx,
				   perfdata__stats(df->pd)->data_bytes);
	t = session__thread(df->session, (int32_t)s->sid.pid,
			    (int32_t)s->sid.tid);
	if (!t)
		return -ENOMEM;
	who.comm = (struct slice){t->comm, t->comm_len};
	who.pid_nr = (int32_t)s->sid.pid;
	who.tid_nr = (int32_t)s->sid.tid;
	if (s->sample_type & PERF_SAMPLE_TIME)
		who.time = s->sid.time;
	event.s = perfdata__attr_name(df->pd, s->sid.attr_idx);
	event.len = perfdata__attr_name_len(df->pd, s->sid.attr_idx);
	if (df->wf) {
		/* off-CPU and wall time: events chosen by what they are */
		n = wait_sample(df, s, &weight);
		if (n <= 0)
			return n;
		event.len = 0;
		has_period = true;
	}
	if (!folder__begin(df->folder, &who, event, weight, has_period))
		return 0;
	symbolize__begin(df->names, (int32_t)s->sid.pid);
	df->is_unwound = false;
	if (!(s->sample_type & PERF_SAMPLE_CALLCHAIN)) {
		n = symbolize__add(df->names, is_kernel, false, s->ip);
		if (n < 0)
			return n;
		df->st->nr_frames++;
		return end_sample(df);
	}
	is_dwarf = is_dwarf_sample(s);
	if (symcache__is_loading_kallsyms(df->syms) &&
	    (n = warm_user_frames(df, s, is_dwarf)) < 0)
		return n;
	nr = symbolize__add_callchain(df->names, s->callchain, s->nr_callchain,
				      is_kernel, is_dwarf);
	if (nr < 0)
		return (int)nr;
	df->st->nr_frames += (uint64_t)nr;
	if (is_dwarf && (n = add_unwound(df, s)) < 0)
		return n;
	return end_sample(df);
}

/* jit-PID.dump, as CPython's -X perf_jit maps it to mark the process */
static bool is_jitdump_name(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	return strutil__has_prefix(base, "jit-") && n > 9 &&
	       !strcmp(base + n - 5, ".dump");
}

static int on_mmap(void *ctx, const struct perfdata_mmap *m)
{
	struct datafold *df = ctx;

	symbolize__forget_maps(df->names);	/* the address space changes */
	if (m->misc & PERF_RECORD_MISC_MMAP_DATA)
		return 0;	/* data, not code */
	if ((int32_t)m->pid == -1) {
		/* the kernel's, named through kallsyms; perf relocates those
		 * by "[kernel.kallsyms]_text" (or _stext) and its pgoff, the
		 * symbol's address at record time (0 when hidden) */
		if ((m->misc & PERF_RECORD_MISC_CPUMODE_MASK) ==
			    PERF_RECORD_MISC_KERNEL &&
		    strutil__has_prefix(m->filename, "[kernel.kallsyms]") &&
		    m->filename[17] && m->pgoff)
			symcache__set_kernel_ref(df->syms, m->filename + 17,
						 m->pgoff);
		return 0;
	}
	if (is_jitdump_name(m->filename))
		return symcache__add_jitdump(df->syms, (int32_t)m->pid,
					     m->filename);
	return session__mmap(df->session, (int32_t)m->pid, m->start, m->len,
			     m->pgoff, m->filename,
			     m->has_build_id ? m->build_id : NULL,
			     m->has_build_id ? m->build_id_size : 0);
}

static int on_comm(void *ctx, const struct perfdata_comm *c)
{
	struct datafold *df = ctx;

	if (c->is_exec) {
		symcache__exec(df->syms, (int32_t)c->pid);
		if (df->graft)
			graft__forget(df->graft, (int32_t)c->tid);
	}
	return session__comm(df->session, (int32_t)c->pid, (int32_t)c->tid,
			     c->comm);
}

static int on_fork(void *ctx, const struct perfdata_task *t)
{
	struct datafold *df = ctx;
	int err;

	symbolize__forget_maps(df->names);
	if (df->graft)		/* a new thread: nothing of its stack known */
		graft__forget(df->graft, (int32_t)t->tid);
	/* a forked process runs the JIT code it inherited, which only its
	 * ancestors' perf maps and jitdumps list */
	err = symcache__fork(df->syms, (int32_t)t->pid, (int32_t)t->ppid);
	if (err < 0)
		return err;
	return session__fork(df->session, (int32_t)t->pid, (int32_t)t->ppid,
			     (int32_t)t->tid, (int32_t)t->ptid);
}

/* EXIT: the thread's stack is gone, and what graft kept of it; a wait it
 * began is over (it counts nothing) */
static int on_exit_task(void *ctx, const struct perfdata_task *t)
{
	struct datafold *df = ctx;

	if (df->graft)
		graft__forget(df->graft, (int32_t)t->tid);
	if (df->wf)
		waitfold__exit(df->wf, (int32_t)t->tid);
	return 0;
}

static int on_lost(void *ctx, const struct perfdata_lost *l)
{
	struct datafold *df = ctx;

	if (l->is_lost_samples)
		df->st->nr_lost_samples += l->lost;
	else
		df->st->nr_lost += l->lost;
	return 0;
}

/* A DWARF recording whose inline frames are wanted: every DSO with
 * samples (perf's build id list) will need its debuginfo; start opening
 * each on a thread now (libc's takes 15 ms to inflate), beside reading
 * kernel and user symbols, rather than when its first frame comes. */
static int prefetch_dwarf(struct datafold *df, struct perfdata *pd)
{
	const char *arch = perfdata__feature_string(pd, PERFDATA_FEAT_ARCH);
	uint32_t i;

	/* (not is_x86_64(): a pipe's features may come after this) */
	if (!perfdata__has_stack_copies(pd) || df->opts->no_inline ||
	    (arch && strcmp(arch, "x86_64")))
		return 0;
	for (i = 0; i < perfdata__nr_build_ids(pd); i++) {
		const struct perfdata_build_id *b = perfdata__build_id(pd, i);
		char *file;

		if (b->cpumode != PERF_RECORD_MISC_USER || !b->filename)
			continue;
		file = symcache__dso_symbol_file(df->syms, b->filename,
						 b->build_id, b->size);
		if (file)
			symcache__prefetch_dwarf(df->syms, file);
		free(file);
	}
	return 0;
}

/* Before the first record: when any event samples the kernel, start
 * loading kallsyms on the other core, from the file perf would use for
 * the recorded kernel's build id. */
static int on_ready(void *ctx, struct perfdata *pd)
{
	struct datafold *df = ctx;
	uint32_t i;

	for (i = 0; i < perfdata__nr_build_ids(pd); i++) {
		const struct perfdata_build_id *b = perfdata__build_id(pd, i);

		if (b->cpumode == PERF_RECORD_MISC_KERNEL && b->filename &&
		    !strcmp(b->filename, "[kernel.kallsyms]")) {
			symcache__set_kernel_build_id(df->syms, b->build_id,
						      b->size);
			break;
		}
	}
	for (i = 0; i < perfdata__nr_attrs(pd); i++)
		if (!perfdata__attr(pd, i)->exclude_kernel) {
			symcache__prefetch_kallsyms(df->syms);
			break;
		}
	return prefetch_dwarf(df, pd);
}

int datafold__read(struct perfdata *pd, struct folder *f,
		   const struct datafold_opts *o, const struct diag *d,
		   struct datafold_stats *st)
{
	static const struct perfdata_ops ops = {
		.on_ready = on_ready,
		.on_sample = on_sample,
		.on_mmap = on_mmap,
		.on_comm = on_comm,
		.on_fork = on_fork,
		.on_exit = on_exit_task,
		.on_lost = on_lost,
		.on_other = on_other,
	};
	struct datafold df = {.pd = pd, .folder = f, .opts = o, .st = st,
			      .diag = d};
	const struct perfdata_stats *ps;
	struct symbolize_stats ns;
	struct symtab_paths paths;
	char buf[PATH_MAX];
	int err = -ENOMEM;

	memset(st, 0, sizeof(*st));
	symtab__default_paths(&paths, buf, sizeof(buf));
	paths.cache = o->cache;
	df.session = session__new();
	df.syms = symcache__new(&paths, d);
	if (!df.session || !df.syms ||
	    !(df.names = symbolize__new(df.session, df.syms, f)))
		goto out;
	if (o->perf_map_dir &&
	    symcache__set_perf_map_dir(df.syms, o->perf_map_dir) < 0)
		goto out;
	symcache__set_force(df.syms, o->force);
	if (o->clock != DATAFOLD_CPU &&
	    !(df.wf = waitfold__new(f, o->clock == DATAFOLD_WALL))) {
		err = -ENOMEM;
		goto out;
	}
	err = perfdata__read(pd, &ops, &df);
	if (!err && df.wf)
		err = waitfold__finish(df.wf);
	if (df.wf) {
		st->waits = *waitfold__stats(df.wf);
		waitfold__report(&st->waits, perfdata__name(pd), d);
	}
	ps = perfdata__stats(pd);
	st->nr_bad_records = ps->nr_bad;
	st->nr_unknown_records = ps->nr_unknown;
	symbolize__stats(df.names, &ns);
	st->nr_unknown_frames = ns.nr_unknown_frames;
	st->kallsyms_restricted = ns.kallsyms_restricted;
	if (df.unwind) {
		struct unwind_stats us;

		unwind__stats(df.unwind, &us);
		st->nr_trampoline_steps = us.nr_trampoline_steps;
		st->nr_jit_cfi_steps = us.nr_jit_cfi_steps;
		st->nr_fp_steps = us.nr_fp_steps;
	}
	if (df.graft) {
		struct graft_stats gs;

		graft__stats(df.graft, &gs);
		st->nr_grafted = gs.nr_grafted;
		st->nr_graft_unmatched = gs.nr_unmatched;
		st->nr_graft_checked = gs.nr_checked;
		st->nr_graft_disagreed = gs.nr_disagreed;
	}
out:
	graft__free(df.graft);
	tracepoint__free(df.tp);
	waitfold__free(df.wf);
	unwind__free(df.unwind);
	free(df.uframes);
	symbolize__free(df.names);
	symcache__free(df.syms);
	session__free(df.session);
	return err;
}
