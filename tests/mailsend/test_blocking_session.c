/* test_session.c — the blocking session against scripted servers in a thread of this test, on
 * 127.0.0.1 and on a Unix socket: the whole conversation, two messages on one connection,
 * per-recipient outcomes, LMTP, a server that goes silent (the deadline fires), one that
 * drops the connection mid-DATA, one that refuses to connect, and argument checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "mailsend.h"

/* A server: for each line the client sends, the reply to give (matched by prefix), and what
 * it received. */
typedef struct {
    int listen_fd;
    int lmtp;
    int silent_after_ehlo;  /* answer nothing from MAIL on */
    int drop_at_data_end;   /* close the connection when the message's end arrives */
    char received[65536];
    size_t received_len;
    unsigned port;
    pthread_t thread;
} server;

static void say(int fd, const char *s)
{
    ssize_t w = write(fd, s, strlen(s));
    (void)w;
}

/* Reads one CRLF line into buf (without CRLF); returns its length or -1 at end. */
static int read_line(int fd, server *sv, char *buf, size_t size)
{
    size_t n = 0;
    char c;
    while (read(fd, &c, 1) == 1) {
        if (sv->received_len < sizeof sv->received)
            sv->received[sv->received_len++] = c;
        if (c == '\n') {
            if (n && buf[n - 1] == '\r')
                n--;
            buf[n] = '\0';
            return (int)n;
        }
        if (n + 1 < size)
            buf[n++] = c;
    }
    return -1;
}

static void *serve(void *arg)
{
    server *sv = arg;
    int fd = accept(sv->listen_fd, NULL, NULL);
    if (fd < 0)
        return NULL;
    char line[2048];
    int rcpts = 0, in_data = 0;
    say(fd, "220 test ESMTP\r\n");
    int mute = 0;
    while (read_line(fd, sv, line, sizeof line) >= 0) {
        if (mute)
            continue;
        if (in_data) {
            if (strcmp(line, ".") != 0)
                continue;
            in_data = 0;
            if (sv->drop_at_data_end)
                break;
            if (sv->lmtp) {
                for (int i = 0; i < rcpts; i++)
                    say(fd, i == 1 ? "452 4.2.2 mailbox full\r\n" : "250 2.0.0 delivered\r\n");
            } else {
                say(fd, "250 2.0.0 queued\r\n");
            }
            rcpts = 0;
        } else if (!strncmp(line, "EHLO", 4) || !strncmp(line, "LHLO", 4)) {
            say(fd, "250-test\r\n250-PIPELINING\r\n250 8BITMIME\r\n");
        } else if (!strncmp(line, "MAIL", 4)) {
            if (sv->silent_after_ehlo) {
                mute = 1;
                continue;
            }
            say(fd, "250 2.1.0 ok\r\n");
        } else if (!strncmp(line, "RCPT", 4)) {
            if (strstr(line, "refused")) {
                say(fd, "550 5.1.1 no such user\r\n");
            } else {
                rcpts++;
                say(fd, "250 2.1.5 ok\r\n");
            }
        } else if (!strcmp(line, "DATA")) {
            say(fd, "354 go ahead\r\n");
            in_data = 1;
        } else if (!strcmp(line, "QUIT")) {
            say(fd, "221 2.0.0 bye\r\n");
            break;
        } else {
            say(fd, "250 ok\r\n");
        }
    }
    close(fd);
    return NULL;
}

static void start_tcp(server *sv)
{
    sv->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(sv->listen_fd >= 0);
    struct sockaddr_in in;
    memset(&in, 0, sizeof in);
    in.sin_family = AF_INET;
    in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(sv->listen_fd, (struct sockaddr *)&in, sizeof in), 0);
    assert_int_equal(listen(sv->listen_fd, 1), 0);
    socklen_t len = sizeof in;
    getsockname(sv->listen_fd, (struct sockaddr *)&in, &len);
    sv->port = ntohs(in.sin_port);
    assert_int_equal(pthread_create(&sv->thread, NULL, serve, sv), 0);
}

static void stop(server *sv)
{
    shutdown(sv->listen_fd, SHUT_RDWR);
    pthread_join(sv->thread, NULL);
    close(sv->listen_fd);
}

static mailsend_session *open_session(const server *sv, const char *unix_path,
                                      mailsend_options *p, int expect)
{
    mailsend_session_options so;
    mailsend_session_options_init(&so);
    so.host = unix_path ? NULL : "127.0.0.1";
    so.unix_path = unix_path;
    so.port = sv ? sv->port : 1;
    mailsend_options d;
    if (!p) {
        mailsend_options_init(&d);
        d.tls = MAILSEND_TLS_OFF;
        p = &d;
    }
    mailsend_session *s = NULL;
    assert_int_equal(mailsend_session_new(&so, p, &s), 0);
    assert_int_equal(mailsend_session_open(s), expect);
    return s;
}

