/* scriptparse: split `perf script` text into samples (see scriptparse.h).
 *
 * The input is read in large blocks into one buffer; lines are found with
 * memchr and never copied. A sample's slices point into the buffer, so when
 * the buffer is compacted to make room, the slices of the sample being built
 * are moved with it. Nothing is allocated per line or per frame.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "diag.h"
#include "scriptparse.h"

#define READ_SIZE (4u << 20)
#define NR_QUOTED 5	/* bad lines quoted before only counting */

struct scriptparse {
	const struct diag *diag;
	const char *name;
	struct scriptparse_stats stats;
	uint64_t nr_reported;
	bool in_sample;
	struct script_sample cur;
	struct frame *frames;
	size_t frames_cap;
};

struct scriptparse *scriptparse__new(const struct diag *d, const char *name)
{
	struct scriptparse *sp = calloc(1, sizeof(*sp));

	if (!sp)
		return NULL;
	sp->diag = d;
	sp->name = name;
	return sp;
}

void scriptparse__free(struct scriptparse *sp)
{
	if (!sp)
		return;
	free(sp->frames);
	free(sp);
}

const struct scriptparse_stats *scriptparse__stats(const struct scriptparse *sp)
{
	return &sp->stats;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_word(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '_';
}

static bool all_digits(struct slice t)
{
	size_t i;

	if (!t.len)
		return false;
	for (i = 0; i < t.len; i++)
		if (!is_digit(t.s[i]))
			return false;
	return true;
}

/* A pid or tid: digits, or "-1", which perf prints for a task it no longer
 * knows (one that had exited: its last sched_switch, prev_state=X). */
static bool is_id(struct slice t)
{
	return all_digits(t) || (t.len == 2 && t.s[0] == '-' && t.s[1] == '1');
}

/* "123" or "123/456" */
static bool is_pid_token(struct slice t, struct slice *pid, struct slice *tid)
{
	const char *slash = memchr(t.s, '/', t.len);
	struct slice a = t, b = {t.s + t.len, 0};

	if (slash) {
		a.len = (size_t)(slash - t.s);
		b.s = slash + 1;
		b.len = t.len - a.len - 1;
		if (!is_id(b))
			return false;
	}
	if (!is_id(a))
		return false;
	if (slash) {
		*pid = a;
		*tid = b;
	} else {
		pid->s = a.s;
		pid->len = 0;
		*tid = a;
	}
	return true;
}

/* "[001]" */
static bool is_cpu_token(struct slice t)
{
	return t.len >= 3 && t.s[0] == '[' && t.s[t.len - 1] == ']' &&
	       all_digits((struct slice){t.s + 1, t.len - 2});
}

/* "1410597.984841:" */
static bool is_time_token(struct slice t)
{
	const char *dot;

	if (t.len < 4 || t.s[t.len - 1] != ':')
		return false;
	dot = memchr(t.s, '.', t.len);
	return dot && dot > t.s &&
	       all_digits((struct slice){t.s, (size_t)(dot - t.s)}) &&
	       all_digits((struct slice){dot + 1, (size_t)(t.s + t.len - 1 - dot - 1)});
}

static uint64_t parse_u64(struct slice t)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < t.len; i++) {
		if (v > (UINT64_MAX - 9) / 10)
			return UINT64_MAX;
		v = v * 10 + (uint64_t)(t.s[i] - '0');
	}
	return v;
}

#define MAX_TOKENS 24

/* Split at blanks, at most MAX_TOKENS tokens; the last one may be cut. */
static size_t tokenize(const char *p, size_t len, struct slice *tok)
{
	const char *end = p + len;
	size_t n = 0;

	while (n < MAX_TOKENS) {
		while (p < end && is_blank(*p))
			p++;
		if (p == end)
			break;
		tok[n].s = p;
		while (p < end && !is_blank(*p))
			p++;
		tok[n].len = (size_t)(p - tok[n].s);
		n++;
	}
	return n;
}

static struct slice span(struct slice from, struct slice to)
{
	return (struct slice){from.s, (size_t)(to.s + to.len - from.s)};
}

/* "1410597.984841:" (microseconds) or "1410597.984841123:" (--ns) in
 * nanoseconds */
static uint64_t parse_time(struct slice t)
{
	const char *dot = memchr(t.s, '.', t.len);
	struct slice sec = {t.s, (size_t)(dot - t.s)};
	struct slice frac = {dot + 1, (size_t)(t.s + t.len - 1 - dot - 1)};
	uint64_t ns = parse_u64(frac);
	size_t i;

	if (frac.len > 9)
		return UINT64_MAX;
	for (i = frac.len; i < 9; i++)
		ns *= 10;
	return parse_u64(sec) * 1000000000u + ns;
}

