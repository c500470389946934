/* test_ext_expressions.c — vnd.stalwart.expressions: let and eval, the operators and their
 * values, lists, the built-in functions, host functions, header and body variables, the
 * limits of the parser, and expressions in saved bytecode. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "expr.h"
#include "sieve_script_run.h"

#define X "require [\"variables\", \"vnd.stalwart.expressions\"];\n"

/* The value `expr` gives on `msg`, as "${r}" shows it after let (read back through the
 * reason of a reject). */
static const char *value_on(const char *msg, const char *expr)
{
    char body[4096];
    snprintf(body, sizeof body, "let \"r\" \"%s\";", expr);
    return st_variable_r("require [\"variables\", \"reject\", \"vnd.stalwart.expressions\"];\n",
                         body, msg);
}

static const char *value_of(const char *expr) { return value_on(st_message, expr); }

static const char *truth_of(const char *expr)
{
    static char test[4096];
    snprintf(test, sizeof test, "eval \"%s\"", expr);
    return st_test(X, test);
}

static void arithmetic_and_precedence(void **state)
{
    (void)state;
    assert_string_equal(value_of("2 + 2"), "4");
    assert_string_equal(value_of("2 + 3 * 4"), "14");
    assert_string_equal(value_of("(2 + 3) * 4"), "20");
    assert_string_equal(value_of("10 - 4 - 3"), "3");      /* left to right */
    assert_string_equal(value_of("9 / 2"), "4.5");          /* "/" gives a float */
    assert_string_equal(value_of("8 / 2"), "4");            /* shown without ".0" */
    assert_string_equal(value_of("1 / 0"), "0");            /* division by zero is 0 */
    assert_string_equal(value_of("-3 + 1"), "-2");
    assert_string_equal(value_of("16 * 2 / 6 + 38"), "43.333333333333336");
    assert_string_equal(value_of("0.1 + 0.2"), "0.30000000000000004");
    assert_string_equal(value_of("9223372036854775807 + 1"), "9223372036854775807");
    assert_string_equal(value_of("-9223372036854775807 - 10"), "-9223372036854775808");
    assert_string_equal(value_of("0.000001 * 1"), "0.000001");
    assert_string_equal(truth_of("(8 * 4 + 20 - 10) / 2 == 20 + 6 * 3 - 4 * 2 - 9"), "yes");
    assert_string_equal(truth_of("9 / 2 < 101.6"), "yes");
}

static void variables_read_as_numbers(void **state)
{
    (void)state;
    assert_string_equal(st_test(X "set \"A\" \"1\"; set \"B\" \"2\"; set \"C\" \"-3\"; "
                                  "set \"D\" \"-4.2\"; set \"E\" \"5.7\";",
                                "eval \"(A + B) / (C + D) * E == -2.375\""), "yes");
    /* An unset variable is "": false, and adds as nothing. */
    assert_string_equal(st_test(X "set \"one\" \"1\";", "eval \"one + unset == 1\""), "yes");
    assert_string_equal(st_test(X, "eval \"unset\""), "no");
    assert_string_equal(st_test(X "set \"z\" \"0\";", "eval \"z\""), "no");
    assert_string_equal(st_test(X "set \"s\" \"abc\";", "eval \"s == 'abc'\""), "yes");
}

static void strings_and_comparisons(void **state)
{
    (void)state;
    assert_string_equal(value_of("'hello' + 'world' + 123"), "helloworld123");
    assert_string_equal(value_of("'' + 5"), "5");
    assert_string_equal(value_of(""), "");
    assert_string_equal(value_of("'a\\\\tb'"), "a\tb");
    assert_string_equal(truth_of("'2' == 2"), "yes");
    assert_string_equal(truth_of("'2' != 2"), "no");
    assert_string_equal(truth_of("'3' > 2 && '2' < 3"), "yes");
    assert_string_equal(truth_of("'abc' < 'abd'"), "yes");
    assert_string_equal(truth_of("'x' * 3 == 0"), "yes");   /* not a number: 0 */
    assert_string_equal(truth_of("true != false"), "yes");
    assert_string_equal(truth_of("1 =< 1 && 2 => 1 && 2 = 2"), "yes");
}

