/* test_parser.c — the Sieve syntax tree (RFC 5228 §8.2): commands, arguments, tests, test
 * lists and blocks; error messages, recovery, limits; every script of the conformance suites. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "lm_buf.h"
#include "sieve_internal.h"

/* ---- helpers ------------------------------------------------------------------------------ */

static void dump_str(lm_buf *b, const sv_str *s)
{
    lm_buf_putc(b, '"');
    lm_buf_append(b, s->s, s->len);
    lm_buf_putc(b, '"');
}

static void dump_node(lm_buf *b, const sv_node *n);

/* name args [test | (tests)] — the shape of a command or test in one line. */
static void dump_node_head(lm_buf *b, const sv_node *n)
{
    lm_buf_append(b, n->name.s, n->name.len);
    for (size_t i = 0; i < n->nargs; i++) {
        const sv_arg *a = &n->args[i];
        char num[32];
        lm_buf_putc(b, ' ');
        switch (a->kind) {
        case SV_ARG_TAG:
            lm_buf_putc(b, ':');
            lm_buf_append(b, a->u.tag.s, a->u.tag.len);
            break;
        case SV_ARG_NUMBER:
            snprintf(num, sizeof num, "%llu", (unsigned long long)a->u.number);
            lm_buf_puts(b, num);
            break;
        case SV_ARG_STRING:
            dump_str(b, &a->u.str);
            break;
        case SV_ARG_STRLIST:
            lm_buf_putc(b, '[');
            for (size_t j = 0; j < a->u.list.count; j++) {
                if (j)
                    lm_buf_putc(b, ',');
                dump_str(b, &a->u.list.items[j]);
            }
            lm_buf_putc(b, ']');
            break;
        }
    }
    if (n->test_list) {
        lm_buf_puts(b, " (");
        for (size_t i = 0; i < n->ntests; i++) {
            if (i)
                lm_buf_putc(b, ',');
            dump_node_head(b, n->tests[i]);
        }
        lm_buf_putc(b, ')');
    } else if (n->ntests) {
        assert_int_equal(n->ntests, 1);
        lm_buf_putc(b, ' ');
        dump_node_head(b, n->tests[0]);
    }
    assert_null(n->block == NULL && n->nblock ? "block count without block" : NULL);
}

static void dump_node(lm_buf *b, const sv_node *n)
{
    dump_node_head(b, n);
    if (!n->has_block) {
        lm_buf_putc(b, ';');
        return;
    }
    lm_buf_putc(b, '{');
    for (size_t i = 0; i < n->nblock; i++)
        dump_node(b, n->block[i]);
    lm_buf_putc(b, '}');
}

/* Parses `src` (default limits) and compares the tree's shape with `want`. */
static void expect_tree(const char *src, const char *want)
{
    sv_diag d;
    sv_diag_init(&d, 0);
    sv_ast *ast = NULL;
    int rc = sv_parse(src, strlen(src), NULL, &d, &ast);
    if (rc != 0)
        fail_msg("%s: rc %d, first error %u:%u %s", src, rc,
                 d.count ? d.items[0].pos.line : 0, d.count ? d.items[0].pos.column : 0,
                 d.count ? d.items[0].text : "-");
    lm_buf b = LM_BUF_INIT;
    for (size_t i = 0; i < ast->ncommands; i++)
        dump_node(&b, ast->commands[i]);
    assert_string_equal(b.data ? b.data : "", want);
    lm_buf_free(&b);
    sv_ast_free(ast);
    sv_diag_free(&d);
}

/* Parses `src` with `lim` and returns the status; the diagnostics stay in `d` (initialised
 * here; free with sv_diag_free). The tree, if any, is freed. */
static int parse_errors(const char *src, size_t len, const sv_parse_limits *lim, sv_diag *d)
{
    sv_diag_init(d, 0);
    sv_ast *ast = (sv_ast *)(uintptr_t)1;
    int rc = sv_parse(src, len, lim, d, &ast);
    if (rc == 0)
        assert_non_null(ast);
    else
        assert_null(ast);
    sv_ast_free(ast);
    return rc;
}

/* One error expected, at line:column, its text holding `part`. */
static void expect_error(const char *src, int want_rc, uint32_t line, uint32_t col,
                         const char *part)
{
    sv_diag d;
    int rc = parse_errors(src, strlen(src), NULL, &d);
    if (rc != want_rc || d.errors != 1 || d.items[0].pos.line != line ||
        d.items[0].pos.column != col || !strstr(d.items[0].text, part))
        fail_msg("%s: rc %d, %zu errors, first %u:%u \"%s\"; want %d, 1 error, %u:%u \"%s\"",
                 src, rc, d.errors, d.count ? d.items[0].pos.line : 0,
                 d.count ? d.items[0].pos.column : 0, d.count ? d.items[0].text : "-",
                 want_rc, line, col, part);
    sv_diag_free(&d);
}

