/* test_date_part.c — the date extension's values (RFC 5260): header dates, :zone arguments
 * and the date-parts of §4.2; vectors from the RFC and Pigeonhole's date tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sieve_internal.h"

static sv_datetime parse(const char *s)
{
    sv_datetime t = {0, 0};
    assert_int_equal(sv_date_parse(s, strlen(s), &t), 0);
    return t;
}

static void expect_part(const sv_datetime *t, int zone, const char *part, const char *want)
{
    lm_buf out = LM_BUF_INIT;
    assert_int_equal(sv_date_part(part, strlen(part), t, zone, &out), 0);
    assert_non_null(out.data);
    assert_string_equal(out.data, want);
    lm_buf_free(&out);
}

/* date-parts.svtest: "Date: Mon, 20 Jul 2009 21:44:43 +0300" with :originalzone. */
static void every_part_in_the_original_zone(void **state)
{
    (void)state;
    sv_datetime t = parse("Mon, 20 Jul 2009 21:44:43 +0300");
    assert_int_equal(t.zone_minutes, 180);
    assert_int_equal(t.utc, 1248115483);
    int z = t.zone_minutes;
    expect_part(&t, z, "year", "2009");
    expect_part(&t, z, "month", "07");
    expect_part(&t, z, "day", "20");
    expect_part(&t, z, "date", "2009-07-20");
    expect_part(&t, z, "julian", "55032");
    expect_part(&t, z, "hour", "21");
    expect_part(&t, z, "minute", "44");
    expect_part(&t, z, "second", "43");
    expect_part(&t, z, "time", "21:44:43");
    expect_part(&t, z, "iso8601", "2009-07-20T21:44:43+03:00");
    expect_part(&t, z, "std11", "Mon, 20 Jul 2009 21:44:43 +0300");
    expect_part(&t, z, "zone", "+0300");
    expect_part(&t, z, "weekday", "1");
}

static void part_names_ignore_case(void **state)
{
    (void)state;
    assert_true(sv_date_part_valid("ISO8601", 7));
    assert_true(sv_date_part_valid("Std11", 5));
    assert_true(sv_date_part_valid("weekday", 7));
    assert_false(sv_date_part_valid("week", 4));
    assert_false(sv_date_part_valid("years", 5));
    assert_false(sv_date_part_valid("", 0));
    sv_datetime t = parse("Mon, 20 Jul 2009 21:44:43 +0300");
    expect_part(&t, 180, "YEAR", "2009");
    lm_buf out = LM_BUF_INIT;
    assert_int_equal(sv_date_part("frop", 4, &t, 0, &out), SIEVE_E_INVAL);
    assert_int_equal(out.len, 0);
    lm_buf_free(&out);
}

static void another_zone_shifts_the_time(void **state)
{
    (void)state;
    /* zones.svtest: :zone "+0200" of 21:44:43 +0300 is 20:44:43. */
    sv_datetime t = parse("Mon, 20 Jul 2009 21:44:43 +0300");
    expect_part(&t, 120, "zone", "+0200");
    expect_part(&t, 120, "time", "20:44:43");
    sv_datetime d = parse("Mon, 22 Jul 2009 23:30:14 +0200");
    expect_part(&d, 480, "iso8601", "2009-07-23T05:30:14+08:00");
    expect_part(&d, 480, "date", "2009-07-23");
    expect_part(&d, 480, "weekday", "4");
    expect_part(&d, -570, "iso8601", "2009-07-22T12:00:14-09:30");
    expect_part(&d, -570, "zone", "-0930");
    expect_part(&d, 0, "iso8601", "2009-07-22T21:30:14+00:00");
    expect_part(&d, 0, "std11", "Wed, 22 Jul 2009 21:30:14 +0000");
}

static void julian_is_the_modified_julian_day(void **state)
{
    (void)state;
    sv_datetime t = parse("Mon, 22 Jul 2009 23:30:14 +0300"); /* weekday as written is wrong */
    expect_part(&t, t.zone_minutes, "julian", "55034");
    sv_datetime epoch = {0, 0};
    expect_part(&epoch, 0, "julian", "40587");
    sv_datetime mjd0 = {-3506716800, 0}; /* 1858-11-17 */
    expect_part(&mjd0, 0, "julian", "0");
    expect_part(&mjd0, 0, "date", "1858-11-17");
    expect_part(&mjd0, -60, "julian", "-1");
}

