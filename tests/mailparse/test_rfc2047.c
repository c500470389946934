/* test_rfc2047.c — RFC 2047 encoded words: decoding (RFC 2047 §8 examples, joining, hostile
 * forms, the word budget), encoding (Q/B choice, folding, phrases) and the round trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "anomaly_log.h"
#include "mp_internal.h"

static anomaly_log logged;

/* Decodes through the public API; the caller frees. */
static char *dec(const char *in, unsigned flags)
{
    char *out = NULL;
    size_t n = 0;
    memset(&logged, 0, sizeof logged);
    assert_int_equal(mailparse_rfc2047_decode(in, strlen(in), flags, &out, &n, anomaly_log_add, &logged), 0);
    assert_non_null(out);
    assert_int_equal(strlen(out), n);
    return out;
}

static void expect_dec(const char *in, unsigned flags, const char *want)
{
    char *got = dec(in, flags);
    assert_string_equal(got, want);
    mailparse_free(got);
}

static char *enc(const char *in, const char *cs, unsigned flags, size_t first)
{
    char *out = NULL;
    size_t n = 0;
    assert_int_equal(mailparse_rfc2047_encode(in, strlen(in), cs, flags, first, &out, &n), 0);
    assert_int_equal(strlen(out), n);
    return out;
}

static void expect_enc(const char *in, unsigned flags, const char *want)
{
    char *got = enc(in, NULL, flags, 0);
    assert_string_equal(got, want);
    mailparse_free(got);
}

static void decode_rfc2047_section8_examples(void **state)
{
    (void)state;
    const unsigned P = MAILPARSE_2047_PHRASE;
    expect_dec("=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?=", 0, "Keld J\xc3\xb8rn Simonsen");
    expect_dec("=?ISO-8859-1?Q?Andr=E9?= Pirard", P, "Andr\xc3\xa9 Pirard");
    expect_dec("=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n"
               "    =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=",
               0, "If you can read this you understand the example.");
    expect_dec("(=?ISO-8859-1?Q?a?=)", P, "(a)");
    expect_dec("(=?ISO-8859-1?Q?a?= b)", P, "(a b)");
    expect_dec("(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)", P, "(ab)");
    expect_dec("(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)", P, "(ab)");
    expect_dec("(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)", P, "(ab)");
    expect_dec("(=?ISO-8859-1?Q?a_b?=)", P, "(a b)");
    expect_dec("(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)", P, "(a b)");
    assert_int_equal(logged.count, 0);
}

static void decode_joins_utf8_split_across_words(void **state)
{
    (void)state;
    expect_dec("=?utf-8?q?=E2=82?= =?UTF-8?q?=AC?=", 0, "\xe2\x82\xac");
    assert_int_equal(logged.count, 0);
    expect_dec("=?utf-8?b?4oI=?=\r\n =?utf-8?b?rA==?= x", 0, "\xe2\x82\xac x");
}

static void decode_joins_iso2022jp_split_across_words(void **state)
{
    (void)state;
    /* ESC $ B "$K$[" ESC ( B, cut inside the second character */
    expect_dec("=?iso-2022-jp?b?GyRCJEsk?= =?ISO-2022-JP?b?WxsoQg==?=", 0,
               "\xe3\x81\xab\xe3\x81\xbb");
    assert_int_equal(anomaly_log_count(&logged, MAILPARSE_ANOMALY_CHARSET_INVALID), 0);
}

static void decode_different_charsets_do_not_join(void **state)
{
    (void)state;
    expect_dec("=?utf-8?q?=C3?= =?iso-8859-1?q?=E9?=", 0, "\xef\xbf\xbd\xc3\xa9");
    assert_int_equal(anomaly_log_count(&logged, MAILPARSE_ANOMALY_CHARSET_INVALID), 1);
}

static void decode_q_forms(void **state)
{
    (void)state;
    expect_dec("=?utf-8?q?a_b=20c?=", 0, "a b c");
    expect_dec("=?utf-8?Q?this is some text?=", 0, "this is some text");
    expect_dec("=?utf-8?q?a=ZZ?=", 0, "a=ZZ");
    assert_int_equal(anomaly_log_count(&logged, MAILPARSE_ANOMALY_QP_BAD_ESCAPE), 1);
    expect_dec("=?utf-8?q?end=?=", 0, "end=");
    expect_dec("Some text =?utf-8?Q?\?=here", 0, "Some text  here");
}

