/* test_output.c — the writer: pieces of at most 64 KiB through the callback, a failing
 * callback, mailbuild_size() against the bytes written, generated values fixed at the first
 * output, boundaries that no part contains (RFC 2046 §5.1.1), and the end of the output. */
#include "build_util.h"

#define NO_GENERATED (MAILBUILD_F_NO_DATE | MAILBUILD_F_NO_MESSAGE_ID)

/* Writes through the callback, measures, and builds to a buffer: all three must agree. The
 * written bytes are returned (free()). */
static char *write_all_three(mailbuild_message *m, size_t *len)
{
    collector c = {0};
    assert_int_equal(mailbuild_write(m, collect_piece, &c), 0);
    assert_true(c.largest <= 65536);
    size_t size = 0;
    assert_int_equal(mailbuild_size(m, &size), 0);
    assert_int_equal(size, c.len);
    char *buf = NULL;
    size_t buf_len = 0;
    assert_int_equal(mailbuild_to_buffer(m, &buf, &buf_len), 0);
    assert_int_equal(buf_len, c.len);
    assert_memory_equal(buf, c.data, c.len);
    assert_int_equal(buf[buf_len], '\0');
    mailbuild_free(buf);
    *len = c.len;
    return c.data;
}

/* ---- pieces ---------------------------------------------------------------------------------- */

/* Text, a binary attachment and a text-like one, `len` bytes each. */
static mailbuild_message *large_message(size_t len)
{
    mailbuild_message *m = new_message(0);
    unsigned char *bin = malloc(len);
    assert_non_null(bin);
    fill_pseudo_random(bin, len, 3);
    char *text = malloc(len + 1);
    assert_non_null(text);
    for (size_t i = 0; i < len; i++)
        text[i] = i % 61 == 60 ? '\n' : i % 997 == 0 ? '=' : (char)('a' + i % 26);
    text[len] = '\0';
    assert_int_equal(mailbuild_set_text(m, text, len, NULL), 0);
    assert_int_equal(mailbuild_add_attachment(m, bin, len, NULL, "big.bin", NULL), 0);
    assert_int_equal(mailbuild_add_attachment(m, BYTES(text), len, "application/x-text", NULL, NULL), 0);
    free(text);
    free(bin);
    return m;
}

static void pieces_are_at_most_64_kib(void **state)
{
    (void)state;
    mailbuild_message *m = large_message((size_t)3 << 20);
    collector c = {0};
    assert_int_equal(mailbuild_write(m, collect_piece, &c), 0);
    assert_true(c.calls > 1);
    assert_true(c.largest <= 65536);
    size_t n;
    char *whole = build_bytes(m, &n);
    assert_int_equal(c.len, n);
    assert_memory_equal(c.data, whole, n);
    mailbuild_free(whole);
    free(c.data);
    mailbuild_message_free(m);
}

/* The k-th call fails: mailbuild_write() stops there with MAILBUILD_E_WRITE, the callback is
 * not called again, and what it got is the start of the message. */
static void failing_callback_stops_the_write_at_that_call(void **state)
{
    (void)state;
    mailbuild_message *m = large_message(100000);
    collector full = {0};
    assert_int_equal(mailbuild_write(m, collect_piece, &full), 0);
    assert_true(full.calls >= 3);
    for (size_t k = 1; k <= full.calls; k++) {
        collector c = {0};
        c.fail_at = k;
        assert_int_equal(mailbuild_write(m, collect_piece, &c), MAILBUILD_E_WRITE);
        assert_int_equal(c.calls, k);
        assert_true(c.len < full.len);
        assert_memory_equal(c.data ? c.data : "", full.data, c.len);
        free(c.data);
    }
    /* and the message still writes whole afterwards */
    collector again = {0};
    assert_int_equal(mailbuild_write(m, collect_piece, &again), 0);
    assert_int_equal(again.len, full.len);
    assert_memory_equal(again.data, full.data, full.len);
    free(again.data);
    free(full.data);
    mailbuild_message_free(m);
}

