/* lexer.c — the tokens of a Sieve script: identifiers, tags, numbers, quoted and multi-line
 * strings, punctuation, white space and comments (RFC 5228 §2.2–§2.4.2, §8.1). */
#include "lexer.h"

#include "lm_ascii.h"
#include "lm_utf8.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void sv_lexer_init(sv_lexer *lx, const char *src, size_t len, size_t max_string,
                   size_t max_identifier, sv_diag *diag)
{
    memset(lx, 0, sizeof *lx);
    lx->p = (const unsigned char *)src;
    lx->len = src ? len : 0;
    lx->line = 1;
    lx->max_string = max_string ? max_string : SV_DEFAULT_MAX_STRING;
    lx->max_identifier = max_identifier ? max_identifier : SV_DEFAULT_MAX_IDENTIFIER;
    lx->diag = diag;
}

void sv_lexer_free(sv_lexer *lx)
{
    if (lx)
        lm_buf_free(&lx->value);
}

/* The position of octet `off`, which is on the current line. */
static sv_pos pos_at(const sv_lexer *lx, size_t off)
{
    size_t col = off - lx->line_start + 1;
    return (sv_pos){lx->line, col > UINT32_MAX ? UINT32_MAX : (uint32_t)col};
}

/* Call after moving past a LF. */
static void new_line(sv_lexer *lx)
{
    if (lx->line < UINT32_MAX)
        lx->line++;
    lx->line_start = lx->off;
}

void sv_lexer_error(sv_lexer *lx, sv_pos pos, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (sv_diag_add(lx->diag, SV_SEV_ERROR, pos, "%s", text) < 0)
        lx->oom = 1;
}

/* The length of the valid UTF-8 sequence at `off`, or 0 when the octets there are not one. */
static size_t utf8_seq(const sv_lexer *lx, size_t off)
{
    size_t n = lm_utf8_lead_len(lx->p[off]);
    if (n == 0 || lm_utf8_valid_part(lx->p + off, lx->len - off) != n)
        return 0;
    return n;
}

/* ---- white space and comments ----------------------------------------------------------- */

/* Moves over the text of a comment up to `end`, counting lines; a NUL or invalid UTF-8 is an
 * error (the script must be UTF-8), reported once per comment. */
static void comment_text(sv_lexer *lx, size_t end)
{
    int nul = 0, bad_utf8 = 0;
    while (lx->off < end) {
        unsigned char c = lx->p[lx->off];
        if (c == '\n') {
            lx->off++;
            new_line(lx);
        } else if (c == 0) {
            if (!nul++)
                sv_lexer_error(lx, pos_at(lx, lx->off), "NUL octet in a comment");
            lx->off++;
        } else if (c < 0x80) {
            lx->off++;
        } else {
            size_t n = utf8_seq(lx, lx->off);
            if (n == 0 || n > end - lx->off) {
                if (!bad_utf8++)
                    sv_lexer_error(lx, pos_at(lx, lx->off), "invalid UTF-8 in a comment");
                n = 1;
            }
            lx->off += n;
        }
    }
}

/* "#" up to and including the end of the line (or the script). */
static void hash_comment(sv_lexer *lx)
{
    const unsigned char *lf = memchr(lx->p + lx->off, '\n', lx->len - lx->off);
    size_t end = lf ? (size_t)(lf - lx->p) : lx->len;
    comment_text(lx, end);
    if (lf) {
        lx->off++;
        new_line(lx);
    }
}

/* "/ *" up to and including "* /" (lx->off is on the "/"). Returns 0, or -1 when the script
 * ends first (reported). */
static int bracket_comment(sv_lexer *lx)
{
    sv_pos start = pos_at(lx, lx->off);
    size_t i = lx->off + 2;
    while (i + 1 < lx->len && !(lx->p[i] == '*' && lx->p[i + 1] == '/'))
        i++;
    if (i + 1 >= lx->len) {
        sv_lexer_error(lx, start, "unterminated comment: the script ends before its \"*/\"");
        comment_text(lx, lx->len);
        return -1;
    }
    comment_text(lx, i);
    lx->off = i + 2;
    return 0;
}

/* Skips white space and comments. Returns 0, or -1 after an unterminated comment, whose start
 * is then in *broken. */
static int skip_space(sv_lexer *lx, sv_pos *broken)
{
    while (lx->off < lx->len && !lx->oom) {
        unsigned char c = lx->p[lx->off];
        if (c == ' ' || c == '\t' || c == '\r') {
            lx->off++;
        } else if (c == '\n') {
            lx->off++;
            new_line(lx);
        } else if (c == '#') {
            hash_comment(lx);
        } else if (c == '/' && lx->off + 1 < lx->len && lx->p[lx->off + 1] == '*') {
            *broken = pos_at(lx, lx->off);
            if (bracket_comment(lx) < 0)
                return -1;
        } else {
            break;
        }
    }
    return 0;
}

