/* test_dkim_canon.c — DKIM canonicalisation (RFC 6376 §3.4): the §3.4.6 example, body edge
 * cases (empty body, trailing WSP and empty lines, a last line without CRLF, bare LF), body
 * hashes of RFC 8463's example, the l= cap, pieces of any size, header selection bottom-up,
 * b= removal, strict base64, the header block reader and the signature tag parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dkim_internal.h"
#include "lm_alloc.h"

/* Canonical body of `text` fed in pieces of `piece` octets (0 = at once). */
static char *body_canon(int canon, const char *text, size_t piece, uint64_t limit)
{
    static lm_buf out;
    lm_buf_free(&out);
    ma_dkim_body b;
    assert_int_equal(ma_dkim_body_init(&b, canon, 0, limit, &out), 0);
    size_t n = strlen(text);
    if (!piece)
        piece = n ? n : 1;
    for (size_t i = 0; i < n; i += piece)
        ma_dkim_body_feed(&b, (const unsigned char *)text + i, n - i < piece ? n - i : piece);
    assert_int_equal(ma_dkim_body_finish(&b, NULL, NULL), 0);
    ma_dkim_body_free(&b);
    return out.data ? out.data : (char *)"";
}

static char *header_canon(int canon, const char *field)
{
    static lm_buf out;
    lm_buf_free(&out);
    assert_int_equal(ma_dkim_canon_header(canon, field, strlen(field), 0, &out), 0);
    return out.data;
}

/* RFC 6376 §3.4.6 */
static const char example_body[] = " C \r\nD \t E\r\n\r\n\r\n";

static void rfc6376_example_relaxed_headers(void **state)
{
    (void)state;
    assert_string_equal(header_canon(MA_DKIM_RELAXED, "A: X"), "a:X\r\n");
    assert_string_equal(header_canon(MA_DKIM_RELAXED, "B : Y\t\r\n\tZ  "), "b:Y Z\r\n");
}

static void rfc6376_example_simple_headers_are_unchanged(void **state)
{
    (void)state;
    assert_string_equal(header_canon(MA_DKIM_SIMPLE, "A: X"), "A: X\r\n");
    assert_string_equal(header_canon(MA_DKIM_SIMPLE, "B : Y\t\r\n\tZ  "), "B : Y\t\r\n\tZ  \r\n");
}

static void rfc6376_example_relaxed_body(void **state)
{
    (void)state;
    assert_string_equal(body_canon(MA_DKIM_RELAXED, example_body, 0, UINT64_MAX),
                        " C\r\nD E\r\n");
}

static void rfc6376_example_simple_body(void **state)
{
    (void)state;
    assert_string_equal(body_canon(MA_DKIM_SIMPLE, example_body, 0, UINT64_MAX),
                        " C \r\nD \t E\r\n");
}

static void simple_body_of_empty_message_is_crlf(void **state)
{
    (void)state;
    assert_string_equal(body_canon(MA_DKIM_SIMPLE, "", 0, UINT64_MAX), "\r\n");
    assert_string_equal(body_canon(MA_DKIM_SIMPLE, "\r\n\r\n", 0, UINT64_MAX), "\r\n");
}

static void relaxed_body_of_empty_message_is_empty(void **state)
{
    (void)state;
    assert_string_equal(body_canon(MA_DKIM_RELAXED, "", 0, UINT64_MAX), "");
    assert_string_equal(body_canon(MA_DKIM_RELAXED, "\r\n \t\r\n\r\n", 0, UINT64_MAX), "");
}

static void relaxed_body_collapses_inner_whitespace_and_drops_trailing(void **state)
{
    (void)state;
    assert_string_equal(body_canon(MA_DKIM_RELAXED, "a \t b  \t\r\n\tc\r\n", 0, UINT64_MAX),
                        "a b\r\n c\r\n");
}

