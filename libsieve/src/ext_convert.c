/* ext_convert.c — RFC 6558 "convert": the convert action and test (§3, §4) compile with
 * their arguments checked (media types "type/subtype", §3), but this library has no
 * converter: running either reports a run-time error saying so (SIEVE_E_RUNTIME), which the
 * RFC's §3 allows for a conversion that cannot be done. */
#include "engine.h"

#include "lm_ascii.h"

#include <string.h>

/* "type/subtype" of RFC 2045 tokens (no parameters). */
static int media_type_valid(const char *s, size_t n)
{
    const char *slash = memchr(s, '/', n);
    if (!slash || slash == s || slash == s + n - 1)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (s + i == slash)
            continue;
        if (c <= ' ' || c >= 0x7f || strchr("()<>@,;:\\\"/[]?=", c))
            return 0;
    }
    return 1;
}

static int validate_convert(sv_vctx *v, const sv_args *a)
{
    for (size_t k = 0; k < 2; k++) {
        const sv_str *s = &a->positional[k].strs[0];
        if (!sv_string_has_variables(s->s, s->len) && !media_type_valid(s->s, s->len))
            return sv_vctx_error(v, s->pos, "invalid media type \"%s\" for convert", s->s);
    }
    return 0;
}

static int run_convert(sv_run *r, const sv_args *a)
{
    sv_str from, to;
    int rc;
    if ((rc = sv_run_string(r, &a->positional[0].strs[0], &from)) ||
        (rc = sv_run_string(r, &a->positional[1].strs[0], &to)))
        return rc;
    return sv_run_error(r, a->pos, "convert: conversion from %s to %s is not supported by "
                        "this implementation", from.s, to.s);
}

static const uint8_t no_tags[] = {SV_TAG_COUNT_};

static const sv_cmd_def convert_commands[] = {
    {"convert", SV_KIND_COMMAND, SV_CTL_NONE, 3, {SV_T_STRING, SV_T_STRING, SV_T_STRLIST},
     no_tags, validate_convert, run_convert},
    {"convert", SV_KIND_TEST, SV_CTL_NONE, 3, {SV_T_STRING, SV_T_STRING, SV_T_STRLIST},
     no_tags, validate_convert, run_convert},
};
const sv_ext_def sv_ext_convert = {"convert", convert_commands, 2};
