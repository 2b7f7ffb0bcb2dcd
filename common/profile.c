/* profile: locations, mappings and stacks per thread (see profile.h).
 *
 * Four tables, each an array with an open-addressing index of its own:
 * locations by (mapping, address, names), mappings by the session's id,
 * threads by (pid, tid, comm), stacks by (thread, locations). Locations
 * come once per distinct address (symbolize caches their tokens), stacks
 * once per sample: a stack is hashed over its location tokens, without
 * the inlined entries, which their location implies.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "hash.h"
#include "intern.h"
#include "profile.h"

struct loc_rec {
	uint64_t ip;
	uint32_t mapping, map_id;	/* map_id: the session's, or NO_MAP */
	enum frame_kind kind;
	uint32_t first, nr;		/* in ids */
	uint32_t file;			/* in strings, or INTERN_NONE */
};

struct stack_rec {
	uint32_t thread, first, nr;	/* in stack_locs */
	uint32_t hash;
	uint64_t count, weight;
};

struct thread_rec {
	int32_t pid, tid;
	uint32_t comm;			/* in strings */
	uint64_t weight, nr_samples;
	uint32_t *stacks;
	uint64_t *weights;
	size_t nr, cap;
};

/* an open-addressing index: slots hold an array index + 1, 0 empty */
struct index {
	uint32_t *slots;
	size_t cap;			/* power of two */
};

#define NO_MAP UINT32_MAX

struct profile {
	bool keep_order;
	struct intern *strings;		/* comms, Python files */
	struct loc_rec *locs;
	size_t nr_locs, locs_cap;
	uint32_t *ids;
	size_t ids_len, ids_cap;
	struct index loc_index;
	struct profile_mapping *maps;
	uint32_t *map_ids;		/* the session's id of each */
	size_t nr_maps, maps_cap, map_ids_cap;
	struct index map_index;
	struct thread_rec *threads;
	size_t nr_threads, threads_cap;
	uint32_t last_thread;		/* index + 1 */
	struct stack_rec *stacks;
	size_t nr_stacks, stacks_cap;
	uint32_t *stack_locs;
	size_t stack_locs_len, stack_locs_cap;
	struct index stack_index;
	uint32_t scratch[FOLDER_MAX_FRAMES + 3];
	uint64_t first_time, last_time;
};

static int index_init(struct index *x)
{
	x->cap = 1024;
	x->slots = calloc(x->cap, sizeof(*x->slots));
	return x->slots ? 0 : -ENOMEM;
}

/* Make room for one more of nr entries whose hashes hash_of() gives. */
static int index_reserve(struct index *x, size_t nr, const void *ctx,
			 uint32_t (*hash_of)(const void *ctx, uint32_t i))
{
	uint32_t *old = x->slots;
	size_t old_cap = x->cap, i, j;

	if ((nr + 1) * 2 <= x->cap)
		return 0;
	x->slots = calloc(old_cap * 2, sizeof(*x->slots));
	if (!x->slots) {
		x->slots = old;
		return -ENOMEM;
	}
	x->cap = old_cap * 2;
	for (i = 0; i < old_cap; i++) {
		if (!old[i])
			continue;
		for (j = hash_of(ctx, old[i] - 1) & (x->cap - 1); x->slots[j];
		     j = (j + 1) & (x->cap - 1))
			;
		x->slots[j] = old[i];
	}
	free(old);
	return 0;
}

struct profile *profile__new(bool keep_order)
{
	struct profile *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->keep_order = keep_order;
	p->strings = intern__new();
	if (!p->strings || index_init(&p->loc_index) ||
	    index_init(&p->map_index) || index_init(&p->stack_index)) {
		profile__free(p);
		errno = ENOMEM;
		return NULL;
	}
	return p;
}

void profile__free(struct profile *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->nr_threads; i++) {
		free(p->threads[i].stacks);
		free(p->threads[i].weights);
	}
	for (i = 0; i < p->nr_maps; i++)
		free((char *)p->maps[i].file);
	free(p->threads);
	free(p->maps);
	free(p->map_ids);
	free(p->map_index.slots);
	free(p->locs);
	free(p->ids);
	free(p->loc_index.slots);
	free(p->stacks);
	free(p->stack_locs);
	free(p->stack_index.slots);
	intern__free(p->strings);
	free(p);
}

/* ---- mappings ---- */

static uint32_t map_hash(const void *ctx, uint32_t i)
{
	const struct profile *p = ctx;

	return (uint32_t)hash__mix(p->map_ids[i]);
}

