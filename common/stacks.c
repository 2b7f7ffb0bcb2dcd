/* stacks: hash-aggregated folded stacks (see stacks.h).
 *
 * Frame ids of all distinct stacks live in one growing array; each entry
 * records an offset into it, so memory grows with distinct stacks, never
 * with samples. Sorting compares stacks as the text they print as, without
 * building that text.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
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

/* Past a few thousand samples, adding moves to a worker thread: the caller
 * copies each stack into a batch and goes on naming the next sample's
 * frames on its core while the worker hashes and merges whole batches on
 * the other. */
#define STACKS_WORKER_AFTER 8192	/* adds before the worker starts */
#define STACKS_BATCH_WORDS (1u << 16)
#define STACKS_NR_BATCHES 4
/* Stacks before sorting and writing take a second thread too. */
#define STACKS_PARALLEL_MIN 16384

/* Batches are filled at head and merged from tail, each slot an item
 * [nr, weight low, weight high, frames...]. Full ones are [tail, head). */
struct worker {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint32_t *batches[STACKS_NR_BATCHES];
	size_t lens[STACKS_NR_BATCHES];
	size_t fill;		/* words in batches[head % N], not yet full */
	unsigned head, tail;
	bool is_stopping;
	int err;		/* the first failure merging, for the caller */
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
	uint64_t nr_adds;
	struct worker *worker;	/* NULL until started */
};

static int merge(struct stacks *st, const uint32_t *frames, size_t nr,
		 uint64_t weight);

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

/* ---- the worker ---- */

static void merge_batch(struct stacks *st, const uint32_t *w, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t nr = w[i];
		uint64_t weight = w[i + 1] | (uint64_t)w[i + 2] << 32;
		int err = merge(st, w + i + 3, nr, weight);

		if (err && !st->worker->err) {
			pthread_mutex_lock(&st->worker->lock);
			st->worker->err = err;
			pthread_mutex_unlock(&st->worker->lock);
		}
		i += 3 + nr;
	}
}

static void *work(void *arg)
{
	struct stacks *st = arg;
	struct worker *w = st->worker;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		unsigned b;

		while (w->tail == w->head && !w->is_stopping)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->tail == w->head)
			break;
		b = w->tail % STACKS_NR_BATCHES;
		pthread_mutex_unlock(&w->lock);
		merge_batch(st, w->batches[b], w->lens[b]);
		pthread_mutex_lock(&w->lock);
		w->tail++;
		pthread_cond_broadcast(&w->cond);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static void free_worker(struct worker *w)
{
	size_t i;

	for (i = 0; i < STACKS_NR_BATCHES; i++)
		free(w->batches[i]);
	free(w);
}

