/* test_dkim_key_cache.c — parsed key records kept between messages: the same answers as
 * parsing, hits and misses, records told apart by their exact text, failed records kept too,
 * least-recently-used eviction, keys that outlive the cache, RSA keys' ready contexts,
 * allocation failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/evp.h>

#include "alloc_budget.h"
#include "dkim_internal.h"
#include "dkim_test_keys.h"

static int parse(mailauth_dkim_key_cache *c, const char *text, ma_dkim_keyrec *rec)
{
    return ma_dkim_key_parse_cached(c, text, strlen(text), rec);
}

static void same_answers_as_parsing(void **state)
{
    (void)state;
    mailauth_dkim_key_cache *c;
    assert_int_equal(mailauth_dkim_key_cache_new(0, &c), 0);
    const char *records[] = {rsa_record, ed25519_record, rsa512_record, "v=DKIM1; p=",
                             "v=DKIM2; p=abc", "k=rsa; p=!!!", "garbage"};
    for (int round = 0; round < 2; round++)
        for (size_t i = 0; i < sizeof records / sizeof *records; i++) {
            ma_dkim_keyrec plain, cached;
            int want = ma_dkim_key_parse(records[i], strlen(records[i]), &plain);
            assert_int_equal(parse(c, records[i], &cached), want);
            assert_int_equal(cached.k, plain.k);
            assert_int_equal(cached.revoked, plain.revoked);
            assert_int_equal(cached.bits, plain.bits);
            assert_int_equal(cached.hash_sha256, plain.hash_sha256);
            assert_int_equal(!cached.key, !plain.key);
            if (plain.key)
                assert_int_equal(EVP_PKEY_eq(cached.key, plain.key), 1);
            ma_dkim_keyrec_free(&plain);
            ma_dkim_keyrec_free(&cached);
        }
    uint64_t hits, misses;
    size_t entries;
    mailauth_dkim_key_cache_stats(c, &hits, &misses, &entries);
    assert_int_equal(misses, 7);
    assert_int_equal(hits, 7);
    assert_int_equal(entries, 7);
    mailauth_dkim_key_cache_free(c);
}

static void the_exact_text_is_the_key(void **state)
{
    (void)state;
    mailauth_dkim_key_cache *c;
    assert_int_equal(mailauth_dkim_key_cache_new(4, &c), 0);
    ma_dkim_keyrec rec;
    assert_int_equal(parse(c, ed25519_record, &rec), 0);
    ma_dkim_keyrec_free(&rec);
    /* The same key with t=y is another record: its flag must not come from the first. */
    char testing[200];
    snprintf(testing, sizeof testing, "%s; t=y", ed25519_record);
    assert_int_equal(parse(c, testing, &rec), 0);
    assert_true(rec.testing);
    ma_dkim_keyrec_free(&rec);
    assert_int_equal(parse(c, ed25519_record, &rec), 0);
    assert_false(rec.testing);
    ma_dkim_keyrec_free(&rec);
    uint64_t hits, misses;
    mailauth_dkim_key_cache_stats(c, &hits, &misses, NULL);
    assert_int_equal(hits, 1);
    assert_int_equal(misses, 2);
    mailauth_dkim_key_cache_free(c);
}

static void least_recently_used_goes_and_keys_outlive_the_cache(void **state)
{
    (void)state;
    mailauth_dkim_key_cache *c;
    assert_int_equal(mailauth_dkim_key_cache_new(2, &c), 0);
    ma_dkim_keyrec a, b, held;
    char rec_b[200];
    snprintf(rec_b, sizeof rec_b, "%s;", ed25519_record);
    assert_int_equal(parse(c, rsa_record, &held), 0); /* kept by the caller to the end */
    assert_int_equal(parse(c, rec_b, &b), 0);
    ma_dkim_keyrec_free(&b);
    assert_int_equal(parse(c, rsa_record, &a), 0); /* rsa is now the most recent */
    ma_dkim_keyrec_free(&a);
    assert_int_equal(parse(c, ed25519_record, &a), 0); /* evicts rec_b */
    ma_dkim_keyrec_free(&a);
    size_t entries;
    uint64_t hits, misses;
    mailauth_dkim_key_cache_stats(c, &hits, &misses, &entries);
    assert_int_equal(entries, 2);
    assert_int_equal(parse(c, rsa_record, &a), 0);
    ma_dkim_keyrec_free(&a);
    mailauth_dkim_key_cache_stats(c, &hits, NULL, NULL);
    assert_int_equal(hits, 2);
    assert_int_equal(parse(c, rec_b, &b), 0); /* was evicted: parsed again */
    ma_dkim_keyrec_free(&b);
    mailauth_dkim_key_cache_stats(c, &hits, &misses, NULL);
    assert_int_equal(hits, 2);
    assert_int_equal(misses, 4);
    mailauth_dkim_key_cache_free(c);
    /* The caller's reference still works after the cache is gone. */
    assert_non_null(held.key);
    assert_int_equal(EVP_PKEY_get_bits(held.key), 1024);
    ma_dkim_keyrec_free(&held);
}

