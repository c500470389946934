/* test_dkim_sign.c — the DKIM signer: keys in every accepted form and their published records,
 * sign-then-verify for both algorithms and all four canonicalisations, the folded field, the
 * default header set, explicit lists and over-signing, t= x= l= i=, streaming against the
 * one-call helper, bare LF input, and refusals (no From, bad options). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "dkim_test_keys.h"
#include "dkim_test_util.h"
#include "mailauth.h"

static const char msg[] = "From: Joe SixPack <joe@football.example.com>\r\n"
                          "To: Suzie Q <suzie@shopping.example.net>\r\n"
                          "Subject: Is dinner ready?\r\n"
                          "Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n"
                          "Message-ID: <20030712040037.46341.5F8J@football.example.com>\r\n"
                          "X-Mailer: not signed by default\r\n"
                          "\r\n"
                          "Hi.\r\n"
                          "\r\n"
                          "We lost the game.  Are you hungry yet?\r\n"
                          "\r\n"
                          "Joe.\r\n";

static mailauth_zone *zone;
static mailauth_resolver resolver;
static mailauth_dkim_key *rsa, *ed;
static int64_t sign_time; /* now, set up once: the verifier reads the real clock */

static int setup(void **state)
{
    (void)state;
    char text[2048];
    int n = snprintf(text, sizeof text, "test._domainkey TXT \"%s\"\nbrisbane._domainkey TXT \"%s\"\n",
                     rsa_record, ed25519_record);
    if (mailauth_zone_new(NULL, &zone) ||
        mailauth_zone_load(zone, text, (size_t)n, "football.example.com", NULL))
        return -1;
    mailauth_zone_resolver(zone, &resolver);
    sign_time = (int64_t)time(NULL);
    if (mailauth_dkim_key_load(rsa_pkcs1_pem, strlen(rsa_pkcs1_pem), &rsa) ||
        mailauth_dkim_key_load(ed25519_seed_b64, strlen(ed25519_seed_b64), &ed))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    mailauth_zone_free(zone);
    mailauth_dkim_key_free(rsa);
    mailauth_dkim_key_free(ed);
    return 0;
}

static void options(mailauth_dkim_sign_options *o, const mailauth_dkim_key *k)
{
    mailauth_dkim_sign_options_init(o);
    o->domain = "football.example.com";
    o->selector = k == ed ? "brisbane" : "test";
    o->clock = fixed_clock;
    o->clock_user = &sign_time;
}

static char *sign(const mailauth_dkim_sign_options *o, const mailauth_dkim_key *k, const char *m)
{
    char *field = NULL;
    size_t len = 0;
    int rc = mailauth_dkim_sign(o, k, m, strlen(m), &field, &len);
    if (rc)
        fail_msg("sign: %s", mailauth_strerror(rc));
    assert_int_equal(strlen(field), len);
    return field;
}

/* `field` prepended to `m`, verified; the verdict of the top signature, and its record. */
static int verify_with(const char *field, const char *m, mailauth_dkim_signature *out,
                       char *h_copy, size_t h_size)
{
    size_t n = strlen(field) + strlen(m);
    char *all = malloc(n + 1);
    strcpy(all, field);
    strcat(all, m);
    mailauth_dkim_verifier *v = NULL;
    assert_int_equal(mailauth_dkim_verify(NULL, &resolver, all, n, &v), 0);
    mailauth_dkim_signature r;
    r.struct_size = sizeof r;
    assert_int_equal(mailauth_dkim_verifier_result(v, 0, &r), 0);
    if (h_copy)
        snprintf(h_copy, h_size, "%s", r.headers);
    if (out)
        *out = r;
    int result = r.result;
    mailauth_dkim_verifier_free(v);
    free(all);
    return result;
}

