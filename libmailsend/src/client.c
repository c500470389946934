/* client.c — the session machine: greeting, EHLO/LHLO with HELO fallback, STARTTLS (RFC 3207),
 * AUTH (RFC 4954), transactions with PIPELINING (RFC 2920), DATA or BDAT (RFC 3030), LMTP's
 * per-recipient replies (RFC 2033 §4.2), RSET, QUIT, and the deadlines of RFC 5321 §4.5.3.2. */
#include "ms_internal.h"

#include "lm_alloc.h"
#include "lm_record.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

/* RFC 5321 §4.5.3.1.4: a command line is at most 512 octets with its CRLF. */
#define MS_COMMAND_LINE_MAX 512
/* Challenges one AUTH exchange may bring before the client gives up. */
#define MS_AUTH_MAX_STEPS 8

enum phase {
    PH_GREETING, PH_HELLO, PH_STARTTLS, PH_TLS, PH_AUTH, PH_READY, PH_TXN, PH_RSET, PH_QUIT,
    PH_CLOSED
};

/* A command waiting for its reply. */
struct pending {
    int cmd;       /* mailsend_command */
    size_t rcpt;   /* RCPT: the recipient */
};

struct event {
    int type, command, error;
    size_t rcpt, accepted;
    ms_reply *reply;
};

struct rcpt {
    char *address;
    char *command;  /* the RCPT line until it is sent */
    int status;     /* mailsend_rcpt_status */
    int rcpt_ok;    /* the RCPT got 2xx */
    ms_reply *reply;
};

/* The open (or last) message. */
struct txn {
    int open;          /* mail() was called */
    int done;          /* its MESSAGE event is out; replies of its commands may still come */
    int need_rset;     /* it ended before its data's final reply: RSET before the next */
    int bdat;          /* CHUNKING: the data goes in BDAT chunks */
    int smtputf8;      /* MAIL asked SMTPUTF8: recipients may be UTF-8 */
    lm_buf mail;       /* the MAIL line until it is sent */
    int mail_sent;
    struct rcpt *rcpts;
    size_t rcpt_count, rcpt_cap, rcpt_sent, rcpt_replied, rcpt_ok;
    int data_started;  /* the caller gave data or ended it: the recipients are complete */
    int data_ended;
    int data_sent;     /* DATA went out */
    int data_go;       /* 354 came: the data flows to the output */
    int final_sent;    /* the final "." or BDAT LAST went out */
    size_t lmtp_next;  /* the next recipient an LMTP reply after the data belongs to */
    lm_buf stage;      /* encoded data not yet in the output */
    ms_encoder enc;
};

enum { S_EHLO, S_SERVER, S_USER, S_PASSWORD, S_TOKEN, S_AUTHZID, S_MECH, S_ALLOWED, S_COUNT };

struct mailsend_client {
    mailsend_options o;
    char *strings[S_COUNT];
    ms_sasl_creds creds;
    ms_reply_parser parser;
    ms_caps caps;
    int phase;
    int broken;            /* MAILSEND_E_NOMEM once an allocation failed */
    int tls_active;
    int helo;              /* EHLO was refused and HELO sent */
    lm_buf out;
    size_t out_off;
    struct pending *pend;
    size_t pend_head, pend_len, pend_cap;
    struct event *ev;
    size_t ev_head, ev_len, ev_cap;
    ms_reply *ev_current;  /* the reply of the event last handed out */
    /* authentication */
    ms_sasl sasl;
    const ms_sasl_mech *auth_mech;
    lm_buf sasl_buf, line;
    char *auth_initial;    /* an initial response too long for the AUTH line */
    int auth_cancelled, auth_ok;
    struct txn t;
};

/* ---- small helpers ------------------------------------------------------------------------- */

static int pipelining(const mailsend_client *c)
{
    return (c->caps.flags & MAILSEND_CAP_PIPELINING) && !c->o.no_pipelining;
}

static size_t pending_count(const mailsend_client *c) { return c->pend_len - c->pend_head; }

static size_t output_len(const mailsend_client *c) { return c->out.len - c->out_off; }

static int oom(mailsend_client *c)
{
    c->broken = MAILSEND_E_NOMEM;
    return MAILSEND_E_NOMEM;
}

/* Room for one more item at the end of a first-in first-out array of `size`-octet items (an
 * emptied queue starts again at 0): the array, moved or not, or NULL when it cannot grow. */
static void *queue_room(void *items, size_t *head, size_t *len, size_t *cap, size_t size)
{
    if (*head == *len)
        *head = *len = 0;
    if (*len < *cap)
        return items;
    size_t ncap = *cap ? *cap * 2 : 16;
    void *grown = lm_realloc(items, ncap * size);
    if (grown)
        *cap = ncap;
    return grown;
}

static int emit(mailsend_client *c, int type, int command, ms_reply *reply, size_t rcpt,
                int error, size_t accepted)
{
    struct event *e = queue_room(c->ev, &c->ev_head, &c->ev_len, &c->ev_cap, sizeof *e);
    if (!e)
        return oom(c);
    c->ev = e;
    c->ev[c->ev_len++] = (struct event){type, command, error, rcpt, accepted, ms_reply_ref(reply)};
    return 0;
}

/* Writes a command line (CRLF included) and waits for its reply. */
static int send_command(mailsend_client *c, int cmd, size_t rcpt, const char *line, size_t len)
{
    struct pending *p = queue_room(c->pend, &c->pend_head, &c->pend_len, &c->pend_cap, sizeof *p);
    if (!p)
        return oom(c);
    c->pend = p;
    if (lm_buf_append(&c->out, line, len))
        return oom(c);
    c->pend[c->pend_len++] = (struct pending){cmd, rcpt};
    return 0;
}

