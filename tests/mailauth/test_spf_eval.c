/* test_spf_eval.c — the SPF check (RFC 7208 §4–§6, §9.1) over in-memory zones: every
 * mechanism, redirect= and exp=, record selection, the processing limits exactly at and one
 * past, domain checks, the identities, the accessors and Received-SPF, step-by-step against
 * blocking, and allocation failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alloc_budget.h"
#include "mailauth.h"

static const char base_zone[] =
    "$ORIGIN example.com.\n"
    "@            TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n"
    "mail         A 192.0.2.10\n"
    "mail         AAAA 2001:db8::10\n"
    "other        A 198.51.100.1\n";

static mailauth_zone *zone;
static mailauth_resolver resolver;
static mailauth_spf *spf;

/* Counts lookups by the resolver in front of the zone. */
static int lookups;
static int counting_lookup(void *user, const char *name, int type, mailauth_dns_answer *a)
{
    lookups++;
    return mailauth_zone_lookup(user, name, type, a);
}

static void load(const char *text)
{
    mailauth_zone_error err;
    int rc = mailauth_zone_load(zone, text, strlen(text), ".", &err);
    if (rc)
        fail_msg("zone: %s at line %zu: %s", mailauth_strerror(rc), err.line, err.message);
}

static int setup(void **state)
{
    (void)state;
    if (mailauth_zone_new(NULL, &zone))
        return -1;
    mailauth_resolver_init(&resolver);
    resolver.lookup = counting_lookup;
    resolver.user = zone;
    lookups = 0;
    return mailauth_spf_new(NULL, &spf);
}

static int teardown(void **state)
{
    (void)state;
    mailauth_spf_free(spf);
    mailauth_zone_free(zone);
    spf = NULL;
    zone = NULL;
    return 0;
}

/* Checks MAIL FROM `from` for client `ip` (HELO mail.example.net) and returns the verdict. */
static int check_from(const char *ip, const char *from)
{
    assert_int_equal(mailauth_spf_begin(spf, MAILAUTH_SPF_MAILFROM, ip, "mail.example.net", from),
                     0);
    assert_int_equal(mailauth_spf_run(spf, &resolver), 0);
    return mailauth_spf_result(spf);
}

/* A zone holding "v=spf1 <record>" at example.org plus `extra`, checked for `ip`. */
static int check_record(const char *record, const char *extra, const char *ip)
{
    char text[4096];
    snprintf(text, sizeof text, "example.org. TXT \"v=spf1 %s\"\n%s", record, extra ? extra : "");
    mailauth_zone_free(zone);
    assert_int_equal(mailauth_zone_new(NULL, &zone), 0);
    resolver.user = zone;
    load(text);
    return check_from(ip, "user@example.org");
}

static void assert_result(int got, int want)
{
    if (got != want)
        fail_msg("got %s, want %s (problem: %s)", mailauth_result_name(got),
                 mailauth_result_name(want),
                 mailauth_spf_problem(spf) ? mailauth_spf_problem(spf) : "-");
}

/* ---- mechanisms ---------------------------------------------------------------------------- */

static void ip4_matches_in_the_network_and_all_decides_the_rest(void **state)
{
    (void)state;
    load(base_zone);
    assert_result(check_from("192.0.2.77", "user@example.com"), MAILAUTH_RESULT_PASS);
    assert_string_equal(mailauth_spf_mechanism(spf), "ip4:192.0.2.0/24");
    assert_string_equal(mailauth_spf_domain(spf), "example.com");
    assert_null(mailauth_spf_explanation(spf));
    assert_result(check_from("192.0.3.1", "user@example.com"), MAILAUTH_RESULT_FAIL);
    assert_string_equal(mailauth_spf_mechanism(spf), "-all");
    assert_string_equal(mailauth_spf_explanation(spf), MAILAUTH_SPF_DEFAULT_EXPLANATION);
    /* An IPv6 client never matches ip4. */
    assert_result(check_from("2001:db8::1", "user@example.com"), MAILAUTH_RESULT_FAIL);
    /* An IPv4-mapped client is IPv4. */
    assert_result(check_from("::ffff:192.0.2.1", "user@example.com"), MAILAUTH_RESULT_PASS);
}

static void qualifiers_give_their_results(void **state)
{
    (void)state;
    assert_result(check_record("+all", NULL, "192.0.2.1"), MAILAUTH_RESULT_PASS);
    assert_result(check_record("-all", NULL, "192.0.2.1"), MAILAUTH_RESULT_FAIL);
    assert_result(check_record("~all", NULL, "192.0.2.1"), MAILAUTH_RESULT_SOFTFAIL);
    assert_result(check_record("?all", NULL, "192.0.2.1"), MAILAUTH_RESULT_NEUTRAL);
    /* Nothing matches: neutral, as if "?all" ended the record (§4.7). */
    assert_result(check_record("ip4:10.0.0.1", NULL, "192.0.2.1"), MAILAUTH_RESULT_NEUTRAL);
    assert_null(mailauth_spf_mechanism(spf));
    assert_result(check_record("", NULL, "192.0.2.1"), MAILAUTH_RESULT_NEUTRAL);
    /* Terms after a match are not evaluated, not even their syntax-valid DNS. */
    assert_result(check_record("+all include:nowhere.example", NULL, "192.0.2.1"),
                  MAILAUTH_RESULT_PASS);
}

