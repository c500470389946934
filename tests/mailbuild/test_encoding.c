/* test_encoding.c — the transfer encoding of each part: chosen from the content (RFC 2045 §6,
 * RFC 6532 §3.5, 8BITMIME), forced and refused (RFC 2045 §2.7-2.8, RFC 2046 §5.2.1), carried
 * up to the multiparts (RFC 2045 §6.4); line ends made CRLF (RFC 2045 §6.1, RFC 2046 §4.1.1);
 * charsets converted; large bodies through the streaming encoders. */
#include "build_util.h"

#define NO_GENERATED (MAILBUILD_F_NO_DATE | MAILBUILD_F_NO_MESSAGE_ID)

/* A message whose body is one part of `type` holding `data`; the part in *part. */
static mailbuild_message *single(unsigned flags, const char *type, const void *data, size_t len,
                                 mailbuild_part **part)
{
    mailbuild_message *m = new_message(flags | NO_GENERATED);
    assert_int_equal(mailbuild_part_new(m, type, data, len, part), 0);
    assert_int_equal(mailbuild_set_body(m, *part), 0);
    return m;
}

/* The body part 0 was written with, as a NUL-terminated copy in a static buffer. */
static const char *wire_body(const built *b)
{
    static char buf[8192];
    size_t n;
    const char *body = part_wire_body(b->parsed, 0, &n);
    assert_true(n < sizeof buf);
    memcpy(buf, body, n);
    buf[n] = '\0';
    return buf;
}

/* Part 0's header block contains `line` (a whole header line with its CRLF). */
static void expect_header_line(const built *b, const char *line)
{
    const char *h = header_block(b->bytes);
    if (!contains(h, line))
        fail_msg("header block lacks \"%s\":\n%s", line, h);
}

static void expect_decoded(const built *b, size_t id, const void *want, size_t len)
{
    const mailparse_part *p = mailparse_message_part(b->parsed, id);
    assert_non_null(p);
    assert_int_equal(p->body_len, len);
    assert_memory_equal(p->body, want, len);
}

/* ---- chosen from the content ----------------------------------------------------------------- */

static void ascii_text_is_7bit(void **state)
{
    (void)state;
    mailbuild_part *p;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_set_text(m, "plain ascii\n", 12, &p), 0);
    assert_int_equal(mailbuild_part_encoding(p), MAILBUILD_ENC_7BIT);
    built b;
    build(m, &b);
    expect_header_line(&b, "Content-Type: text/plain; charset=us-ascii\r\n"
                           "Content-Transfer-Encoding: 7bit\r\n");
    assert_string_equal(wire_body(&b), "plain ascii\r\n");
    assert_int_equal(mailparse_message_part(b.parsed, 0)->encoding, MAILPARSE_ENC_7BIT);
    built_free(&b);
    mailbuild_message_free(m);
}

/* A few accented letters: quoted-printable is smaller than base64 and stays readable. */
static void mostly_ascii_utf8_text_is_quoted_printable(void **state)
{
    (void)state;
    const char *text = "Caf\xc3\xa9 au lait, s'il vous pla\xc3\xaet.\n";
    mailbuild_part *p;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_set_text(m, text, strlen(text), &p), 0);
    assert_int_equal(mailbuild_part_encoding(p), MAILBUILD_ENC_QP);
    built b;
    build(m, &b);
    expect_header_line(&b, "Content-Type: text/plain; charset=utf-8\r\n"
                           "Content-Transfer-Encoding: quoted-printable\r\n");
    assert_string_equal(wire_body(&b), "Caf=C3=A9 au lait, s'il vous pla=C3=AEt.\r\n");
    assert_string_equal(mailparse_message_part(b.parsed, 0)->text,
                        "Caf\xc3\xa9 au lait, s'il vous pla\xc3\xaet.\r\n");
    built_free(&b);
    mailbuild_message_free(m);
}

/* Three bytes a character: quoted-printable would triple the size, base64 adds a third. */
static void mostly_non_ascii_text_is_base64(void **state)
{
    (void)state;
    const char *text = "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe6\x96\x87\xe7\xab\xa0"
                       "\xe3\x81\xa7\xe3\x81\x99\n"; /* 日本語の文章です */
    mailbuild_part *p;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_set_text(m, text, strlen(text), &p), 0);
    assert_int_equal(mailbuild_part_encoding(p), MAILBUILD_ENC_BASE64);
    built b;
    build(m, &b);
    expect_header_line(&b, "Content-Type: text/plain; charset=utf-8\r\n"
                           "Content-Transfer-Encoding: base64\r\n");
    assert_string_equal(wire_body(&b), "5pel5pys6Kqe44Gu5paH56ug44Gn44GZDQo=\r\n");
    const char *want = "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe6\x96\x87\xe7\xab\xa0"
                       "\xe3\x81\xa7\xe3\x81\x99\r\n";
    assert_string_equal(mailparse_message_part(b.parsed, 0)->text, want);
    built_free(&b);
    mailbuild_message_free(m);
}

/* 8BITMIME (RFC 6152) or SMTPUTF8 (RFC 6531): UTF-8 text goes as it is. */
static void utf8_text_is_8bit_when_the_transport_takes_it(void **state)
{
    (void)state;
    const unsigned flags[] = {MAILBUILD_F_8BIT, MAILBUILD_F_SMTPUTF8};
    for (size_t i = 0; i < 2; i++) {
        mailbuild_part *p;
        mailbuild_message *m = new_message(flags[i] | NO_GENERATED);
        assert_int_equal(mailbuild_set_text(m, "Gr\xc3\xbc\xc3\x9f" "e\n", 8, &p), 0);
        assert_int_equal(mailbuild_part_encoding(p), MAILBUILD_ENC_8BIT);
        built b;
        build(m, &b);
        expect_header_line(&b, "Content-Type: text/plain; charset=utf-8\r\n"
                               "Content-Transfer-Encoding: 8bit\r\n");
        assert_string_equal(wire_body(&b), "Gr\xc3\xbc\xc3\x9f" "e\r\n");
        assert_string_equal(mailparse_message_part(b.parsed, 0)->text, "Gr\xc3\xbc\xc3\x9f" "e\r\n");
        built_free(&b);
        mailbuild_message_free(m);
    }
}

