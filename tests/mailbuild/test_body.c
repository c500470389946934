/* test_body.c — the structure of the body: the common shapes (RFC 2046 §5.1.3-§5.1.4,
 * RFC 2387 multipart/related), the tree API with its limits, multipart/digest (RFC 2046 §5.1.5)
 * and message/rfc822 parts (§5.2.1), checked as bytes and as libmailparse reads them back. */
#include "build_util.h"

#define NO_GENERATED (MAILBUILD_F_NO_DATE | MAILBUILD_F_NO_MESSAGE_ID)

/* Builds, compares with `want` byte for byte, and returns the parsed message. */
static mailparse_message *expect_bytes(mailbuild_message *m, const char *want)
{
    size_t n;
    char *got = build_string(m, &n);
    assert_string_equal(got, want);
    mailparse_message *p = parse_built(got);
    assert_int_equal(mailparse_message_anomaly_count(p), 0);
    mailbuild_free(got);
    return p;
}

static mailparse_message *build_and_parse(mailbuild_message *m)
{
    size_t n;
    char *s = build_bytes(m, &n);
    mailparse_message *p = parse_bytes(s, n);
    mailbuild_free(s);
    return p;
}

/* Part `id` has `count` children, the k-th of type types[k]. */
static void expect_children(const mailparse_message *p, size_t id, size_t count, const char *const *types)
{
    const mailparse_part *pt = mailparse_message_part(p, id);
    assert_non_null(pt);
    assert_int_equal(pt->kind, MAILPARSE_PART_MULTIPART);
    assert_int_equal(pt->child_count, count);
    for (size_t k = 0; k < count; k++)
        assert_string_equal(part_type(p, pt->children[k]), types[k]);
}

static int has_anomaly_kind(const mailparse_message *p, mailparse_anomaly_kind kind)
{
    for (size_t k = 0; k < mailparse_message_anomaly_count(p); k++) {
        mailparse_anomaly_kind got;
        size_t off;
        assert_int_equal(mailparse_message_anomaly_at(p, k, &got, &off), 0);
        if (got == kind)
            return 1;
    }
    return 0;
}

static const char *text_of_part(const mailparse_message *p, size_t id)
{
    const mailparse_part *pt = mailparse_message_part(p, id);
    assert_non_null(pt);
    assert_non_null(pt->text);
    return pt->text;
}

/* ---- the common shapes ----------------------------------------------------------------------- */

static void text_only_is_a_single_text_plain_part(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_set_text(m, "Hello, world.\n", 14, NULL), 0);
    mailparse_message *p = expect_bytes(m,
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n"
        "Content-Transfer-Encoding: 7bit\r\n"
        "\r\n"
        "Hello, world.\r\n");
    assert_int_equal(mailparse_message_part_count(p), 1);
    assert_int_equal(mailparse_message_part(p, 0)->kind, MAILPARSE_PART_TEXT);
    assert_string_equal(mailparse_message_part(p, 0)->charset, "us-ascii");
    assert_string_equal(text_of_part(p, 0), "Hello, world.\r\n");
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

static void html_only_is_a_single_text_html_part(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_set_html(m, "<p>Hi</p>\n", 10, NULL), 0);
    mailparse_message *p = expect_bytes(m,
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/html; charset=us-ascii\r\n"
        "Content-Transfer-Encoding: 7bit\r\n"
        "\r\n"
        "<p>Hi</p>\r\n");
    assert_int_equal(mailparse_message_part_count(p), 1);
    assert_int_equal(mailparse_message_part(p, 0)->kind, MAILPARSE_PART_HTML);
    assert_string_equal(text_of_part(p, 0), "<p>Hi</p>\r\n");
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

/* RFC 2046 §5.1.4: the alternatives in increasing faithfulness, so the HTML comes last. The
 * CRLF before each delimiter belongs to the delimiter (§5.1.1). */
