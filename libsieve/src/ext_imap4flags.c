/* ext_imap4flags.c — the imap4flags extension (RFC 5232): setflag, addflag and removeflag on
 * the internal flag variable or a named one (§3), the hasflag test (§4), and the flags a keep
 * or fileinto stores the message with (§5).
 *
 * A flag list is a string of flags separated by spaces; the commands keep each flag once
 * (flags compare ASCII case-insensitively, as IMAP's do) in the order first given. The
 * internal variable lives in the run's variable store under a name no script can write
 * (it counts towards the run's limit on variables). */
#include "engine.h"

#include "lm_alloc.h"
#include "lm_ascii.h"

#include <string.h>

#define INTERNAL_FLAGS " imap4flags"

/* ---- flag lists --------------------------------------------------------------------------- */

/* The next flag of `s` from *at on: its start and length; 0 when there is none left. */
static size_t next_flag(const char *s, size_t n, size_t *at, const char **flag)
{
    size_t i = *at;
    while (i < n && s[i] == ' ')
        i++;
    *at = i;
    if (i >= n)
        return 0; /* (s may be NULL when n is 0) */
    size_t start = i;
    while (i < n && s[i] != ' ')
        i++;
    *at = i;
    *flag = s + start;
    return i - start;
}

/* Non-zero when `list` holds the flag (`f`, `fn` octets). */
static int list_has(const char *list, size_t n, const char *f, size_t fn)
{
    const char *g;
    size_t at = 0, gn;
    while ((gn = next_flag(list, n, &at, &g)))
        if (gn == fn && !lm_strncasecmp(g, f, fn))
            return 1;
    return 0;
}

/* Appends to `list` the flags of `s` it does not hold yet. */
static void list_add(lm_buf *list, const char *s, size_t n)
{
    const char *f;
    size_t at = 0, fn;
    while ((fn = next_flag(s, n, &at, &f))) {
        if (list_has(list->data, list->len, f, fn))
            continue;
        if (list->len)
            lm_buf_putc(list, ' ');
        lm_buf_append(list, f, fn);
    }
}

/* Appends to `out` the flags of `list` that `drop` does not hold. */
static void list_without(lm_buf *out, const char *list, size_t n, const char *drop, size_t dn)
{
    const char *f;
    size_t at = 0, fn;
    while ((fn = next_flag(list, n, &at, &f))) {
        if (list_has(drop, dn, f, fn))
            continue;
        if (out->len)
            lm_buf_putc(out, ' ');
        lm_buf_append(out, f, fn);
    }
}

/* Adds the flags of every string of `v` (expanded) to `list`. */
static int add_strings(sv_run *r, const sv_value *v, lm_buf *list)
{
    for (size_t i = 0; i < v->count; i++) {
        sv_str s;
        int rc = sv_run_string(r, &v->strs[i], &s);
        if (rc)
            return rc;
        list_add(list, s.s, s.len);
    }
    return list->oom ? SIEVE_E_NOMEM : 0;
}

/* ---- the commands ------------------------------------------------------------------------- */

static sv_str internal_variable(void)
{
    return (sv_str){.s = INTERNAL_FLAGS, .len = sizeof INTERNAL_FLAGS - 1};
}

/* The variable a command works on: the name given, or the internal one. */
static sv_str target_of(const sv_value *name)
{
    return name->type != SV_T_NONE ? name->strs[0] : internal_variable();
}

/* The optional variable names (RFC 5232 §3, §4) need "variables" and must be valid names. */
static int check_variables(sv_vctx *v, const sv_args *a, const char *cmd, int one)
{
    const sv_value *names = &a->positional[0];
    if (names->type == SV_T_NONE)
        return 0;
    if (!sv_vctx_has(v, "variables"))
        return sv_vctx_error(v, a->pos, "%s: a variable name needs the \"variables\" extension",
                             cmd);
    if (one && names->count != 1)
        return sv_vctx_error(v, a->pos, "%s: the variable name must be a single string", cmd);
    for (size_t i = 0; i < names->count; i++)
        if (!sv_var_name_valid(names->strs[i].s, names->strs[i].len, 0))
            return sv_vctx_error(v, names->strs[i].pos, "%s: invalid variable name \"%s\"", cmd,
                                 names->strs[i].s);
    return 0;
}

