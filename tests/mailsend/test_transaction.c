/* test_transaction.c — messages against scripted servers: pipelined and one-at-a-time envelopes,
 * per-recipient outcomes, DATA and BDAT on the wire, LMTP's replies per recipient, RSET between
 * messages, the envelope's extension parameters, and servers that fail in the middle. */
#include "ms_test.h"

static void envelope(mailsend_client *c, const char *from, const char *const *rcpts, size_t n)
{
    mailsend_envelope e = ms_env(from);
    assert_int_equal(mailsend_client_mail(c, &e), 0);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(mailsend_client_rcpt(c, rcpts[i], NULL), 0);
}

static const char *const two[] = {"b@example.net", "c@example.net"};

static void pipelined_message_with_partial_acceptance(void **state)
{
    (void)state;
    mailsend_client *c = ms_ready(NULL, "250-PIPELINING\r\n250 8BITMIME\r\n");
    envelope(c, "a@example.org", two, 2);
    size_t taken;
    assert_int_equal(mailsend_client_data(c, (const unsigned char *)"Subject: x\n\nhi\n", 15,
                                          &taken), 0);
    assert_int_equal(taken, 15);
    assert_int_equal(mailsend_client_data_end(c), 0);
    /* The whole envelope in one flight; the data waits for 354. */
    ms_expect_output(c, "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\n"
                        "RCPT TO:<c@example.net>\r\nDATA\r\n");
    ms_feed(c, "250 2.1.0 ok\r\n250 2.1.5 ok\r\n550 5.1.1 no such user\r\n354 go\r\n");
    ms_expect_output(c, "Subject: x\r\n\r\nhi\r\n.\r\n");
    ms_expect_events(c, "reply:mail:250 reply:rcpt@0:250 reply:rcpt@1:550 recipient@1:550 "
                        "reply:data:354");
    ms_feed(c, "250 2.0.0 queued as 1234\r\n");
    ms_expect_events(c, "reply:data-end@0:250 recipient@0:250 message+1 ready");
    assert_int_equal(mailsend_client_rcpt_count(c), 2);
    assert_string_equal(mailsend_client_rcpt_address(c, 1), "c@example.net");
    assert_int_equal(mailsend_client_rcpt_status(c, 0), MAILSEND_RCPT_ACCEPTED);
    assert_string_equal(mailsend_client_rcpt_reply(c, 0)->text, "2.0.0 queued as 1234");
    assert_int_equal(mailsend_client_rcpt_status(c, 1), MAILSEND_RCPT_PERMFAIL);
    const mailsend_reply *r = mailsend_client_rcpt_reply(c, 1);
    assert_int_equal(r->code, 550);
    assert_int_equal(r->enh_subject, 1);
    assert_int_equal(r->enh_detail, 1);
    assert_null(mailsend_client_rcpt_reply(c, 2));
    mailsend_client_free(c);
}

/* Messages one after the other on one connection; a delivered message needs no RSET. */
static void several_messages_per_session(void **state)
{
    (void)state;
    mailsend_client *c = ms_ready(NULL, "250 PIPELINING\r\n");
    for (int i = 0; i < 3; i++) {
        const char *from = i == 1 ? "" : "a@example.org";
        envelope(c, from, two + (i == 2), 1);
        ms_message(c, "body");
        char want[128];
        snprintf(want, sizeof want, "MAIL FROM:<%s>\r\nRCPT TO:<%s>\r\nDATA\r\n", from,
                 two[i == 2]);
        ms_expect_output(c, want);
        ms_feed(c, "250 ok\r\n250 ok\r\n354 go\r\n");
        ms_expect_output(c, "body\r\n.\r\n");
        ms_feed(c, "250 queued\r\n");
        ms_expect_events(c, "reply:mail:250 reply:rcpt@0:250 reply:data:354 reply:data-end@0:250 "
                            "recipient@0:250 message+1 ready");
        assert_string_equal(mailsend_client_rcpt_address(c, 0), two[i == 2]);
    }
    assert_int_equal(mailsend_client_quit(c), 0);
    ms_expect_output(c, "QUIT\r\n");
    mailsend_client_free(c);
}

