/* ext_core.c — the commands and tests of RFC 5228 itself (§3 control, §4 actions, §5 tests)
 * and of the two extensions the RFC defines with them, fileinto (§4.1) and envelope (§5.4),
 * with the shared reading of comparators and match types (§2.7) every test uses. */
#include "engine.h"

#include "comparator.h"

#include "lm_alloc.h"
#include "lm_ascii.h"
#include "lm_utf8.h"

#include <stdio.h>
#include <string.h>

/* ---- comparators and match types, as every test reads them -------------------------------- */

static int match_type_of(const sv_args *a)
{
    static const struct {
        int tag, match;
    } map[] = {
        {SV_TAG_IS, SV_MATCH_IS},       {SV_TAG_CONTAINS, SV_MATCH_CONTAINS},
        {SV_TAG_MATCHES, SV_MATCH_MATCHES}, {SV_TAG_REGEX, SV_MATCH_REGEX},
        {SV_TAG_VALUE, SV_MATCH_VALUE}, {SV_TAG_COUNT, SV_MATCH_COUNT},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (sv_args_tag(a, map[i].tag))
            return map[i].match;
    return SV_MATCH_IS;
}

/* The relation string of :value / :count, or NULL. */
static const sv_str *relation_of(const sv_args *a)
{
    const sv_value *v = sv_args_tag(a, SV_TAG_VALUE);
    if (!v)
        v = sv_args_tag(a, SV_TAG_COUNT);
    return v ? &v->strs[0] : NULL;
}

/* The regex syntax a script may use (SV_REGEX_*): named groups with vnd.stalwart.expressions. */
static unsigned regex_flags_of(const sv_vctx *v)
{
    return sv_vctx_has(v, "vnd.stalwart.expressions") ? SV_REGEX_NAMED_GROUPS : 0;
}

/* Compile-time checks shared by the tests that compare: the comparator exists, was required
 * when it must be (RFC 5228 §2.7.3), and serves the match type; a relation is valid; a
 * constant :regex key compiles. `keys` is the key list (NULL when the test has none). */
int sv_check_matching(sv_vctx *v, const sv_args *a, const sv_value *keys)
{
    if (sv_args_tag(a, SV_TAG_LIST)) { /* RFC 6134 §2.2: the keys are list names */
        /* The list compares its members its own way: a comparator with :list is an error. */
        const sv_value *c = sv_args_tag(a, SV_TAG_COMPARATOR);
        if (c)
            return sv_vctx_error(v, c->strs[0].pos, "the :list match type takes no "
                                 "comparator (the list does the comparing)");
        return keys ? sv_list_names_validate(v, keys) : 0;
    }
    int match = match_type_of(a);
    int cmp = SV_CMP_ASCII_CASEMAP;
    const sv_value *c = sv_args_tag(a, SV_TAG_COMPARATOR);
    if (c && !c->strs[0].expand) {
        cmp = sv_comparator_from_name(c->strs[0].s, c->strs[0].len);
        char ext[64];
        int named = cmp >= 0 && (size_t)snprintf(ext, sizeof ext, "comparator-%s", c->strs[0].s) < sizeof ext;
        if (cmp < 0 || (named && cmp != SV_CMP_OCTET && cmp != SV_CMP_ASCII_CASEMAP &&
                        !sv_vctx_has(v, ext)))
            return sv_vctx_error(v, c->strs[0].pos, "unknown comparator \"%s\"", c->strs[0].s);
        if (!sv_comparator_supports(cmp, match))
            return sv_vctx_error(v, c->strs[0].pos, "the comparator \"%s\" cannot be used with "
                                 "this match type", c->strs[0].s);
    }
    const sv_str *rel = relation_of(a);
    if (rel && sv_relation_from_name(rel->s, rel->len) < 0)
        return sv_vctx_error(v, rel->pos, "unknown relation \"%s\" (expected gt, ge, lt, le, "
                             "eq or ne)", rel->s);
    if (match == SV_MATCH_REGEX && keys)
        for (size_t i = 0; i < keys->count; i++)
            if (!sv_vctx_has(v, "variables") || !sv_string_has_variables(keys->strs[i].s, keys->strs[i].len))
                if (!sv_regex_valid(keys->strs[i].s, keys->strs[i].len, cmp, regex_flags_of(v)))
                    return sv_vctx_error(v, keys->strs[i].pos, "invalid regular expression "
                                         "\"%s\"", keys->strs[i].s);
    return 0;
}

/* One test's comparison state (sv_matching, engine.h): the matcher, the keys as the run sees
 * them, and for :count the number of values seen. */
int sv_matching_init(sv_run *r, const sv_args *a, const sv_value *keys, sv_matching *mt)
{
    memset(mt, 0, sizeof *mt);
    mt->pos = a->pos;
    int match = match_type_of(a);
    mt->list_mode = sv_args_tag(a, SV_TAG_LIST) != NULL;
    mt->count_mode = match == SV_MATCH_COUNT;
    mt->m.match = mt->count_mode ? SV_MATCH_VALUE : match;
    mt->m.comparator = SV_CMP_ASCII_CASEMAP;
    if (sv_run_has(r, "vnd.stalwart.expressions"))
        mt->m.regex_flags = SV_REGEX_NAMED_GROUPS;
    const sv_value *c = sv_args_tag(a, SV_TAG_COMPARATOR);
    sv_str s;
    int rc;
    if (c) {
        if ((rc = sv_run_string(r, &c->strs[0], &s)))
            return rc;
        if ((mt->m.comparator = sv_comparator_from_name(s.s, s.len)) < 0)
            return sv_run_error(r, a->pos, "unknown comparator \"%s\"", s.s);
    }
    const sv_str *rel = relation_of(a);
    if (rel) {
        if ((rc = sv_run_string(r, rel, &s)))
            return rc;
        if ((mt->m.relation = sv_relation_from_name(s.s, s.len)) < 0)
            return sv_run_error(r, a->pos, "unknown relation \"%s\"", s.s);
    }
    mt->nkeys = keys->count;
    mt->keys = keys->strs;
    size_t i = 0;
    while (i < keys->count && !keys->strs[i].expand)
        i++;
    if (i == keys->count) /* no variables: the script's strings as they are */
        return 0;
    sv_str *expanded = lm_arena_calloc(r->arena, keys->count, sizeof *expanded);
    if (!expanded)
        return SIEVE_E_NOMEM;
    for (i = 0; i < keys->count; i++)
        if ((rc = sv_run_string(r, &keys->strs[i], &expanded[i])))
            return rc;
    mt->keys = expanded;
    return 0;
}

/* One value of the test: 1 when it matches a key (the test is then true), 0 when not, or a
 * negative error. Under :count the value is only counted. */
int sv_matching_value(sv_run *r, sv_matching *mt, const char *v, size_t n)
{
    if (mt->count_mode) {
        mt->count++;
        return 0;
    }
    if (mt->list_mode) {
        /* RFC 6134 §2.3: the keys name lists; the value matches when one holds it. */
        char *value = lm_arena_strndup(r->arena, v, n);
        if (!value)
            return SIEVE_E_NOMEM;
        for (size_t i = 0; i < mt->nkeys; i++)
            if (sv_list_contains(r, mt->keys[i].s, value) == 1) {
                if (mt->no_captures) /* else ${0} is the member found, as Pigeonhole has it */
                    return 1;
                r->caps.count = 1;
                return sv_capture_set(&r->caps, 0, v, n) ? SIEVE_E_NOMEM : 1;
            }
        return 0;
    }
    for (size_t i = 0; i < mt->nkeys; i++) {
        int rc = sv_match(&mt->m, v, n, mt->keys[i].s, mt->keys[i].len,
                          mt->no_captures ? NULL : &r->caps);
        if (rc == SIEVE_E_SYNTAX) {
            /* A key made at run time that is not a valid regex: reported, and it matches
             * nothing; the script goes on (a constant one was refused when compiling). */
            if (sv_diag_add(r->diag, SV_SEV_ERROR, mt->pos, "invalid regular expression \"%s\"",
                            mt->keys[i].s))
                return SIEVE_E_NOMEM;
            continue;
        }
        if (rc)
            return rc;
    }
    return 0;
}

/* The verdict once every value was seen: :count compares the number of values. */
int sv_matching_end(sv_matching *mt, int found)
{
    if (found || !mt->count_mode)
        return found;
    for (size_t i = 0; i < mt->nkeys; i++) {
        int rc = sv_match_count(&mt->m, mt->count, mt->keys[i].s, mt->keys[i].len);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- message access ---------------------------------------------------------------------- */

/* Calls fn for the value of each field of the message (top level) named in `names`. */
typedef sv_field_fn field_fn;

/* The fields as editheader left them (sv_fields_each); :index/:last (RFC 5260 §6) pick one
 * occurrence of each name. */
static int each_field(sv_run *r, const sv_args *a, const sv_value *names, field_fn fn,
                      void *user)
{
    if (a && sv_args_tag(a, SV_TAG_MIME)) /* RFC 5703 §4: a MIME part's fields (ext_mime.c) */
        return sv_mime_each_field(r, a, names, fn, user);
    const sv_value *index = a ? sv_args_tag(a, SV_TAG_INDEX) : NULL;
    int last = a && sv_args_tag(a, SV_TAG_LAST);
    for (size_t k = 0; k < names->count; k++) {
        sv_str name;
        int rc = sv_run_string(r, &names->strs[k], &name);
        if (rc)
            return rc;
        if ((rc = sv_fields_each(r, name.s, name.len, index ? index->number : 0, last, fn, user)))
            return rc;
    }
    return 0;
}

/* ---- tests ------------------------------------------------------------------------------- */

static int header_value(sv_run *r, void *user, const mailparse_header *h)
{
    return sv_matching_value(r, user, h->text ? h->text : "", h->text ? h->text_len : 0);
}

static int validate_header(sv_vctx *v, const sv_args *a)
{
    if (sv_mime_check(v, a)) /* RFC 5703 §4 tags */
        return SIEVE_E_NOMEM;
    if (!sv_check_index(v, a, SV_TAG_INDEX, SV_TAG_LAST))
        return 0;
    return sv_check_matching(v, a, &a->positional[1]);
}

static int run_header(sv_run *r, const sv_args *a)
{
    sv_matching mt;
    int rc = sv_matching_init(r, a, &a->positional[1], &mt);
    if (!rc)
        rc = each_field(r, a, &a->positional[0], header_value, &mt);
    return rc < 0 ? rc : sv_matching_end(&mt, rc);
}

static int address_part_of(const sv_args *a)
{
    if (sv_args_tag(a, SV_TAG_LOCALPART))
        return SV_ADDR_LOCALPART;
    if (sv_args_tag(a, SV_TAG_DOMAIN))
        return SV_ADDR_DOMAIN;
    if (sv_args_tag(a, SV_TAG_USER))
        return SV_ADDR_USER;
    if (sv_args_tag(a, SV_TAG_DETAIL))
        return SV_ADDR_DETAIL;
    if (sv_args_tag(a, SV_TAG_ADDR_NAME))
        return SV_ADDR_NAME;
    return SV_ADDR_ALL;
}

typedef struct address_ctx {
    sv_run *r;
    sv_matching *mt;
    int part;
} address_ctx;

static int address_value(void *user, const char *addr, size_t len, const char *name)
{
    address_ctx *c = user;
    const char *p;
    size_t n;
    if (c->part == SV_ADDR_NAME) /* a mailbox without a display name does not take part */
        return name ? sv_matching_value(c->r, c->mt, name, strlen(name)) : 0;
    if (sv_address_part(c->part, addr, len, c->r->opts->subaddress_separators, &p, &n))
        return 0; /* no such part: this address does not take part */
    return sv_matching_value(c->r, c->mt, p, n);
}

/* Collects the addresses of a header value into a memo entry (copies in the run's arena). */
typedef struct collect {
    sv_run *r;
    sv_addr_memo *m;
    size_t cap;
} collect;

static int collect_address(void *user, const char *addr, size_t len, const char *name)
{
    collect *c = user;
    sv_addr_memo *m = c->m;
    if (m->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 8;
        const char **a = lm_arena_calloc(c->r->arena, cap, sizeof *a);
        size_t *l = lm_arena_calloc(c->r->arena, cap, sizeof *l);
        const char **nm = lm_arena_calloc(c->r->arena, cap, sizeof *nm);
        if (!a || !l || !nm)
            return SIEVE_E_NOMEM;
        if (m->n) {
            memcpy(a, m->addr, m->n * sizeof *a);
            memcpy(l, m->addr_len, m->n * sizeof *l);
            memcpy(nm, m->name, m->n * sizeof *nm);
        }
        m->addr = a;
        m->addr_len = l;
        m->name = nm;
        c->cap = cap;
    }
    if (!(m->addr[m->n] = lm_arena_strndup(c->r->arena, addr, len)))
        return SIEVE_E_NOMEM;
    if (name && !(m->name[m->n] = lm_arena_strndup(c->r->arena, name, strlen(name))))
        return SIEVE_E_NOMEM;
    m->addr_len[m->n++] = len;
    return 0;
}

/* The addresses of a header value, parsed the first time a run asks (a script of many
 * address tests reads the same few fields again and again). */
static int address_field(sv_run *r, void *user, const mailparse_header *h)
{
    sv_addr_memo *m = r->addr_memo;
    while (m && !(m->value == h->raw_value && m->len == h->raw_value_len))
        m = m->next;
    if (!m) {
        if (!(m = lm_arena_calloc(r->arena, 1, sizeof *m)))
            return SIEVE_E_NOMEM;
        m->value = h->raw_value;
        m->len = h->raw_value_len;
        collect c = {r, m, 0};
        int rc = sv_header_addresses(h->raw_value, h->raw_value_len, collect_address, &c);
        if (rc)
            return rc;
        m->next = r->addr_memo;
        r->addr_memo = m;
    }
    for (size_t i = 0; i < m->n; i++) {
        int rc = address_value(user, m->addr[i], m->addr_len[i], m->name[i]);
        if (rc)
            return rc;
    }
    return 0;
}

/* RFC 5228 §5.1: the address test reads only fields that hold addresses. */
static int is_address_field(const char *name, size_t len)
{
    /* RFC 5322's address fields, and those of other RFCs and of common use that hold an
     * address list (RFC 2076's catalogue among them). */
    static const char *const fields[] = {
        "from", "to", "cc", "bcc", "sender", "reply-to", "resent-from", "resent-to",
        "resent-cc", "resent-bcc", "resent-sender", "resent-reply-to", "return-path",
        "delivered-to", "envelope-to", "x-original-to", "errors-to", "approved",
        "disposition-notification-to", "mail-followup-to", "mail-reply-to", "original-recipient",
        "original-from", "for-approval", "for-comment", "for-handling", "abuse-reports-to",
        "apparently-to", "read-receipt-to", "registered-mail-reply-requested-by",
        "return-receipt-requested", "return-receipt-to", "x-admin", "x-beenthere",
        "x-complaints-to", "x-confirm-reading-to", "x-original-from", "x-report-abuse-to",
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (lm_eq_nocase(name, len, fields[i]))
            return 1;
    return 0;
}

/* A field the address test may read. With :mime (RFC 5703 §4.2) the fields are a MIME part's
 * too, and a body part's own fields are the Content-* ones (RFC 2045 §9): those are read as
 * well, as the RFC's example `address :mime "content-from"` does. */
static int address_field_allowed(const sv_args *a, const char *name, size_t len)
{
    if (is_address_field(name, len))
        return 1;
    return sv_args_tag(a, SV_TAG_MIME) && len > 8 && lm_eq_nocase(name, 8, "content-");
}

static int validate_address(sv_vctx *v, const sv_args *a)
{
    const sv_value *names = &a->positional[0];
    for (size_t i = 0; i < names->count; i++)
        if (!names->strs[i].expand && !sv_string_has_variables(names->strs[i].s, names->strs[i].len) &&
            !address_field_allowed(a, names->strs[i].s, names->strs[i].len))
            return sv_vctx_error(v, names->strs[i].pos, "the address test cannot read \"%s\": "
                                 "it is not a field that holds addresses", names->strs[i].s);
    if (sv_mime_check(v, a)) /* RFC 5703 §4 tags */
        return SIEVE_E_NOMEM;
    if (!sv_check_index(v, a, SV_TAG_INDEX, SV_TAG_LAST))
        return 0;
    return sv_check_matching(v, a, &a->positional[1]);
}

static int run_address(sv_run *r, const sv_args *a)
{
    sv_matching mt;
    int rc = sv_matching_init(r, a, &a->positional[1], &mt);
    address_ctx c = {r, &mt, address_part_of(a)};
    if (!rc)
        rc = each_field(r, a, &a->positional[0], address_field, &c);
    return rc < 0 ? rc : sv_matching_end(&mt, rc);
}

static int validate_envelope(sv_vctx *v, const sv_args *a)
{
    const sv_value *parts = &a->positional[0];
    for (size_t i = 0; i < parts->count; i++) {
        const sv_str *p = &parts->strs[i];
        if (!sv_string_has_variables(p->s, p->len) && !lm_eq_nocase(p->s, p->len, "from") &&
            !lm_eq_nocase(p->s, p->len, "to") && !lm_eq_nocase(p->s, p->len, "auth") &&
            !sv_envelope_part_known(v, p->s, p->len))
            return sv_vctx_error(v, p->pos, "unknown envelope part \"%s\" (expected \"from\", "
                                 "\"to\" or \"auth\")", p->s);
    }
    int rc = sv_envelope_zone_check(v, a);
    return rc ? rc : sv_check_matching(v, a, &a->positional[1]);
}

static int envelope_value(sv_run *r, void *user, const char *value, size_t len)
{
    return sv_matching_value(r, user, value, len);
}

static int run_envelope(sv_run *r, const sv_args *a)
{
    sv_matching mt;
    int rc = sv_matching_init(r, a, &a->positional[1], &mt);
    const sv_value *parts = &a->positional[0];
    int part = address_part_of(a);
    address_ctx c = {r, &mt, part};
    for (size_t i = 0; !rc && i < parts->count; i++) {
        sv_str p;
        if ((rc = sv_run_string(r, &parts->strs[i], &p)))
            break;
        const char *addr = lm_eq_nocase(p.s, p.len, "from") ? r->env->from
                           : lm_eq_nocase(p.s, p.len, "to") ? r->env->to
                           : lm_eq_nocase(p.s, p.len, "auth") ? r->env->auth /* the SMTP AUTH identity */
                           : lm_eq_nocase(p.s, p.len, "orcpt") ? r->env->orig_to : NULL;
        if (!addr) {
            /* The RFC 6009 parts that are not addresses. */
            rc = sv_envelope_part(r, a, p.s, p.len, envelope_value, &mt);
            continue;
        }
        /* The null reverse-path is "" for every part (RFC 5228 §5.4). A path is compared
         * without its source route; an invalid one has no address (the authenticated
         * identity is not a path). */
        const char *m = addr;
        size_t mlen = strlen(addr);
        if (addr != r->env->auth && !sv_envelope_path(addr, strlen(addr), &m, &mlen))
            continue;
        if (!mlen)
            rc = sv_matching_value(r, &mt, "", 0);
        else
            rc = address_value(&c, m, mlen, NULL);
    }
    return rc < 0 ? rc : sv_matching_end(&mt, rc);
}

static int count_field(sv_run *r, void *user, const mailparse_header *h)
{
    (void)r;
    (void)h;
    ++*(size_t *)user;
    return 0;
}

static int run_exists(sv_run *r, const sv_args *a)
{
    const sv_value *names = &a->positional[0];
    for (size_t k = 0; k < names->count; k++) {
        sv_value one = *names;
        one.strs = &names->strs[k];
        one.count = 1;
        size_t n = 0;
        int rc = each_field(r, a, &one, count_field, &n);
        if (rc)
            return rc;
        if (!n)
            return 0;
    }
    return 1;
}

static int validate_size(sv_vctx *v, const sv_args *a)
{
    if (!sv_args_tag(a, SV_TAG_OVER) && !sv_args_tag(a, SV_TAG_UNDER))
        return sv_vctx_error(v, a->pos, "the size test needs :over or :under");
    return 0;
}

static int run_size(sv_run *r, const sv_args *a)
{
    size_t len = sv_message_size(r); /* with editheader's edits */
    uint64_t limit = a->positional[0].number;
    return sv_args_tag(a, SV_TAG_OVER) ? len > limit : len < limit;
}

/* ---- actions ----------------------------------------------------------------------------- */

static int run_keep(sv_run *r, const sv_args *a)
{
    const char *flags;
    int rc = sv_imap4flags_of_action(r, a, &flags);
    return rc ? rc : sv_result_add(r, SIEVE_ACTION_KEEP, "", 0, flags, 0, a->pos);
}

static int run_discard(sv_run *r, const sv_args *a)
{
    return sv_result_add(r, SIEVE_ACTION_DISCARD, "", 0, NULL, 0, a->pos);
}

/* A constant mailbox name must be UTF-8 without controls; an address must have an "@"
 * (RFC 5228 §4.2 leaves the exact check to the implementation). */
static int validate_redirect(sv_vctx *v, const sv_args *a)
{
    const sv_str *s = &a->positional[0].strs[0];
    int rc = sv_redirect_dsn_validate(v, a);
    if (rc || sv_args_tag(a, SV_TAG_LIST)) /* RFC 6134 §2.6: the argument names a list */
        return rc ? rc : sv_list_names_validate(v, &a->positional[0]);
    if (sv_string_has_variables(s->s, s->len))
        return 0;
    lm_buf addr = LM_BUF_INIT;
    rc = sv_redirect_address(s->s, s->len, &addr);
    lm_buf_free(&addr);
    if (rc == SIEVE_E_SYNTAX)
        return sv_vctx_error(v, s->pos, "invalid redirect address \"%s\"", s->s);
    return rc;
}

static int run_redirect(sv_run *r, const sv_args *a)
{
    sv_str s;
    int rc = sv_run_string(r, &a->positional[0].strs[0], &s);
    if (rc)
        return rc;
    int list = sv_args_tag(a, SV_TAG_LIST) != NULL;
    if (list && !sv_list_name_valid(s.s, s.len))
        return sv_run_error(r, a->pos, "invalid redirect list \"%s\"", s.s);
    if (!list) { /* the address as an addr-spec (RFC 5228 §4.2) */
        lm_buf addr = LM_BUF_INIT;
        rc = sv_redirect_address(s.s, s.len, &addr);
        if (!rc && !(s.s = lm_arena_strndup(r->arena, addr.data, addr.len)))
            rc = SIEVE_E_NOMEM;
        s.len = addr.len;
        lm_buf_free(&addr);
        if (rc == SIEVE_E_SYNTAX)
            return sv_run_error(r, a->pos, "invalid redirect address \"%s\"",
                                a->positional[0].strs[0].s);
        if (rc)
            return rc;
    }
    unsigned opt = sv_args_tag(a, SV_TAG_COPY) ? SIEVE_ACTION_COPY : 0;
    if ((rc = sv_result_add(r, SIEVE_ACTION_REDIRECT, s.s, s.len, NULL, opt, a->pos)))
        return rc;
    if (list && (rc = sv_result_param(r, "list", "yes", 3)))
        return rc;
    return sv_redirect_dsn_params(r, a);
}

/* A constant mailbox name is UTF-8 (RFC 5228 §2.4.2), encoded characters decoded. */
static int validate_fileinto(sv_vctx *v, const sv_args *a)
{
    const sv_str *s = &a->positional[0].strs[0];
    lm_buf buf = LM_BUF_INIT;
    const char *text;
    size_t len;
    int rc = sv_vctx_constant(v, s, &buf, &text, &len);
    if (rc > 0)
        rc = lm_utf8_valid(text, len)
                 ? 0
                 : sv_vctx_error(v, s->pos, "fileinto: invalid folder name: it is not UTF-8");
    lm_buf_free(&buf);
    if (rc >= 0)
        rc = sv_specialuse_validate(v, a);
    return rc < 0 ? rc : sv_mailboxid_validate(v, a);
}

static int run_fileinto(sv_run *r, const sv_args *a)
{
    sv_str s;
    int rc = sv_run_string(r, &a->positional[0].strs[0], &s);
    if (rc)
        return rc;
    /* Strings, mailbox names among them, are UTF-8 (RFC 5228 §2.4.2); a variable can make
     * one that is not. */
    if (!lm_utf8_valid(s.s, s.len))
        return sv_run_error(r, a->pos, "fileinto: invalid folder name: it is not UTF-8");
    const char *flags;
    if ((rc = sv_imap4flags_of_action(r, a, &flags)))
        return rc;
    unsigned opt = (sv_args_tag(a, SV_TAG_COPY) ? SIEVE_ACTION_COPY : 0) |
                   (sv_args_tag(a, SV_TAG_CREATE) ? SIEVE_ACTION_CREATE : 0);
    if ((rc = sv_result_add(r, SIEVE_ACTION_FILEINTO, s.s, s.len, flags, opt, a->pos)))
        return rc;
    if ((rc = sv_specialuse_param(r, a))) /* RFC 8579 §4 */
        return rc;
    return sv_mailboxid_param(r, a, "mailboxid"); /* RFC 9042 §4.1 */
}

/* ---- the definitions --------------------------------------------------------------------- */

#define MATCH_TAGS SV_TAG_IS, SV_TAG_CONTAINS, SV_TAG_MATCHES, SV_TAG_REGEX, SV_TAG_VALUE, \
                   SV_TAG_COUNT, SV_TAG_LIST, SV_TAG_COMPARATOR
#define ADDRESS_PART_TAGS SV_TAG_ALL, SV_TAG_LOCALPART, SV_TAG_DOMAIN, SV_TAG_USER, SV_TAG_DETAIL

static const uint8_t no_tags[] = {SV_TAG_COUNT_};
/* :mime and :anychild (and for header the content-type options) are RFC 5703 §4's. */
static const uint8_t header_tags[] = {MATCH_TAGS, SV_TAG_INDEX, SV_TAG_LAST, SV_TAG_MIME,
                                      SV_TAG_ANYCHILD, SV_TAG_TYPE, SV_TAG_SUBTYPE,
                                      SV_TAG_CONTENTTYPE, SV_TAG_PARAM, SV_TAG_COUNT_};
static const uint8_t exists_tags[] = {SV_TAG_MIME, SV_TAG_ANYCHILD, SV_TAG_COUNT_};
/* address :name is vnd.stalwart.expressions' (the display name, sieve.h) */
static const uint8_t address_tags[] = {MATCH_TAGS, ADDRESS_PART_TAGS, SV_TAG_ADDR_NAME,
                                       SV_TAG_INDEX, SV_TAG_LAST, SV_TAG_MIME, SV_TAG_ANYCHILD,
                                       SV_TAG_COUNT_};
static const uint8_t envelope_tags[] = {MATCH_TAGS, ADDRESS_PART_TAGS, SV_TAG_ENVELOPE_ZONE,
                                        SV_TAG_COUNT_};
static const uint8_t size_tags[] = {SV_TAG_OVER, SV_TAG_UNDER, SV_TAG_COUNT_};
static const uint8_t redirect_tags[] = {SV_TAG_COPY, SV_TAG_LIST, SV_TAG_DSN_NOTIFY, SV_TAG_DSN_RET,
                                        SV_TAG_BYTIMERELATIVE, SV_TAG_BYTIMEABSOLUTE,
                                        SV_TAG_BYMODE, SV_TAG_BYTRACE, SV_TAG_COUNT_};
static const uint8_t keep_tags[] = {SV_TAG_FLAGS, SV_TAG_COUNT_};
static const uint8_t fileinto_tags[] = {SV_TAG_COPY, SV_TAG_FLAGS, SV_TAG_CREATE,
                                        SV_TAG_SPECIALUSE, SV_TAG_MAILBOXID, SV_TAG_COUNT_};

static const sv_cmd_def core_commands[] = {
    {"require", SV_KIND_COMMAND, SV_CTL_REQUIRE, 1, {SV_T_STRLIST}, no_tags, NULL, NULL},
    {"if", SV_KIND_COMMAND, SV_CTL_IF, 0, {0}, no_tags, NULL, NULL},
    {"elsif", SV_KIND_COMMAND, SV_CTL_ELSIF, 0, {0}, no_tags, NULL, NULL},
    {"else", SV_KIND_COMMAND, SV_CTL_ELSE, 0, {0}, no_tags, NULL, NULL},
    {"stop", SV_KIND_COMMAND, SV_CTL_STOP, 0, {0}, no_tags, NULL, NULL},
    {"keep", SV_KIND_COMMAND, SV_CTL_NONE, 0, {0}, keep_tags, NULL, run_keep},
    {"discard", SV_KIND_COMMAND, SV_CTL_NONE, 0, {0}, no_tags, NULL, run_discard},
    {"redirect", SV_KIND_COMMAND, SV_CTL_NONE, 1, {SV_T_STRING}, redirect_tags, validate_redirect,
     run_redirect},
    {"allof", SV_KIND_TEST, SV_CTL_ALLOF, 0, {0}, no_tags, NULL, NULL},
    {"anyof", SV_KIND_TEST, SV_CTL_ANYOF, 0, {0}, no_tags, NULL, NULL},
    {"not", SV_KIND_TEST, SV_CTL_NOT, 0, {0}, no_tags, NULL, NULL},
    {"true", SV_KIND_TEST, SV_CTL_TRUE, 0, {0}, no_tags, NULL, NULL},
    {"false", SV_KIND_TEST, SV_CTL_FALSE, 0, {0}, no_tags, NULL, NULL},
    {"header", SV_KIND_TEST, SV_CTL_NONE, 2, {SV_T_STRLIST, SV_T_STRLIST}, header_tags,
     validate_header, run_header},
    {"address", SV_KIND_TEST, SV_CTL_NONE, 2, {SV_T_STRLIST, SV_T_STRLIST}, address_tags,
     validate_address, run_address},
    {"exists", SV_KIND_TEST, SV_CTL_NONE, 1, {SV_T_STRLIST}, exists_tags, sv_mime_check,
     run_exists},
    {"size", SV_KIND_TEST, SV_CTL_NONE, 1, {SV_T_NUMBER}, size_tags, validate_size, run_size},
};
const sv_ext_def sv_ext_core = {"", core_commands, sizeof core_commands / sizeof core_commands[0]};

static const sv_cmd_def fileinto_commands[] = {
    {"fileinto", SV_KIND_COMMAND, SV_CTL_NONE, 1, {SV_T_STRING}, fileinto_tags,
     validate_fileinto, run_fileinto},
};
const sv_ext_def sv_ext_fileinto = {"fileinto", fileinto_commands, 1};

static const sv_cmd_def envelope_commands[] = {
    {"envelope", SV_KIND_TEST, SV_CTL_NONE, 2, {SV_T_STRLIST, SV_T_STRLIST}, envelope_tags,
     validate_envelope, run_envelope},
};
const sv_ext_def sv_ext_envelope = {"envelope", envelope_commands, 1};
