/* test_ext_include.c — include, return and global (RFC 6609): scripts fetched while the
 * including script compiles and kept inside it (also through save and load), :once and
 * :optional, recursion and the limits on depth and count, return and stop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sieve.h"

static const char msg[] = "From: alice@example.com\r\nTo: bob@example.org\r\n"
                          "Subject: hello\r\n\r\nHi.\r\n";

/* The scripts the include callback knows: personal ones, and "g:" names for global ones. */
static const struct {
    const char *name, *text;
} scripts[] = {
    {"a", "require \"fileinto\"; fileinto \"A\";"},
    {"b", "require \"fileinto\"; fileinto \"B\";"},
    {"ret", "require [\"include\", \"fileinto\"]; fileinto \"R1\"; return; fileinto \"R2\";"},
    {"stop", "require \"fileinto\"; fileinto \"S\"; stop;"},
    {"self", "require \"include\"; include \"self\";"},
    {"loop1", "require \"include\"; include \"loop2\";"},
    {"loop2", "require \"include\"; include \"loop1\";"},
    {"bad", "frobnicate;"},
    {"nested", "require \"include\"; include \"a\"; include \"b\";"},
    {"add", "require \"editheader\"; addheader \"X-Inc\" \"1\";"},
    {"g:a", "require \"fileinto\"; fileinto \"GA\";"},
    {"d1", "require \"include\"; include \"d2\";"},
    {"d2", "require \"include\"; include \"d3\";"},
    {"d3", "require \"include\"; include \"a\";"},
    {"o3", "require [\"include\", \"fileinto\"]; fileinto \"O3\"; include \"o4\";"},
    {"o4", "require [\"include\", \"fileinto\"]; fileinto \"O4\"; include :once \"o3\";"},
    {"gset", "require [\"include\", \"variables\"]; global \"x\"; set \"x\" \"from-sub\";"},
    {"gget", "require [\"include\", \"variables\", \"fileinto\"]; global \"x\"; "
             "fileinto \"got-${x}\";"},
    {"lset", "require \"variables\"; set \"x\" \"sub\";"},
    {"nsset", "require [\"include\", \"variables\"]; set \"global.n\" \"personal\";"},
    {"g:nsset", "require [\"include\", \"variables\"]; set \"global.n\" \"global\";"},
    {"nsget", "require [\"include\", \"variables\", \"fileinto\"]; global \"n\"; "
              "fileinto \"n-${n}-${global.n}\";"},
    {"body", "require [\"body\", \"fileinto\"]; if body :text :contains \"hi.\" "
             "{ fileinto \"Body\"; }"},
};

static int fetches;

static int fetch(void *user, int location, const char *name, char **text, size_t *len)
{
    (void)user;
    char key[64];
    snprintf(key, sizeof key, "%s%s", location == SIEVE_INCLUDE_GLOBAL ? "g:" : "", name);
    for (size_t i = 0; i < sizeof scripts / sizeof scripts[0]; i++)
        if (!strcmp(scripts[i].name, key)) {
            fetches++;
            *len = strlen(scripts[i].text);
            *text = malloc(*len + 1);
            memcpy(*text, scripts[i].text, *len + 1);
            return 0;
        }
    return 1;
}

static sieve_engine *engine_with(unsigned depth, unsigned count)
{
    sieve_options o;
    sieve_options_init(&o);
    o.include = fetch;
    o.max_include_depth = depth;
    o.max_includes = count;
    sieve_engine *e = NULL;
    assert_int_equal(sieve_engine_new(&o, &e), 0);
    return e;
}

/* Compiles and runs; the actions as "fileinto A;…+keep". Returns the run's (or compile's)
 * code. When `save` the script goes through save and load first. */
static int run_on(sieve_engine *e, const char *script, int save, char *out, size_t size)
{
    sieve_script *s = NULL;
    out[0] = '\0';
    int rc = sieve_compile(e, script, strlen(script), &s, NULL);
    if (rc)
        return rc;
    if (save) {
        unsigned char *bytes;
        size_t n;
        assert_int_equal(sieve_script_save(s, &bytes, &n), 0);
        sieve_script_free(s);
        s = NULL;
        assert_int_equal(sieve_script_load(e, bytes, n, &s), 0);
        sieve_free(bytes);
    }
    sieve_result *r = NULL;
    rc = sieve_run(s, msg, strlen(msg), NULL, NULL, &r, NULL);
    size_t k = 0;
    for (size_t i = 0; i < sieve_result_count(r); i++) {
        int type;
        const char *target;
        sieve_result_action(r, i, &type, &target, NULL, NULL);
        k += (size_t)snprintf(out + k, size - k, "%s%s%s;", sieve_action_name(type),
                              *target ? " " : "", target);
    }
    if (sieve_result_implicit_keep(r))
        snprintf(out + k, size - k, "+keep");
    sieve_result_free(r);
    sieve_script_free(s);
    return rc;
}

