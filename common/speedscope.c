/* speedscope: profile -> speedscope JSON (see speedscope.h).
 *
 * A stack's sample text ("[3,7,9]") is made once and copied for each of
 * its samples: a thread's timeline repeats few stacks many times. One
 * thread writes: stdio's unlocked calls.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "intern.h"
#include "profile.h"
#include "speedscope.h"
#include "strutil.h"

/* s[0..len) escaped, between the quotes of a JSON string */
static void escape(FILE *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		if (p[i] == '"' || p[i] == '\\') {
			putc_unlocked('\\', out);
			putc_unlocked(p[i++], out);
		} else if (p[i] < 0x20) {
			fprintf(out, "\\u%04x", p[i++]);
		} else if ((n = strutil__utf8_len(p + i, len - i))) {
			fwrite_unlocked(p + i, 1, n, out);
			i += n;
		} else {
			fputs_unlocked("\\ufffd", out);	/* not UTF-8: one byte */
			i++;
		}
	}
}

void speedscope__string(FILE *out, const char *s, size_t len)
{
	putc_unlocked('"', out);
	escape(out, s, len);
	putc_unlocked('"', out);
}

static void cstring(FILE *out, const char *s)
{
	speedscope__string(out, s, strlen(s));
}

/* v in decimal at the end of buf (24 bytes); returns where it begins. */
static char *decimal(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

struct writer {
	const struct profile *p;
	const struct intern *names;
	FILE *out;
	uint32_t *frame_of;		/* index + 1 by name id */
	uint32_t nr_frames;
	char *text;			/* stacks' sample texts */
	size_t text_len, text_cap;
	size_t *text_at;		/* by stack: where its text begins */
	char *loc_text;			/* locations' frame indices */
	size_t loc_len, loc_cap;
	size_t *loc_at;			/* by location */
};

/* Frames in order of first use, each the first time a location names it:
 * a Python frame's file is its source, others' their binary's. */
static void frames(struct writer *w)
{
	size_t i, k, nr_locs = profile__nr_locs(w->p);
	FILE *out = w->out;

	fputs_unlocked("\"shared\":{\"frames\":[", out);
	for (i = 0; i < nr_locs; i++) {
		struct profile_loc l = profile__loc(w->p, (uint32_t)i);
		const char *file = l.file;

		if (!file && l.mapping)
			file = profile__mapping(w->p, l.mapping - 1)->file;
		for (k = 0; k < l.nr; k++) {
			uint32_t id = l.ids[k];

			if (w->frame_of[id])
				continue;
			w->frame_of[id] = ++w->nr_frames;
			fputs_unlocked(w->nr_frames > 1 ? ",{\"name\":" : "{\"name\":", out);
			speedscope__string(out, intern__str(w->names, id),
					   intern__len(w->names, id));
			if (file && (!k || l.file)) {
				fputs_unlocked(",\"file\":", out);
				cstring(out, file);
			}
			putc_unlocked('}', out);
		}
	}
	fputs_unlocked("]}", out);
}

/* s[0..len) appended to *text, of *len bytes in *cap */
static int add_text(char **text, size_t *len, size_t *cap, const char *s,
		    size_t n)
{
	if (!n)
		return 0;
	if (*len + n > *cap && array__reserve((void **)text, cap, *len + n, 1))
		return -ENOMEM;
	memcpy(*text + *len, s, n);
	*len += n;
	return 0;
}

/* Each location's frame indices ("3,7": the function, then those inlined
 * there), at loc_at[] in loc_text: a stack's text is its locations'. */
static int loc_texts(struct writer *w)
{
	size_t i, k, nr = profile__nr_locs(w->p);
	char num[24];

	w->loc_at = malloc((nr + 1) * sizeof(*w->loc_at));
	if (!w->loc_at)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		struct profile_loc l = profile__loc(w->p, (uint32_t)i);

		w->loc_at[i] = w->loc_len;
		for (k = 0; k < l.nr; k++) {
			char *d = decimal(num + sizeof(num),
					  w->frame_of[l.ids[k]] - 1);

			if ((k && add_text(&w->loc_text, &w->loc_len,
					   &w->loc_cap, ",", 1)) ||
			    add_text(&w->loc_text, &w->loc_len, &w->loc_cap, d,
				     (size_t)(num + sizeof(num) - d)))
				return -ENOMEM;
		}
	}
	w->loc_at[nr] = w->loc_len;
	return 0;
}

