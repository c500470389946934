/* test_mx.c — MX routing (RFC 5321 §5.1, RFC 7505) against libmailauth's in-memory zone:
 * preference order, the shuffle among equal preferences, implicit MX, null MX, failures,
 * address families, limits, literals, IDNA, and the step-by-step form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mailsend.h"

static const char zone_text[] =
    "$ORIGIN example.com.\n"
    "@          MX 20 mx2\n"
    "@          MX 10 mx1\n"
    "@          MX 30 mx3\n"
    "mx1        A 192.0.2.1\n"
    "mx1        AAAA 2001:db8::1\n"
    "mx2        A 192.0.2.2\n"
    "mx3        AAAA 2001:db8::3\n"
    "$ORIGIN implicit.example.\n"
    "@          A 198.51.100.7\n"
    "$ORIGIN nomail.example.\n"
    "@          MX 0 .\n"
    "@          A 198.51.100.8\n"
    "$ORIGIN mixed.example.\n"
    "@          MX 0 .\n"
    "@          MX 10 real.mixed.example.\n"
    "real       A 203.0.113.1\n"
    "$ORIGIN noaddr.example.\n"
    "@          MX 10 ghost.noaddr.example.\n"
    "$ORIGIN equal.example.\n"
    "@          MX 10 a\n"
    "@          MX 10 b\n"
    "@          MX 10 c\n"
    "@          MX 10 d\n"
    "@          MX 5 first\n"
    "a A 192.0.2.10\nb A 192.0.2.11\nc A 192.0.2.12\nd A 192.0.2.13\nfirst A 192.0.2.9\n"
    "$ORIGIN dup.example.\n"
    "@          MX 20 mx.dup.example.\n"
    "@          MX 10 mx.dup.example.\n"
    "mx         A 192.0.2.20\n"
    "$ORIGIN xn--bcher-kva.example.\n"
    "@          MX 10 mx1.example.com.\n"
    "$ORIGIN tempfail.example.\n"
    "@          MX 10 mx.tempfail.example.\n"
    "mx         A 192.0.2.30\n"
    "$ORIGIN hosttemp.example.\n"
    "@          MX 10 mx.hosttemp.example.\n";

static mailauth_zone *zone;
static mailauth_resolver resolver;

static int setup(void **state)
{
    (void)state;
    if (mailauth_zone_new(NULL, &zone) != 0 ||
        mailauth_zone_load(zone, zone_text, strlen(zone_text), NULL, NULL) != 0)
        return -1;
    mailauth_zone_fail(zone, "tempfail.example", MAILAUTH_RR_MX, MAILAUTH_DNS_TEMPFAIL);
    mailauth_zone_fail(zone, "mx.hosttemp.example", MAILAUTH_RR_A, MAILAUTH_DNS_TEMPFAIL);
    mailauth_zone_fail(zone, "mx.hosttemp.example", MAILAUTH_RR_AAAA, MAILAUTH_DNS_TEMPFAIL);
    mailauth_resolver_init(&resolver);
    mailauth_zone_resolver(zone, &resolver);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    mailauth_zone_free(zone);
    return 0;
}

/* A counter for a deterministic "random" source. */
static int counting_random(void *user, unsigned char *buf, size_t len)
{
    unsigned *n = user;
    for (size_t i = 0; i < len; i++)
        buf[i] = (unsigned char)((*n)++ * 37u);
    return 0;
}

static mailsend_mx *lookup(const char *domain, const mailsend_mx_options *o)
{
    mailsend_mx *m = NULL;
    assert_int_equal(mailsend_mx_new(domain, o, &m), 0);
    assert_int_equal(mailsend_mx_run(m, &resolver), 0);
    return m;
}

static void preference_order_and_addresses(void **state)
{
    (void)state;
    mailsend_mx *m = lookup("Example.COM.", NULL);
    assert_int_equal(mailsend_mx_result(m), MAILSEND_MX_OK);
    assert_string_equal(mailsend_mx_domain(m), "example.com");
    assert_int_equal(mailsend_mx_host_count(m), 3);
    const mailsend_mx_host *h = mailsend_mx_host_at(m, 0);
    assert_string_equal(h->name, "mx1.example.com");
    assert_int_equal(h->preference, 10);
    assert_int_equal(h->implicit, 0);
    assert_int_equal(h->address_count, 2);
    assert_int_equal(h->addresses[0].family, 6); /* IPv6 first by default */
    assert_int_equal(h->addresses[1].family, 4);
    assert_memory_equal(h->addresses[1].addr, "\xc0\x00\x02\x01", 4);
    assert_string_equal(mailsend_mx_host_at(m, 1)->name, "mx2.example.com");
    assert_int_equal(mailsend_mx_host_at(m, 1)->address_count, 1);
    assert_string_equal(mailsend_mx_host_at(m, 2)->name, "mx3.example.com");
    assert_int_equal(mailsend_mx_host_at(m, 2)->addresses[0].family, 6);
    assert_null(mailsend_mx_host_at(m, 3));
    mailsend_mx_free(m);
}

