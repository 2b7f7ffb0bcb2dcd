/* symtab: one ELF file's function symbols, as perf 6.1 names them.
 *
 * Which files are read comes from debugfile.h (perf's search order for
 * debuginfo and its build-id cache): the symbols come from the first
 * separate file with a .symtab, else from the binary's .symtab or .dynsym;
 * the address mapping and PLT entries from the binary. Which symbols are
 * kept follows perf's dso__load_sym(): named FUNC, GNU_IFUNC and OBJECT
 * symbols in allocated sections, plus NOTYPE labels in text sections.
 */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

#include "debugfile.h"
#include "demangle.h"
#include "fcache.h"
#include "symarr.h"
#include "symtab.h"

_Static_assert(SYMTAB_BUILD_ID_MAX == DEBUGFILE_BUILD_ID_MAX,
	       "a symtab keeps its file's build id whole");

struct segment {
	uint64_t offset;
	uint64_t filesz;
	uint64_t vaddr;
};

struct symtab {
	struct symarr *syms;
	struct segment *segs;
	size_t nr_segs;
	char *file;
	char *symbol_file;
	uint8_t build_id[SYMTAB_BUILD_ID_MAX];
	size_t build_id_len;
	void *image;		/* symtab__open_image()'s copy, or NULL */
};

static Elf_Scn *section_by_type(Elf *elf, GElf_Word type, GElf_Shdr *shdr,
				size_t *idx)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		if (gelf_getshdr(scn, shdr) && shdr->sh_type == type) {
			if (idx)
				*idx = elf_ndxscn(scn);
			return scn;
		}
	}
	return NULL;
}

/* Add name, demangled as perf does (demangle.h), with suffix (or NULL)
 * after it. */
static int add_symbol(struct symarr *a, uint64_t start, uint64_t size,
		      enum symarr_binding bind, const char *name,
		      const char *suffix)
{
	char *dem = demangle__symbol(name);
	const char *s = dem ? dem : name;
	size_t len = strlen(s), slen = suffix ? strlen(suffix) : 0;
	int err;

	if (slen) {
		char *buf = malloc(len + slen + 1);

		if (!buf) {
			free(dem);
			return -ENOMEM;
		}
		memcpy(buf, s, len);
		memcpy(buf + len, suffix, slen + 1);
		err = symarr__add(a, start, size, bind, buf, len + slen, 0);
		free(buf);
	} else {
		err = symarr__add(a, start, size, bind, s, len, 0);
	}
	free(dem);
	return err;
}

static int skip_mapping_symbol(const GElf_Ehdr *eh, const char *name)
{
	if (name[0] != '$')
		return 0;
	if (eh->e_machine == EM_ARM)
		return !strcmp(name, "$a") || !strcmp(name, "$d") ||
		       !strcmp(name, "$t");
	if (eh->e_machine == EM_AARCH64)
		return !strcmp(name, "$x") || !strcmp(name, "$d");
	return 0;
}

/* Add the symbols of section scn (a SHT_SYMTAB or SHT_DYNSYM) that perf
 * keeps. Returns the number added or a negative errno. */
static int load_symbols(struct symarr *a, Elf *elf, Elf_Scn *scn,
			const GElf_Shdr *sh)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t i, nr, shstrndx;
	GElf_Ehdr eh;
	int count = 0;

	if (!data || !sh->sh_entsize || !gelf_getehdr(elf, &eh) ||
	    elf_getshdrstrndx(elf, &shstrndx) < 0)
		return 0;
	/* A corrupt sh_size must not drive the loop: trust the data. */
	nr = data->d_size / sh->sh_entsize;
	for (i = 0; i < nr; i++) {
		GElf_Sym sym;
		GElf_Shdr ssh;
		Elf_Scn *sec;
		const char *name, *sname;
		int type, vis, is_label, err;
		enum symarr_binding bind;

		if (!gelf_getsym(data, (int)i, &sym) || !sym.st_name ||
		    sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE)
			continue;
		type = GELF_ST_TYPE(sym.st_info);
		vis = GELF_ST_VISIBILITY(sym.st_other);
		is_label = type == STT_NOTYPE && vis != STV_HIDDEN &&
			   vis != STV_INTERNAL;
		if (!is_label && type != STT_FUNC && type != STT_GNU_IFUNC &&
		    type != STT_OBJECT)
			continue;
		name = elf_strptr(elf, sh->sh_link, sym.st_name);
		if (!name || !*name || skip_mapping_symbol(&eh, name))
			continue;
		sec = elf_getscn(elf, sym.st_shndx);
		if (!sec || !gelf_getshdr(sec, &ssh) ||
		    !(ssh.sh_flags & SHF_ALLOC))
			continue;
		if (is_label) {
			sname = elf_strptr(elf, shstrndx, ssh.sh_name);
			if (!sname || !strstr(sname, "text"))
				continue;
		}
		switch (GELF_ST_BIND(sym.st_info)) {
		case STB_GLOBAL:
			bind = SYMARR_GLOBAL;
			break;
		case STB_WEAK:
			bind = SYMARR_WEAK;
			break;
		default:
			bind = SYMARR_LOCAL;
			break;
		}
		err = add_symbol(a, sym.st_value, sym.st_size, bind, name,
				 NULL);
		if (err)
			return err;
		count++;
	}
	return count;
}

