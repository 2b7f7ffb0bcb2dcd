/* foldedit: frame-level edits of a folded stack's text (foldedit.h). */
#include <regex.h>
#include <string.h>

#include "foldedit.h"

int foldedit__regex_frame(void *ctx, const char *frame, size_t len)
{
	regmatch_t pm[1] = { { .rm_so = 0, .rm_eo = (regoff_t)len } };

	return regexec(ctx, frame, 1, pm, REG_STARTEND) == 0;
}

/* The end of the frame that starts at i: the next ';' or len. */
static size_t frame_end(const char *s, size_t len, size_t i)
{
	const char *semi = memchr(s + i, ';', len - i);

	return semi ? (size_t)(semi - s) : len;
}

size_t foldedit__collapse_recursion(char *s, size_t len)
{
	size_t i = 0, o = 0, prev = 0, prev_len = 0, end, flen;
	int has_prev = 0;

	while (i <= len) {
		end = frame_end(s, len, i);
		flen = end - i;
		if (!has_prev || flen != prev_len ||
		    memcmp(s + prev, s + i, flen)) {
			if (has_prev)
				s[o++] = ';';
			memmove(s + o, s + i, flen);
			prev = o;
			prev_len = flen;
			o += flen;
			has_prev = 1;
		}
		i = end + 1;
	}
	return o;
}

/* True when s[0..len) is decimal digits or the single byte '?'. */
static int is_id(const char *s, size_t len)
{
	size_t i;

	if (len == 1 && s[0] == '?')
		return 1;
	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return len > 0;
}

size_t foldedit__strip_pid(char *s, size_t len)
{
	size_t root = frame_end(s, len, 0), dash, slash, id_end;

	for (dash = root; dash > 0 && s[dash - 1] != '-'; dash--)
		;
	if (dash < 2)	/* no '-', or nothing before it */
		return len;
	id_end = root;
	for (slash = dash; slash < root && s[slash] != '/'; slash++)
		;
	if (slash < root) {
		if (!is_id(s + slash + 1, root - slash - 1))
			return len;
		id_end = slash;
	}
	if (!is_id(s + dash, id_end - dash))
		return len;
	memmove(s + dash - 1, s + root, len - root);
	return len - (root - dash + 1);
}

long foldedit__find(const char *s, size_t len, const struct foldedit_match *m,
		    size_t *end)
{
	size_t i = 0, e;

	while (i <= len) {
		e = frame_end(s, len, i);
		if (m->fn(m->ctx, s + i, e - i)) {
			*end = e;
			return (long)i;
		}
		i = e + 1;
	}
	return -1;
}

size_t foldedit__focus(char *s, size_t len, const struct foldedit_match *m)
{
	size_t end;
	long at = foldedit__find(s, len, m, &end);

	if (at < 0)
		return 0;
	memmove(s, s + at, len - (size_t)at);
	return len - (size_t)at;
}

size_t foldedit__prune(const char *s, size_t len,
		       const struct foldedit_match *m)
{
	size_t end;

	return foldedit__find(s, len, m, &end) < 0 ? len : end;
}
