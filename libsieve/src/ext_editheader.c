/* ext_editheader.c — addheader and deleteheader (RFC 5293), and the view of the top-level
 * header every test reads (sv_fields_each): the message's fields with the edits of the run
 * so far, so that a test after an edit sees it (RFC 5293 §3). The edits are also kept in the
 * result, in order, for the caller to apply to the message it delivers. */
#include "engine.h"

#include "lm_alloc.h"
#include "lm_ascii.h"

#include <string.h>

/* A field as written is at most this long by default (name, ": " and the folded value;
 * sieve_options.max_header_edit_size): RFC 5322 §2.1.1 keeps lines under 998 octets, and a
 * folded field of two kilobytes is already generous. */
#define SV_EDIT_MAX_FIELD 2048
/* Edits of one run (each addheader, and each field a deleteheader removes). */
#define SV_EDIT_MAX_COUNT 1000

/* One edit as the result keeps it (sieve_result_edit_at). */
typedef struct sv_edit {
    int kind;                /* SIEVE_EDIT_* */
    char *name, *value;
    size_t index;            /* DELETE: the occurrence removed, 1 = the topmost */
    int last;                /* ADD: at the end of the header rather than the top */
} sv_edit;

/* An added field of the view. */
typedef struct view_field {
    mailparse_header h;
    uint8_t deleted;
    struct view_field *next;
} view_field;

/* The header of the message `msg` after the edits: the added-at-the-top fields (the last
 * added first), the message's own fields less the deleted ones, the added-at-the-end fields.
 * Everything lives in the run's arena. */
struct sv_header_view {
    const mailparse_message *msg;
    uint8_t *deleted;        /* per field of the message's top-level header */
    size_t nfields;
    view_field *top;
    view_field *bottom, **bottom_tail;
    size_t added, removed;   /* octets of the fields added and deleted (sv_message_size) */
};

/* ---- the view ---------------------------------------------------------------------------- */

/* A live view of the current message, or NULL when the header is as received (or the harness
 * replaced the message since the view was made). */
static struct sv_header_view *current_view(sv_run *r)
{
    return r->hview && r->hview->msg == r->msg ? r->hview : NULL;
}

static int make_view(sv_run *r, struct sv_header_view **out)
{
    if ((*out = current_view(r)))
        return 0;
    struct sv_header_view *v = lm_arena_calloc(r->arena, 1, sizeof *v);
    const mailparse_part *top = mailparse_message_part(r->msg, 0);
    if (!v)
        return SIEVE_E_NOMEM;
    v->msg = r->msg;
    v->nfields = top ? top->header_count : 0;
    if (!(v->deleted = lm_arena_calloc(r->arena, v->nfields ? v->nfields : 1, 1)))
        return SIEVE_E_NOMEM;
    v->bottom_tail = &v->bottom;
    r->hview = v;
    *out = v;
    return 0;
}

/* Calls fn for each live field in order, with the flag that deletes it (NULL when the header
 * is unedited and the caller only reads). Of the message's own fields, only those at the
 * `npos` positions `pos` when `pos` is not NULL (the fields of one name: sv_field_index_find);
 * the added fields are all visited. */
typedef int (*walk_fn)(sv_run *r, void *user, const mailparse_header *h, uint8_t *deleted);

static int walk_some(sv_run *r, walk_fn fn, void *user, const uint32_t *pos, size_t npos)
{
    struct sv_header_view *v = current_view(r);
    int rc;
    for (view_field *f = v ? v->top : NULL; f; f = f->next)
        if (!f->deleted && (rc = fn(r, user, &f->h, &f->deleted)))
            return rc;
    const mailparse_part *top = mailparse_message_part(r->msg, 0);
    size_t n = !top ? 0 : pos ? npos : top->header_count;
    for (size_t k = 0; k < n; k++) {
        size_t i = pos ? pos[k] : k;
        const mailparse_header *h = mailparse_message_header_at(r->msg, top->header_first + i);
        if (h && !(v && v->deleted[i]) && (rc = fn(r, user, h, v ? &v->deleted[i] : NULL)))
            return rc;
    }
    for (view_field *f = v ? v->bottom : NULL; f; f = f->next)
        if (!f->deleted && (rc = fn(r, user, &f->h, &f->deleted)))
            return rc;
    return 0;
}

