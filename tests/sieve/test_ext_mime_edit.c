/* test_ext_mime_edit.c — RFC 5703 replace (§5) and enclose (§6): the message rebuilt byte
 * for byte, what the tests after the rebuild see, which message each action delivers
 * (sieve_result_action_message), and the limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sieve_script_run.h"

#define REQ "require [\"replace\", \"enclose\", \"mime\", \"foreverypart\", \"fileinto\", " \
            "\"copy\", \"variables\", \"editheader\"];\n"

/* Parts: the message (AA), a multipart (BB) holding CC and DD, then EE. */
static const char nested[] =
    "From: Hendrik <hendrik@example.com>\r\n"
    "To: Harrie <harrie@example.com>\r\n"
    "Date: Sat, 11 Oct 2010 00:31:44 +0200\r\n"
    "Subject: Harrie is een prutser\r\n"
    "Content-Type: multipart/mixed; boundary=AA\r\n"
    "X-Test: AA\r\n"
    "\r\n"
    "This is a multi-part message in MIME format.\r\n"
    "--AA\r\n"
    "Content-Type: multipart/mixed; boundary=BB\r\n"
    "X-Test: BB\r\n"
    "\r\n"
    "This is a multi-part message in MIME format.\r\n"
    "--BB\r\n"
    "Content-Type: text/plain; charset=\"us-ascii\"\r\n"
    "X-Test: CC\r\n"
    "\r\n"
    "Hello\r\n"
    "\r\n"
    "--BB\r\n"
    "Content-Type: text/plain; charset=\"us-ascii\"\r\n"
    "X-Test: DD\r\n"
    "\r\n"
    "Hello again\r\n"
    "\r\n"
    "--BB--\r\n"
    "This is the end of MIME multipart.\r\n"
    "\r\n"
    "--AA\r\n"
    "Content-Type: text/plain; charset=\"us-ascii\"\r\n"
    "X-Test: EE\r\n"
    "\r\n"
    "And again\r\n"
    "\r\n"
    "--AA--\r\n"
    "This is the end of  MIME multipart.\r\n";

/* Non-zero when `s` occurs in m[0..len). */
static int holds(const unsigned char *m, size_t len, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; n <= len && i <= len - n; i++)
        if (!memcmp(m + i, s, n))
            return 1;
    return 0;
}

static int64_t fixed_now(void *user)
{
    (void)user;
    return 1700000000; /* Tue, 14 Nov 2023 22:13:20 +0000 */
}

static const sieve_callbacks clock_cb = {.struct_size = sizeof(sieve_callbacks),
                                         .now = fixed_now};

static char got[8192];

/* Runs `script` on `msg` (it must succeed) and copies the message the i-th action delivers
 * (SIZE_MAX: the implicit keep's) into `got`, "received" when it is the received one. Returns
 * the result (free it). */
static sieve_result *run_msg(const char *script, const char *msg, size_t i)
{
    sieve_result *r = NULL;
    int rc = st_run_result(script, msg, NULL, &r);
    if (rc)
        fprintf(stderr, "run_msg: %s: %s\n", sieve_strerror(rc), st_error);
    assert_int_equal(rc, 0);
    size_t len = 0, first = 0;
    const unsigned char *m =
        sieve_result_action_message(r, i == SIZE_MAX ? sieve_result_count(r) : i, &len, &first);
    if (!m)
        snprintf(got, sizeof got, "received");
    else
        snprintf(got, sizeof got, "%.*s", (int)len, (const char *)m);
    return r;
}

/* The implicit keep's message of `script` run on `msg`. */
static const char *kept(const char *script, const char *msg)
{
    sieve_result_free(run_msg(script, msg, SIZE_MAX));
    return got;
}

static int setup(void **state)
{
    int rc = st_setup(state);
    st_opts.callbacks = &clock_cb;
    return rc;
}

/* ---- replace ------------------------------------------------------------------------------ */

