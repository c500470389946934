/* test_qp.c — quoted-printable decoding with repairs and encoding (RFC 2045 §6.7). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "anomaly_log.h"
#include "byte_pattern.h"
#include "mp_internal.h"
#include "test_files.h"

/* ---- helpers ------------------------------------------------------------------------------ */

static anomaly_log decode_expect_n(const char *in, size_t len, const char *want, size_t want_len)
{
    anomaly_log s = {0};
    mp_diag d = {anomaly_log_add, &s, 0};
    lm_buf b = LM_BUF_INIT;
    assert_int_equal(mp_qp_decode(in, len, &b, &d), 0);
    assert_int_equal(b.len, want_len);
    if (want_len)
        assert_memory_equal(b.data, want, want_len);
    lm_buf_free(&b);
    return s;
}

static anomaly_log decode_expect(const char *in, const char *want)
{
    return decode_expect_n(in, strlen(in), want, strlen(want));
}

static void encode_expect(const char *in, unsigned flags, const char *want)
{
    char *out = NULL;
    size_t n = 0;
    assert_int_equal(mailparse_qp_encode((const unsigned char *)in, strlen(in), flags, &out, &n), 0);
    assert_string_equal(out, want);
    assert_int_equal(n, strlen(want));
    mailparse_free(out);
}

/* Every line of `s` is at most 76 characters, ends with CRLF (except the last), and no bare
 * CR or LF appears. */
static void assert_qp_lines_ok(const char *s, size_t n)
{
    size_t col = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\r') {
            assert_true(i + 1 < n && s[i + 1] == '\n');
            i++;
            col = 0;
            continue;
        }
        assert_true(s[i] != '\n');
        assert_true(s[i] == '\t' || ((unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7F));
        col++;
        assert_true(col <= 76);
    }
}

/* ---- decoding ------------------------------------------------------------------------------ */

static void decode_plain_text_is_unchanged(void **state)
{
    (void)state;
    anomaly_log s = decode_expect("Hello, world!\r\nSecond line.\r\n", "Hello, world!\r\nSecond line.\r\n");
    assert_int_equal(s.count, 0);
}

static void decode_hex_escapes(void **state)
{
    (void)state;
    anomaly_log s = decode_expect("caf=C3=A9 =3D", "caf\xC3\xA9 =");
    assert_int_equal(s.count, 0);
    anomaly_log t = decode_expect_n("=00=FF", 6, "\0\xFF", 2);
    assert_int_equal(t.count, 0);
}

static void decode_hex_is_case_insensitive(void **state)
{
    (void)state;
    anomaly_log s = decode_expect("=c3=a9=C3=a9=c3=A9", "\xC3\xA9\xC3\xA9\xC3\xA9");
    assert_int_equal(s.count, 0);
}

static void decode_soft_break_crlf(void **state)
{
    (void)state;
    anomaly_log s = decode_expect("long li=\r\nne\r\n", "long line\r\n");
    assert_int_equal(s.count, 0);
}

static void decode_soft_break_lf(void **state)
{
    (void)state;
    anomaly_log s = decode_expect("long li=\nne\n", "long line\n");
    assert_int_equal(s.count, 0);
}

static void decode_soft_break_after_trailing_whitespace(void **state)
{
    (void)state;
    anomaly_log s = decode_expect("ab = \t\r\ncd=  \nef", "ab cdef");
    assert_int_equal(s.count, 0);
}

static void decode_soft_break_at_end_of_input(void **state)
{
    (void)state;
    anomaly_log s = decode_expect("abc=", "abc");
    assert_int_equal(s.count, 0);
    s = decode_expect("abc= \t", "abc");
    assert_int_equal(s.count, 0);
}

static void decode_removes_trailing_whitespace(void **state)
{
    (void)state;
    anomaly_log s = decode_expect("abc  \r\ndef\t\nghi \t ", "abc\r\ndef\nghi");
    assert_int_equal(s.count, 0);
}

