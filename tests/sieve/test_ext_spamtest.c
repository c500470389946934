/* test_ext_spamtest.c — spamtest, spamtestplus and virustest (RFC 5235): the values made from
 * sieve_run_options' scores, "0" when untested, :percent, and the syntax. Values from
 * Pigeonhole's tests/extensions/spamvirustest (SpamAssassin scores against required=5.0,
 * percentages against a maximum of 1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sieve_script_run.h"

/* The value the test gives: the first of "0".."100" it matches. */
static const char *value_of(const char *test, double score, double max, int virus)
{
    static char val[8];
    st_opts.spam_score = score;
    st_opts.spam_max = max;
    st_opts.virus_score = virus;
    for (int v = 0; v <= 100; v++) {
        char script[512];
        snprintf(script, sizeof script,
                 "require [\"spamtestplus\", \"virustest\", \"relational\", "
                 "\"comparator-i;ascii-numeric\"];\n"
                 "if %s :value \"eq\" :comparator \"i;ascii-numeric\" \"%d\" { discard; }",
                 test, v);
        if (strcmp(st_run(script), "discard;") == 0) {
            snprintf(val, sizeof val, "%d", v);
            return val;
        }
    }
    return "none";
}

static void spamtest_levels_from_a_score(void **state)
{
    (void)state;
    assert_string_equal(value_of("spamtest", -1.6, 5.0, 0), "1");
    assert_string_equal(value_of("spamtest", 0.0, 5.0, 0), "1");
    assert_string_equal(value_of("spamtest", 1.0, 5.0, 0), "2");
    assert_string_equal(value_of("spamtest", 4.0, 5.0, 0), "8");
    assert_string_equal(value_of("spamtest", 5.0, 5.0, 0), "10");
    assert_string_equal(value_of("spamtest", 7.6, 5.0, 0), "10");
    /* A level 1..10 given as level - 1 out of 9. */
    for (int level = 1; level <= 10; level++) {
        char want[4];
        snprintf(want, sizeof want, "%d", level);
        assert_string_equal(value_of("spamtest", level - 1, 9, 0), want);
    }
}

static void untested_is_zero(void **state)
{
    (void)state;
    assert_string_equal(value_of("spamtest", 3.0, 0, 0), "0");
    assert_string_equal(value_of("spamtest", 3.0, -1, 0), "0");
    assert_string_equal(value_of("spamtest :percent", 3.0, -1, 0), "0");
    assert_string_equal(value_of("virustest", 0, 0, -1), "0");
    assert_string_equal(value_of("virustest", 0, 0, 6), "0");
    /* The defaults of sieve_run_options_init are untested. */
    sieve_run_options_init(&st_opts);
    assert_string_equal(st_run("require \"spamtest\"; if spamtest :is \"0\" { discard; }"),
                        "discard;");
}

static void spamtest_percent(void **state)
{
    (void)state;
    static const struct {
        double score;
        const char *want;
    } cases[] = {{0.00, "0"}, {0.01, "1"}, {0.13, "13"}, {0.29, "29"}, {0.51, "51"},
                 {0.73, "73"}, {0.89, "89"}, {1.01, "100"}, {-0.5, "0"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_string_equal(value_of("spamtest :percent", cases[i].score, 1, 0), cases[i].want);
}

static void virustest_values(void **state)
{
    (void)state;
    for (int v = 1; v <= 5; v++) {
        char want[4];
        snprintf(want, sizeof want, "%d", v);
        assert_string_equal(value_of("virustest", 0, 0, v), want);
    }
}

static void default_match_is_is_with_ascii_casemap(void **state)
{
    (void)state;
    st_opts.spam_score = 4.0;
    st_opts.spam_max = 5.0;
    assert_string_equal(st_run("require \"spamtest\"; if spamtest \"8\" { discard; }"), "discard;");
    assert_string_equal(st_run("require \"spamtest\"; if spamtest \"1\" { discard; }"), "+keep");
    assert_string_equal(st_run("require \"spamtest\"; if spamtest :matches \"*\" { discard; }"),
                        "discard;");
}

static void syntax(void **state)
{
    (void)state;
    assert_true(st_compile_errors("require \"spamtest\"; if spamtest 3 {}") >= 1);
    assert_true(st_compile_errors("require \"virustest\"; if virustest 3 {}") >= 1);
    assert_true(st_compile_errors("require \"spamtest\"; if spamtest :matches :comparator "
                                  "\"i;ascii-casemap\" {}") >= 1);
    /* :percent needs spamtestplus, which brings spamtest with it. */
    assert_true(st_compile_errors("require \"spamtest\"; if spamtest :percent \"3\" {}") >= 1);
    assert_int_equal(st_compile_errors("require \"spamtestplus\"; if spamtest :percent \"3\" {}"),
                     0);
    assert_int_equal(st_compile_errors("require \"spamtestplus\"; if spamtest \"3\" {}"), 0);
    assert_true(st_compile_errors("if spamtest \"3\" {}") >= 1);
    assert_true(st_compile_errors("require \"spamtest\"; if virustest \"3\" {}") >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(spamtest_levels_from_a_score),
        cmocka_unit_test(untested_is_zero),
        cmocka_unit_test(spamtest_percent),
        cmocka_unit_test(virustest_values),
        cmocka_unit_test(default_match_is_is_with_ascii_casemap),
        cmocka_unit_test(syntax),
    };
    return cmocka_run_group_tests(tests, st_setup, st_teardown);
}
