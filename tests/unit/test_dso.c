/* Unit tests for common/dso, over ELF files tests/make_elf_fixtures.sh
 * builds (directory in $PERFFOLD_FX_DIR): fx_pie and fx_nopie
 * (tests/data/fx_elf.c), fx_inl and fx_inl_gz (fx_inline.c) and the
 * fx_tramp_* interpreters (fx_pytramp.c). Expected addresses and bytes are
 * read here with libelf through the section headers, not through the
 * program headers dso.c walks. */
#include <check.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dso.h"
#include "inlines.h"
#include "session.h"
#include "symtab.h"

static const char *fx_path(const char *name)
{
	static char buf[4][PATH_MAX];
	static int n;
	const char *d = getenv("PERFFOLD_FX_DIR");
	char *p = buf[n++ & 3];

	ck_assert_msg(d != NULL, "PERFFOLD_FX_DIR is not set");
	snprintf(p, PATH_MAX, "%s/%s", d, name);
	return p;
}

/* Diagnostics, counted. */
struct captured {
	int nr, nr_warn;
	char last[1024];
};

static void capture(void *ctx, enum diag_level level, const char *msg)
{
	struct captured *c = ctx;

	c->nr++;
	c->nr_warn += level == DIAG_WARN;
	snprintf(c->last, sizeof(c->last), "%s", msg);
}

struct fixture {
	struct captured c;
	struct diag diag;
	struct dso_env env;
};

static void fixture_init(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->diag = (struct diag){capture, &f->c};
	f->env.diag = &f->diag;
}

static struct dso *open_dso(struct fixture *f, const char *path)
{
	struct symtab *st = symtab__open(path, NULL, 0, NULL, NULL);
	struct dso *d;

	ck_assert_msg(st != NULL, "cannot load %s", path);
	d = dso__new(st, &f->env);
	ck_assert_ptr_nonnull(d);
	return d;
}

static Elf *elf_open(const char *path, int *fd)
{
	Elf *e;

	*fd = open(path, O_RDONLY);
	ck_assert_int_ge(*fd, 0);
	elf_version(EV_CURRENT);
	e = elf_begin(*fd, ELF_C_READ, NULL);
	ck_assert_ptr_nonnull(e);
	return e;
}

/* The value of symbol name in path's .symtab. */
static uint64_t sym_addr(const char *path, const char *name)
{
	Elf_Scn *scn = NULL;
	uint64_t v = 0;
	int fd;
	Elf *e = elf_open(path, &fd);

	while (!v && (scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;
		size_t i;

		gelf_getshdr(scn, &sh);
		if (sh.sh_type != SHT_SYMTAB)
			continue;
		data = elf_getdata(scn, NULL);
		for (i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;

			gelf_getsym(data, (int)i, &sym);
			if (!strcmp(elf_strptr(e, sh.sh_link, sym.st_name),
				    name)) {
				v = sym.st_value;
				break;
			}
		}
	}
	elf_end(e);
	close(fd);
	ck_assert_msg(v, "%s not in %s", name, path);
	return v;
}

/* The len bytes of path at address addr, through the section holding
 * them. */
static void file_bytes(const char *path, uint64_t addr, uint8_t *buf,
		       size_t len)
{
	Elf_Scn *scn = NULL;
	int fd;
	Elf *e = elf_open(path, &fd);

	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;

		gelf_getshdr(scn, &sh);
		if (sh.sh_type != SHT_PROGBITS || !(sh.sh_flags & SHF_ALLOC) ||
		    addr < sh.sh_addr || addr + len > sh.sh_addr + sh.sh_size)
			continue;
		ck_assert_int_eq(pread(fd, buf, len,
				       (off_t)(sh.sh_offset + addr - sh.sh_addr)),
				 (ssize_t)len);
		elf_end(e);
		close(fd);
		return;
	}
	ck_abort_msg("%#lx not in a section of %s", (unsigned long)addr, path);
}

/* The PT_LOAD of path holding vaddr (last: the one of the highest
 * address). */
static GElf_Phdr load_of(const char *path, uint64_t vaddr, bool last)
{
	GElf_Phdr ph, found = {0};
	size_t i, n;
	int fd;
	Elf *e = elf_open(path, &fd);

	ck_assert_int_eq(elf_getphdrnum(e, &n), 0);
	for (i = 0; i < n; i++) {
		gelf_getphdr(e, (int)i, &ph);
		if (ph.p_type != PT_LOAD)
			continue;
		if (last ? ph.p_vaddr >= found.p_vaddr
			 : vaddr >= ph.p_vaddr &&
				   vaddr < ph.p_vaddr + ph.p_memsz)
			found = ph;
	}
	elf_end(e);
	close(fd);
	ck_assert_uint_eq(found.p_type, PT_LOAD);
	return found;
}

