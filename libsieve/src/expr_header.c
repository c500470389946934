/* expr_header.c — the header and body variables of expressions (vnd.stalwart.expressions):
 * "header.<fields>[index].<part>[index]" read from the message as the run sees it (editheader's
 * edits included) through libmailparse's typed values, and "body.text" / "body.html". The
 * path grammar is in sieve.h. */
#include "expr.h"

#include "lm_ascii.h"

#include <stdio.h>
#include <string.h>

/* ---- paths ------------------------------------------------------------------------------- */

#define INDEX_ALL 0x7fffffffL  /* "[*]" */

typedef struct hpath {
    const char *names;         /* "to:cc", or "*" */
    size_t names_len;
    long field;                /* 1-based, negative from the last, INDEX_ALL */
    const char *part;          /* "addr", "rcvd.from" …; NULL: the field's own value */
    size_t part_len;
    long item;                 /* which of the part's items, as `field` */
} hpath;

static int field_char(int c) { return lm_is_alnum(c) || c == '-' || c == '_'; }

/* "[" index "]" at s[*i]: 1 with the index in *out, 0 when there is none there, -1 bad. */
static int parse_index(const char *s, size_t n, size_t *i, long *out)
{
    if (*i >= n || s[*i] != '[')
        return 0;
    size_t k = *i + 1;
    if (k < n && s[k] == '*') {
        *out = INDEX_ALL;
        k++;
    } else {
        int neg = k < n && s[k] == '-';
        k += (size_t)neg;
        long v = 0;
        size_t start = k;
        while (k < n && lm_is_digit((unsigned char)s[k]) && k - start < 6)
            v = v * 10 + (s[k++] - '0');
        if (k == start || v == 0)
            return -1;
        *out = neg ? -v : v;
    }
    if (k >= n || s[k] != ']')
        return -1;
    *i = k + 1;
    return 1;
}

static const char *const parts[] = {
    "raw", "raw_name", "text", "name", "addr", "exists", "date", "date.raw", "id", "type",
    "subtype", "rcvd.from", "rcvd.from.name", "rcvd.from.ip", "rcvd.ip", "rcvd.iprev",
    "rcvd.helo", "rcvd.by", "rcvd.with", "rcvd.id", "rcvd.for", "rcvd.ident", "rcvd.via",
    "rcvd.tls", "rcvd.cipher", "rcvd.date", "rcvd.date.raw",
};

static int part_known(const char *p, size_t n)
{
    if (n > 5 && !memcmp(p, "attr.", 5)) {
        for (size_t i = 5; i < n; i++)
            if (!field_char((unsigned char)p[i]))
                return 0;
        return 1;
    }
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        if (strlen(parts[i]) == n && !memcmp(parts[i], p, n))
            return 1;
    return 0;
}

static int parse_path(const char *s, size_t n, hpath *h)
{
    memset(h, 0, sizeof *h);
    h->field = -1;
    h->item = -1;
    size_t i = 0;
    if (n && s[0] == '*') {
        i = 1;
    } else {
        for (;;) {
            size_t start = i;
            while (i < n && field_char((unsigned char)s[i]))
                i++;
            if (i == start)
                return 0;
            if (i < n && s[i] == ':') {
                i++;
                continue;
            }
            break;
        }
    }
    h->names = s;
    h->names_len = i;
    if (i == 1 && s[0] == '*')
        h->field = INDEX_ALL; /* every field, unless an index says which */
    if (parse_index(s, n, &i, &h->field) < 0)
        return 0;
    if (i < n && s[i] == '.') {
        size_t start = ++i;
        while (i < n && s[i] != '[')
            i++;
        h->part = s + start;
        h->part_len = i - start;
        if (!part_known(h->part, h->part_len))
            return 0;
    } else if (h->names_len == 1 && s[0] == '*') {
        return 0; /* "*" needs a part */
    }
    if (parse_index(s, n, &i, &h->item) < 0)
        return 0;
    return i == n;
}

int sv_expr_header_valid(const char *path, size_t len)
{
    hpath h;
    return len <= SV_EXPR_MAX_NAME && parse_path(path, len, &h);
}