static int walk(sv_run *r, walk_fn fn, void *user)
{
    return walk_some(r, fn, user, NULL, 0);
}

static int same_name(const mailparse_header *h, const char *name, size_t len)
{
    return h->name_len == len && lm_strncasecmp(h->name, name, len) == 0;
}

typedef struct select_ctx {
    const char *name;
    size_t len;
    size_t seen, want;       /* want 0: every field of the name */
    sv_field_fn fn;
    void *user;
} select_ctx;

static int count_named(sv_run *r, void *user, const mailparse_header *h, uint8_t *deleted)
{
    (void)r;
    (void)deleted;
    select_ctx *c = user;
    c->seen += same_name(h, c->name, c->len);
    return 0;
}

static int call_named(sv_run *r, void *user, const mailparse_header *h, uint8_t *deleted)
{
    (void)deleted;
    select_ctx *c = user;
    if (!same_name(h, c->name, c->len))
        return 0;
    c->seen++;
    if (c->want && c->seen != c->want)
        return 0;
    return c->fn(r, c->user, h);
}

/* The occurrence :index N (:last) names among `count` fields, or 0 when there is none. */
static size_t pick_index(uint64_t index, int last, size_t count)
{
    if (!index || index > count)
        return 0;
    return last ? count - (size_t)index + 1 : (size_t)index;
}

void sv_run_set_message(sv_run *r, const mailparse_message *m)
{
    r->msg = m;
    r->hview = NULL;
    r->addr_memo = NULL;
    r->findex = NULL; /* a new message may sit where the old one was: the index is not its */
}

size_t sv_message_size(sv_run *r)
{
    size_t len;
    mailparse_message_raw(r->msg, &len);
    const struct sv_header_view *v = current_view(r);
    if (v)
        len = len + v->added > v->removed ? len + v->added - v->removed : 0;
    return len;
}

int sv_fields_each(sv_run *r, const char *name, size_t len, uint64_t index, int last,
                   sv_field_fn fn, void *user)
{
    select_ctx c = {name, len, 0, 0, fn, user};
    if (!name || memchr(name, '\0', len))
        return 0;
    const uint32_t *pos;
    size_t npos;
    int rc = sv_field_index_find(r, name, len, &pos, &npos);
    if (rc)
        return rc;
    if (index) {
        if ((rc = walk_some(r, count_named, &c, pos, npos)))
            return rc;
        if (!(c.want = pick_index(index, last, c.seen)))
            return 0;
        c.seen = 0;
    }
    return walk_some(r, call_named, &c, pos, npos);
}

typedef struct all_ctx {
    sv_field_fn fn;
    void *user;
} all_ctx;

static int call_all(sv_run *r, void *user, const mailparse_header *h, uint8_t *deleted)
{
    (void)deleted;
    const all_ctx *c = user;
    return c->fn(r, c->user, h);
}

int sv_fields_all(sv_run *r, sv_field_fn fn, void *user)
{
    all_ctx c = {fn, user};
    return walk(r, call_all, &c);
}

/* ---- the edits the result keeps ---------------------------------------------------------- */

