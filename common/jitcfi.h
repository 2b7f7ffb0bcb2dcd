/* jitcfi: libdw call-frame tables for JIT code from a jitdump's unwind
 * info, without `perf inject --jit`.
 *
 * A jitdump UNWINDING_INFO record (CPython 3.13's -X perf_jit writes one per
 * trampoline) holds an .eh_frame and its .eh_frame_hdr whose addresses are
 * relative: the header's table gives the code's start relative to the
 * header, which follows the .eh_frame. This module wraps each distinct
 * .eh_frame in a minimal in-memory ELF (one .eh_frame section, x86-64) that
 * libdw reads as any DSO's, and maps a pc in the code to an address in that
 * table. Identical unwind info (every CPython trampoline has the same) shares
 * one table.
 */
#ifndef PERFFOLD_JITCFI_H
#define PERFFOLD_JITCFI_H

#include <elfutils/libdw.h>
#include <stddef.h>
#include <stdint.h>

struct jitcfi;

/* NULL with errno = ENOMEM. */
struct jitcfi *jitcfi__new(void);
/* Free jc and its tables; NULL is a no-op. */
void jitcfi__free(struct jitcfi *jc);

/* The table for code at code_start whose unwind info is eh (eh_len bytes)
 * followed by hdr (hdr_len bytes); *addr gets pc's address in it and *id
 * a small number naming the table (for the caller's caches). NULL when the
 * header's encodings are not the ones understood here (pc-relative
 * eh_frame_ptr, datarel table), or out of memory. The table is borrowed
 * until jitcfi__free(). */
Dwarf_CFI *jitcfi__table(struct jitcfi *jc, const uint8_t *eh, size_t eh_len,
			 const uint8_t *hdr, size_t hdr_len,
			 uint64_t code_start, uint64_t pc, uint64_t *addr,
			 uint32_t *id);

#endif
