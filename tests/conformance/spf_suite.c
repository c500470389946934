/* spf_suite.c — runs the SPF conformance suites of $LIBMAIL_CONFORMANCE_DIR/spf (see
 * ../shared/conformance/spf/README.md and this folder's README.md):
 *   rfc7208-tests.yml, rfc4408-tests.yml, pyspf-test.yml  YAML scenarios (libyaml)
 *   mail-auth/NAME.yml                                     Stalwart's line-oriented files
 * Each test is checked for the MAIL FROM identity through mailauth_spf_run() against a
 * resolver that serves the scenario's zone data with the suite's DNS semantics, and again step
 * by step (mailauth_spf_step/_answer), which must give the same verdict and explanation.
 * Prints one line per failure, then "N passed, N failed, N skipped"; exits 77 when the data is
 * absent, 1 when a test failed. `-v` also lists the skipped tests with their reasons. */
#include <arpa/inet.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "mailauth.h"
#include "suite_util.h"

/* ---- zone data -------------------------------------------------------------------------- */

#define RR_TIMEOUT (-1)
#define RR_SPF 99

typedef struct rr {
    char *name; /* lower case, no trailing dot */
    int type;   /* mailauth_rr_type, RR_SPF or RR_TIMEOUT */
    unsigned char addr[16];
    unsigned pref;
    char *target;         /* MX, PTR, CNAME */
    char **strings;       /* TXT, SPF */
    size_t *lens;
    size_t nstrings;
    int none;             /* "TXT: NONE" */
} rr;

typedef struct zone {
    rr *rrs;
    size_t count, cap;
    int dns_error_names; /* mail-auth: names holding "_dns_error." fail */
} zone;

/* A name as the zone keys it: presentation-form escapes (\X, \DDD) decoded, lower case, no
 * trailing dot. */
static char *norm_name(const char *s)
{
    char *d = su_xstrdup(s);
    size_t k = 0;
    for (size_t i = 0; d[i]; k++) {
        if (d[i] == '\\' && d[i + 1] >= '0' && d[i + 1] <= '9' && d[i + 2] && d[i + 3]) {
            d[k] = (char)((d[i + 1] - '0') * 100 + (d[i + 2] - '0') * 10 + (d[i + 3] - '0'));
            i += 4;
        } else if (d[i] == '\\' && d[i + 1]) {
            d[k] = d[i + 1];
            i += 2;
        } else {
            d[k] = d[i++];
        }
    }
    d[k] = '\0';
    for (char *p = d; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p + 32);
    size_t n = strlen(d);
    if (n > 1 && d[n - 1] == '.')
        d[n - 1] = '\0';
    return d;
}

static void rr_free(rr *r)
{
    free(r->name);
    free(r->target);
    for (size_t i = 0; i < r->nstrings; i++)
        free(r->strings[i]);
    free(r->strings);
    free(r->lens);
}

static void zone_clear(zone *z)
{
    for (size_t i = 0; i < z->count; i++)
        rr_free(&z->rrs[i]);
    free(z->rrs);
    memset(z, 0, sizeof *z);
}

static rr *zone_add(zone *z, const char *name, int type)
{
    if (z->count == z->cap) {
        z->cap = z->cap ? 2 * z->cap : 32;
        z->rrs = realloc(z->rrs, z->cap * sizeof *z->rrs);
        if (!z->rrs) {
            fprintf(stderr, "out of memory\n");
            exit(2);
        }
    }
    rr *r = &z->rrs[z->count++];
    memset(r, 0, sizeof *r);
    r->name = norm_name(name);
    r->type = type;
    return r;
}

static void rr_add_string(rr *r, const char *s, size_t n)
{
    r->strings = realloc(r->strings, (r->nstrings + 1) * sizeof *r->strings);
    r->lens = realloc(r->lens, (r->nstrings + 1) * sizeof *r->lens);
    if (!r->strings || !r->lens) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    char *c = malloc(n + 1);
    if (!c) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    memcpy(c, s, n);
    c[n] = '\0';
    r->strings[r->nstrings] = c;
    r->lens[r->nstrings++] = n;
}