/* A line of `len` characters `c` followed by a line end, in a malloc'd string. */
static char *long_line(size_t len, char c)
{
    char *s = malloc(len + 2);
    assert_non_null(s);
    memset(s, c, len);
    s[len] = '\n';
    s[len + 1] = '\0';
    return s;
}

/* RFC 5322 §2.1.1 / RFC 2045 §2.7: lines of 7bit data are at most 998 octets. One more and the
 * text goes as quoted-printable, whose soft line breaks (RFC 2045 §6.7 rule 5) keep every
 * line within 76 characters. */
static void ascii_line_over_998_is_quoted_printable_with_soft_breaks(void **state)
{
    (void)state;
    for (size_t len = 998; len <= 999; len++) {
        char *text = long_line(len, 'a');
        mailbuild_part *p;
        mailbuild_message *m = new_message(NO_GENERATED);
        assert_int_equal(mailbuild_set_text(m, text, len + 1, &p), 0);
        built b;
        build(m, &b);
        size_t n;
        const char *body = part_wire_body(b.parsed, 0, &n);
        if (len == 998) {
            assert_int_equal(mailbuild_part_encoding(p), MAILBUILD_ENC_7BIT);
            assert_int_equal(longest_line(body, n), 998);
        } else {
            assert_int_equal(mailbuild_part_encoding(p), MAILBUILD_ENC_QP);
            expect_header_line(&b, "Content-Transfer-Encoding: quoted-printable\r\n");
            assert_true(longest_line(body, n) <= 76);
            /* 75 characters and "=" per line, the rest on the last */
            assert_int_equal(n, 13 * 78 + 24 + 2);
            assert_memory_equal(body + 75, "=\r\n", 3);
        }
        const mailparse_part *pt = mailparse_message_part(b.parsed, 0);
        assert_int_equal(pt->text_len, len + 2);
        assert_memory_equal(pt->text, text, len);
        assert_memory_equal(pt->text + len, "\r\n", 2);
        built_free(&b);
        mailbuild_message_free(m);
        free(text);
    }
}

/* 8BITMIME keeps the line limit (RFC 6152 §3, RFC 5321 §4.5.3.1.6): 998 octets go as 8bit,
 * 999 as quoted-printable. */
static void long_line_is_quoted_printable_even_with_8bit(void **state)
{
    (void)state;
    for (size_t len = 998; len <= 999; len++) {
        char *text = long_line(len, 'x');
        text[0] = (char)0xc3; /* "é" and len - 2 more characters */
        text[1] = (char)0xa9;
        mailbuild_part *p;
        mailbuild_message *m = new_message(MAILBUILD_F_8BIT | NO_GENERATED);
        assert_int_equal(mailbuild_set_text(m, text, len + 1, &p), 0);
        assert_int_equal(mailbuild_part_encoding(p), len == 998 ? MAILBUILD_ENC_8BIT : MAILBUILD_ENC_QP);
        built b;
        build(m, &b);
        size_t n;
        const char *body = part_wire_body(b.parsed, 0, &n);
        assert_true(longest_line(body, n) <= (len == 998 ? 998 : 76));
        assert_memory_equal(mailparse_message_part(b.parsed, 0)->text, text, len);
        built_free(&b);
        mailbuild_message_free(m);
        free(text);
    }
}

/* RFC 2045 §2.7-2.8: neither 7bit nor 8bit data holds a NUL. */
static void nul_in_text_is_never_7bit_or_8bit(void **state)
{
    (void)state;
    const unsigned flags[] = {0, MAILBUILD_F_8BIT};
    for (size_t i = 0; i < 2; i++) {
        mailbuild_part *p;
        mailbuild_message *m = new_message(flags[i] | NO_GENERATED);
        assert_int_equal(mailbuild_set_text(m, "a\0b\n", 4, &p), 0);
        mailbuild_encoding e = mailbuild_part_encoding(p);
        assert_true(e == MAILBUILD_ENC_QP || e == MAILBUILD_ENC_BASE64);
        built b;
        build(m, &b);
        assert_null(memchr(b.bytes, '\0', b.len));
        assert_string_equal(wire_body(&b), "a=00b\r\n");
        expect_decoded(&b, 0, "a\0b\r\n", 5);
        built_free(&b);
        mailbuild_message_free(m);
    }
}

static void binary_attachment_is_base64(void **state)
{
    (void)state;
    unsigned char all[256];
    for (size_t i = 0; i < sizeof all; i++)
        all[i] = (unsigned char)i;
    mailbuild_part *p;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_add_attachment(m, all, sizeof all, NULL, "all.bin", &p), 0);
    assert_int_equal(mailbuild_part_encoding(p), MAILBUILD_ENC_BASE64);
    built b;
    build(m, &b);
    size_t id = part_of_type(b.parsed, "application/octet-stream", 0);
    size_t n;
    const char *body = part_wire_body(b.parsed, id, &n);
    /* 344 characters: four lines of 76 and one of 40; the attachment alone is the body, so
     * the message's last line end follows it */
    assert_int_equal(n, 4 * 78 + 40 + 2);
    assert_memory_equal(body, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4\r\n", 78);
    assert_memory_equal(body + 4 * 78, "5OXm5+jp6uvs7e7v8PHy8/T19vf4+fr7/P3+/w==", 40);
    expect_decoded(&b, id, all, sizeof all);
    built_free(&b);
    mailbuild_message_free(m);
}

/* Data already in 7-bit lines with CRLF travels as it is, byte for byte. */
static void ascii_attachment_with_crlf_lines_is_7bit(void **state)
{
    (void)state;
    const char *data = "line one\r\nline two\r\n";
    mailbuild_part *p;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_add_attachment(m, BYTES(data), strlen(data), "application/x-data", NULL, &p), 0);
    assert_int_equal(mailbuild_part_encoding(p), MAILBUILD_ENC_7BIT);
    built b;
    build(m, &b);
    size_t id = part_of_type(b.parsed, "application/x-data", 0);
    size_t n;
    const char *body = part_wire_body(b.parsed, id, &n);
    assert_int_equal(n, strlen(data));
    assert_memory_equal(body, data, n);
    expect_decoded(&b, id, data, strlen(data));
    built_free(&b);
    mailbuild_message_free(m);
}

/* A bare LF in data that is not text is a byte to keep, which 7bit cannot carry (RFC 2045
 * §2.7): base64 does, exactly. */
