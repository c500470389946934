/* expr_func.c — the built-in functions of expressions (vnd.stalwart.expressions; the list is
 * in sieve.h): strings, lines and lists. A list given where a string is wanted is its text. */
#include "expr.h"

#include "lm_ascii.h"

#include <string.h>

typedef int (*func_fn)(sv_xctx *c, const sv_xval *argv, sv_xval *out);

static sv_xval xint(int64_t i) { return (sv_xval){.type = SV_XV_INT, .i = i}; }
static sv_xval xstr(const char *s, size_t n)
{
    return (sv_xval){.type = SV_XV_STR, .s = s, .len = n};
}

static int is_white(int c) { return lm_is_space(c) || c == '\v' || c == '\f'; }

static int fn_len(sv_xctx *c, const sv_xval *argv, sv_xval *out)
{
    if (argv[0].type == SV_XV_LIST) {
        *out = xint((int64_t)argv[0].count);
        return 0;
    }
    const char *s;
    size_t n;
    int rc = sv_xval_text(c, &argv[0], &s, &n);
    *out = xint((int64_t)n);
    return rc;
}

static int fn_count(sv_xctx *c, const sv_xval *argv, sv_xval *out)
{
    (void)c;
    *out = xint(argv[0].type == SV_XV_LIST ? (int64_t)argv[0].count : 1);
    return 0;
}

static int fn_char_count(sv_xctx *c, const sv_xval *argv, sv_xval *out)
{
    const char *s;
    size_t n, chars = 0;
    int rc = sv_xval_text(c, &argv[0], &s, &n);
    for (size_t i = 0; !rc && i < n; i++)
        chars += ((unsigned char)s[i] & 0xC0) != 0x80;
    *out = xint((int64_t)chars);
    return rc;
}

/* trim (both ends), trim_start, trim_end: the text without white space at those ends. */
static int trim(sv_xctx *c, const sv_xval *v, int start, int end, sv_xval *out)
{
    const char *s;
    size_t n;
    int rc = sv_xval_text(c, v, &s, &n);
    if (rc)
        return rc;
    while (start && n && is_white((unsigned char)s[0])) {
        s++;
        n--;
    }
    while (end && n && is_white((unsigned char)s[n - 1]))
        n--;
    return sv_xval_string(c, s, n, out);
}

static int fn_trim(sv_xctx *c, const sv_xval *argv, sv_xval *out)
{
    return trim(c, argv, 1, 1, out);
}
static int fn_trim_start(sv_xctx *c, const sv_xval *argv, sv_xval *out)
{
    return trim(c, argv, 1, 0, out);
}
static int fn_trim_end(sv_xctx *c, const sv_xval *argv, sv_xval *out)
{
    return trim(c, argv, 0, 1, out);
}

static int change_case(sv_xctx *c, const sv_xval *v, unsigned mod, sv_xval *out)
{
    const char *s;
    size_t n;
    int rc = sv_xval_text(c, v, &s, &n);
    if (rc)
        return rc;
    lm_buf b = LM_BUF_INIT;
    rc = sv_apply_modifiers(mod, s, n, SV_EXPR_MAX_VALUE, &b);
    if (!rc)
        rc = b.oom ? SIEVE_E_NOMEM : sv_xval_string(c, b.data ? b.data : "", b.len, out);
    lm_buf_free(&b);
    return rc;
}

static int fn_lower(sv_xctx *c, const sv_xval *argv, sv_xval *out)
{
    return change_case(c, argv, SV_MOD_LOWER, out);
}
static int fn_upper(sv_xctx *c, const sv_xval *argv, sv_xval *out)
{
    return change_case(c, argv, SV_MOD_UPPER, out);
}

/* The pieces of `s` cut at each `sep` (`m` octets, not 0); with `lines` a CR before each cut
 * goes too and a last empty piece is not one. */
static int cut(sv_xctx *c, const char *s, size_t n, const char *sep, size_t m, int lines,
               sv_xval *out)
{
    size_t count = 0;
    for (size_t i = 0; i + m <= n;) {
        if (!memcmp(s + i, sep, m)) {
            count++;
            i += m;
        } else {
            i++;
        }
    }
    count++;
    if (lines && (n == 0 || (n >= m && !memcmp(s + n - m, sep, m))))
        count--; /* no line after the last line end */
    if (count > SV_MAX_LIST_ITEMS)
        return sv_run_error(c->run, c->pos, "a list in an expression grows past %d items",
                            SV_MAX_LIST_ITEMS);
    sv_xval *items = sv_xctx_alloc(c, count * sizeof *items);
    if (count && !items)
        return sv_xctx_fail(c);
    size_t k = 0, start = 0;
    for (size_t i = 0; k < count && i <= n;) {
        if (i == n || (i + m <= n && !memcmp(s + i, sep, m))) {
            size_t end = i;
            if (lines && end > start && s[end - 1] == '\r')
                end--;
            items[k++] = xstr(s + start, end - start);
            i += m;
            start = i;
        } else {
            i++;
        }
    }
    *out = (sv_xval){.type = SV_XV_LIST, .items = items, .count = k};
    return 0;
}

static int fn_lines(sv_xctx *c, const sv_xval *argv, sv_xval *out)
{
    const char *s;
    size_t n;
    int rc = sv_xval_text(c, &argv[0], &s, &n);
    return rc ? rc : cut(c, s, n, "\n", 1, 1, out);
}

