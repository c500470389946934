/* test_rfc2231.c — encoding one MIME parameter: the quoted form, the RFC 2231 extended form,
 * continuation segments within 78 columns, and the round trip through the parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mp_internal.h"

static char *encode(const char *name, const char *value, const char *lang)
{
    char *out = NULL;
    size_t n = 0;
    assert_int_equal(mailparse_rfc2231_encode(name, value, strlen(value), lang, &out, &n), 0);
    assert_int_equal(strlen(out), n);
    return out;
}

static void expect_encode(const char *name, const char *value, const char *lang, const char *want)
{
    char *got = encode(name, value, lang);
    assert_string_equal(got, want);
    mailparse_free(got);
}

/* Parses "a/b; <encoded>" and checks the parameter comes back with its language. */
static void expect_round_trip(const char *name, const char *value, const char *lang)
{
    char *e = encode(name, value, lang);
    size_t n = strlen(e) + 8;
    char *field = lm_malloc(n);
    assert_non_null(field);
    strcpy(field, "a/b; ");
    strcat(field, e);
    lm_arena *a = lm_arena_new(0);
    mailparse_content_type *ct = NULL;
    assert_int_equal(mp_parse_content_type(a, field, strlen(field), 0, NULL, NULL, &ct), 0);
    assert_int_equal(ct->param_count, 1);
    assert_string_equal(ct->params[0].name, name);
    assert_string_equal(ct->params[0].value, value);
    if (lang && *lang)
        assert_string_equal(ct->params[0].language, lang);
    else
        assert_null(ct->params[0].language);
    /* segment lines: a folding space, the segment and its ';' fit 78 columns */
    for (const char *line = e; line;) {
        const char *end = strstr(line, "\r\n");
        size_t len = end ? (size_t)(end - line) : strlen(line);
        assert_true(len + 1 <= 78);
        line = end ? end + 2 : NULL;
    }
    lm_arena_free(a);
    lm_free(field);
    mailparse_free(e);
}

static void short_ascii_value_is_quoted(void **state)
{
    (void)state;
    expect_encode("filename", "report.pdf", NULL, "filename=\"report.pdf\"");
    expect_encode("name", "a \"b\" \\c", NULL, "name=\"a \\\"b\\\" \\\\c\"");
    expect_encode("x", "", NULL, "x=\"\"");
}

static void non_ascii_value_is_extended(void **state)
{
    (void)state;
    expect_encode("filename", "caf\xc3\xa9.txt", NULL, "filename*=utf-8''caf%C3%A9.txt");
    expect_encode("title", "This is ***fun***", "en-us", "title*=utf-8'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A");
}

static void control_characters_are_encoded(void **state)
{
    (void)state;
    expect_encode("n", "a\tb\r\n", NULL, "n*=utf-8''a%09b%0D%0A");
}

static void long_value_split_into_segments(void **state)
{
    (void)state;
    char value[300] = "";
    for (int i = 0; i < 40; i++)
        strcat(value, "\xc3\xa9" "a");
    char *e = encode("filename", value, NULL);
    assert_non_null(strstr(e, "filename*0*=utf-8''"));
    assert_non_null(strstr(e, ";\r\n filename*1*="));
    assert_null(strstr(e, "filename*1*=utf-8"));
    mailparse_free(e);
    expect_round_trip("filename", value, NULL);
}

static void segments_never_split_a_sequence(void **state)
{
    (void)state;
    char value[400] = "";
    for (int i = 0; i < 50; i++)
        strcat(value, "\xe2\x82\xac"); /* 9 encoded columns each */
    char *e = encode("f", value, NULL);
    /* every segment holds whole euro signs: its text length is a multiple of 9 */
    for (const char *s = strstr(e, "*="); s; s = strstr(s + 2, "*=")) {
        const char *start = s + 2;
        if (strncmp(start, "utf-8''", 7) == 0)
            start += 7;
        const char *end = strchr(start, ';');
        size_t len = end ? (size_t)(end - start) : strlen(start);
        assert_int_equal(len % 9, 0);
    }
    mailparse_free(e);
    expect_round_trip("f", value, "de");
}

static void long_ascii_value_uses_segments(void **state)
{
    (void)state;
    const char *v = "a-very-long-file-name-that-does-not-fit-in-one-line-of-a-mime-header-at-all.tar.gz";
    char *e = encode("filename", v, NULL);
    assert_non_null(strstr(e, "filename*0*="));
    mailparse_free(e);
    expect_round_trip("filename", v, NULL);
}

static void round_trips(void **state)
{
    (void)state;
    expect_round_trip("name", "simple", NULL);
    expect_round_trip("name", "with \"quotes\" and \\", NULL);
    expect_round_trip("filename", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e.txt", "ja");
    expect_round_trip("filename", "100% sure; (really) = yes?", NULL);
}

static void rejects_bad_names(void **state)
{
    (void)state;
    char *out = NULL;
    assert_int_equal(mailparse_rfc2231_encode("", "x", 1, NULL, &out, NULL), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_rfc2231_encode("a b", "x", 1, NULL, &out, NULL), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_rfc2231_encode("a*", "x", 1, NULL, &out, NULL), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_rfc2231_encode("a", "x", 1, "e n", &out, NULL), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_rfc2231_encode(NULL, "x", 1, NULL, &out, NULL), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_rfc2231_encode("a", NULL, 1, NULL, &out, NULL), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_rfc2231_encode("a", "x", 1, NULL, NULL, NULL), MAILPARSE_E_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(short_ascii_value_is_quoted),
        cmocka_unit_test(non_ascii_value_is_extended),
        cmocka_unit_test(control_characters_are_encoded),
        cmocka_unit_test(long_value_split_into_segments),
        cmocka_unit_test(segments_never_split_a_sequence),
        cmocka_unit_test(long_ascii_value_uses_segments),
        cmocka_unit_test(round_trips),
        cmocka_unit_test(rejects_bad_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
