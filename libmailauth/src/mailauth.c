/* mailauth.c — version, error strings, allocator hooks. */
#include "ma_internal.h"

#include "lm_alloc.h"

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