/* Start the worker; on any failure, go on without one. */
static void start_worker(struct stacks *st)
{
	struct worker *w = calloc(1, sizeof(*w));
	size_t i;

	if (!w)
		return;
	for (i = 0; i < STACKS_NR_BATCHES; i++) {
		w->batches[i] = malloc(STACKS_BATCH_WORDS * sizeof(uint32_t));
		if (!w->batches[i]) {
			free_worker(w);
			return;
		}
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	st->worker = w;
	if (pthread_create(&w->thread, NULL, work, st)) {
		pthread_mutex_destroy(&w->lock);
		pthread_cond_destroy(&w->cond);
		free_worker(w);
		st->worker = NULL;
	}
}

/* Hand the batch being filled to the worker and wait for a free one.
 * Returns the worker's first error, if any. */
static int submit(struct worker *w)
{
	int err;

	pthread_mutex_lock(&w->lock);
	if (w->fill) {
		w->lens[w->head % STACKS_NR_BATCHES] = w->fill;
		w->head++;
		w->fill = 0;
		pthread_cond_broadcast(&w->cond);
	}
	while (w->head - w->tail == STACKS_NR_BATCHES)
		pthread_cond_wait(&w->cond, &w->lock);
	err = w->err;
	pthread_mutex_unlock(&w->lock);
	return err;
}

/* Wait until the worker has merged everything added: then the table is
 * the caller's to read until the next add. */
static int sync_worker(struct stacks *st)
{
	struct worker *w = st->worker;
	int err;

	if (!w)
		return 0;
	err = submit(w);
	pthread_mutex_lock(&w->lock);
	while (w->tail != w->head)
		pthread_cond_wait(&w->cond, &w->lock);
	err = err ? err : w->err;
	pthread_mutex_unlock(&w->lock);
	return err;
}

static void stop_worker(struct stacks *st)
{
	struct worker *w = st->worker;

	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->is_stopping = true;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	free_worker(w);
	st->worker = NULL;
}

void stacks__free(struct stacks *st)
{
	if (!st)
		return;
	stop_worker(st);
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

/* Merge a stack into the table (on the worker, once there is one). */
static int merge(struct stacks *st, const uint32_t *frames, size_t nr,
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
	return 0;
}

int stacks__add(struct stacks *st, const uint32_t *frames, size_t nr,
		uint64_t weight)
{
	struct worker *w = st->worker;
	uint32_t *item;
	int err;

	if (!w && ++st->nr_adds == STACKS_WORKER_AFTER)
		start_worker(st);
	w = st->worker;
	if (w && nr + 3 > STACKS_BATCH_WORDS - w->fill && (err = submit(w)))
		return err;
	if (!w || nr + 3 > STACKS_BATCH_WORDS) {
		/* no worker, or a stack longer than a batch */
		err = sync_worker(st);
		err = err ? err : merge(st, frames, nr, weight);
	} else {
		item = w->batches[w->head % STACKS_NR_BATCHES] + w->fill;
		item[0] = (uint32_t)nr;
		item[1] = (uint32_t)weight;
		item[2] = (uint32_t)(weight >> 32);
		memcpy(item + 3, frames, nr * sizeof(*frames));
		w->fill += 3 + nr;
		err = 0;
	}
	if (!err)
		st->total += weight;
	return err;
}

size_t stacks__count(struct stacks *st)
{
	sync_worker(st);	/* an error shows at stacks__write() */
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

/* Three-way partition of order[0..n) on the keys at depth d, around the
 * middle element's: [0,*lt) below, [*lt,*gt) equal, [*gt,n) above. */
static void partition(const struct sort_ctx *c, uint32_t *order, size_t n,
		      uint32_t d, size_t *lt_out, size_t *gt_out)
{
	size_t lt = 0, i = 0, gt = n;
	uint32_t pivot;

	swap_u32(&order[0], &order[n / 2]);
	pivot = key_at(c, order[0], d);
	while (i < gt) {
		uint32_t k;

		/* order[] visits entries all over memory: fetch ahead */
		if (i + 16 < gt)
			__builtin_prefetch(&c->st->entries[order[i + 16]]);
		if (i + 8 < gt)
			__builtin_prefetch(c->st->frames + d +
					   c->st->entries[order[i + 8]].off);
		k = key_at(c, order[i], d);

		if (k < pivot)
			swap_u32(&order[lt++], &order[i++]);
		else if (k > pivot)
			swap_u32(&order[i], &order[--gt]);
		else
			i++;
	}
	*lt_out = lt;
	*gt_out = gt;
}

/* Sort order[0..n), all equal below depth d. */
static void mkqsort(const struct sort_ctx *c, uint32_t *order, size_t n,
		    uint32_t d)
{
	while (n > 1) {
		size_t lt, gt;

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
		partition(c, order, n, d, &lt, &gt);
		mkqsort(c, order, lt, d);
		mkqsort(c, order + gt, n - gt, d);
		/* the equal middle goes on at the next depth; a stack whose
		 * last frame this was is alone there (stacks are distinct) */
		order += lt;
		n = gt - lt;
		d++;
	}
}

/* Sorting on two cores, overlapped with writing: the first partitions
 * cut the array into independent parts, in output order. A helper thread
 * sorts them front to back; the writer writes each part once it is
 * sorted, sorting it itself when the helper has not got to it. */
#define STACKS_SORT_TASKS 64

enum { TASK_TODO, TASK_SORTING, TASK_SORTED };

struct sort_task {
	uint32_t *order;
	size_t n;
	uint32_t d;
	int state;		/* atomic: TASK_* */
};

struct sort_job {
	const struct sort_ctx *c;
	struct sort_task tasks[STACKS_SORT_TASKS];
	size_t nr_tasks;
	bool is_stopping;	/* atomic: the writer failed */
};

/* Cut order[0..n) into tasks until each is at most a sixteenth of it. */
static void split_sort(struct sort_job *job, uint32_t *order, size_t n)
{
	size_t limit = n / 16, i, big, lt, gt;

	job->tasks[0] = (struct sort_task){order, n, 0, TASK_TODO};
	job->nr_tasks = 1;
	while (job->nr_tasks + 2 <= STACKS_SORT_TASKS) {
		struct sort_task t;

		for (i = 0, big = 0; i < job->nr_tasks; i++)
			if (job->tasks[i].n > job->tasks[big].n)
				big = i;
		t = job->tasks[big];
		if (t.n <= limit || t.n < 8)
			break;
		partition(job->c, t.order, t.n, t.d, &lt, &gt);
		job->tasks[big] = (struct sort_task){t.order + lt, gt - lt,
						     t.d + 1, TASK_TODO};
		if (lt)
			job->tasks[job->nr_tasks++] =
				(struct sort_task){t.order, lt, t.d, TASK_TODO};
		if (t.n > gt)
			job->tasks[job->nr_tasks++] = (struct sort_task){
				t.order + gt, t.n - gt, t.d, TASK_TODO};
	}
}

static int by_position(const void *a, const void *b)
{
	const struct sort_task *x = a, *y = b;

	return x->order < y->order ? -1 : x->order > y->order;
}

/* Sort task t unless the other thread took it; true when this one did. */
static bool take_and_sort(const struct sort_job *job, struct sort_task *t)
{
	int todo = TASK_TODO;

	if (!__atomic_compare_exchange_n(&t->state, &todo, TASK_SORTING, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		return false;
	mkqsort(job->c, t->order, t->n, t->d);
	__atomic_store_n(&t->state, TASK_SORTED, __ATOMIC_RELEASE);
	return true;
}

static void *run_sort_tasks(void *arg)
{
	struct sort_job *job = arg;
	size_t i;

	for (i = 0; i < job->nr_tasks &&
		    !__atomic_load_n(&job->is_stopping, __ATOMIC_RELAXED); i++)
		take_and_sort(job, &job->tasks[i]);
	return NULL;
}

/* Task t sorted, by this thread if no one has begun it. */
static void wait_sorted(const struct sort_job *job, struct sort_task *t)
{
	if (take_and_sort(job, t))
		return;
	while (__atomic_load_n(&t->state, __ATOMIC_ACQUIRE) != TASK_SORTED)
		sched_yield();	/* the helper is in it: at most a 16th */
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

/* The lines of order[from..to), in order, into o. */
static void write_range(const struct stacks *st, const struct name_ref *names,
			const uint32_t *order, size_t from, size_t to,
			struct outbuf *o)
{
	const struct entry *entries = st->entries;
	size_t i;

	/* the entries are in sorted order, scattered in memory: ask for
	 * each one's entry, then its frames, a few lines ahead */
	for (i = from; i < to; i++) {
		if (i + 16 < to)
			__builtin_prefetch(&entries[order[i + 16]]);
		if (i + 8 < to)
			__builtin_prefetch(st->frames + entries[order[i + 8]].off);
		write_stack(o, names, st->frames, &entries[order[i]]);
	}
}

/* Sort order[from..n) and write every line of order[0..n): for large n
 * on two threads, writing each part as soon as it is sorted. */
static int sort_and_write(const struct sort_ctx *c,
			  const struct name_ref *names, uint32_t *order,
			  size_t from, size_t n, struct outbuf *o)
{
	struct sort_job job = {.c = c};
	pthread_t helper;
	bool has_helper = false;
	size_t i;

	write_range(c->st, names, order, 0, from, o);	/* empty stacks */
	if (n - from < STACKS_PARALLEL_MIN) {
		mkqsort(c, order + from, n - from, 0);
		write_range(c->st, names, order, from, n, o);
	} else {
		split_sort(&job, order + from, n - from);
		qsort(job.tasks, job.nr_tasks, sizeof(*job.tasks),
		      by_position);
		has_helper = !pthread_create(&helper, NULL, run_sort_tasks,
					     &job);
		for (i = 0; i < job.nr_tasks && !o->failed; i++) {
			struct sort_task *t = &job.tasks[i];

			wait_sorted(&job, t);
			write_range(c->st, names, t->order, 0, t->n, o);
		}
		__atomic_store_n(&job.is_stopping, true, __ATOMIC_RELAXED);
		if (has_helper)
			pthread_join(helper, NULL);
	}
	out_flush(o);
	if (o->failed || fflush(o->f) == EOF || ferror(o->f))
		return -EIO;
	return 0;
}

static int write_sorted(const struct stacks *st, FILE *out)
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
	for (i = 0; i < nr_names; i++)
		names[i] = (struct name_ref){intern__str(st->names, i),
					     intern__len(st->names, i)};
	err = sort_and_write(&ctx, names, order, nr_empty, st->nr_entries,
			     &o);
out:
	free(o.p);
	free(ctx.key_cont);
	free(ctx.key_last);
	free(keys);
	free(names);
	free(order);
	return err;
}

int stacks__write(struct stacks *st, FILE *out)
{
	int err = sync_worker(st);

	return err ? err : write_sorted(st, out);
}
