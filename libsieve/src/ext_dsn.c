/* ext_dsn.c — RFC 6009: the envelope parts of delivery status notifications (§3
 * envelope-dsn: "notify", "ret", "envid", "orcpt") and of deliver-by (§4
 * envelope-deliverby: "bytimeabsolute", "bytimerelative", "bymode", "bytrace", and the
 * envelope test's :zone for "bytimeabsolute"), and the
 * redirect tags that set them on the redirected message (§5 redirect-dsn :notify, :ret;
 * §6 redirect-deliverby :bytimerelative, :bytimeabsolute, :bymode, :bytrace). The values come
 * from the caller's sieve_envelope. */
#include "engine.h"

#include "lm_ascii.h"

#include <stdio.h>
#include <string.h>

static const char *const dsn_parts[] = {"notify", "ret", "envid", "orcpt"};
static const char *const by_parts[] = {"bytimeabsolute", "bytimerelative", "bymode", "bytrace"};

static int in_list(const char *const *list, size_t n, const char *s, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (lm_eq_nocase(s, len, list[i]))
            return 1;
    return 0;
}

int sv_envelope_part_known(const sv_vctx *v, const char *part, size_t len)
{
    return (sv_vctx_has(v, "envelope-dsn") && in_list(dsn_parts, 4, part, len)) ||
           (sv_vctx_has(v, "envelope-deliverby") && in_list(by_parts, 4, part, len));
}

/* Days since the epoch of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void format_utc(int64_t t, char *buf, size_t size)
{
    int64_t days = t / 86400, secs = t % 86400;
    if (secs < 0) {
        secs += 86400;
        days--;
    }
    /* civil_from_days */
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    snprintf(buf, size, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)y, m, d,
             (unsigned)(secs / 3600), (unsigned)(secs / 60 % 60), (unsigned)(secs % 60));
}

/* RFC 3339 date-time ("2026-11-30T10:00:00Z", "…+01:00", fractions ignored). 0 or -1. */
static int parse_rfc3339(const char *s, size_t n, int64_t *out)
{
    unsigned v[6] = {0};
    static const char seps[] = "--T::";
    static const unsigned widths[] = {4, 2, 2, 2, 2, 2};
    size_t p = 0;
    for (int f = 0; f < 6; f++) {
        for (unsigned k = 0; k < widths[f]; k++, p++) {
            if (p >= n || !lm_is_digit((unsigned char)s[p]))
                return -1;
            v[f] = v[f] * 10 + (unsigned)(s[p] - '0');
        }
        if (f < 5) {
            if (p >= n || (s[p] != seps[f] && !(f == 2 && (s[p] == 't' || s[p] == ' '))))
                return -1;
            p++;
        }
    }
    if (p < n && s[p] == '.')
        for (p++; p < n && lm_is_digit((unsigned char)s[p]); p++)
            ;
    int off = 0;
    if (p < n && (s[p] == 'Z' || s[p] == 'z')) {
        p++;
    } else if (p + 6 == n && (s[p] == '+' || s[p] == '-') && s[p + 3] == ':' &&
               lm_is_digit((unsigned char)s[p + 1]) && lm_is_digit((unsigned char)s[p + 2]) &&
               lm_is_digit((unsigned char)s[p + 4]) && lm_is_digit((unsigned char)s[p + 5])) {
        off = ((s[p + 1] - '0') * 10 + (s[p + 2] - '0')) * 60 + (s[p + 4] - '0') * 10 + (s[p + 5] - '0');
        if (s[p] == '-')
            off = -off;
        p += 6;
    } else {
        return -1;
    }
    if (p != n || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 || v[4] > 59 ||
        v[5] > 60)
        return -1;
    *out = days_from_civil(v[0], v[1], v[2]) * 86400 + v[3] * 3600 + v[4] * 60 + v[5] - off * 60;
    return 0;
}

int sv_envelope_zone_check(sv_vctx *v, const sv_args *a)
{
    const sv_value *z = sv_args_tag(a, SV_TAG_ENVELOPE_ZONE);
    if (!z || sv_string_has_variables(z->strs[0].s, z->strs[0].len) ||
        !sv_zone_parse(z->strs[0].s, z->strs[0].len, NULL))
        return 0;
    return sv_vctx_error(v, z->strs[0].pos, "invalid :zone \"%s\" (expected +hhmm or -hhmm)",
                         z->strs[0].s);
}

