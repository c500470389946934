/* test_api.c — the API contract: versions, error strings, NULL handling, option records of an
 * older (smaller) size, the allocator hooks and the anomaly callback. */
#include "test_util.h"

static void version_matches_the_header(void **state)
{
    (void)state;
    assert_int_equal(mailparse_version_number(), MAILPARSE_VERSION_NUMBER);
    char buf[32];
    snprintf(buf, sizeof buf, "%d.%d.%d", MAILPARSE_VERSION_MAJOR, MAILPARSE_VERSION_MINOR,
             MAILPARSE_VERSION_PATCH);
    assert_string_equal(mailparse_version(), buf);
}

static void every_error_has_a_distinct_message(void **state)
{
    (void)state;
    const int codes[] = {MAILPARSE_OK, MAILPARSE_E_NOMEM, MAILPARSE_E_INVAL, MAILPARSE_E_LIMIT,
                         MAILPARSE_E_UNSUPPORTED, MAILPARSE_E_CHARSET, MAILPARSE_E_SYNTAX,
                         MAILPARSE_E_STATE, MAILPARSE_E_IO, MAILPARSE_E_EOF};
    size_t n = sizeof codes / sizeof codes[0];
    for (size_t i = 0; i < n; i++) {
        assert_non_null(mailparse_strerror(codes[i]));
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(mailparse_strerror(codes[i]), mailparse_strerror(codes[j]));
    }
    assert_string_equal(mailparse_strerror(-1000), "unknown error");
}

static void every_anomaly_kind_has_a_name(void **state)
{
    (void)state;
    for (int k = 1; k < MAILPARSE_ANOMALY_KIND_COUNT; k++)
        assert_string_not_equal(mailparse_anomaly_name(k), "unknown");
    assert_string_equal(mailparse_anomaly_name(0), "unknown");
    assert_string_equal(mailparse_anomaly_name(MAILPARSE_ANOMALY_KIND_COUNT), "unknown");
}

static void null_arguments_are_refused_or_ignored(void **state)
{
    (void)state;
    mailparse_message *m = NULL;
    assert_int_equal(mailparse_parse(NULL, 5, NULL, &m), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_parse((const unsigned char *)"x", 1, NULL, NULL), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_parser_new(NULL, NULL), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_parser_feed(NULL, (const unsigned char *)"x", 1), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_parser_finish(NULL, &m), MAILPARSE_E_INVAL);
    mailparse_parser_free(NULL);
    mailparse_message_free(NULL);
    mailparse_free(NULL);
    assert_int_equal(mailparse_message_part_count(NULL), 0);
    assert_null(mailparse_message_part(NULL, 0));
    assert_null(mailparse_message_subject(NULL));
    assert_null(mailparse_part_header(NULL, 0, "x", 0));
    m = parse_str("Subject: x\n\n");
    assert_null(mailparse_message_part(m, 1));
    assert_null(mailparse_message_header_at(m, 1));
    assert_int_equal(mailparse_message_anomaly_at(m, 0, NULL, NULL), MAILPARSE_E_INVAL);
    assert_null(mailparse_message_addresses(m, "from"));
    assert_null(mailparse_message_date(m));
    assert_null(mailparse_message_id(m));
    mailparse_message_free(m);
}

/* An options record as an older caller compiled it: only the first fields. */
static void older_smaller_options_record_is_accepted(void **state)
{
    (void)state;
    struct {
        mailparse_options o;
        unsigned char guard[64];
    } big;
    memset(&big, 0xAB, sizeof big);
    big.o.struct_size = offsetof(mailparse_options, max_header_size);
    big.o.flags = 0;
    big.o.max_message_size = 0;
    big.o.max_header_count = 2;
    mailparse_message *m = NULL;
    const char *msg = "A: 1\nB: 2\nC: 3\n\n";
    assert_int_equal(mailparse_parse((const unsigned char *)msg, strlen(msg), &big.o, &m), 0);
    assert_int_equal(mailparse_message_header_count(m), 2);
    mailparse_message_free(m);
}

