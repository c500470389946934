/* test_auth_results.c — the Authentication-Results model: the RFC 8601 Appendix B examples
 * parsed into their exact structure, the fields the writer folds and quotes, header
 * injection refused, the real-world deviations the parser tolerates, malformed input with
 * its offset, the limits at and one past, ARC's i= prefix, round trips both ways, and
 * allocation failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mailauth.h"
#include "mailauth/ar_compare.h"

/* ---- helpers ----------------------------------------------------------------------------- */

static mailauth_ar *parse_ok(const char *text)
{
    mailauth_ar *ar = NULL;
    mailauth_ar_error err;
    int rc = mailauth_ar_parse(text, strlen(text), NULL, &ar, &err);
    if (rc)
        fail_msg("parse failed (%s) at %zu: %s\n%s", mailauth_strerror(rc), err.offset,
                 err.message, text);
    assert_non_null(ar);
    return ar;
}

/* Parses expecting failure; returns the code, fills `err`. */
static int parse_error(const mailauth_ar_parse_options *o, const char *text,
                       mailauth_ar_error *err)
{
    mailauth_ar *ar = (mailauth_ar *)1;
    int rc = mailauth_ar_parse(text, strlen(text), o, &ar, err);
    assert_int_not_equal(rc, 0);
    assert_null(ar);
    assert_non_null(err->message);
    return rc;
}

static void assert_syntax_at(const char *text, size_t offset)
{
    mailauth_ar_error err;
    int rc = parse_error(NULL, text, &err);
    if (rc != MAILAUTH_E_SYNTAX || err.offset != offset)
        fail_msg("%s: got %s at %zu (%s), expected a syntax error at %zu", text,
                 mailauth_strerror(rc), err.offset, err.message, offset);
}

static void assert_result(const mailauth_ar *ar, size_t i, const char *method, int result,
                          const char *reason, size_t props)
{
    assert_string_equal(mailauth_ar_method_at(ar, i), method);
    assert_int_equal(mailauth_ar_result_at(ar, i), result);
    assert_string_equal(mailauth_ar_result_text_at(ar, i), mailauth_result_name(result));
    if (reason)
        assert_string_equal(mailauth_ar_reason_at(ar, i), reason);
    else
        assert_null(mailauth_ar_reason_at(ar, i));
    assert_int_equal(mailauth_ar_prop_count(ar, i), props);
}

static void assert_prop(const mailauth_ar *ar, size_t i, size_t j, const char *ptype,
                        const char *property, const char *value)
{
    const char *t, *p, *v;
    assert_int_equal(mailauth_ar_prop_at(ar, i, j, &t, &p, &v), 0);
    assert_string_equal(t, ptype);
    assert_string_equal(p, property);
    assert_string_equal(v, value);
}

/* Every line of `s` (split at CRLF) is at most `max` octets; a fold is CRLF + WSP. */
static void assert_lines_within(const char *s, size_t max)
{
    const char *line = s;
    for (;;) {
        const char *crlf = strstr(line, "\r\n");
        size_t len = crlf ? (size_t)(crlf - line) : strlen(line);
        if (len > max)
            fail_msg("line of %zu octets: %.*s", len, (int)len, line);
        if (!crlf)
            break;
        line = crlf + 2;
        if (*line)
            assert_true(*line == ' ' || *line == '\t');
    }
}

/* Writes `ar`, parses what was written, and checks the model is the same. */
static void assert_round_trip(mailauth_ar *ar, unsigned flags)
{
    const char *out;
    size_t len;
    assert_int_equal(mailauth_ar_write(ar, flags, &out, &len), 0);
    assert_int_equal(strlen(out), len);
    assert_lines_within(out, 998);
    mailauth_ar *back = parse_ok(out);
    if (!same_model(ar, back))
        fail_msg("round trip changed the model:\n%s", out);
    if (flags & MAILAUTH_AR_WRITE_ARC)
        assert_int_equal(mailauth_ar_arc_instance(back), mailauth_ar_arc_instance(ar));
    mailauth_ar_free(back);
}

/* Parses `text`, writes it, parses that, compares. */
static void assert_parse_round_trip(const char *text)
{
    mailauth_ar *ar = parse_ok(text);
    assert_round_trip(ar, 0);
    mailauth_ar_free(ar);
}

static const char *write_ok(mailauth_ar *ar, unsigned flags)
{
    const char *out;
    size_t len;
    int rc = mailauth_ar_write(ar, flags, &out, &len);
    if (rc)
        fail_msg("write failed: %s", mailauth_strerror(rc));
    return out;
}

struct seen {
    int kinds[16];
    size_t offsets[16];
    size_t count;
};

static void record_anomaly(void *user, int kind, size_t offset)
{
    struct seen *s = user;
    if (s->count < 16) {
        s->kinds[s->count] = kind;
        s->offsets[s->count] = offset;
    }
    s->count++;
}

/* ---- RFC 8601 Appendix B ----------------------------------------------------------------- */

/* B.1 is a message without the field: nothing to parse. B.2: */
static void rfc8601_b2_service_provided_no_authentication_done(void **state)
{
    (void)state;
    mailauth_ar *ar = parse_ok("Authentication-Results: example.org 1; none");
    assert_string_equal(mailauth_ar_authserv_id(ar), "example.org");
    assert_int_equal(mailauth_ar_version(ar), 1);
    assert_int_equal(mailauth_ar_count(ar), 0);
    assert_string_equal(write_ok(ar, 0), "Authentication-Results: example.org 1; none");
    mailauth_ar_free(ar);
}

static void rfc8601_b3_service_provided_authentication_done(void **state)
{
    (void)state;
    mailauth_ar *ar = parse_ok("Authentication-Results: example.com;\r\n"
                               "          spf=pass smtp.mailfrom=example.net");
    assert_string_equal(mailauth_ar_authserv_id(ar), "example.com");
    assert_int_equal(mailauth_ar_version(ar), 0);
    assert_int_equal(mailauth_ar_count(ar), 1);
    assert_result(ar, 0, "spf", MAILAUTH_RESULT_PASS, NULL, 1);
    assert_null(mailauth_ar_comment_at(ar, 0));
    assert_prop(ar, 0, 0, "smtp", "mailfrom", "example.net");
    mailauth_ar_free(ar);
}

static void rfc8601_b4_several_authentications_single_mta(void **state)
{
    (void)state;
    mailauth_ar *ar = parse_ok("Authentication-Results: example.com;\r\n"
                               "          auth=pass (cram-md5) smtp.auth=sender@example.net;\r\n"
                               "          spf=pass smtp.mailfrom=example.net");
    assert_string_equal(mailauth_ar_authserv_id(ar), "example.com");
    assert_int_equal(mailauth_ar_count(ar), 2);
    assert_result(ar, 0, "auth", MAILAUTH_RESULT_PASS, NULL, 1);
    assert_string_equal(mailauth_ar_comment_at(ar, 0), "cram-md5");
    assert_prop(ar, 0, 0, "smtp", "auth", "sender@example.net");
    assert_result(ar, 1, "spf", MAILAUTH_RESULT_PASS, NULL, 1);
    assert_prop(ar, 1, 0, "smtp", "mailfrom", "example.net");
    mailauth_ar_free(ar);

    ar = parse_ok("Authentication-Results: example.com; iprev=pass\r\n"
                  "          policy.iprev=192.0.2.200");
    assert_int_equal(mailauth_ar_count(ar), 1);
    assert_result(ar, 0, "iprev", MAILAUTH_RESULT_PASS, NULL, 1);
    assert_prop(ar, 0, 0, "policy", "iprev", "192.0.2.200");
    assert_string_equal(mailauth_ar_prop_find(ar, 0, "POLICY", "iprev"), "192.0.2.200");
    mailauth_ar_free(ar);
}

