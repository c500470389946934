/* mailsend.c — version, error strings, allocator hooks, names, and the option records. */
#include "ms_internal.h"

#include "lm_alloc.h"
#include "lm_record.h"

#include <string.h>

const char *mailsend_version(void) { return "0.1.0"; }

int mailsend_version_number(void) { return MAILSEND_VERSION_NUMBER; }

const char *mailsend_strerror(int code)
{
    switch (code) {
    case MAILSEND_OK: return "success";
    case MAILSEND_E_NOMEM: return "out of memory";
    case MAILSEND_E_INVAL: return "invalid argument";
    case MAILSEND_E_LIMIT: return "limit exceeded";
    case MAILSEND_E_UNSUPPORTED: return "the server does not offer a needed extension";
    case MAILSEND_E_STATE: return "not possible in the session's state";
    case MAILSEND_E_PROTOCOL: return "the server broke the protocol";
    case MAILSEND_E_TIMEOUT: return "timed out";
    case MAILSEND_E_DISCONNECTED: return "the server closed the connection";
    case MAILSEND_E_REFUSED: return "the server refused the session";
    case MAILSEND_E_TLS_REQUIRED: return "TLS is required and not available";
    case MAILSEND_E_AUTH: return "authentication failed";
    case MAILSEND_E_AUTH_UNAVAILABLE: return "no usable authentication mechanism";
    case MAILSEND_E_AUTH_PLAINTEXT: return "authentication without TLS is not allowed";
    case MAILSEND_E_TOO_BIG: return "the message exceeds the server's size limit";
    case MAILSEND_E_SERVER_CLOSING: return "the server is closing the connection";
    case MAILSEND_E_CONNECT: return "could not connect to the server";
    case MAILSEND_E_TLS: return "TLS handshake or certificate verification failed";
    case MAILSEND_E_IO: return "reading or writing the connection failed";
    case MAILSEND_E_DKIM: return "DKIM signing failed";
    default: return "unknown error";
    }
}

void mailsend_set_allocator(void *(*malloc_fn)(size_t), void *(*realloc_fn)(void *, size_t),
                            void (*free_fn)(void *))
{
    lm_set_allocator(malloc_fn, realloc_fn, free_fn);
}

int ms_record_in(void *o, size_t size, const void *given)
{
    return lm_record_in(o, size, given) ? MAILSEND_E_INVAL : 0;
}

void mailsend_options_init(mailsend_options *opts)
{
    if (!opts)
        return;
    memset(opts, 0, sizeof *opts);
    opts->struct_size = sizeof *opts;
}

void mailsend_envelope_init(mailsend_envelope *env)
{
    if (!env)
        return;
    memset(env, 0, sizeof *env);
    env->struct_size = sizeof *env;
}

void mailsend_rcpt_options_init(mailsend_rcpt_options *o)
{
    if (!o)
        return;
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
}

static const char *const event_names[] = {
    "none", "greeting", "reply", "capabilities", "starttls", "auth",
    "ready", "recipient", "message", "error", "closed",
};

static const char *const command_names[] = {
    "none", "greeting", "ehlo", "helo", "starttls", "auth", "mail",
    "rcpt", "data", "data-end", "bdat", "bdat-last", "rset", "quit",
};

const char *mailsend_event_name(int type)
{
    if (type < 0 || (size_t)type >= sizeof event_names / sizeof *event_names)
        return "unknown";
    return event_names[type];
}

const char *mailsend_command_name(int command)
{
    if (command < 0 || (size_t)command >= sizeof command_names / sizeof *command_names)
        return "unknown";
    return command_names[command];
}
