/* expr_eval.c — running the code of an expression (expr.h) in a run: the values (integers,
 * floats, strings, lists), their operators as vnd.stalwart.expressions defines them (sieve.h),
 * variables, and calls of built-in and host functions. Every allocation of an evaluation is
 * counted against SV_EXPR_MAX_MEMORY, every operation against the run's budget, and the code
 * is read with bounds checks even though the loader verified it. */
#include "expr.h"

#include "lm_alloc.h"
#include "lm_ascii.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- memory ------------------------------------------------------------------------------ */

enum { XCTX_OK = 0, XCTX_NOMEM, XCTX_LIMIT };

void *sv_xctx_alloc(sv_xctx *c, size_t n)
{
    if (n > SV_EXPR_MAX_MEMORY || c->used > SV_EXPR_MAX_MEMORY - n) {
        c->used = SIZE_MAX; /* sticky: the evaluation is over its bound */
        return NULL;
    }
    void *p = lm_arena_alloc(c->arena, n ? n : 1);
    if (p)
        c->used += n;
    return p;
}

int sv_xctx_fail(sv_xctx *c)
{
    if (c->used == SIZE_MAX)
        return sv_run_error(c->run, c->pos, "an expression needs more than %zu MiB",
                            SV_EXPR_MAX_MEMORY >> 20);
    return SIEVE_E_NOMEM;
}

int sv_xctx_charge(sv_xctx *c, uint64_t units)
{
    sv_run *r = c->run;
    if (r->budget < units) {
        r->budget = 0;
        return sv_run_error(r, c->pos, "the script ran too long (over %llu instructions)",
                            (unsigned long long)r->opts->max_instructions);
    }
    r->budget -= units;
    return 0;
}

int sv_xval_string(sv_xctx *c, const char *s, size_t n, sv_xval *out)
{
    memset(out, 0, sizeof *out);
    out->type = SV_XV_STR;
    if (n > SV_EXPR_MAX_VALUE) {
        c->used = SIZE_MAX;
        return sv_xctx_fail(c);
    }
    char *copy = sv_xctx_alloc(c, n + 1);
    if (!copy)
        return sv_xctx_fail(c);
    if (n)
        memcpy(copy, s, n);
    copy[n] = '\0';
    out->s = copy;
    out->len = n;
    return 0;
}

/* ---- numbers and text --------------------------------------------------------------------- */

static sv_xval xint(int64_t i) { return (sv_xval){.type = SV_XV_INT, .i = i}; }
static sv_xval xfloat(double f) { return (sv_xval){.type = SV_XV_FLOAT, .f = f}; }
static sv_xval xempty(void) { return (sv_xval){.type = SV_XV_STR, .s = "", .len = 0}; }

/* A whole integer (optional sign, digits), within int64. */
static int parse_int(const char *s, size_t n, int64_t *out)
{
    size_t i = 0;
    int neg = 0;
    if (n && (s[0] == '-' || s[0] == '+'))
        neg = s[i++] == '-';
    if (i == n)
        return 0;
    uint64_t v = 0, lim = neg ? UINT64_C(9223372036854775808) : UINT64_C(9223372036854775807);
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (lim - d) / 10)
            return 0;
        v = v * 10 + d;
    }
    *out = neg ? (v == UINT64_C(9223372036854775808) ? INT64_MIN : -(int64_t)v) : (int64_t)v;
    return 1;
}

/* A whole float: sign, digits with an optional point and fraction, optional exponent. */
static int parse_float(const char *s, size_t n, double *out)
{
    char buf[64];
    if (n == 0 || n >= sizeof buf)
        return 0;
    size_t i = 0, digits = 0;
    if (s[0] == '-' || s[0] == '+')
        i++;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
        digits++;
    if (i < n && s[i] == '.')
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            digits++;
    if (!digits)
        return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '-' || s[i] == '+'))
            i++;
        size_t e = i;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            ;
        if (i == e)
            return 0;
    }
    if (i != n)
        return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    *out = strtod(buf, NULL);
    return 1;
}

sv_xval sv_xval_from_text(const char *s, size_t n)
{
    int64_t i;
    double f;
    if (parse_int(s, n, &i))
        return xint(i);
    if (parse_float(s, n, &f))
        return xfloat(f);
    return (sv_xval){.type = SV_XV_STR, .s = s, .len = n};
}