static void decode_keeps_encoded_trailing_whitespace(void **state)
{
    (void)state;
    anomaly_log s = decode_expect("abc=20\r\ndef=09\n", "abc \r\ndef\t\n");
    assert_int_equal(s.count, 0);
}

static void decode_preserves_line_ends_as_written(void **state)
{
    (void)state;
    anomaly_log s = decode_expect("a\r\nb\nc\r\n\n\r\nd", "a\r\nb\nc\r\n\n\r\nd");
    assert_int_equal(s.count, 0);
}

static void decode_keeps_bare_cr(void **state)
{
    (void)state;
    anomaly_log s = decode_expect("a\rb\r\r\n", "a\rb\r\r\n");
    assert_int_equal(s.count, 0);
}

static void decode_bad_escape_kept_literally(void **state)
{
    (void)state;
    anomaly_log s = decode_expect("a=G1b=4", "a=G1b=4");
    assert_int_equal(s.count, 2);
    assert_anomaly_at(&s, 0, MAILPARSE_ANOMALY_QP_BAD_ESCAPE, 1);
    assert_anomaly_at(&s, 1, MAILPARSE_ANOMALY_QP_BAD_ESCAPE, 5);
}

static void decode_bad_escape_second_digit(void **state)
{
    (void)state;
    anomaly_log s = decode_expect("x=4z=3D", "x=4z=");
    assert_int_equal(s.count, 1);
    assert_anomaly_at(&s, 0, MAILPARSE_ANOMALY_QP_BAD_ESCAPE, 1);
}

static void decode_equals_followed_by_space_mid_line(void **state)
{
    (void)state;
    anomaly_log s = decode_expect("1 = 2\r\n", "1 = 2\r\n");
    assert_int_equal(s.count, 1);
    assert_anomaly_at(&s, 0, MAILPARSE_ANOMALY_QP_BAD_ESCAPE, 2);
}

static void decode_double_equals_before_line_end(void **state)
{
    (void)state;
    anomaly_log s = decode_expect("ab==\r\ncd", "ab=cd");
    assert_int_equal(s.count, 1);
    assert_anomaly_at(&s, 0, MAILPARSE_ANOMALY_QP_BAD_ESCAPE, 2);
}

static void decode_escape_cannot_span_soft_break(void **state)
{
    (void)state;
    anomaly_log s = decode_expect("=4=\r\n1", "=41");
    assert_int_equal(s.count, 1);
    assert_anomaly_at(&s, 0, MAILPARSE_ANOMALY_QP_BAD_ESCAPE, 0);
}

static void decode_8bit_bytes_pass_through(void **state)
{
    (void)state;
    anomaly_log s = decode_expect("caf\xE9 \xC3\xA9", "caf\xE9 \xC3\xA9");
    assert_int_equal(s.count, 0);
}

static void decode_bad_escape_reports_stop_at_limit(void **state)
{
    (void)state;
    char in[64];
    for (size_t n = 16; n <= 17; n++) {
        memset(in, '=', n);
        anomaly_log s = decode_expect_n(in, n, in, n - 1); /* the last '=' is a soft break */
        assert_int_equal(s.count, n - 1 < 16 ? n - 1 : 16);
    }
    memset(in, '=', 20);
    memcpy(in + 20, "x", 2);
    anomaly_log s = decode_expect(in, in);
    assert_int_equal(s.count, 16);
    assert_anomaly_at(&s, 15, MAILPARSE_ANOMALY_QP_BAD_ESCAPE, 15);
}

static void decode_line_of_76_is_fine_77_is_reported(void **state)
{
    (void)state;
    char in[200];
    memset(in, 'a', 76);
    memcpy(in + 76, "\r\nb", 4);
    anomaly_log s = decode_expect(in, in);
    assert_int_equal(s.count, 0);
    memset(in, 'a', 77);
    memcpy(in + 77, "\r\nb", 4);
    s = decode_expect(in, in);
    assert_int_equal(s.count, 1);
    assert_anomaly_at(&s, 0, MAILPARSE_ANOMALY_QP_LINE_TOO_LONG, 0);
    memcpy(in, "x\n", 2); /* the long line is now the second */
    memset(in + 2, 'a', 77);
    in[79] = '\0';
    s = decode_expect(in, in);
    assert_int_equal(s.count, 1);
    assert_anomaly_at(&s, 0, MAILPARSE_ANOMALY_QP_LINE_TOO_LONG, 2);
}

