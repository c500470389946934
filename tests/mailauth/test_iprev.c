/* test_iprev.c — the iprev check (RFC 8601 §3, §2.7.3) against an in-memory zone: each
 * verdict and what leads to it, IPv4, IPv6 and IPv4-mapped clients, the PTR name limit at
 * and one past, blocking and step-by-step runs giving the same verdicts, the A-R result it
 * writes, bad arguments and allocation failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mailauth.h"

static mailauth_zone *zone;

/* The reverse zone owner of `ip` with a trailing dot. */
static void rev(const char *ip, char *buf)
{
    assert_int_equal(mailauth_reverse_name(ip, buf, 80), 0);
    strcat(buf, ".");
}

static void load(const char *text)
{
    mailauth_zone_error err;
    int rc = mailauth_zone_load(zone, text, strlen(text), NULL, &err);
    if (rc)
        fail_msg("load failed (%s) at line %zu: %s", mailauth_strerror(rc), err.line, err.message);
}

static int setup(void **state)
{
    (void)state;
    if (mailauth_zone_new(NULL, &zone))
        return -1;
    load("$ORIGIN example.com.\n"
         "mail      A    192.0.2.1\n"
         "mail      AAAA 2001:db8::1\n"
         "other     A    192.0.2.99\n"
         "multi     A    192.0.2.77\n"
         "multi     A    192.0.2.5\n"
         "six       A    192.0.2.6\n"
         "v4only    A    192.0.2.1\n"
         "txtonly   TXT  \"no address\"\n"
         "alias     CNAME twelve\n"
         "twelve    A    192.0.2.12\n"
         "$ORIGIN 2.0.192.in-addr.arpa.\n"
         "1   PTR mail.example.com.\n"
         "2   PTR other.example.com.\n"
         "3   PTR nowhere.example.com.\n"
         "4   PTR tempfwd.example.com.\n"
         "5   PTR other.example.com.\n"
         "5   PTR multi.example.com.\n"
         "6   PTR tempfwd.example.com.\n"
         "6   PTR six.example.com.\n"
         "8   PTR mail.example.com.\n"
         "9   PTR mail.example.com.\n"
         "10  TXT \"exists, no PTR\"\n"
         "12  PTR alias.example.com.\n"
         "13  PTR txtonly.example.com.\n"
         "14  PTR permfwd.example.com.\n");
    /* 11: eleven names, only the last of which maps back. */
    char text[2048];
    size_t k = (size_t)snprintf(text, sizeof text, "$ORIGIN 2.0.192.in-addr.arpa.\n");
    for (int i = 0; i < 10; i++)
        k += (size_t)snprintf(text + k, sizeof text - k, "11 PTR n%d.example.com.\n", i);
    k += (size_t)snprintf(text + k, sizeof text - k, "11 PTR eleven.example.com.\n");
    snprintf(text + k, sizeof text - k, "eleven.example.com. A 192.0.2.11\n");
    load(text);
    char owner[96], zt[512];
    rev("2001:db8::1", owner);
    snprintf(zt, sizeof zt, "%s PTR mail.example.com.\n", owner);
    load(zt);
    rev("2001:db8::2", owner);
    snprintf(zt, sizeof zt, "%s PTR v4only.example.com.\n", owner);
    load(zt);
    if (mailauth_zone_fail(zone, "tempfwd.example.com", 0, MAILAUTH_DNS_TEMPFAIL) ||
        mailauth_zone_fail(zone, "permfwd.example.com", 0, MAILAUTH_DNS_PERMFAIL) ||
        mailauth_zone_fail(zone, "8.2.0.192.in-addr.arpa", MAILAUTH_RR_PTR,
                           MAILAUTH_DNS_TEMPFAIL) ||
        mailauth_zone_fail(zone, "9.2.0.192.in-addr.arpa", MAILAUTH_RR_PTR,
                           MAILAUTH_DNS_PERMFAIL))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    mailauth_zone_free(zone);
    return 0;
}

