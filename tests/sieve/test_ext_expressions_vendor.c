/* test_ext_expressions_vendor.c — what a script that requires vnd.stalwart.expressions may do
 * beyond let and eval, as sieve-rs has it: the address part :name, body :subject, named
 * :regex groups and block scopes of variables; and that a script without the extension keeps
 * RFC behaviour. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sieve_script_run.h"

#define X "require [\"variables\", \"body\", \"regex\", \"relational\", " \
          "\"comparator-i;ascii-numeric\", \"vnd.stalwart.expressions\"];\n"
#define RFC "require [\"variables\", \"body\", \"regex\"];\n"

static const char msg_named[] =
    "From: Giovanni Doe <john.doe@example.org>\r\n"
    "To: bill.doe@example.net, \"Doe, Jane\" <jane@example.net>\r\n"
    "Cc: =?UTF-8?Q?Caf=C3=A9_Owner?= <cafe@example.com>\r\n"
    "Subject: Pranzo d'acqua fa volti sghembi\r\n"
    "\r\n"
    "V kozuscku hudobnega fanta stopiclja mizar\r\n";

/* "yes" when `test` is true on msg_named after `prelude`. */
static const char *on_named(const char *prelude, const char *test)
{
    static char script[4096], out[2048];
    snprintf(script, sizeof script, "%s\nif %s { discard; }", prelude, test);
    int rc = st_run_on(script, msg_named, out, sizeof out);
    if (rc)
        fprintf(stderr, "%s: %s: %s\n", script, sieve_strerror(rc), st_error);
    assert_int_equal(rc, 0);
    return strstr(out, "discard;") ? "yes" : "no";
}

/* The value of variable `v` after `body` (read back through a reject's reason). */
static const char *value_after(const char *body, const char *v)
{
    static char script[4096], out[2048], value[512];
    snprintf(script, sizeof script,
             "require [\"variables\", \"reject\", \"regex\", \"vnd.stalwart.expressions\"];\n"
             "%s\nreject \"[${%s}]\";", body, v);
    int rc = st_run_on(script, msg_named, out, sizeof out);
    if (rc)
        fprintf(stderr, "%s: %s: %s\n", script, sieve_strerror(rc), st_error);
    assert_int_equal(rc, 0);
    const char *p = strchr(out, '['), *q = strrchr(out, ']');
    snprintf(value, sizeof value, "%.*s", p && q ? (int)(q - p - 1) : 0, p ? p + 1 : "");
    return value;
}

static void address_name_compares_display_names(void **state)
{
    (void)state;
    assert_string_equal(on_named(X, "address :name :contains \"from\" \"Giovanni\""), "yes");
    assert_string_equal(on_named(X, "address :name :contains \"from\" \"john\""), "no");
    assert_string_equal(on_named(X, "address :localpart :contains \"from\" \"Giovanni\""), "no");
    /* unquoted, RFC 2047 decoded; a mailbox without a name is not compared (not even with "") */
    assert_string_equal(on_named(X, "address :name :is \"to\" \"Doe, Jane\""), "yes");
    assert_string_equal(on_named(X, "address :name :is \"cc\" \"Caf\xc3\xa9 Owner\""), "yes");
    assert_string_equal(on_named(X, "address :name :count \"eq\" :comparator "
                                    "\"i;ascii-numeric\" \"to\" \"1\""), "yes");
    assert_string_equal(on_named(X, "address :name :is \"to\" \"\""), "no");
    /* :name is one address part: it excludes the others */
    assert_int_equal(st_compile_errors(X "if address :name :domain \"from\" \"x\" { stop; }"), 1);
}

static void address_name_needs_the_extension(void **state)
{
    (void)state;
    assert_int_equal(st_compile_errors(RFC "if address :name \"from\" \"x\" { stop; }"), 1);
    assert_non_null(strstr(st_error, ":name"));
    /* nor is it a tag of envelope */
    assert_int_equal(st_compile_errors("require [\"envelope\", \"vnd.stalwart.expressions\"];\n"
                                       "if envelope :name \"from\" \"x\" { stop; }"), 1);
}

