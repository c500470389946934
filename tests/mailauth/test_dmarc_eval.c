/* test_dmarc_eval.c — the DMARC check over an in-memory zone: the alignment table, policy
 * discovery (p, sp, np, missing p), several and invalid records, DNS failures, the From
 * field and its several Author Domains, the RFC 9989 DNS Tree Walk and its 8-query cap,
 * pct= sampling and t=, report destination authorisation, the Organizational Domain by the
 * list, and that step-by-step and blocking runs agree on every case. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mailauth.h"

static mailauth_psl *psl;

static int group_setup(void **state)
{
    (void)state;
    return mailauth_psl_new(NULL, &psl);
}

static int group_teardown(void **state)
{
    (void)state;
    mailauth_psl_free(psl);
    return 0;
}

static mailauth_zone *zone(const char *text)
{
    mailauth_zone *z = NULL;
    mailauth_zone_error err;
    assert_int_equal(mailauth_zone_new(NULL, &z), 0);
    int rc = mailauth_zone_load(z, text, strlen(text), ".", &err);
    if (rc)
        fail_msg("zone: %s at line %zu", err.message, err.line);
    return z;
}

/* A resolver over a zone that counts and remembers the names asked. */
struct counting {
    const mailauth_zone *z;
    unsigned lookups;
    char names[32][256];
    int types[32];
};

static int counting_lookup(void *user, const char *name, int type, mailauth_dns_answer *a)
{
    struct counting *c = user;
    if (c->lookups < 32) {
        snprintf(c->names[c->lookups], sizeof c->names[0], "%s", name);
        c->types[c->lookups] = type;
    }
    c->lookups++;
    return mailauth_zone_lookup(c->z, name, type, a);
}

typedef struct input {
    const char *from;        /* From field value */
    const char *from_domain; /* or the domain itself */
    const char *spf;
    int spf_result;
    const char *dkim[4];
    int dkim_result[4];
} input;

static mailauth_dmarc_options opts_for(int mode)
{
    mailauth_dmarc_options o;
    mailauth_dmarc_options_init(&o);
    o.mode = mode;
    o.psl = psl;
    return o;
}

static mailauth_dmarc *make(const mailauth_dmarc_options *o, const input *in)
{
    mailauth_dmarc *dm = NULL;
    assert_int_equal(mailauth_dmarc_new(o, &dm), 0);
    if (in->from_domain)
        assert_int_equal(mailauth_dmarc_set_from_domain(dm, in->from_domain), 0);
    else
        assert_int_equal(mailauth_dmarc_set_from(dm, in->from, strlen(in->from)), 0);
    if (in->spf)
        assert_int_equal(mailauth_dmarc_set_spf(dm, in->spf, in->spf_result), 0);
    for (int i = 0; i < 4 && in->dkim[i]; i++)
        assert_int_equal(mailauth_dmarc_add_dkim(dm, in->dkim[i], in->dkim_result[i]), 0);
    return dm;
}

static void same_string(const char *a, const char *b)
{
    if (!a || !b)
        assert_ptr_equal(a, b);
    else
        assert_string_equal(a, b);
}

/* Runs the check blocking and step by step; asserts both agree and returns the blocking one
 * (the caller frees it). *lookups gets the number of lookups. */
static mailauth_dmarc *check_counted(const mailauth_dmarc_options *o, const mailauth_zone *z,
                                     const input *in, struct counting *c)
{
    mailauth_resolver r;
    mailauth_resolver_init(&r);
    memset(c, 0, sizeof *c);
    c->z = z;
    r.lookup = counting_lookup;
    r.user = c;
    mailauth_dmarc *dm = make(o, in);
    assert_int_equal(mailauth_dmarc_run(dm, &r), 0);

    mailauth_dmarc *st = make(o, in);
    mailauth_dns_answer *a;
    assert_int_equal(mailauth_dns_answer_new(&a), 0);
    mailauth_query q;
    unsigned steps = 0;
    int rc;
    while ((rc = mailauth_dmarc_step(st, &q)) == MAILAUTH_NEED_DNS) {
        assert_int_equal(mailauth_resolve(&r, q.name, q.type, a), 0);
        assert_int_equal(mailauth_dmarc_answer(st, a), 0);
        assert_true(++steps < 100);
    }
    assert_int_equal(rc, 0);
    assert_int_equal(steps, c->lookups / 2);
    c->lookups = steps;
    assert_int_equal(mailauth_dmarc_result(st), mailauth_dmarc_result(dm));
    assert_string_equal(mailauth_dmarc_reason(st), mailauth_dmarc_reason(dm));
    assert_int_equal(mailauth_dmarc_policy(st), mailauth_dmarc_policy(dm));
    assert_int_equal(mailauth_dmarc_disposition(st), mailauth_dmarc_disposition(dm));
    assert_int_equal(mailauth_dmarc_policy_tag(st), mailauth_dmarc_policy_tag(dm));
    assert_int_equal(mailauth_dmarc_sampled_out(st), mailauth_dmarc_sampled_out(dm));
    assert_int_equal(mailauth_dmarc_spf_alignment(st), mailauth_dmarc_spf_alignment(dm));
    assert_int_equal(mailauth_dmarc_dkim_alignment(st), mailauth_dmarc_dkim_alignment(dm));
    for (size_t i = 0; i < mailauth_dmarc_dkim_count(dm); i++)
        assert_int_equal(mailauth_dmarc_dkim_alignment_at(st, i),
                         mailauth_dmarc_dkim_alignment_at(dm, i));
    same_string(mailauth_dmarc_from_domain(st), mailauth_dmarc_from_domain(dm));
    same_string(mailauth_dmarc_org_domain(st), mailauth_dmarc_org_domain(dm));
    same_string(mailauth_dmarc_record_domain(st), mailauth_dmarc_record_domain(dm));
    assert_int_equal(mailauth_dmarc_get_record(st) != NULL, mailauth_dmarc_get_record(dm) != NULL);
    mailauth_dns_answer_free(a);
    mailauth_dmarc_free(st);
    return dm;
}

static mailauth_dmarc *check(const mailauth_dmarc_options *o, const mailauth_zone *z,
                             const input *in)
{
    struct counting c;
    return check_counted(o, z, in, &c);
}

#define PASS MAILAUTH_RESULT_PASS
#define FAIL MAILAUTH_RESULT_FAIL
#define NONE MAILAUTH_RESULT_NONE