static void replace_text_parts_keeps_everything_around_them(void **state)
{
    (void)state;
    assert_string_equal(kept(REQ "foreverypart { if header :mime :type \"content-type\" \"text\" "
                             "{ replace \"Your text content was censored!\"; } }", nested),
                        "From: Hendrik <hendrik@example.com>\r\n"
                        "To: Harrie <harrie@example.com>\r\n"
                        "Date: Sat, 11 Oct 2010 00:31:44 +0200\r\n"
                        "Subject: Harrie is een prutser\r\n"
                        "Content-Type: multipart/mixed; boundary=AA\r\n"
                        "X-Test: AA\r\n"
                        "\r\n"
                        "This is a multi-part message in MIME format.\r\n"
                        "--AA\r\n"
                        "Content-Type: multipart/mixed; boundary=BB\r\n"
                        "X-Test: BB\r\n"
                        "\r\n"
                        "This is a multi-part message in MIME format.\r\n"
                        "--BB\r\n"
                        "Content-Type: text/plain; charset=utf-8\r\n"
                        "\r\n"
                        "Your text content was censored!\r\n"
                        "--BB\r\n"
                        "Content-Type: text/plain; charset=utf-8\r\n"
                        "\r\n"
                        "Your text content was censored!\r\n"
                        "--BB--\r\n"
                        "This is the end of MIME multipart.\r\n"
                        "\r\n"
                        "--AA\r\n"
                        "Content-Type: text/plain; charset=utf-8\r\n"
                        "\r\n"
                        "Your text content was censored!\r\n"
                        "--AA--\r\n"
                        "This is the end of  MIME multipart.\r\n");
}

static void replace_of_a_multipart_drops_its_children(void **state)
{
    (void)state;
    /* §5: the loop does not go into the parts that are gone; the tests after see the new
     * structure. */
    sieve_result *r = run_msg(REQ "foreverypart { foreverypart { "
                              "if header :mime :type \"content-type\" \"multipart\" { "
                              "replace \"No nested parts.\"; } "
                              "if header :mime \"X-Test\" [\"CC\", \"DD\"] { fileinto \"inner\"; } "
                              "} } "
                              "if header :mime :anychild \"X-Test\" \"BB\" { fileinto \"bb\"; } "
                              "if header :mime :anychild \"X-Test\" \"EE\" { fileinto \"ee\"; }",
                              nested, SIZE_MAX);
    assert_int_equal(sieve_result_count(r), 1);
    const char *target;
    sieve_result_action(r, 0, NULL, &target, NULL, NULL);
    assert_string_equal(target, "ee");
    sieve_result_free(r);
    assert_non_null(strstr(got, "--AA\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                                "No nested parts.\r\n--AA\r\nContent-Type: text/plain; "
                                "charset=\"us-ascii\"\r\nX-Test: EE\r\n"));
    assert_null(strstr(got, "--BB"));
}

static void replace_of_the_message_keeps_its_header(void **state)
{
    (void)state;
    assert_string_equal(kept(REQ "replace :from \"Unknown Sender <unknown@sender.com>\" "
                             ":subject \"Contents removed\" \"Your message contents were\n"
                             "removed.\";", nested),
                        "Original-From: Hendrik <hendrik@example.com>\r\n"
                        "To: Harrie <harrie@example.com>\r\n"
                        "Date: Sat, 11 Oct 2010 00:31:44 +0200\r\n"
                        "Original-Subject: Harrie is een prutser\r\n"
                        "X-Test: AA\r\n"
                        "From: Unknown Sender <unknown@sender.com>\r\n"
                        "Subject: Contents removed\r\n"
                        "MIME-Version: 1.0\r\n"
                        "Content-Type: text/plain; charset=utf-8\r\n"
                        "\r\n"
                        "Your message contents were\r\n"
                        "removed.");
    /* Non-ASCII text gets an encoding; a Subject gets RFC 2047 words. */
    kept(REQ "replace :subject \"Caf\xc3\xa9\" \"Caf\xc3\xa9 ferm\xc3\xa9.\";", nested);
    assert_non_null(strstr(got, "Subject: =?utf-8?"));
    assert_non_null(strstr(got, "Content-Transfer-Encoding: "));
    assert_null(strstr(got, "Caf\xc3\xa9"));
}

static void replace_mime_takes_an_entity(void **state)
{
    (void)state;
    assert_string_equal(kept(REQ "replace :mime \"Content-Type: text/html\n\n"
                             "<h1>Removed.</h1>\";", nested),
                        "From: Hendrik <hendrik@example.com>\r\n"
                        "To: Harrie <harrie@example.com>\r\n"
                        "Date: Sat, 11 Oct 2010 00:31:44 +0200\r\n"
                        "Subject: Harrie is een prutser\r\n"
                        "X-Test: AA\r\n"
                        "MIME-Version: 1.0\r\n"
                        "Content-Type: text/html\r\n"
                        "\r\n"
                        "<h1>Removed.</h1>");
    /* Inside a loop :from and :subject do nothing (§5). */
    kept(REQ "foreverypart { if header :mime \"X-Test\" \"EE\" { replace :subject \"S\" "
         ":mime \"Content-Type: text/x-note\n\nnote\"; } }", nested);
    assert_non_null(strstr(got, "\r\n--AA\r\nContent-Type: text/x-note\r\n\r\nnote\r\n--AA--\r\n"));
    assert_null(strstr(got, "Original-Subject"));
}

