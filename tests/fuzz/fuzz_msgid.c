/* fuzz_msgid.c — libFuzzer harness for msg-id lists (RFC 5322 §3.6.4) and List-* URLs
 * (RFC 2369). Checks that no item is empty or holds a line end or, for URLs, whitespace. */
#include <stdint.h>
#include <string.h>

#include "mp_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const mailparse_string_list *l, int no_space)
{
    for (size_t i = 0; i < l->count; i++) {
        const char *s = l->items[i];
        if (!s || !*s || strchr(s, '\n') || strchr(s, '\r'))
            __builtin_trap();
        if (no_space && s[0] == ' ')
            __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mailparse_values *v = NULL;
    if (mailparse_values_new(&v) != 0)
        return 0;
    const mailparse_string_list *ids = NULL, *urls = NULL;
    if (mailparse_parse_ids(v, (const char *)data, size, &ids) == 0)
        check(ids, 0);
    if (mailparse_parse_urls(v, (const char *)data, size, &urls) == 0)
        check(urls, 1);
    mailparse_values_free(v);
    return 0;
}
