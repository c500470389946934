/* spf_record.c — SPF records into terms: record selection and the whole syntax of RFC 7208
 * §4.5, §4.6.1, §5, §6 and §12 (a syntax error anywhere makes the record a permerror). */
#include "spf_internal.h"

#include "lm_ascii.h"

#include <arpa/inet.h>
#include <string.h>

int spf_record_is_spf(const char *s, size_t n)
{
    return n >= 6 && lm_strncasecmp(s, "v=spf1", 6) == 0 && (n == 6 || s[6] == ' ');
}

static int is_name_char(int c) { return lm_is_alnum(c) || c == '-' || c == '_' || c == '.'; }

/* toplabel (§12): alphanumerics with at least one letter, or alphanumerics and hyphens that
 * neither start nor end with a hyphen and hold one. */
static int is_toplabel(const char *s, size_t n)
{
    if (!n || s[0] == '-' || s[n - 1] == '-')
        return 0;
    int alpha = 0, hyphen = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (lm_is_alpha(c))
            alpha = 1;
        else if (c == '-')
            hyphen = 1;
        else if (!lm_is_digit(c))
            return 0;
    }
    return alpha || hyphen;
}

/* domain-spec = macro-string domain-end; domain-end = "." toplabel ["."] / macro-expand. */
static int check_domain_spec(const char *s, size_t n, size_t *err_off)
{
    if (!n) {
        *err_off = 0;
        return MAILAUTH_E_SYNTAX;
    }
    if (spf_macro_check(s, n, 0, err_off))
        return MAILAUTH_E_SYNTAX;
    /* The literal tail after the last macro. */
    size_t tail = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '%')
            continue;
        if (s[i + 1] == '{') {
            while (s[i] != '}')
                i++;
        } else {
            i++;
        }
        tail = i + 1;
    }
    if (tail == n)
        return 0;
    size_t end = n;
    if (s[end - 1] == '.')
        end--;
    size_t dot = end;
    while (dot > tail && s[dot - 1] != '.')
        dot--;
    if (dot == tail || !is_toplabel(s + dot, end - dot)) {
        *err_off = dot;
        return MAILAUTH_E_SYNTAX;
    }
    return 0;
}

/* A CIDR length "/" ("0" / %x31-39 0*2DIGIT) of at most `max`; -1 when malformed. */
static int cidr_value(const char *s, size_t n, unsigned max)
{
    if (!n || n > 3 || (s[0] == '0' && n > 1))
        return -1;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!lm_is_digit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    return v <= max ? (int)v : -1;
}

/* Splits a trailing "/N" off s[0..*n): the offset of the '/' in *slash, or 0 when there is
 * none (a digit run at the end preceded by '/'). */
static size_t trailing_slash(const char *s, size_t n)
{
    size_t k = n;
    while (k > 0 && lm_is_digit((unsigned char)s[k - 1]))
        k--;
    if (k == n || k == 0 || s[k - 1] != '/')
        return (size_t)-1;
    return k - 1;
}

/* Reads the optional dual-cidr-length at the end of s[0..*n) into the term, shortening *n.
 * 0 or MAILAUTH_E_SYNTAX. */
static int parse_dual_cidr(const char *s, size_t *n, spf_term *t)
{
    size_t k = trailing_slash(s, *n);
    if (k == (size_t)-1)
        return 0;
    if (k > 0 && s[k - 1] == '/') { /* "//N": the IPv6 length */
        int v = cidr_value(s + k + 1, *n - k - 1, 128);
        if (v < 0)
            return MAILAUTH_E_SYNTAX;
        t->cidr6 = (unsigned)v;
        *n = k - 1;
        k = trailing_slash(s, *n);
        if (k == (size_t)-1)
            return 0;
    }
    int v = cidr_value(s + k + 1, *n - k - 1, 32);
    if (v < 0)
        return MAILAUTH_E_SYNTAX;
    t->cidr4 = (unsigned)v;
    *n = k;
    return 0;
}

static const struct {
    const char *name;
    int kind;
} mechanisms[] = {
    {"all", SPF_ALL},   {"include", SPF_INCLUDE}, {"a", SPF_A},     {"mx", SPF_MX},
    {"ptr", SPF_PTR},   {"ip4", SPF_IP4},         {"ip6", SPF_IP6}, {"exists", SPF_EXISTS},
};

/* Parses an ip4/ip6 network and its single CIDR length. */
static int parse_ip(const char *s, size_t n, spf_term *t)
{
    int v6 = t->kind == SPF_IP6;
    size_t k = n;
    while (k > 0 && s[k - 1] != '/')
        k--;
    size_t addr_len = n;
    if (k > 0) {
        int v = cidr_value(s + k, n - k, v6 ? 128 : 32);
        if (v < 0)
            return MAILAUTH_E_SYNTAX;
        if (v6)
            t->cidr6 = (unsigned)v;
        else
            t->cidr4 = (unsigned)v;
        addr_len = k - 1;
    }
    char buf[64];
    if (!addr_len || addr_len >= sizeof buf)
        return MAILAUTH_E_SYNTAX;
    memcpy(buf, s, addr_len);
    buf[addr_len] = '\0';
    t->net.v6 = v6;
    if (inet_pton(v6 ? AF_INET6 : AF_INET, buf, t->net.b) != 1)
        return MAILAUTH_E_SYNTAX;
    return 0;
}

