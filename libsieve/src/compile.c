/* compile.c — from the syntax tree to bytecode: each command and test is looked up in the
 * registry, its arguments are checked against its definition (RFC 5228 §2.6: tagged and
 * positional arguments, §2.7.3 comparators, §3.2 require), its own checks run, and it is
 * encoded; the control structures (if/elsif/else, allof/anyof/not, true/false, stop) become
 * jumps over a one-bit test register. */
#include "engine.h"
#include "expr.h"

#include "lm_alloc.h"
#include "lm_ascii.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* A name reported as unknown: a command or test (def NULL), or a tag of the command `def`. */
typedef struct unknown_name {
    const sv_cmd_def *def;
    const char *name;        /* in the syntax tree */
    size_t len;
} unknown_name;

/* Unknown names kept to report each once; past this many, every use is reported. */
#define MAX_UNKNOWN_NAMES 256

typedef struct cg {
    sv_vctx v;
    lm_buf code;
    sv_pool_entry *strings;
    size_t nstrings, cap;
    lm_buf text;
    int commands_seen;       /* a command other than require was compiled */
    int nomem;
    /* Unknown commands, tests and tags are reported once, where first used: the others are
     * the same mistake again. */
    unknown_name *unknown;
    size_t nunknown, unknown_cap;
    sv_pos required_at[SV_MAX_EXTENSIONS]; /* where each required extension was named */
    /* The bits of two extensions every string asks about (0 when the engine lacks one). */
    uint64_t ext_encoded_character, ext_variables;
    uint64_t ext_expressions;  /* vnd.stalwart.expressions: "${expression}" in strings */
} cg;

static uint64_t ext_bit(const sieve_engine *e, const char *name)
{
    int i = sv_find_extension(e, name, strlen(name));
    return i < 0 ? 0 : 1ull << i;
}

/* sv_vctx_error() and sv_vctx_warning(): one diagnostic of severity `sev`. */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 0)))
#endif
static int vctx_report(sv_vctx *v, int sev, sv_pos pos, const char *fmt, va_list ap)
{
    char buf[400];
    vsnprintf(buf, sizeof buf, fmt, ap);
    return sv_diag_add(v->diag, sev, pos, "%s", buf);
}

int sv_vctx_error(sv_vctx *v, sv_pos pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vctx_report(v, SV_SEV_ERROR, pos, fmt, ap);
    va_end(ap);
    return rc;
}

int sv_vctx_check_tag(sv_vctx *v, const sv_args *a, int t, int (*ok)(const char *, size_t),
                      const char *what)
{
    const sv_value *x = sv_args_tag(a, t);
    if (!x || sv_string_has_variables(x->strs[0].s, x->strs[0].len) ||
        ok(x->strs[0].s, x->strs[0].len))
        return 0;
    if (what)
        return sv_vctx_error(v, x->strs[0].pos, "invalid %s \"%s\"", what, x->strs[0].s);
    return sv_vctx_error(v, x->strs[0].pos, "invalid :%s value \"%s\"", sv_tags[t].name,
                         x->strs[0].s);
}

int sv_vctx_has(const sv_vctx *v, const char *ext)
{
    int i = sv_find_extension(v->engine, ext, strlen(ext));
    return i >= 0 && (v->required >> i & 1);
}

int sv_vctx_warning(sv_vctx *v, sv_pos pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vctx_report(v, SV_SEV_WARNING, pos, fmt, ap);
    va_end(ap);
    return rc;
}

int sv_vctx_constant(const sv_vctx *v, const sv_str *s, lm_buf *buf, const char **text,
                     size_t *len)
{
    const char *p = s->s;
    size_t n = s->len;
    if (sv_vctx_has(v, "encoded-character")) {
        int rc = sv_decode_encoded_characters(s->s, s->len, buf);
        if (rc == SIEVE_E_SYNTAX)
            return 0;
        if (rc || buf->oom)
            return SIEVE_E_NOMEM;
        p = buf->data ? buf->data : "";
        n = buf->len;
    }
    if (sv_vctx_has(v, "variables") && sv_string_has_variables(p, n))
        return 0;
    *text = p;
    *len = n;
    return 1;
}

/* ---- emitting -------------------------------------------------------------------------- */

static void emit8(cg *g, unsigned x) { lm_buf_putc(&g->code, (int)(x & 0xff)); }

static void emit16(cg *g, unsigned x)
{
    emit8(g, x);
    emit8(g, x >> 8);
}

