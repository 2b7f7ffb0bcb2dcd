/* session: processes, threads and mappings from perf records (session.h).
 *
 * Mappings are allocated once per MMAP record and never move; an address
 * space is a sorted array of pointers to them. Splitting an older mapping
 * (a new one lands in its middle) makes copies of it that keep its id, as
 * the file offset of every address in them is unchanged. A fork shares
 * the parent's mappings with the child, but for JIT memory, whose copy in
 * the child gets an id of its own (its contents diverge).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "intern.h"
#include "session.h"
#include "strutil.h"

struct space {
	int32_t pid;
	struct session_map **maps;	/* sorted by start, disjoint */
	size_t nr_maps, maps_cap;
};

/* int32 -> index + 1 (0 = empty), open addressing */
struct idtab {
	int32_t *keys;
	uint32_t *vals;
	size_t cap, nr;
};

struct session {
	struct intern *strings;
	struct space *spaces;
	size_t nr_spaces, spaces_cap;
	struct idtab space_by_pid;
	struct session_thread *threads;
	size_t nr_threads, threads_cap;
	struct idtab thread_by_tid;
	struct session_map **all;	/* every mapping, for freeing */
	size_t nr_all, all_cap;
	uint32_t next_id;
};

static size_t slot_of(const struct idtab *t, int32_t key)
{
	uint32_t h = (uint32_t)key * 0x9e3779b1u;

	return (h ^ (h >> 15)) & (t->cap - 1);
}

static uint32_t idtab_get(const struct idtab *t, int32_t key)
{
	size_t i;

	if (!t->cap)
		return 0;
	for (i = slot_of(t, key); t->vals[i]; i = (i + 1) & (t->cap - 1))
		if (t->keys[i] == key)
			return t->vals[i];
	return 0;
}

static int idtab_put(struct idtab *t, int32_t key, uint32_t val)
{
	size_t i;

	if ((t->nr + 1) * 2 > t->cap) {
		struct idtab n = {0};
		size_t k;

		n.cap = t->cap ? t->cap * 2 : 64;
		n.keys = calloc(n.cap, sizeof(*n.keys));
		n.vals = calloc(n.cap, sizeof(*n.vals));
		if (!n.keys || !n.vals) {
			free(n.keys);
			free(n.vals);
			return -ENOMEM;
		}
		for (k = 0; k < t->cap; k++)
			if (t->vals[k])
				idtab_put(&n, t->keys[k], t->vals[k]);
		free(t->keys);
		free(t->vals);
		*t = n;
	}
	for (i = slot_of(t, key); t->vals[i]; i = (i + 1) & (t->cap - 1))
		if (t->keys[i] == key)
			break;
	if (!t->vals[i])
		t->nr++;
	t->keys[i] = key;
	t->vals[i] = val;
	return 0;
}

struct session *session__new(void)
{
	struct session *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->strings = intern__new();
	if (!s->strings) {
		free(s);
		errno = ENOMEM;
		return NULL;
	}
	return s;
}

void session__free(struct session *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nr_all; i++)
		free(s->all[i]);
	for (i = 0; i < s->nr_spaces; i++)
		free(s->spaces[i].maps);
	free(s->all);
	free(s->spaces);
	free(s->threads);
	free(s->space_by_pid.keys);
	free(s->space_by_pid.vals);
	free(s->thread_by_tid.keys);
	free(s->thread_by_tid.vals);
	intern__free(s->strings);
	free(s);
}

static struct space *get_space(struct session *s, int32_t pid)
{
	uint32_t v = idtab_get(&s->space_by_pid, pid);
	struct space *sp;

	if (v)
		return &s->spaces[v - 1];
	if (array__reserve((void **)&s->spaces, &s->spaces_cap, s->nr_spaces + 1,
		 sizeof(*s->spaces)) < 0 ||
	    idtab_put(&s->space_by_pid, pid, (uint32_t)s->nr_spaces + 1) < 0)
		return NULL;
	sp = &s->spaces[s->nr_spaces++];
	memset(sp, 0, sizeof(*sp));
	sp->pid = pid;
	return sp;
}

