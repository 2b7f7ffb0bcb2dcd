/* perfdata: the attr table, the bottom of perfdata's one-way chain
 * (perfdata.c opens -> perfdata_read.c reads the stream -> perfdata_order.c
 * orders it -> perfdata_sample.c parses records -> this file; see
 * perfdata_int.h). Attrs as the file header, HEADER_ATTR records or
 * EVENT_DESC give them, the sample ids that map records to them, their
 * names, and the accessors over them. It calls no other perfdata file and
 * reports nothing: errors are returned. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "hash.h"
#include "perfdata_int.h"

/* Bounds that keep hostile headers from making us allocate or loop much. */
#define PD_MAX_ATTRS 65536

/* ---- ids -> attr ------------------------------------------------------ */

static int id_grow(struct perfdata *pd)
{
	uint32_t cap = pd->id_cap ? pd->id_cap * 2 : 64;
	uint64_t *keys = calloc(cap, sizeof(*keys));
	uint32_t *vals = calloc(cap, sizeof(*vals));
	uint32_t i;

	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -ENOMEM;
	}
	for (i = 0; i < pd->id_cap; i++) {
		uint64_t k = pd->id_keys[i];
		uint32_t j;

		if (!k)
			continue;
		j = hash__mix(k) & (cap - 1);
		while (keys[j])
			j = (j + 1) & (cap - 1);
		keys[j] = k;
		vals[j] = pd->id_vals[i];
	}
	free(pd->id_keys);
	free(pd->id_vals);
	pd->id_keys = keys;
	pd->id_vals = vals;
	pd->id_cap = cap;
	return 0;
}

uint32_t pd_find_id(const struct perfdata *pd, uint64_t id)
{
	uint32_t j;

	if (!id)
		return pd->id_zero_attr;
	if (!pd->id_cap)
		return PD_NO_ATTR;
	j = hash__mix(id) & (pd->id_cap - 1);
	while (pd->id_keys[j]) {
		if (pd->id_keys[j] == id)
			return pd->id_vals[j];
		j = (j + 1) & (pd->id_cap - 1);
	}
	return PD_NO_ATTR;
}

/* Map id to the attr (first mapping wins) and list it under the attr. */
int pd_add_id(struct perfdata *pd, uint32_t attr_idx, uint64_t id)
{
	struct pd_attr *a = &pd->attrs[attr_idx];
	uint32_t j;

	if (pd_find_id(pd, id) != PD_NO_ATTR)
		return 0;
	if (a->nr_ids == a->ids_cap) {
		uint32_t cap = a->ids_cap ? a->ids_cap * 2 : 8;
		uint64_t *ids = realloc(a->ids, cap * sizeof(*ids));

		if (!ids)
			return -ENOMEM;
		a->ids = ids;
		a->ids_cap = cap;
	}
	a->ids[a->nr_ids++] = id;
	if (!id) {
		pd->id_zero_attr = attr_idx;
		return 0;
	}
	if ((pd->id_nr + 1) * 2 > pd->id_cap && id_grow(pd))
		return -ENOMEM;
	j = hash__mix(id) & (pd->id_cap - 1);
	while (pd->id_keys[j])
		j = (j + 1) & (pd->id_cap - 1);
	pd->id_keys[j] = id;
	pd->id_vals[j] = attr_idx;
	pd->id_nr++;
	return 0;
}

/* ---- attrs and names ---------------------------------------------------- */

void pd_set_name(struct pd_attr *a, const char *name, size_t len)
{
	char *s = strndup(name, len);

	if (!s)
		return;
	free(a->name);
	a->name = s;
	a->name_len = strlen(s);
	a->is_name_from_file = true;
}

static const char *const hw_names[] = {
    "cycles",
    "instructions",
    "cache-references",
    "cache-misses",
    "branches",
    "branch-misses",
    "bus-cycles",
    "stalled-cycles-frontend",
    "stalled-cycles-backend",
    "ref-cycles",
};

static const char *const sw_names[] = {
    "cpu-clock",	"task-clock",	"page-faults",	"context-switches",
    "cpu-migrations",	"minor-faults", "major-faults", "alignment-faults",
    "emulation-faults", "dummy",	"bpf-output",	"cgroup-switches",
};

/* The name perf would show for an attr with no recorded name: the generic
 * event name and the modifiers of perf's evsel__add_modifiers(). */