static void weekdays_and_leap_years(void **state)
{
    (void)state;
    sv_datetime t = parse("29 Feb 2000 12:00:00 +0000");
    expect_part(&t, 0, "weekday", "2");
    expect_part(&t, 0, "std11", "Tue, 29 Feb 2000 12:00:00 +0000");
    t = parse("Sun, 1 Jan 1961 00:00:00 -0000");
    expect_part(&t, 0, "weekday", "0");
    expect_part(&t, 0, "std11", "Sun, 01 Jan 1961 00:00:00 +0000");
    t = parse("Sat, 31 Dec 1960 23:59:59 -0000");
    expect_part(&t, 0, "weekday", "6");
}

static void years_0000_to_9999(void **state)
{
    (void)state;
    sv_datetime first = {INT64_C(-62167219200), 0}, last = {INT64_C(253402300799), 0};
    expect_part(&first, 0, "date", "0000-01-01");
    expect_part(&first, 0, "weekday", "6");
    expect_part(&last, 0, "iso8601", "9999-12-31T23:59:59+00:00");
    lm_buf out = LM_BUF_INIT;
    sv_datetime before = {INT64_C(-62167219201), 0}, after = {INT64_C(253402300800), 0};
    assert_int_equal(sv_date_part("year", 4, &before, 0, &out), SIEVE_E_INVAL);
    assert_int_equal(sv_date_part("year", 4, &after, 0, &out), SIEVE_E_INVAL);
    assert_int_equal(sv_date_part("year", 4, &last, 1, &out), SIEVE_E_INVAL); /* shifted past */
    sv_datetime huge = {INT64_MAX, 0}, tiny = {INT64_MIN, 0};
    assert_int_equal(sv_date_part("year", 4, &huge, 5999, &out), SIEVE_E_INVAL);
    assert_int_equal(sv_date_part("year", 4, &tiny, -5999, &out), SIEVE_E_INVAL);
    assert_int_equal(out.len, 0);
    lm_buf_free(&out);
}

static void zone_limits(void **state)
{
    (void)state;
    sv_datetime t = parse("Mon, 20 Jul 2009 21:44:43 +0300");
    expect_part(&t, 5999, "zone", "+9959");
    expect_part(&t, -5999, "zone", "-9959");
    lm_buf out = LM_BUF_INIT;
    assert_int_equal(sv_date_part("zone", 4, &t, 6000, &out), SIEVE_E_INVAL);
    assert_int_equal(sv_date_part("zone", 4, &t, -6000, &out), SIEVE_E_INVAL);
    lm_buf_free(&out);
}

static void invalid_dates_do_not_parse(void **state)
{
    (void)state;
    static const char *const bad[] = {"Moo, 34 Juul 3060 25:30:42 +6600", "", "yesterday",
                                      "Mon, 20 Jul 2009 25:44:43 +0300"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sv_datetime t;
        assert_int_equal(sv_date_parse(bad[i], strlen(bad[i]), &t), SIEVE_E_SYNTAX);
    }
}

static void header_dates_in_common_forms(void **state)
{
    (void)state;
    sv_datetime t = parse(" Mon, 20 Jul 2009 21:44:43 +0300 (EEST)");
    assert_int_equal(t.utc, 1248115483);
    t = parse("20 Jul 09 21:44 EST"); /* obsolete year and zone name */
    assert_int_equal(t.zone_minutes, -300);
    expect_part(&t, t.zone_minutes, "iso8601", "2009-07-20T21:44:00-05:00");
}

static void zone_arguments(void **state)
{
    (void)state;
    int z = 1;
    assert_int_equal(sv_zone_parse("+0100", 5, &z), 0);
    assert_int_equal(z, 60);
    assert_int_equal(sv_zone_parse("-0830", 5, &z), 0);
    assert_int_equal(z, -510);
    assert_int_equal(sv_zone_parse("+0000", 5, &z), 0);
    assert_int_equal(z, 0);
    assert_int_equal(sv_zone_parse("-9959", 5, &z), 0);
    assert_int_equal(z, -5999);
    static const char *const bad[] = {"0100", "+100", "+01000", "+01:00", "+0160", "UTC",
                                      "", "+01a0", " +0100", "++100"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(sv_zone_parse(bad[i], strlen(bad[i]), &z), SIEVE_E_SYNTAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_part_in_the_original_zone),
        cmocka_unit_test(part_names_ignore_case),
        cmocka_unit_test(another_zone_shifts_the_time),
        cmocka_unit_test(julian_is_the_modified_julian_day),
        cmocka_unit_test(weekdays_and_leap_years),
        cmocka_unit_test(years_0000_to_9999),
        cmocka_unit_test(zone_limits),
        cmocka_unit_test(invalid_dates_do_not_parse),
        cmocka_unit_test(header_dates_in_common_forms),
        cmocka_unit_test(zone_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