/* Signs `msg` with the PEM key as example.com / `selector` into `out` (field + message). */
static void sign_with(const char *pem, const char *selector, const char *msg, char *out,
                      size_t size)
{
    mailauth_dkim_key *key;
    assert_int_equal(mailauth_dkim_key_load(pem, strlen(pem), &key), 0);
    mailauth_dkim_sign_options so;
    mailauth_dkim_sign_options_init(&so);
    so.domain = "example.com";
    so.selector = selector;
    char *field;
    size_t field_len;
    assert_int_equal(mailauth_dkim_sign(&so, key, msg, strlen(msg), &field, &field_len), 0);
    snprintf(out, size, "%s%s", field, msg);
    mailauth_dkim_free(field);
    mailauth_dkim_key_free(key);
}

/* A zone holding `record` at <selector>._domainkey.example.com, and its resolver. */
static mailauth_zone *zone_with(const char *selector, const char *record, mailauth_resolver *r)
{
    char text[1024];
    snprintf(text, sizeof text, "%s._domainkey.example.com. 300 IN TXT \"%s\"\n", selector, record);
    mailauth_zone *z;
    assert_int_equal(mailauth_zone_new(NULL, &z), 0);
    assert_int_equal(mailauth_zone_load(z, text, strlen(text), NULL, NULL), 0);
    mailauth_zone_resolver(z, r);
    return z;
}

/* The verifiers take the cache through their options: the same verdicts, one parse. */
static void verifiers_use_it(void **state)
{
    (void)state;
    char signed_msg[2048];
    sign_with(ed25519_pkcs8_pem, "ed", "From: a@example.com\r\nSubject: hi\r\n\r\nbody\r\n",
              signed_msg, sizeof signed_msg);
    mailauth_resolver r;
    mailauth_zone *z = zone_with("ed", ed25519_record, &r);
    mailauth_dkim_key_cache *c;
    assert_int_equal(mailauth_dkim_key_cache_new(8, &c), 0);
    mailauth_dkim_verify_options vo;
    mailauth_dkim_verify_options_init(&vo);
    vo.key_cache = c;
    for (int i = 0; i < 3; i++) {
        mailauth_dkim_verifier *v;
        assert_int_equal(mailauth_dkim_verify(&vo, &r, signed_msg, strlen(signed_msg), &v), 0);
        mailauth_dkim_signature sig = {.struct_size = sizeof sig};
        assert_int_equal(mailauth_dkim_verifier_result(v, 0, &sig), 0);
        assert_int_equal(sig.result, MAILAUTH_RESULT_PASS);
        mailauth_dkim_verifier_free(v);
    }
    uint64_t hits, misses;
    mailauth_dkim_key_cache_stats(c, &hits, &misses, NULL);
    assert_int_equal(misses, 1);
    assert_int_equal(hits, 2);

    mailauth_arc_verify_options ao;
    mailauth_arc_verify_options_init(&ao);
    ao.key_cache = c;
    mailauth_arc_verifier *av;
    assert_int_equal(mailauth_arc_verify(&ao, &r, signed_msg, strlen(signed_msg), &av), 0);
    assert_int_equal(mailauth_arc_verifier_result(av), MAILAUTH_RESULT_NONE);
    mailauth_arc_verifier_free(av);
    mailauth_dkim_key_cache_free(c);
    mailauth_zone_free(z);
}

/* RSA keys from the cache carry a context ready for rsa-sha256: a hit verifies the same as a
 * miss, and a signature that does not hold still fails through it. */
