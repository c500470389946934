/* registry.c — the extensions the library has, the tags their commands take, and the engine
 * that says which of them scripts may require (RFC 5228 §3.2 require, RFC 5804 §1.7 for the
 * capability string). */
#include "engine.h"
#include "expr.h"

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
    [SV_TAG_HEADERS] = {"headers", SV_T_STRLIST, SV_GROUP_NONE, "enclose"},
    [SV_TAG_MAILBOXID] = {"mailboxid", SV_T_STRING, SV_GROUP_NONE, "mailboxid"},
    [SV_TAG_ENVELOPE_ZONE] = {"zone", SV_T_STRING, SV_GROUP_NONE, "envelope-deliverby"},
    [SV_TAG_QUERY_SET] = {"set", SV_T_STRING, SV_GROUP_NONE, "vnd.libmail.query"},
    [SV_TAG_LOCAL] = {"local", SV_T_NONE, SV_GROUP_NONE, "vnd.stalwart.expressions"},
    [SV_TAG_ADDR_NAME] = {"name", SV_T_NONE, SV_GROUP_ADDRESS_PART, "vnd.stalwart.expressions"},
    [SV_TAG_BODY_SUBJECT] = {"subject", SV_T_NONE, SV_GROUP_NONE, "vnd.stalwart.expressions"},
    [SV_TAG_HEADERS_ONLY] = {"headers_only", SV_T_NONE, SV_GROUP_NONE, "vnd.dovecot.report"},
    [SV_TAG_PIPE_TRY] = {"try", SV_T_NONE, SV_GROUP_NONE, "vnd.dovecot.pipe"},
    [SV_TAG_EXEC_INPUT] = {"input", SV_T_STRING, SV_GROUP_EXEC_INPUT, "vnd.dovecot.execute"},
    [SV_TAG_EXEC_PIPE] = {"pipe", SV_T_NONE, SV_GROUP_EXEC_INPUT, "vnd.dovecot.execute"},
    [SV_TAG_EXEC_OUTPUT] = {"output", SV_T_STRING, SV_GROUP_NONE, "vnd.dovecot.execute"},
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
    &sv_ext_include, &sv_ext_while, &sv_ext_foreverypart, &sv_ext_mime, &sv_ext_extracttext,
    &sv_ext_variables, &sv_ext_reject, &sv_ext_ereject, &sv_ext_imap4flags, &sv_ext_mailbox,
    &sv_ext_ihave, &sv_ext_environment,
    &sv_ext_vacation, &sv_ext_vacation_seconds, &sv_ext_enotify, &sv_ext_fcc,
    &sv_ext_specialuse, &sv_ext_mboxmetadata, &sv_ext_servermetadata, &sv_ext_extlists,
    &sv_ext_envelope_dsn, &sv_ext_redirect_dsn, &sv_ext_envelope_deliverby,
    &sv_ext_redirect_deliverby, &sv_ext_convert, &sv_ext_replace, &sv_ext_enclose,
    &sv_ext_mailboxid, &sv_ext_expressions, &sv_ext_query, &sv_ext_vnd_debug,
    &sv_ext_vnd_environment, &sv_ext_vnd_report, &sv_ext_vnd_pipe, &sv_ext_vnd_filter,
    &sv_ext_vnd_execute,
};
const size_t sv_extension_count = sizeof sv_extensions / sizeof sv_extensions[0];

/* The extensions none of whose commands reads the decoded bodies of the message (part bodies
 * and text): a run of a script that requires only these leaves the bodies undecoded. One not
 * listed is assumed to read them, which is always safe. */