/* The line from s on, blanks at both ends trimmed. */
static struct slice trimmed(const char *s, const char *end)
{
	while (s < end && is_blank(*s))
		s++;
	while (end > s && is_blank(end[-1]))
		end--;
	return (struct slice){s, (size_t)(end - s)};
}

/* After the pid (and optional cpu and time), perf prints an optional
 * period and the event name ending in ':', then tracepoint arguments or,
 * without callchains, the sample's one frame. Returns where that rest
 * starts, or NULL. */
static const char *parse_event(struct script_sample *s,
			       const struct slice *tok, size_t k, size_t n,
			       const char *end)
{
	size_t first = k;

	if (k + 1 < n && all_digits(tok[k])) {
		s->period = parse_u64(tok[k]);
		s->has_period = true;
		k++;
	}
	if (k < n && tok[k].len > 1 && tok[k].s[tok[k].len - 1] == ':') {
		s->event.s = tok[k].s;
		s->event.len = tok[k].len - 1;
		s->args = trimmed(tok[k].s + tok[k].len, end);
		return tok[k].s + tok[k].len;
	}
	if (first < n)
		s->args = trimmed(tok[first].s, end);
	return NULL;
}

enum header_kind { NOT_HEADER, HEADER, HEADER_TIMED };

/* "[001]" (is_cpu_token()) */
static void set_cpu(struct script_sample *s, struct slice t)
{
	uint64_t cpu = parse_u64((struct slice){t.s + 1, t.len - 2});

	s->cpu = (uint32_t)cpu;
	s->has_cpu = cpu < UINT32_MAX;
}

/* A header line: COMM PID[/TID] [CPU] [TIME:] [PERIOD] [EVENT: [ARGS]].
 * The comm may hold blanks and may be right-aligned (leading blanks). With a
 * timestamp, the pid is the token right before it (and its cpu); without,
 * the first pid-like token after the comm's first word, as perf prints it. */
static enum header_kind parse_header(const char *line, size_t len,
				      struct script_sample *s,
				      const char **rest)
{
	struct slice tok[MAX_TOKENS], pid, tid;
	size_t n = tokenize(line, len, tok), t, i, k;

	memset(s, 0, sizeof(*s));
	for (t = 1; t < n && !is_time_token(tok[t]); t++)
		;
	if (t < n) {
		i = t - 1;
		if (i >= 1 && is_cpu_token(tok[i]))
			set_cpu(s, tok[i--]);
		if (i < 1 || !is_pid_token(tok[i], &pid, &tid))
			return NOT_HEADER;
		k = t + 1;
	} else {
		for (i = 1; i < n; i++)
			if (is_pid_token(tok[i], &pid, &tid))
				break;
		if (i >= n)
			return NOT_HEADER;
		k = i + 1;
		if (k < n && is_cpu_token(tok[k]))
			set_cpu(s, tok[k++]);
	}
	s->comm = span(tok[0], tok[i - 1]);
	s->pid = pid;
	s->tid = tid;
	if (t < n) {
		s->time = parse_time(tok[t]);
		s->has_time = true;
	}
	*rest = parse_event(s, tok, k, n, line + len);
	s->is_record = !s->event.len && s->args.len > 12 &&
		       !memcmp(s->args.s, "PERF_RECORD_", 12);
	return t < n ? HEADER_TIMED : HEADER;
}

/* A frame line: blanks, an address, blanks, the symbol (perhaps "+0x.."),
 * a blank and "(dso)" as the last parenthesised group of the line. */
static bool parse_frame(const char *line, size_t len, struct frame *f)
{
	const char *p = line, *end = line + len, *close, *open, *sym;
	int depth = 0;

	while (end > p && is_blank(end[-1]))
		end--;
	while (p < end && is_blank(*p))
		p++;
	f->pc.s = p;
	while (p < end && is_word(*p))
		p++;
	f->pc.len = (size_t)(p - f->pc.s);
	if (!f->pc.len || end - p < 4 || end[-1] != ')')
		return false;
	while (p < end && is_blank(*p))
		p++;
	sym = p;
	close = end - 1;
	/* find the '(' matching the final ')': usually the last '(' */
	open = memrchr(sym, '(', (size_t)(close - sym));
	if (!open || memchr(open + 1, ')', (size_t)(close - open - 1))) {
		for (open = close; open >= sym; open--) {
			if (*open == ')')
				depth++;
			else if (*open == '(' && --depth == 0)
				break;
		}
	}
	if (open < sym || open == line || open[-1] != ' ')
		return false;
	f->dso.s = open + 1;
	f->dso.len = (size_t)(close - open - 1);
	f->sym.s = sym;
	f->sym.len = open > sym ? (size_t)(open - 1 - sym) : 0;
	f->raw.s = sym;
	f->raw.len = (size_t)(close - sym);
	/* strip a "+0x1f" offset */
	for (p = f->sym.s + f->sym.len; p > f->sym.s; p--) {
		char c = p[-1];

		if (!is_digit(c) && !(c >= 'a' && c <= 'f'))
			break;
	}
	if (p - f->sym.s >= 3 && p < f->sym.s + f->sym.len &&
	    !memcmp(p - 3, "+0x", 3))
		f->sym.len = (size_t)(p - 3 - f->sym.s);
	return true;	/* an empty symbol is perf's way to say unknown */
}

