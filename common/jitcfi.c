/* jitcfi: in-memory ELF wrappers for jitdump unwind info (see jitcfi.h). */
#include <elf.h>
#include <errno.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>

#include "jitcfi.h"

/* where a wrapped .eh_frame sits in its table's address space */
#define JITCFI_BASE 0x10000000ULL

/* .eh_frame_hdr encodings (LSB extension to DWARF) */
#define EH_PE_udata4 0x03
#define EH_PE_sdata4 0x0b
#define EH_PE_pcrel 0x10
#define EH_PE_datarel 0x30

struct table {
	uint8_t *eh;		/* a copy of the .eh_frame, the key */
	size_t eh_len;
	char *image;		/* the ELF libdw reads */
	Elf *elf;
	Dwarf_CFI *cfi;
};

struct jitcfi {
	struct table *tables;
	size_t nr_tables, tables_cap;
};

struct jitcfi *jitcfi__new(void)
{
	struct jitcfi *jc = calloc(1, sizeof(*jc));

	if (!jc)
		errno = ENOMEM;
	return jc;
}

void jitcfi__free(struct jitcfi *jc)
{
	size_t i;

	if (!jc)
		return;
	for (i = 0; i < jc->nr_tables; i++) {
		struct table *t = &jc->tables[i];

		if (t->cfi)
			dwarf_cfi_end(t->cfi);
		if (t->elf)
			elf_end(t->elf);
		free(t->image);
		free(t->eh);
	}
	free(jc->tables);
	free(jc);
}

static int32_t s32(const uint8_t *p)
{
	int32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* Where the code starts relative to the .eh_frame, from the header's first
 * table entry: 0, or -EPROTO for encodings not understood. */
static int code_offset(const uint8_t *hdr, size_t hdr_len, int64_t *off)
{
	int64_t eh_from_hdr;

	if (hdr_len < 20 || hdr[0] != 1 ||
	    hdr[1] != (EH_PE_pcrel | EH_PE_sdata4) ||
	    hdr[2] != EH_PE_udata4 || hdr[3] != (EH_PE_datarel | EH_PE_sdata4) ||
	    s32(hdr + 8) < 1)
		return -EPROTO;
	/* eh_frame_ptr is relative to its own field at hdr + 4; the table's
	 * initial location is relative to the header's start */
	eh_from_hdr = 4 + (int64_t)s32(hdr + 4);
	*off = (int64_t)s32(hdr + 12) - eh_from_hdr;
	return 0;
}

/* A minimal ELF: header, the .eh_frame (plus a zero terminator), the
 * section names, three section headers. */
static int wrap(struct table *t)
{
	static const char names[] = "\0.eh_frame\0.shstrtab";
	size_t eh_size = t->eh_len + 4;
	size_t names_off = sizeof(Elf64_Ehdr) + eh_size;
	size_t sh_off = (names_off + sizeof(names) + 7) & ~(size_t)7;
	size_t size = sh_off + 3 * sizeof(Elf64_Shdr);
	Elf64_Ehdr *eh;
	Elf64_Shdr *sh;

	t->image = calloc(1, size);
	if (!t->image)
		return -ENOMEM;
	eh = (Elf64_Ehdr *)t->image;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_DYN;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_shoff = sh_off;
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_shentsize = sizeof(Elf64_Shdr);
	eh->e_shnum = 3;
	eh->e_shstrndx = 2;
	memcpy(t->image + sizeof(Elf64_Ehdr), t->eh, t->eh_len);
	memcpy(t->image + names_off, names, sizeof(names));
	sh = (Elf64_Shdr *)(t->image + sh_off);
	sh[1].sh_name = 1;
	sh[1].sh_type = SHT_PROGBITS;
	sh[1].sh_flags = SHF_ALLOC;
	sh[1].sh_addr = JITCFI_BASE;
	sh[1].sh_offset = sizeof(Elf64_Ehdr);
	sh[1].sh_size = eh_size;
	sh[1].sh_addralign = 8;
	sh[2].sh_name = 11;
	sh[2].sh_type = SHT_STRTAB;
	sh[2].sh_offset = names_off;
	sh[2].sh_size = sizeof(names);
	sh[2].sh_addralign = 1;
	elf_version(EV_CURRENT);
	t->elf = elf_memory(t->image, size);
	t->cfi = t->elf ? dwarf_getcfi_elf(t->elf) : NULL;
	return t->cfi ? 0 : -EPROTO;
}

Dwarf_CFI *jitcfi__table(struct jitcfi *jc, const uint8_t *eh, size_t eh_len,
			 const uint8_t *hdr, size_t hdr_len,
			 uint64_t code_start, uint64_t pc, uint64_t *addr,
			 uint32_t *id)
{
	struct table *t;
	int64_t off;
	size_t i;

	if (!eh || !eh_len || !hdr || code_offset(hdr, hdr_len, &off))
		return NULL;
	*addr = JITCFI_BASE + (uint64_t)off + (pc - code_start);
	for (i = 0; i < jc->nr_tables; i++) {
		t = &jc->tables[i];
		if (t->eh_len == eh_len && !memcmp(t->eh, eh, eh_len)) {
			*id = (uint32_t)i;
			return t->cfi;
		}
	}
	if (jc->nr_tables == jc->tables_cap) {
		size_t ncap = jc->tables_cap ? jc->tables_cap * 2 : 4;
		struct table *n = realloc(jc->tables, ncap * sizeof(*n));

		if (!n)
			return NULL;
		jc->tables = n;
		jc->tables_cap = ncap;
	}
	t = &jc->tables[jc->nr_tables];
	memset(t, 0, sizeof(*t));
	t->eh = malloc(eh_len);
	if (!t->eh)
		return NULL;
	memcpy(t->eh, eh, eh_len);
	t->eh_len = eh_len;
	jc->nr_tables++;	/* kept even when unusable: freed with jc */
	wrap(t);
	*id = (uint32_t)(jc->nr_tables - 1);
	return t->cfi;
}
