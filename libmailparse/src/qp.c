/* qp.c — quoted-printable transfer encoding, tolerant decoder and encoder (RFC 2045 §6.7). */
#include "mp_internal.h"

#include <string.h>

/* At most this many reports of each anomaly kind per decode call; the rest are silent. */
#define QP_MAX_REPORTS_PER_KIND 16
/* RFC 2045 §6.7 rule 5: encoded lines hold at most 76 characters, line end not counted. */
#define QP_MAX_LINE 76

static const char qp_hex[16] = "0123456789ABCDEF";

struct qp_dec {
    const char *in;
    unsigned char *o; /* next output byte (room for the whole input reserved up front) */
    unsigned bad_escapes, long_lines;
    const mp_diag *d;
};

/* Decodes the escapes of [p, end) of one line (soft break and trailing whitespace removed). */
static void qp_decode_span(struct qp_dec *s, size_t p, size_t end)
{
    const char *in = s->in;
    while (p < end) {
        const char *eq = memchr(in + p, '=', end - p);
        size_t q = eq ? (size_t)(eq - in) : end;
        memcpy(s->o, in + p, q - p);
        s->o += q - p;
        if (q == end)
            return;
        int hi = end - q >= 3 ? lm_hex_value((unsigned char)in[q + 1]) : -1;
        int lo = hi >= 0 ? lm_hex_value((unsigned char)in[q + 2]) : -1;
        if (lo >= 0) {
            *s->o++ = (unsigned char)(hi << 4 | lo);
            p = q + 3;
        } else {
            if (s->bad_escapes++ < QP_MAX_REPORTS_PER_KIND)
                mp_report(s->d, MAILPARSE_ANOMALY_QP_BAD_ESCAPE, q);
            *s->o++ = '=';
            p = q + 1;
        }
    }
}

/* One line from `start` to `stop` (the LF, or the end of input). Returns where the next begins. */
static size_t qp_decode_line(struct qp_dec *s, size_t start, size_t stop, int has_lf)
{
    const char *in = s->in;
    size_t content_end = stop;
    if (has_lf && content_end > start && in[content_end - 1] == '\r')
        content_end--;
    if (content_end - start > QP_MAX_LINE && s->long_lines++ < QP_MAX_REPORTS_PER_KIND)
        mp_report(s->d, MAILPARSE_ANOMALY_QP_LINE_TOO_LONG, start);
    size_t e = content_end;
    while (e > start && lm_is_wsp((unsigned char)in[e - 1]))
        e--;
    int soft = e > start && in[e - 1] == '=';
    qp_decode_span(s, start, soft ? e - 1 : e);
    if (!has_lf)
        return stop;
    if (!soft) { /* the line end as it was written: CRLF or LF */
        memcpy(s->o, in + content_end, stop + 1 - content_end);
        s->o += stop + 1 - content_end;
    }
    return stop + 1;
}

int mp_qp_decode(const char *in, size_t len, lm_buf *out, const mp_diag *d)
{
    if ((!in && len) || !out)
        return MAILPARSE_E_INVAL;
    if (lm_buf_reserve(out, len))
        return MAILPARSE_E_NOMEM;
    struct qp_dec s = {in, (unsigned char *)out->data + out->len, 0, 0, d};
    size_t pos = 0;
    while (pos < len) {
        const char *lf = memchr(in + pos, '\n', len - pos);
        pos = qp_decode_line(&s, pos, lf ? (size_t)(lf - in) : len, lf != NULL);
    }
    out->len = (size_t)((char *)s.o - out->data);
    out->data[out->len] = '\0';
    return 0;
}

/* 1: printable ASCII other than '=', written as is; 2: space or tab, written as is except
 * before a line end; 0: always escaped. */