static void one_command_at_a_time_without_pipelining(void **state)
{
    (void)state;
    mailsend_client *c = ms_ready(NULL, "250 8BITMIME\r\n");
    envelope(c, "a@example.org", two, 2);
    ms_message(c, "hi");
    ms_expect_output(c, "MAIL FROM:<a@example.org>\r\n");
    ms_feed(c, "250 ok\r\n");
    ms_expect_output(c, "RCPT TO:<b@example.net>\r\n");
    ms_feed(c, "451 4.3.0 try later\r\n");
    ms_expect_output(c, "RCPT TO:<c@example.net>\r\n");
    ms_feed(c, "250 ok\r\n");
    ms_expect_output(c, "DATA\r\n");
    ms_feed(c, "354 go\r\n");
    ms_expect_output(c, "hi\r\n.\r\n");
    ms_feed(c, "250 ok\r\n");
    ms_expect_events(c, "reply:mail:250 reply:rcpt@0:451 recipient@0:451 reply:rcpt@1:250 "
                        "reply:data:354 reply:data-end@0:250 recipient@1:250 message+1 ready");
    assert_int_equal(mailsend_client_rcpt_status(c, 0), MAILSEND_RCPT_TEMPFAIL);
    assert_int_equal(mailsend_client_rcpt_status(c, 1), MAILSEND_RCPT_ACCEPTED);
    mailsend_client_free(c);
}

static void every_recipient_refused(void **state)
{
    (void)state;
    /* One at a time: no DATA at all, then RSET. */
    mailsend_client *c = ms_ready(NULL, "250 HELP\r\n");
    envelope(c, "a@example.org", two, 1);
    ms_feed(c, "250 ok\r\n");
    free(ms_take_output(c, NULL));
    ms_feed(c, "550 no\r\n");
    size_t taken;
    assert_int_equal(mailsend_client_data(c, (const unsigned char *)"x", 1, &taken), 0);
    ms_expect_output(c, "RSET\r\n");
    assert_int_equal(mailsend_client_data_end(c), MAILSEND_E_STATE);
    ms_feed(c, "250 ok\r\n");
    ms_expect_events(c, "reply:mail:250 reply:rcpt@0:550 recipient@0:550 message+0 reply:rset:250 "
                        "ready");
    mailsend_client_free(c);

    /* Pipelined: DATA went out; its refusal is read, then RSET. */
    c = ms_ready(NULL, "250 PIPELINING\r\n");
    envelope(c, "a@example.org", two, 2);
    ms_message(c, "x");
    free(ms_take_output(c, NULL));
    ms_feed(c, "250 ok\r\n550 no\r\n550 no\r\n");
    ms_expect_events(c, "reply:mail:250 reply:rcpt@0:550 recipient@0:550 reply:rcpt@1:550 "
                        "recipient@1:550 message+0");
    ms_feed(c, "554 5.5.1 no valid recipients\r\n");
    ms_expect_output(c, "RSET\r\n");
    ms_feed(c, "250 ok\r\n");
    ms_expect_events(c, "reply:data:554 reply:rset:250 ready");
    mailsend_client_free(c);

    /* A server that says 354 anyway gets an empty message, not the data (RFC 2920 §3.1). */
    c = ms_ready(NULL, "250 PIPELINING\r\n");
    envelope(c, "a@example.org", two, 1);
    ms_message(c, "secret");
    free(ms_take_output(c, NULL));
    ms_feed(c, "250 ok\r\n550 no\r\n354 go\r\n");
    ms_expect_output(c, ".\r\n");
    ms_feed(c, "554 no recipients\r\n");
    ms_expect_output(c, "RSET\r\n");
    mailsend_client_free(c);
}

static void refused_mail_then_next_message(void **state)
{
    (void)state;
    mailsend_client *c = ms_ready(NULL, "250 PIPELINING\r\n");
    envelope(c, "bad@example.org", two, 1);
    ms_message(c, "x");
    free(ms_take_output(c, NULL));
    ms_feed(c, "553 5.7.1 sender refused\r\n503 5.5.1 no MAIL\r\n");
    ms_expect_events(c, "reply:mail:553 recipient@0:553 message+0 reply:rcpt@0:503");
    assert_int_equal(mailsend_client_rcpt_status(c, 0), MAILSEND_RCPT_PERMFAIL);
    assert_int_equal(mailsend_client_rcpt_reply(c, 0)->code, 553);
    ms_expect_output(c, "");
    ms_feed(c, "503 5.5.1 no valid recipients\r\n");
    ms_expect_output(c, "RSET\r\n");
    mailsend_envelope e = ms_env("a@example.org");
    assert_int_equal(mailsend_client_mail(c, &e), MAILSEND_E_STATE);
    ms_feed(c, "250 2.0.0 flushed\r\n");
    ms_expect_events(c, "reply:data:503 reply:rset:250 ready");
    /* The next message starts clean. */
    envelope(c, "a@example.org", two, 1);
    assert_int_equal(mailsend_client_rcpt_count(c), 1);
    assert_int_equal(mailsend_client_rcpt_status(c, 0), MAILSEND_RCPT_PENDING);
    ms_message(c, "y");
    ms_expect_output(c, "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n");
    ms_feed(c, "250 ok\r\n250 ok\r\n354 go\r\n");
    ms_expect_output(c, "y\r\n.\r\n");
    ms_feed(c, "250 ok\r\n");
    ms_expect_events(c, "reply:mail:250 reply:rcpt@0:250 reply:data:354 reply:data-end@0:250 "
                        "recipient@0:250 message+1 ready");
    mailsend_client_free(c);
}

