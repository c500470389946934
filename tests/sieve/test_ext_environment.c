/* test_ext_environment.c — the environment extension (RFC 5183): items from the caller's
 * callback, "name" and "version" from the library, unknown items. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sieve_script_run.h"

/* "domain", "location" and "phase" are known; "host" is long; "name" is the host's own. */
static long env_item(void *user, const char *name, char *buf, size_t size)
{
    (void)user;
    static char longhost[3000];
    const char *v = NULL;
    if (strcmp(name, "domain") == 0)
        v = "example.org";
    else if (strcmp(name, "location") == 0)
        v = "MS";
    else if (strcmp(name, "phase") == 0)
        v = "during";
    else if (strcmp(name, "empty") == 0)
        v = "";
    else if (strcmp(name, "host") == 0) {
        memset(longhost, 'h', sizeof longhost - 1);
        v = longhost;
    }
    if (!v)
        return -1;
    snprintf(buf, size, "%s", v);
    return (long)strlen(v);
}

#define E "require [\"environment\", \"relational\", \"comparator-i;ascii-numeric\", " \
          "\"variables\"];\n"

static void items_come_from_the_callback(void **state)
{
    (void)state;
    sieve_callbacks cb = {.struct_size = sizeof cb, .environment = env_item};
    st_opts.callbacks = &cb;
    assert_string_equal(st_test(E, "environment \"location\" \"MS\""), "yes");
    assert_string_equal(st_test(E, "environment \"location\" \"MTA\""), "no");
    assert_string_equal(st_test(E, "environment :contains \"domain\" \"example\""), "yes");
    assert_string_equal(st_test(E, "environment :matches \"phase\" [\"pre*\", \"dur*\"]"), "yes");
    assert_string_equal(st_test(E "set \"item\" \"domain\";",
                                "environment :is \"${item}\" \"EXAMPLE.ORG\""), "yes");
    /* Match variables. */
    assert_string_equal(st_test(E "if environment :matches \"domain\" \"*.*\" {}",
                                "string \"${1}\" \"example\""), "yes");
    /* A long value is read up to 1023 octets. */
    assert_string_equal(st_test(E "if environment :matches \"host\" \"*\" {}\n"
                                  "set :length \"n\" \"${1}\";",
                                "string \"${n}\" \"1023\""), "yes");
    /* The library's own items stay when the callback does not know them. */
    assert_string_equal(st_test(E, "environment \"name\" \"libmail-sieve\""), "yes");
    st_opts.callbacks = NULL;
}

static void name_and_version_without_a_callback(void **state)
{
    (void)state;
    assert_string_equal(st_test(E, "environment :is :comparator \"i;octet\" \"name\" "
                                   "\"libmail-sieve\""), "yes");
    char test[256];
    snprintf(test, sizeof test, "environment :is \"version\" \"%s\"", sieve_version());
    assert_string_equal(st_test(E, test), "yes");
    assert_string_equal(st_test(E, "environment :contains \"version\" \"\""), "yes");
    assert_string_equal(st_test(E, "environment \"location\" \"MS\""), "no");
}

static void unknown_items_match_nothing(void **state)
{
    (void)state;
    /* Pigeonhole's environment/rfc: not even "" or a :count. */
    assert_string_equal(st_test(E, "environment :contains \"nonsense\" \"\""), "no");
    assert_string_equal(st_test(E, "anyof (environment :count \"eq\" \"nonsense\" \"0\", "
                                   "environment :count \"eq\" \"nonsense\" \"1\")"), "no");
    assert_string_equal(st_test(E, "environment :count \"eq\" :comparator \"i;ascii-numeric\" "
                                   "\"name\" \"1\""), "yes");
    sieve_callbacks cb = {.struct_size = sizeof cb, .environment = env_item};
    st_opts.callbacks = &cb;
    assert_string_equal(st_test(E, "environment :count \"eq\" :comparator \"i;ascii-numeric\" "
                                   "\"empty\" \"0\""), "yes");
    assert_string_equal(st_test(E, "environment :is \"empty\" \"\""), "yes");
    st_opts.callbacks = NULL;
}

static void compile_errors(void **state)
{
    (void)state;
    assert_int_equal(st_compile_errors("if environment \"name\" \"x\" { keep; }"), 1);
    assert_int_equal(st_compile_errors("require \"environment\";\n"
                                       "if environment [\"a\", \"b\"] \"x\" { keep; }"), 1);
    assert_int_equal(st_compile_errors("require \"environment\";\n"
                                       "if environment \"name\" { keep; }"), 1);
    assert_int_equal(st_compile_errors("require \"environment\";\n"
                                       "if environment :comparator \"i;nonsense\" \"name\" \"x\" "
                                       "{ keep; }"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(items_come_from_the_callback),
        cmocka_unit_test(name_and_version_without_a_callback),
        cmocka_unit_test(unknown_items_match_nothing),
        cmocka_unit_test(compile_errors),
    };
    return cmocka_run_group_tests(tests, st_setup, st_teardown);
}
