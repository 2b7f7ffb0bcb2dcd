/* perfdata: bodies of the kernel records (struct perf_event_header types
 * below 64, as <linux/perf_event.h> lays them out), the sample_id_all
 * trailer, attribution of records to attrs, and delivery to callbacks.
 * Skipped records are counted and reported here (pd_warn_bad). Below it is
 * only perfdata_attrs.c. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "perfdata_int.h"

/* sample_type bits whose fields precede ID in a sample. */
#define PD_BEFORE_ID                                                           \
	(PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_ADDR)

/* A per-record problem: count it, report the first few. */
void pd_warn_bad(struct perfdata *pd, uint64_t off, const char *what)
{
	pd->stats.nr_bad++;
	diag__limited(&pd->diag, &pd->nr_warned, PD_WARN_LIMIT,
		      "'%s': skipped record at offset 0x%" PRIx64 ": %s",
		      pd->name, off, what);
}

static uint64_t bit(uint64_t st, uint64_t b)
{
	return (st & b) ? 1 : 0;
}

/* Which attr a record belongs to. As perf (evlist->id_pos/is_pos), the id
 * is found with the first attr's layout: IDENTIFIER first in a sample and
 * last in a trailer, or ID at its position. */
uint32_t pd_record_attr(struct perfdata *pd, const uint8_t *rec, uint32_t len)
{
	const struct perf_event_attr *a0;
	uint64_t st, pos, id;
	uint32_t idx;

	if (pd->nr_attrs <= 1)
		return pd->nr_attrs ? 0 : PD_NO_ATTR;
	a0 = &pd->attrs[0].attr;
	st = a0->sample_type;
	if (pd_u32(rec) == PERF_RECORD_SAMPLE) {
		if (st & PERF_SAMPLE_IDENTIFIER)
			pos = 8;
		else if (st & PERF_SAMPLE_ID)
			pos = 8 + 8 * __builtin_popcountll(st & PD_BEFORE_ID);
		else
			return 0;
	} else {
		uint64_t back;

		if (!a0->sample_id_all)
			return 0;
		if (st & PERF_SAMPLE_IDENTIFIER)
			back = 8;
		else if (st & PERF_SAMPLE_ID)
			back = 8 * (1 + bit(st, PERF_SAMPLE_STREAM_ID) +
				    bit(st, PERF_SAMPLE_CPU));
		else
			return 0;
		if (back + 8 > len)
			return 0;
		pos = len - back;
	}
	if (pos + 8 > len)
		return 0;
	id = pd_u64(rec + pos);
	/* perf synthesizes records (existing processes) with id 0 */
	if (!id)
		return 0;
	idx = pd_find_id(pd, id);
	if (idx == PD_NO_ATTR) {
		pd->stats.nr_unattributed++;
		return 0;
	}
	return idx;
}

/* The record's time, when its attr puts one in it. */
bool pd_record_time(const struct perfdata *pd, const uint8_t *rec, uint32_t len,
		    uint32_t attr_idx, uint64_t *time)
{
	const struct pd_attr *a;
	uint64_t st, pos;

	if (attr_idx == PD_NO_ATTR)
		return false;
	a = &pd->attrs[attr_idx];
	st = a->attr.sample_type;
	if (!(st & PERF_SAMPLE_TIME))
		return false;
	if (pd_u32(rec) == PERF_RECORD_SAMPLE) {
		pos = a->sample_time_pos;
	} else {
		if (!a->attr.sample_id_all || a->trailer_size + 8 > len)
			return false;
		pos = len - a->trailer_size + 8 * bit(st, PERF_SAMPLE_TID);
	}
	if (pos + 8 > len)
		return false;
	*time = pd_u64(rec + pos);
	return true;
}

/* ---- bounded cursor ---------------------------------------------------- */

struct cur {
	const uint8_t *p, *end;
	const char *bad; /* what ran out, NULL while all is well */
};

static uint64_t cur_u64(struct cur *c, const char *what)
{
	uint64_t v;

	if (c->bad)
		return 0;
	if (c->end - c->p < 8) {
		c->bad = what;
		return 0;
	}
	v = pd_u64(c->p);
	c->p += 8;
	return v;
}

