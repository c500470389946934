/* ext_vnd_filter.c — vnd.dovecot.filter (Pigeonhole's vendor extension):
 * `filter <program-name> [<arguments>]` runs the site's program now on the message as the run
 * sees it, and what the program writes becomes the message from then on (sv_result_rebuilt,
 * as replace does). A command (a failure is a run-time error) and a test (false on failure).
 * Grammar in sieve.h. */
#include "engine.h"

#include "lm_alloc.h"

static int validate_filter(sv_vctx *v, const sv_args *a)
{
    return sv_program_validate(v, a, 0, "filter");
}

/* 1 when the message was replaced, 0 when the program failed, or a negative SIEVE_E_*. */
static int run_filter(sv_run *r, const sv_args *a)
{
    sv_program_call call;
    int rc = sv_program_call_get(r, a, 0, "filter", &call);
    if (rc)
        return rc;
    lm_buf in = LM_BUF_INIT, out = LM_BUF_INIT;
    if ((rc = sv_message_write(r, &in)) == 0)
        rc = sv_program_run(r, a, SIEVE_PROGRAM_FILTER, &call, (const unsigned char *)in.data,
                            in.len, &out);
    lm_buf_free(&in);
    if (rc == 1) {
        size_t len = 0; /* an empty output is an empty message */
        char *bytes = out.len ? lm_buf_take(&out, &len) : lm_malloc(1);
        if (!bytes)
            rc = SIEVE_E_NOMEM;
        else if ((rc = sv_result_rebuilt(r, (unsigned char *)bytes, len, a->pos)) == 0)
            rc = 1;
    }
    lm_buf_free(&out);
    return rc;
}

static int run_filter_command(sv_run *r, const sv_args *a)
{
    int rc = run_filter(r, a);
    if (rc == 0)
        return sv_run_error(r, a->pos, "filter: the program failed");
    return rc < 0 ? rc : 0;
}

static const uint8_t no_tags[] = {SV_TAG_COUNT_};

static const sv_cmd_def filter_commands[] = {
    {"filter", SV_KIND_COMMAND, SV_CTL_NONE, 2, {SV_T_STRING, SV_T_STRLIST | SV_T_OPTIONAL},
     no_tags, validate_filter, run_filter_command},
    {"filter", SV_KIND_TEST, SV_CTL_NONE, 2, {SV_T_STRING, SV_T_STRLIST | SV_T_OPTIONAL},
     no_tags, validate_filter, run_filter},
};
const sv_ext_def sv_ext_vnd_filter = {"vnd.dovecot.filter", filter_commands, 2};
