/* test_spf_macro.c — SPF macro expansion (RFC 7208 §7): the example table of §7.4 exactly,
 * then every letter, the transformers, delimiters, URL escaping, the escapes %% %_ %-, the
 * explanation-only letters, syntax errors and the expansion limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "spf_internal.h"

static ma_ip ip4, ip6;

static int ptr_name_calls;
static int ptr_name(void *user, const char *domain, const char **name)
{
    (void)user;
    ptr_name_calls++;
    *name = strcmp(domain, "email.example.com") == 0 ? "mx.email.example.com" : "unknown";
    return 0;
}

static int need_dns(void *user, const char *domain, const char **name)
{
    (void)user, (void)domain, (void)name;
    return MAILAUTH_NEED_DNS;
}

/* The context of RFC 7208 §7.4. */
static spf_macro_ctx ctx(const ma_ip *ip)
{
    spf_macro_ctx c = {
        .sender = "strong-bad@email.example.com", .local = "strong-bad",
        .sender_domain = "email.example.com", .domain = "email.example.com", .ip = ip,
        .helo = "mx.example.org", .receiver = "mx.receiver.example", .now = 1700000000,
        .ptr_name = ptr_name, .user = NULL,
    };
    return c;
}

static int setup(void **state)
{
    (void)state;
    assert_int_equal(ma_ip_parse("192.0.2.3", &ip4), 0);
    assert_int_equal(ma_ip_parse("2001:db8::cb01", &ip6), 0);
    return 0;
}

/* Expands `in` (explanation letters allowed when `explain`) and returns the code; the text in
 * `got` (256 octets). */
static int expand_ex(const spf_macro_ctx *c, const char *in, int explain, char *got)
{
    lm_buf b = LM_BUF_INIT;
    int rc = spf_macro_expand(c, in, strlen(in), explain, &b);
    snprintf(got, 256, "%s", b.data ? b.data : "");
    lm_buf_free(&b);
    return rc;
}

static void assert_expands(const ma_ip *ip, const char *in, const char *want)
{
    spf_macro_ctx c = ctx(ip);
    char got[256];
    int rc = expand_ex(&c, in, 0, got);
    if (rc)
        fail_msg("%s: code %d", in, rc);
    if (strcmp(got, want))
        fail_msg("%s: got \"%s\", want \"%s\"", in, got, want);
    assert_int_equal(spf_macro_check(in, strlen(in), 0, NULL), 0);
}

static void assert_explains(const char *in, const char *want)
{
    spf_macro_ctx c = ctx(&ip4);
    char got[256];
    assert_int_equal(expand_ex(&c, in, 1, got), 0);
    assert_string_equal(got, want);
}

static void rfc7208_section_7_4_examples(void **state)
{
    (void)state;
    assert_expands(&ip4, "%{s}", "strong-bad@email.example.com");
    assert_expands(&ip4, "%{o}", "email.example.com");
    assert_expands(&ip4, "%{d}", "email.example.com");
    assert_expands(&ip4, "%{d4}", "email.example.com");
    assert_expands(&ip4, "%{d3}", "email.example.com");
    assert_expands(&ip4, "%{d2}", "example.com");
    assert_expands(&ip4, "%{d1}", "com");
    assert_expands(&ip4, "%{dr}", "com.example.email");
    assert_expands(&ip4, "%{d2r}", "example.email");
    assert_expands(&ip4, "%{l}", "strong-bad");
    assert_expands(&ip4, "%{l-}", "strong.bad");
    assert_expands(&ip4, "%{lr}", "strong-bad");
    assert_expands(&ip4, "%{lr-}", "bad.strong");
    assert_expands(&ip4, "%{l1r-}", "strong");
    assert_expands(&ip4, "%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com");
    assert_expands(&ip4, "%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com");
    assert_expands(&ip4, "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}",
                   "bad.strong.lp.3.2.0.192.in-addr._spf.example.com");
    assert_expands(&ip4, "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}",
                   "3.2.0.192.in-addr.strong.lp._spf.example.com");
    assert_expands(&ip4, "%{d2}.trusted-domains.example.net",
                   "example.com.trusted-domains.example.net");
    assert_expands(&ip6, "%{ir}.%{v}._spf.%{d2}",
                   "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf."
                   "example.com");
}