static void refused_data_end_needs_no_rset(void **state)
{
    (void)state;
    mailsend_client *c = ms_ready(NULL, "250 PIPELINING\r\n");
    envelope(c, "a@example.org", two, 2);
    ms_message(c, "x");
    free(ms_take_output(c, NULL));
    ms_feed(c, "250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n");
    free(ms_take_output(c, NULL));
    ms_feed(c, "452 4.3.1 out of space\r\n");
    ms_expect_output(c, "");
    ms_expect_events(c, "reply:mail:250 reply:rcpt@0:250 reply:rcpt@1:250 reply:data:354 "
                        "reply:data-end@0:452 recipient@0:452 recipient@1:452 message+0 ready");
    assert_int_equal(mailsend_client_rcpt_status(c, 1), MAILSEND_RCPT_TEMPFAIL);
    mailsend_client_free(c);
}

/* Every smuggling pattern reaches the wire dot-stuffed with CRLF line ends. */
static void smuggling_patterns_on_the_wire(void **state)
{
    (void)state;
    mailsend_client *c = ms_ready(NULL, "250 PIPELINING\r\n");
    envelope(c, "a@example.org", two, 1);
    ms_message(c, "a\n.\nMAIL FROM:<evil@example.org>\r\n"
                  "b\r.\rc\r\n.\nd\n.\r\ne\r\n..f\r\n.");
    free(ms_take_output(c, NULL));
    ms_feed(c, "250 ok\r\n250 ok\r\n354 go\r\n");
    ms_expect_output(c, "a\r\n..\r\nMAIL FROM:<evil@example.org>\r\n"
                        "b\r\n..\r\nc\r\n..\r\nd\r\n..\r\ne\r\n...f\r\n..\r\n.\r\n");
    mailsend_client_free(c);
}

static mailsend_options chunk_options(size_t chunk)
{
    mailsend_options o;
    mailsend_options_init(&o);
    o.tls = MAILSEND_TLS_OFF;
    o.chunk_size = chunk;
    o.max_buffer = chunk + 8192;
    return o;
}

static void bdat_chunks_have_exact_sizes(void **state)
{
    (void)state;
    mailsend_options o = chunk_options(1000);
    mailsend_client *c = ms_ready(&o, "250-PIPELINING\r\n250 CHUNKING\r\n");
    envelope(c, "a@example.org", two, 1);
    /* 2500 octets of lines of 49 "." and LF: CRLF makes 2550, no dots are added. */
    char body[2500];
    for (size_t i = 0; i < sizeof body; i++)
        body[i] = i % 50 == 49 ? '\n' : '.';
    size_t taken;
    assert_int_equal(mailsend_client_data(c, (const unsigned char *)body, sizeof body, &taken), 0);
    assert_int_equal(taken, sizeof body);
    assert_int_equal(mailsend_client_data_end(c), 0);
    size_t n;
    char *out = ms_take_output(c, &n);
    const char *head = "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nBDAT 1000\r\n";
    assert_memory_equal(out, head, strlen(head));
    const char *p = out + strlen(head);
    for (int i = 0; i < 1000; i++)
        assert_true(p[i] == (i % 51 == 49 ? '\r' : i % 51 == 50 ? '\n' : '.'));
    assert_memory_equal(p + 1000, "BDAT 1000\r\n", 11);
    assert_memory_equal(p + 2011, "BDAT 550 LAST\r\n", 15);
    assert_int_equal(n, strlen(head) + 2011 + 15 + 550);
    assert_memory_equal(out + n - 2, "\r\n", 2);
    free(out);
    ms_feed(c, "250 ok\r\n250 ok\r\n250 1000 octets\r\n250 1000 octets\r\n250 2.0.0 done\r\n");
    ms_expect_events(c, "reply:mail:250 reply:rcpt@0:250 reply:bdat:250 reply:bdat:250 "
                        "reply:bdat-last@0:250 recipient@0:250 message+1 ready");
    mailsend_client_free(c);

    /* An empty message is one "BDAT 0 LAST". */
    c = ms_ready(&o, "250 CHUNKING\r\n");
    envelope(c, "a@example.org", two, 1);
    assert_int_equal(mailsend_client_data_end(c), 0);
    ms_expect_output(c, "MAIL FROM:<a@example.org>\r\n");
    ms_feed(c, "250 ok\r\n");
    ms_expect_output(c, "RCPT TO:<b@example.net>\r\n");
    ms_feed(c, "250 ok\r\n");
    ms_expect_output(c, "BDAT 0 LAST\r\n");
    mailsend_client_free(c);
}

