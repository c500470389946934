/* test_ext_ihave.c — the ihave extension (RFC 5463): the test decided when compiling, the
 * block of a missing extension left unchecked, what ihave makes usable, and error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sieve_script_run.h"

static void ihave_is_true_for_the_engines_extensions(void **state)
{
    (void)state;
    assert_string_equal(st_test("require \"ihave\";", "ihave \"fileinto\""), "yes");
    assert_string_equal(st_test("require \"ihave\";", "ihave [\"fileinto\", \"reject\"]"), "yes");
    assert_string_equal(st_test("require \"ihave\";", "ihave \"nonsense-extension\""), "no");
    assert_string_equal(st_test("require \"ihave\";", "ihave [\"fileinto\", \"nonsense\"]"), "no");
    assert_string_equal(st_test("require \"ihave\";", "not ihave \"nonsense\""), "yes");
    /* Extension names are case-sensitive (RFC 5228 §3.2). */
    assert_string_equal(st_test("require \"ihave\";", "ihave \"FILEINTO\""), "no");
}

static void a_found_extension_may_be_used_in_the_block(void **state)
{
    (void)state;
    assert_string_equal(st_run("require \"ihave\";\n"
                               "if ihave \"fileinto\" { fileinto \"Found\"; }"),
                        "fileinto Found;");
    assert_string_equal(st_run("require \"ihave\";\n"
                               "if ihave [\"fileinto\", \"copy\"] { fileinto :copy \"A\"; }"),
                        "fileinto A :copy;+keep");
    /* Not before it. */
    assert_int_equal(st_compile_errors("require \"ihave\"; fileinto \"A\";\n"
                                       "if ihave \"fileinto\" { keep; }"), 1);
}

static void the_block_of_a_missing_extension_is_not_checked(void **state)
{
    (void)state;
    /* Pigeonhole's ihave/execute. */
    assert_string_equal(st_run("require \"ihave\";\n"
                               "if ihave \"nonsense-extension\" {\n"
                               "  nonsense_command \"Frop!\";\n}\n"
                               "redirect \"frop@example.com\";"),
                        "redirect frop@example.com;");
    assert_string_equal(st_run("require \"ihave\";\n"
                               "if ihave \"x-unknown\" { x_cmd :tag 1; }\n"
                               "elsif true { discard; }\n"),
                        "discard;");
    assert_string_equal(st_run("require \"ihave\";\n"
                               "if allof (true, ihave \"x-unknown\") { x_cmd; }"), "+keep");
    /* The block of "not ihave" runs when the extension is missing: it is checked. */
    assert_int_equal(st_compile_errors("require \"ihave\";\n"
                                       "if not ihave \"x-unknown\" { x_cmd; }"), 1);
    assert_int_equal(st_compile_errors("require \"ihave\";\n"
                                       "if anyof (ihave \"x-unknown\", true) { x_cmd; }"), 1);
    /* The else of a missing extension is checked too. */
    assert_int_equal(st_compile_errors("require \"ihave\";\n"
                                       "if ihave \"x-unknown\" { x_cmd; } else { y_cmd; }"), 1);
}

static void ihave_of_what_changes_reading_is_false(void **state)
{
    (void)state;
    /* Pigeonhole's ihave/restrictions: variables and encoded-character change how strings
     * are read, so they cannot arrive in the middle of a script. */
    assert_string_equal(st_test("require \"ihave\";", "ihave \"encoded-character\""), "no");
    assert_string_equal(st_test("require \"ihave\";", "ihave \"variables\""), "no");
    assert_string_equal(st_test("require [\"ihave\", \"variables\"];", "ihave \"variables\""),
                        "yes");
}

static void a_disabled_extension_is_missing(void **state)
{
    (void)state;
    sieve_engine *saved = st_engine;
    sieve_options o;
    sieve_options_init(&o);
    o.disabled_extensions = "fileinto";
    assert_int_equal(sieve_engine_new(&o, &st_engine), 0);
    assert_string_equal(st_run("require \"ihave\";\n"
                               "if ihave \"fileinto\" { fileinto \"A\"; } else { discard; }"),
                        "discard;");
    sieve_engine_free(st_engine);
    st_engine = saved;
}

static void error_fails_the_run(void **state)
{
    (void)state;
    /* Pigeonhole's ihave/errors: one run-time error, the message kept. */
    assert_string_equal(st_run_fails("require \"ihave\";\nerror \"Something failed.\";"),
                        "+keep");
    assert_string_equal(st_error, "Something failed.");
    assert_string_equal(st_run_fails("require [\"ihave\", \"variables\"];\n"
                                     "set \"x\" \"frop\"; discard; error \"bad ${x}\"; keep;"),
                        "discard;+keep");
    assert_string_equal(st_error, "bad frop");
    assert_string_equal(st_run("require \"ihave\"; if false { error \"no\"; } discard;"),
                        "discard;");
    assert_int_equal(st_compile_errors("error \"x\";"), 1);
    assert_int_equal(st_compile_errors("require \"ihave\"; error;"), 1);
}

static void ihave_survives_save_and_load(void **state)
{
    (void)state;
    static const char script[] = "require \"ihave\";\n"
                                 "if ihave \"fileinto\" { fileinto \"A\"; }\n"
                                 "if ihave \"x-unknown\" { x_cmd; }";
    sieve_script *s, *l;
    assert_int_equal(sieve_compile(st_engine, script, strlen(script), &s, NULL), 0);
    unsigned char *bytes;
    size_t len;
    assert_int_equal(sieve_script_save(s, &bytes, &len), 0);
    assert_int_equal(sieve_script_load(st_engine, bytes, len, &l), 0);
    sieve_result *r;
    assert_int_equal(sieve_run(l, st_message, strlen(st_message), NULL, NULL, &r, NULL), 0);
    int type;
    const char *target;
    assert_int_equal(sieve_result_count(r), 1);
    sieve_result_action(r, 0, &type, &target, NULL, NULL);
    assert_int_equal(type, SIEVE_ACTION_FILEINTO);
    assert_string_equal(target, "A");
    sieve_result_free(r);
    sieve_free(bytes);
    sieve_script_free(l);
    sieve_script_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ihave_is_true_for_the_engines_extensions),
        cmocka_unit_test(a_found_extension_may_be_used_in_the_block),
        cmocka_unit_test(the_block_of_a_missing_extension_is_not_checked),
        cmocka_unit_test(ihave_of_what_changes_reading_is_false),
        cmocka_unit_test(a_disabled_extension_is_missing),
        cmocka_unit_test(error_fails_the_run),
        cmocka_unit_test(ihave_survives_save_and_load),
    };
    return cmocka_run_group_tests(tests, st_setup, st_teardown);
}
