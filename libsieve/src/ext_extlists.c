/* ext_extlists.c — RFC 6134 externally stored lists: membership for the :list match type
 * (§2.3; the shared matching in ext_core.c calls sv_list_contains), the valid_ext_list test
 * (§2.5), and the list names themselves (§2.1: URIs, checked when constant). redirect :list
 * (§2.6) is in ext_core.c's redirect. Lists live with the caller: list_contains. */
#include "engine.h"

#include "lm_ascii.h"
#include "lm_utf8.h"

#include <string.h>

/* RFC 6134 §2.1: a list name is an absolute URI ("scheme:…"); ":addrbook:default" style
 * names (a leading colon, the "tag:" shorthand of §2.1) are accepted too. */
int sv_list_name_valid(const char *s, size_t n)
{
    if (!n || !lm_utf8_valid(s, n))
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
            return 0;
    if (s[0] == ':')
        return n > 1;
    if (!lm_is_alpha((unsigned char)s[0]))
        return 0;
    for (size_t i = 1; i < n; i++) {
        int c = (unsigned char)s[i];
        if (c == ':')
            return i + 1 < n;
        if (!lm_is_alnum(c) && c != '+' && c != '-' && c != '.')
            return 0;
    }
    return 0;
}

int sv_list_contains(sv_run *r, const char *list, const char *value)
{
    if (!r->cb->list_contains || !sv_list_name_valid(list, strlen(list)))
        return -1;
    int rc = r->cb->list_contains(r->cb->user, list, value);
    return rc < 0 ? -1 : rc > 0;
}

/* Constant list names in `keys` must be valid (the :list keys, redirect :list). */
int sv_list_names_validate(sv_vctx *v, const sv_value *keys)
{
    for (size_t i = 0; i < keys->count; i++) {
        const sv_str *s = &keys->strs[i];
        if (!sv_string_has_variables(s->s, s->len) && !sv_list_name_valid(s->s, s->len))
            return sv_vctx_error(v, s->pos, "invalid list name \"%s\"", s->s);
    }
    return 0;
}

static int run_valid_ext_list(sv_run *r, const sv_args *a)
{
    const sv_value *names = &a->positional[0];
    for (size_t i = 0; i < names->count; i++) {
        sv_str s;
        int rc = sv_run_string(r, &names->strs[i], &s);
        if (rc)
            return rc;
        if (sv_list_contains(r, s.s, NULL) < 0)
            return 0;
    }
    return 1;
}

static const uint8_t no_tags[] = {SV_TAG_COUNT_};

static const sv_cmd_def extlists_commands[] = {
    /* An invalid name makes the test false, not the script wrong (§2.5). */
    {"valid_ext_list", SV_KIND_TEST, SV_CTL_NONE, 1, {SV_T_STRLIST}, no_tags, NULL,
     run_valid_ext_list},
};
const sv_ext_def sv_ext_extlists = {"extlists", extlists_commands, 1};
