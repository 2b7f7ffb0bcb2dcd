/* libFuzzer target for common/perfdata: parse any bytes as perf data, in
 * both time-ordered and file-order delivery. Not built by meson; build and
 * run by hand with clang:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
 *     -Icommon tests/fuzz/fuzz_perfdata.c common/perfdata*.c common/diag.c \
 *     -lzstd -o fuzz_perfdata
 *   ./fuzz_perfdata -max_total_time=300 -max_len=65536 CORPUS_DIR \
 *     ../shared/conformance/perf-data/quipper-crashers tests/perfdata/fixtures
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "perfdata.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_sample(void *ctx, const struct perfdata_sample *s)
{
	uint64_t *sum = ctx, i;

	for (i = 0; i < s->nr_callchain; i++)
		*sum += s->callchain[i];
	for (i = 0; i < s->nr_branches; i++)
		*sum += s->branches[i].from;
	if (s->raw_size)
		*sum += ((const uint8_t *)s->raw)[s->raw_size - 1];
	if (s->aux_size)
		*sum += ((const uint8_t *)s->aux)[s->aux_size - 1];
	return 0;
}

static int on_mmap(void *ctx, const struct perfdata_mmap *m)
{
	*(uint64_t *)ctx += strlen(m->filename);
	return 0;
}

static int on_comm(void *ctx, const struct perfdata_comm *c)
{
	*(uint64_t *)ctx += strlen(c->comm);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct perfdata_ops ops = {
	    .on_sample = on_sample,
	    .on_mmap = on_mmap,
	    .on_comm = on_comm,
	};
	int unordered;

	for (unordered = 0; unordered < 2; unordered++) {
		struct perfdata_opts o = {.is_unordered = unordered};
		struct perfdata *pd;
		uint64_t sum = 0;
		uint32_t i;

		pd = perfdata__open_mem(data, size, "fuzz", NULL, &o);
		if (!pd)
			return 0;
		perfdata__read(pd, &ops, &sum);
		for (i = 0; i < perfdata__nr_attrs(pd); i++)
			sum += strlen(perfdata__attr_name(pd, i));
		for (i = 0; i < perfdata__nr_build_ids(pd); i++)
			sum += strlen(perfdata__build_id(pd, i)->filename);
		perfdata__free(pd);
	}
	return 0;
}
