/* test_ext_vnd_environment.c — vnd.dovecot.environment: "${env.<item>}" over the environment
 * items, "_" standing for "-", the library's default mailbox, and the vnd.dovecot items
 * hidden from scripts that do not require the extension. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sieve_script_run.h"

static int asked_vnd; /* the callback was asked a "vnd.dovecot." item */

static long env_item(void *user, const char *name, char *buf, size_t size)
{
    (void)user;
    const char *v = NULL;
    if (!strncmp(name, "vnd.dovecot.", 12))
        asked_vnd = 1;
    if (!strcmp(name, "vnd.dovecot.username"))
        v = "bob";
    else if (!strcmp(name, "vnd.dovecot.config.display_name"))
        v = "Bob Example";
    else if (!strcmp(name, "domain"))
        v = "example.org";
    if (!v)
        return -1;
    snprintf(buf, size, "%s", v);
    return (long)strlen(v);
}

static const sieve_callbacks callbacks = {.struct_size = sizeof(sieve_callbacks),
                                          .environment = env_item};

#define V "require [\"vnd.dovecot.environment\", \"variables\"];\n"

static int setup(void **state)
{
    int rc = st_setup(state);
    st_opts.callbacks = &callbacks;
    return rc;
}

static void env_namespace_reads_the_items(void **state)
{
    (void)state;
    assert_string_equal(st_test(V, "string :is \"${env.vnd.dovecot.username}\" \"bob\""), "yes");
    assert_string_equal(st_test(V, "string :is \"${env.domain}\" \"example.org\""), "yes");
    assert_string_equal(st_test(V, "string :is \"${env.vnd.dovecot.config.display_name}\" "
                                   "\"Bob Example\""), "yes");
}

static void underscore_stands_for_a_hyphen(void **state)
{
    (void)state;
    assert_string_equal(st_test(V, "string :is \"${env.vnd.dovecot.default_mailbox}\" \"INBOX\""),
                        "yes");
}

static void unknown_items_are_empty(void **state)
{
    (void)state;
    assert_string_equal(st_test(V, "string :is \"[${env.no.such.item}]\" \"[]\""), "yes");
}

static void default_mailbox_and_environment_test(void **state)
{
    (void)state;
    /* the environment test comes with the extension, without requiring "environment" */
    assert_string_equal(st_test("require \"vnd.dovecot.environment\";",
                                "environment :is \"vnd.dovecot.default-mailbox\" \"INBOX\""),
                        "yes");
    assert_string_equal(st_test("require \"vnd.dovecot.environment\";",
                                "environment :is \"vnd.dovecot.username\" \"bob\""), "yes");
}

static void vnd_items_need_the_extension(void **state)
{
    (void)state;
    asked_vnd = 0;
    assert_string_equal(st_test("require \"environment\";",
                                "environment :contains \"vnd.dovecot.username\" \"\""), "no");
    assert_string_equal(st_test("require \"environment\";",
                                "environment :contains \"vnd.dovecot.default-mailbox\" \"\""),
                        "no");
    assert_int_equal(asked_vnd, 0);
    /* other items are as before */
    assert_string_equal(st_test("require \"environment\";",
                                "environment :is \"domain\" \"example.org\""), "yes");
}

static void env_namespace_needs_the_extension(void **state)
{
    (void)state;
    assert_int_equal(st_compile_errors("require \"variables\";\n"
                                       "if string \"${env.domain}\" \"x\" { stop; }"), 1);
    assert_int_equal(st_compile_errors(V "if string \"${env.domain}\" \"x\" { stop; }"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(env_namespace_reads_the_items),
        cmocka_unit_test(underscore_stands_for_a_hyphen),
        cmocka_unit_test(unknown_items_are_empty),
        cmocka_unit_test(default_mailbox_and_environment_test),
        cmocka_unit_test(vnd_items_need_the_extension),
        cmocka_unit_test(env_namespace_needs_the_extension),
    };
    return cmocka_run_group_tests(tests, setup, st_teardown);
}
