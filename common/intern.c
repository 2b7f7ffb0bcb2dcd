/* intern: string set with dense ids (see intern.h).
 *
 * Strings live in fixed chunks that never move, so intern__str() pointers
 * stay valid; the id table is open addressing over the string records.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "intern.h"

#define CHUNK_SIZE (256 * 1024)

struct entry {
	const char *str;
	uint32_t len;
	uint32_t hash32;
};

struct chunk {
	struct chunk *next;
	size_t used, cap;
	char data[];
};

struct intern {
	struct entry *entries;	/* by id */
	uint32_t nr_entries, entries_cap;
	uint32_t *slots;	/* id + 1, 0 = empty */
	uint32_t slots_cap;	/* power of two */
	struct chunk *chunks;
};

struct intern *intern__new(void)
{
	struct intern *in = calloc(1, sizeof(*in));

	if (!in)
		return NULL;
	in->slots_cap = 1024;
	in->slots = calloc(in->slots_cap, sizeof(*in->slots));
	if (!in->slots) {
		free(in);
		errno = ENOMEM;
		return NULL;
	}
	return in;
}

void intern__free(struct intern *in)
{
	struct chunk *c, *next;

	if (!in)
		return;
	for (c = in->chunks; c; c = next) {
		next = c->next;
		free(c);
	}
	free(in->entries);
	free(in->slots);
	free(in);
}

static uint32_t lookup(const struct intern *in, const char *s, size_t len,
		       uint32_t h, uint32_t *slot)
{
	uint32_t mask = in->slots_cap - 1;
	uint32_t i = h & mask;

	for (;; i = (i + 1) & mask) {
		uint32_t v = in->slots[i];
		const struct entry *e;

		if (!v) {
			*slot = i;
			return INTERN_NONE;
		}
		e = &in->entries[v - 1];
		if (e->hash32 == h && e->len == len && !memcmp(e->str, s, len))
			return v - 1;
	}
}

uint32_t intern__find(const struct intern *in, const char *s, size_t len)
{
	uint32_t slot;

	return lookup(in, s, len, (uint32_t)hash__bytes(s, len, 0), &slot);
}

static int grow_slots(struct intern *in)
{
	uint32_t cap = in->slots_cap * 2, i;
	uint32_t *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (i = 0; i < in->nr_entries; i++) {
		uint32_t j = in->entries[i].hash32 & (cap - 1);

		while (slots[j])
			j = (j + 1) & (cap - 1);
		slots[j] = i + 1;
	}
	free(in->slots);
	in->slots = slots;
	in->slots_cap = cap;
	return 0;
}

static char *store(struct intern *in, const char *s, size_t len)
{
	struct chunk *c = in->chunks;
	char *p;

	if (!c || c->cap - c->used < len + 1) {
		size_t cap = len + 1 > CHUNK_SIZE ? len + 1 : CHUNK_SIZE;

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = in->chunks;
		in->chunks = c;
	}
	p = c->data + c->used;
	memcpy(p, s, len);
	p[len] = '\0';
	c->used += len + 1;
	return p;
}

uint32_t intern__add(struct intern *in, const char *s, size_t len)
{
	uint32_t h = (uint32_t)hash__bytes(s, len, 0);
	uint32_t slot, id = lookup(in, s, len, h, &slot);
	struct entry *e;

	if (id != INTERN_NONE)
		return id;
	if (len > UINT32_MAX - 1 || in->nr_entries >= UINT32_MAX - 1)
		return INTERN_NONE;
	if ((uint64_t)(in->nr_entries + 1) * 4 >= (uint64_t)in->slots_cap * 3) {
		if (grow_slots(in) < 0)
			return INTERN_NONE;
		lookup(in, s, len, h, &slot);
	}
	if (in->nr_entries == in->entries_cap) {
		uint32_t cap = in->entries_cap ? in->entries_cap * 2 : 1024;
		struct entry *ne = realloc(in->entries, cap * sizeof(*ne));

		if (!ne)
			return INTERN_NONE;
		in->entries = ne;
		in->entries_cap = cap;
	}
	e = &in->entries[in->nr_entries];
	e->str = store(in, s, len);
	if (!e->str)
		return INTERN_NONE;
	e->len = (uint32_t)len;
	e->hash32 = h;
	id = in->nr_entries++;
	in->slots[slot] = id + 1;
	return id;
}

const char *intern__str(const struct intern *in, uint32_t id)
{
	return in->entries[id].str;
}

size_t intern__len(const struct intern *in, uint32_t id)
{
	return in->entries[id].len;
}

uint32_t intern__count(const struct intern *in)
{
	return in->nr_entries;
}
