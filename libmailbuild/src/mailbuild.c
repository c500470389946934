/* mailbuild.c — version, error strings, allocator hooks, option defaults. */
#include "mb_internal.h"

#include "lm_alloc.h"

#include <string.h>

const char *mailbuild_version(void) { return "0.1.0"; }

int mailbuild_version_number(void) { return MAILBUILD_VERSION_NUMBER; }

const char *mailbuild_strerror(int code)
{
    switch (code) {
    case MAILBUILD_OK: return "success";
    case MAILBUILD_E_NOMEM: return "out of memory";
    case MAILBUILD_E_INVAL: return "invalid argument";
    case MAILBUILD_E_LIMIT: return "limit exceeded";
    case MAILBUILD_E_UNSUPPORTED: return "not supported";
    case MAILBUILD_E_CHARSET: return "unknown charset";
    case MAILBUILD_E_HEADER_NAME: return "invalid or reserved header field name";
    case MAILBUILD_E_INJECTION: return "line break or NUL in a header value";
    case MAILBUILD_E_ADDRESS: return "invalid address";
    case MAILBUILD_E_MESSAGE_ID: return "invalid message id";
    case MAILBUILD_E_STATE: return "call out of sequence";
    case MAILBUILD_E_WRITE: return "write callback failed";
    default: return "unknown error";
    }
}

void mailbuild_set_allocator(void *(*malloc_fn)(size_t), void *(*realloc_fn)(void *, size_t),
                             void (*free_fn)(void *))
{
    lm_set_allocator(malloc_fn, realloc_fn, free_fn);
}

void mailbuild_free(void *p) { lm_free(p); }

void mailbuild_options_init(mailbuild_options *opts)
{
    if (!opts)
        return;
    memset(opts, 0, sizeof *opts);
    opts->struct_size = sizeof *opts;
}
