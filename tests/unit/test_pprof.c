/* Unit tests for common/pprof: the sink fixture encoded, then decoded
 * here by a reader of the wire format written from its rules (not by
 * pbuf), and the gzipped file inflated back. */
#include <check.h>
#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intern.h"
#include "pbuf.h"
#include "pprof.h"
#include "sinkfx.h"

struct field {
	uint32_t num;
	unsigned int wire;
	uint64_t v;		/* varint */
	const uint8_t *p;	/* length-delimited */
	size_t len;
};

static uint64_t varint(const uint8_t **p, const uint8_t *end)
{
	uint64_t v = 0;
	unsigned int shift = 0;

	for (;;) {
		ck_assert(*p < end);
		v |= (uint64_t)(**p & 0x7f) << shift;
		shift += 7;
		if (!(*(*p)++ & 0x80))
			return v;
		ck_assert_uint_lt(shift, 64);
	}
}

/* The fields of message p[0..len) numbered num, in order, into out. */
static size_t fields(const uint8_t *p, size_t len, uint32_t num,
		     struct field *out, size_t cap)
{
	const uint8_t *end = p + len;
	size_t n = 0;

	while (p < end) {
		uint64_t key = varint(&p, end);
		struct field f = {.num = (uint32_t)(key >> 3),
				  .wire = key & 7};

		if (f.wire == 0) {
			f.v = varint(&p, end);
		} else {
			ck_assert_uint_eq(f.wire, 2);
			f.len = varint(&p, end);
			ck_assert_uint_le(f.len, (size_t)(end - p));
			f.p = p;
			p += f.len;
		}
		if (f.num == num) {
			ck_assert_uint_lt(n, cap);
			out[n++] = f;
		}
	}
	return n;
}

/* The one varint field num of a message (0 when absent, as proto3). */
static uint64_t uint_of(const struct field *m, uint32_t num)
{
	struct field f[4];
	size_t n = fields(m->p, m->len, num, f, 4);

	ck_assert_uint_le(n, 1);
	return n ? f[0].v : 0;
}

/* The packed varints of field num into v. */
static size_t packed_of(const struct field *m, uint32_t num, uint64_t *v,
			size_t cap)
{
	struct field f[2];
	const uint8_t *p;
	size_t n = 0;

	if (!fields(m->p, m->len, num, f, 2))
		return 0;
	for (p = f[0].p; p < f[0].p + f[0].len;) {
		ck_assert_uint_lt(n, cap);
		v[n++] = varint(&p, f[0].p + f[0].len);
	}
	return n;
}

struct decoded {
	struct pbuf msg;
	struct field top[256];
	char *strings[64];
	size_t nr_strings;
};

static void decode(struct decoded *d, const struct pprof_opts *o)
{
	struct folder *f;
	struct profile *p;
	struct field s[64];
	size_t i;

	sinkfx__build(&f, &p, false, FOLDER_PYTHON_OFF);
	memset(d, 0, sizeof(*d));
	ck_assert_int_eq(pprof__encode(p, folder__names(f), o, &d->msg), 0);
	d->nr_strings = fields(d->msg.data, d->msg.len, 6, s, 64);
	for (i = 0; i < d->nr_strings; i++)
		d->strings[i] = strndup((const char *)s[i].p, s[i].len);
	folder__free(f);
	profile__free(p);
}

static const char *str_of(const struct decoded *d, uint64_t i)
{
	ck_assert_uint_lt(i, d->nr_strings);
	return d->strings[i];
}

static void release(struct decoded *d)
{
	size_t i;

	for (i = 0; i < d->nr_strings; i++)
		free(d->strings[i]);
	pbuf__release(&d->msg);
}

/* Field num of the top-level message, each. */
static size_t top(struct decoded *d, uint32_t num, struct field **out)
{
	size_t n = fields(d->msg.data, d->msg.len, num, d->top, 256);

	*out = d->top;
	return n;
}

START_TEST(test_types_time_strings)
{
	const struct pprof_opts o = {"cpu", "nanoseconds", 1700000000000000000};
	struct decoded d;
	struct field *f;

	decode(&d, &o);
	ck_assert_str_eq(str_of(&d, 0), "");
	ck_assert_uint_eq(top(&d, 1, &f), 2);
	ck_assert_str_eq(str_of(&d, uint_of(&f[0], 1)), "samples");
	ck_assert_str_eq(str_of(&d, uint_of(&f[0], 2)), "count");
	ck_assert_str_eq(str_of(&d, uint_of(&f[1], 1)), "cpu");
	ck_assert_str_eq(str_of(&d, uint_of(&f[1], 2)), "nanoseconds");
	ck_assert_uint_eq(top(&d, 9, &f), 1);
	ck_assert_uint_eq(f[0].v, 1700000000000000000);
	ck_assert_uint_eq(top(&d, 10, &f), 1);
	ck_assert_uint_eq(f[0].v, 3000);	/* first to last sample */
	ck_assert_uint_eq(top(&d, 12, &f), 1);
	ck_assert_uint_eq(f[0].v, 4);		/* 17 ns in 4 samples */
	ck_assert_uint_eq(top(&d, 11, &f), 1);
	ck_assert_str_eq(str_of(&d, uint_of(&f[0], 1)), "cpu");
	/* each string once */
	for (size_t i = 0; i < d.nr_strings; i++)
		for (size_t k = i + 1; k < d.nr_strings; k++)
			ck_assert_str_ne(d.strings[i], d.strings[k]);
	release(&d);
}
END_TEST