static void decode_b_is_tolerant(void **state)
{
    (void)state;
    expect_dec("=?utf-8?b?w6k?=", 0, "\xc3\xa9");
    assert_int_equal(anomaly_log_count(&logged, MAILPARSE_ANOMALY_BASE64_BAD_PADDING), 1);
    expect_dec("=?utf-8?B?VGhpcyBpcyB0aGUgb\r\n 3JpZ2luYWwgc3ViamVjdA==?=", 0, "This is the original subject");
}

static void decode_folding_inside_a_word_is_removed(void **state)
{
    (void)state;
    expect_dec("=?utf-8?Q?Hello\r\n _there!?=", 0, "Hello there!");
    expect_dec("=?utf-8?Q?Hello\n   \t  _there!?=", 0, "Hello there!");
}

static void decode_folding_between_text_collapses(void **state)
{
    (void)state;
    expect_dec("Fwd: \r\n\tSaying \n Hello", 0, "Fwd: Saying Hello");
    expect_dec("a  b", 0, "a  b");
    expect_dec("a\r\nb", 0, "ab");
}

static void decode_words_glued_to_text(void **state)
{
    (void)state;
    expect_dec("abc=?utf-8?q?x?=def", 0, "abc x def");
    assert_int_equal(anomaly_log_count(&logged, MAILPARSE_ANOMALY_ENCODED_WORD_IN_WORD), 2);
    assert_int_equal(anomaly_log_offset(&logged, MAILPARSE_ANOMALY_ENCODED_WORD_IN_WORD), 3);
    expect_dec("abc=?utf-8?q?x?=def", MAILPARSE_2047_PHRASE, "abcxdef");
    expect_dec("[SPAM]=?utf-8?q?Hi?=", 0, "[SPAM] Hi");
    expect_dec("=?utf-8?q?Hi?=, there", 0, "Hi, there");
}

static void decode_glued_words_join(void **state)
{
    (void)state;
    expect_dec("=?ISO-8859-1?Q?a?==?ISO-8859-1?Q?b?==?ISO-8859-1?Q?c?= =?ISO-8859-1?Q?d?=", 0, "abcd");
    assert_int_equal(anomaly_log_count(&logged, MAILPARSE_ANOMALY_ENCODED_WORD_IN_WORD), 2);
}

static void decode_keeps_malformed_words(void **state)
{
    (void)state;
    expect_dec("=?utf-8?q?bad", 0, "=?utf-8?q?bad");
    assert_int_equal(anomaly_log_offset(&logged, MAILPARSE_ANOMALY_ENCODED_WORD_INVALID), 0);
    expect_dec("x =?utf-8?x?abc?=", 0, "x =?utf-8?x?abc?=");
    assert_int_equal(anomaly_log_offset(&logged, MAILPARSE_ANOMALY_ENCODED_WORD_INVALID), 2);
    expect_dec("=??q?abc?=", 0, "=??q?abc?=");
    expect_dec("let's = try =?iso-8859-1? to break\n =? the \n parser", 0,
               "let's = try =?iso-8859-1? to break =? the parser");
    expect_dec("=?", 0, "=?");
    expect_dec("=", 0, "=");
}

static void decode_charset_language_suffix(void **state)
{
    (void)state;
    expect_dec("=?US-ASCII*EN?Q?Keith_Moore?=", 0, "Keith Moore");
}

static void decode_unknown_charset_is_guessed(void **state)
{
    (void)state;
    expect_dec("=?x-no-such-charset?q?caf=E9?=", 0, "caf\xc3\xa9");
    assert_int_equal(anomaly_log_count(&logged, MAILPARSE_ANOMALY_CHARSET_UNKNOWN), 1);
    assert_int_equal(anomaly_log_offset(&logged, MAILPARSE_ANOMALY_CHARSET_UNKNOWN), 0);
    expect_dec("=?x-no-such-charset?q?caf=C3=A9?=", 0, "caf\xc3\xa9");
}

static void decode_adjacent_iso2022_words_join_without_the_return_to_ascii(void **state)
{
    (void)state;
    /* Each ISO-2022-JP word returns to ASCII at its end; joined as they are, the escape pair
     * ESC ( B ESC $ B would be rejected by the converter. */
    const char *in = "=?ISO-2022-JP?B?GyRCRnxLXBsoQg==?= =?ISO-2022-JP?B?GyRCOGwbKEI=?=";
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(mailparse_rfc2047_decode(in, strlen(in), 0, &out, &len, NULL, NULL), 0);
    assert_string_equal(out, "日本語");
    mailparse_free(out);
}

