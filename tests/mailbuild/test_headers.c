/* test_headers.c — the message's header fields as written: Subject and other text (RFC 2047
 * where needed, folded at 78, never over 998), Date, Message-ID, msg-id lists, List-* URLs,
 * Keywords, raw fields, removal, field order and the SMTPUTF8 forms (RFC 6532). */
#include "build_util.h"

/* Header-only messages: the caller's fields, then the ones written for an empty body. */
#define NO_GENERATED (MAILBUILD_F_NO_DATE | MAILBUILD_F_NO_MESSAGE_ID)

/* A message holding only a Subject, checked byte for byte; returns the subject parsed back
 * (in a static buffer). */
static const char *subject_roundtrip(unsigned flags, const char *subject, const char *want_field)
{
    static char back[8192];
    mailbuild_message *m = new_message(flags | NO_GENERATED);
    assert_int_equal(mailbuild_set_subject(m, subject), 0);
    mailparse_message *p = expect_field(m, "Subject", want_field);
    const char *got = mailparse_message_subject(p);
    assert_non_null(got);
    assert_true(strlen(got) < sizeof back);
    strcpy(back, got);
    mailparse_message_free(p);
    mailbuild_message_free(m);
    return back;
}

/* ---- Subject ----------------------------------------------------------------------------- */

static void ascii_subject_is_written_as_it_is(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_set_subject(m, "Hello world"), 0);
    mailparse_message *p = expect_message(m, "Subject: Hello world\r\n" EMPTY_BODY_FIELDS);
    assert_string_equal(mailparse_message_subject(p), "Hello world");
    assert_int_equal(mailparse_message_anomaly_count(p), 0);
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

/* RFC 2047 §5 (1): only the words that need it are encoded, each separated from its neighbours
 * by a space; Q or B, whichever is shorter. */
static void non_ascii_words_become_encoded_words(void **state)
{
    (void)state;
    const char *back = subject_roundtrip(0, "Grüße aus München",
                                         "Subject: =?utf-8?B?R3LDvMOfZQ==?= aus =?utf-8?Q?M=C3=BCnchen?=\r\n");
    assert_string_equal(back, "Grüße aus München");
}

static void internal_runs_of_spaces_and_tabs_are_kept(void **state)
{
    (void)state;
    assert_string_equal(subject_roundtrip(0, "a  b\tc", "Subject: a  b\tc\r\n"), "a  b\tc");
}

static void leading_and_trailing_whitespace_is_trimmed(void **state)
{
    (void)state;
    assert_string_equal(subject_roundtrip(0, " \t lead and trail \t ", "Subject: lead and trail\r\n"),
                        "lead and trail");
}

/* A word a reader would take for an encoded word is encoded itself, so it reads back as typed. */
static void encoded_word_lookalikes_are_encoded(void **state)
{
    (void)state;
    assert_string_equal(subject_roundtrip(0, "see =?utf-8?q?x?= here",
                                          "Subject: see =?utf-8?B?PT91dGYtOD9xP3g/PQ==?= here\r\n"),
                        "see =?utf-8?q?x?= here");
    assert_string_equal(subject_roundtrip(0, "a=?b", "Subject: =?utf-8?Q?a=3D=3Fb?=\r\n"), "a=?b");
    assert_string_equal(subject_roundtrip(0, "ends with =?", "Subject: ends with =?utf-8?B?PT8=?=\r\n"),
                        "ends with =?");
}

/* RFC 5322 §2.2.3: the fold goes before the space in front of the word that would pass 78. */
static void long_subject_is_folded_before_the_word_that_passes_78(void **state)
{
    (void)state;
    const char *s = "Re: [list] Meeting notes for the quarterly review of the things that matter most "
                    "to us all";
    assert_string_equal(subject_roundtrip(0, s,
                                          "Subject: Re: [list] Meeting notes for the quarterly review of the "
                                          "things that\r\n"
                                          " matter most to us all\r\n"),
                        s);
}

static void line_of_exactly_78_is_not_folded(void **state)
{
    (void)state;
    /* "Subject: " + 69 octets = 78 */
    const char *s = "aaaaaaaaa bbbbbbbbb ccccccccc ddddddddd eeeeeeeee fffffffff ggggggggg";
    assert_int_equal(strlen(s), 69);
    char want[128];
    snprintf(want, sizeof want, "Subject: %s\r\n", s);
    assert_string_equal(subject_roundtrip(0, s, want), s);
    /* one more octet folds before the last word */
    const char *t = "aaaaaaaaa bbbbbbbbb ccccccccc ddddddddd eeeeeeeee fffffffff gggggggggg";
    assert_string_equal(subject_roundtrip(0, t,
                                          "Subject: aaaaaaaaa bbbbbbbbb ccccccccc ddddddddd eeeeeeeee "
                                          "fffffffff\r\n"
                                          " gggggggggg\r\n"),
                        t);
}

/* Folding only inserts CRLF before whitespace that is there (RFC 5322 §2.2.3), so a run of
 * spaces or a tab is as good a fold point as a single space: no line passes 78 when the
 * words fit, and unfolding gives the run back. */
/* Folding happens at a single space. A run of blanks or a tab stays on its line (past 78, the
 * SHOULD limit) because common readers, libmailparse and mail-parser among them, turn a folded
 * run into one space; the whitespace then survives the round trip. */
