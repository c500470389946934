/* test_resolver_cache.c — the caching resolver: hits and misses on a fake clock, expiry at
 * exactly the TTL, negative caching with its bound, no caching of failures or TTL 0, LRU
 * eviction by entries and by bytes, DNSSEC status kept, and allocation failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mailauth.h"

/* The upstream: a zone behind a callback that counts its calls. */
struct upstream {
    mailauth_zone *zone;
    int calls;
    int fail_with;  /* a call error to return instead, when non-zero */
    int dnssec;     /* status to put on every answer */
};

static int upstream_lookup(void *user, const char *name, int type, mailauth_dns_answer *a)
{
    struct upstream *u = user;
    u->calls++;
    if (u->fail_with)
        return u->fail_with;
    int rc = mailauth_zone_lookup(u->zone, name, type, a);
    if (!rc && u->dnssec)
        rc = mailauth_dns_answer_set_dnssec(a, u->dnssec);
    return rc;
}

static int64_t fake_now;

static int64_t fake_clock(void *user)
{
    (void)user;
    return fake_now;
}

struct fixture {
    struct upstream up;
    mailauth_cache *cache;
    mailauth_dns_answer *ans;
};

static const char zone_text[] =
    "$TTL 300\n"
    "a A 192.0.2.1\n"
    "b A 192.0.2.2\n"
    "c A 192.0.2.3\n"
    "d A 192.0.2.4\n"
    "a TXT \"v=spf1 -all\"\n"
    "short 10 A 192.0.2.10\n"
    "zero 0 A 192.0.2.11\n"
    "long 999999 A 192.0.2.12\n"
    "big TXT ( \"0123456789012345678901234567890123456789012345678901234567890123456789\"\n"
    "          \"0123456789012345678901234567890123456789012345678901234567890123456789\" )\n";

static struct fixture *fixture_with(const mailauth_cache_options *o)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    mailauth_zone_options zo;
    mailauth_zone_options_init(&zo);
    zo.negative_ttl = 600;
    assert_int_equal(mailauth_zone_new(&zo, &f->up.zone), 0);
    assert_int_equal(mailauth_zone_load(f->up.zone, zone_text, sizeof zone_text - 1,
                                        "example.com", NULL), 0);
    mailauth_resolver r;
    mailauth_resolver_init(&r);
    r.lookup = upstream_lookup;
    r.user = &f->up;
    mailauth_cache_options co;
    if (o) {
        co = *o;
    } else {
        mailauth_cache_options_init(&co);
    }
    co.clock = fake_clock;
    assert_int_equal(mailauth_cache_new(&r, &co, &f->cache), 0);
    assert_int_equal(mailauth_dns_answer_new(&f->ans), 0);
    fake_now = 1000000;
    return f;
}

static struct fixture *fixture(void) { return fixture_with(NULL); }

static void fixture_free(struct fixture *f)
{
    mailauth_cache_free(f->cache);
    mailauth_zone_free(f->up.zone);
    mailauth_dns_answer_free(f->ans);
    free(f);
}

static int ask(struct fixture *f, const char *name, int type)
{
    assert_int_equal(mailauth_cache_lookup(f->cache, name, type, f->ans), 0);
    return mailauth_dns_answer_result(f->ans);
}

static mailauth_cache_stats stats(const struct fixture *f)
{
    mailauth_cache_stats s;
    memset(&s, 0, sizeof s);
    s.struct_size = sizeof s;
    assert_int_equal(mailauth_cache_get_stats(f->cache, &s), 0);
    return s;
}

static void second_lookup_is_a_hit(void **state)
{
    (void)state;
    struct fixture *f = fixture();
    assert_int_equal(ask(f, "a.example.com", MAILAUTH_RR_A), MAILAUTH_DNS_FOUND);
    assert_int_equal(ask(f, "a.example.com", MAILAUTH_RR_A), MAILAUTH_DNS_FOUND);
    assert_int_equal(f->up.calls, 1);
    assert_int_equal(mailauth_dns_answer_count(f->ans), 1);
    assert_int_equal(mailauth_dns_answer_record(f->ans, 0)->addr[3], 1);
    mailauth_cache_stats s = stats(f);
    assert_int_equal(s.hits, 1);
    assert_int_equal(s.misses, 1);
    assert_int_equal(s.entries, 1);
    assert_true(s.bytes > 0);
    fixture_free(f);
}