static void text_and_html_make_multipart_alternative_with_html_last(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(0);
    assert_int_equal(mailbuild_add_address(m, "From", NULL, "a@example.org"), 0);
    assert_int_equal(mailbuild_set_subject(m, "Hi"), 0);
    assert_int_equal(mailbuild_set_text(m, "Hi there\n", 9, NULL), 0);
    assert_int_equal(mailbuild_set_html(m, "<p>Hi there</p>\n", 16, NULL), 0);
    mailparse_message *p = expect_bytes(m,
        "From: a@example.org\r\n"
        "Subject: Hi\r\n"
        "Date: " FIXED_DATE "\r\n"
        "Message-ID: <000102030405060708090a0b0c0d0e0f@example.org>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/alternative; boundary=\"" BOUNDARY_AFTER_ID "\"\r\n"
        "\r\n"
        "--" BOUNDARY_AFTER_ID "\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n"
        "Content-Transfer-Encoding: 7bit\r\n"
        "\r\n"
        "Hi there\r\n"
        "\r\n"
        "--" BOUNDARY_AFTER_ID "\r\n"
        "Content-Type: text/html; charset=us-ascii\r\n"
        "Content-Transfer-Encoding: 7bit\r\n"
        "\r\n"
        "<p>Hi there</p>\r\n"
        "\r\n"
        "--" BOUNDARY_AFTER_ID "--\r\n");
    static const char *const kids[] = {"text/plain", "text/html"};
    assert_string_equal(part_type(p, 0), "multipart/alternative");
    expect_children(p, 0, 2, kids);
    assert_string_equal(text_of_part(p, 1), "Hi there\r\n");
    assert_string_equal(text_of_part(p, 2), "<p>Hi there</p>\r\n");
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

/* RFC 2387 §3.1: multipart/related names its root's type in type=; RFC 2392: the HTML refers to
 * the inline part by its Content-ID. The PNG signature encodes as "iVBORw0KGgo=". */
static void inline_part_makes_multipart_related_with_root_type_and_content_id(void **state)
{
    (void)state;
    static const unsigned char png[] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
    mailbuild_message *m = new_message(NO_GENERATED);
    const char *html = "<img src=\"cid:logo@example.org\">\n";
    assert_int_equal(mailbuild_add_inline(m, png, sizeof png, "image/png", "logo@example.org",
                                          "logo.png", NULL), 0);
    assert_int_equal(mailbuild_set_html(m, html, strlen(html), NULL), 0);
    mailparse_message *p = expect_bytes(m,
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/related; boundary=\"" BOUNDARY_1 "\";\r\n"
        " type=\"text/html\"\r\n"
        "\r\n"
        "--" BOUNDARY_1 "\r\n"
        "Content-Type: text/html; charset=us-ascii\r\n"
        "Content-Transfer-Encoding: 7bit\r\n"
        "\r\n"
        "<img src=\"cid:logo@example.org\">\r\n"
        "\r\n"
        "--" BOUNDARY_1 "\r\n"
        "Content-Type: image/png; name=\"logo.png\"\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        "Content-Disposition: inline; filename=\"logo.png\"\r\n"
        "Content-ID: <logo@example.org>\r\n"
        "\r\n"
        "iVBORw0KGgo=\r\n"
        "--" BOUNDARY_1 "--\r\n");
    static const char *const kids[] = {"text/html", "image/png"};
    expect_children(p, 0, 2, kids);
    assert_string_equal(param_value(mailparse_message_part(p, 0)->content_type, "type"), "text/html");
    const mailparse_part *img = mailparse_message_part(p, 2);
    assert_string_equal(img->content_id, "logo@example.org");
    assert_string_equal(img->disposition->type, "inline");
    assert_int_equal(img->body_len, sizeof png);
    assert_memory_equal(img->body, png, sizeof png);
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

static void text_html_and_inline_put_the_alternative_inside_related(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_set_text(m, "t\n", 2, NULL), 0);
    assert_int_equal(mailbuild_set_html(m, "<p>t</p>\n", 9, NULL), 0);
    assert_int_equal(mailbuild_add_inline(m, BYTES("GIF89a"), 6, "image/gif", "<i1@example.org>", NULL, NULL), 0);
    size_t n;
    char *s = build_bytes(m, &n);
    /* the alternative is written first (BOUNDARY_1), the related around it second (BOUNDARY_2) */
    assert_true(contains(s, "Content-Type: multipart/related; boundary=\"" BOUNDARY_2 "\";\r\n"
                            " type=\"multipart/alternative\"\r\n"));
    mailparse_message *p = parse_bytes(s, n);
    static const char *const top[] = {"multipart/alternative", "image/gif"};
    static const char *const alt[] = {"text/plain", "text/html"};
    assert_string_equal(part_type(p, 0), "multipart/related");
    expect_children(p, 0, 2, top);
    assert_string_equal(param_value(mailparse_message_part(p, 0)->content_type, "type"),
                        "multipart/alternative");
    expect_children(p, 1, 2, alt);
    assert_string_equal(mailparse_message_part(p, 4)->content_id, "i1@example.org");
    mailparse_message_free(p);
    mailbuild_free(s);
    mailbuild_message_free(m);
}

/* A text and one attachment: multipart/mixed with the text first. base64 of 00 01 02 ff is
 * "AAEC/w==" (RFC 4648 §4). */
static void attachment_makes_multipart_mixed_with_the_text_first(void **state)
{
    (void)state;
    static const unsigned char data[] = {0x00, 0x01, 0x02, 0xff};
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_add_attachment(m, data, sizeof data, "application/octet-stream",
                                              "data.bin", NULL), 0);
    assert_int_equal(mailbuild_set_text(m, "See attached.\n", 14, NULL), 0);
    mailparse_message *p = expect_bytes(m,
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=\"" BOUNDARY_1 "\"\r\n"
        "\r\n"
        "--" BOUNDARY_1 "\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n"
        "Content-Transfer-Encoding: 7bit\r\n"
        "\r\n"
        "See attached.\r\n"
        "\r\n"
        "--" BOUNDARY_1 "\r\n"
        "Content-Type: application/octet-stream; name=\"data.bin\"\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        "Content-Disposition: attachment; filename=\"data.bin\"\r\n"
        "\r\n"
        "AAEC/w==\r\n"
        "--" BOUNDARY_1 "--\r\n");
    static const char *const kids[] = {"text/plain", "application/octet-stream"};
    expect_children(p, 0, 2, kids);
    const mailparse_part *att = mailparse_message_part(p, 2);
    assert_string_equal(att->disposition->type, "attachment");
    assert_string_equal(att->filename, "data.bin");
    assert_int_equal(att->body_len, sizeof data);
    assert_memory_equal(att->body, data, sizeof data);
    size_t count;
    const size_t *list = mailparse_message_attachments(p, &count);
    assert_int_equal(count, 1);
    assert_int_equal(list[0], 2);
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

/* All four kinds: mixed(related(alternative(text, html), inline), attachment, attachment). */
static void every_shape_nests_alternative_in_related_in_mixed(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_add_attachment(m, BYTES("%PDF-1.4\n"), 9, NULL, "a.pdf", NULL), 0);
    assert_int_equal(mailbuild_set_html(m, "<img src=\"cid:c@x.example\">", 27, NULL), 0);
    assert_int_equal(mailbuild_add_inline(m, BYTES("\x89PNG"), 4, NULL, "c@x.example", "c.png", NULL), 0);
    assert_int_equal(mailbuild_set_text(m, "text", 4, NULL), 0);
    assert_int_equal(mailbuild_add_attachment(m, BYTES("PK\x03\x04"), 4, NULL, "b.zip", NULL), 0);
    size_t n;
    char *s = build_bytes(m, &n);
    /* boundaries in the order the levels are closed: alternative, related, mixed */
    assert_true(contains(s, "multipart/alternative; boundary=\"" BOUNDARY_1 "\""));
    assert_true(contains(s, "multipart/related; boundary=\"" BOUNDARY_2 "\""));
    assert_true(contains(s, "multipart/mixed; boundary=\"" BOUNDARY_3 "\""));
    mailparse_message *p = parse_bytes(s, n);
    static const char *const mixed[] = {"multipart/related", "application/pdf", "application/zip"};
    static const char *const related[] = {"multipart/alternative", "image/png"};
    static const char *const alt[] = {"text/plain", "text/html"};
    assert_string_equal(part_type(p, 0), "multipart/mixed");
    expect_children(p, 0, 3, mixed);
    expect_children(p, 1, 2, related);
    expect_children(p, 2, 2, alt);
    assert_string_equal(text_of_part(p, 3), "text");
    assert_string_equal(text_of_part(p, 4), "<img src=\"cid:c@x.example\">");
    assert_string_equal(mailparse_message_part(p, 5)->content_id, "c@x.example");
    assert_string_equal(mailparse_message_part(p, 6)->filename, "a.pdf");
    assert_string_equal(mailparse_message_part(p, 7)->filename, "b.zip");
    mailparse_message_free(p);
    mailbuild_free(s);
    mailbuild_message_free(m);
}

