/* test_dkim_verify.c — the DKIM verifier: RFC 8463 appendix A's message (ed25519-sha256 and
 * rsa-sha256) blocking and step by step, pieces of any size and bare LF, every key record rule,
 * DNS failures, time rules with an injected clock, l=, RFC 8301 (rsa-sha1, key size), From
 * not signed, i= outside d=, the signature and header limits, and the result record. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dkim_internal.h"
#include "dkim_test_keys.h"
#include "dkim_test_util.h"
#include "lm_alloc.h"

/* RFC 8463 appendix A.3, with both signatures. */
static const char rfc8463_msg[] =
    "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;\r\n"
    " d=football.example.com; i=@football.example.com;\r\n"
    " q=dns/txt; s=brisbane; t=1528637909; h=from : to :\r\n"
    " subject : date : message-id : from : subject : date;\r\n"
    " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"
    " b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus\r\n"
    " Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==\r\n"
    "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\r\n"
    " d=football.example.com; i=@football.example.com;\r\n"
    " q=dns/txt; s=test; t=1528637909; h=from : to : subject :\r\n"
    " date : message-id : from : subject : date;\r\n"
    " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"
    " b=F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3\r\n"
    " DhCVlUrSjV4BwcVcOF6+FF3Zo9Rpo1tFOeS9mPYQTnGdaSGsgeefOsk2Jz\r\n"
    " dA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8=\r\n"
    "From: Joe SixPack <joe@football.example.com>\r\n"
    "To: Suzie Q <suzie@shopping.example.net>\r\n"
    "Subject: Is dinner ready?\r\n"
    "Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n"
    "Message-ID: <20030712040037.46341.5F8J@football.example.com>\r\n"
    "\r\n"
    "Hi.\r\n"
    "\r\n"
    "We lost the game.  Are you hungry yet?\r\n"
    "\r\n"
    "Joe.\r\n";

/* The same message without signatures, for crafted ones. */
static const char *plain_msg(void) { return strstr(rfc8463_msg, "From: Joe"); }

static mailauth_zone *zone;
static mailauth_resolver resolver;

/* A zone with the two RFC 8463 keys, the test key (rsa_rec, NULL = rsa_record) at
 * test._domainkey.football.example.com, and `extra` master-file lines. */
static void make_zone(const char *rsa_rec, const char *extra)
{
    mailauth_zone_free(zone);
    assert_int_equal(mailauth_zone_new(NULL, &zone), 0);
    char text[8192];
    int n = snprintf(text, sizeof text,
                     "brisbane._domainkey TXT \"%s\"\n"
                     "test._domainkey TXT \"%s\"\n"
                     "small._domainkey TXT \"%s\"\n%s\n",
                     ed25519_record, rsa_rec ? rsa_rec : rsa_record, rsa512_record,
                     extra ? extra : "");
    assert_true(n > 0 && (size_t)n < sizeof text);
    mailauth_zone_error err;
    int rc = mailauth_zone_load(zone, text, (size_t)n, "football.example.com", &err);
    if (rc)
        fail_msg("zone: %s at %zu", err.message, err.line);
    mailauth_zone_resolver(zone, &resolver);
}

