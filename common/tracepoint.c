/* tracepoint: perf's tracing data -> libtraceevent, fields read by name
 * (tracepoint.h).
 *
 * The tracing data, as tools/perf/util/trace-event-info.c writes it and
 * trace-event-read.c reads it (integers in the recording machine's byte
 * order, which the data itself states):
 *
 *   "\x17\x08\x44tracing"  10 bytes of magic
 *   version                NUL-terminated ("0.6")
 *   u8 big_endian, u8 long_size, u32 page_size
 *   "header_page\0"  u64 size, bytes       the ring buffer page header
 *   "header_event\0" u64 size, bytes
 *   u32 nr; nr x (u64 size, bytes)         ftrace's own event formats
 *   u32 nr_systems; nr_systems x (system name NUL-terminated,
 *       u32 nr; nr x (u64 size, bytes))    the recorded events' formats
 *   u32 size, bytes                         kallsyms
 *   u32 size, bytes                         ftrace_printk formats
 *   (0.6 and later) u64 size, bytes         saved cmdlines
 *
 * Only the header page and the recorded events' formats are parsed; the
 * rest is skipped, bounds-checked.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <traceevent/event-parse.h>

#include "tracepoint.h"

#define TRACEPOINT_MAGIC "\x17\x08\x44tracing"
#define TRACEPOINT_MAGIC_LEN 10

struct tracepoint {
	struct tep_handle *tep;
	uint32_t nr_events, nr_bad_formats;
};

/* A bounded reader over the tracing data, in its byte order. */
struct cursor {
	const uint8_t *p, *end;
	bool is_swapped;
	const char *what;	/* what was being read when it failed */
};

static bool take(struct cursor *c, void *out, size_t n, const char *what)
{
	if ((size_t)(c->end - c->p) < n) {
		c->what = what;
		return false;
	}
	if (out)
		memcpy(out, c->p, n);
	c->p += n;
	return true;
}

static bool take_u32(struct cursor *c, uint32_t *v, const char *what)
{
	if (!take(c, v, 4, what))
		return false;
	if (c->is_swapped)
		*v = __builtin_bswap32(*v);
	return true;
}

static bool take_u64(struct cursor *c, uint64_t *v, const char *what)
{
	if (!take(c, v, 8, what))
		return false;
	if (c->is_swapped)
		*v = __builtin_bswap64(*v);
	return true;
}

/* A NUL-terminated string at the cursor. */
static const char *take_str(struct cursor *c, const char *what)
{
	const char *s = (const char *)c->p;
	const uint8_t *nul = memchr(c->p, 0, (size_t)(c->end - c->p));

	if (!nul) {
		c->what = what;
		return NULL;
	}
	c->p = nul + 1;
	return s;
}

/* u64 size, then size bytes: *p points at them. */
static bool take_blob(struct cursor *c, const uint8_t **p, uint64_t *size,
		      const char *what)
{
	if (!take_u64(c, size, what))
		return false;
	if (*size > (uint64_t)(c->end - c->p)) {
		c->what = what;
		return false;
	}
	*p = c->p;
	c->p += *size;
	return true;
}

/* u32 size, then size bytes, skipped. */
static bool skip_blob32(struct cursor *c, const char *what)
{
	uint32_t size;

	return take_u32(c, &size, what) && take(c, NULL, size, what);
}

static bool is_host_big_endian(void)
{
	const uint16_t one = 1;

	return *(const uint8_t *)&one == 0;
}

static bool parse_header(struct tracepoint *tp, struct cursor *c,
			 double *version)
{
	const char *ver;
	uint8_t big_endian, long_size;
	uint32_t page_size;
	uint64_t size;
	const uint8_t *page;
	char *copy;
	int err;

	if (c->end - c->p < TRACEPOINT_MAGIC_LEN ||
	    memcmp(c->p, TRACEPOINT_MAGIC, TRACEPOINT_MAGIC_LEN)) {
		c->what = "magic";
		return false;
	}
	c->p += TRACEPOINT_MAGIC_LEN;
	if (!(ver = take_str(c, "version")) ||
	    !take(c, &big_endian, 1, "byte order") ||
	    !take(c, &long_size, 1, "long size"))
		return false;
	*version = strtod(ver, NULL);
	c->is_swapped = !!big_endian != is_host_big_endian();
	if (!take_u32(c, &page_size, "page size"))
		return false;
	if (long_size != 4 && long_size != 8) {
		c->what = "long size";
		return false;
	}
	tep_set_file_bigendian(tp->tep, big_endian ? TEP_BIG_ENDIAN
						   : TEP_LITTLE_ENDIAN);
	tep_set_local_bigendian(tp->tep, is_host_big_endian()
						 ? TEP_BIG_ENDIAN
						 : TEP_LITTLE_ENDIAN);
	tep_set_long_size(tp->tep, long_size);
	tep_set_page_size(tp->tep, (int)page_size);

	if (c->end - c->p < 12 || memcmp(c->p, "header_page", 12)) {
		c->what = "header_page";
		return false;
	}
	c->p += 12;
	if (!take_blob(c, &page, &size, "header_page"))
		return false;
	/* tep_parse_header_page() takes a char *, not const */
	copy = malloc(size + 1);
	if (!copy)
		return false;
	memcpy(copy, page, size);
	copy[size] = 0;
	err = tep_parse_header_page(tp->tep, copy, (unsigned long)size,
				    long_size);
	free(copy);
	if (err) {
		c->what = "header_page";
		return false;
	}
	if (c->end - c->p < 13 || memcmp(c->p, "header_event", 13)) {
		c->what = "header_event";
		return false;
	}
	c->p += 13;
	return take_blob(c, &page, &size, "header_event");
}

