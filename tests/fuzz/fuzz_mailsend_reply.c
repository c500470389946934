/* fuzz_mailsend_reply.c — libFuzzer harness for SMTP reply assembly (RFC 5321 §4.2) and the EHLO
 * capability list. The input is fed in pieces whose sizes the first octet picks; every reply
 * must keep what the parser promises (a 2xx..5xx code, NUL-terminated text without CR, an
 * enhanced code only of the reply's class), and the parser must always make progress. */
#include <stdint.h>
#include <string.h>

#include "ms_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_reply(const ms_reply *r)
{
    const mailsend_reply *p = &r->pub;
    if (p->code < 200 || p->code > 599 || p->lines < 1 || p->lines > 8 || !p->text ||
        strlen(p->text) != p->text_len || memchr(p->text, '\r', p->text_len))
        __builtin_trap();
    if (p->enh_class && p->enh_class != p->code / 100)
        __builtin_trap();
    ms_caps caps = {0};
    if (ms_caps_parse(&caps, p->text, p->text_len, 4) == 0) {
        if (caps.count > 4 || caps.count >= p->lines)
            __builtin_trap();
        for (size_t i = 0; i < caps.count; i++)
            if (!caps.keywords[i][0] || !caps.params[i])
                __builtin_trap();
    }
    ms_caps_clear(&caps);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size)
        return 0;
    size_t piece = 1 + data[0] % 64;
    data++;
    size--;
    ms_reply_parser p;
    ms_reply_parser_init(&p, 512, 8);
    size_t off = 0;
    while (off < size) {
        size_t n = size - off < piece ? size - off : piece;
        size_t used = 0;
        ms_reply *r = NULL;
        int rc = ms_reply_parser_feed(&p, data + off, n, &used, &r);
        if (used > n)
            __builtin_trap();
        if (rc < 0) {
            if ((rc != MAILSEND_E_PROTOCOL && rc != MAILSEND_E_LIMIT && rc != MAILSEND_E_NOMEM) ||
                r || (rc != MAILSEND_E_NOMEM && !p.why))
                __builtin_trap();
            break;
        }
        if (rc == 1) {
            if (!r || !used)
                __builtin_trap();
            check_reply(r);
            ms_reply_unref(r);
        } else if (r || used != n) {
            __builtin_trap();
        }
        off += used;
    }
    ms_reply_parser_free(&p);
    return 0;
}
