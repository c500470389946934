/* maildir.c — STUB: not implemented yet. */
#include "mp_internal.h"

unsigned mailparse_maildir_flags(const char *filename, unsigned *keywords)
{
    (void)filename;
    (void)keywords;
    return 0;
}

int mailparse_maildir_open(const char *path, mailparse_maildir **out)
{
    (void)path;
    (void)out;
    return MAILPARSE_E_UNSUPPORTED;
}

size_t mailparse_maildir_count(const mailparse_maildir *md)
{
    (void)md;
    return 0;
}

const char * mailparse_maildir_path(const mailparse_maildir *md, size_t i,
                                                 int *is_new, unsigned *flags)
{
    (void)md;
    (void)i;
    (void)is_new;
    (void)flags;
    return NULL;
}

void mailparse_maildir_free(mailparse_maildir *md)
{
    (void)md;
}
