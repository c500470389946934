/* test_spf_record.c — SPF record parsing (RFC 7208 §4.5, §5, §6, §12): record selection,
 * every mechanism and its arguments, qualifiers, dual CIDR lengths, modifiers, the
 * domain-spec's domain-end, and the syntax errors that make a record a permerror, with the
 * offset they report. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "spf_internal.h"

static lm_arena *arena;

static int setup(void **state)
{
    (void)state;
    arena = lm_arena_new(0);
    return arena ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    lm_arena_free(arena);
    arena = NULL;
    return 0;
}

static spf_record parse_ok(const char *text)
{
    spf_record rec;
    size_t off;
    const char *msg;
    int rc = spf_record_parse(text, strlen(text), arena, &rec, &off, &msg);
    if (rc)
        fail_msg("\"%s\": code %d at %zu (%s)", text, rc, off, msg);
    return rec;
}

/* Expects a syntax error; returns its offset. */
static size_t parse_bad(const char *text)
{
    spf_record rec;
    size_t off = 9999;
    const char *msg = NULL;
    int rc = spf_record_parse(text, strlen(text), arena, &rec, &off, &msg);
    if (rc != MAILAUTH_E_SYNTAX)
        fail_msg("\"%s\" accepted (code %d)", text, rc);
    assert_non_null(msg);
    assert_true(off <= strlen(text));
    return off;
}

static void assert_spec(const spf_term *t, const char *want)
{
    if (!want) {
        assert_null(t->spec);
        return;
    }
    assert_non_null(t->spec);
    assert_int_equal(t->spec_len, strlen(want));
    assert_memory_equal(t->spec, want, t->spec_len);
}

static void version_selects_records(void **state)
{
    (void)state;
    assert_true(spf_record_is_spf("v=spf1", 6));
    assert_true(spf_record_is_spf("v=spf1 -all", 11));
    assert_true(spf_record_is_spf("V=SPF1 -all", 11));
    assert_false(spf_record_is_spf("v=spf1-all", 10));
    assert_false(spf_record_is_spf("v=spf10", 7));
    assert_false(spf_record_is_spf("v=spf", 5));
    assert_false(spf_record_is_spf(" v=spf1", 7));
    assert_false(spf_record_is_spf("spf2.0/pra -all", 15));
    assert_false(spf_record_is_spf("", 0));
}

static void empty_record_has_no_terms(void **state)
{
    (void)state;
    spf_record r = parse_ok("v=spf1");
    assert_int_equal(r.count, 0);
    r = parse_ok("v=spf1    ");
    assert_int_equal(r.count, 0);
    assert_null(r.redirect);
    assert_null(r.exp);
}

static void qualifiers(void **state)
{
    (void)state;
    spf_record r = parse_ok("v=spf1 all +all -all ~all ?all");
    assert_int_equal(r.count, 5);
    static const int want[] = {MAILAUTH_RESULT_PASS, MAILAUTH_RESULT_PASS, MAILAUTH_RESULT_FAIL,
                               MAILAUTH_RESULT_SOFTFAIL, MAILAUTH_RESULT_NEUTRAL};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(r.terms[i].kind, SPF_ALL);
        assert_int_equal(r.terms[i].qualifier, want[i]);
    }
    assert_int_equal(r.terms[2].offset, 16);
    assert_int_equal(r.terms[2].text_len, 4);
    assert_memory_equal(r.terms[2].text, "-all", 4);
}

