/* test_ext_vnd_filter.c — vnd.dovecot.filter: the program gets the message as the run sees it,
 * its output becomes the message the later tests read and the later actions deliver; a
 * failure as a command and as a test; the limits on output and on programs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sieve_script_run.h"
#include "sieve_program_stub.h"

#define REQ "require [\"vnd.dovecot.filter\", \"editheader\", \"fileinto\", \"copy\"];\n"

static void the_output_is_the_message_from_then_on(void **state)
{
    (void)state;
    assert_string_equal(st_run(REQ "if exists \"X-Filtered\" { discard; }\n"
                                   "filter \"tag\" [\"--fast\"];\n"
                                   "if header :is \"X-Filtered\" \"yes\" { fileinto \"Done\"; }"),
                        "fileinto Done;");
    assert_int_equal(stub.kind, SIEVE_PROGRAM_FILTER);
    assert_string_equal(stub.name, "tag");
    assert_string_equal(stub.args, "--fast");
    assert_int_equal(stub.had_output, 1);
    assert_string_equal(stub.input, st_message);
}

static void the_input_has_the_header_edits(void **state)
{
    (void)state;
    st_run(REQ "addheader \"X-Before\" \"1\"; filter \"cat\";");
    assert_non_null(strstr(stub.input, "X-Before: 1\r\n"));
    assert_non_null(strstr(stub.input, "Hello there.\r\n"));
}

static void later_actions_deliver_the_filtered_message(void **state)
{
    (void)state;
    sieve_result *r = NULL;
    assert_int_equal(st_run_result(REQ "fileinto :copy \"A\"; filter \"tag\"; fileinto \"B\";",
                                   NULL, NULL, &r), 0);
    size_t len, first;
    assert_null(sieve_result_action_message(r, 0, &len, &first));
    const unsigned char *m = sieve_result_action_message(r, 1, &len, &first);
    assert_non_null(m);
    assert_int_equal(len, strlen("X-Filtered: yes\r\n") + strlen(st_message));
    assert_memory_equal(m, "X-Filtered: yes\r\nFrom:", 22);
    sieve_result_free(r);
}

static void a_failed_command_is_a_run_time_error(void **state)
{
    (void)state;
    assert_string_equal(st_run_fails(REQ "filter \"fail\"; discard;"), "+keep");
    assert_non_null(strstr(st_error, "filter"));
}

static void as_a_test_failure_is_false_and_the_message_stays(void **state)
{
    (void)state;
    assert_string_equal(st_test(REQ, "filter \"fail\""), "no");
    assert_string_equal(st_test(REQ "if filter \"fail\" { keep; }", "exists \"X-Filtered\""),
                        "no");
    assert_string_equal(st_test(REQ, "filter \"tag\""), "yes");
}

static void without_a_callback_every_program_is_unknown(void **state)
{
    (void)state;
    st_opts.callbacks = NULL;
    assert_string_equal(st_test(REQ, "filter \"tag\""), "no");
}

static void output_past_the_limit_fails_the_program(void **state)
{
    (void)state;
    st_opts.max_program_output = strlen(st_message) + 17; /* "X-Filtered: yes\r\n" fits */
    assert_string_equal(st_test(REQ, "filter \"tag\""), "yes");
    st_opts.max_program_output--;
    assert_string_equal(st_test(REQ, "filter \"tag\""), "no");
    st_opts.max_program_output = 0; /* 10 MiB */
    assert_string_equal(st_test(REQ, "filter \"flood\""), "no");
    assert_string_equal(st_test(REQ, "filter \"cat\""), "yes");
}

static void programs_per_run_are_bounded(void **state)
{
    (void)state;
    st_opts.max_programs = 2;
    assert_string_equal(st_run(REQ "filter \"cat\"; filter \"cat\";"), "+keep");
    st_run_fails(REQ "filter \"cat\"; filter \"cat\"; filter \"cat\";");
    assert_non_null(strstr(st_error, "too many programs"));
}

static void syntax_errors(void **state)
{
    (void)state;
    assert_int_equal(st_compile_errors(REQ "filter;"), 1);
    assert_int_equal(st_compile_errors(REQ "filter :try \"a\";"), 1);
    assert_int_equal(st_compile_errors(REQ "filter :copy \"a\";"), 1);
    assert_int_equal(st_compile_errors(REQ "filter \"a\" \"b\" \"c\";"), 1);
    assert_int_equal(st_compile_errors(REQ "filter \"bin/a\";"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(the_output_is_the_message_from_then_on, stub_setup,
                                        st_teardown),
        cmocka_unit_test_setup_teardown(the_input_has_the_header_edits, stub_setup, st_teardown),
        cmocka_unit_test_setup_teardown(later_actions_deliver_the_filtered_message, stub_setup,
                                        st_teardown),
        cmocka_unit_test_setup_teardown(a_failed_command_is_a_run_time_error, stub_setup,
                                        st_teardown),
        cmocka_unit_test_setup_teardown(as_a_test_failure_is_false_and_the_message_stays,
                                        stub_setup, st_teardown),
        cmocka_unit_test_setup_teardown(without_a_callback_every_program_is_unknown, stub_setup,
                                        st_teardown),
        cmocka_unit_test_setup_teardown(output_past_the_limit_fails_the_program, stub_setup,
                                        st_teardown),
        cmocka_unit_test_setup_teardown(programs_per_run_are_bounded, stub_setup, st_teardown),
        cmocka_unit_test_setup_teardown(syntax_errors, stub_setup, st_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