/* The mapping the kernel makes of vaddr's segment for a load at base. */
static struct session_map mapping(const char *path, uint64_t base,
				  uint64_t vaddr)
{
	GElf_Phdr ph = load_of(path, vaddr, false);
	struct session_map m = {0};

	m.start = base + (ph.p_vaddr & ~0xfffULL);
	m.end = base + ph.p_vaddr + ph.p_memsz;
	m.pgoff = ph.p_offset & ~0xfffULL;
	m.filename = path;
	return m;
}

START_TEST(test_symtab_and_files)
{
	struct fixture f;
	const char *path = fx_path("fx_pie");
	struct symtab *st;
	struct dso *d;
	uint64_t off;

	fixture_init(&f);
	st = symtab__open(path, NULL, 0, NULL, NULL);
	ck_assert_ptr_nonnull(st);
	d = dso__new(st, &f.env);
	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_eq(dso__symtab(d), st);
	ck_assert_str_eq(dso__file(d), path);
	ck_assert_str_eq(dso__dwarf_file(d), path);	/* no debuginfo */
	ck_assert_str_eq(symtab__lookup(dso__symtab(d),
					sym_addr(path, "fx_alpha"), &off),
			 "fx_alpha");
	ck_assert_uint_eq(off, 0);
	/* the global beats the weak alias */
	ck_assert_str_eq(symtab__lookup(dso__symtab(d),
					sym_addr(path, "fx_beta") + 2, &off),
			 "fx_beta");
	ck_assert_uint_eq(off, 2);
	ck_assert_str_eq(symtab__lookup(dso__symtab(d),
					sym_addr(path, "fx_in_data"), NULL),
			 "fx_in_data");
	ck_assert_int_eq(f.c.nr, 0);
	dso__free(d);
	dso__free(NULL);
}
END_TEST

/* A stripped binary with a .gnu_debuglink: its DWARF is the debuginfo's. */
START_TEST(test_dwarf_file_debuglink)
{
	struct fixture f;
	char want[PATH_MAX];
	struct dso *d;

	fixture_init(&f);
	d = open_dso(&f, fx_path("fx_dbg"));
	snprintf(want, sizeof(want), "%s", fx_path(".debug/fx_dbg.debug"));
	ck_assert_str_eq(dso__file(d), fx_path("fx_dbg"));
	ck_assert_str_eq(dso__dwarf_file(d), want);
	dso__free(d);
}
END_TEST

START_TEST(test_addr)
{
	struct fixture f;
	const char *pie = fx_path("fx_pie"), *nopie = fx_path("fx_nopie");
	struct session_map m;
	struct dso *d;
	uint64_t a;

	fixture_init(&f);
	d = open_dso(&f, pie);
	/* text, and code in the writable segment, whose p_vaddr - p_offset
	 * differs from the text's */
	a = sym_addr(pie, "fx_alpha");
	m = mapping(pie, 0x555555554000ULL, a);
	ck_assert_uint_eq(dso__addr(d, &m, 0x555555554000ULL + a + 3), a + 3);
	a = sym_addr(pie, "fx_in_data");
	m = mapping(pie, 0x555555554000ULL, a);
	ck_assert_uint_ne(m.pgoff, m.start - 0x555555554000ULL);
	ck_assert_uint_eq(dso__addr(d, &m, 0x555555554000ULL + a), a);
	dso__free(d);

	d = open_dso(&f, nopie);
	a = sym_addr(nopie, "fx_gamma");
	m = mapping(nopie, 0, a);
	ck_assert_uint_eq(dso__addr(d, &m, a + 1), a + 1);
	a = sym_addr(nopie, "fx_in_data");
	m = mapping(nopie, 0, a);
	ck_assert_uint_eq(dso__addr(d, &m, a), a);
	dso__free(d);
	ck_assert_int_eq(f.c.nr, 0);
}
END_TEST

START_TEST(test_eh_frame)
{
	struct fixture f;
	struct dso *d;
	Dwarf_CFI *cfi;
	Dwarf_Frame *frame = NULL;

	fixture_init(&f);
	d = open_dso(&f, fx_path("fx_pie"));
	cfi = dso__eh_frame(d);
	ck_assert_ptr_nonnull(cfi);
	ck_assert_ptr_eq(dso__eh_frame(d), cfi);	/* opened once */
	/* it is the file's: it has fx_alpha's FDE */
	ck_assert_int_eq(dwarf_cfi_addrframe(cfi,
					     sym_addr(fx_path("fx_pie"),
						      "fx_alpha"), &frame), 0);
	free(frame);
	ck_assert_int_eq(f.c.nr, 0);
	dso__free(d);
}
END_TEST

