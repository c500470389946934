/* date.c — date-time values, RFC 5322 §3.3 and the obsolete forms of §4.3, plus the broken
 * forms common mailers write (numeric months, asctime order, ISO 8601); formatting back. */
#include "rfc5322_lex.h"

#include <stdio.h>
#include <string.h>

/* The largest number of digits read for one numeric date field. */
#define DATE_MAX_DIGITS 4

static const char *const month_names[12] = {"jan", "feb", "mar", "apr", "may", "jun",
                                            "jul", "aug", "sep", "oct", "nov", "dec"};
static const char *const day_names[7] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

/* Obsolete zone names (RFC 5322 §4.3) with their offsets in minutes. */
static const struct {
    const char *name;
    int minutes;
} zone_names[] = {
    {"ut", 0},         {"utc", 0},        {"gmt", 0},        {"z", 0},
    {"est", -5 * 60},  {"edt", -4 * 60},  {"cst", -6 * 60},  {"cdt", -5 * 60},
    {"mst", -7 * 60},  {"mdt", -6 * 60},  {"pst", -8 * 60},  {"pdt", -7 * 60},
};

typedef struct {
    const char *s;
    size_t len, pos;
    const mp_diag *d;
    int broken; /* a comment ran to the end */
} date_cursor;

static void skip_cfws(date_cursor *c)
{
    c->pos = mp_lex_skip_cfws(c->s, c->len, c->pos, &c->broken);
}

/* Reads 1..DATE_MAX_DIGITS digits; returns the digit count (0 when there is no digit). More
 * digits than that make the field invalid (-1). */
static int read_number(date_cursor *c, int *value)
{
    int n = 0, v = 0;
    while (c->pos < c->len && lm_is_digit((unsigned char)c->s[c->pos])) {
        if (n == DATE_MAX_DIGITS)
            return -1;
        v = v * 10 + (c->s[c->pos] - '0');
        n++;
        c->pos++;
    }
    *value = v;
    return n;
}

/* Reads a run of letters; returns its length (the cursor moves past it). */
static size_t read_word(date_cursor *c, const char **word)
{
    size_t start = c->pos;
    while (c->pos < c->len && lm_is_alpha((unsigned char)c->s[c->pos]))
        c->pos++;
    *word = c->s + start;
    return c->pos - start;
}

/* Index 0..n-1 of a name whose first three letters start `w` (full names such as "Tuesday"
 * or "July" match too), or -1. */
static int match_name(const char *w, size_t n, const char *const *names, int count)
{
    if (n < 3)
        return -1;
    for (int i = 0; i < count; i++)
        if (lm_strncasecmp(w, names[i], 3) == 0)
            return i;
    return -1;
}

/* The month as a name or (obsolete, reported) a number 1-12; -1 when neither. */
static int read_month(date_cursor *c)
{
    const char *w;
    size_t start = c->pos;
    size_t n = read_word(c, &w);
    if (n > 0) {
        int i = match_name(w, n, month_names, 12);
        return i < 0 ? -1 : i + 1;
    }
    int v;
    if (read_number(c, &v) <= 0 || v < 1 || v > 12)
        return -1;
    mp_report(c->d, MAILPARSE_ANOMALY_DATE_OBSOLETE, start);
    return v;
}

/* Years with 2 or 3 digits follow RFC 5322 §4.3: below 50 is 2000+, else 1900+; 3 digits
 * are 1900+. Returns -1 when there is no year. */
static int read_year(date_cursor *c)
{
    size_t start = c->pos;
    int v, n = read_number(c, &v);
    if (n < 2)
        return -1;
    if (n == 4)
        return v;
    mp_report(c->d, MAILPARSE_ANOMALY_DATE_OBSOLETE, start);
    if (n == 3)
        return v + 1900;
    return v < 50 ? v + 2000 : v + 1900;
}

/* A separator between time fields: ':' with optional CFWS around it (obsolete). */
static int read_colon(date_cursor *c)
{
    size_t save = c->pos;
    skip_cfws(c);
    if (c->pos < c->len && c->s[c->pos] == ':') {
        c->pos++;
        skip_cfws(c);
        return 1;
    }
    c->pos = save;
    return 0;
}

/* hour ":" minute [":" second] with range checks. Returns 0 or -1. */
static int read_time(date_cursor *c, mailparse_date *out)
{
    int h, m, s = 0, n;
    size_t start = c->pos;
    if (read_number(c, &h) <= 0 || !read_colon(c) || (n = read_number(c, &m)) < 1 || n > 2)
        return -1;
    int short_field = n == 1;
    if (read_colon(c)) {
        if ((n = read_number(c, &s)) < 1 || n > 2)
            return -1;
        short_field |= n == 1;
    }
    if (short_field) /* "10:28:3": one-digit minutes or seconds, written by some mailers */
        mp_report(c->d, MAILPARSE_ANOMALY_DATE_OBSOLETE, start);
    /* fractions of a second some mailers add are dropped */
    if (c->pos + 1 < c->len && c->s[c->pos] == '.' && lm_is_digit((unsigned char)c->s[c->pos + 1]))
        for (c->pos++; c->pos < c->len && lm_is_digit((unsigned char)c->s[c->pos]); c->pos++)
            ;
    if (h > 23 || m > 59 || s > 60)
        return -1;
    out->hour = h;
    out->minute = m;
    out->second = s;
    return 0;
}

