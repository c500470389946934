/* test_date.c — date-time parsing (RFC 5322 §3.3, §4.3 and common broken forms) and formatting. */
#include "test_util.h"

#include "mp_internal.h"

typedef struct {
    int count;
    mailparse_anomaly_kind last;
} anomalies;

static void record(void *user, mailparse_anomaly_kind kind, size_t offset)
{
    anomalies *a = user;
    (void)offset;
    a->count++;
    a->last = kind;
}

static mailparse_date parse_ok(const char *s)
{
    mailparse_date d;
    memset(&d, 0x55, sizeof d);
    assert_int_equal(mailparse_parse_date(s, strlen(s), &d), 0);
    return d;
}

static void assert_fields(mailparse_date d, int y, int mo, int da, int h, int mi, int s, int off)
{
    assert_int_equal(d.year, y);
    assert_int_equal(d.month, mo);
    assert_int_equal(d.day, da);
    assert_int_equal(d.hour, h);
    assert_int_equal(d.minute, mi);
    assert_int_equal(d.second, s);
    assert_int_equal(d.offset_minutes, off);
}

static void assert_syntax(const char *s)
{
    mailparse_date d;
    assert_int_equal(mailparse_parse_date(s, strlen(s), &d), MAILPARSE_E_SYNTAX);
}

static void rfc5322_date_with_day_name(void **state)
{
    (void)state;
    mailparse_date d = parse_ok("Tue, 1 Jul 2003 10:52:37 +0200");
    assert_fields(d, 2003, 7, 1, 10, 52, 37, 120);
    assert_int_equal(d.timestamp, 1057049557);
}

static void negative_zone_and_epoch(void **state)
{
    (void)state;
    mailparse_date d = parse_ok("Thu, 1 Jan 1970 00:00:00 +0000");
    assert_int_equal(d.timestamp, 0);
    d = parse_ok("Wed, 31 Dec 1969 23:00:00 -0100");
    assert_int_equal(d.timestamp, 0);
    assert_int_equal(d.offset_minutes, -60);
    d = parse_ok("Tue, 30 Dec 1969 23:32:54 -0330");
    assert_int_equal(d.offset_minutes, -210);
}

static void day_name_is_optional_and_seconds_too(void **state)
{
    (void)state;
    assert_fields(parse_ok("1 Jul 2003 10:52 +0200"), 2003, 7, 1, 10, 52, 0, 120);
}

static void comments_and_folding_anywhere(void **state)
{
    (void)state;
    assert_fields(parse_ok("Thu,\n   13\n  Feb\n    1969\n  23:32\n  -0330 (Newfoundland Time)\n"),
                  1969, 2, 13, 23, 32, 0, -210);
    assert_fields(parse_ok("Tue, 1 Jul 2003 ((tricky)\n comment) 10:52:37 +0200"),
                  2003, 7, 1, 10, 52, 37, 120);
    assert_fields(parse_ok("Tue, 1 Jul 2003 10 : 52 : 37 +0200"), 2003, 7, 1, 10, 52, 37, 120);
}

static void two_and_three_digit_years(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("21 Nov 97 09:55:06 GMT").year, 1997);
    assert_int_equal(parse_ok("21 Nov 49 09:55:06 GMT").year, 2049);
    assert_int_equal(parse_ok("21 Nov 50 09:55:06 GMT").year, 1950);
    assert_int_equal(parse_ok("21 Nov 103 09:55:06 GMT").year, 2003);
    assert_syntax("21 Nov 9 09:55:06 GMT");
}

static void obsolete_forms_are_reported(void **state)
{
    (void)state;
    anomalies a = {0, 0};
    mp_diag d = {record, &a, 0};
    mailparse_date out;
    assert_int_equal(mp_parse_date("21 Nov 97 09:55:06 EST", 22, &out, &d), 0);
    assert_int_equal(a.last, MAILPARSE_ANOMALY_DATE_OBSOLETE);
    assert_int_equal(a.count, 2);
    a.count = 0;
    assert_int_equal(mp_parse_date("21 Nov 1997 09:55:06 +0000", 26, &out, &d), 0);
    assert_int_equal(a.count, 0);
    assert_int_equal(mp_parse_date("garbage", 7, &out, &d), MAILPARSE_E_SYNTAX);
    assert_int_equal(a.last, MAILPARSE_ANOMALY_DATE_INVALID);
}