/* Parses one mechanism: the name (ending at `name_end`) and what follows. */
static int parse_mechanism(const char *s, size_t n, size_t name_end, spf_term *t, size_t *err)
{
    size_t nm = 0;
    for (; nm < sizeof mechanisms / sizeof *mechanisms; nm++)
        if (lm_eq_nocase(s, name_end, mechanisms[nm].name))
            break;
    if (nm == sizeof mechanisms / sizeof *mechanisms) {
        *err = 0;
        return MAILAUTH_E_SYNTAX; /* an unknown mechanism */
    }
    t->kind = mechanisms[nm].kind;
    const char *rest = s + name_end;
    size_t rn = n - name_end;
    *err = name_end;
    switch (t->kind) {
    case SPF_ALL:
        return rn ? MAILAUTH_E_SYNTAX : 0;
    case SPF_IP4:
    case SPF_IP6:
        if (!rn || rest[0] != ':')
            return MAILAUTH_E_SYNTAX;
        return parse_ip(rest + 1, rn - 1, t);
    case SPF_INCLUDE:
    case SPF_EXISTS:
        if (!rn || rest[0] != ':')
            return MAILAUTH_E_SYNTAX;
        break;
    case SPF_A:
    case SPF_MX:
        if (parse_dual_cidr(rest, &rn, t))
            return MAILAUTH_E_SYNTAX;
        break;
    default: /* SPF_PTR */
        break;
    }
    if (!rn)
        return 0;
    if (rest[0] != ':')
        return MAILAUTH_E_SYNTAX;
    size_t off;
    if (check_domain_spec(rest + 1, rn - 1, &off)) {
        *err = name_end + 1 + off;
        return MAILAUTH_E_SYNTAX;
    }
    t->spec = rest + 1;
    t->spec_len = rn - 1;
    return 0;
}

/* Parses one modifier "name=value". */
static int parse_modifier(const char *s, size_t n, size_t name_end, spf_record *rec, spf_term *t,
                          size_t *err, const char **msg)
{
    const char *v = s + name_end + 1;
    size_t vn = n - name_end - 1, off = 0;
    t->spec = v;
    t->spec_len = vn;
    if (lm_eq_nocase(s, name_end, "redirect") || lm_eq_nocase(s, name_end, "exp")) {
        int redirect = s[0] == 'r' || s[0] == 'R';
        t->kind = redirect ? SPF_REDIRECT : SPF_EXP;
        if (redirect ? rec->redirect != NULL : rec->exp != NULL) {
            *err = 0;
            *msg = redirect ? "more than one redirect= modifier" : "more than one exp= modifier";
            return MAILAUTH_E_SYNTAX;
        }
        if (check_domain_spec(v, vn, &off)) {
            *err = name_end + 1 + off;
            *msg = "a malformed domain-spec";
            return MAILAUTH_E_SYNTAX;
        }
        return 0;
    }
    t->kind = SPF_MODIFIER;
    if (!lm_is_alpha((unsigned char)s[0]) || spf_macro_check(v, vn, 0, &off)) {
        *err = lm_is_alpha((unsigned char)s[0]) ? name_end + 1 + off : 0;
        *msg = "a malformed modifier";
        return MAILAUTH_E_SYNTAX;
    }
    return 0;
}

int spf_record_parse(const char *s, size_t n, lm_arena *arena, spf_record *rec, size_t *err_off,
                     const char **err_msg)
{
    memset(rec, 0, sizeof *rec);
    *err_off = 0;
    *err_msg = "not an SPF record";
    if (!spf_record_is_spf(s, n))
        return MAILAUTH_E_SYNTAX;
    size_t max = 0;
    for (size_t i = 6; i < n; i++)
        if (s[i] == ' ' && i + 1 < n && s[i + 1] != ' ')
            max++;
    rec->terms = lm_arena_calloc(arena, max ? max : 1, sizeof *rec->terms);
    if (!rec->terms)
        return MAILAUTH_E_NOMEM;
    size_t i = 6;
    while (i < n) {
        while (i < n && s[i] == ' ')
            i++;
        if (i == n)
            break;
        size_t start = i;
        while (i < n && s[i] != ' ')
            i++;
        const char *p = s + start;
        size_t len = i - start, err = 0;
        spf_term *t = &rec->terms[rec->count];
        memset(t, 0, sizeof *t);
        t->text = p;
        t->text_len = len;
        t->offset = start;
        t->cidr4 = 32;
        t->cidr6 = 128;
        t->qualifier = MAILAUTH_RESULT_PASS;
        size_t q = 0;
        switch (p[0]) {
        case '+': q = 1; break;
        case '-': q = 1, t->qualifier = MAILAUTH_RESULT_FAIL; break;
        case '~': q = 1, t->qualifier = MAILAUTH_RESULT_SOFTFAIL; break;
        case '?': q = 1, t->qualifier = MAILAUTH_RESULT_NEUTRAL; break;
        default: break;
        }
        size_t e = q;
        while (e < len && is_name_char((unsigned char)p[e]))
            e++;
        int rc;
        const char *msg = "a malformed term";
        if (e < len && p[e] == '=' && !q && e > 0) {
            rc = parse_modifier(p, len, e, rec, t, &err, &msg);
        } else {
            rc = parse_mechanism(p + q, len - q, e - q, t, &err);
            err += q;
            if (rc && err == q)
                msg = "an unknown mechanism";
        }
        if (rc) {
            *err_off = start + err;
            *err_msg = msg;
            return rc;
        }
        if (t->kind == SPF_REDIRECT)
            rec->redirect = t;
        else if (t->kind == SPF_EXP)
            rec->exp = t;
        rec->count++;
    }
    return 0;
}