static void families_and_preference(void **state)
{
    (void)state;
    mailsend_mx_options o;
    mailsend_mx_options_init(&o);
    o.prefer_ipv4 = 1;
    mailsend_mx *m = lookup("example.com", &o);
    assert_int_equal(mailsend_mx_host_at(m, 0)->addresses[0].family, 4);
    assert_int_equal(mailsend_mx_host_at(m, 0)->addresses[1].family, 6);
    mailsend_mx_free(m);

    o.prefer_ipv4 = 0;
    o.families = MAILSEND_MX_IPV4;
    m = lookup("example.com", &o);
    assert_int_equal(mailsend_mx_host_at(m, 0)->address_count, 1);
    assert_int_equal(mailsend_mx_host_at(m, 2)->address_count, 0); /* mx3 has only AAAA */
    assert_int_equal(mailsend_mx_result(m), MAILSEND_MX_OK);
    mailsend_mx_free(m);
}

static void implicit_mx(void **state)
{
    (void)state;
    mailsend_mx *m = lookup("implicit.example", NULL);
    assert_int_equal(mailsend_mx_result(m), MAILSEND_MX_OK);
    assert_int_equal(mailsend_mx_host_count(m), 1);
    const mailsend_mx_host *h = mailsend_mx_host_at(m, 0);
    assert_string_equal(h->name, "implicit.example");
    assert_int_equal(h->implicit, 1);
    assert_int_equal(h->address_count, 1);
    mailsend_mx_free(m);
}

static void null_mx(void **state)
{
    (void)state;
    mailsend_mx *m = lookup("nomail.example", NULL);
    assert_int_equal(mailsend_mx_result(m), MAILSEND_MX_NULL_MX);
    assert_int_equal(mailsend_mx_host_count(m), 0);
    assert_string_equal(mailsend_mx_result_name(mailsend_mx_result(m)), "null-mx");
    mailsend_mx_free(m);

    /* "." beside a real exchange: the real one is used. */
    m = lookup("mixed.example", NULL);
    assert_int_equal(mailsend_mx_result(m), MAILSEND_MX_OK);
    assert_int_equal(mailsend_mx_host_count(m), 1);
    assert_string_equal(mailsend_mx_host_at(m, 0)->name, "real.mixed.example");
    mailsend_mx_free(m);
}

static void failures(void **state)
{
    (void)state;
    mailsend_mx *m = lookup("nonexistent.example", NULL);
    assert_int_equal(mailsend_mx_result(m), MAILSEND_MX_NO_DOMAIN);
    mailsend_mx_free(m);

    m = lookup("noaddr.example", NULL);
    assert_int_equal(mailsend_mx_result(m), MAILSEND_MX_NO_ADDRESS);
    assert_int_equal(mailsend_mx_host_count(m), 1);
    mailsend_mx_free(m);

    m = lookup("a..example", NULL); /* empty label: not a DNS name */
    assert_int_equal(mailsend_mx_result(m), MAILSEND_MX_PERMFAIL);
    mailsend_mx_free(m);

    m = lookup("tempfail.example", NULL);
    assert_int_equal(mailsend_mx_result(m), MAILSEND_MX_TEMPFAIL);
    mailsend_mx_free(m);

    m = lookup("hosttemp.example", NULL);
    assert_int_equal(mailsend_mx_result(m), MAILSEND_MX_TEMPFAIL);
    assert_int_equal(mailsend_mx_host_at(m, 0)->tempfail, 1);
    mailsend_mx_free(m);
}

static void equal_preferences_are_shuffled(void **state)
{
    (void)state;
    /* Over many draws every one of a..d comes second (right after "first", preference 5),
     * and "first" is always first. */
    int seen[4] = {0};
    for (unsigned seed = 0; seed < 64; seed++) {
        unsigned n = seed;
        mailsend_mx_options o;
        mailsend_mx_options_init(&o);
        o.random = counting_random;
        o.random_user = &n;
        mailsend_mx *m = lookup("equal.example", &o);
        assert_int_equal(mailsend_mx_host_count(m), 5);
        assert_string_equal(mailsend_mx_host_at(m, 0)->name, "first.equal.example");
        const char *second = mailsend_mx_host_at(m, 1)->name;
        assert_true(second[0] >= 'a' && second[0] <= 'd' && second[1] == '.');
        seen[second[0] - 'a']++;
        for (size_t i = 1; i < 5; i++)
            assert_int_equal(mailsend_mx_host_at(m, i)->preference, 10);
        mailsend_mx_free(m);
    }
    for (int i = 0; i < 4; i++)
        assert_true(seen[i] > 0);
}