static void hit_reports_the_ttl_that_remains(void **state)
{
    (void)state;
    struct fixture *f = fixture();
    ask(f, "a.example.com", MAILAUTH_RR_A);
    assert_int_equal(mailauth_dns_answer_ttl(f->ans), 300);
    fake_now += 120;
    ask(f, "a.example.com", MAILAUTH_RR_A);
    assert_int_equal(mailauth_dns_answer_ttl(f->ans), 180);
    assert_int_equal(f->up.calls, 1);
    fixture_free(f);
}

static void entry_expires_at_exactly_its_ttl(void **state)
{
    (void)state;
    struct fixture *f = fixture();
    ask(f, "short.example.com", MAILAUTH_RR_A);
    fake_now += 9;
    ask(f, "short.example.com", MAILAUTH_RR_A);
    assert_int_equal(f->up.calls, 1);
    assert_int_equal(mailauth_dns_answer_ttl(f->ans), 1);
    fake_now += 1; /* stored at t, TTL 10: served while now < t + 10 */
    ask(f, "short.example.com", MAILAUTH_RR_A);
    assert_int_equal(f->up.calls, 2);
    assert_int_equal(mailauth_dns_answer_ttl(f->ans), 10);
    assert_int_equal(stats(f).entries, 1);
    fixture_free(f);
}

static void case_and_trailing_dot_share_an_entry_but_types_do_not(void **state)
{
    (void)state;
    struct fixture *f = fixture();
    ask(f, "a.example.com", MAILAUTH_RR_A);
    ask(f, "A.EXAMPLE.COM.", MAILAUTH_RR_A);
    assert_int_equal(f->up.calls, 1);
    assert_int_equal(ask(f, "a.example.com", MAILAUTH_RR_TXT), MAILAUTH_DNS_FOUND);
    assert_int_equal(f->up.calls, 2);
    assert_string_equal(mailauth_dns_answer_record(f->ans, 0)->text, "v=spf1 -all");
    ask(f, "a.example.com", MAILAUTH_RR_TXT);
    assert_int_equal(f->up.calls, 2);
    fixture_free(f);
}

static void nxdomain_is_cached_for_at_most_max_negative_ttl(void **state)
{
    (void)state;
    mailauth_cache_options o;
    mailauth_cache_options_init(&o);
    o.max_negative_ttl = 60;
    struct fixture *f = fixture_with(&o);
    assert_int_equal(ask(f, "none.example.com", MAILAUTH_RR_A), MAILAUTH_DNS_NXDOMAIN);
    assert_int_equal(mailauth_dns_answer_ttl(f->ans), 60); /* the zone said 600 */
    fake_now += 59;
    assert_int_equal(ask(f, "none.example.com", MAILAUTH_RR_A), MAILAUTH_DNS_NXDOMAIN);
    assert_int_equal(f->up.calls, 1);
    fake_now += 1;
    assert_int_equal(ask(f, "none.example.com", MAILAUTH_RR_A), MAILAUTH_DNS_NXDOMAIN);
    assert_int_equal(f->up.calls, 2);
    fixture_free(f);
}

static void nodata_is_cached(void **state)
{
    (void)state;
    struct fixture *f = fixture();
    assert_int_equal(ask(f, "b.example.com", MAILAUTH_RR_MX), MAILAUTH_DNS_NODATA);
    assert_int_equal(mailauth_dns_answer_ttl(f->ans), 600);
    assert_int_equal(ask(f, "b.example.com", MAILAUTH_RR_MX), MAILAUTH_DNS_NODATA);
    assert_int_equal(f->up.calls, 1);
    assert_int_equal(mailauth_dns_answer_count(f->ans), 0);
    fixture_free(f);
}

