/* perfconv: what the perf converters (perf2folded, perf2pprof,
 * perf2speedscope) share: their options, reading perf.data or perf script
 * text into a folder, and the messages about what was read.
 *
 * The converters differ only in the writer: perf2folded writes the
 * folder's aggregate, the others a profile (common/profile.h) the folder
 * filled as its sink. Each tool's argp takes perfconv__argp as a child.
 * flamerun, which reads perf's pipe itself, shares the messages about
 * what a recording lost and the profile writers.
 */
#ifndef PERFFOLD_PERFCONV_H
#define PERFFOLD_PERFCONV_H

#include <argp.h>
#include <stdbool.h>
#include <stdio.h>

#include "datafold.h"
#include "diag.h"
#include "folder.h"

#define PERFCONV_EXIT_PARTIAL 1
#define PERFCONV_EXIT_FATAL 2
#define PERFCONV_EXIT_USAGE 64
#define PERFCONV_MAX_INPUTS 256

/* The recording command --off-cpu and --wall need, and the perf script
 * fields they read from text. */
#define PERFCONV_OFFCPU_RECORD \
	"perf record -e cpu-clock/freq=999/ " \
	"-e sched:sched_switch --switch-events " \
	"--call-graph dwarf,16384 -- python3.12 -X perf prog.py"
#define PERFCONV_OFFCPU_SCRIPT \
	"perf script -F comm,pid,tid,time,period,event,trace,ip,sym,dso " \
	"--show-switch-events"

struct perfconv_opts {
	const char *prog;		/* messages begin "PROG: " */
	const char *name;		/* the profile's (speedscope's); NULL:
					 * the first input's */
	struct folder_opts folder;
	const char *output;
	const char *perf_map_dir;
	bool progress;
	bool no_inline;
	bool no_cache;
	bool force;
	bool verbose;
	bool quiet;			/* -q: errors only */
	enum datafold_clock clock;	/* --off-cpu, --wall */
	const char *inputs[PERFCONV_MAX_INPUTS];
	int nr_inputs;
};

/* The options every converter takes; its input is the tool's struct
 * perfconv_opts (the tool's parser passes it on at ARGP_KEY_INIT). */
extern const struct argp perfconv__argp;

/* Parse argv into o (o->prog set) with the tool's argp, whose children
 * include perfconv__argp; the working directory kept for --python's
 * paths. Exits with PERFCONV_EXIT_USAGE on a usage error. */
void perfconv__parse(const struct argp *argp, int argc, char **argv,
		     struct perfconv_opts *o);

/* The diagnostics hook that prints "PROG: MESSAGE" (DIAG_INFO only with
 * -v); ctx is the struct perfconv_opts. */
void perfconv__emit(void *ctx, enum diag_level level, const char *msg);

/* Read every input of o (stdin, or ./perf.data on a terminal, when none)
 * into f (and the build ids of perf.data into p, f's sink, unless NULL),
 * saying what was skipped. 0 when all was read (*is_partial: some
 * of it skipped, said), else a negative errno (said). */
struct profile;
int perfconv__read(const struct perfconv_opts *o, struct folder *f,
		   struct profile *p, const struct diag *d, bool *is_partial);

/* How a tool tells its user to record again, in the messages below. */
struct perfconv_advice {
	const char *lost;	/* for lost samples: "a lower -F" (after
				 * "try") */
	const char *stack;	/* for stacks cut by the stack copy's size;
				 * NULL: none */
};

/* Say what reading a recording (input name, NULL for none to name) lost
 * or skipped, datafold's figures st: samples perf lost, malformed records,
 * hidden kernel addresses, how DWARF stacks ended, and with o's --off-cpu
 * or --wall the waits (unless is_cut: the read ended early). Returns true
 * when something was skipped. */
struct datafold_stats;
bool perfconv__report_data(const struct datafold_stats *st, bool is_cut,
			   const char *name, const struct perfconv_opts *o,
			   const struct perfconv_advice *a,
			   const struct diag *d);

/* Give p the build ids perf listed in pd, for its mappings recorded
 * without one, and read the rest from their files. */
struct perfdata;
void perfconv__build_ids(struct profile *p, const struct perfdata *pd);

/* Say (with -v) what the folder kept, and warn of other events and cut
 * stacks. */
void perfconv__report(const struct folder_stats *st,
		      const struct perfconv_opts *o, const struct diag *d);

/* The exit status of a run that wrote its output: PERFCONV_EXIT_PARTIAL
 * when no sample was kept (said) or something was skipped. */
int perfconv__status(const struct folder_stats *st, bool is_partial,
		     const struct diag *d);

/* For writers of whole files: a temporary file beside o->output, renamed
 * to it by perfconv__commit() once written (so no partial file is left
 * under its name), or stdout without -o. NULL when it cannot be made
 * (said). */
FILE *perfconv__create(const struct perfconv_opts *o, const struct diag *d,
		       char **tmp);
/* Close out; rename tmp to o->output when ok, else remove it. ok false,
 * or a failing close or rename: said, and -1. tmp is freed. */
int perfconv__commit(const struct perfconv_opts *o, FILE *out, char *tmp,
		     bool ok, const struct diag *d);

/* What a converter's weights measure: the pprof sample type and unit
 * ("cpu", "nanoseconds" for cpu-clock and task-clock periods; "off_cpu" or
 * "wall", "microseconds"; else the event's name, "count"). */
void perfconv__weight_type(const struct perfconv_opts *o,
			   const struct folder_stats *st, const char **type,
			   const char **unit);

/* Write a profile (common/profile.h) read into a folder sink: the writer
 * of perf2pprof and perf2speedscope. 0, or a negative errno (errno says
 * why a write failed). */
struct intern;
typedef int perfconv_write_fn(const struct perfconv_opts *o,
			      const struct folder_stats *st,
			      const struct profile *p,
			      const struct intern *names, FILE *out);

/* The writers of perf2pprof and perf2speedscope (o's clock and weight
 * say the unit; the time, or speedscope's name, from o's input). */
perfconv_write_fn perfconv__write_pprof, perfconv__write_speedscope;

/* Write p with write to o->output (whole, or not at all: as
 * perfconv__create() and perfconv__commit()). 0, or -1 (said). */
int perfconv__write_profile(const struct perfconv_opts *o,
			    const struct folder_stats *st,
			    const struct profile *p, const struct intern *names,
			    perfconv_write_fn *write, const struct diag *d);

/* Read o's inputs into a profile (keep_order: each thread's samples in
 * order) and write it with write to -o FILE (whole, or not at all) or
 * stdout (refused when a terminal: is_binary). Returns the exit status. */
int perfconv__run_profile(const struct perfconv_opts *o, bool keep_order,
			  bool is_binary, perfconv_write_fn *write);

/* The whole main of a converter with no options of its own (perf2pprof,
 * perf2speedscope): perfconv's options, doc as its --help, then
 * perfconv__run_profile(). Returns the exit status. */
int perfconv__profile_main(int argc, char **argv, const char *prog,
			   const char *doc, bool keep_order, bool is_binary,
			   perfconv_write_fn *write);

#endif
