/* build_util.h — helpers shared by the libmailbuild unit tests: deterministic options (a
 * counter as the random source, a fixed clock), a message written to a string, the string
 * parsed back with libmailparse, and a few ways to look at the header block. */
#ifndef BUILD_UTIL_H
#define BUILD_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mailbuild.h"
#include "mailparse.h"

/* The fixed clock's time: Tue, 14 Nov 2023 22:13:20 +0000. */
#define FIXED_NOW INT64_C(1700000000)
#define FIXED_DATE "Tue, 14 Nov 2023 22:13:20 +0000"

/* The random source: byte k of the stream is k mod 256, counted in the unsigned `user`
 * points to. A fresh counter makes the first Message-ID <000102030405060708090a0b0c0d0e0f@...>
 * and the first boundary after it "=_101112131415161718191a1b". */
static inline void counter_random(void *user, unsigned char *buf, size_t len)
{
    unsigned *next = user;
    for (size_t i = 0; i < len; i++)
        buf[i] = (unsigned char)((*next)++ & 0xffu);
}

/* The clock: *(int64_t *)user when `user` is set, else FIXED_NOW. */
static inline int64_t fixed_clock(void *user)
{
    return user ? *(const int64_t *)user : FIXED_NOW;
}

/* Options for byte-exact tests: `flags`, the counter random source on `counter` (which the
 * caller owns and zeroes for a fresh stream) and the fixed clock. */
static inline void deterministic_options(mailbuild_options *o, unsigned *counter, unsigned flags)
{
    mailbuild_options_init(o);
    o->flags = flags;
    o->random = counter_random;
    o->random_user = counter;
    o->clock = fixed_clock;
    o->clock_user = NULL;
}

/* The counter behind new_message(); one message made by it at a time. */
static unsigned shared_counter;

/* A new message with deterministic options and a fresh counter. For two messages alive at
 * once, give each its own counter through deterministic_options(). */
static inline mailbuild_message *new_message(unsigned flags)
{
    mailbuild_options o;
    shared_counter = 0;
    deterministic_options(&o, &shared_counter, flags);
    mailbuild_message *m = NULL;
    assert_int_equal(mailbuild_message_new(&o, &m), 0);
    assert_non_null(m);
    return m;
}

/* The whole message as a NUL-terminated string (free with mailbuild_free()); `len` may be
 * NULL. Fails the test when writing fails or the bytes hold a NUL. */
static inline char *build_string(mailbuild_message *m, size_t *len)
{
    char *out[1] = {NULL};
    size_t n = 0;
    assert_int_equal(mailbuild_to_buffer(m, out, &n), 0);
    char *s = out[0];
    assert_non_null(s);
    assert_int_equal(strlen(s), n);
    if (len)
        *len = n;
    return s;
}

/* Parses a built message back with libmailparse's defaults. Free with mailparse_message_free(). */
static inline mailparse_message *parse_built(const char *s)
{
    mailparse_message *p = NULL;
    assert_int_equal(mailparse_parse((const unsigned char *)s, strlen(s), NULL, &p), 0);
    assert_non_null(p);
    return p;
}

/* The top-level field `name` of a parsed message (the first one); fails the test when absent. */
static inline const mailparse_header *parsed_field(const mailparse_message *p, const char *name)
{
    const mailparse_header *h = mailparse_part_header(p, 0, name, 0);
    if (!h)
        fail_msg("no %s field in the parsed message", name);
    return h;
}

/* The length of the header block: up to and including the empty line. */
static inline size_t header_block_len(const char *msg)
{
    const char *end = strstr(msg, "\r\n\r\n");
    assert_non_null(end);
    return (size_t)(end - msg) + 4;
}

/* The header block (and the empty line) of a built message, in a static buffer. */
static inline const char *header_block(const char *msg)
{
    static char buf[65536];
    size_t n = header_block_len(msg);
    assert_true(n < sizeof buf);
    memcpy(buf, msg, n);
    buf[n] = '\0';
    return buf;
}

/* The first top-level field called `name` (exact case), from its name to its last CRLF with
 * the folds, in a static buffer; NULL when the header block has none. */
static inline const char *field_text(const char *msg, const char *name)
{
    static char buf[65536];
    size_t block = header_block_len(msg), nlen = strlen(name);
    const char *p = msg;
    while ((size_t)(p - msg) < block - 2) {
        const char *line_end = strstr(p, "\r\n");
        if (strncmp(p, name, nlen) == 0 && p[nlen] == ':') {
            const char *end = line_end + 2;
            while (*end == ' ' || *end == '\t')
                end = strstr(end, "\r\n") + 2;
            size_t n = (size_t)(end - p);
            assert_true(n < sizeof buf);
            memcpy(buf, p, n);
            buf[n] = '\0';
            return buf;
        }
        p = line_end + 2;
    }
    return NULL;
}

