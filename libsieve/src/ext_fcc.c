/* ext_fcc.c — RFC 8580 "fcc": a copy of what vacation or notify sends, filed into a mailbox
 * (§4), with the :flags (imap4flags), :create (mailbox) and :specialuse (special-use) options
 * of fileinto. The extension has no command of its own; the actions that take :fcc call the
 * helpers below. */
#include "engine.h"

#include "lm_buf.h"
#include "lm_utf8.h"

#include <string.h>

/* RFC 8580 §4: :flags, :create and :specialuse (and RFC 9042's :mailboxid) go with :fcc only. A constant mailbox name
 * must be non-empty UTF-8. */
int sv_fcc_validate(sv_vctx *v, const sv_args *a)
{
    static const int needs_fcc[] = {SV_TAG_FLAGS, SV_TAG_CREATE, SV_TAG_SPECIALUSE,
                                    SV_TAG_MAILBOXID};
    const sv_value *fcc = sv_args_tag(a, SV_TAG_FCC);
    if (!fcc) {
        for (size_t i = 0; i < sizeof needs_fcc / sizeof needs_fcc[0]; i++)
            if (sv_args_tag(a, needs_fcc[i]))
                return sv_vctx_error(v, a->pos, "\":%s\" of \"%s\" needs \":fcc\"",
                                     sv_tags[needs_fcc[i]].name, a->def->name);
        return 0;
    }
    const sv_str *s = &fcc->strs[0];
    if (!sv_string_has_variables(s->s, s->len) && (s->len == 0 || memchr(s->s, '\0', s->len) ||
                                                   !lm_utf8_valid(s->s, s->len)))
        return sv_vctx_error(v, s->pos, "invalid :fcc mailbox name \"%s\"", s->s);
    return sv_mailboxid_validate(v, a);
}

int sv_fcc_params(sv_run *r, const sv_args *a)
{
    const sv_value *fcc = sv_args_tag(a, SV_TAG_FCC);
    if (!fcc)
        return 0;
    sv_str s;
    int rc = sv_run_string(r, &fcc->strs[0], &s);
    if (rc)
        return rc;
    if (!s.len || !lm_utf8_valid(s.s, s.len))
        return sv_run_error(r, a->pos, "invalid :fcc mailbox name \"%s\"", s.s);
    if ((rc = sv_result_param(r, "fcc", s.s, s.len)))
        return rc;
    const sv_value *flags = sv_args_tag(a, SV_TAG_FLAGS);
    if (flags) {
        lm_buf b = LM_BUF_INIT;
        for (size_t i = 0; !rc && i < flags->count; i++) {
            if (!(rc = sv_run_string(r, &flags->strs[i], &s)) && s.len) {
                if (b.len)
                    lm_buf_putc(&b, ' ');
                lm_buf_append(&b, s.s, s.len);
            }
        }
        if (!rc && b.oom)
            rc = SIEVE_E_NOMEM;
        if (!rc)
            rc = sv_result_param(r, "fcc_flags", b.data ? b.data : "", b.len);
        lm_buf_free(&b);
        if (rc)
            return rc;
    }
    const sv_value *use = sv_args_tag(a, SV_TAG_SPECIALUSE);
    if (use) {
        if ((rc = sv_run_string(r, &use->strs[0], &s)) ||
            (rc = sv_result_param(r, "fcc_specialuse", s.s, s.len)))
            return rc;
    }
    if (sv_args_tag(a, SV_TAG_CREATE) && (rc = sv_result_param(r, "fcc_create", "yes", 3)))
        return rc;
    return sv_mailboxid_param(r, a, "fcc_mailboxid"); /* RFC 9042 §4.3 */
}

const sv_ext_def sv_ext_fcc = {"fcc", NULL, 0};