static char out[512];

static const char *run(const char *script)
{
    sieve_engine *e = engine_with(0, 0);
    int rc = run_on(e, script, 0, out, sizeof out);
    sieve_engine_free(e);
    if (rc)
        snprintf(out, sizeof out, "error %d", rc);
    return out;
}

static void included_script_actions_join_the_result(void **state)
{
    (void)state;
    assert_string_equal(run("require \"include\"; include \"a\"; keep;"), "fileinto A;keep;");
}

/* The message's bodies are there for an included script that reads them, though the script
 * including it requires no extension that does. */
static void an_included_script_reads_the_body(void **state)
{
    (void)state;
    assert_string_equal(run("require \"include\"; include \"body\";"), "fileinto Body;");
}

static void global_location_is_separate_from_personal(void **state)
{
    (void)state;
    assert_string_equal(run("require \"include\"; include :global \"a\"; include :personal \"a\";"),
                        "fileinto GA;fileinto A;");
}

static void return_ends_only_the_included_script(void **state)
{
    (void)state;
    assert_string_equal(run("require [\"include\", \"fileinto\"]; include \"ret\"; fileinto \"M\";"),
                        "fileinto R1;fileinto M;");
}

static void return_in_the_top_script_ends_it(void **state)
{
    (void)state;
    assert_string_equal(run("require [\"include\", \"fileinto\"]; fileinto \"X\"; return; "
                            "fileinto \"Y\";"), "fileinto X;");
}

static void stop_in_an_included_script_ends_every_script(void **state)
{
    (void)state;
    assert_string_equal(run("require [\"include\", \"fileinto\"]; include \"stop\"; fileinto \"M\";"),
                        "fileinto S;");
}

static void missing_script_is_a_compile_error(void **state)
{
    (void)state;
    assert_string_equal(run("require \"include\"; include \"nope\";"), "error -6");
}

static void optional_missing_script_is_skipped(void **state)
{
    (void)state;
    assert_string_equal(run("require \"include\"; include :optional \"nope\"; keep;"), "keep;");
}

static void optional_existing_script_runs(void **state)
{
    (void)state;
    assert_string_equal(run("require \"include\"; include :optional \"a\";"), "fileinto A;");
}

static void included_script_that_does_not_compile_is_an_error(void **state)
{
    (void)state;
    assert_string_equal(run("require \"include\"; include \"bad\";"), "error -6");
}

static void script_including_itself_is_an_error(void **state)
{
    (void)state;
    assert_string_equal(run("require \"include\"; include \"self\";"), "error -6");
    assert_string_equal(run("require \"include\"; include \"loop1\";"), "error -6");
}

static void once_closes_a_cycle_without_error(void **state)
{
    (void)state;
    assert_string_equal(run("require \"include\"; include \"o3\";"), "fileinto O3;fileinto O4;");
    /* From o4 the cycle o4 > o3 > o4 is closed by an include without :once. */
    assert_string_equal(run("require \"include\"; include \"o4\";"), "error -6");
}

static void errors_of_included_scripts_are_reported_at_each_include(void **state)
{
    (void)state;
    sieve_engine *e = engine_with(0, 0);
    const char *src = "require \"include\";\ninclude \"loop1\";";
    sieve_script *s = NULL;
    sieve_diagnostics *d = NULL;
    assert_int_equal(sieve_compile(e, src, strlen(src), &s, &d), SIEVE_E_COMPILE);
    /* The cycle in loop2, loop2 failing in loop1, loop1 failing here. */
    assert_int_equal(sieve_diagnostics_count(d), 3);
    unsigned line;
    const char *text;
    assert_int_equal(sieve_diagnostic_at(d, 2, NULL, &line, NULL, &text), 0);
    assert_int_equal(line, 2);
    assert_non_null(strstr(text, "loop1"));
    sieve_diagnostics_free(d);
    sieve_engine_free(e);
}

static void nested_includes_run_in_order(void **state)
{
    (void)state;
    assert_string_equal(run("require \"include\"; include \"nested\";"), "fileinto A;fileinto B;");
}