static size_t live_allocations;
static void *count_malloc(size_t n)
{
    live_allocations++;
    return malloc(n);
}
static void *count_realloc(void *p, size_t n)
{
    if (!p)
        live_allocations++;
    return realloc(p, n);
}
static void count_free(void *p)
{
    if (p)
        live_allocations--;
    free(p);
}

static void allocator_hooks_see_every_allocation(void **state)
{
    (void)state;
    mailparse_set_allocator(count_malloc, count_realloc, count_free);
    live_allocations = 0;
    size_t len;
    unsigned char *data = load_data("messages/nested_message.eml", &len);
    mailparse_message *m = NULL;
    assert_int_equal(mailparse_parse(data, len, NULL, &m), 0);
    assert_true(live_allocations > 0);
    mailparse_message_free(m);
    assert_int_equal(live_allocations, 0);
    mailparse_set_allocator(NULL, NULL, NULL);
    free(data);
}

static size_t fail_after;
static void *failing_malloc(size_t n)
{
    if (fail_after == 0)
        return NULL;
    fail_after--;
    return malloc(n);
}
static void *failing_realloc(void *p, size_t n)
{
    if (fail_after == 0)
        return NULL;
    fail_after--;
    return realloc(p, n);
}

/* Every allocation failure yields MAILPARSE_E_NOMEM and leaks nothing (the sanitizer build
 * checks the leaks), whichever allocation fails. */
static void out_of_memory_anywhere_is_reported_cleanly(void **state)
{
    (void)state;
    size_t len;
    unsigned char *data = load_data("messages/nested_message.eml", &len);
    int succeeded = 0;
    for (size_t limit = 0; limit < 2000 && !succeeded; limit++) {
        fail_after = limit;
        mailparse_set_allocator(failing_malloc, failing_realloc, free);
        mailparse_message *m = NULL;
        int rc = mailparse_parse(data, len, NULL, &m);
        mailparse_set_allocator(NULL, NULL, NULL);
        if (rc == 0) {
            succeeded = 1;
            mailparse_message_free(m);
        } else {
            assert_int_equal(rc, MAILPARSE_E_NOMEM);
            assert_null(m);
        }
    }
    assert_true(succeeded);
    free(data);
}

/* An allocator that tracks the peak of live bytes (each block carries its size in front). */
static size_t heap_live, heap_peak;
static void *peak_malloc(size_t n)
{
    size_t *p = malloc(n + sizeof(size_t) * 2);
    if (!p)
        return NULL;
    p[0] = n;
    heap_live += n;
    if (heap_live > heap_peak)
        heap_peak = heap_live;
    return p + 2;
}
static void peak_free(void *q)
{
    if (!q)
        return;
    size_t *p = (size_t *)q - 2;
    heap_live -= p[0];
    free(p);
}
static void *peak_realloc(void *q, size_t n)
{
    if (!q)
        return peak_malloc(n);
    size_t *p = (size_t *)q - 2;
    size_t old = p[0];
    size_t *np = realloc(p, n + sizeof(size_t) * 2);
    if (!np)
        return NULL;
    np[0] = n;
    heap_live = heap_live - old + n;
    if (heap_live > heap_peak)
        heap_peak = heap_live;
    return np + 2;
}

/* A 3 MiB attachment is held once: the decoder's buffer becomes the body, no second copy. */
static void large_attachment_is_decoded_without_a_second_copy(void **state)
{
    (void)state;
    const size_t raw = 3 * 1024 * 1024;
    unsigned char *bin = malloc(raw);
    for (size_t i = 0; i < raw; i++)
        bin[i] = (unsigned char)(i * 2654435761u >> 24);
    char *b64 = NULL;
    size_t b64_len = 0;
    assert_int_equal(mailparse_base64_encode(bin, raw, 76, &b64, &b64_len), 0);
    const char *head = "Content-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n";
    size_t len = strlen(head) + b64_len;
    unsigned char *msg = malloc(len);
    memcpy(msg, head, strlen(head));
    memcpy(msg + strlen(head), b64, b64_len);
    mailparse_free(b64);

    mailparse_options o;
    mailparse_options_init(&o);
    o.flags = MAILPARSE_F_ZERO_COPY;
    heap_live = heap_peak = 0;
    mailparse_set_allocator(peak_malloc, peak_realloc, peak_free);
    mailparse_message *m = NULL;
    assert_int_equal(mailparse_parse(msg, len, &o, &m), 0);
    assert_int_equal(part_at(m, 0)->body_len, raw);
    assert_memory_equal(part_at(m, 0)->body, bin, raw);
    mailparse_message_free(m);
    mailparse_set_allocator(NULL, NULL, NULL);
    /* the decoded body plus the decoder's reserve slack and the arena: well under 2 copies */
    assert_true(heap_peak < raw + raw / 8 + 256 * 1024);
    assert_int_equal(heap_live, 0);
    free(msg);
    free(bin);
}

