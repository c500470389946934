/* session.c — the blocking session: a socket (TCP over IPv4/IPv6 with a connect deadline, or
 * a Unix socket for LMTP), OpenSSL for implicit TLS and STARTTLS, and a loop that drives the
 * protocol machine of client.c with the RFC 5321 §4.5.3.2 deadline it names for each wait.
 * DKIM signing on send prepends the signature of the exact octets the machine will send. */
#include "ms_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lm_alloc.h"
#include "lm_buf.h"
#include "lm_record.h"

#define DEFAULT_CONNECT_TIMEOUT 30000u
#define DETAIL_MAX 256

struct mailsend_session {
    mailsend_session_options opts;
    mailsend_options proto;
    char *host, *server_name, *unix_path, *ca_file, *ca_path; /* copies of the options' strings */
    int fd;
    SSL_CTX *ctx;
    SSL *ssl;
    mailsend_client *client;
    int closed;                 /* the machine said CLOSED */
    int ready;                  /* READY seen since the last message began */
    int message_done;           /* MESSAGE seen since the last message began */
    int error;                  /* the first MAILSEND_E_* the session ended with */
    char detail[DETAIL_MAX];
};

void mailsend_session_options_init(mailsend_session_options *o)
{
    if (!o)
        return;
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
}

/* The detail line: `what` followed by `arg`. */
static void set_detail(mailsend_session *s, const char *what, const char *arg)
{
    snprintf(s->detail, sizeof s->detail, "%s%s", what, arg ? arg : "");
}

/* Records the first failure; later ones are consequences. */
static int fail(mailsend_session *s, int code)
{
    if (!s->error)
        s->error = code;
    if (!s->detail[0])
        set_detail(s, mailsend_strerror(code), NULL);
    return code;
}

static void openssl_detail(mailsend_session *s, const char *what)
{
    unsigned long e = ERR_get_error();
    char buf[160];
    long v = s->ssl ? SSL_get_verify_result(s->ssl) : X509_V_OK;
    if (v != X509_V_OK)
        snprintf(buf, sizeof buf, "%s", X509_verify_cert_error_string(v));
    else if (e)
        ERR_error_string_n(e, buf, sizeof buf);
    else
        snprintf(buf, sizeof buf, "connection closed during the handshake");
    snprintf(s->detail, sizeof s->detail, "%s: %s", what, buf);
    ERR_clear_error();
}

static char *dup_or_null(const char *p, int *oom)
{
    if (!p)
        return NULL;
    char *d = lm_strndup(p, strlen(p));
    if (!d)
        *oom = 1;
    return d;
}

