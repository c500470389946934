/* ext_while.c — vnd.stalwart.while: the "while" loop over an expression, and "break" and
 * "continue". break leaves the innermost loop, a while or a foreverypart (RFC 5703 §3: with
 * :name, the foreverypart of that name and every loop inside it), so a script that requires
 * both extensions gets this break, which knows both kinds of loop. Every round of a loop costs
 * instructions of the run's budget, which bounds it. */
#include "expr.h"

#include <string.h>

/* ---- compile time ------------------------------------------------------------------------- */

static const sv_cmd_def *while_def(void);

static int is_foreverypart(const sv_vctx *v, const sv_cmd_def *def)
{
    return def == sv_find_command(v->engine, "foreverypart", 12, SV_KIND_COMMAND, NULL);
}

static int validate_while(sv_vctx *v, const sv_args *a)
{
    size_t whiles = 0;
    for (size_t k = 0; k < v->nblocks; k++)
        whiles += v->blocks[k]->def == while_def();
    if (whiles >= SV_MAX_WHILES)
        return sv_vctx_error(v, a->pos, "while loops nested more than %d deep", SV_MAX_WHILES);
    return 0;
}

static int validate_break(sv_vctx *v, const sv_args *a)
{
    const sv_value *name = sv_args_tag(a, SV_TAG_NAME);
    int loops = 0;
    for (size_t k = v->nblocks; k-- > 0;) {
        const sv_args *b = v->blocks[k];
        int fep = is_foreverypart(v, b->def);
        if (!fep && b->def != while_def())
            continue;
        loops++;
        if (!name)
            return 0;
        const sv_value *ln = fep ? sv_args_tag(b, SV_TAG_NAME) : NULL;
        if (ln && ln->strs[0].len == name->strs[0].len &&
            !memcmp(ln->strs[0].s, name->strs[0].s, name->strs[0].len))
            return 0;
    }
    if (!loops)
        return sv_vctx_error(v, a->pos, "break outside a loop");
    return sv_vctx_error(v, name->strs[0].pos, "break :name \"%s\": no foreverypart loop of "
                         "that name around it", name->strs[0].s);
}

static int validate_continue(sv_vctx *v, const sv_args *a)
{
    for (size_t k = v->nblocks; k-- > 0;)
        if (v->blocks[k]->def == while_def())
            return 0;
    return sv_vctx_error(v, a->pos, "continue outside a while loop");
}

/* ---- run time ----------------------------------------------------------------------------- */

/* On entering: a new loop, left at once when the expression is false. At the block's end: 1
 * (the block runs again) while it is true; when the block is left (break), the loop ends. */
static int run_while(sv_run *r, const sv_args *a)
{
    if (!r->block_end) {
        if (r->nwhiles >= SV_MAX_WHILES)
            return sv_run_error(r, a->pos, "while loops nested more than %d deep (with the "
                                "scripts that include this one)", SV_MAX_WHILES);
        r->whiles[r->nwhiles++] = r->nloops;
        int t = sv_expr_truth(r, a->pos, &a->positional[0]);
        if (t == 0)
            r->leave_block = 1;
        return t < 0 ? t : 0;
    }
    if (r->nwhiles <= r->while_base)
        return sv_run_error(r, a->pos, "corrupt bytecode: a loop ends that did not start");
    if (r->block_end == 1) {
        int t = sv_expr_truth(r, a->pos, &a->positional[0]);
        if (t != 0)
            return t; /* 1: again; or an error */
    }
    r->nwhiles--;
    return 0;
}

/* Leaves the foreverypart loops from the k-th on and the while loops begun inside them. */
static void leave_from(sv_run *r, size_t k)
{
    int blocks = 0;
    for (size_t j = k; j < r->nloops; j++, blocks++)
        r->loops[j].leaving = 1;
    for (size_t i = r->while_base; i < r->nwhiles; i++)
        blocks += r->whiles[i] > k;
    r->leave_block = blocks;
}

static int run_break(sv_run *r, const sv_args *a)
{
    const sv_value *name = sv_args_tag(a, SV_TAG_NAME);
    if (!name && r->nwhiles > r->while_base && r->whiles[r->nwhiles - 1] == r->nloops) {
        r->leave_block = 1; /* the innermost loop is a while */
        return 0;
    }
    for (size_t k = r->nloops; k-- > r->loop_base;) {
        const char *ln = r->loops[k].name;
        if (name && (!ln || strcmp(ln, name->strs[0].s)))
            continue;
        leave_from(r, k);
        return 0;
    }
    return sv_run_error(r, a->pos, "break outside its loop");
}

static int run_continue(sv_run *r, const sv_args *a)
{
    if (r->nwhiles <= r->while_base)
        return sv_run_error(r, a->pos, "continue outside its while loop");
    size_t k = r->whiles[r->nwhiles - 1]; /* the foreverypart loops begun inside the while */
    for (size_t j = k; j < r->nloops; j++)
        r->loops[j].leaving = 1;
    r->leave_block = (int)(r->nloops - k) + 1;
    r->continue_loop = 1;
    return 0;
}

static const uint8_t name_tags[] = {SV_TAG_NAME, SV_TAG_COUNT_};

static const sv_cmd_def while_commands[] = {
    {"while", SV_KIND_COMMAND, SV_CTL_BLOCK, 1, {SV_T_EXPR}, NULL, validate_while, run_while},
    {"break", SV_KIND_COMMAND, SV_CTL_NONE, 0, {0}, name_tags, validate_break, run_break},
    {"continue", SV_KIND_COMMAND, SV_CTL_NONE, 0, {0}, NULL, validate_continue, run_continue},
};
const sv_ext_def sv_ext_while = {"vnd.stalwart.while", while_commands, 3};

static const sv_cmd_def *while_def(void) { return &while_commands[0]; }
