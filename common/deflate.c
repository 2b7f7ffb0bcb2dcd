/* deflate: libdeflate's compressor and decompressor, one call each (see
 * deflate.h). */
#include <errno.h>
#include <libdeflate.h>
#include <stdlib.h>

#include "deflate.h"

int deflate__zlib_inflate(const void *src, size_t src_len, void *dst,
			  size_t dst_len)
{
	struct libdeflate_decompressor *dc = libdeflate_alloc_decompressor();
	size_t got;
	int err = 0;

	if (!dc)
		return -ENOMEM;
	if (libdeflate_zlib_decompress(dc, src, src_len, dst, dst_len, &got) !=
		    LIBDEFLATE_SUCCESS ||
	    got != dst_len)
		err = -EINVAL;
	libdeflate_free_decompressor(dc);
	return err;
}

int deflate__gzip(const void *src, size_t len, int level, void **out,
		  size_t *out_len)
{
	struct libdeflate_compressor *c = libdeflate_alloc_compressor(level);
	size_t bound = c ? libdeflate_gzip_compress_bound(c, len) : 0;

	*out = c ? malloc(bound) : NULL;
	*out_len = *out ? libdeflate_gzip_compress(c, src, len, *out, bound)
			: 0;
	libdeflate_free_compressor(c);
	if (!*out_len) {
		free(*out);
		*out = NULL;
		return -ENOMEM;
	}
	return 0;
}
