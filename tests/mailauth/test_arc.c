/* test_arc.c — ARC (RFC 8617): sealing with RSA and Ed25519 and verifying what was sealed,
 * chains of three hops, every structural fault (missing member, duplicate, gap, instance out
 * of range), the cv rules, tampering with the body (AMS) and with an AAR (AS), weak keys and
 * algorithms, DNS failures, the sealer's refusals and inputs, both DNS modes giving the same
 * verdict, pieces of any size, and allocation failure. Keys are made at start-up; DNS data
 * comes from an in-memory zone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "mailauth.h"

static mailauth_dkim_key *rsa_key, *ed_key, *rsa512_key, *rsa_key2;
static char zone_text[16384];

static const char base_msg[] =
    "Authentication-Results: relay.example.org; spf=pass smtp.mailfrom=a@origin.example;\r\n"
    "  dkim=pass (1024-bit key) header.d=origin.example\r\n"
    "Authentication-Results: other.example; spf=fail\r\n"
    "Received: from mx.origin.example by relay.example.org; Tue, 3 Jan 2017 12:22:54 -0800\r\n"
    "MIME-Version: 1.0\r\n"
    "Message-ID: <1@origin.example>\r\n"
    "Date: Thu, 14 Jan 2015 15:00:01 -0800\r\n"
    "From: Sender <a@origin.example>\r\n"
    "To: list@example.org\r\n"
    "Subject: ARC test\r\n"
    "\r\n"
    "Hello,\r\n"
    "this is the body.\r\n";

/* ---- keys and DNS ------------------------------------------------------------------------- */

static mailauth_dkim_key *make_key(const char *type, unsigned bits)
{
    EVP_PKEY *pk = bits ? EVP_PKEY_Q_keygen(NULL, NULL, type, (size_t)bits)
                        : EVP_PKEY_Q_keygen(NULL, NULL, type);
    assert_non_null(pk);
    BIO *bio = BIO_new(BIO_s_mem());
    assert_non_null(bio);
    assert_int_equal(PEM_write_bio_PrivateKey(bio, pk, NULL, NULL, 0, NULL, NULL), 1);
    char *pem;
    long n = BIO_get_mem_data(bio, &pem);
    mailauth_dkim_key *k = NULL;
    assert_int_equal(mailauth_dkim_key_load(pem, (size_t)n, &k), 0);
    BIO_free(bio);
    EVP_PKEY_free(pk);
    return k;
}

/* Appends "<name>. IN TXT" with the key record in strings of at most 200 octets. */
static void zone_key(const char *name, const mailauth_dkim_key *k)
{
    char rec[2048];
    size_t len;
    assert_int_equal(mailauth_dkim_key_record(k, rec, sizeof rec, &len), 0);
    size_t z = strlen(zone_text);
    z += (size_t)snprintf(zone_text + z, sizeof zone_text - z, "%s. IN TXT", name);
    for (size_t i = 0; i < len; i += 200)
        z += (size_t)snprintf(zone_text + z, sizeof zone_text - z, " \"%.*s\"",
                              (int)(len - i < 200 ? len - i : 200), rec + i);
    snprintf(zone_text + z, sizeof zone_text - z, "\n");
}

static int group_setup(void **state)
{
    (void)state;
    rsa_key = make_key("RSA", 1024);
    rsa_key2 = make_key("RSA", 2048);
    rsa512_key = make_key("RSA", 512);
    ed_key = make_key("ED25519", 0);
    zone_text[0] = '\0';
    zone_key("rsa._domainkey.example.org", rsa_key);
    zone_key("big._domainkey.example.com", rsa_key2);
    zone_key("ed._domainkey.example.net", ed_key);
    zone_key("small._domainkey.example.org", rsa512_key);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    mailauth_dkim_key_free(rsa_key);
    mailauth_dkim_key_free(rsa_key2);
    mailauth_dkim_key_free(rsa512_key);
    mailauth_dkim_key_free(ed_key);
    return 0;
}

static mailauth_zone *new_zone(void)
{
    mailauth_zone *z = NULL;
    mailauth_zone_error err;
    assert_int_equal(mailauth_zone_new(NULL, &z), 0);
    assert_int_equal(mailauth_zone_load(z, zone_text, strlen(zone_text), NULL, &err), 0);
    return z;
}

/* ---- verifying in both modes --------------------------------------------------------------- */

/* Verifies `msg` blocking and step by step (fed in pieces of `piece` octets); asserts that
 * both give the same verdict, reason, instance and per-set verdicts; returns the blocking
 * verifier. */
static mailauth_arc_verifier *verify_opts(const mailauth_zone *z, const char *msg, size_t len,
                                          const mailauth_arc_verify_options *o)
{
    mailauth_resolver r;
    mailauth_zone_resolver(z, &r);
    mailauth_arc_verifier *v = NULL, *w = NULL;
    assert_int_equal(mailauth_arc_verify(o, &r, msg, len, &v), 0);
    assert_true(mailauth_arc_verifier_done(v));
    assert_int_equal(mailauth_arc_verifier_new(o, &w), 0);
    for (size_t i = 0; i < len; i += 5)
        assert_int_equal(mailauth_arc_verifier_feed(w, msg + i, len - i < 5 ? len - i : 5), 0);
    assert_int_equal(mailauth_arc_verifier_finish(w), 0);
    mailauth_dns_answer *a;
    assert_int_equal(mailauth_dns_answer_new(&a), 0);
    mailauth_query q;
    int rc, asked = 0;
    while ((rc = mailauth_arc_verifier_step(w, &q)) == MAILAUTH_NEED_DNS) {
        assert_int_equal(q.type, MAILAUTH_RR_TXT);
        assert_non_null(strstr(q.name, "._domainkey."));
        assert_int_equal(mailauth_resolve(&r, q.name, q.type, a), 0);
        assert_int_equal(mailauth_arc_verifier_answer(w, a), 0);
        assert_true(++asked <= 100);
    }
    assert_int_equal(rc, 0);
    mailauth_dns_answer_free(a);
    assert_int_equal(mailauth_arc_verifier_result(w), mailauth_arc_verifier_result(v));
    assert_int_equal(mailauth_arc_verifier_reason(w), mailauth_arc_verifier_reason(v));
    assert_int_equal(mailauth_arc_verifier_failed_instance(w),
                     mailauth_arc_verifier_failed_instance(v));
    assert_int_equal(mailauth_arc_verifier_oldest_pass(w), mailauth_arc_verifier_oldest_pass(v));
    unsigned n = mailauth_arc_verifier_count(v);
    assert_int_equal(mailauth_arc_verifier_count(w), n);
    for (unsigned i = 1; i <= n; i++) {
        mailauth_arc_set sv = {.struct_size = sizeof sv}, sw = {.struct_size = sizeof sw};
        assert_int_equal(mailauth_arc_verifier_set(v, i, &sv), 0);
        assert_int_equal(mailauth_arc_verifier_set(w, i, &sw), 0);
        assert_int_equal(sv.seal_result, sw.seal_result);
        assert_int_equal(sv.ams_result, sw.ams_result);
        assert_string_equal(sv.aar, sw.aar);
    }
    mailauth_arc_verifier_free(w);
    return v;
}