static int send_text(mailsend_client *c, int cmd, const char *line)
{
    return send_command(c, cmd, 0, line, strlen(line));
}

static int status_of(const ms_reply *r)
{
    if (!r || r->pub.code / 100 == 4)
        return MAILSEND_RCPT_TEMPFAIL;
    return r->pub.code / 100 == 2 ? MAILSEND_RCPT_ACCEPTED : MAILSEND_RCPT_PERMFAIL;
}

/* ---- ending ------------------------------------------------------------------------------ */

/* Gives recipient i its outcome from `r` (NULL: the session broke). */
static int resolve(mailsend_client *c, size_t i, ms_reply *r)
{
    struct rcpt *rc = &c->t.rcpts[i];
    rc->status = status_of(r);
    ms_reply_unref(rc->reply);
    rc->reply = ms_reply_ref(r);
    return emit(c, MAILSEND_EVENT_RECIPIENT, MAILSEND_CMD_NONE, r, i, 0, 0);
}

static size_t accepted_count(const mailsend_client *c)
{
    size_t n = 0;
    for (size_t i = 0; i < c->t.rcpt_count; i++)
        n += c->t.rcpts[i].status == MAILSEND_RCPT_ACCEPTED;
    return n;
}

/* Ends the message: every recipient still pending gets its outcome from `r` (a failure, or
 * NULL), then the MESSAGE event. `final` when `r` answered the data's end (no RSET needed). */
static int txn_end(mailsend_client *c, ms_reply *r, int final)
{
    struct txn *t = &c->t;
    if (!t->open || t->done)
        return 0;
    for (size_t i = 0; i < t->rcpt_count; i++)
        if (t->rcpts[i].status == MAILSEND_RCPT_PENDING && resolve(c, i, r))
            return MAILSEND_E_NOMEM;
    t->done = 1;
    t->need_rset = !final;
    lm_buf_free(&t->stage);
    return emit(c, MAILSEND_EVENT_MESSAGE, MAILSEND_CMD_NONE, r, 0, 0, accepted_count(c));
}

/* The session is over now: no more output, no more replies awaited. */
static int close_now(mailsend_client *c)
{
    c->phase = PH_CLOSED;
    lm_buf_reset(&c->out);
    c->out_off = 0;
    c->pend_head = c->pend_len = 0;
    return emit(c, MAILSEND_EVENT_CLOSED, MAILSEND_CMD_NONE, NULL, 0, 0, 0);
}

/* The session cannot go on because of `err`. With `polite` the server still follows the
 * protocol and gets a QUIT; otherwise the connection is dropped at once. */
static int session_end(mailsend_client *c, int err, ms_reply *r, int polite)
{
    if (txn_end(c, r && r->pub.code >= 400 ? r : NULL, 0) ||
        emit(c, MAILSEND_EVENT_ERROR, MAILSEND_CMD_NONE, r, 0, err, 0))
        return MAILSEND_E_NOMEM;
    if (!polite)
        return close_now(c);
    c->phase = PH_QUIT;
    return send_text(c, MAILSEND_CMD_QUIT, "QUIT\r\n");
}

/* ---- the session's opening ----------------------------------------------------------------- */

static int ready(mailsend_client *c)
{
    c->phase = PH_READY;
    return emit(c, MAILSEND_EVENT_READY, MAILSEND_CMD_NONE, NULL, 0, 0, 0);
}

static int send_hello(mailsend_client *c, const char *verb, int cmd)
{
    lm_buf_reset(&c->line);
    lm_buf_puts(&c->line, verb);
    lm_buf_puts(&c->line, c->o.ehlo_name);
    lm_buf_puts(&c->line, "\r\n");
    if (c->line.oom)
        return oom(c);
    c->phase = PH_HELLO;
    return send_command(c, cmd, 0, c->line.data, c->line.len);
}

/* Sends an AUTH exchange's response line: base64, "=" for an empty initial response. */
static int send_sasl_response(mailsend_client *c, const lm_buf *resp, int initial)
{
    lm_buf_reset(&c->line);
    if (ms_base64_append(&c->line, (const unsigned char *)resp->data, resp->len))
        return oom(c);
    if (initial && !resp->len)
        lm_buf_putc(&c->line, '=');
    lm_buf_puts(&c->line, "\r\n");
    if (c->line.oom)
        return oom(c);
    return send_command(c, MAILSEND_CMD_AUTH, 0, c->line.data, c->line.len);
}

