/* test_ext_date.c — date and currentdate (RFC 5260 §4, §5) with :zone and :originalzone,
 * every date-part, the clock of sieve_callbacks.now, and index (§6): :index and :last on
 * header, address and date. Cases from the RFC and Pigeonhole's tests/extensions/date and
 * tests/extensions/index. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sieve_script_run.h"

static const char dated[] =
    "From: stephan@example.org\r\n"
    "To: sirius@friep.example.com\r\n"
    "Subject: Frop!\r\n"
    "Date: Mon, 20 Jul 2009 21:44:43 +0300\r\n"
    "Delivery-Date: Mon, 22 Jul 2009 23:30:14 +0300\r\n"
    "Invalid-Date: Moo, 34 Juul 3060 25:30:42 +6600\r\n"
    "\r\n"
    "Wanna date?\r\n";

static const char indexed[] =
    "To: first@friep.example.com\r\n"
    "X-A: First\r\n"
    "Received: from mx.example.com (127.0.0.13) by mx.example.org\r\n"
    " (127.0.0.12) with Macrosoft SMTP Server (TLS) id 1.2.3.4;\r\n"
    " Wed, 12 Nov 2014 18:18:31 +0100\r\n"
    "To: second@friep.example.com\r\n"
    "From: stephan@example.org\r\n"
    "Received: from mx.example.com (127.0.0.13) by mx.example.org\r\n"
    " (127.0.0.12) with Macrosoft SMTP Server (TLS) id 1.2.3.4;\r\n"
    " Wed, 12 Nov 2014 18:18:30 +0100\r\n"
    "X-A: Second\r\n"
    "To: third@friep.example.com\r\n"
    "X-A: Third\r\n"
    "Received: from mx.example.com (127.0.0.13) by mx.example.org\r\n"
    " (127.0.0.12) with Macrosoft SMTP Server (TLS) id 1.2.3.4;\r\n"
    " Wed, 12 Nov 2014 18:18:29 +0100\r\n"
    "Subject: Frop!\r\n"
    "X-A: Fourth\r\n"
    "To: fourth@friep.example.com\r\n"
    "Received: from mx.example.com (127.0.0.13) by mx.example.org\r\n"
    " (127.0.0.12) with Macrosoft SMTP Server (TLS) id 1.2.3.4;\r\n"
    " Wed, 12 Nov 2014 18:18:28 +0100\r\n"
    "\r\n"
    "Frop\r\n";

static const char *on(const char *msg, const char *test)
{
    static char script[4096], out[1024];
    snprintf(script, sizeof script,
             "require [\"date\", \"index\", \"relational\", \"comparator-i;ascii-numeric\", "
             "\"variables\", \"subaddress\"];\nif %s { discard; }",
             test);
    int rc = st_run_on(script, msg, out, sizeof out);
    if (rc)
        fprintf(stderr, "on: %s: %s\n", sieve_strerror(rc), st_error);
    assert_int_equal(rc, 0);
    return strstr(out, "discard;") ? "yes" : "no";
}

static void date_parts_in_the_original_zone(void **state)
{
    (void)state;
    static const char *const yes[] = {
        "date :originalzone \"date\" \"year\" \"2009\"",
        "date :originalzone \"date\" \"month\" \"07\"",
        "date :originalzone \"date\" \"day\" \"20\"",
        "date :originalzone \"date\" \"date\" \"2009-07-20\"",
        "date :originalzone \"date\" \"julian\" \"55032\"",
        "date :originalzone \"delivery-date\" \"julian\" \"55034\"",
        "date :originalzone \"date\" \"hour\" \"21\"",
        "date :originalzone \"date\" \"minute\" \"44\"",
        "date :originalzone \"date\" \"second\" \"43\"",
        "date :originalzone \"date\" \"time\" \"21:44:43\"",
        "date :originalzone \"date\" \"iso8601\" \"2009-07-20T21:44:43+03:00\"",
        "date :originalzone \"date\" \"std11\" \"Mon, 20 Jul 2009 21:44:43 +0300\"",
        "date :originalzone \"date\" \"zone\" \"+0300\"",
        "date :originalzone \"date\" \"weekday\" \"1\"",
        /* The default comparator is i;ascii-casemap, the default match :is. */
        "date :originalzone \"date\" \"std11\" \"mon, 20 jul 2009 21:44:43 +0300\"",
        "date :originalzone :value \"ge\" \"delivery-date\" \"date\" \"2009-07-22\"",
        "date :originalzone :value \"le\" \"delivery-date\" \"date\" \"2009-07-23\"",
        "date :count \"eq\" \"date\" \"date\" \"1\"",
        "date :count \"eq\" \"resent-date\" \"date\" \"0\"",
    };
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        if (strcmp(on(dated, yes[i]), "yes") != 0)
            fail_msg("false: %s", yes[i]);
    assert_string_equal(on(dated, "date \"date\" \"std11\" \"Mon\""), "no");
    assert_string_equal(on(dated, "date \"date\" \"std11\" \"*\""), "no");
    assert_string_equal(on(dated, "date :originalzone :value \"gt\" \"delivery-date\" \"date\" "
                                  "\"2009-07-22\""), "no");
}

