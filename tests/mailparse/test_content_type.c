/* test_content_type.c — Content-Type / Content-Disposition parsing: tokens, comments, quoting,
 * repairs with their anomalies, RFC 2231 continuations and charsets, RFC 2047 in values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "anomaly_log.h"
#include "arena_fixture.h"
#include "mp_internal.h"

static anomaly_log logged;

static const mailparse_content_type *parse_as(const char *in, int disposition)
{
    mailparse_content_type *ct = NULL;
    mp_diag d = {anomaly_log_add, &logged, 0};
    size_t budget = 100;
    memset(&logged, 0, sizeof logged);
    assert_int_equal(mp_parse_content_type(arena, in, strlen(in), disposition, &d, &budget, &ct), 0);
    assert_non_null(ct);
    return ct;
}

static const mailparse_content_type *parse(const char *in) { return parse_as(in, 0); }

static void expect_type(const mailparse_content_type *ct, const char *type, const char *sub)
{
    assert_string_equal(ct->type, type);
    if (sub)
        assert_string_equal(ct->subtype, sub);
    else
        assert_null(ct->subtype);
}

static void expect_param(const mailparse_content_type *ct, size_t i, const char *name, const char *value)
{
    assert_true(i < ct->param_count);
    assert_string_equal(ct->params[i].name, name);
    assert_string_equal(ct->params[i].value, value);
}

static void expect_syntax(const char *in, int disposition)
{
    mailparse_content_type *ct = NULL;
    assert_int_equal(mp_parse_content_type(arena, in, strlen(in), disposition, NULL, NULL, &ct),
                     MAILPARSE_E_SYNTAX);
    assert_null(ct);
}

static void type_and_subtype_lowercased(void **state)
{
    (void)state;
    const mailparse_content_type *ct = parse("Message/Partial; Number=2");
    expect_type(ct, "message", "partial");
    expect_param(ct, 0, "number", "2");
    assert_int_equal(logged.count, 0);
}

static void whitespace_and_comments_anywhere(void **state)
{
    (void)state;
    expect_type(parse(" message / rfc822\n"), "message", "rfc822");
    expect_type(parse("image/ jpeg"), "image", "jpeg");
    const mailparse_content_type *ct = parse("(hello) text (plain) / (world) plain (eod); charset=us-ascii");
    expect_type(ct, "text", "plain");
    expect_param(ct, 0, "charset", "us-ascii");
    ct = parse(" text/plain; charset =us-ascii (Plain text)");
    expect_param(ct, 0, "charset", "us-ascii");
    assert_int_equal(ct->param_count, 1);
    expect_type(parse("\n text/plain\r\n"), "text", "plain");
    expect_type(parse(" \t\r message/rfc822 \t\r\n\n"), "message", "rfc822");
}

static void odd_subtypes_kept(void **state)
{
    (void)state;
    expect_type(parse("text/plain/format"), "text", "plain/format");
    expect_type(parse("application/ld+json"), "application", "ld+json");
    expect_type(parse("application/x-magic-cap-package-1.0"), "application", "x-magic-cap-package-1.0");
}

static void missing_subtype_after_slash_tolerated(void **state)
{
    (void)state;
    const mailparse_content_type *ct = parse("text/ ;charset=us-ascii");
    expect_type(ct, "text", NULL);
    expect_param(ct, 0, "charset", "us-ascii");
}

static void content_type_without_slash_is_syntax(void **state)
{
    (void)state;
    expect_syntax("text", 0);
    expect_syntax("inline", 0);
    expect_syntax("/plain", 0);
    expect_syntax("/plain", 1);
    expect_syntax(";charset=us-ascii", 0);
    expect_syntax("", 0);
    expect_syntax(" (only a comment) ", 1);
}

static void disposition_is_one_token(void **state)
{
    (void)state;
    const mailparse_content_type *ct = parse_as(" inline; filename=\"  best \\\"file\\\" ever \\\\ x.  \"", 1);
    expect_type(ct, "inline", NULL);
    expect_param(ct, 0, "filename", "  best \"file\" ever \\ x.  ");
    expect_type(parse_as("ATTACHMENT", 1), "attachment", NULL);
}

static void quoted_values_unquoted_and_unfolded(void **state)
{
    (void)state;
    expect_param(parse("multipart/mixed; boundary=\"foo\n bar\""), 0, "boundary", "foo bar");
    expect_param(parse("multipart/mixed; boundary=\"gc0pJq0M:08jU534c0p\""), 0, "boundary",
                 "gc0pJq0M:08jU534c0p");
    expect_param(parse("text/plain; charset= \"us-ascii\""), 0, "charset", "us-ascii");
    expect_param(parse("a/b; x=\"\""), 0, "x", "");
}

static void unterminated_quote_runs_to_the_end(void **state)
{
    (void)state;
    const mailparse_content_type *ct = parse("inva/lid; name=\"   \n    \n");
    expect_param(ct, 0, "name", "       ");
    assert_int_equal(anomaly_log_count(&logged, MAILPARSE_ANOMALY_PARAM_INVALID), 1);
    assert_int_equal(anomaly_log_offset(&logged, MAILPARSE_ANOMALY_PARAM_INVALID), 15);
}

static void empty_and_nameless_params_dropped(void **state)
{
    (void)state;
    const mailparse_content_type *ct = parse("text/plain ;;;;; = ;; name=\"value\"");
    assert_int_equal(ct->param_count, 1);
    expect_param(ct, 0, "name", "value");
    assert_true(anomaly_log_count(&logged, MAILPARSE_ANOMALY_PARAM_INVALID) >= 2);
    assert_int_equal(parse("text/plain; name=  \n")->param_count, 0);
    assert_int_equal(anomaly_log_offset(&logged, MAILPARSE_ANOMALY_PARAM_INVALID), 12);
    assert_int_equal(parse("a/b; =value")->param_count, 0);
    assert_int_equal(parse("test/test; =\"value\"")->param_count, 0);
    assert_int_equal(parse("text/plain;")->param_count, 0);
    assert_int_equal(logged.count, 0);
    assert_int_equal(parse("a/b; noequals; c=d")->param_count, 1);
    assert_int_equal(anomaly_log_offset(&logged, MAILPARSE_ANOMALY_PARAM_INVALID), 5);
}

static void missing_semicolon_repaired(void **state)
{
    (void)state;
    const mailparse_content_type *ct = parse("message/external-body;\n    access-type=mail-server\n"
                                             "     server=\"listserv@bogus.bitnet\"");
    expect_param(ct, 0, "access-type", "mail-server");
    expect_param(ct, 1, "server", "listserv@bogus.bitnet");
    assert_int_equal(anomaly_log_count(&logged, MAILPARSE_ANOMALY_PARAM_INVALID), 1);
    ct = parse("application/x-stuff\n   title=x");
    expect_param(ct, 0, "title", "x");
    assert_int_equal(anomaly_log_offset(&logged, MAILPARSE_ANOMALY_PARAM_INVALID), 23);
}

static void unquoted_value_with_spaces_kept(void **state)
{
    (void)state;
    const mailparse_content_type *ct = parse("text/html; name=my file.htm; size=12");
    expect_param(ct, 0, "name", "my file.htm");
    expect_param(ct, 1, "size", "12");
    assert_int_equal(anomaly_log_count(&logged, MAILPARSE_ANOMALY_PARAM_INVALID), 1);
}

static void duplicate_params_last_wins(void **state)
{
    (void)state;
    /* As for repeated header fields, the last one wins (mail-parser and GMime agree). */
    const mailparse_content_type *ct = parse("multipart/mixed; boundary=a; BOUNDARY=b");
    assert_int_equal(ct->param_count, 1);
    expect_param(ct, 0, "boundary", "b");
    assert_int_equal(anomaly_log_offset(&logged, MAILPARSE_ANOMALY_PARAM_INVALID), 17);
}