static const char msg[] = "From: a@example.org\nSubject: t\n\n.dot\nbody\n";

static void two_messages_and_outcomes(void **state)
{
    (void)state;
    server sv;
    memset(&sv, 0, sizeof sv);
    start_tcp(&sv);
    mailsend_session *s = open_session(&sv, NULL, NULL, 0);
    mailsend_envelope env;
    mailsend_envelope_init(&env);
    env.from = "a@example.org";
    const char *rcpts[] = {"b@example.com", "refused@example.com"};
    for (int round = 0; round < 2; round++) {
        assert_int_equal(mailsend_session_send(s, &env, rcpts, 2, NULL,
                                               (const unsigned char *)msg, strlen(msg)), 0);
        mailsend_client *c = mailsend_session_client(s);
        assert_int_equal(mailsend_client_rcpt_count(c), 2);
        assert_int_equal(mailsend_client_rcpt_status(c, 0), MAILSEND_RCPT_ACCEPTED);
        assert_int_equal(mailsend_client_rcpt_status(c, 1), MAILSEND_RCPT_PERMFAIL);
        assert_int_equal(mailsend_client_rcpt_reply(c, 1)->code, 550);
        assert_string_equal(mailsend_client_rcpt_reply(c, 0)->text, "2.0.0 queued");
    }
    /* a bad recipient is refused before anything is sent, and the session goes on */
    const char *bad[] = {"x<y>@example.com"};
    assert_int_equal(mailsend_session_send(s, &env, bad, 1, NULL, (const unsigned char *)msg,
                                           strlen(msg)), MAILSEND_E_INVAL);
    assert_int_equal(mailsend_session_error(s), 0);
    assert_int_equal(mailsend_session_quit(s), 0);
    mailsend_session_free(s);
    stop(&sv);
    sv.received[sv.received_len < sizeof sv.received ? sv.received_len : 0] = '\0';
    /* both messages, dot-stuffed, CRLF, and exactly one QUIT */
    assert_non_null(strstr(sv.received, "\r\n..dot\r\nbody\r\n.\r\n"));
    const char *second = strstr(sv.received, "..dot");
    assert_non_null(second);
    assert_non_null(strstr(second + 1, "..dot"));
    assert_null(strstr(sv.received, "x<y>"));
    assert_non_null(strstr(sv.received, "QUIT\r\n"));
}

static void lmtp_over_unix_socket(void **state)
{
    (void)state;
    server sv;
    memset(&sv, 0, sizeof sv);
    sv.lmtp = 1;
    char path[108];
    snprintf(path, sizeof path, "/tmp/mailsend-test-%ld.sock", (long)getpid());
    unlink(path);
    sv.listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un un;
    memset(&un, 0, sizeof un);
    un.sun_family = AF_UNIX;
    memcpy(un.sun_path, path, strlen(path) + 1);
    assert_int_equal(bind(sv.listen_fd, (struct sockaddr *)&un, sizeof un), 0);
    assert_int_equal(listen(sv.listen_fd, 1), 0);
    assert_int_equal(pthread_create(&sv.thread, NULL, serve, &sv), 0);
    mailsend_options p;
    mailsend_options_init(&p);
    p.lmtp = 1;
    p.tls = MAILSEND_TLS_OFF;
    mailsend_session *s = open_session(NULL, path, &p, 0);
    mailsend_envelope env;
    mailsend_envelope_init(&env);
    env.from = "a@example.org";
    const char *rcpts[] = {"b@example.com", "c@example.com", "refused@example.com"};
    assert_int_equal(mailsend_session_send(s, &env, rcpts, 3, NULL, (const unsigned char *)msg,
                                           strlen(msg)), 0);
    mailsend_client *c = mailsend_session_client(s);
    assert_int_equal(mailsend_client_rcpt_status(c, 0), MAILSEND_RCPT_ACCEPTED);
    assert_int_equal(mailsend_client_rcpt_status(c, 1), MAILSEND_RCPT_TEMPFAIL);
    assert_int_equal(mailsend_client_rcpt_reply(c, 1)->code, 452);
    assert_int_equal(mailsend_client_rcpt_status(c, 2), MAILSEND_RCPT_PERMFAIL);
    assert_int_equal(mailsend_session_quit(s), 0);
    mailsend_session_free(s);
    stop(&sv);
    unlink(path);
    assert_non_null(strstr(sv.received, "LHLO"));
}

