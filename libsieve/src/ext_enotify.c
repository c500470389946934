/* ext_enotify.c — notifications (RFC 5435): the notify action (§3), the valid_notify_method
 * (§4) and notify_method_capability (§5) tests, duplicate notifications (§3.8), and the one
 * method this library knows, mailto (RFC 5436, URIs of RFC 6068). The :encodeurl modifier
 * of "set" (§6) is in variables.c. */
#include "engine.h"

#include "lm_ascii.h"
#include "lm_buf.h"
#include "lm_utf8.h"

#include <string.h>

#define MAX_MAILTO_RECIPIENTS 64   /* recipients one mailto URI may name */

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

/* The recipients of one mailto URI. */
typedef struct rcpt_list {
    lm_buf text;               /* the addresses, lowercased, each NUL-terminated */
    size_t off[MAX_MAILTO_RECIPIENTS];
    size_t count;
} rcpt_list;

/* Adds the addresses of one percent-encoded, comma-separated field; 0 when one is not a
 * valid address (or there are too many). */
static int add_recipients(rcpt_list *l, const char *s, size_t n)
{
    lm_buf dec = LM_BUF_INIT;
    int ok = pct_decode(s, n, &dec) == 0 && !dec.oom;
    for (size_t i = 0; ok && i < dec.len;) {
        size_t k = i;
        while (k < dec.len && dec.data[k] != ',')
            k++;
        size_t b = i, e = k;
        while (b < e && lm_is_space((unsigned char)dec.data[b]))
            b++;
        while (e > b && lm_is_space((unsigned char)dec.data[e - 1]))
            e--;
        if (e > b) {
            if (l->count == MAX_MAILTO_RECIPIENTS || !addr_spec_ok(dec.data + b, e - b)) {
                ok = 0;
                break;
            }
            lm_lower(dec.data + b, e - b);
            l->off[l->count++] = l->text.len;
            lm_buf_append(&l->text, dec.data + b, e - b);
            lm_buf_putc(&l->text, 0);
        }
        i = k + 1;
    }
    lm_buf_free(&dec);
    return ok;
}

/* The recipients of a mailto URI, lowercased and sorted, joined by LF into `out` (for
 * §3.8's comparison). Returns 1 when the URI is valid (RFC 5436 §2.1: at least one
 * recipient, every address valid, header names valid), 0 when not, or SIEVE_E_NOMEM. */
