/* datafold: perf.data -> folder (see datafold.h).
 *
 * Naming follows perf 6.1's perf script, so both input paths print the same
 * frames: kernel addresses from kallsyms as "sym ([kernel.kallsyms])" or
 * "sym ([module])"; anonymous executable memory as perf's JIT map
 * "/tmp/perf-PID.map", names from that file (CPython's -X perf) or else
 * from the process's jitdump (3.13's -X perf_jit, read directly); files
 * through their ELF symbols; anything else "[unknown]" with the DSO name.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "datafold.h"
#include "folder.h"
#include "intern.h"
#include "perfdata.h"
#include "session.h"
#include "symcache.h"
#include "unwind.h"

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

struct jitdump_ref {
	int32_t pid;
	const char *path;	/* interned */
};

/* The pid and tid of a recent thread as text, for naming roots. */
struct thread_text {
	int32_t pid, tid;
	char pid_buf[12], tid_buf[12];
	struct slice pid_s, tid_s;	/* into the buffers */
};

#define DATAFOLD_RECENT_THREADS 4
#define DATAFOLD_BATCH 256	/* frame ids handed to the folder at once */

struct datafold {
	struct perfdata *pd;
	struct folder *folder;
	const struct datafold_opts *opts;
	const struct diag *diag;
	struct datafold_stats *st;
	struct session *session;
	struct symcache *syms;
	struct unwind *unwind;
	struct unwind_frame *uframes;	/* UNWIND_MAX_FRAMES, reused */
	size_t nr_uframes;		/* of the sample being folded */
	enum unwind_stop uwhy;
	bool is_unwound;		/* uframes hold this sample's walk */
	bool arch_checked, is_other_arch;
	struct intern *strings;
	struct ipcache_slot *slots;
	size_t slots_cap, nr_slots;
	uint32_t *ids;		/* ids[0] unused: first == 0 means empty */
	uint32_t uncached[64];	/* the ids of the last frame not cached */
	size_t ids_len, ids_cap;
	struct jitdump_ref *jitdumps;
	size_t nr_jitdumps, jitdumps_cap;
	char scratch[512];
	/* the mappings of last_pid used last, most recent first, or NULL */
	const struct session_map *recent_maps[2];
	int32_t last_pid;
	struct thread_text texts[DATAFOLD_RECENT_THREADS];
	size_t next_text;	/* the one to replace */
	/* the sample's frame ids not yet given to the folder, filling
	 * batch[batch_low..] from the end as frames come, leaf first */
	uint32_t batch[DATAFOLD_BATCH];
	size_t batch_low;
};

static struct slice cstr(const char *s)
{
	return (struct slice){s, strlen(s)};
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

/* pid and tid as text, made once while the thread stays among the last
 * few sampled (samples of a few threads come interleaved). */
static const struct thread_text *thread_text(struct datafold *df,
					     int32_t pid, int32_t tid)
{
	struct thread_text *t;
	size_t i;

	for (i = 0; i < DATAFOLD_RECENT_THREADS; i++) {
		t = &df->texts[i];
		if (t->pid == pid && t->tid == tid && t->pid_s.s)
			return t;
	}
	t = &df->texts[df->next_text];
	df->next_text = (df->next_text + 1) % DATAFOLD_RECENT_THREADS;
	t->pid = pid;
	t->tid = tid;
	t->pid_s = int_text(t->pid_buf, pid);
	t->tid_s = int_text(t->tid_buf, tid);
	return t;
}

/* ---- a sample's frames, to the folder in batches ---- */

static void flush_ids(struct datafold *df)
{
	folder__ids(df->folder, df->batch + df->batch_low,
		    DATAFOLD_BATCH - df->batch_low);
	df->batch_low = DATAFOLD_BATCH;
}

/* The ids of the sample's next frame (root-most first), below those of
 * the frames nearer the leaf, as folder__ids() puts them. */
static inline void add_ids(struct datafold *df, const uint32_t *ids,
			   size_t n)
{
	if (n > df->batch_low) {
		flush_ids(df);
		if (n > DATAFOLD_BATCH) {
			folder__ids(df->folder, ids, n);
			return;
		}
	}
	df->batch_low -= n;
	if (n == 1)
		df->batch[df->batch_low] = ids[0];
	else
		memcpy(df->batch + df->batch_low, ids, n * sizeof(*ids));
}

static int end_sample(struct datafold *df)
{
	flush_ids(df);
	return folder__end(df->folder);
}

/* ---- ip cache: (map, ip, java) -> frame ids ---- */

static size_t cache_slot(const struct datafold *df, uint32_t map,
			 uint64_t ip)
{
	uint64_t h = (ip ^ ((uint64_t)map << 40)) * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 17) & (df->slots_cap - 1);
}

