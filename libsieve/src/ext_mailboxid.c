/* ext_mailboxid.c — RFC 9042 "mailboxid": fileinto :mailboxid (§4.1) and :fcc's :mailboxid
 * (§4.3, RFC 8580), which the caller resolves to the mailbox with that id when there is one
 * (else the name given is used), and the mailboxidexists test (§4.4) through the caller's
 * mailboxid_exists callback. */
#include "engine.h"

#include <string.h>

/* RFC 8474 §4: objectid = 1*255(ALPHA / DIGIT / "_" / "-"). */
static int objectid_valid(const char *s, size_t n)
{
    if (n < 1 || n > 255)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

int sv_mailboxid_validate(sv_vctx *v, const sv_args *a)
{
    return sv_vctx_check_tag(v, a, SV_TAG_MAILBOXID, objectid_valid, "mailbox id");
}

int sv_mailboxid_param(sv_run *r, const sv_args *a, const char *param)
{
    sv_str s;
    int rc = sv_run_tag_string(r, a, SV_TAG_MAILBOXID, &s);
    /* §4.1: an id that cannot name a mailbox names none; the mailbox name is used. */
    if (rc || !s.s || !objectid_valid(s.s, s.len))
        return rc;
    return sv_result_param(r, param, s.s, s.len);
}

/* §4.4: true when every id names a mailbox the user may deliver to. */
static int run_mailboxidexists(sv_run *r, const sv_args *a)
{
    const sv_value *ids = &a->positional[0];
    if (!r->cb->mailboxid_exists)
        return 0;
    for (size_t i = 0; i < ids->count; i++) {
        sv_str s;
        int rc = sv_run_string(r, &ids->strs[i], &s);
        if (rc)
            return rc;
        if (!objectid_valid(s.s, s.len) || r->cb->mailboxid_exists(r->cb->user, s.s) != 1)
            return 0;
    }
    return 1;
}

static int validate_mailboxidexists(sv_vctx *v, const sv_args *a)
{
    const sv_value *ids = &a->positional[0];
    for (size_t i = 0; i < ids->count; i++) {
        const sv_str *s = &ids->strs[i];
        if (!sv_string_has_variables(s->s, s->len) && !objectid_valid(s->s, s->len))
            return sv_vctx_error(v, s->pos, "invalid mailbox id \"%s\"", s->s);
    }
    return 0;
}

static const uint8_t no_tags[] = {SV_TAG_COUNT_};

static const sv_cmd_def mailboxid_commands[] = {
    {"mailboxidexists", SV_KIND_TEST, SV_CTL_NONE, 1, {SV_T_STRLIST}, no_tags,
     validate_mailboxidexists, run_mailboxidexists},
};
const sv_ext_def sv_ext_mailboxid = {"mailboxid", mailboxid_commands, 1};
