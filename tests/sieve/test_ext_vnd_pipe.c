/* test_ext_vnd_pipe.c — vnd.dovecot.pipe: the pipe action in the result with its arguments,
 * :copy and :try; the program name and argument rules at compile and run time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sieve_script_run.h"
#include "sieve_program_stub.h"

#define REQ "require [\"vnd.dovecot.pipe\", \"variables\", \"encoded-character\", \"copy\"];\n"

static void pipe_is_an_action_that_cancels_the_implicit_keep(void **state)
{
    (void)state;
    assert_string_equal(st_run(REQ "pipe \"spam-learn\";"), "pipe spam-learn;");
    assert_string_equal(st_run(REQ "pipe :copy \"spam-learn\";"), "pipe spam-learn :copy;+keep");
    assert_int_equal(stub.calls, 0); /* the caller runs it after the run */
}

static void pipe_reports_its_arguments_and_try(void **state)
{
    (void)state;
    sieve_result *r = NULL;
    assert_int_equal(st_run_result(REQ "set \"u\" \"bob\"; pipe :try \"deliver\" [\"-u\", \"${u}\"];",
                                   NULL, NULL, &r), 0);
    assert_int_equal(sieve_result_count(r), 1);
    int type;
    const char *target;
    assert_int_equal(sieve_result_action(r, 0, &type, &target, NULL, NULL), 0);
    assert_int_equal(type, SIEVE_ACTION_PIPE);
    assert_string_equal(sieve_action_name(type), "pipe");
    assert_string_equal(target, "deliver");
    assert_string_equal(sieve_result_action_param(r, 0, "nargs"), "2");
    assert_string_equal(sieve_result_action_param(r, 0, "arg1"), "-u");
    assert_string_equal(sieve_result_action_param(r, 0, "arg2"), "bob");
    assert_null(sieve_result_action_param(r, 0, "arg3"));
    assert_string_equal(sieve_result_action_param(r, 0, "try"), "yes");
    sieve_result_free(r);
    assert_int_equal(st_run_result(REQ "pipe \"deliver\";", NULL, NULL, &r), 0);
    assert_string_equal(sieve_result_action_param(r, 0, "nargs"), "0");
    assert_null(sieve_result_action_param(r, 0, "try"));
    sieve_result_free(r);
}

static void copy_needs_the_copy_extension(void **state)
{
    (void)state;
    assert_int_equal(st_compile_errors("require \"vnd.dovecot.pipe\"; pipe :copy \"p\";"), 1);
    assert_int_equal(st_compile_errors("require \"vnd.dovecot.pipe\"; pipe :try \"p\";"), 0);
}

static void syntax_errors(void **state)
{
    (void)state;
    assert_int_equal(st_compile_errors(REQ "pipe;"), 1);
    assert_int_equal(st_compile_errors(REQ "pipe 1;"), 1);
    assert_int_equal(st_compile_errors(REQ "pipe \"a\" 1;"), 1);
    assert_int_equal(st_compile_errors(REQ "pipe [\"a\", \"b\"] \"c\";"), 1);
    assert_int_equal(st_compile_errors(REQ "pipe \"a\" \"b\" \"c\";"), 1);
    assert_int_equal(st_compile_errors("pipe \"a\";"), 1); /* not required */
}

static void program_names_are_never_paths_or_control_characters(void **state)
{
    (void)state;
    assert_int_equal(st_compile_errors(REQ "pipe \"../frop\";"), 1);
    assert_int_equal(st_compile_errors(REQ "pipe \"a/b\";"), 1);
    assert_int_equal(st_compile_errors(REQ "pipe \"\";"), 1);
    assert_int_equal(st_compile_errors(REQ "pipe \"x${unicode:001a}\";"), 1);
    assert_int_equal(st_compile_errors(REQ "pipe \"x${unicode:007f}\";"), 1);
    assert_int_equal(st_compile_errors(REQ "pipe \"x${unicode:0085}\";"), 1);
    assert_int_equal(st_compile_errors(REQ "pipe \"x${unicode:2028}\";"), 1);
    assert_int_equal(st_compile_errors(REQ "pipe \"x${unicode:2029}\";"), 1);
    assert_int_equal(st_compile_errors(REQ "pipe \"sa-l\xc3\xa9\x61rn.sh\";"), 0);
    /* 128 octets are allowed, 129 are not */
    char script[512], name[130];
    memset(name, 'p', 129);
    name[129] = '\0';
    snprintf(script, sizeof script, REQ "pipe \"%s\";", name);
    assert_int_equal(st_compile_errors(script), 1);
    name[128] = '\0';
    snprintf(script, sizeof script, REQ "pipe \"%s\";", name);
    assert_int_equal(st_compile_errors(script), 0);
}

static void arguments_have_no_line_ends_and_a_bounded_count(void **state)
{
    (void)state;
    assert_int_equal(st_compile_errors(REQ "pipe \"p\" \"a\nb\";"), 1);
    assert_int_equal(st_compile_errors(REQ "pipe \"p\" \"a${hex:0d}\";"), 1);
    static const char sixteen[] = "[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\",\"10\","
                                  "\"11\",\"12\",\"13\",\"14\",\"15\",\"16\"";
    char script[512];
    snprintf(script, sizeof script, REQ "pipe \"p\" %s];", sixteen);
    assert_int_equal(st_compile_errors(script), 0);
    snprintf(script, sizeof script, REQ "pipe \"p\" %s,\"17\"];", sixteen);
    assert_int_equal(st_compile_errors(script), 1);
    static char big[1100 + sizeof REQ];
    char arg[1026];
    memset(arg, 'a', 1025);
    arg[1025] = '\0';
    snprintf(big, sizeof big, REQ "pipe \"p\" \"%s\";", arg);
    assert_int_equal(st_compile_errors(big), 1);
    arg[1024] = '\0';
    snprintf(big, sizeof big, REQ "pipe \"p\" \"%s\";", arg);
    assert_int_equal(st_compile_errors(big), 0);
}

static void computed_names_and_arguments_are_checked_at_run_time(void **state)
{
    (void)state;
    assert_string_equal(st_run_fails(REQ "set \"n\" \"../x\"; pipe \"${n}\";"), "+keep");
    assert_non_null(strstr(st_error, "invalid program name"));
    assert_string_equal(st_run_fails(REQ "set \"a\" \"${hex:0a}\"; pipe \"p\" \"${a}\";"),
                        "+keep");
    assert_non_null(strstr(st_error, "invalid program argument"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(pipe_is_an_action_that_cancels_the_implicit_keep,
                                        stub_setup, st_teardown),
        cmocka_unit_test_setup_teardown(pipe_reports_its_arguments_and_try, stub_setup,
                                        st_teardown),
        cmocka_unit_test_setup_teardown(copy_needs_the_copy_extension, stub_setup, st_teardown),
        cmocka_unit_test_setup_teardown(syntax_errors, stub_setup, st_teardown),
        cmocka_unit_test_setup_teardown(program_names_are_never_paths_or_control_characters,
                                        stub_setup, st_teardown),
        cmocka_unit_test_setup_teardown(arguments_have_no_line_ends_and_a_bounded_count,
                                        stub_setup, st_teardown),
        cmocka_unit_test_setup_teardown(computed_names_and_arguments_are_checked_at_run_time,
                                        stub_setup, st_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
