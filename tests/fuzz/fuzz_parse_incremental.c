/* fuzz_parse_incremental.c — the incremental parser fed in pieces (sizes taken from the input)
 * must give exactly the one-shot result: same parts, offsets, headers and anomalies. */
#include "mailparse.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same_parts(const mailparse_message *a, const mailparse_message *b)
{
    if (mailparse_message_part_count(a) != mailparse_message_part_count(b) ||
        mailparse_message_header_count(a) != mailparse_message_header_count(b) ||
        mailparse_message_anomaly_count(a) != mailparse_message_anomaly_count(b))
        __builtin_trap();
    for (size_t i = 0; i < mailparse_message_part_count(a); i++) {
        const mailparse_part *p = mailparse_message_part(a, i), *q = mailparse_message_part(b, i);
        if (p->parent != q->parent || p->kind != q->kind || p->flags != q->flags ||
            p->offset_header != q->offset_header || p->offset_body != q->offset_body ||
            p->offset_end != q->offset_end || p->body_len != q->body_len || p->text_len != q->text_len ||
            (p->body_len && memcmp(p->body, q->body, p->body_len) != 0) ||
            (p->text_len && memcmp(p->text, q->text, p->text_len) != 0))
            __builtin_trap();
    }
    for (size_t i = 0; i < mailparse_message_header_count(a); i++) {
        const mailparse_header *h = mailparse_message_header_at(a, i), *g = mailparse_message_header_at(b, i);
        if (h->offset_field != g->offset_field || h->offset_end != g->offset_end ||
            h->text_len != g->text_len || memcmp(h->text, g->text, h->text_len) != 0)
            __builtin_trap();
    }
    for (size_t i = 0; i < mailparse_message_anomaly_count(a); i++) {
        mailparse_anomaly_kind ka, kb;
        size_t oa, ob;
        mailparse_message_anomaly_at(a, i, &ka, &oa);
        mailparse_message_anomaly_at(b, i, &kb, &ob);
        if (ka != kb || oa != ob)
            __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    /* The first two bytes choose the piece sizes; the rest is the message. */
    size_t step1 = (size_t)data[0] % 17 + 1, step2 = (size_t)data[1] * 3 + 1;
    data += 2;
    size -= 2;
    mailparse_options o;
    mailparse_options_init(&o);
    o.max_parts = 200;
    o.max_depth = 20;
    mailparse_message *whole = NULL, *pieces = NULL;
    if (mailparse_parse(data, size, &o, &whole) != 0)
        return 0;
    mailparse_parser *p = NULL;
    if (mailparse_parser_new(&o, &p) != 0) {
        mailparse_message_free(whole);
        return 0;
    }
    size_t off = 0, turn = 0;
    while (off < size) {
        size_t n = (turn++ & 1) ? step2 : step1;
        if (n > size - off)
            n = size - off;
        if (mailparse_parser_feed(p, data + off, n) != 0)
            __builtin_trap();
        off += n;
    }
    if (mailparse_parser_finish(p, &pieces) != 0)
        __builtin_trap();
    same_parts(whole, pieces);
    mailparse_parser_free(p);
    mailparse_message_free(pieces);
    mailparse_message_free(whole);
    return 0;
}
