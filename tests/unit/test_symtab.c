/* Unit tests for common/symtab, over ELF files tests/make_elf_fixtures.sh
 * builds from tests/data/fx_elf.c (directory in $PERFFOLD_FX_DIR). Expected
 * addresses come from `nm` and `objdump` output written next to them;
 * expected names are the ones perf 6.1 prints. */
#include <check.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include "debugfile.h"
#include "fcache.h"
#include "symarr.h"
#include "symtab.h"

static const char *fx_dir(void)
{
	const char *d = getenv("PERFFOLD_FX_DIR");

	ck_assert_msg(d != NULL, "PERFFOLD_FX_DIR is not set");
	return d;
}

static char *fx_path(const char *name)
{
	static char buf[4][PATH_MAX];
	static int n;
	char *p = buf[n++ & 3];

	snprintf(p, PATH_MAX, "%s/%s", fx_dir(), name);
	return p;
}

/* The address nm gives for sym in FILE.nm. */
static uint64_t nm_addr(const char *file, const char *sym)
{
	char path[PATH_MAX], line[512], name[400], type;
	unsigned long long addr;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.nm", fx_dir(), file);
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %399s", &addr, &type, name) == 3 &&
		    !strcmp(name, sym)) {
			fclose(f);
			return addr;
		}
	}
	fclose(f);
	ck_abort_msg("%s not in %s", sym, path);
	return 0;
}

/* Where the kernel would map vaddr of file for a load at base: the
 * mapping's start and page offset, from the PT_LOAD holding vaddr. */
static void mapping_of(const char *file, uint64_t base, uint64_t vaddr,
		       uint64_t *start, uint64_t *pgoff, int64_t *delta)
{
	int fd = open(fx_path(file), O_RDONLY);
	Elf *e;
	size_t i, n;

	ck_assert_int_ge(fd, 0);
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(elf_getphdrnum(e, &n), 0);
	for (i = 0; i < n; i++) {
		GElf_Phdr ph;

		gelf_getphdr(e, (int)i, &ph);
		if (ph.p_type != PT_LOAD || vaddr < ph.p_vaddr ||
		    vaddr >= ph.p_vaddr + ph.p_memsz)
			continue;
		*start = base + (ph.p_vaddr & ~(uint64_t)0xfff);
		*pgoff = ph.p_offset & ~(uint64_t)0xfff;
		*delta = (int64_t)(ph.p_vaddr - ph.p_offset);
		elf_end(e);
		close(fd);
		return;
	}
	ck_abort_msg("no PT_LOAD for %#llx", (unsigned long long)vaddr);
}

static struct symtab *open_fx(const char *name)
{
	struct symtab *st = symtab__open(fx_path(name), NULL, 0, NULL, NULL);

	ck_assert_msg(st != NULL, "symtab__open %s: %s", name,
		      strerror(errno));
	return st;
}

static void expect(const struct symtab *st, uint64_t addr, const char *name,
		   uint64_t off)
{
	uint64_t got_off = ~0ULL;
	const char *got = symtab__lookup(st, addr, &got_off);

	ck_assert_msg(got != NULL, "%#llx: no symbol, expected %s",
		      (unsigned long long)addr, name);
	ck_assert_str_eq(got, name);
	ck_assert_uint_eq(got_off, off);
}

/* nm name -> the name perf prints for it (aliases resolved, demangled). */
static const char *const fx_names[][2] = {
	{ "fx_alpha", "fx_alpha" },
	{ "fx_beta", "fx_beta" },
	{ "fx_beta_weak", "fx_beta" },
	{ "fx_gamma", "fx_gamma_longer" },
	{ "__fx_gamma_u", "fx_gamma_longer" },
	{ "fx_local_global", "fx_local_global" },
	{ "fx_static_only", "fx_static_only" },
	{ "_ZN2ns3BoxIlE4spinEi", "ns::Box<long>::spin" },
	{ "_ZN4core3fmt5write17h0123456789abcdefE", "core::fmt::write" },
	{ "_RNvCs1234_7mycrate4main", "mycrate::main" },
	{ "fx_in_data", "fx_in_data" },
};

