/* foldtab: folded stacks aggregated by text, written sorted (foldtab.h).
 *
 * Each stack is copied once into an arena of large chunks, as an entry:
 * its length, hash and weights, then its text right after them, so that a
 * lookup that finds the entry finds the start of its text in the same
 * cache line. An open-addressing table of entry numbers, each with the
 * stack's hash beside it, finds them; a slot whose hash differs is passed
 * over without reading its entry. Writing sorts the entries with a
 * multikey quicksort (Bentley and Sedgewick's three-way radix quicksort):
 * stacks share long prefixes (the same root frames), which a comparison
 * sort would compare again at every step, while the radix sort looks at
 * each part of a shared prefix about once per partition. Its parts are 7
 * bytes, held as keys in an array beside the entries, so that a partition
 * reads the array and not the entries.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "folded.h"
#include "foldtab.h"
#include "hash.h"

#define CHUNK_SIZE (4u << 20)
#define HASH_SEED 0x666f6c64746162ULL	/* "foldtab" */
#define SMALL_SORT 12

struct entry {
	uint32_t len;
	uint32_t hash;		/* low bits of the stack's hash */
	double w[FOLDTAB_MAX_COLUMNS];
	char stack[];		/* len bytes, not NUL-terminated */
};

/* An entry being sorted, with its key at the depth it is sorted at
 * (key_at()), so that partitioning reads the array and not the entries. */
struct sortkey {
	uint64_t key;
	struct entry *e;
};

struct chunk {
	struct chunk *next;
	size_t used, cap;
	char data[];
};

struct foldtab {
	unsigned nr_columns;
	struct entry **entries;	/* in the arena; sorting reorders these */
	size_t nr_entries, entries_cap;
	/* the stack's hash << 32 | entry number + 1; 0 = empty. The hash in
	 * the slot spares a probe the cache miss of reading the entry */
	uint64_t *slots;
	size_t slots_mask;	/* slots has slots_mask + 1 entries */
	int is_stale;		/* entries were reordered: slots need a rebuild */
	struct chunk *chunks;
	double total[FOLDTAB_MAX_COLUMNS];
};

struct foldtab *foldtab__new(unsigned nr_columns)
{
	struct foldtab *t;

	if (nr_columns < 1 || nr_columns > FOLDTAB_MAX_COLUMNS) {
		errno = EINVAL;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t || !(t->slots = calloc(1024, sizeof(*t->slots)))) {
		free(t);
		errno = ENOMEM;
		return NULL;
	}
	t->nr_columns = nr_columns;
	t->slots_mask = 1023;
	return t;
}

void foldtab__free(struct foldtab *t)
{
	struct chunk *c, *next;

	if (!t)
		return;
	for (c = t->chunks; c; c = next) {
		next = c->next;
		free(c);
	}
	free(t->entries);
	free(t->slots);
	free(t);
}

/* len bytes of the arena, 8-byte aligned, or NULL. An entry larger than
 * a chunk gets a chunk of its own. */
static void *arena_alloc(struct foldtab *t, size_t len)
{
	struct chunk *c = t->chunks;
	char *p;

	len = (len + 7) & ~(size_t)7;
	if (!c || c->cap - c->used < len) {
		size_t cap = len > CHUNK_SIZE ? len : CHUNK_SIZE;

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->cap = cap;
		c->used = 0;
		c->next = t->chunks;
		t->chunks = c;
	}
	p = c->data + c->used;
	c->used += len;
	return p;
}

static void place(struct foldtab *t, size_t i)
{
	size_t s = t->entries[i]->hash & t->slots_mask;

	while (t->slots[s])
		s = (s + 1) & t->slots_mask;
	t->slots[s] = (uint64_t)t->entries[i]->hash << 32 | (i + 1);
}