static void a_script_included_twice_is_fetched_once(void **state)
{
    (void)state;
    fetches = 0;
    assert_string_equal(run("require \"include\"; include \"a\"; include \"nested\"; include \"a\";"),
                        "fileinto A;fileinto B;");
    assert_int_equal(fetches, 3); /* a, nested, b */
}

static void once_includes_a_script_a_single_time(void **state)
{
    (void)state;
    const char *head = "require [\"include\", \"editheader\", \"relational\", \"fileinto\", "
                       "\"comparator-i;ascii-numeric\"]; ";
    char script[512];
    snprintf(script, sizeof script, "%sinclude :once \"add\"; include :once \"add\"; if header "
             ":count \"eq\" :comparator \"i;ascii-numeric\" \"X-Inc\" \"1\" { fileinto \"one\"; }",
             head);
    assert_string_equal(run(script), "fileinto one;");
    snprintf(script, sizeof script, "%sinclude \"add\"; include \"add\"; if header :count \"eq\" "
             ":comparator \"i;ascii-numeric\" \"X-Inc\" \"2\" { fileinto \"two\"; }", head);
    assert_string_equal(run(script), "fileinto two;");
}

static void depth_limit_is_checked_on_the_limit_and_past_it(void **state)
{
    (void)state;
    const char *script = "require \"include\"; include \"d1\";"; /* d1 > d2 > d3 > a: 4 deep */
    sieve_engine *e = engine_with(4, 0);
    assert_int_equal(run_on(e, script, 0, out, sizeof out), 0);
    assert_string_equal(out, "fileinto A;");
    sieve_engine_free(e);
    e = engine_with(3, 0);
    assert_int_equal(run_on(e, script, 0, out, sizeof out), SIEVE_E_COMPILE);
    sieve_engine_free(e);
}

static void count_limit_is_checked_on_the_limit_and_past_it(void **state)
{
    (void)state;
    const char *script = "require \"include\"; include \"nested\";"; /* nested, a, b */
    sieve_engine *e = engine_with(0, 3);
    assert_int_equal(run_on(e, script, 0, out, sizeof out), 0);
    sieve_engine_free(e);
    e = engine_with(0, 2);
    assert_int_equal(run_on(e, script, 0, out, sizeof out), SIEVE_E_COMPILE);
    sieve_engine_free(e);
}

static void included_scripts_are_saved_and_loaded_with_the_script(void **state)
{
    (void)state;
    sieve_engine *e = engine_with(0, 0);
    fetches = 0;
    assert_int_equal(run_on(e, "require \"include\"; include \"nested\"; include :global \"a\";",
                            1, out, sizeof out), 0);
    assert_string_equal(out, "fileinto A;fileinto B;fileinto GA;");
    assert_int_equal(fetches, 4); /* at compile time only */
    sieve_engine_free(e);
}

static void saved_bytes_with_a_damaged_table_are_refused(void **state)
{
    (void)state;
    sieve_engine *e = engine_with(0, 0);
    const char *src = "require \"include\"; include \"a\";";
    sieve_script *s;
    assert_int_equal(sieve_compile(e, src, strlen(src), &s, NULL), 0);
    unsigned char *bytes;
    size_t n;
    assert_int_equal(sieve_script_save(s, &bytes, &n), 0);
    sieve_script_free(s);
    /* Every cut is refused, and so is every single flipped octet that breaks it: none may
     * crash or load something that does not verify. */
    for (size_t cut = 0; cut < n; cut++) {
        s = NULL;
        assert_int_not_equal(sieve_script_load(e, bytes, cut, &s), 0);
        assert_null(s);
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char save = bytes[i];
        bytes[i] ^= 0xff;
        s = NULL;
        if (sieve_script_load(e, bytes, n, &s) == 0) {
            sieve_result *r = NULL;
            sieve_run(s, msg, strlen(msg), NULL, NULL, &r, NULL);
            sieve_result_free(r);
        }
        sieve_script_free(s);
        bytes[i] = save;
    }
    sieve_free(bytes);
    sieve_engine_free(e);
}

static void include_needs_the_extension_required(void **state)
{
    (void)state;
    assert_string_equal(run("include \"a\";"), "error -6");
}

#define VREQ "require [\"include\", \"variables\", \"fileinto\"]; "

static void global_set_in_an_included_script_is_seen_by_the_includer(void **state)
{
    (void)state;
    assert_string_equal(run(VREQ "global \"x\"; set \"x\" \"main\"; include \"gset\"; "
                            "fileinto \"v-${x}\";"), "fileinto v-from-sub;");
}

