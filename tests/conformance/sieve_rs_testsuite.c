/* sieve_rs_testsuite.c — vnd.stalwart.testsuite for libsieve (test-only): the `test` block and
 * the test_* commands and tests of sieve-rs's .svtest files, with the semantics of sieve-rs's
 * own harness as the suite's README describes them, and the source adjustments that let
 * libsieve read those files (srs_prepare_source). */
#include "sieve_rs_testsuite.h"

#include "sieve_harness.h"

#include "lm_alloc.h"
#include "lm_ascii.h"
#include "lm_buf.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The testsuite's own tags: the engine numbers an extra extension's tags from SV_TAG_EXTRA. */
enum { SRS_TAG_SMTP = SV_TAG_EXTRA, SRS_TAG_FOLDER, SRS_TAG_MAILBOX, SRS_TAG_EXTENSION };

#define EXT "vnd.stalwart.testsuite"
const sv_tag_def srs_tags[] = {
    [SRS_TAG_SMTP - SV_TAG_EXTRA] = {"smtp", SV_T_NUMBER, SV_GROUP_NONE, EXT},
    [SRS_TAG_FOLDER - SV_TAG_EXTRA] = {"folder", SV_T_STRING, SV_GROUP_NONE, EXT},
    [SRS_TAG_MAILBOX - SV_TAG_EXTRA] = {"mailbox", SV_T_STRING, SV_GROUP_NONE, EXT},
    [SRS_TAG_EXTENSION - SV_TAG_EXTRA] = {"extension", SV_T_STRING, SV_GROUP_NONE, EXT},
};
const size_t srs_tag_count = sizeof srs_tags / sizeof srs_tags[0];

/* A list of strings: mailboxes, duplicate ids, list members ("list\nvalue"), valid lists,
 * metadata ("mailbox\nentry" then the value in `values`). */
typedef struct srs_strings {
    char **items, **values;
    size_t n;
} srs_strings;

/* The site settings sieve-rs's harness keeps in its runtime, made anew at each
 * test_set "message" (README: "Initial environment"). */
typedef struct srs_site {
    char *protected_fields;       /* editheader's protected fields, space-separated */
    char *user_email;
    size_t max_variable_size;     /* 0: the library's default */
    srs_strings valid_lists;
    srs_strings metadata;
    double spam_score, spam_max;
    int virus_score;
    int64_t now;                  /* test_set "currentdate"; 0: the real clock */
    char *vacation_subject;       /* a reply's Subject when the message has none */
    char *vacation_template;      /* "<prefix>%{subject}" */
    int vacation_use_orig, vacation_ignore_envelope;
} srs_site;

struct srs_host {
    const sieve_options *eo;
    char *dir;
    srs_contain_fn contain;       /* gets core.user */
    sv_run *run;                  /* the run of the .svtest, as its last command saw it */
    sh_host core;                 /* the current message and envelope, the test block */
    size_t edit_base;             /* the edits made before the current message was set */
    const unsigned char *stale;   /* the message replace/enclose had rebuilt by then */
    int contained;                /* a test_fail ends only the test block being run */
    /* kept for the whole file (sieve-rs keeps them outside its runtime) */
    srs_strings mailboxes, members, seen_ids;
    unsigned max_includes, max_include_depth;
    size_t max_header_size;
    /* the site, and the run options it makes */
    srs_site site;
    sieve_run_options base;       /* the run's own options, their limits filled in */
    int have_base;
    const char *user_addresses[2];
    sieve_callbacks cb;
    sieve_run_options opts;
    lm_buf fn_out;                /* the text of the last host function's value */
};

/* ---- small functions ------------------------------------------------------------------------ */

/* The host of a run of the .svtest; the first command it runs notes the run and its options. */
static srs_host *host_of(sv_run *r)
{
    srs_host *h = r->host;
    h->run = r;
    if (!h->have_base) {
        h->base = *r->opts;
        h->have_base = 1;
    }
    return h;
}

static void strings_clear(srs_strings *l)
{
    for (size_t i = 0; i < l->n; i++) {
        lm_free(l->items[i]);
        if (l->values)
            lm_free(l->values[i]);
    }
    lm_free(l->items);
    lm_free(l->values);
    memset(l, 0, sizeof *l);
}

static long strings_find(const srs_strings *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->items[i], s))
            return (long)i;
    return -1;
}

/* Adds `s` (and `value`, or NULL) unless `s` is there; a value given replaces the old one. */
static int strings_put(srs_strings *l, const char *s, const char *value)
{
    long at = strings_find(l, s);
    if (at >= 0)
        return value ? sh_set_string(&l->values[at], value, strlen(value)) : 0;
    char **items = lm_realloc(l->items, (l->n + 1) * sizeof *items);
    if (!items)
        return SIEVE_E_NOMEM;
    l->items = items;
    char **values = lm_realloc(l->values, (l->n + 1) * sizeof *values);
    if (!values)
        return SIEVE_E_NOMEM;
    l->values = values;
    l->items[l->n] = lm_strndup(s, strlen(s));
    l->values[l->n] = value ? lm_strndup(value, strlen(value)) : NULL;
    if (!l->items[l->n] || (value && !l->values[l->n])) {
        lm_free(l->items[l->n]);
        lm_free(l->values[l->n]);
        return SIEVE_E_NOMEM;
    }
    l->n++;
    return 0;
}

