/* ext_enotify.c — notifications (RFC 5435): the notify action (§3), the valid_notify_method
 * (§4) and notify_method_capability (§5) tests, duplicate notifications (§3.8), and the
 * methods this library knows: mailto (RFC 5436, URIs of RFC 6068) and xmpp (RFC 5437, URIs of
 * RFC 5122). The :encodeurl modifier of "set" (§6) is in variables.c. */
#include "outgoing.h"

#include "lm_ascii.h"
#include "lm_buf.h"
#include "lm_utf8.h"

#include <stdint.h>
#include <string.h>

#define MAX_MAILTO_RECIPIENTS 64   /* recipients one mailto URI may name */
#define MAX_MAILTO_HEADERS 16      /* other header fields of one URI that are kept */
#define DEFAULT_MAX_NOTIFY 10      /* notify actions of one run */

/* ---- mailto URIs (RFC 6068) --------------------------------------------------------------- */

/* Percent-decodes s[0..n) into `out`; -1 on a malformed escape or a NUL. */
static int pct_decode(const char *s, size_t n, lm_buf *out)
{
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (c == '%') {
            if (i + 2 >= n)
                return -1;
            int h = lm_hex_value((unsigned char)s[i + 1]), l = lm_hex_value((unsigned char)s[i + 2]);
            if (h < 0 || l < 0)
                return -1;
            c = h << 4 | l;
            i += 2;
        }
        if (c == 0)
            return -1;
        lm_buf_putc(out, c);
    }
    return 0;
}

/* A plain addr-spec check: one "@" with something on both sides, no spaces or controls. */
static int addr_spec_ok(const char *s, size_t n)
{
    const char *at = memchr(s, '@', n);
    if (!at || at == s || at == s + n - 1 || memchr(at + 1, '@', (size_t)(s + n - at - 1)))
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f || strchr("()<>[]:;\\\",", s[i]))
            return 0;
    return lm_utf8_valid(s, n);
}

/* RFC 5322 §3.6.8 ftext: a header field name. */
static int hfname_ok(const lm_buf *b)
{
    if (!b->len)
        return 0;
    for (size_t i = 0; i < b->len; i++) {
        unsigned char c = (unsigned char)b->data[i];
        if (c < 33 || c > 126 || c == ':')
            return 0;
    }
    return 1;
}

enum { RCPT_TO = 0, RCPT_CC, RCPT_BCC };
#define NONE SIZE_MAX

/* A mailto URI taken apart: its strings (each NUL-terminated) in `text`, found by offset. */
typedef struct mailto {
    lm_buf text;
    struct {
        size_t name, addr;     /* the display name (decoded; NONE: none) and the addr-spec */
        int kind;              /* RCPT_* */
    } rcpt[MAX_MAILTO_RECIPIENTS];
    size_t nrcpt;
    struct {
        size_t name, value;
    } hdr[MAX_MAILTO_HEADERS];
    size_t nhdr;
    size_t subject, body;      /* NONE when the URI has none */
} mailto;

static size_t mailto_put(mailto *m, const char *s, size_t n)
{
    size_t off = m->text.len;
    lm_buf_append(&m->text, s, n);
    lm_buf_putc(&m->text, 0);
    return off;
}

static const char *mailto_str(const mailto *m, size_t off)
{
    return off == NONE ? NULL : m->text.data + off;
}

/* Adds one recipient, "addr-spec" or "phrase <addr-spec>" (RFC 5322 name-addr: the phrase
 * may be quoted or hold RFC 2047 words). 1, 0 when it is not valid (or one too many), or
 * SIEVE_E_NOMEM. A recipient the URI already has is left out. */
static int add_recipient(mailto *m, const char *s, size_t n, int kind)
{
    size_t name = NONE;
    if (n && s[n - 1] == '>') {
        const char *lt = s + n - 1;
        while (lt > s && *lt != '<')
            lt--;
        if (*lt != '<')
            return 0;
        size_t pl = (size_t)(lt - s);
        while (pl && lm_is_space((unsigned char)s[pl - 1]))
            pl--;
        if (pl) {
            char *dec = NULL;
            size_t dl = 0;
            int rc = mailparse_rfc2047_decode(s, pl, MAILPARSE_2047_PHRASE, &dec, &dl, NULL, NULL);
            if (rc == MAILPARSE_E_NOMEM)
                return SIEVE_E_NOMEM;
            if (rc || !lm_utf8_valid(dec, dl) || memchr(dec, '\r', dl) || memchr(dec, '\n', dl)) {
                mailparse_free(dec);
                return 0;
            }
            name = mailto_put(m, dec, dl);
            mailparse_free(dec);
        }
        n = (size_t)(s + n - 1 - (lt + 1));
        s = lt + 1;
    }
    if (!addr_spec_ok(s, n))
        return 0;
    for (size_t i = 0; i < m->nrcpt; i++) {
        const char *a = mailto_str(m, m->rcpt[i].addr);
        if (strlen(a) == n && lm_strncasecmp(a, s, n) == 0)
            return 1;
    }
    if (m->nrcpt == MAX_MAILTO_RECIPIENTS)
        return 0;
    m->rcpt[m->nrcpt].name = name;
    m->rcpt[m->nrcpt].addr = mailto_put(m, s, n);
    m->rcpt[m->nrcpt].kind = kind;
    m->nrcpt++;
    return 1;
}

