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
#include "debugfile.h"
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
	uint64_t count, weight;
};

enum op_kind { OP_SAMPLE, OP_STACK, OP_ADD };

/* a sample's stack and weight (OP_SAMPLE), a wait's stack (OP_STACK: its
 * handle seq), or a wait's weight (OP_ADD on handle seq) */
struct op {
	enum op_kind kind;
	uint32_t thread, hash, nr, seq;
	uint64_t weight;
	uint32_t *locs;			/* FOLDER_MAX_FRAMES + 3 */
};

#define PROFILE_AHEAD 8

struct thread_rec {
	int32_t pid, tid;
	uint32_t comm;			/* in strings */
	uint64_t weight, nr_samples;
	uint32_t *stacks;
	uint64_t *weights;
	size_t nr, cap;
};

/* an open-addressing index: a slot holds an entry's hash (high half) and
 * its array index + 1 (low half); 0 is empty. Probes compare hashes
 * before they touch an entry. */
struct index {
	uint64_t *slots;
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
	struct op ops[PROFILE_AHEAD];	/* a ring, first_op the oldest */
	size_t first_op, nr_ops;
	uint32_t *ops_locs;
	uint32_t *wait_stacks;		/* a wait's stack by its handle */
	size_t nr_waits, wait_stacks_cap;
	int err;			/* of an operation done late */
	uint64_t first_time, last_time;
};

static int index_init(struct index *x)
{
	x->cap = 1024;
	x->slots = calloc(x->cap, sizeof(*x->slots));
	return x->slots ? 0 : -ENOMEM;
}

/* Make room for one more of nr entries. */
static int index_reserve(struct index *x, size_t nr)
{
	uint64_t *old = x->slots;
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
		for (j = (old[i] >> 32) & (x->cap - 1); x->slots[j];
		     j = (j + 1) & (x->cap - 1))
			;
		x->slots[j] = old[i];
	}
	free(old);
	return 0;
}

/* The entry of slot j whose hash is h: its index + 1, else 0. */
static inline uint32_t index_entry(const struct index *x, size_t j,
				   uint32_t h)
{
	return (uint32_t)(x->slots[j] >> 32) == h ? (uint32_t)x->slots[j] : 0;
}

static inline void index_set(struct index *x, size_t j, uint32_t h,
			     size_t nr)
{
	x->slots[j] = (uint64_t)h << 32 | (uint32_t)nr;
}

struct profile *profile__new(bool keep_order)
{
	struct profile *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	size_t i;

