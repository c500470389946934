/* html.c — STUB: not implemented yet. */
#include "mp_internal.h"

int mp_html_to_text(const char *html, size_t len, lm_buf *out)
{
    (void)html;
    (void)len;
    (void)out;
    return MAILPARSE_E_UNSUPPORTED;
}

int mp_text_to_html(const char *text, size_t len, lm_buf *out)
{
    (void)text;
    (void)len;
    (void)out;
    return MAILPARSE_E_UNSUPPORTED;
}

int mp_thread_subject(const char *subject, size_t len, lm_buf *out)
{
    (void)subject;
    (void)len;
    (void)out;
    return MAILPARSE_E_UNSUPPORTED;
}

int mp_preview(const char *text, size_t len, size_t max_chars, lm_buf *out)
{
    (void)text;
    (void)len;
    (void)max_chars;
    (void)out;
    return MAILPARSE_E_UNSUPPORTED;
}

int mailparse_html_to_text(const char *html, size_t len, char **out, size_t *out_len)
{
    (void)html;
    (void)len;
    (void)out;
    (void)out_len;
    return MAILPARSE_E_UNSUPPORTED;
}

int mailparse_text_to_html(const char *text, size_t len, char **out, size_t *out_len)
{
    (void)text;
    (void)len;
    (void)out;
    (void)out_len;
    return MAILPARSE_E_UNSUPPORTED;
}

int mailparse_thread_subject(const char *subject, size_t len, char **out, size_t *out_len)
{
    (void)subject;
    (void)len;
    (void)out;
    (void)out_len;
    return MAILPARSE_E_UNSUPPORTED;
}