/* n bytes; the next field must stay 8-aligned. */
static const void *cur_take(struct cur *c, uint64_t n, const char *what)
{
	const void *v = c->p;

	if (c->bad)
		return NULL;
	if ((uint64_t)(c->end - c->p) < n || (n & 7)) {
		c->bad = what;
		return NULL;
	}
	c->p += n;
	return v;
}

/* u64 words */
static const uint64_t *cur_words(struct cur *c, uint64_t nr, const char *what)
{
	if (nr > (uint64_t)(c->end - c->p) / 8) {
		if (!c->bad)
			c->bad = what;
		return NULL;
	}
	return cur_take(c, nr * 8, what);
}

static uint64_t read_format_words(struct cur *c, uint64_t rf)
{
	uint64_t per = 1 + bit(rf, PERF_FORMAT_ID) + bit(rf, PERF_FORMAT_LOST);
	uint64_t times = bit(rf, PERF_FORMAT_TOTAL_TIME_ENABLED) +
			 bit(rf, PERF_FORMAT_TOTAL_TIME_RUNNING);
	uint64_t nr;

	if (!(rf & PERF_FORMAT_GROUP))
		return per + times;
	if (c->end - c->p < 8)
		return UINT64_MAX;
	nr = pd_u64(c->p);
	if (nr > (uint64_t)(c->end - c->p) / 8 / per)
		return UINT64_MAX;
	return 1 + times + nr * per;
}

/* Parse a PERF_RECORD_SAMPLE in the order of perf's evsel__parse_sample()
 * into s, a's own: fields of the bits a samples are all set, each time
 * (those of other bits were 0 from the start and stay so). Returns NULL
 * on success, else what was wrong. */
