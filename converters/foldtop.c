/* foldtop: folded stacks -> the hottest functions (or files), as a table.
 *
 * Reads folded stacks from files or stdin, adds each stack's weight to its
 * functions' self and total time (common/tally.h) and prints the top rows,
 * sized to the terminal, then the total of everything read.
 */
#include <argp.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "diag.h"
#include "folded.h"
#include "numarg.h"
#include "strutil.h"
#include "tally.h"

#define TOOL "foldtop"
#define MAX_LINE_REPORTS 10
#define MIN_NAME_COLS 10

enum exit_status {
	EXIT_OK = 0,
	EXIT_PARTIAL = 1,
	EXIT_FATAL = 2,
	EXIT_USAGE = 64
};

/* What a weight is: perf2folded's default weight is the sample period,
 * nanoseconds for the cpu-clock and task-clock events; with --weight=samples
 * (or other collapsers) it is a count. */
enum unit { UNIT_NS, UNIT_SAMPLES };

struct opts {
	char **files; /* none = stdin */
	int nr_files;
	unsigned long nr_rows; /* 0 = all */
	enum tally_by by;
	enum tally_sort sort;
	enum unit unit;
	unsigned flags; /* TALLY_PYTHON */
	unsigned width; /* columns; 0 = the terminal's, or 80 */
	const char *before; /* --compare: the profile before */
};

enum { OPT_BY = 0x100, OPT_SORT, OPT_UNIT, OPT_PYTHON, OPT_COMPARE };

const char *argp_program_version = TOOL " " PERFFOLD_VERSION;
const char *argp_program_bug_address = NULL;

static const char doc[] =
    "Print the hottest functions of folded stacks: each one's self time "
    "(stacks where it is the leaf) and total time (stacks it is in, "
    "counted once however deep its recursion), with their share of all "
    "stacks read, and the total at the end."
    "\vFILEs are merged; with no FILE, or when FILE is -, read stdin. "
    "Lines are `frame;frame;... WEIGHT`, root first; weights may be "
    "fractional.\n\n"
    "By file, a Python frame (`qualname (path)` or `py::qualname:path`) "
    "counts under its path, `[dso]` under the dso, a `_[k]` frame under "
    "[kernel.kallsyms], and any other native frame under its own name.\n\n"
    "Rows fit the terminal's width (COLUMNS, else the tty's), or 80 "
    "columns when stdout is no terminal; long names are cut in the "
    "middle with '...'. Rows whose share rounds to 0.0% are not shown.\n\n"
    "Exit status: 0 ok, 1 some input lines were skipped, 2 fatal error, "
    "64 usage error.\n\n"
    "EXAMPLES:\n"
    "  perf2folded --python perf.data | foldtop -n 10\n"
    "  foldtop --sort total --python prof.folded\n"
    "  foldtop --by file --python prof.folded\n"
    "  perf2folded --weight=samples perf.data | foldtop --unit samples\n"
    "  foldtop --python --compare before.folded after.folded\n"
    "  foldtop -n 0 --width 200 a.folded b.folded > top.txt";

