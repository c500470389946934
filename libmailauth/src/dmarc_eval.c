/* dmarc_eval.c — the DMARC check: the Author Domain from RFC 5322.From (RFC 7489 §6.6.1),
 * policy discovery (§6.6.3, or RFC 9989 §4.10.1 by DNS Tree Walk), identifier alignment
 * (§3.1), the policy to apply with sp=, np= (RFC 9989 §4.7, non-existent domains as in
 * RFC 9091 §2.7), pct= (§6.6.4) or t=, and the verification of external report
 * destinations (§7.1). */
#include "dmarc_internal.h"

#include "lm_alloc.h"
#include "mailparse.h"

#include <string.h>
#include <unistd.h>

/* Destinations one report check takes. */
#define REPORT_MAX 64

struct dkim_in {
    char domain[MA_DMARC_DOMAIN_MAX]; /* "" when not a valid name */
    int result;
    int aligned; /* output: a mailauth_result */
};

struct mailauth_dmarc {
    mailauth_dmarc_options opts;
    mailauth_psl *own_psl;
    const mailauth_psl *psl;
    ma_dns dns;
    int started, done;
    /* inputs */
    int from_set;
    const char *from_problem; /* the From is unusable: why */
    char from[MA_DMARC_DOMAIN_MAX]; /* the Author Domain evaluated; when done, the deciding one */
    char authors[MAILAUTH_DMARC_MAX_AUTHORS][MA_DMARC_DOMAIN_MAX]; /* distinct, in From order */
    size_t nauthors;
    int spf_set, spf_result;
    char spf_domain[MA_DMARC_DOMAIN_MAX];
    struct dkim_in *dkim;
    size_t ndkim;
    int drawn;
    uint32_t draw;
    /* outputs */
    int author_result[MAILAUTH_DMARC_MAX_AUTHORS], author_policy[MAILAUTH_DMARC_MAX_AUTHORS];
    int result, policy, disposition, sampled_out, spf_align, dkim_align;
    unsigned policy_tag;
    const char *reason;
    char org[MA_DMARC_DOMAIN_MAX];
    char record_domain[MA_DMARC_DOMAIN_MAX];
    mailauth_dmarc_record *rec;
};

void mailauth_dmarc_options_init(mailauth_dmarc_options *opts)
{
    if (!opts)
        return;
    memset(opts, 0, sizeof *opts);
    opts->struct_size = sizeof *opts;
}

/* Copies the caller's options (as much as its struct_size holds) with the defaults. */
static int take_options(const mailauth_dmarc_options *in, mailauth_dmarc_options *o)
{
    mailauth_dmarc_options_init(o);
    if (in) {
        if (in->struct_size < sizeof(size_t))
            return MAILAUTH_E_INVAL;
        memcpy(o, in, in->struct_size < sizeof *o ? in->struct_size : sizeof *o);
        o->struct_size = sizeof *o;
    }
    if (o->mode != MAILAUTH_DMARC_MODE_RFC7489 && o->mode != MAILAUTH_DMARC_MODE_RFC9989)
        return MAILAUTH_E_INVAL;
    if (!o->max_dkim)
        o->max_dkim = MAILAUTH_DMARC_DEFAULT_MAX_DKIM;
    return 0;
}

/* The list of an RFC 7489 check: the caller's, or one loaded for it. */
static int take_psl(const mailauth_dmarc_options *o, mailauth_psl **own, const mailauth_psl **psl)
{
    *own = NULL;
    *psl = o->psl;
    if (o->mode != MAILAUTH_DMARC_MODE_RFC7489 || o->psl)
        return 0;
    int rc = ma_dmarc_psl_load(o->psl_file, own);
    *psl = *own;
    return rc;
}

int mailauth_dmarc_new(const mailauth_dmarc_options *opts, mailauth_dmarc **out)
{
    if (!out)
        return MAILAUTH_E_INVAL;
    *out = NULL;
    mailauth_dmarc *dm = lm_calloc(1, sizeof *dm);
    if (!dm)
        return MAILAUTH_E_NOMEM;
    int rc = take_options(opts, &dm->opts);
    if (!rc) {
        dm->dkim = lm_calloc(dm->opts.max_dkim, sizeof *dm->dkim);
        rc = dm->dkim ? take_psl(&dm->opts, &dm->own_psl, &dm->psl) : MAILAUTH_E_NOMEM;
    }
    if (rc) {
        mailauth_dmarc_free(dm);
        return rc;
    }
    ma_dns_init(&dm->dns, 0);
    *out = dm;
    return 0;
}

