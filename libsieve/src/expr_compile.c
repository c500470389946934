/* expr_compile.c — expressions of vnd.stalwart.expressions from text to code (the grammar is
 * in sieve.h, the code in expr.h), and the check of code read from saved bytecode. The parser
 * descends one function per precedence level; nesting is counted (SV_EXPR_MAX_DEPTH), so the
 * recursion is bounded whatever the input. */
#include "expr.h"

#include "lm_alloc.h"
#include "lm_ascii.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- tokens ------------------------------------------------------------------------------ */

typedef enum {
    T_END = 0, T_INT, T_FLOAT, T_STR, T_WORD, T_OP, T_LPAREN, T_RPAREN, T_LBRACK, T_RBRACK,
    T_COMMA, T_BAD
} tok_kind;

typedef struct xp {
    const sieve_engine *e;
    const char *s;
    size_t n, at;
    lm_buf *out;
    unsigned depth;
    char *err;
    size_t errlen;
    int failed;
    /* the current token */
    tok_kind kind;
    int op;                    /* T_OP: X_* (X_NOT for "!", X_SUB for "-") */
    int64_t i;
    double f;
    const char *text;          /* T_STR (decoded, in `sbuf`), T_WORD (in the source) */
    size_t tlen;
    lm_buf sbuf;
} xp;

static void fail(xp *p, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void fail(xp *p, const char *fmt, ...)
{
    if (p->failed++)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err, p->errlen, fmt, ap);
    va_end(ap);
}

static int word_char(int c, int header)
{
    return lm_is_alnum(c) || c == '_' || c == '.' ||
           (header && (c == '[' || c == ']' || c == '*' || c == '-' || c == ':'));
}

static void lex_string(xp *p, char quote)
{
    lm_buf_reset(&p->sbuf);
    while (p->at < p->n && p->s[p->at] != quote) {
        char c = p->s[p->at++];
        if (c == '\\' && p->at < p->n) {
            c = p->s[p->at++];
            c = c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : c;
        }
        lm_buf_putc(&p->sbuf, (unsigned char)c);
    }
    if (p->at >= p->n) {
        fail(p, "a string in the expression is not closed");
        p->kind = T_BAD;
        return;
    }
    p->at++;
    p->kind = T_STR;
    p->text = p->sbuf.data ? p->sbuf.data : "";
    p->tlen = p->sbuf.len;
}

static void lex_number(xp *p)
{
    uint64_t v = 0;
    size_t start = p->at;
    int overflow = 0;
    while (p->at < p->n && lm_is_digit((unsigned char)p->s[p->at])) {
        unsigned d = (unsigned)(p->s[p->at++] - '0');
        if (v > (UINT64_C(9223372036854775807) - d) / 10)
            overflow = 1;
        else
            v = v * 10 + d;
    }
    int is_float = 0;
    if (p->at + 1 < p->n && p->s[p->at] == '.' && lm_is_digit((unsigned char)p->s[p->at + 1])) {
        is_float = 1;
        p->at++;
        while (p->at < p->n && lm_is_digit((unsigned char)p->s[p->at]))
            p->at++;
    }
    if (p->at < p->n && (lm_is_alpha((unsigned char)p->s[p->at]) || p->s[p->at] == '_' ||
                         p->s[p->at] == '.')) {
        fail(p, "invalid number \"%.*s\"", (int)(p->at + 1 - start), p->s + start);
        p->kind = T_BAD;
        return;
    }
    if (is_float) {
        char buf[64];
        size_t k = p->at - start;
        if (k >= sizeof buf) {
            fail(p, "a number in the expression is too long");
            p->kind = T_BAD;
            return;
        }
        memcpy(buf, p->s + start, k);
        buf[k] = '\0';
        p->kind = T_FLOAT;
        p->f = strtod(buf, NULL);
        return;
    }
    if (overflow) {
        fail(p, "the integer \"%.*s\" is too large", (int)(p->at - start), p->s + start);
        p->kind = T_BAD;
        return;
    }
    p->kind = T_INT;
    p->i = (int64_t)v;
}

