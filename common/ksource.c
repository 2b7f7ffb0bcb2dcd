/* ksource: the kallsyms file a recording's kernel is named from (see
 * ksource.h).
 *
 * /proc/modules lines (kernel/module/procfs.c m_show()):
 * "NAME SIZE REFCOUNT DEPS STATE 0xADDRESS[ TAINTS]", the address the
 * start of the module's core text and zero when kptr_restrict hides it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ksource.h"
#include "notes.h"

void ksource__default_paths(struct ksource_paths *p, const char *buildid_dir)
{
	p->proc_kallsyms = "/proc/kallsyms";
	p->notes = "/sys/kernel/notes";
	p->modules = "/proc/modules";
	p->buildid_dir = buildid_dir;
	p->cache = NULL;
}

int ksource__read_notes_build_id(const char *path, uint8_t *id, size_t cap)
{
	uint8_t buf[4096];
	size_t len = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while (len < sizeof(buf) &&
	       (n = read(fd, buf + len, sizeof(buf) - len)) > 0)
		len += (size_t)n;
	close(fd);
	return notes__build_id(buf, len, id, cap);
}

/* perf's build_id_cache__kallsyms_path(): DIR/[kernel.kallsyms]/HEX/kallsyms.
 * 0, or -ENOENT without a cache directory. */
