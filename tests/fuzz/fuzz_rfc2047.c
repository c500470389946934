/* fuzz_rfc2047.c — RFC 2047 decoding of hostile text in both modes, and the encode/decode round
 * trip: decode(encode(x)) == x for any UTF-8 x, with well-formed folding in the encoding. */
#include "mp_internal.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void ignore_anomaly(void *user, mailparse_anomaly_kind kind, size_t offset)
{
    size_t *limit = user;
    if (offset > *limit) /* offsets stay inside the input */
        __builtin_trap();
    (void)kind;
}

static void decode_both_modes(const char *in, size_t len, size_t budget)
{
    size_t limit = len;
    mp_diag d = {ignore_anomaly, &limit, 0};
    for (unsigned flags = 0; flags <= MAILPARSE_2047_PHRASE; flags++) {
        lm_buf out = LM_BUF_INIT;
        size_t left = budget;
        int rc = mp_rfc2047_decode(in, len, flags, &out, &d, &left);
        if (rc == 0 && mp_utf8_valid_prefix((const unsigned char *)out.data, out.len) != out.len)
            __builtin_trap(); /* the output is always UTF-8 */
        if (left > budget)
            __builtin_trap();
        lm_buf_free(&out);
    }
}

/* Folding is CRLF followed by a space, never a bare line end; no empty folded line. */
static void check_folding(const char *s, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (s[k] == '\n' && (k == 0 || s[k - 1] != '\r'))
            __builtin_trap();
        if (s[k] == '\r' && (k + 2 >= n || s[k + 1] != '\n' || s[k + 2] != ' '))
            __builtin_trap();
    }
}

static void round_trip(const char *in, size_t len, unsigned flags, size_t first)
{
    lm_buf enc = LM_BUF_INIT, dec = LM_BUF_INIT;
    if (mp_rfc2047_encode(in, len, NULL, flags, first, &enc) != 0)
        __builtin_trap();
    check_folding(enc.data ? enc.data : "", enc.len);
    if (mp_rfc2047_decode(enc.data ? enc.data : "", enc.len, flags, &dec, NULL, NULL) != 0)
        __builtin_trap();
    /* an encoding may start with a fold (its first word did not fit after `first` columns);
     * alone, that fold reads as one blank, which a header field's leading space absorbs */
    size_t lead = enc.len >= 3 && enc.data[0] == '\r' && dec.len > 0 && dec.data[0] == ' ';
    if (dec.len != len + lead || (len && memcmp(dec.data + lead, in, len) != 0))
        __builtin_trap();
    lm_buf_free(&enc);
    lm_buf_free(&dec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t budget = data[0] & 7 ? (size_t)(data[0] & 7) : (size_t)-1;
    const char *in = (const char *)data + 1;
    size_t len = size - 1;
    decode_both_modes(in, len, budget);
    if (mp_utf8_valid_prefix((const unsigned char *)in, len) == len) {
        round_trip(in, len, 0, data[0] % 80);
        round_trip(in, len, MAILPARSE_2047_PHRASE, data[0] % 80);
    }
    return 0;
}
