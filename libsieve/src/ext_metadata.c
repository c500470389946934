/* ext_metadata.c — RFC 5490 §3 "mboxmetadata" (metadata, metadataexists) and §4
 * "servermetadata" (servermetadata, servermetadataexists): IMAP METADATA entries (RFC 5464)
 * read through the caller's metadata callback. An entry that is absent, or a name that is not
 * a valid entry name, gives no value: metadata does not match, the exists tests are false. */
#include "engine.h"

#include "lm_alloc.h"
#include "lm_utf8.h"

#include <string.h>

#define MAX_METADATA_VALUE (1u << 20)   /* octets of one entry's value that a test reads */

/* RFC 5464 §3.2: "/private/" or "/shared/" then names separated by single slashes, without
 * wildcards, controls or a trailing slash. */
static int entry_valid(const char *s, size_t n)
{
    size_t pre = n >= 9 && !memcmp(s, "/private/", 9) ? 9 : n >= 8 && !memcmp(s, "/shared/", 8) ? 8 : 0;
    if (!pre || n == pre || s[n - 1] == '/' || !lm_utf8_valid(s, n))
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < ' ' || c == 0x7f || c == '*' || c == '%' || (c == '/' && i + 1 < n && s[i + 1] == '/'))
            return 0;
    }
    return 1;
}

/* The value of `entry` (of `mailbox`, NULL: the server's) in the run's arena: 1 with *out
 * set, 0 when absent (or no callback), or SIEVE_E_NOMEM. Values longer than
 * MAX_METADATA_VALUE are cut there. */
static int entry_value(sv_run *r, const char *mailbox, const char *entry, sv_str *out)
{
    if (!r->cb->metadata)
        return 0;
    size_t size = 1024;
    for (int tries = 0; tries < 2; tries++) {
        char *buf = lm_arena_alloc(r->arena, size);
        if (!buf)
            return SIEVE_E_NOMEM;
        long n = r->cb->metadata(r->cb->user, mailbox, entry, buf, size);
        if (n < 0)
            return 0;
        if ((size_t)n < size || tries == 1 || size == MAX_METADATA_VALUE + 1) {
            size_t len = (size_t)n < size ? (size_t)n : size - 1;
            buf[len] = '\0';
            out->s = buf;
            out->len = len;
            return 1;
        }
        size = (size_t)n < MAX_METADATA_VALUE ? (size_t)n + 1 : MAX_METADATA_VALUE + 1;
    }
    return 0;
}

/* The mailbox argument (metadata tests), or NULL for the server's; *ok is 0 when the name
 * is not valid (the test is then false). */
static int mailbox_of(sv_run *r, const sv_args *a, int server, const char **mb, int *ok)
{
    *mb = NULL;
    *ok = 1;
    if (server)
        return 0;
    sv_str s;
    int rc = sv_run_string(r, &a->positional[0].strs[0], &s);
    if (rc)
        return rc;
    *ok = sv_mailbox_name_valid(s.s, s.len);
    *mb = s.s;
    return 0;
}

static int validate_mailbox(sv_vctx *v, const sv_args *a)
{
    const sv_str *s = &a->positional[0].strs[0];
    if (!sv_string_has_variables(s->s, s->len) && !sv_mailbox_name_valid(s->s, s->len))
        return sv_vctx_error(v, s->pos, "invalid mailbox name \"%s\"", s->s);
    return 0;
}

static int validate_metadata(sv_vctx *v, const sv_args *a)
{
    int rc = validate_mailbox(v, a);
    return rc ? rc : sv_check_matching(v, a, &a->positional[2]);
}

static int validate_servermetadata(sv_vctx *v, const sv_args *a)
{
    return sv_check_matching(v, a, &a->positional[1]);
}

/* metadata / servermetadata: the entry's value compared with the keys. */
static int run_compare(sv_run *r, const sv_args *a, int server)
{
    size_t k = server ? 0 : 1;
    const char *mb;
    int ok;
    sv_str entry, value;
    sv_matching mt;
    int rc = mailbox_of(r, a, server, &mb, &ok);
    if (!rc)
        rc = sv_run_string(r, &a->positional[k].strs[0], &entry);
    if (!rc)
        rc = sv_matching_init(r, a, &a->positional[k + 1], &mt);
    if (rc)
        return rc;
    int found = 0;
    if (ok && entry_valid(entry.s, entry.len)) {
        if ((rc = entry_value(r, mb, entry.s, &value)) < 0)
            return rc;
        if (rc == 1 && (found = sv_matching_value(r, &mt, value.s, value.len)) < 0)
            return found;
    }
    return sv_matching_end(&mt, found);
}

/* metadataexists / servermetadataexists: every entry named has a value. */
static int run_exists(sv_run *r, const sv_args *a, int server)
{
    const char *mb;
    int ok;
    int rc = mailbox_of(r, a, server, &mb, &ok);
    if (rc)
        return rc;
    if (!ok)
        return 0;
    const sv_value *names = &a->positional[server ? 0 : 1];
    for (size_t i = 0; i < names->count; i++) {
        sv_str entry, value;
        if ((rc = sv_run_string(r, &names->strs[i], &entry)))
            return rc;
        if (!entry_valid(entry.s, entry.len))
            return 0;
        if ((rc = entry_value(r, mb, entry.s, &value)) <= 0)
            return rc;
    }
    return 1;
}

static int run_metadata(sv_run *r, const sv_args *a) { return run_compare(r, a, 0); }
static int run_servermetadata(sv_run *r, const sv_args *a) { return run_compare(r, a, 1); }
static int run_metadataexists(sv_run *r, const sv_args *a) { return run_exists(r, a, 0); }
static int run_servermetadataexists(sv_run *r, const sv_args *a) { return run_exists(r, a, 1); }

static const uint8_t no_tags[] = {SV_TAG_COUNT_};
static const uint8_t compare_tags[] = {SV_TAG_IS, SV_TAG_CONTAINS, SV_TAG_MATCHES,
                                       SV_TAG_REGEX, SV_TAG_VALUE, SV_TAG_COUNT, SV_TAG_LIST,
                                       SV_TAG_COMPARATOR, SV_TAG_COUNT_};

static const sv_cmd_def mboxmetadata_commands[] = {
    {"metadata", SV_KIND_TEST, SV_CTL_NONE, 3, {SV_T_STRING, SV_T_STRING, SV_T_STRLIST},
     compare_tags, validate_metadata, run_metadata},
    {"metadataexists", SV_KIND_TEST, SV_CTL_NONE, 2, {SV_T_STRING, SV_T_STRLIST}, no_tags,
     validate_mailbox, run_metadataexists},
};
const sv_ext_def sv_ext_mboxmetadata = {"mboxmetadata", mboxmetadata_commands, 2};

static const sv_cmd_def servermetadata_commands[] = {
    {"servermetadata", SV_KIND_TEST, SV_CTL_NONE, 2, {SV_T_STRING, SV_T_STRLIST}, compare_tags,
     validate_servermetadata, run_servermetadata},
    {"servermetadataexists", SV_KIND_TEST, SV_CTL_NONE, 1, {SV_T_STRLIST}, no_tags, NULL,
     run_servermetadataexists},
};
const sv_ext_def sv_ext_servermetadata = {"servermetadata", servermetadata_commands, 2};