static int cache_path(const char *dir, const uint8_t *id, size_t len,
		      char *buf, size_t size)
{
	char hex[2 * 64 + 1];
	size_t i;

	if (!dir || !*dir || len > 64)
		return -ENOENT;
	for (i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", id[i]);
	hex[2 * len] = '\0';
	if ((size_t)snprintf(buf, size, "%s/[kernel.kallsyms]/%s/kallsyms", dir,
			     hex) >= size)
		return -ENAMETOOLONG;
	return 0;
}

/* Modules that /proc/modules never lists. */
static bool is_pseudo_module(const char *name)
{
	return !strcmp(name, "bpf") || !strncmp(name, "__builtin__", 11);
}

/* The module of ks named name, or -1. */
static long find_module(const struct kallsyms *ks, const char *name)
{
	size_t i, n = kallsyms__nr_modules(ks);
	uint64_t lo, hi;

	for (i = 0; i < n; i++)
		if (!strcmp(kallsyms__module(ks, i, &lo, &hi), name))
			return (long)i;
	return -1;
}

/* Whether the modules of ks (a cached copy) are those of the
 * /proc/modules file at modules_path, each one's functions inside its
 * listed range. A missing file means no modules (a kernel built without
 * them). */
static bool same_modules(const struct kallsyms *ks, const char *modules_path)
{
	size_t i, nr_real = 0, nr_listed = 0;
	uint64_t lo, hi;
	char line[4096];
	bool is_same = true;
	FILE *f;

	for (i = 0; i < kallsyms__nr_modules(ks); i++)
		if (!is_pseudo_module(kallsyms__module(ks, i, &lo, &hi)))
			nr_real++;
	f = fopen(modules_path, "re");
	if (!f)
		return errno == ENOENT && !nr_real;
	while (is_same && fgets(line, sizeof(line), f)) {
		char name[256];
		unsigned long long size, addr;
		long m;

		if (sscanf(line, "%255s %llu %*s %*s %*s %llx", name, &size,
			   &addr) != 3 || !addr) {
			is_same = false;	/* unreadable, or hidden */
			break;
		}
		nr_listed++;
		m = find_module(ks, name);
		if (m < 0 || is_pseudo_module(name)) {
			is_same = false;
			break;
		}
		kallsyms__module(ks, (size_t)m, &lo, &hi);
		if (lo <= hi && (lo < addr || hi - addr >= size))
			is_same = false;
	}
	if (ferror(f))
		is_same = false;
	fclose(f);
	/* every module of the copy was listed (names are unique) */
	return is_same && nr_listed == nr_real;
}

static struct kallsyms *open_proc(const struct ksource_paths *p,
				  const struct diag *d,
				  struct ksource_result *r, enum ksource_why why)
{
	r->why = why;
	r->needs_ref_check = false;
	snprintf(r->path, sizeof(r->path), "%s", p->proc_kallsyms);
	return kallsyms__open_cached(p->proc_kallsyms, p->cache, d);
}

/* The copy at r->path for the running kernel, when it answers as
 * /proc/kallsyms would; else NULL. */
static struct kallsyms *open_equivalent_copy(const struct ksource_paths *p,
					     const struct ksource_ref *ref,
					     const struct diag *d,
					     struct ksource_result *r)
{
	struct kallsyms *ks;
	uint64_t addr;

	if (access(r->path, R_OK))
		return NULL;
	ks = kallsyms__open_cached(r->path, p->cache, d);
	if (!ks)
		return NULL;
	if (kallsyms__is_restricted(ks) ||
	    !same_modules(ks, p->modules) ||
	    (ref->is_known && (kallsyms__ref_addr(ks, ref->name, &addr) ||
			       addr != ref->addr))) {
		kallsyms__free(ks);
		return NULL;
	}
	r->why = KSOURCE_RUNNING_CACHE;
	r->needs_ref_check = !ref->is_known;
	return ks;
}

struct kallsyms *ksource__open(const struct ksource_paths *p,
			       const uint8_t *build_id, size_t len,
			       const struct ksource_ref *ref,
			       const struct diag *d, struct ksource_result *r)
{
	uint8_t running[64];
	int n;
	bool has_copy;
	struct kallsyms *ks;

	memset(r, 0, sizeof(*r));
	n = ksource__read_notes_build_id(p->notes, running, sizeof(running));
	if (!build_id || !len) {
		/* perf reads /proc/kallsyms (a pipe's build ids come at its
		 * end): the running kernel's copy, when it answers alike */
		r->proc_why = KSOURCE_NO_BUILD_ID;
		if (n > 0 &&
		    !cache_path(p->buildid_dir, running, (size_t)n, r->path,
				sizeof(r->path)) &&
		    (ks = open_equivalent_copy(p, ref, d, r)))
			return ks;
		return open_proc(p, d, r, KSOURCE_NO_BUILD_ID);
	}
	has_copy = !cache_path(p->buildid_dir, build_id, len, r->path,
			       sizeof(r->path));
	if (n == (int)len && !memcmp(running, build_id, len)) {
		r->proc_why = KSOURCE_RUNNING;
		if (has_copy && (ks = open_equivalent_copy(p, ref, d, r)))
			return ks;
		return open_proc(p, d, r, KSOURCE_RUNNING);
	}
	if (has_copy && !access(r->path, R_OK)) {
		r->why = KSOURCE_OTHER_CACHE;
		return kallsyms__open_cached(r->path, p->cache, d);
	}
	return open_proc(p, d, r, n < 0 ? KSOURCE_UNKNOWN_PROC
				      : KSOURCE_OTHER_PROC);
}

struct kallsyms *ksource__confirm(const struct ksource_paths *p,
				  struct kallsyms *ks,
				  const struct ksource_ref *ref,
				  const struct diag *d,
				  struct ksource_result *r)
{
	uint64_t addr;

	if (r->needs_ref_check &&
	    (!ks || !ref->is_known || kallsyms__ref_addr(ks, ref->name, &addr) ||
	     addr != ref->addr)) {
		kallsyms__free(ks);
		ks = open_proc(p, d, r, r->proc_why);
	}
	r->needs_ref_check = false;
	if (r->why == KSOURCE_UNKNOWN_PROC)
		diag__emit(d, DIAG_WARN, "cannot read the running kernel's "
			   "build id from '%s' and perf's build-id cache has no "
			   "copy of the recorded kernel's symbols: kernel names "
			   "come from '%s', which may be another kernel's",
			   p->notes, p->proc_kallsyms);
	else if (r->why == KSOURCE_OTHER_PROC)
		diag__emit(d, DIAG_WARN, "the recorded kernel is not the "
			   "running one and perf's build-id cache has no copy of "
			   "its symbols: kernel names come from the running "
			   "kernel ('%s')", p->proc_kallsyms);
	/* __dso__load_kallsyms(): kallsyms__delta() is 0 without a
	 * reference; perf fails the load when the file lacks the symbol,
	 * here the table is used as listed */
	if (ks && ref->is_known && !kallsyms__ref_addr(ks, ref->name, &addr))
		kallsyms__relocate(ks, addr - ref->addr);
	return ks;
}
