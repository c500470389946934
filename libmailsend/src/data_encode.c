/* data_encode.c — message data for the wire: every line end CRLF, dot-stuffing for DATA
 * (RFC 5321 §4.5.2), so a bare CR or LF can never form a premature end of data. */
#include "ms_internal.h"

#include <string.h>

/* The offset of the first CR or LF in p[0..n), or n. Eight octets are tested at a time: a
 * word has an octet equal to c exactly when (x - 0x01..01) & ~x & 0x80..80 is non-zero for
 * x = word XOR c repeated; the octets are then looked at one by one. */
static size_t line_end_at(const unsigned char *p, size_t n)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t v;
        memcpy(&v, p + i, 8);
        uint64_t a = v ^ (ones * '\r'), b = v ^ (ones * '\n');
        if (((a - ones) & ~a & highs) | ((b - ones) & ~b & highs))
            break;
    }
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