static size_t error_count(const char *src)
{
    sv_diag d;
    parse_errors(src, strlen(src), NULL, &d);
    size_t n = d.errors;
    sv_diag_free(&d);
    return n;
}

/* A malloc'ed script of `n` copies of `open`, `middle`, then `n` copies of `close`. */
static char *nested(size_t n, const char *open, const char *middle, const char *close)
{
    size_t lo = strlen(open), lm = strlen(middle), lc = strlen(close);
    char *s = malloc(n * (lo + lc) + lm + 1);
    assert_non_null(s);
    size_t k = 0;
    for (size_t i = 0; i < n; i++, k += lo)
        memcpy(s + k, open, lo);
    memcpy(s + k, middle, lm);
    k += lm;
    for (size_t i = 0; i < n; i++, k += lc)
        memcpy(s + k, close, lc);
    s[k] = '\0';
    return s;
}

/* ---- the grammar ------------------------------------------------------------------------- */

static void rfc5228_example_script_parses(void **state)
{
    (void)state;
    /* RFC 5228 §9 */
    const char *script =
        "#\r\n# Example Sieve Filter\r\n# Declare any optional features or extension used by "
        "the script\r\n#\r\nrequire [\"fileinto\"];\r\n\r\n#\r\n# Handle messages from known "
        "mailing lists\r\n# Move messages from IETF filter discussion list to filter "
        "mailbox\r\n#\r\nif header :is \"Sender\" \"owner-ietf-mta-filters@imc.org\"\r\n"
        "        {\r\n        fileinto \"filter\";  # move to \"filter\" mailbox\r\n"
        "        }\r\n#\r\n# Keep all messages to or from people in my company\r\n#\r\n"
        "elsif address :DOMAIN :is [\"From\", \"To\"] \"example.com\"\r\n        {\r\n"
        "        keep;               # keep in \"In\" mailbox\r\n        }\r\n\r\n#\r\n"
        "# Try and catch unsolicited email.  If a message is not to me,\r\n"
        "# or it contains a subject known to be spam, file it away.\r\n#\r\n"
        "elsif anyof (NOT address :all :contains\r\n"
        "               [\"To\", \"Cc\", \"Bcc\"] \"me@example.com\",\r\n"
        "             header :matches \"subject\"\r\n"
        "               [\"*make*money*fast*\", \"*university*dipl*mas*\"])\r\n"
        "        {\r\n        fileinto \"spam\";   # move to \"spam\" mailbox\r\n"
        "        }\r\nelse\r\n        {\r\n"
        "        # Move all other (non-company) mail to \"personal\"\r\n"
        "        # mailbox.\r\n        fileinto \"personal\";\r\n        }\r\n";
    expect_tree(script,
                "require [\"fileinto\"];"
                "if header :is \"Sender\" \"owner-ietf-mta-filters@imc.org\"{fileinto "
                "\"filter\";}"
                "elsif address :DOMAIN :is [\"From\",\"To\"] \"example.com\"{keep;}"
                "elsif anyof (NOT address :all :contains [\"To\",\"Cc\",\"Bcc\"] "
                "\"me@example.com\",header :matches \"subject\" "
                "[\"*make*money*fast*\",\"*university*dipl*mas*\"]){fileinto \"spam\";}"
                "else{fileinto \"personal\";}");
}