/* Rebuild the slots at twice the size when half full (or after a sort). */
static int rehash(struct foldtab *t, size_t nr_slots)
{
	uint64_t *slots = calloc(nr_slots, sizeof(*slots));
	size_t i;

	if (!slots)
		return -ENOMEM;
	free(t->slots);
	t->slots = slots;
	t->slots_mask = nr_slots - 1;
	for (i = 0; i < t->nr_entries; i++)
		place(t, i);
	t->is_stale = 0;
	return 0;
}

static struct entry *new_entry(struct foldtab *t, const char *stack,
			       size_t len, uint32_t h)
{
	struct entry *e, **entries;

	if (t->nr_entries == t->entries_cap) {
		size_t cap = t->entries_cap ? t->entries_cap * 2 : 1024;

		entries = realloc(t->entries, cap * sizeof(*entries));
		if (!entries)
			return NULL;
		t->entries = entries;
		t->entries_cap = cap;
	}
	/* the header (24 bytes, aligned for the doubles), then the text */
	e = arena_alloc(t, sizeof(*e) + len);
	if (!e)
		return NULL;
	memset(e, 0, sizeof(*e));
	memcpy(e->stack, stack, len);
	t->entries[t->nr_entries] = e;
	e->len = (uint32_t)len;
	e->hash = h;
	t->nr_entries++;
	return e;
}

static uint32_t stack_hash(const char *stack, size_t len)
{
	return (uint32_t)hash__wide(stack, len, HASH_SEED);
}

/* foldtab__add() of a stack whose hash h is known. */
static int add_hashed(struct foldtab *t, const char *stack, size_t len,
		      uint32_t h, unsigned column, double weight)
{
	uint64_t n;
	struct entry *e;
	size_t s;

	if (column >= t->nr_columns || len == 0 || len > UINT32_MAX)
		return -EINVAL;
	if (t->is_stale || (t->nr_entries + 1) * 2 > t->slots_mask + 1) {
		size_t nr = t->slots_mask + 1;

		while ((t->nr_entries + 1) * 2 > nr)
			nr *= 2;
		if (t->nr_entries >= UINT32_MAX - 1 || rehash(t, nr))
			return -ENOMEM;
	}
	for (s = h & t->slots_mask; (n = t->slots[s]); s = (s + 1) & t->slots_mask) {
		if (n >> 32 != h)
			continue;
		e = t->entries[(uint32_t)n - 1];
		if (e->len == len && !memcmp(e->stack, stack, len))
			goto found;
	}
	e = new_entry(t, stack, len, h);
	if (!e)
		return -ENOMEM;
	t->slots[s] = (uint64_t)h << 32 | t->nr_entries;
found:
	e->w[column] += weight;
	t->total[column] += weight;
	return 0;
}

int foldtab__add(struct foldtab *t, const char *stack, size_t len,
		 unsigned column, double weight)
{
	return add_hashed(t, stack, len, stack_hash(stack, len), column,
			  weight);
}

size_t foldtab__nr_stacks(const struct foldtab *t)
{
	return t->nr_entries;
}

double foldtab__total(const struct foldtab *t, unsigned column)
{
	return column < t->nr_columns ? t->total[column] : 0;
}

void foldtab__map(struct foldtab *t, unsigned column,
		  double (*fn)(double w, void *ctx), void *ctx)
{
	size_t i;

	if (column >= t->nr_columns)
		return;
	t->total[column] = 0;
	for (i = 0; i < t->nr_entries; i++) {
		t->entries[i]->w[column] = fn(t->entries[i]->w[column], ctx);
		t->total[column] += t->entries[i]->w[column];
	}
}

static inline void swap(struct sortkey *a, struct sortkey *b)
{
	struct sortkey tmp = *a;

	*a = *b;
	*b = tmp;
}

/* memcmp order of two stacks that agree on their first d bytes. */
static int cmp_from(const struct entry *a, const struct entry *b, size_t d)
{
	size_t n = (a->len < b->len ? a->len : b->len) - d;
	int c = memcmp(a->stack + d, b->stack + d, n);

	return c ? c : (a->len > b->len) - (a->len < b->len);
}