static int pair_put(srs_strings *l, const char *a, const char *b, const char *value)
{
    char *k = sh_pair_key(a, b);
    int rc = k ? strings_put(l, k, value) : SIEVE_E_NOMEM;
    lm_free(k);
    return rc;
}

static long pair_find(const srs_strings *l, const char *a, const char *b)
{
    char *k = sh_pair_key(a, b);
    long at = k ? strings_find(l, k) : -1;
    lm_free(k);
    return at;
}

/* ---- the site and the run options ---------------------------------------------------------- */

static void site_clear(srs_site *s)
{
    lm_free(s->protected_fields);
    lm_free(s->user_email);
    lm_free(s->vacation_subject);
    lm_free(s->vacation_template);
    strings_clear(&s->valid_lists);
    strings_clear(&s->metadata);
    memset(s, 0, sizeof *s);
}

/* The site sieve-rs's harness starts each message with: Auto-Submitted and Received protected,
 * the user MAILER-DAEMON, no scanner verdicts, the real clock. */
static int site_reset(srs_host *h)
{
    site_clear(&h->site);
    int rc = sh_set_string(&h->site.protected_fields, "Auto-Submitted Received",
                        strlen("Auto-Submitted Received"));
    return rc ? rc : sh_set_string(&h->site.user_email, "MAILER-DAEMON", strlen("MAILER-DAEMON"));
}

/* The run options the site makes; a run of the .svtest sees them from its next command on. */
static void apply_site(srs_host *h)
{
    sieve_run_options *o = &h->opts;
    if (h->have_base)
        *o = h->base;
    else
        sieve_run_options_init(o);
    o->callbacks = &h->cb;
    if (h->site.max_variable_size)
        o->max_variable_size = h->site.max_variable_size;
    o->editheader_no_add = h->site.protected_fields;
    o->editheader_no_delete = h->site.protected_fields;
    h->user_addresses[0] = h->site.user_email;
    h->user_addresses[1] = NULL;
    o->user_addresses = h->user_addresses;
    o->spam_score = h->site.spam_score;
    o->spam_max = h->site.spam_max;
    o->virus_score = h->site.virus_score;
    o->vacation_default_subject = h->site.vacation_subject;
    o->vacation_subject_template = h->site.vacation_template;
    o->vacation_use_orig_recipient = h->site.vacation_use_orig;
    o->vacation_to_header_ignore_envelope = h->site.vacation_ignore_envelope;
    if (h->run) {
        h->run->opts = o;
        sv_vars_set_limits(h->run->vars, o->max_variables, o->max_variable_size);
    }
}

/* ---- the message and the envelope ------------------------------------------------------ */

/* sieve-rs's envelope for a new message: the first From address as the sender and the first
 * To address as the recipient, nothing else. */
static int derive_envelope(srs_host *h)
{
    int nomem = 0;
    char *from = sh_first_address(h->core.msg, "from", &nomem);
    char *to = sh_first_address(h->core.msg, "to", &nomem);
    lm_free(h->core.env_from);
    lm_free(h->core.env_to);
    lm_free(h->core.env_orig_to);
    lm_free(h->core.env_auth);
    h->core.env_from = from;
    h->core.env_to = to;
    h->core.env_orig_to = h->core.env_auth = NULL;
    sh_host_env_refresh(&h->core, h->run);
    return nomem ? SIEVE_E_NOMEM : 0;
}

/* Makes `text` the current message, as sieve-rs's test_set "message" does: the envelope
 * derived from it, the site as it starts, the implicit keep in force again and no redirect
 * counted; the actions decided so far stay. A text that does not parse is the empty message
 * (as sieve-rs's harness falls back to). */
static int set_message(srs_host *h, sv_run *r, const char *text, size_t len)
{
    int rc = sh_host_set_message(&h->core, text, len);
    if (rc == SIEVE_E_INVAL)
        rc = sh_host_set_message(&h->core, "", 0);
    if (rc)
        return SIEVE_E_NOMEM; /* even the empty message did not parse: out of memory */
    rc = site_reset(h);
    if (rc)
        return rc;
    apply_site(h);
    if (r) {
        sv_run_set_message(r, h->core.msg);
        r->result->implicit_keep = 1;
        r->redirects = 0;
        h->edit_base = sieve_result_edit_count(r->result);
        h->stale = sieve_result_action_message(r->result, r->result->count, NULL, NULL);
    }
    return derive_envelope(h);
}

/* ---- test blocks ---------------------------------------------------------------------- */

/* sieve-rs ends the whole file at the first failure; in a contained block only the block ends. */
static int fail_test(sv_run *r, sv_pos pos, const char *reason)
{
    srs_host *h = host_of(r);
    /* Out of the loops inside the test block too: the suite's test blocks are at the top, so
     * every block open now is left. */
    return sh_host_fail(&h->core, r, pos, reason, h->contained, INT_MAX);
}

static int run_test(sv_run *r, const sv_args *a)
{
    srs_host *h = host_of(r);
    int rc = sh_host_test_command(&h->core, r, a);
    if (rc <= 0)
        return rc;
    h->contained = h->contain && h->contain(h->core.user, h->core.test_name);
    return 0;
}

static int run_test_fail(sv_run *r, const sv_args *a)
{
    sv_str reason;
    int rc = sh_arg_string(r, a, 0, &reason);
    return rc ? rc : fail_test(r, a->pos, reason.s);
}

/* ---- the result ------------------------------------------------------------------------ */

