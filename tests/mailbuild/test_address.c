/* test_address.c — address fields as written (RFC 5322 §3.4, RFC 2047 §5 (3), RFC 6532 §3.2):
 * display names as atoms, quoted strings or encoded words; local parts quoted when they are not
 * dot-atoms; groups; lists folded between addresses; non-ASCII addresses; the 254-octet limit. */
#include "build_util.h"

#define NO_GENERATED (MAILBUILD_F_NO_DATE | MAILBUILD_F_NO_MESSAGE_ID)

/* A message with one "To" mailbox, checked byte for byte in its To field; the mailbox parsed
 * back must be `name` (NULL: none) and `back_address`. */
static void one_mailbox(unsigned flags, const char *name, const char *address, const char *want_field,
                        const char *back_address)
{
    mailbuild_message *m = new_message(flags | NO_GENERATED);
    assert_int_equal(mailbuild_add_address(m, "To", name, address), 0);
    mailparse_message *p = expect_field(m, "To", want_field);
    const mailparse_address_list *l = mailparse_message_addresses(p, "To");
    assert_non_null(l);
    assert_int_equal(l->count, 1);
    if (name && *name) {
        assert_non_null(l->items[0].name);
        assert_string_equal(l->items[0].name, name);
    } else {
        assert_null(l->items[0].name);
    }
    assert_non_null(l->items[0].address);
    assert_string_equal(l->items[0].address, back_address);
    assert_int_equal(l->items[0].group, -1);
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

/* ---- display names ----------------------------------------------------------------------- */

/* RFC 5322 §3.2.5: a phrase of atoms needs no quoting. */
static void name_of_atoms_is_written_plain(void **state)
{
    (void)state;
    one_mailbox(0, "Alice", "a@example.com", "To: Alice <a@example.com>\r\n", "a@example.com");
    one_mailbox(0, "Alice Smith", "a@example.com", "To: Alice Smith <a@example.com>\r\n", "a@example.com");
    one_mailbox(0, "O'Brien", "a@example.com", "To: O'Brien <a@example.com>\r\n", "a@example.com");
}

static void missing_or_empty_name_gives_a_bare_addr_spec(void **state)
{
    (void)state;
    one_mailbox(0, NULL, "a@example.com", "To: a@example.com\r\n", "a@example.com");
    one_mailbox(0, "", "a@example.com", "To: a@example.com\r\n", "a@example.com");
}

/* RFC 5322 §3.2.3 specials ("," "." "@" ...) cannot be in an atom: the name is quoted. */
static void name_with_specials_is_quoted(void **state)
{
    (void)state;
    one_mailbox(0, "Smith, Alice", "a@example.com", "To: \"Smith, Alice\" <a@example.com>\r\n", "a@example.com");
    one_mailbox(0, "J. Smith", "a@example.com", "To: \"J. Smith\" <a@example.com>\r\n", "a@example.com");
    one_mailbox(0, "a@b <c>", "a@example.com", "To: \"a@b <c>\" <a@example.com>\r\n", "a@example.com");
}

/* RFC 5322 §3.2.4: '"' and '\' inside a quoted string are quoted-pairs. */
static void quotes_and_backslashes_in_a_name_are_escaped(void **state)
{
    (void)state;
    one_mailbox(0, "Alice \"Al\" Smith", "a@example.com", "To: \"Alice \\\"Al\\\" Smith\" <a@example.com>\r\n",
                "a@example.com");
    one_mailbox(0, "back\\slash", "a@example.com", "To: \"back\\\\slash\" <a@example.com>\r\n", "a@example.com");
}

/* Whitespace an atom phrase would lose (leading, trailing, runs, tabs) is kept in quotes. */
static void spacing_of_a_name_is_kept_by_quoting(void **state)
{
    (void)state;
    one_mailbox(0, " lead", "a@example.com", "To: \" lead\" <a@example.com>\r\n", "a@example.com");
    one_mailbox(0, "trail ", "a@example.com", "To: \"trail \" <a@example.com>\r\n", "a@example.com");
    one_mailbox(0, "a  b", "a@example.com", "To: \"a  b\" <a@example.com>\r\n", "a@example.com");
    one_mailbox(0, "tab\there", "a@example.com", "To: \"tab\there\" <a@example.com>\r\n", "a@example.com");
}

/* RFC 2047 §5 (3): a non-ASCII name becomes encoded words fit for a phrase. */
static void non_ascii_name_becomes_encoded_words(void **state)
{
    (void)state;
    one_mailbox(0, "Jörg Müller", "joerg@example.com", "To: =?utf-8?B?SsO2cmcgTcO8bGxlcg==?= <joerg@example.com>\r\n",
                "joerg@example.com");
    one_mailbox(0, "Müller, Jörg", "joerg@example.com",
                "To: =?utf-8?B?TcO8bGxlciwgSsO2cmc=?= <joerg@example.com>\r\n", "joerg@example.com");
}

/* A name that looks like an encoded word would be decoded by readers: it is encoded. */
static void encoded_word_lookalike_name_is_encoded(void **state)
{
    (void)state;
    one_mailbox(0, "=?utf-8?q?x?=", "a@example.com", "To: =?utf-8?B?PT91dGYtOD9xP3g/PQ==?= <a@example.com>\r\n",
                "a@example.com");
}

/* RFC 6532 §3.2: with SMTPUTF8, UTF-8 goes raw: plain as atoms, quoted when specials need it. */
static void smtputf8_name_is_raw_utf8(void **state)
{
    (void)state;
    one_mailbox(MAILBUILD_F_SMTPUTF8, "Jörg Müller", "joerg@example.com", "To: Jörg Müller <joerg@example.com>\r\n",
                "joerg@example.com");
    one_mailbox(MAILBUILD_F_SMTPUTF8, "Müller, Jörg", "joerg@example.com",
                "To: \"Müller, Jörg\" <joerg@example.com>\r\n", "joerg@example.com");
    one_mailbox(MAILBUILD_F_SMTPUTF8, " Jörg", "joerg@example.com", "To: \" Jörg\" <joerg@example.com>\r\n",
                "joerg@example.com");
}

static void smtputf8_name_with_a_lookalike_is_encoded(void **state)
{
    (void)state;
    one_mailbox(MAILBUILD_F_SMTPUTF8, "Jörg =?x?=", "joerg@example.com",
                "To: =?utf-8?B?SsO2cmcgPT94Pz0=?= <joerg@example.com>\r\n", "joerg@example.com");
}

/* ---- addr-specs -------------------------------------------------------------------------- */

/* RFC 5322 §3.4.1: a local part that is not a dot-atom is a quoted string. */
static void local_part_that_is_not_a_dot_atom_is_quoted(void **state)
{
    (void)state;
    one_mailbox(0, NULL, "john doe@example.com", "To: \"john doe\"@example.com\r\n", "\"john doe\"@example.com");
    one_mailbox(0, NULL, "a..b@example.com", "To: \"a..b\"@example.com\r\n", "\"a..b\"@example.com");
    one_mailbox(0, NULL, ".lead@example.com", "To: \".lead\"@example.com\r\n", "\".lead\"@example.com");
    one_mailbox(0, NULL, "trail.@example.com", "To: \"trail.\"@example.com\r\n", "\"trail.\"@example.com");
    one_mailbox(0, "Q", "quo\"te@example.com", "To: Q <\"quo\\\"te\"@example.com>\r\n", "\"quo\\\"te\"@example.com");
    one_mailbox(0, NULL, "x@y@example.com", "To: \"x@y\"@example.com\r\n", "\"x@y\"@example.com");
}

static void dot_atom_local_part_is_not_quoted(void **state)
{
    (void)state;
    one_mailbox(0, NULL, "first.last+tag@example.com", "To: first.last+tag@example.com\r\n",
                "first.last+tag@example.com");
    one_mailbox(0, NULL, "!#$%&'*+-/=?^_`{|}~@example.com", "To: !#$%&'*+-/=?^_`{|}~@example.com\r\n",
                "!#$%&'*+-/=?^_`{|}~@example.com");
}

/* RFC 5322 §3.4.1 domain-literal. */
static void domain_literal_is_kept(void **state)
{
    (void)state;
    one_mailbox(0, NULL, "x@[192.0.2.1]", "To: x@[192.0.2.1]\r\n", "x@[192.0.2.1]");
    one_mailbox(0, "V6", "x@[IPv6:2001:db8::1]", "To: V6 <x@[IPv6:2001:db8::1]>\r\n", "x@[IPv6:2001:db8::1]");
    /* dtext holds ':' too, so the bare addr-spec is a mailbox as it is */
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_add_address(m, "To", NULL, "x@[IPv6:2001:db8::1]"), 0);
    mailparse_message *p = expect_field(m, "To", "To: x@[IPv6:2001:db8::1]\r\n");
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

static void non_ascii_address_without_smtputf8_is_unsupported(void **state)
{
    (void)state;
    static const char *const addrs[] = {"jörg@example.com", "user@bücher.example"};
    for (size_t i = 0; i < 2; i++) {
        mailbuild_message *m = new_message(NO_GENERATED);
        assert_int_equal(mailbuild_add_address(m, "To", NULL, addrs[i]), MAILBUILD_E_UNSUPPORTED);
        assert_int_equal(mailbuild_add_address(m, "To", "Name", addrs[i]), MAILBUILD_E_UNSUPPORTED);
        assert_output_lacks(m, "To:");
        assert_output_lacks(m, "xample");
        mailbuild_message_free(m);
    }
}

/* RFC 6532 §3.2: with SMTPUTF8 the address is written as UTF-8. */
static void non_ascii_address_with_smtputf8_is_written_raw(void **state)
{
    (void)state;
    one_mailbox(MAILBUILD_F_SMTPUTF8, NULL, "jörg@bücher.example", "To: jörg@bücher.example\r\n",
                "jörg@bücher.example");
    one_mailbox(MAILBUILD_F_SMTPUTF8, "Jörg", "用户@例え.テスト", "To: Jörg <用户@例え.テスト>\r\n",
                "用户@例え.テスト");
}

/* An address of 254 octets: 64 + "@" + 189 (labels of 63, 63 and 61). */
static void fill_address(char *a, size_t last_label)
{
    memset(a, 'l', 64);
    a[64] = '@';
    char *d = a + 65;
    memset(d, 'a', 63);
    d[63] = '.';
    memset(d + 64, 'b', 63);
    d[127] = '.';
    memset(d + 128, 'c', last_label);
    d[128 + last_label] = '\0';
}

/* RFC 5321 §4.5.3.1.3: a path is at most 256 octets with its brackets, so 254 for the address. */
static void address_of_254_octets_is_accepted_and_255_refused(void **state)
{
    (void)state;
    char a[300];
    fill_address(a, 61);
    assert_int_equal(strlen(a), 254);
    char want[320];
    snprintf(want, sizeof want, "To: %s\r\n", a);
    one_mailbox(0, NULL, a, want, a);

    fill_address(a, 62);
    assert_int_equal(strlen(a), 255);
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_add_address(m, "To", NULL, a), MAILBUILD_E_ADDRESS);
    assert_output_lacks(m, "lllll");
    mailbuild_message_free(m);
}

