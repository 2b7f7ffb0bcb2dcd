/* symarr: sorted named address ranges with perf's tie rules (see symarr.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "symarr.h"

struct entry {
	uint64_t start;
	uint64_t size;
	size_t name_off;	/* into pool; names are NUL-terminated there */
	uint32_t name_len;
	uint32_t seq;		/* order of addition: the final tie-break */
	uint32_t tag;
	uint8_t binding;
};

struct symarr {
	struct entry *ents;
	size_t nr_ents, ents_cap;
	char *pool;
	size_t pool_len, pool_cap;
	struct symarr_sym *syms;	/* built by finish */
	size_t nr_syms;
};

struct symarr *symarr__new(void)
{
	struct symarr *a = calloc(1, sizeof(*a));

	if (!a)
		errno = ENOMEM;
	return a;
}

void symarr__free(struct symarr *a)
{
	if (!a)
		return;
	free(a->ents);
	free(a->pool);
	free(a->syms);
	free(a);
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * elem);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

int symarr__add(struct symarr *a, uint64_t start, uint64_t size,
		enum symarr_binding binding, const char *name, size_t len,
		uint32_t tag)
{
	struct entry *e;

	if (len > UINT32_MAX - 1 || a->nr_ents >= UINT32_MAX)
		return -ENOMEM;
	if (grow((void **)&a->ents, &a->ents_cap, a->nr_ents + 1,
		 sizeof(*a->ents)) ||
	    grow((void **)&a->pool, &a->pool_cap, a->pool_len + len + 1, 1))
		return -ENOMEM;
	e = &a->ents[a->nr_ents];
	e->start = start;
	e->size = size;
	e->name_off = a->pool_len;
	e->name_len = (uint32_t)len;
	e->seq = (uint32_t)a->nr_ents;
	e->tag = tag;
	e->binding = (uint8_t)binding;
	memcpy(a->pool + a->pool_len, name, len);
	a->pool[a->pool_len + len] = '\0';
	a->pool_len += len + 1;
	a->nr_ents++;
	return 0;
}

static int cmp_entry(const void *pa, const void *pb)
{
	const struct entry *x = pa, *y = pb;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static unsigned int leading_underscores(const char *s)
{
	unsigned int n = 0;

	while (s[n] == '_')
		n++;
	return n;
}

/* True when b should replace a, which was added before b (perf's
 * choose_best_symbol() returning SYMBOL_B). */
static int better(const struct symarr *arr, const struct entry *a,
		  const struct entry *b)
{
	unsigned int ua, ub;

	if ((a->size == 0) != (b->size == 0))
		return a->size == 0;
	if ((a->binding == SYMARR_WEAK) != (b->binding == SYMARR_WEAK))
		return a->binding == SYMARR_WEAK;
	if ((a->binding == SYMARR_GLOBAL) != (b->binding == SYMARR_GLOBAL))
		return b->binding == SYMARR_GLOBAL;
	ua = leading_underscores(arr->pool + a->name_off);
	ub = leading_underscores(arr->pool + b->name_off);
	if (ua != ub)
		return ua > ub;
	return b->name_len > a->name_len;
}

static size_t dedup(struct symarr *a, unsigned int flags)
{
	size_t i, out = 0;

	for (i = 0; i < a->nr_ents; i++) {
		struct entry *e = &a->ents[i];

		if (out && a->ents[out - 1].start == e->start) {
			if ((flags & SYMARR_KEEP_LAST) ||
			    ((flags & SYMARR_PERF_DEDUP) &&
			     better(a, &a->ents[out - 1], e)))
				a->ents[out - 1] = *e;
			continue;
		}
		a->ents[out++] = *e;
	}
	return out;
}

/* perf's roundup(addr, 4096) + 4096 for the last symbol. */
static uint64_t last_end(uint64_t addr)
{
	return ((addr + 4095) & ~(uint64_t)4095) + 4096;
}

int symarr__finish(struct symarr *a, unsigned int flags)
{
	size_t i, n;

	qsort(a->ents, a->nr_ents, sizeof(*a->ents), cmp_entry);
	n = a->nr_ents;
	if (flags & (SYMARR_PERF_DEDUP | SYMARR_KEEP_FIRST | SYMARR_KEEP_LAST))
		n = dedup(a, flags);
	a->syms = calloc(n ? n : 1, sizeof(*a->syms));
	if (!a->syms)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct entry *e = &a->ents[i];
		struct symarr_sym *s = &a->syms[i];

		s->start = e->start;
		s->end = e->start + e->size;
		if (s->end < s->start)
			s->end = UINT64_MAX;
		s->name = a->pool + e->name_off;
		s->tag = e->tag;
		if (!(flags & SYMARR_FIXUP_END) || e->size)
			continue;
		if (i + 1 == n)
			s->end = last_end(e->start);
		else if ((flags & SYMARR_KALLSYMS) &&
			 !e->tag != !a->ents[i + 1].tag)
			/* perf rounds prev->end + 4096 up to a page; end ==
			 * start here, so that is the next page boundary
			 * (or start + 4096 when start is page aligned). */
			s->end = (e->start + 4096 + 4095) & ~(uint64_t)4095;
		else
			s->end = a->ents[i + 1].start;
	}
	a->nr_syms = n;
	free(a->ents);
	a->ents = NULL;
	a->nr_ents = a->ents_cap = 0;
	return 0;
}

const struct symarr_sym *symarr__find(const struct symarr *a, uint64_t addr)
{
	size_t lo = 0, hi = a->nr_syms;
	const struct symarr_sym *s;

	/* Find the first entry starting above addr; the one before it is the
	 * candidate. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a->syms[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	s = &a->syms[lo - 1];
	return addr < s->end ? s : NULL;
}

size_t symarr__count(const struct symarr *a)
{
	return a->nr_syms;
}

const struct symarr_sym *symarr__at(const struct symarr *a, size_t i)
{
	return i < a->nr_syms ? &a->syms[i] : NULL;
}