static void logic_short_circuits(void **state)
{
    (void)state;
    assert_string_equal(value_of("0 && 1"), "0");
    assert_string_equal(value_of("2 && 'x'"), "1");
    assert_string_equal(value_of("0 || ''"), "0");
    assert_string_equal(value_of("'' || 3"), "1");
    assert_string_equal(value_of("!0"), "1");
    assert_string_equal(value_of("1 ^ 1"), "0");
    /* && binds tighter than ||, == tighter than && */
    assert_string_equal(truth_of("1 || 0 && 0"), "yes");
    assert_string_equal(truth_of("1 < 2 && 3 > 1 == 1"), "yes");
}

static void lists(void **state)
{
    (void)state;
    assert_string_equal(value_of("['a', 'b'] + ['c']"), "a\r\nb\r\nc");
    assert_string_equal(value_of("['a', 'b', 'a'] - 'a'"), "b");
    assert_string_equal(value_of("['a', 'b'][1]"), "b");
    assert_string_equal(value_of("['a', 'b'][5]"), "");
    assert_string_equal(value_of("'x'[0]"), "x");
    assert_string_equal(truth_of("[2 + 2, 'a' + 'b', 5 / 2] == [4, 'ab', 2.5]"), "yes");
    assert_string_equal(truth_of("[]"), "no");
    /* A list kept in a variable stays a list. */
    assert_string_equal(st_test(X "let \"l\" \"['a', 'b', 'c']\"; let \"m\" \"l + ['d']\";"
                                  "set \"i\" \"1\";",
                                "allof(eval \"m[count(m) - 1] == 'd'\", eval \"l[i + 1] == 'c'\","
                                " eval \"l == ['a', 'b', 'c']\")"), "yes");
    /* a list grown from itself, over and over */
    assert_string_equal(st_test(X "let \"l\" \"['a']\"; let \"l\" \"l + l + ['b']\";"
                                  "let \"l\" \"l + l + l\"; let \"l\" \"l + l + l + l\";",
                                "eval \"count(l) == 36 && l[35] == 'b' && l[0] == 'a'\""), "yes");
    /* set makes it a string again */
    assert_string_equal(st_test(X "let \"l\" \"['a', 'b']\"; set \"l\" \"xy\";",
                                "eval \"count(l) == 1 && l[0] == 'xy'\""), "yes");
}

static void functions(void **state)
{
    (void)state;
    assert_string_equal(value_of("trim('  hello world  ')"), "hello world");
    assert_string_equal(value_of("trim_start('  a ') + '|'"), "a |");
    assert_string_equal(value_of("trim_end('  a ') + '|'"), "  a|");
    assert_string_equal(value_of("len('Is dinner ready?')"), "16");
    assert_string_equal(value_of("len('é')"), "2");
    assert_string_equal(value_of("char_count('é')"), "1");
    assert_string_equal(value_of("to_uppercase('straße é')"), "STRAßE É"); /* simple mapping */
    assert_string_equal(value_of("to_lowercase('ÀB')"), "àb");
    assert_string_equal(value_of("count(lines('a\\\\r\\\\nb\\\\n\\\\nc\\\\n'))"), "4");
    assert_string_equal(value_of("lines('a\\\\r\\\\nb')[1]"), "b");
    assert_string_equal(value_of("count(lines(''))"), "0");
    assert_string_equal(value_of("split('a,b,,c', ',')[3]"), "c");
    assert_string_equal(value_of("count(split('a,b,,c', ','))"), "4");
    assert_string_equal(truth_of("contains('hello world', 'lo w')"), "yes");
    assert_string_equal(truth_of("contains(['a', 'b'], 'b')"), "yes");
    assert_string_equal(truth_of("in_array(['x', 'y'], 'z')"), "no");
    assert_string_equal(truth_of("starts_with('abc', 'ab') && ends_with('abc', 'bc')"), "yes");
    assert_string_equal(truth_of("is_empty('') && is_empty([]) && !is_empty('a')"), "yes");
    assert_string_equal(truth_of("is_number('-4.5') && !is_number('4x')"), "yes");
    assert_string_equal(truth_of("len(trim(' a ')) == len(' a ')"), "no");
}

/* ---- host functions ----------------------------------------------------------------------- */

static const sieve_function host_functions[] = {
    {"ext_zero", 0}, {"ext_upper", 1}, {"ext_join", 3}, {"ext_fail", 0},
};

