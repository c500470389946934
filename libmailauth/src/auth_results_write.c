/* auth_results_write.c — the Authentication-Results model (RFC 8601 §2.2), its builder and
 * accessors, and the folded header field writer (RFC 5322 §2.1.1, §2.2.3; ARC's
 * ARC-Authentication-Results, RFC 8617 §4.1.1). */
#include "ma_internal.h"

#include "lm_alloc.h"
#include "lm_arena.h"
#include "lm_ascii.h"
#include "lm_buf.h"

#include <stdio.h>
#include <string.h>

#define AR_VERSION_MAX 999999999u
#define AR_ARC_INSTANCE_MAX 50u /* RFC 8617 §4.2.1 */
#define AR_FOLD_WIDTH 78        /* RFC 5322 §2.1.1: SHOULD */
#define AR_LINE_MAX 998         /* RFC 5322 §2.1.1: MUST */
/* Marks a place in a rendered item where a fold may go (before a space inside a quoted string
 * or a comment). Control characters never reach the model, so it cannot be content. */
#define FOLD_MARK '\x01'

struct ar_prop {
    const char *ptype, *property, *value;
};

struct ar_result {
    const char *method;
    unsigned method_version;
    int result; /* mailauth_result or -1 */
    const char *result_text;
    const char *reason, *comment;
    size_t prop_first, prop_count; /* into mailauth_ar.props */
};

struct mailauth_ar {
    lm_arena *arena;
    const char *authserv_id;
    unsigned version, arc_instance;
    struct ar_result *results;
    size_t count, cap;
    struct ar_prop *props;
    size_t prop_total, prop_cap;
    lm_buf out;
};

/* ---- what may go into the model ---------------------------------------------------------- */

/* A keyword: 1*(ALPHA / DIGIT / "-" / "_"); with `dots`, "." is allowed after the first. */
static int is_keyword(const char *s, int dots)
{
    if (!s || !*s)
        return 0;
    for (size_t i = 0; s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(lm_is_alnum(c) || c == '-' || c == '_' || (dots && c == '.' && i > 0)))
            return 0;
    }
    return 1;
}

/* Value text: no controls but HTAB (this refuses CR, LF and so header injection), no DEL. */
static int is_text(const char *s)
{
    if (!s)
        return 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return 0;
    }
    return 1;
}

/* RFC 2045 §5.1: tspecials. */
static int is_tspecial(int c) { return c && strchr("()<>@,;:\\\"/[]?=", c) != NULL; }

/* RFC 2045 token: 1*<any US-ASCII CHAR except SPACE, CTLs and tspecials>. */
static int is_token(const char *s, size_t n)
{
    if (!n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7f || is_tspecial(c))
            return 0;
    }
    return 1;
}

/* RFC 5322 §3.2.4 quoted-string without CFWS around it, exactly the `n` octets. */
static int is_quoted_string(const char *s, size_t n)
{
    if (n < 2 || s[0] != '"' || s[n - 1] != '"')
        return 0;
    for (size_t i = 1; i < n - 1; i++) {
        if (s[i] == '\\') {
            if (++i == n - 1)
                return 0;
        } else if (s[i] == '"') {
            return 0;
        }
    }
    return 1;
}

/* RFC 6376 §3.5 domain-name: sub-domain 1*("." sub-domain), sub-domain = Let-dig [Ldh-str]. */
static int is_domain_name(const char *s, size_t n)
{
    size_t labels = 0, i = 0;
    while (i <= n) {
        size_t start = i;
        while (i < n && s[i] != '.')
            i++;
        if (i == start || !lm_is_alnum((unsigned char)s[start]) ||
            !lm_is_alnum((unsigned char)s[i - 1]))
            return 0;
        for (size_t k = start; k < i; k++)
            if (!lm_is_alnum((unsigned char)s[k]) && s[k] != '-')
                return 0;
        labels++;
        i++;
    }
    return labels >= 2;
}

/* RFC 8601 §2.2 pvalue without CFWS: [ [ local-part ] "@" ] domain-name. */
static int is_addr_value(const char *s, size_t n)
{
    const char *at = NULL;
    if (n && s[0] == '"') { /* a quoted local-part may hold "@" */
        size_t i = 1;
        while (i < n && s[i] != '"')
            i += s[i] == '\\' ? 2 : 1;
        if (i + 1 >= n || s[i + 1] != '@')
            return 0;
        at = s + i + 1;
    } else {
        at = memchr(s, '@', n);
        if (!at)
            return 0;
    }
    size_t local = (size_t)(at - s);
    if (local && !lm_is_dot_atom(s, local) && !is_quoted_string(s, local))
        return 0;
    return is_domain_name(at + 1, n - local - 1);
}

