/* test_address.c — address lists: mailboxes, groups, display names, obsolete forms, repairs. */
#include "test_util.h"

typedef struct {
    int count;
    mailparse_anomaly_kind kinds[64];
    size_t offsets[64];
} anomalies;

static void record(void *user, mailparse_anomaly_kind kind, size_t offset)
{
    anomalies *a = user;
    if (a->count < 64) {
        a->kinds[a->count] = kind;
        a->offsets[a->count] = offset;
    }
    a->count++;
}

static mailparse_values *values;
static anomalies seen;

static int setup(void **state)
{
    (void)state;
    memset(&seen, 0, sizeof seen);
    return mailparse_values_new(&values);
}

static int teardown(void **state)
{
    (void)state;
    mailparse_values_free(values);
    values = NULL;
    return 0;
}

static const mailparse_address_list *parse(const char *s)
{
    const mailparse_address_list *l = NULL;
    assert_int_equal(mailparse_parse_addresses(values, s, strlen(s), record, &seen, &l), 0);
    assert_non_null(l);
    return l;
}

static void assert_mailbox(const mailparse_address_list *l, size_t i, const char *name,
                           const char *addr, int group)
{
    assert_true(i < l->count);
    if (name)
        assert_string_equal(l->items[i].name, name);
    else
        assert_null(l->items[i].name);
    if (addr)
        assert_string_equal(l->items[i].address, addr);
    else
        assert_null(l->items[i].address);
    assert_int_equal(l->items[i].group, group);
}

static int have_rfc2047(void)
{
    char *out = NULL;
    size_t n;
    int rc = mailparse_rfc2047_decode("=?utf-8?q?a?=", 13, 0, &out, &n, NULL, NULL);
    mailparse_free(out);
    return rc == 0;
}

static void single_mailbox_with_display_name(void **state)
{
    (void)state;
    const mailparse_address_list *l = parse("John Doe <jdoe@machine.example>\r\n");
    assert_int_equal(l->count, 1);
    assert_int_equal(l->group_count, 0);
    assert_mailbox(l, 0, "John Doe", "jdoe@machine.example", -1);
    assert_int_equal(seen.count, 0);
}

static void bare_addr_spec_has_no_name(void **state)
{
    (void)state;
    const mailparse_address_list *l = parse(" jdoe@example.org ");
    assert_int_equal(l->count, 1);
    assert_mailbox(l, 0, NULL, "jdoe@example.org", -1);
}

static void quoted_display_name_is_unescaped(void **state)
{
    (void)state;
    const mailparse_address_list *l = parse("\"Giant; \\\"Big\\\" Box\" <sysservices@example.net>");
    assert_mailbox(l, 0, "Giant; \"Big\" Box", "sysservices@example.net", -1);
}

static void quoted_name_keeps_its_inner_spaces(void **state)
{
    (void)state;
    const mailparse_address_list *l = parse("\"  James Smythe\" <james@example.com>");
    assert_mailbox(l, 0, "  James Smythe", "james@example.com", -1);
}

static void folded_quoted_name_is_unfolded(void **state)
{
    (void)state;
    const mailparse_address_list *l = parse("\"John\r\n Doe\" <a@b.com>");
    assert_mailbox(l, 0, "John Doe", "a@b.com", -1);
}

static void list_of_three(void **state)
{
    (void)state;
    const mailparse_address_list *l =
        parse("Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>");
    assert_int_equal(l->count, 3);
    assert_mailbox(l, 0, "Mary Smith", "mary@x.test", -1);
    assert_mailbox(l, 1, NULL, "jdoe@example.org", -1);
    assert_mailbox(l, 2, "Who?", "one@y.test", -1);
}

/* The colons of an IPv6 domain literal do not open a group (RFC 5322 §3.4.1, RFC 5321 §4.1.3). */
static void ipv6_domain_literal_is_one_address(void **state)
{
    (void)state;
    const mailparse_address_list *l = parse("x@[IPv6:2001:db8::1], G: y@[IPv6:::1];");
    assert_int_equal(l->count, 2);
    assert_mailbox(l, 0, NULL, "x@[IPv6:2001:db8::1]", -1);
    assert_mailbox(l, 1, NULL, "y@[IPv6:::1]", 0);
    assert_int_equal(seen.count, 0);
}

