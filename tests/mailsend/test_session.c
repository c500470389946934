/* test_session.c — a session's opening and ending against scripted servers: greeting, EHLO and
 * the HELO fallback, STARTTLS, every AUTH mechanism's exchange, deadlines, and hostile replies. */
#include "ms_test.h"

#include "ms_internal.h"

static void greeting_ehlo_ready_quit(void **state)
{
    (void)state;
    mailsend_client *c = ms_new(NULL);
    ms_expect_output(c, "");
    assert_true(mailsend_client_wants_read(c));
    assert_int_equal(mailsend_client_timeout_ms(c), 300000);
    ms_feed(c, "220 mx.example ESMTP\r\n");
    ms_expect_output(c, "EHLO client.example\r\n");
    ms_expect_events(c, "greeting");
    ms_feed(c, "250-mx.example\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250 8BITMIME\r\n");
    ms_expect_events(c, "reply:ehlo:250 capabilities ready");
    assert_int_equal(mailsend_client_capabilities(c),
                     MAILSEND_CAP_PIPELINING | MAILSEND_CAP_SIZE | MAILSEND_CAP_8BITMIME);
    assert_true(mailsend_client_size_limit(c) == 1000);
    assert_int_equal(mailsend_client_extension_count(c), 3);
    const char *params;
    assert_string_equal(mailsend_client_extension(c, 1, &params), "SIZE");
    assert_string_equal(params, "1000");
    assert_null(mailsend_client_extension(c, 3, &params));
    assert_false(mailsend_client_wants_read(c));
    assert_int_equal(mailsend_client_timeout_ms(c), 0);
    assert_int_equal(mailsend_client_quit(c), 0);
    ms_expect_output(c, "QUIT\r\n");
    ms_feed(c, "221 2.0.0 bye\r\n");
    ms_expect_events(c, "reply:quit:221 closed");
    assert_false(mailsend_client_wants_read(c));
    /* Bytes after the end are ignored. */
    ms_feed(c, "garbage\r\n");
    ms_expect_events(c, "");
    mailsend_client_free(c);
}

static void greeting_event_has_the_reply(void **state)
{
    (void)state;
    mailsend_client *c = ms_new(NULL);
    ms_feed(c, "220-mx.example ESMTP\r\n220 no UCE\r\n");
    mailsend_event ev;
    ev.struct_size = sizeof ev;
    assert_int_equal(mailsend_client_next_event(c, &ev), 0);
    assert_int_equal(ev.type, MAILSEND_EVENT_GREETING);
    assert_int_equal(ev.command, MAILSEND_CMD_GREETING);
    assert_int_equal(ev.reply->code, 220);
    assert_string_equal(ev.reply->text, "mx.example ESMTP\nno UCE");
    assert_int_equal(ev.reply->lines, 2);
    assert_int_equal(mailsend_client_next_event(c, &ev), 0);
    assert_int_equal(ev.type, MAILSEND_EVENT_NONE);
    assert_null(ev.reply);
    /* A smaller (older) event record gets what fits. */
    ev.struct_size = offsetof(mailsend_event, type) + sizeof(int);
    assert_int_equal(mailsend_client_next_event(c, &ev), 0);
    ev.struct_size = 1;
    assert_int_equal(mailsend_client_next_event(c, &ev), MAILSEND_E_INVAL);
    mailsend_client_free(c);
}

static void helo_when_ehlo_is_unknown(void **state)
{
    (void)state;
    mailsend_client *c = ms_new(NULL);
    ms_feed(c, "220 old.example\r\n");
    ms_expect_output(c, "EHLO client.example\r\n");
    ms_feed(c, "502 5.5.2 what?\r\n");
    ms_expect_output(c, "HELO client.example\r\n");
    ms_feed(c, "250 old.example\r\n");
    ms_expect_events(c, "greeting reply:ehlo:502 reply:helo:250 capabilities ready");
    assert_int_equal(mailsend_client_capabilities(c), 0);
    mailsend_client_free(c);
}

