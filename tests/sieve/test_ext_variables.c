/* test_ext_variables.c — the variables extension (RFC 5229): set and its modifiers, the
 * string test, match variables, variable names and the limits on variables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sieve_internal.h"
#include "sieve_script_run.h"

#define V "require [\"variables\", \"relational\", \"comparator-i;ascii-numeric\", \"regex\"];\n"

static void set_and_expand(void **state)
{
    (void)state;
    assert_string_equal(st_test(V "set \"a\" \"frop\";", "string :is \"${a}\" \"frop\""), "yes");
    /* Names compare case-insensitively; an unset variable is "". */
    assert_string_equal(st_test(V "set \"Name\" \"x\";", "string \"${NAME}\" \"x\""), "yes");
    assert_string_equal(st_test(V, "string :is \"[${never}]\" \"[]\""), "yes");
    /* RFC 5229 §5 example. */
    assert_string_equal(st_test(V "set \"state\" \"${state} pending\";",
                                "string :matches \" ${state} \" \"* pending *\""), "yes");
}

static void set_in_actions(void **state)
{
    (void)state;
    assert_string_equal(st_run("require [\"variables\", \"fileinto\"];\n"
                               "set \"box\" \"Lists\"; fileinto \"INBOX.${box}\";"),
                        "fileinto INBOX.Lists;");
}

static void modifiers_rfc_examples(void **state)
{
    (void)state;
    /* RFC 5229 §4.1. */
    assert_string_equal(st_test(V "set \"a\" \"juMBlEd lETteRS\"; set :lower \"b\" \"${a}\";",
                                "string :comparator \"i;octet\" \"${b}\" \"jumbled letters\""),
                        "yes");
    assert_string_equal(st_test(V "set :upper \"b\" \"juMBlEd lETteRS\";",
                                "string :comparator \"i;octet\" \"${b}\" \"JUMBLED LETTERS\""),
                        "yes");
    assert_string_equal(st_test(V "set :lowerfirst \"b\" \"JuMBlEd lETteRS\";",
                                "string :comparator \"i;octet\" \"${b}\" \"juMBlEd lETteRS\""),
                        "yes");
    assert_string_equal(st_test(V "set :upperfirst \"b\" \"juMBlEd lETteRS\";",
                                "string :comparator \"i;octet\" \"${b}\" \"JuMBlEd lETteRS\""),
                        "yes");
    assert_string_equal(st_test(V "set :upperfirst :lower \"b\" \"juMBlEd lETteRS\";",
                                "string :comparator \"i;octet\" \"${b}\" \"Jumbled letters\""),
                        "yes");
    assert_string_equal(st_test(V "set :quotewildcard \"b\" \"Rock*\";",
                                "string :comparator \"i;octet\" \"${b}\" \"Rock\\\\*\""),
                        "yes");
    assert_string_equal(st_test(V "set :length \"b\" \"${unknown}ab\";", "string \"${b}\" \"2\""),
                        "yes");
    /* :length is applied after :upper (precedence 10 < 40). */
    assert_string_equal(st_test(V "set :length :upper \"b\" \"abc\";", "string \"${b}\" \"3\""),
                        "yes");
    assert_string_equal(st_test(V "set :quoteregex \"b\" \"a.b\";",
                                "string :comparator \"i;octet\" \"${b}\" \"a\\\\.b\""),
                        "yes");
}

static void modifiers_of_equal_precedence_do_not_compile(void **state)
{
    (void)state;
    assert_int_equal(st_compile_errors(V "set :lower :upper \"b\" \"x\";"), 1);
    assert_int_equal(st_compile_errors(V "set :lowerfirst :upperfirst \"b\" \"x\";"), 1);
    assert_int_equal(st_compile_errors(V "set :quotewildcard :quoteregex \"b\" \"x\";"), 1);
    assert_int_equal(st_compile_errors(V "set :lower :upperfirst :quotewildcard :length "
                                         "\"b\" \"x\";"), 0);
    /* :quoteregex needs "regex"; a modifier that does not exist is an unknown tag. */
    assert_int_equal(st_compile_errors("require \"variables\"; set :quoteregex \"b\" \"x\";"), 1);
    assert_int_equal(st_compile_errors(V "set :inner \"b\" \"x\";"), 1);
    assert_int_equal(st_compile_errors(V "set :UPPER \"name\" \"frop\";"), 0);
}

