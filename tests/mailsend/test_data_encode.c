/* test_data_encode.c — message data on the wire: CRLF line ends and dot-stuffing (RFC 5321
 * §4.5.2), so no input can end DATA early (SMTP smuggling). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ms_internal.h"

/* Encodes `in` in pieces of `piece` octets (0: whole) and finishes. */
static void encode(const char *in, size_t len, int dot_stuff, size_t piece, lm_buf *out)
{
    ms_encoder e;
    ms_encoder_init(&e, dot_stuff);
    lm_buf_reset(out);
    size_t step = piece ? piece : (len ? len : 1);
    for (size_t i = 0; i < len; i += step)
        assert_int_equal(ms_encoder_feed(&e, (const unsigned char *)in + i,
                                         len - i < step ? len - i : step, out), 0);
    assert_int_equal(ms_encoder_finish(&e, out), 0);
    assert_true(e.octets == out->len);
}

static void expect(const char *in, size_t len, int dot_stuff, const char *want)
{
    lm_buf out = LM_BUF_INIT;
    for (size_t piece = 0; piece <= 3; piece++) {
        encode(in, len, dot_stuff, piece, &out);
        if (out.len != strlen(want) || (out.len && memcmp(out.data, want, out.len) != 0))
            fail_msg("piece %zu: got [%s] want [%s]", piece, out.data, want);
    }
    lm_buf_free(&out);
}

#define EXPECT(in, stuff, want) expect(in, sizeof(in) - 1, stuff, want)

static void line_ends_become_crlf(void **state)
{
    (void)state;
    EXPECT("a\r\nb\nc\rd", 1, "a\r\nb\r\nc\r\nd\r\n.\r\n");
    EXPECT("a\n\n", 1, "a\r\n\r\n.\r\n");
    EXPECT("a\r\r\n", 1, "a\r\n\r\n.\r\n");
    EXPECT("a\n\r", 1, "a\r\n\r\n.\r\n");
    EXPECT("", 1, ".\r\n");
    EXPECT("x", 0, "x\r\n");
    EXPECT("", 0, "");
}

static void leading_dots_are_doubled(void **state)
{
    (void)state;
    EXPECT(".\r\n", 1, "..\r\n.\r\n");
    EXPECT("..x\r\n.y\r\nz.\r\n", 1, "...x\r\n..y\r\nz.\r\n.\r\n");
    EXPECT(".", 1, "..\r\n.\r\n");
    /* BDAT carries the octets as they are. */
    EXPECT(".\r\n..x", 0, ".\r\n..x\r\n");
}

/* The known smuggling sequences: whatever the input holds, the only CRLF "." CRLF on the wire
 * is the one the encoder adds at the end. */
static void smuggling_sequences_cannot_end_data(void **state)
{
    (void)state;
    EXPECT("a\n.\nMAIL FROM:<x>\n", 1, "a\r\n..\r\nMAIL FROM:<x>\r\n.\r\n");
    EXPECT("a\r.\rb", 1, "a\r\n..\r\nb\r\n.\r\n");
    EXPECT("a\r\n.\nb", 1, "a\r\n..\r\nb\r\n.\r\n");
    EXPECT("a\n.\r\nb", 1, "a\r\n..\r\nb\r\n.\r\n");
    EXPECT("a\r.\r\nb", 1, "a\r\n..\r\nb\r\n.\r\n");
    EXPECT("a\r\n.\r\nb", 1, "a\r\n..\r\nb\r\n.\r\n");
    /* Every input of CR, LF, "." and "x" up to 8 octets: the end marker occurs once, at the end. */
    static const char alphabet[] = "\r\n.x";
    char in[8];
    lm_buf out = LM_BUF_INIT;
    for (size_t len = 0; len <= 8; len++) {
        size_t total = 1;
        for (size_t i = 0; i < len; i++)
            total *= 4;
        for (size_t v = 0; v < total; v++) {
            size_t x = v;
            for (size_t i = 0; i < len; i++, x /= 4)
                in[i] = alphabet[x % 4];
            encode(in, len, 1, 1 + v % 3, &out);
            /* Find "\r\n.\r\n" or a leading ".\r\n": only at the very end. */
            const char *end = out.data + out.len - 3;
            assert_memory_equal(end, ".\r\n", 3);
            assert_true(out.len == 3 || !memcmp(end - 2, "\r\n", 2));
            for (const char *p = out.data; p < end; p++) {
                int line_start = p == out.data || p[-1] == '\n';
                assert_false(line_start && p[0] == '.' && p[1] == '\r');
                if (*p == '\r')
                    assert_int_equal(p[1], '\n');
                if (*p == '\n')
                    assert_int_equal(p[-1], '\r');
            }
        }
    }
    lm_buf_free(&out);
}

/* The rule, one octet at a time: CRLF, bare CR and bare LF end a line and become CRLF; with
 * dot-stuffing a line starting with "." gets another; the last line is ended. */
static void reference(const unsigned char *in, size_t len, int dot_stuff, lm_buf *out)
{
    lm_buf_reset(out);
    int start = 1;
    for (size_t i = 0; i < len; i++) {
        if (in[i] == '\r' || in[i] == '\n') {
            lm_buf_append(out, "\r\n", 2);
            if (in[i] == '\r' && i + 1 < len && in[i + 1] == '\n')
                i++;
            start = 1;
            continue;
        }
        if (start && dot_stuff && in[i] == '.')
            lm_buf_putc(out, '.');
        lm_buf_putc(out, in[i]);
        start = 0;
    }
    if (!start)
        lm_buf_append(out, "\r\n", 2);
    if (dot_stuff)
        lm_buf_append(out, ".\r\n", 3);
}

/* Long texts (the encoder scans eight octets at a time) with line ends and dots anywhere,
 * fed in random pieces, against the reference. */
static void long_random_texts_match_the_rule(void **state)
{
    (void)state;
    uint32_t seed = 12345;
    unsigned char in[600];
    lm_buf got = LM_BUF_INIT, want = LM_BUF_INIT;
    for (int round = 0; round < 3000; round++) {
        seed = seed * 1103515245u + 12345u;
        size_t len = (seed >> 8) % sizeof in;
        for (size_t i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            unsigned r = (seed >> 16) % 40;
            in[i] = r == 0 ? '\r' : r == 1 ? '\n' : r == 2 ? '.' : (unsigned char)('a' + r % 26);
            if (r == 3)
                in[i] = 0x80 | (seed & 0x7f); /* 8-bit octets too */
        }
        int stuff = round & 1;
        reference(in, len, stuff, &want);
        ms_encoder e;
        ms_encoder_init(&e, stuff);
        lm_buf_reset(&got);
        for (size_t i = 0; i < len;) {
            seed = seed * 1103515245u + 12345u;
            size_t piece = 1 + (seed >> 12) % 40;
            if (piece > len - i)
                piece = len - i;
            assert_int_equal(ms_encoder_feed(&e, in + i, piece, &got), 0);
            i += piece;
        }
        assert_int_equal(ms_encoder_finish(&e, &got), 0);
        assert_int_equal(got.len, want.len);
        assert_memory_equal(got.data, want.data, got.len);
        assert_true(e.octets == got.len);
    }
    lm_buf_free(&got);
    lm_buf_free(&want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(line_ends_become_crlf),
        cmocka_unit_test(leading_dots_are_doubled),
        cmocka_unit_test(smuggling_sequences_cannot_end_data),
        cmocka_unit_test(long_random_texts_match_the_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
