/* mx.c — where mail for a domain goes: MX lookup (RFC 5321 §5.1), null MX (RFC 7505), the
 * implicit MX, preference order with equal preferences shuffled, and each host's addresses.
 *
 * The lookup is a small machine asking one DNS question at a time (MX of the domain, then
 * AAAA and A of each host), so it runs the same way blocking (through a mailauth_resolver)
 * and step by step (an event loop answers each question). */
#include "mailsend.h"

#include <arpa/inet.h>
#include <idn2.h>
#include <openssl/rand.h>
#include <string.h>

#include "lm_alloc.h"
#include "lm_ascii.h"
#include "lm_record.h"

#define MX_DEFAULT_MAX_HOSTS 16
#define MX_DEFAULT_MAX_ADDRESSES 8
#define MX_NAME_MAX 253

struct host {
    char *name;
    unsigned preference;
    int implicit;
    int tempfail;                 /* an address lookup of this host failed temporarily */
    mailsend_mx_address *addrs;
    size_t naddrs;
    mailsend_mx_host pub;
};

struct mailsend_mx {
    mailsend_mx_options opts;
    char *domain;                 /* A-labels, no trailing dot */
    int result;                   /* mailsend_mx_result, valid once done */
    int done;
    int asked_mx;
    size_t next_host;             /* host whose addresses are asked next */
    int next_type;                /* MAILAUTH_RR_AAAA or MAILAUTH_RR_A for next_host */
    int pending;                  /* a question is out; _answer expected */
    int pending_type;
    struct host *hosts;
    size_t nhosts;
};

void mailsend_mx_options_init(mailsend_mx_options *o)
{
    if (!o)
        return;
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
}

static int default_random(void *user, unsigned char *buf, size_t len)
{
    (void)user;
    return RAND_bytes(buf, (int)len) == 1 ? 0 : -1;
}

static void free_hosts(mailsend_mx *m)
{
    for (size_t i = 0; i < m->nhosts; i++) {
        lm_free(m->hosts[i].name);
        lm_free(m->hosts[i].addrs);
    }
    lm_free(m->hosts);
    m->hosts = NULL;
    m->nhosts = 0;
}

void mailsend_mx_free(mailsend_mx *m)
{
    if (!m)
        return;
    free_hosts(m);
    lm_free(m->domain);
    lm_free(m);
}

/* A domain as DNS wants it: A-labels, lower case, no trailing dot; or NULL when it is not a
 * domain. */
static char *normalise_domain(const char *domain)
{
    size_t n = strlen(domain);
    int ascii = 1;
    if (n > 0 && domain[n - 1] == '.')
        n--;
    if (n == 0 || n > MX_NAME_MAX)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)domain[i];
        if (ch >= 0x80)
            ascii = 0;
        else if (ch <= ' ' || ch == 0x7f || ch == '@' || ch == '[' || ch == ']')
            return NULL;
    }
    char *copy = lm_strndup(domain, n);
    if (!copy || ascii) {
        if (copy)
            lm_lower(copy, n);
        return copy;
    }
    char *alabels = NULL;
    int rc = idn2_to_ascii_8z(copy, &alabels, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
    lm_free(copy);
    if (rc != IDN2_OK || !alabels)
        return NULL;
    size_t an = strlen(alabels);
    char *out = an <= MX_NAME_MAX ? lm_strndup(alabels, an) : NULL;
    idn2_free(alabels);
    return out;
}

/* "[192.0.2.1]" or "[IPv6:2001:db8::1]" (RFC 5321 §4.1.3): 1 with the address filled, 0
 * when `domain` is not an address literal, -1 when it is a malformed one. */
static int address_literal(const char *domain, mailsend_mx_address *a)
{
    size_t n = strlen(domain);
    char buf[64];
    if (n < 2 || domain[0] != '[')
        return 0;
    if (domain[n - 1] != ']' || n - 2 >= sizeof buf)
        return -1;
    memcpy(buf, domain + 1, n - 2);
    buf[n - 2] = '\0';
    memset(a, 0, sizeof *a);
    if (lm_strncasecmp(buf, "IPv6:", 5) == 0) {
        a->family = 6;
        return inet_pton(AF_INET6, buf + 5, a->addr) == 1 ? 1 : -1;
    }
    a->family = 4;
    return inet_pton(AF_INET, buf, a->addr) == 1 ? 1 : -1;
}