static int fn_split(sv_xctx *c, const sv_xval *argv, sv_xval *out)
{
    const char *s, *sep;
    size_t n, m;
    int rc = sv_xval_text(c, &argv[0], &s, &n);
    if (!rc)
        rc = sv_xval_text(c, &argv[1], &sep, &m);
    if (rc)
        return rc;
    if (m == 0) {
        sv_xval *one = sv_xctx_alloc(c, sizeof *one);
        if (!one)
            return sv_xctx_fail(c);
        *one = xstr(s, n);
        *out = (sv_xval){.type = SV_XV_LIST, .items = one, .count = 1};
        return 0;
    }
    return cut(c, s, n, sep, m, 0, out);
}

static int has_item(const sv_xval *list, const sv_xval *x)
{
    if (list->type != SV_XV_LIST)
        return sv_xval_equal(list, x);
    for (size_t i = 0; i < list->count; i++)
        if (sv_xval_equal(&list->items[i], x))
            return 1;
    return 0;
}

/* Where `t` (m octets) occurs in `s` (n octets): 1 found at `at` (0: anywhere, 1: the start,
 * 2: the end), else 0. */
static int find(const char *s, size_t n, const char *t, size_t m, int at)
{
    if (m > n)
        return 0;
    if (at == 1)
        return !memcmp(s, t, m);
    if (at == 2)
        return !memcmp(s + n - m, t, m);
    for (size_t i = 0; i + m <= n; i++)
        if (!memcmp(s + i, t, m))
            return 1;
    return 0;
}

static int text_find(sv_xctx *c, const sv_xval *argv, int at, sv_xval *out)
{
    const char *s, *t;
    size_t n, m;
    int rc = sv_xval_text(c, &argv[0], &s, &n);
    if (!rc)
        rc = sv_xval_text(c, &argv[1], &t, &m);
    *out = xint(!rc && find(s, n, t, m, at));
    return rc;
}

static int fn_contains(sv_xctx *c, const sv_xval *argv, sv_xval *out)
{
    if (argv[0].type == SV_XV_LIST) {
        *out = xint(has_item(&argv[0], &argv[1]));
        return 0;
    }
    return text_find(c, argv, 0, out);
}

static int fn_starts_with(sv_xctx *c, const sv_xval *argv, sv_xval *out)
{
    return text_find(c, argv, 1, out);
}
static int fn_ends_with(sv_xctx *c, const sv_xval *argv, sv_xval *out)
{
    return text_find(c, argv, 2, out);
}

static int fn_in_array(sv_xctx *c, const sv_xval *argv, sv_xval *out)
{
    (void)c;
    *out = xint(has_item(&argv[0], &argv[1]));
    return 0;
}

static int fn_is_empty(sv_xctx *c, const sv_xval *argv, sv_xval *out)
{
    (void)c;
    const sv_xval *v = &argv[0];
    *out = xint(v->type == SV_XV_LIST ? v->count == 0 : v->type == SV_XV_STR && v->len == 0);
    return 0;
}

static int fn_is_number(sv_xctx *c, const sv_xval *argv, sv_xval *out)
{
    (void)c;
    const sv_xval *v = &argv[0];
    *out = xint(v->type == SV_XV_INT || v->type == SV_XV_FLOAT ||
                (v->type == SV_XV_STR && sv_xval_from_text(v->s, v->len).type != SV_XV_STR));
    return 0;
}

/* The index of each is its number in the code: append only (saved bytecode names them). */
static const struct func {
    const char *name;
    unsigned args;
    func_fn fn;
} funcs[] = {
    {"len", 1, fn_len},
    {"count", 1, fn_count},
    {"char_count", 1, fn_char_count},
    {"trim", 1, fn_trim},
    {"trim_start", 1, fn_trim_start},
    {"trim_end", 1, fn_trim_end},
    {"to_lowercase", 1, fn_lower},
    {"to_uppercase", 1, fn_upper},
    {"lines", 1, fn_lines},
    {"split", 2, fn_split},
    {"contains", 2, fn_contains},
    {"in_array", 2, fn_in_array},
    {"starts_with", 2, fn_starts_with},
    {"ends_with", 2, fn_ends_with},
    {"is_empty", 1, fn_is_empty},
    {"is_number", 1, fn_is_number},
};
#define NFUNCS (sizeof funcs / sizeof funcs[0])

int sv_expr_func_find(const char *name, size_t len, unsigned *args)
{
    for (size_t i = 0; i < NFUNCS; i++)
        if (strlen(funcs[i].name) == len && !memcmp(funcs[i].name, name, len)) {
            *args = funcs[i].args;
            return (int)i;
        }
    return -1;
}

unsigned sv_expr_func_args(int i)
{
    return i >= 0 && (size_t)i < NFUNCS ? funcs[i].args : 0xffffffffu;
}

int sv_expr_func_call(sv_xctx *c, int i, const sv_xval *argv, sv_xval *out)
{
    if (i < 0 || (size_t)i >= NFUNCS)
        return sv_run_error(c->run, c->pos, "corrupt expression code");
    /* The work grows with the arguments: one instruction per KiB of text or 64 items. */
    uint64_t size = 0;
    for (unsigned k = 0; k < funcs[i].args; k++)
        size += argv[k].type == SV_XV_STR ? argv[k].len / 1024 + 1
                : argv[k].type == SV_XV_LIST ? argv[k].count / 64 + 1 : 1;
    int rc = sv_xctx_charge(c, size);
    return rc ? rc : funcs[i].fn(c, argv, out);
}
