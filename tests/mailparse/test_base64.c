/* test_base64.c — base64 decoding with repairs and encoding with wrapping (RFC 2045 §6.8, RFC 4648). */
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

/* Decodes `in` and checks the bytes; returns the anomalies seen. */
static anomaly_log decode_expect(const char *in, const char *want, size_t want_len)
{
    anomaly_log s = {0};
    mp_diag d = {anomaly_log_add, &s, 0};
    lm_buf b = LM_BUF_INIT;
    assert_int_equal(mp_base64_decode(in, strlen(in), &b, &d), 0);
    assert_int_equal(b.len, want_len);
    if (want_len)
        assert_memory_equal(b.data, want, want_len);
    lm_buf_free(&b);
    return s;
}

static char *encode(const unsigned char *in, size_t len, size_t line_len, size_t *out_len)
{
    char *out = NULL;
    assert_int_equal(mailparse_base64_encode(in, len, line_len, &out, out_len), 0);
    assert_non_null(out);
    return out;
}

/* ---- RFC 4648 §10 vectors ---------------------------------------------------------------- */

static const char *const rfc4648_plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
static const char *const rfc4648_coded[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=",
                                            "Zm9vYmFy"};

static void decode_rfc4648_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < 7; i++) {
        anomaly_log s = decode_expect(rfc4648_coded[i], rfc4648_plain[i], strlen(rfc4648_plain[i]));
        assert_int_equal(s.count, 0);
    }
}

static void encode_rfc4648_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < 7; i++) {
        size_t n;
        char *out = encode((const unsigned char *)rfc4648_plain[i], strlen(rfc4648_plain[i]), 0, &n);
        assert_int_equal(n, strlen(rfc4648_coded[i]));
        assert_string_equal(out, rfc4648_coded[i]);
        mailparse_free(out);
    }
}

static void decode_full_alphabet(void **state)
{
    (void)state;
    const char *in = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    unsigned char want[48];
    for (int i = 0; i < 16; i++) { /* sextets 0..63 in order */
        uint32_t v = (uint32_t)(4 * i) << 18 | (uint32_t)(4 * i + 1) << 12 |
                     (uint32_t)(4 * i + 2) << 6 | (uint32_t)(4 * i + 3);
        want[3 * i] = (unsigned char)(v >> 16);
        want[3 * i + 1] = (unsigned char)(v >> 8);
        want[3 * i + 2] = (unsigned char)v;
    }
    anomaly_log s = decode_expect(in, (const char *)want, 48);
    assert_int_equal(s.count, 0);
}

/* ---- whitespace and noise ------------------------------------------------------------------- */

static void decode_skips_line_ends_silently(void **state)
{
    (void)state;
    anomaly_log s = decode_expect("Zm9v\r\nYmFy\nYmF6\r\n", "foobarbaz", 9);
    assert_int_equal(s.count, 0);
}

static void decode_skips_spaces_and_tabs_silently(void **state)
{
    (void)state;
    anomaly_log s = decode_expect("  Zm 9v\tYm\fFy \v", "foobar", 6);
    assert_int_equal(s.count, 0);
}

static void decode_whitespace_inside_a_group(void **state)
{
    (void)state;
    anomaly_log s = decode_expect("Z\r\nm\r\n9\r\nv", "foo", 3);
    assert_int_equal(s.count, 0);
}

static void decode_skips_line_noise_reporting_its_offset(void **state)
{
    (void)state;
    anomaly_log s = decode_expect("Zm9v!Ym*Fy", "foobar", 6);
    assert_int_equal(s.count, 2);
    assert_anomaly_at(&s, 0, MAILPARSE_ANOMALY_BASE64_BAD_CHAR, 4);
    assert_anomaly_at(&s, 1, MAILPARSE_ANOMALY_BASE64_BAD_CHAR, 7);
}

static void decode_reports_a_run_of_bad_chars_once(void **state)
{
    (void)state;
    anomaly_log s = decode_expect("Zm9v-_-_ ~~\r\n$Zm9v", "foofoo", 6);
    assert_int_equal(s.count, 1);
    assert_anomaly_at(&s, 0, MAILPARSE_ANOMALY_BASE64_BAD_CHAR, 4);
}

