/* test_dns_memo.c — the per-check answer memo behind every step-by-step check: blocking and
 * step-by-step lookups, one question per (name, type) whatever the case or trailing dot,
 * answers normalised and copied, resolver call errors held as TEMPFAIL, the entry bound; and
 * the verdict names shared by every check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ma_internal.h"

struct counted {
    mailauth_zone *zone;
    int calls;
    int fail_with;
};

static int counted_lookup(void *user, const char *name, int type, mailauth_dns_answer *a)
{
    struct counted *c = user;
    c->calls++;
    if (c->fail_with)
        return c->fail_with;
    return mailauth_zone_lookup(c->zone, name, type, a);
}

static const char zone_text[] = "example.org. 300 IN TXT \"v=spf1 -all\"\n"
                                "example.org. 300 IN A 192.0.2.1\n";

static mailauth_zone *load_zone(void)
{
    mailauth_zone *z;
    assert_int_equal(mailauth_zone_new(NULL, &z), 0);
    assert_int_equal(mailauth_zone_load(z, zone_text, sizeof zone_text - 1, NULL, NULL), 0);
    return z;
}

static void blocking_lookup_asks_once_per_name_and_type(void **state)
{
    (void)state;
    struct counted c = {load_zone(), 0, 0};
    mailauth_resolver r;
    mailauth_resolver_init(&r);
    r.lookup = counted_lookup;
    r.user = &c;
    ma_dns d;
    ma_dns_init(&d, 0);
    d.resolver = &r;
    const mailauth_dns_answer *a;
    assert_int_equal(ma_dns_lookup(&d, "example.org", MAILAUTH_RR_TXT, &a), 0);
    assert_int_equal(mailauth_dns_answer_result(a), MAILAUTH_DNS_FOUND);
    assert_string_equal(mailauth_dns_answer_record(a, 0)->text, "v=spf1 -all");
    assert_int_equal(ma_dns_lookup(&d, "EXAMPLE.org.", MAILAUTH_RR_TXT, &a), 0);
    assert_int_equal(c.calls, 1);
    assert_int_equal(ma_dns_lookup(&d, "example.org", MAILAUTH_RR_A, &a), 0);
    assert_int_equal(c.calls, 2);
    assert_int_equal(ma_dns_lookup(&d, "missing.example.org", MAILAUTH_RR_A, &a), 0);
    assert_int_equal(mailauth_dns_answer_result(a), MAILAUTH_DNS_NXDOMAIN);
    assert_int_equal(d.lookups, 3);
    ma_dns_clear(&d);
    mailauth_zone_free(c.zone);
}

static void step_mode_records_the_question_and_takes_the_answer(void **state)
{
    (void)state;
    ma_dns d;
    ma_dns_init(&d, 0);
    mailauth_query q;
    const mailauth_dns_answer *a;
    assert_int_equal(ma_dns_pending(&d, &q), MAILAUTH_E_INVAL);
    assert_int_equal(ma_dns_lookup(&d, "Example.ORG.", MAILAUTH_RR_TXT, &a), MAILAUTH_NEED_DNS);
    assert_null(a);
    assert_int_equal(ma_dns_pending(&d, &q), MAILAUTH_NEED_DNS);
    assert_string_equal(q.name, "Example.ORG");
    assert_int_equal(q.type, MAILAUTH_RR_TXT);

    /* The caller's answer: FOUND without records is taken as NODATA. */
    mailauth_dns_answer *ans;
    assert_int_equal(mailauth_dns_answer_new(&ans), 0);
    assert_int_equal(mailauth_dns_answer_set_result(ans, MAILAUTH_DNS_FOUND), 0);
    assert_int_equal(ma_dns_answer(&d, ans), 0);
    assert_int_equal(ma_dns_answer(&d, ans), MAILAUTH_E_INVAL); /* nothing pending now */
    mailauth_dns_answer_free(ans);                              /* the memo holds a copy */
    assert_int_equal(ma_dns_lookup(&d, "example.org", MAILAUTH_RR_TXT, &a), 0);
    assert_int_equal(mailauth_dns_answer_result(a), MAILAUTH_DNS_NODATA);
    ma_dns_clear(&d);
}

static void step_mode_gives_the_same_answers_as_blocking(void **state)
{
    (void)state;
    mailauth_zone *z = load_zone();
    mailauth_resolver r;
    mailauth_zone_resolver(z, &r);
    ma_dns d;
    ma_dns_init(&d, 0);
    const mailauth_dns_answer *a;
    mailauth_dns_answer *ans;
    assert_int_equal(mailauth_dns_answer_new(&ans), 0);
    int rc;
    while ((rc = ma_dns_lookup(&d, "example.org", MAILAUTH_RR_A, &a)) == MAILAUTH_NEED_DNS) {
        mailauth_query q;
        assert_int_equal(ma_dns_pending(&d, &q), MAILAUTH_NEED_DNS);
        assert_int_equal(mailauth_resolve(&r, q.name, q.type, ans), 0);
        assert_int_equal(ma_dns_answer(&d, ans), 0);
    }
    assert_int_equal(rc, 0);
    assert_int_equal(mailauth_dns_answer_count(a), 1);
    assert_memory_equal(mailauth_dns_answer_record(a, 0)->addr, "\xc0\x00\x02\x01", 4);
    mailauth_dns_answer_free(ans);
    ma_dns_clear(&d);
    mailauth_zone_free(z);
}

