/* jitdump: a JIT's /tmp/jit-PID.dump (perf's jitdump format, spec rev 2),
 * read directly, without `perf inject --jit`.
 *
 * CPython 3.13's -X perf_jit writes one: per code object an UNWINDING_INFO
 * record (its eh_frame and eh_frame_hdr) then a CODE_LOAD (address, size,
 * "py::QUALNAME:FILENAME"). The writer buffers, so a killed process leaves a
 * truncated last record: everything before it is kept and the truncation is
 * reported. The header's elf_mach and reserved fields are not checked
 * (CPython 3.13.0 leaves them uninitialized). A dump written with the other
 * byte order is rejected.
 */
#ifndef PERFFOLD_JITDUMP_H
#define PERFFOLD_JITDUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

/* One CODE_LOAD, moved by any later CODE_MOVE. Pointers are borrowed until
 * jitdump__free(). */
struct jitdump_code {
	uint64_t start;		/* code_addr (new_code_addr after a move) */
	uint64_t size;		/* code_size */
	uint64_t index;		/* code_index */
	uint64_t timestamp;	/* record timestamp (the header's clock) */
	uint32_t pid, tid;
	const char *name;
	/* From the UNWINDING_INFO record just before, else NULL and 0: the
	 * .eh_frame bytes, then the .eh_frame_hdr bytes that follow them in
	 * the record, and the size the JIT mapped for them. */
	const uint8_t *eh_frame;
	size_t eh_frame_len;
	const uint8_t *eh_frame_hdr;
	size_t eh_frame_hdr_len;
	uint64_t unwind_mapped_size;
};

struct jitdump;

/* Read the dump at path, opened as perf would (jitfile.h: force reads a
 * file of another owner). Returns an owned dump, or NULL with errno: the
 * open/read error (EPERM, EINVAL: refused by jitfile__open()), EPROTO for
 * a byte-swapped or wrong magic or an unsupported header, ENOMEM. Each
 * problem is also reported to d. */
struct jitdump *jitdump__open(const char *path, bool force,
			      const struct diag *d);
/* The same for a dump its JIT may still be writing: a last record not
 * wholly there is not reported, as the next jitdump__update() reads it;
 * a file shorter than the header fails with EAGAIN, unreported. */
struct jitdump *jitdump__open_growing(const char *path, bool force,
				      const struct diag *d);
/* Read the records appended since the dump was last read, from the first
 * one not yet read whole (one stat() when the file has not grown), so that
 * lookups find the code loaded since; nothing after a CODE_CLOSE. A last
 * record not wholly there is not reported (a JIT that buffers its writes,
 * as CPython 3.13 does, leaves one most of the time while it runs):
 * jitdump__is_truncated() says. Returns
 * how many code loads were added, or a negative errno: the stat or open
 * error, -ESTALE (the file shrank), -ENOMEM. Entries returned before stay
 * valid. */
int jitdump__update(struct jitdump *jd, const struct diag *d);
/* Read DIR/jit-PID.dump (DIR "/tmp" when NULL). */
struct jitdump *jitdump__open_pid(const char *dir, int pid, bool force,
				  const struct diag *d);
/* Free jd; NULL is a no-op. */
void jitdump__free(struct jitdump *jd);

/* The code containing addr (the most recently loaded when several start at
 * one address), or NULL; *off (if off) gets addr minus its start.
 * O(log n). */
const struct jitdump_code *jitdump__lookup(const struct jitdump *jd,
					   uint64_t addr, uint64_t *off);

/* Every CODE_LOAD in file order. */
size_t jitdump__count(const struct jitdump *jd);
const struct jitdump_code *jitdump__at(const struct jitdump *jd, size_t i);

/* The pid in the header. */
uint32_t jitdump__pid(const struct jitdump *jd);
/* True when the last record ran past the end of the file; *offset gets the
 * file offset of that record. */
bool jitdump__is_truncated(const struct jitdump *jd, uint64_t *offset);
/* Records skipped: DEBUG_INFO, unknown ids, malformed CODE_* payloads. */
uint64_t jitdump__nr_skipped(const struct jitdump *jd);

#endif
