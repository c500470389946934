/* test_dmarc_record.c — DMARC record parsing (RFC 7489 §6.3-6.4, RFC 9989 §4.7): every tag,
 * defaults, the p=none fallback of §6.6.3, URI lists with size limits, what makes a record
 * unusable, and the URI limit exactly at and past it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dmarc_internal.h"

static mailauth_dmarc_record *parse_ok(const char *text)
{
    mailauth_dmarc_record *r = NULL;
    mailauth_dmarc_record_error err;
    int rc = mailauth_dmarc_record_parse(text, strlen(text), &r, &err);
    if (rc)
        fail_msg("parse of \"%s\" failed: %s", text, err.message ? err.message : "?");
    assert_non_null(r);
    return r;
}

static int parse_error(const char *text)
{
    mailauth_dmarc_record *r = (mailauth_dmarc_record *)1;
    mailauth_dmarc_record_error err;
    assert_int_equal(mailauth_dmarc_record_parse(text, strlen(text), &r, &err), MAILAUTH_E_SYNTAX);
    assert_null(r);
    assert_non_null(err.message);
    return err.kind;
}

static void minimal_record_takes_defaults(void **state)
{
    (void)state;
    mailauth_dmarc_record *r = parse_ok("v=DMARC1; p=reject");
    assert_int_equal(mailauth_dmarc_record_p(r), MAILAUTH_DMARC_POLICY_REJECT);
    assert_int_equal(mailauth_dmarc_record_sp(r), MAILAUTH_DMARC_POLICY_REJECT);
    assert_int_equal(mailauth_dmarc_record_np(r), MAILAUTH_DMARC_POLICY_REJECT);
    assert_int_equal(mailauth_dmarc_record_adkim(r), MAILAUTH_DMARC_RELAXED);
    assert_int_equal(mailauth_dmarc_record_aspf(r), MAILAUTH_DMARC_RELAXED);
    assert_int_equal(mailauth_dmarc_record_pct(r), 100);
    assert_int_equal(mailauth_dmarc_record_fo(r), MAILAUTH_DMARC_FO_0);
    assert_int_equal(mailauth_dmarc_record_rf(r), MAILAUTH_DMARC_RF_AFRF);
    assert_int_equal(mailauth_dmarc_record_ri(r), 86400);
    assert_int_equal(mailauth_dmarc_record_psd(r), MAILAUTH_DMARC_PSD_UNSET);
    assert_int_equal(mailauth_dmarc_record_testing(r), 0);
    assert_int_equal(mailauth_dmarc_record_tags(r), MAILAUTH_DMARC_TAG_P);
    assert_int_equal(mailauth_dmarc_record_invalid(r), 0);
    assert_int_equal(mailauth_dmarc_record_rua_count(r), 0);
    assert_null(mailauth_dmarc_record_rua(r, 0));
    mailauth_dmarc_record_free(r);
}

static void every_tag_is_read(void **state)
{
    (void)state;
    mailauth_dmarc_record *r = parse_ok(
        "v=DMARC1; p=quarantine; sp=reject; np=none; adkim=s; aspf=s; pct=25; fo=1:d; "
        "rf=afrf; ri=3600; rua=mailto:a@example.com; ruf=mailto:f@example.com; psd=n; t=y");
    assert_int_equal(mailauth_dmarc_record_p(r), MAILAUTH_DMARC_POLICY_QUARANTINE);
    assert_int_equal(mailauth_dmarc_record_sp(r), MAILAUTH_DMARC_POLICY_REJECT);
    assert_int_equal(mailauth_dmarc_record_np(r), MAILAUTH_DMARC_POLICY_NONE);
    assert_int_equal(mailauth_dmarc_record_adkim(r), MAILAUTH_DMARC_STRICT);
    assert_int_equal(mailauth_dmarc_record_aspf(r), MAILAUTH_DMARC_STRICT);
    assert_int_equal(mailauth_dmarc_record_pct(r), 25);
    assert_int_equal(mailauth_dmarc_record_fo(r), MAILAUTH_DMARC_FO_1 | MAILAUTH_DMARC_FO_D);
    assert_int_equal(mailauth_dmarc_record_ri(r), 3600);
    assert_int_equal(mailauth_dmarc_record_psd(r), MAILAUTH_DMARC_PSD_NO);
    assert_int_equal(mailauth_dmarc_record_testing(r), 1);
    assert_int_equal(mailauth_dmarc_record_tags(r), 0x1fff);
    assert_int_equal(mailauth_dmarc_record_invalid(r), 0);
    assert_string_equal(mailauth_dmarc_record_ruf(r, 0)->address, "f@example.com");
    mailauth_dmarc_record_free(r);
}

static void sp_defaults_to_p_and_np_to_sp(void **state)
{
    (void)state;
    mailauth_dmarc_record *r = parse_ok("v=DMARC1; p=reject; sp=quarantine");
    assert_int_equal(mailauth_dmarc_record_sp(r), MAILAUTH_DMARC_POLICY_QUARANTINE);
    assert_int_equal(mailauth_dmarc_record_np(r), MAILAUTH_DMARC_POLICY_QUARANTINE);
    mailauth_dmarc_record_free(r);
}

static void values_and_names_ignore_case_and_whitespace(void **state)
{
    (void)state;
    mailauth_dmarc_record *r =
        parse_ok("v = DMARC1 ;P=Reject; SP = QUARANTINE ;np=None; aspf=S; ADKIM =s; fo = 1;"
                 "rf = AfrF; psd=Y; t=N");
    assert_int_equal(mailauth_dmarc_record_p(r), MAILAUTH_DMARC_POLICY_REJECT);
    assert_int_equal(mailauth_dmarc_record_sp(r), MAILAUTH_DMARC_POLICY_QUARANTINE);
    assert_int_equal(mailauth_dmarc_record_np(r), MAILAUTH_DMARC_POLICY_NONE);
    assert_int_equal(mailauth_dmarc_record_aspf(r), MAILAUTH_DMARC_STRICT);
    assert_int_equal(mailauth_dmarc_record_adkim(r), MAILAUTH_DMARC_STRICT);
    assert_int_equal(mailauth_dmarc_record_fo(r), MAILAUTH_DMARC_FO_1);
    assert_int_equal(mailauth_dmarc_record_psd(r), MAILAUTH_DMARC_PSD_YES);
    assert_int_equal(mailauth_dmarc_record_invalid(r), 0);
    mailauth_dmarc_record_free(r);
}

static void fo_options_form_a_set(void **state)
{
    (void)state;
    mailauth_dmarc_record *r = parse_ok("v=DMARC1; p=none; fo=s:d:s");
    assert_int_equal(mailauth_dmarc_record_fo(r), MAILAUTH_DMARC_FO_D | MAILAUTH_DMARC_FO_S);
    mailauth_dmarc_record_free(r);
}

static void uri_list_keeps_order_sizes_and_addresses(void **state)
{
    (void)state;
    mailauth_dmarc_record *r = parse_ok(
        "v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com,mailto:tld@Third.Example.NET!10m ,"
        " mailto:k@example.com!10 K, mailto:g@example.com ! 2G, mailto:t@example.com!1t,"
        "mailto:b@example.com!512, https://example.com/report");
    assert_int_equal(mailauth_dmarc_record_rua_count(r), 7);
    const mailauth_dmarc_uri *u = mailauth_dmarc_record_rua(r, 0);
    assert_string_equal(u->uri, "mailto:dmarc-feedback@example.com");
    assert_int_equal(u->uri_len, strlen(u->uri));
    assert_string_equal(u->address, "dmarc-feedback@example.com");
    assert_string_equal(u->domain, "example.com");
    assert_true(u->max_size == 0);
    u = mailauth_dmarc_record_rua(r, 1);
    assert_string_equal(u->address, "tld@Third.Example.NET");
    assert_string_equal(u->domain, "third.example.net");
    assert_true(u->max_size == 10485760u);
    assert_true(mailauth_dmarc_record_rua(r, 2)->max_size == 10240u);
    assert_true(mailauth_dmarc_record_rua(r, 3)->max_size == 2147483648u);
    assert_true(mailauth_dmarc_record_rua(r, 4)->max_size == (uint64_t)1 << 40);
    assert_true(mailauth_dmarc_record_rua(r, 5)->max_size == 512u);
    u = mailauth_dmarc_record_rua(r, 6);
    assert_string_equal(u->uri, "https://example.com/report");
    assert_null(u->address);
    assert_null(u->domain);
    assert_int_equal(mailauth_dmarc_record_invalid(r), 0);
    mailauth_dmarc_record_free(r);
}

static void huge_size_limit_saturates(void **state)
{
    (void)state;
    mailauth_dmarc_record *r =
        parse_ok("v=DMARC1; p=none; rua=mailto:a@b.example!99999999999999999999999t,"
                 "mailto:c@b.example!16777216t");
    assert_true(mailauth_dmarc_record_rua(r, 0)->max_size == UINT64_MAX);
    assert_true(mailauth_dmarc_record_rua(r, 1)->max_size == UINT64_MAX);
    mailauth_dmarc_record_free(r);
}

static void mailto_is_percent_decoded_without_header_fields(void **state)
{
    (void)state;
    mailauth_dmarc_record *r =
        parse_ok("v=DMARC1; p=none; rua=mailto:user%2bdmarc@example.com?subject=x");
    assert_string_equal(mailauth_dmarc_record_rua(r, 0)->address, "user+dmarc@example.com");
    mailauth_dmarc_record_free(r);
}

static void invalid_uris_are_left_out_and_flagged(void **state)
{
    (void)state;
    mailauth_dmarc_record *r = parse_ok(
        "v=DMARC1; p=none; rua=mailto:a@example.com, not a uri, mailto:x%00y@example.com,"
        "mailto:b@example.com!, mailto:c@example.com!10x, mailto:%zz@example.com, :nothing,"
        "mailto:d@example.com");
    assert_int_equal(mailauth_dmarc_record_rua_count(r), 2);
    assert_string_equal(mailauth_dmarc_record_rua(r, 1)->address, "d@example.com");
    assert_int_equal(mailauth_dmarc_record_invalid(r), MAILAUTH_DMARC_TAG_RUA);
    mailauth_dmarc_record_free(r);
}

static void uri_list_limit_is_exact(void **state)
{
    (void)state;
    char text[4096];
    size_t n = (size_t)snprintf(text, sizeof text, "v=DMARC1; p=none; rua=");
    for (int i = 0; i < MAILAUTH_DMARC_MAX_URIS + 1; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "%smailto:r%d@example.com", i ? "," : "", i);
    mailauth_dmarc_record *r = parse_ok(text);
    assert_int_equal(mailauth_dmarc_record_rua_count(r), MAILAUTH_DMARC_MAX_URIS);
    assert_string_equal(mailauth_dmarc_record_rua(r, MAILAUTH_DMARC_MAX_URIS - 1)->address,
                        "r31@example.com");
    assert_int_equal(mailauth_dmarc_record_invalid(r), 0);
    mailauth_dmarc_record_free(r);
}

static void invalid_optional_values_take_defaults(void **state)
{
    (void)state;
    mailauth_dmarc_record *r = parse_ok("v=DMARC1; p=none; adkim=bob; aspf=x; pct=500; fo=2; "
                                        "rf=iodef; ri=99999999999; np=never; psd=maybe; t=1");
    unsigned bad = MAILAUTH_DMARC_TAG_ADKIM | MAILAUTH_DMARC_TAG_ASPF | MAILAUTH_DMARC_TAG_PCT |
                   MAILAUTH_DMARC_TAG_FO | MAILAUTH_DMARC_TAG_RF | MAILAUTH_DMARC_TAG_RI |
                   MAILAUTH_DMARC_TAG_NP | MAILAUTH_DMARC_TAG_PSD | MAILAUTH_DMARC_TAG_T;
    assert_int_equal(mailauth_dmarc_record_invalid(r), bad);
    assert_int_equal(mailauth_dmarc_record_adkim(r), MAILAUTH_DMARC_RELAXED);
    assert_int_equal(mailauth_dmarc_record_pct(r), 100);
    assert_int_equal(mailauth_dmarc_record_fo(r), MAILAUTH_DMARC_FO_0);
    assert_int_equal(mailauth_dmarc_record_ri(r), 86400);
    assert_int_equal(mailauth_dmarc_record_np(r), MAILAUTH_DMARC_POLICY_NONE);
    assert_int_equal(mailauth_dmarc_record_psd(r), MAILAUTH_DMARC_PSD_UNSET);
    mailauth_dmarc_record_free(r);
}

static void pct_bounds(void **state)
{
    (void)state;
    mailauth_dmarc_record *r = parse_ok("v=DMARC1; p=none; pct=0");
    assert_int_equal(mailauth_dmarc_record_pct(r), 0);
    assert_int_equal(mailauth_dmarc_record_invalid(r), 0);
    mailauth_dmarc_record_free(r);
    r = parse_ok("v=DMARC1; p=none; pct=100");
    assert_int_equal(mailauth_dmarc_record_invalid(r), 0);
    mailauth_dmarc_record_free(r);
    r = parse_ok("v=DMARC1; p=none; pct=101");
    assert_int_equal(mailauth_dmarc_record_invalid(r), MAILAUTH_DMARC_TAG_PCT);
    mailauth_dmarc_record_free(r);
    r = parse_ok("v=DMARC1; p=none; pct=-1");
    assert_int_equal(mailauth_dmarc_record_invalid(r), MAILAUTH_DMARC_TAG_PCT);
    mailauth_dmarc_record_free(r);
}

static void unknown_tags_and_empty_parts_are_ignored(void **state)
{
    (void)state;
    mailauth_dmarc_record *r = parse_ok("v=DMARC1;; p=none; foo=bar; ignore_me= true;;  ;");
    assert_int_equal(mailauth_dmarc_record_tags(r), MAILAUTH_DMARC_TAG_P);
    assert_int_equal(mailauth_dmarc_record_invalid(r), 0);
    mailauth_dmarc_record_free(r);
}

static void malformed_part_is_flagged_and_ignored(void **state)
{
    (void)state;
    mailauth_dmarc_record *r = parse_ok("v=DMARC1; p=reject; garbage; =x");
    assert_int_equal(mailauth_dmarc_record_p(r), MAILAUTH_DMARC_POLICY_REJECT);
    assert_int_equal(mailauth_dmarc_record_invalid(r), MAILAUTH_DMARC_TAG_MALFORMED);
    mailauth_dmarc_record_free(r);
}

static void empty_text_is_not_a_record(void **state)
{
    (void)state;
    assert_int_equal(parse_error(""), MAILAUTH_DMARC_ERR_EMPTY);
    assert_int_equal(parse_error(" \t "), MAILAUTH_DMARC_ERR_EMPTY);
}

static void version_must_come_first_and_exact(void **state)
{
    (void)state;
    assert_int_equal(parse_error("V=BOB"), MAILAUTH_DMARC_ERR_VERSION);
    assert_int_equal(parse_error("p=none; v=DMARC1"), MAILAUTH_DMARC_ERR_VERSION);
    assert_int_equal(parse_error("v=dmarc1; p=none"), MAILAUTH_DMARC_ERR_VERSION);
    assert_int_equal(parse_error("v=DMARC10; p=none"), MAILAUTH_DMARC_ERR_VERSION);
    assert_int_equal(parse_error("v=spf1 -all"), MAILAUTH_DMARC_ERR_VERSION);
    mailauth_dmarc_record *r = parse_ok("V=DMARC1; p=none");
    mailauth_dmarc_record_free(r);
}

static void repeated_tag_makes_record_unusable(void **state)
{
    (void)state;
    assert_int_equal(parse_error("v=DMARC1; p=none; P=reject"), MAILAUTH_DMARC_ERR_DUPLICATE);
    assert_int_equal(parse_error("v=DMARC1; p=none; v=DMARC1"), MAILAUTH_DMARC_ERR_DUPLICATE);
}

static void missing_policy_needs_rua(void **state)
{
    (void)state;
    assert_int_equal(parse_error("v=DMARC1; pct=100;"), MAILAUTH_DMARC_ERR_NO_POLICY);
    assert_int_equal(parse_error("v=DMARC1"), MAILAUTH_DMARC_ERR_NO_POLICY);
    assert_int_equal(parse_error("v=DMARC1; p=bob;"), MAILAUTH_DMARC_ERR_BAD_POLICY);
    assert_int_equal(parse_error("v=DMARC1; p=none; sp=bob;"), MAILAUTH_DMARC_ERR_BAD_POLICY);
    assert_int_equal(parse_error("v=DMARC1; rua=ftp"), MAILAUTH_DMARC_ERR_NO_POLICY);
}

static void missing_or_invalid_policy_with_rua_is_none(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "v=DMARC1; rua=mailto:d@example.org",
        "v=DMARC1; p=bob; rua=mailto:d@example.org",
        "v=DMARC1; p=reject; sp=bob; rua=mailto:d@example.org",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        mailauth_dmarc_record *r = parse_ok(texts[i]);
        assert_int_equal(mailauth_dmarc_record_p(r), MAILAUTH_DMARC_POLICY_NONE);
        assert_int_equal(mailauth_dmarc_record_sp(r), MAILAUTH_DMARC_POLICY_NONE);
        assert_int_equal(mailauth_dmarc_record_np(r), MAILAUTH_DMARC_POLICY_NONE);
        mailauth_dmarc_record_free(r);
    }
}

static void record_start_is_recognised(void **state)
{
    (void)state;
    assert_true(ma_dmarc_is_record("v=DMARC1", 8));
    assert_true(ma_dmarc_is_record(" v = DMARC1 ;p=none", 19));
    assert_false(ma_dmarc_is_record("v=DMARC1x", 9));
    assert_false(ma_dmarc_is_record("v=DMARC1 x; p=none", 18));
    assert_true(ma_dmarc_is_record("v=DMARC1 \t", 10));
    assert_false(ma_dmarc_is_record("v=DMARC", 7));
    assert_false(ma_dmarc_is_record("x v=DMARC1", 10));
    assert_false(ma_dmarc_is_record("", 0));
}

static void text_with_nul_is_parsed_by_length(void **state)
{
    (void)state;
    static const char text[] = "v=DMARC1; p=none; rua=mailto:a@b.example\0; p=reject";
    mailauth_dmarc_record *r = NULL;
    int rc = mailauth_dmarc_record_parse(text, sizeof text - 1, &r, NULL);
    /* The NUL is a control character: that part is malformed and ignored, and the p= after
     * it is a repeat. */
    assert_int_equal(rc, MAILAUTH_E_SYNTAX);
    assert_null(r);
}

