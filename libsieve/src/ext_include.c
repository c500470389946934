/* ext_include.c — RFC 6609: include (§3.2), return (§3.3) and global (§3.4). An included
 * script is fetched through sieve_options.include while the including script compiles,
 * compiled by the same engine and kept in the top script's table (sieve_script.subs), so a
 * run never fetches anything. Each script runs with its own variables; a name a script
 * declares global is copied from the run's global store when declared and when an include
 * returns, and back to it before an include and when the script ends. */
#include "engine.h"

#include "lm_alloc.h"
#include "lm_ascii.h"
#include "lm_utf8.h"

#include <string.h>

#define SV_DEFAULT_MAX_INCLUDE_DEPTH 10u
#define SV_CAP_INCLUDE_DEPTH 100u   /* whatever the option says: a run recurses this deep */
#define SV_DEFAULT_MAX_INCLUDES 255u
#define SV_MAX_INCLUDE_NAME 1024   /* octets of a script name */

static unsigned max_depth(const sieve_engine *e)
{
    unsigned d = e->o.max_include_depth ? e->o.max_include_depth : SV_DEFAULT_MAX_INCLUDE_DEPTH;
    return d < SV_CAP_INCLUDE_DEPTH ? d : SV_CAP_INCLUDE_DEPTH;
}

static unsigned max_includes(const sieve_engine *e)
{
    return e->o.max_includes ? e->o.max_includes : SV_DEFAULT_MAX_INCLUDES;
}

static const char *location_name(int location)
{
    return location == SIEVE_INCLUDE_GLOBAL ? "global" : "personal";
}

/* The included script `name` of `location` in a table, or -1. */
static long find_sub(const sv_subscript *subs, size_t n, int location, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (subs[i].location == location && !strcmp(subs[i].name, name))
            return (long)i;
    return -1;
}

/* ---- compiling ---------------------------------------------------------------------------- */

/* A script name (RFC 6609 §3.2 refers to RFC 5804 §1.6): UTF-8 without "/", without control
 * characters (0000-001F, 007F-009F) and without the line and paragraph separators. */
static int script_name_valid(const char *s, size_t len)
{
    if (!len || len > SV_MAX_INCLUDE_NAME || !lm_utf8_valid(s, len))
        return 0;
    for (size_t i = 0; i < len;) {
        unsigned c = (unsigned char)s[i];
        size_t n = lm_utf8_lead_len(c);
        if (n > 1) {
            c &= 0x3fu >> (n - 1);
            for (size_t k = 1; k < n; k++)
                c = c << 6 | ((unsigned char)s[i + k] & 0x3fu);
        }
        if (c < 0x20 || c == '/' || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029)
            return 0;
        i += n ? n : 1;
    }
    return 1;
}

/* Fetches and compiles the script `name`, adding it to the table. Errors are reported at
 * `pos`; returns 0 (reported or not) or SIEVE_E_NOMEM. */
static int fetch_and_compile(sv_vctx *v, sv_pos pos, int location, const char *name,
                             int optional)
{
    const sieve_engine *e = v->engine;
    char *text = NULL;
    size_t len = 0;
    int rc = e->o.include ? e->o.include(e->o.include_user, location, name, &text, &len) : 1;
    if (rc < 0) {
        lm_free(text);
        if (rc == SIEVE_E_NOMEM)
            return rc;
        return sv_vctx_error(v, pos, "failed to read the included %s script \"%s\" (%s)",
                             location_name(location), name, sieve_strerror(rc));
    }
    if (rc > 0 || !text) {
        lm_free(text);
        if (optional)
            return 0; /* §3.2 :optional: a missing script is no error */
        return sv_vctx_error(v, pos, "the included %s script \"%s\" does not exist",
                             location_name(location), name);
    }
    sv_diag d;
    sv_diag_init(&d, e->o.max_errors);
    sieve_script *sub = NULL;
    rc = sv_compile_included(v, location, name, text, len, &d, &sub);
    lm_free(text);
    if (rc == SIEVE_E_NOMEM) {
        sv_diag_free(&d);
        return rc;
    }
    if (rc) {
        /* Its errors, each placed at this include and saying where it was, then this one. */
        rc = 0;
        for (size_t i = 0; !rc && i < d.count; i++)
            if (d.items[i].severity == SV_SEV_ERROR)
                rc = sv_vctx_error(v, pos, "%s script \"%s\", line %u: %s",
                                   location_name(location), name, d.items[i].pos.line,
                                   d.items[i].text);
        sv_diag_free(&d);
        return rc ? rc : sv_vctx_error(v, pos, "the included %s script \"%s\" does not compile",
                                       location_name(location), name);
    }
    sv_diag_free(&d);
    sv_subtable *t = v->subs;
    if (t->count >= max_includes(e)) { /* its own includes may have filled the table */
        sieve_script_free(sub);
        return sv_vctx_error(v, pos, "more than %u included scripts", max_includes(e));
    }
    if (t->count == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 8;
        sv_subscript *items = lm_realloc(t->items, cap * sizeof *items);
        if (!items) {
            sieve_script_free(sub);
            return SIEVE_E_NOMEM;
        }
        t->items = items;
        t->cap = cap;
    }
    char *copy = lm_malloc(strlen(name) + 1);
    if (!copy) {
        sieve_script_free(sub);
        return SIEVE_E_NOMEM;
    }
    strcpy(copy, name);
    t->items[t->count++] = (sv_subscript){location, copy, sub};
    return 0;
}