static void cached_rsa_keys_verify_and_refuse(void **state)
{
    (void)state;
    char good[4096], bad[4096];
    sign_with(rsa_pkcs8_pem, "rsa", "From: a@example.com\r\nSubject: hi\r\n\r\nbody  text\t\r\n",
              good, sizeof good);
    /* The same message with one base64 character of b= changed. */
    memcpy(bad, good, strlen(good) + 1);
    char *b = strstr(bad, " b=");
    assert_non_null(b);
    b[3] = b[3] == 'A' ? 'B' : 'A';

    mailauth_resolver r;
    mailauth_zone *z = zone_with("rsa", rsa_record, &r);
    mailauth_dkim_key_cache *c;
    assert_int_equal(mailauth_dkim_key_cache_new(8, &c), 0);
    mailauth_dkim_verify_options vo;
    mailauth_dkim_verify_options_init(&vo);
    vo.key_cache = c;
    for (int i = 0; i < 6; i++) {
        const char *m = i % 2 ? bad : good;
        mailauth_dkim_verifier *v;
        assert_int_equal(mailauth_dkim_verify(&vo, &r, m, strlen(m), &v), 0);
        mailauth_dkim_signature sig = {.struct_size = sizeof sig};
        assert_int_equal(mailauth_dkim_verifier_result(v, 0, &sig), 0);
        assert_int_equal(sig.result, i % 2 ? MAILAUTH_RESULT_FAIL : MAILAUTH_RESULT_PASS);
        assert_int_equal(sig.reason, i % 2 ? MAILAUTH_DKIM_BAD_SIGNATURE : MAILAUTH_DKIM_OK);
        mailauth_dkim_verifier_free(v);
    }
    uint64_t hits, misses;
    mailauth_dkim_key_cache_stats(c, &hits, &misses, NULL);
    assert_int_equal(misses, 1);
    assert_int_equal(hits, 5);
    mailauth_dkim_key_cache_free(c);
    mailauth_zone_free(z);
}

static void bad_arguments_and_no_cache(void **state)
{
    (void)state;
    mailauth_dkim_key_cache *c = (void *)1;
    assert_int_equal(mailauth_dkim_key_cache_new(0, NULL), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_dkim_key_cache_new(MAILAUTH_DKIM_KEY_CACHE_MAX_ENTRIES + 1, &c),
                     MAILAUTH_E_INVAL);
    assert_null(c);
    mailauth_dkim_key_cache_free(NULL);
    uint64_t hits = 9;
    mailauth_dkim_key_cache_stats(NULL, &hits, NULL, NULL);
    assert_int_equal(hits, 0);
    ma_dkim_keyrec rec;
    assert_int_equal(ma_dkim_key_parse_cached(NULL, ed25519_record, strlen(ed25519_record), &rec), 0);
    assert_non_null(rec.key);
    ma_dkim_keyrec_free(&rec);
}

static void allocation_failure_gives_a_right_answer_or_nomem(void **state)
{
    (void)state;
    int completed = 0;
    mailauth_set_allocator(budget_malloc, budget_realloc, free);
    for (size_t limit = 0; limit < 400 && !completed; limit++) {
        alloc_budget = limit;
        alloc_limited = 1;
        mailauth_dkim_key_cache *c = NULL;
        int rc = mailauth_dkim_key_cache_new(2, &c);
        if (rc == 0) {
            ma_dkim_keyrec rec;
            int r1 = parse(c, ed25519_record, &rec);
            assert_true(r1 == 0 || r1 == MAILAUTH_E_NOMEM);
            if (r1 == 0)
                ma_dkim_keyrec_free(&rec);
            int r2 = parse(c, ed25519_record, &rec);
            assert_true(r2 == 0 || r2 == MAILAUTH_E_NOMEM);
            if (r2 == 0) {
                assert_non_null(rec.key);
                ma_dkim_keyrec_free(&rec);
            }
            uint64_t hits;
            mailauth_dkim_key_cache_stats(c, &hits, NULL, NULL);
            completed = r1 == 0 && r2 == 0 && hits == 1;
            mailauth_dkim_key_cache_free(c);
        } else
            assert_int_equal(rc, MAILAUTH_E_NOMEM);
        alloc_limited = 0;
    }
    mailauth_set_allocator(NULL, NULL, NULL);
    assert_true(completed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_answers_as_parsing),
        cmocka_unit_test(the_exact_text_is_the_key),
        cmocka_unit_test(least_recently_used_goes_and_keys_outlive_the_cache),
        cmocka_unit_test(verifiers_use_it),
        cmocka_unit_test(cached_rsa_keys_verify_and_refuse),
        cmocka_unit_test(bad_arguments_and_no_cache),
        cmocka_unit_test(allocation_failure_gives_a_right_answer_or_nomem),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
