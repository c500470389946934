/* address.c — STUB: not implemented yet. */
#include "mp_internal.h"

int mp_parse_addresses(lm_arena *a, const char *in, size_t len, const mp_diag *d, size_t *budget,
                       mailparse_address_list **out)
{
    (void)a;
    (void)in;
    (void)len;
    (void)d;
    (void)budget;
    (void)out;
    return MAILPARSE_E_UNSUPPORTED;
}