/* The longest line of the header block, in octets without its CRLF. */
static inline size_t longest_header_line(const char *msg)
{
    size_t block = header_block_len(msg), longest = 0;
    for (const char *p = msg; (size_t)(p - msg) < block;) {
        const char *e = strstr(p, "\r\n");
        if ((size_t)(e - p) > longest)
            longest = (size_t)(e - p);
        p = e + 2;
    }
    return longest;
}

/* Whether `hay` holds `needle`. */
static inline int contains(const char *hay, const char *needle)
{
    return strstr(hay, needle) != NULL;
}

/* The fields the library writes for a message without a body, after the caller's fields. */
#define EMPTY_BODY_FIELDS \
    "MIME-Version: 1.0\r\n" \
    "Content-Type: text/plain; charset=us-ascii\r\n" \
    "Content-Transfer-Encoding: 7bit\r\n" \
    "\r\n"

/* Writes `m`, checks that the bytes are `want`, and returns them parsed back. */
static inline mailparse_message *expect_message(mailbuild_message *m, const char *want)
{
    char *s = build_string(m, NULL);
    assert_string_equal(s, want);
    mailparse_message *p = parse_built(s);
    mailbuild_free(s);
    return p;
}

/* Writes `m`, checks that its top-level field `name` (as field_text() gives it) is `want`,
 * and returns the bytes parsed back. */
static inline mailparse_message *expect_field(mailbuild_message *m, const char *name, const char *want)
{
    char *s = build_string(m, NULL);
    const char *f = field_text(s, name);
    if (!f)
        fail_msg("no %s field in:\n%s", name, s);
    assert_string_equal(f, want);
    mailparse_message *p = parse_built(s);
    mailbuild_free(s);
    return p;
}

/* Writes `m` and checks that `needle` occurs nowhere in the bytes. */
static inline void assert_output_lacks(mailbuild_message *m, const char *needle)
{
    char *s = build_string(m, NULL);
    if (contains(s, needle))
        fail_msg("\"%s\" was written:\n%s", needle, s);
    mailbuild_free(s);
}

/* A parsed field's value unfolded as RFC 5322 §2.2.3 says (each CRLF before WSP removed,
 * nothing else), with the space after the colon dropped; in a static buffer. */
static inline const char *rfc_unfolded(const mailparse_header *h)
{
    static char buf[65536];
    size_t n = 0, i = 0;
    if (h->raw_value_len && h->raw_value[0] == ' ')
        i = 1;
    for (; i < h->raw_value_len; i++) {
        if (h->raw_value[i] == '\r' && i + 1 < h->raw_value_len && h->raw_value[i + 1] == '\n') {
            i++;
            continue;
        }
        assert_true(n + 1 < sizeof buf);
        buf[n++] = h->raw_value[i];
    }
    buf[n] = '\0';
    return buf;
}

#endif

/* ---- the body side: outputs that may hold any byte, their lines, their parts, the writer's
 * pieces. ----------------------------------------------------------------------------------- */
#ifndef BUILD_UTIL_BODY
#define BUILD_UTIL_BODY

/* A string literal as body data. */
#define BYTES(s) ((const unsigned char *)(s))

/* The boundaries a fresh counter gives when no Message-ID is generated: "=_" and the hex of
 * the next 12 bytes of the stream, the innermost multipart first. */
#define BOUNDARY_1 "=_000102030405060708090a0b"
#define BOUNDARY_2 "=_0c0d0e0f1011121314151617"
#define BOUNDARY_3 "=_18191a1b1c1d1e1f20212223"
/* The first one when a generated Message-ID took bytes 0x00-0x0f before it. */
#define BOUNDARY_AFTER_ID "=_101112131415161718191a1b"

/* A deterministic byte stream (xorshift32) for bodies nobody has to read. */
static inline void fill_pseudo_random(unsigned char *buf, size_t len, uint32_t seed)
{
    uint32_t x = seed | 1u;
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        buf[i] = (unsigned char)(x >> 24);
    }
}

/* The whole message as bytes, NUL bytes allowed (NUL-terminated all the same; free with
 * mailbuild_free()). Fails the test when writing fails. */
static inline char *build_bytes(mailbuild_message *m, size_t *len)
{
    char *out = NULL;
    size_t n = 0;
    assert_int_equal(mailbuild_to_buffer(m, &out, &n), 0);
    assert_non_null(out);
    *len = n;
    return out;
}