static int validate_flag_command(sv_vctx *v, const sv_args *a)
{
    return check_variables(v, a, a->def->name, 1);
}

/* Stores a flag list in `var`; the internal variable is also what the implicit keep stores
 * the message with (RFC 5232 §3), so the result keeps a copy. */
static int store_flags(sv_run *r, sv_str var, const char *flags, size_t len)
{
    int rc = sv_vars_set(r->vars, var.s, var.len, flags, len);
    if (rc || var.len != sizeof INTERNAL_FLAGS - 1 || memcmp(var.s, INTERNAL_FLAGS, var.len))
        return rc;
    const char *now = sv_vars_get(r->vars, var.s, var.len, &len);
    char *copy = NULL;
    if (len && !(copy = lm_strndup(now, len)))
        return SIEVE_E_NOMEM;
    lm_free(r->result->implicit_flags);
    r->result->implicit_flags = copy;
    return 0;
}

int sv_imap4flags_set_internal(sv_run *r, const char *flags, size_t len)
{
    lm_buf list = LM_BUF_INIT;
    list_add(&list, flags, len);
    int rc = list.oom ? SIEVE_E_NOMEM
                      : store_flags(r, internal_variable(), list.data ? list.data : "", list.len);
    lm_buf_free(&list);
    return rc;
}

enum { OP_SET, OP_ADD, OP_REMOVE };

static int run_flag_command(sv_run *r, const sv_args *a, int op)
{
    sv_str var = target_of(&a->positional[0]);
    size_t oldn = 0;
    const char *old = sv_vars_get(r->vars, var.s, var.len, &oldn);
    if (!old)
        old = "";
    lm_buf given = LM_BUF_INIT, out = LM_BUF_INIT;
    int rc = add_strings(r, &a->positional[1], &given);
    if (!rc) {
        if (op == OP_SET) {
            lm_buf_append(&out, given.data ? given.data : "", given.len);
        } else if (op == OP_ADD) {
            lm_buf_append(&out, old, oldn);
            list_add(&out, given.data, given.len);
        } else {
            list_without(&out, old, oldn, given.data, given.len);
        }
        rc = out.oom ? SIEVE_E_NOMEM : store_flags(r, var, out.data ? out.data : "", out.len);
        if (rc == SIEVE_E_LIMIT)
            rc = sv_run_error(r, a->pos, "%s: too many variables", a->def->name);
    }
    lm_buf_free(&given);
    lm_buf_free(&out);
    return rc;
}

static int run_setflag(sv_run *r, const sv_args *a) { return run_flag_command(r, a, OP_SET); }
static int run_addflag(sv_run *r, const sv_args *a) { return run_flag_command(r, a, OP_ADD); }
static int run_removeflag(sv_run *r, const sv_args *a) { return run_flag_command(r, a, OP_REMOVE); }

/* ---- hasflag ------------------------------------------------------------------------------ */

static int validate_hasflag(sv_vctx *v, const sv_args *a)
{
    int rc = check_variables(v, a, "hasflag", 0);
    return rc ? rc : sv_check_matching(v, a, &a->positional[1]);
}

/* The keys of hasflag: every flag of every key string, each once (RFC 5232 §4 compares flag
 * by flag, so "b A" is the keys "b" and "A"). */
static int split_keys(sv_run *r, const sv_value *keys, sv_value *out)
{
    lm_buf list = LM_BUF_INIT;
    int rc = add_strings(r, keys, &list);
    size_t n = 0, at = 0, fn;
    const char *f;
    while (!rc && (fn = next_flag(list.data, list.len, &at, &f)))
        n++;
    sv_str *strs = NULL;
    if (!rc && !(strs = lm_arena_calloc(r->arena, n ? n : 1, sizeof *strs)))
        rc = SIEVE_E_NOMEM;
    const char *copy = NULL;
    if (!rc && !(copy = lm_arena_strndup(r->arena, list.data ? list.data : "", list.len)))
        rc = SIEVE_E_NOMEM;
    for (size_t i = 0, k = 0; !rc && (fn = next_flag(copy, list.len, &k, &f)); i++)
        strs[i] = (sv_str){.s = f, .len = fn};
    lm_buf_free(&list);
    *out = (sv_value){.type = SV_T_STRLIST, .strs = strs, .count = rc ? 0 : n};
    return rc;
}