static char *dup_n(const char *s, size_t n)
{
    char *p = lm_malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

static int record_edit(sv_run *r, int kind, const char *name, size_t nlen, const char *value,
                       size_t vlen, size_t index, int last)
{
    sieve_result *res = r->result;
    if (res->nedits >= SV_EDIT_MAX_COUNT)
        return sv_run_error(r, (sv_pos){0, 0}, "too many header edits (the limit is %d)",
                            SV_EDIT_MAX_COUNT);
    if (res->nedits == res->edits_cap) {
        size_t cap = res->edits_cap ? res->edits_cap * 2 : 8;
        sv_edit *e = lm_realloc(res->edits, cap * sizeof *e);
        if (!e)
            return SIEVE_E_NOMEM;
        res->edits = e;
        res->edits_cap = cap;
    }
    sv_edit *e = &res->edits[res->nedits];
    e->kind = kind;
    e->index = index;
    e->last = last;
    e->name = dup_n(name, nlen);
    e->value = dup_n(value, vlen);
    if (!e->name || !e->value) {
        lm_free(e->name);
        lm_free(e->value);
        return SIEVE_E_NOMEM;
    }
    res->nedits++;
    return 0;
}

void sv_result_edits_free(sieve_result *res)
{
    if (!res)
        return;
    for (size_t i = 0; i < res->nedits; i++) {
        lm_free(res->edits[i].name);
        lm_free(res->edits[i].value);
    }
    lm_free(res->edits);
    res->edits = NULL;
    res->nedits = res->edits_cap = 0;
}

size_t sieve_result_edit_count(const sieve_result *r) { return r ? r->nedits : 0; }

size_t sieve_result_action_edits(const sieve_result *r, size_t i)
{
    if (!r || i >= r->count)
        return 0;
    return r->actions[i].nedits < r->nedits ? r->actions[i].nedits : r->nedits;
}

int sieve_result_edit_at(const sieve_result *r, size_t i, int *kind, const char **name,
                         const char **value, size_t *index, int *last)
{
    if (!r || i >= r->nedits)
        return SIEVE_E_INVAL;
    const sv_edit *e = &r->edits[i];
    if (kind)
        *kind = e->kind;
    if (name)
        *name = e->name;
    if (value)
        *value = e->value;
    if (index)
        *index = e->index;
    if (last)
        *last = e->last;
    return 0;
}

/* ---- checks ------------------------------------------------------------------------------ */

/* RFC 5322 §3.6.8: a field name is one or more printable US-ASCII characters but ":". */
static int field_name_valid(const char *s, size_t n)
{
    if (!n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 33 || (unsigned char)s[i] > 126 || s[i] == ':')
            return 0;
    return 1;
}

/* A value may hold any character but NUL (line breaks become folding). */
static int field_value_valid(const char *s, size_t n) { return !memchr(s, '\0', n); }

/* Non-zero when the value holds a control character other than tab and line breaks: RFC 5322
 * §3.2.5 unstructured text has them only in its obsolete form (§4.1 obs-utext), which RFC
 * 5293 §4 still accepts; a constant one earns a warning and the field is added as written. */
static int field_value_has_controls(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f)
            return 1;
    }
    return 0;
}

static size_t max_field(const sieve_engine *e)
{
    return e->o.max_header_edit_size ? e->o.max_header_edit_size : SV_EDIT_MAX_FIELD;
}

/* Non-zero when `name` is in the space-separated `list` (case ignored). */
static int in_list(const char *list, const char *name, size_t n)
{
    for (const char *p = list; p && *p;) {
        while (*p == ' ' || *p == '\t')
            p++;
        size_t k = strcspn(p, " \t");
        if (k == n && lm_strncasecmp(p, name, n) == 0)
            return 1;
        p += k;
    }
    return 0;
}

/* RFC 5293 §6-7: the trace fields a script must not remove, and what the site protects. */
static int delete_protected(const sv_run *r, const char *name, size_t n)
{
    return lm_eq_nocase(name, n, "received") || lm_eq_nocase(name, n, "auto-submitted") ||
           in_list(r->opts->editheader_no_delete, name, n);
}

/* The folded value to write (line breaks as CRLF followed by white space, none at the end)
 * and the unfolded value tests see (RFC 5322 §2.2.3: the CRLFs removed), both in the arena. */
static int fold_value(sv_run *r, const char *s, size_t n, char **folded, size_t *flen,
                      char **text, size_t *tlen)
{
    char *f = lm_arena_alloc(r->arena, 2 * n + 1), *t = lm_arena_alloc(r->arena, n + 1);
    if (!f || !t)
        return SIEVE_E_NOMEM;
    size_t fo = 0, to = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\r' && s[i] != '\n') {
            f[fo++] = s[i];
            t[to++] = s[i];
            continue;
        }
        if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
            i++;
        if (i + 1 >= n)
            break; /* a line break at the end goes */
        f[fo++] = '\r';
        f[fo++] = '\n';
        if (s[i + 1] != ' ' && s[i + 1] != '\t') {
            f[fo++] = ' ';
            t[to++] = ' ';
        }
    }
    while (fo && (f[fo - 1] == ' ' || f[fo - 1] == '\t' || f[fo - 1] == '\n' || f[fo - 1] == '\r'))
        fo--;
    while (to && (t[to - 1] == ' ' || t[to - 1] == '\t'))
        to--;
    size_t lead = 0;
    while (lead < to && (t[lead] == ' ' || t[lead] == '\t'))
        lead++;
    memmove(t, t + lead, to - lead);
    to -= lead;
    f[fo] = t[to] = '\0';
    *folded = f;
    *flen = fo;
    *text = t;
    *tlen = to;
    return 0;
}

