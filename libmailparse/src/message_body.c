/* message_body.c — STUB: not implemented yet. */
#include "mp_internal.h"

const size_t * mailparse_message_text_body(const mailparse_message *m, size_t *count)
{
    (void)m;
    (void)count;
    return NULL;
}

const size_t * mailparse_message_html_body(const mailparse_message *m, size_t *count)
{
    (void)m;
    (void)count;
    return NULL;
}

const size_t * mailparse_message_attachments(const mailparse_message *m, size_t *count)
{
    (void)m;
    (void)count;
    return NULL;
}

const char * mailparse_message_text(const mailparse_message *m, size_t *len)
{
    (void)m;
    (void)len;
    return NULL;
}

const char * mailparse_message_html(const mailparse_message *m, size_t *len)
{
    (void)m;
    (void)len;
    return NULL;
}

int mailparse_message_preview(const mailparse_message *m, size_t max_chars,
                                            char **out, size_t *out_len)
{
    (void)m;
    (void)max_chars;
    (void)out;
    (void)out_len;
    return MAILPARSE_E_UNSUPPORTED;
}
