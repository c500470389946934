/* test_sasl.c — the SASL client mechanisms against their RFCs' examples, the choice among them,
 * and strict base64. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ms_internal.h"

static const ms_sasl_creds pw = {"tim", "tanstaaftanstaaf", NULL, NULL, NULL, NULL, NULL};

static int step(ms_sasl *s, const char *chal, lm_buf *resp)
{
    return ms_sasl_step(s, (const unsigned char *)chal, chal ? strlen(chal) : 0, resp);
}

static void cram_md5_rfc2195_example(void **state)
{
    (void)state;
    ms_sasl s = {&ms_sasl_cram_md5, &pw, 0, {0}, 0};
    lm_buf resp = LM_BUF_INIT;
    assert_int_equal(step(&s, "<1896.697170952@postoffice.reston.mci.net>", &resp), 0);
    assert_string_equal(resp.data, "tim b913a602c7eda7a495b4e6e7334d3890");
    lm_buf b64 = LM_BUF_INIT;
    assert_int_equal(ms_base64_append(&b64, (const unsigned char *)resp.data, resp.len), 0);
    assert_string_equal(b64.data, "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw");
    /* A second challenge is not part of CRAM-MD5. */
    assert_int_equal(step(&s, "again", &resp), MS_SASL_CANCEL);
    lm_buf_free(&b64);
    lm_buf_free(&resp);
}

static void digest_md5_rfc2831_examples(void **state)
{
    (void)state;
    char response[33], rspauth[33];
    /* §4, the IMAP example. */
    assert_int_equal(ms_digest_md5_values("chris", "elwood.innosoft.com", "secret",
                                          "OA6MG9tEQGm2hh", "OA6MHXh6VqTrRk",
                                          "imap/elwood.innosoft.com", NULL, response, rspauth),
                     0);
    assert_string_equal(response, "d388dad90d4bbd760a152321f2143af7");
    assert_string_equal(rspauth, "ea40f60335c427b5527b84dbabcdfffd");
    /* §4, the ACAP example. */
    assert_int_equal(ms_digest_md5_values("chris", "elwood.innosoft.com", "secret",
                                          "OA9BSXrbuRhWay", "OA9BSuZWMSpW8m",
                                          "acap/elwood.innosoft.com", NULL, response, rspauth),
                     0);
    assert_string_equal(response, "6084c6db3fede7352c551284490fd0fc");
    assert_string_equal(rspauth, "2f0b3d7c3c2e486600ef710726aa2eae");
}

static int fixed_random(void *user, unsigned char *buf, size_t len)
{
    (void)user;
    memset(buf, 0x5a, len);
    return 0;
}

static void digest_md5_exchange(void **state)
{
    (void)state;
    ms_sasl_creds cr = {"chris", "secret", NULL, NULL, "mx.example", fixed_random, NULL};
    ms_sasl s = {&ms_sasl_digest_md5, &cr, 0, {0}, 0};
    lm_buf resp = LM_BUF_INIT;
    assert_int_equal(step(&s, "realm=\"elwood.innosoft.com\",nonce=\"OA6MG9tEQGm2hh\","
                              "qop=\"auth\",algorithm=md5-sess,charset=utf-8", &resp), 0);
    /* cnonce: base64 of twelve 0x5a octets. */
    char response[33], rspauth[33];
    assert_int_equal(ms_digest_md5_values("chris", "elwood.innosoft.com", "secret",
                                          "OA6MG9tEQGm2hh", "WlpaWlpaWlpaWlpa",
                                          "smtp/mx.example", NULL, response, rspauth), 0);
    char want[512];
    snprintf(want, sizeof want,
             "charset=utf-8,username=\"chris\",realm=\"elwood.innosoft.com\","
             "nonce=\"OA6MG9tEQGm2hh\",nc=00000001,cnonce=\"WlpaWlpaWlpaWlpa\","
             "digest-uri=\"smtp/mx.example\",response=%s,qop=auth", response);
    assert_string_equal(resp.data, want);
    assert_int_equal(s.verified, 0);
    char proof[64];
    snprintf(proof, sizeof proof, "rspauth=%s", rspauth);
    assert_int_equal(step(&s, proof, &resp), 0);
    assert_int_equal(resp.len, 0);
    assert_int_equal(s.verified, 1);
    lm_buf_free(&resp);
}