/* Parses `len` bytes with libmailparse's defaults. Free with mailparse_message_free(). */
static inline mailparse_message *parse_bytes(const char *s, size_t len)
{
    mailparse_message *p = NULL;
    assert_int_equal(mailparse_parse((const unsigned char *)s, len, NULL, &p), 0);
    assert_non_null(p);
    return p;
}

/* A message written and parsed back: the bytes and the parse, freed together. */
typedef struct built {
    char *bytes;
    size_t len;
    mailparse_message *parsed;
} built;

static inline void build(mailbuild_message *m, built *b)
{
    b->bytes = build_bytes(m, &b->len);
    b->parsed = parse_bytes(b->bytes, b->len);
}

static inline void built_free(built *b)
{
    mailparse_message_free(b->parsed);
    mailbuild_free(b->bytes);
}

/* The longest line of [s, s+len) in octets, its line end not counted. */
static inline size_t longest_line(const char *s, size_t len)
{
    size_t longest = 0, cur = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n') {
            if (cur > longest)
                longest = cur;
            cur = 0;
            i++;
        } else {
            cur++;
        }
    }
    return cur > longest ? cur : longest;
}

/* Whether every CR and LF of [s, s+len) is part of a CRLF pair, and the bytes end with one. */
static inline int crlf_only(const char *s, size_t len)
{
    if (len < 2 || s[len - 2] != '\r' || s[len - 1] != '\n')
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\r' && (i + 1 == len || s[i + 1] != '\n'))
            return 0;
        if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
            return 0;
    }
    return 1;
}

/* The id of the `nth` (0 = first) part of type `type` ("text/plain"), or fails the test. */
static inline size_t part_of_type(const mailparse_message *p, const char *type, size_t nth)
{
    for (size_t i = 0; i < mailparse_message_part_count(p); i++) {
        const mailparse_part *pt = mailparse_message_part(p, i);
        char t[160];
        snprintf(t, sizeof t, "%s/%s", pt->content_type->type,
                 pt->content_type->subtype ? pt->content_type->subtype : "");
        if (strcmp(t, type) == 0 && nth-- == 0)
            return i;
    }
    fail_msg("no part %s", type);
    return 0;
}

/* "type/subtype" of part `id`, in a static buffer. */
static inline const char *part_type(const mailparse_message *p, size_t id)
{
    static char buf[160];
    const mailparse_part *pt = mailparse_message_part(p, id);
    assert_non_null(pt);
    snprintf(buf, sizeof buf, "%s/%s", pt->content_type->type,
             pt->content_type->subtype ? pt->content_type->subtype : "");
    return buf;
}

/* The value of parameter `name` in a parsed Content-Type or Content-Disposition, or NULL. */
static inline const char *param_value(const mailparse_content_type *ct, const char *name)
{
    for (size_t i = 0; ct && i < ct->param_count; i++)
        if (strcmp(ct->params[i].name, name) == 0)
            return ct->params[i].value;
    return NULL;
}

/* The body of part `id` as written (between its header block and the next delimiter). */
static inline const char *part_wire_body(const mailparse_message *p, size_t id, size_t *len)
{
    size_t total;
    const unsigned char *raw = mailparse_message_raw(p, &total);
    const mailparse_part *pt = mailparse_message_part(p, id);
    assert_non_null(pt);
    *len = pt->offset_end - pt->offset_body;
    return (const char *)raw + pt->offset_body;
}

/* The header block of part `id` as written, without the empty line, in a static buffer. */
static inline const char *part_wire_header(const mailparse_message *p, size_t id)
{
    static char buf[65536];
    size_t total;
    const unsigned char *raw = mailparse_message_raw(p, &total);
    const mailparse_part *pt = mailparse_message_part(p, id);
    assert_non_null(pt);
    size_t n = pt->offset_body - pt->offset_header;
    assert_true(n >= 2 && n < sizeof buf);
    memcpy(buf, raw + pt->offset_header, n - 2);
    buf[n - 2] = '\0';
    return buf;
}

/* A write callback that keeps every byte and counts the pieces; with `fail_at` k > 0 the k-th
 * call reports a failure. */
typedef struct collector {
    char *data;
    size_t len, cap;
    size_t calls, largest;
    size_t fail_at;
} collector;

static inline int collect_piece(void *user, const char *data, size_t len)
{
    collector *c = user;
    c->calls++;
    if (len > c->largest)
        c->largest = len;
    if (c->fail_at && c->calls == c->fail_at)
        return -1;
    if (len > c->cap - c->len) {
        size_t cap = c->cap ? c->cap : 4096;
        while (len > cap - c->len)
            cap *= 2;
        char *d = realloc(c->data, cap);
        assert_non_null(d);
        c->data = d;
        c->cap = cap;
    }
    memcpy(c->data + c->len, data, len);
    c->len += len;
    return 0;
}

#endif
