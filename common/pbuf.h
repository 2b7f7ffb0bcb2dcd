/* pbuf: protocol buffers' wire format, written by hand for one message.
 *
 * Enough of the encoding (developers.google.com/protocol-buffers/docs/
 * encoding) for pprof's profile.proto: varints, length-delimited fields
 * (strings, bytes, nested messages) and packed repeated varints. A nested
 * message is built in a buffer of its own and appended with its length.
 * Out of memory is sticky: every write after it does nothing and
 * pbuf__error() says so once the message is done.
 */
#ifndef PERFFOLD_PBUF_H
#define PERFFOLD_PBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pbuf {
	uint8_t *data;
	size_t len, cap;
	bool is_failed;		/* a write ran out of memory */
};

/* Wire types. */
#define PBUF_VARINT 0
#define PBUF_LEN 2

/* A varint: 7 bits a byte, low first, the top bit saying more follow. */
void pbuf__varint(struct pbuf *b, uint64_t v);
/* A field's key: its number and wire type. */
void pbuf__key(struct pbuf *b, uint32_t field, unsigned int wire_type);
/* A varint field (int64, uint64, bool); left out when v is 0, as proto3
 * leaves out defaults. */
void pbuf__uint(struct pbuf *b, uint32_t field, uint64_t v);
/* A length-delimited field: a string, bytes, or a message in sub. */
void pbuf__bytes(struct pbuf *b, uint32_t field, const void *data,
		 size_t len);
void pbuf__message(struct pbuf *b, uint32_t field, const struct pbuf *sub);
/* A packed repeated varint field of v[0..nr) (left out when nr is 0). */
void pbuf__packed(struct pbuf *b, uint32_t field, const uint64_t *v,
		  size_t nr);

/* Bytes already encoded (fields of the same message), appended. */
void pbuf__raw(struct pbuf *b, const void *data, size_t len);

/* Empty b, keeping its memory (a nested message's buffer, reused). */
void pbuf__reset(struct pbuf *b);
/* 0, or -ENOMEM when a write failed. */
int pbuf__error(const struct pbuf *b);
void pbuf__release(struct pbuf *b);

#endif
