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
 * time, so the multiplies overlap instead of waiting on each other, then
 * hash__bytes on the tail. Gives other values than hash__bytes: use one of
 * the two per table. The lanes are four variables, not an array: gcc
 * vectorizes an array of them into SSE2, which has no 64-bit multiply and
 * emulates it with three, at less than half the speed of four imuls. */
static inline uint64_t hash__wide(const void *data, size_t len, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h0 = seed, h1 = seed ^ 0x9e3779b97f4a7c15ULL,
		 h2 = seed ^ 0xbf58476d1ce4e5b9ULL,
		 h3 = seed ^ 0x94d049bb133111ebULL;
	uint64_t w0, w1, w2, w3;

	if (len < 64)
		return hash__bytes(data, len, seed);
	while (len >= 32) {
		memcpy(&w0, p, 8);
		memcpy(&w1, p + 8, 8);
		memcpy(&w2, p + 16, 8);
		memcpy(&w3, p + 24, 8);
		h0 = (h0 ^ w0) * 0x9fb21c651e98df25ULL;
		h1 = (h1 ^ w1) * 0x9fb21c651e98df25ULL;
		h2 = (h2 ^ w2) * 0x9fb21c651e98df25ULL;
		h3 = (h3 ^ w3) * 0x9fb21c651e98df25ULL;
		h0 ^= h0 >> 29;
		h1 ^= h1 >> 29;
		h2 ^= h2 >> 29;
		h3 ^= h3 >> 29;
		p += 32;
		len -= 32;
	}
	return hash__bytes(p, len, hash__mix(h0) ^ hash__mix(h1 + 1) ^
			   hash__mix(h2 + 2) ^ hash__mix(h3 + 3));
}

#endif