static int setup(void **state)
{
    (void)state;
    make_zone(NULL, NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    mailauth_zone_free(zone);
    zone = NULL;
    return 0;
}

static mailauth_dkim_verifier *verify_opts(const char *msg, const mailauth_dkim_verify_options *o)
{
    mailauth_dkim_verifier *v = NULL;
    int rc = mailauth_dkim_verify(o, &resolver, msg, strlen(msg), &v);
    if (rc)
        fail_msg("verify: %s", mailauth_strerror(rc));
    return v;
}

static mailauth_dkim_verifier *verify(const char *msg) { return verify_opts(msg, NULL); }

static mailauth_dkim_signature result(const mailauth_dkim_verifier *v, size_t i)
{
    mailauth_dkim_signature r;
    r.struct_size = sizeof r;
    assert_int_equal(mailauth_dkim_verifier_result(v, i, &r), 0);
    return r;
}

#define assert_verdict(v, i, res, why)                                                     \
    do {                                                                                   \
        mailauth_dkim_signature r_ = result((v), (i));                                     \
        if (r_.result != (res) || r_.reason != (why))                                      \
            fail_msg("signature %zu: %s (%s), expected %s (%s)", (size_t)(i),              \
                     mailauth_result_name(r_.result), r_.reason_text,                      \
                     mailauth_result_name(res), mailauth_dkim_reason_text(why));           \
    } while (0)

/* ---- crafting signatures -------------------------------------------------------------- */

static mailauth_dkim_key *load_key(const char *pem)
{
    mailauth_dkim_key *k = NULL;
    assert_int_equal(mailauth_dkim_key_load(pem, strlen(pem), &k), 0);
    return k;
}

/* Prepends to `msg` a DKIM-Signature of `tags` (all but bh= and b=) signed with `pem` as
 * `alg` (which may differ from a=, to make a lying signature). Returns an allocated message. */
static char *craft_alg(const char *msg, const char *tags, const char *pem, int alg)
{
    ma_dkim_sig s;
    char probe[2048];
    snprintf(probe, sizeof probe, "%s; bh=AAAA; b=AAAA", tags);
    int bad = ma_dkim_sig_parse(probe, strlen(probe), 0, 0, &s);
    int hc = bad ? MA_DKIM_SIMPLE : s.hcanon, bc = bad ? MA_DKIM_SIMPLE : s.bcanon;
    uint64_t l = !bad && s.has_l ? s.l : UINT64_MAX;

    const char *body = strstr(msg, "\r\n\r\n");
    assert_non_null(body);
    body += 4;
    ma_dkim_body b;
    unsigned char bh[64];
    size_t bh_len;
    assert_int_equal(ma_dkim_body_init(&b, bc, alg, l, NULL), 0);
    ma_dkim_body_feed(&b, (const unsigned char *)body, strlen(body));
    assert_int_equal(ma_dkim_body_finish(&b, bh, &bh_len), 0);
    ma_dkim_body_free(&b);
    char *bh64;
    assert_int_equal(ma_dkim_b64_encode(bh, bh_len, &bh64, NULL), 0);

    lm_buf field = LM_BUF_INIT, data = LM_BUF_INIT;
    lm_buf_puts(&field, "DKIM-Signature: ");
    lm_buf_puts(&field, tags);
    lm_buf_puts(&field, ";\r\n bh=");
    lm_buf_puts(&field, bh64);
    lm_buf_puts(&field, "; b=");
    lm_free(bh64);

    size_t head_len = (size_t)(body - msg) - 2;
    ma_dkim_field *f;
    size_t nf;
    assert_int_equal(ma_dkim_split_fields(msg, head_len, 1000, &f, &nf), 0);
    unsigned char *used = calloc(nf + 1, 1);
    if (!bad)
        assert_int_equal(ma_dkim_canon_selected(hc, msg, f, nf, used, (const char *const *)s.h,
                                                s.h_lens, s.h_count, &data), 0);
    assert_int_equal(ma_dkim_canon_header(hc, field.data, field.len, 1, &data), 0);
    free(used);
    lm_free(f);
    ma_dkim_sig_free(&s);

    mailauth_dkim_key *k = load_key(pem);
    unsigned char *sig;
    size_t sig_len;
    assert_int_equal(ma_dkim_sign_data(alg, ma_dkim_key_pkey(k), (unsigned char *)data.data,
                                       data.len, &sig, &sig_len), 0);
    mailauth_dkim_key_free(k);
    char *b64;
    assert_int_equal(ma_dkim_b64_encode(sig, sig_len, &b64, NULL), 0);
    lm_free(sig);
    lm_buf_puts(&field, b64);
    lm_buf_puts(&field, "\r\n");
    lm_buf_puts(&field, msg);
    lm_free(b64);
    lm_buf_free(&data);
    size_t n;
    char *out = lm_buf_take(&field, &n);
    assert_non_null(out);
    return out;
}

static char *craft(const char *msg, const char *tags)
{
    int alg = strstr(tags, "a=rsa-sha1") ? MA_DKIM_RSA_SHA1
              : strstr(tags, "a=ed25519") ? MA_DKIM_ED25519_SHA256 : MA_DKIM_RSA_SHA256;
    return craft_alg(msg, tags, alg == MA_DKIM_ED25519_SHA256 ? ed25519_pkcs8_pem : rsa_pkcs1_pem,
                     alg);
}

#define BASE_NOSEL "v=1; a=rsa-sha256; c=relaxed/relaxed; d=football.example.com; "
#define BASE_TAGS BASE_NOSEL "s=test; "

/* One crafted signature verified at `now` (0 = real clock) with `o` (may be NULL). */
static mailauth_dkim_signature check_crafted(const char *tags, int64_t now,
                                             mailauth_dkim_verify_options *o)
{
    mailauth_dkim_verify_options def;
    if (!o) {
        mailauth_dkim_verify_options_init(&def);
        o = &def;
    }
    if (now) {
        o->clock = fixed_clock;
        o->clock_user = &now;
    }
    char *m = craft(plain_msg(), tags);
    mailauth_dkim_verifier *v = verify_opts(m, o);
    lm_free(m);
    assert_int_equal(mailauth_dkim_verifier_count(v), 1);
    mailauth_dkim_signature r = result(v, 0);
    /* the strings live in the verifier: copy what the tests read */
    static char reason[128];
    snprintf(reason, sizeof reason, "%s", r.reason_text);
    r.reason_text = reason;
    r.domain = r.selector = r.identity = r.algorithm = r.canonicalization = r.headers =
        r.signature = NULL;
    mailauth_dkim_verifier_free(v);
    return r;
}

#define assert_crafted(tags, now, o, res, why)                                            \
    do {                                                                                   \
        mailauth_dkim_signature r_ = check_crafted((tags), (now), (o));                    \
        if (r_.result != (res) || r_.reason != (why))                                      \
            fail_msg("%s: %s (%s), expected %s (%s)", (tags),                              \
                     mailauth_result_name(r_.result), r_.reason_text,                      \
                     mailauth_result_name(res), mailauth_dkim_reason_text(why));           \
    } while (0)

/* ---- tests ------------------------------------------------------------------------------ */

static void rfc8463_example_both_signatures_pass(void **state)
{
    (void)state;
    mailauth_dkim_verifier *v = verify(rfc8463_msg);
    assert_int_equal(mailauth_dkim_verifier_count(v), 2);
    assert_verdict(v, 0, MAILAUTH_RESULT_PASS, MAILAUTH_DKIM_OK);
    assert_verdict(v, 1, MAILAUTH_RESULT_PASS, MAILAUTH_DKIM_OK);
    mailauth_dkim_signature r = result(v, 0);
    assert_string_equal(r.domain, "football.example.com");
    assert_string_equal(r.selector, "brisbane");
    assert_string_equal(r.identity, "@football.example.com");
    assert_string_equal(r.algorithm, "ed25519-sha256");
    assert_string_equal(r.canonicalization, "relaxed/relaxed");
    assert_int_equal(r.timestamp, 1528637909);
    assert_int_equal(r.expiration, -1);
    assert_false(r.has_body_length);
    assert_memory_equal(r.signature, "/gCrinpc", 8);
    r = result(v, 1);
    assert_string_equal(r.selector, "test");
    assert_int_equal(r.key_bits, 1024);
    assert_string_equal(r.reason_text, "signature verified");
    mailauth_dkim_verifier_free(v);
}

static int step_all(mailauth_dkim_verifier *v, unsigned *asked)
{
    mailauth_query q;
    mailauth_dns_answer *a;
    assert_int_equal(mailauth_dns_answer_new(&a), 0);
    int rc;
    *asked = 0;
    while ((rc = mailauth_dkim_verifier_step(v, &q)) == MAILAUTH_NEED_DNS) {
        assert_int_equal(q.type, MAILAUTH_RR_TXT);
        assert_int_equal(mailauth_resolve(&resolver, q.name, q.type, a), 0);
        assert_int_equal(mailauth_dkim_verifier_answer(v, a), 0);
        (*asked)++;
    }
    mailauth_dns_answer_free(a);
    return rc;
}

static void step_by_step_gives_the_same_results_as_blocking(void **state)
{
    (void)state;
    make_zone(NULL, "dup._domainkey TXT \"v=DKIM1; p=\"\ndup._domainkey TXT \"v=DKIM1; t=y; p=\"");
    /* four signatures: the two of RFC 8463, one on a missing key, one on two records */
    char *m1 = craft(rfc8463_msg, BASE_NOSEL "h=from; s=nokey");
    char *m2 = craft(m1, "v=1; a=rsa-sha256; d=football.example.com; s=dup; h=from");
    mailauth_dkim_verifier *v, *b = verify(m2);
    assert_int_equal(mailauth_dkim_verifier_new(NULL, &v), 0);
    assert_int_equal(mailauth_dkim_verifier_feed(v, m2, strlen(m2)), 0);
    assert_int_equal(mailauth_dkim_verifier_finish(v), 0);
    mailauth_query q;
    assert_int_equal(mailauth_dkim_verifier_answer(v, NULL), MAILAUTH_E_INVAL);
    unsigned asked;
    assert_int_equal(step_all(v, &asked), 0);
    assert_int_equal(asked, 4);
    assert_int_equal(mailauth_dkim_verifier_step(v, &q), 0); /* done stays done */
    assert_int_equal(mailauth_dkim_verifier_count(v), 4);
    for (size_t i = 0; i < 4; i++) {
        mailauth_dkim_signature x = result(v, i), y = result(b, i);
        assert_int_equal(x.result, y.result);
        assert_int_equal(x.reason, y.reason);
    }
    assert_verdict(v, 0, MAILAUTH_RESULT_PERMERROR, MAILAUTH_DKIM_KEY_MULTIPLE);
    assert_verdict(v, 1, MAILAUTH_RESULT_PERMERROR, MAILAUTH_DKIM_KEY_NOT_FOUND);
    assert_verdict(v, 2, MAILAUTH_RESULT_PASS, MAILAUTH_DKIM_OK);
    assert_verdict(v, 3, MAILAUTH_RESULT_PASS, MAILAUTH_DKIM_OK);
    mailauth_dkim_verifier_free(v);
    mailauth_dkim_verifier_free(b);
    lm_free(m1);
    lm_free(m2);
}

static void pieces_of_any_size_and_bare_lf_give_the_same(void **state)
{
    (void)state;
    /* the message with bare LF line ends */
    size_t n;
    char *lf = without_cr(rfc8463_msg, &n);
    for (int variant = 0; variant < 2; variant++) {
        const char *m = variant ? lf : rfc8463_msg;
        size_t len = variant ? n : strlen(rfc8463_msg);
        for (size_t piece = 1; piece < 40; piece += 6) {
            mailauth_dkim_verifier *v;
            assert_int_equal(mailauth_dkim_verifier_new(NULL, &v), 0);
            for (size_t i = 0; i < len; i += piece)
                assert_int_equal(mailauth_dkim_verifier_feed(v, m + i, len - i < piece ? len - i : piece), 0);
            assert_int_equal(mailauth_dkim_verifier_finish(v), 0);
            assert_int_equal(mailauth_dkim_verifier_run(v, &resolver), 0);
            assert_verdict(v, 0, MAILAUTH_RESULT_PASS, MAILAUTH_DKIM_OK);
            assert_verdict(v, 1, MAILAUTH_RESULT_PASS, MAILAUTH_DKIM_OK);
            mailauth_dkim_verifier_free(v);
        }
    }
    free(lf);
}

static char *replace(const char *s, const char *from, const char *to)
{
    const char *p = strstr(s, from);
    assert_non_null(p);
    size_t n = strlen(s) - strlen(from) + strlen(to);
    char *o = malloc(n + 1);
    size_t k = (size_t)(p - s);
    memcpy(o, s, k);
    strcpy(o + k, to);
    strcat(o, p + strlen(from));
    return o;
}

static void altered_body_fails_with_body_hash(void **state)
{
    (void)state;
    char *m = replace(rfc8463_msg, "hungry", "thirsty");
    mailauth_dkim_verifier *v = verify(m);
    assert_verdict(v, 0, MAILAUTH_RESULT_FAIL, MAILAUTH_DKIM_BODY_HASH);
    assert_verdict(v, 1, MAILAUTH_RESULT_FAIL, MAILAUTH_DKIM_BODY_HASH);
    mailauth_dkim_verifier_free(v);
    free(m);
    /* relaxed: whitespace changes inside lines do not matter */
    m = replace(rfc8463_msg, "game.  Are", "game. \t Are");
    v = verify(m);
    assert_verdict(v, 0, MAILAUTH_RESULT_PASS, MAILAUTH_DKIM_OK);
    mailauth_dkim_verifier_free(v);
    free(m);
}

static void altered_header_fails_and_unsigned_header_does_not_matter(void **state)
{
    (void)state;
    char *m = replace(rfc8463_msg, "Is dinner ready?", "Is lunch ready?");
    mailauth_dkim_verifier *v = verify(m);
    assert_verdict(v, 0, MAILAUTH_RESULT_FAIL, MAILAUTH_DKIM_BAD_SIGNATURE);
    assert_verdict(v, 1, MAILAUTH_RESULT_FAIL, MAILAUTH_DKIM_BAD_SIGNATURE);
    mailauth_dkim_verifier_free(v);
    free(m);
    m = replace(rfc8463_msg, "From: Joe", "X-Added: yes\r\nFrom: Joe");
    v = verify(m);
    assert_verdict(v, 0, MAILAUTH_RESULT_PASS, MAILAUTH_DKIM_OK);
    mailauth_dkim_verifier_free(v);
    free(m);
    /* a second From added below breaks it: From is over-signed (listed twice) */
    m = replace(rfc8463_msg, "\r\n\r\nHi.", "\r\nFrom: evil@example.net\r\n\r\nHi.");
    v = verify(m);
    assert_verdict(v, 0, MAILAUTH_RESULT_FAIL, MAILAUTH_DKIM_BAD_SIGNATURE);
    mailauth_dkim_verifier_free(v);
    free(m);
}

/* The rsa signature of the RFC 8463 message against `rec` at test._domainkey. */
static mailauth_dkim_signature with_key_record(const char *rec)
{
    make_zone(rec, NULL);
    mailauth_dkim_verifier *v = verify(rfc8463_msg);
    mailauth_dkim_signature r = result(v, 1);
    r.domain = r.selector = r.identity = r.algorithm = r.canonicalization = r.headers =
        r.signature = NULL;
    mailauth_dkim_verifier_free(v);
    return r;
}

#define RSA_P "p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB"
/* The same key as a bare RSAPublicKey (PKCS#1). */
#define RSA_P_PKCS1 "p=MIGJAoGBAOQeU5CgFPNZGIazlXo2k/eJ1jpaTTxrmqF1HrDLlt04pvaMtCJj8nXoliLRC/H9vJjMI1vdb3XLcW60AIN/PBD8EL97/y4GwJH7LPUvGP48vqUe+owqszesbiGy1PlCO8c70/OjFnJVgvMF87YR4Lcincb7aSvI5MgpP6X8rjDdAgMBAAE="

#define assert_key(rec, res, why)                                                          \
    do {                                                                                   \
        mailauth_dkim_signature r_ = with_key_record(rec);                                 \
        if (r_.result != (res) || r_.reason != (why))                                      \
            fail_msg("%s: %s (%s)", (rec), mailauth_result_name(r_.result),                \
                     mailauth_dkim_reason_text(r_.reason));                                \
    } while (0)

static void key_record_rules(void **state)
{
    (void)state;
    assert_key("v=DKIM1; k=rsa; " RSA_P, MAILAUTH_RESULT_PASS, MAILAUTH_DKIM_OK);
    assert_key(RSA_P, MAILAUTH_RESULT_PASS, MAILAUTH_DKIM_OK);                /* all optional */
    assert_key("k=rsa; " RSA_P_PKCS1, MAILAUTH_RESULT_PASS, MAILAUTH_DKIM_OK); /* bare key */
    assert_key("v=DKIM1; s=email:*; h=sha1:sha256; " RSA_P, MAILAUTH_RESULT_PASS, MAILAUTH_DKIM_OK);
    assert_key("v=DKIM1; s=*; " RSA_P, MAILAUTH_RESULT_PASS, MAILAUTH_DKIM_OK);
    assert_key("v=DKIM1; foo=bar; " RSA_P, MAILAUTH_RESULT_PASS, MAILAUTH_DKIM_OK); /* unknown tag */
    assert_key("v=DKIM1: g=*; k=rsa; " RSA_P, MAILAUTH_RESULT_PERMERROR, MAILAUTH_DKIM_KEY_VERSION);
    assert_key("k=rsa; v=DKIM1; " RSA_P, MAILAUTH_RESULT_PERMERROR, MAILAUTH_DKIM_KEY_VERSION);
    assert_key("v=DKIM1; k=ed25519-sha256; " RSA_P, MAILAUTH_RESULT_PERMERROR,
               MAILAUTH_DKIM_KEY_UNKNOWN_TYPE);
    assert_key("v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
               MAILAUTH_RESULT_PERMERROR, MAILAUTH_DKIM_KEY_TYPE_MISMATCH);
    assert_key("v=DKIM1; h=sha1; " RSA_P, MAILAUTH_RESULT_PERMERROR, MAILAUTH_DKIM_KEY_HASH);
    assert_key("v=DKIM1; s=tlsrpt; " RSA_P, MAILAUTH_RESULT_PERMERROR, MAILAUTH_DKIM_KEY_SERVICE);
    assert_key("v=DKIM1; p=", MAILAUTH_RESULT_PERMERROR, MAILAUTH_DKIM_KEY_REVOKED);
    assert_key("v=DKIM1; k=rsa", MAILAUTH_RESULT_PERMERROR, MAILAUTH_DKIM_KEY_SYNTAX);
    assert_key("v=DKIM1; p=MIGf!", MAILAUTH_RESULT_PERMERROR, MAILAUTH_DKIM_KEY_INVALID);
    assert_key("v=DKIM1; p=AAAA", MAILAUTH_RESULT_PERMERROR, MAILAUTH_DKIM_KEY_INVALID);
    assert_key("v=DKIM1; p", MAILAUTH_RESULT_PERMERROR, MAILAUTH_DKIM_KEY_SYNTAX);
    /* dkimpy's test_bad.txt: a corrupted key */
    assert_key("v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQA=",
               MAILAUTH_RESULT_PERMERROR, MAILAUTH_DKIM_KEY_INVALID);
    mailauth_dkim_signature r = with_key_record("v=DKIM1; t=y; " RSA_P);
    assert_int_equal(r.result, MAILAUTH_RESULT_PASS);
    assert_true(r.key_testing);
}

static void dns_failures(void **state)
{
    (void)state;
    make_zone(NULL, NULL);
    assert_int_equal(mailauth_zone_fail(zone, "test._domainkey.football.example.com",
                                        MAILAUTH_RR_TXT, MAILAUTH_DNS_TEMPFAIL), 0);
    mailauth_dkim_verifier *v = verify(rfc8463_msg);
    assert_verdict(v, 0, MAILAUTH_RESULT_PASS, MAILAUTH_DKIM_OK);
    assert_verdict(v, 1, MAILAUTH_RESULT_TEMPERROR, MAILAUTH_DKIM_KEY_TEMPFAIL);
    mailauth_dkim_verifier_free(v);
    make_zone(NULL, NULL);
    assert_int_equal(mailauth_zone_fail(zone, "brisbane._domainkey.football.example.com", 0,
                                        MAILAUTH_DNS_NXDOMAIN), 0);
    assert_int_equal(mailauth_zone_fail(zone, "test._domainkey.football.example.com", 0,
                                        MAILAUTH_DNS_NODATA), 0);
    v = verify(rfc8463_msg);
    assert_verdict(v, 0, MAILAUTH_RESULT_PERMERROR, MAILAUTH_DKIM_KEY_NOT_FOUND);
    assert_verdict(v, 1, MAILAUTH_RESULT_PERMERROR, MAILAUTH_DKIM_KEY_NOT_FOUND);
    mailauth_dkim_verifier_free(v);
}

static void time_rules_use_the_injected_clock(void **state)
{
    (void)state;
    make_zone(NULL, NULL);
    const char *tags = BASE_TAGS "h=from; t=1000000; x=2000000";
    assert_crafted(tags, 1500000, NULL, MAILAUTH_RESULT_PASS, MAILAUTH_DKIM_OK);
    assert_crafted(tags, 2000000 + 300, NULL, MAILAUTH_RESULT_PASS, MAILAUTH_DKIM_OK); /* skew */
    assert_crafted(tags, 2000000 + 301, NULL, MAILAUTH_RESULT_PERMERROR, MAILAUTH_DKIM_SIG_EXPIRED);
    /* t= up to a day ahead is tolerated by default */
    assert_crafted(tags, 1000000 - 86400, NULL, MAILAUTH_RESULT_PASS, MAILAUTH_DKIM_OK);
    assert_crafted(tags, 1000000 - 86401, NULL, MAILAUTH_RESULT_PERMERROR, MAILAUTH_DKIM_SIG_FUTURE);
    mailauth_dkim_verify_options o;
    mailauth_dkim_verify_options_init(&o);
    o.clock_skew = -1; /* none */
    assert_crafted(tags, 2000001, &o, MAILAUTH_RESULT_PERMERROR, MAILAUTH_DKIM_SIG_EXPIRED);
    mailauth_dkim_verify_options_init(&o);
    o.clock_skew = -1;
    assert_crafted(tags, 2000000, &o, MAILAUTH_RESULT_PASS, MAILAUTH_DKIM_OK);
    mailauth_dkim_verify_options_init(&o);
    o.future_tolerance = 300;
    assert_crafted(tags, 1000000 - 300, &o, MAILAUTH_RESULT_PASS, MAILAUTH_DKIM_OK);
    mailauth_dkim_verify_options_init(&o);
    o.future_tolerance = 300;
    assert_crafted(tags, 1000000 - 301, &o, MAILAUTH_RESULT_PERMERROR, MAILAUTH_DKIM_SIG_FUTURE);
    mailauth_dkim_verify_options_init(&o);
    o.future_tolerance = -1; /* never refused */
    assert_crafted(tags, 1, &o, MAILAUTH_RESULT_PASS, MAILAUTH_DKIM_OK);
    assert_crafted(BASE_TAGS "h=from; t=20; x=10", 15, NULL, MAILAUTH_RESULT_PERMERROR,
                   MAILAUTH_DKIM_SIG_X_BEFORE_T);
}

static void body_length_is_reported_and_checked(void **state)
{
    (void)state;
    make_zone(NULL, NULL);
    /* l=10 covers "Hi.\r\n\r\nWe l": text appended after it does not matter */
    char *m = craft(plain_msg(), BASE_TAGS "h=from; l=10");
    char *longer = malloc(strlen(m) + 64);
    strcpy(longer, m);
    strcat(longer, "Appended by a list.\r\n");
    mailauth_dkim_verifier *v = verify(longer);
    assert_verdict(v, 0, MAILAUTH_RESULT_PASS, MAILAUTH_DKIM_OK);
    mailauth_dkim_signature r = result(v, 0);
    assert_true(r.has_body_length);
    assert_int_equal(r.body_length, 10);
    assert_true(r.body_total > r.body_length);
    mailauth_dkim_verifier_free(v);
    /* a body shorter than l= */
    char *shortm = craft("From: joe@football.example.com\r\n\r\nHi.\r\n", BASE_TAGS "h=from; l=10");
    v = verify(shortm);
    assert_verdict(v, 0, MAILAUTH_RESULT_PERMERROR, MAILAUTH_DKIM_SIG_BODY_LENGTH);
    mailauth_dkim_verifier_free(v);
    lm_free(shortm);
    free(longer);
    lm_free(m);
}

static void rsa_sha1_is_refused_unless_allowed(void **state)
{
    (void)state;
    make_zone(NULL, NULL);
    const char *tags = "v=1; a=rsa-sha1; c=relaxed/relaxed; d=football.example.com; s=test; h=from";
    assert_crafted(tags, 0, NULL, MAILAUTH_RESULT_FAIL, MAILAUTH_DKIM_WEAK_ALGORITHM);
    mailauth_dkim_verify_options o;
    mailauth_dkim_verify_options_init(&o);
    o.allow_sha1 = 1;
    assert_crafted(tags, 0, &o, MAILAUTH_RESULT_PASS, MAILAUTH_DKIM_OK);
}

static void rsa_key_size_minimum(void **state)
{
    (void)state;
    make_zone(NULL, NULL);
    char *m = craft_alg(plain_msg(), BASE_NOSEL "h=from; s=small", rsa512_pem, MA_DKIM_RSA_SHA256);
    mailauth_dkim_verifier *v = verify(m);
    assert_verdict(v, 0, MAILAUTH_RESULT_FAIL, MAILAUTH_DKIM_KEY_TOO_SMALL);
    assert_int_equal(result(v, 0).key_bits, 512);
    mailauth_dkim_verifier_free(v);
    mailauth_dkim_verify_options o;
    mailauth_dkim_verify_options_init(&o);
    o.min_rsa_bits = 512;
    v = verify_opts(m, &o);
    assert_verdict(v, 0, MAILAUTH_RESULT_PASS, MAILAUTH_DKIM_OK);
    mailauth_dkim_verifier_free(v);
    o.min_rsa_bits = 2048; /* the 1024-bit key is now too small too */
    v = verify_opts(rfc8463_msg, &o);
    assert_verdict(v, 1, MAILAUTH_RESULT_FAIL, MAILAUTH_DKIM_KEY_TOO_SMALL);
    mailauth_dkim_verifier_free(v);
    lm_free(m);
}

static void signature_rules(void **state)
{
    (void)state;
    make_zone("v=DKIM1; t=s; " RSA_P, NULL);
    assert_crafted(BASE_TAGS "h=to:subject", 0, NULL, MAILAUTH_RESULT_PERMERROR,
                   MAILAUTH_DKIM_SIG_FROM_NOT_SIGNED);
    assert_crafted(BASE_TAGS "h=from; i=joe@example.net", 0, NULL, MAILAUTH_RESULT_PERMERROR,
                   MAILAUTH_DKIM_SIG_IDENTITY);
    assert_crafted(BASE_TAGS "h=from; i=joe@football.example.com", 0, NULL, MAILAUTH_RESULT_PASS,
                   MAILAUTH_DKIM_OK);
    /* t=s in the key: a subdomain in i= is refused */
    assert_crafted(BASE_TAGS "h=from; i=joe@sub.football.example.com", 0, NULL,
                   MAILAUTH_RESULT_PERMERROR, MAILAUTH_DKIM_KEY_STRICT);
    make_zone(NULL, NULL);
    assert_crafted(BASE_TAGS "h=from; i=joe@sub.football.example.com", 0, NULL,
                   MAILAUTH_RESULT_PASS, MAILAUTH_DKIM_OK);
    assert_crafted(BASE_TAGS "h=from; q=dns/txt:other", 0, NULL, MAILAUTH_RESULT_PASS,
                   MAILAUTH_DKIM_OK);
    /* h= naming DKIM-Signature means the signatures already there, never the one verified:
     * listed three times over two existing ones, the third finds nothing */
    char *ms = craft(rfc8463_msg, BASE_TAGS "h=from:dkim-signature:dkim-signature:dkim-signature");
    mailauth_dkim_verifier *vs = verify(ms);
    assert_verdict(vs, 0, MAILAUTH_RESULT_PASS, MAILAUTH_DKIM_OK);
    mailauth_dkim_verifier_free(vs);
    lm_free(ms);
    /* a= says ed25519 but the key record is rsa */
    assert_crafted("v=1; a=ed25519-sha256; d=football.example.com; s=test; h=from", 0, NULL,
                   MAILAUTH_RESULT_PERMERROR, MAILAUTH_DKIM_KEY_TYPE_MISMATCH);
    /* an ed25519 signature made with the other key does not verify */
    char *m = craft_alg(plain_msg(), "v=1; a=rsa-sha256; d=football.example.com; s=test; h=from",
                        rsa512_pem, MA_DKIM_RSA_SHA256);
    mailauth_dkim_verifier *v = verify(m);
    assert_verdict(v, 0, MAILAUTH_RESULT_FAIL, MAILAUTH_DKIM_BAD_SIGNATURE);
    mailauth_dkim_verifier_free(v);
    lm_free(m);
}

static void malformed_signature_fields_are_permerror(void **state)
{
    (void)state;
    static const char *const fields[] = {
        "DKIM-Signature: v=1; a=rsa-sha256; =oops\r\n",
        "DKIM-Signature: v=1; a=rsa-sha256; d=x; s=y; h=from; bh=AAAA; b=AA!A\r\n",
        "DKIM-Signature\r\n",
        "DKIM-Signature: v=1; v=1\r\n",
        "DKIM-Signature: v=1; a=rsa-sha256; d=x..y; s=y; h=from; bh=AAAA; b=AAAA\r\n",
    };
    static const int reasons[] = {MAILAUTH_DKIM_SIG_SYNTAX, MAILAUTH_DKIM_SIG_BASE64,
                                  MAILAUTH_DKIM_SIG_SYNTAX, MAILAUTH_DKIM_SIG_SYNTAX,
                                  MAILAUTH_DKIM_SIG_VALUE};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        char m[1024];
        snprintf(m, sizeof m, "%s%s", fields[i], plain_msg());
        mailauth_dkim_verifier *v = verify(m);
        assert_int_equal(mailauth_dkim_verifier_count(v), 1);
        assert_verdict(v, 0, MAILAUTH_RESULT_PERMERROR, reasons[i]);
        mailauth_dkim_verifier_free(v);
    }
}