void mailauth_dmarc_free(mailauth_dmarc *dm)
{
    if (!dm)
        return;
    ma_dns_clear(&dm->dns);
    mailauth_dmarc_record_free(dm->rec);
    mailauth_psl_free(dm->own_psl);
    lm_free(dm->dkim);
    lm_free(dm);
}

/* ---- inputs ------------------------------------------------------------------------------ */

int mailauth_dmarc_set_from_domain(mailauth_dmarc *dm, const char *domain)
{
    if (!dm || !domain || dm->started)
        return MAILAUTH_E_INVAL;
    int rc = ma_dmarc_domain_norm(domain, strlen(domain), dm->from);
    if (rc == MAILAUTH_E_NOMEM)
        return rc;
    dm->from_set = 1;
    dm->from_problem = rc ? "the From domain is not a valid domain name" : NULL;
    dm->nauthors = 0;
    if (rc)
        dm->from[0] = '\0';
    else
        memcpy(dm->authors[dm->nauthors++], dm->from, strlen(dm->from) + 1);
    return 0;
}

int mailauth_dmarc_set_from(mailauth_dmarc *dm, const char *value, size_t len)
{
    if (!dm || (!value && len) || dm->started)
        return MAILAUTH_E_INVAL;
    mailparse_values *v = NULL;
    const mailparse_address_list *list = NULL;
    if (mailparse_values_new(&v))
        return MAILAUTH_E_NOMEM;
    int prc = mailparse_parse_addresses(v, value ? value : "", len, NULL, NULL, &list);
    if (prc) {
        mailparse_values_free(v);
        return prc == MAILPARSE_E_NOMEM ? MAILAUTH_E_NOMEM : MAILAUTH_E_INVAL;
    }
    char dom[MA_DMARC_DOMAIN_MAX];
    const char *problem = "the From field holds no address with a domain";
    int rc = 0, bad = 0;
    size_t n = 0;
    for (size_t i = 0; list && i < list->count; i++) {
        const char *addr = list->items[i].address;
        const char *at = addr ? strrchr(addr, '@') : NULL;
        if (!at || !at[1])
            continue; /* not a mailbox with a domain (repair left-overs) */
        rc = ma_dmarc_domain_norm(at + 1, strlen(at + 1), dom);
        if (rc == MAILAUTH_E_NOMEM)
            break;
        if (rc) {
            rc = 0;
            problem = "the From domain is not a valid domain name";
            bad = 1;
            break;
        }
        size_t k = 0;
        while (k < n && strcmp(dm->authors[k], dom))
            k++;
        if (k < n)
            continue; /* an Author Domain already taken */
        if (n == MAILAUTH_DMARC_MAX_AUTHORS) {
            problem = "the From field holds addresses of too many domains";
            bad = 1;
            break;
        }
        memcpy(dm->authors[n++], dom, strlen(dom) + 1);
    }
    mailparse_values_free(v);
    if (rc)
        return rc;
    if (bad)
        n = 0;
    dm->from_set = 1;
    dm->nauthors = n;
    dm->from_problem = n ? NULL : problem;
    if (n)
        memcpy(dm->from, dm->authors[0], strlen(dm->authors[0]) + 1);
    else
        dm->from[0] = '\0';
    return 0;
}

/* A mechanism's domain, or "" when it is not a valid name (never aligned). */
static int mech_domain(const char *domain, char *out)
{
    out[0] = '\0';
    if (!domain)
        return 0;
    int rc = ma_dmarc_domain_norm(domain, strlen(domain), out);
    if (rc)
        out[0] = '\0';
    return rc == MAILAUTH_E_NOMEM ? rc : 0;
}

static int result_valid(int r)
{
    return r >= MAILAUTH_RESULT_NONE && r <= MAILAUTH_RESULT_POLICY;
}

int mailauth_dmarc_set_spf(mailauth_dmarc *dm, const char *domain, int result)
{
    if (!dm || dm->started || !result_valid(result))
        return MAILAUTH_E_INVAL;
    int rc = mech_domain(domain, dm->spf_domain);
    if (rc)
        return rc;
    dm->spf_set = 1;
    dm->spf_result = result;
    return 0;
}

