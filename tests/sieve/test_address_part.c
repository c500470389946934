/* test_address_part.c — the parts an address test compares (RFC 5228 §2.7.4, RFC 5233) and
 * the addresses it reads from a header value; vectors from the RFCs and from Pigeonhole's
 * test-address.svtest and subaddress tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sieve_internal.h"

static void expect_part(int part, const char *addr, const char *delims, const char *want)
{
    const char *out = NULL;
    size_t len = 99;
    assert_int_equal(sv_address_part(part, addr, strlen(addr), delims, &out, &len), 0);
    assert_int_equal(len, strlen(want));
    assert_memory_equal(out, want, len);
    assert_true(out >= addr && out + len <= addr + strlen(addr)); /* points into addr */
}

static void expect_no_part(int part, const char *addr, const char *delims)
{
    const char *out = NULL;
    size_t len = 0;
    assert_int_equal(sv_address_part(part, addr, strlen(addr), delims, &out, &len), 1);
}

/* ---- parts -------------------------------------------------------------------------------- */

static void all_localpart_and_domain(void **state)
{
    (void)state;
    expect_part(SV_ADDR_ALL, "Nico@nl.example.com", NULL, "Nico@nl.example.com");
    expect_part(SV_ADDR_LOCALPART, "Nico@nl.example.com", NULL, "Nico");
    expect_part(SV_ADDR_DOMAIN, "harry@DE.EXAMPLE.COM", NULL, "DE.EXAMPLE.COM");
    expect_part(SV_ADDR_LOCALPART, "s.bosch@friep.frop", NULL, "s.bosch");
    expect_part(SV_ADDR_DOMAIN, "joe@[192.0.2.1]", NULL, "[192.0.2.1]");
}

static void quoted_local_part_is_read_without_its_quotes(void **state)
{
    (void)state;
    expect_part(SV_ADDR_ALL, "\"john doe\"@example.com", NULL, "\"john doe\"@example.com");
    expect_part(SV_ADDR_LOCALPART, "\"john doe\"@example.com", NULL, "john doe");
    expect_part(SV_ADDR_DOMAIN, "\"a@b\"@example.com", NULL, "example.com");
    expect_part(SV_ADDR_LOCALPART, "\"a\\\"b\"@example.com", NULL, "\"a\\\"b\""); /* as written */
}

static void invalid_addresses_have_no_localpart_or_domain(void **state)
{
    (void)state;
    /* test-address.svtest "Invalid addresses". */
    static const char *const bad[] = {"stephan@", "@example.org", "nonsense", "",
                                      "<j\xc3\xbcrgen@example.com>", "j\xc3\xbcrgen@example.com",
                                      "a b@example.com", "a@b c", "\"\"@example.com",
                                      "\"open@example.com", "a@[1.2.3.4", "a@[1.2]x", "a@b@c"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        expect_no_part(SV_ADDR_LOCALPART, bad[i], "+");
        expect_no_part(SV_ADDR_DOMAIN, bad[i], "+");
        expect_no_part(SV_ADDR_USER, bad[i], "+");
        expect_no_part(SV_ADDR_DETAIL, bad[i], "+");
        expect_part(SV_ADDR_ALL, bad[i], "+", bad[i]); /* :all still sees it */
    }
}

static void user_and_detail_split_at_the_separator(void **state)
{
    (void)state;
    /* RFC 5233 and subaddress/basic.svtest. */
    expect_part(SV_ADDR_USER, "stephan+sieve@example.org", "+", "stephan");
    expect_part(SV_ADDR_DETAIL, "stephan+sieve@example.org", "+", "sieve");
    expect_part(SV_ADDR_DETAIL, "test+failed@example.com", "+", "failed");
    expect_part(SV_ADDR_USER, "ken+sieve+x@example.org", "+", "ken");
    expect_part(SV_ADDR_DETAIL, "ken+sieve+x@example.org", "+", "sieve+x"); /* the first one */
}

static void without_separator_user_is_the_local_part(void **state)
{
    (void)state;
    /* subaddress/rfc.svtest: no detail means :detail matches nothing, not even "". */
    expect_part(SV_ADDR_USER, "nico@example.com", "+", "nico");
    expect_no_part(SV_ADDR_DETAIL, "nico@example.com", "+");
    expect_no_part(SV_ADDR_DETAIL, "nico@example.com", NULL);
    expect_no_part(SV_ADDR_DETAIL, "nico+x@example.com", "");
    expect_part(SV_ADDR_USER, "nico+x@example.com", NULL, "nico+x");
}

static void empty_detail_is_empty_not_missing(void **state)
{
    (void)state;
    expect_part(SV_ADDR_DETAIL, "stephan+@example.org", "+", "");
    expect_part(SV_ADDR_USER, "stephan+@example.org", "+", "stephan");
}

