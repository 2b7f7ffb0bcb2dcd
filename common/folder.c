/* folder: sample -> folded stack, shared by every input path (folder.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folder.h"
#include "foldname.h"
#include "intern.h"
#include "stacks.h"

/* A thread's root and thread frames, by what they were named from: the
 * comm and the pid and tid as numbers (perf.data) or as text (perf
 * script). */
struct folder_thread {
	bool is_valid;
	bool is_nr;		/* pid_nr and tid_nr, not their text */
	int32_t pid_nr, tid_nr;
	uint32_t root, thread, thread_loc;
	size_t comm_len, pid_len, tid_len;
	char text[64];		/* comm, pid, tid */
};

#define FOLDER_RECENT_THREADS 4

struct folder {
	struct folder_opts opts;
	struct intern *names;
	struct stacks *stacks;
	struct foldname *fold;
	char *event;		/* chosen; NULL until the first */
	size_t event_len;
	struct folder_stats st;
	bool is_java;
	uint64_t weight;
	const struct folder_who *who;	/* the sample begun, for a sink */
	uint32_t root, thread, thread_loc;
	struct folder_thread recent[FOLDER_RECENT_THREADS];
	size_t next_recent;	/* the one to replace */
	/* a sample's frames fill frames[low..] from the end, root first,
	 * as they arrive leaf first; two spare below for root and thread */
	uint32_t frames[FOLDER_MAX_FRAMES];
	size_t low;
	bool too_deep;
	/* with a sink: each frame's location, beside frames */
	bool has_sink;
	bool has_stacks;	/* the aggregate too (folder__new_both()) */
	struct folder_sink sink;
	uint32_t *locs;		/* FOLDER_MAX_FRAMES + 3 */
};

struct folder *folder__new(const struct folder_opts *o)
{
	struct folder *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->has_stacks = true;
	f->opts = *o;
	f->opts.names.python = o->python != FOLDER_PYTHON_OFF;
	f->names = intern__new();
	f->stacks = f->names ? stacks__new(f->names) : NULL;
	f->fold = f->names ? foldname__new(&f->opts.names, f->names) : NULL;
	if (o->event) {
		f->event = strdup(o->event);
		f->event_len = f->event ? strlen(f->event) : 0;
		f->opts.event = f->event;
	}
	if (!f->stacks || !f->fold || (o->event && !f->event)) {
		folder__free(f);
		errno = ENOMEM;
		return NULL;
	}
	return f;
}

struct folder *folder__new_sink(const struct folder_opts *o,
				const struct folder_sink *sink)
{
	struct folder *f = folder__new(o);

	if (!f)
		return NULL;
	f->locs = malloc((FOLDER_MAX_FRAMES + 3) * sizeof(*f->locs));
	if (!f->locs) {
		folder__free(f);
		errno = ENOMEM;
		return NULL;
	}
	f->sink = *sink;
	f->has_sink = true;
	f->has_stacks = false;
	return f;
}

struct folder *folder__new_both(const struct folder_opts *o,
				const struct folder_sink *sink)
{
	struct folder *f = folder__new_sink(o, sink);

	if (f)
		f->has_stacks = true;
	return f;
}

bool folder__has_sink(const struct folder *f)
{
	return f->has_sink;
}

const struct intern *folder__names(const struct folder *f)
{
	return f->names;
}

uint32_t folder__location(struct folder *f, const struct folder_loc *l)
{
	return f->sink.location(f->sink.ctx, l);
}

/* The location of a frame the folder names itself (a thread's, a wait's
 * leaf): no address. */
static uint32_t text_loc(struct folder *f, uint32_t id)
{
	struct folder_loc l = {
		.kind = foldname__kind(f->fold, id),
		.sym = {intern__str(f->names, id), intern__len(f->names, id)},
		.ids = &id,
		.nr = 1,
	};

	return id == INTERN_NONE ? FOLDER_LOC_NONE : folder__location(f, &l);
}

void folder__free(struct folder *f)
{
	if (!f)
		return;
	foldname__free(f->fold);
	stacks__free(f->stacks);
	intern__free(f->names);
	free(f->event);
	free(f->locs);
	free(f);
}