static int host_call(void *user, const char *name, const sieve_value *args, size_t argc,
                     sieve_value *result)
{
    static char buf[256];
    (void)user;
    if (!strcmp(name, "ext_zero")) {
        result->type = SIEVE_VALUE_STRING;
        result->string = "my_value";
        result->length = 8;
        return 0;
    }
    if (!strcmp(name, "ext_upper")) {
        size_t n = args[0].length < sizeof buf ? args[0].length : sizeof buf - 1;
        for (size_t i = 0; i < n; i++)
            buf[i] = (char)(args[0].string[i] >= 'a' && args[0].string[i] <= 'z'
                                ? args[0].string[i] - 32 : args[0].string[i]);
        result->type = SIEVE_VALUE_STRING;
        result->string = buf;
        result->length = n;
        return 0;
    }
    if (!strcmp(name, "ext_join")) {
        /* a list, a number and a boolean: their text and types */
        assert_int_equal(argc, 3);
        assert_int_equal(args[0].type, SIEVE_VALUE_ARRAY);
        assert_int_equal(args[0].count, 3);
        assert_int_equal(args[1].type, SIEVE_VALUE_INTEGER);
        int n = snprintf(buf, sizeof buf, "%s-%lld-%s", args[0].string,
                         (long long)args[1].integer, args[2].string);
        result->type = SIEVE_VALUE_STRING;
        result->string = buf;
        result->length = (size_t)n;
        return 0;
    }
    return SIEVE_E_RUNTIME;
}

static void host_functions_are_called(void **state)
{
    (void)state;
    sieve_engine_free(st_engine);
    sieve_options o;
    sieve_options_init(&o);
    o.functions = host_functions;
    o.nfunctions = sizeof host_functions / sizeof host_functions[0];
    assert_int_equal(sieve_engine_new(&o, &st_engine), 0);
    sieve_callbacks cb;
    sieve_callbacks_init(&cb);
    cb.function = host_call;
    st_opts.callbacks = &cb;
    assert_string_equal(truth_of("ext_zero() == 'my_value'"), "yes");
    assert_string_equal(truth_of("ext_upper(ext_zero()) == 'MY_VALUE'"), "yes");
    assert_string_equal(truth_of("ext_join(['a','b','c'], 1, true) == "
                                 "'a\\\\r\\\\nb\\\\r\\\\nc-1-1'"),
                        "yes");
    /* the number of arguments is checked when compiling */
    assert_int_equal(st_compile_errors(X "if eval \"ext_upper()\" { stop; }"), 1);
    assert_non_null(strstr(st_error, "takes 1 argument"));
    /* a failing host function fails the run, naming it */
    char out[256];
    assert_int_equal(st_run_on(X "if eval \"ext_fail()\" { stop; }", st_message, out, sizeof out),
                     SIEVE_E_RUNTIME);
    assert_non_null(strstr(st_error, "ext_fail"));
    /* no callback: a run-time error */
    st_opts.callbacks = NULL;
    assert_int_equal(st_run_on(X "if eval \"ext_zero()\" { stop; }", st_message, out, sizeof out),
                     SIEVE_E_RUNTIME);
    /* malformed tables are refused */
    sieve_engine *e = NULL;
    static const sieve_function builtin_name[] = {{"trim", 1}};
    o.functions = builtin_name;
    o.nfunctions = 1;
    assert_int_equal(sieve_engine_new(&o, &e), SIEVE_E_INVAL);
    static const sieve_function bad_name[] = {{"a-b", 1}};
    o.functions = bad_name;
    assert_int_equal(sieve_engine_new(&o, &e), SIEVE_E_INVAL);
}

/* ---- header and body variables ------------------------------------------------------------ */

static const char header_message[] =
    "From: \"Cosmo Kramer\" <kramer@kramerica.com>\r\n"
    "From: Art Vandelay <art@vandelay.com>\r\n"
    "To: \"Colleagues\": \"James Smythe\" <james@vandelay.com>; Friends:\r\n"
    "    jane@example.com, =?UTF-8?Q?John_Sm=C3=AEth?= <john@example.com>;\r\n"
    "Cc: bill@example.com\r\n"
    "Date: Sat, 20 Nov 2021 14:22:01 -0800\r\n"
    "Message-ID: <test@id>\r\n"
    "X-Reading-To: <bill@example.net>\r\n"
    "Subject: Why not =?utf-8?b?4pi6?=\r\n"
    "Content-Type: text/plain; charset=utf-8; name=\"a b.txt\"\r\n"
    "\r\n"
    "Hi.\r\n\r\nJoe.\r\n";

static const char *header_value(const char *expr) { return value_on(header_message, expr); }

