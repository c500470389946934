/* test_uuencode.c — uuencode body decoding ("begin" ... "end"), tolerant of damaged lines. */
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

static anomaly_log decode_expect(const char *in, const void *want, size_t want_len)
{
    anomaly_log s = {0};
    mp_diag d = {anomaly_log_add, &s, 0};
    lm_buf b = LM_BUF_INIT;
    assert_int_equal(mp_uu_decode(in, strlen(in), &b, &d), 0);
    assert_int_equal(b.len, want_len);
    if (want_len)
        assert_memory_equal(b.data, want, want_len);
    lm_buf_free(&b);
    return s;
}

/* ---- tests ------------------------------------------------------------------------------- */

static void decodes_a_short_file(void **state)
{
    (void)state;
    anomaly_log s = decode_expect("begin 644 cat.txt\n#0V%T\n`\nend\n", "Cat", 3);
    assert_int_equal(s.count, 0);
}

static void decodes_a_full_45_byte_line(void **state)
{
    (void)state;
    unsigned char want[45];
    for (int i = 0; i < 45; i++)
        want[i] = (unsigned char)i;
    anomaly_log s = decode_expect(
        "begin 600 bytes.bin\n"
        "M``$\"`P0%!@<(\"0H+#`T.#Q`1$A,4%187&!D:&QP='A\\@(2(C)\"4F)R@I*BLL\n"
        "`\nend\n",
        want, 45);
    assert_int_equal(s.count, 0);
}

static void decodes_several_lines(void **state)
{
    (void)state;
    anomaly_log s = decode_expect("begin 644 x\n#0V%T\n,:&5L;&\\@=V]R;&0*\n`\nend\n",
                                  "Cathello world\n", 15);
    assert_int_equal(s.count, 0);
}

static void skips_text_before_begin(void **state)
{
    (void)state;
    anomaly_log s = decode_expect("Here is the file:\r\n\r\nbeginning soon\r\nbegin 644 cat.txt\r\n"
                                  "#0V%T\r\n`\r\nend\r\n",
                                  "Cat", 3);
    assert_int_equal(s.count, 0);
}

static void crlf_line_ends_are_accepted(void **state)
{
    (void)state;
    anomaly_log s = decode_expect("begin 0644 a b c.txt\r\n#0V%T\r\n`\r\nend\r\n", "Cat", 3);
    assert_int_equal(s.count, 0);
}

static void begin_without_mode_is_not_a_begin_line(void **state)
{
    (void)state;
    const char *in = "begin here\n#0V%T\nend\n";
    anomaly_log s = decode_expect(in, in, strlen(in));
    assert_int_equal(s.count, 1);
    assert_int_equal(s.kind[0], MAILPARSE_ANOMALY_ENCODING_UNKNOWN);
    assert_int_equal(s.offset[0], 0);
}

static void missing_begin_keeps_body_and_reports(void **state)
{
    (void)state;
    const char *in = "just some text\nwith lines\n";
    anomaly_log s = decode_expect(in, in, strlen(in));
    assert_int_equal(s.count, 1);
    assert_int_equal(s.kind[0], MAILPARSE_ANOMALY_ENCODING_UNKNOWN);
    s = decode_expect("", "", 0);
    assert_int_equal(s.count, 1);
}

static void missing_end_is_tolerated(void **state)
{
    (void)state;
    anomaly_log s = decode_expect("begin 644 cat.txt\n#0V%T\n", "Cat", 3);
    assert_int_equal(s.count, 0);
    s = decode_expect("begin 644 cat.txt\n#0V%T", "Cat", 3);
    assert_int_equal(s.count, 0);
    s = decode_expect("begin 644 cat.txt", "", 0);
    assert_int_equal(s.count, 0);
}

static void stops_at_end_line(void **state)
{
    (void)state;
    anomaly_log s = decode_expect("begin 644 x\n#0V%T\nend  \n#0V%T\n", "Cat", 3);
    assert_int_equal(s.count, 0);
}

static void stripped_trailing_spaces_count_as_zeros(void **state)
{
    (void)state;
    /* "&" + 8 spaces encodes six zero bytes; mailers strip the spaces. */
    static const unsigned char zeros[6] = {0};
    anomaly_log s = decode_expect("begin 644 z\n&    \n`\nend\n", zeros, 6);
    assert_int_equal(s.count, 0);
    s = decode_expect("begin 644 z\n&\n`\nend\n", zeros, 3); /* at most one missing group */
    assert_int_equal(s.count, 0);
}

