/* encoding.c — what a leaf's bytes are and how they travel: charset conversion, CRLF
 * canonical form for text (RFC 2045 §6.1), and the transfer encoding chosen from the content
 * (7bit, 8bit, quoted-printable or base64; RFC 2045 §6, RFC 2046 §5.2.1, RFC 6532 §3.5). */
#include "mb_internal.h"

#include "lm_ascii.h"
#include "mailparse.h"

#include <stdint.h>
#include <string.h>

int mb_is_text(const mailbuild_part *p)
{
    return !p->multipart && lm_eq_nocase(p->type, strlen(p->type), "text");
}

int mb_is_message(const mailbuild_part *p)
{
    return !p->multipart && lm_eq_nocase(p->type, strlen(p->type), "message");
}

static int is_message_global(const mailbuild_part *p)
{
    return mb_is_message(p) && lm_eq_nocase(p->subtype, strlen(p->subtype), "global");
}

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* Whether any byte of `w` is below 0x20, '=', DEL or 8-bit: the bytes the scan must look at
 * one by one (the usual SWAR zero-byte tests). */
static int word_special(uint64_t w)
{
    uint64_t below = (w - ONES * 0x20) & ~w;
    uint64_t eq = w ^ (ONES * '=');
    uint64_t del = w ^ (ONES * 0x7f);
    return ((below | ((eq - ONES) & ~eq) | ((del - ONES) & ~del)) & HIGHS) != 0 || (w & HIGHS);
}

void mb_scan_bytes(const unsigned char *p, size_t n, int stop_at_8bit, struct mb_scan *s)
{
    memset(s, 0, sizeof *s);
    size_t line = 0;
    for (size_t i = 0; i < n; i++) {
        if (n - i >= 8) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (!word_special(w)) {
                line += 8;
                i += 7;
                continue;
            }
        }
        unsigned c = p[i];
        if (c == '\n') {
            if (i == 0 || p[i - 1] != '\r')
                s->bare_eol = 1;
            if (line > s->max_line)
                s->max_line = line;
            line = 0;
            continue;
        }
        if (c == '\r') {
            if (i + 1 == n || p[i + 1] != '\n') {
                s->bare_eol = 1;
                if (line > s->max_line)
                    s->max_line = line;
                line = 0;
            }
            continue;
        }
        line++;
        if (c >= 0x80) {
            s->high++;
            s->escapes++;
        } else if (c == '=' || (c < 0x20 && c != '\t') || c == 0x7f) {
            s->escapes++;
            if (c == 0)
                s->nul = 1;
        } else {
            continue;
        }
        if (stop_at_8bit && (s->high || s->nul))
            return; /* only 7bit was in question, and it is out */
    }
    if (line > s->max_line)
        s->max_line = line;
    s->ends_crlf = n == 0 || (n >= 2 && p[n - 2] == '\r' && p[n - 1] == '\n');
}

/* Every line end (CRLF, LF or CR) as CRLF, into the message's arena. */
static int to_crlf(mailbuild_message *m, const unsigned char *p, size_t n, const unsigned char **out,
                   size_t *out_len)
{
    size_t extra = 0;
    for (size_t i = 0; i < n; i++)
        if ((p[i] == '\n' && (i == 0 || p[i - 1] != '\r')) || (p[i] == '\r' && (i + 1 == n || p[i + 1] != '\n')))
            extra++;
    if (extra > (SIZE_MAX - n))
        return MAILBUILD_E_NOMEM;
    unsigned char *o = lm_arena_alloc(m->arena, n + extra);
    if (!o)
        return MAILBUILD_E_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\r') {
            o[k++] = '\r';
            o[k++] = '\n';
            if (i + 1 < n && p[i + 1] == '\n')
                i++;
        } else if (p[i] == '\n') {
            o[k++] = '\r';
            o[k++] = '\n';
        } else {
            o[k++] = p[i];
        }
    }
    *out = o;
    *out_len = k;
    return 0;
}

/* Text in the part's charset. */
static int convert(mailbuild_part *p)
{
    p->out = p->data;
    p->out_len = p->len;
    const char *cs = p->charset;
    if (!mb_is_text(p) || !cs || lm_eq_nocase(cs, strlen(cs), "utf-8") || lm_eq_nocase(cs, strlen(cs), "utf8"))
        return 0;
    unsigned char *conv = NULL;
    size_t n = 0;
    int rc = mailparse_charset_from_utf8(cs, (const char *)p->data, p->len, &conv, &n);
    if (rc)
        return rc == MAILPARSE_E_NOMEM ? MAILBUILD_E_NOMEM : MAILBUILD_E_CHARSET;
    unsigned char *copy = lm_arena_alloc(p->msg->arena, n);
    if (copy && n)
        memcpy(copy, conv, n);
    mailparse_free(conv);
    if (!copy)
        return MAILBUILD_E_NOMEM;
    p->out = copy;
    p->out_len = n;
    return 0;
}