static mailauth_arc_verifier *verify(const mailauth_zone *z, const char *msg)
{
    return verify_opts(z, msg, strlen(msg), NULL);
}

static int64_t clock_at(void *user) { return *(const int64_t *)user; }

/* Seals `msg` as d/s with `key`, the chain status taken from a verifier of `msg`; returns a
 * new message (the set prepended) or NULL when no set was made (*reason set). */
static char *seal_cv(const mailauth_zone *z, const char *msg, const mailauth_dkim_key *key,
                     const char *d, const char *s, const char *authserv_id, int cv, int *reason)
{
    mailauth_arc_verifier *v = cv < 0 ? verify(z, msg) : NULL;
    int64_t now = 1700000000;
    mailauth_arc_seal_options o;
    mailauth_arc_seal_options_init(&o);
    o.domain = d;
    o.selector = s;
    o.authserv_id = authserv_id;
    o.chain = v;
    o.cv = cv < 0 ? MAILAUTH_RESULT_NONE : cv;
    o.clock = clock_at;
    o.clock_user = &now;
    mailauth_arc_sealer *sl;
    assert_int_equal(mailauth_arc_sealer_new(&o, key, &sl), 0);
    size_t len = strlen(msg);
    for (size_t i = 0; i < len; i += 11)
        assert_int_equal(mailauth_arc_sealer_feed(sl, msg + i, len - i < 11 ? len - i : 11), 0);
    const char *fields;
    size_t flen;
    assert_int_equal(mailauth_arc_sealer_finish(sl, &fields, &flen), 0);
    if (reason)
        *reason = mailauth_arc_sealer_reason(sl);
    char *out = NULL;
    if (fields) {
        assert_int_equal(strlen(fields), flen);
        assert_int_equal(mailauth_arc_sealer_reason(sl), MAILAUTH_ARC_OK);
        out = malloc(flen + len + 1);
        assert_non_null(out);
        memcpy(out, fields, flen);
        memcpy(out + flen, msg, len + 1);
    } else {
        assert_int_equal(flen, 0);
    }
    mailauth_arc_sealer_free(sl);
    mailauth_arc_verifier_free(v);
    return out;
}

static char *seal_with(const mailauth_zone *z, const char *msg, const mailauth_dkim_key *key,
                       const char *d, const char *s, const char *authserv_id, int *reason)
{
    return seal_cv(z, msg, key, d, s, authserv_id, -1, reason);
}

static char *seal(const mailauth_zone *z, const char *msg, const mailauth_dkim_key *key,
                  const char *d, const char *s)
{
    char *out = seal_with(z, msg, key, d, s, "relay.example.org", NULL);
    assert_non_null(out);
    return out;
}

/* Replaces the first `from` after `after` (or from the start) with `to` in a new string. */
static char *replace(const char *msg, const char *after, const char *from, const char *to)
{
    const char *base = after ? strstr(msg, after) : msg;
    assert_non_null(base);
    const char *p = strstr(base, from);
    assert_non_null(p);
    size_t a = (size_t)(p - msg), fl = strlen(from), tl = strlen(to), n = strlen(msg);
    char *o = malloc(n - fl + tl + 1);
    assert_non_null(o);
    memcpy(o, msg, a);
    memcpy(o + a, to, tl);
    memcpy(o + a + tl, p + fl, n - a - fl + 1);
    return o;
}

/* The text with its folds (CRLF followed by WSP) made one space, in a static buffer. */
static const char *unfold(const char *s)
{
    static char buf[65536];
    size_t k = 0;
    for (size_t i = 0; s[i] && k < sizeof buf - 1; i++) {
        if (s[i] == '\r' && s[i + 1] == '\n' && (s[i + 2] == ' ' || s[i + 2] == '\t')) {
            i += 2;
            buf[k++] = ' ';
            continue;
        }
        buf[k++] = s[i];
    }
    buf[k] = '\0';
    return buf;
}

static void expect(mailauth_arc_verifier *v, int result, int reason, unsigned instance)
{
    assert_int_equal(mailauth_arc_verifier_result(v), result);
    assert_int_equal(mailauth_arc_verifier_reason(v), reason);
    assert_int_equal(mailauth_arc_verifier_failed_instance(v), instance);
}

/* ---- verdicts ----------------------------------------------------------------------------- */

static void message_without_arc_is_none(void **state)
{
    (void)state;
    mailauth_zone *z = new_zone();
    mailauth_arc_verifier *v = verify(z, base_msg);
    expect(v, MAILAUTH_RESULT_NONE, MAILAUTH_ARC_NO_CHAIN, 0);
    assert_int_equal(mailauth_arc_verifier_count(v), 0);
    mailauth_arc_set s = {.struct_size = sizeof s};
    assert_int_equal(mailauth_arc_verifier_set(v, 1, &s), MAILAUTH_E_INVAL);
    mailauth_arc_verifier_free(v);
    /* Nothing at all, and a header block without a body. */
    v = verify(z, "");
    expect(v, MAILAUTH_RESULT_NONE, MAILAUTH_ARC_NO_CHAIN, 0);
    mailauth_arc_verifier_free(v);
    v = verify(z, "From: a@b.example\r\n");
    expect(v, MAILAUTH_RESULT_NONE, MAILAUTH_ARC_NO_CHAIN, 0);
    mailauth_arc_verifier_free(v);
    mailauth_zone_free(z);
}

