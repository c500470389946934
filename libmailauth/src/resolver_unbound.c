/* resolver_unbound.c — the libunbound resolver: blocking and asynchronous lookups, ub_result
 * mapped to an answer, RDATA of A, AAAA, NS, CNAME, PTR, MX, TXT and TLSA parsed with every
 * length checked (RFC 1035 §3.3, RFC 3596, RFC 6698 §2.1). */
#include "ma_internal.h"

#include "lm_alloc.h"

#include <stdio.h>
#include <string.h>
#include <unbound.h>

/* One asynchronous query between submit and delivery. */
struct pending {
    struct pending *prev, *next;
    mailauth_unbound *u;
    mailauth_unbound_callback callback;
    void *user;
    int type;
    int id;
};

struct mailauth_unbound {
    struct ub_ctx *ctx;
    int validating;
    struct pending *pending;  /* list of queries not yet delivered */
    size_t npending;
};

void mailauth_unbound_options_init(mailauth_unbound_options *opts)
{
    if (!opts)
        return;
    memset(opts, 0, sizeof *opts);
    opts->struct_size = sizeof *opts;
}

static int file_readable(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    fclose(f);
    return 1;
}

/* Adds one local zone given as "name type". */
static int add_local_zone(struct ub_ctx *ctx, const char *spec)
{
    const char *sp = strchr(spec, ' ');
    if (!sp || sp == spec || sp[1] == '\0')
        return MAILAUTH_E_INVAL;
    size_t n = (size_t)(sp - spec);
    char *name = lm_malloc(n + 1);
    if (!name)
        return MAILAUTH_E_NOMEM;
    memcpy(name, spec, n);
    name[n] = '\0';
    const char *type = sp + 1;
    while (*type == ' ')
        type++;
    int rc = ub_ctx_zone_add(ctx, name, type);
    lm_free(name);
    if (rc == UB_NOMEM)
        return MAILAUTH_E_NOMEM;
    return rc ? MAILAUTH_E_INVAL : 0;
}

/* Applies the options to a fresh context. */
static int configure(struct ub_ctx *ctx, const mailauth_unbound_options *o)
{
    int rc;
    /* Asynchronous lookups run in a thread of libunbound rather than a forked process; their
     * answers reach the callbacks through ub_process() in the caller's thread. Set first:
     * adding local data finalises the context. */
    if (ub_ctx_async(ctx, 1))
        return MAILAUTH_E_INVAL;
    if (!o->resolv_conf) {
        if (ub_ctx_resolvconf(ctx, NULL))
            return MAILAUTH_E_INVAL;
    } else if (o->resolv_conf[0]) {
        if (!file_readable(o->resolv_conf) || ub_ctx_resolvconf(ctx, o->resolv_conf))
            return MAILAUTH_E_INVAL;
    }
    if (o->forward && (o->forward[0] == '\0' || ub_ctx_set_fwd(ctx, o->forward)))
        return MAILAUTH_E_INVAL;
    if (o->trust_anchor_file) {
        if (!o->trust_anchor_file[0] || !file_readable(o->trust_anchor_file) ||
            ub_ctx_add_ta_file(ctx, o->trust_anchor_file))
            return MAILAUTH_E_INVAL;
    }
    if (o->use_hosts && ub_ctx_hosts(ctx, NULL))
        return MAILAUTH_E_INVAL;
    if ((o->local_zone_count && !o->local_zones) || (o->local_data_count && !o->local_data))
        return MAILAUTH_E_INVAL;
    for (size_t i = 0; i < o->local_zone_count; i++) {
        if (!o->local_zones[i])
            return MAILAUTH_E_INVAL;
        if ((rc = add_local_zone(ctx, o->local_zones[i])) != 0)
            return rc;
    }
    for (size_t i = 0; i < o->local_data_count; i++) {
        if (!o->local_data[i])
            return MAILAUTH_E_INVAL;
        /* libunbound reports a record it cannot parse as UB_NOMEM too, so every failure
         * here counts as a bad option. */
        if (ub_ctx_data_add(ctx, o->local_data[i]))
            return MAILAUTH_E_INVAL;
    }
    return 0;
}

int mailauth_unbound_new(const mailauth_unbound_options *opts, mailauth_unbound **out)
{
    if (!out)
        return MAILAUTH_E_INVAL;
    *out = NULL;
    mailauth_unbound_options o;
    mailauth_unbound_options_init(&o);
    if (opts) {
        if (opts->struct_size < sizeof(size_t))
            return MAILAUTH_E_INVAL;
        memcpy(&o, opts, opts->struct_size < sizeof o ? opts->struct_size : sizeof o);
        o.struct_size = sizeof o;
    }
    mailauth_unbound *u = lm_calloc(1, sizeof *u);
    if (!u)
        return MAILAUTH_E_NOMEM;
    u->ctx = ub_ctx_create();
    if (!u->ctx) {
        lm_free(u);
        return MAILAUTH_E_NOMEM;
    }
    int rc = configure(u->ctx, &o);
    if (rc) {
        ub_ctx_delete(u->ctx);
        lm_free(u);
        return rc;
    }
    u->validating = o.trust_anchor_file != NULL;
    *out = u;
    return 0;
}

