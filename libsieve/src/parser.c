/* parser.c — the syntax tree of a Sieve script (RFC 5228 §3, §8.2): commands with their
 * arguments, tests, test lists and blocks. Nesting is read with an explicit stack of frames,
 * so a deep script costs heap, never C recursion, and is refused past max_nesting. After an
 * error the command at fault is dropped and reading goes on after it. */
#include "lexer.h"

#include "lm_alloc.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* What a frame reads: the commands of a block (or of the script), or one command or test. */
enum { FR_BLOCK, FR_COMMAND, FR_TEST };

/* Where a command or test is: in its arguments, after "(" or "," of its test list (a test must
 * follow), after a test of that list ("," or ")" must follow), or past its arguments. */
enum { ST_ARGS, ST_LIST_ITEM, ST_LIST_NEXT, ST_END };

struct frame {
    int kind, state;
    unsigned depth;     /* FR_TEST: tests up to and including it within its command */
    sv_node *node;      /* the command or test; for a block, its command (NULL: the script) */
    sv_pos open;        /* FR_BLOCK: its "{" */
    size_t arg_base;    /* its first argument on the argument stack */
    size_t node_base;   /* its first test (or, for a block, command) on the node stack */
};

/* The arguments and the child nodes of the frames stack up in two shared arrays: a frame's
 * own ones are always on top while it is read, and move to the arena when it ends. */
struct parser {
    sv_lexer lx;
    sv_token tok;
    sv_ast *ast;
    sv_parse_limits lim;
    struct frame *frames;
    size_t nframes, frames_cap;
    sv_arg *args;
    size_t nargs, args_cap;
    sv_node **nodes;
    size_t nnodes, nodes_cap;
    sv_str *strs;               /* the string list being read */
    size_t nstrs, strs_cap;
    unsigned blocks;            /* blocks open */
    size_t errors_before;       /* diag->errors when the parse started */
    int nomem, limit_hit;
};

/* Makes room for `need` elements of `size` octets; returns the (possibly moved) array or NULL
 * when out of memory. */
static void *grow(void *items, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return items;
    size_t n = *cap ? *cap : 16;
    while (n < need)
        n *= 2;
    if (n > SIZE_MAX / size)
        return NULL;
    void *p = lm_realloc(items, n * size);
    if (p)
        *cap = n;
    return p;
}

/* A copy in the arena of the `n` elements of `size` octets from element `first` of `items`
 * (NULL for none). */
static void *arena_copy(struct parser *ps, const void *items, size_t first, size_t n,
                        size_t size)
{
    if (n == 0)
        return NULL;
    void *p = lm_arena_calloc(ps->ast->arena, n, size);
    if (!p) {
        ps->nomem = 1;
        return NULL;
    }
    memcpy(p, (const char *)items + first * size, n * size);
    return p;
}

static int str_copy(struct parser *ps, sv_str *out, const char *s, size_t n, sv_pos pos,
                    int multiline)
{
    char *c = lm_arena_strndup(ps->ast->arena, s, n);
    if (!c) {
        ps->nomem = 1;
        return -1;
    }
    *out = (sv_str){.s = c, .len = n, .pos = pos, .multiline = (uint8_t)multiline};
    return 0;
}

static void advance(struct parser *ps)
{
    if (sv_lexer_next(&ps->lx, &ps->tok) < 0)
        ps->nomem = 1;
}

static struct frame *top(struct parser *ps) { return &ps->frames[ps->nframes - 1]; }

static void push_frame(struct parser *ps, int kind, unsigned depth, sv_node *node, sv_pos open)
{
    struct frame *f = grow(ps->frames, &ps->frames_cap, ps->nframes + 1, sizeof *f);
    if (!f) {
        ps->nomem = 1;
        return;
    }
    ps->frames = f;
    ps->frames[ps->nframes++] = (struct frame){kind, ST_ARGS, depth, node, open, ps->nargs,
                                               ps->nnodes};
}

static void push_node(struct parser *ps, sv_node *n)
{
    sv_node **v = grow(ps->nodes, &ps->nodes_cap, ps->nnodes + 1, sizeof *v);
    if (!v) {
        ps->nomem = 1;
        return;
    }
    ps->nodes = v;
    ps->nodes[ps->nnodes++] = n;
}

/* Reports the current token as unexpected, saying what was expected. A token the lexer could
 * not read at all was reported by the lexer already. */
