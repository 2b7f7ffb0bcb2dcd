/* debugfile: which ELF files give a DSO's symbols, in perf 6.1's search
 * order, and their build ids (see debugfile.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "debugfile.h"
#include "mapguard.h"

#ifndef NT_GNU_BUILD_ID
#define NT_GNU_BUILD_ID 3
#endif

/* At most three debuglink candidates, two in the build-id cache and three
 * under the debug root. */
#define NR_CANDIDATES_MAX 8

Elf *debugfile__elf_begin(int fd, const char *path)
{
	Elf *e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	size_t len;
	char *raw = e ? elf_rawfile(e, &len) : NULL;

	if (raw)
		mapguard__add(raw, len, path);
	return e;
}

void debugfile__elf_end(Elf *e)
{
	size_t len;

	if (!e)
		return;
	mapguard__remove(elf_rawfile(e, &len));
	elf_end(e);
}

void debugfile__close(struct debugfile *df)
{
	debugfile__elf_end(df->elf);
	if (df->fd >= 0)
		close(df->fd);
	free(df->path);
	*df = (struct debugfile)DEBUGFILE_INIT;
}

static int read_build_id(Elf *elf, uint8_t *buf, size_t cap)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr shdr;

	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		Elf_Data *data;
		GElf_Nhdr nh;
		size_t off = 0, name_off, desc_off;

		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_NOTE)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data)
			continue;
		while ((off = gelf_getnote(data, off, &nh, &name_off,
					   &desc_off)) > 0) {
			size_t n;

			if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
			    memcmp((char *)data->d_buf + name_off, "GNU", 4))
				continue;
			n = nh.n_descsz < cap ? nh.n_descsz : cap;
			memcpy(buf, (char *)data->d_buf + desc_off, n);
			return (int)n;
		}
	}
	return 0;
}

/* Open path as an ELF file (not an archive); 0 or a negative errno. */
static int open_file(struct debugfile *df, const char *path)
{
	struct stat sb;
	GElf_Ehdr eh;
	int n;

	*df = (struct debugfile)DEBUGFILE_INIT;
	if (stat(path, &sb) < 0)
		return -errno;
	if (!S_ISREG(sb.st_mode))
		return -ENOENT;
	df->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (df->fd < 0)
		return -errno;
	df->elf = debugfile__elf_begin(df->fd, path);
	if (!df->elf || elf_kind(df->elf) != ELF_K_ELF ||
	    !gelf_getehdr(df->elf, &eh)) {
		debugfile__close(df);
		return -ENOEXEC;
	}
	df->path = strdup(path);
	if (!df->path) {
		debugfile__close(df);
		return -ENOMEM;
	}
	n = read_build_id(df->elf, df->build_id, sizeof(df->build_id));
	df->build_id_len = (size_t)n;
	return 0;
}

int debugfile__open_image(struct debugfile *df, void *image, size_t len,
			  const char *name)
{
	GElf_Ehdr eh;

	elf_version(EV_CURRENT);
	*df = (struct debugfile)DEBUGFILE_INIT;
	df->elf = elf_memory(image, len);
	if (!df->elf || elf_kind(df->elf) != ELF_K_ELF ||
	    !gelf_getehdr(df->elf, &eh)) {
		debugfile__close(df);
		return -ENOEXEC;
	}
	df->path = strdup(name ? name : "");
	if (!df->path) {
		debugfile__close(df);
		return -ENOMEM;
	}
	df->build_id_len = (size_t)read_build_id(df->elf, df->build_id,
						 sizeof(df->build_id));
	return 0;
}

int debugfile__read_build_id(const char *path, uint8_t *buf, size_t cap)
{
	struct debugfile df;
	int err;

	elf_version(EV_CURRENT);
	err = open_file(&df, path);
	if (err)
		return err;
	if (df.build_id_len > cap) {
		debugfile__close(&df);
		return -ENOSPC;
	}
	memcpy(buf, df.build_id, df.build_id_len);
	err = (int)df.build_id_len;
	debugfile__close(&df);
	return err;
}