static void small_message_fails_on_its_only_call(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_set_text(m, "x\n", 2, NULL), 0);
    collector c = {0};
    c.fail_at = 1;
    assert_int_equal(mailbuild_write(m, collect_piece, &c), MAILBUILD_E_WRITE);
    assert_int_equal(c.calls, 1);
    assert_int_equal(c.len, 0);
    mailbuild_message_free(m);
}

/* ---- size ------------------------------------------------------------------------------------ */

typedef void (*shape_fn)(mailbuild_message *m);

static void shape_empty(mailbuild_message *m) { (void)m; }

static void shape_text(mailbuild_message *m)
{
    assert_int_equal(mailbuild_set_text(m, "a\rb\nc\r\n", 7, NULL), 0);
}

static void shape_text_without_line_end(mailbuild_message *m)
{
    assert_int_equal(mailbuild_set_text(m, "no line end", 11, NULL), 0);
}

static void shape_qp_text(mailbuild_message *m)
{
    const char *t = "caf\xc3\xa9 = x \nFrom y\t\n";
    assert_int_equal(mailbuild_set_text(m, t, strlen(t), NULL), 0);
}

static void shape_base64_text(mailbuild_message *m)
{
    const char *t = "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe6\x96\x87\n";
    assert_int_equal(mailbuild_set_text(m, t, strlen(t), NULL), 0);
}

static void shape_full(mailbuild_message *m)
{
    assert_int_equal(mailbuild_add_address(m, "From", "Zo\xc3\xab", "zoe@example.org"), 0);
    assert_int_equal(mailbuild_add_address(m, "To", NULL, "bob@example.net"), 0);
    assert_int_equal(mailbuild_set_subject(m, "Gr\xc3\xbc\xc3\x9f" "e from the writer"), 0);
    assert_int_equal(mailbuild_set_text(m, "plain\n", 6, NULL), 0);
    const char *html = "<p>caf\xc3\xa9</p>\n";
    assert_int_equal(mailbuild_set_html(m, html, strlen(html), NULL), 0);
    assert_int_equal(mailbuild_add_inline(m, BYTES("GIF89a\x01"), 7, NULL, "g@x.example", "g.gif", NULL), 0);
    assert_int_equal(mailbuild_add_attachment(m, BYTES("\x00\x01\x02"), 3, NULL, "r\xc3\xa9sum\xc3\xa9.pdf", NULL), 0);
}

static void shape_nested_message(mailbuild_message *m)
{
    const char *inner = "From: a@b.example\r\nSubject: in\r\n\r\nbody\n";
    assert_int_equal(mailbuild_set_text(m, "outer\n", 6, NULL), 0);
    assert_int_equal(mailbuild_add_attachment(m, BYTES(inner), strlen(inner), "message/rfc822", NULL, NULL), 0);
}

static void shape_forced(mailbuild_message *m)
{
    mailbuild_part *root, *a, *b, *c;
    assert_int_equal(mailbuild_multipart_new(m, "mixed", &root), 0);
    assert_int_equal(mailbuild_part_new(m, "application/octet-stream", BYTES("a\0\nb\r"), 5, &a), 0);
    assert_int_equal(mailbuild_part_set_encoding(a, MAILBUILD_ENC_QP), 0);
    assert_int_equal(mailbuild_part_new(m, "text/plain", BYTES("ascii\n"), 6, &b), 0);
    assert_int_equal(mailbuild_part_set_encoding(b, MAILBUILD_ENC_BASE64), 0);
    assert_int_equal(mailbuild_part_new(m, "application/x-y", BYTES("\xff\0\r"), 3, &c), 0);
    assert_int_equal(mailbuild_part_set_encoding(c, MAILBUILD_ENC_BINARY), 0);
    assert_int_equal(mailbuild_part_append(root, a), 0);
    assert_int_equal(mailbuild_part_append(root, b), 0);
    assert_int_equal(mailbuild_part_append(root, c), 0);
    assert_int_equal(mailbuild_set_body(m, root), 0);
}

