/* message.c — STUB: not implemented yet. */
#include "mp_internal.h"

int mailparse_parse(const unsigned char *data, size_t len,
                                  const mailparse_options *opts, mailparse_message **out)
{
    (void)data;
    (void)len;
    (void)opts;
    (void)out;
    return MAILPARSE_E_UNSUPPORTED;
}

int mailparse_parser_new(const mailparse_options *opts, mailparse_parser **out)
{
    (void)opts;
    (void)out;
    return MAILPARSE_E_UNSUPPORTED;
}

int mailparse_parser_feed(mailparse_parser *p, const unsigned char *data, size_t len)
{
    (void)p;
    (void)data;
    (void)len;
    return MAILPARSE_E_UNSUPPORTED;
}

int mailparse_parser_headers_done(const mailparse_parser *p)
{
    (void)p;
    return MAILPARSE_E_UNSUPPORTED;
}

int mailparse_parser_finish(mailparse_parser *p, mailparse_message **out)
{
    (void)p;
    (void)out;
    return MAILPARSE_E_UNSUPPORTED;
}

void mailparse_parser_free(mailparse_parser *p)
{
    (void)p;
}

void mailparse_message_free(mailparse_message *m)
{
    (void)m;
}

const unsigned char * mailparse_message_raw(const mailparse_message *m, size_t *len)
{
    (void)m;
    (void)len;
    return NULL;
}

size_t mailparse_message_anomaly_count(const mailparse_message *m)
{
    (void)m;
    return 0;
}

int mailparse_message_anomaly_at(const mailparse_message *m, size_t i,
                                               mailparse_anomaly_kind *kind, size_t *offset)
{
    (void)m;
    (void)i;
    (void)kind;
    (void)offset;
    return MAILPARSE_E_UNSUPPORTED;
}

size_t mailparse_message_part_count(const mailparse_message *m)
{
    (void)m;
    return 0;
}

const mailparse_part * mailparse_message_part(const mailparse_message *m, size_t i)
{
    (void)m;
    (void)i;
    return NULL;
}

size_t mailparse_message_header_count(const mailparse_message *m)
{
    (void)m;
    return 0;
}

const mailparse_header * mailparse_message_header_at(const mailparse_message *m, size_t i)
{
    (void)m;
    (void)i;
    return NULL;
}

const mailparse_header * mailparse_part_header(const mailparse_message *m, size_t part,
                                                            const char *name, long nth)
{
    (void)m;
    (void)part;
    (void)name;
    (void)nth;
    return NULL;
}

const char * mailparse_message_subject(const mailparse_message *m)
{
    (void)m;
    return NULL;
}

const mailparse_address_list * mailparse_message_addresses(const mailparse_message *m,
                                                                         const char *field)
{
    (void)m;
    (void)field;
    return NULL;
}

const mailparse_date * mailparse_message_date(const mailparse_message *m)
{
    (void)m;
    return NULL;
}

const char * mailparse_message_id(const mailparse_message *m)
{
    (void)m;
    return NULL;
}