/* Feeds the flags of one variable's value, each once, to the comparison. */
static int feed_flags(sv_run *r, sv_matching *mt, const char *value, size_t n)
{
    const char *f;
    size_t at = 0, fn;
    while ((fn = next_flag(value, n, &at, &f))) {
        if (list_has(value, (size_t)(f - value), f, fn))
            continue; /* seen earlier in this value */
        /* A flag is compared as a string of its own: NUL-terminated for the matcher. */
        char *one = lm_arena_strndup(r->arena, f, fn);
        if (!one)
            return SIEVE_E_NOMEM;
        int rc = sv_matching_value(r, mt, one, fn);
        if (rc)
            return rc;
    }
    return 0;
}

static int run_hasflag(sv_run *r, const sv_args *a)
{
    sv_value keys;
    sv_matching mt;
    int rc = split_keys(r, &a->positional[1], &keys);
    if (!rc)
        rc = sv_matching_init(r, a, &keys, &mt);
    if (rc)
        return rc;
    const sv_value *names = &a->positional[0];
    size_t nvars = names->type == SV_T_NONE ? 1 : names->count;
    for (size_t i = 0; !rc && i < nvars; i++) {
        sv_str var = names->type == SV_T_NONE ? internal_variable() : names->strs[i];
        size_t n = 0;
        const char *value = sv_vars_get(r->vars, var.s, var.len, &n);
        if (value)
            rc = feed_flags(r, &mt, value, n);
    }
    return rc < 0 ? rc : sv_matching_end(&mt, rc);
}

/* ---- keep and fileinto -------------------------------------------------------------------- */

int sv_imap4flags_of_action(sv_run *r, const sv_args *a, const char **flags)
{
    *flags = NULL;
    const sv_value *given = sv_args_tag(a, SV_TAG_FLAGS);
    lm_buf list = LM_BUF_INIT;
    int rc = 0;
    if (given) {
        rc = add_strings(r, given, &list);
    } else if (sv_run_has(r, "imap4flags")) {
        size_t n = 0;
        const char *value = sv_vars_get(r->vars, INTERNAL_FLAGS, sizeof INTERNAL_FLAGS - 1, &n);
        if (value)
            list_add(&list, value, n);
        rc = list.oom ? SIEVE_E_NOMEM : 0;
    }
    if (!rc && list.len && !(*flags = lm_arena_strndup(r->arena, list.data, list.len)))
        rc = SIEVE_E_NOMEM;
    lm_buf_free(&list);
    return rc;
}

/* ---- the definition ----------------------------------------------------------------------- */

static const uint8_t no_tags[] = {SV_TAG_COUNT_};
static const uint8_t hasflag_tags[] = {SV_TAG_IS, SV_TAG_CONTAINS, SV_TAG_MATCHES, SV_TAG_REGEX,
                                       SV_TAG_VALUE, SV_TAG_COUNT, SV_TAG_LIST,
                                       SV_TAG_COMPARATOR, SV_TAG_COUNT_};

#define FLAG_ARGS 2, {SV_T_STRING | SV_T_OPTIONAL, SV_T_STRLIST}

static const sv_cmd_def imap4flags_commands[] = {
    {"setflag", SV_KIND_COMMAND, SV_CTL_NONE, FLAG_ARGS, no_tags, validate_flag_command,
     run_setflag},
    {"addflag", SV_KIND_COMMAND, SV_CTL_NONE, FLAG_ARGS, no_tags, validate_flag_command,
     run_addflag},
    {"removeflag", SV_KIND_COMMAND, SV_CTL_NONE, FLAG_ARGS, no_tags, validate_flag_command,
     run_removeflag},
    {"hasflag", SV_KIND_TEST, SV_CTL_NONE, 2, {SV_T_STRLIST | SV_T_OPTIONAL, SV_T_STRLIST},
     hasflag_tags, validate_hasflag, run_hasflag},
};
const sv_ext_def sv_ext_imap4flags = {"imap4flags", imap4flags_commands, 4};