static void header_variables(void **state)
{
    (void)state;
    assert_string_equal(header_value("header.subject"), "Why not ☺");
    assert_string_equal(header_value("header.from.addr"), "art@vandelay.com");
    assert_string_equal(header_value("header.from[1].name"), "Cosmo Kramer");
    assert_string_equal(header_value("header.from[*].addr"),
                        "kramer@kramerica.com\r\nart@vandelay.com");
    assert_string_equal(header_value("header.to.addr"), "john@example.com");
    assert_string_equal(header_value("header.to.addr[1]"), "james@vandelay.com");
    assert_string_equal(header_value("header.to:cc[*].addr[*]"),
                        "james@vandelay.com\r\njane@example.com\r\njohn@example.com\r\n"
                        "bill@example.com");
    assert_string_equal(header_value("header.to[*][*]"),
                        "James Smythe <james@vandelay.com>\r\n<jane@example.com>\r\n"
                        "John Smîth <john@example.com>");
    assert_string_equal(header_value("header.message-id.id"), "test@id");
    assert_string_equal(header_value("header.x-reading-to.addr"), "bill@example.net");
    assert_string_equal(header_value("header.date.date"), "1637446921");
    assert_string_equal(header_value("header.content-type"), "text/plain");
    assert_string_equal(header_value("header.content-type.subtype"), "plain");
    assert_string_equal(header_value("header.content-type.attr.name"), "a b.txt");
    assert_string_equal(header_value("header.from.raw_name"), "From");
    assert_string_equal(header_value("count(header.from[*].exists)"), "2");
    assert_string_equal(header_value("header.nothere.exists"), "0");
    assert_string_equal(header_value("header.nothere"), "");
    assert_string_equal(header_value("count(lines(body.text))"), "3");
    /* in strings, as a namespace */
    char out[512];
    assert_int_equal(st_run_on("require [\"variables\", \"fileinto\", "
                               "\"vnd.stalwart.expressions\"];\n"
                               "fileinto \"${header.from.addr}\";", header_message, out,
                               sizeof out), 0);
    assert_string_equal(out, "fileinto art@vandelay.com;");
}

/* ---- expressions in strings --------------------------------------------------------------- */

static void expressions_in_strings(void **state)
{
    (void)state;
    char out[512];
    assert_int_equal(st_run_on(X "set \"a\" \"5\";\n"
                                 "if string :is \"${a}-${a + 1}-${len('abc') * 2}-${trim(' x ')}\" "
                                 "\"5-6-6-x\" { discard; }",
                               st_message, out, sizeof out), 0);
    assert_string_equal(out, "discard;");
    /* what does not compile stays as written; a variable reference is one */
    assert_string_equal(st_test(X "set \"a\" \"5\";",
                                "string :is \"${1 +}${a}${}\" \"${1 +}5${}\""), "yes");
    /* without the extension, nothing changes */
    assert_string_equal(st_test("require \"variables\"; set \"a\" \"5\";",
                                "string :is \"${a + 1}\" \"${a + 1}\""), "yes");
    /* the header, in a string */
    assert_string_equal(st_test(X, "string :is \"${count(header.to[*].addr[*]) + 1}\" \"2\""),
                        "yes");
}

/* ---- compile errors and limits -------------------------------------------------------------- */

static void compile_errors(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "2 +", "(1", "1)", "'open", "f(", "nosuch(1)", "len()", "len(1, 2)", "a.b", "1abc",
        "header.from[0]", "header.from.nopart", "body.nopart", "[1, 2", "2 $ 3", " ()", "@",
        "99999999999999999999",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char script[512];
        snprintf(script, sizeof script, X "let \"x\" \"%s\";", bad[i]);
        if (st_compile_errors(script) != 1)
            fail_msg("\"%s\" compiled", bad[i]);
    }
    assert_int_equal(st_compile_errors(X "let \"1x\" \"1\";"), 1);
    assert_int_equal(st_compile_errors("require \"vnd.stalwart.expressions\";\n"
                                       "if eval \"1\" { let \"y\" \"[1][0]\"; }"), 0);
    /* without the require, neither is known */
    assert_int_equal(st_compile_errors("require \"variables\"; let \"y\" \"1\";"), 1);
}

