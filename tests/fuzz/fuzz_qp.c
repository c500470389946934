/* fuzz_qp.c — quoted-printable decoder on hostile input; encode/decode round trips in text and
 * binary mode (RFC 2045 §6.7). */
#include "mp_internal.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Encoded lines: at most 76 characters, only printable ASCII, SP, TAB and CRLF. */
static void check_lines(const lm_buf *enc)
{
    size_t col = 0;
    for (size_t i = 0; i < enc->len; i++) {
        unsigned char c = (unsigned char)enc->data[i];
        if (c == '\r') {
            if (i + 1 >= enc->len || enc->data[i + 1] != '\n')
                __builtin_trap();
            i++;
            col = 0;
        } else if (c == '\n' || ((c < 0x20 || c > 0x7E) && c != '\t') || ++col > 76) {
            __builtin_trap();
        }
    }
}

/* Text mode turns bare LF into CRLF; everything else comes back as it was. */
static void expect_text(const uint8_t *data, size_t size, lm_buf *want)
{
    for (size_t i = 0; i < size; i++) {
        if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r'))
            lm_buf_putc(want, '\r');
        lm_buf_putc(want, data[i]);
    }
}

static void round_trip(const uint8_t *data, size_t size, unsigned flags)
{
    lm_buf enc = LM_BUF_INIT, back = LM_BUF_INIT, want = LM_BUF_INIT;
    if (flags & MAILPARSE_QP_BINARY)
        lm_buf_append(&want, data, size);
    else
        expect_text(data, size, &want);
    if (mp_qp_encode(data, size, flags, &enc) == 0) {
        check_lines(&enc);
        if (mp_qp_decode(enc.data ? enc.data : "", enc.len, &back, NULL) == 0 &&
            !want.oom && (back.len != want.len || (want.len && memcmp(back.data, want.data, want.len))))
            __builtin_trap();
    }
    lm_buf_free(&enc);
    lm_buf_free(&back);
    lm_buf_free(&want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lm_buf dec = LM_BUF_INIT;
    if (mp_qp_decode((const char *)data, size, &dec, NULL) == 0 && dec.len > size)
        __builtin_trap();
    lm_buf_free(&dec);
    round_trip(data, size, 0);
    round_trip(data, size, MAILPARSE_QP_BINARY);
    return 0;
}