static void variable_names_are_checked_when_compiling(void **state)
{
    (void)state;
    assert_int_equal(st_compile_errors(V "set \"${frop}\" \"frop\";"), 1);
    assert_int_equal(st_compile_errors(V "set \"....\" \"frop\";"), 1);
    assert_int_equal(st_compile_errors(V "set \"name.\" \"frop\";"), 1);
    assert_int_equal(st_compile_errors(V "set \".name\" \"frop\";"), 1);
    assert_int_equal(st_compile_errors(V "set \"0\" \"frop\";"), 1);       /* a match variable */
    assert_int_equal(st_compile_errors(V "set \"namespace.frop\" \"v\";"), 1);
    assert_int_equal(st_compile_errors(V "set \"\\n\\a\\m\\e\" \"frop\";"), 0); /* "name" */
    assert_int_equal(st_compile_errors(V "set \"_under_score9\" \"x\";"), 0);
    /* SV_MAX_VAR_NAME octets, and one more. */
    char script[512];
    char name[SV_MAX_VAR_NAME + 2];
    memset(name, 'v', sizeof name - 1);
    name[SV_MAX_VAR_NAME] = '\0';
    snprintf(script, sizeof script, V "set \"%s\" \"x\";", name);
    assert_int_equal(st_compile_errors(script), 0);
    name[SV_MAX_VAR_NAME] = 'v';
    name[SV_MAX_VAR_NAME + 1] = '\0';
    snprintf(script, sizeof script, V "set \"%s\" \"x\";", name);
    assert_int_equal(st_compile_errors(script), 1);
    /* RFC 5229 §3: a reference to a namespace nothing declares is an error, once per string. */
    assert_int_equal(st_compile_errors(V "require \"fileinto\"; fileinto \"${namespace.frop}\";"),
                     1);
    assert_int_equal(st_compile_errors(V "if header :is \"subject\" \"${a.b}${c.d}\" { keep; }"),
                     1);
    assert_int_equal(st_compile_errors("require \"fileinto\"; fileinto \"${namespace.frop}\";"),
                     0); /* without variables it is text */
    assert_int_equal(st_compile_errors(V "require \"fileinto\"; fileinto \"${a}.${b}\";"), 0);
    /* "${header.x-y}" is no RFC 5229 reference (a hyphen is not in a name): without
     * vnd.stalwart.expressions it is text, as Pigeonhole reads it. */
    assert_int_equal(st_compile_errors(V "require \"fileinto\"; fileinto \"${header.x-y}\";"),
                     0);
    assert_string_equal(st_test(V "set \"a\" \"${header.x-y}\";",
                                "string :is \"${a}\" \"${header.x-y}\""), "yes");
    /* set and string need the extension. */
    assert_int_equal(st_compile_errors("set \"a\" \"b\";"), 1);
    assert_int_equal(st_compile_errors("if string \"a\" \"b\" { keep; }"), 1);
}

static void string_test_match_types(void **state)
{
    (void)state;
    assert_string_equal(st_test(V, "string :is \"fropfropfrop\" \"FrOpfropfRoP\""), "yes");
    assert_string_equal(st_test(V, "string :comparator \"i;octet\" :is \"frop\" \"FrOp\""), "no");
    assert_string_equal(st_test(V, "string :contains [\"abc\", \"xyz\"] \"Y\""), "yes");
    assert_string_equal(st_test(V, "string :value \"gt\" :comparator \"i;ascii-numeric\" "
                                   "\"10\" \"9\""), "yes");
    assert_string_equal(st_test(V, "string :regex \"abc123\" \"^[a-z]+[0-9]+$\""), "yes");
    /* No whitespace stripping. */
    assert_string_equal(st_test(V "set \"a\" \"  v  \";",
                                "string :is :comparator \"i;octet\" \"${a}\" \"  v  \""), "yes");
    assert_string_equal(st_test(V, "string :is \"\" \"\""), "yes");
}