/* The sort key of e at depth d: its 7 bytes from d, big-endian, then a
 * byte saying how many of them it has (0-7), or 8 when it goes on past
 * them. Keys compare as the stacks do from d, a stack before its
 * extensions; equal keys below 8 are equal stacks. */
static inline uint64_t key_at(const struct entry *e, size_t d)
{
	size_t n = d < e->len ? e->len - d : 0, i;
	uint64_t k = 0;

	if (n >= 8) {
		memcpy(&k, e->stack + d, 8);
		return (__builtin_bswap64(k) & ~(uint64_t)0xff) | 8;
	}
	for (i = 0; i < 7; i++)
		k = k << 8 | (i < n ? (unsigned char)e->stack[d + i] : 0);
	return k << 8 | (n < 7 ? n : 8);
}

static inline int cmp_keys(const struct sortkey *a, const struct sortkey *b,
			   size_t d)
{
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return (a->key & 0xff) == 8 ? cmp_from(a->e, b->e, d + 7) : 0;
}

static void insertion_sort(struct sortkey *a, size_t n, size_t d)
{
	size_t i, j;

	for (i = 1; i < n; i++)
		for (j = i; j > 0 && cmp_keys(&a[j - 1], &a[j], d) > 0; j--)
			swap(&a[j - 1], &a[j]);
}

static uint64_t median3(uint64_t x, uint64_t y, uint64_t z)
{
	if (x < y)
		return y < z ? y : x < z ? z : x;
	return x < z ? x : y < z ? z : y;
}

/* Sort a[0..n), whose stacks agree on their first d bytes and whose keys
 * are theirs at d. Recurses on the two smaller of the three parts and
 * loops on the largest, so the recursion stays within log2(n) levels
 * whatever the stacks' lengths. */
static void mkqsort(struct sortkey *a, size_t n, size_t d)
{
	size_t i;

	while (n > SMALL_SORT) {
		uint64_t v = median3(a[0].key, a[n / 2].key, a[n - 1].key);
		size_t lt = 0, gt = n, nr_eq;

		for (i = 0; i < gt;) {
			if (a[i].key < v)
				swap(&a[lt++], &a[i++]);
			else if (a[i].key > v)
				swap(&a[i], &a[--gt]);
			else
				i++;
		}
		nr_eq = gt - lt;
		if ((v & 0xff) != 8)	/* equal stacks end here */
			nr_eq = 0;
		else	/* the equal ones go on: their keys 7 bytes on */
			for (i = lt; i < gt; i++)
				a[i].key = key_at(a[i].e, d + 7);
		if (nr_eq >= lt && nr_eq >= n - gt) {
			mkqsort(a, lt, d);
			mkqsort(a + gt, n - gt, d);
			a += lt;
			n = nr_eq;
			d += 7;
		} else if (lt >= n - gt) {
			mkqsort(a + lt, nr_eq, d + 7);
			mkqsort(a + gt, n - gt, d);
			n = lt;
		} else {
			mkqsort(a, lt, d);
			mkqsort(a + lt, nr_eq, d + 7);
			a += gt;
			n -= gt;
		}
	}
	insertion_sort(a, n, d);
}

/* Positional decimal of ±digits × 10^exp10 (digits "d1d2...", the value
 * 0.d1d2... × 10^(exp10 + 1)), never exponent notation. */
static size_t positional(char *buf, const char *digits, size_t nr, int exp10)
{
	size_t o = 0, i;
	long point = (long)exp10 + 1;	/* digits before the point */

	if (point <= 0) {
		buf[o++] = '0';
		buf[o++] = '.';
		for (i = 0; i < (size_t)-point; i++)
			buf[o++] = '0';
		memcpy(buf + o, digits, nr);
		o += nr;
	} else if ((size_t)point >= nr) {
		memcpy(buf + o, digits, nr);
		o += nr;
		for (i = nr; i < (size_t)point; i++)
			buf[o++] = '0';
	} else {
		memcpy(buf + o, digits, (size_t)point);
		o += (size_t)point;
		buf[o++] = '.';
		memcpy(buf + o, digits + point, nr - (size_t)point);
		o += nr - (size_t)point;
	}
	buf[o] = '\0';
	return o;
}

