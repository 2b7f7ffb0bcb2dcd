/* palette: name -> colour (see palette.h).
 *
 * Three independent fractions v1..v3 in [0, 1) come from one 64-bit hash
 * of the name; each kind maps them into its own range of red, green and
 * blue. The ranges follow what flamegraph.pl users know (hot = red to
 * yellow, java = green for Java, yellow for C++, orange for kernel, ...)
 * but the hash is ours: only the name decides the colour.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "intern.h"
#include "palette.h"

#define PALETTE_SEED 0x666c616d65ULL	/* "flame" */

struct palette {
	enum palette_kind kind;
	int is_recording;
	struct intern *names;		/* map names, by id */
	struct palette_rgb *colors;	/* by id */
	size_t colors_cap;
};

static const char *const kind_names[PALETTE_NR_KINDS] = {
	"hot", "mem", "io", "wakeup", "java", "js", "perl", "red", "green",
	"blue", "aqua", "yellow", "purple", "orange", "python",
};

int palette__kind(const char *name)
{
	int i;

	for (i = 0; i < PALETTE_NR_KINDS; i++)
		if (!strcmp(name, kind_names[i]))
			return i;
	return -1;
}

const char *palette__kind_name(enum palette_kind kind)
{
	return kind < PALETTE_NR_KINDS ? kind_names[kind] : "?";
}

struct palette *palette__new(enum palette_kind kind)
{
	struct palette *p = calloc(1, sizeof(*p));

	if (!p || !(p->names = intern__new())) {
		free(p);
		errno = ENOMEM;
		return NULL;
	}
	p->kind = kind;
	return p;
}

void palette__free(struct palette *p)
{
	if (!p)
		return;
	intern__free(p->names);
	free(p->colors);
	free(p);
}

void palette__record(struct palette *p)
{
	p->is_recording = 1;
}

static int map_set(struct palette *p, const char *name, size_t len,
		   struct palette_rgb c)
{
	uint32_t id = intern__add(p->names, name, len);
	size_t cap = p->colors_cap ? p->colors_cap : 64;
	void *q;

	if (id == INTERN_NONE)
		return -ENOMEM;
	if (id >= p->colors_cap) {
		while (cap <= id)
			cap *= 2;
		q = realloc(p->colors, cap * sizeof(*p->colors));
		if (!q)
			return -ENOMEM;
		p->colors = q;
		p->colors_cap = cap;
	}
	p->colors[id] = c;
	return 0;
}

/* Parse "name->rgb(R,G,B)"; 0 or -EINVAL. */
static int parse_map_line(const char *s, size_t len, size_t *name_len,
			  struct palette_rgb *c)
{
	const char *arrow = NULL, *p;
	unsigned v[3], i;

	for (p = s; p + 6 <= s + len; p++)
		if (!memcmp(p, "->rgb(", 6))
			arrow = p;
	if (!arrow)
		return -EINVAL;
	*name_len = (size_t)(arrow - s);
	p = arrow + 6;
	for (i = 0; i < 3; i++) {
		unsigned n = 0, digits = 0;

		while (p < s + len && *p >= '0' && *p <= '9' && digits < 4) {
			n = n * 10 + (unsigned)(*p++ - '0');
			digits++;
		}
		if (!digits || n > 255 || p >= s + len ||
		    *p++ != (i < 2 ? ',' : ')'))
			return -EINVAL;
		v[i] = n;
	}
	if (p != s + len)
		return -EINVAL;
	*c = (struct palette_rgb){ (uint8_t)v[0], (uint8_t)v[1],
				   (uint8_t)v[2] };
	return 0;
}