/* The index + 1 of mapping m, added when new; 0 when out of memory. */
static uint32_t add_mapping(struct profile *p, const struct folder_mapping *m)
{
	struct profile_mapping *pm;
	size_t j;

	if (index_reserve(&p->map_index, p->nr_maps, p, map_hash))
		return 0;
	for (j = hash__mix(m->id) & (p->map_index.cap - 1);
	     p->map_index.slots[j]; j = (j + 1) & (p->map_index.cap - 1))
		if (p->map_ids[p->map_index.slots[j] - 1] == m->id)
			return p->map_index.slots[j];
	if (array__reserve((void **)&p->maps, &p->maps_cap, p->nr_maps + 1,
			   sizeof(*p->maps)) ||
	    array__reserve((void **)&p->map_ids, &p->map_ids_cap,
			   p->nr_maps + 1, sizeof(*p->map_ids)))
		return 0;
	pm = &p->maps[p->nr_maps];
	memset(pm, 0, sizeof(*pm));
	pm->start = m->start;
	pm->limit = m->limit;
	pm->pgoff = m->pgoff;
	pm->file = strdup(m->file ? m->file : "");
	if (!pm->file)
		return 0;
	pm->build_id_size = (uint8_t)(m->build_id_size < 20 ? m->build_id_size
							    : 20);
	memcpy(pm->build_id, m->build_id, pm->build_id_size);
	p->map_ids[p->nr_maps] = m->id;
	p->map_index.slots[j] = (uint32_t)++p->nr_maps;
	return (uint32_t)p->nr_maps;
}

void profile__set_build_id(struct profile *p, const char *file,
			   const uint8_t *build_id, size_t size)
{
	size_t i;

	for (i = 0; i < p->nr_maps; i++) {
		struct profile_mapping *m = &p->maps[i];

		if (m->build_id_size || strcmp(m->file, file))
			continue;
		m->build_id_size = (uint8_t)(size < 20 ? size : 20);
		memcpy(m->build_id, build_id, m->build_id_size);
	}
}

/* ---- locations ---- */

static uint32_t loc_key_hash(uint32_t map_id, uint64_t ip, const uint32_t *ids,
			     size_t nr)
{
	return (uint32_t)hash__bytes(ids, nr * sizeof(*ids),
				     ip ^ ((uint64_t)map_id << 48));
}

static uint32_t loc_hash(const void *ctx, uint32_t i)
{
	const struct profile *p = ctx;
	const struct loc_rec *r = &p->locs[i];

	return loc_key_hash(r->map_id, r->ip, p->ids + r->first, r->nr);
}

/* A Python frame's file: CPython's perf map names it py::QUAL:FILE (a
 * qualified name has no ':'; perf script text says the same). INTERN_NONE
 * for other frames. */
static uint32_t python_file(struct profile *p, const struct folder_loc *l)
{
	const char *colon;

	if ((l->kind != FRAME_PYTHON && l->kind != FRAME_TEXT) ||
	    l->sym.len < 5 || memcmp(l->sym.s, "py::", 4))
		return INTERN_NONE;
	colon = memchr(l->sym.s + 4, ':', l->sym.len - 4);
	if (!colon || colon + 1 == l->sym.s + l->sym.len)
		return INTERN_NONE;
	return intern__add(p->strings, colon + 1,
			   (size_t)(l->sym.s + l->sym.len - colon - 1));
}

static bool is_named(const struct folder_loc *l)
{
	return l->sym.len && !(l->sym.len == 9 &&
			       !memcmp(l->sym.s, "[unknown]", 9));
}

