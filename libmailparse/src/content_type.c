/* content_type.c — Content-Type and Content-Disposition with parameters: RFC 2045 §5.1,
 * RFC 2183 §2, RFC 2231 §3-§4 (continuations, charset and language), RFC 2047 words in values. */
#include "mp_internal.h"
#include "rfc5322_lex.h"

#include <stdlib.h>
#include <string.h>

/* Parameters kept per field; the ones past it are ignored (PARAM_INVALID). */
#define MP_CT_MAX_PARAMS 1000
/* Digits of an RFC 2231 section number; a longer one is taken as 0 (PARAM_INVALID). */
#define MP_CT_MAX_SECTION_DIGITS 9

/* One parameter as written, before RFC 2231 joining. */
struct raw_param {
    const char *base;       /* lowercased name without its "*N*" suffix */
    size_t base_len;
    long section;           /* -1 when the name has no section number */
    int ext;                /* the name ends with '*': charset'lang'%XX form */
    int quoted;             /* `val` is a quoted string, quotes included (maybe unterminated) */
    const char *val;
    size_t val_len;
    size_t order, off, val_off;
};

struct ct_parser {
    lm_arena *a;
    const char *in;
    size_t len;
    const mp_diag *d;
    size_t *budget;
    lm_buf params;          /* struct raw_param[] */
    size_t count;
    lm_buf tmp;
};

/* One finished parameter with the position it sorts to. */
struct out_param {
    mailparse_param p;
    size_t key;
};

static void bad_param(const struct ct_parser *st, size_t off)
{
    mp_report(st->d, MAILPARSE_ANOMALY_PARAM_INVALID, off);
}

/* Skips whitespace (folding included) and comments; an unterminated comment runs to the end. */
static size_t skip_cfws(const char *in, size_t i, size_t len) { return mp_lex_skip_cfws(in, len, i, NULL); }

/* The end of a token: whitespace, '(', a NUL byte or one of `stops` ends it. */
static size_t token_end(const char *in, size_t i, size_t len, const char *stops)
{
    while (i < len && in[i] && !lm_is_space((unsigned char)in[i]) && in[i] != '(' &&
           !strchr(stops, in[i]))
        i++;
    return i;
}

/* One past the closing quote of the quoted string opening at `i`, or `len`. */
static size_t quoted_string_end(const char *in, size_t i, size_t len)
{
    for (i++; i < len; i++) {
        if (in[i] == '\\')
            i++;
        else if (in[i] == '"')
            return i + 1;
    }
    return len;
}

/* Appends a quoted string's content: escapes resolved, line ends dropped. */
static void unquote(const char *v, size_t n, lm_buf *out)
{
    for (size_t k = 1; k < n; k++) {
        if (v[k] == '\\' && k + 1 < n)
            k++;
        else if (v[k] == '"')
            break;
        if (v[k] != '\r' && v[k] != '\n')
            lm_buf_putc(out, v[k]);
    }
}

/* ---- parameter names (RFC 2231 §3-§4) ---------------------------------------------------- */

/* Splits a lowercased name into base, section and the extended flag. Tolerates what is seen
 * in the wild (stray '*'s, junk after the section) and reports it. */
static int split_name(struct ct_parser *st, const char *nm, size_t n, size_t off, struct raw_param *rp)
{
    size_t i = 0;
    while (i < n && nm[i] == '*')
        i++;
    size_t b = i;
    while (i < n && nm[i] != '*')
        i++;
    rp->base = nm + b;
    rp->base_len = i - b;
    rp->section = -1;
    rp->ext = 0;
    if (rp->base_len == 0 || b > 0 || memchr(nm, '\0', n))
        bad_param(st, off);
    if (memchr(nm, '\0', n))
        return 0;
    if (i == n)
        return rp->base_len > 0;
    size_t ds = ++i;
    while (i < n && lm_is_digit((unsigned char)nm[i]))
        i++;
    if (i > ds) {
        rp->section = 0;
        if (i - ds > MP_CT_MAX_SECTION_DIGITS)
            bad_param(st, off);
        else
            rp->section = strtol(nm + ds, NULL, 10);
    }
    rp->ext = nm[n - 1] == '*';
    if (i != n && !(i + 1 == n && nm[i] == '*'))
        bad_param(st, off);
    return rp->base_len > 0;
}

/* ---- scanning ------------------------------------------------------------------------------ */

/* Whether the chunk at `i` starts a new parameter ("name=...") rather than continuing an
 * unquoted value ("=?...?=" words, or stray words of a value with spaces). */