int mailauth_dmarc_add_dkim(mailauth_dmarc *dm, const char *domain, int result)
{
    if (!dm || dm->started || !result_valid(result))
        return MAILAUTH_E_INVAL;
    if (dm->ndkim == dm->opts.max_dkim)
        return MAILAUTH_E_LIMIT;
    struct dkim_in *d = &dm->dkim[dm->ndkim];
    int rc = mech_domain(domain, d->domain);
    if (rc)
        return rc;
    d->result = result;
    dm->ndkim++;
    return 0;
}

/* ---- evaluation -------------------------------------------------------------------------- */

/* The Organizational Domain of `domain` into `out`: 0 (*tempfail set when the walk met a DNS
 * failure), MAILAUTH_NEED_DNS or an error. */
static int org_of(const mailauth_dmarc_options *o, const mailauth_psl *psl, ma_dns *dns,
                  const char *domain, char *out, int *tempfail)
{
    *tempfail = 0;
    if (o->mode == MAILAUTH_DMARC_MODE_RFC9989)
        return ma_dmarc_org_walk(dns, domain, out, tempfail);
    return ma_dmarc_org_psl(psl, domain, out);
}

static void verdict(mailauth_dmarc *dm, int result, const char *reason)
{
    dm->result = result;
    dm->reason = reason;
}

/* Policy discovery. 0 with dm->rec set, or with the verdict given (none, temperror,
 * permerror); MAILAUTH_NEED_DNS or an error. */
static int discover(mailauth_dmarc *dm)
{
    char target[MA_DMARC_DOMAIN_MAX];
    const char *bad = NULL;
    int tries = dm->opts.mode == MAILAUTH_DMARC_MODE_RFC9989 ? MA_DMARC_WALK_MAX : 2;
    strcpy(target, dm->from);
    for (int q = 0; q < tries; q++) {
        int status, rc = ma_dmarc_fetch(&dm->dns, target, &status, &dm->rec);
        if (rc)
            return rc;
        switch (status) {
        case MA_DMARC_FETCH_ONE:
            strcpy(dm->record_domain, target);
            return 0;
        case MA_DMARC_FETCH_TEMPFAIL:
            verdict(dm, MAILAUTH_RESULT_TEMPERROR, "the DMARC record lookup failed");
            return 0;
        case MA_DMARC_FETCH_MULTI:
            bad = "several DMARC records were published";
            break;
        case MA_DMARC_FETCH_INVALID:
            bad = "the DMARC record is not valid";
            break;
        default: break;
        }
        if (dm->opts.mode == MAILAUTH_DMARC_MODE_RFC7489) {
            /* §6.6.3: several or an invalid record end the search; none: the Organizational
             * Domain next, once. */
            if (bad || q == 1 || !strcmp(dm->org, dm->from))
                break;
            strcpy(target, dm->org);
        } else if (ma_dmarc_walk_next(target, target) < 0) {
            break;
        }
    }
    if (bad)
        verdict(dm, MAILAUTH_RESULT_PERMERROR, bad);
    else
        verdict(dm, MAILAUTH_RESULT_NONE, "no DMARC record was published");
    return 0;
}

/* Is `domain` aligned with the From domain in `mode`? 0 with *aligned set (or *tempfail),
 * MAILAUTH_NEED_DNS or an error. */
static int aligned(mailauth_dmarc *dm, const char *domain, int mode, int *out, int *tempfail)
{
    char org[MA_DMARC_DOMAIN_MAX];
    *out = 0;
    *tempfail = 0;
    if (!domain[0])
        return 0;
    if (!strcmp(domain, dm->from)) {
        *out = 1;
        return 0;
    }
    /* Relaxed: the same Organizational Domain, which is always an ancestor of both names. */
    if (mode == MAILAUTH_DMARC_STRICT || !ma_dmarc_is_under(domain, dm->org))
        return 0;
    int rc = org_of(&dm->opts, dm->psl, &dm->dns, domain, org, tempfail);
    if (rc)
        return rc;
    *out = !*tempfail && !strcmp(org, dm->org);
    return 0;
}

