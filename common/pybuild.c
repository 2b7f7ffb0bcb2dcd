/* pybuild: a CPython build's evaluation loop, read from its ELF file. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "debugfile.h"
#include "pybuild.h"

#define EVAL_FUNC "_PyEval_EvalFrameDefault"
/* Bytes of the prologue searched: endbr64 (4), push %rbp (1), then the
 * mov, with room for a push or two gcc may schedule before it. */
#define PROLOGUE_LEN 24

/* The symbol's value and section in .dynsym (a shared libpython exports
 * it: a few thousand symbols, not .symtab's tens of thousands), else
 * .symtab. */
static int find_symbol(Elf *elf, GElf_Sym *out)
{
	Elf_Scn *scn = NULL;
	int type;

	for (type = SHT_DYNSYM; ; type = SHT_SYMTAB) {
		while ((scn = elf_nextscn(elf, scn))) {
			GElf_Shdr sh;
			Elf_Data *data;
			size_t i, n;

			if (!gelf_getshdr(scn, &sh) || sh.sh_type != (unsigned)type ||
			    !sh.sh_entsize)
				continue;
			data = elf_getdata(scn, NULL);
			n = sh.sh_size / sh.sh_entsize;
			for (i = 0; data && i < n; i++) {
				const char *name;

				if (!gelf_getsym(data, (int)i, out) ||
				    GELF_ST_TYPE(out->st_info) != STT_FUNC ||
				    out->st_shndx == SHN_UNDEF)
					continue;
				name = elf_strptr(elf, sh.sh_link, out->st_name);
				if (name && !strcmp(name, EVAL_FUNC))
					return 0;
			}
		}
		if (type == SHT_SYMTAB)
			return -ENOENT;
	}
}

/* The first PROLOGUE_LEN bytes of the function, from its section. */
static int read_prologue(Elf *elf, const GElf_Sym *sym, uint8_t *buf)
{
	Elf_Scn *scn = elf_getscn(elf, sym->st_shndx);
	Elf_Data *data;
	GElf_Shdr sh;
	uint64_t off;

	if (!scn || !gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS ||
	    sym->st_value < sh.sh_addr)
		return -ENOENT;
	off = sym->st_value - sh.sh_addr;
	data = elf_getdata(scn, NULL);
	if (!data || !data->d_buf || off + PROLOGUE_LEN > data->d_size)
		return -ENOENT;
	memcpy(buf, (const uint8_t *)data->d_buf + off, PROLOGUE_LEN);
	return 0;
}

int pybuild__eval_has_fp(const char *path)
{
	/* mov %rsp,%rbp (REX.W 89 /r, ModRM 0xe5) */
	static const uint8_t mov_rsp_rbp[] = {0x48, 0x89, 0xe5};
	uint8_t buf[PROLOGUE_LEN];
	GElf_Sym sym;
	Elf *elf;
	int fd, err, i;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOEXEC;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	elf = debugfile__elf_begin(fd, path);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		err = -ENOEXEC;
		goto out;
	}
	err = find_symbol(elf, &sym);
	if (!err)
		err = read_prologue(elf, &sym, buf);
	if (err)
		goto out;
	err = 0;
	for (i = 0; i + (int)sizeof(mov_rsp_rbp) <= PROLOGUE_LEN; i++)
		if (!memcmp(buf + i, mov_rsp_rbp, sizeof(mov_rsp_rbp)))
			err = 1;
out:
	debugfile__elf_end(elf);
	close(fd);
	return err;
}
