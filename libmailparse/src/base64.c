/* base64.c — base64 transfer encoding, tolerant decoder and wrapping encoder (RFC 2045 §6.8, RFC 4648 §4). */
#include "mp_internal.h"

#include <string.h>

/* At most this many reports of each anomaly kind per decode call; the rest are silent. */
#define B64_MAX_REPORTS_PER_KIND 16

/* Decode table classes above the 6-bit values. */
#define B64_SPACE 0x40 /* whitespace and line ends: skipped silently */
#define B64_PAD 0x41   /* '=' */
#define B64_BAD 0xFF   /* anything else: skipped and reported */

static const char b64_alphabet[64] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

#define B64_R8(x) x, x, x, x, x, x, x, x
#define B64_R16(x) B64_R8(x), B64_R8(x)
static const unsigned char b64_class[256] = {
    /* 0x00 */ B64_BAD, B64_BAD, B64_BAD, B64_BAD, B64_BAD, B64_BAD, B64_BAD, B64_BAD,
    /* 0x08 */ B64_BAD, B64_SPACE, B64_SPACE, B64_SPACE, B64_SPACE, B64_SPACE, B64_BAD, B64_BAD,
    /* 0x10 */ B64_R16(B64_BAD),
    /* 0x20 */ B64_SPACE, B64_BAD, B64_BAD, B64_BAD, B64_BAD, B64_BAD, B64_BAD, B64_BAD,
    /* 0x28 */ B64_BAD, B64_BAD, B64_BAD, 62, B64_BAD, B64_BAD, B64_BAD, 63,
    /* 0x30 */ 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, B64_BAD, B64_BAD, B64_BAD, B64_PAD, B64_BAD, B64_BAD,
    /* 0x40 */ B64_BAD, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
    /* 0x50 */ 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, B64_BAD, B64_BAD, B64_BAD, B64_BAD, B64_BAD,
    /* 0x60 */ B64_BAD, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
    /* 0x70 */ 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, B64_BAD, B64_BAD, B64_BAD, B64_BAD, B64_BAD,
    /* 0x80 */ B64_R16(B64_BAD), B64_R16(B64_BAD), B64_R16(B64_BAD), B64_R16(B64_BAD),
    B64_R16(B64_BAD), B64_R16(B64_BAD), B64_R16(B64_BAD), B64_R16(B64_BAD),
};

/* The decoder between characters. `pads` counts the '=' still expected after a short group;
 * `after_pad` is set once a group was closed by padding, so resumed data can be reported. */
struct b64_state {
    const unsigned char *in;
    unsigned char *o;     /* next output byte (room reserved up front) */
    uint32_t acc;         /* sextets of the open group */
    unsigned n;           /* sextets in the open group, 0..3 */
    unsigned pads;        /* '=' still expected to complete the padding */
    int after_pad;        /* a group ended with padding */
    int in_bad_run;       /* inside a run of bad characters (reported once) */
    int in_excess_pads;   /* inside a run of surplus '=' (reported once) */
    size_t first;         /* offset of the open group's first sextet */
    unsigned reports[3];  /* per kind: bad char, bad padding, truncated */
    const mp_diag *d;
};

static void b64_report(struct b64_state *s, unsigned slot, mailparse_anomaly_kind kind, size_t off)
{
    if (s->reports[slot] < B64_MAX_REPORTS_PER_KIND) {
        s->reports[slot]++;
        mp_report(s->d, kind, off);
    }
}

/* Writes the bytes of an open group of 2 or 3 sextets (a 1-sextet group carries no byte). */
static void b64_flush_partial(struct b64_state *s)
{
    if (s->n == 2) {
        *s->o++ = (unsigned char)(s->acc >> 4);
    } else if (s->n == 3) {
        *s->o++ = (unsigned char)(s->acc >> 10);
        *s->o++ = (unsigned char)(s->acc >> 2);
    }
    s->acc = 0;
    s->n = 0;
}

