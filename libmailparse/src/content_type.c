/* content_type.c — STUB: not implemented yet. */
#include "mp_internal.h"

int mp_parse_content_type(lm_arena *a, const char *in, size_t len, int disposition,
                          const mp_diag *d, size_t *budget, mailparse_content_type **out)
{
    (void)a;
    (void)in;
    (void)len;
    (void)disposition;
    (void)d;
    (void)budget;
    (void)out;
    return MAILPARSE_E_UNSUPPORTED;
}

const char * mp_param(const mailparse_content_type *ct, const char *name)
{
    (void)ct;
    (void)name;
    return NULL;
}