static void decode_raw_8bit_text(void **state)
{
    (void)state;
    expect_dec("Gr\xc3\xbc\xc3\x9f dich", 0, "Gr\xc3\xbc\xc3\x9f dich");
    assert_int_equal(logged.count, 0);
    expect_dec("caf\xe9 =?utf-8?q?ok?=", 0, "caf\xc3\xa9 ok");
}

static void decode_phrase_quoted_strings(void **state)
{
    (void)state;
    const unsigned P = MAILPARSE_2047_PHRASE;
    expect_dec("\"John \\\"Q\\\" Public\"", P, "John \"Q\" Public");
    expect_dec("\"=?ISO-8859-1?Q?a?= b\"", P, "a b");
    expect_dec("=?ISO-8859-1?Q?a?= \"=?ISO-8859-2?Q?_b?=\"", P, "a b");
    expect_dec("\"=?utf-8?q?a?= =?utf-8?q?b?=\"", P, "a b");
    expect_dec("\"=?utf-8?q?a?=\r\n =?utf-8?q?b?=\"", P, "ab");
    expect_dec("\"John\r\n Doe\"", P, "John Doe");
    expect_dec("\"unterminated", P, "unterminated");
    expect_dec("\"=?utf-8?q?a?= b\"", 0, "\"a b\"");
}

static void decode_phrase_comments_kept(void **state)
{
    (void)state;
    expect_dec("Name (a (nested) \\) comment)", MAILPARSE_2047_PHRASE, "Name (a (nested) ) comment)");
    expect_dec("x (open", MAILPARSE_2047_PHRASE, "x (open");
}

static void decode_budget_exactly_at_limit(void **state)
{
    (void)state;
    const char *in = "=?utf-8?q?a?= =?utf-8?q?b?=";
    lm_buf out = LM_BUF_INIT;
    size_t budget = 2;
    mp_diag d = {anomaly_log_add, &logged, 0};
    memset(&logged, 0, sizeof logged);
    assert_int_equal(mp_rfc2047_decode(in, strlen(in), 0, &out, &d, &budget), 0);
    assert_string_equal(out.data, "ab");
    assert_int_equal(budget, 0);
    assert_int_equal(logged.count, 0);
    lm_buf_free(&out);
}

static void decode_budget_one_past_limit(void **state)
{
    (void)state;
    const char *in = "=?utf-8?q?a?= =?utf-8?q?b?= =?utf-8?q?c?= =?utf-8?q?d?=";
    lm_buf out = LM_BUF_INIT;
    size_t budget = 2;
    mp_diag d = {anomaly_log_add, &logged, 100};
    memset(&logged, 0, sizeof logged);
    assert_int_equal(mp_rfc2047_decode(in, strlen(in), 0, &out, &d, &budget), 0);
    assert_string_equal(out.data, "ab =?utf-8?q?c?= =?utf-8?q?d?=");
    assert_int_equal(budget, 0);
    assert_int_equal(anomaly_log_count(&logged, MAILPARSE_ANOMALY_ENCODED_WORD_LIMIT), 1);
    assert_int_equal(anomaly_log_offset(&logged, MAILPARSE_ANOMALY_ENCODED_WORD_LIMIT), 100 + 28);
    lm_buf_free(&out);
}

static void decode_rejects_bad_arguments(void **state)
{
    (void)state;
    char *out = NULL;
    assert_int_equal(mailparse_rfc2047_decode("x", 1, 0, NULL, NULL, NULL, NULL), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_rfc2047_decode(NULL, 3, 0, &out, NULL, NULL, NULL), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_rfc2047_decode(NULL, 0, 0, &out, NULL, NULL, NULL), 0);
    assert_string_equal(out, "");
    mailparse_free(out);
}

static void unfold_removes_line_ends(void **state)
{
    (void)state;
    lm_buf b = LM_BUF_INIT;
    assert_int_equal(mp_unfold("a\r\n b\n\tc\nd\r", 12, &b), 0);
    assert_string_equal(b.data, "a b\tcd");
    lm_buf_free(&b);
}

static void encode_leaves_plain_ascii(void **state)
{
    (void)state;
    expect_enc("Hello world", 0, "Hello world");
    expect_enc("", 0, "");
    expect_enc("Smith, John", 0, "Smith, John");
}