static struct ipcache_slot *cache_find(struct datafold *df, uint32_t map,
				       uint64_t ip)
{
	size_t i;

	for (i = cache_slot(df, map, ip); df->slots[i].first;
	     i = (i + 1) & (df->slots_cap - 1))
		if (df->slots[i].ip == ip && df->slots[i].map == map)
			return &df->slots[i];
	return &df->slots[i];	/* the empty slot to fill */
}

static int cache_grow(struct datafold *df)
{
	struct ipcache_slot *old = df->slots;
	size_t old_cap = df->slots_cap, i;

	df->slots_cap = old_cap ? old_cap * 2 : 4096;
	df->slots = calloc(df->slots_cap, sizeof(*df->slots));
	if (!df->slots) {
		df->slots = old;
		df->slots_cap = old_cap;
		return -ENOMEM;
	}
	for (i = 0; i < old_cap; i++)
		if (old[i].first)
			*cache_find(df, old[i].map, old[i].ip) = old[i];
	free(old);
	return 0;
}

/* ---- naming one address ---- */

static bool has_prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

/* perf's map__new(): anonymous or no-DSO executable memory is named by the
 * JIT's perf map. */
static bool is_jit_memory(const char *name)
{
	return has_prefix(name, "//anon") || has_prefix(name, "/dev/zero") ||
	       has_prefix(name, "/anon_hugepage") || has_prefix(name, "[stack") ||
	       has_prefix(name, "[heap]") || has_prefix(name, "/SYSV");
}

static const char *jitdump_path(const struct datafold *df, int32_t pid)
{
	size_t i;

	for (i = 0; i < df->nr_jitdumps; i++)
		if (df->jitdumps[i].pid == pid)
			return df->jitdumps[i].path;
	return NULL;
}

static void name_kernel(struct datafold *df, uint64_t ip,
			struct script_frame *f)
{
	const struct kallsyms *ks = symcache__kallsyms(df->syms);
	const char *module = NULL, *name = NULL;

	if (ks) {
		name = kallsyms__lookup(ks, ip, NULL, &module);
		df->st->kallsyms_restricted = kallsyms__is_restricted(ks);
	}
	f->sym = cstr(name ? name : "[unknown]");
	if (module) {
		snprintf(df->scratch, sizeof(df->scratch), "[%s]", module);
		f->dso = cstr(df->scratch);
	} else {
		f->dso = cstr("[kernel.kallsyms]");
	}
}

static void name_user(struct datafold *df, int32_t pid,
		      const struct session_map *m, uint64_t ip,
		      struct script_frame *f)
{
	const char *name = NULL;