static void rsa_seal_then_verify_passes(void **state)
{
    (void)state;
    mailauth_zone *z = new_zone();
    char *m = seal(z, base_msg, rsa_key, "example.org", "rsa");
    /* The set comes first, in the order AS, AMS, AAR, each ending with CRLF. */
    assert_memory_equal(unfold(m), "ARC-Seal: a=rsa-sha256; b=", 26);
    assert_non_null(strstr(m, "cv=none; d=example.org; i=1; s=rsa; t=1700000000\r\n"
                              "ARC-Message-Signature: a=rsa-sha256;"));
    assert_non_null(strstr(unfold(m), "c=relaxed/relaxed; d=example.org; "
                                      "h=from:subject:date:to:message-id:mime-version; i=1; s=rsa; "
                                      "t=1700000000\r\nARC-Authentication-Results"));
    assert_non_null(strstr(m, "\r\nARC-Authentication-Results: i=1; relay.example.org;\r\n"
                              "\tspf=pass smtp.mailfrom=a@origin.example;\r\n"
                              "\tdkim=pass (1024-bit key) header.d=origin.example\r\n"
                              "Authentication-Results:"));
    mailauth_arc_verifier *v = verify(z, m);
    expect(v, MAILAUTH_RESULT_PASS, MAILAUTH_ARC_OK, 0);
    assert_int_equal(mailauth_arc_verifier_count(v), 1);
    mailauth_arc_set s = {.struct_size = sizeof s};
    assert_int_equal(mailauth_arc_verifier_set(v, 1, &s), 0);
    assert_int_equal(s.instance, 1);
    assert_int_equal(s.seal_cv, MAILAUTH_RESULT_NONE);
    assert_int_equal(s.seal_result, MAILAUTH_RESULT_PASS);
    assert_int_equal(s.ams_result, MAILAUTH_RESULT_PASS);
    assert_string_equal(s.seal_domain, "example.org");
    assert_string_equal(s.seal_selector, "rsa");
    assert_string_equal(s.ams_domain, "example.org");
    assert_string_equal(s.ams_selector, "rsa");
    assert_memory_equal(s.aar, "i=1; relay.example.org;", 23);
    mailauth_arc_verifier_free(v);
    free(m);
    mailauth_zone_free(z);
}

static void ed25519_seal_then_verify_passes(void **state)
{
    (void)state;
    mailauth_zone *z = new_zone();
    char *m = seal(z, base_msg, ed_key, "example.net", "ed");
    assert_memory_equal(unfold(m), "ARC-Seal: a=ed25519-sha256; b=", 30);
    mailauth_arc_verifier *v = verify(z, m);
    expect(v, MAILAUTH_RESULT_PASS, MAILAUTH_ARC_OK, 0);
    mailauth_arc_verifier_free(v);
    free(m);
    mailauth_zone_free(z);
}

static void three_hop_chain_passes(void **state)
{
    (void)state;
    mailauth_zone *z = new_zone();
    char *m1 = seal(z, base_msg, rsa_key, "example.org", "rsa");
    char *m2 = seal(z, m1, ed_key, "example.net", "ed");
    assert_non_null(strstr(m2, "cv=pass; d=example.net; i=2;"));
    char *m3 = seal(z, m2, rsa_key2, "example.com", "big");
    assert_non_null(strstr(m3, "cv=pass; d=example.com; i=3;"));
    mailauth_arc_verify_options o;
    mailauth_arc_verify_options_init(&o);
    o.oldest_pass = 1;
    mailauth_arc_verifier *v = verify_opts(z, m3, strlen(m3), &o);
    expect(v, MAILAUTH_RESULT_PASS, MAILAUTH_ARC_OK, 0);
    assert_int_equal(mailauth_arc_verifier_count(v), 3);
    assert_int_equal(mailauth_arc_verifier_oldest_pass(v), 0);
    for (unsigned i = 1; i <= 3; i++) {
        mailauth_arc_set s = {.struct_size = sizeof s};
        assert_int_equal(mailauth_arc_verifier_set(v, i, &s), 0);
        assert_int_equal(s.seal_result, MAILAUTH_RESULT_PASS);
        assert_int_equal(s.ams_result, MAILAUTH_RESULT_PASS);
        assert_int_equal(s.seal_cv, i == 1 ? MAILAUTH_RESULT_NONE : MAILAUTH_RESULT_PASS);
    }
    mailauth_ar *ar;
    assert_int_equal(mailauth_ar_new("mx.example", &ar), 0);
    assert_int_equal(mailauth_arc_to_ar(v, ar), 0);
    assert_string_equal(mailauth_ar_method_at(ar, 0), "arc");
    assert_int_equal(mailauth_ar_result_at(ar, 0), MAILAUTH_RESULT_PASS);
    assert_string_equal(mailauth_ar_prop_find(ar, 0, "header", "oldest-pass"), "0");
    mailauth_ar_free(ar);
    mailauth_arc_verifier_free(v);
    free(m1);
    free(m2);
    free(m3);
    mailauth_zone_free(z);
}

static void modified_subject_moves_oldest_pass(void **state)
{
    (void)state;
    mailauth_zone *z = new_zone();
    char *m1 = seal(z, base_msg, rsa_key, "example.org", "rsa");
    /* A list hop validates (pass), changes the subject, then seals: AMS 1 breaks, AMS 2 and
     * AS 1-2 hold. */
    mailauth_arc_verifier *before = verify(z, m1);
    expect(before, MAILAUTH_RESULT_PASS, MAILAUTH_ARC_OK, 0);
    mailauth_arc_verifier_free(before);
    char *changed = replace(m1, NULL, "Subject: ARC test", "Subject: [list] ARC test");
    char *m2 = seal_cv(z, changed, ed_key, "example.net", "ed", "relay.example.org",
                       MAILAUTH_RESULT_PASS, NULL);
    assert_non_null(m2);
    mailauth_arc_verify_options o;
    mailauth_arc_verify_options_init(&o);
    o.oldest_pass = 1;
    mailauth_arc_verifier *v = verify_opts(z, m2, strlen(m2), &o);
    expect(v, MAILAUTH_RESULT_PASS, MAILAUTH_ARC_OK, 0);
    assert_int_equal(mailauth_arc_verifier_oldest_pass(v), 2);
    mailauth_arc_set s = {.struct_size = sizeof s};
    assert_int_equal(mailauth_arc_verifier_set(v, 1, &s), 0);
    assert_int_equal(s.ams_result, MAILAUTH_RESULT_FAIL);
    assert_int_equal(s.ams_reason, MAILAUTH_DKIM_BAD_SIGNATURE);
    mailauth_arc_verifier_free(v);
    /* Without oldest_pass the older AMS is not looked at. */
    v = verify(z, m2);
    expect(v, MAILAUTH_RESULT_PASS, MAILAUTH_ARC_OK, 0);
    assert_int_equal(mailauth_arc_verifier_oldest_pass(v), 0);
    assert_int_equal(mailauth_arc_verifier_set(v, 1, &s), 0);
    assert_int_equal(s.ams_result, MAILAUTH_RESULT_NONE);
    mailauth_arc_verifier_free(v);
    free(m1);
    free(changed);
    free(m2);
    mailauth_zone_free(z);
}

