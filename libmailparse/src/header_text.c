/* header_text.c — STUB: not implemented yet. */
#include "mp_internal.h"

int mp_parse_unstructured(lm_arena *a, const char *in, size_t len, const mp_diag *d, size_t *budget,
                          const char **out, size_t *out_len)
{
    (void)a;
    (void)in;
    (void)len;
    (void)d;
    (void)budget;
    (void)out;
    (void)out_len;
    return MAILPARSE_E_UNSUPPORTED;
}

int mp_parse_text_list(lm_arena *a, const char *in, size_t len, const mp_diag *d, size_t *budget,
                       mailparse_string_list **out)
{
    (void)a;
    (void)in;
    (void)len;
    (void)d;
    (void)budget;
    (void)out;
    return MAILPARSE_E_UNSUPPORTED;
}