static void signatures_past_the_limit_are_not_checked(void **state)
{
    (void)state;
    make_zone(NULL, NULL);
    mailauth_dkim_verify_options o;
    mailauth_dkim_verify_options_init(&o);
    o.max_signatures = 2;
    mailauth_dkim_verifier *v = verify_opts(rfc8463_msg, &o); /* exactly at the limit */
    assert_verdict(v, 1, MAILAUTH_RESULT_PASS, MAILAUTH_DKIM_OK);
    mailauth_dkim_verifier_free(v);
    char *m = craft(rfc8463_msg, BASE_TAGS "h=from");
    v = verify_opts(m, &o);
    assert_int_equal(mailauth_dkim_verifier_count(v), 3);
    assert_verdict(v, 0, MAILAUTH_RESULT_PASS, MAILAUTH_DKIM_OK);
    assert_verdict(v, 1, MAILAUTH_RESULT_PASS, MAILAUTH_DKIM_OK);
    assert_verdict(v, 2, MAILAUTH_RESULT_NONE, MAILAUTH_DKIM_NOT_CHECKED);
    mailauth_dkim_verifier_free(v);
    lm_free(m);
}

static void header_limits_at_and_one_past(void **state)
{
    (void)state;
    size_t head = (size_t)(strstr(rfc8463_msg, "\r\n\r\n") - rfc8463_msg) + 2;
    mailauth_dkim_verify_options o;
    mailauth_dkim_verify_options_init(&o);
    o.max_header_bytes = head;
    mailauth_dkim_verifier *v = verify_opts(rfc8463_msg, &o);
    assert_verdict(v, 0, MAILAUTH_RESULT_PASS, MAILAUTH_DKIM_OK);
    mailauth_dkim_verifier_free(v);
    o.max_header_bytes = head - 1;
    assert_int_equal(mailauth_dkim_verify(&o, &resolver, rfc8463_msg, strlen(rfc8463_msg), &v),
                     MAILAUTH_E_LIMIT);
    assert_null(v);
    mailauth_dkim_verify_options_init(&o);
    o.max_header_fields = 7;
    v = verify_opts(rfc8463_msg, &o);
    assert_int_equal(mailauth_dkim_verifier_count(v), 2);
    mailauth_dkim_verifier_free(v);
    o.max_header_fields = 6;
    assert_int_equal(mailauth_dkim_verifier_new(&o, &v), 0);
    assert_int_equal(mailauth_dkim_verifier_feed(v, rfc8463_msg, strlen(rfc8463_msg)),
                     MAILAUTH_E_LIMIT);
    assert_int_equal(mailauth_dkim_verifier_finish(v), MAILAUTH_E_LIMIT);
    mailauth_dkim_verifier_free(v);
}