/* Two-character operators first, then one-character ones. */
static const struct {
    const char *text;
    int op;
} operators[] = {
    {"&&", X_AND}, {"||", X_OR}, {"!=", X_NE}, {"==", X_EQ}, {"=>", X_GE}, {"=<", X_LE},
    {">=", X_GE}, {"<=", X_LE}, {"&", X_AND}, {"|", X_OR}, {"^", X_XOR}, {"!", X_NOT},
    {"=", X_EQ}, {">", X_GT}, {"<", X_LT}, {"+", X_ADD}, {"-", X_SUB}, {"*", X_MUL},
    {"/", X_DIV},
};

static void next(xp *p)
{
    while (p->at < p->n && lm_is_space((unsigned char)p->s[p->at]))
        p->at++;
    if (p->at >= p->n) {
        p->kind = T_END;
        return;
    }
    char c = p->s[p->at];
    static const char single[] = "()[],";
    const char *k = strchr(single, c);
    if (c && k) {
        static const tok_kind kinds[] = {T_LPAREN, T_RPAREN, T_LBRACK, T_RBRACK, T_COMMA};
        p->kind = kinds[k - single];
        p->at++;
        return;
    }
    if (c == '\'' || c == '"') {
        p->at++;
        lex_string(p, c);
        return;
    }
    if (lm_is_digit((unsigned char)c)) {
        lex_number(p);
        return;
    }
    if (lm_is_alpha((unsigned char)c) || c == '_') {
        size_t start = p->at;
        int header = p->n - start > 7 && !memcmp(p->s + start, "header.", 7);
        while (p->at < p->n && word_char((unsigned char)p->s[p->at], header))
            p->at++;
        p->kind = T_WORD;
        p->text = p->s + start;
        p->tlen = p->at - start;
        return;
    }
    for (size_t i = 0; i < sizeof operators / sizeof operators[0]; i++) {
        size_t k2 = strlen(operators[i].text);
        if (p->n - p->at >= k2 && !memcmp(p->s + p->at, operators[i].text, k2)) {
            p->at += k2;
            p->kind = T_OP;
            p->op = operators[i].op;
            return;
        }
    }
    fail(p, "unexpected character '%c' in the expression", c);
    p->kind = T_BAD;
}

/* ---- emitting ---------------------------------------------------------------------------- */

static void put(xp *p, uint64_t x, size_t width)
{
    for (size_t i = 0; i < width; i++)
        lm_buf_putc(p->out, (int)(x >> (8 * i) & 0xff));
}

static void put_name(xp *p, int op, int kind, const char *s, size_t n)
{
    put(p, (unsigned)op, 1);
    if (op == X_VAR)
        put(p, (unsigned)kind, 1);
    put(p, n, 2);
    lm_buf_append(p->out, s, n);
}

/* ---- parsing ----------------------------------------------------------------------------- */

static void parse_expr(xp *p, int level);

static int enter(xp *p)
{
    if (++p->depth > SV_EXPR_MAX_DEPTH) {
        fail(p, "the expression is nested more than %d deep", SV_EXPR_MAX_DEPTH);
        return 0;
    }
    return 1;
}

static int expect(xp *p, tok_kind k, const char *what)
{
    if (p->kind != k) {
        fail(p, "expected %s in the expression", what);
        return 0;
    }
    next(p);
    return 1;
}

/* Arguments of a call or items of a list up to `close`; returns how many. */
static size_t parse_list(xp *p, tok_kind close, const char *what)
{
    size_t n = 0;
    if (p->kind == close) {
        next(p);
        return 0;
    }
    while (!p->failed) {
        parse_expr(p, 1);
        n++;
        if (p->kind == T_COMMA) {
            next(p);
            continue;
        }
        expect(p, close, what);
        break;
    }
    return n;
}