int palette__load(struct palette *p, FILE *f, const struct diag *d)
{
	char *line = NULL;
	size_t cap = 0, name_len;
	ssize_t n;
	unsigned long lineno = 0;
	struct palette_rgb c;
	int err = 0;

	while (!err && (n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			n--;
		if (n == 0)
			continue;
		if (parse_map_line(line, (size_t)n, &name_len, &c)) {
			diag__emit(d, DIAG_ERROR,
				   "line %lu: expected name->rgb(R,G,B)", lineno);
			err = -EINVAL;
		} else {
			err = map_set(p, line, name_len, c);
		}
	}
	if (!err && ferror(f))
		err = -EIO;
	free(line);
	return err;
}

static int cmp_names(const void *a, const void *b, void *arg)
{
	const struct intern *in = arg;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	size_t lx = intern__len(in, x), ly = intern__len(in, y);
	int c = memcmp(intern__str(in, x), intern__str(in, y),
		       lx < ly ? lx : ly);

	return c ? c : (lx > ly) - (lx < ly);
}

int palette__save(const struct palette *p, FILE *f)
{
	uint32_t i, nr = intern__count(p->names);
	uint32_t *order = malloc((nr + 1) * sizeof(*order));

	if (!order)
		return -ENOMEM;
	for (i = 0; i < nr; i++)
		order[i] = i;
	qsort_r(order, nr, sizeof(*order), cmp_names, p->names);
	for (i = 0; i < nr; i++) {
		struct palette_rgb c = p->colors[order[i]];

		fprintf(f, "%s->rgb(%u,%u,%u)\n",
			intern__str(p->names, order[i]), c.r, c.g, c.b);
	}
	free(order);
	return ferror(f) ? -EIO : 0;
}

static int ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && !memcmp(s + len - n, suffix, n);
}

static int contains(const char *s, size_t len, const char *needle)
{
	return memmem(s, len, needle, strlen(needle)) != NULL;
}

static struct palette_rgb span(double v1, double v2, double v3,
			       int r0, int r1, int g0, int g1, int b0, int b1)
{
	return (struct palette_rgb){
		(uint8_t)(r0 + (r1 - r0) * v1),
		(uint8_t)(g0 + (g1 - g0) * v2),
		(uint8_t)(b0 + (b1 - b0) * v3),
	};
}

enum hue { HOT, MEM, IO, WAKEUP, RED, GREEN, BLUE, AQUA, YELLOW, PURPLE,
	   ORANGE, PY_USER, PY_STDLIB, PY_SITE };

/* v1 drives the dominant channel so nearby hashes still differ visibly. */
static struct palette_rgb hue_color(enum hue h, double v1, double v2,
				    double v3)
{
	switch (h) {
	case HOT:
		return span(v3, v1, v2, 205, 255, 0, 230, 0, 55);
	case MEM:
		return span(v2, v1, v3, 0, 0, 190, 240, 0, 55);
	case IO:
		return span(v1, v1, v2, 80, 140, 80, 140, 190, 245);
	case WAKEUP:
		return span(v1, v2, v3, 0, 0, 120, 200, 190, 250);
	case RED:
		return span(v3, v1, v1, 200, 255, 50, 130, 50, 130);
	case GREEN:
		return span(v1, v3, v1, 50, 110, 200, 255, 50, 110);
	case BLUE:
		return span(v1, v1, v3, 80, 140, 80, 140, 205, 255);
	case AQUA:
		return span(v1, v3, v3, 50, 110, 165, 220, 165, 220);
	case YELLOW:
		return span(v1, v1, v2, 175, 230, 175, 230, 50, 110);
	case PURPLE:
		return span(v3, v1, v3, 190, 255, 80, 140, 190, 255);
	case ORANGE:
		return span(v3, v1, v2, 225, 255, 110, 160, 0, 40);
	case PY_USER:	/* the developer's own Python: bright green */
		return span(v1, v3, v2, 60, 130, 195, 245, 40, 100);
	case PY_STDLIB:	/* the standard library: olive */
		return span(v1, v3, v2, 160, 205, 170, 210, 80, 120);
	case PY_SITE:	/* site-packages: teal */
		return span(v1, v3, v3, 30, 80, 160, 205, 170, 215);
	}
	return (struct palette_rgb){ 128, 128, 128 };
}

/* Python frames as perf2folded --python and perf's map file name them:
 * "py::qualname:/path/file.py" or "qualname (path/file.py)". */