static void rfc8601_b5_several_authentications_different_mtas(void **state)
{
    (void)state;
    mailauth_ar *ar = parse_ok("Authentication-Results: example.com;\r\n"
                               "          dkim=pass (good signature) header.d=example.com");
    assert_int_equal(mailauth_ar_count(ar), 1);
    assert_result(ar, 0, "dkim", MAILAUTH_RESULT_PASS, NULL, 1);
    assert_string_equal(mailauth_ar_comment_at(ar, 0), "good signature");
    assert_prop(ar, 0, 0, "header", "d", "example.com");
    mailauth_ar_free(ar);

    ar = parse_ok("Authentication-Results: example.com;\r\n"
                  "          auth=pass (cram-md5) smtp.auth=sender@example.com;\r\n"
                  "          spf=fail smtp.mailfrom=example.com");
    assert_int_equal(mailauth_ar_count(ar), 2);
    assert_result(ar, 0, "auth", MAILAUTH_RESULT_PASS, NULL, 1);
    assert_string_equal(mailauth_ar_comment_at(ar, 0), "cram-md5");
    assert_prop(ar, 0, 0, "smtp", "auth", "sender@example.com");
    assert_result(ar, 1, "spf", MAILAUTH_RESULT_FAIL, NULL, 1);
    assert_prop(ar, 1, 0, "smtp", "mailfrom", "example.com");
    mailauth_ar_free(ar);
}

static void rfc8601_b6_multi_tiered_authentication(void **state)
{
    (void)state;
    mailauth_ar *ar = parse_ok("Authentication-Results: example.com;\r\n"
                               "      dkim=pass reason=\"good signature\"\r\n"
                               "        header.i=@mail-router.example.net;\r\n"
                               "      dkim=fail reason=\"bad signature\"\r\n"
                               "        header.i=@newyork.example.com");
    assert_int_equal(mailauth_ar_count(ar), 2);
    assert_result(ar, 0, "dkim", MAILAUTH_RESULT_PASS, "good signature", 1);
    assert_prop(ar, 0, 0, "header", "i", "@mail-router.example.net");
    assert_result(ar, 1, "dkim", MAILAUTH_RESULT_FAIL, "bad signature", 1);
    assert_prop(ar, 1, 0, "header", "i", "@newyork.example.com");
    mailauth_ar_free(ar);

    ar = parse_ok("Authentication-Results: example.net;\r\n"
                  "      dkim=pass (good signature) header.i=@newyork.example.com");
    assert_string_equal(mailauth_ar_authserv_id(ar), "example.net");
    assert_result(ar, 0, "dkim", MAILAUTH_RESULT_PASS, NULL, 1);
    assert_string_equal(mailauth_ar_comment_at(ar, 0), "good signature");
    assert_prop(ar, 0, 0, "header", "i", "@newyork.example.com");
    mailauth_ar_free(ar);
}

static void rfc8601_b7_comment_heavy(void **state)
{
    (void)state;
    mailauth_ar *ar =
        parse_ok("Authentication-Results: foo.example.net (foobar) 1 (baz);\r\n"
                 "    dkim (Because I like it) / 1 (One yay) = (wait for it) fail\r\n"
                 "      policy (A dot can go here) . (like that) expired\r\n"
                 "      (this surprised me) = (as I wasn't expecting it) 1362471462");
    assert_string_equal(mailauth_ar_authserv_id(ar), "foo.example.net");
    assert_int_equal(mailauth_ar_version(ar), 1);
    assert_int_equal(mailauth_ar_count(ar), 1);
    assert_result(ar, 0, "dkim", MAILAUTH_RESULT_FAIL, NULL, 1);
    assert_int_equal(mailauth_ar_method_version_at(ar, 0), 1);
    assert_null(mailauth_ar_comment_at(ar, 0)); /* none right after "fail" */
    assert_prop(ar, 0, 0, "policy", "expired", "1362471462");
    mailauth_ar_free(ar);
}

static void rfc8601_examples_round_trip(void **state)
{
    (void)state;
    static const char *const fields[] = {
        "example.org 1; none",
        "example.com;\r\n spf=pass smtp.mailfrom=example.net",
        "example.com;\r\n auth=pass (cram-md5) smtp.auth=sender@example.net;\r\n"
        " spf=pass smtp.mailfrom=example.net",
        "example.com; iprev=pass\r\n policy.iprev=192.0.2.200",
        "example.com;\r\n dkim=pass reason=\"good signature\"\r\n"
        "  header.i=@mail-router.example.net;\r\n dkim=fail reason=\"bad signature\"\r\n"
        "  header.i=@newyork.example.com",
        "foo.example.net (foobar) 1 (baz);\r\n"
        "    dkim (Because I like it) / 1 (One yay) = (wait for it) fail\r\n"
        "      policy (A dot can go here) . (like that) expired\r\n"
        "      (this surprised me) = (as I wasn't expecting it) 1362471462",
    };
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        assert_parse_round_trip(fields[i]);
}

/* ---- writing ----------------------------------------------------------------------------- */

static void writes_each_result_on_its_own_line(void **state)
{
    (void)state;
    mailauth_ar *ar;
    assert_int_equal(mailauth_ar_new("example.com", &ar), 0);
    assert_int_equal(mailauth_ar_add(ar, "spf", MAILAUTH_RESULT_PASS, NULL), 0);
    assert_int_equal(mailauth_ar_add_prop(ar, "smtp", "mailfrom", "sender@example.net"), 0);
    assert_int_equal(mailauth_ar_add(ar, "dkim", MAILAUTH_RESULT_PASS, NULL), 0);
    assert_int_equal(mailauth_ar_add_prop(ar, "header", "d", "example.net"), 0);
    assert_int_equal(mailauth_ar_add_prop(ar, "header", "s", "sel1"), 0);
    assert_int_equal(mailauth_ar_add(ar, "dmarc", MAILAUTH_RESULT_FAIL, NULL), 0);
    assert_int_equal(mailauth_ar_add_prop(ar, "header", "from", "example.net"), 0);
    assert_string_equal(write_ok(ar, 0), "Authentication-Results: example.com;\r\n"
                                         "\tspf=pass smtp.mailfrom=sender@example.net;\r\n"
                                         "\tdkim=pass header.d=example.net header.s=sel1;\r\n"
                                         "\tdmarc=fail header.from=example.net");
    assert_round_trip(ar, 0);
    mailauth_ar_free(ar);
}