static void ascii_attachment_with_bare_lf_is_base64_and_kept_exactly(void **state)
{
    (void)state;
    const char *data = "line one\nline two\r\nthree\r";
    mailbuild_part *p;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_add_attachment(m, BYTES(data), strlen(data), "application/x-data", NULL, &p), 0);
    assert_int_equal(mailbuild_part_encoding(p), MAILBUILD_ENC_BASE64);
    built b;
    build(m, &b);
    size_t id = part_of_type(b.parsed, "application/x-data", 0);
    assert_int_equal(mailparse_message_part(b.parsed, id)->encoding, MAILPARSE_ENC_BASE64);
    expect_decoded(&b, id, data, strlen(data));
    built_free(&b);
    mailbuild_message_free(m);
}

/* UTF-8 text made of words from `words`, with lines of various lengths and every kind of
 * line end. */
static char *mixed_text(size_t len, uint32_t seed, size_t *out_len)
{
    static const char *const words[] = {
        "plain ", "caf\xc3\xa9 ", "words ", "x=y ", "tab\t", "  ", "From ", ".", "a-b ",
        "\xe2\x82\xac", "end ", "\t", "--=_", "longerwordhere", "text ", "and ", "more ", "the ",
        "\xf0\x9f\x8e\x89", "of ", "mail ", "body ", "lines ", "go ",
    };
    static const char *const ends[] = {"\n", "\r\n", "\r", " \n", "\t\r\n"};
    char *s = malloc(len + 64);
    assert_non_null(s);
    size_t n = 0, col = 0;
    uint32_t x = seed | 1u;
    while (n < len) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        const char *w = words[x % (sizeof words / sizeof *words)];
        if (col > 40 + (x >> 8) % 200) {
            w = ends[(x >> 4) % (sizeof ends / sizeof *ends)];
            col = 0;
        } else {
            col += strlen(w);
        }
        memcpy(s + n, w, strlen(w));
        n += strlen(w);
    }
    memcpy(s + n, "\r\n", 3);
    *out_len = n + 2;
    return s;
}

/* `text` with every CR, LF and CRLF made CRLF. */
static char *crlf_form(const char *text, size_t len, size_t *out_len)
{
    char *o = malloc(2 * len + 1);
    assert_non_null(o);
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\r' || text[i] == '\n') {
            o[k++] = '\r';
            o[k++] = '\n';
            if (text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')
                i++;
        } else {
            o[k++] = text[i];
        }
    }
    o[k] = '\0';
    *out_len = k;
    return o;
}

/* RFC 2045 §6.7 rule 5 and §6.8: encoded lines are at most 76 characters. */
static void encoded_lines_stay_within_76_characters(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    mailbuild_part *root;
    assert_int_equal(mailbuild_multipart_new(m, "mixed", &root), 0);
    size_t text_len;
    char *text = mixed_text(20000, 7, &text_len);
    unsigned char bin[5000];
    fill_pseudo_random(bin, sizeof bin, 11);
    mailbuild_part *qp, *b64, *forced_qp;
    assert_int_equal(mailbuild_part_new(m, "text/plain", BYTES(text), text_len, &qp), 0);
    assert_int_equal(mailbuild_part_new(m, "application/octet-stream", bin, sizeof bin, &b64), 0);
    assert_int_equal(mailbuild_part_new(m, "application/octet-stream", bin, sizeof bin, &forced_qp), 0);
    assert_int_equal(mailbuild_part_set_encoding(forced_qp, MAILBUILD_ENC_QP), 0);
    assert_int_equal(mailbuild_part_append(root, qp), 0);
    assert_int_equal(mailbuild_part_append(root, b64), 0);
    assert_int_equal(mailbuild_part_append(root, forced_qp), 0);
    assert_int_equal(mailbuild_set_body(m, root), 0);
    assert_int_equal(mailbuild_part_encoding(qp), MAILBUILD_ENC_QP);
    assert_int_equal(mailbuild_part_encoding(b64), MAILBUILD_ENC_BASE64);
    built b;
    build(m, &b);
    for (size_t id = 1; id <= 3; id++) {
        size_t n;
        const char *body = part_wire_body(b.parsed, id, &n);
        assert_true(longest_line(body, n) <= 76);
    }
    size_t want_len;
    char *want = crlf_form(text, text_len, &want_len);
    const mailparse_part *t = mailparse_message_part(b.parsed, 1);
    assert_int_equal(t->text_len, want_len);
    assert_memory_equal(t->text, want, want_len);
    expect_decoded(&b, 2, bin, sizeof bin);
    expect_decoded(&b, 3, bin, sizeof bin);
    built_free(&b);
    mailbuild_message_free(m);
    free(want);
    free(text);
}

/* RFC 5322 §2.1.1 and §2.3: CRLF only, no line over 998, whatever the parts hold. */
static void every_output_line_ends_with_crlf_and_stays_within_998(void **state)
{
    (void)state;
    const unsigned flags[] = {0, MAILBUILD_F_8BIT, MAILBUILD_F_SMTPUTF8};
    for (size_t f = 0; f < 3; f++) {
        mailbuild_message *m = new_message(flags[f]);
        assert_int_equal(mailbuild_add_address(m, "From", NULL, "a@example.org"), 0);
        size_t text_len;
        char *text = mixed_text(6000, 3 + (uint32_t)f, &text_len);
        char *longline = long_line(3000, 'z');
        longline[2999] = ' ';
        unsigned char bin[3000];
        fill_pseudo_random(bin, sizeof bin, 5);
        assert_int_equal(mailbuild_set_text(m, text, text_len, NULL), 0);
        assert_int_equal(mailbuild_set_html(m, longline, 3001, NULL), 0);
        assert_int_equal(mailbuild_add_attachment(m, bin, sizeof bin, NULL, "b.bin", NULL), 0);
        assert_int_equal(mailbuild_add_attachment(m, BYTES("a\nb\rc"), 5, "text/plain", "t.txt", NULL), 0);
        assert_int_equal(mailbuild_add_attachment(m, BYTES("x\ny"), 3, "application/x-y", NULL, NULL), 0);
        size_t n;
        char *s = build_bytes(m, &n);
        assert_true(crlf_only(s, n));
        assert_true(longest_line(s, n) <= 998);
        if (!(flags[f] & (MAILBUILD_F_8BIT | MAILBUILD_F_SMTPUTF8)))
            for (size_t i = 0; i < n; i++)
                assert_true((unsigned char)s[i] < 0x80);
        mailparse_message *p = parse_bytes(s, n);
        const mailparse_part *html = mailparse_message_part(p, part_of_type(p, "text/html", 0));
        assert_int_equal(html->text_len, 3002);
        assert_memory_equal(html->text, longline, 3000);
        assert_memory_equal(html->text + 3000, "\r\n", 2);
        mailparse_message_free(p);
        mailbuild_free(s);
        mailbuild_message_free(m);
        free(longline);
        free(text);
    }
}