static void keys_load_in_every_form(void **state)
{
    (void)state;
    mailauth_dkim_key *k;
    assert_int_equal(mailauth_dkim_key_load(rsa_pkcs8_pem, strlen(rsa_pkcs8_pem), &k), 0);
    assert_int_equal(mailauth_dkim_key_algorithm(k), MAILAUTH_DKIM_RSA_SHA256);
    mailauth_dkim_key_free(k);
    assert_int_equal(mailauth_dkim_key_load(ed25519_pkcs8_pem, strlen(ed25519_pkcs8_pem), &k), 0);
    assert_int_equal(mailauth_dkim_key_algorithm(k), MAILAUTH_DKIM_ED25519_SHA256);
    mailauth_dkim_key_free(k);
    assert_int_equal(mailauth_dkim_key_algorithm(rsa), MAILAUTH_DKIM_RSA_SHA256);
    assert_int_equal(mailauth_dkim_key_algorithm(ed), MAILAUTH_DKIM_ED25519_SHA256);
    assert_int_equal(mailauth_dkim_key_load("garbage", 7, &k), MAILAUTH_E_SYNTAX);
    assert_null(k);
    assert_int_equal(mailauth_dkim_key_load("AAAA", 4, &k), MAILAUTH_E_SYNTAX); /* not 32 */
    static const char broken[] = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
    assert_int_equal(mailauth_dkim_key_load(broken, strlen(broken), &k), MAILAUTH_E_SYNTAX);
    assert_int_equal(mailauth_dkim_key_load(NULL, 0, NULL), MAILAUTH_E_INVAL);
    /* another key type */
    EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    assert_non_null(ec);
    BIO *bio = BIO_new(BIO_s_mem());
    assert_int_equal(PEM_write_bio_PrivateKey(bio, ec, NULL, NULL, 0, NULL, NULL), 1);
    char *pem;
    long n = BIO_get_mem_data(bio, &pem);
    assert_int_equal(mailauth_dkim_key_load(pem, (size_t)n, &k), MAILAUTH_E_UNSUPPORTED);
    BIO_free(bio);
    EVP_PKEY_free(ec);
    mailauth_dkim_key_free(NULL);
}

static void key_record_publishes_the_public_key(void **state)
{
    (void)state;
    char buf[1024];
    size_t len;
    assert_int_equal(mailauth_dkim_key_record(rsa, buf, sizeof buf, &len), 0);
    assert_string_equal(buf, rsa_record);
    assert_int_equal(len, strlen(rsa_record));
    assert_int_equal(mailauth_dkim_key_record(ed, buf, sizeof buf, NULL), 0);
    assert_string_equal(buf, ed25519_record);
    assert_int_equal(mailauth_dkim_key_record(ed, buf, strlen(ed25519_record), NULL),
                     MAILAUTH_E_LIMIT);
    assert_string_equal(buf, "");
    assert_int_equal(mailauth_dkim_key_record(ed, buf, strlen(ed25519_record) + 1, NULL), 0);
}

static void round_trip_every_canonicalisation_and_both_algorithms(void **state)
{
    (void)state;
    const mailauth_dkim_key *keys[] = {rsa, ed};
    for (int k = 0; k < 2; k++)
        for (int hc = 1; hc <= 2; hc++)
            for (int bc = 1; bc <= 2; bc++) {
                mailauth_dkim_sign_options o;
                options(&o, keys[k]);
                o.header_canon = hc;
                o.body_canon = bc;
                char *f = sign(&o, keys[k], msg);
                char want[64];
                snprintf(want, sizeof want, "c=%s/%s;", hc == 1 ? "simple" : "relaxed",
                         bc == 1 ? "simple" : "relaxed");
                assert_non_null(strstr(f, want));
                assert_non_null(strstr(f, k ? "a=ed25519-sha256;" : "a=rsa-sha256;"));
                assert_int_equal(verify_with(f, msg, NULL, NULL, 0), MAILAUTH_RESULT_PASS);
                /* an altered body fails */
                char *m = strdup(msg);
                memcpy(strstr(m, "hungry"), "HUNGRY", 6);
                mailauth_dkim_signature r;
                assert_int_equal(verify_with(f, m, &r, NULL, 0), MAILAUTH_RESULT_FAIL);
                assert_int_equal(r.reason, MAILAUTH_DKIM_BODY_HASH);
                free(m);
                mailauth_dkim_free(f);
            }
}

