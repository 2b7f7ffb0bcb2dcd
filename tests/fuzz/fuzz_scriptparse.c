/* libFuzzer target for common/scriptparse: any bytes as `perf script`
 * text, parsed from memory. Checks what scriptparse.h promises: every
 * field of a sample is a slice of the input, samples are handed over in
 * order of their header lines, and the statistics count what was handed
 * over. Messages (they quote bad lines) are formatted through a diag hook.
 * tests/fuzz/meson.build builds it; seeds are in
 * tests/fuzz/corpus/scriptparse.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "scriptparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct input {
	const char *buf;
	size_t len;
	uint64_t nr_lines;	/* '\n's, plus one for a last unended line */
	uint64_t nr_samples;
	uint64_t last_line;
};

static void check_slice(const struct input *in, struct slice sl)
{
	if (sl.len == 0)
		return;
	if (sl.s < in->buf || sl.len > in->len ||
	    sl.s - in->buf > (ptrdiff_t)(in->len - sl.len))
		abort();
}

static int on_sample(void *ctx, const struct script_sample *s)
{
	struct input *in = ctx;
	size_t i;

	check_slice(in, s->comm);
	check_slice(in, s->pid);
	check_slice(in, s->tid);
	check_slice(in, s->event);
	if (s->line <= in->last_line || s->line > in->nr_lines)
		abort();
	in->last_line = s->line;
	if (s->nr_frames && !s->frames)
		abort();
	for (i = 0; i < s->nr_frames; i++) {
		check_slice(in, s->frames[i].pc);
		check_slice(in, s->frames[i].sym);
		check_slice(in, s->frames[i].dso);
		check_slice(in, s->frames[i].raw);
	}
	in->nr_samples++;
	return 0;
}

static void on_diag(void *ctx, enum diag_level level, const char *msg)
{
	(void)level;
	*(size_t *)ctx += strlen(msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { .buf = (const char *)data, .len = size };
	const struct scriptparse_stats *st;
	struct scriptparse *sp;
	size_t msg_len = 0;
	struct diag d = { .emit = on_diag, .ctx = &msg_len };
	size_t i;
	int err;

	for (i = 0; i < size; i++)
		in.nr_lines += data[i] == '\n';
	if (size && data[size - 1] != '\n')
		in.nr_lines++;
	sp = scriptparse__new(&d, "fuzz");
	if (!sp)
		return 0;
	err = scriptparse__read_mem(sp, in.buf, size, on_sample, &in);
	if (err && err != -ENOMEM)
		abort();
	st = scriptparse__stats(sp);
	if (st->nr_samples != in.nr_samples || st->nr_lines > in.nr_lines ||
	    st->nr_bad_lines > st->nr_lines ||
	    st->nr_orphan_frames > st->nr_lines)
		abort();
	scriptparse__free(sp);
	return 0;
}
