/* strutil: the few small string tests several modules and tools share.
 *
 * Header only: each is a line or a loop, inlined where it is used.
 */
#ifndef PERFFOLD_STRUTIL_H
#define PERFFOLD_STRUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Whether the NUL-terminated s begins with prefix. */
static inline bool strutil__has_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* Whether s[0..len) (not NUL-terminated) begins with prefix. */
static inline bool strutil__mem_has_prefix(const char *s, size_t len,
					   const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && !memcmp(s, prefix, n);
}

/* The length of the valid UTF-8 sequence at s (left > 0 bytes there): 1
 * for ASCII; 2 to 4 for a code point encoded in the fewest bytes, neither
 * a surrogate nor past U+10FFFF; 0 when s does not begin one. */
static inline size_t strutil__utf8_len(const unsigned char *s, size_t left)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (left < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/* Characters (code points: bytes that are not UTF-8 continuation bytes) of
 * s[0..len); a terminal's columns and a label's width, wide characters
 * aside. */
static inline size_t strutil__utf8_count(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	return n;
}

/* The byte offset of character number ch (from 0) of s[0..len), or len
 * when s has no more than ch characters. */
static inline size_t strutil__utf8_offset(const char *s, size_t len,
					  size_t ch)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && ch-- == 0)
			return i;
	return len;
}

#endif
