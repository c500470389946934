/* test_incremental.c — the incremental parser gives exactly the one-shot result, however the
 * input is cut: in fixed-size chunks, one byte at a time, and split at every byte. */
#include "test_util.h"

#include <dirent.h>

/* Everything a caller can read from a message, written as text, so two results compare with
 * one strcmp. The caller frees the returned string. */
static char *describe(const mailparse_message *m)
{
    char *out = NULL;
    size_t outlen = 0;
    FILE *f = open_memstream(&out, &outlen);
    assert_non_null(f);
    for (size_t i = 0; i < mailparse_message_part_count(m); i++) {
        const mailparse_part *p = mailparse_message_part(m, i);
        fprintf(f, "part %zu parent %ld kind %d %s/%s flags %u enc %d off %zu %zu %zu hdr %zu+%zu children %zu\n",
                p->id, p->parent, p->kind, p->content_type->type,
                p->content_type->subtype ? p->content_type->subtype : "-", p->flags, p->encoding,
                p->offset_header, p->offset_body, p->offset_end, p->header_first, p->header_count,
                p->child_count);
        fprintf(f, " filename %s cid %s charset %s\n", p->filename ? p->filename : "-",
                p->content_id ? p->content_id : "-", p->charset ? p->charset : "-");
        if (p->body) {
            fprintf(f, " body %zu ", p->body_len);
            fwrite(p->body, 1, p->body_len, f);
            fputc('\n', f);
        }
        if (p->text) {
            fprintf(f, " text %zu ", p->text_len);
            fwrite(p->text, 1, p->text_len, f);
            fputc('\n', f);
        }
    }
    for (size_t i = 0; i < mailparse_message_header_count(m); i++) {
        const mailparse_header *h = mailparse_message_header_at(m, i);
        fprintf(f, "header %s %zu %zu %zu kind %d text %s\n", h->name, h->offset_field, h->offset_value,
                h->offset_end, h->kind, h->text);
    }
    for (size_t i = 0; i < mailparse_message_anomaly_count(m); i++) {
        mailparse_anomaly_kind k;
        size_t off;
        mailparse_message_anomaly_at(m, i, &k, &off);
        fprintf(f, "anomaly %s %zu\n", mailparse_anomaly_name(k), off);
    }
    size_t n, len;
    const size_t *ids = mailparse_message_text_body(m, &n);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "text_body %zu\n", ids[i]);
    ids = mailparse_message_attachments(m, &n);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "attachment %zu\n", ids[i]);
    const char *t = mailparse_message_text(m, &len);
    fprintf(f, "text %s\n", t ? t : "(null)");
    fclose(f);
    return out;
}

/* Ends an incremental parse and describes the message; frees the parser. */
static char *finish_and_describe(mailparse_parser *p)
{
    mailparse_message *m = NULL;
    assert_int_equal(mailparse_parser_finish(p, &m), 0);
    mailparse_parser_free(p);
    char *d = describe(m);
    mailparse_message_free(m);
    return d;
}

static char *parse_in_chunks(const unsigned char *data, size_t len, size_t chunk)
{
    mailparse_parser *p = NULL;
    assert_int_equal(mailparse_parser_new(NULL, &p), 0);
    for (size_t off = 0; off < len; off += chunk) {
        size_t n = len - off < chunk ? len - off : chunk;
        assert_int_equal(mailparse_parser_feed(p, data + off, n), 0);
    }
    return finish_and_describe(p);
}

static char *parse_split(const unsigned char *data, size_t len, size_t cut)
{
    mailparse_parser *p = NULL;
    assert_int_equal(mailparse_parser_new(NULL, &p), 0);
    assert_int_equal(mailparse_parser_feed(p, data, cut), 0);
    assert_int_equal(mailparse_parser_feed(p, data + cut, len - cut), 0);
    return finish_and_describe(p);
}

static char *parse_whole(const unsigned char *data, size_t len, unsigned flags)
{
    mailparse_options o;
    mailparse_options_init(&o);
    o.flags = flags;
    mailparse_message *m = NULL;
    assert_int_equal(mailparse_parse(data, len, &o, &m), 0);
    char *d = describe(m);
    mailparse_message_free(m);
    return d;
}