/* An action that sends a message, as sieve-rs's SendMessage event: redirect, a vacation reply
 * that is sent, a mailto: notification that is sent (it has its "mail"). */
static int is_sending(const sieve_result *res, size_t i)
{
    switch (res->actions[i].type) {
    case SIEVE_ACTION_REDIRECT: return 1;
    case SIEVE_ACTION_VACATION: return sieve_result_action_param(res, i, "message") != NULL;
    case SIEVE_ACTION_NOTIFY: return sieve_result_action_param(res, i, "mail") != NULL;
    default: return 0;
    }
}

static int any_action(const sieve_result *res, int type)
{
    for (size_t i = 0; i < res->count; i++)
        if (res->actions[i].type == type)
            return 1;
    return 0;
}

static int any_sending(const sieve_result *res)
{
    for (size_t i = 0; i < res->count; i++)
        if (is_sending(res, i))
            return 1;
    return 0;
}

/* test_set "message" :smtp N: the message the last sending action sends (sieve-rs ignores N). */
static int set_sent_message(srs_host *h, sv_run *r, sv_pos pos)
{
    const sieve_result *res = r->result;
    for (size_t i = res->count; i-- > 0;) {
        if (!is_sending(res, i))
            continue;
        const sv_action *act = &res->actions[i];
        /* A vacation reply and a notification are whole messages the library built. */
        const char *key = act->type == SIEVE_ACTION_VACATION ? "message"
                          : act->type == SIEVE_ACTION_NOTIFY ? "mail" : NULL;
        const char *m = key ? sieve_result_action_param(res, i, key) : NULL;
        if (m)
            return set_message(h, r, m, strlen(m));
        char *text;
        size_t len;
        int rc = sh_edited_message(h->core.text, h->core.len, res, 0, NULL, &text, &len);
        if (!rc)
            rc = set_message(h, r, text, len);
        lm_free(text);
        return rc;
    }
    return fail_test(r, pos, "test_set :smtp: no message was sent");
}

/* "YYYY-MM-DDThh:mm:ss" with "Z" or "+hh:mm"/"-hh:mm" (RFC 3339 §5.6, no fractions) in
 * seconds since the epoch. 0 or -1. */
static int rfc3339_time(const char *s, int64_t *out)
{
    int y, mo, d, hh, mm, ss, oh = 0, om = 0, used = 0;
    char sign = 'Z';
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &hh, &mm, &ss, &used) != 6)
        return -1;
    s += used;
    if ((*s == '+' || *s == '-') && sscanf(s + 1, "%2d:%2d", &oh, &om) == 2)
        sign = *s;
    else if (*s != 'Z' && *s != 'z')
        return -1;
    /* days from the civil date (proleptic Gregorian) */
    int yy = mo <= 2 ? y - 1 : y;
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400, yoe = yy - era * 400;
    int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t days = era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
    int64_t off = (oh * 60 + om) * 60;
    *out = days * 86400 + hh * 3600 + mm * 60 + ss - (sign == '-' ? -off : sign == '+' ? off : 0);
    return 0;
}

static int run_test_set(sv_run *r, const sv_args *a)
{
    srs_host *h = host_of(r);
    sv_str key, value = {.s = "", .len = 0};
    int rc = sh_arg_string(r, a, 0, &key);
    if (!rc && a->positional[1].type != SV_T_NONE)
        rc = sh_arg_string(r, a, 1, &value);
    if (rc)
        return rc;
    if (!strcmp(key.s, "message"))
        return sv_args_tag(a, SRS_TAG_SMTP) ? set_sent_message(h, r, a->pos)
                                            : set_message(h, r, value.s, value.len);
    if (!strcmp(key.s, "envelope.from"))
        rc = sh_set_path(&h->core.env_from, value.s, value.len);
    else if (!strcmp(key.s, "envelope.to"))
        rc = sh_set_path(&h->core.env_to, value.s, value.len);
    else if (!strcmp(key.s, "envelope.orcpt"))
        rc = sh_set_path(&h->core.env_orig_to, value.s, value.len);
    else if (!strcmp(key.s, "envelope.auth"))
        rc = sh_set_string(&h->core.env_auth, value.s, value.len);
    else if (!strcmp(key.s, "envelope.bytimeabsolute")) {
        int64_t t;
        if (rfc3339_time(value.s, &t))
            return sv_run_error(r, a->pos, "test_set: \"%s\" is not an RFC 3339 time", value.s);
        sh_host_env_refresh(&h->core, h->run);
        h->core.env.by_deadline = t;
        return 0;
    } else if (!strcmp(key.s, "currentdate")) {
        mailparse_date d;
        if (mailparse_parse_date(value.s, value.len, &d))
            return sv_run_error(r, a->pos, "test_set: \"%s\" is not an RFC 5322 date", value.s);
        h->site.now = d.timestamp;
        r->now_known = 0;
        return 0;
    } else
        return sv_run_error(r, a->pos, "test_set: unknown object \"%s\"", key.s);
    sh_host_env_refresh(&h->core, h->run);
    return rc;
}

/* test_message :folder "box" N (a keep still in force, or a keep for INBOX, or a fileinto to
 * "box") and :smtp N (a message was sent); as a command it checks nothing, as in sieve-rs. */
