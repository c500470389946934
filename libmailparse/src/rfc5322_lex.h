/* rfc5322_lex.h — lexical helpers shared by the structured field parsers: the end of a field
 * value, comments and CFWS (RFC 5322 §3.2.2), quoted strings (§3.2.4). Private to src/. */
#ifndef RFC5322_LEX_H
#define RFC5322_LEX_H

#include "mp_internal.h"

#include <string.h>

/* The length of the field value in `in`: up to the first line end that is not followed by
 * WSP (a line end that does not fold ends the field) or the first NUL byte (never valid in a
 * header; returned strings could not hold it), with trailing whitespace dropped. */
static inline size_t mp_lex_field_end(const char *in, size_t len)
{
    if (len == 0)
        return 0;
    const char *nul = memchr(in, '\0', len);
    size_t end = nul ? (size_t)(nul - in) : len;
    const char *lf = memchr(in, '\n', end), *cr = memchr(in, '\r', end);
    while (lf || cr) { /* the line ends, found with memchr: most values have none */
        size_t i = (size_t)((cr && (!lf || cr < lf) ? cr : lf) - in);
        size_t next = i + 1 + (in[i] == '\r' && i + 1 < len && in[i + 1] == '\n');
        if (next >= len || !lm_is_wsp((unsigned char)in[next])) {
            end = i; /* a line end that does not fold */
            break;
        }
        if (lf && lf < in + next)
            lf = memchr(in + next, '\n', end - next);
        if (cr && cr < in + next)
            cr = memchr(in + next, '\r', end - next);
    }
    while (end > 0 && lm_is_space((unsigned char)in[end - 1]))
        end--;
    return end;
}

/* Non-zero when [end, len) holds more than whitespace: text after a line end that did not
 * fold, which the field parsers drop. */
static inline int mp_lex_has_more(const char *in, size_t end, size_t len)
{
    for (size_t i = end; i < len; i++)
        if (!lm_is_space((unsigned char)in[i]))
            return 1;
    return 0;
}

/* Skips the comment whose '(' is at `pos`; nesting is counted, not recursed. Returns the
 * position after its ')' or `len` when unterminated (then *closed is 0). */
static inline size_t mp_lex_skip_comment(const char *in, size_t len, size_t pos, int *closed)
{
    size_t depth = 0;
    *closed = 0;
    for (; pos < len; pos++) {
        char c = in[pos];
        if (c == '\\' && pos + 1 < len) {
            pos++;
        } else if (c == '(') {
            depth++;
        } else if (c == ')') {
            if (--depth == 0) {
                *closed = 1;
                return pos + 1;
            }
        }
    }
    return len;
}

/* Skips whitespace, line ends and comments from `pos`. `*unterminated` (may be NULL) is set
 * when a comment runs to the end of the input. */
static inline size_t mp_lex_skip_cfws(const char *in, size_t len, size_t pos, int *unterminated)
{
    while (pos < len) {
        if (lm_is_space((unsigned char)in[pos])) {
            pos++;
        } else if (in[pos] == '(') {
            int closed;
            pos = mp_lex_skip_comment(in, len, pos, &closed);
            if (!closed && unterminated)
                *unterminated = 1;
        } else {
            break;
        }
    }
    return pos;
}

/* Skips the quoted string whose '"' is at `pos`. Returns the position after the closing
 * quote, or `len` when unterminated (then *closed is 0). */
static inline size_t mp_lex_skip_quoted(const char *in, size_t len, size_t pos, int *closed)
{
    *closed = 0;
    for (pos++; pos < len; pos++) {
        if (in[pos] == '\\' && pos + 1 < len) {
            pos++;
        } else if (in[pos] == '"') {
            *closed = 1;
            return pos + 1;
        }
    }
    return len;
}

/* A NUL-terminated arena copy of `n` bytes as valid UTF-8 (invalid sequences become U+FFFD
 * and are reported). NULL when out of memory. */
static inline char *mp_lex_dup_utf8(lm_arena *a, const char *p, size_t n, const mp_diag *d)
{
    if (mp_utf8_valid_prefix((const unsigned char *)p, n) == n)
        return lm_arena_strndup(a, p, n);
    lm_buf b = LM_BUF_INIT;
    int rc = mp_utf8_sanitize((const unsigned char *)p, n, &b, d);
    char *r = NULL;
    if (rc == 0 && !b.oom)
        r = lm_arena_strndup(a, b.data ? b.data : "", b.len);
    else if (rc != MAILPARSE_E_NOMEM && !b.oom)
        r = lm_arena_strndup(a, p, n); /* no converter available: keep the bytes */
    lm_buf_free(&b);
    return r;
}

#endif