static void every_letter_expands(void **state)
{
    (void)state;
    assert_expands(&ip4, "%{i}", "192.0.2.3");
    assert_expands(&ip6, "%{i}",
                   "2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.c.b.0.1");
    assert_expands(&ip4, "%{v}", "in-addr");
    assert_expands(&ip6, "%{v}", "ip6");
    assert_expands(&ip4, "%{h}", "mx.example.org");
    ptr_name_calls = 0;
    assert_expands(&ip4, "%{p}", "mx.email.example.com");
    assert_int_equal(ptr_name_calls, 1);
    assert_expands(&ip4, "plain.example.com", "plain.example.com");
    assert_expands(&ip4, "", "");
}

static void explanation_letters_only_in_explanations(void **state)
{
    (void)state;
    assert_explains("%{c}", "192.0.2.3");
    assert_explains("%{r}", "mx.receiver.example");
    assert_explains("%{t}", "1700000000");
    assert_explains("%{i} is not one of %{d}'s designated mail servers.",
                    "192.0.2.3 is not one of email.example.com's designated mail servers.");
    spf_macro_ctx c = ctx(&ip6);
    char got[256];
    assert_int_equal(expand_ex(&c, "%{c}", 1, got), 0);
    assert_string_equal(got, "2001:db8::cb01");
    assert_int_equal(expand_ex(&c, "%{c}", 0, got), MAILAUTH_E_SYNTAX);
    assert_int_equal(expand_ex(&c, "%{r}", 0, got), MAILAUTH_E_SYNTAX);
    assert_int_equal(expand_ex(&c, "%{t}", 0, got), MAILAUTH_E_SYNTAX);
    assert_int_equal(spf_macro_check("%{c}", 4, 0, NULL), MAILAUTH_E_SYNTAX);
    assert_int_equal(spf_macro_check("%{c}", 4, 1, NULL), 0);
    /* A space is part of an explanation, not of a domain-spec. */
    assert_int_equal(spf_macro_check("a b", 3, 1, NULL), 0);
    assert_int_equal(spf_macro_check("a b", 3, 0, NULL), MAILAUTH_E_SYNTAX);
}

static void escapes_percent_space_and_url_space(void **state)
{
    (void)state;
    assert_expands(&ip4, "a%%b", "a%b");
    assert_expands(&ip4, "a%_b", "a b");
    assert_expands(&ip4, "a%-b", "a%20b");
}

static void upper_case_letters_are_url_escaped(void **state)
{
    (void)state;
    /* §7.3: unreserved characters stay, the rest become %XX. */
    assert_expands(&ip4, "%{S}", "strong-bad%40email.example.com");
    spf_macro_ctx c = ctx(&ip4);
    c.local = "a b/c~d_e";
    char got[256];
    assert_int_equal(expand_ex(&c, "%{L}", 0, got), 0);
    assert_string_equal(got, "a%20b%2Fc~d_e");
    assert_int_equal(expand_ex(&c, "%{l}", 0, got), 0);
    assert_string_equal(got, "a b/c~d_e");
    assert_int_equal(expand_ex(&c, "%{C}", 1, got), 0);
    assert_string_equal(got, "192.0.2.3");
    assert_int_equal(expand_ex(&c, "%{D2R}", 1, got), 0);
    assert_string_equal(got, "example.email");
}

static void transformers_and_delimiters(void **state)
{
    (void)state;
    spf_macro_ctx c = ctx(&ip4);
    c.local = "a+b-c=d,e/f_g.h";
    char got[256];
    assert_int_equal(expand_ex(&c, "%{l+}", 0, got), 0);
    assert_string_equal(got, "a.b-c=d,e/f_g.h");
    assert_int_equal(expand_ex(&c, "%{l+-=,/_}", 0, got), 0);
    assert_string_equal(got, "a.b.c.d.e.f.g.h");
    assert_int_equal(expand_ex(&c, "%{l2r+-=,/_.}", 0, got), 0);
    assert_string_equal(got, "b.a");
    assert_int_equal(expand_ex(&c, "%{l3+-=,/_.}", 0, got), 0);
    assert_string_equal(got, "f.g.h");
    /* More parts asked than there are: all of them. */
    assert_int_equal(expand_ex(&c, "%{d99}", 0, got), 0);
    assert_string_equal(got, "email.example.com");
    assert_int_equal(expand_ex(&c, "%{d123456789012345678901234567890}", 0, got), 0);
    assert_string_equal(got, "email.example.com");
    /* Empty parts are kept. */
    c.local = "a..b";
    assert_int_equal(expand_ex(&c, "%{lr}", 0, got), 0);
    assert_string_equal(got, "b..a");
    assert_int_equal(expand_ex(&c, "%{l1}", 0, got), 0);
    assert_string_equal(got, "b");
    /* A value with more parts than the stack holds. */
    char many[200];
    for (int i = 0; i < 99; i++)
        many[2 * i] = 'x', many[2 * i + 1] = '.';
    many[198] = 'y';
    many[199] = '\0';
    c.local = many;
    assert_int_equal(expand_ex(&c, "%{l1}", 0, got), 0);
    assert_string_equal(got, "y");
    assert_int_equal(expand_ex(&c, "%{l1r}", 0, got), 0);
    assert_string_equal(got, "x");
}