/* ---- alignment ------------------------------------------------------------------------- */

static void alignment_table(void **state)
{
    (void)state;
    static const struct {
        const char *record, *spf;
        int spf_result;
        const char *dkim;
        int dkim_result;
        int spf_aligned, dkim_aligned, result;
    } cases[] = {
        {"v=DMARC1; p=reject; aspf=s; adkim=s", "example.org", PASS, "example.org", PASS, PASS,
         PASS, PASS},
        {"v=DMARC1; p=reject; aspf=r; adkim=r", "sub.example.org", PASS, "sub.example.org", PASS,
         PASS, PASS, PASS},
        {"v=DMARC1; p=reject; aspf=s; adkim=s", "sub.example.org", PASS, "sub.example.org", PASS,
         FAIL, FAIL, FAIL},
        {"v=DMARC1; p=reject; aspf=s; adkim=s", "example.org", FAIL, "example.org", FAIL, NONE,
         NONE, FAIL},
        {"v=DMARC1; p=reject", "EXAMPLE.ORG.", PASS, NULL, 0, PASS, NONE, PASS},
        {"v=DMARC1; p=reject", "example.net", PASS, "example.com", PASS, FAIL, FAIL, FAIL},
        {"v=DMARC1; p=reject", "example.org.evil.test", PASS, "xexample.org", PASS, FAIL, FAIL,
         FAIL},
        {"v=DMARC1; p=reject; aspf=s", "a.example.org", PASS, "b.example.org", PASS, FAIL, PASS,
         PASS},
        {"v=DMARC1; p=reject", "example.org", MAILAUTH_RESULT_SOFTFAIL, "example.org",
         MAILAUTH_RESULT_NEUTRAL, NONE, NONE, FAIL},
    };
    for (int mode = 0; mode < 2; mode++)
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            char text[256];
            snprintf(text, sizeof text, "_dmarc.example.org. TXT \"%s\"\n", cases[i].record);
            mailauth_zone *z = zone(text);
            mailauth_dmarc_options o = opts_for(mode);
            input in = {.from = "Hello <hello@example.org>", .spf = cases[i].spf,
                        .spf_result = cases[i].spf_result, .dkim = {cases[i].dkim},
                        .dkim_result = {cases[i].dkim_result}};
            mailauth_dmarc *dm = check(&o, z, &in);
            if (mailauth_dmarc_spf_alignment(dm) != cases[i].spf_aligned ||
                mailauth_dmarc_dkim_alignment(dm) != cases[i].dkim_aligned ||
                mailauth_dmarc_result(dm) != cases[i].result)
                fail_msg("mode %d case %zu: spf %d dkim %d result %d", mode, i,
                         mailauth_dmarc_spf_alignment(dm), mailauth_dmarc_dkim_alignment(dm),
                         mailauth_dmarc_result(dm));
            assert_int_equal(mailauth_dmarc_policy(dm), MAILAUTH_DMARC_POLICY_REJECT);
            assert_int_equal(mailauth_dmarc_disposition(dm), cases[i].result == PASS
                                                                 ? MAILAUTH_DMARC_POLICY_NONE
                                                                 : MAILAUTH_DMARC_POLICY_REJECT);
            assert_string_equal(mailauth_dmarc_org_domain(dm), "example.org");
            mailauth_dmarc_free(dm);
            mailauth_zone_free(z);
        }
}

static void relaxed_alignment_follows_public_suffixes(void **state)
{
    (void)state;
    mailauth_zone *z = zone("_dmarc.example.co.uk. TXT \"v=DMARC1; p=quarantine\"\n"
                            "news.example.co.uk. A 192.0.2.1\n");
    mailauth_dmarc_options o = opts_for(MAILAUTH_DMARC_MODE_RFC7489);
    input in = {.from = "news@news.example.co.uk", .spf = "bounce.example.co.uk",
                .spf_result = PASS, .dkim = {"other.co.uk"}, .dkim_result = {PASS}};
    mailauth_dmarc *dm = check(&o, z, &in);
    assert_int_equal(mailauth_dmarc_result(dm), PASS);
    assert_int_equal(mailauth_dmarc_spf_alignment(dm), PASS);
    assert_int_equal(mailauth_dmarc_dkim_alignment(dm), FAIL);
    assert_string_equal(mailauth_dmarc_org_domain(dm), "example.co.uk");
    assert_string_equal(mailauth_dmarc_record_domain(dm), "example.co.uk");
    assert_int_equal(mailauth_dmarc_policy(dm), MAILAUTH_DMARC_POLICY_QUARANTINE);
    assert_int_equal(mailauth_dmarc_policy_tag(dm), MAILAUTH_DMARC_TAG_SP);
    mailauth_dmarc_free(dm);
    mailauth_zone_free(z);
}

static void best_dkim_signature_counts(void **state)
{
    (void)state;
    mailauth_zone *z = zone("_dmarc.example.org. TXT \"v=DMARC1; p=reject\"\n");
    mailauth_dmarc_options o = opts_for(MAILAUTH_DMARC_MODE_RFC7489);
    input in = {.from = "a@example.org",
                .dkim = {"esp.example", "example.org", "example.org", "bad..name"},
                .dkim_result = {PASS, FAIL, PASS, PASS}};
    mailauth_dmarc *dm = check(&o, z, &in);
    assert_int_equal(mailauth_dmarc_result(dm), PASS);
    assert_int_equal(mailauth_dmarc_dkim_count(dm), 4);
    assert_int_equal(mailauth_dmarc_dkim_alignment_at(dm, 0), FAIL);
    assert_int_equal(mailauth_dmarc_dkim_alignment_at(dm, 1), NONE);
    assert_int_equal(mailauth_dmarc_dkim_alignment_at(dm, 2), PASS);
    assert_int_equal(mailauth_dmarc_dkim_alignment_at(dm, 3), FAIL);
    assert_int_equal(mailauth_dmarc_dkim_alignment(dm), PASS);
    assert_int_equal(mailauth_dmarc_spf_alignment(dm), NONE);
    mailauth_dmarc_free(dm);
    mailauth_zone_free(z);
}

/* ---- policy discovery ------------------------------------------------------------------ */

static const char *discovery_zone =
    "_dmarc.example.org. TXT \"v=DMARC1; p=reject; sp=quarantine; np=none\"\n"
    "sub.example.org. A 127.0.0.1\n"
    "v6.example.org. AAAA ::1\n"
    "mx.example.org. MX 10 mail.example.net.\n"
    "empty.example.org. TXT \"not an address\"\n";

