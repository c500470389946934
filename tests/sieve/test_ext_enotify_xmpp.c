/* test_ext_enotify_xmpp.c — the xmpp notification method (RFC 5437, URIs of RFC 5122): which
 * URIs are valid, what the notify action reports for the caller to send, and methods this
 * library does not know (tel:, RFC 5435 §3, §4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sieve_script_run.h"

#define REQ "require [\"enotify\", \"variables\"];\n"

/* "yes" when valid_notify_method holds for `uri`. */
static const char *valid(const char *uri)
{
    char script[512];
    snprintf(script, sizeof script, REQ "if valid_notify_method \"%s\" { discard; }", uri);
    return strcmp(st_run(script), "discard;") == 0 ? "yes" : "no";
}

static void xmpp_uris(void **state)
{
    (void)state;
    assert_string_equal(valid("xmpp:tim@example.com?message;subject=SIEVE"), "yes");
    assert_string_equal(valid("xmpp:romeo@im.example.com"), "yes");
    assert_string_equal(valid("xmpp:example.com"), "yes");
    assert_string_equal(valid("xmpp:juliet@example.com/balcony"), "yes");
    assert_string_equal(valid("XMPP:nasty!%23$%25()*+,;=%3F@example.com"), "yes");
    assert_string_equal(valid("xmpp:tim@example.com?message;subject=SIEVE;body=You%20got%20mail"),
                        "yes");
    assert_string_equal(valid("xmpp:"), "no");
    assert_string_equal(valid("xmpp:@example.com"), "no");
    assert_string_equal(valid("xmpp://guest@example.com/support@example.com"), "no");
    assert_string_equal(valid("xmpp:juliet@example.com#frag"), "no");
    assert_string_equal(valid("xmpp:juliet@example.com/"), "no");
    assert_string_equal(valid("xmpp:jul iet@example.com"), "no");
    assert_string_equal(valid("xmpp:juliet@example.com?message;subject"), "no");
    assert_string_equal(valid("xmpp:juliet@example.com?message;subject=%ZZ"), "no");
    assert_string_equal(valid("xmpp:juliet@example.com?message;body=%FF"), "no");
}

static void notify_reports_the_jid_and_the_message(void **state)
{
    (void)state;
    sieve_result *r = NULL;
    assert_int_equal(st_run_result(REQ "notify :importance \"1\" :message \"You got mail\" "
                                   "\"xmpp:tim@example.com?message;subject=SIEVE;body=Hi%20there\";"
                                   "notify \"xmpp:tim@example.com?message;subject=SIEVE;body=Hi%20there\";",
                                   NULL, NULL, &r), 0);
    assert_int_equal(sieve_result_count(r), 1); /* the same notification twice is one (§3.8) */
    assert_string_equal(sieve_result_action_param(r, 0, "jid"), "tim@example.com");
    assert_string_equal(sieve_result_action_param(r, 0, "subject"), "SIEVE");
    assert_string_equal(sieve_result_action_param(r, 0, "body"), "Hi there");
    assert_string_equal(sieve_result_action_param(r, 0, "message"), "You got mail");
    assert_string_equal(sieve_result_action_param(r, 0, "importance"), "1");
    assert_null(sieve_result_action_param(r, 0, "recipients"));
    sieve_result_free(r);
    assert_int_equal(st_run_result(REQ "notify \"xmpp:romeo@im.example.com/orchard\";", NULL,
                                   NULL, &r), 0);
    assert_string_equal(sieve_result_action_param(r, 0, "jid"), "romeo@im.example.com/orchard");
    assert_null(sieve_result_action_param(r, 0, "subject"));
    sieve_result_free(r);
    assert_string_equal(st_run(REQ "if notify_method_capability \"xmpp:tim@example.com\" "
                               "\"Online\" \"maybe\" { discard; }"), "discard;");
    /* RFC 8580: both methods take :fcc. */
    assert_string_equal(st_run(REQ "if notify_method_capability \"xmpp:tim@example.com\" "
                               "\"fcc\" \"yes\" { discard; }"), "discard;");
    assert_string_equal(st_run(REQ "if notify_method_capability \"xmpp:\" "
                               "\"fcc\" \"yes\" { discard; }"), "+keep");
}

static void unknown_methods_are_errors(void **state)
{
    (void)state;
    assert_string_equal(valid("tel:+14085551212"), "no");
    assert_int_equal(st_compile_errors(REQ "notify :message \"m\" \"tel:+14085551212\";"), 1);
    assert_non_null(strstr(st_error, "unsupported notification method"));
    assert_int_equal(st_compile_errors(REQ "notify \"xmpp:@example.com\";"), 1);
    assert_non_null(strstr(st_error, "invalid xmpp URI"));
    /* A script that checks first compiles and runs. */
    assert_string_equal(st_run(REQ "set \"m\" \"tel:+14085551212\"; "
                               "if valid_notify_method \"${m}\" { notify \"${m}\"; }"), "+keep");
    st_run_fails(REQ "set \"m\" \"tel:+14085551212\"; notify \"${m}\";");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(xmpp_uris),
        cmocka_unit_test(notify_reports_the_jid_and_the_message),
        cmocka_unit_test(unknown_methods_are_errors),
    };
    return cmocka_run_group_tests(tests, st_setup, st_teardown);
}
