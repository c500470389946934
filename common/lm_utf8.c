/* lm_utf8.c — UTF-8 validation with an ASCII fast path. */
#include "lm_utf8.h"

#include <stdint.h>
#include <string.h>

size_t lm_ascii_prefix(const unsigned char *in, size_t len)
{
    size_t i = 0;
    while (len - i >= 8) {
        uint64_t w;
        memcpy(&w, in + i, 8);
        if (w & UINT64_C(0x8080808080808080))
            break;
        i += 8;
    }
    while (i < len && in[i] < 0x80)
        i++;
    return i;
}

/* The allowed range of the second byte after lead `c` (the rest are always 80..BF). */
static void utf8_second_range(unsigned c, unsigned *lo, unsigned *hi)
{
    *lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
    *hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
}

size_t lm_utf8_valid_part(const unsigned char *p, size_t n)
{
    size_t want = lm_utf8_lead_len(p[0]);
    if (want <= 1)
        return want;
    unsigned lo, hi;
    utf8_second_range(p[0], &lo, &hi);
    size_t k = 1;
    while (k < want && k < n && p[k] >= lo && p[k] <= hi) {
        k++;
        lo = 0x80;
        hi = 0xBF;
    }
    return k;
}

size_t lm_utf8_valid_prefix(const unsigned char *in, size_t len)
{
    size_t i = 0;
    while (i < len) {
        i += lm_ascii_prefix(in + i, len - i);
        if (i >= len)
            break;
        size_t k = lm_utf8_valid_part(in + i, len - i);
        if (k == 0 || k != lm_utf8_lead_len(in[i]))
            return i;
        i += k;
    }
    return len;
}