static int run_test_message_test(sv_run *r, const sv_args *a)
{
    const sieve_result *res = r->result;
    const sv_value *fv = sv_args_tag(a, SRS_TAG_FOLDER);
    if (!fv)
        return any_sending(res);
    sv_str box;
    int rc = sv_run_string(r, &fv->strs[0], &box);
    if (rc)
        return rc;
    if (res->implicit_keep)
        return 1;
    int inbox = lm_eq_nocase(box.s, box.len, "INBOX");
    for (size_t i = 0; i < res->count; i++)
        if (inbox ? res->actions[i].type == SIEVE_ACTION_KEEP
                  : res->actions[i].type == SIEVE_ACTION_FILEINTO &&
                        !strcmp(res->actions[i].target, box.s))
            return 1;
    return 0;
}

/* A keep, fileinto or sent message among the actions, or the implicit keep in force. */
static int run_test_result_execute(sv_run *r, const sv_args *a)
{
    (void)a;
    const sieve_result *res = r->result;
    return res->implicit_keep || any_action(res, SIEVE_ACTION_KEEP) ||
           any_action(res, SIEVE_ACTION_FILEINTO) || any_sending(res);
}

static int run_test_result_action(sv_run *r, const sv_args *a)
{
    const sieve_result *res = r->result;
    sv_str name, addr = {.s = "", .len = 0};
    int rc = sh_arg_string(r, a, 0, &name);
    if (!rc && a->positional[1].type != SV_T_NONE)
        rc = sh_arg_string(r, a, 1, &addr);
    if (rc)
        return rc;
    if (!strcmp(name.s, "reject"))
        return any_action(res, SIEVE_ACTION_REJECT) || any_action(res, SIEVE_ACTION_EREJECT);
    if (!strcmp(name.s, "keep"))
        return res->implicit_keep || any_action(res, SIEVE_ACTION_KEEP);
    if (!strcmp(name.s, "send_message"))
        return any_sending(res);
    if (!strcmp(name.s, "redirect")) {
        for (size_t i = 0; i < res->count; i++)
            if (res->actions[i].type == SIEVE_ACTION_REDIRECT &&
                !strcmp(res->actions[i].target, addr.s))
                return 1;
        return 0;
    }
    return sv_run_error(r, a->pos, "test_result_action: unknown action \"%s\"", name.s);
}

static int run_test_result_action_count(sv_run *r, const sv_args *a)
{
    sv_str n;
    int rc = sh_arg_string(r, a, 0, &n);
    return rc ? rc : r->result->count == strtoull(n.s, NULL, 10);
}

/* sieve-rs clears the actions, metadata, created mailboxes and lists and the use of the
 * original recipient by vacation, and puts the implicit keep back in force. */
static int run_test_result_reset(sv_run *r, const sv_args *a)
{
    (void)a;
    srs_host *h = host_of(r);
    int rc = sh_empty_result(r);
    if (rc)
        return rc;
    h->edit_base = 0;
    h->stale = NULL;
    strings_clear(&h->site.metadata);
    strings_clear(&h->mailboxes);
    strings_clear(&h->members);
    h->site.vacation_use_orig = 0;
    apply_site(h);
    return 0;
}

/* The message as the implicit keep would store it now — as replace or enclose rebuilt it (if
 * they did since it was set) and with the header edits made since — against the text given. */
static int run_test_assert_message(sv_run *r, const sv_args *a)
{
    srs_host *h = host_of(r);
    sv_str want;
    int rc = sh_arg_string(r, a, 0, &want);
    if (rc)
        return rc;
    size_t blen, first;
    const unsigned char *built = sieve_result_action_message(r->result, r->result->count, &blen,
                                                             &first);
    char *text;
    size_t len;
    if (built && built != h->stale)
        rc = sh_edited_message((const char *)built, blen, r->result, first, NULL, &text, &len);
    else
        rc = sh_edited_message(h->core.text, h->core.len, r->result, h->edit_base, NULL, &text,
                               &len);
    if (rc)
        return rc;
    int same = len == want.len && !memcmp(text, want.s, len);
    size_t at = 0;
    while (at < len && at < want.len && text[at] == want.s[at])
        at++;
    lm_free(text);
    if (same)
        return 0;
    char why[120];
    snprintf(why, sizeof why, "the message differs from the one expected from octet %zu on", at);
    return fail_test(r, a->pos, why);
}

/* ---- fixtures and settings -------------------------------------------------------------- */

/* True when <dir>/<path> compiles with the compile settings test_config_set made. */
static int run_test_script_compile(sv_run *r, const sv_args *a)
{
    srs_host *h = host_of(r);
    sv_str path;
    int rc = sh_arg_string(r, a, 0, &path);
    if (rc)
        return rc;
    size_t len, moved;
    char *raw = sh_read_file(h->dir, path.s, &len);
    if (!raw)
        return sv_run_error(r, a->pos, "test_script_compile: cannot read \"%s\"", path.s);
    char *src = srs_prepare_source(raw, len, &len, &moved);
    free(raw);
    if (!src)
        return SIEVE_E_NOMEM;
    sieve_options eo = *h->eo;
    eo.include_user = h->dir;
    eo.max_includes = h->max_includes;
    eo.max_include_depth = h->max_include_depth;
    eo.max_header_edit_size = h->max_header_size;
    const sv_ext_def *extra[] = {&srs_ext_testsuite};
    sieve_engine *e = NULL;
    sieve_script *s = NULL;
    rc = sv_engine_new_with(&eo, extra, 1, srs_tags, srs_tag_count, &e);
    if (!rc)
        rc = sieve_compile(e, src, len, &s, NULL);
    free(src);
    sieve_script_free(s);
    sieve_engine_free(e);
    if (rc == SIEVE_E_NOMEM)
        return rc;
    return rc == 0;
}