static void decode_8bit_and_nul_bytes_are_bad_chars(void **state)
{
    (void)state;
    const char in[] = "Zm\xC3\xA9" "9v\0Zm8=";
    anomaly_log s = {0};
    mp_diag d = {anomaly_log_add, &s, 0};
    lm_buf b = LM_BUF_INIT;
    assert_int_equal(mp_base64_decode(in, sizeof in - 1, &b, &d), 0);
    assert_int_equal(b.len, 5);
    assert_memory_equal(b.data, "foofo", 5);
    assert_int_equal(s.count, 2);
    assert_anomaly_at(&s, 0, MAILPARSE_ANOMALY_BASE64_BAD_CHAR, 2);
    assert_anomaly_at(&s, 1, MAILPARSE_ANOMALY_BASE64_BAD_CHAR, 6);
    lm_buf_free(&b);
}

/* 16 runs of bad characters are each reported; the 17th and later are silent. */
static void decode_bad_char_reports_stop_at_limit(void **state)
{
    (void)state;
    char in[128];
    size_t n = 0;
    for (int i = 0; i < 17; i++) {
        memcpy(in + n, "QUJD!", 5);
        n += 5;
    }
    for (size_t runs = 16; runs <= 17; runs++) {
        anomaly_log s = {0};
        mp_diag d = {anomaly_log_add, &s, 0};
        lm_buf b = LM_BUF_INIT;
        assert_int_equal(mp_base64_decode(in, runs * 5, &b, &d), 0);
        assert_int_equal(b.len, runs * 3);
        assert_int_equal(s.count, 16);
        assert_anomaly_at(&s, 15, MAILPARSE_ANOMALY_BASE64_BAD_CHAR, 15 * 5 + 4);
        lm_buf_free(&b);
    }
}

/* ---- padding repairs -------------------------------------------------------------------- */

static void decode_missing_padding_is_reported_at_end(void **state)
{
    (void)state;
    anomaly_log s = decode_expect("Zg", "f", 1);
    assert_int_equal(s.count, 1);
    assert_anomaly_at(&s, 0, MAILPARSE_ANOMALY_BASE64_BAD_PADDING, 2);
    s = decode_expect("Zm9vYmE", "fooba", 5);
    assert_int_equal(s.count, 1);
    assert_anomaly_at(&s, 0, MAILPARSE_ANOMALY_BASE64_BAD_PADDING, 7);
}

static void decode_partial_padding_is_reported(void **state)
{
    (void)state;
    anomaly_log s = decode_expect("Zg=", "f", 1);
    assert_int_equal(s.count, 1);
    assert_anomaly_at(&s, 0, MAILPARSE_ANOMALY_BASE64_BAD_PADDING, 3);
}

static void decode_padding_split_across_lines_is_fine(void **state)
{
    (void)state;
    anomaly_log s = decode_expect("Zg=\r\n=\r\n", "f", 1);
    assert_int_equal(s.count, 0);
}

static void decode_excess_padding_is_reported_once(void **state)
{
    (void)state;
    anomaly_log s = decode_expect("Zm8====", "fo", 2);
    assert_int_equal(s.count, 1);
    assert_anomaly_at(&s, 0, MAILPARSE_ANOMALY_BASE64_BAD_PADDING, 4);
    s = decode_expect("==Zm9v", "foo", 3);
    assert_int_equal(s.count, 1);
    assert_anomaly_at(&s, 0, MAILPARSE_ANOMALY_BASE64_BAD_PADDING, 0);
}

static void decode_padding_after_whole_group_is_excess(void **state)
{
    (void)state;
    anomaly_log s = decode_expect("Zm9v=", "foo", 3);
    assert_int_equal(s.count, 1);
    assert_anomaly_at(&s, 0, MAILPARSE_ANOMALY_BASE64_BAD_PADDING, 4);
}

static void decode_continues_after_padding(void **state)
{
    (void)state;
    anomaly_log s = decode_expect("Zg==\r\nZm8=\r\nYmFy", "ffobar", 6);
    assert_int_equal(s.count, 2);
    assert_anomaly_at(&s, 0, MAILPARSE_ANOMALY_BASE64_BAD_PADDING, 6);
    assert_anomaly_at(&s, 1, MAILPARSE_ANOMALY_BASE64_BAD_PADDING, 12);
}