static void zone_shifts_and_the_local_zone(void **state)
{
    (void)state;
    assert_string_equal(on(dated, "date :zone \"+0200\" \"date\" \"zone\" \"+0200\""), "yes");
    assert_string_equal(on(dated, "date :zone \"+0200\" \"date\" \"time\" \"20:44:43\""), "yes");
    assert_string_equal(on(dated, "date :zone \"-0830\" \"date\" \"iso8601\" "
                                  "\"2009-07-20T10:14:43-08:30\""), "yes");
    /* Without a zone: the local zone, here the caller's. */
    st_opts.local_zone = "+0800";
    assert_string_equal(on(dated, "date \"delivery-date\" \"iso8601\" "
                                  "\"2009-07-23T04:30:14+08:00\""), "yes");
    st_opts.local_zone = "-0100";
    assert_string_equal(on(dated, "date \"date\" \"zone\" \"-0100\""), "yes");
    st_opts.local_zone = NULL;
}

static void a_date_that_does_not_parse_has_no_value(void **state)
{
    (void)state;
    assert_string_equal(on(dated, "date :matches \"invalid-date\" \"std11\" \"*\""), "no");
    assert_string_equal(on(dated, "date :count \"eq\" \"invalid-date\" \"date\" \"0\""), "yes");
    assert_string_equal(on(dated, "date :matches \"subject\" \"date\" \"*\""), "no");
}

static void received_gives_the_date_after_its_semicolon(void **state)
{
    (void)state;
    /* The first field of the name counts unless :index says otherwise. */
    assert_string_equal(on(indexed, "date \"received\" \"second\" \"31\""), "yes");
    assert_string_equal(on(indexed, "date \"received\" \"second\" [\"30\", \"29\", \"28\"]"),
                        "no");
    assert_string_equal(on(indexed, "date :index 1 :last \"received\" \"second\" \"28\""), "yes");
    assert_string_equal(on(indexed, "date :index 2 \"received\" \"second\" \"30\""), "yes");
    assert_string_equal(on(indexed, "date :index 5 \"received\" \"second\" \"30\""), "no");
}

static void index_picks_one_occurrence(void **state)
{
    (void)state;
    assert_string_equal(on(indexed, "header :index 3 \"x-a\" \"Third\""), "yes");
    assert_string_equal(on(indexed, "header :index 3 \"x-a\" [\"First\", \"Second\", \"Fourth\"]"),
                        "no");
    assert_string_equal(on(indexed, "header :index 3 :last \"x-a\" \"Second\""), "yes");
    assert_string_equal(on(indexed, "header :index 1 :last \"x-a\" \"Fourth\""), "yes");
    assert_string_equal(on(indexed, "header :index 4 :last \"x-a\" \"First\""), "yes");
    assert_string_equal(on(indexed, "header :index 5 \"x-a\" \"First\""), "no");
    assert_string_equal(on(indexed, "header :index 5 :last \"x-a\" \"First\""), "no");
    assert_string_equal(on(indexed, "address :localpart :index 2 \"to\" \"second\""), "yes");
    assert_string_equal(on(indexed, "address :localpart :index 2 \"to\" [\"first\", \"third\"]"),
                        "no");
    assert_string_equal(on(indexed, "address :localpart :index 2 :last \"to\" \"third\""), "yes");
    /* Each name of the list is counted on its own. */
    assert_string_equal(on(indexed, "header :index 2 [\"x-a\", \"subject\"] \"Second\""), "yes");
    assert_string_equal(on(indexed, "header :count \"eq\" :index 2 \"x-a\" \"1\""), "yes");
}

