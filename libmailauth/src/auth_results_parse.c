/* auth_results_parse.c — reading an Authentication-Results or ARC-Authentication-Results
 * header field (RFC 8601 §2.2, RFC 8617 §4.1.1) into the model of auth_results_write.c, with
 * RFC 5322 CFWS (§3.2.2) and quoted strings (§3.2.4), tolerant of common deviations. The
 * model is built through the public builder, so whatever is parsed can be written back. */
#include "ma_internal.h"

#include "lm_alloc.h"
#include "lm_ascii.h"
#include "lm_buf.h"

#include <string.h>

#define AR_NUMBER_DIGITS 9 /* versions and ARC instances: at most 999999999 */

struct parser {
    const char *s;
    size_t n, pos;
    unsigned max_depth;
    size_t err_off;
    const char *msg;
    lm_buf val;      /* the value being read, unquoted */
    lm_buf key, key2; /* names being read, NUL-terminated */
    lm_buf comment;  /* the comment right after a result */
    int want_comment, have_comment;
    mailauth_ar_anomaly_fn anomaly;
    void *anomaly_user;
};

static void anomaly(const struct parser *p, int kind, size_t off)
{
    if (p->anomaly)
        p->anomaly(p->anomaly_user, kind, off);
}

static int fail(struct parser *p, size_t off, const char *msg, int rc)
{
    p->err_off = off;
    p->msg = msg;
    return rc;
}

static int syntax(struct parser *p, size_t off, const char *msg)
{
    return fail(p, off, msg, MAILAUTH_E_SYNTAX);
}