static void bdat_without_pipelining_waits_per_chunk(void **state)
{
    (void)state;
    mailsend_options o = chunk_options(4);
    mailsend_client *c = ms_ready(&o, "250 CHUNKING\r\n");
    envelope(c, "a@example.org", two, 1);
    ms_message(c, "abcdefghij");
    ms_expect_output(c, "MAIL FROM:<a@example.org>\r\n");
    ms_feed(c, "250 ok\r\n");
    ms_expect_output(c, "RCPT TO:<b@example.net>\r\n");
    ms_feed(c, "250 ok\r\n");
    ms_expect_output(c, "BDAT 4\r\nabcd");
    ms_feed(c, "250 ok\r\n");
    ms_expect_output(c, "BDAT 4\r\nefgh");
    ms_feed(c, "250 ok\r\n");
    ms_expect_output(c, "BDAT 4 LAST\r\nij\r\n");
    /* A chunk refused ends the message; RSET follows. */
    mailsend_client_free(c);
    c = ms_ready(&o, "250 CHUNKING\r\n");
    envelope(c, "a@example.org", two, 1);
    ms_message(c, "abcdefghij");
    ms_feed(c, "250 ok\r\n250 ok\r\n");
    free(ms_take_output(c, NULL));
    ms_feed(c, "552 5.3.4 too big\r\n");
    ms_expect_output(c, "RSET\r\n");
    ms_expect_events(c, "reply:mail:250 reply:rcpt@0:250 reply:bdat:552 recipient@0:552 message+0");
    mailsend_client_free(c);
}

static mailsend_options lmtp_options(void)
{
    mailsend_options o;
    mailsend_options_init(&o);
    o.lmtp = 1;
    o.ehlo_name = "client.example";
    return o;
}

static const char *const three[] = {"u1@example.net", "u2@example.net", "u3@example.net"};

static void lmtp_reply_per_recipient(void **state)
{
    (void)state;
    mailsend_options o = lmtp_options();
    mailsend_client *c = ms_new(&o);
    ms_feed(c, "220 lmtp\r\n");
    ms_expect_output(c, "LHLO client.example\r\n");
    ms_feed(c, "250-lmtp\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES\r\n");
    ms_expect_events(c, "greeting reply:ehlo:250 capabilities ready");
    envelope(c, "a@example.org", three, 3);
    ms_message(c, "hi");
    ms_expect_output(c, "MAIL FROM:<a@example.org>\r\nRCPT TO:<u1@example.net>\r\n"
                        "RCPT TO:<u2@example.net>\r\nRCPT TO:<u3@example.net>\r\nDATA\r\n");
    ms_feed(c, "250 ok\r\n250 ok\r\n550 5.1.1 unknown\r\n250 ok\r\n354 go\r\n");
    ms_expect_output(c, "hi\r\n.\r\n");
    ms_expect_events(c, "reply:mail:250 reply:rcpt@0:250 reply:rcpt@1:550 recipient@1:550 "
                        "reply:rcpt@2:250 reply:data:354");
    assert_true(mailsend_client_wants_read(c));
    ms_feed(c, "250 2.0.0 <u1@example.net> saved\r\n");
    ms_expect_events(c, "reply:data-end@0:250 recipient@0:250");
    assert_true(mailsend_client_wants_read(c));
    ms_feed(c, "452 4.2.2 <u3@example.net> over quota\r\n");
    ms_expect_events(c, "reply:data-end@2:452 recipient@2:452 message+1 ready");
    assert_int_equal(mailsend_client_rcpt_status(c, 0), MAILSEND_RCPT_ACCEPTED);
    assert_int_equal(mailsend_client_rcpt_status(c, 1), MAILSEND_RCPT_PERMFAIL);
    assert_int_equal(mailsend_client_rcpt_status(c, 2), MAILSEND_RCPT_TEMPFAIL);
    assert_string_equal(mailsend_client_rcpt_reply(c, 2)->text, "4.2.2 <u3@example.net> over quota");
    /* One more reply than recipients is a protocol error. */
    ms_feed(c, "250 extra\r\n");
    ms_expect_events(c, "error=6 closed");
    mailsend_client_free(c);
}