static void refused_greeting_and_hello(void **state)
{
    (void)state;
    mailsend_client *c = ms_new(NULL);
    ms_feed(c, "554 5.7.1 go away\r\n");
    ms_expect_output(c, "QUIT\r\n");
    ms_expect_events(c, "greeting error=9");
    ms_feed(c, "221 bye\r\n");
    ms_expect_events(c, "reply:quit:221 closed");
    mailsend_client_free(c);

    c = ms_new(NULL);
    ms_feed(c, "220 x\r\n");
    free(ms_take_output(c, NULL));
    ms_feed(c, "451 4.3.0 later\r\n");   /* a temporary EHLO failure: no HELO */
    ms_expect_output(c, "QUIT\r\n");
    ms_expect_events(c, "greeting reply:ehlo:451 error=9");
    /* The server may drop instead of answering QUIT. */
    assert_int_equal(mailsend_client_eof(c), 0);
    ms_expect_events(c, "closed");
    mailsend_client_free(c);

    /* LMTP has no HELO to fall back to. */
    mailsend_options o;
    mailsend_options_init(&o);
    o.lmtp = 1;
    c = ms_new(&o);
    ms_feed(c, "220 x\r\n");
    ms_expect_output(c, "LHLO localhost\r\n");
    ms_feed(c, "500 5.5.1 what?\r\n");
    ms_expect_output(c, "QUIT\r\n");
    ms_expect_events(c, "greeting reply:ehlo:500 error=9");
    mailsend_client_free(c);
}

static mailsend_options tls_options(int policy)
{
    mailsend_options o;
    mailsend_options_init(&o);
    o.ehlo_name = "client.example";
    o.tls = policy;
    return o;
}

static void starttls_then_ehlo_again(void **state)
{
    (void)state;
    mailsend_options o = tls_options(MAILSEND_TLS_REQUIRED);
    mailsend_client *c = ms_new(&o);
    ms_feed(c, "220 mx\r\n");
    free(ms_take_output(c, NULL));
    ms_feed(c, "250-mx\r\n250-AUTH PLAIN\r\n250 STARTTLS\r\n");
    ms_expect_output(c, "STARTTLS\r\n");
    assert_int_equal(mailsend_client_tls_started(c), MAILSEND_E_STATE);
    ms_feed(c, "220 2.0.0 go ahead\r\n");
    ms_expect_events(c, "greeting reply:ehlo:250 capabilities reply:starttls:220 starttls");
    assert_false(mailsend_client_wants_read(c));
    assert_int_equal(mailsend_client_timeout_ms(c), 0);
    assert_false(mailsend_client_tls_active(c));
    assert_int_equal(mailsend_client_tls_started(c), 0);
    assert_true(mailsend_client_tls_active(c));
    /* What was learnt before TLS is forgotten (RFC 3207 §4.2). */
    assert_int_equal(mailsend_client_capabilities(c), 0);
    ms_expect_output(c, "EHLO client.example\r\n");
    ms_feed(c, "250-mx\r\n250 PIPELINING\r\n");
    ms_expect_events(c, "reply:ehlo:250 capabilities ready");
    assert_int_equal(mailsend_client_capabilities(c), MAILSEND_CAP_PIPELINING);
    mailsend_client_free(c);
}

/* A reply and more bytes in the same read as the STARTTLS 220: injected before TLS. */
static void bytes_after_starttls_reply_are_refused(void **state)
{
    (void)state;
    mailsend_options o = tls_options(MAILSEND_TLS_OPPORTUNISTIC);
    mailsend_client *c = ms_new(&o);
    ms_feed(c, "220 mx\r\n");
    ms_feed(c, "250-mx\r\n250 STARTTLS\r\n");
    free(ms_take_output(c, NULL));
    ms_feed(c, "220 go ahead\r\n250-mx\r\n250 AUTH PLAIN\r\n");
    ms_expect_events(c, "greeting reply:ehlo:250 capabilities reply:starttls:220 starttls "
                        "error=6 closed");
    assert_int_equal(mailsend_client_tls_started(c), MAILSEND_E_STATE);
    ms_expect_output(c, "");
    mailsend_client_free(c);
}