static void string_count_skips_empty_strings(void **state)
{
    (void)state;
    /* RFC 5229 §5: an empty string counts 0. */
    assert_string_equal(st_test(V, "string :count \"eq\" :comparator \"i;ascii-numeric\" "
                                   "[\"a\", \"b\", \"c\"] \"3\""), "yes");
    assert_string_equal(st_test(V, "string :count \"eq\" :comparator \"i;ascii-numeric\" "
                                   "[\"a\", \"\", \"c\"] \"2\""), "yes");
    assert_string_equal(st_test(V, "string :count \"eq\" :comparator \"i;ascii-numeric\" "
                                   "\"\" \"0\""), "yes");
    assert_string_equal(st_test(V "set \"e\" \"\";",
                                "string :count \"eq\" :comparator \"i;ascii-numeric\" "
                                "\"${e}\" \"0\""), "yes");
}

static void match_variables_from_matches(void **state)
{
    (void)state;
    assert_string_equal(st_test(V "if string :matches \"frop:frup:frop\" \"*:*:*\" {}",
                                "string :is \"${0000002}\" \"frup\""), "yes");
    assert_string_equal(st_test(V "if string :matches \"frop.......frop.........frop....\" "
                                  "\"?*frop*\" {}",
                                "string :is \"${1}${2}${3}\" \"frop................frop....\""),
                        "yes");
    assert_string_equal(st_test(V "if string :matches \"test\" \"*\" {}",
                                "string :is \"${2}\" \"\""), "yes");
    assert_string_equal(st_test(V "if string :matches \"a b c d e f g\" \"? ? ? ? ? ? ?\" {}",
                                "string :is \"${0}\" \"a b c d e f g\""), "yes");
    /* RFC 5229 §3.2 example on a header. */
    assert_string_equal(st_test(V "if header :matches \"Subject\" \"[*] *\" {}",
                                "allof (string \"${1}\" \"acme-users\", "
                                "string \"${2}\" \"[fwd] version 1.0 is out\")"), "yes");
    assert_string_equal(st_test(V "if address :matches \"To\" \"*@*.org\" {}",
                                "string :comparator \"i;octet\" \"${0}|${1}|${2}\" "
                                "\"bob@example.org|bob|example\""), "yes");
}

static void match_variables_change_only_on_a_successful_match(void **state)
{
    (void)state;
    static const char prelude[] = V
        "set \"s1\" \"the cat jumps off the table\";\n"
        "set \"s2\" \"the dog barks at the cat in the alley\";\n"
        "if string :matches \"${s1}\" \"the * jumps off the *\" {}\n";
    assert_string_equal(st_test(prelude, "string :is \"${1}:${2}\" \"cat:table\""), "yes");
    char p2[1024];
    snprintf(p2, sizeof p2, "%sif string :matches \"${s2}\" \"the * barks at the * in the "
             "store\" {}\n", prelude);
    assert_string_equal(st_test(p2, "string :is \"${1}:${2}\" \"cat:table\""), "yes");
    /* Tests other than :matches/:regex leave them alone, even when they succeed. */
    snprintf(p2, sizeof p2, "%sif string :is \"${s2}\" \"${s2}\" {}\n"
             "if string :contains \"${s2}\" \"dog\" {}\n", prelude);
    assert_string_equal(st_test(p2, "string :is \"${1}:${2}\" \"cat:table\""), "yes");
    snprintf(p2, sizeof p2, "%sif string :matches \"${s2}\" \"the * barks at the * in the "
             "alley\" {}\n", prelude);
    assert_string_equal(st_test(p2, "string :is \"${1}:${2}\" \"dog:cat\""), "yes");
    /* A test list stops at its first true test: the later ones set nothing. */
    assert_string_equal(st_test(V "if anyof (string :matches \"a b c d e f g\" \"? ?\", "
                                  "string :matches \"puk pok puk pok\" \"pu*ok\", "
                                  "string :matches \"snot kip snot\" \"snot*snot\") {}",
                                "string :is \"${1}\" \"k pok puk p\""), "yes");
}