static void pending_unlink(mailauth_unbound *u, struct pending *p)
{
    if (p->prev)
        p->prev->next = p->next;
    else
        u->pending = p->next;
    if (p->next)
        p->next->prev = p->prev;
    u->npending--;
}

void mailauth_unbound_free(mailauth_unbound *u)
{
    if (!u)
        return;
    ub_ctx_delete(u->ctx);
    struct pending *p = u->pending;
    while (p) {
        struct pending *next = p->next;
        lm_free(p);
        p = next;
    }
    lm_free(u);
}

/* ---- RDATA ------------------------------------------------------------------------------- */

/* Checks that rdata[off..len) is exactly one uncompressed wire name and writes its
 * presentation form to `text` (MA_NAME_TEXT_MAX octets). 0 or -1 when malformed. */
static int rdata_name(const unsigned char *rdata, size_t len, size_t off, char *text)
{
    size_t i = off;
    for (;;) {
        if (i >= len)
            return -1;
        unsigned l = rdata[i];
        if (l > MA_LABEL_MAX)  /* a compression pointer or an extended label type */
            return -1;
        if (i - off + 1 + l > MA_NAME_MAX)
            return -1;
        if (l == 0)
            break;
        i += 1 + (size_t)l;
    }
    if (i + 1 != len)
        return -1;
    ma_name_text(rdata + off, len - off, text);
    return 0;
}

/* Checks TXT RDATA: one or more character-strings filling it exactly. */
static int txt_ok(const unsigned char *rdata, size_t len)
{
    if (len == 0)
        return 0;
    size_t i = 0;
    while (i < len)
        i += (size_t)rdata[i] + 1;
    return i == len;
}

/* Adds one record of `type` from its RDATA. 0, MAILAUTH_E_NOMEM, or MAILAUTH_E_SYNTAX when
 * the RDATA is malformed. */
static int add_rdata(mailauth_dns_answer *a, int type, const unsigned char *rdata, size_t len)
{
    char name[MA_NAME_TEXT_MAX];
    int rc;
    switch (type) {
    case MAILAUTH_RR_A:
        if (len != 4)
            return MAILAUTH_E_SYNTAX;
        rc = mailauth_dns_answer_add_a(a, rdata);
        break;
    case MAILAUTH_RR_AAAA:
        if (len != 16)
            return MAILAUTH_E_SYNTAX;
        rc = mailauth_dns_answer_add_aaaa(a, rdata);
        break;
    case MAILAUTH_RR_NS: case MAILAUTH_RR_CNAME: case MAILAUTH_RR_PTR:
        if (rdata_name(rdata, len, 0, name))
            return MAILAUTH_E_SYNTAX;
        rc = mailauth_dns_answer_add_name(a, type, name);
        break;
    case MAILAUTH_RR_MX:
        if (len < 3 || rdata_name(rdata, len, 2, name))
            return MAILAUTH_E_SYNTAX;
        rc = mailauth_dns_answer_add_mx(a, (unsigned)rdata[0] << 8 | rdata[1], name);
        break;
    case MAILAUTH_RR_TXT:
        if (!txt_ok(rdata, len))
            return MAILAUTH_E_SYNTAX;
        rc = ma_answer_add_txt_rdata(a, rdata, len);
        break;
    case MAILAUTH_RR_TLSA:
        if (len < 3)
            return MAILAUTH_E_SYNTAX;
        rc = mailauth_dns_answer_add_tlsa(a, rdata[0], rdata[1], rdata[2], rdata + 3, len - 3);
        break;
    default:
        return MAILAUTH_E_SYNTAX;
    }
    if (rc == MAILAUTH_E_INVAL)  /* a name the answer refuses is a malformed record */
        return MAILAUTH_E_SYNTAX;
    return rc;
}

int ma_unbound_answer(int validating, int type, int err, const struct ub_result *res,
                      mailauth_dns_answer *a)
{
    if (err == UB_NOMEM)
        return MAILAUTH_E_NOMEM;
    if (err || !res) {
        mailauth_dns_answer_set_result(a, MAILAUTH_DNS_TEMPFAIL);
        return 0;
    }
    if (validating)
        mailauth_dns_answer_set_dnssec(a, res->secure ? MAILAUTH_DNSSEC_SECURE
                                          : res->bogus ? MAILAUTH_DNSSEC_BOGUS
                                          : MAILAUTH_DNSSEC_INSECURE);
    uint32_t ttl = res->ttl > 0 ? (uint32_t)res->ttl : 0;
    int result;
    if (res->nxdomain || res->rcode == 3) {
        result = MAILAUTH_DNS_NXDOMAIN;
    } else if (res->rcode == 2) {
        result = MAILAUTH_DNS_TEMPFAIL;
    } else if (res->rcode != 0) {
        result = MAILAUTH_DNS_PERMFAIL;
    } else if (!res->havedata || !res->data || !res->len || !res->data[0]) {
        result = MAILAUTH_DNS_NODATA;
    } else {
        result = MAILAUTH_DNS_FOUND;
        for (size_t i = 0; res->data[i]; i++) {
            int rc = res->len[i] < 0 ? MAILAUTH_E_SYNTAX
                     : add_rdata(a, type, (const unsigned char *)res->data[i],
                                 (size_t)res->len[i]);
            if (rc == MAILAUTH_E_NOMEM)
                return rc;
            if (rc) {
                result = MAILAUTH_DNS_PERMFAIL;
                break;
            }
        }
    }
    if (result == MAILAUTH_DNS_TEMPFAIL || result == MAILAUTH_DNS_PERMFAIL) {
        int dnssec = mailauth_dns_answer_dnssec(a);
        mailauth_dns_answer_reset(a);
        mailauth_dns_answer_set_dnssec(a, dnssec);
        ttl = 0;
    }
    mailauth_dns_answer_set_result(a, result);
    mailauth_dns_answer_set_ttl(a, ttl);
    return 0;
}