static void emit32(cg *g, uint32_t x)
{
    unsigned char b[4] = {(unsigned char)x, (unsigned char)(x >> 8), (unsigned char)(x >> 16),
                          (unsigned char)(x >> 24)};
    lm_buf_append(&g->code, b, 4);
}

static void emit64(cg *g, uint64_t x)
{
    emit32(g, (uint32_t)x);
    emit32(g, (uint32_t)(x >> 32));
}

static void patch32(cg *g, size_t at, uint32_t x)
{
    if (g->code.oom || at + 4 > g->code.len)
        return;
    unsigned char *p = (unsigned char *)g->code.data + at;
    p[0] = (unsigned char)x;
    p[1] = (unsigned char)(x >> 8);
    p[2] = (unsigned char)(x >> 16);
    p[3] = (unsigned char)(x >> 24);
}

/* A jump whose target is patched later: returns where the target goes. */
static size_t emit_jump(cg *g, int op)
{
    emit8(g, (unsigned)op);
    size_t at = g->code.len;
    emit32(g, 0);
    return at;
}

static void land(cg *g, size_t at) { patch32(g, at, (uint32_t)g->code.len); }

/* Adds a string to the pool (encoded characters decoded when the script asked for them) and
 * returns its index. */
/* Adds `n` octets to the pool as they are and returns the string's index. */
static uint32_t pool_put(cg *g, const char *p, size_t n, int expand)
{
    if (g->nstrings == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 64;
        sv_pool_entry *e = lm_realloc(g->strings, cap * sizeof *e);
        if (!e) {
            g->nomem = 1;
            return 0;
        }
        g->strings = e;
        g->cap = cap;
    }
    sv_pool_entry *e = &g->strings[g->nstrings];
    e->off = (uint32_t)g->text.len;
    e->len = (uint32_t)n;
    e->expand = (uint8_t)expand;
    lm_buf_append(&g->text, p, n);
    lm_buf_putc(&g->text, 0);
    return (uint32_t)g->nstrings++;
}

static uint32_t pool_add(cg *g, const sv_str *s)
{
    const char *p = s->s;
    size_t n = s->len;
    lm_buf dec = LM_BUF_INIT;
    if (g->v.required & g->ext_encoded_character) {
        int rc = sv_decode_encoded_characters(p, n, &dec);
        if (rc == SIEVE_E_SYNTAX)
            sv_vctx_error(&g->v, s->pos, "invalid unicode character in encoded-character sequence");
        else if (rc)
            g->nomem = 1;
        else {
            p = dec.data ? dec.data : "";
            n = dec.len;
        }
    }
    int expand = (g->v.required & g->ext_variables) && sv_string_has_variables(p, n);
    if (expand && sv_check_variable_references(&g->v, s->pos, p, n) < 0)
        g->nomem = 1;
    lm_buf tpl = LM_BUF_INIT; /* "${expression}" inside: the string becomes a template */
    int t = (g->v.required & g->ext_expressions) ? sv_expr_template(g->v.engine, p, n, &tpl) : 0;
    if (t < 0)
        g->nomem = 1;
    else if (t) {
        p = tpl.data;
        n = tpl.len;
        expand = SV_EXPAND_TEMPLATE;
    }
    uint32_t k = pool_put(g, p, n, expand);
    lm_buf_free(&tpl);
    lm_buf_free(&dec);
    return k;
}

/* An expression (vnd.stalwart.expressions) compiled into the pool as its code. */
static uint32_t pool_add_expr(cg *g, const sv_str *s)
{
    lm_buf code = LM_BUF_INIT;
    char err[200];
    int rc = sv_expr_compile(g->v.engine, s->s, s->len, &code, err, sizeof err);
    if (rc == SIEVE_E_SYNTAX)
        sv_vctx_error(&g->v, s->pos, "%s", err);
    else if (rc)
        g->nomem = 1;
    uint32_t k = pool_put(g, code.data ? code.data : "", code.len, 0);
    lm_buf_free(&code);
    return k;
}

static void emit_value(cg *g, const sv_value *val)
{
    emit8(g, val->type);
    switch (val->type) {
    case SV_T_STRING:
        emit32(g, pool_add(g, &val->strs[0]));
        break;
    case SV_T_STRLIST: /* the count, then the first of the list's strings, which follow it */
        emit16(g, (unsigned)val->count);
        emit32(g, (uint32_t)g->nstrings);
        for (size_t i = 0; i < val->count; i++)
            pool_add(g, &val->strs[i]);
        break;
    case SV_T_NUMBER:
        emit64(g, val->number);
        break;
    case SV_T_EXPR:
        emit32(g, pool_add_expr(g, &val->strs[0]));
        break;
    default:
        break;
    }
}

