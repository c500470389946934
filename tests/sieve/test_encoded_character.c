/* test_encoded_character.c — "${hex:…}" and "${unicode:…}" (RFC 5228 §2.4.2.4), with the
 * RFC's examples and what Pigeonhole's encoded-character.svtest expects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sieve_internal.h"

static void expect_decoded(const char *s, const char *want, size_t want_len)
{
    lm_buf out = LM_BUF_INIT;
    assert_int_equal(sv_decode_encoded_characters(s, strlen(s), &out), 0);
    assert_int_equal(out.len, want_len);
    assert_memory_equal(out.len ? out.data : "", want, want_len);
    lm_buf_free(&out);
}

#define EXPECT(s, want) expect_decoded((s), (want), sizeof(want) - 1)

static void expect_unchanged(const char *s) { expect_decoded(s, s, strlen(s)); }

static void rfc5228_examples(void **state)
{
    (void)state;
    EXPECT("$${hex:40}", "$@");
    EXPECT("${hex: 40 }", "@");
    EXPECT("${HEX: 40}", "@");
    expect_unchanged("${hex:40");
    expect_unchanged("${hex:400}");
    EXPECT("${hex:4${hex:30}}", "${hex:40}"); /* one pass: the result is not decoded again */
    EXPECT("${unicode:40}", "@");
    expect_unchanged("${ unicode:40}");
    EXPECT("${UNICODE:40}", "@");
    EXPECT("${UnICoDE:0000040}", "@");
    EXPECT("${Unicode:40}", "@");
    expect_unchanged("${Unicode:Cool}");
}

static void hex_sequences_decode_octets(void **state)
{
    (void)state;
    EXPECT("${hex:42}", "B");
    EXPECT(" ${hex:42} ", " B ");
    EXPECT("${hex:42 61 64}${hex: 61 73 73}", "Badass");
    EXPECT("${hex:42 72 61 69 6E 64 65 61 64}", "Braindead");
    EXPECT("${hex:4 a}", "\x04\x0a");                 /* a pair may be one digit */
    EXPECT("${hex:ff 00}", "\xff\x00");               /* any octets, NUL too */
    EXPECT("dear${hex:20 24 7b 4e}ame}", "dear ${Name}"); /* RFC 5229 §3 example, step 1 */
}

static void unicode_sequences_decode_to_utf8(void **state)
{
    (void)state;
    EXPECT("${unicode:1F600}", "\xf0\x9f\x98\x80");
    EXPECT("${unicode: 00fc 00F6 }", "\xc3\xbc\xc3\xb6");
    EXPECT("${unicode:4e03}", "\xe4\xb8\x83");
    EXPECT("${unicode:10FFFF}", "\xf4\x8f\xbf\xbf");
    EXPECT("${unicode:D7FF E000}", "\xed\x9f\xbf\xee\x80\x80");
    EXPECT("${unicode:000000000000000000000041}", "A");
}

static void blanks_may_be_crlf_and_tabs(void **state)
{
    (void)state;
    EXPECT("${hex:\t41\r\n42 }", "AB");
    EXPECT("${unicode:\r\n 41\t}", "A");
    expect_unchanged("${hex:41\r42}"); /* a CR without its LF is no blank */
}

static void malformed_sequences_stay_as_written(void **state)
{
    (void)state;
    static const char *const same[] = {
        "$", "$ ", " $", "${", "a${", "${a", "${}", "b${}", "${}b", "${:}", "${hex:}",
        "${unicode:}", "${hex:sss}", "${unicode:ttt}", "${hex:aa aa", "${unicode: aaaa aaaa",
        "${hex: }", "${hex:4142}", "${hex:41,42}", "${hexa:41}", "${hex :41}", "${he:41}",
        "$ {hex:41}", "${unicode:41-42}",
    };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
        expect_unchanged(same[i]);
}

static void malformed_then_valid_in_one_string(void **state)
{
    (void)state;
    EXPECT("${hex:zz}${hex:41}", "${hex:zz}A");
    EXPECT("x${hex:41 ${unicode:42}", "x${hex:41 B");
    EXPECT("$${hex:24}{hex:41}", "$${hex:41}");
}

static void code_points_outside_unicode_are_an_error(void **state)
{
    (void)state;
    static const char *const bad[] = {"${unicode:D800}", "${unicode:DFFF}", "${unicode:110000}",
                                      "x ${unicode:41 dc00 42} y", "${unicode:FFFFFFFFFFFFFFFFFF}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        lm_buf out = LM_BUF_INIT;
        lm_buf_puts(&out, "keep");
        assert_int_equal(sv_decode_encoded_characters(bad[i], strlen(bad[i]), &out),
                         SIEVE_E_SYNTAX);
        assert_string_equal(out.data, "keep");
        lm_buf_free(&out);
    }
    /* Only a well-formed sequence is decoded, so only it can be in error. */
    expect_unchanged("${unicode:110000");
    expect_unchanged("${unicode:D800 zz}");
}

static void decoding_appends_to_out(void **state)
{
    (void)state;
    lm_buf out = LM_BUF_INIT;
    lm_buf_puts(&out, "pre:");
    assert_int_equal(sv_decode_encoded_characters("${hex:41}", 9, &out), 0);
    assert_string_equal(out.data, "pre:A");
    assert_int_equal(sv_decode_encoded_characters("", 0, &out), 0);
    assert_string_equal(out.data, "pre:A");
    lm_buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc5228_examples),
        cmocka_unit_test(hex_sequences_decode_octets),
        cmocka_unit_test(unicode_sequences_decode_to_utf8),
        cmocka_unit_test(blanks_may_be_crlf_and_tabs),
        cmocka_unit_test(malformed_sequences_stay_as_written),
        cmocka_unit_test(malformed_then_valid_in_one_string),
        cmocka_unit_test(code_points_outside_unicode_are_an_error),
        cmocka_unit_test(decoding_appends_to_out),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
