/* test_ext_specialuse.c — special-use (RFC 8579): specialuse_exists through the caller's
 * callback, with and without a mailbox, and fileinto :specialuse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sieve_script_run.h"

#define S "require [\"special-use\", \"fileinto\", \"variables\"];\n"

/* "Junk" carries \Junk and "Sent" carries \Sent; every question is counted. */
static int uses(void *user, const char *mailbox, const char *use)
{
    ++*(int *)user;
    if (strcmp(use, "\\Junk") == 0)
        return !mailbox || strcmp(mailbox, "Junk") == 0;
    if (strcmp(use, "\\Sent") == 0)
        return !mailbox || strcmp(mailbox, "Sent") == 0;
    return 0;
}

static void specialuse_exists_asks_the_caller(void **state)
{
    (void)state;
    int asked = 0;
    sieve_callbacks cb = {.struct_size = sizeof cb, .user = &asked, .specialuse_exists = uses};
    st_opts.callbacks = &cb;
    assert_string_equal(st_test(S, "specialuse_exists \"\\\\Junk\""), "yes");
    assert_string_equal(st_test(S, "specialuse_exists [\"\\\\Junk\", \"\\\\Sent\"]"), "yes");
    assert_string_equal(st_test(S, "specialuse_exists [\"\\\\Junk\", \"\\\\Drafts\"]"), "no");
    assert_string_equal(st_test(S, "specialuse_exists \"Junk\" \"\\\\Junk\""), "yes");
    assert_string_equal(st_test(S, "specialuse_exists \"INBOX\" \"\\\\Junk\""), "no");
    assert_string_equal(st_test(S, "specialuse_exists \"Junk\" [\"\\\\Junk\", \"\\\\Sent\"]"), "no");
    assert_string_equal(st_test(S "set \"u\" \"\\\\Sent\";", "specialuse_exists \"Sent\" \"${u}\""), "yes");
    /* A flag that is not valid at run time is a false test. */
    assert_string_equal(st_test(S "set \"u\" \"Sent\";", "specialuse_exists \"${u}\""), "no");
    assert_true(asked >= 8);
    st_opts.callbacks = NULL;
}

static void without_a_callback_nothing_exists(void **state)
{
    (void)state;
    assert_string_equal(st_test(S, "specialuse_exists \"\\\\Sent\""), "no");
    assert_string_equal(st_test(S, "specialuse_exists \"INBOX\" \"\\\\Sent\""), "no");
}

static void arguments_are_checked(void **state)
{
    (void)state;
    assert_int_equal(st_compile_errors("if specialuse_exists \"\\\\Junk\" {}"), 1);
    assert_int_equal(st_compile_errors(S "if specialuse_exists \"Junk\" {}"), 1);
    assert_int_equal(st_compile_errors(S "if specialuse_exists \"INBOX\" [\"\\\\Junk\", \"x\"] {}"), 1);
    assert_true(st_compile_errors(S "if specialuse_exists {}") >= 1);
    assert_true(st_compile_errors(S "if specialuse_exists \"a\" \"\\\\Junk\" \"c\" {}") >= 1);
    assert_int_equal(st_compile_errors(S "fileinto :specialuse \"Junk\" \"x\";"), 1);
    assert_int_equal(st_compile_errors("require \"fileinto\";\nfileinto :specialuse \"\\\\Junk\" \"x\";"), 1);
}

static void fileinto_specialuse(void **state)
{
    (void)state;
    assert_string_equal(st_run(S "fileinto :specialuse \"\\\\Junk\" \"frop\";"), "fileinto frop;");
    sieve_result *r = NULL;
    assert_int_equal(st_run_result(S "set \"use\" \"\\\\Junk\";\n"
                                   "fileinto :specialuse \"${use}\" \"frop\";", NULL, NULL, &r), 0);
    assert_string_equal(sieve_result_action_param(r, 0, "specialuse"), "\\Junk");
    sieve_result_free(r);
    assert_int_equal(st_run_result(S "fileinto \"frop\";", NULL, NULL, &r), 0);
    assert_null(sieve_result_action_param(r, 0, "specialuse"));
    sieve_result_free(r);
    st_run_fails(S "set \"use\" \"Junk\";\nfileinto :specialuse \"${use}\" \"frop\";");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(specialuse_exists_asks_the_caller),
        cmocka_unit_test(without_a_callback_nothing_exists),
        cmocka_unit_test(arguments_are_checked),
        cmocka_unit_test(fileinto_specialuse),
    };
    return cmocka_run_group_tests(tests, st_setup, st_teardown);
}