static void digest_md5_refuses_bad_challenges(void **state)
{
    (void)state;
    ms_sasl_creds cr = {"chris", "secret", NULL, NULL, NULL, fixed_random, NULL};
    static const char *const bad[] = {
        "realm=\"x\",qop=\"auth\",algorithm=md5-sess",                   /* no nonce */
        "nonce=\"a\",nonce=\"b\",algorithm=md5-sess",                    /* two nonces */
        "nonce=\"a\",qop=\"auth-conf\",algorithm=md5-sess",              /* no qop auth */
        "nonce=\"a\",qop=\"auth\"",                                      /* no md5-sess */
        "nonce=\"a,algorithm=md5-sess",                                  /* open quote */
        "nonce",                                                         /* no value */
    };
    lm_buf resp = LM_BUF_INIT;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ms_sasl s = {&ms_sasl_digest_md5, &cr, 0, {0}, 0};
        assert_int_equal(step(&s, bad[i], &resp), MS_SASL_CANCEL);
    }
    /* A wrong rspauth. */
    ms_sasl s = {&ms_sasl_digest_md5, &cr, 0, {0}, 0};
    assert_int_equal(step(&s, "nonce=\"abc\",algorithm=md5-sess", &resp), 0);
    assert_int_equal(step(&s, "rspauth=00000000000000000000000000000000", &resp), MS_SASL_CANCEL);
    assert_int_equal(s.verified, 0);
    lm_buf_free(&resp);
}

static void plain_and_login(void **state)
{
    (void)state;
    ms_sasl_creds cr = {"tim", "tanstaaf", NULL, "admin", NULL, NULL, NULL};
    ms_sasl s = {&ms_sasl_plain, &cr, 0, {0}, 0};
    lm_buf resp = LM_BUF_INIT;
    assert_int_equal(step(&s, NULL, &resp), 0);
    assert_int_equal(resp.len, 18);
    assert_memory_equal(resp.data, "admin\0tim\0tanstaaf", 18);
    assert_int_equal(step(&s, "", &resp), MS_SASL_CANCEL);
    ms_sasl l = {&ms_sasl_login, &pw, 0, {0}, 0};
    assert_int_equal(step(&l, "Username:", &resp), 0);
    assert_string_equal(resp.data, "tim");
    assert_int_equal(step(&l, "Password:", &resp), 0);
    assert_string_equal(resp.data, "tanstaaftanstaaf");
    assert_int_equal(step(&l, "More:", &resp), MS_SASL_CANCEL);
    lm_buf_free(&resp);
}

static void bearer_tokens(void **state)
{
    (void)state;
    ms_sasl_creds cr = {"someuser@example.com", NULL,
                        "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg", NULL, NULL, NULL, NULL};
    ms_sasl x = {&ms_sasl_xoauth2, &cr, 0, {0}, 0};
    lm_buf resp = LM_BUF_INIT, b64 = LM_BUF_INIT;
    assert_int_equal(step(&x, NULL, &resp), 0);
    assert_int_equal(ms_base64_append(&b64, (const unsigned char *)resp.data, resp.len), 0);
    assert_string_equal(b64.data, "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRj"
                                  "Mk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==");
    /* The error challenge gets an empty answer. */
    assert_int_equal(step(&x, "{\"status\":\"401\"}", &resp), 0);
    assert_int_equal(resp.len, 0);
    ms_sasl_creds ob = {"user@example.com", NULL, "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==",
                        NULL, "server.example.com", NULL, NULL};
    ms_sasl o = {&ms_sasl_oauthbearer, &ob, 0, {0}, 0};
    assert_int_equal(step(&o, NULL, &resp), 0);
    assert_string_equal(resp.data, "n,a=user@example.com,\x01host=server.example.com\x01"
                                   "auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01");
    assert_int_equal(step(&o, "{\"status\":\"invalid_token\"}", &resp), 0);
    assert_int_equal(resp.len, 1);
    assert_int_equal(resp.data[0], 1);
    /* "," and "=" in the authorization identity are escaped (RFC 5801 §5). */
    ms_sasl_creds odd = {"a,b=c", NULL, "t", NULL, NULL, NULL, NULL};
    ms_sasl o2 = {&ms_sasl_oauthbearer, &odd, 0, {0}, 0};
    assert_int_equal(step(&o2, NULL, &resp), 0);
    assert_string_equal(resp.data, "n,a=a=2Cb=3Dc,\x01" "auth=Bearer t\x01\x01");
    lm_buf_free(&resp);
    lm_buf_free(&b64);
}