static void lmtp_with_bdat(void **state)
{
    (void)state;
    mailsend_options o = lmtp_options();
    mailsend_client *c = ms_new(&o);
    ms_feed(c, "220 lmtp\r\n250-lmtp\r\n250-PIPELINING\r\n250 CHUNKING\r\n");
    free(ms_take_output(c, NULL));
    ms_events(c);
    envelope(c, "a@example.org", three, 2);
    ms_message(c, "hi\r\n");
    ms_expect_output(c, "MAIL FROM:<a@example.org>\r\nRCPT TO:<u1@example.net>\r\n"
                        "RCPT TO:<u2@example.net>\r\nBDAT 4 LAST\r\nhi\r\n");
    ms_feed(c, "250 ok\r\n250 ok\r\n250 ok\r\n250 one\r\n");
    ms_expect_events(c, "reply:mail:250 reply:rcpt@0:250 reply:rcpt@1:250 reply:bdat-last@0:250 "
                        "recipient@0:250");
    ms_feed(c, "250 two\r\n");
    ms_expect_events(c, "reply:bdat-last@1:250 recipient@1:250 message+2 ready");
    mailsend_client_free(c);
}

static void server_drops_mid_data(void **state)
{
    (void)state;
    mailsend_client *c = ms_ready(NULL, "250 PIPELINING\r\n");
    envelope(c, "a@example.org", two, 2);
    size_t taken;
    assert_int_equal(mailsend_client_data(c, (const unsigned char *)"part", 4, &taken), 0);
    free(ms_take_output(c, NULL));
    ms_feed(c, "250 ok\r\n250 ok\r\n550 no\r\n354 go\r\n");
    ms_expect_output(c, "part");
    assert_int_equal(mailsend_client_eof(c), 0);
    ms_expect_events(c, "reply:mail:250 reply:rcpt@0:250 reply:rcpt@1:550 recipient@1:550 "
                        "reply:data:354 recipient@0:0 message+0 error=8 closed");
    assert_int_equal(mailsend_client_rcpt_status(c, 0), MAILSEND_RCPT_TEMPFAIL);
    assert_int_equal(mailsend_client_rcpt_status(c, 1), MAILSEND_RCPT_PERMFAIL);
    assert_int_equal(mailsend_client_data(c, (const unsigned char *)"more", 4, &taken),
                     MAILSEND_E_STATE);
    mailsend_client_free(c);

    /* A reply in the middle of the data is not one the client waits for. */
    c = ms_ready(NULL, "250 PIPELINING\r\n");
    envelope(c, "a@example.org", two, 1);
    assert_int_equal(mailsend_client_data(c, (const unsigned char *)"part", 4, &taken), 0);
    ms_feed(c, "250 ok\r\n250 ok\r\n354 go\r\n554 stop\r\n");
    ms_expect_events(c, "reply:mail:250 reply:rcpt@0:250 reply:data:354 recipient@0:0 message+0 "
                        "error=6 closed");
    mailsend_client_free(c);
}

static void server_closing_mid_envelope(void **state)
{
    (void)state;
    mailsend_client *c = ms_ready(NULL, "250 PIPELINING\r\n");
    envelope(c, "a@example.org", two, 2);
    ms_feed(c, "250 ok\r\n421 4.3.2 shutting down\r\n");
    ms_expect_events(c, "reply:mail:250 reply:rcpt@0:421 recipient@0:421 recipient@1:421 "
                        "message+0 error=15 closed");
    assert_int_equal(mailsend_client_rcpt_status(c, 1), MAILSEND_RCPT_TEMPFAIL);
    assert_int_equal(mailsend_client_rcpt_reply(c, 1)->code, 421);
    mailsend_client_free(c);

    /* A 250 to DATA accepts nothing: the recipients are not taken as delivered. */
    c = ms_ready(NULL, "250 PIPELINING\r\n");
    envelope(c, "a@example.org", two, 1);
    ms_message(c, "x");
    ms_feed(c, "250 ok\r\n250 ok\r\n250 ok\r\n");
    ms_expect_events(c, "reply:mail:250 reply:rcpt@0:250 recipient@0:0 message+0 error=6 closed");
    assert_int_equal(mailsend_client_rcpt_status(c, 0), MAILSEND_RCPT_TEMPFAIL);
    mailsend_client_free(c);

    /* A 354 to MAIL is out of order: the server cannot be followed any more. */
    c = ms_ready(NULL, "250 PIPELINING\r\n");
    envelope(c, "a@example.org", two, 1);
    ms_feed(c, "354 go\r\n");
    ms_expect_events(c, "recipient@0:0 message+0 error=6 closed");
    mailsend_client_free(c);
}

