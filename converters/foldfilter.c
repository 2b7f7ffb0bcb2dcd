/* foldfilter: folded stacks -> folded stacks, edited frame by frame.
 *
 * Reads folded stacks from files or stdin, applies the edits asked for in
 * one fixed order (pid strip, recursion collapse, exclude, focus, prune;
 * foldedit does each on a stack's text), merges the stacks that became
 * equal and writes them sorted (foldtab). This file parses options,
 * compiles the regexes, wires the modules and words the messages.
 */
#include <argp.h>
#include <errno.h>
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "foldedit.h"
#include "foldtab.h"

#define TOOL "foldfilter"
#define MAX_LINE_REPORTS 10

enum exit_status { EXIT_OK = 0, EXIT_PARTIAL = 1, EXIT_FATAL = 2,
		   EXIT_USAGE = 64 };

enum { RE_EXCLUDE, RE_FOCUS, RE_PRUNE, NR_RES };

static const char *const re_option[NR_RES] = { "--exclude", "--focus",
					       "--prune" };

struct opts {
	char **files;		/* none = stdin; "-" is stdin */
	int nr_files;
	const char *re[NR_RES];	/* the regexes given, or NULL */
	bool is_strip_pids;
	bool is_collapse;
	bool is_verbose;
};

/* The edit run on every stack, and what it dropped. */
struct filter {
	const struct opts *o;
	regex_t re[NR_RES];
	struct foldedit_match match[NR_RES];
	char *buf;		/* the stack being edited, reused */
	size_t cap;
	bool is_oom;
	uint64_t nr_excluded, nr_unfocused;
	uint64_t nr_emptied;	/* stacks of empty frames only (`;;`) */
};

enum { OPT_COLLAPSE = 0x100, OPT_FOCUS, OPT_EXCLUDE, OPT_PRUNE,
       OPT_STRIP_PIDS };

const char *argp_program_version = TOOL " " PERFFOLD_VERSION;
const char *argp_program_bug_address = NULL;

static const char doc[] =
	"Edit folded stacks: collapse recursion, focus on, exclude or prune "
	"frames, merge pid roots. Writes the stacks sorted, stacks made equal "
	"merged."
	"\vFILEs are merged; with no FILE, or when FILE is -, read stdin. "
	"Edits run in this order, whatever the order of the options: "
	"--strip-pids, --collapse-recursion, --exclude, --focus, --prune. "
	"REGEX is a POSIX extended regex matched against each frame on its "
	"own (^ and $ anchor at the frame's bounds); each may be given once "
	"(join alternatives with |).\n\n"
	"Exit status: 0 ok, 1 some input lines were skipped, 2 fatal error, "
	"64 usage error.\n\n"
	"Examples:\n"
	"  perf2folded --python perf.data | foldfilter --collapse-recursion "
	"| flamesvg > prof.svg\n"
	"  foldfilter --focus '^handle_request' prof.folded | flamesvg > "
	"req.svg\n"
	"  foldfilter --exclude '^(gc|idle)' --prune 'json' prof.folded\n"
	"  perf2folded --pid perf.data | foldfilter --strip-pids";

static const struct argp_option options[] = {
	{ "strip-pids", OPT_STRIP_PIDS, NULL, 0,
	  "merge root frames comm-PID and comm-PID/TID into comm", 0 },
	{ "collapse-recursion", OPT_COLLAPSE, NULL, 0,
	  "merge runs of one frame (f;f;f -> f), as "
	  "stackcollapse-recursive.pl", 0 },
	{ "exclude", OPT_EXCLUDE, "REGEX", 0,
	  "drop stacks with a frame matching REGEX", 0 },
	{ "focus", OPT_FOCUS, "REGEX", 0,
	  "keep only stacks through a frame matching REGEX, re-rooted at the "
	  "first (outermost) such frame", 0 },
	{ "prune", OPT_PRUNE, "REGEX", 0,
	  "cut the frames below the first frame matching REGEX (their time "
	  "goes to it)", 0 },
	{ "verbose", 'v', NULL, 0,
	  "say how many lines were read, kept and dropped, and why", 0 },
	{ 0 }
};

