/* test_compile.c — what the compiler refuses, where, and why: unknown commands and tests,
 * extensions not required (RFC 5228 §3.2), argument types and counts (§2.6), tag conflicts,
 * comparators (§2.7.3), relations (RFC 5231), if/elsif/else structure, and the engine's
 * extension list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sieve.h"
#include "sieve_script_run.h"


/* Compiles `script`, expecting failure; returns the errors as "L:C text|…". */
static const char *errors_of(const char *script)
{
    static char out[2048];
    sieve_script *s = NULL;
    sieve_diagnostics *d = NULL;
    int rc = sieve_compile(st_engine, script, strlen(script), &s, &d);
    assert_int_equal(rc, SIEVE_E_COMPILE);
    assert_null(s);
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sieve_diagnostics_count(d); i++) {
        int sev;
        unsigned line, col;
        const char *text;
        assert_int_equal(sieve_diagnostic_at(d, i, &sev, &line, &col, &text), 0);
        if (sev == SIEVE_SEVERITY_ERROR)
            n += (size_t)snprintf(out + n, sizeof out - n, "%u:%u %s|", line, col, text);
    }
    sieve_diagnostics_free(d);
    return out;
}

static void compiles(const char *script)
{
    sieve_script *s = NULL;
    sieve_diagnostics *d = NULL;
    int rc = sieve_compile(st_engine, script, strlen(script), &s, &d);
    if (rc) {
        const char *text = "";
        sieve_diagnostic_at(d, 0, NULL, NULL, NULL, &text);
        fail_msg("\"%s\" did not compile: %s", script, text);
    }
    sieve_diagnostics_free(d);
    sieve_script_free(s);
}

static void unknown_commands_and_tests(void **state)
{
    (void)state;
    assert_non_null(strstr(errors_of("frobnicate;"), "1:1 unknown command \"frobnicate\""));
    assert_non_null(strstr(errors_of("keep;\nif bogus { keep; }"), "2:4 unknown test \"bogus\""));
    assert_non_null(strstr(errors_of("if keep { stop; }"), "is a command, not a test"));
    assert_non_null(strstr(errors_of("true;"), "is a test, not a command"));
}

static void extensions_must_be_required(void **state)
{
    (void)state;
    assert_non_null(strstr(errors_of("fileinto \"x\";"), "\"fileinto\" is not required"));
    assert_non_null(strstr(errors_of("require \"nonesuch\";"), "unsupported extension \"nonesuch\""));
    assert_non_null(strstr(errors_of("keep;\nrequire \"fileinto\";"), "must come before"));
    assert_non_null(strstr(errors_of("if address :user \"from\" \"x\" { keep; }"),
                           "unknown tagged argument \":user\""));
    compiles("require [\"fileinto\", \"envelope\", \"subaddress\"];\n"
             "if envelope :user \"to\" \"bob\" { fileinto \"bob\"; }");
}

static void argument_types_and_counts(void **state)
{
    (void)state;
    assert_non_null(strstr(errors_of("redirect;"), "needs 1 positional argument"));
    assert_non_null(strstr(errors_of("redirect \"a@b.example\" \"c@d.example\";"),
                           "too many arguments"));
    assert_non_null(strstr(errors_of("if size :over \"big\" { keep; }"), "must be a number"));
    assert_non_null(strstr(errors_of("redirect [\"a@b.example\"];"), "must be a string"));
    assert_non_null(strstr(errors_of("if size 10 { keep; }"), "needs :over or :under"));
    assert_non_null(strstr(errors_of("keep :copy;"), "unknown tagged argument"));
    assert_non_null(strstr(errors_of("redirect \"nobody\";"), "invalid redirect address"));
    assert_non_null(strstr(errors_of("redirect \"a@example.net, b@example.net\";"),
                           "invalid redirect address"));
    assert_non_null(strstr(errors_of("redirect \"group: a@example.net;\";"),
                           "invalid redirect address"));
}