static void emit_command(cg *g, const sv_args *a)
{
    emit8(g, SV_OP_COMMAND);
    emit16(g, (unsigned)sv_command_index(g->v.engine, a->def));
    emit32(g, a->pos.line);
    emit32(g, a->pos.column);
    emit8(g, (unsigned)a->ntags);
    for (size_t i = 0; i < a->ntags; i++) {
        emit8(g, a->tag[i]);
        emit_value(g, &a->tag_value[i]);
    }
    emit8(g, (unsigned)a->npos);
    for (size_t i = 0; i < a->npos; i++)
        emit_value(g, &a->positional[i]);
}

/* ---- binding arguments ------------------------------------------------------------------ */

/* 1 when the unknown `name` (a command or test when `def` is NULL, else a tag of `def`) is
 * used for the first time and is to be reported; 0 when it was reported before. */
static int first_unknown(cg *g, const sv_cmd_def *def, const char *name, size_t len)
{
    for (size_t i = 0; i < g->nunknown; i++) {
        const unknown_name *u = &g->unknown[i];
        if (u->def == def && u->len == len && lm_eq_nocase(name, len, u->name))
            return 0;
    }
    if (g->nunknown == g->unknown_cap && g->unknown_cap < MAX_UNKNOWN_NAMES) {
        size_t cap = g->unknown_cap ? 2 * g->unknown_cap : 8;
        unknown_name *u = lm_realloc(g->unknown, cap * sizeof *u);
        if (!u)
            return 1; /* reported without being kept */
        g->unknown = u;
        g->unknown_cap = cap;
    }
    if (g->nunknown < g->unknown_cap)
        g->unknown[g->nunknown++] = (unknown_name){def, name, len};
    return 1;
}

static const char *kind_name(int kind) { return kind == SV_KIND_TEST ? "test" : "command"; }

static const char *type_name(int t)
{
    switch (t) {
    case SV_T_STRING: return "a string";
    case SV_T_STRLIST: return "a string list";
    case SV_T_NUMBER: return "a number";
    case SV_T_EXPR: return "an expression (a string)";
    default: return "nothing";
    }
}

/* Fills `val` from an AST argument of type `want`; 0 when the argument does not fit. */
static int take_value(const sv_arg *arg, int want, sv_value *val)
{
    memset(val, 0, sizeof *val);
    val->type = (uint8_t)want;
    switch (want) {
    case SV_T_STRING:
    case SV_T_EXPR:
        if (arg->kind != SV_ARG_STRING)
            return 0;
        val->strs = &arg->u.str;
        val->count = 1;
        return 1;
    case SV_T_STRLIST:
        if (arg->kind == SV_ARG_STRING) {
            val->strs = &arg->u.str;
            val->count = 1;
            return 1;
        }
        if (arg->kind != SV_ARG_STRLIST)
            return 0;
        val->strs = arg->u.list.items;
        val->count = arg->u.list.count;
        return 1;
    case SV_T_NUMBER:
        if (arg->kind != SV_ARG_NUMBER)
            return 0;
        val->number = arg->u.number;
        return 1;
    default:
        return 0;
    }
}

static int takes_tag(const sv_cmd_def *def, int tag)
{
    for (const uint8_t *t = def->tags; t && *t != SV_TAG_COUNT_; t++)
        if (*t == tag)
            return 1;
    return 0;
}

/* The tag named: one that `def` takes when several share the name (vacation's and the mime
 * extension's :mime), else the first. */
static int tag_by_name(const sieve_engine *e, const sv_cmd_def *def, const sv_str *name)
{
    return sv_tag_by_name(e, name->s, name->len, def);
}

/* The positional arguments written on `node` (a tag's value is not one). */
static size_t count_positional(const sieve_engine *e, const sv_node *node, const sv_cmd_def *def)
{
    size_t n = 0;
    for (size_t i = 0; i < node->nargs; i++) {
        if (node->args[i].kind != SV_ARG_TAG) {
            n++;
            continue;
        }
        int t = tag_by_name(e, def, &node->args[i].u.tag);
        if (t >= 0 && sv_tag(e, t)->value != SV_T_NONE && i + 1 < node->nargs &&
            node->args[i + 1].kind != SV_ARG_TAG)
            i++;
    }
    return n;
}

