/* spf_eval.c — the SPF check: check_host() of RFC 7208 §4 with the mechanisms of §5, the
 * modifiers of §6, the limits of §4.6.4, the explanation of §6.2 and Received-SPF (§9.1).
 *
 * An evaluation reads DNS only through the check's answer memo (ma_dns): blocking, the memo
 * asks the resolver; step by step, it says MAILAUTH_NEED_DNS and the evaluation unwinds, to
 * run again from the start once the answer is in. Everything an evaluation allocates comes
 * from one arena, kept when the evaluation finishes (its strings are the results) and dropped
 * when it unwinds. */
#include "spf_internal.h"

#include "lm_alloc.h"
#include "lm_ascii.h"

#include <idn2.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct mailauth_spf {
    /* options */
    unsigned max_dns, max_void, max_mx, max_ptr;
    char *receiver, *default_exp;
    mailauth_clock_fn clock;
    void *clock_user;
    /* the check */
    int begun, identity;
    ma_ip ip;
    char ip_text[48];
    int ip_upper; /* the client's text wrote hex digits in upper case */
    char *helo, *mail_from, *sender, *local, *sender_domain, *domain;
    int domain_ok;
    const char *domain_problem;
    ma_dns dns;
    /* the outcome */
    int done, result;
    lm_arena *arena; /* the finished evaluation's */
    const char *explanation, *mechanism, *problem;
    unsigned dns_terms;
    lm_buf header;
};

/* Internal return code: the verdict is decided (temperror / permerror); unwinds to the top. */
#define SPF_ABORT 2

/* One evaluation. */
struct eval {
    mailauth_spf *spf;
    lm_arena *arena;
    unsigned dns_terms, voids;
    int abort_result;
    const char *problem;
    long long now;
    int have_now;
};

/* What one check_host() found. */
struct outcome {
    int result;
    const spf_term *matched; /* the term of this domain's record (through redirects) */
    const spf_term *exp;     /* exp= of the record that decided, and its domain */
    const char *exp_domain;
};

/* ---- small helpers ------------------------------------------------------------------------ */

/* Decides the verdict (temperror / permerror) with the problem text before + arg + after. */
static int abort_with(struct eval *ev, int result, const char *before, const char *arg, size_t n,
                      const char *after)
{
    char buf[600];
    if (n > 300)
        n = 300;
    snprintf(buf, sizeof buf, "%s%.*s%s", before, (int)n, arg ? arg : "", after ? after : "");
    ev->abort_result = result;
    ev->problem = lm_arena_strndup(ev->arena, buf, strlen(buf));
    return ev->problem ? SPF_ABORT : MAILAUTH_E_NOMEM;
}

static int abort_str(struct eval *ev, int result, const char *before, const char *arg)
{
    return abort_with(ev, result, before, arg, arg ? strlen(arg) : 0, NULL);
}

/* The number of labels of `n` octets of a name without its trailing dot, or 0 when a label is
 * empty or longer than 63 octets. */
static size_t label_count(const char *s, size_t n)
{
    size_t label = 0, labels = 1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '.') {
            if (++label > MA_LABEL_MAX)
                return 0;
            continue;
        }
        if (!label)
            return 0;
        label = 0;
        labels++;
    }
    return label ? labels : 0;
}

/* Non-zero when `n` octets are a usable domain name (§4.3): labels of 1..63 octets (a
 * trailing dot allowed), at most 253 octets, more than one label, visible ASCII or UTF-8 but
 * no brackets. */
static int domain_valid(const char *s, size_t n)
{
    if (n && s[n - 1] == '.')
        n--;
    if (!n || n > 253)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c == 0x7f || c == '[' || c == ']' || c == '@' || c == '\\')
            return 0;
    }
    return label_count(s, n) > 1;
}

static int has_8bit(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return 1;
    return 0;
}

/* RFC 8616 §4: a domain holding U-labels is used in its A-label form. Returns 0 with *out a
 * copy from `arena` (NULL arena: lm_malloc) or NULL when it is not a valid IDN;
 * MAILAUTH_E_NOMEM. */
static int to_a_labels(lm_arena *arena, const char *s, size_t n, char **out)
{
    *out = NULL;
    char tmp[1024];
    if (n >= sizeof tmp || memchr(s, '\0', n))
        return 0;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    char *a = NULL;
    int rc = idn2_to_ascii_8z(tmp, &a, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
    if (rc == IDN2_MALLOC)
        return MAILAUTH_E_NOMEM;
    if (rc == IDN2_OK && a) {
        size_t len = strlen(a);
        *out = arena ? lm_arena_strndup(arena, a, len) : lm_strndup(a, len);
        if (!*out) {
            idn2_free(a);
            return MAILAUTH_E_NOMEM;
        }
    }
    idn2_free(a);
    return 0;
}

/* The lookup name of an expanded target (§4.8: longer than 253 octets, labels go from the
 * left; a trailing dot goes), in presentation form ('\\' and octets outside visible ASCII as
 * \DDD) in the arena; NULL in *out when it is not a valid domain name: an empty label or one
 * longer than 63 octets (the mechanism then matches nothing, as for a name that does not
 * exist). */
static int target_name(struct eval *ev, const char *s, size_t n, const char **out)
{
    *out = NULL;
    if (has_8bit(s, n)) {
        char *a;
        int rc = to_a_labels(ev->arena, s, n, &a);
        if (rc || !a)
            return rc;
        s = a;
        n = strlen(a);
    }
    if (n && s[n - 1] == '.')
        n--;
    while (n > 253) {
        const char *dot = memchr(s, '.', n);
        if (!dot)
            return 0;
        n -= (size_t)(dot + 1 - s);
        s = dot + 1;
    }
    if (!label_count(s, n))
        return 0;
    size_t extra = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\\')
            extra += 1;
        else if (c < 0x21 || c > 0x7e)
            extra += 3;
    }
    char *copy = lm_arena_alloc(ev->arena, n + extra + 1);
    if (!copy)
        return MAILAUTH_E_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\\') {
            copy[k++] = '\\';
            copy[k++] = '\\';
        } else if (c < 0x21 || c > 0x7e) {
            copy[k++] = '\\';
            copy[k++] = (char)('0' + c / 100);
            copy[k++] = (char)('0' + c / 10 % 10);
            copy[k++] = (char)('0' + c % 10);
        } else {
            copy[k++] = (char)c;
        }
    }
    copy[k] = '\0';
    *out = copy;
    return 0;
}

