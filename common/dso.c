/* dso: one binary's symbols, ELF file, CFI, DWARF and trampoline layout
 * (see dso.h). Everything past the symbols is read on first use: most
 * DSOs of a recording are named and never unwound, and DWARF is large.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "debugfile.h"
#include "dso.h"
#include "dwinfo.h"
#include "inlines.h"
#include "session.h"
#include "symtab.h"

struct dso {
	struct symtab *st;
	struct dso_env *env;
	/* the ELF file, opened once by open_file() */
	int fd;
	Elf *elf;
	const uint8_t *raw;		/* its bytes (elf_rawfile) */
	size_t raw_len;
	Dwarf_CFI *eh;			/* .eh_frame, or NULL */
	bool is_file_tried;
	/* the DWARF, begun by dso__prefetch_dwarf() or opened by dwarf() */
	struct dwinfo *dbg_info;
	Dwarf *dbg;
	Dwarf_CFI *dbg_cfi;		/* .debug_frame, or NULL */
	bool is_dbg_tried;
	struct inlines *inlines;	/* over dbg, made on first use */
	struct pytramp tramp;
	bool is_tramp_known;
};

struct dso *dso__new(struct symtab *st, struct dso_env *env)
{
	struct dso *dso = calloc(1, sizeof(*dso));

	if (!dso) {
		symtab__free(st);
		errno = ENOMEM;
		return NULL;
	}
	elf_version(EV_CURRENT);
	dso->st = st;
	dso->env = env;
	dso->fd = -1;
	return dso;
}

void dso__free(struct dso *d)
{
	if (!d)
		return;
	if (d->inlines)
		inlines__keep(d->inlines);	/* best effort */
	inlines__free(d->inlines);
	dwinfo__free(d->dbg_info);
	if (d->eh)
		dwarf_cfi_end(d->eh);
	debugfile__elf_end(d->elf);
	if (d->fd >= 0)
		close(d->fd);
	symtab__free(d->st);
	free(d);
}

const struct symtab *dso__symtab(const struct dso *d)
{
	return d->st;
}

const char *dso__file(const struct dso *d)
{
	return symtab__file(d->st);
}

const char *dso__dwarf_file(const struct dso *d)
{
	const char *sym_file = symtab__symbol_file(d->st);

	return sym_file ? sym_file : symtab__file(d->st);
}

uint64_t dso__addr(const struct dso *d, const struct session_map *m,
		   uint64_t ip)
{
	return symtab__addr(d->st, ip - m->start + m->pgoff);
}

/* ---- the ELF file ---- */

static Elf *open_elf(const char *path, int *fd)
{
	Elf *e;

	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return NULL;
	e = debugfile__elf_begin(*fd, path);
	if (!e || elf_kind(e) != ELF_K_ELF) {
		debugfile__elf_end(e);
		close(*fd);
		*fd = -1;
		return NULL;
	}
	return e;
}

/* d's ELF file, opened on the first call: false when it is unreadable. */
static bool open_file(struct dso *d)
{
	const char *file = symtab__file(d->st);

	if (d->is_file_tried)
		return d->elf;
	d->is_file_tried = true;
	d->elf = open_elf(file, &d->fd);
	if (!d->elf) {
		diag__limited(d->env->diag, &d->env->nr_bad_file_msgs, 5,
			      "unwind: cannot read '%s': no CFI from it",
			      file);
		return false;
	}
	d->raw = (const uint8_t *)elf_rawfile(d->elf, &d->raw_len);
	d->eh = dwarf_getcfi_elf(d->elf);
	return true;
}

Dwarf_CFI *dso__eh_frame(struct dso *d)
{
	return open_file(d) ? d->eh : NULL;
}

