/* flamesvg: folded stacks -> interactive SVG flame graph.
 *
 * Reads folded stacks (from perf2folded, stackcollapse-*.pl, inferno or any
 * collapser) from files or stdin, merges them into one prefix tree and
 * writes a self-contained SVG with its own script to stdout.
 */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "flametree.h"
#include "folded.h"
#include "numarg.h"
#include "palette.h"
#include "svgwrite.h"

#define TOOL "flamesvg"
#define MAX_LINE_REPORTS 10

enum exit_status { EXIT_OK = 0, EXIT_PARTIAL = 1, EXIT_FATAL = 2,
		   EXIT_USAGE = 64 };

struct opts {
	char **files;		/* NULL-terminated; none = stdin */
	int nr_files;
	struct svg_opts svg;
	enum palette_kind palette;
	const char *palette_map;	/* --cp file, or NULL */
	unsigned tree_flags;
	double factor;
};

enum {
	OPT_TITLE = 0x100, OPT_SUBTITLE, OPT_WIDTH, OPT_HEIGHT, OPT_FONTSIZE,
	OPT_FONTTYPE, OPT_MINWIDTH, OPT_COUNTNAME, OPT_NAMETYPE, OPT_NOTES,
	OPT_COLORS, OPT_BGCOLORS, OPT_CP, OPT_FLAMECHART, OPT_INVERTED,
	OPT_REVERSE, OPT_FACTOR, OPT_TOTAL, OPT_NEGATE, OPT_WIDTHS, OPT_TRUNCATE,
};

const char *argp_program_version = TOOL " " PERFFOLD_VERSION;
const char *argp_program_bug_address = NULL;

static const char doc[] =
	"Render folded stacks as an interactive SVG flame graph on stdout."
	"\vFILEs are merged; with no FILE, or when FILE is -, read stdin. "
	"Lines are `frame;frame;... COUNT`, or `frame;... BEFORE AFTER` for a "
	"differential graph (width from AFTER, red = grew, blue = shrank).\n\n"
	"Palettes: hot (default), mem, io, wakeup, java, js, perl, red, green, "
	"blue, aqua, yellow, purple, orange, python.\n\n"
	"Exit status: 0 ok, 1 some input lines were skipped, 2 fatal error, "
	"64 usage error.\n\n"
	"Examples:\n"
	"  perf2folded perf.data | flamesvg > prof.svg\n"
	"  flamesvg --colors python --title 'my job' job.folded > job.svg\n"
	"  flamesvg --flamechart --width 1800 trace.folded > chart.svg\n"
	"  folddiff before.folded after.folded | flamesvg > diff.svg\n"
	"  folddiff before.folded after.folded | flamesvg --widths before > went.svg";

static const struct argp_option options[] = {
	{ NULL, 0, NULL, 0, "Layout:", 1 },
	{ "flamechart", OPT_FLAMECHART, NULL, 0,
	  "keep input order, time on x (no sorting or merging)", 1 },
	{ "inverted", OPT_INVERTED, NULL, 0, "icicle graph: root at the top",
	  1 },
	{ "reverse", OPT_REVERSE, NULL, 0, "reverse stacks: leaf at the root",
	  1 },
	{ "width", OPT_WIDTH, "PX", 0,
	  "fixed image width (default: fluid, 100% of the window)", 1 },
	{ "height", OPT_HEIGHT, "PX", 0, "frame height (default 16)", 1 },
	{ "fontsize", OPT_FONTSIZE, "PX", 0, "font size (default 12)", 1 },
	{ "fonttype", OPT_FONTTYPE, "FONT", 0, "font family (default Verdana)",
	  1 },
	{ "minwidth", OPT_MINWIDTH, "PX|PCT%", 0,
	  "prune frames narrower than this (default 0.1 px of 1200)", 1 },
	{ NULL, 0, NULL, 0, "Text:", 2 },
	{ "title", OPT_TITLE, "TEXT", 0, "title (default Flame Graph)", 2 },
	{ "subtitle", OPT_SUBTITLE, "TEXT", 0, "second title line", 2 },
	{ "countname", OPT_COUNTNAME, "WORD", 0,
	  "what counts count (default samples)", 2 },
	{ "nametype", OPT_NAMETYPE, "TEXT", 0,
	  "details line prefix (default Function:)", 2 },
	{ "notes", OPT_NOTES, "TEXT", 0, "notes kept in the SVG's <desc>", 2 },
	{ "truncate", OPT_TRUNCATE, "SIDE", 0,
	  "cut long labels on the right (default) or left", 2 },
	{ NULL, 0, NULL, 0, "Counts:", 3 },
	{ "factor", OPT_FACTOR, "F", 0, "multiply every count by F", 3 },
	{ "total", OPT_TOTAL, "N", 0,
	  "count of the full width, to compare graphs (at least the sum)", 3 },
	{ "negate", OPT_NEGATE, NULL, 0, "differential: swap red and blue", 3 },
	{ "widths", OPT_WIDTHS, "COLUMN", 0,
	  "differential: frame widths from the after (default) or before "
	  "counts (what shrank or went stays in sight)", 3 },
	{ NULL, 0, NULL, 0, "Colours:", 4 },
	{ "colors", OPT_COLORS, "PALETTE", 0, "palette (default hot)", 4 },
	{ "bgcolors", OPT_BGCOLORS, "BG", 0,
	  "background: yellow, blue, green, grey or #rrggbb", 4 },
	{ "cp", OPT_CP, "FILE", OPTION_ARG_OPTIONAL,
	  "keep colours in a palette map (default palette.map): read it, "
	  "add new names, write it back", 4 },
	{ 0 }
};