/* ---- the model --------------------------------------------------------------------------- */

static int ar_new(const char *authserv_id, mailauth_ar **out)
{
    mailauth_ar *ar = lm_calloc(1, sizeof *ar);
    if (!ar)
        return MAILAUTH_E_NOMEM;
    ar->arena = lm_arena_new(1024);
    if (!ar->arena || !(ar->authserv_id = lm_arena_strndup(ar->arena, authserv_id,
                                                           strlen(authserv_id)))) {
        mailauth_ar_free(ar);
        return MAILAUTH_E_NOMEM;
    }
    *out = ar;
    return 0;
}

int mailauth_ar_new(const char *authserv_id, mailauth_ar **out)
{
    if (!out)
        return MAILAUTH_E_INVAL;
    *out = NULL;
    if (!authserv_id || !*authserv_id || !is_text(authserv_id))
        return MAILAUTH_E_INVAL;
    return ar_new(authserv_id, out);
}

int ma_ar_new_anonymous(mailauth_ar **out)
{
    *out = NULL;
    return ar_new("", out);
}

void mailauth_ar_free(mailauth_ar *ar)
{
    if (!ar)
        return;
    lm_arena_free(ar->arena);
    lm_free(ar->results);
    lm_free(ar->props);
    lm_buf_free(&ar->out);
    lm_free(ar);
}

int mailauth_ar_set_version(mailauth_ar *ar, unsigned version)
{
    if (!ar || version > AR_VERSION_MAX)
        return MAILAUTH_E_INVAL;
    ar->version = version;
    return 0;
}

int mailauth_ar_set_arc_instance(mailauth_ar *ar, unsigned instance)
{
    if (!ar || instance > AR_ARC_INSTANCE_MAX)
        return MAILAUTH_E_INVAL;
    ar->arc_instance = instance;
    return 0;
}

/* A copy of `s` in the model's arena (NULL stays NULL); *rc = MAILAUTH_E_NOMEM on failure. */
static const char *keep(mailauth_ar *ar, const char *s, int *rc)
{
    if (!s)
        return NULL;
    const char *c = lm_arena_strndup(ar->arena, s, strlen(s));
    if (!c)
        *rc = MAILAUTH_E_NOMEM;
    return c;
}

static int add_result(mailauth_ar *ar, const char *method, int result, const char *text,
                      const char *reason)
{
    if (!ar || !is_keyword(method, 0) || !is_keyword(text, 0) || (reason && !is_text(reason)))
        return MAILAUTH_E_INVAL;
    if (ar->count == ar->cap) {
        size_t cap = ar->cap ? ar->cap * 2 : 8;
        struct ar_result *r = lm_realloc(ar->results, cap * sizeof *r);
        if (!r)
            return MAILAUTH_E_NOMEM;
        ar->results = r;
        ar->cap = cap;
    }
    int rc = 0;
    struct ar_result r = {0};
    r.method = keep(ar, method, &rc);
    r.result_text = keep(ar, text, &rc);
    r.reason = keep(ar, reason, &rc);
    if (rc)
        return rc;
    r.result = result;
    r.prop_first = ar->prop_total;
    ar->results[ar->count++] = r;
    return 0;
}

int mailauth_ar_add(mailauth_ar *ar, const char *method, int result, const char *reason)
{
    if (result < MAILAUTH_RESULT_NONE || result > MAILAUTH_RESULT_POLICY)
        return MAILAUTH_E_INVAL;
    return add_result(ar, method, result, mailauth_result_name(result), reason);
}

int mailauth_ar_add_text(mailauth_ar *ar, const char *method, const char *result,
                         const char *reason)
{
    if (!result)
        return MAILAUTH_E_INVAL;
    return add_result(ar, method, mailauth_result_from_name(result, strlen(result)), result,
                      reason);
}

int mailauth_ar_set_method_version(mailauth_ar *ar, unsigned version)
{
    if (!ar || !ar->count || version > AR_VERSION_MAX)
        return MAILAUTH_E_INVAL;
    ar->results[ar->count - 1].method_version = version;
    return 0;
}