/* Removes every record of `type` at `name` (mail-auth: a later line replaces). */
static void zone_remove(zone *z, const char *name, int type)
{
    char *n = norm_name(name);
    size_t k = 0;
    for (size_t i = 0; i < z->count; i++) {
        if (z->rrs[i].type == type && !strcmp(z->rrs[i].name, n))
            rr_free(&z->rrs[i]);
        else
            z->rrs[k++] = z->rrs[i];
    }
    z->count = k;
    free(n);
}

/* Adds the records of `type` at `name` from `r` to answer `a`; TXT strings split at 255. */
static void add_record(mailauth_dns_answer *a, const rr *r, int type)
{
    switch (type) {
    case MAILAUTH_RR_A: mailauth_dns_answer_add_a(a, r->addr); break;
    case MAILAUTH_RR_AAAA: mailauth_dns_answer_add_aaaa(a, r->addr); break;
    case MAILAUTH_RR_MX:
        mailauth_dns_answer_add_mx(a, r->pref, *r->target ? r->target : ".");
        break;
    case MAILAUTH_RR_PTR:
    case MAILAUTH_RR_CNAME:
        mailauth_dns_answer_add_name(a, type, *r->target ? r->target : ".");
        break;
    case MAILAUTH_RR_TXT: {
        const unsigned char *parts[256];
        size_t lens[256], n = 0;
        for (size_t i = 0; i < r->nstrings && n < 256; i++) {
            size_t off = 0;
            do {
                size_t k = r->lens[i] - off > 255 ? 255 : r->lens[i] - off;
                parts[n] = (const unsigned char *)r->strings[i] + off;
                lens[n++] = k;
                off += k;
            } while (off < r->lens[i] && n < 256);
        }
        mailauth_dns_answer_add_txt(a, parts, lens, n);
        break;
    }
    default:
        break;
    }
}

static int lookup_depth(const zone *z, const char *qname, int type, mailauth_dns_answer *a,
                        int depth)
{
    char *name = norm_name(qname);
    if (z->dns_error_names && strstr(name, "_dns_error.")) {
        free(name);
        mailauth_dns_answer_set_result(a, MAILAUTH_DNS_TEMPFAIL);
        return 0;
    }
    int exists = 0, have_txt = 0, found = 0;
    const rr *cname = NULL;
    for (size_t i = 0; i < z->count; i++) {
        const rr *r = &z->rrs[i];
        if (strcmp(r->name, name))
            continue;
        exists = 1;
        if (r->type == MAILAUTH_RR_TXT)
            have_txt = 1;
        if (r->type == MAILAUTH_RR_CNAME && !cname)
            cname = r;
    }
    if (!exists) {
        free(name);
        mailauth_dns_answer_set_result(a, MAILAUTH_DNS_NXDOMAIN);
        return 0;
    }
    if (cname && type != MAILAUTH_RR_CNAME) {
        free(name);
        if (depth > 8 || !*cname->target) {
            mailauth_dns_answer_set_result(a, MAILAUTH_DNS_NXDOMAIN);
            return 0;
        }
        return lookup_depth(z, cname->target, type, a, depth + 1);
    }
    for (size_t i = 0; i < z->count; i++) {
        const rr *r = &z->rrs[i];
        if (strcmp(r->name, name))
            continue;
        if (r->type == RR_TIMEOUT && !found) {
            free(name);
            mailauth_dns_answer_reset(a);
            mailauth_dns_answer_set_result(a, MAILAUTH_DNS_TEMPFAIL);
            return 0;
        }
        int serve = r->type == type && !r->none;
        if (type == MAILAUTH_RR_TXT && r->type == RR_SPF && !have_txt)
            serve = 1;
        if (serve) {
            add_record(a, r, type);
            found = 1;
        }
    }
    free(name);
    mailauth_dns_answer_set_result(a, found ? MAILAUTH_DNS_FOUND : MAILAUTH_DNS_NODATA);
    mailauth_dns_answer_set_ttl(a, 300);
    return 0;
}