static void backquote_and_space_are_both_zero(void **state)
{
    (void)state;
    static const unsigned char zeros[3] = {0};
    anomaly_log s = decode_expect("begin 644 z\n#````\nend\n", zeros, 3);
    assert_int_equal(s.count, 0);
    s = decode_expect("begin 644 z\n#    \nend\n", zeros, 3);
    assert_int_equal(s.count, 0);
}

static void overlong_count_is_bounded_by_the_line(void **state)
{
    (void)state;
    /* 'M' claims 45 bytes but the line carries one group: at most two groups are decoded. */
    lm_buf b = LM_BUF_INIT;
    assert_int_equal(mp_uu_decode("begin 644 x\nM0V%T\n", 18, &b, NULL), 0);
    assert_int_equal(b.len, 6);
    assert_memory_equal(b.data, "Cat\0\0\0", 6);
    lm_buf_free(&b);
}

static void extra_characters_after_data_are_ignored(void **state)
{
    (void)state;
    anomaly_log s = decode_expect("begin 644 x\n#0V%TXYZ\nend\n", "Cat", 3);
    assert_int_equal(s.count, 0);
}

static void empty_lines_inside_data_are_skipped(void **state)
{
    (void)state;
    anomaly_log s = decode_expect("begin 644 x\n#0V%T\n\n#0V%T\nend\n", "CatCat", 6);
    assert_int_equal(s.count, 0);
}

static void appends_after_existing_bytes(void **state)
{
    (void)state;
    lm_buf b = LM_BUF_INIT;
    lm_buf_puts(&b, ">");
    assert_int_equal(mp_uu_decode("begin 644 x\n#0V%T\nend\n", 22, &b, NULL), 0);
    assert_string_equal(b.data, ">Cat");
    lm_buf_free(&b);
}

static void rejects_null_arguments(void **state)
{
    (void)state;
    lm_buf b = LM_BUF_INIT;
    assert_int_equal(mp_uu_decode(NULL, 3, &b, NULL), MAILPARSE_E_INVAL);
    assert_int_equal(mp_uu_decode("x", 1, NULL, NULL), MAILPARSE_E_INVAL);
}

static void mimekit_photo(const char *rel)
{
    size_t uu_len, jpg_len;
    unsigned char *uu = conformance_file(rel, &uu_len);
    unsigned char *jpg = conformance_file("mime/mimekit/encoders/photo.jpg", &jpg_len);
    if (!uu || !jpg) {
        free(uu);
        free(jpg);
        skip();
    }
    lm_buf b = LM_BUF_INIT;
    anomaly_log s = {0};
    mp_diag d = {anomaly_log_add, &s, 0};
    assert_int_equal(mp_uu_decode((const char *)uu, uu_len, &b, &d), 0);
    assert_int_equal(b.len, jpg_len);
    assert_memory_equal(b.data, jpg, jpg_len);
    assert_int_equal(s.count, 0);
    lm_buf_free(&b);
    free(uu);
    free(jpg);
}

static void mimekit_photo_uu_decodes(void **state)
{
    (void)state;
    mimekit_photo("mime/mimekit/encoders/photo.uu");
}

/* The same file after lines that start like "begin" but are not. */
static void mimekit_photo_uu_states_decodes(void **state)
{
    (void)state;
    mimekit_photo("mime/mimekit/encoders/photo.uu-states");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decodes_a_short_file),
        cmocka_unit_test(decodes_a_full_45_byte_line),
        cmocka_unit_test(decodes_several_lines),
        cmocka_unit_test(skips_text_before_begin),
        cmocka_unit_test(crlf_line_ends_are_accepted),
        cmocka_unit_test(begin_without_mode_is_not_a_begin_line),
        cmocka_unit_test(missing_begin_keeps_body_and_reports),
        cmocka_unit_test(missing_end_is_tolerated),
        cmocka_unit_test(stops_at_end_line),
        cmocka_unit_test(stripped_trailing_spaces_count_as_zeros),
        cmocka_unit_test(backquote_and_space_are_both_zero),
        cmocka_unit_test(overlong_count_is_bounded_by_the_line),
        cmocka_unit_test(extra_characters_after_data_are_ignored),
        cmocka_unit_test(empty_lines_inside_data_are_skipped),
        cmocka_unit_test(appends_after_existing_bytes),
        cmocka_unit_test(rejects_null_arguments),
        cmocka_unit_test(mimekit_photo_uu_decodes),
        cmocka_unit_test(mimekit_photo_uu_states_decodes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
