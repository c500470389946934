/* test_mime_structure.c — the part tree: multipart, nested messages, digests, boundaries,
 * offsets, transfer decoding and the repairs of broken structure (RFC 2045, 2046). */
#include "test_util.h"

static void simple_message_is_one_default_text_part(void **state)
{
    (void)state;
    mailparse_message *m = parse_data("messages/simple.eml");
    assert_int_equal(mailparse_message_part_count(m), 1);
    const mailparse_part *p = part_at(m, 0);
    assert_int_equal(p->kind, MAILPARSE_PART_TEXT);
    assert_string_equal(type_of(m, 0), "text/plain");
    assert_true(p->flags & MAILPARSE_PART_DEFAULT_TYPE);
    assert_int_equal(p->parent, -1);
    assert_string_equal(text_of(m, 0), "Hi everyone.\nThis is the body.\n");
    assert_int_equal(p->offset_header, 0);
    assert_int_equal(p->header_count, 6);
    mailparse_message_free(m);
}

static void alternative_has_two_children_without_preamble_or_epilogue(void **state)
{
    (void)state;
    mailparse_message *m = parse_data("messages/multipart_alternative.eml");
    assert_int_equal(mailparse_message_part_count(m), 3);
    const mailparse_part *root = part_at(m, 0);
    assert_int_equal(root->kind, MAILPARSE_PART_MULTIPART);
    assert_int_equal(root->child_count, 2);
    assert_int_equal(root->children[0], 1);
    assert_int_equal(root->children[1], 2);
    assert_string_equal(type_of(m, 1), "text/plain");
    assert_string_equal(type_of(m, 2), "text/html");
    assert_int_equal(part_at(m, 2)->kind, MAILPARSE_PART_HTML);
    assert_int_equal(part_at(m, 1)->encoding, MAILPARSE_ENC_QUOTED_PRINTABLE);
    assert_string_equal(text_of(m, 1), "Café au lait, s'il vous plaît. Soft break joined.");
    assert_string_equal(raw_body(m, 2), "<html><body><p>Caf&eacute; au lait</p></body></html>");
    assert_null(strstr(text_of(m, 2), "epilogue"));
    mailparse_message_free(m);
}

static void attachments_are_decoded_with_their_filenames(void **state)
{
    (void)state;
    mailparse_message *m = parse_data("messages/mixed_attachments.eml");
    assert_int_equal(mailparse_message_part_count(m), 4);
    const mailparse_part *pdf = part_at(m, 2);
    assert_string_equal(pdf->filename, "report.pdf");
    assert_int_equal(pdf->kind, MAILPARSE_PART_BINARY);
    assert_true(pdf->body_len > 8);
    assert_memory_equal(pdf->body, "%PDF-1.4", 8);
    const mailparse_part *png = part_at(m, 3);
    assert_string_equal(png->filename, "\xe2\x82\xac rates.png");
    assert_memory_equal(png->body, "\x89PNG\r\n\x1a\n", 8);
    assert_string_equal(png->disposition->type, "attachment");
    mailparse_message_free(m);
}

static void nested_message_parts_follow_their_message_part(void **state)
{
    (void)state;
    mailparse_message *m = parse_data("messages/nested_message.eml");
    assert_int_equal(mailparse_message_part_count(m), 6);
    assert_int_equal(part_at(m, 2)->kind, MAILPARSE_PART_MESSAGE);
    assert_int_equal(part_at(m, 2)->child_count, 1);
    assert_int_equal(part_at(m, 2)->children[0], 3);
    assert_int_equal(part_at(m, 3)->parent, 2);
    assert_string_equal(type_of(m, 3), "multipart/alternative");
    assert_int_equal(part_at(m, 4)->parent, 3);
    assert_int_equal(part_at(m, 5)->parent, 3);
    const mailparse_header *h = mailparse_part_header(m, 3, "Subject", 0);
    assert_non_null(h);
    assert_string_equal(h->text, "The original");
    assert_string_equal(text_of(m, 4), "Original text.");
    /* The nested message starts where the message part's body starts. */
    assert_int_equal(part_at(m, 3)->offset_header, part_at(m, 2)->offset_body);
    assert_int_equal(part_at(m, 3)->offset_end, part_at(m, 2)->offset_end);
    /* The top-level subject is not the nested one. */
    assert_string_equal(mailparse_message_subject(m), "Fwd: the original");
    mailparse_message_free(m);
}