static void decode_empty_input(void **state)
{
    (void)state;
    anomaly_log s = decode_expect("", "");
    assert_int_equal(s.count, 0);
    s = decode_expect("\r\n", "\r\n");
    assert_int_equal(s.count, 0);
}

static void decode_offsets_start_at_diag_base(void **state)
{
    (void)state;
    anomaly_log s = {0};
    mp_diag d = {anomaly_log_add, &s, 500};
    lm_buf b = LM_BUF_INIT;
    assert_int_equal(mp_qp_decode("ab=zz", 5, &b, &d), 0);
    assert_anomaly_at(&s, 0, MAILPARSE_ANOMALY_QP_BAD_ESCAPE, 502);
    lm_buf_free(&b);
}

static void decode_public_api(void **state)
{
    (void)state;
    unsigned char *out = NULL;
    size_t n = 0;
    anomaly_log s = {0};
    assert_int_equal(mailparse_qp_decode("a=3Db=\r\nc=", 10, &out, &n, anomaly_log_add, &s), 0);
    assert_int_equal(n, 4);
    assert_string_equal((char *)out, "a=bc");
    assert_int_equal(s.count, 0);
    mailparse_free(out);
    assert_int_equal(mailparse_qp_decode("x", 1, NULL, &n, NULL, NULL), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_qp_decode(NULL, 1, &out, &n, NULL, NULL), MAILPARSE_E_INVAL);
    char *e;
    assert_int_equal(mailparse_qp_encode(NULL, 1, 0, &e, &n), MAILPARSE_E_INVAL);
}

/* ---- encoding ---------------------------------------------------------------------------- */

static void encode_printable_text_unchanged(void **state)
{
    (void)state;
    encode_expect("Hello, world! ~{}", 0, "Hello, world! ~{}");
    encode_expect("", 0, "");
}

static void encode_escapes_equals_and_8bit(void **state)
{
    (void)state;
    encode_expect("a=b caf\xC3\xA9", 0, "a=3Db caf=C3=A9");
    encode_expect("\x01\x7F\x1B", 0, "=01=7F=1B");
}

static void encode_text_line_ends_become_crlf(void **state)
{
    (void)state;
    encode_expect("a\nb\r\nc\n", 0, "a\r\nb\r\nc\r\n");
    encode_expect("a\rb", 0, "a=0Db");
}

static void encode_trailing_whitespace_escaped(void **state)
{
    (void)state;
    encode_expect("a \nb\t\r\nc d ", 0, "a=20\r\nb=09\r\nc d=20");
    encode_expect("  ", 0, " =20");
}

static void encode_leading_dot_escaped(void **state)
{
    (void)state;
    encode_expect(".\n..x\na.b", 0, "=2E\r\n=2E.x\r\na.b");
}

static void encode_leading_from_escaped(void **state)
{
    (void)state;
    encode_expect("From me\nFromage\nsaid From x", 0, "=46rom me\r\nFromage\r\nsaid From x");
}

static void encode_binary_mode_escapes_line_ends(void **state)
{
    (void)state;
    encode_expect("a\r\nb\nc \n", MAILPARSE_QP_BINARY, "a=0D=0Ab=0Ac =0A");
}

static void encode_line_of_76_fits_77_breaks(void **state)
{
    (void)state;
    char in[100], want[120];
    memset(in, 'x', 76);
    in[76] = '\0';
    encode_expect(in, 0, in);
    memset(in, 'x', 77);
    in[77] = '\0';
    memset(want, 'x', 75);
    memcpy(want + 75, "=\r\nxx", 6);
    encode_expect(in, 0, want);
    memcpy(in + 76, "\n", 2); /* 76 then a line end: no soft break */
    memcpy(want, in, 76);
    memcpy(want + 76, "\r\n", 3);
    encode_expect(in, 0, want);
}

