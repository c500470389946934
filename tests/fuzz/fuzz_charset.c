/* fuzz_charset.c — charset conversion of hostile bytes: the output is always valid UTF-8, and
 * UTF-8 text survives a trip through the Unicode encodings unchanged. */
#include "mp_internal.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const charsets[] = {
    "utf-8", "iso-8859-1", "windows-1251", "koi8-r", "shift_jis", "euc-jp", "iso-2022-jp",
    "gb2312", "big5", "euc-kr", "utf-7", "utf-16", "utf-16le", "utf-32", "x-unknown", "tis-620",
    "iso-8859-7", "hz-gb-2312", "iso-2022-kr", "gb18030",
};
#define N_CHARSETS (sizeof charsets / sizeof charsets[0])

static void check_utf8(const lm_buf *b)
{
    if (b->len && mp_utf8_valid_prefix((const unsigned char *)b->data, b->len) != b->len)
        __builtin_trap();
}

/* UTF-8 → `cs` → UTF-8 gives back the sanitized text for charsets that hold all of Unicode. */
static void unicode_round_trip(const char *cs, const lm_buf *text)
{
    lm_buf enc = LM_BUF_INIT, back = LM_BUF_INIT;
    if (mp_charset_from_utf8(cs, strlen(cs), text->data ? text->data : "", text->len, &enc) == 0 &&
        mp_charset_to_utf8(cs, strlen(cs), (const unsigned char *)(enc.data ? enc.data : ""), enc.len,
                           &back, NULL) == 0) {
        /* a leading U+FEFF or U+FFFE reads as a byte order mark on the way back */
        int bom = strncmp(cs, "utf-", 4) == 0 && text->len >= 3 &&
                  (memcmp(text->data, "\xEF\xBB\xBF", 3) == 0 ||
                   memcmp(text->data, "\xEF\xBF\xBE", 3) == 0);
        if (!bom && (back.len != text->len ||
                     memcmp(back.data ? back.data : "", text->data ? text->data : "", back.len)))
            __builtin_trap();
    }
    lm_buf_free(&enc);
    lm_buf_free(&back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const char *cs = charsets[data[0] % N_CHARSETS];
    const unsigned char *in = data + 1;
    size_t len = size - 1;

    lm_buf out = LM_BUF_INIT;
    if (mp_charset_to_utf8(cs, strlen(cs), in, len, &out, NULL) == 0)
        check_utf8(&out);
    lm_buf_free(&out);

    lm_buf text = LM_BUF_INIT;
    mp_utf8_sanitize(in, len, &text, NULL);
    check_utf8(&text);
    unicode_round_trip("utf-16", &text);
    unicode_round_trip("utf-32le", &text);
    unicode_round_trip("gb18030", &text);

    lm_buf guessed = LM_BUF_INIT;
    if (mp_text_guess_to_utf8(in, len, cs, &guessed, NULL) == 0)
        check_utf8(&guessed);
    lm_buf_free(&guessed);

    lm_buf enc = LM_BUF_INIT;
    mp_charset_from_utf8(cs, strlen(cs), text.data ? text.data : "", text.len, &enc);
    lm_buf_free(&enc);
    lm_buf_free(&text);

    char label[80]; /* the bytes as a label */
    size_t n = len < sizeof label - 1 ? len : sizeof label - 1;
    memcpy(label, in, n);
    label[n] = '\0';
    (void)mailparse_charset_canonical(label);
    (void)mp_charset_is_utf8(label, n);
    return 0;
}
