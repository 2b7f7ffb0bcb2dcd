/* graft: cut DWARF walks completed from their thread's last whole walk
 * (see graft.h).
 *
 * Per thread: the last whole walk (leaf first; stack pointers strictly
 * grow from frame to frame, as unwind stops on a CFA that does not), the
 * highest leaf stack pointer seen since (mark: frames below it have
 * returned), and the grafts not yet checked, each as its frame and a hash
 * of the frames it appended.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "graft.h"

#define GRAFT_PENDING 8		/* grafts awaiting a check, per thread */

struct pending {
	uint64_t sp, pc;	/* the frame grafted at */
	uint64_t hash;		/* of the frames appended beyond it */
	size_t nr;
};

struct thread {
	int32_t tid;
	bool is_used;
	struct unwind_frame *frames;	/* the last whole walk */
	size_t nr, cap;
	uint64_t mark;			/* highest leaf sp since */
	struct pending pending[GRAFT_PENDING];
	size_t nr_pending;
};

struct graft {
	struct thread *threads;		/* open addressing, power of 2 */
	size_t nr_threads, threads_cap;
	struct graft_stats st;
};

struct graft *graft__new(void)
{
	struct graft *g = calloc(1, sizeof(*g));

	if (!g)
		errno = ENOMEM;
	return g;
}

void graft__free(struct graft *g)
{
	size_t i;

	if (!g)
		return;
	for (i = 0; i < g->threads_cap; i++)
		free(g->threads[i].frames);
	free(g->threads);
	free(g);
}

void graft__stats(const struct graft *g, struct graft_stats *st)
{
	*st = g->st;
}

/* ---- threads by tid ---- */

static struct thread *slot_of(struct thread *tab, size_t cap, int32_t tid)
{
	uint32_t h = (uint32_t)tid * 0x9e3779b1u;
	size_t i = (h ^ (h >> 15)) & (cap - 1);

	while (tab[i].is_used && tab[i].tid != tid)
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

static struct thread *find_thread(struct graft *g, int32_t tid)
{
	struct thread *t;

	if (!g->threads_cap)
		return NULL;
	t = slot_of(g->threads, g->threads_cap, tid);
	return t->is_used ? t : NULL;
}

static struct thread *get_thread(struct graft *g, int32_t tid)
{
	struct thread *t = find_thread(g, tid);

	if (t)
		return t;
	if ((g->nr_threads + 1) * 2 > g->threads_cap) {
		size_t cap = g->threads_cap ? g->threads_cap * 2 : 64, i;
		struct thread *n = calloc(cap, sizeof(*n));

		if (!n)
			return NULL;
		for (i = 0; i < g->threads_cap; i++)
			if (g->threads[i].is_used)
				*slot_of(n, cap, g->threads[i].tid) =
					g->threads[i];
		free(g->threads);
		g->threads = n;
		g->threads_cap = cap;
	}
	t = slot_of(g->threads, g->threads_cap, tid);
	t->is_used = true;
	t->tid = tid;
	g->nr_threads++;
	return t;
}

void graft__forget(struct graft *g, int32_t tid)
{
	struct thread *t = find_thread(g, tid);

	if (t) {
		free(t->frames);	/* an exited thread's: memory back */
		t->frames = NULL;
		t->nr = t->cap = 0;
		t->nr_pending = 0;
		t->mark = 0;
	}
}

/* ---- frames ---- */

static uint64_t hash_frames(const struct unwind_frame *f, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h = (h ^ f[i].sp) * 0x100000001b3ULL;
		h = (h ^ f[i].pc) * 0x100000001b3ULL;
	}
	return h;
}

/* The index of the caller frame (index >= 1) of f[0..n) whose stack
 * pointer is sp, or SIZE_MAX: stack pointers grow from frame to frame. */