/* A '>' or ',' inside a quoted local part does not end the angle address or the item. */
static void quoted_local_part_may_hold_angle_brackets(void **state)
{
    (void)state;
    const mailparse_address_list *l = parse("its <\"<lt>\"@y.z>, \"Fwd\" <a@b.c>, <\"x>,y\"@z.w>");
    assert_int_equal(l->count, 3);
    assert_mailbox(l, 0, "its", "\"<lt>\"@y.z", -1);
    assert_mailbox(l, 1, "Fwd", "a@b.c", -1);
    assert_mailbox(l, 2, NULL, "\"x>,y\"@z.w", -1);
    assert_int_equal(seen.count, 0);
}

static void group_holds_its_members(void **state)
{
    (void)state;
    const mailparse_address_list *l =
        parse("A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;");
    assert_int_equal(l->count, 3);
    assert_int_equal(l->group_count, 1);
    assert_string_equal(l->group_names[0], "A Group");
    assert_mailbox(l, 0, "Ed Jones", "c@a.test", 0);
    assert_mailbox(l, 1, NULL, "joe@where.test", 0);
    assert_mailbox(l, 2, "John", "jdoe@one.test", 0);
    assert_int_equal(seen.count, 0);
}

static void empty_group_has_a_name_and_no_members(void **state)
{
    (void)state;
    const mailparse_address_list *l = parse("Undisclosed recipients:;");
    assert_int_equal(l->count, 0);
    assert_int_equal(l->group_count, 1);
    assert_string_equal(l->group_names[0], "Undisclosed recipients");
    assert_int_equal(seen.count, 0);
}

static void groups_and_ungrouped_mailboxes_mix(void **state)
{
    (void)state;
    const mailparse_address_list *l =
        parse("List 1: a1@t.com, a2@t.com; \"List 2\": a3@t.com; a5@t.com, a6@t.com");
    assert_int_equal(l->count, 5);
    assert_int_equal(l->group_count, 2);
    assert_string_equal(l->group_names[0], "List 1");
    assert_string_equal(l->group_names[1], "List 2");
    assert_mailbox(l, 0, NULL, "a1@t.com", 0);
    assert_mailbox(l, 1, NULL, "a2@t.com", 0);
    assert_mailbox(l, 2, NULL, "a3@t.com", 1);
    assert_mailbox(l, 3, NULL, "a5@t.com", -1);
    assert_mailbox(l, 4, NULL, "a6@t.com", -1);
}

static void comment_names_a_bare_address(void **state)
{
    (void)state;
    const mailparse_address_list *l = parse("pete@silly.test (Pete Smith)");
    assert_mailbox(l, 0, "Pete Smith", "pete@silly.test", -1);
}

static void comments_follow_the_phrase_in_parentheses(void **state)
{
    (void)state;
    const mailparse_address_list *l =
        parse("Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>");
    assert_mailbox(l, 0, "Pete (A nice ) chap his account his host)", "pete@silly.test", -1);
}

static void comment_inside_domain_is_removed(void **state)
{
    (void)state;
    const mailparse_address_list *l = parse("John Doe <jdoe@machine(comment).example>");
    assert_mailbox(l, 0, "John Doe (comment)", "jdoe@machine.example", -1);
}

static void nested_comment_keeps_inner_parentheses(void **state)
{
    (void)state;
    const mailparse_address_list *l = parse("G:(nobody(that I know));");
    assert_int_equal(l->count, 1);
    assert_mailbox(l, 0, "nobody(that I know)", NULL, 0);
}

static void group_name_takes_its_comments(void **state)
{
    (void)state;
    const mailparse_address_list *l = parse("(Empty list)(start)Hidden recipients  :;");
    assert_string_equal(l->group_names[0], "Hidden recipients (Empty list start)");
}

static void obsolete_route_is_stripped(void **state)
{
    (void)state;
    const mailparse_address_list *l = parse("Mary <@node.test,@relay.test:mary@example.net>");
    assert_mailbox(l, 0, "Mary", "mary@example.net", -1);
}