/* An integral w below 2^53 in plain digits: what "%.0f" prints, without
 * printf's multiprecision path (most weights are counts). */
static size_t format_integer(double w, char *buf)
{
	char tmp[24];
	uint64_t v = (uint64_t)fabs(w);
	size_t n = 0, o = 0;

	if (w < 0)
		buf[o++] = '-';
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		buf[o++] = tmp[--n];
	buf[o] = '\0';
	return o;
}

size_t foldtab__format(double w, char *buf)
{
	char tmp[40], digits[20];
	int prec, exp10;
	size_t nr = 0, o = 0;
	char *p;

	if (!isfinite(w))
		return (size_t)snprintf(buf, FOLDTAB_WEIGHT_LEN, "%g", w);
	if (w == 0)
		return (size_t)snprintf(buf, FOLDTAB_WEIGHT_LEN, "0");
	if (w == floor(w) && fabs(w) < 9007199254740992.0)
		return format_integer(w, buf);
	if (w < 0) {
		buf[o++] = '-';
		w = -w;
	}
	/* the fewest significant digits that read back as w */
	for (prec = 1; prec < 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, w);
		if (strtod(tmp, NULL) == w)
			break;
	}
	snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, w);
	for (p = tmp; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			digits[nr++] = *p;
	exp10 = atoi(p + 1);
	while (nr > 1 && digits[nr - 1] == '0')
		nr--;
	return o + positional(buf + o, digits, nr, exp10);
}

int foldtab__sort(struct foldtab *t)
{
	struct sortkey *keys = malloc(t->nr_entries * sizeof(*keys) + 1);
	size_t i;

	if (!keys)
		return -ENOMEM;
	for (i = 0; i < t->nr_entries; i++)
		keys[i] = (struct sortkey){ key_at(t->entries[i], 0),
					    t->entries[i] };
	mkqsort(keys, t->nr_entries, 0);
	for (i = 0; i < t->nr_entries; i++)
		t->entries[i] = keys[i].e;
	free(keys);
	t->is_stale = 1;
	return 0;
}

int foldtab__write(struct foldtab *t, FILE *f)
{
	char wbuf[FOLDTAB_WEIGHT_LEN];
	size_t i, n;
	unsigned c;
	int err = foldtab__sort(t);

	if (err)
		return err;
	for (i = 0; i < t->nr_entries; i++) {
		const struct entry *e = t->entries[i];

		fwrite(e->stack, 1, e->len, f);
		for (c = 0; c < t->nr_columns; c++) {
			putc_unlocked(' ', f);
			n = foldtab__format(e->w[c], wbuf);
			fwrite(wbuf, 1, n, f);
		}
		if (putc_unlocked('\n', f) == EOF)
			return -EIO;
	}
	return fflush(f) || ferror(f) ? -EIO : 0;
}

/* foldtab__write_pair() cuts the merged output into PAIR_SLICES slices by
 * stack, formats them into memory on two threads, the main one taking the
 * even slices and a helper the odd ones, and writes them in order, each
 * thread writing its slice while the other formats the next. Below
 * PAIR_THREADED stacks it formats them all on the main thread. */
#define PAIR_SLICES 64
#define PAIR_THREADED 8192

/* Slice i is before[a[i]..a[i + 1]) and after[b[i]..b[i + 1]). */
struct pair_write {
	const struct foldtab *t[2];	/* before, after */
	size_t a[PAIR_SLICES + 1], b[PAIR_SLICES + 1];
	FILE *f;
	pthread_mutex_t lock;
	pthread_cond_t turn_done;
	size_t turn;		/* the slice to write next */
	int err;		/* the first error, which stops both */
};