static void check_names(const char *file, uint64_t base)
{
	struct symtab *st = open_fx(file);
	size_t i;

	for (i = 0; i < sizeof(fx_names) / sizeof(fx_names[0]); i++) {
		uint64_t vaddr = nm_addr(file, fx_names[i][0]);
		uint64_t start, pgoff, off = ~0ULL;
		int64_t delta;
		const char *got;

		expect(st, vaddr + 1, fx_names[i][1], 1);
		/* The same through a mapping, as a sample's ip arrives. */
		mapping_of(file, base, vaddr, &start, &pgoff, &delta);
		got = symtab__lookup_mapped(st, start, pgoff, base + vaddr + 2,
					    &off);
		ck_assert_msg(got && !strcmp(got, fx_names[i][1]),
			      "%s mapped: got %s", fx_names[i][0],
			      got ? got : "NULL");
		ck_assert_uint_eq(off, 2);
	}
	symtab__free(st);
}

START_TEST(test_pie)
{
	check_names("fx_pie", 0x55d0c0de0000ULL);
}
END_TEST

START_TEST(test_nopie)
{
	check_names("fx_nopie", 0);
}
END_TEST

START_TEST(test_shared_library)
{
	check_names("libfx.so", 0x7f3a12340000ULL);
}
END_TEST

/* fx_in_data sits in the RW segment, whose p_vaddr - p_offset is not 0:
 * file offsets must be translated through that segment. */
START_TEST(test_segment_delta)
{
	struct symtab *st = open_fx("fx_pie");
	uint64_t vaddr = nm_addr("fx_pie", "fx_in_data");
	uint64_t start, pgoff;
	int64_t delta;

	mapping_of("fx_pie", 0, vaddr, &start, &pgoff, &delta);
	ck_assert_int_ne(delta, 0);
	ck_assert_uint_eq(symtab__addr(st, vaddr - (uint64_t)delta), vaddr);
	/* Outside every segment, offsets map 1:1. */
	ck_assert_uint_eq(symtab__addr(st, 0x7fffffff), 0x7fffffff);
	symtab__free(st);
}
END_TEST

START_TEST(test_zero_sized)
{
	struct symtab *st = open_fx("fx_pie");
	uint64_t nosize = nm_addr("fx_pie", "fx_asm_nosize");
	uint64_t label = nm_addr("fx_pie", "fx_asm_label");
	uint64_t after = nm_addr("fx_pie", "fx_asm_after");

	/* A FUNC without size and a NOTYPE label in .text both reach the
	 * next symbol (symbols__fixup_end). */
	expect(st, nosize, "fx_asm_nosize", 0);
	expect(st, label - 1, "fx_asm_nosize", label - 1 - nosize);
	expect(st, label, "fx_asm_label", 0);
	expect(st, after - 1, "fx_asm_label", after - 1 - label);
	expect(st, after, "fx_asm_after", 0);
	symtab__free(st);
}
END_TEST

/* PLT entries get perf's synthesized "name@plt" symbols, demangled. In the
 * shared library they stand alone; in the executable, the size-less _init
 * before .plt is stretched over it and perf's tree finds _init first. */
START_TEST(test_plt)
{
	struct symtab *st = open_fx("libfx.so");
	char path[PATH_MAX], line[512], name[400];
	unsigned long long addr;
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/libfx.so.plt", fx_dir());
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f) &&
	       sscanf(line, "%llx %399s", &addr, name) == 2) {
		const char *want = name;

		if (!strcmp(name, "_ZN2ns3BoxIlE4spinEi@plt"))
			want = "ns::Box<long>::spin@plt";
		else if (!strncmp(name, "_ZN4core", 8))
			want = "core::fmt::write@plt";
		else if (!strncmp(name, "_RNv", 4))
			want = "mycrate::main@plt";
		expect(st, addr + 4, want, 4);
		n++;
	}
	fclose(f);
	ck_assert_int_ge(n, 4);
	symtab__free(st);

	st = open_fx("fx_pie");
	expect(st, nm_addr("fx_pie", "_init") + 0x34, "_init", 0x34);
	symtab__free(st);
}
END_TEST

/* symtab__find_symbol_file() names the file symtab__open() read st's
 * symbols from, without reading them. */
static void same_symbol_file(const struct symtab *st, const char *path,
			     const uint8_t *id, size_t len,
			     const struct symtab_paths *paths)
{
	char *found = symtab__find_symbol_file(path, id, len, paths);

	ck_assert_ptr_nonnull(found);
	ck_assert_str_eq(found, symtab__symbol_file(st));
	free(found);
}

