/* mailauth.c — version, error strings, allocator hooks, result names, and the versioned option
 * and result records every check reads and fills. */
#include "ma_internal.h"

#include "lm_alloc.h"
#include "lm_ascii.h"
#include "lm_record.h"

#include <string.h>

const char *mailauth_version(void) { return "0.1.0"; }

int mailauth_version_number(void) { return MAILAUTH_VERSION_NUMBER; }

const char *mailauth_strerror(int code)
{
    switch (code) {
    case MAILAUTH_OK: return "success";
    case MAILAUTH_E_NOMEM: return "out of memory";
    case MAILAUTH_E_INVAL: return "invalid argument";
    case MAILAUTH_E_LIMIT: return "limit exceeded";
    case MAILAUTH_E_UNSUPPORTED: return "not supported";
    case MAILAUTH_E_SYNTAX: return "syntax error";
    default: return "unknown error";
    }
}

void mailauth_set_allocator(void *(*malloc_fn)(size_t), void *(*realloc_fn)(void *, size_t),
                            void (*free_fn)(void *))
{
    lm_set_allocator(malloc_fn, realloc_fn, free_fn);
}

static const char *const result_names[] = {
    "none", "pass", "fail", "softfail", "neutral", "temperror", "permerror", "policy",
};

const char *mailauth_result_name(int result)
{
    if (result < 0 || (size_t)result >= sizeof result_names / sizeof *result_names)
        return "unknown";
    return result_names[result];
}

int mailauth_result_from_name(const char *name, size_t len)
{
    if (!name)
        return -1;
    for (size_t i = 0; i < sizeof result_names / sizeof *result_names; i++)
        if (strlen(result_names[i]) == len && lm_strncasecmp(result_names[i], name, len) == 0)
            return (int)i;
    return -1;
}

int ma_record_in(void *o, size_t size, const void *opts)
{
    return lm_record_in(o, size, opts) ? MAILAUTH_E_INVAL : 0;
}

void ma_record_out(void *out, const void *r, size_t size)
{
    size_t n;
    memcpy(&n, out, sizeof n);
    if (n > size)
        n = size;
    memcpy(out, r, n);
    memcpy(out, &n, sizeof n);
}

const char *ma_reason_text(const char *const *texts, size_t n, int reason)
{
    if (reason < 0 || (size_t)reason >= n || !texts[reason])
        return "unknown reason";
    return texts[reason];
}
