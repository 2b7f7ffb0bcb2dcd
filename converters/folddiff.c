/* folddiff: two folded profiles -> the differential form `stack BEFORE AFTER`.
 *
 * Reads BEFORE and AFTER (folded stacks, `stack COUNT`) on two threads, each
 * into a table of its own which it then sorts, and writes every stack of
 * either, merging the two sorted lists, 0 where a stack is absent, sorted
 * bytewise: what FlameGraph's difffolded.pl prints, and what
 * flamesvg draws as a differential flame graph. -n and -s do what they do
 * to difffolded.pl. This file parses options, wires foldtab and words the
 * messages.
 */
#include <argp.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "foldtab.h"

#define TOOL "folddiff"
#define MAX_LINE_REPORTS 10

enum exit_status { EXIT_OK = 0, EXIT_PARTIAL = 1, EXIT_FATAL = 2,
		   EXIT_USAGE = 64 };

struct opts {
	const char *files[2];	/* BEFORE, AFTER; "-" is stdin */
	int nr_files;
	bool is_normalize;
	bool is_strip_hex;
};

const char *argp_program_version = TOOL " " PERFFOLD_VERSION;
const char *argp_program_bug_address = NULL;

static const char doc[] =
	"Compare two folded profiles: print `stack BEFORE AFTER` for every "
	"stack of either file (0 where absent), sorted by stack, for a "
	"differential flame graph."
	"\vBEFORE or AFTER may be - for stdin. Counts may be fractional. "
	"Malformed lines are reported with their file and line number and "
	"skipped.\n\n"
	"Exit status: 0 ok, 1 some input lines were skipped, 2 fatal error, "
	"64 usage error.\n\n"
	"Examples:\n"
	"  folddiff before.folded after.folded | flamesvg > diff.svg\n"
	"  folddiff -n before.folded after.folded | flamesvg > diff.svg\n"
	"  folddiff after.folded before.folded | flamesvg --negate > diff1.svg\n"
	"  folddiff -s old.folded new.folded > diff.folded";