	if (!m) {
		f->sym = f->dso = cstr("[unknown]");
		return;
	}
	if (is_jit_memory(m->filename)) {
		const struct perfmap *pm = symcache__perfmap(df->syms, pid);
		const char *jd_path = jitdump_path(df, pid);
		const struct jitdump_code *c;

		if (pm)
			name = perfmap__lookup(pm, ip, NULL);
		if (!name && jd_path) {
			const struct jitdump *jd;

			if (df->opts->perf_map_dir) {
				/* maps and dumps copied from elsewhere */
				const char *base = strrchr(jd_path, '/');

				snprintf(df->scratch, sizeof(df->scratch),
					 "%s/%s", df->opts->perf_map_dir,
					 base ? base + 1 : jd_path);
				jd_path = df->scratch;
			}
			jd = symcache__jitdump(df->syms, jd_path);
			c = jd ? jitdump__lookup(jd, ip, NULL) : NULL;
			name = c ? c->name : NULL;
		}
		snprintf(df->scratch, sizeof(df->scratch), "/tmp/perf-%d.map",
			 (int)pid);
		f->dso = cstr(df->scratch);
	} else {
		const struct symtab *st = NULL;

		if (m->filename[0] != '[' || !strcmp(m->filename, "[vdso]"))
			st = symcache__dso(df->syms, m->filename,
					   m->build_id_size ? m->build_id : NULL,
					   m->build_id_size);
		if (st)
			name = symtab__lookup_mapped(st, m->start, m->pgoff,
						     ip, NULL);
		f->dso = cstr(m->filename);
	}
	f->sym = cstr(name ? name : "[unknown]");
}

/* After the ids of frame f (n of them in buf, root-most first), those of
 * the functions inlined at ip, outermost first: perf prints them leaf
 * first as "NAME (inlined)" lines above the frame. */
static int add_inlines(struct datafold *df, const struct session_map *m,
		       uint64_t ip, struct script_frame *f, uint32_t *buf,
		       int n, int cap)
{
	const char *names[16];
	size_t nr = unwind__inlines(df->unwind, m, ip, names, 16);
	int k;

	if (!nr)
		return n;
	/* the containing function by its DWARF name, as perf prints it */
	nr--;
	if (strcmp(names[nr], f->sym.s)) {
		f->sym = cstr(names[nr]);
		n = folder__name(df->folder, f, folder__is_java(df->folder),
				 buf, (size_t)cap);
		if (n < 0)
			return n;
	}
	f->dso = cstr("inlined");
	while (nr-- > 0) {
		f->sym = cstr(names[nr]);
		k = folder__name(df->folder, f, folder__is_java(df->folder),
				 buf + n, (size_t)(cap - n));
		if (k < 0)
			return k;
		n += k;
	}
	return n;
}

/* Name the frame at ip (map m, cache "map" id map) and remember its ids
 * in the cache: frame_ids() when the cache has not seen it. */
static int name_frame(struct datafold *df, int32_t pid, bool is_kernel,
		      bool with_inline, const struct session_map *m,
		      uint32_t map, uint64_t ip, const uint32_t **ids)
{
	struct ipcache_slot *slot = NULL;
	struct script_frame f;
	char pc[20];
	uint32_t buf[64];
	int n;

	if ((df->nr_slots + 1) * 2 > df->slots_cap && cache_grow(df) < 0)
		return -ENOMEM;
	/* unmapped user addresses differ by pid: keep them out of the cache */
	if (m || is_kernel)
		slot = cache_find(df, map, ip);
	memset(&f, 0, sizeof(f));
	if (is_kernel)
		name_kernel(df, ip, &f);
	else
		name_user(df, pid, m, ip, &f);
	/* perf script prints user addresses in files as file offsets
	 * (map_ip), kernel and JIT addresses as they are */
	snprintf(pc, sizeof(pc), "%" PRIx64,
		 m && !is_jit_memory(m->filename) ? ip - m->start + m->pgoff
						  : ip);
	f.pc = cstr(pc);
	n = folder__name(df->folder, &f, folder__is_java(df->folder), buf, 64);
	if (n < 0)
		return n;
	if (with_inline && m && df->unwind)
		n = add_inlines(df, m, ip, &f, buf, n, 64);
	if (n < 0)
		return n;
	if (!strcmp(f.sym.s, "[unknown]"))
		df->st->nr_unknown_frames++;
	if (!slot) {
		/* named each time they come: not kept */
		memcpy(df->uncached, buf, (size_t)n * sizeof(*buf));
		*ids = df->uncached;
		return n;
	}
	if (array__reserve((void **)&df->ids, &df->ids_cap, df->ids_len + (size_t)n + 1,
		 sizeof(*df->ids)) < 0)
		return -ENOMEM;
	if (!df->ids_len)
		df->ids_len = 1;
	memcpy(df->ids + df->ids_len, buf, (size_t)n * sizeof(*buf));
	slot->ip = ip;
	slot->map = map;
	slot->first = (uint32_t)df->ids_len;
	slot->nr = (uint32_t)n;
	slot->id = n ? buf[0] : 0;
	df->nr_slots++;
	*ids = df->ids + df->ids_len;
	df->ids_len += (size_t)n;
	return n;
}