/* The tag `arg` names for `def`, or -1 when `def` does not take it here (unknown, or of an
 * extension the script did not require). */
static int known_tag(cg *g, const sv_cmd_def *def, const sv_arg *arg)
{
    int t = tag_by_name(g->v.engine, def, &arg->u.tag);
    const sv_tag_def *td = t >= 0 ? sv_tag(g->v.engine, t) : NULL;
    if (!td || !takes_tag(def, t) || (td->ext && !sv_vctx_has(&g->v, td->ext)))
        return -1;
    return t;
}

/* Binds the arguments of `node` to `def` (RFC 5228 §2.6). Returns 1 when they fit, 0 when an
 * error was reported. A command's arguments get one error, for the first thing wrong with
 * them: an unknown tag (reported once per command, where first used), else the first misfit
 * in the order written; what follows a misfit is not read against the definition. */
static int bind_args(cg *g, const sv_node *node, const sv_cmd_def *def, sv_args *a)
{
    memset(a, 0, sizeof *a);
    a->def = def;
    a->pos = node->name.pos;
    const sieve_engine *e = g->v.engine;
    for (size_t i = 0; i < node->nargs; i++) {
        const sv_arg *arg = &node->args[i];
        if (arg->kind != SV_ARG_TAG || known_tag(g, def, arg) >= 0)
            continue;
        if (first_unknown(g, def, arg->u.tag.s, arg->u.tag.len))
            sv_vctx_error(&g->v, arg->pos, "unknown tagged argument \":%s\" for the %s \"%s\"",
                          arg->u.tag.s, kind_name(def->kind), def->name);
        return 0;
    }
    size_t given = count_positional(e, node, def);
    size_t skip = given < def->npos ? def->npos - given : 0; /* optional ones left out */
    for (size_t i = 0; i < node->nargs; i++) {
        const sv_arg *arg = &node->args[i];
        if (arg->kind == SV_ARG_TAG) {
            int t = known_tag(g, def, arg);
            const sv_tag_def *td = sv_tag(e, t);
            if (a->npos) {
                sv_vctx_error(&g->v, arg->pos, "tagged argument \":%s\" after the positional "
                              "arguments of \"%s\"", arg->u.tag.s, def->name);
                return 0;
            }
            for (size_t k = 0; k < a->ntags; k++)
                if (a->tag[k] == t || (td->group && sv_tag(e, a->tag[k])->group == td->group)) {
                    sv_vctx_error(&g->v, arg->pos, "\":%s\" conflicts with \":%s\" given before "
                                  "on \"%s\"", td->name, sv_tag(e, a->tag[k])->name, def->name);
                    return 0;
                }
            if (a->ntags == SV_MAX_TAGS) {
                sv_vctx_error(&g->v, arg->pos, "too many tagged arguments on \"%s\"", def->name);
                return 0;
            }
            sv_value val = {.type = SV_T_NONE};
            if (td->value != SV_T_NONE) {
                if (i + 1 >= node->nargs || !take_value(&node->args[i + 1], td->value, &val)) {
                    sv_vctx_error(&g->v, arg->pos, "\":%s\" of \"%s\" takes %s", td->name,
                                  def->name, type_name(td->value));
                    return 0;
                }
                i++;
            }
            a->tag[a->ntags] = (uint8_t)t;
            a->tag_value[a->ntags++] = val;
            continue;
        }
        for (; skip && a->npos < def->npos && (def->pos[a->npos] & SV_T_OPTIONAL); skip--)
            a->positional[a->npos++].type = SV_T_NONE;
        if (a->npos >= def->npos) {
            sv_vctx_error(&g->v, arg->pos, "too many arguments for the %s \"%s\"",
                          kind_name(def->kind), def->name);
            return 0;
        }
        int want = def->pos[a->npos] & ~SV_T_OPTIONAL;
        if (!take_value(arg, want, &a->positional[a->npos])) {
            sv_vctx_error(&g->v, arg->pos, "argument %zu of \"%s\" must be %s", a->npos + 1,
                          def->name, type_name(want));
            return 0;
        }
        a->npos++;
    }
    while (a->npos < def->npos && (def->pos[a->npos] & SV_T_OPTIONAL))
        a->positional[a->npos++].type = SV_T_NONE;
    if (a->npos < def->npos) {
        unsigned need = 0; /* the positional arguments that may not be left out */
        for (unsigned k = 0; k < def->npos; k++)
            need += !(def->pos[k] & SV_T_OPTIONAL);
        sv_vctx_error(&g->v, node->name.pos, "the %s \"%s\" needs %s%u positional argument%s, "
                      "not %zu", kind_name(def->kind), def->name, need < def->npos ? "at least " : "",
                      need, need == 1 ? "" : "s", given);
        return 0;
    }
    return 1;
}

