/* frame: what a frame's text says it is (see frame.h). */
#include <string.h>

#include "frame.h"

static bool has_prefix(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && !memcmp(s, prefix, n);
}

static bool is(struct slice t, const char *s)
{
	return t.len == strlen(s) && !memcmp(t.s, s, t.len);
}

bool frame__is_kernel_dso(struct slice dso)
{
	return (has_prefix(dso.s, dso.len, "[") ||
		(dso.len >= 7 && !memcmp(dso.s + dso.len - 7, "vmlinux", 7))) &&
	       !memmem(dso.s, dso.len, "unknown", 7);
}

bool frame__is_interpreter(struct slice dso)
{
	const char *base = dso.len ? memrchr(dso.s, '/', dso.len) : NULL;
	size_t n;

	base = base ? base + 1 : dso.s;
	n = (size_t)(dso.s + dso.len - base);
	return has_prefix(base, n, "python") || has_prefix(base, n, "libpython");
}

enum frame_kind frame__kind_of_text(const struct frame *f)
{
	if (f->sym.len > 4 && !memcmp(f->sym.s, "py::", 4))
		return FRAME_PYTHON;
	if (is(f->dso, "inlined"))
		return FRAME_INLINED;
	if (frame__is_kernel_dso(f->dso) && !is(f->dso, "[vdso]"))
		return FRAME_KERNEL;
	if (frame__is_interpreter(f->dso))
		return FRAME_INTERP;
	return FRAME_NATIVE;
}
