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
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "array.h"
#include "kallsyms.h"
#include "symarr.h"

struct kallsyms {
	struct symarr *syms;
	char **modules;		/* tag - 1 indexes this */
	size_t nr_modules, modules_cap;
	bool is_restricted;
	uint64_t nr_bad_lines;
};

void kallsyms__free(struct kallsyms *ks)
{
	size_t i;

	if (!ks)
		return;
	symarr__free(ks->syms);
	for (i = 0; i < ks->nr_modules; i++)
		free(ks->modules[i]);
	free(ks->modules);
	free(ks);
}

/* The tag (index + 1) of module name, adding it when new. Modules come in
 * runs, so the last one is checked first. */
static int module_tag(struct kallsyms *ks, const char *name, size_t len,
		      uint32_t *tag)
{
	size_t i;

	for (i = ks->nr_modules; i > 0; i--) {
		const char *m = ks->modules[i - 1];

		if (strlen(m) == len && !memcmp(m, name, len)) {
			*tag = (uint32_t)i;
			return 0;
		}
	}
	if (ks->nr_modules == ks->modules_cap) {
		size_t cap = ks->modules_cap ? 2 * ks->modules_cap : 16;
		char **m = realloc(ks->modules, cap * sizeof(*m));

		if (!m)
			return -ENOMEM;
		ks->modules = m;
		ks->modules_cap = cap;
	}
	ks->modules[ks->nr_modules] = strndup(name, len);
	if (!ks->modules[ks->nr_modules])
		return -ENOMEM;
	*tag = (uint32_t)++ks->nr_modules;
	return 0;
}

/* The address at the start of line when it is 1 to 16 hex digits and a
 * space, as /proc/kallsyms always has it; else -1 and strtoull() decides.
 * Both agree on every line the first accepts. */
static int parse_hex(const char *line, unsigned long long *addr,
		     const char **end)
{
	unsigned long long v = 0;
	const char *p = line;
	unsigned int d;

	for (;; p++) {
		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'f')
			d = (*p | 0x20) - 'a' + 10;
		else
			break;
		v = v << 4 | d;
	}
	if (p == line || p - line > 16 || *p != ' ')
		return -1;
	*addr = v;
	*end = p;
	return 0;
}

/* Parse one line (NUL-terminated, without its newline) into *e. Returns 0,
 * 1 for a line perf ignores, -EINVAL for a malformed one, -ENOMEM. */
static int parse_line(struct kallsyms *ks, char *line, bool is_reference,
		      struct symarr_entry *e, bool *nonzero)
{
	const char *end;
	char *name, *tab;
	unsigned long long addr;
	uint32_t tag = 0;
	int type, err;

	if (is_reference || parse_hex(line, &addr, &end)) {
		char *e_end;

		errno = 0;
		addr = strtoull(line, &e_end, 16);
		if (e_end == line || errno)
			return -EINVAL;
		end = e_end;
	}
	if (end[0] != ' ' || !end[1] || end[2] != ' ' || !end[3])
		return -EINVAL;
	type = (unsigned char)end[1];
	name = line + (end - line) + 3;
	switch (toupper(type)) {
	case 'T':
	case 'W':
	case 'D':
	case 'B':
		break;
	default:
		return 1;
	}
	if (addr)
		*nonzero = true;
	tab = strchr(name, '\t');
	if (tab) {
		char *mod = tab + 1, *close;

		*tab = '\0';
		if (*mod == '[')
			mod++;
		close = strchr(mod, ']');
		err = module_tag(ks, mod, close ? (size_t)(close - mod)
						: strlen(mod), &tag);
		if (err)
			return err;
	}
	e->start = addr;
	e->size = 0;
	e->name = name;
	e->len = tab ? (size_t)(tab - name) : strlen(name);
	e->tag = tag;
	if (type == 'W')
		e->binding = SYMARR_WEAK;
	else if (isupper(type))
		e->binding = SYMARR_GLOBAL;
	else
		e->binding = SYMARR_LOCAL;
	return 0;
}