static void temporary_and_permanent_failures_are_not_cached(void **state)
{
    (void)state;
    struct fixture *f = fixture();
    assert_int_equal(mailauth_zone_fail(f->up.zone, "a.example.com", MAILAUTH_RR_A,
                                        MAILAUTH_DNS_TEMPFAIL), 0);
    assert_int_equal(mailauth_zone_fail(f->up.zone, "b.example.com", 0, MAILAUTH_DNS_PERMFAIL), 0);
    assert_int_equal(ask(f, "a.example.com", MAILAUTH_RR_A), MAILAUTH_DNS_TEMPFAIL);
    assert_int_equal(ask(f, "a.example.com", MAILAUTH_RR_A), MAILAUTH_DNS_TEMPFAIL);
    assert_int_equal(ask(f, "b.example.com", MAILAUTH_RR_A), MAILAUTH_DNS_PERMFAIL);
    assert_int_equal(ask(f, "b.example.com", MAILAUTH_RR_A), MAILAUTH_DNS_PERMFAIL);
    assert_int_equal(f->up.calls, 4);
    assert_int_equal(stats(f).entries, 0);
    fixture_free(f);
}

static void upstream_call_error_is_passed_on_and_not_cached(void **state)
{
    (void)state;
    struct fixture *f = fixture();
    f->up.fail_with = MAILAUTH_E_NOMEM;
    assert_int_equal(mailauth_cache_lookup(f->cache, "a.example.com", MAILAUTH_RR_A, f->ans),
                     MAILAUTH_E_NOMEM);
    f->up.fail_with = 0;
    assert_int_equal(ask(f, "a.example.com", MAILAUTH_RR_A), MAILAUTH_DNS_FOUND);
    assert_int_equal(f->up.calls, 2);
    fixture_free(f);
}

static void ttl_zero_is_not_cached(void **state)
{
    (void)state;
    struct fixture *f = fixture();
    ask(f, "zero.example.com", MAILAUTH_RR_A);
    ask(f, "zero.example.com", MAILAUTH_RR_A);
    assert_int_equal(f->up.calls, 2);
    assert_int_equal(stats(f).entries, 0);
    fixture_free(f);
}

static void ttl_is_cut_to_max_ttl(void **state)
{
    (void)state;
    mailauth_cache_options o;
    mailauth_cache_options_init(&o);
    o.max_ttl = 100;
    struct fixture *f = fixture_with(&o);
    ask(f, "long.example.com", MAILAUTH_RR_A);
    assert_int_equal(mailauth_dns_answer_ttl(f->ans), 100);
    fake_now += 100;
    ask(f, "long.example.com", MAILAUTH_RR_A);
    assert_int_equal(f->up.calls, 2);
    fixture_free(f);
}

static void least_recently_used_goes_first(void **state)
{
    (void)state;
    mailauth_cache_options o;
    mailauth_cache_options_init(&o);
    o.max_entries = 2;
    struct fixture *f = fixture_with(&o);
    ask(f, "a.example.com", MAILAUTH_RR_A);
    ask(f, "b.example.com", MAILAUTH_RR_A);
    ask(f, "a.example.com", MAILAUTH_RR_A); /* a is now the most recent */
    ask(f, "c.example.com", MAILAUTH_RR_A); /* evicts b */
    assert_int_equal(f->up.calls, 3);
    mailauth_cache_stats s = stats(f);
    assert_int_equal(s.entries, 2);
    assert_int_equal(s.evictions, 1);
    ask(f, "a.example.com", MAILAUTH_RR_A);
    ask(f, "c.example.com", MAILAUTH_RR_A);
    assert_int_equal(f->up.calls, 3);
    ask(f, "b.example.com", MAILAUTH_RR_A); /* a miss; evicts a (c was used after it) */
    assert_int_equal(f->up.calls, 4);
    ask(f, "c.example.com", MAILAUTH_RR_A);
    assert_int_equal(f->up.calls, 4);
    ask(f, "a.example.com", MAILAUTH_RR_A);
    assert_int_equal(f->up.calls, 5);
    fixture_free(f);
}

