/* ext_specialuse.c — RFC 8579 "special-use": the specialuse_exists test (§3) through the
 * caller's specialuse_exists callback, and fileinto :specialuse (§4), which the caller
 * resolves to the mailbox with that use (or the named one when there is none). */
#include "engine.h"

#include "lm_ascii.h"

#include <string.h>

/* RFC 6154 §2 / RFC 3501 flag-extension: "\" then an atom (no controls, spaces, specials). */
static int use_valid(const char *s, size_t n)
{
    if (n < 2 || s[0] != '\\')
        return 0;
    for (size_t i = 1; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= ' ' || c >= 0x7f || strchr("(){%*\"\\]", c))
            return 0;
    }
    return 1;
}

int sv_specialuse_validate(sv_vctx *v, const sv_args *a)
{
    return sv_vctx_check_tag(v, a, SV_TAG_SPECIALUSE, use_valid, "special-use flag");
}

int sv_specialuse_param(sv_run *r, const sv_args *a)
{
    sv_str s;
    int rc = sv_run_tag_string(r, a, SV_TAG_SPECIALUSE, &s);
    if (rc || !s.s)
        return rc;
    if (!use_valid(s.s, s.len))
        return sv_run_error(r, a->pos, "invalid special-use flag \"%s\"", s.s);
    return sv_result_param(r, "specialuse", s.s, s.len);
}

static int validate_specialuse_exists(sv_vctx *v, const sv_args *a)
{
    const sv_value *mb = &a->positional[0], *uses = &a->positional[1];
    if (mb->type != SV_T_NONE) {
        /* Not an error: the test is false then (§3). */
        lm_buf buf = LM_BUF_INIT;
        const char *text;
        size_t len;
        int rc = sv_vctx_constant(v, &mb->strs[0], &buf, &text, &len);
        if (rc > 0 && !sv_mailbox_name_valid(text, len))
            rc = sv_vctx_warning(v, mb->strs[0].pos, "specialuse_exists: invalid mailbox name "
                                 "\"%s\": the test is false", mb->strs[0].s);
        lm_buf_free(&buf);
        if (rc < 0)
            return rc;
    }
    for (size_t i = 0; i < uses->count; i++) {
        const sv_str *s = &uses->strs[i];
        if (!sv_string_has_variables(s->s, s->len) && !use_valid(s->s, s->len))
            return sv_vctx_error(v, s->pos, "invalid special-use flag \"%s\"", s->s);
    }
    return 0;
}

/* True when every use is carried (by the mailbox, or by any mailbox when none is named). A
 * name or flag that is not valid at run time makes the test false (§3). */
static int run_specialuse_exists(sv_run *r, const sv_args *a)
{
    const sv_value *mbv = &a->positional[0], *uses = &a->positional[1];
    const char *mailbox = NULL;
    sv_str s;
    int rc;
    if (mbv->type != SV_T_NONE) {
        if ((rc = sv_run_string(r, &mbv->strs[0], &s)))
            return rc;
        if (!sv_mailbox_name_valid(s.s, s.len))
            return 0;
        mailbox = s.s;
    }
    if (!r->cb->specialuse_exists)
        return 0;
    for (size_t i = 0; i < uses->count; i++) {
        if ((rc = sv_run_string(r, &uses->strs[i], &s)))
            return rc;
        if (!use_valid(s.s, s.len) || r->cb->specialuse_exists(r->cb->user, mailbox, s.s) <= 0)
            return 0;
    }
    return 1;
}

static const uint8_t no_tags[] = {SV_TAG_COUNT_};

static const sv_cmd_def specialuse_commands[] = {
    {"specialuse_exists", SV_KIND_TEST, SV_CTL_NONE, 2, {SV_T_STRING | SV_T_OPTIONAL, SV_T_STRLIST},
     no_tags, validate_specialuse_exists, run_specialuse_exists},
};
const sv_ext_def sv_ext_specialuse = {"special-use", specialuse_commands, 1};
