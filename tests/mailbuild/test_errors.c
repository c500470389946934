/* test_errors.c — every rejection mailbuild.h documents, each with its exact code, and the
 * contract that a call that fails changes nothing: the rejected value is never written.
 * Header injection (CR, LF), field names, raw values, limits, invalid UTF-8, call order, the
 * write callback failing, and allocation failure at every point. */
#include "build_util.h"

#define NO_GENERATED (MAILBUILD_F_NO_DATE | MAILBUILD_F_NO_MESSAGE_ID)

/* Values that try to end their line and start a field of their own. */
static const char *const injections[] = {
    "a\r\nBcc: victim@example.net",
    "a\nBcc: victim@example.net",
    "a\rBcc: victim@example.net",
    "a\r\n\r\nvictim body",
    "victim\r\n",
    "\nvictim",
};
#define INJECTION_COUNT (sizeof injections / sizeof injections[0])

/* ---- header injection -------------------------------------------------------------------- */

static void line_break_in_an_address_is_injection(void **state)
{
    (void)state;
    static const char *const addrs[] = {"a@example.com\r\nBcc: victim@example.net", "victim\n@example.com",
                                        "victim@exa\rmple.com", "victim@example.com\n"};
    for (size_t i = 0; i < sizeof addrs / sizeof addrs[0]; i++) {
        mailbuild_message *m = new_message(NO_GENERATED);
        assert_int_equal(mailbuild_add_address(m, "To", NULL, addrs[i]), MAILBUILD_E_INJECTION);
        assert_int_equal(mailbuild_add_address(m, "Cc", "Name", addrs[i]), MAILBUILD_E_INJECTION);
        assert_output_lacks(m, "victim");
        assert_output_lacks(m, "To:");
        mailbuild_message_free(m);
    }
}

static void line_break_in_a_display_or_group_name_is_injection(void **state)
{
    (void)state;
    for (size_t i = 0; i < INJECTION_COUNT; i++) {
        mailbuild_message *m = new_message(NO_GENERATED);
        assert_int_equal(mailbuild_add_address(m, "To", injections[i], "a@example.com"), MAILBUILD_E_INJECTION);
        assert_int_equal(mailbuild_group_open(m, "Cc", injections[i]), MAILBUILD_E_INJECTION);
        assert_int_equal(mailbuild_group_close(m, "Cc"), MAILBUILD_E_STATE);
        assert_output_lacks(m, "victim");
        assert_output_lacks(m, "a@example.com");
        mailbuild_message_free(m);
    }
}

/* A rejected Subject leaves the earlier one in place. */
static void line_break_in_the_subject_is_injection(void **state)
{
    (void)state;
    for (size_t i = 0; i < INJECTION_COUNT; i++) {
        mailbuild_message *m = new_message(NO_GENERATED);
        assert_int_equal(mailbuild_set_subject(m, "kept"), 0);
        assert_int_equal(mailbuild_set_subject(m, injections[i]), MAILBUILD_E_INJECTION);
        mailparse_message *p = expect_message(m, "Subject: kept\r\n" EMPTY_BODY_FIELDS);
        mailparse_message_free(p);
        mailbuild_message_free(m);
    }
}

static void line_break_in_a_text_header_is_injection(void **state)
{
    (void)state;
    for (size_t i = 0; i < INJECTION_COUNT; i++) {
        mailbuild_message *m = new_message(NO_GENERATED);
        assert_int_equal(mailbuild_add_text_header(m, "X-Note", injections[i]), MAILBUILD_E_INJECTION);
        assert_int_equal(mailbuild_add_text_header(m, "Comments", injections[i]), MAILBUILD_E_INJECTION);
        mailbuild_part *part = NULL;
        assert_int_equal(mailbuild_set_text(m, "body", 4, &part), 0);
        assert_int_equal(mailbuild_part_add_text_header(part, "Content-Description", injections[i]),
                         MAILBUILD_E_INJECTION);
        assert_output_lacks(m, "victim");
        assert_output_lacks(m, "X-Note");
        assert_output_lacks(m, "Content-Description");
        mailbuild_message_free(m);
    }
}

static void line_break_in_a_keyword_is_injection(void **state)
{
    (void)state;
    for (size_t i = 0; i < INJECTION_COUNT; i++) {
        mailbuild_message *m = new_message(NO_GENERATED);
        assert_int_equal(mailbuild_add_keyword(m, injections[i]), MAILBUILD_E_INJECTION);
        assert_output_lacks(m, "Keywords");
        mailbuild_message_free(m);
    }
}

static void line_break_in_a_url_is_injection(void **state)
{
    (void)state;
    static const char *const urls[] = {"https://example.com/\r\nBcc: victim@example.net",
                                       "mailto:victim@example.net\n", "https://victim\r.example"};
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        mailbuild_message *m = new_message(NO_GENERATED);
        assert_int_equal(mailbuild_add_url(m, "List-Unsubscribe", urls[i]), MAILBUILD_E_INJECTION);
        assert_output_lacks(m, "victim");
        assert_output_lacks(m, "List-Unsubscribe");
        mailbuild_message_free(m);
    }
}

