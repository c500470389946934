/* date_part.c — the values of the date extension (RFC 5260): dates read from header fields
 * with libmailparse's RFC 5322 date parser, :zone arguments (§4.1), and the date-parts of
 * §4.2 shown in a given zone. */
#include "sieve_internal.h"

#include "mailparse.h"

#include "lm_ascii.h"

#include <stdio.h>

/* 0000-01-01T00:00:00 and 9999-12-31T23:59:59 in seconds since the epoch: the years a
 * date-part can show in four digits. */
#define MIN_TIME INT64_C(-62167219200)
#define MAX_TIME INT64_C(253402300799)
/* Days from 1858-11-17 (the Modified Julian Day epoch) to 1970-01-01. */
#define MJD_UNIX_EPOCH 40587
#define MAX_ZONE (99 * 60 + 59)

int sv_date_parse(const char *s, size_t len, sv_datetime *out)
{
    if ((!s && len) || !out)
        return SIEVE_E_INVAL;
    mailparse_date d;
    if (!s || mailparse_parse_date(s, len, &d))
        return SIEVE_E_SYNTAX;
    out->utc = d.timestamp;
    out->zone_minutes = d.offset_minutes;
    return 0;
}

int sv_zone_parse(const char *s, size_t len, int *zone_minutes)
{
    /* zone = ( "+" / "-" ) 4DIGIT: hours then minutes (RFC 5260 §4.1, RFC 5322 §3.3). */
    if (!s || len != 5 || (s[0] != '+' && s[0] != '-'))
        return SIEVE_E_SYNTAX;
    for (size_t i = 1; i < 5; i++)
        if (!lm_is_digit((unsigned char)s[i]))
            return SIEVE_E_SYNTAX;
    int hours = (s[1] - '0') * 10 + (s[2] - '0');
    int minutes = (s[3] - '0') * 10 + (s[4] - '0');
    if (minutes > 59)
        return SIEVE_E_SYNTAX;
    if (zone_minutes)
        *zone_minutes = (s[0] == '-' ? -1 : 1) * (hours * 60 + minutes);
    return 0;
}

enum {
    DP_YEAR, DP_MONTH, DP_DAY, DP_DATE, DP_JULIAN, DP_HOUR, DP_MINUTE, DP_SECOND, DP_TIME,
    DP_ISO8601, DP_STD11, DP_ZONE, DP_WEEKDAY
};

static const char *const part_names[] = {
    [DP_YEAR] = "year",       [DP_MONTH] = "month",   [DP_DAY] = "day",
    [DP_DATE] = "date",       [DP_JULIAN] = "julian", [DP_HOUR] = "hour",
    [DP_MINUTE] = "minute",   [DP_SECOND] = "second", [DP_TIME] = "time",
    [DP_ISO8601] = "iso8601", [DP_STD11] = "std11",   [DP_ZONE] = "zone",
    [DP_WEEKDAY] = "weekday",
};
#define NPARTS (sizeof part_names / sizeof part_names[0])

static int find_part(const char *part, size_t len)
{
    if (!part)
        return -1;
    for (size_t i = 0; i < NPARTS; i++)
        if (lm_eq_nocase(part, len, part_names[i]))
            return (int)i;
    return -1;
}

int sv_date_part_valid(const char *part, size_t len) { return find_part(part, len) >= 0; }

/* A day count since 1970-01-01 as a proleptic Gregorian date (the 400-year-era method). */
static void civil_from_days(int64_t days, int *year, int *month, int *day)
{
    days += 719468; /* from 0000-03-01, so that a leap day ends each year */
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t doe = days - era * 146097;                                 /* 0 .. 146096 */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* 0 .. 399 */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);             /* 0 .. 365 */
    int64_t mp = (5 * doy + 2) / 153;                                  /* March = 0 */
    *day = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = (int)(yoe + era * 400 + (*month <= 2));
}

static int64_t floor_div(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

int sv_date_part(const char *part, size_t len, const sv_datetime *t, int zone_minutes,
                 lm_buf *out)
{
    static const char *const weekdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int which = find_part(part, len);
    if (which < 0 || !t || !out || zone_minutes < -MAX_ZONE || zone_minutes > MAX_ZONE ||
        t->utc < MIN_TIME - MAX_ZONE * 60 || t->utc > MAX_TIME + MAX_ZONE * 60)
        return SIEVE_E_INVAL;
    int64_t local = t->utc + (int64_t)zone_minutes * 60;
    if (local < MIN_TIME || local > MAX_TIME)
        return SIEVE_E_INVAL;
    int64_t days = floor_div(local, 86400), secs = local - days * 86400;
    int y, mo, d;
    civil_from_days(days, &y, &mo, &d);
    int h = (int)(secs / 3600), mi = (int)(secs / 60 % 60), s = (int)(secs % 60);
    int wd = (int)((days % 7 + 11) % 7); /* 1970-01-01 was a Thursday (4) */
    char sign = zone_minutes < 0 ? '-' : '+';
    int zh = (zone_minutes < 0 ? -zone_minutes : zone_minutes) / 60;
    int zm = (zone_minutes < 0 ? -zone_minutes : zone_minutes) % 60;

    char buf[64];
    int n = 0;
    switch (which) {
    case DP_YEAR: n = snprintf(buf, sizeof buf, "%04d", y); break;
    case DP_MONTH: n = snprintf(buf, sizeof buf, "%02d", mo); break;
    case DP_DAY: n = snprintf(buf, sizeof buf, "%02d", d); break;
    case DP_DATE: n = snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, mo, d); break;
    case DP_JULIAN:
        n = snprintf(buf, sizeof buf, "%lld", (long long)(days + MJD_UNIX_EPOCH));
        break;
    case DP_HOUR: n = snprintf(buf, sizeof buf, "%02d", h); break;
    case DP_MINUTE: n = snprintf(buf, sizeof buf, "%02d", mi); break;
    case DP_SECOND: n = snprintf(buf, sizeof buf, "%02d", s); break;
    case DP_TIME: n = snprintf(buf, sizeof buf, "%02d:%02d:%02d", h, mi, s); break;
    case DP_ISO8601:
        /* RFC 3339 date-time with a numeric offset, +00:00 for UTC as Pigeonhole writes. */
        n = snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", y, mo, d, h,
                     mi, s, sign, zh, zm);
        break;
    case DP_STD11:
        /* RFC 5322 §3.3 date-time. */
        n = snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d %c%02d%02d",
                     weekdays[wd], d, months[mo - 1], y, h, mi, s, sign, zh, zm);
        break;
    case DP_ZONE: n = snprintf(buf, sizeof buf, "%c%02d%02d", sign, zh, zm); break;
    case DP_WEEKDAY: n = snprintf(buf, sizeof buf, "%d", wd); break;
    default: return SIEVE_E_INVAL;
    }
    if (n <= 0 || (size_t)n >= sizeof buf)
        return SIEVE_E_INVAL;
    return lm_buf_append(out, buf, (size_t)n) ? SIEVE_E_NOMEM : 0;
}