static void tls_required_but_not_offered(void **state)
{
    (void)state;
    mailsend_options o = tls_options(MAILSEND_TLS_REQUIRED);
    mailsend_client *c = ms_new(&o);
    ms_feed(c, "220 mx\r\n");
    free(ms_take_output(c, NULL));
    ms_feed(c, "250 mx\r\n");
    ms_expect_output(c, "QUIT\r\n");
    ms_expect_events(c, "greeting reply:ehlo:250 capabilities error=10");
    mailsend_client_free(c);

    /* Offered but refused: required fails, opportunistic goes on in the clear. A 2xx other
     * than 220 does not start TLS either. */
    for (int policy = MAILSEND_TLS_OPPORTUNISTIC; policy <= MAILSEND_TLS_REQUIRED; policy++) {
        for (int odd = 0; odd <= 1; odd++) {
            o = tls_options(policy);
            c = ms_new(&o);
            ms_feed(c, "220 mx\r\n250-mx\r\n250 STARTTLS\r\n");
            free(ms_take_output(c, NULL));
            ms_feed(c, odd ? "250 fine\r\n" : "454 4.7.0 TLS not available\r\n");
            char want[128];
            snprintf(want, sizeof want, "greeting reply:ehlo:250 capabilities reply:starttls:%d %s",
                     odd ? 250 : 454, policy == MAILSEND_TLS_REQUIRED ? "error=10" : "ready");
            ms_expect_events(c, want);
            assert_false(mailsend_client_tls_active(c));
            mailsend_client_free(c);
        }
    }
}

static mailsend_options auth_options(int tls, const char *mech)
{
    mailsend_options o;
    mailsend_options_init(&o);
    o.ehlo_name = "client.example";
    o.tls = tls;
    o.server_name = "mx.example";
    o.auth_user = "tim";
    o.auth_password = "tanstaaftanstaaf";
    o.auth_mechanism = mech;
    return o;
}

/* A session up to the AUTH command; `tail` is what follows the EHLO reply's events at once. */
static mailsend_client *auth_session_then(const mailsend_options *o, const char *mechs,
                                          const char *tail)
{
    mailsend_client *c = ms_new(o);
    char ehlo[256];
    snprintf(ehlo, sizeof ehlo, "250-mx\r\n250 AUTH %s\r\n", mechs);
    ms_feed(c, "220 mx\r\n");
    free(ms_take_output(c, NULL));
    ms_feed(c, ehlo);
    char want[256];
    snprintf(want, sizeof want, "greeting reply:ehlo:250 capabilities%s", tail);
    ms_expect_events(c, want);
    return c;
}

static mailsend_client *auth_session(const mailsend_options *o, const char *mechs)
{
    return auth_session_then(o, mechs, "");
}

static void auth_plain_with_initial_response(void **state)
{
    (void)state;
    mailsend_options o = auth_options(MAILSEND_TLS_IMPLICIT, NULL);
    o.auth_authzid = "admin";
    mailsend_client *c = auth_session(&o, "LOGIN PLAIN");
    /* base64 of "admin" NUL "tim" NUL "tanstaaftanstaaf" */
    ms_expect_output(c, "AUTH PLAIN YWRtaW4AdGltAHRhbnN0YWFmdGFuc3RhYWY=\r\n");
    assert_null(mailsend_client_auth_mechanism(c));
    ms_feed(c, "235 2.7.0 ok\r\n");
    ms_expect_events(c, "reply:auth:235 auth ready");
    assert_string_equal(mailsend_client_auth_mechanism(c), "PLAIN");
    mailsend_client_free(c);
}

static void auth_login_exchange(void **state)
{
    (void)state;
    mailsend_options o = auth_options(MAILSEND_TLS_IMPLICIT, "LOGIN");
    mailsend_client *c = auth_session(&o, "PLAIN LOGIN");
    ms_expect_output(c, "AUTH LOGIN\r\n");
    ms_feed(c, "334 VXNlcm5hbWU6\r\n");
    ms_expect_output(c, "dGlt\r\n");
    ms_feed(c, "334 UGFzc3dvcmQ6\r\n");
    ms_expect_output(c, "dGFuc3RhYWZ0YW5zdGFhZg==\r\n");
    ms_feed(c, "235 ok\r\n");
    ms_expect_events(c, "reply:auth:334 reply:auth:334 reply:auth:235 auth ready");
    mailsend_client_free(c);
}