/* The length of a name without its trailing dot. */
static size_t strip_dot(const char *s)
{
    size_t n = strlen(s);
    return n && s[n - 1] == '.' ? n - 1 : n;
}

/* Names equal, ignoring ASCII case and a trailing dot. */
static int name_eq(const char *a, const char *b)
{
    size_t an = strip_dot(a), bn = strip_dot(b);
    return an == bn && !lm_strncasecmp(a, b, an);
}

/* `name` is `parent` or one of its subdomains. */
static int name_under(const char *name, const char *parent)
{
    size_t nn = strip_dot(name), pn = strip_dot(parent);
    if (nn < pn || lm_strncasecmp(name + nn - pn, parent, pn))
        return 0;
    return nn == pn || name[nn - pn - 1] == '.';
}

/* A lookup through the memo. */
static int lookup(struct eval *ev, const char *name, int type, const mailauth_dns_answer **a)
{
    int rc = ma_dns_lookup(&ev->spf->dns, name, type, a);
    if (rc == MAILAUTH_E_LIMIT)
        return abort_str(ev, MAILAUTH_RESULT_PERMERROR, "too many DNS lookups", NULL);
    if (rc == MAILAUTH_E_INVAL) { /* a name the resolver layer refuses: does not exist */
        *a = NULL;
        return 0;
    }
    return rc;
}

static int dns_failed(const mailauth_dns_answer *a)
{
    int r = mailauth_dns_answer_result(a);
    return a && (r == MAILAUTH_DNS_TEMPFAIL || r == MAILAUTH_DNS_PERMFAIL);
}

static int dns_void(const mailauth_dns_answer *a)
{
    if (!a)
        return 1;
    int r = mailauth_dns_answer_result(a);
    return r == MAILAUTH_DNS_NXDOMAIN || r == MAILAUTH_DNS_NODATA;
}

/* Counts a term that queries DNS (§4.6.4). */
static int count_dns_term(struct eval *ev)
{
    if (++ev->dns_terms > ev->spf->max_dns)
        return abort_str(ev, MAILAUTH_RESULT_PERMERROR, "too many DNS lookups", NULL);
    return 0;
}

/* Counts a void answer of a mechanism's lookup (§4.6.4). */
static int count_void(struct eval *ev, const mailauth_dns_answer *a)
{
    if (dns_void(a) && ++ev->voids > ev->spf->max_void)
        return abort_str(ev, MAILAUTH_RESULT_PERMERROR, "void lookup limit exceeded", NULL);
    return 0;
}

static int addr_type(const struct eval *ev)
{
    return ev->spf->ip.v6 ? MAILAUTH_RR_AAAA : MAILAUTH_RR_A;
}

/* Non-zero when an address record of `a` holds the client within the prefix. */
static int answer_matches(const struct eval *ev, const mailauth_dns_answer *a, unsigned cidr4,
                          unsigned cidr6)
{
    const ma_ip *ip = &ev->spf->ip;
    size_t n = mailauth_dns_answer_count(a);
    for (size_t i = 0; i < n; i++) {
        const mailauth_dns_record *r = mailauth_dns_answer_record(a, i);
        ma_ip net;
        memset(&net, 0, sizeof net);
        if (r->type == MAILAUTH_RR_A && !ip->v6)
            memcpy(net.b, r->addr, 4);
        else if (r->type == MAILAUTH_RR_AAAA && ip->v6)
            memcpy(net.b, r->addr, 16), net.v6 = 1;
        else
            continue;
        if (ma_ip_in_prefix(ip, &net, ip->v6 ? cidr6 : cidr4))
            return 1;
    }
    return 0;
}

/* ---- the validated client name (§5.5, %{p} of §7.3) -------------------------------------- */

/* The PTR names of the client: 0 with *a (NULL or a failed / void answer when none). */
static int ptr_answer(struct eval *ev, const mailauth_dns_answer **a)
{
    char rev[80];
    if (mailauth_reverse_name(ev->spf->ip_text, rev, sizeof rev))
        return MAILAUTH_E_INVAL;
    return lookup(ev, rev, MAILAUTH_RR_PTR, a);
}