static void zone_names(void **state)
{
    (void)state;
    static const struct {
        const char *zone;
        int minutes;
    } zones[] = {{"UT", 0},        {"GMT", 0},       {"EST", -300}, {"EDT", -240},
                 {"CST", -360},    {"CDT", -300},    {"MST", -420}, {"MDT", -360},
                 {"PST", -480},    {"PDT", -420},    {"A", 0},      {"z", 0},
                 {"ZZZZ", 0},      {"EST5EDT", -300}, {"utc", 0}};
    for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
        char buf[64];
        snprintf(buf, sizeof buf, "Sun, 27 Oct 2002 23:57:07 %s", zones[i].zone);
        assert_int_equal(parse_ok(buf).offset_minutes, zones[i].minutes);
    }
}

static void missing_zone_is_minus_zero(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("30 Apr 2003 15:06:29").offset_minutes, 0);
}

static void month_names_any_case_and_numeric(void **state)
{
    (void)state;
    static const char *const names[] = {"jan", "FEB", "Mar", "apr", "MAY", "jun",
                                        "Jul", "aug", "Sep", "oct", "Nov", "DEC"};
    for (int i = 0; i < 12; i++) {
        char buf[64];
        snprintf(buf, sizeof buf, "1 %s 2021 09:55:06 +0200", names[i]);
        assert_int_equal(parse_ok(buf).month, i + 1);
    }
    assert_int_equal(parse_ok("20 11 (x) 79 05:34:27 -0300").month, 11);
    assert_int_equal(parse_ok("1 July 2021 09:55:06 +0200").month, 7);
    assert_syntax("13 zzz 2021 09:55:06 +0200");
    assert_syntax("Tue, 7 00 2026 19:14:51 +0000");
    assert_syntax("Tue, 7 13 2026 19:14:51 +0000");
}

static void range_checks_are_syntax_errors(void **state)
{
    (void)state;
    assert_syntax("0 Jan 2021 09:55:06 +0200");
    assert_syntax("32 Jan 2021 09:55:06 +0200");
    assert_syntax("31 Apr 2021 09:55:06 +0200");
    assert_syntax("29 Feb 2021 09:55:06 +0200");
    assert_int_equal(parse_ok("29 Feb 2024 09:55:06 +0200").day, 29);
    assert_int_equal(parse_ok("31 Dec 2021 23:59:60 +0000").second, 60);
    assert_syntax("1 Jan 2021 24:00:00 +0000");
    assert_syntax("1 Jan 2021 23:60:00 +0000");
    assert_syntax("1 Jan 2021 23:59:61 +0000");
    assert_syntax("1 Jan 2021 23:59:59 +2400");
    assert_syntax("1 Jan 2021 23:59:59 +0060");
    assert_int_equal(parse_ok("1 Jan 2021 23:59:59 +2359").offset_minutes, 23 * 60 + 59);
    assert_syntax("1 Jan 12345 23:59:59 +0000");
    assert_syntax("1 Jan 2021 23:59:59 +02");
}

static void received_date_after_last_semicolon(void **state)
{
    (void)state;
    assert_fields(parse_ok("by 2002:aa7::1 with SMTP id b16;\n\tMon, 10 Oct 2022 10:31:15 -0700 (PDT)"),
                  2022, 10, 10, 10, 31, 15, -420);
}

static void asctime_order_is_accepted(void **state)
{
    (void)state;
    assert_fields(parse_ok("Fri Feb  7 10:18:12 2003 -0800"), 2003, 2, 7, 10, 18, 12, -480);
    assert_fields(parse_ok("Fri Sep 14 14:36:56 EDT 2018"), 2018, 9, 14, 14, 36, 56, -240);
}

