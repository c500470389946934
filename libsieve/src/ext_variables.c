/* ext_variables.c — the variables extension (RFC 5229): the "set" command with its modifiers
 * (§4), the "string" test (§5). Expansion of "${…}" (§3) is the run's (sv_run_string), the
 * store and the modifiers are variables.c's; match variables (§3.2) are filled by sv_match on a
 * successful :matches or :regex and left alone by every other test. */
#include "engine.h"

#include "lm_alloc.h"
#include "lm_ascii.h"

#include <string.h>

/* ---- set ---------------------------------------------------------------------------------- */

/* The modifier a tag of "set" names (its tag name is the modifier's), or 0. */
static unsigned modifier_of_tag(int tag)
{
    return sv_modifier_from_name(sv_tags[tag].name, strlen(sv_tags[tag].name));
}

static unsigned modifiers_of(const sv_args *a)
{
    unsigned mods = 0;
    for (size_t i = 0; i < a->ntags; i++)
        mods |= modifier_of_tag(a->tag[i]);
    return mods;
}

/* RFC 5229 §3: the name is a constant identifier, or "global.NAME" when include declares
 * that namespace; no other namespace may be set. */
static int check_name(sv_vctx *v, const sv_str *name, const char *cmd)
{
    if (sv_var_name_valid(name->s, name->len, 0))
        return 0;
    /* include (RFC 6609 §3.5): "global.NAME" sets the global variable NAME (also declared by
     * vnd.stalwart.expressions, as sieve-rs has it) */
    if ((sv_vctx_has(v, "include") || sv_vctx_has(v, "vnd.stalwart.expressions")) &&
        name->len > 7 && lm_eq_nocase(name->s, 7, "global.") &&
        sv_var_name_valid(name->s + 7, name->len - 7, 0))
        return 0;
    if (sv_var_name_valid(name->s, name->len, 1))
        return sv_vctx_error(v, name->pos, "%s: unknown namespace in the variable name \"%s\"",
                             cmd, name->s);
    return sv_vctx_error(v, name->pos, "%s: invalid variable name \"%s\"", cmd, name->s);
}

/* ---- declared variables -------------------------------------------------------------------- */

#define DEFAULT_MAX_VARIABLES 255

typedef struct declared_name {
    const char *name;          /* in the syntax tree */
    size_t len;
    sv_pos pos;
    int global;
    unsigned depth;            /* (scoped) the depth of the block whose own it is; 0: none's */
} declared_name;

typedef struct name_list {
    declared_name *items;
    size_t n, cap;
} name_list;

struct sv_declared {
    name_list names;
    name_list scoped;          /* vnd.stalwart.expressions: the variables of the open blocks */
    size_t locals;
    int over;                  /* the limit was reported */
};

void sv_declared_free(struct sv_declared *d)
{
    if (!d)
        return;
    lm_free(d->names.items);
    lm_free(d->scoped.items);
    lm_free(d);
}

static declared_name *find_name(const name_list *l, const sv_str *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->items[i].len == name->len && lm_eq_nocase(name->s, name->len, l->items[i].name))
            return &l->items[i];
    return NULL;
}

static int add_name(name_list *l, const sv_str *name, int global, unsigned depth)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        declared_name *items = lm_realloc(l->items, cap * sizeof *items);
        if (!items)
            return SIEVE_E_NOMEM;
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n++] = (declared_name){name->s, name->len, name->pos, global, depth};
    return 0;
}

/* The most local variables a script may declare (sieve_options.max_variables). */
static size_t max_variables(const sv_vctx *v)
{
    return v->engine->o.max_variables ? v->engine->o.max_variables : DEFAULT_MAX_VARIABLES;
}

static struct sv_declared *declared_of(sv_vctx *v)
{
    if (!v->declared)
        v->declared = lm_calloc(1, sizeof *v->declared);
    return v->declared;
}

int sv_scope_variable(sv_vctx *v, const sv_str *name, int script_wide)
{
    if (!sv_vctx_has(v, "vnd.stalwart.expressions") || memchr(name->s, '.', name->len))
        return 0;
    struct sv_declared *d = declared_of(v);
    if (!d)
        return SIEVE_E_NOMEM;
    const declared_name *x = find_name(&d->names, name);
    if ((x && x->global) || find_name(&d->scoped, name))
        return 0; /* a global one, or one of a block still open */
    if (d->scoped.n >= max_variables(v))
        return 0; /* past the limit the compile fails (sv_declare_variable) */
    return add_name(&d->scoped, name, 0, script_wide ? 0 : v->scope_depth);
}