/* All of fd into *buf (NUL-terminated), in large reads: /proc/kallsyms
 * hands out what fits, a page or more per read(). A read error ends the
 * text there, as it ended getline() before. Returns the length, or -ENOMEM. */
static ssize_t read_all(int fd, char **buf)
{
	size_t len = 0, cap = 0;
	char *p = NULL;
	ssize_t n;

	for (;;) {
		if (cap - len < (1 << 20) + 1) {
			char *np = realloc(p, cap = cap ? 2 * cap : 8 << 20);

			if (!np) {
				free(p);
				return -ENOMEM;
			}
			p = np;
		}
		n = read(fd, p + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	p[len] = '\0';
	*buf = p;
	return (ssize_t)len;
}

static struct kallsyms *open_common(const char *path, const struct diag *d,
				    bool is_reference)
{
	struct kallsyms *ks;
	struct symarr_entry *e = NULL;
	size_t nr_e = 0, e_cap = 0;
	char *buf = NULL, *line, *eol, *text_end;
	ssize_t len;
	bool nonzero = false;
	int fd, err = 0;

	if (!path)
		path = "/proc/kallsyms";
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	ks = calloc(1, sizeof(*ks));
	if (!ks || !(ks->syms = symarr__new())) {
		err = -ENOMEM;
		goto out;
	}
	len = read_all(fd, &buf);
	if (len < 0) {
		err = (int)len;
		goto out;
	}
	text_end = buf + len;
	/* Lines are about 44 bytes; one allocation for most tables. */
	err = array__reserve((void **)&e, &e_cap, (size_t)len / 40 + 1,
			     sizeof(*e));
	if (err)
		goto out;
	for (line = buf; line < text_end; line = eol + 1) {
		eol = memchr(line, '\n', (size_t)(text_end - line));
		if (!eol)
			eol = text_end;
		*eol = '\0';
		err = array__reserve((void **)&e, &e_cap, nr_e + 1, sizeof(*e));
		if (err)
			goto out;
		err = parse_line(ks, line, is_reference, &e[nr_e], &nonzero);
		if (err == -EINVAL) {
			diag__limited(d, &ks->nr_bad_lines, 3,
				      "'%s': malformed line '%.60s'", path,
				      line);
		} else if (err < 0) {
			goto out;
		} else if (err == 0) {
			nr_e++;
		}
		err = 0;
	}
	ks->is_restricted = nr_e && !nonzero;
	/* __dso__load_kallsyms(): ends first, then duplicates. */
	err = symarr__load(ks->syms, e, nr_e,
			   SYMARR_FIXUP_END | SYMARR_KALLSYMS | SYMARR_DEDUP |
				   (is_reference ? SYMARR_REFERENCE : 0));
out:
	free(e);
	free(buf);
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
	return open_common(path, d, false);
}

struct kallsyms *kallsyms__open_reference(const char *path,
					  const struct diag *d)
{
	return open_common(path, d, true);
}

const struct symarr *kallsyms__symarr(const struct kallsyms *ks)
{
	return ks->syms;
}

bool kallsyms__is_restricted(const struct kallsyms *ks)
{
	return ks->is_restricted;
}

const char *kallsyms__lookup(const struct kallsyms *ks, uint64_t addr,
			     uint64_t *off, const char **module)
{
	const struct symarr_sym *s;

	if (ks->is_restricted)
		return NULL;
	s = symarr__find(ks->syms, addr);
	if (!s)
		return NULL;
	if (off)
		*off = addr - s->start;
	if (module)
		*module = s->tag ? ks->modules[s->tag - 1] : NULL;
	return s->name;
}

size_t kallsyms__count(const struct kallsyms *ks)
{
	return symarr__count(ks->syms);
}

uint64_t kallsyms__nr_bad_lines(const struct kallsyms *ks)
{
	return ks->nr_bad_lines;
}