static void ip6_with_prefixes_and_mapped_networks(void **state)
{
    (void)state;
    const char *rec = "ip6:2001:db8:1::/48 ip6:::ffff:10.0.0.0/104 -all";
    assert_result(check_record(rec, NULL, "2001:db8:1:ffff::1"), MAILAUTH_RESULT_PASS);
    assert_result(check_record(rec, NULL, "2001:db8:2::1"), MAILAUTH_RESULT_FAIL);
    assert_result(check_record(rec, NULL, "10.9.8.7"), MAILAUTH_RESULT_PASS);
    assert_result(check_record(rec, NULL, "11.0.0.1"), MAILAUTH_RESULT_FAIL);
}

static void a_mechanism_with_dual_cidr(void **state)
{
    (void)state;
    const char *z = "example.org. A 192.0.2.10\nexample.org. AAAA 2001:db8::10\n"
                    "host.example.net. A 198.51.100.7\n";
    assert_result(check_record("a -all", z, "192.0.2.10"), MAILAUTH_RESULT_PASS);
    assert_string_equal(mailauth_spf_mechanism(spf), "a");
    assert_result(check_record("a -all", z, "192.0.2.11"), MAILAUTH_RESULT_FAIL);
    assert_result(check_record("a/24 -all", z, "192.0.2.99"), MAILAUTH_RESULT_PASS);
    assert_result(check_record("a -all", z, "2001:db8::10"), MAILAUTH_RESULT_PASS);
    assert_result(check_record("a//64 -all", z, "2001:db8::abcd"), MAILAUTH_RESULT_PASS);
    assert_result(check_record("a/24 -all", z, "2001:db8::abcd"), MAILAUTH_RESULT_FAIL);
    assert_result(check_record("a/32//64 -all", z, "192.0.2.11"), MAILAUTH_RESULT_FAIL);
    assert_result(check_record("a:host.example.net -all", z, "198.51.100.7"),
                  MAILAUTH_RESULT_PASS);
    /* A name without addresses does not match. */
    assert_result(check_record("a:nothing.example.net -all", z, "198.51.100.7"),
                  MAILAUTH_RESULT_FAIL);
}

static void mx_mechanism_looks_up_each_exchange(void **state)
{
    (void)state;
    const char *z = "example.org. MX 10 mx1.example.org.\nexample.org. MX 20 mx2.example.org.\n"
                    "mx1.example.org. A 192.0.2.1\nmx2.example.org. A 192.0.2.2\n"
                    "mx2.example.org. AAAA 2001:db8::2\n"
                    "null.example.org. MX 0 .\n";
    assert_result(check_record("mx -all", z, "192.0.2.2"), MAILAUTH_RESULT_PASS);
    assert_result(check_record("mx -all", z, "192.0.2.3"), MAILAUTH_RESULT_FAIL);
    assert_result(check_record("mx/30 -all", z, "192.0.2.3"), MAILAUTH_RESULT_PASS);
    assert_result(check_record("mx -all", z, "2001:db8::2"), MAILAUTH_RESULT_PASS);
    assert_result(check_record("mx:null.example.org -all", z, "192.0.2.2"),
                  MAILAUTH_RESULT_FAIL);
}

static void ptr_mechanism_needs_a_validated_name(void **state)
{
    (void)state;
    const char *z = "1.2.0.192.in-addr.arpa. PTR mail.example.org.\n"
                    "1.2.0.192.in-addr.arpa. PTR liar.example.org.\n"
                    "mail.example.org. A 192.0.2.1\n"
                    "liar.example.org. A 203.0.113.9\n"
                    "2.2.0.192.in-addr.arpa. PTR liar.example.org.\n";
    assert_result(check_record("ptr -all", z, "192.0.2.1"), MAILAUTH_RESULT_PASS);
    assert_result(check_record("ptr:example.org -all", z, "192.0.2.1"), MAILAUTH_RESULT_PASS);
    assert_result(check_record("ptr:mail.example.org -all", z, "192.0.2.1"),
                  MAILAUTH_RESULT_PASS);
    assert_result(check_record("ptr:xample.org -all", z, "192.0.2.1"), MAILAUTH_RESULT_FAIL);
    assert_result(check_record("ptr:example.net -all", z, "192.0.2.1"), MAILAUTH_RESULT_FAIL);
    /* The name does not lead back to the client. */
    assert_result(check_record("ptr -all", z, "192.0.2.2"), MAILAUTH_RESULT_FAIL);
    /* No PTR records at all. */
    assert_result(check_record("ptr -all", z, "192.0.2.3"), MAILAUTH_RESULT_FAIL);
}

static void ptr_lookup_failure_is_no_match(void **state)
{
    (void)state;
    check_record("ptr ~all", NULL, "192.0.2.1");
    assert_int_equal(mailauth_zone_fail(zone, "1.2.0.192.in-addr.arpa", 0,
                                        MAILAUTH_DNS_TEMPFAIL), 0);
    assert_result(check_from("192.0.2.1", "user@example.org"), MAILAUTH_RESULT_SOFTFAIL);
}

static void exists_asks_a_records_whatever_the_family(void **state)
{
    (void)state;
    const char *z = "1.2.0.192.list.example.net. A 127.0.0.2\n"
                    "six.example.net. AAAA 2001:db8::1\n"
                    "four.example.net. A 127.0.0.1\n";
    assert_result(check_record("exists:%{ir}.list.example.net -all", z, "192.0.2.1"),
                  MAILAUTH_RESULT_PASS);
    assert_result(check_record("exists:%{ir}.list.example.net -all", z, "192.0.2.2"),
                  MAILAUTH_RESULT_FAIL);
    assert_result(check_record("exists:six.example.net -all", z, "2001:db8::1"),
                  MAILAUTH_RESULT_FAIL);
    assert_result(check_record("exists:four.example.net -all", z, "2001:db8::1"),
                  MAILAUTH_RESULT_PASS);
}