const uint8_t *dso__bytes(struct dso *d, uint64_t addr, size_t len)
{
	size_t i, nr;

	if (!open_file(d) || !d->raw || elf_getphdrnum(d->elf, &nr))
		return NULL;
	for (i = 0; i < nr; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(d->elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (addr < ph.p_vaddr || addr + len > ph.p_vaddr + ph.p_filesz)
			continue;
		if (ph.p_offset + (addr - ph.p_vaddr) + len > d->raw_len)
			return NULL;
		return d->raw + ph.p_offset + (addr - ph.p_vaddr);
	}
	return NULL;
}

/* ---- the DWARF ---- */

void dso__take_dwarf(struct dso *d, struct dwinfo *di)
{
	if (d->dbg_info || d->is_dbg_tried)
		dwinfo__free(di);
	else
		d->dbg_info = di;
}

void dso__prefetch_dwarf(struct dso *d)
{
	if (!d->is_dbg_tried && !d->dbg_info && open_file(d))
		d->dbg_info = dwinfo__start(dso__dwarf_file(d), d->env->cache);
}

/* d's DWARF, opened on first use unless dso__prefetch_dwarf() began it:
 * the separate debuginfo's, else (it has none) the binary's. */
static Dwarf *dwarf(struct dso *d)
{
	const char *file = symtab__file(d->st);

	if (d->is_dbg_tried || !open_file(d))
		return d->dbg;
	d->is_dbg_tried = true;
	if (!d->dbg_info)
		d->dbg_info = dwinfo__open(dso__dwarf_file(d), d->env->cache);
	if (d->dbg_info && !dwinfo__dwarf(d->dbg_info) &&
	    strcmp(dso__dwarf_file(d), file)) {
		dwinfo__free(d->dbg_info);
		d->dbg_info = NULL;
	}
	if (!d->dbg_info)
		d->dbg_info = dwinfo__open(file, d->env->cache);
	d->dbg = d->dbg_info ? dwinfo__dwarf(d->dbg_info) : NULL;
	d->dbg_cfi = d->dbg ? dwarf_getcfi(d->dbg) : NULL;
	return d->dbg;
}

Dwarf_CFI *dso__debug_frame(struct dso *d)
{
	dwarf(d);
	return d->dbg_cfi;
}

size_t dso__inlines(struct dso *d, uint64_t addr, const char **names,
		    size_t cap)
{
	if (!dwarf(d))
		return 0;
	if (!d->inlines) {
		d->inlines = inlines__new(d->dbg);
		if (!d->inlines)
			return 0;
		if (d->env->cache) {
			struct fcache_src src = dwinfo__cache_src(d->dbg_info);

			inlines__use_cache(d->inlines, d->env->cache, &src);
		}
	}
	return inlines__lookup(d->inlines, addr, names, cap);
}

/* ---- the CPython trampoline ---- */

/* The value of symbol name in d's .symtab or .dynsym, or 0. Asked twice
 * per interpreter per run, so a scan of the ELF tables does: the symbol
 * table symtab keeps holds functions by address only, and these two are
 * NOTYPE labels it leaves out. Both scans of libpython3.12.so (17,400
 * entries) take 0.08-0.17 ms, against 130 ms for perf2folded --python on
 * a 375 MB DWARF recording of samples/fibfact.py. */
static uint64_t elf_symbol(const struct dso *d, const char *name)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(d->elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;
		size_t i, nr;

		if (!gelf_getshdr(scn, &sh) ||
		    (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM) ||
		    !sh.sh_entsize)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data)
			continue;
		nr = sh.sh_size / sh.sh_entsize;
		for (i = 0; i < nr; i++) {
			GElf_Sym sym;
			const char *s;

			if (!gelf_getsym(data, (int)i, &sym))
				break;
			s = elf_strptr(d->elf, sh.sh_link, sym.st_name);
			if (s && !strcmp(s, name))
				return sym.st_value;
		}
	}
	return 0;
}

const struct pytramp *dso__trampoline(struct dso *d)
{
	uint64_t start, end;
	const uint8_t *p;
	size_t len;

	if (d->is_tramp_known)
		return &d->tramp;
	d->is_tramp_known = true;
	d->tramp.kind = PYTRAMP_NONE;
	if (!open_file(d))
		return &d->tramp;
	start = elf_symbol(d, "_Py_trampoline_func_start");
	end = elf_symbol(d, "_Py_trampoline_func_end");
	if (!start || end <= start || end - start > 64)
		return &d->tramp;
	len = (size_t)(end - start);
	p = dso__bytes(d, start, len);
	if (!p)
		return &d->tramp;
	pytramp__classify(p, len, &d->tramp);
	if (d->tramp.kind == PYTRAMP_UNKNOWN)
		diag__limited(d->env->diag, &d->env->nr_tramp_msgs, 1,
			      "unwind: '%s' has a CPython perf trampoline of "
			      "a layout not known here (%zu bytes); Python "
			      "stacks stop at it", symtab__file(d->st), len);
	return &d->tramp;
}
