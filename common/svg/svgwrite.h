/* svgwrite: a flametree -> one self-contained interactive SVG.
 *
 * Frames narrower than the minimum width are pruned here, before any byte
 * of them is written. Everything taken from input or options (frame names,
 * titles, notes, the font name) is XML-escaped; bytes that are not valid
 * UTF-8, and control characters XML 1.0 cannot carry, become U+FFFD. The
 * output depends only on the tree and the options: no dates, no randomness.
 */
#ifndef PERFFOLD_SVGWRITE_H
#define PERFFOLD_SVGWRITE_H

#include <stddef.h>
#include <stdio.h>

struct flametree;
struct palette;

struct svg_opts {
	unsigned width;		/* image width in px; 0 = fluid (100%) */
	unsigned frame_height;	/* px per level */
	unsigned font_size;	/* px */
	const char *font_type;
	double min_width;	/* prune frames narrower than this... */
	int is_min_width_pct;	/* ...in percent of the total, else px */
	const char *title, *subtitle, *count_name, *name_type, *notes;
	const char *bgcolors;	/* yellow, blue, green, grey or #rgb/#rrggbb */
	double total;		/* full width in counts; 0 = the tree's total */
	int is_inverted;	/* icicle: root at the top */
	int is_diff;		/* colour by before -> after */
	int is_negate;		/* swap the differential hues */
	int is_before_widths;	/* differential, drawn at the BEFORE counts'
				 * widths, so what shrank or went stays in
				 * sight: the tree's values are then the
				 * BEFORE counts, its befores the AFTER ones */
	int is_truncate_left;	/* cut long labels at the start, not the end */
};

/* Nominal width used for px options and first labels of a fluid graph. */
#define SVGWRITE_FLUID_WIDTH 1200

/* Write the graph of t (finished) to out, colouring with p.
 * 0, -ENOMEM, or -EIO when writing failed (errno says why). */
int svgwrite__render(const struct flametree *t, struct palette *p,
		     const struct svg_opts *o, FILE *out);

/* The smallest count a frame needs to be drawn, for a graph whose counts
 * add up to total: frames below it are pruned. */
double svgwrite__min_count(const struct svg_opts *o, double total);
/* The same as a fraction of the counts' sum: never more than what
 * svgwrite__min_count() prunes (with --total it prunes more). */
double svgwrite__min_fraction(const struct svg_opts *o);

/* Whether bgcolors names a background svgwrite__render() knows. */
int svgwrite__bgcolors_valid(const char *bgcolors);

/* XML-escape s[0..len) into dst, which must hold 8 * len + 1 bytes; NUL-
 * terminates and returns the length written. */
size_t svgwrite__escape(char *dst, const char *s, size_t len);

/* Length of name without a trailing flamegraph annotation (_[k], _[j],
 * _[i], _[w]), which labels and titles leave out. */
size_t svgwrite__strip_annotation(const char *name, size_t len);

#endif