static int end_sample(struct scriptparse *sp, scriptparse_fn fn, void *ctx)
{
	if (!sp->in_sample)
		return 0;
	sp->in_sample = false;
	sp->cur.frames = sp->frames;
	sp->stats.nr_samples++;
	return fn(ctx, &sp->cur);
}

static void bad_line(struct scriptparse *sp, const char *line, size_t len)
{
	sp->stats.nr_bad_lines++;
	diag__limited(sp->diag, &sp->nr_reported, NR_QUOTED,
		      "'%s' line %llu: unrecognized line: '%.*s'", sp->name,
		      (unsigned long long)sp->stats.nr_lines,
		      (int)(len > 80 ? 80 : len), line);
}

static int add_frame(struct scriptparse *sp, const struct frame *f)
{
	if (sp->cur.nr_frames == sp->frames_cap) {
		size_t cap = sp->frames_cap ? sp->frames_cap * 2 : 256;
		struct frame *nf = realloc(sp->frames, cap * sizeof(*nf));

		if (!nf)
			return -ENOMEM;
		sp->frames = nf;
		sp->frames_cap = cap;
	}
	sp->frames[sp->cur.nr_frames++] = *f;
	return 0;
}

/* ": " somewhere in the line (memchr is much faster than memmem here) */
static bool has_colon_blank(const char *line, size_t len)
{
	const char *p = line, *end = line + len;

	while ((p = memchr(p, ':', (size_t)(end - p))) && ++p < end)
		if (*p == ' ')
			return true;
	return false;
}

static bool ends_with_colon(const char *line, size_t len)
{
	while (len && is_blank(line[len - 1]))
		len--;
	return len && line[len - 1] == ':';
}

static bool all_hex(struct slice t)
{
	size_t i;

	for (i = 0; i < t.len; i++)
		if (!is_digit(t.s[i]) && !(t.s[i] >= 'a' && t.s[i] <= 'f'))
			return false;
	return t.len > 0;
}

static int handle_line(struct scriptparse *sp, const char *line, size_t len,
		       scriptparse_fn fn, void *ctx)
{
	struct script_sample hdr;
	struct frame f = {.kind = FRAME_TEXT};
	const char *rest = NULL;
	enum header_kind h;
	bool indented;
	int err;

	sp->stats.nr_lines++;
	if (len == 0)
		return end_sample(sp, fn, ctx);
	if (line[0] == '#')
		return 0;
	/* A line in column 0 is a header when it parses as one. An indented
	 * line is a frame, unless it has a timestamp (perf right-aligns the
	 * comm when it prints no callchains) or is no frame but a header;
	 * only lines with a ": " or a final ':' can be headers. */
	indented = is_blank(line[0]);
	h = NOT_HEADER;
	if (!indented || has_colon_blank(line, len) || ends_with_colon(line, len))
		h = parse_header(line, len, &hdr, &rest);
	if (h == HEADER_TIMED || (h == HEADER && !indented))
		goto header;
	if (parse_frame(line, len, &f)) {
		if (!sp->in_sample) {
			sp->stats.nr_orphan_frames++;
			bad_line(sp, line, len);
			return 0;
		}
		return add_frame(sp, &f);
	}
	if (h == HEADER)
		goto header;
	bad_line(sp, line, len);
	return 0;
header:
	err = end_sample(sp, fn, ctx);
	if (err)
		return err;
	sp->cur = hdr;
	sp->cur.line = sp->stats.nr_lines;
	sp->in_sample = true;
	/* without callchains the one frame follows the event on this line */
	if (rest && parse_frame(rest, (size_t)(line + len - rest), &f) &&
	    all_hex(f.pc))
		return add_frame(sp, &f);
	return 0;
}

static void move_slice(struct slice *sl, const char *from, char *to)
{
	if (sl->s)
		sl->s = to + (sl->s - from);
}

