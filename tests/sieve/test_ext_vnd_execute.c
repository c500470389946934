/* test_ext_vnd_execute.c — vnd.dovecot.execute: no input, :input and :pipe; :output into a
 * variable (cut at the variable size limit); a failure as a command and as a test; the
 * compile-time checks of the tags. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sieve_script_run.h"
#include "sieve_program_stub.h"

#define REQ "require [\"vnd.dovecot.execute\", \"variables\", \"reject\"];\n"

static void output_goes_into_the_variable(void **state)
{
    (void)state;
    assert_string_equal(st_run(REQ "set \"w\" \"world\";\n"
                                   "execute :output \"o\" \"echo\" [\"hello\", \"${w}\"];\n"
                                   "reject \"${o}\";"),
                        "reject hello world;");
    assert_int_equal(stub.kind, SIEVE_PROGRAM_EXECUTE);
    assert_int_equal(stub.had_input, 0);
    assert_int_equal(stub.had_output, 1);
}

static void input_is_a_string_the_message_or_nothing(void **state)
{
    (void)state;
    assert_string_equal(st_run(REQ "set \"v\" \"data\";\n"
                                   "execute :input \"some ${v}\" :output \"o\" \"cat\";\n"
                                   "reject \"${o}\";"),
                        "reject some data;");
    st_run(REQ "execute :pipe \"cat\";");
    assert_string_equal(stub.input, st_message);
    assert_int_equal(stub.had_output, 0); /* without :output the output is not asked for */
    st_run(REQ "execute \"cat\";");
    assert_int_equal(stub.had_input, 0);
}

static void output_is_cut_at_the_variable_size(void **state)
{
    (void)state;
    st_opts.max_variable_size = 8;
    assert_string_equal(st_run(REQ "execute :output \"o\" \"echo\" \"0123456789abc\";\n"
                                   "reject \"${o}\";"),
                        "reject 01234567;");
}

static void as_a_test_it_is_true_when_the_program_succeeded(void **state)
{
    (void)state;
    assert_string_equal(st_test(REQ, "execute \"echo\""), "yes");
    assert_string_equal(st_test(REQ, "execute :output \"o\" \"fail\""), "no");
    /* a failed program leaves the variable as it was */
    assert_string_equal(st_run(REQ "set \"o\" \"old\";\n"
                                   "if not execute :output \"o\" \"fail\" { reject \"${o}\"; }"),
                        "reject old;");
}

static void a_failed_command_is_a_run_time_error(void **state)
{
    (void)state;
    assert_string_equal(st_run_fails(REQ "execute \"unknown\"; discard;"), "+keep");
    assert_non_null(strstr(st_error, "execute"));
}

static void tag_errors(void **state)
{
    (void)state;
    assert_int_equal(st_compile_errors(REQ "execute :input \"frop\";"), 1);
    assert_int_equal(st_compile_errors(REQ "execute :input 1 \"frop\";"), 1);
    assert_int_equal(st_compile_errors(REQ "execute :input [\"a\", \"b\"] \"frop\";"), 1);
    assert_int_equal(st_compile_errors(REQ "execute :input \"a\" :pipe \"frop\";"), 1);
    assert_int_equal(st_compile_errors(REQ "execute :copy \"frop\";"), 1);
    assert_int_equal(st_compile_errors(REQ "execute :output \"wqwe-aeqwe\" \"frop\";"), 1);
    assert_int_equal(st_compile_errors("require \"vnd.dovecot.execute\";\n"
                                       "execute :output \"o\" \"frop\";"), 1);
    assert_int_equal(st_compile_errors(REQ "execute \"a/b\";"), 1);
    assert_int_equal(st_compile_errors(REQ "execute :pipe :output \"o\" \"frop\" \"x\";"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(output_goes_into_the_variable, stub_setup, st_teardown),
        cmocka_unit_test_setup_teardown(input_is_a_string_the_message_or_nothing, stub_setup,
                                        st_teardown),
        cmocka_unit_test_setup_teardown(output_is_cut_at_the_variable_size, stub_setup,
                                        st_teardown),
        cmocka_unit_test_setup_teardown(as_a_test_it_is_true_when_the_program_succeeded,
                                        stub_setup, st_teardown),
        cmocka_unit_test_setup_teardown(a_failed_command_is_a_run_time_error, stub_setup,
                                        st_teardown),
        cmocka_unit_test_setup_teardown(tag_errors, stub_setup, st_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