/* What a reader finds at the top of the message, as one line: its type, the number of parts,
 * and its disposition, filename, Content-ID and type= parameter ("-" when absent). The
 * message is freed. */
static void describe_top(mailbuild_message *m, char *out, size_t size)
{
    mailparse_message *p = build_and_parse(m);
    const mailparse_part *top = mailparse_message_part(p, 0);
    const char *type_param = param_value(top->content_type, "type");
    snprintf(out, size, "%.60s parts=%zu disposition=%.20s filename=%.40s cid=%.40s type=%.60s",
             part_type(p, 0), mailparse_message_part_count(p),
             top->disposition ? top->disposition->type : "-", top->filename ? top->filename : "-",
             top->content_id ? top->content_id : "-", type_param ? type_param : "-");
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

/* mailbuild.h: "Each level is left out when it would hold one part": one attachment and
 * nothing else is the body itself. */
static void single_attachment_alone_is_the_body(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_add_attachment(m, BYTES("%PDF"), 4, "application/pdf", "a.pdf", NULL), 0);
    char top[400];
    describe_top(m, top, sizeof top);
    assert_string_equal(top, "application/pdf parts=1 disposition=attachment filename=a.pdf cid=- type=-");
}

static void attachments_only_make_multipart_mixed_of_them(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_add_attachment(m, BYTES("%PDF"), 4, NULL, "a.pdf", NULL), 0);
    assert_int_equal(mailbuild_add_attachment(m, BYTES("GIF8"), 4, NULL, "b.gif", NULL), 0);
    mailparse_message *p = build_and_parse(m);
    static const char *const kids[] = {"application/pdf", "image/gif"};
    assert_string_equal(part_type(p, 0), "multipart/mixed");
    expect_children(p, 0, 2, kids);
    assert_string_equal(mailparse_message_part(p, 1)->filename, "a.pdf");
    assert_string_equal(mailparse_message_part(p, 2)->filename, "b.gif");
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

/* The same rule for one inline part without text or HTML. */
static void single_inline_alone_is_the_body(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_add_inline(m, BYTES("GIF8"), 4, "image/gif", "g@x.example", NULL, NULL), 0);
    char top[400];
    describe_top(m, top, sizeof top);
    assert_string_equal(top, "image/gif parts=1 disposition=inline filename=- cid=g@x.example type=-");
}

/* RFC 2387 §3.1: "The type parameter must be specified", also when the root is an inline part
 * (the first one, RFC 2387 §3.2). */
static void inlines_without_text_still_name_the_related_root_type(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_add_inline(m, BYTES("GIF8"), 4, "image/gif", "g@x.example", NULL, NULL), 0);
    assert_int_equal(mailbuild_add_inline(m, BYTES("\x89PNG"), 4, "image/png", "p@x.example", NULL, NULL), 0);
    char top[400];
    describe_top(m, top, sizeof top);
    assert_string_equal(top, "multipart/related parts=3 disposition=- filename=- cid=- type=image/gif");
}