static int add_host(mailsend_mx *m, const char *name, size_t len, unsigned pref, int implicit)
{
    for (size_t i = 0; i < m->nhosts; i++)
        if (strlen(m->hosts[i].name) == len &&
            lm_strncasecmp(m->hosts[i].name, name, len) == 0) {
            /* the same exchange twice is one host, at its best preference */
            if (pref < m->hosts[i].preference)
                m->hosts[i].preference = pref;
            return 0;
        }
    struct host *h = lm_realloc(m->hosts, (m->nhosts + 1) * sizeof *h);
    if (!h)
        return MAILSEND_E_NOMEM;
    m->hosts = h;
    h = &m->hosts[m->nhosts];
    memset(h, 0, sizeof *h);
    if (!(h->name = lm_strndup(name, len)))
        return MAILSEND_E_NOMEM;
    h->preference = pref;
    h->implicit = implicit;
    m->nhosts++;
    return 0;
}

/* Done: the verdict is `result` and the hosts' public views are filled. */
static void conclude(mailsend_mx *m, int result)
{
    for (size_t i = 0; i < m->nhosts; i++) {
        struct host *h = &m->hosts[i];
        h->pub.name = h->name;
        h->pub.preference = h->preference;
        h->pub.implicit = h->implicit;
        h->pub.tempfail = h->tempfail;
        h->pub.addresses = h->addrs;
        h->pub.address_count = h->naddrs;
    }
    m->done = 1;
    m->result = result;
}

int mailsend_mx_new(const char *domain, const mailsend_mx_options *opts, mailsend_mx **out)
{
    if (!out)
        return MAILSEND_E_INVAL;
    *out = NULL;
    if (!domain)
        return MAILSEND_E_INVAL;
    mailsend_mx *m = lm_calloc(1, sizeof *m);
    if (!m)
        return MAILSEND_E_NOMEM;
    if (lm_record_in(&m->opts, sizeof m->opts, opts)) {
        lm_free(m);
        return MAILSEND_E_INVAL;
    }
    if (!m->opts.max_hosts)
        m->opts.max_hosts = MX_DEFAULT_MAX_HOSTS;
    if (!m->opts.max_addresses)
        m->opts.max_addresses = MX_DEFAULT_MAX_ADDRESSES;
    if (!m->opts.families)
        m->opts.families = MAILSEND_MX_IPV4 | MAILSEND_MX_IPV6;
    if (!m->opts.random)
        m->opts.random = default_random;

    mailsend_mx_address lit;
    int is_lit = address_literal(domain, &lit);
    if (is_lit < 0) {
        mailsend_mx_free(m);
        return MAILSEND_E_INVAL;
    }
    if (is_lit) {
        /* No DNS: the literal is the one host, whatever the family options say. */
        int rc = MAILSEND_E_NOMEM;
        if ((m->domain = lm_strndup(domain, strlen(domain))) &&
            (rc = add_host(m, domain, strlen(domain), 0, 1)) == 0 &&
            (m->hosts[0].addrs = lm_malloc(sizeof lit))) {
            m->hosts[0].addrs[0] = lit;
            m->hosts[0].naddrs = 1;
            conclude(m, MAILSEND_MX_OK);
            *out = m;
            return 0;
        }
        mailsend_mx_free(m);
        return rc ? rc : MAILSEND_E_NOMEM;
    }
    if (!(m->domain = normalise_domain(domain))) {
        mailsend_mx_free(m);
        return MAILSEND_E_INVAL;
    }
    *out = m;
    return 0;
}

/* Orders hosts by preference, shuffling each run of equal preferences (RFC 5321 §5.1: "the
 * sender-SMTP MUST randomize them to spread the load"). */
static int order_hosts(mailsend_mx *m)
{
    for (size_t i = 1; i < m->nhosts; i++) /* insertion sort: stable, n is small */
        for (size_t j = i; j > 0 && m->hosts[j - 1].preference > m->hosts[j].preference; j--) {
            struct host t = m->hosts[j];
            m->hosts[j] = m->hosts[j - 1];
            m->hosts[j - 1] = t;
        }
    for (size_t start = 0; start < m->nhosts;) {
        size_t end = start + 1;
        while (end < m->nhosts && m->hosts[end].preference == m->hosts[start].preference)
            end++;
        for (size_t i = end - 1; i > start; i--) { /* Fisher–Yates over [start, end) */
            uint32_t r;
            if (m->opts.random(m->opts.random_user, (unsigned char *)&r, sizeof r) != 0)
                return MAILSEND_E_INVAL; /* the random callback failed */
            size_t j = start + r % (i - start + 1);
            struct host t = m->hosts[i];
            m->hosts[i] = m->hosts[j];
            m->hosts[j] = t;
        }
        start = end;
    }
    return 0;
}