static void folds_inside_addr_spec_are_removed(void **state)
{
    (void)state;
    const mailparse_address_list *l = parse("<pete(his\r\n account)@silly\r\n .test>");
    assert_mailbox(l, 0, "his account", "pete@silly.test", -1);
}

static void missing_comma_between_angle_addrs_is_repaired(void **state)
{
    (void)state;
    const char *in = "Ann <a@x.test> Bob <b@y.test>";
    const mailparse_address_list *l = parse(in);
    assert_int_equal(l->count, 2);
    assert_mailbox(l, 0, "Ann", "a@x.test", -1);
    assert_mailbox(l, 1, "Bob", "b@y.test", -1);
    assert_int_equal(seen.count, 1);
    assert_int_equal(seen.kinds[0], MAILPARSE_ANOMALY_ADDRESS_INVALID);
    assert_int_equal(seen.offsets[0], (size_t)(strstr(in, "<b@") - in));
}

static void missing_comma_between_bare_addrs_is_repaired(void **state)
{
    (void)state;
    const char *in = "a@x.test b@y.test";
    const mailparse_address_list *l = parse(in);
    assert_int_equal(l->count, 2);
    assert_mailbox(l, 0, NULL, "a@x.test", -1);
    assert_mailbox(l, 1, NULL, "b@y.test", -1);
    assert_int_equal(seen.count, 1);
    assert_int_equal(seen.offsets[0], 9);
}

static void empty_and_trailing_commas_are_skipped(void **state)
{
    (void)state;
    const mailparse_address_list *l = parse(", a@x.test, , b@y.test,");
    assert_int_equal(l->count, 2);
    assert_mailbox(l, 1, NULL, "b@y.test", -1);
    assert_int_equal(seen.count, 0);
}

static void words_after_angle_addr_name_it(void **state)
{
    (void)state;
    const mailparse_address_list *l = parse("<a@b.com> Doe");
    assert_mailbox(l, 0, "Doe", "a@b.com", -1);
}

static void empty_angle_addr_has_no_address(void **state)
{
    (void)state;
    const mailparse_address_list *l = parse("Nobody <>");
    assert_mailbox(l, 0, "Nobody", NULL, -1);
}

static void unterminated_quote_is_repaired(void **state)
{
    (void)state;
    const mailparse_address_list *l = parse("\"Open <a@b.com>");
    assert_int_equal(l->count, 1);
    assert_non_null(l->items[0].name);
    assert_true(seen.count >= 1);
    assert_int_equal(seen.kinds[0], MAILPARSE_ANOMALY_ADDRESS_INVALID);
}

static void unterminated_angle_is_repaired(void **state)
{
    (void)state;
    const mailparse_address_list *l = parse("Ann <a@x.test");
    assert_mailbox(l, 0, "Ann", "a@x.test", -1);
    assert_int_equal(seen.count, 1);
    assert_int_equal(seen.offsets[0], 4);
}

static void unclosed_group_is_reported(void **state)
{
    (void)state;
    const mailparse_address_list *l = parse("undisclosed-recipients:");
    assert_int_equal(l->group_count, 1);
    assert_int_equal(l->count, 0);
    assert_int_equal(seen.count, 1);
    assert_int_equal(seen.offsets[0], 23);
}

static void stray_semicolon_is_reported(void **state)
{
    (void)state;
    const mailparse_address_list *l = parse("a@x.test; b@y.test");
    assert_int_equal(l->count, 2);
    assert_int_equal(seen.count, 1);
    assert_int_equal(seen.offsets[0], 8);
}

static void colon_inside_group_opens_a_new_group(void **state)
{
    (void)state;
    const mailparse_address_list *l = parse("A: B: c@d.test;");
    assert_int_equal(l->group_count, 2);
    assert_string_equal(l->group_names[1], "B");
    assert_mailbox(l, 0, NULL, "c@d.test", 1);
    assert_true(seen.count >= 1);
}

static void utf8_addresses_are_kept(void **state)
{
    (void)state;
    const mailparse_address_list *l = parse("Jos\xc3\xa9 <jos\xc3\xa9@exampl\xc3\xa9.com>");
    assert_mailbox(l, 0, "Jos\xc3\xa9", "jos\xc3\xa9@exampl\xc3\xa9.com", -1);
}