int mailsend_session_new(const mailsend_session_options *opts, const mailsend_options *proto,
                         mailsend_session **out)
{
    if (!out)
        return MAILSEND_E_INVAL;
    *out = NULL;
    mailsend_session *s = lm_calloc(1, sizeof *s);
    if (!s)
        return MAILSEND_E_NOMEM;
    s->fd = -1;
    mailsend_session_options_init(&s->opts);
    mailsend_options_init(&s->proto);
    if (lm_record_in(&s->opts, sizeof s->opts, opts) ||
        lm_record_in(&s->proto, sizeof s->proto, proto) ||
        (!s->opts.host && !s->opts.unix_path) || (s->opts.unix_path && s->opts.address)) {
        lm_free(s);
        return MAILSEND_E_INVAL;
    }
    int oom = 0;
    s->host = dup_or_null(s->opts.host, &oom);
    s->unix_path = dup_or_null(s->opts.unix_path, &oom);
    s->ca_file = dup_or_null(s->opts.tls_ca_file, &oom);
    s->ca_path = dup_or_null(s->opts.tls_ca_path, &oom);
    s->server_name = dup_or_null(s->opts.tls_server_name ? s->opts.tls_server_name
                                                         : s->opts.host, &oom);
    if (oom) {
        mailsend_session_free(s);
        return MAILSEND_E_NOMEM;
    }
    if (s->unix_path && strlen(s->unix_path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
        mailsend_session_free(s);
        return MAILSEND_E_INVAL;
    }
    if (!s->proto.server_name)
        s->proto.server_name = s->server_name;
    *out = s;
    return 0;
}

static void close_connection(mailsend_session *s)
{
    if (s->ssl) {
        SSL_free(s->ssl);
        s->ssl = NULL;
    }
    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
}

void mailsend_session_free(mailsend_session *s)
{
    if (!s)
        return;
    close_connection(s);
    SSL_CTX_free(s->ctx);
    mailsend_client_free(s->client);
    lm_free(s->host);
    lm_free(s->unix_path);
    lm_free(s->ca_file);
    lm_free(s->ca_path);
    lm_free(s->server_name);
    lm_free(s);
}

/* ---- connecting ---- */

static unsigned connect_timeout(const mailsend_session *s)
{
    return s->opts.connect_timeout_ms ? s->opts.connect_timeout_ms : DEFAULT_CONNECT_TIMEOUT;
}

/* One non-blocking connect with a deadline; the socket is left blocking-free (O_NONBLOCK),
 * which every later read and write expects. Returns the descriptor or -1. */
static int connect_one(const struct sockaddr *sa, socklen_t len, unsigned timeout_ms)
{
    int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, sa, len) == 0)
        return fd;
    if (errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    int err = 0;
    socklen_t el = sizeof err;
    if (poll(&p, 1, (int)timeout_ms) != 1 ||
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0 || err != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static unsigned default_port(const mailsend_session *s)
{
    if (s->opts.port)
        return s->opts.port;
    if (s->proto.tls == MAILSEND_TLS_IMPLICIT)
        return 465;
    return s->proto.lmtp ? 24 : 25;
}

static int open_socket(mailsend_session *s)
{
    unsigned timeout = connect_timeout(s);
    if (s->unix_path) {
        struct sockaddr_un un;
        memset(&un, 0, sizeof un);
        un.sun_family = AF_UNIX;
        memcpy(un.sun_path, s->unix_path, strlen(s->unix_path) + 1);
        s->fd = connect_one((struct sockaddr *)&un, sizeof un, timeout);
        if (s->fd < 0) {
            set_detail(s, "cannot connect to ", s->unix_path);
            return fail(s, MAILSEND_E_CONNECT);
        }
        return 0;
    }
    unsigned port = default_port(s);
    if (s->opts.address) {
        const mailsend_mx_address *a = s->opts.address;
        struct sockaddr_storage ss;
        memset(&ss, 0, sizeof ss);
        socklen_t len;
        if (a->family == 4) {
            struct sockaddr_in *in = (struct sockaddr_in *)&ss;
            in->sin_family = AF_INET;
            in->sin_port = htons((uint16_t)port);
            memcpy(&in->sin_addr, a->addr, 4);
            len = sizeof *in;
        } else if (a->family == 6) {
            struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
            in6->sin6_family = AF_INET6;
            in6->sin6_port = htons((uint16_t)port);
            memcpy(&in6->sin6_addr, a->addr, 16);
            len = sizeof *in6;
        } else {
            return fail(s, MAILSEND_E_INVAL);
        }
        s->fd = connect_one((struct sockaddr *)&ss, len, timeout);
        if (s->fd < 0) {
            set_detail(s, "cannot connect to ", s->host);
            return fail(s, MAILSEND_E_CONNECT);
        }
        return 0;
    }
    char service[8];
    snprintf(service, sizeof service, "%u", port & 0xffffu);
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_ADDRCONFIG | AI_NUMERICSERV;
    int g = getaddrinfo(s->host, service, &hints, &res);
    if (g != 0) {
        snprintf(s->detail, sizeof s->detail, "%s: %s", s->host, gai_strerror(g));
        return fail(s, MAILSEND_E_CONNECT);
    }
    for (struct addrinfo *ai = res; ai && s->fd < 0; ai = ai->ai_next)
        s->fd = connect_one(ai->ai_addr, ai->ai_addrlen, timeout);
    freeaddrinfo(res);
    if (s->fd < 0) {
        set_detail(s, "cannot connect to ", s->host);
        return fail(s, MAILSEND_E_CONNECT);
    }
    return 0;
}

/* ---- TLS ---- */

static int make_context(mailsend_session *s)
{
    if (s->ctx)
        return 0;
    s->ctx = SSL_CTX_new(TLS_client_method());
    if (!s->ctx || !SSL_CTX_set_min_proto_version(s->ctx, TLS1_2_VERSION))
        return fail(s, MAILSEND_E_NOMEM);
    if (s->opts.tls_no_verify) {
        SSL_CTX_set_verify(s->ctx, SSL_VERIFY_NONE, NULL);
        return 0;
    }
    SSL_CTX_set_verify(s->ctx, SSL_VERIFY_PEER, NULL);
    int ok = (s->ca_file || s->ca_path)
                 ? SSL_CTX_load_verify_locations(s->ctx, s->ca_file, s->ca_path)
                 : SSL_CTX_set_default_verify_paths(s->ctx);
    if (!ok) {
        openssl_detail(s, "loading the trusted certificates");
        return fail(s, MAILSEND_E_TLS);
    }
    return 0;
}

static int is_ip_literal(const char *name)
{
    unsigned char buf[16];
    return inet_pton(AF_INET, name, buf) == 1 || inet_pton(AF_INET6, name, buf) == 1;
}

/* Waits until the descriptor is readable (want_read) or writable, within `ms`. */
static int wait_fd(mailsend_session *s, int want_read, unsigned ms)
{
    struct pollfd p = {.fd = s->fd, .events = (short)(want_read ? POLLIN : POLLOUT)};
    int r;
    do
        r = poll(&p, 1, ms ? (int)ms : -1);
    while (r < 0 && errno == EINTR);
    if (r == 0)
        return MAILSEND_E_TIMEOUT;
    return r < 0 ? MAILSEND_E_IO : 0;
}

static int start_tls(mailsend_session *s)
{
    int rc = make_context(s);
    if (rc)
        return rc;
    if (!(s->ssl = SSL_new(s->ctx)) || !SSL_set_fd(s->ssl, s->fd))
        return fail(s, MAILSEND_E_NOMEM);
    const char *name = s->server_name;
    if (name && !is_ip_literal(name))
        SSL_set_tlsext_host_name(s->ssl, name); /* SNI is for names only (RFC 6066 §3) */
    if (name && !s->opts.tls_no_verify) {
        int ok = is_ip_literal(name) ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(s->ssl), name)
                                     : SSL_set1_host(s->ssl, name);
        if (!ok)
            return fail(s, MAILSEND_E_NOMEM);
        SSL_set_hostflags(s->ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    }
    for (;;) {
        int r = SSL_connect(s->ssl);
        if (r == 1)
            return 0;
        int e = SSL_get_error(s->ssl, r);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
            rc = wait_fd(s, e == SSL_ERROR_WANT_READ, s->proto.timeout_other
                                                          ? s->proto.timeout_other
                                                          : MAILSEND_DEFAULT_TIMEOUT_OTHER);
            if (rc == 0)
                continue;
            openssl_detail(s, "TLS handshake timed out");
            return fail(s, rc);
        }
        openssl_detail(s, "TLS handshake");
        return fail(s, MAILSEND_E_TLS);
    }
}

/* ---- reading and writing ---- */

/* Writes all of `n` octets. */
static int write_all(mailsend_session *s, const unsigned char *p, size_t n, unsigned timeout)
{
    while (n > 0) {
        ssize_t w;
        int want_read = 0;
        if (s->ssl) {
            size_t done = 0;
            int r = SSL_write_ex(s->ssl, p, n, &done);
            if (r == 1) {
                w = (ssize_t)done;
            } else {
                int e = SSL_get_error(s->ssl, r);
                if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
                    openssl_detail(s, "TLS write");
                    return fail(s, MAILSEND_E_IO);
                }
                want_read = e == SSL_ERROR_WANT_READ;
                w = -1;
            }
        } else {
            w = send(s->fd, p, n, MSG_NOSIGNAL);
            if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                set_detail(s, "write: ", strerror(errno));
                return fail(s, MAILSEND_E_IO);
            }
        }
        if (w > 0) {
            p += w;
            n -= (size_t)w;
            continue;
        }
        int rc = wait_fd(s, want_read, timeout);
        if (rc)
            return rc == MAILSEND_E_TIMEOUT ? MAILSEND_E_TIMEOUT : fail(s, rc);
    }
    return 0;
}