static int mailto_parse(const char *uri, size_t n, lm_buf *out)
{
    if (n < 7 || lm_strncasecmp(uri, "mailto:", 7) != 0)
        return 0;
    for (size_t i = 0; i < n; i++) /* RFC 3986 §2: what a URI may hold */
        if ((unsigned char)uri[i] <= ' ' || (unsigned char)uri[i] >= 0x7f ||
            strchr("\"<>\\^`{|}", uri[i]))
            return 0;
    const char *p = uri + 7, *end = uri + n;
    const char *q = memchr(p, '?', (size_t)(end - p));
    rcpt_list l;
    memset(&l, 0, sizeof l);
    int ok = add_recipients(&l, p, (size_t)((q ? q : end) - p));
    /* The header fields: hfname=hfvalue, joined by "&"; to, cc and bcc add recipients. */
    lm_buf dec = LM_BUF_INIT;
    for (const char *s = q ? q + 1 : end; ok && s < end;) {
        const char *amp = memchr(s, '&', (size_t)(end - s));
        const char *fe = amp ? amp : end;
        const char *eq = memchr(s, '=', (size_t)(fe - s));
        lm_buf_reset(&dec);
        if (!eq || pct_decode(s, (size_t)(eq - s), &dec) || !hfname_ok(&dec)) {
            ok = 0;
            break;
        }
        if (lm_eq_nocase(dec.data, dec.len, "to") || lm_eq_nocase(dec.data, dec.len, "cc") ||
            lm_eq_nocase(dec.data, dec.len, "bcc"))
            ok = add_recipients(&l, eq + 1, (size_t)(fe - eq - 1));
        else if (lm_buf_reset(&dec), pct_decode(eq + 1, (size_t)(fe - eq - 1), &dec))
            ok = 0;
        s = amp ? amp + 1 : end;
    }
    lm_buf_free(&dec);
    int rc = ok && l.count > 0;
    if (rc && out) {
        /* Insertion sort of the (bounded) list, then join without repeats. */
        const char *t = l.text.data;
        for (size_t i = 1; i < l.count; i++)
            for (size_t k = i; k > 0 && strcmp(t + l.off[k - 1], t + l.off[k]) > 0; k--) {
                size_t x = l.off[k];
                l.off[k] = l.off[k - 1];
                l.off[k - 1] = x;
            }
        for (size_t i = 0; i < l.count; i++) {
            if (i && strcmp(t + l.off[i - 1], t + l.off[i]) == 0)
                continue;
            lm_buf_puts(out, t + l.off[i]);
            lm_buf_putc(out, '\n');
        }
        if (out->oom)
            rc = SIEVE_E_NOMEM;
    }
    if (l.text.oom || dec.oom)
        rc = SIEVE_E_NOMEM;
    lm_buf_free(&l.text);
    return rc;
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

/* 1 when `uri` names a method this library supports and is valid for it, 0 when not. */
static int method_valid(const char *uri, size_t n)
{
    size_t sl = scheme_len(uri, n);
    if (sl == 6 && lm_strncasecmp(uri, "mailto", 6) == 0)
        return mailto_parse(uri, n, NULL);
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

static int validate_notify(sv_vctx *v, const sv_args *a)
{
    const sv_str *m = &a->positional[0].strs[0];
    if (!sv_string_has_variables(m->s, m->len)) {
        size_t sl = scheme_len(m->s, m->len);
        if (!sl)
            return sv_vctx_error(v, m->pos, "invalid notification method URI \"%s\"", m->s);
        int ok = method_valid(m->s, m->len);
        if (ok < 0)
            return ok;
        if (!ok)
            return sv_vctx_error(v, m->pos, sl == 6 && lm_strncasecmp(m->s, "mailto", 6) == 0
                                 ? "invalid mailto URI \"%s\"" : "unsupported notification "
                                 "method \"%s\"", m->s);
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
    if (x && !sv_string_has_variables(x->strs[0].s, x->strs[0].len) &&
        !addr_spec_ok(x->strs[0].s, x->strs[0].len))
        return sv_vctx_error(v, x->strs[0].pos, "invalid :from address \"%s\"", x->strs[0].s);
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

static int run_notify(sv_run *r, const sv_args *a)
{
    sv_str method, s;
    int rc = sv_run_string(r, &a->positional[0].strs[0], &method);
    if (rc)
        return rc;
    lm_buf rcpts = LM_BUF_INIT, msg = LM_BUF_INIT;
    size_t sl = scheme_len(method.s, method.len);
    int mailto = sl == 6 && lm_strncasecmp(method.s, "mailto", 6) == 0;
    int ok = mailto ? mailto_parse(method.s, method.len, &rcpts) : 0;
    if (ok < 0) {
        rc = ok;
        goto out;
    }
    if (!ok) {
        rc = sv_run_error(r, a->pos, mailto ? "invalid mailto URI \"%s\"" : "unsupported "
                          "notification method \"%s\"", method.s);
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
        if (!addr_spec_ok(from.s, from.len)) {
            rc = sv_run_error(r, a->pos, "invalid :from address \"%s\"", from.s);
            goto out;
        }
    }
    if ((rc = drop_notified(r, &rcpts, method.s)))
        goto out_dup; /* §3.8: the earlier ones stand */
    if ((x = sv_args_tag(a, SV_TAG_MESSAGE))) {
        if ((rc = sv_run_string(r, &x->strs[0], &s)))
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
    rc = sv_fcc_params(r, a);
out_dup:
    if (rc > 0)
        rc = 0;
out:
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

/* RFC 5435 §5: the one capability defined is "online"; for mailto the answer is "maybe"
 * (RFC 5436 §2.x: whether the recipient reads mail now is not known). An invalid or
 * unsupported method makes the test false. */
static int run_notify_method_capability(sv_run *r, const sv_args *a)
{
    sv_str uri, cap;
    int rc;
    if ((rc = sv_run_string(r, &a->positional[0].strs[0], &uri)) ||
        (rc = sv_run_string(r, &a->positional[1].strs[0], &cap)))
        return rc;
    if ((rc = method_valid(uri.s, uri.len)) <= 0)
        return rc;
    if (!lm_eq_nocase(cap.s, cap.len, "online"))
        return 0;
    sv_matching mt;
    if ((rc = sv_matching_init(r, a, &a->positional[2], &mt)))
        return rc;
    rc = sv_matching_value(r, &mt, "maybe", 5);
    return rc < 0 ? rc : sv_matching_end(&mt, rc);
}

/* ---- the definitions --------------------------------------------------------------------- */

static const uint8_t notify_tags[] = {SV_TAG_FROM, SV_TAG_IMPORTANCE, SV_TAG_OPTIONS,
                                      SV_TAG_MESSAGE, SV_TAG_FCC, SV_TAG_FLAGS, SV_TAG_CREATE,
                                      SV_TAG_SPECIALUSE, SV_TAG_COUNT_};
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