START_TEST(test_bytes)
{
	struct fixture f;
	const char *path = fx_path("fx_pie");
	uint8_t want[32];
	const uint8_t *p;
	GElf_Phdr last;
	struct dso *d;
	uint64_t a;

	fixture_init(&f);
	d = open_dso(&f, path);
	a = sym_addr(path, "fx_alpha");
	file_bytes(path, a, want, sizeof(want));
	p = dso__bytes(d, a, sizeof(want));
	ck_assert_ptr_nonnull(p);
	ck_assert_mem_eq(p, want, sizeof(want));
	ck_assert_ptr_eq(dso__bytes(d, a, sizeof(want)), p);
	ck_assert_ptr_eq(dso__bytes(d, a + 4, 1), p + 4);
	/* through the writable segment's own header */
	a = sym_addr(path, "fx_in_data");
	file_bytes(path, a, want, 4);	/* the function's 4 bytes */
	p = dso__bytes(d, a, 4);
	ck_assert_ptr_nonnull(p);
	ck_assert_mem_eq(p, want, 4);
	/* past the file bytes of the last segment, and across their end */
	last = load_of(path, 0, true);
	ck_assert_ptr_null(dso__bytes(d, last.p_vaddr + last.p_filesz, 1));
	ck_assert_ptr_null(dso__bytes(d, last.p_vaddr + last.p_filesz - 2,
				      4));
	ck_assert_ptr_nonnull(dso__bytes(d, last.p_vaddr + last.p_filesz - 4,
					 4));
	ck_assert_ptr_null(dso__bytes(d, last.p_vaddr + last.p_memsz + 0x10000,
				      1));
	ck_assert_ptr_null(dso__bytes(d, UINT64_MAX - 8, 4));
	ck_assert_int_eq(f.c.nr, 0);
	dso__free(d);
}
END_TEST

START_TEST(test_no_trampoline)
{
	struct fixture f;
	const struct pytramp *t;
	struct dso *d;

	fixture_init(&f);
	d = open_dso(&f, fx_path("fx_pie"));
	t = dso__trampoline(d);
	ck_assert_int_eq(t->kind, PYTRAMP_NONE);
	ck_assert_ptr_eq(dso__trampoline(d), t);
	ck_assert_int_eq(f.c.nr, 0);
	dso__free(d);
}
END_TEST

static void assert_tramp(const char *name, enum pytramp_kind kind,
			 uint32_t len, uint32_t skip)
{
	struct fixture f;
	const struct pytramp *t;
	struct dso *d;

	fixture_init(&f);
	d = open_dso(&f, fx_path(name));
	t = dso__trampoline(d);
	ck_assert_msg(t->kind == kind, "%s: kind %d", name, (int)t->kind);
	ck_assert_uint_eq(t->len, len);
	ck_assert_uint_eq(t->skip, skip);
	ck_assert_ptr_eq(dso__trampoline(d), t);
	ck_assert_int_eq(f.c.nr, 0);
	dso__free(d);
}

START_TEST(test_trampoline_layouts)
{
	assert_tramp("fx_tramp_sub", PYTRAMP_SUB, 11, 0);
	assert_tramp("fx_tramp_cet", PYTRAMP_SUB, 15, 4);
	assert_tramp("fx_tramp_push", PYTRAMP_PUSH, 8, 0);
	/* the labels only in .dynsym (a stripped interpreter) */
	assert_tramp("fx_tramp_dyn", PYTRAMP_SUB, 11, 0);
}
END_TEST

START_TEST(test_trampoline_unknown)
{
	struct fixture f;
	const char *path = fx_path("fx_tramp_unknown");
	const struct pytramp *t;
	struct dso *d, *d2;
	char want[PATH_MAX + 256];

	fixture_init(&f);
	d = open_dso(&f, path);
	t = dso__trampoline(d);
	ck_assert_int_eq(t->kind, PYTRAMP_UNKNOWN);
	ck_assert_uint_eq(t->len, 11);
	ck_assert_int_eq(f.c.nr, 1);
	ck_assert_int_eq(f.c.nr_warn, 1);
	snprintf(want, sizeof(want),
		 "unwind: '%s' has a CPython perf trampoline of a layout not "
		 "known here (11 bytes); Python stacks stop at it", path);
	ck_assert_str_eq(f.c.last, want);
	/* asked again: known, not reported again */
	ck_assert_ptr_eq(dso__trampoline(d), t);
	ck_assert_int_eq(f.c.nr, 1);
	/* another dso of the run: reported once per run */
	d2 = open_dso(&f, path);
	ck_assert_int_eq(dso__trampoline(d2)->kind, PYTRAMP_UNKNOWN);
	ck_assert_int_eq(f.c.nr, 1);
	dso__free(d2);
	dso__free(d);
}
END_TEST

