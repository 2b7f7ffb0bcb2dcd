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
	uint32_t root, thread;
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
	uint32_t root, thread;
	struct folder_thread recent[FOLDER_RECENT_THREADS];
	size_t next_recent;	/* the one to replace */
	/* a sample's frames fill frames[low..] from the end, root first,
	 * as they arrive leaf first; two spare below for root and thread */
	uint32_t frames[FOLDER_MAX_FRAMES];
	size_t low;
	bool too_deep;
};

struct folder *folder__new(const struct folder_opts *o)
{
	struct folder *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
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

void folder__free(struct folder *f)
{
	if (!f)
		return;
	foldname__free(f->fold);
	stacks__free(f->stacks);
	intern__free(f->names);
	free(f->event);
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
	}
	l->is_valid = comm.len + pid.len + tid.len <= sizeof(l->text) &&
		      f->root != INTERN_NONE &&
		      (!f->opts.threads || f->thread != INTERN_NONE);
	if (!l->is_valid)
		return;
	f->next_recent = (f->next_recent + 1) % FOLDER_RECENT_THREADS;
	l->root = f->root;
	l->thread = f->thread;
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

int folder__frame(struct folder *f, const struct frame *frame)
{
	uint32_t ids[64];
	int n = foldname__frame(f->fold, frame, f->is_java, ids, 64);

	if (n < 0)
		return n;
	folder__ids(f, ids, (size_t)n);
	return 0;
}

/* --python: drop the interpreter's own frames, and every native frame
 * below (root-side of) the first Python frame, when the stack has one.
 * frames[0..n) is root first; returns the new count. */
static size_t fold_interpreter(const struct folder *f, uint32_t *frames,
			       size_t n)
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
		if (kind != FRAME_INTERP)
			frames[k++] = frames[i];
	}
	return k;
}

int folder__end(struct folder *f)
{
	uint32_t *frames = f->frames + f->low;
	size_t n = FOLDER_MAX_FRAMES - f->low;

	if (f->root == INTERN_NONE)
		return -ENOMEM;
	if (f->opts.python == FOLDER_PYTHON_FOLD)
		n = fold_interpreter(f, frames, n);
	/* root (and thread) frames in the two spare words below */
	if (f->opts.threads) {
		if (f->thread == INTERN_NONE)
			return -ENOMEM;
		*--frames = f->thread;
		n++;
	}
	*--frames = f->root;
	n++;
	f->st.nr_accepted++;
	f->st.nr_too_deep += f->too_deep;
	return stacks__add(f->stacks, frames, n, f->weight);
}

/* --python, a wait: frames[0..n) keep up to the innermost Python frame,
 * then "[GIL]" when take_gil or drop_gil was called above it: CPython
 * 3.12's ceval_gil.c waits in take_gil for the GIL, and in drop_gil for
 * the thread it hands the GIL to (forced switching: switch_cond), which
 * often preempts it there. Returns the new count. */
static size_t trim_wait(struct folder *f, uint32_t *frames, size_t n)
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
	if (is_gil && n < FOLDER_MAX_FRAMES)
		frames[n++] = foldname__text(f->fold, "[GIL]", 5);
	return n;
}

int folder__end_wait(struct folder *f, const char *leaf, uint32_t *out,
		     size_t cap)
{
	uint32_t *frames = f->frames + f->low;
	size_t n = FOLDER_MAX_FRAMES - f->low;

	if (f->root == INTERN_NONE)
		return -ENOMEM;
	if (f->opts.python == FOLDER_PYTHON_FOLD) {
		n = trim_wait(f, frames, n);
		n = fold_interpreter(f, frames, n);
	}
	if (n + 3 > cap)
		n = cap - 3;	/* cap holds FOLDER_MAX_FRAMES + 3 */
	out[0] = f->root;
	if (f->opts.threads) {
		if (f->thread == INTERN_NONE)
			return -ENOMEM;
		out[1] = f->thread;
	}
	memcpy(out + 1 + f->opts.threads, frames, n * sizeof(*frames));
	n += 1 + f->opts.threads;
	out[n] = foldname__text(f->fold, leaf, strlen(leaf));
	if (out[n] == INTERN_NONE)
		return -ENOMEM;
	f->st.nr_accepted++;
	f->st.nr_too_deep += f->too_deep;
	return (int)n + 1;
}

int folder__add(struct folder *f, const uint32_t *ids, size_t nr,
		uint64_t weight)
{
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
	st->total_weight = stacks__total(f->stacks);
	st->nr_stacks = stacks__count(f->stacks);
}