/* ---- one field's items ------------------------------------------------------------------- */

static sv_xval xint(int64_t i) { return (sv_xval){.type = SV_XV_INT, .i = i}; }

typedef struct items {
    sv_xval *v;
    size_t n, cap;
} items;

static int add(sv_xctx *c, items *it, sv_xval v)
{
    if (it->n == it->cap) {
        if (it->n >= SV_MAX_LIST_ITEMS)
            return 0; /* the rest are dropped */
        size_t cap = it->cap ? it->cap * 2 : 8;
        sv_xval *p = sv_xctx_alloc(c, cap * sizeof *p);
        if (!p)
            return sv_xctx_fail(c);
        if (it->n)
            memcpy(p, it->v, it->n * sizeof *p);
        it->v = p;
        it->cap = cap;
    }
    it->v[it->n++] = v;
    return 0;
}

static int add_str(sv_xctx *c, items *it, const char *s, size_t n)
{
    sv_xval v;
    int rc = sv_xval_string(c, s ? s : "", s ? n : 0, &v);
    return rc ? rc : add(c, it, v);
}

static int add_cstr(sv_xctx *c, items *it, const char *s)
{
    return add_str(c, it, s, s ? strlen(s) : 0);
}

static int is_part(const hpath *p, const char *name)
{
    return p->part && strlen(name) == p->part_len && !memcmp(p->part, name, p->part_len);
}

/* The raw text of a date: the field's value after the last ";" (Received) or all of it. */
static int add_date_raw(sv_xctx *c, items *it, const mailparse_header *h, int received)
{
    const char *s = h->text;
    size_t n = h->text_len;
    if (received) {
        const char *semi = NULL;
        for (size_t i = 0; i < n; i++)
            if (s[i] == ';')
                semi = s + i;
        if (!semi)
            return add_str(c, it, "", 0);
        n -= (size_t)(semi + 1 - s);
        s = semi + 1;
    }
    while (n && lm_is_space((unsigned char)s[0])) {
        s++;
        n--;
    }
    /* A trailing comment "(PDT)" is not part of the date. */
    if (n && s[n - 1] == ')') {
        const char *open = memchr(s, '(', n);
        if (open)
            n = (size_t)(open - s);
    }
    while (n && lm_is_space((unsigned char)s[n - 1]))
        n--;
    return add_str(c, it, s, n);
}