static void iso8601_is_accepted(void **state)
{
    (void)state;
    mailparse_date d = parse_ok("2023-09-02T04:24:06Z");
    assert_fields(d, 2023, 9, 2, 4, 24, 6, 0);
    assert_int_equal(d.timestamp, 1693628646);
    assert_int_equal(parse_ok("2023-09-02 04:24:06 +02:00").offset_minutes, 120);
}

static void fraction_of_second_is_dropped(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("Thu, 02 Apr 2020 07:53:55.516 +0000").second, 55);
}

static void garbage_is_a_syntax_error(void **state)
{
    (void)state;
    assert_syntax("");
    assert_syntax(" some numbers 0 1 2 but invalid ");
    assert_syntax(" 4 8 15 16 23 42, 4 8 15 16 23 42");
    assert_syntax("Tue, 1 Jul 2003 ((invalid)\ncomment) 10:52:37 +0200");
    assert_syntax("Tue, 7 All 2026 19:14:51 +0000");
    assert_syntax("((((((((((((");
    mailparse_date d;
    assert_int_equal(mailparse_parse_date(NULL, 3, &d), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_parse_date("x", 1, NULL), MAILPARSE_E_INVAL);
}

static void days_from_civil_known_values(void **state)
{
    (void)state;
    assert_int_equal(mp_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(mp_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(mp_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(mp_days_from_civil(0, 1, 1), -719528);
    assert_int_equal(mp_days_from_civil(9999, 12, 31), 2932896);
    assert_int_equal(mp_days_from_civil(-1, 1, 1), -719893);
}

static void format_date_round_trips(void **state)
{
    (void)state;
    char buf[32];
    assert_int_equal(mailparse_format_date(1057049557, 120, buf, sizeof buf), 0);
    assert_string_equal(buf, "Tue, 1 Jul 2003 10:52:37 +0200");
    assert_int_equal(mailparse_format_date(0, -210, buf, sizeof buf), 0);
    assert_string_equal(buf, "Wed, 31 Dec 1969 20:30:00 -0330");
    mailparse_date d = parse_ok(buf);
    assert_int_equal(d.timestamp, 0);
    assert_int_equal(mailparse_format_date(253402300799LL, 0, buf, sizeof buf), 0);
    assert_string_equal(buf, "Fri, 31 Dec 9999 23:59:59 +0000");
}

static void format_date_limits(void **state)
{
    (void)state;
    char buf[32];
    assert_int_equal(mailparse_format_date(0, 0, buf, 31), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_format_date(0, 0, NULL, 32), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_format_date(0, 99 * 60 + 59, buf, 32), 0);
    assert_int_equal(mailparse_format_date(0, 99 * 60 + 60, buf, 32), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_format_date(253402300800LL, 0, buf, 32), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_format_date(-62167219200LL, 0, buf, 32), 0);
    assert_string_equal(buf, "Sat, 1 Jan 0000 00:00:00 +0000");
    assert_int_equal(mailparse_format_date(-62167219201LL, 0, buf, 32), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_format_date(INT64_MAX, 0, buf, 32), MAILPARSE_E_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc5322_date_with_day_name),
        cmocka_unit_test(negative_zone_and_epoch),
        cmocka_unit_test(day_name_is_optional_and_seconds_too),
        cmocka_unit_test(comments_and_folding_anywhere),
        cmocka_unit_test(two_and_three_digit_years),
        cmocka_unit_test(obsolete_forms_are_reported),
        cmocka_unit_test(zone_names),
        cmocka_unit_test(missing_zone_is_minus_zero),
        cmocka_unit_test(month_names_any_case_and_numeric),
        cmocka_unit_test(range_checks_are_syntax_errors),
        cmocka_unit_test(received_date_after_last_semicolon),
        cmocka_unit_test(asctime_order_is_accepted),
        cmocka_unit_test(iso8601_is_accepted),
        cmocka_unit_test(fraction_of_second_is_dropped),
        cmocka_unit_test(garbage_is_a_syntax_error),
        cmocka_unit_test(days_from_civil_known_values),
        cmocka_unit_test(format_date_round_trips),
        cmocka_unit_test(format_date_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