static void tests_after_replace_see_the_new_message(void **state)
{
    (void)state;
    sieve_result *r = run_msg(REQ "replace \"gone\"; "
                              "if header :mime :anychild \"X-Test\" \"CC\" { fileinto \"cc\"; } "
                              "if header :contains \"content-type\" \"text/plain\" "
                              "{ fileinto \"plain\"; } "
                              "if size :under 1K { fileinto \"small\"; }",
                              nested, SIZE_MAX);
    assert_int_equal(sieve_result_count(r), 2);
    const char *target;
    sieve_result_action(r, 0, NULL, &target, NULL, NULL);
    assert_string_equal(target, "plain");
    sieve_result_free(r);
}

static void actions_deliver_the_message_of_their_time(void **state)
{
    (void)state;
    sieve_result *r = run_msg(REQ "fileinto :copy \"before\"; replace \"gone\"; "
                              "fileinto :copy \"after\";", nested, 0);
    assert_string_equal(got, "received");
    size_t len = 0, first = 7;
    const unsigned char *m = sieve_result_action_message(r, 1, &len, &first);
    assert_non_null(m);
    assert_int_equal(first, 0);
    assert_true(holds(m, len, "gone"));
    /* Out of range: nothing. */
    assert_null(sieve_result_action_message(r, 9, &len, &first));
    assert_int_equal(len, 0);
    sieve_result_free(r);
}

static void edits_before_a_rebuild_are_in_it(void **state)
{
    (void)state;
    sieve_result *r = run_msg(REQ "addheader \"X-Before\" \"1\"; deleteheader \"X-Test\"; "
                              "replace \"gone\"; addheader \"X-After\" \"2\";", nested, SIZE_MAX);
    assert_non_null(strstr(got, "X-Before: 1\r\nFrom: Hendrik"));
    assert_null(strstr(got, "X-Test"));
    assert_null(strstr(got, "X-After"));
    size_t first = 0;
    sieve_result_action_message(r, sieve_result_count(r), NULL, &first);
    assert_int_equal(first, 2); /* the add and the delete */
    assert_int_equal(sieve_result_edit_count(r), 3);
    sieve_result_free(r);
}

static void replace_from_must_be_a_mailbox_list(void **state)
{
    (void)state;
    assert_int_equal(st_compile_errors(REQ "replace :from \"not an address\" \"x\";"), 1);
    assert_int_equal(st_compile_errors(REQ "replace :from \"a@b.c, D <d@e.f>\" \"x\";"), 0);
    assert_int_equal(st_compile_errors("require \"mime\";\nreplace \"x\";"), 1);
    assert_int_equal(st_compile_errors("require \"replace\";\nreplace :headers [\"a\"] \"x\";"), 1);
    char out[256];
    assert_int_equal(st_run_on(REQ "set \"f\" \"nobody\"; replace :from \"${f}\" \"x\";",
                               nested, out, sizeof out), SIEVE_E_RUNTIME);
}

static void a_failed_run_delivers_the_received_message(void **state)
{
    (void)state;
    sieve_result *r = NULL;
    assert_int_equal(st_run_result(REQ "replace \"gone\"; set \"f\" \"x\"; "
                                   "replace :from \"${f}\" \"y\";", nested, NULL, &r),
                     SIEVE_E_RUNTIME);
    assert_null(sieve_result_action_message(r, sieve_result_count(r), NULL, NULL));
    sieve_result_free(r);
}

static void rebuilds_are_bounded(void **state)
{
    (void)state;
    char script[4096];
    size_t n = (size_t)snprintf(script, sizeof script, "%s", REQ);
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(script + n, sizeof script - n, "replace \"x\";\n");
    sieve_result *r = NULL;
    assert_int_equal(st_run_result(script, nested, NULL, &r), 0);
    sieve_result_free(r);
    snprintf(script + n, sizeof script - n, "replace \"x\";\n");
    assert_int_equal(st_run_result(script, nested, NULL, &r), SIEVE_E_RUNTIME);
    assert_non_null(strstr(st_error, "rebuilt more than 100 times"));
    sieve_result_free(r);
}