/* Every address of fx_outer (by its symbol): dso__inlines answers as
 * inlines.h over the file's own DWARF, and the fixture's chain is there. */
static void assert_inlines_agree(const char *name)
{
	struct fixture f;
	const char *path = fx_path(name), *a[16], *b[16];
	uint64_t lo = sym_addr(fx_path("fx_inl"), "fx_outer"), addr, off;
	size_t na, nb, i, nr_chain = 0, nr_addrs = 0;
	struct inlines *il;
	struct dso *d;
	Dwarf *dw;
	int fd;

	fixture_init(&f);
	d = open_dso(&f, path);
	fd = open(fx_path("fx_inl"), O_RDONLY);
	ck_assert_int_ge(fd, 0);
	dw = dwarf_begin(fd, DWARF_C_READ);
	ck_assert_ptr_nonnull(dw);
	il = inlines__new(dw);
	ck_assert_ptr_nonnull(il);
	for (addr = lo;; addr++) {
		const char *s = symtab__lookup(dso__symtab(d), addr, &off);

		if (!s || strcmp(s, "fx_outer"))
			break;
		na = dso__inlines(d, addr, a, 16);
		nb = inlines__lookup(il, addr, b, 16);
		ck_assert_msg(na == nb, "at %#lx: %zu names, not %zu",
			      (unsigned long)addr, na, nb);
		ck_assert_uint_ge(na, 1);
		for (i = 0; i < na; i++)
			ck_assert_str_eq(a[i], b[i]);
		ck_assert_str_eq(a[na - 1], "fx_outer");
		if (na == 3 && !strcmp(a[0], "fx_leaf") &&
		    !strcmp(a[1], "fx_mid"))
			nr_chain++;
		nr_addrs++;
	}
	ck_assert_uint_gt(nr_addrs, 16);
	ck_assert_uint_gt(nr_chain, 0);
	/* no function there */
	ck_assert_uint_eq(dso__inlines(d, 0, a, 16), 0);
	inlines__free(il);
	dwarf_end(dw);
	close(fd);
	ck_assert_int_eq(f.c.nr, 0);
	dso__free(d);
}

START_TEST(test_inlines)
{
	assert_inlines_agree("fx_inl");
	/* compressed debug sections answer the same */
	assert_inlines_agree("fx_inl_gz");
}
END_TEST

/* The file was deleted after its symbols were read: its symbols stay,
 * everything read from the file is missing, reported once. */
START_TEST(test_unreadable_file)
{
	char dir[] = "/tmp/perffold-dso-XXXXXX", path[128], cmd[PATH_MAX + 256];
	struct fixture f;
	const char *names[4];
	struct dso *d;
	uint64_t a = sym_addr(fx_path("fx_pie"), "fx_alpha");

	fixture_init(&f);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fx_copy", dir);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", fx_path("fx_pie"), path);
	ck_assert_int_eq(system(cmd), 0);
	d = open_dso(&f, path);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(rmdir(dir), 0);
	ck_assert_str_eq(symtab__lookup(dso__symtab(d), a, NULL), "fx_alpha");
	ck_assert_ptr_null(dso__eh_frame(d));
	ck_assert_int_eq(f.c.nr, 1);
	ck_assert_int_eq(f.c.nr_warn, 1);
	snprintf(cmd, sizeof(cmd), "unwind: cannot read '%s': no CFI from it",
		 path);
	ck_assert_str_eq(f.c.last, cmd);
	/* the file is looked for once */
	ck_assert_ptr_null(dso__eh_frame(d));
	ck_assert_ptr_null(dso__bytes(d, a, 4));
	ck_assert_ptr_null(dso__debug_frame(d));
	ck_assert_int_eq(dso__trampoline(d)->kind, PYTRAMP_NONE);
	ck_assert_uint_eq(dso__inlines(d, a, names, 4), 0);
	dso__prefetch_dwarf(d);
	ck_assert_int_eq(f.c.nr, 1);
	dso__free(d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dso");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_symtab_and_files);
	tcase_add_test(tc, test_dwarf_file_debuglink);
	tcase_add_test(tc, test_addr);
	tcase_add_test(tc, test_eh_frame);
	tcase_add_test(tc, test_bytes);
	tcase_add_test(tc, test_no_trampoline);
	tcase_add_test(tc, test_trampoline_layouts);
	tcase_add_test(tc, test_trampoline_unknown);
	tcase_add_test(tc, test_inlines);
	tcase_add_test(tc, test_unreadable_file);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
