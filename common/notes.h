/* notes: the GNU build id in ELF notes, as bytes (an ELF notes file such
 * as /sys/kernel/notes, or a PT_NOTE segment in memory). Files read with
 * libelf have debugfile__read_build_id().
 */
#ifndef PERFFOLD_NOTES_H
#define PERFFOLD_NOTES_H

#include <stddef.h>
#include <stdint.h>

/* The NT_GNU_BUILD_ID note among the len bytes of notes at p (Elf64_Nhdr
 * and Elf32_Nhdr alike) into id (cap bytes): its length, -ENOENT when
 * there is none, -ERANGE when it is longer than cap. */
int notes__build_id(const void *p, size_t len, uint8_t *id, size_t cap);

#endif