static void global_set_by_the_includer_is_seen_by_the_included_script(void **state)
{
    (void)state;
    assert_string_equal(run(VREQ "global \"x\"; set \"x\" \"main\"; include \"gget\";"),
                        "fileinto got-main;");
}

static void global_declared_after_the_include_still_reads_it(void **state)
{
    (void)state;
    assert_string_equal(run(VREQ "include \"gset\"; global \"x\"; fileinto \"v-${x}\";"),
                        "fileinto v-from-sub;");
}

static void variables_not_declared_global_stay_local(void **state)
{
    (void)state;
    assert_string_equal(run(VREQ "set \"x\" \"main\"; include \"lset\"; fileinto \"v-${x}\";"),
                        "fileinto v-main;");
    assert_string_equal(run(VREQ "set \"x\" \"main\"; include \"gset\"; fileinto \"v-${x}\";"),
                        "fileinto v-main;");
}

static void global_namespace_reads_and_sets_globals(void **state)
{
    (void)state;
    assert_string_equal(run(VREQ "set \"global.n\" \"none\"; include :personal \"nsset\"; "
                            "fileinto \"${global.n}\"; include :global \"nsset\"; "
                            "fileinto \"${global.n}\"; include \"nsget\";"),
                        "fileinto personal;fileinto global;fileinto n-global-global;");
}

static void global_namespace_needs_include(void **state)
{
    (void)state;
    assert_string_equal(run("require [\"variables\", \"fileinto\"]; set \"global.n\" \"x\";"),
                        "error -6");
}

static void global_needs_variables(void **state)
{
    (void)state;
    assert_string_equal(run("require \"include\"; global \"x\";"), "error -6");
}

static void invalid_script_names_are_compile_errors(void **state)
{
    (void)state;
    assert_string_equal(run("require \"include\"; include \"../frop\";"), "error -6");
    assert_string_equal(run("require \"include\"; include \"\";"), "error -6");
    assert_string_equal(run("require [\"include\", \"encoded-character\"]; "
                            "include \"idiotic${unicode: 001a}\";"), "error -6");
    assert_string_equal(run("require [\"include\", \"encoded-character\"]; "
                            "include \"idiotic${unicode: 007f}\";"), "error -6");
    assert_string_equal(run("require [\"include\", \"encoded-character\"]; "
                            "include \"idiotic${unicode: 0085}\";"), "error -6");
    assert_string_equal(run("require [\"include\", \"encoded-character\"]; "
                            "include \"idiotic${unicode: 2028}\";"), "error -6");
    assert_string_equal(run("require [\"include\", \"variables\"]; include \"${x}\";"),
                        "error -6");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(included_script_actions_join_the_result),
        cmocka_unit_test(an_included_script_reads_the_body),
        cmocka_unit_test(global_location_is_separate_from_personal),
        cmocka_unit_test(return_ends_only_the_included_script),
        cmocka_unit_test(return_in_the_top_script_ends_it),
        cmocka_unit_test(stop_in_an_included_script_ends_every_script),
        cmocka_unit_test(missing_script_is_a_compile_error),
        cmocka_unit_test(optional_missing_script_is_skipped),
        cmocka_unit_test(optional_existing_script_runs),
        cmocka_unit_test(included_script_that_does_not_compile_is_an_error),
        cmocka_unit_test(script_including_itself_is_an_error),
        cmocka_unit_test(nested_includes_run_in_order),
        cmocka_unit_test(once_closes_a_cycle_without_error),
        cmocka_unit_test(errors_of_included_scripts_are_reported_at_each_include),
        cmocka_unit_test(a_script_included_twice_is_fetched_once),
        cmocka_unit_test(once_includes_a_script_a_single_time),
        cmocka_unit_test(depth_limit_is_checked_on_the_limit_and_past_it),
        cmocka_unit_test(count_limit_is_checked_on_the_limit_and_past_it),
        cmocka_unit_test(included_scripts_are_saved_and_loaded_with_the_script),
        cmocka_unit_test(saved_bytes_with_a_damaged_table_are_refused),
        cmocka_unit_test(include_needs_the_extension_required),
        cmocka_unit_test(global_set_in_an_included_script_is_seen_by_the_includer),
        cmocka_unit_test(global_set_by_the_includer_is_seen_by_the_included_script),
        cmocka_unit_test(global_declared_after_the_include_still_reads_it),
        cmocka_unit_test(variables_not_declared_global_stay_local),
        cmocka_unit_test(global_namespace_reads_and_sets_globals),
        cmocka_unit_test(global_namespace_needs_include),
        cmocka_unit_test(global_needs_variables),
        cmocka_unit_test(invalid_script_names_are_compile_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