/* Runs the check blocking; returns the verdict; `name` (may be NULL) the confirmed name. */
static int run_blocking(const char *ip, const mailauth_iprev_options *o, char *name,
                        unsigned *lookups)
{
    mailauth_resolver r;
    mailauth_zone_resolver(zone, &r);
    mailauth_iprev *v;
    assert_int_equal(mailauth_iprev_new(ip, o, &v), 0);
    assert_int_equal(mailauth_iprev_done(v), 0);
    assert_int_equal(mailauth_iprev_result(v), MAILAUTH_RESULT_NONE);
    assert_int_equal(mailauth_iprev_run(v, &r), 0);
    assert_int_equal(mailauth_iprev_done(v), 1);
    int result = mailauth_iprev_result(v);
    if (name)
        strcpy(name, mailauth_iprev_name(v) ? mailauth_iprev_name(v) : "");
    if (lookups)
        *lookups = mailauth_iprev_lookups(v);
    mailauth_iprev_free(v);
    return result;
}

/* The same, step by step, the caller answering from the zone. */
static int run_steps(const char *ip, const mailauth_iprev_options *o, char *name,
                     unsigned *lookups)
{
    mailauth_iprev *v;
    mailauth_dns_answer *a;
    assert_int_equal(mailauth_iprev_new(ip, o, &v), 0);
    assert_int_equal(mailauth_dns_answer_new(&a), 0);
    mailauth_query q;
    int rc, steps = 0;
    while ((rc = mailauth_iprev_step(v, &q)) == MAILAUTH_NEED_DNS) {
        assert_true(++steps < 100);
        assert_int_equal(mailauth_iprev_done(v), 0);
        assert_int_equal(mailauth_zone_lookup(zone, q.name, q.type, a), 0);
        assert_int_equal(mailauth_iprev_answer(v, a), 0);
    }
    assert_int_equal(rc, 0);
    assert_int_equal(mailauth_iprev_step(v, &q), 0); /* done stays done */
    int result = mailauth_iprev_result(v);
    if (name)
        strcpy(name, mailauth_iprev_name(v) ? mailauth_iprev_name(v) : "");
    if (lookups)
        *lookups = mailauth_iprev_lookups(v);
    mailauth_dns_answer_free(a);
    mailauth_iprev_free(v);
    return result;
}

/* Both ways give `want` (and `want_name` on pass) with the same lookups. */
static void assert_iprev(const char *ip, int want, const char *want_name)
{
    char n1[300], n2[300];
    unsigned l1, l2;
    int r1 = run_blocking(ip, NULL, n1, &l1), r2 = run_steps(ip, NULL, n2, &l2);
    if (r1 != want || r2 != want)
        fail_msg("%s: blocking %s, step by step %s, expected %s", ip, mailauth_result_name(r1),
                 mailauth_result_name(r2), mailauth_result_name(want));
    assert_string_equal(n1, want_name ? want_name : "");
    assert_string_equal(n2, n1);
    assert_int_equal(l1, l2);
}

static void ptr_name_mapping_back_is_pass(void **state)
{
    (void)state;
    assert_iprev("192.0.2.1", MAILAUTH_RESULT_PASS, "mail.example.com");
}

static void ptr_name_mapping_elsewhere_is_fail(void **state)
{
    (void)state;
    assert_iprev("192.0.2.2", MAILAUTH_RESULT_FAIL, NULL);
}

static void ptr_name_without_address_is_fail(void **state)
{
    (void)state;
    assert_iprev("192.0.2.3", MAILAUTH_RESULT_FAIL, NULL);  /* forward NXDOMAIN */
    assert_iprev("192.0.2.13", MAILAUTH_RESULT_FAIL, NULL); /* forward no data */
}

static void second_ptr_name_can_confirm(void **state)
{
    (void)state;
    assert_iprev("192.0.2.5", MAILAUTH_RESULT_PASS, "multi.example.com");
}

static void cname_target_address_confirms(void **state)
{
    (void)state;
    assert_iprev("192.0.2.12", MAILAUTH_RESULT_PASS, "alias.example.com");
}

static void forward_failure_is_temperror_unless_another_name_confirms(void **state)
{
    (void)state;
    assert_iprev("192.0.2.4", MAILAUTH_RESULT_TEMPERROR, NULL);
    assert_iprev("192.0.2.14", MAILAUTH_RESULT_TEMPERROR, NULL); /* a PERMFAIL answer */
    assert_iprev("192.0.2.6", MAILAUTH_RESULT_PASS, "six.example.com");
}