static void size_is_checked_before_mail(void **state)
{
    (void)state;
    mailsend_client *c = ms_ready(NULL, "250 SIZE 1000\r\n");
    mailsend_envelope e = ms_env("a@example.org");
    e.size = 1001;
    assert_int_equal(mailsend_client_mail(c, &e), MAILSEND_E_TOO_BIG);
    ms_expect_output(c, "");
    e.size = 1000;
    assert_int_equal(mailsend_client_mail(c, &e), 0);
    ms_expect_output(c, "MAIL FROM:<a@example.org> SIZE=1000\r\n");
    mailsend_client_free(c);
}

static void extension_parameters(void **state)
{
    (void)state;
    mailsend_client *c = ms_ready(NULL, "250-DSN\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 PIPELINING\r\n");
    mailsend_envelope e = ms_env("");
    e.body = MAILSEND_BODY_8BITMIME;
    e.smtputf8 = 1;
    e.dsn_ret = MAILSEND_DSN_RET_HDRS;
    e.dsn_envid = "a+b=c d";
    assert_int_equal(mailsend_client_mail(c, &e), 0);
    mailsend_rcpt_options ro;
    mailsend_rcpt_options_init(&ro);
    ro.notify = MAILSEND_NOTIFY_SUCCESS | MAILSEND_NOTIFY_FAILURE;
    ro.orcpt = "x+y@example.org";
    assert_int_equal(mailsend_client_rcpt(c, "j\xc3\xb8rn@example.net", &ro), 0);
    ro.notify = MAILSEND_NOTIFY_NEVER;
    ro.orcpt = NULL;
    assert_int_equal(mailsend_client_rcpt(c, "b@example.net", &ro), 0);
    ro.notify = MAILSEND_NOTIFY_NEVER | MAILSEND_NOTIFY_DELAY;
    assert_int_equal(mailsend_client_rcpt(c, "b@example.net", &ro), MAILSEND_E_INVAL);
    ms_expect_output(c, "MAIL FROM:<> BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=a+2Bb+3Dc+20d\r\n"
                        "RCPT TO:<j\xc3\xb8rn@example.net> NOTIFY=SUCCESS,FAILURE "
                        "ORCPT=rfc822;x+2By@example.org\r\n"
                        "RCPT TO:<b@example.net> NOTIFY=NEVER\r\n");
    mailsend_client_free(c);

    /* Without DSN the DSN parameters are left out. */
    c = ms_ready(NULL, "250 PIPELINING\r\n");
    e = ms_env("a@example.org");
    e.dsn_ret = MAILSEND_DSN_RET_FULL;
    e.dsn_envid = "id";
    assert_int_equal(mailsend_client_mail(c, &e), 0);
    assert_int_equal(mailsend_client_rcpt(c, "b@example.net", &ro), MAILSEND_E_INVAL);
    ro.notify = MAILSEND_NOTIFY_DELAY;
    assert_int_equal(mailsend_client_rcpt(c, "b@example.net", &ro), 0);
    ms_expect_output(c, "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\n");
    mailsend_client_free(c);
}