static void unsigned_message_and_header_only_message(void **state)
{
    (void)state;
    mailauth_dkim_verifier *v = verify(plain_msg());
    assert_int_equal(mailauth_dkim_verifier_count(v), 0);
    mailauth_dkim_signature r;
    r.struct_size = sizeof r;
    assert_int_equal(mailauth_dkim_verifier_result(v, 0, &r), MAILAUTH_E_INVAL);
    mailauth_dkim_verifier_free(v);
    v = verify("From: a@b.example\r\nSubject: no body");
    assert_int_equal(mailauth_dkim_verifier_count(v), 0);
    mailauth_dkim_verifier_free(v);
    v = verify("");
    assert_int_equal(mailauth_dkim_verifier_count(v), 0);
    mailauth_dkim_verifier_free(v);
}

static void call_errors(void **state)
{
    (void)state;
    mailauth_dkim_verifier *v;
    mailauth_query q;
    assert_int_equal(mailauth_dkim_verifier_new(NULL, NULL), MAILAUTH_E_INVAL);
    mailauth_dkim_verify_options o;
    mailauth_dkim_verify_options_init(&o);
    o.struct_size = sizeof o + 8;
    assert_int_equal(mailauth_dkim_verifier_new(&o, &v), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_dkim_verifier_new(NULL, &v), 0);
    assert_int_equal(mailauth_dkim_verifier_step(v, &q), MAILAUTH_E_INVAL); /* before finish */
    assert_int_equal(mailauth_dkim_verifier_run(v, &resolver), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_dkim_verifier_count(v), 0);
    assert_int_equal(mailauth_dkim_verifier_feed(v, NULL, 1), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_dkim_verifier_finish(v), 0);
    assert_int_equal(mailauth_dkim_verifier_finish(v), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_dkim_verifier_feed(v, "x", 1), MAILAUTH_E_INVAL);
    mailauth_dkim_verifier_free(v);
    mailauth_dkim_verifier_free(NULL);
    assert_string_equal(mailauth_dkim_reason_text(MAILAUTH_DKIM_BODY_HASH), "body hash did not verify");
    assert_string_equal(mailauth_dkim_reason_text(-1), "unknown reason");
    assert_string_equal(mailauth_dkim_reason_text(1000), "unknown reason");
}