static int zone_lookup(void *user, const char *name, int type, mailauth_dns_answer *a)
{
    return lookup_depth(user, name, type, a, 0);
}

/* ---- running one test --------------------------------------------------------------------- */

static int passed, failed, skipped, verbose;

typedef struct outcome {
    int rc, result;
    char explanation[1024];
} outcome;

static void run_blocking(mailauth_spf *spf, const zone *z, outcome *o)
{
    mailauth_resolver r;
    mailauth_resolver_init(&r);
    r.lookup = zone_lookup;
    r.user = (void *)z;
    o->rc = mailauth_spf_run(spf, &r);
    o->result = mailauth_spf_result(spf);
    const char *e = mailauth_spf_explanation(spf);
    snprintf(o->explanation, sizeof o->explanation, "%s", e ? e : "");
}

static void run_stepwise(mailauth_spf *spf, const zone *z, outcome *o)
{
    mailauth_dns_answer *a = NULL;
    mailauth_resolver r;
    mailauth_resolver_init(&r);
    r.lookup = zone_lookup;
    r.user = (void *)z;
    o->rc = mailauth_dns_answer_new(&a);
    for (int steps = 0; !o->rc && steps < 10000; steps++) {
        mailauth_query q;
        o->rc = mailauth_spf_step(spf, &q);
        if (o->rc != MAILAUTH_NEED_DNS)
            break;
        o->rc = mailauth_resolve(&r, q.name, q.type, a);
        if (!o->rc)
            o->rc = mailauth_spf_answer(spf, a);
    }
    mailauth_dns_answer_free(a);
    o->result = mailauth_spf_result(spf);
    const char *e = mailauth_spf_explanation(spf);
    snprintf(o->explanation, sizeof o->explanation, "%s", e ? e : "");
}

/* Runs one test blocking or step by step: the MAIL FROM identity, or — `helo_first`, as
 * mail-auth's harness does (a receiver policy RFC 7208 §2.3 allows) — the HELO identity, and
 * the MAIL FROM identity only when HELO passed. */
static void run_case(const zone *z, const char *receiver, const char *ip, const char *helo,
                     const char *mailfrom, int helo_first, int stepwise, outcome *o,
                     char *problem, size_t problem_size)
{
    mailauth_spf_options opts;
    mailauth_spf_options_init(&opts);
    opts.default_explanation = "DEFAULT";
    opts.receiver = receiver;
    mailauth_spf *spf = NULL;
    memset(o, 0, sizeof *o);
    o->rc = mailauth_spf_new(&opts, &spf);
    for (int pass = helo_first ? 0 : 1; !o->rc && pass < 2; pass++) {
        o->rc = mailauth_spf_begin(spf, pass ? MAILAUTH_SPF_MAILFROM : MAILAUTH_SPF_HELO, ip, helo,
                                   mailfrom);
        if (o->rc)
            break;
        if (stepwise)
            run_stepwise(spf, z, o);
        else
            run_blocking(spf, z, o);
        if (!pass && o->result != MAILAUTH_RESULT_PASS)
            break;
    }
    const char *p = mailauth_spf_problem(spf);
    if (problem)
        snprintf(problem, problem_size, "%s", p ? p : "");
    mailauth_spf_free(spf);
}

/* Runs one test; `results` the accepted verdict names (any one passes), `explanation` the
 * expected explanation or NULL. */
