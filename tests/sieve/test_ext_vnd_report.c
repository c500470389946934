/* test_ext_vnd_report.c — vnd.dovecot.report: the report action, its RFC 5965 message (the
 * text, the feedback fields, the message or only its header), its From, and the checks of the
 * feedback type and the address at compile and run time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sieve_script_run.h"

#define R "require [\"vnd.dovecot.report\", \"variables\"];\n"

static const sieve_envelope envelope = {.struct_size = sizeof(sieve_envelope),
                                        .from = "alice@example.com", .to = "bob@example.org",
                                        .orig_to = "robert@example.org"};

static int64_t fixed_now(void *user)
{
    (void)user;
    return 1700000000;
}

static const sieve_callbacks callbacks = {.struct_size = sizeof(sieve_callbacks),
                                          .now = fixed_now};

static int setup(void **state)
{
    int rc = st_setup(state);
    st_opts.callbacks = &callbacks;
    return rc;
}

/* The one report of `script`, its result kept in *res (freed by the caller). */
static const char *report_mail(const char *script, sieve_result **res)
{
    assert_int_equal(st_run_result(script, NULL, &envelope, res), 0);
    assert_int_equal(sieve_result_count(*res), 1);
    int type;
    const char *target;
    assert_int_equal(sieve_result_action(*res, 0, &type, &target, NULL, NULL), 0);
    assert_int_equal(type, SIEVE_ACTION_REPORT);
    assert_string_equal(sieve_action_name(type), "report");
    const char *mail = sieve_result_action_param(*res, 0, "mail");
    assert_non_null(mail);
    return mail;
}

static void report_is_an_action_with_the_whole_message(void **state)
{
    (void)state;
    sieve_result *res;
    const char *mail = report_mail(R "report \"abuse\" \"This is spam!\" \"abuse@example.net\";",
                                   &res);
    const char *target;
    sieve_result_action(res, 0, NULL, &target, NULL, NULL);
    assert_string_equal(target, "abuse@example.net");
    assert_string_equal(sieve_result_action_param(res, 0, "feedback_type"), "abuse");
    assert_string_equal(sieve_result_action_param(res, 0, "message"), "This is spam!");
    assert_string_equal(sieve_result_action_param(res, 0, "from"), "postmaster@example.org");
    assert_null(sieve_result_action_param(res, 0, "headers_only"));
    assert_int_equal(sieve_result_implicit_keep(res), 1); /* a report keeps the message */
    assert_non_null(strstr(mail, "From: postmaster@example.org\r\n"));
    assert_non_null(strstr(mail, "To: abuse@example.net\r\n"));
    assert_non_null(strstr(mail, "Subject: Report: [acme-users] [fwd] version 1.0 is out\r\n"));
    assert_non_null(strstr(mail, "Auto-Submitted: auto-generated (report)\r\n"));
    assert_non_null(strstr(mail, "multipart/report"));
    assert_non_null(strstr(mail, "report-type=\"feedback-report\""));
    assert_non_null(strstr(mail, "This is spam!"));
    assert_non_null(strstr(mail, "Content-Type: message/feedback-report"));
    assert_non_null(strstr(mail, "Version: 1\r\nFeedback-Type: abuse\r\n"));
    assert_non_null(strstr(mail, "Original-Mail-From: <alice@example.com>\r\n"));
    assert_non_null(strstr(mail, "Original-Rcpt-To: <robert@example.org>\r\n"));
    assert_non_null(strstr(mail, "Dovecot-Reporting-User: <bob@example.org>\r\n"));
    assert_non_null(strstr(mail, "Content-Type: message/rfc822"));
    assert_non_null(strstr(mail, "List-Id: Acme users"));
    assert_non_null(strstr(mail, "Hello there."));
    sieve_result_free(res);
}

static void headers_only_leaves_the_body_out(void **state)
{
    (void)state;
    sieve_result *res;
    const char *mail = report_mail(R "report :headers_only \"fraud\" \"x\" \"abuse@example.net\";",
                                   &res);
    assert_string_equal(sieve_result_action_param(res, 0, "headers_only"), "yes");
    assert_non_null(strstr(mail, "Content-Type: text/rfc822-headers"));
    assert_non_null(strstr(mail, "List-Id: Acme users"));
    assert_null(strstr(mail, "Hello there."));
    assert_null(strstr(mail, "message/rfc822"));
    sieve_result_free(res);
}

