/* foldtab: folded stacks aggregated by their text, written sorted.
 *
 * A table of distinct stacks, each with one or two weight columns (a plain
 * profile, or the `stack BEFORE AFTER` differential form). Adding a stack
 * already present adds to its weight; the output is one line per stack,
 * sorted bytewise by stack text, so that it is deterministic. Used by the
 * folded-to-folded tools (folddiff, foldfilter), which read lines with
 * folded.h and hand the parsed stack here.
 */
#ifndef PERFFOLD_FOLDTAB_H
#define PERFFOLD_FOLDTAB_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "diag.h"

#define FOLDTAB_MAX_COLUMNS 2

struct foldtab;

/* An empty table of nr_columns (1 or 2) weight columns; NULL with errno =
 * EINVAL (bad nr_columns) or ENOMEM. */
struct foldtab *foldtab__new(unsigned nr_columns);
/* Free the table and its copies of the stacks; NULL is a no-op. */
void foldtab__free(struct foldtab *t);

/* Add weight to column (0-based) of the stack stack[0..len), copying the
 * text when the stack is new (a new stack starts at 0 in every column).
 * 0, -EINVAL for a bad column or an empty stack, -ENOMEM. */
int foldtab__add(struct foldtab *t, const char *stack, size_t len,
		 unsigned column, double weight);

/* How foldtab__read() reads one stream, and what it saw. The caller fills
 * the first part; the counters add up over the streams read with it. */
struct foldtab_read {
	const char *name;	/* the stream's name in messages */
	unsigned column;	/* the column each line's count goes to */
	/* NULL, or an edit of each stack before it is added: it returns the
	 * new length, or 0 to drop the stack, and may point *stack at text of
	 * its own (valid until its next call); the line it gets is read-only */
	size_t (*edit)(void *ctx, const char **stack, size_t len);
	void *ctx;
	const struct diag *diag;	/* where malformed lines are reported */
	uint64_t max_reports;	/* report the first this many malformed lines */
	uint64_t nr_lines;	/* non-blank lines read */
	uint64_t nr_kept;	/* lines added to the table */
	uint64_t nr_dropped;	/* lines the edit dropped */
	uint64_t nr_malformed;	/* lines skipped, all of them */
};

/* Read folded lines (`stack COUNT`, one count: the text before the last
 * count is the stack, as FlameGraph's scripts read it) from f into the
 * table, with folded__read(). Blank lines are ignored; a malformed line (no
 * count, a bad count, no stack, a NUL byte) is counted and, among the
 * first max_reports, reported as a DIAG_WARN `skipped 'NAME' line N: why`.
 * 0, -ENOMEM, or -EIO when reading failed (errno says why). */
int foldtab__read(struct foldtab *t, FILE *f, struct foldtab_read *r);

/* The number of distinct stacks, and the sum of a column's weights. */
size_t foldtab__nr_stacks(const struct foldtab *t);
double foldtab__total(const struct foldtab *t, unsigned column);

/* Replace every weight w of column by fn(w, ctx) (e.g. folddiff's
 * normalization); the column's total follows. */
void foldtab__map(struct foldtab *t, unsigned column,
		  double (*fn)(double w, void *ctx), void *ctx);

/* Write `stack W1[ W2]\n` for every stack, sorted bytewise by stack
 * (memcmp order, a prefix before its extensions), weights formatted by
 * foldtab__format(). 0, -ENOMEM, or -EIO when writing failed (errno says
 * why). Sorts the table in place; adding afterwards is allowed. */
int foldtab__write(struct foldtab *t, FILE *f);

/* Sort the table's stacks bytewise, as foldtab__write() does, for
 * foldtab__write_pair(); adding afterwards is allowed (and unsorts it).
 * 0 or -ENOMEM (the table is then unchanged). */
int foldtab__sort(struct foldtab *t);

/* Write `stack BEFORE AFTER\n` for every stack of either table, sorted
 * bytewise: the weight of a stack a table lacks is 0. Both tables have one
 * column and are sorted (foldtab__sort(), which may run on two threads, a
 * table each); neither is changed. Past a few thousand stacks the lines are
 * formatted on two threads, and written in order. 0, -EINVAL for a table of
 * two columns, -ENOMEM, -EIO when writing failed (errno says why). */
int foldtab__write_pair(const struct foldtab *before,
			const struct foldtab *after, FILE *f);

/* Format a weight into buf (at least FOLDTAB_WEIGHT_LEN bytes, NUL added):
 * an integral value below 2^53 in plain digits (`12`), any other value as
 * the shortest decimal that reads back as the same double (`0.5`,
 * `0.30000000000000004`, `100000000000000000000`), never in exponent
 * notation, which folded input does not allow. Returns the length. */
#define FOLDTAB_WEIGHT_LEN 352
size_t foldtab__format(double w, char *buf);

#endif