static void set_re(struct argp_state *state, struct opts *o, int which,
		   const char *arg)
{
	if (o->re[which])
		argp_error(state, "%s given twice (join alternatives with |)",
			   re_option[which]);
	o->re[which] = arg;
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct opts *o = state->input;

	switch (key) {
	case OPT_STRIP_PIDS: o->is_strip_pids = true; break;
	case OPT_COLLAPSE: o->is_collapse = true; break;
	case OPT_EXCLUDE: set_re(state, o, RE_EXCLUDE, arg); break;
	case OPT_FOCUS: set_re(state, o, RE_FOCUS, arg); break;
	case OPT_PRUNE: set_re(state, o, RE_PRUNE, arg); break;
	case 'v': o->is_verbose = true; break;
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
	const struct opts *o = ctx;

	if (level == DIAG_INFO && !o->is_verbose)
		return;
	fprintf(stderr, TOOL ": %s\n", msg);
}

/* The edit foldtab__read() runs on each stack: copy, then edit in order. */
static size_t filter_stack(void *ctx, const char **stack, size_t len)
{
	struct filter *f = ctx;
	const struct opts *o = f->o;
	size_t end;

	if (len + 1 > f->cap) {
		char *p = realloc(f->buf, len + 1);

		if (!p) {
			f->is_oom = true;
			return 0;
		}
		f->buf = p;
		f->cap = len + 1;
	}
	memcpy(f->buf, *stack, len);
	f->buf[len] = '\0';	/* for regexec (foldedit__regex_frame()) */
	*stack = f->buf;
	if (o->is_strip_pids)
		len = foldedit__strip_pid(f->buf, len);
	if (o->is_collapse) {
		len = foldedit__collapse_recursion(f->buf, len);
		if (!len) {
			f->nr_emptied++;
			return 0;
		}
	}
	if (o->re[RE_EXCLUDE] &&
	    foldedit__find(f->buf, len, &f->match[RE_EXCLUDE], &end) >= 0) {
		f->nr_excluded++;
		return 0;
	}
	if (o->re[RE_FOCUS]) {
		len = foldedit__focus(f->buf, len, &f->match[RE_FOCUS]);
		if (!len) {
			f->nr_unfocused++;
			return 0;
		}
	}
	if (o->re[RE_PRUNE])
		len = foldedit__prune(f->buf, len, &f->match[RE_PRUNE]);
	return len;
}

/* Compile the regexes given; a bad one is a usage error (exit 64). The
 * number compiled goes to *nr, for freeing. */
static int compile(struct filter *f, const struct diag *d, int *nr)
{
	char msg[256];
	int i, err;

	for (i = 0; i < NR_RES; i++) {
		if (!f->o->re[i])
			continue;
		err = regcomp(&f->re[i], f->o->re[i], REG_EXTENDED | REG_NOSUB);
		if (err) {
			regerror(err, &f->re[i], msg, sizeof(msg));
			diag__emit(d, DIAG_ERROR, "invalid %s '%s': %s",
				   re_option[i], f->o->re[i], msg);
			return -EINVAL;
		}
		f->match[i].fn = foldedit__regex_frame;
		f->match[i].ctx = &f->re[i];
		nr[i] = 1;
	}
	return 0;
}

static int read_inputs(const struct opts *o, struct foldtab *t,
		       struct foldtab_read *r, const struct diag *d)
{
	static char *stdin_only[] = { "-", NULL };
	char **files = o->nr_files ? o->files : stdin_only;
	int i, nr = o->nr_files ? o->nr_files : 1, err = 0;

	for (i = 0; i < nr && !err; i++) {
		bool is_stdin = !strcmp(files[i], "-");
		FILE *f = is_stdin ? stdin : fopen(files[i], "r");

		r->name = is_stdin ? "<stdin>" : files[i];
		if (!f) {
			err = -errno;
			diag__emit(d, DIAG_ERROR, "cannot read '%s': %s",
				   r->name, strerror(errno));
			return err;
		}
		err = foldtab__read(t, f, r);
		if (err)
			diag__emit(d, DIAG_ERROR, "cannot read '%s': %s",
				   r->name, strerror(err == -EIO ? errno : -err));
		if (!is_stdin)
			fclose(f);
	}
	return err;
}

static int run(const struct opts *o)
{
	const struct diag d = { .emit = emit, .ctx = (void *)o };
	struct filter f = { .o = o };
	struct foldtab_read r = {
		.edit = filter_stack, .ctx = &f, .diag = &d,
		.max_reports = MAX_LINE_REPORTS,
	};
	struct foldtab *t = NULL;
	static char outbuf[1 << 20];
	int status = EXIT_FATAL, compiled[NR_RES] = { 0 }, i, err;

	if (compile(&f, &d, compiled)) {
		status = EXIT_USAGE;
		goto cleanup;
	}
	t = foldtab__new(1);
	if (!t) {
		diag__emit(&d, DIAG_ERROR, "out of memory");
		goto cleanup;
	}
	if (read_inputs(o, t, &r, &d))
		goto cleanup;
	if (f.is_oom) {
		diag__emit(&d, DIAG_ERROR, "out of memory");
		goto cleanup;
	}
	if (r.nr_malformed > MAX_LINE_REPORTS)
		diag__emit(&d, DIAG_WARN, "skipped %llu malformed lines in all",
			   (unsigned long long)r.nr_malformed);
	if (f.nr_emptied)
		diag__emit(&d, DIAG_WARN, "stacks of empty frames only, dropped when "
			   "recursion was collapsed: %llu",
			   (unsigned long long)f.nr_emptied);
	diag__emit(&d, DIAG_INFO,
		   "lines: %llu read, %llu kept, %llu dropped by --exclude, "
		   "%llu dropped by --focus, %llu malformed; stacks written: %zu",
		   (unsigned long long)r.nr_lines,
		   (unsigned long long)r.nr_kept,
		   (unsigned long long)f.nr_excluded,
		   (unsigned long long)f.nr_unfocused,
		   (unsigned long long)r.nr_malformed, foldtab__nr_stacks(t));
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	err = foldtab__write(t, stdout);
	if (err) {
		diag__emit(&d, DIAG_ERROR, "cannot write output: %s",
			   strerror(err == -EIO ? errno : -err));
		goto cleanup;
	}
	status = r.nr_malformed || f.nr_emptied ? EXIT_PARTIAL : EXIT_OK;
cleanup:
	for (i = 0; i < NR_RES; i++)
		if (compiled[i])
			regfree(&f.re[i]);
	free(f.buf);
	foldtab__free(t);
	return status;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct argp argp = { options, parse_opt, "[FILE...]", doc, NULL, NULL,
			     NULL };

	argp_err_exit_status = EXIT_USAGE;
	argv[0] = (char *)TOOL;	/* getopt names the tool by argv[0] */
	if (argp_parse(&argp, argc, argv, 0, NULL, &o))
		return EXIT_USAGE;
	return run(&o);
}