/* ---- blocking ---------------------------------------------------------------------------- */

int mailauth_unbound_lookup(mailauth_unbound *u, const char *name, int type,
                            mailauth_dns_answer *answer)
{
    unsigned char wire[MA_NAME_MAX];
    size_t wlen;
    if (!u || !answer || !name || !ma_type_known(type) ||
        ma_name_parse_absolute(name, wire, &wlen))
        return MAILAUTH_E_INVAL;
    mailauth_dns_answer_reset(answer);
    struct ub_result *res = NULL;
    int err = ub_resolve(u->ctx, name, type, 1, &res);
    int rc = ma_unbound_answer(u->validating, type, err, res, answer);
    ub_resolve_free(res);
    return rc;
}

static int unbound_lookup_cb(void *user, const char *name, int type, mailauth_dns_answer *a)
{
    return mailauth_unbound_lookup(user, name, type, a);
}

void mailauth_unbound_resolver(mailauth_unbound *u, mailauth_resolver *r)
{
    if (!r)
        return;
    mailauth_resolver_init(r);
    r->lookup = unbound_lookup_cb;
    r->user = u;
}

/* ---- asynchronous ------------------------------------------------------------------------ */

int mailauth_unbound_fd(mailauth_unbound *u)
{
    if (!u)
        return -1;
    int fd = ub_fd(u->ctx);
    return fd < 0 ? -1 : fd;
}

/* libunbound's callback, run inside ub_process() or ub_wait(). */
static void delivered(void *mydata, int err, struct ub_result *res)
{
    struct pending *p = mydata;
    mailauth_unbound *u = p->u;
    pending_unlink(u, p);
    mailauth_dns_answer *a = NULL;
    int rc = mailauth_dns_answer_new(&a);
    if (!rc)
        rc = ma_unbound_answer(u->validating, p->type, err, res, a);
    ub_resolve_free(res);
    p->callback(p->user, p->id, rc, rc ? NULL : a);
    mailauth_dns_answer_free(a);
    lm_free(p);
}

int mailauth_unbound_submit(mailauth_unbound *u, const char *name, int type,
                            mailauth_unbound_callback callback, void *user, int *id)
{
    unsigned char wire[MA_NAME_MAX];
    size_t wlen;
    if (!u || !name || !callback || !ma_type_known(type) ||
        ma_name_parse_absolute(name, wire, &wlen))
        return MAILAUTH_E_INVAL;
    struct pending *p = lm_calloc(1, sizeof *p);
    if (!p)
        return MAILAUTH_E_NOMEM;
    p->u = u;
    p->callback = callback;
    p->user = user;
    p->type = type;
    int err = ub_resolve_async(u->ctx, name, type, 1, p, delivered, &p->id);
    if (err) {
        lm_free(p);
        return err == UB_NOMEM ? MAILAUTH_E_NOMEM : MAILAUTH_E_UNSUPPORTED;
    }
    p->next = u->pending;
    if (p->next)
        p->next->prev = p;
    u->pending = p;
    u->npending++;
    if (id)
        *id = p->id;
    return 0;
}

int mailauth_unbound_process(mailauth_unbound *u)
{
    if (!u)
        return MAILAUTH_E_INVAL;
    return ub_process(u->ctx) ? MAILAUTH_E_INVAL : 0;
}

int mailauth_unbound_wait(mailauth_unbound *u)
{
    if (!u)
        return MAILAUTH_E_INVAL;
    if (!u->npending)
        return 0;
    return ub_wait(u->ctx) ? MAILAUTH_E_INVAL : 0;
}

int mailauth_unbound_cancel(mailauth_unbound *u, int id)
{
    if (!u)
        return MAILAUTH_E_INVAL;
    for (struct pending *p = u->pending; p; p = p->next) {
        if (p->id != id)
            continue;
        if (ub_cancel(u->ctx, id))
            return MAILAUTH_E_INVAL;
        pending_unlink(u, p);
        lm_free(p);
        return 0;
    }
    return MAILAUTH_E_INVAL;
}

size_t mailauth_unbound_pending(const mailauth_unbound *u) { return u ? u->npending : 0; }
