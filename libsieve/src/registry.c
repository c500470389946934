/* registry.c — the extensions the library has, the tags their commands take, and the engine
 * that says which of them scripts may require (RFC 5228 §3.2 require, RFC 5804 §1.7 for the
 * capability string). */
#include "engine.h"

#include "lm_alloc.h"
#include "lm_record.h"
#include "lm_ascii.h"

#include <string.h>

const sv_tag_def sv_tags[SV_TAG_COUNT_] = {
    [SV_TAG_IS] = {"is", SV_T_NONE, SV_GROUP_MATCH, NULL},
    [SV_TAG_CONTAINS] = {"contains", SV_T_NONE, SV_GROUP_MATCH, NULL},
    [SV_TAG_MATCHES] = {"matches", SV_T_NONE, SV_GROUP_MATCH, NULL},
    [SV_TAG_REGEX] = {"regex", SV_T_NONE, SV_GROUP_MATCH, "regex"},
    [SV_TAG_VALUE] = {"value", SV_T_STRING, SV_GROUP_MATCH, "relational"},
    [SV_TAG_COUNT] = {"count", SV_T_STRING, SV_GROUP_MATCH, "relational"},
    [SV_TAG_LIST] = {"list", SV_T_NONE, SV_GROUP_MATCH, "extlists"},
    [SV_TAG_COMPARATOR] = {"comparator", SV_T_STRING, SV_GROUP_COMPARATOR, NULL},
    [SV_TAG_ALL] = {"all", SV_T_NONE, SV_GROUP_ADDRESS_PART, NULL},
    [SV_TAG_LOCALPART] = {"localpart", SV_T_NONE, SV_GROUP_ADDRESS_PART, NULL},
    [SV_TAG_DOMAIN] = {"domain", SV_T_NONE, SV_GROUP_ADDRESS_PART, NULL},
    [SV_TAG_USER] = {"user", SV_T_NONE, SV_GROUP_ADDRESS_PART, "subaddress"},
    [SV_TAG_DETAIL] = {"detail", SV_T_NONE, SV_GROUP_ADDRESS_PART, "subaddress"},
    [SV_TAG_INDEX] = {"index", SV_T_NUMBER, SV_GROUP_NONE, "index"},
    [SV_TAG_LAST] = {"last", SV_T_NONE, SV_GROUP_NONE, "index"},
    [SV_TAG_COPY] = {"copy", SV_T_NONE, SV_GROUP_NONE, "copy"},
    [SV_TAG_FLAGS] = {"flags", SV_T_STRLIST, SV_GROUP_NONE, "imap4flags"},
    [SV_TAG_CREATE] = {"create", SV_T_NONE, SV_GROUP_NONE, "mailbox"},
    [SV_TAG_SPECIALUSE] = {"specialuse", SV_T_STRING, SV_GROUP_NONE, "special-use"},
    [SV_TAG_OVER] = {"over", SV_T_NONE, SV_GROUP_SIZE, NULL},
    [SV_TAG_UNDER] = {"under", SV_T_NONE, SV_GROUP_SIZE, NULL},
    [SV_TAG_DAYS] = {"days", SV_T_NUMBER, SV_GROUP_PERIOD, NULL},
    [SV_TAG_VACATION_SECONDS] = {"seconds", SV_T_NUMBER, SV_GROUP_PERIOD, "vacation-seconds"},
    [SV_TAG_SUBJECT] = {"subject", SV_T_STRING, SV_GROUP_NONE, NULL},
    [SV_TAG_FROM] = {"from", SV_T_STRING, SV_GROUP_NONE, NULL},
    [SV_TAG_ADDRESSES] = {"addresses", SV_T_STRLIST, SV_GROUP_NONE, NULL},
    [SV_TAG_VACATION_MIME] = {"mime", SV_T_NONE, SV_GROUP_NONE, NULL},
    [SV_TAG_VACATION_HANDLE] = {"handle", SV_T_STRING, SV_GROUP_NONE, NULL},
    [SV_TAG_FCC] = {"fcc", SV_T_STRING, SV_GROUP_NONE, "fcc"},
    [SV_TAG_IMPORTANCE] = {"importance", SV_T_STRING, SV_GROUP_NONE, NULL},
    [SV_TAG_OPTIONS] = {"options", SV_T_STRLIST, SV_GROUP_NONE, NULL},
    [SV_TAG_MESSAGE] = {"message", SV_T_STRING, SV_GROUP_NONE, NULL},
    [SV_TAG_DSN_NOTIFY] = {"notify", SV_T_STRING, SV_GROUP_NONE, "redirect-dsn"},
    [SV_TAG_DSN_RET] = {"ret", SV_T_STRING, SV_GROUP_NONE, "redirect-dsn"},
    [SV_TAG_BYTIMERELATIVE] = {"bytimerelative", SV_T_NUMBER, SV_GROUP_BYTIME,
                               "redirect-deliverby"},
    [SV_TAG_BYTIMEABSOLUTE] = {"bytimeabsolute", SV_T_STRING, SV_GROUP_BYTIME,
                               "redirect-deliverby"},
    [SV_TAG_BYMODE] = {"bymode", SV_T_STRING, SV_GROUP_NONE, "redirect-deliverby"},
    [SV_TAG_BYTRACE] = {"bytrace", SV_T_NONE, SV_GROUP_NONE, "redirect-deliverby"},
    [SV_TAG_MOD_LOWER] = {"lower", SV_T_NONE, SV_GROUP_NONE, "variables"},
    [SV_TAG_MOD_UPPER] = {"upper", SV_T_NONE, SV_GROUP_NONE, "variables"},
    [SV_TAG_MOD_LOWERFIRST] = {"lowerfirst", SV_T_NONE, SV_GROUP_NONE, "variables"},
    [SV_TAG_MOD_UPPERFIRST] = {"upperfirst", SV_T_NONE, SV_GROUP_NONE, "variables"},
    [SV_TAG_MOD_QUOTEWILDCARD] = {"quotewildcard", SV_T_NONE, SV_GROUP_NONE, "variables"},
    [SV_TAG_MOD_QUOTEREGEX] = {"quoteregex", SV_T_NONE, SV_GROUP_NONE, "regex"},
    [SV_TAG_MOD_ENCODEURL] = {"encodeurl", SV_T_NONE, SV_GROUP_NONE, "enotify"},
    [SV_TAG_MOD_LENGTH] = {"length", SV_T_NONE, SV_GROUP_NONE, "variables"},
    [SV_TAG_MIME] = {"mime", SV_T_NONE, SV_GROUP_NONE, "mime"},
    [SV_TAG_ANYCHILD] = {"anychild", SV_T_NONE, SV_GROUP_NONE, "mime"},
    [SV_TAG_TYPE] = {"type", SV_T_NONE, SV_GROUP_MIMEOPT, "mime"},
    [SV_TAG_SUBTYPE] = {"subtype", SV_T_NONE, SV_GROUP_MIMEOPT, "mime"},
    [SV_TAG_CONTENTTYPE] = {"contenttype", SV_T_NONE, SV_GROUP_MIMEOPT, "mime"},
    [SV_TAG_PARAM] = {"param", SV_T_STRLIST, SV_GROUP_MIMEOPT, "mime"},
    [SV_TAG_NAME] = {"name", SV_T_STRING, SV_GROUP_NONE, "foreverypart"},
    [SV_TAG_FIRST] = {"first", SV_T_NUMBER, SV_GROUP_NONE, "extracttext"},
    [SV_TAG_PERSONAL] = {"personal", SV_T_NONE, SV_GROUP_LOCATION, "include"},
    [SV_TAG_GLOBAL] = {"global", SV_T_NONE, SV_GROUP_LOCATION, "include"},
    [SV_TAG_ONCE] = {"once", SV_T_NONE, SV_GROUP_NONE, "include"},
    [SV_TAG_OPTIONAL] = {"optional", SV_T_NONE, SV_GROUP_NONE, "include"},
    [SV_TAG_RAW] = {"raw", SV_T_NONE, SV_GROUP_BODY, "body"},
    [SV_TAG_CONTENT] = {"content", SV_T_STRLIST, SV_GROUP_BODY, "body"},
    [SV_TAG_TEXT] = {"text", SV_T_NONE, SV_GROUP_BODY, "body"},
    [SV_TAG_ZONE] = {"zone", SV_T_STRING, SV_GROUP_ZONE, "date"},
    [SV_TAG_ORIGINALZONE] = {"originalzone", SV_T_NONE, SV_GROUP_ZONE, "date"},
    [SV_TAG_PERCENT] = {"percent", SV_T_NONE, SV_GROUP_NONE, "spamtestplus"},
    [SV_TAG_DUP_HANDLE] = {"handle", SV_T_STRING, SV_GROUP_NONE, "duplicate"},
    [SV_TAG_DUP_HEADER] = {"header", SV_T_STRING, SV_GROUP_DUP_ID, "duplicate"},
    [SV_TAG_DUP_UNIQUEID] = {"uniqueid", SV_T_STRING, SV_GROUP_DUP_ID, "duplicate"},
    [SV_TAG_DUP_SECONDS] = {"seconds", SV_T_NUMBER, SV_GROUP_NONE, "duplicate"},
    [SV_TAG_DUP_LAST] = {"last", SV_T_NONE, SV_GROUP_NONE, "duplicate"},
    [SV_TAG_EDIT_INDEX] = {"index", SV_T_NUMBER, SV_GROUP_NONE, "editheader"},
    [SV_TAG_EDIT_LAST] = {"last", SV_T_NONE, SV_GROUP_NONE, "editheader"},
};