static void parse_event(struct tracepoint *tp, const char *name,
			const struct diag *d, const char *system,
			const uint8_t *buf, uint64_t size)
{
	enum tep_errno err;
	char msg[128];
	const char *nl;
	int len;

	err = tep_parse_event(tp->tep, (const char *)buf, (size_t)size,
			      system);
	if (!err) {
		tp->nr_events++;
		return;
	}
	tp->nr_bad_formats++;
	if (tep_strerror(tp->tep, err, msg, sizeof(msg)))
		snprintf(msg, sizeof(msg), "error %d", (int)err);
	/* the format's first line names the event: "name: NAME" */
	nl = memchr(buf, '\n', (size_t)size);
	len = nl ? (int)(nl - (const char *)buf) : (int)(size < 40 ? size : 40);
	diag__emit(d, DIAG_WARN,
		   "'%s': tracepoint format in '%s' (%.*s) does not parse "
		   "(%s); its samples are not decoded",
		   name, system, len, (const char *)buf, msg);
}

static bool parse_formats(struct tracepoint *tp, struct cursor *c,
			  const char *name, const struct diag *d)
{
	uint32_t nr, nr_systems, i, j;
	const uint8_t *buf;
	uint64_t size;

	/* ftrace's own events: not needed */
	if (!take_u32(c, &nr, "ftrace formats"))
		return false;
	for (i = 0; i < nr; i++)
		if (!take_blob(c, &buf, &size, "ftrace formats"))
			return false;
	if (!take_u32(c, &nr_systems, "event formats"))
		return false;
	for (i = 0; i < nr_systems; i++) {
		const char *system = take_str(c, "event system");

		if (!system || !take_u32(c, &nr, "event formats"))
			return false;
		for (j = 0; j < nr; j++) {
			if (!take_blob(c, &buf, &size, "event formats"))
				return false;
			parse_event(tp, name, d, system, buf, size);
		}
	}
	return true;
}

struct tracepoint *tracepoint__new(const void *data, size_t len,
				   const char *name, const struct diag *d)
{
	struct tracepoint *tp = calloc(1, sizeof(*tp));
	struct cursor c = {.p = data, .end = (const uint8_t *)data + len};
	const uint8_t *rest;
	uint64_t size;
	double version = 0;

	if (!tp || !(tp->tep = tep_alloc())) {
		free(tp);
		errno = ENOMEM;
		return NULL;
	}
	/* libtraceevent prints its parse warnings to stderr unless told
	 * not to; we report through d instead (a process-wide setting of
	 * the library, the same every time) */
	tep_set_loglevel(TEP_LOG_NONE);
	if (!parse_header(tp, &c, &version) ||
	    !parse_formats(tp, &c, name, d) ||
	    !skip_blob32(&c, "kallsyms") ||
	    !skip_blob32(&c, "ftrace_printk formats") ||
	    (version >= 0.6 && !take_blob(&c, &rest, &size, "saved cmdlines"))) {
		diag__emit(d, DIAG_WARN,
			   "'%s': damaged tracing data (%s at offset %zu of "
			   "%zu bytes); tracepoint samples are not decoded",
			   name, c.what ? c.what : "out of memory",
			   (size_t)(c.p - (const uint8_t *)data), len);
		tracepoint__free(tp);
		errno = c.what ? EINVAL : ENOMEM;
		return NULL;
	}
	return tp;
}

void tracepoint__free(struct tracepoint *tp)
{
	if (!tp)
		return;
	tep_free(tp->tep);
	free(tp);
}

uint32_t tracepoint__nr_events(const struct tracepoint *tp)
{
	return tp->nr_events;
}

uint32_t tracepoint__nr_bad_formats(const struct tracepoint *tp)
{
	return tp->nr_bad_formats;
}

static struct tep_event *find_event(const struct tracepoint *tp, uint64_t id)
{
	return id > INT32_MAX ? NULL : tep_find_event(tp->tep, (int)id);
}

bool tracepoint__is(const struct tracepoint *tp, uint64_t id,
		    const char *system, const char *name)
{
	struct tep_event *e = find_event(tp, id);

	return e && e->system && e->name && !strcmp(e->system, system) &&
	       !strcmp(e->name, name);
}

const struct tracepoint_field *
tracepoint__field(const struct tracepoint *tp, uint64_t id, const char *name)
{
	struct tep_event *e = find_event(tp, id);

	return e ? (const struct tracepoint_field *)tep_find_any_field(e, name)
		 : NULL;
}

int tracepoint__read_int(const struct tracepoint_field *tf, const void *raw,
			 size_t raw_size, int64_t *v)
{
	const struct tep_format_field *f = (const void *)tf;
	unsigned long long u;

	if (f->flags & (TEP_FIELD_IS_ARRAY | TEP_FIELD_IS_DYNAMIC |
			TEP_FIELD_IS_STRING) ||
	    (f->size != 1 && f->size != 2 && f->size != 4 && f->size != 8) ||
	    f->offset < 0)
		return -EINVAL;
	if ((size_t)f->offset + (size_t)f->size > raw_size)
		return -ENODATA;
	u = tep_read_number(f->event->tep, (const uint8_t *)raw + f->offset,
			    f->size);
	if ((f->flags & TEP_FIELD_IS_SIGNED) && f->size < 8) {
		unsigned int shift = 64 - 8 * (unsigned int)f->size;

		*v = (int64_t)(u << shift) >> shift;
	} else {
		*v = (int64_t)u;
	}
	return 0;
}
