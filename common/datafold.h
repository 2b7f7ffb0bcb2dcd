/* datafold: perf.data records -> folded stacks.
 *
 * Drives perfdata over a file or pipe through the stages (docs/design.md):
 * keeps the session (processes, threads, mappings) current, tells the
 * symcache what the recording says of the kernel and of JIT dumps, begins
 * each sample in the folder and has symbolize name its callchain, as perf
 * script names it, as the text path does.
 *
 * --call-graph dwarf samples (PERF_SAMPLE_REGS_USER and STACK_USER): the
 * kernel part of the stack comes from the callchain, the user part from
 * unwind, named as perf names DWARF-unwound frames (callers at pc - 1).
 * A walk that stops short ends the stack with a frame
 * "[unwind stopped: REASON]".
 */
#ifndef PERFFOLD_DATAFOLD_H
#define PERFFOLD_DATAFOLD_H

#include <stdint.h>

#include <stdbool.h>

#include "diag.h"
#include "unwind.h"
#include "waitfold.h"

struct fcache;
struct folder;
struct perfdata;

/* What a stack's weight measures. */
enum datafold_clock {
	DATAFOLD_CPU,		/* the samples' periods, as perf script */
	/* microseconds off the CPU: each sched:sched_switch switch-out's
	 * stack, ending in a frame saying why (offcpu.h), weighs the time
	 * until its thread ran again; other samples are not counted */
	DATAFOLD_OFFCPU,
	/* microseconds of wall-clock time: off-CPU time as above, and
	 * cpu-clock or task-clock samples as the nanoseconds they stand for */
	DATAFOLD_WALL,
};

struct datafold_opts {
	const char *perf_map_dir;	/* where perf-PID.map and jit-PID.dump
					 * are; NULL: /tmp */
	/* Called now and then with the bytes of perf.data read so far. */
	void (*progress)(void *ctx, uint64_t bytes_read);
	void *progress_ctx;
	bool no_inline;			/* no "(inlined)" frames for DWARF-
					 * unwound addresses */
	bool force;			/* read perf maps and jitdumps of
					 * other owners (jitfile.h) */
	/* where symbol tables and inflated DWARF are kept between runs
	 * (fcache.h), or NULL */
	const struct fcache *cache;
	enum datafold_clock clock;
};

struct datafold_stats {
	uint64_t nr_samples;		/* SAMPLE records read */
	uint64_t nr_lost;		/* events the kernel lost (LOST) */
	uint64_t nr_lost_samples;	/* LOST_SAMPLES */
	uint64_t nr_bad_records;	/* skipped: bad content */
	uint64_t nr_unknown_records;	/* skipped: types with no parser */
	uint64_t nr_unknown_frames;	/* addresses no symbol named */
	uint64_t nr_frames;
	int kallsyms_restricted;	/* kernel addresses hidden here */
	/* --call-graph dwarf samples: user stacks unwound here */
	uint64_t nr_unwound;		/* samples whose user stack was walked */
	uint64_t nr_unwind_stops[UNWIND_NR_STOPS];	/* by reason */
	uint64_t nr_trampoline_steps;	/* CPython trampolines stepped */
	uint64_t nr_jit_cfi_steps;	/* JIT frames by a jitdump's CFI */
	uint64_t nr_fp_steps;		/* frame-pointer fallbacks */
	/* walks cut at the stack copy's end (graft.h) */
	uint64_t nr_grafted;		/* completed from their thread's */
	uint64_t nr_graft_unmatched;	/* left cut: no provable match */
	uint64_t nr_graft_checked;	/* grafts a later whole walk checked */
	uint64_t nr_graft_disagreed;	/* ... and found wrong */
	struct waitfold_stats waits;	/* --off-cpu, --wall */
};

/* Read every record of pd into f. d gets the symbol loaders' messages.
 * 0, or a negative errno (the reader's error was already reported). */
int datafold__read(struct perfdata *pd, struct folder *f,
		   const struct datafold_opts *o, const struct diag *d,
		   struct datafold_stats *st);

#endif
