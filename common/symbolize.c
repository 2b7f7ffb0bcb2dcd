/* symbolize: addresses -> frames -> folded frame ids (see symbolize.h). */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "dso.h"
#include "folder.h"
#include "intern.h"
#include "session.h"
#include "symbolize.h"
#include "symcache.h"
#include "symtab.h"

#define SYMBOLIZE_BATCH 256	/* frame ids handed to the folder at once */
#define MAP_KERNEL UINT32_MAX		/* cache "map" id of kernel addresses */
#define MAP_NONE (UINT32_MAX - 1)	/* user address in no mapping */

struct ipcache_slot {
	uint64_t ip;
	uint32_t map;		/* map id, MAP_KERNEL or MAP_NONE */
	uint32_t first;		/* into ids; 0 = empty slot */
	uint32_t nr;
	uint32_t id;		/* ids[first] when nr is 1, the usual case:
				 * no second miss on ids */
};

struct symbolize {
	struct session *session;
	struct symcache *syms;
	struct folder *folder;
	struct symbolize_stats st;
	struct ipcache_slot *slots;
	size_t slots_cap, nr_slots;
	uint32_t *slot_locs;	/* a folder with a sink: each slot's location
				 * token (folder.h), beside slots; else NULL */
	uint32_t *ids;		/* ids[0] unused: first == 0 means empty */
	size_t ids_len, ids_cap;
	uint32_t uncached[64];	/* the ids of the last frame not cached */
	char scratch[512];
	/* the mappings of last_pid used last, most recent first, or NULL */
	const struct session_map *recent_maps[2];
	int32_t last_pid;
	bool is_dwarf_wanted;	/* symcache__want_dwarf() was called */
	/* the sample begun: its process, whether its names get FlameGraph's
	 * Java tidying (folder__is_java()), and its frame ids not yet given
	 * to the folder, filling batch[batch_low..] from the end as frames
	 * come, leaf first (one folder__ids() call per batch, not per
	 * frame) */
	int32_t pid;
	bool is_java;
	uint32_t batch[SYMBOLIZE_BATCH];
	uint32_t batch_locs[SYMBOLIZE_BATCH];	/* with a sink */
	size_t batch_low;
};

static struct slice cstr(const char *s)
{
	return (struct slice){s, strlen(s)};
}

/* ---- ip cache: (map, ip, java, inline) -> frame ids ---- */

static size_t cache_slot(const struct symbolize *sy, uint32_t map,
			 uint64_t ip)
{
	uint64_t h = (ip ^ ((uint64_t)map << 40)) * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 17) & (sy->slots_cap - 1);
}

static struct ipcache_slot *cache_find(struct symbolize *sy, uint32_t map,
				       uint64_t ip)
{
	size_t i;

	for (i = cache_slot(sy, map, ip); sy->slots[i].first;
	     i = (i + 1) & (sy->slots_cap - 1))
		if (sy->slots[i].ip == ip && sy->slots[i].map == map)
			return &sy->slots[i];
	return &sy->slots[i];	/* the empty slot to fill */
}

static int cache_grow(struct symbolize *sy)
{
	struct ipcache_slot *old = sy->slots, *to;
	uint32_t *old_locs = sy->slot_locs;
	size_t old_cap = sy->slots_cap, i;

	sy->slots_cap = old_cap ? old_cap * 2 : 4096;
	sy->slots = calloc(sy->slots_cap, sizeof(*sy->slots));
	if (sy->slots && old_locs)
		sy->slot_locs = malloc(sy->slots_cap * sizeof(*sy->slot_locs));
	if (!sy->slots || (old_locs && !sy->slot_locs)) {
		free(sy->slots);
		sy->slots = old;
		sy->slot_locs = old_locs;
		sy->slots_cap = old_cap;
		return -ENOMEM;
	}
	for (i = 0; i < old_cap; i++) {
		if (!old[i].first)
			continue;
		to = cache_find(sy, old[i].map, old[i].ip);
		*to = old[i];
		if (old_locs)
			sy->slot_locs[to - sy->slots] = old_locs[i];
	}
	free(old);
	free(old_locs);
	return 0;
}