/* perf 6.1's dso__synthesize_plt_symbols(): one "name@plt" symbol per
 * .rela.plt (or .rel.plt) entry, in order, after the .plt header, each
 * one .plt entry long (sh_entsize on x86). Returns the number added. */
static int synthesize_plt(struct symarr *a, Elf *elf)
{
	GElf_Shdr rsh, psh, dsh;
	Elf_Scn *rel, *dyn;
	Elf_Data *rdata, *ddata;
	GElf_Ehdr eh;
	size_t dynidx, i, nr;
	uint64_t hdr_size, ent_size, addr;
	int count = 0;

	if (!gelf_getehdr(elf, &eh))
		return 0;
	dyn = section_by_type(elf, SHT_DYNSYM, &dsh, &dynidx);
	if (!dyn)
		return 0;
	rel = debugfile__section(elf, ".rela.plt", &rsh);
	if (!rel)
		rel = debugfile__section(elf, ".rel.plt", &rsh);
	if (!rel || (rsh.sh_type != SHT_RELA && rsh.sh_type != SHT_REL) ||
	    rsh.sh_link != dynidx || !rsh.sh_entsize)
		return 0;
	if (!debugfile__section(elf, ".plt", &psh) || psh.sh_type == SHT_NOBITS)
		return 0;
	switch (eh.e_machine) {
	case EM_ARM:
		hdr_size = 20;
		ent_size = 12;
		break;
	case EM_AARCH64:
		hdr_size = 32;
		ent_size = 16;
		break;
	default:
		hdr_size = ent_size = psh.sh_entsize;
		break;
	}
	if (!ent_size)
		return 0;
	rdata = elf_getdata(rel, NULL);
	ddata = elf_getdata(dyn, NULL);
	if (!rdata || !ddata)
		return 0;
	nr = rdata->d_size / rsh.sh_entsize;
	addr = psh.sh_addr + hdr_size;
	for (i = 0; i < nr; i++, addr += ent_size) {
		GElf_Rela rela;
		GElf_Rel r;
		GElf_Sym sym;
		uint64_t info;
		const char *name;
		int err;

		if (rsh.sh_type == SHT_RELA) {
			if (!gelf_getrela(rdata, (int)i, &rela))
				break;
			info = rela.r_info;
		} else {
			if (!gelf_getrel(rdata, (int)i, &r))
				break;
			info = r.r_info;
		}
		if (!gelf_getsym(ddata, (int)GELF_R_SYM(info), &sym))
			continue;
		name = elf_strptr(elf, dsh.sh_link, sym.st_name);
		err = add_symbol(a, addr, ent_size, SYMARR_GLOBAL,
				 name ? name : "", "@plt");
		if (err)
			return err;
		count++;
	}
	return count;
}

static int load_segments(struct symtab *st, Elf *elf)
{
	size_t i, n;

	if (elf_getphdrnum(elf, &n) < 0)
		return 0;
	st->segs = calloc(n ? n : 1, sizeof(*st->segs));
	if (!st->segs)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		st->segs[st->nr_segs].offset = ph.p_offset;
		st->segs[st->nr_segs].filesz = ph.p_filesz;
		st->segs[st->nr_segs].vaddr = ph.p_vaddr;
		st->nr_segs++;
	}
	return 0;
}

/* Where debugfile__find() looks, from paths (NULL: nowhere). */
static const struct debugfile_paths *
search_paths(const struct symtab_paths *paths, struct debugfile_paths *dp)
{
	if (!paths)
		return NULL;
	dp->debug_root = paths->debug_root;
	dp->buildid_dir = paths->buildid_dir;
	return dp;
}

static struct symtab *symtab_alloc(void)
{
	struct symtab *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->syms = symarr__new();
	if (!st->syms) {
		free(st);
		return NULL;
	}
	return st;
}

/* st's files and build id: those of rt, the runtime file (else of sym,
 * when there is no runtime file), and sym's path. */
static int name_files(struct symtab *st, const struct debugfile *rt,
		      const struct debugfile *sym)
{
	const struct debugfile *seg_src = rt->elf ? rt : sym;

	memcpy(st->build_id, seg_src->build_id, seg_src->build_id_len);
	st->build_id_len = seg_src->build_id_len;
	st->file = strdup(seg_src->path ? seg_src->path : "");
	st->symbol_file = strdup(sym->path ? sym->path : "");
	return st->file && st->symbol_file ? 0 : -ENOMEM;
}

