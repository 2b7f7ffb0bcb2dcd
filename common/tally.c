/* tally: self and total weight per function or file (see tally.h).
 *
 * Frame names are interned once; each new frame's key (the name, or its
 * file) is worked out once and remembered by frame id, so a stack costs one
 * hash probe per frame. "Once per stack" is a stamp per key: the number of
 * the last stack whose total it was added to.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "intern.h"
#include "tally.h"

/* frame_key value of a frame that is not counted (TALLY_PYTHON) */
#define TALLY_SKIP (INTERN_NONE - 1)

struct tally {
	enum tally_by by;
	unsigned flags;
	struct intern *frames; /* frame names */
	uint32_t *frame_key;   /* frame id -> key id or TALLY_SKIP */
	size_t frame_key_cap;
	struct intern *keys;
	double *self, *total; /* by key id */
	uint64_t *stamp;      /* by key id: last stack counted in */
	size_t self_cap, total_cap, stamp_cap;
	uint64_t nr_stacks;
	double sum;
	struct tally_entry *entries;
	size_t entries_cap;
};

struct tally *tally__new(enum tally_by by, unsigned flags)
{
	struct tally *t = calloc(1, sizeof(*t));

	if (!t)
		goto fail;
	t->by = by;
	t->flags = flags;
	t->frames = intern__new();
	t->keys = intern__new();
	if (!t->frames || !t->keys)
		goto fail;
	return t;
fail:
	tally__free(t);
	errno = ENOMEM;
	return NULL;
}

void tally__free(struct tally *t)
{
	if (!t)
		return;
	intern__free(t->frames);
	intern__free(t->keys);
	free(t->frame_key);
	free(t->self);
	free(t->total);
	free(t->stamp);
	free(t->entries);
	free(t);
}

/* len without a trailing annotation (`_[k]`, `_[j]`, `_[i]`, `_[w]`). */
static size_t strip_annotation(const char *s, size_t len)
{
	if (len > 4 && s[len - 1] == ']' && s[len - 3] == '[' &&
	    s[len - 4] == '_')
		return len - 4;
	return len;
}

/* perf2folded --threads' `thread TID (COMM)`, which is no Python frame. */
static int is_thread_frame(const char *s, size_t len)
{
	return len > 8 && !memcmp(s, "thread ", 7) && s[7] >= '0' &&
	       s[7] <= '9';
}

/* The path of a Python frame, `qualname (path)` or `py::qualname:path`:
 * 1 with *path, *path_len set, else 0. */
static int python_path(const char *s, size_t len, const char **path,
		       size_t *path_len)
{
	const char *colon;
	size_t i;

	len = strip_annotation(s, len);
	if (len > 4 && !memcmp(s, "py::", 4)) {
		colon = memchr(s + 4, ':', len - 4);
		if (!colon || colon == s + 4 || colon + 1 == s + len)
			return 0;
		*path = colon + 1;
		*path_len = (size_t)(s + len - *path);
		return 1;
	}
	if (len < 5 || s[len - 1] != ')' || is_thread_frame(s, len))
		return 0;
	/* the last parenthesis pair, not nested: a C++ name such as
	 * `std::function<void (int)>::operator()` is not `name (path)` */
	for (i = len - 1; i-- > 0;) {
		if (s[i] == ')')
			return 0;
		if (s[i] == '(')
			break;
	}
	if (i == (size_t)-1 || i < 2 || s[i - 1] != ' ' || i + 2 == len)
		return 0;
	*path = s + i + 1;
	*path_len = len - i - 2;
	return 1;
}

/* `[dso]` or `[dso <addr>]`, as perf2folded names a frame whose symbol is
 * unknown; not `[unknown]` (no dso either) nor `[unwind stopped: why]`. */
static int is_dso_frame(const char *s, size_t len)
{
	const char *blank = memchr(s, ' ', len);

	if (len < 3 || s[0] != '[' || s[len - 1] != ']' ||
	    (len == 9 && !memcmp(s, "[unknown]", 9)))
		return 0;
	return !blank || (blank[1] == '<' && s[len - 2] == '>');
}

/* The dso's length in `dso` or `dso <addr>`. */
static size_t dso_len(const char *s, size_t len)
{
	const char *blank = memchr(s, ' ', len);

	return blank ? (size_t)(blank - s) : len;
}

int tally__key(enum tally_by by, unsigned flags, const char *name, size_t len,
	       const char **key, size_t *key_len)
{
	const char *path;
	size_t path_len, bare = strip_annotation(name, len);
	int is_python = python_path(name, len, &path, &path_len);

	if ((flags & TALLY_PYTHON) && !is_python)
		return 0;
	*key = name;
	*key_len = len;
	if (by == TALLY_BY_FUNCTION)
		return 1;
	if (is_python) {
		*key = path;
		*key_len = path_len;
	} else if (bare < len && name[len - 2] == 'k') {
		*key = "[kernel.kallsyms]";
		*key_len = strlen(*key);
	} else if (is_dso_frame(name, len)) {
		*key = name + 1;
		*key_len = dso_len(name + 1, len - 2);
	}
	return 1;
}

