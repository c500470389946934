/* bytecode.c — reading instructions back, and a compiled script saved as bytes and loaded
 * again. Saved bytes are hostile input: the loader decodes every instruction once, checks
 * every string index, value type, tag and jump target, and refuses anything else.
 *
 * Layout (integers little-endian):
 *   "SVBC" u16 version u16 0  u64 required-extension bits
 *   u32 nstrings  nstrings × (u32 offset, u32 length, u8 expand)
 *   u32 text length  text (each string NUL-terminated)
 *   u32 code length  code
 *   u32 nsubs  nsubs × (u8 location, u32 name length, name, then the included script's
 *                      required bits, strings, text and code as above)       (include, RFC 6609)
 * The extension bits name extensions by their index in the registry of this version; the
 * version changes whenever the registry or an instruction does. An expression's string
 * (vnd.stalwart.expressions) holds its code, checked by sv_expr_verify() (expr.h). */
#include "code_reader.h"
#include "engine.h"
#include "expr.h"

#include "lm_alloc.h"

#include <string.h>

#define SV_BYTECODE_VERSION 3

/* A value points at the script's strings (s->strs): a list is consecutive strings there. */
static int decode_value(const sieve_script *s, sv_reader *r, sv_value *v, uint8_t want)
{
    v->type = (uint8_t)sv_read_int(r, 1);
    v->number = 0;
    v->strs = NULL;
    v->count = 0;
    if (r->bad || (v->type != (want & ~SV_T_OPTIONAL) &&
                   !((want & SV_T_OPTIONAL) && v->type == SV_T_NONE)))
        return -1;
    size_t count = 0;
    switch (v->type) {
    case SV_T_NONE:
        return 0;
    case SV_T_NUMBER:
        v->number = sv_read_int(r, 8);
        return r->bad ? -1 : 0;
    case SV_T_STRING:
    case SV_T_EXPR: /* its code in the pool: checked once by verify_code() */
        count = 1;
        break;
    case SV_T_STRLIST:
        count = (size_t)sv_read_int(r, 2);
        break;
    default:
        return -1;
    }
    uint32_t first = (uint32_t)sv_read_int(r, 4);
    if (r->bad || first > s->nstrings || count > s->nstrings - first)
        return -1;
    v->strs = s->strs + first;
    v->count = count;
    return 0;
}

int sv_script_strings(sieve_script *s)
{
    if (!s->nstrings)
        return 0;
    if (!(s->strs = lm_calloc(s->nstrings, sizeof *s->strs)))
        return SIEVE_E_NOMEM;
    for (size_t k = 0; k < s->nstrings; k++) {
        s->strs[k].s = s->text + s->strings[k].off;
        s->strs[k].len = s->strings[k].len;
        s->strs[k].expand = s->strings[k].expand;
    }
    return 0;
}

static int takes(const sv_cmd_def *def, int tag)
{
    for (const uint8_t *t = def->tags; t && *t != SV_TAG_COUNT_; t++)
        if (*t == tag)
            return 1;
    return 0;
}

int sv_decode(const sieve_script *s, size_t *pc, sv_args *a, uint32_t *target)
{
    sv_reader r = {s->code, s->code_len, *pc, 0};
    int op = (int)sv_read_int(&r, 1);
    if (r.bad)
        return -1;
    switch (op) {
    case SV_OP_END: case SV_OP_NOT: case SV_OP_SET_TRUE: case SV_OP_SET_FALSE: case SV_OP_STOP:
    case SV_OP_BLOCK_END:
        *pc = r.at;
        return op;
    case SV_OP_JMP: case SV_OP_JMP_FALSE: case SV_OP_JMP_TRUE: case SV_OP_BLOCK:
        *target = (uint32_t)sv_read_int(&r, 4);
        if (r.bad || *target > s->code_len)
            return -1;
        *pc = r.at;
        return op;
    default:
        break;
    }
    if (op != SV_OP_COMMAND)
        return -1;
    const sv_cmd_def *def = sv_command_at(s->engine, (int)sv_read_int(&r, 2));
    if (r.bad || !def || !def->run)
        return -1;
    /* Only what is read is set: a command reads its first ntags tags and npos values. */
    a->def = def;
    a->pos.line = (uint32_t)sv_read_int(&r, 4);
    a->pos.column = (uint32_t)sv_read_int(&r, 4);
    a->ntags = (size_t)sv_read_int(&r, 1);
    if (r.bad || a->ntags > SV_MAX_TAGS)
        return -1;
    for (size_t i = 0; i < a->ntags; i++) {
        unsigned t = (unsigned)sv_read_int(&r, 1);
        const sv_tag_def *td = sv_tag(s->engine, (int)t);
        if (r.bad || !td || !takes(def, (int)t))
            return -1;
        a->tag[i] = (uint8_t)t;
        if (decode_value(s, &r, &a->tag_value[i], td->value))
            return -1;
    }
    a->npos = (size_t)sv_read_int(&r, 1);
    if (r.bad || a->npos != def->npos)
        return -1;
    for (size_t i = 0; i < a->npos; i++)
        if (decode_value(s, &r, &a->positional[i], def->pos[i]))
            return -1;
    *pc = r.at;
    return op;
}