static void silent_server_times_out(void **state)
{
    (void)state;
    server sv;
    memset(&sv, 0, sizeof sv);
    sv.silent_after_ehlo = 1;
    start_tcp(&sv);
    mailsend_options p;
    mailsend_options_init(&p);
    p.tls = MAILSEND_TLS_OFF;
    p.timeout_mail = 200; /* ms */
    p.timeout_rcpt = 200;
    mailsend_session *s = open_session(&sv, NULL, &p, 0);
    mailsend_envelope env;
    mailsend_envelope_init(&env);
    env.from = "a@example.org";
    const char *rcpts[] = {"b@example.com"};
    int rc = mailsend_session_send(s, &env, rcpts, 1, NULL, (const unsigned char *)msg,
                                   strlen(msg));
    assert_int_equal(rc, MAILSEND_E_TIMEOUT);
    assert_int_equal(mailsend_session_error(s), MAILSEND_E_TIMEOUT);
    assert_int_equal(mailsend_client_rcpt_status(mailsend_session_client(s), 0),
                     MAILSEND_RCPT_TEMPFAIL);
    /* the session is over: another message is refused without I/O */
    assert_int_equal(mailsend_session_send(s, &env, rcpts, 1, NULL, (const unsigned char *)msg,
                                           strlen(msg)), MAILSEND_E_STATE);
    mailsend_session_free(s);
    stop(&sv);
}

static void drop_mid_data_is_a_temporary_failure(void **state)
{
    (void)state;
    server sv;
    memset(&sv, 0, sizeof sv);
    sv.drop_at_data_end = 1;
    start_tcp(&sv);
    mailsend_session *s = open_session(&sv, NULL, NULL, 0);
    mailsend_envelope env;
    mailsend_envelope_init(&env);
    env.from = "a@example.org";
    const char *rcpts[] = {"b@example.com"};
    int rc = mailsend_session_send(s, &env, rcpts, 1, NULL, (const unsigned char *)msg,
                                   strlen(msg));
    assert_int_equal(rc, MAILSEND_E_DISCONNECTED);
    assert_int_equal(mailsend_client_rcpt_status(mailsend_session_client(s), 0),
                     MAILSEND_RCPT_TEMPFAIL);
    assert_true(mailsend_session_error_detail(s)[0] != '\0');
    mailsend_session_free(s);
    stop(&sv);
}

static void connection_refused_and_arguments(void **state)
{
    (void)state;
    /* Port 1 on loopback: nothing listens. */
    mailsend_session *s = open_session(NULL, NULL, NULL, MAILSEND_E_CONNECT);
    assert_int_equal(mailsend_session_error(s), MAILSEND_E_CONNECT);
    assert_non_null(strstr(mailsend_session_error_detail(s), "127.0.0.1"));
    assert_int_equal(mailsend_session_open(s), MAILSEND_E_STATE);
    mailsend_session_free(s);

    mailsend_session_options so;
    mailsend_session_options_init(&so);
    assert_int_equal(mailsend_session_new(&so, NULL, &s), MAILSEND_E_INVAL); /* no host */
    so.host = "localhost";
    so.struct_size = sizeof so + 1;
    assert_int_equal(mailsend_session_new(&so, NULL, &s), MAILSEND_E_INVAL);
    assert_null(s);
    mailsend_session_options_init(&so);
    char longpath[200];
    memset(longpath, 'x', sizeof longpath - 1);
    longpath[0] = '/';
    longpath[sizeof longpath - 1] = '\0';
    so.unix_path = longpath;
    assert_int_equal(mailsend_session_new(&so, NULL, &s), MAILSEND_E_INVAL);
    so.unix_path = "/nonexistent/mailsend.sock";
    assert_int_equal(mailsend_session_new(&so, NULL, &s), 0);
    assert_int_equal(mailsend_session_open(s), MAILSEND_E_CONNECT);
    mailsend_session_free(s);
    mailsend_session_free(NULL);
    assert_int_equal(mailsend_session_quit(NULL), MAILSEND_E_INVAL);
    assert_string_equal(mailsend_session_error_detail(NULL), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(two_messages_and_outcomes),
        cmocka_unit_test(lmtp_over_unix_socket),
        cmocka_unit_test(silent_server_times_out),
        cmocka_unit_test(drop_mid_data_is_a_temporary_failure),
        cmocka_unit_test(connection_refused_and_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