static void tampered_body_fails_ams(void **state)
{
    (void)state;
    mailauth_zone *z = new_zone();
    char *m1 = seal(z, base_msg, rsa_key, "example.org", "rsa");
    char *m2 = seal(z, m1, ed_key, "example.net", "ed");
    char *bad = replace(m2, "\r\n\r\n", "the body", "the b0dy");
    mailauth_arc_verifier *v = verify(z, bad);
    expect(v, MAILAUTH_RESULT_FAIL, MAILAUTH_ARC_AMS_FAILED, 2);
    mailauth_arc_set s = {.struct_size = sizeof s};
    assert_int_equal(mailauth_arc_verifier_set(v, 2, &s), 0);
    assert_int_equal(s.ams_result, MAILAUTH_RESULT_FAIL);
    assert_int_equal(s.ams_reason, MAILAUTH_DKIM_BODY_HASH);
    assert_int_equal(s.seal_result, MAILAUTH_RESULT_NONE); /* not reached */
    mailauth_arc_verifier_free(v);
    /* Relaxed body canonicalisation: trailing blanks and empty lines do not matter. */
    char *ok = replace(m2, "\r\n\r\n", "body.\r\n", "body.  \r\n\r\n\r\n");
    v = verify(z, ok);
    expect(v, MAILAUTH_RESULT_PASS, MAILAUTH_ARC_OK, 0);
    mailauth_arc_verifier_free(v);
    free(ok);
    free(bad);
    free(m1);
    free(m2);
    mailauth_zone_free(z);
}

static void tampered_aar_fails_seal(void **state)
{
    (void)state;
    mailauth_zone *z = new_zone();
    char *m1 = seal(z, base_msg, rsa_key, "example.org", "rsa");
    char *m2 = seal(z, m1, ed_key, "example.net", "ed");
    /* The AAR of instance 1 says spf=fail now: AS 2 and AS 1 both cover it. */
    char *bad = replace(m2, "ARC-Authentication-Results: i=1;", "spf=pass", "spf=fail");
    mailauth_arc_verifier *v = verify(z, bad);
    expect(v, MAILAUTH_RESULT_FAIL, MAILAUTH_ARC_SEAL_FAILED, 2);
    mailauth_arc_set s = {.struct_size = sizeof s};
    assert_int_equal(mailauth_arc_verifier_set(v, 2, &s), 0);
    assert_int_equal(s.ams_result, MAILAUTH_RESULT_PASS);
    assert_int_equal(s.seal_result, MAILAUTH_RESULT_FAIL);
    assert_int_equal(s.seal_reason, MAILAUTH_DKIM_BAD_SIGNATURE);
    mailauth_arc_verifier_free(v);
    /* Refolding an AAR keeps it valid: relaxed canonicalisation. */
    char *refolded = replace(m2, "ARC-Authentication-Results: i=2;", " relay.example.org;",
                             "\r\n    relay.example.org;  ");
    v = verify(z, refolded);
    expect(v, MAILAUTH_RESULT_PASS, MAILAUTH_ARC_OK, 0);
    mailauth_arc_verifier_free(v);
    free(refolded);
    free(bad);
    free(m1);
    free(m2);
    mailauth_zone_free(z);
}

/* ---- structure ------------------------------------------------------------------------------ */

static void missing_member_fails(void **state)
{
    (void)state;
    mailauth_zone *z = new_zone();
    char *m1 = seal(z, base_msg, rsa_key, "example.org", "rsa");
    char *m2 = seal(z, m1, ed_key, "example.net", "ed");
    /* Rename each member of set 1 in turn: the set lacks it. */
    static const char *const members[] = {"ARC-Seal: a=rsa", "ARC-Message-Signature: a=rsa",
                                          "ARC-Authentication-Results: i=1"};
    for (size_t k = 0; k < 3; k++) {
        char *bad = replace(m2, NULL, members[k], k == 2 ? "X-AAR: i=1" : "X-Old: a=rsa");
        mailauth_arc_verifier *v = verify(z, bad);
        expect(v, MAILAUTH_RESULT_FAIL, MAILAUTH_ARC_STRUCTURE, 1);
        assert_int_equal(mailauth_arc_verifier_count(v), 2);
        mailauth_arc_verifier_free(v);
        free(bad);
    }
    free(m1);
    free(m2);
    mailauth_zone_free(z);
}

static void duplicate_instance_fails(void **state)
{
    (void)state;
    mailauth_zone *z = new_zone();
    char *m1 = seal(z, base_msg, rsa_key, "example.org", "rsa");
    /* The set once more, below the message's own fields. */
    size_t set_len = (size_t)(strstr(m1, "Authentication-Results: relay") - m1);
    size_t n = strlen(m1);
    char *dup = malloc(n + set_len + 1);
    assert_non_null(dup);
    size_t head = (size_t)(strstr(m1, "\r\n\r\n") - m1) + 2;
    memcpy(dup, m1, head);
    memcpy(dup + head, m1, set_len);
    memcpy(dup + head + set_len, m1 + head, n - head + 1);
    mailauth_arc_verifier *v = verify(z, dup);
    expect(v, MAILAUTH_RESULT_FAIL, MAILAUTH_ARC_STRUCTURE, 1);
    mailauth_arc_verifier_free(v);
    free(dup);
    free(m1);
    mailauth_zone_free(z);
}

static void instance_gap_and_range_fail(void **state)
{
    (void)state;
    mailauth_zone *z = new_zone();
    char *m1 = seal(z, base_msg, rsa_key, "example.org", "rsa");
    char *m2 = seal(z, m1, ed_key, "example.net", "ed");
    /* Set 2 renumbered 3: instance 2 is missing. */
    char *a = replace(m2, NULL, "i=2;", "i=3;");
    char *b = replace(a, "ARC-Message-Signature", "i=2;", "i=3;");
    char *gap = replace(b, "ARC-Authentication-Results", "i=2;", "i=3;");
    mailauth_arc_verifier *v = verify(z, gap);
    expect(v, MAILAUTH_RESULT_FAIL, MAILAUTH_ARC_STRUCTURE, 2);
    assert_int_equal(mailauth_arc_verifier_count(v), 3);
    mailauth_arc_verifier_free(v);
    free(a);
    free(b);
    free(gap);
    /* i=0, i=51 and i=x are not instances. */
    static const char *const bad_i[] = {"i=0;", "i=51;", "i=x;", "i=001;"};
    for (size_t k = 0; k < sizeof bad_i / sizeof *bad_i; k++) {
        char *bad = replace(m1, "ARC-Authentication-Results", "i=1;", bad_i[k]);
        v = verify(z, bad);
        expect(v, MAILAUTH_RESULT_FAIL, MAILAUTH_ARC_STRUCTURE, 0);
        mailauth_arc_verifier_free(v);
        free(bad);
    }
    /* An AAR whose i= is not followed by ";" has no instance either. */
    char *nosemi = replace(m1, "ARC-Authentication-Results", "i=1;", "i=1");
    v = verify(z, nosemi);
    expect(v, MAILAUTH_RESULT_FAIL, MAILAUTH_ARC_STRUCTURE, 0);
    mailauth_arc_verifier_free(v);
    free(nosemi);
    free(m1);
    free(m2);
    mailauth_zone_free(z);
}

