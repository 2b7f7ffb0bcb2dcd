/* stacks: hash-aggregated folded stacks (see stacks.h).
 *
 * Frame ids of all distinct stacks live in one growing array; each entry
 * records an offset into it, so memory grows with distinct stacks, never
 * with samples. Sorting compares stacks as the text they print as, without
 * building that text.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "hash.h"
#include "intern.h"
#include "stacks.h"

struct entry {
	uint64_t hash;
	uint64_t weight;
	size_t off;	/* into frames */
	uint32_t nr;
};

struct stacks {
	const struct intern *names;
	struct entry *entries;
	uint32_t nr_entries;
	size_t entries_cap;
	uint32_t *frames;
	size_t frames_len, frames_cap;
	uint64_t *slots;	/* hash high bits << 32 | entry index + 1;
				 * 0 = empty; the tag spares most probes a
				 * look at the entry */
	size_t slots_cap;	/* power of two */
	uint64_t total;
};

struct stacks *stacks__new(const struct intern *names)
{
	struct stacks *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->names = names;
	st->slots_cap = 4096;
	st->slots = calloc(st->slots_cap, sizeof(*st->slots));
	if (!st->slots) {
		free(st);
		errno = ENOMEM;
		return NULL;
	}
	return st;
}

void stacks__free(struct stacks *st)
{
	if (!st)
		return;
	free(st->entries);
	free(st->frames);
	free(st->slots);
	free(st);
}

static inline uint64_t slot_value(uint64_t hash, size_t index)
{
	return (hash & 0xffffffff00000000ULL) | ((uint64_t)index + 1);
}

static int grow_slots(struct stacks *st)
{
	size_t cap = st->slots_cap * 2, i;
	uint64_t *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (i = 0; i < st->nr_entries; i++) {
		size_t j = st->entries[i].hash & (cap - 1);

		while (slots[j])
			j = (j + 1) & (cap - 1);
		slots[j] = slot_value(st->entries[i].hash, i);
	}
	free(st->slots);
	st->slots = slots;
	st->slots_cap = cap;
	return 0;
}

int stacks__add(struct stacks *st, const uint32_t *frames, size_t nr,
		uint64_t weight)
{
	uint64_t h = hash__bytes(frames, nr * sizeof(*frames), 0x5eed);
	size_t mask = st->slots_cap - 1, i;
	struct entry *e;

	for (i = h & mask; st->slots[i]; i = (i + 1) & mask) {
		if ((st->slots[i] ^ h) >> 32)
			continue;
		e = &st->entries[(uint32_t)st->slots[i] - 1];
		if (e->hash == h && e->nr == nr &&
		    !memcmp(st->frames + e->off, frames, nr * sizeof(*frames))) {
			e->weight += weight;
			st->total += weight;
			return 0;
		}
	}
	if (nr > UINT32_MAX || st->nr_entries >= UINT32_MAX - 1)
		return -ENOMEM;
	if (array__reserve((void **)&st->entries, &st->entries_cap,
		    st->nr_entries + 1, sizeof(*st->entries)) < 0 ||
	    array__reserve((void **)&st->frames, &st->frames_cap,
		    st->frames_len + nr, sizeof(*st->frames)) < 0)
		return -ENOMEM;
	if ((st->nr_entries + 1) * 4 >= st->slots_cap * 3) {
		if (grow_slots(st) < 0)
			return -ENOMEM;
		mask = st->slots_cap - 1;
		for (i = h & mask; st->slots[i]; i = (i + 1) & mask)
			;
	}
	e = &st->entries[st->nr_entries];
	e->hash = h;
	e->weight = weight;
	e->off = st->frames_len;
	e->nr = (uint32_t)nr;
	if (nr)
		memcpy(st->frames + st->frames_len, frames, nr * sizeof(*frames));
	st->frames_len += nr;
	st->slots[i] = slot_value(h, st->nr_entries++);
	st->total += weight;
	return 0;
}

