/* ext_duplicate.c — the duplicate test (RFC 7352): whether a message with the same unique id
 * (its Message-ID, a header field's value, or a string the script made) was seen before,
 * asked of the caller's sieve_callbacks.duplicate, which also keeps the record. */
#include "engine.h"

#include <string.h>

/* RFC 7352 §3.3 leaves the default period to the site: half a day, as Pigeonhole has it. */
#define SV_DUPLICATE_DEFAULT_SECONDS 43200u

static int first_value(sv_run *r, void *user, const mailparse_header *h)
{
    (void)r;
    *(const mailparse_header **)user = h;
    return 1;
}

static int run_duplicate(sv_run *r, const sv_args *a)
{
    if (!r->cb->duplicate)
        return 0; /* nothing to ask: never a duplicate, nothing recorded */
    const sv_value *handle = sv_args_tag(a, SV_TAG_DUP_HANDLE);
    const sv_value *header = sv_args_tag(a, SV_TAG_DUP_HEADER);
    const sv_value *uniqueid = sv_args_tag(a, SV_TAG_DUP_UNIQUEID);
    const sv_value *seconds = sv_args_tag(a, SV_TAG_DUP_SECONDS);
    sv_str h = {"", 0, {0, 0}, 0, 0}, id;
    int rc;
    if (handle && (rc = sv_run_string(r, &handle->strs[0], &h)))
        return rc;
    if (uniqueid) {
        if ((rc = sv_run_string(r, &uniqueid->strs[0], &id)))
            return rc;
    } else {
        sv_str name = {"message-id", 10, {0, 0}, 0, 0};
        if (header && (rc = sv_run_string(r, &header->strs[0], &name)))
            return rc;
        const mailparse_header *f = NULL;
        if ((rc = sv_fields_each(r, name.s, name.len, 1, 0, first_value, &f)) < 0)
            return rc;
        if (!f || !f->text || !f->text_len)
            return 0; /* RFC 7352 §3.2: no such field, no duplicate */
        id.s = f->text;
        id.len = f->text_len;
    }
    if (memchr(id.s, '\0', id.len) || memchr(h.s, '\0', h.len))
        return 0;
    uint64_t period = seconds ? seconds->number : SV_DUPLICATE_DEFAULT_SECONDS;
    int seen = r->cb->duplicate(r->cb->user, h.s, id.s, period, 0) > 0;
    /* Recorded when new; with :last (§3.4) also when seen, so the period runs from the last
     * time rather than the first. */
    if (!seen || sv_args_tag(a, SV_TAG_DUP_LAST))
        r->cb->duplicate(r->cb->user, h.s, id.s, period, 1);
    return seen;
}

static const uint8_t duplicate_tags[] = {SV_TAG_DUP_HANDLE, SV_TAG_DUP_HEADER,
                                         SV_TAG_DUP_UNIQUEID, SV_TAG_DUP_SECONDS,
                                         SV_TAG_DUP_LAST, SV_TAG_COUNT_};

static const sv_cmd_def duplicate_commands[] = {
    {"duplicate", SV_KIND_TEST, SV_CTL_NONE, 0, {0}, duplicate_tags, NULL, run_duplicate},
};
const sv_ext_def sv_ext_duplicate = {"duplicate", duplicate_commands, 1};