/* Reads what is there (waiting up to `timeout`): >0 octets, 0 at end of stream, or an error. */
static ssize_t read_some(mailsend_session *s, unsigned char *buf, size_t size, unsigned timeout)
{
    for (;;) {
        int want_read = 1;
        if (s->ssl) {
            size_t got = 0;
            int r = SSL_read_ex(s->ssl, buf, size, &got);
            if (r == 1)
                return (ssize_t)got;
            int e = SSL_get_error(s->ssl, r);
            if (e == SSL_ERROR_ZERO_RETURN)
                return 0;
            if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)
                return 0; /* the peer closed without close_notify */
            if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
                openssl_detail(s, "TLS read");
                return MAILSEND_E_IO;
            }
            want_read = e == SSL_ERROR_WANT_READ;
        } else {
            ssize_t r = recv(s->fd, buf, size, 0);
            if (r >= 0)
                return r;
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                set_detail(s, "read: ", strerror(errno));
                return MAILSEND_E_IO;
            }
        }
        int rc = wait_fd(s, want_read, timeout);
        if (rc)
            return rc;
    }
}

/* Writes the machine's output. */
static int flush(mailsend_session *s)
{
    const unsigned char *p;
    size_t n;
    unsigned t = s->proto.timeout_data_block ? s->proto.timeout_data_block
                                             : MAILSEND_DEFAULT_TIMEOUT_DATA_BLOCK;
    for (;;) {
        int rc = mailsend_client_output(s->client, &p, &n);
        if (rc)
            return fail(s, rc);
        if (n == 0)
            return 0;
        rc = write_all(s, p, n, t);
        if (rc == MAILSEND_E_TIMEOUT)
            return mailsend_client_timeout(s->client) ? fail(s, MAILSEND_E_NOMEM) : 0;
        if (rc)
            return rc;
        if ((rc = mailsend_client_consume(s->client, n)) != 0)
            return fail(s, rc);
    }
}