/* What fill() derives from rt and sym, as kept in paths->cache: this
 * head, the segments, then the symbols' symarr__image() (8-byte aligned,
 * as the head and segments keep it). */
struct cached_head {
	uint64_t nr_segs;
};

/* The files a table is derived from, as the cache names them. */
static void cache_srcs(const struct debugfile *rt, const struct debugfile *sym,
		       struct fcache_src *srcs)
{
	srcs[0] = (struct fcache_src){ rt->fd, rt->build_id, rt->build_id_len };
	srcs[1] = (struct fcache_src){ sym->fd, sym->build_id,
				       sym->build_id_len };
}

/* fill() from the cache: 0, or -ENOENT (no cache, no entry, or one
 * that does not check out; st is then as it was). */
static int load_cached(struct symtab *st, const struct symtab_paths *paths,
		       const struct debugfile *rt, const struct debugfile *sym)
{
	struct fcache_src srcs[2];
	struct fcache_blob *b;
	struct cached_head h;
	struct symarr *syms = NULL;
	struct segment *segs = NULL;
	const char *p;
	size_t len, segs_len;

	if (!paths || !paths->cache)
		return -ENOENT;
	cache_srcs(rt, sym, srcs);
	b = fcache__get(paths->cache, "symtab", srcs, 2);
	if (!b)
		return -ENOENT;
	p = fcache_blob__data(b, &len);
	if (len >= sizeof(h)) {
		memcpy(&h, p, sizeof(h));
		if (h.nr_segs <= (len - sizeof(h)) / sizeof(*segs)) {
			segs_len = (size_t)h.nr_segs * sizeof(*segs);
			segs = malloc(segs_len ? segs_len : 1);
			syms = symarr__from_image(p + sizeof(h) + segs_len,
						  len - sizeof(h) - segs_len);
		}
	}
	if (!segs || !syms) {
		free(segs);
		symarr__free(syms);
		fcache_blob__free(b);
		return -ENOENT;
	}
	memcpy(segs, p + sizeof(h), segs_len);
	fcache_blob__free(b);
	symarr__free(st->syms);
	st->syms = syms;
	st->segs = segs;
	st->nr_segs = (size_t)h.nr_segs;
	return 0;
}

/* Keep what fill() made in paths->cache, when there is one; a table that
 * could not be sealed (or stores that fail) are not kept. */
static void store_cached(const struct symtab *st,
			 const struct symtab_paths *paths,
			 const struct debugfile *rt, const struct debugfile *sym)
{
	struct fcache_src srcs[2];
	struct cached_head h = { .nr_segs = st->nr_segs };
	size_t img_len, segs_len = st->nr_segs * sizeof(*st->segs);
	void *img;
	char *buf;

	if (!paths || !paths->cache)
		return;
	img = symarr__image(st->syms, &img_len);
	buf = img ? malloc(sizeof(h) + segs_len + img_len) : NULL;
	if (buf) {
		memcpy(buf, &h, sizeof(h));
		memcpy(buf + sizeof(h), st->segs, segs_len);
		memcpy(buf + sizeof(h) + segs_len, img, img_len);
		cache_srcs(rt, sym, srcs);
		fcache__put(paths->cache, "symtab", srcs, 2, buf,
			    sizeof(h) + segs_len + img_len);
	}
	free(buf);
	free(img);
}

/* Fill st from the runtime file rt (segments, PLT) and the symbol
 * file sym (which may be rt), in perf's order: symbols, fixups, then PLT
 * entries inserted into the fixed-up tree (dso__load()). */
static int fill(struct symtab *st, struct debugfile *rt, struct debugfile *sym)
{
	struct debugfile *seg_src = rt->elf ? rt : sym;
	GElf_Shdr sh;
	Elf_Scn *scn;
	int err;

	err = load_segments(st, seg_src->elf);
	if (err)
		return err;
	scn = section_by_type(sym->elf, SHT_SYMTAB, &sh, NULL);
	if (!scn)
		scn = section_by_type(sym->elf, SHT_DYNSYM, &sh, NULL);
	if (!scn)
		return 0;
	err = load_symbols(st->syms, sym->elf, scn, &sh);
	if (err <= 0)
		return err;
	symarr__fixup(st->syms, SYMARR_FIXUP_END | SYMARR_DEDUP);
	if (rt->elf) {
		err = synthesize_plt(st->syms, rt->elf);
		if (err < 0)
			return err;
	}
	symarr__seal(st->syms);	/* on failure lookups just walk the tree */
	return 0;
}

