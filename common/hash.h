/* hash: one fast, non-cryptographic hash for every table in perffold.
 *
 * Reads 8 bytes at a time and mixes with two multiply-xorshift rounds;
 * good enough for open addressing with power-of-two tables.
 */
#ifndef PERFFOLD_HASH_H
#define PERFFOLD_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t hash__mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static inline uint64_t hash__bytes(const void *data, size_t len, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h = seed ^ (len * 0x9e3779b97f4a7c15ULL);
	uint64_t w;

	while (len >= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0x9fb21c651e98df25ULL;
		h ^= h >> 29;
		p += 8;
		len -= 8;
	}
	w = 0;
	if (len)
		memcpy(&w, p, len);
	h = (h ^ w) * 0x9fb21c651e98df25ULL;
	return hash__mix(h);
}

/* The same kind of hash for long keys (whole folded stacks, hundreds of
 * bytes): four independent lanes of hash__bytes' step over 32 bytes at a
 * time, so the multiplies overlap instead of waiting on each other (about
 * four times the bytes per cycle), then hash__bytes on the tail. Gives
 * other values than hash__bytes: use one of the two per table. */
static inline uint64_t hash__wide(const void *data, size_t len, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h[4] = { seed, seed ^ 0x9e3779b97f4a7c15ULL,
			  seed ^ 0xbf58476d1ce4e5b9ULL,
			  seed ^ 0x94d049bb133111ebULL };
	uint64_t w[4];
	int i;

	if (len < 64)
		return hash__bytes(data, len, seed);
	while (len >= 32) {
		memcpy(w, p, 32);
		for (i = 0; i < 4; i++) {
			h[i] = (h[i] ^ w[i]) * 0x9fb21c651e98df25ULL;
			h[i] ^= h[i] >> 29;
		}
		p += 32;
		len -= 32;
	}
	return hash__bytes(p, len, hash__mix(h[0]) ^ hash__mix(h[1] + 1) ^
			   hash__mix(h[2] + 2) ^ hash__mix(h[3] + 3));
}

#endif
