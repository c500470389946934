/* ext_mime.c — RFC 5703: the foreverypart loop and break (§3), the :mime family of tags on
 * header, address and exists (§4), and extracttext (§7). A loop is an SV_CTL_BLOCK command
 * whose block runs once per MIME part (libmailparse's parts of the run's message); the loops
 * being run are sv_run.loops, so the tests inside see the part of the innermost one. */
#include "engine.h"

#include "lm_ascii.h"

#include <stdint.h>
#include <string.h>

/* ---- parts ------------------------------------------------------------------------------- */

/* Non-zero when part `i` lies inside part `anc` (not `anc` itself). Parent ids are lower
 * than their children's, so the walk up ends. */
static int part_inside(const mailparse_message *m, size_t i, size_t anc)
{
    const mailparse_part *p = mailparse_message_part(m, i);
    while (p && p->parent >= 0 && (size_t)p->parent >= anc) {
        if ((size_t)p->parent == anc)
            return 1;
        p = mailparse_message_part(m, (size_t)p->parent);
    }
    return 0;
}

/* Non-zero when part `i` is one a loop over the descendants of `parent` visits (SIZE_MAX:
 * every part, the message itself first). Descendants follow their ancestor in part order. */
static int loop_visits(const sv_run *r, size_t i, size_t parent)
{
    if (i >= mailparse_message_part_count(r->msg))
        return 0;
    return parent == SIZE_MAX || part_inside(r->msg, i, parent);
}

size_t sv_mime_current_part(const sv_run *r)
{
    return r->nloops ? r->loops[r->nloops - 1].part : 0;
}

/* ---- foreverypart and break (§3) --------------------------------------------------------- */

static const sv_cmd_def *foreverypart_def(void);

/* The foreverypart loops around the command being compiled, innermost first: the i-th one's
 * arguments, or NULL past the last. */
static const sv_args *enclosing_loop(const sv_vctx *v, size_t i)
{
    for (size_t k = v->nblocks; k-- > 0;)
        if (v->blocks[k]->def == foreverypart_def() && i-- == 0)
            return v->blocks[k];
    return NULL;
}

/* How deep foreverypart loops may nest in engine `e`: its option, within the bounds. */
static unsigned loop_depth(const sieve_engine *e)
{
    unsigned d = e->o.max_foreverypart_depth;
    if (!d)
        return SV_DEFAULT_LOOP_DEPTH;
    return d < SV_MIN_LOOP_DEPTH ? SV_MIN_LOOP_DEPTH : d > SV_MAX_LOOPS ? SV_MAX_LOOPS : d;
}

static int validate_foreverypart(sv_vctx *v, const sv_args *a)
{
    unsigned max = loop_depth(v->engine);
    if (enclosing_loop(v, max - 1))
        return sv_vctx_error(v, a->pos, "foreverypart loops nested more than %u deep", max);
    return 0;
}

/* On entering: a new loop over the descendants of the current part (every part when no loop
 * runs), at its first; none: the block is left at once. At the block's end: the next part
 * (1: the block runs again), or the loop ends. */
static int run_foreverypart(sv_run *r, const sv_args *a)
{
    if (!r->block_end) {
        unsigned max = loop_depth(r->top->engine);
        if (r->nloops >= max)
            return sv_run_error(r, a->pos, "foreverypart loops nested more than %u deep (with "
                                "the scripts that include this one)", max);
        struct sv_loop *l = &r->loops[r->nloops];
        const sv_value *name = sv_args_tag(a, SV_TAG_NAME);
        l->parent = r->nloops ? r->loops[r->nloops - 1].part : SIZE_MAX;
        l->part = l->parent == SIZE_MAX ? 0 : l->parent + 1;
        l->name = name ? name->strs[0].s : NULL;
        l->leaving = !loop_visits(r, l->part, l->parent);
        r->nloops++;
        if (l->leaving)
            r->leave_block = 1;
        return 0;
    }
    if (r->nloops <= r->loop_base)
        return sv_run_error(r, a->pos, "corrupt bytecode: a loop ends that did not start");
    struct sv_loop *l = &r->loops[r->nloops - 1];
    if (r->block_end != 2 && !l->leaving && loop_visits(r, l->part + 1, l->parent)) {
        l->part++;
        return 1;
    }
    r->nloops--;
    return 0;
}

