/* demangle: perf 6.1's demangling of ELF symbol names, and the Rust
 * legacy names perf prints half demangled (see demangle.h). The only user
 * of libiberty.
 */
#include <libiberty/demangle.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "demangle.h"

char *demangle__symbol(const char *name)
{
	return cplus_demangle(name, DMGL_NO_OPTS);
}

/* ---- Rust legacy names perf left half demangled ---- */

#define RUST_HASH_LEN 17	/* "h" and 16 hex digits */

static bool is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* s[0..len) ends in "::h" and 16 lowercase hex digits, after something */
static bool has_rust_hash(const char *s, size_t len)
{
	size_t i;

	if (len < RUST_HASH_LEN + 3 ||
	    memcmp(s + len - RUST_HASH_LEN - 2, "::h", 3))
		return false;
	for (i = len - RUST_HASH_LEN + 1; i < len; i++)
		if (!is_lower_hex(s[i]))
			return false;
	return true;
}

struct out {
	char *p;
	size_t len, cap;
	bool is_full;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->len + n > o->cap) {
		o->is_full = true;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

/* code point cp as UTF-8; false for control characters and non-scalars */
static bool put_utf8(struct out *o, uint32_t cp)
{
	char b[4];

	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ||
	    (cp >= 0xd800 && cp < 0xe000) || cp > 0x10ffff)
		return false;
	if (cp < 0x80) {
		b[0] = (char)cp;
		put(o, b, 1);
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3f));
		put(o, b, 2);
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | cp >> 12);
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		put(o, b, 3);
	} else {
		b[0] = (char)(0xf0 | cp >> 18);
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		put(o, b, 4);
	}
	return true;
}

/* The escape between '$'s, s[0..n) ("LT", "u7b"), decoded to o. */
static bool put_escape(struct out *o, const char *s, size_t n)
{
	static const struct {
		const char *esc, *text;
	} known[] = {
		{"SP", "@"}, {"BP", "*"}, {"RF", "&"}, {"LT", "<"},
		{"GT", ">"}, {"LP", "("}, {"RP", ")"}, {"C", ","},
	};
	uint32_t cp = 0;
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (n == strlen(known[i].esc) && !memcmp(s, known[i].esc, n)) {
			put(o, known[i].text, strlen(known[i].text));
			return true;
		}
	if (n < 2 || n > 7 || s[0] != 'u')
		return false;
	for (i = 1; i < n; i++) {
		if (!is_lower_hex(s[i]))
			return false;
		cp = cp << 4 | (uint32_t)(s[i] <= '9' ? s[i] - '0'
						      : s[i] - 'a' + 10);
	}
	return put_utf8(o, cp);
}

/* One element of the path (between "::"), decoded to o. */
static void put_element(struct out *o, const char *s, size_t n)
{
	const char *end = s + n, *dollar;

	if (n >= 2 && s[0] == '_' && s[1] == '$')
		s++;
	while (s < end) {
		if (*s == '.') {
			if (s + 1 < end && s[1] == '.') {
				put(o, "::", 2);
				s += 2;
			} else {
				put(o, ".", 1);
				s++;
			}
		} else if (*s == '$') {
			dollar = memchr(s + 1, '$', (size_t)(end - s - 1));
			if (!dollar ||
			    !put_escape(o, s + 1, (size_t)(dollar - s - 1)))
				break;	/* the rest as it is */
			s = dollar + 1;
		} else {
			const char *next = s;

			while (next < end && *next != '.' && *next != '$')
				next++;
			put(o, s, (size_t)(next - s));
			s = next;
		}
	}
	put(o, s, (size_t)(end - s));
}

size_t demangle__rust_legacy(const char *s, size_t len, char *out,
			     size_t cap)
{
	struct out o = {out, 0, cap, false};
	const char *end, *sep;

	if (!has_rust_hash(s, len))
		return 0;
	end = s + len - RUST_HASH_LEN - 2;	/* without "::h..." */
	while (s < end) {
		sep = memmem(s, (size_t)(end - s), "::", 2);
		if (!sep)
			sep = end;
		put_element(&o, s, (size_t)(sep - s));
		if (sep == end)
			break;
		put(&o, "::", 2);
		s = sep + 2;
	}
	return o.is_full ? 0 : o.len;
}