static void forget_maps(struct datafold *df)
{
	df->recent_maps[0] = df->recent_maps[1] = NULL;
}

static inline bool map_has(const struct session_map *m, uint64_t ip)
{
	return m && ip >= m->start && ip < m->end;
}

/* The mapping of pid holding ip. Most addresses of a stack fall in the
 * mapping of the one before, or of the one before that (a program and its
 * libc, say), so the last two are tried first. */
static inline const struct session_map *recent_map(struct datafold *df,
						   int32_t pid, uint64_t ip)
{
	const struct session_map **r = df->recent_maps, *m;

	if (df->last_pid == pid) {
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
		df->last_pid = pid;
	}
	m = session__find_map(df->session, pid, ip);
	if (m) {
		r[1] = r[0];
		r[0] = m;
	}
	return m;
}

/* The ids of the frame at ip, from the cache or named now; with_inline
 * adds the functions inlined there (DWARF-unwound frames). is_java: the
 * sample's comm is java (folder__is_java()). */
static inline int frame_ids(struct datafold *df, int32_t pid, bool is_kernel,
			    bool is_java, bool with_inline, uint64_t ip,
			    const uint32_t **ids)
{
	const struct session_map *m = NULL;
	uint32_t map;

	if (is_kernel) {
		map = MAP_KERNEL;
	} else {
		m = recent_map(df, pid, ip);
		map = m ? m->id : MAP_NONE;
	}
	if (is_java)
		map ^= 0x80000000u;	/* Java tidying changes names */
	if (with_inline)
		map ^= 0x40000000u;	/* so do inline frames */
	if (m || is_kernel) {
		const struct ipcache_slot *slot = cache_find(df, map, ip);

		if (slot->first) {
			/* valid until the cache next grows: used at once */
			*ids = slot->nr == 1 ? &slot->id
					     : df->ids + slot->first;
			return (int)slot->nr;
		}
	}
	return name_frame(df, pid, is_kernel, with_inline, m, map, ip, ids);
}

/* ---- DWARF samples ---- */

/* unwind's view of JIT code: the perf map entry or jitdump code at addr */
static int jit_range(void *ctx, int32_t pid, uint64_t addr,
		     struct unwind_jit *j)
{
	struct datafold *df = ctx;
	const struct perfmap *pm = symcache__perfmap(df->syms, pid);
	const char *jd_path = jitdump_path(df, pid);
	uint64_t end;

	if (pm && (j->name = perfmap__lookup_range(pm, addr, &j->start,
						     &end))) {
		j->size = end - j->start;
		return 0;
	}
	if (jd_path) {
		const struct jitdump *jd;
		const struct jitdump_code *c;
		char path[4096];

		if (df->opts->perf_map_dir) {
			const char *base = strrchr(jd_path, '/');

			snprintf(path, sizeof(path), "%s/%s",
				 df->opts->perf_map_dir,
				 base ? base + 1 : jd_path);
			jd_path = path;
		}
		jd = symcache__jitdump(df->syms, jd_path);
		c = jd ? jitdump__lookup(jd, addr, NULL) : NULL;
		if (c) {
			j->start = c->start;
			j->size = c->size;
			j->name = c->name;
			j->eh_frame = c->eh_frame;
			j->eh_frame_len = c->eh_frame_len;
			j->eh_frame_hdr = c->eh_frame_hdr;
			j->eh_frame_hdr_len = c->eh_frame_hdr_len;
			return 0;
		}
	}
	return -ENOENT;
}