static void tag_conflicts(void **state)
{
    (void)state;
    assert_non_null(strstr(errors_of("if header :is :contains \"a\" \"b\" { keep; }"),
                           "\":contains\" conflicts with \":is\""));
    assert_non_null(strstr(errors_of("if size :over :under 1 { keep; }"), "conflicts"));
    assert_non_null(strstr(errors_of("if header :comparator { keep; }"), "takes a string"));
}

static void comparators_and_relations(void **state)
{
    (void)state;
    assert_non_null(strstr(errors_of("if header :comparator \"i;nope\" \"a\" \"b\" { keep; }"),
                           "unknown comparator"));
    /* i;ascii-numeric must be required, and has no substring match. */
    assert_non_null(strstr(errors_of("if header :comparator \"i;ascii-numeric\" \"a\" \"1\" "
                                     "{ keep; }"),
                           "unknown comparator"));
    assert_non_null(strstr(errors_of("require \"comparator-i;ascii-numeric\";\n"
                                     "if header :contains :comparator \"i;ascii-numeric\" \"a\" "
                                     "\"1\" { keep; }"),
                           "cannot be used"));
    assert_non_null(strstr(errors_of("require \"relational\";\n"
                                     "if header :value \"greater\" \"a\" \"1\" { keep; }"),
                           "unknown relation"));
    compiles("require [\"relational\", \"comparator-i;ascii-numeric\"];\n"
             "if header :count \"ge\" :comparator \"i;ascii-numeric\" \"received\" \"3\" { keep; }");
}

static void control_structure(void **state)
{
    (void)state;
    assert_non_null(strstr(errors_of("elsif true { keep; }"), "without an \"if\""));
    assert_non_null(strstr(errors_of("keep; else { keep; }"), "without an \"if\""));
    assert_non_null(strstr(errors_of("if true { keep; } stop; else { keep; }"), "without"));
    assert_non_null(strstr(errors_of("if anyof true { keep; }"), "list of tests"));
    assert_non_null(strstr(errors_of("if not (true, false) { keep; }"), "takes one test"));
    assert_non_null(strstr(errors_of("keep { stop; }"), "takes no block"));
    assert_non_null(strstr(errors_of("if address :is \"subject\" \"x\" { keep; }"),
                           "not a field that holds addresses"));
}

static void several_errors_are_reported(void **state)
{
    (void)state;
    const char *e = errors_of("frob;\nkeep;\nnitz;\n");
    assert_non_null(strstr(e, "1:1 unknown command \"frob\""));
    assert_non_null(strstr(e, "3:1 unknown command \"nitz\""));
}

static void engine_extensions(void **state)
{
    (void)state;
    const char *caps = sieve_engine_extensions(st_engine);
    assert_non_null(strstr(caps, "fileinto"));
    assert_non_null(strstr(caps, "envelope"));
    sieve_options o;
    sieve_options_init(&o);
    o.disabled_extensions = "fileinto envelope";
    sieve_engine *e;
    assert_int_equal(sieve_engine_new(&o, &e), 0);
    assert_null(strstr(sieve_engine_extensions(e), "fileinto"));
    sieve_script *s;
    sieve_diagnostics *d;
    assert_int_equal(sieve_compile(e, "require \"fileinto\";", 19, &s, &d), SIEVE_E_COMPILE);
    sieve_diagnostics_free(d);
    sieve_engine_free(e);
    o.disabled_extensions = "no-such-thing";
    assert_int_equal(sieve_engine_new(&o, &e), SIEVE_E_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unknown_commands_and_tests),
        cmocka_unit_test(extensions_must_be_required),
        cmocka_unit_test(argument_types_and_counts),
        cmocka_unit_test(tag_conflicts),
        cmocka_unit_test(comparators_and_relations),
        cmocka_unit_test(control_structure),
        cmocka_unit_test(several_errors_are_reported),
        cmocka_unit_test(engine_extensions),
    };
    return cmocka_run_group_tests(tests, st_setup, st_teardown);
}