/* Extensions that add no command of their own: they allow a tag, a comparator, or a
 * behaviour of the compiler. */
static const sv_ext_def ext_named[] = {
    {"comparator-i;octet", NULL, 0},
    {"comparator-i;ascii-casemap", NULL, 0},
    {"comparator-i;ascii-numeric", NULL, 0},
    {"comparator-i;unicode-casemap", NULL, 0},
    {"relational", NULL, 0},
    {"regex", NULL, 0},
    {"subaddress", NULL, 0},
    {"copy", NULL, 0},
    {"encoded-character", NULL, 0},
};

const sv_ext_def *const sv_extensions[] = {
    &sv_ext_core, &sv_ext_fileinto, &sv_ext_envelope,
    &ext_named[0], &ext_named[1], &ext_named[2], &ext_named[3], &ext_named[4], &ext_named[5],
    &ext_named[6], &ext_named[7], &ext_named[8],
    &sv_ext_body, &sv_ext_date, &sv_ext_index, &sv_ext_editheader, &sv_ext_spamtest,
    &sv_ext_spamtestplus, &sv_ext_virustest, &sv_ext_duplicate,
    &sv_ext_include, &sv_ext_foreverypart, &sv_ext_mime, &sv_ext_extracttext,
    &sv_ext_variables, &sv_ext_reject, &sv_ext_ereject, &sv_ext_imap4flags, &sv_ext_mailbox,
    &sv_ext_ihave, &sv_ext_environment,
    &sv_ext_vacation, &sv_ext_vacation_seconds, &sv_ext_enotify, &sv_ext_fcc,
    &sv_ext_specialuse, &sv_ext_mboxmetadata, &sv_ext_servermetadata, &sv_ext_extlists,
    &sv_ext_envelope_dsn, &sv_ext_redirect_dsn, &sv_ext_envelope_deliverby,
    &sv_ext_redirect_deliverby, &sv_ext_convert,
};
const size_t sv_extension_count = sizeof sv_extensions / sizeof sv_extensions[0];

