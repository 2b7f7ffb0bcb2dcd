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
	uint32_t *slots;	/* entry index + 1, 0 = empty */
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

static int grow_slots(struct stacks *st)
{
	size_t cap = st->slots_cap * 2, i;
	uint32_t *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (i = 0; i < st->nr_entries; i++) {
		size_t j = st->entries[i].hash & (cap - 1);

		while (slots[j])
			j = (j + 1) & (cap - 1);
		slots[j] = (uint32_t)i + 1;
	}
	free(st->slots);
	st->slots = slots;
	st->slots_cap = cap;
	return 0;
}

static int reserve(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : 1024;
	void *np;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	np = realloc(*p, ncap * elem);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = ncap;
	return 0;
}

int stacks__add(struct stacks *st, const uint32_t *frames, size_t nr,
		uint64_t weight)
{
	uint64_t h = hash__bytes(frames, nr * sizeof(*frames), 0x5eed);
	size_t mask = st->slots_cap - 1, i;
	struct entry *e;

	for (i = h & mask; st->slots[i]; i = (i + 1) & mask) {
		e = &st->entries[st->slots[i] - 1];
		if (e->hash == h && e->nr == nr &&
		    !memcmp(st->frames + e->off, frames, nr * sizeof(*frames))) {
			e->weight += weight;
			st->total += weight;
			return 0;
		}
	}
	if (nr > UINT32_MAX || st->nr_entries >= UINT32_MAX - 1)
		return -ENOMEM;
	if (reserve((void **)&st->entries, &st->entries_cap,
		    st->nr_entries + 1, sizeof(*st->entries)) < 0 ||
	    reserve((void **)&st->frames, &st->frames_cap,
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
	st->slots[i] = (uint32_t)++st->nr_entries;
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

/* Sorting compares the text stacks print as. Frame names are ranked once
 * in the order of "name;" (a name followed by the separator), which is the
 * order of the text wherever a stack goes on after the frame; only where a
 * stack ends at the first differing frame are the bytes compared directly.
 */
struct sort_ctx {
	const struct stacks *st;
	uint32_t *rank;		/* by frame id */
};

static int compare_sep(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;
	int c = memcmp(a, b, n);

	if (c || alen == blen)
		return c;
	/* one is a prefix of the other: the shorter one goes on with ';' */
	c = alen < blen ? ';' - (unsigned char)b[n] : (unsigned char)a[n] - ';';
	return c;
}

static int compare_names(const void *a, const void *b, void *arg)
{
	const struct intern *in = arg;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return compare_sep(intern__str(in, x), intern__len(in, x),
			   intern__str(in, y), intern__len(in, y));
}

/* The joined text of frames[from..nr) compared bytewise. */
static int compare_text(const struct intern *in, const uint32_t *fa,
			uint32_t na, const uint32_t *fb, uint32_t nb)
{
	uint32_t i = 0, j = 0;
	size_t pa = 0, pb = 0;

	for (;;) {
		int ca, cb;

		if (i < na && pa == intern__len(in, fa[i]))
			ca = ++i < na ? (pa = 0, ';') : -1;
		else
			ca = i < na ? (unsigned char)intern__str(in, fa[i])[pa++] : -1;
		if (j < nb && pb == intern__len(in, fb[j]))
			cb = ++j < nb ? (pb = 0, ';') : -1;
		else
			cb = j < nb ? (unsigned char)intern__str(in, fb[j])[pb++] : -1;
		if (ca != cb || ca < 0)
			return ca < cb ? -1 : ca > cb;
	}
}

static int compare_entries(const void *a, const void *b, void *arg)
{
	const struct sort_ctx *ctx = arg;
	const struct stacks *st = ctx->st;
	const struct entry *ea = &st->entries[*(const uint32_t *)a];
	const struct entry *eb = &st->entries[*(const uint32_t *)b];
	const uint32_t *fa = st->frames + ea->off, *fb = st->frames + eb->off;
	uint32_t n = ea->nr < eb->nr ? ea->nr : eb->nr, k = 0;

	while (k < n && fa[k] == fb[k])
		k++;
	if (k == n)	/* one is a prefix of the other */
		return ea->nr < eb->nr ? -1 : ea->nr > eb->nr;
	if (k + 1 == ea->nr || k + 1 == eb->nr)
		return compare_text(st->names, fa + k, ea->nr - k, fb + k,
				    eb->nr - k);
	return ctx->rank[fa[k]] < ctx->rank[fb[k]] ? -1 : 1;
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

int stacks__write(const struct stacks *st, FILE *out)
{
	uint32_t nr_names = intern__count(st->names), i, k;
	uint32_t *order = malloc(((size_t)st->nr_entries + 1) * sizeof(*order));
	uint32_t *by_name = malloc(((size_t)nr_names + 1) * sizeof(*by_name));
	struct sort_ctx ctx = {st, malloc(((size_t)nr_names + 1) * sizeof(uint32_t))};
	struct outbuf o = {out, malloc(1 << 20), 0, 1 << 20, false};
	int err = 0;

	if (!order || !by_name || !ctx.rank || !o.p) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < nr_names; i++)
		by_name[i] = i;
	qsort_r(by_name, nr_names, sizeof(*by_name), compare_names,
		(void *)st->names);
	for (i = 0; i < nr_names; i++)
		ctx.rank[by_name[i]] = i;
	for (i = 0; i < st->nr_entries; i++)
		order[i] = i;
	qsort_r(order, st->nr_entries, sizeof(*order), compare_entries, &ctx);
	for (i = 0; i < st->nr_entries; i++) {
		const struct entry *e = &st->entries[order[i]];

		for (k = 0; k < e->nr; k++) {
			uint32_t id = st->frames[e->off + k];

			if (k)
				out_put(&o, ";", 1);
			out_put(&o, intern__str(st->names, id),
				intern__len(st->names, id));
		}
		out_put(&o, " ", 1);
		out_u64(&o, e->weight);
		out_put(&o, "\n", 1);
	}
	out_flush(&o);
	if (o.failed || fflush(out) == EOF || ferror(out))
		err = -EIO;
out:
	free(o.p);
	free(ctx.rank);
	free(by_name);
	free(order);
	return err;
}