/* mailbuild.h: "line ends of any kind become CRLF" in text (RFC 2046 §4.1.1), whatever
 * encoding carries it. */
static void bare_cr_and_lf_in_text_become_crlf(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        unsigned flags;
        mailbuild_encoding enc;
    } cases[] = {
        {"one\rtwo\nthree\r\nfour\n\rfive\n", 0, MAILBUILD_ENC_7BIT},
        {"\xc3\xa9one\rtwo\nthree\r\nfour\n\rfive\n", 0, MAILBUILD_ENC_QP},
        {"\xc3\xa9one\rtwo\nthree\r\nfour\n\rfive\n", MAILBUILD_F_8BIT, MAILBUILD_ENC_8BIT},
        {"\xe6\x97\xa5\xe6\x9c\xac\r\xe8\xaa\x9e\n\xe3\x81\xae\r\n\xe6\x96\x87\n\r", 0, MAILBUILD_ENC_BASE64},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        mailbuild_part *p;
        mailbuild_message *m = new_message(cases[i].flags | NO_GENERATED);
        size_t len = strlen(cases[i].text);
        assert_int_equal(mailbuild_set_text(m, cases[i].text, len, &p), 0);
        assert_int_equal(mailbuild_part_encoding(p), cases[i].enc);
        built b;
        build(m, &b);
        size_t want_len;
        char *want = crlf_form(cases[i].text, len, &want_len);
        const mailparse_part *pt = mailparse_message_part(b.parsed, 0);
        assert_int_equal(pt->text_len, want_len);
        assert_memory_equal(pt->text, want, want_len);
        assert_true(crlf_only(b.bytes, b.len));
        free(want);
        built_free(&b);
        mailbuild_message_free(m);
    }
}

/* RFC 2045 §6.7 rule 3: whitespace ending a line is encoded; "From " at a line start is
 * encoded so mbox quoting cannot change it (RFC 2049 §3, item 8). */
static void quoted_printable_protects_from_lines_and_trailing_whitespace(void **state)
{
    (void)state;
    const char *text = "caf\xc3\xa9\nFrom here\ntrail  \ntab\t\n.\n";
    mailbuild_part *p;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_set_text(m, text, strlen(text), &p), 0);
    assert_int_equal(mailbuild_part_encoding(p), MAILBUILD_ENC_QP);
    built b;
    build(m, &b);
    assert_string_equal(wire_body(&b), "caf=C3=A9\r\n=46rom here\r\ntrail =20\r\ntab=09\r\n=2E\r\n");
    assert_string_equal(mailparse_message_part(b.parsed, 0)->text,
                        "caf\xc3\xa9\r\nFrom here\r\ntrail  \r\ntab\t\r\n.\r\n");
    built_free(&b);
    mailbuild_message_free(m);
}

/* ---- forced encodings ------------------------------------------------------------------------ */