static int is_python(const char *s, size_t len)
{
	return (len >= 4 && !memcmp(s, "py::", 4)) ||
	       (ends_with(s, len, ")") &&
		(contains(s, len, ".py)") || contains(s, len, ".py:") ||
		 contains(s, len, "(<frozen ")));
}

static enum hue python_hue(const char *s, size_t len)
{
	if (ends_with(s, len, "_[k]"))
		return ORANGE;
	if (!is_python(s, len))
		return RED;
	if (contains(s, len, "site-packages/") ||
	    contains(s, len, "dist-packages/"))
		return PY_SITE;
	if (contains(s, len, "/lib/python") || contains(s, len, "<frozen ") ||
	    contains(s, len, "(<stdlib>/"))
		return PY_STDLIB;
	return PY_USER;
}

static enum hue java_hue(const char *s, size_t len)
{
	if (ends_with(s, len, "_[k]"))
		return ORANGE;
	if (ends_with(s, len, "_[i]"))
		return AQUA;
	if (ends_with(s, len, "_[j]") || memchr(s, '/', len) ||
	    (memchr(s, '.', len) && !contains(s, len, "::")))
		return GREEN;
	if (contains(s, len, "::"))
		return YELLOW;
	return RED;
}

static enum hue js_hue(const char *s, size_t len)
{
	if (ends_with(s, len, "_[k]"))
		return ORANGE;
	if (ends_with(s, len, "_[i]"))
		return AQUA;
	if (ends_with(s, len, "_[j]") || contains(s, len, ".js") ||
	    memchr(s, '/', len))
		return GREEN;
	if (contains(s, len, "::"))
		return YELLOW;
	return RED;
}

static enum hue perl_hue(const char *s, size_t len)
{
	if (ends_with(s, len, "_[k]"))
		return ORANGE;
	if (contains(s, len, "Perl") || contains(s, len, ".pl"))
		return GREEN;
	if (contains(s, len, "::"))
		return YELLOW;
	return RED;
}

static enum hue kind_hue(enum palette_kind kind, const char *s, size_t len)
{
	static const enum hue plain[PALETTE_NR_KINDS] = {
		[PALETTE_HOT] = HOT, [PALETTE_MEM] = MEM, [PALETTE_IO] = IO,
		[PALETTE_WAKEUP] = WAKEUP, [PALETTE_RED] = RED,
		[PALETTE_GREEN] = GREEN, [PALETTE_BLUE] = BLUE,
		[PALETTE_AQUA] = AQUA, [PALETTE_YELLOW] = YELLOW,
		[PALETTE_PURPLE] = PURPLE, [PALETTE_ORANGE] = ORANGE,
	};

	switch (kind) {
	case PALETTE_JAVA:
		return java_hue(s, len);
	case PALETTE_JS:
		return js_hue(s, len);
	case PALETTE_PERL:
		return perl_hue(s, len);
	case PALETTE_PYTHON:
		return python_hue(s, len);
	default:
		return plain[kind];
	}
}

struct palette_rgb palette__color(struct palette *p, const char *name,
				  size_t len)
{
	uint32_t id = intern__find(p->names, name, len);
	uint64_t h;
	struct palette_rgb c;

	if (id != INTERN_NONE)
		return p->colors[id];
	h = hash__bytes(name, len, PALETTE_SEED);
	c = hue_color(kind_hue(p->kind, name, len),
		      (double)(h & 0xffff) / 65536.0,
		      (double)((h >> 16) & 0xffff) / 65536.0,
		      (double)((h >> 32) & 0xffff) / 65536.0);
	if (p->is_recording)
		map_set(p, name, len, c);
	return c;
}

struct palette_rgb palette__diff(double before, double after,
				 double max_delta)
{
	double delta = after - before;
	uint8_t pale;

	if (delta == 0 || max_delta <= 0)
		return (struct palette_rgb){ 250, 250, 250 };
	if (delta < 0)
		delta = -delta;
	pale = (uint8_t)(220 * (1 - (delta > max_delta ? 1 : delta / max_delta)));
	if (after > before)
		return (struct palette_rgb){ 255, pale, pale };
	return (struct palette_rgb){ pale, pale, 255 };
}
