/* perfdata: the feature sections of perf.data (tools/perf/util/header.c
 * writes them; perf.data-file-format.txt describes them), which pipe mode
 * sends as HEADER_FEATURE records instead. Parsed: the strings (HOSTNAME,
 * OSRELEASE, VERSION, ARCH), CMDLINE, EVENT_DESC (event names), BUILD_ID,
 * COMPRESSED; TRACING_DATA is kept as bytes for a tracepoint decoder; the
 * others are skipped. Every read is bounded by the section.
 * This file owns what they give and its accessors. It calls only
 * perfdata_attrs.c (EVENT_DESC names attrs). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "perfdata_int.h"

/* ---- feature sections ---------------------------------------------------- */

/* A perf_header_string at *p: {u32 len; char s[len]}. */
static int feat_string(const uint8_t **p, const uint8_t *end, const char **s,
		       size_t *slen)
{
	uint32_t len;

	if (end - *p < 4)
		return -EINVAL;
	len = pd_u32(*p);
	if ((uint64_t)(end - *p - 4) < len)
		return -EINVAL;
	*s = (const char *)*p + 4;
	*slen = strnlen(*s, len);
	*p += 4 + (uint64_t)len;
	return 0;
}

static int feat_event_desc(struct perfdata *pd, const uint8_t *p,
			   const uint8_t *end)
{
	uint32_t nr, attr_size, i, j;

	if (end - p < 8)
		return -EINVAL;
	nr = pd_u32(p);
	attr_size = pd_u32(p + 4);
	p += 8;
	if (attr_size < PERF_ATTR_SIZE_VER0 || attr_size > PD_MAX_ATTR_SIZE)
		return -EINVAL;
	for (i = 0; i < nr; i++) {
		const char *name;
		size_t name_len;
		uint32_t nr_ids, idx = PD_NO_ATTR;

		if ((uint64_t)(end - p) < attr_size + 4ULL)
			return -EINVAL;
		p += attr_size;
		nr_ids = pd_u32(p);
		p += 4;
		if (feat_string(&p, end, &name, &name_len))
			return -EINVAL;
		if ((uint64_t)(end - p) / 8 < nr_ids)
			return -EINVAL;
		for (j = 0; j < nr_ids && idx == PD_NO_ATTR; j++)
			idx = pd_find_id(pd, pd_u64(p + 8 * j));
		/* No ids (or none known): perf writes the events in attr
		 * order, so fall back to the position. */
		if (idx == PD_NO_ATTR && i < pd->nr_attrs)
			idx = i;
		if (idx != PD_NO_ATTR && name_len)
			pd_set_name(&pd->attrs[idx], name, name_len);
		p += 8 * (uint64_t)nr_ids;
	}
	return 0;
}

static int feat_cmdline(struct perfdata *pd, const uint8_t *p,
			const uint8_t *end)
{
	uint32_t nr, i;
	char **argv;

	if (end - p < 4)
		return -EINVAL;
	nr = pd_u32(p);
	p += 4;
	/* every string takes at least 4 bytes */
	if (nr > (uint64_t)(end - p) / 4)
		return -EINVAL;
	argv = calloc((size_t)nr + 1, sizeof(*argv));
	if (!argv)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		const char *s;
		size_t len;

		if (feat_string(&p, end, &s, &len) ||
		    !(argv[i] = strndup(s, len))) {
			while (i--)
				free(argv[i]);
			free(argv);
			return -EINVAL;
		}
	}
	if (pd->cmdline) {
		for (i = 0; i < pd->cmdline_argc; i++)
			free(pd->cmdline[i]);
		free(pd->cmdline);
	}
	pd->cmdline = argv;
	pd->cmdline_argc = nr;
	return 0;
}

/* A build_id_event (feature entry or HEADER_BUILD_ID record):
 * {perf_event_header; s32 pid; u8 build_id[24]; char filename[]}. With
 * misc bit 15 (PERF_RECORD_MISC_BUILD_ID_SIZE) byte 20 holds the length. */
int pd_add_build_id(struct perfdata *pd, const uint8_t *rec, uint64_t len)
{
	struct perfdata_build_id *b;
	uint16_t misc = pd_u16(rec + 4);
	char *filename;

	if (len < 36)
		return -EINVAL;
	filename = strndup((const char *)rec + 36, len - 36);
	if (!filename)
		return -ENOMEM;
	if (pd->nr_build_ids == pd->build_ids_cap) {
		uint32_t cap = pd->build_ids_cap ? pd->build_ids_cap * 2 : 16;
		struct perfdata_build_id *n;

		n = realloc(pd->build_ids, cap * sizeof(*n));
		if (!n) {
			free(filename);
			return -ENOMEM;
		}
		pd->build_ids = n;
		pd->build_ids_cap = cap;
	}
	b = &pd->build_ids[pd->nr_build_ids++];
	memset(b, 0, sizeof(*b));
	b->pid = (int32_t)pd_u32(rec + 8);
	b->cpumode = misc & PERF_RECORD_MISC_CPUMODE_MASK;
	memcpy(b->build_id, rec + 12, 20);
	b->size = 20;
	if ((misc & (1 << 15)) && rec[32] <= 20)
		b->size = rec[32];
	b->filename = filename;
	return 0;
}