static void forced_encoding_is_used_when_the_content_fits(void **state)
{
    (void)state;
    static const struct {
        mailbuild_encoding enc;
        const char *header, *body;
    } cases[] = {
        {MAILBUILD_ENC_BASE64, "Content-Transfer-Encoding: base64\r\n", "cGxhaW4NCg==\r\n"},
        {MAILBUILD_ENC_QP, "Content-Transfer-Encoding: quoted-printable\r\n", "plain\r\n"},
        {MAILBUILD_ENC_8BIT, "Content-Transfer-Encoding: 8bit\r\n", "plain\r\n"},
        {MAILBUILD_ENC_7BIT, "Content-Transfer-Encoding: 7bit\r\n", "plain\r\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        mailbuild_part *p;
        mailbuild_message *m = single(0, "text/plain", "plain\n", 6, &p);
        assert_int_equal(mailbuild_part_set_encoding(p, cases[i].enc), 0);
        assert_int_equal(mailbuild_part_encoding(p), cases[i].enc);
        built b;
        build(m, &b);
        expect_header_line(&b, cases[i].header);
        assert_string_equal(wire_body(&b), cases[i].body);
        assert_string_equal(mailparse_message_part(b.parsed, 0)->text, "plain\r\n");
        built_free(&b);
        mailbuild_message_free(m);
    }
    /* 8bit on UTF-8 text without the flag: the caller knows the transport */
    mailbuild_part *p;
    mailbuild_message *m = single(0, "text/plain", "caf\xc3\xa9\n", 6, &p);
    assert_int_equal(mailbuild_part_set_encoding(p, MAILBUILD_ENC_8BIT), 0);
    built b;
    build(m, &b);
    assert_string_equal(wire_body(&b), "caf\xc3\xa9\r\n");
    built_free(&b);
    mailbuild_message_free(m);
}

/* Binary keeps every byte: NUL, bare LF, bare CR (RFC 2045 §2.9, RFC 3030). */
static void forced_binary_keeps_the_bytes_as_they_are(void **state)
{
    (void)state;
    static const unsigned char data[] = {'a', 0, '\n', 'b', '\r', 0xff, '\r', '\n'};
    mailbuild_part *p;
    mailbuild_message *m = single(0, "application/octet-stream", data, sizeof data, &p);
    assert_int_equal(mailbuild_part_set_encoding(p, MAILBUILD_ENC_BINARY), 0);
    built b;
    build(m, &b);
    expect_header_line(&b, "Content-Transfer-Encoding: binary\r\n");
    size_t n;
    const char *body = part_wire_body(b.parsed, 0, &n);
    assert_int_equal(n, sizeof data);
    assert_memory_equal(body, data, sizeof data);
    built_free(&b);
    mailbuild_message_free(m);

    /* text too: "binary keeps the bytes as they are" */
    m = single(0, "text/plain", "a\nb\rc", 5, &p);
    assert_int_equal(mailbuild_part_set_encoding(p, MAILBUILD_ENC_BINARY), 0);
    build(m, &b);
    body = part_wire_body(b.parsed, 0, &n);
    assert_int_equal(n, 5);
    assert_memory_equal(body, "a\nb\rc", 5);
    built_free(&b);
    mailbuild_message_free(m);
}

static void forced_7bit_with_8bit_bytes_is_refused(void **state)
{
    (void)state;
    mailbuild_part *p;
    mailbuild_message *m = single(0, "text/plain", "caf\xc3\xa9\n", 6, &p);
    assert_int_equal(mailbuild_part_set_encoding(p, MAILBUILD_ENC_7BIT), MAILBUILD_E_INVAL);
    /* the call changed nothing */
    assert_int_equal(mailbuild_part_encoding(p), MAILBUILD_ENC_QP);
    built b;
    build(m, &b);
    expect_header_line(&b, "Content-Transfer-Encoding: quoted-printable\r\n");
    built_free(&b);
    mailbuild_message_free(m);

    m = single(0, "application/octet-stream", "\x80\r\n", 3, &p);
    assert_int_equal(mailbuild_part_set_encoding(p, MAILBUILD_ENC_7BIT), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_set_encoding(p, MAILBUILD_ENC_8BIT), 0);
    mailbuild_message_free(m);
}

/* A previously forced encoding survives a refused one. */
static void refused_encoding_keeps_the_one_forced_before(void **state)
{
    (void)state;
    mailbuild_part *p;
    mailbuild_message *m = single(0, "text/plain", "caf\xc3\xa9\n", 6, &p);
    assert_int_equal(mailbuild_part_set_encoding(p, MAILBUILD_ENC_BASE64), 0);
    assert_int_equal(mailbuild_part_set_encoding(p, MAILBUILD_ENC_7BIT), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_encoding(p), MAILBUILD_ENC_BASE64);
    assert_int_equal(mailbuild_part_set_encoding(p, (mailbuild_encoding)99), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_set_encoding(p, (mailbuild_encoding)-1), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_encoding(p), MAILBUILD_ENC_BASE64);
    /* AUTO gives the choice back */
    assert_int_equal(mailbuild_part_set_encoding(p, MAILBUILD_ENC_AUTO), 0);
    assert_int_equal(mailbuild_part_encoding(p), MAILBUILD_ENC_QP);
    mailbuild_message_free(m);
}

static void forced_7bit_or_8bit_with_nul_is_refused(void **state)
{
    (void)state;
    const char *types[] = {"text/plain", "application/octet-stream"};
    for (size_t t = 0; t < 2; t++) {
        mailbuild_part *p;
        mailbuild_message *m = single(0, types[t], "a\0b\r\n", 5, &p);
        assert_int_equal(mailbuild_part_set_encoding(p, MAILBUILD_ENC_7BIT), MAILBUILD_E_INVAL);
        assert_int_equal(mailbuild_part_set_encoding(p, MAILBUILD_ENC_8BIT), MAILBUILD_E_INVAL);
        assert_int_equal(mailbuild_part_set_encoding(p, MAILBUILD_ENC_BINARY), 0);
        mailbuild_message_free(m);
    }
}

/* 998 octets is the longest line 7bit and 8bit may carry; 999 is refused. */
static void forced_7bit_or_8bit_with_a_line_over_998_is_refused(void **state)
{
    (void)state;
    for (size_t len = 998; len <= 999; len++) {
        char *text = long_line(len, 'q');
        const int want = len == 998 ? 0 : MAILBUILD_E_INVAL;
        mailbuild_part *p;
        mailbuild_message *m = single(0, "text/plain", text, len + 1, &p);
        assert_int_equal(mailbuild_part_set_encoding(p, MAILBUILD_ENC_7BIT), want);
        assert_int_equal(mailbuild_part_set_encoding(p, MAILBUILD_ENC_8BIT), want);
        mailbuild_message_free(m);
        /* data that is not text, without a line end */
        m = single(0, "application/octet-stream", text, len, &p);
        assert_int_equal(mailbuild_part_set_encoding(p, MAILBUILD_ENC_7BIT), want);
        mailbuild_message_free(m);
        free(text);
    }
}

/* RFC 2045 §2.7: in 7bit data CR and LF occur only together as a line end; a bare one in data
 * that is not text (so not normalised) cannot be 7bit or 8bit. */
static void forced_7bit_with_a_bare_lf_in_binary_data_is_refused(void **state)
{
    (void)state;
    mailbuild_part *p;
    mailbuild_message *m = single(0, "application/octet-stream", "a\nb\r\n", 5, &p);
    assert_int_equal(mailbuild_part_set_encoding(p, MAILBUILD_ENC_7BIT), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_set_encoding(p, MAILBUILD_ENC_8BIT), MAILBUILD_E_INVAL);
    mailbuild_message_free(m);
}

/* RFC 2046 §5.2.1: message/rfc822 takes no encoding but 7bit, 8bit or binary; RFC 6532 §3.5
 * lets message/global be encoded. */
static void forced_qp_or_base64_on_message_rfc822_is_refused(void **state)
{
    (void)state;
    const char *msg = "Subject: x\r\n\r\nbody\r\n";
    mailbuild_part *p;
    mailbuild_message *m = single(0, "message/rfc822", msg, strlen(msg), &p);
    assert_int_equal(mailbuild_part_set_encoding(p, MAILBUILD_ENC_QP), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_set_encoding(p, MAILBUILD_ENC_BASE64), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_encoding(p), MAILBUILD_ENC_7BIT);
    assert_int_equal(mailbuild_part_set_encoding(p, MAILBUILD_ENC_8BIT), 0);
    assert_int_equal(mailbuild_part_set_encoding(p, MAILBUILD_ENC_BINARY), 0);
    assert_int_equal(mailbuild_part_set_encoding(p, MAILBUILD_ENC_7BIT), 0);
    mailbuild_message_free(m);

    m = single(0, "message/global", msg, strlen(msg), &p);
    assert_int_equal(mailbuild_part_set_encoding(p, MAILBUILD_ENC_QP), 0);
    assert_int_equal(mailbuild_part_set_encoding(p, MAILBUILD_ENC_BASE64), 0);
    built b;
    build(m, &b);
    const mailparse_part *pt = mailparse_message_part(b.parsed, 0);
    assert_int_equal(pt->kind, MAILPARSE_PART_MESSAGE);
    assert_non_null(pt->nested);
    assert_string_equal(mailparse_message_subject(pt->nested), "x");
    built_free(&b);
    mailbuild_message_free(m);
}

/* mailbuild.h: a message/rfc822 that cannot travel as 7bit or 8bit (a line over 998) is
 * base64-encoded (RFC 2046 §5.2.1 does not allow it, readers accept it), or kept as it is when
 * binary is forced; a reader finds the message either way. */
static void message_rfc822_with_a_long_line_is_base64_unless_binary_is_forced(void **state)
{
    (void)state;
    char *line = long_line(999, 'w');
    size_t len = strlen("Subject: long\r\n\r\n") + 1000;
    char *msg = malloc(len + 1);
    assert_non_null(msg);
    strcpy(msg, "Subject: long\r\n\r\n");
    strcat(msg, line);
    for (int forced = 0; forced < 2; forced++) {
        mailbuild_part *p;
        mailbuild_message *m = single(0, "message/rfc822", msg, len, &p);
        if (forced)
            assert_int_equal(mailbuild_part_set_encoding(p, MAILBUILD_ENC_BINARY), 0);
        assert_int_equal(mailbuild_part_encoding(p), forced ? MAILBUILD_ENC_BINARY : MAILBUILD_ENC_BASE64);
        built b;
        build(m, &b);
        const mailparse_part *pt = mailparse_message_part(b.parsed, 0);
        assert_int_equal(pt->kind, MAILPARSE_PART_MESSAGE);
        if (forced) {
            assert_int_equal(pt->child_count, 1);
            assert_string_equal(mailparse_part_header(b.parsed, pt->children[0], "Subject", 0)->text, "long");
        } else {
            assert_non_null(pt->nested);
            assert_string_equal(mailparse_message_subject(pt->nested), "long");
        }
        built_free(&b);
        mailbuild_message_free(m);
    }
    free(msg);
    free(line);
}

/* RFC 6532 §3.5: a message/global with 8-bit content over a 7-bit transport is encoded, and a
 * reader parses the decoded message. */
static void message_global_without_8bit_transport_is_encoded(void **state)
{
    (void)state;
    const char *msg = "Subject: Gr\xc3\xbc\xc3\x9f" "e\r\n\r\nb\xc3\xb6" "dy\r\n";
    mailbuild_part *p;
    mailbuild_message *m = single(0, "message/global", msg, strlen(msg), &p);
    mailbuild_encoding e = mailbuild_part_encoding(p);
    assert_true(e == MAILBUILD_ENC_BASE64 || e == MAILBUILD_ENC_QP);
    built b;
    build(m, &b);
    for (size_t i = 0; i < b.len; i++)
        assert_true((unsigned char)b.bytes[i] < 0x80);
    const mailparse_part *pt = mailparse_message_part(b.parsed, 0);
    assert_non_null(pt->nested);
    assert_string_equal(mailparse_message_subject(pt->nested), "Gr\xc3\xbc\xc3\x9f" "e");
    built_free(&b);
    mailbuild_message_free(m);

    m = single(MAILBUILD_F_8BIT, "message/global", msg, strlen(msg), &p);
    assert_int_equal(mailbuild_part_encoding(p), MAILBUILD_ENC_8BIT);
    mailbuild_message_free(m);
}

static void any_forced_encoding_on_a_multipart_is_refused(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    mailbuild_part *mp;
    assert_int_equal(mailbuild_multipart_new(m, "mixed", &mp), 0);
    for (int e = MAILBUILD_ENC_7BIT; e <= MAILBUILD_ENC_BASE64; e++)
        assert_int_equal(mailbuild_part_set_encoding(mp, (mailbuild_encoding)e), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_set_encoding(mp, MAILBUILD_ENC_AUTO), 0);
    mailbuild_message_free(m);
}

/* RFC 2045 §6.4: a multipart declares 7bit (the default, so nothing is written), or 8bit or
 * binary when something inside it is, at every level up to the top. */
static void multipart_encoding_follows_its_children(void **state)
{
    (void)state;
    static const struct {
        const char *data;
        mailbuild_encoding forced, want;
        const char *header;
    } cases[] = {
        {"ascii too\n", MAILBUILD_ENC_AUTO, MAILBUILD_ENC_7BIT, NULL},
        {"caf\xc3\xa9\n", MAILBUILD_ENC_AUTO, MAILBUILD_ENC_7BIT, NULL}, /* quoted-printable */
        {"caf\xc3\xa9\n", MAILBUILD_ENC_8BIT, MAILBUILD_ENC_8BIT, "Content-Transfer-Encoding: 8bit\r\n"},
        {"caf\xc3\xa9\r\n", MAILBUILD_ENC_BINARY, MAILBUILD_ENC_BINARY, "Content-Transfer-Encoding: binary\r\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        mailbuild_message *m = new_message(NO_GENERATED);
        mailbuild_part *outer, *inner, *a, *b;
        assert_int_equal(mailbuild_multipart_new(m, "mixed", &outer), 0);
        assert_int_equal(mailbuild_multipart_new(m, "alternative", &inner), 0);
        assert_int_equal(mailbuild_part_new(m, "text/plain", BYTES("ascii\n"), 6, &a), 0);
        assert_int_equal(mailbuild_part_new(m, "text/plain", BYTES(cases[i].data), strlen(cases[i].data), &b), 0);
        assert_int_equal(mailbuild_part_set_encoding(b, cases[i].forced), 0);
        assert_int_equal(mailbuild_part_append(inner, b), 0);
        assert_int_equal(mailbuild_part_append(outer, a), 0);
        assert_int_equal(mailbuild_part_append(outer, inner), 0);
        assert_int_equal(mailbuild_set_body(m, outer), 0);
        assert_int_equal(mailbuild_part_encoding(inner), cases[i].want);
        assert_int_equal(mailbuild_part_encoding(outer), cases[i].want);
        built bt;
        build(m, &bt);
        char top[4096];
        const char *h = part_wire_header(bt.parsed, 0);
        assert_true(strlen(h) < sizeof top);
        memcpy(top, h, strlen(h) + 1);
        const char *mid = part_wire_header(bt.parsed, 2);
        if (cases[i].header) {
            assert_true(contains(top, cases[i].header));
            assert_true(contains(mid, cases[i].header));
        } else {
            assert_false(contains(top, "Content-Transfer-Encoding"));
            assert_false(contains(mid, "Content-Transfer-Encoding"));
        }
        assert_int_equal(mailparse_message_anomaly_count(bt.parsed), 0);
        assert_string_equal(mailparse_message_part(bt.parsed, 3)->text, cases[i].data[0] == 'a'
                            ? "ascii too\r\n" : "caf\xc3\xa9\r\n");
        built_free(&bt);
        mailbuild_message_free(m);
    }
}

/* ---- charsets -------------------------------------------------------------------------------- */

static void latin1_charset_converts_the_text(void **state)
{
    (void)state;
    mailbuild_part *p;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_set_text(m, "caf\xc3\xa9 cr\xc3\xa8me\n", 13, &p), 0);
    assert_int_equal(mailbuild_part_set_charset(p, "iso-8859-1"), 0);
    built b;
    build(m, &b);
    expect_header_line(&b, "Content-Type: text/plain; charset=iso-8859-1\r\n"
                           "Content-Transfer-Encoding: quoted-printable\r\n");
    assert_string_equal(wire_body(&b), "caf=E9 cr=E8me\r\n");
    const mailparse_part *pt = mailparse_message_part(b.parsed, 0);
    assert_string_equal(pt->charset, "iso-8859-1");
    expect_decoded(&b, 0, "caf\xe9 cr\xe8me\r\n", 12);
    assert_string_equal(pt->text, "caf\xc3\xa9 cr\xc3\xa8me\r\n");
    built_free(&b);
    mailbuild_message_free(m);

    /* with 8BITMIME the converted bytes go as they are */
    m = new_message(MAILBUILD_F_8BIT | NO_GENERATED);
    assert_int_equal(mailbuild_set_text(m, "caf\xc3\xa9\n", 6, &p), 0);
    assert_int_equal(mailbuild_part_set_charset(p, "ISO-8859-1"), 0);
    assert_int_equal(mailbuild_part_encoding(p), MAILBUILD_ENC_8BIT);
    build(m, &b);
    assert_string_equal(wire_body(&b), "caf\xe9\r\n");
    assert_string_equal(mailparse_message_part(b.parsed, 0)->text, "caf\xc3\xa9\r\n");
    built_free(&b);
    mailbuild_message_free(m);
}

static void cyrillic_text_in_koi8_r_round_trips(void **state)
{
    (void)state;
    const char *text = "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82\n"; /* Привет */
    mailbuild_part *p;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_set_text(m, text, strlen(text), &p), 0);
    assert_int_equal(mailbuild_part_set_charset(p, "koi8-r"), 0);
    built b;
    build(m, &b);
    expect_header_line(&b, "Content-Type: text/plain; charset=koi8-r\r\n");
    expect_decoded(&b, 0, "\xf0\xd2\xc9\xd7\xc5\xd4\r\n", 8);
    assert_string_equal(mailparse_message_part(b.parsed, 0)->text,
                        "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82\r\n");
    built_free(&b);
    mailbuild_message_free(m);
}