/* ---- commands and tests ------------------------------------------------------------------ */

/* The definition of `node` as a command or test, reporting why when there is none (an
 * unknown name once, where first used). */
static const sv_cmd_def *lookup(cg *g, const sv_node *node, int kind)
{
    size_t ext;
    const sv_cmd_def *def = sv_find_command_in(g->v.engine, node->name.s, node->name.len, kind,
                                               g->v.required, &ext);
    if (def && (ext == 0 || (g->v.required >> ext & 1)))
        return def;
    const sv_cmd_def *other = def ? NULL : sv_find_command(g->v.engine, node->name.s,
                                                           node->name.len, !kind, NULL);
    if (!other && !first_unknown(g, NULL, node->name.s, node->name.len))
        return NULL;
    if (def)
        sv_vctx_error(&g->v, node->name.pos, "unknown %s \"%s\" (the extension \"%s\" is not "
                      "required)", kind_name(kind), node->name.s, g->v.engine->exts[ext]->name);
    else if (other)
        sv_vctx_error(&g->v, node->name.pos, "\"%s\" is a %s, not a %s", node->name.s,
                      kind_name(!kind), kind_name(kind));
    else
        sv_vctx_error(&g->v, node->name.pos, "unknown %s \"%s\"", kind_name(kind), node->name.s);
    return NULL;
}

static void compile_test(cg *g, const sv_node *node);

/* The tests of allof/anyof: each decides when it is false (allof) or true (anyof). */
static void compile_test_list(cg *g, const sv_node *node, int op)
{
    size_t *jumps = lm_calloc(node->ntests ? node->ntests : 1, sizeof *jumps);
    if (!jumps) {
        g->nomem = 1;
        return;
    }
    for (size_t i = 0; i < node->ntests; i++) {
        compile_test(g, node->tests[i]);
        if (i + 1 < node->ntests)
            jumps[i] = emit_jump(g, op);
    }
    for (size_t i = 0; i + 1 < node->ntests; i++)
        land(g, jumps[i]);
    lm_free(jumps);
}

static void compile_test(cg *g, const sv_node *node)
{
    const sv_cmd_def *def = lookup(g, node, SV_KIND_TEST);
    if (!def)
        return;
    sv_args a;
    int ok = bind_args(g, node, def, &a);
    switch (def->control) {
    case SV_CTL_ALLOF:
    case SV_CTL_ANYOF:
        if (!node->test_list || node->ntests == 0) {
            sv_vctx_error(&g->v, node->name.pos, "\"%s\" takes a list of tests in ( )", def->name);
            return;
        }
        compile_test_list(g, node, def->control == SV_CTL_ALLOF ? SV_OP_JMP_FALSE : SV_OP_JMP_TRUE);
        if (def->control == SV_CTL_ANYOF)
            g->v.known_false = 0; /* another test may be true */
        return;
    case SV_CTL_NOT:
        if (node->test_list || node->ntests != 1) {
            sv_vctx_error(&g->v, node->name.pos, "\"not\" takes one test");
            return;
        }
        compile_test(g, node->tests[0]);
        emit8(g, SV_OP_NOT);
        g->v.known_false = 0;
        return;
    default:
        break;
    }
    if (node->ntests) {
        sv_vctx_error(&g->v, node->tests[0]->name.pos, "the test \"%s\" takes no tests",
                      def->name);
        return;
    }
    if (!ok || (def->validate && def->validate(&g->v, &a) < 0))
        return;
    if (def->control == SV_CTL_TRUE || def->control == SV_CTL_FALSE) {
        emit8(g, def->control == SV_CTL_TRUE ? SV_OP_SET_TRUE : SV_OP_SET_FALSE);
        return;
    }
    emit_command(g, &a);
}

static void compile_block(cg *g, sv_node *const *cmds, size_t n, int top);