static void bad_arguments(void **state)
{
    (void)state;
    mailauth_dmarc_record *r;
    assert_int_equal(mailauth_dmarc_record_parse(NULL, 3, &r, NULL), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_dmarc_record_parse("v=DMARC1", 8, NULL, NULL), MAILAUTH_E_INVAL);
    mailauth_dmarc_record_free(NULL);
    assert_int_equal(mailauth_dmarc_record_p(NULL), 0);
    assert_int_equal(mailauth_dmarc_record_rua_count(NULL), 0);
    assert_string_equal(mailauth_dmarc_policy_name(MAILAUTH_DMARC_POLICY_QUARANTINE), "quarantine");
    assert_string_equal(mailauth_dmarc_policy_name(7), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(minimal_record_takes_defaults),
        cmocka_unit_test(every_tag_is_read),
        cmocka_unit_test(sp_defaults_to_p_and_np_to_sp),
        cmocka_unit_test(values_and_names_ignore_case_and_whitespace),
        cmocka_unit_test(fo_options_form_a_set),
        cmocka_unit_test(uri_list_keeps_order_sizes_and_addresses),
        cmocka_unit_test(huge_size_limit_saturates),
        cmocka_unit_test(mailto_is_percent_decoded_without_header_fields),
        cmocka_unit_test(invalid_uris_are_left_out_and_flagged),
        cmocka_unit_test(uri_list_limit_is_exact),
        cmocka_unit_test(invalid_optional_values_take_defaults),
        cmocka_unit_test(pct_bounds),
        cmocka_unit_test(unknown_tags_and_empty_parts_are_ignored),
        cmocka_unit_test(malformed_part_is_flagged_and_ignored),
        cmocka_unit_test(empty_text_is_not_a_record),
        cmocka_unit_test(version_must_come_first_and_exact),
        cmocka_unit_test(repeated_tag_makes_record_unusable),
        cmocka_unit_test(missing_policy_needs_rua),
        cmocka_unit_test(missing_or_invalid_policy_with_rua_is_none),
        cmocka_unit_test(record_start_is_recognised),
        cmocka_unit_test(text_with_nul_is_parsed_by_length),
        cmocka_unit_test(bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