sv_xval sv_xval_number(const sv_xval *v)
{
    switch (v->type) {
    case SV_XV_INT:
    case SV_XV_FLOAT:
        return *v;
    case SV_XV_STR: {
        sv_xval x = sv_xval_from_text(v->s, v->len);
        return x.type == SV_XV_STR ? xint(0) : x;
    }
    default:
        return xint(v->count == 0);
    }
}

/* The shortest decimal form of `f` that reads back as `f`, without an exponent. */
static size_t float_text(double f, char *out, size_t size)
{
    if (isnan(f))
        return (size_t)snprintf(out, size, "NaN");
    if (isinf(f))
        return (size_t)snprintf(out, size, f < 0 ? "-inf" : "inf");
    char e[40];
    int prec = 1;
    for (; prec < 17; prec++) {
        snprintf(e, sizeof e, "%.*e", prec - 1, f);
        if (strtod(e, NULL) == f)
            break;
    }
    snprintf(e, sizeof e, "%.*e", prec - 1, f);
    /* e: [-]d[.ddd]e[+-]xx */
    const char *p = e;
    size_t n = 0;
    if (*p == '-' && n < size - 1)
        out[n++] = *p++;
    char digits[20];
    size_t nd = 0;
    for (; *p && *p != 'e'; p++)
        if (*p != '.' && nd < sizeof digits)
            digits[nd++] = *p;
    int exp10 = *p == 'e' ? atoi(p + 1) : 0;
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    if (exp10 < 0) {
        for (int k = 0; k < 1 - exp10 && n < size - 1; k++)
            out[n++] = k == 1 ? '.' : '0';
        for (size_t k = 0; k < nd && n < size - 1; k++)
            out[n++] = digits[k];
    } else {
        for (int k = 0; k <= exp10 && n < size - 1; k++)
            out[n++] = (size_t)k < nd ? digits[k] : '0';
        if ((size_t)exp10 + 1 < nd && n < size - 1) {
            out[n++] = '.';
            for (size_t k = (size_t)exp10 + 1; k < nd && n < size - 1; k++)
                out[n++] = digits[k];
        }
    }
    out[n] = '\0';
    return n;
}

/* Appends the text of `v` to `b`, at most SV_EXPR_MAX_VALUE octets in all. */
static int append_text(lm_buf *b, const sv_xval *v)
{
    char num[400];
    const char *s = num;
    size_t n = 0;
    switch (v->type) {
    case SV_XV_INT:
        n = (size_t)snprintf(num, sizeof num, "%lld", (long long)v->i);
        break;
    case SV_XV_FLOAT:
        n = float_text(v->f, num, sizeof num);
        break;
    case SV_XV_STR:
        s = v->s;
        n = v->len;
        break;
    default:
        for (size_t i = 0; i < v->count; i++) {
            if ((i && lm_buf_append(b, "\r\n", 2)) || append_text(b, &v->items[i]))
                return -1;
        }
        return 0;
    }
    if (b->len + n > SV_EXPR_MAX_VALUE)
        return -1;
    return lm_buf_append(b, s, n);
}

int sv_xval_text(sv_xctx *c, const sv_xval *v, const char **s, size_t *n)
{
    if (v->type == SV_XV_STR) {
        *s = v->s;
        *n = v->len;
        return 0;
    }
    lm_buf b = LM_BUF_INIT;
    int over = append_text(&b, v) && !b.oom;
    int rc = 0;
    if (over) {
        c->used = SIZE_MAX;
        rc = sv_xctx_fail(c);
    } else if (b.oom) {
        rc = SIEVE_E_NOMEM;
    } else {
        sv_xval t;
        rc = sv_xval_string(c, b.data ? b.data : "", b.len, &t);
        *s = t.s;
        *n = t.len;
    }
    lm_buf_free(&b);
    return rc;
}

int sv_xval_truth(const sv_xval *v)
{
    switch (v->type) {
    case SV_XV_INT: return v->i != 0;
    case SV_XV_FLOAT: return v->f != 0.0;
    case SV_XV_STR: return v->len != 0;
    default: return v->count != 0;
    }
}

static int is_num(const sv_xval *v) { return v->type == SV_XV_INT || v->type == SV_XV_FLOAT; }
static double as_double(const sv_xval *v) { return v->type == SV_XV_INT ? (double)v->i : v->f; }