static void quoted_local_part_is_kept_as_written(void **state)
{
    (void)state;
    const mailparse_address_list *l = parse("\"john doe\"@example.com");
    assert_mailbox(l, 0, NULL, "\"john doe\"@example.com", -1);
}

static void line_end_without_fold_ends_the_field(void **state)
{
    (void)state;
    const mailparse_address_list *l = parse("test@test.com\ninvalid@address.com\n");
    assert_int_equal(l->count, 1);
    assert_mailbox(l, 0, NULL, "test@test.com", -1);
    assert_int_equal(seen.count, 1);
    assert_int_equal(seen.offsets[0], 13);
}

static void empty_input_gives_an_empty_list(void **state)
{
    (void)state;
    const mailparse_address_list *l = parse("   ");
    assert_int_equal(l->count, 0);
    assert_int_equal(l->group_count, 0);
    assert_non_null(l->items);
}

static void bad_arguments_are_rejected(void **state)
{
    (void)state;
    const mailparse_address_list *l = NULL;
    assert_int_equal(mailparse_parse_addresses(NULL, "a", 1, NULL, NULL, &l), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_parse_addresses(values, NULL, 1, NULL, NULL, &l), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_parse_addresses(values, "a", 1, NULL, NULL, NULL), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_parse_addresses(values, NULL, 0, NULL, NULL, &l), 0);
    assert_int_equal(l->count, 0);
}

static void encoded_words_in_names_are_decoded(void **state)
{
    (void)state;
    if (!have_rfc2047())
        skip();
    const mailparse_address_list *l =
        parse("=?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>, "
              "=?utf-8?q?a?= =?utf-8?q?b?= <a@b.com>, \"foo =?utf-8?q?bar?=\" <c@d.com>");
    assert_mailbox(l, 0, "Andr\xc3\xa9 Pirard", "PIRARD@vm1.ulg.ac.be", -1);
    assert_mailbox(l, 1, "ab", "a@b.com", -1);
    assert_mailbox(l, 2, "foo bar", "c@d.com", -1);
}

static void encoded_group_name_is_decoded(void **state)
{
    (void)state;
    if (!have_rfc2047())
        skip();
    const mailparse_address_list *l = parse("=?utf-8?q?Gr=C3=BCn?=: a@b.com;");
    assert_string_equal(l->group_names[0], "Gr\xc3\xbcn");
}

static void deeply_nested_comments_do_not_recurse(void **state)
{
    (void)state;
    size_t n = 200000;
    char *s = malloc(n + 16);
    assert_non_null(s);
    memcpy(s, "a@b.c ", 6);
    memset(s + 6, '(', n);
    s[n + 6] = '\0';
    const mailparse_address_list *l = NULL;
    assert_int_equal(mailparse_parse_addresses(values, s, n + 6, record, &seen, &l), 0);
    assert_int_equal(l->count, 1);
    assert_string_equal(l->items[0].address, "a@b.c");
    free(s);
}

static void ten_thousand_addresses_are_all_kept(void **state)
{
    (void)state;
    size_t n = 10000;
    char *s = malloc(n * 12 + 1), *p = s;
    assert_non_null(s);
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "u%05zu@x.t,", i);
    const mailparse_address_list *l = NULL;
    assert_int_equal(mailparse_parse_addresses(values, s, (size_t)(p - s), NULL, NULL, &l), 0);
    assert_int_equal(l->count, n);
    assert_string_equal(l->items[9999].address, "u09999@x.t");
    free(s);
}

static void hostile_bytes_never_crash(void **state)
{
    (void)state;
    static const char *const inputs[] = {
        "<", ">", "\"", "(", ")", ":", ";", ",", "\\", "<<<>>>", "::;;", "\"\\", "(\\",
        "a:<b:c>;d", "@:@:@", "<@>", "<@a:>", "\r\n", "\r\n \r\n ", "=?", "=?x?q?",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        const mailparse_address_list *l = NULL;
        assert_int_equal(mailparse_parse_addresses(values, inputs[i], strlen(inputs[i]), NULL, NULL, &l), 0);
        for (size_t k = 0; k < l->count; k++)
            assert_true(l->items[k].group < (int)l->group_count);
    }
}