static struct session_map *new_map(struct session *s,
				   const struct session_map *from)
{
	struct session_map *m = malloc(sizeof(*m));

	if (!m || array__reserve((void **)&s->all, &s->all_cap, s->nr_all + 1,
		       sizeof(*s->all)) < 0) {
		free(m);
		return NULL;
	}
	*m = *from;
	s->all[s->nr_all++] = m;
	return m;
}

/* Insert m at position i of sp's sorted array. */
static int insert_at(struct space *sp, size_t i, struct session_map *m)
{
	if (array__reserve((void **)&sp->maps, &sp->maps_cap, sp->nr_maps + 1,
		 sizeof(*sp->maps)) < 0)
		return -ENOMEM;
	memmove(sp->maps + i + 1, sp->maps + i,
		(sp->nr_maps - i) * sizeof(*sp->maps));
	sp->maps[i] = m;
	sp->nr_maps++;
	return 0;
}

/* Index of the first map whose end is above addr. */
static size_t lower_bound(const struct space *sp, uint64_t addr)
{
	size_t lo = 0, hi = sp->nr_maps;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (sp->maps[mid]->end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Put m into sp, cutting what it overlaps out of older mappings. */
static int place(struct session *s, struct space *sp, struct session_map *m)
{
	size_t i = lower_bound(sp, m->start);

	while (i < sp->nr_maps && sp->maps[i]->start < m->end) {
		struct session_map *old = sp->maps[i];

		memmove(sp->maps + i, sp->maps + i + 1,
			(sp->nr_maps - i - 1) * sizeof(*sp->maps));
		sp->nr_maps--;
		if (old->start < m->start) {
			struct session_map *left = new_map(s, old);

			if (!left)
				return -ENOMEM;
			left->end = m->start;
			if (insert_at(sp, i++, left) < 0)
				return -ENOMEM;
		}
		if (old->end > m->end) {
			struct session_map *right = new_map(s, old);

			if (!right)
				return -ENOMEM;
			right->pgoff += m->end - old->start;
			right->start = m->end;
			if (insert_at(sp, i, right) < 0)
				return -ENOMEM;
			break;
		}
	}
	return insert_at(sp, lower_bound(sp, m->start), m);
}

/* Whether a mapping named name holds JIT code, decided here only: perf
 * 6.1's map__new() names anonymous and no-DSO executable memory (//anon,
 * /dev/zero, /anon_hugepage, [stack, [heap], /SYSV) by the JIT's
 * /tmp/perf-PID.map; JIT compilers also place code in mappings they named
 * with prctl(PR_SET_VMA) ([anon:NAME]) or in a memfd they map twice,
 * writable and executable (/memfd:NAME, as .NET's doublemapper, which
 * later perf names by the perf map too). Code in any of these is named by
 * the perf map or jitdump and unwound as JIT code. */
static bool is_jit_name(const char *name)
{
	static const char *const prefixes[] = {
		"//anon", "/dev/zero", "/anon_hugepage", "[stack", "[heap]",
		"/SYSV", "[anon", "/memfd:",
	};
	size_t i;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strutil__has_prefix(name, prefixes[i]))
			return true;
	return false;
}

int session__mmap(struct session *s, int32_t pid, uint64_t start,
		  uint64_t len, uint64_t pgoff, const char *filename,
		  const uint8_t *build_id, uint8_t build_id_size)
{
	struct space *sp = get_space(s, pid);
	struct session_map tmpl = {0}, *m;
	uint32_t name;

	if (!sp)
		return -ENOMEM;
	if (!len || start + len < start)
		return 0;	/* empty or wrapping: nothing to find there */
	name = intern__add(s->strings, filename, strlen(filename));
	if (name == INTERN_NONE)
		return -ENOMEM;
	tmpl.start = start;
	tmpl.end = start + len;
	tmpl.pgoff = pgoff;
	tmpl.filename = intern__str(s->strings, name);
	tmpl.is_jit = is_jit_name(tmpl.filename);
	tmpl.id = s->next_id++;
	if (build_id && build_id_size) {
		if (build_id_size > sizeof(tmpl.build_id))
			build_id_size = sizeof(tmpl.build_id);
		memcpy(tmpl.build_id, build_id, build_id_size);
		tmpl.build_id_size = build_id_size;
	}
	m = new_map(s, &tmpl);
	if (!m)
		return -ENOMEM;
	return place(s, sp, m);
}

struct session_map *session__find_map(struct session *s, int32_t pid,
				      uint64_t addr)
{
	uint32_t v = idtab_get(&s->space_by_pid, pid);
	const struct space *sp;
	size_t i;

	if (!v)
		return NULL;
	sp = &s->spaces[v - 1];
	i = lower_bound(sp, addr);
	if (i < sp->nr_maps && sp->maps[i]->start <= addr)
		return sp->maps[i];
	return NULL;
}

static struct session_thread *find_thread(struct session *s, int32_t tid)
{
	uint32_t v = idtab_get(&s->thread_by_tid, tid);

	return v ? &s->threads[v - 1] : NULL;
}

static struct session_thread *add_thread(struct session *s, int32_t pid,
					 int32_t tid, const char *comm)
{
	struct session_thread *t = find_thread(s, tid);
	char tmp[16];
	size_t len;
	uint32_t name;

	if (!comm) {
		snprintf(tmp, sizeof(tmp), ":%d", (int)tid);
		comm = tmp;
	}
	len = strlen(comm);
	name = intern__add(s->strings, comm, len);
	if (name == INTERN_NONE)
		return NULL;
	if (!t) {
		if (array__reserve((void **)&s->threads, &s->threads_cap,
			 s->nr_threads + 1, sizeof(*s->threads)) < 0 ||
		    idtab_put(&s->thread_by_tid, tid,
			      (uint32_t)s->nr_threads + 1) < 0)
			return NULL;
		t = &s->threads[s->nr_threads++];
	}
	t->pid = pid;
	t->tid = tid;
	t->comm = intern__str(s->strings, name);
	t->comm_len = len;
	return t;
}

const struct session_thread *session__thread(struct session *s, int32_t pid,
					     int32_t tid)
{
	struct session_thread *t = find_thread(s, tid);

	if (t) {
		t->pid = pid;
		return t;
	}
	return add_thread(s, pid, tid, NULL);
}

int session__comm(struct session *s, int32_t pid, int32_t tid,
		  const char *comm)
{
	return add_thread(s, pid, tid, comm) ? 0 : -ENOMEM;
}

int session__fork(struct session *s, int32_t pid, int32_t ppid, int32_t tid,
		  int32_t ptid)
{
	const struct session_thread *parent = find_thread(s, ptid);
	struct space *child, *from;
	size_t i;

	if (!add_thread(s, pid, tid, parent ? parent->comm : NULL))
		return -ENOMEM;
	if (pid == ppid)
		return 0;	/* a new thread shares its process's maps */
	/* a new process starts with a copy of its parent's address space */
	from = get_space(s, ppid);
	child = get_space(s, pid);
	if (!from || !child)
		return -ENOMEM;
	from = get_space(s, ppid);	/* get_space may have moved it */
	child->nr_maps = 0;
	for (i = 0; i < from->nr_maps; i++) {
		struct session_map *m = from->maps[i];

		/* JIT memory diverges after a fork (parent and child each
		 * fill the arena they share with code of their own), so
		 * what is cached per mapping id must not cross: the
		 * child's copy is a mapping of its own */
		if (m->is_jit) {
			m = new_map(s, m);
			if (!m)
				return -ENOMEM;
			m->id = s->next_id++;
		}
		if (insert_at(child, child->nr_maps, m) < 0)
			return -ENOMEM;
	}
	return 0;
}