static void writes_none_with_version(void **state)
{
    (void)state;
    mailauth_ar *ar;
    assert_int_equal(mailauth_ar_new("example.org", &ar), 0);
    assert_string_equal(write_ok(ar, 0), "Authentication-Results: example.org; none");
    assert_int_equal(mailauth_ar_set_version(ar, 1), 0);
    assert_string_equal(write_ok(ar, 0), "Authentication-Results: example.org 1; none");
    assert_round_trip(ar, 0);
    mailauth_ar_free(ar);
}

static void writes_reason_comment_and_method_version(void **state)
{
    (void)state;
    mailauth_ar *ar;
    assert_int_equal(mailauth_ar_new("mx.example.com", &ar), 0);
    assert_int_equal(mailauth_ar_add(ar, "dkim", MAILAUTH_RESULT_FAIL, "bad signature"), 0);
    assert_int_equal(mailauth_ar_set_method_version(ar, 1), 0);
    assert_int_equal(mailauth_ar_set_comment(ar, "key (2048 bits) \\ ok"), 0);
    assert_int_equal(mailauth_ar_add_prop(ar, "header", "i", "@example.com"), 0);
    assert_string_equal(write_ok(ar, 0),
                        "Authentication-Results: mx.example.com;\r\n"
                        "\tdkim/1=fail (key \\(2048 bits\\) \\\\ ok) reason=\"bad signature\"\r\n"
                        "\theader.i=@example.com");
    assert_round_trip(ar, 0);
    mailauth_ar_free(ar);
}

static void quotes_values_that_are_not_tokens_or_addresses(void **state)
{
    (void)state;
    mailauth_ar *ar;
    assert_int_equal(mailauth_ar_new("my server", &ar), 0);
    assert_int_equal(mailauth_ar_add(ar, "x-test", MAILAUTH_RESULT_NEUTRAL, "ok"), 0);
    assert_int_equal(mailauth_ar_add_prop(ar, "header", "b", "ab/c+d="), 0);
    assert_int_equal(mailauth_ar_add_prop(ar, "smtp", "mailfrom", "\"a b\"@example.com"), 0);
    assert_int_equal(mailauth_ar_add_prop(ar, "smtp", "rcptto", "x@localhost"), 0);
    assert_int_equal(mailauth_ar_add_prop(ar, "policy", "q", "say \"hi\" \\o/"), 0);
    assert_int_equal(mailauth_ar_add_prop(ar, "policy", "e", ""), 0);
    assert_string_equal(write_ok(ar, 0), "Authentication-Results: \"my server\";\r\n"
                                         "\tx-test=neutral reason=ok header.b=\"ab/c+d=\""
                                         " smtp.mailfrom=\"a b\"@example.com\r\n"
                                         "\tsmtp.rcptto=\"x@localhost\""
                                         " policy.q=\"say \\\"hi\\\" \\\\o/\" policy.e=\"\"");
    assert_round_trip(ar, 0);
    mailauth_ar_free(ar);
}

static void writes_unknown_result_keywords_and_bare_properties(void **state)
{
    (void)state;
    mailauth_ar *ar;
    assert_int_equal(mailauth_ar_new("example.com", &ar), 0);
    assert_int_equal(mailauth_ar_add_text(ar, "spf", "hardfail", NULL), 0);
    assert_int_equal(mailauth_ar_result_at(ar, 0), -1);
    assert_string_equal(mailauth_ar_result_text_at(ar, 0), "hardfail");
    assert_int_equal(mailauth_ar_add_text(ar, "dmarc", "PASS", NULL), 0);
    assert_int_equal(mailauth_ar_result_at(ar, 1), MAILAUTH_RESULT_PASS);
    assert_string_equal(mailauth_ar_result_text_at(ar, 1), "PASS");
    assert_int_equal(mailauth_ar_add_prop(ar, "", "action", "none"), 0);
    assert_string_equal(write_ok(ar, 0), "Authentication-Results: example.com;\r\n"
                                         "\tspf=hardfail;\r\n\tdmarc=PASS action=none");
    assert_round_trip(ar, 0);
    mailauth_ar_free(ar);
}

static void arc_flag_writes_the_instance_prefix(void **state)
{
    (void)state;
    mailauth_ar *ar;
    const char *out;
    assert_int_equal(mailauth_ar_new("example.com", &ar), 0);
    assert_int_equal(mailauth_ar_add(ar, "spf", MAILAUTH_RESULT_PASS, NULL), 0);
    assert_int_equal(mailauth_ar_add_prop(ar, "smtp", "mailfrom", "example.net"), 0);
    assert_int_equal(mailauth_ar_write(ar, MAILAUTH_AR_WRITE_ARC, &out, NULL), MAILAUTH_E_INVAL);
    assert_null(out);
    assert_int_equal(mailauth_ar_set_arc_instance(ar, 51), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_ar_set_arc_instance(ar, 50), 0);
    assert_int_equal(mailauth_ar_set_arc_instance(ar, 2), 0);
    assert_string_equal(write_ok(ar, MAILAUTH_AR_WRITE_ARC),
                        "ARC-Authentication-Results: i=2; example.com;\r\n"
                        "\tspf=pass smtp.mailfrom=example.net");
    assert_round_trip(ar, MAILAUTH_AR_WRITE_ARC);
    /* Without the flag, the plain field. */
    assert_string_equal(write_ok(ar, 0), "Authentication-Results: example.com;\r\n"
                                         "\tspf=pass smtp.mailfrom=example.net");
    mailauth_ar_free(ar);
}

static void value_only_and_crlf_flags(void **state)
{
    (void)state;
    mailauth_ar *ar;
    const char *out;
    size_t len;
    assert_int_equal(mailauth_ar_new("example.com", &ar), 0);
    assert_int_equal(mailauth_ar_add(ar, "spf", MAILAUTH_RESULT_NONE, NULL), 0);
    assert_string_equal(write_ok(ar, MAILAUTH_AR_WRITE_VALUE_ONLY), "example.com;\r\n\tspf=none");
    assert_int_equal(mailauth_ar_write(ar, MAILAUTH_AR_WRITE_CRLF, &out, &len), 0);
    assert_string_equal(out, "Authentication-Results: example.com;\r\n\tspf=none\r\n");
    assert_int_equal(len, strlen(out));
    assert_int_equal(mailauth_ar_write(ar, 8, &out, &len), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_ar_write(ar, 0, NULL, &len), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_ar_write(NULL, 0, &out, &len), MAILAUTH_E_INVAL);
    mailauth_ar_free(ar);
}

static void folds_long_results_within_78_columns(void **state)
{
    (void)state;
    mailauth_ar *ar;
    assert_int_equal(mailauth_ar_new("mx.example.com", &ar), 0);
    assert_int_equal(mailauth_ar_add(ar, "dkim", MAILAUTH_RESULT_PASS, NULL), 0);
    assert_int_equal(mailauth_ar_add_prop(ar, "header", "i", "@subdomain.example.com"), 0);
    assert_int_equal(mailauth_ar_add_prop(ar, "header", "s", "selector-2024-with-long-name"), 0);
    assert_int_equal(mailauth_ar_add_prop(ar, "header", "b", "AbCdEfGh"), 0);
    assert_int_equal(mailauth_ar_add_prop(ar, "header", "a", "rsa-sha256"), 0);
    assert_int_equal(mailauth_ar_add_prop(ar, "header", "c", "relaxed"), 0);
    const char *out = write_ok(ar, 0);
    assert_string_equal(out, "Authentication-Results: mx.example.com;\r\n"
                             "\tdkim=pass header.i=@subdomain.example.com\r\n"
                             "\theader.s=selector-2024-with-long-name header.b=AbCdEfGh"
                             " header.a=rsa-sha256\r\n"
                             "\theader.c=relaxed");
    assert_lines_within(out, 78);
    assert_round_trip(ar, 0);
    mailauth_ar_free(ar);
}

