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
    f->force = 0;
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

void mb_fold_item(struct mb_fold *f, const char *punct, const char *item, size_t len, size_t trail)
{
    if (f->out->oom || !item)
        return;
    size_t pn = strlen(punct);
    lm_buf_append(f->out, punct, pn);
    advance(f, punct, pn);
    if (len >= 3 && item[0] == '\r') { /* the item starts with its own fold */
        lm_buf_append(f->out, item, len);
        advance(f, item, len);
        f->items++;
        f->force = 0;
        return;
    }
    size_t first = mb_first_line(item, len);
    if (first == len)
        first += trail; /* the separator after a one-line item stays on its line */
    if (f->items > 0 && (f->force || f->col + 1 + first > MB_LINE_SOFT)) {
        lm_buf_append(f->out, "\r\n ", 3);
        f->col = 1;
    } else {
        lm_buf_putc(f->out, ' ');
        f->col++;
    }
    lm_buf_append(f->out, item, len);
    advance(f, item, len);
    f->items++;
    f->force = 0;
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

void mb_space_after_encoded(lm_buf *out)
{
    if (out->len >= 2 && out->data[out->len - 2] == '?' && out->data[out->len - 1] == '=')
        lm_buf_putc(out, ' ');
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

/* Raw UTF-8 text folded like the RFC 2047 encoder folds: at a single space before a word that
 * would pass column 78; a longer run of blanks is kept on its line. Returns 1 when a line would
 * pass 998 that way (the caller encodes instead: encoded words fold anywhere). */
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
        if (gap_len + word > MB_LINE_HARD - 1)
            return 1;
        if (gap_len == 1 && s[gap] == ' ' && col + 1 + word > MB_LINE_SOFT) {
            lm_buf_append(out, "\r\n", 2);
            col = 0;
        } else if (col + gap_len + word > MB_LINE_HARD) {
            return 1; /* only a blank run could fold here, which readers would collapse */
        }
        lm_buf_append(out, s + gap, gap_len + word);
        col += gap_len + word;
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
        } else if (!lm_is_atext(c) && !(utf8 && c >= 0x80)) {
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

/* A quoted string folded before a single space where the line would pass 78 (inside quotes
 * only the line end goes when unfolded, RFC 5322 §3.2.4). Returns 1 when a line would pass
 * 998 (the caller encodes instead). */
static int quoted_folded(const char *s, size_t n, size_t col, lm_buf *out)
{
    lm_buf_putc(out, '"');
    col++;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ' ' && i > 0 && !lm_is_wsp((unsigned char)s[i - 1]) && i + 1 < n &&
            !lm_is_wsp((unsigned char)s[i + 1])) {
            size_t w = i + 1;
            while (w < n && !lm_is_wsp((unsigned char)s[w]))
                w++;
            if (col + (w - i) + (w == n) > MB_LINE_SOFT) {
                lm_buf_append(out, "\r\n", 2);
                col = 0;
            }
        }
        if (s[i] == '"' || s[i] == '\\') {
            lm_buf_putc(out, '\\');
            col++;
        }
        lm_buf_putc(out, s[i]);
        if (++col > MB_LINE_HARD - 1)
            return 1;
    }
    lm_buf_putc(out, '"');
    return 0;
}

int mb_encode_phrase(const mailbuild_message *m, const char *phrase, size_t col, lm_buf *out)
{
    size_t n = strlen(phrase), mark = out->len;
    int utf8 = (m->opts.flags & MAILBUILD_F_SMTPUTF8) != 0;
    int done = 0;
    if (plain_phrase(phrase, n, utf8))
        done = !raw_folded(phrase, n, col, out);
    else if ((utf8 && raw_safe(phrase, n)) || needs_quotes_for_space(phrase, n))
        done = !quoted_folded(phrase, n, col, out);
    if (done)
        return out->oom ? MAILBUILD_E_NOMEM : 0;
    out->len = mark;
    /* A phrase's blanks between words read as one space: spacing that must survive goes
     * inside the encoded words with everything else. */
    int spacing = 0;
    for (size_t i = 0; i < n; i++)
        if (phrase[i] == '\t' || (phrase[i] == ' ' && (i == 0 || i + 1 == n || phrase[i + 1] == ' ')))
            spacing = 1;
    return rfc2047(phrase, n, MAILPARSE_2047_PHRASE | (spacing ? MAILPARSE_2047_ALL : 0), col, out);
}
