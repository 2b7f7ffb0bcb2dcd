/* folded: one folded-stack line -> stack text and counts (see folded.h).
 *
 * Counts are parsed by hand rather than with strtod(): strtod accepts
 * signs, hex, exponents, "inf" and the locale's decimal point, none of
 * which belong in folded input.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "folded.h"
#include "mapguard.h"

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* A validated count with a fraction, correctly rounded: summing digit
 * times 0.1^k does not round correctly (`0.3` became 0.30000000000000004),
 * strtod() does. It reads a NUL-terminated copy (the line is not
 * terminated), in the C locale the tools run in; a count too long for the
 * copy keeps the approximation. */
static double fraction_value(const char *s, size_t len, double approx)
{
	char buf[128];

	if (len >= sizeof(buf))
		return approx;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return strtod(buf, NULL);
}

/* Parse the count that ends at s[end) and starts after the last blank
 * before it. Sets *start to its first byte. */
static int parse_count(const char *s, size_t end, size_t *start, double *out)
{
	size_t i = end, b;
	double v = 0, scale = 1;
	int seen_digit = 0, seen_dot = 0;

	while (i > 0 && !is_blank(s[i - 1]))
		i--;
	if (i == end || !strchr("0123456789.+-", s[i]))
		return FOLDED_NO_COUNT;
	*start = i;
	for (b = i; b < end; b++) {
		char c = s[b];

		if (c >= '0' && c <= '9') {
			seen_digit = 1;
			if (seen_dot) {
				scale /= 10;
				v += (c - '0') * scale;
			} else {
				v = v * 10 + (c - '0');
			}
		} else if (c == '.' && !seen_dot) {
			seen_dot = 1;
		} else {
			return FOLDED_BAD_COUNT;
		}
	}
	if (!seen_digit)
		return FOLDED_BAD_COUNT;
	if (seen_dot)
		v = fraction_value(s + i, end - i, v);
	*out = v;
	return FOLDED_OK;
}

static size_t trim_blanks(const char *s, size_t len)
{
	while (len > 0 && is_blank(s[len - 1]))
		len--;
	return len;
}

int folded__parse(const char *line, size_t len, unsigned nr_counts,
		  struct folded_line *out)
{
	size_t start, start2, rest;
	double c1, c2;
	int err;

	if (len > 0 && line[len - 1] == '\r')
		len--;
	len = trim_blanks(line, len);
	err = parse_count(line, len, &start, &c1);
	if (err)
		return err;
	if (start == 0)
		return FOLDED_NO_COUNT;
	rest = trim_blanks(line, start);
	out->nr_counts = 1;
	out->count[0] = c1;
	if (nr_counts != 1 && rest > 0 &&
	    parse_count(line, rest, &start2, &c2) == FOLDED_OK && start2 > 0) {
		out->nr_counts = 2;
		out->count[0] = c2;
		out->count[1] = c1;
		rest = trim_blanks(line, start2);
	} else if (nr_counts == 2) {
		return FOLDED_NO_SECOND;
	}
	if (rest == 0)
		return FOLDED_NO_STACK;
	out->stack = line;
	out->stack_len = rest;
	return FOLDED_OK;
}

const char *folded__strerror(int err)
{
	switch (err) {
	case FOLDED_OK:
		return "no error";
	case FOLDED_NO_COUNT:
		return "no count at the end of the line";
	case FOLDED_BAD_COUNT:
		return "count is not a non-negative number";
	case FOLDED_NO_STACK:
		return "no stack before the count";
	case FOLDED_NO_SECOND:
		return "differential input needs two counts";
	}
	return "invalid line";
}

int folded__is_blank(const char *line, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (!is_blank(line[i]) && line[i] != '\r')
			return 0;
	}
	return 1;
}

#define READER_BLOCK (1u << 20)

struct folded_reader {
	FILE *f;
	char *buf;
	size_t start, end, cap;	/* unread bytes are buf[start..end) */
	int is_eof;
};

struct folded_reader *folded__reader_new(FILE *f)
{
	struct folded_reader *r = calloc(1, sizeof(*r));

	if (!r || !(r->buf = malloc(READER_BLOCK))) {
		free(r);
		errno = ENOMEM;
		return NULL;
	}
	r->f = f;
	r->cap = READER_BLOCK;
	return r;
}

void folded__reader_free(struct folded_reader *r)
{
	if (!r)
		return;
	free(r->buf);
	free(r);
}

/* Keep the partial line at the front and fill the rest of the buffer,
 * doubling it when one line fills it all. */