static void auth_cram_md5_exchange(void **state)
{
    (void)state;
    mailsend_options o = auth_options(MAILSEND_TLS_OFF, NULL);
    o.auth_allow_plaintext = 1;
    mailsend_client *c = auth_session(&o, "PLAIN LOGIN CRAM-MD5");
    ms_expect_output(c, "AUTH CRAM-MD5\r\n");
    /* RFC 2195's challenge, base64; the answer is the RFC's. */
    ms_feed(c, "334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n");
    ms_expect_output(c, "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n");
    ms_feed(c, "235 ok\r\n");
    ms_expect_events(c, "reply:auth:334 reply:auth:235 auth ready");
    mailsend_client_free(c);
}

static int fixed_random(void *user, unsigned char *buf, size_t len)
{
    (void)user;
    memset(buf, 0x5a, len);
    return 0;
}

static void auth_digest_md5_exchange(void **state)
{
    (void)state;
    mailsend_options o = auth_options(MAILSEND_TLS_IMPLICIT, NULL);
    o.random = fixed_random;
    mailsend_client *c = auth_session(&o, "DIGEST-MD5");
    ms_expect_output(c, "AUTH DIGEST-MD5\r\n");
    lm_buf b = LM_BUF_INIT, dec = LM_BUF_INIT;
    const char *chal = "realm=\"mx.example\",nonce=\"n0nce\",qop=\"auth\",algorithm=md5-sess";
    ms_base64_append(&b, (const unsigned char *)chal, strlen(chal));
    char line[512];
    snprintf(line, sizeof line, "334 %s\r\n", b.data);
    ms_feed(c, line);
    size_t n;
    char *out = ms_take_output(c, &n);
    assert_int_equal(ms_base64_decode(out, n - 2, &dec), 0);
    char response[33], rspauth[33];
    assert_int_equal(ms_digest_md5_values("tim", "mx.example", "tanstaaftanstaaf", "n0nce",
                                          "WlpaWlpaWlpaWlpa", "smtp/mx.example", NULL, response,
                                          rspauth), 0);
    char want[512];
    snprintf(want, sizeof want,
             "username=\"tim\",realm=\"mx.example\",nonce=\"n0nce\",nc=00000001,"
             "cnonce=\"WlpaWlpaWlpaWlpa\",digest-uri=\"smtp/mx.example\",response=%s,qop=auth",
             response);
    assert_string_equal(dec.data, want);
    free(out);
    /* The server's proof, then the empty answer, then success. */
    char proof[64];
    snprintf(proof, sizeof proof, "rspauth=%s", rspauth);
    lm_buf_reset(&b);
    ms_base64_append(&b, (const unsigned char *)proof, strlen(proof));
    snprintf(line, sizeof line, "334 %s\r\n", b.data);
    ms_feed(c, line);
    ms_expect_output(c, "\r\n");
    ms_feed(c, "235 ok\r\n");
    ms_expect_events(c, "reply:auth:334 reply:auth:334 reply:auth:235 auth ready");
    mailsend_client_free(c);

    /* A server that skips its proof has not authenticated itself. */
    c = auth_session(&o, "DIGEST-MD5");
    free(ms_take_output(c, NULL));
    ms_feed(c, "334 bm9uY2U9ImEiLGFsZ29yaXRobT1tZDUtc2Vzcw==\r\n");
    free(ms_take_output(c, NULL));
    ms_feed(c, "235 ok\r\n");
    ms_expect_output(c, "QUIT\r\n");
    ms_expect_events(c, "reply:auth:334 reply:auth:235 error=11");
    mailsend_client_free(c);
    lm_buf_free(&b);
    lm_buf_free(&dec);
}

static void auth_bearer_error_challenge(void **state)
{
    (void)state;
    mailsend_options o = auth_options(MAILSEND_TLS_IMPLICIT, NULL);
    o.auth_password = NULL;
    o.auth_token = "tok";
    mailsend_client *c = auth_session(&o, "XOAUTH2 PLAIN");
    ms_expect_output(c, "AUTH XOAUTH2 dXNlcj10aW0BYXV0aD1CZWFyZXIgdG9rAQE=\r\n");
    ms_feed(c, "334 eyJzdGF0dXMiOiI0MDEifQ==\r\n");
    ms_expect_output(c, "\r\n");
    ms_feed(c, "535 5.7.8 bad token\r\n");
    ms_expect_output(c, "QUIT\r\n");
    ms_expect_events(c, "reply:auth:334 reply:auth:535 error=11");
    mailsend_client_free(c);

    c = auth_session(&o, "OAUTHBEARER");
    ms_expect_output(c, "AUTH OAUTHBEARER bixhPXRpbSwBaG9zdD1teC5leGFtcGxlAWF1dGg9QmVhcmVyIHRvawEB\r\n");
    ms_feed(c, "334 eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=\r\n");
    ms_expect_output(c, "AQ==\r\n");
    mailsend_client_free(c);
}

