/* ext_environment.c — the environment extension (RFC 5183): the environment test over the
 * items the caller's environment callback knows. The library answers "name" and "version"
 * itself when the callback does not (RFC 5183 §4.1 lists them as the interpreter's own). */
#include "engine.h"

#include "lm_ascii.h"

#include <string.h>

/* The longest value read from the callback (octets; longer ones are cut). */
#define ENV_MAX_VALUE 1024

/* The item's value into `buf` (NUL-terminated): its length, or -1 when the item is unknown. */
static long environment_item(sv_run *r, const char *name, char *buf, size_t size)
{
    if (r->cb->environment) {
        long n = r->cb->environment(r->cb->user, name, buf, size);
        if (n >= 0) {
            if ((size_t)n >= size)
                n = (long)size - 1;
            buf[n] = '\0';
            return n;
        }
    }
    const char *own = lm_eq_nocase(name, strlen(name), "name") ? "libmail-sieve"
                      : lm_eq_nocase(name, strlen(name), "version") ? sieve_version() : NULL;
    if (!own)
        return -1;
    size_t n = strlen(own);
    if (n >= size)
        n = size - 1;
    memcpy(buf, own, n);
    buf[n] = '\0';
    return (long)n;
}

static int validate_environment(sv_vctx *v, const sv_args *a)
{
    return sv_check_matching(v, a, &a->positional[1]);
}

static int run_environment(sv_run *r, const sv_args *a)
{
    sv_str name;
    int rc = sv_run_string(r, &a->positional[0].strs[0], &name);
    if (rc)
        return rc;
    char *buf = lm_arena_alloc(r->arena, ENV_MAX_VALUE);
    if (!buf)
        return SIEVE_E_NOMEM;
    long n = environment_item(r, name.s, buf, ENV_MAX_VALUE);
    if (n < 0)
        return 0; /* an unknown item matches nothing, not even :count "eq" "0" */
    sv_matching mt;
    rc = sv_matching_init(r, a, &a->positional[1], &mt);
    if (!rc && !(mt.count_mode && n == 0)) /* :count: an empty value counts 0 */
        rc = sv_matching_value(r, &mt, buf, (size_t)n);
    return rc < 0 ? rc : sv_matching_end(&mt, rc);
}

static const uint8_t environment_tags[] = {SV_TAG_IS, SV_TAG_CONTAINS, SV_TAG_MATCHES,
                                           SV_TAG_REGEX, SV_TAG_VALUE, SV_TAG_COUNT,
                                           SV_TAG_LIST, SV_TAG_COMPARATOR, SV_TAG_COUNT_};

static const sv_cmd_def environment_commands[] = {
    {"environment", SV_KIND_TEST, SV_CTL_NONE, 2, {SV_T_STRING, SV_T_STRLIST}, environment_tags,
     validate_environment, run_environment},
};
const sv_ext_def sv_ext_environment = {"environment", environment_commands, 1};