static void several_separator_characters(void **state)
{
    (void)state;
    /* subaddress/config.svtest: the first separator found in the local part counts. */
    expect_part(SV_ADDR_USER, "test-failed@example.com", "-", "test");
    expect_part(SV_ADDR_DETAIL, "test-failed@example.com", "-", "failed");
    for (int i = 0; i < 3; i++) {
        const char *delims = (const char *[]){"+-", "-+", "+-_"}[i];
        expect_part(SV_ADDR_USER, "friep+-frop@dovecot.example.net", delims, "friep");
        expect_part(SV_ADDR_DETAIL, "friep+-frop@dovecot.example.net", delims, "-frop");
    }
    expect_part(SV_ADDR_USER, "list_request@lists.dovecot.example.net", "+-_", "list");
    expect_part(SV_ADDR_DETAIL, "list_request@lists.dovecot.example.net", "+-_", "request");
}

static void unknown_part_is_refused(void **state)
{
    (void)state;
    const char *out;
    size_t len;
    assert_int_equal(sv_address_part(99, "a@b", 3, NULL, &out, &len), SIEVE_E_INVAL);
    assert_int_equal(sv_address_part(-1, "a@b", 3, NULL, &out, &len), SIEVE_E_INVAL);
}

/* ---- header values ------------------------------------------------------------------------ */

typedef struct collected {
    char items[8][128];
    char names[8][128];        /* the display names; "(none)" where there is none */
    size_t count;
    int stop_after;
} collected;

static int collect(void *user, const char *addr, size_t len, const char *name)
{
    collected *c = user;
    assert_true(c->count < 8 && len < 128 && (!name || strlen(name) < 128));
    memcpy(c->items[c->count], addr, len);
    c->items[c->count][len] = '\0';
    strcpy(c->names[c->count], name ? name : "(none)");
    c->count++;
    return c->stop_after && (int)c->count == c->stop_after ? 42 : 0;
}

static collected addresses_of(const char *value)
{
    collected c;
    memset(&c, 0, sizeof c);
    assert_int_equal(sv_header_addresses(value, strlen(value), collect, &c), 0);
    return c;
}

static void mailboxes_of_a_list(void **state)
{
    (void)state;
    collected c = addresses_of("nico@nl.example.com, harry@de.example.com");
    assert_int_equal(c.count, 2);
    assert_string_equal(c.items[0], "nico@nl.example.com");
    assert_string_equal(c.items[1], "harry@de.example.com");
}

static void phrases_and_comments_are_not_compared(void **state)
{
    (void)state;
    collected c = addresses_of("Timo <tss(no spam)@fi.iki>");
    assert_int_equal(c.count, 1);
    assert_string_equal(c.items[0], "tss@fi.iki");
    c = addresses_of("Nico Thalens <nico@nl.example.com>, Harry Becker <harry@de.example.com>");
    assert_int_equal(c.count, 2);
    assert_string_equal(c.items[0], "nico@nl.example.com");
    assert_string_equal(c.items[1], "harry@de.example.com");
    c = addresses_of("Stephan Bosch <stephan(the author)@example.com>");
    assert_int_equal(c.count, 1);
    assert_string_equal(c.items[0], "stephan@example.com");
}

static void group_members_but_not_group_names(void **state)
{
    (void)state;
    collected c =
        addresses_of("tukkers: henk@tukkerland.ex, theo@tukkerland.ex, frits@tukkerland.ex;");
    assert_int_equal(c.count, 3);
    assert_string_equal(c.items[0], "henk@tukkerland.ex");
    assert_string_equal(c.items[2], "frits@tukkerland.ex");
    c = addresses_of("undisclosed-recipients:;");
    assert_int_equal(c.count, 0);
}

static void encoded_words_in_display_names(void **state)
{
    (void)state;
    /* test-address.svtest: "Mime encoding of '@' in display name", "Erroneous mime encoding". */
    collected c = addresses_of("=?UTF-8?B?RnJpZXBAZnJvcA0K?=\r\n\t<friep@example.com>");
    assert_int_equal(c.count, 1);
    assert_string_equal(c.items[0], "friep@example.com");
    c = addresses_of("\"=?UTF-8?B?IkR1bWIgTWFpbGVyIg==?=\"\r\n\t<horde@lists.scotsmen.ex>");
    assert_int_equal(c.count, 1);
    assert_string_equal(c.items[0], "horde@lists.scotsmen.ex");
}

/* address :name (vnd.stalwart.expressions) compares these. */
static void display_names_come_with_their_mailboxes(void **state)
{
    (void)state;
    collected c = addresses_of("Giovanni Doe <john.doe@example.org>, bill@example.net, "
                               "\"Doe, Jane\" <jane@example.org>, =?UTF-8?Q?Caf=C3=A9?= <c@x.org>");
    assert_int_equal(c.count, 4);
    assert_string_equal(c.names[0], "Giovanni Doe");
    assert_string_equal(c.names[1], "(none)");
    assert_string_equal(c.names[2], "Doe, Jane");
    assert_string_equal(c.names[3], "Caf\xc3\xa9");
    c = addresses_of("nonsense"); /* a value that is no address list has no names */
    assert_int_equal(c.count, 1);
    assert_string_equal(c.names[0], "(none)");
}

