/* fuzz_html.c — libFuzzer harness for HTML to text, text to HTML, previews and thread subjects.
 * Invariants: outputs are valid UTF-8; text → HTML → text gives back the text (normalized);
 * blockquotes and paragraphs balance; thread subjects are idempotent; previews fit. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mp_internal.h"
#include "../mailparse/utf8_valid.h"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

static size_t count_of(const char *s, size_t n, const char *sub)
{
    size_t c = 0, l = strlen(sub);
    for (size_t i = 0; i + l <= n; i++)
        c += memcmp(s + i, sub, l) == 0;
    return c;
}

static void check_html_to_text(const char *in, size_t len)
{
    lm_buf out = LM_BUF_INIT;
    if (mp_html_to_text(in, len, &out) == 0 && out.len) {
        CHECK(utf8_valid(out.data, out.len));
        CHECK(out.data[0] != '\n' && out.data[out.len - 1] != '\n' && out.data[out.len - 1] != ' ');
    }
    lm_buf_free(&out);
}

/* Plain text with escaping work but no quoting, links or line-end variants: the bytes mapped
 * onto a small alphabet. */
static void make_plain_text(const uint8_t *data, size_t size, lm_buf *text)
{
    static const char alphabet[] = "ab Z9 \n<&\"';#x \t";
    for (size_t i = 0; i < size; i++)
        lm_buf_putc(text, alphabet[data[i] % (sizeof alphabet - 1)]);
}

/* The text as HTML to text shows it: lines trimmed with spaces collapsed, blank-line runs as
 * one paragraph break, nothing at either end. */
static void expected_text(const char *s, size_t n, lm_buf *out)
{
    int space = 0, newlines = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == ' ' || c == '\t') {
            space = 1;
        } else if (c == '\n') {
            space = 0;
            newlines++;
        } else {
            if (out->len && newlines)
                lm_buf_puts(out, newlines > 1 ? "\n\n" : "\n");
            else if (out->len && space)
                lm_buf_putc(out, ' ');
            space = newlines = 0;
            lm_buf_putc(out, c);
        }
    }
}

static void check_text_round_trip(const uint8_t *data, size_t size)
{
    lm_buf text = LM_BUF_INIT, html = LM_BUF_INIT, back = LM_BUF_INIT, expect = LM_BUF_INIT;
    make_plain_text(data, size, &text);
    expected_text(text.data ? text.data : "", text.len, &expect);
    if (mp_text_to_html(text.data ? text.data : "", text.len, &html) == 0 &&
        mp_html_to_text(html.data ? html.data : "", html.len, &back) == 0) {
        CHECK(back.len == expect.len);
        CHECK(back.len == 0 || memcmp(back.data, expect.data, back.len) == 0);
    }
    lm_buf_free(&text);
    lm_buf_free(&html);
    lm_buf_free(&back);
    lm_buf_free(&expect);
}

static void check_text_to_html(const char *in, size_t len)
{
    lm_buf out = LM_BUF_INIT;
    if (mp_text_to_html(in, len, &out) == 0 && out.len) {
        CHECK(utf8_valid(out.data, out.len));
        const char *d = out.data;
        CHECK(count_of(d, out.len, "<blockquote") == count_of(d, out.len, "</blockquote>"));
        CHECK(count_of(d, out.len, "<p>") == count_of(d, out.len, "</p>"));
        CHECK(count_of(d, out.len, "<a ") == count_of(d, out.len, "</a>"));
    }
    lm_buf_free(&out);
}

static void check_thread_subject(const char *in, size_t len)
{
    lm_buf once = LM_BUF_INIT, twice = LM_BUF_INIT;
    if (mp_thread_subject(in, len, &once) == 0 &&
        mp_thread_subject(once.data ? once.data : "", once.len, &twice) == 0) {
        CHECK(utf8_valid(once.data, once.len));
        CHECK(once.len == twice.len);
        CHECK(once.len == 0 || memcmp(once.data, twice.data, once.len) == 0);
    }
    lm_buf_free(&once);
    lm_buf_free(&twice);
}

static void check_preview(const char *in, size_t len, size_t max)
{
    lm_buf out = LM_BUF_INIT;
    if (mp_preview(in, len, max, &out) == 0) {
        size_t cps = 0;
        CHECK(utf8_valid(out.data, out.len));
        for (size_t i = 0; i < out.len; i++)
            cps += ((unsigned char)out.data[i] & 0xC0) != 0x80;
        CHECK(cps <= max);
        CHECK(out.len == 0 || (out.data[0] != ' ' && out.data[out.len - 1] != ' '));
    }
    lm_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    check_html_to_text(in, size);
    check_text_to_html(in, size);
    check_thread_subject(in, size);
    check_preview(in, size, size ? data[0] % 64 : 0);
    check_preview(in, size, 200);
    check_text_round_trip(data, size);
    return 0;
}