static int validate_break(sv_vctx *v, const sv_args *a)
{
    const sv_value *name = sv_args_tag(a, SV_TAG_NAME);
    if (!enclosing_loop(v, 0))
        return sv_vctx_error(v, a->pos, "break outside a foreverypart loop");
    if (!name)
        return 0;
    for (size_t i = 0;; i++) {
        const sv_args *loop = enclosing_loop(v, i);
        if (!loop)
            return sv_vctx_error(v, name->strs[0].pos, "break :name \"%s\": no foreverypart "
                                 "loop of that name around it", name->strs[0].s);
        const sv_value *ln = sv_args_tag(loop, SV_TAG_NAME);
        if (ln && ln->strs[0].len == name->strs[0].len &&
            !memcmp(ln->strs[0].s, name->strs[0].s, name->strs[0].len))
            return 0;
    }
}

/* Leaves the innermost loop, or the one named and every loop inside it. */
static int run_break(sv_run *r, const sv_args *a)
{
    const sv_value *name = sv_args_tag(a, SV_TAG_NAME);
    for (size_t k = r->nloops; k-- > r->loop_base;) {
        struct sv_loop *l = &r->loops[k];
        if (name && (!l->name || strcmp(l->name, name->strs[0].s)))
            continue;
        for (size_t j = k; j < r->nloops; j++)
            r->loops[j].leaving = 1;
        r->leave_block = (int)(r->nloops - k);
        return 0;
    }
    return sv_run_error(r, a->pos, "break outside its foreverypart loop");
}

/* ---- header / address / exists :mime (§4) ------------------------------------------------- */

/* The value a content-type option picks from a Content-Type or Content-Disposition field:
 * calls fn with a copy of `h` whose value is that piece. */
typedef int (*field_fn)(sv_run *r, void *user, const mailparse_header *h);

static int piece(sv_run *r, const mailparse_header *h, const char *v, size_t n, field_fn fn,
                 void *user)
{
    mailparse_header c = *h;
    c.raw_value = c.text = v;
    c.raw_value_len = c.text_len = n;
    return fn(r, user, &c);
}

static int content_type_option(sv_run *r, const sv_args *a, const mailparse_header *h,
                               field_fn fn, void *user)
{
    const mailparse_content_type *ct = h->content_type;
    if (!ct)
        return 0; /* not a field these options read */
    const char *type = ct->type ? ct->type : "", *sub = ct->subtype ? ct->subtype : "";
    if (sv_args_tag(a, SV_TAG_TYPE))
        return piece(r, h, type, strlen(type), fn, user);
    if (sv_args_tag(a, SV_TAG_SUBTYPE))
        return piece(r, h, sub, strlen(sub), fn, user);
    if (sv_args_tag(a, SV_TAG_CONTENTTYPE)) {
        if (!*sub)
            return piece(r, h, type, strlen(type), fn, user);
        size_t n = strlen(type) + 1 + strlen(sub);
        char *both = lm_arena_alloc(r->arena, n + 1);
        if (!both)
            return SIEVE_E_NOMEM;
        memcpy(both, type, strlen(type));
        both[strlen(type)] = '/';
        memcpy(both + strlen(type) + 1, sub, strlen(sub) + 1);
        return piece(r, h, both, n, fn, user);
    }
    const sv_value *names = sv_args_tag(a, SV_TAG_PARAM);
    for (size_t k = 0; names && k < names->count; k++) {
        sv_str name;
        int rc = sv_run_string(r, &names->strs[k], &name);
        if (rc)
            return rc;
        for (size_t i = 0; i < ct->param_count; i++) {
            const mailparse_param *p = &ct->params[i];
            if (p->name && lm_eq_nocase(name.s, name.len, p->name) &&
                (rc = piece(r, h, p->value ? p->value : "", p->value ? p->value_len : 0, fn,
                            user)))
                return rc;
        }
    }
    return 0;
}