/* The checks of an include of the script `name` (as the run will see it: encoded characters
 * decoded). */
static int check_include(sv_vctx *v, const sv_args *a, sv_pos pos, const char *name, size_t len)
{
    int location = sv_args_tag(a, SV_TAG_GLOBAL) ? SIEVE_INCLUDE_GLOBAL : SIEVE_INCLUDE_PERSONAL;
    if (!script_name_valid(name, len))
        return sv_vctx_error(v, pos, "invalid script name \"%s\"", name);
    /* A script including itself, directly or through others, is an error (§3.2) unless with
     * :once: it is being included already, so at run time that include does nothing. */
    for (const sv_vctx *p = v; p; p = p->parent)
        if (p->name && p->location == location && !strcmp(p->name, name)) {
            if (sv_args_tag(a, SV_TAG_ONCE))
                return 0;
            return sv_vctx_error(v, pos, "the %s script \"%s\" includes itself",
                                 location_name(location), name);
        }
    if (find_sub(v->subs->items, v->subs->count, location, name) >= 0)
        return 0; /* compiled already: one copy serves every include of it */
    if (v->depth + 1 > max_depth(v->engine))
        return sv_vctx_error(v, pos, "includes nested deeper than %u", max_depth(v->engine));
    if (v->subs->count >= max_includes(v->engine))
        return sv_vctx_error(v, pos, "more than %u included scripts", max_includes(v->engine));
    return fetch_and_compile(v, pos, location, name, sv_args_tag(a, SV_TAG_OPTIONAL) != NULL);
}

static int validate_include(sv_vctx *v, const sv_args *a)
{
    const sv_str *name = &a->positional[0].strs[0];
    if (sv_vctx_has(v, "variables") && sv_string_has_variables(name->s, name->len))
        return sv_vctx_error(v, name->pos, "the name of an included script must be a constant");
    if (!sv_vctx_has(v, "encoded-character"))
        return check_include(v, a, name->pos, name->s, name->len);
    lm_buf dec = LM_BUF_INIT;
    int rc = sv_decode_encoded_characters(name->s, name->len, &dec);
    if (rc == SIEVE_E_SYNTAX)
        rc = 0; /* reported where the string is compiled */
    else if (!rc && dec.oom)
        rc = SIEVE_E_NOMEM;
    else if (!rc)
        rc = check_include(v, a, name->pos, dec.data ? dec.data : "", dec.len);
    lm_buf_free(&dec);
    return rc;
}