static int start_auth(mailsend_client *c)
{
    if (!(c->caps.flags & MAILSEND_CAP_AUTH))
        return session_end(c, MAILSEND_E_AUTH_UNAVAILABLE, NULL, 1);
    if (!c->tls_active && !c->o.auth_allow_plaintext)
        return session_end(c, MAILSEND_E_AUTH_PLAINTEXT, NULL, 1);
    const ms_sasl_mech *m = ms_sasl_choose(c->caps.auth_mechs, c->o.auth_mechanism,
                                           c->o.auth_allowed, &c->creds, c->tls_active);
    if (!m)
        return session_end(c, MAILSEND_E_AUTH_UNAVAILABLE, NULL, 1);
    c->auth_mech = m;
    c->sasl = (ms_sasl){m, &c->creds, 0, {0}, 0};
    c->auth_cancelled = 0;
    c->phase = PH_AUTH;
    lm_buf cmd = LM_BUF_INIT;
    lm_buf_puts(&cmd, "AUTH ");
    lm_buf_puts(&cmd, m->name);
    if (m->flags & MS_SASL_INITIAL) {
        int rc = ms_sasl_step(&c->sasl, NULL, 0, &c->sasl_buf);
        if (rc == MS_SASL_CANCEL) {
            lm_buf_free(&cmd);
            return session_end(c, MAILSEND_E_AUTH, NULL, 1);
        }
        lm_buf_reset(&c->line);
        if (rc || ms_base64_append(&c->line, (const unsigned char *)c->sasl_buf.data,
                                   c->sasl_buf.len)) {
            lm_buf_free(&cmd);
            return oom(c);
        }
        if (!c->line.len)
            lm_buf_putc(&c->line, '=');
        /* RFC 4954 §4: an initial response that would make the line too long waits for the
         * server's empty challenge instead. */
        if (cmd.len + 1 + c->line.len + 2 <= MS_COMMAND_LINE_MAX) {
            lm_buf_putc(&cmd, ' ');
            lm_buf_append(&cmd, c->line.data, c->line.len);
        } else {
            c->auth_initial = lm_strndup(c->line.data, c->line.len);
            if (!c->auth_initial) {
                lm_buf_free(&cmd);
                return oom(c);
            }
        }
    }
    lm_buf_puts(&cmd, "\r\n");
    int rc = cmd.oom ? oom(c) : send_command(c, MAILSEND_CMD_AUTH, 0, cmd.data, cmd.len);
    lm_buf_free(&cmd);
    return rc;
}

static int auth_or_ready(mailsend_client *c)
{
    if (c->creds.user && !c->auth_ok)
        return start_auth(c);
    return ready(c);
}

/* After EHLO/HELO: STARTTLS when it is wanted and offered, then AUTH, then ready. */
static int after_hello(mailsend_client *c)
{
    if (!c->tls_active && c->o.tls != MAILSEND_TLS_OFF) {
        if (c->caps.flags & MAILSEND_CAP_STARTTLS) {
            c->phase = PH_STARTTLS;
            return send_text(c, MAILSEND_CMD_STARTTLS, "STARTTLS\r\n");
        }
        if (c->o.tls == MAILSEND_TLS_REQUIRED)
            return session_end(c, MAILSEND_E_TLS_REQUIRED, NULL, 1);
    }
    return auth_or_ready(c);
}

static int on_auth_reply(mailsend_client *c, ms_reply *r)
{
    int code = r->pub.code;
    if (code == 334) {
        if (c->auth_cancelled)
            return session_end(c, MAILSEND_E_PROTOCOL, r, 0);
        if (c->auth_initial) {
            lm_buf_reset(&c->line);
            lm_buf_puts(&c->line, c->auth_initial);
            lm_buf_puts(&c->line, "\r\n");
            lm_free(c->auth_initial);
            c->auth_initial = NULL;
            if (c->line.oom)
                return oom(c);
            return send_command(c, MAILSEND_CMD_AUTH, 0, c->line.data, c->line.len);
        }
        lm_buf chal = LM_BUF_INIT;
        int rc = ms_base64_decode(r->pub.text, r->pub.text_len, &chal);
        if (rc == MAILSEND_E_NOMEM) {
            lm_buf_free(&chal);
            return oom(c);
        }
        if (rc == 0 && c->sasl.step < MS_AUTH_MAX_STEPS)
            rc = ms_sasl_step(&c->sasl, (const unsigned char *)(chal.data ? chal.data : ""),
                              chal.len, &c->sasl_buf);
        else
            rc = MS_SASL_CANCEL;
        lm_buf_free(&chal);
        if (rc == MAILSEND_E_NOMEM)
            return oom(c);
        if (rc) {
            c->auth_cancelled = 1;
            return send_text(c, MAILSEND_CMD_AUTH, "*\r\n");
        }
        return send_sasl_response(c, &c->sasl_buf, 0);
    }
    /* A mechanism that proves the server (DIGEST-MD5's rspauth) must have done so. */
    if (code / 100 == 2 && !c->auth_cancelled &&
        (!(c->auth_mech->flags & MS_SASL_MUTUAL) || c->sasl.verified)) {
        c->auth_ok = 1;
        if (emit(c, MAILSEND_EVENT_AUTH, MAILSEND_CMD_AUTH, r, 0, 0, 0))
            return MAILSEND_E_NOMEM;
        return ready(c);
    }
    return session_end(c, MAILSEND_E_AUTH, r, 1);
}

/* ---- transactions ---------------------------------------------------------------------------- */

static void txn_clear(struct txn *t)
{
    for (size_t i = 0; i < t->rcpt_count; i++) {
        lm_free(t->rcpts[i].address);
        lm_free(t->rcpts[i].command);
        ms_reply_unref(t->rcpts[i].reply);
    }
    lm_free(t->rcpts);
    lm_buf_free(&t->mail);
    lm_buf_free(&t->stage);
    memset(t, 0, sizeof *t);
}

