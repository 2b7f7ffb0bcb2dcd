/* svgwrite: flame graph SVG writer (see svgwrite.h).
 *
 * Layout: a title band at the top, the frames, a details line at the
 * bottom. Frames live in a nested <svg id="frames"> 10 px in from each side,
 * as wide as the window in a fluid graph (the script resizes it) or fixed.
 * Inside it, <svg id="rects"> has a viewBox whose x runs 0..1 across the
 * full width and is stretched to the frame area, and draws every frame as
 * a subpath of one <path> per shade (colours are kept to 5 bits a channel
 * for that): a few hundred elements however many frames there are, where
 * one <rect> per frame made every zoom of a 50,000-frame graph repaint
 * 50,000 elements. Zooming sets that viewBox to the zoomed frame's range.
 * <g id="labels"> then holds a <text> for each frame wide enough to show
 * one, placed in percent (fluid) or px. A last script holds the table of
 * frames in depth-first pre-order: name, count, [before,] x, width, depth;
 * the script relies on that order (the subtree of a frame is the run of
 * deeper frames after it).
 */
#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flametree.h"
#include "palette.h"
#include "strutil.h"
#include "svgwrite.h"

extern const char flamesvg_js[];
extern const char flamesvg_css[];

#define PAD_X 10		/* px left and right of the frames */
#define CHAR_WIDTH 0.59		/* average glyph width, in font sizes */
#define MIN_LABEL_CHARS 3	/* narrower labels are left empty */

struct out {
	FILE *f;
	int err;
	size_t len;
	char buf[1 << 16];
};

static void flush(struct out *o)
{
	if (o->len && !o->err && fwrite(o->buf, 1, o->len, o->f) != o->len)
		o->err = -EIO;
	o->len = 0;
}