static void digest_parts_default_to_message_rfc822(void **state)
{
    (void)state;
    mailparse_message *m = parse_data("messages/digest.eml");
    const mailparse_part *root = part_at(m, 0);
    assert_int_equal(root->child_count, 3);
    const mailparse_part *first = part_at(m, root->children[0]);
    assert_int_equal(first->kind, MAILPARSE_PART_MESSAGE);
    assert_true(first->flags & MAILPARSE_PART_DEFAULT_TYPE);
    assert_int_equal(first->child_count, 1);
    const mailparse_header *h = mailparse_part_header(m, first->children[0], "subject", 0);
    assert_string_equal(h->text, "First");
    const mailparse_part *third = part_at(m, root->children[2]);
    assert_int_equal(third->kind, MAILPARSE_PART_TEXT);
    assert_string_equal(third->text, "Not a message: an explicit text part.");
    mailparse_message_free(m);
}

static void missing_final_boundary_ends_parts_at_end_of_input(void **state)
{
    (void)state;
    mailparse_message *m = parse_data("messages/missing_final_boundary.eml");
    assert_int_equal(mailparse_message_part_count(m), 3);
    assert_true(has_anomaly(m, MAILPARSE_ANOMALY_FINAL_BOUNDARY_MISSING));
    assert_string_equal(text_of(m, 2), "second part, and the message just ends\n");
    size_t len;
    mailparse_message_raw(m, &len);
    assert_int_equal(part_at(m, 2)->offset_end, len);
    assert_int_equal(part_at(m, 0)->offset_end, len);
    mailparse_message_free(m);
}

static void multipart_whose_boundary_never_appears_is_text(void **state)
{
    (void)state;
    mailparse_message *m = parse_data("messages/wrong_boundary.eml");
    assert_int_equal(mailparse_message_part_count(m), 1);
    assert_int_equal(part_at(m, 0)->kind, MAILPARSE_PART_TEXT);
    assert_true(has_anomaly(m, MAILPARSE_ANOMALY_BOUNDARY_NOT_FOUND));
    assert_non_null(strstr(text_of(m, 0), "All of this is text."));
    mailparse_message_free(m);
}

static void multipart_without_boundary_parameter_is_text(void **state)
{
    (void)state;
    mailparse_message *m = parse_data("messages/no_boundary_param.eml");
    assert_int_equal(mailparse_message_part_count(m), 1);
    assert_int_equal(part_at(m, 0)->kind, MAILPARSE_PART_TEXT);
    assert_true(has_anomaly(m, MAILPARSE_ANOMALY_BOUNDARY_MISSING));
    assert_string_equal(text_of(m, 0), "Just some text.\n");
    mailparse_message_free(m);
}

static void outer_boundary_closes_an_unclosed_inner_multipart(void **state)
{
    (void)state;
    mailparse_message *m = parse_data("messages/outer_boundary_closes_inner.eml");
    assert_int_equal(mailparse_message_part_count(m), 4);
    assert_int_equal(part_at(m, 1)->kind, MAILPARSE_PART_MULTIPART);
    assert_int_equal(part_at(m, 2)->parent, 1);
    assert_int_equal(part_at(m, 3)->parent, 0);
    assert_string_equal(text_of(m, 2), "inner text");
    assert_string_equal(text_of(m, 3), "second outer part");
    assert_true(has_anomaly(m, MAILPARSE_ANOMALY_BOUNDARY_OUTER));
    assert_true(has_anomaly(m, MAILPARSE_ANOMALY_FINAL_BOUNDARY_MISSING));
    mailparse_message_free(m);
}

static void crlf_line_end_before_a_boundary_belongs_to_the_boundary(void **state)
{
    (void)state;
    mailparse_message *m = parse_data("messages/crlf.eml");
    assert_int_equal(mailparse_message_part_count(m), 2);
    assert_string_equal(text_of(m, 1), "line one\r\nline two");
    assert_false(has_anomaly(m, MAILPARSE_ANOMALY_MIXED_LINE_ENDINGS));
    mailparse_message_free(m);
}

