/* code_reader.h — reading compiled code back: saved bytecode and instructions (bytecode.c) and
 * expression code (expr_compile.c verifies it, expr_eval.c runs it). Little-endian integers and
 * length-prefixed octets, never past the end. Private to libsieve. */
#ifndef SIEVE_CODE_READER_H
#define SIEVE_CODE_READER_H

#include <stddef.h>
#include <stdint.h>

/* `n` octets at `p`, read from `at` on. A read past the end sets `bad` and gives 0 (NULL), as
 * every read after it does. */
typedef struct sv_reader {
    const uint8_t *p;
    size_t n, at;
    int bad;
} sv_reader;

/* A little-endian integer of `width` octets (1, 2, 4 or 8). Inline, each width spelt out: a
 * run decodes every instruction it executes. */
static inline uint64_t sv_read_int(sv_reader *r, size_t width)
{
    if (r->bad || r->n - r->at < width) {
        r->bad = 1;
        return 0;
    }
    const uint8_t *p = r->p + r->at;
    r->at += width;
    uint64_t x = p[0];
    if (width >= 2)
        x |= (uint64_t)p[1] << 8;
    if (width >= 4)
        x |= (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24;
    if (width >= 8)
        x |= (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
             (uint64_t)p[7] << 56;
    return x;
}

/* A u16 length and that many octets (an expression's string or name operand); *n is the
 * length. */
static inline const char *sv_read_bytes(sv_reader *r, size_t *n)
{
    *n = (size_t)sv_read_int(r, 2);
    if (r->bad || *n > r->n - r->at) {
        r->bad = 1;
        return NULL;
    }
    const char *s = (const char *)r->p + r->at;
    r->at += *n;
    return s;
}

#endif
