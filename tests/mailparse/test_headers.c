/* test_headers.c — header fields in a parsed message: raw bytes and offsets, unfolding and
 * decoding, lookup, the typed value chosen by name, and the repairs of broken header blocks. */
#include "test_util.h"

static void fields_keep_raw_bytes_and_offsets(void **state)
{
    (void)state;
    const char *msg = "Subject: folded\n\tsubject line\nX-Empty:\nTo: a@b.example\n\nbody";
    mailparse_message *m = parse_str(msg);
    assert_int_equal(mailparse_message_header_count(m), 3);
    const mailparse_header *h = mailparse_message_header_at(m, 0);
    assert_string_equal(h->name, "Subject");
    assert_int_equal(h->name_len, 7);
    assert_string_equal(h->raw_value, " folded\n\tsubject line");
    assert_int_equal(h->offset_field, 0);
    assert_int_equal(h->offset_value, 8);
    assert_int_equal(h->offset_end, strstr(msg, "X-Empty") - msg);
    assert_string_equal(h->text, "folded subject line"); /* folding whitespace collapsed */
    h = mailparse_message_header_at(m, 1);
    assert_string_equal(h->name, "X-Empty");
    assert_int_equal(h->raw_value_len, 0);
    assert_string_equal(h->text, "");
    mailparse_message_free(m);
}

static void crlf_fields_exclude_the_final_line_end(void **state)
{
    (void)state;
    const char *msg = "Subject: one\r\n two\r\n\r\n";
    mailparse_message *m = parse_str(msg);
    const mailparse_header *h = mailparse_message_header_at(m, 0);
    assert_string_equal(h->raw_value, " one\r\n two");
    assert_int_equal(h->offset_end, strlen("Subject: one\r\n two\r\n"));
    assert_string_equal(h->text, "one two");
    mailparse_message_free(m);
}

static void lookup_is_case_insensitive_and_counts_from_either_end(void **state)
{
    (void)state;
    mailparse_message *m = parse_str("Received: one\nreceived: two\nRECEIVED: three\nSubject: s\n\n");
    assert_string_equal(mailparse_part_header(m, 0, "received", 0)->raw_value, " one");
    assert_string_equal(mailparse_part_header(m, 0, "Received", 2)->raw_value, " three");
    assert_string_equal(mailparse_part_header(m, 0, "RECEIVED", -1)->raw_value, " three");
    assert_string_equal(mailparse_part_header(m, 0, "received", -3)->raw_value, " one");
    assert_null(mailparse_part_header(m, 0, "received", 3));
    assert_null(mailparse_part_header(m, 0, "received", -4));
    assert_null(mailparse_part_header(m, 0, "missing", 0));
    assert_null(mailparse_part_header(m, 1, "subject", 0));
    mailparse_message_free(m);
}

static void typed_values_follow_the_field_name(void **state)
{
    (void)state;
    mailparse_message *m = parse_data("messages/mbox_from_line.eml");
    const mailparse_header *h = mailparse_part_header(m, 0, "from", 0);
    assert_int_equal(h->kind, MAILPARSE_VALUE_ADDRESSES);
    assert_int_equal(h->addresses->count, 1);
    assert_string_equal(h->addresses->items[0].name, "Robert Elz");
    assert_string_equal(h->addresses->items[0].address, "kre@munnari.example");
    h = mailparse_part_header(m, 0, "date", 0);
    assert_int_equal(h->kind, MAILPARSE_VALUE_DATE);
    assert_non_null(h->date);
    assert_int_equal(h->date->offset_minutes, 7 * 60);
    assert_int_equal(h->date->timestamp, 1030015585); /* 2002-08-22T11:26:25Z */
    h = mailparse_part_header(m, 0, "references", 0);
    assert_int_equal(h->kind, MAILPARSE_VALUE_IDS);
    assert_int_equal(h->list->count, 2);
    assert_string_equal(h->list->items[1], "a@b.example");
    assert_string_equal(mailparse_message_id(m), "1029945287.4797.TMDA@deepeddy.example");
    h = mailparse_part_header(m, 0, "list-unsubscribe", 0);
    assert_int_equal(h->kind, MAILPARSE_VALUE_URLS);
    assert_int_equal(h->list->count, 2);
    assert_string_equal(h->list->items[1], "mailto:exmh-workers-request@example.com?subject=unsubscribe");
    h = mailparse_part_header(m, 0, "received", 0);
    assert_int_equal(h->kind, MAILPARSE_VALUE_RECEIVED);
    assert_non_null(h->received);
    assert_string_equal(h->received->from, "mail.example.com");
    assert_string_equal(h->received->from_ip, "192.0.2.25");
    assert_string_equal(h->received->by, "mx.example.net");
    assert_string_equal(h->received->with, "ESMTPS");
    assert_string_equal(h->received->id, "41A2C80D73C");
    assert_string_equal(h->received->for_addr, "cwg@example.com");
    assert_true(h->received->has_date);
    h = mailparse_part_header(m, 0, "subject", 0);
    assert_int_equal(h->kind, MAILPARSE_VALUE_TEXT);
    mailparse_message_free(m);
}