static int build_id_eq(const struct debugfile *df, const uint8_t *id,
		       size_t len)
{
	return df->build_id_len == len && !memcmp(df->build_id, id, len);
}

static int has_symtab(Elf *elf)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr shdr;

	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		if (gelf_getshdr(scn, &shdr) && shdr.sh_type == SHT_SYMTAB)
			return 1;
	}
	return 0;
}

Elf_Scn *debugfile__section(Elf *elf, const char *name, GElf_Shdr *shdr)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx) < 0)
		return NULL;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		const char *s;

		if (!gelf_getshdr(scn, shdr))
			continue;
		s = elf_strptr(elf, shstrndx, shdr->sh_name);
		if (s && !strcmp(s, name))
			return scn;
	}
	return NULL;
}

static void hex(char *out, const uint8_t *id, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[id[i] >> 4];
		out[2 * i + 1] = digits[id[i] & 15];
	}
	out[2 * len] = '\0';
}

/* perf's cache: DIR/.build-id/xx/rest is a symlink to a directory holding
 * "elf", "debug" or "vdso" (as perf 6.1 lays it out), or to the file itself
 * (older perf). */
static void cache_path(char *out, size_t cap, const char *dir,
		       const char *idhex, const char *leaf)
{
	char link[PATH_MAX - 16];
	struct stat sb;

	snprintf(link, sizeof(link), "%s/.build-id/%.2s/%s", dir, idhex,
		 idhex + 2);
	if (stat(link, &sb) == 0 && S_ISDIR(sb.st_mode))
		snprintf(out, cap, "%s/%s", link, leaf);
	else if (!strcmp(leaf, "elf"))
		snprintf(out, cap, "%s", link);
	else
		out[0] = '\0';
}

static void free_candidates(char **c, size_t n)
{
	while (n)
		free(c[--n]);
}

static void dir_of(char *out, size_t cap, const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;

	if (n >= cap)
		n = cap - 1;
	memcpy(out, path, n);
	out[n] = '\0';
}

/* The files perf would try for a .symtab, in its order. */
static size_t symbol_candidates(char **c, const char *path,
				const struct debugfile *rt, const char *idhex,
				const struct debugfile_paths *paths)
{
	char buf[PATH_MAX], dir[PATH_MAX];
	GElf_Shdr sh;
	Elf_Scn *scn;
	size_t n = 0;

	dir_of(dir, sizeof(dir), path);
	if (rt->elf && (scn = debugfile__section(rt->elf, ".gnu_debuglink", &sh))) {
		Elf_Data *d = elf_getdata(scn, NULL);

		if (d && d->d_size && memchr(d->d_buf, '\0', d->d_size)) {
			const char *link = d->d_buf;

			if (asprintf(&c[n], "%s/%s", dir, link) > 0)
				n++;
			if (asprintf(&c[n], "%s/.debug/%s", dir, link) > 0)
				n++;
			if (paths && paths->debug_root &&
			    asprintf(&c[n], "%s%s/%s", paths->debug_root, dir,
				     link) > 0)
				n++;
		}
	}
	if (idhex[0] && paths && paths->buildid_dir) {
		cache_path(buf, sizeof(buf), paths->buildid_dir, idhex, "elf");
		if (buf[0] && (c[n] = strdup(buf)))
			n++;
		cache_path(buf, sizeof(buf), paths->buildid_dir, idhex,
			   "debug");
		if (buf[0] && (c[n] = strdup(buf)))
			n++;
	}
	if (paths && paths->debug_root) {
		if (asprintf(&c[n], "%s%s.debug", paths->debug_root, path) > 0)
			n++;
		if (asprintf(&c[n], "%s%s", paths->debug_root, path) > 0)
			n++;
		if (idhex[0] &&
		    asprintf(&c[n], "%s/.build-id/%.2s/%s.debug",
			     paths->debug_root, idhex, idhex + 2) > 0)
			n++;
	}
	return n;
}

