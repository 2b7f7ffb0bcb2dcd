/* pprof: a profile (profile.h) as pprof's profile.proto, gzipped.
 *
 * The message of github.com/google/pprof/proto/profile.proto: two sample
 * types, samples/count and the weight's (cpu/nanoseconds by default); a
 * sample per distinct stack of a thread, its locations leaf first, with
 * labels pid and tid (numbers) and comm and thread_name (strings); a
 * location per address with its mapping (file, build id, start, limit,
 * offset), so pprof can name it again from the binary, and one line per
 * function there, those inlined first; a function per frame name, a
 * Python frame's with its file. Encoded by pbuf, compressed by libdeflate.
 */
#ifndef PERFFOLD_PPROF_H
#define PERFFOLD_PPROF_H

#include <stdint.h>
#include <stdio.h>

struct intern;
struct pbuf;
struct profile;

struct pprof_opts {
	const char *type, *unit;	/* the weight: "cpu", "nanoseconds" */
	uint64_t time_nanos;		/* when the recording began (since the
					 * epoch); 0: not known */
};

/* The profile.proto message of p (frame names in names) appended to out,
 * not compressed. 0 or -ENOMEM. */
int pprof__encode(const struct profile *p, const struct intern *names,
		  const struct pprof_opts *o, struct pbuf *out);

/* The message gzipped, written to out. 0, -ENOMEM, or -EIO when a write
 * failed (errno says why). */
int pprof__write(const struct profile *p, const struct intern *names,
		 const struct pprof_opts *o, FILE *out);

#endif
