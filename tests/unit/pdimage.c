/* pdimage: perf.data images built in code (see pdimage.h). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "pdimage.h"

void put(struct buf *b, const void *data, size_t len)
{
	if (b->len + len > b->cap) {
		b->cap = (b->len + len) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		ck_assert_ptr_nonnull(b->p);
	}
	if (data)
		memcpy(b->p + b->len, data, len);
	else
		memset(b->p + b->len, 0, len);
	b->len += len;
}

void put64(struct buf *b, uint64_t v)
{
	put(b, &v, 8);
}

void put32(struct buf *b, uint32_t v)
{
	put(b, &v, 4);
}

void put16(struct buf *b, uint16_t v)
{
	put(b, &v, 2);
}

void set64(struct buf *b, size_t at, uint64_t v)
{
	memcpy(b->p + at, &v, 8);
}

size_t rec(struct buf *b, uint32_t type, uint16_t misc)
{
	size_t at = b->len;
	uint16_t zero = 0;

	put32(b, type);
	put(b, &misc, 2);
	put(b, &zero, 2);
	return at;
}

void end_rec(struct buf *b, size_t at)
{
	uint16_t size = (uint16_t)(b->len - at);

	memcpy(b->p + at + 6, &size, 2);
}

void put_str(struct buf *b, const char *s, size_t padded)
{
	size_t n = strlen(s) + 1;

	put(b, s, n);
	put(b, NULL, padded - n);
}

struct buf file_image(const struct attr_spec *attrs, int nr,
		      uint32_t attr_size, const struct buf *data,
		      const struct feat_spec *feats, int nr_feats)
{
	struct buf b = {0};
	size_t attrs_off = 104, ids_off, data_off, table;
	uint64_t bits[4] = {0};
	int i;

	put(&b, "PERFILE2", 8);
	put64(&b, 104);
	put64(&b, attr_size + 16);
	put(&b, NULL, 104 - 24);
	ids_off = attrs_off + (size_t)nr * (attr_size + 16);
	for (i = 0; i < nr; i++) {
		uint8_t raw[512] = {0};

		memcpy(raw, &attrs[i].attr, sizeof(attrs[i].attr));
		put(&b, raw, attr_size);
		put64(&b, ids_off);
		put64(&b, 8ULL * attrs[i].nr_ids);
		ids_off += 8ULL * attrs[i].nr_ids;
	}
	for (i = 0; i < nr; i++)
		put(&b, attrs[i].ids, 8ULL * attrs[i].nr_ids);
	data_off = b.len;
	put(&b, data->p, data->len);
	table = b.len;
	put(&b, NULL, 16ULL * nr_feats);
	for (i = 0; i < nr_feats; i++) {
		set64(&b, table + 16 * i, b.len);
		set64(&b, table + 16 * i + 8, feats[i].data->len);
		put(&b, feats[i].data->p, feats[i].data->len);
		bits[feats[i].bit / 64] |= 1ULL << (feats[i].bit % 64);
	}
	set64(&b, 24, attrs_off);
	set64(&b, 32, (uint64_t)nr * (attr_size + 16));
	set64(&b, 40, data_off);
	set64(&b, 48, data->len);
	memcpy(b.p + 72, bits, sizeof(bits));
	return b;
}

struct perf_event_attr mk_attr(uint32_t type, uint64_t config,
			       uint64_t sample_type)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.type = type;
	a.size = sizeof(a);
	a.config = config;
	a.sample_type = sample_type;
	a.sample_id_all = 1;
	return a;
}

#define HEADER_PAGE                                                        \
	"\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n"        \
	"\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;\n"       \
	"\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n"        \
	"\tfield: char data;\toffset:16;\tsize:4080;\tsigned:0;\n"

struct buf tracing_data(const char *const *formats, int nr)
{
	struct buf b = {0};
	int i;

	put(&b, "\x17\x08\x44tracing", 10);
	put(&b, "0.6", 4);
	put(&b, "\0\x08", 2);
	put32(&b, 4096);
	put(&b, "header_page", 12);
	put64(&b, strlen(HEADER_PAGE));
	put(&b, HEADER_PAGE, strlen(HEADER_PAGE));
	put(&b, "header_event", 13);
	put64(&b, 4);
	put(&b, "none", 4);
	put32(&b, 0);			/* ftrace formats */
	put32(&b, 1);			/* systems */
	put(&b, "sched", 6);
	put32(&b, (uint32_t)nr);
	for (i = 0; i < nr; i++) {
		put64(&b, strlen(formats[i]));
		put(&b, formats[i], strlen(formats[i]));
	}
	put32(&b, 0);			/* kallsyms */
	put32(&b, 0);			/* ftrace_printk */
	put64(&b, 0);			/* saved cmdlines */
	return b;
}
