/* libFuzzer target for common/perfdata: any bytes as perf data (file or
 * pipe format), opened from memory and every record read, in perf's time
 * order and in file order. Every borrowed array and string a callback is
 * handed is read to its end, so ASan sees a pointer past the record, the
 * accessors are walked after reading, and every message is formatted (a
 * diag hook: input bytes end up in them). tests/fuzz/meson.build builds
 * it (see there); seeds are in tests/fuzz/corpus/perfdata.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "perfdata.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Sum of every byte of buf, so that no read can be optimized away. */
static uint64_t touch(const void *buf, uint64_t len)
{
	const uint8_t *p = buf;
	uint64_t sum = 0, i;

	for (i = 0; i < len; i++)
		sum += p[i];
	return sum;
}

/* perfdata.h: a sample's arrays are 8-byte aligned (a reader may index
 * them as u64). */
static void check_aligned(const void *p)
{
	if ((uintptr_t)p & 7)
		abort();
}

static int on_sample(void *ctx, const struct perfdata_sample *s)
{
	uint64_t *sum = ctx;

	check_aligned(s->read);
	check_aligned(s->callchain);
	check_aligned(s->branches);
	check_aligned(s->regs_user);
	check_aligned(s->regs_intr);
	*sum += touch(s->read, s->read_len * sizeof(uint64_t));
	*sum += touch(s->callchain, s->nr_callchain * sizeof(uint64_t));
	*sum += touch(s->raw, s->raw_size);
	*sum += touch(s->branches,
		      s->nr_branches * sizeof(struct perf_branch_entry));
	*sum += touch(s->regs_user, s->nr_regs_user * sizeof(uint64_t));
	*sum += touch(s->stack_user, s->stack_user_size);
	*sum += touch(s->regs_intr, s->nr_regs_intr * sizeof(uint64_t));
	*sum += touch(s->aux, s->aux_size);
	return 0;
}

static int on_mmap(void *ctx, const struct perfdata_mmap *m)
{
	*(uint64_t *)ctx += strlen(m->filename) + m->build_id_size;
	return 0;
}

static int on_comm(void *ctx, const struct perfdata_comm *c)
{
	*(uint64_t *)ctx += strlen(c->comm);
	return 0;
}

static int on_ksymbol(void *ctx, const struct perfdata_ksymbol *k)
{
	*(uint64_t *)ctx += strlen(k->name);
	return 0;
}

/* The header is copied out: perfdata.h promises no alignment for it, and
 * a record decompressed after one whose size is no multiple of 8 is not
 * aligned. */
static int on_other(void *ctx, const struct perf_event_header *h,
		    const struct perfdata_sample_id *sid)
{
	struct perf_event_header hdr;

	(void)sid;
	memcpy(&hdr, h, sizeof(hdr));
	*(uint64_t *)ctx += touch(h, hdr.size);
	return 0;
}

static void on_diag(void *ctx, enum diag_level level, const char *msg)
{
	(void)level;
	*(uint64_t *)ctx += strlen(msg);
}

/* What the header and feature sections gave. */
static uint64_t walk_accessors(const struct perfdata *pd)
{
	static const unsigned int strings[] = {
		PERFDATA_FEAT_HOSTNAME, PERFDATA_FEAT_OSRELEASE,
		PERFDATA_FEAT_VERSION, PERFDATA_FEAT_ARCH,
	};
	const char *const *argv;
	uint32_t i, n, level;
	uint64_t sum = 0;

	for (i = 0; i < perfdata__nr_attrs(pd); i++) {
		const uint64_t *ids = perfdata__attr_ids(pd, i, &n);

		sum += perfdata__attr(pd, i)->sample_type;
		sum += touch(perfdata__attr_name(pd, i),
			     perfdata__attr_name_len(pd, i));
		sum += touch(ids, n * sizeof(uint64_t));
		sum += perfdata__attr_nr_samples(pd, i);
	}
	for (i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		const char *s = perfdata__feature_string(pd, strings[i]);

		sum += s ? strlen(s) : 0;
	}
	argv = perfdata__cmdline(pd, &n);
	for (i = 0; argv && i < n; i++)
		sum += strlen(argv[i]);
	for (i = 0; i < perfdata__nr_build_ids(pd); i++)
		sum += strlen(perfdata__build_id(pd, i)->filename);
	sum += perfdata__compression(pd, &level);
	sum += perfdata__stats(pd)->nr_bad;
	return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct perfdata_ops ops = {
		.on_sample = on_sample,
		.on_mmap = on_mmap,
		.on_comm = on_comm,
		.on_ksymbol = on_ksymbol,
		.on_other = on_other,
	};
	volatile uint64_t sink;
	uint64_t msg_len = 0;
	struct diag d = { .emit = on_diag, .ctx = &msg_len };
	int unordered;

	sink = perfdata__sniff(data, size);
	for (unordered = 0; unordered < 2; unordered++) {
		struct perfdata_opts o = { .is_unordered = unordered };
		struct perfdata *pd;
		uint64_t sum = 0;

		pd = perfdata__open_mem(data, size, "fuzz", &d, &o);
		if (!pd)
			return 0;
		perfdata__read(pd, &ops, &sum);
		sink = sum + walk_accessors(pd) + msg_len;
		perfdata__free(pd);
	}
	(void)sink;
	return 0;
}