/* Reads once, with the deadline the machine names, and feeds what came. */
static int pump(mailsend_session *s)
{
    unsigned char buf[16384];
    ssize_t r = read_some(s, buf, sizeof buf, mailsend_client_timeout_ms(s->client));
    int rc;
    if (r > 0)
        rc = mailsend_client_feed(s->client, buf, (size_t)r);
    else if (r == 0)
        rc = mailsend_client_eof(s->client);
    else if (r == MAILSEND_E_TIMEOUT)
        rc = mailsend_client_timeout(s->client);
    else
        rc = mailsend_client_eof(s->client); /* an I/O error ends the session like a drop */
    return rc ? fail(s, rc) : 0;
}

/* Takes every waiting event: does STARTTLS when asked, notes READY, MESSAGE, errors and the
 * end of the session. Returns 0 or the error of a failed TLS handshake. */
static int handle_events(mailsend_session *s)
{
    mailsend_event ev;
    memset(&ev, 0, sizeof ev);
    ev.struct_size = sizeof ev;
    int rc;
    while (mailsend_client_next_event(s->client, &ev) == 0 && ev.type != MAILSEND_EVENT_NONE) {
        switch (ev.type) {
        case MAILSEND_EVENT_STARTTLS:
            if ((rc = start_tls(s)) != 0)
                return rc;
            if ((rc = mailsend_client_tls_started(s->client)) != 0)
                return fail(s, rc);
            break;
        case MAILSEND_EVENT_READY:
            s->ready = 1;
            break;
        case MAILSEND_EVENT_MESSAGE:
            s->message_done = 1;
            break;
        case MAILSEND_EVENT_ERROR:
            if (ev.reply && ev.reply->text && !s->error)
                snprintf(s->detail, sizeof s->detail, "%s: %d %s",
                         mailsend_strerror(ev.error), ev.reply->code, ev.reply->text);
            fail(s, ev.error ? ev.error : MAILSEND_E_PROTOCOL);
            break;
        case MAILSEND_EVENT_CLOSED:
            s->closed = 1;
            break;
        default:
            break;
        }
    }
    return 0;
}