/* Sends the next BDAT chunks the staged data fills (all of it once the data has ended). */
static int send_chunks(mailsend_client *c)
{
    struct txn *t = &c->t;
    size_t chunk = c->o.chunk_size;
    while (!t->final_sent && (pipelining(c) || !pending_count(c))) {
        int last = t->data_ended && t->stage.len <= chunk;
        if (!last && t->stage.len < chunk)
            break;
        size_t n = last ? t->stage.len : chunk;
        char head[64];
        int hl = snprintf(head, sizeof head, "BDAT %zu%s\r\n", n, last ? " LAST" : "");
        if (send_command(c, last ? MAILSEND_CMD_BDAT_LAST : MAILSEND_CMD_BDAT, 0, head,
                         (size_t)hl) ||
            (n && lm_buf_append(&c->out, t->stage.data, n)))
            return oom(c);
        if (n) {
            memmove(t->stage.data, t->stage.data + n, t->stage.len - n);
            t->stage.len -= n;
        }
        t->final_sent = last;
    }
    return 0;
}

/* The DATA side once 354 came: the staged octets go out, and the end when it is known. */
static int data_flow(mailsend_client *c)
{
    struct txn *t = &c->t;
    if (t->stage.len && output_len(c) == 0) {
        /* Nothing waits to be written: the staged text becomes the output, without a copy. */
        lm_buf spare = c->out;
        c->out = t->stage;
        c->out_off = 0;
        t->stage = spare;
    } else if (t->stage.len && lm_buf_append(&c->out, t->stage.data, t->stage.len)) {
        return oom(c);
    }
    lm_buf_reset(&t->stage);
    if (t->data_ended && !t->final_sent) {
        t->final_sent = 1;
        return send_command(c, MAILSEND_CMD_DATA_END, 0, "", 0);
    }
    return 0;
}

/* Sends whatever the open message may send now: MAIL, RCPTs, DATA or BDAT chunks. Without
 * PIPELINING one command at a time. */
static int pump(mailsend_client *c)
{
    struct txn *t = &c->t;
    if (c->phase != PH_TXN || t->done)
        return 0;
    if (!t->mail_sent) {
        if (!pipelining(c) && pending_count(c))
            return 0;
        if (send_command(c, MAILSEND_CMD_MAIL, 0, t->mail.data, t->mail.len))
            return MAILSEND_E_NOMEM;
        t->mail_sent = 1;
        lm_buf_free(&t->mail);
    }
    while (t->rcpt_sent < t->rcpt_count) {
        if (!pipelining(c) && pending_count(c))
            return 0;
        struct rcpt *r = &t->rcpts[t->rcpt_sent];
        if (send_command(c, MAILSEND_CMD_RCPT, t->rcpt_sent, r->command, strlen(r->command)))
            return MAILSEND_E_NOMEM;
        lm_free(r->command);
        r->command = NULL;
        t->rcpt_sent++;
    }
    if (!t->data_started)
        return 0;
    /* Every recipient refused: the message ends here (RFC 2920 §3.1). */
    if (t->rcpt_replied == t->rcpt_count && !t->rcpt_ok)
        return txn_end(c, NULL, 0);
    if (t->bdat)
        return send_chunks(c);
    if (!t->data_sent) {
        if (!pipelining(c) && pending_count(c))
            return 0;
        t->data_sent = 1;
        return send_text(c, MAILSEND_CMD_DATA, "DATA\r\n");
    }
    return 0;
}

/* The message's commands have all been answered: on to RSET or to the next message. */
static int settle(mailsend_client *c)
{
    if (c->phase != PH_TXN || !c->t.done || pending_count(c))
        return 0;
    if (c->t.need_rset) {
        c->phase = PH_RSET;
        return send_text(c, MAILSEND_CMD_RSET, "RSET\r\n");
    }
    return ready(c);
}

/* Sends what the open message may send, then moves on once it has ended. */
static int advance(mailsend_client *c)
{
    if (pump(c))
        return MAILSEND_E_NOMEM;
    return settle(c);
}

/* The next recipient an LMTP reply after the data belongs to (rcpt_count when none). */
static size_t lmtp_rcpt(const mailsend_client *c)
{
    size_t i = c->t.lmtp_next;
    while (i < c->t.rcpt_count &&
           !(c->t.rcpts[i].rcpt_ok && c->t.rcpts[i].status == MAILSEND_RCPT_PENDING))
        i++;
    return i;
}

/* The reply to the data's end (DATA's "." or BDAT LAST). In LMTP, one comes per recipient that
 * RCPT accepted, in their order; the pending entry stays until the last. */
static int on_final_reply(mailsend_client *c, ms_reply *r, size_t i)
{
    struct txn *t = &c->t;
    if (!c->o.lmtp || i >= t->rcpt_count) {
        c->pend_head++;
        for (size_t k = 0; k < t->rcpt_count; k++)
            if (t->rcpts[k].rcpt_ok && t->rcpts[k].status == MAILSEND_RCPT_PENDING &&
                resolve(c, k, r))
                return MAILSEND_E_NOMEM;
        return txn_end(c, r, 1);
    }
    if (resolve(c, i, r))
        return MAILSEND_E_NOMEM;
    t->lmtp_next = i + 1;
    if (lmtp_rcpt(c) < t->rcpt_count)
        return 0;
    c->pend_head++;
    return txn_end(c, r, 1);
}