int sv_extension_implies(const sieve_engine *e, int x)
{
    static const struct {
        const char *ext, *implies;
    } implied[] = {{"spamtestplus", "spamtest"}};
    if (x < 0 || (size_t)x >= e->nexts)
        return -1;
    for (size_t i = 0; i < sizeof implied / sizeof implied[0]; i++)
        if (strcmp(e->exts[x]->name, implied[i].ext) == 0)
            return sv_find_extension(e, implied[i].implies, strlen(implied[i].implies));
    return -1;
}

int sv_find_extension(const sieve_engine *e, const char *name, size_t len)
{
    for (size_t i = 1; i < e->nexts; i++)
        if (e->exts[i]->name[0] == name[0] && !strncmp(e->exts[i]->name, name, len) &&
            e->exts[i]->name[len] == '\0')
            return (int)i;
    return -1;
}

const sv_cmd_def *sv_find_command(const sieve_engine *e, const char *name, size_t len, int kind,
                                  size_t *ext)
{
    for (size_t i = 0; i < e->nexts; i++)
        for (size_t k = 0; k < e->exts[i]->ncommands; k++) {
            const sv_cmd_def *d = &e->exts[i]->commands[k];
            if (d->kind == kind && lm_eq_nocase(name, len, d->name)) {
                if (ext)
                    *ext = i;
                return d;
            }
        }
    return NULL;
}