int mailauth_ar_set_reason(mailauth_ar *ar, const char *reason)
{
    if (!ar || !ar->count || (reason && !is_text(reason)))
        return MAILAUTH_E_INVAL;
    int rc = 0;
    const char *c = keep(ar, reason, &rc);
    if (rc)
        return rc;
    ar->results[ar->count - 1].reason = c;
    return 0;
}

int mailauth_ar_set_comment(mailauth_ar *ar, const char *comment)
{
    if (!ar || !ar->count || (comment && !is_text(comment)))
        return MAILAUTH_E_INVAL;
    int rc = 0;
    const char *c = keep(ar, comment, &rc);
    if (rc)
        return rc;
    ar->results[ar->count - 1].comment = c;
    return 0;
}

int mailauth_ar_add_prop(mailauth_ar *ar, const char *ptype, const char *property,
                         const char *value)
{
    if (!ar || !ar->count || !ptype || !is_keyword(property, 1) || !is_text(value))
        return MAILAUTH_E_INVAL;
    if (*ptype ? !is_keyword(ptype, 0)
               : (strchr(property, '.') || lm_eq_nocase(property, strlen(property), "reason")))
        return MAILAUTH_E_INVAL;
    if (ar->prop_total == ar->prop_cap) {
        size_t cap = ar->prop_cap ? ar->prop_cap * 2 : 16;
        struct ar_prop *p = lm_realloc(ar->props, cap * sizeof *p);
        if (!p)
            return MAILAUTH_E_NOMEM;
        ar->props = p;
        ar->prop_cap = cap;
    }
    int rc = 0;
    struct ar_prop p;
    p.ptype = keep(ar, ptype, &rc);
    p.property = keep(ar, property, &rc);
    p.value = keep(ar, value, &rc);
    if (rc)
        return rc;
    ar->props[ar->prop_total++] = p;
    ar->results[ar->count - 1].prop_count++;
    return 0;
}

/* ---- accessors --------------------------------------------------------------------------- */

const char *mailauth_ar_authserv_id(const mailauth_ar *ar) { return ar ? ar->authserv_id : NULL; }
unsigned mailauth_ar_version(const mailauth_ar *ar) { return ar ? ar->version : 0; }
unsigned mailauth_ar_arc_instance(const mailauth_ar *ar) { return ar ? ar->arc_instance : 0; }
size_t mailauth_ar_count(const mailauth_ar *ar) { return ar ? ar->count : 0; }

static const struct ar_result *result_at(const mailauth_ar *ar, size_t i)
{
    return ar && i < ar->count ? &ar->results[i] : NULL;
}

const char *mailauth_ar_method_at(const mailauth_ar *ar, size_t i)
{
    const struct ar_result *r = result_at(ar, i);
    return r ? r->method : NULL;
}

unsigned mailauth_ar_method_version_at(const mailauth_ar *ar, size_t i)
{
    const struct ar_result *r = result_at(ar, i);
    return r ? r->method_version : 0;
}

int mailauth_ar_result_at(const mailauth_ar *ar, size_t i)
{
    const struct ar_result *r = result_at(ar, i);
    return r ? r->result : -1;
}

const char *mailauth_ar_result_text_at(const mailauth_ar *ar, size_t i)
{
    const struct ar_result *r = result_at(ar, i);
    return r ? r->result_text : NULL;
}

const char *mailauth_ar_reason_at(const mailauth_ar *ar, size_t i)
{
    const struct ar_result *r = result_at(ar, i);
    return r ? r->reason : NULL;
}

const char *mailauth_ar_comment_at(const mailauth_ar *ar, size_t i)
{
    const struct ar_result *r = result_at(ar, i);
    return r ? r->comment : NULL;
}

size_t mailauth_ar_prop_count(const mailauth_ar *ar, size_t i)
{
    const struct ar_result *r = result_at(ar, i);
    return r ? r->prop_count : 0;
}

int mailauth_ar_prop_at(const mailauth_ar *ar, size_t i, size_t j, const char **ptype,
                        const char **property, const char **value)
{
    const struct ar_result *r = result_at(ar, i);
    const struct ar_prop *p = r && j < r->prop_count ? &ar->props[r->prop_first + j] : NULL;
    if (ptype)
        *ptype = p ? p->ptype : NULL;
    if (property)
        *property = p ? p->property : NULL;
    if (value)
        *value = p ? p->value : NULL;
    return p ? 0 : MAILAUTH_E_INVAL;
}