static void parse_call(xp *p, const char *name, size_t len)
{
    unsigned want = 0;
    int builtin = sv_expr_func_find(name, len, &want);
    const sieve_function *host = NULL;
    for (size_t i = 0; builtin < 0 && i < p->e->nfunctions; i++)
        if (strlen(p->e->functions[i].name) == len && !memcmp(p->e->functions[i].name, name, len))
            host = &p->e->functions[i];
    if (builtin < 0 && !host) {
        fail(p, "unknown function \"%.*s\"", (int)len, name);
        return;
    }
    if (host)
        want = host->args;
    next(p); /* the "(" */
    size_t n = parse_list(p, T_RPAREN, "\")\" after the arguments");
    if (p->failed)
        return;
    if (n != want) {
        fail(p, "the function \"%.*s\" takes %u argument%s, not %zu", (int)len, name, want,
             want == 1 ? "" : "s", n);
        return;
    }
    if (builtin >= 0) {
        put(p, X_CALL, 1);
        put(p, (unsigned)builtin, 1);
        put(p, n, 1);
    } else {
        put(p, X_EXT, 1);
        put(p, n, 1);
        put(p, len, 2);
        lm_buf_append(p->out, name, len);
    }
}

static void parse_variable(xp *p, const char *w, size_t n)
{
    if (n > SV_EXPR_MAX_NAME) {
        fail(p, "the name \"%.20s…\" is too long", w);
        return;
    }
    if (n == 4 && !memcmp(w, "true", 4)) {
        put(p, X_INT, 1);
        put(p, 1, 8);
        return;
    }
    if (n == 5 && !memcmp(w, "false", 5)) {
        put(p, X_INT, 1);
        put(p, 0, 8);
        return;
    }
    static const struct {
        const char *prefix;
        int kind;
    } spaces[] = {{"global.", X_VAR_GLOBAL}, {"header.", X_VAR_HEADER}, {"body.", X_VAR_BODY}};
    for (size_t i = 0; i < sizeof spaces / sizeof spaces[0]; i++) {
        size_t k = strlen(spaces[i].prefix);
        if (n > k && lm_eq_nocase(w, k, spaces[i].prefix)) {
            const char *rest = w + k;
            size_t rn = n - k;
            int ok = spaces[i].kind == X_VAR_GLOBAL ? sv_var_name_valid(rest, rn, 0)
                     : spaces[i].kind == X_VAR_HEADER ? sv_expr_header_valid(rest, rn)
                     : sv_expr_body_valid(rest, rn);
            if (!ok) {
                fail(p, "invalid variable \"%.*s\" in the expression", (int)n, w);
                return;
            }
            put_name(p, X_VAR, spaces[i].kind, rest, rn);
            return;
        }
    }
    if (!sv_var_name_valid(w, n, 0)) {
        fail(p, "invalid variable \"%.*s\" in the expression", (int)n, w);
        return;
    }
    put_name(p, X_VAR, X_VAR_LOCAL, w, n);
}

static void parse_primary(xp *p)
{
    switch (p->kind) {
    case T_INT:
        put(p, X_INT, 1);
        put(p, (uint64_t)p->i, 8);
        next(p);
        return;
    case T_FLOAT: {
        uint64_t bits;
        memcpy(&bits, &p->f, sizeof bits);
        put(p, X_FLOAT, 1);
        put(p, bits, 8);
        next(p);
        return;
    }
    case T_STR:
        put_name(p, X_STR, 0, p->text, p->tlen);
        next(p);
        return;
    case T_LPAREN:
        if (!enter(p))
            return;
        next(p);
        parse_expr(p, 1);
        expect(p, T_RPAREN, "\")\"");
        p->depth--;
        return;
    case T_LBRACK: {
        if (!enter(p))
            return;
        next(p);
        size_t n = parse_list(p, T_RBRACK, "\"]\" after the list");
        if (n > SV_EXPR_MAX_STACK)
            fail(p, "a list in the expression has more than %d items", SV_EXPR_MAX_STACK);
        put(p, X_ARRAY, 1);
        put(p, n, 2);
        p->depth--;
        return;
    }
    case T_WORD: {
        const char *w = p->text;
        size_t n = p->tlen;
        next(p);
        if (p->kind == T_LPAREN) {
            if (enter(p)) {
                parse_call(p, w, n);
                p->depth--;
            }
            return;
        }
        parse_variable(p, w, n);
        return;
    }
    case T_END:
        fail(p, "the expression ends where a value was expected");
        return;
    default:
        fail(p, "a value was expected in the expression");
        return;
    }
}