/* What the loop waits for. */
enum goal { UNTIL_READY, UNTIL_MESSAGE, UNTIL_CLOSED };

static int reached(const mailsend_session *s, enum goal goal)
{
    return goal == UNTIL_READY ? s->ready : goal == UNTIL_MESSAGE ? s->message_done : 0;
}

/* Drives the machine until `goal` is reached or the session ends. Returns 0 at the goal, or
 * the error that ended the session. */
static int drive(mailsend_session *s, enum goal goal)
{
    for (;;) {
        int rc = flush(s);
        if (rc == 0)
            rc = handle_events(s);
        if (rc)
            return rc;
        if (reached(s, goal))
            return 0;
        if (s->closed) {
            close_connection(s);
            if (goal == UNTIL_CLOSED)
                return 0;
            return s->error ? s->error : fail(s, MAILSEND_E_DISCONNECTED);
        }
        if ((rc = flush(s)) != 0)
            return rc;
        if (!mailsend_client_wants_read(s->client))
            return fail(s, MAILSEND_E_STATE); /* the machine waits for the caller: no goal */
        if ((rc = pump(s)) != 0)
            return rc;
    }
}

int mailsend_session_open(mailsend_session *s)
{
    if (!s)
        return MAILSEND_E_INVAL;
    if (s->client || s->error)
        return MAILSEND_E_STATE;
    int rc = open_socket(s);
    if (rc)
        return rc;
    if (s->proto.tls == MAILSEND_TLS_IMPLICIT && (rc = start_tls(s)) != 0)
        return rc;
    if ((rc = mailsend_client_new(&s->proto, &s->client)) != 0)
        return fail(s, rc);
    return drive(s, UNTIL_READY);
}

/* The message with CRLF line ends, as the machine sends it before dot-stuffing (the same
 * encoder, without the dots), so the signature covers exactly the transmitted octets. */
static int normalise(const unsigned char *msg, size_t len, lm_buf *out)
{
    ms_encoder e;
    ms_encoder_init(&e, 0);
    if (ms_encoder_feed(&e, msg, len, out) || ms_encoder_finish(&e, out))
        return MAILSEND_E_NOMEM;
    return 0;
}

/* Hands the message octets to the machine, writing and reading whenever its buffer is full.
 * Stops quietly when the message ended early (every recipient refused, an error): the
 * events say how. */
static int put_data(mailsend_session *s, const unsigned char *p, size_t n)
{
    while (n > 0 && !s->message_done && !s->closed) {
        size_t taken = 0;
        int rc = mailsend_client_data(s->client, p, n, &taken);
        if (rc == MAILSEND_E_STATE)
            return 0;
        if (rc)
            return fail(s, rc);
        p += taken;
        n -= taken;
        if (taken == 0) {
            if ((rc = flush(s)) != 0 || (rc = handle_events(s)) != 0)
                return rc;
            if (mailsend_client_wants_read(s->client) && (rc = pump(s)) != 0)
                return rc;
            if ((rc = handle_events(s)) != 0)
                return rc;
        }
    }
    return 0;
}