const char *mailauth_ar_prop_find(const mailauth_ar *ar, size_t i, const char *ptype,
                                  const char *property)
{
    const struct ar_result *r = result_at(ar, i);
    if (!r || !ptype || !property)
        return NULL;
    for (size_t j = 0; j < r->prop_count; j++) {
        const struct ar_prop *p = &ar->props[r->prop_first + j];
        if (lm_eq_nocase(p->ptype, strlen(p->ptype), ptype) &&
            lm_eq_nocase(p->property, strlen(p->property), property))
            return p->value;
    }
    return NULL;
}

/* ---- writing ----------------------------------------------------------------------------- */

/* A fold may go before the last space or tab of a run, so that no line is only blanks
 * (RFC 5322 §3.2.2). */
static int fold_before(const char *s)
{
    return lm_is_wsp((unsigned char)s[0]) && !lm_is_wsp((unsigned char)s[1]);
}

/* Renders `s` as a quoted-string, with fold marks. */
static void put_quoted(lm_buf *b, const char *s)
{
    lm_buf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            lm_buf_putc(b, '\\');
        else if (fold_before(s))
            lm_buf_putc(b, FOLD_MARK);
        lm_buf_putc(b, *s);
    }
    lm_buf_putc(b, '"');
}

int ma_ar_value_is_bare(const char *s, size_t n, int addr)
{
    return is_token(s, n) || (addr && is_addr_value(s, n));
}

/* A value (RFC 2045: token / quoted-string); with `addr`, an addr-spec or domain as it is. */
static void put_value(lm_buf *b, const char *s, int addr)
{
    size_t n = strlen(s);
    if (ma_ar_value_is_bare(s, n, addr))
        lm_buf_append(b, s, n);
    else
        put_quoted(b, s);
}

/* A comment: "(" text ")" with "(", ")" and "\" escaped, fold marks before spaces. */
static void put_comment(lm_buf *b, const char *s)
{
    lm_buf_putc(b, '(');
    for (; *s; s++) {
        if (*s == '(' || *s == ')' || *s == '\\')
            lm_buf_putc(b, '\\');
        else if (fold_before(s))
            lm_buf_putc(b, FOLD_MARK);
        lm_buf_putc(b, *s);
    }
    lm_buf_putc(b, ')');
}

/* The field being written: the output, the column of its current line (octets since the
 * last CRLF, as if the name were there), and whether the line holds an item yet. */
struct writer {
    lm_buf *b;
    size_t col, longest;
    int line_has_item;
    int no_space; /* the body of MAILAUTH_AR_WRITE_VALUE_ONLY starts without its space */
};

static void line_break(struct writer *w, const char *lead)
{
    if (w->col > w->longest)
        w->longest = w->col;
    lm_buf_puts(w->b, "\r\n");
    lm_buf_puts(w->b, lead);
    w->col = strlen(lead);
}

/* Places one rendered item (fold marks inside): after a space on the current line when its
 * first piece fits within AR_FOLD_WIDTH or the line has no item yet, else on a new line;
 * `newline` forces a new line. Each later piece (starting with its space) folds when it
 * would pass the width. */
static void place(struct writer *w, const char *item, size_t n, int newline)
{
    if (!item)
        return; /* the item ran out of memory: reported once the field is done */
    const char *end = item + n, *p = item;
    const char *mark = memchr(p, FOLD_MARK, n);
    size_t first = (size_t)((mark ? mark : end) - p);
    if (newline || (w->line_has_item && w->col + 1 + first > AR_FOLD_WIDTH)) {
        line_break(w, "\t");
    } else {
        if (!w->no_space)
            lm_buf_putc(w->b, ' ');
        w->col++;
    }
    w->no_space = 0;
    w->line_has_item = 1;
    lm_buf_append(w->b, p, first);
    w->col += first;
    p += first;
    while (p < end) {
        p++; /* the mark */
        mark = memchr(p, FOLD_MARK, (size_t)(end - p));
        size_t len = (size_t)((mark ? mark : end) - p);
        if (w->col + len > AR_FOLD_WIDTH)
            line_break(w, ""); /* the piece starts with its own space or tab */
        lm_buf_append(w->b, p, len);
        w->col += len;
        p += len;
    }
}