static uint32_t on_location(void *ctx, const struct folder_loc *l)
{
	struct profile *p = ctx;
	uint32_t map_id = l->map ? l->map->id : NO_MAP;
	uint32_t h = loc_key_hash(map_id, l->ip, l->ids, l->nr);
	struct loc_rec *r;
	size_t j;

	if (index_reserve(&p->loc_index, p->nr_locs, p, loc_hash))
		return FOLDER_LOC_NONE;
	for (j = h & (p->loc_index.cap - 1); p->loc_index.slots[j];
	     j = (j + 1) & (p->loc_index.cap - 1)) {
		r = &p->locs[p->loc_index.slots[j] - 1];
		if (r->map_id == map_id && r->ip == l->ip && r->nr == l->nr &&
		    !memcmp(p->ids + r->first, l->ids, l->nr * sizeof(*l->ids)))
			return p->loc_index.slots[j] - 1;
	}
	if (p->nr_locs + 1 >= FOLDER_LOC_INLINED ||
	    array__reserve((void **)&p->locs, &p->locs_cap, p->nr_locs + 1,
			   sizeof(*p->locs)) ||
	    array__reserve((void **)&p->ids, &p->ids_cap, p->ids_len + l->nr,
			   sizeof(*p->ids)))
		return FOLDER_LOC_NONE;
	r = &p->locs[p->nr_locs];
	r->ip = l->ip;
	r->map_id = map_id;
	r->kind = l->kind;
	r->mapping = l->map ? add_mapping(p, l->map) : 0;
	if (l->map && !r->mapping)
		return FOLDER_LOC_NONE;
	if (r->mapping && is_named(l))
		p->maps[r->mapping - 1].has_names = true;
	r->file = python_file(p, l);
	r->first = (uint32_t)p->ids_len;
	r->nr = (uint32_t)l->nr;
	memcpy(p->ids + p->ids_len, l->ids, l->nr * sizeof(*l->ids));
	p->ids_len += l->nr;
	p->loc_index.slots[j] = (uint32_t)++p->nr_locs;
	return (uint32_t)p->nr_locs - 1;
}

/* ---- threads and stacks ---- */

static bool is_comm(const struct profile *p, uint32_t comm, struct slice s)
{
	return intern__len(p->strings, comm) == s.len &&
	       !memcmp(intern__str(p->strings, comm), s.s, s.len);
}

/* The index of the thread who names, added when new; -ENOMEM. */
static int64_t thread_of(struct profile *p, const struct folder_who *w)
{
	int32_t pid = w->pid_nr, tid = w->tid_nr;
	uint32_t comm;
	size_t i;

	if (!w->is_nr) {
		pid = w->pid.len ? (int32_t)strtol(w->pid.s, NULL, 10) : -1;
		tid = (int32_t)strtol(w->tid.s, NULL, 10);
	}
	/* most samples are the last one's thread's: no hashing */
	if (p->last_thread) {
		const struct thread_rec *t = &p->threads[p->last_thread - 1];

		if (t->pid == pid && t->tid == tid && is_comm(p, t->comm, w->comm))
			return p->last_thread - 1;
	}
	comm = intern__add(p->strings, w->comm.s, w->comm.len);
	if (comm == INTERN_NONE)
		return -ENOMEM;
	/* few threads: a search, from the newest */
	for (i = p->nr_threads; i-- > 0;)
		if (p->threads[i].tid == tid && p->threads[i].pid == pid &&
		    p->threads[i].comm == comm)
			break;
	if (i == (size_t)-1) {
		if (array__reserve((void **)&p->threads, &p->threads_cap,
				   p->nr_threads + 1, sizeof(*p->threads)))
			return -ENOMEM;
		i = p->nr_threads++;
		memset(&p->threads[i], 0, sizeof(p->threads[i]));
		p->threads[i].pid = pid;
		p->threads[i].tid = tid;
		p->threads[i].comm = comm;
	}
	p->last_thread = (uint32_t)i + 1;
	return (int64_t)i;
}

static uint32_t stack_key_hash(uint32_t thread, const uint32_t *locs,
			       size_t nr)
{
	return (uint32_t)hash__bytes(locs, nr * sizeof(*locs), thread);
}

static uint32_t stack_hash(const void *ctx, uint32_t i)
{
	const struct profile *p = ctx;

	return p->stacks[i].hash;
}

static int64_t on_stack(void *ctx, const struct folder_sample *s)
{
	struct profile *p = ctx;
	int64_t thread = thread_of(p, s->who);
	uint32_t *locs = p->scratch, h;
	struct stack_rec *r;
	size_t i, nr = 0, j;

	if (thread < 0)
		return thread;
	for (i = 0; i < s->nr; i++) {
		if (s->locs[i] == FOLDER_LOC_NONE)
			return -ENOMEM;	/* its location was not made */
		if (!(s->locs[i] & FOLDER_LOC_INLINED))
			locs[nr++] = s->locs[i];
	}
	if (s->who->time) {
		if (!p->first_time || s->who->time < p->first_time)
			p->first_time = s->who->time;
		if (s->who->time > p->last_time)
			p->last_time = s->who->time;
	}
	h = stack_key_hash((uint32_t)thread, locs, nr);
	if (index_reserve(&p->stack_index, p->nr_stacks, p, stack_hash))
		return -ENOMEM;
	for (j = h & (p->stack_index.cap - 1); p->stack_index.slots[j];
	     j = (j + 1) & (p->stack_index.cap - 1)) {
		r = &p->stacks[p->stack_index.slots[j] - 1];
		if (r->hash == h && r->thread == thread && r->nr == nr &&
		    !memcmp(p->stack_locs + r->first, locs, nr * sizeof(*locs)))
			return p->stack_index.slots[j] - 1;
	}
	if (array__reserve((void **)&p->stacks, &p->stacks_cap,
			   p->nr_stacks + 1, sizeof(*p->stacks)) ||
	    array__reserve((void **)&p->stack_locs, &p->stack_locs_cap,
			   p->stack_locs_len + nr, sizeof(*p->stack_locs)))
		return -ENOMEM;
	r = &p->stacks[p->nr_stacks];
	memset(r, 0, sizeof(*r));
	r->thread = (uint32_t)thread;
	r->hash = h;
	r->first = (uint32_t)p->stack_locs_len;
	r->nr = (uint32_t)nr;
	memcpy(p->stack_locs + p->stack_locs_len, locs, nr * sizeof(*locs));
	p->stack_locs_len += nr;
	p->stack_index.slots[j] = (uint32_t)++p->nr_stacks;
	return (int64_t)p->nr_stacks - 1;
}