static char *attr_default_name(const struct perf_event_attr *at)
{
	char buf[128], mods[16];
	const char *base = NULL;
	bool exclude_guest_default = false;
	int n = 0;

	if (at->type == PERF_TYPE_HARDWARE &&
	    at->config < sizeof(hw_names) / sizeof(hw_names[0]))
		base = hw_names[at->config];
	else if (at->type == PERF_TYPE_SOFTWARE &&
		 at->config < sizeof(sw_names) / sizeof(sw_names[0]))
		base = sw_names[at->config];
	if (base)
		snprintf(buf, sizeof(buf), "%s", base);
	else if (at->type == PERF_TYPE_RAW)
		snprintf(buf, sizeof(buf), "raw 0x%llx",
			 (unsigned long long)at->config);
	else
		snprintf(buf, sizeof(buf), "unknown %u:0x%llx", at->type,
			 (unsigned long long)at->config);

	if (at->exclude_kernel || at->exclude_user || at->exclude_hv) {
		if (!at->exclude_kernel)
			mods[n++] = 'k';
		if (!at->exclude_user)
			mods[n++] = 'u';
		if (!at->exclude_hv)
			mods[n++] = 'h';
		exclude_guest_default = true;
	}
	if (at->precise_ip) {
		unsigned int i;

		for (i = 0; i < at->precise_ip && i < 3; i++)
			mods[n++] = 'p';
		exclude_guest_default = true;
	}
	if (at->exclude_host || at->exclude_guest == exclude_guest_default) {
		if (!at->exclude_host)
			mods[n++] = 'H';
		if (!at->exclude_guest)
			mods[n++] = 'G';
	}
	mods[n] = '\0';
	if (n) {
		size_t l = strlen(buf);

		snprintf(buf + l, sizeof(buf) - l, ":%s", mods);
	}
	return strdup(buf);
}

/* attr points at attr_len bytes of a perf_event_attr as the file has it
 * (any size: we keep min(attr_len, ours) and zero-fill the rest). */
int pd_add_attr(struct perfdata *pd, const uint8_t *attr, uint64_t attr_len,
		const uint8_t *ids, uint64_t nr_ids)
{
	struct pd_attr *a;
	uint64_t i;
	int err;

	if (pd->nr_attrs >= PD_MAX_ATTRS)
		return -E2BIG;
	if (pd->nr_attrs == pd->attrs_cap) {
		uint32_t cap = pd->attrs_cap ? pd->attrs_cap * 2 : 4;
		struct pd_attr *n = realloc(pd->attrs, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		pd->attrs = n;
		pd->attrs_cap = cap;
	}
	a = &pd->attrs[pd->nr_attrs];
	memset(a, 0, sizeof(*a));
	memcpy(&a->attr, attr,
	       attr_len < sizeof(a->attr) ? attr_len : sizeof(a->attr));
	a->nr_regs_user = __builtin_popcountll(a->attr.sample_regs_user);
	a->nr_regs_intr = __builtin_popcountll(a->attr.sample_regs_intr);
	if (a->attr.sample_id_all) {
		uint64_t st = a->attr.sample_type;

		a->trailer_size =
		    8 * __builtin_popcountll(
			    st & (PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
				  PERF_SAMPLE_ID | PERF_SAMPLE_STREAM_ID |
				  PERF_SAMPLE_CPU | PERF_SAMPLE_IDENTIFIER));
	}
	a->sample_time_pos =
	    8 + 8 * __builtin_popcountll(a->attr.sample_type &
					 (PERF_SAMPLE_IDENTIFIER |
					  PERF_SAMPLE_IP | PERF_SAMPLE_TID));
	a->name = attr_default_name(&a->attr);
	if (!a->name)
		return -ENOMEM;
	a->name_len = strlen(a->name);
	pd->nr_attrs++;
	for (i = 0; i < nr_ids; i++) {
		err = pd_add_id(pd, pd->nr_attrs - 1, pd_u64(ids + 8 * i));
		if (err)
			return err;
	}
	return 0;
}

void pd_attrs_release(struct perfdata *pd)
{
	uint32_t i;

	for (i = 0; i < pd->nr_attrs; i++) {
		free(pd->attrs[i].name);
		free(pd->attrs[i].ids);
	}
	free(pd->attrs);
	free(pd->id_keys);
	free(pd->id_vals);
}

/* ---- accessors ------------------------------------------------------------
 */

bool perfdata__has_stack_copies(const struct perfdata *pd)
{
	uint32_t i;

	for (i = 0; i < pd->nr_attrs; i++)
		if (pd->attrs[i].attr.sample_type & PERF_SAMPLE_STACK_USER)
			return true;
	return false;
}

uint32_t perfdata__nr_attrs(const struct perfdata *pd)
{
	return pd->nr_attrs;
}

const struct perf_event_attr *perfdata__attr(const struct perfdata *pd,
					     uint32_t idx)
{
	return idx < pd->nr_attrs ? &pd->attrs[idx].attr : NULL;
}

const char *perfdata__attr_name(const struct perfdata *pd, uint32_t idx)
{
	return idx < pd->nr_attrs ? pd->attrs[idx].name : "";
}

size_t perfdata__attr_name_len(const struct perfdata *pd, uint32_t idx)
{
	return idx < pd->nr_attrs ? pd->attrs[idx].name_len : 0;
}

const uint64_t *perfdata__attr_ids(const struct perfdata *pd, uint32_t idx,
				   uint32_t *nr_ids)
{
	if (idx >= pd->nr_attrs) {
		*nr_ids = 0;
		return NULL;
	}
	*nr_ids = pd->attrs[idx].nr_ids;
	return pd->attrs[idx].ids;
}

uint64_t perfdata__attr_nr_samples(const struct perfdata *pd, uint32_t idx)
{
	return idx < pd->nr_attrs ? pd->attrs[idx].nr_samples : 0;
}

int perfdata__find_attr(const struct perfdata *pd, const char *name)
{
	uint32_t i;

	for (i = 0; i < pd->nr_attrs; i++)
		if (!strcmp(pd->attrs[i].name, name))
			return (int)i;
	return -ENOENT;
}