static const char *parse_sample(const struct pd_attr *a, const uint8_t *rec,
				uint32_t len, struct perfdata_sample *s)
{
	const struct perf_event_attr *at = &a->attr;
	uint64_t st = at->sample_type;
	struct cur c = {rec + 8, rec + len, NULL};
	uint64_t v;

	s->sample_type = st;
	s->misc = pd_u16(rec + 4);
	if (st & PERF_SAMPLE_IDENTIFIER) {
		s->sid.id = cur_u64(&c, "identifier");
		s->sid.has_id = true;
	}
	if (st & PERF_SAMPLE_IP)
		s->ip = cur_u64(&c, "ip");
	if (st & PERF_SAMPLE_TID) {
		v = cur_u64(&c, "pid/tid");
		s->sid.pid = (uint32_t)v;
		s->sid.tid = (uint32_t)(v >> 32);
		s->sid.has_tid = true;
	}
	if (st & PERF_SAMPLE_TIME) {
		s->sid.time = cur_u64(&c, "time");
		s->sid.has_time = true;
	}
	if (st & PERF_SAMPLE_ADDR)
		s->addr = cur_u64(&c, "addr");
	if (st & PERF_SAMPLE_ID) {
		s->sid.id = cur_u64(&c, "id");
		s->sid.has_id = true;
	}
	if (st & PERF_SAMPLE_STREAM_ID)
		s->sid.stream_id = cur_u64(&c, "stream_id");
	if (st & PERF_SAMPLE_CPU) {
		s->sid.cpu = (uint32_t)cur_u64(&c, "cpu");
		s->sid.has_cpu = true;
	}
	if (st & PERF_SAMPLE_PERIOD)
		s->period = cur_u64(&c, "period");
	if ((st & PERF_SAMPLE_READ) && !c.bad) {
		uint64_t w = read_format_words(&c, at->read_format);

		s->read = cur_words(&c, w, "read values");
		s->read_len = (uint32_t)w;
	}
	if (st & PERF_SAMPLE_CALLCHAIN) {
		s->nr_callchain = cur_u64(&c, "callchain size");
		s->callchain = cur_words(&c, s->nr_callchain, "callchain");
	}
	if ((st & PERF_SAMPLE_RAW) && !c.bad) {
		/* u32 size; data: the two together keep 8-byte alignment */
		if (c.end - c.p < 4) {
			c.bad = "raw size";
		} else {
			s->raw_size = pd_u32(c.p);
			s->raw = c.p + 4;
			if (!cur_take(&c, 4 + (uint64_t)s->raw_size,
				      "raw data"))
				s->raw = NULL;
		}
	}
	if (st & PERF_SAMPLE_BRANCH_STACK) {
		s->nr_branches = cur_u64(&c, "branch stack size");
		if (at->branch_sample_type & PERF_SAMPLE_BRANCH_HW_INDEX) {
			s->branch_hw_idx = cur_u64(&c, "branch hw_idx");
			s->has_branch_hw_idx = true;
		}
		if (s->nr_branches > (uint64_t)(c.end - c.p) / 24 && !c.bad)
			c.bad = "branch stack";
		s->branches = cur_take(&c, s->nr_branches * 24, "branch stack");
	}
	if (st & PERF_SAMPLE_REGS_USER) {
		s->regs_user_abi = cur_u64(&c, "user regs abi");
		s->nr_regs_user = 0;
		s->regs_user = NULL;
		if (s->regs_user_abi) {
			s->nr_regs_user = a->nr_regs_user;
			s->regs_user =
			    cur_words(&c, a->nr_regs_user, "user regs");
		}
	}
	if (st & PERF_SAMPLE_STACK_USER) {
		s->stack_user_size = cur_u64(&c, "user stack size");
		s->stack_user = NULL;
		s->stack_user_dyn_size = 0;
		/* size 0: no data and no dyn_size (kernel thread) */
		if (s->stack_user_size) {
			s->stack_user =
			    cur_take(&c, s->stack_user_size, "user stack");
			s->stack_user_dyn_size = cur_u64(&c, "user stack "
							     "dyn_size");
			if (s->stack_user_dyn_size > s->stack_user_size &&
			    !c.bad)
				c.bad = "user stack dyn_size";
		}
	}
	if (st & (PERF_SAMPLE_WEIGHT | PERF_SAMPLE_WEIGHT_STRUCT))
		s->weight = cur_u64(&c, "weight");
	if (st & PERF_SAMPLE_DATA_SRC)
		s->data_src = cur_u64(&c, "data_src");
	if (st & PERF_SAMPLE_TRANSACTION)
		s->transaction = cur_u64(&c, "transaction");
	if (st & PERF_SAMPLE_REGS_INTR) {
		s->regs_intr_abi = cur_u64(&c, "intr regs abi");
		s->nr_regs_intr = 0;
		s->regs_intr = NULL;
		if (s->regs_intr_abi) {
			s->nr_regs_intr = a->nr_regs_intr;
			s->regs_intr =
			    cur_words(&c, a->nr_regs_intr, "intr regs");
		}
	}
	if (st & PERF_SAMPLE_PHYS_ADDR)
		s->phys_addr = cur_u64(&c, "phys_addr");
	/* CGROUP after PHYS_ADDR, as perf's parser has it */
	if (st & PERF_SAMPLE_CGROUP)
		s->cgroup = cur_u64(&c, "cgroup");
	if (st & PERF_SAMPLE_DATA_PAGE_SIZE)
		s->data_page_size = cur_u64(&c, "data_page_size");
	if (st & PERF_SAMPLE_CODE_PAGE_SIZE)
		s->code_page_size = cur_u64(&c, "code_page_size");
	if (st & PERF_SAMPLE_AUX) {
		s->aux_size = cur_u64(&c, "aux size");
		if (!c.bad && s->aux_size > (uint64_t)(c.end - c.p))
			c.bad = "aux data";
		s->aux = c.bad ? NULL : c.p;
	}
	return c.bad;
}

/* The sample_id_all trailer, read backwards from the record end; returns
 * where the record body ends. */
static uint32_t parse_trailer(const struct pd_attr *a, const uint8_t *rec,
			      uint32_t len, struct perfdata_sample_id *sid)
{
	uint64_t st;
	const uint8_t *p;

	if (!a || !a->attr.sample_id_all || !a->trailer_size)
		return len;
	if (a->trailer_size + 8 > len)
		return 0;
	st = a->attr.sample_type;
	p = rec + len - a->trailer_size;
	if (st & PERF_SAMPLE_TID) {
		sid->pid = pd_u32(p);
		sid->tid = pd_u32(p + 4);
		sid->has_tid = true;
		p += 8;
	}
	if (st & PERF_SAMPLE_TIME) {
		sid->time = pd_u64(p);
		sid->has_time = true;
		p += 8;
	}
	if (st & PERF_SAMPLE_ID) {
		sid->id = pd_u64(p);
		sid->has_id = true;
		p += 8;
	}
	if (st & PERF_SAMPLE_STREAM_ID) {
		sid->stream_id = pd_u64(p);
		p += 8;
	}
	if (st & PERF_SAMPLE_CPU) {
		sid->cpu = pd_u32(p);
		sid->has_cpu = true;
		p += 8;
	}
	if (st & PERF_SAMPLE_IDENTIFIER) {
		sid->id = pd_u64(p);
		sid->has_id = true;
	}
	return len - a->trailer_size;
}

