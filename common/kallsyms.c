/* kallsyms: /proc/kallsyms as perf 6.1 reads it (see kallsyms.h).
 *
 * Line format (kernel/kallsyms.c s_show()): "%px %c %s\n", and for module
 * symbols "%px %c %s\t[%s]\n". perf's kallsyms__parse() keeps types T/W/D/B
 * (symbol_type__filter()); its binding is weak for 'W', global for other
 * upper case letters and local otherwise.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Parse one line (without its newline). Returns 0, 1 for a line perf
 * ignores, -EINVAL for a malformed one, -ENOMEM. */
static int parse_line(struct kallsyms *ks, char *line, bool *nonzero)
{
	char *end, *name, *tab;
	unsigned long long addr;
	enum symarr_binding bind;
	uint32_t tag = 0;
	int type, err;

	errno = 0;
	addr = strtoull(line, &end, 16);
	if (end == line || errno || end[0] != ' ' || !end[1] ||
	    end[2] != ' ' || !end[3])
		return -EINVAL;
	type = (unsigned char)end[1];
	name = end + 3;
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
	if (type == 'W')
		bind = SYMARR_WEAK;
	else if (isupper(type))
		bind = SYMARR_GLOBAL;
	else
		bind = SYMARR_LOCAL;
	return symarr__add(ks->syms, addr, 0, bind, name, strlen(name), tag);
}

struct kallsyms *kallsyms__open(const char *path, const struct diag *d)
{
	struct kallsyms *ks;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	bool nonzero = false;
	uint64_t nr_syms = 0;
	FILE *f;
	int err = 0;

	if (!path)
		path = "/proc/kallsyms";
	f = fopen(path, "re");
	if (!f)
		return NULL;
	/* /proc/kallsyms hands out a page per read() with the default
	 * buffer; larger reads save system calls. */
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	ks = calloc(1, sizeof(*ks));
	if (!ks || !(ks->syms = symarr__new())) {
		err = -ENOMEM;
		goto out;
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		err = parse_line(ks, line, &nonzero);
		if (err == -EINVAL) {
			diag__limited(d, &ks->nr_bad_lines, 3,
				      "'%s': malformed line '%.60s'", path,
				      line);
			err = 0;
		} else if (err < 0) {
			goto out;
		} else if (err == 0) {
			nr_syms++;
		}
		err = 0;
	}
	ks->is_restricted = nr_syms && !nonzero;
	/* __dso__load_kallsyms(): ends first, then duplicates. */
	symarr__fixup(ks->syms, SYMARR_FIXUP_END | SYMARR_KALLSYMS |
					SYMARR_DEDUP);
	symarr__seal(ks->syms);	/* on failure lookups just walk the tree */
out:
	free(line);
	fclose(f);
	if (err) {
		kallsyms__free(ks);
		errno = -err;
		return NULL;
	}
	return ks;
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
