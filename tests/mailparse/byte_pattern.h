/* byte_pattern.h — deterministic pseudo-random bytes for codec round-trip tests. */
#ifndef BYTE_PATTERN_H
#define BYTE_PATTERN_H

#include <stddef.h>
#include <stdint.h>

/* Fills p[0..n) with an xorshift sequence started from `seed`: the same bytes on every run. */
static inline void fill_random(unsigned char *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        p[i] = (unsigned char)seed;
    }
}

#endif