/* Orders two values: -1, 0, 1, or 2 when they have no order (NaN). */
static int order(const sv_xval *a, const sv_xval *b)
{
    if (a->type == SV_XV_INT && b->type == SV_XV_INT)
        return a->i < b->i ? -1 : a->i > b->i;
    if (is_num(a) && is_num(b)) {
        double x = as_double(a), y = as_double(b);
        return x < y ? -1 : x > y ? 1 : x == y ? 0 : 2;
    }
    if (a->type == SV_XV_STR && b->type == SV_XV_STR) {
        int k = memcmp(a->s, b->s, a->len < b->len ? a->len : b->len);
        return k ? (k < 0 ? -1 : 1) : a->len < b->len ? -1 : a->len > b->len;
    }
    if (a->type == SV_XV_STR && is_num(b)) {
        sv_xval x = sv_xval_number(a);
        return order(&x, b);
    }
    if (is_num(a) && b->type == SV_XV_STR) {
        sv_xval y = sv_xval_number(b);
        return order(a, &y);
    }
    if (a->type == SV_XV_LIST && b->type == SV_XV_LIST) {
        for (size_t i = 0; i < a->count && i < b->count; i++) {
            int k = order(&a->items[i], &b->items[i]);
            if (k)
                return k;
        }
        return a->count < b->count ? -1 : a->count > b->count;
    }
    return a->type == SV_XV_LIST || a->type == SV_XV_STR ? 1 : -1;
}

int sv_xval_equal(const sv_xval *a, const sv_xval *b)
{
    if (a->type == SV_XV_LIST || b->type == SV_XV_LIST) {
        if (a->type != b->type || a->count != b->count)
            return 0;
        for (size_t i = 0; i < a->count; i++)
            if (!sv_xval_equal(&a->items[i], &b->items[i]))
                return 0;
        return 1;
    }
    return order(a, b) == 0;
}

/* ---- operators --------------------------------------------------------------------------- */

static int64_t sat_add(int64_t a, int64_t b)
{
    if (b > 0 && a > INT64_MAX - b)
        return INT64_MAX;
    if (b < 0 && a < INT64_MIN - b)
        return INT64_MIN;
    return a + b;
}

static int64_t sat_mul(int64_t a, int64_t b)
{
    if (a == 0 || b == 0)
        return 0;
    int neg = (a < 0) != (b < 0);
    uint64_t x = a < 0 ? (uint64_t)0 - (uint64_t)a : (uint64_t)a;
    uint64_t y = b < 0 ? (uint64_t)0 - (uint64_t)b : (uint64_t)b;
    uint64_t lim = neg ? UINT64_C(9223372036854775808) : UINT64_C(9223372036854775807);
    if (x > lim / y)
        return neg ? INT64_MIN : INT64_MAX;
    uint64_t p = x * y;
    return neg ? (p == UINT64_C(9223372036854775808) ? INT64_MIN : -(int64_t)p) : (int64_t)p;
}

/* A list of `n` values from `a` and `b` (either may be a list: its items). */
static int join_lists(sv_xctx *c, const sv_xval *a, const sv_xval *b, sv_xval *out)
{
    size_t na = a->type == SV_XV_LIST ? a->count : 1, nb = b->type == SV_XV_LIST ? b->count : 1;
    if (na + nb > SV_MAX_LIST_ITEMS)
        return sv_run_error(c->run, c->pos, "a list in an expression grows past %d items",
                            SV_MAX_LIST_ITEMS);
    sv_xval *items = sv_xctx_alloc(c, (na + nb) * sizeof *items);
    if (!items)
        return sv_xctx_fail(c);
    if (a->type == SV_XV_LIST)
        memcpy(items, a->items, na * sizeof *items);
    else
        items[0] = *a;
    if (b->type == SV_XV_LIST)
        memcpy(items + na, b->items, nb * sizeof *items);
    else
        items[na] = *b;
    *out = (sv_xval){.type = SV_XV_LIST, .items = items, .count = na + nb};
    return 0;
}