/* RFC 2369 §2: a URL is printable ASCII without '<', '>' or spaces. */
static void url_that_is_not_printable_ascii_is_inval(void **state)
{
    (void)state;
    static const char *const urls[] = {"", "https://example.com/a victim", "https://example.com/<victim>",
                                       "https://example.com/>victim", "https://example.com/\tvictim",
                                       "https://bücher.example/victim", "https://example.com/\x7fvictim"};
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        mailbuild_message *m = new_message(NO_GENERATED);
        assert_int_equal(mailbuild_add_url(m, "List-Help", urls[i]), MAILBUILD_E_INVAL);
        assert_output_lacks(m, "List-Help");
        mailbuild_message_free(m);
    }
}

static void line_break_in_a_message_id_is_injection(void **state)
{
    (void)state;
    static const char *const ids[] = {"a@example.com\r\nBcc: victim@example.net", "<victim\n@example.com>",
                                      "victim@example\r.com"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        mailbuild_message *m = new_message(MAILBUILD_F_NO_DATE);
        assert_int_equal(mailbuild_set_message_id(m, ids[i]), MAILBUILD_E_INJECTION);
        assert_int_equal(mailbuild_add_message_id(m, "References", ids[i]), MAILBUILD_E_INJECTION);
        mailbuild_part *part = NULL;
        assert_int_equal(mailbuild_add_attachment(m, (const unsigned char *)"x", 1, "application/octet-stream",
                                                  NULL, &part),
                         0);
        assert_int_equal(mailbuild_part_set_content_id(part, ids[i]), MAILBUILD_E_INJECTION);
        assert_int_equal(mailbuild_add_inline(m, (const unsigned char *)"x", 1, "image/png", ids[i], NULL, NULL),
                         MAILBUILD_E_INJECTION);
        assert_output_lacks(m, "victim");
        assert_output_lacks(m, "References");
        assert_output_lacks(m, "Content-ID");
        /* the generated Message-ID is still there */
        char *out = build_string(m, NULL);
        assert_true(contains(out, "Message-ID: <000102030405060708090a0b0c0d0e0f@localhost>\r\n"));
        mailbuild_free(out);
        mailbuild_message_free(m);
    }
}

static void line_break_in_a_filename_is_injection(void **state)
{
    (void)state;
    for (size_t i = 0; i < INJECTION_COUNT; i++) {
        mailbuild_message *m = new_message(NO_GENERATED);
        assert_int_equal(mailbuild_add_attachment(m, (const unsigned char *)"data", 4, NULL, injections[i], NULL),
                         MAILBUILD_E_INJECTION);
        assert_int_equal(mailbuild_add_inline(m, (const unsigned char *)"data", 4, "image/png", "cid@example.com",
                                              injections[i], NULL),
                         MAILBUILD_E_INJECTION);
        mailbuild_part *part = NULL;
        assert_int_equal(mailbuild_add_attachment(m, (const unsigned char *)"data", 4, "application/pdf",
                                                  "report.pdf", &part),
                         0);
        assert_int_equal(mailbuild_part_set_filename(part, injections[i]), MAILBUILD_E_INJECTION);
        char *out = build_string(m, NULL);
        assert_false(contains(out, "victim"));
        assert_false(contains(out, "cid@example.com"));
        assert_true(contains(out, "filename=\"report.pdf\""));
        mailbuild_free(out);
        mailbuild_message_free(m);
    }
}

static void line_break_in_a_parameter_is_injection(void **state)
{
    (void)state;
    for (size_t i = 0; i < INJECTION_COUNT; i++) {
        mailbuild_message *m = new_message(NO_GENERATED);
        mailbuild_part *part = NULL;
        assert_int_equal(mailbuild_set_text(m, "body", 4, &part), 0);
        assert_int_equal(mailbuild_part_set_param(part, "format", "flowed"), 0);
        assert_int_equal(mailbuild_part_set_param(part, "format", injections[i]), MAILBUILD_E_INJECTION);
        assert_int_equal(mailbuild_part_set_param(part, "x-other", injections[i]), MAILBUILD_E_INJECTION);
        char *out = build_string(m, NULL);
        assert_false(contains(out, "victim"));
        assert_false(contains(out, "x-other"));
        assert_true(contains(out, "format=\"flowed\""));
        mailbuild_free(out);
        mailbuild_message_free(m);
    }
}

/* Strings end at their NUL: what follows one is never read, so it cannot be written. */
static void text_after_a_nul_is_never_written(void **state)
{
    (void)state;
    static const char value[] = "safe\0\r\nBcc: victim@example.net";
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_set_subject(m, value), 0);
    assert_int_equal(mailbuild_add_text_header(m, "X-Note", value), 0);
    assert_int_equal(mailbuild_add_raw_header(m, "X-Raw", value), 0);
    assert_int_equal(mailbuild_add_address(m, "To", value, "a@example.com\0victim"), 0);
    mailparse_message *p = expect_message(m, "Subject: safe\r\n"
                                             "X-Note: safe\r\n"
                                             "X-Raw: safe\r\n"
                                             "To: safe <a@example.com>\r\n" EMPTY_BODY_FIELDS);
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