static void encode_chooses_q_or_b_by_size(void **state)
{
    (void)state;
    expect_enc("Gie\xc3\x9f" "en ist sch\xc3\xb6n", 0, "=?utf-8?Q?Gie=C3=9Fen?= ist =?utf-8?B?c2Now7Zu?=");
    expect_enc("caf\xc3\xa9", 0, "=?utf-8?B?Y2Fmw6k=?=");
    char *s = enc("caf\xc3\xa9", "iso-8859-1", 0, 0);
    assert_string_equal(s, "=?iso-8859-1?Q?caf=E9?=");
    mailparse_free(s);
}

static void encode_joins_adjacent_tokens_into_one_run(void **state)
{
    (void)state;
    /* the space between two encoded tokens goes inside the word: the decoder drops blanks */
    expect_enc("\xc3\xa9t\xc3\xa9 \xc3\xa9t\xc3\xa9", 0, "=?utf-8?B?w6l0w6kgw6l0w6k=?=");
}

static void encode_protects_lookalikes(void **state)
{
    (void)state;
    expect_enc("=?x?q?y?=", 0, "=?utf-8?B?PT94P3E/eT89?=");
    expect_enc("tab\there", 0, "tab\there");
    expect_enc("line\r\nbreak", 0, "=?utf-8?Q?line=0D=0Abreak?=");
}

static void encode_phrase_quotes_specials(void **state)
{
    (void)state;
    expect_enc("Smith, John", MAILPARSE_2047_PHRASE, "\"Smith, John\"");
    expect_enc("a \"b\" \\c", MAILPARSE_2047_PHRASE, "\"a \\\"b\\\" \\\\c\"");
    expect_enc("John Smith", MAILPARSE_2047_PHRASE, "John Smith");
    expect_enc("M\xc3\xbcller, Hans", MAILPARSE_2047_PHRASE, "=?utf-8?B?TcO8bGxlciw=?= Hans");
    expect_enc("M\xc3\xbcller (x)", MAILPARSE_2047_PHRASE, "=?utf-8?B?TcO8bGxlciAoeCk=?=");
}

/* Every line of `s` fits in 78 columns (the first after `first`), words are at most 75. */
static void assert_folded(const char *s, size_t first)
{
    size_t col = first;
    for (const char *p = s; *p; p++) {
        if (p[0] == '\r') {
            assert_int_equal(p[1], '\n');
            assert_int_equal(p[2], ' ');
            col = 0;
            p++;
            continue;
        }
        col++;
        assert_true(col <= 78);
    }
    for (const char *w = strstr(s, "=?"); w; w = strstr(w + 2, "=?")) {
        const char *e = strstr(w + 2, "?=");
        while (e && (e - w) < 8) /* skip the "?Q?" / "?B?" markers */
            e = strstr(e + 1, "?=");
        assert_non_null(e);
        assert_true(e + 2 - w <= 75);
        w = e;
    }
}

static void round_trip(const char *text, unsigned flags, size_t first)
{
    char *e = enc(text, NULL, flags, first);
    assert_folded(e, first);
    char *d = dec(e, flags);
    assert_string_equal(d, text);
    mailparse_free(e);
    mailparse_free(d);
}

static void encode_folds_long_text_and_round_trips(void **state)
{
    (void)state;
    const char *texts[] = {
        "\xc3\x9cn\xc3\xaf" "c\xc3\xb6" "d\xc3\xa9 \xc3\xa4rgerlich lange Betreffzeile mit Umlauten "
        "\xc3\xbc" "berall, die \xc3\xbc" "ber mehrere Zeilen gefaltet werden muss",
        "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe4\xbb\xb6\xe5\x90\x8d\xe3\x81\x8c\xe9\x95"
        "\xb7\xe3\x81\x84\xe5\xa0\xb4\xe5\x90\x88\xe3\x81\xab\xe3\x81\xaf\xe8\xa4\x87\xe6\x95\xb0\xe3"
        "\x81\xae\xe7\xac\xa6\xe5\x8f\xb7\xe5\x8c\x96\xe8\xaa\x9e\xe3\x81\xab\xe5\x88\x86\xe5\x89\xb2"
        "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe4\xbb\xb6\xe5\x90\x8d\xe3\x81\x8c",
        "emoji \xf0\x9f\x98\x80\xf0\x9f\x98\x81\xf0\x9f\x98\x82\xf0\x9f\x98\x83\xf0\x9f\x98\x84"
        "\xf0\x9f\x98\x85\xf0\x9f\x98\x86\xf0\x9f\x98\x87\xf0\x9f\x98\x88\xf0\x9f\x98\x89\xf0\x9f\x98"
        "\x8a\xf0\x9f\x98\x8b\xf0\x9f\x98\x8c\xf0\x9f\x98\x8d\xf0\x9f\x98\x8e\xf0\x9f\x98\x8f end",
        "a_very_long_ascii_token_that_does_not_fit_on_one_line_of_a_header_at_all_and_must_be_split",
        "plain words only but many of them so that the line has to be folded somewhere along the way ok",
        "  leading and trailing blanks  ", "x", "\xc3\xa9", "=?", "?= =? _ = ?",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        round_trip(texts[i], 0, 9);
        round_trip(texts[i], MAILPARSE_2047_PHRASE, 6);
        round_trip(texts[i], 0, 0);
    }
}