/* ---- saving and loading ------------------------------------------------------------------ */

static void put(lm_buf *b, uint64_t x, size_t width)
{
    for (size_t i = 0; i < width; i++)
        lm_buf_putc(b, (int)(x >> (8 * i) & 0xff));
}

/* A script's own part of the saved bytes: its extensions, strings and code. */
static void save_body(lm_buf *b, const sieve_script *s)
{
    put(b, s->required, 8);
    put(b, s->nstrings, 4);
    for (size_t i = 0; i < s->nstrings; i++) {
        put(b, s->strings[i].off, 4);
        put(b, s->strings[i].len, 4);
        put(b, s->strings[i].expand, 1);
    }
    put(b, s->text_len, 4);
    lm_buf_append(b, s->text ? s->text : "", s->text_len);
    put(b, s->code_len, 4);
    lm_buf_append(b, s->code, s->code_len);
}

int sieve_script_save(const sieve_script *s, unsigned char **bytes, size_t *len)
{
    if (!s || !bytes || !len)
        return SIEVE_E_INVAL;
    *bytes = NULL;
    *len = 0;
    lm_buf b = LM_BUF_INIT;
    lm_buf_append(&b, "SVBC", 4);
    put(&b, SV_BYTECODE_VERSION, 2);
    put(&b, 0, 2);
    save_body(&b, s);
    /* include (RFC 6609): the included scripts go with it */
    put(&b, s->nsubs, 4);
    for (size_t i = 0; i < s->nsubs; i++) {
        size_t n = strlen(s->subs[i].name);
        put(&b, (uint64_t)s->subs[i].location, 1);
        put(&b, n, 4);
        lm_buf_append(&b, s->subs[i].name, n);
        save_body(&b, s->subs[i].script);
    }
    size_t n = b.len;
    unsigned char *out = (unsigned char *)lm_buf_take(&b, NULL);
    if (!out)
        return SIEVE_E_NOMEM;
    *bytes = out;
    *len = n;
    return 0;
}

void sieve_free(void *p) { lm_free(p); }

/* Blocks (SV_OP_BLOCK … SV_OP_BLOCK_END, foreverypart's loops among them) nest properly:
 * each block's target is its own end, every end closes the innermost open block, none is
 * left open, and a jump stays inside the block it starts in (so a run never leaves a block
 * or a loop without its end). Every instruction already decodes. */
static int verify_blocks(const sieve_script *s)
{
    uint32_t *region = lm_calloc(s->code_len + 1, sizeof *region); /* innermost block + 1 */
    size_t *open = lm_malloc((s->code_len / 5 + 1) * sizeof *open); /* BLOCK is 5 octets */
    size_t nopen = 0;
    int ok = region && open;
    for (size_t pc = 0; ok && pc < s->code_len;) {
        size_t at = pc;
        sv_args a;
        uint32_t target;
        int op = sv_decode(s, &pc, &a, &target);
        region[at] = nopen ? (uint32_t)open[nopen - 1] + 1 : 0;
        if (op == SV_OP_BLOCK) {
            open[nopen++] = at;
        } else if (op == SV_OP_BLOCK_END) {
            uint32_t t = 0;
            size_t q = nopen ? open[nopen - 1] : 0;
            ok = nopen && sv_decode(s, &q, &a, &t) == SV_OP_BLOCK &&
                 t == at;
            nopen -= ok;
        }
    }
    ok = ok && nopen == 0;
    for (size_t pc = 0; ok && pc < s->code_len;) {
        size_t at = pc;
        sv_args a;
        uint32_t target;
        int op = sv_decode(s, &pc, &a, &target);
        if ((op == SV_OP_JMP || op == SV_OP_JMP_FALSE || op == SV_OP_JMP_TRUE) &&
            region[target] != region[at])
            ok = 0;
    }
    lm_free(region);
    lm_free(open);
    return ok;
}