static void commands_arguments_and_tests(void **state)
{
    (void)state;
    expect_tree("", "");
    expect_tree("  # only a comment\n/* and another */\n", "");
    expect_tree("keep;", "keep;");
    expect_tree("stop;discard ; keep;", "stop;discard;keep;");
    expect_tree("if true {}", "if true{}");
    expect_tree("if true { } else { keep; }", "if true{}else{keep;}");
    expect_tree("if size :over 100K { discard; }", "if size :over 102400{discard;}");
    expect_tree("if not not exists \"x\" {}", "if not not exists \"x\"{}");
    expect_tree("if allof(true,false , anyof ( true ) ){}", "if allof (true,false,anyof (true)){}");
    expect_tree("vacation :days 7 :addresses [\"a@b\" , \"c@d\"] \"gone\";",
                "vacation :days 7 :addresses [\"a@b\",\"c@d\"] \"gone\";");
    expect_tree("fileinto [\"one\"];", "fileinto [\"one\"];");
    /* A test may follow the arguments of any command; whether it may is the validator's call. */
    expect_tree("keep redirect \"x@y\";", "keep redirect \"x@y\";");
    /* Identifiers keep their case; tags lose the colon. */
    expect_tree("IF Header :Contains \"a\" \"b\" {KEEP;}",
                "IF Header :Contains \"a\" \"b\"{KEEP;}");
    expect_tree("set \"t\" text:\nline\n.\n;", "set \"t\" \"line\r\n\";");
    /* Blocks inside blocks, and a test list in a nested block. */
    expect_tree("if true { if false { keep; } elsif anyof(a, b :x 1) { stop; } }",
                "if true{if false{keep;}elsif anyof (a,b :x 1){stop;}}");
}

static void tree_flags_kinds_and_positions(void **state)
{
    (void)state;
    const char *src = "if anyof (header :is \"s\" [\"a\", \"b\"],\n  size :over 1M)\n"
                      "{\n\tfileinto text:\n..x\n.\n;\n}\n";
    sv_diag d;
    sv_diag_init(&d, 0);
    sv_ast *ast = NULL;
    assert_int_equal(sv_parse(src, strlen(src), NULL, &d, &ast), 0);
    assert_int_equal(d.count, 0);
    assert_int_equal(ast->ncommands, 1);
    const sv_node *c = ast->commands[0];
    assert_string_equal(c->name.s, "if");
    assert_int_equal(c->name.pos.line, 1);
    assert_int_equal(c->name.pos.column, 1);
    assert_true(c->test_list == 0 && c->ntests == 1 && c->has_block && c->nblock == 1);
    const sv_node *any = c->tests[0];
    assert_string_equal(any->name.s, "anyof");
    assert_int_equal(any->name.pos.column, 4);
    assert_true(any->test_list && any->ntests == 2 && !any->has_block && any->nargs == 0);
    const sv_node *h = any->tests[0];
    assert_int_equal(h->nargs, 3);
    assert_int_equal(h->args[0].kind, SV_ARG_TAG);
    assert_string_equal(h->args[0].u.tag.s, "is");
    assert_int_equal(h->args[0].pos.column, 18);
    assert_int_equal(h->args[1].kind, SV_ARG_STRING);
    assert_int_equal(h->args[1].u.str.len, 1);
    assert_int_equal(h->args[1].u.str.pos.column, 22);
    assert_int_equal(h->args[2].kind, SV_ARG_STRLIST);
    assert_int_equal(h->args[2].pos.column, 26);
    assert_int_equal(h->args[2].u.list.count, 2);
    assert_string_equal(h->args[2].u.list.items[1].s, "b");
    assert_int_equal(h->args[2].u.list.items[1].pos.column, 32);
    const sv_node *sz = any->tests[1];
    assert_int_equal(sz->name.pos.line, 2);
    assert_int_equal(sz->name.pos.column, 3);
    assert_int_equal(sz->args[1].kind, SV_ARG_NUMBER);
    assert_int_equal(sz->args[1].u.number, 1048576);
    const sv_node *f = c->block[0];
    assert_string_equal(f->name.s, "fileinto");
    assert_int_equal(f->name.pos.line, 4);
    assert_int_equal(f->name.pos.column, 2);
    assert_false(f->has_block);
    assert_int_equal(f->args[0].kind, SV_ARG_STRING);
    assert_true(f->args[0].u.str.multiline);
    assert_string_equal(f->args[0].u.str.s, ".x\r\n");
    assert_int_equal(f->args[0].u.str.len, 4);
    assert_int_equal(f->args[0].u.str.pos.column, 11);
    sv_ast_free(ast);
    sv_diag_free(&d);
}

/* ---- errors and recovery ----------------------------------------------------------------- */

