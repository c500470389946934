/* test_header_values.c — the values arena and the public standalone header value parsers. */
#include "test_util.h"

static void values_new_and_free(void **state)
{
    (void)state;
    mailparse_values *v = NULL;
    assert_int_equal(mailparse_values_new(&v), 0);
    assert_non_null(v);
    mailparse_values_free(v);
    mailparse_values_free(NULL);
    assert_int_equal(mailparse_values_new(NULL), MAILPARSE_E_INVAL);
}

static void values_outlive_each_call(void **state)
{
    (void)state;
    mailparse_values *v = NULL;
    assert_int_equal(mailparse_values_new(&v), 0);
    const mailparse_address_list *a = NULL, *b = NULL;
    assert_int_equal(mailparse_parse_addresses(v, "x@y.z", 5, NULL, NULL, &a), 0);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(mailparse_parse_addresses(v, "Big Name <big@name.example>", 27, NULL, NULL, &b), 0);
    assert_string_equal(a->items[0].address, "x@y.z");
    assert_string_equal(b->items[0].name, "Big Name");
    mailparse_values_free(v);
}

static int anomaly_count;
static void count(void *user, mailparse_anomaly_kind kind, size_t offset)
{
    (void)user;
    (void)kind;
    (void)offset;
    anomaly_count++;
}

static void anomaly_callback_gets_offsets_in_the_input(void **state)
{
    (void)state;
    mailparse_values *v = NULL;
    assert_int_equal(mailparse_values_new(&v), 0);
    const mailparse_address_list *a = NULL;
    anomaly_count = 0;
    assert_int_equal(mailparse_parse_addresses(v, "a@b c@d", 7, count, NULL, &a), 0);
    assert_int_equal(anomaly_count, 1);
    assert_int_equal(a->count, 2);
    mailparse_values_free(v);
}

static void date_wrapper(void **state)
{
    (void)state;
    mailparse_date d;
    assert_int_equal(mailparse_parse_date("1 Jan 2000 00:00:00 +0000", 25, &d), 0);
    assert_int_equal(d.timestamp, 946684800);
    assert_int_equal(mailparse_parse_date("nope", 4, &d), MAILPARSE_E_SYNTAX);
    assert_int_equal(mailparse_parse_date(NULL, 0, &d), MAILPARSE_E_SYNTAX);
}

static void input_is_length_bounded(void **state)
{
    (void)state;
    mailparse_values *v = NULL;
    assert_int_equal(mailparse_values_new(&v), 0);
    const mailparse_string_list *l = NULL;
    const char buf[] = {'<', 'a', '@', 'b', '>', '<', 'c', '@', 'd', '>'};
    assert_int_equal(mailparse_parse_ids(v, buf, 5, &l), 0);
    assert_int_equal(l->count, 1);
    mailparse_values_free(v);
}

static void every_wrapper_rejects_null_values(void **state)
{
    (void)state;
    const mailparse_address_list *a;
    const mailparse_string_list *l;
    const mailparse_content_type *ct;
    const mailparse_received *r;
    assert_int_equal(mailparse_parse_addresses(NULL, "", 0, NULL, NULL, &a), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_parse_ids(NULL, "", 0, &l), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_parse_urls(NULL, "", 0, &l), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_parse_content_type(NULL, "", 0, NULL, NULL, &ct), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_parse_received(NULL, "", 0, &r), MAILPARSE_E_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(values_new_and_free),
        cmocka_unit_test(values_outlive_each_call),
        cmocka_unit_test(anomaly_callback_gets_offsets_in_the_input),
        cmocka_unit_test(date_wrapper),
        cmocka_unit_test(input_is_length_bounded),
        cmocka_unit_test(every_wrapper_rejects_null_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
