/* stacks: hash-aggregated folded stacks (see stacks.h).
 *
 * Frame ids of all distinct stacks live in one growing array; each entry
 * records an offset into it, so memory grows with distinct stacks, never
 * with samples. Sorting compares stacks as the text they print as, without
 * building that text.
 */
#include <errno.h>
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
	size_t nr_entries, entries_cap;
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

/* Walks the bytes a stack prints as ("a;b;c") one at a time. */
struct cursor {
	const struct intern *names;
	const uint32_t *frames;
	uint32_t nr, i;		/* i: the frame p points into */
	const char *p;
};

/* Start right after frame `from - 1` (or at the very start when from is 0):
 * frames before it are known to be equal in both stacks being compared. */
static void cursor_init(struct cursor *c, const struct stacks *st,
			const struct entry *e, uint32_t from)
{
	c->names = st->names;
	c->frames = st->frames + e->off;
	c->nr = e->nr;
	c->i = from ? from - 1 : 0;
	c->p = "";
	if (c->i < c->nr) {
		c->p = intern__str(c->names, c->frames[c->i]);
		if (from)
			c->p += intern__len(c->names, c->frames[c->i]);
	}
}

/* The next byte, or -1 at the end of the stack. */
static int cursor_next(struct cursor *c)
{
	if (c->i >= c->nr)
		return -1;
	if (*c->p)
		return (unsigned char)*c->p++;
	if (++c->i >= c->nr)
		return -1;
	c->p = intern__str(c->names, c->frames[c->i]);
	return ';';
}

static int compare_entries(const void *a, const void *b, void *arg)
{
	const struct stacks *st = arg;
	const struct entry *ea = &st->entries[*(const uint32_t *)a];
	const struct entry *eb = &st->entries[*(const uint32_t *)b];
	const uint32_t *fa = st->frames + ea->off, *fb = st->frames + eb->off;
	uint32_t n = ea->nr < eb->nr ? ea->nr : eb->nr, k = 0;
	struct cursor ca, cb;
	int x, y;

	/* Equal leading frames print equal bytes: start after them. */
	while (k < n && fa[k] == fb[k])
		k++;
	cursor_init(&ca, st, ea, k);
	cursor_init(&cb, st, eb, k);
	do {
		x = cursor_next(&ca);
		y = cursor_next(&cb);
	} while (x == y && x >= 0);
	return x < y ? -1 : x > y;
}

int stacks__write(const struct stacks *st, FILE *out)
{
	uint32_t *order = malloc((st->nr_entries + 1) * sizeof(*order));
	size_t i, k;

	if (!order)
		return -ENOMEM;
	for (i = 0; i < st->nr_entries; i++)
		order[i] = (uint32_t)i;
	qsort_r(order, st->nr_entries, sizeof(*order), compare_entries,
		(void *)st);
	for (i = 0; i < st->nr_entries; i++) {
		const struct entry *e = &st->entries[order[i]];

		for (k = 0; k < e->nr; k++) {
			uint32_t id = st->frames[e->off + k];

			if (k)
				putc_unlocked(';', out);
			fwrite(intern__str(st->names, id), 1,
			       intern__len(st->names, id), out);
		}
		fprintf(out, " %llu\n", (unsigned long long)e->weight);
	}
	free(order);
	if (fflush(out) == EOF || ferror(out))
		return -EIO;
	return 0;
}