/* "+hhmm", "-hhmm" or "+hh:mm" (reported); hours up to 23, minutes up to 59. */
static int read_numeric_zone(date_cursor *c, int *minutes)
{
    int sign = c->s[c->pos] == '-' ? -1 : 1;
    size_t start = c->pos++;
    int v, n = read_number(c, &v);
    int hh = v / 100, mm = v % 100;
    if (n == 2 && c->pos < c->len && c->s[c->pos] == ':') {
        hh = v;
        c->pos++;
        if (read_number(c, &mm) != 2)
            return -1;
        mp_report(c->d, MAILPARSE_ANOMALY_DATE_OBSOLETE, start);
    } else if (n != 4) {
        return -1;
    }
    if (hh > 23 || mm > 59)
        return -1;
    *minutes = sign * (hh * 60 + mm);
    return 0;
}

/* A zone name: the known ones, military letters and unknown names (all -0000 per RFC 5322
 * §4.3, reported). Trailing letters or digits glued to a known name ("EST5EDT") are ignored. */
static int read_named_zone(date_cursor *c, int *minutes)
{
    size_t start = c->pos;
    const char *w;
    size_t n = read_word(c, &w);
    mp_report(c->d, MAILPARSE_ANOMALY_DATE_OBSOLETE, start);
    *minutes = 0;
    for (size_t i = 0; i < sizeof zone_names / sizeof zone_names[0]; i++) {
        size_t zl = strlen(zone_names[i].name);
        if (n >= zl && lm_strncasecmp(w, zone_names[i].name, zl) == 0 &&
            (n == zl || zl == 3)) {
            *minutes = zone_names[i].minutes;
            break;
        }
    }
    return 0;
}

static int read_zone(date_cursor *c, int *minutes)
{
    skip_cfws(c);
    if (c->pos >= c->len) {
        /* no zone at all: taken as -0000 */
        mp_report(c->d, MAILPARSE_ANOMALY_DATE_OBSOLETE, c->pos);
        *minutes = 0;
        return 0;
    }
    char ch = c->s[c->pos];
    if (ch == '+' || ch == '-')
        return read_numeric_zone(c, minutes);
    if (lm_is_alpha((unsigned char)ch))
        return read_named_zone(c, minutes);
    return -1;
}

static int days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* Checks the day against its month and computes the UTC timestamp. */
static int finish_date(mailparse_date *out)
{
    if (out->day < 1 || out->day > days_in_month(out->year, out->month))
        return MAILPARSE_E_SYNTAX;
    int64_t days = mp_days_from_civil(out->year, (unsigned)out->month, (unsigned)out->day);
    out->timestamp = days * 86400 + out->hour * 3600 + out->minute * 60 + out->second -
                     (int64_t)out->offset_minutes * 60;
    return 0;
}

/* ISO 8601 as some mailers write it: YYYY-MM-DD[T ]hh:mm[:ss][Z|zone]. */
static int parse_iso(date_cursor *c, mailparse_date *out)
{
    int y, mo, dd;
    mp_report(c->d, MAILPARSE_ANOMALY_DATE_OBSOLETE, c->pos);
    if (read_number(c, &y) != 4 || c->pos >= c->len || c->s[c->pos++] != '-' ||
        read_number(c, &mo) != 2 || c->pos >= c->len || c->s[c->pos++] != '-' ||
        read_number(c, &dd) != 2 || mo < 1 || mo > 12)
        return MAILPARSE_E_SYNTAX;
    if (c->pos < c->len && (c->s[c->pos] == 'T' || c->s[c->pos] == 't'))
        c->pos++;
    skip_cfws(c);
    out->year = y;
    out->month = mo;
    out->day = dd;
    if (read_time(c, out) != 0 || read_zone(c, &out->offset_minutes) != 0)
        return MAILPARSE_E_SYNTAX;
    return finish_date(out);
}

/* asctime order after the day name: month day time [zone] year [zone]. */
static int parse_asctime(date_cursor *c, mailparse_date *out)
{
    mp_report(c->d, MAILPARSE_ANOMALY_DATE_OBSOLETE, c->pos);
    out->month = read_month(c);
    skip_cfws(c);
    if (out->month < 0 || read_number(c, &out->day) <= 0)
        return MAILPARSE_E_SYNTAX;
    skip_cfws(c);
    if (read_time(c, out) != 0)
        return MAILPARSE_E_SYNTAX;
    skip_cfws(c);
    int zone_first = c->pos < c->len && !lm_is_digit((unsigned char)c->s[c->pos]);
    if (zone_first && read_zone(c, &out->offset_minutes) != 0)
        return MAILPARSE_E_SYNTAX;
    skip_cfws(c);
    if ((out->year = read_year(c)) < 0)
        return MAILPARSE_E_SYNTAX;
    if (!zone_first && read_zone(c, &out->offset_minutes) != 0)
        return MAILPARSE_E_SYNTAX;
    return finish_date(out);
}

