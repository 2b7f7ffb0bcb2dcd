/* speedscope: a profile (profile.h) as speedscope's JSON file format.
 *
 * https://www.speedscope.app/file-format-schema.json: shared frames (name,
 * and the file: a Python frame's source, a native frame's binary), and
 * one "sampled" profile per thread, named comm-PID/TID, whose samples
 * (frame indices, root first) and weights are in time order, so that
 * speedscope's Time Order view is the thread's timeline; equal neighbours
 * are one sample of their summed weight. The profile whose weight is the
 * largest opens first. Names are JSON-escaped, bytes that are not UTF-8
 * replaced by U+FFFD.
 */
#ifndef PERFFOLD_SPEEDSCOPE_H
#define PERFFOLD_SPEEDSCOPE_H

#include <stdio.h>

struct intern;
struct profile;

struct speedscope_opts {
	const char *name;	/* of the whole file (the input's) */
	const char *unit;	/* "nanoseconds", "microseconds" or "none" */
	const char *exporter;	/* who wrote it */
};

/* Write p (made with keep_order; frame names in names) to out. 0, -ENOMEM,
 * or -EIO when a write failed (errno says why). */
int speedscope__write(const struct profile *p, const struct intern *names,
		      const struct speedscope_opts *o, FILE *out);

/* s[0..len) as a JSON string, quotes included, to out (a helper the
 * tests check on its own). */
void speedscope__string(FILE *out, const char *s, size_t len);

#endif