static unsigned bits(const char *names)
{
    unsigned b = 0;
    const char *p = names;
    while (*p) {
        const char *sp = strchr(p, ' ');
        size_t n = sp ? (size_t)(sp - p) : strlen(p);
        int i = ms_sasl_find(p, n);
        assert_true(i >= 0);
        b |= 1u << i;
        p += n + (sp != NULL);
    }
    return b;
}

static void choosing_a_mechanism(void **state)
{
    (void)state;
    unsigned all = bits("PLAIN LOGIN CRAM-MD5 DIGEST-MD5 XOAUTH2 OAUTHBEARER");
    ms_sasl_creds token = {"u", NULL, "t", NULL, NULL, NULL, NULL};
    assert_string_equal(ms_sasl_choose(all, NULL, NULL, &pw, 1)->name, "PLAIN");
    assert_string_equal(ms_sasl_choose(all, NULL, NULL, &pw, 0)->name, "CRAM-MD5");
    assert_string_equal(ms_sasl_choose(bits("LOGIN DIGEST-MD5"), NULL, NULL, &pw, 1)->name, "LOGIN");
    assert_string_equal(ms_sasl_choose(bits("LOGIN DIGEST-MD5"), NULL, NULL, &pw, 0)->name,
                        "DIGEST-MD5");
    assert_string_equal(ms_sasl_choose(all, NULL, NULL, &token, 1)->name, "OAUTHBEARER");
    assert_string_equal(ms_sasl_choose(bits("PLAIN XOAUTH2"), NULL, NULL, &token, 1)->name,
                        "XOAUTH2");
    assert_null(ms_sasl_choose(bits("PLAIN LOGIN"), NULL, NULL, &token, 1));
    assert_string_equal(ms_sasl_choose(all, NULL, "login cram-md5", &pw, 1)->name, "LOGIN");
    assert_null(ms_sasl_choose(bits("PLAIN"), NULL, "LOGIN", &pw, 1));
    assert_string_equal(ms_sasl_choose(0, "login", NULL, &pw, 1)->name, "LOGIN");
    assert_null(ms_sasl_choose(all, "XOAUTH2", NULL, &pw, 1));
    assert_int_equal(mailsend_auth_mechanism_count(), 6);
    assert_null(mailsend_auth_mechanism_name(6));
}

static void strict_base64(void **state)
{
    (void)state;
    lm_buf out = LM_BUF_INIT;
    assert_int_equal(ms_base64_decode("VXNlcm5hbWU6", 12, &out), 0);
    assert_string_equal(out.data, "Username:");
    assert_int_equal(ms_base64_decode("YQ==", 4, &out), 0);
    assert_int_equal(out.len, 1);
    assert_int_equal(ms_base64_decode("YWI=", 4, &out), 0);
    assert_int_equal(out.len, 2);
    assert_int_equal(ms_base64_decode("", 0, &out), 0);
    assert_int_equal(out.len, 0);
    static const char *const bad[] = {"YQ=", "Y===", "YQ=a", "=QQQ", "YW I", "YW\nI", "YQ==YQ=="};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(ms_base64_decode(bad[i], strlen(bad[i]), &out), MAILSEND_E_PROTOCOL);
    lm_buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cram_md5_rfc2195_example),
        cmocka_unit_test(digest_md5_rfc2831_examples),
        cmocka_unit_test(digest_md5_exchange),
        cmocka_unit_test(digest_md5_refuses_bad_challenges),
        cmocka_unit_test(plain_and_login),
        cmocka_unit_test(bearer_tokens),
        cmocka_unit_test(choosing_a_mechanism),
        cmocka_unit_test(strict_base64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