/* Every file in tests/data/messages, in the LF form and converted to CRLF. */
static void for_each_message(void (*check)(const char *name, const unsigned char *data, size_t len))
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/messages", TEST_DATA_DIR);
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    int count = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char name[512];
        snprintf(name, sizeof name, "messages/%s", e->d_name);
        size_t len;
        unsigned char *data = load_data(name, &len);
        check(name, data, len);
        unsigned char *crlf = malloc(len * 2 + 1);
        size_t n = 0;
        for (size_t i = 0; i < len; i++) {
            if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r'))
                crlf[n++] = '\r';
            crlf[n++] = data[i];
        }
        check(name, crlf, n);
        free(crlf);
        free(data);
        count++;
    }
    closedir(d);
    assert_true(count >= 20);
}

static void check_chunks(const char *name, const unsigned char *data, size_t len)
{
    char *whole = parse_whole(data, len, 0);
    char *zero_copy = parse_whole(data, len, MAILPARSE_F_ZERO_COPY);
    assert_string_equal(whole, zero_copy);
    static const size_t chunks[] = {1, 2, 3, 7, 64, 4096};
    for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
        char *inc = parse_in_chunks(data, len, chunks[i]);
        if (strcmp(whole, inc) != 0)
            fail_msg("%s: chunks of %zu differ:\n--- one-shot\n%s\n--- incremental\n%s", name, chunks[i], whole, inc);
        free(inc);
    }
    free(zero_copy);
    free(whole);
}

static void incremental_equals_one_shot_for_every_chunk_size(void **state)
{
    (void)state;
    for_each_message(check_chunks);
}

static void check_every_split(const char *name, const unsigned char *data, size_t len)
{
    char *whole = parse_whole(data, len, 0);
    for (size_t cut = 0; cut <= len; cut++) {
        char *inc = parse_split(data, len, cut);
        if (strcmp(whole, inc) != 0)
            fail_msg("%s: split at %zu differs", name, cut);
        free(inc);
    }
    free(whole);
}

static void incremental_equals_one_shot_cut_at_every_byte(void **state)
{
    (void)state;
    static const char *const sample[] = {
        "messages/nested_message.eml", "messages/crlf.eml", "messages/obsolete_syntax.eml",
        "messages/outer_boundary_closes_inner.eml", "messages/mbox_from_line.eml",
        "messages/bad_encodings.eml", "messages/digest.eml",
    };
    for (size_t i = 0; i < sizeof sample / sizeof sample[0]; i++) {
        size_t len;
        unsigned char *data = load_data(sample[i], &len);
        check_every_split(sample[i], data, len);
        free(data);
    }
}

static void headers_are_done_before_the_body_arrives(void **state)
{
    (void)state;
    const char *head = "From: a@example.com\nSubject: streaming\n";
    mailparse_parser *p = NULL;
    assert_int_equal(mailparse_parser_new(NULL, &p), 0);
    assert_int_equal(mailparse_parser_feed(p, (const unsigned char *)head, strlen(head)), 0);
    assert_false(mailparse_parser_headers_done(p));
    assert_int_equal(mailparse_parser_feed(p, (const unsigned char *)"\nbody", 5), 0);
    assert_true(mailparse_parser_headers_done(p));
    mailparse_message *m = NULL;
    assert_int_equal(mailparse_parser_finish(p, &m), 0);
    assert_string_equal(text_of(m, 0), "body");
    assert_int_equal(mailparse_parser_feed(p, (const unsigned char *)"x", 1), MAILPARSE_E_STATE);
    mailparse_message *again = NULL;
    assert_int_equal(mailparse_parser_finish(p, &again), MAILPARSE_E_STATE);
    assert_null(again);
    mailparse_parser_free(p);
    mailparse_message_free(m);
}

static void feeding_nothing_gives_an_empty_message(void **state)
{
    (void)state;
    mailparse_parser *p = NULL;
    assert_int_equal(mailparse_parser_new(NULL, &p), 0);
    mailparse_message *m = NULL;
    assert_int_equal(mailparse_parser_finish(p, &m), 0);
    assert_int_equal(mailparse_message_part_count(m), 1);
    mailparse_parser_free(p);
    mailparse_message_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(incremental_equals_one_shot_for_every_chunk_size),
        cmocka_unit_test(incremental_equals_one_shot_cut_at_every_byte),
        cmocka_unit_test(headers_are_done_before_the_body_arrives),
        cmocka_unit_test(feeding_nothing_gives_an_empty_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
