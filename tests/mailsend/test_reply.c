/* test_reply.c — reply assembly (RFC 5321 §4.2), enhanced status codes (RFC 3463) and the EHLO
 * capability list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ms_internal.h"

/* Feeds `s` whole; returns the parser's status and the reply (caller unrefs). */
static int parse(ms_reply_parser *p, const char *s, ms_reply **r, size_t *used)
{
    size_t u;
    int rc = ms_reply_parser_feed(p, (const unsigned char *)s, strlen(s), used ? used : &u, r);
    return rc;
}

static void single_line_with_enhanced_code(void **state)
{
    (void)state;
    ms_reply_parser p;
    ms_reply_parser_init(&p, 512, 10);
    ms_reply *r;
    size_t used;
    assert_int_equal(parse(&p, "550 5.1.1 User unknown\r\nrest", &r, &used), 1);
    assert_int_equal(used, 24);
    assert_int_equal(r->pub.code, 550);
    assert_int_equal(r->pub.enh_class, 5);
    assert_int_equal(r->pub.enh_subject, 1);
    assert_int_equal(r->pub.enh_detail, 1);
    assert_string_equal(r->pub.text, "5.1.1 User unknown");
    assert_int_equal(r->pub.text_len, 18);
    assert_int_equal(r->pub.lines, 1);
    ms_reply_unref(r);
    ms_reply_parser_free(&p);
}

static void multi_line_reply_joins_texts(void **state)
{
    (void)state;
    ms_reply_parser p;
    ms_reply_parser_init(&p, 512, 10);
    ms_reply *r;
    assert_int_equal(parse(&p, "250-mx.example\r\n250-PIPELINING\r\n250 SIZE 1000\r\n", &r, NULL), 1);
    assert_int_equal(r->pub.code, 250);
    assert_int_equal(r->pub.lines, 3);
    assert_string_equal(r->pub.text, "mx.example\nPIPELINING\nSIZE 1000");
    assert_int_equal(r->pub.enh_class, 0);
    ms_reply_unref(r);
    ms_reply_parser_free(&p);
}

static void bytes_one_at_a_time_and_bare_lf(void **state)
{
    (void)state;
    ms_reply_parser p;
    ms_reply_parser_init(&p, 512, 10);
    const char *s = "421-4.3.2 going\n421 down\r\n";
    ms_reply *r = NULL;
    size_t i = 0, used;
    int rc = 0;
    for (; i < strlen(s) && rc == 0; i++) {
        rc = ms_reply_parser_feed(&p, (const unsigned char *)s + i, 1, &used, &r);
        assert_int_equal(used, 1);
        assert_int_equal(ms_reply_parser_busy(&p), rc == 0);
    }
    assert_int_equal(rc, 1);
    assert_int_equal(i, strlen(s));
    assert_int_equal(r->pub.code, 421);
    assert_int_equal(r->pub.enh_class, 4);
    assert_int_equal(r->pub.enh_subject, 3);
    assert_int_equal(r->pub.enh_detail, 2);
    assert_string_equal(r->pub.text, "4.3.2 going\ndown");
    ms_reply_unref(r);
    ms_reply_parser_free(&p);
}

static void code_without_text(void **state)
{
    (void)state;
    ms_reply_parser p;
    ms_reply_parser_init(&p, 512, 10);
    ms_reply *r;
    assert_int_equal(parse(&p, "354\r\n", &r, NULL), 1);
    assert_int_equal(r->pub.code, 354);
    assert_string_equal(r->pub.text, "");
    ms_reply_unref(r);
    ms_reply_parser_free(&p);
}

static void enhanced_code_must_match_the_class(void **state)
{
    (void)state;
    ms_reply_parser p;
    ms_reply_parser_init(&p, 512, 10);
    ms_reply *r;
    static const char *const no_code[] = {
        "250 5.0.0 looks like one\r\n", "250 2.0 short\r\n", "250 2.0.0x\r\n",
        "250 2.1234.0 long\r\n", "250 22.0.0 class\r\n",
    };
    for (size_t i = 0; i < sizeof no_code / sizeof *no_code; i++) {
        assert_int_equal(parse(&p, no_code[i], &r, NULL), 1);
        assert_int_equal(r->pub.enh_class, 0);
        ms_reply_unref(r);
    }
    assert_int_equal(parse(&p, "250 2.6.0\r\n", &r, NULL), 1);
    assert_int_equal(r->pub.enh_class, 2);
    assert_int_equal(r->pub.enh_subject, 6);
    ms_reply_unref(r);
    ms_reply_parser_free(&p);
}

static void garbage_is_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "hello\r\n", "25\r\n", "2500 x\r\n", "250x\r\n", "199 x\r\n", "600 x\r\n",
        "250-a\r\n251 b\r\n", "250 a\rb\r\n", "abc def\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ms_reply_parser p;
        ms_reply_parser_init(&p, 512, 10);
        ms_reply *r = NULL;
        assert_int_equal(parse(&p, bad[i], &r, NULL), MAILSEND_E_PROTOCOL);
        assert_null(r);
        assert_non_null(p.why);
        ms_reply_parser_free(&p);
    }
    ms_reply_parser p;
    ms_reply_parser_init(&p, 512, 10);
    ms_reply *r = NULL;
    size_t used;
    assert_int_equal(ms_reply_parser_feed(&p, (const unsigned char *)"250 a\0b\r\n", 9, &used, &r),
                     MAILSEND_E_PROTOCOL);
    ms_reply_parser_free(&p);
}

