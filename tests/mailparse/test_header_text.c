/* test_header_text.c — unstructured field bodies (unfolded, trimmed, RFC 2047 decoded) and
 * comma-separated phrase lists (Keywords, Content-Language). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "anomaly_log.h"
#include "arena_fixture.h"
#include "mp_internal.h"

static anomaly_log logged;

static void expect_text(const char *in, const char *want)
{
    const char *out = NULL;
    size_t n = 0, budget = 100;
    mp_diag d = {anomaly_log_add, &logged, 0};
    memset(&logged, 0, sizeof logged);
    assert_int_equal(mp_parse_unstructured(arena, in, strlen(in), &d, &budget, &out, &n), 0);
    assert_string_equal(out, want);
    assert_int_equal(n, strlen(want));
}

static const mailparse_string_list *list(const char *in)
{
    mailparse_string_list *l = NULL;
    size_t budget = 100;
    mp_diag d = {anomaly_log_add, &logged, 0};
    memset(&logged, 0, sizeof logged);
    assert_int_equal(mp_parse_text_list(arena, in, strlen(in), &d, &budget, &l), 0);
    assert_non_null(l);
    return l;
}

static void expect_items(const char *in, const char *const *want, size_t n)
{
    const mailparse_string_list *l = list(in);
    assert_int_equal(l->count, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(l->items[i], want[i]);
}

static void unstructured_trimmed_and_unfolded(void **state)
{
    (void)state;
    expect_text("Saying Hello\n", "Saying Hello");
    expect_text(" Fwd: \n\tSaying \n Hello\r\n", "Fwd: Saying Hello");
    expect_text(" from x.y.test\n      by example.net;  21 Nov 1997", "from x.y.test by example.net;  21 Nov 1997");
    expect_text("", "");
    expect_text(" \r\n \t ", "");
}

static void unstructured_decodes_words(void **state)
{
    (void)state;
    expect_text("=?iso-8859-1?q?this=20is=20some=20text?=\r\n", "this is some text");
    expect_text(" this =?iso-8859-1?q?is?= some =?iso-8859-1?q?t?=\n =?iso-8859-1?q?e?= \n "
                "=?iso-8859-1?q?x?=\n =?iso-8859-1?q?t?=\n",
                "this is some text");
    expect_text("Les Communs - =?utf-8?Q?R=C3=A9capitulatif?= de la\r\n =?utf-8?Q?r=C3=A9servation?= 1",
                "Les Communs - R\xc3\xa9" "capitulatif de la r\xc3\xa9servation 1");
    expect_text("[SUSPECTED SPAM]=?utf-8?B?VGhpcyBpcyB0aGUgb3JpZ2luYWwgc3ViamVjdA==?=",
                "[SUSPECTED SPAM] This is the original subject");
    assert_int_equal(anomaly_log_offset(&logged, MAILPARSE_ANOMALY_ENCODED_WORD_IN_WORD), 16);
}

static void unstructured_keeps_broken_words(void **state)
{
    (void)state;
    expect_text(" =? \n", "=?");
    expect_text("=?utf-8? \n", "=?utf-8?");
    assert_int_equal(anomaly_log_offset(&logged, MAILPARSE_ANOMALY_ENCODED_WORD_INVALID), 0);
    expect_text("  =?utf-8?q?x", "=?utf-8?q?x");
    assert_int_equal(anomaly_log_offset(&logged, MAILPARSE_ANOMALY_ENCODED_WORD_INVALID), 2);
}

static void unstructured_raw_utf8_and_8bit(void **state)
{
    (void)state;
    expect_text("\xe3\x83\x8f\xe3\x83\xad\xe3\x83\xbc \n", "\xe3\x83\x8f\xe3\x83\xad\xe3\x83\xbc");
    expect_text("Caf\xe9", "Caf\xc3\xa9");
}

static void unstructured_budget(void **state)
{
    (void)state;
    const char *in = "=?utf-8?q?a?= =?utf-8?q?b?=";
    const char *out;
    size_t budget = 1;
    mp_diag d = {anomaly_log_add, &logged, 0};
    memset(&logged, 0, sizeof logged);
    assert_int_equal(mp_parse_unstructured(arena, in, strlen(in), &d, &budget, &out, NULL), 0);
    assert_string_equal(out, "a =?utf-8?q?b?=");
    assert_int_equal(anomaly_log_offset(&logged, MAILPARSE_ANOMALY_ENCODED_WORD_LIMIT), 14);
}

static void list_splits_on_commas(void **state)
{
    (void)state;
    const char *one[] = {"one item"};
    expect_items(" one item  \n", one, 1);
    const char *two[] = {"simple", "list"};
    expect_items("simple, list\n", two, 2);
    const char *folded[] = {"multi list", "with", "cr lf"};
    expect_items("multi \r\n list, \r\n with, cr lf  \r\n", folded, 3);
}

static void list_decodes_items(void **state)
{
    (void)state;
    const char *want[] = {"this is some text", "in", "a", "list"};
    expect_items("=?iso-8859-1?q?this is some text?=, in, a, list, \n", want, 4);
    const char *ab[] = {"ab", "listed"};
    expect_items("=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=\n , listed\n", ab, 2);
}

static void list_respects_quotes_and_comments(void **state)
{
    (void)state;
    const char *want[] = {"a, b", "c (x, y)", "d"};
    expect_items("\"a, b\", c (x, y), d", want, 3);
}

static void list_drops_empty_items(void **state)
{
    (void)state;
    const char *want[] = {"x", "y"};
    expect_items(" , ,x,, ,y,", want, 2);
    assert_int_equal(list("")->count, 0);
    assert_int_equal(list(" , ")->count, 0);
}

static void rejects_bad_arguments(void **state)
{
    (void)state;
    const char *out;
    mailparse_string_list *l;
    assert_int_equal(mp_parse_unstructured(NULL, "x", 1, NULL, NULL, &out, NULL), MAILPARSE_E_INVAL);
    assert_int_equal(mp_parse_unstructured(arena, NULL, 1, NULL, NULL, &out, NULL), MAILPARSE_E_INVAL);
    assert_int_equal(mp_parse_text_list(arena, "x", 1, NULL, NULL, NULL), MAILPARSE_E_INVAL);
    assert_int_equal(mp_parse_text_list(NULL, "x", 1, NULL, NULL, &l), MAILPARSE_E_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unstructured_trimmed_and_unfolded),
        cmocka_unit_test(unstructured_decodes_words),
        cmocka_unit_test(unstructured_keeps_broken_words),
        cmocka_unit_test(unstructured_raw_utf8_and_8bit),
        cmocka_unit_test(unstructured_budget),
        cmocka_unit_test(list_splits_on_commas),
        cmocka_unit_test(list_decodes_items),
        cmocka_unit_test(list_respects_quotes_and_comments),
        cmocka_unit_test(list_drops_empty_items),
        cmocka_unit_test(rejects_bad_arguments),
    };
    return cmocka_run_group_tests(tests, arena_setup, arena_teardown);
}
