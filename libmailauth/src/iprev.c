/* iprev.c — the "iprev" check, forward-confirmed reverse DNS (RFC 8601 §3, verdicts
 * §2.7.3), blocking or step by step over the per-check answer memo (dns_memo.c). */
#include "ma_internal.h"

#include "lm_alloc.h"

#include <string.h>

#define IPREV_MAX_NAMES_LIMIT 100

struct mailauth_iprev {
    ma_ip ip;
    char ip_text[48];
    char reverse[80];
    unsigned max_names;
    ma_dns dns;
    int done, result;
    char *name; /* the confirmed PTR name */
};

void mailauth_iprev_options_init(mailauth_iprev_options *opts)
{
    if (!opts)
        return;
    memset(opts, 0, sizeof *opts);
    opts->struct_size = sizeof *opts;
}

int mailauth_iprev_new(const char *ip, const mailauth_iprev_options *opts, mailauth_iprev **out)
{
    if (!out)
        return MAILAUTH_E_INVAL;
    *out = NULL;
    mailauth_iprev_options o;
    mailauth_iprev_options_init(&o);
    if (opts) {
        if (opts->struct_size < sizeof(size_t))
            return MAILAUTH_E_INVAL;
        memcpy(&o, opts, opts->struct_size < sizeof o ? opts->struct_size : sizeof o);
    }
    if (o.max_names > IPREV_MAX_NAMES_LIMIT)
        return MAILAUTH_E_INVAL;
    ma_ip addr;
    if (!ip || ma_ip_parse(ip, &addr))
        return MAILAUTH_E_INVAL;
    mailauth_iprev *v = lm_calloc(1, sizeof *v);
    if (!v)
        return MAILAUTH_E_NOMEM;
    v->ip = addr;
    v->max_names = o.max_names ? o.max_names : MAILAUTH_IPREV_DEFAULT_MAX_NAMES;
    /* The canonical text form (an IPv4-mapped address becomes IPv4) names both the reverse
     * lookup and the A-R property. */
    if (!ma_ip_format(&v->ip, v->ip_text, sizeof v->ip_text) ||
        mailauth_reverse_name(v->ip_text, v->reverse, sizeof v->reverse)) {
        lm_free(v);
        return MAILAUTH_E_INVAL;
    }
    v->result = MAILAUTH_RESULT_NONE;
    ma_dns_init(&v->dns, 0);
    *out = v;
    return 0;
}

void mailauth_iprev_free(mailauth_iprev *v)
{
    if (!v)
        return;
    ma_dns_clear(&v->dns);
    lm_free(v->name);
    lm_free(v);
}

/* Non-zero when `a` holds the client address among its records. */
static int holds_address(const mailauth_iprev *v, const mailauth_dns_answer *a)
{
    size_t len = v->ip.v6 ? 16 : 4;
    for (size_t i = 0; i < mailauth_dns_answer_count(a); i++) {
        const mailauth_dns_record *r = mailauth_dns_answer_record(a, i);
        if (r->addr_len == len && !memcmp(r->addr, v->ip.b, len))
            return 1;
    }
    return 0;
}

/* One evaluation from the start over what the memo holds: 0 with the verdict set,
 * MAILAUTH_NEED_DNS, or an error. */