/* ---- groups ------------------------------------------------------------------------------ */

/* RFC 5322 §3.4: display-name ":" [group-list] ";". */
static void empty_group_is_name_colon_semicolon(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_group_open(m, "To", "Undisclosed recipients"), 0);
    assert_int_equal(mailbuild_group_close(m, "To"), 0);
    mailparse_message *p = expect_message(m, "To: Undisclosed recipients:;\r\n" EMPTY_BODY_FIELDS);
    const mailparse_address_list *l = mailparse_message_addresses(p, "To");
    assert_int_equal(l->count, 0);
    assert_int_equal(l->group_count, 1);
    assert_string_equal(l->group_names[0], "Undisclosed recipients");
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

static void group_members_and_mailboxes_around_it_keep_their_order(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_add_address(m, "To", "Pre", "pre@example.com"), 0);
    assert_int_equal(mailbuild_group_open(m, "To", "Team"), 0);
    assert_int_equal(mailbuild_add_address(m, "To", "Ann", "ann@example.com"), 0);
    assert_int_equal(mailbuild_add_address(m, "To", NULL, "bob@example.com"), 0);
    assert_int_equal(mailbuild_group_close(m, "To"), 0);
    assert_int_equal(mailbuild_add_address(m, "To", NULL, "post@example.com"), 0);
    mailparse_message *p = expect_field(m, "To", "To: Pre <pre@example.com>, Team: Ann <ann@example.com>, "
                                                 "bob@example.com;,\r\n"
                                                 " post@example.com\r\n");
    const mailparse_address_list *l = mailparse_message_addresses(p, "To");
    assert_int_equal(l->count, 4);
    assert_int_equal(l->group_count, 1);
    assert_string_equal(l->group_names[0], "Team");
    assert_int_equal(l->items[0].group, -1);
    assert_string_equal(l->items[1].name, "Ann");
    assert_int_equal(l->items[1].group, 0);
    assert_string_equal(l->items[2].address, "bob@example.com");
    assert_int_equal(l->items[2].group, 0);
    assert_string_equal(l->items[3].address, "post@example.com");
    assert_int_equal(l->items[3].group, -1);
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