static void both_drop_trailing_empty_lines_but_keep_inner_ones(void **state)
{
    (void)state;
    assert_string_equal(body_canon(MA_DKIM_SIMPLE, "a\r\n\r\nb\r\n\r\n\r\n", 0, UINT64_MAX),
                        "a\r\n\r\nb\r\n");
    assert_string_equal(body_canon(MA_DKIM_RELAXED, "a\r\n  \r\nb\r\n \r\n\r\n", 0, UINT64_MAX),
                        "a\r\n\r\nb\r\n");
}

static void last_line_without_crlf_gets_one(void **state)
{
    (void)state;
    assert_string_equal(body_canon(MA_DKIM_SIMPLE, "abc", 0, UINT64_MAX), "abc\r\n");
    assert_string_equal(body_canon(MA_DKIM_RELAXED, "abc  ", 0, UINT64_MAX), "abc\r\n");
}

static void bare_lf_counts_as_crlf_and_bare_cr_is_data(void **state)
{
    (void)state;
    assert_string_equal(body_canon(MA_DKIM_SIMPLE, "a\nb\n\n", 0, UINT64_MAX), "a\r\nb\r\n");
    assert_string_equal(body_canon(MA_DKIM_SIMPLE, "a\rb\r\n", 0, UINT64_MAX), "a\rb\r\n");
    assert_string_equal(body_canon(MA_DKIM_SIMPLE, "a\r", 0, UINT64_MAX), "a\r\r\n");
}

static void pieces_of_any_size_give_the_same_body(void **state)
{
    (void)state;
    static const char text[] = "Hi.\r\n\r\nWe  lost\tthe game. \r\n \r\nx\r\r\n\n\r\n";
    for (int c = 0; c < 2; c++) {
        char *whole = strdup(body_canon(c, text, 0, UINT64_MAX));
        for (size_t piece = 1; piece < 8; piece++)
            assert_string_equal(body_canon(c, text, piece, UINT64_MAX), whole);
        free(whole);
    }
}

/* RFC 6376 §3.4.3 and §3.4.4 written the plain way, line by line, as the reference the
 * streaming canonicaliser (which passes runs of octets at once) must match. Line ends are
 * CRLF or a bare LF; a CR not before LF is data. */
static size_t reference_body(int relaxed, const char *in, size_t n, char *out)
{
    size_t o = 0, pending_empty = 0, i = 0;
    while (i < n) {
        size_t end = i;
        while (end < n && in[end] != '\n')
            end++;
        size_t len = end - i, next = end < n ? end + 1 : end;
        if (end < n && len && in[end - 1] == '\r')
            len--; /* CRLF */
        char line[512];
        size_t l = 0;
        for (size_t k = 0; k < len; k++) {
            char c = in[i + k];
            if (relaxed && (c == ' ' || c == '\t')) {
                while (k + 1 < len && (in[i + k + 1] == ' ' || in[i + k + 1] == '\t'))
                    k++;
                if (k + 1 < len)
                    line[l++] = ' ';
                continue;
            }
            line[l++] = c;
        }
        if (l == 0) {
            if (end < n)
                pending_empty++; /* kept only if text follows; a last empty one goes */
        } else {
            for (; pending_empty; pending_empty--)
                o += (size_t)sprintf(out + o, "\r\n");
            memcpy(out + o, line, l);
            o += l;
            o += (size_t)sprintf(out + o, "\r\n");
        }
        i = next;
    }
    if (!relaxed && o == 0)
        o += (size_t)sprintf(out + o, "\r\n");
    out[o] = '\0';
    return o;
}

