/* sieve.c — version, error strings and allocator hooks. */
#include "sieve_internal.h"

#include "lm_alloc.h"

const char *sieve_version(void) { return "0.1.0"; }

int sieve_version_number(void) { return SIEVE_VERSION_NUMBER; }

const char *sieve_strerror(int code)
{
    switch (code) {
    case SIEVE_OK: return "success";
    case SIEVE_E_NOMEM: return "out of memory";
    case SIEVE_E_INVAL: return "invalid argument";
    case SIEVE_E_LIMIT: return "limit exceeded";
    case SIEVE_E_UNSUPPORTED: return "not supported";
    case SIEVE_E_SYNTAX: return "syntax error";
    case SIEVE_E_COMPILE: return "script does not compile";
    case SIEVE_E_RUNTIME: return "script failed at run time";
    default: return "unknown error";
    }
}

void sieve_set_allocator(void *(*malloc_fn)(size_t), void *(*realloc_fn)(void *, size_t),
                         void (*free_fn)(void *))
{
    lm_set_allocator(malloc_fn, realloc_fn, free_fn);
}
