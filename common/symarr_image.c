/* symarr_image: a sealed set as bytes, for the on-disk cache, and back.
 *
 * Only the sealed form is kept: the intervals, the entries some interval
 * answers (renumbered in the order first answered), and their names. The
 * bytes come from a cache file that may be damaged, so symarr__from_image()
 * checks every count, offset and index before using it: the parts fit in
 * the length given without overflow, the bounds rise strictly from 0, every
 * answer is NIL or an entry, every name starts inside the names and the
 * names end with a NUL. A set made from an image is frozen: the tree and
 * the bindings are gone, so nothing can be added or fixed up.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "symarr_int.h"

/* An image (symarr__image()): this head, then bounds[nr_bounds],
 * ans[nr_bounds] (indexes into syms[], or NIL) padded to 8 bytes,
 * syms[nr_syms], and the names, each NUL-terminated. */
struct image_head {
	uint32_t magic;
	uint32_t nr_syms;
	uint64_t nr_bounds;
	uint64_t nr_live;
	uint64_t names_len;
};

struct image_sym {
	uint64_t start, end;
	uint32_t name_off, tag;
};

#define SYMARR_IMAGE_MAGIC 0x31415953u	/* "SYA1" */

/* Byte offsets of an image's parts; 0, or -EINVAL when they overflow. */
struct image_layout {
	size_t ans, syms, names, len;
};

static int layout(const struct image_head *h, struct image_layout *l)
{
	uint64_t ans = sizeof(*h) + h->nr_bounds * sizeof(uint64_t);
	uint64_t syms = ans + ((h->nr_bounds * sizeof(uint32_t) + 7) & ~7ull);
	uint64_t names = syms + (uint64_t)h->nr_syms * sizeof(struct image_sym);

	if (h->nr_bounds > (SIZE_MAX >> 5) || h->names_len > SIZE_MAX / 2 ||
	    names + h->names_len < names)
		return -EINVAL;
	*l = (struct image_layout){ .ans = (size_t)ans, .syms = (size_t)syms,
				    .names = (size_t)names,
				    .len = (size_t)(names + h->names_len) };
	return 0;
}

void *symarr__image(const struct symarr *a, size_t *len)
{
	struct image_head h = { .magic = SYMARR_IMAGE_MAGIC,
				.nr_bounds = a->nr_bounds,
				.nr_live = a->nr_live };
	struct image_layout l;
	struct image_sym *syms;
	uint32_t *idx = NULL, *ans, nr_written = 0;
	char *img = NULL, *names;
	size_t i;

	if (!a->bounds) {
		errno = EINVAL;
		return NULL;
	}
	/* the entries some interval answers, numbered in that order */
	idx = malloc((a->nr_nodes + 1) * sizeof(*idx));
	if (!idx)
		goto nomem;
	memset(idx, 0xff, (a->nr_nodes + 1) * sizeof(*idx));
	for (i = 0; i < a->nr_bounds; i++) {
		uint32_t v = a->ans[i];

		if (v != NIL && idx[v] == NIL) {
			idx[v] = h.nr_syms++;
			h.names_len += strlen(N(v).sym.name) + 1;
		}
	}
	if (layout(&h, &l) || !(img = calloc(1, l.len)))
		goto nomem;
	memcpy(img, &h, sizeof(h));
	memcpy(img + sizeof(h), a->bounds, a->nr_bounds * sizeof(uint64_t));
	ans = (uint32_t *)(img + l.ans);
	syms = (struct image_sym *)(img + l.syms);
	names = img + l.names;
	h.names_len = 0;
	for (i = 0; i < a->nr_bounds; i++) {
		uint32_t v = a->ans[i];
		size_t n;

		ans[i] = v == NIL ? NIL : idx[v];
		if (v == NIL || idx[v] != nr_written)
			continue;	/* none, or written already */
		syms[nr_written++] = (struct image_sym){
			.start = N(v).sym.start, .end = N(v).sym.end,
			.name_off = (uint32_t)h.names_len, .tag = N(v).sym.tag,
		};
		n = strlen(N(v).sym.name) + 1;
		memcpy(names + h.names_len, N(v).sym.name, n);
		h.names_len += n;
	}
	free(idx);
	*len = l.len;
	return img;
nomem:
	free(idx);
	errno = ENOMEM;
	return NULL;
}

/* Whether the image's parts are what symarr__image() writes: bounds
 * rising from 0, answers and names inside it. */
static bool is_image_valid(const char *img, const struct image_head *h,
			   const struct image_layout *l)
{
	const uint64_t *b = (const uint64_t *)(img + sizeof(*h));
	const uint32_t *ans = (const uint32_t *)(img + l->ans);
	const struct image_sym *syms = (const struct image_sym *)(img + l->syms);
	const char *names = img + l->names;
	size_t i;

	if (!h->nr_bounds || b[0] != 0 || h->nr_bounds >= NIL ||
	    (h->names_len && names[h->names_len - 1] != '\0') ||
	    (h->nr_syms && !h->names_len))
		return false;
	for (i = 0; i < h->nr_bounds; i++)
		if ((i && b[i] <= b[i - 1]) ||
		    (ans[i] != NIL && ans[i] >= h->nr_syms))
			return false;
	for (i = 0; i < h->nr_syms; i++)
		if (syms[i].name_off >= h->names_len)
			return false;
	return true;
}

struct symarr *symarr__from_image(const void *image, size_t len)
{
	const char *img = image;
	const struct image_sym *syms;
	struct image_head h;
	struct image_layout l;
	struct symarr *a;
	size_t i;

	if (len < sizeof(h) || ((uintptr_t)img & 7))
		goto bad;
	memcpy(&h, img, sizeof(h));
	if (h.magic != SYMARR_IMAGE_MAGIC || layout(&h, &l) || l.len != len ||
	    !is_image_valid(img, &h, &l))
		goto bad;
	a = symarr__new();
	if (!a)
		return NULL;
	a->form = SYMARR_FORM_FROZEN;
	a->nr_live = h.nr_live;
	a->bounds = symarr_alloc_big(h.nr_bounds * sizeof(*a->bounds));
	a->ans = symarr_alloc_big(h.nr_bounds * sizeof(*a->ans));
	if (!a->bounds || !a->ans || symarr_reserve_nodes(a, h.nr_syms) ||
	    (h.names_len &&
	     !symarr_pool_copy(a, img + l.names, h.names_len - 1)))
		goto nomem;
	a->nr_bounds = h.nr_bounds;
	memcpy(a->bounds, img + sizeof(h), h.nr_bounds * sizeof(*a->bounds));
	memcpy(a->ans, img + l.ans, h.nr_bounds * sizeof(*a->ans));
	syms = (const struct image_sym *)(img + l.syms);
	for (i = 0; i < h.nr_syms; i++)
		N(i) = (struct node){
			.sym = { .start = syms[i].start, .end = syms[i].end,
				 .name = a->pool->data + syms[i].name_off,
				 .tag = syms[i].tag },
			.left = NIL, .right = NIL, .parent = NIL,
		};
	a->nr_nodes = h.nr_syms;
	symarr_build_index(a);
	return a;
nomem:
	symarr__free(a);
	errno = ENOMEM;
	return NULL;
bad:
	errno = EINVAL;
	return NULL;
}