static void folds_inside_long_quoted_reasons_and_comments(void **state)
{
    (void)state;
    char reason[600], comment[600];
    size_t k = 0;
    for (int w = 0; k + 12 < sizeof reason; w++)
        k += (size_t)snprintf(reason + k, sizeof reason - k, "word%d ", w);
    reason[k - 1] = '\0';
    memcpy(comment, reason, sizeof comment);
    mailauth_ar *ar;
    assert_int_equal(mailauth_ar_new("example.com", &ar), 0);
    assert_int_equal(mailauth_ar_add(ar, "spf", MAILAUTH_RESULT_SOFTFAIL, reason), 0);
    assert_int_equal(mailauth_ar_set_comment(ar, comment), 0);
    const char *out = write_ok(ar, 0);
    assert_lines_within(out, 78);
    assert_round_trip(ar, 0);
    mailauth_ar_free(ar);
}

static void line_of_998_is_written_and_999_is_limit(void **state)
{
    (void)state;
    char value[1000];
    for (size_t n = 987; n <= 989; n++) {
        memset(value, 'a', n);
        value[n] = '\0';
        mailauth_ar *ar;
        const char *out = "x";
        assert_int_equal(mailauth_ar_new("example.com", &ar), 0);
        assert_int_equal(mailauth_ar_add(ar, "dkim", MAILAUTH_RESULT_PASS, NULL), 0);
        assert_int_equal(mailauth_ar_add_prop(ar, "header", "b", value), 0);
        int rc = mailauth_ar_write(ar, 0, &out, NULL);
        /* The value's line: TAB "header.b=" value. */
        if (1 + 9 + n <= 998) {
            assert_int_equal(rc, 0);
            assert_lines_within(out, 998);
            assert_round_trip(ar, 0);
        } else {
            assert_int_equal(rc, MAILAUTH_E_LIMIT);
            assert_null(out);
        }
        mailauth_ar_free(ar);
    }
}

static void long_authserv_id_goes_to_its_own_line(void **state)
{
    (void)state;
    mailauth_ar *ar;
    static const char id[] = "a-very-long-authentication-service-identifier.mail.example.com";
    assert_int_equal(mailauth_ar_new(id, &ar), 0);
    const char *out = write_ok(ar, 0);
    assert_string_equal(out, "Authentication-Results:\r\n"
                             "\ta-very-long-authentication-service-identifier.mail.example.com;"
                             " none");
    assert_round_trip(ar, 0);
    mailauth_ar_free(ar);
}

/* ---- the builder refuses what cannot be written --------------------------------------------- */

static void header_injection_is_refused(void **state)
{
    (void)state;
    mailauth_ar *ar;
    assert_int_equal(mailauth_ar_new("example.com\r\nX-Evil: 1", &ar), MAILAUTH_E_INVAL);
    assert_null(ar);
    assert_int_equal(mailauth_ar_new("example.com\n", &ar), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_ar_new("ex\x01", &ar), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_ar_new("", &ar), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_ar_new(NULL, &ar), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_ar_new("example.com", &ar), 0);
    assert_int_equal(mailauth_ar_add(ar, "spf", MAILAUTH_RESULT_PASS, "a\r\nX-Evil: 1"),
                     MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_ar_add(ar, "spf", MAILAUTH_RESULT_PASS, "a\rb"), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_ar_add(ar, "spf", MAILAUTH_RESULT_PASS, "a\x7f"), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_ar_count(ar), 0); /* unchanged */
    assert_int_equal(mailauth_ar_add(ar, "spf", MAILAUTH_RESULT_PASS, "tab\tis fine"), 0);
    assert_int_equal(mailauth_ar_add_prop(ar, "smtp", "mailfrom", "a@example.com\r\nX: y"),
                     MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_ar_add_prop(ar, "smtp", "mailfrom", "a\n@example.com"),
                     MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_ar_set_comment(ar, "x)\r\nX: y"), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_ar_set_reason(ar, "\n"), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_ar_prop_count(ar, 0), 0);
    assert_null(mailauth_ar_comment_at(ar, 0));
    assert_string_equal(mailauth_ar_reason_at(ar, 0), "tab\tis fine");
    mailauth_ar_free(ar);
}

static void bad_names_and_arguments_are_inval(void **state)
{
    (void)state;
    mailauth_ar *ar;
    assert_int_equal(mailauth_ar_new("example.com", NULL), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_ar_new("example.com", &ar), 0);
    assert_int_equal(mailauth_ar_add_prop(ar, "smtp", "mailfrom", "x"), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_ar_set_method_version(ar, 1), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_ar_set_comment(ar, "x"), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_ar_set_reason(ar, "x"), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_ar_add(ar, "", MAILAUTH_RESULT_PASS, NULL), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_ar_add(ar, "sp f", MAILAUTH_RESULT_PASS, NULL), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_ar_add(ar, "spf=", MAILAUTH_RESULT_PASS, NULL), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_ar_add(ar, "a.b", MAILAUTH_RESULT_PASS, NULL), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_ar_add(ar, NULL, MAILAUTH_RESULT_PASS, NULL), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_ar_add(ar, "spf", 8, NULL), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_ar_add(ar, "spf", -1, NULL), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_ar_add_text(ar, "spf", "pass fail", NULL), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_ar_add_text(ar, "spf", "", NULL), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_ar_add_text(ar, "spf", NULL, NULL), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_ar_count(ar), 0);
    assert_int_equal(mailauth_ar_add(ar, "spf", MAILAUTH_RESULT_PASS, NULL), 0);
    assert_int_equal(mailauth_ar_add_prop(ar, "smtp", "", "x"), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_ar_add_prop(ar, "sm.tp", "x", "x"), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_ar_add_prop(ar, "smtp", ".x", "x"), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_ar_add_prop(ar, "smtp", "x", NULL), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_ar_add_prop(ar, NULL, "x", "x"), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_ar_add_prop(ar, "", "reason", "x"), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_ar_add_prop(ar, "", "a.b", "x"), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_ar_add_prop(ar, "policy", "dkim.key-size", "1024"), 0);
    assert_int_equal(mailauth_ar_set_version(ar, 1000000000u), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_ar_set_method_version(ar, 1000000000u), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_ar_set_version(ar, 999999999u), 0);
    /* Accessors out of range. */
    assert_null(mailauth_ar_method_at(ar, 1));
    assert_null(mailauth_ar_result_text_at(ar, 1));
    assert_int_equal(mailauth_ar_result_at(ar, 1), -1);
    assert_int_equal(mailauth_ar_prop_count(ar, 1), 0);
    const char *t = "x", *p = "x", *v = "x";
    assert_int_equal(mailauth_ar_prop_at(ar, 0, 1, &t, &p, &v), MAILAUTH_E_INVAL);
    assert_null(t);
    assert_null(p);
    assert_null(v);
    assert_null(mailauth_ar_prop_find(ar, 0, "smtp", "mailfrom"));
    assert_string_equal(mailauth_ar_prop_find(ar, 0, "policy", "DKIM.KEY-SIZE"), "1024");
    assert_null(mailauth_ar_authserv_id(NULL));
    assert_int_equal(mailauth_ar_count(NULL), 0);
    mailauth_ar_free(ar);
    mailauth_ar_free(NULL);
}