/* Whether `name` has an address record equal to the client (DNS errors: no). */
static int ptr_validate(struct eval *ev, const char *name, int *ok)
{
    const mailauth_dns_answer *a;
    *ok = 0;
    int rc = lookup(ev, name, addr_type(ev), &a);
    if (rc)
        return rc;
    if (a && mailauth_dns_answer_result(a) == MAILAUTH_DNS_FOUND)
        *ok = answer_matches(ev, a, 32, 128);
    return 0;
}

/* %{p}: a validated name, preferring `domain` itself, then a subdomain of it, then any. */
static int ptr_macro(void *user, const char *domain, const char **name)
{
    struct eval *ev = user;
    const mailauth_dns_answer *a;
    *name = "unknown";
    int rc = ptr_answer(ev, &a);
    if (rc || !a || mailauth_dns_answer_result(a) != MAILAUTH_DNS_FOUND)
        return rc;
    size_t n = mailauth_dns_answer_count(a);
    if (n > ev->spf->max_ptr)
        n = ev->spf->max_ptr;
    const char *under = NULL, *any = NULL;
    for (size_t i = 0; i < n; i++) {
        const char *pn = mailauth_dns_answer_record(a, i)->name;
        int ok;
        if ((rc = ptr_validate(ev, pn, &ok)) != 0)
            return rc;
        if (!ok)
            continue;
        if (name_eq(pn, domain)) {
            *name = pn;
            return 0;
        }
        if (!under && name_under(pn, domain))
            under = pn;
        if (!any)
            any = pn;
    }
    *name = under ? under : any ? any : "unknown";
    return 0;
}

/* ---- macros ------------------------------------------------------------------------------- */

static long long eval_now(struct eval *ev)
{
    if (!ev->have_now) {
        mailauth_spf *spf = ev->spf;
        ev->now = spf->clock ? (long long)spf->clock(spf->clock_user) : (long long)time(NULL);
        ev->have_now = 1;
    }
    return ev->now;
}

/* Expands `n` octets of macro-string for `domain` into a NUL-terminated arena string. */
static int expand(struct eval *ev, const char *domain, const char *s, size_t n, int explain,
                  const char **out, size_t *out_len)
{
    mailauth_spf *spf = ev->spf;
    spf_macro_ctx c = {
        .sender = spf->sender, .local = spf->local, .sender_domain = spf->sender_domain,
        .domain = domain, .ip = &spf->ip, .upper_hex = spf->ip_upper, .helo = spf->helo,
        .receiver = spf->receiver,
        .now = explain ? eval_now(ev) : 0, .ptr_name = ptr_macro, .user = ev,
    };
    lm_buf b = LM_BUF_INIT;
    int rc = spf_macro_expand(&c, s, n, explain, &b);
    if (!rc) {
        *out = lm_arena_strndup(ev->arena, b.data ? b.data : "", b.len);
        *out_len = b.len;
        if (!*out)
            rc = MAILAUTH_E_NOMEM;
    }
    lm_buf_free(&b);
    return rc;
}

/* The target name of a term: its expanded domain-spec, or the current domain. NULL in *name
 * when the expansion is not a valid domain name. */
static int term_target(struct eval *ev, const spf_term *t, const char *domain, const char **name)
{
    if (!t->spec) {
        *name = domain;
        return 0;
    }
    const char *x;
    size_t xn;
    int rc = expand(ev, domain, t->spec, t->spec_len, 0, &x, &xn);
    if (rc == MAILAUTH_E_LIMIT || rc == MAILAUTH_E_SYNTAX)
        return abort_with(ev, MAILAUTH_RESULT_PERMERROR, "cannot expand ", t->text,
                          t->text_len, NULL);
    if (rc)
        return rc;
    return target_name(ev, x, xn, name);
}

/* ---- mechanisms (§5) ---------------------------------------------------------------------- */

static int check_host(struct eval *ev, const char *domain, unsigned depth, struct outcome *out);

/* An address lookup for a or exists; a failure aborts with temperror. */
static int address_lookup(struct eval *ev, const char *name, int type, const spf_term *t,
                          const mailauth_dns_answer **a)
{
    int rc = lookup(ev, name, type, a);
    if (rc)
        return rc;
    if (dns_failed(*a))
        return abort_with(ev, MAILAUTH_RESULT_TEMPERROR, "DNS failure for ", t->text,
                          t->text_len, NULL);
    return count_void(ev, *a);
}

static int mech_mx(struct eval *ev, const spf_term *t, const char *target, int *match)
{
    const mailauth_dns_answer *a;
    int rc = lookup(ev, target, MAILAUTH_RR_MX, &a);
    if (rc)
        return rc;
    if (dns_failed(a))
        return abort_with(ev, MAILAUTH_RESULT_TEMPERROR, "DNS failure for ", t->text,
                          t->text_len, NULL);
    if ((rc = count_void(ev, a)) != 0 || dns_void(a))
        return rc;
    size_t n = mailauth_dns_answer_count(a);
    for (size_t i = 0; i < n; i++) {
        const mailauth_dns_record *r = mailauth_dns_answer_record(a, i);
        /* §4.6.4: an "mx" may not look up more than max_mx addresses; the limit is exceeded
         * only when the first max_mx did not match. */
        if (i == ev->spf->max_mx)
            return abort_with(ev, MAILAUTH_RESULT_PERMERROR, "more than the allowed MX names for ",
                              t->text, t->text_len, NULL);
        if (!strcmp(r->name, ".")) /* a null MX (RFC 7505) */
            continue;
        const mailauth_dns_answer *x;
        if ((rc = lookup(ev, r->name, addr_type(ev), &x)) != 0)
            return rc;
        if (dns_failed(x))
            return abort_with(ev, MAILAUTH_RESULT_TEMPERROR, "DNS failure for ", t->text,
                              t->text_len, NULL);
        if (x && answer_matches(ev, x, t->cidr4, t->cidr6)) {
            *match = 1;
            return 0;
        }
    }
    return 0;
}