static int validate_addheader(sv_vctx *v, const sv_args *a)
{
    const sv_str *name = &a->positional[0].strs[0], *value = &a->positional[1].strs[0];
    int vname = sv_string_has_variables(name->s, name->len) && sv_vctx_has(v, "variables");
    if (!vname && !field_name_valid(name->s, name->len))
        return sv_vctx_error(v, name->pos, "addheader: invalid header field name \"%s\"", name->s);
    if (vname)
        return 0; /* checked at run time */
    /* The value as the run will see it: encoded characters decoded (a ${hex:00} is a NUL). */
    lm_buf dec = LM_BUF_INIT;
    const char *val;
    size_t vlen;
    int rc = sv_vctx_constant(v, value, &dec, &val, &vlen);
    if (rc > 0 && !field_value_valid(val, vlen))
        rc = sv_vctx_error(v, value->pos, "addheader: the value of \"%s\" holds a NUL "
                           "character", name->s);
    else if (rc > 0 && field_value_has_controls(val, vlen) &&
             sv_vctx_warning(v, value->pos, "addheader: the value of \"%s\" holds a control "
                             "character (obsolete syntax)", name->s))
        rc = SIEVE_E_NOMEM;
    if (rc > 0 && name->len + 2 + vlen > max_field(v->engine))
        rc = sv_vctx_error(v, value->pos, "addheader: the field \"%s\" is longer than %zu "
                           "octets", name->s, max_field(v->engine));
    lm_buf_free(&dec);
    return rc < 0 ? rc : 0;
}

static int validate_deleteheader(sv_vctx *v, const sv_args *a)
{
    if (!sv_check_index(v, a, SV_TAG_EDIT_INDEX, SV_TAG_EDIT_LAST))
        return 0; /* the tags first: the name is not looked at then */
    const sv_str *name = &a->positional[0].strs[0];
    if (!(sv_string_has_variables(name->s, name->len) && sv_vctx_has(v, "variables")) &&
        !field_name_valid(name->s, name->len))
        return sv_vctx_error(v, name->pos, "deleteheader: invalid header field name \"%s\"",
                             name->s);
    if (sv_args_tag(a, SV_TAG_COUNT))
        return sv_vctx_error(v, a->pos, "deleteheader cannot use the :count match type");
    return sv_check_matching(v, a, a->positional[1].type == SV_T_STRLIST ? &a->positional[1]
                                                                         : NULL);
}

/* ---- the commands ------------------------------------------------------------------------ */

static int run_addheader(sv_run *r, const sv_args *a)
{
    sv_str name, value;
    int rc;
    if ((rc = sv_run_string(r, &a->positional[0].strs[0], &name)) ||
        (rc = sv_run_string(r, &a->positional[1].strs[0], &value)))
        return rc;
    if (!field_name_valid(name.s, name.len))
        return sv_run_error(r, a->pos, "addheader: invalid header field name \"%s\"", name.s);
    if (!field_value_valid(value.s, value.len))
        return sv_run_error(r, a->pos, "addheader: the value of \"%s\" holds a NUL "
                            "character", name.s);
    char *folded, *text;
    size_t flen, tlen;
    if ((rc = fold_value(r, value.s, value.len, &folded, &flen, &text, &tlen)))
        return rc;
    size_t max = max_field(r->script->engine);
    if (name.len + 2 + flen > max)
        return sv_run_error(r, a->pos, "addheader: the field \"%s\" is longer than %zu octets",
                            name.s, max);
    if (in_list(r->opts->editheader_no_add, name.s, name.len))
        return 0; /* protected by the site: quietly not added */
    int last = sv_args_tag(a, SV_TAG_EDIT_LAST) != NULL;
    struct sv_header_view *v;
    view_field *f;
    if ((rc = make_view(r, &v)))
        return rc;
    if (!(f = lm_arena_calloc(r->arena, 1, sizeof *f)) ||
        !(f->h.name = lm_arena_strndup(r->arena, name.s, name.len)))
        return SIEVE_E_NOMEM;
    if ((rc = record_edit(r, SIEVE_EDIT_ADD, name.s, name.len, folded, flen, 0, last)))
        return rc;
    f->h.name_len = name.len;
    f->h.raw_value = folded;
    f->h.raw_value_len = flen;
    f->h.text = text;
    f->h.text_len = tlen;
    f->h.kind = MAILPARSE_VALUE_TEXT;
    f->h.offset_end = name.len + 2 + flen + 2; /* its size as written, with the CRLF */
    v->added += f->h.offset_end;
    if (last) {
        *v->bottom_tail = f;
        v->bottom_tail = &f->next;
    } else {
        f->next = v->top;
        v->top = f;
    }
    return 0;
}