static const struct argp_option options[] = {
    {"top", 'n', "N", 0, "show the N hottest rows (default 20, 0: all)", 0},
    {"sort", OPT_SORT, "KEY", 0, "self (default) or total", 0},
    {"by", OPT_BY, "WHAT", 0, "function (default) or file", 0},
    {"python", OPT_PYTHON, NULL, 0,
     "only Python frames; a stack's self time goes to its innermost "
     "Python frame (with the native code it called)",
     0},
    {"unit", OPT_UNIT, "UNIT", 0,
     "what weights are: ns (default: perf2folded's weight for cpu-clock, "
     "shown as s and ms) or samples (shown as counts)",
     0},
    {"width", 'w', "COLS", 0, "table width (default: the terminal's)", 0},
    {"compare", OPT_COMPARE, "BEFORE", 0,
     "compare with the profile BEFORE: the functions whose self (or, with "
     "--sort total, total) time changed most, before, after, the change, "
     "and the total's speed-up",
     0},
    {0}};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct opts *o = state->input;
	unsigned long v;

	switch (key) {
	case 'n':
		if (numarg__ulong(arg, 0, 1000000, &o->nr_rows))
			argp_error(state, "invalid -n '%s' (0 to 1000000)",
				   arg);
		break;
	case 'w':
		if (numarg__ulong(arg, 40, 10000, &v))
			argp_error(state, "invalid --width '%s' (40 to 10000)",
				   arg);
		o->width = (unsigned)v;
		break;
	case OPT_SORT:
		if (strcmp(arg, "self") && strcmp(arg, "total"))
			argp_error(state, "--sort is self or total, not '%s'",
				   arg);
		o->sort =
		    strcmp(arg, "self") ? TALLY_SORT_TOTAL : TALLY_SORT_SELF;
		break;
	case OPT_BY:
		if (strcmp(arg, "function") && strcmp(arg, "file"))
			argp_error(state, "--by is function or file, not '%s'",
				   arg);
		o->by = strcmp(arg, "file") ? TALLY_BY_FUNCTION : TALLY_BY_FILE;
		break;
	case OPT_UNIT:
		if (strcmp(arg, "ns") && strcmp(arg, "samples"))
			argp_error(state, "--unit is ns or samples, not '%s'",
				   arg);
		o->unit = strcmp(arg, "ns") ? UNIT_SAMPLES : UNIT_NS;
		break;
	case OPT_PYTHON:
		o->flags |= TALLY_PYTHON;
		break;
	case OPT_COMPARE:
		o->before = arg;
		break;
	case ARGP_KEY_ARGS:
		o->files = state->argv + state->next;
		o->nr_files = state->argc - state->next;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static void emit(void *ctx, enum diag_level level, const char *msg)
{
	(void)ctx;
	(void)level;
	fprintf(stderr, TOOL ": %s\n", msg);
}

static const struct diag diag = {.emit = emit};

static int add_line(void *ctx, const struct folded_line *fl)
{
	return tally__add(ctx, fl->stack, fl->stack_len, fl->count[0]);
}

/* --- the table --- */

/* The width to fill: --width, else the terminal's when stdout is one
 * (COLUMNS first, as a shell that resized it says, then the tty's), else
 * 80 so that piped output does not depend on where it ran. */
static unsigned table_width(const struct opts *o)
{
	struct winsize ws;
	const char *env = getenv("COLUMNS");
	unsigned long v;

	if (o->width)
		return o->width;
	if (!isatty(STDOUT_FILENO))
		return 80;
	if (env && !numarg__ulong(env, 1, 10000, &v))
		return (unsigned)v;
	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

static void format_weight(char *buf, size_t size, double w, enum unit unit)
{
	if (unit == UNIT_SAMPLES) {
		if (w == (double)(uint64_t)w)
			snprintf(buf, size, "%.0f", w);
		else
			snprintf(buf, size, "%.2f", w);
	} else if (w == 0) {
		snprintf(buf, size, "0 ms");
	} else if (w >= 999.995e6) { /* rounds to 1000.00 ms: show s */
		snprintf(buf, size, "%.2f s", w / 1e9);
	} else if (w >= 0.9995e6) {
		snprintf(buf, size, "%.1f ms", w / 1e6);
	} else {
		snprintf(buf, size, "%.3f ms", w / 1e6);
	}
}

static void format_pct(char *buf, size_t size, double w, double sum)
{
	snprintf(buf, size, "%.1f%%", 100 * w / sum);
}

/* Bytes of s as text for a terminal: control bytes become '?', so that
 * a name cannot move the cursor or recolour it. */
static void put_text(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		putchar(c < 0x20 || c == 0x7f ? '?' : c);
	}
}

/* name in at most cols columns: cut in the middle with "...", which keeps
 * a Python frame's qualname and the end of its path. */
static void put_name(const char *name, size_t cols)
{
	size_t len = strlen(name), have = strutil__utf8_count(name, len);
	size_t head, tail;

	if (have <= cols) {
		put_text(name, len);
		return;
	}
	tail = (cols - 3) / 2;
	head = cols - 3 - tail;
	put_text(name, strutil__utf8_offset(name, len, head));
	fputs("...", stdout);
	tail = strutil__utf8_offset(name, len, have - tail);
	put_text(name + tail, len - tail);
}

struct row {
	char self[32], self_pct[16], total[32], total_pct[16];
	const char *name;
};

static void make_row(struct row *r, const char *name, double self, double total,
		     double sum, enum unit unit)
{
	format_weight(r->self, sizeof(r->self), self, unit);
	format_pct(r->self_pct, sizeof(r->self_pct), self, sum);
	format_weight(r->total, sizeof(r->total), total, unit);
	format_pct(r->total_pct, sizeof(r->total_pct), total, sum);
	r->name = name;
}

static void print_row(const struct row *r, int tw, size_t name_cols)
{
	printf("%*s %6s  %*s %6s  ", tw, r->self, r->self_pct, tw, r->total,
	       r->total_pct);
	put_name(r->name, name_cols);
	putchar('\n');
}

/* Print the table: rows whose share (by the sort key) shows as more than
 * 0.0%, at most o->nr_rows of them, then the total. 0 or -ENOMEM. */
static int print_table(const struct opts *o, struct tally *t)
{
	static const char *const heads[2][2] = {
	    {"function", "file"},
	    {"Python function", "Python file"},
	};
	const struct tally_entry *e;
	double sum = tally__sum(t);
	struct row *rows, total;
	size_t nr, nr_rows = 0, i, name_cols, fixed, width = table_width(o);
	int tw = 5;

	e = tally__sorted(t, o->sort, &nr);
	rows = calloc(nr ? nr : 1, sizeof(*rows));
	if (!e || !rows) {
		free(rows);
		return -ENOMEM;
	}
	for (i = 0; i < nr && (!o->nr_rows || nr_rows < o->nr_rows); i++) {
		struct row *r = &rows[nr_rows];

		make_row(r, e[i].name, e[i].self, e[i].total, sum, o->unit);
		if (!strcmp(o->sort == TALLY_SORT_SELF ? r->self_pct
						       : r->total_pct,
			    "0.0%"))
			break; /* sorted: the rest show 0.0% too */
		nr_rows++;
	}
	make_row(&total, "total", sum, sum, sum, o->unit);
	for (i = 0; i < nr_rows; i++) {
		if ((int)strlen(rows[i].self) > tw)
			tw = (int)strlen(rows[i].self);
		if ((int)strlen(rows[i].total) > tw)
			tw = (int)strlen(rows[i].total);
	}
	if ((int)strlen(total.self) > tw)
		tw = (int)strlen(total.self);
	fixed = 2 * (size_t)tw + 18;
	name_cols =
	    width > fixed + MIN_NAME_COLS ? width - fixed : MIN_NAME_COLS;

	printf("%*s %6s  %*s %6s  %s\n", tw, "self", "self%", tw, "total",
	       "total%", heads[!!(o->flags & TALLY_PYTHON)][o->by]);
	for (i = 0; i < nr_rows; i++)
		print_row(&rows[i], tw, name_cols);
	if (!nr_rows)
		printf("%*s  (no %s%s above 0.0%%)\n", 2 * tw + 16, "",
		       o->flags & TALLY_PYTHON ? "Python " : "",
		       o->by == TALLY_BY_FILE ? "file" : "function");
	print_row(&total, tw, name_cols);
	free(rows);
	return 0;
}

/* ---- --compare: the change from BEFORE's tally to the inputs' ---- */

struct change {
	const char *name;
	double before, after;
};

static int entry_by_name(const void *a, const void *b)
{
	return strcmp(((const struct tally_entry *)a)->name,
		      ((const struct tally_entry *)b)->name);
}

/* Largest change first, ties by name. */
static int by_change(const void *a, const void *b)
{
	const struct change *x = a, *y = b;
	double dx = fabs(x->after - x->before), dy = fabs(y->after - y->before);

	if (dx != dy)
		return dx < dy ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* The weight (self or total, as --sort says) of every key of b and a,
 * joined by name, into *out (*nr of them), largest change first. */
static int join(const struct opts *o, struct tally *b, struct tally *a,
		struct change **out, size_t *nr)
{
	const struct tally_entry *eb = NULL, *ea = NULL;
	struct tally_entry *sb = NULL, *sa = NULL;
	size_t nb = 0, na = 0, i = 0, j = 0, n = 0;
	struct change *c = NULL;
	int err = -ENOMEM;

	if (!(eb = tally__sorted(b, o->sort, &nb)) ||
	    !(sb = malloc((nb ? nb : 1) * sizeof(*sb))))
		goto out;
	memcpy(sb, eb, nb * sizeof(*sb));
	if (!(ea = tally__sorted(a, o->sort, &na)) ||
	    !(sa = malloc((na ? na : 1) * sizeof(*sa))) ||
	    !(c = calloc(nb + na + 1, sizeof(*c))))
		goto out;
	memcpy(sa, ea, na * sizeof(*sa));
	qsort(sb, nb, sizeof(*sb), entry_by_name);
	qsort(sa, na, sizeof(*sa), entry_by_name);
	while (i < nb || j < na) {
		int cmp = i == nb ? 1 : j == na ? -1
						: strcmp(sb[i].name, sa[j].name);
		const struct tally_entry *x = cmp <= 0 ? &sb[i] : &sa[j];

		c[n].name = x->name;
		if (cmp <= 0)
			c[n].before = o->sort == TALLY_SORT_SELF ? sb[i].self
								 : sb[i].total;
		if (cmp >= 0)
			c[n].after = o->sort == TALLY_SORT_SELF ? sa[j].self
								: sa[j].total;
		i += cmp <= 0;
		j += cmp >= 0;
		n++;
	}
	qsort(c, n, sizeof(*c), by_change);
	*out = c;
	*nr = n;
	c = NULL;
	err = 0;
out:
	free(sb);
	free(sa);
	free(c);
	return err;
}

static void format_change(char *buf, size_t size, double d, enum unit unit)
{
	char w[32];

	format_weight(w, sizeof(w), fabs(d), unit);
	snprintf(buf, size, "%s%s", d < 0 ? "-" : d > 0 ? "+" : "", w);
}

static void format_change_pct(char *buf, size_t size, double before,
			      double after)
{
	if (before > 0)
		snprintf(buf, size, "%+.1f%%", 100 * (after - before) / before);
	else
		snprintf(buf, size, "new");
}

struct crow {
	char before[32], after[32], change[40], pct[16];
};

static void make_crow(struct crow *r, double before, double after,
		      enum unit unit)
{
	format_weight(r->before, sizeof(r->before), before, unit);
	format_weight(r->after, sizeof(r->after), after, unit);
	format_change(r->change, sizeof(r->change), after - before, unit);
	format_change_pct(r->pct, sizeof(r->pct), before, after);
}

/* The table of --compare: the keys whose weight changed most (at most
 * o->nr_rows, none whose change is under 0.5% of BEFORE's total), then
 * the totals and the speed-up. 0 or -ENOMEM. */
static int print_compare(const struct opts *o, struct tally *b,
			 struct tally *a)
{
	static const char *const heads[2][2] = {
	    {"function", "file"},
	    {"Python function", "Python file"},
	};
	double sum_b = tally__sum(b), sum_a = tally__sum(a);
	struct change *c;
	struct crow *rows, total;
	size_t nr, nr_rows = 0, i, name_cols, width = table_width(o);
	char speed[64];
	int tw = 6;

	if (join(o, b, a, &c, &nr))
		return -ENOMEM;
	rows = calloc(nr ? nr : 1, sizeof(*rows));
	if (!rows) {
		free(c);
		return -ENOMEM;
	}
	for (i = 0; i < nr && (!o->nr_rows || nr_rows < o->nr_rows); i++) {
		if (fabs(c[i].after - c[i].before) < 0.005 * sum_b)
			break;	/* sorted: the rest changed less */
		make_crow(&rows[nr_rows++], c[i].before, c[i].after, o->unit);
	}
	make_crow(&total, sum_b, sum_a, o->unit);
	for (i = 0; i <= nr_rows; i++) {
		const struct crow *r = i < nr_rows ? &rows[i] : &total;

		tw = (int)strlen(r->before) > tw ? (int)strlen(r->before) : tw;
		tw = (int)strlen(r->after) > tw ? (int)strlen(r->after) : tw;
		tw = (int)strlen(r->change) > tw ? (int)strlen(r->change) : tw;
	}
	name_cols = width > 3 * (size_t)tw + 13 + MIN_NAME_COLS
			    ? width - 3 * (size_t)tw - 13
			    : MIN_NAME_COLS;
	printf("%*s %*s %*s %8s  %s\n", tw, "before", tw, "after", tw,
	       "change", "change%", heads[!!(o->flags & TALLY_PYTHON)][o->by]);
	for (i = 0; i < nr_rows; i++) {
		printf("%*s %*s %*s %8s  ", tw, rows[i].before, tw,
		       rows[i].after, tw, rows[i].change, rows[i].pct);
		put_name(c[i].name, name_cols);
		putchar('\n');
	}
	if (!nr_rows)
		printf("%*s  (no %s%s changed by 0.5%% or more)\n",
		       3 * tw + 11, "", o->flags & TALLY_PYTHON ? "Python " : "",
		       o->by == TALLY_BY_FILE ? "file" : "function");
	if (sum_a > 0 && sum_b >= sum_a)
		snprintf(speed, sizeof(speed), "total, %.2fx faster",
			 sum_b / sum_a);
	else if (sum_b > 0 && sum_a > sum_b)
		snprintf(speed, sizeof(speed), "total, %.2fx slower",
			 sum_a / sum_b);
	else
		snprintf(speed, sizeof(speed), "total");
	printf("%*s %*s %*s %8s  %s\n", tw, total.before, tw, total.after, tw,
	       total.change, total.pct, speed);
	free(rows);
	free(c);
	return 0;
}

static int run(const struct opts *o)
{
	struct tally *t = tally__new(o->by, o->flags);
	struct tally *before = o->before ? tally__new(o->by, o->flags) : NULL;
	struct folded_read in = {
		.is_one_count = 1, .diag = &diag,
		.max_reports = MAX_LINE_REPORTS,
	};
	int status = EXIT_FATAL;

	if (!t || (o->before && !before)) {
		diag__emit(&diag, DIAG_ERROR, "out of memory");
		goto cleanup;
	}
	if (o->before) {
		char *files[] = {(char *)o->before};

		if (folded__read_files(files, 1, &in, add_line, before))
			goto cleanup;
		if (!(tally__sum(before) > 0)) {
			diag__emit(&diag, DIAG_ERROR, "no weight in '%s'",
				   o->before);
			goto cleanup;
		}
		in.nr_lines = in.nr_nonblank = 0;
	}
	if (folded__read_files(o->files, o->nr_files, &in, add_line, t))
		goto cleanup;
	if (in.nr_malformed > MAX_LINE_REPORTS)
		diag__emit(&diag, DIAG_WARN,
			   "skipped %llu invalid lines in all",
			   (unsigned long long)in.nr_malformed);
	if (!in.nr_lines) {
		diag__emit(&diag, DIAG_ERROR,
			   in.nr_nonblank ? "no valid folded line in input"
					  : "input is empty");
		goto cleanup;
	}
	if (!(tally__sum(t) > 0)) {
		diag__emit(&diag, DIAG_ERROR, "all weights in input are zero");
		goto cleanup;
	}
	if (before ? print_compare(o, before, t) : print_table(o, t)) {
		diag__emit(&diag, DIAG_ERROR, "out of memory");
		goto cleanup;
	}
	if (fflush(stdout) || ferror(stdout)) {
		diag__emit(&diag, DIAG_ERROR, "cannot write the table: %s",
			   strerror(errno));
		goto cleanup;
	}
	status = in.nr_malformed ? EXIT_PARTIAL : EXIT_OK;
cleanup:
	tally__free(before);
	tally__free(t);
	return status;
}

int main(int argc, char **argv)
{
	struct opts o = {
	    .nr_rows = 20,
	    .by = TALLY_BY_FUNCTION,
	    .sort = TALLY_SORT_SELF,
	    .unit = UNIT_NS,
	};
	struct argp argp = {options, parse_opt, "[FILE...]", doc,
			    NULL,    NULL,	NULL};

	argp_err_exit_status = EXIT_USAGE;
	argv[0] = (char *)TOOL; /* getopt names the tool by argv[0] */
	if (argp_parse(&argp, argc, argv, 0, NULL, &o))
		return EXIT_USAGE;
	return run(&o);
}
