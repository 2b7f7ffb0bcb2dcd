/* notes: the GNU build id in ELF notes (see notes.h). */
#include <elf.h>
#include <errno.h>
#include <string.h>

#include "notes.h"

#ifndef NT_GNU_BUILD_ID
#define NT_GNU_BUILD_ID 3
#endif

static uint32_t get_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

int notes__build_id(const void *p, size_t len, uint8_t *id, size_t cap)
{
	const uint8_t *buf = p;
	size_t off = 0;

	/* namesz, descsz, type, then the name and the descriptor, each
	 * padded to 4 bytes */
	while (len - off >= 12) {
		uint32_t namesz = get_u32(buf + off),
			 descsz = get_u32(buf + off + 4),
			 type = get_u32(buf + off + 8);
		size_t name_at = off + 12,
		       desc_at = name_at + (((size_t)namesz + 3) & ~(size_t)3),
		       next = desc_at + (((size_t)descsz + 3) & ~(size_t)3);

		if (namesz > len || descsz > len || next > len)
			break;
		if (type == NT_GNU_BUILD_ID && namesz == 4 &&
		    !memcmp(buf + name_at, "GNU", 4)) {
			if (descsz > cap)
				return -ERANGE;
			memcpy(id, buf + desc_at, descsz);
			return (int)descsz;
		}
		off = next;
	}
	return -ENOENT;
}