/* ---- strings ---------------------------------------------------------------------------- */

/* What went wrong inside one string; each fault is reported once. */
struct str_scan {
    sv_pos start;
    unsigned nul : 1, cr : 1, utf8 : 1, too_long : 1;
};

static void put(sv_lexer *lx, struct str_scan *s, const void *p, size_t n)
{
    if (n > lx->max_string - lx->value.len) {
        s->too_long = 1;
        return;
    }
    if (lm_buf_append(&lx->value, p, n) < 0)
        lx->oom = 1;
}

/* Takes the string octets at lx->off into the value: a line end (LF or CRLF) as CRLF, a valid
 * UTF-8 sequence whole, any other octet as it is, reporting NUL, a stray CR and invalid UTF-8.
 * Returns 1 when it took a line end. */
static int take_octet(sv_lexer *lx, struct str_scan *s)
{
    unsigned char c = lx->p[lx->off];
    size_t n = 1;
    if (c == '\n' || (c == '\r' && lx->off + 1 < lx->len && lx->p[lx->off + 1] == '\n')) {
        lx->off += c == '\r' ? 2 : 1;
        new_line(lx);
        put(lx, s, "\r\n", 2);
        return 1;
    }
    if (c == '\r') {
        if (!s->cr)
            sv_lexer_error(lx, pos_at(lx, lx->off),
                           "stray carriage return (CR without LF) in a string");
        s->cr = 1;
    } else if (c == 0) {
        if (!s->nul)
            sv_lexer_error(lx, pos_at(lx, lx->off), "NUL octet in a string");
        s->nul = 1;
    } else if (c >= 0x80) {
        n = utf8_seq(lx, lx->off);
        if (n == 0) {
            if (!s->utf8)
                sv_lexer_error(lx, pos_at(lx, lx->off), "invalid UTF-8 in a string");
            s->utf8 = 1;
            n = 1;
        }
    }
    put(lx, s, lx->p + lx->off, n);
    lx->off += n;
    return 0;
}

/* Fills in a STRING token from the value and the faults found. */
static void string_token(sv_lexer *lx, const struct str_scan *s, sv_token *t)
{
    if (s->too_long) {
        sv_lexer_error(lx, s->start, "string too long: over the limit of %zu octets",
                       lx->max_string);
        lx->limit_hit = 1;
    }
    if (lx->value.oom)
        lx->oom = 1;
    t->kind = SV_TOK_STRING;
    t->str = lx->value.data ? lx->value.data : "";
    t->str_len = lx->value.len;
    t->bad = s->nul || s->cr || s->utf8 || s->too_long;
}