static void no_ptr_data_is_permerror(void **state)
{
    (void)state;
    assert_iprev("192.0.2.7", MAILAUTH_RESULT_PERMERROR, NULL);  /* NXDOMAIN */
    assert_iprev("192.0.2.10", MAILAUTH_RESULT_PERMERROR, NULL); /* no data */
    assert_iprev("198.51.100.1", MAILAUTH_RESULT_PERMERROR, NULL);
}

static void reverse_lookup_failure_is_temperror(void **state)
{
    (void)state;
    assert_iprev("192.0.2.8", MAILAUTH_RESULT_TEMPERROR, NULL);
    assert_iprev("192.0.2.9", MAILAUTH_RESULT_TEMPERROR, NULL);
}

static void ipv6_client_is_checked_with_aaaa(void **state)
{
    (void)state;
    assert_iprev("2001:db8::1", MAILAUTH_RESULT_PASS, "mail.example.com");
    assert_iprev("2001:DB8:0:0:0:0:0:1", MAILAUTH_RESULT_PASS, "mail.example.com");
    /* The name has only an A record: no AAAA maps back. */
    assert_iprev("2001:db8::2", MAILAUTH_RESULT_FAIL, NULL);
    assert_iprev("2001:db8::3", MAILAUTH_RESULT_PERMERROR, NULL);
}

static void ipv4_mapped_client_is_checked_as_ipv4(void **state)
{
    (void)state;
    assert_iprev("::ffff:192.0.2.1", MAILAUTH_RESULT_PASS, "mail.example.com");
    mailauth_iprev *v;
    assert_int_equal(mailauth_iprev_new("::ffff:192.0.2.1", NULL, &v), 0);
    assert_string_equal(mailauth_iprev_ip(v), "192.0.2.1");
    mailauth_iprev_free(v);
}

static void ptr_names_tried_at_the_limit_and_one_past(void **state)
{
    (void)state;
    /* The 11th name maps back: the default 10 stop before it. */
    unsigned lookups;
    assert_int_equal(run_blocking("192.0.2.11", NULL, NULL, &lookups), MAILAUTH_RESULT_FAIL);
    assert_int_equal(lookups, 1 + 10);
    mailauth_iprev_options o;
    mailauth_iprev_options_init(&o);
    o.max_names = 11;
    char name[300];
    assert_int_equal(run_blocking("192.0.2.11", &o, name, &lookups), MAILAUTH_RESULT_PASS);
    assert_string_equal(name, "eleven.example.com");
    assert_int_equal(lookups, 1 + 11);
    assert_int_equal(run_steps("192.0.2.11", &o, name, &lookups), MAILAUTH_RESULT_PASS);
    assert_int_equal(lookups, 1 + 11);
    o.max_names = 1;
    assert_int_equal(run_steps("192.0.2.5", &o, NULL, &lookups), MAILAUTH_RESULT_FAIL);
    assert_int_equal(lookups, 2);
    o.max_names = 100;
    assert_int_equal(run_blocking("192.0.2.1", &o, NULL, NULL), MAILAUTH_RESULT_PASS);
    o.max_names = 101;
    mailauth_iprev *v = (mailauth_iprev *)1;
    assert_int_equal(mailauth_iprev_new("192.0.2.1", &o, &v), MAILAUTH_E_INVAL);
    assert_null(v);
}

static void lookups_stop_at_the_first_confirmation(void **state)
{
    (void)state;
    unsigned lookups;
    assert_int_equal(run_blocking("192.0.2.1", NULL, NULL, &lookups), MAILAUTH_RESULT_PASS);
    assert_int_equal(lookups, 2);
    assert_int_equal(run_blocking("192.0.2.7", NULL, NULL, &lookups), MAILAUTH_RESULT_PERMERROR);
    assert_int_equal(lookups, 1);
}