/* ---- raw values -------------------------------------------------------------------------- */

/* A CRLF not followed by WSP would start a new field: the classic injection. */
static void raw_line_break_without_whitespace_after_is_injection(void **state)
{
    (void)state;
    static const char *const values[] = {
        "a\r\nBcc: victim@example.net", "a\r\n\r\nvictim", "a\r\nvictim", "victim\r\n",
        "a\nvictim",                    "a\n victim",      "a\rvictim",   "a\r victim",
        "a\n\r victim",                 "victim\r",
    };
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        mailbuild_message *m = new_message(NO_GENERATED);
        assert_int_equal(mailbuild_add_raw_header(m, "X", values[i]), MAILBUILD_E_INJECTION);
        mailbuild_part *part = NULL;
        assert_int_equal(mailbuild_set_text(m, "body", 4, &part), 0);
        assert_int_equal(mailbuild_part_add_raw_header(part, "X-Part", values[i]), MAILBUILD_E_INJECTION);
        assert_output_lacks(m, "victim");
        assert_output_lacks(m, "X:");
        assert_output_lacks(m, "X-Part");
        mailbuild_message_free(m);
    }
}

/* A line holding only whitespace can end the header block for some readers. */
static void raw_whitespace_only_line_is_injection(void **state)
{
    (void)state;
    static const char *const values[] = {"a\r\n \r\n victim", "a\r\n\t\r\n victim", "a\r\n ", "a\r\n \t ",
                                         "\r\n victim", "  \r\n victim"};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        mailbuild_message *m = new_message(NO_GENERATED);
        assert_int_equal(mailbuild_add_raw_header(m, "X-Raw", values[i]), MAILBUILD_E_INJECTION);
        assert_output_lacks(m, "X-Raw");
        mailbuild_message_free(m);
    }
}

/* RFC 5322 §2.1.1: 998 octets a line, CRLF not counted; the first line counts "Name: ". The
 * 998 themselves are accepted (test_headers.c). */
static void raw_line_over_998_is_limit(void **state)
{
    (void)state;
    char v[1200];
    memset(v, 'v', 991); /* "X-Long: " + 991 = 999 */
    v[991] = '\0';
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_add_raw_header(m, "X-Long", v), MAILBUILD_E_LIMIT);
    assert_output_lacks(m, "X-Long");

    strcpy(v, "first\r\n "); /* a continuation line of SP + 998 = 999 */
    memset(v + 8, 'w', 998);
    v[8 + 998] = '\0';
    assert_int_equal(mailbuild_add_raw_header(m, "X-Long", v), MAILBUILD_E_LIMIT);
    assert_output_lacks(m, "X-Long");

    memset(v, 'v', 991); /* the value is measured as given, even where the writer could fold */
    v[500] = ' ';
    v[991] = '\0';
    assert_int_equal(mailbuild_add_raw_header(m, "X-Long", v), MAILBUILD_E_LIMIT);
    assert_output_lacks(m, "X-Long");
    mailbuild_message_free(m);
}

