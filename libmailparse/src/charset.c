/* charset.c — STUB: not implemented yet. */
#include "mp_internal.h"

int mp_charset_to_utf8(const char *charset, size_t cs_len, const unsigned char *in, size_t len,
                       lm_buf *out, const mp_diag *d)
{
    (void)charset;
    (void)cs_len;
    (void)in;
    (void)len;
    (void)out;
    (void)d;
    return MAILPARSE_E_UNSUPPORTED;
}

int mp_charset_from_utf8(const char *charset, size_t cs_len, const char *in, size_t len, lm_buf *out)
{
    (void)charset;
    (void)cs_len;
    (void)in;
    (void)len;
    (void)out;
    return MAILPARSE_E_UNSUPPORTED;
}

int mp_charset_is_utf8(const char *charset, size_t cs_len)
{
    (void)charset;
    (void)cs_len;
    return MAILPARSE_E_UNSUPPORTED;
}

size_t mp_utf8_valid_prefix(const unsigned char *in, size_t len)
{
    (void)in;
    (void)len;
    return 0;
}

int mp_utf8_sanitize(const unsigned char *in, size_t len, lm_buf *out, const mp_diag *d)
{
    (void)in;
    (void)len;
    (void)out;
    (void)d;
    return MAILPARSE_E_UNSUPPORTED;
}

int mp_text_guess_to_utf8(const unsigned char *in, size_t len, const char *fallback, lm_buf *out,
                          const mp_diag *d)
{
    (void)in;
    (void)len;
    (void)fallback;
    (void)out;
    (void)d;
    return MAILPARSE_E_UNSUPPORTED;
}

int mailparse_charset_to_utf8(const char *charset, const unsigned char *in, size_t len,
                                            char **out, size_t *out_len,
                                            mailparse_anomaly_fn anomaly, void *user)
{
    (void)charset;
    (void)in;
    (void)len;
    (void)out;
    (void)out_len;
    (void)anomaly;
    (void)user;
    return MAILPARSE_E_UNSUPPORTED;
}

int mailparse_charset_from_utf8(const char *charset, const char *in, size_t len,
                                              unsigned char **out, size_t *out_len)
{
    (void)charset;
    (void)in;
    (void)len;
    (void)out;
    (void)out_len;
    return MAILPARSE_E_UNSUPPORTED;
}

const char * mailparse_charset_canonical(const char *charset)
{
    (void)charset;
    return NULL;
}
