/* uuencode.c — STUB: not implemented yet. */
#include "mp_internal.h"

int mp_uu_decode(const char *in, size_t len, lm_buf *out, const mp_diag *d)
{
    (void)in;
    (void)len;
    (void)out;
    (void)d;
    return MAILPARSE_E_UNSUPPORTED;
}