static void what_the_server_lacks_or_the_caller_gets_wrong(void **state)
{
    (void)state;
    mailsend_client *c = ms_ready(NULL, "250 PIPELINING\r\n");
    mailsend_envelope e = ms_env("a@example.org");
    e.body = MAILSEND_BODY_8BITMIME;
    assert_int_equal(mailsend_client_mail(c, &e), MAILSEND_E_UNSUPPORTED);
    e = ms_env("a@example.org");
    e.smtputf8 = 1;
    assert_int_equal(mailsend_client_mail(c, &e), MAILSEND_E_UNSUPPORTED);
    e = ms_env("a@example.org");
    e.requiretls = 1;
    assert_int_equal(mailsend_client_mail(c, &e), MAILSEND_E_UNSUPPORTED);
    static const char *const bad[] = {"<a@example.org>", "a@example.org>\r\nRSET",
                                      "a\x01@example.org", "j\xc3\xb8rn@example.org"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        e = ms_env(bad[i]);
        assert_int_equal(mailsend_client_mail(c, &e), MAILSEND_E_INVAL);
    }
    e = ms_env("a@example.org");
    e.dsn_envid = "bad\x7f";
    assert_int_equal(mailsend_client_mail(c, &e), MAILSEND_E_INVAL);
    ms_expect_output(c, "");
    /* Calls out of order. */
    assert_int_equal(mailsend_client_rcpt(c, "b@example.net", NULL), MAILSEND_E_STATE);
    size_t taken;
    assert_int_equal(mailsend_client_data(c, (const unsigned char *)"x", 1, &taken),
                     MAILSEND_E_STATE);
    e = ms_env(NULL);
    assert_int_equal(mailsend_client_mail(c, &e), 0);
    ms_expect_output(c, "MAIL FROM:<>\r\n");
    assert_int_equal(mailsend_client_mail(c, &e), MAILSEND_E_STATE);
    assert_int_equal(mailsend_client_data_end(c), MAILSEND_E_STATE);   /* no recipient */
    assert_int_equal(mailsend_client_rcpt(c, "", NULL), MAILSEND_E_INVAL);
    assert_int_equal(mailsend_client_rcpt(c, "b@example.net", NULL), 0);
    assert_int_equal(mailsend_client_data(c, (const unsigned char *)"x", 1, &taken), 0);
    assert_int_equal(mailsend_client_rcpt(c, "c@example.net", NULL), MAILSEND_E_STATE);
    assert_int_equal(mailsend_client_quit(c), MAILSEND_E_STATE);
    mailsend_client_free(c);

    /* max_rcpts: exactly the limit, then no more. */
    mailsend_options o;
    mailsend_options_init(&o);
    o.tls = MAILSEND_TLS_OFF;
    o.max_rcpts = 2;
    c = ms_ready(&o, "250 PIPELINING\r\n");
    envelope(c, "a@example.org", two, 2);
    assert_int_equal(mailsend_client_rcpt(c, "d@example.net", NULL), MAILSEND_E_LIMIT);
    mailsend_client_free(c);
}

/* The message goes in as the buffer allows: 0 taken until the output is written. */
static void data_is_taken_as_the_buffer_allows(void **state)
{
    (void)state;
    mailsend_options o;
    mailsend_options_init(&o);
    o.tls = MAILSEND_TLS_OFF;
    o.chunk_size = 4096;
    o.max_buffer = 8192;
    mailsend_client *c = ms_ready(&o, "250 PIPELINING\r\n");
    envelope(c, "a@example.org", two, 1);
    static unsigned char body[100000];
    memset(body, 'x', sizeof body);
    size_t off = 0, taken, rounds = 0;
    assert_int_equal(mailsend_client_data(c, body, sizeof body, &taken), 0);
    assert_true(taken > 0 && taken < 4096);
    off += taken;
    assert_int_equal(mailsend_client_data(c, body + off, sizeof body - off, &taken), 0);
    off += taken;
    for (;;) {
        assert_int_equal(mailsend_client_data(c, body + off, sizeof body - off, &taken), 0);
        if (!taken)
            break;
        off += taken;
    }
    free(ms_take_output(c, NULL));
    ms_feed(c, "250 ok\r\n250 ok\r\n354 go\r\n");
    size_t sent = 0, n;
    while (off < sizeof body) {
        free(ms_take_output(c, &n));
        sent += n;
        assert_int_equal(mailsend_client_data(c, body + off, sizeof body - off, &taken), 0);
        assert_true(taken > 0);
        off += taken;
        rounds++;
    }
    assert_int_equal(mailsend_client_data_end(c), 0);
    free(ms_take_output(c, &n));
    sent += n;
    assert_int_equal(sent, sizeof body + 5);   /* CRLF "." CRLF */
    assert_true(rounds > 10);
    mailsend_client_free(c);
}

#include "alloc_budget.h"

#define TRY(call)                              \
    do {                                       \
        int rc_ = (call);                      \
        if (rc_) {                             \
            assert_int_equal(rc_, MAILSEND_E_NOMEM); \
            goto out;                          \
        }                                      \
    } while (0)