static void group_still_open_at_write_is_closed(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_group_open(m, "Cc", "Open"), 0);
    assert_int_equal(mailbuild_add_address(m, "Cc", NULL, "x@example.com"), 0);
    mailparse_message *p = expect_field(m, "Cc", "Cc: Open: x@example.com;\r\n");
    const mailparse_address_list *l = mailparse_message_addresses(p, "Cc");
    assert_int_equal(l->count, 1);
    assert_int_equal(l->items[0].group, 0);
    assert_string_equal(l->group_names[0], "Open");
    mailparse_message_free(p);
    /* written twice, the same bytes: the group is closed in the output, not in the message */
    assert_int_equal(mailbuild_add_address(m, "Cc", NULL, "y@example.com"), 0);
    p = expect_field(m, "Cc", "Cc: Open: x@example.com, y@example.com;\r\n");
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

/* RFC 5322 §3.4: groups do not nest. */
static void group_inside_a_group_is_refused(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_group_open(m, "To", "Outer"), 0);
    assert_int_equal(mailbuild_group_open(m, "To", "Inner"), MAILBUILD_E_STATE);
    assert_int_equal(mailbuild_group_close(m, "To"), 0);
    assert_output_lacks(m, "Inner");
    mailbuild_message_free(m);
}

static void group_names_are_encoded_like_display_names(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_group_open(m, "Cc", "Smith, Friends"), 0);
    assert_int_equal(mailbuild_group_close(m, "Cc"), 0);
    assert_int_equal(mailbuild_group_open(m, "Cc", "Grüße"), 0);
    assert_int_equal(mailbuild_add_address(m, "Cc", NULL, "x@example.com"), 0);
    assert_int_equal(mailbuild_group_close(m, "Cc"), 0);
    mailparse_message *p = expect_field(m, "Cc", "Cc: \"Smith, Friends\":;, =?utf-8?B?R3LDvMOfZQ==?= : x@example.com;\r\n");
    const mailparse_address_list *l = mailparse_message_addresses(p, "Cc");
    assert_int_equal(l->group_count, 2);
    assert_string_equal(l->group_names[0], "Smith, Friends");
    assert_string_equal(l->group_names[1], "Grüße");
    assert_int_equal(l->count, 1);
    assert_int_equal(l->items[0].group, 1);
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