struct symbolize *symbolize__new(struct session *s, struct symcache *sc,
				 struct folder *f)
{
	struct symbolize *sy = calloc(1, sizeof(*sy));

	/* (a first slot_locs for cache_grow() to replace) */
	if (!sy || (folder__has_sink(f) &&
		    !(sy->slot_locs = malloc(sizeof(*sy->slot_locs)))) ||
	    cache_grow(sy) < 0) {
		if (sy)
			free(sy->slot_locs);
		free(sy);
		errno = ENOMEM;
		return NULL;
	}
	sy->session = s;
	sy->syms = sc;
	sy->folder = f;
	sy->batch_low = SYMBOLIZE_BATCH;
	return sy;
}

void symbolize__free(struct symbolize *sy)
{
	if (!sy)
		return;
	free(sy->slots);
	free(sy->slot_locs);
	free(sy->ids);
	free(sy);
}

void symbolize__stats(const struct symbolize *sy, struct symbolize_stats *st)
{
	*st = sy->st;
}

/* ---- naming one address ---- */

static void name_kernel(struct symbolize *sy, uint64_t ip, struct frame *f)
{
	const struct kallsyms *ks = symcache__kallsyms(sy->syms);
	const char *module = NULL, *name = NULL;

	if (ks) {
		name = kallsyms__lookup(ks, ip, NULL, &module);
		sy->st.kallsyms_restricted = kallsyms__is_restricted(ks);
	}
	f->kind = FRAME_KERNEL;
	f->sym = cstr(name ? name : "[unknown]");
	if (module) {
		snprintf(sy->scratch, sizeof(sy->scratch), "[%s]", module);
		f->dso = cstr(sy->scratch);
	} else {
		f->dso = cstr("[kernel.kallsyms]");
	}
	f->addr = ip;
}

/* The JIT's memory, named by its perf map or jitdump, as perf names it;
 * code a forked process inherited by its ancestor's, whose file names it */
static void name_jit(struct symbolize *sy, int32_t pid, uint64_t ip,
		     struct frame *f)
{
	struct jit_code j;
	const char *name = NULL;

	if (!symcache__jit_code(sy->syms, pid, ip, &j)) {
		name = j.name;
		pid = j.pid;
	}
	f->kind = name && strlen(name) > 4 && !memcmp(name, "py::", 4)
			  ? FRAME_PYTHON : FRAME_JIT;
	f->sym = cstr(name ? name : "[unknown]");
	snprintf(sy->scratch, sizeof(sy->scratch), "/tmp/perf-%d.map",
		 (int)pid);
	f->dso = cstr(sy->scratch);
	f->addr = ip;
}

static void name_user(struct symbolize *sy, int32_t pid,
		      const struct session_map *m, uint64_t ip,
		      struct frame *f)
{
	const struct dso *d = NULL;
	const char *name = NULL;

	if (!m) {
		f->kind = FRAME_NATIVE;
		f->sym = f->dso = cstr("[unknown]");
		f->addr = ip;
		return;
	}
	if (m->is_jit) {
		name_jit(sy, pid, ip, f);
		return;
	}
	if (m->filename[0] != '[' || !strcmp(m->filename, "[vdso]"))
		d = symcache__dso(sy->syms, m->filename,
				  m->build_id_size ? m->build_id : NULL,
				  m->build_id_size);
	if (d)
		name = symtab__lookup_mapped(dso__symtab(d), m->start,
					     m->pgoff, ip, NULL);
	f->dso = cstr(m->filename);
	f->kind = frame__is_interpreter(f->dso) ? FRAME_INTERP : FRAME_NATIVE;
	f->sym = cstr(name ? name : "[unknown]");
	/* perf script prints addresses in files as file offsets (map_ip) */
	f->addr = ip - m->start + m->pgoff;
}

/* After the ids of frame f (n of them in buf, root-most first), those of
 * the functions inlined at ip, outermost first: perf prints them leaf
 * first as "NAME (inlined)" lines above the frame. */