static void b64_on_pad(struct b64_state *s, size_t i)
{
    if (s->n >= 2) {
        s->pads = 4 - s->n - 1; /* this '=' is the first one */
        b64_flush_partial(s);
        s->after_pad = 1;
    } else if (s->n == 1) {
        b64_report(s, 2, MAILPARSE_ANOMALY_BASE64_TRUNCATED, s->first);
        s->acc = 0;
        s->n = 0;
        s->after_pad = 1;
    } else if (s->pads > 0) {
        s->pads--;
    } else if (!s->in_excess_pads) {
        b64_report(s, 1, MAILPARSE_ANOMALY_BASE64_BAD_PADDING, i);
        s->in_excess_pads = 1;
    }
}

static void b64_on_sextet(struct b64_state *s, unsigned v, size_t i)
{
    if (s->n == 0) {
        if (s->after_pad) { /* more data after padding: concatenated bodies */
            b64_report(s, 1, MAILPARSE_ANOMALY_BASE64_BAD_PADDING, i);
            s->after_pad = 0;
            s->pads = 0;
        }
        s->in_excess_pads = 0;
        s->first = i;
    }
    s->acc = (s->acc << 6) | v;
    if (++s->n == 4) {
        *s->o++ = (unsigned char)(s->acc >> 16);
        *s->o++ = (unsigned char)(s->acc >> 8);
        *s->o++ = (unsigned char)s->acc;
        s->acc = 0;
        s->n = 0;
    }
}

/* One character outside the fast path. */
static void b64_step(struct b64_state *s, size_t i)
{
    unsigned v = b64_class[s->in[i]];
    if (v == B64_SPACE)
        return;
    if (v == B64_BAD) {
        if (!s->in_bad_run)
            b64_report(s, 0, MAILPARSE_ANOMALY_BASE64_BAD_CHAR, i);
        s->in_bad_run = 1;
        return;
    }
    s->in_bad_run = 0;
    if (v == B64_PAD)
        b64_on_pad(s, i);
    else
        b64_on_sextet(s, v, i);
}

/* Whole groups of four alphabet characters, the common case; returns the index reached. */
static size_t b64_fast(struct b64_state *s, size_t i, size_t len)
{
    const unsigned char *in = s->in;
    unsigned char *o = s->o;
    while (len - i >= 4) {
        unsigned a = b64_class[in[i]], b = b64_class[in[i + 1]];
        unsigned c = b64_class[in[i + 2]], e = b64_class[in[i + 3]];
        if ((a | b | c | e) & 0xC0)
            break;
        uint32_t v = (a << 18) | (b << 12) | (c << 6) | e;
        o[0] = (unsigned char)(v >> 16);
        o[1] = (unsigned char)(v >> 8);
        o[2] = (unsigned char)v;
        o += 3;
        i += 4;
    }
    s->o = o;
    return i;
}

static void b64_finish(struct b64_state *s, size_t len)
{
    if (s->n == 1) {
        b64_report(s, 2, MAILPARSE_ANOMALY_BASE64_TRUNCATED, s->first);
    } else if (s->n > 1) {
        b64_report(s, 1, MAILPARSE_ANOMALY_BASE64_BAD_PADDING, len);
        b64_flush_partial(s);
    } else if (s->pads > 0) {
        b64_report(s, 1, MAILPARSE_ANOMALY_BASE64_BAD_PADDING, len);
    }
}

int mp_base64_decode(const char *in, size_t len, lm_buf *out, const mp_diag *d)
{
    if ((!in && len) || !out)
        return MAILPARSE_E_INVAL;
    if (lm_buf_reserve(out, len / 4 * 3 + 3))
        return MAILPARSE_E_NOMEM;
    struct b64_state s;
    memset(&s, 0, sizeof s);
    s.in = (const unsigned char *)in;
    s.o = (unsigned char *)out->data + out->len;
    s.d = d;
    size_t i = 0;
    while (i < len) {
        if (s.n == 0 && !s.after_pad && !s.in_bad_run) {
            i = b64_fast(&s, i, len);
            if (i >= len)
                break;
        }
        b64_step(&s, i++);
    }
    b64_finish(&s, len);
    out->len = (size_t)((char *)s.o - out->data);
    out->data[out->len] = '\0';
    return 0;
}