/* The first of t's entries from lo not below e, in [lo, hi). */
static size_t lower_bound(const struct foldtab *t, size_t lo, size_t hi,
			  const struct entry *e)
{
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_from(t->entries[mid], e, 0) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Cut at PAIR_SLICES evenly spaced stacks of the larger table, and where
 * each would go in the other. */
static void cut_slices(struct pair_write *pw)
{
	int big = pw->t[1]->nr_entries > pw->t[0]->nr_entries;
	size_t *at_big = big ? pw->b : pw->a, *at_other = big ? pw->a : pw->b;
	const struct foldtab *tb = pw->t[big], *to = pw->t[!big];
	size_t i;

	at_big[0] = at_other[0] = 0;
	for (i = 1; i < PAIR_SLICES; i++) {
		at_big[i] = tb->nr_entries * i / PAIR_SLICES;
		at_other[i] = at_big[i] < tb->nr_entries ?
			lower_bound(to, at_other[i - 1], to->nr_entries,
				    tb->entries[at_big[i]]) : to->nr_entries;
	}
	at_big[PAIR_SLICES] = tb->nr_entries;
	at_other[PAIR_SLICES] = to->nr_entries;
}

/* A growing text, reused from slice to slice. */
struct outbuf {
	char *text;
	size_t len, cap;
};

static int reserve(struct outbuf *o, size_t more)
{
	size_t cap = o->cap ? o->cap : 1 << 16;
	char *p;

	if (o->len + more <= o->cap)
		return 0;
	while (cap < o->len + more)
		cap *= 2;
	p = realloc(o->text, cap);
	if (!p)
		return -ENOMEM;
	o->text = p;
	o->cap = cap;
	return 0;
}

/* One line: the stack of a (or b when a is NULL), a's weight then b's, 0
 * for the one without the stack. */
static int format_joined(struct outbuf *o, const struct entry *a,
			 const struct entry *b)
{
	const struct entry *e = a ? a : b;

	if (reserve(o, e->len + 2 * FOLDTAB_WEIGHT_LEN + 3))
		return -ENOMEM;
	memcpy(o->text + o->len, e->stack, e->len);
	o->len += e->len;
	o->text[o->len++] = ' ';
	o->len += foldtab__format(a ? a->w[0] : 0, o->text + o->len);
	o->text[o->len++] = ' ';
	o->len += foldtab__format(b ? b->w[0] : 0, o->text + o->len);
	o->text[o->len++] = '\n';
	return 0;
}

/* Write o's text to f: 0 or -EIO. */
static int write_out(const struct outbuf *o, FILE *f)
{
	return o->len && fwrite(o->text, 1, o->len, f) != o->len ? -EIO : 0;
}

/* Slice i's lines, merged, into o. */
static int format_slice(const struct pair_write *pw, size_t i,
			struct outbuf *o)
{
	struct entry *const *a = pw->t[0]->entries + pw->a[i];
	struct entry *const *a_end = pw->t[0]->entries + pw->a[i + 1];
	struct entry *const *b = pw->t[1]->entries + pw->b[i];
	struct entry *const *b_end = pw->t[1]->entries + pw->b[i + 1];
	int c, err = 0;

	o->len = 0;
	while (!err && (a < a_end || b < b_end)) {
		if (a == a_end)
			c = 1;
		else if (b == b_end)
			c = -1;
		else
			c = cmp_from(*a, *b, 0);
		if (c < 0)
			err = format_joined(o, *a++, NULL);
		else if (c > 0)
			err = format_joined(o, NULL, *b++);
		else
			err = format_joined(o, *a++, *b++);
	}
	return err;
}

/* Format and write every other slice from first, each in its turn. */
static void write_slices(struct pair_write *pw, size_t first)
{
	struct outbuf o = { 0 };
	size_t i;
	int err = 0;

	for (i = first; i < PAIR_SLICES; i += 2) {
		err = format_slice(pw, i, &o);
		pthread_mutex_lock(&pw->lock);
		while (!pw->err && pw->turn != i)
			pthread_cond_wait(&pw->turn_done, &pw->lock);
		err = pw->err ? pw->err : err;
		pthread_mutex_unlock(&pw->lock);
		/* only the slice whose turn it is writes: no lock needed */
		if (!err)
			err = write_out(&o, pw->f);
		pthread_mutex_lock(&pw->lock);
		if (err && !pw->err)
			pw->err = err;
		pw->turn = i + 1;
		pthread_cond_broadcast(&pw->turn_done);
		pthread_mutex_unlock(&pw->lock);
		if (err)
			break;
	}
	free(o.text);
}

static void *write_odd_slices(void *arg)
{
	write_slices(arg, 1);
	return NULL;
}

int foldtab__write_pair(const struct foldtab *before,
			const struct foldtab *after, FILE *f)
{
	struct pair_write pw = {
		.t = { before, after }, .f = f,
		.lock = PTHREAD_MUTEX_INITIALIZER,
		.turn_done = PTHREAD_COND_INITIALIZER,
	};
	pthread_t tid;
	int is_threaded;

	if (before->nr_columns != 1 || after->nr_columns != 1)
		return -EINVAL;
	cut_slices(&pw);
	is_threaded = before->nr_entries + after->nr_entries >= PAIR_THREADED &&
		      !pthread_create(&tid, NULL, write_odd_slices, &pw);
	if (is_threaded) {
		write_slices(&pw, 0);
		pthread_join(tid, NULL);
	} else {
		struct outbuf o = { 0 };
		size_t i;

		for (i = 0; i < PAIR_SLICES && !pw.err; i++)
			if (!(pw.err = format_slice(&pw, i, &o)))
				pw.err = write_out(&o, f);
		free(o.text);
	}
	pthread_mutex_destroy(&pw.lock);
	pthread_cond_destroy(&pw.turn_done);
	if (pw.err)
		return pw.err;
	return fflush(f) || ferror(f) ? -EIO : 0;
}

/* foldtab__read() adds each line READ_AHEAD lines after it reads it: a
 * line's slot is prefetched when it is read and its entry halfway through
 * the wait, so that adding it rarely waits for memory. A line of a mapped
 * file waits where it is; one read from a stream, or rewritten by the edit,
 * waits as a copy, the reader's buffer being reused as it reads. */
#define READ_AHEAD 16
/* A mapped file's pages are let go every DROP_BEHIND bytes behind the
 * oldest waiting line: its copy is in the page cache, and the process's
 * memory stays the table's rather than growing to the file's size. */
#define DROP_BEHIND (8u << 20)

struct pending {
	const char *stack;	/* the line's text, or copy */
	char *copy;
	size_t len, cap;	/* of stack; of copy */
	uint32_t hash;
	double weight;
};

struct read_ctx {
	struct foldtab *t;
	struct foldtab_read *r;
	struct pending ahead[READ_AHEAD];	/* a ring: oldest at first */
	size_t first, nr;
	const char *map;	/* the mapped file, or NULL */
	size_t map_len, dropped;	/* map[0..dropped) is let go */
	size_t page;		/* the page size */
};

/* Add the oldest waiting line to the table. */
static int add_oldest(struct read_ctx *c)
{
	struct pending *p = &c->ahead[c->first];
	int err = add_hashed(c->t, p->stack, p->len, p->hash, c->r->column,
			     p->weight);

	c->first = (c->first + 1) % READ_AHEAD;
	c->nr--;
	if (!err)
		c->r->nr_kept++;
	return err;
}

/* The entry in the first slot of p's hash when its hash is p's (most
 * often the one the add will compare), or NULL: for add_line() to
 * prefetch. (A function that only prefetched was taken by gcc 12's
 * mod/ref analysis for one without effects, and its call dropped: the
 * entries were never prefetched until the prefetch moved to the caller.) */
static const char *entry_to_prefetch(const struct foldtab *t,
				     const struct pending *p)
{
	uint64_t n = t->slots[p->hash & t->slots_mask];

	if (!n || n >> 32 != p->hash || (uint32_t)n - 1 >= t->nr_entries)
		return NULL;
	return (const char *)t->entries[(uint32_t)n - 1];
}

/* Let go of the mapped pages before the oldest waiting line (or before
 * upto when none waits), DROP_BEHIND bytes at a time. */
static void drop_behind(struct read_ctx *c, const char *upto)
{
	size_t end;

	if (c->nr)
		upto = c->ahead[c->first].stack;
	if (upto < c->map || upto > c->map + c->map_len)
		return;		/* the edit's copy: wait for the next line */
	end = (size_t)(upto - c->map) / c->page * c->page;
	if (end - c->dropped < DROP_BEHIND)
		return;
	madvise((char *)c->map + c->dropped, end - c->dropped, MADV_DONTNEED);
	c->dropped = end;
}

static int add_line(void *ctx, const struct folded_line *fl)
{
	struct read_ctx *c = ctx;
	struct foldtab *t = c->t;
	const char *stack = fl->stack;
	size_t n = c->r->edit ? c->r->edit(c->r->ctx, &stack, fl->stack_len)
			      : fl->stack_len;
	struct pending *p;
	int err;

	if (n == 0) {
		c->r->nr_dropped++;
		return 0;
	}
	if (c->nr == READ_AHEAD && (err = add_oldest(c)))
		return err;
	p = &c->ahead[(c->first + c->nr) % READ_AHEAD];
	p->stack = stack;
	if (!c->map || stack != fl->stack) {
		if (n > p->cap) {
			char *q = realloc(p->copy, n);

			if (!q)
				return -ENOMEM;
			p->copy = q;
			p->cap = n;
		}
		memcpy(p->copy, stack, n);
		p->stack = p->copy;
	}
	p->len = n;
	p->hash = stack_hash(stack, n);
	p->weight = fl->count[0];
	c->nr++;
	__builtin_prefetch(&t->slots[p->hash & t->slots_mask]);
	if (c->nr > READ_AHEAD / 2) {
		const struct pending *q = &c->ahead[(c->first + c->nr - 1 -
						     READ_AHEAD / 2) % READ_AHEAD];
		const char *e = entry_to_prefetch(t, q), *end;

		/* the whole entry: the add compares all of its text */
		for (end = e ? e + sizeof(struct entry) + q->len : e; e < end;
		     e += 64)
			__builtin_prefetch(e);
	}
	if (c->map)
		drop_behind(c, fl->stack);
	return 0;
}

int foldtab__read(struct foldtab *t, FILE *f, struct foldtab_read *r)
{
	struct folded_read in = {
		.name = r->name, .nr_counts = 1, .diag = r->diag,
		.max_reports = r->max_reports, .nr_malformed = r->nr_malformed,
	};
	struct read_ctx c = { .t = t, .r = r,
			      .page = (size_t)sysconf(_SC_PAGESIZE) };
	size_t i;
	int err;

	c.map = folded__map(f, r->name, &c.map_len);
	if (c.map)
		err = folded__read_text(c.map, c.map_len, &in, add_line, &c);
	else
		err = folded__read(f, &in, add_line, &c);
	while (!err && c.nr)
		err = add_oldest(&c);
	folded__unmap(c.map, c.map_len);
	for (i = 0; i < READ_AHEAD; i++)
		free(c.ahead[i].copy);

	r->nr_lines += in.nr_nonblank;
	r->nr_malformed = in.nr_malformed;
	return err;
}