static int parse_double(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return errno || end == s || *end || !(*out >= 0) || *out > 1e300 ?
	       -EINVAL : 0;
}

/* A size in pixels: numarg's integer, as an unsigned. */
static int parse_px(const char *s, unsigned min, unsigned max, unsigned *out)
{
	unsigned long v;

	if (numarg__ulong(s, min, max, &v))
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

static void parse_minwidth(const char *arg, struct argp_state *state,
			   struct svg_opts *so)
{
	size_t len = strlen(arg);
	char buf[64];

	if (len && len < sizeof(buf) && arg[len - 1] == '%') {
		memcpy(buf, arg, len - 1);
		buf[len - 1] = '\0';
		so->is_min_width_pct = 1;
		arg = buf;
	}
	if (parse_double(arg, &so->min_width) ||
	    (so->is_min_width_pct && so->min_width > 100))
		argp_error(state, "invalid --minwidth '%s'", arg);
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct opts *o = state->input;
	struct svg_opts *so = &o->svg;
	int kind;

	switch (key) {
	case OPT_TITLE: so->title = arg; break;
	case OPT_SUBTITLE: so->subtitle = arg; break;
	case OPT_COUNTNAME: so->count_name = arg; break;
	case OPT_NAMETYPE: so->name_type = arg; break;
	case OPT_NOTES: so->notes = arg; break;
	case OPT_FONTTYPE: so->font_type = arg; break;
	case OPT_FLAMECHART: o->tree_flags |= FLAMETREE_CHART; break;
	case OPT_REVERSE: o->tree_flags |= FLAMETREE_REVERSE; break;
	case OPT_INVERTED: so->is_inverted = 1; break;
	case OPT_NEGATE: so->is_negate = 1; break;
	case OPT_WIDTHS:
		if (strcmp(arg, "after") && strcmp(arg, "before"))
			argp_error(state, "invalid --widths '%s' (after or "
				   "before)", arg);
		so->is_before_widths = !strcmp(arg, "before");
		break;
	case OPT_CP: o->palette_map = arg ? arg : "palette.map"; break;
	case OPT_WIDTH:
		if (parse_px(arg, 100, 1000000, &so->width))
			argp_error(state, "invalid --width '%s' (100 to 1000000)",
				   arg);
		break;
	case OPT_HEIGHT:
		if (parse_px(arg, 2, 1000, &so->frame_height))
			argp_error(state, "invalid --height '%s' (2 to 1000)", arg);
		break;
	case OPT_FONTSIZE:
		if (parse_px(arg, 1, 200, &so->font_size))
			argp_error(state, "invalid --fontsize '%s' (1 to 200)",
				   arg);
		break;
	case OPT_MINWIDTH:
		parse_minwidth(arg, state, so);
		break;
	case OPT_FACTOR:
		if (parse_double(arg, &o->factor) || o->factor == 0)
			argp_error(state, "invalid --factor '%s'", arg);
		break;
	case OPT_TOTAL:
		if (parse_double(arg, &so->total))
			argp_error(state, "invalid --total '%s'", arg);
		break;
	case OPT_COLORS:
		kind = palette__kind(arg);
		if (kind < 0)
			argp_error(state, "unknown palette '%s'", arg);
		o->palette = (enum palette_kind)kind;
		break;
	case OPT_BGCOLORS:
		if (!svgwrite__bgcolors_valid(arg))
			argp_error(state, "invalid --bgcolors '%s'", arg);
		so->bgcolors = arg;
		break;
	case OPT_TRUNCATE:
		if (strcmp(arg, "left") && strcmp(arg, "right"))
			argp_error(state, "invalid --truncate '%s' (left or right)",
				   arg);
		so->is_truncate_left = !strcmp(arg, "left");
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

static const struct diag diag = { .emit = emit };

struct input_state {
	struct folded_read rd;	/* nr_counts: 0 until the first valid line
				 * decides */
	struct flametree *tree;
	double factor;
	int is_before_widths;	/* svg_opts' */
};

static int add_line(void *ctx, const struct folded_line *fl)
{
	struct input_state *in = ctx;

	double before = fl->nr_counts == 2 ? fl->count[0] * in->factor : 0;
	double after = fl->count[fl->nr_counts - 1] * in->factor;

	in->rd.nr_counts = fl->nr_counts;
	if (fl->nr_counts == 2 && in->is_before_widths)
		return flametree__add(in->tree, fl->stack, fl->stack_len,
				      after, before);
	return flametree__add(in->tree, fl->stack, fl->stack_len, before,
			      after);
}

static void map_emit(void *ctx, enum diag_level level, const char *msg)
{
	(void)level;
	fprintf(stderr, TOOL ": cannot read '%s': %s\n", (const char *)ctx,
		msg);
}

/* Load the --cp map when it exists (a missing file starts an empty map);
 * reports its own errors. 0 or -errno. */
static int load_map(struct palette *p, const char *path)
{
	struct diag d = { .emit = map_emit, .ctx = (void *)path };
	FILE *f = fopen(path, "r");
	int err;

	if (!f) {
		if (errno == ENOENT)
			return 0;
		err = -errno;
		diag__emit(&d, DIAG_ERROR, "%s", strerror(errno));
		return err;
	}
	err = palette__load(p, f, &d);
	if (err && err != -EINVAL)
		diag__emit(&d, DIAG_ERROR, "%s", strerror(-err));
	fclose(f);
	return err;
}

static int save_map(const struct palette *p, const char *path)
{
	char tmp[4096];
	FILE *f;
	int err;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	err = palette__save(p, f);
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		remove(tmp);
	return err;
}

static int run(struct opts *o)
{
	struct flametree *tree = flametree__new(o->tree_flags);
	struct palette *pal = palette__new(o->palette);
	struct input_state in = {
		.rd = { .diag = &diag, .max_reports = MAX_LINE_REPORTS },
		.tree = tree, .factor = o->factor,
		.is_before_widths = o->svg.is_before_widths,
	};
	static char outbuf[1 << 20];
	struct flametree_node root;
	int status = EXIT_FATAL, err;

	if (!tree || !pal) {
		diag__emit(&diag, DIAG_ERROR, "out of memory");
		goto cleanup;
	}
	/* prune while building: what is too narrow to draw is never stored */
	flametree__prune_below(tree, svgwrite__min_fraction(&o->svg));
	if (folded__read_files(o->files, o->nr_files, &in.rd, add_line, &in))
		goto cleanup;
	if (in.rd.nr_malformed > MAX_LINE_REPORTS)
		diag__emit(&diag, DIAG_WARN, "skipped %llu invalid lines in all",
			   (unsigned long long)in.rd.nr_malformed);
	if (!in.rd.nr_lines) {
		diag__emit(&diag, DIAG_ERROR, in.rd.nr_nonblank ?
			   "no valid folded line in input" : "input is empty");
		goto cleanup;
	}
	if (flametree__finish(tree)) {
		diag__emit(&diag, DIAG_ERROR, "out of memory");
		goto cleanup;
	}
	flametree__node(tree, 0, &root);
	if (root.value <= 0) {
		diag__emit(&diag, DIAG_ERROR, "all counts in input are zero");
		goto cleanup;
	}
	if (o->svg.total && o->svg.total < root.value)
		diag__emit(&diag, DIAG_WARN,
			   "--total %g is less than the input's total %g; "
			   "using %g", o->svg.total, root.value, root.value);
	o->svg.is_diff = in.rd.nr_counts == 2;
	if (o->palette_map) {
		if (load_map(pal, o->palette_map))
			goto cleanup;
		palette__record(pal);
	}
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	err = svgwrite__render(tree, pal, &o->svg, stdout);
	if (err) {
		diag__emit(&diag, DIAG_ERROR, "cannot write the SVG: %s",
			   strerror(err == -EIO ? errno : -err));
		goto cleanup;
	}
	if (o->palette_map && (err = save_map(pal, o->palette_map))) {
		diag__emit(&diag, DIAG_ERROR, "cannot write '%s': %s",
			   o->palette_map, strerror(-err));
		goto cleanup;
	}
	status = in.rd.nr_malformed ? EXIT_PARTIAL : EXIT_OK;
cleanup:
	palette__free(pal);
	flametree__free(tree);
	return status;
}

int main(int argc, char **argv)
{
	struct opts o = {
		.svg = {
			.frame_height = 16, .font_size = 12,
			.font_type = "Verdana", .min_width = 0.1,
			.count_name = "samples", .name_type = "Function:",
			.bgcolors = NULL,
		},
		.palette = PALETTE_HOT,
		.factor = 1,
	};
	struct argp argp = { options, parse_opt, "[FILE...]", doc, NULL, NULL,
			     NULL };

	argp_err_exit_status = EXIT_USAGE;
	argv[0] = (char *)TOOL;	/* getopt names the tool by argv[0] */
	if (argp_parse(&argp, argc, argv, 0, NULL, &o))
		return EXIT_USAGE;
	if (!o.svg.title)
		o.svg.title = o.svg.is_inverted ? "Icicle Graph" :
			      o.tree_flags & FLAMETREE_CHART ? "Flame Chart" :
			      "Flame Graph";
	if (!o.svg.bgcolors)
		o.svg.bgcolors = o.palette == PALETTE_MEM ? "green" :
				 o.palette == PALETTE_IO ||
				 o.palette == PALETTE_WAKEUP ? "blue" : "yellow";
	return run(&o);
}
