/* kallsyms: /proc/kallsyms as perf 6.1 reads it (see kallsyms.h).
 *
 * Line format (kernel/kallsyms.c s_show()): "%px %c %s\n", and for module
 * symbols "%px %c %s\t[%s]\n". perf's kallsyms__parse() keeps types T/W/D/B
 * (symbol_type__filter()); its binding is weak for 'W', global for other
 * upper case letters and local otherwise.
 *
 * The text is read whole and parsed by hand (strtoull() only for odd
 * addresses); symarr__load() then skips perf's tree when it can prove the
 * answers the same (see symarr.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "array.h"
#include "fcache.h"
#include "kallsyms.h"
#include "mapguard.h"
#include "symarr.h"

struct module {
	char *name;
	size_t len;
	uint64_t text_lo, text_hi;	/* of its T/t/W/w symbols */
};

/* perf's ref_reloc_sym names (machine.c ref_reloc_sym_names[]). */
static const char *const ref_names[] = { "_text", "_stext" };
#define NR_REFS (sizeof(ref_names) / sizeof(ref_names[0]))

struct kallsyms {
	struct symarr *syms;
	struct module *modules;		/* tag - 1 indexes this */
	size_t nr_modules, modules_cap;
	bool is_restricted;
	uint64_t nr_bad_lines;
	uint64_t ref_addr[NR_REFS];
	bool has_ref[NR_REFS];
	uint64_t delta;			/* kallsyms__relocate() */
};

/* What one parse keeps between lines. */
struct parser {
	struct kallsyms *ks;
	bool is_reference, is_nonzero;
	char *scratch;			/* a line for strtoull() */
	size_t scratch_cap;
	uint32_t last_tag;
};

void kallsyms__free(struct kallsyms *ks)
{
	size_t i;

	if (!ks)
		return;
	symarr__free(ks->syms);
	for (i = 0; i < ks->nr_modules; i++)
		free(ks->modules[i].name);
	free(ks->modules);
	free(ks);
}

/* The tag (index + 1) of module name, adding it when new. Modules come in
 * runs, so the last one is checked first. */
static int module_tag(struct parser *p, const char *name, size_t len,
		      uint32_t *tag)
{
	struct kallsyms *ks = p->ks;
	struct module *m;
	size_t i;

	if (p->last_tag) {
		m = &ks->modules[p->last_tag - 1];
		if (m->len == len && !memcmp(m->name, name, len)) {
			*tag = p->last_tag;
			return 0;
		}
	}
	for (i = ks->nr_modules; i > 0; i--) {
		m = &ks->modules[i - 1];
		if (m->len == len && !memcmp(m->name, name, len)) {
			*tag = p->last_tag = (uint32_t)i;
			return 0;
		}
	}
	if (array__reserve((void **)&ks->modules, &ks->modules_cap,
			   ks->nr_modules + 1, sizeof(*ks->modules)))
		return -ENOMEM;
	m = &ks->modules[ks->nr_modules];
	m->name = strndup(name, len);
	if (!m->name)
		return -ENOMEM;
	m->len = len;
	m->text_lo = UINT64_MAX;
	m->text_hi = 0;
	*tag = p->last_tag = (uint32_t)++ks->nr_modules;
	return 0;
}