static void check(const char *id, const zone *z, const char *receiver, const char *ip,
                  const char *helo, const char *mailfrom, int helo_first,
                  const char *const *results, size_t nresults, const char *explanation)
{
    outcome blocking, stepwise;
    char problem[600];
    run_case(z, receiver, ip, helo, mailfrom, helo_first, 0, &blocking, problem, sizeof problem);
    run_case(z, receiver, ip, helo, mailfrom, helo_first, 1, &stepwise, NULL, 0);
    const char *got = mailauth_result_name(blocking.result);
    int ok = blocking.rc == 0;
    int result_ok = 0;
    for (size_t i = 0; i < nresults; i++)
        if (!strcasecmp(results[i], got))
            result_ok = 1;
    char want[200] = "";
    for (size_t i = 0; i < nresults; i++)
        snprintf(want + strlen(want), sizeof want - strlen(want), "%s%s", i ? "|" : "",
                 results[i]);
    if (!ok) {
        printf("FAIL %s: %s\n", id, mailauth_strerror(blocking.rc));
    } else if (!result_ok) {
        printf("FAIL %s: got %s, expected %s%s%s%s\n", id, got, want, *problem ? " (" : "",
               problem, *problem ? ")" : "");
        ok = 0;
    } else if (explanation && strcmp(explanation, blocking.explanation)) {
        printf("FAIL %s: explanation \"%s\", expected \"%s\"\n", id, blocking.explanation,
               explanation);
        ok = 0;
    } else if (stepwise.rc || stepwise.result != blocking.result ||
               strcmp(stepwise.explanation, blocking.explanation)) {
        printf("FAIL %s: step by step gave %s (%s), blocking %s\n", id,
               mailauth_result_name(stepwise.result), mailauth_strerror(stepwise.rc), got);
        ok = 0;
    }
    if (ok)
        passed++;
    else
        failed++;
}

/* ---- skips -------------------------------------------------------------------------------- */

/* Tests not run, each with the reason (also in README.md). */
static const struct {
    const char *file, *id, *reason;
} skips[] = {
    {"pyspf-test.yml", "default-modifier",
     "pyspf's lax mode reads the non-standard default= modifier; RFC 7208 §6 ignores unknown "
     "modifiers (the result is neutral)"},
    {"pyspf-test.yml", "default-modifier-harsh",
     "expects pyspf's own \"ambiguous\" result (strict=2), which RFC 7208 does not define"},
    {"mail-auth/all.yml", "14",
     "\"v=spf1 -all ip:10.0.0.1\": \"ip\" is not a mechanism, and RFC 7208 §4.6 makes a "
     "syntax error anywhere in the record a permerror; mail-auth ignores the unknown term"},
    {"mail-auth/basic.yml", "112",
     "ten a: mechanisms naming domains that do not exist: RFC 7208 §4.6.4 limits void "
     "lookups to two (permerror, as rfc7208-tests.yml:void-over-limit expects); mail-auth "
     "has no void-lookup limit"},
    {"mail-auth/exists.yml", "19",
     "exists: on a name with only AAAA records: RFC 7208 §5.7 looks up A records only, "
     "whatever the client's address family; mail-auth matches AAAA too"},
    {"mail-auth/macro.yml", "35",
     "exists:%{ir}.%{v}._spf.%{d2} for an IPv6 client names a domain with only an AAAA record: "
     "RFC 7208 §5.7 looks up A records only; mail-auth matches AAAA too"},
};

static const char *skip_reason(const char *file, const char *id)
{
    for (size_t i = 0; i < sizeof skips / sizeof *skips; i++)
        if (!strcmp(skips[i].file, file) && !strcmp(skips[i].id, id))
            return skips[i].reason;
    return NULL;
}

/* ---- the YAML suites ---------------------------------------------------------------------- */

static size_t scalar_len(yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? n->data.scalar.length : 0;
}