static void step_names_each_query_and_repeats_an_unanswered_one(void **state)
{
    (void)state;
    mailauth_iprev *v;
    mailauth_query q;
    assert_int_equal(mailauth_iprev_new("192.0.2.1", NULL, &v), 0);
    assert_int_equal(mailauth_iprev_answer(v, NULL), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_iprev_step(v, &q), MAILAUTH_NEED_DNS);
    assert_string_equal(q.name, "1.2.0.192.in-addr.arpa");
    assert_int_equal(q.type, MAILAUTH_RR_PTR);
    assert_int_equal(mailauth_iprev_step(v, &q), MAILAUTH_NEED_DNS);
    assert_string_equal(q.name, "1.2.0.192.in-addr.arpa");
    mailauth_dns_answer *a;
    assert_int_equal(mailauth_dns_answer_new(&a), 0);
    assert_int_equal(mailauth_zone_lookup(zone, q.name, q.type, a), 0);
    assert_int_equal(mailauth_iprev_answer(v, a), 0);
    assert_int_equal(mailauth_iprev_answer(v, a), MAILAUTH_E_INVAL); /* nothing pending */
    assert_int_equal(mailauth_iprev_step(v, &q), MAILAUTH_NEED_DNS);
    assert_string_equal(q.name, "mail.example.com");
    assert_int_equal(q.type, MAILAUTH_RR_A);
    /* Finishing blocking from here gives the same verdict. */
    mailauth_resolver r;
    mailauth_zone_resolver(zone, &r);
    assert_int_equal(mailauth_iprev_run(v, &r), 0);
    assert_int_equal(mailauth_iprev_result(v), MAILAUTH_RESULT_PASS);
    assert_string_equal(mailauth_iprev_name(v), "mail.example.com");
    assert_int_equal(mailauth_iprev_run(v, &r), 0);
    mailauth_dns_answer_free(a);
    mailauth_iprev_free(v);
}

static void resolver_answering_for_another_family_is_fail(void **state)
{
    (void)state;
    /* A caller answering the AAAA question with an A record: no address of the client's
     * family, so no confirmation. */
    mailauth_iprev *v;
    mailauth_query q;
    mailauth_dns_answer *a;
    assert_int_equal(mailauth_iprev_new("2001:db8::1", NULL, &v), 0);
    assert_int_equal(mailauth_dns_answer_new(&a), 0);
    assert_int_equal(mailauth_iprev_step(v, &q), MAILAUTH_NEED_DNS);
    assert_int_equal(mailauth_zone_lookup(zone, q.name, q.type, a), 0);
    assert_int_equal(mailauth_iprev_answer(v, a), 0);
    assert_int_equal(mailauth_iprev_step(v, &q), MAILAUTH_NEED_DNS);
    assert_int_equal(q.type, MAILAUTH_RR_AAAA);
    static const unsigned char addr4[4] = {0x20, 0x01, 0x0d, 0xb8};
    mailauth_dns_answer_reset(a);
    assert_int_equal(mailauth_dns_answer_add_a(a, addr4), 0);
    assert_int_equal(mailauth_dns_answer_set_result(a, MAILAUTH_DNS_FOUND), 0);
    assert_int_equal(mailauth_iprev_answer(v, a), 0);
    assert_int_equal(mailauth_iprev_step(v, &q), 0);
    assert_int_equal(mailauth_iprev_result(v), MAILAUTH_RESULT_FAIL);
    mailauth_dns_answer_free(a);
    mailauth_iprev_free(v);
}

static void verdict_goes_into_authentication_results(void **state)
{
    (void)state;
    mailauth_resolver r;
    mailauth_zone_resolver(zone, &r);
    mailauth_ar *ar;
    assert_int_equal(mailauth_ar_new("mx.example.org", &ar), 0);
    static const char *const ips[] = {"192.0.2.1", "192.0.2.2", "192.0.2.7", "2001:db8::1"};
    for (size_t i = 0; i < sizeof ips / sizeof *ips; i++) {
        mailauth_iprev *v;
        assert_int_equal(mailauth_iprev_new(ips[i], NULL, &v), 0);
        assert_int_equal(mailauth_iprev_to_ar(v, ar), MAILAUTH_E_INVAL); /* not done */
        assert_int_equal(mailauth_iprev_run(v, &r), 0);
        assert_int_equal(mailauth_iprev_to_ar(v, ar), 0);
        mailauth_iprev_free(v);
    }
    const char *out;
    assert_int_equal(mailauth_ar_write(ar, 0, &out, NULL), 0);
    assert_string_equal(out, "Authentication-Results: mx.example.org;\r\n"
                             "\tiprev=pass (mail.example.com) policy.iprev=192.0.2.1;\r\n"
                             "\tiprev=fail policy.iprev=192.0.2.2;\r\n"
                             "\tiprev=permerror policy.iprev=192.0.2.7;\r\n"
                             "\tiprev=pass (mail.example.com) policy.iprev=\"2001:db8::1\"");
    mailauth_ar_free(ar);
}