static void unknown_charset_is_refused_and_changes_nothing(void **state)
{
    (void)state;
    mailbuild_part *p;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_set_text(m, "caf\xc3\xa9\n", 6, &p), 0);
    assert_int_equal(mailbuild_part_set_charset(p, "x-no-such-charset"), MAILBUILD_E_CHARSET);
    built b;
    build(m, &b);
    expect_header_line(&b, "Content-Type: text/plain; charset=utf-8\r\n");
    assert_string_equal(mailparse_message_part(b.parsed, 0)->text, "caf\xc3\xa9\r\n");
    built_free(&b);
    mailbuild_message_free(m);
}

/* RFC 2046 §4.1.1: a text charset writes a line break as the octets CR LF. UTF-16 does not,
 * so its text is refused, or written so that it comes back the same; and never as 7bit or
 * 8bit data holding NULs (RFC 2045 §2.7-2.8), even after 7bit was forced for the ASCII. */
static void charset_without_ascii_line_ends_is_refused_or_round_trips(void **state)
{
    (void)state;
    for (int forced = 0; forced < 2; forced++) {
        mailbuild_part *p;
        mailbuild_message *m = new_message(NO_GENERATED);
        assert_int_equal(mailbuild_set_text(m, "hi\nthere\n", 9, &p), 0);
        if (forced)
            assert_int_equal(mailbuild_part_set_encoding(p, MAILBUILD_ENC_7BIT), 0);
        int rc = mailbuild_part_set_charset(p, "utf-16le");
        int encoded = 1;
        char text[64] = "";
        if (rc == 0) {
            size_t n;
            char *s = NULL;
            rc = mailbuild_to_buffer(m, &s, &n);
            if (rc == 0) {
                mailparse_message *parsed = parse_bytes(s, n);
                const mailparse_part *pt = mailparse_message_part(parsed, 0);
                encoded = pt->encoding == MAILPARSE_ENC_BASE64 ||
                          pt->encoding == MAILPARSE_ENC_QUOTED_PRINTABLE;
                snprintf(text, sizeof text, "%.*s", (int)(pt->text_len < 60 ? pt->text_len : 60), pt->text);
                mailparse_message_free(parsed);
                mailbuild_free(s);
            }
        }
        mailbuild_message_free(m);
        if (rc) {
            assert_int_equal(rc, MAILBUILD_E_UNSUPPORTED);
        } else {
            assert_true(encoded);
            assert_string_equal(text, "hi\r\nthere\r\n");
        }
    }
}