static void message_with_only_headers_has_an_empty_body(void **state)
{
    (void)state;
    mailparse_message *m = parse_data("messages/headers_only.eml");
    assert_int_equal(mailparse_message_part_count(m), 1);
    assert_int_equal(mailparse_message_header_count(m), 3);
    assert_int_equal(part_at(m, 0)->body_len, 0);
    assert_string_equal(mailparse_message_subject(m), "Only headers, no body");
    assert_int_equal(mailparse_message_anomaly_count(m), 0);
    mailparse_message_free(m);
}

static void boundary_may_be_followed_by_whitespace_only(void **state)
{
    (void)state;
    mailparse_message *m = parse_str("Content-Type: multipart/mixed; boundary=b\n\n"
                                     "--b  \t\n\none\n--bx\ntwo\n--b-- \n");
    assert_int_equal(mailparse_message_part_count(m), 2);
    assert_string_equal(text_of(m, 1), "one\n--bx\ntwo");
    mailparse_message_free(m);
}

static void inner_boundary_extending_the_outer_one_is_told_apart(void **state)
{
    (void)state;
    mailparse_message *m = parse_str("Content-Type: multipart/mixed; boundary=abc\n\n"
                                     "--abc\nContent-Type: multipart/mixed; boundary=abcdef\n\n"
                                     "--abcdef\n\ninner\n--abcdef--\n--abc\n\nouter\n--abc--\n");
    assert_int_equal(mailparse_message_part_count(m), 4);
    assert_int_equal(part_at(m, 2)->parent, 1);
    assert_string_equal(text_of(m, 2), "inner");
    assert_int_equal(part_at(m, 3)->parent, 0);
    assert_string_equal(text_of(m, 3), "outer");
    assert_int_equal(mailparse_message_anomaly_count(m), 0);
    mailparse_message_free(m);
}

static void outer_boundary_longer_than_inner_is_not_mistaken(void **state)
{
    (void)state;
    mailparse_message *m = parse_str("Content-Type: multipart/mixed; boundary=abcdef\n\n"
                                     "--abcdef\nContent-Type: multipart/mixed; boundary=abc\n\n"
                                     "--abc\n\ninner\n--abc--\n--abcdef\n\nouter\n--abcdef--\n");
    assert_int_equal(mailparse_message_part_count(m), 4);
    assert_int_equal(part_at(m, 3)->parent, 0);
    assert_string_equal(text_of(m, 3), "outer");
    mailparse_message_free(m);
}

static void part_without_headers_starts_with_its_body(void **state)
{
    (void)state;
    mailparse_message *m = parse_str("Content-Type: multipart/mixed; boundary=b\n\n"
                                     "--b\nhello world\nsecond line\n--b\n--b--\n");
    assert_int_equal(mailparse_message_part_count(m), 3);
    assert_string_equal(text_of(m, 1), "hello world\nsecond line");
    assert_int_equal(part_at(m, 1)->header_count, 0);
    /* An empty part: the delimiter right after the previous one. */
    assert_int_equal(part_at(m, 2)->body_len, 0);
    mailparse_message_free(m);
}

static void delimiter_right_after_the_headers_is_still_a_delimiter(void **state)
{
    (void)state;
    /* No empty line between the multipart's header block and its first delimiter. */
    mailparse_message *m = parse_str("Content-Type: multipart/mixed; boundary=ab\n--ab\n"
                                     "Content-Type: text/plain\n\ninside\n--ab--\n");
    assert_int_equal(mailparse_message_part_count(m), 2);
    assert_int_equal(part_at(m, 0)->kind, MAILPARSE_PART_MULTIPART);
    assert_string_equal(text_of(m, 1), "inside");
    assert_true(has_anomaly(m, MAILPARSE_ANOMALY_HEADER_NO_COLON));
    mailparse_message_free(m);
}

static void delimiters_in_the_epilogue_are_ignored(void **state)
{
    (void)state;
    mailparse_message *m = parse_str("Content-Type: multipart/mixed; boundary=b\n\n"
                                     "--b\n\none\n--b--\nepilogue\n--b\n\nnot a part\n");
    assert_int_equal(mailparse_message_part_count(m), 2);
    mailparse_message_free(m);
}

static void message_global_is_parsed_as_a_nested_message(void **state)
{
    (void)state;
    mailparse_message *m = parse_data("messages/message_global.eml");
    assert_int_equal(mailparse_message_part_count(m), 3);
    assert_int_equal(part_at(m, 1)->kind, MAILPARSE_PART_MESSAGE);
    const mailparse_header *h = mailparse_part_header(m, 2, "subject", 0);
    assert_string_equal(h->text, "Grüße");
    mailparse_message_free(m);
}