static int add_inlines(struct symbolize *sy, const struct session_map *m,
		       uint64_t ip, struct frame *f, uint32_t *buf, int n,
		       int cap)
{
	const char *names[16];
	struct dso *d;
	size_t nr;
	int k;

	if (!sy->is_dwarf_wanted) {
		/* every DSO will need its DWARF: open the others' beside
		 * this one's */
		symcache__want_dwarf(sy->syms);
		sy->is_dwarf_wanted = true;
	}
	if (m->filename[0] == '[' || m->is_jit ||
	    !(d = symcache__dso(sy->syms, m->filename,
				m->build_id_size ? m->build_id : NULL,
				m->build_id_size)))
		return n;
	nr = dso__inlines(d, dso__addr(d, m, ip), names, 16);
	if (!nr)
		return n;
	/* the containing function by its DWARF name, as perf prints it */
	nr--;
	if (strcmp(names[nr], f->sym.s)) {
		f->sym = cstr(names[nr]);
		n = folder__name(sy->folder, f, buf, (size_t)cap);
		if (n < 0)
			return n;
	}
	f->kind = FRAME_INLINED;
	f->dso = (struct slice){"", 0};
	while (nr-- > 0) {
		f->sym = cstr(names[nr]);
		k = folder__name(sy->folder, f, buf + n, (size_t)(cap - n));
		if (k < 0)
			return k;
		n += k;
	}
	return n;
}

/* Name the frame at ip (map m, cache "map" id map) and remember its ids
 * in the cache: symbolize__frame() when the cache has not seen it. */
/* The sink's location of the frame at ip named ids[0..n) (f as named
 * before its inline frames), in map m (NULL: none). */
static uint32_t locate(struct symbolize *sy, const struct frame *f,
		       const struct session_map *m, uint64_t ip,
		       const uint32_t *ids, int n)
{
	struct folder_mapping fm;
	struct folder_loc l = {.kind = f->kind, .sym = f->sym, .ip = ip,
			       .ids = ids, .nr = (size_t)n};

	if (m && !m->is_jit) {
		fm = (struct folder_mapping){
			.id = m->id, .start = m->start, .limit = m->end,
			.pgoff = m->pgoff, .file = m->filename,
			.build_id = m->build_id,
			.build_id_size = m->build_id_size,
		};
		l.map = &fm;
	}
	return folder__location(sy->folder, &l);
}

static int name_frame(struct symbolize *sy, int32_t pid, bool is_kernel,
		      bool with_inline, const struct session_map *m,
		      uint32_t map, uint64_t ip, const uint32_t **ids,
		      uint32_t *loc)
{
	struct ipcache_slot *slot = NULL;
	struct frame f, named;
	uint32_t buf[64];
	int n;

	if ((sy->nr_slots + 1) * 2 > sy->slots_cap && cache_grow(sy) < 0)
		return -ENOMEM;
	/* unmapped user addresses differ by pid: keep them out of the cache */
	if (m || is_kernel)
		slot = cache_find(sy, map, ip);
	memset(&f, 0, sizeof(f));
	if (is_kernel)
		name_kernel(sy, ip, &f);
	else
		name_user(sy, pid, m, ip, &f);
	n = folder__name(sy->folder, &f, buf, 64);
	if (n < 0)
		return n;
	named = f;
	if (with_inline && m)
		n = add_inlines(sy, m, ip, &f, buf, n, 64);
	if (n < 0)
		return n;
	if (!strcmp(f.sym.s, "[unknown]")) {
		sy->st.nr_unknown_frames++;
		/* JIT code its files do not list yet: named again next time,
		 * when they may (symcache__jit_code()) */
		if (m && m->is_jit)
			slot = NULL;
	}
	if (sy->slot_locs) {
		*loc = locate(sy, &named, m, ip, buf, n);
		if (*loc == FOLDER_LOC_NONE)
			return -ENOMEM;
	}
	if (!slot) {
		/* named each time they come: not kept */
		memcpy(sy->uncached, buf, (size_t)n * sizeof(*buf));
		*ids = sy->uncached;
		return n;
	}
	if (sy->slot_locs)
		sy->slot_locs[slot - sy->slots] = *loc;
	if (array__reserve((void **)&sy->ids, &sy->ids_cap,
			   sy->ids_len + (size_t)n + 1, sizeof(*sy->ids)) < 0)
		return -ENOMEM;
	if (!sy->ids_len)
		sy->ids_len = 1;
	memcpy(sy->ids + sy->ids_len, buf, (size_t)n * sizeof(*buf));
	slot->ip = ip;
	slot->map = map;
	slot->first = (uint32_t)sy->ids_len;
	slot->nr = (uint32_t)n;
	slot->id = n ? buf[0] : 0;
	sy->nr_slots++;
	*ids = sy->ids + sy->ids_len;
	sy->ids_len += (size_t)n;
	return n;
}

