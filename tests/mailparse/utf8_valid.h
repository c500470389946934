/* utf8_valid.h — a strict UTF-8 well-formedness check for unit tests and fuzz harnesses. */
#ifndef UTF8_VALID_H
#define UTF8_VALID_H

#include <stddef.h>

/* Non-zero when s[0..n) is well-formed UTF-8 (no overlongs, surrogates or values past U+10FFFF). */
static inline int utf8_valid(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t k;
        unsigned lo = 0x80, hi = 0xBF;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
            k = 1;
        else if (c >= 0xE0 && c <= 0xEF)
            k = 2, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        else if (c >= 0xF0 && c <= 0xF4)
            k = 3, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        else
            return 0;
        for (size_t j = 1; j <= k; j++) {
            if (i + j >= n || s[i + j] < lo || s[i + j] > hi)
                return 0;
            lo = 0x80, hi = 0xBF;
        }
        i += k + 1;
    }
    return 1;
}

#endif