static void include_maps_the_inner_result(void **state)
{
    (void)state;
    const char *z = "pass.example.net. TXT \"v=spf1 +all\"\n"
                    "fail.example.net. TXT \"v=spf1 -all\"\n"
                    "soft.example.net. TXT \"v=spf1 ~all\"\n"
                    "neutral.example.net. TXT \"v=spf1 ?all\"\n"
                    "perm.example.net. TXT \"v=spf1 bogus\"\n"
                    "temp.example.net. TXT \"v=spf1 a:down.example.net\"\n"
                    "down.example.net. A 192.0.2.1\n";
    assert_result(check_record("include:pass.example.net -all", z, "192.0.2.1"),
                  MAILAUTH_RESULT_PASS);
    assert_string_equal(mailauth_spf_mechanism(spf), "include:pass.example.net");
    assert_result(check_record("-include:pass.example.net +all", z, "192.0.2.1"),
                  MAILAUTH_RESULT_FAIL);
    assert_result(check_record("include:fail.example.net ~all", z, "192.0.2.1"),
                  MAILAUTH_RESULT_SOFTFAIL);
    assert_result(check_record("include:soft.example.net ?all", z, "192.0.2.1"),
                  MAILAUTH_RESULT_NEUTRAL);
    assert_result(check_record("include:neutral.example.net -all", z, "192.0.2.1"),
                  MAILAUTH_RESULT_FAIL);
    assert_result(check_record("include:perm.example.net +all", z, "192.0.2.1"),
                  MAILAUTH_RESULT_PERMERROR);
    assert_result(check_record("include:none.example.net +all", z, "192.0.2.1"),
                  MAILAUTH_RESULT_PERMERROR);
    assert_non_null(strstr(mailauth_spf_problem(spf), "include:none.example.net"));
    check_record("include:temp.example.net +all", z, "192.0.2.1");
    assert_int_equal(mailauth_zone_fail(zone, "down.example.net", 0, MAILAUTH_DNS_TEMPFAIL), 0);
    assert_result(check_from("192.0.2.1", "user@example.org"), MAILAUTH_RESULT_TEMPERROR);
}

static void redirect_takes_the_target_result_and_its_exp(void **state)
{
    (void)state;
    const char *z = "target.example.net. TXT \"v=spf1 ip4:192.0.2.1 -all exp=why.example.net\"\n"
                    "why.example.net. TXT \"target says no to %{i}\"\n"
                    "mine.example.org. TXT \"mine says no\"\n"
                    "empty.example.net. A 192.0.2.1\n";
    assert_result(check_record("redirect=target.example.net", z, "192.0.2.1"),
                  MAILAUTH_RESULT_PASS);
    assert_string_equal(mailauth_spf_mechanism(spf), "ip4:192.0.2.1");
    assert_result(check_record("exp=mine.example.org redirect=target.example.net", z,
                               "192.0.2.2"),
                  MAILAUTH_RESULT_FAIL);
    assert_string_equal(mailauth_spf_explanation(spf), "target says no to 192.0.2.2");
    /* A redirect is not used when a mechanism matched. */
    assert_result(check_record("+all redirect=target.example.net", z, "192.0.2.2"),
                  MAILAUTH_RESULT_PASS);
    /* A target without a record is a permerror (§6.1). */
    assert_result(check_record("redirect=empty.example.net", z, "192.0.2.2"),
                  MAILAUTH_RESULT_PERMERROR);
    assert_result(check_record("redirect=nxdomain.example.net", z, "192.0.2.2"),
                  MAILAUTH_RESULT_PERMERROR);
}

static void explanation_is_expanded_with_its_own_letters(void **state)
{
    (void)state;
    mailauth_spf_free(spf);
    mailauth_spf_options o;
    mailauth_spf_options_init(&o);
    o.receiver = "mx.receiver.example";
    o.default_explanation = "go away";
    spf = NULL;
    assert_int_equal(mailauth_spf_new(&o, &spf), 0);
    const char *z = "why.example.org. TXT \"%{c} may not send for %{d} (%{r}, %{s}, %{l}) \" "
                    "\"see %{o}\"\n"
                    "two.example.org. TXT \"one\"\ntwo.example.org. TXT \"two\"\n"
                    "bad.example.org. TXT \"broken %{z\"\n"
                    "inc.example.org. TXT \"v=spf1 -all exp=why.example.org\"\n";
    assert_result(check_record("-all exp=why.example.org", z, "192.0.2.9"),
                  MAILAUTH_RESULT_FAIL);
    assert_string_equal(mailauth_spf_explanation(spf),
                        "192.0.2.9 may not send for example.org (mx.receiver.example, "
                        "user@example.org, user) see example.org");
    /* Several TXT records, none, a syntax error, an expansion that is not a name: default. */
    assert_result(check_record("-all exp=two.example.org", z, "192.0.2.9"), MAILAUTH_RESULT_FAIL);
    assert_string_equal(mailauth_spf_explanation(spf), "go away");
    assert_result(check_record("-all exp=none.example.org", z, "192.0.2.9"),
                  MAILAUTH_RESULT_FAIL);
    assert_string_equal(mailauth_spf_explanation(spf), "go away");
    assert_result(check_record("-all exp=bad.example.org", z, "192.0.2.9"), MAILAUTH_RESULT_FAIL);
    assert_string_equal(mailauth_spf_explanation(spf), "go away");
    assert_result(check_record("-all exp=%{l}..example.org", z, "192.0.2.9"),
                  MAILAUTH_RESULT_FAIL);
    assert_string_equal(mailauth_spf_explanation(spf), "go away");
    /* An included record's exp= is not used (§6.2): the outer record has none. */
    assert_result(check_record("-include:inc.example.org -all", z, "192.0.2.9"),
                  MAILAUTH_RESULT_FAIL);
    assert_string_equal(mailauth_spf_explanation(spf), "go away");
    /* Only a fail has an explanation. */
    assert_result(check_record("~all exp=why.example.org", z, "192.0.2.9"),
                  MAILAUTH_RESULT_SOFTFAIL);
    assert_null(mailauth_spf_explanation(spf));
}