static void errors_say_what_was_found_and_expected(void **state)
{
    (void)state;
    expect_error("if true {\n  fileinto \"x\"\n}\n", SIEVE_E_COMPILE, 3, 1,
                 "unexpected \"}\": expected \";\" or \"{\" after the arguments of command "
                 "\"fileinto\"");
    expect_error("keep", SIEVE_E_COMPILE, 1, 5,
                 "unexpected end of script: expected \";\" or \"{\" after the arguments of "
                 "command \"keep\"");
    expect_error("if true {\n keep;\n", SIEVE_E_COMPILE, 3, 1,
                 "unexpected end of script: expected \"}\" to close the block of command \"if\" "
                 "opened at 1:9");
    expect_error("keep;\n}\nstop;", SIEVE_E_COMPILE, 2, 1, "unexpected \"}\": expected a command");
    expect_error("\"str\";", SIEVE_E_COMPILE, 1, 1,
                 "unexpected string \"str\": expected a command");
    expect_error("if true { 5; }", SIEVE_E_COMPILE, 1, 11,
                 "unexpected number 5: expected a command or \"}\"");
    expect_error("if anyof() {}", SIEVE_E_COMPILE, 1, 10,
                 "unexpected \")\": expected a test in the test list of \"anyof\"");
    expect_error("if anyof(true,) {}", SIEVE_E_COMPILE, 1, 15,
                 "unexpected \")\": expected a test in the test list of \"anyof\"");
    expect_error("if anyof(true \"x\" ] false) {}", SIEVE_E_COMPILE, 1, 19,
                 "unexpected \"]\": expected \",\" or \")\" in the test list of \"anyof\"");
    expect_error("fileinto [];", SIEVE_E_COMPILE, 1, 11,
                 "unexpected \"]\": expected a string in the string list");
    expect_error("fileinto [\"a\" \"b\"];", SIEVE_E_COMPILE, 1, 15,
                 "unexpected string \"b\": expected \",\" or \"]\" in the string list");
    expect_error("fileinto [\"a\", 1];", SIEVE_E_COMPILE, 1, 16,
                 "unexpected number 1: expected a string in the string list");
    expect_error("fileinto [\"a\", :x];", SIEVE_E_COMPILE, 1, 16,
                 "unexpected tag \":x\": expected a string");
    expect_error("if true ( {}", SIEVE_E_COMPILE, 1, 11, "expected a test in the test list of");
}

static void lexical_errors_are_reported_once(void **state)
{
    (void)state;
    /* The lexer names the character, the parser what it expected instead: two errors, as
     * Pigeonhole reports them. */
    sv_diag d;
    const char *s = "friep $$$;\nkeep;";
    assert_int_equal(parse_errors(s, strlen(s), NULL, &d), SIEVE_E_COMPILE);
    assert_int_equal(d.errors, 2);
    assert_string_equal(d.items[0].text, "invalid character '$'");
    assert_string_equal(d.items[1].text, "unexpected \"$$$\": expected \";\" or \"{\" after "
                                         "the arguments of command \"friep\"");
    assert_int_equal(d.items[1].pos.column, 7);
    sv_diag_free(&d);
    /* A token the lexer could not finish is reported by the lexer alone. */
    expect_error("keep \"abc", SIEVE_E_COMPILE, 1, 6, "unterminated string");
    expect_error("keep text:\nabc\n", SIEVE_E_COMPILE, 1, 6, "unterminated multi-line string");
    expect_error("keep /* abc", SIEVE_E_COMPILE, 1, 6, "unterminated comment");
    /* A faulty value is reported, but the parse goes on normally. */
    expect_error("if size :over 99999999999999999999 { keep; } keep;", SIEVE_E_COMPILE, 1, 15,
                 "number too large");
}

static void recovery_reports_every_broken_command(void **state)
{
    (void)state;
    /* After an error, the command is dropped up to its ";", its block, or the "}" around it. */
    assert_int_equal(error_count("if true { keep }\nfileinto ,,, { if { } }\ndiscard"), 3);
    /* A stray "}" outside any block is one error more. */
    assert_int_equal(error_count("keep; }\nstop;"), 1);
    /* Pigeonhole tests/compile/recover/commands-endblock.sieve: 3 (+1 for "failed"). */
    assert_int_equal(error_count("if true {\n\tif true {\n\t\tkeep\n\t}\n}\n"
                                 "if true {\n\tkeep,\n\tkeep\n}\n"
                                 "if true {\n\tif anyof(true,true,false) {\n\t\tkeep;\n\t}\n}\n"
                                 "if true {\n\tif anyof(true,true,false) {\n\t\tkeep;\n"
                                 "\t\tdiscard\n\t}\n}\n"),
                     3);
    /* tests/compile/recover/tests-endcomma.sieve: 2. */
    assert_int_equal(error_count("if true {\n\tif true {\n\t\tif anyof(true,true,true,) {\n"
                                 "\t\t}\n\t}\n}\n"
                                 "if true {\n\tif anyof(true,true) {\n"
                                 "\t\tif anyof(true,true,true,) {\n"
                                 "\t\t\tif anyof(true,true,true) {\n\t\t\t}\n\t\t}\n\t}\n}\n"),
                     2);
    /* A skipped block may hold anything, even other errors. */
    assert_int_equal(error_count("if $ { ] ) \"x\" ; } keep;"), 2);
    /* An error inside a string list or test list drops the whole command. */
    assert_int_equal(error_count("fileinto [\"a\" 1 \"b\"]; if anyof(x,,y) { } keep;"), 2);
}