static void load_zone_entry(zone *z, yaml_document_t *d, const char *name, yaml_node_t *item)
{
    if (item->type == YAML_SCALAR_NODE) {
        if (!strcmp(su_scalar(item), "TIMEOUT"))
            zone_add(z, name, RR_TIMEOUT);
        return;
    }
    if (item->type != YAML_MAPPING_NODE)
        return;
    for (yaml_node_pair_t *p = item->data.mapping.pairs.start; p < item->data.mapping.pairs.top;
         p++) {
        const char *type = su_scalar(yaml_document_get_node(d, p->key));
        yaml_node_t *v = yaml_document_get_node(d, p->value);
        if (!type)
            continue;
        if (!strcmp(type, "A") || !strcmp(type, "AAAA")) {
            int v6 = type[1] == 'A';
            unsigned char addr[16] = {0};
            if (su_scalar(v) && inet_pton(v6 ? AF_INET6 : AF_INET, su_scalar(v), addr) == 1)
                memcpy(zone_add(z, name, v6 ? MAILAUTH_RR_AAAA : MAILAUTH_RR_A)->addr, addr,
                       16);
        } else if (!strcmp(type, "MX") && v->type == YAML_SEQUENCE_NODE &&
                   v->data.sequence.items.top - v->data.sequence.items.start == 2) {
            yaml_node_item_t *items = v->data.sequence.items.start;
            const char *pref = su_scalar(yaml_document_get_node(d, items[0]));
            const char *host = su_scalar(yaml_document_get_node(d, items[1]));
            rr *r = zone_add(z, name, MAILAUTH_RR_MX);
            r->pref = pref ? (unsigned)strtoul(pref, NULL, 10) : 0;
            r->target = norm_name(host ? host : "");
        } else if (!strcmp(type, "PTR") || !strcmp(type, "CNAME")) {
            rr *r = zone_add(z, name, type[0] == 'P' ? MAILAUTH_RR_PTR : MAILAUTH_RR_CNAME);
            r->target = norm_name(su_scalar(v) ? su_scalar(v) : "");
        } else if (!strcmp(type, "TXT") || !strcmp(type, "SPF")) {
            rr *r = zone_add(z, name, type[0] == 'T' ? MAILAUTH_RR_TXT : RR_SPF);
            if (v->type == YAML_SCALAR_NODE) {
                if (r->type == MAILAUTH_RR_TXT && !strcmp(su_scalar(v), "NONE"))
                    r->none = 1;
                else
                    rr_add_string(r, su_scalar(v), scalar_len(v));
            } else if (v->type == YAML_SEQUENCE_NODE) {
                for (yaml_node_item_t *it = v->data.sequence.items.start;
                     it < v->data.sequence.items.top; it++) {
                    yaml_node_t *s = yaml_document_get_node(d, *it);
                    if (su_scalar(s))
                        rr_add_string(r, su_scalar(s), scalar_len(s));
                }
            }
        }
    }
}

static void run_yaml_document(yaml_document_t *d, yaml_node_t *root, void *user)
{
    const char *file = user;
    zone z;
    memset(&z, 0, sizeof z);
    yaml_node_t *zd = su_map_get(d, root, "zonedata");
    if (zd && zd->type == YAML_MAPPING_NODE) {
        for (yaml_node_pair_t *p = zd->data.mapping.pairs.start; p < zd->data.mapping.pairs.top;
             p++) {
            const char *name = su_scalar(yaml_document_get_node(d, p->key));
            yaml_node_t *items = yaml_document_get_node(d, p->value);
            if (!name || !items || items->type != YAML_SEQUENCE_NODE)
                continue;
            for (yaml_node_item_t *it = items->data.sequence.items.start;
                 it < items->data.sequence.items.top; it++)
                load_zone_entry(&z, d, name, yaml_document_get_node(d, *it));
        }
    }
    yaml_node_t *tests = su_map_get(d, root, "tests");
    if (tests && tests->type == YAML_MAPPING_NODE) {
        for (yaml_node_pair_t *p = tests->data.mapping.pairs.start;
             p < tests->data.mapping.pairs.top; p++) {
            const char *id = su_scalar(yaml_document_get_node(d, p->key));
            yaml_node_t *t = yaml_document_get_node(d, p->value);
            if (!id || !t)
                continue;
            char full[300];
            snprintf(full, sizeof full, "%s:%s", file, id);
            const char *reason = skip_reason(file, id);
            if (reason) {
                if (verbose)
                    printf("SKIP %s: %s\n", full, reason);
                skipped++;
                continue;
            }
            const char *results[8];
            size_t nresults = 0;
            yaml_node_t *res = su_map_get(d, t, "result");
            if (res && res->type == YAML_SCALAR_NODE) {
                results[nresults++] = su_scalar(res);
            } else if (res && res->type == YAML_SEQUENCE_NODE) {
                for (yaml_node_item_t *it = res->data.sequence.items.start;
                     it < res->data.sequence.items.top && nresults < 8; it++)
                    if (su_scalar(yaml_document_get_node(d, *it)))
                        results[nresults++] = su_scalar(yaml_document_get_node(d, *it));
            }
            const char *helo = su_scalar(su_map_get(d, t, "helo"));
            const char *host = su_scalar(su_map_get(d, t, "host"));
            const char *mailfrom = su_scalar(su_map_get(d, t, "mailfrom"));
            const char *exp = su_scalar(su_map_get(d, t, "explanation"));
            const char *receiver = su_scalar(su_map_get(d, t, "receiver"));
            if (!nresults || !host) {
                printf("FAIL %s: malformed test\n", full);
                failed++;
                continue;
            }
            check(full, &z, receiver, host, helo ? helo : "", mailfrom ? mailfrom : "", 0,
                  results, nresults, exp);
        }
    }
    zone_clear(&z);
}