static void run_of_spaces_or_a_tab_stays_on_its_line(void **state)
{
    (void)state;
    static const struct {
        const char *subject, *field;
    } cases[] = {
        {"aaaaaaaaa bbbbbbbbb ccccccccc ddddddddd eeeeeeeee fffffffff ggggggggg   hhhhhhhhh iiiiiiiii",
         "Subject: aaaaaaaaa bbbbbbbbb ccccccccc ddddddddd eeeeeeeee fffffffff ggggggggg   hhhhhhhhh\r\n"
         " iiiiiiiii\r\n"},
        {"aaaaaaaaa bbbbbbbbb ccccccccc ddddddddd eeeeeeeee fffffffff ggggggggg\thhhhhhhhh iiiiiiiii",
         "Subject: aaaaaaaaa bbbbbbbbb ccccccccc ddddddddd eeeeeeeee fffffffff ggggggggg\thhhhhhhhh\r\n"
         " iiiiiiiii\r\n"},
    };
    static const unsigned flags[] = {0, MAILBUILD_F_SMTPUTF8};
    for (size_t f = 0; f < 2; f++) {
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            mailbuild_message *m = new_message(flags[f] | NO_GENERATED);
            assert_int_equal(mailbuild_set_subject(m, cases[i].subject), 0);
            mailparse_message *p = expect_field(m, "Subject", cases[i].field);
            assert_string_equal(mailparse_message_subject(p), cases[i].subject);
            mailparse_message_free(p);
            mailbuild_message_free(m);
        }
    }
}

/* A line that would pass 998 with only blank runs to fold at is written as encoded words
 * instead, which carry the blanks exactly and fold anywhere (the hard limit wins). */
static void line_past_998_with_only_runs_is_encoded(void **state)
{
    (void)state;
    char subject[1400];
    size_t n = 0;
    while (n + 12 < sizeof subject) { /* words separated by two spaces: no single-space gap */
        memcpy(subject + n, "abcdefghij  ", 12);
        n += 12;
    }
    subject[n - 2] = '\0';
    static const unsigned flags[] = {0, MAILBUILD_F_SMTPUTF8};
    for (size_t f = 0; f < 2; f++) {
        mailbuild_message *m = new_message(flags[f] | NO_GENERATED);
        assert_int_equal(mailbuild_set_subject(m, subject), 0);
        char *out = build_string(m, NULL);
        size_t line = 0, longest = 0;
        for (const char *c = out; *c; c++) {
            if (*c == '\n') {
                longest = line > longest ? line : longest;
                line = 0;
            } else if (*c != '\r') {
                line++;
            }
        }
        assert_true(longest <= 998);
        assert_non_null(strstr(out, "Subject: =?utf-8?"));
        mailparse_message *p = NULL;
        assert_int_equal(mailparse_parse((const unsigned char *)out, strlen(out), NULL, &p), 0);
        assert_string_equal(mailparse_message_subject(p), subject);
        mailparse_message_free(p);
        mailbuild_free(out);
        mailbuild_message_free(m);
    }
}

static void long_non_ascii_subject_keeps_every_line_within_78(void **state)
{
    (void)state;
    const char *s = "Grüße aus München und überall sonst auf der Welt, wo es schön ist, und noch mehr "
                    "Text hier";
    assert_string_equal(subject_roundtrip(0, s,
                                          "Subject: =?utf-8?B?R3LDvMOfZQ==?= aus =?utf-8?Q?M=C3=BCnchen?= und\r\n"
                                          " =?utf-8?Q?=C3=BCberall?= sonst auf der Welt, wo es "
                                          "=?utf-8?B?c2Now7Zu?= ist,\r\n"
                                          " und noch mehr Text hier\r\n"),
                        s);
}

/* A word longer than a line is carried by encoded words (each at most 75 characters, RFC 2047
 * §2), one per line. */
static void word_longer_than_a_line_is_split_into_encoded_words(void **state)
{
    (void)state;
    char word[201];
    memset(word, 'a', 200);
    word[200] = '\0';
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_set_subject(m, word), 0);
    char *out = build_string(m, NULL);
    assert_true(longest_header_line(out) <= 78);
    const char *f = field_text(out, "Subject");
    assert_true(strncmp(f, "Subject: =?utf-8?Q?", 19) == 0);
    for (const char *line = strstr(f, "\r\n") + 2; *line; line = strstr(line, "\r\n") + 2)
        assert_true(strncmp(line, " =?utf-8?Q?a", 12) == 0);
    mailparse_message *p = parse_built(out);
    assert_string_equal(mailparse_message_subject(p), word);
    mailparse_message_free(p);
    mailbuild_free(out);
    mailbuild_message_free(m);
}

/* RFC 5322 §2.1.1: never a line over 998, even for a word raw UTF-8 could not fold. */
static void subject_too_long_for_any_line_is_never_over_998(void **state)
{
    (void)state;
    static const unsigned flags[] = {0, MAILBUILD_F_SMTPUTF8};
    for (size_t f = 0; f < 2; f++) {
        char subject[2100] = "start ";
        size_t n = strlen(subject);
        for (int i = 0; i < 1000; i++, n += 2)
            memcpy(subject + n, "\xc3\xa4", 2); /* ä */
        subject[n] = '\0';
        mailbuild_message *m = new_message(flags[f] | NO_GENERATED);
        assert_int_equal(mailbuild_set_subject(m, subject), 0);
        char *out = build_string(m, NULL);
        assert_true(longest_header_line(out) <= 78);
        mailparse_message *p = parse_built(out);
        assert_string_equal(mailparse_message_subject(p), subject);
        mailparse_message_free(p);
        mailbuild_free(out);
        mailbuild_message_free(m);
    }
}