static int feat_build_ids(struct perfdata *pd, const uint8_t *p,
			  const uint8_t *end)
{
	while (end - p >= 8) {
		uint16_t size = pd_u16(p + 6);
		int err;

		if (size < 36 || size > end - p)
			return -EINVAL;
		err = pd_add_build_id(pd, p, size);
		if (err)
			return err;
		p += size;
	}
	return 0;
}

/* Parse one feature's payload (a file section or a HEADER_FEATURE body).
 * Unknown features are skipped. Returns -EINVAL for a malformed one. */
int pd_parse_feature(struct perfdata *pd, unsigned int feat, const uint8_t *p,
		     uint64_t len, uint64_t off)
{
	const uint8_t *end = p + len;
	const char *s;
	size_t slen;
	int err = 0;

	if (feat < 256)
		pd->feat_bits[feat / 64] |= 1ULL << (feat % 64);
	switch (feat) {
	case PERFDATA_FEAT_HOSTNAME:
	case PERFDATA_FEAT_OSRELEASE:
	case PERFDATA_FEAT_VERSION:
	case PERFDATA_FEAT_ARCH:
		err = feat_string(&p, end, &s, &slen);
		if (!err) {
			free(pd->feat_str[feat]);
			pd->feat_str[feat] = strndup(s, slen);
		}
		break;
	case PERFDATA_FEAT_CMDLINE:
		err = feat_cmdline(pd, p, end);
		break;
	case PERFDATA_FEAT_EVENT_DESC:
		err = feat_event_desc(pd, p, end);
		break;
	case PERFDATA_FEAT_BUILD_ID:
		err = feat_build_ids(pd, p, end);
		break;
	case PERFDATA_FEAT_TRACING_DATA:
		/* borrowed: a file section lives as long as the image (pipe
		 * mode sends a HEADER_TRACING_DATA record instead) */
		pd->tracing = p;
		pd->tracing_len = len;
		break;
	case PERFDATA_FEAT_COMPRESSED:
		/* {u32 version, type, level, ratio, mmap_len} */
		if (len < 20) {
			err = -EINVAL;
			break;
		}
		pd->comp_type = pd_u32(p + 4);
		pd->comp_level = pd_u32(p + 8);
		break;
	default:
		break;
	}
	if (err == -EINVAL) {
		diag__emit(
		    &pd->diag, DIAG_WARN,
		    "'%s': ignored malformed feature %u at offset 0x%" PRIx64,
		    pd->name, feat, off);
		pd->stats.nr_bad++;
		err = 0;
	}
	return err;
}

void pd_feat_release(struct perfdata *pd)
{
	uint32_t i;

	for (i = 0; i < 7; i++)
		free(pd->feat_str[i]);
	for (i = 0; i < pd->cmdline_argc; i++)
		free(pd->cmdline[i]);
	free(pd->cmdline);
	for (i = 0; i < pd->nr_build_ids; i++)
		free((char *)pd->build_ids[i].filename);
	free(pd->build_ids);
	free(pd->tracing_owned);
}

/* ---- accessors ------------------------------------------------------------
 */

bool perfdata__has_feature(const struct perfdata *pd, unsigned int feat)
{
	return feat < 256 && (pd->feat_bits[feat / 64] & (1ULL << (feat % 64)));
}

const char *perfdata__feature_string(const struct perfdata *pd,
				     unsigned int feat)
{
	if (feat < PERFDATA_FEAT_HOSTNAME || feat > PERFDATA_FEAT_ARCH)
		return NULL;
	return pd->feat_str[feat];
}

const char *const *perfdata__cmdline(const struct perfdata *pd, uint32_t *argc)
{
	*argc = pd->cmdline_argc;
	return (const char *const *)pd->cmdline;
}

uint32_t perfdata__nr_build_ids(const struct perfdata *pd)
{
	return pd->nr_build_ids;
}

const struct perfdata_build_id *perfdata__build_id(const struct perfdata *pd,
						   uint32_t idx)
{
	return idx < pd->nr_build_ids ? &pd->build_ids[idx] : NULL;
}

const void *perfdata__tracing_data(const struct perfdata *pd, size_t *len)
{
	*len = pd->tracing ? (size_t)pd->tracing_len : 0;
	return pd->tracing;
}

uint32_t perfdata__compression(const struct perfdata *pd, uint32_t *level)
{
	if (level)
		*level = pd->comp_level;
	return pd->comp_type;
}