static const struct argp_option options[] = {
	{ "normalize", 'n', NULL, 0,
	  "scale BEFORE's counts to AFTER's total (each truncated to an "
	  "integer, as difffolded.pl -n)", 0 },
	{ "strip-hex", 's', NULL, 0,
	  "replace hex numbers (0x1a2b) in stacks by 0x... before comparing",
	  0 },
	{ 0 }
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct opts *o = state->input;

	switch (key) {
	case 'n': o->is_normalize = true; break;
	case 's': o->is_strip_hex = true; break;
	case ARGP_KEY_ARG:
		if (o->nr_files == 2)
			argp_error(state, "too many files: '%s'", arg);
		o->files[o->nr_files++] = arg;
		break;
	case ARGP_KEY_END:
		if (o->nr_files < 2)
			argp_error(state, "BEFORE and AFTER are required");
		if (!strcmp(o->files[0], "-") && !strcmp(o->files[1], "-"))
			argp_error(state, "only one of BEFORE and AFTER can be stdin");
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

static const struct diag diag = { .emit = emit };

/* The scratch text strip_hex() writes stacks to, reused line to line. */
struct hexbuf {
	char *buf;
	size_t cap;
	bool is_oom;	/* a stack could not be rewritten */
};

static size_t strip_hex(void *ctx, const char **stack, size_t len);

/* One input and what reading it made: its own table (one column), its
 * scratch text for -s, and its messages, held until both files are read so
 * that they come out in the order a one-file-after-the-other read gives. */
struct side {
	const char *path;
	struct foldtab *t;
	struct foldtab_read r;
	struct hexbuf hex;
	struct diag diag;	/* captures into msgs */
	struct msg {
		enum diag_level level;
		char *text;
	} *msgs;
	size_t nr_msgs, msgs_cap;
	bool is_msg_oom;
	int err;
};

static void capture(void *ctx, enum diag_level level, const char *msg)
{
	struct side *s = ctx;

	if (s->nr_msgs == s->msgs_cap) {
		size_t cap = s->msgs_cap ? s->msgs_cap * 2 : 16;
		struct msg *m = realloc(s->msgs, cap * sizeof(*m));

		if (!m) {
			s->is_msg_oom = true;
			return;
		}
		s->msgs = m;
		s->msgs_cap = cap;
	}
	s->msgs[s->nr_msgs].text = strdup(msg);
	if (!s->msgs[s->nr_msgs].text) {
		s->is_msg_oom = true;
		return;
	}
	s->msgs[s->nr_msgs++].level = level;
}

/* Read one file into its side's table and sort it; on a thread of its own
 * for AFTER. Messages go to the side's capture; s->err is 0 or -errno. */
static void *read_side(void *arg)
{
	struct side *s = arg;
	bool is_stdin = !strcmp(s->path, "-");
	FILE *f = is_stdin ? stdin : fopen(s->path, "r");

	s->r.name = is_stdin ? "<stdin>" : s->path;
	if (!f) {
		s->err = -errno;
		diag__emit(&s->diag, DIAG_ERROR, "cannot read '%s': %s",
			   s->r.name, strerror(errno));
		return NULL;
	}
	s->err = foldtab__read(s->t, f, &s->r);
	if (s->err)
		diag__emit(&s->diag, DIAG_ERROR, "cannot read '%s': %s",
			   s->r.name,
			   strerror(s->err == -EIO ? errno : -s->err));
	if (!is_stdin)
		fclose(f);
	if (!s->err && (s->err = foldtab__sort(s->t)))
		diag__emit(&s->diag, DIAG_ERROR, "out of memory");
	return NULL;
}

/* Print a side's messages, the malformed-line ones only while fewer than
 * MAX_LINE_REPORTS have been printed in all (*nr_reported counts them). */
static void print_msgs(const struct side *s, uint64_t *nr_reported)
{
	size_t i;

	for (i = 0; i < s->nr_msgs; i++) {
		if (s->msgs[i].level == DIAG_WARN &&
		    ++*nr_reported > MAX_LINE_REPORTS)
			continue;
		diag__emit(&diag, s->msgs[i].level, "%s", s->msgs[i].text);
	}
}

static void side_init(struct side *s, const char *path, const struct opts *o)
{
	s->path = path;
	s->t = foldtab__new(1);
	s->diag = (struct diag){ .emit = capture, .ctx = s };
	s->r = (struct foldtab_read){
		.diag = &s->diag, .max_reports = MAX_LINE_REPORTS,
		.edit = o->is_strip_hex ? strip_hex : NULL, .ctx = &s->hex,
	};
}

static void side_release(struct side *s)
{
	size_t i;

	for (i = 0; i < s->nr_msgs; i++)
		free(s->msgs[i].text);
	free(s->msgs);
	free(s->hex.buf);
	foldtab__free(s->t);
}

/* difffolded.pl -n: BEFORE's counts times AFTER's total over BEFORE's,
 * truncated toward zero (Perl's int()). */
static double normalize(double w, void *ctx)
{
	const double *ratio = ctx;	/* { after total, before total } */

	return trunc(w * ratio[0] / ratio[1]);
}

/* Read BEFORE here and AFTER on a thread (one after the other when both
 * are stdin, or no thread can start): each into its own sorted table. */
static void read_both(struct side *before, struct side *after)
{
	pthread_t tid;
	bool is_threaded = strcmp(before->path, "-") ||
			   strcmp(after->path, "-");

	if (is_threaded && pthread_create(&tid, NULL, read_side, after))
		is_threaded = false;
	read_side(before);
	if (is_threaded)
		pthread_join(tid, NULL);
	else
		read_side(after);
}

static int run(const struct opts *o)
{
	struct side sides[2] = { 0 };
	struct side *before = &sides[0], *after = &sides[1];
	static char outbuf[1 << 20];
	uint64_t nr_reported = 0, nr_malformed;
	double totals[2];
	int status = EXIT_FATAL, err;

	side_init(before, o->files[0], o);
	side_init(after, o->files[1], o);
	if (!before->t || !after->t) {
		diag__emit(&diag, DIAG_ERROR, "out of memory");
		goto cleanup;
	}
	read_both(before, after);
	print_msgs(before, &nr_reported);
	if (before->err)
		goto cleanup;
	print_msgs(after, &nr_reported);
	if (after->err)
		goto cleanup;
	if (before->hex.is_oom || after->hex.is_oom || before->is_msg_oom ||
	    after->is_msg_oom) {
		diag__emit(&diag, DIAG_ERROR, "out of memory");
		goto cleanup;
	}
	nr_malformed = before->r.nr_malformed + after->r.nr_malformed;
	if (nr_malformed > MAX_LINE_REPORTS)
		diag__emit(&diag, DIAG_WARN, "skipped %llu malformed lines in all",
			   (unsigned long long)nr_malformed);
	totals[0] = foldtab__total(after->t, 0);
	totals[1] = foldtab__total(before->t, 0);
	/* all-zero BEFORE: nothing to scale (difffolded.pl divides by zero) */
	if (o->is_normalize && totals[0] != totals[1] && totals[1] > 0)
		foldtab__map(before->t, 0, normalize, totals);
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	err = foldtab__write_pair(before->t, after->t, stdout);
	if (err) {
		diag__emit(&diag, DIAG_ERROR, "cannot write output: %s",
			   strerror(err == -EIO ? errno : -err));
		goto cleanup;
	}
	status = nr_malformed ? EXIT_PARTIAL : EXIT_OK;
cleanup:
	side_release(before);
	side_release(after);
	return status;
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

/* difffolded.pl -s: s/0x[0-9a-fA-F]+/0x.../g on the stack. A stack
 * without "0x" is left where it is; one with is rewritten into h. */
static size_t strip_hex(void *ctx, const char **stack, size_t len)
{
	struct hexbuf *h = ctx;
	const char *s = *stack;
	/* `0x1` (3 bytes) becomes `0x...` (5): at most 5/3 of the input */
	size_t i = 0, o = 0, need = len / 3 * 5 + 8;

	if (!memmem(s, len, "0x", 2))
		return len;
	if (need > h->cap) {
		char *p = realloc(h->buf, need);

		if (!p) {
			h->is_oom = true;
			return 0;
		}
		h->buf = p;
		h->cap = need;
	}
	while (i < len) {
		if (s[i] == '0' && i + 2 < len && s[i + 1] == 'x' &&
		    is_hex(s[i + 2])) {
			for (i += 2; i < len && is_hex(s[i]); i++)
				;
			memcpy(h->buf + o, "0x...", 5);
			o += 5;
		} else {
			h->buf[o++] = s[i++];
		}
	}
	*stack = h->buf;
	return o;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct argp argp = { options, parse_opt, "BEFORE AFTER", doc, NULL,
			     NULL, NULL };

	argp_err_exit_status = EXIT_USAGE;
	argv[0] = (char *)TOOL;	/* getopt names the tool by argv[0] */
	if (argp_parse(&argp, argc, argv, 0, NULL, &o))
		return EXIT_USAGE;
	return run(&o);
}
