/* test_ext_vnd_debug.c — vnd.dovecot.debug: debug_log hands its message, variables expanded,
 * and the command's line to sieve_callbacks.debug_log; without the callback it does nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sieve_script_run.h"

typedef struct logged {
    char text[4][128];
    size_t len[4];
    unsigned line[4];
    size_t n;
} logged;

static void on_log(void *user, unsigned line, const char *message, size_t len)
{
    logged *l = user;
    if (l->n < 4) {
        snprintf(l->text[l->n], sizeof l->text[0], "%s", message);
        l->len[l->n] = len;
        l->line[l->n] = line;
    }
    l->n++;
}

static void messages_go_to_the_callback_in_order(void **state)
{
    (void)state;
    logged l;
    memset(&l, 0, sizeof l);
    sieve_callbacks cb = {.struct_size = sizeof cb, .user = &l, .debug_log = on_log};
    st_opts.callbacks = &cb;
    assert_string_equal(st_run("require [\"vnd.dovecot.debug\", \"variables\"];\n"
                               "set \"who\" \"world\";\n"
                               "debug_log \"hello ${who}\";\n"
                               "debug_log \"second\";\n"),
                        "+keep");
    assert_int_equal(l.n, 2);
    assert_string_equal(l.text[0], "hello world");
    assert_int_equal(l.len[0], 11);
    assert_int_equal(l.line[0], 3);
    assert_string_equal(l.text[1], "second");
    assert_int_equal(l.line[1], 4);
    st_opts.callbacks = NULL;
}

static void without_a_callback_the_message_goes_nowhere(void **state)
{
    (void)state;
    assert_string_equal(st_run("require \"vnd.dovecot.debug\";\ndebug_log \"quiet\"; discard;"),
                        "discard;");
}

static void needs_its_require_and_one_string(void **state)
{
    (void)state;
    assert_int_equal(st_compile_errors("debug_log \"x\";"), 1);
    assert_int_equal(st_compile_errors("require \"vnd.dovecot.debug\";\ndebug_log;"), 1);
    assert_int_equal(st_compile_errors("require \"vnd.dovecot.debug\";\ndebug_log 1;"), 1);
    assert_int_equal(st_compile_errors("require \"vnd.dovecot.debug\";\ndebug_log [\"a\", \"b\"];"),
                     1);
    assert_int_equal(st_compile_errors("require \"vnd.dovecot.debug\";\ndebug_log \"a\";"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(messages_go_to_the_callback_in_order),
        cmocka_unit_test(without_a_callback_the_message_goes_nowhere),
        cmocka_unit_test(needs_its_require_and_one_string),
    };
    return cmocka_run_group_tests(tests, st_setup, st_teardown);
}
