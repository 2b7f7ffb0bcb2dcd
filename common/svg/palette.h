/* palette: the colour of each frame, as a pure function of its name.
 *
 * A palette hashes a frame name to a colour within the hues of its kind,
 * so the same frame gets the same colour in every graph. A palette map (the
 * `name->rgb(r,g,b)` lines of flamegraph.pl's palette.map) pins colours
 * across graphs: names found in it keep their colour, new names get the
 * hashed one and are added to the map. Differential graphs are coloured by
 * palette__diff() instead.
 */
#ifndef PERFFOLD_PALETTE_H
#define PERFFOLD_PALETTE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "diag.h"

enum palette_kind {
	PALETTE_HOT, PALETTE_MEM, PALETTE_IO, PALETTE_WAKEUP, PALETTE_JAVA,
	PALETTE_JS, PALETTE_PERL, PALETTE_RED, PALETTE_GREEN, PALETTE_BLUE,
	PALETTE_AQUA, PALETTE_YELLOW, PALETTE_PURPLE, PALETTE_ORANGE,
	PALETTE_PYTHON,
	PALETTE_NR_KINDS,
};

struct palette_rgb {
	uint8_t r, g, b;
};

struct palette;

/* The kind named name ("hot", "python", ...), or -1 when unknown. */
int palette__kind(const char *name);
/* The name of kind, a static string. */
const char *palette__kind_name(enum palette_kind kind);

/* A palette of kind with an empty map; NULL with errno = ENOMEM. */
struct palette *palette__new(enum palette_kind kind);
void palette__free(struct palette *p);

/* Read map lines `name->rgb(R,G,B)` from f into p's map; blank lines are
 * skipped. 0; -EINVAL after reporting the first bad line through d (as
 * "line N: why"); -EIO when reading failed; -ENOMEM. */
int palette__load(struct palette *p, FILE *f, const struct diag *d);
/* Write the map, sorted bytewise by name, to f. 0 or -EIO. */
int palette__save(const struct palette *p, FILE *f);
/* Start recording: from now on palette__color() adds new names to the map
 * (otherwise the map is only read). */
void palette__record(struct palette *p);

/* The colour of the frame name[0..len), annotations (`_[k]`, `_[j]`,
 * `_[i]`, `_[w]`) included. With recording on, a name new to the map is
 * added; when that fails (ENOMEM) the colour is still returned. */
struct palette_rgb palette__color(struct palette *p, const char *name,
				  size_t len);

/* Differential colour for a frame whose count went from before to after,
 * with max_delta the largest |after - before| in the graph: red for
 * growth, blue for shrinking, deeper the larger the change, near white
 * for none. */
struct palette_rgb palette__diff(double before, double after,
				 double max_delta);

#endif