/* SV_EXPR_MAX_DEPTH parentheses compile; one more does not. */
static void nesting_limit(void **state)
{
    (void)state;
    char expr[256], script[512];
    for (int depth = SV_EXPR_MAX_DEPTH; depth <= SV_EXPR_MAX_DEPTH + 1; depth++) {
        size_t n = 0;
        for (int i = 0; i < depth; i++)
            expr[n++] = '(';
        expr[n++] = '1';
        for (int i = 0; i < depth; i++)
            expr[n++] = ')';
        expr[n] = '\0';
        snprintf(script, sizeof script, X "let \"x\" \"%s\";", expr);
        assert_int_equal(st_compile_errors(script), depth > SV_EXPR_MAX_DEPTH);
    }
    /* unary operators count too; a long flat sum does not nest */
    memset(expr, '!', 40);
    snprintf(expr + 40, sizeof expr - 40, "1");
    snprintf(script, sizeof script, X "let \"x\" \"%s\";", expr);
    assert_int_equal(st_compile_errors(script), 1);
    /* too many values pending: a list of more than SV_EXPR_MAX_STACK items */
    static char big[8192];
    size_t n = (size_t)snprintf(big, sizeof big, X "let \"x\" \"[");
    for (int i = 0; i <= SV_EXPR_MAX_STACK; i++)
        n += (size_t)snprintf(big + n, sizeof big - n, "%s1", i ? "," : "");
    snprintf(big + n, sizeof big - n, "]\";");
    assert_int_equal(st_compile_errors(big), 1);
}

/* An expression of SV_EXPR_MAX_SOURCE octets compiles; one octet more does not. */
static void source_size_limit(void **state)
{
    (void)state;
    static char script[SV_EXPR_MAX_SOURCE + 256];
    for (size_t size = SV_EXPR_MAX_SOURCE; size <= SV_EXPR_MAX_SOURCE + 1; size++) {
        size_t n = (size_t)snprintf(script, sizeof script, X "let \"x\" \"1");
        memset(script + n, ' ', size - 1);
        snprintf(script + n + size - 1, sizeof script - n - size + 1, "\";");
        assert_int_equal(st_compile_errors(script), size > SV_EXPR_MAX_SOURCE);
    }
    assert_non_null(strstr(st_error, "longer than"));
}

/* The run's instruction budget bounds expressions too. */
static void budget_counts_operations(void **state)
{
    (void)state;
    st_opts.max_instructions = 50;
    static char script[8192];
    size_t n = (size_t)snprintf(script, sizeof script, X "let \"x\" \"1");
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(script + n, sizeof script - n, " + 1");
    snprintf(script + n, sizeof script - n, "\";");
    char out[256];
    assert_int_equal(st_run_on(script, st_message, out, sizeof out), SIEVE_E_RUNTIME);
    assert_non_null(strstr(st_error, "too long"));
    /* a function costs one instruction per KiB of its arguments: 200 KiB of body text is over
     * a budget of 150, and within one of 400 */
    static char big[210 * 1024];
    n = (size_t)snprintf(big, sizeof big, "Subject: x\r\n\r\n");
    static const char line[] = "0123456789012345678901234567890123456789012345678901234567890\r\n";
    for (; n + sizeof line < 200 * 1024; n += sizeof line - 1)
        memcpy(big + n, line, sizeof line - 1);
    big[n] = '\0';
    const char *check = X "if eval \"contains(body.text, 'zz')\" { stop; }";
    st_opts.max_instructions = 150;
    assert_int_equal(st_run_on(check, big, out, sizeof out), SIEVE_E_RUNTIME);
    st_opts.max_instructions = 400;
    assert_int_equal(st_run_on(check, big, out, sizeof out), 0);
}

/* ---- code in saved bytecode ---------------------------------------------------------------- */