static void policy_by_domain_kind(void **state)
{
    (void)state;
    static const struct {
        const char *from;
        int policy;
        unsigned tag;
    } cases[] = {
        {"hello@example.org", MAILAUTH_DMARC_POLICY_REJECT, MAILAUTH_DMARC_TAG_P},
        {"hello@sub.example.org", MAILAUTH_DMARC_POLICY_QUARANTINE, MAILAUTH_DMARC_TAG_SP},
        {"hello@v6.example.org", MAILAUTH_DMARC_POLICY_QUARANTINE, MAILAUTH_DMARC_TAG_SP},
        {"hello@mx.example.org", MAILAUTH_DMARC_POLICY_QUARANTINE, MAILAUTH_DMARC_TAG_SP},
        {"hello@empty.example.org", MAILAUTH_DMARC_POLICY_NONE, MAILAUTH_DMARC_TAG_NP},
        {"hello@ghost.example.org", MAILAUTH_DMARC_POLICY_NONE, MAILAUTH_DMARC_TAG_NP},
    };
    mailauth_zone *z = zone(discovery_zone);
    for (int mode = 0; mode < 2; mode++)
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            mailauth_dmarc_options o = opts_for(mode);
            input in = {.from = cases[i].from};
            mailauth_dmarc *dm = check(&o, z, &in);
            assert_int_equal(mailauth_dmarc_result(dm), FAIL);
            assert_string_equal(mailauth_dmarc_record_domain(dm), "example.org");
            if (mailauth_dmarc_policy(dm) != cases[i].policy ||
                mailauth_dmarc_policy_tag(dm) != cases[i].tag)
                fail_msg("mode %d %s: policy %d tag %u", mode, cases[i].from,
                         mailauth_dmarc_policy(dm), mailauth_dmarc_policy_tag(dm));
            assert_int_equal(mailauth_dmarc_disposition(dm), cases[i].policy);
            mailauth_dmarc_free(dm);
        }
    mailauth_zone_free(z);
}

static void existence_is_asked_only_when_np_differs(void **state)
{
    (void)state;
    mailauth_zone *z = zone("_dmarc.example.org. TXT \"v=DMARC1; p=reject; sp=quarantine\"\n");
    mailauth_dmarc_options o = opts_for(MAILAUTH_DMARC_MODE_RFC7489);
    input in = {.from = "a@ghost.example.org"};
    struct counting c;
    mailauth_dmarc *dm = check_counted(&o, z, &in, &c);
    assert_int_equal(mailauth_dmarc_policy(dm), MAILAUTH_DMARC_POLICY_QUARANTINE);
    assert_int_equal(c.lookups, 2); /* _dmarc.ghost.example.org, _dmarc.example.org */
    mailauth_dmarc_free(dm);
    mailauth_zone_free(z);
}

static void missing_p_with_rua_is_none(void **state)
{
    (void)state;
    mailauth_zone *z = zone("_dmarc.example.org. TXT \"v=DMARC1; rua=mailto:d@example.org\"\n");
    for (int mode = 0; mode < 2; mode++) {
        mailauth_dmarc_options o = opts_for(mode);
        input in = {.from = "hello@example.org"};
        mailauth_dmarc *dm = check(&o, z, &in);
        assert_int_equal(mailauth_dmarc_result(dm), FAIL);
        assert_int_equal(mailauth_dmarc_policy(dm), MAILAUTH_DMARC_POLICY_NONE);
        assert_int_equal(mailauth_dmarc_disposition(dm), MAILAUTH_DMARC_POLICY_NONE);
        mailauth_dmarc_free(dm);
    }
    mailauth_zone_free(z);
}

static void no_record_is_none(void **state)
{
    (void)state;
    mailauth_zone *z = zone("nothing.example. TXT \"v=spf1 -all\"\n"
                            "_dmarc.nothing.example. TXT \"v=spf1 -all\"\n");
    for (int mode = 0; mode < 2; mode++) {
        mailauth_dmarc_options o = opts_for(mode);
        input in = {.from = "hello@nothing.example", .spf = "nothing.example", .spf_result = PASS};
        mailauth_dmarc *dm = check(&o, z, &in);
        assert_int_equal(mailauth_dmarc_result(dm), NONE);
        assert_null(mailauth_dmarc_get_record(dm));
        assert_null(mailauth_dmarc_record_domain(dm));
        assert_int_equal(mailauth_dmarc_spf_alignment(dm), NONE);
        assert_int_equal(mailauth_dmarc_disposition(dm), MAILAUTH_DMARC_POLICY_NONE);
        mailauth_dmarc_free(dm);
    }
    mailauth_zone_free(z);
}

static void several_records(void **state)
{
    (void)state;
    mailauth_zone *z = zone("_dmarc.a.example.org. TXT \"v=DMARC1; p=none\"\n"
                            "_dmarc.a.example.org. TXT \"v=DMARC1; p=reject\"\n"
                            "_dmarc.a.example.org. TXT \"something else\"\n"
                            "_dmarc.example.org. TXT \"v=DMARC1; p=quarantine\"\n");
    input in = {.from = "x@a.example.org"};
    /* RFC 7489 §6.6.3 step 5: the search ends, DMARC is not applied. */
    mailauth_dmarc_options o = opts_for(MAILAUTH_DMARC_MODE_RFC7489);
    mailauth_dmarc *dm = check(&o, z, &in);
    assert_int_equal(mailauth_dmarc_result(dm), MAILAUTH_RESULT_PERMERROR);
    assert_string_equal(mailauth_dmarc_reason(dm), "several DMARC records were published");
    assert_int_equal(mailauth_dmarc_disposition(dm), MAILAUTH_DMARC_POLICY_NONE);
    mailauth_dmarc_free(dm);
    /* RFC 9989 §4.10: they are discarded and the walk goes on. */
    o = opts_for(MAILAUTH_DMARC_MODE_RFC9989);
    dm = check(&o, z, &in);
    assert_int_equal(mailauth_dmarc_result(dm), FAIL);
    assert_string_equal(mailauth_dmarc_record_domain(dm), "example.org");
    assert_int_equal(mailauth_dmarc_policy(dm), MAILAUTH_DMARC_POLICY_QUARANTINE);
    mailauth_dmarc_free(dm);
    mailauth_zone_free(z);
}