static void put(struct out *o, const char *s, size_t len)
{
	if (len > sizeof(o->buf) - o->len) {
		flush(o);
		if (len > sizeof(o->buf)) {
			if (!o->err && fwrite(s, 1, len, o->f) != len)
				o->err = -EIO;
			return;
		}
	}
	memcpy(o->buf + o->len, s, len);
	o->len += len;
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void printf_(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void printf_(struct out *o, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		put(o, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* Length of the valid UTF-8 sequence XML may carry at s, or 0: not the
 * control characters but tab, nor U+FFFE and U+FFFF (EF BF BE, EF BF BF). */
static size_t utf8_len(const unsigned char *s, size_t left)
{
	size_t n = strutil__utf8_len(s, left);

	if (n == 1 && s[0] < 0x20 && s[0] != '\t')
		return 0;
	if (n == 3 && s[0] == 0xef && s[1] == 0xbf && s[2] >= 0xbe)
		return 0;
	return n;
}

size_t svgwrite__escape(char *dst, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	char *d = dst;
	size_t i = 0, n;

	while (i < len) {
		const char *rep = NULL;

		switch (p[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		case '\t': rep = "&#9;"; break;
		}
		if (rep) {
			n = strlen(rep);
			memcpy(d, rep, n);
			d += n;
			i++;
			continue;
		}
		n = utf8_len(p + i, len - i);
		if (n) {
			memcpy(d, p + i, n);
			d += n;
			i += n;
		} else {
			memcpy(d, "\xef\xbf\xbd", 3);	/* U+FFFD */
			d += 3;
			i++;
		}
	}
	*d = '\0';
	return (size_t)(d - dst);
}

/* Escape into the output without an intermediate buffer per call. */
static void put_escaped(struct out *o, const char *s, size_t len)
{
	char tmp[8 * 256 + 1];

	while (len) {
		size_t chunk = len < 256 ? len : 256;

		/* never split a UTF-8 sequence between chunks */
		while (chunk < len && chunk > 252 &&
		       ((unsigned char)s[chunk] & 0xc0) == 0x80)
			chunk--;
		put(o, tmp, svgwrite__escape(tmp, s, chunk));
		s += chunk;
		len -= chunk;
	}
}

static void put_escaped_str(struct out *o, const char *s)
{
	put_escaped(o, s, strlen(s));
}

/* A JavaScript string literal that cannot end the CDATA section or the
 * script: everything outside printable ASCII but the quote-free, markup-free
 * range is written as \uXXXX (UTF-8 passes through when valid). */
static void put_js_string(struct out *o, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;
	char esc[8];

	put(o, "\"", 1);
	while (len) {
		if (*p < 0x80) {
			if (*p < 0x20 || strchr("\"\\<>&]'", *p)) {
				snprintf(esc, sizeof(esc), "\\u%04x", *p);
				put(o, esc, 6);
			} else {
				put(o, (const char *)p, 1);
			}
			n = 1;
		} else if ((n = utf8_len(p, len))) {
			put(o, (const char *)p, n);
		} else {
			put(o, "\\ufffd", 6);
			n = 1;
		}
		p += n;
		len -= n;
	}
	put(o, "\"", 1);
}

/* Fixed-point v with at most `decimals` decimals, trailing zeros cut. */
static void put_fixed(struct out *o, double v, unsigned decimals)
{
	static const double scale[] = { 1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7 };
	char buf[40], *e = buf + sizeof(buf), *p = e;
	int64_t n = llround(v * scale[decimals]);
	int is_neg = n < 0, seen = 0;
	unsigned i;

	if (is_neg)
		n = -n;
	for (i = 0; i < decimals; i++, n /= 10) {
		if (seen || n % 10) {
			*--p = (char)('0' + n % 10);
			seen = 1;
		}
	}
	if (seen)
		*--p = '.';
	do {
		*--p = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	if (is_neg)
		*--p = '-';
	put(o, p, (size_t)(e - p));
}

size_t svgwrite__strip_annotation(const char *name, size_t len)
{
	if (len >= 4 && name[len - 4] == '_' && name[len - 3] == '[' &&
	    name[len - 1] == ']' && strchr("kjiw", name[len - 2]) &&
	    name[len - 2])
		return len - 4;
	return len;
}

/* The label of a frame wpx wide: the name, cut with ".." to fit. */
static void put_label(struct out *o, const struct svg_opts *so,
		      const char *name, size_t len, double wpx)
{
	double room = (wpx - 6) / (so->font_size * CHAR_WIDTH);
	size_t fit = room > 0 ? (size_t)room : 0, chars, cut;

	if (fit < MIN_LABEL_CHARS)
		return;
	chars = strutil__utf8_count(name, len);
	if (chars <= fit) {
		put_escaped(o, name, len);
	} else if (so->is_truncate_left) {
		cut = strutil__utf8_offset(name, len, chars - (fit - 2));
		put(o, "..", 2);
		put_escaped(o, name + cut, len - cut);
	} else {
		cut = strutil__utf8_offset(name, len, fit - 2);
		put_escaped(o, name, cut);
		put(o, "..", 2);
	}
}

struct layout {
	double total;		/* counts across the full width */
	double frames_px;	/* width of the frame area, px */
	double min_count;	/* narrower frames are pruned */
	unsigned levels;	/* drawn depths, root included */
	unsigned height, top, bottom;	/* image height, bands */
	double max_delta;
};

static int is_drawn(const struct layout *l, const struct flametree_node *n)
{
	return n->value > 0 && n->value >= l->min_count;
}

double svgwrite__min_fraction(const struct svg_opts *so)
{
	double frames_px = (so->width ? so->width : SVGWRITE_FLUID_WIDTH) -
			   2.0 * PAD_X;

	return so->min_width / (so->is_min_width_pct ? 100 : frames_px);
}

double svgwrite__min_count(const struct svg_opts *so, double total)
{
	return svgwrite__min_fraction(so) *
	       (so->total > total ? so->total : total);
}

static void plan(const struct flametree *t, const struct svg_opts *so,
		 struct layout *l)
{
	size_t i, nr = flametree__nr_nodes(t);
	struct flametree_node n;
	unsigned max_depth = 0, fs = so->font_size;

	flametree__node(t, 0, &n);
	l->total = so->total > n.value ? so->total : n.value;
	l->frames_px = (so->width ? so->width : SVGWRITE_FLUID_WIDTH) -
		       2.0 * PAD_X;
	l->min_count = svgwrite__min_count(so, n.value);
	l->max_delta = 0;
	for (i = 0; i < nr; i++) {
		flametree__node(t, i, &n);
		if (!is_drawn(l, &n))
			continue;
		if (n.depth > max_depth)
			max_depth = n.depth;
		if (i && fabs(n.value - n.before) > l->max_delta)
			l->max_delta = fabs(n.value - n.before);
	}
	l->levels = max_depth + 1;
	l->top = fs * 3 + (so->subtitle && *so->subtitle ? fs * 2 : 0);
	l->bottom = fs * 2 + 10;
	l->height = l->top + l->levels * so->frame_height + l->bottom;
}

static double level_y(const struct svg_opts *so, const struct layout *l,
		      unsigned depth)
{
	if (so->is_inverted)
		return l->top + (double)depth * so->frame_height;
	return l->height - l->bottom - (double)(depth + 1) * so->frame_height;
}

static void put_bg(struct out *o, const char *bg)
{
	static const struct { const char *name, *from, *to; } grads[] = {
		{ "yellow", "#eeeeee", "#eeeeb0" },
		{ "blue", "#eeeeee", "#e0e0ff" },
		{ "green", "#eef2ee", "#e0ffe0" },
		{ "grey", "#f8f8f8", "#e8e8e8" },
	};
	size_t i;

	for (i = 0; i < sizeof(grads) / sizeof(grads[0]); i++)
		if (!strcmp(bg, grads[i].name))
			break;
	if (i == sizeof(grads) / sizeof(grads[0])) {
		puts_(o, "<defs><linearGradient id=\"background\"><stop "
			 "stop-color=\"");
		puts_(o, bg);	/* validated: # and hex digits */
		puts_(o, "\"/></linearGradient></defs>\n");
		return;
	}
	printf_(o, "<defs><linearGradient id=\"background\" y1=\"0\" "
		   "y2=\"1\" x1=\"0\" x2=\"0\"><stop stop-color=\"%s\" "
		   "offset=\"5%%\"/><stop stop-color=\"%s\" offset=\"95%%\"/>"
		   "</linearGradient></defs>\n", grads[i].from, grads[i].to);
}

int svgwrite__bgcolors_valid(const char *bg)
{
	size_t len = strlen(bg);

	if (!strcmp(bg, "yellow") || !strcmp(bg, "blue") ||
	    !strcmp(bg, "green") || !strcmp(bg, "grey"))
		return 1;
	return (len == 4 || len == 7) && bg[0] == '#' &&
	       strspn(bg + 1, "0123456789abcdefABCDEF") == len - 1;
}

static void put_config(struct out *o, const struct svg_opts *so,
		       const struct layout *l)
{
	puts_(o, "<script type=\"text/ecmascript\"><![CDATA[\n"
		 "var flamesvg_config = {");
	printf_(o, "fluid: %d, inverted: %d, diff: %d, fontsize: %u, "
		   "charwidth: %g, framesw: %g, frameheight: %u, ",
		so->width == 0, so->is_inverted, so->is_diff, so->font_size,
		CHAR_WIDTH, l->frames_px, so->frame_height);
	if (so->is_diff && so->is_before_widths)
		puts_(o, "beforewidths: 1, ");
	puts_(o, "total: ");
	put_fixed(o, l->total, 3);
	printf_(o, ", height: %u, ybase: %g, texty: %g, truncleft: %d, "
		   "countname: ", l->height, level_y(so, l, 0),
		so->frame_height / 2.0 + so->font_size / 3.0,
		so->is_truncate_left);
	put_js_string(o, so->count_name, strlen(so->count_name));
	puts_(o, ", nametype: ");
	put_js_string(o, so->name_type, strlen(so->name_type));
	puts_(o, "};\n");
	puts_(o, flamesvg_js);
	puts_(o, "]]></script>\n");
}

static void put_head(struct out *o, const struct svg_opts *so,
		     const struct layout *l)
{
	unsigned fs = so->font_size, h = l->height;

	puts_(o, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
		 "<svg version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\"");
	if (so->width)
		printf_(o, " width=\"%u\" height=\"%u\" viewBox=\"0 0 %u %u\"",
			so->width, h, so->width, h);
	else
		printf_(o, " width=\"100%%\" height=\"%u\"", h);
	printf_(o, " font-size=\"%u\" font-family=\"", fs);
	put_escaped_str(o, so->font_type);
	puts_(o, "\" onload=\"flamesvg_init(evt)\">\n");
	if (so->notes && *so->notes) {
		puts_(o, "<desc>");
		put_escaped_str(o, so->notes);
		puts_(o, "</desc>\n");
	}
	put_bg(o, so->bgcolors);
	puts_(o, "<style type=\"text/css\"><![CDATA[\n");
	puts_(o, flamesvg_css);
	puts_(o, "]]></style>\n");
	put_config(o, so, l);
	printf_(o, "<rect x=\"0\" y=\"0\" width=\"100%%\" height=\"%u\" "
		   "fill=\"url(#background)\"/>\n", h);
	printf_(o, "<text id=\"title\" x=\"50%%\" y=\"%u\">", fs * 2);
	put_escaped_str(o, so->title);
	puts_(o, "</text>\n");
	if (so->subtitle && *so->subtitle) {
		printf_(o, "<text id=\"subtitle\" x=\"50%%\" y=\"%u\">",
			fs * 4);
		put_escaped_str(o, so->subtitle);
		puts_(o, "</text>\n");
	}
	printf_(o, "<text id=\"details\" x=\"%u\" y=\"%u\"> </text>\n",
		PAD_X, h - fs / 2 - 5);
	printf_(o, "<text id=\"unzoom\" class=\"hide\" x=\"%u\" y=\"%u\">"
		   "Reset Zoom</text>\n", PAD_X, fs * 2);
	printf_(o, "<text id=\"search\" x=\"100%%\" y=\"%u\">Search</text>\n",
		fs * 2);
	printf_(o, "<text id=\"ignorecase\" x=\"100%%\" y=\"%u\">ic</text>\n",
		fs * 2);
	printf_(o, "<text id=\"matched\" x=\"100%%\" y=\"%u\"> </text>\n",
		h - fs / 2 - 5);
	printf_(o, "<svg id=\"frames\" x=\"%u\" width=\"%g\" height=\"%u\">\n",
		PAD_X, l->frames_px, h);
}

static struct palette_rgb frame_color(struct palette *p,
				      const struct svg_opts *so,
				      const struct layout *l,
				      const struct flametree_node *n)
{
	if (so->is_diff) {
		/* the counts before and after, whichever the widths show */
		double b = so->is_before_widths ? n->value : n->before;
		double a = so->is_before_widths ? n->before : n->value;

		return so->is_negate ? palette__diff(a, b, l->max_delta)
				     : palette__diff(b, a, l->max_delta);
	}
	if (n->depth == 0)
		return (struct palette_rgb){ 0xe0, 0x90, 0x30 };
	return palette__color(p, n->name, n->name_len);
}

/* Colours are drawn 5 bits a channel: frames of one shade share a path. */
#define SHADE_BITS 15
#define NR_SHADES (1u << SHADE_BITS)

static unsigned shade_of(struct palette_rgb c)
{
	return (unsigned)(c.r >> 3) << 10 | (unsigned)(c.g >> 3) << 5 |
	       (unsigned)(c.b >> 3);
}

/* The frame as a subpath in fraction-of-width x and px y units. */
static void put_frame_path(struct out *o, const struct svg_opts *so,
			   const struct layout *l,
			   const struct flametree_node *n)
{
	put(o, "M", 1);
	put_fixed(o, n->x / l->total, 7);
	put(o, " ", 1);
	put_fixed(o, level_y(so, l, n->depth), 1);
	put(o, "h", 1);
	put_fixed(o, n->value / l->total, 7);
	printf_(o, "v%uh-", so->frame_height - 1);
	put_fixed(o, n->value / l->total, 7);
	put(o, "z", 1);
}

/* One <path> per shade, shades in increasing order, frames in tree order
 * within a shade: a few hundred elements for the browser to paint however
 * many frames there are. (A path per shade and level rasterizes faster but
 * makes tens of thousands of elements again.) */
static int put_frame_paths(struct out *o, const struct flametree *t,
			   struct palette *p, const struct svg_opts *so,
			   const struct layout *l)
{
	size_t i, k, nr = flametree__nr_nodes(t), nr_drawn = 0;
	uint32_t *start = calloc(NR_SHADES + 1, sizeof(*start));
	uint32_t *order = malloc((nr + 1) * sizeof(*order));
	uint16_t *shade = malloc((nr + 1) * sizeof(*shade));
	struct flametree_node n;
	struct palette_rgb c;
	int err = 0;

	if (!start || !order || !shade) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < nr; i++) {	/* counting sort by shade */
		flametree__node(t, i, &n);
		if (!is_drawn(l, &n)) {
			shade[i] = UINT16_MAX;
			continue;
		}
		shade[i] = (uint16_t)shade_of(frame_color(p, so, l, &n));
		start[shade[i] + 1]++;
		nr_drawn++;
	}
	for (k = 0; k < NR_SHADES; k++)
		start[k + 1] += start[k];
	for (i = 0; i < nr; i++)
		if (shade[i] != UINT16_MAX)
			order[start[shade[i]]++] = (uint32_t)i;
	for (i = 0; i < nr_drawn; i++) {
		unsigned s = shade[order[i]];

		if (i == 0 || s != shade[order[i - 1]]) {
			c = (struct palette_rgb){	/* 0..31 -> 0..255 */
				(uint8_t)((s >> 10) * 255 / 31),
				(uint8_t)(((s >> 5) & 31) * 255 / 31),
				(uint8_t)((s & 31) * 255 / 31),
			};
			printf_(o, "%s<path fill=\"#%02x%02x%02x\" d=\"",
				i ? "\"/>\n" : "", c.r, c.g, c.b);
		}
		flametree__node(t, order[i], &n);
		put_frame_path(o, so, l, &n);
	}
	if (nr_drawn)
		puts_(o, "\"/>\n");
out:
	free(start);
	free(order);
	free(shade);
	return err;
}

/* The frame's entry in the script's table: name, count, [before,] left
 * edge and width as fractions of the full width, depth. */
static void put_frame_data(struct out *o, const struct svg_opts *so,
			   const struct layout *l,
			   const struct flametree_node *n)
{
	size_t shown = svgwrite__strip_annotation(n->name, n->name_len);

	put_js_string(o, n->name, shown);
	put(o, ",", 1);
	put_fixed(o, n->value, 3);
	if (so->is_diff) {
		put(o, ",", 1);
		put_fixed(o, n->before, 3);
	}
	put(o, ",", 1);
	put_fixed(o, n->x / l->total, 7);
	put(o, ",", 1);
	put_fixed(o, n->value / l->total, 7);
	printf_(o, ",%u,\n", n->depth);
}

static void put_frame_label(struct out *o, const struct svg_opts *so,
			    const struct layout *l,
			    const struct flametree_node *n)
{
	size_t shown = svgwrite__strip_annotation(n->name, n->name_len);
	double frac_x = n->x / l->total, frac_w = n->value / l->total;
	double room = (frac_w * l->frames_px - 6) /
		      (so->font_size * CHAR_WIDTH);

	if (room < MIN_LABEL_CHARS)
		return;
	puts_(o, "<text x=\"");
	if (so->width)
		put_fixed(o, frac_x * l->frames_px, 2);
	else
		put_fixed(o, 100 * frac_x, 4), put(o, "%", 1);
	puts_(o, "\" y=\"");
	put_fixed(o, level_y(so, l, n->depth) + so->frame_height / 2.0 +
		     so->font_size / 3.0, 1);
	puts_(o, "\">");
	put_label(o, so, n->name, shown, frac_w * l->frames_px);
	puts_(o, "</text>\n");
}

int svgwrite__render(const struct flametree *t, struct palette *p,
		     const struct svg_opts *so, FILE *f)
{
	struct out *o = malloc(sizeof(*o));
	struct layout l;
	struct flametree_node n;
	size_t i, nr = flametree__nr_nodes(t);
	int err;

	if (!o)
		return -ENOMEM;
	o->f = f;
	o->err = 0;
	o->len = 0;
	plan(t, so, &l);
	put_head(o, so, &l);
	printf_(o, "<svg id=\"rects\" viewBox=\"0 0 1 %u\" "
		   "preserveAspectRatio=\"none\">\n", l.height);
	if (put_frame_paths(o, t, p, so, &l)) {
		free(o);
		return -ENOMEM;
	}
	puts_(o, "<path id=\"matches\" d=\"\"/>\n</svg>\n"
		 "<g id=\"overlay\"></g>\n<g id=\"labels\">\n");
	for (i = 0; i < nr; i++) {
		flametree__node(t, i, &n);
		if (is_drawn(&l, &n))
			put_frame_label(o, so, &l, &n);
	}
	puts_(o, "</g>\n</svg>\n<script type=\"text/ecmascript\"><![CDATA[\n"
		 "var flamesvg_frames = [\n");
	for (i = 0; i < nr; i++) {
		flametree__node(t, i, &n);
		if (is_drawn(&l, &n))
			put_frame_data(o, so, &l, &n);
	}
	puts_(o, "];\n]]></script>\n</svg>\n");
	flush(o);
	if (!o->err && fflush(f))
		o->err = -EIO;
	err = o->err;
	free(o);
	return err;
}