static void shape_long_headers(mailbuild_message *m)
{
    char subject[600];
    for (size_t i = 0; i < sizeof subject - 1; i++)
        subject[i] = i % 7 == 6 ? ' ' : (char)('a' + i % 26);
    subject[sizeof subject - 1] = '\0';
    assert_int_equal(mailbuild_set_subject(m, subject), 0);
    for (int i = 0; i < 20; i++)
        assert_int_equal(mailbuild_add_address(m, "To", "Some Body", "somebody@example.org"), 0);
    mailbuild_part *p;
    assert_int_equal(mailbuild_set_text(m, "t\n", 2, &p), 0);
    assert_int_equal(mailbuild_part_set_param(p, "x-long", subject), 0);
}

static void check_sizes(shape_fn make, unsigned flags)
{
    mailbuild_message *m = new_message(flags);
    make(m);
    size_t n;
    char *s = write_all_three(m, &n);
    free(s);
    mailbuild_message_free(m);
}

static void size_equals_the_bytes_written_for_every_shape(void **state)
{
    (void)state;
    static const shape_fn shapes[] = {
        shape_empty, shape_text, shape_text_without_line_end, shape_qp_text, shape_base64_text,
        shape_full, shape_nested_message, shape_forced, shape_long_headers,
    };
    static const unsigned flags[] = {
        0, NO_GENERATED, MAILBUILD_F_8BIT, MAILBUILD_F_SMTPUTF8, MAILBUILD_F_BORROW_DATA,
    };
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++)
        for (size_t f = 0; f < sizeof flags / sizeof *flags; f++)
            check_sizes(shapes[s], flags[f]);
}

/* One base64 body of `len` bytes, at the top (`top`) or in a multipart: the size is counted
 * without encoding, so every length where a line or a piece ends matters. */
static void check_base64_length(size_t len, int top)
{
    unsigned char *data = malloc(len ? len : 1);
    assert_non_null(data);
    fill_pseudo_random(data, len, (uint32_t)len);
    mailbuild_message *m = new_message(NO_GENERATED);
    mailbuild_part *p;
    if (top) {
        assert_int_equal(mailbuild_part_new(m, "application/octet-stream", data, len, &p), 0);
        assert_int_equal(mailbuild_set_body(m, p), 0);
    } else {
        assert_int_equal(mailbuild_set_text(m, "t\n", 2, NULL), 0);
        assert_int_equal(mailbuild_add_attachment(m, data, len, NULL, NULL, &p), 0);
    }
    assert_int_equal(mailbuild_part_set_encoding(p, MAILBUILD_ENC_BASE64), 0);
    size_t n;
    char *s = write_all_three(m, &n);
    mailparse_message *parsed = parse_bytes(s, n);
    const mailparse_part *pt = mailparse_message_part(parsed, top ? 0 : 2);
    assert_int_equal(pt->encoding, MAILPARSE_ENC_BASE64);
    assert_int_equal(pt->body_len, len);
    assert_memory_equal(pt->body, data, len);
    size_t body_len;
    const char *body = part_wire_body(parsed, top ? 0 : 2, &body_len);
    assert_true(longest_line(body, body_len) <= 76);
    mailparse_message_free(parsed);
    free(s);
    free(data);
    mailbuild_message_free(m);
}

static void base64_size_is_exact_for_every_length(void **state)
{
    (void)state;
    for (size_t len = 0; len <= 200; len++) {
        check_base64_length(len, 1);
        check_base64_length(len, 0);
    }
    /* around the writer's encoding pieces (800 lines of 57 bytes) */
    static const size_t big[] = {45599, 45600, 45601, 91199, 91200, 91201};
    for (size_t i = 0; i < sizeof big / sizeof *big; i++) {
        check_base64_length(big[i], 1);
        check_base64_length(big[i], 0);
    }
}