static void compile_require(cg *g, const sv_args *a, int top)
{
    if (!top || g->commands_seen) {
        sv_vctx_error(&g->v, a->pos, "\"require\" must come before every other command, at the "
                      "top of the script");
        return; /* its extensions are not looked at */
    }
    const sv_value *names = &a->positional[0];
    for (size_t i = 0; i < names->count; i++) {
        const sv_str *s = &names->strs[i];
        int x = sv_find_extension(g->v.engine, s->s, s->len);
        if (x < 0 || !(g->v.engine->enabled >> x & 1))
            sv_vctx_error(&g->v, s->pos, "unsupported extension \"%s\"", s->s);
        else {
            if (!(g->v.required >> x & 1))
                g->required_at[x] = s->pos;
            g->v.required |= 1ull << x;
            int y = sv_extension_implies(g->v.engine, x);
            if (y >= 0)
                g->v.required |= 1ull << y;
        }
    }
}

/* Reports what is wrong with the arguments, test and block of an if, elsif or else (`def`,
 * `ctl`): as for any command, the arguments first; when they are wrong a misplaced test is
 * still reported, a missing block not. */
static void check_if_part(cg *g, const sv_node *node, const sv_cmd_def *def, int ctl)
{
    sv_args a;
    int ok = bind_args(g, node, def, &a);
    if (ctl == SV_CTL_ELSE && node->ntests)
        sv_vctx_error(&g->v, node->name.pos, "\"else\" takes no test");
    else if (ctl != SV_CTL_ELSE && (node->ntests != 1 || node->test_list))
        sv_vctx_error(&g->v, node->name.pos, "\"%s\" takes one test", def->name);
    else if (ok && !node->has_block)
        sv_vctx_error(&g->v, node->name.pos, "\"%s\" needs a block { }", def->name);
}

/* Each required extension that needs another one has it required too. */
static void check_needs(cg *g)
{
    const sieve_engine *e = g->v.engine;
    for (int x = 0; x < (int)e->nexts; x++) {
        int y = sv_extension_needs(e, x);
        if ((g->v.required >> x & 1) && y >= 0 && !(g->v.required >> y & 1))
            sv_vctx_error(&g->v, g->required_at[x], "the extension \"%s\" cannot be used "
                          "without the extension \"%s\"", e->exts[x]->name, e->exts[y]->name);
    }
}

/* if, then the elsif and else that follow it: `cmds[*i]` is the if, or an elsif or else
 * without one (reported by the caller), which starts a chain all the same so that what
 * follows it is not reported again. */
static void compile_if_chain(cg *g, sv_node *const *cmds, size_t n, size_t *i)
{
    size_t ends[64], nends = 0;
    for (size_t k = *i; k < n; k++) {
        const sv_node *node = cmds[k];
        const sv_cmd_def *def = sv_find_command(g->v.engine, node->name.s, node->name.len,
                                                SV_KIND_COMMAND, NULL);
        int ctl = def ? def->control : SV_CTL_NONE;
        if (k > *i && ctl != SV_CTL_ELSIF && ctl != SV_CTL_ELSE)
            break;
        *i = k;
        check_if_part(g, node, def, ctl);
        size_t skip = 0;
        int has_test = ctl != SV_CTL_ELSE;
        if (has_test) {
            g->v.known_false = 0;
            for (size_t t = 0; t < node->ntests; t++) /* more than one: errors only */
                compile_test(g, node->tests[t]);
            skip = emit_jump(g, SV_OP_JMP_FALSE);
        }
        /* RFC 5463 §4: the block of a test known to be false (ihave of an extension this
         * engine lacks) is not checked, so it may use what the engine does not know. */
        if (!has_test || !g->v.known_false)
            compile_block(g, node->block, node->nblock, 0);
        g->v.known_false = 0;
        if (ctl == SV_CTL_ELSE)
            break;
        if (nends < sizeof ends / sizeof ends[0])
            ends[nends++] = emit_jump(g, SV_OP_JMP);
        land(g, skip);
    }
    for (size_t k = 0; k < nends; k++)
        land(g, ends[k]);
}

/* A command with its own block: SV_OP_BLOCK (where the block ends), the command, the block,
 * SV_OP_BLOCK_END (where a command that leaves the block lands too). */
static void compile_block_command(cg *g, const sv_node *node, const sv_args *a)
{
    size_t end = emit_jump(g, SV_OP_BLOCK);
    emit_command(g, a);
    /* Known to the commands inside (foreverypart's break and extracttext look for it). */
    int tracked = g->v.nblocks < SV_MAX_VBLOCKS;
    if (tracked)
        g->v.blocks[g->v.nblocks++] = a;
    compile_block(g, node->block, node->nblock, 0);
    if (tracked)
        g->v.nblocks--;
    land(g, end);
    emit8(g, SV_OP_BLOCK_END);
}

