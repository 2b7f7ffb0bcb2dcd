/* perfdata's reorder queue (perfdata_order.c), as perf's ordered_events
 * (tools/perf/util/ordered-events.c): kernel records are queued by time and
 * delivered (pd_deliver) in time order when a FINISHED_ROUND says that no
 * older record can come any more. Used by the record stream
 * (perfdata_read.c) only; not installed.
 *
 * The per-record part, pd_order_add(), is inline: it runs for every timed
 * record. */
#ifndef PERFFOLD_PERFDATA_ORDER_H
#define PERFFOLD_PERFDATA_ORDER_H

#include <errno.h>

#include "perfdata_int.h"

/* Bounds of the queue, past which its older half is delivered without
 * waiting for a FINISHED_ROUND (pd_order_half()). */
#define PD_QUEUE_MAX_BYTES (64u << 20)
#define PD_QUEUE_MAX_RECORDS (4u << 20)

/* Slow paths of pd_order_add(): room for one more entry, for need bytes
 * in the arena. 0 or -ENOMEM. */
int pd_order_grow(struct pd_order *o);
int pd_order_reserve(uint8_t **buf, size_t *cap, size_t need);

/* Queue the record rec (len bytes, at file offset off, of attr attr_idx)
 * at time. A stable record (in the mapped file) is queued where it is,
 * others are copied into the arena. 0 or -ENOMEM. */
static inline int pd_order_add(struct perfdata *pd, const uint8_t *rec,
			       uint32_t len, uint64_t off, bool is_stable,
			       uint32_t attr_idx, uint64_t time)
{
	struct pd_order *o = &pd->order;
	struct pd_qent *e;

	if (o->nr == o->cap && pd_order_grow(o))
		return -ENOMEM;
	e = &o->q[o->nr];
	e->time = time;
	e->seq = o->seq++;
	e->off = off;
	e->len = len;
	e->attr_idx = attr_idx;
	if (is_stable) {
		e->rec = rec;
	} else {
		/* keep 8-byte alignment of copies */
		size_t at = (o->arena_len + 7) & ~(size_t)7;

		if (at + len > o->arena_cap &&
		    pd_order_reserve(&o->arena, &o->arena_cap, at + len))
			return -ENOMEM;
		memcpy(o->arena + at, rec, len);
		e->rec = NULL;
		e->arena_off = at;
		o->arena_len = at + len;
	}
	o->nr++;
	if (time < o->last_flush)
		pd->stats.nr_out_of_order++;
	if (time > o->max_time)
		o->max_time = time;
	return 0;
}

static inline bool pd_order_is_empty(const struct perfdata *pd)
{
	return !pd->order.nr;
}

/* Without FINISHED_ROUND (perf before 3.x, some pipes) the queue would
 * hold the whole file: past a bound, its older half is delivered, as
 * perf's ordered_events does when it reaches its memory limit
 * (OE_FLUSH__HALF). */
static inline bool pd_order_is_full(const struct perfdata *pd)
{
	return pd->order.arena_len >= PD_QUEUE_MAX_BYTES ||
	       pd->order.nr >= PD_QUEUE_MAX_RECORDS;
}

/* The time up to which to flush a full queue, its older half, in *limit.
 * 0 or -ENOMEM. */
int pd_order_half(struct perfdata *pd, uint64_t *limit);

/* At a FINISHED_ROUND: the time up to which the queue can be flushed (the
 * end of the round before, OE_FLUSH__ROUND); the round that ends here is
 * flushed at the next one. */
static inline uint64_t pd_order_round(struct perfdata *pd)
{
	uint64_t limit = pd->order.next_flush;

	pd->order.next_flush = pd->order.max_time;
	return limit;
}

/* Deliver queued records with time <= limit, in time order (by time, then
 * by arrival). Returns 0, -ENOMEM, or the first nonzero return of
 * pd_deliver(), which ends the flush (the records after it stay queued). */
int pd_order_flush(struct perfdata *pd, uint64_t limit);

/* The lowest offset into pd->map that a queued record still points into,
 * or below when none is lower: the reader releases the pages under it. */
uint64_t pd_order_lowest(const struct perfdata *pd, uint64_t below);

/* Free the queue (perfdata__free). */
void pd_order_release(struct pd_order *o);

#endif