/* Quoted-printable is measured by encoding: lines around 76, escapes at a line's end. */
static void quoted_printable_size_is_exact(void **state)
{
    (void)state;
    for (size_t len = 0; len <= 200; len++) {
        char *text = malloc(len + 8);
        assert_non_null(text);
        for (size_t i = 0; i < len; i++)
            text[i] = i % 5 == 4 ? '=' : i % 77 == 76 ? '\n' : i % 11 == 10 ? ' ' : 'q';
        memcpy(text + len, "\xc3\xa9 \n", 5);
        mailbuild_message *m = new_message(NO_GENERATED);
        mailbuild_part *p;
        assert_int_equal(mailbuild_set_text(m, text, len + 4, &p), 0);
        assert_int_equal(mailbuild_part_set_encoding(p, MAILBUILD_ENC_QP), 0);
        size_t n;
        char *s = write_all_three(m, &n);
        mailparse_message *parsed = parse_bytes(s, n);
        const mailparse_part *pt = mailparse_message_part(parsed, 0);
        assert_int_equal(pt->encoding, MAILPARSE_ENC_QUOTED_PRINTABLE);
        size_t body_len;
        const char *body = part_wire_body(parsed, 0, &body_len);
        assert_true(longest_line(body, body_len) <= 76);
        mailparse_message_free(parsed);
        free(s);
        free(text);
        mailbuild_message_free(m);
    }
}

/* ---- generated values ------------------------------------------------------------------------ */

static int64_t ticking_clock(void *user)
{
    int64_t *t = user;
    return (*t)++;
}

/* mailbuild.h: the first output fixes Date, Message-ID and the boundaries. */
static void repeated_output_gives_identical_bytes(void **state)
{
    (void)state;
    unsigned counter = 0;
    int64_t now = FIXED_NOW;
    mailbuild_options o;
    deterministic_options(&o, &counter, 0);
    o.clock = ticking_clock;
    o.clock_user = &now;
    mailbuild_message *m = NULL;
    assert_int_equal(mailbuild_message_new(&o, &m), 0);
    shape_full(m);
    size_t n1, n2;
    char *first = write_all_three(m, &n1);
    unsigned after_first = counter;
    int64_t clock_after_first = now;
    assert_true(after_first > 0);
    char *second = write_all_three(m, &n2);
    assert_int_equal(counter, after_first);
    assert_int_equal(now, clock_after_first);
    assert_int_equal(n1, n2);
    assert_memory_equal(first, second, n1);
    assert_true(contains(first, "Date: " FIXED_DATE "\r\n"));
    assert_true(contains(first, "Message-ID: <000102030405060708090a0b0c0d0e0f@example.org>\r\n"));
    free(first);
    free(second);
    mailbuild_message_free(m);
}

/* mailbuild_size() alone fixes them too. */
static void size_first_fixes_the_generated_values(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(0);
    shape_full(m);
    size_t size = 0;
    assert_int_equal(mailbuild_size(m, &size), 0);
    unsigned after = shared_counter;
    size_t n;
    char *s = build_bytes(m, &n);
    assert_int_equal(shared_counter, after);
    assert_int_equal(n, size);
    assert_true(contains(s, "<000102030405060708090a0b0c0d0e0f@example.org>"));
    mailbuild_free(s);
    mailbuild_message_free(m);
}

/* ---- boundaries ------------------------------------------------------------------------------ */

/* `text` as it is read back: LF made CRLF (the texts here hold no bare CR). */
static char *lf_to_crlf(const char *text, size_t *len)
{
    char *o = malloc(2 * strlen(text) + 1);
    assert_non_null(o);
    size_t k = 0;
    for (size_t i = 0; text[i]; i++) {
        if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r'))
            o[k++] = '\r';
        o[k++] = text[i];
    }
    o[k] = '\0';
    *len = k;
    return o;
}