static size_t find_sp(const struct unwind_frame *f, size_t n, uint64_t sp)
{
	size_t lo = 1, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (f[mid].sp < sp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && f[lo].sp == sp ? lo : SIZE_MAX;
}

/* Remember f[0..n) as t's whole walk. false when out of memory. */
static bool remember(struct thread *t, const struct unwind_frame *f, size_t n)
{
	if (n > t->cap) {
		struct unwind_frame *nf = realloc(t->frames, n * sizeof(*nf));

		if (!nf) {
			t->nr = 0;
			return false;
		}
		t->frames = nf;
		t->cap = n;
	}
	memcpy(t->frames, f, n * sizeof(*f));
	t->nr = n;
	t->mark = f[0].sp;
	return true;
}

/* A walk that reached the outermost frame by itself checks each pending
 * graft it passes through; the others can no longer be checked (their
 * frame has returned, or the stack there changed). */
static void check_pending(struct graft *g, struct thread *t,
			  const struct unwind_frame *f, size_t n)
{
	size_t i, at;

	for (i = 0; i < t->nr_pending; i++) {
		const struct pending *p = &t->pending[i];

		at = find_sp(f, n, p->sp);
		if (at == SIZE_MAX || f[at].pc != p->pc)
			continue;
		g->st.nr_checked++;
		if (n - at - 1 != p->nr ||
		    hash_frames(f + at + 1, p->nr) != p->hash)
			g->st.nr_disagreed++;
	}
	t->nr_pending = 0;
}

static void add_pending(struct thread *t, const struct unwind_frame *f,
			size_t k, size_t n)
{
	struct pending p = {
		.sp = f[k].sp, .pc = f[k].pc,
		.hash = hash_frames(f + k + 1, n - k - 1), .nr = n - k - 1,
	};
	size_t i;

	for (i = 0; i < t->nr_pending; i++)
		if (!memcmp(&t->pending[i], &p, sizeof(p)))
			return;
	if (t->nr_pending == GRAFT_PENDING) {
		memmove(t->pending, t->pending + 1,
			(GRAFT_PENDING - 1) * sizeof(p));
		t->nr_pending--;
	}
	t->pending[t->nr_pending++] = p;
}

/* The index in t's whole walk w of the frame the cut walk f[0..=k] ends
 * in, when the two provably match (graft.h), else SIZE_MAX.
 *
 * Near their leaves the two walks differ: w's innermost calls returned
 * and others took their place (at the same stack pointers: the mark does
 * not see a function that returned and called again). From the first
 * frame they share (same stack pointer, same return address) out to k's,
 * every frame must be the same in both: an activation whose return
 * address is unchanged has the same callers, which is what the graft
 * relies on. */
static size_t match(const struct thread *t, const struct unwind_frame *f,
		    size_t k)
{
	const struct unwind_frame *w = t->frames;
	uint64_t lo = t->mark > f[0].sp ? t->mark : f[0].sp;
	size_t j, m0 = SIZE_MAX, i0, i;

	if (t->nr < 2 || k < 1 || f[k].sp < lo)
		return SIZE_MAX;	/* returned from since: gone */
	j = find_sp(w, t->nr, f[k].sp);
	if (j == SIZE_MAX || w[j].pc != f[k].pc)
		return SIZE_MAX;
	for (i0 = 1; i0 < k; i0++) {
		m0 = find_sp(w, j + 1, f[i0].sp);
		if (m0 != SIZE_MAX && w[m0].pc == f[i0].pc)
			break;
	}
	if (i0 == k)
		m0 = j;
	if (k - i0 != j - m0)
		return SIZE_MAX;
	for (i = 0; i <= k - i0; i++)
		if (f[i0 + i].sp != w[m0 + i].sp ||
		    f[i0 + i].pc != w[m0 + i].pc)
			return SIZE_MAX;
	return j;
}

bool graft__walk(struct graft *g, int32_t tid, struct unwind_frame *frames,
		 size_t *nr, size_t cap, enum unwind_stop *why)
{
	struct thread *t = get_thread(g, tid);
	size_t k, j, extra;

	if (!t || !*nr)
		return false;
	if (*why == UNWIND_END) {
		check_pending(g, t, frames, *nr);
		remember(t, frames, *nr);
		return false;
	}
	k = *nr - 1;
	if (*why != UNWIND_STACK_END ||
	    (j = match(t, frames, k)) == SIZE_MAX) {
		if (*why == UNWIND_STACK_END)
			g->st.nr_unmatched++;
		if (frames[0].sp > t->mark)
			t->mark = frames[0].sp;
		return false;
	}
	extra = t->nr - j - 1;
	if (extra > cap - *nr) {
		extra = cap - *nr;
		*why = UNWIND_DEPTH;
	} else {
		*why = UNWIND_END;
	}
	memcpy(frames + *nr, t->frames + j + 1, extra * sizeof(*frames));
	*nr += extra;
	g->st.nr_grafted++;
	g->st.nr_frames += extra;
	if (*why == UNWIND_END) {
		add_pending(t, frames, k, *nr);
		remember(t, frames, *nr);
	}
	return true;
}