static void decode_data_inside_padding_is_reported(void **state)
{
    (void)state;
    anomaly_log s = decode_expect("Zg=Zm9v", "ffoo", 4);
    assert_int_equal(s.count, 1);
    assert_anomaly_at(&s, 0, MAILPARSE_ANOMALY_BASE64_BAD_PADDING, 3);
}

static void decode_dangling_char_is_truncated(void **state)
{
    (void)state;
    anomaly_log s = decode_expect("Zm9vY", "foo", 3);
    assert_int_equal(s.count, 1);
    assert_anomaly_at(&s, 0, MAILPARSE_ANOMALY_BASE64_TRUNCATED, 4);
    s = decode_expect("Q", "", 0);
    assert_int_equal(s.count, 1);
    assert_anomaly_at(&s, 0, MAILPARSE_ANOMALY_BASE64_TRUNCATED, 0);
}

static void decode_dangling_char_before_padding_is_truncated(void **state)
{
    (void)state;
    anomaly_log s = decode_expect("Zm9v\r\nY===", "foo", 3);
    assert_int_equal(s.count, 2);
    assert_anomaly_at(&s, 0, MAILPARSE_ANOMALY_BASE64_TRUNCATED, 6);
    assert_anomaly_at(&s, 1, MAILPARSE_ANOMALY_BASE64_BAD_PADDING, 8);
}

static void decode_only_noise_gives_nothing(void **state)
{
    (void)state;
    anomaly_log s = decode_expect("\r\n \t\r\n", "", 0);
    assert_int_equal(s.count, 0);
    s = decode_expect("====", "", 0);
    assert_int_equal(s.count, 1);
    assert_anomaly_at(&s, 0, MAILPARSE_ANOMALY_BASE64_BAD_PADDING, 0);
}

/* ---- buffers, diag, public API --------------------------------------------------------- */

static void decode_appends_after_existing_bytes(void **state)
{
    (void)state;
    lm_buf b = LM_BUF_INIT;
    lm_buf_puts(&b, "head:");
    assert_int_equal(mp_base64_decode("Zm9v", 4, &b, NULL), 0);
    assert_int_equal(b.len, 8);
    assert_string_equal(b.data, "head:foo");
    lm_buf_free(&b);
}

static void decode_offsets_start_at_diag_base(void **state)
{
    (void)state;
    anomaly_log s = {0};
    mp_diag d = {anomaly_log_add, &s, 1000};
    lm_buf b = LM_BUF_INIT;
    assert_int_equal(mp_base64_decode("Zm9v!", 5, &b, &d), 0);
    assert_int_equal(s.count, 1);
    assert_anomaly_at(&s, 0, MAILPARSE_ANOMALY_BASE64_BAD_CHAR, 1004);
    lm_buf_free(&b);
}

static void decode_public_api_returns_owned_bytes(void **state)
{
    (void)state;
    anomaly_log s = {0};
    unsigned char *out = NULL;
    size_t n = 0;
    assert_int_equal(mailparse_base64_decode("Zm9vYg", 6, &out, &n, anomaly_log_add, &s), 0);
    assert_int_equal(n, 4);
    assert_memory_equal(out, "foob", 4);
    assert_int_equal(out[4], 0);
    assert_int_equal(s.count, 1);
    mailparse_free(out);
    assert_int_equal(mailparse_base64_decode("", 0, &out, &n, NULL, NULL), 0);
    assert_int_equal(n, 0);
    mailparse_free(out);
}

static void public_api_rejects_null(void **state)
{
    (void)state;
    size_t n;
    char *c;
    assert_int_equal(mailparse_base64_decode("Zg==", 4, NULL, &n, NULL, NULL), MAILPARSE_E_INVAL);
    unsigned char *u;
    assert_int_equal(mailparse_base64_decode(NULL, 4, &u, &n, NULL, NULL), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_base64_encode(NULL, 3, 0, &c, &n), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_base64_encode((const unsigned char *)"a", 1, 0, NULL, &n),
                     MAILPARSE_E_INVAL);
    assert_int_equal(mp_base64_decode("Zg==", 4, NULL, NULL), MAILPARSE_E_INVAL);
}

