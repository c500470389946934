/* ext_query.c — vnd.libmail.query: "query" runs a lookup the caller wires to a name (an SQL
 * statement, an LDAP search, a map …) through sieve_callbacks.query, with arguments, and can
 * store what it found in a variable (:set). As a test it is true when the lookup found a value.
 * A run makes at most sieve_run_options.max_queries of them, each giving at most
 * max_query_values values. Grammar in sieve.h. */
#include "expr.h"

#include "lm_alloc.h"

#include <string.h>

#define DEFAULT_MAX_QUERIES 100
#define DEFAULT_MAX_VALUES 256
#define MAX_ARGS 64

struct sieve_query_rows {
    lm_buf text;               /* the values one after the other */
    size_t *ends;              /* where each ends in `text` */
    size_t n, max, max_value;
    int oom;
};

int sieve_query_add(sieve_query_rows *rows, const char *value, size_t len)
{
    if (!rows || (!value && len))
        return SIEVE_E_INVAL;
    if (rows->oom)
        return SIEVE_E_NOMEM;
    if (rows->n >= rows->max)
        return SIEVE_E_LIMIT;
    if (len > rows->max_value) { /* cut at a UTF-8 boundary */
        len = rows->max_value;
        for (int k = 0; k < 3 && len > 0 && ((unsigned char)value[len] & 0xC0) == 0x80; k++)
            len--;
    }
    if (!rows->ends && !(rows->ends = lm_calloc(rows->max, sizeof *rows->ends)))
        goto nomem;
    if (len && lm_buf_append(&rows->text, value, len))
        goto nomem;
    rows->ends[rows->n++] = rows->text.len;
    return 0;
nomem:
    rows->oom = 1;
    return SIEVE_E_NOMEM;
}

static int validate_query(sv_vctx *v, const sv_args *a)
{
    const sv_value *set = sv_args_tag(a, SV_TAG_QUERY_SET);
    return set ? sv_expr_check_target(v, &set->strs[0], "query") : 0;
}

/* :set — one value as a string, several as a list, none as "". */
static int store(sv_run *r, const sv_args *a, const sieve_query_rows *rows)
{
    const sv_value *set = sv_args_tag(a, SV_TAG_QUERY_SET);
    if (!set)
        return 0;
    const sv_str *name = &set->strs[0];
    sv_xctx c = {r, lm_arena_new(0), 0, a->pos};
    if (!c.arena)
        return SIEVE_E_NOMEM;
    int rc = 0;
    sv_xval v = {.type = SV_XV_STR, .s = "", .len = 0};
    const char *text = rows->text.data ? rows->text.data : "";
    if (rows->n == 1) {
        v.s = text;
        v.len = rows->ends[0];
    } else if (rows->n > 1) {
        sv_xval *items = sv_xctx_alloc(&c, rows->n * sizeof *items);
        if (!items)
            rc = sv_xctx_fail(&c);
        for (size_t i = 0, start = 0; !rc && i < rows->n; start = rows->ends[i++])
            items[i] = (sv_xval){.type = SV_XV_STR, .s = text + start,
                                 .len = rows->ends[i] - start};
        v = (sv_xval){.type = SV_XV_LIST, .items = items, .count = rows->n};
    }
    if (!rc)
        rc = sv_expr_store(&c, name->s, name->len, &v);
    sv_xctx_end(&c);
    return rc;
}

/* Runs the query: 1 when it found a value, 0 when not, or a negative SIEVE_E_*. */
static int run_query(sv_run *r, const sv_args *a)
{
    size_t max = r->opts->max_queries ? r->opts->max_queries : DEFAULT_MAX_QUERIES;
    if (r->queries >= max)
        return sv_run_error(r, a->pos, "too many queries (over %zu in one run)", max);
    r->queries++;
    sv_str name;
    int rc = sv_run_string(r, &a->positional[0].strs[0], &name);
    const sv_value *list = &a->positional[1];
    const char *args[MAX_ARGS];
    size_t nargs = list->type == SV_T_NONE ? 0 : list->count;
    if (nargs > MAX_ARGS)
        return sv_run_error(r, a->pos, "a query takes at most %d arguments", MAX_ARGS);
    for (size_t i = 0; !rc && i < nargs; i++) {
        sv_str s;
        rc = sv_run_string(r, &list->strs[i], &s);
        args[i] = s.s;
    }
    if (rc)
        return rc;
    sieve_query_rows rows = {LM_BUF_INIT, NULL, 0, 0, 0, 0};
    rows.max = r->opts->max_query_values ? r->opts->max_query_values : DEFAULT_MAX_VALUES;
    rows.max_value = sv_vars_max_value(r->vars);
    long found = r->cb->query ? r->cb->query(r->cb->user, name.s, args, nargs, &rows) : 0;
    if (rows.oom) {
        rc = SIEVE_E_NOMEM;
    } else if (found < 0) {
        rows.n = 0;
        if (sv_diag_add(r->diag, SV_SEV_WARNING, a->pos, "the query \"%s\" failed", name.s))
            rc = SIEVE_E_NOMEM;
    }
    if (!rc && sv_args_tag(a, SV_TAG_QUERY_SET))
        rc = store(r, a, &rows);
    if (!rc)
        rc = rows.n > 0 || found > 0;
    lm_buf_free(&rows.text);
    lm_free(rows.ends);
    return rc;
}

static int run_query_command(sv_run *r, const sv_args *a)
{
    int rc = run_query(r, a);
    return rc < 0 ? rc : 0;
}

static const uint8_t query_tags[] = {SV_TAG_QUERY_SET, SV_TAG_COUNT_};

static const sv_cmd_def query_commands[] = {
    {"query", SV_KIND_TEST, SV_CTL_NONE, 2, {SV_T_STRING, SV_T_STRLIST | SV_T_OPTIONAL},
     query_tags, validate_query, run_query},
    {"query", SV_KIND_COMMAND, SV_CTL_NONE, 2, {SV_T_STRING, SV_T_STRLIST | SV_T_OPTIONAL},
     query_tags, validate_query, run_query_command},
};
const sv_ext_def sv_ext_query = {"vnd.libmail.query", query_commands, 2};