/* An initial response that would make the AUTH line longer than 512 octets waits for the
 * server's empty challenge (RFC 4954 §4). */
static void long_initial_response_waits(void **state)
{
    (void)state;
    char token[600];
    memset(token, 'k', sizeof token - 1);
    token[sizeof token - 1] = '\0';
    mailsend_options o = auth_options(MAILSEND_TLS_IMPLICIT, NULL);
    o.auth_password = NULL;
    o.auth_token = token;
    mailsend_client *c = auth_session(&o, "XOAUTH2");
    ms_expect_output(c, "AUTH XOAUTH2\r\n");
    ms_feed(c, "334 \r\n");
    size_t n;
    char *out = ms_take_output(c, &n);
    assert_true(n > 800);
    assert_memory_equal(out, "dXNlcj10aW0BYXV0aD1CZWFyZXIga2tr", 32);
    free(out);
    ms_feed(c, "235 ok\r\n");
    ms_expect_events(c, "reply:auth:334 reply:auth:235 auth ready");
    mailsend_client_free(c);
}

static void auth_refusals(void **state)
{
    (void)state;
    /* Without TLS and without permission, nothing is sent. */
    mailsend_options o = auth_options(MAILSEND_TLS_OPPORTUNISTIC, NULL);
    mailsend_client *c = auth_session_then(&o, "PLAIN", " error=13");
    ms_expect_output(c, "QUIT\r\n");
    mailsend_client_free(c);
    /* No mechanism in common. */
    o = auth_options(MAILSEND_TLS_IMPLICIT, NULL);
    o.auth_allowed = "CRAM-MD5";
    c = auth_session_then(&o, "PLAIN LOGIN", " error=12");
    ms_expect_output(c, "QUIT\r\n");
    mailsend_client_free(c);
    /* The server offers no AUTH at all. */
    o = auth_options(MAILSEND_TLS_IMPLICIT, NULL);
    c = ms_new(&o);
    ms_feed(c, "220 mx\r\n250 mx\r\n");
    ms_expect_events(c, "greeting reply:ehlo:250 capabilities error=12");
    mailsend_client_free(c);
    /* The server refuses the credentials. */
    c = auth_session(&o, "PLAIN");
    free(ms_take_output(c, NULL));
    ms_feed(c, "535 5.7.8 no\r\n");
    ms_expect_output(c, "QUIT\r\n");
    mailsend_event ev;
    ev.struct_size = sizeof ev;
    assert_int_equal(mailsend_client_next_event(c, &ev), 0);
    assert_int_equal(mailsend_client_next_event(c, &ev), 0);
    assert_int_equal(ev.type, MAILSEND_EVENT_ERROR);
    assert_int_equal(ev.error, MAILSEND_E_AUTH);
    assert_int_equal(ev.reply->code, 535);
    mailsend_client_free(c);
    /* A challenge that is not base64 is cancelled with "*". */
    c = auth_session(&o, "LOGIN");
    free(ms_take_output(c, NULL));
    ms_feed(c, "334 !!!!\r\n");
    ms_expect_output(c, "*\r\n");
    ms_feed(c, "501 cancelled\r\n");
    ms_expect_output(c, "QUIT\r\n");
    ms_expect_events(c, "reply:auth:334 reply:auth:501 error=11");
    mailsend_client_free(c);
    /* A mechanism with nothing more to say cancels; a 334 after "*" breaks the protocol. */
    c = auth_session(&o, "LOGIN");
    free(ms_take_output(c, NULL));
    ms_feed(c, "334 \r\n334 \r\n");
    free(ms_take_output(c, NULL));
    ms_feed(c, "334 \r\n");
    ms_expect_output(c, "*\r\n");
    ms_feed(c, "334 \r\n");
    ms_expect_events(c, "reply:auth:334 reply:auth:334 reply:auth:334 reply:auth:334 error=6 "
                        "closed");
    mailsend_client_free(c);
}