/* Adds the recipients of one percent-encoded field, separated by commas outside quoted
 * strings and angle brackets. 1, 0 when one is not valid, or SIEVE_E_NOMEM. */
static int add_recipients(mailto *m, const char *s, size_t n, int kind)
{
    lm_buf dec = LM_BUF_INIT;
    int ok = pct_decode(s, n, &dec) == 0 && !dec.oom ? 1 : 0;
    for (size_t i = 0; ok == 1 && i < dec.len;) {
        size_t k = i;
        int quoted = 0, angle = 0;
        for (; k < dec.len && (quoted || angle || dec.data[k] != ','); k++) {
            char c = dec.data[k];
            if (quoted && c == '\\' && k + 1 < dec.len)
                k++;
            else if (c == '"')
                quoted = !quoted;
            else if (!quoted && c == '<')
                angle = 1;
            else if (!quoted && c == '>')
                angle = 0;
        }
        size_t b = i, e = k;
        while (b < e && lm_is_space((unsigned char)dec.data[b]))
            b++;
        while (e > b && lm_is_space((unsigned char)dec.data[e - 1]))
            e--;
        if (quoted || angle)
            ok = 0;
        else if (e > b)
            ok = add_recipient(m, dec.data + b, e - b, kind);
        i = k + 1;
    }
    if (dec.oom)
        ok = SIEVE_E_NOMEM;
    lm_buf_free(&dec);
    return ok;
}

/* Header fields a URI may not set (RFC 5436 §2.2: the notification's own; RFC 6068 §6:
 * fields that would mislead): they are ignored. */
static int reserved_field(const char *name, size_t n)
{
    static const char *const reserved[] = {
        "auto-submitted", "received", "message-id", "date", "in-reply-to", "references",
        "from", "sender", "reply-to", "mime-version", "content-type",
        "content-transfer-encoding", "importance", "x-priority", "precedence", "x-sieve"};
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        if (lm_eq_nocase(name, n, reserved[i]))
            return 1;
    return n >= 7 && lm_strncasecmp(name, "resent-", 7) == 0;
}

/* Takes a mailto URI apart into `m` (free its text with lm_buf_free()). Returns 1 when the
 * URI is valid (RFC 5436 §2.1: at least one recipient, every address valid, header names
 * valid, values UTF-8), 0 when not, or SIEVE_E_NOMEM. */
static int mailto_parse(const char *uri, size_t n, mailto *m)
{
    memset(m, 0, sizeof *m);
    m->subject = m->body = NONE;
    if (n < 7 || lm_strncasecmp(uri, "mailto:", 7) != 0)
        return 0;
    for (size_t i = 0; i < n; i++) /* RFC 3986 §2: what a URI may hold */
        if ((unsigned char)uri[i] <= ' ' || (unsigned char)uri[i] >= 0x7f ||
            strchr("\"<>\\^`{|}", uri[i]))
            return 0;
    const char *p = uri + 7, *end = uri + n;
    const char *q = memchr(p, '?', (size_t)(end - p));
    int ok = add_recipients(m, p, (size_t)((q ? q : end) - p), RCPT_TO);
    /* The header fields: hfname=hfvalue, joined by "&"; to, cc and bcc add recipients. */
    lm_buf name = LM_BUF_INIT, value = LM_BUF_INIT;
    for (const char *s = q ? q + 1 : end; ok == 1 && s < end;) {
        const char *amp = memchr(s, '&', (size_t)(end - s));
        const char *fe = amp ? amp : end;
        const char *eq = memchr(s, '=', (size_t)(fe - s));
        lm_buf_reset(&name);
        lm_buf_reset(&value);
        if (!eq || pct_decode(s, (size_t)(eq - s), &name) || !hfname_ok(&name)) {
            ok = 0;
            break;
        }
        const char *hv = eq + 1;
        size_t hl = (size_t)(fe - hv);
        s = amp ? amp + 1 : end;
        if (lm_eq_nocase(name.data, name.len, "to"))
            ok = add_recipients(m, hv, hl, RCPT_TO);
        else if (lm_eq_nocase(name.data, name.len, "cc"))
            ok = add_recipients(m, hv, hl, RCPT_CC);
        else if (lm_eq_nocase(name.data, name.len, "bcc"))
            ok = add_recipients(m, hv, hl, RCPT_BCC);
        else if (pct_decode(hv, hl, &value) || !lm_utf8_valid(value.data, value.len))
            ok = 0;
        else if (lm_eq_nocase(name.data, name.len, "body"))
            m->body = mailto_put(m, value.data ? value.data : "", value.len);
        else if (lm_eq_nocase(name.data, name.len, "subject"))
            m->subject = mailto_put(m, value.data ? value.data : "", value.len);
        else if (!reserved_field(name.data, name.len) && m->nhdr < MAX_MAILTO_HEADERS) {
            for (size_t i = 0; i < value.len; i++) /* one line */
                if (value.data[i] == '\r' || value.data[i] == '\n')
                    value.data[i] = ' ';
            m->hdr[m->nhdr].name = mailto_put(m, name.data, name.len);
            m->hdr[m->nhdr].value = mailto_put(m, value.data ? value.data : "", value.len);
            m->nhdr++;
        }
    }
    if (name.oom || value.oom || m->text.oom)
        ok = SIEVE_E_NOMEM;
    lm_buf_free(&name);
    lm_buf_free(&value);
    return ok == 1 ? m->nrcpt > 0 : ok;
}