/* A whole session (greeting, EHLO, AUTH, a pipelined message with BDAT, QUIT) where any
 * allocation may fail: 0 when it completed, else MAILSEND_E_NOMEM from the call that met the
 * failure. Nothing may crash or leak. */
static int session_under_budget(void)
{
    static const char *const server[] = {
        "220 mx\r\n", "250-mx\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 AUTH PLAIN\r\n",
        "235 ok\r\n", "250 ok\r\n250 ok\r\n550 no\r\n250 ok\r\n250 done\r\n", "221 bye\r\n",
    };
    mailsend_options o;
    mailsend_options_init(&o);
    o.tls = MAILSEND_TLS_IMPLICIT;
    o.auth_user = "u";
    o.auth_password = "p";
    o.chunk_size = 8;
    o.max_buffer = 8 + 4096;
    mailsend_client *c = NULL;
    int rc = MAILSEND_E_NOMEM, closed = 0;
    TRY(mailsend_client_new(&o, &c));
    for (size_t i = 0; i < sizeof server / sizeof *server; i++) {
        TRY(mailsend_client_feed(c, (const unsigned char *)server[i], strlen(server[i])));
        mailsend_event ev;
        ev.struct_size = sizeof ev;
        for (;;) {
            TRY(mailsend_client_next_event(c, &ev));
            if (ev.type == MAILSEND_EVENT_NONE)
                break;
            assert_int_not_equal(ev.type, MAILSEND_EVENT_ERROR);
            closed |= ev.type == MAILSEND_EVENT_CLOSED;
            if (ev.type == MAILSEND_EVENT_READY && i == 2) {
                mailsend_envelope e = ms_env("a@example.org");
                TRY(mailsend_client_mail(c, &e));
                TRY(mailsend_client_rcpt(c, "b@example.net", NULL));
                TRY(mailsend_client_rcpt(c, "c@example.net", NULL));
                size_t taken;
                TRY(mailsend_client_data(c, (const unsigned char *)"0123456789\n", 11, &taken));
                assert_int_equal(taken, 11);
                TRY(mailsend_client_data_end(c));
            } else if (ev.type == MAILSEND_EVENT_READY && i == 3) {
                TRY(mailsend_client_quit(c));
            }
        }
        const unsigned char *p;
        size_t n;
        TRY(mailsend_client_output(c, &p, &n));
        TRY(mailsend_client_consume(c, n));
    }
    assert_true(closed);
    assert_int_equal(mailsend_client_rcpt_status(c, 0), MAILSEND_RCPT_ACCEPTED);
    assert_int_equal(mailsend_client_rcpt_status(c, 1), MAILSEND_RCPT_PERMFAIL);
    rc = 0;
out:
    mailsend_client_free(c);
    return rc;
}

static void allocation_failures_are_reported(void **state)
{
    (void)state;
    mailsend_set_allocator(budget_malloc, budget_realloc, free);
    size_t limit = 0;
    for (; limit < 1000; limit++) {
        alloc_budget = limit;
        alloc_limited = 1;
        int rc = session_under_budget();
        alloc_limited = 0;
        if (rc == 0)
            break;
    }
    assert_true(limit > 10 && limit < 1000);
    mailsend_set_allocator(NULL, NULL, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pipelined_message_with_partial_acceptance),
        cmocka_unit_test(several_messages_per_session),
        cmocka_unit_test(one_command_at_a_time_without_pipelining),
        cmocka_unit_test(every_recipient_refused),
        cmocka_unit_test(refused_mail_then_next_message),
        cmocka_unit_test(refused_data_end_needs_no_rset),
        cmocka_unit_test(smuggling_patterns_on_the_wire),
        cmocka_unit_test(bdat_chunks_have_exact_sizes),
        cmocka_unit_test(bdat_without_pipelining_waits_per_chunk),
        cmocka_unit_test(lmtp_reply_per_recipient),
        cmocka_unit_test(lmtp_with_bdat),
        cmocka_unit_test(server_drops_mid_data),
        cmocka_unit_test(server_closing_mid_envelope),
        cmocka_unit_test(size_is_checked_before_mail),
        cmocka_unit_test(extension_parameters),
        cmocka_unit_test(what_the_server_lacks_or_the_caller_gets_wrong),
        cmocka_unit_test(data_is_taken_as_the_buffer_allows),
        cmocka_unit_test(allocation_failures_are_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