static void parse_unary(xp *p)
{
    if (p->kind == T_OP && (p->op == X_NOT || p->op == X_SUB)) {
        int op = p->op == X_NOT ? X_NOT : X_NEG;
        if (!enter(p))
            return;
        next(p);
        parse_unary(p);
        put(p, (unsigned)op, 1);
        p->depth--;
        return;
    }
    parse_primary(p);
    while (!p->failed && p->kind == T_LBRACK) {
        if (!enter(p))
            return;
        next(p);
        parse_expr(p, 1);
        expect(p, T_RBRACK, "\"]\" after the index");
        put(p, X_INDEX, 1);
        p->depth--;
    }
}

/* The precedence of a binary operator (1 binds least), 0 for none. */
static int precedence(int op)
{
    switch (op) {
    case X_OR: return 1;
    case X_AND: return 2;
    case X_XOR: return 3;
    case X_EQ: case X_NE: return 4;
    case X_LT: case X_LE: case X_GT: case X_GE: return 5;
    case X_ADD: case X_SUB: return 6;
    case X_MUL: case X_DIV: return 7;
    default: return 0;
    }
}

static void parse_expr(xp *p, int level)
{
    if (level > 7) {
        parse_unary(p);
        return;
    }
    parse_expr(p, level + 1);
    while (!p->failed && p->kind == T_OP && precedence(p->op) == level) {
        int op = p->op;
        next(p);
        size_t at = 0;
        if (op == X_AND || op == X_OR) {
            put(p, (unsigned)op, 1);
            at = p->out->len;
            put(p, 0, 2);
        }
        parse_expr(p, level + 1);
        if (op == X_AND || op == X_OR) {
            put(p, X_BOOL, 1);
            size_t skip = p->out->len - at - 2;
            if (skip > 0xffff) {
                fail(p, "the expression is too long");
                return;
            }
            if (!p->out->oom) {
                p->out->data[at] = (char)(skip & 0xff);
                p->out->data[at + 1] = (char)(skip >> 8);
            }
        } else {
            put(p, (unsigned)op, 1);
        }
    }
}

int sv_expr_compile(const sieve_engine *e, const char *src, size_t len, lm_buf *out, char *err,
                    size_t errlen)
{
    if (errlen)
        err[0] = '\0';
    if (len > SV_EXPR_MAX_SOURCE) {
        snprintf(err, errlen, "the expression is longer than %d octets", SV_EXPR_MAX_SOURCE);
        return SIEVE_E_SYNTAX;
    }
    size_t start = out->len;
    lm_buf code = LM_BUF_INIT;
    xp p = {.e = e, .s = src, .n = len, .out = &code, .err = err, .errlen = errlen};
    next(&p);
    if (p.kind == T_END) /* an empty expression is "" (let "x" "" empties x) */
        put_name(&p, X_STR, 0, "", 0);
    else
        parse_expr(&p, 1);
    if (!p.failed && p.kind != T_END)
        fail(&p, "unexpected text after the expression: \"%.*s\"",
             (int)(len - p.at < 20 ? len - p.at : 20), src + p.at);
    int rc = 0;
    if (code.oom || p.sbuf.oom)
        rc = SIEVE_E_NOMEM;
    else if (p.failed)
        rc = SIEVE_E_SYNTAX;
    else if (sv_expr_verify(e, code.data, code.len)) {
        snprintf(err, errlen, "the expression is too complex (more than %d values pending, or "
                 "over 64 KiB of code)", SV_EXPR_MAX_STACK);
        rc = SIEVE_E_SYNTAX;
    } else if (lm_buf_append(out, code.data, code.len)) {
        rc = SIEVE_E_NOMEM;
    }
    if (rc && out->len > start && !out->oom) {
        out->len = start;
        out->data[start] = '\0';
    }
    lm_buf_free(&code);
    lm_buf_free(&p.sbuf);
    return rc;
}

/* ---- verifying --------------------------------------------------------------------------- */

