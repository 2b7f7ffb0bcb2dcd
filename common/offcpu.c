/* offcpu: off-CPU intervals per thread (offcpu.h).
 *
 * Threads live in an open-addressing table keyed by tid; each keeps its
 * open interval's stack in a buffer of its own, reused from one switch to
 * the next, so nothing is allocated per switch once a thread's deepest
 * stack has been seen.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "offcpu.h"

struct offcpu_thread {
	bool is_used, is_open;
	enum offcpu_why why;
	int32_t tid;
	uint64_t start;		/* of the open interval */
	uint64_t carry_ns;	/* < 1000: not yet given as a microsecond */
	uint32_t *ids;
	size_t nr, cap;
};

struct offcpu {
	struct offcpu_thread *threads;
	size_t cap, nr;		/* cap a power of two, nr used */
	size_t finish_pos;	/* offcpu__finish()'s next slot */
	uint32_t *closed;	/* the last closed interval's stack */
	size_t closed_cap;
	struct offcpu_stats st;
};

static const char *const leaves[OFFCPU_NR_WHY] = {
	[OFFCPU_RUNNABLE] = "[off-cpu: runnable]",
	[OFFCPU_SLEEP] = "[off-cpu: sleep]",
	[OFFCPU_IO] = "[off-cpu: uninterruptible]",
	[OFFCPU_STOPPED] = "[off-cpu: stopped]",
	[OFFCPU_DEAD] = "[off-cpu: dead]",
	[OFFCPU_IDLE] = "[off-cpu: idle]",
};

enum offcpu_why offcpu__why(int64_t prev_state)
{
	uint64_t s = (uint64_t)prev_state & 0xff;

	if (!s)
		return OFFCPU_RUNNABLE;
	if (s & 0x1)
		return OFFCPU_SLEEP;
	if (s & 0x2)
		return OFFCPU_IO;
	if (s & 0xc)
		return OFFCPU_STOPPED;
	if (s & 0x30)
		return OFFCPU_DEAD;
	return OFFCPU_IDLE;
}

const char *offcpu__leaf(enum offcpu_why why)
{
	return why < OFFCPU_NR_WHY ? leaves[why] : leaves[OFFCPU_SLEEP];
}

struct offcpu *offcpu__new(void)
{
	struct offcpu *oc = calloc(1, sizeof(*oc));

	if (!oc)
		return NULL;
	oc->cap = 64;
	oc->threads = calloc(oc->cap, sizeof(*oc->threads));
	if (!oc->threads) {
		free(oc);
		errno = ENOMEM;
		return NULL;
	}
	return oc;
}

void offcpu__free(struct offcpu *oc)
{
	size_t i;

	if (!oc)
		return;
	for (i = 0; i < oc->cap; i++)
		free(oc->threads[i].ids);
	free(oc->threads);
	free(oc->closed);
	free(oc);
}

static size_t slot_of(const struct offcpu *oc, int32_t tid)
{
	size_t i = ((uint32_t)tid * 2654435761u) & (oc->cap - 1);

	while (oc->threads[i].is_used && oc->threads[i].tid != tid)
		i = (i + 1) & (oc->cap - 1);
	return i;
}

static int grow(struct offcpu *oc)
{
	struct offcpu_thread *old = oc->threads;
	size_t old_cap = oc->cap, i;

	oc->threads = calloc(old_cap * 2, sizeof(*oc->threads));
	if (!oc->threads) {
		oc->threads = old;
		return -ENOMEM;
	}
	oc->cap = old_cap * 2;
	for (i = 0; i < old_cap; i++)
		if (old[i].is_used)
			oc->threads[slot_of(oc, old[i].tid)] = old[i];
	free(old);
	return 0;
}

/* tid's entry, made when is_new is allowed; NULL when absent (or out of
 * memory). */
static struct offcpu_thread *thread(struct offcpu *oc, int32_t tid,
				    bool is_new)
{
	struct offcpu_thread *t = &oc->threads[slot_of(oc, tid)];

	if (t->is_used || !is_new)
		return t->is_used ? t : NULL;
	if ((oc->nr + 1) * 2 > oc->cap) {
		if (grow(oc) < 0)
			return NULL;
		t = &oc->threads[slot_of(oc, tid)];
	}
	t->is_used = true;
	t->tid = tid;
	oc->nr++;
	return t;
}

