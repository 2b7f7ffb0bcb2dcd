/* symcache: load-once cache of symbol sources (see symcache.h).
 *
 * One chained hash table keyed by (kind, name bytes, build id bytes); a
 * NULL object records a failed load.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "array.h"
#include "dso.h"
#include "dwinfo.h"
#include "hash.h"
#include "symcache.h"

enum kind {
	KIND_DSO,
	KIND_PERFMAP,
	KIND_JITDUMP,
};

struct jitdump_ref {
	int32_t pid;
	char *path;		/* where it is read */
};

/* pid -> the process it was forked from; pid 0 marks an empty slot */
struct parent {
	int32_t pid, ppid;	/* ppid 0: none (not forked, or exec'd) */
};

/* A perf map or jitdump, which its JIT may still be writing (a live
 * recording): looked at again, from where the last read ended, when an
 * address of its process's JIT memory is not found in it. */
struct jit_file {
	void *obj;		/* struct perfmap or jitdump; NULL: not read */
	uint64_t checked_ns;	/* CLOCK_MONOTONIC of the last look */
	bool is_checked;	/* looked at since it was opened */
	bool is_final;		/* unreadable for good (owner, not a file) */
};

struct early_dwarf {
	char *path;
	struct dwinfo *di;
};

struct entry {
	struct entry *next;
	uint64_t hash;
	enum kind kind;
	size_t key_len;
	void *obj;
	char key[];		/* name, NUL, build id bytes */
};

struct symcache {
	struct entry **buckets;
	size_t nr_buckets, nr_entries;
	char *debug_root, *buildid_dir;
	const struct fcache *cache;	/* symtab_paths' */
	char *perf_map_dir, *kallsyms_path, *notes_path, *modules_path;
	struct kallsyms *kallsyms;
	int kallsyms_tried;
	pthread_t kallsyms_loader;	/* running while is_loading */
	bool is_loading;
	int is_loaded;			/* atomic: the loader has finished */
	uint8_t kernel_id[64];
	size_t kernel_id_len;
	struct ksource_ref ref;		/* under ref_lock: set while loading */
	pthread_mutex_t ref_lock;
	struct ksource_result source;
	const struct diag *diag;
	struct dso_env dso_env;		/* what the dsos share */
	bool force;			/* read JIT files of other owners */
	bool is_dwarf_wanted;		/* begin each new dso's DWARF */
	/* DWARF files begun before their dso was made, for it to take */
	struct early_dwarf *early;
	size_t nr_early, early_cap;
	uint64_t nr_dwarf_prefetched;
	uint64_t nr_jit_updates;	/* rereads that found new entries */
	/* which process wrote which jitdump (few: a registry, not a table) */
	struct jitdump_ref *jitdumps;
	size_t nr_jitdumps, jitdumps_cap;
	/* who forked whom: open addressing, power of 2 */
	struct parent *parents;
	size_t nr_parents, parents_cap;
};

static void free_obj(enum kind kind, void *obj)
{
	switch (kind) {
	case KIND_DSO:
		dso__free(obj);
		break;
	case KIND_PERFMAP:
		if (obj)
			perfmap__free(((struct jit_file *)obj)->obj);
		free(obj);
		break;
	case KIND_JITDUMP:
		if (obj)
			jitdump__free(((struct jit_file *)obj)->obj);
		free(obj);
		break;
	}
}

void symcache__free(struct symcache *sc)
{
	size_t i;

	if (!sc)
		return;
	if (sc->is_loading)	/* the loader reads the paths below */
		pthread_join(sc->kallsyms_loader, NULL);
	for (i = 0; i < sc->nr_buckets; i++) {
		struct entry *e = sc->buckets[i], *next;

		for (; e; e = next) {
			next = e->next;
			free_obj(e->kind, e->obj);
			free(e);
		}
	}
	free(sc->buckets);
	for (i = 0; i < sc->nr_early; i++) {
		dwinfo__free(sc->early[i].di);
		free(sc->early[i].path);
	}
	free(sc->early);
	for (i = 0; i < sc->nr_jitdumps; i++)
		free(sc->jitdumps[i].path);
	free(sc->jitdumps);
	free(sc->parents);
	free(sc->debug_root);
	free(sc->buildid_dir);
	free(sc->perf_map_dir);
	free(sc->kallsyms_path);
	free(sc->notes_path);
	free(sc->modules_path);
	kallsyms__free(sc->kallsyms);
	pthread_mutex_destroy(&sc->ref_lock);
	free(sc);
}