static int write_field(mailauth_ar *ar, unsigned flags, lm_buf *item)
{
    static const char ar_name[] = "Authentication-Results:";
    static const char arc_name[] = "ARC-Authentication-Results:";
    const char *name = flags & MAILAUTH_AR_WRITE_ARC ? arc_name : ar_name;
    struct writer w = {&ar->out, strlen(name), 0, 1, 0}; /* the name is an item */
    char num[32];
    if (flags & MAILAUTH_AR_WRITE_VALUE_ONLY)
        w.no_space = 1;
    else
        lm_buf_puts(w.b, name);
    if (flags & MAILAUTH_AR_WRITE_ARC) {
        snprintf(num, sizeof num, "i=%u;", ar->arc_instance);
        place(&w, num, strlen(num), 0);
    }
    lm_buf_reset(item);
    put_value(item, ar->authserv_id, 0);
    if (!ar->version)
        lm_buf_putc(item, ';');
    place(&w, item->data, item->len, 0);
    if (ar->version) {
        snprintf(num, sizeof num, "%u;", ar->version);
        place(&w, num, strlen(num), 0);
    }
    if (!ar->count)
        place(&w, "none", 4, 0);
    for (size_t i = 0; i < ar->count; i++) {
        const struct ar_result *r = &ar->results[i];
        size_t items = 1 + (r->comment != NULL) + (r->reason != NULL) + r->prop_count, k = 0;
        const char *last = i + 1 < ar->count ? ";" : "";
        lm_buf_reset(item);
        lm_buf_puts(item, r->method);
        if (r->method_version) {
            snprintf(num, sizeof num, "/%u", r->method_version);
            lm_buf_puts(item, num);
        }
        lm_buf_putc(item, '=');
        lm_buf_puts(item, r->result_text);
        if (++k == items)
            lm_buf_puts(item, last);
        place(&w, item->data, item->len, 1);
        if (r->comment) {
            lm_buf_reset(item);
            put_comment(item, r->comment);
            if (++k == items)
                lm_buf_puts(item, last);
            place(&w, item->data, item->len, 0);
        }
        if (r->reason) {
            lm_buf_reset(item);
            lm_buf_puts(item, "reason=");
            put_value(item, r->reason, 0);
            if (++k == items)
                lm_buf_puts(item, last);
            place(&w, item->data, item->len, 0);
        }
        for (size_t j = 0; j < r->prop_count; j++) {
            const struct ar_prop *p = &ar->props[r->prop_first + j];
            lm_buf_reset(item);
            if (*p->ptype) {
                lm_buf_puts(item, p->ptype);
                lm_buf_putc(item, '.');
            }
            lm_buf_puts(item, p->property);
            lm_buf_putc(item, '=');
            put_value(item, p->value, 1);
            if (++k == items)
                lm_buf_puts(item, last);
            place(&w, item->data, item->len, 0);
        }
    }
    if (w.col > w.longest)
        w.longest = w.col;
    if (flags & MAILAUTH_AR_WRITE_CRLF)
        lm_buf_puts(w.b, "\r\n");
    if (w.b->oom || item->oom)
        return MAILAUTH_E_NOMEM;
    return w.longest > AR_LINE_MAX ? MAILAUTH_E_LIMIT : 0;
}

int mailauth_ar_write(mailauth_ar *ar, unsigned flags, const char **out, size_t *len)
{
    if (out)
        *out = NULL;
    if (len)
        *len = 0;
    if (!ar || !out ||
        (flags & ~(MAILAUTH_AR_WRITE_ARC | MAILAUTH_AR_WRITE_VALUE_ONLY |
                   MAILAUTH_AR_WRITE_CRLF)) ||
        ((flags & MAILAUTH_AR_WRITE_ARC) && !ar->arc_instance) || !*ar->authserv_id)
        return MAILAUTH_E_INVAL;
    lm_buf_free(&ar->out);
    lm_buf item = LM_BUF_INIT;
    int rc = write_field(ar, flags, &item);
    lm_buf_free(&item);
    if (rc) {
        lm_buf_free(&ar->out);
        return rc;
    }
    *out = ar->out.data;
    if (len)
        *len = ar->out.len;
    return 0;
}