static bool is_thread(const struct folder_thread *l,
		      const struct folder_who *w)
{
	if (!l->is_valid || l->is_nr != w->is_nr ||
	    w->comm.len != l->comm_len || memcmp(l->text, w->comm.s, w->comm.len))
		return false;
	if (w->is_nr)
		return l->pid_nr == w->pid_nr && l->tid_nr == w->tid_nr;
	return w->pid.len == l->pid_len && w->tid.len == l->tid_len &&
	       !memcmp(l->text + w->comm.len, w->pid.s, w->pid.len) &&
	       !memcmp(l->text + w->comm.len + w->pid.len, w->tid.s,
		       w->tid.len);
}

/* Samples come from a few threads at a time, interleaved: the root and
 * thread frames of the last few are remembered. */
static bool is_recent_thread(struct folder *f, const struct folder_who *w)
{
	size_t i;

	for (i = 0; i < FOLDER_RECENT_THREADS; i++)
		if (is_thread(&f->recent[i], w)) {
			f->root = f->recent[i].root;
			f->thread = f->recent[i].thread;
			f->thread_loc = f->recent[i].thread_loc;
			return true;
		}
	return false;
}

/* v in decimal, in buf (12 bytes): what "%d" prints, without printf. */
static struct slice int_text(char *buf, int32_t v)
{
	uint32_t u = v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
	char *p = buf + 12;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	return (struct slice){p, (size_t)(buf + 12 - p)};
}

static void name_thread(struct folder *f, const struct folder_who *w)
{
	struct folder_thread *l = &f->recent[f->next_recent];
	struct slice comm = w->comm, pid = w->pid, tid = w->tid;
	char pid_buf[12], tid_buf[12];

	if (w->is_nr) {
		pid = int_text(pid_buf, w->pid_nr);
		tid = int_text(tid_buf, w->tid_nr);
	}
	f->root = foldname__root(f->fold, comm, pid, tid);
	f->thread = INTERN_NONE;
	if (f->opts.threads) {
		char buf[128];
		int n = snprintf(buf, sizeof(buf), "thread %.*s (%.*s)",
				 (int)tid.len, tid.s, (int)comm.len, comm.s);

		f->thread = foldname__text(f->fold, buf,
					   n < (int)sizeof(buf) ? (size_t)n
								: sizeof(buf) - 1);
		if (f->has_sink)
			f->thread_loc = text_loc(f, f->thread);
	}
	l->is_valid = comm.len + pid.len + tid.len <= sizeof(l->text) &&
		      f->root != INTERN_NONE &&
		      (!f->opts.threads || f->thread != INTERN_NONE) &&
		      (!f->opts.threads || !f->has_sink ||
		       f->thread_loc != FOLDER_LOC_NONE);
	if (!l->is_valid)
		return;
	f->next_recent = (f->next_recent + 1) % FOLDER_RECENT_THREADS;
	l->root = f->root;
	l->thread = f->thread;
	l->thread_loc = f->thread_loc;
	l->is_nr = w->is_nr;
	l->pid_nr = w->pid_nr;
	l->tid_nr = w->tid_nr;
	l->comm_len = comm.len;
	l->pid_len = pid.len;
	l->tid_len = tid.len;
	memcpy(l->text, comm.s, comm.len);
	memcpy(l->text + comm.len, pid.s, pid.len);
	memcpy(l->text + comm.len + pid.len, tid.s, tid.len);
}

bool folder__begin(struct folder *f, const struct folder_who *w,
		   struct slice event, uint64_t period, bool has_period)
{
	f->st.nr_read++;
	if (event.len) {
		if (!f->event) {
			f->event = strndup(event.s, event.len);
			f->event_len = event.len;
		}
		if (f->event && (event.len != f->event_len ||
				 memcmp(event.s, f->event, event.len))) {
			f->st.nr_other_event++;
			return false;
		}
	}
	f->is_java = w->comm.len == 4 && !memcmp(w->comm.s, "java", 4);
	/* as stackcollapse-perf.pl: a period of 0 or none weighs 1 */
	f->weight = f->opts.weight_samples || !has_period || !period ? 1
								    : period;
	f->who = w;
	if (!is_recent_thread(f, w))
		name_thread(f, w);
	f->low = FOLDER_MAX_FRAMES;
	f->too_deep = false;
	return true;
}

bool folder__is_java(const struct folder *f)
{
	return f->is_java;
}

int folder__name(struct folder *f, const struct frame *frame, uint32_t *out,
		 size_t cap)
{
	return foldname__frame(f->fold, frame, f->is_java, out, cap);
}