int mailsend_session_send(mailsend_session *s, const mailsend_envelope *env,
                          const char *const *rcpts, size_t nrcpts,
                          const mailsend_rcpt_options *const *rcpt_opts,
                          const unsigned char *msg, size_t len)
{
    if (!s || !env || !rcpts || nrcpts == 0 || (!msg && len))
        return MAILSEND_E_INVAL;
    if (!s->client || s->error || s->closed)
        return MAILSEND_E_STATE;
    lm_buf norm = LM_BUF_INIT;
    const char *sig = NULL;
    size_t sig_len = 0;
    mailauth_dkim_signer *signer = NULL;
    int rc = 0;
    if (s->opts.dkim_key && s->opts.dkim) {
        if ((rc = normalise(msg, len, &norm)) != 0)
            goto out;
        msg = (const unsigned char *)norm.data;
        len = norm.len;
        if (mailauth_dkim_signer_new(s->opts.dkim, s->opts.dkim_key, &signer) != 0 ||
            mailauth_dkim_signer_feed(signer, msg, len) != 0 ||
            mailauth_dkim_signer_finish(signer, &sig, &sig_len) != 0) {
            set_detail(s, "DKIM signing failed", NULL);
            rc = MAILSEND_E_DKIM; /* the session itself is still fine */
            goto out;
        }
    }
    mailsend_envelope e = *env;
    if (!e.size)
        e.size = sig_len + len;
    /* Every recipient is checked before MAIL goes out, so a bad one leaves no transaction
     * half open. */
    for (size_t i = 0; i < nrcpts; i++)
        if (!rcpts[i] || !ms_path_ok(rcpts[i], e.smtputf8, 0)) {
            rc = MAILSEND_E_INVAL;
            goto out;
        }
    s->message_done = 0;
    if ((rc = mailsend_client_mail(s->client, &e)) != 0)
        goto out;
    for (size_t i = 0; i < nrcpts && rc == 0; i++)
        rc = mailsend_client_rcpt(s->client, rcpts[i], rcpt_opts ? rcpt_opts[i] : NULL);
    if (rc) {
        fail(s, rc); /* a transaction is open and cannot be finished */
        goto out;
    }
    if (sig)
        rc = put_data(s, (const unsigned char *)sig, sig_len);
    if (rc == 0)
        rc = put_data(s, msg, len);
    if (rc == 0 && !s->message_done && !s->closed) {
        int end = mailsend_client_data_end(s->client);
        if (end && end != MAILSEND_E_STATE)
            rc = fail(s, end);
    }
    if (rc == 0)
        rc = drive(s, UNTIL_MESSAGE);
    if (rc == 0 && s->error)
        rc = s->error; /* the message has its outcomes, but the session ended with it */
out:
    mailauth_dkim_signer_free(signer);
    lm_buf_free(&norm);
    return rc;
}

int mailsend_session_quit(mailsend_session *s)
{
    if (!s)
        return MAILSEND_E_INVAL;
    if (!s->client || s->closed) {
        close_connection(s);
        return 0;
    }
    int rc = s->error ? 0 : mailsend_client_quit(s->client);
    if (rc == 0 && !s->error)
        rc = drive(s, UNTIL_CLOSED);
    if (s->ssl)
        SSL_shutdown(s->ssl);
    close_connection(s);
    return rc;
}

mailsend_client *mailsend_session_client(mailsend_session *s)
{
    return s ? s->client : NULL;
}

int mailsend_session_error(const mailsend_session *s)
{
    return s ? s->error : MAILSEND_E_INVAL;
}

const char *mailsend_session_error_detail(const mailsend_session *s)
{
    return s ? s->detail : "";
}