static void invalid_record_is_permerror(void **state)
{
    (void)state;
    mailauth_zone *z = zone("_dmarc.example.org. TXT \"v=DMARC1; p=bogus\"\n");
    for (int mode = 0; mode < 2; mode++) {
        mailauth_dmarc_options o = opts_for(mode);
        input in = {.from = "x@example.org"};
        mailauth_dmarc *dm = check(&o, z, &in);
        assert_int_equal(mailauth_dmarc_result(dm), MAILAUTH_RESULT_PERMERROR);
        assert_string_equal(mailauth_dmarc_reason(dm), "the DMARC record is not valid");
        mailauth_dmarc_free(dm);
    }
    mailauth_zone_free(z);
}

static void dns_failure_is_temperror(void **state)
{
    (void)state;
    mailauth_zone *z = zone("_dmarc.example.org. TXT \"v=DMARC1; p=reject\"\n");
    assert_int_equal(mailauth_zone_fail(z, "_dmarc.example.org", 0, MAILAUTH_DNS_TEMPFAIL), 0);
    for (int mode = 0; mode < 2; mode++) {
        mailauth_dmarc_options o = opts_for(mode);
        input in = {.from = "x@a.example.org"};
        mailauth_dmarc *dm = check(&o, z, &in);
        assert_int_equal(mailauth_dmarc_result(dm), MAILAUTH_RESULT_TEMPERROR);
        assert_int_equal(mailauth_dmarc_disposition(dm), MAILAUTH_DMARC_POLICY_NONE);
        mailauth_dmarc_free(dm);
    }
    mailauth_zone_free(z);
}

static void failed_existence_lookup_counts_as_existing(void **state)
{
    (void)state;
    mailauth_zone *z = zone(discovery_zone);
    assert_int_equal(mailauth_zone_fail(z, "ghost.example.org", MAILAUTH_RR_A,
                                        MAILAUTH_DNS_TEMPFAIL), 0);
    mailauth_dmarc_options o = opts_for(MAILAUTH_DMARC_MODE_RFC7489);
    input in = {.from = "x@ghost.example.org"};
    mailauth_dmarc *dm = check(&o, z, &in);
    assert_int_equal(mailauth_dmarc_policy(dm), MAILAUTH_DMARC_POLICY_QUARANTINE);
    mailauth_dmarc_free(dm);
    mailauth_zone_free(z);
}

/* ---- the From field ------------------------------------------------------------------- */

static void from_field_gives_the_author_domain(void **state)
{
    (void)state;
    static const struct {
        const char *from, *domain;
    } cases[] = {
        {"Joe Johnson <joe@Joe.COM>", "joe.com"},
        {"\"Joe, J\" <joe@joe.com>, other@JOE.com", "joe.com"},
        {"(comment) joe@joe.com.", "joe.com"},
        {"Müller <m@bücher.example>", "xn--bcher-kva.example"},
        {"a@b.example, c@d.example", "b.example"}, /* several: the first until done */
        {"undisclosed-recipients:;", NULL},
        {"", NULL},
        {"joe@[192.0.2.1]", NULL},
        {"joe@a..b", NULL},
    };
    mailauth_zone *z = zone("_dmarc.joe.com. TXT \"v=DMARC1; p=none\"\n");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mailauth_dmarc_options o = opts_for(MAILAUTH_DMARC_MODE_RFC7489);
        input in = {.from = cases[i].from};
        struct counting c;
        mailauth_dmarc *dm = check_counted(&o, z, &in, &c);
        same_string(mailauth_dmarc_from_domain(dm), cases[i].domain);
        if (!cases[i].domain) {
            assert_int_equal(mailauth_dmarc_result(dm), MAILAUTH_RESULT_PERMERROR);
            assert_int_equal(c.lookups, 0);
        } else {
            assert_int_not_equal(mailauth_dmarc_result(dm), MAILAUTH_RESULT_PERMERROR);
        }
        mailauth_dmarc_free(dm);
    }
    mailauth_zone_free(z);
}

/* ---- several Author Domains (RFC 7489 §6.6.1) ----------------------------------------- */

static const char *authors_zone = "_dmarc.good.example. TXT \"v=DMARC1; p=reject\"\n"
                                  "_dmarc.other.example. TXT \"v=DMARC1; p=reject\"\n"
                                  "_dmarc.bad.example. TXT \"v=DMARC1; p=reject\"\n"
                                  "_dmarc.soft.example. TXT \"v=DMARC1; p=quarantine\"\n"
                                  "_dmarc.temp.example. TXT \"v=DMARC1; p=reject\"\n";

static mailauth_zone *authors_zone_new(void)
{
    mailauth_zone *z = zone(authors_zone);
    assert_int_equal(mailauth_zone_fail(z, "_dmarc.temp.example", 0, MAILAUTH_DNS_TEMPFAIL), 0);
    return z;
}

/* The i-th Author Domain is `domain` with `result` and `policy`. */
static void author_is(const mailauth_dmarc *dm, size_t i, const char *domain, int result,
                      int policy)
{
    const char *d;
    int r, p;
    assert_int_equal(mailauth_dmarc_author_at(dm, i, &d, &r, &p), 0);
    assert_string_equal(d, domain);
    assert_int_equal(r, result);
    assert_int_equal(p, policy);
}

