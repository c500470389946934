/* test_edit_apply.c — sieve_result_apply_edits(): editheader's edits (RFC 5293) written into a
 * message's text the way a delivery stores it, for the whole run and for one action's share,
 * and its argument checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sieve_script_run.h"

static const char msg[] =
    "Received: from a\r\n"
    "X-Tag: one\r\n"
    "Subject: folded\r\n"
    " on two lines\r\n"
    "X-Tag: two\r\n"
    "\r\n"
    "Body line\r\n"
    "X-Tag: not a field\r\n";

/* The message with edits [first, end) of `script`'s run made, or "error N". */
static char got[1024];

static const char *edited(const char *script, size_t first, size_t end)
{
    sieve_result *r = NULL;
    int rc = st_run_result(script, msg, NULL, &r);
    unsigned char *out = NULL;
    size_t len = 0;
    if (!rc) {
        size_t n = sieve_result_edit_count(r);
        rc = sieve_result_apply_edits(r, first > n ? n : first, end > n ? n : end, msg,
                                      strlen(msg), &out, &len);
    }
    if (rc)
        snprintf(got, sizeof got, "error %d", rc);
    else {
        assert_int_equal(strlen((char *)out), len);
        snprintf(got, sizeof got, "%s", (char *)out);
    }
    sieve_free(out);
    sieve_result_free(r);
    return got;
}

#define E "require \"editheader\";\n"

static void no_edits_give_the_message_as_it_is(void **state)
{
    (void)state;
    assert_string_equal(edited("keep;", 0, 0), msg);
}

static void added_fields_go_on_top_or_at_the_end(void **state)
{
    (void)state;
    assert_string_equal(edited(E "addheader \"X-A\" \"1\"; addheader :last \"X-Z\" \"2\";", 0, 9),
                        "X-A: 1\r\n"
                        "Received: from a\r\nX-Tag: one\r\nSubject: folded\r\n on two lines\r\n"
                        "X-Tag: two\r\nX-Z: 2\r\n\r\nBody line\r\nX-Tag: not a field\r\n");
}

static void deleted_fields_go_with_their_continuation_lines(void **state)
{
    (void)state;
    assert_string_equal(edited(E "deleteheader \"subject\"; deleteheader :index 2 \"X-Tag\";", 0, 9),
                        "Received: from a\r\nX-Tag: one\r\n\r\nBody line\r\nX-Tag: not a field\r\n");
    /* The body's "X-Tag:" line is no field; Received is never deleted (RFC 5293 §7). */
    assert_string_equal(edited(E "deleteheader \"x-tag\"; deleteheader \"received\";", 0, 9),
                        "Received: from a\r\nSubject: folded\r\n on two lines\r\n\r\n"
                        "Body line\r\nX-Tag: not a field\r\n");
}

static void an_edit_sees_the_header_the_edits_before_left(void **state)
{
    (void)state;
    /* The added X-Tag is the first now: deleting the first of them removes it again. */
    assert_string_equal(edited(E "addheader \"X-Tag\" \"zero\"; deleteheader :index 1 \"X-Tag\";",
                               0, 9), msg);
}

static void a_range_of_edits_is_one_actions_share(void **state)
{
    (void)state;
    const char *s = E "addheader \"X-A\" \"1\"; addheader \"X-B\" \"2\";";
    assert_string_equal(edited(s, 0, 1), "X-A: 1\r\n" "Received: from a\r\nX-Tag: one\r\n"
                        "Subject: folded\r\n on two lines\r\nX-Tag: two\r\n\r\n"
                        "Body line\r\nX-Tag: not a field\r\n");
    assert_string_equal(edited(s, 1, 2), "X-B: 2\r\n" "Received: from a\r\nX-Tag: one\r\n"
                        "Subject: folded\r\n on two lines\r\nX-Tag: two\r\n\r\n"
                        "Body line\r\nX-Tag: not a field\r\n");
}

static void a_message_without_a_body_gets_the_fields_alone(void **state)
{
    (void)state;
    sieve_result *r = NULL;
    assert_int_equal(st_run_result(E "addheader :last \"X-A\" \"1\";", NULL, NULL, &r), 0);
    unsigned char *out = NULL;
    size_t len = 0;
    static const char bare[] = "Subject: x\r\n";
    assert_int_equal(sieve_result_apply_edits(r, 0, 1, bare, strlen(bare), &out, &len), 0);
    assert_string_equal((char *)out, "Subject: x\r\nX-A: 1\r\n");
    sieve_free(out);
    assert_int_equal(sieve_result_apply_edits(r, 0, 1, NULL, 0, &out, &len), 0);
    assert_string_equal((char *)out, "X-A: 1\r\n");
    sieve_free(out);
    sieve_result_free(r);
}

static void bad_ranges_are_refused(void **state)
{
    (void)state;
    sieve_result *r = NULL;
    assert_int_equal(st_run_result(E "addheader \"X-A\" \"1\";", NULL, NULL, &r), 0);
    unsigned char *out = (unsigned char *)"x";
    assert_int_equal(sieve_result_apply_edits(r, 0, 2, msg, strlen(msg), &out, NULL),
                     SIEVE_E_INVAL);
    assert_null(out);
    assert_int_equal(sieve_result_apply_edits(r, 1, 0, msg, strlen(msg), &out, NULL),
                     SIEVE_E_INVAL);
    assert_int_equal(sieve_result_apply_edits(r, 0, 1, NULL, 3, &out, NULL), SIEVE_E_INVAL);
    assert_int_equal(sieve_result_apply_edits(r, 0, 1, msg, strlen(msg), NULL, NULL),
                     SIEVE_E_INVAL);
    sieve_result_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_edits_give_the_message_as_it_is),
        cmocka_unit_test(added_fields_go_on_top_or_at_the_end),
        cmocka_unit_test(deleted_fields_go_with_their_continuation_lines),
        cmocka_unit_test(an_edit_sees_the_header_the_edits_before_left),
        cmocka_unit_test(a_range_of_edits_is_one_actions_share),
        cmocka_unit_test(a_message_without_a_body_gets_the_fields_alone),
        cmocka_unit_test(bad_ranges_are_refused),
    };
    return cmocka_run_group_tests(tests, st_setup, st_teardown);
}
