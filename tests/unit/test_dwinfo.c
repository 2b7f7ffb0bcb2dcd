/* Unit tests for common/dwinfo, over fx_inl and fx_inl_gz (the same file
 * with zlib-compressed debug sections) from tests/make_elf_fixtures.sh
 * (directory in $PERFFOLD_FX_DIR): the reduced image of the compressed
 * file answers every inline lookup as libdw does on the plain one. */
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

#include "dwinfo.h"
#include "fcache.h"
#include "inlines.h"

static char *fx_path(const char *name)
{
	static char buf[4][PATH_MAX];
	static int n;
	const char *d = getenv("PERFFOLD_FX_DIR");
	char *p = buf[n++ & 3];

	ck_assert_msg(d != NULL, "PERFFOLD_FX_DIR is not set");
	snprintf(p, PATH_MAX, "%s/%s", d, name);
	return p;
}

/* The DIE of the first unit of dw */
static Dwarf_Die *first_cu(Dwarf *dw, Dwarf_Die *cu)
{
	Dwarf_Off next;
	size_t hsize;

	ck_assert_int_eq(dwarf_nextcu(dw, 0, &next, &hsize, NULL, NULL, NULL),
			 0);
	return dwarf_offdie(dw, hsize, cu);
}

/* Every address of every unit of a looked up in a and b: same names. */
static void assert_same_inlines(Dwarf *a, Dwarf *b)
{
	struct inlines *ia = inlines__new(a), *ib = inlines__new(b);
	Dwarf_Off off = 0, next, off_b = 0, next_b;
	size_t hsize, hsize_b, nr_names = 0;

	while (!dwarf_nextcu(a, off, &next, &hsize, NULL, NULL, NULL)) {
		Dwarf_Addr base, lo, hi;
		Dwarf_Die cu;
		ptrdiff_t r = 0;

		ck_assert_int_eq(dwarf_nextcu(b, off_b, &next_b, &hsize_b,
					      NULL, NULL, NULL), 0);
		ck_assert_uint_eq(off, off_b);
		ck_assert_uint_eq(next, next_b);
		ck_assert_ptr_nonnull(dwarf_offdie(a, off + hsize, &cu));
		while ((r = dwarf_ranges(&cu, r, &base, &lo, &hi)) > 0)
			for (; lo < hi; lo++) {
				const char *na[16], *nb[16];
				size_t n = inlines__lookup(ia, lo, na, 16), i;

				ck_assert_uint_eq(inlines__lookup(ib, lo, nb, 16),
						  n);
				for (i = 0; i < n; i++)
					ck_assert_str_eq(na[i], nb[i]);
				nr_names += n;
			}
		off = off_b = next;
	}
	ck_assert_uint_gt(nr_names, 64);
	inlines__free(ia);
	inlines__free(ib);
}

START_TEST(test_compressed_as_plain)
{
	struct dwinfo *plain = dwinfo__open(fx_path("fx_inl"), NULL);
	struct dwinfo *gz = dwinfo__open(fx_path("fx_inl_gz"), NULL);
	Dwarf_Die cu;
	Dwarf_Lines *lines;
	size_t nr;

	ck_assert_ptr_nonnull(plain);
	ck_assert_ptr_nonnull(gz);
	ck_assert(!dwinfo__is_inflated(plain));	/* nothing to inflate */
	ck_assert(dwinfo__is_inflated(gz));
	assert_same_inlines(dwinfo__dwarf(plain), dwinfo__dwarf(gz));

	/* line tables are not inflated: never read */
	ck_assert_ptr_nonnull(first_cu(dwinfo__dwarf(plain), &cu));
	ck_assert_int_eq(dwarf_getsrclines(&cu, &lines, &nr), 0);
	ck_assert_ptr_nonnull(first_cu(dwinfo__dwarf(gz), &cu));
	ck_assert_int_ne(dwarf_getsrclines(&cu, &lines, &nr), 0);
	dwinfo__free(plain);
	dwinfo__free(gz);
}
END_TEST

START_TEST(test_start_on_thread)
{
	struct dwinfo *a = dwinfo__start(fx_path("fx_inl_gz"), NULL);
	struct dwinfo *b = dwinfo__start(fx_path("fx_inl"), NULL);
	struct dwinfo *c = dwinfo__start(fx_path("no-such-file"), NULL);

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_nonnull(dwinfo__dwarf(a));
	ck_assert(dwinfo__is_inflated(a));
	assert_same_inlines(dwinfo__dwarf(b), dwinfo__dwarf(a));
	ck_assert_ptr_null(dwinfo__dwarf(c));
	dwinfo__free(a);
	dwinfo__free(b);
	dwinfo__free(c);
	/* freed while its thread may still run */
	dwinfo__free(dwinfo__start(fx_path("fx_inl_gz"), NULL));
}
END_TEST

START_TEST(test_errors)
{
	char src[PATH_MAX];

	errno = 0;
	ck_assert_ptr_null(dwinfo__open(fx_path("no-such-file"), NULL));
	ck_assert_int_eq(errno, ENOENT);
	snprintf(src, sizeof(src), "%s/fx_inline.c",
		 getenv("PERFFOLD_TEST_DATA"));
	errno = 0;
	ck_assert_ptr_null(dwinfo__open(src, NULL));
	ck_assert_int_eq(errno, ENOEXEC);
	/* an ELF file with no DWARF */
	ck_assert_ptr_null(dwinfo__open(fx_path("fx_dynonly"), NULL));
	dwinfo__free(NULL);
}
END_TEST

