/* ext_ihave.c — the ihave extension (RFC 5463): the ihave test, decided when the script is
 * compiled (§4), and the error command (§5). What a script may use is also asked here at run
 * time (sv_run_has). */
#include "engine.h"

#include <string.h>

int sv_run_has(const sv_run *r, const char *ext)
{
    int i = sv_find_extension(r->script->engine, ext, strlen(ext));
    return i >= 0 && (r->script->required >> i & 1);
}

/* RFC 5463 §4: extensions that change how the script is read (its strings) cannot be added
 * in the middle of a script; ihave of them is false unless the script required them. */
static int lexical(const sv_str *name)
{
    return (name->len == 9 && !memcmp(name->s, "variables", 9)) ||
           (name->len == 17 && !memcmp(name->s, "encoded-character", 17));
}

/* Each capability the engine has and allows becomes usable for the rest of the script; when
 * one is missing, the test is false and the block it guards is not compiled, so that it may
 * use commands this engine does not know (§4). */
static int validate_ihave(sv_vctx *v, const sv_args *a)
{
    const sv_value *caps = &a->positional[0];
    for (size_t i = 0; i < caps->count; i++) {
        const sv_str *c = &caps->strs[i];
        if (sv_string_has_variables(c->s, c->len) && sv_vctx_has(v, "variables"))
            return sv_vctx_error(v, c->pos, "ihave: the capability \"%s\" must be a constant",
                                 c->s);
        int x = sv_find_extension(v->engine, c->s, c->len);
        if (x < 0 || !(v->engine->enabled >> x & 1) ||
            (lexical(c) && !(v->required >> x & 1))) {
            v->known_false = 1;
            continue;
        }
        v->required |= 1ull << x;
        int y = sv_extension_implies(v->engine, x); /* as require does */
        if (y >= 0)
            v->required |= 1ull << y;
    }
    return 0;
}

/* The same decision at run time: the compiler made every capability found usable. */
static int run_ihave(sv_run *r, const sv_args *a)
{
    const sv_value *caps = &a->positional[0];
    for (size_t i = 0; i < caps->count; i++) {
        int x = sv_find_extension(r->script->engine, caps->strs[i].s, caps->strs[i].len);
        if (x < 0 || !(r->script->required >> x & 1))
            return 0;
    }
    return 1;
}

static int run_error(sv_run *r, const sv_args *a)
{
    sv_str msg;
    int rc = sv_run_string(r, &a->positional[0].strs[0], &msg);
    return rc ? rc : sv_run_error(r, a->pos, "%s", msg.s);
}

static const uint8_t no_tags[] = {SV_TAG_COUNT_};

static const sv_cmd_def ihave_commands[] = {
    {"ihave", SV_KIND_TEST, SV_CTL_NONE, 1, {SV_T_STRLIST}, no_tags, validate_ihave, run_ihave},
    {"error", SV_KIND_COMMAND, SV_CTL_NONE, 1, {SV_T_STRING}, no_tags, NULL, run_error},
};
const sv_ext_def sv_ext_ihave = {"ihave", ihave_commands, 2};