/* RFC 6532: 8-bit header bytes need an SMTPUTF8 transport, and must be UTF-8. */
static void raw_8bit_value_needs_smtputf8_and_valid_utf8(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_add_raw_header(m, "X-Raw", "Grüße"), MAILBUILD_E_UNSUPPORTED);
    assert_output_lacks(m, "X-Raw");
    mailbuild_message_free(m);

    m = new_message(MAILBUILD_F_SMTPUTF8 | NO_GENERATED);
    assert_int_equal(mailbuild_add_raw_header(m, "X-Bad", "Gr\xfc\xdf" "e"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_add_raw_header(m, "X-Bad", "\xc3\x28"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_add_raw_header(m, "X-Raw", "Grüße"), 0);
    mailparse_message *p = expect_message(m, "X-Raw: Grüße\r\n" EMPTY_BODY_FIELDS);
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

/* ---- invalid UTF-8 ----------------------------------------------------------------------- */

static const char *const bad_utf8[] = {
    "victim \xc3\x28",          /* bad continuation */
    "victim \xc0\xaf",          /* overlong '/' */
    "victim \xed\xa0\x80",      /* a surrogate */
    "victim \xf4\x90\x80\x80",  /* past U+10FFFF */
    "victim \xe2\x82",          /* truncated */
    "victim \xff",
};
#define BAD_UTF8_COUNT (sizeof bad_utf8 / sizeof bad_utf8[0])

static void invalid_utf8_in_text_is_inval(void **state)
{
    (void)state;
    static const unsigned flags[] = {0, MAILBUILD_F_SMTPUTF8};
    for (size_t f = 0; f < 2; f++) {
        for (size_t i = 0; i < BAD_UTF8_COUNT; i++) {
            mailbuild_message *m = new_message(flags[f] | NO_GENERATED);
            assert_int_equal(mailbuild_set_subject(m, bad_utf8[i]), MAILBUILD_E_INVAL);
            assert_int_equal(mailbuild_add_text_header(m, "X-Note", bad_utf8[i]), MAILBUILD_E_INVAL);
            assert_int_equal(mailbuild_add_address(m, "To", bad_utf8[i], "a@example.com"), MAILBUILD_E_INVAL);
            assert_int_equal(mailbuild_group_open(m, "Cc", bad_utf8[i]), MAILBUILD_E_INVAL);
            assert_int_equal(mailbuild_add_keyword(m, bad_utf8[i]), MAILBUILD_E_INVAL);
            mailbuild_part *part = NULL;
            assert_int_equal(mailbuild_add_attachment(m, (const unsigned char *)"x", 1, NULL, bad_utf8[i], NULL),
                             MAILBUILD_E_INVAL);
            assert_int_equal(mailbuild_set_text(m, "body", 4, &part), 0);
            assert_int_equal(mailbuild_part_set_param(part, "x-note", bad_utf8[i]), MAILBUILD_E_INVAL);
            assert_int_equal(mailbuild_part_add_text_header(part, "Content-Description", bad_utf8[i]),
                             MAILBUILD_E_INVAL);
            char *out = build_string(m, NULL);
            assert_false(contains(out, "victim"));
            assert_false(contains(out, "To:"));
            assert_false(contains(out, "Cc:"));
            mailbuild_free(out);
            mailbuild_message_free(m);
        }
    }
}

/* With SMTPUTF8 non-ASCII addresses are allowed, but they must be UTF-8 to be addr-specs. */
static void invalid_utf8_in_an_address_is_refused(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(MAILBUILD_F_SMTPUTF8 | NO_GENERATED);
    assert_int_equal(mailbuild_add_address(m, "To", NULL, "victim\xc3\x28@example.com"), MAILBUILD_E_ADDRESS);
    assert_int_equal(mailbuild_add_address(m, "To", NULL, "victim@b\xff.example"), MAILBUILD_E_ADDRESS);
    assert_output_lacks(m, "victim");
    mailbuild_message_free(m);
}

/* ---- field names ------------------------------------------------------------------------- */

/* Every call that takes a field name, tried with `name`; each must give `want`. */
static void every_named_call_gives(mailbuild_message *m, const char *name, int want)
{
    assert_int_equal(mailbuild_add_text_header(m, name, "victim"), want);
    assert_int_equal(mailbuild_add_raw_header(m, name, "victim"), want);
    assert_int_equal(mailbuild_add_address(m, name, NULL, "victim@example.com"), want);
    assert_int_equal(mailbuild_group_open(m, name, "victim"), want);
    assert_int_equal(mailbuild_add_message_id(m, name, "victim@example.com"), want);
    assert_int_equal(mailbuild_add_url(m, name, "https://victim.example"), want);
}

/* RFC 5322 §3.6.8: ftext is printable ASCII but ':'. */
static void name_outside_ftext_is_refused(void **state)
{
    (void)state;
    static const char *const names[] = {"", "X Name", "X:Name", "X-Name:", "X\tName", "X\x01Name",
                                        "X\x7fName", "X-Grüße", " X", "X "};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        mailbuild_message *m = new_message(NO_GENERATED);
        every_named_call_gives(m, names[i], MAILBUILD_E_HEADER_NAME);
        mailbuild_part *part = NULL;
        assert_int_equal(mailbuild_set_text(m, "body", 4, &part), 0);
        assert_int_equal(mailbuild_part_add_text_header(part, names[i], "victim"), MAILBUILD_E_HEADER_NAME);
        assert_int_equal(mailbuild_part_add_raw_header(part, names[i], "victim"), MAILBUILD_E_HEADER_NAME);
        assert_output_lacks(m, "victim");
        mailbuild_message_free(m);
    }
}

/* Field names are 1-76 characters, so "Name: " plus a word fits in 78. */
static void name_of_76_is_accepted_and_77_refused(void **state)
{
    (void)state;
    char name[80];
    memset(name, 'N', 77);
    name[77] = '\0';
    mailbuild_message *m = new_message(NO_GENERATED);
    every_named_call_gives(m, name, MAILBUILD_E_HEADER_NAME);
    assert_output_lacks(m, "NNNN");

    name[76] = '\0';
    assert_int_equal(mailbuild_add_raw_header(m, name, "kept"), 0);
    char want[256];
    snprintf(want, sizeof want, "%s: kept\r\n" EMPTY_BODY_FIELDS, name);
    mailparse_message *p = expect_message(m, want);
    assert_string_equal(parsed_field(p, name)->text, "kept");
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

static void single_character_name_is_accepted(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_add_raw_header(m, "X", "1"), 0);
    assert_int_equal(mailbuild_add_text_header(m, "!#$%&'*+-.^_`|~", "2"), 0);
    mailparse_message *p = expect_message(m, "X: 1\r\n!#$%&'*+-.^_`|~: 2\r\n" EMPTY_BODY_FIELDS);
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

/* The library writes MIME-Version and the Content-* fields it derives from the parts. */
static void reserved_names_are_refused(void **state)
{
    (void)state;
    static const char *const names[] = {"MIME-Version", "mime-version", "Content-Type", "CONTENT-TYPE",
                                        "Content-Transfer-Encoding", "content-transfer-encoding",
                                        "Content-Disposition", "Content-ID", "content-id"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        mailbuild_message *m = new_message(NO_GENERATED);
        every_named_call_gives(m, names[i], MAILBUILD_E_HEADER_NAME);
        mailbuild_part *part = NULL;
        assert_int_equal(mailbuild_set_text(m, "body", 4, &part), 0);
        assert_int_equal(mailbuild_part_add_text_header(part, names[i], "victim"), MAILBUILD_E_HEADER_NAME);
        assert_int_equal(mailbuild_part_add_raw_header(part, names[i], "victim"), MAILBUILD_E_HEADER_NAME);
        char *out = build_string(m, NULL);
        assert_false(contains(out, "victim"));
        /* one MIME-Version, one Content-Type: the library's own */
        mailparse_message *p = parse_built(out);
        assert_null(mailparse_part_header(p, 0, "MIME-Version", 1));
        assert_null(mailparse_part_header(p, 0, "Content-Type", 1));
        mailparse_message_free(p);
        mailbuild_free(out);
        mailbuild_message_free(m);
    }
}

/* ---- addresses and ids ------------------------------------------------------------------- */

/* RFC 5322 §3.4.1 addr-spec: local "@" domain, both sides non-empty, labels of letters, digits
 * and hyphens (not at either end), 1-63 octets. */
static void address_that_is_not_an_addr_spec_is_refused(void **state)
{
    (void)state;
    char long_label[100] = "victim@";
    memset(long_label + 7, 'l', 64);
    strcpy(long_label + 71, ".example");
    const char *const addrs[] = {"victim",        "@victim.example",   "victim@",         "victim@-bad.example",
                                 "victim@bad-.example", "victim@b..example", "victim@b c.example", "victim@.example",
                                 "victim@example.", "victim@[192.0.2.1", "victim@[]",      "victim@exa(mple).com",
                                 "victim@exa,mple.com", long_label, ""};
    for (size_t i = 0; i < sizeof addrs / sizeof addrs[0]; i++) {
        mailbuild_message *m = new_message(NO_GENERATED);
        assert_int_equal(mailbuild_add_address(m, "To", "Name", addrs[i]), MAILBUILD_E_ADDRESS);
        assert_output_lacks(m, "To:");
        mailbuild_message_free(m);
    }
    /* a label of 63 is fine */
    strcpy(long_label + 7 + 63, ".example");
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_add_address(m, "To", NULL, long_label), 0);
    mailbuild_message_free(m);
}

/* RFC 5322 §3.6.4: id-left "@" id-right, dot-atom-text on both sides (or a literal on the
 * right). */
static void message_id_that_is_not_left_at_right_is_refused(void **state)
{
    (void)state;
    static const char *const ids[] = {"victim", "@victim.example", "victim@", "<victim>", "vic tim@example.com",
                                      "victim@exa mple.com", "vic(tim)@example.com", "victim@example@com",
                                      "<>", "", "victim\"@example.com", "<victim@example.com", "victim@example.com>",
                                      "victim@[bad literal]"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        mailbuild_message *m = new_message(MAILBUILD_F_NO_DATE);
        assert_int_equal(mailbuild_set_message_id(m, ids[i]), MAILBUILD_E_MESSAGE_ID);
        assert_int_equal(mailbuild_add_message_id(m, "In-Reply-To", ids[i]), MAILBUILD_E_MESSAGE_ID);
        mailbuild_part *part = NULL;
        assert_int_equal(mailbuild_add_attachment(m, (const unsigned char *)"x", 1, "image/png", NULL, &part), 0);
        assert_int_equal(mailbuild_part_set_content_id(part, ids[i]), MAILBUILD_E_MESSAGE_ID);
        char *out = build_string(m, NULL);
        assert_false(contains(out, "victim"));
        assert_false(contains(out, "In-Reply-To"));
        assert_true(contains(out, "Message-ID: <000102030405060708090a0b0c0d0e0f@localhost>\r\n"));
        mailbuild_free(out);
        mailbuild_message_free(m);
    }
}

/* ---- call order -------------------------------------------------------------------------- */

static void closing_a_group_that_is_not_open_is_state(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_group_close(m, "To"), MAILBUILD_E_STATE);           /* no such field */
    assert_int_equal(mailbuild_add_address(m, "To", NULL, "a@example.com"), 0);
    assert_int_equal(mailbuild_group_close(m, "To"), MAILBUILD_E_STATE);           /* no group open */
    assert_int_equal(mailbuild_group_open(m, "To", "G"), 0);
    assert_int_equal(mailbuild_group_close(m, "To"), 0);
    assert_int_equal(mailbuild_group_close(m, "To"), MAILBUILD_E_STATE);           /* closed already */
    assert_int_equal(mailbuild_add_text_header(m, "X-Text", "t"), 0);
    assert_int_equal(mailbuild_group_close(m, "X-Text"), MAILBUILD_E_STATE);       /* not an address field */
    mailparse_message *p = expect_message(m, "To: a@example.com, G:;\r\nX-Text: t\r\n" EMPTY_BODY_FIELDS);
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

/* A field the caller wrote raw cannot also take structured items. */
static void structured_items_on_a_raw_field_are_state(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_add_raw_header(m, "To", "kept@example.com"), 0);
    assert_int_equal(mailbuild_add_address(m, "to", NULL, "victim@example.com"), MAILBUILD_E_STATE);
    assert_int_equal(mailbuild_group_open(m, "To", "victim"), MAILBUILD_E_STATE);
    assert_int_equal(mailbuild_add_raw_header(m, "References", "<kept@example.com>"), 0);
    assert_int_equal(mailbuild_add_message_id(m, "References", "victim@example.com"), MAILBUILD_E_STATE);
    assert_int_equal(mailbuild_add_address(m, "References", NULL, "victim@example.com"), MAILBUILD_E_STATE);
    mailparse_message *p = expect_message(m, "To: kept@example.com\r\nReferences: <kept@example.com>\r\n"
                                             EMPTY_BODY_FIELDS);
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

static void empty_keyword_or_group_name_is_inval(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_add_keyword(m, ""), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_group_open(m, "To", ""), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_group_close(m, "To"), MAILBUILD_E_STATE);
    mailparse_message *p = expect_message(m, EMPTY_BODY_FIELDS);
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

/* -1439..1439 minutes; a timestamp the date cannot be written for is refused too. */
static void date_out_of_range_is_inval(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(MAILBUILD_F_NO_MESSAGE_ID);
    assert_int_equal(mailbuild_set_date(m, FIXED_NOW, 1440), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_set_date(m, FIXED_NOW, -1440), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_set_date(m, INT64_MAX, 0), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_set_date(m, INT64_MIN, 0), MAILBUILD_E_INVAL);
    mailparse_message *p = expect_message(m, "Date: " FIXED_DATE "\r\n" EMPTY_BODY_FIELDS);
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

static void bad_message_options_are_inval(void **state)
{
    (void)state;
    static const char *const domains[] = {"", "bad domain", "bad@domain", "<example.com>", "exa(mple).com"};
    for (size_t i = 0; i < sizeof domains / sizeof domains[0]; i++) {
        mailbuild_options o;
        mailbuild_options_init(&o);
        o.message_id_domain = domains[i];
        mailbuild_message *m = NULL;
        assert_int_equal(mailbuild_message_new(&o, &m), MAILBUILD_E_INVAL);
        assert_null(m);
    }
    mailbuild_options o;
    mailbuild_options_init(&o);
    o.utc_offset_minutes = 1440;
    mailbuild_message *m = NULL;
    assert_int_equal(mailbuild_message_new(&o, &m), MAILBUILD_E_INVAL);
    assert_null(m);
    o.utc_offset_minutes = -1440;
    assert_int_equal(mailbuild_message_new(&o, &m), MAILBUILD_E_INVAL);
    o.utc_offset_minutes = -1439;
    assert_int_equal(mailbuild_message_new(&o, &m), 0);
    mailbuild_message_free(m);
}

/* ---- the write callback ------------------------------------------------------------------ */

/* The writer stops at the first failure, reports it, and calls the callback no more. */
static void failing_write_callback_gives_write_error(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(0);
    assert_int_equal(mailbuild_set_subject(m, "s"), 0);
    size_t big = 300000;
    unsigned char *data = malloc(big);
    assert_non_null(data);
    for (size_t i = 0; i < big; i++)
        data[i] = (unsigned char)(i * 7 + 3);
    assert_int_equal(mailbuild_add_attachment(m, data, big, NULL, "blob.bin", NULL), 0);
    free(data);

    collector all = {0};
    assert_int_equal(mailbuild_write(m, collect_piece, &all), 0);
    assert_true(all.calls >= 3);
    for (size_t k = 1; k <= all.calls; k++) {
        collector c = {0};
        c.fail_at = k;
        assert_int_equal(mailbuild_write(m, collect_piece, &c), MAILBUILD_E_WRITE);
        assert_int_equal(c.calls, k);
        assert_true(c.len < all.len);
        if (c.len)
            assert_memory_equal(c.data, all.data, c.len); /* a prefix of the message */
        free(c.data);
    }
    /* the message is unharmed: it writes again, the same bytes */
    collector again = {0};
    assert_int_equal(mailbuild_write(m, collect_piece, &again), 0);
    assert_int_equal(again.len, all.len);
    assert_int_equal(memcmp(again.data, all.data, all.len), 0);
    free(again.data);
    free(all.data);
    mailbuild_message_free(m);
}

/* ---- allocation failure ------------------------------------------------------------------ */

#include "alloc_budget.h"

static void use_budget_allocator(int on)
{
    mailbuild_set_allocator(on ? budget_malloc : NULL, on ? budget_realloc : NULL, on ? free : NULL);
    mailparse_set_allocator(on ? budget_malloc : NULL, on ? budget_realloc : NULL, on ? free : NULL);
}

struct build {
    unsigned counter;
    mailbuild_message *m;
    mailbuild_part *part;
    char *out;
    size_t len;
};

/* One builder call of a full message; returns its status. */
static int build_step(struct build *b, int step)
{
    static const unsigned char pdf[] = "%PDF-1.4\n\x80\x81\x82 binary \x00\x01 data\n";
    const char *body = "Grüße,\nthis line is long enough to need quoted-printable soft breaks when it "
                       "goes past seventy-six characters, as it does here.\n";
    switch (step) {
    case 0: {
        mailbuild_options o;
        deterministic_options(&o, &b->counter, 0);
        o.message_id_domain = "ids.example.com";
        return mailbuild_message_new(&o, &b->m);
    }
    case 1: return mailbuild_add_address(b->m, "From", "Jörg Müller", "joerg@example.com");
    case 2: return mailbuild_add_address(b->m, "To", "Smith, Alice", "alice@example.org");
    case 3: return mailbuild_group_open(b->m, "Cc", "Team");
    case 4: return mailbuild_add_address(b->m, "Cc", NULL, "bob@example.org");
    case 5: return mailbuild_group_close(b->m, "Cc");
    case 6: return mailbuild_set_subject(b->m, "Grüße aus München und überall sonst auf der Welt, wo es schön ist");
    case 7: return mailbuild_set_date(b->m, FIXED_NOW, 60);
    case 8: return mailbuild_add_message_id(b->m, "In-Reply-To", "<parent@example.com>");
    case 9: return mailbuild_add_message_id(b->m, "References", "root@example.com");
    case 10: return mailbuild_add_url(b->m, "List-Unsubscribe", "mailto:leave@example.com");
    case 11: return mailbuild_add_keyword(b->m, "Grüße");
    case 12: return mailbuild_add_text_header(b->m, "Comments", "a comment with ümlaut");
    case 13: return mailbuild_add_raw_header(b->m, "X-Raw", "raw value\r\n folded");
    case 14: return mailbuild_add_text_header(b->m, "X-Removed", "gone");
    case 15: return mailbuild_remove_header(b->m, "X-Removed") == 1 ? 0 : -100;
    case 16: return mailbuild_set_text(b->m, body, strlen(body), NULL);
    case 17: return mailbuild_set_html(b->m, "<p>Grüße</p>", strlen("<p>Grüße</p>"), NULL);
    case 18: return mailbuild_add_attachment(b->m, pdf, sizeof pdf - 1, NULL, "Übersicht März.pdf", &b->part);
    case 19: return mailbuild_part_add_text_header(b->part, "Content-Description", "Bericht für März");
    case 20: return mailbuild_add_inline(b->m, pdf, 16, "image/png", "logo@example.com", "logo.png", NULL);
    case 21: {
        size_t size;
        return mailbuild_size(b->m, &size);
    }
    case 22: return mailbuild_to_buffer(b->m, &b->out, &b->len);
    default: return -100;
    }
}
#define BUILD_STEPS 23

/* Every allocation, in turn, is made to fail: each call then gives MAILBUILD_E_NOMEM and
 * changes nothing, so doing it again with memory gives the message it would have been.
 * Nothing leaks (the sanitizer build checks). */
static void allocation_failure_anywhere_is_nomem_and_changes_nothing(void **state)
{
    (void)state;
    struct build ref = {0};
    for (int s = 0; s < BUILD_STEPS; s++)
        assert_int_equal(build_step(&ref, s), 0);

    use_budget_allocator(1);
    int clean = 0;
    size_t failures = 0;
    for (size_t limit = 0; limit < 100000 && !clean; limit++) {
        struct build b = {0};
        alloc_budget = limit;
        alloc_limited = 1;
        int failed = 0;
        for (int s = 0; s < BUILD_STEPS; s++) {
            int rc = build_step(&b, s);
            if (rc == MAILBUILD_E_NOMEM) {
                failed = 1;
                if (s == 0)
                    assert_null(b.m);
                if (s == 22)
                    assert_null(b.out);
                alloc_limited = 0;
                rc = build_step(&b, s);
            }
            if (rc != 0)
                fail_msg("step %d gave %d with %zu allocations allowed", s, rc, limit);
        }
        alloc_limited = 0;
        if (b.len != ref.len || memcmp(b.out, ref.out, ref.len) != 0)
            fail_msg("with %zu allocations allowed the message differs:\n%s", limit, b.out);
        mailbuild_free(b.out);
        mailbuild_message_free(b.m);
        failures += failed;
        clean = !failed;
    }
    use_budget_allocator(0);
    assert_true(clean);
    assert_true(failures > 0);
    mailbuild_free(ref.out);
    mailbuild_message_free(ref.m);
}

/* A Message-ID set again, when memory runs out, leaves the one there was. The arena is filled
 * to the point where the call needs a new block. */
static void failed_set_message_id_leaves_the_message_id_as_it_was(void **state)
{
    (void)state;
    char id[900];
    memset(id, 'i', 800);
    strcpy(id + 800, "@example.com");
    int seen[2] = {0, 0};
    const char *lost[2] = {NULL, NULL};
    static const char *const want[2] = {"Message-ID: <old@example.com>\r\n",
                                        "Message-ID: <000102030405060708090a0b0c0d0e0f@localhost>\r\n"};
    for (size_t fill = 1; fill < 12000; fill += 16) {
        for (int first = 0; first < 2; first++) {
            mailbuild_message *m = new_message(MAILBUILD_F_NO_DATE);
            if (!first)
                assert_int_equal(mailbuild_set_message_id(m, "old@example.com"), 0);
            char *filler = malloc(fill + 1);
            assert_non_null(filler);
            memset(filler, 'f', fill);
            filler[fill] = '\0';
            assert_int_equal(mailbuild_add_text_header(m, "X-Fill", filler), 0);
            free(filler);
            use_budget_allocator(1);
            alloc_budget = 0;
            alloc_limited = 1;
            int rc = mailbuild_set_message_id(m, id);
            alloc_limited = 0;
            use_budget_allocator(0);
            if (rc == MAILBUILD_E_NOMEM) {
                seen[first] = 1;
                char *out = build_string(m, NULL);
                const char *f = field_text(out, "Message-ID");
                if (!lost[first] && (!f || strcmp(f, want[first]) != 0))
                    lost[first] = f ? "another Message-ID" : "no Message-ID at all";
                mailbuild_free(out);
            } else {
                assert_int_equal(rc, 0);
            }
            mailbuild_message_free(m);
        }
    }
    assert_true(seen[0] && seen[1]);
    if (lost[0] || lost[1])
        fail_msg("after the failed call: replacing an id left %s; setting the first left %s",
                 lost[0] ? lost[0] : "it as it was", lost[1] ? lost[1] : "the generated one");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(line_break_in_an_address_is_injection),
        cmocka_unit_test(line_break_in_a_display_or_group_name_is_injection),
        cmocka_unit_test(line_break_in_the_subject_is_injection),
        cmocka_unit_test(line_break_in_a_text_header_is_injection),
        cmocka_unit_test(line_break_in_a_keyword_is_injection),
        cmocka_unit_test(line_break_in_a_url_is_injection),
        cmocka_unit_test(url_that_is_not_printable_ascii_is_inval),
        cmocka_unit_test(line_break_in_a_message_id_is_injection),
        cmocka_unit_test(line_break_in_a_filename_is_injection),
        cmocka_unit_test(line_break_in_a_parameter_is_injection),
        cmocka_unit_test(text_after_a_nul_is_never_written),
        cmocka_unit_test(raw_line_break_without_whitespace_after_is_injection),
        cmocka_unit_test(raw_whitespace_only_line_is_injection),
        cmocka_unit_test(raw_line_over_998_is_limit),
        cmocka_unit_test(raw_8bit_value_needs_smtputf8_and_valid_utf8),
        cmocka_unit_test(invalid_utf8_in_text_is_inval),
        cmocka_unit_test(invalid_utf8_in_an_address_is_refused),
        cmocka_unit_test(name_outside_ftext_is_refused),
        cmocka_unit_test(name_of_76_is_accepted_and_77_refused),
        cmocka_unit_test(single_character_name_is_accepted),
        cmocka_unit_test(reserved_names_are_refused),
        cmocka_unit_test(address_that_is_not_an_addr_spec_is_refused),
        cmocka_unit_test(message_id_that_is_not_left_at_right_is_refused),
        cmocka_unit_test(closing_a_group_that_is_not_open_is_state),
        cmocka_unit_test(structured_items_on_a_raw_field_are_state),
        cmocka_unit_test(empty_keyword_or_group_name_is_inval),
        cmocka_unit_test(date_out_of_range_is_inval),
        cmocka_unit_test(bad_message_options_are_inval),
        cmocka_unit_test(failing_write_callback_gives_write_error),
        cmocka_unit_test(failed_set_message_id_leaves_the_message_id_as_it_was),
        cmocka_unit_test(allocation_failure_anywhere_is_nomem_and_changes_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