static void resolver_call_error_is_held_as_tempfail_but_nomem_is_passed_on(void **state)
{
    (void)state;
    struct counted c = {load_zone(), 0, MAILAUTH_E_UNSUPPORTED};
    mailauth_resolver r;
    mailauth_resolver_init(&r);
    r.lookup = counted_lookup;
    r.user = &c;
    ma_dns d;
    ma_dns_init(&d, 0);
    d.resolver = &r;
    const mailauth_dns_answer *a;
    assert_int_equal(ma_dns_lookup(&d, "example.org", MAILAUTH_RR_TLSA, &a), 0);
    assert_int_equal(mailauth_dns_answer_result(a), MAILAUTH_DNS_TEMPFAIL);
    c.fail_with = MAILAUTH_E_NOMEM;
    assert_int_equal(ma_dns_lookup(&d, "example.org", MAILAUTH_RR_A, &a), MAILAUTH_E_NOMEM);
    assert_int_equal(d.count, 1);
    ma_dns_clear(&d);
    mailauth_zone_free(c.zone);
}

static void bad_names_are_refused_without_asking(void **state)
{
    (void)state;
    ma_dns d;
    ma_dns_init(&d, 0);
    const mailauth_dns_answer *a;
    char label64[80];
    memset(label64, 'a', 64);
    strcpy(label64 + 64, ".example");
    assert_int_equal(ma_dns_lookup(&d, label64, MAILAUTH_RR_TXT, &a), MAILAUTH_E_INVAL);
    assert_int_equal(ma_dns_lookup(&d, "a..b", MAILAUTH_RR_TXT, &a), MAILAUTH_E_INVAL);
    assert_int_equal(ma_dns_lookup(&d, "", MAILAUTH_RR_TXT, &a), MAILAUTH_E_INVAL);
    assert_int_equal(ma_dns_lookup(&d, "example.org", 99, &a), MAILAUTH_E_INVAL);
    assert_false(d.pending);
    ma_dns_clear(&d);
}

static void entry_bound_is_a_limit(void **state)
{
    (void)state;
    mailauth_zone *z = load_zone();
    mailauth_resolver r;
    mailauth_zone_resolver(z, &r);
    ma_dns d;
    ma_dns_init(&d, 3);
    d.resolver = &r;
    const mailauth_dns_answer *a;
    char name[32];
    for (int i = 0; i < 3; i++) {
        snprintf(name, sizeof name, "n%d.example.org", i);
        assert_int_equal(ma_dns_lookup(&d, name, MAILAUTH_RR_A, &a), 0);
    }
    assert_int_equal(ma_dns_lookup(&d, "n3.example.org", MAILAUTH_RR_A, &a), MAILAUTH_E_LIMIT);
    assert_int_equal(ma_dns_lookup(&d, "n1.example.org", MAILAUTH_RR_A, &a), 0); /* still held */
    ma_dns_clear(&d);
    assert_int_equal(d.count, 0);
    assert_int_equal(d.max, 3);
    mailauth_zone_free(z);
}

static void result_names_round_trip(void **state)
{
    (void)state;
    const char *names[] = {"none", "pass", "fail", "softfail", "neutral", "temperror",
                           "permerror", "policy"};
    for (int i = 0; i < 8; i++) {
        assert_string_equal(mailauth_result_name(i), names[i]);
        assert_int_equal(mailauth_result_from_name(names[i], strlen(names[i])), i);
    }
    assert_int_equal(mailauth_result_from_name("PermError", 9), MAILAUTH_RESULT_PERMERROR);
    assert_int_equal(mailauth_result_from_name("passed", 6), -1);
    assert_int_equal(mailauth_result_from_name("pas", 3), -1);
    assert_int_equal(mailauth_result_from_name(NULL, 0), -1);
    assert_string_equal(mailauth_result_name(8), "unknown");
    assert_string_equal(mailauth_result_name(-1), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(blocking_lookup_asks_once_per_name_and_type),
        cmocka_unit_test(step_mode_records_the_question_and_takes_the_answer),
        cmocka_unit_test(step_mode_gives_the_same_answers_as_blocking),
        cmocka_unit_test(resolver_call_error_is_held_as_tempfail_but_nomem_is_passed_on),
        cmocka_unit_test(bad_names_are_refused_without_asking),
        cmocka_unit_test(entry_bound_is_a_limit),
        cmocka_unit_test(result_names_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