/* Odd messages: empty, no body, bare LF line ends, a nested message replaced inside. */
static void odd_messages_are_rebuilt(void **state)
{
    (void)state;
    static const char *const msgs[] = {
        "",
        "Subject: only a header\r\n",
        "Subject: bare\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n--b--\n",
        "Subject: nested\r\nContent-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\n"
        "Content-Type: message/rfc822\r\n\r\nSubject: inner\r\nX-Test: in\r\n\r\nbody\r\n"
        "--o--\r\n",
    };
    for (size_t i = 0; i < sizeof msgs / sizeof msgs[0]; i++) {
        kept(REQ "foreverypart { if header :mime \"X-Test\" \"in\" { replace \"gone\"; } } "
             "foreverypart { replace :mime \"\"; } enclose \"\"; replace \"last\";", msgs[i]);
        assert_non_null(strstr(got, "\r\n\r\nlast"));
    }
    kept(REQ "foreverypart { if header :mime \"X-Test\" \"in\" { replace \"gone\"; } }", msgs[3]);
    assert_non_null(strstr(got, "Content-Type: message/rfc822\r\n\r\nContent-Type: text/plain; "
                                "charset=utf-8\r\n\r\ngone\r\n--o--\r\n"));
}

/* ---- enclose ------------------------------------------------------------------------------ */

static const char simple[] =
    "From: stephan@example.com\r\n"
    "To: nico@nl.example.com, harry@de.example.com\r\n"
    "Subject: Frobnitzm\r\n"
    "X-Spam: Yes\r\n"
    "\r\n"
    "Test.\r\n";

/* What follows `prefix` in `got` up to `stop` (copied), or "" when `prefix` is not there:
 * the boundary and the Message-ID the run chose. */
static const char *found_in_got(const char *prefix, char stop)
{
    static char b[128];
    const char *p = strstr(got, prefix);
    size_t n = 0;
    if (p)
        for (p += strlen(prefix); p[n] && p[n] != stop && n + 1 < sizeof b; n++)
            b[n] = p[n];
    b[n] = '\0';
    return b;
}

static void enclose_wraps_the_message(void **state)
{
    (void)state;
    kept(REQ "enclose \"This message is quite dangerous\nand has been enclosed.\";", simple);
    char expect[4096], b[128], id[128];
    snprintf(b, sizeof b, "%s", found_in_got("boundary=\"", '"'));
    snprintf(id, sizeof id, "%s", found_in_got("Message-ID: <", '>'));
    assert_true(strlen(b) > 8);
    assert_non_null(strstr(id, "@example.org"));
    snprintf(expect, sizeof expect,
             "X-Sieve: libmail-sieve %s\r\n"
             "Subject: Frobnitzm\r\n"
             "From: bob@example.org\r\n"
             "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
             "Message-ID: <%s>\r\n"
             "MIME-Version: 1.0\r\n"
             "Content-Type: multipart/mixed; boundary=\"%s\"\r\n"
             "\r\n"
             "--%s\r\n"
             "Content-Type: text/plain; charset=utf-8\r\n"
             "Content-Transfer-Encoding: 7bit\r\n"
             "\r\n"
             "This message is quite dangerous\r\n"
             "and has been enclosed.\r\n"
             "--%s\r\n"
             "Content-Type: message/rfc822\r\n"
             "Content-Transfer-Encoding: 7bit\r\n"
             "\r\n"
             "%s"
             "\r\n"
             "--%s--\r\n",
             sieve_version(), id, b, b, b, simple, b);
    assert_string_equal(got, expect);
    /* The same run gives the same bytes (no randomness). */
    char first[sizeof got];
    snprintf(first, sizeof first, "%s", got);
    kept(REQ "enclose \"This message is quite dangerous\nand has been enclosed.\";", simple);
    assert_string_equal(got, first);
}

