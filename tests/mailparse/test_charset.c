/* test_charset.c — charset conversion through ICU, mail aliases, UTF-8 validation and guessing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "anomaly_log.h"
#include "mp_internal.h"
#include "test_files.h"

/* ---- helpers ------------------------------------------------------------------------------ */

#define FFFD "\xEF\xBF\xBD"

/* Converts `n` bytes from `cs` and checks the UTF-8 result; returns the anomalies. */
static anomaly_log to_utf8_n(const char *cs, const char *in, size_t n, const char *want)
{
    anomaly_log s = {0};
    mp_diag d = {anomaly_log_add, &s, 0};
    lm_buf b = LM_BUF_INIT;
    assert_int_equal(mp_charset_to_utf8(cs, strlen(cs), (const unsigned char *)in, n, &b, &d), 0);
    assert_int_equal(b.len, strlen(want));
    if (b.len)
        assert_memory_equal(b.data, want, b.len);
    lm_buf_free(&b);
    return s;
}

static anomaly_log to_utf8(const char *cs, const char *in, const char *want)
{
    return to_utf8_n(cs, in, strlen(in), want);
}

static void from_utf8(const char *cs, const char *in, const char *want, size_t want_len)
{
    unsigned char *out = NULL;
    size_t n = 0;
    assert_int_equal(mailparse_charset_from_utf8(cs, in, strlen(in), &out, &n), 0);
    assert_int_equal(n, want_len);
    assert_memory_equal(out, want, want_len);
    mailparse_free(out);
}

/* ---- UTF-8 validation ---------------------------------------------------------------------- */

static void valid_prefix_of_ascii_and_utf8_is_whole(void **state)
{
    (void)state;
    const char *s = "plain ascii text that is longer than eight bytes \xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80 end";
    assert_int_equal(mp_utf8_valid_prefix((const unsigned char *)s, strlen(s)), strlen(s));
    assert_int_equal(mp_utf8_valid_prefix((const unsigned char *)"", 0), 0);
    assert_int_equal(mp_utf8_valid_prefix((const unsigned char *)"\xF4\x8F\xBF\xBF", 4), 4);
    assert_int_equal(mp_utf8_valid_prefix((const unsigned char *)"\xEF\xBF\xBF", 3), 3);
}