void sv_scope_close(sv_vctx *v, void (*fn)(void *user, const sv_str *name), void *user)
{
    struct sv_declared *d = v->declared;
    size_t kept = 0;
    for (size_t i = 0; d && i < d->scoped.n; i++) {
        declared_name x = d->scoped.items[i];
        if (x.depth > 0 && x.depth == v->scope_depth) {
            sv_str name = {x.name, x.len, x.pos, 0, 0};
            fn(user, &name);
        } else {
            d->scoped.items[kept++] = x;
        }
    }
    if (d)
        d->scoped.n = kept;
    if (v->scope_depth > 0)
        v->scope_depth--;
}

int sv_declare_variable(sv_vctx *v, const sv_str *name, int global)
{
    if (memchr(name->s, '.', name->len))
        return 0;
    struct sv_declared *d = declared_of(v);
    if (!d || (!global && sv_scope_variable(v, name, 0)))
        return SIEVE_E_NOMEM;
    const declared_name *x = find_name(&d->names, name);
    if (x) {
        /* RFC 6609 §3.4: a name is global from its declaration on; one the script used as
         * its own before cannot become global. */
        if (global && !x->global)
            return sv_vctx_error(v, name->pos, "global: the variable \"%s\" was used as a "
                                 "local one before", name->s);
        return 0;
    }
    size_t max = max_variables(v);
    if (!global && d->locals >= max) {
        if (d->over++)
            return 0;
        return sv_vctx_error(v, name->pos, "the variable \"%s\" is one more than the %zu a "
                             "script may declare", name->s, max);
    }
    if (add_name(&d->names, name, global, 0))
        return SIEVE_E_NOMEM;
    d->locals += !global;
    return 0;
}

/* ---- set ---------------------------------------------------------------------------------- */

static int validate_set(sv_vctx *v, const sv_args *a)
{
    const sv_str *name = &a->positional[0].strs[0];
    int rc = check_name(v, name, "set");
    if (!rc && sv_args_tag(a, SV_TAG_LOCAL)) /* vnd.stalwart.expressions: the script's own */
        rc = sv_scope_variable(v, name, 1);
    if (!rc && sv_var_name_valid(name->s, name->len, 0))
        rc = sv_declare_variable(v, name, 0);
    if (rc)
        return rc;
    /* §4.1: two modifiers of the same precedence are an error. */
    for (size_t i = 0; i < a->ntags; i++)
        for (size_t k = i + 1; k < a->ntags; k++)
            if (sv_modifier_precedence(modifier_of_tag(a->tag[i])) ==
                sv_modifier_precedence(modifier_of_tag(a->tag[k])))
                return sv_vctx_error(v, a->pos, "set: the modifiers :%s and :%s have the same "
                                     "precedence and cannot be used together",
                                     sv_tags[a->tag[i]].name, sv_tags[a->tag[k]].name);
    return 0;
}

/* Sets variable `name` of the run, reporting the limit on the number of variables. */
static int set_variable(sv_run *r, sv_pos pos, const sv_str *name, const char *value, size_t len)
{
    int rc = sv_run_var_set(r, name->s, name->len, value, len); /* "global.x": include */
    if (rc == SIEVE_E_LIMIT)
        return sv_run_error(r, pos, "too many variables: \"%s\" cannot be set", name->s);
    return rc;
}

static int run_set(sv_run *r, const sv_args *a)
{
    sv_str value;
    int rc = sv_run_string(r, &a->positional[1].strs[0], &value);
    if (rc)
        return rc;
    /* Without modifiers this only cuts the value to the size limit (at a UTF-8 boundary). */
    lm_buf out = LM_BUF_INIT;
    rc = sv_apply_modifiers(modifiers_of(a), value.s, value.len, sv_vars_max_value(r->vars), &out);
    if (!rc)
        rc = set_variable(r, a->pos, &a->positional[0].strs[0], out.data ? out.data : "", out.len);
    lm_buf_free(&out);
    return rc;
}

/* ---- references --------------------------------------------------------------------------- */

/* The namespaces extensions declare: "global" of include (RFC 6609 §3.5), "env" of
 * vnd.dovecot.environment, and "tst" of the test suites' vnd.dovecot.testsuite (an engine
 * made with sv_engine_new_with() may have it). */