/* sieve-rs's subject template is a prefix put before the message's subject: the same as the
 * library's template "<prefix>%{subject}" ("%" written "%%"). */
static int subject_template(char **slot, const char *prefix)
{
    lm_buf b = LM_BUF_INIT;
    for (const char *p = prefix; *p; p++) {
        if (*p == '%')
            lm_buf_putc(&b, '%');
        lm_buf_putc(&b, *p);
    }
    lm_buf_puts(&b, "%{subject}");
    int oom = b.oom;
    char *t = lm_buf_take(&b, NULL);
    if (oom || !t) {
        lm_free(t);
        return SIEVE_E_NOMEM;
    }
    lm_free(*slot);
    *slot = t;
    return 0;
}

/* A count setting: a number, or "" for sieve-rs's default of `empty`. */
static unsigned count_setting(const char *v, unsigned empty)
{
    return *v ? (unsigned)strtoul(v, NULL, 10) : empty;
}

static int run_test_config_set(sv_run *r, const sv_args *a)
{
    srs_host *h = host_of(r);
    sv_str key, value, extra = {.s = "", .len = 0};
    int rc = sh_arg_string(r, a, 0, &key);
    if (!rc)
        rc = sh_arg_string(r, a, 1, &value);
    if (!rc && a->positional[2].type != SV_T_NONE)
        rc = sh_arg_string(r, a, 2, &extra);
    if (rc)
        return rc;
    const char *k = key.s, *v = value.s;
    srs_site *s = &h->site;
    if (!strcmp(k, "sieve_editheader_protected") || !strcmp(k, "sieve_editheader_forbid_add") ||
        !strcmp(k, "sieve_editheader_forbid_delete")) {
        /* sieve-rs protects the fields named from both (none when the value is empty) */
        lm_buf b = LM_BUF_INIT;
        if (*v && s->protected_fields && *s->protected_fields) {
            lm_buf_puts(&b, s->protected_fields);
            lm_buf_putc(&b, ' ');
        }
        lm_buf_puts(&b, v);
        if (b.oom) {
            lm_buf_free(&b);
            return SIEVE_E_NOMEM;
        }
        lm_free(s->protected_fields);
        s->protected_fields = lm_buf_take(&b, NULL);
        if (!s->protected_fields)
            return SIEVE_E_NOMEM;
    } else if (!strcmp(k, "sieve_variables_max_variable_size"))
        s->max_variable_size = strtoul(v, NULL, 10);
    else if (!strcmp(k, "sieve_valid_ext_list"))
        rc = strings_put(&s->valid_lists, v, NULL);
    else if (!strcmp(k, "sieve_ext_list_item"))
        rc = pair_put(&h->members, v, extra.s, NULL);
    else if (!strcmp(k, "sieve_duplicated_id"))
        rc = strings_put(&h->seen_ids, v, NULL);
    else if (!strcmp(k, "sieve_user_email"))
        rc = sh_set_string(&s->user_email, v, value.len);
    else if (!strcmp(k, "sieve_spam_status")) {
        /* a level 1..10 is a score of level - 1 out of 9; 0: not scanned */
        unsigned level = count_setting(v, 0);
        s->spam_score = level ? level - 1 : 0;
        s->spam_max = level ? 9 : 0;
    } else if (!strcmp(k, "sieve_spam_status_plus")) {
        unsigned pct = count_setting(v, 0); /* a percentage; 0: not scanned */
        s->spam_score = pct > 100 ? 100 : pct;
        s->spam_max = pct ? 100 : 0;
    } else if (!strcmp(k, "sieve_virus_status"))
        s->virus_score = (int)count_setting(v, 0);
    else if (!strcmp(k, "sieve_editheader_max_header_size"))
        h->max_header_size = count_setting(v, 1024);
    else if (!strcmp(k, "sieve_include_max_includes"))
        h->max_includes = count_setting(v, 3);
    else if (!strcmp(k, "sieve_include_max_nesting_depth"))
        h->max_include_depth = count_setting(v, 3);
    else if (!strcmp(k, "sieve_vacation_use_original_recipient"))
        s->vacation_use_orig = lm_eq_nocase(v, value.len, "yes");
    else if (!strcmp(k, "sieve_vacation_to_header_ignore_envelope"))
        s->vacation_ignore_envelope = lm_eq_nocase(v, value.len, "yes");
    else if (!strcmp(k, "sieve_vacation_default_subject"))
        rc = sh_set_string(&s->vacation_subject, v, value.len);
    else if (!strcmp(k, "sieve_vacation_default_subject_template"))
        rc = subject_template(&s->vacation_template, v);
    else
        return sv_run_error(r, a->pos, "test_config_set: unknown setting \"%s\"", k);
    if (!rc)
        apply_site(h);
    return rc;
}

static int run_test_mailbox_create(sv_run *r, const sv_args *a)
{
    sv_str box;
    int rc = sh_arg_string(r, a, 0, &box);
    return rc ? rc : strings_put(&host_of(r)->mailboxes, box.s, NULL);
}

