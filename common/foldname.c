/* foldname: frame naming rules (see foldname.h).
 *
 * The rules follow FlameGraph's stackcollapse-perf.pl, in its order: an
 * "[unknown]" symbol becomes "[dso-basename]", ';' becomes ':', the
 * argument list is removed, Java's leading "L" is dropped, then one
 * annotation. Where the Perl script is wrong we differ on purpose: C++ and
 * Rust names lose only their trailing argument list (it cuts at the first
 * '(', so "std::function<void (int)>" became "std::function<void "), frames
 * starting with '(' are kept (it dropped them), quotes are kept (it deleted
 * them), and every name is made safe for the folded format (no control
 * bytes, valid UTF-8).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "demangle.h"
#include "foldname.h"
#include "intern.h"
#include "strutil.h"

struct span {
	uint32_t first, nr;	/* into ids */
};

struct foldname {
	struct foldname_opts opts;
	struct intern *names;
	struct intern *keys;	/* cache keys: sym, dso, flags */
	struct span *spans;	/* by key id */
	size_t spans_cap;
	uint32_t *ids;
	size_t ids_len, ids_cap;
	char *buf;		/* scratch for one name */
	size_t buf_cap;
	uint8_t *kinds;		/* enum frame_kind by name id */
	size_t kinds_cap;
	char *cwd;
	size_t cwd_len;
};

struct foldname *foldname__new(const struct foldname_opts *o,
			       struct intern *names)
{
	struct foldname *fn = calloc(1, sizeof(*fn));

	if (!fn)
		return NULL;
	fn->opts = *o;
	fn->names = names;
	fn->keys = intern__new();
	if (o->cwd) {
		fn->cwd = strdup(o->cwd);
		fn->cwd_len = fn->cwd ? strlen(fn->cwd) : 0;
		fn->opts.cwd = fn->cwd;
	}
	if (!fn->keys || (o->cwd && !fn->cwd)) {
		intern__free(fn->keys);
		free(fn->cwd);
		free(fn);
		errno = ENOMEM;
		return NULL;
	}
	return fn;
}

void foldname__free(struct foldname *fn)
{
	if (!fn)
		return;
	intern__free(fn->keys);
	free(fn->kinds);
	free(fn->cwd);
	free(fn->spans);
	free(fn->ids);
	free(fn->buf);
	free(fn);
}

/* A growable byte string in fn->buf. */
struct text {
	struct foldname *fn;
	size_t len;
	bool oom;
};

static void put(struct text *t, const char *s, size_t len)
{
	struct foldname *fn = t->fn;

	if (t->len + len + 1 > fn->buf_cap) {
		size_t cap = fn->buf_cap ? fn->buf_cap : 256;
		char *nb;

		while (cap < t->len + len + 1)
			cap *= 2;
		nb = realloc(fn->buf, cap);
		if (!nb) {
			t->oom = true;
			return;
		}
		fn->buf = nb;
		fn->buf_cap = cap;
	}
	memcpy(fn->buf + t->len, s, len);
	t->len += len;
}

static void puts_(struct text *t, const char *s)
{
	put(t, s, strlen(s));
}

static bool contains(const char *s, size_t len, const char *needle)
{
	return memmem(s, len, needle, strlen(needle)) != NULL;
}

static bool is_word(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '_';
}

/* Length of "operator<sym>" at s[i] (C++), so that "<", "->" or "()" in an
 * operator's name count as neither templates nor argument lists. */
static size_t operator_len(const char *s, size_t len, size_t i)
{
	size_t j;

	if (!strutil__mem_has_prefix(s + i, len - i, "operator") ||
	    (i > 0 && is_word(s[i - 1])))
		return 0;
	j = i + 8;
	if (strutil__mem_has_prefix(s + j, len - j, "()"))
		return 10;
	if (strutil__mem_has_prefix(s + j, len - j, "[]"))
		return 10;
	while (j < len && strchr("<>=!+-*/%&|^~,", s[j]))
		j++;
	return j - i;
}

static bool only_qualifiers(const char *s, size_t len)
{
	static const char *const words[] = {"const", "volatile", "noexcept",
					    "&&", "&"};
	size_t i = 0, k;

	while (i < len) {
		if (s[i] == ' ') {
			i++;
			continue;
		}
		for (k = 0; k < sizeof(words) / sizeof(words[0]); k++)
			if (strutil__mem_has_prefix(s + i, len - i, words[k]))
				break;
		if (k == sizeof(words) / sizeof(words[0]))
			return false;
		i += strlen(words[k]);
	}
	return true;
}

/* A JVM return type descriptor, [*(V|Z|B|C|S|I|J|F|D|Lpkg/Class;), the
 * class perhaps cut short by perf ("Lio/netty/chann"). */
