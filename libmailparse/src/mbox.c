/* mbox.c — STUB: not implemented yet. */
#include "mp_internal.h"

int mailparse_mbox_open_buffer(const unsigned char *data, size_t len, int format,
                                             mailparse_mbox **out)
{
    (void)data;
    (void)len;
    (void)format;
    (void)out;
    return MAILPARSE_E_UNSUPPORTED;
}

int mailparse_mbox_open_file(const char *path, int format, mailparse_mbox **out)
{
    (void)path;
    (void)format;
    (void)out;
    return MAILPARSE_E_UNSUPPORTED;
}

int mailparse_mbox_next(mailparse_mbox *mb, const unsigned char **data, size_t *len,
                                      const char **from_line, size_t *offset)
{
    (void)mb;
    (void)data;
    (void)len;
    (void)from_line;
    (void)offset;
    return MAILPARSE_E_UNSUPPORTED;
}

void mailparse_mbox_free(mailparse_mbox *mb)
{
    (void)mb;
}