/* The label key of sample s: its str (string) or num. */
static void label(struct decoded *d, const struct field *s, const char *key,
		  const char *str, uint64_t num)
{
	struct field l[8];
	size_t n = fields(s->p, s->len, 3, l, 8), i;

	ck_assert_uint_eq(n, 4);
	for (i = 0; i < n; i++) {
		if (strcmp(str_of(d, uint_of(&l[i], 1)), key))
			continue;
		if (str)
			ck_assert_str_eq(str_of(d, uint_of(&l[i], 2)), str);
		else
			ck_assert_uint_eq(uint_of(&l[i], 3), num);
		return;
	}
	ck_abort_msg("no label %s", key);
}

START_TEST(test_samples_leaf_first_with_labels)
{
	const struct pprof_opts o = {"cpu", "nanoseconds", 0};
	struct decoded d;
	struct field *f;
	uint64_t v[8];

	decode(&d, &o);
	ck_assert_uint_eq(top(&d, 9, &f), 0);	/* no time: left out */
	ck_assert_uint_eq(top(&d, 2, &f), 3);
	/* main -> outer(+inner): locations 2 and 1 (made leaf first),
	 * leaf first */
	ck_assert_uint_eq(packed_of(&f[0], 1, v, 8), 2);
	ck_assert_uint_eq(v[0], 1);
	ck_assert_uint_eq(v[1], 2);
	ck_assert_uint_eq(packed_of(&f[0], 2, v, 8), 2);
	ck_assert_uint_eq(v[0], 2);	/* samples */
	ck_assert_uint_eq(v[1], 8);	/* ns */
	label(&d, &f[0], "pid", NULL, 10);
	label(&d, &f[0], "tid", NULL, 10);
	label(&d, &f[0], "comm", "app", 0);
	label(&d, &f[0], "thread_name", "app", 0);
	/* the worker thread: the process is app's */
	ck_assert_uint_eq(packed_of(&f[1], 1, v, 8), 2);
	ck_assert_uint_eq(v[0], 3);	/* schedule, the leaf */
	ck_assert_uint_eq(v[1], 4);	/* f */
	label(&d, &f[1], "tid", NULL, 11);
	label(&d, &f[1], "comm", "app", 0);
	label(&d, &f[1], "thread_name", "worker", 0);
	release(&d);
}
END_TEST

/* The name of function id (and its file in *file). */
static const char *function(struct decoded *d, uint64_t id,
			    const char **file)
{
	struct field fn[16];
	size_t n = fields(d->msg.data, d->msg.len, 5, fn, 16), i;

	for (i = 0; i < n; i++)
		if (uint_of(&fn[i], 1) == id) {
			*file = str_of(d, uint_of(&fn[i], 4));
			return str_of(d, uint_of(&fn[i], 2));
		}
	ck_abort_msg("no function %llu", (unsigned long long)id);
	return NULL;
}

START_TEST(test_locations_mappings_functions)
{
	const struct pprof_opts o = {"cpu", "nanoseconds", 0};
	struct decoded d;
	struct field *f, lines[4];
	const char *file;

	decode(&d, &o);
	ck_assert_uint_eq(top(&d, 3, &f), 1);
	ck_assert_uint_eq(uint_of(&f[0], 1), 1);
	ck_assert_uint_eq(uint_of(&f[0], 2), 0x1000);
	ck_assert_uint_eq(uint_of(&f[0], 3), 0x2000);
	ck_assert_uint_eq(uint_of(&f[0], 4), 0);
	ck_assert_str_eq(str_of(&d, uint_of(&f[0], 5)), "/bin/app");
	ck_assert_str_eq(str_of(&d, uint_of(&f[0], 6)),
			 "abababababababababababababababababababab");
	ck_assert_uint_eq(uint_of(&f[0], 7), 1);	/* has_functions */
	ck_assert_uint_eq(top(&d, 4, &f), 4);
	ck_assert_uint_eq(uint_of(&f[1], 3), 0x1010);	/* main */
	/* outer with inner inlined: inner's line first */
	ck_assert_uint_eq(uint_of(&f[0], 1), 1);
	ck_assert_uint_eq(uint_of(&f[0], 2), 1);
	ck_assert_uint_eq(uint_of(&f[0], 3), 0x1020);
	ck_assert_uint_eq(fields(f[0].p, f[0].len, 4, lines, 4), 2);
	ck_assert_str_eq(function(&d, uint_of(&lines[0], 1), &file), "inner");
	ck_assert_str_eq(function(&d, uint_of(&lines[1], 1), &file), "outer");
	/* the kernel's and the JIT's: no mapping; a Python function's file */
	ck_assert_uint_eq(uint_of(&f[2], 2), 0);
	ck_assert_uint_eq(uint_of(&f[2], 3), 0xffffffff81000000ull);
	ck_assert_uint_eq(fields(f[3].p, f[3].len, 4, lines, 4), 1);
	ck_assert_str_eq(function(&d, uint_of(&lines[0], 1), &file),
			 "py::f:/x/f.py");
	ck_assert_str_eq(file, "/x/f.py");
	release(&d);
}
END_TEST

