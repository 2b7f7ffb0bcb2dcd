/* perfmap: /tmp/perf-PID.map parsing and lookup (see perfmap.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jitfile.h"
#include "perfmap.h"
#include "symarr.h"

struct perfmap {
	struct symarr *syms;
	uint64_t nr_bad_lines;
	uint64_t nr_duplicates;
	char *path;
	bool force;
	/* the file as read so far: bytes parsed (whole lines, and a last
	 * line without its newline once taken), and its size then */
	uint64_t parsed, size;
	bool is_tail_taken;	/* the bytes past parsed end the file */
};

void perfmap__free(struct perfmap *pm)
{
	if (!pm)
		return;
	symarr__free(pm->syms);
	free(pm->path);
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
 * character perf drops, which is a NUL now. Returns 0, or -ENOMEM. */
static int parse_line(struct perfmap *pm, const char *line, size_t line_len,
		      const struct diag *d)
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
			      "'%s': malformed line '%.60s'", pm->path, line);
	return symarr__add(pm->syms, start, size, SYMARR_GLOBAL, line + len,
			   line_len - len, 0);
bad_line:
	diag__limited(d, &pm->nr_bad_lines, 3, "'%s': malformed line '%.60s'",
		      pm->path, line);
	return 0;
}

/* Parse the len bytes at buf (the file from pm->parsed on): each whole
 * line, and the last one without its newline when take_tail. */
static int parse_lines(struct perfmap *pm, char *buf, size_t len,
		       bool take_tail, const struct diag *d)
{
	size_t pos = 0;
	char *nl;
	int err;

	while (pos < len && (nl = memchr(buf + pos, '\n', len - pos))) {
		/* perf: line[--line_len] = '\0', newline or not */
		*nl = '\0';
		err = parse_line(pm, buf + pos, (size_t)(nl - buf) - pos, d);
		if (err)
			return err;
		pos = (size_t)(nl - buf) + 1;
	}
	if (take_tail && pos < len) {
		buf[len - 1] = '\0';
		err = parse_line(pm, buf + pos, len - 1 - pos, d);
		if (err)
			return err;
		pos = len;
		pm->is_tail_taken = true;
	}
	pm->parsed += pos;
	return 0;
}

/* Read the file from pm->parsed to its end and parse it (see
 * perfmap__update()). Returns the entries added, or a negative errno. */
static int read_more(struct perfmap *pm, bool is_first, bool take_tail,
		     const struct diag *d)
{
	size_t before = symarr__count(pm->syms), len, got = 0;
	struct stat st;
	char *buf = NULL;
	int err = 0, fd;

	if (!is_first) {
		/* most calls find nothing new: one stat, no open */
		if (stat(pm->path, &st) < 0)
			return -errno;
		if ((uint64_t)st.st_size == pm->size &&
		    (pm->is_tail_taken || pm->parsed == pm->size))
			return 0;
		/* the same size twice: the writer is not amid a line */
		take_tail |= (uint64_t)st.st_size == pm->size;
	}
	fd = jitfile__open(pm->path, pm->force, is_first ? d : NULL);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0) {
		err = -errno;
		goto out;
	}
	if ((uint64_t)st.st_size < pm->parsed) {
		err = -ESTALE;	/* truncated or replaced: not the file read */
		goto out;
	}
	len = (size_t)((uint64_t)st.st_size - pm->parsed);
	buf = malloc(len + 1);
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	while (got < len) {
		ssize_t n = pread(fd, buf + got, len - got,
				  (off_t)(pm->parsed + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	pm->size = pm->parsed + got;
	err = parse_lines(pm, buf, got, take_tail, d);
	if (err)
		goto out;
	if (symarr__count(pm->syms) != before) {
		pm->nr_duplicates = symarr__nr_shared_starts(pm->syms);
		symarr__seal(pm->syms);	/* on failure lookups walk the tree */
	}
out:
	free(buf);
	close(fd);
	return err ? err : (int)(symarr__count(pm->syms) - before);
}

static struct perfmap *open_map(const char *path, bool force,
				bool take_tail, const struct diag *d)
{
	struct perfmap *pm = calloc(1, sizeof(*pm));
	int err;

	if (!pm || !(pm->syms = symarr__new()) ||
	    !(pm->path = strdup(path))) {
		perfmap__free(pm);
		errno = ENOMEM;
		return NULL;
	}
	pm->force = force;
	err = read_more(pm, true, take_tail, d);
	if (err < 0) {
		perfmap__free(pm);
		errno = -err;
		return NULL;
	}
	return pm;
}

struct perfmap *perfmap__open(const char *path, bool force,
			      const struct diag *d)
{
	return open_map(path, force, true, d);
}

struct perfmap *perfmap__open_growing(const char *path, bool force,
				      const struct diag *d)
{
	return open_map(path, force, false, d);
}

int perfmap__update(struct perfmap *pm, const struct diag *d)
{
	return read_more(pm, false, false, d);
}

struct perfmap *perfmap__open_pid(const char *dir, int pid, bool force,
				  const struct diag *d)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/perf-%d.map", dir ? dir : "/tmp",
		 pid);
	return perfmap__open_growing(path, force, d);
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