/* RFC 2045 §5.2 defaults aside, the library writes an explicit empty text/plain. */
static void no_body_gives_an_empty_text_plain_part(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    mailparse_message *p = expect_bytes(m,
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n"
        "Content-Transfer-Encoding: 7bit\r\n"
        "\r\n");
    assert_int_equal(mailparse_message_part_count(p), 1);
    assert_int_equal(mailparse_message_part(p, 0)->kind, MAILPARSE_PART_TEXT);
    assert_int_equal(mailparse_message_part(p, 0)->text_len, 0);
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

static char *shapes_in_order(int reversed, size_t *len)
{
    mailbuild_message *m = new_message(NO_GENERATED);
    for (int step = 0; step < 5; step++) {
        switch (reversed ? 4 - step : step) {
        case 0: assert_int_equal(mailbuild_set_text(m, "plain\n", 6, NULL), 0); break;
        case 1: assert_int_equal(mailbuild_set_html(m, "<b>html</b>\n", 12, NULL), 0); break;
        case 2:
            assert_int_equal(mailbuild_add_inline(m, BYTES("GIF8"), 4, NULL, "g@x.example", "g.gif", NULL), 0);
            break;
        case 3: assert_int_equal(mailbuild_add_attachment(m, BYTES("%PDF"), 4, NULL, "a.pdf", NULL), 0); break;
        default: assert_int_equal(mailbuild_set_subject(m, "order"), 0); break;
        }
    }
    char *s = build_bytes(m, len);
    mailbuild_message_free(m);
    return s;
}

static void order_of_the_calls_does_not_change_the_output(void **state)
{
    (void)state;
    size_t n1, n2;
    char *forward = shapes_in_order(0, &n1);
    char *backward = shapes_in_order(1, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(forward, backward, n1);
    mailbuild_free(forward);
    mailbuild_free(backward);
}

static void set_text_twice_keeps_only_the_second(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    mailbuild_part *first, *second;
    assert_int_equal(mailbuild_set_text(m, "first\n", 6, &first), 0);
    assert_int_equal(mailbuild_set_html(m, "<p>one</p>", 10, NULL), 0);
    assert_int_equal(mailbuild_set_text(m, "second\n", 7, &second), 0);
    assert_int_equal(mailbuild_set_html(m, "<p>two</p>", 10, NULL), 0);
    assert_ptr_not_equal(first, second);
    size_t n;
    char *s = build_bytes(m, &n);
    assert_false(contains(s, "first"));
    assert_false(contains(s, "one"));
    mailparse_message *p = parse_bytes(s, n);
    static const char *const kids[] = {"text/plain", "text/html"};
    expect_children(p, 0, 2, kids);
    assert_string_equal(text_of_part(p, 1), "second\r\n");
    assert_string_equal(text_of_part(p, 2), "<p>two</p>");
    mailparse_message_free(p);
    mailbuild_free(s);
    mailbuild_message_free(m);
}

/* ---- the tree API ---------------------------------------------------------------------------- */

static mailbuild_part *leaf(mailbuild_message *m, const char *type, const char *data)
{
    mailbuild_part *p = NULL;
    assert_int_equal(mailbuild_part_new(m, type, BYTES(data), strlen(data), &p), 0);
    assert_non_null(p);
    return p;
}

static mailbuild_part *multipart(mailbuild_message *m, const char *subtype)
{
    mailbuild_part *p = NULL;
    assert_int_equal(mailbuild_multipart_new(m, subtype, &p), 0);
    assert_non_null(p);
    return p;
}

static void nested_multiparts_are_written_as_built(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    mailbuild_part *mixed = multipart(m, "mixed");
    mailbuild_part *alt = multipart(m, "alternative");
    mailbuild_part *para = multipart(m, "parallel");
    assert_int_equal(mailbuild_part_append(alt, leaf(m, "text/plain", "one\r\n")), 0);
    assert_int_equal(mailbuild_part_append(alt, leaf(m, "text/enriched", "<bold>one</bold>\r\n")), 0);
    assert_int_equal(mailbuild_part_append(mixed, alt), 0);
    assert_int_equal(mailbuild_part_append(para, leaf(m, "audio/basic", "\x01\x02")), 0);
    assert_int_equal(mailbuild_part_append(para, leaf(m, "image/gif", "GIF8")), 0);
    assert_int_equal(mailbuild_part_append(mixed, para), 0);
    assert_int_equal(mailbuild_part_append(mixed, leaf(m, "text/x-note", "last")), 0);
    assert_int_equal(mailbuild_set_body(m, mixed), 0);
    size_t n;
    char *s = build_bytes(m, &n);
    /* children get their boundaries before their parents */
    assert_true(contains(s, "multipart/alternative; boundary=\"" BOUNDARY_1 "\""));
    assert_true(contains(s, "multipart/parallel; boundary=\"" BOUNDARY_2 "\""));
    assert_true(contains(s, "multipart/mixed; boundary=\"" BOUNDARY_3 "\""));
    mailparse_message *p = parse_bytes(s, n);
    assert_int_equal(mailparse_message_anomaly_count(p), 0);
    static const char *const top[] = {"multipart/alternative", "multipart/parallel", "text/x-note"};
    static const char *const alt_kids[] = {"text/plain", "text/enriched"};
    static const char *const para_kids[] = {"audio/basic", "image/gif"};
    expect_children(p, 0, 3, top);
    expect_children(p, 1, 2, alt_kids);
    expect_children(p, 4, 2, para_kids);
    assert_string_equal(text_of_part(p, 2), "one\r\n");
    assert_string_equal(text_of_part(p, 3), "<bold>one</bold>\r\n");
    assert_int_equal(mailparse_message_part(p, 5)->body_len, 2);
    assert_memory_equal(mailparse_message_part(p, 5)->body, "\x01\x02", 2);
    assert_string_equal(text_of_part(p, 7), "last");
    mailparse_message_free(p);
    mailbuild_free(s);
    mailbuild_message_free(m);
}

/* A small message built by the library itself, with its own counter. */
static char *inner_message(unsigned flags, const char *subject, const char *text, size_t *len)
{
    unsigned counter = 0;
    mailbuild_options o;
    deterministic_options(&o, &counter, flags);
    mailbuild_message *m = NULL;
    assert_int_equal(mailbuild_message_new(&o, &m), 0);
    assert_int_equal(mailbuild_add_address(m, "From", NULL, "inner@example.org"), 0);
    assert_int_equal(mailbuild_set_subject(m, subject), 0);
    assert_int_equal(mailbuild_set_text(m, text, strlen(text), NULL), 0);
    char *s = build_bytes(m, len);
    mailbuild_message_free(m);
    return s;
}

/* RFC 2046 §5.1.5: the parts of a digest are messages. */
static void digest_holds_message_rfc822_parts(void **state)
{
    (void)state;
    size_t n1, n2;
    char *one = inner_message(0, "first", "1\n", &n1);
    char *two = inner_message(0, "second", "2\n", &n2);
    mailbuild_message *m = new_message(NO_GENERATED);
    mailbuild_part *digest = multipart(m, "digest");
    mailbuild_part *a, *b;
    assert_int_equal(mailbuild_part_new(m, "message/rfc822", BYTES(one), n1, &a), 0);
    assert_int_equal(mailbuild_part_new(m, "message/rfc822", BYTES(two), n2, &b), 0);
    assert_int_equal(mailbuild_part_append(digest, a), 0);
    assert_int_equal(mailbuild_part_append(digest, b), 0);
    assert_int_equal(mailbuild_set_body(m, digest), 0);
    mailparse_message *p = build_and_parse(m);
    static const char *const kids[] = {"message/rfc822", "message/rfc822"};
    assert_string_equal(part_type(p, 0), "multipart/digest");
    expect_children(p, 0, 2, kids);
    const mailparse_part *first = mailparse_message_part(p, 1);
    assert_int_equal(first->kind, MAILPARSE_PART_MESSAGE);
    assert_int_equal(first->child_count, 1);
    assert_string_equal(mailparse_part_header(p, first->children[0], "Subject", 0)->text, "first");
    assert_string_equal(text_of_part(p, first->children[0]), "1\r\n");
    const mailparse_part *second = mailparse_message_part(p, 3);
    assert_int_equal(second->kind, MAILPARSE_PART_MESSAGE);
    assert_string_equal(mailparse_part_header(p, second->children[0], "Subject", 0)->text, "second");
    mailparse_message_free(p);
    mailbuild_message_free(m);
    mailbuild_free(one);
    mailbuild_free(two);
}

/* RFC 2046 §5.2.1: message/rfc822 is written as the message it holds, in 7bit when it is
 * 7-bit; the reader sees a nested message. The type is guessed from ".eml". */
static void message_rfc822_attachment_is_written_as_is_in_7bit(void **state)
{
    (void)state;
    size_t inner_len;
    char *inner = inner_message(0, "forwarded", "inner text\n", &inner_len);
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_set_text(m, "see below\n", 10, NULL), 0);
    mailbuild_part *att;
    assert_int_equal(mailbuild_add_attachment(m, BYTES(inner), inner_len, NULL, "fwd.eml", &att), 0);
    assert_int_equal(mailbuild_part_encoding(att), MAILBUILD_ENC_7BIT);
    size_t n;
    char *s = build_bytes(m, &n);
    assert_true(contains(s, "Content-Type: message/rfc822; name=\"fwd.eml\"\r\n"
                            "Content-Transfer-Encoding: 7bit\r\n"
                            "Content-Disposition: attachment; filename=\"fwd.eml\"\r\n"
                            "\r\n"));
    assert_true(contains(s, inner)); /* the message, byte for byte */
    mailparse_message *p = parse_bytes(s, n);
    size_t id = part_of_type(p, "message/rfc822", 0);
    const mailparse_part *msg = mailparse_message_part(p, id);
    assert_int_equal(msg->kind, MAILPARSE_PART_MESSAGE);
    assert_int_equal(msg->encoding, MAILPARSE_ENC_7BIT);
    assert_int_equal(msg->child_count, 1);
    size_t root = msg->children[0];
    assert_string_equal(mailparse_part_header(p, root, "Subject", 0)->text, "forwarded");
    assert_string_equal(mailparse_part_header(p, root, "Message-ID", 0)->list->items[0],
                        "000102030405060708090a0b0c0d0e0f@example.org");
    assert_string_equal(text_of_part(p, root), "inner text\r\n");
    mailparse_message_free(p);
    mailbuild_free(s);
    mailbuild_message_free(m);
    mailbuild_free(inner);
}

/* mailbuild.h: the message is written "line ends made CRLF" (RFC 5322 §2.3). */
static void message_rfc822_line_ends_are_made_crlf(void **state)
{
    (void)state;
    const char *inner = "From: a@b.example\nSubject: lf\n\nline one\rline two\n";
    mailbuild_message *m = new_message(NO_GENERATED);
    mailbuild_part *p;
    assert_int_equal(mailbuild_part_new(m, "message/rfc822", BYTES(inner), strlen(inner), &p), 0);
    assert_int_equal(mailbuild_set_body(m, p), 0);
    size_t n;
    char *s = build_bytes(m, &n);
    assert_true(crlf_only(s, n));
    assert_true(contains(s, "\r\n\r\nFrom: a@b.example\r\nSubject: lf\r\n\r\nline one\r\nline two\r\n"));
    mailparse_message *parsed = parse_bytes(s, n);
    assert_int_equal(mailparse_message_anomaly_count(parsed), 0);
    const mailparse_part *msg = mailparse_message_part(parsed, 0);
    assert_int_equal(msg->kind, MAILPARSE_PART_MESSAGE);
    assert_string_equal(mailparse_part_header(parsed, msg->children[0], "Subject", 0)->text, "lf");
    assert_string_equal(text_of_part(parsed, msg->children[0]), "line one\r\nline two\r\n");
    mailparse_message_free(parsed);
    mailbuild_free(s);
    mailbuild_message_free(m);
}

/* An 8-bit message stays 8bit (RFC 2046 §5.2.1 allows no other encoding than 7bit, 8bit or
 * binary) and so the multipart around it declares 8bit too (RFC 2045 §6.4). */
static void message_rfc822_with_8bit_body_is_written_8bit(void **state)
{
    (void)state;
    size_t inner_len;
    char *inner = inner_message(MAILBUILD_F_8BIT, "8bit", "Gr\xc3\xbc\xc3\x9f" "e\n", &inner_len);
    assert_true(contains(inner, "Content-Transfer-Encoding: 8bit\r\n"));
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_set_text(m, "see below\n", 10, NULL), 0);
    mailbuild_part *att;
    assert_int_equal(mailbuild_add_attachment(m, BYTES(inner), inner_len, "message/rfc822", NULL, &att), 0);
    assert_int_equal(mailbuild_part_encoding(att), MAILBUILD_ENC_8BIT);
    size_t n;
    char *s = build_bytes(m, &n);
    assert_true(contains(s, "Content-Type: multipart/mixed; boundary=\"" BOUNDARY_1 "\"\r\n"
                            "Content-Transfer-Encoding: 8bit\r\n"));
    assert_true(contains(s, "Content-Type: message/rfc822\r\n"
                            "Content-Transfer-Encoding: 8bit\r\n"
                            "Content-Disposition: attachment\r\n"
                            "\r\n"));
    assert_true(contains(s, inner));
    mailparse_message *p = parse_bytes(s, n);
    const mailparse_part *msg = mailparse_message_part(p, part_of_type(p, "message/rfc822", 0));
    assert_int_equal(msg->kind, MAILPARSE_PART_MESSAGE);
    assert_int_equal(msg->encoding, MAILPARSE_ENC_8BIT);
    assert_string_equal(text_of_part(p, msg->children[0]), "Gr\xc3\xbc\xc3\x9f" "e\r\n");
    mailparse_message_free(p);
    mailbuild_free(s);
    mailbuild_message_free(m);
    mailbuild_free(inner);
}