static const sv_ext_def *const header_only[] = {
    &sv_ext_core, &sv_ext_fileinto, &sv_ext_envelope,
    &ext_named[0], &ext_named[1], &ext_named[2], &ext_named[3], &ext_named[4], &ext_named[5],
    &ext_named[6], &ext_named[7], &ext_named[8],
    &sv_ext_date, &sv_ext_index, &sv_ext_editheader, &sv_ext_spamtest, &sv_ext_spamtestplus,
    &sv_ext_virustest, &sv_ext_duplicate, &sv_ext_include, &sv_ext_variables, &sv_ext_reject,
    &sv_ext_ereject, &sv_ext_imap4flags, &sv_ext_mailbox, &sv_ext_environment,
    &sv_ext_vacation, &sv_ext_vacation_seconds, &sv_ext_enotify, &sv_ext_fcc,
    &sv_ext_specialuse, &sv_ext_mboxmetadata, &sv_ext_servermetadata, &sv_ext_extlists,
    &sv_ext_envelope_dsn, &sv_ext_redirect_dsn, &sv_ext_envelope_deliverby,
    &sv_ext_redirect_deliverby, &sv_ext_vnd_debug, &sv_ext_vnd_environment,
    &sv_ext_vnd_report,
};

static int is_header_only(const sv_ext_def *x)
{
    for (size_t i = 0; i < sizeof header_only / sizeof header_only[0]; i++)
        if (header_only[i] == x)
            return 1;
    return 0;
}

int sv_extension_implies(const sieve_engine *e, int x)
{
    static const struct {
        const char *ext, *implies;
    } implied[] = {{"spamtestplus", "spamtest"}, {"vacation-seconds", "vacation"},
                   {"vnd.dovecot.environment", "environment"}};
    if (x < 0 || (size_t)x >= e->nexts)
        return -1;
    for (size_t i = 0; i < sizeof implied / sizeof implied[0]; i++)
        if (strcmp(e->exts[x]->name, implied[i].ext) == 0)
            return sv_find_extension(e, implied[i].implies, strlen(implied[i].implies));
    return -1;
}

int sv_extension_needs(const sieve_engine *e, int x)
{
    static const struct {
        const char *ext, *needs;
    } needed[] = {{"extracttext", "foreverypart"}};
    if (x < 0 || (size_t)x >= e->nexts)
        return -1;
    for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++)
        if (strcmp(e->exts[x]->name, needed[i].ext) == 0)
            return sv_find_extension(e, needed[i].needs, strlen(needed[i].needs));
    return -1;
}


/* The names an engine looks up while compiling, each table with open addressing over the
 * distinct names (ASCII case ignored): a slot holds the first entry of its name, the others of
 * that name chained after it in the order they were added. */
typedef struct name_entry {
    const char *name;
    size_t len;
    uint32_t value;            /* commands: extension << 16 | command; tags: the tag id */
    uint32_t next;             /* the next entry of the same name + 1; 0: none */
} name_entry;

typedef struct name_table {
    size_t mask;               /* slots - 1, a power of two at least twice the entries */
    uint32_t *slots;           /* the first entry of a name + 1; 0: an empty slot */
    name_entry *entries;
    uint32_t count;
} name_table;

struct sv_names {
    name_table commands, tags;
};

static int table_init(name_table *t, size_t n)
{
    size_t nslots = 16;
    while (nslots < 2 * n)
        nslots *= 2;
    t->mask = nslots - 1;
    t->count = 0;
    t->slots = lm_calloc(nslots, sizeof *t->slots);
    t->entries = lm_calloc(n ? n : 1, sizeof *t->entries);
    return t->slots && t->entries ? 0 : SIEVE_E_NOMEM;
}

static int same_name(const name_entry *x, const char *name, size_t len)
{
    /* Scripts mostly write names as they are defined: the exact octets first. */
    return x->len == len &&
           (memcmp(x->name, name, len) == 0 || lm_strncasecmp(x->name, name, len) == 0);
}

/* The first entry named `name`, or NULL. */
static const name_entry *table_find(const name_table *t, const char *name, size_t len)
{
    for (size_t j = sv_hash_nocase(name, len) & t->mask; t->slots[j]; j = (j + 1) & t->mask) {
        const name_entry *x = &t->entries[t->slots[j] - 1];
        if (same_name(x, name, len))
            return x;
    }
    return NULL;
}