/* The recipients of `m`, lowercased and sorted, joined by LF into `out` (each line ends with
 * one): what RFC 5435 §3.8 compares. 0 or SIEVE_E_NOMEM. */
static int mailto_recipients(const mailto *m, lm_buf *out)
{
    size_t order[MAX_MAILTO_RECIPIENTS];
    for (size_t i = 0; i < m->nrcpt; i++)
        order[i] = m->rcpt[i].addr;
    const char *t = m->text.data;
    for (size_t i = 1; i < m->nrcpt; i++) /* insertion sort of a bounded list */
        for (size_t k = i; k > 0 && lm_strncasecmp(t + order[k - 1], t + order[k], strlen(t + order[k - 1]) + 1) > 0; k--) {
            size_t x = order[k];
            order[k] = order[k - 1];
            order[k - 1] = x;
        }
    for (size_t i = 0; i < m->nrcpt; i++) {
        size_t at = out->len;
        lm_buf_puts(out, t + order[i]);
        if (!out->oom)
            lm_lower(out->data + at, out->len - at);
        lm_buf_putc(out, '\n');
    }
    return out->oom ? SIEVE_E_NOMEM : 0;
}

/* The scheme of a URI (RFC 3986 §3.1), or 0 when there is none. */
static size_t scheme_len(const char *uri, size_t n)
{
    if (!n || !lm_is_alpha((unsigned char)uri[0]))
        return 0;
    for (size_t i = 1; i < n; i++) {
        int c = (unsigned char)uri[i];
        if (c == ':')
            return i;
        if (!lm_is_alnum(c) && c != '+' && c != '-' && c != '.')
            return 0;
    }
    return 0;
}

/* ---- xmpp URIs (RFC 5437, URIs of RFC 5122) ---------------------------------------------- */

/* What the caller needs to send an XMPP notification: the JID and the subject and body the
 * URI's "message" query gives (percent-decoded, each NUL-terminated in `text`; offsets, or
 * SIZE_MAX when absent). */
typedef struct xmpp {
    lm_buf text;
    size_t jid, subject, body;
} xmpp;

/* s[0..n) holds only RFC 3986 unreserved characters, those of `allow` (RFC 5122's nodeallow,
 * resallow …) and well-formed %XX escapes. */
static int xmpp_run_ok(const char *s, size_t n, const char *allow)
{
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (c == '%') {
            if (i + 2 >= n || lm_hex_value((unsigned char)s[i + 1]) < 0 ||
                lm_hex_value((unsigned char)s[i + 2]) < 0)
                return 0;
            i += 2;
        } else if (!lm_is_alnum(c) && !(c && strchr("-._~", c)) && !(c && strchr(allow, c))) {
            return 0;
        }
    }
    return 1;
}

/* Percent-decodes s[0..n) onto x->text as one NUL-terminated string: its offset, or SIZE_MAX
 * when it does not decode to UTF-8 (or memory ran out: x->text.oom). */
static size_t xmpp_put(xmpp *x, const char *s, size_t n)
{
    size_t at = x->text.len;
    if (pct_decode(s, n, &x->text) || x->text.oom ||
        !lm_utf8_valid(x->text.data ? x->text.data + at : "", x->text.len - at))
        return SIZE_MAX;
    lm_buf_putc(&x->text, '\0');
    return x->text.oom ? SIZE_MAX : at;
}

/* "xmpp:" [node "@"] domain ["/" resource] ["?" querytype *(";" key "=" value)] (RFC 5122
 * §2.3). RFC 5437 sends to the JID of the path: an authority ("xmpp://…", the account to send
 * from) and a fragment are not for a script to choose, so they make the URI invalid here.
 * Returns 1 (with `x` filled; free x->text), 0 when the URI is not valid, or SIEVE_E_NOMEM. */
