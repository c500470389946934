/* header_values.c — STUB: not implemented yet. */
#include "mp_internal.h"

int mailparse_values_new(mailparse_values **out)
{
    (void)out;
    return MAILPARSE_E_UNSUPPORTED;
}

void mailparse_values_free(mailparse_values *v)
{
    (void)v;
}

int mailparse_parse_addresses(mailparse_values *v, const char *in, size_t len,
                                            mailparse_anomaly_fn anomaly, void *user,
                                            const mailparse_address_list **out)
{
    (void)v;
    (void)in;
    (void)len;
    (void)anomaly;
    (void)user;
    (void)out;
    return MAILPARSE_E_UNSUPPORTED;
}

int mailparse_parse_date(const char *in, size_t len, mailparse_date *out)
{
    (void)in;
    (void)len;
    (void)out;
    return MAILPARSE_E_UNSUPPORTED;
}

int mailparse_parse_ids(mailparse_values *v, const char *in, size_t len,
                                      const mailparse_string_list **out)
{
    (void)v;
    (void)in;
    (void)len;
    (void)out;
    return MAILPARSE_E_UNSUPPORTED;
}

int mailparse_parse_urls(mailparse_values *v, const char *in, size_t len,
                                       const mailparse_string_list **out)
{
    (void)v;
    (void)in;
    (void)len;
    (void)out;
    return MAILPARSE_E_UNSUPPORTED;
}

int mailparse_parse_content_type(mailparse_values *v, const char *in, size_t len,
                                               mailparse_anomaly_fn anomaly, void *user,
                                               const mailparse_content_type **out)
{
    (void)v;
    (void)in;
    (void)len;
    (void)anomaly;
    (void)user;
    (void)out;
    return MAILPARSE_E_UNSUPPORTED;
}

int mailparse_parse_received(mailparse_values *v, const char *in, size_t len,
                                           const mailparse_received **out)
{
    (void)v;
    (void)in;
    (void)len;
    (void)out;
    return MAILPARSE_E_UNSUPPORTED;
}
