/* received.c — STUB: not implemented yet. */
#include "mp_internal.h"

int mp_parse_received(lm_arena *a, const char *in, size_t len, mailparse_received **out)
{
    (void)a;
    (void)in;
    (void)len;
    (void)out;
    return MAILPARSE_E_UNSUPPORTED;
}