static void encoded_words_are_decoded_in_every_field(void **state)
{
    (void)state;
    mailparse_message *m = parse_data("messages/encoded_words.eml");
    assert_string_equal(mailparse_message_subject(m), "If you can read this you understand the example.");
    const mailparse_address_list *from = mailparse_message_addresses(m, "from");
    assert_string_equal(from->items[0].name, "Keld Jørn Simonsen");
    const mailparse_address_list *cc = mailparse_message_addresses(m, "cc");
    assert_string_equal(cc->items[0].name, "André Pirard");
    const mailparse_header *h = mailparse_part_header(m, 0, "comments", 0);
    assert_string_equal(h->text, "日本語 and 😀");
    mailparse_message_free(m);
}

static void raw_utf8_headers_are_kept_and_reported(void **state)
{
    (void)state;
    mailparse_message *m = parse_data("messages/utf8_headers.eml");
    assert_string_equal(mailparse_message_subject(m), "UTF-8 header ✓ (RFC 6532)");
    const mailparse_address_list *to = mailparse_message_addresses(m, "to");
    assert_string_equal(to->items[0].name, "Jürgen");
    assert_string_equal(to->items[0].address, "jürgen@bücher.example");
    assert_true(has_anomaly(m, MAILPARSE_ANOMALY_HEADER_8BIT));
    mailparse_message_free(m);
}

static void legacy_8bit_headers_are_read_as_windows_1252(void **state)
{
    (void)state;
    mailparse_message *m = parse_data("messages/undeclared_8bit.eml");
    assert_string_equal(mailparse_message_subject(m), "undeclared 8bit été");
    assert_string_equal(text_of(m, 0), "Café crème € price\n");
    assert_true(has_anomaly(m, MAILPARSE_ANOMALY_8BIT_UNDECLARED));
    /* A guessed charset is reported, but nothing was lost. */
    assert_false(part_at(m, 0)->flags & MAILPARSE_PART_ENCODING_PROBLEM);
    mailparse_message_free(m);
}

static void space_before_colon_is_accepted(void **state)
{
    (void)state;
    mailparse_message *m = parse_data("messages/obsolete_syntax.eml");
    assert_string_equal(mailparse_message_subject(m), "obsolete forms");
    assert_true(has_anomaly(m, MAILPARSE_ANOMALY_HEADER_SPACE_BEFORE_COLON));
    const mailparse_header *h = mailparse_part_header(m, 0, "subject", 0);
    assert_int_equal(h->name_len, 7);
    const mailparse_date *d = mailparse_message_date(m);
    assert_non_null(d);
    assert_int_equal(d->year, 1969);
    assert_int_equal(d->offset_minutes, -210);
    mailparse_message_free(m);
}

static void line_without_colon_ends_the_header_block(void **state)
{
    (void)state;
    mailparse_message *m = parse_str("Subject: x\nthis is not a header\nmore\n");
    assert_int_equal(mailparse_message_header_count(m), 1);
    assert_string_equal(text_of(m, 0), "this is not a header\nmore\n");
    assert_true(has_anomaly(m, MAILPARSE_ANOMALY_HEADER_NO_COLON));
    mailparse_message_free(m);
}

static void continuation_before_any_field_is_skipped(void **state)
{
    (void)state;
    mailparse_message *m = parse_str("  stray continuation\nSubject: x\n\nbody");
    assert_int_equal(mailparse_message_header_count(m), 1);
    assert_string_equal(mailparse_message_subject(m), "x");
    assert_true(has_anomaly(m, MAILPARSE_ANOMALY_HEADER_NO_COLON));
    mailparse_message_free(m);
}

static void duplicate_content_type_is_reported_and_the_last_wins(void **state)
{
    (void)state;
    mailparse_message *m = parse_str("Content-Type: text/html\nContent-Type: text/plain\n\n<b>x</b>");
    assert_string_equal(type_of(m, 0), "text/plain");
    assert_true(has_anomaly(m, MAILPARSE_ANOMALY_HEADER_DUPLICATE));
    /* The first field still has its typed value. */
    const mailparse_header *h = mailparse_part_header(m, 0, "content-type", 0);
    assert_non_null(h->content_type);
    assert_string_equal(h->content_type->subtype, "html");
    mailparse_message_free(m);
}

static void content_type_without_subtype_keeps_its_parameters(void **state)
{
    (void)state;
    mailparse_message *m = parse_str("Content-Type: BINARY; name=\"alices_pdp-10\"\n\nx");
    assert_string_equal(type_of(m, 0), "text/plain");
    assert_string_equal(part_at(m, 0)->filename, "alices_pdp-10");
    assert_true(has_anomaly(m, MAILPARSE_ANOMALY_CONTENT_TYPE_INVALID));
    mailparse_message_free(m);
}