/* Where a block ends, a variable that was its own (vnd.stalwart.expressions' scopes,
 * sv_scope_close) is emptied: a "set" of "" is compiled for it. */
static void end_scoped_variable(void *user, const sv_str *name)
{
    cg *g = user;
    const sv_cmd_def *set = sv_find_command(g->v.engine, "set", 3, SV_KIND_COMMAND, NULL);
    if (!set)
        return;
    sv_str empty = {"", 0, name->pos, 0, 0};
    sv_args a;
    memset(&a, 0, sizeof a);
    a.def = set;
    a.pos = name->pos;
    a.npos = 2;
    a.positional[0] = (sv_value){SV_T_STRING, 0, name, 1};
    a.positional[1] = (sv_value){SV_T_STRING, 0, &empty, 1};
    emit_command(g, &a);
}

static void compile_block_commands(cg *g, sv_node *const *cmds, size_t n, int top);

static void compile_block(cg *g, sv_node *const *cmds, size_t n, int top)
{
    if (top) {
        compile_block_commands(g, cmds, n, 1);
        return;
    }
    g->v.scope_depth++;
    compile_block_commands(g, cmds, n, 0);
    sv_scope_close(&g->v, end_scoped_variable, g);
}

static void compile_block_commands(cg *g, sv_node *const *cmds, size_t n, int top)
{
    for (size_t i = 0; i < n && !g->v.diag->full; i++) {
        const sv_node *node = cmds[i];
        const sv_cmd_def *def = lookup(g, node, SV_KIND_COMMAND);
        if (!def)
            continue;
        switch (def->control) {
        case SV_CTL_IF:
            g->commands_seen = 1;
            compile_if_chain(g, cmds, n, &i);
            continue;
        case SV_CTL_ELSIF:
        case SV_CTL_ELSE:
            sv_vctx_error(&g->v, node->name.pos, "\"%s\" without an \"if\" before it", def->name);
            compile_if_chain(g, cmds, n, &i);
            continue;
        default:
            break;
        }
        /* As for if: the arguments, then a test where none goes (also when the arguments were
         * wrong: a tag without its ":" reads as a test), then the block. */
        sv_args a;
        int ok = bind_args(g, node, def, &a);
        if (node->ntests) {
            sv_vctx_error(&g->v, node->name.pos, "the command \"%s\" takes no test", def->name);
            ok = 0;
        }
        if (ok && node->has_block != (def->control == SV_CTL_BLOCK)) {
            sv_vctx_error(&g->v, node->name.pos, "the command \"%s\" %s", def->name,
                          node->has_block ? "takes no block" : "needs a block { }");
            ok = 0;
        }
        if (!ok) {
            if (def->control == SV_CTL_BLOCK && node->has_block)
                compile_block_command(g, node, &a); /* its block may hold errors of its own */
            continue;
        }
        if (def->control == SV_CTL_REQUIRE) {
            compile_require(g, &a, top);
            continue;
        }
        g->commands_seen = 1;
        if (def->validate && def->validate(&g->v, &a) < 0) {
            g->nomem = 1;
            continue;
        }
        if (def->control == SV_CTL_STOP)
            emit8(g, SV_OP_STOP);
        else if (def->control == SV_CTL_BLOCK && node->has_block)
            compile_block_command(g, node, &a);
        else
            emit_command(g, &a);
    }
}

/* ---- the public side -------------------------------------------------------------------- */

struct sieve_diagnostics {
    sv_diag d;
};

size_t sieve_diagnostics_count(const sieve_diagnostics *d) { return d ? d->d.count : 0; }

int sieve_diagnostic_at(const sieve_diagnostics *d, size_t i, int *severity, unsigned *line,
                        unsigned *column, const char **text)
{
    if (!d || i >= d->d.count)
        return SIEVE_E_INVAL;
    const sv_diag_item *it = &d->d.items[i];
    if (severity)
        *severity = it->severity;
    if (line)
        *line = it->pos.line;
    if (column)
        *column = it->pos.column;
    if (text)
        *text = it->text;
    return 0;
}

void sieve_diagnostics_free(sieve_diagnostics *d)
{
    if (!d)
        return;
    sv_diag_free(&d->d);
    lm_free(d);
}

