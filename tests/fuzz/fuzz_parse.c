/* fuzz_parse.c — one-shot parse of arbitrary bytes, then every accessor read: nothing may read
 * out of bounds, leak, or break the invariants of the part tree. */
#include "mailparse.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink;

static void touch(const char *s, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        sink += (unsigned char)s[i];
}

static void check_message(const mailparse_message *m, size_t size);

static void check_part(const mailparse_message *m, const mailparse_part *p, size_t raw_len)
{
    size_t count = mailparse_message_part_count(m);
    if (p->offset_header > p->offset_body || p->offset_body > p->offset_end || p->offset_end > raw_len)
        __builtin_trap();
    if (p->parent >= (long)p->id || (p->id && p->parent < 0))
        __builtin_trap();
    if (!p->content_type || !p->content_type->type || !p->language)
        __builtin_trap();
    for (size_t i = 0; i < p->child_count; i++)
        if (p->children[i] <= p->id || p->children[i] >= count ||
            mailparse_message_part(m, p->children[i])->parent != (long)p->id)
            __builtin_trap();
    if (p->header_first + p->header_count > mailparse_message_header_count(m))
        __builtin_trap();
    touch(p->filename, p->filename ? strlen(p->filename) : 0);
    touch(p->charset, p->charset ? strlen(p->charset) : 0);
    touch((const char *)p->body, p->body_len);
    touch(p->text, p->text_len);
    if (p->text && p->text[p->text_len] != '\0')
        __builtin_trap();
    if (p->nested) { /* parsed from the decoded body: its offsets are into those bytes */
        if (p->kind != MAILPARSE_PART_MESSAGE || p->child_count)
            __builtin_trap();
        check_message(p->nested, p->body_len);
    }
}

static void check_header(const mailparse_header *h, size_t raw_len)
{
    if (h->offset_field >= h->offset_value || h->offset_value > h->offset_end || h->offset_end > raw_len)
        __builtin_trap();
    if (strlen(h->name) != h->name_len || h->text[h->text_len] != '\0')
        __builtin_trap();
    touch(h->raw_value, h->raw_value_len);
    touch(h->text, h->text_len);
    if (h->addresses)
        for (size_t i = 0; i < h->addresses->count; i++) {
            const mailparse_address *a = &h->addresses->items[i];
            touch(a->name, a->name ? strlen(a->name) : 0);
            touch(a->address, a->address ? strlen(a->address) : 0);
            if (a->group >= (int)h->addresses->group_count)
                __builtin_trap();
        }
    if (h->list)
        for (size_t i = 0; i < h->list->count; i++)
            touch(h->list->items[i], strlen(h->list->items[i]));
    if (h->content_type)
        for (size_t i = 0; i < h->content_type->param_count; i++)
            touch(h->content_type->params[i].value, strlen(h->content_type->params[i].value));
}

/* Every invariant of a parsed message of `size` input bytes. */
static void check_message(const mailparse_message *m, size_t size)
{
    size_t raw_len;
    mailparse_message_raw(m, &raw_len);
    if (raw_len != size)
        __builtin_trap();
    for (size_t i = 0; i < mailparse_message_part_count(m); i++)
        check_part(m, mailparse_message_part(m, i), raw_len);
    for (size_t i = 0; i < mailparse_message_header_count(m); i++)
        check_header(mailparse_message_header_at(m, i), raw_len);
    size_t n, len;
    const size_t *ids = mailparse_message_text_body(m, &n);
    for (size_t i = 0; i < n; i++)
        if (ids[i] >= mailparse_message_part_count(m))
            __builtin_trap();
    const char *t = mailparse_message_text(m, &len);
    touch(t, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mailparse_options o;
    mailparse_options_init(&o);
    o.flags = MAILPARSE_F_ZERO_COPY;
    o.max_parts = 200;
    o.max_depth = 20;
    mailparse_message *m = NULL;
    if (mailparse_parse(data, size, &o, &m) != 0)
        return 0;
    check_message(m, size);
    size_t len;
    char *out = NULL;
    if (mailparse_message_html_dup(m, &out, &len) == 0 && out) {
        touch(out, len);
        mailparse_free(out);
    }
    if (mailparse_message_preview(m, 64, &out, &len) == 0)
        mailparse_free(out);
    const char *subject = mailparse_message_subject(m);
    if (subject && mailparse_thread_subject(subject, strlen(subject), &out, &len) == 0)
        mailparse_free(out);
    mailparse_message_free(m);
    return 0;
}