static void every_mechanism_with_its_arguments(void **state)
{
    (void)state;
    spf_record r = parse_ok("v=spf1 include:_spf.example.com a a:mail.example.com a/24 "
                            "a:example.org/24//64 a//48 mx mx:%{d}/30 ptr ptr:example.com "
                            "ip4:192.0.2.0/24 ip4:192.0.2.1 ip6:2001:db8::/32 ip6:::1 "
                            "exists:%{ir}.%{l1r+-}._spf.%{d} -all");
    assert_int_equal(r.count, 16);
    assert_int_equal(r.terms[0].kind, SPF_INCLUDE);
    assert_spec(&r.terms[0], "_spf.example.com");
    assert_int_equal(r.terms[1].kind, SPF_A);
    assert_spec(&r.terms[1], NULL);
    assert_int_equal(r.terms[1].cidr4, 32);
    assert_int_equal(r.terms[1].cidr6, 128);
    assert_spec(&r.terms[2], "mail.example.com");
    assert_spec(&r.terms[3], NULL);
    assert_int_equal(r.terms[3].cidr4, 24);
    assert_spec(&r.terms[4], "example.org");
    assert_int_equal(r.terms[4].cidr4, 24);
    assert_int_equal(r.terms[4].cidr6, 64);
    assert_int_equal(r.terms[5].cidr4, 32);
    assert_int_equal(r.terms[5].cidr6, 48);
    assert_int_equal(r.terms[6].kind, SPF_MX);
    assert_spec(&r.terms[7], "%{d}");
    assert_int_equal(r.terms[7].cidr4, 30);
    assert_int_equal(r.terms[8].kind, SPF_PTR);
    assert_spec(&r.terms[8], NULL);
    assert_spec(&r.terms[9], "example.com");
    assert_int_equal(r.terms[10].kind, SPF_IP4);
    assert_int_equal(r.terms[10].cidr4, 24);
    assert_false(r.terms[10].net.v6);
    assert_int_equal(r.terms[10].net.b[0], 192);
    assert_int_equal(r.terms[11].cidr4, 32);
    assert_int_equal(r.terms[12].kind, SPF_IP6);
    assert_true(r.terms[12].net.v6);
    assert_int_equal(r.terms[12].cidr6, 32);
    assert_int_equal(r.terms[13].cidr6, 128);
    assert_int_equal(r.terms[13].net.b[15], 1);
    assert_int_equal(r.terms[14].kind, SPF_EXISTS);
    assert_spec(&r.terms[14], "%{ir}.%{l1r+-}._spf.%{d}");
    assert_int_equal(r.terms[15].kind, SPF_ALL);
}

static void mechanism_names_are_case_insensitive(void **state)
{
    (void)state;
    spf_record r = parse_ok("v=spf1 A MX:Example.COM Include:x.example IP4:1.2.3.4 -ALL");
    assert_int_equal(r.terms[0].kind, SPF_A);
    assert_int_equal(r.terms[1].kind, SPF_MX);
    assert_int_equal(r.terms[2].kind, SPF_INCLUDE);
    assert_int_equal(r.terms[3].kind, SPF_IP4);
    assert_int_equal(r.terms[4].kind, SPF_ALL);
}

static void modifiers(void **state)
{
    (void)state;
    spf_record r = parse_ok("v=spf1 mx redirect=_spf.example.com exp=explain.%{d} "
                            "moo=bar%{d} x-y.z_w=");
    assert_int_equal(r.count, 5);
    assert_non_null(r.redirect);
    assert_int_equal(r.redirect->kind, SPF_REDIRECT);
    assert_spec(r.redirect, "_spf.example.com");
    assert_non_null(r.exp);
    assert_spec(r.exp, "explain.%{d}");
    assert_int_equal(r.terms[3].kind, SPF_MODIFIER);
    assert_int_equal(r.terms[4].kind, SPF_MODIFIER);
    /* Unknown modifiers may repeat; redirect and exp may not. */
    parse_ok("v=spf1 a=b a=c");
    assert_int_equal(parse_bad("v=spf1 redirect=a.example redirect=b.example"), 26);
    assert_int_equal(parse_bad("v=spf1 exp=a.example exp=b.example"), 21);
    r = parse_ok("v=spf1 REDIRECT=a.example Exp=b.example");
    assert_non_null(r.redirect);
    assert_non_null(r.exp);
}

static void domain_end_must_be_toplabel_or_macro(void **state)
{
    (void)state;
    parse_ok("v=spf1 a:example.com.");
    parse_ok("v=spf1 a:foo-bar.123-4");
    parse_ok("v=spf1 a:%{d}");
    parse_ok("v=spf1 a:foo.%{d}");
    parse_ok("v=spf1 a:foo%%");         /* %% is a macro-expand */
    parse_ok("v=spf1 a:foo:bar/baz.example.com");
    parse_bad("v=spf1 a:111.222.33.44");
    parse_bad("v=spf1 a:example.123");
    parse_bad("v=spf1 a:example.-com");
    parse_bad("v=spf1 a:example.com-");
    parse_bad("v=spf1 a:localhost");   /* no dot before the toplabel */
    parse_bad("v=spf1 a:");
    parse_bad("v=spf1 include:");
    parse_bad("v=spf1 redirect=");
    parse_bad("v=spf1 exp=");
    parse_bad("v=spf1 a:%{d}.");
    parse_bad("v=spf1 a:example.com..");
}

