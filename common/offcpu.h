/* offcpu: off-CPU intervals per thread, and the time each one stands for.
 *
 * A thread that leaves the CPU (sched:sched_switch with it as prev) opens
 * an interval holding the stack it left with; the interval closes when the
 * thread runs again (a PERF_RECORD_SWITCH in, a sched_switch naming it
 * next, or its next sample), and its length goes to that stack. Why it
 * left (prev_state) names the stack's leaf frame, so that sleeping,
 * waiting on uninterruptible I/O and being preempted while runnable can
 * be told apart and filtered.
 *
 * Times are perf's sample times in nanoseconds; weights are microseconds,
 * converted with a remainder carried per thread, so that a thread's
 * weights add up to its nanoseconds / 1000 however they are split.
 */
#ifndef PERFFOLD_OFFCPU_H
#define PERFFOLD_OFFCPU_H

#include <stddef.h>
#include <stdint.h>

struct offcpu;

/* Why a thread left the CPU, from sched_switch's prev_state (the kernel's
 * TASK_REPORT bits: 0x1 S, 0x2 D, 0x4 T, 0x8 t, 0x10 X, 0x20 Z, 0x40 P,
 * 0x80 I; none of them: preempted while runnable, printed R or R+). */
enum offcpu_why {
	OFFCPU_RUNNABLE,	/* preempted, still runnable: "R", "R+" */
	OFFCPU_SLEEP,		/* interruptible sleep: "S" */
	OFFCPU_IO,		/* uninterruptible: "D" (usually disk I/O) */
	OFFCPU_STOPPED,		/* "T", "t" */
	OFFCPU_DEAD,		/* "X", "Z": exiting, never runs again */
	OFFCPU_IDLE,		/* "P", "I": parked or idle kernel threads */
	OFFCPU_NR_WHY,
};

enum offcpu_why offcpu__why(int64_t prev_state);
/* The leaf frame of a stack left for why: "[off-cpu: sleep]", ... */
const char *offcpu__leaf(enum offcpu_why why);

/* A closed interval. ids are borrowed until the next call on oc. */
struct offcpu_interval {
	int32_t tid;
	const uint32_t *ids;	/* the stack, root first, leaf included */
	size_t nr;
	enum offcpu_why why;
	uint64_t ns;		/* off the CPU */
	uint64_t us;		/* its weight: ns / 1000 with tid's carry */
};

struct offcpu_stats {
	uint64_t nr_opened;	/* switch-outs that opened an interval */
	uint64_t nr_closed;	/* closed by the thread running again */
	uint64_t nr_open_at_end;	/* closed by offcpu__finish() */
	uint64_t nr_missed_in;	/* a second switch-out with one open:
				 * the first dropped (no switch-in seen) */
	uint64_t nr_exited;	/* dropped: the thread exited (or left
				 * dead) */
	uint64_t nr_backwards;	/* closed before they opened: dropped */
	uint64_t nr_unrecorded_in;	/* closed by offcpu__in_unrecorded() */
	uint64_t ns_unrecorded;	/* their time after the last switch
				 * recorded on the CPU: not counted */
	uint64_t ns[OFFCPU_NR_WHY];	/* closed time by why */
};

/* NULL with errno = ENOMEM. */
struct offcpu *offcpu__new(void);
void offcpu__free(struct offcpu *oc);

/* tid left the CPU at time for why, with stack ids[0..nr) (copied). A
 * dead thread's last switch opens nothing. 0 or -ENOMEM. */
int offcpu__out(struct offcpu *oc, int32_t tid, uint64_t time,
		enum offcpu_why why, const uint32_t *ids, size_t nr);

/* tid runs (or ran) at time: close its open interval. 1 with *iv set, 0
 * when it had none open (or it closed before it opened, counted). */
int offcpu__in(struct offcpu *oc, int32_t tid, uint64_t time,
	       struct offcpu_interval *iv);

/* tid runs at time on a CPU whose last recorded switch, at since, put
 * another thread on it; the switch that then put tid on it was not
 * recorded. Its open interval closes at since (or where it opened, if
 * later): the recording proves it off the CPU until then, not after. The
 * rest, up to time, is counted in ns_unrecorded. As offcpu__in(). */
int offcpu__in_unrecorded(struct offcpu *oc, int32_t tid, uint64_t since,
			  uint64_t time, struct offcpu_interval *iv);

/* tid exited: its open interval, if any, is dropped and counted. */
void offcpu__exit(struct offcpu *oc, int32_t tid);

/* Microseconds for ns more of tid's time (on or off the CPU), carrying
 * the remainder to tid's next call. */
uint64_t offcpu__us(struct offcpu *oc, int32_t tid, uint64_t ns);

/* At the end of the recording (time end): close the next interval still
 * open, as offcpu__in() would. 1 with *iv set, 0 when none is left. */
int offcpu__finish(struct offcpu *oc, uint64_t end, struct offcpu_interval *iv);

void offcpu__stats(const struct offcpu *oc, struct offcpu_stats *st);

#endif