static void leading_mbox_from_line_is_skipped(void **state)
{
    (void)state;
    mailparse_message *m = parse_data("messages/mbox_from_line.eml");
    assert_true(has_anomaly(m, MAILPARSE_ANOMALY_MBOX_FROM_LINE));
    const mailparse_header *first = mailparse_message_header_at(m, 0);
    assert_string_equal(first->name, "Return-Path");
    assert_int_equal(part_at(m, 0)->offset_header, first->offset_field);
    assert_string_equal(mailparse_message_subject(m), "Re: New Sequences Window");
    mailparse_message_free(m);
}

static void uuencoded_body_is_decoded(void **state)
{
    (void)state;
    mailparse_message *m = parse_data("messages/uuencode.eml");
    const mailparse_part *p = part_at(m, 0);
    assert_int_equal(p->encoding, MAILPARSE_ENC_UUENCODE);
    assert_int_equal(p->body_len, 3);
    assert_memory_equal(p->body, "Cat", 3);
    mailparse_message_free(m);
}

static void broken_transfer_encodings_are_repaired_and_flagged(void **state)
{
    (void)state;
    mailparse_message *m = parse_data("messages/bad_encodings.eml");
    assert_int_equal(mailparse_message_part_count(m), 4);
    assert_string_equal(text_of(m, 1), "Hello world");
    assert_true(part_at(m, 1)->flags & MAILPARSE_PART_ENCODING_PROBLEM);
    assert_true(has_anomaly(m, MAILPARSE_ANOMALY_BASE64_BAD_CHAR));
    /* A bad '=' escape is kept literally: reported, but the content is not in doubt. */
    assert_false(part_at(m, 2)->flags & MAILPARSE_PART_ENCODING_PROBLEM);
    assert_true(has_anomaly(m, MAILPARSE_ANOMALY_QP_BAD_ESCAPE));
    assert_non_null(strstr(text_of(m, 2), "=ZZ"));
    assert_non_null(strstr(text_of(m, 2), "soft break"));
    assert_int_equal(part_at(m, 3)->encoding, MAILPARSE_ENC_UNKNOWN);
    assert_string_equal(text_of(m, 3), "kept as it is");
    assert_true(has_anomaly(m, MAILPARSE_ANOMALY_ENCODING_UNKNOWN));
    mailparse_message_free(m);
}

static void composite_with_base64_encoding_is_still_structured(void **state)
{
    (void)state;
    mailparse_message *m = parse_str("Content-Type: multipart/mixed; boundary=b\n"
                                     "Content-Transfer-Encoding: base64\n\n--b\n\nx\n--b--\n");
    assert_int_equal(mailparse_message_part_count(m), 2);
    assert_true(has_anomaly(m, MAILPARSE_ANOMALY_ENCODING_ON_COMPOSITE));
    mailparse_message_free(m);
}

static void base64_encoded_message_is_parsed_from_its_decoded_bytes(void **state)
{
    (void)state;
    /* RFC 6532 §3.5 allows message/global in base64: the decoded bytes are a message. */
    mailparse_message *m = parse_str("Content-Type: message/global\nContent-Transfer-Encoding: base64\n\n"
                                     "U3ViamVjdDogeA0KDQp5DQo=\n");
    assert_int_equal(mailparse_message_part_count(m), 1);
    const mailparse_part *p = part_at(m, 0);
    assert_int_equal(p->kind, MAILPARSE_PART_MESSAGE);
    assert_int_equal(p->child_count, 0);
    assert_int_equal(p->body_len, 17);
    assert_memory_equal(p->body, "Subject: x\r\n\r\ny\r\n", 17);
    assert_non_null(p->nested);
    assert_string_equal(mailparse_message_subject(p->nested), "x");
    assert_string_equal(text_of(p->nested, 0), "y\r\n");
    size_t n;
    const size_t *att = mailparse_message_attachments(m, &n);
    assert_int_equal(n, 1);
    assert_int_equal(att[0], 0); /* the message part itself is the attachment */
    mailparse_message_free(m);
}

static void plain_parts_have_no_nested_message(void **state)
{
    (void)state;
    mailparse_message *m = parse_data("messages/nested_message.eml");
    for (size_t i = 0; i < mailparse_message_part_count(m); i++)
        assert_null(part_at(m, i)->nested); /* 7bit nested messages are in the flat list */
    mailparse_message_free(m);
}

