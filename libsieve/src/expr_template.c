/* expr_template.c — expressions inside strings (vnd.stalwart.expressions): "${…}" whose content
 * is no variable reference but an expression ("${len(header.subject) * 2}") shows the
 * expression's value. The compiler keeps such a string as a template of text pieces (expanded
 * as usual at run time) and compiled expressions; the loader checks it like any code. */
#include "expr.h"

#include <string.h>

/* Where the "}" ending the reference opened at s[at] ("${") is: the first one outside quotes.
 * SIZE_MAX when there is none. */
static size_t reference_end(const char *s, size_t n, size_t at)
{
    char quote = 0;
    for (size_t i = at + 2; i < n; i++) {
        char c = s[i];
        if (quote) {
            if (c == '\\')
                i++;
            else if (c == quote)
                quote = 0;
        } else if (c == '\'' || c == '"') {
            quote = c;
        } else if (c == '}') {
            return i;
        }
    }
    return SIZE_MAX;
}

static int put_segment(lm_buf *out, int kind, const char *s, size_t n)
{
    unsigned char head[5] = {(unsigned char)kind, (unsigned char)n, (unsigned char)(n >> 8),
                             (unsigned char)(n >> 16), (unsigned char)(n >> 24)};
    if (lm_buf_append(out, head, 5) || (n && lm_buf_append(out, s, n)))
        return SIEVE_E_NOMEM;
    return 0;
}

int sv_expr_template(const sieve_engine *e, const char *s, size_t n, lm_buf *out)
{
    size_t start = out->len, lit = 0, found = 0;
    lm_buf code = LM_BUF_INIT;
    char err[200];
    int rc = 0;
    for (size_t i = 0; !rc && i + 2 < n; i++) {
        if (s[i] != '$' || s[i + 1] != '{')
            continue;
        size_t end = reference_end(s, n, i);
        if (end == SIZE_MAX)
            break;
        /* A variable reference, or nothing that compiles: left to the usual expansion. */
        if (end == i + 2 || sv_string_has_variables(s + i, end + 1 - i))
            continue;
        lm_buf_reset(&code);
        int crc = sv_expr_compile(e, s + i + 2, end - i - 2, &code, err, sizeof err);
        if (crc == SIEVE_E_NOMEM)
            rc = crc;
        if (crc)
            continue;
        found++;
        rc = put_segment(out, 0, s + lit, i - lit);
        if (!rc)
            rc = put_segment(out, 1, code.data, code.len);
        lit = end + 1;
        i = end;
    }
    if (!rc && found)
        rc = put_segment(out, 0, s + lit, n - lit);
    lm_buf_free(&code);
    if (!rc && out->oom)
        rc = SIEVE_E_NOMEM;
    if ((rc || !found) && out->len > start && !out->oom) {
        out->len = start;
        out->data[start] = '\0';
    }
    return rc ? rc : found > 0;
}

int sv_expr_template_next(const char *t, size_t n, size_t *at, int *kind, const char **seg,
                          size_t *len)
{
    if (*at >= n)
        return 0;
    if (n - *at < 5)
        return -1;
    const unsigned char *p = (const unsigned char *)t + *at;
    size_t k = (size_t)p[1] | (size_t)p[2] << 8 | (size_t)p[3] << 16 | (size_t)p[4] << 24;
    if (p[0] > 1 || k > n - *at - 5)
        return -1;
    *kind = p[0];
    *seg = t + *at + 5;
    *len = k;
    *at += 5 + k;
    return 1;
}

int sv_expr_template_verify(const sieve_engine *e, const char *t, size_t n)
{
    size_t at = 0, len;
    int kind, rc, codes = 0;
    const char *seg;
    while ((rc = sv_expr_template_next(t, n, &at, &kind, &seg, &len)) > 0) {
        if (kind == 1 && sv_expr_verify(e, seg, len))
            return SIEVE_E_SYNTAX;
        codes += kind;
    }
    return rc < 0 || !codes ? SIEVE_E_SYNTAX : 0;
}

int sv_expr_append(sv_run *r, sv_pos pos, const char *code, size_t len, lm_buf *out)
{
    sv_xctx c = {r, lm_arena_new(0), 0, pos};
    if (!c.arena)
        return SIEVE_E_NOMEM;
    sv_xval v;
    const char *s;
    size_t n;
    int rc = sv_expr_eval(&c, code, len, &v);
    if (!rc)
        rc = sv_xval_text(&c, &v, &s, &n);
    if (!rc && n && lm_buf_append(out, s, n))
        rc = SIEVE_E_NOMEM;
    sv_xctx_end(&c);
    return rc;
}