/* The buffer's bytes from `from` on now live at `to`: move every slice of
 * the sample being built along. */
static void move_sample(struct scriptparse *sp, const char *from, char *to)
{
	struct script_sample *s = &sp->cur;
	size_t i;

	if (!sp->in_sample)
		return;
	move_slice(&s->comm, from, to);
	move_slice(&s->pid, from, to);
	move_slice(&s->tid, from, to);
	move_slice(&s->event, from, to);
	move_slice(&s->args, from, to);
	for (i = 0; i < s->nr_frames; i++) {
		move_slice(&sp->frames[i].pc, from, to);
		move_slice(&sp->frames[i].sym, from, to);
		move_slice(&sp->frames[i].dso, from, to);
		move_slice(&sp->frames[i].raw, from, to);
	}
}

/* Earliest byte the sample being built still points at. */
static const char *sample_start(const struct scriptparse *sp)
{
	return sp->in_sample ? sp->cur.comm.s : NULL;
}

static int parse_lines(struct scriptparse *sp, const char *buf, size_t *pos,
		       size_t end, bool at_eof, scriptparse_fn fn, void *ctx)
{
	const char *p = buf + *pos, *stop = buf + end, *nl;
	int err;

	while ((nl = memchr(p, '\n', (size_t)(stop - p)))) {
		err = handle_line(sp, p, (size_t)(nl - p), fn, ctx);
		if (err)
			return err;
		p = nl + 1;
	}
	if (at_eof && p < stop) {
		err = handle_line(sp, p, (size_t)(stop - p), fn, ctx);
		if (err)
			return err;
		p = stop;
	}
	*pos = (size_t)(p - buf);
	return at_eof ? end_sample(sp, fn, ctx) : 0;
}

int scriptparse__read_mem(struct scriptparse *sp, const char *buf,
			  size_t len, scriptparse_fn fn, void *ctx)
{
	size_t pos = 0;

	return parse_lines(sp, buf, &pos, len, true, fn, ctx);
}

int scriptparse__read_mapped(struct scriptparse *sp, const char *map,
			     size_t len, scriptparse_fn fn, void *ctx)
{
	const size_t window = 32u << 20, page = 4096;
	size_t pos = 0, released = 0;
	int err = 0;

	while (!err && pos < len) {
		size_t start = pos, end = len - pos > window ? pos + window : len;
		const char *keep;
		size_t upto;

		err = parse_lines(sp, map, &pos, end, end == len, fn, ctx);
		if (err || end == len)
			break;
		if (pos == start) {
			/* no newline in a whole window: one huge line */
			const char *nl = memchr(map + end, '\n', len - end);

			end = nl ? (size_t)(nl - map) + 1 : len;
			err = parse_lines(sp, map, &pos, end, end == len, fn, ctx);
			if (err || end == len)
				break;
		}
		/* Drop pages behind us from the mapping; the page cache keeps
		 * them and a slice that still points there faults them back. */
		keep = sample_start(sp);
		upto = (keep ? (size_t)(keep - map) : pos) & ~(page - 1);
		if (upto > released) {
			madvise((char *)map + released, upto - released,
				MADV_DONTNEED);
			released = upto;
		}
	}
	return err;
}

int scriptparse__read_fd(struct scriptparse *sp, int fd, const void *prefix,
			 size_t prefix_len, scriptparse_fn fn, void *ctx)
{
	size_t cap = READ_SIZE + prefix_len, len = prefix_len, pos = 0;
	char *buf = malloc(cap);
	bool at_eof = false;
	int err = 0;

	if (!buf)
		return -ENOMEM;
	if (prefix_len)
		memcpy(buf, prefix, prefix_len);
	while (!at_eof) {
		const char *keep;
		size_t from;
		ssize_t n;

		/* Make room: drop what is parsed and no longer referenced. */
		keep = sample_start(sp);
		from = keep ? (size_t)(keep - buf) : pos;
		if (from > 0) {
			memmove(buf, buf + from, len - from);
			move_sample(sp, buf + from, buf);
			len -= from;
			pos -= from;
		}
		if (cap - len < READ_SIZE / 2) {
			/* one sample outgrew the buffer */
			char *nb = malloc(cap * 2);

			if (!nb) {
				err = -ENOMEM;
				break;
			}
			memcpy(nb, buf, len);
			move_sample(sp, buf, nb);
			free(buf);
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		at_eof = n == 0;
		len += (size_t)n;
		err = parse_lines(sp, buf, &pos, len, at_eof, fn, ctx);
		if (err)
			break;
	}
	free(buf);
	return err;
}