static void field_is_folded_at_78_columns_with_crlf(void **state)
{
    (void)state;
    mailauth_dkim_sign_options o;
    options(&o, rsa);
    o.identity = "joe@football.example.com";
    o.body_length = 1;
    o.expire_after = 86400;
    char *f = sign(&o, rsa, msg);
    assert_memory_equal(f, "DKIM-Signature: v=1;", 20);
    size_t len = strlen(f), lines = 0;
    assert_memory_equal(f + len - 2, "\r\n", 2);
    for (const char *p = f; *p;) {
        const char *e = strstr(p, "\r\n");
        assert_non_null(e);
        assert_true(e - p <= 78);
        if (p != f)
            assert_true(*p == ' ');
        lines++;
        p = e + 2;
    }
    assert_true(lines >= 4);
    assert_null(strstr(f, "\r\n\r\n")); /* no empty line */
    mailauth_dkim_free(f);
}

static void tags_from_the_options(void **state)
{
    (void)state;
    mailauth_dkim_sign_options o;
    options(&o, ed);
    o.identity = "@sub.football.example.com";
    o.body_length = 1;
    o.expire_after = 3600;
    char *f = sign(&o, ed, msg);
    mailauth_dkim_signature r;
    assert_int_equal(verify_with(f, msg, &r, NULL, 0), MAILAUTH_RESULT_PASS);
    assert_int_equal(r.timestamp, sign_time);
    assert_int_equal(r.expiration, sign_time + 3600);
    assert_true(r.has_body_length);
    assert_int_equal(r.body_length, r.body_total);
    assert_non_null(strstr(f, "i=@sub.football.example.com;"));
    mailauth_dkim_free(f);
    o.no_timestamp = 1;
    o.expire_after = 0;
    o.body_length = 0;
    o.identity = NULL;
    f = sign(&o, ed, msg);
    assert_null(strstr(f, " t="));
    assert_null(strstr(f, " x="));
    assert_null(strstr(f, " l="));
    assert_null(strstr(f, " i="));
    assert_int_equal(verify_with(f, msg, &r, NULL, 0), MAILAUTH_RESULT_PASS);
    assert_int_equal(r.timestamp, -1);
    mailauth_dkim_free(f);
}

static void default_header_set_signs_what_is_present(void **state)
{
    (void)state;
    mailauth_dkim_sign_options o;
    options(&o, rsa);
    char *f = sign(&o, rsa, msg);
    char h[512];
    assert_int_equal(verify_with(f, msg, NULL, h, sizeof h), MAILAUTH_RESULT_PASS);
    assert_string_equal(h, "From:Subject:Date:To:Message-ID");
    mailauth_dkim_free(f);
}

static void explicit_list_and_oversigning(void **state)
{
    (void)state;
    mailauth_dkim_sign_options o;
    options(&o, rsa);
    const char *list[] = {"from", "subject", "x-mailer", "cc"};
    o.headers = list;
    o.header_count = 4;
    char *f = sign(&o, rsa, msg);
    char h[512];
    assert_int_equal(verify_with(f, msg, NULL, h, sizeof h), MAILAUTH_RESULT_PASS);
    assert_string_equal(h, "from:subject:x-mailer:cc");
    /* cc is listed but absent: adding one breaks the signature */
    char *m = malloc(sizeof msg + 32);
    strcpy(m, "Cc: intruder@example.net\r\n");
    strcat(m, msg);
    assert_int_equal(verify_with(f, m, NULL, NULL, 0), MAILAUTH_RESULT_FAIL);
    mailauth_dkim_free(f);
    /* with the default set, Cc is not signed unless over-signed */
    options(&o, rsa);
    f = sign(&o, rsa, msg);
    assert_int_equal(verify_with(f, m, NULL, NULL, 0), MAILAUTH_RESULT_PASS);
    mailauth_dkim_free(f);
    const char *over[] = {"Cc", "From"};
    o.oversign = over;
    o.oversign_count = 2;
    f = sign(&o, rsa, msg);
    assert_int_equal(verify_with(f, msg, NULL, h, sizeof h), MAILAUTH_RESULT_PASS);
    assert_string_equal(h, "From:Subject:Date:To:Message-ID:Cc:From");
    assert_int_equal(verify_with(f, m, NULL, NULL, 0), MAILAUTH_RESULT_FAIL);
    mailauth_dkim_free(f);
    free(m);
}