static int xmpp_parse(const char *uri, size_t n, xmpp *x)
{
    memset(x, 0, sizeof *x);
    x->jid = x->subject = x->body = SIZE_MAX;
    if (n < 5 || lm_strncasecmp(uri, "xmpp:", 5) != 0)
        return 0;
    const char *p = uri + 5, *end = uri + n;
    if ((end - p >= 2 && p[0] == '/' && p[1] == '/') || memchr(p, '#', (size_t)(end - p)))
        return 0;
    const char *q = memchr(p, '?', (size_t)(end - p));
    const char *path_end = q ? q : end;
    const char *slash = memchr(p, '/', (size_t)(path_end - p));
    const char *host_end = slash ? slash : path_end;
    const char *at = memchr(p, '@', (size_t)(host_end - p));
    const char *host = at ? at + 1 : p;
    if (host == host_end || (at && at == p) ||
        (at && !xmpp_run_ok(p, (size_t)(at - p), "!$()*+,;=")) ||
        !xmpp_run_ok(host, (size_t)(host_end - host), "!$&'()*+,;=") ||
        (slash && (slash + 1 == path_end ||
                   !xmpp_run_ok(slash + 1, (size_t)(path_end - slash - 1), "!$&'()*+,:;="))))
        return 0;
    if ((x->jid = xmpp_put(x, p, (size_t)(path_end - p))) == SIZE_MAX)
        return x->text.oom ? SIEVE_E_NOMEM : 0;
    if (!q)
        return 1;
    /* The querytype, then ";key=value" pairs; "message" carries a subject and a body. */
    const char *t = q + 1, *semi = memchr(t, ';', (size_t)(end - t));
    const char *type_end = semi ? semi : end;
    if (!xmpp_run_ok(t, (size_t)(type_end - t), ""))
        return 0;
    int message = lm_eq_nocase(t, (size_t)(type_end - t), "message");
    for (const char *k = semi; k && k < end;) {
        k++;
        const char *next = memchr(k, ';', (size_t)(end - k)), *pe = next ? next : end;
        const char *eq = memchr(k, '=', (size_t)(pe - k));
        if (!eq || eq == k || !xmpp_run_ok(k, (size_t)(eq - k), "") ||
            !xmpp_run_ok(eq + 1, (size_t)(pe - eq - 1), ""))
            return 0;
        size_t klen = (size_t)(eq - k), *slot = NULL;
        if (message && lm_eq_nocase(k, klen, "subject"))
            slot = &x->subject;
        else if (message && lm_eq_nocase(k, klen, "body"))
            slot = &x->body;
        if (slot && (*slot = xmpp_put(x, eq + 1, (size_t)(pe - eq - 1))) == SIZE_MAX)
            return x->text.oom ? SIEVE_E_NOMEM : 0;
        k = next;
    }
    return 1;
}

/* ---- the methods ------------------------------------------------------------------------ */

/* The methods this library knows. Every other scheme (tel:, sms: …) is unsupported: a
 * constant one does not compile, one made at run time fails the run, and
 * valid_notify_method is false for it. */
enum { METHOD_NONE = 0, METHOD_MAILTO, METHOD_XMPP };

static int method_of(const char *uri, size_t n)
{
    size_t sl = scheme_len(uri, n);
    if (sl == 6 && lm_strncasecmp(uri, "mailto", 6) == 0)
        return METHOD_MAILTO;
    if (sl == 4 && lm_strncasecmp(uri, "xmpp", 4) == 0)
        return METHOD_XMPP;
    return METHOD_NONE;
}

/* What is wrong with a method URI that is not valid or not supported. */
static const char *method_error(const char *uri, size_t n)
{
    switch (method_of(uri, n)) {
    case METHOD_MAILTO:
        return "invalid mailto URI";
    case METHOD_XMPP:
        return "invalid xmpp URI";
    default:
        return "unsupported notification method";
    }
}

/* 1 when `uri` names a method this library supports and is valid for it, 0 when not, or
 * SIEVE_E_NOMEM. */
static int method_valid(const char *uri, size_t n)
{
    int kind = method_of(uri, n), ok = 0;
    if (kind == METHOD_MAILTO) {
        mailto m;
        ok = mailto_parse(uri, n, &m);
        lm_buf_free(&m.text);
    } else if (kind == METHOD_XMPP) {
        xmpp x;
        ok = xmpp_parse(uri, n, &x);
        lm_buf_free(&x.text);
    }
    return ok;
}

/* An xmpp notification's params (RFC 5437): "jid", and "subject" and "body" when the URI's
 * "message" query gives them. */