/* A header block of `n` sets with the given cv on the latest, and no valid signatures. */
static char *fake_chain(unsigned n, const char *latest_cv)
{
    size_t cap = 600 * (n + 1) + sizeof base_msg;
    char *m = malloc(cap);
    assert_non_null(m);
    size_t k = 0;
    for (unsigned i = n; i >= 1; i--) {
        const char *cv = i == n ? latest_cv : i == 1 ? "none" : "pass";
        k += (size_t)snprintf(m + k, cap - k,
                              "ARC-Seal: a=rsa-sha256; b=AAAA; cv=%s; d=example.org; i=%u; "
                              "s=rsa; t=1\r\n"
                              "ARC-Message-Signature: a=rsa-sha256; b=AAAA; bh=AAAA; "
                              "c=relaxed/relaxed; d=example.org; h=from; i=%u; s=rsa\r\n"
                              "ARC-Authentication-Results: i=%u; relay.example.org; none\r\n",
                              cv, i, i, i);
    }
    memcpy(m + k, base_msg, sizeof base_msg);
    return m;
}

static void fifty_sets_is_the_limit(void **state)
{
    (void)state;
    mailauth_zone *z = new_zone();
    char *m50 = fake_chain(50, "pass");
    mailauth_arc_verifier *v = verify(z, m50);
    /* Whole in structure; the signatures are junk. */
    expect(v, MAILAUTH_RESULT_FAIL, MAILAUTH_ARC_AMS_FAILED, 50);
    assert_int_equal(mailauth_arc_verifier_count(v), 50);
    mailauth_arc_verifier_free(v);
    /* The sealer adds nothing to 50 sets. */
    int reason = -1;
    char *sealed = seal_with(z, m50, rsa_key, "example.org", "rsa", "relay.example.org", &reason);
    assert_null(sealed);
    assert_int_equal(reason, MAILAUTH_ARC_STRUCTURE);
    free(m50);
    /* 49 sets: the sealer makes instance 50 (with cv=fail, as the chain does not verify). */
    char *m49 = fake_chain(49, "pass");
    sealed = seal_with(z, m49, rsa_key, "example.org", "rsa", "relay.example.org", &reason);
    assert_non_null(sealed);
    assert_non_null(strstr(sealed, "cv=fail; d=example.org; i=50;"));
    free(sealed);
    free(m49);
    mailauth_zone_free(z);
}

/* ---- cv rules ------------------------------------------------------------------------------- */

static void latest_cv_fail_fails_and_stops_sealing(void **state)
{
    (void)state;
    mailauth_zone *z = new_zone();
    char *m1 = seal(z, base_msg, rsa_key, "example.org", "rsa");
    /* A hop that found the chain broken seals with cv=fail, covering only its own set. */
    char *broken = replace(m1, "\r\n\r\n", "the body", "the b0dy");
    int reason;
    char *m2 = seal_with(z, broken, ed_key, "example.net", "ed", "relay.example.org", &reason);
    assert_non_null(m2);
    assert_non_null(strstr(m2, "cv=fail; d=example.net; i=2;"));
    mailauth_arc_verifier *v = verify(z, m2);
    expect(v, MAILAUTH_RESULT_FAIL, MAILAUTH_ARC_SEALED_FAIL, 2);
    mailauth_arc_verifier_free(v);
    /* The next hop adds no set. */
    char *m3 = seal_with(z, m2, rsa_key, "example.org", "rsa", "relay.example.org", &reason);
    assert_null(m3);
    assert_int_equal(reason, MAILAUTH_ARC_SEALED_FAIL);
    free(broken);
    free(m2);
    free(m1);
    mailauth_zone_free(z);
}

static void cv_must_fit_the_instance(void **state)
{
    (void)state;
    mailauth_zone *z = new_zone();
    char *m1 = seal(z, base_msg, rsa_key, "example.org", "rsa");
    char *m2 = seal(z, m1, ed_key, "example.net", "ed");
    char *a = replace(m1, NULL, "cv=none", "cv=pass");
    mailauth_arc_verifier *v = verify(z, a);
    expect(v, MAILAUTH_RESULT_FAIL, MAILAUTH_ARC_BAD_CV, 1);
    mailauth_arc_verifier_free(v);
    char *b = replace(m2, NULL, "cv=pass", "cv=none");
    v = verify(z, b);
    expect(v, MAILAUTH_RESULT_FAIL, MAILAUTH_ARC_BAD_CV, 2);
    mailauth_arc_verifier_free(v);
    char *c = replace(m2, "ARC-Seal: a=rsa", "cv=none", "cv=fail");
    v = verify(z, c);
    expect(v, MAILAUTH_RESULT_FAIL, MAILAUTH_ARC_BAD_CV, 1);
    mailauth_arc_verifier_free(v);
    /* cv values are case-sensitive tokens. */
    char *d = replace(m1, NULL, "cv=none", "cv=None");
    v = verify(z, d);
    expect(v, MAILAUTH_RESULT_FAIL, MAILAUTH_ARC_SYNTAX, 1);
    mailauth_arc_verifier_free(v);
    free(a);
    free(b);
    free(c);
    free(d);
    free(m1);
    free(m2);
    mailauth_zone_free(z);
}

static void malformed_seal_fails(void **state)
{
    (void)state;
    mailauth_zone *z = new_zone();
    char *m1 = seal(z, base_msg, rsa_key, "example.org", "rsa");
    static const struct {
        const char *from, *to;
        int dkim_reason;
    } cases[] = {
        {"ARC-Seal: a=rsa-sha256;", "ARC-Seal: a=rsa-sha1;", MAILAUTH_DKIM_WEAK_ALGORITHM},
        {"cv=none; d=example.org;", "cv=none; h=from; d=example.org;", MAILAUTH_DKIM_SIG_VALUE},
        {"; s=rsa; t=1700000000\r\nARC-Message", "; t=1700000000\r\nARC-Message",
         MAILAUTH_DKIM_SIG_MISSING_TAG},
        {"t=1700000000\r\nARC-Message", "t=17000x0000\r\nARC-Message", MAILAUTH_DKIM_SIG_VALUE},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        char *bad = replace(m1, NULL, cases[k].from, cases[k].to);
        mailauth_arc_verifier *v = verify(z, bad);
        expect(v, MAILAUTH_RESULT_FAIL, MAILAUTH_ARC_SYNTAX, 1);
        mailauth_arc_set s = {.struct_size = sizeof s};
        assert_int_equal(mailauth_arc_verifier_set(v, 1, &s), 0);
        assert_int_equal(s.seal_result, MAILAUTH_RESULT_FAIL);
        assert_int_equal(s.seal_reason, cases[k].dkim_reason);
        mailauth_arc_verifier_free(v);
        free(bad);
    }
    /* An AMS that names ARC-Seal in h= is invalid (RFC 8617 §4.1.2). */
    char *h = replace(m1, "ARC-Message-Signature", "h=", "h=arc-seal:");
    mailauth_arc_verifier *v = verify(z, h);
    expect(v, MAILAUTH_RESULT_FAIL, MAILAUTH_ARC_AMS_FAILED, 1);
    mailauth_arc_verifier_free(v);
    free(h);
    free(m1);
    mailauth_zone_free(z);
}

