/* deflate: the two uses perffold has for DEFLATE, through libdeflate (the
 * only module that links it): a compressed ELF section inflated (zlib
 * format, ELFCOMPRESS_ZLIB) and a pprof message gzipped.
 */
#ifndef PERFFOLD_DEFLATE_H
#define PERFFOLD_DEFLATE_H

#include <stddef.h>

/* Inflate the zlib stream src[0..src_len) into dst, which it must fill
 * exactly (dst_len bytes). 0; -EINVAL when the stream is damaged or not
 * dst_len bytes long; -ENOMEM. */
int deflate__zlib_inflate(const void *src, size_t src_len, void *dst,
			  size_t dst_len);

/* src[0..len) as one gzip member compressed at level (1 fastest .. 12),
 * in *out (malloc'd, the caller's to free), its length in *out_len. 0 or
 * -ENOMEM (*out is then NULL). */
int deflate__gzip(const void *src, size_t len, int level, void **out,
		  size_t *out_len);

#endif