/* Encoded size of `len` bytes wrapped at `line_len`, or 0 on overflow (len > 0). */
static size_t b64_encoded_size(size_t len, size_t line_len)
{
    if (len / 3 >= SIZE_MAX / 4 - 1)
        return 0;
    size_t chars = (len + 2) / 3 * 4;
    if (!line_len)
        return chars;
    size_t lines = (chars + line_len - 1) / line_len;
    if (lines > (SIZE_MAX - chars) / 2)
        return 0;
    return chars + 2 * lines;
}

/* Encodes whole and final groups into `o` without line breaks; returns the end. */
static char *b64_encode_run(const unsigned char *in, size_t len, char *o)
{
    size_t i = 0;
    for (; len - i >= 3; i += 3) {
        uint32_t v = ((uint32_t)in[i] << 16) | ((uint32_t)in[i + 1] << 8) | in[i + 2];
        o[0] = b64_alphabet[v >> 18];
        o[1] = b64_alphabet[(v >> 12) & 63];
        o[2] = b64_alphabet[(v >> 6) & 63];
        o[3] = b64_alphabet[v & 63];
        o += 4;
    }
    if (len - i) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (len - i == 2)
            v |= (uint32_t)in[i + 1] << 8;
        o[0] = b64_alphabet[v >> 18];
        o[1] = b64_alphabet[(v >> 12) & 63];
        o[2] = len - i == 2 ? b64_alphabet[(v >> 6) & 63] : '=';
        o[3] = '=';
        o += 4;
    }
    return o;
}

/* Wrapped: each line holds `line_len` characters (the last may hold fewer) and ends with CRLF.
 * When `line_len` is a multiple of 4 whole lines are encoded at once; otherwise each group goes
 * through a scratch area so it can be split across lines. */
static char *b64_encode_wrapped(const unsigned char *in, size_t len, size_t line_len, char *o)
{
    if (line_len % 4 == 0) {
        size_t per_line = line_len / 4 * 3;
        for (size_t i = 0; i < len; i += per_line) {
            o = b64_encode_run(in + i, len - i < per_line ? len - i : per_line, o);
            *o++ = '\r';
            *o++ = '\n';
        }
        return o;
    }
    size_t col = 0;
    for (size_t i = 0; i < len; i += 3) {
        char grp[4];
        b64_encode_run(in + i, len - i < 3 ? len - i : 3, grp);
        for (int k = 0; k < 4; k++) {
            *o++ = grp[k];
            if (++col == line_len) {
                *o++ = '\r';
                *o++ = '\n';
                col = 0;
            }
        }
    }
    if (col) {
        *o++ = '\r';
        *o++ = '\n';
    }
    return o;
}

int mp_base64_encode(const unsigned char *in, size_t len, size_t line_len, lm_buf *out)
{
    if ((!in && len) || !out)
        return MAILPARSE_E_INVAL;
    if (!len)
        return 0;
    size_t need = b64_encoded_size(len, line_len);
    if (!need)
        return MAILPARSE_E_NOMEM;
    if (lm_buf_reserve(out, need))
        return MAILPARSE_E_NOMEM;
    char *o = out->data + out->len;
    if (!line_len)
        o = b64_encode_run(in, len, o);
    else
        o = b64_encode_wrapped(in, len, line_len, o);
    out->len = (size_t)(o - out->data);
    out->data[out->len] = '\0';
    return 0;
}

int mailparse_base64_decode(const char *in, size_t len, unsigned char **out, size_t *out_len,
                            mailparse_anomaly_fn anomaly, void *user)
{
    if (!out)
        return MAILPARSE_E_INVAL;
    *out = NULL;
    mp_diag d = {anomaly, user, 0};
    lm_buf b = LM_BUF_INIT;
    char *bytes = NULL;
    int rc = mp_hand_out(&b, mp_base64_decode(in, len, &b, &d), &bytes, out_len);
    *out = (unsigned char *)bytes;
    return rc;
}

int mailparse_base64_encode(const unsigned char *in, size_t len, size_t line_len, char **out,
                            size_t *out_len)
{
    if (!out)
        return MAILPARSE_E_INVAL;
    *out = NULL;
    lm_buf b = LM_BUF_INIT;
    return mp_hand_out(&b, mp_base64_encode(in, len, line_len, &b), out, out_len);
}