char *symtab__find_symbol_file(const char *path, const uint8_t *build_id,
			       size_t build_id_len,
			       const struct symtab_paths *paths)
{
	struct debugfile_paths dp;

	return debugfile__find_symbol_file(path, build_id, build_id_len,
					   search_paths(paths, &dp));
}

struct symtab *symtab__open(const char *path, const uint8_t *build_id,
			    size_t build_id_len,
			    const struct symtab_paths *paths,
			    const struct diag *d)
{
	struct debugfile rt, sym;
	struct debugfile_paths dp;
	struct symtab *st = NULL;
	int err = debugfile__find(path, build_id, build_id_len,
				  search_paths(paths, &dp), d, &rt, &sym);

	if (!rt.elf && !sym.elf) {
		errno = err == -ENOEXEC ? ENOEXEC : ENOENT;
		return NULL;
	}
	st = symtab_alloc();
	if (!st) {
		err = -ENOMEM;
		goto out;
	}
	err = name_files(st, &rt, sym.elf ? &sym : &rt);
	if (!err && load_cached(st, paths, &rt, &sym)) {
		err = fill(st, &rt, sym.elf ? &sym : &rt);
		if (!err)
			store_cached(st, paths, &rt, &sym);
	}
out:
	debugfile__close(&sym);
	debugfile__close(&rt);
	if (err) {
		symtab__free(st);
		errno = -err;
		return NULL;
	}
	return st;
}

struct symtab *symtab__open_image(const void *image, size_t len,
				  const char *name, const struct diag *d)
{
	struct debugfile ef = DEBUGFILE_INIT;
	struct symtab *st;
	int err = -ENOMEM;

	(void)d;
	st = symtab_alloc();
	if (!st)
		goto fail;
	st->image = malloc(len ? len : 1);
	if (!st->image)
		goto fail;
	memcpy(st->image, image, len);
	err = debugfile__open_image(&ef, st->image, len, name);
	if (!err)
		err = name_files(st, &ef, &ef);
	if (!err)
		err = fill(st, &ef, &ef);
	if (err)
		goto fail;
	debugfile__close(&ef);
	return st;
fail:
	debugfile__close(&ef);
	symtab__free(st);
	errno = -err;
	return NULL;
}

struct symtab *symtab__open_vdso_self(const struct diag *d)
{
	const unsigned char *base = (const void *)getauxval(AT_SYSINFO_EHDR);
	const Elf64_Ehdr *eh = (const void *)base;
	size_t len;

	if (!base || memcmp(base, ELFMAG, SELFMAG) ||
	    base[EI_CLASS] != ELFCLASS64) {
		errno = ENOENT;
		return NULL;
	}
	/* The kernel's vdso image ends with its section headers. */
	len = eh->e_shoff + (size_t)eh->e_shnum * eh->e_shentsize;
	return symtab__open_image(base, len, "[vdso]", d);
}

void symtab__free(struct symtab *st)
{
	if (!st)
		return;
	symarr__free(st->syms);
	free(st->segs);
	free(st->file);
	free(st->symbol_file);
	free(st->image);
	free(st);
}

uint64_t symtab__addr(const struct symtab *st, uint64_t file_off)
{
	size_t i;

	for (i = 0; i < st->nr_segs; i++) {
		const struct segment *s = &st->segs[i];

		if (file_off >= s->offset && file_off - s->offset < s->filesz)
			return file_off - s->offset + s->vaddr;
	}
	return file_off;
}

const char *symtab__lookup(const struct symtab *st, uint64_t addr,
			   uint64_t *off)
{
	const struct symarr_sym *s = symarr__find(st->syms, addr);

	if (!s)
		return NULL;
	if (off)
		*off = addr - s->start;
	return s->name;
}

const char *symtab__lookup_mapped(const struct symtab *st, uint64_t map_start,
				  uint64_t pgoff, uint64_t ip, uint64_t *off)
{
	return symtab__lookup(st, symtab__addr(st, ip - map_start + pgoff),
			      off);
}

const char *symtab__file(const struct symtab *st)
{
	return st->file;
}

const char *symtab__symbol_file(const struct symtab *st)
{
	return st->symbol_file;
}

const uint8_t *symtab__build_id(const struct symtab *st, size_t *len)
{
	*len = st->build_id_len;
	return st->build_id;
}

size_t symtab__count(const struct symtab *st)
{
	return symarr__count(st->syms);
}

const struct symarr *symtab__symarr(const struct symtab *st)
{
	return st->syms;
}

void symtab__default_paths(struct symtab_paths *p, char *buf, size_t buf_len)
{
	struct debugfile_paths dp;

	debugfile__default_paths(&dp, buf, buf_len);
	p->debug_root = dp.debug_root;
	p->buildid_dir = dp.buildid_dir;
	p->cache = NULL;
}
