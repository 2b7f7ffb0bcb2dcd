/* Unit tests for common/symbolize: addresses of a made-up process, whose
 * mappings are ELF fixtures tests/make_elf_fixtures.sh builds (directory in
 * $PERFFOLD_FX_DIR), JIT memory named by a perf map or jitdump in a
 * temporary directory, and a kallsyms file, named into folded frames.
 *
 * The test binary is linked with --wrap=folder__name (tests/meson.build):
 * every frame symbolize hands the folder is recorded, so that its kind, DSO
 * and address are asserted as well as the text it folds to, and so that a
 * cache hit is seen to name nothing. */
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

#include "folder.h"
#include "inlines.h"
#include "session.h"
#include "symbolize.h"
#include "symcache.h"
#include "unwind.h"

#define PID 4242
#define BASE 0x555555554000ULL
#define ANON 0x7f0000000000ULL

/* ---- what symbolize hands the folder ---- */

struct named {
	enum frame_kind kind;
	char sym[256], dso[256];
	uint64_t addr;
};

static struct named named[16];
static int nr_named;

int __real_folder__name(struct folder *f, const struct frame *frame,
			uint32_t *out, size_t cap);
int __wrap_folder__name(struct folder *f, const struct frame *frame,
			uint32_t *out, size_t cap);

int __wrap_folder__name(struct folder *f, const struct frame *frame,
			uint32_t *out, size_t cap)
{
	struct named *n = &named[nr_named++ % 16];

	n->kind = frame->kind;
	snprintf(n->sym, sizeof(n->sym), "%.*s", (int)frame->sym.len,
		 frame->sym.s);
	snprintf(n->dso, sizeof(n->dso), "%.*s", (int)frame->dso.len,
		 frame->dso.s);
	n->addr = frame->addr;
	return __real_folder__name(f, frame, out, cap);
}

/* ---- fixtures ---- */

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