/* Make room for key id in the per-key arrays. */
static int grow_keys(struct tally *t, uint32_t id)
{
	size_t n = (size_t)id + 1;

	if (array__reserve((void **)&t->self, &t->self_cap, n,
			   sizeof(*t->self)) < 0 ||
	    array__reserve((void **)&t->total, &t->total_cap, n,
			   sizeof(*t->total)) < 0 ||
	    array__reserve((void **)&t->stamp, &t->stamp_cap, n,
			   sizeof(*t->stamp)) < 0)
		return -ENOMEM;
	return 0;
}

/* The key id of frame id fid, seen for the first time: TALLY_SKIP when it
 * is not counted, INTERN_NONE when out of memory. */
static uint32_t new_frame_key(struct tally *t, uint32_t fid)
{
	const char *name = intern__str(t->frames, fid), *key;
	size_t key_len;
	uint32_t nr_keys = intern__count(t->keys), kid;

	if (!tally__key(t->by, t->flags, name, intern__len(t->frames, fid),
			&key, &key_len))
		return TALLY_SKIP;
	kid = intern__add(t->keys, key, key_len);
	if (kid == INTERN_NONE || grow_keys(t, kid) < 0)
		return INTERN_NONE;
	if (kid >= nr_keys) {
		t->self[kid] = 0;
		t->total[kid] = 0;
		t->stamp[kid] = 0;
	}
	return kid;
}

/* The key id of one frame, or TALLY_SKIP; INTERN_NONE when out of memory. */
static uint32_t frame_key(struct tally *t, const char *s, size_t len)
{
	uint32_t nr_frames = intern__count(t->frames);
	uint32_t fid = intern__add(t->frames, s, len);

	if (fid == INTERN_NONE)
		return INTERN_NONE;
	if (fid < nr_frames)
		return t->frame_key[fid];
	if (array__reserve((void **)&t->frame_key, &t->frame_key_cap,
			   (size_t)fid + 1, sizeof(*t->frame_key)) < 0)
		return INTERN_NONE;
	t->frame_key[fid] = new_frame_key(t, fid);
	return t->frame_key[fid];
}

int tally__add(struct tally *t, const char *stack, size_t len, double weight)
{
	const char *p = stack, *end = stack + len, *semi;
	uint64_t stamp = ++t->nr_stacks;
	uint32_t kid, leaf = TALLY_SKIP;

	for (;;) {
		semi = memchr(p, ';', (size_t)(end - p));
		kid = frame_key(t, p, (size_t)((semi ? semi : end) - p));
		if (kid == INTERN_NONE)
			return -ENOMEM;
		if (kid != TALLY_SKIP) {
			leaf = kid;
			if (t->stamp[kid] != stamp) {
				t->stamp[kid] = stamp;
				t->total[kid] += weight;
			}
		}
		if (!semi)
			break;
		p = semi + 1;
	}
	if (leaf != TALLY_SKIP)
		t->self[leaf] += weight;
	t->sum += weight;
	return 0;
}

double tally__sum(const struct tally *t)
{
	return t->sum;
}

uint64_t tally__nr_stacks(const struct tally *t)
{
	return t->nr_stacks;
}

static int cmp_name(const struct tally_entry *a, const struct tally_entry *b)
{
	return strcmp(a->name, b->name);
}

static int cmp_self(const void *pa, const void *pb)
{
	const struct tally_entry *a = pa, *b = pb;

	if (a->self != b->self)
		return a->self > b->self ? -1 : 1;
	return cmp_name(a, b);
}

static int cmp_total(const void *pa, const void *pb)
{
	const struct tally_entry *a = pa, *b = pb;

	if (a->total != b->total)
		return a->total > b->total ? -1 : 1;
	return cmp_name(a, b);
}

const struct tally_entry *tally__sorted(struct tally *t, enum tally_sort by,
					size_t *nr)
{
	uint32_t i, n = intern__count(t->keys);

	if (array__reserve((void **)&t->entries, &t->entries_cap, n ? n : 1,
			   sizeof(*t->entries)) < 0) {
		errno = ENOMEM;
		return NULL;
	}
	for (i = 0; i < n; i++) {
		t->entries[i].name = intern__str(t->keys, i);
		t->entries[i].self = t->self[i];
		t->entries[i].total = t->total[i];
	}
	qsort(t->entries, n, sizeof(*t->entries),
	      by == TALLY_SORT_SELF ? cmp_self : cmp_total);
	*nr = n;
	return t->entries;
}
