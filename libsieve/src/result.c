/* result.c — the actions of a run and the implicit keep (RFC 5228 §2.10.2, §4): duplicates
 * merged, the limits on actions and redirects, :copy (RFC 3894), and the caller's view. */
#include "engine.h"

#include "lm_alloc.h"
#include "lm_ascii.h"

#include <string.h>

static const char *const action_names[] = {
    [SIEVE_ACTION_KEEP] = "keep",
    [SIEVE_ACTION_FILEINTO] = "fileinto",
    [SIEVE_ACTION_REDIRECT] = "redirect",
    [SIEVE_ACTION_DISCARD] = "discard",
    [SIEVE_ACTION_REJECT] = "reject",
    [SIEVE_ACTION_EREJECT] = "ereject",
    [SIEVE_ACTION_VACATION] = "vacation",
    [SIEVE_ACTION_NOTIFY] = "notify",
    [SIEVE_ACTION_REPORT] = "report",
    [SIEVE_ACTION_PIPE] = "pipe",
};

const char *sieve_action_name(int type)
{
    if (type < 0 || (size_t)type >= sizeof action_names / sizeof action_names[0] ||
        !action_names[type])
        return "unknown";
    return action_names[type];
}

/* The same action twice: keep and discard always; fileinto the same mailbox and redirect to
 * the same address (RFC 5228 §4.2: "SHOULD NOT deliver … more than once"). */
/* fileinto "INBOX" is a keep (RFC 5228 §4.3: keep files into the default mailbox). */
static int is_inbox(int type, const char *target, size_t len)
{
    return type == SIEVE_ACTION_KEEP ||
           (type == SIEVE_ACTION_FILEINTO && lm_eq_nocase(target, len, "INBOX"));
}

static sv_action *find_same(sieve_result *res, int type, const char *target, size_t len)
{
    for (size_t i = 0; i < res->count; i++) {
        sv_action *a = &res->actions[i];
        if (is_inbox(type, target, len) && is_inbox(a->type, a->target, strlen(a->target)))
            return a;
        if (a->type != type)
            continue;
        if (type == SIEVE_ACTION_KEEP || type == SIEVE_ACTION_DISCARD)
            return a;
        if ((type == SIEVE_ACTION_FILEINTO || type == SIEVE_ACTION_REDIRECT) &&
            strlen(a->target) == len && !memcmp(a->target, target, len))
            return a;
    }
    return NULL;
}

