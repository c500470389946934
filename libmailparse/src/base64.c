/* base64.c — STUB: not implemented yet. */
#include "mp_internal.h"

int mp_base64_decode(const char *in, size_t len, lm_buf *out, const mp_diag *d)
{
    (void)in;
    (void)len;
    (void)out;
    (void)d;
    return MAILPARSE_E_UNSUPPORTED;
}

int mp_base64_encode(const unsigned char *in, size_t len, size_t line_len, lm_buf *out)
{
    (void)in;
    (void)len;
    (void)line_len;
    (void)out;
    return MAILPARSE_E_UNSUPPORTED;
}

int mailparse_base64_decode(const char *in, size_t len, unsigned char **out,
                                          size_t *out_len, mailparse_anomaly_fn anomaly, void *user)
{
    (void)in;
    (void)len;
    (void)out;
    (void)out_len;
    (void)anomaly;
    (void)user;
    return MAILPARSE_E_UNSUPPORTED;
}

int mailparse_base64_encode(const unsigned char *in, size_t len, size_t line_len,
                                          char **out, size_t *out_len)
{
    (void)in;
    (void)len;
    (void)line_len;
    (void)out;
    (void)out_len;
    return MAILPARSE_E_UNSUPPORTED;
}
