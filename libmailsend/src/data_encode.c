/* data_encode.c — message data for the wire: every line end CRLF, dot-stuffing for DATA
 * (RFC 5321 §4.5.2), so a bare CR or LF can never form a premature end of data. */
#include "ms_internal.h"

#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* The offset of the first CR or LF in p[0..n), or n. Sixteen octets are compared at a time
 * with SSE2 where the compiler has it; elsewhere eight at a time: a word has an octet equal to
 * c exactly when (x - 0x01..01) & ~x & 0x80..80 is non-zero for x = word XOR c repeated. The
 * octets of a block that has one are then looked at one by one. */
static size_t line_end_at(const unsigned char *p, size_t n)
{
    size_t i = 0;
#if defined(__SSE2__)
    const __m128i cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n');
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        int hit = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf)));
        if (hit)
            return i + (size_t)__builtin_ctz((unsigned)hit);
    }
#else
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    for (; i + 8 <= n; i += 8) {
        uint64_t v;
        memcpy(&v, p + i, 8);
        uint64_t a = v ^ (ones * '\r'), b = v ^ (ones * '\n');
        if (((a - ones) & ~a & highs) | ((b - ones) & ~b & highs))
            break;
    }
#endif
    while (i < n && p[i] != '\r' && p[i] != '\n')
        i++;
    return i;
}

void ms_encoder_init(ms_encoder *e, int dot_stuff)
{
    e->dot_stuff = dot_stuff;
    e->line_start = 1;
    e->after_cr = 0;
    e->octets = 0;
}

int ms_encoder_feed(ms_encoder *e, const unsigned char *p, size_t n, lm_buf *out)
{
    size_t before = out->len;
    if (lm_buf_reserve(out, n * 2))
        return MAILSEND_E_NOMEM;
    size_t i = 0;
    while (i < n) {
        if (e->after_cr) {
            e->after_cr = 0;
            if (p[i] == '\n') {      /* the LF of a CRLF already written */
                i++;
                continue;
            }
        }
        if (e->line_start && e->dot_stuff && p[i] == '.')
            lm_buf_putc(out, '.');
        /* Copy the run of ordinary octets up to the next line end. */
        size_t j = i + line_end_at(p + i, n - i);
        if (j > i) {
            lm_buf_append(out, p + i, j - i);
            e->line_start = 0;
            i = j;
        }
        if (i < n) {
            lm_buf_append(out, "\r\n", 2);
            e->line_start = 1;
            if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
                i++; /* a whole CRLF in one step */
            else
                e->after_cr = p[i] == '\r';
            i++;
        }
    }
    e->octets += out->len - before;
    return out->oom ? MAILSEND_E_NOMEM : 0;
}

int ms_encoder_finish(ms_encoder *e, lm_buf *out)
{
    size_t before = out->len;
    if (!e->line_start)
        lm_buf_append(out, "\r\n", 2);
    if (e->dot_stuff)
        lm_buf_append(out, ".\r\n", 3);
    e->line_start = 1;
    e->after_cr = 0;
    e->octets += out->len - before;
    return out->oom ? MAILSEND_E_NOMEM : 0;
}
