/* fuzz_uuencode.c — uuencode body decoder on hostile input. */
#include "mp_internal.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lm_buf out = LM_BUF_INIT;
    lm_buf_puts(&out, "prefix");
    if (mp_uu_decode((const char *)data, size, &out, NULL) == 0) {
        /* a data line yields at most 3 bytes more than its characters carry */
        if (out.len - 6 > 3 * size + 3 || memcmp(out.data, "prefix", 6) != 0)
            __builtin_trap();
    }
    lm_buf_free(&out);
    return 0;
}