/* The inner message was built from the same counter, so its boundary is the one the outer
 * message would draw first; the outer one must take the next (RFC 2046 §5.1.1). */
static void nested_message_boundary_makes_the_outer_draw_another(void **state)
{
    (void)state;
    unsigned counter = 0;
    mailbuild_options o;
    deterministic_options(&o, &counter, NO_GENERATED);
    mailbuild_message *inner = NULL;
    assert_int_equal(mailbuild_message_new(&o, &inner), 0);
    assert_int_equal(mailbuild_set_text(inner, "in\n", 3, NULL), 0);
    assert_int_equal(mailbuild_set_html(inner, "<p>in</p>\n", 10, NULL), 0);
    size_t inner_len;
    char *bytes = build_bytes(inner, &inner_len);
    assert_true(contains(bytes, "boundary=\"" BOUNDARY_1 "\""));
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_set_text(m, "outer\n", 6, NULL), 0);
    assert_int_equal(mailbuild_add_attachment(m, BYTES(bytes), inner_len, "message/rfc822", NULL, NULL), 0);
    size_t n;
    char *s = build_bytes(m, &n);
    assert_true(contains(s, "Content-Type: multipart/mixed; boundary=\"" BOUNDARY_2 "\"\r\n"));
    mailparse_message *p = parse_bytes(s, n);
    assert_int_equal(mailparse_message_anomaly_count(p), 0);
    static const char *const kids[] = {"text/plain", "message/rfc822"};
    expect_children(p, 0, 2, kids);
    const mailparse_part *msg = mailparse_message_part(p, 2);
    size_t root = msg->children[0];
    assert_string_equal(part_type(p, root), "multipart/alternative");
    assert_int_equal(mailparse_message_part(p, root)->child_count, 2);
    assert_string_equal(text_of_part(p, 1), "outer\r\n");
    mailparse_message_free(p);
    mailbuild_free(s);
    mailbuild_free(bytes);
    mailbuild_message_free(m);
    mailbuild_message_free(inner);
}