static void rfc2231_extended_value(void **state)
{
    (void)state;
    const mailparse_content_type *ct =
        parse("application/x-stuff;\n     title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A");
    expect_param(ct, 0, "title", "This is ***fun***");
    assert_string_equal(ct->params[0].language, "en-us");
    assert_int_equal(logged.count, 0);
    ct = parse("text/plain; name*=\"iso-8859-1''HasenundFr%F6sche.txt\"");
    expect_param(ct, 0, "name", "HasenundFr\xc3\xb6sche.txt");
    assert_null(ct->params[0].language);
}

static void rfc2231_continuations_joined(void **state)
{
    (void)state;
    const mailparse_content_type *ct = parse("application/x-stuff\n"
                                             "   title*0*=us-ascii'en'This%20is%20even%20more%20\n"
                                             "   title*1*=%2A%2A%2Afun%2A%2A%2A%20\n"
                                             "   title*2=\"isn't it!\"");
    expect_param(ct, 0, "title", "This is even more ***fun*** isn't it!");
    assert_string_equal(ct->params[0].language, "en");
    ct = parse("message/external-body; access-type=URL;\n    URL*0=\"ftp://\";\n"
               "    URL*1=\"cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar\"");
    expect_param(ct, 1, "url", "ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar");
}

static void rfc2231_charset_applies_to_joined_bytes(void **state)
{
    (void)state;
    /* a UTF-8 sequence split between two segments */
    const mailparse_content_type *ct = parse_as("attachment; filename*0*=utf-8''%E2%82; filename*1*=%AC.txt", 1);
    expect_param(ct, 0, "filename", "\xe2\x82\xac.txt");
    assert_int_equal(anomaly_log_count(&logged, MAILPARSE_ANOMALY_CHARSET_INVALID), 0);
    ct = parse("application/pdf\n   filename*0*=iso-8859-1'es'%D1and%FA\n"
               "   filename*1*=iso-8859-1'%20r%E1pido\n"
               "   filename*2*=\"iso-8859-1' (versi%F3n \\'99 \\\"oficial\\\").pdf\"");
    expect_param(ct, 0, "filename", "\xc3\x91" "and\xc3\xba r\xc3\xa1pido (versi\xc3\xb3n '99 \"oficial\").pdf");
    assert_string_equal(ct->params[0].language, "es");
}