/* mailbuild_part_new(): text is given as UTF-8. */
static void text_part_must_be_valid_utf8(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    mailbuild_part *p = NULL;
    assert_int_equal(mailbuild_part_new(m, "text/plain", BYTES("caf\xe9\n"), 5, &p), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_new(m, "text/plain", BYTES("\xc3"), 1, &p), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_set_text(m, "\xed\xa0\x80", 3, &p), MAILBUILD_E_INVAL); /* a surrogate */
    assert_null(p);
    assert_int_equal(mailbuild_part_new(m, "application/octet-stream", BYTES("caf\xe9\n"), 5, &p), 0);
    mailbuild_message_free(m);
}

/* ---- large bodies: the streaming encoders ---------------------------------------------------- */

/* Several MiB of text in pieces of quoted-printable, cut after line ends: the result is the
 * one-piece encoding, and decodes to the text. */
static void large_text_round_trips_through_quoted_printable_pieces(void **state)
{
    (void)state;
    size_t text_len;
    char *text = mixed_text((size_t)3 << 20, 42, &text_len);
    /* one line longer than a piece, so a cut has to look past it; whole characters only */
    size_t from = 100000, to = 140000;
    while ((unsigned char)text[from] >= 0x80)
        from++;
    while ((unsigned char)text[to] >= 0x80)
        to++;
    memset(text + from, 'L', to - from);
    mailbuild_part *p;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_set_text(m, text, text_len, &p), 0);
    assert_int_equal(mailbuild_part_encoding(p), MAILBUILD_ENC_QP);
    collector c = {0};
    assert_int_equal(mailbuild_write(m, collect_piece, &c), 0);
    assert_true(c.largest <= 65536);
    size_t size = 0;
    assert_int_equal(mailbuild_size(m, &size), 0);
    assert_int_equal(size, c.len);

    size_t crlf_len;
    char *crlf = crlf_form(text, text_len, &crlf_len);
    char *whole = NULL;
    size_t whole_len = 0;
    assert_int_equal(mailparse_qp_encode(BYTES(crlf), crlf_len, 0, &whole, &whole_len), 0);
    mailparse_message *parsed = parse_bytes(c.data, c.len);
    size_t n;
    const char *body = part_wire_body(parsed, 0, &n);
    assert_int_equal(n, whole_len);
    assert_memory_equal(body, whole, n);
    assert_true(longest_line(body, n) <= 76);
    const mailparse_part *pt = mailparse_message_part(parsed, 0);
    assert_int_equal(pt->text_len, crlf_len);
    assert_memory_equal(pt->text, crlf, crlf_len);
    mailparse_message_free(parsed);
    mailparse_free(whole);
    free(crlf);
    free(c.data);
    mailbuild_message_free(m);
    free(text);
}