static const struct {
    const char *ns, *ext;
} namespaces[] = {
    {"global", "include"},
    {"env", "vnd.dovecot.environment"},
    {"tst", "vnd.dovecot.testsuite"},
    {"global", "vnd.stalwart.expressions"},
    {"header", "vnd.stalwart.expressions"},
    {"body", "vnd.stalwart.expressions"},
};

typedef struct ref_check {
    sv_vctx *v;
    sv_pos pos;
    int failed;
} ref_check;

/* sv_expand's namespace callback: reports the first unknown namespace of the string. */
static int check_namespace(void *user, const char *name, size_t len, lm_buf *out)
{
    (void)out;
    ref_check *c = user;
    /* "${header.x-y}" is a reference only in vnd.stalwart.expressions' grammar; elsewhere it
     * is no RFC 5229 variable name, so the text stays as written. */
    if (!sv_var_name_valid(name, len, 1) && !sv_vctx_has(c->v, "vnd.stalwart.expressions"))
        return 0;
    const char *dot = memchr(name, '.', len);
    size_t nlen = dot ? (size_t)(dot - name) : len;
    for (size_t i = 0; i < sizeof namespaces / sizeof namespaces[0]; i++)
        if (strlen(namespaces[i].ns) == nlen && !lm_strncasecmp(name, namespaces[i].ns, nlen) &&
            sv_vctx_has(c->v, namespaces[i].ext))
            return 1;
    if (!c->failed++ && sv_vctx_error(c->v, c->pos, "unknown namespace \"%.*s\" in the variable "
                                      "reference \"${%.*s}\"", (int)nlen, name, (int)len, name))
        return SIEVE_E_NOMEM;
    return 1;
}

int sv_check_variable_references(sv_vctx *v, sv_pos pos, const char *s, size_t len)
{
    if (sv_string_max_match_index(s, len) >= SV_MAX_CAPTURES)
        return sv_vctx_error(v, pos, "a match variable past the last one, ${%d}, is used",
                             SV_MAX_CAPTURES - 1);
    ref_check c = {v, pos, 0};
    lm_buf scratch = LM_BUF_INIT;
    int rc = sv_expand(s, len, NULL, NULL, check_namespace, &c, 0, &scratch);
    lm_buf_free(&scratch);
    return rc == SIEVE_E_NOMEM ? rc : 0;
}

/* ---- string ------------------------------------------------------------------------------- */

static int validate_string(sv_vctx *v, const sv_args *a)
{
    return sv_check_matching(v, a, &a->positional[1]);
}

/* RFC 5229 §5: each source string is a value; under :count an empty string counts 0. */
static int run_string(sv_run *r, const sv_args *a)
{
    sv_matching mt;
    int rc = sv_matching_init(r, a, &a->positional[1], &mt);
    const sv_value *src = &a->positional[0];
    for (size_t i = 0; !rc && i < src->count; i++) {
        sv_str s;
        if ((rc = sv_run_string(r, &src->strs[i], &s)))
            break;
        if (mt.count_mode && s.len == 0)
            continue;
        rc = sv_matching_value(r, &mt, s.s, s.len);
    }
    return rc < 0 ? rc : sv_matching_end(&mt, rc);
}

/* ---- the definition ----------------------------------------------------------------------- */

static const uint8_t set_tags[] = {
    SV_TAG_MOD_LOWER, SV_TAG_MOD_UPPER, SV_TAG_MOD_LOWERFIRST, SV_TAG_MOD_UPPERFIRST,
    SV_TAG_MOD_QUOTEWILDCARD, SV_TAG_MOD_QUOTEREGEX, SV_TAG_MOD_ENCODEURL, SV_TAG_MOD_LENGTH,
    SV_TAG_LOCAL, SV_TAG_COUNT_,
};
static const uint8_t string_tags[] = {SV_TAG_IS, SV_TAG_CONTAINS, SV_TAG_MATCHES, SV_TAG_REGEX,
                                      SV_TAG_VALUE, SV_TAG_COUNT, SV_TAG_LIST, SV_TAG_COMPARATOR,
                                      SV_TAG_COUNT_};

static const sv_cmd_def variables_commands[] = {
    {"set", SV_KIND_COMMAND, SV_CTL_NONE, 2, {SV_T_STRING, SV_T_STRING}, set_tags, validate_set,
     run_set},
    {"string", SV_KIND_TEST, SV_CTL_NONE, 2, {SV_T_STRLIST, SV_T_STRLIST}, string_tags,
     validate_string, run_string},
};
const sv_ext_def sv_ext_variables = {"variables", variables_commands, 2};