static void limits_keep_the_best(void **state)
{
    (void)state;
    mailsend_mx_options o;
    mailsend_mx_options_init(&o);
    o.max_hosts = 2;
    o.max_addresses = 1;
    mailsend_mx *m = lookup("example.com", &o);
    assert_int_equal(mailsend_mx_host_count(m), 2);
    assert_string_equal(mailsend_mx_host_at(m, 0)->name, "mx1.example.com");
    assert_string_equal(mailsend_mx_host_at(m, 1)->name, "mx2.example.com");
    assert_int_equal(mailsend_mx_host_at(m, 0)->address_count, 1);
    mailsend_mx_free(m);

    /* The same exchange twice is one host, at its best preference. */
    m = lookup("dup.example", NULL);
    assert_int_equal(mailsend_mx_host_count(m), 1);
    assert_int_equal(mailsend_mx_host_at(m, 0)->preference, 10);
    mailsend_mx_free(m);
}

static void literals_and_idna(void **state)
{
    (void)state;
    mailsend_mx *m = NULL;
    assert_int_equal(mailsend_mx_new("[192.0.2.99]", NULL, &m), 0);
    mailauth_query q;
    assert_int_equal(mailsend_mx_step(m, &q), 0); /* no DNS at all */
    assert_int_equal(mailsend_mx_result(m), MAILSEND_MX_OK);
    assert_int_equal(mailsend_mx_host_at(m, 0)->addresses[0].family, 4);
    assert_memory_equal(mailsend_mx_host_at(m, 0)->addresses[0].addr, "\xc0\x00\x02\x63", 4);
    mailsend_mx_free(m);

    assert_int_equal(mailsend_mx_new("[IPv6:2001:db8::5]", NULL, &m), 0);
    assert_int_equal(mailsend_mx_host_at(m, 0)->addresses[0].family, 6);
    assert_int_equal(mailsend_mx_host_at(m, 0)->addresses[0].addr[15], 5);
    mailsend_mx_free(m);

    const char *bad[] = {"[192.0.2.999]", "[IPv6:zz]", "[192.0.2.1", "", ".", "a b.example",
                         "user@example.com", "x\x01.example"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        m = (mailsend_mx *)1;
        assert_int_equal(mailsend_mx_new(bad[i], NULL, &m), MAILSEND_E_INVAL);
        assert_null(m);
    }
    char longname[300];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    assert_int_equal(mailsend_mx_new(longname, NULL, &m), MAILSEND_E_INVAL);

    /* U-labels become A-labels before DNS is asked. */
    m = lookup("b\xc3\xbc" "cher.example", NULL);
    assert_string_equal(mailsend_mx_domain(m), "xn--bcher-kva.example");
    assert_int_equal(mailsend_mx_result(m), MAILSEND_MX_OK);
    assert_string_equal(mailsend_mx_host_at(m, 0)->name, "mx1.example.com");
    mailsend_mx_free(m);
}

static void step_by_step_matches_blocking(void **state)
{
    (void)state;
    mailsend_mx *m = NULL;
    assert_int_equal(mailsend_mx_new("example.com", NULL, &m), 0);
    mailauth_dns_answer *a = NULL;
    assert_int_equal(mailauth_dns_answer_new(&a), 0);
    mailauth_query q;
    const char *asked[8];
    int types[8];
    size_t n = 0;
    int rc;
    while ((rc = mailsend_mx_step(m, &q)) == MAILSEND_NEED_DNS) {
        assert_true(n < 8);
        asked[n] = q.name;
        types[n++] = q.type;
        /* a second step before the answer is refused */
        mailauth_query q2;
        assert_int_equal(mailsend_mx_step(m, &q2), MAILSEND_E_STATE);
        assert_int_equal(mailauth_resolve(&resolver, q.name, q.type, a), 0);
        assert_int_equal(mailsend_mx_answer(m, a), 0);
    }
    assert_int_equal(rc, 0);
    /* MX, then AAAA and A of each of the three hosts */
    assert_int_equal(n, 7);
    assert_int_equal(types[0], MAILAUTH_RR_MX);
    assert_int_equal(types[1], MAILAUTH_RR_AAAA);
    assert_int_equal(types[2], MAILAUTH_RR_A);
    (void)asked;
    assert_int_equal(mailsend_mx_answer(m, a), MAILSEND_E_STATE); /* nothing asked */
    assert_int_equal(mailsend_mx_result(m), MAILSEND_MX_OK);
    assert_int_equal(mailsend_mx_host_count(m), 3);
    mailauth_dns_answer_free(a);
    mailsend_mx_free(m);

    assert_int_equal(mailsend_mx_new(NULL, NULL, &m), MAILSEND_E_INVAL);
    assert_int_equal(mailsend_mx_run(NULL, &resolver), MAILSEND_E_INVAL);
    mailsend_mx_free(NULL);
    mailsend_mx_options o;
    mailsend_mx_options_init(&o);
    o.struct_size = sizeof o + 8;
    assert_int_equal(mailsend_mx_new("example.com", &o, &m), MAILSEND_E_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(preference_order_and_addresses),
        cmocka_unit_test(families_and_preference),
        cmocka_unit_test(implicit_mx),
        cmocka_unit_test(null_mx),
        cmocka_unit_test(failures),
        cmocka_unit_test(equal_preferences_are_shuffled),
        cmocka_unit_test(limits_keep_the_best),
        cmocka_unit_test(literals_and_idna),
        cmocka_unit_test(step_by_step_matches_blocking),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