static int mech_ptr(struct eval *ev, const char *target, int *match)
{
    const mailauth_dns_answer *a;
    int rc = ptr_answer(ev, &a);
    if (rc)
        return rc;
    if (a && dns_failed(a))
        return 0; /* §5.5: a PTR lookup error is no match */
    if ((rc = count_void(ev, a)) != 0 || dns_void(a))
        return rc;
    size_t n = mailauth_dns_answer_count(a);
    if (n > ev->spf->max_ptr)
        n = ev->spf->max_ptr;
    for (size_t i = 0; i < n; i++) {
        const char *pn = mailauth_dns_answer_record(a, i)->name;
        if (!name_under(pn, target))
            continue;
        int ok;
        if ((rc = ptr_validate(ev, pn, &ok)) != 0)
            return rc;
        if (ok) {
            *match = 1;
            return 0;
        }
    }
    return 0;
}

static int mech_include(struct eval *ev, const spf_term *t, const char *target, unsigned depth,
                        int *match)
{
    struct outcome sub;
    int rc = check_host(ev, target, depth + 1, &sub);
    if (rc)
        return rc;
    switch (sub.result) { /* §5.2 */
    case MAILAUTH_RESULT_PASS:
        *match = 1;
        return 0;
    case MAILAUTH_RESULT_NONE:
        return abort_with(ev, MAILAUTH_RESULT_PERMERROR, "no SPF record for ", t->text,
                          t->text_len, NULL);
    default:
        return 0;
    }
}

static int is_v4_mapped(const ma_ip *net)
{
    static const unsigned char prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return net->v6 && !memcmp(net->b, prefix, sizeof prefix);
}

/* Evaluates one mechanism: 0 with *match set, SPF_ABORT, MAILAUTH_NEED_DNS or an error. */
static int mechanism(struct eval *ev, const spf_term *t, const char *domain, unsigned depth,
                     int *match)
{
    *match = 0;
    const ma_ip *ip = &ev->spf->ip;
    int rc;
    switch (t->kind) {
    case SPF_ALL:
        *match = 1;
        return 0;
    case SPF_IP4:
        *match = ma_ip_in_prefix(ip, &t->net, t->cidr4);
        return 0;
    case SPF_IP6:
        if (!ip->v6 && t->cidr6 >= 96 && is_v4_mapped(&t->net)) {
            /* ::ffff:a.b.c.d/N names IPv4 addresses, and the client is one */
            ma_ip net4;
            memset(&net4, 0, sizeof net4);
            memcpy(net4.b, t->net.b + 12, 4);
            *match = ma_ip_in_prefix(ip, &net4, t->cidr6 - 96);
            return 0;
        }
        *match = ma_ip_in_prefix(ip, &t->net, t->cidr6);
        return 0;
    default:
        break;
    }
    if ((rc = count_dns_term(ev)) != 0)
        return rc;
    const char *target;
    if ((rc = term_target(ev, t, domain, &target)) != 0)
        return rc;
    if (!target)
        return 0; /* not a valid name: it does not exist, so nothing matches */
    const mailauth_dns_answer *a;
    switch (t->kind) {
    case SPF_INCLUDE:
        return mech_include(ev, t, target, depth, match);
    case SPF_A:
        if ((rc = address_lookup(ev, target, addr_type(ev), t, &a)) != 0)
            return rc;
        *match = a && answer_matches(ev, a, t->cidr4, t->cidr6);
        return 0;
    case SPF_MX:
        return mech_mx(ev, t, target, match);
    case SPF_PTR:
        return mech_ptr(ev, target, match);
    default: /* SPF_EXISTS: any A record, whatever the client's family (§5.7) */
        if ((rc = address_lookup(ev, target, MAILAUTH_RR_A, t, &a)) != 0)
            return rc;
        *match = a && mailauth_dns_answer_result(a) == MAILAUTH_DNS_FOUND;
        return 0;
    }
}

/* ---- check_host() (§4) -------------------------------------------------------------------- */

/* The SPF record of `domain` (§4.4, §4.5): 0 with *text NULL when there is none, SPF_ABORT. */
static int find_record(struct eval *ev, const char *domain, const char **text, size_t *len)
{
    const mailauth_dns_answer *a;
    *text = NULL;
    *len = 0;
    int rc = lookup(ev, domain, MAILAUTH_RR_TXT, &a);
    if (rc)
        return rc;
    if (dns_failed(a))
        return abort_str(ev, MAILAUTH_RESULT_TEMPERROR,
                         "DNS failure looking up the TXT records of ", domain);
    size_t n = a ? mailauth_dns_answer_count(a) : 0;
    for (size_t i = 0; i < n; i++) {
        const mailauth_dns_record *r = mailauth_dns_answer_record(a, i);
        if (r->type != MAILAUTH_RR_TXT || !spf_record_is_spf(r->text, r->text_len))
            continue;
        if (*text)
            return abort_str(ev, MAILAUTH_RESULT_PERMERROR, "more than one SPF record for ",
                             domain);
        *text = r->text;
        *len = r->text_len;
    }
    return 0;
}