static int is_root(const char *name, size_t len)
{
    return len == 0 || (len == 1 && name[0] == '.');
}

static int take_mx(mailsend_mx *m, const mailauth_dns_answer *a)
{
    int res = mailauth_dns_answer_result(a);
    if (res == MAILAUTH_DNS_NODATA) /* no MX: the domain is its own, implicit, MX */
        return add_host(m, m->domain, strlen(m->domain), 0, 1);
    if (res != MAILAUTH_DNS_FOUND) {
        conclude(m, res == MAILAUTH_DNS_NXDOMAIN    ? MAILSEND_MX_NO_DOMAIN
                    : res == MAILAUTH_DNS_TEMPFAIL ? MAILSEND_MX_TEMPFAIL
                                                   : MAILSEND_MX_PERMFAIL);
        return 0;
    }
    size_t n = mailauth_dns_answer_count(a), roots = 0, mx = 0;
    for (size_t i = 0; i < n; i++) {
        const mailauth_dns_record *r = mailauth_dns_answer_record(a, i);
        if (r->type != MAILAUTH_RR_MX)
            continue;
        mx++;
        if (is_root(r->name, r->name_len))
            roots++;
    }
    if (mx == 0) /* only other types (a CNAME the resolver kept): no MX */
        return add_host(m, m->domain, strlen(m->domain), 0, 1);
    if (roots == mx) {
        /* RFC 7505 §3: a null MX, "this domain accepts no mail". */
        conclude(m, MAILSEND_MX_NULL_MX);
        return 0;
    }
    /* A "." among real exchanges breaks RFC 7505 §3; the real ones are used. All records
     * are read before the host limit applies, so the best preferences are kept. */
    int rc = 0;
    size_t limit = m->opts.max_hosts;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const mailauth_dns_record *r = mailauth_dns_answer_record(a, i);
        if (r->type == MAILAUTH_RR_MX && !is_root(r->name, r->name_len))
            rc = add_host(m, r->name, r->name_len, r->preference, 0);
    }
    if (rc == 0)
        rc = order_hosts(m);
    if (rc == 0 && m->nhosts > limit) {
        for (size_t i = limit; i < m->nhosts; i++) {
            lm_free(m->hosts[i].name);
            lm_free(m->hosts[i].addrs);
        }
        m->nhosts = limit;
    }
    return rc;
}

static int take_addresses(mailsend_mx *m, struct host *h, int type, const mailauth_dns_answer *a)
{
    int res = mailauth_dns_answer_result(a);
    if (res == MAILAUTH_DNS_TEMPFAIL)
        h->tempfail = 1;
    if (res != MAILAUTH_DNS_FOUND)
        return 0;
    size_t n = mailauth_dns_answer_count(a);
    for (size_t i = 0; i < n && h->naddrs < m->opts.max_addresses; i++) {
        const mailauth_dns_record *r = mailauth_dns_answer_record(a, i);
        if (r->type != type || r->addr_len != (type == MAILAUTH_RR_A ? 4u : 16u))
            continue;
        mailsend_mx_address *na = lm_realloc(h->addrs, (h->naddrs + 1) * sizeof *na);
        if (!na)
            return MAILSEND_E_NOMEM;
        h->addrs = na;
        memset(&na[h->naddrs], 0, sizeof *na);
        na[h->naddrs].family = type == MAILAUTH_RR_A ? 4 : 6;
        memcpy(na[h->naddrs].addr, r->addr, r->addr_len);
        h->naddrs++;
    }
    return 0;
}

static int first_type(const mailsend_mx *m)
{
    int want6 = (m->opts.families & MAILSEND_MX_IPV6) != 0;
    int want4 = (m->opts.families & MAILSEND_MX_IPV4) != 0;
    if (want6 && (!want4 || !m->opts.prefer_ipv4))
        return MAILAUTH_RR_AAAA;
    return MAILAUTH_RR_A;
}