static void byte_bound_is_kept(void **state)
{
    (void)state;
    /* Measure one A entry, then allow room for two and a half. */
    struct fixture *f = fixture();
    ask(f, "a.example.com", MAILAUTH_RR_A);
    size_t one = stats(f).bytes;
    fixture_free(f);
    mailauth_cache_options o;
    mailauth_cache_options_init(&o);
    o.max_bytes = one * 5 / 2;
    f = fixture_with(&o);
    ask(f, "a.example.com", MAILAUTH_RR_A);
    ask(f, "b.example.com", MAILAUTH_RR_A);
    ask(f, "c.example.com", MAILAUTH_RR_A);
    ask(f, "d.example.com", MAILAUTH_RR_A);
    mailauth_cache_stats s = stats(f);
    assert_int_equal(s.entries, 2);
    assert_int_equal(s.evictions, 2);
    assert_true(s.bytes <= o.max_bytes);
    ask(f, "d.example.com", MAILAUTH_RR_A);
    ask(f, "c.example.com", MAILAUTH_RR_A);
    assert_int_equal(f->up.calls, 4);
    ask(f, "a.example.com", MAILAUTH_RR_A);
    assert_int_equal(f->up.calls, 5);
    fixture_free(f);
}

static void answer_larger_than_max_bytes_is_returned_but_not_kept(void **state)
{
    (void)state;
    struct fixture *f = fixture();
    ask(f, "a.example.com", MAILAUTH_RR_A);
    size_t one = stats(f).bytes;
    fixture_free(f);
    mailauth_cache_options o;
    mailauth_cache_options_init(&o);
    o.max_bytes = one + 8;
    f = fixture_with(&o);
    ask(f, "a.example.com", MAILAUTH_RR_A);
    assert_int_equal(ask(f, "big.example.com", MAILAUTH_RR_TXT), MAILAUTH_DNS_FOUND);
    assert_int_equal(mailauth_dns_answer_record(f->ans, 0)->text_len, 140);
    ask(f, "big.example.com", MAILAUTH_RR_TXT);
    assert_int_equal(f->up.calls, 3);
    ask(f, "a.example.com", MAILAUTH_RR_A); /* still there: nothing was evicted for it */
    assert_int_equal(f->up.calls, 3);
    assert_int_equal(stats(f).evictions, 0);
    fixture_free(f);
}

static void dnssec_status_is_kept(void **state)
{
    (void)state;
    struct fixture *f = fixture();
    f->up.dnssec = MAILAUTH_DNSSEC_SECURE;
    ask(f, "a.example.com", MAILAUTH_RR_A);
    f->up.dnssec = MAILAUTH_DNSSEC_BOGUS;
    ask(f, "a.example.com", MAILAUTH_RR_A);
    assert_int_equal(f->up.calls, 1);
    assert_int_equal(mailauth_dns_answer_dnssec(f->ans), MAILAUTH_DNSSEC_SECURE);
    fixture_free(f);
}

static void clear_drops_every_entry(void **state)
{
    (void)state;
    struct fixture *f = fixture();
    ask(f, "a.example.com", MAILAUTH_RR_A);
    ask(f, "b.example.com", MAILAUTH_RR_A);
    mailauth_cache_clear(f->cache);
    mailauth_cache_stats s = stats(f);
    assert_int_equal(s.entries, 0);
    assert_int_equal(s.bytes, 0);
    ask(f, "a.example.com", MAILAUTH_RR_A);
    assert_int_equal(f->up.calls, 3);
    fixture_free(f);
}

static void cache_resolver_stacks_on_mailauth_resolve(void **state)
{
    (void)state;
    struct fixture *f = fixture();
    mailauth_resolver r;
    mailauth_cache_resolver(f->cache, &r);
    assert_int_equal(mailauth_resolve(&r, "a.example.com", MAILAUTH_RR_A, f->ans), 0);
    assert_int_equal(mailauth_resolve(&r, "a.example.com", MAILAUTH_RR_A, f->ans), 0);
    assert_int_equal(mailauth_dns_answer_result(f->ans), MAILAUTH_DNS_FOUND);
    assert_int_equal(f->up.calls, 1);
    fixture_free(f);
}