static void encode_never_splits_an_escape(void **state)
{
    (void)state;
    char in[100];
    memset(in, 'x', 74);
    memcpy(in + 74, "\xE9\xE9", 3);
    char *out = NULL;
    size_t n;
    assert_int_equal(mailparse_qp_encode((const unsigned char *)in, 76, 0, &out, &n), 0);
    char want[120];
    memset(want, 'x', 74);
    memcpy(want + 74, "=\r\n=E9=E9", 10);
    assert_string_equal(out, want);
    mailparse_free(out);
}

static void encode_dot_after_soft_break_escaped(void **state)
{
    (void)state;
    char in[100], want[120];
    memset(in, 'x', 75);
    memcpy(in + 75, ".y", 3);
    memset(want, 'x', 75);
    memcpy(want + 75, "=\r\n=2Ey", 8);
    encode_expect(in, 0, want);
}

static void encode_long_binary_has_short_lines(void **state)
{
    (void)state;
    unsigned char in[3000];
    fill_random(in, sizeof in, 11);
    lm_buf b = LM_BUF_INIT;
    assert_int_equal(mp_qp_encode(in, sizeof in, MAILPARSE_QP_BINARY, &b), 0);
    assert_qp_lines_ok(b.data, b.len);
    lm_buf_free(&b);
}

static void round_trip_binary_random(void **state)
{
    (void)state;
    unsigned char in[1000];
    for (size_t len = 0; len <= sizeof in; len += len < 40 ? 1 : 97) {
        fill_random(in, len, (uint32_t)len + 5);
        lm_buf e = LM_BUF_INIT, d = LM_BUF_INIT;
        anomaly_log s = {0};
        mp_diag dg = {anomaly_log_add, &s, 0};
        assert_int_equal(mp_qp_encode(in, len, MAILPARSE_QP_BINARY, &e), 0);
        assert_qp_lines_ok(e.data ? e.data : "", e.len);
        assert_int_equal(mp_qp_decode(e.data, e.len, &d, &dg), 0);
        assert_int_equal(d.len, len);
        if (len)
            assert_memory_equal(d.data, in, len);
        assert_int_equal(s.count, 0);
        lm_buf_free(&e);
        lm_buf_free(&d);
    }
}

/* Text with CRLF line ends, spaces, tabs, dots and "From " survives text mode exactly. */
static void round_trip_text_random(void **state)
{
    (void)state;
    static const char *const pieces[] = {"a", " ", "\t", "\r\n", ".", "From ", "=", "\xC3\xA9", "xyz",
                                         "  \r\n", "\x01"};
    char in[4000];
    for (uint32_t seed = 1; seed < 60; seed++) {
        size_t n = 0;
        unsigned char r[400];
        fill_random(r, sizeof r, seed);
        for (size_t i = 0; i < sizeof r; i++) {
            const char *p = pieces[r[i] % (sizeof pieces / sizeof pieces[0])];
            memcpy(in + n, p, strlen(p));
            n += strlen(p);
        }
        lm_buf e = LM_BUF_INIT, d = LM_BUF_INIT;
        assert_int_equal(mp_qp_encode((unsigned char *)in, n, 0, &e), 0);
        assert_qp_lines_ok(e.data, e.len);
        assert_int_equal(mp_qp_decode(e.data, e.len, &d, NULL), 0);
        assert_int_equal(d.len, n);
        assert_memory_equal(d.data, in, n);
        lm_buf_free(&e);
        lm_buf_free(&d);
    }
}

/* ---- MimeKit encoder vectors ----------------------------------------------------------- */