static void invalid_header_is_seen_whole(void **state)
{
    (void)state;
    /* test-address.svtest "Invalid addresses": :all sees the value as it is. */
    static const char *const values[][2] = {
        {"stephan@", "stephan@"},
        {"@example.org", "@example.org"},
        {"nonsense", "nonsense"},
        {"", ""},
        {"   ", ""},
        {"<j\xc3\xbcrgen@example.com>", "<j\xc3\xbcrgen@example.com>"},
        {" nico@frop.example.com, @example.org ", "nico@frop.example.com, @example.org"},
        {" some\r\n\tfolded\r\n nonsense\r\n", "some\tfolded nonsense"}, /* unfolded */
    };
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        collected c = addresses_of(values[i][0]);
        assert_int_equal(c.count, 1);
        assert_string_equal(c.items[0], values[i][1]);
        const char *out;
        size_t len;
        assert_int_equal(sv_address_part(SV_ADDR_LOCALPART, c.items[0], strlen(c.items[0]),
                                         NULL, &out, &len),
                         1);
    }
}

static void callback_result_stops_the_walk(void **state)
{
    (void)state;
    collected c;
    memset(&c, 0, sizeof c);
    c.stop_after = 1;
    const char *v = "a@example.com, b@example.com, c@example.com";
    assert_int_equal(sv_header_addresses(v, strlen(v), collect, &c), 42);
    assert_int_equal(c.count, 1);
}

/* ---- envelope paths ------------------------------------------------------------------------ */

static void expect_path(const char *path, const char *want)
{
    const char *out = NULL;
    size_t len = 99;
    assert_int_equal(sv_envelope_path(path, strlen(path), &out, &len), 1);
    assert_int_equal(len, strlen(want));
    assert_memory_equal(out, want, len);
}

static void envelope_path_without_source_route(void **state)
{
    (void)state;
    /* envelope.svtest "Envelope - source route". */
    expect_path("<@cola.example.org:stephan@example.org>", "stephan@example.org");
    expect_path("<@cola.example.org,@mx.utwente.nl:stephan@example.org>", "stephan@example.org");
    expect_path("@a.example,@b.example,@c.example:s@example.org", "s@example.org");
    expect_path("<stephan@example.org>", "stephan@example.org");
    expect_path("stephan@example.org", "stephan@example.org");
}

static void envelope_path_forms_seen_in_the_wild(void **state)
{
    (void)state;
    expect_path("", "");          /* the null path */
    expect_path("<>", "");
    expect_path("<MAILER-DAEMON>", "MAILER-DAEMON");
    expect_path("..japanese...localpart..@example.com", "..japanese...localpart..@example.com");
    expect_path("japanese@_example.com", "japanese@_example.com");
    expect_path("japanese@example-.com", "japanese@example-.com");
    expect_path("\"john doe\"@example.com", "\"john doe\"@example.com");
    expect_path("joe@[192.0.2.1]", "joe@[192.0.2.1]");
}

static void envelope_path_invalid(void **state)
{
    (void)state;
    /* envelope.svtest "invalid paths", "syntax errors", "source route errors". */
    static const char *const bad[] = {
        "hutsefluts@", "knurft@", "<<stephan@example.org>", "stephan@example.org>",
        "<stephan@example.org", "<stephan example.org>", "<stephan@@example.org>",
        "<cola.example.org:stephan@example.org>", "<@.example.org:stephan@example.org>",
        "<@cola..nl:stephan@example.org>", "<@cola.example.orgstephan@example.org>",
        "<@cola.example.org@mx.utwente.nl:stephan@example.org>",
        "<@cola.example.org,mx.utwente.nl:stephan@example.org>",
        "<@cola.example.org,@mx.utwente.nl,stephan@example.org>", "<@cola.example.org:>",
        "MAILER-DAEMON@", "a@b..c", "a@.b",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *out = NULL;
        size_t len = 0;
        if (sv_envelope_path(bad[i], strlen(bad[i]), &out, &len) != 0)
            fail_msg("accepted: %s", bad[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(all_localpart_and_domain),
        cmocka_unit_test(quoted_local_part_is_read_without_its_quotes),
        cmocka_unit_test(invalid_addresses_have_no_localpart_or_domain),
        cmocka_unit_test(user_and_detail_split_at_the_separator),
        cmocka_unit_test(without_separator_user_is_the_local_part),
        cmocka_unit_test(empty_detail_is_empty_not_missing),
        cmocka_unit_test(several_separator_characters),
        cmocka_unit_test(unknown_part_is_refused),
        cmocka_unit_test(mailboxes_of_a_list),
        cmocka_unit_test(phrases_and_comments_are_not_compared),
        cmocka_unit_test(group_members_but_not_group_names),
        cmocka_unit_test(encoded_words_in_display_names),
        cmocka_unit_test(display_names_come_with_their_mailboxes),
        cmocka_unit_test(invalid_header_is_seen_whole),
        cmocka_unit_test(callback_result_stops_the_walk),
        cmocka_unit_test(envelope_path_without_source_route),
        cmocka_unit_test(envelope_path_forms_seen_in_the_wild),
        cmocka_unit_test(envelope_path_invalid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