/* The recording's machine (perf's ARCH feature, uname -m) is x86-64, or
 * did not say. */
static bool is_x86_64(struct datafold *df)
{
	if (!df->arch_checked) {
		const char *arch = perfdata__feature_string(df->pd,
							    PERFDATA_FEAT_ARCH);

		df->is_other_arch = arch && strcmp(arch, "x86_64");
		df->arch_checked = true;
	}
	return !df->is_other_arch;
}

static bool is_dwarf_sample(const struct perfdata_sample *s)
{
	return (s->sample_type & PERF_SAMPLE_REGS_USER) &&
	       (s->sample_type & PERF_SAMPLE_STACK_USER) &&
	       s->regs_user_abi && s->nr_regs_user;
}

static int new_unwind(struct datafold *df)
{
	df->unwind = unwind__new(df->session, df->syms, jit_range, df,
				 df->diag);
	df->uframes = malloc(UNWIND_MAX_FRAMES * sizeof(*df->uframes));
	return df->unwind && df->uframes ? 0 : -ENOMEM;
}

/* Unwind the user stack of DWARF sample s into df->uframes, once per
 * sample: the warm-up below may have done it already. */
static int unwind_user(struct datafold *df, const struct perfdata_sample *s)
{
	const struct perf_event_attr *attr =
		perfdata__attr(df->pd, s->sid.attr_idx);

	if (df->is_unwound)
		return 0;
	if (!df->unwind && new_unwind(df) < 0)
		return -ENOMEM;
	if (!is_x86_64(df) || s->regs_user_abi != PERF_SAMPLE_REGS_ABI_64) {
		df->nr_uframes = 0;	/* unwind knows x86-64's registers only */
		df->uwhy = UNWIND_ARCH;
	} else {
		df->nr_uframes = unwind__stack(
		    df->unwind, (int32_t)s->sid.pid, s->regs_user,
		    s->nr_regs_user, attr->sample_regs_user, s->stack_user,
		    s->stack_user_dyn_size, df->uframes, UNWIND_MAX_FRAMES,
		    &df->uwhy);
	}
	df->is_unwound = true;
	return 0;
}

/* The address to name for unwound frame f: a return address is looked
 * up at the call, as perf does. */
static uint64_t uframe_ip(const struct unwind_frame *f)
{
	return f->is_activation ? f->pc : f->pc - 1;
}

/* The user part of a DWARF sample, leaf first, then a frame saying why the
 * walk stopped, unless it reached the outermost frame. */
static int add_unwound(struct datafold *df, const struct perfdata_sample *s)
{
	int32_t pid = (int32_t)s->sid.pid;
	enum unwind_stop why;
	size_t nr, i;
	int n = unwind_user(df, s);

	if (n < 0)
		return n;
	df->is_unwound = false;
	nr = df->nr_uframes;
	why = df->uwhy;
	df->st->nr_unwound++;
	df->st->nr_unwind_stops[why]++;
	for (i = 0; i < nr; i++) {
		const struct unwind_frame *f = &df->uframes[i];
		const uint32_t *ids;

		n = frame_ids(df, pid, false, folder__is_java(df->folder),
			      !df->opts->no_inline, uframe_ip(f), &ids);
		if (n < 0)
			return n;
		add_ids(df, ids, (size_t)n);
		df->st->nr_frames++;
	}
	if (why != UNWIND_END) {
		struct script_frame f = {.pc = cstr("0")};
		uint32_t id;

		snprintf(df->scratch, sizeof(df->scratch),
			 "[unwind stopped: %s]", unwind__stop_str(why));
		f.sym = cstr(df->scratch);
		f.dso = cstr("[unwind]");
		n = folder__name(df->folder, &f, false, &id, 1);
		if (n < 0)
			return n;
		add_ids(df, &id, (size_t)n);
	}
	return 0;
}