static void malformed_macros_are_syntax_errors(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "%", "%{", "%{d", "%{d2", "%{x}", "%{}", "%{d0}", "%{d2r", "%{dr2}", "%a", "%{d*}",
        "%{d }", "a b", "\x01", "\x80", "%{d2.}x}",
    };
    spf_macro_ctx c = ctx(&ip4);
    char got[256];
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        size_t off = 99;
        if (spf_macro_check(bad[i], strlen(bad[i]), 0, &off) != MAILAUTH_E_SYNTAX &&
            strcmp(bad[i], "%{d2.}x}") != 0)
            fail_msg("accepted \"%s\"", bad[i]);
        if (strcmp(bad[i], "%{d2.}x}") == 0) {
            /* "%{d2.}" then a literal "x}": valid */
            assert_int_equal(spf_macro_check(bad[i], strlen(bad[i]), 0, &off), 0);
            continue;
        }
        assert_true(off <= strlen(bad[i]));
        if (strchr(bad[i], '%'))
            assert_int_equal(expand_ex(&c, bad[i], 0, got), MAILAUTH_E_SYNTAX);
    }
    size_t off = 0;
    assert_int_equal(spf_macro_check("ab%{q}", 6, 0, &off), MAILAUTH_E_SYNTAX);
    assert_int_equal(off, 2);
}

static void letters_are_case_insensitive_and_r_transformer_too(void **state)
{
    (void)state;
    assert_expands(&ip4, "%{D2}", "example.com");
    assert_expands(&ip4, "%{dR}", "com.example.email");
}

static void ptr_name_errors_pass_through(void **state)
{
    (void)state;
    spf_macro_ctx c = ctx(&ip4);
    c.ptr_name = need_dns;
    char got[256];
    assert_int_equal(expand_ex(&c, "x.%{p}", 0, got), MAILAUTH_NEED_DNS);
    c.ptr_name = NULL;
    assert_int_equal(expand_ex(&c, "%{p}", 0, got), 0);
    assert_string_equal(got, "unknown");
}

static void expansion_is_bounded(void **state)
{
    (void)state;
    spf_macro_ctx c = ctx(&ip4);
    char big[257];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    c.local = big;
    /* 32 × 256 octets are exactly MAILAUTH_SPF_EXPAND_MAX; one macro more is past it. */
    char in[33 * 4 + 1];
    for (int i = 0; i < 33; i++)
        memcpy(in + 4 * i, "%{l}", 4);
    in[33 * 4] = '\0';
    lm_buf b = LM_BUF_INIT;
    assert_int_equal(spf_macro_expand(&c, in, strlen(in), 0, &b), MAILAUTH_E_LIMIT);
    lm_buf_free(&b);
    in[32 * 4] = '\0';
    assert_int_equal(spf_macro_expand(&c, in, strlen(in), 0, &b), 0);
    assert_int_equal(b.len, MAILAUTH_SPF_EXPAND_MAX);
    lm_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc7208_section_7_4_examples),
        cmocka_unit_test(every_letter_expands),
        cmocka_unit_test(explanation_letters_only_in_explanations),
        cmocka_unit_test(escapes_percent_space_and_url_space),
        cmocka_unit_test(upper_case_letters_are_url_escaped),
        cmocka_unit_test(transformers_and_delimiters),
        cmocka_unit_test(malformed_macros_are_syntax_errors),
        cmocka_unit_test(letters_are_case_insensitive_and_r_transformer_too),
        cmocka_unit_test(ptr_name_errors_pass_through),
        cmocka_unit_test(expansion_is_bounded),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