static void nul_and_bare_cr_in_headers_are_reported(void **state)
{
    (void)state;
    const unsigned char msg[] = "Subject: a\0b\rc\n\nbody";
    mailparse_message *m = NULL;
    assert_int_equal(mailparse_parse(msg, sizeof msg - 1, NULL, &m), 0);
    assert_true(has_anomaly(m, MAILPARSE_ANOMALY_NUL_BYTE));
    assert_true(has_anomaly(m, MAILPARSE_ANOMALY_BARE_CR));
    assert_int_equal(mailparse_message_header_at(m, 0)->raw_value_len, 6);
    mailparse_message_free(m);
}

/* "=?" in an addr-spec, a URL or a msg-id, and the name="=?...?=" mailers write, are not
 * broken encoded words: only unstructured text is held to RFC 2047 §5(1). */
static void structured_fields_report_no_encoded_word_trouble(void **state)
{
    (void)state;
    mailparse_message *m = parse_str("To: X <a=?b?=c@example.test>\n"
                                     "List-Unsubscribe: <mailto:u@example.test?subject=?>\n"
                                     "References: <x=?y@example.test>\n"
                                     "Content-Type: application/pdf; name=\"=?utf-8?B?w6k=?=\"\n\nx");
    assert_int_equal(mailparse_message_anomaly_count(m), 0);
    assert_string_equal(part_at(m, 0)->filename, "\xc3\xa9");
    mailparse_message_free(m);
    m = parse_str("Subject: glued=?utf-8?q?x?=word\n\nx");
    assert_true(has_anomaly(m, MAILPARSE_ANOMALY_ENCODED_WORD_IN_WORD));
    mailparse_message_free(m);
}

static void part_filename_falls_back_to_the_content_type_name(void **state)
{
    (void)state;
    mailparse_message *m = parse_str("Content-Type: application/octet-stream; name=\"from-type.bin\"\n\nx");
    assert_string_equal(part_at(m, 0)->filename, "from-type.bin");
    mailparse_message_free(m);
    m = parse_str("Content-Type: application/octet-stream; name=a.bin\n"
                  "Content-Disposition: attachment; filename=b.bin\n\nx");
    assert_string_equal(part_at(m, 0)->filename, "b.bin");
    mailparse_message_free(m);
}

static void part_descriptive_fields_are_exposed(void **state)
{
    (void)state;
    mailparse_message *m = parse_str("Content-Type: image/png\nContent-ID: <img1@x.example>\n"
                                     "Content-Description: =?utf-8?q?a_pictur=C3=A9?=\n"
                                     "Content-Location: http://x.example/a.png\nContent-Language: en, fr\n\nx");
    const mailparse_part *p = part_at(m, 0);
    assert_string_equal(p->content_id, "img1@x.example");
    assert_string_equal(p->description, "a picturé");
    assert_string_equal(p->location, "http://x.example/a.png");
    assert_int_equal(p->language->count, 2);
    assert_string_equal(p->language->items[1], "fr");
    mailparse_message_free(m);
}

static void groups_are_listed_with_their_members(void **state)
{
    (void)state;
    mailparse_message *m = parse_data("messages/groups.eml");
    const mailparse_address_list *to = mailparse_message_addresses(m, "to");
    assert_int_equal(to->count, 3);
    assert_int_equal(to->group_count, 1);
    assert_string_equal(to->group_names[0], "A Group");
    assert_int_equal(to->items[0].group, 0);
    assert_string_equal(to->items[2].address, "jdoe@one.test");
    const mailparse_address_list *cc = mailparse_message_addresses(m, "cc");
    assert_int_equal(cc->count, 0);
    assert_int_equal(cc->group_count, 1);
    assert_string_equal(cc->group_names[0], "Undisclosed recipients");
    mailparse_message_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fields_keep_raw_bytes_and_offsets),
        cmocka_unit_test(crlf_fields_exclude_the_final_line_end),
        cmocka_unit_test(lookup_is_case_insensitive_and_counts_from_either_end),
        cmocka_unit_test(typed_values_follow_the_field_name),
        cmocka_unit_test(encoded_words_are_decoded_in_every_field),
        cmocka_unit_test(raw_utf8_headers_are_kept_and_reported),
        cmocka_unit_test(legacy_8bit_headers_are_read_as_windows_1252),
        cmocka_unit_test(space_before_colon_is_accepted),
        cmocka_unit_test(line_without_colon_ends_the_header_block),
        cmocka_unit_test(continuation_before_any_field_is_skipped),
        cmocka_unit_test(duplicate_content_type_is_reported_and_the_last_wins),
        cmocka_unit_test(content_type_without_subtype_keeps_its_parameters),
        cmocka_unit_test(nul_and_bare_cr_in_headers_are_reported),
        cmocka_unit_test(structured_fields_report_no_encoded_word_trouble),
        cmocka_unit_test(part_filename_falls_back_to_the_content_type_name),
        cmocka_unit_test(part_descriptive_fields_are_exposed),
        cmocka_unit_test(groups_are_listed_with_their_members),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