/* While kernel symbols still load on the other core, the first samples
 * name their user frames first (loading those DSOs' symbols, unwinding),
 * so the kernel frames that come first in a callchain wait the least.
 * Names land in the cache; the frames are added in order after. */
static int warm_user_frames(struct datafold *df,
			    const struct perfdata_sample *s, bool is_dwarf,
			    bool is_java)
{
	int32_t pid = (int32_t)s->sid.pid;
	bool is_user = false;
	const uint32_t *ids;
	uint64_t i;
	int n;

	if (is_dwarf) {
		n = unwind_user(df, s);
		for (i = 0; n >= 0 && i < df->nr_uframes; i++) {
			uint64_t ip = uframe_ip(&df->uframes[i]);

			if (recent_map(df, pid, ip))
				n = frame_ids(df, pid, false, is_java,
					      !df->opts->no_inline, ip, &ids);
		}
		return n < 0 ? n : 0;
	}
	for (i = 0; i < s->nr_callchain; i++) {
		uint64_t ip = s->callchain[i];

		if (ip >= PERF_CONTEXT_MAX) {
			is_user = ip == PERF_CONTEXT_USER;
			continue;
		}
		/* unmapped addresses are not cached: named once, in order */
		if (is_user && recent_map(df, pid, ip) &&
		    (n = frame_ids(df, pid, false, is_java, false, ip, &ids)) < 0)
			return n;
	}
	return 0;
}

/* ---- records ---- */

static int on_sample(void *ctx, const struct perfdata_sample *s)
{
	struct datafold *df = ctx;
	const struct session_thread *t;
	uint16_t cpumode = s->misc & PERF_RECORD_MISC_CPUMODE_MASK;
	bool is_kernel = cpumode == PERF_RECORD_MISC_KERNEL ||
			 cpumode == PERF_RECORD_MISC_GUEST_KERNEL;
	const struct thread_text *tt;
	struct slice event;
	bool is_dwarf, is_java;
	uint64_t i;
	int n;

	if (!(++df->st->nr_samples & 0xffff) && df->opts->progress)
		df->opts->progress(df->opts->progress_ctx,
				   perfdata__stats(df->pd)->data_bytes);
	t = session__thread(df->session, (int32_t)s->sid.pid,
			    (int32_t)s->sid.tid);
	if (!t)
		return -ENOMEM;
	tt = thread_text(df, (int32_t)s->sid.pid, (int32_t)s->sid.tid);
	event.s = perfdata__attr_name(df->pd, s->sid.attr_idx);
	event.len = perfdata__attr_name_len(df->pd, s->sid.attr_idx);
	if (!folder__begin(df->folder,
			   (struct slice){t->comm, t->comm_len}, tt->pid_s,
			   tt->tid_s, event, s->period,
			   s->sample_type & PERF_SAMPLE_PERIOD))
		return 0;
	df->batch_low = DATAFOLD_BATCH;
	df->is_unwound = false;
	if (!(s->sample_type & PERF_SAMPLE_CALLCHAIN)) {
		const uint32_t *ids;

		n = frame_ids(df, (int32_t)s->sid.pid, is_kernel,
			      folder__is_java(df->folder), false, s->ip, &ids);
		if (n < 0)
			return n;
		add_ids(df, ids, (size_t)n);
		df->st->nr_frames++;
		return end_sample(df);
	}
	is_dwarf = is_dwarf_sample(s);
	is_java = folder__is_java(df->folder);
	if (symcache__is_loading_kallsyms(df->syms) &&
	    (n = warm_user_frames(df, s, is_dwarf, is_java)) < 0)
		return n;
	for (i = 0; i < s->nr_callchain; i++) {
		uint64_t ip = s->callchain[i];
		const uint32_t *ids;

		if (ip >= PERF_CONTEXT_MAX) {
			is_kernel = ip == PERF_CONTEXT_KERNEL ||
				    ip == PERF_CONTEXT_GUEST_KERNEL;
			continue;
		}
		if (is_dwarf && !is_kernel)
			continue;	/* the user part is unwound below */
		n = frame_ids(df, (int32_t)s->sid.pid, is_kernel, is_java,
			      false, ip, &ids);
		if (n < 0)
			return n;
		add_ids(df, ids, (size_t)n);
		df->st->nr_frames++;
	}
	if (is_dwarf) {
		n = add_unwound(df, s);
		if (n < 0)
			return n;
	}
	return end_sample(df);
}