static void errors_stop_at_max_errors(void **state)
{
    (void)state;
    char src[4000] = "";
    for (int i = 0; i < 300; i++)
        strcat(src, "x 1 }");
    sv_diag d;
    sv_diag_init(&d, 5);
    sv_ast *ast = NULL;
    assert_int_equal(sv_parse(src, strlen(src), NULL, &d, &ast), SIEVE_E_COMPILE);
    assert_null(ast);
    assert_int_equal(d.count, 5);
    assert_true(d.full);
    assert_true(d.errors <= 6);
    sv_diag_free(&d);
}

/* Pigeonhole's tests/compile/errors/parser.sieve and lexer.sieve expect 8 errors each (their
 * test says 9, counting the final "compile failed"). */
static char *read_suite_file(const char *rel, size_t *len)
{
    const char *dir = getenv("LIBMAIL_CONFORMANCE_DIR");
    if (!dir || !*dir)
        return NULL;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            char *p = realloc(buf, cap);
            assert_non_null(p);
            buf = p;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        if (r == 0)
            break;
        n += r;
    }
    fclose(f);
    *len = n;
    return buf;
}

static void pigeonhole_error_scripts_give_its_error_counts(void **state)
{
    (void)state;
    static const char *const files[] = {"pigeonhole-sieve/tests/compile/errors/parser.sieve",
                                        "pigeonhole-sieve/tests/compile/errors/lexer.sieve"};
    for (size_t i = 0; i < 2; i++) {
        size_t len;
        char *src = read_suite_file(files[i], &len);
        if (!src)
            skip();
        sv_diag d;
        int rc = parse_errors(src, len, NULL, &d);
        assert_int_equal(rc, SIEVE_E_LIMIT);
        if (d.errors != 8) {
            for (size_t k = 0; k < d.count; k++)
                print_message("%u:%u %s\n", d.items[k].pos.line, d.items[k].pos.column,
                              d.items[k].text);
            fail_msg("%s: %zu errors, want 8", files[i], d.errors);
        }
        sv_diag_free(&d);
        free(src);
    }
}

/* ---- limits --------------------------------------------------------------------------- */

static void block_nesting_limit(void **state)
{
    (void)state;
    sv_parse_limits lim = {.max_nesting = 4};
    sv_diag d;
    char *s = nested(4, "if true {", "keep;", "}");
    assert_int_equal(parse_errors(s, strlen(s), &lim, &d), 0);
    sv_diag_free(&d);
    free(s);
    s = nested(5, "if true {", "keep;", "}");
    assert_int_equal(parse_errors(s, strlen(s), &lim, &d), SIEVE_E_LIMIT);
    assert_int_equal(d.errors, 1);
    assert_int_equal(d.items[0].pos.column, 4 * 9 + 9);
    assert_string_equal(d.items[0].text, "blocks nested too deeply: the limit is 4");
    sv_diag_free(&d);
    free(s);
    /* The default is 32. */
    s = nested(32, "if true {", "", "}");
    assert_int_equal(parse_errors(s, strlen(s), NULL, &d), 0);
    sv_diag_free(&d);
    free(s);
    s = nested(33, "if true {", "", "}");
    assert_int_equal(parse_errors(s, strlen(s), NULL, &d), SIEVE_E_LIMIT);
    assert_int_equal(d.errors, 1);
    sv_diag_free(&d);
    free(s);
}