/* An octet take_octet() would take as it is, and that ends no quoted string. */
static int plain_octet(unsigned char c)
{
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* quoted-string (RFC 5228 §2.4.2): "\" takes the next octet as it is, so \" and \\ give " and
 * \, and an undefined escape such as \a is just "a". */
static void quoted_string(sv_lexer *lx, sv_token *t)
{
    struct str_scan s = {.start = t->pos};
    lx->off++;
    for (;;) {
        size_t run = lx->off; /* plain text is taken a run at a time */
        while (run < lx->len && plain_octet(lx->p[run]))
            run++;
        if (run > lx->off) {
            put(lx, &s, lx->p + lx->off, run - lx->off);
            lx->off = run;
        }
        if (lx->off < lx->len && lx->p[lx->off] == '\\')
            lx->off++;
        else if (lx->off < lx->len && lx->p[lx->off] == '"')
            break;
        if (lx->off >= lx->len) {
            sv_lexer_error(lx, s.start,
                           "unterminated string: the script ends before its closing quote");
            t->kind = SV_TOK_ERROR;
            t->bad = 1;
            return;
        }
        take_octet(lx, &s);
    }
    lx->off++;
    string_token(lx, &s, t);
}

/* multi-line (RFC 5228 §2.4.2, §8.1): "text:", blanks, a hash comment or a line end, then lines
 * up to one holding only "."; a line starting ".." loses its first dot. lx->off is on the
 * ":". */
static void multiline_string(sv_lexer *lx, sv_token *t)
{
    struct str_scan s = {.start = t->pos};
    t->multiline = 1;
    lx->off++;
    while (lx->off < lx->len && (lx->p[lx->off] == ' ' || lx->p[lx->off] == '\t'))
        lx->off++;
    if (lx->off < lx->len && lx->p[lx->off] != '#' && lx->p[lx->off] != '\n' &&
        !(lx->p[lx->off] == '\r' && lx->off + 1 < lx->len && lx->p[lx->off + 1] == '\n')) {
        sv_lexer_error(lx, pos_at(lx, lx->off),
                       "unexpected text after \"text:\": expected a line end or a \"#\" comment");
        t->bad = 1;
    }
    hash_comment(lx); /* the rest of the "text:" line */
    for (;;) {
        if (lx->off >= lx->len) {
            sv_lexer_error(lx, s.start, "unterminated multi-line string: the script ends "
                                        "before the line holding only \".\"");
            t->kind = SV_TOK_ERROR;
            t->bad = 1;
            return;
        }
        if (lx->p[lx->off] == '.') {
            size_t q = lx->off + 1;
            if (q == lx->len) {
                lx->off = q;
                break;
            }
            if (lx->p[q] == '\n' || (lx->p[q] == '\r' && q + 1 < lx->len && lx->p[q + 1] == '\n')) {
                lx->off = q + (lx->p[q] == '\r' ? 2 : 1);
                new_line(lx);
                break;
            }
            if (lx->p[q] == '.')
                lx->off = q;
        }
        while (lx->off < lx->len && !take_octet(lx, &s))
            ;
    }
    int bad = t->bad;
    string_token(lx, &s, t);
    t->bad |= bad;
}

/* ---- the other tokens ------------------------------------------------------------------- */

static int is_ident_start(unsigned char c) { return lm_is_alpha(c) || c == '_'; }
static int is_ident_char(unsigned char c) { return lm_is_alnum(c) || c == '_'; }

/* identifier (RFC 5228 §8.1); an identifier "text" right before ":" starts a multi-line
 * string instead. lx->off is on its first octet. */
static void identifier(sv_lexer *lx, sv_token *t, int tag)
{
    size_t start = lx->off;
    while (lx->off < lx->len && is_ident_char(lx->p[lx->off]))
        lx->off++;
    size_t n = lx->off - start;
    if (!tag && n == 4 && lx->off < lx->len && lx->p[lx->off] == ':' &&
        lm_eq_nocase((const char *)lx->p + start, 4, "text")) {
        multiline_string(lx, t);
        return;
    }
    t->kind = tag ? SV_TOK_TAG : SV_TOK_IDENTIFIER;
    t->text = (const char *)lx->p + start;
    t->len = n;
    if (n > lx->max_identifier) {
        sv_lexer_error(lx, t->pos, "%s \"%s%.*s%s\" is too long: over the limit of %zu octets",
                       tag ? "tag" : "identifier", tag ? ":" : "", (int)(n > 32 ? 32 : n),
                       t->text, n > 32 ? "..." : "", lx->max_identifier);
        lx->limit_hit = 1;
        t->bad = 1;
    }
}

/* number = 1*DIGIT [ "K" / "M" / "G" ] (RFC 5228 §2.4.1), up to 2^64 - 1. */
static void number(sv_lexer *lx, sv_token *t)
{
    uint64_t v = 0;
    int over = 0;
    while (lx->off < lx->len && lm_is_digit(lx->p[lx->off])) {
        unsigned d = lx->p[lx->off++] - '0';
        if (v > (UINT64_MAX - d) / 10)
            over = 1;
        else
            v = v * 10 + d;
    }
    if (lx->off < lx->len) {
        int q = lm_to_lower(lx->p[lx->off]);
        unsigned shift = q == 'k' ? 10 : q == 'm' ? 20 : q == 'g' ? 30 : 0;
        if (shift) {
            lx->off++;
            if (v > UINT64_MAX >> shift)
                over = 1;
            else
                v <<= shift;
        }
    }
    t->kind = SV_TOK_NUMBER;
    t->number = over ? UINT64_MAX : v;
    if (over) {
        sv_lexer_error(lx, t->pos, "number too large: the largest is %" PRIu64, UINT64_MAX);
        t->bad = 1;
    }
}

/* Non-zero when a token (or white space) starts at `i`. */
static int starts_token(const sv_lexer *lx, size_t i)
{
    unsigned char c = lx->p[i], next = i + 1 < lx->len ? lx->p[i + 1] : 0;
    if (is_ident_char(c) || lm_is_space(c) || c == '"' || c == '#')
        return 1;
    if (c && strchr("[](){},;", c))
        return 1;
    return (c == '/' && next == '*') || (c == ':' && is_ident_start(next));
}

/* Octets that start no token, as one GARBAGE token reported by its first character. */
static void garbage(sv_lexer *lx, sv_token *t)
{
    size_t start = lx->off;
    size_t n = lx->p[start] >= 0x80 ? utf8_seq(lx, start) : 1;
    if (n == 0)
        sv_lexer_error(lx, t->pos, "invalid octet 0x%02X (not UTF-8)", lx->p[start]);
    else if (lx->p[start] < 0x20 || lx->p[start] == 0x7f)
        sv_lexer_error(lx, t->pos, "invalid character: control octet 0x%02X", lx->p[start]);
    else
        sv_lexer_error(lx, t->pos, "invalid character '%.*s'", (int)n,
                       (const char *)lx->p + start);
    lx->off += n ? n : 1;
    while (lx->off < lx->len && !starts_token(lx, lx->off))
        lx->off++;
    t->kind = SV_TOK_GARBAGE;
    t->text = (const char *)lx->p + start;
    t->len = lx->off - start;
}

int sv_lexer_next(sv_lexer *lx, sv_token *t)
{
    static const char punct[] = "[]{}(),;";
    static const sv_tok_kind punct_kind[] = {SV_TOK_LBRACKET, SV_TOK_RBRACKET, SV_TOK_LBRACE,
                                             SV_TOK_RBRACE,   SV_TOK_LPAREN,   SV_TOK_RPAREN,
                                             SV_TOK_COMMA,    SV_TOK_SEMICOLON};
    memset(t, 0, sizeof *t);
    lm_buf_reset(&lx->value);
    sv_pos comment;
    int broken = skip_space(lx, &comment);
    t->pos = pos_at(lx, lx->off);
    if (lx->oom)
        return SIEVE_E_NOMEM;
    if (broken) {
        /* A token of its own, so that the parser does not report the end of the script too. */
        t->kind = SV_TOK_ERROR;
        t->pos = comment;
        t->bad = 1;
        return 0;
    }
    if (lx->off >= lx->len) {
        t->kind = SV_TOK_EOF;
        return 0;
    }
    unsigned char c = lx->p[lx->off];
    const char *pc = c ? strchr(punct, c) : NULL;
    if (pc) {
        t->kind = punct_kind[pc - punct];
        t->text = (const char *)lx->p + lx->off++;
        t->len = 1;
    } else if (c == '"') {
        quoted_string(lx, t);
    } else if (lm_is_digit(c)) {
        number(lx, t);
    } else if (is_ident_start(c)) {
        identifier(lx, t, 0);
    } else if (c == ':' && starts_token(lx, lx->off)) {
        lx->off++;
        identifier(lx, t, 1);
    } else {
        garbage(lx, t);
    }
    return lx->oom ? SIEVE_E_NOMEM : 0;
}

/* ---- descriptions for messages ---------------------------------------------------------- */

/* Appends `n` octets of `s` to buf[*k..size) as printable text: controls and invalid UTF-8
 * become "?", and at most `max` octets are shown ("..." marks a cut). */
static void append_printable(char *buf, size_t size, size_t *k, const char *s, size_t n,
                             size_t max)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n && i < max) {
        size_t len = u[i] < 0x80 ? 1 : lm_utf8_lead_len(u[i]);
        if (len > max - i)
            break;
        if (len > 1 && lm_utf8_valid_part(u + i, n - i) != len)
            len = 0;
        if (*k + (len ? len : 1) + 4 >= size)
            break;
        if (len == 0 || (len == 1 && (u[i] < 0x20 || u[i] == 0x7f))) {
            buf[(*k)++] = '?';
            i++;
            continue;
        }
        memcpy(buf + *k, u + i, len);
        *k += len;
        i += len;
    }
    if (i < n && *k + 4 < size) {
        memcpy(buf + *k, "...", 3);
        *k += 3;
    }
    buf[*k] = '\0';
}

const char *sv_token_describe(const sv_token *t, char *buf, size_t size)
{
    const char *what = NULL, *s = NULL;
    size_t n = 0;
    if (size == 0)
        return buf;
    switch (t->kind) {
    case SV_TOK_EOF:
        snprintf(buf, size, "end of script");
        return buf;
    case SV_TOK_NUMBER:
        snprintf(buf, size, "number %" PRIu64, t->number);
        return buf;
    case SV_TOK_ERROR:
        snprintf(buf, size, "a malformed token");
        return buf;
    case SV_TOK_IDENTIFIER:
        what = "identifier \"", s = t->text, n = t->len;
        break;
    case SV_TOK_TAG:
        what = "tag \":", s = t->text, n = t->len;
        break;
    case SV_TOK_STRING:
        what = "string \"", s = t->str, n = t->str_len;
        break;
    default: /* punctuation and garbage */
        what = "\"", s = t->text, n = t->len;
        break;
    }
    size_t k = (size_t)snprintf(buf, size, "%s", what);
    if (k >= size)
        return buf;
    append_printable(buf, size, &k, s, n, 32);
    if (k + 1 < size) {
        buf[k++] = '"';
        buf[k] = '\0';
    }
    return buf;
}
