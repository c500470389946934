/* ext_vnd_debug.c — vnd.dovecot.debug (Pigeonhole's vendor extension): the debug_log command,
 * which hands a message from the script to the caller's log (sieve_callbacks.debug_log). */
#include "engine.h"

static int run_debug_log(sv_run *r, const sv_args *a)
{
    sv_str text;
    int rc = sv_run_string(r, &a->positional[0].strs[0], &text);
    if (rc)
        return rc;
    if (r->cb->debug_log)
        r->cb->debug_log(r->cb->user, a->pos.line, text.s, text.len);
    return 0;
}

static const uint8_t no_tags[] = {SV_TAG_COUNT_};

static const sv_cmd_def debug_commands[] = {
    {"debug_log", SV_KIND_COMMAND, SV_CTL_NONE, 1, {SV_T_STRING}, no_tags, NULL, run_debug_log},
};
const sv_ext_def sv_ext_vnd_debug = {"vnd.dovecot.debug", debug_commands, 1};