static void mimekit_wikipedia_decodes(void **state)
{
    (void)state;
    size_t qp_len, txt_len;
    unsigned char *qp = conformance_file("mime/mimekit/encoders/wikipedia.qp", &qp_len);
    unsigned char *txt = conformance_file("mime/mimekit/encoders/wikipedia.txt", &txt_len);
    if (!qp || !txt) {
        free(qp);
        free(txt);
        skip();
    }
    lm_buf b = LM_BUF_INIT;
    anomaly_log s = {0};
    mp_diag d = {anomaly_log_add, &s, 0};
    assert_int_equal(mp_qp_decode((const char *)qp, qp_len, &b, &d), 0);
    assert_int_equal(b.len, txt_len);
    assert_memory_equal(b.data, txt, txt_len);
    assert_int_equal(s.count, 0);
    lm_buf_free(&b);
    free(qp);
    free(txt);
}

static void mimekit_wikipedia_encodes(void **state)
{
    (void)state;
    size_t qp_len, txt_len;
    unsigned char *qp = conformance_file("mime/mimekit/encoders/wikipedia.qp", &qp_len);
    unsigned char *txt = conformance_file("mime/mimekit/encoders/wikipedia.txt", &txt_len);
    if (!qp || !txt) {
        free(qp);
        free(txt);
        skip();
    }
    lm_buf b = LM_BUF_INIT;
    assert_int_equal(mp_qp_encode(txt, txt_len, 0, &b), 0);
    size_t k = 0; /* the vector has LF line ends */
    for (size_t i = 0; i < b.len; i++)
        if (b.data[i] != '\r')
            b.data[k++] = b.data[i];
    assert_int_equal(k, qp_len);
    assert_memory_equal(b.data, qp, qp_len);
    lm_buf_free(&b);
    free(qp);
    free(txt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decode_plain_text_is_unchanged),
        cmocka_unit_test(decode_hex_escapes),
        cmocka_unit_test(decode_hex_is_case_insensitive),
        cmocka_unit_test(decode_soft_break_crlf),
        cmocka_unit_test(decode_soft_break_lf),
        cmocka_unit_test(decode_soft_break_after_trailing_whitespace),
        cmocka_unit_test(decode_soft_break_at_end_of_input),
        cmocka_unit_test(decode_removes_trailing_whitespace),
        cmocka_unit_test(decode_keeps_encoded_trailing_whitespace),
        cmocka_unit_test(decode_preserves_line_ends_as_written),
        cmocka_unit_test(decode_keeps_bare_cr),
        cmocka_unit_test(decode_bad_escape_kept_literally),
        cmocka_unit_test(decode_bad_escape_second_digit),
        cmocka_unit_test(decode_equals_followed_by_space_mid_line),
        cmocka_unit_test(decode_double_equals_before_line_end),
        cmocka_unit_test(decode_escape_cannot_span_soft_break),
        cmocka_unit_test(decode_8bit_bytes_pass_through),
        cmocka_unit_test(decode_bad_escape_reports_stop_at_limit),
        cmocka_unit_test(decode_line_of_76_is_fine_77_is_reported),
        cmocka_unit_test(decode_empty_input),
        cmocka_unit_test(decode_offsets_start_at_diag_base),
        cmocka_unit_test(decode_public_api),
        cmocka_unit_test(encode_printable_text_unchanged),
        cmocka_unit_test(encode_escapes_equals_and_8bit),
        cmocka_unit_test(encode_text_line_ends_become_crlf),
        cmocka_unit_test(encode_trailing_whitespace_escaped),
        cmocka_unit_test(encode_leading_dot_escaped),
        cmocka_unit_test(encode_leading_from_escaped),
        cmocka_unit_test(encode_binary_mode_escapes_line_ends),
        cmocka_unit_test(encode_line_of_76_fits_77_breaks),
        cmocka_unit_test(encode_never_splits_an_escape),
        cmocka_unit_test(encode_dot_after_soft_break_escaped),
        cmocka_unit_test(encode_long_binary_has_short_lines),
        cmocka_unit_test(round_trip_binary_random),
        cmocka_unit_test(round_trip_text_random),
        cmocka_unit_test(mimekit_wikipedia_decodes),
        cmocka_unit_test(mimekit_wikipedia_encodes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
