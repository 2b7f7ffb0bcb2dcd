/* tracepoint: tracepoint samples decoded by their recorded formats.
 *
 * perf saves the format description of every tracepoint it records (the
 * tracing data: the TRACING_DATA feature section of perf.data, or the
 * payload of a HEADER_TRACING_DATA record in pipe mode; its layout is
 * tools/perf/util/trace-event-read.c's). This module parses it into a
 * libtraceevent tep_handle and reads a sample's PERF_SAMPLE_RAW fields by
 * name, never at offsets known in advance: the kernel that recorded
 * decides where prev_pid is.
 *
 * Errors: tracepoint__new() returns NULL with errno set (EINVAL: the data
 * is damaged; ENOMEM) after one warning through the diag hook. An event
 * whose format does not parse is left out with one warning naming it;
 * the others are kept.
 */
#ifndef PERFFOLD_TRACEPOINT_H
#define PERFFOLD_TRACEPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

struct tracepoint;
struct tracepoint_field;	/* a field of one event's format */

/* Parse len bytes of tracing data (borrowed for the call). d is copied
 * (d->ctx must outlive tp); name is the input's, for messages. */
struct tracepoint *tracepoint__new(const void *data, size_t len,
				   const char *name, const struct diag *d);
void tracepoint__free(struct tracepoint *tp);

/* Events whose format parsed, and those that did not. */
uint32_t tracepoint__nr_events(const struct tracepoint *tp);
uint32_t tracepoint__nr_bad_formats(const struct tracepoint *tp);

/* Whether the event with this id (a tracepoint attr's config) is
 * SYSTEM:NAME ("sched", "sched_switch"). */
bool tracepoint__is(const struct tracepoint *tp, uint64_t id,
		    const char *system, const char *name);

/* The field called name (its own, or a common_* one) of the event with
 * this id, or NULL when the event or the field is unknown. Borrowed until tracepoint__free(). */
const struct tracepoint_field *
tracepoint__field(const struct tracepoint *tp, uint64_t id, const char *name);

/* A number field (1, 2, 4 or 8 bytes; signed ones sign-extended) of raw
 * sample data raw[0..raw_size): 0 with *v set; -ENODATA when raw is
 * shorter than the format says; -EINVAL when the field is not a number. */
int tracepoint__read_int(const struct tracepoint_field *f, const void *raw,
			 size_t raw_size, int64_t *v);

#endif
