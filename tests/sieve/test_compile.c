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

/* The number of errors compiling `script` reports (it must fail). */
static size_t error_count(const char *script)
{
    const char *e = errors_of(script);
    size_t n = 0;
    for (; *e; e++)
        n += *e == '|';
    return n;
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

static void arguments_get_one_error_per_command(void **state)
{
    (void)state;
    /* The first misfit is reported; what follows it is not read against the definition. */
    assert_int_equal(error_count("if address :comparator 1 \"from\" \"frop\" { }"), 1);
    assert_int_equal(error_count("if address :comparator [\"a\", \"b\"] \"from\" \"x\" { }"), 1);
    assert_int_equal(error_count("if address :comparator :frop \"from\" \"frop\" { }"), 1);
    assert_non_null(strstr(errors_of("if address :comparator :frop \"from\" \"x\" { }"),
                           "unknown tagged argument \":frop\""));
    assert_int_equal(error_count("require \"body\";\nif body :content 3 \"frop\" { }"), 1);
    /* Wrong arguments and a test where none goes: both; the block is not looked at then. */
    const char *e = errors_of("stop \"frop\" true {\n  stop;\n}");
    assert_non_null(strstr(e, "too many arguments for the command \"stop\""));
    assert_non_null(strstr(e, "takes no test"));
    assert_null(strstr(e, "block"));
    assert_int_equal(error_count("if true;"), 1);
    assert_int_equal(error_count("if keep;"), 2); /* no block, and a command as its test */
}

static void unknown_names_are_reported_once(void **state)
{
    (void)state;
    assert_int_equal(error_count("frob;\nfrob;\nFROB;\nif frob { }"), 1);
    assert_int_equal(error_count("keep :frop;\nkeep :frop;"), 1);
    assert_int_equal(error_count("keep :frop;\ndiscard :frop;"), 2); /* per command */
    assert_int_equal(error_count("fileinto \"x\";\nfileinto \"y\";"), 1); /* not required */
    /* Using a command as a test is not an unknown name: each one is reported. */
    assert_int_equal(error_count("if keep { }\nif keep { }"), 2);
}

static void if_structure_errors(void **state)
{
    (void)state;
    /* An elsif without an if starts a chain: what follows it is not reported again. */
    assert_int_equal(error_count("stop;\nelsif true { }\nelsif true { }\nelse { }"), 1);
    assert_int_equal(error_count("if true { } else { } elsif true { }"), 1);
    assert_int_equal(error_count("if \"frop\" true { }\nelsif \"frop\" true { }"), 2);
    assert_int_equal(error_count("if ( false, true ) { }"), 1);
    assert_int_equal(error_count("if true { } else if false { }"), 1);
}

static void require_errors(void **state)
{
    (void)state;
    /* Out of place, its extensions are not looked at. */
    const char *e = errors_of("keep;\nrequire \"nonesuch\";");
    assert_non_null(strstr(e, "must come before"));
    assert_null(strstr(e, "unsupported"));
    assert_int_equal(error_count("if true {\n  require \"nonesuch\";\n}"), 1);
    /* With a test or a block, nor are they. */
    assert_int_equal(error_count("require \"nonesuch\" true;"), 1);
    assert_int_equal(error_count("require \"nonesuch\" { keep; }"), 1);
    /* RFC 5703 §7: extracttext goes with foreverypart. */
    assert_non_null(strstr(errors_of("require [\"extracttext\", \"variables\"];\nkeep;"),
                           "1:10 the extension \"extracttext\" cannot be used without the "
                           "extension \"foreverypart\""));
    compiles("require [\"extracttext\", \"variables\", \"foreverypart\"];\nkeep;");
}

static void redirect_address_is_one_mailbox(void **state)
{
    (void)state;
    assert_non_null(strstr(errors_of("redirect \"Stephan Bosch error@example.org\";"),
                           "invalid redirect address"));
    assert_non_null(strstr(errors_of("redirect \"Stephan Bosch <error@example.org\";"),
                           "invalid redirect address"));
    assert_non_null(strstr(errors_of("redirect \" more error @  example.com  \";"),
                           "invalid redirect address"));
    compiles("redirect \" more  @  example.com  \";");
    compiles("redirect \"Ok Good <stephan@example.org>\";");
    compiles("redirect \"first . last @ example.com\";");
}

static void constant_strings_are_checked_decoded(void **state)
{
    (void)state;
    assert_non_null(strstr(errors_of("require [\"fileinto\", \"encoded-character\"];\n"
                                     "fileinto \"${hex:ff}rop\";"),
                           "2:10 fileinto: invalid folder name: it is not UTF-8"));
    compiles("require [\"fileinto\", \"encoded-character\"];\nfileinto \"${hex:c3 a4}\";");
    /* Without encoded-character the text is taken as written. */
    compiles("require \"fileinto\";\nfileinto \"${hex:ff}rop\";");
    /* A variable makes it known only at run time. */
    compiles("require [\"fileinto\", \"variables\"];\nset \"a\" \"x\";\nfileinto \"${a}\";");
    /* RFC 5293 §4: a decoded NUL is no value; another control character is obsolete
     * unstructured text (RFC 5322 §4.1), a warning (test_ext_editheader.c); line breaks are
     * folded. */
    compiles("require [\"editheader\", \"encoded-character\"];\n"
             "addheader \"X-A\" \"Yeah${hex:07}!\";");
    assert_int_equal(error_count("require [\"editheader\", \"encoded-character\"];\n"
                                 "addheader \"X-A\" \"a${hex:00}\";"), 1);
    compiles("require \"editheader\";\naddheader \"X-A\" \"one\ntwo\tthree\";");
    /* :last without :index is the error; the name is not looked at then (RFC 5293 §5). */
    assert_int_equal(error_count("require \"editheader\";\ndeleteheader :last \"X-A:\";"), 1);
}

static void variable_declarations(void **state)
{
    (void)state;
    /* 255 distinct variables may be declared (sieve_options.max_variables 0); the 256th is
     * the error, reported once. */
    char script[8192];
    size_t n = (size_t)snprintf(script, sizeof script, "require \"variables\";\n");
    for (int i = 1; i <= 257; i++)
        n += (size_t)snprintf(script + n, sizeof script - n, "set \"v%d\" \"x\";\n", i);
    n += (size_t)snprintf(script + n, sizeof script - n, "set \"V1\" \"again\";\n");
    assert_true(n < sizeof script);
    const char *e = errors_of(script);
    assert_string_equal(e, "257:5 the variable \"v256\" is one more than the 255 a script may "
                           "declare|");
    script[strlen(script) - strlen("set \"v256\" \"x\";\nset \"v257\" \"x\";\n"
                                   "set \"V1\" \"again\";\n")] = '\0';
    compiles(script); /* exactly 255 */
    /* RFC 6609 §3.4: a variable used as a local one cannot be declared global after. */
    assert_non_null(strstr(errors_of("require [\"include\", \"variables\"];\n"
                                     "set \"a\" \"x\";\nglobal \"a\";"),
                           "3:8 global: the variable \"a\" was used as a local one before"));
    compiles("require [\"include\", \"variables\"];\nglobal \"a\";\nglobal \"a\";\n"
             "set \"a\" \"x\";\nkeep;\nglobal \"b\";");
    /* Match variables: ${0} to ${32}. */
    compiles("require \"variables\";\nif string \"${32}\" \"v\" { stop; }");
    assert_non_null(strstr(errors_of("require \"variables\";\nif string \"${33}\" \"v\" "
                                     "{ stop; }"),
                           "2:11 a match variable past the last one, ${32}, is used"));
    assert_int_equal(error_count("require \"variables\";\nset \"a\" \"${99999999999}\";"), 1);
}

/* A mailbox name specialuse_exists cannot have makes it false (RFC 8579 §3): a warning. */
static void specialuse_exists_bad_mailbox_warns(void **state)
{
    (void)state;
    const char *script = "require [\"special-use\", \"encoded-character\"];\n"
                         "if specialuse_exists \"${hex:ff}rop\" \"\\\\Sent\" { keep; }";
    sieve_script *s = NULL;
    sieve_diagnostics *d = NULL;
    assert_int_equal(sieve_compile(st_engine, script, strlen(script), &s, &d), 0);
    assert_int_equal(sieve_diagnostics_count(d), 1);
    int sev;
    const char *text;
    assert_int_equal(sieve_diagnostic_at(d, 0, &sev, NULL, NULL, &text), 0);
    assert_int_equal(sev, SIEVE_SEVERITY_WARNING);
    assert_non_null(strstr(text, "invalid mailbox name"));
    sieve_diagnostics_free(d);
    sieve_script_free(s);
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
        cmocka_unit_test(arguments_get_one_error_per_command),
        cmocka_unit_test(unknown_names_are_reported_once),
        cmocka_unit_test(if_structure_errors),
        cmocka_unit_test(require_errors),
        cmocka_unit_test(redirect_address_is_one_mailbox),
        cmocka_unit_test(constant_strings_are_checked_decoded),
        cmocka_unit_test(specialuse_exists_bad_mailbox_warns),
        cmocka_unit_test(variable_declarations),
    };
    return cmocka_run_group_tests(tests, st_setup, st_teardown);
}