START_TEST(test_dynsym_only)
{
	struct symtab *st = open_fx("fx_dynonly");

	ck_assert_str_eq(symtab__symbol_file(st), fx_path("fx_dynonly"));
	same_symbol_file(st, fx_path("fx_dynonly"), NULL, 0, NULL);
	expect(st, nm_addr("fx_pie", "fx_alpha") + 1, "fx_alpha", 1);
	ck_assert_ptr_null(symtab__lookup(
		st, nm_addr("fx_pie", "fx_static_only") + 1, NULL));
	symtab__free(st);
}
END_TEST

START_TEST(test_debuglink_symbols)
{
	struct symtab *st = open_fx("fx_dbg");
	const char *sf = symtab__symbol_file(st);

	ck_assert_str_eq(sf + strlen(sf) - strlen("/.debug/fx_dbg.debug"),
			 "/.debug/fx_dbg.debug");
	same_symbol_file(st, fx_path("fx_dbg"), NULL, 0, NULL);
	expect(st, nm_addr("fx_pie", "fx_static_only") + 3, "fx_static_only",
	       3);
	expect(st, nm_addr("fx_pie", "fx_gamma"), "fx_gamma_longer", 0);
	symtab__free(st);
}
END_TEST

START_TEST(test_build_id_debug_dir)
{
	char root[PATH_MAX];
	struct symtab_paths paths = { .debug_root = root };
	struct symtab *st;
	uint64_t addr = nm_addr("fx_pie", "fx_static_only");

	/* Without the debug root only .dynsym: no name. */
	st = open_fx("fx_bid");
	ck_assert_ptr_null(symtab__lookup(st, addr, NULL));
	symtab__free(st);

	snprintf(root, sizeof(root), "%s/root/usr/lib/debug", fx_dir());
	st = symtab__open(fx_path("fx_bid"), NULL, 0, &paths, NULL);
	ck_assert_ptr_nonnull(st);
	ck_assert_ptr_nonnull(strstr(symtab__symbol_file(st), "/.build-id/"));
	same_symbol_file(st, fx_path("fx_bid"), NULL, 0, &paths);
	expect(st, addr, "fx_static_only", 0);
	symtab__free(st);
}
END_TEST

/* DEBUG_ROOT/PATH.debug, the layout Fedora uses. */
START_TEST(test_debug_root_by_path)
{
	char root[PATH_MAX];
	struct symtab_paths paths = { .debug_root = root };
	struct symtab *st;
	const char *sf;

	snprintf(root, sizeof(root), "%s/root/usr/lib/debug", fx_dir());
	st = symtab__open(fx_path("fx_fed"), NULL, 0, &paths, NULL);
	ck_assert_ptr_nonnull(st);
	sf = symtab__symbol_file(st);
	ck_assert_str_eq(sf + strlen(sf) - strlen("/fx_fed.debug"),
			 "/fx_fed.debug");
	same_symbol_file(st, fx_path("fx_fed"), NULL, 0, &paths);
	expect(st, nm_addr("fx_pie", "fx_static_only") + 1, "fx_static_only",
	       1);
	symtab__free(st);
}
END_TEST

static void copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY), out;
	ssize_t n;

	ck_assert_int_ge(in, 0);
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(out, 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		ck_assert_int_eq(write(out, buf, (size_t)n), n);
	close(in);
	close(out);
}

