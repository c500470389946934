/* ext_reject.c — reject and ereject (RFC 5429): refusing the message with a reason, and the
 * actions a refusal cannot go with (§2.1, §2.2). */
#include "engine.h"

static int is_refusal(int type)
{
    return type == SIEVE_ACTION_REJECT || type == SIEVE_ACTION_EREJECT;
}

/* The actions that deliver or answer the message, which a refusal excludes (RFC 5429 §2.1:
 * keep, fileinto, redirect and vacation). A :copy changes nothing here: the message is
 * still delivered or sent on. */
static int excluded_by_refusal(int type)
{
    return type == SIEVE_ACTION_KEEP || type == SIEVE_ACTION_FILEINTO ||
           type == SIEVE_ACTION_REDIRECT || type == SIEVE_ACTION_VACATION;
}

int sv_reject_conflict(sv_run *r, int type, sv_pos pos)
{
    int refusal = is_refusal(type);
    if (!refusal && !excluded_by_refusal(type))
        return 0;
    const sieve_result *res = r->result;
    for (size_t i = 0; i < res->count; i++) {
        int other = res->actions[i].type;
        if (res->actions[i].performed) {
            if (refusal && is_refusal(other))
                return 1; /* refused already: once is enough */
            continue;
        }
        if (refusal && is_refusal(other))
            return sv_run_error(r, pos, "%s: the message was already refused by %s (line %u); a "
                                "script may refuse it only once", sieve_action_name(type),
                                sieve_action_name(other), res->actions[i].pos.line);
        if ((refusal && excluded_by_refusal(other)) || (!refusal && is_refusal(other)))
            return sv_run_error(r, pos, "%s conflicts with the %s action (line %u): a refused "
                                "message cannot also be delivered or answered",
                                sieve_action_name(type), sieve_action_name(other),
                                res->actions[i].pos.line);
    }
    return 0;
}

static int run_refusal(sv_run *r, const sv_args *a, int type)
{
    sv_str reason;
    int rc = sv_run_string(r, &a->positional[0].strs[0], &reason);
    return rc ? rc : sv_result_add(r, type, reason.s, reason.len, NULL, 0, a->pos);
}

static int run_reject(sv_run *r, const sv_args *a)
{
    return run_refusal(r, a, SIEVE_ACTION_REJECT);
}

static int run_ereject(sv_run *r, const sv_args *a)
{
    return run_refusal(r, a, SIEVE_ACTION_EREJECT);
}

static const uint8_t no_tags[] = {SV_TAG_COUNT_};

static const sv_cmd_def reject_commands[] = {
    {"reject", SV_KIND_COMMAND, SV_CTL_NONE, 1, {SV_T_STRING}, no_tags, NULL, run_reject},
};
const sv_ext_def sv_ext_reject = {"reject", reject_commands, 1};

static const sv_cmd_def ereject_commands[] = {
    {"ereject", SV_KIND_COMMAND, SV_CTL_NONE, 1, {SV_T_STRING}, no_tags, NULL, run_ereject},
};
const sv_ext_def sv_ext_ereject = {"ereject", ereject_commands, 1};