/* ---- allocation failure ------------------------------------------------------------------ */

#include "alloc_budget.h"

/* Every allocation of a verification fails in turn: the call gives MAILAUTH_E_NOMEM or the
 * right verdicts, and nothing leaks (the sanitizer build checks). */
static void allocation_failure_anywhere_is_nomem(void **state)
{
    (void)state;
    make_zone(NULL, NULL);
    mailauth_set_allocator(budget_malloc, budget_realloc, free);
    int completed = 0;
    for (size_t limit = 0; limit < 2000 && !completed; limit++) {
        alloc_budget = limit;
        alloc_limited = 1;
        mailauth_dkim_verifier *v = NULL;
        int rc = mailauth_dkim_verify(NULL, &resolver, rfc8463_msg, strlen(rfc8463_msg), &v);
        alloc_limited = 0;
        if (rc && rc != MAILAUTH_E_NOMEM)
            fail_msg("with %zu allocations allowed: %d", limit, rc);
        if (!rc) {
            assert_verdict(v, 0, MAILAUTH_RESULT_PASS, MAILAUTH_DKIM_OK);
            assert_verdict(v, 1, MAILAUTH_RESULT_PASS, MAILAUTH_DKIM_OK);
            completed = 1;
        } else {
            assert_null(v);
        }
        mailauth_dkim_verifier_free(v);
    }
    mailauth_set_allocator(NULL, NULL, NULL);
    assert_true(completed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc8463_example_both_signatures_pass),
        cmocka_unit_test(step_by_step_gives_the_same_results_as_blocking),
        cmocka_unit_test(pieces_of_any_size_and_bare_lf_give_the_same),
        cmocka_unit_test(altered_body_fails_with_body_hash),
        cmocka_unit_test(altered_header_fails_and_unsigned_header_does_not_matter),
        cmocka_unit_test(key_record_rules),
        cmocka_unit_test(dns_failures),
        cmocka_unit_test(time_rules_use_the_injected_clock),
        cmocka_unit_test(body_length_is_reported_and_checked),
        cmocka_unit_test(rsa_sha1_is_refused_unless_allowed),
        cmocka_unit_test(rsa_key_size_minimum),
        cmocka_unit_test(signature_rules),
        cmocka_unit_test(malformed_signature_fields_are_permerror),
        cmocka_unit_test(signatures_past_the_limit_are_not_checked),
        cmocka_unit_test(header_limits_at_and_one_past),
        cmocka_unit_test(unsigned_message_and_header_only_message),
        cmocka_unit_test(call_errors),
        cmocka_unit_test(allocation_failure_anywhere_is_nomem),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