static int received_items(sv_xctx *c, const hpath *p, const mailparse_header *h, items *it)
{
    const mailparse_received *rv = h->received;
    const char *part = p->part + 5;
    size_t n = p->part_len - 5;
    if (n == 4 && !memcmp(part, "date", 4))
        return rv && rv->has_date ? add(c, it, xint(rv->date.timestamp)) : add_str(c, it, "", 0);
    if (n == 8 && !memcmp(part, "date.raw", 8))
        return add_date_raw(c, it, h, 1);
    static const struct {
        const char *name;
        size_t off;
    } fields[] = {
        {"from", offsetof(mailparse_received, from)},
        {"from.name", offsetof(mailparse_received, from)},
        {"from.ip", offsetof(mailparse_received, from)},
        {"ip", offsetof(mailparse_received, from_ip)},
        {"iprev", offsetof(mailparse_received, from_iprev)},
        {"helo", offsetof(mailparse_received, helo)},
        {"by", offsetof(mailparse_received, by)},
        {"with", offsetof(mailparse_received, with)},
        {"id", offsetof(mailparse_received, id)},
        {"for", offsetof(mailparse_received, for_addr)},
        {"ident", offsetof(mailparse_received, ident)},
        {"via", offsetof(mailparse_received, via)},
        {"tls", offsetof(mailparse_received, tls_version)},
        {"cipher", offsetof(mailparse_received, tls_cipher)},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (strlen(fields[i].name) == n && !memcmp(fields[i].name, part, n)) {
            const char *v = rv ? *(const char *const *)((const char *)rv + fields[i].off) : NULL;
            /* from.name and from.ip: the from clause when it is a name, or an address */
            int literal = v && (v[0] == '[' || lm_is_digit((unsigned char)v[0]));
            if ((i == 1 && literal) || (i == 2 && !literal))
                v = NULL;
            return add_cstr(c, it, v);
        }
    return add_str(c, it, "", 0);
}

/* The message ids of a field: parsed by libmailparse for id fields, else from its value. */
static int id_items(sv_xctx *c, const mailparse_header *h, items *it)
{
    const mailparse_string_list *list = h->list;
    mailparse_values *vals = NULL;
    if (h->kind != MAILPARSE_VALUE_IDS || !list) {
        if (mailparse_values_new(&vals) ||
            mailparse_parse_ids(vals, h->raw_value, h->raw_value_len, &list)) {
            mailparse_values_free(vals);
            return SIEVE_E_NOMEM;
        }
    }
    int rc = 0;
    for (size_t i = 0; !rc && list && i < list->count; i++)
        rc = add_cstr(c, it, list->items[i]);
    if (!rc && (!list || !list->count)) /* not an id: the value as it is */
        rc = add_str(c, it, h->text, h->text_len);
    mailparse_values_free(vals);
    return rc;
}

/* The addresses of a field: parsed by libmailparse for address fields, else from its value. */
static int address_items(sv_xctx *c, const hpath *p, const mailparse_header *h, items *it)
{
    const mailparse_address_list *list = h->addresses;
    mailparse_values *vals = NULL;
    if (!list) {
        if (mailparse_values_new(&vals) ||
            mailparse_parse_addresses(vals, h->raw_value, h->raw_value_len, NULL, NULL, &list)) {
            mailparse_values_free(vals);
            return SIEVE_E_NOMEM;
        }
    }
    int rc = 0;
    for (size_t i = 0; !rc && list && i < list->count; i++) {
        const mailparse_address *a = &list->items[i];
        if (is_part(p, "name")) {
            rc = add_cstr(c, it, a->name);
        } else if (is_part(p, "addr")) {
            rc = add_cstr(c, it, a->address);
        } else {
            char *s = NULL;
            size_t n = 0;
            lm_buf b = LM_BUF_INIT;
            if (a->name && *a->name) {
                lm_buf_puts(&b, a->name);
                lm_buf_putc(&b, ' ');
            }
            lm_buf_putc(&b, '<');
            lm_buf_puts(&b, a->address ? a->address : "");
            lm_buf_putc(&b, '>');
            s = b.data;
            n = b.len;
            rc = b.oom ? SIEVE_E_NOMEM : add_str(c, it, s, n);
            lm_buf_free(&b);
        }
    }
    mailparse_values_free(vals);
    return rc;
}

/* "Name: value" with the value's runs of white space (folding included) as one space. */
static int add_field_line(sv_xctx *c, items *it, const mailparse_header *h, const char *v,
                          size_t n)
{
    lm_buf b = LM_BUF_INIT;
    lm_buf_append(&b, h->name, h->name_len);
    lm_buf_append(&b, ":", 1);
    for (size_t i = 0; i < n;) {
        if (lm_is_space((unsigned char)v[i])) {
            while (i < n && lm_is_space((unsigned char)v[i]))
                i++;
            lm_buf_putc(&b, ' ');
            continue;
        }
        if (b.len == h->name_len + 1)
            lm_buf_putc(&b, ' ');
        lm_buf_putc(&b, (unsigned char)v[i++]);
    }
    while (b.len > h->name_len + 1 && b.data[b.len - 1] == ' ')
        b.data[--b.len] = '\0';
    int rc = b.oom ? SIEVE_E_NOMEM : add_str(c, it, b.data, b.len);
    lm_buf_free(&b);
    return rc;
}

static int field_items(sv_xctx *c, const hpath *p, const mailparse_header *h, items *it)
{
    int every = p->names_len == 1 && p->names[0] == '*';
    if (is_part(p, "exists"))
        return add(c, it, xint(1));
    /* raw: the value as written; of "*", whole field lines (white space made one space) */
    if (is_part(p, "raw"))
        return every ? add_field_line(c, it, h, h->raw_value, h->raw_value_len)
                     : add_str(c, it, h->raw_value, h->raw_value_len);
    if (is_part(p, "raw_name"))
        return add_str(c, it, h->name, h->name_len);
    if (is_part(p, "text"))
        return add_field_line(c, it, h, h->text, h->text_len);
    if (p->part && p->part_len > 5 && !memcmp(p->part, "rcvd.", 5))
        return received_items(c, p, h, it);
    if (is_part(p, "date"))
        return h->date ? add(c, it, xint(h->date->timestamp)) : add_str(c, it, "", 0);
    if (is_part(p, "date.raw"))
        return add_date_raw(c, it, h, 0);
    const mailparse_content_type *ct = h->content_type;
    if (is_part(p, "type") || is_part(p, "subtype"))
        return add_cstr(c, it, !ct ? NULL : is_part(p, "type") ? ct->type : ct->subtype);
    if (p->part && p->part_len > 5 && !memcmp(p->part, "attr.", 5)) {
        for (size_t i = 0; ct && i < ct->param_count; i++)
            if (lm_eq_nocase(p->part + 5, p->part_len - 5, ct->params[i].name))
                return add_str(c, it, ct->params[i].value, ct->params[i].value_len);
        return add_str(c, it, "", 0);
    }
    if (is_part(p, "id") || (!p->part && h->kind == MAILPARSE_VALUE_IDS && h->list))
        return id_items(c, h, it);
    if (is_part(p, "name") || is_part(p, "addr") || h->kind == MAILPARSE_VALUE_ADDRESSES)
        return address_items(c, p, h, it);
    if (ct && ct->type) {
        char buf[256];
        int k = snprintf(buf, sizeof buf, "%s%s%s", ct->type, ct->subtype ? "/" : "",
                         ct->subtype ? ct->subtype : "");
        return add_str(c, it, buf, k < 0 ? 0 : (size_t)k < sizeof buf ? (size_t)k : sizeof buf - 1);
    }
    return add_str(c, it, h->text, h->text_len);
}

/* ---- selecting fields -------------------------------------------------------------------- */

typedef struct select {
    sv_xctx *c;
    const hpath *p;
    const mailparse_header **fields;
    size_t n, cap;
    size_t walked;             /* fields looked at: one instruction per 16 */
    int rc;
} select;

static int named(const hpath *p, const mailparse_header *h)
{
    if (p->names_len == 1 && p->names[0] == '*')
        return 1;
    for (size_t i = 0; i < p->names_len;) {
        size_t k = i;
        while (k < p->names_len && p->names[k] != ':')
            k++;
        if (k - i == h->name_len && !lm_strncasecmp(p->names + i, h->name, k - i))
            return 1;
        i = k + 1;
    }
    return 0;
}

static int collect(sv_run *r, void *user, const mailparse_header *h)
{
    (void)r;
    select *s = user;
    if (++s->walked % 16 == 0 && (s->rc = sv_xctx_charge(s->c, 1)))
        return 1;
    if (!named(s->p, h))
        return 0;
    if (s->n == s->cap) {
        if (s->n >= SV_MAX_LIST_ITEMS)
            return 1;
        size_t cap = s->cap ? s->cap * 2 : 16;
        const mailparse_header **f = sv_xctx_alloc(s->c, cap * sizeof *f);
        if (!f) {
            s->rc = sv_xctx_fail(s->c);
            return 1;
        }
        if (s->n)
            memcpy(f, s->fields, s->n * sizeof *f);
        s->fields = f;
        s->cap = cap;
    }
    s->fields[s->n++] = h;
    return 0;
}

/* The position `index` picks among `n` (1-based or from the end), or SIZE_MAX for none. */
static size_t pick(long index, size_t n)
{
    if (index > 0)
        return (size_t)index <= n ? (size_t)index - 1 : SIZE_MAX;
    return (size_t)-index <= n ? n - (size_t)-index : SIZE_MAX;
}

/* One field's value, its items picked by `item`: appended to `out` (flattened when all). */
static int field_value(sv_xctx *c, const hpath *p, const mailparse_header *h, items *out,
                       int single, sv_xval *one)
{
    items it = {0};
    int rc = field_items(c, p, h, &it);
    if (rc)
        return rc;
    if (p->item == INDEX_ALL) {
        if (single) {
            *one = (sv_xval){.type = SV_XV_LIST, .items = it.v, .count = it.n};
            return 0;
        }
        for (size_t i = 0; !rc && i < it.n; i++)
            rc = add(c, out, it.v[i]);
        return rc;
    }
    size_t k = pick(p->item, it.n);
    sv_xval v = k == SIZE_MAX ? (sv_xval){.type = SV_XV_STR, .s = "", .len = 0} : it.v[k];
    if (single) {
        *one = v;
        return 0;
    }
    return add(c, out, v);
}

int sv_expr_header(sv_xctx *c, const char *path, size_t len, sv_xval *out)
{
    hpath p;
    *out = (sv_xval){.type = SV_XV_STR, .s = "", .len = 0};
    if (!parse_path(path, len, &p))
        return sv_run_error(c->run, c->pos, "corrupt expression code");
    select s = {c, &p, NULL, 0, 0, 0, 0};
    int rc = sv_fields_all(c->run, collect, &s);
    if (s.rc)
        return s.rc;
    if (rc < 0)
        return rc;
    if (p.field != INDEX_ALL) {
        size_t k = pick(p.field, s.n);
        if (k == SIZE_MAX) {
            if (is_part(&p, "exists"))
                *out = xint(0);
            return 0;
        }
        return field_value(c, &p, s.fields[k], NULL, 1, out);
    }
    items all = {0};
    for (size_t i = 0; i < s.n; i++)
        if ((rc = field_value(c, &p, s.fields[i], &all, 0, NULL)))
            return rc;
    *out = (sv_xval){.type = SV_XV_LIST, .items = all.v, .count = all.n};
    return 0;
}

/* ---- the body ---------------------------------------------------------------------------- */

int sv_expr_body_valid(const char *part, size_t len)
{
    return (len == 4 && !memcmp(part, "text", 4)) || (len == 4 && !memcmp(part, "html", 4));
}

int sv_expr_body(sv_xctx *c, const char *part, size_t len, sv_xval *out)
{
    *out = (sv_xval){.type = SV_XV_STR, .s = "", .len = 0};
    if (!sv_expr_body_valid(part, len))
        return sv_run_error(c->run, c->pos, "corrupt expression code");
    if (part[0] == 't') {
        size_t n = 0;
        const char *text = mailparse_message_text(c->run->msg, &n);
        if (!text)
            return 0;
        if (n > SV_EXPR_MAX_VALUE)
            n = SV_EXPR_MAX_VALUE;
        *out = (sv_xval){.type = SV_XV_STR, .s = text, .len = n};
        return 0;
    }
    char *html = NULL;
    size_t n = 0;
    if (mailparse_message_html_dup(c->run->msg, &html, &n))
        return SIEVE_E_NOMEM;
    int rc = html ? sv_xval_string(c, html, n > SV_EXPR_MAX_VALUE ? SV_EXPR_MAX_VALUE : n, out)
                  : 0;
    mailparse_free(html);
    return rc;
}

/* ---- "${header.…}" in strings ------------------------------------------------------------ */

int sv_expr_namespace(void *user, const char *name, size_t len, lm_buf *out)
{
    sv_run *r = user;
    int header = len > 7 && lm_eq_nocase(name, 7, "header.");
    int body = len > 5 && lm_eq_nocase(name, 5, "body.");
    if ((!header && !body) || !sv_run_has(r, "vnd.stalwart.expressions"))
        return 0;
    if (header ? !sv_expr_header_valid(name + 7, len - 7) : !sv_expr_body_valid(name + 5, len - 5))
        return 0;
    sv_xctx c = {r, lm_arena_new(0), 0, {0, 0}};
    if (!c.arena)
        return SIEVE_E_NOMEM;
    sv_xval v;
    int rc = header ? sv_expr_header(&c, name + 7, len - 7, &v)
                    : sv_expr_body(&c, name + 5, len - 5, &v);
    const char *s;
    size_t n;
    if (!rc)
        rc = sv_xval_text(&c, &v, &s, &n);
    if (!rc && n && lm_buf_append(out, s, n))
        rc = SIEVE_E_NOMEM;
    lm_arena_free(c.arena);
    return rc ? rc : 1;
}