static int on_add(void *ctx, uint32_t h, uint64_t weight)
{
	struct profile *p = ctx;
	struct stack_rec *r = &p->stacks[h];
	struct thread_rec *t = &p->threads[r->thread];

	r->count++;
	r->weight += weight;
	t->nr_samples++;
	t->weight += weight;
	if (!p->keep_order)
		return 0;
	/* the same stack again: one sample of their summed weight, as a
	 * timeline draws them */
	if (t->nr && t->stacks[t->nr - 1] == h) {
		t->weights[t->nr - 1] += weight;
		return 0;
	}
	if (t->nr == t->cap) {
		size_t cap = t->cap;

		if (array__reserve((void **)&t->stacks, &cap, t->nr + 1,
				   sizeof(*t->stacks)) ||
		    array__reserve((void **)&t->weights, &t->cap, t->nr + 1,
				   sizeof(*t->weights)))
			return -ENOMEM;
	}
	t->stacks[t->nr] = h;
	t->weights[t->nr++] = weight;
	return 0;
}

void profile__sink(struct profile *p, struct folder_sink *sink)
{
	*sink = (struct folder_sink){
		.location = on_location,
		.stack = on_stack,
		.add = on_add,
		.ctx = p,
	};
}

/* ---- accessors ---- */

size_t profile__nr_locs(const struct profile *p)
{
	return p->nr_locs;
}

struct profile_loc profile__loc(const struct profile *p, uint32_t i)
{
	const struct loc_rec *r = &p->locs[i];

	return (struct profile_loc){
		.ip = r->ip, .mapping = r->mapping, .kind = r->kind,
		.ids = p->ids + r->first, .nr = r->nr,
		.file = r->file == INTERN_NONE ? NULL
					       : intern__str(p->strings, r->file),
	};
}

size_t profile__nr_mappings(const struct profile *p)
{
	return p->nr_maps;
}

const struct profile_mapping *profile__mapping(const struct profile *p,
					       uint32_t i)
{
	return &p->maps[i];
}

size_t profile__nr_threads(const struct profile *p)
{
	return p->nr_threads;
}

struct profile_thread profile__thread(const struct profile *p,
					     uint32_t i)
{
	const struct thread_rec *t = &p->threads[i];

	return (struct profile_thread){
		.pid = t->pid, .tid = t->tid,
		.comm = intern__str(p->strings, t->comm),
		.weight = t->weight, .nr_samples = t->nr_samples,
		.stacks = t->stacks, .weights = t->weights, .nr = t->nr,
	};
}

size_t profile__nr_stacks(const struct profile *p)
{
	return p->nr_stacks;
}

struct profile_stack profile__stack(const struct profile *p,
					   uint32_t i)
{
	const struct stack_rec *r = &p->stacks[i];

	return (struct profile_stack){
		.thread = r->thread, .locs = p->stack_locs + r->first,
		.nr = r->nr, .count = r->count, .weight = r->weight,
	};
}

const char *profile__process_comm(const struct profile *p,
				  const struct profile_thread *t)
{
	size_t i;

	for (i = 0; i < p->nr_threads; i++)
		if (p->threads[i].pid == t->pid && p->threads[i].tid == t->pid)
			return intern__str(p->strings, p->threads[i].comm);
	return t->comm;
}

void profile__time_range(const struct profile *p, uint64_t *first,
			 uint64_t *last)
{
	*first = p->first_time;
	*last = p->last_time;
}