static int xmpp_params(sv_run *r, const xmpp *x)
{
    static const char *const names[] = {"jid", "subject", "body"};
    const size_t at[] = {x->jid, x->subject, x->body};
    for (size_t i = 0; i < 3; i++) {
        if (at[i] == SIZE_MAX)
            continue;
        const char *s = x->text.data + at[i];
        int rc = sv_result_param(r, names[i], s, strlen(s));
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- notify ----------------------------------------------------------------------------- */

static int importance_ok(const sv_str *s)
{
    return s->len == 1 && s->s[0] >= '1' && s->s[0] <= '3';
}

/* RFC 5435 §3.3 :options: "name=value", the name an alphanumeric then alphanumerics, ".",
 * "-" or "_"; the value on one line. */
static int option_ok(const char *s, size_t n)
{
    const char *eq = memchr(s, '=', n);
    if (!eq || eq == s || !lm_is_alnum((unsigned char)s[0]))
        return 0;
    for (const char *p = s + 1; p < eq; p++)
        if (!lm_is_alnum((unsigned char)*p) && *p != '.' && *p != '-' && *p != '_')
            return 0;
    return !memchr(eq, '\r', (size_t)(s + n - eq)) && !memchr(eq, '\n', (size_t)(s + n - eq));
}

/* RFC 5435 §3.3: :from is an address; as for redirect, one mailbox, a display name allowed
 * ("Name <local@domain>"; the notification's From keeps it). 1 when `s` is one, 0 when not,
 * or SIEVE_E_NOMEM. */
static int from_ok(const char *s, size_t n)
{
    lm_buf addr = LM_BUF_INIT;
    int rc = sv_redirect_address(s, n, &addr);
    lm_buf_free(&addr);
    return rc == SIEVE_E_NOMEM ? rc : rc == 0;
}

static int validate_notify(sv_vctx *v, const sv_args *a)
{
    if (v->engine->o.notify_forbidden)
        return sv_vctx_error(v, a->pos, "local policy prohibits the use of a notify action");
    const sv_str *m = &a->positional[0].strs[0];
    if (!sv_string_has_variables(m->s, m->len)) {
        size_t sl = scheme_len(m->s, m->len);
        if (!sl)
            return sv_vctx_error(v, m->pos, "invalid notification method URI \"%s\"", m->s);
        int ok = method_valid(m->s, m->len);
        if (ok < 0)
            return ok;
        if (!ok)
            return sv_vctx_error(v, m->pos, "%s \"%s\"", method_error(m->s, m->len), m->s);
    }
    const sv_value *x = sv_args_tag(a, SV_TAG_IMPORTANCE);
    if (x && !sv_string_has_variables(x->strs[0].s, x->strs[0].len) && !importance_ok(&x->strs[0]))
        return sv_vctx_error(v, x->strs[0].pos, "invalid :importance \"%s\" (expected \"1\", "
                             "\"2\" or \"3\")", x->strs[0].s);
    if ((x = sv_args_tag(a, SV_TAG_OPTIONS)))
        for (size_t i = 0; i < x->count; i++)
            if (!sv_string_has_variables(x->strs[i].s, x->strs[i].len) &&
                !option_ok(x->strs[i].s, x->strs[i].len))
                return sv_vctx_error(v, x->strs[i].pos, "invalid :options value \"%s\" "
                                     "(expected name=value)", x->strs[i].s);
    x = sv_args_tag(a, SV_TAG_FROM);
    if (x && !sv_string_has_variables(x->strs[0].s, x->strs[0].len)) {
        int ok = from_ok(x->strs[0].s, x->strs[0].len);
        if (ok <= 0)
            return ok ? ok : sv_vctx_error(v, x->strs[0].pos, "invalid :from address \"%s\"",
                                           x->strs[0].s);
    }
    return sv_fcc_validate(v, a);
}

/* Non-zero when `line` (n octets) is one of the LF-separated lines of `list`. */
static int line_in(const char *list, const char *line, size_t n)
{
    for (const char *p = list; p && *p;) {
        size_t l = strcspn(p, "\n");
        if (l == n && memcmp(p, line, n) == 0)
            return 1;
        p += l + (p[l] == '\n');
    }
    return 0;
}

/* RFC 5435 §3.8: what was notified once is not notified again. For mailto, recipients an
 * earlier notify action has are taken out of `rcpts` (LF-terminated lines); for other
 * methods the same URI is the same notification. Returns 1 when nothing is left to notify,
 * 0, or SIEVE_E_NOMEM. */
static int drop_notified(sv_run *r, lm_buf *rcpts, const char *method)
{
    if (!rcpts->len) {
        for (size_t i = 0; i < r->result->count; i++)
            if (r->result->actions[i].type == SIEVE_ACTION_NOTIFY &&
                strcmp(r->result->actions[i].target, method) == 0)
                return 1;
        return 0;
    }
    lm_buf left = LM_BUF_INIT;
    for (const char *p = rcpts->data; *p;) {
        size_t l = strcspn(p, "\n");
        int seen = 0;
        for (size_t i = 0; !seen && i < r->result->count; i++)
            if (r->result->actions[i].type == SIEVE_ACTION_NOTIFY)
                seen = line_in(sieve_result_action_param(r->result, i, "recipients"), p, l);
        if (!seen)
            lm_buf_append(&left, p, l + 1);
        p += l + (p[l] == '\n');
    }
    if (left.oom) {
        lm_buf_free(&left);
        return SIEVE_E_NOMEM;
    }
    lm_buf_free(rcpts);
    *rcpts = left;
    return left.len == 0;
}


/* The default message (§3.6 leaves it to the implementation): "<From>: <Subject>". */
static int default_message(sv_run *r, lm_buf *b)
{
    const mailparse_address_list *from = mailparse_message_addresses(r->msg, "from");
    const char *subject = mailparse_message_subject(r->msg);
    if (from && from->count && from->items[0].address)
        lm_buf_puts(b, from->items[0].address);
    else
        lm_buf_puts(b, "<unknown sender>");
    lm_buf_puts(b, ": ");
    lm_buf_puts(b, subject && *subject ? subject : "(no subject)");
    return b->oom ? SIEVE_E_NOMEM : 0;
}

/* Keeps the recipients of `m` that are lines of `rcpts` (what §3.8 left to notify). */
static void keep_recipients(mailto *m, const lm_buf *rcpts)
{
    size_t k = 0;
    for (size_t i = 0; i < m->nrcpt; i++) {
        char *a = m->text.data + m->rcpt[i].addr;
        size_t n = strlen(a);
        int left = 0;
        for (const char *p = rcpts->data; p && *p && !left;) {
            size_t l = strcspn(p, "\n");
            left = l == n && lm_strncasecmp(p, a, n) == 0;
            p += l + (p[l] == '\n');
        }
        if (left)
            m->rcpt[k++] = m->rcpt[i];
    }
    m->nrcpt = k;
}

/* The address of the user whose script runs (the owner of RFC 5436 §2.7): the envelope
 * recipient, else the first of the user's addresses, when it is an address; else NULL. */
static const char *owner_address(const sv_run *r)
{
    const char *owner = sv_outgoing_user(r);
    return owner && addr_spec_ok(owner, strlen(owner)) ? owner : NULL;
}

/* Adds Auto-Submitted: auto-notified with the owner-email parameter (RFC 5436 §2.7). */
static int add_auto_submitted(mailbuild_message *mb, const char *owner)
{
    lm_buf b = LM_BUF_INIT;
    lm_buf_puts(&b, "auto-notified");
    if (owner) {
        lm_buf_puts(&b, "; owner-email=");
        lm_buf_put_quoted(&b, owner);
    }
    int rc = b.oom ? MAILBUILD_E_NOMEM : mailbuild_add_raw_header(mb, "Auto-Submitted", b.data);
    lm_buf_free(&b);
    return rc;
}

/* What a notification is made of besides its URI. */
typedef struct notice {
    const sv_str *from;        /* :from, or NULL */
    int importance;            /* 1..3 */
    const char *text;          /* :message, or the default message */
    int text_given;            /* :message was given */
    uint64_t seed;
} notice;

/* The notification message of a mailto URI (RFC 5436 §2.7): From :from or the user, To and
 * Cc as the URI has them, the Subject from :message, the URI or the default message, the
 * URI's other fields, and its body or the message text. A MAILBUILD_E_* code. */
static int build_mail(sv_run *r, const mailto *m, const notice *n, char **out, size_t *out_len)
{
    uint64_t seed = n->seed;
    mailbuild_message *mb = NULL;
    int rc = sv_outgoing_new(r, &seed, &mb);
    if (rc)
        return rc;
    const char *owner = owner_address(r);
    if (n->from)
        rc = sv_outgoing_address(mb, "From", n->from->s, n->from->len);
    else if (owner)
        rc = mailbuild_add_address(mb, "From", NULL, owner);
    for (size_t i = 0; !rc && i < m->nrcpt; i++)
        if (m->rcpt[i].kind != RCPT_BCC)
            rc = mailbuild_add_address(mb, m->rcpt[i].kind == RCPT_CC ? "Cc" : "To",
                                       mailto_str(m, m->rcpt[i].name),
                                       mailto_str(m, m->rcpt[i].addr));
    lm_buf subject = LM_BUF_INIT;
    const char *stext = !n->text_given && m->subject != NONE ? mailto_str(m, m->subject) : n->text;
    if (!rc)
        rc = sv_outgoing_subject(stext, strlen(stext), 0, &subject) ? MAILBUILD_E_NOMEM
             : mailbuild_set_subject(mb, subject.data ? subject.data : "");
    lm_buf_free(&subject);
    if (!rc)
        rc = add_auto_submitted(mb, owner);
    /* The priority fields common mail readers show (no standard has one). */
    static const char *const xprio[] = {"1 (Highest)", "3 (Normal)", "5 (Lowest)"};
    static const char *const imp[] = {"High", "Normal", "Low"};
    if (!rc)
        rc = mailbuild_add_raw_header(mb, "X-Priority", xprio[n->importance - 1]);
    if (!rc)
        rc = mailbuild_add_raw_header(mb, "Importance", imp[n->importance - 1]);
    for (size_t i = 0; !rc && i < m->nhdr; i++)
        rc = mailbuild_add_text_header(mb, mailto_str(m, m->hdr[i].name),
                                       mailto_str(m, m->hdr[i].value));
    const char *body = m->body != NONE ? mailto_str(m, m->body) : n->text;
    if (!rc)
        rc = mailbuild_set_text(mb, body, strlen(body), NULL);
    if (!rc)
        rc = mailbuild_to_buffer(mb, out, out_len);
    mailbuild_message_free(mb);
    return rc;
}

/* The notify actions a run has taken so far. */
static size_t notify_count(const sv_run *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->result->count; i++)
        n += r->result->actions[i].type == SIEVE_ACTION_NOTIFY;
    return n;
}

/* Adds the "mail" of a mailto notification, or "skipped" when RFC 5436 §2.7 says not to
 * notify. */
static int mail_params(sv_run *r, const sv_args *a, const mailto *m, const notice *n)
{
    if (sv_outgoing_auto_submitted(r->msg)) {
        static const char why[] = "the message is auto-submitted";
        return sv_result_param(r, "skipped", why, sizeof why - 1);
    }
    char *mail = NULL;
    size_t len = 0;
    int rc = build_mail(r, m, n, &mail, &len);
    if (rc == MAILBUILD_E_NOMEM)
        return SIEVE_E_NOMEM;
    if (rc)
        return sv_run_error(r, a->pos, "cannot build the notification: %s", mailbuild_strerror(rc));
    rc = sv_result_param(r, "mail", mail, len);
    mailbuild_free(mail);
    return rc;
}

static int run_notify(sv_run *r, const sv_args *a)
{
    size_t max = r->opts->max_notify_actions ? r->opts->max_notify_actions : DEFAULT_MAX_NOTIFY;
    if (max == SIEVE_NOTIFY_FORBIDDEN)
        return sv_run_error(r, a->pos, "local policy prohibits the use of a notify action");
    sv_str method, s;
    int rc = sv_run_string(r, &a->positional[0].strs[0], &method);
    if (rc)
        return rc;
    lm_buf rcpts = LM_BUF_INIT, msg = LM_BUF_INIT;
    mailto m;
    memset(&m, 0, sizeof m);
    xmpp xm;
    memset(&xm, 0, sizeof xm);
    int kind = method_of(method.s, method.len), is_mailto = kind == METHOD_MAILTO;
    int ok = is_mailto ? mailto_parse(method.s, method.len, &m)
             : kind == METHOD_XMPP ? xmpp_parse(method.s, method.len, &xm) : 0;
    if (ok < 0) {
        rc = ok;
        goto out;
    }
    if (!ok) {
        rc = sv_run_error(r, a->pos, "%s \"%s\"", method_error(method.s, method.len), method.s);
        goto out;
    }
    const sv_value *x = sv_args_tag(a, SV_TAG_IMPORTANCE);
    const char *importance = "2";
    if (x) {
        if ((rc = sv_run_string(r, &x->strs[0], &s)))
            goto out;
        if (!importance_ok(&s)) {
            rc = sv_run_error(r, a->pos, "invalid :importance \"%s\"", s.s);
            goto out;
        }
        importance = s.s;
    }
    sv_str from = {0};
    if ((x = sv_args_tag(a, SV_TAG_FROM))) {
        if ((rc = sv_run_string(r, &x->strs[0], &from)))
            goto out;
        if ((rc = from_ok(from.s, from.len)) <= 0) {
            if (!rc)
                rc = sv_run_error(r, a->pos, "invalid :from address \"%s\"", from.s);
            goto out;
        }
        rc = 0;
    }
    if (is_mailto && (rc = mailto_recipients(&m, &rcpts)))
        goto out;
    if ((rc = drop_notified(r, &rcpts, method.s)))
        goto out_dup; /* §3.8: the earlier ones stand */
    keep_recipients(&m, &rcpts);
    if (notify_count(r) >= max) {
        rc = sv_run_error(r, a->pos, "number of notify actions exceeds policy limit (%zu)", max);
        goto out;
    }
    const sv_value *given = sv_args_tag(a, SV_TAG_MESSAGE);
    if (given) {
        if ((rc = sv_run_string(r, &given->strs[0], &s)))
            goto out;
        lm_buf_append(&msg, s.s, s.len);
    } else if ((rc = default_message(r, &msg))) {
        goto out;
    }
    if (msg.oom) {
        rc = SIEVE_E_NOMEM;
        goto out;
    }
    /* Notifications do not touch the implicit keep (§3). */
    if ((rc = sv_result_add(r, SIEVE_ACTION_NOTIFY, method.s, method.len, NULL, 0, a->pos)) ||
        (rc = sv_result_param(r, "method", method.s, method.len)) ||
        (rc = sv_result_param(r, "importance", importance, 1)) ||
        (rc = sv_result_param(r, "message", msg.data ? msg.data : "", msg.len)))
        goto out;
    if (from.s && (rc = sv_result_param(r, "from", from.s, from.len)))
        goto out;
    if (rcpts.len && (rc = sv_result_param(r, "recipients", rcpts.data, rcpts.len - 1)))
        goto out;
    if ((x = sv_args_tag(a, SV_TAG_OPTIONS))) {
        lm_buf o = LM_BUF_INIT;
        for (size_t i = 0; !rc && i < x->count; i++)
            if (!(rc = sv_run_string(r, &x->strs[i], &s)) && !option_ok(s.s, s.len))
                rc = sv_run_error(r, a->pos, "invalid :options value \"%s\"", s.s);
            else if (!rc) {
                if (i)
                    lm_buf_putc(&o, '\n');
                lm_buf_append(&o, s.s, s.len);
            }
        if (!rc)
            rc = o.oom ? SIEVE_E_NOMEM : sv_result_param(r, "options", o.data ? o.data : "", o.len);
        lm_buf_free(&o);
        if (rc)
            goto out;
    }
    if (is_mailto) {
        notice n = {from.s ? &from : NULL, importance[0] - '0', msg.data ? msg.data : "",
                    given != NULL, 0};
        n.seed = sv_outgoing_hash(sv_outgoing_hash((uint64_t)sv_run_now(r), method.s,
                                                   method.len), n.text, msg.len);
        if ((rc = mail_params(r, a, &m, &n)))
            goto out;
    }
    if (kind == METHOD_XMPP && (rc = xmpp_params(r, &xm)))
        goto out;
    rc = sv_fcc_params(r, a);
out_dup:
    if (rc > 0)
        rc = 0;
out:
    lm_buf_free(&m.text);
    lm_buf_free(&xm.text);
    lm_buf_free(&rcpts);
    lm_buf_free(&msg);
    return rc;
}

/* ---- the tests ----------------------------------------------------------------------------- */

static int run_valid_notify_method(sv_run *r, const sv_args *a)
{
    const sv_value *uris = &a->positional[0];
    for (size_t i = 0; i < uris->count; i++) {
        sv_str s;
        int rc = sv_run_string(r, &uris->strs[i], &s);
        if (rc)
            return rc;
        if ((rc = method_valid(s.s, s.len)) <= 0)
            return rc;
    }
    return 1;
}

static int validate_capability(sv_vctx *v, const sv_args *a)
{
    return sv_check_matching(v, a, &a->positional[2]);
}

/* RFC 5435 §5 defines the capability "online": "maybe" for mailto and xmpp (whether the
 * recipient is there now is not known here); RFC 8580 adds "fcc": "yes", both methods take
 * :fcc. An invalid or unsupported method, or another capability, makes the test false. */
static int run_notify_method_capability(sv_run *r, const sv_args *a)
{
    sv_str uri, cap;
    int rc;
    if ((rc = sv_run_string(r, &a->positional[0].strs[0], &uri)) ||
        (rc = sv_run_string(r, &a->positional[1].strs[0], &cap)))
        return rc;
    if ((rc = method_valid(uri.s, uri.len)) <= 0)
        return rc;
    const char *answer = lm_eq_nocase(cap.s, cap.len, "online") ? "maybe"
                         : lm_eq_nocase(cap.s, cap.len, "fcc") ? "yes" : NULL;
    if (!answer)
        return 0;
    sv_matching mt;
    if ((rc = sv_matching_init(r, a, &a->positional[2], &mt)))
        return rc;
    rc = sv_matching_value(r, &mt, answer, strlen(answer));
    return rc < 0 ? rc : sv_matching_end(&mt, rc);
}

/* ---- the definitions --------------------------------------------------------------------- */

static const uint8_t notify_tags[] = {SV_TAG_FROM, SV_TAG_IMPORTANCE, SV_TAG_OPTIONS,
                                      SV_TAG_MESSAGE, SV_TAG_FCC, SV_TAG_FLAGS, SV_TAG_CREATE,
                                      SV_TAG_SPECIALUSE, SV_TAG_MAILBOXID, SV_TAG_COUNT_};
static const uint8_t no_tags[] = {SV_TAG_COUNT_};
static const uint8_t capability_tags[] = {SV_TAG_IS, SV_TAG_CONTAINS, SV_TAG_MATCHES,
                                          SV_TAG_REGEX, SV_TAG_VALUE, SV_TAG_COUNT,
                                          SV_TAG_LIST, SV_TAG_COMPARATOR, SV_TAG_COUNT_};

static const sv_cmd_def enotify_commands[] = {
    {"notify", SV_KIND_COMMAND, SV_CTL_NONE, 1, {SV_T_STRING}, notify_tags, validate_notify,
     run_notify},
    {"valid_notify_method", SV_KIND_TEST, SV_CTL_NONE, 1, {SV_T_STRLIST}, no_tags, NULL,
     run_valid_notify_method},
    {"notify_method_capability", SV_KIND_TEST, SV_CTL_NONE, 3,
     {SV_T_STRING, SV_T_STRING, SV_T_STRLIST}, capability_tags, validate_capability,
     run_notify_method_capability},
};
const sv_ext_def sv_ext_enotify = {"enotify", enotify_commands, 3};
