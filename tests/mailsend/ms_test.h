/* ms_test.h — driving a mailsend client against a scripted server in the unit tests: what the
 * client wrote, what the server answers, and the events as one short line of text. */
#ifndef MS_TEST_H
#define MS_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mailsend.h"

/* A client with `o` (NULL: defaults, no TLS wanted). */
static inline mailsend_client *ms_new(const mailsend_options *o)
{
    mailsend_options d;
    if (!o) {
        mailsend_options_init(&d);
        d.tls = MAILSEND_TLS_OFF;
        d.ehlo_name = "client.example";
        o = &d;
    }
    mailsend_client *c = NULL;
    assert_int_equal(mailsend_client_new(o, &c), 0);
    return c;
}

static inline void ms_feed(mailsend_client *c, const char *s)
{
    assert_int_equal(mailsend_client_feed(c, (const unsigned char *)s, strlen(s)), 0);
}

/* Everything the client wants written, consumed; the caller frees it. */
static inline char *ms_take_output(mailsend_client *c, size_t *len_out)
{
    const unsigned char *p;
    size_t n;
    assert_int_equal(mailsend_client_output(c, &p, &n), 0);
    char *s = malloc(n + 1);
    assert_non_null(s);
    memcpy(s, p, n);
    s[n] = '\0';
    assert_int_equal(mailsend_client_consume(c, n), 0);
    if (len_out)
        *len_out = n;
    return s;
}

/* The client wrote exactly `want`. */
static inline void ms_expect_output(mailsend_client *c, const char *want)
{
    size_t n;
    char *s = ms_take_output(c, &n);
    if (n != strlen(want) || memcmp(s, want, n) != 0)
        fail_msg("client wrote [%s], expected [%s]", s, want);
    free(s);
}

/* The waiting events, one word each: "type", "type:command:code", "recipient@i:code",
 * "message+accepted", "error=code" (MAILSEND_E_* as a positive number). */
static inline char *ms_events(mailsend_client *c)
{
    static char buf[4096];
    size_t len = 0;
    buf[0] = '\0';
    mailsend_event ev;
    ev.struct_size = sizeof ev;
    for (;;) {
        assert_int_equal(mailsend_client_next_event(c, &ev), 0);
        if (ev.type == MAILSEND_EVENT_NONE)
            break;
        char w[128];
        int code = ev.reply ? ev.reply->code : 0;
        switch (ev.type) {
        case MAILSEND_EVENT_REPLY:
            if (ev.command == MAILSEND_CMD_RCPT || ev.command == MAILSEND_CMD_DATA_END ||
                ev.command == MAILSEND_CMD_BDAT_LAST)
                snprintf(w, sizeof w, "reply:%s@%zu:%d", mailsend_command_name(ev.command), ev.rcpt,
                         code);
            else
                snprintf(w, sizeof w, "reply:%s:%d", mailsend_command_name(ev.command), code);
            break;
        case MAILSEND_EVENT_RECIPIENT:
            snprintf(w, sizeof w, "recipient@%zu:%d", ev.rcpt, code);
            break;
        case MAILSEND_EVENT_MESSAGE:
            snprintf(w, sizeof w, "message+%zu", ev.accepted);
            break;
        case MAILSEND_EVENT_ERROR:
            snprintf(w, sizeof w, "error=%d", -ev.error);
            break;
        default:
            snprintf(w, sizeof w, "%s", mailsend_event_name(ev.type));
        }
        size_t wl = strlen(w);
        assert_true(len + wl + 2 < sizeof buf);
        if (len)
            buf[len++] = ' ';
        memcpy(buf + len, w, wl + 1);
        len += wl;
    }
    return buf;
}

static inline void ms_expect_events(mailsend_client *c, const char *want)
{
    const char *got = ms_events(c);
    if (strcmp(got, want) != 0)
        fail_msg("events [%s], expected [%s]", got, want);
}

/* A session through greeting and EHLO with `ehlo_lines` ("250-x\r\n250 y\r\n" after the first
 * line), left READY with its output and events taken. */
static inline mailsend_client *ms_ready(const mailsend_options *o, const char *ehlo_lines)
{
    mailsend_client *c = ms_new(o);
    ms_feed(c, "220 mx.example ESMTP\r\n");
    free(ms_take_output(c, NULL));
    ms_feed(c, "250-mx.example hello\r\n");
    ms_feed(c, ehlo_lines);
    ms_expect_events(c, "greeting reply:ehlo:250 capabilities ready");
    return c;
}

/* Feeds a whole message and ends it. */
static inline void ms_message(mailsend_client *c, const char *body)
{
    size_t taken;
    assert_int_equal(mailsend_client_data(c, (const unsigned char *)body, strlen(body), &taken), 0);
    assert_int_equal(taken, strlen(body));
    assert_int_equal(mailsend_client_data_end(c), 0);
}

static inline mailsend_envelope ms_env(const char *from)
{
    mailsend_envelope e;
    mailsend_envelope_init(&e);
    e.from = from;
    return e;
}

#endif
