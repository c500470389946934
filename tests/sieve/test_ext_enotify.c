/* test_ext_enotify.c — enotify (RFC 5435) with the mailto method (RFC 5436): notify and its
 * arguments, valid_notify_method, notify_method_capability, duplicate notifications (§3.8),
 * :encodeurl, and :fcc (RFC 8580) on notify. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sieve_script_run.h"

#define N "require \"enotify\";\n"

static sieve_result *notify_run(const char *script)
{
    sieve_result *r = NULL;
    int rc = st_run_result(script, NULL, NULL, &r);
    if (rc)
        fprintf(stderr, "notify_run: %s: %s\n", sieve_strerror(rc), st_error);
    assert_int_equal(rc, 0);
    return r;
}

static void notify_adds_an_action_with_its_params(void **state)
{
    (void)state;
    assert_string_equal(st_run(N "notify \"mailto:alice@example.com\";"),
                        "notify mailto:alice@example.com;+keep");
    sieve_result *r = notify_run(N "notify :from \"bob@example.org\" :importance \"1\" "
                                 ":options [\"a=1\", \"b.c=x y\"] :message \"You've got mail\" "
                                 "\"mailto:Alice@Example.com?cc=carol@example.net&subject=Hi\";");
    assert_int_equal(sieve_result_count(r), 1);
    assert_string_equal(sieve_result_action_param(r, 0, "method"),
                        "mailto:Alice@Example.com?cc=carol@example.net&subject=Hi");
    assert_string_equal(sieve_result_action_param(r, 0, "from"), "bob@example.org");
    assert_string_equal(sieve_result_action_param(r, 0, "importance"), "1");
    assert_string_equal(sieve_result_action_param(r, 0, "options"), "a=1\nb.c=x y");
    assert_string_equal(sieve_result_action_param(r, 0, "message"), "You've got mail");
    assert_string_equal(sieve_result_action_param(r, 0, "recipients"),
                        "alice@example.com\ncarol@example.net");
    sieve_result_free(r);
    /* The defaults: importance 2, a message from the sender and subject. */
    r = notify_run(N "notify \"mailto:alice@example.com\";");
    assert_string_equal(sieve_result_action_param(r, 0, "importance"), "2");
    assert_string_equal(sieve_result_action_param(r, 0, "message"),
                        "alice@example.com: [acme-users] [fwd] version 1.0 is out");
    assert_null(sieve_result_action_param(r, 0, "from"));
    assert_null(sieve_result_action_param(r, 0, "options"));
    sieve_result_free(r);
}

static void constant_arguments_are_checked_at_compile_time(void **state)
{
    (void)state;
    assert_int_equal(st_compile_errors("notify \"mailto:a@b.c\";"), 1);
    assert_int_equal(st_compile_errors(N "notify \"xmpp:a@b.c\";"), 1);
    assert_int_equal(st_compile_errors(N "notify \"no scheme\";"), 1);
    assert_int_equal(st_compile_errors(N "notify :importance \"4\" \"mailto:a@b.c\";"), 1);
    assert_int_equal(st_compile_errors(N "notify :importance \"0\" \"mailto:a@b.c\";"), 1);
    assert_int_equal(st_compile_errors(N "notify :importance \"3\" \"mailto:a@b.c\";"), 0);
    assert_int_equal(st_compile_errors(N "notify :from \"not an address\" \"mailto:a@b.c\";"), 1);
    /* The :options of Pigeonhole's errors/options.sieve. */
    static const char *const bad_options[] = {"", "frop", "_frop=", "=frop", "frop=frml\nfrop"};
    char script[256];
    for (size_t i = 0; i < sizeof bad_options / sizeof bad_options[0]; i++) {
        snprintf(script, sizeof script, N "notify :options \"%s\" \"mailto:a@b.c\";", bad_options[i]);
        assert_int_equal(st_compile_errors(script), 1);
    }
    /* The mailto URIs of errors/uri-mailto.sieve. */
    static const char *const bad_uris[] = {
        "mailto:stephan@example.org;?header=frop", "mailto:stephan@example.org?header<=frop",
        "mailto:stephan@example.org?header=fr>op", "mailto:stephan@example.org?header:=frop",
        "mailto:stephan%23example.org", "mailto:stephan@example.org?to=nico%23frop.example.org",
        "mailto:", "mailto:?subject=x", "mailto:a@b.c?subject=%4", "mailto:a@b.c%00",
    };
    for (size_t i = 0; i < sizeof bad_uris / sizeof bad_uris[0]; i++) {
        snprintf(script, sizeof script, N "notify \"%s\";", bad_uris[i]);
        assert_int_equal(st_compile_errors(script), 1);
    }
}