int sv_mime_each_field(sv_run *r, const sv_args *a, const sv_value *names, field_fn fn,
                       void *user)
{
    int option = sv_args_tag(a, SV_TAG_TYPE) || sv_args_tag(a, SV_TAG_SUBTYPE) ||
                 sv_args_tag(a, SV_TAG_CONTENTTYPE) || sv_args_tag(a, SV_TAG_PARAM);
    size_t cur = sv_mime_current_part(r), count = mailparse_message_part_count(r->msg);
    int anychild = sv_args_tag(a, SV_TAG_ANYCHILD) != NULL;
    for (size_t k = 0; k < names->count; k++) {
        sv_str name;
        int rc = sv_run_string(r, &names->strs[k], &name);
        if (rc)
            return rc;
        /* The current part, then with :anychild every part inside it. */
        for (size_t p = cur; p < count && (p == cur || (anychild && part_inside(r->msg, p, cur)));
             p++) {
            const mailparse_part *part = mailparse_message_part(r->msg, p);
            for (size_t i = 0; part && i < part->header_count; i++) {
                const mailparse_header *h = mailparse_message_header_at(r->msg,
                                                                        part->header_first + i);
                if (!h || !lm_eq_nocase(h->name, h->name_len, name.s))
                    continue;
                rc = option ? content_type_option(r, a, h, fn, user) : fn(r, user, h);
                if (rc)
                    return rc;
            }
        }
    }
    return 0;
}

int sv_mime_check(sv_vctx *v, const sv_args *a)
{
    if (sv_args_tag(a, SV_TAG_MIME))
        return 0;
    static const int need_mime[] = {SV_TAG_ANYCHILD, SV_TAG_TYPE, SV_TAG_SUBTYPE,
                                    SV_TAG_CONTENTTYPE, SV_TAG_PARAM};
    for (size_t i = 0; i < sizeof need_mime / sizeof need_mime[0]; i++)
        if (sv_args_tag(a, need_mime[i]))
            return sv_vctx_error(v, a->pos, "\":%s\" is only allowed with \":mime\"",
                                 sv_tags[need_mime[i]].name);
    return 0;
}

/* ---- extracttext (§7) -------------------------------------------------------------------- */

/* The "set" modifiers among the tags (a modifier tag is named as its modifier; :first is
 * none). */
static unsigned modifiers_of(const sv_args *a)
{
    unsigned mods = 0;
    for (size_t i = 0; i < a->ntags; i++)
        mods |= sv_modifier_from_name(sv_tags[a->tag[i]].name, strlen(sv_tags[a->tag[i]].name));
    return mods;
}

static int validate_extracttext(sv_vctx *v, const sv_args *a)
{
    const sv_str *var = &a->positional[0].strs[0];
    if (!sv_vctx_has(v, "variables"))
        sv_vctx_error(v, a->pos, "extracttext needs the \"variables\" extension");
    if (!enclosing_loop(v, 0))
        sv_vctx_error(v, a->pos, "extracttext outside a foreverypart loop");
    if (!sv_var_name_valid(var->s, var->len, 0))
        sv_vctx_error(v, var->pos, "invalid variable name \"%s\"", var->s);
    else if (sv_declare_variable(v, var, 0))
        return SIEVE_E_NOMEM;
    /* Two modifiers of the same precedence on one command (RFC 5229 §4.1). */
    unsigned mods = modifiers_of(a);
    for (unsigned m = 1; m && m <= SV_MOD_LENGTH; m <<= 1)
        for (unsigned o = m << 1; (mods & m) && o && o <= SV_MOD_LENGTH; o <<= 1)
            if ((mods & o) && sv_modifier_precedence(m) == sv_modifier_precedence(o))
                return sv_vctx_error(v, a->pos, "extracttext takes one modifier of each "
                                     "precedence");
    return 0;
}

