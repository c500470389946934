/* ext_vnd_environment.c — vnd.dovecot.environment (Pigeonhole's vendor extension): the "env"
 * variables namespace, "${env.<item>}" being the value of the environment item (RFC 5183),
 * and the items "vnd.dovecot.*" the environment test may ask (ext_environment.c). */
#include "engine.h"

#include <string.h>

/* The longest item name looked up (a longer one is unknown). */
#define ENV_MAX_NAME 256

int sv_vnd_env_namespace(void *user, const char *name, size_t len, lm_buf *out)
{
    sv_run *r = user;
    if (len <= 4 || !lm_eq_nocase(name, 4, "env.") || !sv_run_has(r, "vnd.dovecot.environment"))
        return 0;
    char item[ENV_MAX_NAME + 1];
    size_t n = len - 4;
    if (n > ENV_MAX_NAME)
        return 1; /* no such item: the reference is empty */
    memcpy(item, name + 4, n);
    item[n] = '\0';
    char *buf = lm_arena_alloc(r->arena, SV_ENV_MAX_VALUE);
    if (!buf)
        return SIEVE_E_NOMEM;
    long v = sv_environment_item(r, item, buf, SV_ENV_MAX_VALUE);
    /* A variable name has no "-": "_" stands for it ("env.vnd.dovecot.default_mailbox"). */
    if (v < 0 && memchr(item, '_', n)) {
        for (size_t i = 0; i < n; i++)
            if (item[i] == '_')
                item[i] = '-';
        v = sv_environment_item(r, item, buf, SV_ENV_MAX_VALUE);
    }
    if (v > 0 && lm_buf_append(out, buf, (size_t)v))
        return SIEVE_E_NOMEM;
    return 1;
}

const sv_ext_def sv_ext_vnd_environment = {"vnd.dovecot.environment", NULL, 0};