static int op_add(sv_xctx *c, const sv_xval *a, const sv_xval *b, sv_xval *out)
{
    if (a->type == SV_XV_INT && b->type == SV_XV_INT) {
        *out = xint(sat_add(a->i, b->i));
        return 0;
    }
    if (is_num(a) && is_num(b)) {
        *out = xfloat(as_double(a) + as_double(b));
        return 0;
    }
    if (a->type == SV_XV_LIST || b->type == SV_XV_LIST)
        return join_lists(c, a, b, out);
    /* A string joins with the text of the other side; an empty one gives the other side. */
    if ((a->type == SV_XV_STR && !a->len) || (b->type == SV_XV_STR && !b->len)) {
        *out = a->type == SV_XV_STR && !a->len ? *b : *a;
        return 0;
    }
    const char *s, *t;
    size_t n, m;
    int rc = sv_xval_text(c, a, &s, &n);
    if (!rc)
        rc = sv_xval_text(c, b, &t, &m);
    if (rc)
        return rc;
    if (n + m > SV_EXPR_MAX_VALUE) {
        c->used = SIZE_MAX;
        return sv_xctx_fail(c);
    }
    char *joined = sv_xctx_alloc(c, n + m + 1);
    if (!joined)
        return sv_xctx_fail(c);
    memcpy(joined, s, n);
    memcpy(joined + n, t, m);
    joined[n + m] = '\0';
    *out = (sv_xval){.type = SV_XV_STR, .s = joined, .len = n + m};
    return 0;
}

/* A list without the items equal to `x`. */
static int list_without(sv_xctx *c, const sv_xval *list, const sv_xval *x, sv_xval *out)
{
    sv_xval *items = sv_xctx_alloc(c, list->count * sizeof *items);
    if (!items)
        return sv_xctx_fail(c);
    size_t n = 0;
    for (size_t i = 0; i < list->count; i++)
        if (!sv_xval_equal(&list->items[i], x))
            items[n++] = list->items[i];
    *out = (sv_xval){.type = SV_XV_LIST, .items = items, .count = n};
    return 0;
}

static int op_arith(sv_xctx *c, int op, const sv_xval *a, const sv_xval *b, sv_xval *out)
{
    if (op == X_SUB && (a->type == SV_XV_LIST || b->type == SV_XV_LIST))
        return a->type == SV_XV_LIST ? list_without(c, a, b, out) : list_without(c, b, a, out);
    sv_xval x = sv_xval_number(a), y = sv_xval_number(b);
    if (op == X_DIV) {
        double d = as_double(&y);
        *out = xfloat(d != 0.0 ? as_double(&x) / d : 0.0);
        return 0;
    }
    if (x.type == SV_XV_INT && y.type == SV_XV_INT) {
        if (op == X_MUL)
            *out = xint(sat_mul(x.i, y.i));
        else if (y.i == INT64_MIN) /* x - MIN = x + 2^63 */
            *out = xint(x.i >= 0 ? INT64_MAX : x.i + INT64_MAX + 1);
        else
            *out = xint(sat_add(x.i, -y.i));
        return 0;
    }
    double p = as_double(&x), q = as_double(&y);
    *out = xfloat(op == X_SUB ? p - q : p * q);
    return 0;
}

static sv_xval op_compare(int op, const sv_xval *a, const sv_xval *b)
{
    if (op == X_EQ || op == X_NE)
        return xint(sv_xval_equal(a, b) == (op == X_EQ));
    int k = order(a, b);
    if (k == 2)
        return xint(0);
    switch (op) {
    case X_LT: return xint(k < 0);
    case X_LE: return xint(k <= 0);
    case X_GT: return xint(k > 0);
    default: return xint(k >= 0);
    }
}

static sv_xval op_index(const sv_xval *list, const sv_xval *index)
{
    sv_xval n = sv_xval_number(index);
    double d = as_double(&n);
    if (!(d >= 0) || d >= (double)SIZE_MAX)
        return xempty();
    size_t i = n.type == SV_XV_INT ? (size_t)n.i : (size_t)d;
    if (list->type != SV_XV_LIST)
        return i == 0 ? *list : xempty();
    return i < list->count ? list->items[i] : xempty();
}

/* ---- variables --------------------------------------------------------------------------- */

