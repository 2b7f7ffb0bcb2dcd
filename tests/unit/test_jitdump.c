/* Unit tests for common/jitdump: dumps built here record by record, and
 * the real one CPython 3.13.0 -X perf_jit wrote
 * (tests/data/py313-fib.jit.dump), whole and truncated. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jitdump.h"

/* A growing byte buffer to build dumps in. */
struct buf {
	uint8_t data[8192];
	size_t len;
};

static void put(struct buf *b, const void *p, size_t n)
{
	ck_assert_uint_le(b->len + n, sizeof(b->data));
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void put32(struct buf *b, uint32_t v)
{
	put(b, &v, 4);
}

static void put64(struct buf *b, uint64_t v)
{
	put(b, &v, 8);
}

static void header(struct buf *b, uint32_t magic)
{
	put32(b, magic);
	put32(b, 1);		/* version */
	put32(b, 40);		/* total_size */
	put32(b, 0);		/* elf_mach: 0, as CPython 3.13.0 writes */
	put32(b, 0x1a1a1a1a);	/* pad1: junk, as CPython 3.13.0 writes */
	put32(b, 777);		/* pid */
	put64(b, 12345);	/* timestamp */
	put64(b, 0);		/* flags */
}

static void record(struct buf *b, uint32_t id, uint64_t ts,
		   const void *payload, size_t n)
{
	put32(b, id);
	put32(b, (uint32_t)(16 + n));
	put64(b, ts);
	put(b, payload, n);
}

static void code_load(struct buf *b, uint64_t ts, uint64_t addr,
		      uint64_t size, uint64_t index, const char *name)
{
	struct buf p = { .len = 0 };
	static const uint8_t code[64];

	put32(&p, 777);
	put32(&p, 778);
	put64(&p, addr);	/* vma */
	put64(&p, addr);	/* code_addr */
	put64(&p, size);
	put64(&p, index);
	put(&p, name, strlen(name) + 1);
	put(&p, code, size < sizeof(code) ? size : sizeof(code));
	record(b, 0, ts, p.data, p.len);
}

static char *write_tmp(const void *data, size_t len)
{
	static char path[64];
	int fd;

	strcpy(path, "/tmp/perffold-jitdump-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
	return path;
}

struct captured {
	char last[1024];
	int nr;
};

static void capture(void *ctx, enum diag_level level, const char *msg)
{
	struct captured *c = ctx;

	(void)level;
	snprintf(c->last, sizeof(c->last), "%s", msg);
	c->nr++;
}

static struct jitdump *open_buf(const struct buf *b, struct captured *c)
{
	struct diag d = { .emit = capture, .ctx = c };
	char *path = write_tmp(b->data, b->len);
	struct jitdump *jd = jitdump__open(path, false, &d);

	unlink(path);
	return jd;
}

START_TEST(test_records)
{
	struct buf b = { .len = 0 }, p = { .len = 0 };
	struct captured c = { .nr = 0 };
	const struct jitdump_code *code;
	struct jitdump *jd;
	uint64_t off;
	static const uint8_t unwind[24] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
					    11, 12, 13, 14, 15, 16, 17, 18,
					    19, 20, 21, 22, 23, 24 };

	header(&b, 0x4A695444);
	/* UNWINDING_INFO: 16 bytes of eh_frame, then an 8-byte hdr. */
	put64(&p, sizeof(unwind));
	put64(&p, 8);
	put64(&p, 32);
	put(&p, unwind, sizeof(unwind));
	record(&b, 4, 1, p.data, p.len);
	code_load(&b, 2, 0x10000, 0x20, 1, "py::a:x.py");
	code_load(&b, 3, 0x10100, 0x20, 2, "py::b:x.py");
	record(&b, 2, 4, "debuginfo-ignored", 17);
	/* CODE_MOVE of index 1 to 0x20000. */
	p.len = 0;
	put32(&p, 777);
	put32(&p, 778);
	put64(&p, 0x20000);
	put64(&p, 0x10000);
	put64(&p, 0x20000);
	put64(&p, 0x30);
	put64(&p, 1);
	record(&b, 1, 5, p.data, p.len);
	/* A later load at b's address replaces it. */
	code_load(&b, 6, 0x10100, 0x10, 3, "py::c:x.py");
	record(&b, 99, 7, "??", 2);
	record(&b, 3, 8, NULL, 0);	/* CODE_CLOSE: nothing after counts */
	code_load(&b, 9, 0x30000, 0x10, 4, "after_close");

	jd = open_buf(&b, &c);
	ck_assert_ptr_nonnull(jd);
	ck_assert_int_eq(c.nr, 0);
	ck_assert_uint_eq(jitdump__pid(jd), 777);
	ck_assert_uint_eq(jitdump__count(jd), 3);
	ck_assert_uint_eq(jitdump__nr_skipped(jd), 2);
	ck_assert(!jitdump__is_truncated(jd, NULL));

	code = jitdump__at(jd, 0);
	ck_assert_str_eq(code->name, "py::a:x.py");
	ck_assert_uint_eq(code->start, 0x20000);
	ck_assert_uint_eq(code->size, 0x30);
	ck_assert_uint_eq(code->timestamp, 2);
	ck_assert_uint_eq(code->pid, 777);
	ck_assert_uint_eq(code->tid, 778);
	ck_assert_uint_eq(code->eh_frame_len, 16);
	ck_assert_uint_eq(code->eh_frame[0], 1);
	ck_assert_uint_eq(code->eh_frame_hdr_len, 8);
	ck_assert_uint_eq(code->eh_frame_hdr[0], 17);
	ck_assert_uint_eq(code->unwind_mapped_size, 32);
	/* Unwinding info applies to the next load only. */
	ck_assert_ptr_null(jitdump__at(jd, 1)->eh_frame);

	ck_assert_ptr_null(jitdump__lookup(jd, 0x10005, NULL));
	ck_assert_str_eq(jitdump__lookup(jd, 0x2002f, &off)->name,
			 "py::a:x.py");
	ck_assert_uint_eq(off, 0x2f);
	ck_assert_ptr_null(jitdump__lookup(jd, 0x20030, NULL));
	ck_assert_str_eq(jitdump__lookup(jd, 0x10105, NULL)->name,
			 "py::c:x.py");
	ck_assert_ptr_null(jitdump__lookup(jd, 0x10115, NULL));
	ck_assert_ptr_null(jitdump__lookup(jd, 0x30000, NULL));
	jitdump__free(jd);
}
END_TEST

START_TEST(test_bad_headers)
{
	struct buf b = { .len = 0 };
	struct captured c = { .nr = 0 };

	header(&b, 0x4454694A);
	errno = 0;
	ck_assert_ptr_null(open_buf(&b, &c));
	ck_assert_int_eq(errno, EPROTO);
	ck_assert_ptr_nonnull(strstr(c.last, "other byte order"));

	b.len = 0;
	header(&b, 0x12345678);
	errno = 0;
	ck_assert_ptr_null(open_buf(&b, &c));
	ck_assert_int_eq(errno, EPROTO);
	ck_assert_ptr_nonnull(strstr(c.last, "not a jitdump"));

	b.len = 20;
	errno = 0;
	ck_assert_ptr_null(open_buf(&b, &c));
	ck_assert_int_eq(errno, EPROTO);

	/* A header size past the end of the file. */
	b.len = 0;
	header(&b, 0x4A695444);
	memcpy(b.data + 8, &(uint32_t){ 4096 }, 4);
	ck_assert_ptr_null(open_buf(&b, &c));
	ck_assert_ptr_nonnull(strstr(c.last, "header size"));

	errno = 0;
	ck_assert_ptr_null(jitdump__open("/nonexistent/jit-1.dump", false, NULL));
	ck_assert_int_eq(errno, ENOENT);
	jitdump__free(NULL);
}
END_TEST

START_TEST(test_zero_size_record)
{
	struct buf b = { .len = 0 };
	struct captured c = { .nr = 0 };
	struct jitdump *jd;

	header(&b, 0x4A695444);
	code_load(&b, 1, 0x1000, 0x10, 1, "kept");
	put32(&b, 0);
	put32(&b, 0);		/* total_size 0: cannot advance */
	put64(&b, 0);
	code_load(&b, 1, 0x2000, 0x10, 2, "not reached");
	jd = open_buf(&b, &c);
	ck_assert_ptr_nonnull(jd);
	ck_assert_uint_eq(jitdump__count(jd), 1);
	ck_assert_int_eq(c.nr, 1);
	ck_assert_ptr_nonnull(strstr(c.last, "offset 0x"));
	jitdump__free(jd);
}
END_TEST

static uint8_t *read_fixture(size_t *len)
{
	char path[4096];
	static uint8_t data[1 << 20];
	FILE *f;

	snprintf(path, sizeof(path), "%s/py313-fib.jit.dump",
		 getenv("PERFFOLD_TEST_DATA"));
	f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	*len = fread(data, 1, sizeof(data), f);
	fclose(f);
	return data;
}

START_TEST(test_real_cpython313)
{
	size_t len;
	uint8_t *data = read_fixture(&len);
	struct captured c = { .nr = 0 };
	struct diag d = { .emit = capture, .ctx = &c };
	char *path = write_tmp(data, len);
	struct jitdump *jd = jitdump__open(path, false, &d);
	const struct jitdump_code *code;
	size_t i;
	uint64_t off;

	unlink(path);
	ck_assert_ptr_nonnull(jd);
	ck_assert_int_eq(c.nr, 0);
	ck_assert_uint_eq(jitdump__pid(jd), 30484);
	ck_assert_uint_eq(jitdump__count(jd), 211);
	ck_assert_uint_eq(jitdump__nr_skipped(jd), 0);
	for (i = 0; i < jitdump__count(jd); i++) {
		code = jitdump__at(jd, i);
		ck_assert_uint_eq(code->index, i + 1);
		ck_assert_uint_eq(code->size, 11);
		ck_assert_int_eq(strncmp(code->name, "py::", 4), 0);
		/* Every load comes with its eh_frame (a CIE, then an FDE)
		 * and a version 1 eh_frame_hdr. */
		ck_assert_uint_eq(code->eh_frame_len, 48);
		ck_assert_uint_eq(code->eh_frame[4], 0);
		ck_assert_uint_eq(code->eh_frame[8], 1);
		ck_assert_uint_eq(code->eh_frame_hdr_len, 20);
		ck_assert_uint_eq(code->eh_frame_hdr[0], 1);
		ck_assert_uint_eq(code->unwind_mapped_size, 80);
	}
	code = jitdump__lookup(jd, 0x7f0ab1ffdf20ULL + 5, &off);
	ck_assert_ptr_nonnull(code);
	ck_assert_str_eq(code->name, "py::fib:/tmp/symx/fib.py");
	ck_assert_uint_eq(off, 5);
	/* 3.13 pads trampolines to 0x110: the gap after the code is no
	 * one's. */
	ck_assert_ptr_null(jitdump__lookup(jd, 0x7f0ab1ffdf20ULL + 11, NULL));
	jitdump__free(jd);
}
END_TEST

/* The record boundaries of the fixture, found independently. */
static size_t boundaries(const uint8_t *data, size_t len, size_t *out,
			 size_t *nr_loads_before)
{
	size_t off = 40, n = 0, loads = 0;

	while (off + 16 <= len) {
		uint32_t id, size;

		memcpy(&id, data + off, 4);
		memcpy(&size, data + off + 4, 4);
		out[n] = off;
		nr_loads_before[n] = loads;
		n++;
		loads += id == 0;
		off += size;
	}
	out[n] = off;
	nr_loads_before[n] = loads;
	return n + 1;
}

START_TEST(test_truncated)
{
	static size_t bounds[1024], loads[1024];
	size_t len, n, i, k;
	uint8_t *data = read_fixture(&len);

	n = boundaries(data, len, bounds, loads);
	ck_assert_uint_eq(bounds[n - 1], len);
	/* Cut inside the header, at and inside many records. */
	for (k = 0; k < 40; k += 13) {
		char *path = write_tmp(data, k);

		errno = 0;
		ck_assert_ptr_null(jitdump__open(path, false, NULL));
		ck_assert_int_eq(errno, EPROTO);
		unlink(path);
	}
	for (i = 0; i + 1 < n; i += 7) {
		size_t cuts[] = { bounds[i], bounds[i] + 1, bounds[i] + 15,
				  bounds[i] + 16, bounds[i + 1] - 1 };

		for (k = 0; k < sizeof(cuts) / sizeof(cuts[0]); k++) {
			char *path = write_tmp(data, cuts[k]);
			struct jitdump *jd = jitdump__open(path, false, NULL);
			uint64_t at = 0;
			bool at_boundary = cuts[k] == bounds[i];

			unlink(path);
			ck_assert_ptr_nonnull(jd);
			ck_assert_uint_eq(jitdump__count(jd), loads[i]);
			ck_assert(jitdump__is_truncated(jd, &at) ==
				  !at_boundary);
			if (!at_boundary)
				ck_assert_uint_eq(at, bounds[i]);
			jitdump__free(jd);
		}
	}
}
END_TEST

/* A dump that grows between reads, as CPython 3.13's does while
 * perf2folded reads a live recording: cut inside a record, read, then the
 * rest appended in two steps and read by jitdump__update(), from the cut
 * record on. The dump read so ends as the whole one read at once, and
 * the unfinished record is not reported as truncated. */
START_TEST(test_update_growing)
{
	static size_t bounds[1024], loads[1024];
	struct captured c = { .nr = 0 };
	struct diag d = { .emit = capture, .ctx = &c };
	size_t len, n, i, k;
	uint8_t *data = read_fixture(&len);
	struct jitdump *whole, *jd_cut;
	uint64_t at = 0;
	char *path = write_tmp(data, len);

	whole = jitdump__open(path, false, NULL);
	unlink(path);
	ck_assert_ptr_nonnull(whole);
	n = boundaries(data, len, bounds, loads);
	for (i = 1; i + 1 < n; i += 11) {
		size_t cut = bounds[i] + 20, mid = (cut + len) / 2;
		struct jitdump *jd;
		FILE *f;

		path = write_tmp(data, cut);
		jd = jitdump__open_growing(path, false, &d);
		ck_assert_ptr_nonnull(jd);
		ck_assert_uint_eq(jitdump__count(jd), loads[i]);
		f = fopen(path, "a");
		ck_assert_ptr_nonnull(f);
		ck_assert_uint_eq(fwrite(data + cut, 1, mid - cut, f),
				  mid - cut);
		fflush(f);
		ck_assert_int_ge(jitdump__update(jd, &d), 0);
		ck_assert_uint_eq(fwrite(data + mid, 1, len - mid, f),
				  len - mid);
		fclose(f);
		ck_assert_int_ge(jitdump__update(jd, &d), 0);
		ck_assert_uint_eq(jitdump__count(jd), jitdump__count(whole));
		ck_assert(!jitdump__is_truncated(jd, NULL));
		for (k = 0; k < jitdump__count(whole); k++) {
			const struct jitdump_code *a = jitdump__at(whole, k);
			const struct jitdump_code *b = jitdump__at(jd, k);

			ck_assert_str_eq(a->name, b->name);
			ck_assert_uint_eq(a->start, b->start);
			ck_assert_uint_eq(a->eh_frame_len, b->eh_frame_len);
			if (a->eh_frame_len)
				ck_assert(!memcmp(a->eh_frame, b->eh_frame,
						  a->eh_frame_len));
			ck_assert_str_eq(jitdump__lookup(jd, a->start, NULL)->name,
					 jitdump__lookup(whole, a->start,
							 NULL)->name);
		}
		unlink(path);
		jitdump__free(jd);
	}
	ck_assert_int_eq(c.nr, 0);

	/* a dump that stopped growing amid a record: not reported (its
	 * writer may be buffering the rest), and known as truncated */
	path = write_tmp(data, bounds[3] + 20);
	jd_cut = jitdump__open_growing(path, false, &d);
	ck_assert_ptr_nonnull(jd_cut);
	ck_assert_int_eq(jitdump__update(jd_cut, &d), 0);
	ck_assert_int_eq(c.nr, 0);
	ck_assert(jitdump__is_truncated(jd_cut, &at));
	ck_assert_uint_eq(at, bounds[3]);
	ck_assert_uint_eq(jitdump__count(jd_cut), loads[3]);
	unlink(path);
	jitdump__free(jd_cut);
	jitdump__free(whole);
}
END_TEST

/* Corrupt bytes anywhere (fixed seed): a result or an error, never a
 * crash or a sanitizer report. */
START_TEST(test_corrupted)
{
	size_t len, i;
	uint8_t *data = read_fixture(&len);
	static uint8_t copy[1 << 20];
	unsigned int seed = 12345;

	for (i = 0; i < 300; i++) {
		size_t n = 1 + rand_r(&seed) % 8, k, cut;
		struct jitdump *jd;
		char *path;

		memcpy(copy, data, len);
		for (k = 0; k < n; k++)
			copy[(size_t)rand_r(&seed) % len] = (uint8_t)rand_r(&seed);
		if (i % 3 == 0)	/* keep the magic sometimes broken, mostly not */
			memcpy(copy, data, 40);
		cut = i % 2 ? len : (size_t)rand_r(&seed) % len;
		path = write_tmp(copy, cut);
		jd = jitdump__open(path, false, NULL);
		unlink(path);
		if (jd) {
			for (k = 0; k < jitdump__count(jd); k++) {
				const struct jitdump_code *c = jitdump__at(jd, k);

				ck_assert_ptr_nonnull(c->name);
				jitdump__lookup(jd, c->start, NULL);
			}
			jitdump__free(jd);
		}
	}
}
END_TEST

static Suite *jitdump_suite(void)
{
	Suite *s = suite_create("jitdump");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_records);
	tcase_add_test(tc, test_bad_headers);
	tcase_add_test(tc, test_zero_size_record);
	tcase_add_test(tc, test_real_cpython313);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_update_growing);
	tcase_add_test(tc, test_corrupted);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(jitdump_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