static int starts_param(const char *in, size_t i, size_t len)
{
    if (in[i] == '=' || in[i] == '"')
        return 0;
    size_t e = token_end(in, i, len, ";\"");
    return memchr(in + i, '=', e - i) != NULL;
}

/* An unquoted value: a token, plus the words after it that do not start a parameter. */
static size_t scan_unquoted(struct ct_parser *st, size_t i, const char **val, size_t *vlen)
{
    const char *in = st->in;
    size_t e = token_end(in, i, st->len, ";");
    if (e == i) {
        *vlen = 0;
        return i;
    }
    lm_buf_reset(&st->tmp);
    lm_buf_append(&st->tmp, in + i, e - i);
    for (;;) {
        size_t j = skip_cfws(in, e, st->len);
        if (j >= st->len || in[j] == ';' || starts_param(in, j, st->len))
            break;
        size_t k = token_end(in, j, st->len, ";");
        if (k == j) /* a NUL byte ends the value */
            break;
        if (!(in[j] == '=' && k > j + 1 && in[j + 1] == '?'))
            bad_param(st, j);
        lm_buf_putc(&st->tmp, ' ');
        lm_buf_append(&st->tmp, in + j, k - j);
        e = k;
    }
    *val = lm_arena_strndup(st->a, st->tmp.data, st->tmp.len);
    *vlen = *val ? st->tmp.len : 0;
    return e;
}

/* Reads the name up to '=', dropping whitespace and comments, lowercased into the arena.
 * Returns the index of the '=' or of where the name stopped (';' or the end). */
static size_t scan_name(struct ct_parser *st, size_t i, char **name, size_t *nlen)
{
    const char *in = st->in;
    lm_buf_reset(&st->tmp);
    while (i < st->len && in[i] != '=' && in[i] != ';') {
        size_t j = skip_cfws(in, i, st->len);
        if (j != i) {
            i = j;
            continue;
        }
        lm_buf_putc(&st->tmp, lm_to_lower((unsigned char)in[i]));
        i++;
    }
    *name = lm_arena_strndup(st->a, st->tmp.data ? st->tmp.data : "", st->tmp.len);
    *nlen = st->tmp.len;
    return i;
}

static int keep_param(struct ct_parser *st, const struct raw_param *rp)
{
    if (st->count >= MP_CT_MAX_PARAMS) {
        bad_param(st, rp->off);
        return 0;
    }
    st->count++;
    return lm_buf_append(&st->params, rp, sizeof *rp) ? MAILPARSE_E_NOMEM : 0;
}

/* One "name=value" at `i`; returns where it ended in *next. */
static int parse_param(struct ct_parser *st, size_t i, size_t *next)
{
    const char *in = st->in;
    struct raw_param rp = {0};
    rp.off = i;
    rp.order = st->count;
    char *name;
    size_t nlen;
    i = scan_name(st, i, &name, &nlen);
    *next = i;
    if (!name)
        return MAILPARSE_E_NOMEM;
    if (i >= st->len || in[i] != '=') {
        bad_param(st, rp.off);
        return 0;
    }
    i = skip_cfws(in, i + 1, st->len);
    if (i < st->len && in[i] == '"') {
        size_t e = quoted_string_end(in, i, st->len);
        if (e == st->len && (e - i < 2 || in[e - 1] != '"'))
            bad_param(st, i);
        rp.quoted = 1;
        rp.val_off = i;
        rp.val = in + i;
        rp.val_len = e - i;
        i = e;
    } else {
        rp.val_off = i;
        i = scan_unquoted(st, i, &rp.val, &rp.val_len);
        if (rp.val_len == 0) {
            *next = i;
            bad_param(st, rp.off);
            return st->tmp.oom ? MAILPARSE_E_NOMEM : 0;
        }
    }
    *next = i;
    if (!split_name(st, name, nlen, rp.off, &rp))
        return 0;
    return keep_param(st, &rp);
}

/* The parameters after the type: ';' separated, a missing ';' or an empty one repaired. */
static int scan_params(struct ct_parser *st, size_t i)
{
    int separated = 0, empty = 0;
    for (;;) {
        i = skip_cfws(st->in, i, st->len);
        if (i >= st->len)
            return 0;
        if (st->in[i] == ';') {
            if (separated && !empty)
                bad_param(st, i);
            empty = separated;
            separated = 1;
            i++;
            continue;
        }
        if (!separated)
            bad_param(st, i);
        separated = empty = 0;
        int rc = parse_param(st, i, &i);
        if (rc)
            return rc;
    }
}