static int on_txn_reply(mailsend_client *c, const struct pending *p, ms_reply *r, size_t idx)
{
    struct txn *t = &c->t;
    int ok = r->pub.code / 100 == 2;
    switch (p->cmd) {
    case MAILSEND_CMD_MAIL:
        if (!ok)
            return txn_end(c, r, 0);
        return 0;
    case MAILSEND_CMD_RCPT:
        t->rcpt_replied++;
        if (t->done)
            return 0;
        if (ok) {
            t->rcpts[p->rcpt].rcpt_ok = 1;
            t->rcpt_ok++;
            return 0;
        }
        return resolve(c, p->rcpt, r);
    case MAILSEND_CMD_DATA:
        if (r->pub.code != 354)
            return txn_end(c, r, 0);
        if (t->done) {
            /* RFC 2920 §3.1: a 354 after every recipient was refused gets an empty message. */
            t->final_sent = 1;
            return send_command(c, MAILSEND_CMD_DATA_END, 0, ".\r\n", 3);
        }
        t->data_go = 1;
        return data_flow(c);
    case MAILSEND_CMD_BDAT:
        if (!ok)
            return txn_end(c, r, 0);
        return 0;
    default: /* DATA_END, BDAT_LAST */
        if (t->done) {
            c->pend_head++;
            return 0;
        }
        return on_final_reply(c, r, idx);
    }
}

/* ---- replies ------------------------------------------------------------------------------- */

/* Non-zero when `code` may answer `cmd`: intermediate replies only where they mean something,
 * and DATA is either accepted with 354 or refused (a 2xx to it would accept nothing). */
static int code_fits(int cmd, int code)
{
    if (cmd == MAILSEND_CMD_DATA && code / 100 == 2)
        return 0;
    if (code / 100 != 3)
        return 1;
    return (cmd == MAILSEND_CMD_DATA && code == 354) || (cmd == MAILSEND_CMD_AUTH && code == 334);
}

static int on_reply(mailsend_client *c, ms_reply *r)
{
    if (!pending_count(c))
        return session_end(c, MAILSEND_E_PROTOCOL, NULL, 0);
    struct pending p = c->pend[c->pend_head];
    int code = r->pub.code;
    if (!code_fits(p.cmd, code))
        return session_end(c, MAILSEND_E_PROTOCOL, r, 0);
    int final = p.cmd == MAILSEND_CMD_DATA_END || p.cmd == MAILSEND_CMD_BDAT_LAST;
    size_t idx = p.cmd == MAILSEND_CMD_RCPT ? p.rcpt : final && c->o.lmtp ? lmtp_rcpt(c) : 0;
    if (emit(c, p.cmd == MAILSEND_CMD_GREETING ? MAILSEND_EVENT_GREETING : MAILSEND_EVENT_REPLY,
             p.cmd, r, idx, 0, 0))
        return MAILSEND_E_NOMEM;
    if (!final)
        c->pend_head++;      /* final replies leave the queue in on_final_reply() */
    if (c->phase == PH_QUIT) {
        if (final)
            c->pend_head++;
        return p.cmd == MAILSEND_CMD_QUIT ? close_now(c) : 0;
    }
    /* RFC 5321 §3.8: 421 means the server closes the connection. */
    if (code == 421)
        return session_end(c, MAILSEND_E_SERVER_CLOSING, r, 0);
    int ok = code / 100 == 2;
    switch (p.cmd) {
    case MAILSEND_CMD_GREETING:
        if (!ok)
            return session_end(c, MAILSEND_E_REFUSED, r, 1);
        return send_hello(c, c->o.lmtp ? "LHLO " : "EHLO ", MAILSEND_CMD_EHLO);
    case MAILSEND_CMD_EHLO:
    case MAILSEND_CMD_HELO:
        if (ok) {
            if (p.cmd == MAILSEND_CMD_EHLO) {
                if (ms_caps_parse(&c->caps, r->pub.text, r->pub.text_len,
                                  c->o.max_capabilities))
                    return oom(c);
            } else {
                ms_caps_clear(&c->caps);
            }
            if (emit(c, MAILSEND_EVENT_CAPABILITIES, p.cmd, r, 0, 0, 0))
                return MAILSEND_E_NOMEM;
            return after_hello(c);
        }
        /* RFC 5321 §3.2: a server that does not know EHLO may still know HELO. */
        if (p.cmd == MAILSEND_CMD_EHLO && !c->o.lmtp && code / 100 == 5) {
            c->helo = 1;
            return send_hello(c, "HELO ", MAILSEND_CMD_HELO);
        }
        return session_end(c, MAILSEND_E_REFUSED, r, 1);
    case MAILSEND_CMD_STARTTLS:
        if (code == 220) {   /* RFC 3207 §4: only 220 means "start TLS now" */
            c->phase = PH_TLS;
            return emit(c, MAILSEND_EVENT_STARTTLS, p.cmd, r, 0, 0, 0);
        }
        if (c->o.tls == MAILSEND_TLS_REQUIRED)
            return session_end(c, MAILSEND_E_TLS_REQUIRED, r, 1);
        return auth_or_ready(c);
    case MAILSEND_CMD_AUTH:
        return on_auth_reply(c, r);
    case MAILSEND_CMD_RSET:
        return ready(c);
    case MAILSEND_CMD_QUIT:
        return close_now(c);
    default:
        if (on_txn_reply(c, &p, r, idx))
            return MAILSEND_E_NOMEM;
        return advance(c);
    }
}

int mailsend_client_feed(mailsend_client *c, const unsigned char *data, size_t len)
{
    if (!c || (!data && len))
        return MAILSEND_E_INVAL;
    if (c->broken)
        return c->broken;
    size_t off = 0;
    while (off < len && c->phase != PH_CLOSED) {
        /* RFC 3207 §6: bytes after the STARTTLS reply came before TLS; they are not the
         * server's (a man in the middle's, or a buffering bug) and must not be used. */
        if (c->phase == PH_TLS)
            return session_end(c, MAILSEND_E_PROTOCOL, NULL, 0) ? c->broken : 0;
        size_t used = 0;
        ms_reply *r = NULL;
        int rc = ms_reply_parser_feed(&c->parser, data + off, len - off, &used, &r);
        off += used;
        if (rc == MAILSEND_E_NOMEM)
            return oom(c);
        if (rc < 0) {
            if (session_end(c, rc, NULL, 0))
                return c->broken;
            break;
        }
        if (rc == 0)
            break;
        rc = on_reply(c, r);
        ms_reply_unref(r);
        if (rc)
            return c->broken ? c->broken : rc;
    }
    return 0;
}

