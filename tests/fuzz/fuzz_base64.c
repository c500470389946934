/* fuzz_base64.c — base64 decoder on hostile input; encode/decode round trip (RFC 2045 §6.8). */
#include "mp_internal.h"

#include <stdint.h>
#include <string.h>

static void count(void *user, mailparse_anomaly_kind kind, size_t offset)
{
    (void)kind;
    (void)offset;
    ++*(size_t *)user;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t anomalies = 0;
    mp_diag d = {count, &anomalies, 0};
    lm_buf dec = LM_BUF_INIT, enc = LM_BUF_INIT, back = LM_BUF_INIT;
    if (mp_base64_decode((const char *)data, size, &dec, &d) == 0 && dec.len > size / 4 * 3 + 2)
        __builtin_trap();
    if (anomalies > 3 * 16)
        __builtin_trap(); /* each kind is bounded */

    size_t wrap = size ? data[0] % 80 : 0;
    anomalies = 0;
    if (mp_base64_encode(data, size, wrap, &enc) == 0 &&
        mp_base64_decode(enc.data ? enc.data : "", enc.len, &back, &d) == 0) {
        if (back.len != size || (size && memcmp(back.data, data, size) != 0) || anomalies)
            __builtin_trap();
        for (size_t i = 0, col = 0; i < enc.len; i++) {
            col = enc.data[i] == '\n' ? 0 : enc.data[i] == '\r' ? col : col + 1;
            if (wrap && col > wrap)
                __builtin_trap();
        }
    }
    lm_buf_free(&dec);
    lm_buf_free(&enc);
    lm_buf_free(&back);
    return 0;
}