static void streaming_matches_the_line_by_line_reference(void **state)
{
    (void)state;
    /* Blank-heavy text, and word-like text whose long plain lines take the whole-line path
     * (and its eight-octets-at-a-time scan) with a blank pair or a tab now and then. */
    static const char blanky[] = {'a', 'b', ' ', ' ', '\t', '\r', '\n', 'x', ' '};
    static const char wordy[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ       \n\r\n\t";
    uint32_t seed = 12345;
    char text[200], want[1200];
    for (int round = 0; round < 6000; round++) {
        const char *alphabet = round < 3000 ? blanky : wordy;
        size_t alen = round < 3000 ? sizeof blanky : sizeof wordy - 1;
        size_t n = 0, len = (size_t)(round % 120);
        for (; n < len; n++) {
            seed = seed * 1103515245u + 12345u;
            text[n] = alphabet[(seed >> 16) % alen];
        }
        text[n] = '\0';
        for (int relaxed = 0; relaxed < 2; relaxed++) {
            reference_body(relaxed, text, n, want);
            int canon = relaxed ? MA_DKIM_RELAXED : MA_DKIM_SIMPLE;
            assert_string_equal(body_canon(canon, text, 0, UINT64_MAX), want);
            for (size_t piece = 1; piece <= 7; piece++)
                assert_string_equal(body_canon(canon, text, piece, UINT64_MAX), want);
        }
    }
}

static void body_length_caps_what_is_hashed(void **state)
{
    (void)state;
    assert_string_equal(body_canon(MA_DKIM_SIMPLE, "abcdef\r\n", 0, 3), "abc");
    assert_string_equal(body_canon(MA_DKIM_SIMPLE, "abcdef\r\n", 0, 0), "");
    ma_dkim_body b;
    assert_int_equal(ma_dkim_body_init(&b, MA_DKIM_RELAXED, MA_DKIM_RSA_SHA256, 4, NULL), 0);
    ma_dkim_body_feed(&b, (const unsigned char *)"ab  cd\r\n", 8);
    unsigned char h[64];
    size_t hl;
    assert_int_equal(ma_dkim_body_finish(&b, h, &hl), 0);
    assert_int_equal(b.length, 7); /* "ab cd\r\n" */
    assert_int_equal(b.hashed, 4);
    ma_dkim_body_free(&b);
}

static char *b64(const unsigned char *p, size_t n)
{
    static char buf[128];
    char *s;
    assert_int_equal(ma_dkim_b64_encode(p, n, &s, NULL), 0);
    snprintf(buf, sizeof buf, "%s", s);
    lm_free(s);
    return buf;
}

/* RFC 8463 appendix A's message: bh= of both its signatures. */
static void rfc8463_body_hash(void **state)
{
    (void)state;
    static const char body[] = "Hi.\r\n\r\nWe lost the game.  Are you hungry yet?\r\n\r\nJoe.\r\n";
    ma_dkim_body b;
    unsigned char h[64];
    size_t hl;
    assert_int_equal(ma_dkim_body_init(&b, MA_DKIM_RELAXED, MA_DKIM_ED25519_SHA256, UINT64_MAX,
                                       NULL), 0);
    ma_dkim_body_feed(&b, (const unsigned char *)body, strlen(body));
    assert_int_equal(ma_dkim_body_finish(&b, h, &hl), 0);
    ma_dkim_body_free(&b);
    assert_int_equal(hl, 32);
    assert_string_equal(b64(h, hl), "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=");
}

/* The SHA-256 of "\r\n" (simple empty body) and of "" (relaxed empty body), RFC 6376 §3.4.3/4. */
static void empty_body_hashes(void **state)
{
    (void)state;
    unsigned char h[64];
    size_t hl;
    ma_dkim_body b;
    assert_int_equal(ma_dkim_body_init(&b, MA_DKIM_SIMPLE, MA_DKIM_RSA_SHA256, UINT64_MAX, NULL), 0);
    assert_int_equal(ma_dkim_body_finish(&b, h, &hl), 0);
    ma_dkim_body_free(&b);
    assert_string_equal(b64(h, hl), "frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=");
    assert_int_equal(ma_dkim_body_init(&b, MA_DKIM_RELAXED, MA_DKIM_RSA_SHA256, UINT64_MAX, NULL), 0);
    assert_int_equal(ma_dkim_body_finish(&b, h, &hl), 0);
    ma_dkim_body_free(&b);
    assert_string_equal(b64(h, hl), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
}

static void relaxed_header_edge_cases(void **state)
{
    (void)state;
    /* no space after the colon, WSP before it, an empty value, no colon at all */
    assert_string_equal(header_canon(MA_DKIM_RELAXED, "Subject:foo"), "subject:foo\r\n");
    assert_string_equal(header_canon(MA_DKIM_RELAXED, "SUBJECT \t: foo "), "subject:foo\r\n");
    assert_string_equal(header_canon(MA_DKIM_RELAXED, "X-Empty:  \t"), "x-empty:\r\n");
    assert_string_equal(header_canon(MA_DKIM_RELAXED, "X-No-Colon"), "x-no-colon:\r\n");
    /* folding becomes one space; runs inside the value become one */
    assert_string_equal(header_canon(MA_DKIM_RELAXED, "To: a@b,\r\n  c@d,\r\n\t e@f"),
                        "to:a@b, c@d, e@f\r\n");
}

static void header_without_crlf_for_the_signature_field(void **state)
{
    (void)state;
    lm_buf out = LM_BUF_INIT;
    assert_int_equal(ma_dkim_canon_header(MA_DKIM_RELAXED, "DKIM-Signature: a=1; b=", 23, 1,
                                          &out), 0);
    assert_string_equal(out.data, "dkim-signature:a=1; b=");
    lm_buf_free(&out);
}

static void reader_finds_the_header_end_across_pieces(void **state)
{
    (void)state;
    static const char msg[] = "A: 1\nB: 2\r\n  x\r\n\r\nbody\n";
    for (size_t piece = 1; piece <= sizeof msg; piece++) {
        ma_dkim_reader r = {LM_BUF_INIT, 1000, 0, 0};
        lm_buf body = LM_BUF_INIT;
        for (size_t i = 0; i < sizeof msg - 1; i += piece) {
            size_t n = sizeof msg - 1 - i < piece ? sizeof msg - 1 - i : piece;
            const unsigned char *bp;
            size_t bl;
            assert_int_equal(ma_dkim_reader_feed(&r, (const unsigned char *)msg + i, n, &bp, &bl), 0);
            if (bl)
                lm_buf_append(&body, bp, bl);
        }
        assert_true(r.in_body);
        assert_string_equal(r.head.data, "A: 1\r\nB: 2\r\n  x\r\n");
        assert_string_equal(body.data, "body\n");
        lm_buf_free(&r.head);
        lm_buf_free(&body);
    }
}

static void reader_limit_at_and_one_past(void **state)
{
    (void)state;
    const unsigned char *bp;
    size_t bl;
    /* "A: 12\r\n" is 7 octets kept; the limit counts the CRLF of the line being read. */
    ma_dkim_reader r = {LM_BUF_INIT, 7, 0, 0};
    assert_int_equal(ma_dkim_reader_feed(&r, (const unsigned char *)"A: 12\n\nb", 8, &bp, &bl), 0);
    assert_true(r.in_body);
    lm_buf_free(&r.head);
    ma_dkim_reader r2 = {LM_BUF_INIT, 7, 0, 0};
    assert_int_equal(ma_dkim_reader_feed(&r2, (const unsigned char *)"A: 123\n\nb", 9, &bp, &bl),
                     MAILAUTH_E_LIMIT);
    lm_buf_free(&r2.head);
}

static void selection_takes_instances_bottom_up(void **state)
{
    (void)state;
    static const char text[] = "From: a\r\nX: 1\r\nx: 2\r\nSubject: s\r\n";
    ma_dkim_field *f;
    size_t n;
    assert_int_equal(ma_dkim_split_fields(text, strlen(text), 10, &f, &n), 0);
    assert_int_equal(n, 4);
    unsigned char used[4];
    const char *names[] = {"x", "from", "X", "x", "missing"};
    size_t lens[] = {1, 4, 1, 1, 7};
    lm_buf out = LM_BUF_INIT;
    assert_int_equal(ma_dkim_canon_selected(MA_DKIM_SIMPLE, text, f, n, used, names, lens, 5,
                                            &out), 0);
    /* last x first, then From, then the first X; the third x and "missing" add nothing */
    assert_string_equal(out.data, "x: 2\r\nFrom: a\r\nX: 1\r\n");
    lm_buf_free(&out);
    lm_free(f);
    assert_int_equal(ma_dkim_split_fields(text, strlen(text), 3, &f, &n), MAILAUTH_E_LIMIT);
    lm_free(f);
}

static void split_fields_joins_continuations_and_skips_a_leading_one(void **state)
{
    (void)state;
    static const char text[] = " orphan\r\nA: 1\r\n 2\r\nB:3";
    ma_dkim_field *f;
    size_t n;
    assert_int_equal(ma_dkim_split_fields(text, strlen(text), 10, &f, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(f[0].len, strlen("A: 1\r\n 2"));
    assert_int_equal(f[0].name_len, 1);
    assert_int_equal(f[1].len, 3);
    lm_free(f);
}

static void strip_b_removes_only_the_b_value(void **state)
{
    (void)state;
    static const char field[] = "DKIM-Signature: v=1; bh=abc=;\r\n b=AB\r\n CD ; h=from";
    lm_buf out = LM_BUF_INIT;
    assert_int_equal(ma_dkim_strip_b(field, strlen(field), &out), 0);
    assert_string_equal(out.data, "DKIM-Signature: v=1; bh=abc=;\r\n b=; h=from");
    lm_buf_reset(&out);
    static const char last[] = "DKIM-Signature: v=1; b= AB\r\n CD";
    assert_int_equal(ma_dkim_strip_b(last, strlen(last), &out), 0);
    assert_string_equal(out.data, "DKIM-Signature: v=1; b=");
    lm_buf_free(&out);
    assert_int_equal(ma_dkim_strip_b("X: a=1", 6, &out), 0);
    assert_int_equal(ma_dkim_strip_b("X: =", 4, &out), MAILAUTH_E_SYNTAX);
    lm_buf_free(&out);
}

static void base64_is_strict_but_skips_fws(void **state)
{
    (void)state;
    unsigned char *o;
    size_t n;
    assert_int_equal(ma_dkim_b64_decode("Zm9v\r\n YmE=", 11, &o, &n), 0);
    assert_int_equal(n, 5);
    assert_memory_equal(o, "fooba", 5);
    lm_free(o);
    assert_int_equal(ma_dkim_b64_decode("", 0, &o, &n), 0);
    assert_int_equal(n, 0);
    lm_free(o);
    const char *bad[] = {"Zm9v!", "Zm9", "Zm==Zm9v", "Z===", "Zm9=v", "Zh==" /* bits left */,
                         "Zm9vY!Fy", "Zm9vYm=y", "Zm9v\x80mFy"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(ma_dkim_b64_decode(bad[i], strlen(bad[i]), &o, &n), MAILAUTH_E_SYNTAX);
}

/* Whatever the FWS inside it, base64 decodes to what OpenSSL encoded: four characters at a
 * time and one at a time give the same octets. */
static void base64_round_trips_with_fws_anywhere(void **state)
{
    (void)state;
    uint32_t seed = 99;
    for (int round = 0; round < 500; round++) {
        unsigned char data[64];
        size_t len = (size_t)(round % 64);
        for (size_t i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            data[i] = (unsigned char)(seed >> 16);
        }
        char *enc;
        size_t enc_len;
        assert_int_equal(ma_dkim_b64_encode(data, len, &enc, &enc_len), 0);
        char spaced[256];
        size_t k = 0;
        for (size_t i = 0; i < enc_len; i++) {
            seed = seed * 1103515245u + 12345u;
            if ((seed >> 16) % 5 == 0)
                spaced[k++] = " \t\r\n"[(seed >> 20) % 4];
            spaced[k++] = enc[i];
        }
        lm_free(enc);
        unsigned char *o;
        size_t n;
        assert_int_equal(ma_dkim_b64_decode(spaced, k, &o, &n), 0);
        assert_int_equal(n, len);
        assert_memory_equal(o, data, len);
        lm_free(o);
    }
}

static void signature_tags_are_parsed(void **state)
{
    (void)state;
    static const char v[] = " v=1; a=rsa-sha256; c=relaxed/simple; d=Example.com;\r\n"
                            " i=joe@sub.example.com; s=sel; t=100; x=200; l=5; q=dns/txt;\r\n"
                            " h=From : To:\r\n\tsubject; bh=Zm9v; b=Zm9v\r\n YmE=";
    ma_dkim_sig s;
    assert_int_equal(ma_dkim_sig_parse(v, strlen(v), 0, 0, &s), 0);
    assert_int_equal(s.alg, MA_DKIM_RSA_SHA256);
    assert_int_equal(s.hcanon, MA_DKIM_RELAXED);
    assert_int_equal(s.bcanon, MA_DKIM_SIMPLE);
    assert_string_equal(s.d, "Example.com");
    assert_string_equal(s.i, "joe@sub.example.com");
    assert_int_equal(s.h_count, 3);
    assert_string_equal(s.h[0], "From");
    assert_string_equal(s.h[2], "subject");
    assert_true(s.has_l && s.l == 5 && s.t == 100 && s.x == 200);
    assert_string_equal(s.b_text, "Zm9vYmE=");
    assert_int_equal(s.b_len, 5);
    ma_dkim_sig_free(&s);
}

static int parse_reason(const char *v)
{
    ma_dkim_sig s;
    int rc = ma_dkim_sig_parse(v, strlen(v), 0, 4, &s);
    ma_dkim_sig_free(&s);
    return rc;
}

#define SIG_OK "v=1; a=rsa-sha256; d=example.com; s=sel; bh=Zm9v; b=Zm9v; "

static void malformed_signatures_have_reasons(void **state)
{
    (void)state;
    assert_int_equal(parse_reason(SIG_OK "h=from"), 0);
    assert_int_equal(parse_reason(SIG_OK "h=from; h=to"), MAILAUTH_DKIM_SIG_SYNTAX);
    assert_int_equal(parse_reason("v=1; =x"), MAILAUTH_DKIM_SIG_SYNTAX);
    assert_int_equal(parse_reason("v=1; a=rsa-sha256; d=example.com; s=sel; b=Zm9v; h=from"),
                     MAILAUTH_DKIM_SIG_MISSING_TAG);
    assert_int_equal(parse_reason("v=2; a=rsa-sha256; d=example.com; s=sel; bh=Zm9v; b=Zm9v; h=from"),
                     MAILAUTH_DKIM_SIG_VERSION);
    assert_int_equal(parse_reason("v=1; a=rsa-md5; d=example.com; s=sel; bh=Zm9v; b=Zm9v; h=from"),
                     MAILAUTH_DKIM_SIG_ALGORITHM);
    assert_int_equal(parse_reason(SIG_OK "h=from; c=fancy"), MAILAUTH_DKIM_SIG_CANON);
    assert_int_equal(parse_reason(SIG_OK "h=from; q=http"), MAILAUTH_DKIM_SIG_QUERY);
    assert_int_equal(parse_reason(SIG_OK "h=to"), MAILAUTH_DKIM_SIG_FROM_NOT_SIGNED);
    assert_int_equal(parse_reason(SIG_OK "h=from; i=@evil.com"), MAILAUTH_DKIM_SIG_IDENTITY);
    assert_int_equal(parse_reason(SIG_OK "h=from; i=@notexample.com"), MAILAUTH_DKIM_SIG_IDENTITY);
    assert_int_equal(parse_reason(SIG_OK "h=from; i=@a.example.com"), 0);
    assert_int_equal(parse_reason(SIG_OK "h=from; t=12a"), MAILAUTH_DKIM_SIG_VALUE);
    assert_int_equal(parse_reason(SIG_OK "h=from; t=1234567890123"), MAILAUTH_DKIM_SIG_VALUE);
    assert_int_equal(parse_reason(SIG_OK "h=from; t=10; x=9"), MAILAUTH_DKIM_SIG_X_BEFORE_T);
    assert_int_equal(parse_reason(SIG_OK "h=from::to"), MAILAUTH_DKIM_SIG_VALUE);
    /* h= at max_h (4) and one past */
    assert_int_equal(parse_reason(SIG_OK "h=from:a:b:c"), 0);
    assert_int_equal(parse_reason(SIG_OK "h=from:a:b:c:d"), MAILAUTH_DKIM_SIG_TOO_MANY_H);
    assert_int_equal(parse_reason("v=1; a=rsa-sha256; d=example.com; s=sel; bh=Zm9v; b=Zm9v!; h=from"),
                     MAILAUTH_DKIM_SIG_BASE64);
    assert_int_equal(parse_reason("v=1; a=rsa-sha256; d=example.com; s=sel; bh=; b=Zm9v; h=from"),
                     MAILAUTH_DKIM_SIG_BASE64);
    /* a huge l= is capped, not an error */
    ma_dkim_sig s;
    static const char big[] = SIG_OK "h=from; l=123456789012345678901234567890";
    assert_int_equal(ma_dkim_sig_parse(big, strlen(big), 0, 0, &s), 0);
    assert_true(s.l == UINT64_MAX);
    ma_dkim_sig_free(&s);
}

static void arc_message_signature_form(void **state)
{
    (void)state;
    static const char v[] = "i=2; a=rsa-sha256; d=example.com; s=sel; bh=Zm9v; b=Zm9v; h=from";
    ma_dkim_sig s;
    assert_int_equal(ma_dkim_sig_parse(v, strlen(v), MA_DKIM_SIG_AMS, 0, &s), 0);
    assert_int_equal(s.instance, 2);
    ma_dkim_sig_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc6376_example_relaxed_headers),
        cmocka_unit_test(rfc6376_example_simple_headers_are_unchanged),
        cmocka_unit_test(rfc6376_example_relaxed_body),
        cmocka_unit_test(rfc6376_example_simple_body),
        cmocka_unit_test(simple_body_of_empty_message_is_crlf),
        cmocka_unit_test(relaxed_body_of_empty_message_is_empty),
        cmocka_unit_test(relaxed_body_collapses_inner_whitespace_and_drops_trailing),
        cmocka_unit_test(both_drop_trailing_empty_lines_but_keep_inner_ones),
        cmocka_unit_test(last_line_without_crlf_gets_one),
        cmocka_unit_test(bare_lf_counts_as_crlf_and_bare_cr_is_data),
        cmocka_unit_test(pieces_of_any_size_give_the_same_body),
        cmocka_unit_test(streaming_matches_the_line_by_line_reference),
        cmocka_unit_test(body_length_caps_what_is_hashed),
        cmocka_unit_test(rfc8463_body_hash),
        cmocka_unit_test(empty_body_hashes),
        cmocka_unit_test(relaxed_header_edge_cases),
        cmocka_unit_test(header_without_crlf_for_the_signature_field),
        cmocka_unit_test(reader_finds_the_header_end_across_pieces),
        cmocka_unit_test(reader_limit_at_and_one_past),
        cmocka_unit_test(selection_takes_instances_bottom_up),
        cmocka_unit_test(split_fields_joins_continuations_and_skips_a_leading_one),
        cmocka_unit_test(strip_b_removes_only_the_b_value),
        cmocka_unit_test(base64_is_strict_but_skips_fws),
        cmocka_unit_test(base64_round_trips_with_fws_anywhere),
        cmocka_unit_test(signature_tags_are_parsed),
        cmocka_unit_test(malformed_signatures_have_reasons),
        cmocka_unit_test(arc_message_signature_form),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
