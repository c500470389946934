/* date.c — STUB: not implemented yet. */
#include "mp_internal.h"

int mp_parse_date(const char *in, size_t len, mailparse_date *out, const mp_diag *d)
{
    (void)in;
    (void)len;
    (void)out;
    (void)d;
    return MAILPARSE_E_UNSUPPORTED;
}

int64_t mp_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    (void)y;
    (void)m;
    (void)d;
    return 0;
}

int mailparse_format_date(int64_t timestamp, int offset_minutes, char *buf, size_t size)
{
    (void)timestamp;
    (void)offset_minutes;
    (void)buf;
    (void)size;
    return MAILPARSE_E_UNSUPPORTED;
}