size_t stacks__count(const struct stacks *st)
{
	return st->nr_entries;
}

uint64_t stacks__total(const struct stacks *st)
{
	return st->total;
}

/* Sorting orders stacks as the text they print as, without making it.
 *
 * Each frame name gets two keys: its place among all names followed by
 * ';' (the frame goes on to another) and among all names followed by the
 * end of the line (it is the stack's last frame), with the end below every
 * byte. Comparing stacks key by key, depth by depth, then gives exactly the
 * order of their text. The stacks are sorted on those key strings by
 * multikey quicksort (Bentley and Sedgewick), which looks at each depth of
 * a shared prefix once per partition instead of once per comparison.
 */
struct name_key {
	uint32_t id;
	bool is_last;
};

/* Compare name a followed by ';' or the end with name b likewise. */
static int compare_keys(const void *x, const void *y, void *arg)
{
	const struct intern *in = arg;
	const struct name_key *a = x, *b = y;
	const char *sa = intern__str(in, a->id), *sb = intern__str(in, b->id);
	size_t la = intern__len(in, a->id), lb = intern__len(in, b->id);
	size_t n = la < lb ? la : lb;
	int c = memcmp(sa, sb, n), ca, cb;

	if (c)
		return c;
	ca = la > n ? (unsigned char)sa[n] : a->is_last ? -1 : ';';
	cb = lb > n ? (unsigned char)sb[n] : b->is_last ? -1 : ';';
	if (ca == cb && la == lb)
		return (int)a->is_last - (int)b->is_last;
	return ca < cb ? -1 : ca > cb;
}

struct sort_ctx {
	const struct stacks *st;
	uint32_t *key_cont, *key_last;	/* by frame id */
};

/* The key of entry e at depth d; stacks are distinct, so no two equal
 * keys strings end at one depth and the end needs no key of its own. */
static inline uint32_t key_at(const struct sort_ctx *c, uint32_t e, uint32_t d)
{
	const struct entry *en = &c->st->entries[e];
	uint32_t id = c->st->frames[en->off + d];

	return d + 1 == en->nr ? c->key_last[id] : c->key_cont[id];
}

static void swap_u32(uint32_t *a, uint32_t *b)
{
	uint32_t t = *a;

	*a = *b;
	*b = t;
}

/* Sort order[0..n), all equal below depth d. */
static void mkqsort(const struct sort_ctx *c, uint32_t *order, size_t n,
		    uint32_t d)
{
	while (n > 1) {
		size_t lt = 0, i = 0, gt = n;
		uint32_t pivot;

		if (n < 8) {	/* insertion sort on the key strings */
			size_t j, k;

			for (j = 1; j < n; j++)
				for (k = j; k > 0; k--) {
					uint32_t x = order[k - 1], y = order[k],
						 dd = d;

					while (key_at(c, x, dd) == key_at(c, y, dd))
						dd++;
					if (key_at(c, x, dd) < key_at(c, y, dd))
						break;
					swap_u32(&order[k - 1], &order[k]);
				}
			return;
		}
		swap_u32(&order[0], &order[n / 2]);
		pivot = key_at(c, order[0], d);
		/* three-way partition: [0,lt) <, [lt,gt) ==, [gt,n) > */
		while (i < gt) {
			uint32_t k = key_at(c, order[i], d);

			if (k < pivot)
				swap_u32(&order[lt++], &order[i++]);
			else if (k > pivot)
				swap_u32(&order[i], &order[--gt]);
			else
				i++;
		}
		mkqsort(c, order, lt, d);
		mkqsort(c, order + gt, n - gt, d);
		/* the equal middle goes on at the next depth; a stack whose
		 * last frame this was is alone there (stacks are distinct) */
		order += lt;
		n = gt - lt;
		d++;
	}
}

/* Output goes through one large buffer, not stdio per frame. */
struct outbuf {
	FILE *f;
	char *p;
	size_t len, cap;
	bool failed;
};