static int64_t fixed_clock(void *user)
{
    (void)user;
    return 1234567890;
}

static void explanation_time_comes_from_the_clock(void **state)
{
    (void)state;
    mailauth_spf_free(spf);
    mailauth_spf_options o;
    mailauth_spf_options_init(&o);
    o.clock = fixed_clock;
    spf = NULL;
    assert_int_equal(mailauth_spf_new(&o, &spf), 0);
    assert_result(check_record("-all exp=t.example.org", "t.example.org. TXT \"at %{t}\"\n",
                               "192.0.2.9"),
                  MAILAUTH_RESULT_FAIL);
    assert_string_equal(mailauth_spf_explanation(spf), "at 1234567890");
}

/* ---- record selection --------------------------------------------------------------------- */

static void record_selection(void **state)
{
    (void)state;
    load("a.example. TXT \"google-site-verification=x\"\n"
         "a.example. TXT \"v=spf1 +all\"\n"
         "b.example. TXT \"v=spf1 +all\"\nb.example. TXT \"v=spf1 -all\"\n"
         "c.example. TXT \"v=spf10 +all\"\nc.example. A 192.0.2.1\n"
         "d.example. TXT \"v=spf1 \" \"+all\"\n"
         "e.example. TXT \"V=SPF1 +all\"\n");
    assert_result(check_from("192.0.2.1", "u@a.example"), MAILAUTH_RESULT_PASS);
    assert_result(check_from("192.0.2.1", "u@b.example"), MAILAUTH_RESULT_PERMERROR);
    assert_non_null(strstr(mailauth_spf_problem(spf), "more than one SPF record"));
    assert_result(check_from("192.0.2.1", "u@c.example"), MAILAUTH_RESULT_NONE);
    assert_result(check_from("192.0.2.1", "u@nowhere.example"), MAILAUTH_RESULT_NONE);
    assert_non_null(mailauth_spf_problem(spf));
    assert_result(check_from("192.0.2.1", "u@d.example"), MAILAUTH_RESULT_PASS);
    assert_result(check_from("192.0.2.1", "u@e.example"), MAILAUTH_RESULT_PASS);
    assert_int_equal(mailauth_zone_fail(zone, "a.example", MAILAUTH_RR_TXT,
                                        MAILAUTH_DNS_TEMPFAIL), 0);
    assert_result(check_from("192.0.2.1", "u@a.example"), MAILAUTH_RESULT_TEMPERROR);
    assert_int_equal(mailauth_zone_fail(zone, "c.example", MAILAUTH_RR_TXT,
                                        MAILAUTH_DNS_PERMFAIL), 0);
    assert_result(check_from("192.0.2.1", "u@c.example"), MAILAUTH_RESULT_TEMPERROR);
}

static void syntax_error_anywhere_is_permerror(void **state)
{
    (void)state;
    assert_result(check_record("+all foo:bar", NULL, "192.0.2.1"), MAILAUTH_RESULT_PERMERROR);
    assert_string_equal(mailauth_spf_problem(spf),
                        "syntax error at offset 12 in the record of example.org: "
                        "an unknown mechanism");
    assert_null(mailauth_spf_mechanism(spf));
    assert_result(check_record("+all redirect=a.example redirect=b.example", NULL, "192.0.2.1"),
                  MAILAUTH_RESULT_PERMERROR);
    /* Unknown modifiers are ignored. */
    assert_result(check_record("foo=bar%{d} +all", NULL, "192.0.2.1"), MAILAUTH_RESULT_PASS);
}

/* ---- limits ------------------------------------------------------------------------------- */

/* A record of `n` "a:hN.example.net" terms, each name with an address that does not match,
 * then "+all". */
static int dns_terms(unsigned n, const mailauth_spf_options *o)
{
    char rec[2048] = "", zone_text[4096] = "";
    for (unsigned i = 0; i < n; i++) {
        snprintf(rec + strlen(rec), sizeof rec - strlen(rec), "a:h%u.example.net ", i);
        snprintf(zone_text + strlen(zone_text), sizeof zone_text - strlen(zone_text),
                 "h%u.example.net. A 203.0.113.1\n", i);
    }
    strcat(rec, "+all");
    if (o) {
        mailauth_spf_free(spf);
        spf = NULL;
        assert_int_equal(mailauth_spf_new(o, &spf), 0);
    }
    return check_record(rec, zone_text, "192.0.2.1");
}

static void ten_dns_terms_pass_and_eleven_are_permerror(void **state)
{
    (void)state;
    assert_result(dns_terms(10, NULL), MAILAUTH_RESULT_PASS);
    assert_int_equal(mailauth_spf_dns_mechanisms(spf), 10);
    assert_result(dns_terms(11, NULL), MAILAUTH_RESULT_PERMERROR);
    assert_string_equal(mailauth_spf_problem(spf), "too many DNS lookups");
    mailauth_spf_options o;
    mailauth_spf_options_init(&o);
    o.max_dns_mechanisms = 12;
    assert_result(dns_terms(12, &o), MAILAUTH_RESULT_PASS);
    assert_result(dns_terms(13, NULL), MAILAUTH_RESULT_PERMERROR);
}