/* ---- appending: what is refused -------------------------------------------------------------- */

static void appending_to_a_leaf_is_invalid(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    mailbuild_part *a = leaf(m, "text/plain", "a");
    mailbuild_part *b = leaf(m, "text/plain", "b");
    assert_int_equal(mailbuild_part_append(a, b), MAILBUILD_E_INVAL);
    /* b was not placed by the failed call */
    mailbuild_part *mp = multipart(m, "mixed");
    assert_int_equal(mailbuild_part_append(mp, b), 0);
    mailbuild_message_free(m);
}

static void appending_a_placed_part_is_a_state_error(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    mailbuild_part *one = multipart(m, "mixed");
    mailbuild_part *two = multipart(m, "mixed");
    mailbuild_part *child = leaf(m, "text/plain", "c");
    assert_int_equal(mailbuild_part_append(one, child), 0);
    assert_int_equal(mailbuild_part_append(one, child), MAILBUILD_E_STATE);
    assert_int_equal(mailbuild_part_append(two, child), MAILBUILD_E_STATE);
    /* the body and the common-shape parts are placed too */
    assert_int_equal(mailbuild_set_body(m, one), 0);
    assert_int_equal(mailbuild_part_append(two, one), MAILBUILD_E_STATE);
    mailbuild_part *text;
    assert_int_equal(mailbuild_set_text(m, "t", 1, &text), 0);
    assert_int_equal(mailbuild_part_append(two, text), MAILBUILD_E_STATE);
    /* nothing changed: `one` still holds exactly its child */
    assert_int_equal(mailbuild_part_append(two, leaf(m, "text/plain", "d")), 0);
    mailparse_message *p = build_and_parse(m);
    assert_int_equal(mailparse_message_part(p, 0)->child_count, 1);
    assert_string_equal(text_of_part(p, 1), "c");
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

static void appending_that_makes_a_cycle_is_a_state_error(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    mailbuild_part *a = multipart(m, "mixed");
    mailbuild_part *b = multipart(m, "mixed");
    mailbuild_part *c = multipart(m, "mixed");
    assert_int_equal(mailbuild_part_append(a, a), MAILBUILD_E_STATE);
    assert_int_equal(mailbuild_part_append(a, b), 0);
    assert_int_equal(mailbuild_part_append(b, c), 0);
    assert_int_equal(mailbuild_part_append(b, a), MAILBUILD_E_STATE); /* a holds b */
    assert_int_equal(mailbuild_part_append(c, a), MAILBUILD_E_STATE); /* a holds c */
    assert_int_equal(mailbuild_part_append(c, leaf(m, "text/plain", "x")), 0);
    assert_int_equal(mailbuild_set_body(m, a), 0);
    mailparse_message *p = build_and_parse(m);
    assert_int_equal(mailparse_message_part_count(p), 4);
    assert_string_equal(text_of_part(p, 3), "x");
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

static void appending_a_part_of_another_message_is_invalid(void **state)
{
    (void)state;
    unsigned c1 = 0, c2 = 0;
    mailbuild_options o1, o2;
    deterministic_options(&o1, &c1, NO_GENERATED);
    deterministic_options(&o2, &c2, NO_GENERATED);
    mailbuild_message *m1 = NULL, *m2 = NULL;
    assert_int_equal(mailbuild_message_new(&o1, &m1), 0);
    assert_int_equal(mailbuild_message_new(&o2, &m2), 0);
    mailbuild_part *parent = multipart(m1, "mixed");
    mailbuild_part *foreign = leaf(m2, "text/plain", "x");
    assert_int_equal(mailbuild_part_append(parent, foreign), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_set_body(m1, foreign), MAILBUILD_E_INVAL);
    mailbuild_message_free(m1);
    mailbuild_message_free(m2);
}

/* A chain of `levels` parts (multiparts, the last one a text leaf) appended top-down; returns
 * the result of the append that failed, or 0. */
static int chain(mailbuild_message *m, size_t levels, mailbuild_part **root)
{
    mailbuild_part *top = multipart(m, "mixed");
    mailbuild_part *cur = top;
    *root = top;
    for (size_t level = 2; level <= levels; level++) {
        mailbuild_part *next = level == levels ? leaf(m, "text/plain", "bottom\r\n") : multipart(m, "mixed");
        int rc = mailbuild_part_append(cur, next);
        if (rc)
            return rc;
        cur = next;
    }
    return 0;
}

/* max_depth counts the levels of the tree, the leaf at the bottom included. */
static void depth_limit_allows_exactly_max_depth_levels(void **state)
{
    (void)state;
    unsigned counter = 0;
    mailbuild_options o;
    deterministic_options(&o, &counter, NO_GENERATED);
    o.max_depth = 4;
    mailbuild_message *m = NULL;
    assert_int_equal(mailbuild_message_new(&o, &m), 0);
    mailbuild_part *root;
    assert_int_equal(chain(m, 4, &root), 0);
    assert_int_equal(chain(m, 5, &root), MAILBUILD_E_LIMIT);
    /* appending a whole subtree counts its height: 2 levels under a part at level 3 */
    mailbuild_part *top = multipart(m, "mixed"), *mid = multipart(m, "mixed"), *low = multipart(m, "mixed");
    assert_int_equal(mailbuild_part_append(top, mid), 0);
    assert_int_equal(mailbuild_part_append(mid, low), 0);
    mailbuild_part *sub = multipart(m, "mixed");
    assert_int_equal(mailbuild_part_append(sub, leaf(m, "text/plain", "x")), 0);
    assert_int_equal(mailbuild_part_append(low, sub), MAILBUILD_E_LIMIT);
    assert_int_equal(mailbuild_part_append(mid, sub), 0);
    mailbuild_message_free(m);
}

/* At the default (50) the deepest tree still parses whole with libmailparse's default. */
static void tree_at_the_default_depth_limit_parses_back_whole(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    mailbuild_part *root, *too_deep;
    assert_int_equal(chain(m, MAILBUILD_DEFAULT_MAX_DEPTH + 1, &too_deep), MAILBUILD_E_LIMIT);
    assert_int_equal(chain(m, MAILBUILD_DEFAULT_MAX_DEPTH, &root), 0);
    assert_int_equal(mailbuild_set_body(m, root), 0);
    mailparse_message *p = build_and_parse(m);
    assert_int_equal(mailparse_message_part_count(p), MAILBUILD_DEFAULT_MAX_DEPTH);
    assert_false(has_anomaly_kind(p, MAILPARSE_ANOMALY_DEPTH_LIMIT));
    assert_int_equal(mailparse_message_anomaly_count(p), 0);
    size_t last = MAILBUILD_DEFAULT_MAX_DEPTH - 1;
    assert_string_equal(part_type(p, last), "text/plain");
    assert_string_equal(text_of_part(p, last), "bottom\r\n");
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

static void part_limit_allows_exactly_max_parts(void **state)
{
    (void)state;
    unsigned counter = 0;
    mailbuild_options o;
    deterministic_options(&o, &counter, NO_GENERATED);
    o.max_parts = 5;
    mailbuild_message *m = NULL;
    assert_int_equal(mailbuild_message_new(&o, &m), 0);
    mailbuild_part *root = multipart(m, "mixed");
    for (int i = 0; i < 4; i++)
        assert_int_equal(mailbuild_part_append(root, leaf(m, "text/plain", "p")), 0);
    mailbuild_part *over = NULL;
    assert_int_equal(mailbuild_part_new(m, "text/plain", BYTES("q"), 1, &over), MAILBUILD_E_LIMIT);
    assert_null(over);
    assert_int_equal(mailbuild_multipart_new(m, "mixed", &over), MAILBUILD_E_LIMIT);
    assert_int_equal(mailbuild_set_text(m, "t", 1, NULL), MAILBUILD_E_LIMIT);
    assert_int_equal(mailbuild_add_attachment(m, BYTES("a"), 1, NULL, NULL, NULL), MAILBUILD_E_LIMIT);
    assert_int_equal(mailbuild_set_body(m, root), 0);
    mailparse_message *p = build_and_parse(m);
    assert_int_equal(mailparse_message_part_count(p), 5);
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

/* The containers the common shapes need are parts of the message too: text + HTML is three. */
static void common_shape_containers_count_toward_max_parts(void **state)
{
    (void)state;
    for (size_t max = 2; max <= 3; max++) {
        unsigned counter = 0;
        mailbuild_options o;
        deterministic_options(&o, &counter, NO_GENERATED);
        o.max_parts = max;
        mailbuild_message *m = NULL;
        assert_int_equal(mailbuild_message_new(&o, &m), 0);
        assert_int_equal(mailbuild_set_text(m, "t", 1, NULL), 0);
        assert_int_equal(mailbuild_set_html(m, "h", 1, NULL), 0);
        size_t size = 0;
        assert_int_equal(mailbuild_size(m, &size), max == 3 ? 0 : MAILBUILD_E_LIMIT);
        mailbuild_message_free(m);
    }
}

/* RFC 2046 §5.1.1: a multipart holds at least one body part. */
static void empty_multipart_fails_at_write_with_state_error(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    mailbuild_part *root = multipart(m, "mixed");
    assert_int_equal(mailbuild_part_append(root, leaf(m, "text/plain", "x")), 0);
    assert_int_equal(mailbuild_part_append(root, multipart(m, "alternative")), 0);
    assert_int_equal(mailbuild_set_body(m, root), 0);
    collector c = {0};
    assert_int_equal(mailbuild_write(m, collect_piece, &c), MAILBUILD_E_STATE);
    assert_int_equal(c.calls, 0);
    size_t size = 1;
    assert_int_equal(mailbuild_size(m, &size), MAILBUILD_E_STATE);
    char *out = (char *)"unchanged";
    assert_int_equal(mailbuild_to_buffer(m, &out, NULL), MAILBUILD_E_STATE);
    assert_null(out);
    mailbuild_message_free(m);
    free(c.data);
}

static void set_body_replaces_the_common_shapes(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_set_text(m, "shape text\n", 11, NULL), 0);
    assert_int_equal(mailbuild_add_attachment(m, BYTES("zz"), 2, NULL, "z.bin", NULL), 0);
    mailbuild_part *root = multipart(m, "alternative");
    assert_int_equal(mailbuild_part_append(root, leaf(m, "text/plain", "tree text\r\n")), 0);
    assert_int_equal(mailbuild_part_append(root, leaf(m, "text/html", "<p>tree</p>\r\n")), 0);
    assert_int_equal(mailbuild_set_body(m, root), 0);
    size_t n;
    char *s = build_bytes(m, &n);
    assert_false(contains(s, "shape text"));
    assert_false(contains(s, "z.bin"));
    mailparse_message *p = parse_bytes(s, n);
    static const char *const kids[] = {"text/plain", "text/html"};
    assert_string_equal(part_type(p, 0), "multipart/alternative");
    expect_children(p, 0, 2, kids);
    assert_string_equal(text_of_part(p, 1), "tree text\r\n");
    mailparse_message_free(p);
    mailbuild_free(s);
    mailbuild_message_free(m);
}

/* The replaced root is unplaced again: it can go into the new tree. */
static void set_body_twice_frees_the_first_root(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    mailbuild_part *first = leaf(m, "text/plain", "first\r\n");
    mailbuild_part *second = multipart(m, "mixed");
    assert_int_equal(mailbuild_set_body(m, first), 0);
    assert_int_equal(mailbuild_set_body(m, first), MAILBUILD_E_STATE);
    assert_int_equal(mailbuild_set_body(m, second), 0);
    assert_int_equal(mailbuild_part_append(second, first), 0);
    assert_int_equal(mailbuild_part_append(second, leaf(m, "text/plain", "second\r\n")), 0);
    mailparse_message *p = build_and_parse(m);
    static const char *const kids[] = {"text/plain", "text/plain"};
    expect_children(p, 0, 2, kids);
    assert_string_equal(text_of_part(p, 1), "first\r\n");
    assert_string_equal(text_of_part(p, 2), "second\r\n");
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

static void part_new_refuses_multipart_and_malformed_types(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    mailbuild_part *p = NULL;
    assert_int_equal(mailbuild_part_new(m, "multipart/mixed", BYTES("x"), 1, &p), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_new(m, "Multipart/Mixed", BYTES("x"), 1, &p), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_new(m, "text", BYTES("x"), 1, &p), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_new(m, "/plain", BYTES("x"), 1, &p), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_new(m, "text/", BYTES("x"), 1, &p), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_new(m, "text/pl ain", BYTES("x"), 1, &p), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_new(m, "text/plain; charset=x", BYTES("x"), 1, &p), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_multipart_new(m, "mi xed", &p), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_multipart_new(m, "", &p), MAILBUILD_E_INVAL);
    assert_null(p);
    assert_int_equal(mailbuild_multipart_new(m, "x-custom", &p), 0);
    assert_non_null(p);
    mailbuild_message_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_only_is_a_single_text_plain_part),
        cmocka_unit_test(html_only_is_a_single_text_html_part),
        cmocka_unit_test(text_and_html_make_multipart_alternative_with_html_last),
        cmocka_unit_test(inline_part_makes_multipart_related_with_root_type_and_content_id),
        cmocka_unit_test(text_html_and_inline_put_the_alternative_inside_related),
        cmocka_unit_test(attachment_makes_multipart_mixed_with_the_text_first),
        cmocka_unit_test(every_shape_nests_alternative_in_related_in_mixed),
        cmocka_unit_test(single_attachment_alone_is_the_body),
        cmocka_unit_test(attachments_only_make_multipart_mixed_of_them),
        cmocka_unit_test(single_inline_alone_is_the_body),
        cmocka_unit_test(inlines_without_text_still_name_the_related_root_type),
        cmocka_unit_test(no_body_gives_an_empty_text_plain_part),
        cmocka_unit_test(order_of_the_calls_does_not_change_the_output),
        cmocka_unit_test(set_text_twice_keeps_only_the_second),
        cmocka_unit_test(nested_multiparts_are_written_as_built),
        cmocka_unit_test(digest_holds_message_rfc822_parts),
        cmocka_unit_test(message_rfc822_attachment_is_written_as_is_in_7bit),
        cmocka_unit_test(message_rfc822_line_ends_are_made_crlf),
        cmocka_unit_test(message_rfc822_with_8bit_body_is_written_8bit),
        cmocka_unit_test(nested_message_boundary_makes_the_outer_draw_another),
        cmocka_unit_test(appending_to_a_leaf_is_invalid),
        cmocka_unit_test(appending_a_placed_part_is_a_state_error),
        cmocka_unit_test(appending_that_makes_a_cycle_is_a_state_error),
        cmocka_unit_test(appending_a_part_of_another_message_is_invalid),
        cmocka_unit_test(depth_limit_allows_exactly_max_depth_levels),
        cmocka_unit_test(tree_at_the_default_depth_limit_parses_back_whole),
        cmocka_unit_test(part_limit_allows_exactly_max_parts),
        cmocka_unit_test(common_shape_containers_count_toward_max_parts),
        cmocka_unit_test(empty_multipart_fails_at_write_with_state_error),
        cmocka_unit_test(set_body_replaces_the_common_shapes),
        cmocka_unit_test(set_body_twice_frees_the_first_root),
        cmocka_unit_test(part_new_refuses_multipart_and_malformed_types),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