int sv_command_index(const sieve_engine *e, const sv_cmd_def *def)
{
    int n = 0;
    for (size_t i = 0; i < e->nexts; i++) {
        const sv_ext_def *x = e->exts[i];
        if (x->ncommands && def >= x->commands && def < x->commands + x->ncommands)
            return n + (int)(def - x->commands);
        n += (int)x->ncommands;
    }
    return -1;
}

const sv_cmd_def *sv_command_at(const sieve_engine *e, int index)
{
    if (index < 0)
        return NULL;
    size_t n = (size_t)index;
    for (size_t i = 0; i < e->nexts; i++) {
        if (n < e->exts[i]->ncommands)
            return &e->exts[i]->commands[n];
        n -= e->exts[i]->ncommands;
    }
    return NULL;
}

const sv_value *sv_args_tag(const sv_args *a, int t)
{
    for (size_t i = 0; i < a->ntags; i++)
        if (a->tag[i] == t)
            return &a->tag_value[i];
    return NULL;
}

void sieve_options_init(sieve_options *opts)
{
    if (!opts)
        return;
    memset(opts, 0, sizeof *opts);
    opts->struct_size = sizeof *opts;
}

_Static_assert(SV_TAG_COUNT_ <= SV_TAG_EXTRA, "tag ids of the library and of extra extensions overlap");

const sv_tag_def *sv_tag(const sieve_engine *e, int t)
{
    if (t >= 0 && t < SV_TAG_COUNT_)
        return &sv_tags[t];
    if (e && t >= SV_TAG_EXTRA && (size_t)(t - SV_TAG_EXTRA) < e->nxtags)
        return &e->xtags[t - SV_TAG_EXTRA];
    return NULL;
}

int sv_engine_new_with(const sieve_options *opts, const sv_ext_def *const *extra, size_t nextra,
                       const sv_tag_def *tags, size_t ntags, sieve_engine **out)
{
    if (!out || (!extra && nextra) || (!tags && ntags))
        return SIEVE_E_INVAL;
    if (ntags > 256 - SV_TAG_EXTRA)
        return SIEVE_E_LIMIT;
    *out = NULL;
    sieve_options o;
    sieve_options_init(&o);
    if (lm_record_in(&o, sizeof o, opts))
        return SIEVE_E_INVAL;
    if (sv_extension_count + nextra > SV_MAX_EXTENSIONS)
        return SIEVE_E_LIMIT;
    sieve_engine *e = lm_calloc(1, sizeof *e);
    if (!e)
        return SIEVE_E_NOMEM;
    for (size_t i = 0; i < sv_extension_count; i++)
        e->exts[e->nexts++] = sv_extensions[i];
    for (size_t i = 0; i < nextra; i++)
        e->exts[e->nexts++] = extra[i];
    e->xtags = tags;
    e->nxtags = ntags;
    e->enabled = e->nexts >= 64 ? ~0ull : (1ull << e->nexts) - 1;
    for (const char *p = o.disabled_extensions; p && *p;) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (!n)
            break;
        int i = sv_find_extension(e, p, n);
        if (i < 0) {
            lm_free(e);
            return SIEVE_E_INVAL;
        }
        e->enabled &= ~(1ull << i);
        p += n;
    }
    e->o = o;
    e->o.disabled_extensions = NULL; /* not kept: the caller's string */
    /* The capability string: the extensions a script may require, space-separated. */
    size_t len = 1;
    for (size_t i = 1; i < e->nexts; i++)
        if (e->enabled >> i & 1)
            len += strlen(e->exts[i]->name) + 1;
    if (!(e->capabilities = lm_calloc(1, len))) {
        lm_free(e);
        return SIEVE_E_NOMEM;
    }
    for (size_t i = 1; i < e->nexts; i++)
        if (e->enabled >> i & 1) {
            if (*e->capabilities)
                strcat(e->capabilities, " ");
            strcat(e->capabilities, e->exts[i]->name);
        }
    *out = e;
    return 0;
}

int sieve_engine_new(const sieve_options *opts, sieve_engine **out)
{
    return sv_engine_new_with(opts, NULL, 0, NULL, 0, out);
}

void sieve_engine_free(sieve_engine *e)
{
    if (!e)
        return;
    lm_free(e->capabilities);
    lm_free(e);
}

const char *sieve_engine_extensions(const sieve_engine *e)
{
    return e ? e->capabilities : "";
}