static int run_test_imap_metadata_set(sv_run *r, const sv_args *a)
{
    sv_str box, entry, value;
    int rc = sh_metadata_args(r, a, SRS_TAG_MAILBOX, &box, &entry, &value);
    return rc ? rc : pair_put(&host_of(r)->site.metadata, box.s, entry.s, value.s);
}

/* ---- callbacks of the run ------------------------------------------------------------------ */

static int64_t cb_now(void *user)
{
    const srs_host *h = user;
    return h->site.now ? h->site.now : (int64_t)time(NULL);
}

/* A mailbox test_mailbox_create made, or one a fileinto :create among the actions makes. */
static int cb_mailbox_exists(void *user, const char *mailbox)
{
    const srs_host *h = user;
    if (strings_find(&h->mailboxes, mailbox) >= 0)
        return 1;
    const sieve_result *res = h->run ? h->run->result : NULL;
    for (size_t i = 0; res && i < res->count; i++)
        if (res->actions[i].type == SIEVE_ACTION_FILEINTO &&
            (res->actions[i].options & SIEVE_ACTION_CREATE) &&
            !strcmp(res->actions[i].target, mailbox))
            return 1;
    return 0;
}

static long cb_metadata(void *user, const char *mailbox, const char *entry, char *buf,
                        size_t size)
{
    const srs_host *h = user;
    long at = pair_find(&h->site.metadata, mailbox ? mailbox : "", entry);
    return sh_copy_value(at < 0 ? NULL : h->site.metadata.values[at], buf, size);
}

/* sieve-rs's harness calls an id seen when sieve_duplicated_id named it: the handle followed
 * by the id, a message id without its angle brackets. Nothing else is ever seen. */
static int cb_duplicate(void *user, const char *handle, const char *id, uint64_t seconds,
                        int mark)
{
    (void)seconds;
    (void)mark;
    const srs_host *h = user;
    size_t n = strlen(id);
    if (n >= 2 && id[0] == '<' && id[n - 1] == '>') {
        id++;
        n -= 2;
    }
    lm_buf key = LM_BUF_INIT;
    lm_buf_puts(&key, handle ? handle : "");
    lm_buf_append(&key, id, n);
    int seen = !key.oom && strings_find(&h->seen_ids, key.data ? key.data : "") >= 0;
    lm_buf_free(&key);
    return seen;
}

/* The environment sieve-rs's harness sets (vnd.stalwart.* items). */
static long cb_environment(void *user, const char *name, char *buf, size_t size)
{
    (void)user;
    const char *v = !strcmp(name, "vnd.stalwart.default_mailbox") ? "INBOX"
                    : !strcmp(name, "vnd.stalwart.username") ? "john.doe" : NULL;
    return sh_copy_value(v, buf, size);
}

/* Lists: a value is a member when sieve_ext_list_item added it; a list is valid when
 * sieve_valid_ext_list named it or it has members. */
static int cb_list_contains(void *user, const char *list, const char *value)
{
    const srs_host *h = user;
    if (!value) {
        if (strings_find(&h->site.valid_lists, list) >= 0)
            return 1;
        size_t n = strlen(list);
        for (size_t i = 0; i < h->members.n; i++)
            if (!strncmp(h->members.items[i], list, n) && h->members.items[i][n] == '\n')
                return 1;
        return -1;
    }
    return pair_find(&h->members, list, value) >= 0;
}

/* ---- host functions ------------------------------------------------------------------------ */

const sieve_function srs_functions[] = {
    {"is_uppercase", 1}, {"is_ascii", 1}, {"eq_lowercase", 2}, {"concat_three", 3},
    {"ext_zero", 0}, {"ext_one", 1}, {"ext_two", 2}, {"ext_three", 3}, {"ext_true", 0},
    {"ext_false", 0},
};
const size_t srs_function_count = sizeof srs_functions / sizeof srs_functions[0];

/* The functions as sieve-rs's harness defines them (letters compared and changed in ASCII:
 * the suite's uses are ASCII). */