static void unexpected(struct parser *ps, const char *expected, const sv_node *node)
{
    char what[96];
    if (ps->tok.kind == SV_TOK_ERROR)
        return;
    sv_token_describe(&ps->tok, what, sizeof what);
    if (node)
        sv_lexer_error(&ps->lx, ps->tok.pos, "unexpected %s: expected %s \"%s\"", what, expected,
                       node->name.s);
    else
        sv_lexer_error(&ps->lx, ps->tok.pos, "unexpected %s: expected %s", what, expected);
}

/* After an error: drops the command being read, with its tests, and skips what is left of it:
 * up to and including the next ";" or its block "{ ... }", or up to the "}" that closes the
 * block around it. */
static void recover(struct parser *ps)
{
    while (top(ps)->kind != FR_BLOCK) {
        ps->nargs = top(ps)->arg_base;
        ps->nnodes = top(ps)->node_base;
        ps->nframes--;
    }
    size_t braces = 0;
    while (!ps->nomem && ps->tok.kind != SV_TOK_EOF) {
        if (ps->tok.kind == SV_TOK_SEMICOLON && braces == 0) {
            advance(ps);
            return;
        }
        if (ps->tok.kind == SV_TOK_LBRACE) {
            braces++;
        } else if (ps->tok.kind == SV_TOK_RBRACE) {
            if (braces == 0)
                return;
            if (--braces == 0) {
                advance(ps);
                return;
            }
        }
        advance(ps);
    }
}

/* A limit error at the current token, then recovery. */
static void over_limit(struct parser *ps, const char *what, unsigned long long limit)
{
    sv_lexer_error(&ps->lx, ps->tok.pos, "%s: the limit is %llu", what, limit);
    ps->limit_hit = 1;
    recover(ps);
}

/* A command or test named by the current identifier starts. */
static void start_node(struct parser *ps, int kind, unsigned depth)
{
    sv_node *n = lm_arena_calloc(ps->ast->arena, 1, sizeof *n);
    if (!n || str_copy(ps, &n->name, ps->tok.text, ps->tok.len, ps->tok.pos, 0) < 0) {
        ps->nomem = 1;
        return;
    }
    push_frame(ps, kind, depth, n, ps->tok.pos);
    advance(ps);
}

/* A test of the command or test in frame `f` starts, if it is not nested too deeply. */
static void start_test(struct parser *ps, const struct frame *f)
{
    unsigned outer = f->kind == FR_TEST ? f->depth : 0;
    if (outer >= ps->lim.max_nesting) {
        over_limit(ps, "tests nested too deeply", ps->lim.max_nesting);
        return;
    }
    start_node(ps, FR_TEST, outer + 1);
}

static void push_arg(struct parser *ps, const sv_arg *a)
{
    sv_arg *v = grow(ps->args, &ps->args_cap, ps->nargs + 1, sizeof *v);
    if (!v) {
        ps->nomem = 1;
        return;
    }
    ps->args = v;
    ps->args[ps->nargs++] = *a;
}

/* string-list = "[" string *("," string) "]" — read whole, as one argument. */
static void string_list(struct parser *ps)
{
    sv_arg a = {.kind = SV_ARG_STRLIST, .pos = ps->tok.pos};
    ps->nstrs = 0;
    advance(ps);
    for (;;) {
        if (ps->tok.kind != SV_TOK_STRING) {
            unexpected(ps, "a string in the string list", NULL);
            recover(ps);
            return;
        }
        if (ps->nstrs == ps->lim.max_list) {
            over_limit(ps, "too many strings in a string list", ps->lim.max_list);
            return;
        }
        sv_str *v = grow(ps->strs, &ps->strs_cap, ps->nstrs + 1, sizeof *v);
        if (!v) {
            ps->nomem = 1;
            return;
        }
        ps->strs = v;
        if (str_copy(ps, &ps->strs[ps->nstrs++], ps->tok.str, ps->tok.str_len, ps->tok.pos,
                     ps->tok.multiline) < 0)
            return;
        advance(ps);
        if (ps->tok.kind == SV_TOK_RBRACKET)
            break;
        if (ps->tok.kind != SV_TOK_COMMA) {
            unexpected(ps, "\",\" or \"]\" in the string list", NULL);
            recover(ps);
            return;
        }
        advance(ps);
    }
    a.u.list.items = arena_copy(ps, ps->strs, 0, ps->nstrs, sizeof *ps->strs);
    a.u.list.count = ps->nstrs;
    advance(ps);
    push_arg(ps, &a);
}