static void include_and_redirect_count_and_loops_end(void **state)
{
    (void)state;
    const char *z = "loop.example.net. TXT \"v=spf1 include:loop.example.net\"\n"
                    "r.example.net. TXT \"v=spf1 redirect=r.example.net\"\n";
    assert_result(check_record("include:loop.example.net", z, "192.0.2.1"),
                  MAILAUTH_RESULT_PERMERROR);
    assert_result(check_record("redirect=r.example.net", z, "192.0.2.1"),
                  MAILAUTH_RESULT_PERMERROR);
    assert_string_equal(mailauth_spf_problem(spf), "too many DNS lookups");
}

static void two_void_lookups_are_allowed_and_three_are_not(void **state)
{
    (void)state;
    assert_result(check_record("a:v1.example.net mx:v2.example.net ?all", NULL, "192.0.2.1"),
                  MAILAUTH_RESULT_NEUTRAL);
    assert_result(check_record("a:v1.example.net mx:v2.example.net exists:v3.example.net ?all",
                               NULL, "192.0.2.1"),
                  MAILAUTH_RESULT_PERMERROR);
    assert_string_equal(mailauth_spf_problem(spf), "void lookup limit exceeded");
    /* A name that exists without the type is void too (NODATA). */
    assert_result(check_record("a:n1.example.net a:n2.example.net a:n3.example.net ?all",
                               "n1.example.net. TXT \"x\"\nn2.example.net. TXT \"x\"\n"
                               "n3.example.net. TXT \"x\"\n",
                               "192.0.2.1"),
                  MAILAUTH_RESULT_PERMERROR);
    mailauth_spf_free(spf);
    spf = NULL;
    mailauth_spf_options o;
    mailauth_spf_options_init(&o);
    o.max_void_lookups = 3;
    assert_int_equal(mailauth_spf_new(&o, &spf), 0);
    assert_result(check_record("a:v1.example.net mx:v2.example.net exists:v3.example.net ?all",
                               NULL, "192.0.2.1"),
                  MAILAUTH_RESULT_NEUTRAL);
}

/* An "mx" on `n` exchanges, the last of which is the client. */
static int mx_names(unsigned n)
{
    char z[4096] = "";
    for (unsigned i = 0; i < n; i++)
        snprintf(z + strlen(z), sizeof z - strlen(z),
                 "example.org. MX %u mx%u.example.org.\nmx%u.example.org. A 203.0.113.%u\n",
                 i, i, i, i == n - 1 ? 7u : 100u + i);
    return check_record("mx -all", z, "203.0.113.7");
}

static void ten_mx_names_are_read_and_the_eleventh_is_permerror(void **state)
{
    (void)state;
    assert_result(mx_names(10), MAILAUTH_RESULT_PASS);
    assert_result(mx_names(11), MAILAUTH_RESULT_PERMERROR);
}

/* A "ptr" on `n` PTR names, the last of which validates. */
static int ptr_names(unsigned n)
{
    char z[4096] = "";
    for (unsigned i = 0; i < n; i++)
        snprintf(z + strlen(z), sizeof z - strlen(z),
                 "7.113.0.203.in-addr.arpa. PTR h%u.example.org.\n"
                 "h%u.example.org. A 203.0.113.%u\n",
                 i, i, i == n - 1 ? 7u : 100u + i);
    return check_record("ptr -all", z, "203.0.113.7");
}

static void ptr_names_past_ten_are_ignored(void **state)
{
    (void)state;
    assert_result(ptr_names(10), MAILAUTH_RESULT_PASS);
    assert_result(ptr_names(11), MAILAUTH_RESULT_FAIL);
}

/* ---- domains and identities --------------------------------------------------------------- */

static void malformed_domains_give_none(void **state)
{
    (void)state;
    load("example. TXT \"v=spf1 +all\"\nexample.com. TXT \"v=spf1 +all\"\n");
    assert_result(check_from("192.0.2.1", "u@example"), MAILAUTH_RESULT_NONE);
    assert_result(check_from("192.0.2.1", "u@a..example.com"), MAILAUTH_RESULT_NONE);
    assert_result(check_from("192.0.2.1", "u@[192.0.2.1]"), MAILAUTH_RESULT_NONE);
    char label[70], from[300];
    memset(label, 'a', 64);
    label[64] = '\0';
    snprintf(from, sizeof from, "u@%s.example.com", label);
    assert_result(check_from("192.0.2.1", from), MAILAUTH_RESULT_NONE);
    assert_string_equal(mailauth_spf_problem(spf), "the domain is not a valid domain name");
    label[63] = '\0'; /* 63 octets: a valid name, without a record */
    snprintf(from, sizeof from, "u@%s.example.com", label);
    assert_result(check_from("192.0.2.1", from), MAILAUTH_RESULT_NONE);
    assert_string_equal(mailauth_spf_problem(spf), "no SPF record");
    assert_result(check_from("192.0.2.1", "u@example.com."), MAILAUTH_RESULT_PASS);
}

static void internationalized_domains_use_a_labels(void **state)
{
    (void)state;
    load("xn--bcher-kva.example. TXT \"v=spf1 exists:%{o}.list.example -all\"\n"
         "xn--bcher-kva.example.list.example. A 127.0.0.2\n");
    assert_result(check_from("192.0.2.1", "user@b\xc3\xbc" "cher.example"),
                  MAILAUTH_RESULT_PASS);
    assert_string_equal(mailauth_spf_domain(spf), "xn--bcher-kva.example");
    /* Not UTF-8 / not a valid IDN: none. */
    assert_result(check_from("192.0.2.1", "user@b\xfc" "cher.example"), MAILAUTH_RESULT_NONE);
}