/* ---- keys and DNS ------------------------------------------------------------------------- */

static void small_rsa_key_fails(void **state)
{
    (void)state;
    mailauth_zone *z = new_zone();
    char *m = seal(z, base_msg, rsa512_key, "example.org", "small");
    mailauth_arc_verifier *v = verify(z, m);
    expect(v, MAILAUTH_RESULT_FAIL, MAILAUTH_ARC_AMS_FAILED, 1);
    mailauth_arc_set s = {.struct_size = sizeof s};
    assert_int_equal(mailauth_arc_verifier_set(v, 1, &s), 0);
    assert_int_equal(s.ams_reason, MAILAUTH_DKIM_KEY_TOO_SMALL);
    mailauth_arc_verifier_free(v);
    /* Allowed when the option says so. */
    mailauth_arc_verify_options o;
    mailauth_arc_verify_options_init(&o);
    o.min_rsa_bits = 512;
    v = verify_opts(z, m, strlen(m), &o);
    expect(v, MAILAUTH_RESULT_PASS, MAILAUTH_ARC_OK, 0);
    mailauth_arc_verifier_free(v);
    free(m);
    mailauth_zone_free(z);
}

static void missing_key_fails_and_dns_failure_is_temperror(void **state)
{
    (void)state;
    mailauth_zone *z = new_zone();
    char *m1 = seal(z, base_msg, rsa_key, "example.org", "rsa");
    char *m2 = seal(z, m1, ed_key, "example.net", "ed");
    char *nokey = replace(m2, NULL, "s=ed;", "s=gone;");
    mailauth_arc_verifier *v = verify(z, nokey);
    expect(v, MAILAUTH_RESULT_FAIL, MAILAUTH_ARC_SEAL_FAILED, 2);
    mailauth_arc_set s = {.struct_size = sizeof s};
    assert_int_equal(mailauth_arc_verifier_set(v, 2, &s), 0);
    assert_int_equal(s.seal_reason, MAILAUTH_DKIM_KEY_NOT_FOUND);
    mailauth_arc_verifier_free(v);
    free(nokey);
    /* The seal key of hop 1 cannot be fetched for now. */
    assert_int_equal(mailauth_zone_fail(z, "rsa._domainkey.example.org", MAILAUTH_RR_TXT,
                                        MAILAUTH_DNS_TEMPFAIL),
                     0);
    v = verify(z, m2);
    expect(v, MAILAUTH_RESULT_TEMPERROR, MAILAUTH_ARC_TEMPFAIL, 1);
    assert_int_equal(mailauth_arc_verifier_set(v, 1, &s), 0);
    assert_int_equal(s.seal_result, MAILAUTH_RESULT_TEMPERROR);
    mailauth_arc_verifier_free(v);
    /* A sealer given that verdict adds nothing. */
    int reason;
    char *m3 = seal_with(z, m2, ed_key, "example.net", "ed", "relay.example.org", &reason);
    assert_null(m3);
    assert_int_equal(reason, MAILAUTH_ARC_TEMPFAIL);
    free(m1);
    free(m2);
    mailauth_zone_free(z);
}

