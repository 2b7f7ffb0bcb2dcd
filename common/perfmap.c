/* perfmap: /tmp/perf-PID.map parsing and lookup (see perfmap.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jitfile.h"
#include "perfmap.h"
#include "symarr.h"

struct perfmap {
	struct symarr *syms;
	uint64_t nr_bad_lines;
	uint64_t nr_duplicates;
};

void perfmap__free(struct perfmap *pm)
{
	if (!pm)
		return;
	symarr__free(pm->syms);
	free(pm);
}

/* perf's hex2u64(): strtoull() base 16, returning the characters used. */
static size_t hex_field(const char *s, uint64_t *val)
{
	char *end;

	*val = strtoull(s, &end, 16);
	return (size_t)(end - s);
}

/* One line as dso__load_perf_map() takes it; line_len excludes the
 * character perf drops. Returns 0, or -ENOMEM. */
static int parse_line(struct perfmap *pm, const char *line, size_t line_len,
		      const char *path, const struct diag *d)
{
	uint64_t start, size;
	size_t len, n;
	int bad;

	n = hex_field(line, &start);
	bad = n == 0;
	len = n + 1;
	if (len + 2 >= line_len)
		goto bad_line;
	n = hex_field(line + len, &size);
	bad |= n == 0;
	len += n + 1;
	if (len + 2 >= line_len)
		goto bad_line;
	if (bad)
		diag__limited(d, &pm->nr_bad_lines, 3,
			      "'%s': malformed line '%.60s'", path, line);
	return symarr__add(pm->syms, start, size, SYMARR_GLOBAL, line + len,
			   line_len - len, 0);
bad_line:
	diag__limited(d, &pm->nr_bad_lines, 3, "'%s': malformed line '%.60s'",
		      path, line);
	return 0;
}

struct perfmap *perfmap__open(const char *path, bool force,
			      const struct diag *d)
{
	struct perfmap *pm;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	int err = 0, fd = jitfile__open(path, force, d);

	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return NULL;
	}
	pm = calloc(1, sizeof(*pm));
	if (!pm || !(pm->syms = symarr__new())) {
		err = -ENOMEM;
		goto out;
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		/* perf: line[--line_len] = '\0', newline or not. */
		line[--n] = '\0';
		err = parse_line(pm, line, (size_t)n, path, d);
		if (err)
			goto out;
	}
	pm->nr_duplicates = symarr__nr_shared_starts(pm->syms);
	symarr__seal(pm->syms);	/* on failure lookups just walk the tree */
out:
	free(line);
	fclose(f);
	if (err) {
		perfmap__free(pm);
		errno = -err;
		return NULL;
	}
	return pm;
}

struct perfmap *perfmap__open_pid(const char *dir, int pid, bool force,
				  const struct diag *d)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/perf-%d.map", dir ? dir : "/tmp",
		 pid);
	return perfmap__open(path, force, d);
}

const char *perfmap__lookup(const struct perfmap *pm, uint64_t addr,
			    uint64_t *off)
{
	const struct symarr_sym *s = symarr__find(pm->syms, addr);

	if (!s)
		return NULL;
	if (off)
		*off = addr - s->start;
	return s->name;
}

const char *perfmap__lookup_range(const struct perfmap *pm, uint64_t addr,
				  uint64_t *start, uint64_t *end)
{
	const struct symarr_sym *s = symarr__find(pm->syms, addr);

	if (!s)
		return NULL;
	*start = s->start;
	*end = s->end;
	return s->name;
}

size_t perfmap__count(const struct perfmap *pm)
{
	return symarr__count(pm->syms);
}

uint64_t perfmap__nr_bad_lines(const struct perfmap *pm)
{
	return pm->nr_bad_lines;
}

uint64_t perfmap__nr_duplicates(const struct perfmap *pm)
{
	return pm->nr_duplicates;
}