static void saved_and_loaded(void **state)
{
    (void)state;
    const char *src = "require [\"variables\", \"fileinto\", \"vnd.stalwart.expressions\"];\n"
                      "let \"x\" \"trim(' a ') + (1 < 2 && 3 > 2) + ['q'][0]\";\n"
                      "if eval \"x == 'a1q'\" { fileinto \"${x}${len(x) - 3}\"; }";
    sieve_script *s = NULL;
    assert_int_equal(sieve_compile(st_engine, src, strlen(src), &s, NULL), 0);
    unsigned char *bytes = NULL;
    size_t len = 0;
    assert_int_equal(sieve_script_save(s, &bytes, &len), 0);
    sieve_script_free(s);
    s = NULL;
    assert_int_equal(sieve_script_load(st_engine, bytes, len, &s), 0);
    sieve_result *r = NULL;
    assert_int_equal(sieve_run(s, st_message, strlen(st_message), NULL, NULL, &r, NULL), 0);
    const char *target = NULL;
    assert_int_equal(sieve_result_action(r, 0, NULL, &target, NULL, NULL), 0);
    assert_string_equal(target, "a1q0");
    sieve_result_free(r);
    sieve_script_free(s);
    /* Every single-octet change is either refused or loads (and then runs without harm). */
    for (size_t i = 0; i < len; i++) {
        for (int delta = 1; delta < 256; delta += 85) {
            bytes[i] = (unsigned char)(bytes[i] + delta);
            s = NULL;
            if (sieve_script_load(st_engine, bytes, len, &s) == 0) {
                r = NULL;
                int rc = sieve_run(s, st_message, strlen(st_message), NULL, NULL, &r, NULL);
                assert_true(rc == 0 || rc == SIEVE_E_RUNTIME);
                sieve_result_free(r);
                sieve_script_free(s);
            }
            bytes[i] = (unsigned char)(bytes[i] - delta);
        }
    }
    sieve_free(bytes);
}

/* The verifier on its own: a jump into an operand, a stack left empty or too full. */
static void verifier_refuses_bad_code(void **state)
{
    (void)state;
    lm_buf code = LM_BUF_INIT;
    char err[200];
    assert_int_equal(sv_expr_compile(st_engine, "1 && 'abc'", 10, &code, err, sizeof err), 0);
    assert_int_equal(sv_expr_verify(st_engine, code.data, code.len), 0);
    /* X_INT(9) X_AND u16 X_STR … : make the jump land one octet into the string */
    unsigned char *p = (unsigned char *)code.data;
    assert_int_equal(p[9], X_AND);
    p[10] = (unsigned char)(p[10] - 2);
    assert_int_equal(sv_expr_verify(st_engine, code.data, code.len), SIEVE_E_SYNTAX);
    p[10] = (unsigned char)(p[10] + 2);
    /* cut short: the string operand runs past the end */
    assert_int_equal(sv_expr_verify(st_engine, code.data, code.len - 2), SIEVE_E_SYNTAX);
    /* two values at the end */
    static const unsigned char two[] = {X_INT, 1, 0, 0, 0, 0, 0, 0, 0,
                                        X_INT, 2, 0, 0, 0, 0, 0, 0, 0};
    assert_int_equal(sv_expr_verify(st_engine, (const char *)two, sizeof two), SIEVE_E_SYNTAX);
    /* an operator without operands, an unknown function */
    static const unsigned char add[] = {X_ADD};
    assert_int_equal(sv_expr_verify(st_engine, (const char *)add, sizeof add), SIEVE_E_SYNTAX);
    static const unsigned char call[] = {X_CALL, 200, 0};
    assert_int_equal(sv_expr_verify(st_engine, (const char *)call, sizeof call), SIEVE_E_SYNTAX);
    lm_buf_free(&code);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(arithmetic_and_precedence, st_setup, st_teardown),
        cmocka_unit_test_setup_teardown(variables_read_as_numbers, st_setup, st_teardown),
        cmocka_unit_test_setup_teardown(strings_and_comparisons, st_setup, st_teardown),
        cmocka_unit_test_setup_teardown(logic_short_circuits, st_setup, st_teardown),
        cmocka_unit_test_setup_teardown(lists, st_setup, st_teardown),
        cmocka_unit_test_setup_teardown(functions, st_setup, st_teardown),
        cmocka_unit_test_setup_teardown(host_functions_are_called, st_setup, st_teardown),
        cmocka_unit_test_setup_teardown(header_variables, st_setup, st_teardown),
        cmocka_unit_test_setup_teardown(expressions_in_strings, st_setup, st_teardown),
        cmocka_unit_test_setup_teardown(compile_errors, st_setup, st_teardown),
        cmocka_unit_test_setup_teardown(nesting_limit, st_setup, st_teardown),
        cmocka_unit_test_setup_teardown(source_size_limit, st_setup, st_teardown),
        cmocka_unit_test_setup_teardown(budget_counts_operations, st_setup, st_teardown),
        cmocka_unit_test_setup_teardown(saved_and_loaded, st_setup, st_teardown),
        cmocka_unit_test_setup_teardown(verifier_refuses_bad_code, st_setup, st_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