/* A NUL-terminated string at rec[at..end), or NULL. */
static const char *body_string(const uint8_t *rec, uint32_t at, uint32_t end)
{
	if (at >= end || !memchr(rec + at, '\0', end - at))
		return NULL;
	return (const char *)rec + at;
}

static int deliver_sample(struct perfdata *pd, const uint8_t *rec, uint32_t len,
			  uint32_t attr_idx, uint64_t off)
{
	struct perfdata_sample *s;
	const char *bad;
	char what[96];

	if (attr_idx == PD_NO_ATTR) {
		pd_warn_bad(pd, off, "sample before any attr");
		return 0;
	}
	s = &pd->attrs[attr_idx].sample;
	bad = parse_sample(&pd->attrs[attr_idx], rec, len, s);
	if (bad) {
		snprintf(what, sizeof(what),
			 "sample too short for its %s "
			 "(%u bytes)",
			 bad, len);
		pd_warn_bad(pd, off, what);
		return 0;
	}
	s->sid.attr_idx = attr_idx;
	pd->attrs[attr_idx].nr_samples++;
	return pd->ops->on_sample ? pd->ops->on_sample(pd->ctx, s) : 0;
}

static int deliver_mmap(struct perfdata *pd, const uint8_t *rec, uint32_t end,
			const struct perfdata_sample_id *sid, uint64_t off)
{
	struct perfdata_mmap m;
	uint32_t name_at;

	memset(&m, 0, sizeof(m));
	m.sid = *sid;
	m.misc = pd_u16(rec + 4);
	m.is_mmap2 = pd_u32(rec) == PERF_RECORD_MMAP2;
	name_at = m.is_mmap2 ? 72 : 40;
	if (end < name_at) {
		pd_warn_bad(pd, off, "MMAP record too short");
		return 0;
	}
	m.pid = pd_u32(rec + 8);
	m.tid = pd_u32(rec + 12);
	m.start = pd_u64(rec + 16);
	m.len = pd_u64(rec + 24);
	m.pgoff = pd_u64(rec + 32);
	if (m.is_mmap2) {
		if (m.misc & PERF_RECORD_MISC_MMAP_BUILD_ID) {
			m.has_build_id = true;
			m.build_id_size = rec[40] <= 20 ? rec[40] : 20;
			memcpy(m.build_id, rec + 44, 20);
		} else {
			m.maj = pd_u32(rec + 40);
			m.min = pd_u32(rec + 44);
			m.ino = pd_u64(rec + 48);
			m.ino_generation = pd_u64(rec + 56);
		}
		m.prot = pd_u32(rec + 64);
		m.flags = pd_u32(rec + 68);
	}
	m.filename = body_string(rec, name_at, end);
	if (!m.filename) {
		pd_warn_bad(pd, off, "MMAP filename not terminated");
		return 0;
	}
	return pd->ops->on_mmap ? pd->ops->on_mmap(pd->ctx, &m) : 0;
}

static int deliver_other(struct perfdata *pd, const uint8_t *rec,
			 const struct perfdata_sample_id *sid)
{
	if (!pd->ops->on_other)
		return 0;
	return pd->ops->on_other(
	    pd->ctx, (const struct perf_event_header *)(const void *)rec, sid);
}