/* The value of symbol name in path's .symtab. */
static uint64_t sym_addr(const char *path, const char *name)
{
	Elf_Scn *scn = NULL;
	uint64_t v = 0;
	int fd = open(path, O_RDONLY);
	Elf *e;

	ck_assert_int_ge(fd, 0);
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	ck_assert_ptr_nonnull(e);
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

/* Map the segment of path holding vaddr into pid at BASE as the kernel
 * would; returns the mapping's file offset of vaddr. */
static uint64_t map_segment(struct session *s, int32_t pid, const char *path,
			    uint64_t vaddr)
{
	int fd = open(path, O_RDONLY);
	GElf_Phdr ph;
	size_t i, n;
	Elf *e;

	ck_assert_int_ge(fd, 0);
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	ck_assert_int_eq(elf_getphdrnum(e, &n), 0);
	for (i = 0; i < n; i++) {
		gelf_getphdr(e, (int)i, &ph);
		if (ph.p_type == PT_LOAD && vaddr >= ph.p_vaddr &&
		    vaddr < ph.p_vaddr + ph.p_memsz)
			break;
	}
	elf_end(e);
	close(fd);
	ck_assert_uint_lt(i, n);
	ck_assert_int_eq(session__mmap(s, pid, BASE + (ph.p_vaddr & ~0xfffULL),
				       ph.p_memsz + (ph.p_vaddr & 0xfff),
				       ph.p_offset & ~0xfffULL, path, NULL, 0),
			 0);
	return vaddr - ph.p_vaddr + ph.p_offset;
}

struct fixture {
	struct session *s;
	struct symcache *sc;
	struct folder *f;
	struct symbolize *sy;
	char dir[64];		/* perf maps, jitdumps, kallsyms */
	int nr_samples;
};

static void setup_opts(struct fixture *fx, const struct folder_opts *o)
{
	memset(fx, 0, sizeof(*fx));
	strcpy(fx->dir, "/tmp/perffold-symbolize-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(fx->dir));
	fx->s = session__new();
	fx->sc = symcache__new(NULL, NULL);
	fx->f = folder__new(o);
	ck_assert_ptr_nonnull(fx->s);
	ck_assert_ptr_nonnull(fx->sc);
	ck_assert_ptr_nonnull(fx->f);
	ck_assert_int_eq(symcache__set_perf_map_dir(fx->sc, fx->dir), 0);
	fx->sy = symbolize__new(fx->s, fx->sc, fx->f);
	ck_assert_ptr_nonnull(fx->sy);
	nr_named = 0;
}

static void setup(struct fixture *fx)
{
	struct folder_opts o = {0};

	setup_opts(fx, &o);
}

static void teardown(struct fixture *fx)
{
	char cmd[128];

	symbolize__free(fx->sy);
	folder__free(fx->f);
	symcache__free(fx->sc);
	session__free(fx->s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void put_file(const struct fixture *fx, const char *name,
		     const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fx->dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static struct slice sl(const char *s)
{
	return (struct slice){s, strlen(s)};
}

/* Start a sample of a thread of comm (as symbolize's names depend on it). */
static void begin(struct fixture *fx, const char *comm)
{
	struct folder_who w = {.comm = sl(comm), .is_nr = true,
			       .pid_nr = PID, .tid_nr = PID};

	ck_assert(folder__begin(fx->f, &w, sl(""), 1, true));
}

/* The folded text of frames ids[0..n), root-most first: a sample of its
 * own (comm "sNNN") with just them, written out and read back. */
static const char *text_of(struct fixture *fx, const uint32_t *ids,
			   size_t n)
{
	static char text[1024];
	char comm[16], *buf = NULL, *line, *end;
	size_t len = 0, comm_len;
	FILE *out;

	snprintf(comm, sizeof(comm), "s%04d;", ++fx->nr_samples);
	comm_len = strlen(comm);
	comm[comm_len - 1] = 0;
	begin(fx, comm);
	folder__ids(fx->f, ids, n);
	ck_assert_int_eq(folder__end(fx->f), 0);
	comm[comm_len - 1] = ';';
	out = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(folder__write(fx->f, out), 0);
	fclose(out);
	for (line = buf; line && strncmp(line, comm, comm_len);
	     line = strchr(line, '\n'), line = line ? line + 1 : NULL)
		;
	ck_assert_msg(line != NULL, "no sample %s in:\n%s", comm, buf);
	end = strchr(line, '\n');
	ck_assert_ptr_nonnull(end);
	*end = 0;
	end = strrchr(line, ' ');
	ck_assert_str_eq(end, " 1");
	*end = 0;
	snprintf(text, sizeof(text), "%s", line + comm_len);
	free(buf);
	return text;
}

/* The text of the frame at ip, and how many ids it is. */
static const char *name_at(struct fixture *fx, int32_t pid, bool is_kernel,
			   bool with_inline, uint64_t ip, int nr_ids)
{
	const uint32_t *ids;
	uint32_t copy[64];
	int n = symbolize__frame(fx->sy, pid, is_kernel, with_inline, ip, &ids);

	ck_assert_int_eq(n, nr_ids);
	memcpy(copy, ids, (size_t)n * sizeof(*ids));
	return text_of(fx, copy, (size_t)n);
}

static uint64_t nr_unknown(const struct fixture *fx)
{
	struct symbolize_stats st;

	symbolize__stats(fx->sy, &st);
	return st.nr_unknown_frames;
}

static void assert_named(int i, enum frame_kind kind, const char *sym,
			 const char *dso, uint64_t addr)
{
	ck_assert_int_eq(named[i].kind, kind);
	ck_assert_str_eq(named[i].sym, sym);
	ck_assert_str_eq(named[i].dso, dso);
	ck_assert_uint_eq(named[i].addr, addr);
}

/* ---- files ---- */

START_TEST(test_file_function)
{
	struct fixture fx;
	const char *path = fx_path("fx_pie");
	uint64_t a = sym_addr(path, "fx_alpha"), off;
	const uint32_t *ids;
	uint32_t first;
	int n;

	setup(&fx);
	off = map_segment(fx.s, PID, path, a);
	ck_assert_str_eq(name_at(&fx, PID, false, false, BASE + a, 1),
			 "fx_alpha");
	ck_assert_int_eq(nr_named, 1);
	/* perf prints a file's addresses as file offsets */
	assert_named(0, FRAME_NATIVE, "fx_alpha", path, off);
	n = symbolize__frame(fx.sy, PID, false, false, BASE + a, &ids);
	ck_assert_int_eq(n, 1);
	first = ids[0];
	/* the same address again: from the cache, nothing named */
	n = symbolize__frame(fx.sy, PID, false, false, BASE + a, &ids);
	ck_assert_int_eq(n, 1);
	ck_assert_uint_eq(ids[0], first);
	ck_assert_int_eq(nr_named, 1);
	/* another address of it: named, to the same frame */
	n = symbolize__frame(fx.sy, PID, false, false, BASE + a + 1, &ids);
	ck_assert_int_eq(n, 1);
	ck_assert_uint_eq(ids[0], first);
	ck_assert_int_eq(nr_named, 2);
	assert_named(1, FRAME_NATIVE, "fx_alpha", path, off + 1);
	/* demangled, as perf prints it (folded without its arguments) */
	a = sym_addr(path, "_ZN2ns3BoxIlE4spinEi");
	ck_assert_str_eq(name_at(&fx, PID, false, false, BASE + a, 1),
			 "ns::Box<long>::spin");
	ck_assert_str_eq(named[2].sym, "ns::Box<long>::spin");
	ck_assert_uint_eq(nr_unknown(&fx), 0);
	teardown(&fx);
}
END_TEST

/* A mapped file where no symbol is: "[unknown]" in that file (FlameGraph
 * folds it to the file's name), counted. */
START_TEST(test_file_no_symbol)
{
	struct fixture fx;
	const char *path = fx_path("fx_pie");

	setup(&fx);
	/* the program headers, in the first segment: no symbol there */
	ck_assert_uint_eq(map_segment(fx.s, PID, path, 0x100), 0x100);
	ck_assert_str_eq(name_at(&fx, PID, false, false, BASE + 0x100, 1),
			 "[fx_pie]");
	assert_named(0, FRAME_NATIVE, "[unknown]", path, 0x100);
	ck_assert_uint_eq(nr_unknown(&fx), 1);
	teardown(&fx);
}
END_TEST

/* The interpreter's own code: FRAME_INTERP, whether or not its file is
 * there to name it. */
START_TEST(test_interpreter)
{
	struct fixture fx;
	const char *lib = "/nonexistent/libpython3.12.so.1.0";

	setup(&fx);
	ck_assert_int_eq(session__mmap(fx.s, PID, 0x7e0000000000ULL, 0x1000,
				       0x3000, lib, NULL, 0), 0);
	ck_assert_str_eq(name_at(&fx, PID, false, false,
				 0x7e0000000010ULL, 1),
			 "[libpython3.12.so.1.0]");
	assert_named(0, FRAME_INTERP, "[unknown]", lib, 0x3010);
	ck_assert_uint_eq(nr_unknown(&fx), 1);
	teardown(&fx);
}
END_TEST

START_TEST(test_no_mapping)
{
	struct fixture fx;
	const char *path = fx_path("fx_pie");

	setup(&fx);
	map_segment(fx.s, PID, path, sym_addr(path, "fx_alpha"));
	ck_assert_ptr_null(symbolize__map(fx.sy, PID, 0x1234));
	ck_assert_str_eq(name_at(&fx, PID, false, false, 0x1234, 1),
			 "[unknown]");
	assert_named(0, FRAME_NATIVE, "[unknown]", "[unknown]", 0x1234);
	ck_assert_uint_eq(nr_unknown(&fx), 1);
	/* not cached (another process may map it): named and counted each
	 * time */
	ck_assert_str_eq(name_at(&fx, 77, false, false, 0x1234, 1),
			 "[unknown]");
	ck_assert_int_eq(nr_named, 2);
	ck_assert_uint_eq(nr_unknown(&fx), 2);
	teardown(&fx);
}
END_TEST

/* Memory a JIT named ([anon:NAME]) or double-maps (/memfd:NAME) is JIT
 * code: named by the perf map, as //anon is, not as a file of that name. */
START_TEST(test_anon_named)
{
	struct fixture fx;

	setup(&fx);
	put_file(&fx, "perf-4242.map", "7f0000001000 10 py::f:/x/f.py\n"
				       "7f0000021000 10 jitted_g\n");
	ck_assert_int_eq(session__mmap(fx.s, PID, ANON, 0x10000, 0,
				       "[anon:jit]", NULL, 0), 0);
	ck_assert_int_eq(session__mmap(fx.s, PID, ANON + 0x20000, 0x10000, 0,
				       "/memfd:doublemapper (deleted)", NULL,
				       0), 0);
	ck_assert_str_eq(name_at(&fx, PID, false, false, ANON + 0x1000, 1),
			 "py::f:/x/f.py");
	assert_named(0, FRAME_PYTHON, "py::f:/x/f.py", "/tmp/perf-4242.map",
		     ANON + 0x1000);
	ck_assert_str_eq(name_at(&fx, PID, false, false, ANON + 0x21000, 1),
			 "jitted_g");
	teardown(&fx);
}
END_TEST

START_TEST(test_map)
{
	struct fixture fx;
	const char *path = fx_path("fx_pie");
	uint64_t a = sym_addr(path, "fx_alpha");
	const struct session_map *m;

	setup(&fx);
	map_segment(fx.s, PID, path, a);
	m = symbolize__map(fx.sy, PID, BASE + a);
	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_eq(m, session__find_map(fx.s, PID, BASE + a));
	ck_assert_ptr_null(symbolize__map(fx.sy, PID + 1, BASE + a));
	/* a new mapping over it, once the remembered ones are forgotten */
	ck_assert_int_eq(session__mmap(fx.s, PID, m->start, m->end - m->start,
				       0, "//anon", NULL, 0), 0);
	symbolize__forget_maps(fx.sy);
	m = symbolize__map(fx.sy, PID, BASE + a);
	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(m->filename, "//anon");
	teardown(&fx);
}
END_TEST

/* ---- JIT code ---- */

static const char perf_map[] =
	"7f0000001000 b py::f:/x/f.py\n"
	"7f0000002000 20 jitted_fn\n";

START_TEST(test_perf_map_python)
{
	struct folder_opts o = {.python = FOLDER_PYTHON_FOLD};
	struct fixture fx;

	setup_opts(&fx, &o);
	put_file(&fx, "perf-4242.map", perf_map);
	ck_assert_int_eq(session__mmap(fx.s, PID, ANON, 0x10000, 0, "//anon",
				       NULL, 0), 0);
	ck_assert_str_eq(name_at(&fx, PID, false, false, ANON + 0x1005, 1),
			 "f (/x/f.py)");
	assert_named(0, FRAME_PYTHON, "py::f:/x/f.py", "/tmp/perf-4242.map",
		     ANON + 0x1005);
	ck_assert_str_eq(name_at(&fx, PID, false, false, ANON + 0x2004, 1),
			 "jitted_fn");
	assert_named(1, FRAME_JIT, "jitted_fn", "/tmp/perf-4242.map",
		     ANON + 0x2004);
	ck_assert_uint_eq(nr_unknown(&fx), 0);
	/* JIT memory the map does not name */
	ck_assert_str_eq(name_at(&fx, PID, false, false, ANON + 0x3000, 1),
			 "[perf-4242.map]");
	assert_named(2, FRAME_JIT, "[unknown]", "/tmp/perf-4242.map",
		     ANON + 0x3000);
	ck_assert_uint_eq(nr_unknown(&fx), 1);
	teardown(&fx);
}
END_TEST

START_TEST(test_perf_map_no_python_view)
{
	struct fixture fx;

	setup(&fx);
	put_file(&fx, "perf-4242.map", perf_map);
	ck_assert_int_eq(session__mmap(fx.s, PID, ANON, 0x10000, 0, "//anon",
				       NULL, 0), 0);
	ck_assert_str_eq(name_at(&fx, PID, false, false, ANON + 0x1005, 1),
			 "py::f:/x/f.py");
	ck_assert_int_eq(named[0].kind, FRAME_PYTHON);
	teardown(&fx);
}
END_TEST

/* --python folds the interpreter's frames and those below the first
 * Python frame away, by the kinds symbolize gave them. */
START_TEST(test_python_stack_folded)
{
	struct folder_opts o = {.python = FOLDER_PYTHON_FOLD};
	struct fixture fx;
	const char *path = fx_path("fx_pie");
	uint64_t a = sym_addr(path, "fx_alpha");
	uint32_t stack[4];
	const uint32_t *ids;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;
	int i;
	/* leaf first: interpreter, JIT, Python, interpreter, native */
	const uint64_t ips[] = {0x7e0000000010ULL, ANON + 0x2000,
				ANON + 0x1000, 0x7e0000000020ULL, BASE + a};

	setup_opts(&fx, &o);
	put_file(&fx, "perf-4242.map", perf_map);
	map_segment(fx.s, PID, path, a);
	ck_assert_int_eq(session__mmap(fx.s, PID, ANON, 0x10000, 0, "//anon",
				       NULL, 0), 0);
	ck_assert_int_eq(session__mmap(fx.s, PID, 0x7e0000000000ULL, 0x1000,
				       0, "/nonexistent/libpython3.12.so.1.0",
				       NULL, 0), 0);
	begin(&fx, "py");
	for (i = 0; i < 5; i++) {
		ck_assert_int_eq(symbolize__frame(fx.sy, PID, false, false,
						  ips[i], &ids), 1);
		stack[0] = ids[0];
		folder__ids(fx.f, stack, 1);
	}
	ck_assert_int_eq(folder__end(fx.f), 0);
	out = open_memstream(&buf, &len);
	ck_assert_int_eq(folder__write(fx.f, out), 0);
	fclose(out);
	ck_assert_str_eq(buf, "py;f (/x/f.py);jitted_fn 1\n");
	free(buf);
	teardown(&fx);
}
END_TEST

/* 3.13's -X perf_jit: the process's jitdump names its code, read from
 * the perf map directory as a copy. */
START_TEST(test_jitdump)
{
	struct folder_opts o = {.python = FOLDER_PYTHON_FOLD};
	struct fixture fx;
	char cmd[PATH_MAX + 256];
	const uint64_t code = 0x7f0ab1ffdf20ULL;

	setup_opts(&fx, &o);
	snprintf(cmd, sizeof(cmd), "cp '%s/py313-fib.jit.dump' '%s/jit-30484.dump'",
		 getenv("PERFFOLD_TEST_DATA"), fx.dir);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(symcache__add_jitdump(fx.sc, PID,
					       "/tmp/jit-30484.dump"), 0);
	ck_assert_int_eq(session__mmap(fx.s, PID, code & ~0xffffULL, 0x100000,
				       0, "//anon", NULL, 0), 0);
	ck_assert_str_eq(name_at(&fx, PID, false, false, code + 5, 1),
			 "fib (/tmp/symx/fib.py)");
	assert_named(0, FRAME_PYTHON, "py::fib:/tmp/symx/fib.py",
		     "/tmp/perf-4242.map", code + 5);
	/* the padding after the code is no one's */
	ck_assert_str_eq(name_at(&fx, PID, false, false, code + 11, 1),
			 "[perf-4242.map]");
	ck_assert_uint_eq(nr_unknown(&fx), 1);
	teardown(&fx);
}
END_TEST

/* ---- the kernel ---- */

START_TEST(test_kernel)
{
	struct folder_opts o = {.names.annotate_kernel = true};
	struct fixture fx;
	char path[128];

	setup_opts(&fx, &o);
	put_file(&fx, "kallsyms",
		 "ffffffff81000000 T _stext\n"
		 "ffffffff81000000 T _text\n"
		 "ffffffff81001000 T do_thing\n"
		 "ffffffff81002000 T last_thing\n"
		 "ffffffffc0001000 t mod_fn\t[mymod]\n");
	put_file(&fx, "modules",
		 "mymod 16384 0 - Live 0xffffffffc0001000\n");
	snprintf(path, sizeof(path), "%s/kallsyms", fx.dir);
	ck_assert_int_eq(symcache__set_kallsyms_path(fx.sc, path), 0);
	snprintf(path, sizeof(path), "%s/modules", fx.dir);
	ck_assert_int_eq(symcache__set_modules_path(fx.sc, path), 0);
	ck_assert_int_eq(symcache__set_kernel_notes_path(fx.sc,
							 "/nonexistent"), 0);
	ck_assert_str_eq(name_at(&fx, PID, true, false,
				 0xffffffff81001010ULL, 1),
			 "do_thing_[k]");
	assert_named(0, FRAME_KERNEL, "do_thing", "[kernel.kallsyms]",
		     0xffffffff81001010ULL);
	ck_assert_str_eq(name_at(&fx, PID, true, false,
				 0xffffffffc0001004ULL, 1),
			 "mod_fn_[k]");
	assert_named(1, FRAME_KERNEL, "mod_fn", "[mymod]",
		     0xffffffffc0001004ULL);
	/* kernel addresses are cached by address alone */
	ck_assert_str_eq(name_at(&fx, 1, true, false, 0xffffffff81001010ULL,
				 1), "do_thing_[k]");
	ck_assert_int_eq(nr_named, 2);
	ck_assert_uint_eq(nr_unknown(&fx), 0);
	teardown(&fx);
}
END_TEST

START_TEST(test_kernel_unreadable)
{
	struct fixture fx;

	setup(&fx);
	ck_assert_int_eq(symcache__set_kallsyms_path(fx.sc, "/nonexistent"),
			 0);
	ck_assert_int_eq(symcache__set_kernel_notes_path(fx.sc,
							 "/nonexistent"), 0);
	ck_assert_str_eq(name_at(&fx, PID, true, false,
				 0xffffffff81001010ULL, 1),
			 "[[kernel.kallsyms]]");
	assert_named(0, FRAME_KERNEL, "[unknown]", "[kernel.kallsyms]",
		     0xffffffff81001010ULL);
	ck_assert_uint_eq(nr_unknown(&fx), 1);
	teardown(&fx);
}
END_TEST

/* ---- inline frames ---- */

/* An address of fx_outer in fx_inl where fx_leaf is inlined into fx_mid
 * inlined into it, found with inlines.h over the file's DWARF. */
static uint64_t chain_addr(const char *path)
{
	const char *names[16];
	uint64_t a = sym_addr(path, "fx_outer");
	struct inlines *il;
	Dwarf *dw;
	int fd = open(path, O_RDONLY), i;

	ck_assert_int_ge(fd, 0);
	dw = dwarf_begin(fd, DWARF_C_READ);
	ck_assert_ptr_nonnull(dw);
	il = inlines__new(dw);
	for (i = 0; i < 4096; i++, a++)
		if (inlines__lookup(il, a, names, 16) == 3 &&
		    !strcmp(names[0], "fx_leaf") && !strcmp(names[1], "fx_mid"))
			break;
	inlines__free(il);
	dwarf_end(dw);
	close(fd);
	ck_assert_int_lt(i, 4096);
	return a;
}

START_TEST(test_inline_frames)
{
	struct folder_opts o = {.names.annotate_inline = true};
	struct fixture fx;
	const char *path = fx_path("fx_inl");
	uint64_t a = chain_addr(path), off;
	const uint32_t *ids;

	setup_opts(&fx, &o);
	off = map_segment(fx.s, PID, path, a);
	ck_assert_str_eq(name_at(&fx, PID, false, true, BASE + a, 3),
			 "fx_outer;fx_mid_[i];fx_leaf_[i]");
	ck_assert_int_eq(nr_named, 3);
	assert_named(0, FRAME_NATIVE, "fx_outer", path, off);
	assert_named(1, FRAME_INLINED, "fx_mid", "", off);
	assert_named(2, FRAME_INLINED, "fx_leaf", "", off);
	/* without inline frames: another cache entry */
	ck_assert_str_eq(name_at(&fx, PID, false, false, BASE + a, 1),
			 "fx_outer");
	ck_assert_int_eq(nr_named, 4);
	/* both cached */
	ck_assert_int_eq(symbolize__frame(fx.sy, PID, false, true, BASE + a,
					  &ids), 3);
	ck_assert_int_eq(symbolize__frame(fx.sy, PID, false, false, BASE + a,
					  &ids), 1);
	ck_assert_int_eq(nr_named, 4);
	ck_assert_uint_eq(nr_unknown(&fx), 0);
	teardown(&fx);
}
END_TEST

/* A Java process's names are tidied: its frames are another cache entry. */
START_TEST(test_java_cache_key)
{
	struct fixture fx;
	const char *path = fx_path("fx_pie");
	uint64_t a = sym_addr(path, "fx_alpha");
	const uint32_t *ids;

	setup(&fx);
	map_segment(fx.s, PID, path, a);
	ck_assert_int_eq(symbolize__frame(fx.sy, PID, false, false, BASE + a,
					  &ids), 1);
	ck_assert_int_eq(nr_named, 1);
	begin(&fx, "java");
	ck_assert_int_eq(symbolize__frame(fx.sy, PID, false, false, BASE + a,
					  &ids), 1);
	ck_assert_int_eq(nr_named, 2);
	ck_assert_int_eq(symbolize__frame(fx.sy, PID, false, false, BASE + a,
					  &ids), 1);
	ck_assert_int_eq(nr_named, 2);
	ck_assert_int_eq(folder__end(fx.f), 0);
	teardown(&fx);
}
END_TEST

START_TEST(test_stop_frame)
{
	struct fixture fx;
	uint32_t id = UINT32_MAX;

	setup(&fx);
	ck_assert_int_eq(symbolize__stop_frame(
				 fx.sy, unwind__stop_str(UNWIND_STACK_END), &id),
			 0);
	ck_assert_str_eq(text_of(&fx, &id, 1),
			 "[unwind stopped: stack copy too small]");
	assert_named(0, FRAME_NATIVE, "[unwind stopped: stack copy too small]",
		     "", 0);
	ck_assert_int_eq(symbolize__stop_frame(
				 fx.sy, unwind__stop_str(UNWIND_TRAMPOLINE), &id),
			 0);
	ck_assert_str_eq(text_of(&fx, &id, 1),
			 "[unwind stopped: unknown CPython trampoline]");
	ck_assert_uint_eq(nr_unknown(&fx), 0);
	teardown(&fx);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("symbolize");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_file_function);
	tcase_add_test(tc, test_file_no_symbol);
	tcase_add_test(tc, test_interpreter);
	tcase_add_test(tc, test_no_mapping);
	tcase_add_test(tc, test_anon_named);
	tcase_add_test(tc, test_map);
	tcase_add_test(tc, test_perf_map_python);
	tcase_add_test(tc, test_perf_map_no_python_view);
	tcase_add_test(tc, test_python_stack_folded);
	tcase_add_test(tc, test_jitdump);
	tcase_add_test(tc, test_kernel);
	tcase_add_test(tc, test_kernel_unreadable);
	tcase_add_test(tc, test_inline_frames);
	tcase_add_test(tc, test_java_cache_key);
	tcase_add_test(tc, test_stop_frame);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