static void long_targets_lose_labels_from_the_left(void **state)
{
    (void)state;
    /* %{l} of 60 octets five times makes 316 octets; without the first label 255, without
     * two 194: the name looked up is the last three %{l} and example.org. */
    char local[61];
    memset(local, 'x', 60);
    local[60] = '\0';
    load("example.org. TXT \"v=spf1 exists:%{l}.%{l}.%{l}.%{l}.%{l}.example.org -all\"\n");
    char tail[400];
    snprintf(tail, sizeof tail, "%s.%s.%s.example.org. A 127.0.0.2\n", local, local, local);
    load(tail);
    char from[100];
    snprintf(from, sizeof from, "%s@example.org", local);
    assert_result(check_from("192.0.2.1", from), MAILAUTH_RESULT_PASS);
}

static void null_sender_and_missing_local_part(void **state)
{
    (void)state;
    load("mail.example.net. TXT \"v=spf1 exists:%{l}.%{o}.x.example.com -all\"\n"
         "postmaster.mail.example.net.x.example.com. A 127.0.0.2\n"
         "example.net. TXT \"v=spf1 exists:%{l}.%{d}.x.example.com -all\"\n"
         "postmaster.example.net.x.example.com. A 127.0.0.2\n");
    assert_result(check_from("192.0.2.1", ""), MAILAUTH_RESULT_PASS);
    assert_string_equal(mailauth_spf_sender(spf), "postmaster@mail.example.net");
    assert_string_equal(mailauth_spf_domain(spf), "mail.example.net");
    assert_result(check_from("192.0.2.1", NULL), MAILAUTH_RESULT_PASS);
    assert_result(check_from("192.0.2.1", "@example.net"), MAILAUTH_RESULT_PASS);
    assert_string_equal(mailauth_spf_sender(spf), "postmaster@example.net");
    assert_result(check_from("192.0.2.1", "joe@example.net"), MAILAUTH_RESULT_FAIL);
}

static void helo_identity_checks_the_helo_domain(void **state)
{
    (void)state;
    load("mail.example.net. TXT \"v=spf1 a -all\"\nmail.example.net. A 192.0.2.1\n"
         "example.com. TXT \"v=spf1 -all\"\n");
    assert_int_equal(mailauth_spf_begin(spf, MAILAUTH_SPF_HELO, "192.0.2.1", "mail.example.net",
                                        "user@example.com"), 0);
    assert_int_equal(mailauth_spf_run(spf, &resolver), 0);
    assert_result(mailauth_spf_result(spf), MAILAUTH_RESULT_PASS);
    assert_string_equal(mailauth_spf_domain(spf), "mail.example.net");
    const char *h;
    assert_int_equal(mailauth_spf_received_spf(spf, &h), 0);
    assert_string_equal(h, "pass (unknown: helo mail.example.net designates 192.0.2.1 as "
                           "permitted sender) client-ip=192.0.2.1; "
                           "envelope-from=\"postmaster@mail.example.net\"; helo=mail.example.net; "
                           "receiver=unknown; mechanism=a; identity=helo");
    /* A HELO that is an address literal or one label gives none. */
    assert_int_equal(mailauth_spf_begin(spf, MAILAUTH_SPF_HELO, "192.0.2.1", "[192.0.2.1]",
                                        NULL), 0);
    assert_int_equal(mailauth_spf_run(spf, &resolver), 0);
    assert_result(mailauth_spf_result(spf), MAILAUTH_RESULT_NONE);
    assert_int_equal(mailauth_spf_begin(spf, MAILAUTH_SPF_HELO, "192.0.2.1", "localhost", NULL),
                     0);
    assert_int_equal(mailauth_spf_run(spf, &resolver), 0);
    assert_result(mailauth_spf_result(spf), MAILAUTH_RESULT_NONE);
}

static void general_check_host(void **state)
{
    (void)state;
    load("sub.example.org. TXT \"v=spf1 exists:%{l}.%{o}.%{d}.%{h}.x.example -all\"\n"
         "bob.example.com.sub.example.org.helo.example.x.example. A 127.0.0.2\n");
    assert_int_equal(mailauth_spf_check_host(spf, "192.0.2.1", "sub.example.org",
                                             "bob@example.com", "helo.example"), 0);
    assert_int_equal(mailauth_spf_run(spf, &resolver), 0);
    assert_result(mailauth_spf_result(spf), MAILAUTH_RESULT_PASS);
}

static void received_spf_fields(void **state)
{
    (void)state;
    mailauth_spf_free(spf);
    mailauth_spf_options o;
    mailauth_spf_options_init(&o);
    o.receiver = "mx.receiver.example";
    spf = NULL;
    assert_int_equal(mailauth_spf_new(&o, &spf), 0);
    const char *h;
    assert_int_equal(mailauth_spf_received_spf(spf, &h), MAILAUTH_E_INVAL);
    assert_result(check_record("-all", NULL, "192.0.2.1"), MAILAUTH_RESULT_FAIL);
    assert_int_equal(mailauth_spf_received_spf(spf, &h), 0);
    assert_string_equal(h, "fail (mx.receiver.example: domain of example.org does not designate "
                           "192.0.2.1 as permitted sender) client-ip=192.0.2.1; "
                           "envelope-from=\"user@example.org\"; helo=mail.example.net; "
                           "receiver=mx.receiver.example; mechanism=-all; identity=mailfrom");
    assert_result(check_record("foo", NULL, "2001:db8::1"), MAILAUTH_RESULT_PERMERROR);
    assert_int_equal(mailauth_spf_received_spf(spf, &h), 0);
    assert_string_equal(h, "permerror (mx.receiver.example: permanent error in processing "
                           "domain of example.org) client-ip=2001:db8::1; "
                           "envelope-from=\"user@example.org\"; helo=mail.example.net; "
                           "receiver=mx.receiver.example; problem=\"syntax error at offset 7 "
                           "in the record of example.org: an unknown mechanism\"; "
                           "identity=mailfrom");
    assert_int_equal(mailauth_spf_begin(spf, MAILAUTH_SPF_MAILFROM, "192.0.2.1", "h.example",
                                        "\"odd one\"@example.org"), 0);
    assert_int_equal(mailauth_spf_run(spf, &resolver), 0);
    assert_int_equal(mailauth_spf_received_spf(spf, &h), 0);
    assert_non_null(strstr(h, "envelope-from=\"\\\"odd one\\\"@example.org\";"));
}

