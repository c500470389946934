/* fuzz_mailsend_client.c — libFuzzer harness for the whole SMTP/LMTP client machine fed a hostile
 * server's bytes. The first octet picks the session's settings (LMTP, TLS policy, AUTH, use of
 * PIPELINING and CHUNKING, the feed's piece size and whether the stream ends by the server
 * closing or by a deadline); the rest is what the server sends. The client sends two messages
 * when it can and quits. Whatever the bytes, the session must end with exactly one CLOSED
 * event once the stream ends, its events must be well formed, and it must stop waiting. */
#include <stdint.h>
#include <string.h>

#include "mailsend.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fixed_random(void *user, unsigned char *buf, size_t len)
{
    (void)user;
    memset(buf, 7, len);
    return 0;
}

struct run {
    mailsend_client *c;
    int messages, in_message, closed, tls_asked;
    size_t sent_data;
};

static const unsigned char body[] = "Subject: t\n\n.\nline\r.\r\n..x\nend";

static void start_message(struct run *r)
{
    mailsend_envelope e;
    mailsend_envelope_init(&e);
    e.from = r->messages ? "" : "a@example.org";
    e.size = 100;
    if (mailsend_client_mail(r->c, &e) != 0)
        return;
    mailsend_rcpt_options o;
    mailsend_rcpt_options_init(&o);
    o.notify = MAILSEND_NOTIFY_FAILURE;
    o.orcpt = "b@example.net";
    mailsend_client_rcpt(r->c, "b@example.net", &o);
    mailsend_client_rcpt(r->c, "c@example.net", NULL);
    r->messages++;
    r->in_message = 1;
    r->sent_data = 0;
}

/* Gives the open message what the buffer takes, and ends it once all of it went in. */
static void feed_message(struct run *r)
{
    if (!r->in_message)
        return;
    size_t taken = 0;
    size_t left = sizeof body - 1 - r->sent_data;
    int rc = mailsend_client_data(r->c, body + r->sent_data, left, &taken);
    if (rc) {
        r->in_message = 0;
        return;
    }
    r->sent_data += taken;
    if (r->sent_data == sizeof body - 1) {
        mailsend_client_data_end(r->c);
        r->in_message = 0;
    }
}

static void drain_events(struct run *r)
{
    mailsend_event ev;
    ev.struct_size = sizeof ev;
    for (int guard = 0; guard < 100000; guard++) {
        if (mailsend_client_next_event(r->c, &ev) != 0)
            __builtin_trap();
        if (ev.type == MAILSEND_EVENT_NONE)
            return;
        if (r->closed)
            __builtin_trap();   /* nothing after CLOSED */
        if (ev.reply && (ev.reply->code < 200 || ev.reply->code > 599 ||
                         strlen(ev.reply->text) != ev.reply->text_len))
            __builtin_trap();
        switch (ev.type) {
        case MAILSEND_EVENT_READY:
            r->in_message = 0;
            if (r->messages < 2)
                start_message(r);
            else
                mailsend_client_quit(r->c);
            break;
        case MAILSEND_EVENT_STARTTLS: {
            /* E_STATE: bytes after the 220 already ended the session (CLOSED follows). */
            int rc = mailsend_client_tls_started(r->c);
            if (rc != 0 && rc != MAILSEND_E_STATE)
                __builtin_trap();
            break;
        }
        case MAILSEND_EVENT_RECIPIENT:
            if (ev.rcpt >= mailsend_client_rcpt_count(r->c) ||
                mailsend_client_rcpt_status(r->c, ev.rcpt) == MAILSEND_RCPT_PENDING)
                __builtin_trap();
            break;
        case MAILSEND_EVENT_MESSAGE:
            for (size_t i = 0; i < mailsend_client_rcpt_count(r->c); i++)
                if (mailsend_client_rcpt_status(r->c, i) == MAILSEND_RCPT_PENDING)
                    __builtin_trap();
            if (ev.accepted > mailsend_client_rcpt_count(r->c))
                __builtin_trap();
            r->in_message = 0;
            break;
        case MAILSEND_EVENT_ERROR:
            if (ev.error >= 0)
                __builtin_trap();
            break;
        case MAILSEND_EVENT_CLOSED:
            r->closed = 1;
            break;
        default:
            break;
        }
    }
    __builtin_trap();
}

static void take_output(struct run *r)
{
    const unsigned char *p;
    size_t n;
    if (mailsend_client_output(r->c, &p, &n) == 0 && n)
        mailsend_client_consume(r->c, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size)
        return 0;
    unsigned flags = data[0];
    data++;
    size--;
    mailsend_options o;
    mailsend_options_init(&o);
    o.lmtp = flags & 1;
    o.tls = (int)((flags >> 1) & 3);
    if (flags & 8) {
        o.auth_user = "user";
        o.auth_password = "secret";
        o.auth_token = flags & 16 ? "token" : NULL;
        o.auth_allow_plaintext = 1;
        o.server_name = "mx.example";
    }
    o.no_pipelining = (flags & 32) != 0;
    o.no_chunking = (flags & 64) != 0;
    o.chunk_size = 8;
    o.max_buffer = 8 + 4096;
    o.random = fixed_random;
    size_t piece = flags & 128 ? 1 : 97;
    struct run r = {0};
    if (mailsend_client_new(&o, &r.c) != 0)
        return 0;
    size_t off = 0;
    while (off < size && !r.closed) {
        take_output(&r);
        size_t n = size - off < piece ? size - off : piece;
        if (mailsend_client_feed(r.c, data + off, n) != 0)
            goto out;
        off += n;
        drain_events(&r);
        feed_message(&r);
        drain_events(&r);
    }
    take_output(&r);
    if ((flags & 128 ? mailsend_client_timeout(r.c) : mailsend_client_eof(r.c)) != 0)
        goto out;
    drain_events(&r);
    if (!r.closed || mailsend_client_wants_read(r.c) || mailsend_client_timeout_ms(r.c))
        __builtin_trap();
out:
    mailsend_client_free(r.c);
    return 0;
}