static void cidr_lengths(void **state)
{
    (void)state;
    parse_ok("v=spf1 a/0 a//0 a/32//128 ip4:0.0.0.0/0 ip6:::/0");
    parse_bad("v=spf1 a/33");
    parse_bad("v=spf1 a//129");
    parse_bad("v=spf1 a/024");
    parse_bad("v=spf1 a/");
    parse_bad("v=spf1 a//");
    parse_bad("v=spf1 ip4:1.2.3.4/33");
    parse_bad("v=spf1 ip4:1.2.3.4//32");
    parse_bad("v=spf1 ip6:::1/129");
    parse_bad("v=spf1 ip6:::1//64");
    parse_bad("v=spf1 ptr/24");
    parse_bad("v=spf1 include:example.com/24");
    parse_bad("v=spf1 exists:example.com/24");
    parse_bad("v=spf1 a//64/24");
}

static void ip_networks_are_checked(void **state)
{
    (void)state;
    parse_bad("v=spf1 ip4:1.2.3");
    parse_bad("v=spf1 ip4:1.2.3.4.5");
    parse_bad("v=spf1 ip4:::1");
    parse_bad("v=spf1 ip6:1.2.3.4");
    parse_bad("v=spf1 ip4");
    parse_bad("v=spf1 ip4:");
    parse_bad("v=spf1 ip6");
    parse_bad("v=spf1 ip4:1.2.3.4:8080");
    spf_record r = parse_ok("v=spf1 ip6:::ffff:1.2.3.4");
    assert_true(r.terms[0].net.v6); /* kept as IPv6; the evaluation maps it */
}

static void syntax_errors_report_their_offset(void **state)
{
    (void)state;
    assert_int_equal(parse_bad("v=spf1 -all:foobar"), 11);
    assert_int_equal(parse_bad("v=spf1 a foo"), 9);
    assert_int_equal(parse_bad("v=spf1 a -ip4"), 9 + 4);
    assert_int_equal(parse_bad("v=spf1 a:%{x}.com"), 9);
    assert_int_equal(parse_bad("v=spf1 +redirect=a.example"), 8);
    assert_int_equal(parse_bad("v=spf1 1a=b"), 7);
    parse_bad("v=spf1 a:exam\tple.com");
    parse_bad("v=spf1 a:\xc3\xa9xample.com");
    parse_bad("v=spf1 ?");
    parse_bad("v=spf1 -");
    parse_bad("v=spf1 =foo");
    parse_bad("v=spf1 a:%{c}.example.com"); /* c only in explanations */
    parse_bad("v=spf1 moo=%{");
    parse_bad("v=spf1 exp=%{d0}.example.com");
}

static void not_a_record(void **state)
{
    (void)state;
    parse_bad("v=spf10");
    parse_bad("spf2.0/pra a");
}

static void many_terms_in_one_record(void **state)
{
    (void)state;
    static char text[65536];
    size_t n = 0;
    memcpy(text, "v=spf1", 6);
    n = 6;
    size_t terms = 0;
    while (n + 20 < sizeof text) {
        memcpy(text + n, " ip4:192.0.2.1/32", 17);
        n += 17;
        terms++;
    }
    text[n] = '\0';
    spf_record r = parse_ok(text);
    assert_int_equal(r.count, terms);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(version_selects_records),
        cmocka_unit_test(empty_record_has_no_terms),
        cmocka_unit_test(qualifiers),
        cmocka_unit_test(every_mechanism_with_its_arguments),
        cmocka_unit_test(mechanism_names_are_case_insensitive),
        cmocka_unit_test(modifiers),
        cmocka_unit_test(domain_end_must_be_toplabel_or_macro),
        cmocka_unit_test(cidr_lengths),
        cmocka_unit_test(ip_networks_are_checked),
        cmocka_unit_test(syntax_errors_report_their_offset),
        cmocka_unit_test(not_a_record),
        cmocka_unit_test(many_terms_in_one_record),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
