/* test_limits.c — every parse limit exactly at its value and one past it. */
#include "test_util.h"

static mailparse_message *parse_opts(const char *s, const mailparse_options *o)
{
    mailparse_message *m = NULL;
    assert_int_equal(mailparse_parse((const unsigned char *)s, strlen(s), o, &m), 0);
    return m;
}

/* A message with `n` header fields "X-N: v". */
static char *many_fields(size_t n)
{
    char *s = malloc(n * 16 + 16);
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(s + len, "X-%zu: v\n", i);
    strcpy(s + len, "\nbody\n");
    return s;
}

static void header_count_at_limit_keeps_all_fields(void **state)
{
    (void)state;
    mailparse_options o;
    mailparse_options_init(&o);
    o.max_header_count = 5;
    char *s = many_fields(5);
    mailparse_message *m = parse_opts(s, &o);
    assert_int_equal(mailparse_message_header_count(m), 5);
    assert_false(has_anomaly(m, MAILPARSE_ANOMALY_HEADER_LIMIT));
    mailparse_message_free(m);
    free(s);
}

static void header_count_past_limit_ignores_the_rest(void **state)
{
    (void)state;
    mailparse_options o;
    mailparse_options_init(&o);
    o.max_header_count = 5;
    char *s = many_fields(6);
    mailparse_message *m = parse_opts(s, &o);
    assert_int_equal(mailparse_message_header_count(m), 5);
    assert_true(has_anomaly(m, MAILPARSE_ANOMALY_HEADER_LIMIT));
    assert_string_equal(text_of(m, 0), "body\n");
    mailparse_message_free(m);
    free(s);
}

static void default_header_count_limit_is_1000(void **state)
{
    (void)state;
    char *s = many_fields(1001);
    mailparse_message *m = parse_str(s);
    assert_int_equal(mailparse_message_header_count(m), 1000);
    assert_true(has_anomaly(m, MAILPARSE_ANOMALY_HEADER_LIMIT));
    mailparse_message_free(m);
    free(s);
}

static void header_size_at_limit_is_kept_whole(void **state)
{
    (void)state;
    mailparse_options o;
    mailparse_options_init(&o);
    o.max_header_size = 20; /* "Subject: 0123456789A" is 20 bytes before its line end */
    mailparse_message *m = parse_opts("Subject: 0123456789A\n\n", &o);
    assert_string_equal(mailparse_message_subject(m), "0123456789A");
    assert_false(has_anomaly(m, MAILPARSE_ANOMALY_HEADER_TOO_LONG));
    mailparse_message_free(m);
}

static void header_size_past_limit_is_truncated(void **state)
{
    (void)state;
    mailparse_options o;
    mailparse_options_init(&o);
    o.max_header_size = 20;
    mailparse_message *m = parse_opts("Subject: 0123456789AB\n\n", &o);
    assert_true(has_anomaly(m, MAILPARSE_ANOMALY_HEADER_TOO_LONG));
    assert_string_equal(mailparse_message_subject(m), "0123456789A");
    const mailparse_header *h = mailparse_message_header_at(m, 0);
    assert_int_equal(h->offset_end, strlen("Subject: 0123456789AB\n"));
    mailparse_message_free(m);
}

/* `levels` multiparts nested in each other, with a text part in the innermost. */
static char *nested_multiparts(size_t levels)
{
    char *s = malloc(levels * 120 + 64);
    size_t len = 0;
    for (size_t i = 0; i < levels; i++)
        len += (size_t)sprintf(s + len, "Content-Type: multipart/mixed; boundary=b%zu\n\n--b%zu\n", i, i);
    len += (size_t)sprintf(s + len, "\ninnermost\n");
    for (size_t i = levels; i-- > 0;)
        len += (size_t)sprintf(s + len, "--b%zu--\n", i);
    return s;
}

static void depth_at_limit_is_fully_structured(void **state)
{
    (void)state;
    mailparse_options o;
    mailparse_options_init(&o);
    o.max_depth = 4;
    char *s = nested_multiparts(4);
    mailparse_message *m = parse_opts(s, &o);
    assert_int_equal(mailparse_message_part_count(m), 5);
    assert_int_equal(part_at(m, 3)->kind, MAILPARSE_PART_MULTIPART);
    assert_false(has_anomaly(m, MAILPARSE_ANOMALY_DEPTH_LIMIT));
    mailparse_message_free(m);
    free(s);
}

static void depth_past_limit_keeps_the_deepest_part_opaque(void **state)
{
    (void)state;
    mailparse_options o;
    mailparse_options_init(&o);
    o.max_depth = 4;
    char *s = nested_multiparts(5);
    mailparse_message *m = parse_opts(s, &o);
    assert_int_equal(mailparse_message_part_count(m), 5);
    assert_int_equal(part_at(m, 4)->kind, MAILPARSE_PART_BINARY);
    assert_true(has_anomaly(m, MAILPARSE_ANOMALY_DEPTH_LIMIT));
    mailparse_message_free(m);
    free(s);
}

static void default_depth_limit_holds_against_ten_thousand_levels(void **state)
{
    (void)state;
    char *s = nested_multiparts(10000);
    mailparse_message *m = parse_str(s);
    assert_int_equal(mailparse_message_part_count(m), MAILPARSE_DEFAULT_MAX_DEPTH + 1);
    assert_true(has_anomaly(m, MAILPARSE_ANOMALY_DEPTH_LIMIT));
    mailparse_message_free(m);
    free(s);
}

