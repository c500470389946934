/* ext_expressions.c — vnd.stalwart.expressions: "let" sets a variable to the value of an
 * expression, "eval" tests one (or, as a command, evaluates one for nothing). The language
 * is in sieve.h; expressions are compiled with the script (SV_T_EXPR) and run by expr_eval.c. */
#include "expr.h"

#include "lm_ascii.h"

int sv_expr_check_target(sv_vctx *v, const sv_str *name, const char *cmd)
{
    if (sv_var_name_valid(name->s, name->len, 0))
        return sv_declare_variable(v, name, 0); /* as set declares it */
    if ((sv_vctx_has(v, "include") || sv_vctx_has(v, "vnd.stalwart.expressions")) &&
        name->len > 7 && lm_eq_nocase(name->s, 7, "global.") &&
        sv_var_name_valid(name->s + 7, name->len - 7, 0))
        return 0;
    return sv_vctx_error(v, name->pos, "%s: invalid variable name \"%s\"", cmd, name->s);
}

static int validate_let(sv_vctx *v, const sv_args *a)
{
    return sv_expr_check_target(v, &a->positional[0].strs[0], "let");
}

static int run_let(sv_run *r, const sv_args *a)
{
    sv_xctx c;
    sv_xval v;
    const sv_str *name = &a->positional[0].strs[0];
    int rc = sv_expr_run(r, a->pos, &a->positional[1], &c, &v);
    if (!rc)
        rc = sv_expr_store(&c, name->s, name->len, &v);
    sv_xctx_end(&c);
    return rc;
}

static int run_eval(sv_run *r, const sv_args *a)
{
    return sv_expr_truth(r, a->pos, &a->positional[0]);
}

/* As a command: the value is dropped (a host function may act). */
static int run_eval_command(sv_run *r, const sv_args *a)
{
    int rc = sv_expr_truth(r, a->pos, &a->positional[0]);
    return rc < 0 ? rc : 0;
}

static const sv_cmd_def expressions_commands[] = {
    {"let", SV_KIND_COMMAND, SV_CTL_NONE, 2, {SV_T_STRING, SV_T_EXPR}, NULL, validate_let,
     run_let},
    {"eval", SV_KIND_TEST, SV_CTL_NONE, 1, {SV_T_EXPR}, NULL, NULL, run_eval},
    {"eval", SV_KIND_COMMAND, SV_CTL_NONE, 1, {SV_T_EXPR}, NULL, NULL, run_eval_command},
};
const sv_ext_def sv_ext_expressions = {"vnd.stalwart.expressions", expressions_commands, 3};