void folder__ids(struct folder *f, const uint32_t *ids, size_t nr)
{
	/* a frame's ids come root-most first, and go below the frames
	 * nearer the leaf */
	if (nr > f->low - 2) {
		f->too_deep = true;
		return;
	}
	f->low -= nr;
	if (nr == 1)
		f->frames[f->low] = ids[0];	/* most frames: no call */
	else
		memcpy(f->frames + f->low, ids, nr * sizeof(*ids));
}

void folder__ids_at(struct folder *f, const uint32_t *ids,
		    const uint32_t *locs, size_t nr)
{
	if (nr > f->low - 2) {
		f->too_deep = true;
		return;
	}
	f->low -= nr;
	memcpy(f->frames + f->low, ids, nr * sizeof(*ids));
	memcpy(f->locs + f->low, locs, nr * sizeof(*locs));
}

int folder__frame(struct folder *f, const struct frame *frame)
{
	uint32_t ids[64], locs[64];
	int n = foldname__frame(f->fold, frame, f->is_java, ids, 64);
	struct folder_loc l = {.kind = frame->kind, .sym = frame->sym,
			       .ids = ids};
	int i;

	if (n < 0)
		return n;
	if (!f->has_sink) {
		folder__ids(f, ids, (size_t)n);
		return 0;
	}
	/* text frames have no mapping: their locations by name alone */
	l.nr = (size_t)n;
	locs[0] = folder__location(f, &l);
	if (locs[0] == FOLDER_LOC_NONE)
		return -ENOMEM;
	for (i = 1; i < n; i++)
		locs[i] = locs[0] | FOLDER_LOC_INLINED;
	folder__ids_at(f, ids, locs, (size_t)n);
	return 0;
}

/* --python: drop the interpreter's own frames, and every native frame
 * below (root-side of) the first Python frame, when the stack has one.
 * frames[0..n) is root first; returns the new count. */
static size_t fold_interpreter(const struct folder *f, uint32_t *frames,
			       uint32_t *locs, size_t n)
{
	enum frame_kind kind = FRAME_NATIVE;
	size_t first, i, k = 0;

	for (first = 0; first < n; first++)
		if (foldname__kind(f->fold, frames[first]) == FRAME_PYTHON)
			break;
	if (first == n)
		return n;	/* no Python frame: nothing to fold into */
	for (i = first; i < n; i++) {
		enum frame_kind next = foldname__kind(f->fold, frames[i]);

		/* an inlined function belongs where the frame it was
		 * inlined into (the one below it) belongs */
		if (next != FRAME_INLINED)
			kind = next;
		if (kind == FRAME_INTERP)
			continue;
		if (locs)
			locs[k] = locs[i];
		frames[k++] = frames[i];
	}
	return k;
}

int folder__end(struct folder *f)
{
	uint32_t *frames = f->frames + f->low;
	uint32_t *locs = f->has_sink ? f->locs + f->low : NULL;
	size_t n = FOLDER_MAX_FRAMES - f->low;
	int err;

	if (f->root == INTERN_NONE)
		return -ENOMEM;
	if (f->opts.python == FOLDER_PYTHON_FOLD)
		n = fold_interpreter(f, frames, locs, n);
	/* thread (and root) frames in the two spare words below */
	if (f->opts.threads) {
		if (f->thread == INTERN_NONE)
			return -ENOMEM;
		*--frames = f->thread;
		if (locs)
			*--locs = f->thread_loc;
		n++;
	}
	f->st.nr_accepted++;
	f->st.nr_too_deep += f->too_deep;
	if (f->has_sink) {
		struct folder_sample s = {.who = f->who, .ids = frames,
					  .locs = locs, .nr = n};

		f->st.total_weight += f->weight;
		err = f->sink.sample(f->sink.ctx, &s, f->weight);
		if (err || !f->has_stacks)
			return err;
	}
	*--frames = f->root;
	n++;
	return stacks__add(f->stacks, frames, n, f->weight);
}

/* --python, a wait: frames[0..n) keep up to the innermost Python frame,
 * then "[GIL]" when take_gil or drop_gil was called above it (at locs[]
 * too, with a sink): CPython 3.12's ceval_gil.c waits in take_gil for the
 * GIL, and in drop_gil for the thread it hands the GIL to (forced
 * switching: switch_cond), which often preempts it there. Returns the new
 * count. */