static void out_flush(struct outbuf *o)
{
	if (o->len && fwrite(o->p, 1, o->len, o->f) != o->len)
		o->failed = true;
	o->len = 0;
}

static void out_put(struct outbuf *o, const char *s, size_t len)
{
	if (o->cap - o->len < len) {
		out_flush(o);
		if (len > o->cap) {
			if (fwrite(s, 1, len, o->f) != len)
				o->failed = true;
			return;
		}
	}
	memcpy(o->p + o->len, s, len);
	o->len += len;
}

static void out_u64(struct outbuf *o, uint64_t v)
{
	char tmp[24], *q = tmp + sizeof(tmp);

	do {
		*--q = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	out_put(o, q, (size_t)(tmp + sizeof(tmp) - q));
}

struct name_ref {
	const char *s;
	size_t len;
};

/* One line: the frames' names joined by ';', a space, the weight. */
static void write_stack(struct outbuf *o, const struct name_ref *names,
			const uint32_t *frames, const struct entry *e)
{
	uint32_t k;

	for (k = 0; k < e->nr; k++) {
		const struct name_ref *n = &names[frames[e->off + k]];

		if (o->cap - o->len <= n->len) {
			out_put(o, n->s, n->len);	/* flushes first */
			out_put(o, ";", 1);
			continue;
		}
		memcpy(o->p + o->len, n->s, n->len);
		o->p[o->len + n->len] = ';';
		o->len += n->len + 1;
	}
	if (e->nr)
		o->len--;	/* the last ';' (still in the buffer) */
	out_put(o, " ", 1);
	out_u64(o, e->weight);
	out_put(o, "\n", 1);
}

int stacks__write(const struct stacks *st, FILE *out)
{
	uint32_t nr_names = intern__count(st->names), i, k, nr_empty;
	uint32_t *order = malloc(((size_t)st->nr_entries + 1) * sizeof(*order));
	struct name_key *keys = malloc(((size_t)nr_names * 2 + 1) * sizeof(*keys));
	struct name_ref *names = malloc(((size_t)nr_names + 1) * sizeof(*names));
	struct sort_ctx ctx = {
		st, malloc(((size_t)nr_names + 1) * sizeof(uint32_t)),
		malloc(((size_t)nr_names + 1) * sizeof(uint32_t)),
	};
	struct outbuf o = {out, malloc(1 << 20), 0, 1 << 20, false};
	int err = 0;

	if (!order || !keys || !names || !ctx.key_cont || !ctx.key_last || !o.p) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < nr_names; i++) {
		keys[2 * i] = (struct name_key){i, false};
		keys[2 * i + 1] = (struct name_key){i, true};
	}
	qsort_r(keys, (size_t)nr_names * 2, sizeof(*keys), compare_keys,
		(void *)st->names);
	for (i = 0; i < nr_names * 2; i++) {
		if (keys[i].is_last)
			ctx.key_last[keys[i].id] = i;
		else
			ctx.key_cont[keys[i].id] = i;
	}
	/* the empty stack, if any, prints first ("" is below everything) */
	for (i = 0, k = 0; i < st->nr_entries; i++)
		if (!st->entries[i].nr)
			order[k++] = i;
	nr_empty = k;
	for (i = 0; i < st->nr_entries; i++)
		if (st->entries[i].nr)
			order[k++] = i;
	mkqsort(&ctx, order + nr_empty, st->nr_entries - nr_empty, 0);
	for (i = 0; i < nr_names; i++)
		names[i] = (struct name_ref){intern__str(st->names, i),
					     intern__len(st->names, i)};
	for (i = 0; i < st->nr_entries; i++)
		write_stack(&o, names, st->frames, &st->entries[order[i]]);
	out_flush(&o);
	if (o.failed || fflush(out) == EOF || ferror(out))
		err = -EIO;
out:
	free(o.p);
	free(ctx.key_cont);
	free(ctx.key_last);
	free(keys);
	free(names);
	free(order);
	return err;
}