static uint64_t to_us(struct offcpu_thread *t, uint64_t ns)
{
	uint64_t sum = t->carry_ns + ns;

	t->carry_ns = sum % 1000;
	return sum / 1000;
}

uint64_t offcpu__us(struct offcpu *oc, int32_t tid, uint64_t ns)
{
	struct offcpu_thread *t = thread(oc, tid, true);

	return t ? to_us(t, ns) : ns / 1000;
}

int offcpu__out(struct offcpu *oc, int32_t tid, uint64_t time,
		enum offcpu_why why, const uint32_t *ids, size_t nr)
{
	struct offcpu_thread *t = thread(oc, tid, true);

	if (!t)
		return -ENOMEM;
	if (t->is_open) {
		oc->st.nr_missed_in++;
		t->is_open = false;
	}
	if (why == OFFCPU_DEAD) {
		oc->st.nr_exited++;
		return 0;
	}
	if (nr > t->cap) {
		uint32_t *n = realloc(t->ids, nr * sizeof(*n));

		if (!n)
			return -ENOMEM;
		t->ids = n;
		t->cap = nr;
	}
	memcpy(t->ids, ids, nr * sizeof(*ids));
	t->nr = nr;
	t->why = why;
	t->start = time;
	t->is_open = true;
	oc->st.nr_opened++;
	return 0;
}

/* Close t's open interval at time into *iv. */
static int close_interval(struct offcpu *oc, struct offcpu_thread *t,
			  uint64_t time, struct offcpu_interval *iv)
{
	t->is_open = false;
	if (time < t->start) {
		oc->st.nr_backwards++;
		return 0;
	}
	/* the thread's buffer may be reused by its next switch-out before
	 * the caller is done: hand out a copy */
	if (t->nr > oc->closed_cap) {
		uint32_t *n = realloc(oc->closed, t->nr * sizeof(*n));

		if (!n)
			return -ENOMEM;
		oc->closed = n;
		oc->closed_cap = t->nr;
	}
	memcpy(oc->closed, t->ids, t->nr * sizeof(*t->ids));
	iv->tid = t->tid;
	iv->ids = oc->closed;
	iv->nr = t->nr;
	iv->why = t->why;
	iv->ns = time - t->start;
	iv->us = to_us(t, iv->ns);
	oc->st.ns[t->why] += iv->ns;
	return 1;
}

int offcpu__in(struct offcpu *oc, int32_t tid, uint64_t time,
	       struct offcpu_interval *iv)
{
	struct offcpu_thread *t = thread(oc, tid, false);
	int n;

	if (!t || !t->is_open)
		return 0;
	n = close_interval(oc, t, time, iv);
	oc->st.nr_closed += n > 0;
	return n;
}

int offcpu__in_unrecorded(struct offcpu *oc, int32_t tid, uint64_t since,
			  uint64_t time, struct offcpu_interval *iv)
{
	struct offcpu_thread *t = thread(oc, tid, false);
	uint64_t at;
	int n;

	if (!t || !t->is_open)
		return 0;
	at = since > t->start ? since : t->start;
	if (at > time)
		at = time;
	oc->st.nr_unrecorded_in++;
	oc->st.ns_unrecorded += time - at;
	n = close_interval(oc, t, at, iv);
	oc->st.nr_closed += n > 0;
	return n;
}

void offcpu__exit(struct offcpu *oc, int32_t tid)
{
	struct offcpu_thread *t = thread(oc, tid, false);

	if (t && t->is_open) {
		t->is_open = false;
		oc->st.nr_exited++;
	}
}

int offcpu__finish(struct offcpu *oc, uint64_t end, struct offcpu_interval *iv)
{
	for (; oc->finish_pos < oc->cap; oc->finish_pos++) {
		struct offcpu_thread *t = &oc->threads[oc->finish_pos];
		int n;

		if (!t->is_used || !t->is_open)
			continue;
		n = close_interval(oc, t, end, iv);
		if (n < 0)
			return n;
		if (n) {
			oc->st.nr_open_at_end++;
			return 1;
		}
	}
	return 0;
}

void offcpu__stats(const struct offcpu *oc, struct offcpu_stats *st)
{
	*st = oc->st;
}