START_TEST(test_build_id_check_and_cache)
{
	uint8_t id[SYMTAB_BUILD_ID_MAX], other[SYMTAB_BUILD_ID_MAX];
	char cache[PATH_MAX], dir[PATH_MAX + 64], hex[41];
	struct symtab_paths paths = { .buildid_dir = cache };
	const uint8_t *got;
	struct symtab *st;
	size_t len;
	int n, i;

	n = debugfile__read_build_id(fx_path("fx_pie"), id, sizeof(id));
	ck_assert_int_eq(n, 20);
	ck_assert_int_eq(debugfile__read_build_id(fx_path("fx_nopie"), other,
						  sizeof(other)), 20);
	ck_assert_int_ne(memcmp(id, other, 20), 0);
	ck_assert_int_eq(debugfile__read_build_id("/nonexistent/x", id, 20),
			 -ENOENT);
	debugfile__read_build_id(fx_path("fx_pie"), id, sizeof(id));

	/* The right build id: the file is used. */
	st = symtab__open(fx_path("fx_pie"), id, 20, NULL, NULL);
	ck_assert_ptr_nonnull(st);
	got = symtab__build_id(st, &len);
	ck_assert_uint_eq(len, 20);
	ck_assert_int_eq(memcmp(got, id, 20), 0);
	symtab__free(st);

	/* fx_nopie on disk where the recording saw fx_pie: rejected... */
	errno = 0;
	ck_assert_ptr_null(symtab__open(fx_path("fx_nopie"), id, 20, NULL,
					NULL));
	ck_assert_int_eq(errno, ENOENT);

	/* ...and found in perf's cache, laid out as perf 6.1 does:
	 * CACHE/.build-id/xx/rest -> a directory holding "elf". */
	for (i = 0; i < 20; i++)
		snprintf(hex + 2 * i, 3, "%02x", id[i]);
	snprintf(cache, sizeof(cache), "%s/cache", fx_dir());
	snprintf(dir, sizeof(dir), "%s/.build-id/%.2s/%s", cache, hex,
		 hex + 2);
	for (i = (int)strlen(cache); dir[i]; i++) {
		if (dir[i] == '/') {
			dir[i] = '\0';
			mkdir(dir, 0755);
			dir[i] = '/';
		}
	}
	mkdir(cache, 0755);
	mkdir(dir, 0755);
	strcat(dir, "/elf");
	copy_file(fx_path("fx_pie"), dir);
	st = symtab__open(fx_path("fx_nopie"), id, 20, &paths, NULL);
	ck_assert_ptr_nonnull(st);
	ck_assert_str_eq(symtab__file(st), dir);
	same_symbol_file(st, fx_path("fx_nopie"), id, 20, &paths);
	expect(st, nm_addr("fx_pie", "fx_alpha") + 1, "fx_alpha", 1);
	symtab__free(st);
}
END_TEST

START_TEST(test_vdso_self)
{
	struct symtab *st = symtab__open_vdso_self(NULL);
	uint64_t addr;
	int seen = 0;

	ck_assert_ptr_nonnull(st);
	ck_assert_uint_gt(symtab__count(st), 0);
	/* __vdso_clock_gettime and the weak clock_gettime share an address;
	 * the global wins, as perf prints it. */
	for (addr = 0; addr < 0x4000; addr++) {
		const char *n = symtab__lookup(st, addr, NULL);

		if (!n)
			continue;
		ck_assert_str_ne(n, "clock_gettime");
		seen += !strcmp(n, "__vdso_clock_gettime");
	}
	ck_assert_int_gt(seen, 0);
	symtab__free(st);
}
END_TEST

/* [vdso] from perf's cache: CACHE/.build-id/xx/rest/vdso. */
START_TEST(test_vdso_from_cache)
{
	const unsigned char *base = (const void *)getauxval(AT_SYSINFO_EHDR);
	const Elf64_Ehdr *eh = (const void *)base;
	char cache[PATH_MAX], dir[PATH_MAX + 64], hex[41], *p;
	struct symtab_paths paths = { .buildid_dir = cache };
	struct symtab *self = symtab__open_vdso_self(NULL), *st;
	const uint8_t *id;
	size_t len, i;
	FILE *f;

	ck_assert_ptr_nonnull(self);
	id = symtab__build_id(self, &len);
	ck_assert_uint_eq(len, 20);
	for (i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", id[i]);
	snprintf(cache, sizeof(cache), "%s/vdsocache", fx_dir());
	snprintf(dir, sizeof(dir), "%s/.build-id/%.2s/%s", cache, hex,
		 hex + 2);
	for (p = dir + strlen(fx_dir()) + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(dir, 0755);
			*p = '/';
		}
	}
	mkdir(dir, 0755);
	strcat(dir, "/vdso");
	f = fopen(dir, "wb");
	ck_assert_ptr_nonnull(f);
	fwrite(base, 1, eh->e_shoff + (size_t)eh->e_shnum * eh->e_shentsize,
	       f);
	fclose(f);

	st = symtab__open("[vdso]", id, len, &paths, NULL);
	ck_assert_ptr_nonnull(st);
	ck_assert_str_eq(symtab__file(st), dir);
	ck_assert_uint_eq(symtab__count(st), symtab__count(self));
	symtab__free(st);
	symtab__free(self);
}
END_TEST

