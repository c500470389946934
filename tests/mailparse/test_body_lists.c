/* test_body_lists.c — RFC 8621 §4.1.4 textBody / htmlBody / attachments, and the message's
 * text and HTML views built from them. */
#include "test_util.h"

static void assert_ids(const size_t *ids, size_t n, const size_t *want, size_t want_n)
{
    assert_int_equal(n, want_n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(ids[i], want[i]);
}

#define ASSERT_LIST(fn, m, ...)                                              \
    do {                                                                     \
        size_t want_[] = {__VA_ARGS__};                                      \
        size_t n_;                                                           \
        const size_t *ids_ = fn(m, &n_);                                     \
        assert_ids(ids_, n_, want_, sizeof want_ / sizeof want_[0]);         \
    } while (0)

#define ASSERT_EMPTY(fn, m)                                                  \
    do {                                                                     \
        size_t n_;                                                           \
        fn(m, &n_);                                                          \
        assert_int_equal(n_, 0);                                             \
    } while (0)

static void plain_message_is_its_own_text_and_html_body(void **state)
{
    (void)state;
    mailparse_message *m = parse_data("messages/simple.eml");
    ASSERT_LIST(mailparse_message_text_body, m, 0);
    ASSERT_LIST(mailparse_message_html_body, m, 0);
    ASSERT_EMPTY(mailparse_message_attachments, m);
    size_t len;
    assert_string_equal(mailparse_message_text(m, &len), "Hi everyone.\nThis is the body.\n");
    char *html = NULL;
    assert_int_equal(mailparse_message_html_dup(m, &html, &len), 0);
    assert_non_null(html);
    assert_non_null(strstr(html, "Hi everyone."));
    assert_int_equal(len, strlen(html));
    mailparse_free(html);
    mailparse_message_free(m);
}

static void alternative_splits_text_and_html(void **state)
{
    (void)state;
    mailparse_message *m = parse_data("messages/multipart_alternative.eml");
    ASSERT_LIST(mailparse_message_text_body, m, 1);
    ASSERT_LIST(mailparse_message_html_body, m, 2);
    ASSERT_EMPTY(mailparse_message_attachments, m);
    size_t len;
    assert_string_equal(mailparse_message_text(m, &len), "Café au lait, s'il vous plaît. Soft break joined.");
    char *html = NULL;
    assert_int_equal(mailparse_message_html_dup(m, &html, &len), 0);
    assert_string_equal(html, "<html><body><p>Caf&eacute; au lait</p></body></html>");
    mailparse_free(html);
    mailparse_message_free(m);
}

static void attachments_are_listed_apart_from_the_body(void **state)
{
    (void)state;
    mailparse_message *m = parse_data("messages/mixed_attachments.eml");
    ASSERT_LIST(mailparse_message_text_body, m, 1);
    ASSERT_LIST(mailparse_message_html_body, m, 1);
    ASSERT_LIST(mailparse_message_attachments, m, 2, 3);
    mailparse_message_free(m);
}

static void related_html_keeps_its_inline_image_as_an_attachment(void **state)
{
    (void)state;
    mailparse_message *m = parse_data("messages/related_inline.eml");
    ASSERT_LIST(mailparse_message_text_body, m, 1);
    ASSERT_LIST(mailparse_message_html_body, m, 1);
    ASSERT_LIST(mailparse_message_attachments, m, 2);
    size_t len;
    const char *text = mailparse_message_text(m, &len);
    assert_non_null(text);
    assert_non_null(strstr(text, "Café"));
    assert_non_null(strstr(text, "Price: 5€"));
    assert_null(strstr(text, "<h1>"));
    mailparse_message_free(m);
}

static void nested_message_is_an_attachment(void **state)
{
    (void)state;
    mailparse_message *m = parse_data("messages/nested_message.eml");
    ASSERT_LIST(mailparse_message_text_body, m, 1);
    ASSERT_LIST(mailparse_message_attachments, m, 2);
    mailparse_message_free(m);
}

static void html_only_message_gives_text_from_html(void **state)
{
    (void)state;
    mailparse_message *m = parse_data("messages/html_only.eml");
    ASSERT_LIST(mailparse_message_text_body, m, 0);
    ASSERT_LIST(mailparse_message_html_body, m, 0);
    size_t len;
    const char *text = mailparse_message_text(m, &len);
    assert_non_null(text);
    assert_non_null(strstr(text, "Big sale"));
    assert_non_null(strstr(text, "our shop"));
    assert_non_null(strstr(text, "€5"));
    assert_null(strstr(text, "alert"));
    assert_null(strstr(text, "p{}"));
    mailparse_message_free(m);
}

static void html_to_text_can_be_turned_off(void **state)
{
    (void)state;
    size_t len;
    unsigned char *data = load_data("messages/html_only.eml", &len);
    mailparse_options o;
    mailparse_options_init(&o);
    o.flags = MAILPARSE_F_NO_HTML_TO_TEXT;
    mailparse_message *m = NULL;
    assert_int_equal(mailparse_parse(data, len, &o, &m), 0);
    assert_null(mailparse_message_text(m, &len));
    char *html = NULL;
    assert_int_equal(mailparse_message_html_dup(m, &html, &len), 0);
    assert_non_null(html);
    mailparse_free(html);
    mailparse_message_free(m);
    free(data);
}

static void no_body_decode_keeps_structure_only(void **state)
{
    (void)state;
    size_t len;
    unsigned char *data = load_data("messages/mixed_attachments.eml", &len);
    mailparse_options o;
    mailparse_options_init(&o);
    o.flags = MAILPARSE_F_NO_BODY_DECODE;
    mailparse_message *m = NULL;
    assert_int_equal(mailparse_parse(data, len, &o, &m), 0);
    assert_int_equal(mailparse_message_part_count(m), 4);
    assert_null(part_at(m, 2)->body);
    assert_null(part_at(m, 1)->text);
    ASSERT_LIST(mailparse_message_attachments, m, 2, 3);
    assert_null(mailparse_message_text(m, &len));
    mailparse_message_free(m);
    free(data);
}

static void inline_image_in_mixed_is_in_both_views_and_attachments(void **state)
{
    (void)state;
    mailparse_message *m = parse_str("Content-Type: multipart/mixed; boundary=b\n\n"
                                     "--b\nContent-Type: text/plain\n\nbefore\n"
                                     "--b\nContent-Type: image/jpeg\nContent-Disposition: inline\n\nJPEG\n"
                                     "--b\nContent-Type: text/plain\n\nafter\n--b--\n");
    ASSERT_LIST(mailparse_message_text_body, m, 1, 2, 3);
    ASSERT_LIST(mailparse_message_html_body, m, 1, 2, 3);
    ASSERT_EMPTY(mailparse_message_attachments, m);
    size_t len;
    assert_string_equal(mailparse_message_text(m, &len), "before\nafter");
    mailparse_message_free(m);
}

static void alternative_with_only_text_fills_the_html_view(void **state)
{
    (void)state;
    mailparse_message *m = parse_str("Content-Type: multipart/alternative; boundary=b\n\n"
                                     "--b\nContent-Type: text/plain\n\nonly text\n--b--\n");
    ASSERT_LIST(mailparse_message_text_body, m, 1);
    ASSERT_LIST(mailparse_message_html_body, m, 1);
    mailparse_message_free(m);
}

static void text_attachment_with_a_name_after_the_first_part_is_an_attachment(void **state)
{
    (void)state;
    mailparse_message *m = parse_str("Content-Type: multipart/mixed; boundary=b\n\n"
                                     "--b\nContent-Type: text/plain\n\nbody\n"
                                     "--b\nContent-Type: text/plain; name=notes.txt\n\nnotes\n--b--\n");
    ASSERT_LIST(mailparse_message_text_body, m, 1);
    ASSERT_LIST(mailparse_message_attachments, m, 2);
    mailparse_message_free(m);
}

static void alternative_inside_an_abandoned_html_view_is_safe(void **state)
{
    (void)state;
    /* alternative > mixed > [text, alternative > [html]]: the text part in the mixed branch
     * abandons the HTML view there, so the inner HTML part has no view left to join; the
     * outer alternative then fills the HTML view with the text part. */
    mailparse_message *m = parse_str("Content-Type: multipart/alternative; boundary=a\n\n"
                                     "--a\nContent-Type: multipart/mixed; boundary=b\n\n"
                                     "--b\nContent-Type: text/plain\n\nplain\n"
                                     "--b\nContent-Type: multipart/alternative; boundary=c\n\n"
                                     "--c\nContent-Type: text/html\n\n<p>html</p>\n--c--\n--b--\n--a--\n");
    ASSERT_LIST(mailparse_message_text_body, m, 2);
    ASSERT_LIST(mailparse_message_html_body, m, 2);
    ASSERT_EMPTY(mailparse_message_attachments, m);
    mailparse_message_free(m);
}

static void preview_is_collapsed_and_cut(void **state)
{
    (void)state;
    mailparse_message *m = parse_str("Subject: p\n\nHello   world,\n\nthis is a preview test with more words\n");
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(mailparse_message_preview(m, 1000, &out, &len), 0);
    assert_string_equal(out, "Hello world, this is a preview test with more words");
    assert_int_equal(len, strlen(out));
    mailparse_free(out);
    assert_int_equal(mailparse_message_preview(m, 20, &out, &len), 0);
    assert_true(len <= 20 + 3);
    assert_non_null(strstr(out, "\xe2\x80\xa6"));
    mailparse_free(out);
    mailparse_message_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_message_is_its_own_text_and_html_body),
        cmocka_unit_test(alternative_splits_text_and_html),
        cmocka_unit_test(attachments_are_listed_apart_from_the_body),
        cmocka_unit_test(related_html_keeps_its_inline_image_as_an_attachment),
        cmocka_unit_test(nested_message_is_an_attachment),
        cmocka_unit_test(html_only_message_gives_text_from_html),
        cmocka_unit_test(html_to_text_can_be_turned_off),
        cmocka_unit_test(no_body_decode_keeps_structure_only),
        cmocka_unit_test(inline_image_in_mixed_is_in_both_views_and_attachments),
        cmocka_unit_test(alternative_with_only_text_fills_the_html_view),
        cmocka_unit_test(text_attachment_with_a_name_after_the_first_part_is_an_attachment),
        cmocka_unit_test(alternative_inside_an_abandoned_html_view_is_safe),
        cmocka_unit_test(preview_is_collapsed_and_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
