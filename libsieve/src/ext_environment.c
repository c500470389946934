/* ext_environment.c — the environment extension (RFC 5183): the environment test over the
 * items the caller's environment callback knows. The library answers "name" and "version"
 * itself when the callback does not (RFC 5183 §4.1 lists them as the interpreter's own), and
 * the items of Pigeonhole's vnd.dovecot.environment ("vnd.dovecot.*") exist only for a script
 * that requires that extension. */
#include "engine.h"

#include "lm_ascii.h"

#include <string.h>

/* The item's own value when the caller's callback does not know it: "name" and "version"
 * (RFC 5183 §4.1), and under vnd.dovecot.environment the default mailbox, "INBOX" (where
 * keep files, RFC 5228 §2.10.2). NULL when the library has none. */
static const char *own_item(const sv_run *r, const char *name)
{
    size_t n = strlen(name);
    if (lm_eq_nocase(name, n, "name"))
        return "libmail-sieve";
    if (lm_eq_nocase(name, n, "version"))
        return sieve_version();
    if (lm_eq_nocase(name, n, "vnd.dovecot.default-mailbox") &&
        sv_run_has(r, "vnd.dovecot.environment"))
        return "INBOX";
    return NULL;
}

long sv_environment_item(sv_run *r, const char *name, char *buf, size_t size)
{
    /* Pigeonhole's own items exist only for a script that required their extension. */
    if (!lm_strncasecmp(name, "vnd.dovecot.", 12) && !sv_run_has(r, "vnd.dovecot.environment"))
        return -1;
    if (r->cb->environment) {
        long n = r->cb->environment(r->cb->user, name, buf, size);
        if (n >= 0) {
            if ((size_t)n >= size)
                n = (long)size - 1;
            buf[n] = '\0';
            return n;
        }
    }
    const char *own = own_item(r, name);
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
    char *buf = lm_arena_alloc(r->arena, SV_ENV_MAX_VALUE);
    if (!buf)
        return SIEVE_E_NOMEM;
    long n = sv_environment_item(r, name.s, buf, SV_ENV_MAX_VALUE);
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