START_TEST(test_gzip_inflates_to_the_message)
{
	const struct pprof_opts o = {"cpu", "nanoseconds", 5};
	struct libdeflate_decompressor *dc = libdeflate_alloc_decompressor();
	struct folder *f;
	struct profile *p;
	struct pbuf msg = {0};
	char *buf = NULL;
	size_t len = 0, out_len;
	FILE *out = open_memstream(&buf, &len);
	void *raw;

	sinkfx__build(&f, &p, false, FOLDER_PYTHON_OFF);
	ck_assert_int_eq(pprof__write(p, folder__names(f), &o, out), 0);
	fclose(out);
	ck_assert_int_eq(pprof__encode(p, folder__names(f), &o, &msg), 0);
	ck_assert_uint_eq((unsigned char)buf[0], 0x1f);	/* gzip's magic */
	ck_assert_uint_eq((unsigned char)buf[1], 0x8b);
	raw = malloc(msg.len);
	ck_assert_int_eq(libdeflate_gzip_decompress(dc, buf, len, raw, msg.len,
						    &out_len),
			 LIBDEFLATE_SUCCESS);
	ck_assert_uint_eq(out_len, msg.len);
	ck_assert_mem_eq(raw, msg.data, msg.len);
	free(raw);
	free(buf);
	pbuf__release(&msg);
	libdeflate_free_decompressor(dc);
	folder__free(f);
	profile__free(p);
}
END_TEST

/* The folded text f writes, NUL-terminated; the caller frees it. */
static char *folded_text(struct folder *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	ck_assert_int_eq(folder__write(f, out), 0);
	fclose(out);
	return buf;
}

/* A folder made with folder__new_both() gives, from one pass, the
 * profile a sink folder gives (the same message, byte for byte) and the
 * folded stacks a plain folder gives. */
START_TEST(test_both_is_sink_and_stacks)
{
	const struct pprof_opts o = {"cpu", "nanoseconds", 5};
	const struct folder_opts fo = {.python = FOLDER_PYTHON_FOLD};
	struct pbuf one = {0}, both_msg = {0};
	struct folder *f, *plain, *both;
	struct profile *p, *both_p = profile__new(true);
	struct folder_stats st, both_st;
	struct folder_sink sink;
	char *text, *both_text;

	sinkfx__build(&f, &p, true, FOLDER_PYTHON_FOLD);
	plain = folder__new(&fo);
	sinkfx__feed(plain);
	profile__sink(both_p, &sink);
	both = folder__new_both(&fo, &sink);
	ck_assert_ptr_nonnull(both);
	sinkfx__feed(both);
	ck_assert_int_eq(profile__finish(both_p), 0);

	ck_assert_int_eq(pprof__encode(p, folder__names(f), &o, &one), 0);
	ck_assert_int_eq(pprof__encode(both_p, folder__names(both), &o,
				       &both_msg), 0);
	ck_assert_uint_eq(both_msg.len, one.len);
	ck_assert_mem_eq(both_msg.data, one.data, one.len);
	text = folded_text(plain);
	both_text = folded_text(both);
	ck_assert_str_eq(both_text, text);
	ck_assert_str_eq(text, "app;main 2\n"
			       "app;main;outer;inner 8\n"
			       "worker;f (/x/f.py);schedule 7\n");
	folder__stats(plain, &st);
	folder__stats(both, &both_st);
	ck_assert_uint_eq(both_st.nr_accepted, st.nr_accepted);
	ck_assert_uint_eq(both_st.total_weight, 17);
	ck_assert_uint_eq(both_st.nr_stacks, st.nr_stacks);
	free(text);
	free(both_text);
	pbuf__release(&one);
	pbuf__release(&both_msg);
	folder__free(f);
	folder__free(plain);
	folder__free(both);
	profile__free(p);
	profile__free(both_p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pprof");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int nr_failed;

	tcase_add_test(tc, test_types_time_strings);
	tcase_add_test(tc, test_samples_leaf_first_with_labels);
	tcase_add_test(tc, test_locations_mappings_functions);
	tcase_add_test(tc, test_gzip_inflates_to_the_message);
	tcase_add_test(tc, test_both_is_sink_and_stacks);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nr_failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nr_failed ? 1 : 0;
}