static void body_subject_matches_the_subject_too(void **state)
{
    (void)state;
    assert_string_equal(on_named(X, "body :contains \"fanta\""), "yes");
    assert_string_equal(on_named(X, "body :subject :contains \"Pranzo\""), "yes");
    assert_string_equal(on_named(X, "body :contains \"Pranzo\""), "no");
    assert_string_equal(on_named(X, "body :subject :contains \"fanta\""), "yes"); /* the body */
    assert_string_equal(on_named(X, "body :subject :raw :is \"Pranzo d'acqua fa volti sghembi\""),
                        "yes");
    /* :count counts the body's values only (one text part) */
    assert_string_equal(on_named(X,
                                 "body :subject :count \"eq\" :comparator \"i;ascii-numeric\" "
                                 "\"1\""), "yes");
    assert_int_equal(st_compile_errors(RFC "if body :subject \"x\" { stop; }"), 1);
}

static void named_regex_groups_are_numbered_groups(void **state)
{
    (void)state;
    assert_string_equal(value_after("if address :regex :all \"to\" \"(?<ADDR>[a-z.]+)@(?P<d>.*)\" "
                                    "{ set :local \"a\" \"${1}|${2}\"; }", "a"),
                        "bill.doe|example.net");
    assert_string_equal(on_named(X, "string :regex \"abc\" \"^(?<x_1>a)(b)c$\""), "yes");
    /* not names: the POSIX syntax errors they are */
    assert_int_equal(st_compile_errors(X "if string :regex \"a\" \"(?<1x>a)\" { stop; }"), 1);
    assert_int_equal(st_compile_errors(X "if string :regex \"a\" \"(?<=a)\" { stop; }"), 1);
    assert_int_equal(st_compile_errors(X "if string :regex \"a\" \"(?<x>a\" { stop; }"), 1);
    assert_int_equal(st_compile_errors(RFC "if string :regex \"a\" \"(?<x>a)\" { stop; }"), 1);
}

static void variables_first_set_in_a_block_end_with_it(void **state)
{
    (void)state;
    assert_string_equal(value_after("if true { set \"inner\" \"x\"; }", "inner"), "");
    assert_string_equal(value_after("if true { set :local \"kept\" \"x\"; }", "kept"), "x");
    assert_string_equal(value_after("if true { let \"e\" \"1 + 1\"; }", "e"), "");
    /* set at the top first: the script's, wherever it is set later */
    assert_string_equal(value_after("set \"top\" \"a\"; if true { set \"top\" \"b\"; }", "top"),
                        "b");
    /* an outer block's variable lives until that block ends */
    assert_string_equal(value_after("if true { set \"o\" \"1\"; if true { set \"o\" \"2\"; } "
                                    "set :local \"seen\" \"${o}\"; }", "seen"), "2");
    assert_string_equal(value_after("if true { if true { set \"deep\" \"1\"; } "
                                    "set :local \"seen\" \"[${deep}]\"; }", "seen"), "[]");
    /* each round of a loop starts without the last round's */
    assert_string_equal(value_after("require \"vnd.stalwart.while\"; set \"i\" \"0\"; "
                                    "set \"acc\" \"\"; "
                                    "while \"i < 3\" { set \"acc\" \"${acc}${r}\"; "
                                    "set \"r\" \"x\"; "
                                    "let \"i\" \"i + 1\"; }", "acc"), "");
}

static void without_the_extension_variables_are_the_scripts(void **state)
{
    (void)state;
    static char out[256];
    assert_int_equal(st_run_on("require [\"variables\", \"reject\"];\n"
                               "if true { set \"inner\" \"x\"; }\nreject \"[${inner}]\";",
                               msg_named, out, sizeof out), 0);
    assert_non_null(strstr(out, "[x]"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(address_name_compares_display_names),
        cmocka_unit_test(address_name_needs_the_extension),
        cmocka_unit_test(body_subject_matches_the_subject_too),
        cmocka_unit_test(named_regex_groups_are_numbered_groups),
        cmocka_unit_test(variables_first_set_in_a_block_end_with_it),
        cmocka_unit_test(without_the_extension_variables_are_the_scripts),
    };
    return cmocka_run_group_tests(tests, st_setup, st_teardown);
}
