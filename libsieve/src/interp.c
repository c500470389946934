/* interp.c — running a compiled script (RFC 5228 §2.10): one pass over the bytecode with a
 * one-bit test register, an instruction budget, and the run's strings, variables and match
 * variables; commands add actions to the result, which decides the implicit keep. */
#include "engine.h"
#include "expr.h"

#include "lm_alloc.h"
#include "lm_record.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define SV_DEFAULT_MAX_INSTRUCTIONS 1000000u
#define SV_DEFAULT_MAX_ACTIONS 32u
#define SV_DEFAULT_MAX_REDIRECTS 4u
#define SV_MAX_BLOCKS 64         /* SV_CTL_BLOCK commands inside each other */

void sieve_run_options_init(sieve_run_options *opts)
{
    if (!opts)
        return;
    memset(opts, 0, sizeof *opts);
    opts->struct_size = sizeof *opts;
}

void sieve_envelope_init(sieve_envelope *env)
{
    if (!env)
        return;
    memset(env, 0, sizeof *env);
    env->struct_size = sizeof *env;
}

void sieve_callbacks_init(sieve_callbacks *cb)
{
    if (!cb)
        return;
    memset(cb, 0, sizeof *cb);
    cb->struct_size = sizeof *cb;
}

int sv_run_error(sv_run *r, sv_pos pos, const char *fmt, ...)
{
    char buf[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return sv_diag_add(r->diag, SV_SEV_ERROR, pos, "%s", buf) ? SIEVE_E_NOMEM : SIEVE_E_RUNTIME;
}

/* The namespaces of "${ns.name}": "global" (include, RFC 6609 §3.5), then "header" and
 * "body" (vnd.stalwart.expressions), then "env" (vnd.dovecot.environment). */
static int run_namespace(void *user, const char *name, size_t len, lm_buf *out)
{
    int rc = sv_include_namespace(user, name, len, out);
    rc = rc ? rc : sv_expr_namespace(user, name, len, out);
    return rc ? rc : sv_vnd_env_namespace(user, name, len, out);
}

/* A string holding expressions (vnd.stalwart.expressions, expr_template.c): its text pieces
 * expanded, its expressions' values, within SV_MAX_EXPANDED octets in all. */
static int expand_template(sv_run *r, const sv_str *s, lm_buf *b)
{
    size_t at = 0, len;
    int kind, more = 0, rc = 0;
    const char *seg;
    while (!rc && (more = sv_expr_template_next(s->s, s->len, &at, &kind, &seg, &len)) > 0) {
        rc = kind ? sv_expr_append(r, s->pos, seg, len, b)
                  : sv_expand(seg, len, r->vars, &r->caps, run_namespace, r, SV_MAX_EXPANDED, b);
        if (!rc && b->len > SV_MAX_EXPANDED)
            rc = SIEVE_E_LIMIT;
    }
    return rc ? rc : more < 0 ? sv_run_error(r, s->pos, "corrupt string template") : 0;
}

int sv_run_tag_string(sv_run *r, const sv_args *a, int t, sv_str *out)
{
    const sv_value *x = sv_args_tag(a, t);
    if (!x) {
        memset(out, 0, sizeof *out);
        return 0;
    }
    return sv_run_string(r, &x->strs[0], out);
}

int sv_run_string(sv_run *r, const sv_str *s, sv_str *out)
{
    *out = *s;
    if (!s->expand)
        return 0;
    lm_buf b = LM_BUF_INIT;
    /* One expanded string is at most SV_MAX_EXPANDED octets, and a run expands at most
     * SV_MAX_EXPANDED_RUN in all (each stays in the run's arena), so a script of references to
     * long values cannot make the run take unbounded memory. */
    int rc = s->expand == SV_EXPAND_TEMPLATE
                 ? expand_template(r, s, &b)
                 : sv_expand(s->s, s->len, r->vars, &r->caps, run_namespace, r, SV_MAX_EXPANDED,
                             &b);
    if (!rc && b.oom)
        rc = SIEVE_E_NOMEM;
    if (!rc && (r->expanded += b.len) > SV_MAX_EXPANDED_RUN)
        rc = SIEVE_E_LIMIT;
    if (rc == SIEVE_E_LIMIT)
        rc = sv_run_error(r, s->pos, "a string grows past the run's limits when its variables "
                          "are expanded");
    if (!rc) {
        char *copy = lm_arena_strndup(r->arena, b.data ? b.data : "", b.len);
        if (!copy)
            rc = SIEVE_E_NOMEM;
        out->s = copy;
        out->len = b.len;
        out->expand = 0;
    }
    lm_buf_free(&b);
    return rc;
}

/* sieve_run_options.trace: the command or test `a` just run, `v` what its run returned, then
 * the actions it added to the result (those from `first` on, less those an included script
 * run by `a` reported already). */
static void trace_step(sv_run *r, const sv_args *a, int v, size_t first)
{
    const sieve_run_options *o = r->opts;
    int test = a->def->kind == SV_KIND_TEST;
    o->trace(o->trace_user, test ? SIEVE_TRACE_TEST : SIEVE_TRACE_COMMAND, a->pos.line,
             a->def->name, v < 0 ? v : test ? v != 0 : 0, NULL);
    if (r->traced > first && r->traced <= r->result->count)
        first = r->traced;
    r->traced = r->result->count;
    for (size_t i = first; i < r->result->count; i++) {
        const sv_action *act = &r->result->actions[i];
        o->trace(o->trace_user, SIEVE_TRACE_ACTION, a->pos.line, sieve_action_name(act->type),
                 0, act->target ? act->target : "");
    }
}

/* The loop: returns 0 when the script ended or stopped, or a negative error. */
static int execute(sv_run *r)
{
    const sieve_script *s = r->script;
    int reg = 0, rc = 0;
    int leaving = 0;           /* the block end ahead is reached by leaving the block */
    size_t pc = 0;
    struct {
        size_t end, command;
    } blocks[SV_MAX_BLOCKS];   /* the SV_CTL_BLOCK commands being run, innermost last */
    size_t nblocks = 0;
    while (!rc) {
        if (r->budget-- == 0) {
            rc = sv_run_error(r, (sv_pos){0, 0}, "the script ran too long (over %llu "
                              "instructions)", (unsigned long long)r->opts->max_instructions);
            break;
        }
        sv_args a;
        uint32_t target = 0;
        int op = sv_decode(s, &pc, &a, &target);
        switch (op) {
        case SV_OP_END:
            goto done;
        case SV_OP_STOP:
            r->halt = SV_HALT_STOP; /* every script ends (include, RFC 6609 §3.2) */
            goto done;
        case SV_OP_JMP:
            pc = target;
            break;
        case SV_OP_JMP_FALSE:
            if (!reg)
                pc = target;
            break;
        case SV_OP_JMP_TRUE:
            if (reg)
                pc = target;
            break;
        case SV_OP_NOT:
            reg = !reg;
            break;
        case SV_OP_SET_TRUE:
            reg = 1;
            break;
        case SV_OP_SET_FALSE:
            reg = 0;
            break;
        case SV_OP_COMMAND: {
            size_t actions = r->result->count;
            int v = a.def->run(r, &a);
            if (r->opts->trace)
                trace_step(r, &a, v, actions);
            if (v < 0)
                rc = v;
            else if (a.def->kind == SV_KIND_TEST)
                reg = v != 0;
            if (!rc && r->halt) /* stop or return (include) */
                goto done;
            /* leave_block blocks end now, innermost first (break :name may leave several) */
            if (r->leave_block > 0 && nblocks) {
                pc = blocks[nblocks - 1].end;
                r->leave_block--;
                leaving = 1;
            } else {
                r->leave_block = 0;
            }
            break;
        }
        case SV_OP_BLOCK:
            if (nblocks == SV_MAX_BLOCKS) {
                rc = sv_run_error(r, (sv_pos){0, 0}, "block commands nested too deeply");
                break;
            }
            blocks[nblocks].end = target;
            blocks[nblocks++].command = pc;
            break;
        case SV_OP_BLOCK_END: {
            /* The block's command again (the loader checked it is one), told it ends. */
            size_t at = nblocks ? blocks[--nblocks].command : s->code_len;
            if (sv_decode(s, &at, &a, &target) != SV_OP_COMMAND ||
                a.def->control != SV_CTL_BLOCK) {
                rc = sv_run_error(r, (sv_pos){0, 0}, "corrupt bytecode at offset %zu", pc);
                break;
            }
            /* continue (vnd.stalwart.while): the last block left ends as if reached */
            int left = leaving && !(r->continue_loop && r->leave_block == 0);
            if (leaving && !left)
                r->continue_loop = 0;
            r->block_end = left ? 2 : 1;
            leaving = 0;
            int v = a.def->run(r, &a);
            r->block_end = 0;
            if (v < 0) {
                rc = v;
            } else if (r->leave_block > 0 && nblocks) { /* still leaving: the next one out */
                pc = blocks[nblocks - 1].end;
                r->leave_block--;
                leaving = 1;
            } else {
                r->leave_block = 0;
                if (v == 1 && !left) { /* a loop (foreverypart): the block runs again */
                    nblocks++;
                    pc = at;
                }
            }
            break;
        }
        default:
            rc = sv_run_error(r, (sv_pos){0, 0}, "corrupt bytecode at offset %zu", pc);
            break;
        }
    }
done:
    return rc;
}

/* include (RFC 6609): an included script runs with the run's state; its blocks and loops
 * end with it. */
int sv_run_script(sv_run *r, const sieve_script *s)
{
    const sieve_script *saved = r->script;
    size_t loop_base = r->loop_base, nloops = r->nloops;
    size_t while_base = r->while_base, nwhiles = r->nwhiles;
    r->script = s;
    r->loop_base = nloops;
    r->while_base = nwhiles;
    int rc = execute(r);
    r->script = saved;
    r->loop_base = loop_base;
    r->nloops = nloops;
    r->while_base = while_base;
    r->nwhiles = nwhiles;
    return rc;
}

/* Whether a run of `s` may read the message's decoded bodies: when `s` or a script it includes
 * requires an extension the engine does not know to be header-only, or a harness (`host`)
 * runs it. The other runs leave the transfer decoding and charset conversion of every part
 * undone. */
static int reads_bodies(const sieve_script *s, const void *host)
{
    if (host)
        return 1;
    for (size_t k = 0; k <= s->nsubs; k++) {
        const sieve_script *x = k == 0 ? s : s->subs[k - 1].script;
        if (x && (x->required & ~s->engine->header_only))
            return 1;
    }
    return 0;
}

int sv_run_host(const sieve_script *s, const void *msg, size_t len, const sieve_envelope *env,
                const sieve_run_options *opts, void *host, sv_diag *diag, sieve_result **out)
{
    if (!s || !out || (!msg && len))
        return SIEVE_E_INVAL;
    *out = NULL;
    sieve_run_options o;
    sieve_run_options_init(&o);
    if (lm_record_in(&o, sizeof o, opts))
        return SIEVE_E_INVAL;
    if (!o.max_instructions)
        o.max_instructions = SV_DEFAULT_MAX_INSTRUCTIONS;
    if (!o.max_actions)
        o.max_actions = SV_DEFAULT_MAX_ACTIONS;
    if (!o.max_redirects)
        o.max_redirects = SV_DEFAULT_MAX_REDIRECTS;
    if (!o.subaddress_separators)
        o.subaddress_separators = "+";
    sieve_envelope e;
    sieve_envelope_init(&e);
    if (lm_record_in(&e, sizeof e, env))
        return SIEVE_E_INVAL;
    /* The caller's table may be of an older, shorter version: the run reads a full copy. */
    sieve_callbacks cb;
    sieve_callbacks_init(&cb);
    if (lm_record_in(&cb, sizeof cb, o.callbacks))
        return SIEVE_E_INVAL;
    o.callbacks = &cb;

    sv_run r;
    memset(&r, 0, sizeof r);
    r.script = s;
    r.opts = &o;
    r.env = &e;
    r.cb = &cb;
    r.host = host;
    r.diag = diag;
    r.budget = o.max_instructions;
    sv_captures_init(&r.caps);
    int rc = SIEVE_E_NOMEM;
    mailparse_message *m = NULL;
    if (!(r.arena = lm_arena_new(0)) || !(r.result = lm_calloc(1, sizeof *r.result)) ||
        sv_vars_new(o.max_variables, o.max_variable_size, &r.vars))
        goto out;
    r.result->implicit_keep = 1;
    /* The caller's message outlives the run, so the parse keeps pointers into it; HTML is
     * turned into text only where a test asks for it, and bodies are decoded only for a
     * script that may read them. */
    mailparse_options po;
    mailparse_options_init(&po);
    po.flags = MAILPARSE_F_ZERO_COPY | MAILPARSE_F_NO_HTML_TO_TEXT |
               (reads_bodies(s, host) ? 0 : MAILPARSE_F_NO_BODY_DECODE);
    rc = mailparse_parse((const unsigned char *)(msg ? msg : ""), len, &po, &m);
    if (rc) {
        rc = rc == MAILPARSE_E_NOMEM ? SIEVE_E_NOMEM
             : rc == MAILPARSE_E_LIMIT ? SIEVE_E_LIMIT : SIEVE_E_INVAL;
        goto out;
    }
    r.msg = m;
    r.top = s;
    rc = execute(&r);
    if (rc == SIEVE_E_RUNTIME || rc == SIEVE_E_LIMIT) {
        /* RFC 5228 §2.10.6: a failed script keeps the message, whatever it decided. */
        r.result->implicit_keep = 1;
        sv_result_edits_free(r.result); /* and keeps it as received (editheader) */
        sv_result_versions_free(r.result); /* replace, enclose */
        rc = SIEVE_E_RUNTIME;
    }
out:
    sv_include_run_end(&r); /* include's global variables */
    mailparse_message_free(m);
    sv_captures_free(&r.caps);
    sv_vars_free(r.vars);
    lm_arena_free(r.arena);
    if (rc && rc != SIEVE_E_RUNTIME) {
        sieve_result_free(r.result);
        r.result = NULL;
    }
    *out = r.result;
    return rc;
}

int sieve_run(const sieve_script *s, const void *msg, size_t len, const sieve_envelope *env,
              const sieve_run_options *opts, sieve_result **out, sieve_diagnostics **diag)
{
    if (diag)
        *diag = NULL;
    sv_diag d;
    sv_diag_init(&d, 0);
    int rc = sv_run_host(s, msg, len, env, opts, NULL, &d, out);
    int hrc = sv_diag_hand_out(&d, diag);
    return !rc && hrc ? hrc : rc;
}