/* arguments = *argument [ test / test-list ]: one step. */
static void arguments_step(struct parser *ps, struct frame *f)
{
    sv_arg a = {.pos = ps->tok.pos};
    switch (ps->tok.kind) {
    case SV_TOK_STRING:
    case SV_TOK_NUMBER:
    case SV_TOK_TAG:
    case SV_TOK_LBRACKET:
        if (ps->nargs - f->arg_base == ps->lim.max_arguments) {
            char what[160];
            snprintf(what, sizeof what, "too many arguments for \"%s\"", f->node->name.s);
            over_limit(ps, what, ps->lim.max_arguments);
            return;
        }
        break;
    case SV_TOK_IDENTIFIER:
        f->state = ST_END;
        start_test(ps, f);
        return;
    case SV_TOK_LPAREN:
        f->node->test_list = 1;
        f->state = ST_LIST_ITEM;
        advance(ps);
        return;
    default:
        f->state = ST_END;
        return;
    }
    if (ps->tok.kind == SV_TOK_LBRACKET) {
        string_list(ps);
        return;
    }
    if (ps->tok.kind == SV_TOK_NUMBER) {
        a.kind = SV_ARG_NUMBER;
        a.u.number = ps->tok.number;
    } else if (ps->tok.kind == SV_TOK_TAG) {
        a.kind = SV_ARG_TAG;
        if (str_copy(ps, &a.u.tag, ps->tok.text, ps->tok.len, ps->tok.pos, 0) < 0)
            return;
    } else {
        a.kind = SV_ARG_STRING;
        if (str_copy(ps, &a.u.str, ps->tok.str, ps->tok.str_len, ps->tok.pos,
                     ps->tok.multiline) < 0)
            return;
    }
    push_arg(ps, &a);
    advance(ps);
}

/* Moves the arguments and tests of frame `f` from the stacks into its node. */
static void finish_node(struct parser *ps, const struct frame *f)
{
    sv_node *n = f->node;
    n->nargs = ps->nargs - f->arg_base;
    n->args = arena_copy(ps, ps->args, f->arg_base, n->nargs, sizeof *n->args);
    n->ntests = ps->nnodes - f->node_base;
    n->tests = arena_copy(ps, ps->nodes, f->node_base, n->ntests, sizeof *n->tests);
    ps->nargs = f->arg_base;
    ps->nnodes = f->node_base;
}

/* A command or test past its arguments: a test simply ends; a command ends with ";" or opens
 * its block. */
static void end_node(struct parser *ps, struct frame *f)
{
    if (f->kind == FR_TEST || ps->tok.kind == SV_TOK_SEMICOLON) {
        int command = f->kind == FR_COMMAND;
        sv_node *n = f->node;
        finish_node(ps, f);
        ps->nframes--;
        push_node(ps, n);
        if (command)
            advance(ps);
        return;
    }
    if (ps->tok.kind != SV_TOK_LBRACE) {
        unexpected(ps, "\";\" or \"{\" after the arguments of command", f->node);
        recover(ps);
        return;
    }
    if (ps->blocks >= ps->lim.max_nesting) {
        over_limit(ps, "blocks nested too deeply", ps->lim.max_nesting);
        return;
    }
    finish_node(ps, f);
    f->node->has_block = 1;
    ps->blocks++;
    push_frame(ps, FR_BLOCK, 0, f->node, ps->tok.pos);
    advance(ps);
}

/* One step in a command or test. */
static void node_step(struct parser *ps, struct frame *f)
{
    switch (f->state) {
    case ST_ARGS:
        arguments_step(ps, f);
        break;
    case ST_LIST_ITEM:
        if (ps->tok.kind == SV_TOK_IDENTIFIER) {
            f->state = ST_LIST_NEXT;
            start_test(ps, f);
        } else {
            unexpected(ps, "a test in the test list of", f->node);
            recover(ps);
        }
        break;
    case ST_LIST_NEXT:
        if (ps->tok.kind == SV_TOK_COMMA) {
            f->state = ST_LIST_ITEM;
            advance(ps);
        } else if (ps->tok.kind == SV_TOK_RPAREN) {
            f->state = ST_END;
            advance(ps);
        } else {
            unexpected(ps, "\",\" or \")\" in the test list of", f->node);
            recover(ps);
        }
        break;
    default:
        end_node(ps, f);
        break;
    }
}

/* The "}" of the block in frame `f`: the block's commands go to its command, which ends. */
static void end_block(struct parser *ps, const struct frame *f)
{
    sv_node *n = f->node;
    n->nblock = ps->nnodes - f->node_base;
    n->block = arena_copy(ps, ps->nodes, f->node_base, n->nblock, sizeof *n->block);
    ps->nnodes = f->node_base;
    ps->blocks--;
    ps->nframes -= 2; /* the block and its command */
    push_node(ps, n);
    advance(ps);
}