static void bad_arguments_are_inval(void **state)
{
    (void)state;
    struct fixture *f = fixture();
    mailauth_resolver r;
    mailauth_resolver_init(&r);
    mailauth_cache *c = NULL;
    assert_int_equal(mailauth_cache_new(&r, NULL, &c), MAILAUTH_E_INVAL); /* no lookup */
    assert_null(c);
    assert_int_equal(mailauth_cache_lookup(f->cache, "a..b", MAILAUTH_RR_A, f->ans), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_cache_lookup(f->cache, "a.example.com", 0, f->ans), MAILAUTH_E_INVAL);
    mailauth_cache_stats s;
    s.struct_size = 1;
    assert_int_equal(mailauth_cache_get_stats(f->cache, &s), MAILAUTH_E_INVAL);
    assert_int_equal(f->up.calls, 0);
    mailauth_cache_free(NULL);
    fixture_free(f);
}

/* ---- allocation failure ------------------------------------------------------------------ */

#include "alloc_budget.h"

/* Each allocation in a miss-then-hit sequence fails in turn: a lookup gives MAILAUTH_E_NOMEM
 * or the right answer (an answer the cache could not keep is still returned). */
static void allocation_failure_anywhere_is_nomem_or_a_right_answer(void **state)
{
    (void)state;
    struct fixture *f = fixture();
    mailauth_set_allocator(budget_malloc, budget_realloc, free);
    int completed = 0;
    for (size_t limit = 0; limit < 200 && !completed; limit++) {
        mailauth_cache_clear(f->cache);
        alloc_budget = limit;
        alloc_limited = 1;
        int rc = 0, hits_before = (int)stats(f).hits;
        for (int i = 0; i < 2 && !rc; i++) {
            rc = mailauth_cache_lookup(f->cache, "a.example.com", MAILAUTH_RR_TXT, f->ans);
            if (!rc) {
                assert_int_equal(mailauth_dns_answer_result(f->ans), MAILAUTH_DNS_FOUND);
                assert_string_equal(mailauth_dns_answer_record(f->ans, 0)->text, "v=spf1 -all");
            }
        }
        alloc_limited = 0;
        if (rc && rc != MAILAUTH_E_NOMEM)
            fail_msg("with %zu allocations allowed: %d", limit, rc);
        completed = rc == 0 && (int)stats(f).hits == hits_before + 1;
    }
    mailauth_set_allocator(NULL, NULL, NULL);
    assert_true(completed);
    fixture_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(second_lookup_is_a_hit),
        cmocka_unit_test(hit_reports_the_ttl_that_remains),
        cmocka_unit_test(entry_expires_at_exactly_its_ttl),
        cmocka_unit_test(case_and_trailing_dot_share_an_entry_but_types_do_not),
        cmocka_unit_test(nxdomain_is_cached_for_at_most_max_negative_ttl),
        cmocka_unit_test(nodata_is_cached),
        cmocka_unit_test(temporary_and_permanent_failures_are_not_cached),
        cmocka_unit_test(upstream_call_error_is_passed_on_and_not_cached),
        cmocka_unit_test(ttl_zero_is_not_cached),
        cmocka_unit_test(ttl_is_cut_to_max_ttl),
        cmocka_unit_test(least_recently_used_goes_first),
        cmocka_unit_test(byte_bound_is_kept),
        cmocka_unit_test(answer_larger_than_max_bytes_is_returned_but_not_kept),
        cmocka_unit_test(dnssec_status_is_kept),
        cmocka_unit_test(clear_drops_every_entry),
        cmocka_unit_test(cache_resolver_stacks_on_mailauth_resolve),
        cmocka_unit_test(bad_arguments_are_inval),
        cmocka_unit_test(allocation_failure_anywhere_is_nomem_or_a_right_answer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