void symbolize__forget_maps(struct symbolize *sy)
{
	sy->recent_maps[0] = sy->recent_maps[1] = NULL;
}

static inline bool map_has(const struct session_map *m, uint64_t ip)
{
	return m && ip >= m->start && ip < m->end;
}

/* The mapping of pid holding ip. Most addresses of a stack fall in the
 * mapping of the one before, or of the one before that (a program and its
 * libc, say), so the last two are tried first. */
static inline const struct session_map *recent_map(struct symbolize *sy,
						   int32_t pid, uint64_t ip)
{
	const struct session_map **r = sy->recent_maps, *m;

	if (sy->last_pid == pid) {
		if (map_has(r[0], ip))
			return r[0];
		if (map_has(r[1], ip)) {
			m = r[1];
			r[1] = r[0];
			r[0] = m;
			return m;
		}
	} else {
		r[0] = r[1] = NULL;
		sy->last_pid = pid;
	}
	m = session__find_map(sy->session, pid, ip);
	if (m) {
		r[1] = r[0];
		r[0] = m;
	}
	return m;
}

const struct session_map *symbolize__map(struct symbolize *sy, int32_t pid,
					 uint64_t ip)
{
	return recent_map(sy, pid, ip);
}

/* The ids of the frame at ip of pid, from the cache or named now. */
static inline int frame_ids(struct symbolize *sy, int32_t pid,
			    bool is_kernel, bool is_java, bool with_inline,
			    uint64_t ip, const uint32_t **ids, uint32_t *loc)
{
	const struct session_map *m = NULL;
	uint32_t map;

	if (is_kernel) {
		map = MAP_KERNEL;
	} else {
		m = recent_map(sy, pid, ip);
		map = m ? m->id : MAP_NONE;
	}
	if (is_java)
		map ^= 0x80000000u;	/* Java tidying changes names */
	if (with_inline)
		map ^= 0x40000000u;	/* so do inline frames */
	if (m || is_kernel) {
		const struct ipcache_slot *slot = cache_find(sy, map, ip);

		if (slot->first) {
			/* valid until the cache next grows: used at once */
			*ids = slot->nr == 1 ? &slot->id
					     : sy->ids + slot->first;
			if (sy->slot_locs)
				*loc = sy->slot_locs[slot - sy->slots];
			return (int)slot->nr;
		}
	}
	return name_frame(sy, pid, is_kernel, with_inline, m, map, ip, ids,
			  loc);
}

int symbolize__frame(struct symbolize *sy, int32_t pid, bool is_kernel,
		     bool with_inline, uint64_t ip, const uint32_t **ids)
{
	uint32_t loc;

	return frame_ids(sy, pid, is_kernel, folder__is_java(sy->folder),
			 with_inline, ip, ids, &loc);
}

/* ---- a sample's frames, to the folder in batches ---- */

void symbolize__begin(struct symbolize *sy, int32_t pid)
{
	sy->pid = pid;
	sy->is_java = folder__is_java(sy->folder);
	sy->batch_low = SYMBOLIZE_BATCH;
}

void symbolize__end(struct symbolize *sy)
{
	if (sy->slot_locs)
		folder__ids_at(sy->folder, sy->batch + sy->batch_low,
			       sy->batch_locs + sy->batch_low,
			       SYMBOLIZE_BATCH - sy->batch_low);
	else
		folder__ids(sy->folder, sy->batch + sy->batch_low,
			    SYMBOLIZE_BATCH - sy->batch_low);
	sy->batch_low = SYMBOLIZE_BATCH;
}