static void several_author_domains(void **state)
{
    (void)state;
    enum { Q = MAILAUTH_DMARC_POLICY_QUARANTINE, R = MAILAUTH_DMARC_POLICY_REJECT };
    enum { TEMP = MAILAUTH_RESULT_TEMPERROR };
    static const struct {
        const char *from;
        int result, policy;
        const char *decider; /* from_domain() and record_domain() when done */
        size_t count;
        struct {
            const char *domain;
            int result, policy;
        } each[3];
    } cases[] = {
        /* both pass (SPF aligns with good.example, DKIM with other.example) */
        {"a@good.example, b@other.example", PASS, R, "good.example", 2,
         {{"good.example", PASS, R}, {"other.example", PASS, R}}},
        /* one passes, one fails with p=reject */
        {"a@good.example, b@bad.example", FAIL, R, "bad.example", 2,
         {{"good.example", PASS, R}, {"bad.example", FAIL, R}}},
        /* two fail: reject wins over quarantine, in either order */
        {"a@soft.example, b@bad.example", FAIL, R, "bad.example", 2,
         {{"soft.example", FAIL, Q}, {"bad.example", FAIL, R}}},
        {"a@bad.example, b@soft.example", FAIL, R, "bad.example", 2,
         {{"bad.example", FAIL, R}, {"soft.example", FAIL, Q}}},
        /* quarantine alone among the failing ones */
        {"a@good.example, b@soft.example", FAIL, Q, "soft.example", 2,
         {{"good.example", PASS, R}, {"soft.example", FAIL, Q}}},
        /* a temperror beats a pass, a fail beats a temperror */
        {"a@good.example, b@temp.example", TEMP, 0, NULL, 2,
         {{"good.example", PASS, R}, {"temp.example", TEMP, 0}}},
        {"a@temp.example, b@bad.example, c@good.example", FAIL, R, "bad.example", 3,
         {{"temp.example", TEMP, 0}, {"bad.example", FAIL, R}, {"good.example", PASS, R}}},
        /* no record for one: the pass stands */
        {"a@nothing.example, b@good.example", PASS, R, "good.example", 2,
         {{"nothing.example", NONE, 0}, {"good.example", PASS, R}}},
        /* one domain however often and however written */
        {"A <a@Good.EXAMPLE>, b@good.example., c@good.example", PASS, R, "good.example", 1,
         {{"good.example", PASS, R}}},
    };
    mailauth_zone *z = authors_zone_new();
    for (int mode = 0; mode < 2; mode++)
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            mailauth_dmarc_options o = opts_for(mode);
            input in = {.from = cases[i].from,
                        .spf = "good.example",
                        .spf_result = PASS,
                        .dkim = {"other.example"},
                        .dkim_result = {PASS}};
            mailauth_dmarc *dm = check(&o, z, &in);
            if (mailauth_dmarc_result(dm) != cases[i].result ||
                mailauth_dmarc_policy(dm) != cases[i].policy)
                fail_msg("mode %d %s: result %d policy %d", mode, cases[i].from,
                         mailauth_dmarc_result(dm), mailauth_dmarc_policy(dm));
            assert_int_equal(mailauth_dmarc_disposition(dm),
                             cases[i].result == FAIL ? cases[i].policy : 0);
            assert_int_equal(mailauth_dmarc_author_count(dm), cases[i].count);
            for (size_t k = 0; k < cases[i].count; k++)
                author_is(dm, k, cases[i].each[k].domain, cases[i].each[k].result,
                          cases[i].each[k].policy);
            assert_int_equal(mailauth_dmarc_author_at(dm, cases[i].count, NULL, NULL, NULL),
                             MAILAUTH_E_INVAL);
            const char *decider = cases[i].decider ? cases[i].decider : "temp.example";
            assert_string_equal(mailauth_dmarc_from_domain(dm), decider);
            same_string(mailauth_dmarc_record_domain(dm), cases[i].decider);
            mailauth_dmarc_free(dm);
        }
    mailauth_zone_free(z);
}

static void author_domains_are_bounded(void **state)
{
    (void)state;
    char from[512];
    mailauth_zone *z = authors_zone_new();
    for (int n = MAILAUTH_DMARC_MAX_AUTHORS; n <= MAILAUTH_DMARC_MAX_AUTHORS + 1; n++) {
        size_t len = 0;
        for (int k = 0; k < n; k++)
            len += (size_t)snprintf(from + len, sizeof from - len, "%sx@d%d.example",
                                    k ? ", " : "", k);
        for (int mode = 0; mode < 2; mode++) {
            mailauth_dmarc_options o = opts_for(mode);
            input in = {.from = from};
            struct counting c;
            mailauth_dmarc *dm = check_counted(&o, z, &in, &c);
            if (n > MAILAUTH_DMARC_MAX_AUTHORS) {
                assert_int_equal(mailauth_dmarc_result(dm), MAILAUTH_RESULT_PERMERROR);
                assert_int_equal(c.lookups, 0);
                assert_int_equal(mailauth_dmarc_author_count(dm), 0);
                assert_null(mailauth_dmarc_from_domain(dm));
            } else {
                assert_int_equal(mailauth_dmarc_result(dm), NONE);
                assert_int_equal(mailauth_dmarc_author_count(dm), (size_t)n);
                author_is(dm, (size_t)n - 1, "d7.example", NONE, 0);
                assert_string_equal(mailauth_dmarc_from_domain(dm), "d0.example");
            }
            mailauth_dmarc_free(dm);
        }
    }
    /* The first Author Domain until the check is done, however far it has gone. */
    {
        mailauth_dmarc_options o = opts_for(MAILAUTH_DMARC_MODE_RFC7489);
        input in = {.from = "a@soft.example, b@bad.example"};
        mailauth_dmarc *dm = make(&o, &in);
        mailauth_query q;
        mailauth_dns_answer *a;
        assert_int_equal(mailauth_dns_answer_new(&a), 0);
        int rc;
        while ((rc = mailauth_dmarc_step(dm, &q)) == MAILAUTH_NEED_DNS) {
            assert_string_equal(mailauth_dmarc_from_domain(dm), "soft.example");
            assert_int_equal(mailauth_zone_lookup(z, q.name, q.type, a), 0);
            assert_int_equal(mailauth_dmarc_answer(dm, a), 0);
        }
        assert_int_equal(rc, 0);
        assert_string_equal(mailauth_dmarc_from_domain(dm), "bad.example");
        mailauth_dns_answer_free(a);
        mailauth_dmarc_free(dm);
    }
    /* An invalid domain among several spoils the field. */
    mailauth_dmarc_options o = opts_for(MAILAUTH_DMARC_MODE_RFC7489);
    input in = {.from = "a@good.example, b@a..b"};
    mailauth_dmarc *dm = check(&o, z, &in);
    assert_int_equal(mailauth_dmarc_result(dm), MAILAUTH_RESULT_PERMERROR);
    assert_int_equal(mailauth_dmarc_author_count(dm), 0);
    mailauth_dmarc_free(dm);
    mailauth_zone_free(z);
}

/* ---- RFC 9989 DNS Tree Walk ------------------------------------------------------------ */