static int run_yaml_file(const char *dir, const char *file)
{
    char path[8400];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    int rc = su_yaml_each(path, file, run_yaml_document, (void *)file);
    if (rc < 0)
        printf("FAIL %s: cannot open\n", file);
    if (rc)
        failed++;
    return rc < 0 ? -1 : 0;
}

/* ---- mail-auth's line-oriented files ------------------------------------------------------ */

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

/* "name v1, v2, ...": the name in *name, the values split at commas into `vals`. */
static size_t split_values(char *s, char **name, char **vals, size_t max)
{
    *name = s;
    char *sp = strchr(s, ' ');
    if (!sp)
        return 0;
    *sp = '\0';
    size_t n = 0;
    char *p = sp + 1;
    while (n < max) {
        char *c = strchr(p, ',');
        if (c)
            *c = '\0';
        char *v = trim(p);
        if (*v)
            vals[n++] = v;
        if (!c)
            break;
        p = c + 1;
    }
    return n;
}

/* Applies one record line ("a", "aaaa", "mx", "ptr", "spf", "exp"). */
static void mail_auth_record(zone *z, const char *kind, char *rest)
{
    char *name, *vals[64];
    if (!strcmp(kind, "spf") || !strcmp(kind, "exp")) {
        char *sp = strchr(rest, ' ');
        if (!sp)
            return;
        *sp = '\0';
        zone_remove(z, rest, MAILAUTH_RR_TXT);
        rr *r = zone_add(z, rest, MAILAUTH_RR_TXT);
        char *text = trim(sp + 1);
        rr_add_string(r, text, strlen(text));
        return;
    }
    size_t n = split_values(rest, &name, vals, 64);
    if (!strcmp(kind, "a") || !strcmp(kind, "aaaa")) {
        int v6 = kind[1] == 'a';
        int type = v6 ? MAILAUTH_RR_AAAA : MAILAUTH_RR_A;
        zone_remove(z, name, type);
        for (size_t i = 0; i < n; i++) {
            unsigned char addr[16] = {0};
            if (inet_pton(v6 ? AF_INET6 : AF_INET, vals[i], addr) == 1)
                memcpy(zone_add(z, name, type)->addr, addr, 16);
        }
    } else if (!strcmp(kind, "mx")) {
        zone_remove(z, name, MAILAUTH_RR_MX);
        for (size_t i = 0; i < n; i++) {
            char host[200];
            snprintf(host, sizeof host, "mx.%s.%zu", vals[i], i);
            for (char *p = host; *p; p++)
                if (*p == ':')
                    *p = '-';
            rr *r = zone_add(z, name, MAILAUTH_RR_MX);
            r->pref = (unsigned)i + 1;
            r->target = norm_name(host);
            unsigned char addr[16] = {0};
            int v6 = strchr(vals[i], ':') != NULL;
            int type = v6 ? MAILAUTH_RR_AAAA : MAILAUTH_RR_A;
            zone_remove(z, host, type);
            if (inet_pton(v6 ? AF_INET6 : AF_INET, vals[i], addr) == 1)
                memcpy(zone_add(z, host, type)->addr, addr, 16);
        }
    } else if (!strcmp(kind, "ptr")) {
        char rev[80];
        if (mailauth_reverse_name(name, rev, sizeof rev))
            return;
        zone_remove(z, rev, MAILAUTH_RR_PTR);
        for (size_t i = 0; i < n; i++)
            zone_add(z, rev, MAILAUTH_RR_PTR)->target = norm_name(vals[i]);
    }
}