static void empty_input_is_one_empty_part(void **state)
{
    (void)state;
    mailparse_message *m = NULL;
    assert_int_equal(mailparse_parse((const unsigned char *)"", 0, NULL, &m), 0);
    assert_int_equal(mailparse_message_part_count(m), 1);
    assert_int_equal(mailparse_message_header_count(m), 0);
    assert_int_equal(part_at(m, 0)->body_len, 0);
    mailparse_message_free(m);
}

static void nested_message_cut_by_outer_boundary_in_its_headers(void **state)
{
    (void)state;
    mailparse_message *m = parse_str("Content-Type: multipart/mixed; boundary=b\n\n"
                                     "--b\nContent-Type: message/rfc822\n\nSubject: cut\n--b--\n");
    assert_int_equal(mailparse_message_part_count(m), 3);
    assert_int_equal(part_at(m, 1)->kind, MAILPARSE_PART_MESSAGE);
    const mailparse_header *h = mailparse_part_header(m, 2, "subject", 0);
    assert_non_null(h);
    assert_string_equal(h->text, "cut");
    assert_non_null(part_at(m, 2)->content_type);
    mailparse_message_free(m);
}

static void offsets_of_parts_point_at_their_bytes(void **state)
{
    (void)state;
    const char *msg = "Content-Type: multipart/mixed; boundary=q\r\n\r\n"
                      "--q\r\nContent-Type: text/plain\r\n\r\nbody1\r\n--q--\r\n";
    mailparse_message *m = parse_str(msg);
    const mailparse_part *p = part_at(m, 1);
    assert_int_equal(p->offset_header, strstr(msg, "Content-Type: text/plain") - msg);
    assert_int_equal(p->offset_body, strstr(msg, "body1") - msg);
    assert_int_equal(p->offset_end, strstr(msg, "body1") - msg + 5);
    assert_int_equal(part_at(m, 0)->offset_body, strstr(msg, "--q") - msg);
    assert_int_equal(part_at(m, 0)->offset_end, strlen(msg));
    mailparse_message_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(simple_message_is_one_default_text_part),
        cmocka_unit_test(alternative_has_two_children_without_preamble_or_epilogue),
        cmocka_unit_test(attachments_are_decoded_with_their_filenames),
        cmocka_unit_test(nested_message_parts_follow_their_message_part),
        cmocka_unit_test(digest_parts_default_to_message_rfc822),
        cmocka_unit_test(missing_final_boundary_ends_parts_at_end_of_input),
        cmocka_unit_test(multipart_whose_boundary_never_appears_is_text),
        cmocka_unit_test(multipart_without_boundary_parameter_is_text),
        cmocka_unit_test(outer_boundary_closes_an_unclosed_inner_multipart),
        cmocka_unit_test(crlf_line_end_before_a_boundary_belongs_to_the_boundary),
        cmocka_unit_test(message_with_only_headers_has_an_empty_body),
        cmocka_unit_test(boundary_may_be_followed_by_whitespace_only),
        cmocka_unit_test(inner_boundary_extending_the_outer_one_is_told_apart),
        cmocka_unit_test(outer_boundary_longer_than_inner_is_not_mistaken),
        cmocka_unit_test(part_without_headers_starts_with_its_body),
        cmocka_unit_test(delimiter_right_after_the_headers_is_still_a_delimiter),
        cmocka_unit_test(delimiters_in_the_epilogue_are_ignored),
        cmocka_unit_test(message_global_is_parsed_as_a_nested_message),
        cmocka_unit_test(leading_mbox_from_line_is_skipped),
        cmocka_unit_test(uuencoded_body_is_decoded),
        cmocka_unit_test(broken_transfer_encodings_are_repaired_and_flagged),
        cmocka_unit_test(composite_with_base64_encoding_is_still_structured),
        cmocka_unit_test(base64_encoded_message_is_parsed_from_its_decoded_bytes),
        cmocka_unit_test(plain_parts_have_no_nested_message),
        cmocka_unit_test(empty_input_is_one_empty_part),
        cmocka_unit_test(nested_message_cut_by_outer_boundary_in_its_headers),
        cmocka_unit_test(offsets_of_parts_point_at_their_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