/* The first `chars` characters of UTF-8 `s` (all of it when shorter): its length. */
static size_t first_chars(const char *s, size_t len, uint64_t chars)
{
    size_t at = 0;
    for (uint64_t n = 0; at < len && n < chars; n++) {
        at++;
        while (at < len && ((unsigned char)s[at] & 0xc0) == 0x80)
            at++;
    }
    return at;
}

/* The current part's text as UTF-8: a text part's, an HTML part's as plain text, "" for
 * every other part (RFC 5703 §7). */
static int run_extracttext(sv_run *r, const sv_args *a)
{
    const mailparse_part *p = mailparse_message_part(r->msg, sv_mime_current_part(r));
    const char *text = "";
    size_t len = 0;
    char *html = NULL;
    if (p && p->kind == MAILPARSE_PART_TEXT && p->text) {
        text = p->text;
        len = p->text_len;
    } else if (p && p->kind == MAILPARSE_PART_HTML && p->text) {
        if (mailparse_html_to_text(p->text, p->text_len, &html, &len))
            return SIEVE_E_NOMEM;
        text = html ? html : "";
    }
    const sv_value *first = sv_args_tag(a, SV_TAG_FIRST);
    if (first)
        len = first_chars(text, len, first->number);
    lm_buf b = LM_BUF_INIT;
    size_t max = r->opts->max_variable_size ? r->opts->max_variable_size : SV_DEFAULT_MAX_VALUE;
    int rc = sv_apply_modifiers(modifiers_of(a), text, len, max, &b);
    mailparse_free(html);
    sv_str var;
    if (!rc && b.oom)
        rc = SIEVE_E_NOMEM;
    if (!rc)
        rc = sv_run_string(r, &a->positional[0].strs[0], &var);
    if (!rc)
        rc = sv_vars_set(r->vars, var.s, var.len, b.data ? b.data : "", b.len);
    lm_buf_free(&b);
    if (rc == SIEVE_E_LIMIT)
        return sv_run_error(r, a->pos, "too many variables");
    return rc;
}

/* ---- the definitions --------------------------------------------------------------------- */

static const uint8_t name_tags[] = {SV_TAG_NAME, SV_TAG_COUNT_};
static const uint8_t extracttext_tags[] = {
    SV_TAG_MOD_LOWER, SV_TAG_MOD_UPPER, SV_TAG_MOD_LOWERFIRST, SV_TAG_MOD_UPPERFIRST,
    SV_TAG_MOD_QUOTEWILDCARD, SV_TAG_MOD_QUOTEREGEX, SV_TAG_MOD_ENCODEURL, SV_TAG_MOD_LENGTH,
    SV_TAG_FIRST, SV_TAG_COUNT_};

static const sv_cmd_def foreverypart_commands[] = {
    {"foreverypart", SV_KIND_COMMAND, SV_CTL_BLOCK, 0, {0}, name_tags, validate_foreverypart,
     run_foreverypart},
    {"break", SV_KIND_COMMAND, SV_CTL_NONE, 0, {0}, name_tags, validate_break, run_break},
};
const sv_ext_def sv_ext_foreverypart = {"foreverypart", foreverypart_commands, 2};

static const sv_cmd_def *foreverypart_def(void) { return &foreverypart_commands[0]; }

/* "mime" adds only tags (header, address and exists in ext_core.c take them). */
const sv_ext_def sv_ext_mime = {"mime", NULL, 0};

static const sv_cmd_def extracttext_commands[] = {
    {"extracttext", SV_KIND_COMMAND, SV_CTL_NONE, 1, {SV_T_STRING}, extracttext_tags,
     validate_extracttext, run_extracttext},
};
const sv_ext_def sv_ext_extracttext = {"extracttext", extracttext_commands, 1};
