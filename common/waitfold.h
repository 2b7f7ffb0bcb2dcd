/* waitfold: off-CPU and wall-clock time folded (--off-cpu, --wall), the
 * same whatever the samples were read from.
 *
 * perf.data (datafold, fields decoded by tracepoint) and `perf script`
 * text (waitfold__script() below) both come here with what a sample says
 * of time: a thread was running at a time (any of its samples, a switch
 * in), a sched_switch (prev leaves for why, next runs), a CPU sample
 * standing for some nanoseconds. The intervals themselves are offcpu's;
 * this module decides which samples are folded and with what weight, holds
 * a switch-out's folded stack (folder__end_wait()) until its interval
 * closes and adds it then (folder__add()), so both inputs give one answer.
 *
 * A sample goes: waitfold__*() says whether to fold it (and its weight),
 * the caller begins it in the folder with that weight and adds its frames,
 * then waitfold__end() ends it (folder__end(), or a held switch-out).
 */
#ifndef PERFFOLD_WAITFOLD_H
#define PERFFOLD_WAITFOLD_H

#include <stdbool.h>
#include <stdint.h>

#include "offcpu.h"

struct diag;
struct folder;
struct script_sample;

struct waitfold_stats {
	uint64_t nr_switches;		/* sched_switch samples decoded */
	uint64_t nr_sampled_switches;	/* of them with a period > 1: perf
					 * sampled switches, not all kept */
	uint64_t nr_undecoded;		/* sched_switch samples whose fields
					 * could not be read */
	uint64_t nr_unknown_events;	/* tracepoint samples of no format */
	uint64_t nr_not_time;		/* samples of events whose periods are
					 * not time (--wall: not cpu-clock or
					 * task-clock) */
	uint64_t nr_no_time;		/* samples without a time */
	uint64_t on_cpu_ns;		/* --wall: cpu-clock samples' periods */
	struct offcpu_stats offcpu;
};

/* Folding into f (borrowed); is_wall: CPU samples count too. NULL with
 * errno = ENOMEM. */
struct waitfold *waitfold__new(struct folder *f, bool is_wall);
void waitfold__free(struct waitfold *wf);

/* A CPU number not known (text printed without it). */
#define WAITFOLD_NO_CPU UINT32_MAX

/* Thread tid was put on the CPU at time (a switch-in record, a
 * sched_switch naming it next): the interval it was off the CPU closes.
 * 0 or -ENOMEM. */
int waitfold__runs(struct waitfold *wf, int32_t tid, uint64_t time);

/* A sample of thread tid on cpu at time: it is running. Its interval, if
 * still open, closes: at time, the only end an interval has without
 * switch-ins (a recording of the program alone with no switch events);
 * but where the switches of whole CPUs are recorded
 * (waitfold__cpu_wide()) the switch putting it on cpu should have been
 * too, and was not, so at cpu's last recorded switch, the latest time the
 * recording proves it off the CPU (as `perf sched timehist` does); the
 * time after it is counted in offcpu's ns_unrecorded. 0 or -ENOMEM. */
int waitfold__seen(struct waitfold *wf, int32_t tid, uint32_t cpu,
		   uint64_t time);

/* A record at time (of any kind): the recording lasts at least until
 * then, where intervals still open are closed by waitfold__finish(). */
void waitfold__time(struct waitfold *wf, uint64_t time);

/* The recording is of whole CPUs (perf record -a or -C: perf's thread map
 * is its dummy one), so every switch on them should be there and a
 * thread running with none putting it on its CPU lost one
 * (waitfold__seen()). A sched_switch of the idle task says so too: the
 * only evidence text has. */
void waitfold__cpu_wide(struct waitfold *wf);

/* A sched_switch on cpu (or WAITFOLD_NO_CPU) at time, of a sample of the
 * given period (its prev_pid, prev_state and next_pid decoded): next
 * runs, prev leaves. 1 when the sample is to be folded as prev's
 * switch-out (its stack held at waitfold__end()), 0 when not (the idle
 * task), -ENOMEM. */
int waitfold__switch(struct waitfold *wf, uint64_t time, uint64_t period,
		     uint32_t cpu, int64_t prev, int64_t prev_state,
		     int64_t next);

/* A CPU sample of tid standing for ns (--wall; --off-cpu folds none): 1
 * with *weight its microseconds, 0 when not folded. */
int waitfold__cpu(struct waitfold *wf, int32_t tid, uint64_t ns,
		  uint64_t *weight);

/* Skipped samples, counted for the caller's report. */
enum waitfold_skip {
	WAITFOLD_UNDECODED,	/* a sched_switch whose fields are missing
				 * (or text whose tid is no tid) */
	WAITFOLD_UNKNOWN_EVENT,	/* a tracepoint with no format */
	WAITFOLD_NOT_TIME,	/* --wall: an event whose period is not time */
	WAITFOLD_NO_TIME,	/* a sample without a time */
};
void waitfold__skip(struct waitfold *wf, enum waitfold_skip why);

/* The sample begun in the folder after a 1 above is complete: a
 * switch-out's stack is held, a CPU sample added. 0 or a negative errno. */
int waitfold__end(struct waitfold *wf);

/* tid exited: its open interval counts nothing. */
void waitfold__exit(struct waitfold *wf, int32_t tid);

/* The end of the input: intervals still open are closed at the last
 * time seen and added. 0 or -ENOMEM. */
int waitfold__finish(struct waitfold *wf);

/* The counts so far, borrowed until the next call on wf. */
const struct waitfold_stats *waitfold__stats(struct waitfold *wf);

/* Warn through d of what st holds that the caller's summary does not:
 * the switch-ins missing from a recording of whole CPUs
 * (waitfold__seen()), naming the input name. */
void waitfold__report(const struct waitfold_stats *st, const char *name,
		      const struct diag *d);

/* A `perf script` sample (scriptparse.h) printed with the fields the
 * README names (time, period, event, trace, and --show-switch-events),
 * read as above: 1 to fold it with *weight (then waitfold__end()), 0
 * when it is not folded, or a negative errno. */
int waitfold__script(struct waitfold *wf, const struct script_sample *s,
		     uint64_t *weight);

#endif
