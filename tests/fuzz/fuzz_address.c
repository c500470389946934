/* fuzz_address.c — libFuzzer harness for address lists (RFC 5322 §3.4). Checks that every
 * mailbox's group index is in range, that addresses hold no line ends, and that parsing is
 * deterministic. */
#include <stdint.h>
#include <string.h>

#include "mp_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const mailparse_address_list *l)
{
    for (size_t i = 0; i < l->count; i++) {
        const mailparse_address *a = &l->items[i];
        if (a->group < -1 || a->group >= (int)l->group_count)
            __builtin_trap();
        if (!a->name && !a->address)
            __builtin_trap();
        if (a->address && (strchr(a->address, '\n') || strchr(a->address, '\r')))
            __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mailparse_values *v = NULL;
    if (mailparse_values_new(&v) != 0)
        return 0;
    const mailparse_address_list *a = NULL, *b = NULL;
    int rc1 = mailparse_parse_addresses(v, (const char *)data, size, NULL, NULL, &a);
    int rc2 = mailparse_parse_addresses(v, (const char *)data, size, NULL, NULL, &b);
    if (rc1 != rc2)
        __builtin_trap();
    if (rc1 == 0) {
        check(a);
        if (a->count != b->count || a->group_count != b->group_count)
            __builtin_trap();
    }
    mailparse_values_free(v);
    return 0;
}