static void bad_arguments(void **state)
{
    (void)state;
    mailauth_query q;
    assert_int_equal(mailauth_spf_new(NULL, NULL), MAILAUTH_E_INVAL);
    mailauth_spf_options o;
    mailauth_spf_options_init(&o);
    o.struct_size = 3;
    mailauth_spf *x = (mailauth_spf *)1;
    assert_int_equal(mailauth_spf_new(&o, &x), MAILAUTH_E_INVAL);
    assert_null(x);
    assert_int_equal(mailauth_spf_step(spf, &q), MAILAUTH_E_INVAL); /* nothing begun */
    assert_int_equal(mailauth_spf_run(spf, &resolver), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_spf_begin(spf, 7, "192.0.2.1", "h.example", NULL),
                     MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_spf_begin(spf, MAILAUTH_SPF_MAILFROM, "192.0.2", "h.example",
                                        NULL), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_spf_begin(spf, MAILAUTH_SPF_MAILFROM, "192.0.2.1", NULL, NULL),
                     MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_spf_begin(NULL, MAILAUTH_SPF_MAILFROM, "192.0.2.1", "h", NULL),
                     MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_spf_check_host(spf, "192.0.2.1", NULL, "a@b.c", NULL),
                     MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_spf_answer(spf, NULL), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_spf_result(NULL), MAILAUTH_RESULT_NONE);
    assert_null(mailauth_spf_explanation(NULL));
    assert_null(mailauth_spf_domain(NULL));
    mailauth_spf_free(NULL);
}

/* ---- step by step ------------------------------------------------------------------------- */

static const char step_zone[] =
    "example.org. TXT \"v=spf1 include:_spf.example.net mx ptr:example.org "
    "exists:%{i}.%{l}.e.example.net a:%{p}.example.net redirect=r.example.net\"\n"
    "_spf.example.net. TXT \"v=spf1 ip4:198.51.100.0/24 a:inc.example.net -all\"\n"
    "inc.example.net. A 198.51.100.200\ninc.example.net. AAAA 2001:db8:ffff::200\n"
    "example.org. MX 10 mx.example.org.\nmx.example.org. A 203.0.113.1\n"
    "9.2.0.192.in-addr.arpa. PTR host.example.org.\nhost.example.org. A 192.0.2.9\n"
    "9.2.0.192.user.e.example.net. A 127.0.0.2\n"
    "r.example.net. TXT \"v=spf1 ip6:2001:db8::/32 -all exp=x.example.net\"\n"
    "x.example.net. TXT \"%{i} is not allowed (%{p})\"\n"
    "unknown.example.net. A 203.0.113.50\nunknown.example.net. AAAA 2001:db8:ffff::50\n";

/* Runs the check step by step answering from the zone; returns the verdict and checks each
 * (name, type) was asked once. */
static int stepwise(const char *ip, const char *from, unsigned *asked)
{
    mailauth_dns_answer *a;
    assert_int_equal(mailauth_dns_answer_new(&a), 0);
    assert_int_equal(mailauth_spf_begin(spf, MAILAUTH_SPF_MAILFROM, ip, "h.example", from), 0);
    char seen[64][300];
    unsigned n = 0;
    for (;;) {
        mailauth_query q;
        int rc = mailauth_spf_step(spf, &q);
        if (rc == 0)
            break;
        assert_int_equal(rc, MAILAUTH_NEED_DNS);
        /* Asking again without answering repeats the question. */
        mailauth_query q2;
        assert_int_equal(mailauth_spf_step(spf, &q2), MAILAUTH_NEED_DNS);
        assert_string_equal(q.name, q2.name);
        char key[300];
        snprintf(key, sizeof key, "%d %s", q.type, q.name);
        for (unsigned i = 0; i < n; i++)
            if (!strcmp(seen[i], key))
                fail_msg("asked twice: %s", key);
        assert_true(n < 64);
        snprintf(seen[n++], sizeof seen[0], "%s", key);
        assert_int_equal(mailauth_resolve(&resolver, q.name, q.type, a), 0);
        assert_int_equal(mailauth_spf_answer(spf, a), 0);
    }
    mailauth_dns_answer_free(a);
    *asked = n;
    return mailauth_spf_result(spf);
}