/* Hands `d` to the caller as diagnostics (or frees it). 0 or SIEVE_E_NOMEM. */
int sv_diag_hand_out(sv_diag *d, sieve_diagnostics **out)
{
    if (!out) {
        sv_diag_free(d);
        return 0;
    }
    *out = lm_malloc(sizeof **out);
    if (!*out) {
        sv_diag_free(d);
        return SIEVE_E_NOMEM;
    }
    (*out)->d = *d;
    return 0;
}

void sieve_script_free(sieve_script *s)
{
    if (!s)
        return;
    lm_free(s->code);
    lm_free(s->strings);
    lm_free(s->strs);
    lm_free(s->text);
    sv_subscripts_free(s->subs, s->nsubs); /* include (RFC 6609) */
    lm_free(s);
}

void sv_subscripts_free(sv_subscript *subs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        lm_free(subs[i].name);
        sieve_script_free(subs[i].script);
    }
    lm_free(subs);
}

/* Compiles one script into *out (NULL on failure), its diagnostics into `d`. `parent` is the
 * compile of the script that includes this one (include, RFC 6609), NULL for the top script:
 * the top one owns the table of included scripts its includes fill. */
static int compile_script(const sieve_engine *e, const char *src, size_t len,
                          const sv_vctx *parent, int location, const char *name, sv_diag *d,
                          sieve_script **out)
{
    *out = NULL;
    sv_parse_limits lim = {.max_script_size = e->o.max_script_size, .max_nesting = e->o.max_nesting};
    sv_ast *ast = NULL;
    int rc = sv_parse(src ? src : "", len, &lim, d, &ast);
    cg g;
    memset(&g, 0, sizeof g);
    g.v.engine = e;
    g.ext_encoded_character = ext_bit(e, "encoded-character");
    g.ext_variables = ext_bit(e, "variables");
    g.ext_expressions = ext_bit(e, "vnd.stalwart.expressions");
    g.v.diag = d;
    sv_subtable table = {NULL, 0, 0};
    g.v.subs = parent ? parent->subs : &table;
    g.v.parent = parent;
    g.v.location = location;
    g.v.name = name;
    g.v.depth = parent ? parent->depth + 1 : 0;
    if (!rc) {
        compile_block(&g, ast->commands, ast->ncommands, 1);
        check_needs(&g);
        emit8(&g, SV_OP_END);
        if (g.nomem || g.code.oom || g.text.oom || d->oom)
            rc = SIEVE_E_NOMEM;
        else if (d->errors)
            rc = SIEVE_E_COMPILE;
    }
    sv_ast_free(ast);
    sv_declared_free(g.v.declared);
    lm_free(g.unknown);
    sieve_script *s = NULL;
    if (!rc && !(s = lm_calloc(1, sizeof *s)))
        rc = SIEVE_E_NOMEM;
    if (!rc) {
        s->engine = e;
        s->required = g.v.required;
        s->code_len = g.code.len;
        s->code = (uint8_t *)lm_buf_take(&g.code, NULL);
        s->nstrings = g.nstrings;
        s->strings = g.strings;
        g.strings = NULL;
        s->text_len = g.text.len;
        s->text = lm_buf_take(&g.text, NULL);
        if (!parent) {
            s->subs = table.items;
            s->nsubs = table.count;
            table.items = NULL;
            table.count = 0;
        }
        if (!s->code || (g.text.len && !s->text) || sv_script_strings(s)) {
            sieve_script_free(s);
            s = NULL;
            rc = SIEVE_E_NOMEM;
        }
    }
    sv_subscripts_free(table.items, table.count);
    lm_buf_free(&g.code);
    lm_buf_free(&g.text);
    lm_free(g.strings);
    if (rc) {
        sieve_script_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

int sv_compile_included(const sv_vctx *parent, int location, const char *name, const char *src,
                        size_t len, sv_diag *diag, sieve_script **out)
{
    return compile_script(parent->engine, src, len, parent, location, name, diag, out);
}

int sieve_compile(const sieve_engine *e, const char *src, size_t len, sieve_script **out,
                  sieve_diagnostics **diag)
{
    if (diag)
        *diag = NULL;
    if (!e || !out || (!src && len))
        return SIEVE_E_INVAL;
    *out = NULL;
    sv_diag d;
    sv_diag_init(&d, e->o.max_errors);
    sieve_script *s = NULL;
    int rc = compile_script(e, src, len, NULL, 0, NULL, &d, &s);
    int hrc = sv_diag_hand_out(&d, diag);
    if (!rc && hrc)
        rc = hrc;
    if (rc) {
        sieve_script_free(s);
        return rc;
    }
    *out = s;
    return 0;
}