static void nul_byte_ends_the_field(void **state)
{
    (void)state;
    const char in[] = "\"urmnt\x91\0" "b\0ne <a@b>";
    const mailparse_address_list *l = NULL;
    assert_int_equal(mailparse_parse_addresses(values, in, sizeof in - 1, record, &seen, &l), 0);
    assert_int_equal(l->count, 1);
    /* A lone word without '@' is a name; then the bad byte as U+FFFD. */
    assert_null(l->items[0].address);
    assert_memory_equal(l->items[0].name, "urmnt", 5);
    assert_int_equal(seen.kinds[0], MAILPARSE_ANOMALY_ADDRESS_INVALID);
    assert_int_equal(seen.offsets[0], 7); /* text after the NUL is dropped */
}

static void encoded_word_glued_inside_a_name_stays_one_word(void **state)
{
    (void)state;
    const mailparse_address_list *l = parse("David H=?ISO-8859-1?B?9g==?=hn <d@x.example>");
    assert_int_equal(l->count, 1);
    assert_string_equal(l->items[0].name, "David Höhn");
}

static void lone_word_without_at_is_a_name(void **state)
{
    (void)state;
    /* RFC 2046's examples write "From: Whomever"; mail-parser and JMAP read it as a name. */
    const mailparse_address_list *l = parse("Whomever");
    assert_int_equal(l->count, 1);
    assert_string_equal(l->items[0].name, "Whomever");
    assert_null(l->items[0].address);
    l = parse("a@b.example, Someone Else");
    assert_int_equal(l->count, 2);
    assert_string_equal(l->items[1].name, "Someone Else");
    assert_null(l->items[1].address);
}

static void addresses_never_hold_line_ends(void **state)
{
    (void)state;
    const mailparse_address_list *l = parse("John\"\"\"x\r\n Doe");
    assert_int_equal(l->count, 1);
    assert_string_equal(l->items[0].name, "John\"\"\"xDoe"); /* the fold goes; no '@': a name */
    l = parse("\"a\r\n b\"@c.d");
    assert_string_equal(l->items[0].address, "\"a b\"@c.d");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(single_mailbox_with_display_name),
        T(lone_word_without_at_is_a_name),
        T(encoded_word_glued_inside_a_name_stays_one_word),
        T(bare_addr_spec_has_no_name),
        T(quoted_display_name_is_unescaped),
        T(quoted_name_keeps_its_inner_spaces),
        T(folded_quoted_name_is_unfolded),
        T(list_of_three),
        T(ipv6_domain_literal_is_one_address),
        T(quoted_local_part_may_hold_angle_brackets),
        T(group_holds_its_members),
        T(empty_group_has_a_name_and_no_members),
        T(groups_and_ungrouped_mailboxes_mix),
        T(comment_names_a_bare_address),
        T(comments_follow_the_phrase_in_parentheses),
        T(comment_inside_domain_is_removed),
        T(nested_comment_keeps_inner_parentheses),
        T(group_name_takes_its_comments),
        T(obsolete_route_is_stripped),
        T(folds_inside_addr_spec_are_removed),
        T(missing_comma_between_angle_addrs_is_repaired),
        T(missing_comma_between_bare_addrs_is_repaired),
        T(empty_and_trailing_commas_are_skipped),
        T(words_after_angle_addr_name_it),
        T(empty_angle_addr_has_no_address),
        T(unterminated_quote_is_repaired),
        T(unterminated_angle_is_repaired),
        T(unclosed_group_is_reported),
        T(stray_semicolon_is_reported),
        T(colon_inside_group_opens_a_new_group),
        T(utf8_addresses_are_kept),
        T(quoted_local_part_is_kept_as_written),
        T(line_end_without_fold_ends_the_field),
        T(empty_input_gives_an_empty_list),
        T(bad_arguments_are_rejected),
        T(encoded_words_in_names_are_decoded),
        T(encoded_group_name_is_decoded),
        T(deeply_nested_comments_do_not_recurse),
        T(ten_thousand_addresses_are_all_kept),
        T(hostile_bytes_never_crash),
        T(nul_byte_ends_the_field),
        T(addresses_never_hold_line_ends),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