static int read_local(sv_xctx *c, const char *name, size_t n, sv_xval *out)
{
    const size_t *ends;
    size_t count, len = 0;
    const char *value = sv_vars_get(c->run->vars, name, n, &len);
    if (!sv_vars_get_list(c->run->vars, name, n, &ends, &count)) {
        *out = value ? sv_xval_from_text(value, len) : xempty();
        return 0;
    }
    sv_xval *items = sv_xctx_alloc(c, count * sizeof *items);
    if (!items)
        return sv_xctx_fail(c);
    for (size_t i = 0, start = 0; i < count; start = ends[i++] + 2) /* CRLF between */
        items[i] = sv_xval_from_text(value + start, ends[i] - start);
    *out = (sv_xval){.type = SV_XV_LIST, .items = items, .count = count};
    return 0;
}

static int read_global(sv_xctx *c, const char *name, size_t n, sv_xval *out)
{
    char full[SV_EXPR_MAX_NAME + 8];
    memcpy(full, "global.", 7);
    memcpy(full + 7, name, n);
    lm_buf b = LM_BUF_INIT;
    int rc = sv_include_namespace(c->run, full, n + 7, &b);
    if (rc >= 0) {
        rc = sv_xval_string(c, b.data ? b.data : "", b.len, out);
        if (!rc)
            *out = sv_xval_from_text(out->s, out->len);
    }
    lm_buf_free(&b);
    return rc;
}

/* ---- host functions ---------------------------------------------------------------------- */

/* A value as a host sees it (in the arena): its text always set. `depth` bounds nesting. */
static int to_host(sv_xctx *c, const sv_xval *v, sieve_value *out, unsigned depth)
{
    memset(out, 0, sizeof *out);
    int rc = sv_xval_text(c, v, &out->string, &out->length);
    if (rc)
        return rc;
    switch (v->type) {
    case SV_XV_INT: out->type = SIEVE_VALUE_INTEGER; out->integer = v->i; return 0;
    case SV_XV_FLOAT: out->type = SIEVE_VALUE_FLOAT; out->number = v->f; return 0;
    case SV_XV_STR: out->type = SIEVE_VALUE_STRING; return 0;
    default: break;
    }
    out->type = SIEVE_VALUE_ARRAY;
    if (depth >= 4 || !v->count)
        return 0; /* deeper lists reach the host as their text */
    sieve_value *items = sv_xctx_alloc(c, v->count * sizeof *items);
    if (!items)
        return sv_xctx_fail(c);
    for (size_t i = 0; i < v->count; i++)
        if ((rc = to_host(c, &v->items[i], &items[i], depth + 1)))
            return rc;
    out->items = items;
    out->count = v->count;
    return 0;
}

/* A host's value copied into the evaluation; malformed ones are refused. */
static int from_host(sv_xctx *c, const sieve_value *v, sv_xval *out, unsigned depth)
{
    switch (v->type) {
    case SIEVE_VALUE_INTEGER: *out = xint(v->integer); return 0;
    case SIEVE_VALUE_FLOAT: *out = xfloat(v->number); return 0;
    case SIEVE_VALUE_STRING:
        return sv_xval_string(c, v->string && v->length ? v->string : "",
                              v->string ? v->length : 0, out);
    case SIEVE_VALUE_ARRAY:
        break;
    default:
        return SIEVE_E_INVAL;
    }
    if (depth >= 4 || (v->count && !v->items) || v->count > SV_MAX_LIST_ITEMS)
        return SIEVE_E_INVAL;
    sv_xval *items = sv_xctx_alloc(c, v->count * sizeof *items);
    if (!items)
        return sv_xctx_fail(c);
    for (size_t i = 0; i < v->count; i++) {
        int rc = from_host(c, &v->items[i], &items[i], depth + 1);
        if (rc)
            return rc;
    }
    *out = (sv_xval){.type = SV_XV_LIST, .items = items, .count = v->count};
    return 0;
}