static void large_binary_round_trips_through_base64_pieces(void **state)
{
    (void)state;
    size_t len = ((size_t)5 << 20) + 7;
    unsigned char *data = malloc(len);
    assert_non_null(data);
    fill_pseudo_random(data, len, 99);
    mailbuild_part *p;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_add_attachment(m, data, len, NULL, "big.bin", &p), 0);
    assert_int_equal(mailbuild_part_encoding(p), MAILBUILD_ENC_BASE64);
    collector c = {0};
    assert_int_equal(mailbuild_write(m, collect_piece, &c), 0);
    assert_true(c.largest <= 65536);
    size_t size = 0;
    assert_int_equal(mailbuild_size(m, &size), 0);
    assert_int_equal(size, c.len);

    char *whole = NULL;
    size_t whole_len = 0;
    assert_int_equal(mailparse_base64_encode(data, len, 76, &whole, &whole_len), 0);
    mailparse_message *parsed = parse_bytes(c.data, c.len);
    size_t id = part_of_type(parsed, "application/octet-stream", 0);
    size_t n;
    const char *body = part_wire_body(parsed, id, &n);
    /* the attachment alone is the body: its base64 ends with the message's last line end */
    assert_int_equal(n, whole_len);
    assert_memory_equal(body, whole, n);
    const mailparse_part *pt = mailparse_message_part(parsed, id);
    assert_int_equal(pt->body_len, len);
    assert_memory_equal(pt->body, data, len);
    mailparse_message_free(parsed);
    mailparse_free(whole);
    free(c.data);
    mailbuild_message_free(m);
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ascii_text_is_7bit),
        cmocka_unit_test(mostly_ascii_utf8_text_is_quoted_printable),
        cmocka_unit_test(mostly_non_ascii_text_is_base64),
        cmocka_unit_test(utf8_text_is_8bit_when_the_transport_takes_it),
        cmocka_unit_test(ascii_line_over_998_is_quoted_printable_with_soft_breaks),
        cmocka_unit_test(long_line_is_quoted_printable_even_with_8bit),
        cmocka_unit_test(nul_in_text_is_never_7bit_or_8bit),
        cmocka_unit_test(binary_attachment_is_base64),
        cmocka_unit_test(ascii_attachment_with_crlf_lines_is_7bit),
        cmocka_unit_test(ascii_attachment_with_bare_lf_is_base64_and_kept_exactly),
        cmocka_unit_test(encoded_lines_stay_within_76_characters),
        cmocka_unit_test(every_output_line_ends_with_crlf_and_stays_within_998),
        cmocka_unit_test(bare_cr_and_lf_in_text_become_crlf),
        cmocka_unit_test(quoted_printable_protects_from_lines_and_trailing_whitespace),
        cmocka_unit_test(forced_encoding_is_used_when_the_content_fits),
        cmocka_unit_test(forced_binary_keeps_the_bytes_as_they_are),
        cmocka_unit_test(forced_7bit_with_8bit_bytes_is_refused),
        cmocka_unit_test(refused_encoding_keeps_the_one_forced_before),
        cmocka_unit_test(forced_7bit_or_8bit_with_nul_is_refused),
        cmocka_unit_test(forced_7bit_or_8bit_with_a_line_over_998_is_refused),
        cmocka_unit_test(forced_7bit_with_a_bare_lf_in_binary_data_is_refused),
        cmocka_unit_test(forced_qp_or_base64_on_message_rfc822_is_refused),
        cmocka_unit_test(message_rfc822_with_a_long_line_is_base64_unless_binary_is_forced),
        cmocka_unit_test(message_global_without_8bit_transport_is_encoded),
        cmocka_unit_test(any_forced_encoding_on_a_multipart_is_refused),
        cmocka_unit_test(multipart_encoding_follows_its_children),
        cmocka_unit_test(latin1_charset_converts_the_text),
        cmocka_unit_test(cyrillic_text_in_koi8_r_round_trips),
        cmocka_unit_test(unknown_charset_is_refused_and_changes_nothing),
        cmocka_unit_test(charset_without_ascii_line_ends_is_refused_or_round_trips),
        cmocka_unit_test(text_part_must_be_valid_utf8),
        cmocka_unit_test(large_text_round_trips_through_quoted_printable_pieces),
        cmocka_unit_test(large_binary_round_trips_through_base64_pieces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
