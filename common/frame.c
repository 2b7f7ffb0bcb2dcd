/* frame: what a frame's text says it is (see frame.h). */
#include <string.h>

#include "frame.h"
#include "strutil.h"

static bool is(struct slice t, const char *s)
{
	return t.len == strlen(s) && !memcmp(t.s, s, t.len);
}

/* The file name part of a path: after its last '/' */
static struct slice base_name(struct slice path)
{
	const char *slash = path.len ? memrchr(path.s, '/', path.len) : NULL;

	if (!slash)
		return path;
	return (struct slice){slash + 1,
			      (size_t)(path.s + path.len - slash - 1)};
}

bool frame__is_kernel_dso(struct slice dso)
{
	struct slice base = base_name(dso);

	return (strutil__mem_has_prefix(dso.s, dso.len, "[") ||
		(dso.len >= 7 && !memcmp(dso.s + dso.len - 7, "vmlinux", 7)) ||
		strutil__mem_has_prefix(base.s, base.len, "vmlinux-")) &&
	       !memmem(dso.s, dso.len, "unknown", 7);
}

/* Past the decimal digits at s[*i..n): false when there are none. */
static bool skip_digits(const char *s, size_t n, size_t *i)
{
	size_t from = *i;

	while (*i < n && s[*i] >= '0' && s[*i] <= '9')
		(*i)++;
	return *i > from;
}

/* "jitted-PID-N.so", the files perf inject --jit writes */
static bool is_jitted_so(struct slice base)
{
	size_t i = 7;

	if (!strutil__mem_has_prefix(base.s, base.len, "jitted-") ||
	    !skip_digits(base.s, base.len, &i) || i >= base.len ||
	    base.s[i++] != '-' || !skip_digits(base.s, base.len, &i))
		return false;
	return base.len - i == 3 && !memcmp(base.s + i, ".so", 3);
}

bool frame__is_jit_dso(struct slice dso)
{
	const char *p = dso.s, *end = dso.s + dso.len;

	while (dso.len && (p = memmem(p, (size_t)(end - p), "/tmp/perf-", 10))) {
		const char *q = p + 10, *digits = q;

		while (q < end && *q >= '0' && *q <= '9')
			q++;
		if (q > digits && end - q >= 4 && !memcmp(q, ".map", 4))
			return true;
		p += 10;
	}
	return is_jitted_so(base_name(dso));
}

bool frame__is_interpreter(struct slice dso)
{
	struct slice base = base_name(dso);

	return strutil__mem_has_prefix(base.s, base.len, "python") ||
	       strutil__mem_has_prefix(base.s, base.len, "libpython");
}

enum frame_kind frame__kind_of_text(const struct frame *f)
{
	if (f->sym.len > 4 && !memcmp(f->sym.s, "py::", 4))
		return FRAME_PYTHON;
	if (is(f->dso, "inlined"))
		return FRAME_INLINED;
	if (frame__is_kernel_dso(f->dso) && !is(f->dso, "[vdso]"))
		return FRAME_KERNEL;
	if (frame__is_jit_dso(f->dso))
		return FRAME_JIT;
	if (frame__is_interpreter(f->dso))
		return FRAME_INTERP;
	return FRAME_NATIVE;
}
