/* ext_vnd_execute.c — vnd.dovecot.execute (Pigeonhole's vendor extension):
 * `execute [:input <string> / :pipe] [:output <variable>] <program-name> [<arguments>]` runs
 * the site's program now, with a string, the message or nothing as its input, and can store
 * what it writes in a variable. A command (a failure is a run-time error) and a test (false on
 * failure). Grammar in sieve.h. */
#include "engine.h"

#include "lm_alloc.h"

static int validate_execute(sv_vctx *v, const sv_args *a)
{
    const sv_value *output = sv_args_tag(a, SV_TAG_EXEC_OUTPUT);
    if (output) {
        const sv_str *var = &output->strs[0];
        if (!sv_vctx_has(v, "variables"))
            return sv_vctx_error(v, var->pos, "execute :output needs the \"variables\" "
                                 "extension");
        if (!sv_var_name_valid(var->s, var->len, 0))
            return sv_vctx_error(v, var->pos, "execute: invalid variable name \"%s\"", var->s);
        if (sv_declare_variable(v, var, 0))
            return SIEVE_E_NOMEM;
    }
    return sv_program_validate(v, a, 0, "execute");
}

/* 1 when the program succeeded, 0 when it failed, or a negative SIEVE_E_*. */
static int run_execute(sv_run *r, const sv_args *a)
{
    sv_program_call call;
    int rc = sv_program_call_get(r, a, 0, "execute", &call);
    if (rc)
        return rc;
    const sv_value *output = sv_args_tag(a, SV_TAG_EXEC_OUTPUT);
    lm_buf in = LM_BUF_INIT, out = LM_BUF_INIT;
    sv_str text = {0};
    const unsigned char *input = NULL;
    size_t len = 0;
    if (sv_args_tag(a, SV_TAG_EXEC_PIPE)) {
        rc = sv_message_write(r, &in);
        input = (const unsigned char *)in.data;
        len = in.len;
    } else if (!(rc = sv_run_tag_string(r, a, SV_TAG_EXEC_INPUT, &text)) && text.s) {
        input = (const unsigned char *)text.s;
        len = text.len;
    }
    if (!rc)
        rc = sv_program_run(r, a, SIEVE_PROGRAM_EXECUTE, &call, input, len,
                            output ? &out : NULL);
    lm_buf_free(&in);
    if (rc == 1 && output) {
        sv_str var;
        int st = sv_run_string(r, &output->strs[0], &var);
        if (!st)
            st = sv_vars_set(r->vars, var.s, var.len, out.data ? out.data : "", out.len);
        if (st == SIEVE_E_LIMIT)
            st = sv_run_error(r, a->pos, "too many variables");
        if (st)
            rc = st;
    }
    lm_buf_free(&out);
    return rc;
}

static int run_execute_command(sv_run *r, const sv_args *a)
{
    int rc = run_execute(r, a);
    if (rc == 0)
        return sv_run_error(r, a->pos, "execute: the program failed");
    return rc < 0 ? rc : 0;
}

static const uint8_t execute_tags[] = {SV_TAG_EXEC_INPUT, SV_TAG_EXEC_PIPE, SV_TAG_EXEC_OUTPUT,
                                       SV_TAG_COUNT_};

static const sv_cmd_def execute_commands[] = {
    {"execute", SV_KIND_COMMAND, SV_CTL_NONE, 2, {SV_T_STRING, SV_T_STRLIST | SV_T_OPTIONAL},
     execute_tags, validate_execute, run_execute_command},
    {"execute", SV_KIND_TEST, SV_CTL_NONE, 2, {SV_T_STRING, SV_T_STRLIST | SV_T_OPTIONAL},
     execute_tags, validate_execute, run_execute},
};
const sv_ext_def sv_ext_vnd_execute = {"vnd.dovecot.execute", execute_commands, 2};
