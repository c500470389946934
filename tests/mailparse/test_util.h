/* test_util.h — helpers shared by the libmailparse unit tests: load test messages, parse them. */
#ifndef TEST_UTIL_H
#define TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mailparse.h"
#include "test_files.h"

/* The bytes of tests/data/<name>, NUL-terminated; fails the test when missing. */
static inline unsigned char *load_data(const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", TEST_DATA_DIR, name);
    unsigned char *buf = test_file_read(path, len);
    if (!buf)
        fail_msg("cannot read %s", path);
    return buf;
}

/* Parses a NUL-terminated string as a message with default options. */
static inline mailparse_message *parse_str(const char *s)
{
    mailparse_message *m = NULL;
    assert_int_equal(mailparse_parse((const unsigned char *)s, strlen(s), NULL, &m), 0);
    assert_non_null(m);
    return m;
}

/* Parses tests/data/<name>. */
static inline mailparse_message *parse_data(const char *name)
{
    size_t len;
    unsigned char *buf = load_data(name, &len);
    mailparse_message *m = NULL;
    assert_int_equal(mailparse_parse(buf, len, NULL, &m), 0);
    free(buf);
    return m;
}

static inline const mailparse_part *part_at(const mailparse_message *m, size_t i)
{
    const mailparse_part *p = mailparse_message_part(m, i);
    assert_non_null(p);
    return p;
}

/* "type/subtype" of part i, in a static buffer. */
static inline const char *type_of(const mailparse_message *m, size_t i)
{
    static char buf[256];
    const mailparse_part *p = part_at(m, i);
    snprintf(buf, sizeof buf, "%s/%s", p->content_type->type,
             p->content_type->subtype ? p->content_type->subtype : "");
    return buf;
}

/* Whether the message recorded an anomaly of `kind`. */
static inline int has_anomaly(const mailparse_message *m, mailparse_anomaly_kind kind)
{
    for (size_t i = 0; i < mailparse_message_anomaly_count(m); i++) {
        mailparse_anomaly_kind k;
        size_t off;
        mailparse_message_anomaly_at(m, i, &k, &off);
        if (k == kind)
            return 1;
    }
    return 0;
}

/* The bytes [offset_body, offset_end) of part i as a NUL-terminated static string. */
static inline const char *raw_body(const mailparse_message *m, size_t i)
{
    static char buf[4096];
    size_t len;
    const unsigned char *raw = mailparse_message_raw(m, &len);
    const mailparse_part *p = part_at(m, i);
    size_t n = p->offset_end - p->offset_body;
    if (n >= sizeof buf)
        n = sizeof buf - 1;
    memcpy(buf, raw + p->offset_body, n);
    buf[n] = 0;
    return buf;
}

/* The text of part i (must be a text part). */
static inline const char *text_of(const mailparse_message *m, size_t i)
{
    const mailparse_part *p = part_at(m, i);
    assert_non_null(p->text);
    return p->text;
}

#endif
