/* ext_spamtest.c — spamtest, spamtestplus (:percent) and virustest (RFC 5235): the verdicts
 * of scanners that ran before Sieve, given by the caller in sieve_run_options and compared
 * as strings (RFC 5235 §3: "0" means the message was not tested). */
#include "engine.h"

#include <stdio.h>

/* The value spamtest compares: "0" untested, else 1..10 (RFC 5235 §3.2), or with :percent
 * 0..100 (§3.3). */
static int spam_value(const sieve_run_options *o, int percent, char *buf, size_t size)
{
    double max = o->spam_max, score = o->spam_score;
    long v = 0;
    if (max > 0 && max <= 1e300 && score == score) { /* a number, not NaN or infinite */
        double ratio = score <= 0 ? 0 : score >= max ? 1 : score / max;
        /* Rounded to the nearest percent; the level rounded down, with a little slack so
         * that 9 * 3 / 9 is 3 whatever the floating point makes of it. */
        v = percent ? (long)(100 * ratio + 0.5) : 1 + (long)(9 * ratio + 1e-9);
    }
    return snprintf(buf, size, "%ld", v);
}

static int compare(sv_run *r, const sv_args *a, const char *value, int len)
{
    sv_matching mt;
    int rc = sv_matching_init(r, a, &a->positional[0], &mt);
    if (!rc)
        rc = sv_matching_value(r, &mt, value, (size_t)len);
    return rc < 0 ? rc : sv_matching_end(&mt, rc);
}

static int validate_test(sv_vctx *v, const sv_args *a)
{
    return sv_check_matching(v, a, &a->positional[0]);
}

static int run_spamtest(sv_run *r, const sv_args *a)
{
    char buf[32];
    int n = spam_value(r->opts, sv_args_tag(a, SV_TAG_PERCENT) != NULL, buf, sizeof buf);
    return compare(r, a, buf, n);
}

static int run_virustest(sv_run *r, const sv_args *a)
{
    char buf[32];
    int v = r->opts->virus_score;
    int n = snprintf(buf, sizeof buf, "%d", v >= 1 && v <= 5 ? v : 0);
    return compare(r, a, buf, n);
}

#define MATCH_TAGS SV_TAG_IS, SV_TAG_CONTAINS, SV_TAG_MATCHES, SV_TAG_REGEX, SV_TAG_VALUE, \
                   SV_TAG_COUNT, SV_TAG_LIST, SV_TAG_COMPARATOR

static const uint8_t spamtest_tags[] = {MATCH_TAGS, SV_TAG_PERCENT, SV_TAG_COUNT_};
static const uint8_t virustest_tags[] = {MATCH_TAGS, SV_TAG_COUNT_};

static const sv_cmd_def spamtest_commands[] = {
    {"spamtest", SV_KIND_TEST, SV_CTL_NONE, 1, {SV_T_STRING}, spamtest_tags, validate_test,
     run_spamtest},
};
static const sv_cmd_def virustest_commands[] = {
    {"virustest", SV_KIND_TEST, SV_CTL_NONE, 1, {SV_T_STRING}, virustest_tags, validate_test,
     run_virustest},
};
const sv_ext_def sv_ext_spamtest = {"spamtest", spamtest_commands, 1};
/* spamtestplus has no command of its own: requiring it requires spamtest too
 * (sv_extension_implies) and allows :percent. */
const sv_ext_def sv_ext_spamtestplus = {"spamtestplus", NULL, 0};
const sv_ext_def sv_ext_virustest = {"virustest", virustest_commands, 1};