/* ---- parsing: what real mail has ----------------------------------------------------------- */

static void name_is_optional_and_any_case(void **state)
{
    (void)state;
    static const char *const forms[] = {
        "Authentication-Results: example.com; spf=pass smtp.mailfrom=example.net",
        "authentication-results:example.com; spf=pass smtp.mailfrom=example.net",
        "AUTHENTICATION-RESULTS : example.com; spf=pass smtp.mailfrom=example.net",
        " example.com; spf=pass smtp.mailfrom=example.net",
        "example.com; spf=pass smtp.mailfrom=example.net\r\n",
    };
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
        mailauth_ar *ar = parse_ok(forms[i]);
        assert_string_equal(mailauth_ar_authserv_id(ar), "example.com");
        assert_result(ar, 0, "spf", MAILAUTH_RESULT_PASS, NULL, 1);
        assert_prop(ar, 0, 0, "smtp", "mailfrom", "example.net");
        mailauth_ar_free(ar);
    }
}

static void tolerates_trailing_semicolons_and_missing_spaces(void **state)
{
    (void)state;
    mailauth_ar *ar = parse_ok("mx.example.com;spf=pass smtp.mailfrom=a@example.net;"
                               "dkim=pass(ok)header.d=example.net;;dmarc=pass;");
    assert_int_equal(mailauth_ar_count(ar), 3);
    assert_result(ar, 0, "spf", MAILAUTH_RESULT_PASS, NULL, 1);
    assert_prop(ar, 0, 0, "smtp", "mailfrom", "a@example.net");
    assert_result(ar, 1, "dkim", MAILAUTH_RESULT_PASS, NULL, 1);
    assert_string_equal(mailauth_ar_comment_at(ar, 1), "ok");
    assert_prop(ar, 1, 0, "header", "d", "example.net");
    assert_result(ar, 2, "dmarc", MAILAUTH_RESULT_PASS, NULL, 0);
    mailauth_ar_free(ar);
    ar = parse_ok("example.com;");
    assert_int_equal(mailauth_ar_count(ar), 0);
    mailauth_ar_free(ar);
    ar = parse_ok("example.com; none;");
    assert_int_equal(mailauth_ar_count(ar), 0);
    mailauth_ar_free(ar);
}

static void reads_what_big_providers_write(void **state)
{
    (void)state;
    mailauth_ar *ar = parse_ok(
        "Authentication-Results: mx.google.com;\r\n"
        "       dkim=pass header.i=@example.com header.s=20230601 header.b=Ab/Cd+eF;\r\n"
        "       spf=pass (google.com: domain of a@example.com designates 192.0.2.1 as "
        "permitted sender) smtp.mailfrom=a@example.com;\r\n"
        "       dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=example.com");
    assert_int_equal(mailauth_ar_count(ar), 3);
    assert_prop(ar, 0, 2, "header", "b", "Ab/Cd+eF");
    assert_string_equal(mailauth_ar_comment_at(ar, 1),
                        "google.com: domain of a@example.com designates 192.0.2.1 as "
                        "permitted sender");
    assert_string_equal(mailauth_ar_comment_at(ar, 2), "p=NONE sp=NONE dis=NONE");
    mailauth_ar_free(ar);
    ar = parse_ok("spf.protection.outlook.com; spf=pass (sender IP is 192.0.2.1)\r\n"
                  " smtp.mailfrom=example.com; dkim=none (message not signed)\r\n"
                  " header.d=none;dmarc=none action=none header.from=example.com;"
                  "compauth=pass reason=100");
    assert_int_equal(mailauth_ar_count(ar), 4);
    assert_result(ar, 2, "dmarc", MAILAUTH_RESULT_NONE, NULL, 2);
    assert_prop(ar, 2, 0, "", "action", "none");
    assert_prop(ar, 2, 1, "header", "from", "example.com");
    assert_string_equal(mailauth_ar_method_at(ar, 3), "compauth");
    assert_string_equal(mailauth_ar_reason_at(ar, 3), "100");
    assert_round_trip(ar, 0);
    mailauth_ar_free(ar);
}

/* Exchange Online leaves the authserv-id out: the results are read, the model cannot be
 * written back. */
static void field_without_authserv_id_is_read_but_not_written(void **state)
{
    (void)state;
    struct seen seen = {{0}, {0}, 0};
    mailauth_ar_parse_options o;
    mailauth_ar_parse_options_init(&o);
    o.anomaly = record_anomaly;
    o.anomaly_user = &seen;
    static const char text[] = "Authentication-Results: spf=none (sender IP is 192.0.2.1)\r\n"
                               " smtp.helo=mx.example.com; dkim=none (message not signed)\r\n"
                               " header.d=none;dmarc=fail action=none\r\n"
                               " header.from=example.com;compauth=softpass reason=202";
    mailauth_ar *ar;
    assert_int_equal(mailauth_ar_parse(text, sizeof text - 1, &o, &ar, NULL), 0);
    assert_string_equal(mailauth_ar_authserv_id(ar), "");
    assert_int_equal(mailauth_ar_count(ar), 4);
    assert_result(ar, 0, "spf", MAILAUTH_RESULT_NONE, NULL, 1);
    assert_string_equal(mailauth_ar_comment_at(ar, 0), "sender IP is 192.0.2.1");
    assert_prop(ar, 0, 0, "smtp", "helo", "mx.example.com");
    assert_result(ar, 2, "dmarc", MAILAUTH_RESULT_FAIL, NULL, 2);
    assert_string_equal(mailauth_ar_result_text_at(ar, 3), "softpass");
    assert_int_equal(seen.kinds[0], MAILAUTH_AR_ANOMALY_NO_AUTHSERV_ID);
    assert_int_equal(seen.offsets[0], 24);
    const char *out = "x";
    assert_int_equal(mailauth_ar_write(ar, 0, &out, NULL), MAILAUTH_E_INVAL);
    assert_null(out);
    mailauth_ar_free(ar);
    ar = parse_ok("dkim / 1 = pass");
    assert_string_equal(mailauth_ar_authserv_id(ar), "");
    assert_int_equal(mailauth_ar_method_version_at(ar, 0), 1);
    mailauth_ar_free(ar);
    ar = parse_ok("ARC-Authentication-Results: i=1; spf=pass");
    assert_string_equal(mailauth_ar_authserv_id(ar), "");
    assert_int_equal(mailauth_ar_arc_instance(ar), 1);
    mailauth_ar_free(ar);
}