/* A control character no field may hold (HTAB, CR and LF are handled where they occur). */
static int is_bad_ctl(unsigned char c)
{
    return (c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f;
}

/* At a CR or LF: the offset after the line break when it is a fold (CRLF or a bare LF, then
 * a space or tab), n when it ends the input, or 0 when it is not allowed here. A bare LF is
 * reported. */
static size_t line_break_end(const struct parser *p)
{
    size_t q = p->pos;
    if (p->s[q] == '\r') {
        if (++q >= p->n || p->s[q] != '\n')
            return 0; /* a bare CR */
    } else {
        anomaly(p, MAILAUTH_AR_ANOMALY_BARE_LF, q);
    }
    q++;
    if (q >= p->n)
        return p->n;
    return lm_is_wsp((unsigned char)p->s[q]) ? q : 0;
}

/* A comment at '(' (RFC 5322 §3.2.2), nested at most max_depth deep. The first one read
 * while want_comment is set is kept, unescaped and unfolded, nested parentheses and all. */
static int comment(struct parser *p)
{
    size_t start = p->pos;
    unsigned depth = 0;
    int keep = p->want_comment && !p->have_comment;
    if (keep)
        lm_buf_reset(&p->comment);
    for (;;) {
        if (p->pos >= p->n)
            return syntax(p, start, "unterminated comment");
        unsigned char c = (unsigned char)p->s[p->pos];
        if (c == '(') {
            if (++depth > p->max_depth)
                return fail(p, p->pos, "comments nested too deep", MAILAUTH_E_LIMIT);
            if (depth > 1 && keep)
                lm_buf_putc(&p->comment, c);
            p->pos++;
        } else if (c == ')') {
            p->pos++;
            if (--depth == 0)
                break;
            if (keep)
                lm_buf_putc(&p->comment, c);
        } else if (c == '\\') {
            if (++p->pos >= p->n)
                return syntax(p, start, "unterminated comment");
            c = (unsigned char)p->s[p->pos];
            if (is_bad_ctl(c) || c == '\r' || c == '\n')
                return syntax(p, p->pos, "control character");
            if (keep)
                lm_buf_putc(&p->comment, c);
            p->pos++;
        } else if (c == '\r' || c == '\n') {
            size_t q = line_break_end(p);
            if (!q || q >= p->n)
                return syntax(p, q ? start : p->pos,
                              q ? "unterminated comment" : "line break inside a comment");
            p->pos = q;
        } else if (is_bad_ctl(c)) {
            return syntax(p, p->pos, "control character");
        } else {
            if (keep)
                lm_buf_putc(&p->comment, c);
            p->pos++;
        }
    }
    if (keep)
        p->have_comment = 1;
    return 0;
}

/* Skips [CFWS]: spaces, tabs, folds, comments; a line end that ends the input. */
static int skip_cfws(struct parser *p)
{
    while (p->pos < p->n) {
        unsigned char c = (unsigned char)p->s[p->pos];
        if (lm_is_wsp(c)) {
            p->pos++;
        } else if (c == '\r' || c == '\n') {
            size_t q = line_break_end(p);
            if (!q)
                return syntax(p, p->pos, "line break not followed by a space");
            p->pos = q;
        } else if (c == '(') {
            int rc = comment(p);
            if (rc)
                return rc;
        } else if (is_bad_ctl(c)) {
            return syntax(p, p->pos, "control character");
        } else {
            break;
        }
    }
    return 0;
}

static int at(const struct parser *p, char c) { return p->pos < p->n && p->s[p->pos] == c; }

/* A keyword, 1*(ALPHA / DIGIT / "-" / "_"), with `dots` also "." after the first octet, into
 * `b` NUL-terminated. Returns its length (0: none here). */
static size_t keyword(struct parser *p, lm_buf *b, int dots)
{
    size_t start = p->pos;
    while (p->pos < p->n) {
        unsigned char c = (unsigned char)p->s[p->pos];
        if (!(lm_is_alnum(c) || c == '-' || c == '_' || (dots && c == '.' && p->pos > start)))
            break;
        p->pos++;
    }
    lm_buf_reset(b);
    lm_buf_append(b, p->s + start, p->pos - start);
    if (!b->oom && !lm_buf_putc(b, '\0')) /* so that an empty keyword is "" too */
        b->len--;
    return p->pos - start; /* on failure b->oom is set, and len is 0 */
}

/* 1*DIGIT as a version or instance, 1..999999999. */
static int number(struct parser *p, unsigned *out, const char *what)
{
    size_t start = p->pos;
    unsigned long v = 0;
    while (p->pos < p->n && lm_is_digit((unsigned char)p->s[p->pos])) {
        if (p->pos - start == AR_NUMBER_DIGITS)
            return syntax(p, start, what);
        v = v * 10 + (unsigned)(p->s[p->pos++] - '0');
    }
    if (p->pos == start || v == 0)
        return syntax(p, start, what);
    *out = (unsigned)v;
    return 0;
}

/* A quoted-string at DQUOTE, its content unquoted and unfolded appended to p->val. */
static int quoted_string(struct parser *p)
{
    size_t start = p->pos++;
    for (;;) {
        if (p->pos >= p->n)
            return syntax(p, start, "unterminated quoted string");
        unsigned char c = (unsigned char)p->s[p->pos];
        if (c == '"') {
            p->pos++;
            return 0;
        }
        if (c == '\\') {
            if (++p->pos >= p->n)
                return syntax(p, start, "unterminated quoted string");
            c = (unsigned char)p->s[p->pos];
            if (is_bad_ctl(c) || c == '\r' || c == '\n')
                return syntax(p, p->pos, "control character");
            lm_buf_putc(&p->val, c);
            p->pos++;
        } else if (c == '\r' || c == '\n') {
            size_t q = line_break_end(p);
            if (!q || q >= p->n)
                return syntax(p, q ? start : p->pos,
                              q ? "unterminated quoted string"
                                : "line break inside a quoted string");
            p->pos = q;
        } else if (is_bad_ctl(c)) {
            return syntax(p, p->pos, "control character");
        } else {
            lm_buf_putc(&p->val, c);
            p->pos++;
        }
    }
}

/* A run of printable octets (and UTF-8) up to a space, "(", ";", DQUOTE or, without
 * `eq`, "=": a token, a domain, an addr-spec, or what some signers write unquoted. */
static void run(struct parser *p, int eq)
{
    size_t start = p->pos;
    while (p->pos < p->n) {
        unsigned char c = (unsigned char)p->s[p->pos];
        if (c <= ' ' || c == 0x7f || c == '(' || c == ';' || c == '"' || (!eq && c == '='))
            break;
        p->pos++;
    }
    lm_buf_append(&p->val, p->s + start, p->pos - start);
}

/* A value into p->val (NUL-terminated): a quoted-string (unquoted), with `addr` a quoted
 * local-part "@" domain (kept as written, unfolded), or a run. It must end where an item
 * may: at the end, a space, a line break, "(" or ";". `*quoted` (may be NULL) says whether
 * it was a quoted-string. */
static int value(struct parser *p, int addr, int eq, int *quoted)
{
    lm_buf_reset(&p->val);
    lm_buf_putc(&p->val, '\0');
    p->val.len = 0;
    if (quoted)
        *quoted = at(p, '"');
    if (at(p, '"')) {
        size_t start = p->pos;
        int rc = quoted_string(p);
        if (rc)
            return rc;
        if (addr && at(p, '@')) {
            lm_buf_reset(&p->val);
            for (size_t k = start; k < p->pos; k++)
                if (p->s[k] != '\r' && p->s[k] != '\n')
                    lm_buf_putc(&p->val, p->s[k]);
            run(p, eq);
        }
    } else {
        size_t start = p->pos;
        run(p, eq);
        if (!p->val.oom && !ma_ar_value_is_bare(p->val.data, p->val.len, addr))
            anomaly(p, MAILAUTH_AR_ANOMALY_UNQUOTED_VALUE, start);
    }
    if (p->pos < p->n) {
        unsigned char c = (unsigned char)p->s[p->pos];
        if (!(lm_is_space(c) || c == '(' || c == ';'))
            return syntax(p, p->pos, is_bad_ctl(c) ? "control character"
                                                    : "unexpected character after a value");
    }
    return p->val.oom ? MAILAUTH_E_NOMEM : 0;
}

/* Skips a header field name `name` and its colon (WSP allowed before the colon). */
static int field_name(struct parser *p, const char *name)
{
    size_t len = strlen(name), q = len;
    if (p->n < len || lm_strncasecmp(p->s, name, len))
        return 0;
    while (q < p->n && lm_is_wsp((unsigned char)p->s[q]))
        q++;
    if (q >= p->n || p->s[q] != ':')
        return 0;
    p->pos = q + 1;
    return 1;
}

/* "i" [CFWS] "=" [CFWS] instance [CFWS] ";" [CFWS]: RFC 8617 §4.1.1's prefix. Returns 0 with
 * *instance 0 when the field does not start with it. */
static int arc_prefix(struct parser *p, unsigned *instance)
{
    *instance = 0;
    if (p->pos >= p->n || lm_to_lower((unsigned char)p->s[p->pos]) != 'i')
        return 0;
    size_t save = p->pos++;
    mailauth_ar_anomaly_fn fn = p->anomaly; /* what is read again is reported then */
    p->anomaly = NULL;
    int rc = skip_cfws(p);
    p->anomaly = fn;
    if (rc || !at(p, '=')) {
        p->pos = save; /* an authserv-id starting with "i" */
        return 0;
    }
    p->pos++;
    if ((rc = skip_cfws(p)))
        return rc;
    size_t start = p->pos;
    if ((rc = number(p, instance, "bad ARC instance")))
        return rc;
    if (*instance > 50) /* RFC 8617 §4.2.1 */
        return syntax(p, start, "bad ARC instance");
    if ((rc = skip_cfws(p)))
        return rc;
    if (!at(p, ';'))
        return syntax(p, p->pos, "expected ';' after the ARC instance");
    p->pos++;
    return skip_cfws(p);
}

/* Non-zero when the field starts with a result where its authserv-id should be: a keyword
 * followed by "=" or "/" (an authserv-id cannot hold "="). */
static int starts_with_result(struct parser *p)
{
    size_t save = p->pos;
    mailauth_ar_anomaly_fn fn = p->anomaly; /* what is read again is reported then */
    p->anomaly = NULL;
    int yes = keyword(p, &p->key, 0) && !skip_cfws(p) && (at(p, '=') || at(p, '/'));
    p->anomaly = fn;
    p->pos = save;
    return yes;
}

/* Turns the builder's refusal of something read into a syntax error at `off`. */
static int built(struct parser *p, int rc, size_t off, const char *msg)
{
    return rc == MAILAUTH_E_INVAL ? syntax(p, off, msg) : rc;
}

/* The items after a result: [reason] properties, in any order, up to ";" or the end. */
static int result_items(struct parser *p, mailauth_ar *ar, size_t max_props)
{
    size_t props = 0;
    int have_reason = 0, rc;
    while (p->pos < p->n && !at(p, ';')) {
        size_t start = p->pos;
        if (!keyword(p, &p->key, 0))
            return syntax(p, p->pos, "expected a property");
        if ((rc = skip_cfws(p)))
            return rc;
        int reason = 0;
        const char *ptype = p->key.data, *property;
        if (at(p, '.')) {
            p->pos++;
            if ((rc = skip_cfws(p)))
                return rc;
            if (!keyword(p, &p->key2, 1))
                return syntax(p, p->pos, "expected a property name after '.'");
            if ((rc = skip_cfws(p)))
                return rc;
            property = p->key2.data;
        } else {
            reason = lm_eq_nocase(p->key.data, p->key.len, "reason");
            property = p->key.data;
            ptype = ""; /* a bare property, as some write ("action=none") */
            if (!reason)
                anomaly(p, MAILAUTH_AR_ANOMALY_BARE_PROPERTY, start);
        }
        if (!at(p, '='))
            return syntax(p, p->pos, "expected '='");
        p->pos++;
        if ((rc = skip_cfws(p)) || (rc = value(p, !reason, 1, NULL)))
            return rc;
        if (p->key.oom || p->key2.oom)
            return MAILAUTH_E_NOMEM;
        if (reason) {
            if (have_reason)
                return syntax(p, start, "a second reason");
            if (props)
                anomaly(p, MAILAUTH_AR_ANOMALY_REASON_AFTER_PROPERTY, start);
            have_reason = 1;
            rc = built(p, mailauth_ar_set_reason(ar, p->val.data), start, "bad reason");
        } else {
            if (props == max_props)
                return fail(p, start, "too many properties", MAILAUTH_E_LIMIT);
            props++;
            rc = built(p, mailauth_ar_add_prop(ar, ptype, property, p->val.data), start,
                       "bad property");
        }
        if (rc || (rc = skip_cfws(p)))
            return rc;
    }
    return 0;
}

/* One resinfo after its ";" and CFWS: methodspec, the comment right after the result, the
 * items. `*none` is set for a "none" statement instead. */
static int resinfo(struct parser *p, mailauth_ar *ar, const mailauth_ar_parse_options *o,
                   int *none)
{
    size_t start = p->pos;
    int rc;
    *none = 0;
    if (!keyword(p, &p->key, 0))
        return syntax(p, p->pos, "expected a method");
    if ((rc = skip_cfws(p)))
        return rc;
    if (lm_eq_nocase(p->key.data, p->key.len, "none") && !at(p, '=') && !at(p, '/')) {
        *none = 1;
        return 0;
    }
    unsigned version = 0;
    if (at(p, '/')) {
        p->pos++;
        if ((rc = skip_cfws(p)) || (rc = number(p, &version, "bad method version")) ||
            (rc = skip_cfws(p)))
            return rc;
    }
    if (!at(p, '='))
        return syntax(p, p->pos, "expected '=' after the method");
    p->pos++;
    if ((rc = skip_cfws(p)))
        return rc;
    if (!keyword(p, &p->key2, 0))
        return syntax(p, p->pos, "expected a result");
    if (mailauth_ar_count(ar) == o->max_results)
        return fail(p, start, "too many results", MAILAUTH_E_LIMIT);
    if (p->key.oom || p->key2.oom)
        return MAILAUTH_E_NOMEM;
    if ((rc = built(p, mailauth_ar_add_text(ar, p->key.data, p->key2.data, NULL), start,
                    "bad result")) ||
        (rc = mailauth_ar_set_method_version(ar, version)))
        return rc;
    p->want_comment = 1;
    p->have_comment = 0;
    rc = skip_cfws(p);
    p->want_comment = 0;
    if (rc)
        return rc;
    if (p->have_comment) {
        lm_buf_putc(&p->comment, '\0');
        if (p->comment.oom)
            return MAILAUTH_E_NOMEM;
        rc = built(p, mailauth_ar_set_comment(ar, p->comment.data), start, "bad comment");
        if (rc)
            return rc;
    }
    return result_items(p, ar, o->max_props);
}

static int parse(struct parser *p, const mailauth_ar_parse_options *o, mailauth_ar **out)
{
    int rc, arc_name = 0;
    if (field_name(p, "ARC-Authentication-Results"))
        arc_name = 1;
    else
        field_name(p, "Authentication-Results");
    unsigned instance = 0, version = 0;
    if ((rc = skip_cfws(p)) || (rc = arc_prefix(p, &instance)))
        return rc;
    if (arc_name && !instance)
        return syntax(p, p->pos, "ARC-Authentication-Results without its i= instance");
    size_t id_start = p->pos;
    int quoted, anonymous = starts_with_result(p);
    mailauth_ar *ar;
    if (anonymous) { /* Exchange Online writes "Authentication-Results: spf=pass ..." */
        anomaly(p, MAILAUTH_AR_ANOMALY_NO_AUTHSERV_ID, id_start);
        if ((rc = ma_ar_new_anonymous(&ar)))
            return rc;
    } else {
        if ((rc = value(p, 0, 0, &quoted)))
            return rc;
        if (!p->val.len)
            return syntax(p, id_start, quoted ? "empty authserv-id" : "expected an authserv-id");
        if ((rc = built(p, mailauth_ar_new(p->val.data, &ar), id_start, "bad authserv-id")))
            return rc;
    }
    *out = ar;
    mailauth_ar_set_arc_instance(ar, instance);
    if ((rc = skip_cfws(p)))
        return rc;
    if (!anonymous && p->pos < p->n && lm_is_digit((unsigned char)p->s[p->pos])) {
        if ((rc = number(p, &version, "bad version")))
            return rc;
        if (p->pos < p->n && !lm_is_space((unsigned char)p->s[p->pos]) && !at(p, '(') &&
            !at(p, ';'))
            return syntax(p, p->pos, "bad version");
        mailauth_ar_set_version(ar, version);
        if ((rc = skip_cfws(p)))
            return rc;
    }
    int statements = 0, none = 0;
    while (p->pos < p->n) {
        if (anonymous && !statements) {
            /* the first result, without its ";" */
        } else if (!at(p, ';')) {
            return syntax(p, p->pos, "expected ';'");
        } else {
            p->pos++;
        }
        statements++;
        if ((rc = skip_cfws(p)))
            return rc;
        if (p->pos >= p->n || at(p, ';')) {
            anomaly(p, MAILAUTH_AR_ANOMALY_EMPTY_STATEMENT, p->pos);
            continue; /* a trailing ";", an empty statement */
        }
        size_t start = p->pos;
        int this_none;
        if (none)
            return syntax(p, start, "a result after none");
        if ((rc = resinfo(p, ar, o, &this_none)))
            return rc;
        if (this_none && mailauth_ar_count(ar))
            return syntax(p, start, "none among results");
        none |= this_none;
    }
    if (!statements)
        return syntax(p, p->pos, "expected ';' and the results");
    return 0;
}

void mailauth_ar_parse_options_init(mailauth_ar_parse_options *opts)
{
    if (!opts)
        return;
    memset(opts, 0, sizeof *opts);
    opts->struct_size = sizeof *opts;
}

int mailauth_ar_parse(const char *text, size_t len, const mailauth_ar_parse_options *opts,
                      mailauth_ar **out, mailauth_ar_error *err)
{
    if (err) {
        err->offset = 0;
        err->message = NULL;
    }
    if (!out)
        return MAILAUTH_E_INVAL;
    *out = NULL;
    if ((!text && len) || (opts && opts->struct_size < sizeof(size_t)))
        return MAILAUTH_E_INVAL;
    mailauth_ar_parse_options o;
    mailauth_ar_parse_options_init(&o);
    if (opts)
        memcpy(&o, opts, opts->struct_size < sizeof o ? opts->struct_size : sizeof o);
    if (!o.max_field_size)
        o.max_field_size = MAILAUTH_AR_DEFAULT_MAX_FIELD_SIZE;
    if (!o.max_results)
        o.max_results = MAILAUTH_AR_DEFAULT_MAX_RESULTS;
    if (!o.max_props)
        o.max_props = MAILAUTH_AR_DEFAULT_MAX_PROPS;
    if (!o.max_comment_depth)
        o.max_comment_depth = MAILAUTH_AR_DEFAULT_MAX_COMMENT_DEPTH;
    struct parser p = {0};
    p.s = text ? text : "";
    p.n = len;
    p.max_depth = o.max_comment_depth;
    p.anomaly = o.anomaly;
    p.anomaly_user = o.anomaly_user;
    mailauth_ar *ar = NULL;
    int rc = len > o.max_field_size
                 ? fail(&p, o.max_field_size, "field longer than max_field_size", MAILAUTH_E_LIMIT)
                 : parse(&p, &o, &ar);
    if (!rc && (p.val.oom || p.key.oom || p.key2.oom || p.comment.oom))
        rc = MAILAUTH_E_NOMEM;
    lm_buf_free(&p.val);
    lm_buf_free(&p.key);
    lm_buf_free(&p.key2);
    lm_buf_free(&p.comment);
    if (rc) {
        mailauth_ar_free(ar);
        if (err && (rc == MAILAUTH_E_SYNTAX || rc == MAILAUTH_E_LIMIT)) {
            err->offset = p.err_off;
            err->message = p.msg ? p.msg : "malformed field";
        }
        return rc;
    }
    *out = ar;
    return 0;
}