/* jit-PID.dump, as CPython's -X perf_jit maps it to mark the process */
static bool is_jitdump_name(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	return has_prefix(base, "jit-") && n > 9 &&
	       !strcmp(base + n - 5, ".dump");
}

static int on_mmap(void *ctx, const struct perfdata_mmap *m)
{
	struct datafold *df = ctx;

	forget_maps(df);	/* the address space changes */
	if (m->misc & PERF_RECORD_MISC_MMAP_DATA)
		return 0;	/* data, not code */
	if ((int32_t)m->pid == -1) {
		/* the kernel's, named through kallsyms; perf relocates those
		 * by "[kernel.kallsyms]_text" (or _stext) and its pgoff, the
		 * symbol's address at record time (0 when hidden) */
		if ((m->misc & PERF_RECORD_MISC_CPUMODE_MASK) ==
			    PERF_RECORD_MISC_KERNEL &&
		    has_prefix(m->filename, "[kernel.kallsyms]") &&
		    m->filename[17] && m->pgoff)
			symcache__set_kernel_ref(df->syms, m->filename + 17,
						 m->pgoff);
		return 0;
	}
	if (is_jitdump_name(m->filename)) {
		uint32_t id = intern__add(df->strings, m->filename,
					  strlen(m->filename));

		if (id == INTERN_NONE ||
		    array__reserve((void **)&df->jitdumps, &df->jitdumps_cap,
			 df->nr_jitdumps + 1, sizeof(*df->jitdumps)) < 0)
			return -ENOMEM;
		df->jitdumps[df->nr_jitdumps].pid = (int32_t)m->pid;
		df->jitdumps[df->nr_jitdumps++].path =
			intern__str(df->strings, id);
		return 0;
	}
	return session__mmap(df->session, (int32_t)m->pid, m->start, m->len,
			     m->pgoff, m->filename,
			     m->has_build_id ? m->build_id : NULL,
			     m->has_build_id ? m->build_id_size : 0);
}

static int on_comm(void *ctx, const struct perfdata_comm *c)
{
	struct datafold *df = ctx;

	return session__comm(df->session, (int32_t)c->pid, (int32_t)c->tid,
			     c->comm);
}

static int on_fork(void *ctx, const struct perfdata_task *t)
{
	struct datafold *df = ctx;

	forget_maps(df);
	return session__fork(df->session, (int32_t)t->pid, (int32_t)t->ppid,
			     (int32_t)t->tid, (int32_t)t->ptid);
}

static int on_lost(void *ctx, const struct perfdata_lost *l)
{
	struct datafold *df = ctx;

	if (l->is_lost_samples)
		df->st->nr_lost_samples += l->lost;
	else
		df->st->nr_lost += l->lost;
	return 0;
}

/* A DWARF recording whose inline frames are wanted: every DSO with
 * samples (perf's build id list) will need its debuginfo; start opening
 * each on a thread now (libc's takes 15 ms to inflate), beside reading
 * kernel and user symbols, rather than when its first frame comes. */
