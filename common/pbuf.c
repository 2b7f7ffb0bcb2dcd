/* pbuf: the protocol buffer wire format (see pbuf.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "pbuf.h"

static bool reserve(struct pbuf *b, size_t more)
{
	if (b->is_failed)
		return false;
	if (b->len + more > b->cap &&
	    array__reserve((void **)&b->data, &b->cap, b->len + more, 1)) {
		b->is_failed = true;
		return false;
	}
	return true;
}

static size_t varint_len(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/* v at p, which has room for 10 bytes; returns the end */
static uint8_t *put_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

void pbuf__varint(struct pbuf *b, uint64_t v)
{
	if (reserve(b, 10))
		b->len = (size_t)(put_varint(b->data + b->len, v) - b->data);
}

void pbuf__key(struct pbuf *b, uint32_t field, unsigned int wire_type)
{
	pbuf__varint(b, (uint64_t)field << 3 | wire_type);
}

void pbuf__uint(struct pbuf *b, uint32_t field, uint64_t v)
{
	if (!v)
		return;
	pbuf__key(b, field, PBUF_VARINT);
	pbuf__varint(b, v);
}

void pbuf__bytes(struct pbuf *b, uint32_t field, const void *data,
		 size_t len)
{
	pbuf__key(b, field, PBUF_LEN);
	pbuf__varint(b, len);
	pbuf__raw(b, data, len);
}

void pbuf__message(struct pbuf *b, uint32_t field, const struct pbuf *sub)
{
	if (sub->is_failed)
		b->is_failed = true;
	pbuf__bytes(b, field, sub->data, sub->len);
}

void pbuf__packed(struct pbuf *b, uint32_t field, const uint64_t *v,
		  size_t nr)
{
	size_t i, len = 0;
	uint8_t *p;

	if (!nr)
		return;
	for (i = 0; i < nr; i++)
		len += varint_len(v[i]);
	pbuf__key(b, field, PBUF_LEN);
	pbuf__varint(b, len);
	if (!reserve(b, len))
		return;
	p = b->data + b->len;
	for (i = 0; i < nr; i++)
		p = put_varint(p, v[i]);
	b->len += len;
}

void pbuf__raw(struct pbuf *b, const void *data, size_t len)
{
	if (len && reserve(b, len)) {
		memcpy(b->data + b->len, data, len);
		b->len += len;
	}
}

void pbuf__reset(struct pbuf *b)
{
	b->len = 0;
}

int pbuf__error(const struct pbuf *b)
{
	return b->is_failed ? -ENOMEM : 0;
}

void pbuf__release(struct pbuf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}