static int check_host(struct eval *ev, const char *domain, unsigned depth, struct outcome *out)
{
    memset(out, 0, sizeof *out);
    out->result = MAILAUTH_RESULT_NONE;
    if (depth > ev->spf->max_dns + 1) /* unreachable while terms are counted; a backstop */
        return abort_str(ev, MAILAUTH_RESULT_PERMERROR, "too many DNS lookups", NULL);
    const char *text;
    size_t len;
    int rc = find_record(ev, domain, &text, &len);
    if (rc || !text)
        return rc;
    spf_record rec;
    size_t off;
    const char *msg;
    rc = spf_record_parse(text, len, ev->arena, &rec, &off, &msg);
    if (rc == MAILAUTH_E_SYNTAX) {
        char before[64], after[200];
        snprintf(before, sizeof before, "syntax error at offset %zu in the record of ", off);
        snprintf(after, sizeof after, ": %s", msg);
        return abort_with(ev, MAILAUTH_RESULT_PERMERROR, before, domain, strlen(domain), after);
    }
    if (rc)
        return rc;
    for (size_t i = 0; i < rec.count; i++) {
        const spf_term *t = &rec.terms[i];
        if (t->kind >= SPF_REDIRECT)
            continue;
        int match;
        if ((rc = mechanism(ev, t, domain, depth, &match)) != 0)
            return rc;
        if (match) {
            out->result = t->qualifier;
            out->matched = t;
            out->exp = rec.exp;
            out->exp_domain = domain;
            return 0;
        }
    }
    if (!rec.redirect) {
        out->result = MAILAUTH_RESULT_NEUTRAL; /* §4.7 */
        out->exp = rec.exp;
        out->exp_domain = domain;
        return 0;
    }
    /* §6.1: the result is that of the redirect target, whose exp= applies. */
    const spf_term *t = rec.redirect;
    const char *target;
    if ((rc = count_dns_term(ev)) != 0 || (rc = term_target(ev, t, domain, &target)) != 0)
        return rc;
    if (target && (rc = check_host(ev, target, depth + 1, out)) != 0)
        return rc;
    if (!target || out->result == MAILAUTH_RESULT_NONE)
        return abort_with(ev, MAILAUTH_RESULT_PERMERROR, "no SPF record for ", t->text,
                          t->text_len, NULL);
    if (!out->matched)
        out->matched = t;
    return 0;
}

/* The explanation of a fail (§6.2): the exp= text, or the default. */
static int explain(struct eval *ev, const struct outcome *o, const char **out)
{
    *out = ev->spf->default_exp;
    if (!o->exp)
        return 0;
    const char *x, *name;
    size_t xn;
    int rc = expand(ev, o->exp_domain, o->exp->spec, o->exp->spec_len, 0, &x, &xn);
    if (rc == MAILAUTH_E_SYNTAX || rc == MAILAUTH_E_LIMIT)
        return 0;
    if (rc || (rc = target_name(ev, x, xn, &name)) != 0 || !name)
        return rc;
    const mailauth_dns_answer *a;
    if ((rc = lookup(ev, name, MAILAUTH_RR_TXT, &a)) != 0)
        return rc == SPF_ABORT ? 0 : rc;
    if (!a || mailauth_dns_answer_result(a) != MAILAUTH_DNS_FOUND ||
        mailauth_dns_answer_count(a) != 1)
        return 0;
    const mailauth_dns_record *r = mailauth_dns_answer_record(a, 0);
    if (spf_macro_check(r->text, r->text_len, 1, NULL))
        return 0;
    rc = expand(ev, o->exp_domain, r->text, r->text_len, 1, &x, &xn);
    if (rc == MAILAUTH_E_SYNTAX || rc == MAILAUTH_E_LIMIT)
        return 0;
    if (!rc)
        *out = x;
    return rc;
}

/* One whole evaluation. 0 when the verdict is known (stored in spf), MAILAUTH_NEED_DNS, or an
 * error. */
static int evaluate(mailauth_spf *spf)
{
    struct eval ev;
    memset(&ev, 0, sizeof ev);
    ev.spf = spf;
    ev.arena = lm_arena_new(4096);
    if (!ev.arena)
        return MAILAUTH_E_NOMEM;
    struct outcome o;
    memset(&o, 0, sizeof o);
    const char *exp = NULL, *problem = NULL;
    int result, rc = 0;
    if (!spf->domain_ok) {
        result = MAILAUTH_RESULT_NONE;
        problem = spf->domain_problem;
    } else {
        rc = check_host(&ev, spf->domain, 0, &o);
        if (rc == SPF_ABORT) {
            result = ev.abort_result;
            problem = ev.problem;
            o.matched = NULL;
            rc = 0;
        } else {
            result = o.result;
            if (!rc && result == MAILAUTH_RESULT_NONE)
                problem = "no SPF record";
        }
        if (!rc && result == MAILAUTH_RESULT_FAIL)
            rc = explain(&ev, &o, &exp);
        if (!rc && result == MAILAUTH_RESULT_FAIL && !exp)
            exp = spf->default_exp;
    }
    spf->dns_terms = ev.dns_terms;
    if (rc) {
        lm_arena_free(ev.arena);
        return rc;
    }
    const char *mech = NULL;
    if (o.matched)
        mech = lm_arena_strndup(ev.arena, o.matched->text, o.matched->text_len);
    if (o.matched && !mech) {
        lm_arena_free(ev.arena);
        return MAILAUTH_E_NOMEM;
    }
    lm_arena_free(spf->arena);
    spf->arena = ev.arena;
    spf->result = result;
    spf->explanation = exp;
    spf->mechanism = mech;
    spf->problem = problem;
    spf->done = 1;
    return 0;
}