/* One mechanism's alignment as a mailauth_result. */
static int align_mech(mailauth_dmarc *dm, const char *domain, int result, int mode, int *out)
{
    int yes, tf;
    *out = MAILAUTH_RESULT_NONE;
    if (result != MAILAUTH_RESULT_PASS)
        return 0;
    int rc = aligned(dm, domain, mode, &yes, &tf);
    if (rc)
        return rc;
    if (tf)
        *out = MAILAUTH_RESULT_TEMPERROR;
    else
        *out = yes ? MAILAUTH_RESULT_PASS : MAILAUTH_RESULT_FAIL;
    return 0;
}

/* The best of several signatures' alignments: pass, then fail, then temperror, then none. */
static int align_rank(int a)
{
    switch (a) {
    case MAILAUTH_RESULT_PASS: return 3;
    case MAILAUTH_RESULT_FAIL: return 2;
    case MAILAUTH_RESULT_TEMPERROR: return 1;
    default: return 0;
    }
}

/* RFC 9091 §2.7: a domain exists when it has A, AAAA or MX records; a failed lookup counts as
 * existing. 0 with *exists, MAILAUTH_NEED_DNS or an error. */
static int domain_exists(mailauth_dmarc *dm, const char *domain, int *exists)
{
    static const int types[] = {MAILAUTH_RR_A, MAILAUTH_RR_AAAA, MAILAUTH_RR_MX};
    *exists = 1;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        const mailauth_dns_answer *a;
        int rc = ma_dns_lookup(&dm->dns, domain, types[i], &a);
        if (rc)
            return rc;
        int r = mailauth_dns_answer_result(a);
        if (r == MAILAUTH_DNS_NXDOMAIN) {
            *exists = 0; /* the name is not there at all: nothing more to ask */
            return 0;
        }
        if (r != MAILAUTH_DNS_NODATA)
            return 0;
    }
    *exists = 0;
    return 0;
}

static int lower_policy(int p)
{
    return p == MAILAUTH_DMARC_POLICY_REJECT ? MAILAUTH_DMARC_POLICY_QUARANTINE
                                             : MAILAUTH_DMARC_POLICY_NONE;
}

static int choose_policy(mailauth_dmarc *dm)
{
    const mailauth_dmarc_record *r = dm->rec;
    if (!strcmp(dm->record_domain, dm->from)) {
        dm->policy = mailauth_dmarc_record_p(r);
        dm->policy_tag = MAILAUTH_DMARC_TAG_P;
        return 0;
    }
    dm->policy = mailauth_dmarc_record_sp(r);
    dm->policy_tag = MAILAUTH_DMARC_TAG_SP;
    if (mailauth_dmarc_record_np(r) == dm->policy)
        return 0; /* whether the domain exists changes nothing */
    int exists, rc = domain_exists(dm, dm->from, &exists);
    if (rc)
        return rc;
    if (!exists) {
        dm->policy = mailauth_dmarc_record_np(r);
        dm->policy_tag = MAILAUTH_DMARC_TAG_NP;
    }
    return 0;
}

static uint32_t draw_random(mailauth_dmarc *dm)
{
    if (!dm->drawn) {
        if (dm->opts.random)
            dm->draw = dm->opts.random(dm->opts.random_user);
        else if (getentropy(&dm->draw, sizeof dm->draw))
            dm->draw = 0;
        dm->drawn = 1;
    }
    return dm->draw;
}

static void choose_disposition(mailauth_dmarc *dm)
{
    dm->disposition = MAILAUTH_DMARC_POLICY_NONE;
    if (dm->result != MAILAUTH_RESULT_FAIL)
        return;
    int d = dm->policy;
    if (dm->opts.mode == MAILAUTH_DMARC_MODE_RFC7489) {
        unsigned pct = mailauth_dmarc_record_pct(dm->rec);
        /* §6.6.4: the policy applies to pct percent of the failing mail, chosen at random;
         * the rest gets the next policy down. */
        if (pct < 100 && (unsigned)(((uint64_t)draw_random(dm) * 100) >> 32) >= pct) {
            dm->sampled_out = 1;
            d = lower_policy(d);
        }
    } else if (mailauth_dmarc_record_testing(dm->rec)) {
        d = lower_policy(d);
    }
    dm->disposition = d;
}

