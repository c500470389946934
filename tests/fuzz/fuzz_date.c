/* fuzz_date.c — libFuzzer harness for dates (RFC 5322 §3.3, §4.3). Checks the field ranges of
 * every accepted date and that format(parse(x)) parses back to the same instant and zone. */
#include <stdint.h>
#include <string.h>

#include "mp_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mailparse_date d;
    if (mailparse_parse_date((const char *)data, size, &d) != 0)
        return 0;
    if (d.month < 1 || d.month > 12 || d.day < 1 || d.day > 31 || d.hour > 23 || d.minute > 59 ||
        d.second > 60 || d.year < 0 || d.year > 9999)
        __builtin_trap();
    if (d.second == 60)
        return 0; /* a leap second formats as the next minute's :00 */
    char buf[32];
    if (mailparse_format_date(d.timestamp, d.offset_minutes, buf, sizeof buf) != 0)
        __builtin_trap();
    mailparse_date back;
    if (mailparse_parse_date(buf, strlen(buf), &back) != 0 || back.timestamp != d.timestamp ||
        back.offset_minutes != d.offset_minutes || back.day != d.day || back.hour != d.hour)
        __builtin_trap();
    return 0;
}