struct seen {
    mailparse_anomaly_kind kinds[16];
    size_t offsets[16];
    size_t n;
};

static void record(void *user, mailparse_anomaly_kind kind, size_t offset)
{
    struct seen *s = user;
    if (s->n < 16) {
        s->kinds[s->n] = kind;
        s->offsets[s->n] = offset;
    }
    s->n++;
}

static void anomaly_callback_gets_kind_and_offset_in_order(void **state)
{
    (void)state;
    const char *msg = "Subject : x\r\nTo: a@b.example\n\n=?bad\n";
    struct seen s = {{0}, {0}, 0};
    mailparse_options o;
    mailparse_options_init(&o);
    o.anomaly = record;
    o.anomaly_user = &s;
    mailparse_message *m = NULL;
    assert_int_equal(mailparse_parse((const unsigned char *)msg, strlen(msg), &o, &m), 0);
    assert_true(s.n >= 2);
    assert_int_equal(s.kinds[0], MAILPARSE_ANOMALY_HEADER_SPACE_BEFORE_COLON);
    assert_int_equal(s.offsets[0], 7);
    assert_int_equal(s.kinds[1], MAILPARSE_ANOMALY_MIXED_LINE_ENDINGS);
    assert_int_equal(s.offsets[1], strstr(msg, "To:") - msg);
    /* The message keeps the same list. */
    assert_int_equal(mailparse_message_anomaly_count(m), s.n);
    mailparse_anomaly_kind k;
    size_t off;
    assert_int_equal(mailparse_message_anomaly_at(m, 1, &k, &off), 0);
    assert_int_equal(k, MAILPARSE_ANOMALY_MIXED_LINE_ENDINGS);
    mailparse_message_free(m);
}

static void zero_copy_points_into_the_callers_buffer(void **state)
{
    (void)state;
    const unsigned char msg[] = "Subject: zc\n\nbody";
    mailparse_options o;
    mailparse_options_init(&o);
    o.flags = MAILPARSE_F_ZERO_COPY;
    mailparse_message *m = NULL;
    assert_int_equal(mailparse_parse(msg, sizeof msg - 1, &o, &m), 0);
    size_t len;
    assert_ptr_equal(mailparse_message_raw(m, &len), msg);
    assert_ptr_equal(part_at(m, 0)->body, msg + 13);
    mailparse_message_free(m);
    assert_int_equal(mailparse_parse(msg, sizeof msg - 1, NULL, &m), 0);
    assert_ptr_not_equal(mailparse_message_raw(m, &len), msg);
    assert_int_equal(len, sizeof msg - 1);
    mailparse_message_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(version_matches_the_header),
        cmocka_unit_test(every_error_has_a_distinct_message),
        cmocka_unit_test(every_anomaly_kind_has_a_name),
        cmocka_unit_test(null_arguments_are_refused_or_ignored),
        cmocka_unit_test(older_smaller_options_record_is_accepted),
        cmocka_unit_test(allocator_hooks_see_every_allocation),
        cmocka_unit_test(out_of_memory_anywhere_is_reported_cleanly),
        cmocka_unit_test(anomaly_callback_gets_kind_and_offset_in_order),
        cmocka_unit_test(zero_copy_points_into_the_callers_buffer),
        cmocka_unit_test(large_attachment_is_decoded_without_a_second_copy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