static bool is_java_type(const char *s, size_t len)
{
	size_t i;

	while (len && *s == '[') {
		s++;
		len--;
	}
	if (len == 1)
		return strchr("VZBCSIJFD", *s) != NULL;
	if (len < 2 || s[0] != 'L')
		return false;
	if (s[len - 1] == ';')
		len--;
	for (i = 1; i < len; i++)
		if (!is_word(s[i]) && s[i] != '/' && s[i] != '$')
			return false;
	return true;
}

/* Where the argument list of a symbol starts, or len when it has none:
 * the last parenthesised group outside templates and braces, when what
 * follows it is nothing, C++ qualifiers, or a Java return type. Any other
 * group is part of the name: "(anonymous namespace)::f",
 * "net/http.(*Client).Do", "(garbage collection)". */
static size_t arglist_start(const char *s, size_t len)
{
	size_t i, open = len, close = len, cand = len, depth_paren = 0;
	int depth_angle = 0, depth_brace = 0;
	const char *tail;
	size_t tail_len;

	if (strutil__mem_has_prefix(s, len, "py::"))
		return len;	/* CPython qualname:filename, no arguments */
	for (i = 0; i < len; i++) {
		size_t op = operator_len(s, len, i);

		if (op) {
			i += op - 1;
			continue;
		}
		switch (s[i]) {
		case '<':
			depth_angle += !depth_paren;
			break;
		case '>':
			if (!depth_paren && depth_angle > 0)
				depth_angle--;
			break;
		case '{':
			depth_brace++;
			break;
		case '}':
			depth_brace -= depth_brace > 0;
			break;
		case '(':
			if (!depth_paren++ && !depth_angle && !depth_brace)
				cand = i;
			break;
		case ')':
			if (depth_paren && !--depth_paren && cand != len) {
				open = cand;
				close = i;
				cand = len;
			}
			break;
		}
	}
	if (cand != len && cand > 0)
		return cand;	/* cut short by perf: "call(Lx/Y" */
	if (open == len || open == 0)
		return len;
	tail = s + close + 1;
	tail_len = len - close - 1;
	if (only_qualifiers(tail, tail_len))
		return open;
	if (is_java_type(tail, tail_len))
		return open;	/* Java: "call(Lx/Y;)Ljava/lang/Object;" */
	return len;
}

/* Append s, made safe for the folded format: ';' -> ':', control bytes ->
 * '?', bytes that are not valid UTF-8 -> U+FFFD. */
static void put_clean(struct text *t, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	while (p < end) {
		const unsigned char *run = p;
		size_t n;

		while (p < end && *p >= 0x20 && *p < 0x7f && *p != ';')
			p++;
		put(t, (const char *)run, (size_t)(p - run));
		if (p == end)
			break;
		if (*p == ';') {
			put(t, ":", 1);
			p++;
			continue;
		}
		if (*p < 0x20 || *p == 0x7f) {
			put(t, "?", 1);
			p++;
			continue;
		}
		n = strutil__utf8_len(p, (size_t)(end - p));
		if (n) {
			put(t, (const char *)p, n);
			p += n;
			continue;
		}
		put(t, "\xef\xbf\xbd", 3);
		p++;
	}
}

/* "QUALNAME:FILENAME" (after "py::") as "QUALNAME (PATH)", the path as a
 * Python user knows it: below site-packages or dist-packages, below the
 * stdlib's lib/pythonX.Y, or below the working directory. The qualname
 * ends at the first ':' (CPython writes "py::%s:%s"; qualnames have none). */
static void put_python(struct foldname *fn, struct text *t, const char *s,
		       size_t len)
{
	const char *colon = memchr(s, ':', len), *path, *p;
	size_t path_len;

	if (!colon) {
		put_clean(t, s, len);
		return;
	}
	put_clean(t, s, (size_t)(colon - s));
	path = colon + 1;
	path_len = len - (size_t)(colon + 1 - s);
	if ((p = memmem(path, path_len, "-packages/", 10)) &&
	    p - path >= 5 && (!memcmp(p - 5, "/site", 5) ||
			      !memcmp(p - 5, "/dist", 5))) {
		path_len -= (size_t)(p + 10 - path);
		path = p + 10;
	} else if ((p = memmem(path, path_len, "/lib/python3.", 13))) {
		const char *slash = memchr(p + 13, '/', path_len -
						(size_t)(p + 13 - path));

		if (slash) {
			path_len -= (size_t)(slash + 1 - path);
			path = slash + 1;
		}
	} else if (fn->cwd_len > 1 && path_len > fn->cwd_len &&
		   !memcmp(path, fn->cwd, fn->cwd_len) &&
		   path[fn->cwd_len] == '/') {
		path_len -= fn->cwd_len + 1;
		path += fn->cwd_len + 1;
	}
	put(t, " (", 2);
	put_clean(t, path, path_len);
	put(t, ")", 1);
}