static int dup_opt(char **dst, const char *src)
{
	char *s = NULL;

	if (src && !(s = strdup(src)))
		return -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

struct symcache *symcache__new(const struct symtab_paths *paths,
			       const struct diag *d)
{
	struct symcache *sc = calloc(1, sizeof(*sc));
	struct symtab_paths def;
	char buf[4096];

	if (!sc)
		goto nomem;
	pthread_mutex_init(&sc->ref_lock, NULL);
	sc->diag = d;
	sc->dso_env.diag = d;
	sc->nr_buckets = 256;
	sc->buckets = calloc(sc->nr_buckets, sizeof(*sc->buckets));
	if (!sc->buckets)
		goto nomem;
	if (!paths) {
		symtab__default_paths(&def, buf, sizeof(buf));
		paths = &def;
	}
	sc->cache = paths->cache;
	sc->dso_env.cache = paths->cache;
	if (dup_opt(&sc->debug_root, paths->debug_root) ||
	    dup_opt(&sc->buildid_dir, paths->buildid_dir))
		goto nomem;
	return sc;
nomem:
	symcache__free(sc);
	errno = ENOMEM;
	return NULL;
}

const struct fcache *symcache__fcache(const struct symcache *sc)
{
	return sc->cache;
}

int symcache__set_perf_map_dir(struct symcache *sc, const char *dir)
{
	return dup_opt(&sc->perf_map_dir, dir);
}

void symcache__set_force(struct symcache *sc, bool force)
{
	sc->force = force;
}

int symcache__set_kallsyms_path(struct symcache *sc, const char *path)
{
	return dup_opt(&sc->kallsyms_path, path);
}

int symcache__set_kernel_notes_path(struct symcache *sc, const char *path)
{
	return dup_opt(&sc->notes_path, path);
}

int symcache__set_modules_path(struct symcache *sc, const char *path)
{
	return dup_opt(&sc->modules_path, path);
}

void symcache__set_kernel_build_id(struct symcache *sc, const uint8_t *id,
				   size_t len)
{
	if (len > sizeof(sc->kernel_id))
		len = 0;
	memcpy(sc->kernel_id, id, len);
	sc->kernel_id_len = len;
}

void symcache__set_kernel_ref(struct symcache *sc, const char *name,
			      uint64_t addr)
{
	pthread_mutex_lock(&sc->ref_lock);
	snprintf(sc->ref.name, sizeof(sc->ref.name), "%s", name);
	sc->ref.addr = addr;
	sc->ref.is_known = true;
	pthread_mutex_unlock(&sc->ref_lock);
}

static void grow(struct symcache *sc)
{
	size_t n = sc->nr_buckets * 2, i;
	struct entry **b = calloc(n, sizeof(*b));

	if (!b)
		return;		/* keep the longer chains */
	for (i = 0; i < sc->nr_buckets; i++) {
		struct entry *e = sc->buckets[i], *next;

		for (; e; e = next) {
			next = e->next;
			e->next = b[e->hash & (n - 1)];
			b[e->hash & (n - 1)] = e;
		}
	}
	free(sc->buckets);
	sc->buckets = b;
	sc->nr_buckets = n;
}

/* The entry for key, created (obj NULL, *is_new set) when absent; NULL when
 * out of memory. */
static struct entry *get(struct symcache *sc, enum kind kind,
			 const char *name, const uint8_t *id, size_t id_len,
			 int *is_new)
{
	static const uint8_t no_id[1];
	size_t name_len = strlen(name), key_len = name_len + 1 + id_len;
	uint64_t h = hash__bytes(name, name_len, (uint64_t)kind);
	struct entry *e;

	if (!id)
		id = no_id;	/* memcpy/memcmp of NULL, even 0 bytes, is UB */

	h = hash__bytes(id, id_len, h);
	*is_new = 0;
	for (e = sc->buckets[h & (sc->nr_buckets - 1)]; e; e = e->next)
		if (e->hash == h && e->kind == kind && e->key_len == key_len &&
		    !memcmp(e->key, name, name_len + 1) &&
		    !memcmp(e->key + name_len + 1, id, id_len))
			return e;
	e = calloc(1, sizeof(*e) + key_len);
	if (!e)
		return NULL;
	e->hash = h;
	e->kind = kind;
	e->key_len = key_len;
	memcpy(e->key, name, name_len + 1);
	if (id_len)
		memcpy(e->key + name_len + 1, id, id_len);
	if (sc->nr_entries >= sc->nr_buckets)
		grow(sc);
	e->next = sc->buckets[h & (sc->nr_buckets - 1)];
	sc->buckets[h & (sc->nr_buckets - 1)] = e;
	sc->nr_entries++;
	*is_new = 1;
	return e;
}

static struct symtab *load_vdso(struct symcache *sc, const uint8_t *id,
				size_t id_len,
				const struct symtab_paths *paths)
{
	struct symtab *st = symtab__open("[vdso]", id, id_len, paths,
					 sc->diag);
	const uint8_t *own;
	size_t own_len;

	if (st)
		return st;
	st = symtab__open_vdso_self(sc->diag);
	if (!st || !id_len)
		return st;
	own = symtab__build_id(st, &own_len);
	if (own_len == id_len && !memcmp(own, id, id_len))
		return st;
	diag__emit(sc->diag, DIAG_INFO, "[vdso]: the recorded build id is "
		   "not this kernel's and perf's cache has no copy");
	symtab__free(st);
	return NULL;
}

/* The DWARF of file that symcache__prefetch_dwarf() began, now the
 * caller's, or NULL. */
static struct dwinfo *take_early(struct symcache *sc, const char *file)
{
	struct dwinfo *di;
	size_t i;

	for (i = 0; i < sc->nr_early; i++)
		if (!strcmp(sc->early[i].path, file)) {
			di = sc->early[i].di;
			free(sc->early[i].path);
			sc->early[i] = sc->early[--sc->nr_early];
			sc->nr_dwarf_prefetched++;
			return di;
		}
	return NULL;
}

static struct dso *load_dso(struct symcache *sc, const char *path,
			    const uint8_t *build_id, size_t build_id_len)
{
	struct symtab_paths paths = {
		.debug_root = sc->debug_root,
		.buildid_dir = sc->buildid_dir,
		.cache = sc->cache,
	};
	struct symtab *st;
	struct dwinfo *di;
	struct dso *d;

	if (!strcmp(path, "[vdso]"))
		st = load_vdso(sc, build_id, build_id_len, &paths);
	else
		st = symtab__open(path, build_id, build_id_len, &paths,
				  sc->diag);
	if (!st || !(d = dso__new(st, &sc->dso_env)))
		return NULL;
	if (path[0] == '[')
		return d;	/* [vdso]: an image, no file to read */
	if ((di = take_early(sc, dso__dwarf_file(d))))
		dso__take_dwarf(d, di);
	if (sc->is_dwarf_wanted)
		dso__prefetch_dwarf(d);
	return d;
}

struct dso *symcache__dso(struct symcache *sc, const char *path,
			  const uint8_t *build_id, size_t build_id_len)
{
	struct entry *e;
	int is_new;

	if (!build_id)
		build_id_len = 0;
	e = get(sc, KIND_DSO, path, build_id, build_id_len, &is_new);
	if (e && is_new)
		e->obj = load_dso(sc, path, build_id, build_id_len);
	return e ? e->obj : NULL;
}

void symcache__prefetch_dwarf(struct symcache *sc, const char *path)
{
	struct early_dwarf *e;
	size_t i;

	for (i = 0; i < sc->nr_early; i++)
		if (!strcmp(sc->early[i].path, path))
			return;
	if (array__reserve((void **)&sc->early, &sc->early_cap,
			   sc->nr_early + 1, sizeof(*sc->early)) < 0)
		return;
	e = &sc->early[sc->nr_early];
	e->path = strdup(path);
	if (!e->path)
		return;
	e->di = dwinfo__start(path, sc->cache);
	if (!e->di) {
		free(e->path);
		return;
	}
	sc->nr_early++;
}

void symcache__want_dwarf(struct symcache *sc)
{
	size_t i;

	if (sc->is_dwarf_wanted)
		return;
	sc->is_dwarf_wanted = true;
	for (i = 0; i < sc->nr_buckets; i++) {
		const struct entry *e;

		for (e = sc->buckets[i]; e; e = e->next)
			if (e->kind == KIND_DSO && e->obj && e->key[0] != '[')
				dso__prefetch_dwarf(e->obj);
	}
}

uint64_t symcache__nr_dwarf_prefetched(const struct symcache *sc)
{
	return sc->nr_dwarf_prefetched;
}

char *symcache__dso_symbol_file(const struct symcache *sc, const char *path,
				const uint8_t *build_id, size_t build_id_len)
{
	struct symtab_paths paths = {
		.debug_root = sc->debug_root,
		.buildid_dir = sc->buildid_dir,
		.cache = sc->cache,
	};

	if (path[0] == '[')
		return NULL;
	return symtab__find_symbol_file(path, build_id, build_id_len, &paths);
}

static void kernel_paths(const struct symcache *sc, struct ksource_paths *p)
{
	ksource__default_paths(p, sc->buildid_dir);
	p->cache = sc->cache;
	if (sc->kallsyms_path)
		p->proc_kallsyms = sc->kallsyms_path;
	if (sc->notes_path)
		p->notes = sc->notes_path;
	if (sc->modules_path)
		p->modules = sc->modules_path;
}

static void open_kallsyms(struct symcache *sc)
{
	struct ksource_paths p;
	struct ksource_ref ref;

	kernel_paths(sc, &p);
	pthread_mutex_lock(&sc->ref_lock);
	ref = sc->ref;
	pthread_mutex_unlock(&sc->ref_lock);
	sc->kallsyms = ksource__open(&p, sc->kernel_id_len ? sc->kernel_id
							   : NULL,
				     sc->kernel_id_len, &ref, sc->diag,
				     &sc->source);
}

static void *load_kallsyms(void *arg)
{
	struct symcache *sc = arg;

	/* only this thread touches sc->kallsyms and sc->source until it is
	 * joined */
	open_kallsyms(sc);
	__atomic_store_n(&sc->is_loaded, 1, __ATOMIC_RELEASE);
	return NULL;
}

void symcache__prefetch_kallsyms(struct symcache *sc)
{
	if (sc->kallsyms_tried || sc->is_loading)
		return;
	sc->is_loading = !pthread_create(&sc->kallsyms_loader, NULL,
					 load_kallsyms, sc);
}

static const char *const why_text[] = {
	[KSOURCE_NO_BUILD_ID] = "no kernel build id recorded",
	[KSOURCE_RUNNING] = "the running kernel is the recorded one",
	[KSOURCE_RUNNING_CACHE] = "perf's copy of the running kernel's, with "
				  "the same layout and modules",
	[KSOURCE_OTHER_CACHE] = "perf's copy of the recorded kernel's",
	[KSOURCE_OTHER_PROC] = "the recorded kernel is not the running one",
	[KSOURCE_UNKNOWN_PROC] = "the running kernel's build id is unknown",
};

bool symcache__is_loading_kallsyms(const struct symcache *sc)
{
	return sc->is_loading &&
	       !__atomic_load_n(&sc->is_loaded, __ATOMIC_ACQUIRE);
}

const struct kallsyms *symcache__kallsyms(struct symcache *sc)
{
	struct ksource_paths p;

	if (sc->is_loading) {
		pthread_join(sc->kallsyms_loader, NULL);
		sc->is_loading = false;
	} else if (!sc->kallsyms_tried) {
		open_kallsyms(sc);
	} else {
		return sc->kallsyms;
	}
	sc->kallsyms_tried = 1;
	/* kernel MMAP records come before samples: ref is final now */
	kernel_paths(sc, &p);
	sc->kallsyms = ksource__confirm(&p, sc->kallsyms, &sc->ref, sc->diag,
					&sc->source);
	diag__emit(sc->diag, DIAG_INFO, "kernel symbols from '%s': %s",
		   sc->source.path, why_text[sc->source.why]);
	return sc->kallsyms;
}

const struct ksource_result *symcache__kallsyms_source(struct symcache *sc)
{
	return &sc->source;
}

/* Open the perf map of pid (pid >= 0), or the jitdump at path, into jf. */
static void open_jit_file(struct symcache *sc, struct jit_file *jf, int pid,
			  const char *path, const struct diag *d)
{
	if (pid >= 0)
		jf->obj = perfmap__open_pid(sc->perf_map_dir, pid, sc->force,
					    d);
	else
		jf->obj = jitdump__open_growing(path, sc->force, d);
	/* a missing file, or a dump without its header, may yet be written;
	 * another owner's file, a non-file or a bad header stay so */
	jf->is_final = !jf->obj && errno != ENOENT && errno != EAGAIN;
}

/* The JIT file of the key (a pid's perf map, or a jitdump's path), opened
 * on first use; NULL when out of memory. */
static struct jit_file *jit_file(struct symcache *sc, enum kind kind,
				 const char *key, int pid)
{
	struct entry *e;
	int is_new;

	e = get(sc, kind, key, NULL, 0, &is_new);
	if (!e)
		return NULL;
	if (is_new && (e->obj = calloc(1, sizeof(struct jit_file))))
		open_jit_file(sc, e->obj, pid, key, sc->diag);
	return e->obj;
}

static struct jit_file *perfmap_file(struct symcache *sc, int pid)
{
	char name[32];

	snprintf(name, sizeof(name), "%d", pid);
	return jit_file(sc, KIND_PERFMAP, name, pid);
}

const struct perfmap *symcache__perfmap(struct symcache *sc, int pid)
{
	const struct jit_file *jf = perfmap_file(sc, pid);

	return jf ? jf->obj : NULL;
}

const struct jitdump *symcache__jitdump(struct symcache *sc,
					const char *path)
{
	const struct jit_file *jf = jit_file(sc, KIND_JITDUMP, path, -1);

	return jf ? jf->obj : NULL;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Look at jf again (a lookup missed it): the first time at once, then at
 * most every SYMCACHE_RECHECK_NS, so that an address no file will ever
 * name costs a clock read, not a stat() per sample. True when it now
 * lists more. */
static bool update_jit_file(struct symcache *sc, struct jit_file *jf,
			    int pid, const char *path)
{
	uint64_t now;
	int n;

	if (!jf || jf->is_final)
		return false;
	now = now_ns();
	if (jf->is_checked && now - jf->checked_ns < SYMCACHE_RECHECK_NS)
		return false;
	jf->is_checked = true;
	jf->checked_ns = now;
	if (!jf->obj) {
		open_jit_file(sc, jf, pid, path, NULL);	/* said once */
		n = jf->obj != NULL;
	} else if (pid >= 0) {
		n = perfmap__update(jf->obj, sc->diag);
	} else {
		n = jitdump__update(jf->obj, sc->diag);
	}
	if (n > 0)
		sc->nr_jit_updates++;
	return n > 0;
}

uint64_t symcache__nr_jit_updates(const struct symcache *sc)
{
	return sc->nr_jit_updates;
}

int symcache__add_jitdump(struct symcache *sc, int32_t pid, const char *path)
{
	struct jitdump_ref *r;
	char *copy;

	if (sc->perf_map_dir) {
		/* maps and dumps copied from elsewhere */
		const char *base = strrchr(path, '/');

		if (asprintf(&copy, "%s/%s", sc->perf_map_dir,
			     base ? base + 1 : path) < 0)
			return -ENOMEM;
	} else if (!(copy = strdup(path))) {
		return -ENOMEM;
	}
	if (array__reserve((void **)&sc->jitdumps, &sc->jitdumps_cap,
			   sc->nr_jitdumps + 1, sizeof(*sc->jitdumps)) < 0) {
		free(copy);
		return -ENOMEM;
	}
	r = &sc->jitdumps[sc->nr_jitdumps++];
	r->pid = pid;
	r->path = copy;
	return 0;
}

static const struct jitdump *pid_jitdump(struct symcache *sc, int32_t pid)
{
	size_t i;

	for (i = 0; i < sc->nr_jitdumps; i++)
		if (sc->jitdumps[i].pid == pid)
			return symcache__jitdump(sc, sc->jitdumps[i].path);
	return NULL;
}

/* ---- ancestry: JIT code inherited across fork ---- */

static struct parent *parent_slot(struct parent *tab, size_t cap, int32_t pid)
{
	uint32_t h = (uint32_t)pid * 0x9e3779b1u;
	size_t i = (h ^ (h >> 15)) & (cap - 1);

	while (tab[i].pid && tab[i].pid != pid)
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

int symcache__fork(struct symcache *sc, int32_t pid, int32_t ppid)
{
	struct parent *p;

	if (pid <= 0 || ppid <= 0 || pid == ppid)
		return 0;	/* a thread, or the kernel's own */
	if ((sc->nr_parents + 1) * 2 > sc->parents_cap) {
		size_t cap = sc->parents_cap ? sc->parents_cap * 2 : 64, i;
		struct parent *n = calloc(cap, sizeof(*n));

		if (!n)
			return -ENOMEM;
		for (i = 0; i < sc->parents_cap; i++)
			if (sc->parents[i].pid)
				*parent_slot(n, cap, sc->parents[i].pid) =
					sc->parents[i];
		free(sc->parents);
		sc->parents = n;
		sc->parents_cap = cap;
	}
	p = parent_slot(sc->parents, sc->parents_cap, pid);
	if (!p->pid)
		sc->nr_parents++;
	p->pid = pid;
	p->ppid = ppid;
	return 0;
}

void symcache__exec(struct symcache *sc, int32_t pid)
{
	struct parent *p;

	if (!sc->parents_cap || pid <= 0)
		return;
	p = parent_slot(sc->parents, sc->parents_cap, pid);
	if (p->pid)
		p->ppid = 0;
}

/* The process pid was forked from, or 0. */
static int32_t parent_of(const struct symcache *sc, int32_t pid)
{
	if (!sc->parents_cap)
		return 0;
	return parent_slot(sc->parents, sc->parents_cap, pid)->ppid;
}

/* The JIT code process pid lists itself at addr: its perf map's entry,
 * else its jitdump's. 0, or -ENOENT. */
static int own_jit_code(struct symcache *sc, int32_t pid, uint64_t addr,
			struct jit_code *j)
{
	const struct perfmap *pm = symcache__perfmap(sc, pid);
	const struct jitdump *jd;
	const struct jitdump_code *c;
	uint64_t end;

	memset(j, 0, sizeof(*j));
	j->pid = pid;
	if (pm && (j->name = perfmap__lookup_range(pm, addr, &j->start,
						     &end))) {
		j->size = end - j->start;
		return 0;
	}
	jd = pid_jitdump(sc, pid);
	c = jd ? jitdump__lookup(jd, addr, NULL) : NULL;
	if (!c)
		return -ENOENT;
	j->start = c->start;
	j->size = c->size;
	j->name = c->name;
	j->eh_frame = c->eh_frame;
	j->eh_frame_len = c->eh_frame_len;
	j->eh_frame_hdr = c->eh_frame_hdr;
	j->eh_frame_hdr_len = c->eh_frame_hdr_len;
	return 0;
}

/* Some process of chain[0..n) lists code of its own at addr. */
static bool is_listed_below(struct symcache *sc, const int32_t *chain,
			    size_t n, uint64_t addr)
{
	struct jit_code tmp;
	size_t i;

	for (i = 0; i < n; i++)
		if (!own_jit_code(sc, chain[i], addr, &tmp))
			return true;
	return false;
}

static int find_jit_code(struct symcache *sc, int32_t pid, uint64_t addr,
			 struct jit_code *j)
{
	int32_t chain[SYMCACHE_MAX_ANCESTRY];
	size_t n = 0;

	for (;;) {
		if (!own_jit_code(sc, pid, addr, j)) {
			uint64_t last = j->start + (j->size ? j->size - 1 : 0);

			/* an ancestor's entry holds unless the memory was
			 * reused below it (both ends checked: entries of
			 * another stride may overlap it in part) */
			if (!n || (!is_listed_below(sc, chain, n, j->start) &&
				   !is_listed_below(sc, chain, n, last)))
				return 0;
			break;
		}
		chain[n++] = pid;
		pid = parent_of(sc, pid);
		if (!pid || n == SYMCACHE_MAX_ANCESTRY)
			break;
	}
	memset(j, 0, sizeof(*j));
	return -ENOENT;
}

/* The files of pid and its ancestors were read before the JIT wrote all
 * it has now (a live recording): read what they appended. True when any
 * lists more. */
static bool update_ancestry(struct symcache *sc, int32_t pid)
{
	bool is_new = false;
	size_t n, i;

	for (n = 0; pid && n < SYMCACHE_MAX_ANCESTRY; n++) {
		is_new |= update_jit_file(sc, perfmap_file(sc, pid), pid, NULL);
		for (i = 0; i < sc->nr_jitdumps; i++)
			if (sc->jitdumps[i].pid == pid)
				is_new |= update_jit_file(
				    sc, jit_file(sc, KIND_JITDUMP,
						 sc->jitdumps[i].path, -1),
				    -1, sc->jitdumps[i].path);
		pid = parent_of(sc, pid);
	}
	return is_new;
}

int symcache__jit_code(struct symcache *sc, int32_t pid, uint64_t addr,
		       struct jit_code *j)
{
	int err = find_jit_code(sc, pid, addr, j);

	/* Not the process's own code: it may have listed it since (its JIT
	 * writes an entry before running the code, so a sample there comes
	 * after the entry), or listed its own over an ancestor's. */
	if ((err || j->pid != pid) && update_ancestry(sc, pid))
		err = find_jit_code(sc, pid, addr, j);
	return err;
}