static void match_variables_from_regex(void **state)
{
    (void)state;
    assert_string_equal(st_test(V "if string :regex \"user-42@example.com\" "
                                  "\"^([a-z]+)-([0-9]+)@\" {}",
                                "string :is \"${1}/${2}\" \"user/42\""), "yes");
}

/* Runs with a limit on variables and their size. */
static const char *run_limited(const char *script, size_t vars, size_t size, int *rc)
{
    static char out[256];
    st_opts.max_variables = vars;
    st_opts.max_variable_size = size;
    *rc = st_run_on(script, st_message, out, sizeof out);
    st_opts.max_variables = 0;
    st_opts.max_variable_size = 0;
    return out;
}

static void variable_count_limit(void **state)
{
    (void)state;
    int rc;
    static const char three[] = V "set \"a\" \"1\"; set \"b\" \"2\"; set \"c\" \"3\"; "
                                  "set \"A\" \"again\"; discard;";
    assert_string_equal(run_limited(three, 3, 0, &rc), "discard;");
    assert_int_equal(rc, 0);
    assert_string_equal(run_limited(three, 2, 0, &rc), "+keep");
    assert_int_equal(rc, SIEVE_E_RUNTIME);
}

static void variable_size_limit(void **state)
{
    (void)state;
    int rc;
    /* At the limit, and cut one past it. */
    run_limited(V "set \"a\" \"12345678\"; set :length \"n\" \"${a}\"; "
                  "if string \"${n}\" \"8\" { discard; }", 0, 8, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(run_limited(V "set \"a\" \"12345678\"; set :length \"n\" \"${a}\"; "
                                      "if string \"${n}\" \"8\" { discard; }", 0, 8, &rc),
                        "discard;");
    assert_string_equal(run_limited(V "set \"a\" \"123456789\"; "
                                      "if string \"${a}\" \"12345678\" { discard; }", 0, 8, &rc),
                        "discard;");
    /* Doubling a full value stays at the limit. */
    assert_string_equal(run_limited(V "set \"a\" \"1234\"; set \"a\" \"${a}${a}${a}\"; "
                                      "if string \"${a}\" \"12341234\" { discard; }", 0, 8, &rc),
                        "discard;");
    /* A UTF-8 character is not cut in half: "ééééé" is 10 octets, 9 keep four of them. */
    assert_string_equal(run_limited(V "set \"a\" \"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"; "
                                      "set :length \"n\" \"${a}\"; "
                                      "if string \"${n}\" \"4\" { discard; }", 0, 9, &rc),
                        "discard;");
    /* :quotewildcard stops before an escape that would not fit whole. */
    assert_string_equal(run_limited(V "set :quotewildcard \"a\" \"ab*\"; "
                                      "if string :comparator \"i;octet\" \"${a}\" \"ab\" "
                                      "{ discard; }", 0, 3, &rc),
                        "discard;");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(set_and_expand),
        cmocka_unit_test(set_in_actions),
        cmocka_unit_test(modifiers_rfc_examples),
        cmocka_unit_test(modifiers_of_equal_precedence_do_not_compile),
        cmocka_unit_test(variable_names_are_checked_when_compiling),
        cmocka_unit_test(string_test_match_types),
        cmocka_unit_test(string_count_skips_empty_strings),
        cmocka_unit_test(match_variables_from_matches),
        cmocka_unit_test(match_variables_change_only_on_a_successful_match),
        cmocka_unit_test(match_variables_from_regex),
        cmocka_unit_test(variable_count_limit),
        cmocka_unit_test(variable_size_limit),
    };
    return cmocka_run_group_tests(tests, st_setup, st_teardown);
}