static void reset_outputs(mailauth_dmarc *dm)
{
    mailauth_dmarc_record_free(dm->rec);
    dm->rec = NULL;
    dm->result = MAILAUTH_RESULT_NONE;
    dm->reason = "";
    dm->policy = dm->disposition = MAILAUTH_DMARC_POLICY_NONE;
    dm->policy_tag = 0;
    dm->sampled_out = 0;
    dm->spf_align = dm->dkim_align = MAILAUTH_RESULT_NONE;
    dm->org[0] = dm->record_domain[0] = '\0';
    for (size_t i = 0; i < dm->ndkim; i++)
        dm->dkim[i].aligned = MAILAUTH_RESULT_NONE;
}

/* The check of the Author Domain in dm->from, from the start; deterministic given the
 * answers in the memo. */
static int evaluate_one(mailauth_dmarc *dm)
{
    int rc, tf;
    reset_outputs(dm);
    if (dm->opts.mode == MAILAUTH_DMARC_MODE_RFC7489)
        ma_dmarc_org_psl(dm->psl, dm->from, dm->org);
    rc = discover(dm);
    if (rc || !dm->rec)
        return rc;
    if (dm->opts.mode == MAILAUTH_DMARC_MODE_RFC9989) {
        rc = ma_dmarc_org_walk(&dm->dns, dm->from, dm->org, &tf);
        if (rc)
            return rc;
        if (tf) {
            verdict(dm, MAILAUTH_RESULT_TEMPERROR, "a lookup of the DNS Tree Walk failed");
            return 0;
        }
    }
    int temp = 0;
    if (dm->spf_set) {
        rc = align_mech(dm, dm->spf_domain, dm->spf_result, mailauth_dmarc_record_aspf(dm->rec),
                        &dm->spf_align);
        if (rc)
            return rc;
        temp |= dm->spf_align == MAILAUTH_RESULT_TEMPERROR;
    }
    for (size_t i = 0; i < dm->ndkim; i++) {
        struct dkim_in *d = &dm->dkim[i];
        rc = align_mech(dm, d->domain, d->result, mailauth_dmarc_record_adkim(dm->rec),
                        &d->aligned);
        if (rc)
            return rc;
        temp |= d->aligned == MAILAUTH_RESULT_TEMPERROR;
        if (align_rank(d->aligned) > align_rank(dm->dkim_align))
            dm->dkim_align = d->aligned;
    }
    rc = choose_policy(dm);
    if (rc)
        return rc;
    if (dm->spf_align == MAILAUTH_RESULT_PASS || dm->dkim_align == MAILAUTH_RESULT_PASS)
        verdict(dm, MAILAUTH_RESULT_PASS, dm->spf_align == MAILAUTH_RESULT_PASS
                                              ? "SPF passed and is aligned"
                                              : "DKIM passed and is aligned");
    else if (temp)
        verdict(dm, MAILAUTH_RESULT_TEMPERROR, "a lookup of the DNS Tree Walk failed");
    else
        verdict(dm, MAILAUTH_RESULT_FAIL, "neither SPF nor DKIM passed aligned");
    choose_disposition(dm);
    return 0;
}

/* How strongly one Author Domain's result decides the verdict of several (RFC 7489 §6.6.1):
 * fail, then temperror, then permerror, then pass, then none. */
static int author_rank(int result)
{
    switch (result) {
    case MAILAUTH_RESULT_FAIL: return 4;
    case MAILAUTH_RESULT_TEMPERROR: return 3;
    case MAILAUTH_RESULT_PERMERROR: return 2;
    case MAILAUTH_RESULT_PASS: return 1;
    default: return 0;
    }
}

/* The whole check, from the start: each Author Domain in turn, then the deciding one again so
 * that the outputs are its own. Deterministic given the answers in the memo. */
static int evaluate(mailauth_dmarc *dm)
{
    if (dm->from_problem) {
        reset_outputs(dm);
        verdict(dm, MAILAUTH_RESULT_PERMERROR, dm->from_problem);
        return 0;
    }
    size_t best = 0;
    int best_rank = -1, best_disp = 0, best_policy = 0;
    for (size_t i = 0; i < dm->nauthors; i++) {
        memcpy(dm->from, dm->authors[i], strlen(dm->authors[i]) + 1);
        int rc = evaluate_one(dm);
        if (rc)
            return rc;
        dm->author_result[i] = dm->result;
        dm->author_policy[i] = dm->policy;
        /* The highest rank decides; among failing checks the strictest disposition, then
         * policy; otherwise the first. */
        int rank = author_rank(dm->result);
        if (rank > best_rank ||
            (rank == best_rank && dm->result == MAILAUTH_RESULT_FAIL &&
             (dm->disposition > best_disp ||
              (dm->disposition == best_disp && dm->policy > best_policy)))) {
            best = i;
            best_rank = rank;
            best_disp = dm->disposition;
            best_policy = dm->policy;
        }
    }
    if (best == dm->nauthors - 1)
        return 0; /* the outputs are already the deciding domain's */
    memcpy(dm->from, dm->authors[best], strlen(dm->authors[best]) + 1);
    return evaluate_one(dm); /* every answer is in the memo now */
}