static void bad_arguments_are_inval(void **state)
{
    (void)state;
    mailauth_iprev *v = (mailauth_iprev *)1;
    assert_int_equal(mailauth_iprev_new("not an address", NULL, &v), MAILAUTH_E_INVAL);
    assert_null(v);
    assert_int_equal(mailauth_iprev_new("192.0.2.256", NULL, &v), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_iprev_new(NULL, NULL, &v), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_iprev_new("192.0.2.1", NULL, NULL), MAILAUTH_E_INVAL);
    mailauth_iprev_options o;
    mailauth_iprev_options_init(&o);
    o.struct_size = 1;
    assert_int_equal(mailauth_iprev_new("192.0.2.1", &o, &v), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_iprev_new("192.0.2.1", NULL, &v), 0);
    mailauth_query q;
    assert_int_equal(mailauth_iprev_step(v, NULL), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_iprev_step(NULL, &q), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_iprev_run(v, NULL), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_iprev_run(NULL, NULL), MAILAUTH_E_INVAL);
    assert_null(mailauth_iprev_name(v));
    assert_string_equal(mailauth_iprev_ip(v), "192.0.2.1");
    assert_int_equal(mailauth_iprev_lookups(v), 0);
    mailauth_iprev_free(v);
    mailauth_iprev_free(NULL);
    assert_int_equal(mailauth_iprev_result(NULL), MAILAUTH_RESULT_NONE);
    assert_int_equal(mailauth_iprev_done(NULL), 0);
}

#include "alloc_budget.h"

static void allocation_failure_anywhere_is_nomem(void **state)
{
    (void)state;
    mailauth_resolver r;
    mailauth_zone_resolver(zone, &r);
    mailauth_set_allocator(budget_malloc, budget_realloc, free);
    int completed = 0;
    for (size_t limit = 0; limit < 400 && !completed; limit++) {
        alloc_budget = limit;
        alloc_limited = 1;
        mailauth_iprev *v = NULL;
        int rc = mailauth_iprev_new("192.0.2.5", NULL, &v);
        if (!rc)
            rc = mailauth_iprev_run(v, &r);
        alloc_limited = 0;
        if (rc && rc != MAILAUTH_E_NOMEM)
            fail_msg("with %zu allocations allowed: %d", limit, rc);
        if (!rc) {
            assert_int_equal(mailauth_iprev_result(v), MAILAUTH_RESULT_PASS);
            assert_string_equal(mailauth_iprev_name(v), "multi.example.com");
            completed = 1;
        }
        mailauth_iprev_free(v);
    }
    mailauth_set_allocator(NULL, NULL, NULL);
    assert_true(completed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ptr_name_mapping_back_is_pass),
        cmocka_unit_test(ptr_name_mapping_elsewhere_is_fail),
        cmocka_unit_test(ptr_name_without_address_is_fail),
        cmocka_unit_test(second_ptr_name_can_confirm),
        cmocka_unit_test(cname_target_address_confirms),
        cmocka_unit_test(forward_failure_is_temperror_unless_another_name_confirms),
        cmocka_unit_test(no_ptr_data_is_permerror),
        cmocka_unit_test(reverse_lookup_failure_is_temperror),
        cmocka_unit_test(ipv6_client_is_checked_with_aaaa),
        cmocka_unit_test(ipv4_mapped_client_is_checked_as_ipv4),
        cmocka_unit_test(ptr_names_tried_at_the_limit_and_one_past),
        cmocka_unit_test(lookups_stop_at_the_first_confirmation),
        cmocka_unit_test(step_names_each_query_and_repeats_an_unanswered_one),
        cmocka_unit_test(resolver_answering_for_another_family_is_fail),
        cmocka_unit_test(verdict_goes_into_authentication_results),
        cmocka_unit_test(bad_arguments_are_inval),
        cmocka_unit_test(allocation_failure_anywhere_is_nomem),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