int sv_result_add(sv_run *r, int type, const char *target, size_t target_len,
                  const char *flags, unsigned options, sv_pos pos)
{
    sieve_result *res = r->result;
    if (!target)
        target = "";
    int rc = sv_reject_conflict(r, type, pos);
    if (rc < 0)
        return rc;
    int dropped = rc == 1; /* a refusal after a performed one */
    /* What the action does to the implicit keep, whether or not it is new (a reject cancels
     * it too: RFC 5429 §2.1); vacation, notify and report leave it (RFC 5230 §4.7,
     * RFC 5435 §3; a report sends a copy, the message itself is still delivered). */
    if (!(options & SIEVE_ACTION_COPY) && type != SIEVE_ACTION_VACATION &&
        type != SIEVE_ACTION_NOTIFY && type != SIEVE_ACTION_REPORT)
        res->implicit_keep = 0;
    res->last_new = 0;
    if (dropped)
        return 0;
    sv_action *same = find_same(res, type, target, target_len);
    if (same && type == SIEVE_ACTION_KEEP && same->type != SIEVE_ACTION_KEEP) {
        /* keep after fileinto "INBOX": one action, and it is the keep (RFC 5228 §4.3). */
        char *empty = lm_malloc(1);
        if (!empty)
            return SIEVE_E_NOMEM;
        empty[0] = '\0';
        lm_free(same->target);
        same->target = empty;
        same->type = SIEVE_ACTION_KEEP;
    }
    if (same) {
        same->options &= options | ~(unsigned)SIEVE_ACTION_COPY; /* one without :copy wins */
        /* RFC 5232 §5: the flags of the last keep or fileinto of a mailbox win. */
        if (flags || same->flags) {
            char *f = NULL;
            if (flags && !(f = lm_malloc(strlen(flags) + 1)))
                return SIEVE_E_NOMEM;
            if (f)
                memcpy(f, flags, strlen(flags) + 1);
            lm_free(same->flags);
            same->flags = f;
        }
        return 0;
    }
    if (type == SIEVE_ACTION_REDIRECT && ++r->redirects > r->opts->max_redirects)
        return sv_run_error(r, pos, "too many redirect actions (the limit is %zu)",
                            r->opts->max_redirects);
    if (res->count >= r->opts->max_actions)
        return sv_run_error(r, pos, "too many actions (the limit is %zu)", r->opts->max_actions);
    if (res->count == res->cap) {
        size_t cap = res->cap ? res->cap * 2 : 8;
        sv_action *a = lm_realloc(res->actions, cap * sizeof *a);
        if (!a)
            return SIEVE_E_NOMEM;
        res->actions = a;
        res->cap = cap;
    }
    sv_action *a = &res->actions[res->count];
    memset(a, 0, sizeof *a);
    a->type = type;
    a->options = options;
    a->pos = pos;
    a->target = lm_malloc(target_len + 1);
    if (!a->target)
        return SIEVE_E_NOMEM;
    memcpy(a->target, target, target_len);
    a->target[target_len] = '\0';
    if (flags) {
        size_t fl = strlen(flags);
        if (!(a->flags = lm_malloc(fl + 1))) {
            lm_free(a->target);
            return SIEVE_E_NOMEM;
        }
        memcpy(a->flags, flags, fl + 1);
    }
    a->nedits = res->nedits;
    a->version = res->nversions;
    if (type == SIEVE_ACTION_REDIRECT && res->enclosed) {
        a->version = res->redirect_version; /* RFC 5703 §6: redirect sends it unenclosed */
        a->nedits = res->redirect_edits;
    }
    res->count++;
    res->last_new = 1;
    return 0;
}

int sv_result_param(sv_run *r, const char *name, const char *value, size_t len)
{
    sieve_result *res = r->result;
    if (!res->last_new || !res->count)
        return 0;
    sv_action *a = &res->actions[res->count - 1];
    sv_param *p = lm_realloc(a->params, (a->nparams + 1) * sizeof *p);
    if (!p)
        return SIEVE_E_NOMEM;
    a->params = p;
    size_t nl = strlen(name);
    char *n = lm_malloc(nl + 1), *v = lm_malloc(len + 1);
    if (!n || !v) {
        lm_free(n);
        lm_free(v);
        return SIEVE_E_NOMEM;
    }
    memcpy(n, name, nl + 1);
    memcpy(v, value, len);
    v[len] = '\0';
    p[a->nparams++] = (sv_param){n, v};
    return 0;
}

const char *sieve_result_action_param(const sieve_result *r, size_t i, const char *name)
{
    if (!r || i >= r->count || !name)
        return NULL;
    const sv_action *a = &r->actions[i];
    for (size_t k = 0; k < a->nparams; k++)
        if (strcmp(a->params[k].name, name) == 0)
            return a->params[k].value;
    return NULL;
}

size_t sieve_result_count(const sieve_result *r) { return r ? r->count : 0; }

int sieve_result_action(const sieve_result *r, size_t i, int *type, const char **target,
                        const char **flags, unsigned *options)
{
    if (!r || i >= r->count)
        return SIEVE_E_INVAL;
    const sv_action *a = &r->actions[i];
    if (type)
        *type = a->type;
    if (target)
        *target = a->target;
    if (flags)
        *flags = a->flags;
    if (options)
        *options = a->options;
    return 0;
}

int sieve_result_implicit_keep(const sieve_result *r) { return r ? r->implicit_keep : 0; }

const char *sieve_result_implicit_keep_flags(const sieve_result *r)
{
    return r ? r->implicit_flags : NULL;
}

