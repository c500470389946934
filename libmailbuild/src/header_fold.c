/* header_fold.c — writing field values: folding at 78 columns (RFC 5322 §2.2.3, never past
 * 998), unstructured text and phrases as RFC 2047 words or, with SMTPUTF8, raw UTF-8
 * (RFC 6532 §3.2). */
#include "mb_internal.h"

#include "lm_ascii.h"
#include "mailparse.h"

#include <string.h>

/* Moves the column over [p, p+n), which may hold folds. */
static void advance(struct mb_fold *f, const char *p, size_t n)
{
    for (;;) {
        const char *lf = memchr(p, '\n', n);
        if (!lf) {
            f->col += n;
            return;
        }
        f->col = 0;
        n -= (size_t)(lf - p) + 1;
        p = lf + 1;
    }
}

void mb_fold_begin(struct mb_fold *f, lm_buf *out, const char *name)
{
    f->out = out;
    f->col = 0;
    f->items = 0;
    f->start = out->len;
    lm_buf_puts(out, name);
    lm_buf_putc(out, ':');
    advance(f, name, strlen(name));
    f->col++;
}

size_t mb_first_line(const char *item, size_t len)
{
    const char *cr = memchr(item, '\r', len);
    return cr ? (size_t)(cr - item) : len;
}

void mb_fold_item(struct mb_fold *f, const char *punct, const char *item, size_t len)
{
    size_t pn = strlen(punct);
    lm_buf_append(f->out, punct, pn);
    advance(f, punct, pn);
    if (f->items > 0 && f->col + 1 + mb_first_line(item, len) > MB_LINE_SOFT) {
        lm_buf_append(f->out, "\r\n ", 3);
        f->col = 1;
    } else {
        lm_buf_putc(f->out, ' ');
        f->col++;
    }
    lm_buf_append(f->out, item, len);
    advance(f, item, len);
    f->items++;
}

int mb_fold_end(struct mb_fold *f)
{
    lm_buf_append(f->out, "\r\n", 2);
    if (f->out->oom)
        return MAILBUILD_E_NOMEM;
    const char *p = f->out->data + f->start, *end = f->out->data + f->out->len;
    while (p < end) {
        const char *lf = memchr(p, '\n', (size_t)(end - p));
        if ((size_t)(lf - p) > MB_LINE_HARD + 1) /* the line and its CR */
            return MAILBUILD_E_LIMIT;
        p = lf + 1;
    }
    return 0;
}

void mb_put_quoted(lm_buf *out, const char *s, size_t len)
{
    lm_buf_putc(out, '"');
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"' || s[i] == '\\')
            lm_buf_putc(out, '\\');
        lm_buf_putc(out, s[i]);
    }
    lm_buf_putc(out, '"');
}

static int from_mailparse(int rc)
{
    switch (rc) {
    case 0: return 0;
    case MAILPARSE_E_NOMEM: return MAILBUILD_E_NOMEM;
    case MAILPARSE_E_CHARSET: return MAILBUILD_E_CHARSET;
    default: return MAILBUILD_E_INVAL;
    }
}

static int rfc2047(const char *s, size_t len, unsigned flags, size_t col, lm_buf *out)
{
    char *enc = NULL;
    size_t n = 0;
    int rc = from_mailparse(mailparse_rfc2047_encode(s, len, "utf-8", flags, col, &enc, &n));
    if (!rc && lm_buf_append(out, enc, n))
        rc = MAILBUILD_E_NOMEM;
    mailparse_free(enc);
    return rc;
}

/* Whether raw UTF-8 can carry [s, s+n) in a header: no controls but TAB, nothing a reader
 * would take for an encoded word. */
static int raw_safe(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f || (c == '=' && i + 1 < n && s[i + 1] == '?'))
            return 0;
    }
    return 1;
}

static void trim(const char **s, size_t *n)
{
    while (*n && lm_is_wsp((unsigned char)**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && lm_is_wsp((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

/* Raw UTF-8 text folded before words that would pass column 78. Returns 1 when a word is too
 * long for any line (the caller encodes instead). */
static int raw_folded(const char *s, size_t n, size_t col, lm_buf *out)
{
    size_t i = 0;
    while (i < n) {
        size_t gap = i;
        while (i < n && lm_is_wsp((unsigned char)s[i]))
            i++;
        size_t w = i;
        while (i < n && !lm_is_wsp((unsigned char)s[i]))
            i++;
        size_t gap_len = w - gap, word = i - w;
        if (col + gap_len + word > MB_LINE_HARD - 2 && (gap_len == 0 || 1 + word > MB_LINE_HARD - 2))
            return 1;
        if (gap_len == 1 && s[gap] == ' ' && col + 1 + word > MB_LINE_SOFT) {
            lm_buf_append(out, "\r\n ", 3);
            col = 1;
        } else {
            lm_buf_append(out, s + gap, gap_len);
            col += gap_len;
        }
        lm_buf_append(out, s + w, word);
        col += word;
        if (col > MB_LINE_HARD - 2)
            return 1;
    }
    return 0;
}

int mb_encode_text(const mailbuild_message *m, const char *text, size_t col, lm_buf *out)
{
    size_t n = strlen(text);
    trim(&text, &n);
    if ((m->opts.flags & MAILBUILD_F_SMTPUTF8) && raw_safe(text, n)) {
        size_t mark = out->len;
        if (!raw_folded(text, n, col, out))
            return out->oom ? MAILBUILD_E_NOMEM : 0;
        out->len = mark;
    }
    return rfc2047(text, n, 0, col, out);
}

/* A phrase that atoms can carry as it is: atext (and UTF-8 with SMTPUTF8) words, one space
 * between them. */
static int plain_phrase(const char *s, size_t n, int utf8)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ') {
            if (i == 0 || i + 1 == n || s[i + 1] == ' ')
                return 0;
        } else if (!mb_is_atext(c) && !(utf8 && c >= 0x80)) {
            return 0;
        }
    }
    return raw_safe(s, n);
}

/* ASCII with the spacing a phrase of atoms would lose (leading, trailing, runs, tabs). */
static int needs_quotes_for_space(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] >= 0x80)
            return 0;
    }
    for (size_t i = 0; i < n; i++)
        if (s[i] == '\t' || (s[i] == ' ' && (i == 0 || i + 1 == n || s[i + 1] == ' ')))
            return raw_safe(s, n);
    return 0;
}

int mb_encode_phrase(const mailbuild_message *m, const char *phrase, size_t col, lm_buf *out)
{
    size_t n = strlen(phrase);
    int utf8 = (m->opts.flags & MAILBUILD_F_SMTPUTF8) != 0;
    if (plain_phrase(phrase, n, utf8)) {
        lm_buf_append(out, phrase, n);
    } else if ((utf8 && raw_safe(phrase, n) && n < MB_LINE_HARD / 2) || needs_quotes_for_space(phrase, n)) {
        mb_put_quoted(out, phrase, n);
    } else {
        return rfc2047(phrase, n, MAILPARSE_2047_PHRASE, col, out);
    }
    return out->oom ? MAILBUILD_E_NOMEM : 0;
}