int mailauth_dmarc_step(mailauth_dmarc *dm, mailauth_query *query)
{
    if (!dm || !query || !dm->from_set)
        return MAILAUTH_E_INVAL;
    dm->started = 1;
    if (dm->done)
        return 0;
    if (dm->dns.pending)
        return ma_dns_pending(&dm->dns, query);
    int rc = evaluate(dm);
    if (rc == MAILAUTH_NEED_DNS)
        return ma_dns_pending(&dm->dns, query);
    if (rc)
        return rc;
    dm->done = 1;
    return 0;
}

int mailauth_dmarc_answer(mailauth_dmarc *dm, const mailauth_dns_answer *answer)
{
    if (!dm)
        return MAILAUTH_E_INVAL;
    return ma_dns_answer(&dm->dns, answer);
}

int mailauth_dmarc_run(mailauth_dmarc *dm, const mailauth_resolver *resolver)
{
    if (!dm || !resolver || !dm->from_set)
        return MAILAUTH_E_INVAL;
    dm->started = 1;
    if (dm->done)
        return 0;
    dm->dns.pending = 0;
    dm->dns.resolver = resolver;
    int rc = evaluate(dm);
    dm->dns.resolver = NULL;
    if (rc)
        return rc == MAILAUTH_NEED_DNS ? MAILAUTH_E_INVAL : rc;
    dm->done = 1;
    return 0;
}

/* ---- results ----------------------------------------------------------------------------- */

int mailauth_dmarc_result(const mailauth_dmarc *dm)
{
    return dm && dm->done ? dm->result : MAILAUTH_RESULT_NONE;
}

const char *mailauth_dmarc_reason(const mailauth_dmarc *dm)
{
    return dm && dm->done ? dm->reason : "the check has not run";
}

int mailauth_dmarc_policy(const mailauth_dmarc *dm) { return dm && dm->done ? dm->policy : 0; }

int mailauth_dmarc_disposition(const mailauth_dmarc *dm)
{
    return dm && dm->done ? dm->disposition : 0;
}

unsigned mailauth_dmarc_policy_tag(const mailauth_dmarc *dm)
{
    return dm && dm->done ? dm->policy_tag : 0;
}

int mailauth_dmarc_sampled_out(const mailauth_dmarc *dm)
{
    return dm && dm->done ? dm->sampled_out : 0;
}

int mailauth_dmarc_spf_alignment(const mailauth_dmarc *dm)
{
    return dm && dm->done ? dm->spf_align : MAILAUTH_RESULT_NONE;
}

int mailauth_dmarc_dkim_alignment(const mailauth_dmarc *dm)
{
    return dm && dm->done ? dm->dkim_align : MAILAUTH_RESULT_NONE;
}

size_t mailauth_dmarc_dkim_count(const mailauth_dmarc *dm) { return dm ? dm->ndkim : 0; }

int mailauth_dmarc_dkim_alignment_at(const mailauth_dmarc *dm, size_t i)
{
    return dm && dm->done && i < dm->ndkim ? dm->dkim[i].aligned : MAILAUTH_RESULT_NONE;
}

const char *mailauth_dmarc_from_domain(const mailauth_dmarc *dm)
{
    if (!dm || !dm->nauthors)
        return NULL;
    return dm->done ? dm->from : dm->authors[0]; /* the deciding one once done */
}

size_t mailauth_dmarc_author_count(const mailauth_dmarc *dm) { return dm ? dm->nauthors : 0; }