/* Whether `enc` can carry the prepared bytes. */
static int fits(const mailbuild_part *p, mailbuild_encoding enc)
{
    const struct mb_scan *s = &p->scan;
    int lines_ok = !s->nul && s->max_line <= MB_LINE_HARD && !s->bare_eol;
    switch (enc) {
    case MAILBUILD_ENC_7BIT: return lines_ok && s->high == 0;
    case MAILBUILD_ENC_8BIT: return lines_ok;
    case MAILBUILD_ENC_BINARY: return 1;
    case MAILBUILD_ENC_QP:
    case MAILBUILD_ENC_BASE64: return !mb_is_message(p) || is_message_global(p);
    default: return 0;
    }
}

/* Quoted-printable when its output is not larger than base64's. */
static mailbuild_encoding qp_or_base64(size_t len, const struct mb_scan *s)
{
    size_t qp = len + 2 * s->escapes + len / 25;
    size_t b64 = (len + 2) / 3 * 4;
    b64 += b64 / 38;
    return qp <= b64 ? MAILBUILD_ENC_QP : MAILBUILD_ENC_BASE64;
}

static mailbuild_encoding choose(const mailbuild_part *p)
{
    const struct mb_scan *s = &p->scan;
    int eight = (p->msg->opts.flags & (MAILBUILD_F_8BIT | MAILBUILD_F_SMTPUTF8)) != 0;
    if (fits(p, MAILBUILD_ENC_7BIT) && (s->ends_crlf || mb_is_text(p) || mb_is_message(p)))
        return MAILBUILD_ENC_7BIT;
    if (mb_is_message(p)) {
        /* RFC 2046 §5.2.1 keeps message/rfc822 in 7bit, 8bit or binary; a message that
         * cannot travel as 8bit is base64-encoded, which readers accept. */
        if (fits(p, MAILBUILD_ENC_8BIT) && (eight || !is_message_global(p)))
            return MAILBUILD_ENC_8BIT;
        return MAILBUILD_ENC_BASE64;
    }
    if (mb_is_text(p)) {
        if (eight && fits(p, MAILBUILD_ENC_8BIT))
            return MAILBUILD_ENC_8BIT;
        return qp_or_base64(p->out_len, s);
    }
    return MAILBUILD_ENC_BASE64;
}

int mb_part_prepare(mailbuild_part *p)
{
    if (p->multipart || p->prepared)
        return 0;
    int rc = convert(p);
    if (rc)
        return rc;
    int canonical = mb_is_text(p) || mb_is_message(p);
    /* Other types are base64 unless they are 7bit as they are: the first 8-bit byte decides. */
    int quick = !canonical && !p->forced;
    mb_scan_bytes(p->out, p->out_len, quick, &p->scan);
    if (canonical && p->scan.bare_eol && p->forced != MAILBUILD_ENC_BINARY) {
        if ((rc = to_crlf(p->msg, p->out, p->out_len, &p->out, &p->out_len)))
            return rc;
        mb_scan_bytes(p->out, p->out_len, 0, &p->scan);
    }
    p->enc = p->forced ? p->forced : choose(p);
    p->prepared = 1;
    return 0;
}

int mb_part_revalidate(mailbuild_part *p)
{
    p->prepared = 0;
    int rc = mb_part_prepare(p);
    if (!rc && p->forced && !fits(p, p->forced))
        rc = MAILBUILD_E_INVAL;
    if (rc)
        p->prepared = 0;
    return rc;
}

int mailbuild_part_set_encoding(mailbuild_part *p, mailbuild_encoding enc)
{
    if (!p || enc < MAILBUILD_ENC_AUTO || enc > MAILBUILD_ENC_BASE64 || (p->multipart && enc))
        return MAILBUILD_E_INVAL;
    mailbuild_encoding old = p->forced;
    p->forced = enc;
    int rc = mb_part_revalidate(p);
    if (rc) {
        p->forced = old;
        p->prepared = 0;
    }
    return rc;
}

mailbuild_encoding mailbuild_part_encoding(mailbuild_part *p)
{
    if (!p)
        return MAILBUILD_ENC_AUTO;
    if (!p->multipart)
        return mb_part_prepare(p) ? MAILBUILD_ENC_AUTO : p->enc;
    mailbuild_encoding e = MAILBUILD_ENC_7BIT;
    for (mailbuild_part *c = p->first; c; c = c->next) {
        mailbuild_encoding ce = mailbuild_part_encoding(c);
        if (ce == MAILBUILD_ENC_BINARY)
            return MAILBUILD_ENC_BINARY;
        if (ce == MAILBUILD_ENC_8BIT)
            e = MAILBUILD_ENC_8BIT;
    }
    return e;
}

const char *mailbuild_encoding_name(mailbuild_encoding enc)
{
    switch (enc) {
    case MAILBUILD_ENC_7BIT: return "7bit";
    case MAILBUILD_ENC_8BIT: return "8bit";
    case MAILBUILD_ENC_BINARY: return "binary";
    case MAILBUILD_ENC_QP: return "quoted-printable";
    case MAILBUILD_ENC_BASE64: return "base64";
    default: return NULL;
    }
}