static int evaluate(mailauth_iprev *v)
{
    const mailauth_dns_answer *ptr;
    int rc = ma_dns_lookup(&v->dns, v->reverse, MAILAUTH_RR_PTR, &ptr);
    if (rc)
        return rc;
    switch (mailauth_dns_answer_result(ptr)) {
    case MAILAUTH_DNS_FOUND:
        break;
    case MAILAUTH_DNS_NXDOMAIN:
    case MAILAUTH_DNS_NODATA: /* no PTR data published */
        v->result = MAILAUTH_RESULT_PERMERROR;
        return 0;
    default: /* TEMPFAIL, or an error condition (RFC 8601 §2.7.3 temperror) */
        v->result = MAILAUTH_RESULT_TEMPERROR;
        return 0;
    }
    int type = v->ip.v6 ? MAILAUTH_RR_AAAA : MAILAUTH_RR_A, undecided = 0;
    size_t n = mailauth_dns_answer_count(ptr), tried = 0;
    for (size_t i = 0; i < n && tried < v->max_names; i++) {
        const mailauth_dns_record *r = mailauth_dns_answer_record(ptr, i);
        if (r->type != MAILAUTH_RR_PTR || !r->name)
            continue;
        tried++;
        const mailauth_dns_answer *fwd;
        rc = ma_dns_lookup(&v->dns, r->name, type, &fwd);
        if (rc == MAILAUTH_E_INVAL)
            continue; /* not a domain name: it cannot map back */
        if (rc)
            return rc;
        int res = mailauth_dns_answer_result(fwd);
        if (res == MAILAUTH_DNS_FOUND && holds_address(v, fwd)) {
            char *name = lm_strndup(r->name, r->name_len);
            if (!name)
                return MAILAUTH_E_NOMEM;
            lm_free(v->name);
            v->name = name;
            v->result = MAILAUTH_RESULT_PASS;
            return 0;
        }
        if (res == MAILAUTH_DNS_TEMPFAIL || res == MAILAUTH_DNS_PERMFAIL)
            undecided = 1;
    }
    v->result = undecided ? MAILAUTH_RESULT_TEMPERROR : MAILAUTH_RESULT_FAIL;
    return 0;
}

static int finish(mailauth_iprev *v, int rc)
{
    if (rc == 0)
        v->done = 1;
    return rc;
}

int mailauth_iprev_step(mailauth_iprev *v, mailauth_query *query)
{
    if (!v || !query)
        return MAILAUTH_E_INVAL;
    if (v->done)
        return 0;
    if (v->dns.pending)
        return ma_dns_pending(&v->dns, query); /* still unanswered */
    v->dns.resolver = NULL;
    int rc = evaluate(v);
    if (rc == MAILAUTH_NEED_DNS)
        return ma_dns_pending(&v->dns, query);
    return finish(v, rc);
}

int mailauth_iprev_answer(mailauth_iprev *v, const mailauth_dns_answer *answer)
{
    if (!v || !answer)
        return MAILAUTH_E_INVAL;
    return ma_dns_answer(&v->dns, answer);
}

int mailauth_iprev_run(mailauth_iprev *v, const mailauth_resolver *resolver)
{
    if (!v || !resolver)
        return MAILAUTH_E_INVAL;
    if (v->done)
        return 0;
    v->dns.resolver = resolver;
    v->dns.pending = 0; /* a question left unanswered by step-by-step use is asked now */
    int rc = evaluate(v);
    v->dns.resolver = NULL;
    return finish(v, rc);
}

int mailauth_iprev_done(const mailauth_iprev *v) { return v ? v->done : 0; }

int mailauth_iprev_result(const mailauth_iprev *v)
{
    return v && v->done ? v->result : MAILAUTH_RESULT_NONE;
}

const char *mailauth_iprev_name(const mailauth_iprev *v)
{
    return v && v->done && v->result == MAILAUTH_RESULT_PASS ? v->name : NULL;
}

const char *mailauth_iprev_ip(const mailauth_iprev *v) { return v ? v->ip_text : NULL; }

unsigned mailauth_iprev_lookups(const mailauth_iprev *v) { return v ? v->dns.lookups : 0; }

int mailauth_iprev_to_ar(const mailauth_iprev *v, mailauth_ar *ar)
{
    if (!v || !ar || !v->done)
        return MAILAUTH_E_INVAL;
    int rc = mailauth_ar_add(ar, "iprev", v->result, NULL);
    if (!rc && mailauth_iprev_name(v))
        rc = mailauth_ar_set_comment(ar, v->name);
    if (!rc)
        rc = mailauth_ar_add_prop(ar, "policy", "iprev", v->ip_text);
    return rc;
}