/* ---- encoding ---------------------------------------------------------------------------- */

static void encode_wraps_at_76_with_crlf(void **state)
{
    (void)state;
    unsigned char in[120];
    fill_random(in, sizeof in, 7);
    size_t n;
    char *out = encode(in, sizeof in, 76, &n);
    assert_int_equal(n, 160 + 2 * 3); /* 160 chars: 76 + 76 + 8, each line CRLF-terminated */
    assert_memory_equal(out + 76, "\r\n", 2);
    assert_memory_equal(out + 154, "\r\n", 2);
    assert_memory_equal(out + n - 2, "\r\n", 2);
    size_t crs = 0;
    for (size_t i = 0; i < n; i++)
        crs += out[i] == '\r';
    assert_int_equal(crs, 3);
    mailparse_free(out);
}

static void encode_line_exactly_full_gets_one_crlf(void **state)
{
    (void)state;
    unsigned char in[57];
    fill_random(in, sizeof in, 3);
    size_t n;
    char *out = encode(in, sizeof in, 76, &n);
    assert_int_equal(n, 78);
    assert_memory_equal(out + 76, "\r\n", 2);
    mailparse_free(out);
}

static void encode_wraps_at_odd_width(void **state)
{
    (void)state;
    size_t n;
    char *out = encode((const unsigned char *)"foobarbaz!", 10, 5, &n);
    assert_string_equal(out, "Zm9vY\r\nmFyYm\r\nF6IQ=\r\n=\r\n");
    assert_int_equal(n, 24);
    mailparse_free(out);
}

static void encode_empty_input_is_empty(void **state)
{
    (void)state;
    size_t n = 99;
    char *out = encode((const unsigned char *)"", 0, 76, &n);
    assert_int_equal(n, 0);
    assert_string_equal(out, "");
    mailparse_free(out);
}

static void encode_appends_to_buffer(void **state)
{
    (void)state;
    lm_buf b = LM_BUF_INIT;
    lm_buf_puts(&b, "x=");
    assert_int_equal(mp_base64_encode((const unsigned char *)"fo", 2, 0, &b), 0);
    assert_string_equal(b.data, "x=Zm8=");
    lm_buf_free(&b);
}

/* decode(encode(x)) == x for many lengths and wraps, with no anomaly. */
static void round_trip_random_data(void **state)
{
    (void)state;
    static const size_t wraps[] = {0, 76, 64, 4, 7, 1};
    unsigned char in[700];
    for (size_t len = 0; len < sizeof in; len += len < 20 ? 1 : 37) {
        fill_random(in, len, (uint32_t)len * 2654435761u + 1);
        for (size_t w = 0; w < sizeof wraps / sizeof wraps[0]; w++) {
            lm_buf enc = LM_BUF_INIT, dec = LM_BUF_INIT;
            anomaly_log s = {0};
            mp_diag d = {anomaly_log_add, &s, 0};
            assert_int_equal(mp_base64_encode(in, len, wraps[w], &enc), 0);
            assert_int_equal(mp_base64_decode(enc.data, enc.len, &dec, &d), 0);
            assert_int_equal(dec.len, len);
            if (len)
                assert_memory_equal(dec.data, in, len);
            assert_int_equal(s.count, 0);
            lm_buf_free(&enc);
            lm_buf_free(&dec);
        }
    }
}

/* All 256 byte values as base64 input: never more output than 3/4 of the input. */
static void decode_every_byte_value(void **state)
{
    (void)state;
    char in[256];
    for (int i = 0; i < 256; i++)
        in[i] = (char)i;
    lm_buf b = LM_BUF_INIT;
    assert_int_equal(mp_base64_decode(in, sizeof in, &b, NULL), 0);
    assert_int_equal(b.len, 48); /* 64 alphabet characters; '=' after a whole group is excess */
    lm_buf_free(&b);
}

/* ---- MimeKit encoder vectors ----------------------------------------------------------- */