static void encode_never_splits_a_utf8_sequence(void **state)
{
    (void)state;
    char text[400] = "";
    for (int i = 0; i < 60; i++)
        strcat(text, "\xe2\x82\xac\xc3\xa9"); /* 5 bytes a pair, no spaces */
    char *e = enc(text, NULL, 0, 0);
    /* each word alone decodes to valid UTF-8: nothing was cut inside a sequence */
    for (const char *w = e; (w = strstr(w, "=?")) != NULL;) {
        const char *end = strstr(w + 10, "?=") + 2;
        char *one = NULL;
        size_t n;
        assert_int_equal(mailparse_rfc2047_decode(w, (size_t)(end - w), 0, &one, &n, NULL, NULL), 0);
        assert_int_equal(mp_utf8_valid_prefix((const unsigned char *)one, n), n);
        assert_null(strstr(one, "\xef\xbf\xbd"));
        mailparse_free(one);
        w = end;
    }
    mailparse_free(e);
}

static void encode_rejects_bad_charset(void **state)
{
    (void)state;
    char *out = NULL;
    assert_int_equal(mailparse_rfc2047_encode("\xc3\xa9", 2, "a?b", 0, 0, &out, NULL), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_rfc2047_encode("\xc3\xa9", 2, "", 0, 0, &out, NULL), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_rfc2047_encode("\xc3\xa9", 2, "x-no-such-charset", 0, 0, &out, NULL),
                     MAILPARSE_E_CHARSET);
    assert_int_equal(mailparse_rfc2047_encode("a", 1, NULL, 0, 0, NULL, NULL), MAILPARSE_E_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decode_rfc2047_section8_examples),
        cmocka_unit_test(decode_joins_utf8_split_across_words),
        cmocka_unit_test(decode_joins_iso2022jp_split_across_words),
        cmocka_unit_test(decode_different_charsets_do_not_join),
        cmocka_unit_test(decode_q_forms),
        cmocka_unit_test(decode_b_is_tolerant),
        cmocka_unit_test(decode_folding_inside_a_word_is_removed),
        cmocka_unit_test(decode_folding_between_text_collapses),
        cmocka_unit_test(decode_words_glued_to_text),
        cmocka_unit_test(decode_glued_words_join),
        cmocka_unit_test(decode_keeps_malformed_words),
        cmocka_unit_test(decode_charset_language_suffix),
        cmocka_unit_test(decode_unknown_charset_is_guessed),
        cmocka_unit_test(decode_adjacent_iso2022_words_join_without_the_return_to_ascii),
        cmocka_unit_test(decode_raw_8bit_text),
        cmocka_unit_test(decode_phrase_quoted_strings),
        cmocka_unit_test(decode_phrase_comments_kept),
        cmocka_unit_test(decode_budget_exactly_at_limit),
        cmocka_unit_test(decode_budget_one_past_limit),
        cmocka_unit_test(decode_rejects_bad_arguments),
        cmocka_unit_test(unfold_removes_line_ends),
        cmocka_unit_test(encode_leaves_plain_ascii),
        cmocka_unit_test(encode_chooses_q_or_b_by_size),
        cmocka_unit_test(encode_joins_adjacent_tokens_into_one_run),
        cmocka_unit_test(encode_protects_lookalikes),
        cmocka_unit_test(encode_phrase_quotes_specials),
        cmocka_unit_test(encode_folds_long_text_and_round_trips),
        cmocka_unit_test(encode_never_splits_a_utf8_sequence),
        cmocka_unit_test(encode_rejects_bad_charset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