/* A copy of fx_inl_gz whose .debug_info stream is damaged: no crash, and
 * no reduced image of bad bytes. */
START_TEST(test_corrupt_stream)
{
	char tmp[] = "/tmp/perffold-dwinfo-XXXXXX";
	int in = open(fx_path("fx_inl_gz"), O_RDONLY), out = mkstemp(tmp);
	Elf *elf;
	Elf_Scn *scn = NULL;
	size_t shstrndx, len;
	char *bytes;
	struct dwinfo *di;
	off_t size;

	ck_assert_int_ge(in, 0);
	ck_assert_int_ge(out, 0);
	size = lseek(in, 0, SEEK_END);
	bytes = malloc((size_t)size);
	ck_assert_int_eq(pread(in, bytes, (size_t)size, 0), size);
	elf_version(EV_CURRENT);
	elf = elf_memory(bytes, (size_t)size);
	ck_assert_int_eq(elf_getshdrstrndx(elf, &shstrndx), 0);
	len = 0;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		gelf_getshdr(scn, &sh);
		if (!strcmp(elf_strptr(elf, shstrndx, sh.sh_name),
			    ".debug_info")) {
			size_t at = sh.sh_offset + sizeof(Elf64_Chdr) + 8;

			ck_assert(sh.sh_flags & SHF_COMPRESSED);
			for (len = 0; len < 32; len++)
				bytes[at + len] ^= 0x5a;
		}
	}
	elf_end(elf);
	ck_assert_uint_eq(len, 32);
	ck_assert_int_eq(write(out, bytes, (size_t)size), size);
	close(out);
	close(in);
	free(bytes);

	di = dwinfo__open(tmp, NULL);
	if (di)
		ck_assert(!dwinfo__is_inflated(di));
	dwinfo__free(di);
	unlink(tmp);
}
END_TEST

/* Entries in dir whose name starts with prefix. */
static int nr_entries(const char *dir, const char *prefix)
{
	char cmd[PATH_MAX + 64];
	FILE *f;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -a '%s'/* | grep -c '^%s'", dir, prefix);
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%d", &n), 1);
	pclose(f);
	return n;
}

/* With a cache, the image is inflated once and mapped from the cache
 * after (answering alike); a file with nothing to inflate stores nothing;
 * a damaged entry is inflated afresh. */
START_TEST(test_cached_image)
{
	char dir[] = "/tmp/dwinfo-cache-XXXXXX", cmd[PATH_MAX + 64];
	struct fcache *cache;
	struct dwinfo *plain, *cold, *warm, *on_thread;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	cache = fcache__new(dir);
	ck_assert_ptr_nonnull(cache);
	plain = dwinfo__open(fx_path("fx_inl"), cache);
	ck_assert_ptr_nonnull(plain);
	ck_assert(!dwinfo__is_cached(plain));
	ck_assert_int_eq(nr_entries(dir, "dwarf-"), 0);

	cold = dwinfo__open(fx_path("fx_inl_gz"), cache);
	ck_assert(dwinfo__is_inflated(cold) && !dwinfo__is_cached(cold));
	ck_assert_int_eq(nr_entries(dir, "dwarf-"), 1);
	warm = dwinfo__open(fx_path("fx_inl_gz"), cache);
	on_thread = dwinfo__start(fx_path("fx_inl_gz"), cache);
	ck_assert(dwinfo__is_inflated(warm) && dwinfo__is_cached(warm));
	ck_assert(dwinfo__is_cached(on_thread));
	assert_same_inlines(dwinfo__dwarf(plain), dwinfo__dwarf(warm));
	assert_same_inlines(dwinfo__dwarf(plain), dwinfo__dwarf(on_thread));
	dwinfo__free(cold);
	dwinfo__free(warm);
	dwinfo__free(on_thread);

	snprintf(cmd, sizeof(cmd), "truncate -s 100 '%s'/*/dwarf-*", dir);
	ck_assert_int_eq(system(cmd), 0);
	warm = dwinfo__open(fx_path("fx_inl_gz"), cache);
	ck_assert(dwinfo__is_inflated(warm) && !dwinfo__is_cached(warm));
	assert_same_inlines(dwinfo__dwarf(plain), dwinfo__dwarf(warm));
	dwinfo__free(warm);
	warm = dwinfo__open(fx_path("fx_inl_gz"), cache);	/* stored again */
	ck_assert(dwinfo__is_cached(warm));
	dwinfo__free(warm);
	dwinfo__free(plain);
	fcache__free(cache);
	snprintf(cmd, sizeof(cmd), "rm -r '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

static Suite *dwinfo_suite(void)
{
	Suite *s = suite_create("dwinfo");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_compressed_as_plain);
	tcase_add_test(tc, test_start_on_thread);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_corrupt_stream);
	tcase_add_test(tc, test_cached_image);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(dwinfo_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