/* [day-name ","] day month year time zone, with CFWS anywhere between. */
static int parse_rfc5322(date_cursor *c, mailparse_date *out)
{
    const char *w;
    size_t n = read_word(c, &w);
    if (n > 0) {
        if (match_name(w, n, month_names, 12) >= 0) {
            c->pos -= n;
            return parse_asctime(c, out);
        }
        if (match_name(w, n, day_names, 7) < 0)
            return MAILPARSE_E_SYNTAX;
        skip_cfws(c);
        if (c->pos < c->len && (c->s[c->pos] == ',' || c->s[c->pos] == '.'))
            c->pos++;
        skip_cfws(c);
        if (c->pos < c->len && lm_is_alpha((unsigned char)c->s[c->pos]))
            return parse_asctime(c, out);
    }
    if (read_number(c, &out->day) <= 0)
        return MAILPARSE_E_SYNTAX;
    skip_cfws(c);
    if (c->pos < c->len && c->s[c->pos] == '-')
        c->pos++;
    if ((out->month = read_month(c)) < 0)
        return MAILPARSE_E_SYNTAX;
    skip_cfws(c);
    if (c->pos < c->len && c->s[c->pos] == '-')
        c->pos++;
    if ((out->year = read_year(c)) < 0)
        return MAILPARSE_E_SYNTAX;
    skip_cfws(c);
    if (read_time(c, out) != 0 || read_zone(c, &out->offset_minutes) != 0)
        return MAILPARSE_E_SYNTAX;
    return finish_date(out);
}

static int looks_iso(const char *s, size_t len, size_t pos)
{
    for (int i = 0; i < 4; i++)
        if (pos + (size_t)i >= len || !lm_is_digit((unsigned char)s[pos + (size_t)i]))
            return 0;
    return pos + 4 < len && s[pos + 4] == '-';
}

int mp_parse_date(const char *in, size_t len, mailparse_date *out, const mp_diag *d)
{
    if (!in || !out)
        return MAILPARSE_E_INVAL;
    date_cursor c = {in, mp_lex_field_end(in, len), 0, d, 0};
    /* A Received value carries its date after the last ';' (RFC 5322 §3.6.7). */
    for (size_t i = c.len; i > 0; i--)
        if (in[i - 1] == ';') {
            c.pos = i;
            break;
        }
    mailparse_date r = {0, 0, 0, 0, 0, 0, 0, 0};
    skip_cfws(&c);
    int rc = looks_iso(in, c.len, c.pos) ? parse_iso(&c, &r) : parse_rfc5322(&c, &r);
    if (rc != 0) {
        mp_report(d, MAILPARSE_ANOMALY_DATE_INVALID, 0);
        return MAILPARSE_E_SYNTAX;
    }
    *out = r;
    return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date, counted in 400-year eras so negative
 * years work. Exact for |y| < 10^15 (no intermediate overflow below that). */
int64_t mp_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;                                   /* [0, 399] */
    int64_t mp = m > 2 ? (int64_t)m - 3 : (int64_t)m + 9;          /* March = 0 */
    int64_t doy = (153 * mp + 2) / 5 + (int64_t)d - 1;             /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

/* The inverse of mp_days_from_civil(). */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* Local times of years 0000-9999 only, so the text fits in 32 bytes. */
#define FORMAT_MIN_LOCAL (-62167219200LL) /* 0000-01-01T00:00:00 */
#define FORMAT_MAX_LOCAL (253402300799LL) /* 9999-12-31T23:59:59 */
#define FORMAT_MAX_OFFSET (99 * 60 + 59)

int mailparse_format_date(int64_t timestamp, int offset_minutes, char *buf, size_t size)
{
    if (!buf || size < 32 || offset_minutes > FORMAT_MAX_OFFSET ||
        offset_minutes < -FORMAT_MAX_OFFSET || timestamp < FORMAT_MIN_LOCAL - 86400 ||
        timestamp > FORMAT_MAX_LOCAL + 86400)
        return MAILPARSE_E_INVAL;
    int64_t local = timestamp + (int64_t)offset_minutes * 60;
    if (local < FORMAT_MIN_LOCAL || local > FORMAT_MAX_LOCAL)
        return MAILPARSE_E_INVAL;
    int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    int64_t secs = local - days * 86400;
    int64_t year;
    int month, day;
    civil_from_days(days, &year, &month, &day);
    int wday = (int)(((days % 7) + 7 + 4) % 7); /* 1970-01-01 was a Thursday */
    static const char *const wnames[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const mnames[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int off = offset_minutes < 0 ? -offset_minutes : offset_minutes;
    snprintf(buf, size, "%s, %d %s %04d %02d:%02d:%02d %c%02d%02d", wnames[wday], day,
             mnames[month - 1], (int)year, (int)(secs / 3600), (int)(secs / 60 % 60),
             (int)(secs % 60), offset_minutes < 0 ? '-' : '+', off / 60, off % 60);
    return 0;
}