static void smtputf8_group_name_is_raw_utf8(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(MAILBUILD_F_SMTPUTF8 | NO_GENERATED);
    assert_int_equal(mailbuild_group_open(m, "To", "Grüße"), 0);
    assert_int_equal(mailbuild_group_close(m, "To"), 0);
    mailparse_message *p = expect_field(m, "To", "To: Grüße:;\r\n");
    assert_string_equal(mailparse_message_addresses(p, "To")->group_names[0], "Grüße");
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

/* ---- folding ----------------------------------------------------------------------------- */

/* RFC 5322 §2.2.3: an address list folds between addresses, after the comma. */
static void long_list_is_folded_between_addresses(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    for (int i = 0; i < 8; i++) {
        char a[64], n[32];
        snprintf(a, sizeof a, "user%d@example.com", i);
        snprintf(n, sizeof n, "User Number %d", i);
        assert_int_equal(mailbuild_add_address(m, "To", n, a), 0);
    }
    mailparse_message *p = expect_field(m, "To", "To: User Number 0 <user0@example.com>, User Number 1 <user1@example.com>,\r\n"
                                                 " User Number 2 <user2@example.com>, User Number 3 <user3@example.com>,\r\n"
                                                 " User Number 4 <user4@example.com>, User Number 5 <user5@example.com>,\r\n"
                                                 " User Number 6 <user6@example.com>, User Number 7 <user7@example.com>\r\n");
    const mailparse_address_list *l = mailparse_message_addresses(p, "To");
    assert_int_equal(l->count, 8);
    assert_string_equal(l->items[7].name, "User Number 7");
    assert_string_equal(l->items[7].address, "user7@example.com");
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

/* The comma after an address belongs to its line: it must not push the line past 78. */
static void comma_never_pushes_a_line_past_78(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    for (int i = 0; i < 5; i++) {
        char a[32];
        snprintf(a, sizeof a, "user%d@example.com", i); /* 17 octets: four fill "To: " to 78 */
        assert_int_equal(mailbuild_add_address(m, "To", NULL, a), 0);
    }
    mailparse_message *p = expect_field(m, "To", "To: user0@example.com, user1@example.com, user2@example.com,\r\n"
                                                 " user3@example.com, user4@example.com\r\n");
    assert_int_equal(mailparse_message_addresses(p, "To")->count, 5);
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

/* Four of them end exactly at column 78 with no comma after the last: one line. */
static void list_ending_exactly_at_78_stays_on_one_line(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    for (int i = 0; i < 4; i++) {
        char a[32];
        snprintf(a, sizeof a, "user%d@example.com", i);
        assert_int_equal(mailbuild_add_address(m, "To", NULL, a), 0);
    }
    mailparse_message *p = expect_field(m, "To", "To: user0@example.com, user1@example.com, user2@example.com, "
                                                 "user3@example.com\r\n");
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

/* A name-addr too long for the line folds between the name and the angle address. */
static void long_display_name_folds_before_the_angle_address(void **state)
{
    (void)state;
    one_mailbox(0, "A very long display name that goes on and on and on for many columns",
                "someone.with.a.long.address@example.com",
                "To: A very long display name that goes on and on and on for many columns\r\n"
                " <someone.with.a.long.address@example.com>\r\n",
                "someone.with.a.long.address@example.com");
}

/* A phrase is words separated by FWS (RFC 5322 §3.2.5): a name longer than a line folds
 * between its words. */
static void long_name_of_atoms_is_folded_between_its_words(void **state)
{
    (void)state;
    const char *name = "word01 word02 word03 word04 word05 word06 word07 word08 word09 word10 word11 word12 "
                       "word13";
    one_mailbox(0, name, "x@example.com",
                "To: word01 word02 word03 word04 word05 word06 word07 word08 word09 word10\r\n"
                " word11 word12 word13 <x@example.com>\r\n",
                "x@example.com");
}

/* Within a quoted string the fold goes before a space that is there; unfolding keeps it. */
static void long_quoted_name_is_folded_inside_the_quotes(void **state)
{
    (void)state;
    const char *name = "Smith, word01 word02 word03 word04 word05 word06 word07 word08 word09 word10 word11 "
                       "word12";
    one_mailbox(0, name, "x@example.com",
                "To: \"Smith, word01 word02 word03 word04 word05 word06 word07 word08 word09\r\n"
                " word10 word11 word12\" <x@example.com>\r\n",
                "x@example.com");
}

/* Encoded words are at most 75 characters (RFC 2047 §2), the lines at most 78. */
static void long_non_ascii_name_is_split_into_encoded_words_within_78(void **state)
{
    (void)state;
    const char *name = "Jörg Müller Jörg Müller Jörg Müller Jörg Müller Jörg Müller Jörg Müller";
    one_mailbox(0, name, "joerg@example.com",
                "To: =?utf-8?B?SsO2cmcgTcO8bGxlciBKw7ZyZyBNw7xsbGVyIErDtnJnIE3DvGxsZXIgSsO2?=\r\n"
                " =?utf-8?B?cmcgTcO8bGxlciBKw7ZyZyBNw7xsbGVyIErDtnJnIE3DvGxsZXI=?=\r\n"
                " <joerg@example.com>\r\n",
                "joerg@example.com");
}

static void mailbox_that_fits_a_line_is_moved_whole(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_add_address(m, "To", "Ann", "ann@example.com"), 0);
    for (int i = 1; i <= 3; i++) {
        char a[32];
        snprintf(a, sizeof a, "joerg%d@example.com", i);
        assert_int_equal(mailbuild_add_address(m, "To", "Jörg Müller", a), 0);
    }
    /* a mailbox that fits a line of its own is not split: the fold goes before it */
    mailparse_message *p = expect_field(m, "To", "To: Ann <ann@example.com>,\r\n"
                                                 " =?utf-8?B?SsO2cmcgTcO8bGxlcg==?= <joerg1@example.com>,\r\n"
                                                 " =?utf-8?B?SsO2cmcgTcO8bGxlcg==?= <joerg2@example.com>,\r\n"
                                                 " =?utf-8?B?SsO2cmcgTcO8bGxlcg==?= <joerg3@example.com>\r\n");
    const mailparse_address_list *l = mailparse_message_addresses(p, "To");
    assert_int_equal(l->count, 4);
    for (size_t i = 1; i < 4; i++)
        assert_string_equal(l->items[i].name, "Jörg Müller");
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(name_of_atoms_is_written_plain),
        cmocka_unit_test(missing_or_empty_name_gives_a_bare_addr_spec),
        cmocka_unit_test(name_with_specials_is_quoted),
        cmocka_unit_test(quotes_and_backslashes_in_a_name_are_escaped),
        cmocka_unit_test(spacing_of_a_name_is_kept_by_quoting),
        cmocka_unit_test(non_ascii_name_becomes_encoded_words),
        cmocka_unit_test(encoded_word_lookalike_name_is_encoded),
        cmocka_unit_test(smtputf8_name_is_raw_utf8),
        cmocka_unit_test(smtputf8_name_with_a_lookalike_is_encoded),
        cmocka_unit_test(local_part_that_is_not_a_dot_atom_is_quoted),
        cmocka_unit_test(dot_atom_local_part_is_not_quoted),
        cmocka_unit_test(domain_literal_is_kept),
        cmocka_unit_test(non_ascii_address_without_smtputf8_is_unsupported),
        cmocka_unit_test(non_ascii_address_with_smtputf8_is_written_raw),
        cmocka_unit_test(address_of_254_octets_is_accepted_and_255_refused),
        cmocka_unit_test(empty_group_is_name_colon_semicolon),
        cmocka_unit_test(group_members_and_mailboxes_around_it_keep_their_order),
        cmocka_unit_test(group_still_open_at_write_is_closed),
        cmocka_unit_test(group_inside_a_group_is_refused),
        cmocka_unit_test(group_names_are_encoded_like_display_names),
        cmocka_unit_test(smtputf8_group_name_is_raw_utf8),
        cmocka_unit_test(long_list_is_folded_between_addresses),
        cmocka_unit_test(comma_never_pushes_a_line_past_78),
        cmocka_unit_test(list_ending_exactly_at_78_stays_on_one_line),
        cmocka_unit_test(long_display_name_folds_before_the_angle_address),
        cmocka_unit_test(long_name_of_atoms_is_folded_between_its_words),
        cmocka_unit_test(long_quoted_name_is_folded_inside_the_quotes),
        cmocka_unit_test(long_non_ascii_name_is_split_into_encoded_words_within_78),
        cmocka_unit_test(mailbox_that_fits_a_line_is_moved_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