/* ---- the object --------------------------------------------------------------------------- */

void mailauth_spf_options_init(mailauth_spf_options *opts)
{
    if (!opts)
        return;
    memset(opts, 0, sizeof *opts);
    opts->struct_size = sizeof *opts;
}

int mailauth_spf_new(const mailauth_spf_options *opts, mailauth_spf **out)
{
    if (!out)
        return MAILAUTH_E_INVAL;
    *out = NULL;
    mailauth_spf_options o;
    mailauth_spf_options_init(&o);
    if (opts) {
        if (opts->struct_size < offsetof(mailauth_spf_options, clock_user) + sizeof(void *) ||
            opts->struct_size > sizeof o)
            return MAILAUTH_E_INVAL;
        memcpy(&o, opts, opts->struct_size);
    }
    mailauth_spf *spf = lm_calloc(1, sizeof *spf);
    if (!spf)
        return MAILAUTH_E_NOMEM;
    spf->max_dns = o.max_dns_mechanisms ? o.max_dns_mechanisms
                                        : MAILAUTH_SPF_DEFAULT_DNS_MECHANISMS;
    if (spf->max_dns > MAILAUTH_SPF_MAX_DNS_MECHANISMS)
        spf->max_dns = MAILAUTH_SPF_MAX_DNS_MECHANISMS;
    spf->max_void = o.max_void_lookups ? o.max_void_lookups : MAILAUTH_SPF_DEFAULT_VOID_LOOKUPS;
    spf->max_mx = o.max_mx_names ? o.max_mx_names : MAILAUTH_SPF_DEFAULT_MX_NAMES;
    spf->max_ptr = o.max_ptr_names ? o.max_ptr_names : MAILAUTH_SPF_DEFAULT_PTR_NAMES;
    spf->clock = o.clock;
    spf->clock_user = o.clock_user;
    const char *recv = o.receiver ? o.receiver : "unknown";
    const char *dexp = o.default_explanation ? o.default_explanation
                                             : MAILAUTH_SPF_DEFAULT_EXPLANATION;
    spf->receiver = lm_strndup(recv, strlen(recv));
    spf->default_exp = lm_strndup(dexp, strlen(dexp));
    if (!spf->receiver || !spf->default_exp) {
        mailauth_spf_free(spf);
        return MAILAUTH_E_NOMEM;
    }
    /* Room for every lookup the limits allow: each DNS term, its MX or PTR names, the
     * explanation and the client's PTR names for %{p}; within [MA_DNS_MEMO_MAX, 4096]. */
    size_t names = (spf->max_mx > spf->max_ptr ? spf->max_mx : spf->max_ptr) + 2;
    size_t memo = (spf->max_dns + 2) * names + spf->max_ptr + 4;
    if (memo < MA_DNS_MEMO_MAX)
        memo = MA_DNS_MEMO_MAX;
    if (memo > 4096)
        memo = 4096;
    ma_dns_init(&spf->dns, memo);
    *out = spf;
    return 0;
}

/* Forgets the identity, the answers and the outcome. */
static void reset(mailauth_spf *spf)
{
    lm_free(spf->helo);
    lm_free(spf->mail_from);
    lm_free(spf->sender);
    lm_free(spf->local);
    lm_free(spf->sender_domain);
    lm_free(spf->domain);
    spf->helo = spf->mail_from = spf->sender = spf->local = spf->sender_domain = spf->domain =
        NULL;
    ma_dns_clear(&spf->dns);
    lm_arena_free(spf->arena);
    spf->arena = NULL;
    spf->begun = spf->done = 0;
    spf->result = MAILAUTH_RESULT_NONE;
    spf->explanation = spf->mechanism = spf->problem = NULL;
    spf->dns_terms = 0;
}

void mailauth_spf_free(mailauth_spf *spf)
{
    if (!spf)
        return;
    reset(spf);
    lm_free(spf->receiver);
    lm_free(spf->default_exp);
    lm_buf_free(&spf->header);
    lm_free(spf);
}

static char *dup_str(const char *s, size_t n, int *oom)
{
    char *d = lm_strndup(s, n);
    if (!d)
        *oom = 1;
    return d;
}