static void from_and_reporting_user_follow_the_options(void **state)
{
    (void)state;
    static const char *const own[] = {"me@example.com", NULL};
    st_opts.report_from = "reports@example.com";
    st_opts.user_addresses = own;
    sieve_result *res;
    const char *mail = report_mail(R "report \"abuse\" \"x\" \"abuse@example.net\";", &res);
    assert_non_null(strstr(mail, "From: reports@example.com\r\n"));
    assert_non_null(strstr(mail, "Dovecot-Reporting-User: <me@example.com>\r\n"));
    assert_string_equal(sieve_result_action_param(res, 0, "from"), "reports@example.com");
    sieve_result_free(res);
    st_opts.report_from = NULL;
    st_opts.user_addresses = NULL;
}

static void report_needs_a_sender_domain(void **state)
{
    (void)state;
    static const sieve_envelope none = {.struct_size = sizeof(sieve_envelope)};
    sieve_result *res = NULL;
    assert_int_equal(st_run_result(R "report \"abuse\" \"x\" \"abuse@example.net\";", NULL, &none,
                                   &res), SIEVE_E_RUNTIME);
    assert_int_equal(sieve_result_count(res), 0);
    assert_non_null(strstr(st_error, "no sender address"));
    sieve_result_free(res);
}

static void arguments_are_checked_at_compile_time(void **state)
{
    (void)state;
    assert_int_equal(st_compile_errors(R "report \"abuse\" \"x\" \"a@example.net\";"), 0);
    assert_int_equal(st_compile_errors(R "report \"x-custom.type\" \"x\" \"a@example.net\";"), 0);
    assert_int_equal(st_compile_errors(R "report;"), 1);
    assert_int_equal(st_compile_errors(R "report \"abuse\" \"x\";"), 1);
    assert_int_equal(st_compile_errors(R "report \"abuse\" \"x\" 1;"), 1);
    assert_int_equal(st_compile_errors(R "report :frop \"abuse\" \"x\" \"a@example.net\";"), 1);
    assert_int_equal(st_compile_errors(R "report \"?????\" \"x\" \"a@example.net\";"), 1);
    assert_int_equal(st_compile_errors(R "report \"ab use\" \"x\" \"a@example.net\";"), 1);
    assert_int_equal(st_compile_errors(R "report \"\" \"x\" \"a@example.net\";"), 1);
    assert_int_equal(st_compile_errors(R "report \"abuse\" \"x\" \"not an address\";"), 1);
    assert_int_equal(st_compile_errors("report \"abuse\" \"x\" \"a@example.net\";"), 1);
    assert_int_equal(st_compile_errors("require \"vnd.dovecot.report\";\n"
                                       "keep :headers_only;"), 1);
}

static void computed_arguments_are_checked_at_run_time(void **state)
{
    (void)state;
    assert_string_equal(st_run_fails(R "set \"t\" \"a/b\";\n"
                                       "report \"${t}\" \"x\" \"a@example.net\";"), "+keep");
    assert_non_null(strstr(st_error, "invalid feedback type"));
    assert_string_equal(st_run_fails(R "set \"a\" \"nobody\";\n"
                                       "report \"abuse\" \"x\" \"${a}\";"), "+keep");
    assert_non_null(strstr(st_error, "invalid address"));
    assert_string_equal(st_run(R "set \"a\" \"Abuse desk <abuse@example.net>\";\n"
                                 "report \"abuse\" \"x\" \"${a}\";"),
                        "report abuse@example.net;+keep");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(report_is_an_action_with_the_whole_message),
        cmocka_unit_test(headers_only_leaves_the_body_out),
        cmocka_unit_test(from_and_reporting_user_follow_the_options),
        cmocka_unit_test(report_needs_a_sender_domain),
        cmocka_unit_test(arguments_are_checked_at_compile_time),
        cmocka_unit_test(computed_arguments_are_checked_at_run_time),
    };
    return cmocka_run_group_tests(tests, setup, st_teardown);
}