static void streaming_in_pieces_matches_one_call(void **state)
{
    (void)state;
    mailauth_dkim_sign_options o;
    options(&o, rsa);
    char *whole = sign(&o, rsa, msg);
    size_t n = strlen(msg);
    for (size_t piece = 1; piece < 30; piece += 7) {
        mailauth_dkim_signer *s;
        assert_int_equal(mailauth_dkim_signer_new(&o, rsa, &s), 0);
        for (size_t i = 0; i < n; i += piece)
            assert_int_equal(mailauth_dkim_signer_feed(s, msg + i, n - i < piece ? n - i : piece), 0);
        const char *f;
        size_t len;
        assert_int_equal(mailauth_dkim_signer_finish(s, &f, &len), 0);
        assert_string_equal(f, whole);
        assert_int_equal(mailauth_dkim_signer_finish(s, &f, &len), MAILAUTH_E_INVAL);
        assert_int_equal(mailauth_dkim_signer_feed(s, "x", 1), MAILAUTH_E_INVAL);
        mailauth_dkim_signer_free(s);
    }
    mailauth_dkim_free(whole);
}

static void bare_lf_input_signs_like_crlf(void **state)
{
    (void)state;
    char *lf = without_cr(msg, NULL);
    mailauth_dkim_sign_options o;
    options(&o, ed);
    o.header_canon = MAILAUTH_DKIM_CANON_SIMPLE;
    o.body_canon = MAILAUTH_DKIM_CANON_SIMPLE;
    char *a = sign(&o, ed, lf), *b = sign(&o, ed, msg);
    assert_string_equal(a, b); /* Ed25519 is deterministic */
    assert_int_equal(verify_with(a, msg, NULL, NULL, 0), MAILAUTH_RESULT_PASS);
    mailauth_dkim_free(a);
    mailauth_dkim_free(b);
    free(lf);
}

static void signing_is_refused_without_from(void **state)
{
    (void)state;
    static const char nofrom[] = "Received: from localhost\r\n"
                                 "Message-ID: <example@example.com>\r\n"
                                 "To: somebody@example.com\r\n"
                                 "Subject: Testing\r\n\r\nThis is a test message.\r\n";
    mailauth_dkim_sign_options o;
    options(&o, rsa);
    char *f = (char *)"unchanged";
    assert_int_equal(mailauth_dkim_sign(&o, rsa, nofrom, strlen(nofrom), &f, NULL), MAILAUTH_E_INVAL);
    assert_null(f);
    /* a "From" inside another name is not a From field */
    static const char fake[] = "X-From: a@b\r\nFromage: no\r\n\r\nbody\r\n";
    assert_int_equal(mailauth_dkim_sign(&o, rsa, fake, strlen(fake), &f, NULL), MAILAUTH_E_INVAL);
}