static void deadlines_follow_rfc5321(void **state)
{
    (void)state;
    mailsend_client *c = ms_ready(NULL, "250 PIPELINING\r\n");
    assert_int_equal(mailsend_client_timeout_ms(c), 0);
    mailsend_envelope e = ms_env("a@example.org");
    assert_int_equal(mailsend_client_mail(c, &e), 0);
    assert_int_equal(mailsend_client_timeout_ms(c), 300000);
    assert_int_equal(mailsend_client_rcpt(c, "b@example.net", NULL), 0);
    size_t taken;
    assert_int_equal(mailsend_client_data(c, (const unsigned char *)"x", 1, &taken), 0);
    free(ms_take_output(c, NULL));
    ms_feed(c, "250 ok\r\n");
    assert_int_equal(mailsend_client_timeout_ms(c), 300000);   /* RCPT */
    ms_feed(c, "250 ok\r\n");
    assert_int_equal(mailsend_client_timeout_ms(c), 120000);   /* DATA initiation */
    ms_feed(c, "354 go\r\n");
    assert_int_equal(mailsend_client_timeout_ms(c), 180000);   /* a data block to write */
    assert_false(mailsend_client_wants_read(c));
    assert_int_equal(mailsend_client_data_end(c), 0);
    assert_int_equal(mailsend_client_timeout_ms(c), 600000);   /* data termination */
    assert_int_equal(mailsend_client_timeout(c), 0);
    ms_expect_events(c, "reply:mail:250 reply:rcpt@0:250 reply:data:354 recipient@0:0 message+0 "
                        "error=7 closed");
    assert_int_equal(mailsend_client_rcpt_status(c, 0), MAILSEND_RCPT_TEMPFAIL);
    assert_null(mailsend_client_rcpt_reply(c, 0));
    ms_expect_output(c, "");
    assert_int_equal(mailsend_client_timeout_ms(c), 0);
    mailsend_client_free(c);

    mailsend_options o;
    mailsend_options_init(&o);
    o.timeout_greeting = 1500;
    c = ms_new(&o);
    assert_int_equal(mailsend_client_timeout_ms(c), 1500);
    assert_int_equal(mailsend_client_timeout(c), 0);
    ms_expect_events(c, "error=7 closed");
    mailsend_client_free(c);
}

static void hostile_replies_end_the_session(void **state)
{
    (void)state;
    static const struct {
        const char *bytes;
        int error;
    } cases[] = {
        {"garbage\r\n", MAILSEND_E_PROTOCOL},
        {"220 x\r\n250 x\r\n250 unasked\r\n", MAILSEND_E_PROTOCOL}, /* nobody waits for it */
        {"354 go\r\n", MAILSEND_E_PROTOCOL},                  /* 354 to the greeting */
        {"334 x\r\n", MAILSEND_E_PROTOCOL},
        {"220-a\r\n221 b\r\n", MAILSEND_E_PROTOCOL},          /* codes differ */
        {"421 4.3.2 shutting down\r\n", MAILSEND_E_SERVER_CLOSING},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        mailsend_client *c = ms_new(NULL);
        ms_feed(c, cases[i].bytes);
        mailsend_event ev;
        ev.struct_size = sizeof ev;
        int seen_error = 0, closed = 0;
        do {
            assert_int_equal(mailsend_client_next_event(c, &ev), 0);
            if (ev.type == MAILSEND_EVENT_ERROR) {
                assert_int_equal(ev.error, cases[i].error);
                seen_error = 1;
            }
            closed |= ev.type == MAILSEND_EVENT_CLOSED;
        } while (ev.type != MAILSEND_EVENT_NONE);
        assert_true(seen_error && closed);
        assert_false(mailsend_client_wants_read(c));
        ms_expect_output(c, "");
        mailsend_client_free(c);
    }
}