/* Each stack's sample text, root first: "[" its locations' texts "]". */
static int stack_texts(struct writer *w)
{
	size_t i, j, nr = profile__nr_stacks(w->p);

	w->text_at = malloc((nr + 1) * sizeof(*w->text_at));
	if (!w->text_at || loc_texts(w))
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		struct profile_stack s = profile__stack(w->p, (uint32_t)i);

		w->text_at[i] = w->text_len;
		if (add_text(&w->text, &w->text_len, &w->text_cap, "[", 1))
			return -ENOMEM;
		for (j = 0; j < s.nr; j++) {
			size_t at = w->loc_at[s.locs[j]];

			if ((j && add_text(&w->text, &w->text_len,
					   &w->text_cap, ",", 1)) ||
			    add_text(&w->text, &w->text_len, &w->text_cap,
				     w->loc_text + at,
				     w->loc_at[s.locs[j] + 1] - at))
				return -ENOMEM;
		}
		if (add_text(&w->text, &w->text_len, &w->text_cap, "]", 1))
			return -ENOMEM;
	}
	w->text_at[nr] = w->text_len;
	return 0;
}

static void thread_profile(struct writer *w, const struct profile_thread *t,
			   const char *unit)
{
	FILE *out = w->out;
	char num[24];
	size_t i;

	fputs_unlocked("{\"type\":\"sampled\",\"name\":\"", out);
	escape(out, t->comm, strlen(t->comm));
	if (t->pid < 0)
		fprintf(out, "-?/%d\"", (int)t->tid);
	else
		fprintf(out, "-%d/%d\"", (int)t->pid, (int)t->tid);
	fputs_unlocked(",\"unit\":", out);
	cstring(out, unit);
	fprintf(out, ",\"startValue\":0,\"endValue\":%llu,\"samples\":[",
		(unsigned long long)t->weight);
	for (i = 0; i < t->nr; i++) {
		size_t at = w->text_at[t->stacks[i]];

		if (i)
			putc_unlocked(',', out);
		fwrite_unlocked(w->text + at, 1, w->text_at[t->stacks[i] + 1] - at, out);
	}
	fputs_unlocked("],\"weights\":[", out);
	for (i = 0; i < t->nr; i++) {
		char *d = decimal(num + sizeof(num), t->weights[i]);

		if (i)
			putc_unlocked(',', out);
		fwrite_unlocked(d, 1, (size_t)(num + sizeof(num) - d), out);
	}
	fputs_unlocked("]}", out);
}

/* Threads by pid, then tid. */
static int by_thread(const void *a, const void *b, void *ctx)
{
	struct profile_thread x = profile__thread(ctx, *(const uint32_t *)a);
	struct profile_thread y = profile__thread(ctx, *(const uint32_t *)b);

	if (x.pid != y.pid)
		return x.pid < y.pid ? -1 : 1;
	return x.tid < y.tid ? -1 : x.tid > y.tid;
}

int speedscope__write(const struct profile *p, const struct intern *names,
		      const struct speedscope_opts *o, FILE *out)
{
	struct writer w = {.p = p, .names = names, .out = out};
	size_t nr = profile__nr_threads(p), i, active = 0;
	uint64_t heaviest = 0;
	uint32_t *order = malloc((nr + 1) * sizeof(*order));
	int err = -ENOMEM;

	w.frame_of = calloc(intern__count(names) + 1, sizeof(*w.frame_of));
	if (!order || !w.frame_of)
		goto out;
	for (i = 0; i < nr; i++)
		order[i] = (uint32_t)i;
	qsort_r(order, nr, sizeof(*order), by_thread, (void *)p);
	for (i = 0; i < nr; i++) {
		uint64_t weight = profile__thread(p, order[i]).weight;

		if (weight > heaviest) {
			heaviest = weight;
			active = i;
		}
	}
	fputs_unlocked("{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\","
	      "\"exporter\":", out);
	cstring(out, o->exporter);
	fputs_unlocked(",\"name\":", out);
	cstring(out, o->name);
	fprintf(out, ",\"activeProfileIndex\":%zu,", active);
	frames(&w);
	if (stack_texts(&w))
		goto out;
	fputs_unlocked(",\"profiles\":[", out);
	for (i = 0; i < nr; i++) {
		struct profile_thread t = profile__thread(p, order[i]);

		if (i)
			putc_unlocked(',', out);
		thread_profile(&w, &t, o->unit);
	}
	fputs_unlocked("]}\n", out);
	err = ferror(out) ? -EIO : 0;
out:
	free(order);
	free(w.frame_of);
	free(w.text);
	free(w.text_at);
	free(w.loc_text);
	free(w.loc_at);
	return err;
}