int debugfile__find(const char *path, const uint8_t *build_id,
		    size_t build_id_len, const struct debugfile_paths *paths,
		    const struct diag *d, struct debugfile *rt,
		    struct debugfile *sym)
{
	char idhex[2 * DEBUGFILE_BUILD_ID_MAX + 1] = "";
	char *cand[NR_CANDIDATES_MAX];
	size_t i, nr_cand;
	int err;

	*rt = (struct debugfile)DEBUGFILE_INIT;
	*sym = (struct debugfile)DEBUGFILE_INIT;
	elf_version(EV_CURRENT);
	if (build_id_len > DEBUGFILE_BUILD_ID_MAX)
		build_id_len = DEBUGFILE_BUILD_ID_MAX;
	if (!build_id)
		build_id_len = 0;

	/* "[vdso]" and the like name no file; only the cache has them. */
	err = path[0] == '[' ? -ENOENT : open_file(rt, path);
	if (!err && build_id_len && !build_id_eq(rt, build_id, build_id_len)) {
		diag__emit(d, DIAG_INFO, "'%s' has another build id than the "
			   "recording saw", path);
		debugfile__close(rt);
		err = -ENOENT;
	}
	if (build_id_len)
		hex(idhex, build_id, build_id_len);
	if (err && build_id_len && paths && paths->buildid_dir) {
		char cp[PATH_MAX];

		static const char *const leaves[] = { "elf", "vdso" };

		for (i = 0; err && i < 2; i++) {
			cache_path(cp, sizeof(cp), paths->buildid_dir, idhex,
				   leaves[i]);
			if (!cp[0] || open_file(rt, cp))
				continue;
			if (build_id_eq(rt, build_id, build_id_len))
				err = 0;
			else
				debugfile__close(rt);
		}
	}
	if (!build_id_len && rt->elf && rt->build_id_len)
		hex(idhex, rt->build_id, rt->build_id_len);

	nr_cand = path[0] == '[' ? 0 :
		  symbol_candidates(cand, path, rt, idhex, paths);
	for (i = 0; i < nr_cand; i++) {
		if (rt->path && !strcmp(cand[i], rt->path))
			continue;
		if (open_file(sym, cand[i]))
			continue;
		if ((build_id_len &&
		     !build_id_eq(sym, build_id, build_id_len)) ||
		    (!build_id_len && rt->build_id_len &&
		     !build_id_eq(sym, rt->build_id, rt->build_id_len))) {
			diag__emit(d, DIAG_INFO, "'%s': build id differs from "
				   "'%s', not used", cand[i], path);
			debugfile__close(sym);
			continue;
		}
		if (has_symtab(sym->elf))
			break;
		debugfile__close(sym);
	}
	free_candidates(cand, nr_cand);
	return err;
}

char *debugfile__find_symbol_file(const char *path, const uint8_t *build_id,
				  size_t build_id_len,
				  const struct debugfile_paths *paths)
{
	struct debugfile rt, sym;
	const struct debugfile *df;
	char *found = NULL;

	debugfile__find(path, build_id, build_id_len, paths, NULL, &rt, &sym);
	df = sym.elf ? &sym : &rt;
	if (df->elf && df->path)
		found = strdup(df->path);
	debugfile__close(&sym);
	debugfile__close(&rt);
	return found;
}

void debugfile__default_paths(struct debugfile_paths *p, char *buf,
			      size_t buf_len)
{
	const char *env = getenv("PERF_BUILDID_DIR");
	const char *home = getenv("HOME");

	p->debug_root = "/usr/lib/debug";
	p->buildid_dir = NULL;
	if (env && *env) {
		p->buildid_dir = env;
	} else if (home && *home && buf_len) {
		snprintf(buf, buf_len, "%s/.debug", home);
		p->buildid_dir = buf;
	}
}