static int call_host(sv_xctx *c, const char *name, size_t n, const sv_xval *argv, size_t argc,
                     sv_xval *out)
{
    sv_run *r = c->run;
    char fname[SV_EXPR_MAX_NAME + 1];
    snprintf(fname, sizeof fname, "%.*s", (int)(n < SV_EXPR_MAX_NAME ? n : SV_EXPR_MAX_NAME),
             name);
    if (!r->cb->function)
        return sv_run_error(r, c->pos, "the function \"%s\" is not available", fname);
    sieve_value args[SV_EXPR_MAX_ARGS];
    for (size_t i = 0; i < argc && i < SV_EXPR_MAX_ARGS; i++) {
        int rc = to_host(c, &argv[i], &args[i], 0);
        if (rc)
            return rc;
    }
    sieve_value res;
    memset(&res, 0, sizeof res);
    int rc = r->cb->function(r->cb->user, fname, args, argc, &res);
    if (rc == SIEVE_E_NOMEM)
        return rc;
    if (rc < 0)
        return sv_run_error(r, c->pos, "the function \"%s\" failed", fname);
    rc = from_host(c, &res, out, 0);
    if (rc == SIEVE_E_INVAL)
        return sv_run_error(r, c->pos, "the function \"%s\" returned a malformed value", fname);
    return rc;
}

/* ---- the machine ------------------------------------------------------------------------- */

static int read_var(sv_xctx *c, int kind, const char *name, size_t n, sv_xval *out)
{
    switch (kind) {
    case X_VAR_LOCAL: return read_local(c, name, n, out);
    case X_VAR_GLOBAL: return read_global(c, name, n, out);
    case X_VAR_HEADER: return sv_expr_header(c, name, n, out);
    default: return sv_expr_body(c, name, n, out);
    }
}

static int corrupt(sv_xctx *c)
{
    return sv_run_error(c->run, c->pos, "corrupt expression code");
}

int sv_expr_eval(sv_xctx *c, const char *code, size_t len, sv_xval *out)
{
    sv_xval stack[SV_EXPR_MAX_STACK];
    size_t sp = 0;
    sv_reader r = {(const uint8_t *)code, len, 0, 0};
    int rc = 0;
    while (!rc && r.at < len) {
        if ((rc = sv_xctx_charge(c, 1)))
            return rc;
        int op = (int)sv_read_int(&r, 1);
        size_t take = 0;
        switch (op) {
        case X_NEG: case X_NOT: case X_BOOL: take = 1; break;
        case X_ADD: case X_SUB: case X_MUL: case X_DIV: case X_EQ: case X_NE: case X_LT:
        case X_LE: case X_GT: case X_GE: case X_XOR: case X_INDEX: take = 2; break;
        case X_AND: case X_OR: take = 1; break;
        default: break;
        }
        if (sp < take || (take == 0 && sp >= SV_EXPR_MAX_STACK))
            return corrupt(c);
        sv_xval *top = sp ? &stack[sp - 1] : NULL;
        switch (op) {
        case X_INT:
            stack[sp++] = xint((int64_t)sv_read_int(&r, 8));
            break;
        case X_FLOAT: {
            uint64_t bits = sv_read_int(&r, 8);
            double f;
            memcpy(&f, &bits, sizeof f);
            stack[sp++] = xfloat(f);
            break;
        }
        case X_STR: {
            size_t n;
            const char *s = sv_read_bytes(&r, &n);
            if (s)
                rc = sv_xval_string(c, s, n, &stack[sp++]);
            break;
        }
        case X_VAR: {
            int kind = (int)sv_read_int(&r, 1);
            size_t n;
            const char *s = sv_read_bytes(&r, &n);
            if (s)
                rc = read_var(c, kind, s, n, &stack[sp++]);
            break;
        }
        case X_NEG: {
            sv_xval x = sv_xval_number(top);
            *top = x.type == SV_XV_INT ? xint(x.i == INT64_MIN ? INT64_MAX : -x.i) : xfloat(-x.f);
            break;
        }
        case X_NOT:
            *top = xint(!sv_xval_truth(top));
            break;
        case X_BOOL:
            *top = xint(sv_xval_truth(top));
            break;
        case X_ADD:
            rc = op_add(c, top - 1, top, top - 1);
            sp--;
            break;
        case X_SUB: case X_MUL: case X_DIV:
            rc = op_arith(c, op, top - 1, top, top - 1);
            sp--;
            break;
        case X_EQ: case X_NE: case X_LT: case X_LE: case X_GT: case X_GE:
            top[-1] = op_compare(op, top - 1, top);
            sp--;
            break;
        case X_XOR:
            top[-1] = xint(sv_xval_truth(top - 1) != sv_xval_truth(top));
            sp--;
            break;
        case X_INDEX:
            top[-1] = op_index(top - 1, top);
            sp--;
            break;
        case X_AND: case X_OR: {
            size_t skip = (size_t)sv_read_int(&r, 2);
            int t = sv_xval_truth(top);
            if (t == (op == X_OR)) {
                *top = xint(t);
                if (skip > len - r.at)
                    return corrupt(c);
                r.at += skip;
            } else {
                sp--;
            }
            break;
        }
        case X_ARRAY: {
            size_t n = (size_t)sv_read_int(&r, 2);
            if (n > sp)
                return corrupt(c);
            sv_xval *items = sv_xctx_alloc(c, n * sizeof *items);
            if (!items)
                return sv_xctx_fail(c);
            if (n)
                memcpy(items, &stack[sp - n], n * sizeof *items);
            sp -= n;
            stack[sp++] = (sv_xval){.type = SV_XV_LIST, .items = items, .count = n};
            break;
        }
        case X_CALL: {
            int f = (int)sv_read_int(&r, 1);
            size_t argc = (size_t)sv_read_int(&r, 1);
            if (r.bad || argc > sp || argc != sv_expr_func_args(f) || (argc == 0 &&
                                                                       sp >= SV_EXPR_MAX_STACK))
                return corrupt(c);
            sv_xval res = xempty();
            rc = sv_expr_func_call(c, f, &stack[sp - argc], &res);
            sp -= argc;
            stack[sp++] = res;
            break;
        }
        case X_EXT: {
            size_t argc = (size_t)sv_read_int(&r, 1), n;
            const char *name = sv_read_bytes(&r, &n);
            if (!name || argc > sp || argc > SV_EXPR_MAX_ARGS ||
                (argc == 0 && sp >= SV_EXPR_MAX_STACK))
                return corrupt(c);
            sv_xval res = xempty();
            rc = call_host(c, name, n, &stack[sp - argc], argc, &res);
            sp -= argc;
            stack[sp++] = res;
            break;
        }
        default:
            return corrupt(c);
        }
        if (r.bad)
            return corrupt(c);
    }
    if (rc)
        return rc;
    if (sp != 1)
        return corrupt(c);
    *out = stack[0];
    return 0;
}