static void test_nesting_limit(void **state)
{
    (void)state;
    sv_parse_limits lim = {.max_nesting = 3};
    sv_diag d;
    const char *ok[] = {"if not not true {}", "if anyof(anyof(true)) {}",
                        "if anyof(not true, not false) {}"};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(parse_errors(ok[i], strlen(ok[i]), &lim, &d), 0);
        sv_diag_free(&d);
    }
    const char *deep[] = {"if not not not true {}", "if anyof(anyof(anyof(true))) {}"};
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(parse_errors(deep[i], strlen(deep[i]), &lim, &d), SIEVE_E_LIMIT);
        assert_int_equal(d.errors, 1);
        assert_string_equal(d.items[0].text, "tests nested too deeply: the limit is 3");
        sv_diag_free(&d);
    }
    /* Blocks and tests count apart: three blocks with three tests each are fine. */
    char *s = nested(3, "if not not true {", "", "}");
    assert_int_equal(parse_errors(s, strlen(s), &lim, &d), 0);
    sv_diag_free(&d);
    free(s);
    /* The default is 32. */
    s = nested(31, "not ", "true", "");
    char *script = nested(1, "if ", s, " {}");
    assert_int_equal(parse_errors(script, strlen(script), NULL, &d), 0);
    sv_diag_free(&d);
    free(script);
    free(s);
    s = nested(32, "anyof(", "true", ")");
    script = nested(1, "if ", s, " {}");
    assert_int_equal(parse_errors(script, strlen(script), NULL, &d), SIEVE_E_LIMIT);
    assert_int_equal(d.errors, 1);
    sv_diag_free(&d);
    free(script);
    free(s);
}

static void deep_nesting_uses_no_recursion(void **state)
{
    (void)state;
    /* 200000 blocks and 200000 tests: only the heap grows. */
    sv_parse_limits lim = {.max_nesting = 1000000};
    sv_diag d;
    char *s = nested(200000, "if true{", "keep;", "}");
    lim.max_script_size = strlen(s);
    assert_int_equal(parse_errors(s, strlen(s), &lim, &d), 0);
    sv_diag_free(&d);
    free(s);
    s = nested(200000, "anyof(", "true", ")");
    char *script = nested(1, "if ", s, "{}");
    lim.max_script_size = strlen(script);
    assert_int_equal(parse_errors(script, strlen(script), &lim, &d), 0);
    sv_diag_free(&d);
    free(script);
    free(s);
    /* Past the default limits, the same scripts fail quickly with one error each. */
    s = nested(100000, "if true{", "keep;", "}");
    assert_int_equal(parse_errors(s, strlen(s), NULL, &d), SIEVE_E_LIMIT);
    assert_int_equal(d.errors, 1);
    sv_diag_free(&d);
    free(s);
}

static void string_list_limit(void **state)
{
    (void)state;
    sv_parse_limits lim = {.max_list = 3};
    sv_diag d;
    const char *ok = "fileinto [\"a\",\"b\",\"c\"];";
    assert_int_equal(parse_errors(ok, strlen(ok), &lim, &d), 0);
    sv_diag_free(&d);
    const char *over = "fileinto [\"a\",\"b\",\"c\",\"d\"]; keep;";
    assert_int_equal(parse_errors(over, strlen(over), &lim, &d), SIEVE_E_LIMIT);
    assert_int_equal(d.errors, 1);
    assert_int_equal(d.items[0].pos.column, 23);
    assert_string_equal(d.items[0].text, "too many strings in a string list: the limit is 3");
    sv_diag_free(&d);
    /* The default is 1024. */
    char *items = nested(1023, "\"x\",", "\"y\"", "");
    char *s = nested(1, "fileinto [", items, "];");
    assert_int_equal(parse_errors(s, strlen(s), NULL, &d), 0);
    sv_diag_free(&d);
    free(s);
    free(items);
    items = nested(1024, "\"x\",", "\"y\"", "");
    s = nested(1, "fileinto [", items, "];");
    assert_int_equal(parse_errors(s, strlen(s), NULL, &d), SIEVE_E_LIMIT);
    sv_diag_free(&d);
    free(s);
    free(items);
}

static void argument_count_limit(void **state)
{
    (void)state;
    sv_parse_limits lim = {.max_arguments = 3};
    sv_diag d;
    const char *ok = "x :a 1 [\"b\"] true;";
    assert_int_equal(parse_errors(ok, strlen(ok), &lim, &d), 0);
    sv_diag_free(&d);
    const char *over = "x :a 1 [\"b\"] \"c\" true;";
    assert_int_equal(parse_errors(over, strlen(over), &lim, &d), SIEVE_E_LIMIT);
    assert_int_equal(d.errors, 1);
    assert_int_equal(d.items[0].pos.column, 14);
    assert_string_equal(d.items[0].text, "too many arguments for \"x\": the limit is 3");
    sv_diag_free(&d);
    /* The default is 32, for tests too. */
    char *args = nested(32, ":t ", "", "");
    char *s = nested(1, "if x ", args, "{}");
    assert_int_equal(parse_errors(s, strlen(s), NULL, &d), 0);
    sv_diag_free(&d);
    free(s);
    free(args);
    args = nested(33, ":t ", "", "");
    s = nested(1, "if x ", args, "{}");
    assert_int_equal(parse_errors(s, strlen(s), NULL, &d), SIEVE_E_LIMIT);
    sv_diag_free(&d);
    free(s);
    free(args);
}