static int validate_global(sv_vctx *v, const sv_args *a)
{
    if (!sv_vctx_has(v, "variables"))
        sv_vctx_error(v, a->pos, "global needs the \"variables\" extension");
    const sv_value *names = &a->positional[0];
    for (size_t i = 0; i < names->count; i++) {
        int rc = sv_var_name_valid(names->strs[i].s, names->strs[i].len, 0)
                     ? sv_declare_variable(v, &names->strs[i], 1)
                     : sv_vctx_error(v, names->strs[i].pos, "invalid variable name \"%s\"",
                                     names->strs[i].s);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- running ------------------------------------------------------------------------------ */

/* The names a running script declared global. */
typedef struct marks {
    char **names;
    size_t n, cap;
} marks;

typedef struct include_state {
    sv_vars *globals;
    uint8_t *included;       /* per entry of the top script's table: it ran (for :once) */
    marks *cur;              /* the running script's */
    marks top;
} include_state;

static include_state *state_of(sv_run *r)
{
    if (r->include_state)
        return r->include_state;
    include_state *st = lm_arena_calloc(r->arena, 1, sizeof *st);
    if (!st)
        return NULL;
    st->included = lm_arena_calloc(r->arena, r->top->nsubs ? r->top->nsubs : 1, 1);
    if (!st->included ||
        sv_vars_new(r->opts->max_variables, r->opts->max_variable_size, &st->globals))
        return NULL;
    st->cur = &st->top;
    r->include_state = st;
    return st;
}

void sv_include_run_end(sv_run *r)
{
    include_state *st = r->include_state;
    if (!st)
        return;
    sv_vars_free(st->globals);
    lm_free(st->top.names);
    r->include_state = NULL;
}

/* Copies each marked name's value from one store to the other. */
static int copy_marked(const marks *m, sv_vars *from, sv_vars *to)
{
    for (size_t i = 0; i < m->n; i++) {
        size_t len = 0;
        const char *val = sv_vars_get(from, m->names[i], strlen(m->names[i]), &len);
        int rc = sv_vars_set(to, m->names[i], strlen(m->names[i]), val ? val : "",
                             val ? len : 0);
        if (rc)
            return rc;
    }
    return 0;
}

/* §3.5: "global.NAME" is the global variable NAME. A name the running script declared
 * global lives in its own store until the script ends or includes another. */
static int global_name(const sv_run *r, const char *name, size_t len, const char **rest,
                       size_t *rlen)
{
    /* the namespace of include, also declared by vnd.stalwart.expressions (as sieve-rs has it) */
    int x = sv_find_extension(r->script->engine, "include", 7);
    int y = sv_find_extension(r->script->engine, "vnd.stalwart.expressions", 24);
    uint64_t declared = (x < 0 ? 0 : 1ull << x) | (y < 0 ? 0 : 1ull << y);
    if (len <= 7 || !lm_eq_nocase(name, 7, "global.") || !(r->script->required & declared))
        return 0;
    *rest = name + 7;
    *rlen = len - 7;
    return 1;
}

static int marked(const include_state *st, const char *name, size_t len)
{
    for (size_t i = 0; st && i < st->cur->n; i++)
        if (lm_eq_nocase(name, len, st->cur->names[i]))
            return 1;
    return 0;
}

int sv_include_namespace(void *user, const char *name, size_t len, lm_buf *out)
{
    sv_run *r = user;
    const char *rest;
    size_t rlen, vlen = 0;
    if (!global_name(r, name, len, &rest, &rlen))
        return 0;
    include_state *st = r->include_state;
    const char *val = marked(st, rest, rlen) ? sv_vars_get(r->vars, rest, rlen, &vlen)
                      : st ? sv_vars_get(st->globals, rest, rlen, &vlen) : NULL;
    if (val)
        lm_buf_append(out, val, vlen);
    return out->oom ? SIEVE_E_NOMEM : 1;
}

int sv_run_var_set(sv_run *r, const char *name, size_t len, const char *value, size_t vlen)
{
    const char *rest;
    size_t rlen;
    if (!global_name(r, name, len, &rest, &rlen))
        return sv_vars_set(r->vars, name, len, value, vlen);
    include_state *st = state_of(r);
    if (!st)
        return SIEVE_E_NOMEM;
    return sv_vars_set(marked(st, rest, rlen) ? r->vars : st->globals, rest, rlen, value, vlen);
}

static int run_include(sv_run *r, const sv_args *a)
{
    const char *name = a->positional[0].strs[0].s;
    int location = sv_args_tag(a, SV_TAG_GLOBAL) ? SIEVE_INCLUDE_GLOBAL : SIEVE_INCLUDE_PERSONAL;
    long i = find_sub(r->top->subs, r->top->nsubs, location, name);
    if (i < 0) {
        if (sv_args_tag(a, SV_TAG_OPTIONAL))
            return 0;
        return sv_run_error(r, a->pos, "the included %s script \"%s\" is missing",
                            location_name(location), name);
    }
    include_state *st = state_of(r);
    if (!st)
        return SIEVE_E_NOMEM;
    if (sv_args_tag(a, SV_TAG_ONCE) && st->included[i])
        return 0; /* §3.2 :once */
    if (r->include_depth >= max_depth(r->top->engine))
        return sv_run_error(r, a->pos, "includes nested deeper than %u",
                            max_depth(r->top->engine));
    st->included[i] = 1;
    sv_vars *caller_vars = r->vars, *own = NULL;
    marks *caller_marks = st->cur, mine = {NULL, 0, 0};
    int rc = copy_marked(caller_marks, caller_vars, st->globals);
    if (!rc)
        rc = sv_vars_new(r->opts->max_variables, r->opts->max_variable_size, &own);
    if (!rc) {
        r->vars = own;
        st->cur = &mine;
        r->include_depth++;
        rc = sv_run_script(r, r->top->subs[i].script);
        r->include_depth--;
        int crc = copy_marked(&mine, own, st->globals);
        if (!rc)
            rc = crc;
        r->vars = caller_vars;
        st->cur = caller_marks;
    }
    sv_vars_free(own);
    lm_free(mine.names);
    if (!rc)
        rc = copy_marked(caller_marks, st->globals, caller_vars);
    if (r->halt == SV_HALT_RETURN)
        r->halt = SV_HALT_NONE; /* return ends the included script only */
    if (rc == SIEVE_E_LIMIT)
        rc = sv_run_error(r, a->pos, "too many variables to share the global ones");
    return rc;
}

static int run_return(sv_run *r, const sv_args *a)
{
    (void)a;
    r->halt = SV_HALT_RETURN;
    return 0;
}

/* §3.4: from here on the names are the run's global variables in this script. */
static int run_global(sv_run *r, const sv_args *a)
{
    include_state *st = state_of(r);
    if (!st)
        return SIEVE_E_NOMEM;
    const sv_value *names = &a->positional[0];
    for (size_t k = 0; k < names->count; k++) {
        sv_str n;
        int rc = sv_run_string(r, &names->strs[k], &n);
        if (rc)
            return rc;
        marks *m = st->cur;
        size_t i = 0;
        while (i < m->n && !lm_eq_nocase(n.s, n.len, m->names[i]))
            i++;
        if (i == m->n) {
            if (m->n == m->cap) {
                size_t cap = m->cap ? m->cap * 2 : 8;
                char **p = lm_realloc(m->names, cap * sizeof *p);
                if (!p)
                    return SIEVE_E_NOMEM;
                m->names = p;
                m->cap = cap;
            }
            if (!(m->names[m->n] = lm_arena_strndup(r->arena, n.s, n.len)))
                return SIEVE_E_NOMEM;
            m->n++;
        }
        size_t len = 0;
        const char *val = sv_vars_get(st->globals, n.s, n.len, &len);
        if ((rc = sv_vars_set(r->vars, n.s, n.len, val ? val : "", val ? len : 0)))
            return rc == SIEVE_E_LIMIT ? sv_run_error(r, a->pos, "too many variables") : rc;
    }
    return 0;
}

/* ---- the definitions --------------------------------------------------------------------- */

static const uint8_t include_tags[] = {SV_TAG_PERSONAL, SV_TAG_GLOBAL, SV_TAG_ONCE,
                                       SV_TAG_OPTIONAL, SV_TAG_COUNT_};
static const uint8_t no_tags[] = {SV_TAG_COUNT_};

static const sv_cmd_def include_commands[] = {
    {"include", SV_KIND_COMMAND, SV_CTL_NONE, 1, {SV_T_STRING}, include_tags, validate_include,
     run_include},
    {"return", SV_KIND_COMMAND, SV_CTL_NONE, 0, {0}, no_tags, NULL, run_return},
    {"global", SV_KIND_COMMAND, SV_CTL_NONE, 1, {SV_T_STRLIST}, no_tags, validate_global,
     run_global},
};
const sv_ext_def sv_ext_include = {"include", include_commands, 3};