static int run_mail_auth_file(const char *dir, const char *file)
{
    char path[8400];
    snprintf(path, sizeof path, "%s/mail-auth/%s", dir, file);
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("FAIL mail-auth/%s: cannot open\n", file);
        failed++;
        return -1;
    }
    zone z;
    memset(&z, 0, sizeof z);
    z.dns_error_names = 1;
    char line[8192], domain[1024] = "", sender[1024] = "", ip[128] = "127.0.0.1";
    char name[512] = "";
    size_t lineno = 0, checks = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *s = trim(line);
        if (*s == '#' || !strcmp(s, "---"))
            continue;
        if (s[0] == '-' && s[1] == ' ')
            s = trim(s + 2);
        char *colon = strchr(s, ':');
        if (!colon)
            continue;
        *colon = '\0';
        char *key = s, *value = trim(colon + 1);
        if (!strcmp(key, "name")) {
            snprintf(name, sizeof name, "%s", value);
        } else if (!strcmp(key, "domain")) {
            snprintf(domain, sizeof domain, "%s", value);
        } else if (!strcmp(key, "sender")) {
            snprintf(sender, sizeof sender, "%s", value);
        } else if (!strcmp(key, "ip")) {
            snprintf(ip, sizeof ip, "%s", value);
        } else if (!strcmp(key, "expect")) {
            char *sp = strchr(value, ' ');
            const char *exp = NULL;
            if (sp) {
                *sp = '\0';
                exp = trim(sp + 1);
            }
            const char *results[1] = {value};
            char id[700], line_key[64], fkey[300];
            snprintf(id, sizeof id, "mail-auth/%s:%zu (%s; ip %s)", file, lineno, name, ip);
            snprintf(line_key, sizeof line_key, "%zu", lineno);
            snprintf(fkey, sizeof fkey, "mail-auth/%s", file);
            const char *reason = skip_reason(fkey, line_key);
            if (reason) {
                if (verbose)
                    printf("SKIP %s: %s\n", id, reason);
                skipped++;
                continue;
            }
            check(id, &z, "localdomain.org", ip, domain, sender, 1, results, 1, exp);
            checks++;
        } else if (!strcmp(key, "a") || !strcmp(key, "aaaa") || !strcmp(key, "mx") ||
                   !strcmp(key, "ptr") || !strcmp(key, "spf") || !strcmp(key, "exp")) {
            mail_auth_record(&z, key, value);
        }
    }
    zone_clear(&z);
    fclose(f);
    return (int)checks;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    char dir[4096];
    int rc = su_suite_dir(argc, argv, "spf", NULL, dir, sizeof dir, &verbose);
    if (rc)
        return rc;
    run_yaml_file(dir, "rfc7208-tests.yml");
    run_yaml_file(dir, "rfc4408-tests.yml");
    run_yaml_file(dir, "pyspf-test.yml");
    char madir[4200];
    snprintf(madir, sizeof madir, "%s/mail-auth", dir);
    DIR *md = opendir(madir);
    if (md) {
        char *names[256];
        size_t n = 0;
        struct dirent *e;
        while ((e = readdir(md)) && n < 256) {
            size_t len = strlen(e->d_name);
            if (len > 4 && !strcmp(e->d_name + len - 4, ".yml"))
                names[n++] = su_xstrdup(e->d_name);
        }
        closedir(md);
        qsort(names, n, sizeof *names, by_name);
        for (size_t i = 0; i < n; i++) {
            run_mail_auth_file(dir, names[i]);
            free(names[i]);
        }
    }
    return su_summary(passed, failed, skipped);
}
