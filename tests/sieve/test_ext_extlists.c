/* test_ext_extlists.c — extlists (RFC 6134): the :list match type on header, address,
 * envelope and string, valid_ext_list, and redirect :list, through list_contains. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sieve_script_run.h"

#define L "require [\"extlists\", \"envelope\", \"variables\", \"relational\"];\n"

/* ":addrbook:default" holds alice@example.com and "Alice Example" <alice@example.com>'s
 * display form; ":addrbook:empty" holds nothing; other lists are unknown. */
static int lists(void *user, const char *list, const char *value)
{
    if (user)
        ++*(int *)user;
    if (strcmp(list, ":addrbook:empty") == 0)
        return 0;
    if (strcmp(list, ":addrbook:default") != 0 && strcmp(list, "tag:example.com,2011:vip") != 0)
        return -1;
    if (!value)
        return 1;
    return strcmp(value, "alice@example.com") == 0 || strcmp(value, "example.com") == 0;
}

static void list_match_type_on_each_test(void **state)
{
    (void)state;
    sieve_callbacks cb = {.list_contains = lists};
    st_opts.callbacks = &cb;
    assert_string_equal(st_test(L, "address :list \"from\" \":addrbook:default\""), "yes");
    assert_string_equal(st_test(L, "address :list \"to\" \":addrbook:default\""), "no");
    assert_string_equal(st_test(L, "address :list :domain \"from\" \":addrbook:default\""), "yes");
    assert_string_equal(st_test(L, "address :list \"from\" \":addrbook:empty\""), "no");
    assert_string_equal(st_test(L, "address :list \"from\" [\":addrbook:empty\", "
                                   "\"tag:example.com,2011:vip\"]"), "yes");
    assert_string_equal(st_test(L, "envelope :list \"from\" \":addrbook:default\""), "yes");
    assert_string_equal(st_test(L, "header :list \"from\" \":addrbook:default\""), "no");
    assert_string_equal(st_test(L "set \"a\" \"alice@example.com\";",
                                "string :list \"${a}\" \":addrbook:default\""), "yes");
    assert_string_equal(st_test(L, "string :list \"bob@example.org\" \":addrbook:default\""), "no");
    /* An unknown list holds nothing. */
    assert_string_equal(st_test(L, "address :list \"from\" \":addrbook:other\""), "no");
    st_opts.callbacks = NULL;
    assert_string_equal(st_test(L, "address :list \"from\" \":addrbook:default\""), "no");
}

static void valid_ext_list(void **state)
{
    (void)state;
    sieve_callbacks cb = {.list_contains = lists};
    st_opts.callbacks = &cb;
    assert_string_equal(st_test(L, "valid_ext_list \":addrbook:default\""), "yes");
    assert_string_equal(st_test(L, "valid_ext_list [\":addrbook:default\", \":addrbook:empty\"]"), "yes");
    assert_string_equal(st_test(L, "valid_ext_list [\":addrbook:default\", \":addrbook:frop\"]"), "no");
    assert_string_equal(st_test(L, "valid_ext_list \"not a uri\""), "no");
    st_opts.callbacks = NULL;
    assert_string_equal(st_test(L, "valid_ext_list \":addrbook:default\""), "no");
}

static void redirect_to_a_list(void **state)
{
    (void)state;
    sieve_result *r = NULL;
    assert_int_equal(st_run_result(L "redirect :list \":addrbook:default\";", NULL, NULL, &r), 0);
    const char *target;
    assert_int_equal(sieve_result_action(r, 0, NULL, &target, NULL, NULL), 0);
    assert_string_equal(target, ":addrbook:default");
    assert_string_equal(sieve_result_action_param(r, 0, "list"), "yes");
    assert_int_equal(sieve_result_implicit_keep(r), 0);
    sieve_result_free(r);
    assert_int_equal(st_compile_errors(L "redirect :list \"no list\";"), 1);
    assert_int_equal(st_compile_errors("redirect :list \":addrbook:default\";"), 1);
}

static void list_names_are_checked(void **state)
{
    (void)state;
    assert_int_equal(st_compile_errors("if address :list \"from\" \":addrbook:default\" {}"), 1);
    assert_int_equal(st_compile_errors(L "if address :list \"from\" \"frop\" {}"), 1);
    assert_int_equal(st_compile_errors(L "if address :list :is \"from\" \":a:b\" {}"), 1);
    assert_int_equal(st_compile_errors(L "if header :list \"to\" [\":a:b\", \"urn:x\"] {}"), 0);
    assert_int_equal(st_compile_errors(L "if string :list \"${x}\" \"${y}\" {}"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(list_match_type_on_each_test),
        cmocka_unit_test(valid_ext_list),
        cmocka_unit_test(redirect_to_a_list),
        cmocka_unit_test(list_names_are_checked),
    };
    return cmocka_run_group_tests(tests, st_setup, st_teardown);
}