static int prefetch_dwarf(struct datafold *df, struct perfdata *pd)
{
	const char *arch = perfdata__feature_string(pd, PERFDATA_FEAT_ARCH);
	uint32_t i;

	/* (not is_x86_64(): a pipe's features may come after this) */
	if (!perfdata__has_stack_copies(pd) || df->opts->no_inline ||
	    (arch && strcmp(arch, "x86_64")))
		return 0;
	if (!df->unwind && new_unwind(df) < 0)
		return -ENOMEM;
	for (i = 0; i < perfdata__nr_build_ids(pd); i++) {
		const struct perfdata_build_id *b = perfdata__build_id(pd, i);
		char *file;

		if (b->cpumode != PERF_RECORD_MISC_USER || !b->filename)
			continue;
		file = symcache__dso_symbol_file(df->syms, b->filename,
						 b->build_id, b->size);
		if (file)
			unwind__prefetch_dwarf(df->unwind, file);
		free(file);
	}
	return 0;
}

/* Before the first record: when any event samples the kernel, start
 * loading kallsyms on the other core, from the file perf would use for
 * the recorded kernel's build id. */
static int on_ready(void *ctx, struct perfdata *pd)
{
	struct datafold *df = ctx;
	uint32_t i;

	for (i = 0; i < perfdata__nr_build_ids(pd); i++) {
		const struct perfdata_build_id *b = perfdata__build_id(pd, i);

		if (b->cpumode == PERF_RECORD_MISC_KERNEL && b->filename &&
		    !strcmp(b->filename, "[kernel.kallsyms]")) {
			symcache__set_kernel_build_id(df->syms, b->build_id,
						      b->size);
			break;
		}
	}
	for (i = 0; i < perfdata__nr_attrs(pd); i++)
		if (!perfdata__attr(pd, i)->exclude_kernel) {
			symcache__prefetch_kallsyms(df->syms);
			break;
		}
	return prefetch_dwarf(df, pd);
}

int datafold__read(struct perfdata *pd, struct folder *f,
		   const struct datafold_opts *o, const struct diag *d,
		   struct datafold_stats *st)
{
	static const struct perfdata_ops ops = {
		.on_ready = on_ready,
		.on_sample = on_sample,
		.on_mmap = on_mmap,
		.on_comm = on_comm,
		.on_fork = on_fork,
		.on_lost = on_lost,
	};
	struct datafold df = {
		.pd = pd, .folder = f, .opts = o, .diag = d, .st = st,
		.batch_low = DATAFOLD_BATCH,
	};
	const struct perfdata_stats *ps;
	struct symtab_paths paths;
	char buf[PATH_MAX];
	int err = -ENOMEM;

	memset(st, 0, sizeof(*st));
	symtab__default_paths(&paths, buf, sizeof(buf));
	paths.cache = o->cache;
	df.session = session__new();
	df.syms = symcache__new(&paths, d);
	df.strings = intern__new();
	if (!df.session || !df.syms || !df.strings || cache_grow(&df) < 0)
		goto out;
	if (o->perf_map_dir &&
	    symcache__set_perf_map_dir(df.syms, o->perf_map_dir) < 0)
		goto out;
	err = perfdata__read(pd, &ops, &df);
	ps = perfdata__stats(pd);
	st->nr_bad_records = ps->nr_bad;
	st->nr_unknown_records = ps->nr_unknown;
	if (df.unwind) {
		struct unwind_stats us;

		unwind__stats(df.unwind, &us);
		st->nr_trampoline_steps = us.nr_trampoline_steps;
		st->nr_jit_cfi_steps = us.nr_jit_cfi_steps;
		st->nr_fp_steps = us.nr_fp_steps;
	}
out:
	unwind__free(df.unwind);
	free(df.uframes);
	free(df.slots);
	free(df.ids);
	free(df.jitdumps);
	intern__free(df.strings);
	symcache__free(df.syms);
	session__free(df.session);
	return err;
}
