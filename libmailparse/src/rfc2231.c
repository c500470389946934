/* rfc2231.c — STUB: not implemented yet. */
#include "mp_internal.h"

int mp_rfc2231_encode(const char *name, const char *value, size_t len, const char *language,
                      lm_buf *out)
{
    (void)name;
    (void)value;
    (void)len;
    (void)language;
    (void)out;
    return MAILPARSE_E_UNSUPPORTED;
}

int mailparse_rfc2231_encode(const char *name, const char *value, size_t len,
                                           const char *language, char **out, size_t *out_len)
{
    (void)name;
    (void)value;
    (void)len;
    (void)language;
    (void)out;
    (void)out_len;
    return MAILPARSE_E_UNSUPPORTED;
}