static void step_by_step_equals_blocking(void **state)
{
    (void)state;
    load(step_zone);
    static const char *const ips[] = {"198.51.100.7", "198.51.100.200", "203.0.113.1",
                                      "192.0.2.9", "2001:db8::5", "10.0.0.1", "192.0.2.10"};
    for (size_t i = 0; i < sizeof ips / sizeof *ips; i++) {
        for (int from = 0; from < 2; from++) {
            const char *sender = from ? "user@example.org" : "other@example.org";
            lookups = 0;
            int blocking = check_from(ips[i], sender);
            unsigned blocking_lookups = (unsigned)lookups;
            char exp[300] = "", mech[100] = "";
            if (mailauth_spf_explanation(spf))
                snprintf(exp, sizeof exp, "%s", mailauth_spf_explanation(spf));
            if (mailauth_spf_mechanism(spf))
                snprintf(mech, sizeof mech, "%s", mailauth_spf_mechanism(spf));
            unsigned asked;
            int stepped = stepwise(ips[i], sender, &asked);
            assert_int_equal(stepped, blocking);
            assert_int_equal(asked, blocking_lookups);
            assert_string_equal(exp, mailauth_spf_explanation(spf) ? mailauth_spf_explanation(spf)
                                                                   : "");
            assert_string_equal(mech, mailauth_spf_mechanism(spf) ? mailauth_spf_mechanism(spf)
                                                                  : "");
        }
    }
    /* Spot checks of the verdicts themselves. */
    assert_result(check_from("198.51.100.7", "user@example.org"), MAILAUTH_RESULT_PASS);
    assert_result(check_from("203.0.113.1", "user@example.org"), MAILAUTH_RESULT_PASS);
    assert_string_equal(mailauth_spf_mechanism(spf), "mx");
    assert_result(check_from("192.0.2.9", "other@example.org"), MAILAUTH_RESULT_PASS);
    assert_result(check_from("2001:db8::5", "user@example.org"), MAILAUTH_RESULT_PASS);
    assert_result(check_from("10.0.0.1", "user@example.org"), MAILAUTH_RESULT_FAIL);
    assert_string_equal(mailauth_spf_explanation(spf), "10.0.0.1 is not allowed (unknown)");
    assert_result(check_from("192.0.2.10", "user@example.org"), MAILAUTH_RESULT_FAIL);
}

static void answer_without_question_is_inval(void **state)
{
    (void)state;
    load(base_zone);
    mailauth_dns_answer *a;
    assert_int_equal(mailauth_dns_answer_new(&a), 0);
    assert_int_equal(mailauth_spf_begin(spf, MAILAUTH_SPF_MAILFROM, "192.0.2.1", "h.example",
                                        "u@example.com"), 0);
    assert_int_equal(mailauth_spf_answer(spf, a), MAILAUTH_E_INVAL);
    mailauth_query q;
    assert_int_equal(mailauth_spf_step(spf, &q), MAILAUTH_NEED_DNS);
    assert_string_equal(q.name, "example.com");
    assert_int_equal(q.type, MAILAUTH_RR_TXT);
    /* Switching to blocking in the middle finishes the check. */
    assert_int_equal(mailauth_spf_run(spf, &resolver), 0);
    assert_result(mailauth_spf_result(spf), MAILAUTH_RESULT_PASS);
    assert_int_equal(mailauth_spf_step(spf, &q), 0);
    mailauth_dns_answer_free(a);
}

static void allocation_failure_anywhere_is_nomem(void **state)
{
    (void)state;
    load(step_zone);
    mailauth_set_allocator(budget_malloc, budget_realloc, free);
    int completed = 0;
    for (size_t limit = 0; limit < 2000 && !completed; limit++) {
        alloc_budget = limit;
        alloc_limited = 1;
        mailauth_spf *s = NULL;
        int rc = mailauth_spf_new(NULL, &s);
        if (!rc)
            rc = mailauth_spf_begin(s, MAILAUTH_SPF_MAILFROM, "10.0.0.1", "h.example",
                                    "user@example.org");
        if (!rc)
            rc = mailauth_spf_run(s, &resolver);
        const char *h = NULL;
        if (!rc)
            rc = mailauth_spf_received_spf(s, &h);
        alloc_limited = 0;
        if (rc && rc != MAILAUTH_E_NOMEM)
            fail_msg("with %zu allocations allowed: %d", limit, rc);
        if (!rc) {
            assert_int_equal(mailauth_spf_result(s), MAILAUTH_RESULT_FAIL);
            assert_string_equal(mailauth_spf_explanation(s), "10.0.0.1 is not allowed (unknown)");
            completed = 1;
        }
        mailauth_spf_free(s);
    }
    mailauth_set_allocator(NULL, NULL, NULL);
    assert_true(completed);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(ip4_matches_in_the_network_and_all_decides_the_rest),
        T(qualifiers_give_their_results),
        T(ip6_with_prefixes_and_mapped_networks),
        T(a_mechanism_with_dual_cidr),
        T(mx_mechanism_looks_up_each_exchange),
        T(ptr_mechanism_needs_a_validated_name),
        T(ptr_lookup_failure_is_no_match),
        T(exists_asks_a_records_whatever_the_family),
        T(include_maps_the_inner_result),
        T(redirect_takes_the_target_result_and_its_exp),
        T(explanation_is_expanded_with_its_own_letters),
        T(explanation_time_comes_from_the_clock),
        T(record_selection),
        T(syntax_error_anywhere_is_permerror),
        T(ten_dns_terms_pass_and_eleven_are_permerror),
        T(include_and_redirect_count_and_loops_end),
        T(two_void_lookups_are_allowed_and_three_are_not),
        T(ten_mx_names_are_read_and_the_eleventh_is_permerror),
        T(ptr_names_past_ten_are_ignored),
        T(malformed_domains_give_none),
        T(internationalized_domains_use_a_labels),
        T(long_targets_lose_labels_from_the_left),
        T(null_sender_and_missing_local_part),
        T(helo_identity_checks_the_helo_domain),
        T(general_check_host),
        T(received_spf_fields),
        T(bad_arguments),
        T(step_by_step_equals_blocking),
        T(answer_without_question_is_inval),
        T(allocation_failure_anywhere_is_nomem),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