static int refill(struct folded_reader *r)
{
	size_t left = r->end - r->start, n;
	char *q;

	memmove(r->buf, r->buf + r->start, left);
	r->start = 0;
	r->end = left;
	if (left == r->cap) {
		q = realloc(r->buf, r->cap * 2);
		if (!q)
			return -ENOMEM;
		r->buf = q;
		r->cap *= 2;
	}
	n = fread(r->buf + r->end, 1, r->cap - r->end, r->f);
	r->end += n;
	if (n == 0) {
		if (ferror(r->f))
			return -EIO;
		r->is_eof = 1;
	}
	return 0;
}

int folded__read_line(struct folded_reader *r, const char **line,
		      size_t *len)
{
	char *nl;
	int err;

	for (;;) {
		nl = memchr(r->buf + r->start, '\n', r->end - r->start);
		if (nl) {
			*line = r->buf + r->start;
			*len = (size_t)(nl - *line);
			r->start += *len + 1;
			return 1;
		}
		if (r->is_eof) {
			if (r->start == r->end)
				return 0;
			*line = r->buf + r->start;
			*len = r->end - r->start;
			r->start = r->end;
			return 1;
		}
		err = refill(r);
		if (err)
			return err;
	}
}

/* One line of a stream, the lineno-th: skipped when blank, counted and
 * reported when malformed, else handed to fn. 0 or fn's result. */
static int take_line(struct folded_read *r, const char *line, size_t n,
		     unsigned long lineno, folded_line_fn fn, void *ctx)
{
	struct folded_line fl;
	const char *why;
	int err;

	if (folded__is_blank(line, n))
		return 0;
	r->nr_nonblank++;
	if (memchr(line, '\0', n)) {
		why = "NUL byte in line";
	} else if ((err = folded__parse(line, n, r->nr_counts, &fl))) {
		why = folded__strerror(err);
	} else if (r->is_one_count && fl.nr_counts == 2) {
		why = "two counts (differential input): one weight expected";
	} else {
		r->nr_lines++;
		return fn(ctx, &fl);
	}
	diag__limited(r->diag, &r->nr_malformed, r->max_reports,
		      "skipped '%s' line %lu: %s", r->name, lineno, why);
	return 0;
}

int folded__read(FILE *f, struct folded_read *r, folded_line_fn fn,
		 void *ctx)
{
	struct folded_reader *rd = folded__reader_new(f);
	unsigned long lineno = 0;
	const char *line;
	size_t n;
	int err = 0, got = 0;

	if (!rd)
		return -ENOMEM;
	while (!err && (got = folded__read_line(rd, &line, &n)) > 0)
		err = take_line(r, line, n, ++lineno, fn, ctx);
	if (!err && got < 0)
		err = got;
	folded__reader_free(rd);
	return err;
}

int folded__read_text(const char *text, size_t len, struct folded_read *r,
		      folded_line_fn fn, void *ctx)
{
	const char *end = text + len, *nl;
	unsigned long lineno = 0;
	int err = 0;

	while (!err && text < end) {
		nl = memchr(text, '\n', (size_t)(end - text));
		if (!nl)
			nl = end;
		err = take_line(r, text, (size_t)(nl - text), ++lineno, fn,
				ctx);
		text = nl + 1;
	}
	return err;
}

const char *folded__map(FILE *f, const char *name, size_t *len)
{
	struct stat st;
	int fd = fileno(f);
	void *m;

	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    st.st_size <= 0 || (uint64_t)st.st_size > SIZE_MAX ||
	    ftello(f) != 0 || lseek(fd, 0, SEEK_CUR) != 0)
		return NULL;
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		return NULL;
	madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
	mapguard__add(m, (size_t)st.st_size, name);
	*len = (size_t)st.st_size;
	return m;
}

void folded__unmap(const char *text, size_t len)
{
	if (!text)
		return;
	mapguard__remove(text);
	munmap((void *)text, len);
}

int folded__read_files(char *const *files, int nr, struct folded_read *r,
		       folded_line_fn fn, void *ctx)
{
	static char *const stdin_only[] = {"-"};
	int i, err = 0;

	if (nr <= 0) {
		files = stdin_only;
		nr = 1;
	}
	for (i = 0; i < nr && !err; i++) {
		int is_stdin = !strcmp(files[i], "-");
		FILE *f = is_stdin ? stdin : fopen(files[i], "r");

		r->name = is_stdin ? "<stdin>" : files[i];
		if (!f) {
			err = -errno;
			diag__emit(r->diag, DIAG_ERROR, "cannot read '%s': %s",
				   r->name, strerror(-err));
			break;
		}
		err = folded__read(f, r, fn, ctx);
		if (err == -ENOMEM)
			diag__emit(r->diag, DIAG_ERROR, "out of memory");
		else if (err)
			diag__emit(r->diag, DIAG_ERROR, "cannot read '%s': %s",
				   r->name, strerror(err == -EIO ? errno : -err));
		if (!is_stdin)
			fclose(f);
	}
	return err;
}