/* ---- messages rebuilt by replace and enclose (RFC 5703 §5-6) ------------------------------- */

/* Non-zero when an action (or a later redirect) delivers rebuilt message `k` (1-based). */
static int version_used(const sieve_result *res, size_t k)
{
    if (res->enclosed && res->redirect_version == k)
        return 1;
    for (size_t i = 0; i < res->count; i++)
        if (res->actions[i].version == k)
            return 1;
    return 0;
}

int sv_result_rebuilt(sv_run *r, unsigned char *bytes, size_t len, sv_pos pos)
{
    sieve_result *res = r->result;
    if (res->nversions >= SV_MAX_REBUILDS) {
        lm_free(bytes);
        return sv_run_error(r, pos, "the message was rebuilt more than %d times (replace, "
                            "enclose)", SV_MAX_REBUILDS);
    }
    sv_version *v = lm_realloc(res->versions, (res->nversions + 1) * sizeof *v);
    if (!v) {
        lm_free(bytes);
        return SIEVE_E_NOMEM;
    }
    res->versions = v;
    /* The run's own reading of a message: zero copy (the bytes stay with the version). */
    mailparse_options po;
    mailparse_options_init(&po);
    po.flags = MAILPARSE_F_ZERO_COPY | MAILPARSE_F_NO_HTML_TO_TEXT;
    mailparse_message *m = NULL;
    int rc = mailparse_parse(bytes, len, &po, &m);
    if (rc) {
        lm_free(bytes);
        return rc == MAILPARSE_E_NOMEM ? SIEVE_E_NOMEM
               : sv_run_error(r, pos, "the rebuilt message cannot be read (%s)",
                              mailparse_strerror(rc));
    }
    v[res->nversions++] = (sv_version){bytes, len, res->nedits, m};
    sv_run_set_message(r, m);
    /* The message before: no test reads it again, and its bytes are kept only while an
     * action delivers it. */
    if (res->nversions > 1) {
        sv_version *prev = &v[res->nversions - 2];
        mailparse_message_free(prev->parsed);
        prev->parsed = NULL;
        if (!version_used(res, res->nversions - 1)) {
            lm_free(prev->bytes);
            prev->bytes = NULL;
        }
    }
    return 0;
}

void sv_result_versions_free(sieve_result *res)
{
    if (!res)
        return;
    for (size_t k = 0; k < res->nversions; k++) {
        mailparse_message_free(res->versions[k].parsed);
        lm_free(res->versions[k].bytes);
    }
    lm_free(res->versions);
    res->versions = NULL;
    res->nversions = 0;
    res->enclosed = 0;
    res->redirect_version = res->redirect_edits = 0;
    for (size_t i = 0; i < res->count; i++)
        res->actions[i].version = 0;
}

const unsigned char *sieve_result_action_message(const sieve_result *r, size_t i, size_t *len,
                                                 size_t *first_edit)
{
    size_t k = !r ? 0 : i < r->count ? r->actions[i].version : i == r->count ? r->nversions : 0;
    const sv_version *v = k && k <= r->nversions ? &r->versions[k - 1] : NULL;
    if (len)
        *len = v && v->bytes ? v->len : 0;
    if (first_edit)
        *first_edit = v && v->bytes ? v->first_edit : 0;
    return v ? v->bytes : NULL;
}

void sieve_result_free(sieve_result *r)
{
    if (!r)
        return;
    sv_result_versions_free(r);
    lm_free(r->implicit_flags);
    for (size_t i = 0; i < r->count; i++) {
        lm_free(r->actions[i].target);
        lm_free(r->actions[i].flags);
        for (size_t k = 0; k < r->actions[i].nparams; k++) {
            lm_free(r->actions[i].params[k].name);
            lm_free(r->actions[i].params[k].value);
        }
        lm_free(r->actions[i].params);
    }
    lm_free(r->actions);
    sv_result_edits_free(r);
    lm_free(r);
}