static int set_kind(struct foldname *fn, uint32_t id, enum frame_kind kind)
{
	size_t old = fn->kinds_cap;

	if (id >= fn->kinds_cap) {
		size_t cap = fn->kinds_cap ? fn->kinds_cap : 1024;
		uint8_t *nk;

		while (cap <= id)
			cap *= 2;
		nk = realloc(fn->kinds, cap);
		if (!nk)
			return -ENOMEM;
		memset(nk + old, 0xff, cap - old);	/* 0xff: not named yet */
		fn->kinds = nk;
		fn->kinds_cap = cap;
	}
	if (fn->kinds[id] == 0xff)
		fn->kinds[id] = (uint8_t)kind;
	return 0;
}

enum frame_kind foldname__kind(const struct foldname *fn, uint32_t id)
{
	if (id >= fn->kinds_cap || fn->kinds[id] == 0xff)
		return FRAME_NATIVE;
	return (enum frame_kind)fn->kinds[id];
}

/* " <ADDR>" after an unknown frame's DSO (--addrs): the address as the
 * input printed it, else in hex as perf prints it. */
static void put_addr(struct text *t, const struct frame *f)
{
	char hex[20];
	int n;

	put(t, " <", 2);
	if (f->pc.len) {
		put_clean(t, f->pc.s, f->pc.len);
	} else {
		n = snprintf(hex, sizeof(hex), "%" PRIx64, f->addr);
		put(t, hex, (size_t)n);
	}
	put(t, ">", 1);
}

static bool is_unknown(struct slice sym)
{
	return !sym.len || (sym.len == 9 && !memcmp(sym.s, "[unknown]", 9));
}

/* The kind of the part s of frame f's symbol: f's own, or what the text
 * says when that is all the input knew (perf's "a->b" inline chains are
 * parts of one text frame). */
static enum frame_kind part_kind(const struct frame *f, const char *s,
				 size_t len)
{
	struct frame part = *f;

	if (f->kind != FRAME_TEXT)
		return f->kind;
	part.sym = (struct slice){s, len};
	return frame__kind_of_text(&part);
}

/* One part of a symbol, tidied and annotated, as a new interned id. */
static uint32_t name_part(struct foldname *fn, const struct frame *f,
			  const char *s, size_t len, size_t index,
			  bool is_java)
{
	const struct foldname_opts *o = &fn->opts;
	struct text t = {fn, 0, false};
	enum frame_kind kind = part_kind(f, s, len);
	bool is_inlined = kind == FRAME_INLINED ||
			  (f->dso.len == 7 && !memcmp(f->dso.s, "inlined", 7));
	size_t start = 0, end;
	uint32_t id;

	if (is_unknown((struct slice){s, len})) {
		const char *base = f->dso.s;
		size_t base_len = f->dso.len;
		const char *slash = base_len ? memrchr(base, '/', base_len)
					     : NULL;

		if (f->dso.len == 9 && !memcmp(f->dso.s, "[unknown]", 9)) {
			base = "unknown";
			base_len = 7;
		} else if (slash) {
			base_len -= (size_t)(slash + 1 - base);
			base = slash + 1;
		}
		put(&t, "[", 1);
		put_clean(&t, base, base_len);
		if (o->include_addrs)
			put_addr(&t, f);
		put(&t, "]", 1);
	} else if (o->python && kind == FRAME_PYTHON && len > 4 &&
		   !memcmp(s, "py::", 4)) {
		put_python(fn, &t, s + 4, len - 4);
	} else {
		char rust[1024];
		size_t n;

		end = arglist_start(s, len);
		if (is_java && end > 1 && s[0] == 'L' && memchr(s, '/', end))
			start = 1;
		n = demangle__rust_legacy(s + start, end - start, rust,
					  sizeof(rust));
		if (n)
			put_clean(&t, rust, n);
		else
			put_clean(&t, s + start, end - start);
	}
	if (index > 0) {
		if (!contains(fn->buf, t.len, "_[i]"))
			puts_(&t, "_[i]");
	} else if (o->annotate_inline && is_inlined) {
		puts_(&t, "_[i]");
	} else if (o->annotate_kernel && frame__is_kernel_dso(f->dso)) {
		puts_(&t, "_[k]");
	} else if (o->annotate_jit && frame__is_jit_dso(f->dso)) {
		if (!contains(fn->buf, t.len, "_[j]"))
			puts_(&t, "_[j]");
	}
	if (t.oom)
		return INTERN_NONE;
	id = intern__add(fn->names, fn->buf, t.len);
	if (id == INTERN_NONE || set_kind(fn, id, kind) < 0)
		return INTERN_NONE;
	return id;
}