#define QP_R8(x) x, x, x, x, x, x, x, x
static const unsigned char qp_class[256] = {
    QP_R8(0), 0, 2, 0, 0, 0, 0, 0, 0, QP_R8(0), QP_R8(0),             /* 0x00-0x1f */
    2, 1, 1, 1, 1, 1, 1, 1, QP_R8(1), QP_R8(1),                        /* 0x20-0x37 */
    1, 1, 1, 1, 1, 0, 1, 1,                                            /* 0x38-0x3f: '=' escaped */
    QP_R8(1), QP_R8(1), QP_R8(1), QP_R8(1), QP_R8(1), QP_R8(1), QP_R8(1), /* 0x40-0x77 */
    1, 1, 1, 1, 1, 1, 1, 0,                                            /* 0x78-0x7f: DEL escaped */
    QP_R8(0), QP_R8(0), QP_R8(0), QP_R8(0), QP_R8(0), QP_R8(0), QP_R8(0), QP_R8(0),
    QP_R8(0), QP_R8(0), QP_R8(0), QP_R8(0), QP_R8(0), QP_R8(0), QP_R8(0), QP_R8(0),
};

/* Length of the text line end at in[i] (CRLF or LF), or 0. */
static size_t qp_line_end_at(const unsigned char *in, size_t i, size_t len)
{
    if (i >= len)
        return 0;
    if (in[i] == '\n')
        return 1;
    return in[i] == '\r' && i + 1 < len && in[i + 1] == '\n' ? 2 : 0;
}

/* Non-zero when the byte at `i` must be escaped because it starts an output line: a "." (SMTP
 * end of data when alone) or the "F" of "From " (mbox quoting). */
static int qp_unsafe_line_start(const unsigned char *in, size_t i, size_t len)
{
    return in[i] == '.' || (in[i] == 'F' && len - i >= 5 && memcmp(in + i, "From ", 5) == 0);
}

/* Upper bound of the encoded size: 3 characters per byte, plus one soft break ("=" CRLF) per
 * 73 characters at least; 0 when it would overflow. */
static size_t qp_encoded_bound(size_t len)
{
    if (len > (SIZE_MAX - 16) / 4)
        return 0;
    return 3 * len + len / 8 + 16;
}

int mp_qp_encode(const unsigned char *in, size_t len, unsigned flags, lm_buf *out)
{
    if ((!in && len) || !out)
        return MAILPARSE_E_INVAL;
    size_t bound = qp_encoded_bound(len);
    if (!bound || lm_buf_reserve(out, bound))
        return MAILPARSE_E_NOMEM;
    int text = !(flags & MAILPARSE_QP_BINARY);
    char *o = out->data + out->len;
    size_t col = 0;
    for (size_t i = 0; i < len; i++) {
        size_t hard = text ? qp_line_end_at(in, i, len) : 0;
        if (hard) {
            *o++ = '\r';
            *o++ = '\n';
            col = 0;
            i += hard - 1;
            continue;
        }
        unsigned c = in[i];
        int last = i + 1 == len || (text && qp_line_end_at(in, i + 1, len));
        int escape = qp_class[c] == 0 || (qp_class[c] == 2 && last);
        if (col + (escape ? 3u : 1u) > (last ? QP_MAX_LINE : QP_MAX_LINE - 1)) {
            memcpy(o, "=\r\n", 3);
            o += 3;
            col = 0;
        }
        if (col == 0 && qp_unsafe_line_start(in, i, len))
            escape = 1;
        if (escape) {
            o[0] = '=';
            o[1] = qp_hex[c >> 4];
            o[2] = qp_hex[c & 15];
            o += 3;
            col += 3;
        } else {
            *o++ = (char)c;
            col++;
        }
    }
    out->len = (size_t)(o - out->data);
    out->data[out->len] = '\0';
    return 0;
}

int mailparse_qp_decode(const char *in, size_t len, unsigned char **out, size_t *out_len,
                        mailparse_anomaly_fn anomaly, void *user)
{
    if (!out)
        return MAILPARSE_E_INVAL;
    mp_diag d = {anomaly, user, 0};
    lm_buf b = LM_BUF_INIT;
    char *bytes = NULL;
    int rc = mp_hand_out(&b, mp_qp_decode(in, len, &b, &d), &bytes, out_len);
    *out = (unsigned char *)bytes;
    return rc;
}

int mailparse_qp_encode(const unsigned char *in, size_t len, unsigned flags, char **out,
                        size_t *out_len)
{
    if (!out)
        return MAILPARSE_E_INVAL;
    *out = NULL;
    lm_buf b = LM_BUF_INIT;
    return mp_hand_out(&b, mp_qp_encode(in, len, flags, &b), out, out_len);
}