/* A line without end, an endless multi-line reply: bounded by the options. */
static void overlong_and_endless_replies(void **state)
{
    (void)state;
    mailsend_client *c = ms_new(NULL);
    char chunk[1024];
    memset(chunk, 'a', sizeof chunk);
    memcpy(chunk, "220 ", 4);
    for (int i = 0; i < 5; i++)
        assert_int_equal(mailsend_client_feed(c, (const unsigned char *)chunk, sizeof chunk), 0);
    ms_expect_events(c, "error=3 closed");
    mailsend_client_free(c);

    c = ms_new(NULL);
    ms_feed(c, "220-x\r\n");
    for (int i = 0; i < 1000; i++)
        ms_feed(c, "220-more\r\n");
    ms_expect_events(c, "error=3 closed");
    mailsend_client_free(c);

    /* The limits are settings: 512 is the least, and a line of exactly 512 passes. */
    mailsend_options o;
    mailsend_options_init(&o);
    o.tls = MAILSEND_TLS_OFF;
    o.max_line = 511;
    mailsend_client *bad = NULL;
    assert_int_equal(mailsend_client_new(&o, &bad), MAILSEND_E_INVAL);
    assert_null(bad);
    o.max_line = 512;
    o.max_reply_lines = 2;
    c = ms_new(&o);
    memset(chunk, 'b', 512);
    memcpy(chunk, "220 ", 4);
    memcpy(chunk + 512, "\r\n", 2);
    assert_int_equal(mailsend_client_feed(c, (const unsigned char *)chunk, 514), 0);
    ms_expect_events(c, "greeting");
    free(ms_take_output(c, NULL));
    ms_feed(c, "250-a\r\n250-b\r\n250 c\r\n");
    ms_expect_events(c, "error=3 closed");
    mailsend_client_free(c);
}

static void bad_options_are_refused(void **state)
{
    (void)state;
    mailsend_options o;
    mailsend_client *c = NULL;
    static const char *const names[] = {"", "two words", "bad\r\nname", "tab\tname"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        mailsend_options_init(&o);
        o.ehlo_name = names[i];
        assert_int_equal(mailsend_client_new(&o, &c), MAILSEND_E_INVAL);
    }
    mailsend_options_init(&o);
    o.tls = 9;
    assert_int_equal(mailsend_client_new(&o, &c), MAILSEND_E_INVAL);
    mailsend_options_init(&o);
    o.auth_mechanism = "NTLM";
    assert_int_equal(mailsend_client_new(&o, &c), MAILSEND_E_INVAL);
    mailsend_options_init(&o);
    o.chunk_size = 1000;
    o.max_buffer = 2000;
    assert_int_equal(mailsend_client_new(&o, &c), MAILSEND_E_INVAL);
    mailsend_options_init(&o);
    o.struct_size = 3;
    assert_int_equal(mailsend_client_new(&o, &c), MAILSEND_E_INVAL);
    assert_int_equal(mailsend_client_new(NULL, &c), 0);
    assert_int_equal(mailsend_client_consume(c, 1), MAILSEND_E_INVAL);
    assert_int_equal(mailsend_client_quit(c), MAILSEND_E_STATE);
    mailsend_client_free(c);
    mailsend_client_free(NULL);
    assert_string_equal(mailsend_strerror(MAILSEND_E_PROTOCOL), "the server broke the protocol");
    assert_string_equal(mailsend_strerror(12345), "unknown error");
    assert_string_equal(mailsend_event_name(99), "unknown");
    assert_string_equal(mailsend_command_name(MAILSEND_CMD_BDAT_LAST), "bdat-last");
    assert_int_equal(mailsend_version_number(), MAILSEND_VERSION_NUMBER);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(greeting_ehlo_ready_quit),
        cmocka_unit_test(greeting_event_has_the_reply),
        cmocka_unit_test(helo_when_ehlo_is_unknown),
        cmocka_unit_test(refused_greeting_and_hello),
        cmocka_unit_test(starttls_then_ehlo_again),
        cmocka_unit_test(bytes_after_starttls_reply_are_refused),
        cmocka_unit_test(tls_required_but_not_offered),
        cmocka_unit_test(auth_plain_with_initial_response),
        cmocka_unit_test(auth_login_exchange),
        cmocka_unit_test(auth_cram_md5_exchange),
        cmocka_unit_test(auth_digest_md5_exchange),
        cmocka_unit_test(auth_bearer_error_challenge),
        cmocka_unit_test(long_initial_response_waits),
        cmocka_unit_test(auth_refusals),
        cmocka_unit_test(deadlines_follow_rfc5321),
        cmocka_unit_test(hostile_replies_end_the_session),
        cmocka_unit_test(overlong_and_endless_replies),
        cmocka_unit_test(bad_options_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