/* Where the next "->" separator of an inline chain starts, or len. */
static size_t next_arrow(const char *s, size_t len, size_t from)
{
	const char *p = s + from, *end = s + len;

	while ((p = memmem(p, (size_t)(end - p), "->", 2))) {
		if (!(p - s >= 8 && !memcmp(p - 8, "operator", 8)))
			return (size_t)(p - s);
		p += 2;
	}
	return len;
}

/* Tidy a frame not seen before and record its ids under key. */
static int name_frame(struct foldname *fn, const struct frame *f,
		      bool is_java, uint32_t key)
{
	struct span *sp;
	size_t from = 0, index = 0;
	uint32_t first = (uint32_t)fn->ids_len;

	if (array__reserve((void **)&fn->spans, &fn->spans_cap, (size_t)key + 1,
		 sizeof(*fn->spans)) < 0)
		return -ENOMEM;
	while (from <= f->sym.len) {
		size_t to = next_arrow(f->sym.s, f->sym.len, from);
		uint32_t id;

		if (to > from || (from == 0 && to == f->sym.len)) {
			id = name_part(fn, f, f->sym.s + from, to - from,
				       index++, is_java);
			if (id == INTERN_NONE ||
			    array__reserve((void **)&fn->ids, &fn->ids_cap,
				 fn->ids_len + 1, sizeof(*fn->ids)) < 0)
				return -ENOMEM;
			fn->ids[fn->ids_len++] = id;
		}
		from = to + 2;
	}
	sp = &fn->spans[key];
	sp->first = first;
	sp->nr = (uint32_t)(fn->ids_len - first);
	return 0;
}

int foldname__frame(struct foldname *fn, const struct frame *f,
		    bool is_java, uint32_t *out, size_t cap)
{
	bool unknown = is_unknown(f->sym);
	uint32_t key, nr_keys = intern__count(fn->keys);
	const struct span *sp;

	/* The cache key: everything the name depends on. The text perf
	 * printed, when the parser kept it, is copied only when first seen;
	 * otherwise kind, symbol and DSO are joined behind a marker byte that
	 * printed text cannot start with (the parser skips blanks only). */
	if (!is_java && !(unknown && fn->opts.include_addrs) && f->raw.len &&
	    f->raw.s[0] != '\x01') {
		key = intern__add(fn->keys, f->raw.s, f->raw.len);
	} else {
		struct text t = {fn, 0, false};

		char kind = (char)('0' + f->kind);

		put(&t, "\x01", 1);
		put(&t, &kind, 1);
		put(&t, f->sym.s, f->sym.len);
		put(&t, "\x01", 1);
		put(&t, f->dso.s, f->dso.len);
		put(&t, is_java ? "\x01j" : "\x01-", 2);
		if (unknown && fn->opts.include_addrs)
			put_addr(&t, f);
		if (t.oom)
			return -ENOMEM;
		key = intern__add(fn->keys, fn->buf, t.len);
	}
	if (key == INTERN_NONE)
		return -ENOMEM;
	if (key >= nr_keys && name_frame(fn, f, is_java, key) < 0)
		return -ENOMEM;
	sp = &fn->spans[key];
	if (sp->nr > cap)
		return -ENOMEM;
	memcpy(out, fn->ids + sp->first, sp->nr * sizeof(*out));
	return (int)sp->nr;
}

uint32_t foldname__text(struct foldname *fn, const char *s, size_t len)
{
	struct text t = {fn, 0, false};

	put_clean(&t, s, len);
	if (t.oom)
		return INTERN_NONE;
	return intern__add(fn->names, fn->buf, t.len);
}

uint32_t foldname__root(struct foldname *fn, struct slice comm,
			struct slice pid, struct slice tid)
{
	const struct foldname_opts *o = &fn->opts;
	struct text t = {fn, 0, false};
	size_t i;

	put_clean(&t, comm.s, comm.len);
	if (o->include_pid || o->include_tid) {
		put(&t, "-", 1);
		if (pid.len)
			put(&t, pid.s, pid.len);
		else
			put(&t, "?", 1);
	}
	if (o->include_tid) {
		put(&t, "/", 1);
		put(&t, tid.s, tid.len);
	}
	if (t.oom)
		return INTERN_NONE;
	for (i = 0; i < t.len; i++)
		if (fn->buf[i] == ' ')
			fn->buf[i] = '_';
	return intern__add(fn->names, fn->buf, t.len);
}