static void script_size_limit(void **state)
{
    (void)state;
    const char *s = "keep;     ";
    sv_parse_limits lim = {.max_script_size = 10};
    sv_diag d;
    assert_int_equal(parse_errors(s, 10, &lim, &d), 0);
    sv_diag_free(&d);
    lim.max_script_size = 9;
    assert_int_equal(parse_errors(s, 10, &lim, &d), SIEVE_E_LIMIT);
    assert_int_equal(d.errors, 1);
    assert_string_equal(d.items[0].text, "the script is 10 octets long, over the limit of 9");
    sv_diag_free(&d);
    /* The default is 1 MiB. */
    char *big = malloc(SV_DEFAULT_MAX_SCRIPT_SIZE + 1);
    assert_non_null(big);
    memset(big, ' ', SV_DEFAULT_MAX_SCRIPT_SIZE + 1);
    assert_int_equal(parse_errors(big, SV_DEFAULT_MAX_SCRIPT_SIZE, NULL, &d), 0);
    sv_diag_free(&d);
    assert_int_equal(parse_errors(big, SV_DEFAULT_MAX_SCRIPT_SIZE + 1, NULL, &d), SIEVE_E_LIMIT);
    sv_diag_free(&d);
    free(big);
}

static void string_and_identifier_limits(void **state)
{
    (void)state;
    sv_parse_limits lim = {.max_string = 5, .max_identifier = 4};
    sv_diag d;
    const char *ok = "abcd :efgh \"12345\";";
    assert_int_equal(parse_errors(ok, strlen(ok), &lim, &d), 0);
    sv_diag_free(&d);
    const char *over = "abcd :efgh \"123456\"; abcde;";
    assert_int_equal(parse_errors(over, strlen(over), &lim, &d), SIEVE_E_LIMIT);
    assert_int_equal(d.errors, 2);
    assert_int_equal(d.items[0].pos.column, 12);
    assert_string_equal(d.items[0].text, "string too long: over the limit of 5 octets");
    assert_string_equal(d.items[1].text,
                        "identifier \"abcde\" is too long: over the limit of 4 octets");
    sv_diag_free(&d);
    /* The default string limit is 1 MiB (the script limit raised to let such a string in). */
    size_t max = SV_DEFAULT_MAX_STRING;
    char *s = malloc(max + 8);
    assert_non_null(s);
    sv_parse_limits big = {.max_script_size = max + 8};
    for (size_t extra = 0; extra < 2; extra++) {
        size_t k = 0;
        memcpy(s, "x \"", 3);
        k += 3;
        memset(s + k, 'a', max + extra);
        k += max + extra;
        memcpy(s + k, "\";", 2);
        k += 2;
        assert_int_equal(parse_errors(s, k, &big, &d), extra ? SIEVE_E_LIMIT : 0);
        assert_int_equal(d.errors, extra);
        sv_diag_free(&d);
    }
    free(s);
}

static void bad_arguments_are_refused(void **state)
{
    (void)state;
    sv_diag d;
    assert_int_equal(sv_parse("keep;", 5, NULL, &d, NULL), SIEVE_E_INVAL);
    sv_ast *ast = NULL;
    assert_int_equal(sv_parse("keep;", 5, NULL, NULL, &ast), SIEVE_E_INVAL);
    sv_diag_init(&d, 0);
    assert_int_equal(sv_parse(NULL, 5, NULL, &d, &ast), SIEVE_E_INVAL);
    assert_int_equal(sv_parse(NULL, 0, NULL, &d, &ast), 0);
    assert_int_equal(ast->ncommands, 0);
    sv_ast_free(ast);
    sv_ast_free(NULL);
    sv_diag_free(&d);
}

/* ---- out of memory ------------------------------------------------------------------------ */

static long budget;
static void *budget_malloc(size_t n) { return budget-- > 0 ? malloc(n) : NULL; }
static void *budget_realloc(void *p, size_t n) { return budget-- > 0 ? realloc(p, n) : NULL; }