static void unknown_methods_results_and_ptypes_are_kept_as_text(void **state)
{
    (void)state;
    mailauth_ar *ar = parse_ok("example.com; x-frob=maybe x-thing.zap=1 reason=\"why not\"; "
                               "SPF=PASS SMTP.MailFrom=example.net; bimi=skipped");
    assert_int_equal(mailauth_ar_count(ar), 3);
    assert_string_equal(mailauth_ar_method_at(ar, 0), "x-frob");
    assert_int_equal(mailauth_ar_result_at(ar, 0), -1);
    assert_string_equal(mailauth_ar_result_text_at(ar, 0), "maybe");
    assert_string_equal(mailauth_ar_reason_at(ar, 0), "why not");
    assert_prop(ar, 0, 0, "x-thing", "zap", "1");
    assert_string_equal(mailauth_ar_method_at(ar, 1), "SPF");
    assert_int_equal(mailauth_ar_result_at(ar, 1), MAILAUTH_RESULT_PASS);
    assert_string_equal(mailauth_ar_result_text_at(ar, 1), "PASS");
    assert_string_equal(mailauth_ar_prop_find(ar, 1, "smtp", "mailfrom"), "example.net");
    assert_int_equal(mailauth_ar_result_at(ar, 2), -1);
    assert_round_trip(ar, 0);
    mailauth_ar_free(ar);
}

static void quoted_strings_unquote_and_addr_specs_stay(void **state)
{
    (void)state;
    mailauth_ar *ar = parse_ok("\"my \\\"server\\\"\"; spf=pass reason=\"a\\\\b \\(c\"\r\n"
                               " smtp.mailfrom=\"john doe\"@example.com"
                               " smtp.helo=\"mx.example.com\" x.y=\"\"");
    assert_string_equal(mailauth_ar_authserv_id(ar), "my \"server\"");
    assert_string_equal(mailauth_ar_reason_at(ar, 0), "a\\b (c");
    assert_prop(ar, 0, 0, "smtp", "mailfrom", "\"john doe\"@example.com");
    assert_prop(ar, 0, 1, "smtp", "helo", "mx.example.com");
    assert_prop(ar, 0, 2, "x", "y", "");
    assert_round_trip(ar, 0);
    mailauth_ar_free(ar);
}

static void folding_with_crlf_or_bare_lf_inside_quotes_and_comments(void **state)
{
    (void)state;
    mailauth_ar *ar = parse_ok("example.com;\n\tspf=pass (a\r\n b) reason=\"x\n y\"\r\n"
                               "\tsmtp.mailfrom=example.net");
    assert_string_equal(mailauth_ar_comment_at(ar, 0), "a b");
    assert_string_equal(mailauth_ar_reason_at(ar, 0), "x y");
    assert_prop(ar, 0, 0, "smtp", "mailfrom", "example.net");
    mailauth_ar_free(ar);
}

static void nested_comments_are_read_and_kept(void **state)
{
    (void)state;
    mailauth_ar *ar = parse_ok("example.com (outer (inner)); spf=pass (one (two (three)) \\) x)"
                               " (second) smtp.mailfrom=example.net");
    assert_string_equal(mailauth_ar_comment_at(ar, 0), "one (two (three)) ) x");
    assert_int_equal(mailauth_ar_prop_count(ar, 0), 1);
    assert_round_trip(ar, 0);
    mailauth_ar_free(ar);
}

static void arc_authentication_results_parse_with_instance(void **state)
{
    (void)state;
    mailauth_ar *ar = parse_ok("ARC-Authentication-Results: i=3; lists.example.org;\r\n"
                               "\tspf=pass smtp.mailfrom=example.net;\r\n"
                               "\tdkim=pass header.d=example.net");
    assert_int_equal(mailauth_ar_arc_instance(ar), 3);
    assert_string_equal(mailauth_ar_authserv_id(ar), "lists.example.org");
    assert_int_equal(mailauth_ar_count(ar), 2);
    mailauth_ar_free(ar);
    ar = parse_ok("i = 1 ; example.com; none");
    assert_int_equal(mailauth_ar_arc_instance(ar), 1);
    mailauth_ar_free(ar);
    ar = parse_ok("isp.example.com; none"); /* an authserv-id starting with "i" */
    assert_int_equal(mailauth_ar_arc_instance(ar), 0);
    assert_string_equal(mailauth_ar_authserv_id(ar), "isp.example.com");
    mailauth_ar_free(ar);
    assert_syntax_at("ARC-Authentication-Results: example.com; none", 28);
    assert_syntax_at("i=51; example.com; none", 2);
    assert_syntax_at("i=0; example.com; none", 2);
    assert_syntax_at("i=1 example.com; none", 4);
}

static void tolerated_deviations_are_reported_with_offsets(void **state)
{
    (void)state;
    static const char text[] = "example.com; dmarc=pass action=none header.from=example.com"
                               "\n reason=r header.b=ab/c;;";
    struct seen seen = {{0}, {0}, 0};
    mailauth_ar_parse_options o;
    mailauth_ar_parse_options_init(&o);
    o.anomaly = record_anomaly;
    o.anomaly_user = &seen;
    mailauth_ar *ar;
    assert_int_equal(mailauth_ar_parse(text, sizeof text - 1, &o, &ar, NULL), 0);
    assert_int_equal(seen.count, 6);
    assert_int_equal(seen.kinds[0], MAILAUTH_AR_ANOMALY_BARE_PROPERTY);
    assert_int_equal(seen.offsets[0], 24);
    assert_int_equal(seen.kinds[1], MAILAUTH_AR_ANOMALY_BARE_LF);
    assert_int_equal(seen.offsets[1], 59);
    assert_int_equal(seen.kinds[2], MAILAUTH_AR_ANOMALY_REASON_AFTER_PROPERTY);
    assert_int_equal(seen.offsets[2], 61);
    assert_int_equal(seen.kinds[3], MAILAUTH_AR_ANOMALY_UNQUOTED_VALUE);
    assert_int_equal(seen.offsets[3], 79);
    assert_int_equal(seen.kinds[4], MAILAUTH_AR_ANOMALY_EMPTY_STATEMENT);
    assert_int_equal(seen.offsets[4], 84);
    assert_int_equal(seen.kinds[5], MAILAUTH_AR_ANOMALY_EMPTY_STATEMENT);
    assert_int_equal(seen.offsets[5], 85);
    assert_string_equal(mailauth_ar_reason_at(ar, 0), "r");
    mailauth_ar_free(ar);
    /* A well-formed field reports nothing. */
    seen.count = 0;
    static const char clean[] = "example.com;\r\n dkim=pass reason=\"good signature\""
                                " header.i=@example.com header.b=\"ab/c\"";
    assert_int_equal(mailauth_ar_parse(clean, sizeof clean - 1, &o, &ar, NULL), 0);
    assert_int_equal(seen.count, 0);
    mailauth_ar_free(ar);
}

/* ---- parsing: malformed input and its offset ---------------------------------------------- */

