/* qp.c — STUB: not implemented yet. */
#include "mp_internal.h"

int mp_qp_decode(const char *in, size_t len, lm_buf *out, const mp_diag *d)
{
    (void)in;
    (void)len;
    (void)out;
    (void)d;
    return MAILPARSE_E_UNSUPPORTED;
}

int mp_qp_encode(const unsigned char *in, size_t len, unsigned flags, lm_buf *out)
{
    (void)in;
    (void)len;
    (void)flags;
    (void)out;
    return MAILPARSE_E_UNSUPPORTED;
}

int mailparse_qp_decode(const char *in, size_t len, unsigned char **out,
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

int mailparse_qp_encode(const unsigned char *in, size_t len, unsigned flags,
                                      char **out, size_t *out_len)
{
    (void)in;
    (void)len;
    (void)flags;
    (void)out;
    (void)out_len;
    return MAILPARSE_E_UNSUPPORTED;
}