START_TEST(test_errors)
{
	errno = 0;
	ck_assert_ptr_null(symtab__open("/nonexistent/file", NULL, 0, NULL,
					NULL));
	ck_assert_int_eq(errno, ENOENT);
	errno = 0;
	ck_assert_ptr_null(symtab__open(fx_path("fx_pie.nm"), NULL, 0, NULL,
					NULL));
	ck_assert_int_eq(errno, ENOEXEC);
	ck_assert_ptr_null(symtab__find_symbol_file("/nonexistent/file", NULL,
						    0, NULL));
	ck_assert_ptr_null(symtab__find_symbol_file(fx_path("fx_pie.nm"),
						    NULL, 0, NULL));
	symtab__free(NULL);
}
END_TEST

/* Truncated and corrupted ELF files (fixed seed): a symtab or an error,
 * never a crash or a sanitizer report. */
START_TEST(test_corrupted)
{
	static uint8_t data[1 << 16], copy[1 << 16];
	char path[PATH_MAX];
	unsigned int seed = 777;
	size_t len, i;
	FILE *f = fopen(fx_path("fx_pie"), "rb");

	ck_assert_ptr_nonnull(f);
	len = fread(data, 1, sizeof(data), f);
	fclose(f);
	ck_assert_uint_lt(len, sizeof(data));
	snprintf(path, sizeof(path), "%s/corrupt.elf", fx_dir());
	for (i = 0; i < 200; i++) {
		size_t cut = i < 100 ? (size_t)rand_r(&seed) % len : len, k;
		struct symtab *st;

		memcpy(copy, data, len);
		if (i >= 100)
			for (k = 0; k < 16; k++)
				copy[64 + (size_t)rand_r(&seed) % (len - 64)] =
					(uint8_t)rand_r(&seed);
		f = fopen(path, "wb");
		ck_assert_ptr_nonnull(f);
		fwrite(copy, 1, cut, f);
		fclose(f);
		st = symtab__open(path, NULL, 0, NULL, NULL);
		if (st) {
			for (k = 0; k < 0x2000; k += 3)
				symtab__lookup(st, k, NULL);
			symtab__free(st);
		}
	}
	unlink(path);
}
END_TEST

/* Two tables that answer every address alike, from the same files. */
static void assert_same_table(const struct symtab *x, const struct symtab *y)
{
	const struct symarr *ax = symtab__symarr(x), *ay = symtab__symarr(y);
	size_t i, n = symarr__nr_intervals(ax), lx, ly;
	const uint8_t *ix = symtab__build_id(x, &lx);
	const uint8_t *iy = symtab__build_id(y, &ly);
	uint64_t off;

	ck_assert_str_eq(symtab__file(x), symtab__file(y));
	ck_assert_str_eq(symtab__symbol_file(x), symtab__symbol_file(y));
	ck_assert_uint_eq(lx, ly);
	ck_assert(!memcmp(ix, iy, lx));
	ck_assert_uint_eq(symtab__count(x), symtab__count(y));
	for (off = 0; off < (64u << 20); off += 4093)	/* the segments */
		ck_assert_uint_eq(symtab__addr(x, off), symtab__addr(y, off));
	ck_assert_uint_gt(n, 1);
	ck_assert_uint_eq(symarr__nr_intervals(ay), n);
	for (i = 0; i < n; i++) {
		uint64_t bx, by;
		const struct symarr_sym *sx = symarr__interval(ax, i, &bx);
		const struct symarr_sym *sy = symarr__interval(ay, i, &by);

		ck_assert_uint_eq(bx, by);
		ck_assert_int_eq(!sx, !sy);
		if (!sx)
			continue;
		ck_assert_uint_eq(sx->start, sy->start);
		ck_assert_uint_eq(sx->end, sy->end);
		ck_assert_str_eq(sx->name, sy->name);
	}
}

/* name changed to its upper-case form in the one table entry in dir,
 * in place (its key, the source files' identity, stays). */