/* "bytimeabsolute" (§4): the deadline as an RFC 3339 date-time, in UTC ("Z"), or under
 * :zone in that zone (as the date extension's "iso8601" shows it); a :zone that is not a
 * zone at run time gives no value. 0 with *out empty when there is none. */
static int bytime_absolute(sv_run *r, const sv_args *a, int64_t deadline, lm_buf *out)
{
    const sv_value *z = a ? sv_args_tag(a, SV_TAG_ENVELOPE_ZONE) : NULL;
    if (!z) {
        char buf[48];
        format_utc(deadline, buf, sizeof buf);
        lm_buf_puts(out, buf);
        return out->oom ? SIEVE_E_NOMEM : 0;
    }
    sv_str s;
    int zone, rc = sv_run_string(r, &z->strs[0], &s);
    if (rc || sv_zone_parse(s.s, s.len, &zone))
        return rc;
    sv_datetime t = {deadline, 0};
    rc = sv_date_part("iso8601", 7, &t, zone, out);
    return rc == SIEVE_E_NOMEM ? rc : 0;
}

int sv_envelope_part(sv_run *r, const sv_args *a, const char *part, size_t len,
                     sv_envelope_value_fn fn, void *user)
{
    const sieve_envelope *e = r->env;
    char buf[48];
    if (lm_eq_nocase(part, len, "notify")) {
        /* Each keyword of the list is a value of its own. */
        const char *s = e->dsn_notify;
        while (s && *s) {
            size_t n = strcspn(s, ",");
            const char *t = s, *te = s + n;
            while (t < te && lm_is_space((unsigned char)*t))
                t++;
            while (te > t && lm_is_space((unsigned char)te[-1]))
                te--;
            if (te > t) {
                int rc = fn(r, user, t, (size_t)(te - t));
                if (rc)
                    return rc;
            }
            s += n + (s[n] == ',');
        }
        return 0;
    }
    const char *v = NULL;
    if (lm_eq_nocase(part, len, "ret"))
        v = e->dsn_ret;
    else if (lm_eq_nocase(part, len, "envid"))
        v = e->dsn_envid;
    else if (lm_eq_nocase(part, len, "orcpt"))
        v = e->orig_to;
    else if (lm_eq_nocase(part, len, "bymode"))
        v = e->by_deadline ? e->by_mode : NULL;
    else if (lm_eq_nocase(part, len, "bytrace"))
        v = e->by_deadline ? (e->by_trace ? "on" : "off") : NULL;
    else if (e->by_deadline && lm_eq_nocase(part, len, "bytimeabsolute")) {
        lm_buf b = LM_BUF_INIT;
        int rc = bytime_absolute(r, a, e->by_deadline, &b);
        if (!rc && b.len)
            rc = fn(r, user, b.data, b.len);
        lm_buf_free(&b);
        return rc;
    } else if (e->by_deadline && lm_eq_nocase(part, len, "bytimerelative")) {
        snprintf(buf, sizeof buf, "%lld", (long long)(e->by_deadline - sv_run_now(r)));
        v = buf;
    }
    return v ? fn(r, user, v, strlen(v)) : 0;
}

/* ---- redirect's tags ------------------------------------------------------------------- */

/* RFC 3461 §4.1 NOTIFY: "NEVER", or a list of SUCCESS, FAILURE, DELAY. */
static int notify_valid(const char *s, size_t n)
{
    if (lm_eq_nocase(s, n, "never"))
        return 1;
    static const char *const kw[] = {"success", "failure", "delay"};
    size_t i = 0;
    while (i <= n) {
        size_t k = i;
        while (k < n && s[k] != ',')
            k++;
        const char *t = s + i, *te = s + k;
        while (t < te && lm_is_space((unsigned char)*t))
            t++;
        while (te > t && lm_is_space((unsigned char)te[-1]))
            te--;
        if (!in_list(kw, 3, t, (size_t)(te - t)))
            return 0;
        i = k + 1;
    }
    return n > 0;
}

static int ret_valid(const char *s, size_t n)
{
    return lm_eq_nocase(s, n, "full") || lm_eq_nocase(s, n, "hdrs");
}

static int bymode_valid(const char *s, size_t n)
{
    return lm_eq_nocase(s, n, "notify") || lm_eq_nocase(s, n, "return");
}

