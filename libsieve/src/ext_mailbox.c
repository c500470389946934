/* ext_mailbox.c — the mailbox extension (RFC 5490 §3): the mailboxexists test, asked of the
 * caller's mailbox_exists callback. fileinto's :create (§3.2) is the fileinto command's own
 * (ext_core.c): its tag needs this extension, and the action carries SIEVE_ACTION_CREATE. */
#include "engine.h"

#include "lm_utf8.h"

#include <string.h>

int sv_mailbox_name_valid(const char *s, size_t n)
{
    return n > 0 && !memchr(s, '\0', n) && lm_utf8_valid(s, n);
}

/* True when every mailbox named exists; with no callback nothing is known to exist. */
static int run_mailboxexists(sv_run *r, const sv_args *a)
{
    if (!r->cb->mailbox_exists)
        return 0;
    const sv_value *names = &a->positional[0];
    for (size_t i = 0; i < names->count; i++) {
        sv_str name;
        int rc = sv_run_string(r, &names->strs[i], &name);
        if (rc)
            return rc;
        if (r->cb->mailbox_exists(r->cb->user, name.s) != 1)
            return 0;
    }
    return 1;
}

static const uint8_t no_tags[] = {SV_TAG_COUNT_};

static const sv_cmd_def mailbox_commands[] = {
    {"mailboxexists", SV_KIND_TEST, SV_CTL_NONE, 1, {SV_T_STRLIST}, no_tags, NULL,
     run_mailboxexists},
};
const sv_ext_def sv_ext_mailbox = {"mailbox", mailbox_commands, 1};
