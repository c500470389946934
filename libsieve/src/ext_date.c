/* ext_date.c — the date and currentdate tests (RFC 5260 §4, §5) and the index extension
 * (§6: :index and :last on header, address and date; they pick one occurrence of a field). */
#include "engine.h"

#include "lm_ascii.h"

#include <string.h>
#include <time.h>

/* ---- index ------------------------------------------------------------------------------- */

int sv_check_index(sv_vctx *v, const sv_args *a, int index_tag, int last_tag)
{
    const sv_value *idx = sv_args_tag(a, index_tag);
    if (sv_args_tag(a, last_tag) && !idx) {
        sv_vctx_error(v, a->pos, "\":last\" of \"%s\" needs \":index\"", a->def->name);
        return 0;
    }
    if (idx && idx->number == 0) {
        sv_vctx_error(v, a->pos, "\":index\" of \"%s\" counts from 1, not 0", a->def->name);
        return 0;
    }
    return 1;
}

/* ---- zones ------------------------------------------------------------------------------- */

/* The zone times are shown in without :zone: the caller's, else the system's at `t`. */
static int local_zone(const sv_run *r, int64_t t)
{
    int z;
    const char *s = r->opts->local_zone;
    if (s && !sv_zone_parse(s, strlen(s), &z))
        return z;
    time_t tt = (time_t)t;
    struct tm tm;
    if (!localtime_r(&tt, &tm))
        return 0;
    return (int)(tm.tm_gmtoff / 60);
}

/* The zone of a test: :zone's (0 with *ok 0 when it is not a zone), the date's own under
 * :originalzone, or the local zone. */
static int zone_of(sv_run *r, const sv_args *a, const sv_datetime *t, int *ok)
{
    const sv_value *z = sv_args_tag(a, SV_TAG_ZONE);
    *ok = 1;
    if (z) {
        sv_str s;
        int zone;
        if (sv_run_string(r, &z->strs[0], &s) || sv_zone_parse(s.s, s.len, &zone)) {
            *ok = 0;
            return 0;
        }
        return zone;
    }
    if (sv_args_tag(a, SV_TAG_ORIGINALZONE))
        return t->zone_minutes;
    return local_zone(r, t->utc);
}

/* ---- the tests --------------------------------------------------------------------------- */

/* Feeds the date-part of `t` to the comparison: 1 on a match, 0, or a negative error. A date
 * the part cannot show (a year past 9999 in that zone) gives no value. */
static int date_value(sv_run *r, const sv_args *a, sv_matching *mt, const sv_str *part,
                      const sv_datetime *t)
{
    int ok;
    int zone = zone_of(r, a, t, &ok);
    if (!ok)
        return 0;
    lm_buf b = LM_BUF_INIT;
    int rc = sv_date_part(part->s, part->len, t, zone, &b);
    if (rc == SIEVE_E_INVAL) {
        lm_buf_free(&b);
        return 0;
    }
    if (!rc)
        rc = b.oom ? SIEVE_E_NOMEM : sv_matching_value(r, mt, b.data ? b.data : "", b.len);
    lm_buf_free(&b);
    return rc;
}

static int validate_dated(sv_vctx *v, const sv_args *a, const sv_str *part, const sv_value *keys)
{
    int vars = sv_vctx_has(v, "variables");
    if (!(vars && sv_string_has_variables(part->s, part->len)) &&
        !sv_date_part_valid(part->s, part->len))
        return sv_vctx_error(v, part->pos, "unknown date-part \"%s\"", part->s);
    const sv_value *z = sv_args_tag(a, SV_TAG_ZONE);
    if (z && !(vars && sv_string_has_variables(z->strs[0].s, z->strs[0].len)) &&
        sv_zone_parse(z->strs[0].s, z->strs[0].len, NULL))
        return sv_vctx_error(v, z->strs[0].pos, "invalid :zone \"%s\" (expected +hhmm or "
                             "-hhmm)", z->strs[0].s);
    return sv_check_matching(v, a, keys);
}

static int validate_date(sv_vctx *v, const sv_args *a)
{
    if (!sv_check_index(v, a, SV_TAG_INDEX, SV_TAG_LAST))
        return 0;
    return validate_dated(v, a, &a->positional[1].strs[0], &a->positional[2]);
}

static int validate_currentdate(sv_vctx *v, const sv_args *a)
{
    return validate_dated(v, a, &a->positional[0].strs[0], &a->positional[1]);
}