static void malformed_fields_report_code_and_offset(void **state)
{
    (void)state;
    assert_syntax_at("", 0);
    assert_syntax_at("   ", 3);
    assert_syntax_at("example.com", 11);
    assert_syntax_at("example.com spf=pass", 12);
    assert_syntax_at("example.com; spf", 16);
    assert_syntax_at("example.com; spf pass", 17);
    assert_syntax_at("example.com; spf=", 17);
    assert_syntax_at("example.com; =pass", 13);
    assert_syntax_at("example.com; spf=pass smtp.mailfrom", 35);
    assert_syntax_at("example.com; spf=pass smtp.", 27);
    assert_syntax_at("example.com; spf=pass (unterminated", 22);
    assert_syntax_at("example.com; spf=pass reason=\"open", 29);
    assert_syntax_at("example.com; spf=pass\r\nX-Injected: 1", 21);
    assert_syntax_at("example.com; spf=pass\rx", 21);
}

static void malformed_results_report_code_and_offset(void **state)
{
    (void)state;
    assert_syntax_at("example.com; none; spf=pass", 19);
    assert_syntax_at("example.com; spf=pass; none", 23);
    assert_syntax_at("example.com; spf=pass reason=a reason=b", 31);
    assert_syntax_at("example.com; spf=pass smtp.mailfrom=\"a\"b", 39);
    assert_syntax_at("example.com; spf=pass smtp.mailfrom=a\x01", 37);
    assert_syntax_at("exa\x01mple.com; none", 3);
    assert_syntax_at("example.com 0; none", 12);
    assert_syntax_at("example.com 1x; none", 13);
    assert_syntax_at("example.com 1234567890; none", 12);
    assert_syntax_at("example.com; dkim/=pass", 18);
    assert_syntax_at("example.com; dkim/1 pass", 20);
    assert_syntax_at("\"\"; none", 0);
    assert_syntax_at("=; none", 0);
    /* a NUL inside the text */
    mailauth_ar *ar = (mailauth_ar *)1;
    mailauth_ar_error err;
    assert_int_equal(mailauth_ar_parse("example.com; spf=pass\0x", 23, NULL, &ar, &err),
                     MAILAUTH_E_SYNTAX);
    assert_int_equal(err.offset, 21);
    assert_null(ar);
}

static void bad_arguments_to_parse_are_inval(void **state)
{
    (void)state;
    mailauth_ar *ar;
    mailauth_ar_error err;
    assert_int_equal(mailauth_ar_parse("x; none", 7, NULL, NULL, &err), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_ar_parse(NULL, 3, NULL, &ar, &err), MAILAUTH_E_INVAL);
    mailauth_ar_parse_options o;
    mailauth_ar_parse_options_init(&o);
    o.struct_size = 1;
    assert_int_equal(mailauth_ar_parse("x; none", 7, &o, &ar, &err), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_ar_parse("x; none", 7, NULL, &ar, NULL), 0);
    mailauth_ar_free(ar);
}

/* ---- limits ------------------------------------------------------------------------------ */

static void field_size_at_the_limit_and_one_past(void **state)
{
    (void)state;
    mailauth_ar_parse_options o;
    mailauth_ar_parse_options_init(&o);
    static const char text[] = "example.com; spf=pass";
    o.max_field_size = sizeof text - 1;
    mailauth_ar *ar;
    mailauth_ar_error err;
    assert_int_equal(mailauth_ar_parse(text, sizeof text - 1, &o, &ar, &err), 0);
    mailauth_ar_free(ar);
    o.max_field_size--;
    assert_int_equal(parse_error(&o, text, &err), MAILAUTH_E_LIMIT);
    assert_int_equal(err.offset, sizeof text - 2);
}

static void result_count_at_the_limit_and_one_past(void **state)
{
    (void)state;
    char text[4096];
    size_t k = (size_t)snprintf(text, sizeof text, "example.com");
    for (int i = 0; i < MAILAUTH_AR_DEFAULT_MAX_RESULTS; i++)
        k += (size_t)snprintf(text + k, sizeof text - k, "; m%d=pass", i);
    mailauth_ar *ar = parse_ok(text);
    assert_int_equal(mailauth_ar_count(ar), MAILAUTH_AR_DEFAULT_MAX_RESULTS);
    mailauth_ar_free(ar);
    size_t at = k + 2;
    snprintf(text + k, sizeof text - k, "; one=more");
    mailauth_ar_error err;
    assert_int_equal(parse_error(NULL, text, &err), MAILAUTH_E_LIMIT);
    assert_int_equal(err.offset, at);
    mailauth_ar_parse_options o;
    mailauth_ar_parse_options_init(&o);
    o.max_results = 2;
    assert_int_equal(parse_error(&o, "example.com; a=pass; b=pass; c=pass", &err),
                     MAILAUTH_E_LIMIT);
    assert_int_equal(err.offset, 29);
}

static void property_count_at_the_limit_and_one_past(void **state)
{
    (void)state;
    char text[4096];
    size_t k = (size_t)snprintf(text, sizeof text, "example.com; dkim=pass");
    for (int i = 0; i < MAILAUTH_AR_DEFAULT_MAX_PROPS; i++)
        k += (size_t)snprintf(text + k, sizeof text - k, " header.p%d=v", i);
    mailauth_ar *ar = parse_ok(text);
    assert_int_equal(mailauth_ar_prop_count(ar, 0), MAILAUTH_AR_DEFAULT_MAX_PROPS);
    mailauth_ar_free(ar);
    size_t at = k + 1;
    snprintf(text + k, sizeof text - k, " header.more=v");
    mailauth_ar_error err;
    assert_int_equal(parse_error(NULL, text, &err), MAILAUTH_E_LIMIT);
    assert_int_equal(err.offset, at);
    /* The reason does not count. */
    mailauth_ar_parse_options o;
    mailauth_ar_parse_options_init(&o);
    o.max_props = 1;
    assert_int_equal(mailauth_ar_parse("x; a=pass reason=r b.c=d", 24, &o, &ar, &err), 0);
    mailauth_ar_free(ar);
}

static void comment_depth_at_the_limit_and_one_past(void **state)
{
    (void)state;
    char text[256];
    mailauth_ar_error err;
    for (unsigned depth = 1; depth <= MAILAUTH_AR_DEFAULT_MAX_COMMENT_DEPTH + 1; depth++) {
        size_t k = (size_t)snprintf(text, sizeof text, "example.com ");
        for (unsigned d = 0; d < depth; d++)
            text[k++] = '(';
        for (unsigned d = 0; d < depth; d++)
            text[k++] = ')';
        snprintf(text + k, sizeof text - k, "; none");
        if (depth <= MAILAUTH_AR_DEFAULT_MAX_COMMENT_DEPTH) {
            mailauth_ar *ar = parse_ok(text);
            mailauth_ar_free(ar);
        } else {
            assert_int_equal(parse_error(NULL, text, &err), MAILAUTH_E_LIMIT);
            assert_int_equal(err.offset, 12 + MAILAUTH_AR_DEFAULT_MAX_COMMENT_DEPTH);
        }
    }
    /* Deep nesting far past the limit ends at the limit, not in a stack overflow. */
    static char deep[200000];
    memset(deep, '(', sizeof deep);
    mailauth_ar_parse_options o;
    mailauth_ar_parse_options_init(&o);
    o.max_field_size = sizeof deep;
    mailauth_ar *ar;
    assert_int_equal(mailauth_ar_parse(deep, sizeof deep, &o, &ar, &err), MAILAUTH_E_LIMIT);
    assert_int_equal(err.offset, MAILAUTH_AR_DEFAULT_MAX_COMMENT_DEPTH);
    o.max_comment_depth = 2;
    assert_int_equal(parse_error(&o, "x (((c))); none", &err), MAILAUTH_E_LIMIT);
    assert_int_equal(err.offset, 4);
}