/* text + HTML (one multipart/alternative) where the text holds `text`; the written boundary
 * is compared with `want`. */
static void expect_boundary_with_text(const char *text, mailbuild_encoding force, const char *want)
{
    mailbuild_message *m = new_message(NO_GENERATED);
    mailbuild_part *p;
    assert_int_equal(mailbuild_set_text(m, text, strlen(text), &p), 0);
    if (force)
        assert_int_equal(mailbuild_part_set_encoding(p, force), 0);
    assert_int_equal(mailbuild_set_html(m, "<p>x</p>\n", 9, NULL), 0);
    size_t n;
    char *s = build_bytes(m, &n);
    char line[128];
    snprintf(line, sizeof line, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n", want);
    if (!contains(s, line))
        fail_msg("expected boundary %s in:\n%s", want, s);
    mailparse_message *parsed = parse_bytes(s, n);
    assert_int_equal(mailparse_message_part_count(parsed), 3);
    assert_int_equal(mailparse_message_anomaly_count(parsed), 0);
    size_t read_len;
    char *read_back = lf_to_crlf(text, &read_len);
    assert_int_equal(mailparse_message_part(parsed, 1)->text_len, read_len);
    assert_memory_equal(mailparse_message_part(parsed, 1)->text, read_back, read_len);
    free(read_back);
    mailparse_message_free(parsed);
    mailbuild_free(s);
    mailbuild_message_free(m);
}

/* RFC 2046 §5.1.1: the boundary must not occur in the encapsulated text. The counter makes the
 * candidates known: each one found in a 7bit part is dropped for the next. */
static void boundary_found_in_a_7bit_part_is_replaced_by_the_next(void **state)
{
    (void)state;
    expect_boundary_with_text("before\n--" BOUNDARY_1 "\nafter\n", 0, BOUNDARY_2);
    expect_boundary_with_text("--" BOUNDARY_1 "--\n", 0, BOUNDARY_2);
    expect_boundary_with_text("x--" BOUNDARY_1 " within a line\n", 0, BOUNDARY_2);
    expect_boundary_with_text("--" BOUNDARY_1 "\n--" BOUNDARY_2 "\n", 0, BOUNDARY_3);
    /* a prefix of the candidate is no collision */
    expect_boundary_with_text("--=_000102030405060708090a\n", 0, BOUNDARY_1);
}

/* 8bit and binary parts are written as they are, like 7bit. */
static void boundary_found_in_an_8bit_or_binary_part_is_replaced(void **state)
{
    (void)state;
    expect_boundary_with_text("caf\xc3\xa9\n--" BOUNDARY_1 "\n", MAILBUILD_ENC_8BIT, BOUNDARY_2);
    expect_boundary_with_text("caf\xc3\xa9\r\n--" BOUNDARY_1 "\r\n", MAILBUILD_ENC_BINARY, BOUNDARY_2);
}

/* Quoted-printable writes '=' as "=3D" and base64 has no '_': an encoded part cannot hold the
 * boundary, so the first candidate stays. */
static void boundary_in_an_encoded_part_is_no_collision(void **state)
{
    (void)state;
    expect_boundary_with_text("caf\xc3\xa9\n--" BOUNDARY_1 "\n", MAILBUILD_ENC_AUTO, BOUNDARY_1);
    expect_boundary_with_text("--" BOUNDARY_1 "\n", MAILBUILD_ENC_QP, BOUNDARY_1);
    expect_boundary_with_text("--" BOUNDARY_1 "\n", MAILBUILD_ENC_BASE64, BOUNDARY_1);
}

/* RFC 2046 §5.1.1: nor may the boundary be "the prefix of any line" of a part, its header
 * lines included: a field named "--" + the candidate. */
static void boundary_that_prefixes_a_part_header_line_is_replaced(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    mailbuild_part *root, *a, *b;
    assert_int_equal(mailbuild_multipart_new(m, "mixed", &root), 0);
    assert_int_equal(mailbuild_part_new(m, "text/plain", BYTES("a\r\n"), 3, &a), 0);
    assert_int_equal(mailbuild_part_new(m, "text/plain", BYTES("b\r\n"), 3, &b), 0);
    assert_int_equal(mailbuild_part_add_text_header(a, "--" BOUNDARY_1, "x"), 0);
    assert_int_equal(mailbuild_part_append(root, a), 0);
    assert_int_equal(mailbuild_part_append(root, b), 0);
    assert_int_equal(mailbuild_set_body(m, root), 0);
    size_t n;
    char *s = build_bytes(m, &n);
    char copy[2048];
    snprintf(copy, sizeof copy, "%s", s);
    mailbuild_free(s);
    mailbuild_message_free(m);
    if (!contains(copy, "boundary=\"" BOUNDARY_2 "\""))
        fail_msg("a part header line starts with the boundary:\n%s", copy);
}

/* A source that gives the same bytes to the first two calls, then counts. */
static void repeat_first_random(void *user, unsigned char *buf, size_t len)
{
    unsigned *calls = user;
    for (size_t i = 0; i < len; i++)
        buf[i] = (unsigned char)(*calls < 2 ? 0xaa : i + 16 * *calls);
    (*calls)++;
}

/* An inner multipart's boundary is no good for the outer one either. */
static void outer_boundary_differs_from_the_inner_one(void **state)
{
    (void)state;
    unsigned calls = 0;
    mailbuild_options o;
    mailbuild_options_init(&o);
    o.flags = NO_GENERATED;
    o.random = repeat_first_random;
    o.random_user = &calls;
    mailbuild_message *m = NULL;
    assert_int_equal(mailbuild_message_new(&o, &m), 0);
    assert_int_equal(mailbuild_set_text(m, "t\n", 2, NULL), 0);
    assert_int_equal(mailbuild_set_html(m, "h\n", 2, NULL), 0);
    assert_int_equal(mailbuild_add_attachment(m, BYTES("a"), 1, NULL, NULL, NULL), 0);
    size_t n;
    char *s = build_bytes(m, &n);
    assert_true(contains(s, "multipart/alternative; boundary=\"=_aaaaaaaaaaaaaaaaaaaaaaaa\""));
    assert_false(contains(s, "multipart/mixed; boundary=\"=_aaaaaaaaaaaaaaaaaaaaaaaa\""));
    mailparse_message *p = parse_bytes(s, n);
    assert_int_equal(mailparse_message_part_count(p), 5);
    assert_int_equal(mailparse_message_anomaly_count(p), 0);
    mailparse_message_free(p);
    mailbuild_free(s);
    mailbuild_message_free(m);
}

static void constant_random(void *user, unsigned char *buf, size_t len)
{
    (void)user;
    memset(buf, 0x07, len);
}

static mailbuild_message *constant_message(void)
{
    mailbuild_options o;
    mailbuild_options_init(&o);
    o.flags = NO_GENERATED;
    o.random = constant_random;
    mailbuild_message *m = NULL;
    assert_int_equal(mailbuild_message_new(&o, &m), 0);
    return m;
}

/* One multipart needs one boundary: a constant source gives it. */
static void constant_random_source_is_enough_for_one_multipart(void **state)
{
    (void)state;
    mailbuild_message *m = constant_message();
    assert_int_equal(mailbuild_set_text(m, "t\n", 2, NULL), 0);
    assert_int_equal(mailbuild_set_html(m, "h\n", 2, NULL), 0);
    size_t n;
    char *s = build_bytes(m, &n);
    assert_true(contains(s, "boundary=\"=_070707070707070707070707\""));
    mailbuild_free(s);
    mailbuild_message_free(m);
}

/* Two nested multiparts, or content holding the one boundary it gives: the writer cannot find
 * another and fails with MAILBUILD_E_STATE before writing anything. */
static void constant_random_source_that_cannot_avoid_a_collision_fails(void **state)
{
    (void)state;
    for (int variant = 0; variant < 2; variant++) {
        mailbuild_message *m = constant_message();
        if (variant == 0) {
            assert_int_equal(mailbuild_set_text(m, "t\n", 2, NULL), 0);
            assert_int_equal(mailbuild_set_html(m, "h\n", 2, NULL), 0);
            assert_int_equal(mailbuild_add_attachment(m, BYTES("a"), 1, NULL, NULL, NULL), 0);
        } else {
            assert_int_equal(mailbuild_set_text(m, "--=_070707070707070707070707\n", 29, NULL), 0);
            assert_int_equal(mailbuild_set_html(m, "h\n", 2, NULL), 0);
        }
        collector c = {0};
        assert_int_equal(mailbuild_write(m, collect_piece, &c), MAILBUILD_E_STATE);
        assert_int_equal(c.calls, 0);
        size_t size = 1;
        assert_int_equal(mailbuild_size(m, &size), MAILBUILD_E_STATE);
        assert_int_equal(size, 0);
        mailbuild_message_free(m);
    }
}

/* ---- the end --------------------------------------------------------------------------------- */

/* The last line has its CRLF (RFC 5321 §4.1.1.4 sends the message as lines): multiparts end
 * with the close delimiter's line, base64 with its last line, text with its own line end. */
static void output_ends_with_crlf(void **state)
{
    (void)state;
    static const shape_fn shapes[] = {
        shape_empty, shape_text, shape_qp_text, shape_base64_text, shape_full, shape_nested_message,
        shape_forced, shape_long_headers,
    };
    for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++) {
        mailbuild_message *m = new_message(0);
        shapes[i](m);
        size_t n;
        char *s = build_bytes(m, &n);
        if (n < 2 || memcmp(s + n - 2, "\r\n", 2) != 0)
            fail_msg("shape %zu does not end with CRLF:\n%s", i, s);
        mailbuild_free(s);
        mailbuild_message_free(m);
    }
    /* a binary part at the top, forced to base64 */
    mailbuild_message *m = new_message(NO_GENERATED);
    mailbuild_part *p;
    assert_int_equal(mailbuild_part_new(m, "image/png", BYTES("\x89PNG"), 4, &p), 0);
    assert_int_equal(mailbuild_set_body(m, p), 0);
    size_t n;
    char *s = build_bytes(m, &n);
    assert_memory_equal(s + n - 10, "iVBORw==\r\n", 10);
    mailbuild_free(s);
    mailbuild_message_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pieces_are_at_most_64_kib),
        cmocka_unit_test(failing_callback_stops_the_write_at_that_call),
        cmocka_unit_test(small_message_fails_on_its_only_call),
        cmocka_unit_test(size_equals_the_bytes_written_for_every_shape),
        cmocka_unit_test(base64_size_is_exact_for_every_length),
        cmocka_unit_test(quoted_printable_size_is_exact),
        cmocka_unit_test(repeated_output_gives_identical_bytes),
        cmocka_unit_test(size_first_fixes_the_generated_values),
        cmocka_unit_test(boundary_found_in_a_7bit_part_is_replaced_by_the_next),
        cmocka_unit_test(boundary_found_in_an_8bit_or_binary_part_is_replaced),
        cmocka_unit_test(boundary_in_an_encoded_part_is_no_collision),
        cmocka_unit_test(boundary_that_prefixes_a_part_header_line_is_replaced),
        cmocka_unit_test(outer_boundary_differs_from_the_inner_one),
        cmocka_unit_test(constant_random_source_is_enough_for_one_multipart),
        cmocka_unit_test(constant_random_source_that_cannot_avoid_a_collision_fails),
        cmocka_unit_test(output_ends_with_crlf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