/* Every instruction decodes and every jump lands on an instruction start (or the end). */
/* The expressions among a command's arguments (vnd.stalwart.expressions) are whole code. */
static int verify_exprs(const sieve_script *s, const sv_args *a)
{
    for (size_t i = 0; i < a->ntags + a->npos; i++) {
        const sv_value *v = i < a->ntags ? &a->tag_value[i] : &a->positional[i - a->ntags];
        if (v->type == SV_T_EXPR &&
            (v->strs[0].expand || sv_expr_verify(s->engine, v->strs[0].s, v->strs[0].len)))
            return 0;
    }
    return 1;
}

static int verify_code(const sieve_script *s)
{
    if (!s->code_len || s->code[s->code_len - 1] != SV_OP_END)
        return -1;
    uint8_t *start = lm_calloc(s->code_len + 1, 1);
    int ok = start != NULL;
    size_t pc = 0;
    while (ok && pc < s->code_len) {
        start[pc] = 1;
        sv_args a;
        uint32_t target;
        int op = sv_decode(s, &pc, &a, &target);
        ok = op >= 0 && (op != SV_OP_COMMAND || verify_exprs(s, &a));
    }
    start[s->code_len] = 1;
    for (size_t p = 0; ok && p < s->code_len;) {
        sv_args a;
        uint32_t target;
        int op = sv_decode(s, &p, &a, &target);
        if ((op == SV_OP_JMP || op == SV_OP_JMP_FALSE || op == SV_OP_JMP_TRUE ||
             op == SV_OP_BLOCK) && !start[target])
            ok = 0;
        /* A block starts with its command, and its end is a block end. */
        if (op == SV_OP_BLOCK && ok) {
            size_t q = p, t = target;
            uint32_t unused;
            ok = sv_decode(s, &q, &a, &unused) == SV_OP_COMMAND &&
                 a.def->control == SV_CTL_BLOCK && t < s->code_len &&
                 s->code[t] == SV_OP_BLOCK_END;
        }
    }
    if (ok)
        ok = verify_blocks(s); /* foreverypart (RFC 5703) and the harness's blocks */
    lm_free(start);
    return ok ? 0 : -1;
}

/* Reads a script's own part (save_body) into a new script and verifies it. 0, SIEVE_E_SYNTAX,
 * SIEVE_E_UNSUPPORTED or SIEVE_E_NOMEM. */