int mailsend_client_eof(mailsend_client *c)
{
    if (!c)
        return MAILSEND_E_INVAL;
    if (c->broken)
        return c->broken;
    if (c->phase == PH_CLOSED)
        return 0;
    int rc = c->phase == PH_QUIT && !ms_reply_parser_busy(&c->parser)
                 ? close_now(c)
                 : session_end(c, MAILSEND_E_DISCONNECTED, NULL, 0);
    return rc ? c->broken : 0;
}

int mailsend_client_timeout(mailsend_client *c)
{
    if (!c)
        return MAILSEND_E_INVAL;
    if (c->broken)
        return c->broken;
    if (c->phase == PH_CLOSED)
        return 0;
    return session_end(c, MAILSEND_E_TIMEOUT, NULL, 0) ? c->broken : 0;
}

/* ---- the caller's side --------------------------------------------------------------------- */

static char *copy_option(const char *s, int *err)
{
    if (!s)
        return NULL;
    char *d = lm_strndup(s, strlen(s));
    if (!d)
        *err = MAILSEND_E_NOMEM;
    return d;
}

static int ehlo_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (!n || n > 255)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
            return 0;
    return 1;
}

/* Checks the options and fills in the defaults. */
static int take_options(mailsend_client *c, const mailsend_options *opts)
{
    mailsend_options *o = &c->o;
    mailsend_options_init(o);
    if (ms_record_in(o, sizeof *o, opts))
        return MAILSEND_E_INVAL;
    if (o->tls < MAILSEND_TLS_OPPORTUNISTIC || o->tls > MAILSEND_TLS_IMPLICIT ||
        (o->max_line && o->max_line < MAILSEND_MIN_MAX_LINE) ||
        (o->ehlo_name && !ehlo_name_ok(o->ehlo_name)) ||
        (o->auth_mechanism && ms_sasl_find(o->auth_mechanism, strlen(o->auth_mechanism)) < 0))
        return MAILSEND_E_INVAL;
#define DEFAULT(field, value) \
    if (!o->field)            \
        o->field = (value);
    DEFAULT(max_line, MAILSEND_DEFAULT_MAX_LINE)
    DEFAULT(max_reply_lines, MAILSEND_DEFAULT_MAX_REPLY_LINES)
    DEFAULT(max_capabilities, MAILSEND_DEFAULT_MAX_CAPABILITIES)
    DEFAULT(max_rcpts, MAILSEND_DEFAULT_MAX_RCPTS)
    DEFAULT(chunk_size, MAILSEND_DEFAULT_CHUNK_SIZE)
    DEFAULT(max_buffer, MAILSEND_DEFAULT_MAX_BUFFER)
    DEFAULT(timeout_greeting, MAILSEND_DEFAULT_TIMEOUT_GREETING)
    DEFAULT(timeout_mail, MAILSEND_DEFAULT_TIMEOUT_MAIL)
    DEFAULT(timeout_rcpt, MAILSEND_DEFAULT_TIMEOUT_RCPT)
    DEFAULT(timeout_data_init, MAILSEND_DEFAULT_TIMEOUT_DATA_INIT)
    DEFAULT(timeout_data_block, MAILSEND_DEFAULT_TIMEOUT_DATA_BLOCK)
    DEFAULT(timeout_data_end, MAILSEND_DEFAULT_TIMEOUT_DATA_END)
    DEFAULT(timeout_other, MAILSEND_DEFAULT_TIMEOUT_OTHER)
#undef DEFAULT
    if (o->max_buffer < o->chunk_size || o->max_buffer - o->chunk_size < 4096)
        return MAILSEND_E_INVAL;
    int err = 0;
    const char *given[S_COUNT] = {o->ehlo_name ? o->ehlo_name : "localhost", o->server_name,
                                  o->auth_user, o->auth_password, o->auth_token,
                                  o->auth_authzid, o->auth_mechanism, o->auth_allowed};
    for (int i = 0; i < S_COUNT; i++)
        c->strings[i] = copy_option(given[i], &err);
    if (err)
        return err;
    o->ehlo_name = c->strings[S_EHLO];
    o->server_name = c->strings[S_SERVER];
    o->auth_user = c->strings[S_USER];
    o->auth_password = c->strings[S_PASSWORD];
    o->auth_token = c->strings[S_TOKEN];
    o->auth_authzid = c->strings[S_AUTHZID];
    o->auth_mechanism = c->strings[S_MECH];
    o->auth_allowed = c->strings[S_ALLOWED];
    c->creds = (ms_sasl_creds){o->auth_user, o->auth_password, o->auth_token, o->auth_authzid,
                               o->server_name, o->random, o->random_user};
    return 0;
}

