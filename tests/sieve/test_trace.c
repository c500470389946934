/* test_trace.c — sieve_run_options.trace: each command and test a run executes, in order, with
 * its line and outcome, and the actions each added. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sieve.h"
#include "sieve_script_run.h"

/* The trace of the last run, one "line kind name outcome [detail]" entry per call, ";" after
 * each. */
static char trace_out[4096];

static void record(void *user, int kind, unsigned line, const char *name, int outcome,
                   const char *detail)
{
    size_t n = strlen(trace_out);
    static const char *const kinds[] = {"test", "command", "action"};
    assert_ptr_equal(user, trace_out);
    assert_true(kind >= SIEVE_TRACE_TEST && kind <= SIEVE_TRACE_ACTION);
    assert_true(kind == SIEVE_TRACE_ACTION ? detail != NULL : detail == NULL);
    snprintf(trace_out + n, sizeof trace_out - n, "%u %s %s %d%s%s;", line, kinds[kind], name,
             outcome, detail ? " " : "", detail ? detail : "");
}

static int setup(void **state)
{
    int rc = st_setup(state);
    st_opts.trace = record;
    st_opts.trace_user = trace_out;
    trace_out[0] = '\0';
    return rc;
}

static void tests_commands_and_actions_in_order(void **state)
{
    (void)state;
    assert_string_equal(st_run("require [\"fileinto\", \"copy\"];\n"
                               "if header :contains \"subject\" \"nothing\" {\n"
                               "  discard;\n"
                               "} elsif anyof (exists \"x-none\",\n"
                               "               address :domain \"from\" \"example.com\") {\n"
                               "  fileinto :copy \"Friends\";\n"
                               "}\n"
                               "keep;\n"),
                        "fileinto Friends :copy;keep;");
    assert_string_equal(trace_out, "2 test header 0;"
                                   "4 test exists 0;"
                                   "5 test address 1;"
                                   "6 command fileinto 0;"
                                   "6 action fileinto 0 Friends;"
                                   "8 command keep 0;"
                                   "8 action keep 0 ;");
}

static void stop_ends_the_trace(void **state)
{
    (void)state;
    assert_string_equal(st_run("if true { discard; stop; }\nkeep;\n"), "discard;");
    assert_string_equal(trace_out, "1 command discard 0;1 action discard 0 ;");
}

/* An action merged into an earlier one adds nothing (RFC 5228 §4). */
static void a_merged_action_adds_nothing(void **state)
{
    (void)state;
    assert_string_equal(st_run("require \"fileinto\";\nfileinto \"A\";\nfileinto \"A\";\n"),
                        "fileinto A;");
    assert_string_equal(trace_out, "2 command fileinto 0;2 action fileinto 0 A;"
                                   "3 command fileinto 0;");
}

static void a_failing_command_reports_its_error(void **state)
{
    (void)state;
    assert_string_equal(st_run_fails("require \"variables\";\nset \"a\" \"x\";\n"
                                     "redirect \"${a}\";\nkeep;\n"),
                        "+keep");
    char want[128];
    snprintf(want, sizeof want, "2 command set 0;3 command redirect %d;", SIEVE_E_RUNTIME);
    assert_string_equal(trace_out, want);
}

static int include_one(void *user, int location, const char *name, char **text, size_t *len)
{
    (void)user;
    (void)location;
    static const char inner[] = "require \"fileinto\";\n\nfileinto \"Inner\";\n";
    if (strcmp(name, "inner") != 0)
        return 1;
    if (!(*text = malloc(sizeof inner)))
        return SIEVE_E_NOMEM;
    memcpy(*text, inner, sizeof inner);
    *len = sizeof inner - 1;
    return 0;
}

/* The commands of an included script have its own lines; the include command after them
 * reports no action again. */
static void an_included_script_is_traced_once(void **state)
{
    (void)state;
    sieve_options o;
    sieve_options_init(&o);
    o.include = include_one;
    sieve_engine *saved = st_engine;
    assert_int_equal(sieve_engine_new(&o, &st_engine), 0);
    assert_string_equal(st_run("require \"include\";\ninclude \"inner\";\n"),
                        "fileinto Inner;");
    sieve_engine_free(st_engine);
    st_engine = saved;
    assert_string_equal(trace_out, "3 command fileinto 0;3 action fileinto 0 Inner;"
                                   "2 command include 0;");
}

/* Without a trace callback the run is the same. */
static void the_result_does_not_depend_on_tracing(void **state)
{
    (void)state;
    const char *script = "require \"fileinto\";\nif header :matches \"subject\" \"*acme*\" "
                         "{ fileinto \"Lists\"; }\n";
    char traced[2048];
    snprintf(traced, sizeof traced, "%s", st_run(script));
    assert_string_not_equal(trace_out, "");
    st_opts.trace = NULL;
    trace_out[0] = '\0';
    assert_string_equal(st_run(script), traced);
    assert_string_equal(trace_out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(tests_commands_and_actions_in_order, setup, st_teardown),
        cmocka_unit_test_setup_teardown(stop_ends_the_trace, setup, st_teardown),
        cmocka_unit_test_setup_teardown(a_merged_action_adds_nothing, setup, st_teardown),
        cmocka_unit_test_setup_teardown(a_failing_command_reports_its_error, setup,
                                        st_teardown),
        cmocka_unit_test_setup_teardown(an_included_script_is_traced_once, setup, st_teardown),
        cmocka_unit_test_setup_teardown(the_result_does_not_depend_on_tracing, setup,
                                        st_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