/* With a sink: the locations of a frame's n ids at batch_locs[low..],
 * the functions inlined there marked. */
static void add_locs(struct symbolize *sy, uint32_t loc, size_t n)
{
	size_t i;

	sy->batch_locs[sy->batch_low] = loc;
	for (i = 1; i < n; i++)
		sy->batch_locs[sy->batch_low + i] = loc | FOLDER_LOC_INLINED;
}

/* The ids of the sample's next frame (root-most first), below those of
 * the frames nearer the leaf, as folder__ids() puts them; at location loc
 * when the folder has a sink. */
static inline void add_ids(struct symbolize *sy, const uint32_t *ids,
			   size_t n, uint32_t loc)
{
	if (n > sy->batch_low) {
		symbolize__end(sy);
		if (n > SYMBOLIZE_BATCH) {
			/* (never with a sink: a frame has 64 ids at most) */
			folder__ids(sy->folder, ids, n);
			return;
		}
	}
	sy->batch_low -= n;
	if (n == 1)
		sy->batch[sy->batch_low] = ids[0];
	else
		memcpy(sy->batch + sy->batch_low, ids, n * sizeof(*ids));
	if (sy->slot_locs)
		add_locs(sy, loc, n);
}

int symbolize__add(struct symbolize *sy, bool is_kernel, bool with_inline,
		   uint64_t ip)
{
	const uint32_t *ids;
	uint32_t loc;
	int n = frame_ids(sy, sy->pid, is_kernel, sy->is_java, with_inline,
			  ip, &ids, &loc);

	if (n < 0)
		return n;
	add_ids(sy, ids, (size_t)n, loc);
	return 0;
}

int64_t symbolize__add_callchain(struct symbolize *sy, const uint64_t *ips,
				 uint64_t nr, bool is_kernel, bool skip_user)
{
	int64_t nr_added = 0;
	const uint32_t *ids;
	uint32_t loc;
	uint64_t i;
	int n;

	for (i = 0; i < nr; i++) {
		uint64_t ip = ips[i];

		if (ip >= PERF_CONTEXT_MAX) {
			is_kernel = ip == PERF_CONTEXT_KERNEL ||
				    ip == PERF_CONTEXT_GUEST_KERNEL;
			continue;
		}
		if (skip_user && !is_kernel)
			continue;
		n = frame_ids(sy, sy->pid, is_kernel, sy->is_java, false, ip,
			      &ids, &loc);
		if (n < 0)
			return n;
		add_ids(sy, ids, (size_t)n, loc);
		nr_added++;
	}
	return nr_added;
}

/* The frame has no DSO: its name is ours, not code's, so it is never
 * annotated (a DSO "[...]" would read as the kernel's to --kernel). */
int symbolize__stop_frame(struct symbolize *sy, const char *reason,
			  uint32_t *id)
{
	struct frame f = {.kind = FRAME_NATIVE, .dso = cstr("")};
	int n;

	snprintf(sy->scratch, sizeof(sy->scratch), "[unwind stopped: %s]",
		 reason);
	f.sym = cstr(sy->scratch);
	n = folder__name(sy->folder, &f, id, 1);
	return n < 0 ? n : 0;
}

int symbolize__add_stop(struct symbolize *sy, const char *reason)
{
	struct frame f = {.kind = FRAME_NATIVE};
	uint32_t id, loc = 0;
	int err = symbolize__stop_frame(sy, reason, &id);

	if (err)
		return err;
	if (sy->slot_locs) {
		f.sym = (struct slice){intern__str(folder__names(sy->folder), id),
				       intern__len(folder__names(sy->folder), id)};
		loc = locate(sy, &f, NULL, 0, &id, 1);
		if (loc == FOLDER_LOC_NONE)
			return -ENOMEM;
	}
	add_ids(sy, &id, 1, loc);
	return 0;
}
