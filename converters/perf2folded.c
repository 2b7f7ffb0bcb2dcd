/* perf2folded: perf profiles -> folded stacks.
 *
 * Reads perf.data (file or pipe format; datafold) or `perf script` text
 * (scriptparse), told apart by their first bytes (perfconv), and writes one
 * `frame;frame;... WEIGHT` line per distinct stack through the shared
 * folder: the format of FlameGraph's stackcollapse-perf.pl, with its
 * options, plus the Python view. This file only parses options, wires the
 * modules and words the messages.
 */
#include <argp.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "folder.h"
#include "perfconv.h"

static int run(const struct perfconv_opts *o)
{
	struct diag d = {perfconv__emit, (void *)o};
	struct folder_stats st;
	struct folder *f;
	FILE *out = stdout;
	int status = PERFCONV_EXIT_FATAL;
	bool is_partial;

	f = folder__new(&o->folder);
	if (!f) {
		diag__emit(&d, DIAG_ERROR, "out of memory");
		goto cleanup;
	}
	if (perfconv__read(o, f, NULL, &d, &is_partial))
		goto cleanup;
	folder__stats(f, &st);
	perfconv__report(&st, o, &d);
	if (o->output && !(out = fopen(o->output, "w"))) {
		diag__emit(&d, DIAG_ERROR, "cannot write '%s': %s", o->output,
			   strerror(errno));
		goto cleanup;
	}
	if (folder__write(f, out) < 0 || (o->output && fclose(out))) {
		diag__emit(&d, DIAG_ERROR, "cannot write '%s': %s",
			   o->output ? o->output : "<stdout>", strerror(errno));
		goto cleanup;
	}
	status = perfconv__status(&st, is_partial, &d);
cleanup:
	folder__free(f);
	return status;
}

enum { OPT_PID = 512, OPT_TID };

/* The root frame's naming, folded text's alone: the other converters
 * say whose a sample is in labels or profile names. */
static const struct argp_option options[] = {
	{"pid", OPT_PID, NULL, 0, "Root frame is comm-PID", 1},
	{"tid", OPT_TID, NULL, 0, "Root frame is comm-PID/TID", 1},
	{0},
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct perfconv_opts *o = state->input;

	(void)arg;
	switch (key) {
	case ARGP_KEY_INIT: state->child_inputs[0] = o; break;
	case OPT_PID: o->folder.names.include_pid = true; break;
	case OPT_TID: o->folder.names.include_tid = true; break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const char *argp_program_version = "perf2folded " PERFFOLD_VERSION;

static const char doc[] =
	"Turn perf profiles into folded stacks (one line per distinct stack,"
	" root first, with its weight), for flamesvg or flamegraph.pl.\n\n"
	"Reads perf.data (file or pipe format, as perf record -o - writes it) or "
	"perf script output, told apart by their first bytes, from FILEs, or "
	"stdin when none or '-' (./perf.data when stdin is a terminal).\n"
	"perf.data recorded with --call-graph dwarf is unwound here, through "
	"CPython's perf trampolines, so Python stacks reach their root even "
	"without frame pointers.\n"
	"\vEXAMPLES:\n"
	"  perf2folded perf.data > out.folded\n"
	"  perf record --call-graph dwarf,65528 -- python3.12 -X perf app.py\n"
	"  perf2folded --no-inline perf.data | flamesvg > out.svg\n"
	"  perf2folded --no-cache perf.data > out.folded   # nothing kept\n"
	"  perf2folded --force --perf-map-dir copied/ perf.data   # maps of another user\n"
	"  PERFFOLD_CACHE_DIR=/tmp/pfc perf2folded perf.data > out.folded\n"
	"  perf record -g -o - -- ./prog | perf2folded | flamesvg > out.svg\n"
	"  perf script | perf2folded > out.folded\n"
	"  perf script | perf2folded --kernel --pid | flamesvg > out.svg\n"
	"  perf2folded --event-filter=cycles --weight=samples script.txt\n"
	"  perf record -g -- python3.12 -X perf prog.py; perf2folded --python\n"
	"  " PERFCONV_OFFCPU_RECORD "\n"
	"  perf2folded --wall --python perf.data | flamesvg --countname us\n"
	"  " PERFCONV_OFFCPU_SCRIPT " | perf2folded --off-cpu\n\n"
	"Exit status: 0 ok, 1 some input was skipped (said on stderr) or no "
	"samples, 2 fatal error, 64 usage.";

int main(int argc, char **argv)
{
	static struct perfconv_opts o = {.prog = "perf2folded"};
	static const struct argp_child children[] = {
		{&perfconv__argp, 0, NULL, 0},
		{0},
	};
	struct argp argp = {options, parse_opt, "[FILE...]", doc, children, 0,
			    0};

	perfconv__parse(&argp, argc, argv, &o);
	return run(&o);
}