/* The type asked after `type` for the same host, or 0 when the host is done. */
static int second_type(const mailsend_mx *m, int type)
{
    int want6 = (m->opts.families & MAILSEND_MX_IPV6) != 0;
    int want4 = (m->opts.families & MAILSEND_MX_IPV4) != 0;
    if (!(want4 && want6))
        return 0;
    return type == first_type(m) ? (type == MAILAUTH_RR_A ? MAILAUTH_RR_AAAA : MAILAUTH_RR_A)
                                 : 0;
}

static void finish(mailsend_mx *m)
{
    int usable = 0, tempfail = 0;
    for (size_t i = 0; i < m->nhosts; i++) {
        usable |= m->hosts[i].naddrs > 0;
        tempfail |= m->hosts[i].tempfail;
    }
    conclude(m, usable     ? MAILSEND_MX_OK
                : tempfail ? MAILSEND_MX_TEMPFAIL
                           : MAILSEND_MX_NO_ADDRESS);
}

int mailsend_mx_step(mailsend_mx *m, mailauth_query *q)
{
    if (!m || !q)
        return MAILSEND_E_INVAL;
    if (m->pending)
        return MAILSEND_E_STATE;
    if (m->done)
        return 0;
    if (!m->asked_mx) {
        q->name = m->domain;
        q->type = MAILAUTH_RR_MX;
    } else {
        if (m->next_host >= m->nhosts) {
            finish(m);
            return 0;
        }
        q->name = m->hosts[m->next_host].name;
        q->type = m->next_type;
    }
    m->pending = 1;
    m->pending_type = q->type;
    return MAILSEND_NEED_DNS;
}

int mailsend_mx_answer(mailsend_mx *m, const mailauth_dns_answer *a)
{
    if (!m || !a)
        return MAILSEND_E_INVAL;
    if (!m->pending)
        return MAILSEND_E_STATE;
    m->pending = 0;
    if (!m->asked_mx) {
        m->asked_mx = 1;
        m->next_host = 0;
        m->next_type = first_type(m);
        return take_mx(m, a);
    }
    struct host *h = &m->hosts[m->next_host];
    int rc = take_addresses(m, h, m->pending_type, a);
    int after = second_type(m, m->pending_type);
    if (after) {
        m->next_type = after;
    } else {
        m->next_host++;
        m->next_type = first_type(m);
    }
    return rc;
}

int mailsend_mx_run(mailsend_mx *m, const mailauth_resolver *r)
{
    if (!m || !r)
        return MAILSEND_E_INVAL;
    mailauth_dns_answer *a = NULL;
    if (mailauth_dns_answer_new(&a) != 0)
        return MAILSEND_E_NOMEM;
    int rc;
    mailauth_query q;
    while ((rc = mailsend_mx_step(m, &q)) == MAILSEND_NEED_DNS) {
        int lr = mailauth_resolve(r, q.name, q.type, a);
        if (lr != 0) {
            /* Not a name DNS can hold ("a..example", a label over 63 octets): a permanent
             * failure. The resolver could not ask (out of memory, a type it lacks): a
             * temporary one, as a DNS server failure would be. */
            mailauth_dns_answer_reset(a);
            mailauth_dns_answer_set_result(a, lr == MAILAUTH_E_INVAL ? MAILAUTH_DNS_PERMFAIL
                                                                    : MAILAUTH_DNS_TEMPFAIL);
        }
        if ((rc = mailsend_mx_answer(m, a)) != 0)
            break;
    }
    mailauth_dns_answer_free(a);
    return rc;
}

int mailsend_mx_result(const mailsend_mx *m)
{
    return m && m->done ? m->result : MAILSEND_MX_TEMPFAIL;
}

const char *mailsend_mx_domain(const mailsend_mx *m)
{
    return m ? m->domain : NULL;
}

size_t mailsend_mx_host_count(const mailsend_mx *m)
{
    return m && m->done ? m->nhosts : 0;
}

const mailsend_mx_host *mailsend_mx_host_at(const mailsend_mx *m, size_t i)
{
    if (!m || !m->done || i >= m->nhosts)
        return NULL;
    return &m->hosts[i].pub;
}

const char *mailsend_mx_result_name(int result)
{
    switch (result) {
    case MAILSEND_MX_OK: return "ok";
    case MAILSEND_MX_NULL_MX: return "null-mx";
    case MAILSEND_MX_NO_DOMAIN: return "no-domain";
    case MAILSEND_MX_NO_ADDRESS: return "no-address";
    case MAILSEND_MX_TEMPFAIL: return "tempfail";
    case MAILSEND_MX_PERMFAIL: return "permfail";
    default: return "unknown";
    }
}
