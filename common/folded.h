/* folded: parse one line of Brendan Gregg's folded-stack format.
 *
 * A line is `frame;frame;...;frame COUNT` (root first) or, in the
 * differential form written by FlameGraph's difffolded.pl,
 * `frame;...;frame BEFORE AFTER`. Counts are non-negative decimals, integer
 * or fractional (`12`, `0.5`); no sign, exponent, inf or nan. The stack is
 * everything before the count column(s), trailing blanks removed.
 */
#ifndef PERFFOLD_FOLDED_H
#define PERFFOLD_FOLDED_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct diag;

enum folded_err {
	FOLDED_OK = 0,
	FOLDED_NO_COUNT = -1,	/* no blank-separated count at the end */
	FOLDED_BAD_COUNT = -2,	/* the count is not a non-negative number */
	FOLDED_NO_STACK = -3,	/* nothing before the count */
	FOLDED_NO_SECOND = -4,	/* differential form expected, one count */
};

struct folded_line {
	const char *stack;	/* borrowed from the parsed line */
	size_t stack_len;
	double count[2];	/* count[0] only, or before, after */
	unsigned nr_counts;	/* 1 or 2 */
};

/* Parse line[0..len), without its newline (a trailing '\r' is ignored).
 * nr_counts is 1 for plain lines, 2 for the differential form, or 0 to
 * guess: two counts when the text before the last count also ends in a
 * count (as flamegraph.pl decides). Fills *out and returns FOLDED_OK, or
 * returns a negative enum folded_err and leaves *out undefined. */
int folded__parse(const char *line, size_t len, unsigned nr_counts,
		  struct folded_line *out);

/* A short lowercase phrase for a negative folded__parse() result. */
const char *folded__strerror(int err);

/* True when line[0..len) holds only blanks, which readers skip. */
int folded__is_blank(const char *line, size_t len);

/* A line reader for large folded files: reads in blocks of a megabyte or
 * more and hands out lines in place, without copying each line (getline()
 * copies). */
struct folded_reader;

/* A reader of f, which stays owned by the caller; NULL with errno = ENOMEM. */
struct folded_reader *folded__reader_new(FILE *f);
void folded__reader_free(struct folded_reader *r);

/* The next line, without its '\n', in *line and *len, borrowed until the
 * next call. 1 for a line, 0 at the end of input, -EIO when reading failed
 * (errno says why) or -ENOMEM. A last line without '\n' is a line. */
int folded__read_line(struct folded_reader *r, const char **line,
		      size_t *len);

/* How folded__read() reads a stream, and what it saw. The caller fills the
 * first part; the counters add up over the streams read with the same
 * struct. */
struct folded_read {
	const char *name;		/* the stream in messages */
	unsigned nr_counts;		/* for folded__parse(): 1, 2, or 0 to
					 * take each line's own form */
	int is_one_count;		/* a line with two counts is malformed
					 * (differential input where one weight
					 * is expected) */
	const struct diag *diag;	/* gets malformed lines, DIAG_WARN
					 * "skipped 'NAME' line N: why" */
	uint64_t max_reports;		/* of them, the first this many */
	uint64_t nr_nonblank;		/* lines read, but blank ones */
	uint64_t nr_lines;		/* valid lines, handed to fn */
	uint64_t nr_malformed;		/* lines skipped, all of them */
};

/* Called with each valid line, in order; the line is borrowed for the
 * call. 0 goes on; anything else stops folded__read(), which returns it. */
typedef int (*folded_line_fn)(void *ctx, const struct folded_line *line);

/* Read every line of f (which stays the caller's) with the line reader:
 * blank lines are skipped; a malformed one (no count, a bad count, no
 * stack, a NUL byte, or two counts where is_one_count) is counted and
 * reported; each valid one goes to fn. Returns 0, fn's non-zero result,
 * -ENOMEM, or -EIO when reading failed (errno says why). */
int folded__read(FILE *f, struct folded_read *r, folded_line_fn fn,
		 void *ctx);

/* folded__read() of text[0..len) in memory: the lines fn gets point into
 * text, and so stay valid as long as text does. */
int folded__read_text(const char *text, size_t len, struct folded_read *r,
		      folded_line_fn fn, void *ctx);

/* f mapped read-only, for folded__read_text(): its whole text, its length
 * in *len, when f is a non-empty regular file not yet read from; NULL
 * otherwise (a pipe, a terminal, an empty file, a failed mmap), for
 * folded__read() to read it instead. The mapping is guarded (mapguard.h):
 * cut while it is read, the tool ends saying name shrank. Unmap with
 * folded__unmap(). */
const char *folded__map(FILE *f, const char *name, size_t *len);
/* Unmap what folded__map() mapped; NULL is a no-op. */
void folded__unmap(const char *text, size_t len);

/* folded__read() of each of files[0..nr) in turn ("-", or no file at all:
 * stdin), r->name set to each one's ("<stdin>" for stdin). A file that
 * cannot be opened or read ends the reading, reported through r->diag as
 * DIAG_ERROR "cannot read 'NAME': why" ("out of memory" for -ENOMEM).
 * Returns 0 or that error (or fn's non-zero result). */
int folded__read_files(char *const *files, int nr, struct folded_read *r,
		       folded_line_fn fn, void *ctx);

#endif
