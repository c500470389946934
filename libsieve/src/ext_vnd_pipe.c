/* ext_vnd_pipe.c — vnd.dovecot.pipe (Pigeonhole's vendor extension):
 * `pipe [:copy] [:try] <program-name> [<arguments>]` — an action the caller performs after
 * the run (SIEVE_ACTION_PIPE): the message goes to the site's program. Grammar in sieve.h. */
#include "engine.h"

#include <stdio.h>
#include <string.h>

static int validate_pipe(sv_vctx *v, const sv_args *a)
{
    return sv_program_validate(v, a, 0, "pipe");
}

static int run_pipe(sv_run *r, const sv_args *a)
{
    sv_program_call call;
    int rc = sv_program_call_get(r, a, 0, "pipe", &call);
    if (rc)
        return rc;
    unsigned options = sv_args_tag(a, SV_TAG_COPY) ? SIEVE_ACTION_COPY : 0;
    if ((rc = sv_result_add(r, SIEVE_ACTION_PIPE, call.name, strlen(call.name), NULL, options,
                            a->pos)))
        return rc;
    char key[16], count[16];
    snprintf(count, sizeof count, "%zu", call.nargs);
    rc = sv_result_param(r, "nargs", count, strlen(count));
    for (size_t i = 0; !rc && i < call.nargs; i++) {
        snprintf(key, sizeof key, "arg%zu", i + 1);
        rc = sv_result_param(r, key, call.args[i], strlen(call.args[i]));
    }
    if (!rc && sv_args_tag(a, SV_TAG_PIPE_TRY))
        rc = sv_result_param(r, "try", "yes", 3);
    return rc;
}

static const uint8_t pipe_tags[] = {SV_TAG_COPY, SV_TAG_PIPE_TRY, SV_TAG_COUNT_};

static const sv_cmd_def pipe_commands[] = {
    {"pipe", SV_KIND_COMMAND, SV_CTL_NONE, 2, {SV_T_STRING, SV_T_STRLIST | SV_T_OPTIONAL},
     pipe_tags, validate_pipe, run_pipe},
};
const sv_ext_def sv_ext_vnd_pipe = {"vnd.dovecot.pipe", pipe_commands, 1};