static void enclose_headers_add_fields_or_copy_them(void **state)
{
    (void)state;
    kept(REQ "enclose :subject \"Inception\" :headers [\"From: john@example.com\", "
         "\"To: Undisclosed recipients:;\", \"Date: Mon, 1 Jan 2024 00:00:00 +0000\", "
         "\"X-Spam\", \"Content-Type: text/evil\"] \"Enclosed.\";", simple);
    assert_non_null(strstr(got, "Subject: Inception\r\nFrom: john@example.com\r\n"
                                "To: Undisclosed recipients:;\r\n"
                                "Date: Mon, 1 Jan 2024 00:00:00 +0000\r\n"
                                "X-Spam: Yes\r\nMessage-ID: <"));
    assert_non_null(strstr(got, ">\r\nMIME-Version: 1.0\r\n"
                                "Content-Type: multipart/mixed;"));
    assert_null(strstr(got, "text/evil"));
    assert_null(strstr(got, "From: bob@example.org"));
    /* A Message-ID given is the one. */
    kept(REQ "enclose :headers \"Message-ID: <my-custom-message@id>\" \"x\";", simple);
    assert_non_null(strstr(got, "\r\nMessage-ID: <my-custom-message@id>\r\n"));
    assert_null(strstr(strstr(got, "<my-custom-message@id>") + 1, "Message-ID:"));
}

static void enclose_twice_nests_and_loops_follow(void **state)
{
    (void)state;
    sieve_result *r = run_msg(REQ "enclose \"one\"; enclose \"two\"; "
                              "foreverypart { if header :mime \"X-Spam\" \"Yes\" "
                              "{ fileinto \"found\"; } }", simple, SIZE_MAX);
    assert_int_equal(sieve_result_count(r), 1);
    sieve_result_free(r);
    /* The second wraps the first: two message/rfc822 parts, the original innermost. */
    const char *one = strstr(got, "\r\none\r\n"), *two = strstr(got, "\r\ntwo\r\n");
    assert_non_null(one);
    assert_non_null(two);
    assert_true(two < one);
    /* A loop that encloses goes on over the enclosed message's parts. */
    r = run_msg(REQ "foreverypart { if header :mime \"X-Test\" \"BB\" { enclose \"wrapped\"; } "
                "if header :mime \"X-Test\" \"CC\" { fileinto \"CC\"; } "
                "if header :mime \"X-Test\" \"DD\" { fileinto \"DD\"; } "
                "if header :mime \"X-Test\" \"EE\" { fileinto \"EE\"; } }",
                nested, SIZE_MAX);
    const char *t[3];
    assert_int_equal(sieve_result_count(r), 3);
    for (size_t i = 0; i < 3; i++)
        sieve_result_action(r, i, NULL, &t[i], NULL, NULL);
    assert_string_equal(t[0], "CC");
    assert_string_equal(t[2], "EE");
    sieve_result_free(r);
}

static void redirect_sends_the_message_before_enclose(void **state)
{
    (void)state;
    sieve_result *r = run_msg(REQ "replace \"first\"; enclose \"wrapped\"; redirect \"c@d.e\"; "
                              "fileinto \"box\";", simple, 0);
    assert_string_equal(got, "From: stephan@example.com\r\n"
                             "To: nico@nl.example.com, harry@de.example.com\r\n"
                             "Subject: Frobnitzm\r\n"
                             "X-Spam: Yes\r\n"
                             "MIME-Version: 1.0\r\n"
                             "Content-Type: text/plain; charset=utf-8\r\n"
                             "\r\n"
                             "first");
    size_t len;
    const unsigned char *m = sieve_result_action_message(r, 1, &len, NULL);
    assert_non_null(m);
    assert_true(holds(m, len, "wrapped"));
    sieve_result_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(replace_text_parts_keeps_everything_around_them),
        cmocka_unit_test(replace_of_a_multipart_drops_its_children),
        cmocka_unit_test(replace_of_the_message_keeps_its_header),
        cmocka_unit_test(replace_mime_takes_an_entity),
        cmocka_unit_test(tests_after_replace_see_the_new_message),
        cmocka_unit_test(actions_deliver_the_message_of_their_time),
        cmocka_unit_test(edits_before_a_rebuild_are_in_it),
        cmocka_unit_test(replace_from_must_be_a_mailbox_list),
        cmocka_unit_test(a_failed_run_delivers_the_received_message),
        cmocka_unit_test(rebuilds_are_bounded),
        cmocka_unit_test(odd_messages_are_rebuilt),
        cmocka_unit_test(enclose_wraps_the_message),
        cmocka_unit_test(enclose_headers_add_fields_or_copy_them),
        cmocka_unit_test(enclose_twice_nests_and_loops_follow),
        cmocka_unit_test(redirect_sends_the_message_before_enclose),
    };
    return cmocka_run_group_tests(tests, setup, st_teardown);
}
