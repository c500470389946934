/* lm_utf8.h — UTF-8 validation (RFC 3629 §4; Unicode table 3-7). */
#ifndef LM_UTF8_H
#define LM_UTF8_H

#include <stddef.h>

/* Bytes of the sequence led by `c` (0 for a byte that cannot lead one). */
static inline size_t lm_utf8_lead_len(unsigned c)
{
    return c < 0x80 ? 1 : c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
}

/* How many bytes at `p` (n >= 1) form a valid prefix of one sequence, lead included: equal to
 * lm_utf8_lead_len(p[0]) when the sequence is complete and valid; 0 when p[0] cannot lead. */
size_t lm_utf8_valid_part(const unsigned char *p, size_t n);
/* The length of the leading ASCII run of [in, in+len). */
size_t lm_ascii_prefix(const unsigned char *in, size_t len);
/* The length of the longest valid UTF-8 prefix of [in, in+len). */
size_t lm_utf8_valid_prefix(const unsigned char *in, size_t len);
/* Non-zero when all `len` bytes are valid UTF-8. */
static inline int lm_utf8_valid(const void *in, size_t len)
{
    return lm_utf8_valid_prefix((const unsigned char *)in, len) == len;
}

#endif