static void variable_arguments_are_checked_at_run_time(void **state)
{
    (void)state;
    st_run_fails("require [\"enotify\", \"variables\"];\nset \"u\" \"mailto:nobody\";\n"
                 "notify \"${u}\";");
    st_run_fails("require [\"enotify\", \"variables\"];\nset \"i\" \"5\";\n"
                 "notify :importance \"${i}\" \"mailto:a@b.c\";");
    assert_string_equal(st_run("require [\"enotify\", \"variables\"];\nset \"u\" \"a@b.c\";\n"
                               "notify \"mailto:${u}\";"), "notify mailto:a@b.c;+keep");
}

static void valid_notify_method(void **state)
{
    (void)state;
    assert_string_equal(st_test(N, "valid_notify_method \"mailto:stephan@example.org\""), "yes");
    assert_string_equal(st_test(N, "valid_notify_method [\"mailto:a@b.c\", \"MAILTO:d@e.f\"]"), "yes");
    assert_string_equal(st_test(N, "valid_notify_method [\"mailto:a@b.c\", \"xmpp:d@e.f\"]"), "no");
    assert_string_equal(st_test(N, "valid_notify_method \"mailto:stephan@example.org?header:=frop\""), "no");
    assert_string_equal(st_test(N, "valid_notify_method \"mailto:stephan%23example.org\""), "no");
    assert_string_equal(st_test(N, "valid_notify_method \"mailto:a@b.c?to=nico%23frop.example.org\""), "no");
    assert_string_equal(st_test(N, "valid_notify_method \"mailto:?to=a%40b.c\""), "yes");
}

static void notify_method_capability(void **state)
{
    (void)state;
    assert_string_equal(st_test(N, "notify_method_capability :is \"mailto:stephan@example.org\" "
                                   "\"online\" \"maybe\""), "yes");
    assert_string_equal(st_test(N, "notify_method_capability :is \"mailto:stephan@example.org\" "
                                   "\"online\" \"yes\""), "no");
    assert_string_equal(st_test(N, "notify_method_capability \"mailto:a@b.c\" \"ONLINE\" "
                                   "[\"no\", \"MAYBE\"]"), "yes");
    assert_string_equal(st_test(N, "notify_method_capability \"xmpp:a@b.c\" \"online\" \"maybe\""), "no");
    assert_string_equal(st_test(N, "notify_method_capability \"mailto:a@b.c\" \"other\" \"maybe\""), "no");
    assert_string_equal(st_test(N, "notify_method_capability :matches \"mailto:a@b.c\" \"online\" \"m*\""), "yes");
}

static void duplicates_are_notified_once(void **state)
{
    (void)state;
    /* Pigeonhole's execute/duplicates.sieve: the second action keeps the recipients the
     * first did not have. */
    sieve_result *r = notify_run(N
        "notify :message \"1\" \"mailto:stephan@example.org%2cstephan@friep.example.com%2cidiot@example.org\";\n"
        "notify :message \"2\" \"mailto:tss@example.net%2cstephan@example.org%2cidiot@example.org"
        "%2cnico@frop.example.org%2cstephan@friep.example.com\";");
    assert_int_equal(sieve_result_count(r), 2);
    assert_string_equal(sieve_result_action_param(r, 1, "recipients"),
                        "nico@frop.example.org\ntss@example.net");
    sieve_result_free(r);
    /* All notified already: no second action. */
    assert_string_equal(st_run(N "notify \"mailto:a@b.c\"; notify \"mailto:A@B.C?subject=x\";"),
                        "notify mailto:a@b.c;+keep");
}

static void encodeurl_modifier(void **state)
{
    (void)state;
    assert_string_equal(st_test("require [\"enotify\", \"variables\"];\n"
                                "set :encodeurl \"v\" \"a b&c=d/é\";",
                                "string :is \"${v}\" \"a%20b%26c%3Dd%2F%C3%A9\""), "yes");
    assert_int_equal(st_compile_errors("require \"variables\";\nset :encodeurl \"v\" \"x\";"), 1);
}

static void fcc_on_notify(void **state)
{
    (void)state;
    sieve_result *r = notify_run("require [\"enotify\", \"fcc\"];\n"
                                 "notify :fcc \"Notified\" \"mailto:a@b.c\";");
    assert_string_equal(sieve_result_action_param(r, 0, "fcc"), "Notified");
    assert_null(sieve_result_action_param(r, 0, "fcc_flags"));
    sieve_result_free(r);
    assert_int_equal(st_compile_errors(N "notify :fcc \"Notified\" \"mailto:a@b.c\";"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(notify_adds_an_action_with_its_params),
        cmocka_unit_test(constant_arguments_are_checked_at_compile_time),
        cmocka_unit_test(variable_arguments_are_checked_at_run_time),
        cmocka_unit_test(valid_notify_method),
        cmocka_unit_test(notify_method_capability),
        cmocka_unit_test(duplicates_are_notified_once),
        cmocka_unit_test(encodeurl_modifier),
        cmocka_unit_test(fcc_on_notify),
    };
    return cmocka_run_group_tests(tests, st_setup, st_teardown);
}