static void mimekit_photo_decodes_to_jpeg(void **state)
{
    (void)state;
    size_t b64_len, jpg_len;
    unsigned char *b64 = conformance_file("mime/mimekit/encoders/photo.b64", &b64_len);
    unsigned char *jpg = conformance_file("mime/mimekit/encoders/photo.jpg", &jpg_len);
    if (!b64 || !jpg) {
        free(b64);
        free(jpg);
        skip();
    }
    anomaly_log s = {0};
    mp_diag d = {anomaly_log_add, &s, 0};
    lm_buf b = LM_BUF_INIT;
    assert_int_equal(mp_base64_decode((const char *)b64, b64_len, &b, &d), 0);
    assert_int_equal(b.len, jpg_len);
    assert_memory_equal(b.data, jpg, jpg_len);
    assert_int_equal(s.count, 0);
    lm_buf_free(&b);
    free(b64);
    free(jpg);
}

static void mimekit_photo_encodes_to_same_lines(void **state)
{
    (void)state;
    size_t b64_len, jpg_len;
    unsigned char *b64 = conformance_file("mime/mimekit/encoders/photo.b64", &b64_len);
    unsigned char *jpg = conformance_file("mime/mimekit/encoders/photo.jpg", &jpg_len);
    if (!b64 || !jpg) {
        free(b64);
        free(jpg);
        skip();
    }
    lm_buf b = LM_BUF_INIT;
    assert_int_equal(mp_base64_encode(jpg, jpg_len, 76, &b), 0);
    size_t k = 0; /* the file has LF line ends: compare with CRLF turned into LF */
    for (size_t i = 0; i < b.len; i++)
        if (b.data[i] != '\r')
            b.data[k++] = b.data[i];
    assert_int_equal(k, b64_len);
    assert_memory_equal(b.data, b64, b64_len);
    lm_buf_free(&b);
    free(b64);
    free(jpg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decode_rfc4648_vectors),
        cmocka_unit_test(encode_rfc4648_vectors),
        cmocka_unit_test(decode_full_alphabet),
        cmocka_unit_test(decode_skips_line_ends_silently),
        cmocka_unit_test(decode_skips_spaces_and_tabs_silently),
        cmocka_unit_test(decode_whitespace_inside_a_group),
        cmocka_unit_test(decode_skips_line_noise_reporting_its_offset),
        cmocka_unit_test(decode_reports_a_run_of_bad_chars_once),
        cmocka_unit_test(decode_8bit_and_nul_bytes_are_bad_chars),
        cmocka_unit_test(decode_bad_char_reports_stop_at_limit),
        cmocka_unit_test(decode_missing_padding_is_reported_at_end),
        cmocka_unit_test(decode_partial_padding_is_reported),
        cmocka_unit_test(decode_padding_split_across_lines_is_fine),
        cmocka_unit_test(decode_excess_padding_is_reported_once),
        cmocka_unit_test(decode_padding_after_whole_group_is_excess),
        cmocka_unit_test(decode_continues_after_padding),
        cmocka_unit_test(decode_data_inside_padding_is_reported),
        cmocka_unit_test(decode_dangling_char_is_truncated),
        cmocka_unit_test(decode_dangling_char_before_padding_is_truncated),
        cmocka_unit_test(decode_only_noise_gives_nothing),
        cmocka_unit_test(decode_appends_after_existing_bytes),
        cmocka_unit_test(decode_offsets_start_at_diag_base),
        cmocka_unit_test(decode_public_api_returns_owned_bytes),
        cmocka_unit_test(public_api_rejects_null),
        cmocka_unit_test(encode_wraps_at_76_with_crlf),
        cmocka_unit_test(encode_line_exactly_full_gets_one_crlf),
        cmocka_unit_test(encode_wraps_at_odd_width),
        cmocka_unit_test(encode_empty_input_is_empty),
        cmocka_unit_test(encode_appends_to_buffer),
        cmocka_unit_test(round_trip_random_data),
        cmocka_unit_test(decode_every_byte_value),
        cmocka_unit_test(mimekit_photo_decodes_to_jpeg),
        cmocka_unit_test(mimekit_photo_encodes_to_same_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