static void each_key_is_asked_once(void **state)
{
    (void)state;
    mailauth_zone *z = new_zone();
    char *m1 = seal(z, base_msg, rsa_key, "example.org", "rsa");
    char *m2 = seal(z, m1, ed_key, "example.net", "ed");
    char *m3 = seal(z, m2, rsa_key, "example.org", "rsa");
    mailauth_arc_verifier *v;
    assert_int_equal(mailauth_arc_verifier_new(NULL, &v), 0);
    assert_int_equal(mailauth_arc_verifier_feed(v, m3, strlen(m3)), 0);
    mailauth_query q;
    assert_int_equal(mailauth_arc_verifier_step(v, &q), MAILAUTH_E_INVAL); /* before finish */
    assert_int_equal(mailauth_arc_verifier_finish(v), 0);
    assert_int_equal(mailauth_arc_verifier_finish(v), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_arc_verifier_feed(v, "x", 1), MAILAUTH_E_INVAL);
    mailauth_dns_answer *a;
    assert_int_equal(mailauth_dns_answer_new(&a), 0);
    assert_int_equal(mailauth_arc_verifier_answer(v, a), MAILAUTH_E_INVAL); /* nothing asked */
    int asked = 0, rc;
    while ((rc = mailauth_arc_verifier_step(v, &q)) == MAILAUTH_NEED_DNS) {
        assert_int_equal(mailauth_zone_lookup(z, q.name, q.type, a), 0);
        assert_int_equal(mailauth_arc_verifier_answer(v, a), 0);
        asked++;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(asked, 2); /* rsa._domainkey.example.org and ed._domainkey.example.net */
    expect(v, MAILAUTH_RESULT_PASS, MAILAUTH_ARC_OK, 0);
    mailauth_dns_answer_free(a);
    mailauth_arc_verifier_free(v);
    free(m1);
    free(m2);
    free(m3);
    mailauth_zone_free(z);
}

/* ---- the sealer ------------------------------------------------------------------------------- */

static void sealer_writes_given_results_or_none(void **state)
{
    (void)state;
    int64_t now = 1234;
    mailauth_arc_seal_options o;
    mailauth_arc_seal_options_init(&o);
    o.domain = "example.org";
    o.selector = "rsa";
    o.authserv_id = "mx.example.org";
    o.auth_results = "spf=pass smtp.mailfrom=a@origin.example;\r\n dmarc=pass; none";
    o.clock = clock_at;
    o.clock_user = &now;
    char *f = NULL;
    size_t n;
    assert_int_equal(mailauth_arc_seal(&o, rsa_key, base_msg, strlen(base_msg), &f, &n), 0);
    assert_non_null(strstr(f, "ARC-Authentication-Results: i=1; mx.example.org;\r\n"
                              "\tspf=pass smtp.mailfrom=a@origin.example;\r\n\tdmarc=pass\r\n"));
    assert_non_null(strstr(f, "; t=1234"));
    /* Every line ends with CRLF. The AAR continues with HTAB; the seal and the message
     * signature with SP, so the blank before a tag such as " i=1;" stays (dkimpy looks a set
     * up by that text). */
    const char *aar = strstr(f, "ARC-Authentication-Results:");
    assert_non_null(aar);
    for (const char *p = f; *p; p++)
        if (*p == '\n') {
            assert_true(p > f && p[-1] == '\r');
            if (p[1] == ' ' || p[1] == '\t') /* a continuation line */
                assert_int_equal(p[1], p < aar ? ' ' : '\t');
        }
    assert_non_null(strstr(f, " i=1;"));
    mailauth_arc_free(f);
    /* No Authentication-Results of that authserv-id: "none". */
    o.auth_results = NULL;
    o.authserv_id = "nobody.example";
    assert_int_equal(mailauth_arc_seal(&o, rsa_key, base_msg, strlen(base_msg), &f, &n), 0);
    assert_non_null(strstr(f, "ARC-Authentication-Results: i=1; nobody.example; none\r\n"));
    mailauth_arc_free(f);
    /* The other field of the message is collected when its id matches (case ignored). */
    o.authserv_id = "OTHER.example";
    assert_int_equal(mailauth_arc_seal(&o, rsa_key, base_msg, strlen(base_msg), &f, &n), 0);
    assert_non_null(strstr(f, "ARC-Authentication-Results: i=1; OTHER.example;\r\n\tspf=fail\r\n"));
    mailauth_arc_free(f);
    /* Results are split at ";" outside comments and quoted strings; one holding a control
     * character is dropped rather than copied into the AAR. */
    const char tricky[] = "Authentication-Results: mx.example.org; dkim=pass (a; b) header.d=x;\r\n"
                          " spf=pass smtp.mailfrom=\"a;b\"@x.example; x=bad\x01value\r\n"
                          "From: a@origin.example\r\n\r\nbody\r\n";
    o.authserv_id = "mx.example.org";
    assert_int_equal(mailauth_arc_seal(&o, rsa_key, tricky, strlen(tricky), &f, &n), 0);
    assert_non_null(strstr(f, "ARC-Authentication-Results: i=1; mx.example.org;\r\n"
                              "\tdkim=pass (a; b) header.d=x;\r\n"
                              "\tspf=pass smtp.mailfrom=\"a;b\"@x.example\r\n"));
    assert_null(strchr(f, '\x01'));
    mailauth_arc_free(f);
    mailauth_arc_free(NULL);
}

static void sealer_default_headers_and_given_list(void **state)
{
    (void)state;
    mailauth_zone *z = new_zone();
    mailauth_arc_seal_options o;
    mailauth_arc_seal_options_init(&o);
    o.domain = "example.org";
    o.selector = "rsa";
    o.authserv_id = "relay.example.org";
    char *f = NULL;
    assert_int_equal(mailauth_arc_seal(&o, rsa_key, base_msg, strlen(base_msg), &f, NULL), 0);
    assert_non_null(strstr(unfold(f), "h=from:subject:date:to:message-id:mime-version;"));
    mailauth_arc_free(f);
    const char *const h[] = {"From", "To", "X-Missing", "Arc-Authentication-Results"};
    o.headers = h;
    o.header_count = 4;
    assert_int_equal(mailauth_arc_seal(&o, rsa_key, base_msg, strlen(base_msg), &f, NULL), 0);
    assert_non_null(strstr(unfold(f), "h=from:to:x-missing:arc-authentication-results;"));
    /* The AMS covers this hop's own AAR, as the next hop sees it. */
    size_t fl = strlen(f), ml = strlen(base_msg);
    char *m = malloc(fl + ml + 1);
    assert_non_null(m);
    memcpy(m, f, fl);
    memcpy(m + fl, base_msg, ml + 1);
    mailauth_arc_verifier *v = verify(z, m);
    expect(v, MAILAUTH_RESULT_PASS, MAILAUTH_ARC_OK, 0);
    mailauth_arc_verifier_free(v);
    char *bad = replace(m, "ARC-Authentication-Results: i=1", "spf=pass", "spf=none");
    v = verify(z, bad);
    expect(v, MAILAUTH_RESULT_FAIL, MAILAUTH_ARC_AMS_FAILED, 1);
    mailauth_arc_verifier_free(v);
    free(bad);
    free(m);
    mailauth_arc_free(f);
    mailauth_zone_free(z);
}

static void sealer_rejects_bad_options(void **state)
{
    (void)state;
    mailauth_arc_seal_options o;
    mailauth_arc_seal_options_init(&o);
    mailauth_arc_sealer *s = NULL;
    o.domain = "example.org";
    o.selector = "rsa";
    assert_int_equal(mailauth_arc_sealer_new(&o, rsa_key, &s), MAILAUTH_E_INVAL); /* no id */
    o.authserv_id = "relay.example.org";
    assert_int_equal(mailauth_arc_sealer_new(&o, NULL, &s), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_arc_sealer_new(NULL, rsa_key, &s), MAILAUTH_E_INVAL);
    o.authserv_id = "relay example";
    assert_int_equal(mailauth_arc_sealer_new(&o, rsa_key, &s), MAILAUTH_E_INVAL);
    o.authserv_id = "relay.example.org";
    o.auth_results = "spf=pass\r\nX-Injected: yes";
    assert_int_equal(mailauth_arc_sealer_new(&o, rsa_key, &s), MAILAUTH_E_INVAL);
    o.auth_results = "spf=pass\nX-Injected: yes";
    assert_int_equal(mailauth_arc_sealer_new(&o, rsa_key, &s), MAILAUTH_E_INVAL);
    o.auth_results = NULL;
    const char *const no_from[] = {"to", "subject"};
    o.headers = no_from;
    o.header_count = 2;
    assert_int_equal(mailauth_arc_sealer_new(&o, rsa_key, &s), MAILAUTH_E_INVAL);
    const char *const with_as[] = {"from", "ARC-Seal"};
    o.headers = with_as;
    assert_int_equal(mailauth_arc_sealer_new(&o, rsa_key, &s), MAILAUTH_E_INVAL);
    o.headers = NULL;
    o.header_count = 0;
    o.cv = MAILAUTH_RESULT_TEMPERROR;
    assert_int_equal(mailauth_arc_sealer_new(&o, rsa_key, &s), MAILAUTH_E_INVAL);
    o.cv = MAILAUTH_RESULT_NONE;
    o.domain = "bad domain";
    assert_int_equal(mailauth_arc_sealer_new(&o, rsa_key, &s), MAILAUTH_E_INVAL);
    o.domain = "example.org";
    assert_null(s);
    /* A message with sets needs a chain status; one without From cannot be sealed. */
    char *m = fake_chain(1, "none");
    char *f = NULL;
    assert_int_equal(mailauth_arc_seal(&o, rsa_key, m, strlen(m), &f, NULL), MAILAUTH_E_INVAL);
    assert_null(f);
    o.cv = MAILAUTH_RESULT_PASS;
    assert_int_equal(mailauth_arc_seal(&o, rsa_key, m, strlen(m), &f, NULL), 0);
    assert_non_null(strstr(f, "cv=pass; d=example.org; i=2;"));
    mailauth_arc_free(f);
    free(m);
    const char nofrom[] = "To: a@b.example\r\n\r\nbody\r\n";
    assert_int_equal(mailauth_arc_seal(&o, rsa_key, nofrom, strlen(nofrom), &f, NULL),
                     MAILAUTH_E_INVAL);
    /* A verifier that is not done is refused. */
    mailauth_arc_verifier *v;
    assert_int_equal(mailauth_arc_verifier_new(NULL, &v), 0);
    o.chain = v;
    assert_int_equal(mailauth_arc_seal(&o, rsa_key, base_msg, strlen(base_msg), &f, NULL),
                     MAILAUTH_E_INVAL);
    mailauth_arc_verifier_free(v);
    /* finish twice. */
    o.chain = NULL;
    assert_int_equal(mailauth_arc_sealer_new(&o, rsa_key, &s), 0);
    const char *out;
    assert_int_equal(mailauth_arc_sealer_feed(s, base_msg, strlen(base_msg)), 0);
    assert_int_equal(mailauth_arc_sealer_finish(s, &out, NULL), 0);
    assert_int_equal(mailauth_arc_sealer_instance(s), 1);
    assert_int_equal(mailauth_arc_sealer_finish(s, &out, NULL), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_arc_sealer_feed(s, "x", 1), MAILAUTH_E_INVAL);
    mailauth_arc_sealer_free(s);
    mailauth_arc_sealer_free(NULL);
    mailauth_arc_verifier_free(NULL);
}

static void verifier_limits_and_arguments(void **state)
{
    (void)state;
    mailauth_arc_verifier *v = NULL;
    mailauth_arc_verify_options o;
    mailauth_arc_verify_options_init(&o);
    o.struct_size = sizeof o + 8;
    assert_int_equal(mailauth_arc_verifier_new(&o, &v), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_arc_verifier_new(NULL, NULL), MAILAUTH_E_INVAL);
    mailauth_arc_verify_options_init(&o);
    o.max_header_bytes = 64;
    assert_int_equal(mailauth_arc_verifier_new(&o, &v), 0);
    assert_int_equal(mailauth_arc_verifier_feed(v, base_msg, strlen(base_msg)), MAILAUTH_E_LIMIT);
    assert_int_equal(mailauth_arc_verifier_finish(v), MAILAUTH_E_LIMIT);
    mailauth_arc_verifier_free(v);
    assert_string_equal(mailauth_arc_reason_text(MAILAUTH_ARC_SEAL_FAILED),
                        "ARC-Seal did not verify");
    assert_string_equal(mailauth_arc_reason_text(99), "unknown reason");
    assert_int_equal(mailauth_arc_verifier_result(NULL), MAILAUTH_RESULT_NONE);
    assert_int_equal(mailauth_arc_verifier_done(NULL), 0);
}

/* ---- allocation failure --------------------------------------------------------------------- */

#include "alloc_budget.h"

static void allocation_failure_is_reported(void **state)
{
    (void)state;
    mailauth_zone *z = new_zone();
    char *m1 = seal(z, base_msg, rsa_key, "example.org", "rsa");
    mailauth_resolver r;
    mailauth_zone_resolver(z, &r);
    mailauth_arc_seal_options o;
    mailauth_arc_seal_options_init(&o);
    o.domain = "example.net";
    o.selector = "ed";
    o.authserv_id = "relay.example.org";
    o.cv = MAILAUTH_RESULT_PASS;
    mailauth_set_allocator(budget_malloc, budget_realloc, free);
    int verified = 0, sealed = 0;
    for (size_t limit = 0; limit < 2000 && !(verified && sealed); limit++) {
        alloc_budget = limit;
        alloc_limited = 1;
        mailauth_arc_verifier *v = NULL;
        int rc = mailauth_arc_verify(NULL, &r, m1, strlen(m1), &v);
        alloc_limited = 0;
        if (rc == 0) {
            assert_int_equal(mailauth_arc_verifier_result(v), MAILAUTH_RESULT_PASS);
            verified = 1;
        } else {
            assert_int_equal(rc, MAILAUTH_E_NOMEM);
            assert_null(v);
        }
        mailauth_arc_verifier_free(v);
        alloc_budget = limit;
        alloc_limited = 1;
        char *f = NULL;
        rc = mailauth_arc_seal(&o, ed_key, m1, strlen(m1), &f, NULL);
        alloc_limited = 0;
        if (rc == 0) {
            assert_non_null(f);
            sealed = 1;
        } else {
            assert_int_equal(rc, MAILAUTH_E_NOMEM);
            assert_null(f);
        }
        mailauth_arc_free(f);
    }
    mailauth_set_allocator(NULL, NULL, NULL);
    assert_true(verified && sealed);
    free(m1);
    mailauth_zone_free(z);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(message_without_arc_is_none),
        cmocka_unit_test(rsa_seal_then_verify_passes),
        cmocka_unit_test(ed25519_seal_then_verify_passes),
        cmocka_unit_test(three_hop_chain_passes),
        cmocka_unit_test(modified_subject_moves_oldest_pass),
        cmocka_unit_test(tampered_body_fails_ams),
        cmocka_unit_test(tampered_aar_fails_seal),
        cmocka_unit_test(missing_member_fails),
        cmocka_unit_test(duplicate_instance_fails),
        cmocka_unit_test(instance_gap_and_range_fail),
        cmocka_unit_test(fifty_sets_is_the_limit),
        cmocka_unit_test(latest_cv_fail_fails_and_stops_sealing),
        cmocka_unit_test(cv_must_fit_the_instance),
        cmocka_unit_test(malformed_seal_fails),
        cmocka_unit_test(small_rsa_key_fails),
        cmocka_unit_test(missing_key_fails_and_dns_failure_is_temperror),
        cmocka_unit_test(each_key_is_asked_once),
        cmocka_unit_test(sealer_writes_given_results_or_none),
        cmocka_unit_test(sealer_default_headers_and_given_list),
        cmocka_unit_test(sealer_rejects_bad_options),
        cmocka_unit_test(verifier_limits_and_arguments),
        cmocka_unit_test(allocation_failure_is_reported),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
