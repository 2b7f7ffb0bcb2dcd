/* pytramp: CPython perf trampoline layouts (see pytramp.h). */
#include <errno.h>
#include <string.h>

#include "pytramp.h"

#define DW_RBP 6
#define DW_RSP 7

static const uint8_t tramp_sub[] = {
	0x48, 0x83, 0xec, 0x08,		/* sub $8,%rsp */
	0xff, 0xd1,			/* call *%rcx */
	0x48, 0x83, 0xc4, 0x08,		/* add $8,%rsp */
	0xc3,				/* ret */
};
static const uint8_t tramp_push[] = {
	0x55,				/* push %rbp */
	0x48, 0x89, 0xe5,		/* mov %rsp,%rbp */
	0xff, 0xd1,			/* call *%rcx */
	0x5d,				/* pop %rbp */
	0xc3,				/* ret */
};
static const uint8_t endbr64[] = {0xf3, 0x0f, 0x1e, 0xfa};

static int is_body(const uint8_t *p, size_t len, size_t skip,
		   const uint8_t *body, size_t body_len)
{
	return len == skip + body_len && !memcmp(p + skip, body, body_len);
}

void pytramp__classify(const uint8_t *p, size_t len, struct pytramp *t)
{
	size_t skip = len >= 4 && !memcmp(p, endbr64, 4) ? 4 : 0;

	t->len = (uint32_t)len;
	t->skip = (uint32_t)skip;
	if (is_body(p, len, skip, tramp_sub, sizeof(tramp_sub)))
		t->kind = PYTRAMP_SUB;
	else if (is_body(p, len, skip, tramp_push, sizeof(tramp_push)))
		t->kind = PYTRAMP_PUSH;
	else
		t->kind = PYTRAMP_UNKNOWN;
}

int pytramp__rule(const struct pytramp *t, uint64_t off,
		  struct pytramp_rule *r)
{
	uint64_t body = off - t->skip;

	if (off >= t->len ||
	    (t->kind != PYTRAMP_SUB && t->kind != PYTRAMP_PUSH))
		return -EINVAL;
	/* at entry and at ret: CFA = rsp + 8, as at any function's */
	r->cfa_reg = DW_RSP;
	r->cfa_off = 8;
	r->bp_off = 0;
	if (off < t->skip)
		return 0;
	if (t->kind == PYTRAMP_SUB) {
		/* sub 0-3, call 4-5 (callers return to 6), add 6-9, ret 10 */
		if (body >= 4 && body < 10)
			r->cfa_off = 16;
		return 0;
	}
	/* push 0, mov 1-3, call 4-5 (callers return to 6), pop 6, ret 7 */
	if (body >= 1 && body < 4) {
		r->cfa_off = 16;
		r->bp_off = -16;
	} else if (body >= 4 && body < 7) {
		r->cfa_reg = DW_RBP;
		r->cfa_off = 16;
		r->bp_off = -16;
	}
	return 0;
}