static const int8_t hex_value[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
	['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

/* The address at the start of [line, eol) when it is 1 to 16 hex digits
 * and a space, as /proc/kallsyms always has it; else -1 and strtoull()
 * decides. Both agree on every line the first accepts. */
static int parse_hex(const char *line, const char *eol, uint64_t *addr,
		     const char **end)
{
	const char *p = line, *stop = eol - line > 17 ? line + 17 : eol;
	uint64_t v = 0;
	int d;

	while (p < stop && (d = hex_value[(unsigned char)*p]))
		v = v << 4 | (uint64_t)(d - 1), p++;
	if (p == line || p == stop || p - line > 16 || *p != ' ')
		return -1;
	*addr = v;
	*end = p;
	return 0;
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* Bytes of x (each below 0x80) in [lo, hi]: their top bits. */
static uint64_t bytes_between(uint64_t x, unsigned int lo, unsigned int hi)
{
	return (x + (0x80 - lo) * ONES) & ~(x + (0x7f - hi) * ONES) & HIGHS;
}

/* The 8 hex digits at p as a number, eight at a time (SWAR); false when
 * one is not a hex digit. */
static inline bool hex8(const char *p, uint64_t *out)
{
	uint64_t x, v;

	memcpy(&x, p, 8);
	if (x & HIGHS)
		return false;
	if ((bytes_between(x, '0', '9') | bytes_between(x, 'A', 'F') |
	     bytes_between(x, 'a', 'f')) != HIGHS)
		return false;
	/* a digit's value is its low nibble, plus 9 for letters (bit 6) */
	v = (x & 0x0f0f0f0f0f0f0f0fULL) + 9 * ((x >> 6) & ONES);
	v = __builtin_bswap64(v);	/* the first digit on top */
	v = (v | v >> 4) & 0x00ff00ff00ff00ffULL;
	v = (v | v >> 8) & 0x0000ffff0000ffffULL;
	v = (v | v >> 16) & 0x00000000ffffffffULL;
	*out = v;
	return true;
}

/* The first '\t' or '\n' in [p, end), or end: sixteen bytes at a time
 * with SSE2 (every x86-64 has it), else eight (SWAR: the lowest flagged
 * byte of the zero-byte test is always exact). */
static const char *find_tab_or_newline(const char *p, const char *end)
{
#ifdef __SSE2__
	const __m128i tabs = _mm_set1_epi8('\t'), nls = _mm_set1_epi8('\n');

	for (; end - p >= 16; p += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
		unsigned int m = (unsigned int)_mm_movemask_epi8(_mm_or_si128(
			_mm_cmpeq_epi8(x, tabs), _mm_cmpeq_epi8(x, nls)));

		if (m)
			return p + __builtin_ctz(m);
	}
#endif
	for (; end - p >= 8; p += 8) {
		uint64_t x, t, n, m;

		memcpy(&x, p, 8);
		t = x ^ ('\t' * ONES);
		n = x ^ ('\n' * ONES);
		m = ((t - ONES) & ~t) | ((n - ONES) & ~n);
		if (m & HIGHS)
			return p + __builtin_ctzll(m & HIGHS) / 8;
	}
	while (p < end && *p != '\t' && *p != '\n')
		p++;
	return p;
}

/* The line at [line, text_end) when it has /proc/kallsyms's own shape: 16
 * hex digits, a space, a type, a space, a name, perhaps a tab and the
 * module, a newline (or the end). Fills *addr, *type, *name, *tab (NULL
 * without a module) and *eol, as parse_line() would read them; false for
 * any other line, left to parse_line(). */
static bool scan_fast(const char *line, const char *text_end, uint64_t *addr,
		      int *type, const char **name, const char **tab,
		      const char **eol)
{
	uint64_t hi, lo;
	const char *stop;

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
	return false;	/* hex8() and the newline search read words */
#endif
	if (text_end - line < 20 || line[16] != ' ' || line[18] != ' ' ||
	    !line[17] || line[17] == '\n' || line[19] == '\n' || !line[19] ||
	    !hex8(line, &hi) || !hex8(line + 8, &lo))
		return false;
	*addr = hi << 32 | lo;
	*type = (unsigned char)line[17];
	*name = line + 19;
	stop = find_tab_or_newline(line + 19, text_end);
	*tab = NULL;
	*eol = stop;
	if (stop < text_end && *stop == '\t') {
		*tab = stop;
		*eol = memchr(stop, '\n', (size_t)(text_end - stop));
		if (!*eol)
			*eol = text_end;
	}
	return true;
}

/* The address by strtoull(), from a NUL-terminated copy of the line. */
static int parse_strtoull(struct parser *p, const char *line,
			  const char *eol, uint64_t *addr, const char **end)
{
	size_t len = (size_t)(eol - line);
	char *e_end;

	if (len + 1 > p->scratch_cap) {
		char *s = realloc(p->scratch, len + 1);

		if (!s)
			return -ENOMEM;
		p->scratch = s;
		p->scratch_cap = len + 1;
	}
	memcpy(p->scratch, line, len);
	p->scratch[len] = '\0';
	errno = 0;
	*addr = strtoull(p->scratch, &e_end, 16);
	if (e_end == p->scratch || errno)
		return -EINVAL;
	*end = line + (e_end - p->scratch);
	return 0;
}

static bool is_function_type(int type)
{
	return type == 'T' || type == 't' || type == 'W' || type == 'w';
}

/* perf's kallsyms__get_function_start() for each reference symbol: the
 * first line of a function (or 'A') type naming it, module suffix and
 * all. */
static void note_ref(struct kallsyms *ks, int type, const char *name,
		     size_t len, uint64_t addr)
{
	size_t i;

	if (!is_function_type(type) && type != 'A')
		return;
	for (i = 0; i < NR_REFS; i++)
		if (!ks->has_ref[i] && strlen(ref_names[i]) == len &&
		    !memcmp(ref_names[i], name, len)) {
			ks->has_ref[i] = true;
			ks->ref_addr[i] = addr;
		}
}

/* Parse the line starting at line into *e (its name borrowed from the
 * text) and set *eol to its end. Returns 0, 1 for a line perf ignores,
 * -EINVAL for a malformed one, -ENOMEM. */
static int parse_line(struct parser *p, const char *line,
		      const char *text_end, struct symarr_entry *e,
		      const char **eol)
{
	const char *end, *name, *tab;
	uint64_t addr;
	uint32_t tag = 0;
	int type, err;

	if (p->is_reference ||
	    !scan_fast(line, text_end, &addr, &type, &name, &tab, eol)) {
		*eol = memchr(line, '\n', (size_t)(text_end - line));
		if (!*eol)
			*eol = text_end;
		if (p->is_reference || parse_hex(line, *eol, &addr, &end)) {
			err = parse_strtoull(p, line, *eol, &addr, &end);
			if (err)
				return err;
		}
		if (*eol - end < 4 || end[0] != ' ' || !end[1] ||
		    end[2] != ' ' || !end[3])
			return -EINVAL;
		type = (unsigned char)end[1];
		name = end + 3;
		tab = memchr(name, '\t', (size_t)(*eol - name));
	}
	if (name[0] == '_')
		note_ref(p->ks, type, name, (size_t)(*eol - name), addr);
	switch (type | 0x20) {
	case 't':
	case 'w':
	case 'd':
	case 'b':
		break;
	default:
		return 1;
	}
	if (addr)
		p->is_nonzero = true;
	if (tab) {
		const char *mod = tab + 1, *close;
		struct module *m;

		if (mod < *eol && *mod == '[')
			mod++;
		close = memchr(mod, ']', (size_t)(*eol - mod));
		err = module_tag(p, mod, (size_t)((close ? close : *eol) - mod),
				 &tag);
		if (err)
			return err;
		m = &p->ks->modules[tag - 1];
		if (is_function_type(type)) {
			if (addr < m->text_lo)
				m->text_lo = addr;
			if (addr > m->text_hi)
				m->text_hi = addr;
		}
	}
	e->start = addr;
	e->size = 0;
	e->name = name;
	e->len = (size_t)((tab ? tab : *eol) - name);
	e->tag = tag;
	if (type == 'W')
		e->binding = SYMARR_WEAK;
	else if (type >= 'A' && type <= 'Z')
		e->binding = SYMARR_GLOBAL;
	else
		e->binding = SYMARR_LOCAL;
	return 0;
}

/* All of fd into *buf, in large reads: /proc/kallsyms hands out what
 * fits, a page or more per read(). A read error ends the text there, as
 * it ended getline() before. Returns the length, or -ENOMEM. */
static ssize_t read_all(int fd, char **buf)
{
	size_t len = 0, cap = 0;
	char *p = NULL;
	ssize_t n;

	for (;;) {
		if (cap - len < (1 << 20)) {
			char *np = p ? realloc(p, 2 * cap)
				     : array__alloc_big(8 << 20, &cap);

			if (!np) {
				free(p);
				return -ENOMEM;
			}
			if (p)
				cap *= 2;
			p = np;
		}
		n = read(fd, p + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	*buf = p;
	return (ssize_t)len;
}

/* The text of the file open at fd: mapped when it is a regular file (a
 * copy in perf's build-id cache: no copying, and no fresh pages to fault
 * in), else read (/proc/kallsyms, whose size says 0). *mapped tells which
 * to undo; a mapping is guarded (mapguard.h), named path. */
static ssize_t get_text(int fd, const char *path, const char **text,
			bool *mapped)
{
	struct stat st;
	char *buf;
	ssize_t len;

	*mapped = false;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uint64_t)st.st_size <= SIZE_MAX / 2) {
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE,
			       fd, 0);

		if (m != MAP_FAILED) {
			mapguard__add(m, (size_t)st.st_size, path);
			*text = m;
			*mapped = true;
			return (ssize_t)st.st_size;
		}
	}
	len = read_all(fd, &buf);
	if (len >= 0)
		*text = buf;
	return len;
}

/* A table as kept in a cache (fcache.h): this head, the modules, their
 * names, then (8-byte aligned) the symbols' symarr__image(). */
struct cached_head {
	uint64_t ref_addr[NR_REFS];
	uint64_t names_len;
	uint32_t nr_modules;
	uint8_t has_ref[NR_REFS];
	uint8_t is_restricted;
};

struct cached_module {
	uint64_t text_lo, text_hi;
	uint64_t name_off, len;
};

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* The table kept for the file open at fd, or NULL: none, or one that
 * does not check out. */
static struct kallsyms *from_cache(const struct fcache *cache, int fd)
{
	struct fcache_src src = { .fd = fd };
	struct fcache_blob *b = fcache__get(cache, "kallsyms", &src, 1);
	const struct cached_module *cm;
	struct cached_head h;
	struct kallsyms *ks = NULL;
	const char *p, *names;
	size_t len, off, i;

	if (!b)
		return NULL;
	p = fcache_blob__data(b, &len);
	if (len < sizeof(h))
		goto bad;
	memcpy(&h, p, sizeof(h));
	if (h.nr_modules > (len - sizeof(h)) / sizeof(*cm))
		goto bad;
	cm = (const struct cached_module *)(p + sizeof(h));
	off = sizeof(h) + h.nr_modules * sizeof(*cm);
	if (h.names_len > len - off)
		goto bad;
	names = p + off;
	off = align8(off + (size_t)h.names_len);
	ks = calloc(1, sizeof(*ks));
	if (off > len || !ks ||
	    !(ks->modules = calloc(h.nr_modules + 1, sizeof(*ks->modules))))
		goto bad;
	for (i = 0; i < h.nr_modules; i++, ks->nr_modules++) {
		struct module *m = &ks->modules[i];

		if (cm[i].name_off > h.names_len ||
		    cm[i].len > h.names_len - cm[i].name_off ||
		    !(m->name = malloc(cm[i].len + 1)))
			goto bad;
		memcpy(m->name, names + cm[i].name_off, cm[i].len);
		m->name[cm[i].len] = '\0';
		m->len = cm[i].len;
		m->text_lo = cm[i].text_lo;
		m->text_hi = cm[i].text_hi;
	}
	ks->modules_cap = h.nr_modules + 1;
	ks->syms = symarr__from_image(p + off, len - off);
	if (!ks->syms)
		goto bad;
	for (i = 0; i < symarr__nr_intervals(ks->syms); i++) {
		uint64_t start;
		const struct symarr_sym *s = symarr__interval(ks->syms, i,
							       &start);

		if (s && s->tag > ks->nr_modules)
			goto bad;	/* a module that is not there */
	}
	ks->is_restricted = h.is_restricted;
	for (i = 0; i < NR_REFS; i++) {
		ks->has_ref[i] = h.has_ref[i];
		ks->ref_addr[i] = h.ref_addr[i];
	}
	fcache_blob__free(b);
	return ks;
bad:
	kallsyms__free(ks);
	fcache_blob__free(b);
	return NULL;
}

/* Keep ks, read from the file open at fd, in cache. Not a table with
 * malformed lines: each run reports them. */
static void to_cache(const struct kallsyms *ks, const struct fcache *cache,
		     int fd)
{
	struct cached_head h = { .nr_modules = (uint32_t)ks->nr_modules,
				 .is_restricted = ks->is_restricted };
	struct fcache_src src = { .fd = fd };
	struct cached_module *cm;
	size_t img_len, off, i;
	void *img;
	char *buf;

	if (ks->nr_bad_lines || ks->nr_modules > UINT32_MAX)
		return;
	for (i = 0; i < NR_REFS; i++) {
		h.has_ref[i] = ks->has_ref[i];
		h.ref_addr[i] = ks->ref_addr[i];
	}
	for (i = 0; i < ks->nr_modules; i++)
		h.names_len += ks->modules[i].len;
	img = symarr__image(ks->syms, &img_len);
	off = align8(sizeof(h) + ks->nr_modules * sizeof(*cm) +
		     (size_t)h.names_len);
	buf = img ? calloc(1, off + img_len) : NULL;
	if (buf) {
		char *names = buf + sizeof(h) + ks->nr_modules * sizeof(*cm);

		memcpy(buf, &h, sizeof(h));
		cm = (struct cached_module *)(buf + sizeof(h));
		h.names_len = 0;
		for (i = 0; i < ks->nr_modules; i++) {
			const struct module *m = &ks->modules[i];

			cm[i] = (struct cached_module){
				.text_lo = m->text_lo, .text_hi = m->text_hi,
				.name_off = h.names_len, .len = m->len,
			};
			memcpy(names + h.names_len, m->name, m->len);
			h.names_len += m->len;
		}
		memcpy(buf + off, img, img_len);
		fcache__put(cache, "kallsyms", &src, 1, buf, off + img_len);
	}
	free(buf);
	free(img);
}

static struct kallsyms *open_common(const char *path,
				    const struct fcache *cache,
				    const struct diag *d, bool is_reference)
{
	struct parser p = { .is_reference = is_reference };
	struct kallsyms *ks;
	struct symarr_entry e;
	const char *text = NULL, *line, *eol, *text_end;
	ssize_t len = 0;
	bool mapped = false;
	int fd, err = 0;

	if (!path)
		path = "/proc/kallsyms";
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (cache && (ks = from_cache(cache, fd))) {
		close(fd);
		return ks;
	}
	p.ks = ks = calloc(1, sizeof(*ks));
	if (!ks || !(ks->syms = symarr__new())) {
		err = -ENOMEM;
		goto out;
	}
	len = get_text(fd, path, &text, &mapped);
	if (len < 0) {
		err = (int)len;
		goto out;
	}
	text_end = text + len;
	/* Lines are about 44 bytes, names fewer than the text. */
	err = symarr__reserve(ks->syms, (size_t)len / 40 + 1, (size_t)len);
	if (err)
		goto out;
	for (line = text; line < text_end; line = eol + 1) {
		err = parse_line(&p, line, text_end, &e, &eol);
		if (err == -EINVAL) {
			diag__limited(d, &ks->nr_bad_lines, 3,
				      "'%s': malformed line '%.*s'", path,
				      (int)(eol - line < 60 ? eol - line : 60),
				      line);
		} else if (err < 0) {
			goto out;
		} else if (err == 0) {
			err = symarr__append(ks->syms, &e);
			if (err)
				goto out;
		}
		err = 0;
	}
	ks->is_restricted = symarr__count(ks->syms) && !p.is_nonzero;
	/* __dso__load_kallsyms(): ends first, then duplicates. */
	err = symarr__load_finish(ks->syms,
				  SYMARR_FIXUP_END | SYMARR_KALLSYMS |
					  SYMARR_DEDUP |
					  (is_reference ? SYMARR_REFERENCE : 0));
	if (!err && cache)
		to_cache(ks, cache, fd);
out:
	free(p.scratch);
	if (mapped) {
		mapguard__remove(text);
		munmap((void *)text, (size_t)len);
	}
	else
		free((void *)text);
	close(fd);
	if (err) {
		kallsyms__free(ks);
		errno = -err;
		return NULL;
	}
	return ks;
}

struct kallsyms *kallsyms__open(const char *path, const struct diag *d)
{
	return open_common(path, NULL, d, false);
}

struct kallsyms *kallsyms__open_cached(const char *path,
				       const struct fcache *cache,
				       const struct diag *d)
{
	return open_common(path, cache, d, false);
}

struct kallsyms *kallsyms__open_reference(const char *path,
					  const struct diag *d)
{
	return open_common(path, NULL, d, true);
}

const struct symarr *kallsyms__symarr(const struct kallsyms *ks)
{
	return ks->syms;
}

bool kallsyms__is_restricted(const struct kallsyms *ks)
{
	return ks->is_restricted;
}

/* The symbol at addr in the table's own addresses, when it is a core
 * kernel one (is_core) or a module one (!is_core). */
static const struct symarr_sym *find(const struct kallsyms *ks, uint64_t addr,
				     bool is_core)
{
	const struct symarr_sym *s = symarr__find(ks->syms, addr);

	return s && !s->tag == is_core ? s : NULL;
}

const char *kallsyms__lookup(const struct kallsyms *ks, uint64_t addr,
			     uint64_t *off, const char **module)
{
	const struct symarr_sym *s;

	if (ks->is_restricted)
		return NULL;
	if (!ks->delta) {
		s = symarr__find(ks->syms, addr);
	} else {
		/* perf splits the table into the kernel's map, shifted,
		 * and the modules' maps, not */
		s = find(ks, addr + ks->delta, true);
		if (!s)
			s = find(ks, addr, false);
	}
	if (!s)
		return NULL;
	if (off)
		*off = addr - (s->tag ? s->start : s->start - ks->delta);
	if (module)
		*module = s->tag ? ks->modules[s->tag - 1].name : NULL;
	return s->name;
}

int kallsyms__ref_addr(const struct kallsyms *ks, const char *name,
		       uint64_t *addr)
{
	size_t i;

	for (i = 0; i < NR_REFS; i++)
		if (!strcmp(ref_names[i], name) && ks->has_ref[i]) {
			*addr = ks->ref_addr[i];
			return 0;
		}
	return -ENOENT;
}

void kallsyms__relocate(struct kallsyms *ks, uint64_t delta)
{
	ks->delta = delta;
}

size_t kallsyms__nr_modules(const struct kallsyms *ks)
{
	return ks->nr_modules;
}

const char *kallsyms__module(const struct kallsyms *ks, size_t i,
			     uint64_t *text_lo, uint64_t *text_hi)
{
	*text_lo = ks->modules[i].text_lo;
	*text_hi = ks->modules[i].text_hi;
	return ks->modules[i].name;
}

size_t kallsyms__count(const struct kallsyms *ks)
{
	return symarr__count(ks->syms);
}

uint64_t kallsyms__nr_bad_lines(const struct kallsyms *ks)
{
	return ks->nr_bad_lines;
}