static const name_entry *table_next(const name_table *t, const name_entry *x)
{
    return x->next ? &t->entries[x->next - 1] : NULL;
}

/* Adds an entry (table_init made room for it). */
static void table_add(name_table *t, const char *name, uint32_t value)
{
    size_t len = strlen(name), j = sv_hash_nocase(name, len) & t->mask;
    uint32_t at = t->count++;
    t->entries[at] = (name_entry){name, len, value, 0};
    while (t->slots[j] && !same_name(&t->entries[t->slots[j] - 1], name, len))
        j = (j + 1) & t->mask;
    if (!t->slots[j]) {
        t->slots[j] = at + 1;
        return;
    }
    name_entry *x = &t->entries[t->slots[j] - 1];
    while (x->next)
        x = &t->entries[x->next - 1];
    x->next = at + 1;
}

static void names_free(struct sv_names *n)
{
    if (n) {
        lm_free(n->commands.slots);
        lm_free(n->commands.entries);
        lm_free(n->tags.slots);
        lm_free(n->tags.entries);
        lm_free(n);
    }
}

/* The engine's commands, extension by extension, and its tags in id order. */
static int names_new(const sieve_engine *e, struct sv_names **out)
{
    size_t ncommands = 0, ntags = SV_TAG_COUNT_ + e->nxtags;
    for (size_t i = 0; i < e->nexts; i++)
        ncommands += e->exts[i]->ncommands;
    struct sv_names *n = lm_calloc(1, sizeof *n);
    if (!n || table_init(&n->commands, ncommands) || table_init(&n->tags, ntags)) {
        names_free(n);
        return SIEVE_E_NOMEM;
    }
    for (size_t i = 0; i < e->nexts; i++)
        for (size_t k = 0; k < e->exts[i]->ncommands; k++)
            table_add(&n->commands, e->exts[i]->commands[k].name, (uint32_t)(i << 16 | k));
    for (int t = 0; t < SV_TAG_COUNT_; t++)
        table_add(&n->tags, sv_tags[t].name, (uint32_t)t);
    for (size_t t = 0; t < e->nxtags; t++)
        table_add(&n->tags, e->xtags[t].name, (uint32_t)(SV_TAG_EXTRA + t));
    *out = n;
    return 0;
}

int sv_find_extension(const sieve_engine *e, const char *name, size_t len)
{
    for (size_t i = 1; i < e->nexts; i++)
        if (e->exts[i]->name[0] == name[0] && !strncmp(e->exts[i]->name, name, len) &&
            e->exts[i]->name[len] == '\0')
            return (int)i;
    return -1;
}

/* The first command named `name` of kind `kind` among the extensions in `among` (bit i). */
static const sv_cmd_def *find_command(const sieve_engine *e, const char *name, size_t len,
                                      int kind, uint64_t among, size_t *ext)
{
    const name_table *t = &e->names->commands;
    for (const name_entry *x = table_find(t, name, len); x; x = table_next(t, x)) {
        size_t i = x->value >> 16;
        const sv_cmd_def *d = &e->exts[i]->commands[x->value & 0xffff];
        if (d->kind == kind && (among >> i & 1)) {
            if (ext)
                *ext = i;
            return d;
        }
    }
    return NULL;
}

static int takes_tag(const sv_cmd_def *def, int tag)
{
    for (const uint8_t *t = def ? def->tags : NULL; t && *t != SV_TAG_COUNT_; t++)
        if (*t == tag)
            return 1;
    return 0;
}

int sv_tag_by_name(const sieve_engine *e, const char *name, size_t len, const sv_cmd_def *def)
{
    const name_table *t = &e->names->tags;
    const name_entry *first = table_find(t, name, len);
    for (const name_entry *x = first; x; x = table_next(t, x))
        if (takes_tag(def, (int)x->value))
            return (int)x->value;
    return first ? (int)first->value : -1;
}

