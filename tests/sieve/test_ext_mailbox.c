/* test_ext_mailbox.c — the mailbox extension (RFC 5490 §3): mailboxexists through the
 * caller's callback, and fileinto :create. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sieve_script_run.h"

/* "INBOX" and "Lists/acme" exist; every question is counted. */
static int exists(void *user, const char *mailbox)
{
    ++*(int *)user;
    return strcmp(mailbox, "INBOX") == 0 || strcmp(mailbox, "Lists/acme") == 0;
}

#define M "require [\"mailbox\", \"fileinto\", \"variables\"];\n"

static void mailboxexists_asks_the_caller(void **state)
{
    (void)state;
    int asked = 0;
    sieve_callbacks cb = {.struct_size = sizeof cb, .user = &asked, .mailbox_exists = exists};
    st_opts.callbacks = &cb;
    assert_string_equal(st_test(M, "mailboxexists \"INBOX\""), "yes");
    assert_string_equal(st_test(M, "mailboxexists \"Trash\""), "no");
    /* Every one named must exist. */
    assert_string_equal(st_test(M, "mailboxexists [\"INBOX\", \"Lists/acme\"]"), "yes");
    assert_string_equal(st_test(M, "mailboxexists [\"INBOX\", \"Trash\"]"), "no");
    assert_string_equal(st_test(M "set \"l\" \"acme\";", "mailboxexists \"Lists/${l}\""), "yes");
    /* Names compare exactly: the callback decides. */
    assert_string_equal(st_test(M, "mailboxexists \"inbox\""), "no");
    assert_true(asked >= 7);
    st_opts.callbacks = NULL;
}

static void mailboxexists_without_a_callback_is_false(void **state)
{
    (void)state;
    assert_string_equal(st_test(M, "mailboxexists \"INBOX\""), "no");
    assert_string_equal(st_test(M, "not mailboxexists \"INBOX\""), "yes");
    sieve_callbacks none;
    sieve_callbacks_init(&none);
    st_opts.callbacks = &none;
    assert_string_equal(st_test(M, "mailboxexists \"INBOX\""), "no");
    st_opts.callbacks = NULL;
}

static void fileinto_create(void **state)
{
    (void)state;
    assert_string_equal(st_run(M "fileinto :create \"Lists/new\";"), "fileinto Lists/new :create;");
    assert_string_equal(st_run("require [\"mailbox\", \"fileinto\", \"copy\"];\n"
                               "fileinto :create :copy \"A\";"),
                        "fileinto A :copy :create;+keep");
    assert_string_equal(st_run(M "fileinto \"A\";"), "fileinto A;");
}

static void the_extension_must_be_required(void **state)
{
    (void)state;
    assert_int_equal(st_compile_errors("require \"fileinto\"; fileinto :create \"A\";"), 1);
    assert_int_equal(st_compile_errors("if mailboxexists \"A\" { keep; }"), 1);
    assert_int_equal(st_compile_errors("require \"mailbox\"; if mailboxexists { keep; }"), 1);
    assert_int_equal(st_compile_errors("require \"mailbox\"; if mailboxexists 3 { keep; }"), 1);
    assert_int_equal(st_compile_errors("require \"mailbox\"; mailboxexists \"A\";"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mailboxexists_asks_the_caller),
        cmocka_unit_test(mailboxexists_without_a_callback_is_false),
        cmocka_unit_test(fileinto_create),
        cmocka_unit_test(the_extension_must_be_required),
    };
    return cmocka_run_group_tests(tests, st_setup, st_teardown);
}
