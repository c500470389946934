/* extprogram.c — what vnd.dovecot.pipe, vnd.dovecot.filter and vnd.dovecot.execute share: the
 * rules for program names and arguments (checked when compiling constants, and at run time),
 * and running a program now through sieve_callbacks.program with its output bounded. */
#include "comparator.h"
#include "engine.h"

#include "lm_alloc.h"

#include <string.h>

#define MAX_NAME 128
#define MAX_ARG 1024
#define DEFAULT_MAX_OUTPUT ((size_t)10 << 20)
#define DEFAULT_MAX_PROGRAMS 100

struct sieve_program_output {
    lm_buf *buf;
    size_t max;
    int over;
};

int sieve_program_output_add(sieve_program_output *out, const unsigned char *data, size_t len)
{
    if (!data && len)
        return SIEVE_E_INVAL;
    if (!out)
        return 0;
    if (out->over || len > out->max - out->buf->len) {
        out->over = 1;
        return SIEVE_E_LIMIT;
    }
    if (len && lm_buf_append(out->buf, data, len))
        return SIEVE_E_NOMEM;
    return 0;
}

/* A program name: 1 to MAX_NAME octets of UTF-8, no "/", no control character (C0, DEL, C1)
 * and no line or paragraph separator (U+2028, U+2029). */
static int name_ok(const char *s, size_t len)
{
    if (!len || len > MAX_NAME)
        return 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        i += sv_utf8_char((const unsigned char *)s + i, len - i, &cp);
        if (cp & 0x80000000u || cp == '/' || cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ||
            cp == 0x2028 || cp == 0x2029)
            return 0;
    }
    return 1;
}

/* An argument: at most MAX_ARG octets, no CR, LF or NUL. */
static int arg_ok(const char *s, size_t len)
{
    return len <= MAX_ARG && !memchr(s, '\r', len) && !memchr(s, '\n', len) &&
           !memchr(s, '\0', len);
}

/* Checks one string when it is a constant. Returns 0 or SIEVE_E_NOMEM. */
static int check_constant(sv_vctx *v, const sv_str *s, int (*ok)(const char *, size_t),
                          const char *cmd, const char *what)
{
    lm_buf buf = LM_BUF_INIT;
    const char *text;
    size_t len;
    int rc = sv_vctx_constant(v, s, &buf, &text, &len);
    if (rc > 0 && !ok(text, len))
        rc = sv_vctx_error(v, s->pos, "%s: invalid %s \"%s\"", cmd, what, s->s);
    lm_buf_free(&buf);
    return rc < 0 ? rc : 0;
}

int sv_program_validate(sv_vctx *v, const sv_args *a, size_t name_at, const char *cmd)
{
    int rc = check_constant(v, &a->positional[name_at].strs[0], name_ok, cmd, "program name");
    const sv_value *list = &a->positional[name_at + 1];
    if (rc || list->type == SV_T_NONE)
        return rc;
    if (list->count > SV_PROGRAM_MAX_ARGS)
        return sv_vctx_error(v, a->pos, "%s: more than %d arguments", cmd, SV_PROGRAM_MAX_ARGS);
    for (size_t i = 0; !rc && i < list->count; i++)
        rc = check_constant(v, &list->strs[i], arg_ok, cmd, "program argument");
    return rc;
}

int sv_program_call_get(sv_run *r, const sv_args *a, size_t name_at, const char *cmd,
                        sv_program_call *out)
{
    sv_str s;
    int rc = sv_run_string(r, &a->positional[name_at].strs[0], &s);
    if (rc)
        return rc;
    if (!name_ok(s.s, s.len))
        return sv_run_error(r, a->pos, "%s: invalid program name \"%s\"", cmd, s.s);
    out->name = s.s;
    const sv_value *list = &a->positional[name_at + 1];
    out->nargs = list->type == SV_T_NONE ? 0 : list->count;
    if (out->nargs > SV_PROGRAM_MAX_ARGS)
        return sv_run_error(r, a->pos, "%s: more than %d arguments", cmd, SV_PROGRAM_MAX_ARGS);
    for (size_t i = 0; i < out->nargs; i++) {
        if ((rc = sv_run_string(r, &list->strs[i], &s)))
            return rc;
        if (!arg_ok(s.s, s.len))
            return sv_run_error(r, a->pos, "%s: invalid program argument \"%s\"", cmd, s.s);
        out->args[i] = s.s;
    }
    return 0;
}

int sv_program_run(sv_run *r, const sv_args *a, int kind, const sv_program_call *call,
                   const unsigned char *input, size_t len, lm_buf *out)
{
    size_t max = r->opts->max_programs ? r->opts->max_programs : DEFAULT_MAX_PROGRAMS;
    if (r->programs >= max)
        return sv_run_error(r, a->pos, "too many programs run (over %zu in one run)", max);
    r->programs++;
    if (!r->cb->program)
        return 0;
    sieve_program_output sink = {out, r->opts->max_program_output, 0};
    if (!sink.max)
        sink.max = DEFAULT_MAX_OUTPUT;
    int rc = r->cb->program(r->cb->user, kind, call->name, call->args, call->nargs, input, len,
                            out ? &sink : NULL);
    if (out && out->oom)
        return SIEVE_E_NOMEM;
    return rc == 0 && !sink.over;
}