const sv_cmd_def *sv_find_command(const sieve_engine *e, const char *name, size_t len, int kind,
                                  size_t *ext)
{
    return find_command(e, name, len, kind, ~0ull, ext);
}

const sv_cmd_def *sv_find_command_in(const sieve_engine *e, const char *name, size_t len,
                                     int kind, uint64_t required, size_t *ext)
{
    const sv_cmd_def *d = find_command(e, name, len, kind, required | 1, ext);
    return d ? d : find_command(e, name, len, kind, ~0ull, ext);
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

/* vnd.stalwart.expressions: the host's functions, copied into one block (records, then the
 * names). 0, SIEVE_E_INVAL (a bad name, a built-in's name, too many arguments) or
 * SIEVE_E_NOMEM. */
static int copy_functions(sieve_engine *e, const sieve_options *o)
{
    e->o.functions = NULL;
    e->o.nfunctions = 0;
    if (!o->nfunctions)
        return 0;
    if (!o->functions || o->nfunctions > 1024)
        return SIEVE_E_INVAL;
    size_t size = o->nfunctions * sizeof *e->functions;
    for (size_t i = 0; i < o->nfunctions; i++) {
        const char *name = o->functions[i].name;
        size_t n = name ? strlen(name) : 0;
        unsigned args;
        if (!n || n > 64 || o->functions[i].args > 16 || sv_expr_func_find(name, n, &args) >= 0 ||
            !(lm_is_alpha((unsigned char)name[0]) || name[0] == '_'))
            return SIEVE_E_INVAL;
        for (size_t k = 0; k < n; k++)
            if (!lm_is_alnum((unsigned char)name[k]) && name[k] != '_')
                return SIEVE_E_INVAL;
        size += n + 1;
    }
    char *block = lm_malloc(size);
    if (!block)
        return SIEVE_E_NOMEM;
    e->functions = (sieve_function *)(void *)block;
    char *names = block + o->nfunctions * sizeof *e->functions;
    for (size_t i = 0; i < o->nfunctions; i++) {
        size_t n = strlen(o->functions[i].name) + 1;
        memcpy(names, o->functions[i].name, n);
        e->functions[i] = (sieve_function){names, o->functions[i].args};
        names += n;
    }
    e->nfunctions = o->nfunctions;
    e->o.functions = e->functions;
    e->o.nfunctions = e->nfunctions;
    return 0;
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
    for (size_t i = 0; i < e->nexts; i++)
        e->header_only |= (uint64_t)is_header_only(e->exts[i]) << i;
    e->xtags = tags;
    e->nxtags = ntags;
    int rc = names_new(e, &e->names);
    if (rc) {
        lm_free(e);
        return rc;
    }
    e->enabled = e->nexts >= 64 ? ~0ull : (1ull << e->nexts) - 1;
    for (const char *p = o.disabled_extensions; p && *p;) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (!n)
            break;
        int i = sv_find_extension(e, p, n);
        if (i < 0) {
            sieve_engine_free(e);
            return SIEVE_E_INVAL;
        }
        e->enabled &= ~(1ull << i);
        p += n;
    }
    e->o = o;
    e->o.disabled_extensions = NULL; /* not kept: the caller's string */
    if ((rc = copy_functions(e, &o))) {
        sieve_engine_free(e);
        return rc;
    }
    /* The capability string: the extensions a script may require, space-separated. */
    size_t len = 1;
    for (size_t i = 1; i < e->nexts; i++)
        if (e->enabled >> i & 1)
            len += strlen(e->exts[i]->name) + 1;
    if (!(e->capabilities = lm_calloc(1, len))) {
        sieve_engine_free(e);
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
    lm_free(e->functions);
    names_free(e->names);
    lm_free(e);
}

const char *sieve_engine_extensions(const sieve_engine *e)
{
    return e ? e->capabilities : "";
}
