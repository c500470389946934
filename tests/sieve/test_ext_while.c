/* test_ext_while.c — vnd.stalwart.while: while loops, break and continue (with foreverypart's
 * loops around and inside them), and the instruction budget that bounds a loop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sieve_script_run.h"

#define W "require [\"variables\", \"reject\", \"foreverypart\", \"vnd.stalwart.expressions\", " \
          "\"vnd.stalwart.while\"];\n"

/* What the script left in the variable "r", read back through a reject's reason. */
static const char *result_of(const char *body)
{
    return st_variable_r(W, body, st_message);
}

static void loops_while_true(void **state)
{
    (void)state;
    assert_string_equal(result_of("let \"i\" \"0\"; let \"r\" \"''\";\n"
                                  "while \"i < 5\" { let \"r\" \"r + '<' + i + '>'\"; "
                                  "let \"i\" \"i + 1\"; }"),
                        "<0><1><2><3><4>");
    /* false at once: the block does not run */
    assert_string_equal(result_of("set \"r\" \"x\"; while \"0\" { set \"r\" \"y\"; }"), "x");
}

static void nested_loops(void **state)
{
    (void)state;
    assert_string_equal(result_of("let \"r\" \"''\"; let \"x\" \"['a', 'b']\"; let \"i\" \"0\";\n"
                                  "while \"i < 2\" { let \"j\" \"0\";\n"
                                  "  while \"j < 2\" {\n"
                                  "    if eval \"len(r) > 0\" { let \"r\" \"r + ','\"; }\n"
                                  "    let \"r\" \"r + x[i] + j\"; let \"j\" \"j + 1\"; }\n"
                                  "  let \"i\" \"i + 1\"; }"),
                        "a0,a1,b0,b1");
}

static void break_and_continue(void **state)
{
    (void)state;
    assert_string_equal(result_of("let \"i\" \"0\";\n"
                                  "while \"1\" { let \"i\" \"i + 1\";\n"
                                  "  if eval \"i == 3\" { break; } }\n"
                                  "let \"r\" \"i\";"),
                        "3");
    /* continue skips the rest of the round */
    assert_string_equal(result_of("let \"i\" \"0\"; let \"r\" \"0\";\n"
                                  "while \"i < 5\" { let \"i\" \"i + 1\";\n"
                                  "  if eval \"i == 2 || i == 4\" { continue; }\n"
                                  "  let \"r\" \"r + 1\"; }"),
                        "3");
    assert_string_equal(result_of("let \"i\" \"0\"; let \"r\" \"0\";\n"
                                  "while \"i < 5\" { let \"i\" \"i + 1\"; continue; "
                                  "let \"r\" \"r + 1\"; }\nlet \"r\" \"r + ':' + i\";"),
                        "0:5");
    /* break inside a while inside a foreverypart leaves the while only */
    assert_string_equal(result_of("let \"r\" \"0\";\n"
                                  "foreverypart { while \"1\" { break; } let \"r\" \"r + 1\"; }"),
                        "1");
    /* break :name leaves the foreverypart named and the while inside it */
    assert_string_equal(result_of("let \"r\" \"0\";\n"
                                  "foreverypart :name \"main\" { while \"1\" {\n"
                                  "  let \"r\" \"r + 1\"; break :name \"main\"; }\n"
                                  "  let \"r\" \"99\"; }"),
                        "1");
    /* a foreverypart inside a while: continue leaves it too */
    assert_string_equal(result_of("let \"i\" \"0\"; let \"r\" \"0\";\n"
                                  "while \"i < 3\" { let \"i\" \"i + 1\";\n"
                                  "  foreverypart { continue; } let \"r\" \"99\"; }\n"
                                  "let \"r\" \"r + i\";"),
                        "3");
}

static void compile_checks(void **state)
{
    (void)state;
    assert_int_equal(st_compile_errors(W "break;"), 1);
    assert_int_equal(st_compile_errors(W "continue;"), 1);
    assert_int_equal(st_compile_errors(W "foreverypart { continue; }"), 1);
    assert_int_equal(st_compile_errors(W "while \"1\" { break :name \"x\"; }"), 1);
    assert_int_equal(st_compile_errors(W "while \"1 +\" { }"), 1);
    assert_int_equal(st_compile_errors(W "while \"1\";"), 1);
    /* foreverypart's own break still works without the while extension */
    assert_int_equal(st_compile_errors("require \"foreverypart\"; foreverypart { break; }"), 0);
    assert_int_equal(st_compile_errors("require \"vnd.stalwart.while\"; break;"), 1);
}

/* SV_MAX_WHILES loops nest; one more does not compile. */
static void nesting_limit(void **state)
{
    (void)state;
    for (int depth = 16; depth <= 17; depth++) {
        static char script[4096];
        size_t n = (size_t)snprintf(script, sizeof script, W);
        for (int i = 0; i < depth; i++)
            n += (size_t)snprintf(script + n, sizeof script - n, "while \"0\" {\n");
        for (int i = 0; i < depth; i++)
            n += (size_t)snprintf(script + n, sizeof script - n, "}\n");
        assert_int_equal(st_compile_errors(script), depth > 16);
    }
}

static void budget_bounds_loops(void **state)
{
    (void)state;
    st_opts.max_instructions = 10000;
    char out[256];
    assert_int_equal(st_run_on(W "while \"1\" { }", st_message, out, sizeof out), SIEVE_E_RUNTIME);
    assert_non_null(strstr(st_error, "too long"));
    assert_string_equal(out, "+keep");
    assert_int_equal(st_run_on(W "let \"i\" \"0\"; while \"1\" { let \"i\" \"i + 1\"; }",
                               st_message, out, sizeof out), SIEVE_E_RUNTIME);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(loops_while_true, st_setup, st_teardown),
        cmocka_unit_test_setup_teardown(nested_loops, st_setup, st_teardown),
        cmocka_unit_test_setup_teardown(break_and_continue, st_setup, st_teardown),
        cmocka_unit_test_setup_teardown(compile_checks, st_setup, st_teardown),
        cmocka_unit_test_setup_teardown(nesting_limit, st_setup, st_teardown),
        cmocka_unit_test_setup_teardown(budget_bounds_loops, st_setup, st_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