static void index_errors(void **state)
{
    (void)state;
    static const char pre[] = "require [\"date\", \"index\"];\n";
    char s[512];
    static const char *const ok[] = {
        "if header :last :index 2 \"to\" \"ok\" { }",
        "if header :index 444 :last \"to\" \"ok\" { }",
    };
    static const char *const bad[] = {
        "if header :index \"to\" \"ok\" {}",
        "if header :index :last \"to\" \"ok\" {}",
        "if header :index \"frop\" \"to\" \"ok\" {}",
        "if header :last \"to\" \"ok\" {}",
        "if header :index 0 \"to\" \"ok\" {}",
        "if header :index 0 :last \"to\" \"ok\" {}",
        "if address :last \"to\" \"ok\" {}",
        "if date :last \"date\" \"year\" \"2000\" {}",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        snprintf(s, sizeof s, "%s%s", pre, ok[i]);
        assert_int_equal(st_compile_errors(s), 0);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(s, sizeof s, "%s%s", pre, bad[i]);
        if (st_compile_errors(s) == 0)
            fail_msg("compiled: %s", bad[i]);
    }
    /* :index needs "index". */
    assert_true(st_compile_errors("if header :index 1 \"to\" \"x\" {}") >= 1);
}

static void date_errors(void **state)
{
    (void)state;
    assert_true(st_compile_errors("if date \"date\" \"year\" \"2000\" {}") >= 1);
    assert_true(st_compile_errors("require \"date\"; if date \"date\" \"yearly\" \"2000\" {}") >= 1);
    assert_true(st_compile_errors("require \"date\"; if date :zone \"0100\" \"date\" \"year\" "
                                  "\"2000\" {}") >= 1);
    assert_true(st_compile_errors("require \"date\"; if date :zone \"+0100\" :originalzone "
                                  "\"date\" \"year\" \"2000\" {}") >= 1);
    assert_true(st_compile_errors("require \"date\"; if currentdate :originalzone \"year\" "
                                  "\"2000\" {}") >= 1);
    assert_true(st_compile_errors("require \"date\"; if date \"date\" \"year\" {}") >= 1);
}

static int64_t fixed_now(void *user)
{
    ++*(int *)user;
    return INT64_C(1234567890); /* 2009-02-13T23:31:30Z, a Friday */
}

static void currentdate_reads_the_callers_clock_once(void **state)
{
    (void)state;
    int calls = 0;
    sieve_callbacks cb;
    sieve_callbacks_init(&cb);
    cb.user = &calls;
    cb.now = fixed_now;
    st_opts.callbacks = &cb;
    st_opts.local_zone = "+0000";
    assert_string_equal(on(dated, "allof (currentdate \"iso8601\" \"2009-02-13T23:31:30+00:00\", "
                                  "currentdate \"weekday\" \"5\", "
                                  "currentdate :zone \"+0100\" \"date\" \"2009-02-14\", "
                                  "currentdate :zone \"+0100\" \"zone\" \"+0100\")"),
                        "yes");
    assert_int_equal(calls, 1); /* RFC 5260 §5: one moment for the whole run */
    assert_string_equal(on(dated, "currentdate :value \"lt\" \"date\" \"2009-02-13\""), "no");
    st_opts.callbacks = NULL;
    st_opts.local_zone = NULL;
    /* The system clock otherwise: some year after 2020. */
    assert_string_equal(on(dated, "currentdate :value \"ge\" \"year\" \"2020\""), "yes");
    assert_string_equal(on(dated, "currentdate :matches \"zone\" \"*\""), "yes");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(date_parts_in_the_original_zone),
        cmocka_unit_test(zone_shifts_and_the_local_zone),
        cmocka_unit_test(a_date_that_does_not_parse_has_no_value),
        cmocka_unit_test(received_gives_the_date_after_its_semicolon),
        cmocka_unit_test(index_picks_one_occurrence),
        cmocka_unit_test(index_errors),
        cmocka_unit_test(date_errors),
        cmocka_unit_test(currentdate_reads_the_callers_clock_once),
    };
    return cmocka_run_group_tests(tests, st_setup, st_teardown);
}