/* ---- for commands ------------------------------------------------------------------------ */

int sv_expr_run(sv_run *r, sv_pos pos, const sv_value *code, sv_xctx *c, sv_xval *out)
{
    *c = (sv_xctx){r, lm_arena_new(0), 0, pos};
    if (!c->arena)
        return SIEVE_E_NOMEM;
    if (code->type != SV_T_EXPR || code->count != 1)
        return corrupt(c);
    return sv_expr_eval(c, code->strs[0].s, code->strs[0].len, out);
}

void sv_xctx_end(sv_xctx *c)
{
    lm_arena_free(c->arena);
    c->arena = NULL;
}

int sv_expr_truth(sv_run *r, sv_pos pos, const sv_value *code)
{
    sv_xctx c;
    sv_xval v;
    int rc = sv_expr_run(r, pos, code, &c, &v);
    if (!rc)
        rc = sv_xval_truth(&v);
    sv_xctx_end(&c);
    return rc;
}

int sv_expr_store(sv_xctx *c, const char *name, size_t nlen, const sv_xval *v)
{
    sv_run *r = c->run;
    int rc;
    if (v->type == SV_XV_LIST && !(nlen > 7 && !lm_strncasecmp(name, "global.", 7))) {
        size_t n = v->count < SV_MAX_LIST_ITEMS ? v->count : SV_MAX_LIST_ITEMS;
        const char **items = sv_xctx_alloc(c, n * sizeof *items);
        size_t *lens = sv_xctx_alloc(c, n * sizeof *lens);
        if (!items || !lens)
            return sv_xctx_fail(c);
        for (size_t i = 0; i < n; i++)
            if ((rc = sv_xval_text(c, &v->items[i], &items[i], &lens[i])))
                return rc;
        rc = sv_vars_set_list(r->vars, name, nlen, items, lens, n);
    } else {
        const char *s;
        size_t n;
        if ((rc = sv_xval_text(c, v, &s, &n)))
            return rc;
        rc = sv_run_var_set(r, name, nlen, s, n);
    }
    if (rc == SIEVE_E_LIMIT)
        return sv_run_error(r, c->pos, "too many variables: \"%.*s\" cannot be set", (int)nlen,
                            name);
    return rc;
}