static void rfc2231_out_of_order_sorted(void **state)
{
    (void)state;
    const mailparse_content_type *ct = parse("a/b; x*2=c; x*0=a; y=1; x*1=b");
    expect_param(ct, 0, "x", "abc");
    expect_param(ct, 1, "y", "1");
    assert_int_equal(anomaly_log_count(&logged, MAILPARSE_ANOMALY_RFC2231_OUT_OF_ORDER), 1);
    assert_int_equal(anomaly_log_count(&logged, MAILPARSE_ANOMALY_RFC2231_MISSING_SEGMENT), 0);
}

static void rfc2231_gap_reported(void **state)
{
    (void)state;
    const mailparse_content_type *ct =
        parse("test/encoded; key4*=us-ascii''foo; key*9999=ba%; key2*0=a; key3*0*=us-ascii'en'xyz; "
              "key*0=\"foo\"; key2*1*=b%25; key3*1=plop%; key*1=baz; *=test; =test2;");
    assert_int_equal(ct->param_count, 4);
    expect_param(ct, 0, "key4", "foo");
    expect_param(ct, 1, "key2", "ab%");
    expect_param(ct, 2, "key3", "xyzplop%");
    assert_string_equal(ct->params[2].language, "en");
    expect_param(ct, 3, "key", "foobazba%");
    assert_int_equal(anomaly_log_count(&logged, MAILPARSE_ANOMALY_RFC2231_MISSING_SEGMENT), 1);
    assert_int_equal(anomaly_log_offset(&logged, MAILPARSE_ANOMALY_RFC2231_MISSING_SEGMENT), 84); /* at key*0 */
}

static void rfc2231_hostile_names(void **state)
{
    (void)state;
    const mailparse_content_type *ct =
        parse("malicious/attempt; 1*2*=a; 3**=b; 4***=c; *5**6*=d;*****7*8*=e; 9*10*11*12*13*14=f; "
              "15*x***fff*===g;1 * 999999999999999999 *= h; 18 *=*=*=*=*==i;");
    const char *want[][2] = {{"3", "b"}, {"4", "c"}, {"5", "d"}, {"15", "==g"}, {"1", "ha"},
                             {"18", "*=*=*=*==i"}, {"7", "e"}, {"9", "f"}};
    assert_int_equal(ct->param_count, 8);
    for (size_t i = 0; i < 8; i++)
        expect_param(ct, i, want[i][0], want[i][1]);
}

static void rfc2231_unknown_charset_guessed(void **state)
{
    (void)state;
    const mailparse_content_type *ct = parse("a/b; name*=x-no-such-charset''caf%E9");
    expect_param(ct, 0, "name", "caf\xc3\xa9");
    assert_int_equal(anomaly_log_count(&logged, MAILPARSE_ANOMALY_CHARSET_UNKNOWN), 1);
}

static void rfc2047_words_in_values(void **state)
{
    (void)state;
    expect_param(parse(" image/png;\n   name=\"=?utf-8?q?=E3=83=8F=E3=83=AD?=.png\""), 0, "name",
                 "\xe3\x83\x8f\xe3\x83\xad.png");
    expect_param(parse("image/jpeg;\n   name=\"=?iso-8859-1?B?4Q==?= =?utf-8?B?w6k=?= "
                       "=?iso-8859-1?q?=ED?=.jpeg\""),
                 0, "name", "\xc3\xa1 \xc3\xa9 \xc3\xad.jpeg");
    expect_param(parse("image/jpeg;\n   name==?iso-8859-1?B?4Q==?= =?utf-8?B?w6k=?= "
                       "=?iso-8859-1?q?=ED?=.jpeg"),
                 0, "name", "\xc3\xa1\xc3\xa9\xc3\xad.jpeg");
    expect_param(parse_as("attachment;\r\n\tfilename=\"=?utf-8?Q?Auftragsbest=C3=A4tigung_X=2EPD?=\r\n"
                          " =?utf-8?Q?F?=\"\r\n", 1),
                 0, "filename", "Auftragsbest\xc3\xa4tigung X.PDF");
}