static void rename_in_entry(const char *dir, const char *name)
{
	char cmd[PATH_MAX + 200], up[64];
	size_t i;

	for (i = 0; name[i] && i < sizeof(up) - 1; i++)
		up[i] = (char)(name[i] >= 'a' && name[i] <= 'z' ?
			       name[i] - 32 : name[i]);
	up[i] = '\0';
	snprintf(cmd, sizeof(cmd), "set -- '%s'/*/symtab-* && [ $# = 1 ] && "
		 "grep -q '%s' \"$1\" && "
		 "perl -pi -e 's/\\0%s\\0/\\0%s\\0/' \"$1\"",
		 dir, name, name, up);
	ck_assert_msg(system(cmd) == 0, "%s", cmd);
}

/* With a cache, a table is read from the files once: later opens of the
 * same files take it from the cache (an entry changed on disk shows), and
 * answer every address as a fresh read does; an entry that does not check
 * out is read afresh and replaced. Fixtures with PLT entries under a
 * stretched _init (perf's tree), separate debuginfo, .dynsym only, and
 * this process's libc. */
START_TEST(test_cached_tables)
{
	char dir[] = "/tmp/symtab-cache-XXXXXX", cmd[PATH_MAX], root[PATH_MAX];
	struct symtab_paths paths = { .debug_root = root };
	struct symtab *plain, *cold, *warm;
	struct fcache *cache;
	const char *files[5];
	Dl_info dl;
	size_t i;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	cache = fcache__new(dir);
	ck_assert_ptr_nonnull(cache);
	snprintf(root, sizeof(root), "%s/root/usr/lib/debug", fx_dir());
	ck_assert(dladdr((void *)printf, &dl) && dl.dli_fname);
	files[0] = fx_path("fx_pie");
	files[1] = fx_path("libfx.so");
	files[2] = fx_path("fx_dbg");
	files[3] = fx_path("fx_dynonly");
	files[4] = dl.dli_fname;
	for (i = 0; i < 5; i++) {
		paths.cache = NULL;
		plain = symtab__open(files[i], NULL, 0, &paths, NULL);
		paths.cache = cache;
		cold = symtab__open(files[i], NULL, 0, &paths, NULL);
		warm = symtab__open(files[i], NULL, 0, &paths, NULL);
		ck_assert_ptr_nonnull(plain);
		ck_assert_ptr_nonnull(cold);
		ck_assert_ptr_nonnull(warm);
		assert_same_table(plain, cold);
		assert_same_table(plain, warm);
		symtab__free(plain);
		symtab__free(cold);
		symtab__free(warm);
	}
	/* the entry is what is read */
	snprintf(cmd, sizeof(cmd), "rm '%s'/*/symtab-*", dir);
	ck_assert_int_eq(system(cmd), 0);
	paths.cache = cache;
	symtab__free(symtab__open(fx_path("libfx.so"), NULL, 0, &paths, NULL));
	rename_in_entry(dir, "fx_alpha");
	warm = symtab__open(fx_path("libfx.so"), NULL, 0, &paths, NULL);
	expect(warm, nm_addr("libfx.so", "fx_alpha"), "FX_ALPHA", 0);
	symtab__free(warm);
	/* damaged: read afresh, and stored again */
	snprintf(cmd, sizeof(cmd), "truncate -s -1 '%s'/*/symtab-*", dir);
	ck_assert_int_eq(system(cmd), 0);
	warm = symtab__open(fx_path("libfx.so"), NULL, 0, &paths, NULL);
	expect(warm, nm_addr("libfx.so", "fx_alpha"), "fx_alpha", 0);
	symtab__free(warm);
	rename_in_entry(dir, "fx_alpha");
	snprintf(cmd, sizeof(cmd), "rm -r '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	fcache__free(cache);
}
END_TEST

static Suite *symtab_suite(void)
{
	Suite *s = suite_create("symtab");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_pie);
	tcase_add_test(tc, test_nopie);
	tcase_add_test(tc, test_shared_library);
	tcase_add_test(tc, test_segment_delta);
	tcase_add_test(tc, test_zero_sized);
	tcase_add_test(tc, test_plt);
	tcase_add_test(tc, test_dynsym_only);
	tcase_add_test(tc, test_debuglink_symbols);
	tcase_add_test(tc, test_build_id_debug_dir);
	tcase_add_test(tc, test_debug_root_by_path);
	tcase_add_test(tc, test_build_id_check_and_cache);
	tcase_add_test(tc, test_vdso_self);
	tcase_add_test(tc, test_vdso_from_cache);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_corrupted);
	tcase_add_test(tc, test_cached_tables);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(symtab_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