typedef struct delete_ctx {
    sv_matching *mt;         /* NULL: no value patterns */
    const char *name;
    size_t len;
    size_t seen, kept, want;
} delete_ctx;

static int delete_field(sv_run *r, void *user, const mailparse_header *h, uint8_t *deleted)
{
    delete_ctx *c = user;
    if (!same_name(h, c->name, c->len))
        return 0;
    c->seen++;
    if (c->want && c->seen != c->want) {
        c->kept++;
        return 0;
    }
    if (c->mt) {
        int rc = sv_matching_value(r, c->mt, h->text ? h->text : "", h->text ? h->text_len : 0);
        if (rc < 0)
            return rc;
        if (!rc) {
            c->kept++;
            return 0;
        }
    }
    int rc = record_edit(r, SIEVE_EDIT_DELETE, h->name, h->name_len, h->text ? h->text : "",
                         h->text ? h->text_len : 0, c->kept + 1, 0);
    if (rc)
        return rc;
    *deleted = 1;
    r->hview->removed += h->offset_end - h->offset_field;
    return 0;
}

static int run_deleteheader(sv_run *r, const sv_args *a)
{
    sv_str name;
    int rc = sv_run_string(r, &a->positional[0].strs[0], &name);
    if (rc)
        return rc;
    if (!field_name_valid(name.s, name.len))
        return sv_run_error(r, a->pos, "deleteheader: invalid header field name \"%s\"", name.s);
    if (delete_protected(r, name.s, name.len))
        return 0; /* RFC 5293 §6: left in place, without an error */
    sv_matching mt;
    delete_ctx c = {NULL, name.s, name.len, 0, 0, 0};
    if (a->positional[1].type == SV_T_STRLIST) {
        if ((rc = sv_matching_init(r, a, &a->positional[1], &mt)))
            return rc;
        mt.no_captures = 1;
        c.mt = &mt;
    }
    const sv_value *index = sv_args_tag(a, SV_TAG_EDIT_INDEX);
    if (index) {
        select_ctx count = {name.s, name.len, 0, 0, NULL, NULL};
        if ((rc = walk(r, count_named, &count)))
            return rc;
        if (!(c.want = pick_index(index->number, sv_args_tag(a, SV_TAG_EDIT_LAST) != NULL,
                                  count.seen)))
            return 0;
    }
    struct sv_header_view *v;
    if ((rc = make_view(r, &v)))
        return rc;
    return walk(r, delete_field, &c);
}

/* ---- the definitions --------------------------------------------------------------------- */

static const uint8_t addheader_tags[] = {SV_TAG_EDIT_LAST, SV_TAG_COUNT_};
static const uint8_t deleteheader_tags[] = {SV_TAG_IS, SV_TAG_CONTAINS, SV_TAG_MATCHES,
                                            SV_TAG_REGEX, SV_TAG_VALUE, SV_TAG_COUNT,
                                            SV_TAG_LIST, SV_TAG_COMPARATOR, SV_TAG_EDIT_INDEX,
                                            SV_TAG_EDIT_LAST, SV_TAG_COUNT_};

static const sv_cmd_def editheader_commands[] = {
    {"addheader", SV_KIND_COMMAND, SV_CTL_NONE, 2, {SV_T_STRING, SV_T_STRING}, addheader_tags,
     validate_addheader, run_addheader},
    {"deleteheader", SV_KIND_COMMAND, SV_CTL_NONE, 2,
     {SV_T_STRING, SV_T_STRLIST | SV_T_OPTIONAL}, deleteheader_tags, validate_deleteheader,
     run_deleteheader},
};
const sv_ext_def sv_ext_editheader = {"editheader", editheader_commands, 2};