static void rfc2047_budget_shared(void **state)
{
    (void)state;
    const char *in = "a/b; x=\"=?utf-8?q?1?=\"; y==?utf-8?q?2?=; z=\"=?utf-8?q?3?=\"";
    mailparse_content_type *ct = NULL;
    size_t budget = 2;
    mp_diag d = {anomaly_log_add, &logged, 0};
    memset(&logged, 0, sizeof logged);
    assert_int_equal(mp_parse_content_type(arena, in, strlen(in), 0, &d, &budget, &ct), 0);
    assert_string_equal(mp_param(ct, "x"), "1");
    assert_string_equal(mp_param(ct, "y"), "2");
    assert_string_equal(mp_param(ct, "z"), "=?utf-8?q?3?=");
    assert_int_equal(budget, 0);
    assert_int_equal(anomaly_log_offset(&logged, MAILPARSE_ANOMALY_ENCODED_WORD_LIMIT), 44);
}

static void param_limit_exactly_and_one_past(void **state)
{
    (void)state;
    for (size_t n = 1000; n <= 1001; n++) {
        static char buf[20000];
        size_t len = (size_t)snprintf(buf, sizeof buf, "a/b");
        for (size_t k = 0; k < n; k++)
            len += (size_t)snprintf(buf + len, sizeof buf - len, "; p%zu=v", k);
        const mailparse_content_type *ct = parse(buf);
        assert_int_equal(ct->param_count, 1000);
        assert_int_equal(anomaly_log_count(&logged, MAILPARSE_ANOMALY_PARAM_INVALID), n - 1000);
        assert_string_equal(mp_param(ct, "p999"), "v");
    }
}

static void param_lookup(void **state)
{
    (void)state;
    const mailparse_content_type *ct = parse("text/plain; Charset=UTF-8; format=flowed");
    assert_string_equal(mp_param(ct, "charset"), "UTF-8");
    assert_string_equal(mp_param(ct, "FORMAT"), "flowed");
    assert_null(mp_param(ct, "delsp"));
    assert_null(mp_param(NULL, "charset"));
    assert_null(mp_param(ct, NULL));
}

static void eight_bit_tokens_kept(void **state)
{
    (void)state;
    const mailparse_content_type *ct = parse("\xc3\xa1/\xc3\xa9; \xc3\xa1=\xc3\xa9");
    expect_type(ct, "\xc3\xa1", "\xc3\xa9");
    expect_param(ct, 0, "\xc3\xa1", "\xc3\xa9");
}

static void rejects_bad_arguments(void **state)
{
    (void)state;
    mailparse_content_type *ct = NULL;
    assert_int_equal(mp_parse_content_type(NULL, "a/b", 3, 0, NULL, NULL, &ct), MAILPARSE_E_INVAL);
    assert_int_equal(mp_parse_content_type(arena, NULL, 3, 0, NULL, NULL, &ct), MAILPARSE_E_INVAL);
    assert_int_equal(mp_parse_content_type(arena, "a/b", 3, 0, NULL, NULL, NULL), MAILPARSE_E_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(type_and_subtype_lowercased),
        cmocka_unit_test(whitespace_and_comments_anywhere),
        cmocka_unit_test(odd_subtypes_kept),
        cmocka_unit_test(missing_subtype_after_slash_tolerated),
        cmocka_unit_test(content_type_without_slash_is_syntax),
        cmocka_unit_test(disposition_is_one_token),
        cmocka_unit_test(quoted_values_unquoted_and_unfolded),
        cmocka_unit_test(unterminated_quote_runs_to_the_end),
        cmocka_unit_test(empty_and_nameless_params_dropped),
        cmocka_unit_test(missing_semicolon_repaired),
        cmocka_unit_test(unquoted_value_with_spaces_kept),
        cmocka_unit_test(duplicate_params_last_wins),
        cmocka_unit_test(rfc2231_extended_value),
        cmocka_unit_test(rfc2231_continuations_joined),
        cmocka_unit_test(rfc2231_charset_applies_to_joined_bytes),
        cmocka_unit_test(rfc2231_out_of_order_sorted),
        cmocka_unit_test(rfc2231_gap_reported),
        cmocka_unit_test(rfc2231_hostile_names),
        cmocka_unit_test(rfc2231_unknown_charset_guessed),
        cmocka_unit_test(rfc2047_words_in_values),
        cmocka_unit_test(rfc2047_budget_shared),
        cmocka_unit_test(param_limit_exactly_and_one_past),
        cmocka_unit_test(param_lookup),
        cmocka_unit_test(eight_bit_tokens_kept),
        cmocka_unit_test(rejects_bad_arguments),
    };
    return cmocka_run_group_tests(tests, arena_setup, arena_teardown);
}
