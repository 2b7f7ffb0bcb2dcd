/* libFuzzer target for common/folded: any bytes as folded-stack text, read
 * line by line with folded__read_line() and each line parsed as plain,
 * differential and either. Checks what folded.h promises: the reader's
 * lines are the input split at '\n', a parsed stack is a non-empty prefix
 * of its line without trailing blanks, counts are non-negative, and a
 * guessed form parses as that form does. tests/fuzz/meson.build builds
 * it; seeds are in tests/fuzz/corpus/folded.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folded.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_parsed(const char *line, size_t len,
			 const struct folded_line *f, unsigned nr_counts)
{
	unsigned i;

	if (f->stack != line || f->stack_len == 0 || f->stack_len > len)
		abort();
	if (f->stack[f->stack_len - 1] == ' ' ||
	    f->stack[f->stack_len - 1] == '\t')
		abort();
	if (f->nr_counts != 1 && f->nr_counts != 2)
		abort();
	if (nr_counts && f->nr_counts != nr_counts)
		abort();
	for (i = 0; i < f->nr_counts; i++) {
		if (!(f->count[i] >= 0))	/* also NaN */
			abort();
	}
}

static int same(const struct folded_line *a, const struct folded_line *b)
{
	return a->stack == b->stack && a->stack_len == b->stack_len &&
	       a->nr_counts == b->nr_counts && a->count[0] == b->count[0] &&
	       (a->nr_counts == 1 || a->count[1] == b->count[1]);
}

static void parse_line(const char *line, size_t len)
{
	struct folded_line f[3];
	int err[3];
	unsigned mode;

	folded__is_blank(line, len);
	for (mode = 0; mode < 3; mode++) {
		err[mode] = folded__parse(line, len, mode, &f[mode]);
		if (err[mode] == FOLDED_OK)
			check_parsed(line, len, &f[mode], mode);
		else if (err[mode] > 0 || !folded__strerror(err[mode]))
			abort();
	}
	if (err[0] == FOLDED_OK &&
	    (err[f[0].nr_counts] != FOLDED_OK ||
	     !same(&f[0], &f[f[0].nr_counts])))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *line;
	struct folded_reader *r;
	size_t pos = 0, len;
	FILE *f;
	int got;

	if (size == 0)
		return 0;
	/* read mode: fmemopen() only reads the buffer */
	f = fmemopen((void *)data, size, "r");
	if (!f)
		return 0;
	r = folded__reader_new(f);
	if (!r) {
		fclose(f);
		return 0;
	}
	while ((got = folded__read_line(r, &line, &len)) == 1) {
		const char *nl;
		size_t want;

		if (pos >= size)
			abort();
		nl = memchr(text + pos, '\n', size - pos);
		want = nl ? (size_t)(nl - (text + pos)) : size - pos;
		if (len != want || memcmp(line, text + pos, len))
			abort();
		pos += len + 1;
		parse_line(line, len);
	}
	if (got != 0 || pos < size)
		abort();
	folded__reader_free(r);
	fclose(f);
	return 0;
}