/* A multipart with `n` children. */
static char *many_parts(size_t n)
{
    char *s = malloc(n * 16 + 64);
    size_t len = (size_t)sprintf(s, "Content-Type: multipart/mixed; boundary=p\n\n");
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(s + len, "--p\n\npart%zu\n", i);
    strcpy(s + len, "--p--\n");
    return s;
}

static void part_count_at_limit_keeps_every_part(void **state)
{
    (void)state;
    mailparse_options o;
    mailparse_options_init(&o);
    o.max_parts = 4;
    char *s = many_parts(3);
    mailparse_message *m = parse_opts(s, &o);
    assert_int_equal(mailparse_message_part_count(m), 4);
    assert_false(has_anomaly(m, MAILPARSE_ANOMALY_PART_LIMIT));
    mailparse_message_free(m);
    free(s);
}

static void part_count_past_limit_keeps_the_rest_as_bytes(void **state)
{
    (void)state;
    mailparse_options o;
    mailparse_options_init(&o);
    o.max_parts = 4;
    char *s = many_parts(5);
    mailparse_message *m = parse_opts(s, &o);
    assert_int_equal(mailparse_message_part_count(m), 4);
    assert_true(has_anomaly(m, MAILPARSE_ANOMALY_PART_LIMIT));
    assert_true(part_at(m, 3)->flags & MAILPARSE_PART_TRUNCATED);
    mailparse_message_free(m);
    free(s);
}

static void encoded_words_past_limit_stay_literal(void **state)
{
    (void)state;
    mailparse_options o;
    mailparse_options_init(&o);
    o.max_encoded_words = 2;
    mailparse_message *m = parse_opts("Subject: =?utf-8?q?a?= =?utf-8?q?b?=\n\n", &o);
    assert_string_equal(mailparse_message_subject(m), "ab");
    assert_false(has_anomaly(m, MAILPARSE_ANOMALY_ENCODED_WORD_LIMIT));
    mailparse_message_free(m);
    m = parse_opts("Subject: =?utf-8?q?a?= =?utf-8?q?b?= =?utf-8?q?c?=\n\n", &o);
    assert_true(has_anomaly(m, MAILPARSE_ANOMALY_ENCODED_WORD_LIMIT));
    assert_non_null(strstr(mailparse_message_subject(m), "=?utf-8?q?c?="));
    mailparse_message_free(m);
}

static void message_size_limit_is_a_hard_error(void **state)
{
    (void)state;
    mailparse_options o;
    mailparse_options_init(&o);
    o.max_message_size = 10;
    mailparse_message *m = NULL;
    assert_int_equal(mailparse_parse((const unsigned char *)"Subject: x", 10, &o, &m), 0);
    mailparse_message_free(m);
    assert_int_equal(mailparse_parse((const unsigned char *)"Subject: xy", 11, &o, &m), MAILPARSE_E_LIMIT);
    assert_null(m);

    mailparse_parser *p = NULL;
    assert_int_equal(mailparse_parser_new(&o, &p), 0);
    assert_int_equal(mailparse_parser_feed(p, (const unsigned char *)"Subject: ", 9), 0);
    assert_int_equal(mailparse_parser_feed(p, (const unsigned char *)"x", 1), 0);
    assert_int_equal(mailparse_parser_feed(p, (const unsigned char *)"y", 1), MAILPARSE_E_LIMIT);
    assert_int_equal(mailparse_parser_finish(p, &m), MAILPARSE_E_LIMIT);
    assert_null(m);
    mailparse_parser_free(p);
}

static void long_lines_are_reported_once_per_part(void **state)
{
    (void)state;
    char *s = malloc(4000);
    strcpy(s, "Subject: x\n\n");
    memset(s + 12, 'a', 999);
    strcpy(s + 12 + 999, "\nshort\n");
    mailparse_message *m = parse_str(s);
    assert_true(has_anomaly(m, MAILPARSE_ANOMALY_LINE_TOO_LONG));
    mailparse_message_free(m);
    s[12 + 998] = '\n';
    m = parse_str(s);
    assert_false(has_anomaly(m, MAILPARSE_ANOMALY_LINE_TOO_LONG));
    mailparse_message_free(m);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(header_count_at_limit_keeps_all_fields),
        cmocka_unit_test(header_count_past_limit_ignores_the_rest),
        cmocka_unit_test(default_header_count_limit_is_1000),
        cmocka_unit_test(header_size_at_limit_is_kept_whole),
        cmocka_unit_test(header_size_past_limit_is_truncated),
        cmocka_unit_test(depth_at_limit_is_fully_structured),
        cmocka_unit_test(depth_past_limit_keeps_the_deepest_part_opaque),
        cmocka_unit_test(default_depth_limit_holds_against_ten_thousand_levels),
        cmocka_unit_test(part_count_at_limit_keeps_every_part),
        cmocka_unit_test(part_count_past_limit_keeps_the_rest_as_bytes),
        cmocka_unit_test(encoded_words_past_limit_stay_literal),
        cmocka_unit_test(message_size_limit_is_a_hard_error),
        cmocka_unit_test(long_lines_are_reported_once_per_part),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