/* Sets the identity: `sender` split at its last '@' (§4.3: no local part = "postmaster"). */
static int set_identity(mailauth_spf *spf, int identity, const char *ip, const char *domain,
                        size_t domain_len, const char *sender, const char *helo,
                        const char *mail_from)
{
    ma_ip addr;
    if (ma_ip_parse(ip, &addr))
        return MAILAUTH_E_INVAL;
    reset(spf);
    spf->ip = addr;
    spf->ip_upper = strpbrk(ip, "ABCDEF") != NULL;
    ma_ip_format(&addr, spf->ip_text, sizeof spf->ip_text);
    spf->identity = identity;
    int oom = 0;
    const char *h = helo && *helo ? helo : "unknown";
    spf->helo = dup_str(h, strlen(h), &oom);
    if (mail_from)
        spf->mail_from = dup_str(mail_from, strlen(mail_from), &oom);
    const char *at = strrchr(sender, '@');
    const char *local = at && at > sender ? sender : "postmaster";
    size_t local_len = at && at > sender ? (size_t)(at - sender) : strlen("postmaster");
    const char *sd = at ? at + 1 : sender;
    spf->local = dup_str(local, local_len, &oom);
    spf->sender_domain = dup_str(sd, strlen(sd), &oom);
    spf->domain = dup_str(domain, domain_len, &oom);
    if (!oom) {
        size_t n = local_len + 1 + strlen(sd);
        spf->sender = lm_malloc(n + 1);
        if (spf->sender)
            snprintf(spf->sender, n + 1, "%s@%s", spf->local, sd);
        else
            oom = 1;
    }
    if (oom) {
        reset(spf);
        return MAILAUTH_E_NOMEM;
    }
    spf->domain_ok = 1;
    if (has_8bit(domain, domain_len)) {
        char *a;
        if (to_a_labels(NULL, domain, domain_len, &a)) {
            reset(spf);
            return MAILAUTH_E_NOMEM;
        }
        if (a) {
            lm_free(spf->domain);
            spf->domain = a;
        } else {
            spf->domain_ok = 0;
        }
    }
    if (spf->domain_ok)
        spf->domain_ok = domain_valid(spf->domain, strlen(spf->domain));
    spf->domain_problem = spf->domain_ok ? NULL : "the domain is not a valid domain name";
    spf->dns.resolver = NULL;
    spf->begun = 1;
    return 0;
}

int mailauth_spf_begin(mailauth_spf *spf, int identity, const char *ip, const char *helo,
                       const char *mail_from)
{
    if (!spf || !ip || !helo ||
        (identity != MAILAUTH_SPF_MAILFROM && identity != MAILAUTH_SPF_HELO))
        return MAILAUTH_E_INVAL;
    if (identity == MAILAUTH_SPF_HELO || !mail_from || !*mail_from) {
        /* §2.4: a null sender is checked as postmaster@<helo>; §2.3: so is HELO. */
        size_t n = strlen(helo);
        char *sender = lm_malloc(n + sizeof "postmaster@");
        if (!sender)
            return MAILAUTH_E_NOMEM;
        memcpy(sender, "postmaster@", 11);
        memcpy(sender + 11, helo, n + 1);
        int rc = set_identity(spf, identity, ip, helo, n, sender, helo, mail_from);
        lm_free(sender);
        return rc;
    }
    const char *at = strrchr(mail_from, '@');
    const char *domain = at ? at + 1 : mail_from;
    return set_identity(spf, identity, ip, domain, strlen(domain), mail_from, helo, mail_from);
}

int mailauth_spf_check_host(mailauth_spf *spf, const char *ip, const char *domain,
                            const char *sender, const char *helo)
{
    if (!spf || !ip || !domain || !sender)
        return MAILAUTH_E_INVAL;
    return set_identity(spf, MAILAUTH_SPF_MAILFROM, ip, domain, strlen(domain), sender, helo,
                        sender);
}

int mailauth_spf_step(mailauth_spf *spf, mailauth_query *query)
{
    if (!spf || !spf->begun)
        return MAILAUTH_E_INVAL;
    if (spf->done)
        return 0;
    if (spf->dns.pending)
        return ma_dns_pending(&spf->dns, query);
    spf->dns.resolver = NULL;
    int rc = evaluate(spf);
    if (rc == MAILAUTH_NEED_DNS)
        return ma_dns_pending(&spf->dns, query);
    return rc;
}

int mailauth_spf_answer(mailauth_spf *spf, const mailauth_dns_answer *answer)
{
    if (!spf || !spf->begun)
        return MAILAUTH_E_INVAL;
    return ma_dns_answer(&spf->dns, answer);
}

int mailauth_spf_run(mailauth_spf *spf, const mailauth_resolver *resolver)
{
    if (!spf || !spf->begun || !resolver || !resolver->lookup)
        return MAILAUTH_E_INVAL;
    if (spf->done)
        return 0;
    spf->dns.resolver = resolver;
    spf->dns.pending = 0;
    int rc = evaluate(spf);
    spf->dns.resolver = NULL;
    return rc == MAILAUTH_NEED_DNS ? MAILAUTH_E_INVAL : rc;
}

int mailauth_spf_result(const mailauth_spf *spf)
{
    return spf && spf->done ? spf->result : MAILAUTH_RESULT_NONE;
}

const char *mailauth_spf_explanation(const mailauth_spf *spf)
{
    return spf && spf->done && spf->result == MAILAUTH_RESULT_FAIL ? spf->explanation : NULL;
}

const char *mailauth_spf_mechanism(const mailauth_spf *spf)
{
    return spf && spf->done ? spf->mechanism : NULL;
}