static void tree_walk_psd_n_marks_org_domain(void **state)
{
    (void)state;
    mailauth_zone *z = zone("_dmarc.mail.example.com. TXT \"v=DMARC1; p=reject; psd=n; "
                            "rua=mailto:d@example.com\"\n"
                            "a.mail.example.com. A 127.0.0.1\n");
    mailauth_dmarc_options o = opts_for(MAILAUTH_DMARC_MODE_RFC9989);
    input in = {.from = "hello@a.mail.example.com", .spf = "b.mail.example.com",
                .spf_result = PASS};
    mailauth_dmarc *dm = check(&o, z, &in);
    assert_int_equal(mailauth_dmarc_spf_alignment(dm), PASS);
    assert_int_equal(mailauth_dmarc_result(dm), PASS);
    assert_string_equal(mailauth_dmarc_org_domain(dm), "mail.example.com");
    mailauth_dmarc_free(dm);
    /* With the list instead, the Organizational Domain is example.com: still aligned. */
    o = opts_for(MAILAUTH_DMARC_MODE_RFC7489);
    dm = check(&o, z, &in);
    assert_string_equal(mailauth_dmarc_org_domain(dm), "example.com");
    assert_int_equal(mailauth_dmarc_result(dm), NONE); /* no _dmarc.example.com */
    mailauth_dmarc_free(dm);
    mailauth_zone_free(z);
}

static void tree_walk_psd_y_splits_org_domains(void **state)
{
    (void)state;
    mailauth_zone *z = zone(
        "_dmarc.bank.example. TXT \"v=DMARC1; p=reject; psd=y; rua=mailto:d@bank.example\"\n"
        "_dmarc.giant.bank.example. TXT \"v=DMARC1; p=reject; rua=mailto:d@giant.bank.example\"\n");
    mailauth_dmarc_options o = opts_for(MAILAUTH_DMARC_MODE_RFC9989);
    input in = {.from = "hello@giant.bank.example", .spf = "mega.bank.example",
                .spf_result = PASS, .dkim = {"x.giant.bank.example"}, .dkim_result = {PASS}};
    mailauth_dmarc *dm = check(&o, z, &in);
    assert_int_equal(mailauth_dmarc_spf_alignment(dm), FAIL);
    assert_int_equal(mailauth_dmarc_dkim_alignment(dm), PASS);
    assert_string_equal(mailauth_dmarc_org_domain(dm), "giant.bank.example");
    mailauth_dmarc_free(dm);
    mailauth_zone_free(z);
}

static void tree_walk_psd_y_at_start_goes_on(void **state)
{
    (void)state;
    mailauth_zone *z = zone("_dmarc.psd.example. TXT \"v=DMARC1; p=reject; psd=y\"\n"
                            "_dmarc.example. TXT \"v=DMARC1; p=none\"\n");
    mailauth_dmarc_options o = opts_for(MAILAUTH_DMARC_MODE_RFC9989);
    input in = {.from = "a@psd.example", .spf = "x.example", .spf_result = PASS};
    mailauth_dmarc *dm = check(&o, z, &in);
    /* The record with the fewest labels names the Organizational Domain: example. */
    assert_string_equal(mailauth_dmarc_org_domain(dm), "example");
    assert_string_equal(mailauth_dmarc_record_domain(dm), "psd.example");
    assert_int_equal(mailauth_dmarc_spf_alignment(dm), PASS);
    mailauth_dmarc_free(dm);
    mailauth_zone_free(z);
}

static void tree_walk_asks_at_most_eight_names(void **state)
{
    (void)state;
    static const char *const asked[] = {
        "_dmarc.a.b.c.d.e.f.g.h.i.j.mail.example.com", "_dmarc.g.h.i.j.mail.example.com",
        "_dmarc.h.i.j.mail.example.com", "_dmarc.i.j.mail.example.com",
        "_dmarc.j.mail.example.com", "_dmarc.mail.example.com", "_dmarc.example.com",
    };
    mailauth_zone *z = zone("_dmarc.example.com. TXT \"v=DMARC1; p=reject; np=none; "
                            "rua=mailto:d@example.com\"\n");
    mailauth_dmarc_options o = opts_for(MAILAUTH_DMARC_MODE_RFC9989);
    input in = {.from = "hello@a.b.c.d.e.f.g.h.i.j.mail.example.com"};
    struct counting c;
    mailauth_dmarc *dm = check_counted(&o, z, &in, &c);
    assert_int_equal(mailauth_dmarc_policy(dm), MAILAUTH_DMARC_POLICY_NONE);
    assert_int_equal(mailauth_dmarc_policy_tag(dm), MAILAUTH_DMARC_TAG_NP);
    for (size_t i = 0; i < sizeof asked / sizeof asked[0]; i++) {
        assert_string_equal(c.names[i], asked[i]);
        assert_int_equal(c.types[i], MAILAUTH_RR_TXT);
    }
    /* The Organizational Domain walk goes on to _dmarc.com (the 8th name), then the existence
     * check asks A of the From domain, which does not exist. */
    assert_string_equal(c.names[7], "_dmarc.com");
    assert_int_equal(c.types[8], MAILAUTH_RR_A);
    assert_int_equal(c.lookups, 9);
    mailauth_dmarc_free(dm);
    mailauth_zone_free(z);
}

/* ---- pct= and t= ----------------------------------------------------------------------- */

static uint32_t fixed_random(void *user) { return *(const uint32_t *)user; }

