/* fuzz_sieve_parse.c — libFuzzer harness for the Sieve lexer and parser (RFC 5228 §8). Parses
 * the input with the default limits and with tight ones, and checks what comes back: a tree
 * only without errors, within every limit, with NUL-terminated strings, identifiers that are
 * identifiers and real positions; otherwise errors with positions and texts. */
#include <stdint.h>
#include <string.h>

#include "lm_ascii.h"
#include "sieve_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_str(const sv_str *s, const sv_parse_limits *lim)
{
    if (!s->s || s->s[s->len] != '\0' || strlen(s->s) != s->len || s->len > lim->max_string ||
        s->pos.line == 0 || s->pos.column == 0)
        __builtin_trap();
}

static void check_name(const sv_str *s, const sv_parse_limits *lim)
{
    check_str(s, lim);
    if (s->len == 0 || s->len > lim->max_identifier || lm_is_digit((unsigned char)s->s[0]))
        __builtin_trap();
    for (size_t i = 0; i < s->len; i++)
        if (!lm_is_alnum((unsigned char)s->s[i]) && s->s[i] != '_')
            __builtin_trap();
}

/* `tests` is how deep this node is among tests (0 for a command), `blocks` among blocks. */
static void check_node(const sv_node *n, const sv_parse_limits *lim, unsigned tests,
                       unsigned blocks)
{
    if (tests > lim->max_nesting || blocks > lim->max_nesting || n->nargs > lim->max_arguments)
        __builtin_trap();
    check_name(&n->name, lim);
    for (size_t i = 0; i < n->nargs; i++) {
        const sv_arg *a = &n->args[i];
        if (a->kind == SV_ARG_TAG)
            check_name(&a->u.tag, lim);
        else if (a->kind == SV_ARG_STRING)
            check_str(&a->u.str, lim);
        else if (a->kind == SV_ARG_STRLIST) {
            if (a->u.list.count == 0 || a->u.list.count > lim->max_list)
                __builtin_trap();
            for (size_t j = 0; j < a->u.list.count; j++)
                check_str(&a->u.list.items[j], lim);
        } else if (a->kind != SV_ARG_NUMBER) {
            __builtin_trap();
        }
    }
    if ((n->ntests > 1 && !n->test_list) || (n->test_list && n->ntests == 0))
        __builtin_trap();
    for (size_t i = 0; i < n->ntests; i++)
        check_node(n->tests[i], lim, tests + 1, blocks);
    if (tests > 0 && (n->has_block || n->nblock))
        __builtin_trap();
    if (!n->has_block && n->nblock)
        __builtin_trap();
    for (size_t i = 0; i < n->nblock; i++)
        check_node(n->block[i], lim, 0, blocks + 1);
}

static void run(const uint8_t *data, size_t size, const sv_parse_limits *lim,
                const sv_parse_limits *resolved)
{
    sv_diag d;
    sv_diag_init(&d, 20);
    sv_ast *ast = NULL;
    int rc = sv_parse((const char *)data, size, lim, &d, &ast);
    if (rc == 0) {
        if (!ast || d.errors)
            __builtin_trap();
        for (size_t i = 0; i < ast->ncommands; i++)
            check_node(ast->commands[i], resolved, 0, 0);
    } else {
        if (ast || (rc != SIEVE_E_NOMEM && d.errors == 0))
            __builtin_trap();
        if (rc != SIEVE_E_COMPILE && rc != SIEVE_E_LIMIT && rc != SIEVE_E_NOMEM)
            __builtin_trap();
        for (size_t i = 0; i < d.count; i++)
            if (!d.items[i].text || !d.items[i].text[0] ||
                (d.items[i].pos.line == 0) != (d.items[i].pos.column == 0))
                __builtin_trap();
    }
    sv_ast_free(ast);
    sv_diag_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const sv_parse_limits defaults = {
        SV_DEFAULT_MAX_SCRIPT_SIZE, SV_DEFAULT_MAX_NESTING, SV_DEFAULT_MAX_STRING,
        SV_DEFAULT_MAX_LIST,        SV_DEFAULT_MAX_ARGUMENTS, SV_DEFAULT_MAX_IDENTIFIER};
    static const sv_parse_limits tight = {.max_script_size = 4096, .max_nesting = 3,
                                          .max_string = 16, .max_list = 4,
                                          .max_arguments = 4, .max_identifier = 8};
    run(data, size, NULL, &defaults);
    run(data, size, &tight, &tight);
    return 0;
}
