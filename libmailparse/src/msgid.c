/* msgid.c — STUB: not implemented yet. */
#include "mp_internal.h"

int mp_parse_ids(lm_arena *a, const char *in, size_t len, const mp_diag *d, mailparse_string_list **out)
{
    (void)a;
    (void)in;
    (void)len;
    (void)d;
    (void)out;
    return MAILPARSE_E_UNSUPPORTED;
}

int mp_parse_urls(lm_arena *a, const char *in, size_t len, mailparse_string_list **out)
{
    (void)a;
    (void)in;
    (void)len;
    (void)out;
    return MAILPARSE_E_UNSUPPORTED;
}