static void pct_samples_with_the_random_source(void **state)
{
    (void)state;
    static const struct {
        const char *record;
        uint32_t random;
        int disposition, sampled_out;
    } cases[] = {
        {"v=DMARC1; p=reject; pct=50", 0, MAILAUTH_DMARC_POLICY_REJECT, 0},
        {"v=DMARC1; p=reject; pct=50", 0x7fffffffu, MAILAUTH_DMARC_POLICY_REJECT, 0},
        {"v=DMARC1; p=reject; pct=50", 0x80000000u, MAILAUTH_DMARC_POLICY_QUARANTINE, 1},
        {"v=DMARC1; p=reject; pct=50", 0xffffffffu, MAILAUTH_DMARC_POLICY_QUARANTINE, 1},
        {"v=DMARC1; p=quarantine; pct=0", 0, MAILAUTH_DMARC_POLICY_NONE, 1},
        {"v=DMARC1; p=reject; pct=100", 0xffffffffu, MAILAUTH_DMARC_POLICY_REJECT, 0},
        {"v=DMARC1; p=reject; pct=99", 0xffffffffu, MAILAUTH_DMARC_POLICY_QUARANTINE, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[128];
        snprintf(text, sizeof text, "_dmarc.example.org. TXT \"%s\"\n", cases[i].record);
        mailauth_zone *z = zone(text);
        mailauth_dmarc_options o = opts_for(MAILAUTH_DMARC_MODE_RFC7489);
        uint32_t r = cases[i].random;
        o.random = fixed_random;
        o.random_user = &r;
        input in = {.from = "a@example.org"};
        mailauth_dmarc *dm = check(&o, z, &in);
        assert_int_equal(mailauth_dmarc_policy(dm), mailauth_dmarc_record_p(mailauth_dmarc_get_record(dm)));
        if (mailauth_dmarc_disposition(dm) != cases[i].disposition)
            fail_msg("case %zu: disposition %d", i, mailauth_dmarc_disposition(dm));
        assert_int_equal(mailauth_dmarc_sampled_out(dm), cases[i].sampled_out);
        mailauth_dmarc_free(dm);
        /* RFC 9989 has no pct=. */
        o.mode = MAILAUTH_DMARC_MODE_RFC9989;
        dm = check(&o, z, &in);
        assert_int_equal(mailauth_dmarc_disposition(dm), mailauth_dmarc_policy(dm));
        mailauth_dmarc_free(dm);
        mailauth_zone_free(z);
    }
}

static void testing_flag_lowers_policy_in_rfc9989(void **state)
{
    (void)state;
    mailauth_zone *z = zone("_dmarc.example.org. TXT \"v=DMARC1; p=reject; t=y\"\n");
    input in = {.from = "a@example.org"};
    mailauth_dmarc_options o = opts_for(MAILAUTH_DMARC_MODE_RFC9989);
    mailauth_dmarc *dm = check(&o, z, &in);
    assert_int_equal(mailauth_dmarc_policy(dm), MAILAUTH_DMARC_POLICY_REJECT);
    assert_int_equal(mailauth_dmarc_disposition(dm), MAILAUTH_DMARC_POLICY_QUARANTINE);
    mailauth_dmarc_free(dm);
    o = opts_for(MAILAUTH_DMARC_MODE_RFC7489);
    dm = check(&o, z, &in);
    assert_int_equal(mailauth_dmarc_disposition(dm), MAILAUTH_DMARC_POLICY_REJECT);
    mailauth_dmarc_free(dm);
    mailauth_zone_free(z);
}

/* ---- report destinations --------------------------------------------------------------- */

static mailauth_dmarc_report_check *report_run(int mode, const mailauth_zone *z,
                                               const char *domain, const char *const *addrs,
                                               size_t n)
{
    mailauth_dmarc_options o = opts_for(mode);
    mailauth_resolver r;
    mailauth_zone_resolver(z, &r);
    mailauth_dmarc_report_check *rc, *st;
    assert_int_equal(mailauth_dmarc_report_check_new(&o, domain, &rc), 0);
    assert_int_equal(mailauth_dmarc_report_check_new(&o, domain, &st), 0);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(mailauth_dmarc_report_check_add_address(rc, addrs[i]), 0);
        assert_int_equal(mailauth_dmarc_report_check_add_address(st, addrs[i]), 0);
    }
    assert_int_equal(mailauth_dmarc_report_check_run(rc, &r), 0);
    mailauth_dns_answer *a;
    assert_int_equal(mailauth_dns_answer_new(&a), 0);
    mailauth_query q;
    int e;
    while ((e = mailauth_dmarc_report_check_step(st, &q)) == MAILAUTH_NEED_DNS) {
        assert_int_equal(mailauth_resolve(&r, q.name, q.type, a), 0);
        assert_int_equal(mailauth_dmarc_report_check_answer(st, a), 0);
    }
    assert_int_equal(e, 0);
    assert_int_equal(mailauth_dmarc_report_check_count(st), n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(mailauth_dmarc_report_check_result(st, i),
                         mailauth_dmarc_report_check_result(rc, i));
    assert_int_equal(mailauth_dmarc_report_check_add_address(st, "late@example.org"),
                     MAILAUTH_E_INVAL);
    mailauth_dns_answer_free(a);
    mailauth_dmarc_report_check_free(st);
    return rc;
}

static void external_report_destinations_need_authorisation(void **state)
{
    (void)state;
    static const char *const addrs[] = {"dmarc@example.org", "dmarc@external.org",
                                        "domain@other.org", "reports@sub.example.org",
                                        "x@broken.org", "no-domain"};
    mailauth_zone *z = zone("_dmarc.example.org. TXT \"v=DMARC1; p=none\"\n"
                            "example.org._report._dmarc.external.org. TXT \"v=DMARC1\"\n"
                            "example.org._report._dmarc.other.org. TXT \"v=DMARC2\"\n");
    assert_int_equal(mailauth_zone_fail(z, "example.org._report._dmarc.broken.org", 0,
                                        MAILAUTH_DNS_TEMPFAIL), 0);
    for (int mode = 0; mode < 2; mode++) {
        mailauth_dmarc_report_check *rc = report_run(mode, z, "example.org", addrs, 6);
        assert_int_equal(mailauth_dmarc_report_check_result(rc, 0), PASS);
        assert_int_equal(mailauth_dmarc_report_check_result(rc, 1), PASS);
        assert_int_equal(mailauth_dmarc_report_check_result(rc, 2), FAIL);
        assert_int_equal(mailauth_dmarc_report_check_result(rc, 3), PASS);
        assert_int_equal(mailauth_dmarc_report_check_result(rc, 4), MAILAUTH_RESULT_TEMPERROR);
        assert_int_equal(mailauth_dmarc_report_check_result(rc, 5), FAIL);
        assert_string_equal(mailauth_dmarc_report_check_address(rc, 1), "dmarc@external.org");
        assert_null(mailauth_dmarc_report_check_address(rc, 6));
        mailauth_dmarc_report_check_free(rc);
    }
    mailauth_zone_free(z);
}

static void report_destinations_from_a_record(void **state)
{
    (void)state;
    mailauth_dmarc_record *rec;
    const char *text = "v=DMARC1; p=none; rua=mailto:a@example.org,https://r.example/x; "
                       "ruf=mailto:f@example.org";
    assert_int_equal(mailauth_dmarc_record_parse(text, strlen(text), &rec, NULL), 0);
    mailauth_dmarc_report_check *rc;
    assert_int_equal(mailauth_dmarc_report_check_new(NULL, "example.org", &rc), 0);
    assert_int_equal(mailauth_dmarc_report_check_add_record(rc, rec, 0), 0);
    assert_int_equal(mailauth_dmarc_report_check_add_record(rc, rec, 1), 0);
    assert_int_equal(mailauth_dmarc_report_check_count(rc), 3);
    assert_null(mailauth_dmarc_report_check_address(rc, 1));
    mailauth_zone *z = zone("x.example. A 192.0.2.1\n");
    mailauth_resolver r;
    mailauth_zone_resolver(z, &r);
    assert_int_equal(mailauth_dmarc_report_check_run(rc, &r), 0);
    assert_int_equal(mailauth_dmarc_report_check_result(rc, 0), PASS);
    assert_int_equal(mailauth_dmarc_report_check_result(rc, 1), FAIL);
    assert_int_equal(mailauth_dmarc_report_check_result(rc, 2), PASS);
    mailauth_dmarc_report_check_free(rc);
    mailauth_dmarc_record_free(rec);
    mailauth_zone_free(z);
}

static void report_destination_limit_is_exact(void **state)
{
    (void)state;
    mailauth_dmarc_report_check *rc;
    assert_int_equal(mailauth_dmarc_report_check_new(NULL, "example.org", &rc), 0);
    for (int i = 0; i < 64; i++)
        assert_int_equal(mailauth_dmarc_report_check_add_address(rc, "a@example.org"), 0);
    assert_int_equal(mailauth_dmarc_report_check_add_address(rc, "a@example.org"),
                     MAILAUTH_E_LIMIT);
    mailauth_dmarc_report_check_free(rc);
}

/* ---- the list, the API contract ------------------------------------------------------- */

static void org_domain_by_the_list(void **state)
{
    (void)state;
    char buf[256];
    assert_int_equal(mailauth_org_domain(psl, "a.b.example.co.uk", buf, sizeof buf), 0);
    assert_string_equal(buf, "example.co.uk");
    assert_int_equal(mailauth_org_domain(psl, "WWW.Example.COM.", buf, sizeof buf), 0);
    assert_string_equal(buf, "example.com");
    assert_int_equal(mailauth_org_domain(psl, "co.uk", buf, sizeof buf), 0);
    assert_string_equal(buf, "co.uk");
    assert_int_equal(mailauth_org_domain(psl, "www.bücher.de", buf, sizeof buf), 0);
    assert_string_equal(buf, "xn--bcher-kva.de");
    assert_int_equal(mailauth_org_domain(psl, "a.example.com", buf, 11), MAILAUTH_E_LIMIT);
    assert_string_equal(buf, "");
    assert_int_equal(mailauth_org_domain(psl, "a.example.com", buf, 12), 0);
    assert_int_equal(mailauth_org_domain(psl, ".mac.com", buf, sizeof buf), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_org_domain(psl, "mac..com", buf, sizeof buf), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_org_domain(psl, "", buf, sizeof buf), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_org_domain(NULL, "a.com", buf, sizeof buf), MAILAUTH_E_INVAL);
    mailauth_psl *bad;
    assert_int_equal(mailauth_psl_new("/nonexistent/list.dat", &bad), MAILAUTH_E_INVAL);
}

static void inputs_are_fixed_once_started(void **state)
{
    (void)state;
    mailauth_dmarc_options o = opts_for(MAILAUTH_DMARC_MODE_RFC7489);
    o.max_dkim = 2;
    mailauth_dmarc *dm;
    mailauth_query q;
    assert_int_equal(mailauth_dmarc_new(&o, &dm), 0);
    assert_int_equal(mailauth_dmarc_step(dm, &q), MAILAUTH_E_INVAL); /* no From yet */
    assert_int_equal(mailauth_dmarc_add_dkim(dm, "a.example", PASS), 0);
    assert_int_equal(mailauth_dmarc_add_dkim(dm, "b.example", PASS), 0);
    assert_int_equal(mailauth_dmarc_add_dkim(dm, "c.example", PASS), MAILAUTH_E_LIMIT);
    assert_int_equal(mailauth_dmarc_add_dkim(dm, "c.example", 99), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_dmarc_set_from_domain(dm, "example.org"), 0);
    assert_int_equal(mailauth_dmarc_step(dm, &q), MAILAUTH_NEED_DNS);
    assert_string_equal(q.name, "_dmarc.example.org");
    assert_int_equal(q.type, MAILAUTH_RR_TXT);
    assert_int_equal(mailauth_dmarc_step(dm, &q), MAILAUTH_NEED_DNS); /* still unanswered */
    assert_int_equal(mailauth_dmarc_set_spf(dm, "example.org", PASS), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_dmarc_set_from_domain(dm, "example.net"), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_dmarc_result(dm), NONE);
    mailauth_dmarc_free(dm);
    mailauth_dmarc_free(NULL);
    mailauth_dmarc_report_check_free(NULL);
    o.mode = 7;
    assert_int_equal(mailauth_dmarc_new(&o, &dm), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_dmarc_new(NULL, NULL), MAILAUTH_E_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(alignment_table),
        cmocka_unit_test(relaxed_alignment_follows_public_suffixes),
        cmocka_unit_test(best_dkim_signature_counts),
        cmocka_unit_test(policy_by_domain_kind),
        cmocka_unit_test(existence_is_asked_only_when_np_differs),
        cmocka_unit_test(missing_p_with_rua_is_none),
        cmocka_unit_test(no_record_is_none),
        cmocka_unit_test(several_records),
        cmocka_unit_test(invalid_record_is_permerror),
        cmocka_unit_test(dns_failure_is_temperror),
        cmocka_unit_test(failed_existence_lookup_counts_as_existing),
        cmocka_unit_test(from_field_gives_the_author_domain),
        cmocka_unit_test(several_author_domains),
        cmocka_unit_test(author_domains_are_bounded),
        cmocka_unit_test(tree_walk_psd_n_marks_org_domain),
        cmocka_unit_test(tree_walk_psd_y_splits_org_domains),
        cmocka_unit_test(tree_walk_psd_y_at_start_goes_on),
        cmocka_unit_test(tree_walk_asks_at_most_eight_names),
        cmocka_unit_test(pct_samples_with_the_random_source),
        cmocka_unit_test(testing_flag_lowers_policy_in_rfc9989),
        cmocka_unit_test(external_report_destinations_need_authorisation),
        cmocka_unit_test(report_destinations_from_a_record),
        cmocka_unit_test(report_destination_limit_is_exact),
        cmocka_unit_test(org_domain_by_the_list),
        cmocka_unit_test(inputs_are_fixed_once_started),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