int mailauth_dmarc_author_at(const mailauth_dmarc *dm, size_t i, const char **domain, int *result,
                             int *policy)
{
    if (domain)
        *domain = NULL;
    if (result)
        *result = MAILAUTH_RESULT_NONE;
    if (policy)
        *policy = MAILAUTH_DMARC_POLICY_NONE;
    if (!dm || i >= dm->nauthors)
        return MAILAUTH_E_INVAL;
    if (domain)
        *domain = dm->authors[i];
    if (dm->done && result)
        *result = dm->author_result[i];
    if (dm->done && policy)
        *policy = dm->author_policy[i];
    return 0;
}

const char *mailauth_dmarc_org_domain(const mailauth_dmarc *dm)
{
    return dm && dm->done && dm->org[0] ? dm->org : NULL;
}

const char *mailauth_dmarc_record_domain(const mailauth_dmarc *dm)
{
    return dm && dm->done && dm->rec ? dm->record_domain : NULL;
}

const mailauth_dmarc_record *mailauth_dmarc_get_record(const mailauth_dmarc *dm)
{
    return dm && dm->done ? dm->rec : NULL;
}

/* ---- report destinations (RFC 7489 §7.1) ------------------------------------------------- */

struct dest {
    char *address;                    /* NULL for a URI that is not mailto: */
    char domain[MA_DMARC_DOMAIN_MAX]; /* "" when none or not a valid name */
    int result;
};

struct mailauth_dmarc_report_check {
    mailauth_dmarc_options opts;
    mailauth_psl *own_psl;
    const mailauth_psl *psl;
    ma_dns dns;
    int started, done;
    char domain[MA_DMARC_DOMAIN_MAX];
    struct dest dest[REPORT_MAX];
    size_t count;
};

int mailauth_dmarc_report_check_new(const mailauth_dmarc_options *opts, const char *policy_domain,
                                    mailauth_dmarc_report_check **out)
{
    if (!out || !policy_domain)
        return MAILAUTH_E_INVAL;
    *out = NULL;
    mailauth_dmarc_report_check *rc = lm_calloc(1, sizeof *rc);
    if (!rc)
        return MAILAUTH_E_NOMEM;
    int e = take_options(opts, &rc->opts);
    if (!e)
        e = ma_dmarc_domain_norm(policy_domain, strlen(policy_domain), rc->domain);
    if (!e)
        e = take_psl(&rc->opts, &rc->own_psl, &rc->psl);
    if (e) {
        mailauth_dmarc_report_check_free(rc);
        return e;
    }
    ma_dns_init(&rc->dns, 0);
    *out = rc;
    return 0;
}

void mailauth_dmarc_report_check_free(mailauth_dmarc_report_check *rc)
{
    if (!rc)
        return;
    for (size_t i = 0; i < rc->count; i++)
        lm_free(rc->dest[i].address);
    ma_dns_clear(&rc->dns);
    mailauth_psl_free(rc->own_psl);
    lm_free(rc);
}

static int add_dest(mailauth_dmarc_report_check *rc, const char *address)
{
    if (rc->started)
        return MAILAUTH_E_INVAL;
    if (rc->count == REPORT_MAX)
        return MAILAUTH_E_LIMIT;
    struct dest *d = &rc->dest[rc->count];
    memset(d, 0, sizeof *d);
    if (address) {
        d->address = lm_strndup(address, strlen(address));
        if (!d->address)
            return MAILAUTH_E_NOMEM;
        const char *at = strrchr(address, '@');
        if (at && at[1] && ma_dmarc_domain_norm(at + 1, strlen(at + 1), d->domain))
            d->domain[0] = '\0';
    }
    rc->count++;
    return 0;
}

int mailauth_dmarc_report_check_add_address(mailauth_dmarc_report_check *rc, const char *address)
{
    if (!rc || !address)
        return MAILAUTH_E_INVAL;
    return add_dest(rc, address);
}

int mailauth_dmarc_report_check_add_record(mailauth_dmarc_report_check *rc,
                                           const mailauth_dmarc_record *rec, int ruf)
{
    if (!rc || !rec)
        return MAILAUTH_E_INVAL;
    size_t n = ruf ? mailauth_dmarc_record_ruf_count(rec) : mailauth_dmarc_record_rua_count(rec);
    for (size_t i = 0; i < n; i++) {
        const mailauth_dmarc_uri *u =
            ruf ? mailauth_dmarc_record_ruf(rec, i) : mailauth_dmarc_record_rua(rec, i);
        int e = add_dest(rc, u->address);
        if (e)
            return e;
    }
    return 0;
}