static void setting_the_subject_again_replaces_it_in_place(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_set_subject(m, "first"), 0);
    assert_int_equal(mailbuild_add_text_header(m, "X-After", "x"), 0);
    assert_int_equal(mailbuild_set_subject(m, "second"), 0);
    mailparse_message *p = expect_message(m, "Subject: second\r\n"
                                             "X-After: x\r\n" EMPTY_BODY_FIELDS);
    assert_string_equal(mailparse_message_subject(p), "second");
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

/* RFC 6532 §3.2: with SMTPUTF8 the text goes as raw UTF-8. */
static void smtputf8_subject_is_raw_utf8(void **state)
{
    (void)state;
    assert_string_equal(subject_roundtrip(MAILBUILD_F_SMTPUTF8, "Grüße aus München",
                                          "Subject: Grüße aus München\r\n"),
                        "Grüße aus München");
}

static void smtputf8_long_subject_is_folded_at_spaces(void **state)
{
    (void)state;
    const char *s = "Grüße aus München und überall sonst auf der Welt, wo es schön ist, und noch mehr "
                    "Text hier";
    assert_string_equal(subject_roundtrip(MAILBUILD_F_SMTPUTF8, s,
                                          "Subject: Grüße aus München und überall sonst auf der Welt, wo es "
                                          "schön\r\n"
                                          " ist, und noch mehr Text hier\r\n"),
                        s);
}

/* Raw UTF-8 must not hold an "=?" a reader would decode: such text is encoded instead. */
static void smtputf8_subject_with_a_lookalike_is_encoded(void **state)
{
    (void)state;
    assert_string_equal(subject_roundtrip(MAILBUILD_F_SMTPUTF8, "Grüße =?x?= München",
                                          "Subject: =?utf-8?B?R3LDvMOfZSA9P3g/PSBNw7xuY2hlbg==?=\r\n"),
                        "Grüße =?x?= München");
}

/* ---- Date -------------------------------------------------------------------------------- */