/* ---- round trips -------------------------------------------------------------------------- */

static void built_models_round_trip(void **state)
{
    (void)state;
    mailauth_ar *ar;
    assert_int_equal(mailauth_ar_new("authserv (id)", &ar), 0);
    assert_int_equal(mailauth_ar_set_version(ar, 7), 0);
    assert_int_equal(mailauth_ar_add(ar, "auth", MAILAUTH_RESULT_PASS, NULL), 0);
    assert_int_equal(mailauth_ar_set_comment(ar, "cram-md5"), 0);
    assert_int_equal(mailauth_ar_add_prop(ar, "smtp", "auth", "sender@example.net"), 0);
    assert_int_equal(mailauth_ar_add(ar, "dkim", MAILAUTH_RESULT_PERMERROR, "no key;\tat all"), 0);
    assert_int_equal(mailauth_ar_set_method_version(ar, 2), 0);
    assert_int_equal(mailauth_ar_set_comment(ar, "(("), 0);
    assert_int_equal(mailauth_ar_add_prop(ar, "header", "i", "\"x;y\"@example.com"), 0);
    assert_int_equal(mailauth_ar_add_prop(ar, "header", "d", "b\xc3\xbc" "cher.example"), 0);
    assert_int_equal(mailauth_ar_add_prop(ar, "policy", "x", "  spaced  "), 0);
    assert_int_equal(mailauth_ar_add(ar, "none", MAILAUTH_RESULT_POLICY, ""), 0);
    assert_int_equal(mailauth_ar_add_text(ar, "iprev", "temperror", NULL), 0);
    assert_int_equal(mailauth_ar_add_prop(ar, "policy", "iprev", "2001:db8::1"), 0);
    assert_round_trip(ar, 0);
    assert_int_equal(mailauth_ar_set_arc_instance(ar, 1), 0);
    assert_round_trip(ar, MAILAUTH_AR_WRITE_ARC);
    mailauth_ar_free(ar);
}

/* ---- allocation failure ------------------------------------------------------------------ */

#include "alloc_budget.h"

static void allocation_failure_anywhere_is_nomem(void **state)
{
    (void)state;
    static const char text[] =
        "Authentication-Results: example.com 1;\r\n auth=pass (cram-md5) "
        "smtp.auth=sender@example.net reason=\"a b\";\r\n spf=pass smtp.mailfrom=example.net";
    mailauth_set_allocator(budget_malloc, budget_realloc, free);
    int completed = 0;
    for (size_t limit = 0; limit < 400 && !completed; limit++) {
        alloc_budget = limit;
        alloc_limited = 1;
        mailauth_ar *ar = NULL;
        const char *out = NULL;
        int rc = mailauth_ar_parse(text, sizeof text - 1, NULL, &ar, NULL);
        if (!rc)
            rc = mailauth_ar_add(ar, "dmarc", MAILAUTH_RESULT_PASS, NULL);
        if (!rc)
            rc = mailauth_ar_write(ar, 0, &out, NULL);
        alloc_limited = 0;
        if (rc && rc != MAILAUTH_E_NOMEM)
            fail_msg("with %zu allocations allowed: %d", limit, rc);
        if (!rc) {
            assert_string_equal(out, "Authentication-Results: example.com 1;\r\n"
                                     "\tauth=pass (cram-md5) reason=\"a b\""
                                     " smtp.auth=sender@example.net;\r\n"
                                     "\tspf=pass smtp.mailfrom=example.net;\r\n"
                                     "\tdmarc=pass");
            completed = 1;
        }
        mailauth_ar_free(ar);
    }
    mailauth_set_allocator(NULL, NULL, NULL);
    assert_true(completed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc8601_b2_service_provided_no_authentication_done),
        cmocka_unit_test(rfc8601_b3_service_provided_authentication_done),
        cmocka_unit_test(rfc8601_b4_several_authentications_single_mta),
        cmocka_unit_test(rfc8601_b5_several_authentications_different_mtas),
        cmocka_unit_test(rfc8601_b6_multi_tiered_authentication),
        cmocka_unit_test(rfc8601_b7_comment_heavy),
        cmocka_unit_test(rfc8601_examples_round_trip),
        cmocka_unit_test(writes_each_result_on_its_own_line),
        cmocka_unit_test(writes_none_with_version),
        cmocka_unit_test(writes_reason_comment_and_method_version),
        cmocka_unit_test(quotes_values_that_are_not_tokens_or_addresses),
        cmocka_unit_test(writes_unknown_result_keywords_and_bare_properties),
        cmocka_unit_test(arc_flag_writes_the_instance_prefix),
        cmocka_unit_test(value_only_and_crlf_flags),
        cmocka_unit_test(folds_long_results_within_78_columns),
        cmocka_unit_test(folds_inside_long_quoted_reasons_and_comments),
        cmocka_unit_test(line_of_998_is_written_and_999_is_limit),
        cmocka_unit_test(long_authserv_id_goes_to_its_own_line),
        cmocka_unit_test(header_injection_is_refused),
        cmocka_unit_test(bad_names_and_arguments_are_inval),
        cmocka_unit_test(name_is_optional_and_any_case),
        cmocka_unit_test(tolerates_trailing_semicolons_and_missing_spaces),
        cmocka_unit_test(reads_what_big_providers_write),
        cmocka_unit_test(field_without_authserv_id_is_read_but_not_written),
        cmocka_unit_test(unknown_methods_results_and_ptypes_are_kept_as_text),
        cmocka_unit_test(quoted_strings_unquote_and_addr_specs_stay),
        cmocka_unit_test(folding_with_crlf_or_bare_lf_inside_quotes_and_comments),
        cmocka_unit_test(nested_comments_are_read_and_kept),
        cmocka_unit_test(arc_authentication_results_parse_with_instance),
        cmocka_unit_test(tolerated_deviations_are_reported_with_offsets),
        cmocka_unit_test(malformed_fields_report_code_and_offset),
        cmocka_unit_test(malformed_results_report_code_and_offset),
        cmocka_unit_test(bad_arguments_to_parse_are_inval),
        cmocka_unit_test(field_size_at_the_limit_and_one_past),
        cmocka_unit_test(result_count_at_the_limit_and_one_past),
        cmocka_unit_test(property_count_at_the_limit_and_one_past),
        cmocka_unit_test(comment_depth_at_the_limit_and_one_past),
        cmocka_unit_test(built_models_round_trip),
        cmocka_unit_test(allocation_failure_anywhere_is_nomem),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