const char *mailauth_spf_domain(const mailauth_spf *spf)
{
    return spf && spf->begun ? spf->domain : NULL;
}

const char *mailauth_spf_sender(const mailauth_spf *spf)
{
    return spf && spf->begun ? spf->sender : NULL;
}

const char *mailauth_spf_problem(const mailauth_spf *spf)
{
    if (!spf || !spf->done)
        return NULL;
    switch (spf->result) {
    case MAILAUTH_RESULT_NONE:
    case MAILAUTH_RESULT_TEMPERROR:
    case MAILAUTH_RESULT_PERMERROR:
        return spf->problem;
    default:
        return NULL;
    }
}

unsigned mailauth_spf_dns_mechanisms(const mailauth_spf *spf)
{
    return spf ? spf->dns_terms : 0;
}

/* ---- Received-SPF (§9.1) ------------------------------------------------------------------ */

/* A key-value-pair value: a dot-atom as is, otherwise a quoted-string. */
static void put_value(lm_buf *b, const char *v)
{
    int atom = *v != '\0' && *v != '.';
    for (const char *p = v; *p && atom; p++) {
        unsigned char c = (unsigned char)*p;
        atom = lm_is_alnum(c) || strchr("!#$%&'*+-/=?^_`{|}~.", c) != NULL;
        if (c == '.' && (p[1] == '.' || p[1] == '\0'))
            atom = 0;
    }
    if (atom) {
        lm_buf_puts(b, v);
        return;
    }
    lm_buf_putc(b, '"');
    for (const char *p = v; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c == 0x7f)
            continue;
        if (c == '"' || c == '\\')
            lm_buf_putc(b, '\\');
        lm_buf_putc(b, c);
    }
    lm_buf_putc(b, '"');
}

/* Comment text: parentheses and backslashes escaped, controls dropped. */
static void put_comment_text(lm_buf *b, const char *v)
{
    for (const char *p = v; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c == 0x7f)
            continue;
        if (c == '(' || c == ')' || c == '\\')
            lm_buf_putc(b, '\\');
        lm_buf_putc(b, c);
    }
}

int mailauth_spf_received_spf(mailauth_spf *spf, const char **out)
{
    if (!spf || !out || !spf->done)
        return MAILAUTH_E_INVAL;
    lm_buf *b = &spf->header;
    lm_buf_reset(b);
    b->oom = 0;
    int r = spf->result;
    lm_buf_puts(b, mailauth_result_name(r));
    lm_buf_puts(b, " (");
    put_comment_text(b, spf->receiver);
    lm_buf_puts(b, ": ");
    const char *what = spf->identity == MAILAUTH_SPF_HELO ? "helo " : "domain of ";
    switch (r) {
    case MAILAUTH_RESULT_PASS:
    case MAILAUTH_RESULT_FAIL:
    case MAILAUTH_RESULT_SOFTFAIL:
    case MAILAUTH_RESULT_NEUTRAL:
        lm_buf_puts(b, what);
        put_comment_text(b, spf->domain);
        lm_buf_puts(b, r == MAILAUTH_RESULT_PASS       ? " designates "
                       : r == MAILAUTH_RESULT_FAIL     ? " does not designate "
                       : r == MAILAUTH_RESULT_SOFTFAIL ? " discourages use of "
                                                       : " neither permits nor denies ");
        lm_buf_puts(b, spf->ip_text);
        if (r == MAILAUTH_RESULT_PASS || r == MAILAUTH_RESULT_FAIL)
            lm_buf_puts(b, " as permitted sender");
        break;
    case MAILAUTH_RESULT_TEMPERROR:
        lm_buf_puts(b, "temporary error in processing ");
        lm_buf_puts(b, what);
        put_comment_text(b, spf->domain);
        break;
    case MAILAUTH_RESULT_PERMERROR:
        lm_buf_puts(b, "permanent error in processing ");
        lm_buf_puts(b, what);
        put_comment_text(b, spf->domain);
        break;
    default:
        lm_buf_puts(b, what);
        put_comment_text(b, spf->domain);
        lm_buf_puts(b, " does not designate permitted sender hosts");
        break;
    }
    lm_buf_puts(b, ") client-ip=");
    lm_buf_puts(b, spf->ip_text);
    lm_buf_puts(b, "; envelope-from=");
    put_value(b, spf->identity == MAILAUTH_SPF_HELO || !spf->mail_from || !*spf->mail_from
                     ? spf->sender : spf->mail_from);
    lm_buf_puts(b, "; helo=");
    put_value(b, spf->helo);
    lm_buf_puts(b, "; receiver=");
    put_value(b, spf->receiver);
    if (spf->mechanism) {
        lm_buf_puts(b, "; mechanism=");
        put_value(b, spf->mechanism);
    } else if (spf->problem && (r == MAILAUTH_RESULT_PERMERROR || r == MAILAUTH_RESULT_TEMPERROR)) {
        lm_buf_puts(b, "; problem=");
        put_value(b, spf->problem);
    }
    lm_buf_puts(b, "; identity=");
    lm_buf_puts(b, spf->identity == MAILAUTH_SPF_HELO ? "helo" : "mailfrom");
    if (b->oom || !b->data)
        return MAILAUTH_E_NOMEM;
    *out = b->data;
    return 0;
}