static void valid_prefix_stops_at_each_invalid_form(void **state)
{
    (void)state;
    static const struct { const char *in; size_t stop; } cases[] = {
        {"abcdefghij\x80", 10},          /* lone continuation after an 8-byte run */
        {"ab\xC0\x80", 2},               /* overlong NUL */
        {"ab\xC1\xBF", 2},               /* overlong */
        {"\xE0\x80\x80", 0},             /* overlong 3-byte */
        {"\xE0\x9F\xBF", 0},             /* overlong 3-byte, highest */
        {"x\xED\xA0\x80", 1},            /* surrogate */
        {"\xF0\x80\x80\x80", 0},         /* overlong 4-byte */
        {"\xF4\x90\x80\x80", 0},         /* above U+10FFFF */
        {"\xF5\x80\x80\x80", 0},         /* invalid lead */
        {"\xFF", 0},
        {"ok\xE2\x82", 2},               /* truncated at end */
        {"\xC3\xA9\xC3", 2},
        {"12345678\xC3(", 8},            /* bad continuation */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(mp_utf8_valid_prefix((const unsigned char *)cases[i].in, strlen(cases[i].in)),
                         cases[i].stop);
}

static void sanitize_replaces_maximal_subparts(void **state)
{
    (void)state;
    anomaly_log s = {0};
    mp_diag d = {anomaly_log_add, &s, 0};
    lm_buf b = LM_BUF_INIT;
    const char in[] = "a\xC3(\xE2\x82\xED\xA0\x80z\xF0\x9F\x98";
    assert_int_equal(mp_utf8_sanitize((const unsigned char *)in, sizeof in - 1, &b, &d), 0);
    assert_string_equal(b.data, "a" FFFD "(" FFFD FFFD FFFD FFFD "z" FFFD);
    assert_int_equal(s.count, 6);
    assert_anomaly_at(&s, 0, MAILPARSE_ANOMALY_CHARSET_INVALID, 1);
    assert_anomaly_at(&s, 1, MAILPARSE_ANOMALY_CHARSET_INVALID, 3);
    assert_anomaly_at(&s, 2, MAILPARSE_ANOMALY_CHARSET_INVALID, 5);
    assert_anomaly_at(&s, 3, MAILPARSE_ANOMALY_CHARSET_INVALID, 6);
    assert_anomaly_at(&s, 4, MAILPARSE_ANOMALY_CHARSET_INVALID, 7);
    assert_anomaly_at(&s, 5, MAILPARSE_ANOMALY_CHARSET_INVALID, 9);
    lm_buf_free(&b);
}

static void sanitize_reports_stop_at_limit(void **state)
{
    (void)state;
    char in[40];
    for (size_t n = 16; n <= 17; n++) {
        memset(in, 0xFF, n);
        anomaly_log s = {0};
        mp_diag d = {anomaly_log_add, &s, 0};
        lm_buf b = LM_BUF_INIT;
        assert_int_equal(mp_utf8_sanitize((const unsigned char *)in, n, &b, &d), 0);
        assert_int_equal(b.len, 3 * n); /* every byte replaced, none dropped */
        assert_int_equal(s.count, 16);
        assert_anomaly_at(&s, 15, MAILPARSE_ANOMALY_CHARSET_INVALID, 15);
        lm_buf_free(&b);
    }
}

/* ---- single-byte charsets and the WHATWG aliases ----------------------------------------- */

static void latin1_decodes_as_windows_1252(void **state)
{
    (void)state;
    anomaly_log s = to_utf8("iso-8859-1", "\x80 caf\xE9 \x9F", "\xE2\x82\xAC caf\xC3\xA9 \xC5\xB8");
    assert_int_equal(s.count, 0);
    to_utf8("latin1", "\x80", "\xE2\x82\xAC");
    to_utf8("ISO_8859-1", "\x80", "\xE2\x82\xAC");
    to_utf8("l1", "\x80", "\xE2\x82\xAC");
}

static void ascii_labels_decode_as_windows_1252(void **state)
{
    (void)state;
    to_utf8("us-ascii", "\xE9t\xE9", "\xC3\xA9t\xC3\xA9");
    to_utf8("ANSI_X3.4-1968", "\x93q\x94", "\xE2\x80\x9Cq\xE2\x80\x9D");
    to_utf8("ascii", "\x80", "\xE2\x82\xAC");
}

static void windows_1252_holes_become_c1_controls(void **state)
{
    (void)state;
    anomaly_log s = to_utf8("windows-1252", "\x81\x8D\x8F\x90\x9D", "\xC2\x81\xC2\x8D\xC2\x8F\xC2\x90\xC2\x9D");
    assert_int_equal(s.count, 0);
}

static void iso_8859_9_decodes_as_windows_1254(void **state)
{
    (void)state;
    to_utf8("iso-8859-9", "\x80\xD0\xFD", "\xE2\x82\xAC\xC4\x9E\xC4\xB1");
    to_utf8("latin5", "\xDE", "\xC5\x9E");
}

static void tis_620_decodes_as_windows_874(void **state)
{
    (void)state;
    to_utf8("tis-620", "\xA1\x80", "\xE0\xB8\x81\xE2\x82\xAC");
}

static void more_single_byte_charsets(void **state)
{
    (void)state;
    to_utf8("iso-8859-2", "\xB1\xE6", "\xC4\x85\xC4\x87");
    to_utf8("iso-8859-5", "\xB0\xD0", "\xD0\x90\xD0\xB0");
    to_utf8("iso-8859-7", "\xE1\xE2", "\xCE\xB1\xCE\xB2");
    to_utf8("iso-8859-15", "\xA4\xBD", "\xE2\x82\xAC\xC5\x93");
    to_utf8("windows-1250", "\x8A\xB9", "\xC5\xA0\xC4\x85");
    to_utf8("windows-1251", "\xC0\xFF", "\xD0\x90\xD1\x8F");
    to_utf8("cp1251", "\xC0", "\xD0\x90");
    to_utf8("koi8-r", "\xC1\xE1", "\xD0\xB0\xD0\x90");
    to_utf8("koi8-u", "\xA4", "\xD1\x94");
    to_utf8("macintosh", "\x8E", "\xC3\xA9");
    to_utf8("windows-1255", "\xE0", "\xD7\x90");
    to_utf8("iso-8859-8-i", "\xE0", "\xD7\x90");
}

/* ---- multibyte charsets ----------------------------------------------------------------- */

static void japanese_charsets(void **state)
{
    (void)state;
    to_utf8("shift_jis", "\x82\xA0\x93\xFA\x96\x7B", "\xE3\x81\x82\xE6\x97\xA5\xE6\x9C\xAC");
    to_utf8("x-sjis", "\x82\xA0", "\xE3\x81\x82");
    to_utf8("Shift-JIS", "\x87\x40", "\xE2\x91\xA0"); /* NEC row 13: windows-31j */
    to_utf8("euc-jp", "\xA4\xA2\xC6\xFC", "\xE3\x81\x82\xE6\x97\xA5");
    to_utf8("iso-2022-jp", "\x1B$B$\"F|\x1B(B!", "\xE3\x81\x82\xE6\x97\xA5!");
}

static void chinese_charsets(void **state)
{
    (void)state;
    to_utf8("gb2312", "\xB0\xA1", "\xE5\x95\x8A");
    to_utf8("gbk", "\x81\x40", "\xE4\xB8\x82");        /* GBK beyond GB2312 */
    to_utf8("GB2312", "\x81\x30\x81\x30", "\xC2\x80"); /* GB18030 four-byte form */
    to_utf8("big5", "\xA4\x40", "\xE4\xB8\x80");
}

static void korean_charsets(void **state)
{
    (void)state;
    to_utf8("euc-kr", "\xB0\xA1", "\xEA\xB0\x80");
    to_utf8("ks_c_5601-1987", "\xB0\xA1\x81\x41", "\xEA\xB0\x80\xEA\xB0\x82"); /* UHC extension */
}

/* ---- Unicode encodings ---------------------------------------------------------------------- */

static void utf7_labels(void **state)
{
    (void)state;
    to_utf8("utf-7", "Hi Mom -+Jjo--!", "Hi Mom -\xE2\x98\xBA-!");
    to_utf8("unicode-1-1-utf-7", "+ZeVnLIqe-", "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E");
    to_utf8("utf7", "A+ImIDkQ.", "A\xE2\x89\xA2\xCE\x91.");
    to_utf8("windows-65000", "+ZeVnLIqe-", "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E"); /* not copied as ASCII */
}

static void utf16_without_bom_is_big_endian(void **state)
{
    (void)state;
    anomaly_log s = to_utf8_n("utf-16", "\x00h\x00i\x20\xAC", 6, "hi\xE2\x82\xAC");
    assert_int_equal(s.count, 0);
    to_utf8_n("utf-16be", "\x00h", 2, "h");
}

static void utf16_bom_decides_byte_order(void **state)
{
    (void)state;
    to_utf8_n("utf-16", "\xFF\xFEh\x00i\x00", 6, "hi");
    to_utf8_n("utf-16", "\xFE\xFF\x00h\x00i", 6, "hi");
    to_utf8_n("UTF-16LE", "h\x00i\x00", 4, "hi");
    to_utf8_n("UTF-16LE", "\xFF\xFEh\x00", 4, "h");
    to_utf8_n("utf-16le", "\xFE\xFF\x00h", 4, "h"); /* the BOM wins over the label */
}

static void utf16_surrogates_and_odd_length(void **state)
{
    (void)state;
    to_utf8_n("utf-16be", "\xD8\x3D\xDE\x00", 4, "\xF0\x9F\x98\x80");
    anomaly_log s = to_utf8_n("utf-16be", "\x00h\x00", 3, "h" FFFD);
    assert_int_equal(s.count, 1);
    assert_anomaly_at(&s, 0, MAILPARSE_ANOMALY_CHARSET_INVALID, 2);
    s = to_utf8_n("utf-16be", "\xDC\x00\x00h", 4, FFFD "h");
    assert_int_equal(s.count, 1);
    assert_anomaly_at(&s, 0, MAILPARSE_ANOMALY_CHARSET_INVALID, 0);
}

/* Pairs split across ICU's output chunks are joined. */
static void utf16_long_input_with_astral_characters(void **state)
{
    (void)state;
    enum { N = 3000 };
    unsigned char *in = malloc(2 + 4 * N);
    char *want = malloc(1 + 4 * N + 1);
    assert_non_null(in);
    assert_non_null(want);
    in[0] = 0;
    in[1] = 'A';
    want[0] = 'A';
    for (size_t i = 0; i < N; i++) {
        memcpy(in + 2 + 4 * i, "\xD8\x3D\xDE\x00", 4);
        memcpy(want + 1 + 4 * i, "\xF0\x9F\x98\x80", 4);
    }
    want[1 + 4 * N] = '\0';
    anomaly_log s = to_utf8_n("utf-16", (const char *)in, 2 + 4 * N, want);
    assert_int_equal(s.count, 0);
    free(in);
    free(want);
}

static void utf32_with_and_without_bom(void **state)
{
    (void)state;
    to_utf8_n("utf-32", "\x00\x00\x00h\x00\x01\xF6\x00", 8, "h\xF0\x9F\x98\x80");
    to_utf8_n("utf-32", "\xFF\xFE\x00\x00h\x00\x00\x00", 8, "h");
    to_utf8_n("utf-32le", "h\x00\x00\x00", 4, "h");
}

static void utf8_bom_is_stripped(void **state)
{
    (void)state;
    anomaly_log s = to_utf8("utf-8", "\xEF\xBB\xBFhi\xFF", "hi" FFFD);
    assert_int_equal(s.count, 1);
    assert_anomaly_at(&s, 0, MAILPARSE_ANOMALY_CHARSET_INVALID, 5);
    to_utf8("UTF8", "\xEF\xBB\xBF", "");
}

/* ---- labels ------------------------------------------------------------------------------- */

static void labels_are_trimmed(void **state)
{
    (void)state;
    to_utf8("\"utf-8\"", "\xC3\xA9", "\xC3\xA9");
    to_utf8("  'ISO-8859-1'\t", "\xE9", "\xC3\xA9");
    to_utf8("utf-8*en", "\xC3\xA9", "\xC3\xA9");
    to_utf8("\"iso-8859-1*fr-CA\"", "\xE9", "\xC3\xA9");
    char padded[200];
    memset(padded, ' ', sizeof padded);
    memcpy(padded + 100, "koi8-r", 6);
    padded[199] = '\0';
    to_utf8(padded, "\xC1", "\xD0\xB0");
}

static void unknown_charset_appends_nothing(void **state)
{
    (void)state;
    static const char *const bad[] = {"x-no-such-charset", "", "  \"\" ", "ibm-1047,swaplfnl",
                                      "utf-8;x", "*en", "iso-8859-1\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        lm_buf b = LM_BUF_INIT;
        lm_buf_puts(&b, "keep");
        anomaly_log s = {0};
        mp_diag d = {anomaly_log_add, &s, 0};
        int rc = mp_charset_to_utf8(bad[i], strlen(bad[i]), (const unsigned char *)"abc", 3, &b, &d);
        if (i == 6) { /* a trailing line end is only trimmed */
            assert_int_equal(rc, 0);
        } else {
            assert_int_equal(rc, MAILPARSE_E_CHARSET);
            assert_string_equal(b.data, "keep");
        }
        lm_buf_free(&b);
    }
}

static void label_length_limit(void **state)
{
    (void)state;
    char label[80];
    memset(label, 'x', sizeof label);
    lm_buf b = LM_BUF_INIT;
    /* 64 characters reach ICU (unknown there), 65 are refused before: both unknown. */
    assert_int_equal(mp_charset_to_utf8(label, 64, (const unsigned char *)"a", 1, &b, NULL),
                     MAILPARSE_E_CHARSET);
    assert_int_equal(mp_charset_to_utf8(label, 65, (const unsigned char *)"a", 1, &b, NULL),
                     MAILPARSE_E_CHARSET);
    assert_int_equal(b.len, 0);
    lm_buf_free(&b);
}

static void label_length_counts_only_the_given_bytes(void **state)
{
    (void)state;
    lm_buf b = LM_BUF_INIT;
    assert_int_equal(mp_charset_to_utf8("koi8-rXYZ", 6, (const unsigned char *)"\xC1", 1, &b, NULL), 0);
    assert_string_equal(b.data, "\xD0\xB0");
    lm_buf_free(&b);
}

static void unknown_8bit_labels_guess(void **state)
{
    (void)state;
    static const char *const labels[] = {"x-unknown", "unknown-8bit", "unknown", "default"};
    for (size_t i = 0; i < 4; i++) {
        anomaly_log s = to_utf8(labels[i], "caf\xC3\xA9", "caf\xC3\xA9");
        assert_int_equal(s.count, 1);
        assert_anomaly_at(&s, 0, MAILPARSE_ANOMALY_8BIT_UNDECLARED, 3);
        s = to_utf8(labels[i], "caf\xE9", "caf\xC3\xA9");
        assert_int_equal(s.count, 1);
        assert_anomaly_at(&s, 0, MAILPARSE_ANOMALY_8BIT_UNDECLARED, 3);
    }
}

static void is_utf8_names_utf8_and_ascii(void **state)
{
    (void)state;
    assert_true(mp_charset_is_utf8("utf-8", 5));
    assert_true(mp_charset_is_utf8("\"UTF8\"", 6));
    assert_true(mp_charset_is_utf8("us-ascii", 8));
    assert_true(mp_charset_is_utf8("US-ASCII*en", 11));
    assert_true(mp_charset_is_utf8("ascii", 5));
    assert_false(mp_charset_is_utf8("iso-8859-1", 10));
    assert_false(mp_charset_is_utf8("utf-16", 6));
    assert_false(mp_charset_is_utf8("", 0));
    assert_false(mp_charset_is_utf8(NULL, 3));
}

static void canonical_names(void **state)
{
    (void)state;
    assert_string_equal(mailparse_charset_canonical("latin1"), "ISO-8859-1");
    assert_string_equal(mailparse_charset_canonical("utf8"), "UTF-8");
    assert_string_equal(mailparse_charset_canonical("\"Utf-8\""), "UTF-8");
    assert_string_equal(mailparse_charset_canonical("us-ascii"), "US-ASCII");
    assert_string_equal(mailparse_charset_canonical("x-sjis"), "Shift_JIS");
    assert_string_equal(mailparse_charset_canonical("unicode-1-1-utf-7"), "UTF-7");
    assert_string_equal(mailparse_charset_canonical("cp1252"), "windows-1252");
    assert_string_equal(mailparse_charset_canonical("KOI8-R"), "KOI8-R");
    assert_string_equal(mailparse_charset_canonical("gb2312"), "GB2312");
    assert_string_equal(mailparse_charset_canonical("ISO-2022-JP"), "ISO-2022-JP");
    assert_null(mailparse_charset_canonical("x-unknown"));
    assert_null(mailparse_charset_canonical("no-such-thing"));
    assert_null(mailparse_charset_canonical(""));
    assert_null(mailparse_charset_canonical(NULL));
}

/* ---- invalid input ------------------------------------------------------------------------ */

static void invalid_bytes_become_replacement_with_offsets(void **state)
{
    (void)state;
    anomaly_log s = to_utf8("shift_jis", "\x82\xA0\xFF\x82\xA0\x82", "\xE3\x81\x82" FFFD "\xE3\x81\x82" FFFD);
    assert_int_equal(s.count, 2);
    assert_anomaly_at(&s, 0, MAILPARSE_ANOMALY_CHARSET_INVALID, 2);
    assert_anomaly_at(&s, 1, MAILPARSE_ANOMALY_CHARSET_INVALID, 5);
    s = to_utf8("euc-jp", "ab\xA4", "ab" FFFD);
    assert_int_equal(s.count, 1);
    assert_anomaly_at(&s, 0, MAILPARSE_ANOMALY_CHARSET_INVALID, 2);
    s = to_utf8("big5", "\xA4\x40\xFF", "\xE4\xB8\x80" FFFD);
    assert_int_equal(s.count, 1);
    assert_anomaly_at(&s, 0, MAILPARSE_ANOMALY_CHARSET_INVALID, 2);
}

static void unassigned_bytes_become_replacement(void **state)
{
    (void)state;
    anomaly_log s = to_utf8("iso-8859-7", "a\xAEz", "a" FFFD "z"); /* 0xAE unassigned */
    assert_int_equal(s.count, 1);
    assert_anomaly_at(&s, 0, MAILPARSE_ANOMALY_CHARSET_INVALID, 1);
}

static void invalid_reports_stop_at_limit(void **state)
{
    (void)state;
    char in[40];
    for (size_t n = 16; n <= 17; n++) {
        memset(in, 0xFF, n);
        anomaly_log s = {0};
        mp_diag d = {anomaly_log_add, &s, 0};
        lm_buf b = LM_BUF_INIT;
        assert_int_equal(mp_charset_to_utf8("shift_jis", 9, (const unsigned char *)in, n, &b, &d), 0);
        assert_int_equal(b.len, 3 * n);
        assert_int_equal(s.count, 16);
        assert_anomaly_at(&s, 15, MAILPARSE_ANOMALY_CHARSET_INVALID, 15);
        lm_buf_free(&b);
    }
}

static void offsets_start_at_diag_base(void **state)
{
    (void)state;
    anomaly_log s = {0};
    mp_diag d = {anomaly_log_add, &s, 200};
    lm_buf b = LM_BUF_INIT;
    assert_int_equal(mp_charset_to_utf8("utf-8", 5, (const unsigned char *)"ab\xFF", 3, &b, &d), 0);
    assert_int_equal(mp_charset_to_utf8("euc-kr", 6, (const unsigned char *)"ab\xB0", 3, &b, &d), 0);
    assert_int_equal(s.count, 2);
    assert_anomaly_at(&s, 0, MAILPARSE_ANOMALY_CHARSET_INVALID, 202);
    assert_anomaly_at(&s, 1, MAILPARSE_ANOMALY_CHARSET_INVALID, 202);
    lm_buf_free(&b);
}

/* The ASCII fast path gives what ICU gives: a high byte at the end sends the same ASCII
 * through ICU, and the prefixes must agree. */
static void ascii_fast_path_agrees_with_icu(void **state)
{
    (void)state;
    static const char *const labels[] = {
        "windows-1250", "windows-1251", "windows-1252", "windows-1253", "windows-1254",
        "windows-1255", "windows-1256", "windows-1257", "windows-1258", "windows-874",
        "windows-949", "windows-31j", "cp1252", "iso-8859-1", "iso-8859-2", "iso-8859-5",
        "iso-8859-3", "iso-8859-4", "iso-8859-6", "iso-8859-8", "iso-8859-10", "iso-8859-13",
        "iso-8859-14", "latin3", "euc-tw", "euc-jp-2007",
        "iso-8859-7", "iso-8859-15", "iso8859-2", "iso_8859-5", "koi8-r", "koi8-u", "gb18030",
        "gb2312", "big5", "big5-hkscs", "euc-jp", "euc-kr", "macintosh", "latin2", "shift_jis",
        "us-ascii", "tis-620",
    };
    unsigned char in[129];
    for (int i = 0; i < 128; i++)
        in[i] = (unsigned char)i;
    in[128] = 0xA4;
    for (size_t k = 0; k < sizeof labels / sizeof labels[0]; k++) {
        lm_buf fast = LM_BUF_INIT, slow = LM_BUF_INIT;
        assert_int_equal(mp_charset_to_utf8(labels[k], strlen(labels[k]), in, 128, &fast, NULL), 0);
        assert_int_equal(mp_charset_to_utf8(labels[k], strlen(labels[k]), in, 129, &slow, NULL), 0);
        assert_int_equal(fast.len, 128);
        assert_true(slow.len > 128);
        if (memcmp(slow.data, fast.data, 128) != 0)
            fail_msg("%s maps ASCII differently in ICU", labels[k]);
        lm_buf_free(&fast);
        lm_buf_free(&slow);
    }
}

/* ---- guessing --------------------------------------------------------------------------- */

static void guess_keeps_ascii_silently(void **state)
{
    (void)state;
    anomaly_log s = {0};
    mp_diag d = {anomaly_log_add, &s, 0};
    lm_buf b = LM_BUF_INIT;
    assert_int_equal(mp_text_guess_to_utf8((const unsigned char *)"plain", 5, NULL, &b, &d), 0);
    assert_string_equal(b.data, "plain");
    assert_int_equal(s.count, 0);
    lm_buf_free(&b);
}

static void guess_uses_fallback_then_windows_1252(void **state)
{
    (void)state;
    static const struct { const char *fallback; const char *want; } cases[] = {
        {NULL, "\xC3\x81"}, {"koi8-r", "\xD0\xB0"}, {"no-such-charset", "\xC3\x81"},
        {"x-unknown", "\xC3\x81"}, {"iso-8859-5", "\xD0\xA1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        anomaly_log s = {0};
        mp_diag d = {anomaly_log_add, &s, 0};
        lm_buf b = LM_BUF_INIT;
        assert_int_equal(mp_text_guess_to_utf8((const unsigned char *)"\xC1", 1, cases[i].fallback,
                                               &b, &d), 0);
        assert_string_equal(b.data, cases[i].want);
        assert_int_equal(s.count, 1);
        assert_anomaly_at(&s, 0, MAILPARSE_ANOMALY_8BIT_UNDECLARED, 0);
        lm_buf_free(&b);
    }
}

static void guess_with_utf8_fallback_sanitizes(void **state)
{
    (void)state;
    anomaly_log s = {0};
    mp_diag d = {anomaly_log_add, &s, 0};
    lm_buf b = LM_BUF_INIT;
    assert_int_equal(mp_text_guess_to_utf8((const unsigned char *)"ab\xFF", 3, "utf-8", &b, &d), 0);
    assert_string_equal(b.data, "ab" FFFD);
    assert_int_equal(s.count, 2);
    assert_anomaly_at(&s, 0, MAILPARSE_ANOMALY_8BIT_UNDECLARED, 2);
    assert_anomaly_at(&s, 1, MAILPARSE_ANOMALY_CHARSET_INVALID, 2);
    lm_buf_free(&b);
}

/* ---- UTF-8 to charsets ------------------------------------------------------------------- */

static void from_utf8_to_single_byte(void **state)
{
    (void)state;
    from_utf8("iso-8859-1", "caf\xC3\xA9 \xE2\x82\xAC", "caf\xE9 ?", 6); /* ISO-8859-1 proper */
    from_utf8("windows-1252", "\xE2\x82\xAC", "\x80", 1);
    from_utf8("us-ascii", "a\xC3\xA9", "a?", 2);
    from_utf8("koi8-r", "\xD0\xB0", "\xC1", 1);
    from_utf8("windows-1251", "\xD0\x90", "\xC0", 1);
}

static void from_utf8_to_multibyte(void **state)
{
    (void)state;
    from_utf8("shift_jis", "\xE3\x81\x82", "\x82\xA0", 2);
    from_utf8("x-sjis", "\xE3\x81\x82", "\x82\xA0", 2);
    from_utf8("iso-2022-jp", "\xE3\x81\x82", "\x1B$B$\"\x1B(B", 8);
    from_utf8("euc-kr", "\xEA\xB0\x80", "\xB0\xA1", 2);
    from_utf8("gb2312", "\xE5\x95\x8A", "\xB0\xA1", 2);
}

static void from_utf8_to_unicode_forms(void **state)
{
    (void)state;
    from_utf8("utf-16", "hi", "\x00h\x00i", 4);
    from_utf8("utf-16le", "hi", "h\x00i\x00", 4);
    from_utf8("utf-7", "\xE2\x98\xBA", "+Jjo-", 5);
    from_utf8("utf-8", "ok\xFF", "ok" FFFD, 5);
}

static void from_utf8_unknown_charset(void **state)
{
    (void)state;
    unsigned char *out = (unsigned char *)"x";
    size_t n;
    assert_int_equal(mailparse_charset_from_utf8("no-such", "a", 1, &out, &n), MAILPARSE_E_CHARSET);
    assert_null(out);
    assert_int_equal(mailparse_charset_from_utf8("x-unknown", "a", 1, &out, &n), MAILPARSE_E_CHARSET);
    assert_int_equal(mailparse_charset_from_utf8(NULL, "a", 1, &out, &n), MAILPARSE_E_INVAL);
}

static void public_to_utf8_api(void **state)
{
    (void)state;
    char *out = NULL;
    size_t n = 0;
    anomaly_log s = {0};
    assert_int_equal(mailparse_charset_to_utf8("latin1", (const unsigned char *)"\xE9", 1, &out, &n,
                                               anomaly_log_add, &s), 0);
    assert_int_equal(n, 2);
    assert_string_equal(out, "\xC3\xA9");
    mailparse_free(out);
    assert_int_equal(mailparse_charset_to_utf8("utf-8", (const unsigned char *)"", 0, &out, &n, NULL,
                                               NULL), 0);
    assert_int_equal(n, 0);
    assert_string_equal(out, "");
    mailparse_free(out);
    assert_int_equal(mailparse_charset_to_utf8("bogus", (const unsigned char *)"a", 1, &out, &n,
                                               NULL, NULL), MAILPARSE_E_CHARSET);
    assert_null(out);
    assert_int_equal(mailparse_charset_to_utf8(NULL, (const unsigned char *)"a", 1, &out, &n, NULL,
                                               NULL), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_charset_to_utf8("utf-8", NULL, 1, &out, &n, NULL, NULL),
                     MAILPARSE_E_INVAL);
}

/* ---- GMime charset vectors ---------------------------------------------------------------- */

static void gmime_pair(const char *from_file, const char *from_cs, const char *to_file,
                       const char *to_cs)
{
    char a[256], b[256];
    snprintf(a, sizeof a, "mime/gmime/charsets/%s", from_file);
    snprintf(b, sizeof b, "mime/gmime/charsets/%s", to_file);
    size_t in_len, want_len;
    unsigned char *in = conformance_file(a, &in_len);
    unsigned char *want = conformance_file(b, &want_len);
    if (!in || !want) {
        free(in);
        free(want);
        skip();
    }
    lm_buf out = LM_BUF_INIT;
    anomaly_log s = {0};
    mp_diag d = {anomaly_log_add, &s, 0};
    if (strcmp(from_cs, "utf-8") == 0)
        assert_int_equal(mp_charset_from_utf8(to_cs, strlen(to_cs), (const char *)in, in_len, &out), 0);
    else
        assert_int_equal(mp_charset_to_utf8(from_cs, strlen(from_cs), in, in_len, &out, &d), 0);
    if (out.len != want_len || memcmp(out.data, want, want_len) != 0)
        fail_msg("%s -> %s differs", from_file, to_file);
    assert_int_equal(s.count, 0);
    lm_buf_free(&out);
    free(in);
    free(want);
}

static void gmime_cyrillic(void **state)
{
    (void)state;
    gmime_pair("cyrillic.cp1251.txt", "cp1251", "cyrillic.utf-8.txt", "utf-8");
    gmime_pair("cyrillic.utf-8.txt", "utf-8", "cyrillic.cp1251.txt", "cp1251");
    gmime_pair("cyrillic.iso-8859-5.txt", "iso-8859-5", "cyrillic.utf-8.txt", "utf-8");
    gmime_pair("cyrillic.utf-8.txt", "utf-8", "cyrillic.iso-8859-5.txt", "iso-8859-5");
    gmime_pair("cyrillic.koi8-r.txt", "koi8-r", "cyrillic.utf-8.txt", "utf-8");
    gmime_pair("cyrillic.utf-8.txt", "utf-8", "cyrillic.koi8-r.txt", "koi8-r");
}

static void gmime_japanese(void **state)
{
    (void)state;
    gmime_pair("japanese.iso-2022-jp.txt", "iso-2022-jp", "japanese.utf-8.txt", "utf-8");
    gmime_pair("japanese.utf-8.txt", "utf-8", "japanese.iso-2022-jp.txt", "iso-2022-jp");
    gmime_pair("japanese.shift-jis.txt", "shift-jis", "japanese.utf-8.txt", "utf-8");
    gmime_pair("japanese.utf-8.txt", "utf-8", "japanese.shift-jis.txt", "shift-jis");
}

/* The Big5 file was made from the UTF-8 one by a converter that dropped what Big5 lacks, so
 * its decoding must be the UTF-8 text with only some characters missing, in order. */
static void gmime_chinese(void **state)
{
    (void)state;
    size_t in_len, want_len;
    unsigned char *in = conformance_file("mime/gmime/charsets/chinese.big5.txt", &in_len);
    unsigned char *want = conformance_file("mime/gmime/charsets/chinese.utf-8.txt", &want_len);
    if (!in || !want) {
        free(in);
        free(want);
        skip();
    }
    lm_buf out = LM_BUF_INIT;
    anomaly_log s = {0};
    mp_diag d = {anomaly_log_add, &s, 0};
    assert_int_equal(mp_charset_to_utf8("big5", 4, in, in_len, &out, &d), 0);
    assert_int_equal(s.count, 0);
    size_t j = 0, missing = 0;
    for (size_t i = 0; i < out.len;) { /* match whole characters of ours within theirs */
        size_t n = mp_utf8_valid_prefix((unsigned char *)out.data + i, 1) ? 1 : 0;
        while (i + n < out.len && ((unsigned char)out.data[i + n] & 0xC0) == 0x80)
            n++;
        if (n == 0)
            n = 1;
        while (j + n <= want_len && memcmp(want + j, out.data + i, n) != 0) {
            j++;
            missing++;
        }
        assert_true(j + n <= want_len);
        i += n;
        j += n;
    }
    assert_true(out.len + missing == want_len);
    lm_buf_free(&out);
    free(in);
    free(want);
}

/* Text labelled iso-8859-1 holding cp1252 characters decodes without a replacement. */
static void gmime_french_fable_as_latin1(void **state)
{
    (void)state;
    size_t len;
    unsigned char *in = conformance_file("mime/gmime/charsets/french-fable.cp1252.txt", &len);
    if (!in)
        skip();
    lm_buf out = LM_BUF_INIT;
    anomaly_log s = {0};
    mp_diag d = {anomaly_log_add, &s, 0};
    assert_int_equal(mp_charset_to_utf8("iso-8859-1", 10, in, len, &out, &d), 0);
    assert_int_equal(s.count, 0);
    assert_int_equal(mp_utf8_valid_prefix((unsigned char *)out.data, out.len), out.len);
    assert_null(strstr(out.data, FFFD));
    lm_buf_free(&out);
    free(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_prefix_of_ascii_and_utf8_is_whole),
        cmocka_unit_test(valid_prefix_stops_at_each_invalid_form),
        cmocka_unit_test(sanitize_replaces_maximal_subparts),
        cmocka_unit_test(sanitize_reports_stop_at_limit),
        cmocka_unit_test(latin1_decodes_as_windows_1252),
        cmocka_unit_test(ascii_labels_decode_as_windows_1252),
        cmocka_unit_test(windows_1252_holes_become_c1_controls),
        cmocka_unit_test(iso_8859_9_decodes_as_windows_1254),
        cmocka_unit_test(tis_620_decodes_as_windows_874),
        cmocka_unit_test(more_single_byte_charsets),
        cmocka_unit_test(japanese_charsets),
        cmocka_unit_test(chinese_charsets),
        cmocka_unit_test(korean_charsets),
        cmocka_unit_test(utf7_labels),
        cmocka_unit_test(utf16_without_bom_is_big_endian),
        cmocka_unit_test(utf16_bom_decides_byte_order),
        cmocka_unit_test(utf16_surrogates_and_odd_length),
        cmocka_unit_test(utf16_long_input_with_astral_characters),
        cmocka_unit_test(utf32_with_and_without_bom),
        cmocka_unit_test(utf8_bom_is_stripped),
        cmocka_unit_test(labels_are_trimmed),
        cmocka_unit_test(unknown_charset_appends_nothing),
        cmocka_unit_test(label_length_limit),
        cmocka_unit_test(label_length_counts_only_the_given_bytes),
        cmocka_unit_test(unknown_8bit_labels_guess),
        cmocka_unit_test(is_utf8_names_utf8_and_ascii),
        cmocka_unit_test(canonical_names),
        cmocka_unit_test(invalid_bytes_become_replacement_with_offsets),
        cmocka_unit_test(unassigned_bytes_become_replacement),
        cmocka_unit_test(invalid_reports_stop_at_limit),
        cmocka_unit_test(offsets_start_at_diag_base),
        cmocka_unit_test(ascii_fast_path_agrees_with_icu),
        cmocka_unit_test(guess_keeps_ascii_silently),
        cmocka_unit_test(guess_uses_fallback_then_windows_1252),
        cmocka_unit_test(guess_with_utf8_fallback_sanitizes),
        cmocka_unit_test(from_utf8_to_single_byte),
        cmocka_unit_test(from_utf8_to_multibyte),
        cmocka_unit_test(from_utf8_to_unicode_forms),
        cmocka_unit_test(from_utf8_unknown_charset),
        cmocka_unit_test(public_to_utf8_api),
        cmocka_unit_test(gmime_cyrillic),
        cmocka_unit_test(gmime_japanese),
        cmocka_unit_test(gmime_chinese),
        cmocka_unit_test(gmime_french_fable_as_latin1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