static int host_function(const sieve_engine *e, const char *name, size_t len, unsigned argc)
{
    for (size_t i = 0; i < e->nfunctions; i++)
        if (strlen(e->functions[i].name) == len && !memcmp(e->functions[i].name, name, len))
            return e->functions[i].args == argc;
    return 0;
}

/* One operation at r->at: its effect on the stack (values taken, values given) and, for
 * X_AND/X_OR, where it jumps. 0, or -1 when malformed. */
static int verify_op(const sieve_engine *e, sv_reader *r, size_t *take, size_t *give,
                     size_t *jump)
{
    int op = (int)sv_read_int(r, 1);
    *take = 0;
    *give = 1;
    *jump = 0;
    switch (op) {
    case X_INT:
    case X_FLOAT:
        sv_read_int(r, 8);
        break;
    case X_STR: {
        size_t n;
        sv_read_bytes(r, &n);
        break;
    }
    case X_VAR: {
        int kind = (int)sv_read_int(r, 1);
        size_t n;
        const char *name = sv_read_bytes(r, &n);
        if (!name || n == 0 || n > SV_EXPR_MAX_NAME)
            return -1;
        int ok = kind == X_VAR_LOCAL || kind == X_VAR_GLOBAL ? sv_var_name_valid(name, n, 0)
                 : kind == X_VAR_HEADER ? sv_expr_header_valid(name, n)
                 : kind == X_VAR_BODY ? sv_expr_body_valid(name, n) : 0;
        if (!ok)
            return -1;
        break;
    }
    case X_NEG: case X_NOT: case X_BOOL:
        *take = 1;
        break;
    case X_ADD: case X_SUB: case X_MUL: case X_DIV: case X_EQ: case X_NE: case X_LT:
    case X_LE: case X_GT: case X_GE: case X_XOR: case X_INDEX:
        *take = 2;
        break;
    case X_AND: case X_OR:
        *jump = (size_t)sv_read_int(r, 2);
        *take = 1;
        *give = 0;
        if (*jump == 0)
            return -1;
        break;
    case X_ARRAY:
        *take = (size_t)sv_read_int(r, 2);
        break;
    case X_CALL: {
        int f = (int)sv_read_int(r, 1);
        *take = (size_t)sv_read_int(r, 1);
        if (r->bad || f >= 64 || sv_expr_func_args(f) != *take)
            return -1;
        break;
    }
    case X_EXT: {
        *take = (size_t)sv_read_int(r, 1);
        size_t n;
        const char *name = sv_read_bytes(r, &n);
        if (!name || !host_function(e, name, n, (unsigned)*take))
            return -1;
        break;
    }
    default:
        return -1;
    }
    return r->bad ? -1 : 0;
}

int sv_expr_verify(const sieve_engine *e, const char *code, size_t len)
{
    if (!code || len == 0 || len > 0xffff)
        return SIEVE_E_SYNTAX;
    /* want[p]: the stack depth a jump to p left, + 1 (0: no jump lands there). */
    uint16_t *want = lm_calloc(len + 1, sizeof *want);
    if (!want)
        return SIEVE_E_NOMEM;
    sv_reader r = {(const uint8_t *)code, len, 0, 0};
    size_t depth = 0;
    int ok = 1;
    while (ok && r.at < len) {
        size_t at = r.at, take, give, jump;
        ok = (!want[at] || want[at] - 1u == depth) &&
             !verify_op(e, &r, &take, &give, &jump) && take <= depth;
        if (ok && jump) {
            /* Forward, onto an operation or the end (checked when reached: every position
             * reached is an operation's start), the value kept. */
            ok = jump <= len - r.at && (!want[r.at + jump] || want[r.at + jump] - 1u == depth);
            if (ok)
                want[r.at + jump] = (uint16_t)(depth + 1);
        }
        if (ok)
            depth = depth - take + give;
        ok = ok && depth <= SV_EXPR_MAX_STACK;
        /* A jump target passed over inside this operation's operands lands mid-operation. */
        for (size_t k = at + 1; ok && k < r.at; k++)
            ok = !want[k];
    }
    ok = ok && (!want[len] || want[len] - 1u == depth) && depth == 1;
    lm_free(want);
    return ok ? 0 : SIEVE_E_SYNTAX;
}