static int date_valid(const char *s, size_t n)
{
    int64_t t;
    return parse_rfc3339(s, n, &t) == 0;
}

int sv_redirect_dsn_validate(sv_vctx *v, const sv_args *a)
{
    int rc; /* a constant value the tag's check refuses is a compile error */
    if ((rc = sv_vctx_check_tag(v, a, SV_TAG_DSN_NOTIFY, notify_valid, NULL)) ||
        (rc = sv_vctx_check_tag(v, a, SV_TAG_DSN_RET, ret_valid, NULL)) ||
        (rc = sv_vctx_check_tag(v, a, SV_TAG_BYMODE, bymode_valid, NULL)) ||
        (rc = sv_vctx_check_tag(v, a, SV_TAG_BYTIMEABSOLUTE, date_valid, NULL)))
        return rc;
    if ((sv_args_tag(a, SV_TAG_BYMODE) || sv_args_tag(a, SV_TAG_BYTRACE)) &&
        !sv_args_tag(a, SV_TAG_BYTIMERELATIVE) && !sv_args_tag(a, SV_TAG_BYTIMEABSOLUTE))
        return sv_vctx_error(v, a->pos, ":bymode and :bytrace need :bytimerelative or "
                             ":bytimeabsolute");
    return 0;
}

/* Adds the param `name` from tag `t` after checking it with `ok`. */
static int string_param(sv_run *r, const sv_args *a, int t, const char *name,
                        int (*ok)(const char *, size_t))
{
    sv_str s;
    int rc = sv_run_tag_string(r, a, t, &s);
    if (rc || !s.s)
        return rc;
    if (!ok(s.s, s.len))
        return sv_run_error(r, a->pos, "invalid :%s value \"%s\"", sv_tags[t].name, s.s);
    char low[16];
    if (s.len < sizeof low && t != SV_TAG_DSN_NOTIFY) { /* keywords as lower case */
        for (size_t i = 0; i <= s.len; i++)
            low[i] = (char)lm_to_lower((unsigned char)s.s[i]);
        return sv_result_param(r, name, low, s.len);
    }
    return sv_result_param(r, name, s.s, s.len);
}

int sv_redirect_dsn_params(sv_run *r, const sv_args *a)
{
    int rc;
    if ((rc = string_param(r, a, SV_TAG_DSN_NOTIFY, "dsn_notify", notify_valid)) ||
        (rc = string_param(r, a, SV_TAG_DSN_RET, "dsn_ret", ret_valid)))
        return rc;
    int64_t deadline = 0;
    const sv_value *x;
    if ((x = sv_args_tag(a, SV_TAG_BYTIMERELATIVE))) {
        uint64_t n = x->number > (uint64_t)INT32_MAX * 64 ? (uint64_t)INT32_MAX * 64 : x->number;
        deadline = sv_run_now(r) + (int64_t)n;
    } else if ((x = sv_args_tag(a, SV_TAG_BYTIMEABSOLUTE))) {
        sv_str s;
        if ((rc = sv_run_string(r, &x->strs[0], &s)))
            return rc;
        if (parse_rfc3339(s.s, s.len, &deadline))
            return sv_run_error(r, a->pos, "invalid :bytimeabsolute value \"%s\"", s.s);
    } else {
        return 0;
    }
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%lld", (long long)deadline);
    if ((rc = sv_result_param(r, "by_time", buf, (size_t)n)))
        return rc;
    if (sv_args_tag(a, SV_TAG_BYMODE)) {
        if ((rc = string_param(r, a, SV_TAG_BYMODE, "by_mode", bymode_valid)))
            return rc;
    } else if ((rc = sv_result_param(r, "by_mode", "return", 6))) {
        return rc;
    }
    return sv_args_tag(a, SV_TAG_BYTRACE) ? sv_result_param(r, "by_trace", "yes", 3) : 0;
}

const sv_ext_def sv_ext_envelope_dsn = {"envelope-dsn", NULL, 0};
const sv_ext_def sv_ext_redirect_dsn = {"redirect-dsn", NULL, 0};
const sv_ext_def sv_ext_envelope_deliverby = {"envelope-deliverby", NULL, 0};
const sv_ext_def sv_ext_redirect_deliverby = {"redirect-deliverby", NULL, 0};