static void bad_options_are_refused(void **state)
{
    (void)state;
    mailauth_dkim_sign_options o;
    mailauth_dkim_signer *s;
    options(&o, rsa);
    assert_int_equal(mailauth_dkim_signer_new(&o, NULL, &s), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_dkim_signer_new(NULL, rsa, &s), MAILAUTH_E_INVAL);
    o.domain = NULL;
    assert_int_equal(mailauth_dkim_signer_new(&o, rsa, &s), MAILAUTH_E_INVAL);
    options(&o, rsa);
    o.selector = "bad selector";
    assert_int_equal(mailauth_dkim_signer_new(&o, rsa, &s), MAILAUTH_E_INVAL);
    options(&o, rsa);
    o.identity = "joe@example.net";
    assert_int_equal(mailauth_dkim_signer_new(&o, rsa, &s), MAILAUTH_E_INVAL);
    options(&o, rsa);
    o.identity = "joe@notfootball.example.com";
    assert_int_equal(mailauth_dkim_signer_new(&o, rsa, &s), MAILAUTH_E_INVAL);
    options(&o, rsa);
    o.header_canon = 7;
    assert_int_equal(mailauth_dkim_signer_new(&o, rsa, &s), MAILAUTH_E_INVAL);
    options(&o, rsa);
    const char *nofrom[] = {"to", "subject"};
    o.headers = nofrom;
    o.header_count = 2;
    assert_int_equal(mailauth_dkim_signer_new(&o, rsa, &s), MAILAUTH_E_INVAL);
    const char *badname[] = {"from", "bad:name"};
    o.headers = badname;
    assert_int_equal(mailauth_dkim_signer_new(&o, rsa, &s), MAILAUTH_E_INVAL);
    mailauth_dkim_signer_free(NULL);
}

static void header_limit_applies_to_the_signer(void **state)
{
    (void)state;
    mailauth_dkim_sign_options o;
    options(&o, ed);
    size_t head = (size_t)(strstr(msg, "\r\n\r\n") - msg) + 2;
    o.max_header_bytes = head;
    char *f = NULL;
    assert_int_equal(mailauth_dkim_sign(&o, ed, msg, strlen(msg), &f, NULL), 0);
    mailauth_dkim_free(f);
    o.max_header_bytes = head - 1;
    assert_int_equal(mailauth_dkim_sign(&o, ed, msg, strlen(msg), &f, NULL), MAILAUTH_E_LIMIT);
    mailauth_dkim_free(NULL);
}

/* ---- allocation failure ------------------------------------------------------------------ */

#include "alloc_budget.h"

/* Every allocation of a signing fails in turn: MAILAUTH_E_NOMEM or the same field as with
 * enough memory, and nothing leaks (the sanitizer build checks). */
static void allocation_failure_anywhere_is_nomem(void **state)
{
    (void)state;
    mailauth_dkim_sign_options o;
    options(&o, rsa);
    const char *over[] = {"From"};
    o.oversign = over;
    o.oversign_count = 1;
    char *want = sign(&o, rsa, msg);
    mailauth_set_allocator(budget_malloc, budget_realloc, free);
    int completed = 0;
    for (size_t limit = 0; limit < 1000 && !completed; limit++) {
        alloc_budget = limit;
        alloc_limited = 1;
        char *f = NULL;
        int rc = mailauth_dkim_sign(&o, rsa, msg, strlen(msg), &f, NULL);
        alloc_limited = 0;
        if (rc && rc != MAILAUTH_E_NOMEM)
            fail_msg("with %zu allocations allowed: %d", limit, rc);
        if (!rc) {
            assert_string_equal(f, want);
            completed = 1;
        } else {
            assert_null(f);
        }
        mailauth_dkim_free(f);
    }
    mailauth_set_allocator(NULL, NULL, NULL);
    assert_true(completed);
    mailauth_dkim_free(want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keys_load_in_every_form),
        cmocka_unit_test(key_record_publishes_the_public_key),
        cmocka_unit_test(round_trip_every_canonicalisation_and_both_algorithms),
        cmocka_unit_test(field_is_folded_at_78_columns_with_crlf),
        cmocka_unit_test(tags_from_the_options),
        cmocka_unit_test(default_header_set_signs_what_is_present),
        cmocka_unit_test(explicit_list_and_oversigning),
        cmocka_unit_test(streaming_in_pieces_matches_one_call),
        cmocka_unit_test(bare_lf_input_signs_like_crlf),
        cmocka_unit_test(signing_is_refused_without_from),
        cmocka_unit_test(bad_options_are_refused),
        cmocka_unit_test(header_limit_applies_to_the_signer),
        cmocka_unit_test(allocation_failure_anywhere_is_nomem),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