/* ---- joining and decoding (RFC 2231 §3-§4, RFC 2047 in values) --------------------------- */

static int cmp_raw(const void *x, const void *y)
{
    const struct raw_param *a = x, *b = y;
    size_t n = a->base_len < b->base_len ? a->base_len : b->base_len;
    int c = memcmp(a->base, b->base, n);
    if (c || a->base_len != b->base_len)
        return c ? c : a->base_len < b->base_len ? -1 : 1;
    if (a->section != b->section)
        return a->section < b->section ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

static int cmp_out(const void *x, const void *y)
{
    const struct out_param *a = x, *b = y;
    return a->key < b->key ? -1 : a->key > b->key;
}

/* Appends a value's text: quoted strings unquoted, unquoted values as they are. */
static void value_text(const struct raw_param *rp, lm_buf *out)
{
    if (rp->quoted)
        unquote(rp->val, rp->val_len, out);
    else
        lm_buf_append(out, rp->val, rp->val_len);
}

/* Appends %XX-decoded bytes; a '%' without two hex digits stays as it is. */
static void percent_decode(const char *v, size_t n, lm_buf *out)
{
    for (size_t k = 0; k < n; k++) {
        int hi, lo;
        if (v[k] == '%' && k + 2 < n && (hi = lm_hex_value((unsigned char)v[k + 1])) >= 0 &&
            (lo = lm_hex_value((unsigned char)v[k + 2])) >= 0) {
            lm_buf_putc(out, hi << 4 | lo);
            k += 2;
        } else {
            lm_buf_putc(out, v[k]);
        }
    }
}

/* What RFC 2231 joining collects for one parameter. */
struct joined {
    lm_buf bytes;
    const char *cs, *lang;  /* into `head` */
    size_t cs_len, lang_len;
    lm_buf head;            /* the first segment's text */
    int ext;
};

/* The first extended segment: charset'language'value. */
static void first_ext_segment(struct joined *j, const struct raw_param *rp)
{
    value_text(rp, &j->head);
    const char *t = j->head.data ? j->head.data : "";
    size_t n = j->head.len;
    const char *q1 = memchr(t, '\'', n);
    if (!q1) {
        percent_decode(t, n, &j->bytes);
        return;
    }
    j->cs = t;
    j->cs_len = (size_t)(q1 - t);
    const char *rest = q1 + 1;
    const char *q2 = memchr(rest, '\'', n - (size_t)(rest - t));
    if (q2) {
        j->lang = rest;
        j->lang_len = (size_t)(q2 - rest);
        rest = q2 + 1;
    }
    percent_decode(rest, n - (size_t)(rest - t), &j->bytes);
}

/* A later extended segment; a repeated "charset'" (or "charset'lang'") prefix is dropped. */
static void later_ext_segment(struct ct_parser *st, struct joined *j, const struct raw_param *rp)
{
    lm_buf_reset(&st->tmp);
    value_text(rp, &st->tmp);
    const char *t = st->tmp.data ? st->tmp.data : "";
    size_t n = st->tmp.len;
    if (j->cs_len && n > j->cs_len && t[j->cs_len] == '\'' && lm_strncasecmp(t, j->cs, j->cs_len) == 0) {
        bad_param(st, rp->off);
        t += j->cs_len + 1;
        n -= j->cs_len + 1;
        size_t l = j->lang_len;
        if (n > l && t[l] == '\'' && lm_strncasecmp(t, j->lang ? j->lang : "", l) == 0) {
            t += l + 1;
            n -= l + 1;
        }
    }
    percent_decode(t, n, &j->bytes);
}

/* Reports gaps and disorder of the segments [s, e) (sorted by section). */
static void check_segments(struct ct_parser *st, const struct raw_param *r, size_t s, size_t e)
{
    long want = 0;
    int gap = 0, disorder = 0;
    for (size_t k = s; k < e; k++) {
        if (k > s && r[k].section == r[k - 1].section)
            continue;
        if (k > s && r[k].order < r[k - 1].order)
            disorder = 1;
        if (r[k].section != want)
            gap = 1;
        want = r[k].section + 1;
    }
    if (disorder)
        mp_report(st->d, MAILPARSE_ANOMALY_RFC2231_OUT_OF_ORDER, r[s].off);
    if (gap)
        mp_report(st->d, MAILPARSE_ANOMALY_RFC2231_MISSING_SEGMENT, r[s].off);
}

/* Joins the sectioned segments [s, e) in section order (a repeated section: the first wins). */
static void join_segments(struct ct_parser *st, struct joined *j, const struct raw_param *r,
                          size_t s, size_t e)
{
    check_segments(st, r, s, e);
    for (size_t k = s; k < e; k++) {
        if (k > s && r[k].section == r[k - 1].section) {
            bad_param(st, r[k].off);
            continue;
        }
        if (r[k].ext && k == s && r[k].section == 0)
            first_ext_segment(j, &r[k]);
        else if (r[k].ext)
            later_ext_segment(st, j, &r[k]);
        else
            value_text(&r[k], &j->bytes);
        j->ext |= r[k].ext;
    }
}

/* Repairs inside joined bytes have no single input offset: they are reported at the
 * parameter's first segment. */
struct pinned {
    const mp_diag *d;
    size_t off;
};

static void report_pinned(void *user, mailparse_anomaly_kind kind, size_t offset)
{
    const struct pinned *p = user;
    (void)offset;
    mp_report(p->d, kind, p->off);
}

/* Converts the joined bytes: from the declared charset (an unknown one is guessed and
 * reported), else UTF-8 when valid, else guessed. */
static int joined_to_utf8(struct ct_parser *st, const struct joined *j, size_t off, lm_buf *out)
{
    const unsigned char *b = (const unsigned char *)(j->bytes.data ? j->bytes.data : "");
    struct pinned pin = {st->d, off};
    mp_diag at = {report_pinned, &pin, 0};
    if (j->ext && j->cs_len) {
        int rc = mp_charset_to_utf8(j->cs, j->cs_len, b, j->bytes.len, out, &at);
        if (rc != MAILPARSE_E_CHARSET)
            return rc;
        mp_report(&at, MAILPARSE_ANOMALY_CHARSET_UNKNOWN, 0);
    }
    return mp_text_guess_to_utf8(b, j->bytes.len, NULL, out, &at);
}

/* A single plain value: unquoted and RFC 2047 decoded (Outlook encodes file names so). */
static int plain_to_utf8(struct ct_parser *st, const struct raw_param *rp, lm_buf *out)
{
    mp_diag at = mp_diag_at(st->d, rp->val_off);
    return mp_rfc2047_decode(rp->val, rp->val_len, MAILPARSE_2047_PHRASE, out, &at, st->budget);
}

/* Builds the value of the parameter whose raw forms are r[s, e) into `out`. */
static int group_value(struct ct_parser *st, const struct raw_param *r, size_t s, size_t e,
                       lm_buf *out, char **lang, size_t *key)
{
    size_t sec = s, pick = s;
    while (sec < e && r[sec].section < 0)
        sec++;
    for (size_t k = s; k < sec; k++) /* name*= beats name=; among equals the last wins */
        if (r[k].ext >= r[pick].ext)
            pick = k;
    for (size_t k = s; k < sec; k++)
        if (k != pick || sec < e)
            bad_param(st, r[k].off);
    struct joined j = {LM_BUF_INIT, NULL, NULL, 0, 0, LM_BUF_INIT, 0};
    int rc;
    if (sec == e && !r[pick].ext) {
        *key = r[pick].order;
        return plain_to_utf8(st, &r[pick], out);
    }
    if (sec == e) {
        *key = r[pick].order;
        j.ext = 1;
        first_ext_segment(&j, &r[pick]);
    } else {
        size_t first = r[s].order;
        for (size_t k = s; k < e; k++)
            first = r[k].order < first ? r[k].order : first;
        *key = r[sec].section == 0 ? r[sec].order : MP_CT_MAX_PARAMS + first;
        join_segments(st, &j, r, sec, e);
    }
    rc = joined_to_utf8(st, &j, r[sec < e ? sec : pick].off, out);
    if (!rc && j.lang_len)
        *lang = lm_arena_strndup(st->a, j.lang, j.lang_len);
    if (!rc && j.lang_len && !*lang)
        rc = MAILPARSE_E_NOMEM;
    if (!rc && (j.bytes.oom || j.head.oom))
        rc = MAILPARSE_E_NOMEM;
    lm_buf_free(&j.bytes);
    lm_buf_free(&j.head);
    return rc;
}

/* Turns the raw parameters into the result's list, in the order they were written (a
 * continued one where its segment 0 is). */
static int build_params(struct ct_parser *st, mailparse_content_type *ct)
{
    struct raw_param *r = (struct raw_param *)st->params.data;
    size_t n = st->count;
    if (n == 0)
        return 0;
    qsort(r, n, sizeof *r, cmp_raw);
    struct out_param *op = lm_arena_calloc(st->a, n, sizeof *op);
    if (!op)
        return MAILPARSE_E_NOMEM;
    size_t groups = 0;
    lm_buf v = LM_BUF_INIT;
    int rc = 0;
    for (size_t s = 0, e; s < n && !rc; s = e) {
        for (e = s + 1; e < n && r[e].base_len == r[s].base_len &&
                        memcmp(r[e].base, r[s].base, r[s].base_len) == 0; e++)
            ;
        lm_buf_reset(&v);
        char *lang = NULL;
        rc = group_value(st, r, s, e, &v, &lang, &op[groups].key);
        if (rc)
            break;
        op[groups].p.name = lm_arena_strndup(st->a, r[s].base, r[s].base_len);
        op[groups].p.value = lm_arena_strndup(st->a, v.data ? v.data : "", v.len);
        op[groups].p.value_len = v.len;
        op[groups].p.language = lang;
        if (!op[groups].p.name || !op[groups].p.value || v.oom)
            rc = MAILPARSE_E_NOMEM;
        groups++;
    }
    lm_buf_free(&v);
    if (rc)
        return rc;
    qsort(op, groups, sizeof *op, cmp_out);
    mailparse_param *pa = lm_arena_calloc(st->a, groups, sizeof *pa);
    if (!pa)
        return MAILPARSE_E_NOMEM;
    for (size_t k = 0; k < groups; k++)
        pa[k] = op[k].p;
    ct->params = pa;
    ct->param_count = groups;
    return 0;
}

/* type "/" subtype (or a lone type for a disposition). Returns where the parameters start,
 * or 0 with *rc set. A missing subtype after '/' is tolerated (subtype NULL). */
static size_t scan_type(struct ct_parser *st, int disposition, mailparse_content_type *ct, int *rc)
{
    const char *in = st->in;
    size_t i = skip_cfws(in, 0, st->len);
    size_t t = i;
    i = token_end(in, i, st->len, "/;");
    *rc = MAILPARSE_E_SYNTAX;
    if (i == t)
        return 0;
    char *type = lm_arena_strndup(st->a, in + t, i - t);
    i = skip_cfws(in, i, st->len);
    if (i < st->len && in[i] == '/') {
        i = skip_cfws(in, i + 1, st->len);
        size_t s = i;
        i = token_end(in, i, st->len, ";");
        if (i > s) {
            char *sub = lm_arena_strndup(st->a, in + s, i - s);
            if (!sub)
                return *rc = MAILPARSE_E_NOMEM, 0;
            lm_lower(sub, i - s);
            ct->subtype = sub;
        }
    } else if (!disposition) {
        return 0;
    }
    if (!type)
        return *rc = MAILPARSE_E_NOMEM, 0;
    lm_lower(type, strlen(type));
    ct->type = type;
    *rc = 0;
    return i;
}

int mp_parse_content_type(lm_arena *a, const char *in, size_t len, int disposition,
                          const mp_diag *d, size_t *budget, mailparse_content_type **out)
{
    if (!a || (!in && len) || !out)
        return MAILPARSE_E_INVAL;
    *out = NULL;
    struct ct_parser st = {a, in ? in : "", len, d, budget, LM_BUF_INIT, 0, LM_BUF_INIT};
    mailparse_content_type *ct = lm_arena_calloc(a, 1, sizeof *ct);
    if (!ct)
        return MAILPARSE_E_NOMEM;
    int rc;
    size_t i = scan_type(&st, disposition, ct, &rc);
    if (!rc)
        rc = scan_params(&st, i);
    if (!rc && (st.params.oom || st.tmp.oom))
        rc = MAILPARSE_E_NOMEM;
    if (!rc)
        rc = build_params(&st, ct);
    lm_buf_free(&st.params);
    lm_buf_free(&st.tmp);
    if (!rc)
        *out = ct;
    return rc;
}

const char *mp_param(const mailparse_content_type *ct, const char *name)
{
    if (!ct || !name)
        return NULL;
    size_t n = strlen(name);
    for (size_t k = 0; k < ct->param_count; k++)
        if (strlen(ct->params[k].name) == n && lm_eq_nocase(ct->params[k].name, n, name))
            return ct->params[k].value;
    return NULL;
}