/* A line of exactly max_line octets (without CRLF) is taken; one more is refused, whether it
 * arrives whole or without its line end yet. */
static void line_length_limit(void **state)
{
    (void)state;
    char line[600];
    memset(line, 'x', sizeof line);
    memcpy(line, "250 ", 4);
    ms_reply *r;
    size_t used;
    for (int extra = 0; extra <= 1; extra++) {
        ms_reply_parser p;
        ms_reply_parser_init(&p, 512, 10);
        memcpy(line + 512 + extra, "\r\n", 3);
        int rc = parse(&p, line, &r, &used);
        if (!extra) {
            assert_int_equal(rc, 1);
            assert_int_equal(r->pub.text_len, 508);
            ms_reply_unref(r);
        } else {
            assert_int_equal(rc, MAILSEND_E_LIMIT);
        }
        ms_reply_parser_free(&p);
        memset(line + 512, 'x', 4);
    }
    /* Without a line end: refused once it cannot fit any more. */
    ms_reply_parser p;
    ms_reply_parser_init(&p, 512, 10);
    memset(line, 'x', sizeof line);
    memcpy(line, "250 ", 4);
    assert_int_equal(ms_reply_parser_feed(&p, (const unsigned char *)line, 513, &used, &r), 0);
    assert_int_equal(ms_reply_parser_feed(&p, (const unsigned char *)line, 1, &used, &r),
                     MAILSEND_E_LIMIT);
    ms_reply_parser_free(&p);
}

static void line_count_limit(void **state)
{
    (void)state;
    ms_reply_parser p;
    ms_reply_parser_init(&p, 512, 3);
    ms_reply *r;
    assert_int_equal(parse(&p, "250-a\r\n250-b\r\n250 c\r\n", &r, NULL), 1);
    assert_int_equal(r->pub.lines, 3);
    ms_reply_unref(r);
    assert_int_equal(parse(&p, "250-a\r\n250-b\r\n250-c\r\n250 d\r\n", &r, NULL), MAILSEND_E_LIMIT);
    ms_reply_parser_free(&p);
}

static void capabilities_are_read(void **state)
{
    (void)state;
    const char *text = "mx.example greets you\nPIPELINING\nSIZE 35882577\nAUTH=LOGIN\n"
                       "auth PLAIN cram-md5 GSSAPI\n8BITMIME\nCHUNKING\nDSN\nSMTPUTF8\n"
                       "ENHANCEDSTATUSCODES\nREQUIRETLS\nSTARTTLS\nX-VENDOR  thing  \n"
                       "not/a keyword\nBINARYMIME";
    ms_caps caps = {0};
    assert_int_equal(ms_caps_parse(&caps, text, strlen(text), 64), 0);
    assert_int_equal(caps.flags, MAILSEND_CAP_PIPELINING | MAILSEND_CAP_SIZE |
                                     MAILSEND_CAP_AUTH | MAILSEND_CAP_8BITMIME |
                                     MAILSEND_CAP_CHUNKING | MAILSEND_CAP_DSN |
                                     MAILSEND_CAP_SMTPUTF8 | MAILSEND_CAP_ENHANCEDSTATUSCODES |
                                     MAILSEND_CAP_REQUIRETLS | MAILSEND_CAP_STARTTLS |
                                     MAILSEND_CAP_BINARYMIME);
    assert_true(caps.size_limit == 35882577);
    int plain = ms_sasl_find("PLAIN", 5), login = ms_sasl_find("LOGIN", 5),
        cram = ms_sasl_find("CRAM-MD5", 8);
    assert_int_equal(caps.auth_mechs, (1u << plain) | (1u << login) | (1u << cram));
    assert_int_equal(caps.count, 13);
    assert_string_equal(caps.keywords[1], "SIZE");
    assert_string_equal(caps.params[1], "35882577");
    assert_string_equal(caps.keywords[2], "AUTH");
    assert_string_equal(caps.params[2], "LOGIN");
    assert_string_equal(caps.keywords[3], "auth");
    assert_string_equal(caps.params[3], "PLAIN cram-md5 GSSAPI");
    assert_string_equal(caps.keywords[11], "X-VENDOR");
    assert_string_equal(caps.params[11], "thing");
    ms_caps_clear(&caps);
}

static void capability_count_is_bounded(void **state)
{
    (void)state;
    const char *text = "hi\nA\nB\nPIPELINING\nSIZE";
    ms_caps caps = {0};
    assert_int_equal(ms_caps_parse(&caps, text, strlen(text), 2), 0);
    assert_int_equal(caps.count, 2);
    /* Past the kept list the known extensions still count. */
    assert_int_equal(caps.flags, MAILSEND_CAP_PIPELINING | MAILSEND_CAP_SIZE);
    assert_true(caps.size_limit == 0);
    ms_caps_clear(&caps);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(single_line_with_enhanced_code),
        cmocka_unit_test(multi_line_reply_joins_texts),
        cmocka_unit_test(bytes_one_at_a_time_and_bare_lf),
        cmocka_unit_test(code_without_text),
        cmocka_unit_test(enhanced_code_must_match_the_class),
        cmocka_unit_test(garbage_is_refused),
        cmocka_unit_test(line_length_limit),
        cmocka_unit_test(line_count_limit),
        cmocka_unit_test(capabilities_are_read),
        cmocka_unit_test(capability_count_is_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
