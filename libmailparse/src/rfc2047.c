/* rfc2047.c — STUB: not implemented yet. */
#include "mp_internal.h"

int mp_rfc2047_decode(const char *in, size_t len, unsigned flags, lm_buf *out, const mp_diag *d,
                      size_t *budget)
{
    (void)in;
    (void)len;
    (void)flags;
    (void)out;
    (void)d;
    (void)budget;
    return MAILPARSE_E_UNSUPPORTED;
}

int mp_rfc2047_encode(const char *in, size_t len, const char *charset, unsigned flags,
                      size_t first_line_used, lm_buf *out)
{
    (void)in;
    (void)len;
    (void)charset;
    (void)flags;
    (void)first_line_used;
    (void)out;
    return MAILPARSE_E_UNSUPPORTED;
}

int mailparse_rfc2047_decode(const char *in, size_t len, unsigned flags, char **out,
                                           size_t *out_len, mailparse_anomaly_fn anomaly, void *user)
{
    (void)in;
    (void)len;
    (void)flags;
    (void)out;
    (void)out_len;
    (void)anomaly;
    (void)user;
    return MAILPARSE_E_UNSUPPORTED;
}

int mailparse_rfc2047_encode(const char *in, size_t len, const char *charset,
                                           unsigned flags, size_t first_line_used,
                                           char **out, size_t *out_len)
{
    (void)in;
    (void)len;
    (void)charset;
    (void)flags;
    (void)first_line_used;
    (void)out;
    (void)out_len;
    return MAILPARSE_E_UNSUPPORTED;
}

int mp_unfold(const char *in, size_t len, lm_buf *out)
{
    (void)in;
    (void)len;
    (void)out;
    return MAILPARSE_E_UNSUPPORTED;
}