static int report_evaluate(mailauth_dmarc_report_check *rc)
{
    char policy_org[MA_DMARC_DOMAIN_MAX], org[MA_DMARC_DOMAIN_MAX];
    char name[MA_NAME_TEXT_MAX];
    int tf;
    int e = org_of(&rc->opts, rc->psl, &rc->dns, rc->domain, policy_org, &tf);
    if (e)
        return e;
    for (size_t i = 0; i < rc->count; i++) {
        struct dest *d = &rc->dest[i];
        d->result = MAILAUTH_RESULT_FAIL;
        if (!d->domain[0])
            continue;
        /* The same Organizational Domain needs no authorisation. */
        if (ma_dmarc_is_under(d->domain, policy_org)) {
            e = org_of(&rc->opts, rc->psl, &rc->dns, d->domain, org, &tf);
            if (e)
                return e;
            if (!tf && !strcmp(org, policy_org)) {
                d->result = MAILAUTH_RESULT_PASS;
                continue;
            }
        }
        size_t dl = strlen(rc->domain), xl = strlen(d->domain);
        if (dl + xl + 16 > 253)
            continue; /* the name to ask cannot exist */
        memcpy(name, rc->domain, dl);
        memcpy(name + dl, "._report._dmarc.", 16);
        memcpy(name + dl + 16, d->domain, xl + 1);
        const mailauth_dns_answer *a;
        e = ma_dns_lookup(&rc->dns, name, MAILAUTH_RR_TXT, &a);
        if (e == MAILAUTH_E_INVAL)
            continue;
        if (e)
            return e;
        int r = mailauth_dns_answer_result(a);
        if (r == MAILAUTH_DNS_TEMPFAIL || r == MAILAUTH_DNS_PERMFAIL) {
            d->result = MAILAUTH_RESULT_TEMPERROR;
            continue;
        }
        for (size_t k = 0; k < mailauth_dns_answer_count(a); k++) {
            const mailauth_dns_record *t = mailauth_dns_answer_record(a, k);
            if (t->type == MAILAUTH_RR_TXT && ma_dmarc_is_record(t->text, t->text_len))
                d->result = MAILAUTH_RESULT_PASS;
        }
    }
    return 0;
}

int mailauth_dmarc_report_check_step(mailauth_dmarc_report_check *rc, mailauth_query *query)
{
    if (!rc || !query)
        return MAILAUTH_E_INVAL;
    rc->started = 1;
    if (rc->done)
        return 0;
    if (rc->dns.pending)
        return ma_dns_pending(&rc->dns, query);
    int e = report_evaluate(rc);
    if (e == MAILAUTH_NEED_DNS)
        return ma_dns_pending(&rc->dns, query);
    if (e)
        return e;
    rc->done = 1;
    return 0;
}

int mailauth_dmarc_report_check_answer(mailauth_dmarc_report_check *rc,
                                       const mailauth_dns_answer *answer)
{
    if (!rc)
        return MAILAUTH_E_INVAL;
    return ma_dns_answer(&rc->dns, answer);
}

int mailauth_dmarc_report_check_run(mailauth_dmarc_report_check *rc,
                                    const mailauth_resolver *resolver)
{
    if (!rc || !resolver)
        return MAILAUTH_E_INVAL;
    rc->started = 1;
    if (rc->done)
        return 0;
    rc->dns.pending = 0;
    rc->dns.resolver = resolver;
    int e = report_evaluate(rc);
    rc->dns.resolver = NULL;
    if (e)
        return e == MAILAUTH_NEED_DNS ? MAILAUTH_E_INVAL : e;
    rc->done = 1;
    return 0;
}

size_t mailauth_dmarc_report_check_count(const mailauth_dmarc_report_check *rc)
{
    return rc ? rc->count : 0;
}

const char *mailauth_dmarc_report_check_address(const mailauth_dmarc_report_check *rc, size_t i)
{
    return rc && i < rc->count ? rc->dest[i].address : NULL;
}

int mailauth_dmarc_report_check_result(const mailauth_dmarc_report_check *rc, size_t i)
{
    return rc && rc->done && i < rc->count ? rc->dest[i].result : MAILAUTH_RESULT_NONE;
}