static int load_body(const sieve_engine *e, sv_reader *r, sieve_script **out)
{
    *out = NULL;
    sieve_script *s = lm_calloc(1, sizeof *s);
    if (!s)
        return SIEVE_E_NOMEM;
    int rc = SIEVE_E_SYNTAX;
    s->required = sv_read_int(r, 8);
    s->engine = e;
    uint64_t known = e->nexts >= 64 ? ~0ull : (1ull << e->nexts) - 1;
    if (r->bad || (s->required & ~known))
        goto fail;
    if (s->required & ~e->enabled) {
        rc = SIEVE_E_UNSUPPORTED;
        goto fail;
    }
    s->nstrings = (size_t)sv_read_int(r, 4);
    if (r->bad || s->nstrings > (r->n - r->at) / 9)
        goto fail;
    rc = SIEVE_E_NOMEM;
    if (s->nstrings && !(s->strings = lm_malloc(s->nstrings * sizeof *s->strings)))
        goto fail;
    rc = SIEVE_E_SYNTAX;
    for (size_t i = 0; i < s->nstrings; i++) {
        s->strings[i].off = (uint32_t)sv_read_int(r, 4);
        s->strings[i].len = (uint32_t)sv_read_int(r, 4);
        s->strings[i].expand = (uint8_t)sv_read_int(r, 1);
    }
    s->text_len = (size_t)sv_read_int(r, 4);
    if (r->bad || s->text_len > r->n - r->at)
        goto fail;
    rc = SIEVE_E_NOMEM;
    if (!(s->text = lm_malloc(s->text_len + 1)))
        goto fail;
    rc = SIEVE_E_SYNTAX;
    memcpy(s->text, (const char *)r->p + r->at, s->text_len);
    s->text[s->text_len] = '\0';
    r->at += s->text_len;
    for (size_t i = 0; i < s->nstrings; i++) {
        const sv_pool_entry *p = &s->strings[i];
        /* Inside the text and NUL-terminated there, as the compiler leaves them; a template
         * (expressions in a string) whole. */
        if (p->expand > SV_EXPAND_TEMPLATE || p->off > s->text_len ||
            p->len >= s->text_len - p->off + 1 || s->text[p->off + p->len] != '\0' ||
            (p->expand == SV_EXPAND_TEMPLATE &&
             sv_expr_template_verify(e, s->text + p->off, p->len)))
            goto fail;
    }
    s->code_len = (size_t)sv_read_int(r, 4);
    if (r->bad || s->code_len > r->n - r->at)
        goto fail;
    rc = SIEVE_E_NOMEM;
    if (!(s->code = lm_malloc(s->code_len ? s->code_len : 1)))
        goto fail;
    memcpy(s->code, r->p + r->at, s->code_len);
    r->at += s->code_len;
    if (sv_script_strings(s))
        goto fail;
    rc = SIEVE_E_SYNTAX;
    if (verify_code(s))
        goto fail;
    *out = s;
    return 0;
fail:
    sieve_script_free(s);
    return rc;
}

/* include (RFC 6609): the table of included scripts, each verified like the top one; names
 * non-empty, without NUL, at most 1024 octets, unique per location; at most the engine's
 * max_includes of them. */
static int load_subs(const sieve_engine *e, sv_reader *r, sieve_script *top)
{
    size_t n = (size_t)sv_read_int(r, 4);
    size_t max = e->o.max_includes ? e->o.max_includes : 255; /* ext_include.c's default */
    if (r->bad || n > max || n > (r->n - r->at) / 5)
        return SIEVE_E_SYNTAX;
    if (!n)
        return 0;
    if (!(top->subs = lm_calloc(n, sizeof *top->subs)))
        return SIEVE_E_NOMEM;
    for (size_t i = 0; i < n; i++) {
        sv_subscript *sub = &top->subs[i];
        sub->location = (int)sv_read_int(r, 1);
        size_t nlen = (size_t)sv_read_int(r, 4);
        if (r->bad || sub->location > SIEVE_INCLUDE_GLOBAL || nlen == 0 || nlen > 1024 ||
            nlen > r->n - r->at || memchr(r->p + r->at, 0, nlen))
            return SIEVE_E_SYNTAX;
        if (!(sub->name = lm_malloc(nlen + 1)))
            return SIEVE_E_NOMEM;
        top->nsubs = i + 1;
        memcpy(sub->name, r->p + r->at, nlen);
        sub->name[nlen] = '\0';
        r->at += nlen;
        for (size_t k = 0; k < i; k++)
            if (top->subs[k].location == sub->location && !strcmp(top->subs[k].name, sub->name))
                return SIEVE_E_SYNTAX;
        int rc = load_body(e, r, &sub->script);
        if (rc)
            return rc;
    }
    return 0;
}

int sieve_script_load(const sieve_engine *e, const void *bytes, size_t len, sieve_script **out)
{
    if (!e || !out || (!bytes && len))
        return SIEVE_E_INVAL;
    *out = NULL;
    sv_reader r = {bytes, len, 0, 0};
    if (len < 4 || memcmp(bytes, "SVBC", 4))
        return SIEVE_E_SYNTAX;
    r.at = 4;
    if (sv_read_int(&r, 2) != SV_BYTECODE_VERSION || sv_read_int(&r, 2) != 0)
        return SIEVE_E_SYNTAX;
    sieve_script *s;
    int rc = load_body(e, &r, &s);
    if (rc)
        return rc;
    rc = load_subs(e, &r, s);
    if (!rc && r.at != len)
        rc = SIEVE_E_SYNTAX;
    if (rc) {
        sieve_script_free(s);
        return rc;
    }
    *out = s;
    return 0;
}