/* One step in a block or the script. Returns 1 at the end of the script. */
static int block_step(struct parser *ps, const struct frame *f)
{
    switch (ps->tok.kind) {
    case SV_TOK_IDENTIFIER:
        start_node(ps, FR_COMMAND, 0);
        return 0;
    case SV_TOK_RBRACE:
        if (f->node) {
            end_block(ps, f);
        } else {
            unexpected(ps, "a command (no block is open)", NULL);
            advance(ps);
        }
        return 0;
    case SV_TOK_EOF:
        if (f->node)
            sv_lexer_error(&ps->lx, ps->tok.pos,
                           "unexpected end of script: expected \"}\" to close the block of "
                           "command \"%s\" opened at %u:%u",
                           f->node->name.s, (unsigned)f->open.line, (unsigned)f->open.column);
        return 1;
    default:
        unexpected(ps, f->node ? "a command or \"}\"" : "a command", NULL);
        recover(ps);
        return 0;
    }
}

static void resolve_limits(sv_parse_limits *l, const sv_parse_limits *given)
{
    static const sv_parse_limits defaults = {
        SV_DEFAULT_MAX_SCRIPT_SIZE, SV_DEFAULT_MAX_NESTING, SV_DEFAULT_MAX_STRING,
        SV_DEFAULT_MAX_LIST,        SV_DEFAULT_MAX_ARGUMENTS, SV_DEFAULT_MAX_IDENTIFIER};
    *l = given ? *given : defaults;
    if (!l->max_script_size)
        l->max_script_size = defaults.max_script_size;
    if (!l->max_nesting)
        l->max_nesting = defaults.max_nesting;
    if (!l->max_string)
        l->max_string = defaults.max_string;
    if (!l->max_list)
        l->max_list = defaults.max_list;
    if (!l->max_arguments)
        l->max_arguments = defaults.max_arguments;
    if (!l->max_identifier)
        l->max_identifier = defaults.max_identifier;
}

void sv_ast_free(sv_ast *ast)
{
    if (!ast)
        return;
    lm_arena_free(ast->arena);
    lm_free(ast);
}

/* commands = *command (RFC 5228 §8.2), read to the end of the script. */
static void parse_script(struct parser *ps)
{
    push_frame(ps, FR_BLOCK, 0, NULL, (sv_pos){0, 0});
    advance(ps);
    sv_diag *d = ps->lx.diag;
    while (!ps->nomem && !ps->lx.oom && !(d->full && d->errors > ps->errors_before)) {
        struct frame *f = top(ps);
        if (f->kind != FR_BLOCK)
            node_step(ps, f);
        else if (block_step(ps, f))
            break;
    }
    if (ps->nomem || ps->lx.oom)
        return;
    ps->ast->ncommands = ps->nnodes - ps->frames[0].node_base;
    ps->ast->commands = arena_copy(ps, ps->nodes, 0, ps->ast->ncommands, sizeof *ps->nodes);
}

int sv_parse(const char *src, size_t len, const sv_parse_limits *lim, sv_diag *diag,
             sv_ast **out)
{
    if (!out || !diag || (!src && len))
        return SIEVE_E_INVAL;
    *out = NULL;
    struct parser ps;
    memset(&ps, 0, sizeof ps);
    resolve_limits(&ps.lim, lim);
    if (len > ps.lim.max_script_size) {
        int rc = sv_diag_add(diag, SV_SEV_ERROR, (sv_pos){0, 0},
                             "the script is %zu octets long, over the limit of %zu", len,
                             ps.lim.max_script_size);
        return rc < 0 ? rc : SIEVE_E_LIMIT;
    }
    ps.errors_before = diag->errors;
    ps.ast = lm_calloc(1, sizeof *ps.ast);
    if (!ps.ast || !(ps.ast->arena = lm_arena_new(0))) {
        lm_free(ps.ast);
        return SIEVE_E_NOMEM;
    }
    sv_lexer_init(&ps.lx, src, len, ps.lim.max_string, ps.lim.max_identifier, diag);
    parse_script(&ps);
    int rc = 0;
    if (ps.nomem || ps.lx.oom)
        rc = SIEVE_E_NOMEM;
    else if (diag->errors > ps.errors_before)
        rc = ps.limit_hit || ps.lx.limit_hit ? SIEVE_E_LIMIT : SIEVE_E_COMPILE;
    sv_lexer_free(&ps.lx);
    lm_free(ps.frames);
    lm_free(ps.args);
    lm_free(ps.nodes);
    lm_free(ps.strs);
    if (rc) {
        sv_ast_free(ps.ast);
        return rc;
    }
    *out = ps.ast;
    return 0;
}
