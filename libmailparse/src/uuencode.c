/* uuencode.c — tolerant uuencode body decoder ("begin MODE NAME" ... "end"; POSIX uuencode format). */
#include "mp_internal.h"

#include <string.h>

/* The value of one uuencoded character; the backquote stands for 0 like the space. */
static unsigned uu_value(unsigned char c) { return (unsigned)(c - 0x20) & 0x3F; }

/* Line ends are LF or CRLF; returns the length without them and sets *next to the next line. */
static size_t uu_line(const char *in, size_t pos, size_t len, size_t *next)
{
    const char *lf = memchr(in + pos, '\n', len - pos);
    size_t stop = lf ? (size_t)(lf - in) : len;
    *next = lf ? stop + 1 : len;
    if (stop > pos && in[stop - 1] == '\r')
        stop--;
    return stop - pos;
}

/* "begin" SP+ octal-mode (SP+ name)? — the mode must be there, so text starting with the
 * word "begin" is not taken for a header line. */
static int uu_is_begin(const char *p, size_t n)
{
    if (n < 7 || memcmp(p, "begin", 5) != 0 || !lm_is_wsp((unsigned char)p[5]))
        return 0;
    size_t i = 5;
    while (i < n && lm_is_wsp((unsigned char)p[i]))
        i++;
    size_t digits = i;
    while (i < n && p[i] >= '0' && p[i] <= '7')
        i++;
    return i > digits && (i == n || lm_is_wsp((unsigned char)p[i]));
}

/* "end", allowing trailing whitespace. */
static int uu_is_end(const char *p, size_t n)
{
    while (n > 0 && lm_is_wsp((unsigned char)p[n - 1]))
        n--;
    return n == 3 && memcmp(p, "end", 3) == 0;
}

/* Decodes one data line: its first character gives the byte count. Up to one group of four
 * characters missing at the end (trailing spaces stripped in transit) counts as zeros, so a
 * line never yields more than 3 bytes beyond what its characters carry; extra characters
 * (checksums) are ignored. Writes at most 63 bytes at `w`; returns the end. */
static unsigned char *uu_decode_line(const unsigned char *p, size_t n, unsigned char *w)
{
    size_t count = uu_value(p[0]);
    size_t carried = ((n - 1 + 3) / 4 + 1) * 3;
    if (count > carried)
        count = carried;
    size_t k = 1;
    for (size_t done = 0; done < count; done += 3, k += 4) {
        unsigned v[4];
        for (size_t j = 0; j < 4; j++)
            v[j] = k + j < n ? uu_value(p[k + j]) : 0;
        unsigned char b[3] = {(unsigned char)(v[0] << 2 | v[1] >> 4),
                              (unsigned char)(v[1] << 4 | v[2] >> 2),
                              (unsigned char)(v[2] << 6 | v[3])};
        size_t take = count - done < 3 ? count - done : 3;
        memcpy(w, b, take);
        w += take;
    }
    return w;
}

int mp_uu_decode(const char *in, size_t len, lm_buf *out, const mp_diag *d)
{
    if ((!in && len) || !out)
        return MAILPARSE_E_INVAL;
    size_t pos = 0, next;
    while (pos < len) {
        size_t n = uu_line(in, pos, len, &next);
        if (uu_is_begin(in + pos, n))
            break;
        pos = next;
    }
    if (pos >= len) { /* not uuencoded after all: the body is kept as it is */
        mp_report(d, MAILPARSE_ANOMALY_ENCODING_UNKNOWN, 0);
        lm_buf_append(out, in, len);
        return mp_buf_status(out);
    }
    for (pos = next; pos < len; pos = next) {
        size_t n = uu_line(in, pos, len, &next);
        if (uu_is_end(in + pos, n))
            break;
        if (n == 0)
            continue;
        if (lm_buf_reserve(out, 63))
            return MAILPARSE_E_NOMEM;
        unsigned char *o = (unsigned char *)out->data + out->len;
        o = uu_decode_line((const unsigned char *)in + pos, n, o);
        out->len = (size_t)((char *)o - out->data);
        out->data[out->len] = '\0';
    }
    return 0;
}
