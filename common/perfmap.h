/* perfmap: a JIT's symbol file /tmp/perf-PID.map, as perf 6.1 reads it.
 *
 * Each line is "START SIZE NAME": START and SIZE in hex (no 0x needed), NAME
 * to the end of the line, spaces and all. CPython's -X perf writes
 * "py::QUALNAME:FILENAME" names this way. Addresses are absolute (the
 * mapping is anonymous memory, so perf maps ip 1:1).
 *
 * perf quirks kept, so both input paths print the same frames
 * (tools/perf/util/symbol.c dso__load_perf_map()): the last character of
 * every line is dropped as if it were the newline, even when a truncated
 * file's last line has none; names of fewer than 3 characters are ignored;
 * a zero SIZE never matches; the numbers are parsed with strtoull(), so
 * "0x" prefixes and odd separators pass as they do in perf; entries with
 * one start are all kept, and which one a lookup finds depends on perf's
 * rb-tree, which symarr rebuilds; a zero-sized entry matches its start
 * address only.
 *
 * A map read while its JIT runs (perf2folded on a live `perf record -o -`)
 * lacks the functions compiled since: perfmap__update() reads what was
 * appended, and the entries come out as if the whole file had been read at
 * once.
 */
#ifndef PERFFOLD_PERFMAP_H
#define PERFFOLD_PERFMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

struct perfmap;

/* Read the map at path, opened as perf would (jitfile.h: force reads a
 * file of another owner). Returns an owned map, or NULL with errno (from
 * jitfile__open(), or ENOMEM). Lines perf would parse oddly are still
 * taken as perf takes them, and counted in perfmap__nr_bad_lines(). */
struct perfmap *perfmap__open(const char *path, bool force,
			      const struct diag *d);
/* The same for a map its JIT may still be writing (CPython appends a line,
 * one write() each, as it first calls a function): whole lines only; a
 * last line without its newline waits for perfmap__update(). */
struct perfmap *perfmap__open_growing(const char *path, bool force,
				      const struct diag *d);
/* Read DIR/perf-PID.map (DIR "/tmp" when NULL: --perf-map-dir), growing. */
struct perfmap *perfmap__open_pid(const char *dir, int pid, bool force,
				  const struct diag *d);
/* Read what was appended to the map since it was last read, from where
 * that read ended (one stat() when nothing was): whole lines, and a last
 * line without its newline once the file has kept its size since the
 * read before (its writer stopped there: perf takes it so). Lookups then
 * find the new entries. Returns how many entries were added, or a
 * negative errno: the stat or open error (-ENOENT: the file is gone),
 * -ESTALE (it shrank: no longer the file read), -ENOMEM. */
int perfmap__update(struct perfmap *pm, const struct diag *d);
/* Free pm; NULL is a no-op. */
void perfmap__free(struct perfmap *pm);

/* The name of the entry containing addr, or NULL; *off (if off) gets addr
 * minus its start. Borrowed until perfmap__free(). O(log n). */
const char *perfmap__lookup(const struct perfmap *pm, uint64_t addr,
			    uint64_t *off);

/* As perfmap__lookup(), with the entry's range [*start, *end). */
const char *perfmap__lookup_range(const struct perfmap *pm, uint64_t addr,
				  uint64_t *start, uint64_t *end);
size_t perfmap__count(const struct perfmap *pm);
/* Lines that were not "HEX HEX NAME" (empty, missing fields, no digits). */
uint64_t perfmap__nr_bad_lines(const struct perfmap *pm);
/* Entries whose start an earlier entry shares. */
uint64_t perfmap__nr_duplicates(const struct perfmap *pm);

#endif