	p->keep_order = keep_order;
	p->strings = intern__new();
	p->ops_locs = malloc(PROFILE_AHEAD * (FOLDER_MAX_FRAMES + 3) *
			     sizeof(*p->ops_locs));
	for (i = 0; p->ops_locs && i < PROFILE_AHEAD; i++)
		p->ops[i].locs = p->ops_locs + i * (FOLDER_MAX_FRAMES + 3);
	if (!p->strings || !p->ops_locs || index_init(&p->loc_index) ||
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
	free(p->ops_locs);
	free(p->wait_stacks);
	intern__free(p->strings);
	free(p);
}

/* ---- mappings ---- */

/* The index + 1 of mapping m, added when new; 0 when out of memory. */
static uint32_t add_mapping(struct profile *p, const struct folder_mapping *m)
{
	uint32_t h = (uint32_t)hash__mix(m->id), k;
	struct profile_mapping *pm;
	size_t j;

	if (index_reserve(&p->map_index, p->nr_maps))
		return 0;
	for (j = h & (p->map_index.cap - 1); p->map_index.slots[j];
	     j = (j + 1) & (p->map_index.cap - 1))
		if ((k = index_entry(&p->map_index, j, h)) &&
		    p->map_ids[k - 1] == m->id)
			return k;
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
	index_set(&p->map_index, j, h, ++p->nr_maps);
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

void profile__read_build_ids(struct profile *p)
{
	size_t i;
	int n;

	for (i = 0; i < p->nr_maps; i++) {
		struct profile_mapping *m = &p->maps[i];

		if (m->build_id_size || m->file[0] != '/')
			continue;
		n = debugfile__read_build_id(m->file, m->build_id,
					     sizeof(m->build_id));
		if (n > 0)
			m->build_id_size = (uint8_t)n;
	}
}

/* ---- locations ---- */

static uint32_t loc_key_hash(uint32_t map_id, uint64_t ip, const uint32_t *ids,
			     size_t nr)
{
	return (uint32_t)hash__bytes(ids, nr * sizeof(*ids),
				     ip ^ ((uint64_t)map_id << 48));
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
	uint32_t k;
	size_t j;

	if (index_reserve(&p->loc_index, p->nr_locs))
		return FOLDER_LOC_NONE;
	for (j = h & (p->loc_index.cap - 1); p->loc_index.slots[j];
	     j = (j + 1) & (p->loc_index.cap - 1)) {
		if (!(k = index_entry(&p->loc_index, j, h)))
			continue;
		r = &p->locs[k - 1];
		if (r->map_id == map_id && r->ip == l->ip && r->nr == l->nr &&
		    !memcmp(p->ids + r->first, l->ids, l->nr * sizeof(*l->ids)))
			return k - 1;
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
	index_set(&p->loc_index, j, h, ++p->nr_locs);
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

/* The index of the stack locs[0..nr) of thread (hash h), added when new;
 * -ENOMEM. */
static int64_t find_stack(struct profile *p, uint32_t thread,
			  const uint32_t *locs, uint32_t nr, uint32_t h)
{
	struct stack_rec *r;
	uint32_t k;
	size_t j;

	if (index_reserve(&p->stack_index, p->nr_stacks))
		return -ENOMEM;
	for (j = h & (p->stack_index.cap - 1); p->stack_index.slots[j];
	     j = (j + 1) & (p->stack_index.cap - 1)) {
		if (!(k = index_entry(&p->stack_index, j, h)))
			continue;
		r = &p->stacks[k - 1];
		if (r->thread == thread && r->nr == nr &&
		    (!nr || !memcmp(p->stack_locs + r->first, locs,
				    nr * sizeof(*locs))))
			return k - 1;
	}
	if (array__reserve((void **)&p->stacks, &p->stacks_cap,
			   p->nr_stacks + 1, sizeof(*p->stacks)) ||
	    array__reserve((void **)&p->stack_locs, &p->stack_locs_cap,
			   p->stack_locs_len + nr, sizeof(*p->stack_locs)))
		return -ENOMEM;
	r = &p->stacks[p->nr_stacks];
	memset(r, 0, sizeof(*r));
	r->thread = thread;
	r->first = (uint32_t)p->stack_locs_len;
	r->nr = nr;
	if (nr)		/* an empty stack (no frame) has no locations */
		memcpy(p->stack_locs + p->stack_locs_len, locs,
		       nr * sizeof(*locs));
	p->stack_locs_len += nr;
	index_set(&p->stack_index, j, h, ++p->nr_stacks);
	return (int64_t)p->nr_stacks - 1;
}

/* Weight on stack h, now. 0 or -ENOMEM. */
static int add_weight(struct profile *p, uint32_t h, uint64_t weight)
{
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

/* ---- the operations, PROFILE_AHEAD behind ----
 *
 * A stack is looked up PROFILE_AHEAD operations after it came, its index
 * slot prefetched when it came: the lookup of a table much larger than
 * the cache would otherwise wait for memory on every sample. Operations
 * are done in the order they came, so each thread's samples stay in time
 * order. */

static int do_op(struct profile *p, const struct op *op)
{
	int64_t h;

	if (op->kind == OP_ADD)
		return add_weight(p, p->wait_stacks[op->seq], op->weight);
	h = find_stack(p, op->thread, op->locs, op->nr, op->hash);
	if (h < 0)
		return (int)h;
	if (op->kind == OP_STACK) {
		p->wait_stacks[op->seq] = (uint32_t)h;
		return 0;
	}
	return add_weight(p, (uint32_t)h, op->weight);
}

/* The next operation's slot, the oldest done first when all are taken;
 * NULL after an error (sticky: said by profile__finish() too). */
static struct op *next_op(struct profile *p)
{
	struct op *op;

	if (p->err)
		return NULL;
	if (p->nr_ops == PROFILE_AHEAD) {
		op = &p->ops[p->first_op];
		p->first_op = (p->first_op + 1) % PROFILE_AHEAD;
		p->nr_ops--;
		if ((p->err = do_op(p, op)) < 0)
			return NULL;
	}
	op = &p->ops[(p->first_op + p->nr_ops++) % PROFILE_AHEAD];
	return op;
}

/* An operation on the stack of s: its locations without the inlined
 * entries (their location implies them), its thread, its hash. */
static int stack_op(struct profile *p, const struct folder_sample *s,
		    enum op_kind kind, uint64_t weight, uint32_t seq)
{
	int64_t thread = thread_of(p, s->who);
	struct op *op;
	size_t i;

	if (thread < 0)
		return (int)thread;
	if (!(op = next_op(p)))
		return p->err;
	op->kind = kind;
	op->thread = (uint32_t)thread;
	op->weight = weight;
	op->seq = seq;
	op->nr = 0;
	for (i = 0; i < s->nr; i++) {
		if (s->locs[i] == FOLDER_LOC_NONE)
			return p->err = -ENOMEM; /* its location was not made */
		if (!(s->locs[i] & FOLDER_LOC_INLINED))
			op->locs[op->nr++] = s->locs[i];
	}
	if (s->who->time) {
		if (!p->first_time || s->who->time < p->first_time)
			p->first_time = s->who->time;
		if (s->who->time > p->last_time)
			p->last_time = s->who->time;
	}
	op->hash = stack_key_hash(op->thread, op->locs, op->nr);
	__builtin_prefetch(&p->stack_index.slots[op->hash &
						 (p->stack_index.cap - 1)]);
	return 0;
}

static int on_sample(void *ctx, const struct folder_sample *s,
		     uint64_t weight)
{
	return stack_op(ctx, s, OP_SAMPLE, weight, 0);
}

static int64_t on_stack(void *ctx, const struct folder_sample *s)
{
	struct profile *p = ctx;
	int err;

	if (array__reserve((void **)&p->wait_stacks, &p->wait_stacks_cap,
			   p->nr_waits + 1, sizeof(*p->wait_stacks)))
		return -ENOMEM;
	err = stack_op(p, s, OP_STACK, 0, (uint32_t)p->nr_waits);
	return err ? err : (int64_t)p->nr_waits++;
}

static int on_add(void *ctx, uint32_t h, uint64_t weight)
{
	struct profile *p = ctx;
	struct op *op = next_op(p);

	if (!op)
		return p->err;
	op->kind = OP_ADD;
	op->seq = h;
	op->weight = weight;
	return 0;
}

int profile__finish(struct profile *p)
{
	while (p->nr_ops && !p->err) {
		struct op *op = &p->ops[p->first_op];

		p->first_op = (p->first_op + 1) % PROFILE_AHEAD;
		p->nr_ops--;
		p->err = do_op(p, op);
	}
	return p->err;
}

void profile__sink(struct profile *p, struct folder_sink *sink)
{
	*sink = (struct folder_sink){
		.location = on_location,
		.sample = on_sample,
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
		.thread = r->thread,
		.locs = r->nr ? p->stack_locs + r->first : NULL,
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