int mailsend_client_new(const mailsend_options *opts, mailsend_client **out)
{
    if (!out)
        return MAILSEND_E_INVAL;
    *out = NULL;
    mailsend_client *c = lm_calloc(1, sizeof *c);
    if (!c)
        return MAILSEND_E_NOMEM;
    int rc = take_options(c, opts);
    if (!rc) {
        ms_reply_parser_init(&c->parser, c->o.max_line, c->o.max_reply_lines);
        c->tls_active = c->o.tls == MAILSEND_TLS_IMPLICIT;
        c->phase = PH_GREETING;
        rc = send_command(c, MAILSEND_CMD_GREETING, 0, "", 0);
    }
    if (rc) {
        mailsend_client_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

void mailsend_client_free(mailsend_client *c)
{
    if (!c)
        return;
    for (int i = 0; i < S_COUNT; i++) {
        if (c->strings[i]) {
            OPENSSL_cleanse(c->strings[i], strlen(c->strings[i]));
            lm_free(c->strings[i]);
        }
    }
    ms_reply_parser_free(&c->parser);
    ms_caps_clear(&c->caps);
    OPENSSL_cleanse(c->out.data, c->out.cap);
    lm_buf_free(&c->out);
    lm_free(c->pend);
    for (size_t i = c->ev_head; i < c->ev_len; i++)
        ms_reply_unref(c->ev[i].reply);
    lm_free(c->ev);
    ms_reply_unref(c->ev_current);
    OPENSSL_cleanse(c->sasl_buf.data, c->sasl_buf.cap);
    OPENSSL_cleanse(c->line.data, c->line.cap);
    lm_buf_free(&c->sasl_buf);
    lm_buf_free(&c->line);
    lm_free(c->auth_initial);
    txn_clear(&c->t);
    lm_free(c);
}

int mailsend_client_output(mailsend_client *c, const unsigned char **data, size_t *len)
{
    if (!c || !data || !len)
        return MAILSEND_E_INVAL;
    *data = (const unsigned char *)(c->out.data ? c->out.data + c->out_off : "");
    *len = output_len(c);
    return c->broken;
}

int mailsend_client_consume(mailsend_client *c, size_t n)
{
    if (!c || n > output_len(c))
        return MAILSEND_E_INVAL;
    c->out_off += n;
    if (c->out_off == c->out.len) {
        lm_buf_reset(&c->out);
        c->out_off = 0;
    } else if (c->out_off > c->out.len / 2) {
        memmove(c->out.data, c->out.data + c->out_off, c->out.len - c->out_off);
        c->out.len -= c->out_off;
        c->out.data[c->out.len] = '\0';
        c->out_off = 0;
    }
    return 0;
}

int mailsend_client_wants_read(const mailsend_client *c)
{
    return c && !c->broken && c->phase != PH_CLOSED && c->phase != PH_TLS && pending_count(c);
}

unsigned mailsend_client_timeout_ms(const mailsend_client *c)
{
    if (!c || c->phase == PH_CLOSED || c->phase == PH_TLS)
        return 0;
    if (pending_count(c)) {
        switch (c->pend[c->pend_head].cmd) {
        case MAILSEND_CMD_GREETING: return c->o.timeout_greeting;
        case MAILSEND_CMD_MAIL: return c->o.timeout_mail;
        case MAILSEND_CMD_RCPT: return c->o.timeout_rcpt;
        case MAILSEND_CMD_DATA: return c->o.timeout_data_init;
        case MAILSEND_CMD_DATA_END:
        case MAILSEND_CMD_BDAT:
        case MAILSEND_CMD_BDAT_LAST: return c->o.timeout_data_end;
        default: return c->o.timeout_other;
        }
    }
    if (output_len(c))
        return c->phase == PH_TXN ? c->o.timeout_data_block : c->o.timeout_other;
    return 0;
}

int mailsend_client_tls_started(mailsend_client *c)
{
    if (!c)
        return MAILSEND_E_INVAL;
    if (c->broken)
        return c->broken;
    if (c->phase != PH_TLS)
        return MAILSEND_E_STATE;
    c->tls_active = 1;
    ms_caps_clear(&c->caps);
    ms_reply_parser_reset(&c->parser);
    return send_hello(c, c->o.lmtp ? "LHLO " : "EHLO ", MAILSEND_CMD_EHLO);
}

int mailsend_client_next_event(mailsend_client *c, mailsend_event *ev)
{
    if (!c || !ev || ev->struct_size < offsetof(mailsend_event, type) + sizeof(int))
        return MAILSEND_E_INVAL;
    ms_reply_unref(c->ev_current);
    c->ev_current = NULL;
    mailsend_event e;
    memset(&e, 0, sizeof e);
    e.struct_size = ev->struct_size < sizeof e ? ev->struct_size : sizeof e;
    if (c->ev_head < c->ev_len) {
        struct event *q = &c->ev[c->ev_head++];
        e.type = q->type;
        e.command = q->command;
        e.reply = q->reply ? &q->reply->pub : NULL;
        e.rcpt = q->rcpt;
        e.error = q->error;
        e.accepted = q->accepted;
        c->ev_current = q->reply;
    }
    memcpy(ev, &e, e.struct_size);
    return 0;
}

/* ---- messages -------------------------------------------------------------------------------- */

int mailsend_client_mail(mailsend_client *c, const mailsend_envelope *env)
{
    if (!c || !env)
        return MAILSEND_E_INVAL;
    if (c->broken)
        return c->broken;
    if (c->phase != PH_READY)
        return MAILSEND_E_STATE;
    mailsend_envelope e;
    mailsend_envelope_init(&e);
    if (ms_record_in(&e, sizeof e, env))
        return MAILSEND_E_INVAL;
    lm_buf line = LM_BUF_INIT;
    int rc = ms_mail_command(&line, &e, &c->caps, c->tls_active);
    if (rc) {
        lm_buf_free(&line);
        return rc;
    }
    txn_clear(&c->t);
    struct txn *t = &c->t;
    t->open = 1;
    t->mail = line;
    t->smtputf8 = e.smtputf8 != 0;
    t->bdat = (c->caps.flags & MAILSEND_CAP_CHUNKING) && !c->o.no_chunking;
    ms_encoder_init(&t->enc, !t->bdat);
    c->phase = PH_TXN;
    return advance(c);
}

int mailsend_client_rcpt(mailsend_client *c, const char *address,
                         const mailsend_rcpt_options *o)
{
    if (!c || !address)
        return MAILSEND_E_INVAL;
    if (c->broken)
        return c->broken;
    struct txn *t = &c->t;
    if (c->phase != PH_TXN || t->done || t->data_started)
        return MAILSEND_E_STATE;
    if (t->rcpt_count == c->o.max_rcpts)
        return MAILSEND_E_LIMIT;
    mailsend_rcpt_options ro;
    mailsend_rcpt_options_init(&ro);
    if (ms_record_in(&ro, sizeof ro, o))
        return MAILSEND_E_INVAL;
    if (t->rcpt_count == t->rcpt_cap) {
        size_t cap = t->rcpt_cap ? t->rcpt_cap * 2 : 8;
        struct rcpt *r = lm_realloc(t->rcpts, cap * sizeof *r);
        if (!r)
            return MAILSEND_E_NOMEM;
        t->rcpts = r;
        t->rcpt_cap = cap;
    }
    lm_buf line = LM_BUF_INIT;
    int rc = ms_rcpt_command(&line, address, &ro, &c->caps, t->smtputf8);
    if (rc) {
        lm_buf_free(&line);
        return rc;
    }
    char *addr = lm_strndup(address, strlen(address));
    if (!addr) {
        lm_buf_free(&line);
        return MAILSEND_E_NOMEM;
    }
    t->rcpts[t->rcpt_count++] = (struct rcpt){addr, line.data, MAILSEND_RCPT_PENDING, 0, NULL};
    return advance(c);
}

static int data_open(const mailsend_client *c)
{
    return c->phase == PH_TXN && !c->t.done && !c->t.data_ended && c->t.rcpt_count;
}

int mailsend_client_data(mailsend_client *c, const unsigned char *data, size_t len,
                         size_t *taken)
{
    if (!c || !taken || (!data && len))
        return MAILSEND_E_INVAL;
    *taken = 0;
    if (c->broken)
        return c->broken;
    if (!data_open(c))
        return MAILSEND_E_STATE;
    struct txn *t = &c->t;
    t->data_started = 1;
    size_t held = output_len(c) + t->stage.len;
    size_t room = held < c->o.max_buffer ? (c->o.max_buffer - held) / 2 : 0;
    size_t n = len < room ? len : room;
    lm_buf *to = t->bdat || !t->data_go ? &t->stage : &c->out;
    if (n && ms_encoder_feed(&t->enc, data, n, to))
        return oom(c);
    *taken = n;
    return advance(c);
}

int mailsend_client_data_end(mailsend_client *c)
{
    if (!c)
        return MAILSEND_E_INVAL;
    if (c->broken)
        return c->broken;
    if (!data_open(c))
        return MAILSEND_E_STATE;
    struct txn *t = &c->t;
    t->data_started = 1;
    t->data_ended = 1;
    if (ms_encoder_finish(&t->enc, t->bdat || !t->data_go ? &t->stage : &c->out))
        return oom(c);
    if (t->data_go && data_flow(c))
        return MAILSEND_E_NOMEM;
    return advance(c);
}

int mailsend_client_quit(mailsend_client *c)
{
    if (!c)
        return MAILSEND_E_INVAL;
    if (c->broken)
        return c->broken;
    if (c->phase != PH_READY)
        return MAILSEND_E_STATE;
    c->phase = PH_QUIT;
    return send_text(c, MAILSEND_CMD_QUIT, "QUIT\r\n");
}

/* ---- accessors ------------------------------------------------------------------------------- */

unsigned mailsend_client_capabilities(const mailsend_client *c) { return c ? c->caps.flags : 0; }

uint64_t mailsend_client_size_limit(const mailsend_client *c) { return c ? c->caps.size_limit : 0; }

size_t mailsend_client_extension_count(const mailsend_client *c) { return c ? c->caps.count : 0; }

const char *mailsend_client_extension(const mailsend_client *c, size_t i, const char **params)
{
    if (!c || i >= c->caps.count)
        return NULL;
    if (params)
        *params = c->caps.params[i];
    return c->caps.keywords[i];
}

int mailsend_client_tls_active(const mailsend_client *c) { return c && c->tls_active; }

const char *mailsend_client_auth_mechanism(const mailsend_client *c)
{
    return c && c->auth_ok ? c->auth_mech->name : NULL;
}

size_t mailsend_client_rcpt_count(const mailsend_client *c) { return c ? c->t.rcpt_count : 0; }

const char *mailsend_client_rcpt_address(const mailsend_client *c, size_t i)
{
    return c && i < c->t.rcpt_count ? c->t.rcpts[i].address : NULL;
}

int mailsend_client_rcpt_status(const mailsend_client *c, size_t i)
{
    return c && i < c->t.rcpt_count ? c->t.rcpts[i].status : MAILSEND_RCPT_PENDING;
}

const mailsend_reply *mailsend_client_rcpt_reply(const mailsend_client *c, size_t i)
{
    if (!c || i >= c->t.rcpt_count || !c->t.rcpts[i].reply)
        return NULL;
    return &c->t.rcpts[i].reply->pub;
}