static int cb_function(void *user, const char *name, const sieve_value *args, size_t argc,
                       sieve_value *result)
{
    srs_host *h = user;
    lm_buf *b = &h->fn_out;
    lm_buf_reset(b);
    const char *s = argc ? args[0].string : "";
    int flag = -1;
    if (!strcmp(name, "is_uppercase")) {
        flag = 1;
        for (const char *p = s; *p; p++)
            flag &= !(*p >= 'a' && *p <= 'z');
    } else if (!strcmp(name, "is_ascii")) {
        flag = 1;
        for (const char *p = s; *p; p++)
            flag &= (unsigned char)*p < 0x80;
    } else if (!strcmp(name, "eq_lowercase")) {
        flag = lm_eq_nocase(s, args[0].length, args[1].string) &&
               strlen(args[1].string) == args[1].length;
    } else if (!strcmp(name, "ext_true") || !strcmp(name, "ext_false")) {
        flag = !strcmp(name, "ext_true");
    } else if (!strcmp(name, "ext_zero")) {
        lm_buf_puts(b, "my_value");
    } else if (!strcmp(name, "ext_one")) {
        for (const char *p = s; *p; p++)
            lm_buf_putc(b, *p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
    } else { /* concat_three, ext_two, ext_three: the arguments joined with "-" */
        for (size_t i = 0; i < argc; i++) {
            if (i)
                lm_buf_putc(b, '-');
            lm_buf_append(b, args[i].string, args[i].length);
        }
    }
    if (flag >= 0) {
        result->type = SIEVE_VALUE_INTEGER;
        result->integer = flag;
        return 0;
    }
    if (b->oom)
        return SIEVE_E_NOMEM;
    result->type = SIEVE_VALUE_STRING;
    result->string = b->data ? b->data : "";
    result->length = b->len;
    return 0;
}

/* ---- the host -------------------------------------------------------------------------------- */

int srs_host_new(const sieve_options *eo, const char *dir,
                 srs_contain_fn contain, srs_report_fn report, void *user, srs_host **out)
{
    *out = NULL;
    srs_host *h = lm_calloc(1, sizeof *h);
    if (!h)
        return SIEVE_E_NOMEM;
    h->eo = eo;
    h->contain = contain;
    h->core.report = report;
    h->core.user = user;
    h->max_includes = eo->max_includes;
    h->max_include_depth = eo->max_include_depth;
    h->max_header_size = eo->max_header_edit_size;
    sieve_callbacks_init(&h->cb);
    h->cb.user = h;
    h->cb.now = cb_now;
    h->cb.mailbox_exists = cb_mailbox_exists;
    h->cb.metadata = cb_metadata;
    h->cb.duplicate = cb_duplicate;
    h->cb.environment = cb_environment;
    h->cb.list_contains = cb_list_contains;
    h->cb.function = cb_function;
    int rc = sh_set_string(&h->dir, dir, strlen(dir));
    if (!rc)
        rc = set_message(h, NULL, "", 0);
    if (rc) {
        srs_host_free(h);
        return rc;
    }
    *out = h;
    return 0;
}

void srs_host_free(srs_host *h)
{
    if (!h)
        return;
    site_clear(&h->site);
    strings_clear(&h->mailboxes);
    strings_clear(&h->members);
    strings_clear(&h->seen_ids);
    sh_host_clear(&h->core);
    lm_free(h->dir);
    lm_buf_free(&h->fn_out);
    lm_free(h);
}

int srs_host_run(srs_host *h, const sieve_script *s, char *why, size_t size)
{
    h->run = NULL;
    int rc = sh_host_run(&h->core, s, h, &h->opts, why, size);
    h->run = NULL;
    return rc;
}

/* ---- the source as libsieve reads it -------------------------------------------------------- */

static int word_char(char c)
{
    return lm_is_alnum((unsigned char)c) || c == '_' || c == '.' || c == '-';
}

/* The end of the quoted string that starts at s[i] (past its closing quote). */
static size_t quoted_end(const char *s, size_t n, size_t i)
{
    for (i++; i < n && s[i] != '"'; i++)
        if (s[i] == '\\' && i + 1 < n)
            i++;
    return i < n ? i + 1 : n;
}

/* The end of the comment that starts at s[i] ("#" to the line end, or a bracketed one), or i
 * when none starts there. */
static size_t comment_end(const char *s, size_t n, size_t i)
{
    if (s[i] == '#') {
        const char *nl = memchr(s + i, '\n', n - i);
        return nl ? (size_t)(nl - s) + 1 : n;
    }
    if (s[i] == '/' && i + 1 < n && s[i + 1] == '*') {
        for (size_t k = i + 2; k + 1 < n; k++)
            if (s[k] == '*' && s[k + 1] == '/')
                return k + 2;
        return n;
    }
    return i;
}

/* The end of the multi-line string whose "text:" starts at s[i]: past its "." line. */
static size_t text_end(const char *s, size_t n, size_t i)
{
    const char *nl = memchr(s + i, '\n', n - i);
    for (size_t at = nl ? (size_t)(nl - s) + 1 : n; at < n;) {
        nl = memchr(s + at, '\n', n - at);
        size_t end = nl ? (size_t)(nl - s) + 1 : n;
        if (end - at >= 2 && s[at] == '.' && (s[at + 1] == '\r' || s[at + 1] == '\n'))
            return end;
        at = end;
    }
    return n;
}

/* The end of the require command that starts at s[i] (past its ";"). */
static size_t require_end(const char *s, size_t n, size_t i)
{
    while (i < n && s[i] != ';') {
        size_t c = comment_end(s, n, i);
        i = s[i] == '"' ? quoted_end(s, n, i) : c > i ? c : i + 1;
    }
    return i < n ? i + 1 : n;
}

char *srs_prepare_source(const char *src, size_t len, size_t *out_len, size_t *moved)
{
    static const char smtp_form[] = "test_set \"message\" :smtp ";
    lm_buf crlf = LM_BUF_INIT, out = LM_BUF_INIT, hoist = LM_BUF_INIT;
    for (size_t i = 0; i < len; i++) {
        if (src[i] == '\n' && (i == 0 || src[i - 1] != '\r'))
            lm_buf_putc(&crlf, '\r');
        lm_buf_putc(&crlf, src[i]);
    }
    const char *s = crlf.data ? crlf.data : "";
    size_t n = crlf.len, top = 0, i = 0;
    int seen_other = 0;
    *moved = 0;
    while (i < n) {
        size_t end = comment_end(s, n, i);
        if (end > i) {
            lm_buf_append(&out, s + i, end - i);
            i = end;
            continue;
        }
        if (lm_is_space((unsigned char)s[i])) {
            lm_buf_putc(&out, s[i++]);
            continue;
        }
        if (s[i] == '"') {
            end = quoted_end(s, n, i);
        } else if (n - i > 5 && !lm_strncasecmp(s + i, "text:", 5)) {
            end = text_end(s, n, i);
        } else if (n - i > 7 && !lm_strncasecmp(s + i, "require", 7) && !word_char(s[i + 7])) {
            end = require_end(s, n, i);
            if (!seen_other) {
                lm_buf_append(&out, s + i, end - i);
                top = out.len;
            } else { /* moved to the top; blanks keep the lines and columns of the rest */
                lm_buf_putc(&hoist, ' ');
                for (size_t k = i; k < end; k++) {
                    int nl = s[k] == '\r' || s[k] == '\n';
                    lm_buf_putc(&hoist, nl ? ' ' : s[k]);
                    lm_buf_putc(&out, nl ? s[k] : ' ');
                }
                ++*moved;
            }
            i = end;
            continue;
        } else if (n - i > sizeof smtp_form && !memcmp(s + i, smtp_form, sizeof smtp_form - 1) &&
                   lm_is_digit((unsigned char)s[i + sizeof smtp_form - 1])) {
            size_t d = i + sizeof smtp_form - 1, e = d;
            while (e < n && lm_is_digit((unsigned char)s[e]))
                e++;
            lm_buf_puts(&out, "test_set :smtp ");
            lm_buf_append(&out, s + d, e - d);
            lm_buf_puts(&out, " \"message\"");
            end = i = e;
            seen_other = 1;
            continue;
        } else {
            end = i + 1;
            while (word_char(s[i]) && end < n && word_char(s[end]))
                end++;
        }
        lm_buf_append(&out, s + i, end - i);
        seen_other = 1;
        i = end;
    }
    lm_buf result = LM_BUF_INIT;
    lm_buf_append(&result, out.data ? out.data : "", top);
    lm_buf_append(&result, hoist.data ? hoist.data : "", hoist.len);
    lm_buf_append(&result, out.data ? out.data + top : "", out.len - top);
    int oom = crlf.oom || out.oom || hoist.oom;
    lm_buf_free(&crlf);
    lm_buf_free(&out);
    lm_buf_free(&hoist);
    char *text = lm_buf_take(&result, out_len);
    if (oom || !text) {
        lm_free(text);
        return NULL;
    }
    /* a malloc'd copy: the runner frees it with free() */
    char *copy = malloc(*out_len + 1);
    if (copy)
        memcpy(copy, text, *out_len + 1);
    lm_free(text);
    return copy;
}

/* ---- the definitions ------------------------------------------------------------------------ */

static const uint8_t no_tags[] = {SV_TAG_COUNT_};
static const uint8_t set_tags[] = {SRS_TAG_SMTP, SV_TAG_COUNT_};
static const uint8_t message_tags[] = {SRS_TAG_SMTP, SRS_TAG_FOLDER, SV_TAG_COUNT_};
static const uint8_t reload_tags[] = {SRS_TAG_EXTENSION, SV_TAG_COUNT_};
static const uint8_t metadata_tags[] = {SRS_TAG_MAILBOX, SV_TAG_COUNT_};

#define OPT_STRING (SV_T_STRING | SV_T_OPTIONAL)
#define OPT_NUMBER (SV_T_NUMBER | SV_T_OPTIONAL) /* "test_message :smtp 0": the tag takes it */
#define TWO(x, y) {x, y}
#define THREE(x, y, z) {x, y, z}
#define CMD(name, npos, types, tags, run) \
    {name, SV_KIND_COMMAND, SV_CTL_NONE, npos, types, tags, NULL, run}
#define TEST(name, npos, types, tags, run) \
    {name, SV_KIND_TEST, SV_CTL_NONE, npos, types, tags, NULL, run}

static const sv_cmd_def testsuite_commands[] = {
    {"test", SV_KIND_COMMAND, SV_CTL_BLOCK, 1, {SV_T_STRING}, no_tags, NULL, run_test},
    CMD("test_fail", 1, {SV_T_STRING}, no_tags, run_test_fail),
    CMD("test_set", 2, TWO(SV_T_STRING, OPT_STRING), set_tags, run_test_set),
    CMD("test_message", 1, {OPT_NUMBER}, message_tags, sh_run_nothing),
    TEST("test_message", 1, {OPT_NUMBER}, message_tags, run_test_message_test),
    CMD("test_result_reset", 0, {0}, no_tags, run_test_result_reset),
    TEST("test_result_execute", 0, {0}, no_tags, run_test_result_execute),
    TEST("test_result_action", 2, TWO(SV_T_STRING, OPT_STRING), no_tags, run_test_result_action),
    TEST("test_result_action_count", 1, {SV_T_STRING}, no_tags, run_test_result_action_count),
    TEST("test_script_compile", 1, {SV_T_STRING}, no_tags, run_test_script_compile),
    CMD("test_assert_message", 1, {SV_T_STRING}, no_tags, run_test_assert_message),
    CMD("test_config_set", 3, THREE(SV_T_STRING, SV_T_STRING, OPT_STRING), no_tags,
        run_test_config_set),
    CMD("test_config_reload", 0, {0}, reload_tags, sh_run_nothing),
    CMD("test_mailbox_create", 1, {SV_T_STRING}, no_tags, run_test_mailbox_create),
    CMD("test_imap_metadata_set", 2, TWO(SV_T_STRING, SV_T_STRING), metadata_tags,
        run_test_imap_metadata_set),
};

const sv_ext_def srs_ext_testsuite = {
    EXT, testsuite_commands, sizeof testsuite_commands / sizeof testsuite_commands[0],
};