/* The date-time a field holds: all of it, or for Received (whose value ends with the date
 * after a semicolon, RFC 5322 §3.6.7) what follows the last semicolon. */
static int field_date(const mailparse_header *h, sv_datetime *t)
{
    const char *s = h->raw_value ? h->raw_value : "";
    size_t n = h->raw_value ? h->raw_value_len : 0;
    if (lm_eq_nocase(h->name, h->name_len, "received")) {
        size_t k = n;
        while (k && s[k - 1] != ';')
            k--;
        if (!k)
            return SIEVE_E_SYNTAX;
        s += k;
        n -= k;
    }
    return sv_date_parse(s, n, t);
}

typedef struct date_ctx {
    const sv_args *a;
    sv_matching *mt;
    sv_str part;
} date_ctx;

static int date_field(sv_run *r, void *user, const mailparse_header *h)
{
    date_ctx *c = user;
    sv_datetime t;
    if (field_date(h, &t))
        return 0; /* RFC 5260 §4: no valid date-time, no value */
    return date_value(r, c->a, c->mt, &c->part, &t);
}

static int run_date(sv_run *r, const sv_args *a)
{
    sv_matching mt;
    date_ctx c = {a, &mt, {0}};
    sv_str name;
    int rc = sv_matching_init(r, a, &a->positional[2], &mt);
    if (!rc)
        rc = sv_run_string(r, &a->positional[0].strs[0], &name);
    if (!rc)
        rc = sv_run_string(r, &a->positional[1].strs[0], &c.part);
    if (rc)
        return rc;
    /* RFC 5260 §4: only the first field of the name counts, or the one :index picks. */
    const sv_value *idx = sv_args_tag(a, SV_TAG_INDEX);
    rc = sv_fields_each(r, name.s, name.len, idx ? idx->number : 1,
                        sv_args_tag(a, SV_TAG_LAST) != NULL, date_field, &c);
    return rc < 0 ? rc : sv_matching_end(&mt, rc);
}

/* RFC 5260 §5: every currentdate of a run sees the same moment. */
int64_t sv_run_now(sv_run *r)
{
    if (!r->now_known) {
        r->now = r->cb->now ? r->cb->now(r->cb->user) : (int64_t)time(NULL);
        r->now_known = 1;
    }
    return r->now;
}

static int run_currentdate(sv_run *r, const sv_args *a)
{
    sv_matching mt;
    sv_str part;
    int rc = sv_matching_init(r, a, &a->positional[1], &mt);
    if (!rc)
        rc = sv_run_string(r, &a->positional[0].strs[0], &part);
    if (rc)
        return rc;
    sv_datetime t = {sv_run_now(r), 0};
    rc = date_value(r, a, &mt, &part, &t);
    return rc < 0 ? rc : sv_matching_end(&mt, rc);
}

/* ---- the definitions --------------------------------------------------------------------- */

/* :list too (RFC 6134 §2.3: any test with a match type). */
#define MATCH_TAGS SV_TAG_IS, SV_TAG_CONTAINS, SV_TAG_MATCHES, SV_TAG_REGEX, SV_TAG_VALUE, \
                   SV_TAG_COUNT, SV_TAG_LIST, SV_TAG_COMPARATOR

static const uint8_t date_tags[] = {MATCH_TAGS, SV_TAG_ZONE, SV_TAG_ORIGINALZONE, SV_TAG_INDEX,
                                    SV_TAG_LAST, SV_TAG_COUNT_};
static const uint8_t currentdate_tags[] = {MATCH_TAGS, SV_TAG_ZONE, SV_TAG_COUNT_};

static const sv_cmd_def date_commands[] = {
    {"date", SV_KIND_TEST, SV_CTL_NONE, 3, {SV_T_STRING, SV_T_STRING, SV_T_STRLIST}, date_tags,
     validate_date, run_date},
    {"currentdate", SV_KIND_TEST, SV_CTL_NONE, 2, {SV_T_STRING, SV_T_STRLIST}, currentdate_tags,
     validate_currentdate, run_currentdate},
};
const sv_ext_def sv_ext_date = {"date", date_commands, 2};

/* index adds only the meaning of :index and :last (registry.c's tags) on header, address
 * (ext_core.c) and date. */
const sv_ext_def sv_ext_index = {"index", NULL, 0};
