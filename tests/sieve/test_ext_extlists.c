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
    sieve_callbacks cb = {.struct_size = sizeof cb, .list_contains = lists};
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
    /* The member found is ${0}. */
    assert_string_equal(st_test(L "if address :list \"from\" \":addrbook:default\" { }",
                                "string \"${0}\" \"alice@example.com\""), "yes");
    /* An unknown list holds nothing. */
    assert_string_equal(st_test(L, "address :list \"from\" \":addrbook:other\""), "no");
    st_opts.callbacks = NULL;
    assert_string_equal(st_test(L, "address :list \"from\" \":addrbook:default\""), "no");
}

/* "tag:example.com,2011:set" holds one value of each test below. */
static int set_list(void *user, const char *list, const char *value)
{
    (void)user;
    static const char *const held[] = {"2023-11-14", "libmail-sieve", "\\Seen", "0",
                                       "Hello there.\r\n"};
    if (strcmp(list, "tag:example.com,2011:set") != 0)
        return -1;
    for (size_t i = 0; value && i < sizeof held / sizeof held[0]; i++)
        if (strcmp(value, held[i]) == 0)
            return 1;
    return !value;
}

static int64_t fixed_now(void *user)
{
    (void)user;
    return 1700000000; /* 2023-11-14T22:13:20Z */
}

/* RFC 6134 §2.2: every test that takes a match type takes :list. */
static void list_match_type_on_the_other_tests(void **state)
{
    (void)state;
    sieve_callbacks cb = {.struct_size = sizeof cb, .list_contains = set_list, .now = fixed_now};
    st_opts.callbacks = &cb;
    st_opts.local_zone = "+0000";
#define X "require [\"extlists\", \"date\", \"environment\", \"imap4flags\", \"body\", " \
          "\"spamtest\", \"editheader\"];\n"
#define SET "\"tag:example.com,2011:set\""
    assert_string_equal(st_test(X, "currentdate :list \"date\" " SET), "yes");
    assert_string_equal(st_test(X, "currentdate :list \"year\" " SET), "no");
    assert_string_equal(st_test(X, "environment :list \"name\" " SET), "yes");
    assert_string_equal(st_test(X "addflag \"\\\\Seen\";\n", "hasflag :list " SET), "yes");
    assert_string_equal(st_test(X, "hasflag :list " SET), "no");
    assert_string_equal(st_test(X, "spamtest :list " SET), "yes");
    assert_string_equal(st_test(X, "body :raw :list " SET), "yes");
    assert_int_equal(st_compile_errors(X "deleteheader :list \"subject\" " SET ";"), 0);
    assert_int_equal(st_compile_errors(X "if currentdate :list \"date\" \"not a list\" {}"), 1);
#undef X
#undef SET
    st_opts.callbacks = NULL;
    st_opts.local_zone = NULL;
}

static void valid_ext_list(void **state)
{
    (void)state;
    sieve_callbacks cb = {.struct_size = sizeof cb, .list_contains = lists};
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

/* RFC 6134 §2.2: the list compares its members its own way, so :list takes no comparator. */
static void list_match_type_takes_no_comparator(void **state)
{
    (void)state;
    assert_int_equal(st_compile_errors(L "if address :list :comparator \"i;ascii-casemap\" "
                                       "\"from\" \":addrbook:default\" {}"), 1);
    assert_int_equal(st_compile_errors(L "if header :comparator \"i;octet\" :list \"to\" "
                                       "\":addrbook:default\" {}"), 1);
    assert_int_equal(st_compile_errors(L "if string :list :comparator \"i;octet\" \"${x}\" "
                                       "\":addrbook:default\" {}"), 1);
    assert_int_equal(st_compile_errors(L "if address :list \"from\" \":addrbook:default\" {}"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(list_match_type_on_each_test),
        cmocka_unit_test(list_match_type_on_the_other_tests),
        cmocka_unit_test(valid_ext_list),
        cmocka_unit_test(redirect_to_a_list),
        cmocka_unit_test(list_names_are_checked),
        cmocka_unit_test(list_match_type_takes_no_comparator),
    };
    return cmocka_run_group_tests(tests, st_setup, st_teardown);
}