static void date_is_written_from_timestamp_and_offset(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(MAILBUILD_F_NO_MESSAGE_ID);
    assert_int_equal(mailbuild_set_date(m, FIXED_NOW, -330), 0);
    mailparse_message *p = expect_message(m, "Date: Tue, 14 Nov 2023 16:43:20 -0530\r\n" EMPTY_BODY_FIELDS);
    const mailparse_date *d = mailparse_message_date(p);
    assert_non_null(d);
    assert_int_equal(d->timestamp, FIXED_NOW);
    assert_int_equal(d->offset_minutes, -330);
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

static void date_offsets_at_the_limits_are_written(void **state)
{
    (void)state;
    static const struct {
        int offset;
        const char *field;
    } cases[] = {
        {1439, "Date: Wed, 15 Nov 2023 22:12:20 +2359\r\n"},
        {-1439, "Date: Mon, 13 Nov 2023 22:14:20 -2359\r\n"},
        {0, "Date: " FIXED_DATE "\r\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mailbuild_message *m = new_message(MAILBUILD_F_NO_MESSAGE_ID);
        assert_int_equal(mailbuild_set_date(m, FIXED_NOW, cases[i].offset), 0);
        mailparse_message *p = expect_field(m, "Date", cases[i].field);
        assert_int_equal(mailparse_message_date(p)->timestamp, FIXED_NOW);
        assert_int_equal(mailparse_message_date(p)->offset_minutes, cases[i].offset);
        mailparse_message_free(p);
        mailbuild_message_free(m);
    }
}

static void date_set_later_replaces_the_earlier_one(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(MAILBUILD_F_NO_MESSAGE_ID);
    assert_int_equal(mailbuild_set_date(m, 0, 0), 0);
    assert_int_equal(mailbuild_set_date(m, FIXED_NOW, 60), 0);
    mailparse_message *p = expect_message(m, "Date: Tue, 14 Nov 2023 23:13:20 +0100\r\n" EMPTY_BODY_FIELDS);
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

/* Without a Date of the caller's the clock gives one, in the zone utc_offset_minutes names. */
static void default_date_comes_from_the_clock_and_utc_offset(void **state)
{
    (void)state;
    int64_t now = INT64_C(31536000); /* 1971-01-01 00:00:00 UTC */
    unsigned counter = 0;
    mailbuild_options o;
    deterministic_options(&o, &counter, MAILBUILD_F_NO_MESSAGE_ID);
    o.clock_user = &now;
    o.utc_offset_minutes = 120;
    mailbuild_message *m = NULL;
    assert_int_equal(mailbuild_message_new(&o, &m), 0);
    mailparse_message *p = expect_message(m, "Date: Fri, 1 Jan 1971 02:00:00 +0200\r\n" EMPTY_BODY_FIELDS);
    assert_int_equal(mailparse_message_date(p)->timestamp, now);
    assert_int_equal(mailparse_message_date(p)->offset_minutes, 120);
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

/* ---- Message-ID -------------------------------------------------------------------------- */

/* The generated id is 32 hex digits from the random source, "@", then a domain. */
static void generated_message_id_uses_the_from_domain(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(MAILBUILD_F_NO_DATE);
    assert_int_equal(mailbuild_add_address(m, "From", "A", "a@mail.example.org"), 0);
    mailparse_message *p = expect_message(m, "From: A <a@mail.example.org>\r\n"
                                             "Message-ID: <000102030405060708090a0b0c0d0e0f@mail.example.org>\r\n"
                                             EMPTY_BODY_FIELDS);
    assert_string_equal(mailparse_message_id(p), "000102030405060708090a0b0c0d0e0f@mail.example.org");
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

static void message_id_domain_option_is_used_before_the_from_domain(void **state)
{
    (void)state;
    unsigned counter = 0;
    mailbuild_options o;
    deterministic_options(&o, &counter, MAILBUILD_F_NO_DATE);
    o.message_id_domain = "ids.example.net";
    mailbuild_message *m = NULL;
    assert_int_equal(mailbuild_message_new(&o, &m), 0);
    assert_int_equal(mailbuild_add_address(m, "From", NULL, "a@mail.example.org"), 0);
    mailparse_message *p = expect_field(m, "Message-ID",
                                        "Message-ID: <000102030405060708090a0b0c0d0e0f@ids.example.net>\r\n");
    assert_string_equal(mailparse_message_id(p), "000102030405060708090a0b0c0d0e0f@ids.example.net");
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

static void message_id_without_from_uses_localhost(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(MAILBUILD_F_NO_DATE);
    assert_int_equal(mailbuild_add_address(m, "To", NULL, "b@example.org"), 0);
    mailparse_message *p = expect_field(m, "Message-ID",
                                        "Message-ID: <000102030405060708090a0b0c0d0e0f@localhost>\r\n");
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

/* A domain is up to 253 octets; the option names the right side, whatever its length. */
static void long_message_id_domain_is_used_as_given(void **state)
{
    (void)state;
    char domain[128];
    memset(domain, 'd', 60);
    strcpy(domain + 60, ".example.com"); /* 72 octets */
    unsigned counter = 0;
    mailbuild_options o;
    deterministic_options(&o, &counter, MAILBUILD_F_NO_DATE);
    o.message_id_domain = domain;
    mailbuild_message *m = NULL;
    assert_int_equal(mailbuild_message_new(&o, &m), 0);
    char want[256];
    snprintf(want, sizeof want, "Message-ID: <000102030405060708090a0b0c0d0e0f@%s>\r\n", domain);
    mailparse_message *p = expect_field(m, "Message-ID", want);
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

static void message_id_is_set_with_or_without_brackets(void **state)
{
    (void)state;
    static const char *const ids[] = {"abc.def@example.com", "<abc.def@example.com>"};
    for (size_t i = 0; i < 2; i++) {
        mailbuild_message *m = new_message(MAILBUILD_F_NO_DATE);
        assert_int_equal(mailbuild_set_message_id(m, ids[i]), 0);
        mailparse_message *p = expect_message(m, "Message-ID: <abc.def@example.com>\r\n" EMPTY_BODY_FIELDS);
        assert_string_equal(mailparse_message_id(p), "abc.def@example.com");
        mailparse_message_free(p);
        mailbuild_message_free(m);
    }
}

static void message_id_with_a_domain_literal_is_kept(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(MAILBUILD_F_NO_DATE);
    assert_int_equal(mailbuild_set_message_id(m, "x.y@[192.0.2.1]"), 0);
    mailparse_message *p = expect_field(m, "Message-ID", "Message-ID: <x.y@[192.0.2.1]>\r\n");
    assert_string_equal(mailparse_message_id(p), "x.y@[192.0.2.1]");
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

static void message_id_set_again_replaces_the_first(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(MAILBUILD_F_NO_DATE);
    assert_int_equal(mailbuild_set_message_id(m, "one@example.com"), 0);
    assert_int_equal(mailbuild_set_message_id(m, "two@example.com"), 0);
    mailparse_message *p = expect_message(m, "Message-ID: <two@example.com>\r\n" EMPTY_BODY_FIELDS);
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

/* ---- msg-id lists, URLs, Keywords -------------------------------------------------------- */

static void references_are_folded_between_ids(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    for (int i = 0; i < 5; i++) {
        char id[64];
        snprintf(id, sizeof id, i % 2 ? "<message-%d.abcdefgh@mail.example.com>" : "message-%d.abcdefgh@mail.example.com", i);
        assert_int_equal(mailbuild_add_message_id(m, "References", id), 0);
    }
    assert_int_equal(mailbuild_add_message_id(m, "In-Reply-To", "message-4.abcdefgh@mail.example.com"), 0);
    mailparse_message *p = expect_message(m, "References: <message-0.abcdefgh@mail.example.com>\r\n"
                                             " <message-1.abcdefgh@mail.example.com> <message-2.abcdefgh@mail.example.com>\r\n"
                                             " <message-3.abcdefgh@mail.example.com> <message-4.abcdefgh@mail.example.com>\r\n"
                                             "In-Reply-To: <message-4.abcdefgh@mail.example.com>\r\n" EMPTY_BODY_FIELDS);
    const mailparse_header *h = parsed_field(p, "References");
    assert_int_equal(h->kind, MAILPARSE_VALUE_IDS);
    assert_int_equal(h->list->count, 5);
    assert_string_equal(h->list->items[0], "message-0.abcdefgh@mail.example.com");
    assert_string_equal(h->list->items[4], "message-4.abcdefgh@mail.example.com");
    h = parsed_field(p, "In-Reply-To");
    assert_int_equal(h->list->count, 1);
    assert_string_equal(h->list->items[0], "message-4.abcdefgh@mail.example.com");
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

/* RFC 2369 §2: each URL in angle brackets, a comma between them. */
static void list_urls_are_bracketed_and_comma_separated(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_add_url(m, "List-Unsubscribe", "mailto:leave@lists.example.com?subject=unsubscribe"), 0);
    assert_int_equal(mailbuild_add_url(m, "List-Unsubscribe", "https://lists.example.com/unsubscribe/abcdefghijklmnop"), 0);
    assert_int_equal(mailbuild_add_url(m, "List-Post", "mailto:list@lists.example.com"), 0);
    assert_int_equal(mailbuild_add_url(m, "List-Help", "https://lists.example.com/help"), 0);
    mailparse_message *p = expect_message(m, "List-Unsubscribe: <mailto:leave@lists.example.com?subject=unsubscribe>,\r\n"
                                             " <https://lists.example.com/unsubscribe/abcdefghijklmnop>\r\n"
                                             "List-Post: <mailto:list@lists.example.com>\r\n"
                                             "List-Help: <https://lists.example.com/help>\r\n" EMPTY_BODY_FIELDS);
    const mailparse_header *h = parsed_field(p, "List-Unsubscribe");
    assert_int_equal(h->kind, MAILPARSE_VALUE_URLS);
    assert_int_equal(h->list->count, 2);
    assert_string_equal(h->list->items[0], "mailto:leave@lists.example.com?subject=unsubscribe");
    assert_string_equal(h->list->items[1], "https://lists.example.com/unsubscribe/abcdefghijklmnop");
    assert_string_equal(parsed_field(p, "List-Post")->list->items[0], "mailto:list@lists.example.com");
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

/* RFC 5322 §3.6.5: Keywords is phrases separated by commas; each phrase as a display name
 * would be written. */
static void keywords_are_comma_separated_phrases(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_add_keyword(m, "alpha"), 0);
    assert_int_equal(mailbuild_add_keyword(m, "two words"), 0);
    assert_int_equal(mailbuild_add_keyword(m, "Grüße"), 0);
    assert_int_equal(mailbuild_add_keyword(m, "a,b"), 0);
    assert_int_equal(mailbuild_add_keyword(m, "two  spaces"), 0);
    mailparse_message *p = expect_message(m, "Keywords: alpha, two words, =?utf-8?B?R3LDvMOfZQ==?= , \"a,b\", "
                                             "\"two  spaces\"\r\n" EMPTY_BODY_FIELDS);
    const mailparse_header *h = parsed_field(p, "Keywords");
    assert_int_equal(h->kind, MAILPARSE_VALUE_TEXT_LIST);
    assert_int_equal(h->list->count, 5);
    assert_string_equal(h->list->items[0], "alpha");
    assert_string_equal(h->list->items[1], "two words");
    assert_string_equal(h->list->items[2], "Grüße");
    assert_string_equal(h->list->items[3], "a,b");
    assert_string_equal(h->list->items[4], "two  spaces");
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

/* The comma after an item belongs to its line: a list folds so that the comma, too, stays
 * within 78 columns (RFC 5322 §2.1.1). */
static void keyword_comma_never_pushes_a_line_past_78(void **state)
{
    (void)state;
    static const char *const kw[] = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta",
                                     "eta", "theta", "iota", "kappa123", "mu"};
    mailbuild_message *m = new_message(NO_GENERATED);
    for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
        assert_int_equal(mailbuild_add_keyword(m, kw[i]), 0);
    mailparse_message *p = expect_field(m, "Keywords",
                                        "Keywords: alpha, beta, gamma, delta, epsilon, zeta, eta, theta, iota,\r\n"
                                        " kappa123, mu\r\n");
    assert_int_equal(parsed_field(p, "Keywords")->list->count, 11);
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

static void smtputf8_keywords_are_raw_utf8(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(MAILBUILD_F_SMTPUTF8 | NO_GENERATED);
    assert_int_equal(mailbuild_add_keyword(m, "Grüße"), 0);
    assert_int_equal(mailbuild_add_keyword(m, "Grüße, Welt"), 0);
    mailparse_message *p = expect_field(m, "Keywords", "Keywords: Grüße, \"Grüße, Welt\"\r\n");
    const mailparse_header *h = parsed_field(p, "Keywords");
    assert_int_equal(h->list->count, 2);
    assert_string_equal(h->list->items[0], "Grüße");
    assert_string_equal(h->list->items[1], "Grüße, Welt");
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

/* ---- text and raw fields ----------------------------------------------------------------- */

static void text_headers_are_encoded_where_needed(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_add_text_header(m, "Comments", "A comment with ümlaut"), 0);
    assert_int_equal(mailbuild_add_text_header(m, "X-Mailer", "libmailbuild test"), 0);
    assert_int_equal(mailbuild_add_text_header(m, "X-Note", "see =?utf-8?q?x?="), 0);
    mailparse_message *p = expect_message(m, "Comments: A comment with =?utf-8?Q?=C3=BCmlaut?=\r\n"
                                             "X-Mailer: libmailbuild test\r\n"
                                             "X-Note: see =?utf-8?B?PT91dGYtOD9xP3g/PQ==?=\r\n" EMPTY_BODY_FIELDS);
    assert_string_equal(parsed_field(p, "Comments")->text, "A comment with ümlaut");
    assert_string_equal(parsed_field(p, "X-Mailer")->text, "libmailbuild test");
    assert_string_equal(parsed_field(p, "X-Note")->text, "see =?utf-8?q?x?=");
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

static void text_header_fields_of_one_name_are_all_kept(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_add_text_header(m, "X-Tag", "one"), 0);
    assert_int_equal(mailbuild_add_text_header(m, "X-Tag", "two"), 0);
    mailparse_message *p = expect_message(m, "X-Tag: one\r\nX-Tag: two\r\n" EMPTY_BODY_FIELDS);
    assert_string_equal(mailparse_part_header(p, 0, "X-Tag", 1)->text, "two");
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

static void long_text_header_is_folded_like_the_subject(void **state)
{
    (void)state;
    const char *v = "Re: [list] Meeting notes for the quarterly review of the things that matter most "
                    "to us all";
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_add_text_header(m, "Comments", v), 0);
    mailparse_message *p = expect_field(m, "Comments",
                                        "Comments: Re: [list] Meeting notes for the quarterly review of the "
                                        "things that\r\n"
                                        " matter most to us all\r\n");
    assert_string_equal(parsed_field(p, "Comments")->text, v);
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

/* After a 76-character name no word fits on the first line. Cutting an ASCII word into encoded
 * words does not help (the first line is longer still) and encodes what needs no encoding:
 * the word stays as it is, or goes on a continuation line (FWS after the colon). */
static void text_after_the_longest_name_is_not_cut_into_encoded_words(void **state)
{
    (void)state;
    char name[80];
    memset(name, 'N', 76);
    name[76] = '\0';
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_add_text_header(m, name, "kept"), 0);
    char *out = build_string(m, NULL);
    const char *f = field_text(out, name);
    assert_non_null(f);
    if (contains(f, "=?"))
        fail_msg("encoded: %s", f);
    assert_true(longest_header_line(out) <= 76 + 2 + 4);
    mailparse_message *p = parse_built(out);
    assert_string_equal(parsed_field(p, name)->text, "kept");
    mailparse_message_free(p);
    mailbuild_free(out);
    mailbuild_message_free(m);
}

static void smtputf8_text_header_is_raw_utf8(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(MAILBUILD_F_SMTPUTF8 | NO_GENERATED);
    assert_int_equal(mailbuild_add_text_header(m, "Comments", "Grüße aus München"), 0);
    /* a control character cannot go raw (RFC 6532 §3.2 keeps the controls out) */
    assert_int_equal(mailbuild_add_text_header(m, "X-Note", "bell \x07 here"), 0);
    mailparse_message *p = expect_message(m, "Comments: Grüße aus München\r\n"
                                             "X-Note: bell =?utf-8?Q?=07?= here\r\n" EMPTY_BODY_FIELDS);
    assert_string_equal(parsed_field(p, "Comments")->text, "Grüße aus München");
    assert_string_equal(parsed_field(p, "X-Note")->text, "bell \x07 here");
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

static void raw_header_is_kept_as_given(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_add_raw_header(m, "X-Raw", "value (with comment) =?not-decoded?="), 0);
    assert_int_equal(mailbuild_add_raw_header(m, "Received", "from a.example by b.example; Tue, 14 Nov 2023 22:13:20 +0000"), 0);
    mailparse_message *p = expect_message(m, "X-Raw: value (with comment) =?not-decoded?=\r\n"
                                             "Received: from a.example by b.example; Tue, 14 Nov 2023 22:13:20 +0000\r\n"
                                             EMPTY_BODY_FIELDS);
    const mailparse_header *h = parsed_field(p, "X-Raw");
    assert_int_equal(h->raw_value_len, strlen(" value (with comment) =?not-decoded?="));
    assert_int_equal(memcmp(h->raw_value, " value (with comment) =?not-decoded?=", h->raw_value_len), 0);
    const mailparse_received *r = parsed_field(p, "Received")->received;
    assert_non_null(r);
    assert_string_equal(r->from, "a.example");
    assert_string_equal(r->by, "b.example");
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

/* RFC 5322 §2.2.3: a value folded by the caller (CRLF then WSP) is written as it is. */
static void raw_header_with_the_callers_folds_is_kept(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_add_raw_header(m, "X-Folded", "first\r\n\tsecond\r\n third"), 0);
    mailparse_message *p = expect_message(m, "X-Folded: first\r\n\tsecond\r\n third\r\n" EMPTY_BODY_FIELDS);
    assert_string_equal(rfc_unfolded(parsed_field(p, "X-Folded")), "first\tsecond third");
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

static void long_raw_header_is_folded_at_spaces(void **state)
{
    (void)state;
    const char *v = "aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp "
                    "qqqq rrrr ssss";
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_add_raw_header(m, "X-Long", v), 0);
    mailparse_message *p = expect_field(m, "X-Long",
                                        "X-Long: aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll "
                                        "mmmm nnnn\r\n"
                                        " oooo pppp qqqq rrrr ssss\r\n");
    assert_string_equal(parsed_field(p, "X-Long")->text, v);
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

/* RFC 5322 §2.1.1: a line of 998 octets (without CRLF) is allowed, and one word cannot fold. */
static void raw_header_line_of_exactly_998_is_written(void **state)
{
    (void)state;
    char v[1000];
    memset(v, 'v', 990); /* "X-Long: " is 8 octets */
    v[990] = '\0';
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_add_raw_header(m, "X-Long", v), 0);
    char *out = build_string(m, NULL);
    assert_int_equal(longest_header_line(out), 998);
    mailparse_message *p = parse_built(out);
    assert_string_equal(parsed_field(p, "X-Long")->text, v);
    mailparse_message_free(p);
    mailbuild_free(out);
    mailbuild_message_free(m);
}

static void raw_continuation_line_of_exactly_998_is_written(void **state)
{
    (void)state;
    char v[1100] = "first\r\n ";
    memset(v + 8, 'w', 997); /* the continuation line: SP + 997 = 998 octets */
    v[8 + 997] = '\0';
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_add_raw_header(m, "X-Long", v), 0);
    char *out = build_string(m, NULL);
    assert_int_equal(longest_header_line(out), 998);
    mailbuild_free(out);
    mailbuild_message_free(m);
}

/* ---- removal, order, flags --------------------------------------------------------------- */

static void remove_header_removes_every_field_of_the_name(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_add_text_header(m, "X-Tag", "one"), 0);
    assert_int_equal(mailbuild_set_subject(m, "kept"), 0);
    assert_int_equal(mailbuild_add_raw_header(m, "x-tag", "two"), 0);
    assert_int_equal(mailbuild_remove_header(m, "X-TAG"), 2);
    assert_int_equal(mailbuild_remove_header(m, "X-Tag"), 0);
    assert_int_equal(mailbuild_add_text_header(m, "X-Last", "last"), 0);
    mailparse_message *p = expect_message(m, "Subject: kept\r\nX-Last: last\r\n" EMPTY_BODY_FIELDS);
    assert_null(mailparse_part_header(p, 0, "X-Tag", 0));
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

static void removing_the_callers_date_and_id_brings_back_the_generated_ones(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(0);
    assert_int_equal(mailbuild_set_date(m, 0, 0), 0);
    assert_int_equal(mailbuild_set_message_id(m, "mine@example.com"), 0);
    assert_int_equal(mailbuild_remove_header(m, "date"), 1);
    assert_int_equal(mailbuild_remove_header(m, "message-id"), 1);
    mailparse_message *p = expect_message(m, "Date: " FIXED_DATE "\r\n"
                                             "Message-ID: <000102030405060708090a0b0c0d0e0f@localhost>\r\n"
                                             EMPTY_BODY_FIELDS);
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

/* The caller's fields in the order first added; then Date, Message-ID, MIME-Version; then the
 * body's Content-* fields. */
static void fields_are_written_in_insertion_order_then_the_generated_ones(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(0);
    assert_int_equal(mailbuild_set_subject(m, "Order"), 0);
    assert_int_equal(mailbuild_add_address(m, "From", "Alice", "alice@example.com"), 0);
    assert_int_equal(mailbuild_add_text_header(m, "X-First", "1"), 0);
    assert_int_equal(mailbuild_add_address(m, "To", NULL, "bob@example.org"), 0);
    assert_int_equal(mailbuild_add_address(m, "From", NULL, "carol@example.com"), 0);
    assert_int_equal(mailbuild_set_text(m, "Hi.\n", 4, NULL), 0);
    mailparse_message *p = expect_message(m, "Subject: Order\r\n"
                                             "From: Alice <alice@example.com>, carol@example.com\r\n"
                                             "X-First: 1\r\n"
                                             "To: bob@example.org\r\n"
                                             "Date: " FIXED_DATE "\r\n"
                                             "Message-ID: <000102030405060708090a0b0c0d0e0f@example.com>\r\n"
                                             "MIME-Version: 1.0\r\n"
                                             "Content-Type: text/plain; charset=us-ascii\r\n"
                                             "Content-Transfer-Encoding: 7bit\r\n"
                                             "\r\n"
                                             "Hi.\r\n");
    const mailparse_address_list *from = mailparse_message_addresses(p, "From");
    assert_int_equal(from->count, 2);
    assert_string_equal(from->items[1].address, "carol@example.com");
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

/* A Date or Message-ID the caller set stays where it was set. */
static void callers_date_and_id_stay_in_insertion_order(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(0);
    assert_int_equal(mailbuild_set_message_id(m, "id@example.com"), 0);
    assert_int_equal(mailbuild_set_subject(m, "s"), 0);
    assert_int_equal(mailbuild_set_date(m, FIXED_NOW, 0), 0);
    assert_int_equal(mailbuild_add_text_header(m, "X-Last", "z"), 0);
    mailparse_message *p = expect_message(m, "Message-ID: <id@example.com>\r\n"
                                             "Subject: s\r\n"
                                             "Date: " FIXED_DATE "\r\n"
                                             "X-Last: z\r\n" EMPTY_BODY_FIELDS);
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

static void field_names_compare_case_insensitively_and_keep_the_first_spelling(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_add_address(m, "to", "Ann", "ann@example.com"), 0);
    assert_int_equal(mailbuild_add_address(m, "TO", "Bob", "bob@example.com"), 0);
    assert_int_equal(mailbuild_add_message_id(m, "references", "a@example.com"), 0);
    assert_int_equal(mailbuild_add_message_id(m, "REFERENCES", "b@example.com"), 0);
    mailparse_message *p = expect_message(m, "to: Ann <ann@example.com>, Bob <bob@example.com>\r\n"
                                             "references: <a@example.com> <b@example.com>\r\n" EMPTY_BODY_FIELDS);
    assert_int_equal(mailparse_message_addresses(p, "To")->count, 2);
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

static void no_date_and_no_message_id_flags_leave_them_out(void **state)
{
    (void)state;
    static const struct {
        unsigned flags;
        const char *want;
    } cases[] = {
        {0, "Date: " FIXED_DATE "\r\nMessage-ID: <000102030405060708090a0b0c0d0e0f@localhost>\r\n" EMPTY_BODY_FIELDS},
        {MAILBUILD_F_NO_DATE, "Message-ID: <000102030405060708090a0b0c0d0e0f@localhost>\r\n" EMPTY_BODY_FIELDS},
        {MAILBUILD_F_NO_MESSAGE_ID, "Date: " FIXED_DATE "\r\n" EMPTY_BODY_FIELDS},
        {NO_GENERATED, EMPTY_BODY_FIELDS},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mailbuild_message *m = new_message(cases[i].flags);
        mailparse_message *p = expect_message(m, cases[i].want);
        mailparse_message_free(p);
        mailbuild_message_free(m);
    }
}

/* The flags only stop the generated values: a Date or Message-ID the caller set is written. */
static void flags_keep_a_date_and_id_the_caller_set(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_set_date(m, FIXED_NOW, 0), 0);
    assert_int_equal(mailbuild_set_message_id(m, "<set@example.com>"), 0);
    mailparse_message *p = expect_message(m, "Date: " FIXED_DATE "\r\n"
                                             "Message-ID: <set@example.com>\r\n" EMPTY_BODY_FIELDS);
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ascii_subject_is_written_as_it_is),
        cmocka_unit_test(non_ascii_words_become_encoded_words),
        cmocka_unit_test(internal_runs_of_spaces_and_tabs_are_kept),
        cmocka_unit_test(leading_and_trailing_whitespace_is_trimmed),
        cmocka_unit_test(encoded_word_lookalikes_are_encoded),
        cmocka_unit_test(long_subject_is_folded_before_the_word_that_passes_78),
        cmocka_unit_test(line_of_exactly_78_is_not_folded),
        cmocka_unit_test(run_of_spaces_or_a_tab_stays_on_its_line),
        cmocka_unit_test(line_past_998_with_only_runs_is_encoded),
        cmocka_unit_test(long_non_ascii_subject_keeps_every_line_within_78),
        cmocka_unit_test(word_longer_than_a_line_is_split_into_encoded_words),
        cmocka_unit_test(subject_too_long_for_any_line_is_never_over_998),
        cmocka_unit_test(setting_the_subject_again_replaces_it_in_place),
        cmocka_unit_test(smtputf8_subject_is_raw_utf8),
        cmocka_unit_test(smtputf8_long_subject_is_folded_at_spaces),
        cmocka_unit_test(smtputf8_subject_with_a_lookalike_is_encoded),
        cmocka_unit_test(date_is_written_from_timestamp_and_offset),
        cmocka_unit_test(date_offsets_at_the_limits_are_written),
        cmocka_unit_test(date_set_later_replaces_the_earlier_one),
        cmocka_unit_test(default_date_comes_from_the_clock_and_utc_offset),
        cmocka_unit_test(generated_message_id_uses_the_from_domain),
        cmocka_unit_test(message_id_domain_option_is_used_before_the_from_domain),
        cmocka_unit_test(message_id_without_from_uses_localhost),
        cmocka_unit_test(long_message_id_domain_is_used_as_given),
        cmocka_unit_test(message_id_is_set_with_or_without_brackets),
        cmocka_unit_test(message_id_with_a_domain_literal_is_kept),
        cmocka_unit_test(message_id_set_again_replaces_the_first),
        cmocka_unit_test(references_are_folded_between_ids),
        cmocka_unit_test(list_urls_are_bracketed_and_comma_separated),
        cmocka_unit_test(keywords_are_comma_separated_phrases),
        cmocka_unit_test(keyword_comma_never_pushes_a_line_past_78),
        cmocka_unit_test(smtputf8_keywords_are_raw_utf8),
        cmocka_unit_test(text_headers_are_encoded_where_needed),
        cmocka_unit_test(text_header_fields_of_one_name_are_all_kept),
        cmocka_unit_test(long_text_header_is_folded_like_the_subject),
        cmocka_unit_test(text_after_the_longest_name_is_not_cut_into_encoded_words),
        cmocka_unit_test(smtputf8_text_header_is_raw_utf8),
        cmocka_unit_test(raw_header_is_kept_as_given),
        cmocka_unit_test(raw_header_with_the_callers_folds_is_kept),
        cmocka_unit_test(long_raw_header_is_folded_at_spaces),
        cmocka_unit_test(raw_header_line_of_exactly_998_is_written),
        cmocka_unit_test(raw_continuation_line_of_exactly_998_is_written),
        cmocka_unit_test(remove_header_removes_every_field_of_the_name),
        cmocka_unit_test(removing_the_callers_date_and_id_brings_back_the_generated_ones),
        cmocka_unit_test(fields_are_written_in_insertion_order_then_the_generated_ones),
        cmocka_unit_test(callers_date_and_id_stay_in_insertion_order),
        cmocka_unit_test(field_names_compare_case_insensitively_and_keep_the_first_spelling),
        cmocka_unit_test(no_date_and_no_message_id_flags_leave_them_out),
        cmocka_unit_test(flags_keep_a_date_and_id_the_caller_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