static size_t trim_wait(struct folder *f, uint32_t *frames, uint32_t *locs,
			size_t n)
{
	uint32_t take = intern__find(f->names, "take_gil", 8);
	uint32_t drop = intern__find(f->names, "drop_gil", 8);
	bool is_gil = false;
	size_t last;

	for (last = n; last > 0; last--)
		if (foldname__kind(f->fold, frames[last - 1]) == FRAME_PYTHON)
			break;
	if (!last)
		return n;	/* no Python frame: nothing to trim to */
	for (; n > last; n--)
		if ((take != INTERN_NONE && frames[n - 1] == take) ||
		    (drop != INTERN_NONE && frames[n - 1] == drop))
			is_gil = true;
	if (is_gil && n < FOLDER_MAX_FRAMES) {
		frames[n] = foldname__text(f->fold, "[GIL]", 5);
		if (locs)
			locs[n] = text_loc(f, frames[n]);
		n++;
	}
	return n;
}

/* A wait's stack, ids[0..n) (thread, frames, leaf), to the sink: its
 * locations are the thread's, locs[0..n - 1 - threads) and the leaf's. */
static int end_wait_sink(struct folder *f, const uint32_t *ids, size_t n,
			 const uint32_t *locs, int64_t *h)
{
	struct folder_sample s = {.who = f->who, .ids = ids, .locs = f->locs,
				  .nr = n};
	size_t k = 0;

	if (f->opts.threads)
		f->locs[k++] = f->thread_loc;
	memmove(f->locs + k, locs, (n - 1 - k) * sizeof(*locs));
	f->locs[n - 1] = text_loc(f, ids[n - 1]);
	*h = f->sink.stack(f->sink.ctx, &s);
	return *h < 0 ? (int)*h : 0;
}

int folder__end_wait(struct folder *f, const char *leaf, uint32_t *out,
		     size_t cap)
{
	uint32_t *frames = f->frames + f->low;
	uint32_t *locs = f->has_sink ? f->locs + f->low : NULL;
	size_t n = FOLDER_MAX_FRAMES - f->low;
	/* out: the sink's handle, then the aggregate's stack */
	size_t k = f->has_sink, first;
	uint32_t leaf_id;
	int64_t h;
	int err;

	if (f->root == INTERN_NONE)
		return -ENOMEM;
	if (f->opts.python == FOLDER_PYTHON_FOLD) {
		n = trim_wait(f, frames, locs, n);
		n = fold_interpreter(f, frames, locs, n);
	}
	if (n + 3 + k > cap)
		n = cap - 3 - k;	/* cap holds FOLDER_MAX_FRAMES + 3 */
	if (f->opts.threads && f->thread == INTERN_NONE)
		return -ENOMEM;
	leaf_id = foldname__text(f->fold, leaf, strlen(leaf));
	if (leaf_id == INTERN_NONE)
		return -ENOMEM;
	f->st.nr_accepted++;
	f->st.nr_too_deep += f->too_deep;
	if (f->has_stacks)
		out[k++] = f->root;
	first = k;	/* the sink's stack: without the root */
	if (f->opts.threads)
		out[k++] = f->thread;
	memcpy(out + k, frames, n * sizeof(*frames));
	k += n;
	out[k++] = leaf_id;
	if (!f->has_sink)
		return (int)k;
	err = end_wait_sink(f, out + first, k - first, locs, &h);
	if (err)
		return err;
	out[0] = (uint32_t)h;
	return f->has_stacks ? (int)k : 1;
}

int folder__add(struct folder *f, const uint32_t *ids, size_t nr,
		uint64_t weight)
{
	int err;

	if (f->has_sink) {
		f->st.total_weight += weight;
		err = f->sink.add(f->sink.ctx, ids[0], weight);
		if (err || !f->has_stacks)
			return err;
		ids++;		/* the handle, then the aggregate's stack */
		nr--;
	}
	return stacks__add(f->stacks, ids, nr, weight);
}

int folder__write(struct folder *f, FILE *out)
{
	return stacks__write(f->stacks, out);
}

void folder__stats(const struct folder *f, struct folder_stats *st)
{
	*st = f->st;
	st->event = f->event;
	if (!f->has_stacks)
		return;		/* total_weight counted as added */
	st->total_weight = stacks__total(f->stacks);
	st->nr_stacks = stacks__count(f->stacks);
}