static void out_of_memory_fails_cleanly(void **state)
{
    (void)state;
    const char *src = "require [\"a\",\"b\"];\nif anyof(header :is \"x\" \"y\", not true) {\n"
                      "  fileinto text:\nabc\n.\n;\n} else { $ keep; }\n";
    int done = 0;
    for (long limit = 0; limit < 500 && !done; limit++) {
        sv_diag d;
        sv_diag_init(&d, 0);
        sv_ast *ast = NULL;
        budget = limit;
        sieve_set_allocator(budget_malloc, budget_realloc, free);
        int rc = sv_parse(src, strlen(src), NULL, &d, &ast);
        sieve_set_allocator(NULL, NULL, NULL);
        if (rc == SIEVE_E_COMPILE)
            done = 1;
        else
            assert_int_equal(rc, SIEVE_E_NOMEM);
        assert_null(ast);
        sv_diag_free(&d);
    }
    assert_true(done);
}

/* ---- the conformance suites -------------------------------------------------------------- */

/* Every .sieve and .svtest file must parse, but for those in errors/, failures/ and recover/
 * folders, which are meant to fail (most of them in the validator, not here). */

struct walk {
    size_t ok, failed, error_files, error_files_failing;
};

static int is_error_path(const char *path)
{
    return strstr(path, "/errors/") || strstr(path, "/failures/") || strstr(path, "/recover/");
}

static void parse_file(const char *path, struct walk *w)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *src = malloc((size_t)n + 1);
    assert_non_null(src);
    assert_int_equal(fread(src, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    sv_diag d;
    int rc = parse_errors(src, (size_t)n, NULL, &d);
    if (is_error_path(path)) {
        w->error_files++;
        w->error_files_failing += rc != 0;
        if (rc != 0)
            print_message("(expected) %s: %u:%u %s\n", path, d.count ? d.items[0].pos.line : 0,
                          d.count ? d.items[0].pos.column : 0, d.count ? d.items[0].text : "-");
    } else if (rc == 0) {
        w->ok++;
    } else {
        w->failed++;
        print_message("FAIL %s: %u:%u %s\n", path, d.count ? d.items[0].pos.line : 0,
                      d.count ? d.items[0].pos.column : 0, d.count ? d.items[0].text : "-");
    }
    sv_diag_free(&d);
    free(src);
}

static void walk_dir(const char *dir, struct walk *w, int depth)
{
    DIR *dp = opendir(dir);
    if (!dp || depth > 16) {
        if (dp)
            closedir(dp);
        return;
    }
    struct dirent *e;
    while ((e = readdir(dp)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        size_t len = strlen(e->d_name);
        if (S_ISDIR(st.st_mode))
            walk_dir(path, w, depth + 1);
        else if ((len > 6 && !strcmp(e->d_name + len - 6, ".sieve")) ||
                 (len > 7 && !strcmp(e->d_name + len - 7, ".svtest")))
            parse_file(path, w);
    }
    closedir(dp);
}

static void every_conformance_script_parses(void **state)
{
    (void)state;
    const char *dir = getenv("LIBMAIL_CONFORMANCE_DIR");
    if (!dir || !*dir)
        skip();
    static const char *const suites[] = {"pigeonhole-sieve", "sieve-rs"};
    size_t total = 0;
    for (size_t i = 0; i < 2; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, suites[i]);
        struct walk w = {0};
        walk_dir(path, &w, 0);
        print_message("%s: %zu scripts parse, %zu fail; in errors/ and failures/ folders "
                      "%zu of %zu fail to parse\n",
                      suites[i], w.ok, w.failed, w.error_files_failing, w.error_files);
        assert_int_equal(w.failed, 0);
        total += w.ok + w.error_files;
    }
    if (total == 0)
        skip();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc5228_example_script_parses),
        cmocka_unit_test(commands_arguments_and_tests),
        cmocka_unit_test(tree_flags_kinds_and_positions),
        cmocka_unit_test(errors_say_what_was_found_and_expected),
        cmocka_unit_test(lexical_errors_are_reported_once),
        cmocka_unit_test(recovery_reports_every_broken_command),
        cmocka_unit_test(errors_stop_at_max_errors),
        cmocka_unit_test(pigeonhole_error_scripts_give_its_error_counts),
        cmocka_unit_test(block_nesting_limit),
        cmocka_unit_test(test_nesting_limit),
        cmocka_unit_test(deep_nesting_uses_no_recursion),
        cmocka_unit_test(string_list_limit),
        cmocka_unit_test(argument_count_limit),
        cmocka_unit_test(script_size_limit),
        cmocka_unit_test(string_and_identifier_limits),
        cmocka_unit_test(bad_arguments_are_refused),
        cmocka_unit_test(out_of_memory_fails_cleanly),
        cmocka_unit_test(every_conformance_script_parses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
