/* perfdata: the reorder queue, as perf's ordered_events
 * (tools/perf/util/ordered-events.c). The kernel writes each CPU's ring
 * buffer in time order, perf record interleaves the buffers; queued
 * records are sorted by time and delivered (pd_deliver(), in
 * perfdata_sample.c) when the stream says no older one can come. The
 * interface is perfdata_order.h; the mapped file's pages are the reader's
 * business (perfdata_read.c), which asks pd_order_lowest() what the queue
 * still needs. */
#include <errno.h>
#include <stdlib.h>

#include "perfdata_order.h"

static int qent_cmp(const void *a, const void *b)
{
	const struct pd_qent *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int pd_order_reserve(uint8_t **buf, size_t *cap, size_t need)
{
	size_t c = *cap ? *cap : 1 << 16;
	uint8_t *n;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	n = realloc(*buf, c);
	if (!n)
		return -ENOMEM;
	*buf = n;
	*cap = c;
	return 0;
}

int pd_order_grow(struct pd_order *o)
{
	size_t cap = o->cap ? o->cap * 2 : 4096;
	struct pd_qent *n = realloc(o->q, cap * sizeof(*n));

	if (!n)
		return -ENOMEM;
	o->q = n;
	o->cap = cap;
	return 0;
}

static inline bool qent_less(const struct pd_qent *x, const struct pd_qent *y)
{
	return x->time != y->time ? x->time < y->time : x->seq < y->seq;
}

/* The end of the ascending run that starts at i, before n. */
static size_t run_end(const struct pd_qent *q, size_t i, size_t n)
{
	while (++i < n && !qent_less(&q[i], &q[i - 1]))
		;
	return i;
}

/* Sort q[lo, n) by merging its ascending runs, pair by pair, through q2
 * (as large as q). A round holds one run per CPU's ring buffer, so this
 * is a pass or two where a comparison sort would take log n. */
static void sort_runs(struct pd_qent *q, struct pd_qent *q2, size_t lo,
		      size_t n)
{
	struct pd_qent *from = q, *to = q2, *t;
	size_t a, b, c, i, j, k;
	bool is_sorted = run_end(q, lo, n) == n;

	while (!is_sorted) {
		is_sorted = true;
		for (a = lo; a < n; a = c) {
			b = run_end(from, a, n);
			c = b < n ? run_end(from, b, n) : n;
			if (b < n)
				is_sorted = false;
			for (i = a, j = b, k = a; i < b && j < c;)
				to[k++] = qent_less(&from[j], &from[i])
					      ? from[j++]
					      : from[i++];
			memcpy(to + k, from + i, (b - i) * sizeof(*to));
			k += b - i;
			memcpy(to + k, from + j, (c - j) * sizeof(*to));
		}
		t = from;
		from = to;
		to = t;
	}
	if (from != q)
		memcpy(q + lo, from + lo, (n - lo) * sizeof(*q));
}

/* Sort the queue. What a flush left is in order already, so sort only
 * what came since and merge: a round costs O(n + k log k), not a full
 * sort of everything still waiting. */
static int sort_queue(struct pd_order *o)
{
	size_t old = o->nr_sorted, i = 0, j = old, k = 0;
	struct pd_qent *t;

	if (old >= o->nr)
		return 0;
	if (o->q2_cap < o->nr) {
		t = realloc(o->q2, o->cap * sizeof(*t));
		if (!t)
			return -ENOMEM;
		o->q2 = t;
		o->q2_cap = o->cap;
	}
	sort_runs(o->q, o->q2, old, o->nr);
	if (old && qent_cmp(&o->q[old - 1], &o->q[old]) > 0) {
		while (i < old && j < o->nr)
			o->q2[k++] = qent_cmp(&o->q[i], &o->q[j]) <= 0
					 ? o->q[i++]
					 : o->q[j++];
		while (i < old)
			o->q2[k++] = o->q[i++];
		while (j < o->nr)
			o->q2[k++] = o->q[j++];
		t = o->q;
		o->q = o->q2;
		o->q2 = t;
		k = o->cap;
		o->cap = o->q2_cap;
		o->q2_cap = k;
	}
	o->nr_sorted = o->nr;
	return 0;
}

int pd_order_half(struct perfdata *pd, uint64_t *limit)
{
	if (sort_queue(&pd->order))
		return -ENOMEM;
	*limit = pd->order.q[pd->order.nr / 2].time;
	return 0;
}

int pd_order_flush(struct perfdata *pd, uint64_t limit)
{
	struct pd_order *o = &pd->order;
	size_t i, n = 0, keep_len = 0;
	int ret = 0;

	if (!o->nr)
		return 0;
	if (sort_queue(o))
		return -ENOMEM;
	for (i = 0; i < o->nr && o->q[i].time <= limit; i++) {
		const struct pd_qent *e = &o->q[i];
		const uint8_t *rec = e->rec ? e->rec : o->arena + e->arena_off;

		ret = pd_deliver(pd, rec, e->len, e->attr_idx, e->off);
		if (ret) {
			i++;
			break;
		}
	}
	n = i;
	if (n)
		o->last_flush = o->q[n - 1].time;
	/* keep the rest, compacting their arena copies */
	for (i = n; i < o->nr; i++) {
		struct pd_qent *e = &o->q[i];

		if (!e->rec) {
			size_t at = (keep_len + 7) & ~(size_t)7;

			if (pd_order_reserve(&o->arena2, &o->arena2_cap,
					     at + e->len))
				return -ENOMEM;
			memcpy(o->arena2 + at, o->arena + e->arena_off, e->len);
			e->arena_off = at;
			keep_len = at + e->len;
		}
		o->q[i - n] = *e;
	}
	o->nr -= n;
	o->nr_sorted = o->nr;
	{
		uint8_t *t = o->arena;
		size_t c = o->arena_cap;

		o->arena = o->arena2;
		o->arena_cap = o->arena2_cap;
		o->arena2 = t;
		o->arena2_cap = c;
		o->arena_len = keep_len;
	}
	return ret;
}

uint64_t pd_order_lowest(const struct perfdata *pd, uint64_t below)
{
	const struct pd_order *o = &pd->order;
	size_t i;

	for (i = 0; i < o->nr; i++)
		if (o->q[i].rec && (uint64_t)(o->q[i].rec - pd->map) < below)
			below = o->q[i].rec - pd->map;
	return below;
}

void pd_order_release(struct pd_order *o)
{
	free(o->q);
	free(o->q2);
	free(o->arena);
	free(o->arena2);
}