static int deliver_kernel(struct perfdata *pd, const uint8_t *rec, uint32_t len,
			  uint32_t attr_idx, uint64_t off)
{
	const struct perfdata_ops *ops = pd->ops;
	struct perfdata_sample_id sid = {.attr_idx = attr_idx};
	uint32_t type = pd_u32(rec);
	uint32_t end;

	end =
	    parse_trailer(attr_idx == PD_NO_ATTR ? NULL : &pd->attrs[attr_idx],
			  rec, len, &sid);
	if (!end) {
		pd_warn_bad(pd, off,
			    "record shorter than its sample_id "
			    "trailer");
		return 0;
	}
	switch (type) {
	case PERF_RECORD_MMAP:
	case PERF_RECORD_MMAP2:
		return deliver_mmap(pd, rec, end, &sid, off);
	case PERF_RECORD_COMM: {
		struct perfdata_comm c = {.sid = sid};

		c.comm = body_string(rec, 16, end);
		if (!c.comm) {
			pd_warn_bad(pd, off, "COMM name not terminated");
			return 0;
		}
		c.pid = pd_u32(rec + 8);
		c.tid = pd_u32(rec + 12);
		c.is_exec = pd_u16(rec + 4) & PERF_RECORD_MISC_COMM_EXEC;
		return ops->on_comm ? ops->on_comm(pd->ctx, &c) : 0;
	}
	case PERF_RECORD_FORK:
	case PERF_RECORD_EXIT: {
		struct perfdata_task t = {.sid = sid};

		if (end < 32) {
			pd_warn_bad(pd, off, "FORK/EXIT record too short");
			return 0;
		}
		t.pid = pd_u32(rec + 8);
		t.ppid = pd_u32(rec + 12);
		t.tid = pd_u32(rec + 16);
		t.ptid = pd_u32(rec + 20);
		t.time = pd_u64(rec + 24);
		if (type == PERF_RECORD_FORK)
			return ops->on_fork ? ops->on_fork(pd->ctx, &t) : 0;
		return ops->on_exit ? ops->on_exit(pd->ctx, &t) : 0;
	}
	case PERF_RECORD_LOST:
	case PERF_RECORD_LOST_SAMPLES: {
		struct perfdata_lost l = {.sid = sid};

		l.is_lost_samples = type == PERF_RECORD_LOST_SAMPLES;
		if (end < (l.is_lost_samples ? 16u : 24u)) {
			pd_warn_bad(pd, off, "LOST record too short");
			return 0;
		}
		if (l.is_lost_samples) {
			l.lost = pd_u64(rec + 8);
			pd->stats.nr_lost_samples += l.lost;
		} else {
			l.id = pd_u64(rec + 8);
			l.lost = pd_u64(rec + 16);
			pd->stats.nr_lost += l.lost;
		}
		return ops->on_lost ? ops->on_lost(pd->ctx, &l) : 0;
	}
	case PERF_RECORD_THROTTLE:
	case PERF_RECORD_UNTHROTTLE: {
		struct perfdata_throttle t = {.sid = sid};

		if (end < 32) {
			pd_warn_bad(pd, off, "THROTTLE record too short");
			return 0;
		}
		t.is_unthrottle = type == PERF_RECORD_UNTHROTTLE;
		t.time = pd_u64(rec + 8);
		t.id = pd_u64(rec + 16);
		t.stream_id = pd_u64(rec + 24);
		return ops->on_throttle ? ops->on_throttle(pd->ctx, &t) : 0;
	}
	case PERF_RECORD_KSYMBOL: {
		struct perfdata_ksymbol k = {.sid = sid};

		k.name = body_string(rec, 24, end);
		if (!k.name) {
			pd_warn_bad(pd, off, "KSYMBOL name not terminated");
			return 0;
		}
		k.addr = pd_u64(rec + 8);
		k.len = pd_u32(rec + 16);
		k.ksym_type = pd_u16(rec + 20);
		k.flags = pd_u16(rec + 22);
		return ops->on_ksymbol ? ops->on_ksymbol(pd->ctx, &k) : 0;
	}
	default:
		return deliver_other(pd, rec, &sid);
	}
}

/* Deliver one kernel record. Records are parsed in place when 8-byte
 * aligned, else from an aligned copy, so the arrays handed out are. */
int pd_deliver(struct perfdata *pd, const uint8_t *rec, uint32_t len,
	       uint32_t attr_idx, uint64_t off)
{
	if ((uintptr_t)rec & 7) {
		memcpy(pd->scratch, rec, len);
		rec = (const uint8_t *)pd->scratch;
	}
	if (pd_u32(rec) == PERF_RECORD_SAMPLE)
		return deliver_sample(pd, rec, len, attr_idx, off);
	return deliver_kernel(pd, rec, len, attr_idx, off);
}
